"""SR images written by ``save_sr`` and scored back by suite.evaluation.score (issue #9).

The tiny model and fake Set5 of :func:`support.tiny.make_env` make the SR images; scoring them
must give the evaluation's numbers exactly, under every profile. Then the ways a folder of SR
images made elsewhere can be wrong, each named.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from support.tiny import Upsampler, make_env, write_png16

from suite.errors import DatasetError, SuiteError
from suite.evaluation.runner import evaluate
from suite.evaluation.score import SCORE_SCHEMA, score_folder
from suite.protocol.profiles import PROFILES, get_profile


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    return make_env(tmp_path, monkeypatch)


@pytest.fixture
def saved(env, tmp_path: Path):
    """The tiny model's Set5 evaluation (basicsr) and its SR images in ``tmp_path/sr``."""
    spec, opts, _ = env
    result = evaluate(spec, "Set5", opts, save_sr=tmp_path / "sr")
    return result, tmp_path / "sr", opts


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_saved_sr_images_score_back_to_the_eval_numbers(env, tmp_path: Path, profile: str) -> None:
    spec, opts, _ = env
    sr_dir = tmp_path / "sr"
    result = evaluate(spec, "Set5", opts, profile=profile, save_sr=sr_dir)
    assert sorted(p.name for p in sr_dir.iterdir()) == ["im0.png", "im1.png", "im2.png", "im3.png"]
    for row in result["per_image"]:
        with Image.open(sr_dir / f"{row['name']}.png") as im:
            assert im.mode == "RGB" and [im.height, im.width, 3] == row["hr_shape"]
    scored = score_folder(sr_dir, "Set5", 2, profile=profile, data_root=opts.data_root)
    assert scored["schema"] == SCORE_SCHEMA and not scored["partial"] and scored["extra"] == []
    for mine, theirs in zip(scored["per_image"], result["per_image"], strict=True):
        assert mine["name"] == theirs["name"] and mine["hr_sha256"] == theirs["hr_sha256"]
        assert mine["psnr"] == theirs["psnr"] and mine["ssim"] == theirs["ssim"]
    assert abs(scored["psnr"] - result["psnr"]) <= 1e-9
    assert abs(scored["ssim"] - result["ssim"]) <= 1e-12


def test_save_sr_computes_every_image_and_keeps_the_folder_clean(env, tmp_path: Path) -> None:
    spec, opts, _ = env
    evaluate(spec, "Set5", opts)
    calls = Upsampler.calls
    evaluate(spec, "Set5", opts, save_sr=tmp_path / "sr")
    assert Upsampler.calls == calls + 4  # a stored result has no SR images: not reused
    (tmp_path / "sr" / "other.jpg").write_bytes(b"")
    with pytest.raises(SuiteError, match=r"holds images that are not Set5's SR images \(other"):
        evaluate(spec, "Set5", opts, save_sr=tmp_path / "sr")
    unrounded = replace(get_profile("basicsr"), name="float_sr", sr_round=False)
    with pytest.raises(SuiteError, match="scores the unrounded float output, which no PNG holds"):
        evaluate(spec, "Set5", opts, profile=unrounded, save_sr=tmp_path / "sr2")
    (tmp_path / "file").write_text("")
    with pytest.raises(SuiteError, match="file is a file, not a folder"):
        evaluate(spec, "Set5", opts, save_sr=tmp_path / "file")


def test_an_image_that_fails_leaves_no_sr_image(env, tmp_path: Path) -> None:
    spec, opts, folder = env
    sr_dir = tmp_path / "sr"
    evaluate(spec, "Set5", opts, save_sr=sr_dir)
    (folder / "im0.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    r = evaluate(spec, "Set5", replace(opts, allow_modified_data=True), save_sr=sr_dir)
    assert r["partial"] and not (sr_dir / "im0.png").exists()  # the earlier run's is gone
    assert (sr_dir / "im1.png").is_file()


def test_missing_extra_and_mismatched_files_are_named(saved) -> None:
    _, sr_dir, opts = saved
    (sr_dir / "im1.png").unlink()
    (sr_dir / "zebra.png").write_bytes((sr_dir / "im2.png").read_bytes())
    scored = score_folder(sr_dir, "Set5", 2, profile="matlab", data_root=opts.data_root)
    assert scored["partial"] and scored["extra"] == ["zebra.png"]
    reasons = {f["name"]: f["reason"] for f in scored["failed"]}
    assert "has no SR image for im1.png (looked for im1.png" in reasons["im1"]
    # basicsr crops im0 (62×50) to 60×48; matlab (a multiple of 2) keeps 62×50
    assert f"{sr_dir / 'im0.png'} is 60×48 px, but" in reasons["im0"]
    assert "cropped per profile matlab (to a multiple of 2) is 62×50 px" in reasons["im0"]
    assert (
        "profiles that crop the HR image to that size: basicsr, basicsr_matlab_lr, rgb"
        in (reasons["im0"])
    )
    assert [p["name"] for p in scored["per_image"]] == ["im2"]  # 36×48 under both crops
    assert scored["n_images"] == 1 and scored["psnr"] == scored["per_image"][0]["psnr"]


def test_a_suffix_matches_names_made_elsewhere(saved) -> None:
    result, sr_dir, opts = saved
    for png in sorted(sr_dir.iterdir()):
        png.rename(sr_dir / f"{png.stem}_x2_SR.png")
    scored = score_folder(sr_dir, "Set5", 2, data_root=opts.data_root, suffix="_x2_SR")
    assert scored["psnr"] == result["psnr"] and scored["per_image"][0]["file"].endswith("_SR.png")
    with pytest.raises(DatasetError, match=r"no SR image for im0\.png \(looked for im0_x4_SR\."):
        score_folder(sr_dir, "Set5", 2, data_root=opts.data_root, suffix="_x4_SR")


def test_unreadable_and_deep_sr_images_are_named(saved) -> None:
    _, sr_dir, opts = saved
    (sr_dir / "im0.png").write_bytes(b"not a png")
    write_png16(sr_dir / "im1.png", np.zeros((48, 36, 3), np.uint16))
    scored = score_folder(sr_dir, "Set5", 2, data_root=opts.data_root)
    reasons = {f["name"]: f["reason"] for f in scored["failed"]}
    assert "im0.png: cannot decode image" in reasons["im0"]
    assert "im1.png: more than 8 bits per channel" in reasons["im1"]


def test_nothing_to_score_is_an_error(saved, tmp_path: Path) -> None:
    _, sr_dir, opts = saved
    for png in sr_dir.iterdir():
        png.rename(sr_dir / f"other_{png.name}")
    with pytest.raises(DatasetError, match=r"no SR image in .* could be scored against Set5: "):
        score_folder(sr_dir, "Set5", 2, data_root=opts.data_root)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DatasetError, match="holds no images"):
        score_folder(empty, "Set5", 2, data_root=opts.data_root)
    with pytest.raises(SuiteError, match="nowhere does not exist; give the folder"):
        score_folder(tmp_path / "nowhere", "Set5", 2, data_root=opts.data_root)
    with pytest.raises(SuiteError, match=r"--scale 0\.5 is not a usable scale"):
        score_folder(sr_dir, "Set5", 0.5, data_root=opts.data_root)
