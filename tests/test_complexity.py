"""Parameter counts and Multi-Adds: exact numbers, the published values, and the counters' rules."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from suite.bench.complexity import (
    COUNTER_NOTES,
    COUNTERS,
    DEFAULT_COUNTER,
    MacCount,
    count_macs,
    disagreements,
    input_size_for_output,
    macs_summary,
)
from suite.models.archs import build_arch
from suite.models.params import (
    checkpoint_param_count,
    param_count,
    parameter_counts,
    state_dict_param_count,
)
from suite.models.zoo import get_spec, model_specs

EIMN_PARAMS = {
    "EIMN_L_x2": 981_724,
    "EIMN_L_x3": 990_379,
    "EIMN_L_x4": 1_002_496,
    "EIMN_A_x2": 860_098,
    "EIMN_A_x3": 868_753,
    "EIMN_A_x4": 880_870,
}
# Published Multi-Adds (G) at a 1280×720 output: EIMN paper Table 1, IMDN paper.
PUBLISHED_GMACS = {
    "EIMN_L_x2": 212.7,
    "EIMN_L_x3": 95.2,
    "EIMN_L_x4": 54.37,
    "EIMN_A_x2": 186.3,
    "EIMN_A_x3": 83.58,
    "EIMN_A_x4": 47.78,
    "IMDN_x2": 158.8,
    "IMDN_x3": 71.5,
    "IMDN_x4": 40.9,
}


def _builder(model_id: str):
    spec = get_spec(model_id)
    return lambda: build_arch(spec.arch, **spec.arch_kwargs)


def _full_size_shape(model_id: str) -> tuple[int, int, int, int]:
    height, width = input_size_for_output(1280, 720, get_spec(model_id).integer_scale)
    return (1, 3, height, width)


# --------------------------------------------------------------------------- sizes and params


def test_input_size_uses_floor_of_the_output_size() -> None:
    assert input_size_for_output(1280, 720, 2) == (360, 640)
    assert input_size_for_output(1280, 720, 3) == (240, 426)
    assert input_size_for_output(1280, 720, 4) == (180, 320)
    with pytest.raises(ValueError):
        input_size_for_output(2, 2, 4)


@pytest.mark.parametrize(("model_id", "expected"), sorted(EIMN_PARAMS.items()))
def test_eimn_trainable_params_are_exact(model_id: str, expected: int) -> None:
    assert param_count(get_spec(model_id)) == expected


def test_state_dict_count_excludes_batchnorm_statistics() -> None:
    bn = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
    state = bn.state_dict()
    assert {k.rsplit(".", 1)[-1] for k in state} >= {"running_mean", "num_batches_tracked"}
    assert state_dict_param_count(state) == sum(p.numel() for p in bn.parameters())
    state["frozen.weight"] = torch.zeros(5)  # a frozen tensor still counts
    assert state_dict_param_count(state) == sum(p.numel() for p in bn.parameters()) + 5


def test_checkpoint_params_match_trainable_params(shared_checkpoints: Path, tmp_path) -> None:
    spec = get_spec("EIMN_A_x4")
    expected = EIMN_PARAMS[spec.id]
    assert parameter_counts(spec, shared_checkpoints, tmp_path) == {
        "params": expected,
        "checkpoint_params": expected,
    }


def test_checkpoint_params_are_null_without_a_local_file(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("SUITE_CHECKPOINT_DIR", raising=False)
    assert checkpoint_param_count(get_spec("EIMN_A_x4"), tmp_path, tmp_path) is None
    assert checkpoint_param_count(get_spec("EIMN_L_x4"), tmp_path, tmp_path) is None


# --------------------------------------------------------------------------- published values


@pytest.mark.parametrize("model_id", sorted(PUBLISHED_GMACS))
def test_default_counter_reproduces_published_multi_adds(model_id: str) -> None:
    if model_id not in model_specs():
        pytest.skip(f"{model_id} is not registered in the zoo yet")
    counts = count_macs(_builder(model_id), _full_size_shape(model_id), (DEFAULT_COUNTER,))
    gmacs = counts[DEFAULT_COUNTER].gmacs
    assert gmacs == pytest.approx(PUBLISHED_GMACS[model_id], rel=0.01)


def test_eimn_matches_the_authors_script_to_four_digits() -> None:
    """The authors' own printout (Model/EIMN.py) for EIMN_L ×2 is 212.7201 G."""
    counts = count_macs(_builder("EIMN_L_x2"), _full_size_shape("EIMN_L_x2"), ("ntire",))
    assert round(counts["ntire"].gmacs, 4) == 212.7201


def test_counts_are_affine_in_pixel_count() -> None:
    """MACs = a·pixels + b (b from the global-pool branch): small sizes predict large ones."""
    build = _builder("EIMN_A_x4")
    macs = {n: count_macs(build, (1, 3, n, n), ("ntire",))["ntire"].macs for n in (8, 16, 32)}
    assert (macs[32] - macs[8]) * (16 * 16 - 8 * 8) == (macs[16] - macs[8]) * (32 * 32 - 8 * 8)


# --------------------------------------------------------------------------- counters side by side


def test_three_counters_side_by_side_agree_on_convolutions() -> None:
    counts = count_macs(_builder("EIMN_A_x4"), (1, 3, 16, 16))
    assert list(counts) == list(COUNTERS)
    assert all(c.error is None and isinstance(c.macs, int) for c in counts.values())
    conv = counts["flop_counter"].macs
    assert counts["fvcore"].by_op["conv"] == conv
    assert counts["thop"].by_op["Conv2d"] == conv
    assert counts["ntire"].by_op["convolution"] == conv
    # What each one skipped is reported, not hidden.
    assert "gelu" in counts["flop_counter"].uncounted_ops
    assert "native_batch_norm" in counts["flop_counter"].uncounted_ops
    assert "mul" in counts["fvcore"].uncounted_ops
    assert "LayerNorm2d" in counts["thop"].uncounted_ops
    assert counts["fvcore"].device == "cpu" and counts["ntire"].device == "meta"


class _Toy(nn.Module):
    """One of each op family with hand-computable MACs (8×8 input)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)  # 64 px · 8 · 27 = 13824
        self.bn = nn.BatchNorm2d(8)  # 512 elements · 2 = 1024
        self.act = nn.ReLU()  # 512
        self.dw = nn.Conv2d(8, 8, 5, padding=4, dilation=2, groups=8)  # 512 · 25 = 12800
        self.up = nn.ConvTranspose2d(8, 4, 2, stride=2)  # 512 inputs · 4 · 4 = 8192
        self.fc = nn.Linear(4, 2)  # 256 positions · 2 · 4 = 2048
        self.shuffle = nn.PixelShuffle(2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.dw(self.act(self.bn(self.conv(x))))
        y = self.up(y * torch.sigmoid(y))  # the gate is element-wise: never a MAC
        y = self.fc(y.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
        w = torch.ones(4, 2, 1, 1)
        return self.shuffle(F.conv2d(y, w))  # functional 1×1: 256 px · 4 · 2 = 2048


def test_ntire_convention_on_hand_computed_model() -> None:
    counts = count_macs(_Toy, (1, 3, 8, 8), ("ntire", "flop_counter", "thop"))
    matrix = 13824 + 12800 + 8192 + 2048 + 2048
    assert counts["flop_counter"].macs == matrix
    assert counts["ntire"].macs == matrix + 1024 + 512
    # thop cannot see the functional conv, counts BN 4 per element and ReLU 0, and counts the
    # transposed conv per *output* element (stride² = 4 times 8192).
    assert counts["thop"].macs == matrix - 2048 - 8192 + 4 * 8192 + 4 * 512


def test_macs_summary_and_disagreements() -> None:
    counts = {
        "a": MacCount("a", 1_010_000_000),
        "b": MacCount("b", 1_005_000_000),
        "ntire": MacCount("ntire", 1_000_000_000),
        "c": MacCount("c", None, error="boom"),
    }
    summary = macs_summary(counts)
    assert summary == {"a": 1.01, "b": 1.005, "ntire": 1.0, "c": None, "default": "ntire"}
    flagged = disagreements(counts)
    assert [d["counter"] for d in flagged] == ["a"]
    assert flagged[0]["relative"] == pytest.approx(0.01)


def test_every_counter_is_documented() -> None:
    assert set(COUNTER_NOTES) == set(COUNTERS)
    assert DEFAULT_COUNTER in COUNTERS


def test_missing_library_is_reported_not_raised(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "thop", None)
    counts = count_macs(_Toy, (1, 3, 8, 8), ("thop", "ntire"))
    assert counts["thop"].macs is None and "cannot be imported" in counts["thop"].error
    assert counts["ntire"].macs is not None


class _DataDependent(nn.Module):
    """A model whose forward reads a value: impossible on the meta device."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 3, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x) * float(x.abs().sum().item() >= 0)


def test_counting_falls_back_to_real_tensors_when_meta_fails() -> None:
    counts = count_macs(_DataDependent, (1, 3, 4, 4), ("ntire",))
    assert counts["ntire"].device == "cpu"
    assert counts["ntire"].macs == 16 * 3 * 3


def test_unknown_counter_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown counter"):
        count_macs(_Toy, (1, 3, 8, 8), ("nope",))
