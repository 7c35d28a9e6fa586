"""Find, download and verify published checkpoint files.

A checkpoint is looked for in the user's checkpoint folder, then in the suite cache, and only then
downloaded from its official URL into the cache. Every file is checked against the sha256 recorded
in the zoo so that a result can never silently come from the wrong or a damaged weight file.
Loading the verified file into its architecture is :mod:`suite.models.loading`'s job.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tqdm import tqdm

from suite import paths
from suite.errors import CheckpointError
from suite.models.spec import CheckpointSpec, ModelSpec

__all__ = ["checkpoint_status", "resolve_checkpoint", "sha256_file"]

_CHUNK = 1 << 20
_TIMEOUT_S = 60.0
_USER_AGENT = "sr-suite (checkpoint download)"

# sha256 per (resolved path, mtime_ns, size): repeated resolution of an unchanged file is free.
_SHA_CACHE: dict[tuple[str, int, int], str] = {}


# --------------------------------------------------------------------------- hashing


def _hash_file(path: Path) -> str:
    """sha256 of a file, read in chunks so large files never sit in memory."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


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


def _verify_local(spec: ModelSpec, path: Path) -> Path:
    """Return ``path`` if its sha256 matches the zoo's; otherwise explain how to fix it."""
    expected = spec.checkpoint.sha256 if spec.checkpoint else None
    if expected is None:
        return path
    actual = sha256_file(path)
    if actual != expected.lower():
        raise CheckpointError(
            f"checkpoint file {path} for model {spec.id!r} has the wrong sha256:\n"
            f"  expected {expected}\n  actual   {actual}\n"
            "It is corrupt (e.g. an interrupted copy) or a different checkpoint. Fix: delete it "
            f"and re-download the official file from {spec.checkpoint.url} "
            "(the suite downloads it again when it is absent and downloads are enabled)."
        )
    return path


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
    where = "\n".join(f"  - {p}" for p in searched)
    subdir = f" (with or without the '{ckpt.subdir}/' subfolder)" if ckpt.subdir else ""
    return CheckpointError(
        f"checkpoint for model {spec.id!r} not found and cannot be downloaded ({why}). "
        f"Searched:\n{where}\n"
        f"Fix: download {ckpt.url} and save it as one of the paths above, or in the folder given "
        f"by --checkpoint-dir / SUITE_CHECKPOINT_DIR{subdir}; or allow downloads."
    )


def _download_error(spec: ModelSpec, url: str, dest: Path, reason: str) -> CheckpointError:
    """A failed download; nothing was saved."""
    return CheckpointError(
        f"could not download the checkpoint for model {spec.id!r} from {url}: {reason}. "
        f"Nothing was saved. Fix: retry (check the network or proxy), or download the file "
        f"yourself and save it as {dest} or in your --checkpoint-dir / SUITE_CHECKPOINT_DIR."
    )


# --------------------------------------------------------------------------- download


def _content_length(response: Any) -> int | None:
    """The declared body size, or None when the server does not say."""
    value = response.headers.get("Content-Length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _stream(
    response: Any, out: Any, total: int | None, label: str, progress: bool
) -> tuple[int, str]:
    """Copy the body to ``out`` with a progress bar; return (bytes written, sha256 hex)."""
    digest = hashlib.sha256()
    written = 0
    disable = None if progress else True  # None: tqdm shows the bar only on a terminal
    with tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc=label,
        file=sys.stderr,
        disable=disable,
        leave=False,
    ) as bar:
        for chunk in iter(lambda: response.read(_CHUNK), b""):
            out.write(chunk)
            digest.update(chunk)
            written += len(chunk)
            bar.update(len(chunk))
    return written, digest.hexdigest()


def _check_download(ckpt: CheckpointSpec, declared: int | None, written: int, sha: str) -> None:
    """Raise ValueError describing the first way the downloaded bytes are wrong."""
    if declared is not None and written != declared:
        raise ValueError(f"connection cut off after {written} of {declared} bytes")
    if ckpt.size is not None and written != ckpt.size:
        raise ValueError(f"got {written} bytes, the zoo records {ckpt.size}")
    if ckpt.sha256 is not None and sha != ckpt.sha256.lower():
        raise ValueError(f"sha256 mismatch: expected {ckpt.sha256}, got {sha}")


def _fetch_to(ckpt: CheckpointSpec, part: Path, progress: bool) -> str:
    """Download ``ckpt.url`` into ``part`` and verify it; return its sha256."""
    request = urllib.request.Request(ckpt.url, headers={"User-Agent": _USER_AGENT})
    with urllib.request.urlopen(request, timeout=_TIMEOUT_S) as response:
        declared = _content_length(response)
        if declared is not None and ckpt.size is not None and declared != ckpt.size:
            raise ValueError(f"server announces {declared} bytes, the zoo records {ckpt.size}")
        with part.open("wb") as out:
            written, sha = _stream(response, out, declared, ckpt.filename, progress)
    _check_download(ckpt, declared, written, sha)
    return sha


def _download(spec: ModelSpec, ckpt: CheckpointSpec, dest: Path, progress: bool) -> Path:
    """Download into the cache via a ``.part`` file, verify, then rename atomically."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f"{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(fd)
    part = Path(tmp)
    try:
        sha = _fetch_to(ckpt, part, progress)
        part.chmod(0o644)  # mkstemp creates 0600; a cached checkpoint is an ordinary file
        os.replace(part, dest)
    except urllib.error.HTTPError as exc:
        raise _download_error(spec, ckpt.url, dest, f"HTTP {exc.code} {exc.reason}") from exc
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise _download_error(spec, ckpt.url, dest, str(exc) or type(exc).__name__) from exc
    finally:
        part.unlink(missing_ok=True)
    _remember_sha(dest, sha)
    return dest


# --------------------------------------------------------------------------- resolve


def resolve_checkpoint(
    spec: ModelSpec,
    checkpoint_dir: Path | None = None,
    cache_dir: Path | None = None,
    download: bool = True,
    progress: bool = True,
) -> Path:
    """Path of a verified checkpoint file for ``spec``: checkpoint dir, cache, then download."""
    ckpt = require_checkpoint(spec)
    if not ckpt.published:
        raise _unpublished_error(spec, ckpt)
    local = _local_candidates(ckpt, checkpoint_dir)
    cached = _cache_path(ckpt, cache_dir)
    found = _first_existing([*local, cached])
    if found is not None:
        return _verify_local(spec, found)
    if not ckpt.direct:
        why = "its official location is a share page, not a file the suite can fetch"
        raise _missing_error(spec, ckpt, [*local, cached], why)
    if not download or paths.offline():
        why = "download=False" if not download else f"{paths.ENV_OFFLINE} is set"
        raise _missing_error(spec, ckpt, [*local, cached], why)
    return _download(spec, ckpt, cached, progress)
