"""Reproduce a paper's table: every available checkpoint of a family × every dataset present.

Runs are resumable (each image is logged as it finishes), then joined with the reference tables
and written as ``results/<family>/``: ``runs/`` (per-run JSON + CSV), ``results.csv`` and
``comparison.{csv,json}``; ``suite reproduce`` adds ``comparison.md``, rendered by
:mod:`suite.reporting.comparison`.

Honesty rules:

- every measurement says how it got into the comparison (its cells' ``run``): *measured now*;
  *reused*, an identical earlier run the runner matched by content (same checkpoint bytes, image
  pixels, profile and device, checked now); or *carried over*, an earlier finished run found under
  ``runs/`` for a (model, set) this call did not evaluate (e.g. a slow set run on its own), whose
  inputs were not checked now. Reused and carried-over cells carry that run's date and suite
  commit, and the summary counts cells of each kind;
- a (model, set) evaluated in this call is never answered by an earlier run: when it fails now, its
  cells stay "not measured";
- when nothing could be measured (no set present, every run skipped or failed), nothing is
  written and :class:`NothingMeasured` says why, with the fix: earlier files stay as they were
  and no earlier run is shown as new;
- a *partial* run (some images could not be scored) is never counted as complete: it is listed
  in ``skipped`` with the images it lacks, and its cells are not compared (they stay "not
  measured"); its own JSON under ``runs/`` keeps ``partial: true``.
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from suite import paths
from suite.data.datasets import BENCHMARKS, canonical_name, find_dataset, require_dataset
from suite.errors import DatasetError, SuiteError
from suite.evaluation.executors import (
    Executor,
    LocalExecutor,
    Outcome,
    Task,
    device_resources,
    for_workers,
)
from suite.evaluation.runner import EvalOptions, evaluate, result_file
from suite.files import run_lock
from suite.models.spec import ModelSpec
from suite.models.zoo import model_specs
from suite.results.compare import (
    RUN_CARRIED,
    RUN_NOW,
    RUN_REUSED,
    Cell,
    Tolerances,
    compare,
    run_fields,
    run_provenance,
    summarize,
)
from suite.results.reference import load_all
from suite.results.store import iter_results, load_finished, result_json, write_result
from suite.results.store import write_reproduction as write_reproduction_files

# which reference tables each family is judged against, most precise first
FAMILY_TABLES: dict[str, list[str]] = {
    "EIMN": ["Weights/record.txt", "Table 1", "README SISR-1"],
}


class NothingMeasured(SuiteError):
    """A reproduction asked to measure could measure nothing; nothing was written."""


@dataclass
class ReproduceReport:
    family: str
    results: list[dict[str, Any]]
    cells: list[Cell]
    skipped: list[dict[str, str]] = field(default_factory=list)
    out_dir: Path | None = None
    failed: list[str] = field(default_factory=list)  # runs that errored or came out partial
    origins: dict[tuple[str, str], str] = field(default_factory=dict)  # (model, set) -> RUN_*

    @property
    def summary(self) -> dict[str, Any]:
        return summarize(self.cells)

    def runs_of(self, kind: str) -> list[dict[str, Any]]:
        """The compared results that came in as ``kind`` (``RUN_NOW``, ``RUN_REUSED``,
        ``RUN_CARRIED``)."""
        return [r for r in self.results if self.origins.get((r["model"], r["dataset"])) == kind]


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


def unusable(spec: ModelSpec, opt: EvalOptions) -> str | None:
    """Why a model cannot be evaluated here at all (no published or downloadable checkpoint,
    arbitrary scale), or None."""
    from suite.models.checkpoints import checkpoint_status

    status = checkpoint_status(spec, opt.checkpoint_dir, opt.cache_dir)
    why = {
        "unpublished": "checkpoint never published by the authors",
        "manual": "checkpoint only on a share page; download it by hand into --checkpoint-dir",
    }.get(status)
    if why is None and spec.scale != int(spec.scale):
        why = "arbitrary-scale model: evaluated by a separate path"
    return why


def reproduce(
    family: str,
    datasets: list[str] | None = None,
    options: EvalOptions | None = None,
    tables: list[str] | None = None,
    tol: Tolerances | None = None,
    out_dir: Path | None = None,
    log=print,
    executor: Executor | None = None,
    accelerator_type: str | None = None,
) -> ReproduceReport:
    """Evaluate, compare and write the family's reproduction; returns what was measured.

    Each (model, set) run is one cell, run by ``executor`` (default: in this process; a
    :class:`~suite.evaluation.executors.RayExecutor` spreads the cells over a cluster, GPU
    cells on ``accelerator_type`` when given). Raises :class:`NothingMeasured` (writing
    nothing) when no run could be measured: every set absent, every model skipped or every run
    failed.
    """
    opt = options or EvalOptions()
    executor = executor or LocalExecutor()
    models = family_models(family)
    family = ZOO if family.lower() == ZOO else models[0].family
    out = Path(out_dir) if out_dir else paths.results_dir(opt.results_dir) / family.lower()
    present, skipped = acquire_sets(datasets or list(BENCHMARKS), opt, log)
    absent = [s["what"] for s in skipped]
    if not present:
        raise NothingMeasured(nothing_measured(family, absent, [], [], opt, out))
    run_opt = dataclasses.replace(opt, results_dir=out / "runs")
    tasks: list[Task] = []
    attempted: set[tuple[str, str]] = set()
    no_checkpoint: list[str] = []
    for spec in models:
        why = unusable(spec, opt)
        if why:
            note = spec.checkpoint.note if spec.checkpoint else ""
            skipped.append({"what": spec.id, "why": f"{why}. {note}".strip()})
            no_checkpoint.append(spec.id)
            log(f"skip {spec.id}: {why}")
            continue
        for name in present:
            attempted.add((spec.id, canonical_name(name)))
            tasks.append(measure_task(spec, name, run_opt, executor, accelerator_type))
    outcomes = run_cells(executor, tasks, run_opt, log)
    measured: list[dict[str, Any]] = []  # complete and partial runs, in model × set order
    origins: dict[tuple[str, str], str] = {}
    failed: list[str] = []
    for task in tasks:  # the order of the cells, whatever order they finished in
        outcome = outcomes[task.key]
        if not outcome.ok:  # keep going: other runs are still worth having
            skipped.append({"what": task.key, "why": str(outcome.error)})
            failed.append(task.key)
            continue
        result, origin = outcome.value
        measured.append(result)
        origins[(result["model"], result["dataset"])] = origin
    if not measured:
        raise NothingMeasured(nothing_measured(family, absent, failed, no_checkpoint, opt, out))
    carried = earlier_runs(out / "runs", attempted, models, opt.profile)
    origins.update({(r["model"], r["dataset"]): RUN_CARRIED for r in carried})
    results = [r for r in measured + carried if not r.get("partial")]
    for r in measured + carried:
        if r.get("partial"):
            skipped.append(partial_entry(r, origins[(r["model"], r["dataset"])]))
            failed.append(skipped[-1]["what"])
            log(f"error {skipped[-1]['what']}: {skipped[-1]['why']}", file=sys.stderr)
    tables = tables or FAMILY_TABLES.get(family)
    ids = {m.id for m in models}
    cells = compare(results, load_all(), tables, tol, models=ids, origins=origins)
    report = ReproduceReport(family, results, cells, skipped, out, failed, origins)
    write_reproduction(report, tol or Tolerances())
    return report


def measure_task(
    spec: ModelSpec,
    dataset: str,
    opt: EvalOptions,
    executor: Executor,
    accelerator_type: str | None = None,
) -> Task:
    """The cell that evaluates ``spec`` on ``dataset``: :func:`measure` into the results
    folder when it runs in this process; elsewhere, :func:`measure_on_worker`, handed the
    finished result stored for this run (if any) so the worker can reuse it by content."""
    key = f"{spec.id} {dataset}"
    if executor.in_process:
        return Task(key, measure, (spec, dataset, opt))
    stored = None if opt.force else load_finished(result_file(spec, dataset, opt))
    if stored is not None and stored.get("partial"):
        stored = None  # never reused: the worker computes it again
    device = "cuda" if opt.device.startswith("cuda") else opt.device  # the GPU Ray assigns
    worker_opt = dataclasses.replace(for_workers(opt), device=device, results_dir=None)
    # the threads a run in this process uses: float sums, so the numbers, depend on them
    resources = device_resources(opt.device, accelerator_type, torch.get_num_threads())
    return Task(key, measure_on_worker, (spec, dataset, worker_opt, stored), resources=resources)


def run_cells(
    executor: Executor, tasks: list[Task], opt: EvalOptions, log=print
) -> dict[str, Outcome]:
    """Run every cell and return its outcome by key. As each finishes, a failure is logged and
    a result computed elsewhere is written to the results folder (this process is its only
    writer), so an interruption loses no finished cell."""
    outcomes: dict[str, Outcome] = {}
    for outcome in executor.run(tasks):
        outcomes[outcome.task.key] = outcome
        if not outcome.ok:
            log(f"error {outcome.task.key}: {outcome.error}", file=sys.stderr)
        elif not executor.in_process and outcome.value[1] == RUN_NOW:
            keep(outcome.value[0], opt)
    return outcomes


def keep(result: dict[str, Any], opt: EvalOptions) -> None:
    """Write a result computed elsewhere under ``opt.results_dir``, under the run's lock."""
    results_dir = paths.results_dir(opt.results_dir)
    run = result.get("run_name", result["dataset"])
    with run_lock(result_json(results_dir, result["model"], run, result["profile"])):
        write_result(result, results_dir)


def measure(spec: ModelSpec, dataset: str, opt: EvalOptions) -> tuple[dict[str, Any], str]:
    """Evaluate one run: its result, and ``RUN_NOW`` when it was computed during this call (by
    this process, or by one it waited for) or ``RUN_REUSED`` when the runner answered with the
    identical finished run it had stored."""
    stored = result_file(spec, dataset, opt)
    before = file_stamp(stored) if opt.write else None  # nothing is reused without writing
    result = evaluate(spec, dataset, opt)
    reused = before is not None and file_stamp(stored) == before
    return result, RUN_REUSED if reused else RUN_NOW


WORKER_RUNS = "worker-runs"  # <cache>/worker-runs/: a worker's own copy of the runs it computes


def measure_on_worker(
    spec: ModelSpec, dataset: str, opt: EvalOptions, stored: dict[str, Any] | None
) -> tuple[dict[str, Any], str]:
    """:func:`measure` on a worker machine: data and checkpoint come through the same verified
    download and cache path as a local run, and the run goes into the worker's own folder
    (``<cache>/worker-runs``, where an interrupted run resumes from its per-image log), never
    into the results folder. ``stored``, the driver's finished result of this run, is placed
    there first: the runner reuses it when its content key still matches (``RUN_REUSED``)."""
    scratch = paths.cache_dir(opt.cache_dir) / WORKER_RUNS
    opt = dataclasses.replace(opt, results_dir=scratch)
    if stored is not None:
        write_result(stored, scratch)
    return measure(spec, dataset, opt)


def file_stamp(path: Path) -> tuple[int, int] | None:
    """``path``'s inode and modification time, None when absent: the runner replaces a result
    it computes (a new file) and leaves one it reuses untouched, so an unchanged stamp across
    :func:`evaluate` means the run was reused."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns


def acquire_sets(
    wanted: list[str], opt: EvalOptions, log=print
) -> tuple[list[str], list[dict[str, str]]]:
    """The sets present under the data root, an absent one downloaded first unless downloads
    are off; and a ``skipped`` entry for each set that could not be had, with the reason."""
    present: list[str] = []
    skipped: list[dict[str, str]] = []
    for name in wanted:
        if find_dataset(name, opt.data_root) is not None:
            present.append(name)
            continue
        if not opt.download or paths.offline():
            skipped.append({"what": name, "why": "dataset absent under the data root"})
            log(f"skip {name}: not found under the data root (downloads are off)")
            continue
        try:
            require_dataset(name, opt.data_root, True, opt.progress, opt.mirror)
        except DatasetError as exc:
            skipped.append({"what": name, "why": str(exc)})
            log(f"skip {name}: {exc}", file=sys.stderr)
            continue
        present.append(name)
    return present, skipped


def nothing_measured(
    family: str,
    absent: list[str],
    failed: list[str],
    no_checkpoint: list[str],
    opt: EvalOptions,
    out: Path,
) -> str:
    """The one-line error of a reproduction that measured nothing: why, and the fix (the
    download command and the mirror option are named whatever the cause)."""
    reasons = []
    if absent:
        root = paths.data_root(opt.data_root)
        reasons.append(f"{', '.join(absent)} not found under the data root {root}")
    if failed:
        n = len(failed)
        reasons.append(f"{n} run{'' if n == 1 else 's'} failed ({', '.join(failed)}; see above)")
    elif no_checkpoint:
        reasons.append(f"no usable checkpoint ({', '.join(no_checkpoint)}; see above)")
    download = (
        f"`suite datasets --download {absent[0] if absent else 'SET'}` (from a mirror: "
        "`--mirror URL` or SUITE_MIRROR)"
    )
    elsewhere = "or point --data-root / SUITE_DATA_ROOT at a copy, then rerun"
    if not (failed or no_checkpoint):
        fix = f"Get the sets with {download}, {elsewhere}"
    elif absent:
        fix = f"Fix the errors above and get the missing sets with {download}, {elsewhere}"
    else:
        fix = f"Fix the errors above, then rerun (a missing set comes with {download})"
    return (
        f"nothing measured for {family}: {'; '.join(reasons)}. No comparison was written "
        f"(earlier files in {out} are left as they were; none is shown as new). {fix}"
    )


def partial_entry(result: dict[str, Any], origin: str = RUN_NOW) -> dict[str, str]:
    """The ``skipped`` entry of a partial run: what it lacks, and that it was not compared (an
    earlier run also says when, and with which suite commit, it was measured)."""
    failed = result["failed"]
    total = result["n_images"] + len(failed)
    run = run_fields(result)
    when = (
        ""
        if origin == RUN_NOW
        else f" ({origin}: {run_provenance(run['run_timestamp'], run['run_git'])})"
    )
    return {
        "what": f"{result['model']} {result['dataset']}",
        "why": f"partial run{when}, not compared: {len(failed)} of {total} images not scored ("
        + "; ".join(f["reason"] for f in failed)
        + ")",
    }


def earlier_runs(
    runs_dir: Path, attempted: set[tuple[str, str]], models: list[ModelSpec], profile: Any
) -> list[dict[str, Any]]:
    """Finished runs already in the folder for (model, set) pairs not evaluated in this call
    (e.g. a slow set run separately), with the same profile, so the comparison covers
    everything measured so far; they are labelled carried over."""
    by_id = {m.id: m for m in models}
    out = []
    for r in iter_results(runs_dir) if runs_dir.is_dir() else []:
        spec = by_id.get(r["model"])
        wanted = (profile.name if hasattr(profile, "name") else profile) or (
            spec.default_profile if spec else None
        )
        if spec and (r["model"], r["dataset"]) not in attempted and r["profile"] == wanted:
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
