"""Every file under a results folder: where it lives, how it is written, how it is read back.

Layout (``<results>`` is ``--results-dir``, ``SUITE_RESULTS_DIR`` or ``results/``):

- ``<results>/<model>/<run>__<profile>.{json,csv}`` — one evaluation (``suite eval``), where
  ``<run>`` is the dataset (plus ``_x<scale>`` for arbitrary-scale models);
- ``<results>/<model>/partial/<run>__<profile>.jsonl`` — its per-image log while it runs, so
  an interrupted run (Ctrl-C, a crash, out of memory) resumes without recomputing;
- ``<results>/<model>/profile__<device>[__<variant>].json`` — one benchmark (``suite bench``);
- ``<folder>/diagnosis_<model>_<dataset>.{json,md}`` — a convention diagnosis;
- ``<results>/<family>/`` — a reproduction: ``runs/`` (evaluations as above), ``results.csv``,
  ``comparison.{csv,json}`` (and ``comparison.md``, rendered by the reporting layer).

Writes are atomic (a temporary file renamed into place); readers skip what is not theirs.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from suite.data.datasets import dataset_order
from suite.files import atomic_write_text
from suite.results.records import EvalResult, ImageScore

EVAL_SCHEMA = "sr-suite/eval/1"
BENCH_SCHEMA = "sr-suite/profile/1"  # the name predates the `suite bench` command; kept for files
BENCH_GLOB = "profile__*.json"
DEFAULT_BENCH_SIZE = (1280, 720)  # output width × height, the efficient-SR papers' convention
PER_IMAGE_FIELDS = ["model", "dataset", "scale", "name", "psnr", "ssim", "hr_shape", "lr_shape"]


# --------------------------------------------------------------------------- writing


def write_json(path: Path, obj: Any) -> None:
    """Atomic JSON write (indented, keys in insertion order, trailing newline)."""
    atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=False) + "\n")


def write_csv(path: Path, rows: Iterable[dict[str, Any]], fields: Sequence[str]) -> None:
    """Atomic CSV write of dict rows (keys outside ``fields`` ignored)."""
    buffer = io.StringIO(newline="")
    w = csv.DictWriter(buffer, fieldnames=list(fields), extrasaction="ignore")
    w.writeheader()
    for row in rows:
        w.writerow(row)
    atomic_write_text(path, buffer.getvalue())


def finite_or_none(x: float | None) -> float | None:
    """JSON has no infinity: identical images (PSNR = inf) are stored as null."""
    return None if x is None or not math.isfinite(x) else float(x)


# --------------------------------------------------------------------------- evaluations


def run_stem(run: str, profile: str) -> str:
    """File stem of an evaluation: ``<run>__<profile>``."""
    return f"{run}__{profile}"


def result_json(results_dir: Path, model_id: str, run: str, profile: str) -> Path:
    """The finished evaluation's JSON (its per-image CSV sits beside it)."""
    return results_dir / model_id / f"{run_stem(run, profile)}.json"


def partial_log(results_dir: Path, model_id: str, run: str, profile: str) -> Path:
    """The per-image log of an evaluation in progress."""
    return results_dir / model_id / "partial" / f"{run_stem(run, profile)}.jsonl"


def write_result(result: EvalResult, results_dir: Path) -> Path:
    """Write an evaluation's JSON and its per-image CSV; returns the JSON path."""
    path = result_json(
        results_dir, result["model"], result.get("run_name", result["dataset"]), result["profile"]
    )
    write_json(path, result)
    rows = [
        {**r, "model": result["model"], "dataset": result["dataset"], "scale": result["scale"]}
        for r in result["per_image"]
    ]
    write_csv(path.with_suffix(".csv"), rows, PER_IMAGE_FIELDS)
    return path


def load_result(path: Path) -> EvalResult:
    """One evaluation JSON."""
    return json.loads(Path(path).read_text())


def iter_results(results_dir: Path) -> list[EvalResult]:
    """Every evaluation JSON below a folder (partial logs and other JSON files skipped)."""
    out = []
    for p in sorted(Path(results_dir).rglob("*.json")):
        if "partial" in p.parts:
            continue
        try:
            obj = json.loads(p.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        if isinstance(obj, dict) and obj.get("schema") == EVAL_SCHEMA:
            out.append(obj)
    return out


def latest_results(results_dir: Path) -> list[EvalResult]:
    """Evaluations below a folder, the newest per (model, dataset, profile), in paper order."""
    latest: dict[tuple[str, str, str], EvalResult] = {}
    for r in iter_results(results_dir):
        key = (r["model"], r["dataset"], r["profile"])
        if key not in latest or r.get("timestamp", "") >= latest[key].get("timestamp", ""):
            latest[key] = r
    return sorted(latest.values(), key=lambda r: (r["model"], dataset_order(r["dataset"])))


class PartialLog:
    """Append-only per-image log tied to a run key; a different key starts afresh.

    With ``path=None`` the log lives in memory only (runs that must not write anything).
    """

    def __init__(self, path: Path | None, key: dict[str, Any]):
        self.path = path
        self.key = key
        self.done: dict[str, ImageScore] = {}
        if path is not None and path.is_file():
            self._load(path)

    def _load(self, path: Path) -> None:
        lines = path.read_text().splitlines()
        if not lines:
            return
        try:
            header = json.loads(lines[0])
        except json.JSONDecodeError:
            return
        if header.get("key") != self.key:
            path.unlink()  # a different checkpoint/profile/data: nothing reusable
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
            atomic_write_text(path, "\n".join(good) + "\n")

    def append(self, row: ImageScore) -> None:
        """Record one finished image (fsynced, so a crash right after keeps it)."""
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
        """Delete the log (and its folder when empty) once the final result is written."""
        if self.path is None:
            return
        self.path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self.path.parent.rmdir()


# --------------------------------------------------------------------------- benchmarks


def bench_path(
    results_dir: Path,
    model_id: str,
    device_type: str,
    precision: str = "fp32",
    dataset: str | None = None,
    size: tuple[int, int] = DEFAULT_BENCH_SIZE,
) -> Path:
    """``<results>/<model>/profile__<device>.json``; non-default settings add a suffix each.

    Suffixes (``__fp16``, ``__Set5``, ``__640x360``) keep a run with other settings from
    overwriting the canonical 1280×720 fp32 benchmark.
    """
    parts = ["profile", device_type]
    if precision != "fp32":
        parts.append(precision)
    if dataset:
        parts.append(dataset)
    if tuple(size) != DEFAULT_BENCH_SIZE:
        parts.append(f"{size[0]}x{size[1]}")
    return Path(results_dir) / model_id / ("__".join(parts) + ".json")


def load_bench_results(*dirs: Path) -> list[dict[str, Any]]:
    """Benchmark results (``<model>/profile__<device>[__<variant>].json``) below folders.

    Each gets ``model`` (else the parent folder's name), ``device``, ``variant`` (the file name's
    suffixes for non-default settings such as ``fp16``, ``Set5`` or ``640x360``; "" for the
    canonical 1280×720 fp32 run) and ``key`` (device and variant). Unreadable files are
    skipped: benchmarks are optional extras, never required.
    """
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for d in dirs:
        for path in sorted(Path(d).rglob(BENCH_GLOB)):
            try:
                obj = json.loads(path.read_text())
            except (OSError, json.JSONDecodeError):
                continue
            if not isinstance(obj, dict):
                continue
            parts = path.stem.split("__")[1:]
            obj = {
                **obj,
                "model": obj.get("model") or path.parent.name,
                "device": parts[0],
                "variant": "__".join(parts[1:]),
                "key": "__".join(parts),
                "_path": str(path),
            }
            found[(obj["model"], obj["key"])] = obj
    return sorted(found.values(), key=lambda p: (p["model"], p["key"]))


# --------------------------------------------------------------------------- diagnoses


def diagnosis_paths(folder: Path, model: str, dataset: str) -> tuple[Path, Path]:
    """``<folder>/diagnosis_<model>_<dataset>.json`` and its markdown twin."""
    stem = f"diagnosis_{model}_{dataset}"
    return Path(folder) / f"{stem}.json", Path(folder) / f"{stem}.md"


def write_diagnosis(folder: Path, result: dict[str, Any], markdown: str) -> tuple[Path, Path]:
    """Write a diagnosis as JSON and as its rendered markdown; returns both paths."""
    js, md = diagnosis_paths(folder, result["model"], result["dataset"])
    write_json(js, result)
    atomic_write_text(md, markdown)
    return js, md


def read_diagnoses(folder: Path) -> list[tuple[str, str | Any]]:
    """``diagnosis*.md`` files (their text) and ``diagnosis*.json`` files without a markdown twin
    (their parsed content), by file name; unreadable JSON is skipped."""
    folder = Path(folder)
    out: list[tuple[str, str | Any]] = []
    md_stems = {p.stem for p in folder.glob("diagnosis*.md")}
    for path in sorted(folder.glob("diagnosis*")):
        if path.suffix == ".md":
            out.append((path.name, path.read_text()))
        elif path.suffix == ".json" and path.stem not in md_stems:
            try:
                out.append((path.name, json.loads(path.read_text())))
            except (OSError, json.JSONDecodeError):
                continue
    return out


# --------------------------------------------------------------------------- reproductions


def results_rows(results: Iterable[EvalResult]) -> list[dict[str, Any]]:
    """One flat row per evaluation: what ``results.csv`` holds."""
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


def write_reproduction(
    folder: Path,
    family: str,
    results: Sequence[EvalResult],
    cells: Sequence[dict[str, Any]],
    cell_fields: Sequence[str],
    tolerances: dict[str, float],
    summary: dict[str, Any],
    skipped: Sequence[dict[str, str]],
) -> None:
    """``results.csv`` and ``comparison.{csv,json}`` of a family reproduction."""
    rows = results_rows(results)
    write_csv(folder / "results.csv", rows, list(rows[0]) if rows else ["model"])
    write_csv(folder / "comparison.csv", cells, cell_fields)
    write_json(
        folder / "comparison.json",
        {
            "family": family,
            "tolerances": tolerances,
            "summary": summary,
            "skipped": list(skipped),
            "cells": list(cells),
        },
    )


def write_comparison_markdown(folder: Path, text: str) -> Path:
    """``comparison.md`` of a family reproduction (rendered by the reporting layer)."""
    return atomic_write_text(Path(folder) / "comparison.md", text)
