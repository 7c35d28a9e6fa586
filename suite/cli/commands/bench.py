"""``suite bench``: #params, Multi-Adds, latency and peak memory of zoo models, or of yours.

Your own model is given as to ``suite eval`` (``--arch module:Class --weights FILE --scale S
--name NAME``), and its result is written beside its evaluations, where reports and plots find
it. Formerly ``suite profile``; that name stays as a deprecated alias for one release.
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
    options.add_json(p, "the result (one line per model)")
    p.add_argument("--no-write", action="store_true", help="do not write results/")
    p.add_argument("--scale", type=float, help="with --arch: the scale your model upscales by")
    options.add_user_model(p)
    options.add_locations(p, "data", "checkpoints", "cache", "results")


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


def run(args: argparse.Namespace) -> int:
    """Benchmark one model (or the zoo), print the result and write it under the results dir.

    Every flag is checked before the first model runs. With ``--all`` one model's failure does
    not end the run: the others are benchmarked and written, and the failed ones are named at
    the end (exit 2, or 3 when one of them was an internal error).
    """
    from suite import paths
    from suite.bench.benchmark import benchmark, result_path
    from suite.bench.environment import resolve_device
    from suite.reporting.console import bench_text
    from suite.results.store import write_json

    specs = _models(args)
    opts = _options(args)
    resolve_device(opts.device)
    failed: list[str] = []
    internal = False
    for spec in specs:
        try:
            result = benchmark(spec, opts)
        except Exception as exc:
            if not args.all:
                raise
            failed.append(spec.id)  # one model's failure must not end a zoo-wide run
            if not isinstance(exc, SuiteError):
                internal = True
                traceback.print_exc()
            named = str(exc) if spec.id in str(exc) else f"{spec.id}: {exc}"
            print(f"error: {named}", file=sys.stderr)
            continue
        lines = [json.dumps(result)] if args.json else [bench_text(result)]
        if not args.no_write:
            path = result_path(paths.results_dir(args.results_dir), spec.id, opts)
            write_json(path, result)
            if not args.json:
                lines.append(f"wrote {path}")
        if not args.json and len(specs) > 1:
            lines.append("")  # a blank line between models
        print("\n".join(lines), flush=True)
    if failed:
        print(
            f"error: {len(failed)} of {len(specs)} models failed: {', '.join(failed)} "
            "(reasons above; the other results are kept)",
            file=sys.stderr,
        )
        return 3 if internal else 2
    return 0
