"""Console text: an evaluation's summary line (``suite eval``, ``suite score``), a benchmark result
(``suite bench``) and a gate run (``suite gate``)."""

from __future__ import annotations

from typing import Any

from suite.reporting.format import fmt, fmt_count, fmt_delta, plural, scale_txt, table
from suite.results.gate import BenchCell, GateCell

NOT_AVAILABLE = "n/a"
GATE_HEADER = ["model", "dataset", "profile", "status", "PSNR", "base", "Δ", "SSIM", "base", "Δ"]


def _giga(value: float | None) -> str:
    """G values: two decimals as papers print them, four for tiny inputs."""
    digits = 2 if value is not None and value >= 10 else 4
    return fmt(value, digits, missing=NOT_AVAILABLE)


def _why(detail: dict[str, Any], relative: float) -> str:
    """A hint: what a lower counter skipped, or what else a higher one counts."""
    if relative < 0 and detail.get("uncounted_ops"):
        top = sorted(detail["uncounted_ops"].items(), key=lambda kv: -kv[1])[:4]
        return " — skipped: " + ", ".join(f"{op}×{n}" for op, n in top)
    ops = sorted(detail.get("by_op", {}).items(), key=lambda kv: -kv[1])
    if relative > 0 and len(ops) > 1:
        return " — also counts: " + ", ".join(op for op, _ in ops[1:5])
    return ""


def _macs_lines(result: dict[str, Any]) -> list[str]:
    """Multi-Adds per counter (the default starred), FLOPs when asked, side by side in one
    table, then where the counters differ."""
    macs, detail = result["macs"], result["macs_detail"]
    default = macs["default"]
    names = [n for n in macs if n != "default"]
    heads = [f"{n}{'*' if n == default else ''}" for n in names]
    rows = [["", *(_giga(macs[n]) for n in names)]]
    if "flops" in result:
        rows.append(["FLOPs [G] = 2×MACs", *(_giga(result["flops"][n]) for n in names)])
    lines = [
        *table(["Multi-Adds [G MACs]", *heads], rows, "plain").splitlines(),
        f"  * default counter ({default}); unit G = 1e9 multiply-accumulates",
    ]
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


def _latency_line(result: dict[str, Any]) -> str:
    """Median, mean, spread and minimum of the timed runs, with their settings."""
    lat = result.get("latency")
    if not lat:
        return "Latency: skipped"
    s, cfg = lat["stats"], lat["settings"]
    head = f"Latency [ms] {cfg['device']} {cfg['precision']}"
    if cfg["device"].startswith("cpu"):
        head += f" ({plural(lat['flags']['torch_threads'], 'thread')})"
    of = f" per image over {s['count']} images" if "per_image" in lat else ""
    stats = "  ".join(f"{k} {fmt(s[k], 2)}" for k in ("median", "mean", "std", "min"))
    return f"{head}: {stats}{of}  (repeats {cfg['repeats']}, warm-up {cfg['warmup']})"


def _memory_line(result: dict[str, Any]) -> str:
    """The headline peak memory of the device, with the other peaks in brackets."""
    mem = result.get("peak_memory_mb")
    if not mem:
        return "Peak memory: skipped"
    if mem["device"] == "cuda":
        return (
            f"Peak memory [MB] cuda: max allocated {fmt(mem['max_allocated_mb'], 1)}  "
            f"(reserved {fmt(mem['max_reserved_mb'], 1)}, "
            f"forward {fmt(mem['forward_peak_mb'], 1)})"
        )
    return (
        f"Peak memory [MB] cpu: forward {fmt(mem['forward_peak_mb'], 1)}  "
        f"(process peak RSS {fmt(mem['peak_rss_mb'], 1)}, fresh process)"
    )


def bench_text(result: dict[str, Any]) -> str:
    """The human-readable report of one benchmark: size, #params, Multi-Adds, latency, memory."""
    size = result["size"]
    inp, out = size["input"], size["output"]
    ckpt = fmt_count(result["checkpoint_params"], missing=f"{NOT_AVAILABLE}, not on disk")
    lines = [
        f"{result['model']} ({result['family']}, {scale_txt(result['scale'])}) — weights: "
        f"{result['weights'] or 'not loaded'}",
        f"Input {inp['width']}×{inp['height']} → output {out['width']}×{out['height']}  "
        f"({size['note']})",
        f"#Params {fmt_count(result['params'])} trainable  (checkpoint tensors: {ckpt})",
        *_macs_lines(result),
        _latency_line(result),
        _memory_line(result),
    ]
    return "\n".join(lines)


def gate_text(cells: list[GateCell]) -> str:
    """One aligned line per gate cell: new and baseline PSNR / SSIM and their differences."""
    rows = [
        [
            c.model,
            c.dataset,
            c.profile,
            c.status,
            fmt(c.psnr, 4),
            fmt(c.baseline_psnr, 4),
            fmt_delta(c.d_psnr, 4, missing=""),
            fmt(c.ssim, 5),
            fmt(c.baseline_ssim, 5),
            fmt_delta(c.d_ssim, 5, missing=""),
        ]
        for c in cells
    ]
    return table(GATE_HEADER, rows, "plain")


def bench_gate_text(cells: list[BenchCell]) -> str:
    """One aligned line per gated benchmark number (#params, a counter's Multi-Adds, latency)."""

    def shown(x: object) -> str | None:
        return None if x is None else str(x)

    rows = [[c.model, c.key, c.metric, c.status, shown(c.value), shown(c.baseline)] for c in cells]
    return table(["model", "bench", "metric", "status", "value", "base"], rows, "plain")


def _images(result: dict[str, Any]) -> str:
    n, failed = result["n_images"], len(result.get("failed", []))
    return f"PARTIAL: {n} of {n + failed} images" if result.get("partial") else f"{n} images"


def eval_summary(result: dict[str, Any], what: str) -> str:
    """``<what> ×S Set [profile]: PSNR … dB  SSIM …  (n images, data verified)``."""
    return (
        f"{what} ×{result['scale']:g} {result['dataset']} [{result['profile']}]: "
        f"PSNR {result['psnr']:.4f} dB  SSIM {result['ssim']:.4f}  ({_images(result)}, data "
        f"{result['data']['manifest']['status']})"
    )


def partial_lines(result: dict[str, Any], what: str) -> list[str]:
    """For stderr: every image a partial result could not score, and what its mean covers;
    ``what`` names the run (model or SR folder, dataset, profile)."""
    return [
        *(f"error: not scored: {failed['reason']}" for failed in result["failed"]),
        f"error: {what} is {_images(result)}: its mean is not comparable with published "
        "numbers; fix or remove the images above and rerun (--strict stops at the first)",
    ]
