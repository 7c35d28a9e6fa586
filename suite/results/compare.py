"""Join measured results with published tables and classify every cell.

A cell is (model, scale, dataset, metric) against one reference row. Status:
- ``reproduced``: |Δ| ≤ max(half a unit of the printed precision, the reproduce floor);
- ``close``: |Δ| ≤ the close tolerance;
- ``deviates``: anything larger (Δ shown), or a measurement that is no finite number (NaN,
  null: Δ left empty, the note says so);
- ``not measured``: a published cell for a zoo model with no measurement, or with only a
  *partial* one (images that could not be scored; the note names them, the mean is not shown);
- ``not published``: a measurement with no published value in that source.

Every cell backed by a measurement also says which run it came from (``run_timestamp``,
``run_git``) and, in a reproduction, how that run got there (``run``): measured now, reused (an
identical earlier run: same checkpoint, images, profile and device, checked now) or carried over
(an earlier run found in the results folder and not measured again).
"""

from __future__ import annotations

import math
from dataclasses import asdict, astuple, dataclass, fields
from typing import Any

import pandas as pd

from suite.errors import SuiteError
from suite.results.frame import reference_cells, reference_frame, results_frame
from suite.results.reference import ReferenceRow

METRICS = ("psnr", "ssim")

# how a run came into a reproduction (a cell's ``run``; "" for a cell with no measurement)
RUN_NOW = "measured now"
RUN_REUSED = "reused"
RUN_CARRIED = "carried over"
RUN_KINDS = (RUN_NOW, RUN_REUSED, RUN_CARRIED)


def is_finite_number(x: object) -> bool:
    """True for an int or float that is neither NaN nor ±inf (bools and strings are not)."""
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def failed_images(result: dict[str, Any]) -> str:
    """The images a partial result could not score (its ``failed`` list), as one short list."""
    failed = result.get("failed")
    items = failed if isinstance(failed, list) else [failed] if failed else []
    names = [str(f.get("name", f)) if isinstance(f, dict) else str(f) for f in items]
    more = f" and {len(names) - 8} more" if len(names) > 8 else ""
    return ", ".join(names[:8]) + more if names else "images not named"


def partial_note(result: dict[str, Any]) -> str:
    """What a partial result lacks ("" for a complete one): its mean misses those images, so it
    is compared with nothing."""
    if result.get("partial") or result.get("failed"):
        return f"partial result, not compared; not scored: {failed_images(result)}"
    return ""


def check_tolerance(name: str, value: object) -> float:
    """``value`` when it is a finite number ≥ 0; a SuiteError naming ``name`` otherwise (a NaN
    tolerance makes every comparison false, a negative one fails everything)."""
    if not (is_finite_number(value) and value >= 0):  # type: ignore[operator]
        raise SuiteError(f"tolerance {name} must be a finite number >= 0, got {value!r}")
    return float(value)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Tolerances:
    """Thresholds per metric; written into every comparison so a status can be re-derived."""

    psnr_floor: float = 0.002  # dB: full-precision sources count as reproduced within this
    ssim_floor: float = 0.0002
    psnr_close: float = 0.05
    ssim_close: float = 0.001

    def __post_init__(self) -> None:
        for f, value in zip(fields(self), astuple(self), strict=True):
            check_tolerance(f"--{f.name.replace('_', '-')}", value)

    def floor(self, metric: str) -> float:
        return self.psnr_floor if metric == "psnr" else self.ssim_floor

    def close(self, metric: str) -> float:
        return self.psnr_close if metric == "psnr" else self.ssim_close

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass
class Cell:
    model: str
    scale: float
    dataset: str
    metric: str
    measured: float | None
    published: float | None
    delta: float | None
    status: str
    source: str  # reference table, e.g. "Table 1"
    method: str
    profile: str | None
    decimals: int | None
    note: str = ""
    run: str = ""  # RUN_NOW, RUN_REUSED, RUN_CARRIED, or "" (no measurement / not a reproduction)
    run_timestamp: str | None = None  # when the run behind the measurement finished
    run_git: str | None = None  # the suite commit it was measured with (its ``env.git``)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_provenance(timestamp: str | None, git: str | None) -> str:
    """When and with which suite commit a run was measured, as labels print it:
    ``run 2025-06-01, suite 1a2b3c4d5e6f``."""
    date = timestamp[:10] if isinstance(timestamp, str) and len(timestamp) >= 10 else None
    return f"run {date or 'date unknown'}, suite {git or 'commit unknown'}"


def run_fields(
    result: dict[str, Any] | None, origins: dict[tuple[str, str], str] | None = None
) -> dict[str, Any]:
    """The ``run``, ``run_timestamp`` and ``run_git`` of the cells ``result`` backs."""
    if result is None:
        return {}
    env = result.get("env")
    return {
        "run": (origins or {}).get((result["model"], result["dataset"]), ""),
        "run_timestamp": result.get("timestamp"),
        "run_git": env.get("git") if isinstance(env, dict) else None,
    }


def classify(measured: float, published: float, decimals: int, metric: str, tol: Tolerances) -> str:
    """Status of one measured value against one published value."""
    delta = abs(measured - published)
    reproduced = max(0.5 * 10.0 ** (-decimals), tol.floor(metric)) + 1e-12
    if delta <= reproduced:
        return "reproduced"
    if delta <= tol.close(metric):
        return "close"
    return "deviates"


def _published(row: ReferenceRow, metric: str) -> tuple[float | None, int]:
    if metric == "psnr":
        return row.psnr, row.psnr_decimals
    return row.ssim, row.ssim_decimals


def compare(
    results: list[dict[str, Any]],
    references: list[ReferenceRow],
    tables: list[str] | None = None,
    tol: Tolerances | None = None,
    models: set[str] | None = None,
    origins: dict[tuple[str, str], str] | None = None,
) -> list[Cell]:
    """Every cell of the chosen reference tables joined with the results.

    ``models`` restricts "not measured" cells to these zoo ids (e.g. the family being
    reproduced); rows without a model id (methods with no checkpoint) are never cells.
    ``origins`` says how each (model, dataset) result came into a reproduction (``RUN_*``).
    The join is two frame merges: published cells with the run of their (model, dataset) —
    the last record of a pair answers it — and runs with the tables that list their model
    but not their set ("not published").
    """
    tol = tol or Tolerances()
    refs = [r for r in references if r.model_id and (tables is None or r.table in tables)]
    if models is not None:
        refs = [r for r in refs if r.model_id in models]
    runs = results_frame(results)[["model", "dataset"]].rename_axis("result").reset_index()
    published_cells = reference_cells(refs, METRICS).merge(
        runs.drop_duplicates(["model", "dataset"], keep="last"),
        how="left",
        left_on=["model_id", "dataset"],
        right_on=["model", "dataset"],
    )
    cells: list[Cell] = []
    matched: list[tuple[str, str, str]] = []
    for key in published_cells.itertuples(index=False):
        ref = refs[key.ref]
        res = results[int(key.result)] if pd.notna(key.result) else None
        cell = _published_cell(ref, key.metric, res, tol, origins)
        if cell is not None:
            matched.append((ref.model_id, ref.dataset, ref.table))
            cells.append(cell)
    listed = reference_frame(refs)[["model_id", "table"]].drop_duplicates()
    unpublished = (
        runs.merge(listed, left_on="model", right_on="model_id")
        .merge(
            pd.DataFrame(set(matched), columns=["model", "dataset", "table"]),
            how="left",
            indicator=True,
        )
        .query("_merge == 'left_only'")
        .sort_values(["result", "table"], kind="stable")
    )
    for key in unpublished.itertuples(index=False):
        cells += _unpublished_cells(results[key.result], key.table, origins)
    explain_rounding(cells)
    return cells


def _published_cell(
    ref: ReferenceRow,
    metric: str,
    res: dict[str, Any] | None,
    tol: Tolerances,
    origins: dict[tuple[str, str], str] | None,
) -> Cell | None:
    """The cell of one published value and the run of its (model, dataset), if any; None when
    neither a published value nor a measurement exists."""
    published, dp = _published(ref, metric)
    note = partial_note(res) if res else ""
    value = res[metric] if res and not note else None
    if published is None and value is None and not note:
        return None
    if res is None or note:
        status, delta = "not measured", None
    elif published is None:
        status, delta = "not published", None
    elif not is_finite_number(value):
        status, delta = "deviates", None
        note = f"measured {metric} is {value!r}, not a finite number"
    else:
        status = classify(value, published, dp, metric, tol)
        delta = value - published
    return Cell(
        model=ref.model_id,
        scale=ref.scale,
        dataset=ref.dataset,
        metric=metric,
        measured=value,
        published=published,
        delta=delta,
        status=status,
        source=ref.table,
        method=ref.method,
        profile=res["profile"] if res else None,
        decimals=dp if published is not None else None,
        note=note,
        **run_fields(res, origins),
    )


def _unpublished_cells(
    res: dict[str, Any], table: str, origins: dict[tuple[str, str], str] | None
) -> list[Cell]:
    """The "not published" cells of a run whose set ``table`` has no row for (a partial mean
    is never shown as a measurement)."""
    note = partial_note(res)
    return [
        Cell(
            res["model"],
            res["scale"],
            res["dataset"],
            metric,
            None if note else res[metric],
            None,
            None,
            "not published",
            table,
            res["model"],
            res["profile"],
            None,
            note,
            **run_fields(res, origins),
        )
        for metric in METRICS
    ]


def explain_rounding(cells: list[Cell]) -> None:
    """Annotate gaps that are the paper's own rounding, not the reproduction's.

    When a cell misses a rounded table but the same model/dataset/metric reproduces a more precise
    source (e.g. the authors' full-precision record), and that precise value itself does not round
    to the printed one, the gap lies between the paper's two sources.
    """
    precise: dict[tuple, Cell] = {}
    for c in cells:
        if c.status != "reproduced" or c.decimals is None:
            continue
        key = (c.model, c.dataset, c.metric)
        if key not in precise or c.decimals > (precise[key].decimals or 0):
            precise[key] = c
    for c in cells:
        if c.status not in ("close", "deviates") or c.decimals is None or c.delta is None:
            continue
        ref = precise.get((c.model, c.dataset, c.metric))
        if ref is None or ref.published is None or (ref.decimals or 0) <= c.decimals:
            continue
        rounded = round(ref.published, c.decimals)
        if abs(rounded - c.published) > 0.5 * 10.0**-c.decimals:
            c.note = (
                f"{c.source} prints {c.published:.{c.decimals}f}, but {ref.source} gives "
                f"{ref.published:.4f} (rounds to {rounded:.{c.decimals}f}), which this run "
                "reproduces: the gap is inside the paper's own numbers"
            )


def summarize(cells: list[Cell]) -> dict[str, Any]:
    """Counts per status, cells per kind of run (``runs``: measured now, reused, carried over)
    and the worst |Δ| per metric among compared cells."""
    counts: dict[str, int] = {}
    runs = dict.fromkeys(RUN_KINDS, 0)
    for c in cells:
        counts[c.status] = counts.get(c.status, 0) + 1
        if c.run in runs:
            runs[c.run] += 1
    worst: dict[str, dict[str, Any] | None] = {}
    for metric in METRICS:
        compared = [c for c in cells if c.metric == metric and c.delta is not None]
        w = max(compared, key=lambda c: abs(c.delta), default=None)
        worst[metric] = (
            None
            if w is None
            else {"model": w.model, "dataset": w.dataset, "source": w.source, "delta": w.delta}
        )
    compared = sum(counts.get(s, 0) for s in ("reproduced", "close", "deviates"))
    return {"counts": counts, "compared": compared, "runs": runs, "worst": worst}
