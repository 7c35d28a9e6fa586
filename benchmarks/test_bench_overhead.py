"""Harness overhead: the wall time of ``evaluate`` on a set against its forward passes alone.

Everything ``evaluate`` does besides the network is overhead: checking the set against its
manifest and hashing every image, verifying and loading the checkpoint, reading the images and
their LR, rounding, Y, PSNR/SSIM, the per-image log and the result files. The forward passes
alone are the same network on the same LR tensors, timed one by one (a synchronisation after
each on a GPU), in the same process, interleaved with the ``evaluate`` rounds so both see the
same machine. The ratio ``evaluate / forward - 1`` is stored in the benchmark's ``extra_info``
and printed; goal: ≤3 % on a CPU, ≤10 % on a GPU (issue #11).

Run with ``nox -s benchmarks`` or ``pytest benchmarks/test_bench_overhead.py -s``; it needs the
shared data (``SUITE_DATA_ROOT``, ``SUITE_CHECKPOINT_DIR``, else ``../shared``) and is skipped
without it. ``SUITE_OVERHEAD_MODEL`` / ``_DATASET`` / ``_DEVICE`` / ``_ROUNDS`` choose the run
(default EIMN_A_x4 on Set14, CPU, 3 rounds; e.g. ``SUITE_OVERHEAD_DEVICE=cuda
SUITE_OVERHEAD_DATASET=Urban100`` on a GPU).
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

import pytest
import torch

from suite.data import manifests
from suite.evaluation.runner import EvalOptions, evaluate, plan_run
from suite.models.loading import load_network
from suite.models.zoo import get_spec
from suite.protocol.pairs import load_pair
from suite.protocol.pixels import to_tensor

SHARED = Path(os.environ.get("SUITE_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
DATA = Path(os.environ.get("SUITE_DATA_ROOT", SHARED / "datasets"))
CHECKPOINTS = Path(os.environ.get("SUITE_CHECKPOINT_DIR", SHARED / "checkpoints"))
MODEL = os.environ.get("SUITE_OVERHEAD_MODEL", "EIMN_A_x4")
DATASET = os.environ.get("SUITE_OVERHEAD_DATASET", "Set14")
DEVICE = os.environ.get("SUITE_OVERHEAD_DEVICE", "cpu")
ROUNDS = int(os.environ.get("SUITE_OVERHEAD_ROUNDS", "3"))

pytestmark = pytest.mark.skipif(
    not (DATA / DATASET).is_dir() or not CHECKPOINTS.is_dir(),
    reason=f"needs {DATASET} under {DATA} and checkpoints under {CHECKPOINTS}",
)


def _sync() -> None:
    if torch.device(DEVICE).type == "cuda":
        torch.cuda.synchronize()


def _forward_seconds(net: torch.nn.Module, inputs: list[torch.Tensor]) -> float:
    """The sum of one forward pass per image, each timed alone."""
    total = 0.0
    with torch.inference_mode():
        for x in inputs:
            _sync()
            start = time.perf_counter()
            net(x)
            _sync()
            total += time.perf_counter() - start
    return total


def test_bench_harness_overhead(benchmark, tmp_path: Path) -> None:
    opts = EvalOptions(
        data_root=DATA,
        checkpoint_dir=CHECKPOINTS,
        cache_dir=tmp_path / "cache",
        device=DEVICE,
        progress=False,
        download=False,
    )
    spec = get_spec(MODEL)
    run = plan_run(spec, DATASET, opts)
    net = load_network(spec, run.checkpoint, run.device)
    inputs = [
        to_tensor(load_pair(run.dataset, name, run.scale, run.profile, run.cache_dir).lr, DEVICE)
        for name in run.dataset.images
    ]  # the LR cache is now warm, as it is for every run after a set's first
    _forward_seconds(net, inputs)  # warm-up: one-off library set-up, cuDNN autotuning
    forward: list[float] = []

    def before_each_round() -> tuple[tuple, dict]:
        """Untimed: the forward passes alone (interleaved, so both see the same machine), and
        a fresh start for the round: nothing reused, every image decoded and hashed again, as
        in a new ``suite eval`` process."""
        forward.append(_forward_seconds(net, inputs))
        manifests._pixel_hashes.cache_clear()
        return (), {"results_dir": tmp_path / f"results{len(forward)}"}

    def one_evaluation(results_dir: Path) -> dict:
        return evaluate(MODEL, DATASET, opts, results_dir=results_dir)

    result = benchmark.pedantic(one_evaluation, setup=before_each_round, rounds=ROUNDS)
    assert result["n_images"] == len(inputs) and not result["partial"]
    evaluate_s = list(benchmark.stats.stats.data)
    ratio = min(evaluate_s) / min(forward) - 1.0
    benchmark.extra_info.update(
        model=MODEL,
        dataset=DATASET,
        device=DEVICE,
        images=len(inputs),
        evaluate_s=evaluate_s,
        forward_s=forward,
        overhead=ratio,
        overhead_median=statistics.median(evaluate_s) / statistics.median(forward) - 1.0,
    )
    print(
        f"\n{MODEL} on {DATASET} ({DEVICE}): evaluate {min(evaluate_s):.3f} s, forward passes "
        f"alone {min(forward):.3f} s, harness overhead {ratio:+.1%} (best of {ROUNDS} rounds)"
    )
