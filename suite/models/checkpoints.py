"""Find, download and verify published checkpoint files.

A checkpoint is looked for in the user's checkpoint folder, then in the suite cache, and only then
downloaded from its official URL into the cache. Every file is checked against the sha256 recorded
in the zoo so that a result can never silently come from the wrong or a damaged weight file. For
the few zoo entries without a recorded sha256, the first copy the suite uses is trusted and its
sha256 recorded in ``<cache>/checkpoints/first_seen.json``; every later copy must match it (a
warning says once per process that such a file is only checked against itself).

Downloads go through :mod:`suite.data.fetch` (pooch): the same mirror (``--mirror`` /
``SUITE_MIRROR``), overall deadline, lock per target file and staging folder (nothing
half-written is ever left in the cache) as every other download of the suite.
Loading the verified file into its architecture is :mod:`suite.models.loading`'s job.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any

from suite import paths
from suite.data import fetch
from suite.errors import CheckpointError, warn
from suite.files import atomic_write_text, run_lock
from suite.models.spec import CheckpointSpec, ModelSpec

__all__ = [
    "checkpoint_record",
    "checkpoint_status",
    "first_seen_path",
    "resolve_checkpoint",
    "sha256_file",
    "verify_checkpoint",
]

FIRST_SEEN_SCHEMA = "sr-suite/first-seen/1"
_FIRST_SEEN_LOCK_S = 60.0  # another process only holds the record while adding one entry

# sha256 per (resolved path, mtime_ns, size): repeated resolution of an unchanged file is free.
_SHA_CACHE: dict[tuple[str, int, int], str] = {}


# --------------------------------------------------------------------------- hashing


def _hash_file(path: Path) -> str:
    """sha256 of a file, read in chunks so large files never sit in memory."""
    return fetch.file_sha256(path)


def _sha_key(path: Path) -> tuple[str, int, int]:
    """Cache key that changes whenever the file is replaced or rewritten."""
    st = path.stat()
    return (str(path.resolve()), st.st_mtime_ns, st.st_size)


def sha256_file(path: Path) -> str:
    """sha256 hex digest of ``path``, memoised in-process per (path, mtime, size)."""
    path = Path(path)
    key = _sha_key(path)
    if key not in _SHA_CACHE:
        _SHA_CACHE[key] = _hash_file(path)
    return _SHA_CACHE[key]


def _remember_sha(path: Path, sha: str) -> None:
    """Record a digest computed elsewhere (while downloading) so it is not recomputed."""
    _SHA_CACHE[_sha_key(path)] = sha


# --------------------------------------------------------------------------- locations


def require_checkpoint(spec: ModelSpec) -> CheckpointSpec:
    """The spec's checkpoint, or an error for models registered without one."""
    if spec.checkpoint is None:
        raise CheckpointError(f"model {spec.id!r} has no registered checkpoint in the zoo.")
    return spec.checkpoint


def _local_candidates(ckpt: CheckpointSpec, checkpoint_dir: Path | None) -> list[Path]:
    """Paths searched in the user's checkpoint folder: ``<dir>/<subdir>/<file>`` then flat."""
    root = paths.checkpoint_dir(checkpoint_dir)
    if root is None:
        return []
    found = [root / ckpt.subdir / ckpt.filename] if ckpt.subdir else []
    return [*found, root / ckpt.filename]


def _cache_path(ckpt: CheckpointSpec, cache_dir: Path | None) -> Path:
    """Where a downloaded checkpoint lives: ``<cache>/checkpoints/<subdir>/<file>``."""
    return paths.cache_dir(cache_dir) / "checkpoints" / ckpt.subdir / ckpt.filename


def _first_existing(candidates: Iterable[Path]) -> Path | None:
    """The first candidate that is a regular file, if any."""
    return next((p for p in candidates if p.is_file()), None)


def checkpoint_status(
    spec: ModelSpec, checkpoint_dir: Path | None = None, cache_dir: Path | None = None
) -> str:
    """One of "local", "cached", "downloadable", "manual", "unpublished"; never downloads."""
    ckpt = spec.checkpoint
    if ckpt is None or not ckpt.published:
        return "unpublished"
    if _first_existing(_local_candidates(ckpt, checkpoint_dir)):
        return "local"
    if _cache_path(ckpt, cache_dir).is_file():
        return "cached"
    return "downloadable" if ckpt.direct else "manual"


# --------------------------------------------------------------------------- verification


def _wrong_sha_error(spec: ModelSpec, path: Path, expected: str, actual: str) -> CheckpointError:
    """The file is not the one the zoo names: say how to get the right one."""
    return CheckpointError(
        f"checkpoint file {path} for model {spec.id!r} has the wrong sha256 {actual} (the zoo "
        f"records {expected}): it is corrupt (e.g. an interrupted copy) or a different "
        f"checkpoint. Fix: delete it and re-download the official file from "
        f"{require_checkpoint(spec).url} (the suite downloads it again when it is absent and "
        "downloads are enabled)."
    )


def first_seen_path(cache_dir: Path | str | None = None) -> Path:
    """The record of first-seen sha256s: ``<cache>/checkpoints/first_seen.json``."""
    return paths.cache_dir(cache_dir) / "checkpoints" / "first_seen.json"


def _first_seen_key(ckpt: CheckpointSpec) -> str:
    """An entry's key: where the cache keeps the file, ``<subdir>/<filename>``."""
    return PurePosixPath(ckpt.subdir, ckpt.filename).as_posix()


def _entries(data: object) -> dict[str, dict[str, Any]] | None:
    """The ``checkpoints`` mapping of a first-seen record, or None if ``data`` is not one."""
    if not isinstance(data, dict) or data.get("schema") != FIRST_SEEN_SCHEMA:
        return None
    entries = data.get("checkpoints")
    if not isinstance(entries, dict):
        return None
    valid = all(isinstance(e, dict) and isinstance(e.get("sha256"), str) for e in entries.values())
    return entries if valid else None


def _read_first_seen(record: Path) -> dict[str, dict[str, Any]]:
    """The entries of the first-seen record (none while it does not exist)."""
    if not record.is_file():
        return {}
    try:
        entries = _entries(json.loads(record.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        entries, why = None, f"{type(exc).__name__}: {exc}"
    else:
        why = f"not a {FIRST_SEEN_SCHEMA} record"
    if entries is None:
        raise CheckpointError(
            f"cannot read the first-seen checkpoint record {record} ({why}). Fix: restore it, or "
            "delete it to start afresh (the suite then trusts the next copy it sees of each "
            "checkpoint without a zoo sha256)."
        )
    return entries


def _first_seen_entry(
    spec: ModelSpec, ckpt: CheckpointSpec, source: str, sha: str, cache_dir: Path | str | None
) -> dict[str, Any]:
    """The first-seen entry of ``ckpt``; the first time, ``sha`` (of ``source``) is recorded."""
    record, key = first_seen_path(cache_dir), _first_seen_key(ckpt)
    entry = _read_first_seen(record).get(key)
    if entry is not None:
        return entry
    with run_lock(record, timeout_s=_FIRST_SEEN_LOCK_S):
        entries = _read_first_seen(record)  # another process may have recorded it meanwhile
        if key not in entries:
            entries[key] = {
                "sha256": sha,
                "file": source,
                "url": ckpt.url,
                "model": spec.id,
                "recorded": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            }
            document = {"schema": FIRST_SEEN_SCHEMA, "checkpoints": entries}
            atomic_write_text(record, json.dumps(document, indent=2, sort_keys=True) + "\n")
    return entries[key]


def _check_first_seen(
    spec: ModelSpec,
    ckpt: CheckpointSpec,
    source: str,
    sha: str,
    cache_dir: Path | str | None,
    what: str | None = None,
) -> dict[str, Any]:
    """Record ``sha`` as first seen, or check it against the recorded one; returns the entry.

    ``source`` is where the file lives (recorded), ``what`` how a mismatch names it (default
    ``source``; a download not yet saved names its URL)."""
    entry = _first_seen_entry(spec, ckpt, source, sha, cache_dir)
    if entry["sha256"] != sha:
        record = first_seen_path(cache_dir)
        raise CheckpointError(
            f"checkpoint {what or source} for model {spec.id!r} has sha256 {sha}, but the copy "
            f"first seen on {entry.get('recorded', '?')} ({entry.get('file', '?')}) had "
            f"{entry['sha256']} (recorded in {record}); the zoo records no sha256 for this file, "
            "so every copy must match the first one. Fix: use the official file from "
            f"{ckpt.url} instead of this copy; if the first copy was the wrong one, delete the "
            f"entry {_first_seen_key(ckpt)!r} from {record}."
        )
    return entry


_WARNED: set[str] = set()  # files already announced as unverified in this process


def _warn_unverified(path: Path, entry: dict[str, Any]) -> None:
    """Say once per process and file that it is only checked against its first-seen copy."""
    if str(path) in _WARNED:
        return
    _WARNED.add(str(path))
    warn(
        f"unverified checkpoint {path} (first seen sha256 {entry['sha256']} on "
        f"{entry.get('recorded', '?')}; the zoo records none, so each use is checked against "
        "that first copy only)"
    )


def verify_checkpoint(spec: ModelSpec, path: Path, cache_dir: Path | str | None = None) -> str:
    """Check ``path`` against the zoo's sha256 and return "registry"; when the zoo records none,
    check it against the first copy seen (recording this one if it is the first) and return
    "first-seen". A mismatch is a :class:`CheckpointError` naming the file and both hashes."""
    ckpt = require_checkpoint(spec)
    path = Path(path)
    actual = sha256_file(path)
    if ckpt.sha256 is not None:
        if actual != ckpt.sha256.lower():
            raise _wrong_sha_error(spec, path, ckpt.sha256, actual)
        return "registry"
    _warn_unverified(path, _check_first_seen(spec, ckpt, str(path), actual, cache_dir))
    return "first-seen"


def checkpoint_record(
    spec: ModelSpec, path: Path, cache_dir: Path | str | None = None
) -> dict[str, str]:
    """What a result records about its weight file: ``file``, ``sha256``, ``url`` and
    ``verification`` ("registry": the zoo's sha256 matched; "first-seen": the zoo records none and
    the file matched the first copy seen, see :func:`first_seen_path`). It verifies again (the
    hash is memoised), so a record never describes an unchecked file."""
    verification = verify_checkpoint(spec, path, cache_dir)
    return {
        "file": str(path),
        "sha256": sha256_file(path),
        "url": require_checkpoint(spec).url,
        "verification": verification,
    }


# --------------------------------------------------------------------------- errors


def _unpublished_error(spec: ModelSpec, ckpt: CheckpointSpec) -> CheckpointError:
    """The authors announced this checkpoint but never uploaded it."""
    note = f" Note: {ckpt.note.rstrip('.')}." if ckpt.note else ""
    return CheckpointError(
        f"the authors never published the checkpoint for model {spec.id!r} "
        f"(it would be {ckpt.filename} at {ckpt.url}).{note} "
        "This model cannot be evaluated until the authors release those weights."
    )


def _missing_error(
    spec: ModelSpec, ckpt: CheckpointSpec, searched: list[Path], why: str
) -> CheckpointError:
    """Not found locally and downloads are disabled: say where to put the file."""
    where = ", ".join(str(p) for p in searched)
    subdir = f" (with or without the '{ckpt.subdir}/' subfolder)" if ckpt.subdir else ""
    return CheckpointError(
        f"checkpoint for model {spec.id!r} not found and cannot be downloaded ({why}); "
        f"searched {where}. Fix: download {ckpt.url} and save it as one of those paths, or in "
        f"the folder given by --checkpoint-dir / SUITE_CHECKPOINT_DIR{subdir}; or allow "
        "downloads."
    )


def _download_error(spec: ModelSpec, exc: fetch.DownloadError, dest: Path) -> CheckpointError:
    """A failed download; nothing was saved."""
    return CheckpointError(
        f"could not download the checkpoint for model {spec.id!r} from {exc.source}: "
        f"{exc.reason}. Nothing was saved. Fix: retry (check the network or proxy, or serve the "
        f"file from a mirror with --mirror URL / {paths.ENV_MIRROR}), or download the file "
        f"yourself and save it as {dest} or in your --checkpoint-dir / SUITE_CHECKPOINT_DIR."
    )


# --------------------------------------------------------------------------- download


def _download(
    spec: ModelSpec,
    ckpt: CheckpointSpec,
    dest: Path,
    progress: bool,
    cache_dir: Path | str | None,
    mirror: str | None,
) -> Path:
    """Download into the cache (see :mod:`suite.data.fetch`: staging folder, lock, deadline),
    verify, then move into place.

    Holding the lock on ``dest``, a file another process finished meanwhile is used. A
    checkpoint without a zoo sha256 must match the first copy seen before it is saved.
    """
    remote = fetch.Remote(ckpt.url, ckpt.sha256, ckpt.size)
    with fetch.staging(dest) as part:
        if dest.is_file():  # downloaded by another process while this one waited for the lock
            verify_checkpoint(spec, dest, cache_dir)
            return dest
        try:
            got = fetch.fetch(remote, part, dest.name, progress=progress, mirror=mirror)
        except fetch.DownloadError as exc:
            raise _download_error(spec, exc, dest) from None
        if ckpt.sha256 is None:
            what = f"downloaded from {got.url} (not saved)"
            _check_first_seen(spec, ckpt, str(dest), got.sha256, cache_dir, what)
        fetch.install(got.path, dest)
    _remember_sha(dest, got.sha256)
    verify_checkpoint(spec, dest, cache_dir)  # free now; warns for a first-seen file
    return dest


# --------------------------------------------------------------------------- resolve


def resolve_checkpoint(
    spec: ModelSpec,
    checkpoint_dir: Path | None = None,
    cache_dir: Path | None = None,
    download: bool = True,
    progress: bool = True,
    mirror: str | None = None,
) -> Path:
    """Path of a verified checkpoint file for ``spec``: checkpoint dir, cache, then download
    from its URL, or from ``mirror`` (> ``SUITE_MIRROR``) when one is set (see
    :func:`verify_checkpoint` for what "verified" means)."""
    ckpt = require_checkpoint(spec)
    if not ckpt.published:
        raise _unpublished_error(spec, ckpt)
    local = _local_candidates(ckpt, checkpoint_dir)
    cached = _cache_path(ckpt, cache_dir)
    found = _first_existing([*local, cached])
    if found is not None:
        verify_checkpoint(spec, found, cache_dir)
        return found
    if not ckpt.direct:
        why = "its official location is a share page, not a file the suite can fetch"
        raise _missing_error(spec, ckpt, [*local, cached], why)
    if not download or paths.offline():
        why = "download=False" if not download else f"{paths.ENV_OFFLINE} is set"
        raise _missing_error(spec, ckpt, [*local, cached], why)
    return _download(spec, ckpt, cached, progress, cache_dir, mirror)
