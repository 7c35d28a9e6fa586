"""The CI gate passes on its own baseline and fails when a checkpoint's output is perturbed."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from support.tiny import make_env

from suite import cli
from suite.evaluation.runner import EvalOptions, evaluate
from suite.models.checkpoints import sha256_file
from suite.results.gate import failed, gate, load_cells


@pytest.fixture
def baseline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    spec, opts, _ = make_env(tmp_path, monkeypatch)
    evaluate(spec, "Set5", opts)
    base = tmp_path / "baseline.json"
    assert cli.main(["gate", str(opts.results_dir), "--write-baseline", str(base)]) == 0
    return spec, opts, base


def _perturb(spec, opts: EvalOptions):
    """Rewrite the checkpoint with a slightly wrong 1×1 conv, as a broken release would be."""
    path = Path(opts.checkpoint_dir) / spec.checkpoint.filename
    sd = torch.load(path, weights_only=True)
    sd["mix.weight"] = sd["mix.weight"] * 0.97
    torch.save(sd, path)
    return replace(spec, checkpoint=replace(spec.checkpoint, sha256=sha256_file(path)))


def test_gate_passes_on_baseline(baseline, capsys) -> None:
    _, opts, base = baseline
    assert cli.main(["gate", str(opts.results_dir), "--baseline", str(base)]) == 0
    assert "gate passed" in capsys.readouterr().out


def test_gate_fails_on_perturbed_checkpoint(baseline, tmp_path: Path, capsys) -> None:
    spec, opts, base = baseline
    bad = _perturb(spec, opts)
    fresh = EvalOptions(**{**opts.__dict__, "results_dir": tmp_path / "fresh"})
    evaluate(bad, "Set5", fresh)
    code = cli.main(["gate", str(fresh.results_dir), "--baseline", str(base), "--json"])
    assert code == 1
    out = json.loads(capsys.readouterr().out)
    assert not out["passed"]
    (cell,) = out["cells"]
    assert cell["status"] == "regressed" and cell["model"] == "UP_x2" and cell["d_psnr"] < -0.001


def test_missing_cell_fails_and_filters_apply(baseline, tmp_path: Path) -> None:
    _, _, base = baseline
    empty = tmp_path / "empty"
    empty.mkdir()
    cells = gate(load_cells(empty), load_cells(base))
    assert [c.status for c in failed(cells)] == ["missing"]
    assert gate(load_cells(empty), load_cells(base), datasets=["Set14"]) == []
    assert cli.main(["gate", str(empty), "--baseline", str(base), "--dataset", "Set14"]) == 2


def test_tolerance_and_improvement() -> None:
    base = {("M", "Set5", "p"): {"psnr": 30.0, "ssim": 0.9}}
    up = {("M", "Set5", "p"): {"psnr": 30.01, "ssim": 0.9}}
    (cell,) = gate(up, base)
    assert cell.status == "improved" and not failed([cell])
    assert failed([cell], fail_on_improvement=True)
    (cell,) = gate(up, base, psnr_tol=0.02)
    assert cell.status == "ok"
