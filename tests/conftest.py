"""Shared fixtures.

Tests that need the public data folder (``../shared`` beside the checkout, or ``SUITE_SHARED_DIR``)
use the ``shared_dir`` fixture: in CI (``CI=true``) a missing folder is a failure, elsewhere a skip.

The test folders mirror ``suite/`` (``tests/protocol``, ``tests/models``, ...); helpers shared
between them live in the ``support`` package beside this file (on ``sys.path`` through
``pythonpath`` in pyproject.toml), fixtures in this file or a folder's own ``conftest.py``.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

# Plain asserts inside the helpers report their values like those in test modules.
pytest.register_assert_rewrite("support")

REPO_ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = ("localhost", "127.0.0.1", "::1")


def _local(host: object) -> bool:
    return isinstance(host, str) and (host in LOOPBACK or host.startswith("127."))


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach the network: only loopback (the local mirror and weight servers) may
    be resolved or connected to; anything else fails at once, as on a machine offline."""
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host is not None and not _local(host):
            raise socket.gaierror(f"network access is disabled in tests (lookup of {host})")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self, address):  # type: ignore[no-untyped-def]
        if isinstance(address, tuple) and not _local(address[0]):
            raise OSError(f"network access is disabled in tests (connect to {address[0]})")
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)


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
