"""Tests for the MATLAB-compatible bicubic resize in ``suite.protocol.resize``.

Golden checks: LR images MATLAB made from Set5 (bit-exact), and MATLAB's bicubic-upscaling PSNR
table from SelfExSR (within 1e-3 dB). The rest are properties on small synthetic images.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from support.images import SET5, read_image, smooth_pattern

from suite.protocol.resize import imresize, modcrop, resize_weights

SCALES = (2, 3, 4)


# --- goldens ----------------------------------------------------------------------------------


@pytest.mark.shared
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("name", SET5)
def test_matlab_downscale_bit_exact(
    scale: int, name: str, goldens_dir: Path, shared_datasets: Path
) -> None:
    """HR mod-cropped to the scale, resized by 1/scale, equals MATLAB's LR byte for byte."""
    hr = modcrop(read_image(shared_datasets / "Set5" / f"{name}.png"), scale)
    golden = read_image(goldens_dir / "matlab_bicubic_lr" / "Set5" / f"x{scale}" / f"{name}.png")
    lr = imresize(hr, 1 / scale, mode="matlab")
    assert lr.dtype == np.uint8
    assert lr.shape == golden.shape
    assert np.array_equal(lr, golden), f"{(lr != golden).sum()} pixels differ"


@pytest.mark.shared
@pytest.mark.parametrize("scale", SCALES)
def test_float_downscale_close_to_matlab(
    scale: int, goldens_dir: Path, shared_datasets: Path
) -> None:
    """Float mode (one rounding at the end) stays within 2 grey levels of MATLAB on Set5."""
    for name in SET5:
        hr = modcrop(read_image(shared_datasets / "Set5" / f"{name}.png"), scale)
        golden = read_image(
            goldens_dir / "matlab_bicubic_lr" / "Set5" / f"x{scale}" / f"{name}.png"
        )
        lr = imresize(hr, 1 / scale, mode="float")
        assert np.abs(lr.astype(np.int16) - golden).max() <= 2


@pytest.mark.shared
@pytest.mark.parametrize("dataset", ("Set5", "Set14", "BSD100"))
@pytest.mark.parametrize("scale", SCALES)
def test_matlab_upscale_matches_selfexsr_table(scale: int, dataset: str, goldens_dir: Path) -> None:
    """Upscaling SelfExSR's LR inputs reproduces MATLAB bicubic PSNR (table column 1)."""
    scipy_io = pytest.importorskip("scipy.io")
    metrics = pytest.importorskip("suite.protocol.metrics")
    root = goldens_dir / "matlab_bicubic_selfexsr"
    folder = root / dataset / f"image_SRF_{scale}"
    if not folder.is_dir():
        pytest.skip(f"no LR inputs for {dataset} ×{scale} in {root}")
    table = scipy_io.loadmat(root / "tables" / f"result_{dataset}_SRF_{scale}.mat")
    expected = table["PSNR_table"][:, 0]
    for row, want in enumerate(expected):
        stem = f"img_{row + 1:03d}_SRF_{scale}"
        lr = read_image(folder / f"{stem}_LR.png")
        hr = read_image(folder / f"{stem}_HR.png")
        sr = imresize(lr, scale, mode="matlab")
        assert sr.shape == hr.shape
        got = metrics.psnr(sr, hr, crop_border=scale, channel="y_uint8")
        assert abs(got - want) < 1e-3, f"{stem}: {got:.6f} dB vs MATLAB {want:.6f} dB"


# --- properties -------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ("matlab", "float"))
@pytest.mark.parametrize("scale", (1 / 2, 1 / 3, 1 / 4, 2, 3))
@pytest.mark.parametrize("shape", ((37, 23, 3), (15, 41), (1, 7, 3)))
def test_output_shape_is_ceil(shape: tuple[int, ...], scale: float, mode: str) -> None:
    image = np.zeros(shape, dtype=np.uint8)
    out = imresize(image, scale, mode=mode)
    expected = (math.ceil(shape[0] * scale), math.ceil(shape[1] * scale), *shape[2:])
    assert out.shape == expected


def test_output_shape_argument_matches_equivalent_scale() -> None:
    image = smooth_pattern(51, 36)
    out = imresize(image, None, output_shape=(17, 12))
    assert out.shape == (17, 12, 3)
    assert np.array_equal(out, imresize(image, 1 / 3))


@pytest.mark.parametrize("scale", (1 / 2, 1 / 3, 1 / 4, 2, 3, 4))
def test_float_and_matlab_modes_differ_by_a_couple_of_levels(scale: float) -> None:
    image = smooth_pattern(48, 40)
    matlab = imresize(image, scale, mode="matlab")
    flt = imresize(image, scale, mode="float")
    assert matlab.dtype == flt.dtype == np.uint8
    assert np.abs(matlab.astype(np.int16) - flt).max() <= 2


@pytest.mark.parametrize("mode", ("matlab", "float"))
def test_scale_one_is_identity(mode: str) -> None:
    image = np.random.default_rng(0).integers(0, 256, (13, 9, 3), dtype=np.uint8)
    assert np.array_equal(imresize(image, 1, mode=mode), image)
    as_float = image.astype(np.float32) / 255
    np.testing.assert_allclose(imresize(as_float, 1.0, mode=mode), as_float, atol=1e-7)


@pytest.mark.parametrize("mode", ("matlab", "float"))
@pytest.mark.parametrize("scale", (1 / 3, 1 / 4, 2, 3))
def test_constant_image_stays_constant(scale: float, mode: str) -> None:
    image = np.full((20, 14, 3), 137, dtype=np.uint8)
    assert np.all(imresize(image, scale, mode=mode) == 137)
    out = imresize(np.full((20, 14), 0.25), scale, mode=mode)
    np.testing.assert_allclose(out, 0.25, atol=1e-12)


@pytest.mark.parametrize("mode", ("matlab", "float"))
def test_grey_image_matches_single_channel(mode: str) -> None:
    grey = smooth_pattern(30, 22, channels=1)
    out_2d = imresize(grey[..., 0], 1 / 3, mode=mode)
    out_3d = imresize(grey, 1 / 3, mode=mode)
    assert out_2d.shape == (10, 8)
    assert np.array_equal(out_2d, out_3d[..., 0])


def test_float_input_stays_float_without_rounding() -> None:
    image = smooth_pattern(24, 24).astype(np.float32) / 255
    out = imresize(image, 1 / 2, mode="float")
    assert out.dtype == np.float32
    assert not np.allclose(out * 255, np.round(out * 255))


def test_matlab_mode_on_uint8_rounds_half_away_from_zero() -> None:
    """A ×1/2 resize of [0, 1, 0, 1, ...] lands on exact .5 values, which MATLAB rounds up."""
    image = np.tile(np.array([0, 1], dtype=np.uint8), (4, 8))
    exact = imresize(image.astype(np.float64), 1 / 2, mode="float")[:, 2:-2]
    assert np.all(exact == 0.5)
    assert np.all(imresize(image, 1 / 2, mode="matlab")[:, 2:-2] == 1)


@pytest.mark.parametrize("scale", (1 / 4, 1 / 3, 2, 4))
def test_weights_are_normalised_and_in_range(scale: float) -> None:
    in_len = 31
    out_len = math.ceil(in_len * scale)
    weights, indices = resize_weights(in_len, out_len, scale)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-12)
    assert indices.min() >= 0 and indices.max() < in_len
    assert np.any(weights != 0, axis=0).all()


@pytest.mark.parametrize("scale", (0, -2, float("nan"), float("inf"), "2", None, True))
def test_bad_scale_raises(scale: object) -> None:
    with pytest.raises(ValueError, match="scale"):
        imresize(np.zeros((8, 8), dtype=np.uint8), scale)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "image",
    (
        [[1, 2], [3, 4]],
        np.zeros(8, dtype=np.uint8),
        np.zeros((2, 4, 4, 3), dtype=np.uint8),
        np.zeros((0, 4), dtype=np.uint8),
        np.zeros((4, 4), dtype=bool),
        np.zeros((4, 4), dtype=object),
    ),
)
def test_non_image_raises(image: object) -> None:
    with pytest.raises(ValueError, match="image"):
        imresize(image, 1 / 2)  # type: ignore[arg-type]


def test_bad_mode_and_output_shape_raise() -> None:
    image = np.zeros((8, 8), dtype=np.uint8)
    with pytest.raises(ValueError, match="mode"):
        imresize(image, 2, mode="pil")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="output_shape"):
        imresize(image, None, output_shape=(0, 4))


def test_modcrop_crops_bottom_right() -> None:
    image = np.arange(7 * 10 * 3).reshape(7, 10, 3)
    out = modcrop(image, 3)
    assert out.shape == (6, 9, 3)
    assert np.array_equal(out, image[:6, :9])
    assert modcrop(image[..., 0], 1).shape == (7, 10)
    with pytest.raises(ValueError, match="multiple"):
        modcrop(image, 0)
