"""A family reproduction as text: markdown (``comparison.md``) and the console tables.

Every row says which run its numbers come from (the ``run`` column): measured now, or an
earlier run, reused or carried over, with that run's date and suite commit, so an earlier
number never reads as a fresh one.
"""

from __future__ import annotations

from suite.data.datasets import dataset_order
from suite.evaluation.reproduce import ReproduceReport
from suite.reporting.format import MISSING, fmt, fmt_delta, plural, table
from suite.results.compare import (
    RUN_CARRIED,
    RUN_NOW,
    RUN_REUSED,
    Cell,
    Tolerances,
    run_fields,
    run_provenance,
)

DIGITS = {"psnr": 4, "ssim": 5}  # measured values: one more than papers print (published
# values are printed with their own precision, as the source prints them)

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
    "run",
]


def run_label(cell: Cell) -> str:
    """Where a row's numbers come from: ``measured now``, or ``carried over: run 2025-06-01,
    suite 1a2b3c4d5e6f`` (likewise ``reused``); "" when nothing was measured."""
    if cell.run in ("", RUN_NOW):
        return cell.run
    return f"{cell.run}: {run_provenance(cell.run_timestamp, cell.run_git)}"


def comparison_rows(cells: list[Cell], source: str) -> list[list[str]]:
    """Rows model | dataset | PSNR measured/published/Δ/status | SSIM … | run, for one source."""
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
                    fmt(c.published, c.decimals if c.decimals is not None else digits),
                    fmt_delta(c.delta, digits, missing=""),
                    c.status,
                ]
                if c
                else ["", "", "", ""]
            )
        rows.append([*row, run_label(next(iter(by_key[(model, ds)].values())))])
    return rows


def _sources(report: ReproduceReport) -> list[str]:
    return sorted({c.source for c in report.cells})


def earlier_runs_section(report: ReproduceReport) -> list[str]:
    """Markdown lines listing every earlier run in the comparison, with its date and commit."""
    lines = []
    for kind, why in (
        (RUN_REUSED, "same checkpoint, images, profile and device as now, so not recomputed"),
        (RUN_CARRIED, "found in runs/ and not measured in this reproduction"),
    ):
        for r in report.runs_of(kind):
            run = run_fields(r)
            lines.append(
                f"- {r['model']} {r['dataset']}: {kind} ({why}); measured "
                f"{run['run_timestamp'] or 'at an unknown time'} with suite "
                f"{run['run_git'] or 'commit unknown'}"
            )
    return ["", "## Earlier runs", "", *lines] if lines else []


def comparison_markdown(report: ReproduceReport, tol: Tolerances) -> str:
    """``comparison.md``: status counts, which cells were measured now and which come from
    earlier runs, one table per reference source, explained gaps, and what could not run."""
    s = report.summary
    profiles = ", ".join(sorted({r["profile"] for r in report.results})) or MISSING
    earlier = earlier_runs_section(report)
    labelled = "; the `run` column labels each earlier run, listed under Earlier runs"
    parts = [
        f"# {report.family}: measured vs published",
        "",
        f"Profile: {profiles}. Tolerances: {tol.to_dict()}.",
        "",
        "Status counts: " + ", ".join(f"{k} {v}" for k, v in sorted(s["counts"].items())),
        "",
        f"Measurements: {freshness(report)}{labelled if earlier else ''}.",
    ]
    for source in _sources(report):
        rows = comparison_rows(report.cells, source)
        parts += ["", f"## vs {source}", "", table(TABLE_HEADER, rows)]
    parts += earlier
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
    """Reproduced / close / deviating / unmeasured counts, the worst PSNR gap, and how many
    cells were measured now and how many come from earlier runs."""
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
        f"{counts.get('not measured', 0)} not measured{worst_txt}; {freshness(report)}"
    )


def freshness(report: ReproduceReport) -> str:
    """How many cells (and runs) were measured now and how many come from earlier runs:
    ``12 cells measured now (3 runs), 8 carried over from earlier runs (2 runs)``, with the
    reused ones when there are any."""
    cells = report.summary["runs"]
    kinds = {
        RUN_NOW: "measured now",
        RUN_REUSED: "reused from identical earlier runs",
        RUN_CARRIED: "carried over from earlier runs",
    }
    return ", ".join(
        f"{plural(cells[kind], 'cell')} {words} ({plural(len(report.runs_of(kind)), 'run')})"
        for kind, words in kinds.items()
        if kind != RUN_REUSED or cells[kind]
    )
