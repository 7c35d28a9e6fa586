"""Developer entry points: ``nox -s tests``, ``lint``, ``gate``, ``reproduce_eimn``,
``reproduce_zoo``, ``plots``, ``benchmarks``.

Data locations come from the environment (``SUITE_DATA_ROOT``, ``SUITE_CHECKPOINT_DIR``); when
they are unset and a ``shared/`` folder sits beside the checkout (as in CI), it is used.
"""

from __future__ import annotations

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


def _report_and_plots(session: nox.Session, folder: str) -> None:
    session.run("suite", "report", folder, env=_data_env())
    session.run("suite", "plot", folder, env=_data_env())


@nox.session
def reproduce_eimn(session: nox.Session) -> None:
    """Every EIMN checkpoint × every dataset present, basicsr profile, diffed against the paper,
    then the convention diagnosis, the markdown report and the plots in ``results/eimn/``.

    Recomputes every run (``--force``). By default Set5, Set14 and B100 — what a 2-core CPU
    finishes in well under an hour; Urban100 takes hours there. Pass your own selection after
    ``--``, e.g. ``nox -s reproduce_eimn -- --dataset Set5`` (a minute) or
    ``-- --dataset Urban100 --device cuda``.
    """
    _install(session)
    env = _data_env()
    sets = session.posargs or [arg for d in CPU_SETS for arg in ("--dataset", d)]
    session.run("suite", "reproduce", "EIMN", "--profile", "basicsr", "--force", *sets, env=env)
    session.run(
        "suite", "diagnose", "EIMN_A_x4", "--dataset", "Set5", "--out", "results/eimn", env=env
    )
    _report_and_plots(session, "results/eimn")


@nox.session
def reproduce_zoo(session: nox.Session) -> None:
    """Every other family's available checkpoints (each with its own default profile), with
    report and plots in ``results/zoo/``. Defaults to Set5 and Set14; pass ``-- --dataset …``."""
    _install(session)
    env = _data_env()
    sets = session.posargs or ["--dataset", "Set5", "--dataset", "Set14"]
    session.run("suite", "reproduce", "zoo", "--force", *sets, env=env)
    for model, dataset in (("IMDN_x4", "Set5"), ("RLFN_x2", "Set14")):
        session.run(
            "suite", "diagnose", model, "--dataset", dataset, "--out", "results/zoo", env=env
        )
    _report_and_plots(session, "results/zoo")


@nox.session
def plots(session: nox.Session) -> None:
    """Regenerate every report and figure in ``results/`` from saved results (no model runs)."""
    _install(session)
    for folder in ("results/eimn", "results/zoo"):
        if Path(folder).is_dir():
            _report_and_plots(session, folder)


@nox.session
def gate(session: nox.Session) -> None:
    """CI gate: re-evaluate the EIMN checkpoints on Set5 and compare with the committed baseline."""
    _install(session)
    out = session.create_tmp()
    session.run(
        "suite", "reproduce", "EIMN", "--profile", "basicsr", "--dataset", "Set5",
        "--out", out, "--no-progress", env=_data_env(),
    )  # fmt: skip
    session.run(
        "suite", "gate", f"{out}/runs", "--baseline", "results/eimn/baseline_set5.json",
        *session.posargs,
    )  # fmt: skip


@nox.session
def benchmarks(session: nox.Session) -> None:
    """pytest-benchmark suite; compare saved runs with ``-- --benchmark-compare``."""
    _install(session)
    session.run("pytest", "benchmarks", "--benchmark-autosave", *session.posargs, env=_data_env())
