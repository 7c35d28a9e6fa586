"""Reproduce a paper's table: every available checkpoint of a family × every dataset present.

Runs are resumable (each image is logged as it finishes), then joined with the reference tables
and written as ``results/<family>/``: ``runs/`` (per-run JSON + CSV), ``results.csv``,
``comparison.{csv,json}`` and ``comparison.md``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from suite import paths
from suite.data.datasets import DATASETS, find_dataset
from suite.errors import SuiteError
from suite.evaluation.runner import EvalOptions, evaluate
from suite.models.zoo import ModelSpec, all_models
from suite.results.compare import Cell, Tolerances, compare, summarize
from suite.results.reference import load_all
from suite.results.store import iter_results, write_csv, write_json

# which reference tables each family is judged against, most precise first
FAMILY_TABLES: dict[str, list[str]] = {
    "EIMN": ["Weights/record.txt", "Table 1", "README SISR-1"],
}


@dataclass
class ReproduceReport:
    family: str
    results: list[dict[str, Any]]
    cells: list[Cell]
    skipped: list[dict[str, str]] = field(default_factory=list)
    out_dir: Path | None = None

    @property
    def summary(self) -> dict[str, Any]:
        return summarize(self.cells)


ZOO = "zoo"  # every family except EIMN, which has its own session


def family_models(family: str) -> list[ModelSpec]:
    """Models of one family (case-insensitive), or of every family but EIMN for ``zoo``."""
    everything = all_models().values()
    if family.lower() == ZOO:
        return [m for m in everything if m.family != "EIMN"]
    models = [m for m in everything if m.family.lower() == family.lower()]
    if not models:
        families = sorted({m.family for m in everything})
        raise SuiteError(f"no models in family {family!r}; families: {', '.join(families)}, zoo")
    return models


def reproduce(
    family: str,
    datasets: list[str] | None = None,
    options: EvalOptions | None = None,
    tables: list[str] | None = None,
    tol: Tolerances | None = None,
    out_dir: Path | None = None,
    log=print,
) -> ReproduceReport:
    """Evaluate, compare and write the family's reproduction; returns what was measured."""
    from suite.models.checkpoints import checkpoint_status

    opt = options or EvalOptions()
    models = family_models(family)
    family = ZOO if family.lower() == ZOO else models[0].family
    out = Path(out_dir) if out_dir else paths.results_dir(opt.results_dir) / family.lower()
    results: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    present = []
    for name in datasets or list(DATASETS):
        if find_dataset(name, opt.data_root) is None:
            skipped.append({"what": name, "why": "dataset absent under the data root"})
            log(f"skip {name}: not found under the data root")
        else:
            present.append(name)
    for spec in models:
        status = checkpoint_status(spec, opt.checkpoint_dir, opt.cache_dir)
        why = {
            "unpublished": "checkpoint never published by the authors",
            "manual": "checkpoint only on a share page; download it by hand into --checkpoint-dir",
        }.get(status)
        if why is None and spec.scale != int(spec.scale):
            why = "arbitrary-scale model: evaluated by a separate path"
        if why:
            note = spec.checkpoint.note if spec.checkpoint else ""
            skipped.append({"what": spec.id, "why": f"{why}. {note}".strip()})
            log(f"skip {spec.id}: {why}")
            continue
        run_opt = EvalOptions(**{**opt.__dict__, "results_dir": out / "runs"})
        for name in present:
            try:
                results.append(evaluate(spec, name, run_opt))
            except SuiteError as exc:  # keep going: other runs are still worth having
                skipped.append({"what": f"{spec.id} {name}", "why": str(exc)})
                log(f"error {spec.id} {name}: {exc}", file=sys.stderr)
    results += earlier_runs(out / "runs", results, models, opt.profile)
    tables = tables or FAMILY_TABLES.get(family)
    cells = compare(results, load_all(), tables, tol, models={m.id for m in models})
    report = ReproduceReport(family, results, cells, skipped, out)
    write_reproduction(report, tol or Tolerances())
    return report


def earlier_runs(
    runs_dir: Path, current: list[dict[str, Any]], models: list[ModelSpec], profile: Any
) -> list[dict[str, Any]]:
    """Finished runs already in the folder for other datasets (e.g. a slow set run separately),
    with the same profile, so the comparison covers everything measured so far."""
    done = {(r["model"], r["dataset"]) for r in current}
    by_id = {m.id: m for m in models}
    out = []
    for r in iter_results(runs_dir) if runs_dir.is_dir() else []:
        spec = by_id.get(r["model"])
        wanted = (profile.name if hasattr(profile, "name") else profile) or (
            spec.default_profile if spec else None
        )
        if spec and (r["model"], r["dataset"]) not in done and r["profile"] == wanted:
            out.append(r)
    return out


def results_rows(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "model": r["model"],
            "scale": r["scale"],
            "dataset": r["dataset"],
            "profile": r["profile"],
            "psnr": r["psnr"],
            "ssim": r["ssim"],
            "n_images": r["n_images"],
            "checkpoint_sha256": r["checkpoint"]["sha256"],
            "manifest_status": r["data"]["manifest"]["status"],
            "device": r["env"]["device"],
        }
        for r in results
    ]


def write_reproduction(report: ReproduceReport, tol: Tolerances) -> None:
    """results.csv, comparison.csv/json and a markdown table under the family folder."""
    out = report.out_dir
    assert out is not None
    rows = results_rows(report.results)
    write_csv(out / "results.csv", rows, list(rows[0]) if rows else ["model"])
    cells = [c.to_dict() for c in report.cells]
    write_csv(out / "comparison.csv", cells, list(Cell.__dataclass_fields__))
    write_json(
        out / "comparison.json",
        {
            "family": report.family,
            "tolerances": tol.to_dict(),
            "summary": report.summary,
            "skipped": report.skipped,
            "cells": cells,
        },
    )
    (out / "comparison.md").write_text(comparison_markdown(report, tol))


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
