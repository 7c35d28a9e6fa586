"""``suite reproduce zoo --dataset Set5 --executor ray`` with real checkpoints (issue #12): on a
local Ray cluster (``ray.init(num_cpus=2)``) two real ×4 zoo checkpoints, each under its own
default profile, give the in-process executor's results to 1e-12 and the same files.

The second half of the small version CI runs (the first, tiny networks, a killed worker and a
cell that keeps failing, is ``test_executors_ray.py``); it needs ``shared/`` (real checkpoints
and Set5).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.ray_cluster import local_ray

from suite import cli
from suite.evaluation import reproduce as rep
from suite.models.zoo import model_specs
from suite.results.compare import RUN_NOW
from suite.results.store import iter_results

pytestmark = [pytest.mark.slow, pytest.mark.shared]

MODELS = ("IMDN_x4", "SMFANet_DIV2K_x4")  # profiles matlab and basicsr


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory):
    """A local Ray cluster of 2 CPUs whose workers use a cache folder of the test's own."""
    cache = tmp_path_factory.mktemp("ray-zoo-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SUITE_CACHE_DIR", str(cache))
        with local_ray():
            yield cache


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.suffix != ".lock"}


def test_two_real_checkpoints_give_the_local_results_and_files(
    cluster: Path,
    shared_checkpoints: Path,
    shared_datasets: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    zoo = model_specs()
    monkeypatch.setattr(rep, "model_specs", lambda: {m: zoo[m] for m in MODELS})
    argv = [
        "reproduce", "zoo", "--dataset", "Set5", "--no-progress",
        "--data-root", str(shared_datasets), "--checkpoint-dir", str(shared_checkpoints),
        "--cache-dir", str(cluster),
    ]  # fmt: skip
    local, remote = tmp_path / "local", tmp_path / "ray"
    assert cli.main([*argv, "--out", str(local)]) == 0
    assert cli.main([*argv, "--out", str(remote), "--executor", "ray"]) == 0
    assert _files(local) == _files(remote)
    runs = [{r["model"]: r for r in iter_results(d / "runs")} for d in (local, remote)]
    assert set(runs[0]) == set(runs[1]) == set(MODELS)
    assert {r["profile"] for r in runs[0].values()} == {"matlab", "basicsr"}
    for model in MODELS:
        a, b = runs[0][model], runs[1][model]
        assert abs(a["psnr"] - b["psnr"]) <= 1e-12 and abs(a["ssim"] - b["ssim"]) <= 1e-12
        assert a["checkpoint"]["sha256"] == b["checkpoint"]["sha256"]
        for x, y in zip(a["per_image"], b["per_image"], strict=True):
            assert (x["name"], x["hr_sha256"], x["lr_sha256"]) == (
                y["name"], y["hr_sha256"], y["lr_sha256"]
            )  # fmt: skip
            assert abs(x["psnr"] - y["psnr"]) <= 1e-12 and abs(x["ssim"] - y["ssim"]) <= 1e-12
    cells = [json.loads((d / "comparison.json").read_text())["cells"] for d in (local, remote)]
    verdicts = [[(c["model"], c["metric"], c["status"]) for c in cs] for cs in cells]
    assert verdicts[0] == verdicts[1]
    assert {c["run"] for c in cells[1] if c["measured"] is not None} == {RUN_NOW}
