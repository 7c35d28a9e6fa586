"""``--executor ray`` on a local Ray cluster, ``ray.init(num_cpus=2)`` (issue #12): the same
results and files as the in-process executor, a worker killed mid-task loses nothing, a cell
that keeps failing is reported by cell with the worker's message, and finished cells are reused.

The small version CI runs: tiny networks of your own (a file the workers import by path, as
``--arch`` does) on the fake Set5 of :func:`support.tiny.make_env`, so workers need nothing the
tests put on ``sys.path``. One cluster serves the whole module; each test writes its own folders.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import torch
from support.ray_cluster import local_ray
from support.tiny import make_env

from suite import cli
from suite.evaluation import reproduce as rep
from suite.evaluation.executors import RayExecutor
from suite.models.user import user_spec
from suite.results.compare import RUN_NOW, RUN_REUSED
from suite.results.reference import ReferenceRow
from suite.results.store import iter_results

pytestmark = pytest.mark.slow

NET = '''
import os
import time
from pathlib import Path

import torch.nn.functional as F
from torch import nn


class SlowNet(nn.Module):
    """Bicubic ×2 plus a 1×1 conv; writes its pid to ``calls`` on every forward, sleeps
    ``delay_s`` and, with ``crash``, ends its process (a worker that dies)."""

    def __init__(self, scale=2, delay_s=0.0, calls="", crash=False):
        super().__init__()
        self.scale, self.delay_s, self.calls, self.crash = scale, delay_s, calls, crash
        self.mix = nn.Conv2d(3, 3, 1)

    def forward(self, x):
        if self.calls:
            with open(self.calls, "a") as f:
                f.write(f"{os.getpid()}\\n")
        if self.crash:
            os._exit(1)
        time.sleep(self.delay_s)
        up = F.interpolate(x, scale_factor=self.scale, mode="bicubic", align_corners=False)
        return self.mix(up)
'''


def _weights(path: Path, gain: float) -> Path:
    conv = torch.nn.Conv2d(3, 3, 1)
    with torch.no_grad():
        conv.weight.copy_(gain * torch.eye(3).view(3, 3, 1, 1))
        conv.bias.fill_(0.01)
    torch.save({"mix.weight": conv.weight, "mix.bias": conv.bias}, path)
    return path


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory):
    """A local Ray cluster of 2 CPUs whose workers see the tiny setup's environment (manifest
    folder, cache), and what the tests build their models from."""
    root = tmp_path_factory.mktemp("ray")
    with pytest.MonkeyPatch.context() as mp:
        _, opts, _ = make_env(root, mp)
        net = root / "slow_net.py"
        net.write_text(NET)
        with local_ray():
            yield {"root": root, "opts": opts, "net": net}


def _spec(env: dict[str, Any], name: str, gain: float = 1.0, **kwargs: Any):
    weights = _weights(env["root"] / f"{name}.pth", gain)
    return user_spec(f"{env['net']}:SlowNet", weights, 2, name=name, arch_kwargs=kwargs)


def _family(monkeypatch: pytest.MonkeyPatch, *specs) -> None:
    """``specs`` as family ``user``, each with a published Set5 row."""
    refs = [
        ReferenceRow("P", "T1", s.id, s.id, 2, "Set5", 30.0, 0.9, None, None, "", "s")
        for s in specs
    ]
    monkeypatch.setattr(rep, "model_specs", lambda: {s.id: s for s in specs})
    monkeypatch.setattr(rep, "load_all", lambda: refs)


def _argv(env: dict[str, Any], out: Path, *extra: str) -> list[str]:
    opts = env["opts"]
    return [
        "reproduce", "user", "--dataset", "Set5", "--no-progress", "--out", str(out),
        "--data-root", str(opts.data_root), "--checkpoint-dir", str(opts.checkpoint_dir), *extra,
    ]  # fmt: skip


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} - {
        p for p in (str(q.relative_to(folder)) for q in folder.rglob("*.lock"))
    }


def _scores(folder: Path) -> dict[tuple[str, str], tuple[float, float, list]]:
    return {
        (r["model"], r["dataset"]): (r["psnr"], r["ssim"], r["per_image"])
        for r in iter_results(folder / "runs")
    }


def _same_scores(a: dict, b: dict) -> None:
    assert a.keys() == b.keys() and a
    for key in a:
        (pa, sa, ia), (pb, sb, ib) = a[key], b[key]
        assert abs(pa - pb) <= 1e-12 and abs(sa - sb) <= 1e-12
        assert [(i["name"], i["hr_sha256"], i["lr_sha256"]) for i in ia] == [
            (i["name"], i["hr_sha256"], i["lr_sha256"]) for i in ib
        ]
        for x, y in zip(ia, ib, strict=True):
            assert abs(x["psnr"] - y["psnr"]) <= 1e-12 and abs(x["ssim"] - y["ssim"]) <= 1e-12


def test_ray_gives_the_local_results_and_files(
    cluster: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    specs = [_spec(cluster, "Net_a", 1.0), _spec(cluster, "Net_b", 0.9)]
    _family(monkeypatch, *specs)
    local, remote = tmp_path / "local", tmp_path / "ray"
    assert cli.main(_argv(cluster, local)) == 0
    assert cli.main(_argv(cluster, remote, "--executor", "ray")) == 0
    assert _files(local) == _files(remote)  # the same files: runs, results.csv, comparison
    _same_scores(_scores(local), _scores(remote))
    cells = [json.loads((d / "comparison.json").read_text())["cells"] for d in (local, remote)]
    verdict = [[(c["model"], c["metric"], c["status"], c["run"]) for c in cs] for cs in cells]
    assert verdict[0] == verdict[1] and {c[3] for c in verdict[0]} == {RUN_NOW}
    # finished cells are skipped: the workers answer with the stored runs, checked by content
    report = rep.reproduce("user", ["Set5"], cluster["opts"], out_dir=remote,
                           log=lambda *a, **k: None, executor=RayExecutor())  # fmt: skip
    assert set(report.origins.values()) == {RUN_REUSED}


def _quiet(*_args: Any, **_kwargs: Any) -> None:
    pass


def _wait_for(check, timeout_s: float = 120.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_a_worker_killed_mid_task_loses_nothing(
    cluster: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = tmp_path / "calls.txt"
    spec = _spec(cluster, "Net_slow", 1.0, delay_s=0.4, calls=str(calls))
    _family(monkeypatch, spec)
    done: dict[str, Any] = {}

    def run() -> None:
        done["report"] = rep.reproduce(
            "user", ["Set5"], cluster["opts"], out_dir=tmp_path / "ray", log=_quiet,
            executor=RayExecutor(),
        )  # fmt: skip

    driver = threading.Thread(target=run)
    driver.start()
    cache = Path(os.environ["SUITE_CACHE_DIR"])
    log = cache / rep.WORKER_RUNS / spec.id / "partial" / "Set5__basicsr.jsonl"

    def two_images_logged() -> bool:  # the key line, then at least two finished images
        return log.is_file() and len(log.read_text().splitlines()) >= 3

    _wait_for(two_images_logged)
    worker = int(calls.read_text().split()[0])
    os.kill(worker, signal.SIGKILL)  # the Ray worker running the cell, started by this test
    logged = len(log.read_text().splitlines()) - 1
    driver.join(timeout=180)
    assert not driver.is_alive()
    report = done["report"]
    assert report.failed == [] and report.origins[(spec.id, "Set5")] == RUN_NOW
    pids = calls.read_text().split()
    retried = [p for p in pids if int(p) != worker]
    assert retried and len(retried) <= 4 - logged  # resumed from the images already logged
    local = rep.reproduce("user", ["Set5"], cluster["opts"], out_dir=tmp_path / "local",
                          log=lambda *a, **k: None)  # fmt: skip
    assert local.failed == []
    _same_scores(_scores(tmp_path / "local"), _scores(tmp_path / "ray"))


def test_a_cell_that_keeps_failing_is_reported_by_cell(
    cluster: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    calls = tmp_path / "calls.txt"
    good, bad = _spec(cluster, "Net_ok", 1.0), _spec(cluster, "Net_dies", crash=True,
                                                     calls=str(calls))  # fmt: skip
    _family(monkeypatch, good, bad)
    out = tmp_path / "ray"
    assert cli.main(_argv(cluster, out, "--executor", "ray")) == 2
    err = capsys.readouterr().err
    assert "error Net_dies Set5: Ray worker lost 3 times" in err  # tried, retried twice
    assert "error: 1 run not compared (failed or partial): Net_dies Set5" in err
    assert len(set(calls.read_text().split())) == 3  # three worker processes tried it
    skipped = json.loads((out / "comparison.json").read_text())["skipped"]
    assert any(s["what"] == "Net_dies Set5" and "lost 3 times" in s["why"] for s in skipped)
    assert [r["model"] for r in iter_results(out / "runs")] == ["Net_ok"]  # the other cell
