"""Issue #10's fault table for checkpoints: every bad weight file, download or registration is a
:class:`CheckpointError` naming the file (or URL) and what is wrong, and no bad bytes are left
in the cache.

The models layer has no command of its own, so each row goes through the public entry point
:func:`suite.models.loading.load_model` (resolve, verify, download, read, load); `suite bench`'s
rows, which reach the same code through the command line, are in tests/bench/test_faults.py.
Downloads come from the local server of ``support.http`` (``server`` fixture) or a mirror of it
(``support.mirror``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import torch
from support.http import WeightServer
from support.mirror import clean_downloads, serving_mirror
from support.weights import FILENAME, SUBDIR, save, tiny_spec, tiny_state, write

from suite.data import fetch
from suite.errors import CheckpointError
from suite.models.checkpoints import first_seen_path
from suite.models.loading import load_model
from suite.models.spec import ModelSpec

pytestmark = pytest.mark.usefixtures("clean_env")

GARBAGE = b"<html>404 page, not weights</html>" * 10


@dataclass
class Place:
    """Where a row puts its files, and the server it may configure."""

    tmp: Path
    server: WeightServer
    payload: bytes  # a valid tiny checkpoint
    monkeypatch: pytest.MonkeyPatch
    stack: contextlib.ExitStack

    @property
    def ckdir(self) -> Path:
        return self.tmp / "ck"

    @property
    def cache(self) -> Path:
        return self.tmp / "cache"

    @property
    def local(self) -> str:
        return str(self.ckdir / FILENAME)

    def put(self, data: bytes) -> None:
        write(self.ckdir / FILENAME, data)

    def put_state(self, obj: object) -> None:
        save(obj, self.ckdir / FILENAME)

    def serve(self, mode: str) -> str:
        self.server.body, self.server.mode = self.payload, mode
        return self.server.url

    def spec(self, verified: bool = True, **ckpt: object) -> ModelSpec:
        """The tiny model, with the zoo sha256 of the valid payload or (unverified) none."""
        return tiny_spec(self.server.url, self.payload if verified else None, **ckpt)

    def load(self, spec: ModelSpec, download: bool = True) -> None:
        load_model(spec, self.ckdir, self.cache, download=download, progress=False)

    def mirror(self) -> str:
        """An empty mirror on 127.0.0.1, set as SUITE_MIRROR (stopped with the test's server)."""
        srv = self.stack.enter_context(serving_mirror(self.tmp / "mirror"))
        self.monkeypatch.setenv("SUITE_MIRROR", srv.url)
        return srv.url


# Each row prepares its files and returns the spec to load and what the message must name.
Prepare = Callable[[Place], tuple[ModelSpec, str]]


def garbage_verified(p: Place) -> tuple[ModelSpec, str]:
    p.put(GARBAGE)
    return p.spec(), p.local


def truncated_verified(p: Place) -> tuple[ModelSpec, str]:
    p.put(p.payload[: len(p.payload) // 2])
    return p.spec(), p.local


def garbage_unverified(p: Place) -> tuple[ModelSpec, str]:
    p.put(GARBAGE)
    return p.spec(verified=False), p.local


def truncated_unverified(p: Place) -> tuple[ModelSpec, str]:
    p.put(p.payload[: len(p.payload) // 2])
    return p.spec(verified=False), p.local


def _poisoned(value: float) -> dict[str, torch.Tensor]:
    state = tiny_state()
    state["tail.weight"].view(-1)[3] = value
    return state


def nan_weights(p: Place) -> tuple[ModelSpec, str]:
    p.put_state(_poisoned(float("nan")))
    return p.spec(verified=False), p.local


def inf_weights(p: Place) -> tuple[ModelSpec, str]:
    p.put_state({"params_ema": _poisoned(float("-inf"))})
    return p.spec(verified=False), p.local


def other_variant(p: Place) -> tuple[ModelSpec, str]:
    p.put_state(tiny_state(channels=8))
    return p.spec(verified=False), p.local


def training_state(p: Place) -> tuple[ModelSpec, str]:
    p.put_state({"epoch": 3, "optimizer": {"lr": 0.1}})
    return p.spec(verified=False), p.local


def python_objects(p: Place) -> tuple[ModelSpec, str]:
    p.put_state({"params": tiny_state(), "args": argparse.Namespace(lr=0.1)})
    return p.spec(verified=False), p.local


def changed_since_first_seen(p: Place) -> tuple[ModelSpec, str]:
    spec = p.spec(verified=False)
    p.put(p.payload)
    p.load(spec)  # the first copy: recorded
    p.put(p.payload + b"\0")  # a byte-flipped copy of the same size: test_checkpoints.py
    return spec, p.local


def unreadable_first_seen_record(p: Place) -> tuple[ModelSpec, str]:
    p.put(p.payload)
    write(first_seen_path(p.cache), b'{"schema": "sr-suite/first-seen/1", "checkpoints": [')
    return p.spec(verified=False), str(first_seen_path(p.cache))


def download(mode: str) -> Prepare:
    def prepare(p: Place) -> tuple[ModelSpec, str]:
        return p.spec(), p.serve(mode)

    return prepare


def download_too_slow(mode: str) -> Prepare:
    def prepare(p: Place) -> tuple[ModelSpec, str]:
        p.monkeypatch.setattr(fetch, "DEADLINE_S", 0.3)
        return p.spec(), p.serve(mode)

    return prepare


def mirror_lacks_it(p: Place) -> tuple[ModelSpec, str]:
    return p.spec(), f"{p.mirror()}/127.0.0.1:{p.server.server_address[1]}/weights/{FILENAME}"


def download_size_differs(p: Place) -> tuple[ModelSpec, str]:
    return p.spec(size=len(p.payload) + 1), p.serve("ok")


def download_unlike_first_seen(p: Place) -> tuple[ModelSpec, str]:
    entry = {"sha256": "0" * 64, "file": "elsewhere", "recorded": "2024-01-01T00:00:00+00:00"}
    record = {"schema": "sr-suite/first-seen/1", "checkpoints": {f"{SUBDIR}/{FILENAME}": entry}}
    write(first_seen_path(p.cache), json.dumps(record).encode())
    return p.spec(verified=False), p.serve("ok")


def offline(p: Place) -> tuple[ModelSpec, str]:
    p.monkeypatch.setenv("SUITE_OFFLINE", "1")
    return p.spec(), p.server.url


def unpublished(p: Place) -> tuple[ModelSpec, str]:
    return p.spec(published=False), p.server.url


def share_page(p: Place) -> tuple[ModelSpec, str]:
    return p.spec(direct=False), p.server.url


def unregistered(p: Place) -> tuple[ModelSpec, str]:
    return replace(p.spec(), checkpoint=None), "TinyNet-x2"


# Rows with nothing the user can fix (the authors never uploaded the file, the zoo names none).
NO_FIX = {"unpublished", "unregistered"}

CASES = [
    ("garbage-with-zoo-sha", garbage_verified, "has the wrong sha256"),
    ("truncated-with-zoo-sha", truncated_verified, "has the wrong sha256"),
    ("garbage-unverified", garbage_unverified, "corrupt or not a PyTorch checkpoint"),
    ("truncated-unverified", truncated_unverified, "corrupt or not a PyTorch checkpoint"),
    ("nan-weights", nan_weights, "NaN or infinite values in 1 tensor(s): tail.weight"),
    ("inf-weights", inf_weights, "NaN or infinite values in 1 tensor(s): tail.weight"),
    ("other-variant", other_variant, "does not fit model 'TinyNet-x2'"),
    ("training-state", training_state, "holds no state dict of tensors"),
    ("python-objects", python_objects, "holds Python objects besides tensors"),
    ("changed-since-first-seen", changed_since_first_seen, "but the copy first seen on"),
    ("first-seen-record-unreadable", unreadable_first_seen_record, "first-seen checkpoint record"),
    ("download-404", download("404"), "HTTP 404"),
    ("download-corrupt", download("corrupt"), "sha256 mismatch"),
    ("download-cut-off", download("cutoff"), "connection cut off after"),
    ("download-size-differs", download_size_differs, "bytes, expected"),
    ("download-trickles", download_too_slow("trickle"), "download deadline of 0.3 s"),
    ("download-stalls", download_too_slow("stall"), "the server sent nothing for 0.3 s"),
    ("download-unlike-first-seen", download_unlike_first_seen, "but the copy first seen on"),
    ("mirror-404", mirror_lacks_it, "(mirror of http://127.0.0.1:"),
    ("offline", offline, "not found and cannot be downloaded (SUITE_OFFLINE is set)"),
    ("unpublished", unpublished, "never published"),
    ("share-page", share_page, "share page, not a file the suite can fetch"),
    ("unregistered", unregistered, "has no registered checkpoint"),
]


@pytest.mark.parametrize(("prepare", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_checkpoint_is_named_and_leaves_nothing(
    prepare: Prepare,
    fragment: str,
    tmp_path: Path,
    server: WeightServer,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    clean_downloads(monkeypatch)
    with contextlib.ExitStack() as stack:
        payload = save(tiny_state(), tmp_path / "src.pth")
        place = Place(tmp_path, server, payload, monkeypatch, stack)
        spec, named = prepare(place)
        with pytest.raises(CheckpointError) as info:
            place.load(spec)
    message = str(info.value)
    assert fragment in message and named in message, message
    assert ("Fix" in message) != (request.node.callspec.id in NO_FIX), message
    assert not (place.cache / "checkpoints" / SUBDIR / FILENAME).exists()
    assert not list(place.cache.rglob("*.part"))
