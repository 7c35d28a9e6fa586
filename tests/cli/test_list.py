"""``suite list``: the zoo, exact #params and where each checkpoint stands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from suite import cli
from suite.models.zoo import model_specs


def test_list_json_has_every_model(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    assert (
        cli.main(
            ["list", "--json", "--checkpoint-dir", str(tmp_path), "--cache-dir", str(tmp_path)]
        )
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == list(model_specs())
    for r in rows:
        assert {"id", "family", "scale", "params", "available"} <= set(r)
        assert isinstance(r["params"], int) and r["params"] > 0
        assert r["available"] is False  # nothing in an empty checkpoint dir (or cache)
    eimn = {r["id"]: r for r in rows if r["family"] == "EIMN"}
    assert eimn["EIMN_A_x4"]["params"] == 880_870
    assert eimn["EIMN_L_x4"]["checkpoint"] == "unpublished"
    assert (
        eimn["EIMN_A_x4"]["url"] == "https://github.com/liux520/EIMN/raw/main/Weights/EIMN_A_x4.pth"
    )
    assert eimn["EIMN_A_x4"]["sha256"] == (
        "054f5f03bf5b380f502a74991821401e5f52e8a9c32e7b7e72253a68fdd1ba34"
    )
    assert eimn["EIMN_L_x4"]["sha256"] is None  # never uploaded: nothing to hash


@pytest.mark.shared
def test_list_sees_shared_checkpoints(capsys: pytest.CaptureFixture, shared_checkpoints) -> None:
    assert cli.main(["list", "--json", "--checkpoint-dir", str(shared_checkpoints)]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["EIMN_A_x4"]["available"] and rows["IMDN_x4"]["available"]
    assert sum(r["available"] for r in rows.values()) >= 38


def test_list_table_and_family_filter(capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["list", "--family", "EIMN"]) == 0
    out = capsys.readouterr().out
    assert "EIMN_A_x4" in out and "IMDN_x4" not in out and "6 models" in out
