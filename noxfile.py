"""Developer entry points: ``nox -s tests``, ``lint``, ``reproduce_eimn``, ``benchmarks``.

Data locations come from the environment (``SUITE_DATA_ROOT``, ``SUITE_CHECKPOINT_DIR``); when
they are unset and a ``shared/`` folder sits beside the checkout (as in CI), it is used.
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = True
nox.options.default_venv_backend = "venv"

ROOT = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("SUITE_SHARED_DIR", ROOT.parent / "shared"))
# The CPU build of torch; any other request pulls CUDA wheels.
TORCH = os.environ.get("SUITE_TORCH", "torch==2.13.0")


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


@nox.session
def reproduce_eimn(session: nox.Session) -> None:
    """Every EIMN checkpoint × every dataset present, basicsr profile, diffed against the paper.

    Pass datasets to restrict, e.g. ``nox -s reproduce_eimn -- --dataset Set5``.
    """
    _install(session)
    session.run(
        "suite", "reproduce", "EIMN", "--profile", "basicsr", *session.posargs, env=_data_env()
    )


@nox.session
def benchmarks(session: nox.Session) -> None:
    """pytest-benchmark suite; compare saved runs with ``-- --benchmark-compare``."""
    _install(session)
    session.run("pytest", "benchmarks", "--benchmark-autosave", *session.posargs, env=_data_env())
