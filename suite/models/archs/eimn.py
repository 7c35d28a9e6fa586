"""EIMN: Efficient Information Modulation Network (Liu et al., ECAI 2023).

A stack of single-block stages, each block a pre-norm (BatchNorm) pair of

* MOLRCM, a convolutional modulation: a large-receptive-field depth-wise "query" branch
  gated by SiLU multiplies a 1×1 "value" projection, and
* SADFFM, a gated depth-wise feed-forward layer followed by a channel × spatial gate (DFFM),

each added back with a learned per-channel layer scale. Every stage ends with a LayerNorm over
channels; a global skip joins the head features to the last stage before a conv + PixelShuffle
tail. ``EIMN_L`` has 16 stages, ``EIMN_A`` 14; both use 64 channels.

The network works on RGB in [0, 1] with no mean shift. All convolutions keep the spatial size,
so any H×W input gives exactly (scale·H)×(scale·W) output without padding. Attribute names
follow the authors' checkpoints (``head.0``, ``block{i}.0.attn.region``, ``norm{i}``, …) so
their state dicts load with ``strict=True``. Dropout and stochastic depth, which the reference
only uses at rate 0, are left out.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from suite.errors import ScaleError
from suite.models.archs.blocks import LayerNorm2d

VARIANT_STAGES: dict[str, int] = {"L": 16, "A": 14}


def _depthwise(channels: int, kernel: int, dilation: int = 1) -> nn.Conv2d:
    """A same-size depth-wise convolution."""
    pad = dilation * (kernel - 1) // 2
    return nn.Conv2d(channels, channels, kernel, padding=pad, dilation=dilation, groups=channels)


class MOLRCM(nn.Module):
    """Multi-order long-range convolutional modulation (the block's attention substitute).

    The query goes through a 5×5 depth-wise conv, then its channels split 3/8 : 1/8 : 4/8 into a
    5×5 dilation-2 branch, an identity branch and a 7×7 dilation-3 branch; the fused, SiLU-gated
    result multiplies the value projection.
    """

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.split = (dim * 3 // 8, dim // 8, dim - dim * 3 // 8 - dim // 8)
        self.proj_value = nn.Sequential(nn.Conv2d(dim, dim, 1))
        self.proj_query = nn.Sequential(nn.Conv2d(dim, dim, 1), nn.GELU())
        self.region = _depthwise(dim, 5)
        self.spatial_1 = _depthwise(self.split[0], 5, dilation=2)
        self.spatial_2 = _depthwise(self.split[2], 7, dilation=3)
        self.fusion = nn.Conv2d(dim, dim, 1)
        self.out = nn.Conv2d(dim, dim, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        value = self.proj_value(x)
        q_mid, q_id, q_far = self.region(self.proj_query(x)).split(self.split, dim=1)
        query = torch.cat([self.spatial_1(q_mid), q_id, self.spatial_2(q_far)], dim=1)
        return self.out(F.silu(self.fusion(query)) * value)


class DFFM(nn.Module):
    """Dynamic feature-flow modulation: rescales its input by a channel gate times a spatial gate.

    Both gates come from a normalised copy reduced to ``dim/4`` channels: the channel gate from its
    global average, the spatial gate from local features concatenated with the broadcast global
    ones.
    """

    def __init__(self, dim: int, reduce_ratio: float = 0.25) -> None:
        super().__init__()
        reduced = int(dim * reduce_ratio)
        self.norm = LayerNorm2d(dim)
        self.global_reduce = nn.Conv2d(dim, reduced, 1)
        self.local_reduce = nn.Conv2d(dim, reduced, 1)
        self.channel_expand = nn.Conv2d(reduced, dim, 1)
        self.spatial_expand = nn.Conv2d(reduced * 2, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.norm(x)
        glob = F.gelu(self.global_reduce(F.adaptive_avg_pool2d(y, 1)))
        local = F.gelu(self.local_reduce(y))
        channel_gate = torch.sigmoid(self.channel_expand(glob))
        both = torch.cat([local, glob.expand(-1, -1, *local.shape[2:])], dim=1)
        spatial_gate = torch.sigmoid(self.spatial_expand(both))
        return x * (channel_gate * spatial_gate)


class SADFFM(nn.Module):
    """Spatial-awareness feed-forward: 1×1 expand, 3×3 depth-wise, GELU gate, 1×1 project, DFFM."""

    def __init__(self, dim: int, mlp_ratio: float) -> None:
        super().__init__()
        hidden = int(dim * mlp_ratio)
        self.linear_in = nn.Conv2d(dim, hidden * 2, 1)
        self.SAL = _depthwise(hidden * 2, 3)
        self.linear_out = nn.Conv2d(hidden, dim, 1)
        self.DFFM = DFFM(dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate, content = self.SAL(self.linear_in(x)).chunk(2, dim=1)
        return self.DFFM(self.linear_out(F.gelu(gate) * content))


class EIMNBlock(nn.Module):
    """Pre-norm residual pair: BN → MOLRCM and BN → SADFFM, each scaled per channel."""

    def __init__(self, dim: int, mlp_ratio: float) -> None:
        super().__init__()
        self.norm1 = nn.BatchNorm2d(dim)
        self.attn = MOLRCM(dim)
        self.norm2 = nn.BatchNorm2d(dim)
        self.mlp = SADFFM(dim, mlp_ratio)
        self.layer_scale_1 = nn.Parameter(torch.full((dim,), 1e-2))
        self.layer_scale_2 = nn.Parameter(torch.full((dim,), 1e-2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.layer_scale_1[:, None, None] * self.attn(self.norm1(x))
        return x + self.layer_scale_2[:, None, None] * self.mlp(self.norm2(x))


class EIMN(nn.Module):
    """The full network: conv head, ``num_stages`` × (blocks + LayerNorm), global skip, tail.

    Stages are stored as ``block{i}`` (a ``ModuleList``) and ``norm{i}`` (``nn.LayerNorm`` over
    channels), 1-based, to match the published key names.
    """

    def __init__(
        self,
        scale: int = 2,
        dim: int = 64,
        num_stages: int = 16,
        blocks_per_stage: int = 1,
        mlp_ratio: float = 2.66,
    ) -> None:
        super().__init__()
        self.scale = scale
        self.num_stages = num_stages
        self.head = nn.Sequential(nn.Conv2d(3, dim, 3, padding=1))
        for i in range(1, num_stages + 1):
            blocks = nn.ModuleList(EIMNBlock(dim, mlp_ratio) for _ in range(blocks_per_stage))
            setattr(self, f"block{i}", blocks)
            setattr(self, f"norm{i}", nn.LayerNorm(dim))
        self.tail = nn.Sequential(
            nn.Conv2d(dim, 3 * scale * scale, 3, padding=1), nn.PixelShuffle(scale)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shallow = self.head(x)
        y = shallow
        for i in range(1, self.num_stages + 1):
            for block in getattr(self, f"block{i}"):
                y = block(y)
            y = getattr(self, f"norm{i}")(y.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
        return self.tail(shallow + y)


def eimn(
    variant: str = "L",
    scale: int = 2,
    *,
    dim: int = 64,
    num_stages: int | None = None,
    blocks_per_stage: int = 1,
    mlp_ratio: float = 2.66,
) -> EIMN:
    """Build EIMN_L (``variant="L"``, 16 stages) or EIMN_A (``"A"``, 14 stages) for ``scale``.

    ``num_stages`` overrides the variant's stage count; the other keywords exist for ablations
    and default to the published configuration.
    """
    key = variant.upper().removeprefix("EIMN_")
    if key not in VARIANT_STAGES:
        raise ValueError(f"unknown EIMN variant {variant!r}; expected one of L, A")
    if int(scale) != scale or scale < 1:
        raise ScaleError(f"EIMN needs a positive integer scale, got {scale!r}")
    stages = VARIANT_STAGES[key] if num_stages is None else num_stages
    return EIMN(int(scale), dim, stages, blocks_per_stage, mlp_ratio)
