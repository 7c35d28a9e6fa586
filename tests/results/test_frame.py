"""``suite.results.load_frame``: a folder's results as one tidy DataFrame (issue #12), the frames
the comparison joins, and the same verdicts as before on the committed reproductions."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
from support.results import make_result, make_results_dir

import suite.results
from suite.results.compare import compare
from suite.results.frame import COLUMNS, reference_cells, results_frame
from suite.results.reference import ReferenceRow, load_all
from suite.results.store import iter_results, write_result

ROOT = Path(__file__).resolve().parents[2]


def test_load_frame_one_row_per_run_newest_across_folders(tmp_path: Path) -> None:
    first = make_results_dir(tmp_path, with_bench=False)  # EIMN_A_x4 on Set5 and Set14
    second = tmp_path / "second"
    newer = {**make_result("EIMN_A_x4", "Set14", 28.9, 0.79), "timestamp": "2027-01-01T00:00:00"}
    write_result(newer, second)
    write_result(make_result("EIMN_L_x4", "Set5", 32.6, 0.90), second)
    df = suite.results.load_frame(first, second)
    assert list(df.columns) == COLUMNS
    assert list(zip(df.model, df.dataset, strict=True)) == [
        ("EIMN_A_x4", "Set5"),
        ("EIMN_A_x4", "Set14"),
        ("EIMN_L_x4", "Set5"),
    ]
    assert df.loc[1, "psnr"] == 28.9  # the newer run of the same model, set and profile
    assert df.loc[0, "checkpoint_sha256"] and df.loc[0, "manifest_status"] == "verified"
    assert df.partial.tolist() == [False, False, False] and df.scale.tolist() == [4.0] * 3
    table = df.pivot_table(index="model", columns="dataset", values="psnr")  # the docs' example
    assert table.loc["EIMN_L_x4", "Set5"] == 32.6
    assert suite.results.load_frame(tmp_path / "nothing").empty


def test_partial_runs_are_marked() -> None:
    partial = {**make_result("A", "Set5", 30.0, 0.9), "partial": True, "failed": [{"name": "x"}]}
    df = results_frame([partial])
    assert bool(df.loc[0, "partial"]) and df.loc[0, "n_failed"] == 1


def test_reference_cells_are_keys_in_row_then_metric_order() -> None:
    rows = [
        ReferenceRow("P", "T", "A", "A_x4", 4, "Set5", 32.5, None, None, None, "", "n"),
        ReferenceRow("P", "T", "B", "", 4, "Set5", None, 0.9, None, None, "", "n"),
    ]
    cells = reference_cells(rows, ("psnr", "ssim"))
    assert list(zip(cells.ref, cells.metric, strict=True)) == [
        (0, "psnr"), (0, "ssim"), (1, "psnr"), (1, "ssim"),
    ]  # fmt: skip
    assert "published" not in cells  # values stay on the rows: None is never a NaN


def _committed(family: str, tables: list[str] | None, models: set[str]) -> tuple[list, list]:
    folder = ROOT / "results" / family
    order = [(r["model"], r["dataset"]) for r in csv.DictReader((folder / "results.csv").open())]
    runs = {(r["model"], r["dataset"]): r for r in iter_results(folder / "runs")}
    cells = compare([runs[k] for k in order], load_all(), tables, models=models)
    return [c.to_dict() for c in cells], json.loads((folder / "comparison.json").read_text())[
        "cells"
    ]


def test_the_frame_join_gives_the_committed_verdicts() -> None:
    """The comparison joins frames now; every cell of the committed EIMN reproduction comes out
    as it was written (status, values, Δ, note, order)."""
    from suite.evaluation.reproduce import FAMILY_TABLES, family_models

    models = {m.id for m in family_models("EIMN")}
    new, old = _committed("eimn", FAMILY_TABLES["EIMN"], models)
    fields = ["model", "dataset", "metric", "source", "status", "measured", "published", "delta",
              "note"]  # fmt: skip
    assert pd.DataFrame(new)[fields].equals(pd.DataFrame(old)[fields])
