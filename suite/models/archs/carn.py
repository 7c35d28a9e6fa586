"""CARN-M: the mobile Cascading Residual Network (Ahn et al., ECCV 2018).

Cascading at two levels: the network chains three cascading blocks, each followed by a 1×1
conv over the concatenation of everything so far; inside a block the same efficient residual
block (grouped 3×3, ReLU, grouped 3×3, ReLU, 1×1, add, ReLU) is applied three times (its weights
are shared: CARN-M's recursive variant) with the same 1×1 cascade. The published checkpoint is
one multi-scale model with ×2/×3/×4 upsampling branches (grouped conv + ReLU + PixelShuffle,
twice for ×4) over a shared body; ``scale`` picks the branch, and all branches are kept so the
file loads strictly.

Input is RGB in [0, 1]; the network subtracts the DIV2K mean (0.4488, 0.4371, 0.4040) at the
entry and adds it back at the exit, via frozen 1×1 convs that the checkpoint stores as
``sub_mean.shifter`` / ``add_mean.shifter``. Here they are buffers, so they do not count as
trainable parameters.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from suite.models.archs.blocks import DIV2K_RGB_MEAN, check_scale, conv

SCALES = (2, 3, 4)


class _Shifter(nn.Module):
    """The frozen 1×1 conv (identity weight, ±mean bias), as buffers ``weight`` and ``bias``."""

    def __init__(self, bias: tuple[float, float, float]) -> None:
        super().__init__()
        self.register_buffer("weight", torch.eye(3).view(3, 3, 1, 1))
        self.register_buffer("bias", torch.tensor(bias))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight, self.bias)


class MeanShift(nn.Module):
    """Subtract (``sign=-1``) or add (``+1``) the RGB mean (key ``shifter``)."""

    def __init__(self, mean: tuple[float, float, float], sign: int) -> None:
        super().__init__()
        r, g, b = (sign * m for m in mean)
        self.shifter = _Shifter((r, g, b))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.shifter(x)


def _cascade(
    x: torch.Tensor, blocks: tuple[nn.Module, ...], fuses: tuple[nn.Module, ...]
) -> torch.Tensor:
    """CARN's cascade: after each block, a 1×1 conv over the concatenation of all so far."""
    stacked, out = x, x
    for block, fuse in zip(blocks, fuses, strict=True):
        stacked = torch.cat([stacked, block(out)], dim=1)
        out = fuse(stacked)
    return out


class ConvReLU(nn.Module):
    """conv + ReLU stored as ``body.0`` (the reference's ``BasicBlock``)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 1) -> None:
        super().__init__()
        self.body = nn.Sequential(conv(in_channels, out_channels, kernel_size), nn.ReLU(True))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


class EResidualBlock(nn.Module):
    """Efficient residual block: grouped 3×3, ReLU, grouped 3×3, ReLU, 1×1; add; ReLU."""

    def __init__(self, channels: int, groups: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            conv(channels, channels, 3, groups=groups),
            nn.ReLU(True),
            conv(channels, channels, 3, groups=groups),
            nn.ReLU(True),
            conv(channels, channels, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.body(x) + x)


class CascadingBlock(nn.Module):
    """One shared efficient residual block applied three times, with 1×1 cascade fusions."""

    def __init__(self, channels: int, groups: int) -> None:
        super().__init__()
        self.b1 = EResidualBlock(channels, groups)
        self.c1 = ConvReLU(channels * 2, channels)
        self.c2 = ConvReLU(channels * 3, channels)
        self.c3 = ConvReLU(channels * 4, channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _cascade(x, (self.b1, self.b1, self.b1), (self.c1, self.c2, self.c3))


class UpsampleBranch(nn.Module):
    """Grouped conv to ``r²·C`` maps + ReLU + PixelShuffle(r); ×4 is two ×2 steps (key ``body``)."""

    def __init__(self, channels: int, scale: int, groups: int) -> None:
        super().__init__()
        steps = [2, 2] if scale == 4 else [scale]
        layers: list[nn.Module] = []
        for r in steps:
            layers += [
                conv(channels, channels * r * r, 3, groups=groups),
                nn.ReLU(True),
                nn.PixelShuffle(r),
            ]
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


class MultiScaleUpsample(nn.Module):
    """The ×2, ×3 and ×4 branches (keys ``up2``, ``up3``, ``up4``)."""

    def __init__(self, channels: int, groups: int) -> None:
        super().__init__()
        for s in SCALES:
            setattr(self, f"up{s}", UpsampleBranch(channels, s, groups))

    def forward(self, x: torch.Tensor, scale: int) -> torch.Tensor:
        return getattr(self, f"up{scale}")(x)


class CARNM(nn.Module):
    """The multi-scale CARN-M; ``scale`` selects which upsampling branch ``forward`` uses."""

    def __init__(self, scale: int, channels: int = 64, groups: int = 4) -> None:
        super().__init__()
        self.scale = scale
        self.sub_mean = MeanShift(DIV2K_RGB_MEAN, -1)
        self.add_mean = MeanShift(DIV2K_RGB_MEAN, +1)
        self.entry = conv(3, channels)
        self.b1 = CascadingBlock(channels, groups)
        self.b2 = CascadingBlock(channels, groups)
        self.b3 = CascadingBlock(channels, groups)
        self.c1 = ConvReLU(channels * 2, channels)
        self.c2 = ConvReLU(channels * 3, channels)
        self.c3 = ConvReLU(channels * 4, channels)
        self.upsample = MultiScaleUpsample(channels, groups)
        self.exit = conv(channels, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.entry(self.sub_mean(x))
        y = _cascade(y, (self.b1, self.b2, self.b3), (self.c1, self.c2, self.c3))
        return self.add_mean(self.exit(self.upsample(y, self.scale)))


def carn_m(scale: int = 4, channels: int = 64, groups: int = 4) -> CARNM:
    """CARN-M (64 channels, group 4) running its ×``scale`` branch; scale ∈ {2, 3, 4}."""
    return CARNM(check_scale("CARN-M", scale, SCALES), channels, groups)
