"""``suite profiles`` and ``suite datasets``: the conventions, and which sets are at hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from suite import cli


def test_profiles(capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["profiles", "--json"]) == 0
    names = [p["name"] for p in json.loads(capsys.readouterr().out)]
    assert names[:2] == ["basicsr", "matlab"]
    assert cli.main(["profiles"]) == 0
    assert "matlab_y_uint8: gt=modscale lr=matlab channel=y_uint8" in capsys.readouterr().out


def test_absent_datasets(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    assert cli.main(["datasets", "--data-root", str(tmp_path), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["status"] for r in rows} == {"absent"}


@pytest.mark.shared
def test_shared_datasets_verify(capsys: pytest.CaptureFixture, shared_datasets) -> None:
    assert cli.main(["datasets", "--data-root", str(shared_datasets), "--json"]) == 0
    status = {r["dataset"]: r["status"] for r in json.loads(capsys.readouterr().out)}
    assert status == {
        "Set5": "verified",
        "Set14": "verified",
        "B100": "verified",
        "Urban100": "verified",
        "Manga109": "absent",
    }
    assert cli.main(["datasets", "--data-root", str(shared_datasets)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.split()[:4] == ["Set5", "verified", "5", "plain"] for line in lines)
