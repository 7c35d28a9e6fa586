"""Developer entry points: ``nox -s tests``, ``lint``, ``gate``, ``reproduce_eimn``,
``reproduce_zoo``, ``plots``, ``field``, ``benchmarks``.

Data locations come from the environment (``SUITE_DATA_ROOT``, ``SUITE_CHECKPOINT_DIR``); when
they are unset and a ``shared/`` folder sits beside the checkout (as in CI), it is used.

Every output of ``reproduce_eimn``, ``reproduce_zoo``, ``plots``, ``field`` and ``gate``
(evaluations, diagnoses, reports, plots) goes under one results root: ``SUITE_RESULTS_DIR`` when
it is set, else ``build/results/`` (git-ignored), so running a session never changes the committed
``results/``. Regenerate those on purpose with ``SUITE_RESULTS_DIR=results nox -s …``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import nox

nox.options.sessions = ["lint", "tests", "gate"]
nox.options.reuse_existing_virtualenvs = True
nox.options.default_venv_backend = "venv"

ROOT = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("SUITE_SHARED_DIR", ROOT.parent / "shared"))
# The CPU build of torch; any other request pulls CUDA wheels.
TORCH = os.environ.get("SUITE_TORCH", "torch==2.13.0")
# Benchmark sets a 2-core CPU evaluates EIMN on in well under an hour.
CPU_SETS = ("Set5", "Set14", "B100")
# Where the sessions write when SUITE_RESULTS_DIR is unset: git-ignored, never the tracked results/.
LOCAL_RESULTS = ROOT / "build" / "results"
# Read, never written: the committed gate baseline and `suite bench` figures (no session re-runs
# the benchmarks, so reports take #params, Multi-Adds and latency from these).
BASELINE = ROOT / "results" / "eimn" / "baseline_set5.json"
COMMITTED_BENCH = ROOT / "results"


def _install(session: nox.Session, extras: str = "dev") -> None:
    session.install(TORCH)
    session.install("-e", f".[{extras}]")


def _data_env() -> dict[str, str]:
    env = {}
    if "SUITE_DATA_ROOT" not in os.environ and (SHARED / "datasets").is_dir():
        env["SUITE_DATA_ROOT"] = str(SHARED / "datasets")
    if "SUITE_CHECKPOINT_DIR" not in os.environ and (SHARED / "checkpoints").is_dir():
        env["SUITE_CHECKPOINT_DIR"] = str(SHARED / "checkpoints")
    return env


def _results_root() -> Path:
    """``SUITE_RESULTS_DIR`` (relative to the checkout) when set, else ``build/results``."""
    chosen = os.environ.get("SUITE_RESULTS_DIR")
    return ROOT / Path(chosen).expanduser() if chosen else LOCAL_RESULTS


def _env() -> dict[str, str]:
    """The data locations, and the results root for anything a command writes by default."""
    return {**_data_env(), "SUITE_RESULTS_DIR": str(_results_root())}


def _named_sets(args: list[str]) -> set[str] | None:
    """The sets ``--dataset`` names in ``args`` (lower-case), read as ``suite reproduce`` reads
    them; None when none is named, so the reproduction covers every set."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--dataset", action="append")
    named = parser.parse_known_args(args)[0].dataset
    return {n.lower() for n in named} if named else None


@nox.session
def tests(session: nox.Session) -> None:
    """Unit, golden and Set5 checkpoint tests (those needing shared/ skip outside CI without it)."""
    _install(session)
    session.run("pytest", "-q", "-p", "no:cacheprovider", *session.posargs, env=_data_env())


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check + format check."""
    session.install("ruff>=0.5")
    session.run("ruff", "check", "suite", "tests", "benchmarks", "noxfile.py")
    session.run("ruff", "format", "--check", "suite", "tests", "benchmarks", "noxfile.py")


def _bench_dirs() -> tuple[str, ...]:
    """The committed benchmark figures and any of the results root's own (which win)."""
    return ("--bench-dir", str(COMMITTED_BENCH), "--bench-dir", str(_results_root()))


def _report_and_plots(session: nox.Session, folder: Path) -> None:
    """``plots/`` in ``folder`` (``--clean``: no figure of an earlier layout is left there),
    then ``report.md``, which shows those figures."""
    session.run("suite", "plot", _shown(folder), "--clean", *_bench_dirs(), env=_env())
    session.run("suite", "report", _shown(folder), *_bench_dirs(), env=_env())


def _reproduce(session: nox.Session, family: str, sets: list[str], *flags: str) -> Path:
    """``suite reproduce FAMILY --force`` into ``<results root>/<family>``; returns that folder.
    When nothing can be measured (no data) it exits 2 naming the fix, and the session stops
    there, before any diagnosis or report."""
    folder = _results_root() / family.lower()
    session.run(
        "suite", "reproduce", family, *flags, "--force", "--out", str(folder), *sets, env=_env()
    )
    return folder


def _diagnose(
    session: nox.Session, model: str, dataset: str, folder: Path, sets: list[str]
) -> None:
    """The convention diagnosis of one checkpoint, into ``folder``; skipped (and said) when the
    reproduction was asked for other sets only."""
    named = _named_sets(sets)
    if named is not None and dataset.lower() not in named:
        session.log(f"diagnosis of {model} on {dataset} skipped: {dataset} is not in this run")
        return
    session.run("suite", "diagnose", model, "--dataset", dataset, "--out", str(folder), env=_env())


@nox.session
def reproduce_eimn(session: nox.Session) -> None:
    """Every EIMN checkpoint × every dataset present, basicsr profile, diffed against the paper,
    then the convention diagnosis, the markdown report and the plots in ``<results root>/eimn/``
    (``SUITE_RESULTS_DIR``, else ``build/results``; ``SUITE_RESULTS_DIR=results`` regenerates
    the committed ones).

    Recomputes every run (``--force``). By default Set5, Set14 and B100 — what a 2-core CPU
    finishes in well under an hour; Urban100 takes hours there. Pass your own selection after
    ``--``, e.g. ``nox -s reproduce_eimn -- --dataset Set5`` (a minute) or
    ``-- --dataset Urban100 --device cuda``.
    """
    _install(session)
    sets = session.posargs or [arg for d in CPU_SETS for arg in ("--dataset", d)]
    folder = _reproduce(session, "EIMN", sets, "--profile", "basicsr")
    _diagnose(session, "EIMN_A_x4", "Set5", folder, sets)
    _report_and_plots(session, folder)


@nox.session
def reproduce_zoo(session: nox.Session) -> None:
    """Every other family's available checkpoints (each with its own default profile), with
    diagnoses, report and plots in ``<results root>/zoo/``. Defaults to Set5 and Set14; pass
    ``-- --dataset …``."""
    _install(session)
    sets = session.posargs or ["--dataset", "Set5", "--dataset", "Set14"]
    folder = _reproduce(session, "zoo", sets)
    for model, dataset in (("IMDN_x4", "Set5"), ("RLFN_x2", "Set14")):
        _diagnose(session, model, dataset, folder, sets)
    _report_and_plots(session, folder)


FAMILIES = ("eimn", "zoo")  # the families' saved results the field-wide leaderboard is made of


def _family_folders(session: nox.Session) -> list[Path]:
    """The families' saved results under the results root; the session stops when none is."""
    folders = [_results_root() / f for f in FAMILIES if (_results_root() / f).is_dir()]
    if not folders:
        session.error(
            f"no saved results under {_results_root()}/eimn or /zoo: run `nox -s reproduce_eimn` "
            "(or reproduce_zoo) first, or set SUITE_RESULTS_DIR=results for the committed ones"
        )
    return folders


def _field(session: nox.Session, folders: list[Path]) -> None:
    """The field-wide leaderboard of ``folders`` into ``<results root>/field``: the figures
    (``--clean``: none of an earlier layout is left), then the report that shows them."""
    sources = [_shown(f) for f in folders]
    out = _results_root() / "field"
    plots = ("--out", f"{_shown(out)}/plots", "--clean")
    session.run("suite", "plot", *sources, *plots, *_bench_dirs(), env=_env())
    session.run("suite", "report", *sources, "--out", _shown(out), *_bench_dirs(), env=_env())


@nox.session
def plots(session: nox.Session) -> None:
    """Regenerate the reports and figures of ``<results root>/eimn`` and ``/zoo`` from saved
    results (no model runs; ``nox -s field`` makes the field-wide ones); ``suite plot --clean``
    leaves no figure of an earlier layout behind.
    ``SUITE_RESULTS_DIR=results`` regenerates the committed ones."""
    folders = _family_folders(session)
    _install(session)
    for folder in folders:
        _report_and_plots(session, folder)


@nox.session
def field(session: nox.Session) -> None:
    """The field-wide leaderboard from saved results (no model runs): one report and one chart
    per set × scale × profile over ``<results root>/eimn`` and ``/zoo`` together, into
    ``<results root>/field`` (``plots/`` with each figure's CSV, ``report.md``,
    ``per_image.md``); ``SUITE_RESULTS_DIR=results`` regenerates the committed one."""
    folders = _family_folders(session)
    _install(session)
    _field(session, folders)


def _shown(path: Path) -> str:
    """``path`` relative to the checkout when inside it (nox runs there), so the committed
    report names ``results/eimn``, not one machine's folder."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


@nox.session
def gate(session: nox.Session) -> None:
    """CI gate: re-evaluate the EIMN checkpoints on Set5 into ``<results root>/gate`` and compare
    with the committed baseline ``results/eimn/baseline_set5.json``."""
    _install(session)
    out = _results_root() / "gate"
    session.run(
        "suite", "reproduce", "EIMN", "--profile", "basicsr", "--dataset", "Set5",
        "--out", str(out), "--no-progress", env=_env(),
    )  # fmt: skip
    session.run(
        "suite", "gate", str(out / "runs"), "--baseline", str(BASELINE), *session.posargs,
        env=_env(),
    )  # fmt: skip


@nox.session
def benchmarks(session: nox.Session) -> None:
    """pytest-benchmark suite; compare saved runs with ``-- --benchmark-compare``."""
    _install(session)
    session.run("pytest", "benchmarks", "--benchmark-autosave", *session.posargs, env=_data_env())
