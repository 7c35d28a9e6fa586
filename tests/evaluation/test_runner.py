"""The evaluation runner end to end on a tiny synthetic model and dataset.

Covers result files and keys, resuming after an interruption, out-of-memory handling, and the
runner's refusal of missing, altered or corrupt images (the manifests' own tests are in
tests/data/).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from support.tiny import Upsampler, make_env

from suite.errors import DatasetError, SuiteError
from suite.evaluation.runner import EvalOptions, evaluate


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    return make_env(tmp_path, monkeypatch)


def test_result_files_and_keys(env) -> None:
    spec, opts, _ = env
    r = evaluate(spec, "Set5", opts)
    for key in ("model", "scale", "dataset", "profile", "psnr", "ssim", "n_images", "per_image"):
        assert key in r
    assert r["n_images"] == 4 and r["scale"] == 2 and r["profile"] == "basicsr"
    assert {"name", "psnr", "ssim"} <= set(r["per_image"][0])
    assert r["profile_spec"]["gt_crop"] == "mod12"
    assert r["checkpoint"]["sha256"] == spec.checkpoint.sha256
    assert r["data"]["manifest"]["status"] == "verified"
    assert r["env"]["torch"] == torch.__version__
    out = opts.results_dir / "UP_x2" / "Set5__basicsr.json"
    assert json.loads(out.read_text())["psnr"] == pytest.approx(r["psnr"])
    assert out.with_suffix(".csv").read_text().count("\n") == 5
    # mean of per-image values, and bicubic of a bicubic-downscaled image scores sensibly
    assert r["psnr"] == pytest.approx(np.mean([p["psnr"] for p in r["per_image"]]))
    assert 15 < r["psnr"] < 60 and 0 < r["ssim"] <= 1


def test_grey_image_scored_as_rgb(env) -> None:
    spec, opts, _ = env
    r = evaluate(spec, "Set5", opts)
    grey = next(p for p in r["per_image"] if p["name"] == "im3")
    assert grey["hr_shape"] == [36, 36, 3]  # 40×40 cropped to a multiple of 12


def test_finished_result_is_reused(env) -> None:
    spec, opts, _ = env
    evaluate(spec, "Set5", opts)
    calls = Upsampler.calls
    evaluate(spec, "Set5", opts)
    assert Upsampler.calls == calls  # nothing recomputed
    forced = EvalOptions(**{**opts.__dict__, "force": True})
    evaluate(spec, "Set5", forced)
    assert Upsampler.calls == calls + 4


def _interrupted_after_two_images(spec, opts: EvalOptions) -> Path:
    """Ctrl-C while the third image runs; returns the partial log left behind."""
    Upsampler.fail_on, Upsampler.failure = 3, KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        evaluate(spec, "Set5", opts)
    Upsampler.fail_on, Upsampler.calls = None, 0
    return opts.results_dir / "UP_x2" / "partial" / "Set5__basicsr.jsonl"


def test_interrupted_run_resumes(env) -> None:
    spec, opts, _ = env
    partial = _interrupted_after_two_images(spec, opts)
    assert len(partial.read_text().splitlines()) == 1 + 2  # header + two finished images
    r = evaluate(spec, "Set5", opts)
    assert Upsampler.calls == 2  # only the two missing images
    assert r["n_images"] == 4
    assert not partial.exists()
    full = evaluate(spec, "Set5", EvalOptions(**{**opts.__dict__, "force": True, "write": False}))
    assert r["psnr"] == pytest.approx(full["psnr"], abs=1e-12)


def test_cut_off_partial_line_is_dropped(env) -> None:
    spec, opts, _ = env
    partial = _interrupted_after_two_images(spec, opts)
    partial.write_text(partial.read_text() + '{"name": "im2", "psn')  # a crash mid-write
    assert evaluate(spec, "Set5", opts)["n_images"] == 4
    assert Upsampler.calls == 2


def test_out_of_memory_names_image_and_keeps_work(env) -> None:
    spec, opts, folder = env
    Upsampler.fail_on, Upsampler.failure = 2, RuntimeError
    with pytest.raises(SuiteError) as err:
        evaluate(spec, "Set5", opts)
    msg = str(err.value)
    assert "out of memory" in msg and str(folder / "im1.png") in msg and "resume" in msg
    partial = opts.results_dir / "UP_x2" / "partial" / "Set5__basicsr.jsonl"
    assert len(partial.read_text().splitlines()) == 2


def test_altered_image_is_named(env) -> None:
    spec, opts, folder = env
    img = np.asarray(Image.open(folder / "im1.png")).copy()
    img[0, 0, 0] ^= 1
    Image.fromarray(img).save(folder / "im1.png")
    with pytest.raises(DatasetError, match=r"im1\.png.*--allow-modified-data"):
        evaluate(spec, "Set5", opts)
    allowed = EvalOptions(**{**opts.__dict__, "allow_modified_data": True})
    r = evaluate(spec, "Set5", allowed)
    assert r["data"]["manifest"]["status"] == "modified"
    assert r["data"]["manifest"]["modified"] == ["im1.png"]


def test_missing_image_and_missing_dataset(env) -> None:
    spec, opts, folder = env
    (folder / "im2.png").unlink()
    with pytest.raises(DatasetError, match="missing: im2"):
        evaluate(spec, "Set5", opts)
    with pytest.raises(DatasetError, match="Set14 not found"):
        evaluate(spec, "Set14", opts)


def test_corrupt_image_is_named(env) -> None:
    spec, opts, folder = env
    (folder / "im0.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    allowed = EvalOptions(**{**opts.__dict__, "allow_modified_data": True})
    with pytest.raises(DatasetError, match=r"im0\.png: cannot decode"):
        evaluate(spec, "Set5", allowed)


def test_wrong_scale_checkpoint_is_reported(env) -> None:
    spec, opts, _ = env
    from dataclasses import replace

    wrong = replace(spec, id="UP_x3", scale=3)  # an ×2 network under an ×3 id
    with pytest.raises(SuiteError, match="scale"):
        evaluate(wrong, "Set5", opts)


def test_no_write_leaves_no_files(env) -> None:
    spec, opts, _ = env
    evaluate(spec, "Set5", EvalOptions(**{**opts.__dict__, "write": False}))
    assert not Path(opts.results_dir).exists()
    calls = Upsampler.calls
    evaluate(spec, "Set5", EvalOptions(**{**opts.__dict__, "write": False}))
    assert Upsampler.calls == 2 * calls  # nothing cached between runs that do not write
