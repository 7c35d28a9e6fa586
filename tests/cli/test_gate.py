"""`suite gate` at the command line: its help states the exit codes, the committed baseline still
gates the committed runs, and a baseline with `suite bench` entries round-trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.results import make_results_dir

from suite.cli import main

REPO = Path(__file__).resolve().parents[2]


def test_help_states_the_exit_codes(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["gate", "--help"])
    assert exit_.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "Exit status: 0 every cell passed; 1 a cell failed" in text
    assert "2 unusable input" in text and "--latency-rtol" in text


def test_the_committed_baseline_passes_on_the_committed_runs(capsys) -> None:
    runs, baseline = REPO / "results/eimn/runs", REPO / "results/eimn/baseline_set5.json"
    assert main(["gate", str(runs), "--baseline", str(baseline), "--dataset", "Set5"]) == 0
    out = capsys.readouterr().out
    assert "gate passed: 5 cells, 0 failing" in out


def test_a_baseline_with_benchmarks_round_trips(tmp_path: Path, capsys) -> None:
    results = make_results_dir(tmp_path)  # two evaluations and a `suite bench` result
    base = tmp_path / "baseline.json"
    assert main(["gate", str(results), "--write-baseline", str(base)]) == 0
    assert "(3 cells)" in capsys.readouterr().out
    assert main(["gate", str(results), "--baseline", str(base), "--latency-rtol", "0.2"]) == 0
    text = capsys.readouterr().out
    assert "latency_median_ms" in text and "gate passed: 7 cells, 0 failing" in text

    bench = results / "EIMN_A_x4" / "profile__cpu.json"
    bench.write_text(json.dumps({**json.loads(bench.read_text()), "params": 880871}))
    assert main(["gate", str(results), "--baseline", str(base), "--json"]) == 1
    captured = capsys.readouterr()
    verdict = json.loads(captured.out)
    assert not verdict["passed"] and all(c["status"] == "ok" for c in verdict["cells"])
    (changed,) = [c for c in verdict["bench"] if c["status"] != "ok"]
    assert changed == {
        "model": "EIMN_A_x4", "key": "cpu", "metric": "params", "status": "changed",
        "value": 880871, "baseline": 880870, "reason": "",
    }  # fmt: skip
    assert "changed: EIMN_A_x4 bench cpu params" in captured.err
