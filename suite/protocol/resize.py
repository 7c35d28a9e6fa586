"""Bicubic degradation compatible with MATLAB ``imresize(img, scale, 'bicubic')``.

Super-resolution benchmarks make their LR inputs with MATLAB, so the suite needs a resize that
reproduces it bit for bit on uint8 images (``mode="matlab"``) and, for comparison with Python
pipelines such as BasicSR, the same filter evaluated in float64 with one final rounding
(``mode="float"``).

The filter is the cubic convolution kernel with a = -0.5. When downscaling it is stretched by
1/scale (antialiasing); the image is resized one axis at a time, smallest scale first, height
first on ties. Samples beyond the border are taken by symmetric mirroring, and taps whose
weights are zero for every output sample are dropped, as MATLAB does.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from suite.protocol.profiles import LR_MODES, LrMode

_KERNEL_WIDTH = 4.0


def modcrop(image: np.ndarray, multiple: int) -> np.ndarray:
    """Crop the bottom rows and right columns so height and width are multiples of ``multiple``.

    Benchmarks crop HR images this way before degrading them, so LR × scale == HR exactly.
    """
    _check_image(image)
    if isinstance(multiple, bool) or not isinstance(multiple, (int, np.integer)) or multiple < 1:
        raise ValueError(f"modcrop multiple must be a positive integer, got {multiple!r}")
    height = image.shape[0] - image.shape[0] % multiple
    width = image.shape[1] - image.shape[1] % multiple
    if height == 0 or width == 0:
        raise ValueError(f"image of shape {image.shape} is smaller than the multiple {multiple}")
    return image[:height, :width, ...]


def cubic(x: np.ndarray) -> np.ndarray:
    """Keys' cubic convolution kernel with a = -0.5 (support [-2, 2]), as MATLAB evaluates it."""
    ax = np.abs(x)
    ax2 = ax**2
    ax3 = ax**3
    inner = (1.5 * ax3 - 2.5 * ax2 + 1.0) * (ax <= 1)
    outer = (-0.5 * ax3 + 2.5 * ax2 - 4.0 * ax + 2.0) * ((ax > 1) & (ax <= 2))
    return inner + outer


@lru_cache(maxsize=64)
def resize_weights(in_len: int, out_len: int, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-output-sample taps of a 1-D resize: ``(weights, indices)``, both ``(out_len, taps)``.

    ``indices`` are 0-based input positions already mirrored into range. Cached because a
    benchmark resizes many images of few distinct sizes; the arrays are read-only.
    """
    antialias = scale < 1
    width = _KERNEL_WIDTH / scale if antialias else _KERNEL_WIDTH
    # Output sample centres mapped into input coordinates (1-based, as in MATLAB).
    out_pos = np.arange(1, out_len + 1, dtype=np.float64)
    centre = out_pos / scale + 0.5 * (1 - 1 / scale)
    left = np.floor(centre - width / 2)
    taps = math.ceil(width) + 2
    indices = left[:, None] + np.arange(taps, dtype=np.float64)[None, :]
    dist = centre[:, None] - indices
    weights = scale * cubic(scale * dist) if antialias else cubic(dist)
    weights = weights / weights.sum(axis=1, keepdims=True)
    indices = _mirror(indices.astype(np.int64) - 1, in_len)
    keep = np.any(weights != 0, axis=0)
    weights = np.ascontiguousarray(weights[:, keep])
    indices = np.ascontiguousarray(indices[:, keep])
    weights.setflags(write=False)
    indices.setflags(write=False)
    return weights, indices


def _mirror(indices: np.ndarray, length: int) -> np.ndarray:
    """Fold 0-based indices into [0, length) by symmetric (edge-repeating) reflection."""
    period = 2 * length
    folded = np.mod(indices, period)
    return np.where(folded < length, folded, period - 1 - folded)


def imresize(
    image: np.ndarray,
    scale: float | None,
    mode: LrMode = "matlab",
    output_shape: tuple[int, int] | None = None,
) -> np.ndarray:
    """Bicubic resize of an H×W or H×W×C image, matching MATLAB's ``imresize``.

    ``scale`` multiplies both sides; the output is ``ceil(size * scale)`` unless ``output_shape``
    (height, width) is given, in which case the per-axis scales are ``output / input`` and
    ``scale`` is ignored (pass ``None``). ``mode="matlab"`` rounds half away from zero and
    saturates after every axis pass when the input is an integer type, as MATLAB does;
    ``mode="float"`` keeps float64 throughout and rounds once at the end. Float inputs are never
    rounded and come back in their own float dtype; integer inputs come back in their dtype.
    """
    _check_image(image)
    if mode not in LR_MODES:
        raise ValueError(f"mode must be one of {LR_MODES}, got {mode!r}")
    scales, out_shape = _plan(image.shape[:2], scale, output_shape)
    is_int = np.issubdtype(image.dtype, np.integer)
    round_each_pass = is_int and mode == "matlab"
    result = image.astype(np.float64)
    for axis in _axis_order(scales):
        weights, indices = resize_weights(image.shape[axis], out_shape[axis], scales[axis])
        result = _resize_axis(result, weights, indices, axis)
        if round_each_pass:
            result = _round_saturate(result, image.dtype).astype(np.float64)
    if is_int:
        return _round_saturate(result, image.dtype)
    return result.astype(image.dtype, copy=False)


def _check_image(image: object) -> None:
    """Reject anything that is not a non-empty real H×W or H×W×C array."""
    if not isinstance(image, np.ndarray):
        raise ValueError(f"image must be a numpy array, got {type(image).__name__}")
    if image.ndim not in (2, 3):
        raise ValueError(f"image must be H×W or H×W×C, got shape {image.shape}")
    if image.size == 0:
        raise ValueError(f"image is empty (shape {image.shape})")
    if not (np.issubdtype(image.dtype, np.integer) or np.issubdtype(image.dtype, np.floating)):
        raise ValueError(f"image dtype must be an integer or float type, got {image.dtype}")


def _plan(
    in_shape: tuple[int, ...], scale: float | None, output_shape: tuple[int, int] | None
) -> tuple[tuple[float, float], tuple[int, int]]:
    """Per-axis scales and output size, computed the way MATLAB derives one from the other."""
    if output_shape is not None:
        if len(output_shape) != 2 or any(
            isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1
            for n in output_shape
        ):
            raise ValueError(f"output_shape must be two positive integers, got {output_shape!r}")
        out = (int(output_shape[0]), int(output_shape[1]))
        return (out[0] / in_shape[0], out[1] / in_shape[1]), out
    if isinstance(scale, bool) or not isinstance(scale, (int, float, np.integer, np.floating)):
        raise ValueError(f"scale must be a positive number, got {scale!r}")
    value = float(scale)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"scale must be a positive finite number, got {scale!r}")
    out = (math.ceil(in_shape[0] * value), math.ceil(in_shape[1] * value))
    return (value, value), out


def _axis_order(scales: tuple[float, float]) -> list[int]:
    """Axes in MATLAB's order: ascending scale, a stable sort so height goes first on ties."""
    return sorted(range(2), key=lambda axis: scales[axis])


def _resize_axis(
    image: np.ndarray, weights: np.ndarray, indices: np.ndarray, axis: int
) -> np.ndarray:
    """Apply 1-D taps along ``axis``, accumulating taps in order as MATLAB's mex does."""
    moved = np.moveaxis(image, axis, 0)
    extra = (slice(None),) + (None,) * (moved.ndim - 1)
    out = np.zeros((weights.shape[0], *moved.shape[1:]), dtype=np.float64)
    for tap in range(weights.shape[1]):
        out += weights[:, tap][extra] * moved[indices[:, tap]]
    return np.moveaxis(out, 0, axis)


def _round_saturate(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Round half away from zero and clip to the integer dtype's range."""
    info = np.iinfo(dtype)
    rounded = np.sign(values) * np.floor(np.abs(values) + 0.5)
    return np.clip(rounded, info.min, info.max).astype(dtype)
