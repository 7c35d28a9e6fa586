"""Pieces shared by the SMFANet, SAFMN, SPAN and BSRN families.

Kept in one place so the families agree on the upsampler layout (a 3×3 conv to ``3·s²`` maps, then
PixelShuffle, stored as ``<name>.0``), on channels-first LayerNorm and on how inputs too small
for a family's pooling path are handled.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

# Mean RGB of DIV2K, the shift used by EDSR-derived networks (SPAN among them).
DIV2K_RGB_MEAN = (0.4488, 0.4371, 0.4040)


def pixelshuffle_head(
    in_channels: int, scale: int, out_channels: int = 3, bias: bool = True
) -> nn.Sequential:
    """3×3 conv to ``out_channels · scale²`` maps, then PixelShuffle (stored as ``0.*``)."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels * scale * scale, 3, padding=1, bias=bias),
        nn.PixelShuffle(scale),
    )


class LayerNorm2d(nn.Module):
    """LayerNorm over the channel axis of an NCHW tensor (ConvNeXt "channels_first" form).

    Parameters are ``weight`` and ``bias`` of shape ``(C,)``; variance is the biased one and
    ``eps`` sits inside the square root, as in the SAFMN reference.
    """

    def __init__(self, channels: int, eps: float = 1e-6) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(1, keepdim=True)
        var = (x - mean).pow(2).mean(1, keepdim=True)
        x = (x - mean) / torch.sqrt(var + self.eps)
        return self.weight[:, None, None] * x + self.bias[:, None, None]


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
