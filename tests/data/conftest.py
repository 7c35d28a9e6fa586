"""Fixtures of the data tests: downloads kept on this machine, a mirror of ``../shared`` served
on 127.0.0.1, and an empty mirror for a test's own files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.mirror import MirrorServer, build_mirror, clean_downloads, serving_mirror


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    """No user setting or proxy reaches the test's downloads; no retry waits."""
    clean_downloads(monkeypatch)


@pytest.fixture(scope="session")
def mirror_dir(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A mirror folder of the published sets and checkpoints in ``shared/`` (links)."""
    return build_mirror(tmp_path_factory.mktemp("mirror"), shared_dir)


@pytest.fixture
def mirror(mirror_dir: Path, downloads: None) -> Iterator[MirrorServer]:
    """The shared mirror, served on 127.0.0.1 (faults are the test's own)."""
    with serving_mirror(mirror_dir) as srv:
        yield srv


@pytest.fixture
def own_mirror(tmp_path: Path, downloads: None) -> Iterator[MirrorServer]:
    """An empty mirror folder (``own_mirror.folder``) served on 127.0.0.1."""
    with serving_mirror(tmp_path / "mirror") as srv:
        yield srv
