"""``nox -s field``: the field-wide leaderboard of the saved ``eimn`` and ``zoo`` results under
the results root, figures first (``--clean``: none of an earlier layout is left), then the
report that shows them; no model runs. The session runs with the fake ``session`` of
:mod:`support.noxsession`."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.noxsession import FakeSession, SessionError, load_noxfile

noxfile = load_noxfile()


def test_field_plots_then_reports_every_family_into_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for family in ("eimn", "zoo"):
        (tmp_path / family).mkdir()
    monkeypatch.setenv("SUITE_RESULTS_DIR", str(tmp_path))
    session = FakeSession()
    noxfile.field(session)
    families = [str(tmp_path / "eimn"), str(tmp_path / "zoo")]
    bench = ["--bench-dir", str(noxfile.COMMITTED_BENCH), "--bench-dir", str(tmp_path)]
    assert session.commands == [
        ["suite", "plot", *families, "--out", f"{tmp_path}/field/plots", "--clean", *bench],
        ["suite", "report", *families, "--out", str(tmp_path / "field"), *bench],
    ]
    assert all(env["SUITE_RESULTS_DIR"] == str(tmp_path) for env in session.envs)


def test_the_committed_field_names_folders_relative_to_the_checkout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SUITE_RESULTS_DIR", "results")  # regenerating the committed ones
    session = FakeSession()
    noxfile.field(session)
    plot, report = session.commands
    assert plot[2:6] == ["results/eimn", "results/zoo", "--out", "results/field/plots"]
    assert report[2:6] == ["results/eimn", "results/zoo", "--out", "results/field"]


def test_field_without_saved_results_fails_naming_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUITE_RESULTS_DIR", str(tmp_path / "nothing"))
    with pytest.raises(SessionError, match=r"no saved results under .*nothing/eimn or /zoo: run "):
        noxfile.field(FakeSession())
