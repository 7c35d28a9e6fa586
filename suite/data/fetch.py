"""Downloading: the one place the suite fetches anything (benchmark images, archives,
checkpoints), built on pooch.

pooch does the transfer (``pooch.HTTPDownloader``, through requests), the progress bar, the
sha256 check against a registry and the retries. This module adds what a reproducibility tool
needs around it:

- **a mirror** (:func:`mirror_url`): with ``--mirror URL`` / ``SUITE_MIRROR`` every file is
  fetched from ``<mirror>/<host>/<path>`` of its original URL;
- **a deadline** (:data:`DEADLINE_S`, for one file, retries included): a server that trickles
  bytes never trips the per-read timeout (:data:`READ_TIMEOUT_S`), so a watchdog shuts the
  connection when the deadline passes;
- **nothing half-written** (:func:`staging`, :func:`install`): a download goes into a folder
  ``<dest>.part`` beside its destination, under the lock ``<dest>.lock`` (one process at a time
  per destination), and moves into place only complete and verified; the next download removes
  what a killed one left behind, and SIGTERM still runs the clean-up;
- **one reason per failure** (:class:`DownloadError`): an HTTP status, a transfer cut off after
  N of M bytes, a wrong size or sha256, the deadline, a silent server.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from http.client import IncompleteRead
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pooch
import requests
from tqdm import tqdm
from urllib3.exceptions import ReadTimeoutError

from suite import __version__, paths
from suite.errors import SuiteError
from suite.files import run_lock

__all__ = [
    "DEADLINE_S",
    "READ_TIMEOUT_S",
    "RETRIES",
    "DownloadError",
    "Fetched",
    "Remote",
    "fetch",
    "file_sha256",
    "github_raw_url",
    "install",
    "mirror_url",
    "staging",
    "unzip",
]

# Read at call time, so tests can lower them.
DEADLINE_S = 30 * 60.0  # longest one file may take, retries included
READ_TIMEOUT_S = 60.0  # longest wait for a connection or for the next bytes
RETRIES = 2  # further attempts after a failure a retry may fix (cut-off, 5xx, sha256)

_CHUNK = 1 << 16
_USER_AGENT = f"sr-suite/{__version__} (pooch)"


@dataclass(frozen=True)
class Remote:
    """A published file: its original URL and, where recorded, its sha256 and size."""

    url: str
    sha256: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class Fetched:
    """A downloaded file, verified against its :class:`Remote`, still in the staging folder."""

    path: Path
    sha256: str
    url: str  # where its bytes came from: the mirror's URL when one served it


class DownloadError(SuiteError):
    """A download that failed, leaving nothing: ``source`` is where from, ``reason`` why."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"could not download {source}: {reason}")
        self.source = source
        self.reason = reason


# --------------------------------------------------------------------------- URLs


def github_raw_url(repo: str, ref: str, path: str) -> str:
    """The raw-file URL of ``path`` in the public GitHub ``repo`` at ``ref`` (commit or branch)."""
    return f"https://github.com/{repo}/raw/{ref}/{path}"


def mirror_url(url: str, mirror: str | None = None) -> str:
    """Where ``url`` is fetched from: itself, or ``<mirror>/<host>/<path>`` when a mirror is set
    (``mirror`` > ``SUITE_MIRROR``, see :func:`suite.paths.mirror`)."""
    base = paths.mirror(mirror)
    if base is None:
        return url
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]  # never pass credentials on to a mirror
    query = f"?{parts.query}" if parts.query else ""
    return f"{base}/{host}{parts.path}{query}"


def _source(url: str, used: str) -> str:
    """How messages name a download: its URL, or the mirror's URL and what it stands for."""
    return url if used == url else f"{used} (mirror of {url})"


def file_sha256(path: str | Path) -> str:
    """sha256 hex digest of a file (read in chunks; pooch's hashing)."""
    return pooch.file_hash(str(path), alg="sha256")


# --------------------------------------------------------------------------- one transfer


class _Abort(Exception):
    """A failure no retry fixes (HTTP 4xx, the deadline, a wrong size); its text is the reason."""


class _Retry(requests.RequestException):
    """A failure pooch retries (cut-off transfer, silent server, HTTP 5xx); its text is the
    reason."""


def _duration(seconds: float) -> str:
    """``30 min`` or ``0.5 s``."""
    return f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g} s"


def _incomplete(exc: BaseException) -> tuple[int, int] | None:
    """(bytes that arrived, bytes announced) of a transfer that ended early, from the
    ``IncompleteRead`` urllib3 wraps inside requests' exception; None for another failure."""
    stack: list[BaseException] = [exc]
    while stack:
        err = stack.pop()
        if isinstance(err, IncompleteRead):
            arrived = err.partial if isinstance(err.partial, int) else len(err.partial)
            return arrived, arrived + (err.expected or 0)
        stack += [a for a in err.args if isinstance(a, BaseException)]
    return None


def _read_timed_out(exc: requests.RequestException) -> bool:
    """Whether the server sent nothing for a whole read timeout (headers or body)."""
    return isinstance(exc, requests.ReadTimeout) or any(
        isinstance(a, ReadTimeoutError) for a in exc.args
    )


class _Watchdog:
    """Shuts a response's connection when the deadline passes: a blocked read then ends at
    once, however slowly the server trickles bytes. Also refuses a response announcing a size
    other than the recorded one, before its body is read."""

    def __init__(self, end: float, size: int | None) -> None:
        self.end = end
        self.size = size
        self.fired = False
        self._timer: threading.Timer | None = None

    def arm(self, response: requests.Response, *_args: Any, **_kwargs: Any) -> requests.Response:
        """requests' response hook: called for every response (redirects included)."""
        self.cancel()
        if response.is_redirect:
            return response
        declared = response.headers.get("Content-Length")
        if response.ok and self.size is not None and declared not in (None, str(self.size)):
            response.close()
            raise _Abort(f"the server announces {declared} bytes, expected {self.size}")
        self._timer = threading.Timer(max(self.end - time.monotonic(), 0), self._cut, (response,))
        self._timer.daemon = True
        self._timer.start()
        return response

    def _cut(self, response: requests.Response) -> None:
        self.fired = True
        with contextlib.suppress(OSError, ValueError, AttributeError):
            fd = response.raw.fileno()
            with socket.fromfd(fd, socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


class _Downloader:
    """A pooch downloader: ``pooch.HTTPDownloader`` under a deadline, checking the size pooch
    does not check, hashing the bytes, and putting each failure into words."""

    def __init__(self, remote: Remote, label: str, progress: bool) -> None:
        self.remote = remote
        self.label = label
        self.progress = progress
        self.deadline_s = DEADLINE_S
        self.timeout_s = min(READ_TIMEOUT_S, self.deadline_s)
        self.end = time.monotonic() + self.deadline_s
        self.sha256 = ""
        self.failed = ""  # why the last attempt failed

    def __call__(self, url: str, output_file: str, pup: Any, check_only: bool = False) -> None:
        if time.monotonic() >= self.end:  # no time left for a retry: the last failure stands
            raise _Abort(self.failed or self._late(0, None))
        watchdog = _Watchdog(self.end, self.remote.size)
        bar = tqdm(
            total=1,  # pooch sets the announced size
            desc=self.label,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            file=sys.stderr,
            disable=None if self.progress else True,  # None: only on a terminal
            leave=False,
        )
        http = pooch.HTTPDownloader(
            progressbar=bar,
            chunk_size=_CHUNK,
            timeout=self.timeout_s,
            headers={"User-Agent": _USER_AGENT},
            hooks={"response": watchdog.arm},
        )
        try:
            http(url, output_file, pup)
        except requests.HTTPError as exc:
            status = getattr(exc.response, "status_code", 0)
            self.failed = f"HTTP {status} {getattr(exc.response, 'reason', '') or ''}".strip()
            raise (_Retry if status >= 500 else _Abort)(self.failed) from exc
        except requests.RequestException as exc:
            self.failed = self._reason(exc, watchdog)
            raise (_Abort if watchdog.fired else _Retry)(self.failed) from exc
        finally:
            watchdog.cancel()
            bar.close()
        size = Path(output_file).stat().st_size
        if self.remote.size is not None and size != self.remote.size:
            raise _Abort(f"got {size} bytes, expected {self.remote.size}")
        self.sha256 = file_sha256(output_file)

    def _late(self, arrived: int, total: int | None) -> str:
        if not arrived:
            return f"the server sent nothing for {_duration(self.deadline_s)}"
        got = f"{arrived} of {total}" if total else str(arrived)
        return (
            f"not finished within the download deadline of {_duration(self.deadline_s)} "
            f"({got} bytes arrived): the server is too slow or stalled"
        )

    def _reason(self, exc: requests.RequestException, watchdog: _Watchdog) -> str:
        """One phrase for a failed transfer."""
        arrived, total = _incomplete(exc) or (0, None)
        if watchdog.fired:
            return self._late(arrived, total)
        if isinstance(exc, requests.ConnectTimeout):
            return f"no connection within {_duration(self.timeout_s)}"
        if _read_timed_out(exc):
            return f"the server sent nothing for {_duration(self.timeout_s)}"
        if total:
            return f"connection cut off after {arrived} of {total} bytes"
        return f"{type(exc).__name__}: {exc}"


@contextlib.contextmanager
def _quiet(logger: logging.Logger) -> Iterator[None]:
    """Silence pooch's per-file "Downloading …" lines (the progress bar says it)."""
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def fetch(
    remote: Remote, folder: Path, name: str, progress: bool = True, mirror: str | None = None
) -> Fetched:
    """Download ``remote`` (from the mirror when one is set) into ``folder/name``, checking its
    size and sha256 when they are recorded; a :class:`DownloadError` says why it failed, and
    nothing of a failed download stays in ``folder``.

    ``folder`` should be a :func:`staging` folder: a file is only complete once :func:`install`
    moves it to its destination.
    """
    url = mirror_url(remote.url, mirror)
    source = _source(remote.url, url)
    known = f"sha256:{remote.sha256.lower()}" if remote.sha256 else None
    pup = pooch.create(
        path=folder,
        base_url=url.rsplit("/", 1)[0],
        registry={name: known},
        urls={name: url},
        retry_if_failed=RETRIES,
    )
    downloader = _Downloader(remote, name, progress)
    try:
        with _quiet(pooch.get_logger()):
            path = pup.fetch(name, downloader=downloader)
    except (_Abort, requests.RequestException) as exc:
        raise DownloadError(source, str(exc)) from None
    except ValueError:  # pooch's hash check: the bytes are not the recorded ones
        reason = f"sha256 mismatch: expected {remote.sha256}, got {downloader.sha256}"
        raise DownloadError(source, reason) from None
    except OSError as exc:  # writing the file: disk full, permissions
        raise DownloadError(source, f"cannot write into {folder}: {exc}") from None
    return Fetched(Path(path), downloader.sha256, url)


def unzip(archive: Fetched, folder: Path) -> Path:
    """Unpack a downloaded zip archive into ``folder`` (pooch's ``Unzip``: members never land
    outside it) and return ``folder``."""
    try:
        pooch.Unzip(extract_dir=str(folder))(str(archive.path), "download", None)
    except zipfile.BadZipFile as exc:
        raise DownloadError(archive.url, f"not a zip archive ({exc})") from None
    return folder


# --------------------------------------------------------------------------- into place


def _remove(path: Path) -> None:
    """Delete a file or a folder tree if it is there."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


@contextlib.contextmanager
def _sigterm_exits() -> Iterator[None]:
    """Turn SIGTERM into ``SystemExit(143)`` for the duration, so ``finally`` clauses remove the
    staging folder and release the lock before the process ends.

    Only in the main thread (where Python runs signal handlers) and only while SIGTERM has its
    default action: a handler installed by someone else is left alone.
    """
    main = threading.current_thread() is threading.main_thread()
    if not main or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def _exit(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _exit)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextlib.contextmanager
def staging(dest: Path) -> Iterator[Path]:
    """Hold the lock on ``dest`` (waiting for another process downloading it) and yield an empty
    folder ``<dest>.part`` beside it to download into; it is removed on the way out, SIGTERM
    included. What a killed download left there is removed first: while the lock is held, no
    live download can be writing it."""
    dest = Path(dest)
    part = dest.with_name(f"{dest.name}.part")
    with run_lock(dest, timeout_s=DEADLINE_S + READ_TIMEOUT_S), _sigterm_exits():
        _remove(part)
        part.mkdir(parents=True)
        try:
            yield part
        finally:
            _remove(part)


def install(path: Path, dest: Path) -> Path:
    """Move a verified download into place, as ordinary (0644) files: a file in one step; a
    folder of files in one step when ``dest`` does not exist yet, else file by file into it."""
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for file in files:
        file.chmod(0o644)  # pooch's temporary files are 0600
    if path.is_dir() and dest.is_dir():
        for file in files:
            os.replace(file, dest / file.name)
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    os.replace(path, dest)
    return dest
