"""Timing of PSNR and SSIM on an Urban100-sized (1024×768×3 uint8) pair.

Run with ``pytest benchmarks/test_bench_metrics.py`` (pytest-benchmark); SSIM on Y should stay
well under 0.2 s so that scoring a whole benchmark set is never the bottleneck.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from suite.protocol.metrics import psnr, ssim

HEIGHT, WIDTH = 768, 1024


def _to_uint8(x: NDArray) -> NDArray[np.uint8]:
    return np.clip(x, 0, 255).round().astype(np.uint8)


def _pair() -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    """A smooth HR-like image and a noisy 'SR' version of it (deterministic)."""
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH]
    hr = np.stack([xx / 4.0, yy / 3.0, (xx + yy) / 7.0], axis=-1) % 256
    sr = hr + rng.normal(0.0, 3.0, hr.shape)
    return _to_uint8(sr), _to_uint8(hr)


@pytest.fixture(scope="module")
def pair() -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    return _pair()


@pytest.mark.parametrize("channel", ["y_float", "rgb"])
@pytest.mark.parametrize("metric", [psnr, ssim], ids=["psnr", "ssim"])
def test_bench_metric(benchmark, pair, metric, channel: str) -> None:
    sr, hr = pair
    value = benchmark(metric, sr, hr, 4, channel)
    assert np.isfinite(value)
