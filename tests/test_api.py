"""The public Python API (``suite.__all__``): the names other code builds on, resolved lazily."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from support.tiny import make_env

import suite
from suite.models.params import param_count
from suite.models.zoo import get_spec, model_specs

CONTRACT = {
    "evaluate": "suite.evaluation.runner",
    "load_model": "suite.models.loading",
    "list_models": "suite.models.zoo",
    "get_profile": "suite.protocol.profiles",
    "imresize": "suite.protocol.resize",
    "psnr": "suite.protocol.metrics",
    "ssim": "suite.protocol.metrics",
    "benchmark": "suite.bench.benchmark",
}


def test_all_lists_the_contract() -> None:
    assert sorted(suite.__all__) == sorted(["__version__", *CONTRACT])


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_each_name_is_the_function_of_its_layer(name: str) -> None:
    assert getattr(suite, name) is getattr(importlib.import_module(CONTRACT[name]), name)
    assert name in dir(suite)


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = suite.nope


def test_import_is_light() -> None:
    """``import suite`` loads no deep-learning stack; the first API call does."""
    code = "import sys, suite; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_list_models_and_profiles() -> None:
    assert suite.list_models() == list(model_specs())
    assert suite.list_models(family="eimn") == [
        f"EIMN_{v}_x{s}" for v in ("L", "A") for s in (2, 3, 4)
    ]
    assert suite.get_profile("matlab").lr_mode == "matlab"
    with pytest.raises(KeyError, match="unknown profile 'nope'; known: basicsr"):
        suite.get_profile("nope")


def test_numerics_on_plain_arrays() -> None:
    hr = np.full((48, 48, 3), 120, dtype=np.uint8)
    lr = suite.imresize(hr, 1 / 4)
    assert lr.shape == (12, 12, 3) and lr.dtype == np.uint8
    assert suite.ssim(hr, hr, crop_border=4) == pytest.approx(1.0)
    assert suite.psnr(hr, hr + 1, crop_border=4) > 40


def test_evaluate_takes_options_as_keywords(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec, opts, _ = make_env(tmp_path, monkeypatch)
    result = suite.evaluate(
        spec,
        "Set5",
        data_root=opts.data_root,
        checkpoint_dir=opts.checkpoint_dir,
        results_dir=opts.results_dir,
        profile="matlab",
        write=False,
        progress=False,
    )
    assert (result["model"], result["dataset"], result["profile"]) == (spec.id, "Set5", "matlab")
    assert result["n_images"] == 4 and not opts.results_dir.exists()
    same = suite.evaluate(spec, "Set5", opts, profile="matlab", write=False)  # keywords win
    assert same["psnr"] == result["psnr"]


@pytest.mark.shared
def test_load_model_is_verified_strict_and_frozen(shared_checkpoints: Path) -> None:
    net = suite.load_model("EIMN_A_x4", checkpoint_dir=shared_checkpoints, download=False)
    assert not net.training
    assert not any(p.requires_grad for p in net.parameters())
    assert sum(p.numel() for p in net.parameters()) == param_count(get_spec("EIMN_A_x4"))


def test_benchmark_takes_options_as_keywords() -> None:
    record = suite.benchmark("IMDN_x4", latency=False, memory=False, counters=("ntire",))
    assert record["model"] == "IMDN_x4" and record["params"] == param_count(get_spec("IMDN_x4"))
    assert record["macs"]["default"] == "ntire" and record["latency"] is None
