"""A family reproduction as text: markdown (``comparison.md``) and the console table."""

from __future__ import annotations

import sys

from suite.data.datasets import DATASETS
from suite.evaluation.reproduce import ReproduceReport
from suite.results.compare import Cell, Tolerances


def _fmt(x: float | None, metric: str) -> str:
    if x is None:
        return "–"
    return f"{x:.4f}" if metric == "psnr" else f"{x:.5f}"


def _fmt_delta(x: float | None, metric: str) -> str:
    if x is None:
        return ""
    return f"{x:+.4f}" if metric == "psnr" else f"{x:+.5f}"


def comparison_table(cells: list[Cell], source: str) -> list[list[str]]:
    """Rows model | dataset | PSNR measured/published/Δ/status | SSIM … for one source."""
    by_key: dict[tuple, dict[str, Cell]] = {}
    for c in cells:
        if c.source == source:
            by_key.setdefault((c.model, c.dataset), {})[c.metric] = c
    order = {d: i for i, d in enumerate(DATASETS)}
    rows = []
    for (model, ds), m in sorted(by_key.items(), key=lambda kv: (kv[0][0], order.get(kv[0][1], 9))):
        row = [model, ds]
        for metric in ("psnr", "ssim"):
            c = m.get(metric)
            row += (
                [
                    _fmt(c.measured, metric),
                    _fmt(c.published, metric),
                    _fmt_delta(c.delta, metric),
                    c.status,
                ]
                if c
                else ["", "", "", ""]
            )
        rows.append(row)
    return rows


TABLE_HEADER = [
    "model",
    "dataset",
    "PSNR",
    "published",
    "Δ",
    "status",
    "SSIM",
    "published",
    "Δ",
    "status",
]


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def comparison_markdown(report: ReproduceReport, tol: Tolerances) -> str:
    s = report.summary
    parts = [
        f"# {report.family}: measured vs published",
        "",
        f"Profile: {', '.join(sorted({r['profile'] for r in report.results})) or '–'}. "
        f"Tolerances: {tol.to_dict()}.",
        "",
        "Status counts: " + ", ".join(f"{k} {v}" for k, v in sorted(s["counts"].items())),
    ]
    for source in sorted({c.source for c in report.cells}):
        parts += [
            "",
            f"## vs {source}",
            "",
            markdown_table(TABLE_HEADER, comparison_table(report.cells, source)),
        ]
    notes = [c for c in report.cells if c.note]
    if notes:
        parts += ["", "## Explained gaps", ""]
        parts += [f"- {c.model} {c.dataset} {c.metric.upper()}: {c.note}." for c in notes]
    if report.skipped:
        parts += ["", "## Not run", ""] + [f"- {x['what']}: {x['why']}" for x in report.skipped]
    return "\n".join(parts) + "\n"


def print_report(report: ReproduceReport, source: str | None = None, file=None) -> None:
    """Plain-text table per source plus a one-line summary (to stdout by default)."""
    file = file or sys.stdout
    sources = [source] if source else sorted({c.source for c in report.cells})
    for src in sources:
        rows = comparison_table(report.cells, src)
        if not rows:
            continue
        print(f"\n== {report.family} vs {src} ==", file=file)
        widths = [max(len(str(x)) for x in col) for col in zip(TABLE_HEADER, *rows, strict=False)]
        for r in [TABLE_HEADER, *rows]:
            print("  ".join(str(x).ljust(w) for x, w in zip(r, widths, strict=False)), file=file)
    print(one_line_summary(report), file=file)


def one_line_summary(report: ReproduceReport) -> str:
    s = report.summary
    counts = s["counts"]
    worst = s["worst"]["psnr"]
    worst_txt = (
        f"; worst PSNR Δ {worst['delta']:+.4f} dB ({worst['model']} {worst['dataset']} vs "
        f"{worst['source']})"
        if worst
        else ""
    )
    return (
        f"{report.family}: {counts.get('reproduced', 0)}/{s['compared']} compared cells reproduced"
        f", {counts.get('close', 0)} close, {counts.get('deviates', 0)} deviate, "
        f"{counts.get('not measured', 0)} not measured{worst_txt}"
    )
