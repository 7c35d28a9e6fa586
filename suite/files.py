"""Writing files so that no reader ever sees half of one, and one writer at a time per run.

Every file the suite writes (results, LR cache, baselines, reports) goes through
:func:`atomic_write`: the bytes go to a uniquely named temporary file in the same folder, are
flushed to disk, and replace the target in one ``os.replace``. Two processes writing the same
file never share a temporary name, and a reader sees the old file or the new one, never a mix.
:func:`run_lock` serialises processes that would compute the same run (an advisory lock file,
via the ``filelock`` library).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from filelock import FileLock, Timeout

from suite.errors import SuiteError

LOCK_SUFFIX = ".lock"


def writable_folder(path: Path) -> None:
    """Create ``path``'s folder, or say which part of it is in the way."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in path.parents if p.exists() and not p.is_dir()), path.parent)
        raise SuiteError(
            f"cannot write {path}: {blocker} is a file, not a folder; move it away or choose "
            "another location (e.g. --results-dir / --cache-dir)"
        ) from None
    except PermissionError:
        raise SuiteError(
            f"cannot write {path}: permission denied; choose a location you can write to"
        ) from None


def atomic_write(path: Path, write: Callable[[IO[bytes]], object]) -> Path:
    """Call ``write(file)`` on a fresh temporary file next to ``path``, fsync it, then move it
    into place. On any error the temporary file is removed and ``path`` is left as it was."""
    path = Path(path)
    writable_folder(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; results are ordinary files
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    """:func:`atomic_write` of UTF-8 text."""
    return atomic_write(path, lambda f: f.write(text.encode("utf-8")))


@contextlib.contextmanager
def run_lock(path: Path, timeout_s: float = -1) -> Iterator[None]:
    """Hold the advisory lock ``<path>.lock`` (waiting for another process to release it;
    ``timeout_s`` ≥ 0 gives up after that long with a clear error)."""
    lock_path = Path(f"{path}{LOCK_SUFFIX}")
    writable_folder(lock_path)
    lock = FileLock(lock_path, timeout=timeout_s)
    try:
        with lock:
            yield
    except Timeout:
        raise SuiteError(
            f"another process holds {lock_path} (the same run is being computed); wait for it "
            "to finish, or remove the lock file if that process is gone"
        ) from None
