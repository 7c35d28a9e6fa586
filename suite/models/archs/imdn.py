"""IMDN: Information Multi-distillation Network (Hui et al., ACM MM 2019), and its simplified form.

``imdn`` is the paper's network: a 3×3 head, six information multi-distillation blocks (IMDB),
a 1×1 + LeakyReLU fusion of all block outputs, a 3×3 conv with a long skip from the head, and a
conv + PixelShuffle tail. Each IMDB runs four 3×3 convs; after each of the first three it keeps a
quarter of the channels ("distilled") and passes the rest on; the four distilled slices are
re-weighted by contrast-aware channel attention, fused by a 1×1 conv and added to the input.

``imdn_simple`` is the simplified IMDN of the AIM 2019 constrained-SR winner, as re-implemented
in KAIR and used as the NTIRE 2022 efficient-SR baseline: no CCA and no fusion of block outputs,
just ``nb`` blocks and a 3×3 conv inside one global residual, stored as one ``nn.Sequential``
(``model.0`` head, ``model.1.sub.*`` body, ``model.2`` tail conv) to match that checkpoint.

Both work on RGB in [0, 1] with no mean shift, and keep H×W exactly (output = scale·H × scale·W).
"""

from __future__ import annotations

import torch
from torch import nn

from suite.models.archs.blocks import CCALayer, check_scale, conv, lrelu, pixelshuffle_upsampler


class IMDB(nn.Module):
    """Information multi-distillation block with CCA (keys ``c1``…``c5``, ``cca``)."""

    def __init__(self, channels: int, distillation_rate: float = 0.25) -> None:
        super().__init__()
        self.distilled = int(channels * distillation_rate)
        self.remaining = channels - self.distilled
        self.c1 = conv(channels, channels)
        self.c2 = conv(self.remaining, channels)
        self.c3 = conv(self.remaining, channels)
        self.c4 = conv(self.remaining, self.distilled)
        self.act = lrelu()
        self.c5 = conv(self.distilled * 4, channels, 1)
        self.cca = CCALayer(self.distilled * 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        split = (self.distilled, self.remaining)
        d1, r1 = self.act(self.c1(x)).split(split, dim=1)
        d2, r2 = self.act(self.c2(r1)).split(split, dim=1)
        d3, r3 = self.act(self.c3(r2)).split(split, dim=1)
        d4 = self.c4(r3)
        return self.c5(self.cca(torch.cat([d1, d2, d3, d4], dim=1))) + x


class IMDN(nn.Module):
    """The ACM MM 2019 network (``fea_conv``, ``IMDB1``…, ``c.0``, ``LR_conv``, ``upsampler``)."""

    def __init__(
        self, scale: int, channels: int = 64, num_blocks: int = 6, in_ch: int = 3, out_ch: int = 3
    ) -> None:
        super().__init__()
        self.scale = scale
        self.num_blocks = num_blocks
        self.fea_conv = conv(in_ch, channels)
        for i in range(1, num_blocks + 1):
            setattr(self, f"IMDB{i}", IMDB(channels))
        self.c = nn.Sequential(conv(channels * num_blocks, channels, 1), lrelu())
        self.LR_conv = conv(channels, channels)
        self.upsampler = pixelshuffle_upsampler(channels, out_ch, scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        head = self.fea_conv(x)
        outs = []
        y = head
        for i in range(1, self.num_blocks + 1):
            y = getattr(self, f"IMDB{i}")(y)
            outs.append(y)
        fused = self.c(torch.cat(outs, dim=1))
        return self.upsampler(self.LR_conv(fused) + head)


class SimpleIMDB(nn.Module):
    """IMDB without CCA (KAIR ``IMDBlock``): distil, 1×1 fuse, add the input."""

    def __init__(self, channels: int, distillation_rate: float = 0.25) -> None:
        super().__init__()
        self.distilled = int(channels * distillation_rate)
        self.remaining = channels - self.distilled
        self.conv1 = nn.Sequential(conv(channels, channels), lrelu())
        self.conv2 = nn.Sequential(conv(self.remaining, channels), lrelu())
        self.conv3 = nn.Sequential(conv(self.remaining, channels), lrelu())
        self.conv4 = conv(self.remaining, self.distilled)
        self.conv1x1 = conv(self.distilled * 4, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        split = (self.distilled, self.remaining)
        d1, r1 = self.conv1(x).split(split, dim=1)
        d2, r2 = self.conv2(r1).split(split, dim=1)
        d3, r3 = self.conv3(r2).split(split, dim=1)
        return x + self.conv1x1(torch.cat([d1, d2, d3, self.conv4(r3)], dim=1))


class Shortcut(nn.Module):
    """``x + sub(x)``; the submodule is stored as ``sub`` like KAIR's ``ShortcutBlock``."""

    def __init__(self, sub: nn.Module) -> None:
        super().__init__()
        self.sub = sub

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.sub(x)


class SimpleIMDN(nn.Module):
    """Simplified IMDN as one ``Sequential``: head, residual body, conv + PixelShuffle tail."""

    def __init__(
        self, scale: int, channels: int = 64, num_blocks: int = 8, in_ch: int = 3, out_ch: int = 3
    ) -> None:
        super().__init__()
        self.scale = scale
        body = [SimpleIMDB(channels) for _ in range(num_blocks)]
        self.model = nn.Sequential(
            conv(in_ch, channels),
            Shortcut(nn.Sequential(*body, conv(channels, channels))),
            *pixelshuffle_upsampler(channels, out_ch, scale),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)


def imdn(scale: int = 4, channels: int = 64, num_blocks: int = 6) -> IMDN:
    """IMDN (ACM MM 2019); the published models use 64 channels and 6 blocks."""
    return IMDN(check_scale("IMDN", scale), channels, num_blocks)


def imdn_simple(scale: int = 4, channels: int = 64, num_blocks: int = 8) -> SimpleIMDN:
    """Simplified IMDN (AIM 2019 winner, NTIRE 2022 baseline: 64 channels, 8 blocks)."""
    return SimpleIMDN(check_scale("IMDN (simplified)", scale), channels, num_blocks)
