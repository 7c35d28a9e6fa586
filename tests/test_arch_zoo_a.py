"""IMDN, RFDN, RLFN, FMEN and CARN-M: architectures, zoo entries, checkpoints, reference tables.

Checkpoints come from the shared folder (``shared_checkpoints``) and load strictly through
:func:`suite.models.loading.load_model`, which also verifies each file's sha256. The real-image
check runs every model on a central crop of Set5 ``baby`` and asks for a clear gain over bicubic
upsampling, which catches a wrong input range, layer order or branch.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from suite.errors import ScaleError
from suite.models.archs import build_arch
from suite.models.loading import load_model
from suite.models.zoo import get_spec, model_specs

MODEL_IDS = [
    "IMDN_x2",
    "IMDN_x3",
    "IMDN_x4",
    "NTIRE22_IMDN",
    "NTIRE22_RFDN",
    "NTIRE22_RLFN",
    "NTIRE22_FMEN",
    "RLFN_x2",
    "RLFN_x4",
    "RLFN_S_x2",
    "RLFN_S_x4",
    "RLFN_ntire_x4",
    "CARN_M_x2",
    "CARN_M_x3",
    "CARN_M_x4",
]

# Exact trainable parameters of each registered model (CARN-M: the whole multi-scale network,
# all three upsampling branches; its mean-shift layers are buffers).
PARAMS: dict[str, int] = {
    "IMDN_x2": 694_404,
    "IMDN_x3": 703_059,
    "IMDN_x4": 715_176,
    "NTIRE22_IMDN": 893_936,
    "NTIRE22_RFDN": 433_448,
    "NTIRE22_RLFN": 317_218,
    "NTIRE22_FMEN": 341_066,
    "RLFN_x2": 526_856,
    "RLFN_x4": 543_740,
    "RLFN_S_x2": 454_620,
    "RLFN_S_x4": 470_208,
    "RLFN_ntire_x4": 317_218,
    "CARN_M_x2": 414_787,
    "CARN_M_x3": 414_787,
    "CARN_M_x4": 414_787,
}

# Parameters CARN-M actually uses at each scale: shared body + that scale's branch.
CARN_M_ACTIVE = {2: 257_027, 3: 303_427, 4: 294_147}

INPUT_RANGE = {
    "IMDN": 1.0,
    "NTIRE22_IMDN": 1.0,
    "NTIRE22_RFDN": 255.0,
    "NTIRE22_RLFN": 255.0,
    "NTIRE22_FMEN": 255.0,
    "RLFN": 255.0,
    "CARN": 1.0,
}


def _n_params(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def _random_model(model_id: str) -> torch.nn.Module:
    spec = get_spec(model_id)
    return build_arch(spec.arch, **spec.arch_kwargs).eval()


# --------------------------------------------------------------------------- no shared data


def test_all_ids_registered() -> None:
    models = model_specs()
    assert set(MODEL_IDS) <= set(models)


@pytest.mark.parametrize("model_id", MODEL_IDS)
def test_exact_parameter_count(model_id: str) -> None:
    model = _random_model(model_id)
    assert sum(p.numel() for p in model.parameters() if p.requires_grad) == PARAMS[model_id]


@pytest.mark.parametrize("model_id", MODEL_IDS)
def test_input_range(model_id: str) -> None:
    spec = get_spec(model_id)
    key = model_id if model_id in INPUT_RANGE else spec.family
    assert spec.input_range == INPUT_RANGE[key]


def test_carn_m_branch_parameters() -> None:
    model = _random_model("CARN_M_x2")
    branches = {s: _n_params(getattr(model.upsample, f"up{s}")) for s in (2, 3, 4)}
    shared = _n_params(model) - sum(branches.values())
    assert {s: shared + n for s, n in branches.items()} == CARN_M_ACTIVE
    assert {name for name, _ in model.named_buffers()} == {
        "sub_mean.shifter.weight",
        "sub_mean.shifter.bias",
        "add_mean.shifter.weight",
        "add_mean.shifter.bias",
    }


@pytest.mark.parametrize("model_id", MODEL_IDS)
def test_forward_shape_odd_input(model_id: str) -> None:
    model = _random_model(model_id)
    scale = get_spec(model_id).integer_scale
    with torch.no_grad():
        out = model(torch.rand(1, 3, 15, 17))
    assert out.shape == (1, 3, 15 * scale, 17 * scale)


@pytest.mark.parametrize(
    ("arch", "kwargs"),
    [
        ("imdn", {"scale": 2.5}),
        ("imdn_simple", {"scale": 0}),
        ("rfdn", {"scale": 1.5}),
        ("rlfn", {"scale": -2}),
        ("fmen", {"scale": 3.5}),
        ("carn_m", {"scale": 8}),
    ],
)
def test_bad_scale_rejected(arch: str, kwargs: dict) -> None:
    with pytest.raises(ScaleError):
        build_arch(arch, **kwargs)


def test_rlfn_unknown_layout_rejected() -> None:
    with pytest.raises(ValueError, match="layout"):
        build_arch("rlfn", scale=4, layout="nope")


def test_esa_too_small_input_is_explained() -> None:
    model = build_arch("rlfn", scale=2, channels=8, mid_channels=8, num_blocks=1)
    with pytest.raises(ValueError, match="ESA needs"):
        model(torch.rand(1, 3, 12, 40))


def test_rlfn_layouts_share_structure() -> None:
    a = build_arch("rlfn", scale=4, channels=46, mid_channels=48, num_blocks=4)
    b = build_arch("rlfn", scale=4, channels=46, mid_channels=48, num_blocks=4, layout="ntire")
    shapes_a = [tuple(t.shape) for t in a.state_dict().values()]
    shapes_b = [tuple(t.shape) for t in b.state_dict().values()]
    assert shapes_a == shapes_b
    assert "conv_1.weight" in a.state_dict() and "fea_conv.weight" in b.state_dict()


# --------------------------------------------------------------------------- shared data


@pytest.mark.shared
def test_zoo_metadata_matches_shared_manifest(shared_checkpoints: Path) -> None:
    manifest = json.loads((shared_checkpoints / "checkpoints.json").read_text())
    by_file = {entry["file"]: entry for entry in manifest}
    for model_id in MODEL_IDS:
        ckpt = get_spec(model_id).checkpoint
        assert ckpt is not None
        entry = by_file[f"{ckpt.subdir}/{ckpt.filename}"]
        assert (ckpt.sha256, ckpt.size, ckpt.url) == (entry["sha256"], entry["bytes"], entry["url"])
        assert (ckpt.repo, ckpt.commit, ckpt.repo_path) == (
            entry["repo"],
            entry["commit"],
            entry["path"],
        )


@pytest.fixture(scope="module")
def baby_hr(shared_datasets: Path) -> torch.Tensor:
    """Central 120×120 crop of Set5 baby (a multiple of 12), RGB in [0, 1], NCHW."""
    img = np.asarray(Image.open(shared_datasets / "Set5" / "baby.png").convert("RGB"))
    h, w = img.shape[:2]
    size = 120
    top, left = (h - size) // 2, (w - size) // 2
    crop = img[top : top + size, left : left + size].astype(np.float32) / 255.0
    return torch.from_numpy(crop).permute(2, 0, 1)[None]


def _psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    return float(-10.0 * torch.log10(F.mse_loss(a, b)))


@pytest.mark.shared
@pytest.mark.parametrize("model_id", MODEL_IDS)
def test_checkpoint_beats_bicubic(
    model_id: str, shared_checkpoints: Path, baby_hr: torch.Tensor
) -> None:
    spec = get_spec(model_id)
    model = load_model(spec, checkpoint_dir=shared_checkpoints, download=False)
    scale = spec.integer_scale
    lr = F.interpolate(baby_hr, scale_factor=1 / scale, mode="bicubic", antialias=True)
    lr = lr.clamp(0, 1)
    bicubic = F.interpolate(lr, scale_factor=scale, mode="bicubic").clamp(0, 1)
    with torch.no_grad():
        sr = (model(lr * spec.input_range) / spec.input_range).clamp(0, 1)
    assert sr.shape == baby_hr.shape
    gain = _psnr(sr, baby_hr) - _psnr(bicubic, baby_hr)
    assert gain > 0.5, f"{model_id}: only {gain:.2f} dB over bicubic"


@pytest.mark.shared
def test_rlfn_ntire_files_hold_the_same_weights(shared_checkpoints: Path) -> None:
    a = load_model(get_spec("RLFN_ntire_x4"), checkpoint_dir=shared_checkpoints, download=False)
    b = load_model(get_spec("NTIRE22_RLFN"), checkpoint_dir=shared_checkpoints, download=False)
    for ta, tb in zip(a.state_dict().values(), b.state_dict().values(), strict=True):
        assert torch.equal(ta, tb)
