"""Several processes evaluating into one results folder: one computes each run, the others wait
for it and reuse its result; different runs go on side by side.

Workers are real processes started from a fork server that has already imported torch and the
tiny model (:func:`support.tiny.evaluate_in_process`), so four of them start in well under a
second; a barrier releases them together and the model sleeps a little per image, so the runs
truly overlap.
"""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from support.tiny import evaluate_in_process, make_env

from suite.evaluation.runner import evaluate

pytestmark = pytest.mark.slow


def _run_together(opts, ckpt: Path, profiles: list[str]) -> list[tuple]:
    """One worker process per entry of ``profiles``, all released at once; their reports."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["suite.evaluation.runner", "support.tiny"])
    barrier, queue = ctx.Barrier(len(profiles)), ctx.Queue()
    env = {k: v for k, v in os.environ.items() if k.startswith("SUITE_")}
    workers = [
        ctx.Process(
            target=evaluate_in_process,
            args=(ckpt, replace(opts, profile=p), env, barrier, queue),
        )
        for p in profiles
    ]
    for w in workers:
        w.start()
    reports = [queue.get(timeout=60) for _ in workers]
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0
    errors = [r[1] for r in reports if r[0] == "error"]
    assert not errors, errors[0]
    return reports


@pytest.mark.parametrize(
    "profiles",
    [["basicsr", "basicsr"], ["basicsr", "matlab", "basicsr", "matlab"]],
    ids=["2-same-run", "4-two-runs"],
)
def test_concurrent_runs_score_each_image_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, profiles: list[str]
) -> None:
    spec, opts, folder = make_env(tmp_path, monkeypatch)
    n_images = len(list(folder.iterdir()))
    sequential = {
        p: evaluate(spec, "Set5", replace(opts, profile=p, write=False)) for p in set(profiles)
    }
    reports = _run_together(opts, Path(opts.checkpoint_dir) / "up_x2.pth", profiles)

    calls = Counter()
    for profile, n_calls, psnr, ssim in reports:
        calls[profile] += n_calls
        assert (psnr, ssim) == (sequential[profile]["psnr"], sequential[profile]["ssim"])
    assert calls == {p: n_images for p in set(profiles)}  # no image scored twice per run

    results = Path(opts.results_dir) / spec.id
    for p in set(profiles):
        stored = json.loads((results / f"Set5__{p}.json").read_text())
        assert stored["psnr"] == sequential[p]["psnr"] and not stored["partial"]
        rows = list(csv.DictReader((results / f"Set5__{p}.csv").read_text().splitlines()))
        assert sorted(r["name"] for r in rows) == sorted(sequential[p]["run_key"]["images"])
    leftovers = [f.name for f in results.rglob("*") if f.suffix in (".tmp", ".jsonl")]
    assert not leftovers  # no temporary file or partial log left behind
