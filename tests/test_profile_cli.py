"""`suite profile`: JSON keys on a tiny configuration, the table, the output path, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from suite.bench.benchmark import BenchOptions, result_path
from suite.bench.complexity import COUNTERS
from suite.cli import main
from suite.cli.profile import format_profile

# One thread: on a busy 2-core machine, two OpenMP threads can make a 16×16 forward 50× slower.
FAST = ["--size", "64x64", "--repeats", "2", "--warmup", "1", "--threads", "1"]


@pytest.fixture
def no_checkpoints(monkeypatch, tmp_path: Path) -> list[str]:
    """Location flags that hide every checkpoint (profiling must then use random weights)."""
    monkeypatch.delenv("SUITE_CHECKPOINT_DIR", raising=False)
    empty = tmp_path / "empty"
    empty.mkdir()
    return ["--checkpoint-dir", str(empty), "--cache-dir", str(empty)]


def test_profile_json_has_every_key(capsys, tmp_path: Path, no_checkpoints: list[str]) -> None:
    results = tmp_path / "results"
    argv = ["profile", "EIMN_A_x4", *FAST, "--json", "--results-dir", str(results)]
    assert main([*argv, *no_checkpoints]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["params"] == 880_870 and out["checkpoint_params"] is None
    assert out["weights"].startswith("random")
    assert set(out["macs"]) == {*COUNTERS, "default"} and out["macs"]["default"] == "ntire"
    assert all(isinstance(out["macs"][c], float) for c in COUNTERS)
    assert out["size"]["input"] == {"height": 16, "width": 16}
    assert set(out["latency_ms"]) >= {"median", "mean", "std", "min", "count"}
    assert out["latency_ms"]["count"] == 2 and out["latency"]["settings"]["warmup"] == 1
    assert out["peak_memory_mb"]["device"] == "cpu" and out["peak_memory_mb"]["peak_mb"] >= 0
    assert {"torch", "cpu", "torch_threads", "flags", "precision"} <= set(out["env"])
    assert set(out["notes"]["counters"]) == set(COUNTERS)
    assert "flops" not in out
    written = results / "EIMN_A_x4" / "profile__cpu__64x64.json"
    assert json.loads(written.read_text())["macs"] == out["macs"]


def test_profile_table_shows_counters_side_by_side(capsys, no_checkpoints: list[str]) -> None:
    argv = ["profile", "EIMN_A_x4", *FAST, "--no-latency", "--no-memory", "--no-write"]
    assert main([*argv, "--counters", "thop,flop_counter,ntire", "--flops", *no_checkpoints]) == 0
    text = capsys.readouterr().out
    header = next(line for line in text.splitlines() if line.startswith("Multi-Adds"))
    assert header.split()[-3:] == ["thop", "flop_counter", "ntire*"]
    assert "FLOPs" in text and "Latency: skipped" in text and "Peak memory: skipped" in text


def test_table_notes_disagreements_only_above_one_percent() -> None:
    result = {
        "model": "M",
        "family": "F",
        "scale": 2,
        "weights": "checkpoint",
        "size": {
            "input": {"height": 360, "width": 640},
            "output": {"height": 720, "width": 1280},
            "note": "n",
        },
        "params": 10,
        "checkpoint_params": 10,
        "macs": {"fvcore": 1.0, "ntire": 1.0, "default": "ntire"},
        "macs_detail": {"fvcore": {}, "ntire": {}},
        "macs_disagreements": [],
        "latency": None,
        "peak_memory_mb": None,
    }
    assert "note:" not in format_profile(result)
    result["macs_disagreements"] = [{"counter": "fvcore", "reference": "ntire", "relative": 0.02}]
    result["macs_detail"]["fvcore"] = {"by_op": {"conv": 100, "layer_norm": 2}}
    assert "fvcore +2.00% — also counts: layer_norm" in format_profile(result)


def test_profile_path_keeps_non_default_runs_apart(tmp_path: Path) -> None:
    assert result_path(tmp_path, "M", BenchOptions()) == tmp_path / "M" / "profile__cpu.json"
    opts = BenchOptions(device="cuda:1", precision="fp16", dataset="Set5")
    assert result_path(tmp_path, "M", opts).name == "profile__cuda__fp16__Set5.json"


def test_cli_counter_list_matches_the_library() -> None:
    from suite.cli import profile as command

    assert command._COUNTERS == COUNTERS


def test_profile_needs_a_model_or_all(capsys) -> None:
    assert main(["profile"]) == 2
    assert "MODEL" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["profile", "EIMN_A_x4", "--size", "big"])
