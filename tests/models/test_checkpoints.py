"""Checkpoint resolution, download and verification (suite.models.checkpoints).

Downloads are served by a local HTTP server on 127.0.0.1 (``server`` fixture) or a mirror of
``../shared`` (support.mirror); nothing here touches the network. Reading and strict loading are
in test_loading.py; the table of failure cases (bad files, downloads, registrations) is
test_faults.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from support.http import WeightServer
from support.mirror import build_mirror, clean_downloads, put, serving_mirror
from support.weights import FILENAME, SUBDIR, save, tiny_spec, tiny_state, write

from suite.data import fetch
from suite.errors import CheckpointError
from suite.files import run_lock
from suite.models import checkpoints
from suite.models.checkpoints import (
    checkpoint_record,
    checkpoint_status,
    first_seen_path,
    resolve_checkpoint,
    sha256_file,
    verify_checkpoint,
)
from suite.models.spec import CheckpointSpec
from suite.models.zoo import get_spec, model_specs

pytestmark = pytest.mark.usefixtures("clean_env")


@pytest.fixture(autouse=True)
def _local_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    """No mirror or proxy of the user's reaches these downloads; no retry waits."""
    clean_downloads(monkeypatch)


@pytest.fixture
def payload(tmp_path: Path) -> bytes:
    """Bytes of a valid tiny checkpoint."""
    return save(tiny_state(), tmp_path / "src" / FILENAME)


def _files(root: Path) -> list[Path]:
    """Files below ``root`` except lock files (a download leaves its lock file, released)."""
    if not root.exists():
        return []
    return [p for p in root.rglob("*") if p.is_file() and p.suffix != ".lock"]


# --------------------------------------------------------------------------- resolution


def test_checkpoint_dir_subdir_wins(tmp_path: Path, payload: bytes, server: WeightServer) -> None:
    ckdir, cache = tmp_path / "ck", tmp_path / "cache"
    want = write(ckdir / SUBDIR / FILENAME, payload)
    write(ckdir / FILENAME, b"flat copy is never looked at")
    write(cache / "checkpoints" / SUBDIR / FILENAME, payload)
    spec = tiny_spec(server.url, payload)
    assert resolve_checkpoint(spec, checkpoint_dir=ckdir, cache_dir=cache) == want
    assert server.requests == 0


def test_checkpoint_dir_flat(tmp_path: Path, payload: bytes, server: WeightServer) -> None:
    ckdir = tmp_path / "ck"
    want = write(ckdir / FILENAME, payload)
    spec = tiny_spec(server.url, payload)
    assert resolve_checkpoint(spec, checkpoint_dir=ckdir, cache_dir=tmp_path / "c") == want
    assert server.requests == 0


def test_checkpoint_dir_from_env(
    tmp_path: Path, payload: bytes, server: WeightServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    want = write(tmp_path / "ck" / FILENAME, payload)
    monkeypatch.setenv("SUITE_CHECKPOINT_DIR", str(tmp_path / "ck"))
    assert resolve_checkpoint(tiny_spec(server.url, payload), cache_dir=tmp_path / "c") == want


def test_cache_hit_makes_no_request(tmp_path: Path, payload: bytes, server: WeightServer) -> None:
    cached = write(tmp_path / "cache" / "checkpoints" / SUBDIR / FILENAME, payload)
    spec = tiny_spec(server.url, payload)
    assert resolve_checkpoint(spec, cache_dir=tmp_path / "cache") == cached
    assert server.requests == 0


def test_download_verifies_and_caches(tmp_path: Path, payload: bytes, server: WeightServer) -> None:
    server.body = payload
    cache = tmp_path / "cache"
    spec = tiny_spec(server.url, payload)
    path = resolve_checkpoint(spec, cache_dir=cache, progress=False)
    assert path == cache / "checkpoints" / SUBDIR / FILENAME
    assert path.read_bytes() == payload
    assert _files(cache) == [path]  # no .part left behind
    assert sha256_file(path) == spec.checkpoint.sha256
    assert resolve_checkpoint(spec, cache_dir=cache, progress=False) == path
    assert server.requests == 1


def test_offline_names_url_and_paths(
    tmp_path: Path, payload: bytes, server: WeightServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUITE_OFFLINE", "1")
    ckdir, cache = tmp_path / "ck", tmp_path / "cache"
    with pytest.raises(CheckpointError) as info:
        resolve_checkpoint(tiny_spec(server.url, payload), checkpoint_dir=ckdir, cache_dir=cache)
    message = str(info.value)
    assert "TinyNet-x2" in message
    assert server.url in message
    for searched in (ckdir / SUBDIR / FILENAME, ckdir / FILENAME, cache / "checkpoints"):
        assert str(searched) in message
    assert server.requests == 0


def test_download_false_is_offline(tmp_path: Path, payload: bytes, server: WeightServer) -> None:
    with pytest.raises(CheckpointError, match="download=False"):
        resolve_checkpoint(tiny_spec(server.url, payload), cache_dir=tmp_path, download=False)
    assert server.requests == 0


def test_unpublished(tmp_path: Path) -> None:
    spec = tiny_spec("https://example.org/never.pth", None, published=False, note="announced only")
    with pytest.raises(CheckpointError) as info:
        resolve_checkpoint(spec, cache_dir=tmp_path)
    message = str(info.value)
    assert "never published" in message
    assert "https://example.org/never.pth" in message
    assert "announced only" in message


def test_local_file_with_wrong_sha(tmp_path: Path, payload: bytes) -> None:
    bad = write(tmp_path / "ck" / FILENAME, payload[:-1] + bytes([payload[-1] ^ 1]))
    spec = tiny_spec("http://127.0.0.1:9/unused", payload)
    with pytest.raises(CheckpointError) as info:
        resolve_checkpoint(spec, checkpoint_dir=tmp_path / "ck", cache_dir=tmp_path / "c")
    message = str(info.value)
    assert str(bad) in message
    assert spec.checkpoint.sha256 in message
    assert hashlib.sha256(bad.read_bytes()).hexdigest() in message
    assert "delete" in message


def test_status(tmp_path: Path, payload: bytes) -> None:
    ckdir, cache = tmp_path / "ck", tmp_path / "cache"
    spec = tiny_spec("http://127.0.0.1:9/unused", payload)
    assert checkpoint_status(replace(spec, checkpoint=None)) == "unpublished"
    unpublished = replace(spec, checkpoint=replace(spec.checkpoint, published=False))
    assert checkpoint_status(unpublished) == "unpublished"
    assert checkpoint_status(spec, ckdir, cache) == "downloadable"
    write(cache / "checkpoints" / SUBDIR / FILENAME, b"not hashed")
    assert checkpoint_status(spec, ckdir, cache) == "cached"
    write(ckdir / FILENAME, b"not hashed")
    assert checkpoint_status(spec, ckdir, cache) == "local"


def test_sha_is_memoised(tmp_path: Path, payload: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Path] = []
    real = checkpoints._hash_file
    monkeypatch.setattr(checkpoints, "_hash_file", lambda p: calls.append(p) or real(p))
    path = write(tmp_path / "ck" / FILENAME, payload)
    spec = tiny_spec("http://127.0.0.1:9/unused", payload)
    for _ in range(3):
        resolve_checkpoint(spec, checkpoint_dir=tmp_path / "ck", cache_dir=tmp_path / "c")
    assert len(calls) == 1
    write(path, payload + b"x")  # size changes: the digest must be recomputed
    assert sha256_file(path) == hashlib.sha256(payload + b"x").hexdigest()
    assert len(calls) == 2


# --------------------------------------------------------------------------- first seen


@pytest.fixture
def fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget which files were announced as unverified earlier in this process."""
    monkeypatch.setattr(checkpoints, "_WARNED", set())


def _flipped(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1])


def rewrite(path: Path, data: bytes) -> None:
    """Replace a file's bytes as a user would, later: its mtime moves on (hashes are memoised
    per path, mtime and size, and two writes within one clock tick could share an mtime)."""
    mtime = path.stat().st_mtime_ns
    path.write_bytes(data)
    os.utime(path, ns=(mtime + 10**9, mtime + 10**9))


@pytest.mark.usefixtures("fresh_warnings")
def test_first_download_is_recorded_and_announced_once(
    tmp_path: Path, payload: bytes, server: WeightServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.body = payload
    cache = tmp_path / "cache"
    spec = tiny_spec(server.url, None)
    path = resolve_checkpoint(spec, cache_dir=cache, progress=False)
    resolve_checkpoint(spec, cache_dir=cache, progress=False)
    sha = hashlib.sha256(payload).hexdigest()
    record = json.loads(first_seen_path(cache).read_text())
    assert record["schema"] == "sr-suite/first-seen/1"
    entry = record["checkpoints"][f"{SUBDIR}/{FILENAME}"]
    assert (entry["sha256"], entry["file"], entry["url"]) == (sha, str(path), server.url)
    assert entry["model"] == "TinyNet-x2" and entry["recorded"]
    warnings = capsys.readouterr().err.splitlines()
    assert warnings == [next(w for w in warnings if w.startswith("warning: unverified"))]
    assert f"unverified checkpoint {path} (first seen sha256 {sha}" in warnings[0]


@pytest.mark.usefixtures("fresh_warnings")
def test_byte_flipped_download_of_unverified_entry_is_refused(
    tmp_path: Path, payload: bytes, server: WeightServer
) -> None:
    server.body = payload
    cache = tmp_path / "cache"
    spec = tiny_spec(server.url, None)
    resolve_checkpoint(spec, cache_dir=cache, progress=False).unlink()
    server.mode = "corrupt"
    with pytest.raises(CheckpointError) as info:
        resolve_checkpoint(spec, cache_dir=cache, progress=False)
    message = str(info.value)
    assert server.url in message and str(first_seen_path(cache)) in message
    assert hashlib.sha256(payload).hexdigest() in message
    assert "Fix" in message
    assert _files(cache) == [first_seen_path(cache)]  # the flipped copy was never saved


@pytest.mark.usefixtures("fresh_warnings")
def test_local_copy_unlike_the_first_seen_is_refused(tmp_path: Path, payload: bytes) -> None:
    ckdir, cache = tmp_path / "ck", tmp_path / "cache"
    path = write(ckdir / FILENAME, payload)
    spec = tiny_spec("http://127.0.0.1:9/unused", None)
    assert resolve_checkpoint(spec, checkpoint_dir=ckdir, cache_dir=cache) == path
    rewrite(path, _flipped(payload))
    with pytest.raises(CheckpointError) as info:
        resolve_checkpoint(spec, checkpoint_dir=ckdir, cache_dir=cache)
    message = str(info.value)
    assert str(path) in message and "first" in message
    assert hashlib.sha256(payload).hexdigest() in message
    assert hashlib.sha256(_flipped(payload)).hexdigest() in message
    assert f"delete the entry '{SUBDIR}/{FILENAME}'" in message


@pytest.mark.parametrize("text", ["{not json", "[]", '{"schema": "other", "checkpoints": {}}'])
def test_unreadable_first_seen_record(tmp_path: Path, payload: bytes, text: str) -> None:
    cache = tmp_path / "cache"
    write(first_seen_path(cache), text.encode())
    write(tmp_path / "ck" / FILENAME, payload)
    spec = tiny_spec("http://127.0.0.1:9/unused", None)
    with pytest.raises(CheckpointError, match="first-seen checkpoint record") as info:
        resolve_checkpoint(spec, checkpoint_dir=tmp_path / "ck", cache_dir=cache)
    assert str(first_seen_path(cache)) in str(info.value) and "delete it" in str(info.value)


@pytest.mark.usefixtures("fresh_warnings")
def test_checkpoint_record_says_how_the_file_was_verified(tmp_path: Path, payload: bytes) -> None:
    path = write(tmp_path / "ck" / FILENAME, payload)
    sha = hashlib.sha256(payload).hexdigest()
    url = "http://127.0.0.1:9/unused"
    for spec, verification in [
        (tiny_spec(url, payload), "registry"),
        (tiny_spec(url, None), "first-seen"),
    ]:
        assert checkpoint_record(spec, path, tmp_path / "cache") == {
            "file": str(path),
            "sha256": sha,
            "url": url,
            "verification": verification,
        }
    with pytest.raises(CheckpointError, match="wrong sha256"):
        checkpoint_record(tiny_spec(url, b"other bytes"), path, tmp_path / "cache")


def test_zoo_sha_never_touches_the_first_seen_record(tmp_path: Path, payload: bytes) -> None:
    path = write(tmp_path / "ck" / FILENAME, payload)
    assert verify_checkpoint(tiny_spec("u", payload), path, tmp_path / "cache") == "registry"
    assert not first_seen_path(tmp_path / "cache").exists()


# --------------------------------------------------------------------------- slow servers


@pytest.fixture
def short_deadline(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setattr(fetch, "DEADLINE_S", 0.4)
    return 0.4


@pytest.mark.parametrize(
    ("mode", "fragment"),
    [("trickle", "not finished within the download deadline of 0.4 s"), ("stall", "sent nothing")],
)
@pytest.mark.usefixtures("short_deadline")
def test_slow_server_hits_the_deadline(
    tmp_path: Path, payload: bytes, server: WeightServer, mode: str, fragment: str
) -> None:
    server.body, server.mode = payload, mode
    cache = tmp_path / "cache"
    start = time.monotonic()
    with pytest.raises(CheckpointError) as info:
        resolve_checkpoint(tiny_spec(server.url, payload), cache_dir=cache, progress=False)
    assert time.monotonic() - start < 5
    message = str(info.value)
    assert fragment in message and server.url in message and "Fix" in message
    assert _files(cache) == []


def test_leftover_parts_are_removed_by_the_next_download(
    tmp_path: Path, payload: bytes, server: WeightServer
) -> None:
    server.body = payload
    folder = tmp_path / "cache" / "checkpoints" / SUBDIR
    stale = [write(folder / f"{FILENAME}.part" / tag, b"half") for tag in ("tmpk9x1", "tmpterm")]
    other = write(folder / "other.pth.part" / "tmpk9x1", b"not ours")
    path = resolve_checkpoint(tiny_spec(server.url, payload), cache_dir=tmp_path / "cache")
    assert sorted(_files(folder)) == sorted([path, other])
    assert not any(p.exists() for p in stale) and not (folder / f"{FILENAME}.part").exists()


def test_waits_for_a_concurrent_download_and_uses_its_file(
    tmp_path: Path, payload: bytes, server: WeightServer
) -> None:
    dest = tmp_path / "cache" / "checkpoints" / SUBDIR / FILENAME
    held, release = threading.Event(), threading.Event()

    def other_process() -> None:
        with run_lock(dest):
            held.set()
            release.wait(5)
            write(dest, payload)

    thread = threading.Thread(target=other_process)
    thread.start()
    held.wait(5)
    threading.Timer(0.2, release.set).start()
    spec = tiny_spec(server.url, payload)
    assert resolve_checkpoint(spec, cache_dir=tmp_path / "cache", progress=False) == dest
    thread.join(5)
    assert server.requests == 0


def test_sigterm_removes_the_part_file(
    tmp_path: Path, payload: bytes, server: WeightServer
) -> None:
    sent: list[bool] = []

    def terminate() -> None:  # only while the download turns SIGTERM into SystemExit
        if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
            sent.append(True)
            os.kill(os.getpid(), signal.SIGTERM)

    server.body, server.mode, server.after_first_byte = payload, "trickle", terminate
    cache = tmp_path / "cache"
    with pytest.raises(SystemExit) as info:
        resolve_checkpoint(tiny_spec(server.url, payload), cache_dir=cache, progress=False)
    assert sent and info.value.code == 128 + signal.SIGTERM
    assert _files(cache) == []
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


# --------------------------------------------------------------------------- mirror


def test_a_mirror_serves_the_download(
    tmp_path: Path, payload: bytes, server: WeightServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``<mirror>/<host>/<path>`` of the zoo URL, from the argument or SUITE_MIRROR."""
    spec = tiny_spec(server.url, payload)
    put(tmp_path / "mirror", server.url, payload)
    with serving_mirror(tmp_path / "mirror") as mirror:
        path = resolve_checkpoint(spec, cache_dir=tmp_path / "a", progress=False, mirror=mirror.url)
        assert path.read_bytes() == payload
        monkeypatch.setenv("SUITE_MIRROR", mirror.url)
        resolve_checkpoint(spec, cache_dir=tmp_path / "b", progress=False)
        assert mirror.requests == 2
    assert server.requests == 0


@pytest.mark.shared
def test_zoo_checkpoints_come_from_a_mirror_of_shared(shared_dir: Path, tmp_path: Path) -> None:
    spec = get_spec("EIMN_A_x4")
    with serving_mirror(build_mirror(tmp_path / "mirror", shared_dir)) as mirror:
        path = resolve_checkpoint(spec, cache_dir=tmp_path / "c", progress=False, mirror=mirror.url)
    assert path == tmp_path / "c" / "checkpoints" / spec.checkpoint.subdir / "EIMN_A_x4.pth"
    assert sha256_file(path) == spec.checkpoint.sha256 and mirror.requests == 1


# --------------------------------------------------------------------------- real zoo


def _shared_file(root: Path, ckpt: CheckpointSpec) -> Path | None:
    for candidate in (root / ckpt.subdir / ckpt.filename, root / ckpt.filename):
        if candidate.is_file():
            return candidate
    return None


@pytest.mark.shared
def test_registered_checkpoints_match_shared(shared_checkpoints: Path, tmp_path: Path) -> None:
    present = [
        (spec, found)
        for spec in model_specs().values()
        if spec.checkpoint is not None
        and spec.checkpoint.published
        and (found := _shared_file(shared_checkpoints, spec.checkpoint)) is not None
    ]
    if not present:
        pytest.skip("no registered model has its checkpoint in the shared folder")
    for spec, found in present:
        assert spec.checkpoint.sha256, f"{spec.id}: the zoo records no sha256"
        path = resolve_checkpoint(
            spec, checkpoint_dir=shared_checkpoints, cache_dir=tmp_path, download=False
        )
        assert path == found
        assert sha256_file(path) == spec.checkpoint.sha256, spec.id


def test_share_page_url_is_never_downloaded(tmp_path: Path) -> None:
    """A Drive/Baidu folder URL would download an HTML page; the suite asks for a manual copy."""
    spec = get_spec("SAFMN_x4")
    assert spec.checkpoint is not None and not spec.checkpoint.direct
    assert checkpoint_status(spec, tmp_path / "none", tmp_path / "cache") == "manual"
    with pytest.raises(CheckpointError, match=r"(?s)share page.*Fix: download"):
        resolve_checkpoint(spec, tmp_path / "none", tmp_path / "cache")
