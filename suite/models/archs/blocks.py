"""Building blocks shared by several architecture families.

Kept here once so that IMDN, RFDN, RLFN, FMEN (and later families) agree on padding, attribute
names and layer order: the attribute names are those of the published checkpoints
(``upsampler.0``, ``esa.conv1``, ``cca.conv_du.0`` …) so the authors' state dicts load strictly.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from suite.errors import ScaleError

# Mean RGB of DIV2K, the shift used by EDSR-derived networks (EDSR, CARN, SPAN, SwinIR).
DIV2K_RGB_MEAN = (0.4488, 0.4371, 0.4040)


def check_scale(family: str, scale: float, allowed: tuple[int, ...] | None = None) -> int:
    """``scale`` as an int, or a :class:`ScaleError` naming the family and what it supports."""
    if int(scale) != scale or scale < 1 or (allowed is not None and int(scale) not in allowed):
        what = f"one of {allowed}" if allowed else "a positive integer"
        raise ScaleError(f"{family} needs a scale that is {what}, got {scale!r}")
    return int(scale)


def conv(
    in_channels: int, out_channels: int, kernel_size: int = 3, stride: int = 1, groups: int = 1
) -> nn.Conv2d:
    """A biased convolution with "same" padding ``(k - 1) // 2`` (odd kernels keep H×W)."""
    return nn.Conv2d(
        in_channels,
        out_channels,
        kernel_size,
        stride=stride,
        padding=(kernel_size - 1) // 2,
        groups=groups,
    )


def lrelu(negative_slope: float = 0.05) -> nn.LeakyReLU:
    """LeakyReLU; 0.05 is the slope of the IMDN / RFDN / RLFN line of networks."""
    return nn.LeakyReLU(negative_slope, inplace=True)


def pixelshuffle_upsampler(
    in_channels: int, out_channels: int, scale: int, kernel_size: int = 3, bias: bool = True
) -> nn.Sequential:
    """One conv to ``out_channels · scale²`` maps, then PixelShuffle (keys ``0.weight``/``0.bias``).

    This single-step upsampler (ESPCN style) is the tail of IMDN, RFDN, RLFN, FMEN, SMFANet,
    SAFMN, SPAN and BSRN.
    """
    pad = (kernel_size - 1) // 2
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels * scale * scale, kernel_size, padding=pad, bias=bias),
        nn.PixelShuffle(scale),
    )


def channel_std(x: torch.Tensor) -> torch.Tensor:
    """Per-channel standard deviation over H×W (population, as the IMDN reference), NC11."""
    mean = x.mean(dim=(2, 3), keepdim=True)
    return (x - mean).pow(2).mean(dim=(2, 3), keepdim=True).sqrt()


class CCALayer(nn.Module):
    """Contrast-aware channel attention (IMDN): gate from (std + mean) of each channel.

    The statistic goes through a 1×1 squeeze (``channels // reduction``), ReLU, 1×1 excite and a
    sigmoid, stored as ``conv_du.0`` / ``conv_du.2`` as in the reference.
    """

    def __init__(self, channels: int, reduction: int = 16) -> None:
        super().__init__()
        self.conv_du = nn.Sequential(
            nn.Conv2d(channels, channels // reduction, 1),
            nn.ReLU(inplace=True),
            nn.Conv2d(channels // reduction, channels, 1),
            nn.Sigmoid(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        stat = channel_std(x) + x.mean(dim=(2, 3), keepdim=True)
        return x * self.conv_du(stat)


# Smallest H or W the ESA pooling path accepts: stride-2 3×3 conv, then a 7×7 window.
ESA_MIN_SIZE = 15


class ESA(nn.Module):
    """Enhanced spatial attention (RFANet), in the RFDN form or RLFN's lighter form.

    1×1 reduce to ``esa_channels`` → strided 3×3 (no padding) → 7×7/3 max-pool → a small conv
    group → bilinear resize back → add a 1×1 skip of the reduced map → 1×1 expand → sigmoid gate.
    The conv group is ``conv_max``, ReLU, ``conv3``, ReLU, ``conv3_`` in RFDN (``light=False``)
    and a single ``conv3`` in RLFN (``light=True``), whose authors dropped the other two.
    """

    def __init__(self, channels: int, esa_channels: int, light: bool = False) -> None:
        super().__init__()
        f = esa_channels
        self.light = light
        self.conv1 = nn.Conv2d(channels, f, 1)
        self.conv_f = nn.Conv2d(f, f, 1)
        if not light:
            self.conv_max = nn.Conv2d(f, f, 3, padding=1)
        self.conv2 = nn.Conv2d(f, f, 3, stride=2, padding=0)
        self.conv3 = nn.Conv2d(f, f, 3, padding=1)
        if not light:
            self.conv3_ = nn.Conv2d(f, f, 3, padding=1)
        self.conv4 = nn.Conv2d(f, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if min(x.shape[2:]) < ESA_MIN_SIZE:
            raise ValueError(
                f"ESA needs feature maps of at least {ESA_MIN_SIZE}×{ESA_MIN_SIZE} (its strided "
                f"conv and 7×7 max-pool), got {tuple(x.shape[2:])}; use a larger LR input or tile"
            )
        reduced = self.conv1(x)
        pooled = F.max_pool2d(self.conv2(reduced), kernel_size=7, stride=3)
        if self.light:
            y = self.conv3(pooled)
        else:
            y = F.relu(self.conv_max(pooled))
            y = self.conv3_(F.relu(self.conv3(y)))
        y = F.interpolate(y, size=x.shape[2:], mode="bilinear", align_corners=False)
        return x * torch.sigmoid(self.conv4(y + self.conv_f(reduced)))


class LayerNorm2d(nn.Module):
    """LayerNorm over the channel axis of an NCHW tensor (ConvNeXt "channels_first" form).

    Parameters are ``weight`` and ``bias`` of shape ``(C,)``; biased variance with ``eps`` inside
    the square root, as in the EIMN and SAFMN references.
    """

    def __init__(self, channels: int, eps: float = 1e-6) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.layer_norm(x.permute(0, 2, 3, 1), (x.shape[1],), self.weight, self.bias, self.eps)
        return y.permute(0, 3, 1, 2)


def run_padded_to_min_size(
    body: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, min_size: int, scale: int
) -> torch.Tensor:
    """Run ``body`` on ``x``, replicate-padding H/W up to ``min_size`` first if needed.

    Several families pool the feature map by a fixed factor (``h // 8`` …) and fail on tiny
    inputs. Inputs at least ``min_size`` on both sides run untouched; smaller ones are padded at
    the bottom/right and the output cropped back, so the result is always ``scale·H × scale·W``.
    """
    h, w = x.shape[-2:]
    pad_h, pad_w = max(0, min_size - h), max(0, min_size - w)
    if pad_h == 0 and pad_w == 0:
        return body(x)
    out = body(F.pad(x, (0, pad_w, 0, pad_h), mode="replicate"))
    return out[..., : h * scale, : w * scale]
