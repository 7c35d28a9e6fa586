"""Parameter counts (suite.models.params): what a state dict counts, and the checkpoint count.

The exact trainable count of every zoo model is pinned in test_zoo.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

from suite.models.params import (
    checkpoint_param_count,
    param_count,
    parameter_counts,
    state_dict_param_count,
)
from suite.models.zoo import get_spec


def test_state_dict_count_excludes_batchnorm_statistics() -> None:
    bn = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
    state = bn.state_dict()
    assert {k.rsplit(".", 1)[-1] for k in state} >= {"running_mean", "num_batches_tracked"}
    assert state_dict_param_count(state) == sum(p.numel() for p in bn.parameters())
    state["frozen.weight"] = torch.zeros(5)  # a frozen tensor still counts
    assert state_dict_param_count(state) == sum(p.numel() for p in bn.parameters()) + 5


@pytest.mark.shared
def test_checkpoint_params_match_trainable_params(shared_checkpoints: Path, tmp_path) -> None:
    spec = get_spec("EIMN_A_x4")
    expected = param_count(spec)
    assert parameter_counts(spec, shared_checkpoints, tmp_path) == {
        "params": expected,
        "checkpoint_params": expected,
    }


def test_checkpoint_params_are_null_without_a_local_file(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("SUITE_CHECKPOINT_DIR", raising=False)
    assert checkpoint_param_count(get_spec("EIMN_A_x4"), tmp_path, tmp_path) is None
    assert checkpoint_param_count(get_spec("EIMN_L_x4"), tmp_path, tmp_path) is None
