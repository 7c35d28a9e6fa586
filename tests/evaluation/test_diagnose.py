"""Convention diagnosis finds the profile that produced a published number."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from support.tiny import identity_checkpoint, make_env, tiny_spec

from suite.errors import DatasetError, SuiteError
from suite.evaluation import diagnose as diag
from suite.evaluation.runner import EvalOptions, evaluate
from suite.reporting.diagnosis import diagnosis_markdown
from suite.results.reference import ReferenceRow


@pytest.mark.parametrize("profile", ["basicsr", "matlab_y_uint8"])
def test_diagnosis_ranks_the_true_profile_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, profile: str
) -> None:
    spec, opts, _ = make_env(tmp_path, monkeypatch)
    truth = evaluate(spec, "Set5", replace(opts, profile=profile, write=False))
    row = ReferenceRow("P", "T", "UP", spec.id, 2, "Set5", round(truth["psnr"], 6),
                       round(truth["ssim"], 6), None, None, "", "synthetic",
                       psnr_decimals=6, ssim_decimals=6)  # fmt: skip
    monkeypatch.setattr(diag, "load_all", lambda: [row])
    result = diag.diagnose(spec, "Set5", EvalOptions(**{**opts.__dict__}))
    best = result["variants"][0]
    assert best["profile"] == profile
    assert best["distance"] < 1
    assert len(result["variants"]) == 2 * 2 * 3 * 3 * 2
    md = diagnosis_markdown(result)
    assert re.search(r"^\| 1 +\|", md, re.M) and profile in md.splitlines()[6]


def test_distance_units_follow_printed_precision() -> None:
    row = ReferenceRow("P", "T", "M", "M", 4, "Set5", 32.53, 0.8993, None, None, "", "n")
    assert diag.distance_units(row) == (0.005, 0.0002)
    assert diag.distance(0.01, None, 0.005, 0.0002) == pytest.approx(2.0)


def test_diagnosis_refuses_non_finite_output_and_tiny_images(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, opts, folder = make_env(tmp_path, monkeypatch)
    monkeypatch.setattr(diag, "load_all", lambda: [])
    ckpt = tmp_path / "overflow" / "up_x2.pth"
    identity_checkpoint(ckpt, gain=3e38, bias=3e38)
    broken = replace(opts, checkpoint_dir=ckpt.parent)
    with pytest.raises(SuiteError, match=rf"UP_x2 on {folder / 'im0.png'}: the output holds NaN"):
        diag.diagnose(tiny_spec(ckpt), "Set5", broken)
    Image.fromarray(np.zeros((30, 30, 3), np.uint8)).save(folder / "small.png")
    # fine for the profile's 2 px border, too small for EDSR's legacy 2 + 6
    with pytest.raises(DatasetError, match=r"small\.png is 30×30 px: .* shaved by 8 px"):
        diag.diagnose(tiny_spec(opts.checkpoint_dir / "up_x2.pth"), "Set5",
                      replace(opts, allow_modified_data=True))  # fmt: skip
