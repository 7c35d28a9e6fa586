"""RLFN: Residual Local Feature Network (Kong et al., CVPRW 2022; NTIRE 2022 ESR runtime winner).

RFDN without the distillation branches, for speed: each residual local feature block (RLFB) is
three 3×3 convs with LeakyReLU (the middle width may differ, ``mid_channels``), a residual add,
a 1×1 conv and ESA in its light form (16 channels, one conv after pooling). Blocks are simply
chained; a 3×3 conv with a long skip from the head feeds the conv + PixelShuffle tail.

The same weights exist in two key layouts: the paper release (bytedance/RLFN: ``conv_1``,
``block_{i}``, ``conv_2``) and the NTIRE 2022 submission (team04: ``fea_conv``, ``B{i}``,
``LR_conv``); ``layout`` picks the names. All published RLFN weights take RGB in [0, 255]
(the authors' test scripts multiply by 255), with no mean shift. ESA needs LR inputs ≥ 15×15.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn

from suite.models.archs.blocks import ESA, check_scale, conv, lrelu, pixelshuffle_upsampler

Layout = Literal["rlfn", "ntire"]

# layout -> (head, block prefix, body conv) attribute names of the published checkpoints
_NAMES: dict[str, tuple[str, str, str]] = {
    "rlfn": ("conv_1", "block_", "conv_2"),
    "ntire": ("fea_conv", "B", "LR_conv"),
}


class RLFB(nn.Module):
    """Residual local feature block (keys ``c1_r``, ``c2_r``, ``c3_r``, ``c5``, ``esa``)."""

    def __init__(self, channels: int, mid_channels: int, esa_channels: int = 16) -> None:
        super().__init__()
        self.c1_r = conv(channels, mid_channels)
        self.c2_r = conv(mid_channels, mid_channels)
        self.c3_r = conv(mid_channels, channels)
        self.c5 = conv(channels, channels, 1)
        self.esa = ESA(channels, esa_channels, light=True)
        self.act = lrelu()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.act(self.c1_r(x))
        y = self.act(self.c2_r(y))
        y = self.act(self.c3_r(y))
        return self.esa(self.c5(y + x))


class RLFN(nn.Module):
    """Head conv, ``num_blocks`` RLFBs, body conv + long skip, PixelShuffle tail."""

    def __init__(
        self,
        scale: int,
        channels: int = 52,
        mid_channels: int | None = None,
        num_blocks: int = 6,
        esa_channels: int = 16,
        layout: Layout = "rlfn",
    ) -> None:
        super().__init__()
        if layout not in _NAMES:
            raise ValueError(f"unknown RLFN key layout {layout!r}; expected one of {list(_NAMES)}")
        self.scale = scale
        self._head, prefix, self._body = _NAMES[layout]
        self._blocks = [f"{prefix}{i}" for i in range(1, num_blocks + 1)]
        setattr(self, self._head, conv(3, channels))
        for name in self._blocks:
            setattr(self, name, RLFB(channels, mid_channels or channels, esa_channels))
        setattr(self, self._body, conv(channels, channels))
        self.upsampler = pixelshuffle_upsampler(channels, 3, scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        head = getattr(self, self._head)(x)
        y = head
        for name in self._blocks:
            y = getattr(self, name)(y)
        return self.upsampler(getattr(self, self._body)(y) + head)


def rlfn(
    scale: int = 4,
    channels: int = 52,
    mid_channels: int | None = None,
    num_blocks: int = 6,
    esa_channels: int = 16,
    layout: Layout = "rlfn",
) -> RLFN:
    """RLFN (52 channels), RLFN-S (48) or the NTIRE 2022 entry (46/48, 4 blocks)."""
    return RLFN(
        check_scale("RLFN", scale), channels, mid_channels, num_blocks, esa_channels, layout
    )
