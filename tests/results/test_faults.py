"""Issue #10's fault table for results files, the gate and reference tables.

Every bad input goes through the CLI (``suite.cli.main``) and must end in the expected exit code
(0 a warning only, 1 a failed gate verdict, 2 unusable input) with a message naming the problem
on stderr: never a traceback, never a silent pass. Exit-2 cases end in exactly one ``error:``
line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from support.results import make_reference_dir, make_result

from suite.cli import main
from suite.results.gate import BASELINE_SCHEMA, BENCH_LATENCY
from suite.results.reference import COLUMNS
from suite.results.store import write_result

MODEL, NAN = "EIMN_A_x4", float("nan")
CELL = f"{MODEL} Set5 [basicsr]"


def _results(tmp: Path, dataset: str = "Set5", **change) -> Path:
    """A results folder with one evaluation of MODEL (shaped like a real run)."""
    results = tmp / "results"
    write_result({**make_result(MODEL, dataset, 32.5, 0.9), **change}, results)
    return results


def _cell(**change) -> dict:
    cell = {"model": MODEL, "dataset": "Set5", "profile": "basicsr", "scale": 4, "psnr": 32.5,
            "ssim": 0.9, "n_images": 2}  # fmt: skip
    return {k: v for k, v in {**cell, **change}.items() if v is not ...}


def _file(tmp: Path, content: object, name: str = "baseline.json") -> Path:
    """A file holding ``content``: bytes and str verbatim, anything else as JSON."""
    path = tmp / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def _baseline(*cells: dict, **extra) -> dict:
    return {"schema": BASELINE_SCHEMA, "cells": list(cells or [_cell()]), **extra}


def _gate(baseline: object = None, *flags: str, results: Callable | None = None, **change):
    """argv builder: ``suite gate <one result> --baseline <baseline> [flags]``."""

    def build(tmp: Path) -> list[str]:
        res = results(tmp) if results else _results(tmp, **change)
        base = _file(tmp, _baseline() if baseline is None else baseline)
        return ["gate", str(res), "--baseline", str(base), *flags]

    return build


def _bench(tmp: Path, **change) -> Path:
    """MODEL's result plus a `suite bench` result beside it."""
    results = _results(tmp)
    bench = {"params": 880870, "macs": {"ntire": 47.79, "default": "ntire"},
             "latency_ms": {"median": 100.0}, **change}  # fmt: skip
    (results / MODEL / "profile__cpu.json").write_text(json.dumps(bench))
    return results


BENCH_BASE = {"model": MODEL, "key": "cpu", "params": 880870,
              "macs": {"ntire": 47.79, "default": "ntire"}, BENCH_LATENCY: 100.0}  # fmt: skip


def _empty(tmp: Path) -> Path:
    (tmp / "empty").mkdir(exist_ok=True)
    return tmp / "empty"


def _truncated(tmp: Path) -> Path:
    """A results folder whose only evaluation was cut off mid-write."""
    results = _results(tmp)
    path = results / MODEL / "Set5__basicsr.json"
    path.write_text(path.read_text()[:200])
    return results


def _broken_bench(tmp: Path) -> Path:
    """MODEL's result and benchmark, plus a benchmark file cut off mid-write."""
    results = _bench(tmp)
    (results / MODEL / "profile__cuda.json").write_text('{"params": 8')
    return results


def _write_baseline(results: Callable[[Path], Path]):
    return lambda tmp: ["gate", str(results(tmp)), "--write-baseline", str(tmp / "out.json")]


def _report(table: bytes | None = None, results: Callable[[Path], Path] = _results):
    """argv builder: ``suite report`` with a reference folder holding one broken table."""

    def build(tmp: Path) -> list[str]:
        res = results(tmp)
        refs = make_reference_dir(tmp)
        if table is not None:
            _file(refs, table, "broken.csv")
        return ["report", str(res), "--reference", str(refs), "--out", str(tmp / "report")]

    return build


def _bench_with_hostile_dataset(tmp: Path) -> list[str]:
    empty = str(_empty(tmp))
    return ["bench", MODEL, "--size", "32x32", "--no-latency", "--no-memory", "--counters",
            "ntire", "--dataset", "../../x", "--results-dir", str(tmp / "results"),
            "--checkpoint-dir", empty, "--cache-dir", empty]  # fmt: skip


HEADER = ",".join(COLUMNS).encode() + b"\n"
ROW = b"EIMN (ECAI 2023),T9,EIMN-A,EIMN_A_x4,4,Set5,32.53,0.8993,880,47.78,DF2K,here\n"

# id, argv builder, exit code, fragment of stderr
CASES: list[tuple[str, Callable[[Path], list[str]], int, str]] = [
    # the gate: numbers it cannot trust fail the cell that holds them (1)
    ("baseline-nan", _gate(_baseline(_cell(psnr=NAN))), 1, f"{CELL}: baseline psnr is nan"),
    ("baseline-null", _gate(_baseline(_cell(ssim=None))), 1, "baseline ssim is None"),
    ("baseline-string", _gate(_baseline(_cell(psnr="32.5"))), 1, "baseline psnr is '32.5'"),
    ("baseline-no-psnr", _gate(_baseline(_cell(psnr=...))), 1, "baseline has no psnr"),
    ("results-nan", _gate(psnr=NAN), 1, f"invalid: {CELL}: results psnr is nan"),
    ("results-inf", _gate(ssim=float("inf")), 1, "results ssim is inf"),
    (
        "results-partial",
        _gate(partial=True, failed=[{"name": "bird", "file": "bird.png", "reason": "x"}]),
        1,
        f"invalid: {CELL}: results is partial, not scored: bird",
    ),
    (
        "results-modified-data",
        _gate(data={"manifest": {"status": "modified"}}),
        1,
        "results scored on modified data",
    ),
    ("results-other-count", _gate(n_images=1), 1, "n_images 1 differs from the baseline's 2"),
    (
        "missing-cell",
        _gate(_baseline(_cell(), _cell(dataset="Set14"))),
        1,
        f"missing: {MODEL} Set14 [basicsr]: not in the results",
    ),
    ("empty-results", _gate(results=_empty), 1, f"missing: {CELL}"),
    ("truncated-in-results", _gate(results=_truncated), 1, "not valid JSON"),
    # the gate: unusable files and flags (2)
    ("results-absent", _gate(results=lambda t: t / "nope"), 2, "nope: no such file or folder"),
    (
        "results-truncated-file",
        _gate(results=lambda t: _truncated(t) / MODEL / "Set5__basicsr.json"),
        2,
        "Set5__basicsr.json: not valid JSON",
    ),
    ("baseline-empty", _gate({"schema": BASELINE_SCHEMA, "cells": []}), 2, "baseline is empty"),
    ("baseline-no-cells", _gate({"schema": BASELINE_SCHEMA}), 2, "baseline is empty"),
    ("baseline-no-schema", _gate({"cells": [_cell()]}), 2, "no known schema"),
    ("baseline-list", _gate([_cell()]), 2, "no known schema"),
    ("baseline-string-file", _gate('"cells"'), 2, "no known schema"),
    ("baseline-truncated", _gate('{"schema": "sr-suite/baseline/1", "ce'), 2, "not valid JSON"),
    ("baseline-not-utf8", _gate(b'{"schema": "\xff"}'), 2, "baseline.json: not UTF-8"),
    ("baseline-cells-object", _gate(_baseline(cells={})), 2, "'cells' must be a list"),
    ("baseline-cell-number", _gate(_baseline(cells=[3])), 2, "cells[0] needs model"),
    ("baseline-cell-unnamed", _gate(_baseline(_cell(model=None))), 2, "cells[0] needs model"),
    ("baseline-duplicate", _gate(_baseline(_cell(), _cell())), 2, "cells[1] repeats"),
    ("baseline-bench-unnamed", _gate(_baseline(bench=[{"model": MODEL}])), 2, "bench[0] needs"),
    (
        "baseline-absent",
        lambda t: ["gate", str(_results(t)), "--baseline", str(t / "nope.json")],
        2,
        "nope.json: no such file or folder",
    ),
    (
        "baseline-empty-folder",
        lambda t: ["gate", str(_results(t)), "--baseline", str(_empty(t))],
        2,
        "baseline is empty",
    ),
    ("psnr-tol-nan", _gate(None, "--psnr-tol", "nan"), 2, "--psnr-tol must be a finite number"),
    ("psnr-tol-negative", _gate(None, "--psnr-tol=-0.1"), 2, "--psnr-tol must be a finite"),
    ("ssim-tol-inf", _gate(None, "--ssim-tol", "inf"), 2, "--ssim-tol must be a finite number"),
    ("latency-rtol-nan", _gate(None, "--latency-rtol", "nan"), 2, "--latency-rtol must be"),
    ("latency-rtol-no-bench", _gate(None, "--latency-rtol", "0.1"), 2, "lists no `suite bench`"),
    ("filter-matches-nothing", _gate(None, "--dataset", "Set14"), 2, "no baseline cells matched"),
    ("write-baseline-empty", _write_baseline(_empty), 2, "nothing to freeze"),
    (
        "write-baseline-partial",
        _write_baseline(lambda t: _results(t, partial=True, failed=["bird"])),
        2,
        "cannot be trusted",
    ),
    ("write-baseline-nan", _write_baseline(lambda t: _results(t, psnr=NAN)), 2, "psnr is nan"),
    # #params, Multi-Adds and latency of `suite bench` results
    (
        "bench-params-changed",
        _gate(_baseline(bench=[BENCH_BASE]), results=lambda t: _bench(t, params=880871)),
        1,
        f"changed: {MODEL} bench cpu params",
    ),
    (
        "bench-macs-changed",
        _gate(
            _baseline(bench=[BENCH_BASE]),
            results=lambda t: _bench(t, macs={"ntire": 47.8, "default": "ntire"}),
        ),
        1,
        f"changed: {MODEL} bench cpu macs.ntire",
    ),
    (
        "bench-missing",
        _gate(_baseline(bench=[BENCH_BASE])),
        1,
        f"missing: {MODEL} bench cpu bench: no `suite bench` result",
    ),
    (
        "bench-latency-slower",
        _gate(
            _baseline(bench=[BENCH_BASE]),
            "--latency-rtol",
            "0.1",
            results=lambda t: _bench(t, latency_ms={"median": 120.0}),
        ),
        1,
        f"regressed: {MODEL} bench cpu {BENCH_LATENCY}",
    ),
    (
        "bench-params-nan",
        _gate(_baseline(bench=[BENCH_BASE]), results=lambda t: _bench(t, params=NAN)),
        1,
        "results params is nan, not a count",
    ),
    # names that would leave the results folder
    ("bench-dataset-traversal", _bench_with_hostile_dataset, 2, "'../../x'"),
    # reference tables
    ("reference-short-row", _report(HEADER + b"P,T,M\n"), 2, "broken.csv:2: 3 fields"),
    ("reference-extra-field", _report(HEADER + ROW[:-1] + b",x\n"), 2, "broken.csv:2: 13 fields"),
    ("reference-not-utf8", _report(HEADER + ROW + b"\xe9\n"), 2, "broken.csv:3: byte 0xe9"),
    ("reference-empty", _report(b""), 2, "broken.csv:1: empty file"),
    (
        "reference-no-tables",
        lambda t: ["report", str(_results(t)), "--reference", str(_empty(t))],
        2,
        "no reference tables",
    ),
    (
        "report-psnr-close-nan",
        lambda t: ["report", str(_results(t)), "--psnr-close", "nan"],
        2,
        "--psnr-close must be a finite number",
    ),
    # where a report or figures go (issue #12: --out is a folder)
    (
        "report-out-is-a-file",
        lambda t: ["report", str(_results(t)), "--out", str(t / "report.md")],
        2,
        "looks like a file; --out is the folder the outputs are written into",
    ),
    (
        "plot-several-folders-no-out",
        lambda t: ["plot", str(_results(t)), str(_results(t / "b")), "--format", "png"],
        2,
        "make one field-wide output: say where it goes with --out DIR",
    ),
    # truncated result files under reports
    ("report-truncated-only", _report(None, _truncated), 2, "no evaluation results"),
    (
        "report-truncated-one",
        _report(None, lambda t: _results(_truncated(t).parent, "Set14")),
        0,
        "warning: skipping",
    ),
    (
        "report-truncated-bench",
        _report(None, _broken_bench),
        0,
        "profile__cuda.json: not valid JSON",
    ),
]


@pytest.mark.parametrize(
    ("build", "code", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_fault(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, build, code: int, fragment: str
) -> None:
    monkeypatch.setenv("SUITE_RESULTS_DIR", str(tmp_path / "results"))  # not the repo's results/
    argv = build(tmp_path)
    assert main(argv) == code, capsys.readouterr()
    err = capsys.readouterr().err
    assert "Traceback" not in err and fragment in err, err
    if code == 2:
        (line,) = [x for x in err.splitlines() if x.startswith("error:")]
        assert fragment in line and err.rstrip().endswith(line)


def test_a_hostile_bench_dataset_writes_nothing(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("SUITE_RESULTS_DIR", str(tmp_path / "results"))
    assert main(_bench_with_hostile_dataset(tmp_path)) == 2
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


# an optional extra that is not installed: one line naming the install command, nothing written
EXTRAS = [
    ("plot-without-matplotlib", ["plot"], "matplotlib"),
    ("report-html-without-markdown-it", ["report", "--html"], "markdown_it"),
]


@pytest.mark.parametrize(("command", "module"), [e[1:] for e in EXTRAS], ids=[e[0] for e in EXTRAS])
def test_a_missing_report_extra_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, command: list[str], module: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # as if it were not installed
    results = _results(tmp_path)
    out = tmp_path / "out"
    assert main([command[0], str(results), *command[1:], "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        f"error: {module} is not installed here: pip install 'sr-suite[report]' (figures and "
        "report.html need it)"
    )
    assert not out.exists()
