"""Test images: smooth synthetic patterns, image files as arrays or tensors, PSNR of tensors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from numpy.typing import NDArray
from PIL import Image

# The five images of Set5, by file stem.
SET5 = ("baby", "bird", "butterfly", "head", "woman")


def smooth_pattern(height: int, width: int, channels: int = 3) -> NDArray[np.uint8]:
    """A smooth uint8 test pattern that stays inside [0, 255] after resizing (no clipping)."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
    planes = [
        128 + 70 * np.sin(xx / (5 + c) + c) * np.cos(yy / (7 + c)) + 0.2 * (xx - yy)
        for c in range(channels)
    ]
    return np.clip(np.round(np.stack(planes, axis=-1)), 0, 255).astype(np.uint8)


def noisy_gradient(seed: int, shape: tuple[int, int] = (48, 64)) -> NDArray[np.uint8]:
    """A small natural-looking uint8 RGB image: smooth gradients plus mild noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]]
    base = np.stack([xx * 3.0, yy * 4.0, (xx + yy) * 2.0], axis=-1) + 20.0
    return np.clip(base + rng.normal(0.0, 6.0, (*shape, 3)), 0, 255).round().astype(np.uint8)


def read_image(path: Path) -> np.ndarray:
    """An image file as stored (grey stays H×W)."""
    return np.asarray(Image.open(path))


def read_rgb(path: Path) -> NDArray[np.uint8]:
    """An image file as an H×W×3 uint8 array."""
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


def rgb_tensor(path: Path) -> torch.Tensor:
    """An image file as a 1×3×H×W float tensor in [0, 1]."""
    rgb = read_rgb(path).astype(np.float32) / 255
    return torch.from_numpy(rgb).permute(2, 0, 1)[None]


def center_crop(image: torch.Tensor, size: int) -> torch.Tensor:
    """The central ``size``×``size`` window of an N×C×H×W tensor."""
    top, left = (image.shape[2] - size) // 2, (image.shape[3] - size) // 2
    return image[..., top : top + size, left : left + size]


def psnr_db(a: torch.Tensor, b: torch.Tensor, shave: int = 0) -> float:
    """PSNR (peak 1) of two tensors, ``shave`` pixels cut from each border first."""
    diff = a - b
    if shave:
        diff = diff[..., shave:-shave, shave:-shave]
    return float(-10 * torch.log10(diff.pow(2).mean()))
