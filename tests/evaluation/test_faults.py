"""Every bad input of an evaluation, through the command line: exit code and message, never a
traceback, a silent skip or a number from bad data (issue #10).

Each case breaks the tiny setup of :func:`support.tiny.make_env` one way and runs
``suite eval UP_x2 --dataset Set5`` on it; the table says what ``suite eval`` must answer.
A second table does the same for your own model (``suite eval --arch …``, ``--save-sr``) and for
SR images made elsewhere (``suite score``), issue #9.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from support.tiny import CPU_OOM, Upsampler, identity_checkpoint, make_env, tiny_spec, write_png16

from suite import cli
from suite.evaluation.runner import EvalOptions, evaluate
from suite.models.spec import ModelSpec

ALLOW = ["--allow-modified-data"]


@dataclass
class Setup:
    """The tiny environment a case breaks."""

    tmp: Path
    folder: Path  # the Set5 folder
    spec: ModelSpec
    monkeypatch: pytest.MonkeyPatch
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


def _failing_backend(gm: object, example_inputs: object) -> object:
    """A torch.compile backend that fails as inductor does on a machine without a compiler."""
    raise RuntimeError("InvalidCxxCompiler: No working C++ compiler found in cpp.cxx: ('g++',)")


def _no_compiler(s: Setup) -> None:
    def compile_network(net: torch.nn.Module, dynamic: bool | None = None) -> torch.nn.Module:
        net.compile(backend=_failing_backend, dynamic=dynamic)
        return net

    s.monkeypatch.setattr("suite.evaluation.runner.compile_network", compile_network)
    s.args += ["--compile"]


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
    "output overflows, scored on the device": (_both(_overflow, _flags("--scoring", "torch")), 2,
        ["the output holds NaN or infinite values", "replace the checkpoint"], None),
    "--compile, no C++ compiler": (_no_compiler, 2, ["im0.png: torch.compile could not build "
        "the network on this machine (InvalidCxxCompiler: No working C++ compiler", "run without "
        "--compile"], None),
}  # fmt: skip


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Setup, EvalOptions]:
    """The tiny setup to break, and the options that point at it."""
    spec, opts, folder = make_env(tmp_path, monkeypatch)
    return Setup(tmp_path, folder, spec, monkeypatch), opts


# rows that import torch._dynamo (seconds), and the warning it gives about the tiny model's sleep
COMPILING = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:Dynamo does not know")]


@pytest.mark.parametrize(
    "case", [pytest.param(c, marks=COMPILING) if "--compile" in c else c for c in CASES]
)
def test_bad_input_is_one_clear_line(
    case: str, tiny, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    setup, opts = tiny
    breaks, code, err_fragments, out_fragment = CASES[case]
    breaks(setup)
    monkeypatch.setattr("suite.evaluation.runner.get_spec", lambda _id: setup.spec)
    argv = [
        "eval", "UP_x2", "--dataset", "Set5", "--no-progress",
        "--data-root", str(opts.data_root), "--checkpoint-dir", str(opts.checkpoint_dir),
        "--results-dir", str(opts.results_dir), *setup.args,
    ]  # fmt: skip
    assert cli.main(argv) == code
    _assert_answer(*capsys.readouterr(), err_fragments, out_fragment)


def _assert_answer(out: str, err: str, err_fragments: list[str], out_fragment: str | None) -> None:
    """One clear answer: ``error:`` lines naming the problem, never a traceback, and on stdout
    ``out_fragment`` (None: no number at all)."""
    assert "Traceback" not in err and "internal error" not in err
    assert err.startswith(("error: ", "warning: "))
    for fragment in err_fragments:
        assert fragment in err
    if out_fragment is None:
        assert out == ""
    else:
        assert out_fragment in out


# --------------------------------------------------------------------------- your own model


def _ckpt(s: Setup) -> str:
    """The tiny identity checkpoint of make_env, used as your model's weights."""
    return str(s.tmp / "ckpts" / s.spec.checkpoint.filename)


def _mine(*flags: str, weights: str | None = None) -> Callable[[Setup], list[str]]:
    """``suite eval`` of the tiny Upsampler as your model, with ``flags`` added."""

    def argv(s: Setup) -> list[str]:
        mine = ["eval", "--arch", "support.tiny:Upsampler", "--arch-kwargs", '{"scale": 2}',
                "--weights", weights or "{ckpt}", "--scale", "2", "--name", "MyUp", "--dataset",
                "Set5", "--no-progress", *flags]  # fmt: skip
        return _raw(*mine)(s)

    return argv


def _file(name: str, text: str) -> Callable[[Setup], list[str]]:
    """``suite eval --arch <tmp>/<name>:Net`` of a file holding ``text``."""

    def argv(s: Setup) -> list[str]:
        (s.tmp / name).write_text(text)
        return ["eval", "--arch", f"{s.tmp / name}:Net", "--weights", _ckpt(s), "--scale", "2",
                "--dataset", "Set5"]  # fmt: skip

    return argv


def _weights_file(make: Callable[[Path], None]) -> Callable[[Setup], list[str]]:
    """``suite eval`` of your model with weights made by ``make(path)``."""

    def argv(s: Setup) -> list[str]:
        make(s.tmp / "mine.pth")
        return _mine(weights="{tmp}/mine.pth")(s)

    return argv


def _raw(*args: str) -> Callable[[Setup], list[str]]:
    """A command line as given, ``{ckpt}`` and ``{tmp}`` filled in."""
    return lambda s: [a.replace("{ckpt}", _ckpt(s)).replace("{tmp}", str(s.tmp)) for a in args]


def _then(step: Callable[[Setup], None], argv: Callable[[Setup], list[str]]):
    def run(s: Setup) -> list[str]:
        step(s)
        return argv(s)

    return run


def _forward_fails(s: Setup) -> None:
    Upsampler.fail_on, Upsampler.failure, Upsampler.failure_text = 2, ValueError, "odd shape"


def _saved_sr(s: Setup) -> None:
    """SR images of the tiny model in ``<tmp>/sr``, then one removed and one added."""
    opts = EvalOptions(data_root=s.folder.parent, checkpoint_dir=s.tmp / "ckpts", write=False,
                       progress=False, save_sr=s.tmp / "sr")  # fmt: skip
    evaluate(s.spec, "Set5", opts)
    (s.tmp / "sr" / "im1.png").unlink()
    (s.tmp / "sr" / "zebra.png").write_bytes((s.tmp / "sr" / "im2.png").read_bytes())


SCORE = ["score", "{tmp}/sr", "--dataset", "Set5", "--scale", "2"]

# id -> (command line, exit code, fragments of stderr, fragment of stdout or None)
USER_CASES: dict[str, tuple[Callable[[Setup], list[str]], int, list[str], str | None]] = {
    "--arch without --weights": (_raw("eval", "--arch", "support.tiny:Upsampler", "--scale", "2",
        "--dataset", "Set5"), 2, ["needs --weights (the file its weights are saved in)"], None),
    "--arch without --scale": (_raw("eval", "--arch", "support.tiny:Upsampler", "--weights",
        "{ckpt}", "--dataset", "Set5"), 2, ["needs --scale"], None),
    "--weights without --arch": (_raw("eval", "UP_x2", "--weights", "{ckpt}", "--dataset",
        "Set5"), 2, ["--weights describes your own model: give --arch too"], None),
    "MODEL and --arch": (lambda s: [*_mine()(s)[:1], "UP_x2", *_mine()(s)[1:]], 2,
        ["give either a zoo MODEL (UP_x2) or your own model (--arch), not both"], None),
    "--arch without a class": (_raw("eval", "--arch", "support.tiny", "--weights", "{ckpt}",
        "--scale", "2", "--dataset", "Set5"), 2, ["is not a class reference"], None),
    "--arch file missing": (_raw("eval", "--arch", "{tmp}/gone.py:Net", "--weights", "{ckpt}",
        "--scale", "2", "--dataset", "Set5"), 2, ["gone.py does not exist"], None),
    "--arch module missing": (_raw("eval", "--arch", "no_such_pkg_xyz.net:Net", "--weights",
        "{ckpt}", "--scale", "2", "--dataset", "Set5"), 2,
        ["cannot import module 'no_such_pkg_xyz.net'", "add that folder to PYTHONPATH"], None),
    "--arch import fails": (_file("boom.py", "raise ImportError('needs CUDA')\n"), 2,
        ["boom.py failed: ImportError: needs CUDA (", "boom.py:1)"], None),
    "--arch class missing": (_file("empty.py", "class Other:\n    pass\n"), 2,
        ["has no 'Net' (its classes: Other)"], None),
    "--arch not a network": (_file("fn.py", "def Net(scale=2):\n    return None\n"), 2,
        ["returned a NoneType, not an nn.Module"], None),
    "--arch-kwargs not JSON": (_mine("--arch-kwargs", "{scale: 2}"), 2,
        ["--arch-kwargs is not valid JSON"], None),
    "--arch-kwargs rejected": (_mine("--arch-kwargs", '{"depth": 3}'), 2,
        ['--arch-kwargs {"depth": 3} failed: TypeError', "Upsampler(scale: int = 2)"], None),
    "--weights missing": (_mine(weights="{tmp}/none.pth"), 2, ["none.pth does not exist"], None),
    "--weights not weights": (_weights_file(lambda p: p.write_bytes(b"<html>")), 2,
        ["corrupt or not a PyTorch checkpoint"], None),
    "--weights a pickled module": (_weights_file(lambda p: torch.save(Upsampler(), p)), 2,
        ["save a plain state dict instead"], None),
    "--weights of another net": (_weights_file(lambda p: torch.save({"head.w": torch.ones(1)},
        p)), 2, ["does not fit model 'MyUp'", "give the --arch and --arch-kwargs the weights"],
        None),
    "--weights with NaN": (_weights_file(lambda p: identity_checkpoint(p, bias=float("nan"))), 2,
        ["holds NaN or infinite values", "save a good state again"], None),
    "--name a zoo id": (_mine("--name", "IMDN_x4"), 2, ["--name 'IMDN_x4' is taken by the zoo"],
        None),
    "--name a path": (_mine("--name", "../up"), 2, ["--name '../up' cannot name a file"], None),
    "--input-range 0": (_mine("--input-range", "0"), 2, ["--input-range must be a positive"],
        None),
    "--scale of another net": (_mine("--scale", "4"), 2, ["here ×2"], None),
    "forward raises": (_then(_forward_fails, _mine()), 2, ["your model's forward raised "
        "ValueError: odd shape", "tiny.py:"], None),
    "--save-sr two sets": (_mine("--dataset", "Set14", "--save-sr", "{tmp}/sr"), 2,
        ["--save-sr writes the SR images of one set: give one --dataset"], None),
    "--save-sr a file": (_then(lambda s: (s.tmp / "f").write_text(""), _mine("--save-sr",
        "{tmp}/f")), 2, ["f is a file, not a folder"], None),
    "score: no folder": (_raw(*SCORE), 2, ["sr does not exist; give the folder"], None),
    "score: --scale nan": (_then(_saved_sr, _raw(*SCORE[:-1], "nan")), 2,
        ["--scale nan is not a usable scale"], None),
    "score: unknown set": (_then(_saved_sr, _raw(*SCORE[:3], "Set6", *SCORE[4:])), 2,
        ["unknown dataset 'Set6'"], None),
    "score: missing and extra": (_then(_saved_sr, _raw(*SCORE)), 2, ["warning: 1 file(s) in",
        "zebra.png", "not scored: ", "has no SR image for im1.png", "is PARTIAL: 3 of 4"],
        "PARTIAL: 3 of 4 images"),
    "score: another scale's crop": (_then(_saved_sr, _raw(*SCORE, "--profile", "matlab")), 2,
        ["im0.png is 60×48 px", "profiles that crop the HR image to that size"], "PARTIAL"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(USER_CASES))
def test_bad_input_of_your_model_is_one_clear_line(
    case: str, tiny, capsys: pytest.CaptureFixture
) -> None:
    setup, opts = tiny
    command, code, err_fragments, out_fragment = USER_CASES[case]
    argv = command(setup)
    where = ["--results-dir", str(opts.results_dir)] if argv[0] == "eval" else []
    assert cli.main([*argv, "--data-root", str(opts.data_root), *where]) == code
    _assert_answer(*capsys.readouterr(), err_fragments, out_fragment)
    assert not list(opts.results_dir.rglob("*.json"))  # nothing written for a refused run
