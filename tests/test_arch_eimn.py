"""EIMN: published checkpoints load strictly, shapes, exact parameter counts, a real-image check."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from suite.models.archs import build_arch
from suite.models.zoo.eimn import SPECS

SPEC_BY_ID = {spec.id: spec for spec in SPECS}
PUBLISHED = [spec.id for spec in SPECS if spec.checkpoint and spec.checkpoint.published]

# Trainable parameters per model; the paper's Table 1 gives them rounded to 0.1K.
PARAM_COUNTS = {
    "EIMN_L_x2": 981_724,
    "EIMN_L_x3": 990_379,
    "EIMN_L_x4": 1_002_496,
    "EIMN_A_x2": 860_098,
    "EIMN_A_x3": 868_753,
    "EIMN_A_x4": 880_870,
}


def _build(model_id: str) -> torch.nn.Module:
    spec = SPEC_BY_ID[model_id]
    return build_arch(spec.arch, **spec.arch_kwargs)


def _checkpoint_path(checkpoints: Path, model_id: str) -> Path:
    ckpt = SPEC_BY_ID[model_id].checkpoint
    assert ckpt is not None
    return checkpoints / ckpt.subdir / ckpt.filename


def test_zoo_lists_six_models_with_l_x4_unpublished() -> None:
    assert set(SPEC_BY_ID) == set(PARAM_COUNTS)
    assert sorted(PUBLISHED) == sorted(set(PARAM_COUNTS) - {"EIMN_L_x4"})
    missing = SPEC_BY_ID["EIMN_L_x4"].checkpoint
    assert missing is not None and missing.sha256 is None and missing.note


@pytest.mark.parametrize("model_id", sorted(PARAM_COUNTS))
def test_trainable_parameter_count(model_id: str) -> None:
    model = _build(model_id)
    count = sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert count == PARAM_COUNTS[model_id]


@pytest.mark.parametrize("variant", ["L", "A"])
@pytest.mark.parametrize("scale", [2, 3, 4])
def test_output_shape_for_odd_input(variant: str, scale: int) -> None:
    model = build_arch("eimn", variant=variant, scale=scale).eval()
    with torch.no_grad():
        out = model(torch.rand(1, 3, 13, 17))
    assert out.shape == (1, 3, 13 * scale, 17 * scale)


def test_unknown_variant_is_rejected() -> None:
    with pytest.raises(ValueError, match="variant"):
        build_arch("eimn", variant="XL")


@pytest.mark.shared
@pytest.mark.parametrize("model_id", PUBLISHED)
def test_published_checkpoint_loads_strictly(shared_checkpoints: Path, model_id: str) -> None:
    path = _checkpoint_path(shared_checkpoints, model_id)
    ckpt = SPEC_BY_ID[model_id].checkpoint
    assert ckpt is not None
    data = path.read_bytes()
    assert len(data) == ckpt.size
    assert hashlib.sha256(data).hexdigest() == ckpt.sha256
    state = torch.load(path, map_location="cpu", weights_only=True)
    _build(model_id).load_state_dict(state, strict=True)


def _psnr(a: torch.Tensor, b: torch.Tensor, shave: int) -> float:
    diff = (a - b)[..., shave:-shave, shave:-shave]
    return float(-10 * torch.log10(diff.pow(2).mean()))


@pytest.mark.shared
def test_eimn_a_x4_beats_bicubic_on_baby(shared_checkpoints: Path, shared_datasets: Path) -> None:
    scale, size = 4, 192  # central 192×192 HR crop (a multiple of 12) -> 48×48 LR
    rgb = np.asarray(Image.open(shared_datasets / "Set5" / "baby.png").convert("RGB"))
    hr = torch.from_numpy(rgb.astype(np.float32) / 255).permute(2, 0, 1)[None]
    top, left = (hr.shape[2] - size) // 2, (hr.shape[3] - size) // 2
    hr = hr[..., top : top + size, left : left + size]
    lr = F.interpolate(hr, scale_factor=1 / scale, mode="bicubic", antialias=True).clamp(0, 1)

    model = _build("EIMN_A_x4").eval()
    state = torch.load(
        _checkpoint_path(shared_checkpoints, "EIMN_A_x4"),
        map_location="cpu",
        weights_only=True,
    )
    model.load_state_dict(state, strict=True)
    with torch.no_grad():
        sr = model(lr).clamp(0, 1)
    bicubic = F.interpolate(lr, scale_factor=scale, mode="bicubic").clamp(0, 1)

    assert sr.shape == hr.shape
    assert _psnr(sr, hr, scale) > _psnr(bicubic, hr, scale) + 1.0
