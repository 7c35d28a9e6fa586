"""SAFMN (Sun et al., ICCV 2023), its NTIRE 2023 ESR entry, and SAFMN++ (NTIRE 2024 ESR, team 23).

SAFMN stacks feature mixing blocks. Each runs a spatially-adaptive feature modulation (SAFM) unit,
which splits the channels into four chunks, processes chunk 0 at full resolution and chunk ``i``
after a ``2^i``× adaptive max-pool (depthwise 3×3, nearest upsample), fuses them with a 1×1 conv
and uses GELU of that as a gate on the input; then a convolutional channel mixer (3×3 expand,
GELU, 1×1). The paper model puts a channels-first LayerNorm before each unit and has a long
feature residual.

The NTIRE 2023 entry (``safmn_ntire23``) drops the LayerNorms and the conv biases inside the
blocks, pools one octave deeper (chunk ``i`` at ``2^(i+1)``×), normalises the embedding with a
global response normalisation (GRN) and adds a bilinear upsampling of the input to the output
instead of a feature residual. SAFMN++ replaces SAFM by a single-branch unit (3×3 projection; a
third of the channels gated by an 8×-pooled, bilinearly upsampled depthwise map), is bias-free and
also adds the bilinear upsampling of the input.

All take RGB in [0, 1] with no mean shift. Attribute names follow the authors' code
(``safmn_arch.py``, ``team15_SAFMN.py``, ``team23_safmnpp.py``) so checkpoints load strictly.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from suite.models.archs.blocks import (
    LayerNorm2d,
    check_scale,
    pixelshuffle_upsampler,
    run_padded_to_min_size,
)


class SAFM(nn.Module):
    """Multi-scale spatially-adaptive modulation over ``n_levels`` channel chunks.

    Chunk ``i > 0`` is max-pooled to ``H // 2^(i + pool_shift)``; the deepest level therefore
    needs ``H, W >= 2^(n_levels - 1 + pool_shift)`` (see :attr:`min_size`).
    """

    def __init__(self, dim: int, n_levels: int = 4, bias: bool = True, pool_shift: int = 0) -> None:
        super().__init__()
        self.n_levels = n_levels
        self.pool_shift = pool_shift
        chunk = dim // n_levels
        self.mfr = nn.ModuleList(
            nn.Conv2d(chunk, chunk, 3, padding=1, groups=chunk, bias=bias) for _ in range(n_levels)
        )
        self.aggr = nn.Conv2d(dim, dim, 1, bias=bias)

    @property
    def min_size(self) -> int:
        return 2 ** (self.n_levels - 1 + self.pool_shift)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        out = []
        for i, chunk in enumerate(x.chunk(self.n_levels, dim=1)):
            if i == 0:
                out.append(self.mfr[0](chunk))
                continue
            factor = 2 ** (i + self.pool_shift)
            s = self.mfr[i](F.adaptive_max_pool2d(chunk, (h // factor, w // factor)))
            out.append(F.interpolate(s, size=(h, w), mode="nearest"))
        return F.gelu(self.aggr(torch.cat(out, dim=1))) * x


class CCM(nn.Module):
    """Convolutional channel mixer: 3×3 expand by ``growth``, GELU, 1×1 back (``ccm.0``, ``.2``)."""

    def __init__(self, dim: int, growth: float = 2.0, bias: bool = True) -> None:
        super().__init__()
        hidden = int(dim * growth)
        self.ccm = nn.Sequential(
            nn.Conv2d(dim, hidden, 3, padding=1, bias=bias),
            nn.GELU(),
            nn.Conv2d(hidden, dim, 1, bias=bias),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.ccm(x)


class AttBlock(nn.Module):
    """Feature mixing block: ``x + SAFM(norm1 x)`` then ``x + CCM(norm2 x)``.

    ``layer_norm=False`` (NTIRE 2023 entry) applies both units to the raw features.
    """

    def __init__(
        self, dim: int, ffn_scale: float, layer_norm: bool, bias: bool, pool_shift: int
    ) -> None:
        super().__init__()
        self.norm1: nn.Module = LayerNorm2d(dim) if layer_norm else nn.Identity()
        self.norm2: nn.Module = LayerNorm2d(dim) if layer_norm else nn.Identity()
        self.safm = SAFM(dim, bias=bias, pool_shift=pool_shift)
        self.ccm = CCM(dim, ffn_scale, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.safm(self.norm1(x)) + x
        return self.ccm(self.norm2(x)) + x


class SAFMN(nn.Module):
    """The paper model: 3×3 embed → blocks with a long residual → 3×3 conv + PixelShuffle."""

    def __init__(self, dim: int, n_blocks: int, ffn_scale: float, scale: int) -> None:
        super().__init__()
        self.scale = scale
        self.to_feat = nn.Conv2d(3, dim, 3, padding=1)
        self.feats = nn.Sequential(
            *[
                AttBlock(dim, ffn_scale, layer_norm=True, bias=True, pool_shift=0)
                for _ in range(n_blocks)
            ]
        )
        self.to_img = pixelshuffle_upsampler(dim, 3, scale)
        self.min_size = self.feats[0].safm.min_size

    def _body(self, x: torch.Tensor) -> torch.Tensor:
        x = self.to_feat(x)
        return self.to_img(self.feats(x) + x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return run_padded_to_min_size(self._body, x, self.min_size, self.scale)


class GRN(nn.Module):
    """Global response normalisation (ConvNeXt V2): ``x + gamma·(x·N(x)) + beta``.

    ``N(x)`` is each channel's spatial L2 norm divided by the mean of those norms over channels.
    """

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.gamma = nn.Parameter(torch.zeros(1, dim, 1, 1))
        self.beta = nn.Parameter(torch.zeros(1, dim, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gx = torch.norm(x, p=2, dim=(2, 3), keepdim=True)
        nx = gx / (gx.mean(dim=1, keepdim=True) + 1e-6)
        return self.gamma * (x * nx) + self.beta + x


def _bilinear_up(x: torch.Tensor, scale: int) -> torch.Tensor:
    return F.interpolate(x, scale_factor=scale, mode="bilinear", align_corners=False)


class SAFMNNTIRE23(nn.Module):
    """NTIRE 2023 entry: embed → GRN → bias-free blocks → upsampler, plus bilinear(input)."""

    def __init__(self, dim: int, n_blocks: int, ffn_scale: float, scale: int) -> None:
        super().__init__()
        self.scale = scale
        self.norm = GRN(dim)
        self.to_feat = nn.Conv2d(3, dim, 3, padding=1)
        self.feats = nn.Sequential(
            *[
                AttBlock(dim, ffn_scale, layer_norm=False, bias=False, pool_shift=1)
                for _ in range(n_blocks)
            ]
        )
        self.to_img = pixelshuffle_upsampler(dim, 3, scale)
        self.min_size = self.feats[0].safm.min_size

    def _body(self, x: torch.Tensor) -> torch.Tensor:
        feat = self.feats(self.norm(self.to_feat(x)))
        return self.to_img(feat) + _bilinear_up(x, self.scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return run_padded_to_min_size(self._body, x, self.min_size, self.scale)


class SimpleSAFM(nn.Module):
    """SAFM++ unit: 3×3 projection; ``dim / ratio`` channels gated by an 8×-pooled depthwise map."""

    down = 8

    def __init__(self, dim: int, ratio: int = 3) -> None:
        super().__init__()
        self.dim = dim
        self.chunk_dim = dim // ratio
        self.proj = nn.Conv2d(dim, dim, 3, padding=1, bias=False)
        self.dwconv = nn.Conv2d(
            self.chunk_dim, self.chunk_dim, 3, padding=1, groups=self.chunk_dim, bias=False
        )
        self.out = nn.Conv2d(dim, dim, 1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        x0, x1 = self.proj(x).split([self.chunk_dim, self.dim - self.chunk_dim], dim=1)
        gate = self.dwconv(F.adaptive_max_pool2d(x0, (h // self.down, w // self.down)))
        gate = F.interpolate(gate, size=(h, w), mode="bilinear", align_corners=False)
        x2 = F.gelu(gate) * x0
        return self.out(F.gelu(torch.cat([x1, x2], dim=1)))


class PPCCM(nn.Module):
    """SAFMN++ channel mixer: bias-free 3×3 expand, GELU, 1×1 (``conv1``/``conv2``)."""

    def __init__(self, dim: int, ffn_scale: float) -> None:
        super().__init__()
        hidden = int(dim * ffn_scale)
        self.conv1 = nn.Conv2d(dim, hidden, 3, padding=1, bias=False)
        self.conv2 = nn.Conv2d(hidden, dim, 1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv2(F.gelu(self.conv1(x)))


class PPBlock(nn.Module):
    """SAFMN++ block: ``x + CCM(SimpleSAFM(x))`` (one residual around both units)."""

    def __init__(self, dim: int, ffn_scale: float) -> None:
        super().__init__()
        self.conv1 = SimpleSAFM(dim, ratio=3)
        self.conv2 = PPCCM(dim, ffn_scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv2(self.conv1(x)) + x


class SAFMNPP(nn.Module):
    """SAFMN++: bias-free embed → blocks → upsampler, plus bilinear(input)."""

    def __init__(self, dim: int, n_blocks: int, ffn_scale: float, scale: int) -> None:
        super().__init__()
        self.scale = scale
        self.to_feat = nn.Conv2d(3, dim, 3, padding=1, bias=False)
        self.feats = nn.Sequential(*[PPBlock(dim, ffn_scale) for _ in range(n_blocks)])
        self.to_img = pixelshuffle_upsampler(dim, 3, scale, bias=False)

    def _body(self, x: torch.Tensor) -> torch.Tensor:
        return self.to_img(self.feats(self.to_feat(x))) + _bilinear_up(x, self.scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return run_padded_to_min_size(self._body, x, SimpleSAFM.down, self.scale)


def safmn(dim: int = 36, n_blocks: int = 8, ffn_scale: float = 2.0, scale: int = 4) -> SAFMN:
    """SAFMN as in the paper (36 channels, 8 blocks for the efficient-SR models)."""
    return SAFMN(dim, n_blocks, ffn_scale, check_scale("SAFMN", scale, (2, 3, 4)))


def safmn_ntire23(
    dim: int = 36, n_blocks: int = 8, ffn_scale: float = 2.0, scale: int = 4
) -> SAFMNNTIRE23:
    """SAFMN as submitted to the NTIRE 2023 ESR challenge (team 15)."""
    return SAFMNNTIRE23(dim, n_blocks, ffn_scale, check_scale("SAFMN (NTIRE 2023)", scale))


def safmnpp(dim: int = 36, n_blocks: int = 6, ffn_scale: float = 1.5, scale: int = 4) -> SAFMNPP:
    """SAFMN++ as submitted to the NTIRE 2024 ESR challenge (team 23)."""
    return SAFMNPP(dim, n_blocks, ffn_scale, check_scale("SAFMN++", scale))
