"""Where results live and how they are written: final JSON + CSV, and a resumable partial log.

Layout: ``<results>/<model_id>/<dataset>__<profile>.{json,csv}``; while a run is in progress its
per-image scores are appended (and fsynced) to ``<results>/<model_id>/partial/<...>.jsonl`` so an
interrupted run — Ctrl-C, a crash, an out-of-memory error — resumes without recomputing.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

SCHEMA = "sr-suite/eval/1"


def run_stem(dataset: str, profile: str) -> str:
    return f"{dataset}__{profile}"


def result_json(results_dir: Path, model_id: str, dataset: str, profile: str) -> Path:
    return results_dir / model_id / f"{run_stem(dataset, profile)}.json"


def partial_log(results_dir: Path, model_id: str, dataset: str, profile: str) -> Path:
    return results_dir / model_id / "partial" / f"{run_stem(dataset, profile)}.jsonl"


def finite_or_none(x: float) -> float | None:
    """JSON has no infinity: identical images (PSNR = inf) are stored as null."""
    return None if x is None or not math.isfinite(x) else float(x)


def write_json(path: Path, obj: Any) -> None:
    """Atomic JSON write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2, sort_keys=False) + "\n")
    tmp.replace(path)


def write_csv(path: Path, rows: Iterable[dict[str, Any]], fields: list[str]) -> None:
    """Atomic CSV write of dict rows (extra keys ignored)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        w.writeheader()
        for row in rows:
            w.writerow(row)
    tmp.replace(path)


def write_result(result: dict[str, Any], results_dir: Path) -> Path:
    """Write the run's JSON and its per-image CSV; returns the JSON path."""
    path = result_json(
        results_dir, result["model"], result.get("run_name", result["dataset"]), result["profile"]
    )
    write_json(path, result)
    rows = [
        {**r, "model": result["model"], "dataset": result["dataset"], "scale": result["scale"]}
        for r in result["per_image"]
    ]
    write_csv(
        path.with_suffix(".csv"),
        rows,
        ["model", "dataset", "scale", "name", "psnr", "ssim", "hr_shape", "lr_shape"],
    )
    return path


def load_result(path: Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text())


def iter_results(results_dir: Path) -> list[dict[str, Any]]:
    """Every evaluation result JSON below a folder (skipping partial logs and other JSON)."""
    out = []
    for p in sorted(Path(results_dir).rglob("*.json")):
        if "partial" in p.parts:
            continue
        try:
            obj = json.loads(p.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        if isinstance(obj, dict) and obj.get("schema") == SCHEMA:
            out.append(obj)
    return out


class PartialLog:
    """Append-only per-image log tied to a run key; a different key starts afresh.

    With ``path=None`` the log lives in memory only (runs that must not write anything).
    """

    def __init__(self, path: Path | None, key: dict[str, Any]):
        self.path = path
        self.key = key
        self.done: dict[str, dict[str, Any]] = {}
        if path is not None and path.is_file():
            self._load()

    def _load(self) -> None:
        lines = self.path.read_text().splitlines()
        if not lines:
            return
        try:
            header = json.loads(lines[0])
        except json.JSONDecodeError:
            return
        if header.get("key") != self.key:
            self.path.unlink()  # a different checkpoint/profile/data: nothing reusable
            return
        good = lines[:1]
        for line in lines[1:]:
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                break  # a line cut off by a crash: everything before it is good
            self.done[row["name"]] = row
            good.append(line)
        if len(good) != len(lines):
            self.path.write_text("\n".join(good) + "\n")

    def append(self, row: dict[str, Any]) -> None:
        if self.path is None:
            self.done[row["name"]] = row
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.path.is_file() or self.path.stat().st_size == 0
        with self.path.open("a") as f:
            if new:
                f.write(json.dumps({"key": self.key}) + "\n")
            f.write(json.dumps(row) + "\n")
            f.flush()
            os.fsync(f.fileno())
        self.done[row["name"]] = row

    def remove(self) -> None:
        if self.path is None:
            return
        self.path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self.path.parent.rmdir()
