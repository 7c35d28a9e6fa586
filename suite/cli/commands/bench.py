"""``suite bench``: #params, Multi-Adds, latency and peak memory of zoo models, or of yours.

Your own model is given as to ``suite eval`` (``--arch module:Class --weights FILE --scale S
--name NAME``), and its result is written beside its evaluations, where reports and plots find
it. Formerly ``suite profile``; that name stays as a deprecated alias for one release.

The network runs in one latency mode (``--precision``, ``--tf32``, ``--autocast``,
``--channels-last``, ``--compile``), or in each of several in turn (``--modes``, one record and
file per mode), or under a published protocol (``--latency-profile ntire_esr``).

``--executor ray [--address ADDR] [--accelerator-type KIND]`` (the flags of ``suite reproduce``,
:func:`suite.cli.options.add_executor`) runs each cell — a model in one mode — as a
task on a Ray cluster: with ``--device cuda`` on one GPU (of kind KIND, which then names the
file: ``profile__cuda__H100.json``), a complexity-only cell on a CPU. This process writes every
record, as each arrives.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import traceback

from suite.bench.counters import COUNTERS
from suite.cli import options
from suite.errors import SuiteError

NAME = "bench"
ALIASES = ("profile",)  # deprecated: "profile" is easily confused with convention profiles
HELP = "#params, Multi-Adds (four counters), latency and peak memory of a model"
DESCRIPTION = (
    "Benchmark a zoo model, or your own (--arch), at a 1280x720 output (input = floor(size / "
    "scale)). Never downloads: without a checkpoint on disk the weights are random, which "
    "changes neither complexity nor timing."
)


def _size(text: str) -> tuple[int, int]:
    """``WxH`` → (width, height); the values are checked by BenchOptions."""
    try:
        width, height = (int(v) for v in text.lower().replace("×", "x").split("x"))
    except ValueError:
        msg = f"size must be WIDTHxHEIGHT, e.g. 1280x720: {text!r}"
        raise argparse.ArgumentTypeError(msg) from None
    return width, height


# the latency modes and profiles of suite.bench.latency, named here without importing torch
# (tests/cli/test_bench.py checks that the two lists agree)
MODE_NAMES = "fp32, tf32, fp16, bf16, autocast-fp16, autocast-bf16, channels_last, compile"
PROFILE_NAMES = ("ntire_esr",)


def _modes(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in (*MODE_NAMES.split(", "), "all")]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"modes are a comma list of {MODE_NAMES}, or all")
    return names


def _counters(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in COUNTERS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"counters are a comma list of {', '.join(COUNTERS)}")
    return names


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", nargs="?", help="zoo id, e.g. EIMN_A_x4 (see `suite list`)")
    p.add_argument("--all", action="store_true", help="benchmark every model in the zoo")
    p.add_argument("--size", type=_size, default=(1280, 720), help="output WxH (1280x720)")
    options.add_device(p)
    p.add_argument("--repeats", type=int, default=10, help="timed forward passes (10)")
    p.add_argument("--warmup", type=int, default=3, help="untimed forward passes first (3)")
    p.add_argument("--precision", choices=("fp32", "fp16", "bf16"), default="fp32")
    p.add_argument("--dataset", help="time the LR images of this set instead (e.g. Set5)")
    options.add_allow_modified_data(p)
    p.add_argument("--latency", action=argparse.BooleanOptionalAction, default=True, help="time")
    p.add_argument(
        "--memory", action=argparse.BooleanOptionalAction, default=True, help="peak memory"
    )
    p.add_argument("--flops", action="store_true", help="also report FLOPs = 2 × MACs")
    p.add_argument(
        "--counters",
        type=_counters,
        default=COUNTERS,
        help=f"comma list of MAC counters (default all: {','.join(COUNTERS)})",
    )
    p.add_argument("--threads", type=int, help="CPU threads for timing (default: torch's)")
    p.add_argument(
        "--cudnn-benchmark",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="cuDNN autotuning",
    )
    p.add_argument("--tf32", action="store_true", help="allow TF32 on Ampere+ GPUs (off)")
    p.add_argument(
        "--autocast", choices=("fp16", "bf16"), help="run fp32 weights under torch.autocast"
    )
    p.add_argument(
        "--channels-last", action="store_true", help="weights and input in channels_last format"
    )
    p.add_argument("--compile", action="store_true", help="time the torch.compile'd network")
    p.add_argument(
        "--latency-profile",
        choices=PROFILE_NAMES,
        help="time as a published protocol does (ntire_esr: the NTIRE Efficient SR "
        "challenges' DIV2K validation images, fp32, no warm-up, mean)",
    )
    p.add_argument(
        "--modes",
        type=_modes,
        help="measure in each of these latency modes in turn, one record each: a comma list "
        f"of {MODE_NAMES}, or all (every mode the device has)",
    )
    options.add_json(p, "the result (one line per model)")
    p.add_argument("--no-write", action="store_true", help="do not write results/")
    p.add_argument("--scale", type=float, help="with --arch: the scale your model upscales by")
    options.add_user_model(p)
    options.add_locations(p, "data", "checkpoints", "cache", "results")
    options.add_executor(p)


def _models(args: argparse.Namespace) -> list:  # -> list[ModelSpec] (lazy import: torch)
    """What to benchmark: the zoo (``--all``), one zoo id, or your model (``--arch``)."""
    from suite.models.zoo import get_spec, model_specs

    if args.arch and args.all:
        raise SuiteError("--all benchmarks the zoo; give your model (--arch) without it")
    if not args.arch:
        if args.all == bool(args.model):
            raise SuiteError("give either a MODEL id or --all (or your own model: --arch)")
        if args.scale is not None:
            raise SuiteError("--scale is your model's (with --arch); a zoo model has its own")
    if args.all:
        return list(model_specs().values())
    model = options.model_from_args(args)
    return [get_spec(model) if isinstance(model, str) else model]


def _options(args: argparse.Namespace):  # -> BenchOptions (lazy import: torch)
    """Every flag is named after the BenchOptions field it sets."""
    from suite.bench.benchmark import BenchOptions

    return BenchOptions(**{f.name: getattr(args, f.name) for f in dataclasses.fields(BenchOptions)})


def _runs(args: argparse.Namespace, specs: list, opts) -> list[tuple]:  # (spec, opts, label)
    """One run per model, or per model and mode with ``--modes`` (which sets the mode itself:
    a mode flag beside it is refused, as is a latency profile, which fixes its own)."""
    from suite.bench.benchmark import BenchOptions, mode_options, sweep_modes

    if not args.modes:
        return [(spec, opts, spec.id) for spec in specs]
    plain = BenchOptions()
    given = [
        flag
        for flag, field in (
            ("--precision", "precision"),
            ("--tf32", "tf32"),
            ("--autocast", "autocast"),
            ("--channels-last", "channels_last"),
            ("--compile", "compile"),
            ("--latency-profile", "latency_profile"),
        )
        if getattr(opts, field) != getattr(plain, field)
    ]
    if given:
        raise SuiteError(f"--modes sets the latency mode of each run: drop {', '.join(given)}")
    modes = sweep_modes(opts.device) if "all" in args.modes else list(dict.fromkeys(args.modes))
    runs = [(mode, mode_options(opts, mode)) for mode in modes]  # every mode checked up front
    return [(spec, mode_opts, f"{spec.id} [{mode}]") for spec in specs for mode, mode_opts in runs]


def _measure_cell(spec, opts):  # -> the record (lazy import: torch)
    """One cell (a model in one mode): :func:`suite.bench.benchmark.benchmark`, run where the
    executor puts it; it returns the record and writes nothing."""
    from suite.bench import benchmark

    return benchmark.benchmark(spec, opts)


def _going_on(spec, opts):  # -> the record, or the internal error it raised
    """:func:`_measure_cell` as one of several cells in this process: an internal error is
    printed with its traceback and returned, so that the other cells still run (exit 3)."""
    try:
        return _measure_cell(spec, opts)
    except SuiteError:
        raise
    except Exception as exc:
        traceback.print_exc()
        return exc


def _tasks(runs: list[tuple], executor, accelerator_type: str | None) -> list:  # -> list[Task]
    """One task per run. In this process, each is the benchmark itself. On a Ray cluster, a
    cell that times or measures memory asks for the device (one GPU, of ``accelerator_type``
    when given, and its CPU threads); a complexity-only cell (``--no-latency --no-memory``) is
    a CPU task counted on the CPU (the counts do not depend on the device; its record and file
    say cpu). Locations given as flags are sent as absolute paths."""
    import torch

    from suite.evaluation.executors import Resources, Task, device_resources, for_workers

    if executor.in_process:
        fn = _measure_cell if len(runs) == 1 else _going_on
        return [Task(label, fn, (spec, opts)) for spec, opts, label in runs]
    tasks = []
    for spec, opts, label in runs:
        threads = opts.threads or torch.get_num_threads()
        if opts.latency or opts.memory:
            device = "cuda" if opts.device.startswith("cuda") else opts.device  # Ray's GPU
            resources = device_resources(opts.device, accelerator_type, threads)
        else:
            device, resources = "cpu", Resources(float(threads))
        cell = dataclasses.replace(for_workers(opts), device=device)
        tasks.append(Task(label, _measure_cell, (spec, cell), resources=resources))
    return tasks


def run(args: argparse.Namespace) -> int:
    """Benchmark one model (or the zoo), in one mode or several, print each result and write it
    under the results dir.

    Every flag is checked before the first model runs. Each run (model × mode) is one cell of
    the executor (``--executor``: in this process, or a task on a Ray cluster); this process
    writes every record as it arrives, so nothing finished is lost. With ``--all`` or
    ``--modes`` one run's failure does not end the others: they are benchmarked and written,
    and the failed ones are named at the end (exit 2, or 3 when one of them was an internal
    error in this process).
    """
    from suite import paths
    from suite.bench.benchmark import result_path
    from suite.bench.environment import resolve_device
    from suite.evaluation.executors import device_resources
    from suite.reporting.console import bench_text
    from suite.results.store import write_json

    specs = _models(args)
    opts = _options(args)
    executor = options.executor_from_args(args)
    resolve_device(opts.device, here=executor.in_process)  # a worker's GPU is not this one's
    device_resources(opts.device, args.accelerator_type)  # a GPU kind needs a GPU device
    runs = _runs(args, specs, opts)
    tasks = _tasks(runs, executor, args.accelerator_type)
    failed: list[str] = []
    internal = False
    for outcome in executor.run(tasks):
        label, (spec, run_opts) = outcome.task.key, outcome.task.args
        result = outcome.value
        if not outcome.ok or isinstance(result, Exception):
            error = str(result if outcome.ok else outcome.error)
            named = error if spec.id in error else f"{spec.id}: {error}"
            if len(runs) == 1:
                raise SuiteError(named)
            failed.append(label)  # one run's failure must not end a zoo-wide or mode sweep
            internal |= outcome.ok  # an internal error in this process (traceback printed)
            print(f"error: {named}", file=sys.stderr)
            continue
        lines = [json.dumps(result)] if args.json else [bench_text(result)]
        if not args.no_write:
            folder = paths.results_dir(args.results_dir)
            path = result_path(folder, spec.id, run_opts, args.accelerator_type)
            write_json(path, result)
            if not args.json:
                lines.append(f"wrote {path}")
        if not args.json and len(runs) > 1:
            lines.append("")  # a blank line between runs
        print("\n".join(lines), flush=True)
    if failed:
        what = "runs" if args.modes else "models"
        print(
            f"error: {len(failed)} of {len(runs)} {what} failed: {', '.join(failed)} "
            "(reasons above; the other results are kept)",
            file=sys.stderr,
        )
        return 3 if internal else 2
    return 0
