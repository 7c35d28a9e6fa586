"""A tiny super-resolution setup shared by the runner, gate, diagnosis and reproduction tests.

``Upsampler`` is bicubic upsampling plus a 1×1 conv (identity in the saved checkpoint);
:func:`make_env` builds a fake Set5 with one grey image, its manifest, the checkpoint and a
matching ``ModelSpec``; :func:`evaluate_in_process` runs it in a worker process (concurrency
tests); :func:`write_png16` makes the 16-bit images a set must refuse.
"""

from __future__ import annotations

import contextlib
import os
import time
import traceback
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from suite.data import datasets
from suite.data.manifests import build_manifest
from suite.evaluation.runner import EvalOptions, evaluate
from suite.models.archs import register_arch
from suite.models.checkpoints import sha256_file
from suite.models.spec import CheckpointSpec, ModelSpec
from suite.results.store import write_json

ARCH = "_test_runner_upsampler"
# what PyTorch's allocators say when they run out of memory, on the GPU and on the CPU
CUDA_OOM = "CUDA out of memory. Tried to allocate 2.00 GiB"
CPU_OOM = (
    "[enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: can't allocate memory: you "
    "tried to allocate 68719476736 bytes. Error code 12 (Cannot allocate memory)"
)


class Upsampler(nn.Module):
    """Bicubic upsampling plus a learnable 1×1 conv (identity at init); counts its calls."""

    calls = 0
    fail_on: int | None = None  # raise on this call number
    failure: type[BaseException] | None = None
    failure_text = CUDA_OOM
    delay_s = 0.0  # sleep in every call (to make concurrent runs overlap)

    @classmethod
    def reset(cls) -> None:
        """No calls yet, no failure, no delay."""
        cls.calls, cls.fail_on, cls.failure, cls.delay_s = 0, None, None, 0.0
        cls.failure_text = CUDA_OOM

    def __init__(self, scale: int = 2) -> None:
        super().__init__()
        self.scale = scale
        self.mix = nn.Conv2d(3, 3, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        type(self).calls += 1
        time.sleep(self.delay_s)
        if self.fail_on is not None and type(self).calls == self.fail_on:
            raise self.failure(self.failure_text)
        up = F.interpolate(x, scale_factor=self.scale, mode="bicubic", align_corners=False)
        return self.mix(up)


with contextlib.suppress(ValueError):
    register_arch(ARCH)(Upsampler)


def identity_checkpoint(path: Path, gain: float = 1.0, bias: float = 0.0) -> None:
    """Save an ``Upsampler`` whose 1×1 conv is ``gain`` × the identity plus ``bias`` (the
    defaults: bicubic upsampling; huge values: a model whose output overflows)."""
    net = Upsampler()
    with torch.no_grad():
        net.mix.weight.copy_(gain * torch.eye(3).view(3, 3, 1, 1))
        net.mix.bias.fill_(bias)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(net.state_dict(), path)


def tiny_spec(ckpt: Path, model_id: str = "UP_x2") -> ModelSpec:
    """The ×2 ``Upsampler`` model whose checkpoint is ``ckpt`` (its sha256 recorded)."""
    return ModelSpec(
        id=model_id,
        family="TEST",
        arch=ARCH,
        scale=2,
        arch_kwargs={"scale": 2},
        checkpoint=CheckpointSpec(
            filename=ckpt.name, url="http://127.0.0.1:9/none", sha256=sha256_file(ckpt)
        ),
    )


def make_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A data root with a fake 'Set5' (4 images, one grey), a checkpoint and clean env vars."""
    rng = np.random.default_rng(0)
    root = tmp_path / "data"
    folder = root / "Set5"
    folder.mkdir(parents=True)
    for i, (h, w) in enumerate([(50, 62), (36, 48), (49, 37), (40, 40)]):
        img = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        img = np.clip(np.cumsum(img.astype(int) - 127, axis=1) // 8 + 128, 0, 255).astype(
            np.uint8
        )  # smooth-ish
        if i == 3:
            Image.fromarray(img[:, :, 0]).save(folder / f"im{i}.png")  # grey
        else:
            Image.fromarray(img).save(folder / f"im{i}.png")
    ckpt = tmp_path / "ckpts" / "up_x2.pth"
    identity_checkpoint(ckpt)
    spec = tiny_spec(ckpt)
    manifests = tmp_path / "manifests"
    monkeypatch.setenv("SUITE_MANIFEST_DIR", str(manifests))
    write_json(manifests / "Set5.json", build_manifest(datasets.find_dataset("Set5", root)))
    for var in ("SUITE_DATA_ROOT", "SUITE_CHECKPOINT_DIR", "SUITE_RESULTS_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("SUITE_CACHE_DIR", str(tmp_path / "cache"))
    Upsampler.reset()
    opts = EvalOptions(
        data_root=root,
        checkpoint_dir=ckpt.parent,
        results_dir=tmp_path / "results",
        progress=False,
    )
    return spec, opts, folder


def evaluate_in_process(
    ckpt: Path, opts: EvalOptions, env: dict[str, str], barrier: Any, queue: Any
) -> None:
    """Worker process: wait at ``barrier`` for the others, evaluate the tiny model on Set5, and
    put ``(profile, model calls, psnr, ssim)`` (or ``("error", traceback)``) on ``queue``."""
    os.environ.update(env)
    Upsampler.reset()
    Upsampler.delay_s = 0.02
    try:
        barrier.wait()
        r = evaluate(tiny_spec(ckpt), "Set5", opts)
        queue.put((r["profile"], Upsampler.calls, r["psnr"], r["ssim"]))
    except BaseException:
        queue.put(("error", traceback.format_exc()))


def write_png16(path: Path, image: np.ndarray) -> None:
    """Write a uint16 H×W (grey) or H×W×3 (RGB) array as a 16-bit PNG (PIL cannot write 16-bit
    RGB, and reads it back as 8-bit without a word)."""
    h, w = image.shape[:2]
    rows = np.ascontiguousarray(image, dtype=">u2").reshape(h, -1)
    raw = b"".join(b"\x00" + row.tobytes() for row in rows)  # filter type 0 per row

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    colour = 2 if image.ndim == 3 else 0
    header = w.to_bytes(4, "big") + h.to_bytes(4, "big") + bytes([16, colour, 0, 0, 0])
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body)
