"""RFDN: Residual Feature Distillation Network (Liu et al., AIM 2020 efficient-SR winner).

IMDN's layout with a cheaper distillation block (RFDB): at each of three steps a 1×1 conv
distils half the channels while a 3×3 conv with a shallow residual refines the full width; a
final 3×3 conv gives the fourth slice. The four slices are fused by a 1×1 conv and gated by ESA
(enhanced spatial attention, RFDN form). Blocks are fused by 1×1 + LeakyReLU, followed by a 3×3
conv with a long skip and a conv + PixelShuffle tail.

The NTIRE 2022 baseline checkpoint (50 channels, 4 blocks, ×4) expects RGB in [0, 255] (the
challenge's ``test_demo.py`` uses ``data_range = 255`` for it), with no mean shift. ESA needs
LR inputs of at least 15×15.
"""

from __future__ import annotations

import torch
from torch import nn

from suite.models.archs.blocks import ESA, check_scale, conv, lrelu, pixelshuffle_upsampler


class RFDB(nn.Module):
    """Residual feature distillation block (keys ``c1_d``, ``c1_r``, …, ``c4``, ``c5``, ``esa``)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        dc = channels // 2
        self.c1_d = conv(channels, dc, 1)
        self.c1_r = conv(channels, channels)
        self.c2_d = conv(channels, dc, 1)
        self.c2_r = conv(channels, channels)
        self.c3_d = conv(channels, dc, 1)
        self.c3_r = conv(channels, channels)
        self.c4 = conv(channels, dc)
        self.act = lrelu()
        self.c5 = conv(dc * 4, channels, 1)
        self.esa = ESA(channels, channels // 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        d1 = self.act(self.c1_d(x))
        r1 = self.act(self.c1_r(x) + x)
        d2 = self.act(self.c2_d(r1))
        r2 = self.act(self.c2_r(r1) + r1)
        d3 = self.act(self.c3_d(r2))
        r3 = self.act(self.c3_r(r2) + r2)
        d4 = self.act(self.c4(r3))
        return self.esa(self.c5(torch.cat([d1, d2, d3, d4], dim=1)))


class RFDN(nn.Module):
    """The network (keys ``fea_conv``, ``B1``…, ``c.0``, ``LR_conv``, ``upsampler.0``)."""

    def __init__(self, scale: int, channels: int = 50, num_blocks: int = 4) -> None:
        super().__init__()
        self.scale = scale
        self.num_blocks = num_blocks
        self.fea_conv = conv(3, channels)
        for i in range(1, num_blocks + 1):
            setattr(self, f"B{i}", RFDB(channels))
        self.c = nn.Sequential(conv(channels * num_blocks, channels, 1), lrelu())
        self.LR_conv = conv(channels, channels)
        self.upsampler = pixelshuffle_upsampler(channels, 3, scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        head = self.fea_conv(x)
        outs = []
        y = head
        for i in range(1, self.num_blocks + 1):
            y = getattr(self, f"B{i}")(y)
            outs.append(y)
        return self.upsampler(self.LR_conv(self.c(torch.cat(outs, dim=1))) + head)


def rfdn(scale: int = 4, channels: int = 50, num_blocks: int = 4) -> RFDN:
    """RFDN; the NTIRE 2022 baseline weights are 50 channels, 4 blocks, ×4."""
    return RFDN(check_scale("RFDN", scale), channels, num_blocks)
