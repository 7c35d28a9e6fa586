"""`suite bench` (formerly `suite profile`): JSON keys on a tiny configuration, the table, the
output path, flags, the deprecated alias, errors, and your own model (``--arch``) benchmarked
beside its evaluations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.tiny import Upsampler, make_env

from suite.bench import benchmark as benchmark_module
from suite.bench.benchmark import BenchOptions, result_path
from suite.bench.counters import COUNTERS
from suite.cli import build_parser, main
from suite.cli.commands import bench as bench_command
from suite.models import zoo
from suite.reporting.console import bench_text
from suite.reporting.markdown import write_report

# One thread: on a busy 2-core machine, two OpenMP threads can make a 16×16 forward 50× slower.
FAST = ["--size", "64x64", "--repeats", "2", "--warmup", "1", "--threads", "1"]


@pytest.fixture
def no_checkpoints(monkeypatch, tmp_path: Path) -> list[str]:
    """Location flags that hide every checkpoint (profiling must then use random weights)."""
    monkeypatch.delenv("SUITE_CHECKPOINT_DIR", raising=False)
    empty = tmp_path / "empty"
    empty.mkdir()
    return ["--checkpoint-dir", str(empty), "--cache-dir", str(empty)]


@pytest.mark.slow  # a fresh process measures CPU memory
def test_profile_json_has_every_key(capsys, tmp_path: Path, no_checkpoints: list[str]) -> None:
    results = tmp_path / "results"
    argv = ["bench", "EIMN_A_x4", *FAST, "--json", "--results-dir", str(results)]
    assert main([*argv, *no_checkpoints]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["params"] == 880_870 and out["checkpoint_params"] is None
    assert out["weights"].startswith("random") and out["checkpoint"] is None
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
    argv = ["bench", "EIMN_A_x4", *FAST, "--no-latency", "--no-memory", "--no-write"]
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
    assert "note:" not in bench_text(result)
    result["macs_disagreements"] = [{"counter": "fvcore", "reference": "ntire", "relative": 0.02}]
    result["macs_detail"]["fvcore"] = {"by_op": {"conv": 100, "layer_norm": 2}}
    assert "fvcore +2.00% — also counts: layer_norm" in bench_text(result)


def test_profile_path_keeps_non_default_runs_apart(tmp_path: Path) -> None:
    assert result_path(tmp_path, "M", BenchOptions()) == tmp_path / "M" / "profile__cpu.json"
    opts = BenchOptions(device="cuda:1", precision="fp16", dataset="Set5")
    assert result_path(tmp_path, "M", opts).name == "profile__cuda__fp16__Set5.json"


def test_flags_map_onto_bench_options() -> None:
    """Every BenchOptions field is a flag of the same name; defaults agree with the library."""
    args = build_parser().parse_args(["bench", "EIMN_A_x4"])
    assert bench_command._options(args) == BenchOptions()
    args = build_parser().parse_args(["bench", "M", "--no-latency", "--no-cudnn-benchmark"])
    opts = bench_command._options(args)
    assert (opts.latency, opts.memory, opts.cudnn_benchmark) == (False, True, False)
    assert opts.counters == COUNTERS


def test_profile_is_a_deprecated_alias_of_bench(capsys, no_checkpoints: list[str]) -> None:
    argv = ["profile", "IMDN_x4", "--no-latency", "--no-memory", "--no-write", "--json"]
    assert main([*argv, "--counters", "ntire", *no_checkpoints]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["model"] == "IMDN_x4"
    assert "`suite profile` is deprecated; use `suite bench`" in captured.err


def test_bench_needs_a_model_or_all(capsys) -> None:
    assert main(["bench"]) == 2
    assert "MODEL" in capsys.readouterr().err
    for bad in (["--size", "big"], ["--counters", "nope"]):
        with pytest.raises(SystemExit):
            main(["bench", "EIMN_A_x4", *bad])


@pytest.mark.shared
def test_checkpoint_on_disk_is_verified_and_recorded(
    capsys, tmp_path: Path, shared_checkpoints: Path
) -> None:
    ckpt = zoo.get_spec("IMDN_x4").checkpoint
    source = shared_checkpoints / ckpt.subdir
    argv = ["bench", "IMDN_x4", "--no-latency", "--no-write", "--json", "--counters", "ntire"]
    argv += ["--checkpoint-dir", str(shared_checkpoints), "--cache-dir", str(tmp_path)]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(benchmark_module, "_memory", lambda model, job: None)
        assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["weights"] == "checkpoint"
    assert out["checkpoint"] == {
        "file": str(source / ckpt.filename),
        "sha256": ckpt.sha256,
        "url": ckpt.url,
        "verification": "registry",
    }


def test_dataset_name_is_canonical_in_the_record_and_file_name() -> None:
    opts = BenchOptions(dataset="set5")
    assert opts.dataset == "Set5"
    assert result_path(Path("r"), "M", opts).name == "profile__cpu__Set5.json"


@pytest.fixture
def three_models(monkeypatch) -> list[str]:
    """`--all` runs over three small models only."""
    ids = ["IMDN_x2", "IMDN_x3", "IMDN_x4"]
    specs = {i: zoo.get_spec(i) for i in ids}
    monkeypatch.setattr(zoo, "model_specs", lambda: dict(specs))
    return ids


def test_all_keeps_going_and_names_the_failures(
    capsys, tmp_path: Path, no_checkpoints: list[str], three_models: list[str]
) -> None:
    results = tmp_path / "results"
    argv = ["bench", "--all", "--size", "3x3", "--no-latency", "--no-memory", "--counters", "ntire"]
    assert main([*argv, "--results-dir", str(results), *no_checkpoints]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("error: cannot benchmark IMDN_x4: output 3×3 is smaller")
    assert err[-1].startswith("error: 1 of 3 models failed: IMDN_x4 (")
    assert "Traceback" not in "\n".join(err)
    written = sorted(p.parent.name for p in results.rglob("profile__*.json"))
    assert written == ["IMDN_x2", "IMDN_x3"]


def test_all_reports_an_internal_error_as_exit_3(
    monkeypatch, capsys, three_models: list[str]
) -> None:
    def fake(spec, opts):
        if spec.id == "IMDN_x3":
            raise ZeroDivisionError("a bug")
        return {"model": spec.id}

    monkeypatch.setattr(benchmark_module, "benchmark", fake)
    assert main(["bench", "--all", "--no-write", "--json"]) == 3
    captured = capsys.readouterr()
    assert [json.loads(line)["model"] for line in captured.out.splitlines()] == [
        "IMDN_x2",
        "IMDN_x4",
    ]
    assert "Traceback" in captured.err and "ZeroDivisionError: a bug" in captured.err
    assert "error: 1 of 3 models failed: IMDN_x3" in captured.err


# --------------------------------------------------------------------------- your own model

MINE = ["--arch", "support.tiny:Upsampler", "--arch-kwargs", '{"scale": 2}', "--scale", "2"]
QUICK = ["--repeats", "1", "--warmup", "0", "--threads", "1", "--counters", "ntire"]


def test_your_model_is_benchmarked_beside_its_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    _, opts, _ = make_env(tmp_path, monkeypatch)
    weights = ["--weights", str(opts.checkpoint_dir / "up_x2.pth"), "--name", "MyUp"]
    where = ["--results-dir", str(opts.results_dir), "--data-root", str(opts.data_root)]
    assert main(["eval", *MINE, *weights, "--dataset", "Set5", "--no-progress", *where]) == 0
    assert main(["bench", *MINE, *weights, *QUICK, "--no-memory", "--json", *where]) == 0
    out = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert (out["model"], out["family"], out["arch"]) == ("MyUp", "user", "support.tiny:Upsampler")
    assert out["params"] == out["checkpoint_params"] == 12  # a 1×1 conv, 3 → 3 channels
    assert out["weights"] == "checkpoint" and out["checkpoint"]["verification"] == "user"
    assert out["user_model"]["class_name"] == "Upsampler"
    assert out["size"]["input"] == {"height": 360, "width": 640}
    written = opts.results_dir / "MyUp" / "profile__cpu.json"  # beside Set5__basicsr.json
    assert json.loads(written.read_text())["macs"] == out["macs"]
    report = write_report(opts.results_dir / "MyUp", bench_dirs=())
    complexity = report.read_text().split("## Complexity")[1].split("##")[0]
    assert "| MyUp " in complexity and "| 12 " in complexity


def test_your_model_flags_are_checked(capsys, no_checkpoints: list[str]) -> None:
    for argv, fragment in (
        (["--all", *MINE], "--all benchmarks the zoo; give your model (--arch) without it"),
        (["IMDN_x4", "--scale", "4"], "--scale is your model's (with --arch)"),
        ([*MINE], "needs --weights (the file its weights are saved in)"),
        (["IMDN_x4", "--name", "Mine"], "--name describes your own model: give --arch too"),
    ):
        assert main(["bench", *argv, *no_checkpoints]) == 2
        assert fragment in capsys.readouterr().err


def test_an_exception_in_your_model_names_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    _, opts, _ = make_env(tmp_path, monkeypatch)

    def forward(self, x):
        raise ValueError("odd input")

    monkeypatch.setattr(Upsampler, "forward", forward)
    weights = ["--weights", str(opts.checkpoint_dir / "up_x2.pth"), "--results-dir", str(tmp_path)]
    assert main(["bench", *MINE, *weights, *QUICK, "--no-memory", "--size", "64x64"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: Upsampler_x2: your model raised ValueError: odd input (")
    assert f"{Path(__file__).name}:" in err and "Traceback" not in err
    assert not list(tmp_path.rglob("profile__*.json"))


@pytest.mark.slow  # a fresh process measures CPU memory
def test_your_models_cpu_memory_is_measured_in_a_fresh_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    _, opts, _ = make_env(tmp_path, monkeypatch)
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent.parent))  # support.tiny, there too
    weights = ["--weights", str(opts.checkpoint_dir / "up_x2.pth"), "--no-write", "--json"]
    argv = ["bench", *MINE, *weights, *QUICK, "--no-latency", "--size", "64x64"]
    assert main(argv) == 0
    memory = json.loads(capsys.readouterr().out)["peak_memory_mb"]
    assert memory["device"] == "cpu" and memory["peak_rss_mb"] > 0
