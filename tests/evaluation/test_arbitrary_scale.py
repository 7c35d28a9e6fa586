"""The runner evaluates arbitrary-scale models at any scale, fixed ones only at their own."""

from __future__ import annotations

import contextlib
import re
from dataclasses import replace
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from PIL import Image
from support.images import smooth_pattern
from support.tiny import make_env

from suite.errors import DatasetError, ScaleError, SuiteError
from suite.evaluation.runner import MAX_SCALE, evaluate, target_scale
from suite.models.archs import register_arch
from suite.models.implicit import ImplicitSR
from suite.protocol.pairs import lr_shape
from suite.protocol.profiles import get_profile

ARCH = "_test_implicit_bilinear"


class BilinearField(ImplicitSR):
    """An implicit 'model' that samples the LR bilinearly at each HR coordinate."""

    def __init__(self, default_scale: float = 4.0) -> None:
        super().__init__()
        self.default_scale = default_scale
        self.gain = torch.nn.Parameter(torch.ones(1))

    def encode(self, lr: torch.Tensor, cell: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"lr": lr}

    def decode(self, latent, coord, cell):
        grid = coord.flip(-1).unsqueeze(1)  # (row, col) -> (x, y) for grid_sample
        rgb = F.grid_sample(latent["lr"], grid, mode="bilinear", align_corners=False)
        return (rgb[:, :, 0, :].permute(0, 2, 1)) * self.gain


with contextlib.suppress(ValueError):
    register_arch(ARCH)(BilinearField)


@pytest.fixture
def implicit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    spec, opts, _ = make_env(tmp_path, monkeypatch)
    ckpt = Path(opts.checkpoint_dir) / "implicit.pth"
    torch.save(BilinearField().state_dict(), ckpt)
    from suite.models.checkpoints import sha256_file

    spec = replace(
        spec,
        id="IMPLICIT",
        arch=ARCH,
        scale=4.0,
        arbitrary_scale=True,
        arch_kwargs={},
        checkpoint=replace(spec.checkpoint, filename="implicit.pth", sha256=sha256_file(ckpt)),
    )
    return spec, opts


@pytest.mark.parametrize("scale", [2, 2.5, 3, 6])
def test_implicit_model_runs_at_any_scale(implicit, scale: float) -> None:
    spec, opts = implicit
    r = evaluate(spec, "Set5", replace(opts, scale=scale))
    assert r["scale"] == scale and r["n_images"] == 4
    assert r["run_name"] == f"Set5_x{scale:g}"
    assert (Path(opts.results_dir) / "IMPLICIT" / f"Set5_x{scale:g}__basicsr.json").is_file()
    for img in r["per_image"]:
        h, w = img["hr_shape"][:2]
        assert tuple(img["lr_shape"][:2]) == lr_shape((h, w), scale)
    assert 10 < r["psnr"] < 60


def test_non_integer_scale_crops_and_shaves() -> None:
    p = get_profile("basicsr")
    assert p.gt_multiple(2.5) == 12 and p.border_for(2.5) == 3
    assert get_profile("matlab").gt_multiple(2.5) == 1
    assert lr_shape((50, 61), 2.5) == (20, 24)


def test_fixed_model_rejects_other_scale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec, opts, _ = make_env(tmp_path, monkeypatch)
    with pytest.raises(ScaleError, match=r"fixed ×2 model"):
        evaluate(spec, "Set5", replace(opts, scale=3))
    assert evaluate(spec, "Set5", replace(opts, scale=2))["scale"] == 2


@pytest.mark.parametrize("scale", [float("nan"), float("inf"), -float("inf"), 0, -2, 1, 1e9, 33])
def test_unusable_scales_are_refused_before_any_work(implicit, scale: float) -> None:
    spec, opts = implicit
    expected = re.escape(f"--scale {scale:g} is not a usable scale: give a finite number")
    with pytest.raises(ScaleError, match=f"^{expected} greater than 1 and at most 32"):
        evaluate(spec, "Set5", replace(opts, scale=scale))
    assert not Path(opts.results_dir).exists()


def test_the_largest_scale_runs(implicit) -> None:
    spec, opts = implicit
    assert target_scale(spec, MAX_SCALE) == MAX_SCALE == 32
    with pytest.raises(DatasetError, match=r"no image of Set5 .* could be scored: .*im0\.png is"):
        evaluate(spec, "Set5", replace(opts, scale=MAX_SCALE, allow_modified_data=True))
    folder = Path(opts.data_root) / "Set5"
    Image.fromarray(smooth_pattern(120, 100)).save(folder / "big.png")  # 96×96 after the crop
    r = evaluate(spec, "Set5", replace(opts, scale=MAX_SCALE, allow_modified_data=True))
    assert r["partial"] and r["n_images"] == 1 and r["per_image"][0]["lr_shape"] == [3, 3, 3]
    assert "im0.png is 62×50 px: cropped to 0×0 (a multiple of 96)" in r["failed"][0]["reason"]


def test_an_implicit_model_is_not_compiled(implicit) -> None:
    """`--compile` compiles a forward pass; an implicit model is queried by coordinates, so
    the mode would be recorded for nothing compiled: refused before any image is run."""
    spec, opts = implicit
    with pytest.raises(SuiteError, match=r"^--compile compiles a network's forward pass, and IM"):
        evaluate(spec, "Set5", replace(opts, scale=2, compile=True))
