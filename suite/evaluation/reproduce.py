"""Reproduce a paper's table: every available checkpoint of a family × every dataset present.

Runs are resumable (each image is logged as it finishes), then joined with the reference tables
and written as ``results/<family>/``: ``runs/`` (per-run JSON + CSV), ``results.csv`` and
``comparison.{csv,json}``; ``suite reproduce`` adds ``comparison.md``, rendered by
:mod:`suite.reporting.comparison`.

A *partial* run (some images could not be scored) is never counted as complete: it is listed
in ``skipped`` with the images it lacks, and its cells are not compared (they stay "not
measured"); its own JSON under ``runs/`` keeps ``partial: true``.
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from suite import paths
from suite.data.datasets import DATASETS, find_dataset
from suite.errors import SuiteError
from suite.evaluation.runner import EvalOptions, evaluate
from suite.models.spec import ModelSpec
from suite.models.zoo import model_specs
from suite.results.compare import Cell, Tolerances, compare, summarize
from suite.results.reference import load_all
from suite.results.store import iter_results
from suite.results.store import write_reproduction as write_reproduction_files

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
    failed: list[str] = field(default_factory=list)  # runs that errored or came out partial

    @property
    def summary(self) -> dict[str, Any]:
        return summarize(self.cells)


ZOO = "zoo"  # every family except EIMN, which has its own session


def family_models(family: str) -> list[ModelSpec]:
    """Models of one family (case-insensitive), or of every family but EIMN for ``zoo``."""
    everything = model_specs().values()
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
    measured: list[dict[str, Any]] = []  # complete and partial runs
    skipped: list[dict[str, str]] = []
    failed: list[str] = []
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
        run_opt = dataclasses.replace(opt, results_dir=out / "runs")
        for name in present:
            try:
                measured.append(evaluate(spec, name, run_opt))
            except SuiteError as exc:  # keep going: other runs are still worth having
                skipped.append({"what": f"{spec.id} {name}", "why": str(exc)})
                failed.append(f"{spec.id} {name}")
                log(f"error {spec.id} {name}: {exc}", file=sys.stderr)
    measured += earlier_runs(out / "runs", measured, models, opt.profile)
    results = [r for r in measured if not r.get("partial")]
    for r in measured:
        if r.get("partial"):
            skipped.append(partial_entry(r))
            failed.append(skipped[-1]["what"])
            log(f"error {skipped[-1]['what']}: {skipped[-1]['why']}", file=sys.stderr)
    tables = tables or FAMILY_TABLES.get(family)
    cells = compare(results, load_all(), tables, tol, models={m.id for m in models})
    report = ReproduceReport(family, results, cells, skipped, out, failed)
    write_reproduction(report, tol or Tolerances())
    return report


def partial_entry(result: dict[str, Any]) -> dict[str, str]:
    """The ``skipped`` entry of a partial run: what it lacks, and that it was not compared."""
    failed = result["failed"]
    total = result["n_images"] + len(failed)
    return {
        "what": f"{result['model']} {result['dataset']}",
        "why": f"partial run, not compared: {len(failed)} of {total} images not scored ("
        + "; ".join(f["reason"] for f in failed)
        + ")",
    }


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


def write_reproduction(report: ReproduceReport, tol: Tolerances) -> None:
    """``results.csv`` and ``comparison.{csv,json}`` under the family folder."""
    assert report.out_dir is not None
    write_reproduction_files(
        report.out_dir,
        report.family,
        report.results,
        [c.to_dict() for c in report.cells],
        list(Cell.__dataclass_fields__),
        tol.to_dict(),
        report.summary,
        report.skipped,
    )
