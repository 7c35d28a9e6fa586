"""A researcher's machine, end to end: no ``shared/`` folder, no data, no checkpoints, only a lab
mirror on 127.0.0.1 (built here from ``shared/`` and laid out as upstream). The README's
command ``nox -s reproduce_eimn -- --dataset Set5`` — its session run command by command —
downloads Set5 and the five EIMN checkpoints through the mirror, verifies them and reproduces the
authors' record within 0.002 dB / 0.0002 SSIM, then diagnoses, reports and plots (issue #9)."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from support.mirror import build_mirror, clean_downloads, serving_mirror
from support.noxsession import FakeSession, load_noxfile

from suite import cli
from suite.models.zoo import model_specs
from suite.results.reference import load_all

RECORD = "Weights/record.txt"
EIMN = [m.id for m in model_specs().values() if m.family == "EIMN" and m.checkpoint.published]


@pytest.fixture
def new_machine(tmp_path: Path, shared_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with nothing of the suite's data, a mirror, and a clean environment."""
    clean_downloads(monkeypatch)
    for var in ("SUITE_CHECKPOINT_DIR", "SUITE_CACHE_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("SUITE_SHARED_DIR", str(tmp_path / "no-shared-here"))
    monkeypatch.setenv("SUITE_RESULTS_DIR", str(tmp_path / "results"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # default data root and cache: ./datasets, ./.cache/suite
    return build_mirror(tmp_path / "mirror", shared_dir, sets=("Set5",))


@pytest.mark.slow
@pytest.mark.shared
def test_reproduce_eimn_on_a_new_machine_through_a_mirror(
    new_machine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = FakeSession("--dataset", "Set5")
    load_noxfile().reproduce_eimn(session)  # what `nox -s reproduce_eimn -- --dataset Set5` runs
    commands = session.suite("reproduce") + session.suite("diagnose")
    commands += session.suite("report") + session.suite("plot")
    assert len(commands) == 4, session.commands
    with serving_mirror(new_machine) as mirror:
        monkeypatch.setenv("SUITE_MIRROR", mirror.url)
        for command, env in zip(session.commands, session.envs, strict=True):
            if command in commands:
                for key, value in env.items():
                    monkeypatch.setenv(key, value)
                assert cli.main(command[1:]) == 0, shlex.join(command)
        assert mirror.requests == 5 + len(EIMN)  # every file fetched once, from the mirror

    work = Path.cwd()
    assert sorted(p.name for p in (work / "datasets" / "Set5").iterdir()) == [
        "baby.png", "bird.png", "butterfly.png", "head.png", "woman.png"
    ]  # fmt: skip
    assert cli.main(["datasets", "--json"]) == 0
    cached = sorted(p.name for p in (work / ".cache" / "suite" / "checkpoints").rglob("*.pth"))
    assert cached == sorted(f"{m}.pth" for m in EIMN)

    folder = tmp_path / "results" / "eimn"
    cells = json.loads((folder / "comparison.json").read_text())["cells"]
    record = {
        (r.model_id, metric): getattr(r, metric)
        for r in load_all()
        if r.table == RECORD and r.dataset == "Set5"
        for metric in ("psnr", "ssim")
    }
    for model in EIMN:
        for metric, floor in (("psnr", 0.002), ("ssim", 0.0002)):
            (cell,) = [
                c for c in cells
                if (c["model"], c["dataset"], c["metric"], c["source"])
                == (model, "Set5", metric, RECORD)
            ]  # fmt: skip
            assert cell["status"] == "reproduced" and abs(cell["delta"]) <= floor, cell
            assert cell["published"] == record[(model, metric)]
    assert (folder / "diagnosis_EIMN_A_x4_Set5.md").is_file()
    assert (folder / "report.md").is_file() and list((folder / "plots").glob("*.png"))
