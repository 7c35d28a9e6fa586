"""Fixtures of the model tests: single-threaded forwards, a clean checkpoint environment, a
local weight server, and Set5 ``baby`` as a tensor."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from support.http import WeightServer, serving
from support.images import rgb_tensor
from support.mirror import clean_downloads
from support.weights import FILENAME


@pytest.fixture(autouse=True, scope="module")
def _one_thread() -> Iterator[None]:
    """Run the many tiny forwards single-threaded.

    On a busy 2-core runner, OpenMP threads waiting on each other made each call ~100× slower.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No user configuration or proxy leaks into checkpoint lookup and download."""
    clean_downloads(monkeypatch)
    for var in ("SUITE_CHECKPOINT_DIR", "SUITE_CACHE_DIR"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def server() -> Iterator[WeightServer]:
    """A weight server on 127.0.0.1 whose URL ends in the tiny checkpoint's file name."""
    with serving(FILENAME) as srv:
        yield srv


@pytest.fixture(scope="session")
def baby(shared_datasets: Path) -> torch.Tensor:
    """Set5 ``baby`` (512×512), RGB in [0, 1], 1×3×H×W."""
    return rgb_tensor(shared_datasets / "Set5" / "baby.png")
