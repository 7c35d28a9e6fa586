"""The CI gate: compare a fresh set of results with a committed baseline, cell by cell.

A cell is (model, dataset, profile) with its mean PSNR and SSIM. A cell *regresses* when PSNR
drops by more than ``psnr_tol`` or SSIM by more than ``ssim_tol``; a baseline cell absent from the
new results is *missing*. Both fail the gate. Rises beyond tolerance are reported as *improved*
(and fail only with ``fail_on_improvement``, for suites that must reproduce exactly).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from suite.errors import SuiteError
from suite.results.store import EVAL_SCHEMA, iter_results, write_json

BASELINE_SCHEMA = "sr-suite/baseline/1"

Key = tuple[str, str, str]


@dataclass
class GateCell:
    model: str
    dataset: str
    profile: str
    status: str  # ok | regressed | missing | improved | new
    psnr: float | None
    baseline_psnr: float | None
    ssim: float | None
    baseline_ssim: float | None

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


def _cell(r: dict[str, Any]) -> dict[str, Any]:
    return {k: r[k] for k in ("model", "dataset", "profile", "scale", "psnr", "ssim", "n_images")}


def load_cells(path: Path) -> dict[Key, dict[str, Any]]:
    """Cells from a results folder, a single result JSON, or a baseline file."""
    path = Path(path)
    if path.is_dir():
        rows = [_cell(r) for r in iter_results(path)]
    else:
        obj = json.loads(path.read_text())
        if obj.get("schema") == BASELINE_SCHEMA:
            rows = obj["cells"]
        elif obj.get("schema") == EVAL_SCHEMA:
            rows = [_cell(obj)]
        else:
            raise SuiteError(
                f"{path}: neither a result nor a baseline file; pass a results folder, a result "
                "JSON or a baseline written by `suite gate RESULTS --write-baseline OUT`"
            )
    return {(r["model"], r["dataset"], r["profile"]): r for r in rows}


def write_baseline(results: Path, out: Path, datasets: list[str] | None = None) -> int:
    """Freeze the cells of a results folder into a small baseline file; returns the count."""
    cells = [c for c in load_cells(results).values() if not datasets or c["dataset"] in datasets]
    cells.sort(key=lambda c: (c["model"], c["dataset"], c["profile"]))
    write_json(out, {"schema": BASELINE_SCHEMA, "cells": cells})
    return len(cells)


def gate(
    results: dict[Key, dict[str, Any]],
    baseline: dict[Key, dict[str, Any]],
    psnr_tol: float = 1e-3,
    ssim_tol: float = 1e-4,
    datasets: list[str] | None = None,
    models: list[str] | None = None,
) -> list[GateCell]:
    """Classify every baseline cell (optionally restricted) against the new results."""
    out: list[GateCell] = []

    def wanted(key: Key) -> bool:
        return (not datasets or key[1] in datasets) and (not models or key[0] in models)

    for key, base in sorted(baseline.items()):
        if not wanted(key):
            continue
        new = results.get(key)
        if new is None:
            out.append(GateCell(*key, "missing", None, base["psnr"], None, base["ssim"]))
            continue
        dp, ds = new["psnr"] - base["psnr"], new["ssim"] - base["ssim"]
        if dp < -psnr_tol or ds < -ssim_tol:
            status = "regressed"
        elif dp > psnr_tol or ds > ssim_tol:
            status = "improved"
        else:
            status = "ok"
        out.append(GateCell(*key, status, new["psnr"], base["psnr"], new["ssim"], base["ssim"]))
    for key, new in sorted(results.items()):
        if wanted(key) and key not in baseline:
            out.append(GateCell(*key, "new", new["psnr"], None, new["ssim"], None))
    return out


def failed(cells: list[GateCell], fail_on_improvement: bool = False) -> list[GateCell]:
    bad = {"regressed", "missing"} | ({"improved"} if fail_on_improvement else set())
    return [c for c in cells if c.status in bad]


def to_dicts(cells: list[GateCell]) -> list[dict[str, Any]]:
    return [{**asdict(c), "d_psnr": c.d_psnr, "d_ssim": c.d_ssim} for c in cells]
