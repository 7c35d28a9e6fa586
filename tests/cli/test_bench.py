"""`suite bench` (formerly `suite profile`): JSON keys on a tiny configuration, the table, the
output path, flags, the deprecated alias, errors, your own model (``--arch``) benchmarked
beside its evaluations, the latency modes (each its own file), the NTIRE profile, and the
cells as executor tasks (their resources; a local Ray cluster writing what a local run writes)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from support.ray_cluster import local_ray
from support.tiny import Upsampler, make_env

from suite.bench import benchmark as benchmark_module
from suite.bench.benchmark import BenchOptions, result_path
from suite.bench.counters import COUNTERS
from suite.cli import build_parser, main, options
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
    on_h100 = result_path(tmp_path, "M", opts, accelerator="H100")  # a GPU kind (--executor ray)
    assert on_h100.name == "profile__cuda__H100__fp16__Set5.json"
    assert result_path(tmp_path, "M", BenchOptions(), "H100").name == "profile__cpu.json"


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


# --------------------------------------------------------------------------- latency modes


def test_every_mode_has_its_own_file_and_the_canonical_one_is_never_overwritten(
    tmp_path: Path,
) -> None:
    from suite.bench.benchmark import mode_options
    from suite.bench.latency import MODES

    base = BenchOptions(device="cuda")
    paths = {mode: result_path(tmp_path, "M", mode_options(base, mode)).name for mode in MODES}
    assert paths == {
        "fp32": "profile__cuda.json",
        "tf32": "profile__cuda__tf32.json",
        "fp16": "profile__cuda__fp16.json",
        "bf16": "profile__cuda__bf16.json",
        "autocast-fp16": "profile__cuda__autocast-fp16.json",
        "autocast-bf16": "profile__cuda__autocast-bf16.json",
        "channels_last": "profile__cuda__channels_last.json",
        "compile": "profile__cuda__compile.json",
    }
    combined = BenchOptions(
        device="cuda", precision="fp16", channels_last=True, compile=True, cudnn_benchmark=False
    )
    assert result_path(tmp_path, "M", combined).name == (
        "profile__cuda__fp16__channels_last__compile__no-cudnn-benchmark.json"
    )
    ntire = BenchOptions(device="cuda", latency_profile="ntire_esr")
    assert result_path(tmp_path, "M", ntire).name == "profile__cuda__DIV2K_val__ntire_esr.json"


def test_the_cli_names_the_library_modes_and_profiles() -> None:
    """The command lists them without importing torch; the lists must not drift apart."""
    from suite.bench.latency import LATENCY_PROFILES, MODES

    assert bench_command.MODE_NAMES.split(", ") == list(MODES)
    assert tuple(LATENCY_PROFILES) == bench_command.PROFILE_NAMES


def test_the_ntire_profile_fixes_its_protocol() -> None:
    opts = BenchOptions(latency_profile="ntire_esr", device="cuda")
    assert (opts.dataset, opts.precision, opts.warmup, opts.repeats) == ("DIV2K_val", "fp32", 0, 1)
    settings = opts.latency_settings("cuda")
    assert settings.cudnn_benchmark is False and settings.tf32 is None  # PyTorch's TF32 defaults
    assert not (settings.autocast or settings.channels_last or settings.compile)
    same = BenchOptions(latency_profile="ntire_esr", dataset="div2k_val", warmup=0, repeats=1)
    assert same.dataset == "DIV2K_val"  # what the profile fixes may be restated, not changed


def test_modes_run_one_record_each(
    monkeypatch, capsys, tmp_path: Path, no_checkpoints: list[str]
) -> None:
    seen: list[BenchOptions] = []

    def fake(spec, opts):
        seen.append(opts)
        return {"model": spec.id, "mode": benchmark_module.mode_name(opts)}

    monkeypatch.setattr(benchmark_module, "benchmark", fake)
    results = tmp_path / "results"
    argv = ["bench", "IMDN_x4", "--modes", "all", "--json", "--results-dir", str(results)]
    assert main([*argv, *no_checkpoints]) == 0
    printed = [json.loads(line)["mode"] for line in capsys.readouterr().out.splitlines()]
    expected = ["fp32", "fp16", "bf16", "autocast-fp16", "autocast-bf16", "channels_last"]
    assert printed == [*expected, "compile"]  # no tf32 on a CPU
    written = sorted(p.name for p in (results / "IMDN_x4").iterdir())
    assert len(written) == 7 and "profile__cpu.json" in written
    assert "profile__cpu__compile.json" in written and "profile__cpu__tf32.json" not in written
    argv = ["bench", "IMDN_x4", "--modes", "tf32,compile,tf32", "--device", "cpu", "--no-write"]
    assert main([*argv, "--json", *no_checkpoints]) == 0
    assert [o.compile for o in seen[-2:]] == [False, True] and seen[-2].tf32 is True


def test_a_mode_is_timed_and_recorded(capsys, no_checkpoints: list[str]) -> None:
    argv = ["bench", "IMDN_x4", *FAST, "--channels-last", "--autocast", "bf16", "--no-write"]
    assert main([*argv, "--counters", "ntire", "--json", *no_checkpoints]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["mode"] == "autocast-bf16+channels_last"
    settings = out["latency"]["settings"]
    assert settings["autocast"] == "bf16" and settings["channels_last"] is True
    assert out["latency"]["stats"]["input_shape"] == [1, 3, 16, 16]
    assert {"median", "iqr", "q25", "q75"} <= set(out["latency_ms"])
    assert out["peak_memory_mb"] is None  # the CPU's fresh process runs the plain network


def test_the_ntire_profile_times_each_image_once(
    tmp_path: Path, capsys, no_checkpoints: list[str]
) -> None:
    """Over a (two-image) DIV2K_val: no warm-up, one timing per image, their mean the score."""
    folder = tmp_path / "data" / "DIV2K_val"
    folder.mkdir(parents=True)
    for name, (h, w) in (("0801", (48, 36)), ("0802", (24, 60))):
        Image.fromarray(np.zeros((h, w, 3), np.uint8)).save(folder / f"{name}.png")
    argv = ["bench", "IMDN_x4", "--latency-profile", "ntire_esr", "--allow-modified-data"]
    argv += ["--data-root", str(folder.parent), "--threads", "1", "--counters", "ntire"]
    argv += ["--no-memory", "--json", "--results-dir", str(tmp_path / "results")]
    assert main([*argv, *no_checkpoints]) == 0
    out = json.loads(capsys.readouterr().out)
    latency = out["latency"]
    assert out["mode"] == "ntire_esr" and out["latency_profile"]["name"] == "ntire_esr"
    assert [p["count"] for p in latency["per_image"].values()] == [1, 1]
    assert latency["per_image"]["0802"]["input_shape"] == [1, 3, 6, 15]
    assert latency["settings"]["warmup"] == 0 and latency["flags"]["cudnn_benchmark"] is False
    assert latency["stats"]["mean"] == pytest.approx(
        np.mean([p["median"] for p in latency["per_image"].values()])
    )
    written = tmp_path / "results" / "IMDN_x4" / "profile__cpu__DIV2K_val__ntire_esr.json"
    assert json.loads(written.read_text())["mode"] == "ntire_esr"


# --------------------------------------------------------------------------- executors


class _Elsewhere:
    """An executor that runs nothing in this process (the tasks are only looked at)."""

    in_process = False


def test_cells_ask_a_cluster_for_what_they_measure_on(tmp_path: Path, monkeypatch) -> None:
    """A timed cell on a GPU asks for one GPU of the named kind and its CPU threads; a
    complexity-only cell is a CPU task counted on the CPU; locations go as absolute paths."""
    monkeypatch.chdir(tmp_path)
    spec = zoo.get_spec("IMDN_x4")
    timed = BenchOptions(device="cuda:1", threads=3, checkpoint_dir="ckpt", memory=False)
    counted = BenchOptions(device="cuda", latency=False, memory=False, cache_dir="cache")
    runs = [(spec, timed, "IMDN_x4 [fp32]"), (spec, counted, "IMDN_x4")]
    gpu, cpu = bench_command._tasks(runs, _Elsewhere(), "H100")
    assert gpu.key == "IMDN_x4 [fp32]" and gpu.args[0] is spec
    assert gpu.resources.ray_options() == {
        "num_cpus": 3.0,
        "num_gpus": 1.0,
        "accelerator_type": "H100",
    }
    assert gpu.args[1].device == "cuda"  # the GPU Ray gives the task
    assert gpu.args[1].checkpoint_dir == str(tmp_path / "ckpt")
    assert cpu.resources.num_gpus == 0 and "accelerator_type" not in cpu.resources.ray_options()
    assert cpu.args[1].device == "cpu" and cpu.args[1].cache_dir == str(tmp_path / "cache")
    local = bench_command._tasks(runs, options.executor_from_args(_executor_args()), None)
    assert [t.args[1] for t in local] == [timed, counted]  # in this process: as given


def _executor_args(**given: object):
    import argparse

    return argparse.Namespace(
        **{"executor": "local", "address": None, "accelerator_type": None, **given}
    )


def test_a_ray_cell_that_fails_is_named_and_the_others_written(
    monkeypatch, capsys, tmp_path: Path, three_models: list[str], no_checkpoints: list[str]
) -> None:
    """The driver writes what arrives and names what failed (exit 2), as in this process."""
    from suite.evaluation import executors

    class FakeRay:
        name, in_process = "ray", False

        def run(self, tasks):
            for task in tasks:
                if task.key == "IMDN_x3":
                    yield executors.Outcome(task, error="Ray worker lost 3 times (killed)")
                else:
                    yield executors.Outcome(task, {"model": task.key})

    monkeypatch.setattr(options, "executor_from_args", lambda args: FakeRay())
    results = tmp_path / "results"
    argv = ["bench", "--all", "--json", "--executor", "ray", "--results-dir", str(results)]
    assert main([*argv, *no_checkpoints]) == 2
    captured = capsys.readouterr()
    assert [json.loads(line)["model"] for line in captured.out.splitlines()] == [
        "IMDN_x2",
        "IMDN_x4",
    ]
    assert "error: IMDN_x3: Ray worker lost 3 times (killed)" in captured.err
    assert sorted(p.parent.name for p in results.rglob("profile__cpu.json")) == [
        "IMDN_x2",
        "IMDN_x4",
    ]


NET = """
import torch.nn.functional as F
from torch import nn


class Up(nn.Module):
    def __init__(self, scale=2):
        super().__init__()
        self.scale = scale
        self.mix = nn.Conv2d(3, 3, 1)

    def forward(self, x):
        return self.mix(F.interpolate(x, scale_factor=self.scale, mode="bicubic"))
"""


@pytest.mark.slow  # starts a local Ray cluster (a few seconds)
def test_on_a_local_ray_cluster_the_driver_writes_what_a_local_run_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """Your tiny model (a file the workers import by path) in two modes and counted only, as
    Ray tasks on ``ray.init(num_cpus=2)``: the same records (but the timings) and the same
    files as in this process, all written by the driver."""
    (tmp_path / "up_net.py").write_text(NET)
    weights = tmp_path / "up.pth"
    conv = torch.nn.Conv2d(3, 3, 1)
    torch.save({"mix.weight": conv.weight.detach(), "mix.bias": conv.bias.detach()}, weights)
    mine = ["--arch", f"{tmp_path / 'up_net.py'}:Up", "--weights", str(weights), "--scale", "2"]
    common = ["bench", *mine, *QUICK, "--size", "32x32", "--no-memory", "--json"]
    timed = [*common, "--modes", "fp32,channels_last"]
    counted = [*common, "--no-latency", "--size", "64x64"]
    runs: dict[str, dict[str, dict]] = {}
    with local_ray():
        for executor in ("local", "ray"):
            results = tmp_path / executor
            for argv in (timed, counted):
                assert main([*argv, "--executor", executor, "--results-dir", str(results)]) == 0
            lines = capsys.readouterr().out.splitlines()
            runs[executor] = {
                str(p.relative_to(results)): json.loads(p.read_text())
                for p in results.rglob("*.json")
            }
            assert sorted(json.loads(line)["mode"] for line in lines) == sorted(
                r["mode"] for r in runs[executor].values()
            )
    assert (
        sorted(runs["ray"])
        == sorted(runs["local"])
        == [
            "Up_x2/profile__cpu__32x32.json",
            "Up_x2/profile__cpu__32x32__channels_last.json",
            "Up_x2/profile__cpu__64x64.json",
        ]
    )
    for name, local in runs["local"].items():
        remote = runs["ray"][name]
        assert remote["env"]["torch_threads"] == 1  # the task's one CPU
        for key in ("macs", "params", "checkpoint_params", "size", "mode", "user_model"):
            assert remote[key] == local[key], (name, key)
        assert (remote["latency_ms"] is None) == (local["latency_ms"] is None)
