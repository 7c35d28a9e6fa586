"""``suite eval``: JSON output, errors as one line without a traceback, and your own model
(``--arch``, ``--save-sr``); its bad inputs are rows of tests/evaluation/test_faults.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.tiny import make_env

from suite import cli


def test_json_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    assert cli.main(_tiny_eval(tmp_path, monkeypatch)) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["model"] == "UP_x2" and out["n_images"] == 4
    assert [p["name"] for p in out["per_image"]] == ["im0", "im1", "im2", "im3"]
    assert out["mode"] == {"scoring": "numpy", "compile": False}  # a CPU's default


def _tiny_eval(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """``suite eval UP_x2 --dataset Set5 --json`` on the tiny setup."""
    spec, opts, _ = make_env(tmp_path, monkeypatch)
    monkeypatch.setattr("suite.evaluation.runner.get_spec", lambda _id: spec)
    return [
        "eval", "UP_x2", "--dataset", "Set5", "--json", "--no-progress",
        "--data-root", str(opts.data_root), "--checkpoint-dir", str(opts.checkpoint_dir),
        "--results-dir", str(opts.results_dir),
    ]  # fmt: skip


def test_compile_and_scoring_are_recorded_and_keyed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """``--compile`` compiles the loaded network (stubbed here: compiling takes seconds; the
    real one is tests/evaluation/test_compile.py) and ``--scoring torch`` scores in torch; both
    are in the result and its run key."""
    compiled = []
    monkeypatch.setattr(
        "suite.evaluation.runner.compile_network", lambda net, dynamic: compiled.append(dynamic)
    )
    argv = _tiny_eval(tmp_path, monkeypatch)
    assert cli.main([*argv, "--compile", "--scoring", "torch"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert compiled == [True]  # one kernel set for every image size
    assert out["mode"] == out["run_key"]["mode"] == {"scoring": "torch", "compile": True}
    with pytest.raises(SystemExit):
        cli.main([*argv, "--scoring", "gpu"])
    assert "argument --scoring: invalid choice: 'gpu'" in capsys.readouterr().err


def test_errors_are_one_line_without_traceback(capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["eval", "NO_SUCH_MODEL", "--dataset", "Set5"]) == 2
    assert capsys.readouterr().err.startswith("error: unknown model 'NO_SUCH_MODEL'.")
    with pytest.raises(SystemExit) as usage:  # argparse rejects a bad choice itself
        cli.main(["eval", "EIMN_A_x4", "--dataset", "Set5", "--profile", "nope"])
    assert usage.value.code == 2
    assert "invalid choice: 'nope'" in capsys.readouterr().err


# --------------------------------------------------------------------------- your own model

STANDALONE = '''
import torch.nn.functional as F
from torch import nn


class Bicubic(nn.Module):
    """Bicubic upsampling and a 1×1 colour mix: the tiny zoo-like model, written elsewhere."""

    def __init__(self, scale=2):
        super().__init__()
        self.scale, self.mix = scale, nn.Conv2d(3, 3, 1)

    def forward(self, x):
        return self.mix(F.interpolate(x, scale_factor=self.scale, mode="bicubic"))
'''


def _json_eval(capsys: pytest.CaptureFixture, *argv: str) -> dict:
    assert cli.main(["eval", *argv, "--dataset", "Set5", "--json", "--no-progress"]) == 0
    return json.loads(capsys.readouterr().out)


def test_your_model_from_a_file_outside_the_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    spec, opts, _ = make_env(tmp_path, monkeypatch)
    monkeypatch.setattr("suite.evaluation.runner.get_spec", lambda _id: spec)
    where = ["--data-root", str(opts.data_root), "--results-dir", str(opts.results_dir)]
    zoo = _json_eval(capsys, "UP_x2", "--checkpoint-dir", str(opts.checkpoint_dir), *where)
    model = tmp_path / "elsewhere" / "bicubic.py"
    model.parent.mkdir()
    model.write_text(STANDALONE)
    weights = opts.checkpoint_dir / spec.checkpoint.filename
    mine = _json_eval(
        capsys, "--arch", f"{model}:Bicubic", "--arch-kwargs", '{"scale": 2}', "--weights",
        str(weights), "--scale", "2", *where,
    )  # fmt: skip
    assert mine["model"] == "Bicubic_x2" and mine["arch"] == f"{model}:Bicubic"
    assert mine["user_model"]["source_file"] == str(model)
    assert [(p["psnr"], p["ssim"]) for p in mine["per_image"]] == [
        (p["psnr"], p["ssim"]) for p in zoo["per_image"]
    ]
    assert (opts.results_dir / "Bicubic_x2" / "Set5__basicsr.json").is_file()
    sr_dir = tmp_path / "sr"
    argv = ["eval", "--arch", f"{model}:Bicubic", "--weights", str(weights), "--scale", "2"]
    assert (
        cli.main([*argv, "--dataset", "Set5", "--no-progress", "--save-sr", str(sr_dir), *where])
        == 0
    )
    out = capsys.readouterr().out
    assert (
        out.startswith("Bicubic_x2 ×2 Set5 [basicsr]: PSNR ")
        and f"wrote 4 SR images to {sr_dir}" in out
    )


@pytest.mark.slow
@pytest.mark.shared
def test_a_zoo_architecture_as_your_model_gives_the_zoo_numbers(
    tmp_path: Path, shared_datasets: Path, shared_checkpoints: Path, capsys: pytest.CaptureFixture
) -> None:
    """IMDN_x4 through `--arch suite.models.archs.imdn:IMDN` with the shared checkpoint: the
    zoo entry's PSNR/SSIM on Set5 to 1e-9 dB (measured: identical, Δ = 0)."""
    where = ["--data-root", str(shared_datasets), "--results-dir", str(tmp_path / "results"),
             "--cache-dir", str(tmp_path / "cache"), "--profile", "matlab"]  # fmt: skip
    zoo = _json_eval(capsys, "IMDN_x4", "--checkpoint-dir", str(shared_checkpoints), *where)
    mine = _json_eval(
        capsys, "--arch", "suite.models.archs.imdn:IMDN", "--arch-kwargs", '{"scale": 4}',
        "--weights", str(shared_checkpoints / "imdn" / "IMDN_x4.pth"), "--scale", "4",
        "--name", "MyIMDN_x4", *where,
    )  # fmt: skip
    assert abs(mine["psnr"] - zoo["psnr"]) <= 1e-9 and abs(mine["ssim"] - zoo["ssim"]) <= 1e-9
    for a, b in zip(mine["per_image"], zoo["per_image"], strict=True):
        assert abs(a["psnr"] - b["psnr"]) <= 1e-9 and abs(a["ssim"] - b["ssim"]) <= 1e-9
    assert mine["checkpoint"]["sha256"] == zoo["checkpoint"]["sha256"]
    assert (mine["family"], zoo["family"]) == ("user", "IMDN")
