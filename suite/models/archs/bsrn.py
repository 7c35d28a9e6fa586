"""BSRN as submitted to the NTIRE 2022 ESR challenge (team 18, XPixel; Li et al., CVPRW 2022).

Blueprint-separable residual network: every 3×3 conv is a BSConvU (pointwise, then depthwise
3×3). This challenge version stores its pointwise convs, and every other 1×1 conv, as
``nn.Linear`` layers applied over the channel axis (weights of shape ``(out, in)``), which is why
it gets its own module rather than sharing the published BSRN code's layout. The forward pass
computes them as 1×1 convolutions, which is the same arithmetic.

The input is repeated 4× along channels and embedded by a BSConvU; five residual feature
distillation blocks (three distill/refine steps, ESA attention, a learned per-channel scale
``cw`` and a 1×1 out-projection) follow; their outputs are concatenated, fused by a 1×1, GELU,
a BSConvU plus a long residual, then one conv + PixelShuffle. RGB in [0, 1], no mean shift.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from suite.models.archs.blocks import (
    ESA_MIN_SIZE,
    check_scale,
    pixelshuffle_upsampler,
    run_padded_to_min_size,
)


class Pointwise(nn.Linear):
    """A 1×1 conv over NCHW stored as ``nn.Linear`` (weight ``(out, in)``), as in the checkpoint."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight[:, :, None, None], self.bias)


class BSConvU(nn.Module):
    """Blueprint-separable conv: pointwise (``pw``, biased) then depthwise 3×3 (``dw``)."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.pw = Pointwise(in_channels, out_channels)
        self.dw = nn.Conv2d(out_channels, out_channels, 3, padding=1, groups=out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dw(self.pw(x))


class ESA(nn.Module):
    """Enhanced spatial attention with BSConvU convs and GELU (the RFDN ESA geometry).

    1×1 reduce to ``channels // 4`` → strided 3×3 (no padding) → 7×7/3 max-pool → BSConvU, GELU,
    BSConvU, GELU, BSConvU → bilinear resize back → add a 1×1 of the reduced map → 1×1 expand →
    sigmoid gate on the input.
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        f = channels // 4
        self.conv1 = Pointwise(channels, f)
        self.conv_f = Pointwise(f, f)
        self.conv_max = BSConvU(f, f)
        self.conv2 = nn.Conv2d(f, f, 3, stride=2, padding=0)
        self.conv3 = BSConvU(f, f)
        self.conv3_ = BSConvU(f, f)
        self.conv4 = Pointwise(f, channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        reduced = self.conv1(x)
        pooled = F.max_pool2d(self.conv2(reduced), kernel_size=7, stride=3)
        y = F.gelu(self.conv3(F.gelu(self.conv_max(pooled))))
        y = F.interpolate(self.conv3_(y), size=x.shape[2:], mode="bilinear", align_corners=False)
        return x * torch.sigmoid(self.conv4(y + self.conv_f(reduced)))


class RFDB(nn.Module):
    """Residual feature distillation block (BSConvU version) with ESA and channel scale ``cw``."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        dc = channels // 2
        self.c1_d = Pointwise(channels, dc)
        self.c1_r = BSConvU(channels, channels)
        self.c2_d = Pointwise(channels, dc)
        self.c2_r = BSConvU(channels, channels)
        self.c3_d = Pointwise(channels, dc)
        self.c3_r = BSConvU(channels, channels)
        self.c4 = BSConvU(channels, dc)
        self.c5 = Pointwise(dc * 4, channels)
        self.esa = ESA(channels)
        self.cw = nn.Parameter(torch.ones(1, channels))
        self.conv_out = Pointwise(channels, channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        distilled = []
        r = x
        for dist, refine in (
            (self.c1_d, self.c1_r),
            (self.c2_d, self.c2_r),
            (self.c3_d, self.c3_r),
        ):
            distilled.append(F.gelu(dist(r)))
            r = F.gelu(refine(r) + r)
        distilled.append(F.gelu(self.c4(r)))
        out = self.esa(self.c5(torch.cat(distilled, dim=1)))
        return self.conv_out(out * self.cw[:, :, None, None]) + x


class PixelShuffleDirect(nn.Module):
    """Wrapper kept for the checkpoint keys ``upsampler.upsampleOneStep.0.*``."""

    def __init__(self, channels: int, scale: int) -> None:
        super().__init__()
        self.upsampleOneStep = pixelshuffle_upsampler(channels, 3, scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.upsampleOneStep(x)


class BSRNNTIRE22(nn.Module):
    """BSRN, NTIRE 2022 ESR entry: 4×-repeated input → BSConvU → RFDBs → fuse → upsample."""

    def __init__(self, channels: int, n_blocks: int, scale: int) -> None:
        super().__init__()
        self.scale = scale
        self.n_blocks = n_blocks
        self.fea_conv = BSConvU(3 * 4, channels)
        for i in range(1, n_blocks + 1):
            self.add_module(f"B{i}", RFDB(channels))
        self.c1 = Pointwise(channels * n_blocks, channels)
        self.c2 = BSConvU(channels, channels)
        self.upsampler = PixelShuffleDirect(channels, scale)

    def _body(self, x: torch.Tensor) -> torch.Tensor:
        feat = self.fea_conv(torch.cat([x, x, x, x], dim=1))
        outs = []
        out = feat
        for i in range(1, self.n_blocks + 1):
            out = getattr(self, f"B{i}")(out)
            outs.append(out)
        trunk = F.gelu(self.c1(torch.cat(outs, dim=1)))
        return self.upsampler(self.c2(trunk) + feat)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # ESA's strided conv + 7×7 pooling needs at least ESA_MIN_SIZE pixels per side.
        return run_padded_to_min_size(self._body, x, ESA_MIN_SIZE, self.scale)


def bsrn_ntire22(channels: int = 48, n_blocks: int = 5, scale: int = 4) -> BSRNNTIRE22:
    """BSRN as in the NTIRE 2022 ESR repository (team 18: 48 channels, 5 blocks, ×4)."""
    return BSRNNTIRE22(channels, n_blocks, check_scale("BSRN (NTIRE 2022)", scale))
