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

Every name that becomes part of a path (model id, run or dataset name, profile, benchmark
variant) must be one plain file-name component (:func:`safe_name`), so nothing is ever written
outside the results folder. Writes are atomic (a temporary file renamed into place). Readers skip
what is not theirs; a file of theirs that cannot be read (truncated, not JSON, missing fields) is
skipped with a warning naming it, or, when the caller named that very file, raises
:class:`~suite.errors.ResultFileError`.
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
from suite.errors import ResultFileError, warn
from suite.files import atomic_write_text
from suite.paths import safe_name
from suite.results.records import EvalResult, ImageScore

EVAL_SCHEMA = "sr-suite/eval/1"
BENCH_SCHEMA = "sr-suite/profile/1"  # the name predates the `suite bench` command; kept for files
BENCH_GLOB = "profile__*.json"
DEFAULT_BENCH_SIZE = (1280, 720)  # output width × height, the efficient-SR papers' convention
PER_IMAGE_FIELDS = [
    "model", "dataset", "scale", "name", "psnr", "ssim", "hr_shape", "lr_shape", "hr_sha256",
    "lr_sha256",
]  # fmt: skip
PARTIAL_DIR = "partial"  # <results>/<model>/partial/: per-image logs of runs in progress
RERUN = "rerun the command that wrote it (with --force), or remove it"


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
    """File stem of an evaluation: ``<run>__<profile>`` (both plain names)."""
    return f"{safe_name(run, 'run name')}__{safe_name(profile, 'profile name')}"


def result_json(results_dir: Path, model_id: str, run: str, profile: str) -> Path:
    """The finished evaluation's JSON (its per-image CSV sits beside it)."""
    return Path(results_dir) / safe_name(model_id, "model id") / f"{run_stem(run, profile)}.json"


def partial_log(results_dir: Path, model_id: str, run: str, profile: str) -> Path:
    """The per-image log of an evaluation in progress."""
    model_dir = Path(results_dir) / safe_name(model_id, "model id")
    return model_dir / PARTIAL_DIR / f"{run_stem(run, profile)}.jsonl"


def _write_per_image_csv(path: Path, result: EvalResult) -> None:
    """``<stem>.csv`` beside an evaluation's JSON: one row per image."""
    rows = [
        {**r, "model": result["model"], "dataset": result["dataset"], "scale": result["scale"]}
        for r in result["per_image"]
    ]
    write_csv(path.with_suffix(".csv"), rows, PER_IMAGE_FIELDS)


def write_result(result: EvalResult, results_dir: Path) -> Path:
    """Write an evaluation's JSON and its per-image CSV; returns the JSON path."""
    path = result_json(
        results_dir, result["model"], result.get("run_name", result["dataset"]), result["profile"]
    )
    write_json(path, result)
    _write_per_image_csv(path, result)
    return path


def _parse_json(path: Path) -> tuple[Any, str | None]:
    """(the parsed file, None), or (None, why it cannot be read)."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8")), None
    except FileNotFoundError:
        return None, "no such file"
    except IsADirectoryError:
        return None, "a folder, not a file"
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror or exc})"
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON, truncated? ({exc.msg}: line {exc.lineno} column {exc.colno})"


def read_json(path: Path, fix: str = RERUN) -> Any:
    """A JSON file the caller named; ResultFileError naming it (and ``fix``) when unreadable."""
    obj, why = _parse_json(path)
    if why:
        raise ResultFileError(f"{path}: {why}; {fix}")
    return obj


def _is_number(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


# key -> (check, what it must be); NaN metrics pass here: they are the gate's and reports' to show
_EVAL_FIELDS: dict[str, tuple[Any, str]] = {
    "model": (lambda x: isinstance(x, str) and x, "a model id"),
    "dataset": (lambda x: isinstance(x, str) and x, "a dataset name"),
    "profile": (lambda x: isinstance(x, str) and x, "a profile name"),
    "scale": (_is_number, "a number"),
    "psnr": (lambda x: x is None or _is_number(x), "a number or null"),
    "ssim": (lambda x: x is None or _is_number(x), "a number or null"),
    "n_images": (lambda x: isinstance(x, int) and not isinstance(x, bool), "an integer"),
    "per_image": (
        lambda x: isinstance(x, list) and all(isinstance(r, dict) for r in x),
        "a list of objects",
    ),
}


def result_problem(obj: Any) -> str | None:
    """What makes ``obj`` unusable as an evaluation result (``sr-suite/eval/1``), or None."""
    if not isinstance(obj, dict):
        return "not a JSON object"
    if obj.get("schema") != EVAL_SCHEMA:
        return f"schema is {obj.get('schema')!r}, not {EVAL_SCHEMA!r}"
    for key, (ok, what) in _EVAL_FIELDS.items():
        if key not in obj:
            return f"no {key!r}"
        if not ok(obj[key]):
            return f"{key!r} is {obj[key]!r}, not {what}"
    return None


def load_result(path: Path) -> EvalResult:
    """One evaluation JSON; ResultFileError naming it when it is unreadable or not a result."""
    obj = read_json(path)
    why = result_problem(obj)
    if why:
        raise ResultFileError(f"{path}: {why}; {RERUN}")
    return obj


def load_finished(path: Path) -> EvalResult | None:
    """The finished evaluation stored at ``path``, or None when it must be computed (again).

    None when the file is missing, and when it exists but cannot be used (truncated, not JSON,
    not an object, another schema): a one-line warning names it, and the new run overwrites it.
    When the JSON is good but its per-image CSV is missing (a process killed between the two
    writes), the CSV is rewritten from the JSON.
    """
    path = Path(path)
    if not path.exists():
        return None
    obj, why = _parse_json(path)
    why = why or result_problem(obj)
    if why:
        warn(f"{path}: {why}; it will be recomputed and overwritten")
        return None
    if not path.with_suffix(".csv").exists():
        _write_per_image_csv(path, obj)
    return obj


def _is_partial_log(root: Path, path: Path) -> bool:
    """True for files in a run's own ``<model>/partial/`` folder below ``root``."""
    return path.parent.name == PARTIAL_DIR and path.parent != root


def iter_results(results_dir: Path) -> list[EvalResult]:
    """Every evaluation JSON below a folder.

    Other JSON files (benchmarks, comparisons, baselines, diagnoses) and the runs' own
    ``partial/`` logs are skipped; so is a file that cannot be read or is a broken evaluation
    (truncated, not JSON, missing fields), with a warning naming it.
    """
    root = Path(results_dir)
    out = []
    for p in sorted(root.rglob("*.json")):
        if _is_partial_log(root, p) or p.match(BENCH_GLOB):
            continue
        obj, why = _parse_json(p)
        if why is None and not (isinstance(obj, dict) and obj.get("schema") == EVAL_SCHEMA):
            continue  # another kind of file
        why = why or result_problem(obj)
        if why:
            warn(f"skipping {p}: {why}")
            continue
        out.append(obj)
    return out


def latest_results(*results_dirs: Path) -> list[EvalResult]:
    """Evaluations below the folders, the newest per (model, dataset, profile) across all of
    them, in paper order."""
    found = [r for d in results_dirs for r in iter_results(d)]
    latest: dict[tuple[str, str, str], EvalResult] = {}
    for r in sorted(found, key=lambda r: str(r.get("timestamp", ""))):
        latest[(r["model"], r["dataset"], r["profile"])] = r  # the newest comes last
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
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
            header = json.loads(lines[0]) if lines else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            header = None
        if not isinstance(header, dict) or header.get("key") != self.key:
            path.unlink()  # another checkpoint/profile/data, or unreadable: nothing reusable
            return
        good = lines[:1]
        for line in lines[1:]:
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                break  # a line cut off by a crash: everything before it is good
            if not isinstance(row, dict) or not isinstance(row.get("name"), str):
                break
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
    accelerator: str | None = None,
) -> Path:
    """``<results>/<model>/profile__<device>.json``; non-default settings add a suffix each.

    Suffixes (``__H100``, ``__fp16``, ``__Set5``, ``__640x360``) keep a run on another GPU kind
    (``accelerator``, as a cluster names it) or with other settings from overwriting the
    canonical 1280×720 fp32 benchmark.
    """
    parts = ["profile", safe_name(device_type, "device")]
    if accelerator:
        parts.append(safe_name(accelerator, "accelerator type"))
    if precision != "fp32":
        parts.append(safe_name(precision, "precision"))
    if dataset:
        parts.append(safe_name(dataset, "benchmark dataset"))
    if tuple(size) != DEFAULT_BENCH_SIZE:
        parts.append(f"{int(size[0])}x{int(size[1])}")
    return Path(results_dir) / safe_name(model_id, "model id") / ("__".join(parts) + ".json")


def load_bench_results(*dirs: Path) -> list[dict[str, Any]]:
    """Benchmark results (``<model>/profile__<device>[__<variant>].json``) below folders.

    Each gets ``model`` (else the parent folder's name), ``device``, ``variant`` (the file name's
    suffixes for non-default settings such as ``fp16``, ``Set5`` or ``640x360``; "" for the
    canonical 1280×720 fp32 run) and ``key`` (device and variant). A file that cannot be read
    (truncated, not a JSON object) is skipped with a warning naming it.
    """
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for d in dirs:
        for path in sorted(Path(d).rglob(BENCH_GLOB)):
            obj, why = _parse_json(path)
            if why is None and not isinstance(obj, dict):
                why = "not a JSON object"
            elif why is None and not isinstance(obj.get("model", ""), str):
                why = f"'model' is {obj['model']!r}, not a model id"
            if why:
                warn(f"skipping {path}: {why}")
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
    stem = f"diagnosis_{safe_name(model, 'model id')}_{safe_name(dataset, 'dataset name')}"
    return Path(folder) / f"{stem}.json", Path(folder) / f"{stem}.md"


def write_diagnosis(folder: Path, result: dict[str, Any], markdown: str) -> tuple[Path, Path]:
    """Write a diagnosis as JSON and as its rendered markdown; returns both paths."""
    js, md = diagnosis_paths(folder, result["model"], result["dataset"])
    write_json(js, result)
    atomic_write_text(md, markdown)
    return js, md


def read_diagnoses(folder: Path) -> list[tuple[str, str | Any]]:
    """``diagnosis*.md`` files (their text) and ``diagnosis*.json`` files without a markdown twin
    (their parsed content), by file name; an unreadable file is skipped with a warning."""
    folder = Path(folder)
    out: list[tuple[str, str | Any]] = []
    md_stems = {p.stem for p in folder.glob("diagnosis*.md")}
    for path in sorted(folder.glob("diagnosis*")):
        if path.suffix == ".md":
            try:
                out.append((path.name, path.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError) as exc:
                warn(f"skipping {path}: cannot be read ({exc})")
        elif path.suffix == ".json" and path.stem not in md_stems:
            obj, why = _parse_json(path)
            if why:
                warn(f"skipping {path}: {why}")
            else:
                out.append((path.name, obj))
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
