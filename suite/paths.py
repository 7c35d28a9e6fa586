"""Where the suite finds data, checkpoints, caches and writes results.

Every location is configuration: a command-line flag wins, then an environment variable, then a
default relative to the working directory. Nothing here points at a specific machine.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from suite.errors import SuiteError

ENV_DATA_ROOT = "SUITE_DATA_ROOT"
ENV_CHECKPOINT_DIR = "SUITE_CHECKPOINT_DIR"
ENV_CACHE_DIR = "SUITE_CACHE_DIR"
ENV_RESULTS_DIR = "SUITE_RESULTS_DIR"
ENV_OFFLINE = "SUITE_OFFLINE"
ENV_MANIFEST_DIR = "SUITE_MANIFEST_DIR"
ENV_MIRROR = "SUITE_MIRROR"


def _pick(flag: str | os.PathLike | None, env: str, default: str | Path) -> Path:
    if flag:
        return Path(flag).expanduser()
    value = os.environ.get(env)
    if value:
        return Path(value).expanduser()
    return Path(default)


def data_root(flag: str | os.PathLike | None = None) -> Path:
    """Folder holding the benchmark sets: ``--data-root`` > ``SUITE_DATA_ROOT`` > ``datasets/``."""
    return _pick(flag, ENV_DATA_ROOT, "datasets")


def checkpoint_dir(flag: str | os.PathLike | None = None) -> Path | None:
    """User checkpoint folder (``--checkpoint-dir`` > ``SUITE_CHECKPOINT_DIR``); None when unset."""
    if flag:
        return Path(flag).expanduser()
    value = os.environ.get(ENV_CHECKPOINT_DIR)
    return Path(value).expanduser() if value else None


def cache_dir(flag: str | os.PathLike | None = None) -> Path:
    """Cache for downloads and generated LR images: ``SUITE_CACHE_DIR`` > ``.cache/suite``."""
    return _pick(flag, ENV_CACHE_DIR, Path(".cache") / "suite")


def results_dir(flag: str | os.PathLike | None = None) -> Path:
    """Where results are written (``--results-dir`` > ``SUITE_RESULTS_DIR`` > ``results/``)."""
    return _pick(flag, ENV_RESULTS_DIR, "results")


def offline() -> bool:
    """True when downloads are disabled (``SUITE_OFFLINE=1``)."""
    return os.environ.get(ENV_OFFLINE, "").strip().lower() in {"1", "true", "yes"}


def mirror(flag: str | None = None) -> str | None:
    """Base URL serving every download (``--mirror`` > ``SUITE_MIRROR``); None: the original URLs.

    A file published at ``https://host/path`` is fetched from ``<mirror>/host/path`` instead, so
    one folder served over HTTP(S) can stand in for every upstream a lab's machines need.
    """
    value = flag or os.environ.get(ENV_MIRROR, "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SuiteError(
            f"mirror {value!r} (--mirror / {ENV_MIRROR}) is not an http(s) URL. Fix: give the "
            "base URL of a server that holds each file under <host>/<path> of its original URL, "
            "e.g. https://mirror.example.org/sr-suite"
        )
    return value.rstrip("/")


def manifests_dir() -> Path:
    """Dataset manifests: ``SUITE_MANIFEST_DIR``, else the ones shipped with the suite."""
    value = os.environ.get(ENV_MANIFEST_DIR)
    if value:
        return Path(value).expanduser()
    return package_data("manifests")


def reference_dir() -> Path:
    """The published reference tables shipped with the suite (``reference_tables/``)."""
    return package_data("reference_tables")


# Data shipped with the package: in a wheel it sits under ``suite/_data/<name>``; in a source
# checkout (or an editable install) it is read where it is kept in the tree.
PACKAGE_DIR = Path(__file__).resolve().parent
_IN_TREE = {"reference_tables": "reference_tables", "manifests": "datasets/manifests"}


def package_data(name: str) -> Path:
    """Folder of one kind of shipped data (``reference_tables`` or ``manifests``)."""
    installed = PACKAGE_DIR / "_data" / name
    return installed if installed.is_dir() else PACKAGE_DIR.parent / _IN_TREE[name]


def _unsafe(name: object) -> str | None:
    """Why ``name`` is not one plain file-name component, or None when it is."""
    if not isinstance(name, str) or not name:
        return "it is empty"
    if ".." in name or name == ".":
        return "it contains '..' or is '.'"
    for char, label in (("/", "'/'"), ("\\", "'\\'"), ("\0", "a NUL byte")):
        if char in name:
            return f"it contains {label}"
    return None


def safe_name(name: str, what: str) -> str:
    """``name`` itself when it is one plain file-name component; a SuiteError otherwise.

    Paths are built from names (model ids, run and dataset names, profiles, benchmark variants,
    a user's folder name); ``../../x``, ``a/b``, ``/abs`` or ``""`` would put a file outside the
    folder meant for it (or nowhere), so they are refused before anything is written.
    """
    why = _unsafe(name)
    if why:
        raise SuiteError(
            f"{what} {name!r} cannot name a file: {why}; use a plain "
            "name without '/', '\\', '..' or NUL (e.g. Set5)"
        )
    return name
