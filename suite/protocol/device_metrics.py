"""Scoring where the SR image is: rounding, BT.601 Y, PSNR and SSIM on torch tensors.

The same arithmetic as the numpy reference (:func:`suite.protocol.pixels.quantise`,
:func:`suite.protocol.color.rgb_to_y`, :func:`suite.protocol.metrics.psnr` and ``ssim``), run
on the device the network ran on, so a GPU evaluation copies two numbers back per image instead
of the image, and its scoring overlaps the next forward pass. The numpy path stays the reference
and the CPU default.

- Rounding is float32, half to even, and Y is float64 in MATLAB's order of operations: both are
  bit-identical to the reference (element-wise IEEE arithmetic, one operation at a time).
- SSIM's Gaussian filter sums in SciPy's order, so the SSIM map is bit-identical too; PSNR and
  SSIM then differ from the reference only in how a mean is summed (measured on every image of
  Set5 and Set14: ≤8e-15 dB and ≤3e-16; the tests allow 1e-9).

Images are H×W×3 (or H×W) on the 0–255 scale, as in the reference; the network's 1×3×H×W
output becomes one with a permuted view. Metrics return 0-dim float64 tensors on the image's
device, so nothing waits for the device until a value is read (``.item()``).
"""

from __future__ import annotations

import torch

from suite.protocol.color import YCBCR_MATRIX, YCBCR_OFFSET
from suite.protocol.metrics import (
    PEAK,
    SSIM_K1,
    SSIM_K2,
    SSIM_WINDOW,
    _check_pair,
    gaussian_kernel_1d,
    shave,
)
from suite.protocol.profiles import Channel

__all__ = ["psnr_tensor", "quantise_tensor", "score_tensors", "ssim_tensor", "y_tensor"]


def quantise_tensor(sr: torch.Tensor, round_to_uint8: bool = True) -> torch.Tensor:
    """Map [0, 1] output to the 0–255 scale: rounded uint8 (a saved PNG) or float64, exactly as
    :func:`suite.protocol.pixels.quantise` does (float32 product, round half to even)."""
    if round_to_uint8:
        scaled = sr.to(torch.float32) * 255.0  # a Python scalar keeps the product in float32
        return torch.round(scaled).clamp(0, 255).to(torch.uint8)
    return sr.to(torch.float64) * 255.0


def y_tensor(img: torch.Tensor, rounding: bool = False) -> torch.Tensor:
    """BT.601 luma of an H×W×3 image on the 0–255 scale, as :func:`~suite.protocol.color.
    rgb_to_y`: float64 Y in [16, 235], or uint8 Y (MATLAB ``rgb2ycbcr`` on uint8) when
    ``rounding``. The affine map is summed term by term, as MATLAB's ``imlincomb`` does."""
    if img.ndim != 3 or img.shape[2] != 3:
        raise ValueError(f"expected an RGB image of shape (H, W, 3), got shape {tuple(img.shape)}")
    values = img.to(torch.float64)
    offset = YCBCR_OFFSET[0]
    if not rounding:  # double input in [0, 1]: T/255 and offset/255, then ×255
        values = values / 255.0
        offset = offset / 255.0
    ka, kb, kc = ((1.0 / 255.0) * coef for coef in YCBCR_MATRIX[0])  # MATLAB's (1/255) * T
    y = ka * values[..., 0] + kb * values[..., 1]
    y = y + kc * values[..., 2]
    y = y + offset
    if not rounding:
        return y * 255.0
    rounded = torch.sign(y) * torch.floor(torch.abs(y) + 0.5)  # MATLAB: half away from zero
    return rounded.clamp(0, 255).to(torch.uint8)


def _planes(img: torch.Tensor, channel: str) -> list[torch.Tensor]:
    """The float64 planes to score: the image if 2-D, else Y or the three RGB channels."""
    if img.ndim == 2:
        return [img.to(torch.float64)]
    if channel == "rgb":
        return [img[..., k].to(torch.float64) for k in range(3)]
    return [y_tensor(img, rounding=channel == "y_uint8").to(torch.float64)]


def _prepared(
    sr: torch.Tensor, hr: torch.Tensor, crop_border: int, channel: str
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Validate (as the reference does), convert and shave: pairs of (sr, hr) planes."""
    _check_pair(sr, hr, channel, crop_border)
    pairs = zip(_planes(sr, channel), _planes(hr.to(sr.device), channel), strict=True)
    return [(shave(a, crop_border), shave(b, crop_border)) for a, b in pairs]


def psnr_tensor(
    sr: torch.Tensor, hr: torch.Tensor, crop_border: int, channel: Channel = "y_float"
) -> torch.Tensor:
    """PSNR (dB, peak 255) as :func:`suite.protocol.metrics.psnr`: the MSE pooled over the
    scored planes; ``inf`` for identical images."""
    pairs = _prepared(sr, hr, crop_border, channel)
    pooled = torch.stack([((a - b) * (a - b)).mean() for a, b in pairs]).mean()
    return 10.0 * torch.log10((PEAK * PEAK) / pooled)


def _correlate_valid(planes: torch.Tensor, kernel: tuple[float, ...], dim: int) -> torch.Tensor:
    """1-D correlation along ``dim`` with a symmetric kernel, 'valid' region only, summed in
    the order SciPy's ``correlate1d`` uses for symmetric kernels (the centre tap, then each pair
    of mirrored samples from the outermost in), so the result is SciPy's to the last bit."""
    half = len(kernel) // 2
    size = planes.shape[dim] - 2 * half
    out = planes.narrow(dim, half, size) * kernel[half]
    for j in range(half, 0, -1):
        pair = planes.narrow(dim, half - j, size) + planes.narrow(dim, half + j, size)
        out = out + pair * kernel[half - j]
    return out


def _filter_valid(planes: torch.Tensor) -> torch.Tensor:
    """Separable Gaussian filter of …×H×W planes, 'valid' region, rows first (as
    :func:`suite.protocol.metrics.filter_valid`)."""
    kernel = tuple(float(k) for k in gaussian_kernel_1d())
    return _correlate_valid(_correlate_valid(planes, kernel, -1), kernel, -2)


def _ssim_mean(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Mean of Wang et al.'s SSIM map of two planes (as :func:`~suite.protocol.metrics.
    ssim_map`), the five filterings done as one batch."""
    if min(a.shape) < SSIM_WINDOW:
        raise ValueError(
            f"SSIM needs planes of at least {SSIM_WINDOW}×{SSIM_WINDOW}, not {tuple(a.shape)}"
        )
    c1, c2 = (SSIM_K1 * PEAK) ** 2, (SSIM_K2 * PEAK) ** 2
    mu_a, mu_b, aa, bb, ab = _filter_valid(torch.stack([a, b, a * a, b * b, a * b]))
    mu_aa, mu_bb, mu_ab = mu_a * mu_a, mu_b * mu_b, mu_a * mu_b
    num = (2.0 * mu_ab + c1) * (2.0 * (ab - mu_ab) + c2)
    den = (mu_aa + mu_bb + c1) * ((aa - mu_aa) + (bb - mu_bb) + c2)
    return (num / den).mean()


def ssim_tensor(
    sr: torch.Tensor, hr: torch.Tensor, crop_border: int, channel: Channel = "y_float"
) -> torch.Tensor:
    """Mean SSIM as :func:`suite.protocol.metrics.ssim`; for RGB, the mean over channels."""
    pairs = _prepared(sr, hr, crop_border, channel)
    return torch.stack([_ssim_mean(a, b) for a, b in pairs]).mean()


def score_tensors(
    sr: torch.Tensor, hr: torch.Tensor, crop_border: int, channel: Channel = "y_float"
) -> torch.Tensor:
    """PSNR and SSIM of one image as a 2-element float64 tensor on the device (one copy reads
    both)."""
    return torch.stack(
        [psnr_tensor(sr, hr, crop_border, channel), ssim_tensor(sr, hr, crop_border, channel)]
    )
