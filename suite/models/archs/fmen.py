"""FMEN: Fast and Memory-Efficient Network (Du et al., NTIRE 2022 ESR, team NJU_Jet).

Plain 3×3 convs only (the released weights are the re-parameterised inference form, one
``rep_conv`` per trained multi-branch conv), in a sequential body that keeps few feature maps
alive: head conv, a warm-up conv + HFAB, then ``down_blocks`` × (basic block, HFAB), a 3×3 conv,
a long skip from the head and a conv + PixelShuffle tail. A basic block is conv–LeakyReLU–conv
with no skip; a high-frequency attention block (HFAB) squeezes to a few channels, runs basic
blocks, expands back and gates its input with a sigmoid. LeakyReLU slope is 0.1.

The NTIRE 2022 weights (50 channels, ×4) expect RGB in [0, 255] (``data_range = 255`` in the
challenge's ``test_demo.py``), with no mean shift.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from suite.models.archs.blocks import check_scale, conv, pixelshuffle_upsampler

SLOPE = 0.1


class RepConv(nn.Module):
    """A 3×3 conv stored as ``rep_conv`` (the deployed form of a re-parameterised block)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.rep_conv = conv(channels, channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.rep_conv(x)


class BasicBlock(nn.Module):
    """conv → LeakyReLU(0.1) → conv, with no residual."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = RepConv(channels)
        self.conv2 = RepConv(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv2(F.leaky_relu(self.conv1(x), SLOPE))


class HFAB(nn.Module):
    """High-frequency attention block: squeeze, ``num_convs`` basic blocks, excite, sigmoid gate."""

    def __init__(self, channels: int, num_convs: int, mid_channels: int) -> None:
        super().__init__()
        self.squeeze = conv(channels, mid_channels)
        self.convs = nn.Sequential(*(BasicBlock(mid_channels) for _ in range(num_convs)))
        self.excitate = conv(mid_channels, channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.leaky_relu(self.squeeze(x), SLOPE)
        y = F.leaky_relu(self.convs(y), SLOPE)
        return x * torch.sigmoid(self.excitate(y))


class FMEN(nn.Module):
    """Keys ``head``, ``warmup``, ``basic_blocks``, ``hfabs``, ``lr_conv``, ``tail``)."""

    def __init__(
        self,
        scale: int,
        channels: int = 50,
        mid_channels: int = 16,
        down_blocks: int = 4,
        up_blocks: tuple[int, ...] = (2, 1, 1, 1, 1),
    ) -> None:
        super().__init__()
        if len(up_blocks) != down_blocks + 1:
            raise ValueError(f"up_blocks needs {down_blocks + 1} entries, got {up_blocks}")
        self.scale = scale
        self.head = conv(3, channels)
        # The warm-up HFAB is 4 channels narrower than the others in the published model.
        self.warmup = nn.Sequential(
            conv(channels, channels), HFAB(channels, up_blocks[0], mid_channels - 4)
        )
        self.basic_blocks = nn.ModuleList(BasicBlock(channels) for _ in range(down_blocks))
        self.hfabs = nn.ModuleList(
            HFAB(channels, up_blocks[i + 1], mid_channels) for i in range(down_blocks)
        )
        self.lr_conv = conv(channels, channels)
        self.tail = pixelshuffle_upsampler(channels, 3, scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        head = self.head(x)
        y = self.warmup(head)
        for block, hfab in zip(self.basic_blocks, self.hfabs, strict=True):
            y = hfab(block(y))
        return self.tail(self.lr_conv(y) + head)


def fmen(scale: int = 4, channels: int = 50, mid_channels: int = 16, down_blocks: int = 4) -> FMEN:
    """FMEN as submitted to NTIRE 2022 (50 channels, 16-channel HFABs, 4 stages, ×4)."""
    return FMEN(check_scale("FMEN", scale), channels, mid_channels, down_blocks)
