"""Reading state dicts out of checkpoint files and loading them strictly (suite.models.loading)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from support.weights import FILENAME, TinyNet, save, tiny_spec, tiny_state, write

from suite.errors import CheckpointError, CheckpointMismatchError
from suite.models.loading import load_model, read_state_dict
from suite.models.spec import CheckpointSpec, ModelSpec

pytestmark = pytest.mark.usefixtures("clean_env")


# --------------------------------------------------------------------------- reading


def test_read_prefers_params_ema_and_strips_module(tmp_path: Path) -> None:
    ema, raw = tiny_state(seed=1), tiny_state(seed=2)
    wrapped = {"params": raw, "params_ema": {f"module.{k}": v for k, v in ema.items()}}
    path = tmp_path / "wrapped.pth"
    save(wrapped, path)
    state = read_state_dict(path, CheckpointSpec(filename="wrapped.pth", url=""))
    assert list(state) == list(ema)
    assert all(torch.equal(state[k], ema[k]) for k in ema)


def test_read_respects_key_order(tmp_path: Path) -> None:
    ema, raw = tiny_state(seed=1), tiny_state(seed=2)
    path = tmp_path / "wrapped.pth"
    save({"params": raw, "params_ema": ema}, path)
    ckpt = CheckpointSpec(filename="wrapped.pth", url="", state_dict_key=("params",))
    state = read_state_dict(path, ckpt)
    assert torch.equal(state["head.weight"], raw["head.weight"])


def test_read_garbage_file(tmp_path: Path) -> None:
    path = write(tmp_path / "garbage.pth", b"<html>404 page, not weights</html>" * 10)
    with pytest.raises(CheckpointError, match="corrupt or not a PyTorch checkpoint") as info:
        read_state_dict(path, CheckpointSpec(filename="garbage.pth", url=""))
    assert str(path) in str(info.value)


def test_read_without_state_dict(tmp_path: Path) -> None:
    path = tmp_path / "other.pth"
    save({"epoch": 3, "optimizer": {"lr": 0.1}}, path)
    with pytest.raises(CheckpointError, match="no state dict"):
        read_state_dict(path, CheckpointSpec(filename="other.pth", url=""))


# --------------------------------------------------------------------------- loading


def _place(tmp_path: Path, obj: object) -> tuple[Path, ModelSpec]:
    """Save ``obj`` into a checkpoint dir; return the dir and a spec (no sha) for it."""
    save(obj, tmp_path / "ck" / FILENAME)
    return tmp_path / "ck", tiny_spec("http://127.0.0.1:9/unused", None)


def test_load_model_wrapped_and_prefixed(tmp_path: Path) -> None:
    state = tiny_state(seed=3)
    ckdir, spec = _place(tmp_path, {"params": {f"module.{k}": v for k, v in state.items()}})
    model = load_model(spec, checkpoint_dir=ckdir, cache_dir=tmp_path / "c")
    assert isinstance(model, TinyNet)
    assert not model.training
    assert not any(p.requires_grad for p in model.parameters())
    assert torch.equal(model.head.weight, state["head.weight"])


def test_load_model_reports_all_mismatches(tmp_path: Path) -> None:
    state = tiny_state(channels=8)
    del state["tail.bias"]
    state["extra.weight"] = torch.zeros(1)
    ckdir, spec = _place(tmp_path, state)
    with pytest.raises(CheckpointMismatchError) as info:
        load_model(spec, checkpoint_dir=ckdir, cache_dir=tmp_path / "c")
    message = str(info.value)
    assert str(ckdir / FILENAME) in message
    assert "missing keys (1)" in message and "tail.bias" in message
    assert "unexpected keys (1)" in message and "extra.weight" in message
    assert "head.weight: checkpoint (8, 3, 3, 3) vs model (4, 3, 3, 3)" in message
    assert "scale or variant" in message


def test_mismatch_listing_is_truncated(tmp_path: Path) -> None:
    state = tiny_state()
    state.update({f"junk.{i}": torch.zeros(1) for i in range(25)})
    ckdir, spec = _place(tmp_path, state)
    with pytest.raises(CheckpointMismatchError) as info:
        load_model(spec, checkpoint_dir=ckdir, cache_dir=tmp_path / "c")
    message = str(info.value)
    assert "unexpected keys (25)" in message
    assert "junk.9" in message and "junk.10" not in message
    assert "15 more" in message


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_weights_are_refused(tmp_path: Path, bad: float) -> None:
    state = tiny_state()
    for key in ("head.weight", "tail.bias"):
        state[key].view(-1)[0] = bad
    ckdir, spec = _place(tmp_path, state)
    with pytest.raises(CheckpointError, match="NaN or infinite values in 2 tensor") as info:
        load_model(spec, checkpoint_dir=ckdir, cache_dir=tmp_path / "c")
    message = str(info.value)
    assert str(ckdir / FILENAME) in message and "head.weight, tail.bias" in message
    assert "Fix" in message and "\n" not in message


def test_non_finite_listing_is_truncated(tmp_path: Path) -> None:
    state = {f"junk.{i}": torch.full((2,), float("nan")) for i in range(7)}
    ckdir, spec = _place(tmp_path, {**tiny_state(), **state})
    with pytest.raises(CheckpointError) as info:
        load_model(spec, checkpoint_dir=ckdir, cache_dir=tmp_path / "c")
    assert "junk.4 and 2 more" in str(info.value) and "junk.5" not in str(info.value)
