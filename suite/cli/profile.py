"""``suite profile``: parameters, Multi-Adds, latency and peak memory of zoo models."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from suite.errors import SuiteError

_COUNTERS = ("fvcore", "thop", "flop_counter", "ntire")  # keep in step with suite.bench.complexity


def _size(text: str) -> tuple[int, int]:
    """``WxH`` → (width, height)."""
    try:
        width, height = (int(v) for v in text.lower().replace("×", "x").split("x"))
    except ValueError:
        msg = f"size must be WIDTHxHEIGHT, e.g. 1280x720: {text!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if width < 1 or height < 1:
        raise argparse.ArgumentTypeError(f"size must be positive: {text!r}")
    return width, height


def _counters(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in _COUNTERS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"counters are a comma list of {', '.join(_COUNTERS)}")
    return names


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``profile`` sub-command."""
    p = sub.add_parser(
        "profile",
        help="#params, Multi-Adds (three counters), latency and peak memory of a model",
        description=(
            "Profile a zoo model at a 1280x720 output (input = floor(size / scale)). Never "
            "downloads: without a checkpoint on disk the weights are random, which changes "
            "neither complexity nor timing."
        ),
    )
    p.add_argument("model", nargs="?", help="zoo id, e.g. EIMN_A_x4 (see `suite list`)")
    p.add_argument("--all", action="store_true", help="profile every model in the zoo")
    p.add_argument("--size", type=_size, default=(1280, 720), help="output WxH (1280x720)")
    p.add_argument("--device", default="cpu", help="cpu or cuda[:N]")
    p.add_argument("--repeats", type=int, default=10, help="timed forward passes (10)")
    p.add_argument("--warmup", type=int, default=3, help="untimed forward passes first (3)")
    p.add_argument("--precision", choices=("fp32", "fp16", "bf16"), default="fp32")
    p.add_argument("--dataset", help="time the LR images of this set instead (e.g. Set5)")
    p.add_argument("--no-latency", action="store_true", help="skip timing")
    p.add_argument("--no-memory", action="store_true", help="skip peak memory")
    p.add_argument("--flops", action="store_true", help="also report FLOPs = 2 × MACs")
    p.add_argument(
        "--counters",
        type=_counters,
        default=_COUNTERS,
        help=f"comma list of MAC counters (default all: {','.join(_COUNTERS)})",
    )
    p.add_argument("--threads", type=int, help="CPU threads for timing (default: torch's)")
    p.add_argument(
        "--no-cudnn-benchmark", action="store_true", help="disable cuDNN autotuning (on)"
    )
    p.add_argument("--tf32", action="store_true", help="allow TF32 on Ampere+ GPUs (off)")
    p.add_argument(
        "--json", action="store_true", help="print the result as JSON (one line per model)"
    )
    p.add_argument("--no-write", action="store_true", help="do not write results/")
    p.add_argument("--data-root", help="folder holding the benchmark sets (SUITE_DATA_ROOT)")
    p.add_argument("--checkpoint-dir", help="folder with checkpoint files (SUITE_CHECKPOINT_DIR)")
    p.add_argument("--cache-dir", help="LR/checkpoint cache (SUITE_CACHE_DIR, .cache/suite)")
    p.add_argument("--results-dir", help="where results are written (SUITE_RESULTS_DIR)")
    p.set_defaults(func=run)


# --------------------------------------------------------------------------- formatting


def _g(value: float | None) -> str:
    """G values: two decimals as papers print them, four for tiny inputs."""
    if value is None:
        return "n/a"
    return f"{value:.2f}" if value >= 10 else f"{value:.4f}"


def _macs_lines(result: dict[str, Any]) -> list[str]:
    macs, detail = result["macs"], result["macs_detail"]
    default = macs["default"]
    names = [n for n in macs if n != "default"]
    heads = [f"{n}{'*' if n == default else ''}" for n in names]
    width = max(12, *(len(h) + 2 for h in heads))
    lines = [
        "Multi-Adds [G MACs] " + "".join(h.rjust(width) for h in heads),
        " " * 20 + "".join(_g(macs[n]).rjust(width) for n in names),
        f"  * default counter ({default}); unit G = 1e9 multiply-accumulates",
    ]
    if "flops" in result:
        lines.insert(
            2, "FLOPs [G] = 2×MACs  " + "".join(_g(result["flops"][n]).rjust(width) for n in names)
        )
    for n in names:
        if detail[n].get("error"):
            lines.append(f"  {n} failed: {detail[n]['error']}")
    diffs = result.get("macs_disagreements") or []
    if diffs:
        lines.append(f"  note: counters that differ from {default} by more than 1%:")
        for d in diffs:
            why = _why(detail.get(d["counter"], {}), d["relative"])
            lines.append(f"    {d['counter']} {d['relative']:+.2%}{why}")
        lines.append("    (what each counter counts: --json notes.counters)")
    return lines


def _why(detail: dict[str, Any], relative: float) -> str:
    """A hint: what a lower counter skipped, or what else a higher one counts."""
    if relative < 0 and detail.get("uncounted_ops"):
        top = sorted(detail["uncounted_ops"].items(), key=lambda kv: -kv[1])[:4]
        return " — skipped: " + ", ".join(f"{op}×{n}" for op, n in top)
    ops = sorted(detail.get("by_op", {}).items(), key=lambda kv: -kv[1])
    if relative > 0 and len(ops) > 1:
        return " — also counts: " + ", ".join(op for op, _ in ops[1:5])
    return ""


def _latency_line(result: dict[str, Any]) -> str:
    lat = result.get("latency")
    if not lat:
        return "Latency: skipped"
    s, cfg = lat["stats"], lat["settings"]
    head = f"Latency [ms] {cfg['device']} {cfg['precision']}"
    if cfg["device"].startswith("cpu"):
        threads = lat["flags"]["torch_threads"]
        head += f" ({threads} thread{'' if threads == 1 else 's'})"
    of = f" per image over {s['count']} images" if "per_image" in lat else ""
    return (
        f"{head}: median {s['median']:.2f}  mean {s['mean']:.2f}  std {s['std']:.2f}  "
        f"min {s['min']:.2f}{of}  (repeats {cfg['repeats']}, warm-up {cfg['warmup']})"
    )


def _memory_line(result: dict[str, Any]) -> str:
    mem = result.get("peak_memory_mb")
    if not mem:
        return "Peak memory: skipped"
    if mem["device"] == "cuda":
        return (
            f"Peak memory [MB] cuda: max allocated {mem['max_allocated_mb']:.1f}  "
            f"(reserved {mem['max_reserved_mb']:.1f}, forward {mem['forward_peak_mb']:.1f})"
        )
    return (
        f"Peak memory [MB] cpu: forward {mem['forward_peak_mb']:.1f}  "
        f"(process peak RSS {mem['peak_rss_mb']:.1f}, fresh process)"
    )


def format_profile(result: dict[str, Any]) -> str:
    """The human-readable report of one profile."""
    size = result["size"]
    ckpt = result["checkpoint_params"]
    lines = [
        f"{result['model']} ({result['family']}, ×{result['scale']:g}) — weights: "
        f"{result['weights'] or 'not loaded'}",
        f"Input {size['input']['width']}×{size['input']['height']} → output "
        f"{size['output']['width']}×{size['output']['height']}  ({size['note']})",
        f"#Params {result['params']:,} trainable  (checkpoint tensors: "
        f"{'n/a, not on disk' if ckpt is None else f'{ckpt:,}'})",
        *_macs_lines(result),
        _latency_line(result),
        _memory_line(result),
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- command


def _options(args: argparse.Namespace) -> Any:
    from suite.bench.benchmark import BenchOptions

    return BenchOptions(
        size=args.size,
        device=args.device,
        precision=args.precision,
        warmup=args.warmup,
        repeats=args.repeats,
        dataset=args.dataset,
        latency=not args.no_latency,
        memory=not args.no_memory,
        counters=args.counters,
        flops=args.flops,
        cudnn_benchmark=not args.no_cudnn_benchmark,
        tf32=args.tf32,
        threads=args.threads,
        checkpoint_dir=args.checkpoint_dir,
        cache_dir=args.cache_dir,
        data_root=args.data_root,
    )


def run(args: argparse.Namespace) -> int:
    """Profile one model (or the zoo), print the result and write it under the results dir."""
    from suite import paths
    from suite.bench.benchmark import benchmark, result_path
    from suite.models.zoo import get_spec, model_specs
    from suite.results.store import write_json

    if args.all == bool(args.model):
        raise SuiteError("give either a MODEL id or --all")
    if args.repeats < 1 or args.warmup < 0:
        raise SuiteError("--repeats must be >= 1 and --warmup >= 0")
    opts = _options(args)
    specs = list(model_specs().values()) if args.all else [get_spec(args.model)]
    failed = 0
    for spec in specs:
        try:
            result = benchmark(spec, opts)
        except (SuiteError, RuntimeError, ValueError) as exc:
            if not args.all:
                raise
            failed += 1  # one model's failure must not end a zoo-wide run
            print(f"error: {spec.id}: {exc}", file=sys.stderr)
            continue
        lines = [json.dumps(result)] if args.json else [format_profile(result)]
        if not args.no_write:
            path = result_path(paths.results_dir(args.results_dir), spec.id, opts)
            write_json(path, result)
            if not args.json:
                lines.append(f"wrote {path}")
        if not args.json and len(specs) > 1:
            lines.append("")  # a blank line between models
        print("\n".join(lines), flush=True)
    return 1 if failed else 0
