"""``suite score SR_DIR``: SR images made elsewhere scored like ``suite eval`` scores its own.

The SR images come from ``suite eval --save-sr`` on the tiny setup; the command must print the
evaluation's numbers, as text and as JSON. Its bad inputs are rows of
tests/evaluation/test_faults.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.tiny import make_env

from suite import cli


def test_score_prints_the_numbers_of_the_eval_that_saved_the_images(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    spec, opts, _ = make_env(tmp_path, monkeypatch)
    monkeypatch.setattr("suite.evaluation.runner.get_spec", lambda _id: spec)
    sr_dir, data = tmp_path / "sr", ["--data-root", str(opts.data_root)]
    eval_argv = ["eval", "UP_x2", "--dataset", "Set5", "--json", "--no-progress", "--no-write"]
    eval_argv += ["--checkpoint-dir", str(opts.checkpoint_dir), "--save-sr", str(sr_dir), *data]
    assert cli.main(eval_argv) == 0
    evaluated = json.loads(capsys.readouterr().out)
    assert cli.main(["score", str(sr_dir), "--dataset", "set5", "--scale", "2", *data]) == 0
    out = capsys.readouterr().out
    assert out == (
        f"{sr_dir} ×2 Set5 [basicsr]: PSNR {evaluated['psnr']:.4f} dB  SSIM "
        f"{evaluated['ssim']:.4f}  (4 images, data verified)\n"
    )
    argv = ["score", str(sr_dir), "--dataset", "Set5", "--scale", "2", "--json", *data]
    assert cli.main(argv) == 0
    scored = json.loads(capsys.readouterr().out)
    assert abs(scored["psnr"] - evaluated["psnr"]) <= 1e-9
    assert [p["ssim"] for p in scored["per_image"]] == [p["ssim"] for p in evaluated["per_image"]]
    assert scored["data"]["manifest"]["status"] == "verified" and scored["failed"] == []
