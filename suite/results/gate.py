"""The CI gate: compare fresh results with a committed baseline, cell by cell, failing closed.

An accuracy cell is (model, dataset, profile) with its mean PSNR and SSIM. Against each baseline
cell, the result cell is

- ``missing`` when the results have no such cell;
- ``invalid`` when a number cannot be trusted: NaN, ±inf, null, a string or an absent PSNR/SSIM
  on either side; a *partial* result (``"partial": true`` and the ``"failed"`` images, named);
  a result scored on data that differs from its manifest; another image count or scale than the
  baseline's; several results at different scales for one cell;
- ``regressed`` when PSNR drops by more than ``psnr_tol`` or SSIM by more than ``ssim_tol``;
- ``improved`` when either rises beyond tolerance (a failure only with ``fail_on_improvement``,
  for suites that must reproduce exactly);
- ``ok`` otherwise.

Result cells absent from the baseline are ``new`` (or ``invalid``: a partial or NaN result never
passes). A baseline may also list ``suite bench`` entries (``<model>/profile__<device>
[__<variant>].json`` below the results): their #params and every Multi-Adds counter it lists
must be exactly equal (else ``changed``), and with ``latency_rtol`` the median latency must not
be slower by more than that fraction (else ``regressed``; faster is ``improved``, never a
failure). Tolerances must be finite and ≥ 0.

``suite gate`` exits 0 when every gated cell passes, 1 when one fails (regressed, missing,
invalid, changed; improved with ``--fail-on-improvement``), 2 on unusable input: a missing,
truncated or schema-less results or baseline file, an empty baseline, a tolerance that is not a
finite number ≥ 0, or ``--write-baseline`` with nothing (or nothing valid) to freeze.

Baseline file (``sr-suite/baseline/1``; ``bench`` is optional, so older baselines still work)::

    {"schema": "sr-suite/baseline/1",
     "cells": [{"model", "dataset", "profile", "scale", "psnr", "ssim", "n_images"}, ...],
     "bench": [{"model", "key": "<device>[__<variant>]", "params": int,
                "macs": {"<counter>": G, "default": "<counter>"}, "latency_median_ms": ms}, ...]}
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from suite.errors import ResultFileError, SuiteError
from suite.results.compare import check_tolerance, failed_images, is_finite_number
from suite.results.store import (
    EVAL_SCHEMA,
    iter_results,
    load_bench_results,
    load_result,
    read_json,
    write_json,
)

BASELINE_SCHEMA = "sr-suite/baseline/1"
CELL_FIELDS = ("model", "dataset", "profile", "scale", "psnr", "ssim", "n_images")
BENCH_LATENCY = "latency_median_ms"
FAILING = {"regressed", "missing", "invalid", "changed"}
BAD_DATA = ("modified", "incomplete")  # manifest states whose numbers come from other images
FIX = (
    "pass a results folder, a result JSON or a baseline written by "
    "`suite gate RESULTS --write-baseline OUT`"
)

Key = tuple[str, str, str]  # model, dataset, profile
BenchKey = tuple[str, str]  # model, "<device>[__<variant>]"


@dataclass
class GateCell:
    model: str
    dataset: str
    profile: str
    status: str  # ok | regressed | missing | improved | new | invalid
    psnr: float | None
    baseline_psnr: float | None
    ssim: float | None
    baseline_ssim: float | None
    reason: str = ""  # why a cell is invalid or missing

    @property
    def d_psnr(self) -> float | None:
        if self.psnr is None or self.baseline_psnr is None:
            return None
        return self.psnr - self.baseline_psnr

    @property
    def d_ssim(self) -> float | None:
        if self.ssim is None or self.baseline_ssim is None:
            return None
        return self.ssim - self.baseline_ssim

    @property
    def label(self) -> str:
        return f"{self.model} {self.dataset} [{self.profile}]"


@dataclass
class BenchCell:
    """One gated number of a ``suite bench`` entry: ``params``, ``macs.<counter>``,
    ``macs.default`` (the headline counter's name) or ``latency_median_ms``."""

    model: str
    key: str  # device[__variant], as in the benchmark's file name
    metric: str
    status: str  # ok | changed | regressed | improved | missing | invalid
    value: Any
    baseline: Any
    reason: str = ""

    @property
    def label(self) -> str:
        return f"{self.model} bench {self.key} {self.metric}"


@dataclass
class Inputs:
    """One side of the gate: accuracy cells and benchmark entries, by key."""

    cells: dict[Key, dict[str, Any]] = field(default_factory=dict)
    bench: dict[BenchKey, dict[str, Any]] = field(default_factory=dict)


# --------------------------------------------------------------------------- reading


def _cell(r: dict[str, Any]) -> dict[str, Any]:
    """A result's gate cell; its partial flag, failed images and data state ride along."""
    cell = {k: r[k] for k in CELL_FIELDS}
    for k in ("partial", "failed"):
        if k in r:
            cell[k] = r[k]
    data = r.get("data")
    manifest = data.get("manifest") if isinstance(data, dict) else None
    if isinstance(manifest, dict) and manifest.get("status") in BAD_DATA:
        cell["manifest"] = manifest["status"]
    return cell


def _result_cells(results: list[dict[str, Any]]) -> dict[Key, dict[str, Any]]:
    """Cells of evaluations, the newest per key; results at several scales mark their cell."""
    cells: dict[Key, dict[str, Any]] = {}
    for r in sorted(results, key=lambda r: str(r.get("timestamp", ""))):
        cell, key = _cell(r), (r["model"], r["dataset"], r["profile"])
        old = cells.get(key)
        scales = {*old.get("scales", [old["scale"]]), cell["scale"]} if old else {cell["scale"]}
        if len(scales) > 1:
            cell["scales"] = sorted(scales)
        cells[key] = cell
    return cells


def _bench_entry(b: dict[str, Any]) -> dict[str, Any]:
    """A ``suite bench`` result in the baseline's shape: params, numeric counters, median."""
    entry = {k: b[k] for k in ("model", "key", "params") if k in b}
    macs = b.get("macs")
    if isinstance(macs, dict):
        entry["macs"] = {k: v for k, v in macs.items() if k == "default" or is_finite_number(v)}
    latency = b.get("latency_ms")
    if isinstance(latency, dict) and is_finite_number(latency.get("median")):
        entry[BENCH_LATENCY] = latency["median"]
    return entry


def _keyed(path: Path, rows: Any, names: tuple[str, ...], what: str) -> dict:
    """Rows of a baseline list by key; a malformed row makes the whole file unusable."""
    if not isinstance(rows, list):
        raise ResultFileError(f"{path}: {what!r} must be a list; {FIX}")
    out: dict[tuple, dict[str, Any]] = {}
    for i, row in enumerate(rows):
        key = tuple(row.get(n) for n in names) if isinstance(row, dict) else ()
        if not key or not all(isinstance(k, str) and k for k in key):
            raise ResultFileError(
                f"{path}: {what}[{i}] needs {', '.join(names)} as names, got {row!r}; {FIX}"
            )
        if key in out:
            raise ResultFileError(f"{path}: {what}[{i}] repeats {' '.join(key)}; {FIX}")
        out[key] = row
    return out


def load(path: Path) -> Inputs:
    """Cells and benchmark entries of a results folder, a result JSON or a baseline file."""
    path = Path(path)
    if path.is_dir():
        bench = [_bench_entry(b) for b in load_bench_results(path)]
        return Inputs(_result_cells(iter_results(path)), {(b["model"], b["key"]): b for b in bench})
    if not path.exists():
        raise SuiteError(f"{path}: no such file or folder; {FIX}")
    obj = read_json(path, FIX)
    schema = obj.get("schema") if isinstance(obj, dict) else None
    if schema == BASELINE_SCHEMA:
        return Inputs(
            _keyed(path, obj.get("cells", []), ("model", "dataset", "profile"), "cells"),
            _keyed(path, obj.get("bench", []), ("model", "key"), "bench"),
        )
    if schema == EVAL_SCHEMA:
        return Inputs(_result_cells([load_result(path)]))  # checked as an evaluation
    raise ResultFileError(f"{path}: neither a result nor a baseline file (no known schema); {FIX}")


def load_cells(path: Path) -> dict[Key, dict[str, Any]]:
    """Accuracy cells from a results folder, a single result JSON, or a baseline file."""
    return load(path).cells


def load_baseline(path: Path) -> Inputs:
    """A baseline (file or results folder) that holds something to gate against."""
    baseline = load(path)
    if not baseline.cells and not baseline.bench:
        raise ResultFileError(
            f"{path}: the baseline is empty, and a gate against nothing passes on anything; "
            "write one from trusted results with `suite gate RESULTS --write-baseline OUT`"
        )
    return baseline


# --------------------------------------------------------------------------- checks


def _non_finite(x: object) -> bool:
    return isinstance(x, float) and not math.isfinite(x)


def _number(x: object) -> float | None:
    """A value to show: the number itself (NaN included), None for anything else."""
    return x if isinstance(x, int | float) and not isinstance(x, bool) else None


def _value_problem(cell: dict[str, Any], name: str, side: str) -> str | None:
    if name not in cell:
        return f"{side} has no {name}"
    if not is_finite_number(cell[name]):
        return f"{side} {name} is {cell[name]!r}, not a finite number"
    return None


def _cell_problems(cell: dict[str, Any], side: str) -> list[str]:
    """Why one side's cell cannot be trusted (empty when it can)."""
    out = [p for m in ("psnr", "ssim") if (p := _value_problem(cell, m, side))]
    if cell.get("partial") or cell.get("failed"):
        out.append(f"{side} is partial, not scored: {failed_images(cell)}")
    if "manifest" in cell:
        out.append(f"{side} scored on {cell['manifest']} data (differs from its manifest)")
    if "scales" in cell:
        out.append(f"{side}: several scales {cell['scales']} share this cell; gate one of them")
    return out


def _pair_problems(new: dict[str, Any], base: dict[str, Any]) -> list[str]:
    """A result of another shape than its baseline cell (image count, scale)."""
    return [
        f"{k} {new[k]!r} differs from the baseline's {base[k]!r}"
        for k in ("n_images", "scale")
        if k in new and k in base and new[k] != base[k]
    ]


def check_tolerances(**tolerances: float | None) -> None:
    """Each tolerance given (not None) must be a finite number ≥ 0 (SuiteError otherwise)."""
    for name, value in tolerances.items():
        if value is not None:
            check_tolerance(f"--{name.replace('_', '-')}", value)


# --------------------------------------------------------------------------- gating


def _accuracy_status(
    new: dict[str, Any], base: dict[str, Any], psnr_tol: float, ssim_tol: float
) -> str:
    dp, ds = new["psnr"] - base["psnr"], new["ssim"] - base["ssim"]
    if dp < -psnr_tol or ds < -ssim_tol:
        return "regressed"
    if dp > psnr_tol or ds > ssim_tol:
        return "improved"
    return "ok"


def _gate_cell(
    key: Key, new: dict[str, Any] | None, base: dict[str, Any] | None, status: str, why: list[str]
) -> GateCell:
    new, base = new or {}, base or {}
    return GateCell(
        *key,
        status,
        _number(new.get("psnr")),
        _number(base.get("psnr")),
        _number(new.get("ssim")),
        _number(base.get("ssim")),
        "; ".join(why),
    )


def gate(
    results: dict[Key, dict[str, Any]],
    baseline: dict[Key, dict[str, Any]],
    psnr_tol: float = 1e-3,
    ssim_tol: float = 1e-4,
    datasets: list[str] | None = None,
    models: list[str] | None = None,
) -> list[GateCell]:
    """Classify every baseline cell (optionally restricted) against the new results, then the
    new cells the baseline lacks."""
    check_tolerances(psnr_tol=psnr_tol, ssim_tol=ssim_tol)
    out: list[GateCell] = []

    def wanted(key: Key) -> bool:
        return (not datasets or key[1] in datasets) and (not models or key[0] in models)

    for key, base in sorted(baseline.items()):
        if not wanted(key):
            continue
        new = results.get(key)
        reasons = _cell_problems(base, "baseline")
        if new is None:
            out.append(_gate_cell(key, None, base, "missing", ["not in the results", *reasons]))
            continue
        reasons += _cell_problems(new, "results") + _pair_problems(new, base)
        status = "invalid" if reasons else _accuracy_status(new, base, psnr_tol, ssim_tol)
        out.append(_gate_cell(key, new, base, status, reasons))
    for key, new in sorted(results.items()):
        if wanted(key) and key not in baseline:
            reasons = _cell_problems(new, "results")
            out.append(_gate_cell(key, new, None, "invalid" if reasons else "new", reasons))
    return out


def _flat(entry: dict[str, Any]) -> dict[str, Any]:
    """A benchmark entry's gated numbers by metric name (``macs.<counter>``, ``macs.default``)."""
    flat = {k: entry[k] for k in ("params", BENCH_LATENCY) if k in entry}
    macs = entry.get("macs")
    if isinstance(macs, dict):
        flat.update({f"macs.{k}": v for k, v in macs.items()})
    elif "macs" in entry:
        flat["macs"] = macs
    return flat


def _exact_problem(metric: str, value: Any, side: str) -> str | None:
    if metric == "params":
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        return None if ok else f"{side} params is {value!r}, not a count"
    if metric == "macs.default":
        return None if isinstance(value, str) else f"{side} macs.default is {value!r}"
    if metric == "macs" or not is_finite_number(value):
        return f"{side} {metric} is {value!r}, not a finite number"
    return None


def _entry_problems(entry: dict[str, Any]) -> list[str]:
    """Why a benchmark entry cannot be frozen into a baseline (empty when it can)."""
    flat = _flat(entry)
    out = [why for m, v in flat.items() if (why := _exact_problem(m, v, "benchmark"))]
    if not set(flat) - {BENCH_LATENCY}:
        out.append("benchmark holds no params or macs")
    return out


def _bench_cell(
    key: BenchKey, metric: str, base: Any, new: dict[str, Any], latency_rtol: float | None
) -> BenchCell:
    value = new.get(metric)
    reasons = [r for r in (_exact_problem(metric, base, "baseline"),) if r]
    if metric not in new:
        reasons.append(f"results have no {metric}")
    elif problem := _exact_problem(metric, value, "results"):
        reasons.append(problem)
    if metric == BENCH_LATENCY and not reasons and base <= 0:
        reasons.append(f"baseline {metric} is {base!r}, not positive")
    status = "invalid" if reasons else _bench_status(metric, value, base, latency_rtol or 0.0)
    return BenchCell(*key, metric, status, value, base, "; ".join(reasons))


def _bench_status(metric: str, value: Any, base: Any, latency_rtol: float) -> str:
    """Exact equality for #params and Multi-Adds; a relative band for latency."""
    if metric != BENCH_LATENCY:
        return "ok" if value == base else "changed"
    if value > base * (1 + latency_rtol):
        return "regressed"
    return "improved" if value < base * (1 - latency_rtol) else "ok"


def gate_bench(
    results: dict[BenchKey, dict[str, Any]],
    baseline: dict[BenchKey, dict[str, Any]],
    latency_rtol: float | None = None,
    models: list[str] | None = None,
) -> list[BenchCell]:
    """Every benchmark number of the baseline against the new ``suite bench`` results: #params
    and Multi-Adds exactly, latency within ``latency_rtol`` (relative; not gated when None)."""
    check_tolerances(latency_rtol=latency_rtol)
    out: list[BenchCell] = []
    for key, base in sorted(baseline.items()):
        if models and key[0] not in models:
            continue
        if key not in results:
            out.append(BenchCell(*key, "bench", "missing", None, None, "no `suite bench` result"))
            continue
        gated = {m: v for m, v in _flat(base).items() if m != BENCH_LATENCY}
        if not gated:
            why = "baseline entry holds no params or macs"
            out.append(BenchCell(*key, "bench", "invalid", None, None, why))
        if latency_rtol is not None:
            gated[BENCH_LATENCY] = base.get(BENCH_LATENCY)
        new = _flat(results[key])
        out += [_bench_cell(key, m, v, new, latency_rtol) for m, v in sorted(gated.items())]
    return out


def failed(cells: list[GateCell] | list[BenchCell], fail_on_improvement: bool = False) -> list[Any]:
    """The cells that fail the gate (a latency improvement never does)."""
    bad = FAILING | ({"improved"} if fail_on_improvement else set())
    return [
        c
        for c in cells
        if c.status in bad and not (c.status == "improved" and isinstance(c, BenchCell))
    ]


def to_dicts(cells: list[GateCell] | list[BenchCell]) -> list[dict[str, Any]]:
    """JSON-able cells; NaN and ±inf (which JSON cannot hold) become null."""
    out = []
    for c in cells:
        row = asdict(c)
        if isinstance(c, GateCell):
            row.update(d_psnr=c.d_psnr, d_ssim=c.d_ssim)
        out.append({k: None if _non_finite(v) else v for k, v in row.items()})
    return out


# --------------------------------------------------------------------------- writing


def write_baseline(
    results: Path, out: Path, datasets: list[str] | None = None, models: list[str] | None = None
) -> int:
    """Freeze the cells (and ``suite bench`` entries) of a results folder into a baseline file;
    returns the count. Refuses (SuiteError) to write an empty baseline, or one with a number the
    gate would not trust (NaN, null, a partial result, modified data, several scales …)."""
    source = load(results)
    cells = {
        k: c
        for k, c in source.cells.items()
        if (not datasets or k[1] in datasets) and (not models or k[0] in models)
    }
    bench = {k: b for k, b in source.bench.items() if not models or k[0] in models}
    if not cells and not bench:
        raise SuiteError(
            f"nothing to freeze: no evaluation or `suite bench` results below {results}"
            + (" for the chosen --dataset/--model" if datasets or models else "")
            + f"; {out} was not written (run `suite eval` or `suite reproduce` first)"
        )
    bad = [
        f"{k[0]} {k[1]} [{k[2]}]: {'; '.join(why)}"
        for k, c in sorted(cells.items())
        if (why := _cell_problems(c, "result"))
    ] + [
        f"{k[0]} bench {k[1]}: {'; '.join(why)}"
        for k, b in sorted(bench.items())
        if (why := _entry_problems(b))
    ]
    if bad:
        raise SuiteError(
            f"{out} not written: {len(bad)} cell(s) of {results} cannot be trusted "
            f"({' | '.join(bad[:5])}); rerun them to completion first"
        )
    write_json(
        out,
        {
            "schema": BASELINE_SCHEMA,
            "cells": [{f: cells[k][f] for f in CELL_FIELDS} for k in sorted(cells)],
            **({"bench": [bench[k] for k in sorted(bench)]} if bench else {}),
        },
    )
    return len(cells) + len(bench)
