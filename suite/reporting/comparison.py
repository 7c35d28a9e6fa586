"""A family reproduction as text: markdown (``comparison.md``) and the console tables."""

from __future__ import annotations

from suite.data.datasets import dataset_order
from suite.evaluation.reproduce import ReproduceReport
from suite.reporting.format import MISSING, fmt, fmt_delta, table
from suite.results.compare import Cell, Tolerances

DIGITS = {"psnr": 4, "ssim": 5}  # full precision: one more than papers print

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


def comparison_rows(cells: list[Cell], source: str) -> list[list[str]]:
    """Rows model | dataset | PSNR measured/published/Δ/status | SSIM … for one source."""
    by_key: dict[tuple[str, str], dict[str, Cell]] = {}
    for c in cells:
        if c.source == source:
            by_key.setdefault((c.model, c.dataset), {})[c.metric] = c
    rows = []
    for model, ds in sorted(by_key, key=lambda key: (key[0], dataset_order(key[1]))):
        row = [model, ds]
        for metric, digits in DIGITS.items():
            c = by_key[(model, ds)].get(metric)
            row += (
                [
                    fmt(c.measured, digits),
                    fmt(c.published, digits),
                    fmt_delta(c.delta, digits, missing=""),
                    c.status,
                ]
                if c
                else ["", "", "", ""]
            )
        rows.append(row)
    return rows


def _sources(report: ReproduceReport) -> list[str]:
    return sorted({c.source for c in report.cells})


def comparison_markdown(report: ReproduceReport, tol: Tolerances) -> str:
    """``comparison.md``: status counts, one table per reference source, explained gaps, and
    what could not run."""
    s = report.summary
    profiles = ", ".join(sorted({r["profile"] for r in report.results})) or MISSING
    parts = [
        f"# {report.family}: measured vs published",
        "",
        f"Profile: {profiles}. Tolerances: {tol.to_dict()}.",
        "",
        "Status counts: " + ", ".join(f"{k} {v}" for k, v in sorted(s["counts"].items())),
    ]
    for source in _sources(report):
        rows = comparison_rows(report.cells, source)
        parts += ["", f"## vs {source}", "", table(TABLE_HEADER, rows)]
    notes = [c for c in report.cells if c.note]
    if notes:
        parts += ["", "## Explained gaps", ""]
        parts += [f"- {c.model} {c.dataset} {c.metric.upper()}: {c.note}." for c in notes]
    if report.skipped:
        parts += ["", "## Not run", ""] + [f"- {x['what']}: {x['why']}" for x in report.skipped]
    return "\n".join(parts) + "\n"


def comparison_text(report: ReproduceReport) -> str:
    """The console view: an aligned table per reference source, then the one-line summary."""
    parts = []
    for source in _sources(report):
        rows = comparison_rows(report.cells, source)
        if rows:
            parts += ["", f"== {report.family} vs {source} ==", table(TABLE_HEADER, rows, "plain")]
    return "\n".join([*parts, one_line_summary(report)])


def one_line_summary(report: ReproduceReport) -> str:
    """Reproduced / close / deviating / unmeasured counts and the worst PSNR gap."""
    s = report.summary
    counts = s["counts"]
    worst = s["worst"]["psnr"]
    worst_txt = (
        f"; worst PSNR Δ {fmt_delta(worst['delta'], 4)} dB ({worst['model']} {worst['dataset']} "
        f"vs {worst['source']})"
        if worst
        else ""
    )
    return (
        f"{report.family}: {counts.get('reproduced', 0)}/{s['compared']} compared cells reproduced"
        f", {counts.get('close', 0)} close, {counts.get('deviates', 0)} deviate, "
        f"{counts.get('not measured', 0)} not measured{worst_txt}"
    )
