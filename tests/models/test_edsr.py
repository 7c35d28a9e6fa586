"""EDSR-baseline (sanghyun-son/EDSR-PyTorch): zoo entries, frozen MeanShift, official keys.

Its checkpoints cannot be fetched here; the EIMN paper's Table 1 reprints its #params.
"""

from __future__ import annotations

import pytest
import torch
from support.zoo import build, published_value, state_shapes

from suite.models.params import param_count, trainable_params
from suite.models.zoo import edsr, get_spec

# EDSR's two frozen 1×1 MeanShift convs (weights and biases), stored but not trainable.
EDSR_MEANSHIFT = 2 * (9 + 3)

# Shapes of the pixel-shuffle convs of EDSR's tail (``tail.0.0``, ``tail.0.2``).
EDSR_TAIL: dict[int, list[tuple[int, ...]]] = {
    2: [(256, 64, 3, 3)],
    3: [(576, 64, 3, 3)],
    4: [(256, 64, 3, 3), (256, 64, 3, 3)],
}


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_zoo_entry(scale: int) -> None:
    spec = get_spec(f"EDSR_baseline_x{scale}")
    assert spec.integer_scale == scale and spec.training_data == "DIV2K"
    ckpt = spec.checkpoint
    assert ckpt is not None and ckpt.direct and ckpt.published
    assert ckpt.url.startswith("https://cv.snu.ac.kr/research/EDSR/models/")
    assert ckpt.filename == edsr.FILES[scale]


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_params_against_eimn_table1(scale: int) -> None:
    """1370K / 1555K / 1518K are the stored values, frozen MeanShift convs (24) included;
    trainable only, ×3 would round to 1554K (1,554,499)."""
    model_id = f"EDSR_baseline_x{scale}"
    trainable, published = param_count(get_spec(model_id)), published_value(model_id, "params_k")
    assert round((trainable + EDSR_MEANSHIFT) / 1000) == published
    assert abs(trainable / 1000 - published) < 0.6


def test_meanshift_is_frozen_but_stored() -> None:
    model = build("EDSR_baseline_x2")
    state = model.state_dict()
    stored = sum(t.numel() for t in state.values())
    assert stored - trainable_params(model) == EDSR_MEANSHIFT
    assert torch.allclose(state["sub_mean.bias"], -255 * torch.tensor([0.4488, 0.4371, 0.4040]))
    assert torch.equal(state["add_mean.weight"].flatten(1), torch.eye(3))


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_official_keys(scale: int) -> None:
    shapes = state_shapes(f"EDSR_baseline_x{scale}")
    tail = EDSR_TAIL[scale]
    assert len(shapes) == 76 + 2 * (len(tail) - 1)
    assert shapes["sub_mean.weight"] == (3, 3, 1, 1) and "add_mean.bias" in shapes
    assert shapes["head.0.weight"] == (64, 3, 3, 3)
    assert shapes["body.15.body.2.weight"] == (64, 64, 3, 3)
    assert shapes["body.16.weight"] == (64, 64, 3, 3)
    for i, shape in enumerate(tail):
        assert shapes[f"tail.0.{2 * i}.weight"] == shape
    assert shapes["tail.1.weight"] == (3, 64, 3, 3)
