"""SMFANet / SMFANet+ (Zheng et al., ECCV 2024) and SMFAN, its NTIRE 2024 ESR entry (team 24).

Each feature modulation block runs a self-modulation feature aggregation (SMFA) unit and a
partial-convolution feed-forward network (PCFN), each on the L2-normalised (over channels) input
and each with a residual. SMFA splits a 1×1 projection in two: one half is modulated by a
non-local gate (8× max-pool, depthwise 3×3, plus the per-channel spatial variance, nearest-upsampled
back) and the other goes through a local MLP (depthwise 3×3 → 1×1 → GELU → 1×1). PCFN applies a
3×3 conv to the first quarter of its hidden channels only.

SMFANet weights the pooled map and the variance with learned ``alpha``/``belt``; the NTIRE entry
adds them unweighted and drops the biases of its head and tail convs. Both take RGB in [0, 1], no
mean shift. Attribute names follow the authors' ``SMFANet_arch.py`` / ``team24_smfan.py`` so
their checkpoints load strictly.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from suite.models.archs.blocks import check_scale, pixelshuffle_upsampler, run_padded_to_min_size

# SMFA pools the map to (H // 8, W // 8), so it needs at least 8 pixels on each side.
_DOWN = 8


class LocalDetail(nn.Module):
    """Local detail estimation: depthwise 3×3 expand, 1×1, GELU, 1×1 back (``lde``)."""

    def __init__(self, dim: int, growth: float = 2.0) -> None:
        super().__init__()
        hidden = int(dim * growth)
        self.conv_0 = nn.Sequential(
            nn.Conv2d(dim, hidden, 3, padding=1, groups=dim), nn.Conv2d(hidden, hidden, 1)
        )
        self.conv_1 = nn.Conv2d(hidden, dim, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv_1(F.gelu(self.conv_0(x)))


class PCFN(nn.Module):
    """Partial-convolution FFN: 1×1 expand, GELU, 3×3 on the first ``p_rate`` of channels, 1×1."""

    def __init__(self, dim: int, growth: float = 2.0, p_rate: float = 0.25) -> None:
        super().__init__()
        hidden = int(dim * growth)
        self.p_dim = int(hidden * p_rate)
        self.conv_0 = nn.Conv2d(dim, hidden, 1)
        self.conv_1 = nn.Conv2d(self.p_dim, self.p_dim, 3, padding=1)
        self.conv_2 = nn.Conv2d(hidden, dim, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.gelu(self.conv_0(x))
        part, rest = x[:, : self.p_dim], x[:, self.p_dim :]
        return self.conv_2(torch.cat([F.gelu(self.conv_1(part)), rest], dim=1))


class SMFA(nn.Module):
    """Self-modulation feature aggregation: non-local gate on one half, local MLP on the other.

    With ``weighted`` the pooled map and the variance are scaled by learned per-channel ``alpha``
    and ``belt`` (SMFANet); without, they are simply added (SMFAN).
    """

    def __init__(self, dim: int, weighted: bool = True) -> None:
        super().__init__()
        self.linear_0 = nn.Conv2d(dim, dim * 2, 1)
        self.linear_1 = nn.Conv2d(dim, dim, 1)
        self.linear_2 = nn.Conv2d(dim, dim, 1)
        self.lde = LocalDetail(dim, 2.0)
        self.dw_conv = nn.Conv2d(dim, dim, 3, padding=1, groups=dim)
        self.weighted = weighted
        if weighted:
            self.alpha = nn.Parameter(torch.ones(1, dim, 1, 1))
            self.belt = nn.Parameter(torch.zeros(1, dim, 1, 1))

    def forward(self, f: torch.Tensor) -> torch.Tensor:
        h, w = f.shape[-2:]
        y, x = self.linear_0(f).chunk(2, dim=1)
        pooled = self.dw_conv(F.adaptive_max_pool2d(x, (h // _DOWN, w // _DOWN)))
        variance = torch.var(x, dim=(-2, -1), keepdim=True)  # unbiased, as the reference
        if self.weighted:
            pooled, variance = pooled * self.alpha, variance * self.belt
        gate = F.gelu(self.linear_1(pooled + variance))
        x = x * F.interpolate(gate, size=(h, w), mode="nearest")
        return self.linear_2(x + self.lde(y))


class FMB(nn.Module):
    """Feature modulation block: SMFA then PCFN, each on ``F.normalize(x)`` with a residual."""

    def __init__(self, dim: int, ffn_scale: float, weighted: bool) -> None:
        super().__init__()
        self.smfa = SMFA(dim, weighted)
        self.pcfn = PCFN(dim, ffn_scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.smfa(F.normalize(x)) + x
        return self.pcfn(F.normalize(x)) + x


class SMFANet(nn.Module):
    """3×3 embed → ``n_blocks`` FMBs with a long residual → 3×3 conv + PixelShuffle."""

    def __init__(
        self,
        dim: int,
        n_blocks: int,
        ffn_scale: float,
        scale: int,
        weighted: bool = True,
        head_bias: bool = True,
    ) -> None:
        super().__init__()
        self.scale = scale
        self.to_feat = nn.Conv2d(3, dim, 3, padding=1, bias=head_bias)
        self.feats = nn.Sequential(*[FMB(dim, ffn_scale, weighted) for _ in range(n_blocks)])
        self.to_img = pixelshuffle_upsampler(dim, 3, scale, bias=head_bias)

    def _body(self, x: torch.Tensor) -> torch.Tensor:
        x = self.to_feat(x)
        return self.to_img(self.feats(x) + x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return run_padded_to_min_size(self._body, x, _DOWN, self.scale)


def smfanet(dim: int = 36, n_blocks: int = 8, ffn_scale: float = 2.0, scale: int = 4) -> SMFANet:
    """SMFANet (dim 36, 8 blocks) or SMFANet+ (dim 48, 12 blocks) at ×2/×3/×4."""
    return SMFANet(dim, n_blocks, ffn_scale, check_scale("SMFANet", scale, (2, 3, 4)))


def smfan(dim: int = 24, n_blocks: int = 8, ffn_scale: float = 1.5, scale: int = 4) -> SMFANet:
    """SMFAN, the NTIRE 2024 ESR entry: unweighted SMFA gate, bias-free head and tail."""
    return SMFANet(
        dim,
        n_blocks,
        ffn_scale,
        check_scale("SMFAN", scale),
        weighted=False,
        head_bias=False,
    )
