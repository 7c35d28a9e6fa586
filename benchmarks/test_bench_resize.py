"""Speed of the MATLAB-compatible bicubic resize: ×1/4 of a 1024×768 RGB image, both modes.

Run with ``pytest benchmarks``; the target is well under a second per call.
"""

from __future__ import annotations

import numpy as np
import pytest

from suite.protocol.resize import imresize


@pytest.fixture(scope="module")
def hr_image() -> np.ndarray:
    """A reproducible random 1024×768×3 uint8 image (height 768, width 1024)."""
    return np.random.default_rng(0).integers(0, 256, (768, 1024, 3), dtype=np.uint8)


@pytest.mark.parametrize("mode", ("matlab", "float"))
def test_bench_downscale_x4(benchmark, hr_image: np.ndarray, mode: str) -> None:
    out = benchmark(imresize, hr_image, 1 / 4, mode)
    assert out.shape == (192, 256, 3)
    assert out.dtype == np.uint8
