"""Results as one tidy table: a ``pandas.DataFrame`` with one row per evaluation.

>>> from suite.results import load_frame
>>> df = load_frame("results/eimn", "results/zoo")        # every run below both folders
>>> df[df.dataset == "Set5"].sort_values("psnr", ascending=False)[["model", "profile", "psnr"]]
>>> df.pivot_table(index="model", columns="dataset", values="psnr")   # the paper's layout

Columns (:data:`COLUMNS`): ``model, family, scale, dataset, profile, psnr, ssim, n_images,
partial, n_failed, checkpoint_sha256, verification, manifest_status, device, timestamp, git``.
Only the newest run of each (model, dataset, profile) below all the folders is kept, as reports
use them; a partial run keeps ``partial`` true and is never to be compared. The same builders
turn the result records of a reproduction (:func:`results_frame`) and the published tables
(:func:`reference_frame`) into frames, so comparisons join them instead of looping by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from suite.results.reference import ReferenceRow
from suite.results.store import latest_results

COLUMNS = [
    "model", "family", "scale", "dataset", "profile", "psnr", "ssim", "n_images", "partial",
    "n_failed", "checkpoint_sha256", "verification", "manifest_status", "device", "timestamp",
    "git",
]  # fmt: skip


def _row(result: dict[str, Any]) -> dict[str, Any]:
    """The tidy row of one evaluation record (fields an older record lacks are missing)."""
    checkpoint = result.get("checkpoint") if isinstance(result.get("checkpoint"), dict) else {}
    data = result.get("data") if isinstance(result.get("data"), dict) else {}
    manifest = data.get("manifest") if isinstance(data.get("manifest"), dict) else {}
    env = result.get("env") if isinstance(result.get("env"), dict) else {}
    scale = result.get("scale")
    return {
        "model": result["model"],
        "family": result.get("family"),
        "scale": float(scale) if isinstance(scale, int | float) else None,
        "dataset": result["dataset"],
        "profile": result.get("profile"),
        "psnr": result.get("psnr"),
        "ssim": result.get("ssim"),
        "n_images": result.get("n_images"),
        "partial": bool(result.get("partial") or result.get("failed")),
        "n_failed": len(result.get("failed") or []),
        "checkpoint_sha256": checkpoint.get("sha256"),
        "verification": checkpoint.get("verification"),
        "manifest_status": manifest.get("status"),
        "device": env.get("device"),
        "timestamp": result.get("timestamp"),
        "git": env.get("git"),
    }


def results_frame(results: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """One row per evaluation record, in the records' order (index 0, 1, …: the position of
    each record in ``results``)."""
    return pd.DataFrame([_row(r) for r in results], columns=COLUMNS)


def load_frame(*folders: str | Path) -> pd.DataFrame:
    """Every evaluation below the folders as one tidy frame (see the module's example): the
    newest run of each (model, dataset, profile), in paper order."""
    return results_frame(latest_results(*(Path(f) for f in folders)))


def reference_frame(rows: Sequence[ReferenceRow]) -> pd.DataFrame:
    """The published rows as a frame (one row per :class:`ReferenceRow`, its fields as
    columns), index = position in ``rows``."""
    columns = list(ReferenceRow.__dataclass_fields__)
    return pd.DataFrame([asdict(r) for r in rows], columns=columns)


def reference_cells(rows: Sequence[ReferenceRow], metrics: Sequence[str]) -> pd.DataFrame:
    """The published rows in long form, keys only: one row per (reference row, metric) with
    ``ref`` (the row's position in ``rows``), ``model_id``, ``dataset``, ``table`` and
    ``metric``, in row order then metric order. Values stay on the rows themselves, so a
    missing number is never turned into a NaN."""
    refs = reference_frame(rows)[["model_id", "dataset", "table"]].rename_axis("ref")
    long = pd.concat(
        [refs.reset_index().assign(metric=m, metric_order=i) for i, m in enumerate(metrics)],
        ignore_index=True,
    )
    return long.sort_values(["ref", "metric_order"], kind="stable").reset_index(drop=True)
