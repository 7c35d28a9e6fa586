"""Forward-pass speed of EIMN_A_x4 on CPU: the 1280×720-output input and a small one.

Run with ``pytest benchmarks``. The full-size case is a single forward of several seconds on
two cores, so it runs one pedantic round; weights are random (speed does not depend on them).
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from suite.bench.complexity import input_size_for_output
from suite.models.archs import build_arch
from suite.models.zoo import get_spec

MODEL_ID = "EIMN_A_x4"


@pytest.fixture(scope="module")
def model() -> nn.Module:
    spec = get_spec(MODEL_ID)
    net = build_arch(spec.arch, **spec.arch_kwargs).eval()
    for p in net.parameters():
        p.requires_grad_(False)
    return net


def _input(height: int, width: int) -> torch.Tensor:
    return torch.rand(1, 3, height, width, generator=torch.Generator().manual_seed(0))


def _forward(net: nn.Module, x: torch.Tensor) -> torch.Tensor:
    with torch.inference_mode():
        return net(x)


def test_bench_eimn_a_x4_1280x720(benchmark, model: nn.Module) -> None:
    height, width = input_size_for_output(1280, 720, 4)  # 180×320 in, 720×1280 out
    x = _input(height, width)
    out = benchmark.pedantic(_forward, args=(model, x), rounds=1, iterations=1, warmup_rounds=0)
    assert out.shape == (1, 3, 720, 1280)


def test_bench_eimn_a_x4_small(benchmark, model: nn.Module) -> None:
    x = _input(64, 64)  # 256×256 out
    out = benchmark.pedantic(_forward, args=(model, x), rounds=3, iterations=1, warmup_rounds=1)
    assert out.shape == (1, 3, 256, 256)
