"""Console text: a benchmark result (``suite bench``) and the gate's cells (``suite gate``)."""

from __future__ import annotations

from typing import Any

import pytest

from suite.reporting.console import bench_gate_text, bench_text, gate_text
from suite.results.gate import BenchCell, GateCell

SIZE = {
    "input": {"height": 360, "width": 640},
    "output": {"height": 720, "width": 1280},
    "note": "n",
}


def cpu_result() -> dict[str, Any]:
    """Every optional part: FLOPs, a failed counter, a disagreement, per-image latency, memory."""
    return {
        "model": "M_x2",
        "family": "F",
        "scale": 2,
        "weights": None,
        "size": SIZE,
        "params": 880870,
        "checkpoint_params": None,
        "macs": {"fvcore": 9.5, "thop": None, "ntire": 10.0, "default": "ntire"},
        "flops": {"fvcore": 19.0, "thop": None, "ntire": 20.0},
        "macs_detail": {
            "fvcore": {"uncounted_ops": {"mul": 3, "add": 5}},
            "thop": {"error": "boom"},
            "ntire": {},
        },
        "macs_disagreements": [{"counter": "fvcore", "reference": "ntire", "relative": -0.05}],
        "latency": {
            "stats": {"median": 12.345, "mean": 12.5, "std": 0.25, "min": 12.0, "count": 5},
            "settings": {"device": "cpu", "precision": "fp32", "repeats": 10, "warmup": 3},
            "flags": {"torch_threads": 1},
            "per_image": [],
        },
        "peak_memory_mb": {"device": "cpu", "forward_peak_mb": 285.84, "peak_rss_mb": 537.66},
    }


def cuda_result() -> dict[str, Any]:
    return {
        **cpu_result(),
        "weights": "checkpoint x.pth",
        "checkpoint_params": 880870,
        "scale": 2.5,
        "macs": {"ntire": 10.0, "fvcore": 10.5, "default": "ntire"},
        "macs_detail": {"ntire": {}, "fvcore": {"by_op": {"conv": 100, "layer_norm": 2}}},
        "macs_disagreements": [{"counter": "fvcore", "reference": "ntire", "relative": 0.05}],
        "latency": {
            "stats": {"median": 1.0, "mean": 1.1, "std": 0.05, "min": 0.9, "count": 10},
            "settings": {"device": "cuda:0", "precision": "fp16", "repeats": 10, "warmup": 3},
            "flags": {"torch_threads": 8},
        },
        "peak_memory_mb": {
            "device": "cuda",
            "max_allocated_mb": 100.0,
            "max_reserved_mb": 120.0,
            "forward_peak_mb": 90.0,
        },
    }


def test_bench_text_cpu() -> None:
    assert bench_text(cpu_result()).splitlines() == [
        "M_x2 (F, ×2) — weights: not loaded",
        "Input 640×360 → output 1280×720  (n)",
        "#Params 880,870 trainable  (checkpoint tensors: n/a, not on disk)",
        "Multi-Adds [G MACs]      fvcore  thop      ntire*",
        "---------------------  --------  ------  --------",
        "                         9.5000  n/a        10.00",
        "FLOPs [G] = 2×MACs        19.00  n/a        20.00",
        "  * default counter (ntire); unit G = 1e9 multiply-accumulates",
        "  thop failed: boom",
        "  note: counters that differ from ntire by more than 1%:",
        "    fvcore -5.00% — skipped: add×5, mul×3",
        "    (what each counter counts: --json notes.counters)",
        "Latency [ms] cpu fp32 (1 thread): median 12.35  mean 12.50  std 0.25  min 12.00"
        " per image over 5 images  (repeats 10, warm-up 3)",
        "Peak memory [MB] cpu: forward 285.8  (process peak RSS 537.7, fresh process)",
    ]


def test_bench_text_cuda() -> None:
    lines = bench_text(cuda_result()).splitlines()
    assert lines[0] == "M_x2 (F, ×2.5) — weights: checkpoint x.pth"
    assert lines[2] == "#Params 880,870 trainable  (checkpoint tensors: 880,870)"
    assert "    fvcore +5.00% — also counts: layer_norm" in lines
    assert lines[-2] == (
        "Latency [ms] cuda:0 fp16: median 1.00  mean 1.10  std 0.05  min 0.90  "
        "(repeats 10, warm-up 3)"
    )
    assert lines[-1] == "Peak memory [MB] cuda: max allocated 100.0  (reserved 120.0, forward 90.0)"


def test_bench_text_skipped_parts() -> None:
    result = {**cuda_result(), "latency": None, "peak_memory_mb": None}
    assert bench_text(result).splitlines()[-2:] == ["Latency: skipped", "Peak memory: skipped"]


@pytest.mark.slow  # a real model through the Multi-Adds counter
def test_bench_text_of_a_real_benchmark() -> None:
    from suite.bench.benchmark import benchmark

    result = benchmark("IMDN_x4", latency=False, memory=False, counters=("ntire",))
    text = bench_text(result)
    assert text.startswith("IMDN_x4 (IMDN, ×4) — weights: ")
    assert "output 1280×720" in text and "#Params 715,176 trainable" in text
    assert text.endswith("Latency: skipped\nPeak memory: skipped")


def test_gate_text() -> None:
    cells = [
        GateCell("EIMN_A_x4", "Set5", "basicsr", "ok", 32.52, 32.5242, 0.8993, 0.89931),
        GateCell("IMDN_x4", "Set14", "matlab", "missing", None, 28.5871, None, 0.78185),
        GateCell("RLFN_x2", "Set5", "basicsr", "new", 38.0712, None, 0.96081, None),
    ]
    assert gate_text(cells).splitlines() == [
        "model      dataset    profile    status       PSNR     base        Δ     SSIM"
        "     base         Δ",
        "---------  ---------  ---------  --------  -------  -------  -------  -------"
        "  -------  --------",
        "EIMN_A_x4  Set5       basicsr    ok        32.5200  32.5242  -0.0042  0.89930"
        "  0.89931  -0.00001",
        "IMDN_x4    Set14      matlab     missing         –  28.5871                 –  0.78185",
        "RLFN_x2    Set5       basicsr    new       38.0712        –           0.96081        –",
    ]


def test_bench_gate_text() -> None:
    cells = [
        BenchCell("EIMN_A_x4", "cpu", "params", "ok", 880870, 880870),
        BenchCell("EIMN_A_x4", "cpu", "macs.ntire", "changed", 47.9, 47.78913),
        BenchCell("IMDN_x4", "cpu", "latency_median_ms", "missing", None, 980.5),
    ]
    lines = bench_gate_text(cells).splitlines()
    assert lines[0].split() == ["model", "bench", "metric", "status", "value", "base"]
    assert lines[3].split() == ["EIMN_A_x4", "cpu", "macs.ntire", "changed", "47.9", "47.78913"]
    assert lines[4].split() == ["IMDN_x4", "cpu", "latency_median_ms", "missing", "–", "980.5"]
