"""What a report or a plot draws on, gathered once: results, benchmarks, diagnoses, verdicts.

``collect`` reads one or several results folders (evaluations, ``suite bench`` results, saved
diagnoses) through the results store — the newest run of each (model, set, profile) across them
— finds every reference table that lists a measured model, and judges every cell of it under
the profile the table's source used (the zoo model's own profile: the conventions its paper's
numbers were made with); a run under another profile is listed, never judged. The model facts
below answer the questions the renderings ask of it, and :meth:`ReportData.refs_at` gives the
published rows of every reference table at a set and scale: the paper-only points of a
leaderboard.

Results of your own models (family ``"user"``) are in no reference table: they are placed
among every published method of the tables for their set and scale (the leaderboard), and, with
``with_zoo``, among the zoo's measured runs of that set and scale found under the results root.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from suite import paths
from suite.data.datasets import dataset_order
from suite.errors import SuiteError, warn
from suite.models.spec import USER_FAMILY
from suite.reporting.diagnosis import saved_diagnosis_markdown
from suite.results.compare import Cell, Tolerances, compare, is_finite_number
from suite.results.reference import ReferenceRow, load_all
from suite.results.store import latest_results, load_bench_results, read_diagnoses

Group = tuple[str, str]  # (paper, table): table names alone repeat across papers


def same_scale(a: float, b: float) -> bool:
    """Scales as equal as their float forms allow (2 and 2.0, 2.5 and 2.5)."""
    return abs(float(a) - float(b)) < 1e-9


def is_user(result: dict[str, Any]) -> bool:
    """True for a result of a researcher's own model (not in the zoo)."""
    return result.get("family") == USER_FAMILY


def main_table(rows: Sequence[ReferenceRow]) -> Group | None:
    """The (paper, table) with the most methods: the paper's main comparison."""
    methods: dict[Group, set[str]] = {}
    for r in rows:
        methods.setdefault((r.paper, r.table), set()).add(r.method)
    return max(methods, key=lambda g: len(methods[g]), default=None)


def _method_key(name: str) -> str:
    """A method's name as tables spell it differently ("EIMN-A", "eimn_a"): letters and digits."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def paper_only(rows: Iterable[ReferenceRow], measured: set[str]) -> list[ReferenceRow]:
    """The first row of each published method that was not measured: the methods known only
    from the reference tables. A method is its zoo id, or its name when the row has none (so
    "IMDN" reprinted in another paper's table is the IMDN of its own)."""
    rows = list(rows)
    seen = {_method_key(r.method) for r in rows if r.model_id and r.model_id in measured}
    seen |= measured
    out = []
    for r in rows:
        keys = {r.model_id, _method_key(r.method)} - {""}
        if keys & seen:
            continue
        seen |= keys
        out.append(r)
    return out


@dataclass
class ReportData:
    """Everything a report or a plot draws on, gathered once, and the model facts read off it."""

    results_dirs: list[Path]
    results: list[dict[str, Any]]
    groups: dict[Group, list[ReferenceRow]]  # the reference tables judged
    models: set[str]  # zoo ids judged: measured ones and their family siblings
    benchmarks: list[dict[str, Any]] = field(default_factory=list)
    references: list[ReferenceRow] = field(default_factory=list)  # every published row
    diagnoses: list[tuple[str, str]] = field(default_factory=list)
    tol: Tolerances = field(default_factory=Tolerances)
    cells: dict[Group, list[Cell]] = field(default_factory=dict)
    # runs of a judged model under another profile than its source used: listed, not judged
    not_judged: list[dict[str, Any]] = field(default_factory=list)

    @property
    def profile_names(self) -> list[str]:
        """The convention profiles the results were measured under."""
        return sorted({r["profile"] for r in self.results})

    def results_for(self, profile: str) -> list[dict[str, Any]]:
        """The results measured under one convention profile."""
        return [r for r in self.results if r["profile"] == profile]

    def all_cells(self) -> list[Cell]:
        """Every judged cell, across reference tables."""
        return [c for cells in self.cells.values() for c in cells]

    def combos(self) -> list[tuple[str, float, str]]:
        """Every (set, scale, profile) measured, scale first, sets in paper order: one
        leaderboard table and one chart each."""
        found = {(r["dataset"], float(r["scale"]), r["profile"]) for r in self.results}
        return sorted(found, key=lambda k: (k[1], dataset_order(k[0]), k[2]))

    def results_at(self, dataset: str, scale: float, profile: str) -> list[dict[str, Any]]:
        """The runs of one set and scale under one profile."""
        return [
            r
            for r in self.results
            if r["dataset"] == dataset and same_scale(r["scale"], scale) and r["profile"] == profile
        ]

    @property
    def user_models(self) -> list[str]:
        """Names of your own models (not in the zoo) among the results."""
        return sorted({r["model"] for r in self.results if is_user(r)})

    def bench_of(self, model: str) -> dict[str, Any] | None:
        """The model's canonical (1280×720, fp32) benchmark result, CPU first.

        Counts do not depend on the device; variants with another input size would, and so
        would a benchmark of another scale stored under the same name (your models are named
        by you), which is never used.
        """
        scales = [float(r["scale"]) for r in self.results if r["model"] == model]
        mine = [
            b
            for b in self.benchmarks
            if b["model"] == model
            and not b.get("variant")
            and (not isinstance(b.get("scale"), int | float) or float(b["scale"]) in scales)
        ]
        mine.sort(key=lambda b: b["device"] != "cpu")
        return mine[0] if mine else None

    def measured_params(self, model: str) -> int | None:
        """#params of a model: the benchmark result's, else counted from the zoo architecture."""
        bench = self.bench_of(model)
        if bench and isinstance(bench.get("params"), int):
            return bench["params"]
        from suite.models.params import param_count
        from suite.models.zoo import model_specs

        spec = model_specs().get(model)
        return param_count(spec) if spec else None

    def measured_macs(self, model: str) -> tuple[float | None, str | None]:
        """G Multi-Adds from the benchmark result's default counter, and that counter's name."""
        bench = self.bench_of(model)
        macs = bench.get("macs") if bench else None
        if not isinstance(macs, dict):
            return None, None
        name = macs.get("default")
        value = macs.get(name) if isinstance(name, str) else None
        return (float(value), name) if isinstance(value, int | float) else (None, None)

    def all_refs(self) -> list[ReferenceRow]:
        """Every judged reference row, tables with the most methods (the paper's main) first."""
        groups = sorted(self.groups.values(), key=lambda rows: -len({r.method for r in rows}))
        return [r for rows in groups for r in rows]

    def refs_at(self, dataset: str, scale: float) -> list[ReferenceRow]:
        """Published rows with a PSNR for one set and scale, from every reference table, the
        main table (most methods) first, rows with Multi-Adds before the others."""
        rows = [
            r
            for r in self.references
            if r.dataset == dataset and same_scale(r.scale, scale) and r.psnr is not None
        ]
        main = main_table(rows)
        return sorted(rows, key=lambda r: ((r.paper, r.table) != main, r.multi_adds_g is None))

    def unmeasured_models(self) -> dict[str, str]:
        """Judged models with no result at all, with the reason when the zoo knows it."""
        from suite.models.zoo import model_specs

        zoo = model_specs()
        measured = {r["model"] for r in self.results}
        listed = {r.model_id for r in self.all_refs()}
        out = {}
        for model in sorted(self.models & listed - measured):
            spec = zoo.get(model)
            ck = spec.checkpoint if spec else None
            if ck and not ck.published:
                out[model] = "checkpoint never published"
            elif ck and not ck.direct:
                out[model] = "checkpoint only on a share page"
            elif spec and float(spec.scale) != int(spec.scale):
                out[model] = "arbitrary scale"
            else:
                out[model] = "no result"
        return out


def find_diagnoses(results_dir: Path) -> list[tuple[str, str]]:
    """Diagnoses saved in the folder, as (file name, markdown)."""
    return [
        (name, saved_diagnosis_markdown(content)) for name, content in read_diagnoses(results_dir)
    ]


def zoo_family_models(results: Iterable[dict[str, Any]]) -> set[str]:
    """Zoo ids of every family measured, so unmeasured siblings show up as "not measured"."""
    from suite.models.zoo import model_specs

    families = {str(r.get("family", "")).lower() for r in results}
    return {m.id for m in model_specs().values() if m.family.lower() in families}


def judged_groups(
    results: Sequence[dict[str, Any]], references: Sequence[ReferenceRow]
) -> dict[Group, list[ReferenceRow]]:
    """Reference tables that list a measured model."""
    measured = {r["model"] for r in results}
    groups: dict[Group, list[ReferenceRow]] = {}
    for ref in references:
        groups.setdefault((ref.paper, ref.table), []).append(ref)
    return {g: rows for g, rows in groups.items() if any(r.model_id in measured for r in rows)}


def source_profile(model: str) -> str | None:
    """The profile a zoo model's published numbers were made with (its own default, the
    conventions that reproduce its paper); None for a model the zoo does not know."""
    from suite.models.zoo import model_specs

    spec = model_specs().get(model)
    return spec.default_profile if spec is not None else None


def split_by_source_profile(
    results: Sequence[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The runs measured under the profile their model's source used (or of a model the zoo
    does not know), and the others: those are never judged against published numbers."""
    judged, other = [], []
    for r in results:
        wanted = source_profile(r["model"])
        (judged if wanted in (None, r["profile"]) else other).append(r)
    return judged, other


def with_zoo_runs(results: list[dict[str, Any]], root: Path) -> list[dict[str, Any]]:
    """``results`` plus the zoo's measured runs below ``root`` at the sets and scales of your
    models' results (the newest per model, set and profile; the folder's own results win)."""
    at = {(r["dataset"], float(r["scale"])) for r in results if is_user(r)}
    if not at:
        warn("--with zoo places your own models among the zoo's runs, but there are none here")
        return results
    zoo = [
        r
        for r in (latest_results(root) if root.is_dir() else [])
        if not is_user(r) and (r["dataset"], float(r["scale"])) in at
    ]
    if not zoo:
        sets = ", ".join(f"{d} ×{s:g}" for d, s in sorted(at))
        warn(
            f"no zoo runs of {sets} below {root}: run `suite eval MODEL --dataset SET` there "
            "first (or point SUITE_RESULTS_DIR at the folder that holds them)"
        )
    merged = {(r["model"], r["dataset"], r["profile"]): r for r in [*zoo, *results]}
    return sorted(merged.values(), key=lambda r: (r["model"], dataset_order(r["dataset"])))


def collect(
    results_dirs: Path | Sequence[Path],
    reference_dir: Path | None = None,
    tables: Sequence[str] | None = None,
    tol: Tolerances | None = None,
    bench_dirs: Sequence[Path] | None = None,
    with_zoo: bool = False,
) -> ReportData:
    """Read results (one folder or several: the newest run of each model, set and profile
    across them), benchmarks, diagnoses and reference tables; judge every cell.

    ``suite bench`` results are searched below the results folders and ``bench_dirs`` — by
    default the results root (``SUITE_RESULTS_DIR``, ``results/``), where that command writes
    them — and kept for the judged models only. ``with_zoo`` adds the zoo's runs found under
    the results root at the sets and scales of your models' results (see :func:`with_zoo_runs`).
    Each reference table is judged against the runs made under the profile its source used.
    """
    dirs = [Path(results_dirs)] if isinstance(results_dirs, str | Path) else list(results_dirs)
    if bench_dirs is None:
        bench_dirs = [paths.results_dir()] if paths.results_dir().is_dir() else []
    own = latest_results(*dirs)
    if not own:
        where = ", ".join(str(d) for d in dirs)
        raise SuiteError(f"no evaluation results (*.json) below {where}")
    results = with_zoo_runs(own, paths.results_dir()) if with_zoo else own
    references = [r for r in load_all(reference_dir) if not tables or r.table in tables]
    added = {r["model"] for r in results} - {r["model"] for r in own}
    at = {(r["dataset"], float(r["scale"])) for r in results if is_user(r)}

    def context(r: ReferenceRow) -> bool:  # a zoo run added for context is judged at your
        return any(r.dataset == d and same_scale(r.scale, s) for d, s in at)  # sets and scales

    groups = judged_groups(
        results, [r for r in references if r.model_id not in added or context(r)]
    )
    models = zoo_family_models(own) | {r["model"] for r in results}
    listed = {r.model_id for rows in groups.values() for r in rows}
    judged, other = split_by_source_profile([r for r in results if r["model"] in listed])
    data = ReportData(
        results_dirs=dirs,
        results=results,
        groups=groups,
        models=models,
        benchmarks=[b for b in load_bench_results(*bench_dirs, *dirs) if b["model"] in models],
        references=references,
        diagnoses=[d for folder in dirs for d in find_diagnoses(folder)],
        tol=tol or Tolerances(),
        not_judged=other,
    )
    for group, rows in groups.items():
        data.cells[group] = compare(judged, rows, None, data.tol, models)
    return data


# --------------------------------------------------------------------------- leaderboards


@dataclass
class Entry:
    """One method on a leaderboard of a set × scale × profile: a run measured under that
    profile, or a published row (as printed, under its own paper's conventions)."""

    model: str  # a zoo id, your model's name, or the paper's method name
    source: str  # "measured" | "paper"
    profile: str | None  # the profile measured under; None for a published row
    psnr: float
    ssim: float | None
    params_k: float | None
    macs_g: float | None
    where: str  # "this suite", or "<paper> — <table>"
    user: bool = False  # your own model
    psnr_decimals: int = 4
    ssim_decimals: int = 5
    macs_from: str = ""  # "suite bench (ntire)" or "the reference table"
    published: ReferenceRow | None = None  # a measured zoo model's own published row here


def leaderboard(
    data: ReportData, dataset: str, scale: float, profile: str
) -> tuple[list[Entry], list[str]]:
    """Every method of one set and scale, best PSNR first: the runs measured under
    ``profile`` and the published rows of every reference table (one per method; a method
    measured here is shown by its run); and the runs left out (partial, no number)."""
    refs = data.refs_at(dataset, scale)
    entries: list[Entry] = []
    left_out: list[str] = []
    measured = data.results_at(dataset, scale, profile)
    for r in measured:
        if r.get("partial") or not is_finite_number(r["psnr"]):
            left_out.append(f"{r['model']} [{profile}] (partial result or no number)")
            continue
        own = next((ref for ref in refs if ref.model_id == r["model"]), None)
        macs, counter = data.measured_macs(r["model"])
        paper_params, paper_macs = paper_complexity(data.references, r["model"])
        params = data.measured_params(r["model"])
        entries.append(
            Entry(
                model=r["model"],
                source="measured",
                profile=profile,
                psnr=float(r["psnr"]),
                ssim=r["ssim"] if is_finite_number(r["ssim"]) else None,
                params_k=params / 1000.0 if params else paper_params,
                macs_g=macs if macs is not None else paper_macs,
                where="this suite",
                user=is_user(r),
                macs_from=f"suite bench ({counter})" if macs is not None else "the reference table",
                published=own,
            )
        )
    for ref in paper_only(refs, {r["model"] for r in measured}):
        entries.append(
            Entry(
                model=ref.model_id if ref.model_id in data.models else ref.method,
                source="paper",
                profile=None,
                psnr=float(ref.psnr or 0.0),
                ssim=ref.ssim,
                params_k=ref.params_k,
                macs_g=ref.multi_adds_g,
                where=f"{ref.paper} — {ref.table}",
                psnr_decimals=ref.psnr_decimals,
                ssim_decimals=ref.ssim_decimals,
            )
        )
    entries.sort(key=lambda e: -e.psnr)
    return entries, left_out


def pareto(points: Sequence[tuple[float | None, float]]) -> list[bool]:
    """Which (cost, PSNR) points are on the Pareto front: no other point costs at most as
    much with a PSNR at least as high (and is better in one); a point without a cost is not."""
    front = []
    for i, (x, y) in enumerate(points):
        if x is None:
            front.append(False)
            continue
        dominated = any(
            j != i and x2 is not None and x2 <= x and y2 >= y and (x2 < x or y2 > y)
            for j, (x2, y2) in enumerate(points)
        )
        front.append(not dominated)
    return front


# --------------------------------------------------------------------------- bench and paper facts


def peak_memory(bench: dict[str, Any]) -> float | None:
    """The headline peak memory (MB) of a benchmark result: the forward's own peak on CPU,
    ``max_memory_allocated`` on CUDA (``peak_memory_mb`` is a dict with the details)."""
    value = bench.get("peak_memory_mb")
    if isinstance(value, dict):
        value = value.get("peak_mb")
    return float(value) if isinstance(value, (int, float)) else None


def bench_hardware(bench: dict[str, Any]) -> str | None:
    """The GPU or CPU a benchmark ran on, when its environment names it."""
    env = bench.get("env") if isinstance(bench.get("env"), dict) else {}
    return env.get("gpu") or env.get("device_name") or env.get("cpu")


def paper_complexity(rows: Iterable[ReferenceRow], model: str) -> tuple[float | None, float | None]:
    """(params_k, multi_adds_g) printed for a model, first non-empty of each."""
    mine = [r for r in rows if r.model_id == model]
    params = next((r.params_k for r in mine if r.params_k is not None), None)
    macs = next((r.multi_adds_g for r in mine if r.multi_adds_g is not None), None)
    return params, macs
