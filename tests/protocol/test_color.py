"""Tests of ``suite.protocol.color``: the BT.601 studio-range luma the metrics score."""

from __future__ import annotations

import numpy as np
import pytest

from suite.protocol.color import rgb_to_y


def test_y_of_black_white_and_primaries() -> None:
    """Studio range: black → 16, white → 235; pure red → 16 + 65.481."""
    img = np.array([[[0, 0, 0], [255, 255, 255], [255, 0, 0]]], dtype=np.uint8)
    np.testing.assert_allclose(rgb_to_y(img), [[16.0, 235.0, 81.481]], atol=1e-12)
    np.testing.assert_array_equal(rgb_to_y(img, rounding=True), [[16, 235, 81]])
    assert rgb_to_y(img, rounding=True).dtype == np.uint8
    assert rgb_to_y(img).dtype == np.float64


def test_rounded_y_is_float_y_rounded() -> None:
    """Over many random colours the uint8 luma is within half a level of the float luma."""
    rgb = np.random.default_rng(0).integers(0, 256, (200, 500, 3), dtype=np.uint8)
    y_f, y_u = rgb_to_y(rgb), rgb_to_y(rgb, rounding=True).astype(np.float64)
    assert np.abs(y_u - y_f).max() <= 0.5 + 1e-9
    assert y_u.min() >= 16 and y_u.max() <= 235


def test_rgb_to_y_rejects_non_rgb() -> None:
    with pytest.raises(ValueError, match=r"\(4, 4\)"):
        rgb_to_y(np.zeros((4, 4), dtype=np.uint8))
