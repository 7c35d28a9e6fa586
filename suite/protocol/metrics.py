"""PSNR and SSIM as the SR literature computes them (MATLAB-compatible).

Both metrics take an SR output and its HR ground truth on the 0–255 scale (uint8, or float on the
same scale), shave ``crop_border`` pixels from every border, and score one of:

* ``"y_float"`` — luma of MATLAB ``rgb2ycbcr`` on double RGB, kept in double (RCAN, BasicSR);
* ``"y_uint8"`` — luma of MATLAB ``rgb2ycbcr`` on uint8 RGB, rounded to integers (IMDN);
* ``"rgb"`` — the three RGB channels.

2-D (single-channel) inputs are scored as they are, whatever ``channel`` says: MATLAB evaluation
scripts skip the colour conversion for grey images (e.g. Set14 ``bridge``).

PSNR uses peak 255 and, for RGB, the MSE pooled over all channels. SSIM is Wang et al. (2004):
11×11 Gaussian window with σ = 1.5 (separable), K1 = 0.01, K2 = 0.03, L = 255, statistics over
the 'valid' region only, no downsampling, mean of the map; for RGB, the mean over channels.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import correlate1d

from suite.protocol.color import rgb_to_y
from suite.protocol.profiles import CHANNELS, Channel

PEAK = 255.0
SSIM_WINDOW = 11
SSIM_SIGMA = 1.5
SSIM_K1 = 0.01
SSIM_K2 = 0.03

Plane = NDArray[np.float64]


# --- input handling ---------------------------------------------------------------------------


def _check_pair(sr: NDArray, hr: NDArray, channel: str, crop_border: int) -> None:
    """Raise ``ValueError`` for mismatched shapes, bad dimensions, options or crop sizes."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; expected one of {CHANNELS}")
    if sr.shape != hr.shape:
        raise ValueError(f"shape mismatch: sr {sr.shape} vs hr {hr.shape}")
    if not (sr.ndim == 2 or (sr.ndim == 3 and sr.shape[2] == 3)):
        raise ValueError(f"expected (H, W) or (H, W, 3) images, got shape {sr.shape}")
    if crop_border < 0:
        raise ValueError(f"crop_border must be >= 0, got {crop_border}")
    if min(sr.shape[:2]) <= 2 * crop_border:
        raise ValueError(f"crop_border {crop_border} leaves nothing of shape {sr.shape}")


def _planes(img: NDArray, channel: str) -> list[Plane]:
    """The 2-D float64 planes to score: the image itself if 2-D, else Y or the RGB channels."""
    if img.ndim == 2:
        return [np.asarray(img, dtype=np.float64)]
    if channel == "rgb":
        return [np.asarray(img[..., k], dtype=np.float64) for k in range(3)]
    return [np.asarray(rgb_to_y(img, rounding=channel == "y_uint8"), dtype=np.float64)]


def shave(plane: NDArray, border: int) -> NDArray:
    """Drop ``border`` pixels from each side of the first two axes (no-op for 0)."""
    if border == 0:
        return plane
    return plane[border:-border, border:-border]


def _prepared(
    sr: NDArray, hr: NDArray, crop_border: int, channel: str
) -> list[tuple[Plane, Plane]]:
    """Validate, convert and shave: pairs of (sr, hr) planes ready for a metric."""
    sr, hr = np.asarray(sr), np.asarray(hr)
    _check_pair(sr, hr, channel, crop_border)
    pairs = zip(_planes(sr, channel), _planes(hr, channel), strict=True)
    return [(shave(a, crop_border), shave(b, crop_border)) for a, b in pairs]


# --- PSNR -------------------------------------------------------------------------------------


def mse(a: Plane, b: Plane) -> float:
    """Mean squared error of two equally shaped float arrays."""
    diff = a - b
    return float(np.mean(diff * diff))


def psnr_from_mse(err: float, peak: float = PEAK) -> float:
    """``10·log10(peak² / mse)`` in dB; ``inf`` for a zero error."""
    if err == 0.0:
        return math.inf
    return 10.0 * math.log10(peak * peak / err)


def psnr(sr: NDArray, hr: NDArray, crop_border: int, channel: Channel = "y_float") -> float:
    """PSNR (dB, peak 255) of ``sr`` against ``hr`` after shaving ``crop_border`` pixels."""
    pairs = _prepared(sr, hr, crop_border, channel)
    pooled = float(np.mean([mse(a, b) for a, b in pairs]))  # equal sizes: mean of means
    return psnr_from_mse(pooled)


# --- SSIM -------------------------------------------------------------------------------------


def gaussian_kernel_1d(size: int = SSIM_WINDOW, sigma: float = SSIM_SIGMA) -> Plane:
    """Normalised 1-D Gaussian; its outer product is MATLAB ``fspecial('gaussian', size, σ)``."""
    x = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    g = np.exp(-(x * x) / (2.0 * sigma * sigma))
    return g / g.sum()


def filter_valid(plane: Plane, kernel: Plane) -> Plane:
    """Separable 2-D correlation of a plane, keeping only the 'valid' region.

    Equals MATLAB ``filter2(outer(k, k), x, 'valid')`` up to summation order. Rows are filtered
    first (contiguous memory, about 1.5× faster than columns first on a 1024×768 plane).
    """
    half = len(kernel) // 2
    out = correlate1d(plane, kernel, axis=1, mode="constant")[:, half:-half]
    return correlate1d(out, kernel, axis=0, mode="constant")[half:-half]


def ssim_map(a: Plane, b: Plane, peak: float = PEAK) -> Plane:
    """Wang et al.'s SSIM map of two 2-D planes (valid region, size shrinks by window − 1)."""
    if min(a.shape) < SSIM_WINDOW:
        raise ValueError(
            f"SSIM needs planes of at least {SSIM_WINDOW}×{SSIM_WINDOW}, not {a.shape}"
        )
    c1 = (SSIM_K1 * peak) ** 2
    c2 = (SSIM_K2 * peak) ** 2
    kernel = gaussian_kernel_1d()
    mu_a, mu_b = filter_valid(a, kernel), filter_valid(b, kernel)
    mu_aa, mu_bb, mu_ab = mu_a * mu_a, mu_b * mu_b, mu_a * mu_b
    var_a = filter_valid(a * a, kernel) - mu_aa
    var_b = filter_valid(b * b, kernel) - mu_bb
    cov = filter_valid(a * b, kernel) - mu_ab
    num = (2.0 * mu_ab + c1) * (2.0 * cov + c2)
    den = (mu_aa + mu_bb + c1) * (var_a + var_b + c2)
    return num / den


def ssim(sr: NDArray, hr: NDArray, crop_border: int, channel: Channel = "y_float") -> float:
    """Mean SSIM of ``sr`` against ``hr`` after shaving; for RGB, the mean over channels."""
    pairs = _prepared(sr, hr, crop_border, channel)
    return float(np.mean([ssim_map(a, b).mean() for a, b in pairs]))
