"""ITU-R BT.601 RGB → YCbCr (studio range) exactly as MATLAB's ``rgb2ycbcr``.

SR papers score on the luma channel of MATLAB's conversion, so the suite reproduces it to the
last bit that matters. Two flavours exist in published evaluation code:

* **float** (RCAN, BasicSR, EIMN): ``rgb2ycbcr(im2double(img)) * 255`` — Y kept in double, in
  [16, 235] but not integer.
* **rounded** (IMDN and other codes that call ``rgb2ycbcr`` on ``uint8``): MATLAB evaluates the
  same affine map in double and rounds to ``uint8`` (half away from zero).

MATLAB builds its coefficients as ``(1/255) * T`` and ``imlincomb`` sums the terms in double,
then adds the offset; we follow that order. It matters only for the rounded flavour: 194 of the
2^24 (R, G, B) triples have an exact luma on a .5 tie, and double arithmetic decides which way
they round (149 round down in this order). No MATLAB uint8 golden exists here to confirm it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

#: BT.601 studio-range matrix for RGB in [0, 1] → YCbCr in [0, 255] (rows: Y, Cb, Cr).
YCBCR_MATRIX: tuple[tuple[float, float, float], ...] = (
    (65.481, 128.553, 24.966),
    (-37.797, -74.203, 112.0),
    (112.0, -93.786, -18.214),
)
#: Offsets added to (Y, Cb, Cr) on the 0–255 scale.
YCBCR_OFFSET: tuple[float, float, float] = (16.0, 128.0, 128.0)


def _check_rgb(img: NDArray) -> None:
    """Raise ``ValueError`` unless ``img`` is an H×W×3 array."""
    if img.ndim != 3 or img.shape[2] != 3:
        raise ValueError(f"expected an RGB image of shape (H, W, 3), got shape {img.shape}")


def _affine_row(
    img: NDArray, row: tuple[float, float, float], offset: float, scale: float
) -> NDArray[np.float64]:
    """``(scale*a)*R + (scale*b)*G + (scale*c)*B + offset`` in float64, in MATLAB's order."""
    r, g, b = (np.asarray(img[..., k], dtype=np.float64) for k in range(3))
    ka, kb, kc = (scale * coef for coef in row)
    return ka * r + kb * g + kc * b + offset


def _round_half_away(values: NDArray[np.float64]) -> NDArray[np.uint8]:
    """MATLAB's double → uint8 cast: round half away from zero, saturate to [0, 255]."""
    rounded = np.sign(values) * np.floor(np.abs(values) + 0.5)
    return np.clip(rounded, 0, 255).astype(np.uint8)


def _channel(img: NDArray, index: int, rounding: bool) -> NDArray:
    """One YCbCr channel of an RGB image given on the 0–255 scale (any dtype)."""
    row, offset = YCBCR_MATRIX[index], YCBCR_OFFSET[index]
    if rounding:
        # MATLAB, uint8 input: T/255 applied to 0..255 values, offset on the 0..255 scale.
        return _round_half_away(_affine_row(img, row, offset, 1.0 / 255.0))
    # MATLAB, double input in [0, 1]: T/255 and offset/255, then the caller's ×255.
    unit = np.asarray(img, dtype=np.float64) / 255.0
    return _affine_row(unit, row, offset / 255.0, 1.0 / 255.0) * 255.0


def rgb_to_y(img: NDArray, rounding: bool = False) -> NDArray:
    """BT.601 luma of an H×W×3 RGB image on the 0–255 scale, as MATLAB ``rgb2ycbcr`` gives it.

    ``rounding=False``: float64 Y in [16, 235] (``rgb2ycbcr(im2double(img)) * 255``).
    ``rounding=True``: uint8 Y (``rgb2ycbcr(uint8_img)``). Float input is read on the 0–255
    scale; the rounded flavour is meant for uint8 input, where it is bit-exact.
    """
    img = np.asarray(img)
    _check_rgb(img)
    return _channel(img, 0, rounding)
