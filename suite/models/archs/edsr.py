"""EDSR (Lim et al., CVPRW 2017), in the "baseline" size: 16 residual blocks of 64 channels.

A 3×3 head conv, ``n_resblocks`` blocks of conv–ReLU–conv (no BatchNorm, residual scale 1 for
the baseline), a closing 3×3 conv joined to the head by a global skip, and a tail of pixel-shuffle
steps (one ×3 step, or log2(scale) ×2 steps) plus a 3×3 conv to RGB.

The authors' models work on RGB in [0, 255] (``rgb_range`` 255): a frozen 1×1 "MeanShift" conv
subtracts the DIV2K mean times 255 first and another adds it back last. Both are kept as frozen
``nn.Conv2d`` parameters because the official ``.pt`` files store them (``sub_mean.weight`` …);
they are not trainable, so they do not count as parameters. Attribute names follow those files
(``head.0``, ``body.{i}.body.{0,2}``, ``body.16``, ``tail.0.{0,2}``, ``tail.1``).

With ``upsample=False`` the network is the feature encoder of LIIF, LTE and the LMF models: no
tail, and no mean shift applied (those models normalise their input themselves), although the
two MeanShift convs still exist because their checkpoints store them too.
"""

from __future__ import annotations

import torch
from torch import nn

from suite.models.archs.blocks import DIV2K_RGB_MEAN, check_scale, conv, pixelshuffle_upsampler


class MeanShift(nn.Conv2d):
    """Frozen 1×1 conv adding ``sign · rgb_range · mean`` per channel (identity weights)."""

    def __init__(self, rgb_range: float, sign: int = -1) -> None:
        super().__init__(3, 3, kernel_size=1)
        with torch.no_grad():
            self.weight.copy_(torch.eye(3).view(3, 3, 1, 1))
            self.bias.copy_(sign * rgb_range * torch.tensor(DIV2K_RGB_MEAN))
        for p in self.parameters():
            p.requires_grad_(False)


class ResBlock(nn.Module):
    """conv–ReLU–conv scaled by ``res_scale``, plus the input (keys ``body.0``, ``body.2``)."""

    def __init__(self, channels: int, res_scale: float = 1.0) -> None:
        super().__init__()
        self.body = nn.Sequential(
            conv(channels, channels, 3), nn.ReLU(inplace=True), conv(channels, channels, 3)
        )
        self.res_scale = res_scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x).mul(self.res_scale) + x


def edsr_upsampler(channels: int, scale: int) -> nn.Sequential:
    """EDSR's tail upsampler: one ×3 pixel-shuffle step, or log2(scale) ×2 steps (×2, ×4, ×8).

    Each step is the shared conv + PixelShuffle block, flattened into one Sequential so the
    convs sit at indices 0, 2, … as in the official checkpoints.
    """
    if scale == 3:
        steps = [3]
    elif scale >= 2 and scale & (scale - 1) == 0:
        steps = [2] * (scale.bit_length() - 1)
    else:
        raise ValueError(f"EDSR's upsampler supports ×3 and powers of two, got ×{scale}")
    layers: list[nn.Module] = []
    for step in steps:
        layers.extend(pixelshuffle_upsampler(channels, channels, step))
    return nn.Sequential(*layers)


class EDSR(nn.Module):
    """EDSR; ``upsample=False`` gives the LIIF-style encoder returning ``n_feats`` feature maps."""

    def __init__(
        self,
        scale: int = 2,
        n_resblocks: int = 16,
        n_feats: int = 64,
        res_scale: float = 1.0,
        rgb_range: float = 255.0,
        upsample: bool = True,
    ) -> None:
        super().__init__()
        self.upsample = upsample
        self.out_dim = 3 if upsample else n_feats
        self.sub_mean = MeanShift(rgb_range, sign=-1)
        self.add_mean = MeanShift(rgb_range, sign=1)
        self.head = nn.Sequential(conv(3, n_feats, 3))
        self.body = nn.Sequential(
            *(ResBlock(n_feats, res_scale) for _ in range(n_resblocks)), conv(n_feats, n_feats, 3)
        )
        if upsample:
            self.tail = nn.Sequential(edsr_upsampler(n_feats, scale), conv(n_feats, 3, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.upsample:
            feat = self.head(x)
            return self.body(feat) + feat
        feat = self.head(self.sub_mean(x))
        return self.add_mean(self.tail(self.body(feat) + feat))


def edsr(
    scale: int = 2,
    n_resblocks: int = 16,
    n_feats: int = 64,
    res_scale: float = 1.0,
    rgb_range: float = 255.0,
) -> EDSR:
    """EDSR for ×2/×3/×4 (and ×8); the defaults are EDSR-baseline as published (RGB in [0, 255])."""
    s = check_scale("EDSR", scale, (2, 3, 4, 8))
    return EDSR(s, n_resblocks, n_feats, res_scale, rgb_range, upsample=True)
