"""The CI gate passes on its own baseline, fails when a checkpoint's output is perturbed, and
fails closed: every number it cannot trust (NaN, null, strings, partial results, other shapes,
changed #params or Multi-Adds) fails a cell, every unusable file is an error naming it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from support.results import make_result
from support.tiny import make_env

from suite import cli
from suite.errors import ResultFileError, SuiteError
from suite.evaluation.runner import EvalOptions, evaluate
from suite.models.checkpoints import sha256_file
from suite.results.gate import (
    BASELINE_SCHEMA,
    BENCH_LATENCY,
    CELL_FIELDS,
    failed,
    gate,
    gate_bench,
    load,
    load_baseline,
    load_cells,
    to_dicts,
    write_baseline,
)
from suite.results.store import write_result


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


# ---------------------------------------------------------------------------- failing closed

KEY = ("M_x4", "Set5", "basicsr")


def _c(**change) -> dict:
    """A gate cell as a baseline or a results folder holds it."""
    cell = {"model": "M_x4", "dataset": "Set5", "profile": "basicsr", "scale": 4, "psnr": 30.0,
            "ssim": 0.9, "n_images": 5}  # fmt: skip
    return {k: v for k, v in {**cell, **change}.items() if v is not ...}


@pytest.mark.parametrize("side", ["baseline", "results"])
@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"psnr": float("nan")}, "psnr is nan, not a finite number"),
        ({"ssim": float("inf")}, "ssim is inf, not a finite number"),
        ({"psnr": None}, "psnr is None, not a finite number"),
        ({"ssim": "0.9"}, "ssim is '0.9', not a finite number"),
        ({"psnr": True}, "psnr is True, not a finite number"),
        ({"psnr": ...}, "has no psnr"),
        (
            {"partial": True, "failed": [{"name": "baby"}, {"name": "bird"}]},
            "is partial, not scored: baby, bird",
        ),
        ({"failed": ["head"]}, "is partial, not scored: head"),
        ({"partial": True}, "is partial, not scored: images not named"),
    ],
)
def test_untrustworthy_cells_fail_and_say_why(side: str, change: dict, reason: str) -> None:
    base, new = (_c(**change), _c()) if side == "baseline" else (_c(), _c(**change))
    (cell,) = gate({KEY: new}, {KEY: base})
    assert cell.status == "invalid" and f"{side} {reason}" in cell.reason
    assert failed([cell]) == [cell]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"n_images": 4}, "n_images 4 differs from the baseline's 5"),
        ({"scale": 2}, "scale 2 differs from the baseline's 4"),
        ({"manifest": "modified"}, "results scored on modified data"),
        ({"scales": [2, 3]}, "several scales [2, 3]"),
    ],
)
def test_results_of_another_shape_fail(change: dict, reason: str) -> None:
    (cell,) = gate({KEY: _c(**change)}, {KEY: _c()})
    assert cell.status == "invalid" and reason in cell.reason


def test_new_cells_that_cannot_be_trusted_fail_too() -> None:
    other = ("M_x4", "Set14", "basicsr")
    cells = gate({KEY: _c(), other: _c(dataset="Set14", psnr=float("nan"))}, {KEY: _c()})
    assert [c.status for c in cells] == ["ok", "invalid"] and failed(cells) == [cells[1]]
    assert to_dicts(cells)[1]["psnr"] is None  # JSON has no NaN


@pytest.mark.parametrize("tol", [float("nan"), -1e-3, float("inf")])
def test_tolerances_must_be_finite_and_not_negative(tol: float) -> None:
    with pytest.raises(SuiteError, match="--psnr-tol must be a finite number >= 0"):
        gate({KEY: _c()}, {KEY: _c()}, psnr_tol=tol)
    with pytest.raises(SuiteError, match="--latency-rtol must be a finite number >= 0"):
        gate_bench({}, {}, latency_rtol=tol)


def _result(tmp_path: Path, dataset: str = "Set5", **change) -> Path:
    results = tmp_path / "results"
    write_result({**make_result("M_x4", dataset, 30.0, 0.9), **change}, results)
    return results


def test_the_newest_result_of_a_cell_counts(tmp_path: Path) -> None:
    results = _result(tmp_path, timestamp="2026-01-02T00:00:00+00:00", psnr=31.0)
    old = {**make_result("M_x4", "Set5", 30.0, 0.9), "run_name": "Set5_old"}
    write_result(old, results)
    assert load_cells(results)[KEY]["psnr"] == 31.0


def test_results_at_several_scales_mark_their_cell(tmp_path: Path) -> None:
    results = _result(tmp_path, run_name="Set5_x2", scale=2)
    write_result({**make_result("M_x4", "Set5", 30.0, 0.9), "run_name": "Set5_x3", "scale": 3},
                 results)  # fmt: skip
    assert load_cells(results)[KEY]["scales"] == [2, 3]


def test_manifest_status_rides_along(tmp_path: Path) -> None:
    data = make_result("M_x4", "Set5", 30.0, 0.9)["data"]
    data = {**data, "manifest": {**data["manifest"], "status": "incomplete"}}
    assert load_cells(_result(tmp_path, data=data))[KEY]["manifest"] == "incomplete"


def test_the_committed_baseline_loads_unchanged() -> None:
    baseline = load_baseline(Path(__file__).parents[2] / "results/eimn/baseline_set5.json")
    assert len(baseline.cells) == 5 and baseline.bench == {}
    assert all(set(c) == set(CELL_FIELDS) for c in baseline.cells.values())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"schema": "sr-suite/baseline/1", "cells": []}', "the baseline is empty"),
        ('{"schema": "sr-suite/baseline/1"}', "the baseline is empty"),
        ('{"cells": []}', "no known schema"),
        ("[]", "no known schema"),
        ('"text"', "no known schema"),
        ('{"schema": "sr-suite/baseline/1", "cells": {}}', "'cells' must be a list"),
        ('{"schema": "sr-suite/baseline/1", "cells": [1]}', r"cells\[0\] needs model"),
        ('{"schema": "sr-suite/baseline/1", "cells": [{"model": "M"}]}', r"cells\[0\] needs"),
        ('{"schema": "sr-suite/baseline/1", "bench": [{"model": "M"}]}', r"bench\[0\] needs"),
        ('{"schema": "sr-suite/baseline/1", "cells": [{"model', "not valid JSON"),
    ],
)
def test_unusable_baselines_name_the_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(content)
    with pytest.raises(ResultFileError, match=rf"{path}: .*{message}|{message}"):
        load_baseline(path)


def test_duplicate_baseline_cells_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"schema": BASELINE_SCHEMA, "cells": [_c(), _c()]}))
    with pytest.raises(ResultFileError, match=r"cells\[1\] repeats M_x4 Set5 basicsr"):
        load_baseline(path)


def test_an_empty_folder_is_no_baseline(tmp_path: Path) -> None:
    with pytest.raises(ResultFileError, match="the baseline is empty"):
        load_baseline(tmp_path)


# ---------------------------------------------------------------------------- baselines


def test_write_baseline_refuses_empty_and_untrustworthy_results(tmp_path: Path) -> None:
    out = tmp_path / "b.json"
    with pytest.raises(SuiteError, match="nothing to freeze"):
        write_baseline(tmp_path, out)
    results = _result(tmp_path, partial=True, failed=[{"name": "baby"}])
    with pytest.raises(
        SuiteError, match="M_x4 Set5 \\[basicsr\\]: result is partial, not scored: baby"
    ):
        write_baseline(results, out)
    with pytest.raises(SuiteError, match="for the chosen --dataset/--model"):
        write_baseline(results, out, datasets=["Set14"])
    assert not out.exists()


def _bench(results: Path, model: str = "M_x4", key: str = "cpu", **change) -> Path:
    bench = {"params": 880870, "macs": {"ntire": 47.79, "fvcore": 45.1, "thop": None,
             "default": "ntire"}, "latency_ms": {"median": 100.0}}  # fmt: skip
    path = results / model / f"profile__{key}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**bench, **change}))
    return path


def test_baselines_freeze_benchmarks_and_pass_on_themselves(tmp_path: Path) -> None:
    results = _result(tmp_path)
    _bench(results)
    out = tmp_path / "b.json"
    assert write_baseline(results, out) == 2
    written = json.loads(out.read_text())
    assert [set(c) for c in written["cells"]] == [set(CELL_FIELDS)]
    assert written["bench"] == [
        {"model": "M_x4", "key": "cpu", "params": 880870,
         "macs": {"ntire": 47.79, "fvcore": 45.1, "default": "ntire"}, BENCH_LATENCY: 100.0}
    ]  # fmt: skip
    new, base = load(results), load_baseline(out)
    bench = gate_bench(new.bench, base.bench, latency_rtol=0.0)
    assert [(c.metric, c.status) for c in bench] == [
        (BENCH_LATENCY, "ok"), ("macs.default", "ok"), ("macs.fvcore", "ok"),
        ("macs.ntire", "ok"), ("params", "ok")
    ]  # fmt: skip
    assert [c.metric for c in gate_bench(new.bench, base.bench)] == [
        "macs.default",
        "macs.fvcore",
        "macs.ntire",
        "params",
    ]  # latency only when asked


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"params": None}, "benchmark params is None, not a count"),
        ({"params": ..., "macs": ...}, "benchmark holds no params or macs"),
        ({"macs": {"ntire": 4.0, "default": None}}, "benchmark macs.default is None"),
    ],
)
def test_write_baseline_refuses_untrustworthy_benchmarks(
    tmp_path: Path, change: dict, reason: str
) -> None:
    results = tmp_path / "results"
    path = _bench(results)
    bench = {k: v for k, v in {**json.loads(path.read_text()), **change}.items() if v is not ...}
    path.write_text(json.dumps(bench))
    with pytest.raises(SuiteError, match=rf"M_x4 bench cpu: {reason}"):
        write_baseline(results, tmp_path / "b.json")


BASE_BENCH = {"params": 100, "macs": {"ntire": 1.5, "default": "ntire"}, BENCH_LATENCY: 10.0}


@pytest.mark.parametrize(
    ("new", "rtol", "statuses"),
    [
        ({}, 0.1, {"params": "ok", "macs.ntire": "ok", BENCH_LATENCY: "ok"}),
        ({"params": 101}, None, {"params": "changed"}),
        ({"macs": {"ntire": 1.5000001, "default": "ntire"}}, None, {"macs.ntire": "changed"}),
        ({"macs": {"ntire": 1.5, "default": "fvcore"}}, None, {"macs.default": "changed"}),
        ({"macs": {"default": "ntire"}}, None, {"macs.ntire": "invalid"}),
        ({"macs": None}, None, {"macs.ntire": "invalid"}),
        ({"params": float("nan")}, None, {"params": "invalid"}),
        ({"params": "100"}, None, {"params": "invalid"}),
        ({BENCH_LATENCY: 11.5}, 0.1, {BENCH_LATENCY: "regressed"}),
        ({BENCH_LATENCY: 10.9}, 0.1, {BENCH_LATENCY: "ok"}),
        ({BENCH_LATENCY: 5.0}, 0.1, {BENCH_LATENCY: "improved"}),
        ({BENCH_LATENCY: float("nan")}, 0.1, {BENCH_LATENCY: "invalid"}),
    ],
)
def test_bench_numbers_are_exact_and_latency_relative(new: dict, rtol, statuses: dict) -> None:
    key = ("M_x4", "cpu")
    cells = gate_bench({key: {**BASE_BENCH, **new}}, {key: BASE_BENCH}, latency_rtol=rtol)
    got = {c.metric: c.status for c in cells}
    assert {m: got[m] for m in statuses} == statuses
    bad = {c.metric for c in failed(cells)} & set(statuses)
    assert bad == {m for m, s in statuses.items() if s in ("changed", "invalid", "regressed")}


@pytest.mark.parametrize(
    ("base", "reason"),
    [
        ({"params": -1}, "baseline params is -1, not a count"),
        ({"macs": 3.0}, "baseline macs is 3.0, not a finite number"),
        ({"macs": {"ntire": None, "default": "ntire"}}, "baseline macs.ntire is None"),
        ({BENCH_LATENCY: 0}, "baseline latency_median_ms is 0, not positive"),
        ({}, "baseline entry holds no params or macs"),
    ],
)
def test_bench_baseline_garbage_fails(base: dict, reason: str) -> None:
    key = ("M_x4", "cpu")
    cells = gate_bench({key: BASE_BENCH}, {key: base}, latency_rtol=0.1)
    assert any(c.status == "invalid" and reason in c.reason for c in cells), cells


def test_missing_benchmarks_fail_and_models_filter() -> None:
    key = ("M_x4", "cpu")
    (cell,) = gate_bench({}, {key: BASE_BENCH})
    assert cell.status == "missing" and failed([cell]) == [cell]
    assert gate_bench({}, {key: BASE_BENCH}, models=["Other"]) == []
