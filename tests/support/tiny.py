"""A tiny super-resolution setup shared by the runner, gate, diagnosis and reproduction tests.

``Upsampler`` is bicubic upsampling plus a 1×1 conv (identity in the saved checkpoint);
:func:`make_env` builds a fake Set5 with one grey image, its manifest, the checkpoint and a
matching ``ModelSpec``.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from suite.data import datasets
from suite.data.manifests import build_manifest
from suite.evaluation.runner import EvalOptions
from suite.models.archs import register_arch
from suite.models.checkpoints import sha256_file
from suite.models.spec import CheckpointSpec, ModelSpec
from suite.results.store import write_json

ARCH = "_test_runner_upsampler"


class Upsampler(nn.Module):
    """Bicubic upsampling plus a learnable 1×1 conv (identity at init); counts its calls."""

    calls = 0
    fail_on: int | None = None  # raise on this call number
    failure: type[BaseException] | None = None

    def __init__(self, scale: int = 2) -> None:
        super().__init__()
        self.scale = scale
        self.mix = nn.Conv2d(3, 3, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        type(self).calls += 1
        if self.fail_on is not None and type(self).calls == self.fail_on:
            raise self.failure("CUDA out of memory. Tried to allocate 2.00 GiB")
        up = F.interpolate(x, scale_factor=self.scale, mode="bicubic", align_corners=False)
        return self.mix(up)


with contextlib.suppress(ValueError):
    register_arch(ARCH)(Upsampler)


def _identity_checkpoint(path: Path) -> None:
    net = Upsampler()
    with torch.no_grad():
        net.mix.weight.copy_(torch.eye(3).view(3, 3, 1, 1))
        net.mix.bias.zero_()
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(net.state_dict(), path)


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
    _identity_checkpoint(ckpt)
    spec = ModelSpec(
        id="UP_x2",
        family="TEST",
        arch=ARCH,
        scale=2,
        arch_kwargs={"scale": 2},
        checkpoint=CheckpointSpec(
            filename="up_x2.pth", url="http://127.0.0.1:9/none", sha256=sha256_file(ckpt)
        ),
    )
    manifests = tmp_path / "manifests"
    monkeypatch.setenv("SUITE_MANIFEST_DIR", str(manifests))
    write_json(manifests / "Set5.json", build_manifest(datasets.find_dataset("Set5", root)))
    for var in ("SUITE_DATA_ROOT", "SUITE_CHECKPOINT_DIR", "SUITE_RESULTS_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("SUITE_CACHE_DIR", str(tmp_path / "cache"))
    Upsampler.calls, Upsampler.fail_on, Upsampler.failure = 0, None, None
    opts = EvalOptions(
        data_root=root,
        checkpoint_dir=ckpt.parent,
        results_dir=tmp_path / "results",
        progress=False,
    )
    return spec, opts, folder
