"""A mirror of the suite's downloads, built from ``../shared`` and served on 127.0.0.1.

:func:`build_mirror` lays files out as ``--mirror`` / ``SUITE_MIRROR`` expect them,
``<host>/<path>`` of each original URL: every registered image of the published sets and every
zoo checkpoint that ``shared/`` holds (matched by sha256 through ``shared/MANIFEST.json``), as
symbolic links into ``shared/`` (nothing is copied). :func:`put` adds a file of a test's own.
:class:`MirrorServer` serves such a folder; :meth:`MirrorServer.fault` makes one file corrupt,
cut off, 404, trickle or stall. :func:`clean_downloads` keeps a test's downloads local and quick.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from suite.data import fetch
from suite.data.datasets import registration
from suite.models.zoo import model_specs
from support.http import FaultyServer, running

PUBLISHED_SETS = ("Set5", "Set14", "B100", "Urban100")


def mirror_file(root: Path, url: str) -> Path:
    """Where a mirror folder holds the file of ``url``: ``<root>/<host>/<path>``."""
    parts = urlsplit(url)
    return root / parts.netloc / parts.path.lstrip("/")


def _published(sets: tuple[str, ...]) -> dict[str, str]:
    """Original URL -> sha256 of every registered image of ``sets`` and every zoo checkpoint."""
    urls = {
        remote.url: remote.sha256
        for name in sets
        for remote in registration(name).files.values()
        if remote.sha256
    }
    for spec in model_specs().values():
        ckpt = spec.checkpoint
        if ckpt is not None and ckpt.sha256 and ckpt.direct:
            urls[ckpt.url] = ckpt.sha256
    return urls


def build_mirror(root: Path, shared: Path, sets: tuple[str, ...] = PUBLISHED_SETS) -> Path:
    """A mirror folder of what ``shared/`` holds of the suite's downloads (links into it)."""
    provenance = json.loads((shared / "MANIFEST.json").read_text())
    by_sha = {entry["sha256"]: shared / key for key, entry in provenance.items()}
    for url, sha in _published(sets).items():
        source = by_sha.get(sha)
        if source is not None and source.is_file():
            target = mirror_file(root, url)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(source)
    return root


def put(root: Path, url: str, data: bytes) -> Path:
    """Add a file of the test's own to a mirror folder, as the mirror of ``url``."""
    target = mirror_file(root, url)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


class MirrorServer(FaultyServer):
    """Serves a mirror folder; a path it lacks is a 404."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder
        self.faults: dict[str, str] = {}  # request path -> mode

    @property
    def url(self) -> str:
        """The mirror's base URL (what ``--mirror`` takes)."""
        return self.base_url

    def fault(self, url: str, mode: str) -> None:
        """Serve the mirror copy of ``url`` in ``mode`` (corrupt, cutoff, 404, trickle, stall)."""
        self.faults[f"/{mirror_file(Path(), url).as_posix()}"] = mode

    def respond(self, path: str) -> tuple[bytes | None, str]:
        file = self.folder / unquote(path).lstrip("/")
        body = file.read_bytes() if file.is_file() else None
        return body, self.faults.get(path, "ok")


def serving_mirror(folder: Path) -> contextlib.AbstractContextManager[MirrorServer]:
    """A running :class:`MirrorServer` over ``folder``, shut down on exit."""
    return running(MirrorServer(folder))


def clean_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    """No user setting or proxy reaches a test's downloads, and no retry waits (pooch sleeps a
    second before each)."""
    for var in ("SUITE_MIRROR", "SUITE_OFFLINE", "SUITE_DATA_ROOT", "SUITE_MANIFEST_DIR"):
        monkeypatch.delenv(var, raising=False)
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.setattr(fetch, "RETRIES", 0)
