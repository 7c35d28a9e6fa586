"""The nox sessions' wiring (issue #9): every output of ``reproduce_eimn``, ``reproduce_zoo``,
``plots`` and ``gate`` goes under the results root the user chose (``SUITE_RESULTS_DIR``, else
the git-ignored ``build/results``), never into the tracked ``results/``, and ``gate`` keeps the
shape CI runs. Each session function runs with a fake ``session`` that records its commands:
no virtualenv, no install, no real run.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from support.noxsession import FakeSession, SessionError, load_noxfile

ROOT = Path(__file__).resolve().parent.parent
TRACKED = ROOT / "results"


noxfile = load_noxfile()


def _after(args: list[str], flag: str) -> list[str]:
    return [b for a, b in itertools.pairwise(args) if a == flag]


def outputs(command: list[str]) -> list[Path]:
    """Where a ``suite`` command writes: ``--out`` of reproduce and diagnose, the folder report
    and plot write into (``report.md``, ``plots/``); gate writes nothing."""
    if command[1] in ("report", "plot"):
        return [Path(command[2])]
    return [Path(p) for p in _after(command, "--out")]


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _run(name: str, *posargs: str) -> FakeSession:
    session = FakeSession(*posargs)
    getattr(noxfile, name)(session)
    return session


WRITERS = ["reproduce_eimn", "reproduce_zoo", "plots", "gate"]


@pytest.fixture
def saved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The folders ``plots`` regenerates, under a chosen root and under the default one, which
    is moved into ``tmp_path`` (nothing is written in the checkout)."""
    assert noxfile.LOCAL_RESULTS == ROOT / "build" / "results"  # git-ignored
    monkeypatch.setattr(noxfile, "LOCAL_RESULTS", tmp_path / "build" / "results")
    for root in (tmp_path / "chosen", noxfile.LOCAL_RESULTS):
        for family in ("eimn", "zoo"):
            (root / family).mkdir(parents=True)


@pytest.mark.parametrize("name", WRITERS)
def test_every_output_goes_under_suite_results_dir(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, saved: None
) -> None:
    chosen = tmp_path / "chosen"
    monkeypatch.setenv("SUITE_RESULTS_DIR", str(chosen))
    session = _run(name)
    suite_calls = [c for c in session.commands if c[0] == "suite"]
    assert suite_calls
    written = [path for c in suite_calls for path in outputs(c)]
    assert written and all(_inside(path, chosen) for path in written)
    # anything a command writes by default lands there too
    assert all(env["SUITE_RESULTS_DIR"] == str(chosen) for env in session.envs)


@pytest.mark.parametrize("name", WRITERS)
def test_by_default_no_session_writes_into_the_tracked_results(
    name: str, monkeypatch: pytest.MonkeyPatch, saved: None
) -> None:
    monkeypatch.delenv("SUITE_RESULTS_DIR", raising=False)
    session = _run(name)
    for command in session.commands:
        assert all(_inside(p, noxfile.LOCAL_RESULTS) for p in outputs(command)), command
    # the tracked results/ are only read: the gate baseline and the committed benchmarks
    reads = {str(noxfile.BASELINE), str(TRACKED)}
    for command in session.commands:
        for arg in command[1:]:
            if arg.startswith(str(ROOT)) and _inside(Path(arg), TRACKED):
                assert arg in reads, command


def test_a_relative_suite_results_dir_is_the_checkout_s(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUITE_RESULTS_DIR", "results")  # regenerating the committed ones
    session = _run("reproduce_eimn", "--dataset", "Set5")
    assert _after(session.suite("reproduce")[0], "--out") == [str(TRACKED / "eimn")]


def test_reproduce_eimn_runs_reproduce_diagnosis_report_and_plots(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUITE_RESULTS_DIR", str(tmp_path))
    session = _run("reproduce_eimn")
    folder = str(tmp_path / "eimn")
    assert [c[1] for c in session.commands] == ["reproduce", "diagnose", "plot", "report"]
    assert session.suite("reproduce")[0] == [
        "suite", "reproduce", "EIMN", "--profile", "basicsr", "--force", "--out", folder,
        "--dataset", "Set5", "--dataset", "Set14", "--dataset", "B100",
    ]  # fmt: skip
    assert session.suite("diagnose")[0][2:] == ["EIMN_A_x4", "--dataset", "Set5", "--out", folder]
    bench = ["--bench-dir", str(TRACKED), "--bench-dir", str(tmp_path)]
    assert session.suite("report")[0] == ["suite", "report", folder, *bench]


@pytest.mark.parametrize(
    ("posargs", "diagnosed"),
    [
        ((), True),  # the default selection holds Set5
        (("--dataset", "Set5", "--device", "cuda"), True),
        (("--dataset=set5",), True),
        (("--device", "cuda"), True),  # no --dataset: every set
        (("--dataset", "Urban100"), False),
    ],
)
def test_the_diagnosis_runs_only_when_its_set_is_reproduced(
    posargs: tuple[str, ...], diagnosed: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SUITE_RESULTS_DIR", str(tmp_path))
    session = _run("reproduce_eimn", *posargs)
    assert bool(session.suite("diagnose")) == diagnosed
    if posargs:
        assert session.suite("reproduce")[0][-len(posargs) :] == list(posargs)
    if not diagnosed:
        assert session.logs == ["diagnosis of EIMN_A_x4 on Set5 skipped: Set5 is not in this run"]
        assert [c[1] for c in session.commands] == ["reproduce", "plot", "report"]


def test_gate_keeps_the_shape_ci_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUITE_RESULTS_DIR", str(tmp_path))
    session = _run("gate", "--psnr-tol", "0.002")
    out = tmp_path / "gate"
    assert session.commands == [
        ["suite", "reproduce", "EIMN", "--profile", "basicsr", "--dataset", "Set5", "--out",
         str(out), "--no-progress"],
        ["suite", "gate", str(out / "runs"), "--baseline", str(noxfile.BASELINE), "--psnr-tol",
         "0.002"],
    ]  # fmt: skip
    assert noxfile.BASELINE == TRACKED / "eimn" / "baseline_set5.json"
    assert noxfile.BASELINE.is_file()
    assert noxfile.nox.options.sessions == ["lint", "tests", "gate"]


def test_plots_without_saved_results_fails_naming_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUITE_RESULTS_DIR", str(tmp_path / "nothing"))
    with pytest.raises(SessionError, match=r"no saved results under .*nothing/eimn or /zoo: run "):
        _run("plots")


def test_plots_regenerates_each_saved_family(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "zoo").mkdir()
    monkeypatch.setenv("SUITE_RESULTS_DIR", str(tmp_path))
    session = _run("plots")
    assert [c[1:3] for c in session.commands] == [
        ["plot", str(tmp_path / "zoo")],
        ["report", str(tmp_path / "zoo")],
    ]
