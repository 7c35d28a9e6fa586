"""Checkpoint resolution, download and verification (suite.models.checkpoints).

Downloads are served by a local HTTP server on 127.0.0.1 (``server`` fixture); nothing here
touches the network. Reading and strict loading are in test_loading.py.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest
from support.http import WeightServer
from support.weights import FILENAME, SUBDIR, save, tiny_spec, tiny_state, write

from suite.errors import CheckpointError
from suite.models import checkpoints
from suite.models.checkpoints import checkpoint_status, resolve_checkpoint, sha256_file
from suite.models.spec import CheckpointSpec
from suite.models.zoo import get_spec, model_specs

pytestmark = pytest.mark.usefixtures("clean_env")


@pytest.fixture
def payload(tmp_path: Path) -> bytes:
    """Bytes of a valid tiny checkpoint."""
    return save(tiny_state(), tmp_path / "src" / FILENAME)


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


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


@pytest.mark.parametrize(
    ("mode", "fragment"), [("corrupt", "sha256"), ("cutoff", "cut off"), ("404", "HTTP 404")]
)
def test_failed_download_leaves_nothing(
    tmp_path: Path, payload: bytes, server: WeightServer, mode: str, fragment: str
) -> None:
    server.body, server.mode = payload, mode
    cache = tmp_path / "cache"
    with pytest.raises(CheckpointError) as info:
        resolve_checkpoint(tiny_spec(server.url, payload), cache_dir=cache, progress=False)
    message = str(info.value)
    assert server.url in message
    assert fragment in message
    assert "Fix" in message
    assert _files(cache) == []


def test_download_size_disagreeing_with_zoo(
    tmp_path: Path, payload: bytes, server: WeightServer
) -> None:
    server.body = payload
    spec = tiny_spec(server.url, payload, size=len(payload) + 1)
    with pytest.raises(CheckpointError, match="zoo records"):
        resolve_checkpoint(spec, cache_dir=tmp_path / "cache", progress=False)
    assert _files(tmp_path / "cache") == []


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
