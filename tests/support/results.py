"""Synthetic results folders and reference tables for the reporting tests.

``make_results_dir`` writes two evaluations of EIMN_A_x4 (Set5 close to the paper, Set14
deviating, B100 missing) and a `suite bench` result; ``make_reference_dir`` writes a paper table
(with methods never measured) and a full-precision record.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from suite.protocol.profiles import PROFILES
from suite.results.reference import COLUMNS
from suite.results.store import EVAL_SCHEMA, write_result

SHA = "054f5f03bf5b380f502a74991821401e5f52e8a9c32e7b7e72253a68fdd1ba34"


def make_result(model: str, dataset: str, psnr: float, ssim: float, scale: int = 4) -> dict:
    """A result in the "sr-suite/eval/1" schema, shaped like a real EIMN run."""
    images = [("baby", psnr + 0.5, ssim + 0.01), ("bird", psnr - 0.5, ssim - 0.01)]
    return {
        "schema": EVAL_SCHEMA,
        "model": model,
        "family": "EIMN",
        "arch": "eimn",
        "scale": scale,
        "dataset": dataset,
        "profile": "basicsr",
        "profile_spec": PROFILES["basicsr"].to_dict(),
        "psnr": psnr,
        "ssim": ssim,
        "n_images": len(images),
        "per_image": [
            {"name": n, "psnr": p, "ssim": s, "hr_shape": [48, 48, 3], "lr_shape": [12, 12, 3]}
            for n, p, s in images
        ],
        "checkpoint": {"file": f"ckpt/{model}.pth", "sha256": SHA, "url": "https://x/y.pth"},
        "data": {
            "folder": f"data/{dataset}",
            "layout": "plain",
            "manifest": {"status": "verified", "missing": [], "modified": [], "extra": []},
        },
        "env": {
            "suite": "0.1.0",
            "git": "abc123def456",
            "python": "3.11.7",
            "torch": "2.13.0+cpu",
            "numpy": "2.4.6",
            "platform": "Linux",
            "cpu": "AMD EPYC",
            "torch_threads": 2,
            "device": "cpu",
        },
        "elapsed_s": 1.5,
        "timestamp": f"2026-01-01T00:00:0{len(dataset) % 10}+00:00",
    }


def _ref(table: str, method: str, model_id: str, dataset: str, psnr: str, ssim: str,
         params: str = "", macs: str = "") -> dict:  # fmt: skip
    return {"paper": "EIMN (ECAI 2023)", "table": table, "method": method, "model_id": model_id,
            "scale": "4", "dataset": dataset, "psnr": psnr, "ssim": ssim, "params_k": params,
            "multi_adds_g": macs, "training_data": "DF2K", "source_note": "synthetic"}  # fmt: skip


def write_reference_csv(path: Path, rows: list[dict]) -> None:
    """A reference table CSV in the schema's column order."""
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({c: r.get(c, "") for c in COLUMNS} for r in rows)


def make_reference_dir(root: Path) -> Path:
    """Two tables: a paper table (with methods we never measure) and a full-precision record."""
    ref = root / "refs"
    ref.mkdir()
    rows = [
        _ref("Table 1", "EIMN-A", "EIMN_A_x4", "Set5", "32.53", "0.8993", "880", "47.78"),
        _ref("Table 1", "EIMN-A", "EIMN_A_x4", "Set14", "28.89", "0.7882", "880", "47.78"),
        _ref("Table 1", "EIMN-A", "EIMN_A_x4", "B100", "27.79", "0.7447", "880", "47.78"),
        _ref("Table 1", "EIMN", "EIMN_L_x4", "Set5", "32.63", "0.9008", "1002", "54.37"),
        _ref("Table 1", "OtherNet", "", "Set5", "32.30", "0.8966", "1047", "72.4"),
        _ref("Table 1", "NoMacsNet", "", "Set5", "32.22", "0.8949", "600", ""),
    ]
    write_reference_csv(ref / "table1.csv", rows)
    record = [_ref("record", "EIMN_A", "EIMN_A_x4", "Set5", "32.52410035", "0.89928321")]
    write_reference_csv(ref / "record.csv", record)
    return ref


def make_results_dir(root: Path, with_bench: bool = True) -> Path:
    """EIMN_A_x4 on Set5 (close to the paper) and Set14 (deviating); B100 missing."""
    results = root / "results"
    write_result(make_result("EIMN_A_x4", "Set5", 32.5242, 0.89928), results / "runs")
    write_result(make_result("EIMN_A_x4", "Set14", 28.95, 0.7881), results / "runs")
    if with_bench:
        bench = {
            "params": 880870,
            "checkpoint_params": 880870,
            "macs": {"ntire": 47.79, "fvcore": 45.1, "default": "ntire"},
            "latency_ms": {"median": 120.5, "mean": 121.0, "std": 1.2, "min": 119.0, "count": 10},
            "peak_memory_mb": 512.0,
            "env": {"cpu": "AMD EPYC"},
        }
        path = results / "EIMN_A_x4" / "profile__cpu.json"  # where `suite bench` writes
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(bench))
    return results
