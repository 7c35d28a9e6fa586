"""SPAN (Wan et al., CVPRW 2024) in its re-parameterised inference form, as in NTIRE 2024 ESR.

Every 3×3 conv of SPAN is trained as a ``Conv3XC`` (1×1 → 3×3 → 1×1 plus a 1×1 skip) and folded
into a single 3×3 conv for inference, stored as ``<name>.eval_conv``. The slim checkpoints of
teams 38 (SPAN, 28 channels) and 39 (SPAN-tiny, 26 channels) contain only those folded convs, so
this module builds only that form.

Each of the six SPAB blocks runs three 3×3 convs (SiLU after the first two); its parameter-free
attention is ``sigmoid(out) - 0.5`` multiplied onto ``out + input``. The tail concatenates the
embedding, a final 3×3 conv of block 6's output, block 1's output and block 6's activated first
conv, fuses them with a 1×1 conv and upsamples with one conv + PixelShuffle.

Input: RGB in [0, 1]. The network subtracts the DIV2K mean and multiplies by 255 internally; its
output is RGB in [0, 1] again (the mean is not added back, as in the reference).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from suite.models.archs.blocks import DIV2K_RGB_MEAN, check_scale, pixelshuffle_upsampler


class RepConv3(nn.Module):
    """A folded ``Conv3XC``: one biased 3×3 "same" conv, kept under the key ``eval_conv``."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.eval_conv = nn.Conv2d(in_channels, out_channels, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.eval_conv(x)


class SPAB(nn.Module):
    """Swift parameter-free attention block; returns (output, SiLU of its first conv).

    The reference applies an in-place SiLU to the first conv's output, so the tensor it hands to
    the tail is the activated one; the checkpoints were trained that way.
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.c1_r = RepConv3(channels, channels)
        self.c2_r = RepConv3(channels, channels)
        self.c3_r = RepConv3(channels, channels)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out1 = F.silu(self.c1_r(x))
        out3 = self.c3_r(F.silu(self.c2_r(out1)))
        attention = torch.sigmoid(out3) - 0.5
        return (out3 + x) * attention, out1


class SPAN(nn.Module):
    """SPAN with six SPABs (inference form)."""

    n_blocks = 6

    def __init__(self, channels: int, scale: int, img_range: float = 255.0) -> None:
        super().__init__()
        self.scale = scale
        self.img_range = img_range
        self.register_buffer(
            "mean", torch.tensor(DIV2K_RGB_MEAN).view(1, 3, 1, 1), persistent=False
        )
        self.conv_1 = RepConv3(3, channels)
        for i in range(1, self.n_blocks + 1):
            self.add_module(f"block_{i}", SPAB(channels))
        self.conv_cat = nn.Conv2d(channels * 4, channels, 1)
        self.conv_2 = RepConv3(channels, channels)
        self.upsampler = pixelshuffle_upsampler(channels, 3, scale)

    def blocks(self) -> list[SPAB]:
        """The SPABs in order (kept as ``block_1`` … ``block_6`` for the checkpoint keys)."""
        return [getattr(self, f"block_{i}") for i in range(1, self.n_blocks + 1)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        feat = self.conv_1((x - self.mean.to(x.dtype)) * self.img_range)
        first, *rest = self.blocks()
        out_b1, last_act = first(feat)
        out = out_b1
        for block in rest:
            out, last_act = block(out)
        return self.upsampler(
            self.conv_cat(torch.cat([feat, self.conv_2(out), out_b1, last_act], dim=1))
        )


def span(channels: int = 48, scale: int = 4) -> SPAN:
    """SPAN, inference (``eval_conv``) form: 28 channels for team 38, 26 for SPAN-tiny (team 39)."""
    return SPAN(channels, check_scale("SPAN", scale))
