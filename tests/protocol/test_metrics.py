"""Tests of ``suite.protocol.metrics``: MATLAB goldens, skimage cross-check, properties, errors.

The goldens are RCAN's Set5 outputs scored by RCAN's ``Evaluate_PSNR_SSIM.m`` (file
``goldens/matlab_metrics_rcan/PSNR_SSIM_Results_BI_model.txt``, printed with ``%f``: 6 decimals).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray
from support.images import SET5, noisy_gradient, read_rgb

from suite.protocol.color import rgb_to_y
from suite.protocol.metrics import psnr, ssim, ssim_map
from suite.protocol.profiles import CHANNELS

SCALES = (2, 3, 4)
CASES = [(s, n) for s in SCALES for n in SET5]
CASE_IDS = [f"x{s}-{n}" for s, n in CASES]

# Required agreement with MATLAB for the suite's own ``y_float`` channel.
PSNR_TOL_DB = 1e-4
SSIM_TOL = 1e-5
# The text file prints 6 decimals, so a value exact to MATLAB is within half a unit (5e-7) of
# the printed number; 1e-8 more absorbs summation-order differences (~1e-12 here).
PRINTED_HALF_UNIT = 0.5e-6 + 1e-8

_LINE = re.compile(
    r"^x(?P<scale>\d+) \d+ (?P<name>\w+)_RCAN_x\d+\.png: "
    r"PSNR= (?P<psnr>[-\d.]+) SSIM= (?P<ssim>[-\d.]+)$",
    re.MULTILINE,
)


# --- helpers and fixtures ---------------------------------------------------------------------


def parse_rcan_results(text: str) -> dict[tuple[int, str], tuple[float, float]]:
    """Per-image (PSNR, SSIM) of method ``RCAN`` (not ``RCANplus``), keyed by (scale, name)."""
    return {
        (int(m["scale"]), m["name"]): (float(m["psnr"]), float(m["ssim"]))
        for m in _LINE.finditer(text)
    }


def matlab_single_y(img: NDArray[np.uint8]) -> NDArray[np.float64]:
    """Y as RCAN's script feeds it to the metrics: ``single(rgb2ycbcr(im2double(x)))*255``."""
    y_unit = (rgb_to_y(img) / 255.0).astype(np.float32)
    return (y_unit * np.float32(255.0)).astype(np.float64)


@pytest.fixture(scope="module")
def rcan_dir(goldens_dir: Path) -> Path:
    return goldens_dir / "matlab_metrics_rcan"


@pytest.fixture(scope="module")
def rcan_results(rcan_dir: Path) -> dict[tuple[int, str], tuple[float, float]]:
    return parse_rcan_results((rcan_dir / "PSNR_SSIM_Results_BI_model.txt").read_text())


def load_case(rcan_dir: Path, scale: int, name: str) -> tuple[NDArray, NDArray]:
    """(SR, HR) uint8 RGB pair of one golden case."""
    sr = read_rgb(rcan_dir / "SR" / f"x{scale}" / f"{name}_RCAN_x{scale}.png")
    hr = read_rgb(rcan_dir / "HR" / f"x{scale}" / f"{name}_HR_x{scale}.png")
    return sr, hr


# --- MATLAB goldens ---------------------------------------------------------------------------


@pytest.mark.shared
def test_golden_file_lists_every_case(rcan_results: dict) -> None:
    """The parametrised cases below are exactly the RCAN ×2/×3/×4 lines of the text file."""
    listed = {key for key in rcan_results if key[0] in SCALES}
    assert listed == set(CASES)


@pytest.mark.shared
@pytest.mark.parametrize(("scale", "name"), CASES, ids=CASE_IDS)
def test_matches_matlab_goldens(rcan_dir: Path, rcan_results: dict, scale: int, name: str) -> None:
    """``y_float`` PSNR within 1e-4 dB and SSIM within 1e-5 of MATLAB, shaving ``scale`` pixels.

    The printed values carry 6 decimals, far finer than these tolerances; worst deviations seen
    are ~5.3e-7 dB and ~5.0e-7 (printing rounding plus RCAN's float32 cast, see next test).
    """
    sr, hr = load_case(rcan_dir, scale, name)
    want_psnr, want_ssim = rcan_results[(scale, name)]
    assert psnr(sr, hr, crop_border=scale) == pytest.approx(want_psnr, abs=PSNR_TOL_DB)
    assert ssim(sr, hr, crop_border=scale) == pytest.approx(want_ssim, abs=SSIM_TOL)


@pytest.mark.shared
@pytest.mark.parametrize(("scale", "name"), CASES, ids=CASE_IDS)
def test_matches_matlab_goldens_to_printed_precision(
    rcan_dir: Path, rcan_results: dict, scale: int, name: str
) -> None:
    """With RCAN's float32 cast of Y emulated, both metrics round to the printed 6 decimals.

    Tolerance: half a unit of the 6th decimal plus 1e-8. RCAN's script stores Y as ``single``
    before ×255; in pure double ``butterfly`` ×2 PSNR lands 5.3e-7 off, just past half a unit.
    The 2-D float planes are scored as given (no colour conversion).
    """
    sr, hr = load_case(rcan_dir, scale, name)
    y_sr, y_hr = matlab_single_y(sr), matlab_single_y(hr)
    want_psnr, want_ssim = rcan_results[(scale, name)]
    assert psnr(y_sr, y_hr, crop_border=scale) == pytest.approx(want_psnr, abs=PRINTED_HALF_UNIT)
    assert ssim(y_sr, y_hr, crop_border=scale) == pytest.approx(want_ssim, abs=PRINTED_HALF_UNIT)


@pytest.mark.shared
def test_y_uint8_scores_slightly_lower_on_goldens(rcan_dir: Path) -> None:
    """IMDN-style rounded luma costs RCAN ×4 butterfly a little PSNR/SSIM, never a lot."""
    sr, hr = load_case(rcan_dir, 4, "butterfly")
    d_psnr = psnr(sr, hr, 4, "y_float") - psnr(sr, hr, 4, "y_uint8")
    d_ssim = ssim(sr, hr, 4, "y_float") - ssim(sr, hr, 4, "y_uint8")
    assert 1e-3 < d_psnr < 0.3
    assert 1e-5 < d_ssim < 5e-3


# --- skimage cross-check ----------------------------------------------------------------------


def _skimage_ssim(a: NDArray, b: NDArray) -> tuple[float, NDArray]:
    from skimage.metrics import structural_similarity

    return structural_similarity(
        a,
        b,
        gaussian_weights=True,
        sigma=1.5,
        use_sample_covariance=False,
        data_range=255,
        full=True,
    )


@pytest.mark.parametrize("seed", [0, 1])
def test_ssim_agrees_with_skimage(seed: int) -> None:
    """Same SSIM as skimage, compared on the same region.

    skimage filters the whole image (reflect padding, 11-tap Gaussian since truncate=3.5 and
    σ=1.5) and averages its map after cutting (11−1)/2 = 5 pixels per side — exactly the 'valid'
    region ours keeps. So the mean must agree as is, and skimage's full map, cut by 5, must equal
    our map pixel for pixel.
    """
    a = rgb_to_y(noisy_gradient(seed))
    b = rgb_to_y(noisy_gradient(seed + 10))
    mean_sk, map_sk = _skimage_ssim(a, b)
    ours = ssim_map(a, b)
    np.testing.assert_allclose(ours, map_sk[5:-5, 5:-5], rtol=0, atol=1e-10)
    assert ssim(a, b, crop_border=0) == pytest.approx(mean_sk, abs=1e-12)


@pytest.mark.shared
def test_ssim_agrees_with_skimage_on_golden(rcan_dir: Path) -> None:
    """The skimage agreement also holds on a real SR/HR luma pair after shaving."""
    sr, hr = load_case(rcan_dir, 3, "head")
    a, b = rgb_to_y(sr)[3:-3, 3:-3], rgb_to_y(hr)[3:-3, 3:-3]
    mean_sk, _ = _skimage_ssim(a, b)
    assert ssim(sr, hr, crop_border=3) == pytest.approx(mean_sk, abs=1e-12)


# --- properties -------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("metric", [psnr, ssim], ids=["psnr", "ssim"])
def test_symmetric(metric, channel: str) -> None:
    """Swapping SR and HR leaves both metrics unchanged (bit for bit)."""
    a, b = noisy_gradient(0), noisy_gradient(1)
    fn = metric
    assert fn(a, b, 2, channel) == fn(b, a, 2, channel)


@pytest.mark.parametrize("channel", CHANNELS)
def test_identical_images(channel: str) -> None:
    """Identical images: PSNR is infinite and SSIM is exactly 1."""
    a = noisy_gradient(3)
    assert psnr(a, a.copy(), 0, channel) == math.inf
    assert ssim(a, a.copy(), 0, channel) == pytest.approx(1.0, abs=1e-12)


def test_crop_border_equals_manual_shave() -> None:
    """``crop_border=k`` scores the same as cropping k pixels off both images by hand."""
    a, b = noisy_gradient(4), noisy_gradient(5)
    k = 3
    a_in, b_in = a[k:-k, k:-k], b[k:-k, k:-k]
    assert psnr(a, b, k) == psnr(a_in, b_in, 0)
    assert ssim(a, b, k) == ssim(a_in, b_in, 0)


def test_crop_border_hides_border_errors() -> None:
    """Damage confined to a k-pixel frame counts at crop k − 1 and vanishes at crop k."""
    a = noisy_gradient(6)
    b = a.copy()
    k = 4
    b[:k] = 0
    b[-k:] = 255
    b[:, :k] = 7
    b[:, -k:] = 99
    assert math.isfinite(psnr(a, b, k - 1))
    assert psnr(a, b, k) == math.inf
    assert ssim(a, b, k) == pytest.approx(1.0, abs=1e-12)
    assert ssim(a, b, k - 1) < 1.0


def test_y_uint8_and_y_float_differ_slightly() -> None:
    """Rounding luma to integers moves the scores, but only by a little."""
    a, b = noisy_gradient(7), noisy_gradient(8)
    assert psnr(a, b, 2, "y_uint8") != psnr(a, b, 2, "y_float")
    assert psnr(a, b, 2, "y_uint8") == pytest.approx(psnr(a, b, 2, "y_float"), abs=0.1)
    assert ssim(a, b, 2, "y_uint8") != ssim(a, b, 2, "y_float")
    assert ssim(a, b, 2, "y_uint8") == pytest.approx(ssim(a, b, 2, "y_float"), abs=5e-3)


def test_rgb_psnr_pools_mse_over_channels() -> None:
    """RGB PSNR is 10·log10(255²/MSE) with the MSE taken over all pixels of all channels."""
    a, b = noisy_gradient(9), noisy_gradient(10)
    err = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    assert psnr(a, b, 0, "rgb") == pytest.approx(10 * math.log10(255.0**2 / err), rel=1e-12)


def test_rgb_ssim_is_mean_over_channels() -> None:
    """RGB SSIM is the mean of the three single-channel SSIMs."""
    a, b = noisy_gradient(11), noisy_gradient(12)
    per_channel = [ssim(a[..., c], b[..., c], 1) for c in range(3)]
    assert ssim(a, b, 1, "rgb") == pytest.approx(np.mean(per_channel), rel=1e-12)


@pytest.mark.parametrize("channel", CHANNELS)
def test_two_d_inputs_are_scored_as_is(channel: str) -> None:
    """Grey (H×W) images skip colour conversion whatever the channel option."""
    a, b = noisy_gradient(13)[..., 0], noisy_gradient(14)[..., 0]
    err = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    assert psnr(a, b, 0, channel) == pytest.approx(10 * math.log10(255.0**2 / err), rel=1e-12)
    assert ssim(a, b, 0, channel) == ssim_map(a.astype(float), b.astype(float)).mean()


@pytest.mark.parametrize("channel", CHANNELS)
def test_float_input_on_255_scale_matches_uint8(channel: str) -> None:
    """Float arrays holding 0–255 values score exactly like the uint8 arrays they came from."""
    a, b = noisy_gradient(15), noisy_gradient(16)
    af, bf = a.astype(np.float64), b.astype(np.float32)
    assert psnr(af, bf, 2, channel) == psnr(a, b, 2, channel)
    assert ssim(af, bf, 2, channel) == ssim(a, b, 2, channel)


def test_channels() -> None:
    assert CHANNELS == ("y_float", "y_uint8", "rgb")


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("metric", [psnr, ssim], ids=["psnr", "ssim"])
def test_shape_mismatch_names_both_shapes(metric) -> None:
    a, b = noisy_gradient(0, (40, 50)), noisy_gradient(0, (40, 52))
    with pytest.raises(ValueError, match=r"\(40, 50, 3\).*\(40, 52, 3\)"):
        metric(a, b, 0)


@pytest.mark.parametrize("shape", [(40,), (40, 50, 4), (40, 50, 1), (2, 40, 50, 3)])
@pytest.mark.parametrize("metric", [psnr, ssim], ids=["psnr", "ssim"])
def test_wrong_dimensions_rejected(metric, shape: tuple[int, ...]) -> None:
    a = np.zeros(shape, dtype=np.uint8)
    with pytest.raises(ValueError, match=re.escape(str(shape))):
        metric(a, a, 0)


@pytest.mark.parametrize("metric", [psnr, ssim], ids=["psnr", "ssim"])
def test_unknown_channel_named(metric) -> None:
    a = noisy_gradient(0)
    with pytest.raises(ValueError, match=r"'ycbcr'.*y_float"):
        metric(a, a, 0, "ycbcr")


@pytest.mark.parametrize("crop", [-1, 24, 100])
@pytest.mark.parametrize("metric", [psnr, ssim], ids=["psnr", "ssim"])
def test_bad_crop_border_rejected(metric, crop: int) -> None:
    a = noisy_gradient(0)  # 48×64
    with pytest.raises(ValueError, match="crop_border"):
        metric(a, a, crop)


def test_ssim_needs_a_full_window() -> None:
    a = noisy_gradient(0, (30, 30))
    with pytest.raises(ValueError, match=r"11×11.*\(10, 10\)"):
        ssim(a, a, 10)
