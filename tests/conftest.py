"""Shared fixtures.

Tests that need the public data folder (``../shared`` beside the checkout, or ``SUITE_SHARED_DIR``)
use the ``shared_dir`` fixture: in CI (``CI=true``) a missing folder is a failure, elsewhere a skip.

The test folders mirror ``suite/`` (``tests/protocol``, ``tests/models``, ...); helpers shared
between them live in the ``support`` package beside this file (on ``sys.path`` through
``pythonpath`` in pyproject.toml), fixtures in this file or a folder's own ``conftest.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Plain asserts inside the helpers report their values like those in test modules.
pytest.register_assert_rewrite("support")

REPO_ROOT = Path(__file__).resolve().parent.parent


def _shared_path() -> Path:
    env = os.environ.get("SUITE_SHARED_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ``shared/`` data folder; skip outside CI when it is absent, fail inside CI."""
    path = _shared_path()
    if not path.is_dir():
        msg = f"shared data folder not found at {path} (set SUITE_SHARED_DIR)"
        if _in_ci():
            pytest.fail(msg)
        pytest.skip(msg)
    return path


@pytest.fixture(scope="session")
def goldens_dir(shared_dir: Path) -> Path:
    return shared_dir / "goldens"


@pytest.fixture(scope="session")
def shared_checkpoints(shared_dir: Path) -> Path:
    return shared_dir / "checkpoints"


@pytest.fixture(scope="session")
def shared_datasets(shared_dir: Path) -> Path:
    return shared_dir / "datasets"
