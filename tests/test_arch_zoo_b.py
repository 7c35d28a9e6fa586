"""SMFANet, SAFMN, SPAN and BSRN zoo entries: metadata, loading, shapes, sizes, a real image.

Checkpoints must load strictly, outputs be exactly scale×H × scale×W (odd and tiny inputs too),
parameter counts be exact and agree with what the authors print, and every runnable checkpoint
beat bicubic upsampling on a crop of Set5 baby.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from suite.models.archs import build_arch
from suite.models.loading import load_model
from suite.models.spec import ModelSpec
from suite.models.zoo import bsrn, model_specs, ntire2024, safmn, smfanet

SPECS: list[ModelSpec] = [*smfanet.SPECS, *safmn.SPECS, *ntire2024.SPECS, *bsrn.SPECS]
SPEC_BY_ID = {spec.id: spec for spec in SPECS}
# Checkpoints committed to public repositories (the SAFMN paper models are Drive-only).
RUNNABLE = sorted(s.id for s in SPECS if s.checkpoint is not None and s.checkpoint.sha256)

# Exact trainable parameter counts of the architectures as built.
PARAM_COUNTS = {
    **{
        f"SMFANet_{d}_x{s}": n
        for d in ("DIV2K", "DF2K")
        for s, n in zip((2, 3, 4), (185_628, 190_503, 197_328), strict=True)
    },
    **{
        f"SMFANet_plus_{d}_x{s}": n
        for d in ("DIV2K", "DF2K")
        for s, n in zip((2, 3, 4), (480_300, 486_795, 495_888), strict=True)
    },
    "SAFMN_x2": 227_820,
    "SAFMN_x3": 232_695,
    "SAFMN_x4": 239_520,
    "SAFMN_NTIRE23_x4": 237_000,
    "NTIRE24_SAFMNpp": 211_572,
    "NTIRE24_SMFAN": 84_408,
    "NTIRE24_SPAN": 150_688,
    "NTIRE24_SPAN_tiny": 130_828,
    "NTIRE22_BSRN": 156_288,
}

# Sizes the authors print, as (value, unit) with the precision they print; where each comes from:
#   SMFANet / SMFANet+ x4: Zheng-MJ/SMFANet plt/main_complexity.py (197 K, 496 K).
#   SAFMN: header comments of sunny2109/SAFMN options/train/SAFMN/train_DF2K_X{2,3,4}.yml.
#   SAFMN++: sunny2109/SAFMN NTIRE2024_ESR/results.txt. SMFAN: NTIRE2024-ESR-SMFAN results.txt.
# No primary source found for SPAN (ch28/ch26), BSRN (team 18) or the NTIRE 2023 SAFMN entry.
PUBLISHED_PARAMS: dict[str, tuple[str, str]] = {
    "SMFANet_DIV2K_x4": ("197", "K"),
    "SMFANet_DF2K_x4": ("197", "K"),
    "SMFANet_plus_DIV2K_x4": ("496", "K"),
    "SMFANet_plus_DF2K_x4": ("496", "K"),
    "SAFMN_x2": ("0.228", "M"),
    "SAFMN_x3": ("0.233", "M"),
    "SAFMN_x4": ("0.24", "M"),
    "NTIRE24_SAFMNpp": ("0.212", "M"),
    "NTIRE24_SMFAN": ("0.084", "M"),
}


@pytest.fixture(autouse=True, scope="module")
def _one_thread() -> Iterator[None]:
    """Run these tiny forwards single-threaded.

    On a busy 2-core runner, OpenMP threads waiting on each other made each call ~100× slower.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _build(model_id: str) -> torch.nn.Module:
    spec = SPEC_BY_ID[model_id]
    return build_arch(spec.arch, **spec.arch_kwargs).eval()


def _psnr(a: torch.Tensor, b: torch.Tensor, shave: int) -> float:
    diff = (a - b)[..., shave:-shave, shave:-shave]
    return float(-10 * torch.log10(diff.pow(2).mean()))


# --------------------------------------------------------------------------- zoo


def test_ids_are_registered_once_in_the_zoo() -> None:
    zoo = model_specs()
    assert set(SPEC_BY_ID) == set(PARAM_COUNTS)
    for model_id, spec in SPEC_BY_ID.items():
        assert zoo[model_id] is spec
        assert spec.input_range == 1.0  # every family here takes [0, 1] RGB


def test_smfanet_training_data_and_safmn_drive_models() -> None:
    for spec in smfanet.SPECS:
        assert spec.training_data in spec.id.split("_")
    for scale in (2, 3, 4):
        ckpt = SPEC_BY_ID[f"SAFMN_x{scale}"].checkpoint
        assert ckpt is not None and ckpt.published and ckpt.sha256 is None
        assert ckpt.url.startswith("https://drive.google.com/")


@pytest.mark.shared
def test_checkpoint_metadata_matches_shared_manifest(shared_checkpoints: Path) -> None:
    manifest = json.loads((shared_checkpoints / "checkpoints.json").read_text())
    by_file = {entry["file"]: entry for entry in manifest}
    for model_id in RUNNABLE:
        ckpt = SPEC_BY_ID[model_id].checkpoint
        assert ckpt is not None
        entry = by_file[f"{ckpt.subdir}/{ckpt.filename}"]
        got = (ckpt.sha256, ckpt.size, ckpt.repo, ckpt.commit, ckpt.repo_path, ckpt.url)
        want = (
            entry["sha256"],
            entry["bytes"],
            entry["repo"],
            entry["commit"],
            entry["path"],
            entry["url"],
        )
        assert got == want, model_id


# --------------------------------------------------------------------------- architectures


@pytest.mark.parametrize("model_id", sorted(PARAM_COUNTS))
def test_trainable_parameter_count(model_id: str) -> None:
    model = _build(model_id)
    assert sum(p.numel() for p in model.parameters() if p.requires_grad) == PARAM_COUNTS[model_id]


@pytest.mark.parametrize("model_id", sorted(PUBLISHED_PARAMS))
def test_parameter_count_matches_published_size(model_id: str) -> None:
    value, unit = PUBLISHED_PARAMS[model_id]
    decimals = len(value.split(".")[1]) if "." in value else 0
    divisor = 1e3 if unit == "K" else 1e6
    assert round(PARAM_COUNTS[model_id] / divisor, decimals) == float(value)


@pytest.mark.parametrize("model_id", sorted(PARAM_COUNTS))
@pytest.mark.parametrize("size", [(13, 17), (5, 7)])
def test_output_is_scale_times_input_for_odd_and_tiny_inputs(
    model_id: str, size: tuple[int, int]
) -> None:
    scale = SPEC_BY_ID[model_id].integer_scale
    with torch.no_grad():
        out = _build(model_id)(torch.rand(1, 3, *size))
    assert out.shape == (1, 3, size[0] * scale, size[1] * scale)
    assert torch.isfinite(out).all()


# --------------------------------------------------------------------------- checkpoints


@pytest.mark.shared
@pytest.mark.parametrize("model_id", RUNNABLE)
def test_published_checkpoint_loads_strictly(
    shared_checkpoints: Path, tmp_path: Path, model_id: str
) -> None:
    # load_model checks size/sha256, unwraps params_ema/params and loads with strict=True.
    spec = SPEC_BY_ID[model_id]
    model = load_model(spec, checkpoint_dir=shared_checkpoints, cache_dir=tmp_path, download=False)
    assert not model.training


@pytest.fixture(scope="module")
def baby_hr(shared_datasets: Path) -> torch.Tensor:
    """Central 120×120 crop (a multiple of 12) of Set5 baby, RGB in [0, 1], NCHW."""
    rgb = np.asarray(Image.open(shared_datasets / "Set5" / "baby.png").convert("RGB"))
    hr = torch.from_numpy(rgb.astype(np.float32) / 255).permute(2, 0, 1)[None]
    size = 120
    top, left = (hr.shape[2] - size) // 2, (hr.shape[3] - size) // 2
    return hr[..., top : top + size, left : left + size]


@pytest.mark.shared
@pytest.mark.parametrize("model_id", RUNNABLE)
def test_checkpoint_beats_bicubic_on_baby(
    shared_checkpoints: Path, tmp_path: Path, baby_hr: torch.Tensor, model_id: str
) -> None:
    spec = SPEC_BY_ID[model_id]
    scale = spec.integer_scale
    model = load_model(spec, checkpoint_dir=shared_checkpoints, cache_dir=tmp_path, download=False)
    lr = F.interpolate(baby_hr, scale_factor=1 / scale, mode="bicubic", antialias=True)
    lr = lr.clamp(0, 1)
    with torch.no_grad():
        sr = (model(lr * spec.input_range) / spec.input_range).clamp(0, 1)
    bicubic = F.interpolate(lr, scale_factor=scale, mode="bicubic").clamp(0, 1)
    assert sr.shape == baby_hr.shape
    assert _psnr(sr, baby_hr, scale) > _psnr(bicubic, baby_hr, scale) + 0.5
