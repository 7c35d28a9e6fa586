"""A tiny registered network and the checkpoint files, bytes and specs the loading tests make
from it.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import replace
from pathlib import Path

import torch
from torch import nn

from suite.models.archs import register_arch
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


def tiny_state(channels: int = 4, seed: int = 0) -> dict[str, torch.Tensor]:
    """A seeded TinyNet state dict."""
    torch.manual_seed(seed)
    return TinyNet(channels=channels).state_dict()


def save(obj: object, path: Path) -> bytes:
    """``torch.save`` into ``path`` (parents made); the file's bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(obj, path)
    return path.read_bytes()


def write(path: Path, data: bytes) -> Path:
    """Write raw bytes (parents made)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def tiny_spec(url: str, data: bytes | None, **ckpt_overrides: object) -> ModelSpec:
    """A ModelSpec for TinyNet whose checkpoint sha/size describe ``data`` (none when None)."""
    ckpt = CheckpointSpec(
        filename=FILENAME,
        url=url,
        sha256=hashlib.sha256(data).hexdigest() if data is not None else None,
        size=len(data) if data is not None else None,
        subdir=SUBDIR,
    )
    ckpt = replace(ckpt, **ckpt_overrides)
    return ModelSpec(id="TinyNet-x2", family="test", arch=ARCH, scale=2, checkpoint=ckpt)
