"""Every bad input of an evaluation, through the command line: exit code and message, never a
traceback, a silent skip or a number from bad data (issue #10).

Each case breaks the tiny setup of :func:`support.tiny.make_env` one way and runs
``suite eval UP_x2 --dataset Set5`` on it; the table says what ``suite eval`` must answer.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from support.tiny import CPU_OOM, Upsampler, identity_checkpoint, make_env, tiny_spec, write_png16

from suite import cli
from suite.models.spec import ModelSpec

ALLOW = ["--allow-modified-data"]


@dataclass
class Setup:
    """The tiny environment a case breaks."""

    tmp: Path
    folder: Path  # the Set5 folder
    spec: ModelSpec
    args: list[str] = field(default_factory=list)  # flags the case adds


def _corrupt(s: Setup) -> None:
    (s.folder / "im0.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")


def _save(s: Setup, name: str, array: np.ndarray) -> None:
    Image.fromarray(array).save(s.folder / name)


def _rgb16(s: Setup) -> None:
    write_png16(s.folder / "deep.png", np.arange(2700, dtype=np.uint16).reshape(30, 30, 3) * 20)


def _grey16(s: Setup) -> None:
    _save(s, "deep.png", (np.arange(900, dtype=np.uint16).reshape(30, 30) * 70))


def _same_stem(s: Setup) -> None:
    Image.open(s.folder / "im1.png").save(s.folder / "im1.bmp")


def _dangling(s: Setup) -> None:
    os.symlink(s.tmp / "gone.png", s.folder / "link.png")


def _loop(s: Setup) -> None:
    os.symlink("loop_b.png", s.folder / "loop_a.png")
    os.symlink("loop_a.png", s.folder / "loop_b.png")


def _results_dir_is_a_file(s: Setup) -> None:
    (s.tmp / "taken").write_text("")
    s.args += ["--results-dir", str(s.tmp / "taken")]


def _cache_dir_is_a_file(s: Setup) -> None:
    (s.tmp / "taken").write_text("")
    s.args += ["--cache-dir", str(s.tmp / "taken")]


def _cpu_oom(s: Setup) -> None:
    Upsampler.fail_on, Upsampler.failure, Upsampler.failure_text = 2, RuntimeError, CPU_OOM


def _nan_weights(s: Setup) -> None:
    ckpt = s.tmp / "nan" / "up_x2.pth"
    identity_checkpoint(ckpt, bias=float("nan"))
    s.spec, s.args = tiny_spec(ckpt), [*s.args, "--checkpoint-dir", str(ckpt.parent)]


def _overflow(s: Setup) -> None:
    ckpt = s.tmp / "inf" / "up_x2.pth"
    identity_checkpoint(ckpt, gain=3e38, bias=3e38)
    s.spec, s.args = tiny_spec(ckpt), [*s.args, "--checkpoint-dir", str(ckpt.parent)]


def _altered(s: Setup) -> None:
    img = np.asarray(Image.open(s.folder / "im1.png")).copy()
    img[0, 0, 0] ^= 1
    Image.fromarray(img).save(s.folder / "im1.png")


def _flags(*args: str) -> Callable[[Setup], None]:
    def add(s: Setup) -> None:
        s.args += list(args)

    return add


def _both(*steps: Callable[[Setup], None]) -> Callable[[Setup], None]:
    def run(s: Setup) -> None:
        for step in steps:
            step(s)

    return run


# id -> (break the setup, exit code, fragments of stderr, fragment of stdout or None)
CASES: dict[str, tuple[Callable[[Setup], None], int, list[str], str | None]] = {
    "corrupt image, verified set": (_corrupt, 2, ["differs from manifest: im0.png",
        "im0.png: cannot decode", "--allow-modified-data"], None),
    "corrupt image, partial": (_both(_corrupt, _flags(*ALLOW)), 2, ["not scored: ",
        "im0.png: cannot decode", "is PARTIAL: 3 of 4 images"], "PARTIAL: 3 of 4 images"),
    "corrupt image, --strict": (_both(_corrupt, _flags(*ALLOW, "--strict")), 2,
        ["im0.png: cannot decode image"], None),
    "altered image": (_altered, 2, ["differs from manifest: im1.png", "--allow-modified-data"],
        None),
    "16-bit RGB": (_both(_rgb16, _flags(*ALLOW)), 2, ["deep.png: more than 8 bits per channel",
        "convert it to 8-bit"], "PARTIAL: 4 of 5 images"),
    "16-bit grey": (_both(_grey16, _flags(*ALLOW)), 2, ["deep.png: more than 8 bits per channel",
        "convert it to 8-bit"], "PARTIAL: 4 of 5 images"),
    "smaller than the scale": (_both(lambda s: _save(s, "dot.png", np.zeros((1, 1, 3), np.uint8)),
        _flags(*ALLOW)), 2, ["dot.png is 1×1 px, smaller than the ×2 scale"], "PARTIAL"),
    "smaller than the SSIM window": (_both(lambda s: _save(s, "tiny.png",
        np.zeros((20, 30, 3), np.uint8)), _flags(*ALLOW)), 2,
        ["tiny.png is 30×20 px: cropped to 24×12", "11×11 SSIM window"], "PARTIAL"),
    "same stem twice": (_same_stem, 2, ["two files for one image (im1.bmp and im1.png)"], None),
    "dangling link": (_both(_dangling, _flags(*ALLOW)), 2,
        ["link.png: dangling symbolic link", "fix the link or remove it"], "PARTIAL"),
    "symlink loop": (_both(_loop, _flags(*ALLOW)), 2, ["loop_a.png: symbolic link loop",
        "loop_b.png: symbolic link loop"], "PARTIAL: 4 of 6 images"),
    "--scale nan": (_flags("--scale", "nan"), 2, ["--scale nan is not a usable scale"], None),
    "--scale inf": (_flags("--scale", "inf"), 2, ["--scale inf is not a usable scale"], None),
    "--scale 0": (_flags("--scale", "0"), 2, ["--scale 0 is not a usable scale"], None),
    "--scale -2": (_flags("--scale", "-2"), 2, ["--scale -2 is not a usable scale"], None),
    "--scale 1e9": (_flags("--scale", "1e9"), 2, ["--scale 1e+09 is not a usable scale"], None),
    "--scale 3 (fixed ×2)": (_flags("--scale", "3"), 2, ["fixed ×2 model"], None),
    "--device tpu": (_flags("--device", "tpu"), 2, ["unsupported device 'tpu'"], None),
    "--device mps": (_flags("--device", "mps"), 2, ["unsupported device 'mps'"], None),
    "results dir is a file": (_results_dir_is_a_file, 2, ["taken is a file, not a folder"],
        None),
    "cache dir is a file": (_cache_dir_is_a_file, 2, ["taken is a file, not a folder"], None),
    "CPU out of memory": (_cpu_oom, 2, ["ran out of memory on", "im1.png on cpu",
        "rerun to resume"], None),
    "NaN weights": (_nan_weights, 2, ["NaN"], None),
    "output overflows": (_overflow, 2, ["the output holds NaN or infinite values",
        "replace the checkpoint"], None),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_one_clear_line(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    spec, opts, folder = make_env(tmp_path, monkeypatch)
    setup = Setup(tmp_path, folder, spec)
    breaks, code, err_fragments, out_fragment = CASES[case]
    breaks(setup)
    monkeypatch.setattr("suite.evaluation.runner.get_spec", lambda _id: setup.spec)
    argv = [
        "eval", "UP_x2", "--dataset", "Set5", "--no-progress",
        "--data-root", str(opts.data_root), "--checkpoint-dir", str(opts.checkpoint_dir),
        "--results-dir", str(opts.results_dir), *setup.args,
    ]  # fmt: skip
    assert cli.main(argv) == code
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err
    assert err.startswith("error: ")
    for fragment in err_fragments:
        assert fragment in err
    if out_fragment is None:
        assert out == ""  # no number at all
    else:
        assert out_fragment in out
