"""Checkpoint resolution, download, verification and strict loading (suite.models.checkpoints).

Downloads are served by a local HTTP server on 127.0.0.1; nothing here touches the network.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import torch
from torch import nn

from suite.errors import CheckpointError, CheckpointMismatchError
from suite.models import checkpoints
from suite.models.archs import register_arch
from suite.models.checkpoints import checkpoint_status, resolve_checkpoint, sha256_file
from suite.models.loading import load_model, read_state_dict
from suite.models.spec import CheckpointSpec, ModelSpec

ARCH = "_test_tiny"
FILENAME = "tiny_x2.pth"
SUBDIR = "tiny"


class TinyNet(nn.Module):
    """Two convolutions and a pixel shuffle: enough keys and shapes to test loading."""

    def __init__(self, channels: int = 4, scale: int = 2) -> None:
        super().__init__()
        self.head = nn.Conv2d(3, channels, 3, padding=1)
        self.tail = nn.Conv2d(channels, 3 * scale * scale, 3, padding=1)
        self.shuffle = nn.PixelShuffle(scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.shuffle(self.tail(self.head(x)))


with contextlib.suppress(ValueError):  # the module may be imported twice (e.g. reruns)
    register_arch(ARCH)(TinyNet)


# --------------------------------------------------------------------------- HTTP server


class _Server(ThreadingHTTPServer):
    """Serves one body at any path, in a chosen mode, and counts requests."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.body = b""
        self.mode = "ok"  # ok | corrupt | cutoff | 404
        self.requests = 0

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/weights/{FILENAME}"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self.server.requests += 1
        if self.server.mode == "404":
            self.send_error(404, "Not Found")
            return
        body = self.server.body
        if self.server.mode == "corrupt":
            body = body[:-16] + bytes(b ^ 0xFF for b in body[-16:])
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.server.mode == "cutoff":
            body = body[: len(body) // 2]
            self.close_connection = True
        self.wfile.write(body)
        self.wfile.flush()

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server()
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No user configuration or proxy leaks into these tests."""
    for var in ("SUITE_CHECKPOINT_DIR", "SUITE_CACHE_DIR", "SUITE_OFFLINE"):
        monkeypatch.delenv(var, raising=False)
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")


def _tiny_state(channels: int = 4, seed: int = 0) -> dict[str, torch.Tensor]:
    torch.manual_seed(seed)
    return TinyNet(channels=channels).state_dict()


def _save(obj: object, path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(obj, path)
    return path.read_bytes()


@pytest.fixture
def payload(tmp_path: Path) -> bytes:
    """Bytes of a valid tiny checkpoint."""
    return _save(_tiny_state(), tmp_path / "src" / FILENAME)


def _spec(url: str, data: bytes | None, **ckpt_overrides: object) -> ModelSpec:
    """A ModelSpec for TinyNet whose checkpoint sha/size describe ``data``."""
    ckpt = CheckpointSpec(
        filename=FILENAME,
        url=url,
        sha256=hashlib.sha256(data).hexdigest() if data is not None else None,
        size=len(data) if data is not None else None,
        subdir=SUBDIR,
    )
    ckpt = replace(ckpt, **ckpt_overrides)
    return ModelSpec(id="TinyNet-x2", family="test", arch=ARCH, scale=2, checkpoint=ckpt)


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------- resolution


def test_checkpoint_dir_subdir_wins(tmp_path: Path, payload: bytes, server: _Server) -> None:
    ckdir, cache = tmp_path / "ck", tmp_path / "cache"
    want = _write(ckdir / SUBDIR / FILENAME, payload)
    _write(ckdir / FILENAME, b"flat copy is never looked at")
    _write(cache / "checkpoints" / SUBDIR / FILENAME, payload)
    spec = _spec(server.url, payload)
    assert resolve_checkpoint(spec, checkpoint_dir=ckdir, cache_dir=cache) == want
    assert server.requests == 0


def test_checkpoint_dir_flat(tmp_path: Path, payload: bytes, server: _Server) -> None:
    ckdir = tmp_path / "ck"
    want = _write(ckdir / FILENAME, payload)
    spec = _spec(server.url, payload)
    assert resolve_checkpoint(spec, checkpoint_dir=ckdir, cache_dir=tmp_path / "c") == want
    assert server.requests == 0


def test_checkpoint_dir_from_env(
    tmp_path: Path, payload: bytes, server: _Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    want = _write(tmp_path / "ck" / FILENAME, payload)
    monkeypatch.setenv("SUITE_CHECKPOINT_DIR", str(tmp_path / "ck"))
    assert resolve_checkpoint(_spec(server.url, payload), cache_dir=tmp_path / "c") == want


def test_cache_hit_makes_no_request(tmp_path: Path, payload: bytes, server: _Server) -> None:
    cached = _write(tmp_path / "cache" / "checkpoints" / SUBDIR / FILENAME, payload)
    spec = _spec(server.url, payload)
    assert resolve_checkpoint(spec, cache_dir=tmp_path / "cache") == cached
    assert server.requests == 0


def test_download_verifies_and_caches(tmp_path: Path, payload: bytes, server: _Server) -> None:
    server.body = payload
    cache = tmp_path / "cache"
    spec = _spec(server.url, payload)
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
    tmp_path: Path, payload: bytes, server: _Server, mode: str, fragment: str
) -> None:
    server.body, server.mode = payload, mode
    cache = tmp_path / "cache"
    with pytest.raises(CheckpointError) as info:
        resolve_checkpoint(_spec(server.url, payload), cache_dir=cache, progress=False)
    message = str(info.value)
    assert server.url in message
    assert fragment in message
    assert "Fix" in message
    assert _files(cache) == []


def test_download_size_disagreeing_with_zoo(
    tmp_path: Path, payload: bytes, server: _Server
) -> None:
    server.body = payload
    spec = _spec(server.url, payload, size=len(payload) + 1)
    with pytest.raises(CheckpointError, match="zoo records"):
        resolve_checkpoint(spec, cache_dir=tmp_path / "cache", progress=False)
    assert _files(tmp_path / "cache") == []


def test_offline_names_url_and_paths(
    tmp_path: Path, payload: bytes, server: _Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUITE_OFFLINE", "1")
    ckdir, cache = tmp_path / "ck", tmp_path / "cache"
    with pytest.raises(CheckpointError) as info:
        resolve_checkpoint(_spec(server.url, payload), checkpoint_dir=ckdir, cache_dir=cache)
    message = str(info.value)
    assert "TinyNet-x2" in message
    assert server.url in message
    for searched in (ckdir / SUBDIR / FILENAME, ckdir / FILENAME, cache / "checkpoints"):
        assert str(searched) in message
    assert server.requests == 0


def test_download_false_is_offline(tmp_path: Path, payload: bytes, server: _Server) -> None:
    with pytest.raises(CheckpointError, match="download=False"):
        resolve_checkpoint(_spec(server.url, payload), cache_dir=tmp_path, download=False)
    assert server.requests == 0


def test_unpublished(tmp_path: Path) -> None:
    spec = _spec("https://example.org/never.pth", None, published=False, note="announced only")
    with pytest.raises(CheckpointError) as info:
        resolve_checkpoint(spec, cache_dir=tmp_path)
    message = str(info.value)
    assert "never published" in message
    assert "https://example.org/never.pth" in message
    assert "announced only" in message


def test_local_file_with_wrong_sha(tmp_path: Path, payload: bytes) -> None:
    bad = _write(tmp_path / "ck" / FILENAME, payload[:-1] + bytes([payload[-1] ^ 1]))
    spec = _spec("http://127.0.0.1:9/unused", payload)
    with pytest.raises(CheckpointError) as info:
        resolve_checkpoint(spec, checkpoint_dir=tmp_path / "ck", cache_dir=tmp_path / "c")
    message = str(info.value)
    assert str(bad) in message
    assert spec.checkpoint.sha256 in message
    assert hashlib.sha256(bad.read_bytes()).hexdigest() in message
    assert "delete" in message


def test_status(tmp_path: Path, payload: bytes) -> None:
    ckdir, cache = tmp_path / "ck", tmp_path / "cache"
    spec = _spec("http://127.0.0.1:9/unused", payload)
    assert checkpoint_status(replace(spec, checkpoint=None)) == "unpublished"
    unpublished = replace(spec, checkpoint=replace(spec.checkpoint, published=False))
    assert checkpoint_status(unpublished) == "unpublished"
    assert checkpoint_status(spec, ckdir, cache) == "downloadable"
    _write(cache / "checkpoints" / SUBDIR / FILENAME, b"not hashed")
    assert checkpoint_status(spec, ckdir, cache) == "cached"
    _write(ckdir / FILENAME, b"not hashed")
    assert checkpoint_status(spec, ckdir, cache) == "local"


def test_sha_is_memoised(tmp_path: Path, payload: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Path] = []
    real = checkpoints._hash_file
    monkeypatch.setattr(checkpoints, "_hash_file", lambda p: calls.append(p) or real(p))
    path = _write(tmp_path / "ck" / FILENAME, payload)
    spec = _spec("http://127.0.0.1:9/unused", payload)
    for _ in range(3):
        resolve_checkpoint(spec, checkpoint_dir=tmp_path / "ck", cache_dir=tmp_path / "c")
    assert len(calls) == 1
    _write(path, payload + b"x")  # size changes: the digest must be recomputed
    assert sha256_file(path) == hashlib.sha256(payload + b"x").hexdigest()
    assert len(calls) == 2


# --------------------------------------------------------------------------- reading


def test_read_prefers_params_ema_and_strips_module(tmp_path: Path) -> None:
    ema, raw = _tiny_state(seed=1), _tiny_state(seed=2)
    wrapped = {"params": raw, "params_ema": {f"module.{k}": v for k, v in ema.items()}}
    path = tmp_path / "wrapped.pth"
    _save(wrapped, path)
    state = read_state_dict(path, CheckpointSpec(filename="wrapped.pth", url=""))
    assert list(state) == list(ema)
    assert all(torch.equal(state[k], ema[k]) for k in ema)


def test_read_respects_key_order(tmp_path: Path) -> None:
    ema, raw = _tiny_state(seed=1), _tiny_state(seed=2)
    path = tmp_path / "wrapped.pth"
    _save({"params": raw, "params_ema": ema}, path)
    ckpt = CheckpointSpec(filename="wrapped.pth", url="", state_dict_key=("params",))
    state = read_state_dict(path, ckpt)
    assert torch.equal(state["head.weight"], raw["head.weight"])


def test_read_garbage_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "garbage.pth", b"<html>404 page, not weights</html>" * 10)
    with pytest.raises(CheckpointError, match="corrupt or not a PyTorch checkpoint") as info:
        read_state_dict(path, CheckpointSpec(filename="garbage.pth", url=""))
    assert str(path) in str(info.value)


def test_read_without_state_dict(tmp_path: Path) -> None:
    path = tmp_path / "other.pth"
    _save({"epoch": 3, "optimizer": {"lr": 0.1}}, path)
    with pytest.raises(CheckpointError, match="no state dict"):
        read_state_dict(path, CheckpointSpec(filename="other.pth", url=""))


# --------------------------------------------------------------------------- loading


def _place(tmp_path: Path, obj: object) -> tuple[Path, ModelSpec]:
    """Save ``obj`` into a checkpoint dir; return the dir and a spec (no sha) for it."""
    _save(obj, tmp_path / "ck" / FILENAME)
    return tmp_path / "ck", _spec("http://127.0.0.1:9/unused", None)


def test_load_model_wrapped_and_prefixed(tmp_path: Path) -> None:
    state = _tiny_state(seed=3)
    ckdir, spec = _place(tmp_path, {"params": {f"module.{k}": v for k, v in state.items()}})
    model = load_model(spec, checkpoint_dir=ckdir, cache_dir=tmp_path / "c")
    assert isinstance(model, TinyNet)
    assert not model.training
    assert not any(p.requires_grad for p in model.parameters())
    assert torch.equal(model.head.weight, state["head.weight"])


def test_load_model_reports_all_mismatches(tmp_path: Path) -> None:
    state = _tiny_state(channels=8)
    del state["tail.bias"]
    state["extra.weight"] = torch.zeros(1)
    ckdir, spec = _place(tmp_path, state)
    with pytest.raises(CheckpointMismatchError) as info:
        load_model(spec, checkpoint_dir=ckdir, cache_dir=tmp_path / "c")
    message = str(info.value)
    assert str(ckdir / FILENAME) in message
    assert "missing keys (1)" in message and "tail.bias" in message
    assert "unexpected keys (1)" in message and "extra.weight" in message
    assert "head.weight: checkpoint (8, 3, 3, 3) vs model (4, 3, 3, 3)" in message
    assert "scale or variant" in message


def test_mismatch_listing_is_truncated(tmp_path: Path) -> None:
    state = _tiny_state()
    state.update({f"junk.{i}": torch.zeros(1) for i in range(25)})
    ckdir, spec = _place(tmp_path, state)
    with pytest.raises(CheckpointMismatchError) as info:
        load_model(spec, checkpoint_dir=ckdir, cache_dir=tmp_path / "c")
    message = str(info.value)
    assert "unexpected keys (25)" in message
    assert "junk.9" in message and "junk.10" not in message
    assert "15 more" in message


# --------------------------------------------------------------------------- real zoo


def _shared_file(root: Path, ckpt: CheckpointSpec) -> Path | None:
    for candidate in (root / ckpt.subdir / ckpt.filename, root / ckpt.filename):
        if candidate.is_file():
            return candidate
    return None


@pytest.mark.shared
def test_registered_checkpoints_match_shared(shared_checkpoints: Path, tmp_path: Path) -> None:
    from suite.models.zoo import model_specs

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
    from suite.models.zoo import get_spec

    spec = get_spec("SAFMN_x4")
    assert spec.checkpoint is not None and not spec.checkpoint.direct
    assert checkpoint_status(spec, tmp_path / "none", tmp_path / "cache") == "manual"
    with pytest.raises(CheckpointError, match=r"(?s)share page.*Fix: download"):
        resolve_checkpoint(spec, tmp_path / "none", tmp_path / "cache")
