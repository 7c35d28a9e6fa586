"""The evaluation runner end to end on a tiny synthetic model and dataset.

Covers result files and keys, resuming after an interruption, out-of-memory handling, the
runner's refusal of missing or altered images (the manifests' own tests are in tests/data/),
reuse by content, partial runs, non-finite output, the run lock, and the pipelined loop (the
next image read in the background, scoring on the device, the mode in the key). Every bad input
through the command line is in test_faults.py; several processes at once in test_concurrency.py.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from support.tiny import CPU_OOM, Upsampler, identity_checkpoint, make_env, tiny_spec

from suite.data.imageio import read_rgb
from suite.data.manifests import pixel_hashes, pixels_sha256
from suite.errors import DatasetError, SuiteError
from suite.evaluation.runner import EvalOptions, evaluate, result_file
from suite.files import run_lock


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


def test_corrupt_image_makes_a_partial_result(env) -> None:
    spec, opts, folder = env
    (folder / "im0.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    allowed = replace(opts, allow_modified_data=True)
    r = evaluate(spec, "Set5", allowed)
    assert r["partial"] is True and r["n_images"] == 3
    assert [p["name"] for p in r["per_image"]] == ["im1", "im2", "im3"]
    (failed,) = r["failed"]
    assert failed["name"] == "im0" and failed["file"] == str(folder / "im0.png")
    assert "im0.png: cannot decode" in failed["reason"]
    assert r["psnr"] == pytest.approx(np.mean([p["psnr"] for p in r["per_image"]]))
    stored = json.loads((opts.results_dir / "UP_x2" / "Set5__basicsr.json").read_text())
    assert stored["partial"] is True and stored["failed"] == r["failed"]
    calls = Upsampler.calls
    assert evaluate(spec, "Set5", allowed)["partial"]  # a partial result is never reused
    assert Upsampler.calls == calls + 3
    with pytest.raises(DatasetError, match=r"im0\.png: cannot decode"):
        evaluate(spec, "Set5", replace(allowed, strict=True))


def test_a_set_with_no_scorable_image_is_an_error(env) -> None:
    spec, opts, folder = env
    for f in folder.iterdir():
        f.write_bytes(b"not an image")
    with pytest.raises(DatasetError, match=r"no image of Set5 .* could be scored: .*im0\.png"):
        evaluate(spec, "Set5", replace(opts, allow_modified_data=True))


def test_wrong_scale_checkpoint_is_reported(env) -> None:
    spec, opts, _ = env
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


# --------------------------------------------------------------------------- reuse by content


def _repaint(path: Path) -> None:
    """Replace an image by one of the same size with other pixels."""
    img = np.asarray(Image.open(path))
    Image.fromarray(np.roll(img, 5, axis=1)).save(path)


@pytest.mark.parametrize("manifest", ["none", "allow-modified"])
def test_a_replaced_image_is_scored_again(env, monkeypatch, manifest: str) -> None:
    spec, opts, folder = env
    if manifest == "none":  # a set without manifest: nothing else would notice
        monkeypatch.setenv("SUITE_MANIFEST_DIR", str(folder.parent / "no-manifests"))
    opts = replace(opts, allow_modified_data=True)
    first = evaluate(spec, "Set5", opts)
    _repaint(folder / "im1.png")
    calls = Upsampler.calls
    second = evaluate(spec, "Set5", opts)
    assert Upsampler.calls == calls + 4  # not the old number
    before, after = (next(p for p in r["per_image"] if p["name"] == "im1") for r in (first, second))
    assert before["hr_sha256"] != after["hr_sha256"] and before["psnr"] != after["psnr"]
    fresh = evaluate(spec, "Set5", replace(opts, force=True, write=False))
    assert second["psnr"] == fresh["psnr"]


def test_results_record_the_pixels_they_come_from(env) -> None:
    spec, opts, folder = env
    r = evaluate(spec, "Set5", opts)
    for row in r["per_image"]:
        assert row["hr_sha256"] == pixel_hashes(folder / f"{row['name']}.png").pixels
        assert r["run_key"]["images"][row["name"]] == row["hr_sha256"]
        (lr_file,) = Path(opts.cache_dir or os.environ["SUITE_CACHE_DIR"]).rglob(
            f"{row['name']}.*.png"
        )
        assert row["lr_sha256"] == pixels_sha256(read_rgb(lr_file))
        assert lr_file.name.endswith(f".{row['lr_sha256'][:16]}.png")
    csv_header = (opts.results_dir / "UP_x2" / "Set5__basicsr.csv").read_text().splitlines()[0]
    assert "name" in csv_header


def test_a_damaged_stored_result_is_recomputed(env, capsys) -> None:
    spec, opts, _ = env
    evaluate(spec, "Set5", opts)
    final = opts.results_dir / "UP_x2" / "Set5__basicsr.json"
    final.write_text(final.read_text()[:100])  # truncated
    calls = Upsampler.calls
    r = evaluate(spec, "Set5", opts)
    assert Upsampler.calls == calls + 4 and json.loads(final.read_text())["psnr"] == r["psnr"]
    assert str(final) in capsys.readouterr().err


def test_an_image_changed_during_the_run_is_not_scored(env, monkeypatch) -> None:
    spec, opts, folder = env
    from suite.evaluation import runner

    plan = runner.plan_run

    def plan_then_change(*args, **kwargs):
        run = plan(*args, **kwargs)
        _repaint(folder / "im2.png")  # after the key was computed, before scoring
        return run

    monkeypatch.setattr(runner, "plan_run", plan_then_change)
    r = evaluate(spec, "Set5", replace(opts, allow_modified_data=True))
    assert r["partial"] and r["failed"][0]["name"] == "im2"
    assert "changed while the run was going" in r["failed"][0]["reason"]


# --------------------------------------------------------------------------- wrong numbers


def test_non_finite_output_is_an_error_not_a_score(env, tmp_path: Path) -> None:
    _, opts, folder = env
    ckpt = tmp_path / "overflow" / "up_x2.pth"
    identity_checkpoint(ckpt, gain=3e38, bias=3e38)  # finite weights, infinite output
    with pytest.raises(SuiteError) as err:
        evaluate(tiny_spec(ckpt), "Set5", replace(opts, checkpoint_dir=ckpt.parent))
    msg = str(err.value)
    assert msg.startswith(f"UP_x2 (up_x2.pth) on {folder / 'im0.png'}: the output holds NaN")
    assert "replace the checkpoint" in msg
    assert not (opts.results_dir / "UP_x2" / "Set5__basicsr.json").exists()


def test_cpu_out_of_memory_keeps_work(env) -> None:
    spec, opts, _ = env
    Upsampler.fail_on, Upsampler.failure = 3, RuntimeError
    Upsampler.failure_text = CPU_OOM
    with pytest.raises(SuiteError, match=r"out of memory .* on cpu\. Images already scored \(2\)"):
        evaluate(spec, "Set5", opts)
    Upsampler.fail_on = None
    evaluate(spec, "Set5", opts)
    assert Upsampler.calls == 3 + 2  # resumed: only the two images not yet scored


# --------------------------------------------------------------------------- one process per run


def test_the_lock_is_per_run(env) -> None:
    spec, opts, _ = env
    held = result_file(spec, "Set5", opts)
    assert held == opts.results_dir / "UP_x2" / "Set5__basicsr.json"
    with run_lock(held):  # another process computing the basicsr run…
        r = evaluate(spec, "Set5", replace(opts, profile="matlab"))  # …does not hold this one up
    assert r["profile"] == "matlab"
    with run_lock(held, timeout_s=0):  # and the run released its own lock
        pass


# --------------------------------------------------------------------------- the pipelined loop


def test_the_next_image_is_read_while_the_current_one_runs(env, monkeypatch) -> None:
    """On a GPU (here: the CPU told it is one), each forward pass waits (up to 10 s) for the
    next image's read to have started in the background: a loop that reads only after the
    forward would time out here."""
    spec, opts, _ = env
    from suite.evaluation import runner

    monkeypatch.setattr(runner, "background_threads", lambda device: True)

    names = ["im0", "im1", "im2", "im3"]
    reading = {name: threading.Event() for name in names}
    readers: set[str] = set()
    read, forward = runner.load_pair, runner.forward_sr

    def load_pair(ds, name, *args, **kwargs):
        readers.add(threading.current_thread().name)
        reading[name].set()
        return read(ds, name, *args, **kwargs)

    overlapped = []

    def forward_sr(net, x, scale, input_range, out_hw, what, user):
        current = next(n for n in names if f"{n}.png" in what)
        following = names[names.index(current) + 1 : names.index(current) + 2]
        overlapped.extend(reading[n].wait(timeout=10) for n in following)
        return forward(net, x, scale, input_range, out_hw, what, user)

    monkeypatch.setattr(runner, "load_pair", load_pair)
    monkeypatch.setattr(runner, "forward_sr", forward_sr)
    r = evaluate(spec, "Set5", replace(opts, write=False))
    assert r["n_images"] == 4 and overlapped == [True, True, True]
    assert {name.split("_")[0] for name in readers} == {"suite-prefetch"}


def test_on_a_cpu_every_step_runs_in_the_loops_thread(env, monkeypatch) -> None:
    """The network uses every core of a CPU: reading and scoring run in turn, in this thread."""
    spec, opts, _ = env
    from suite.evaluation import runner

    threads: set[str] = set()

    def noted(fn):
        def call(*args, **kwargs):
            threads.add(threading.current_thread().name)
            return fn(*args, **kwargs)

        return call

    monkeypatch.setattr(runner, "load_pair", noted(runner.load_pair))
    monkeypatch.setattr(runner, "_score_on_host", noted(runner._score_on_host))
    assert evaluate(spec, "Set5", replace(opts, write=False))["n_images"] == 4
    assert threads == {threading.main_thread().name}


@pytest.mark.parametrize("profile", ["basicsr", "matlab_y_uint8", "rgb"])
def test_scoring_on_the_device_equals_the_numpy_reference(env, profile: str) -> None:
    spec, opts, _ = env
    opts = replace(opts, profile=profile, write=False)
    numpy_run = evaluate(spec, "Set5", opts)
    torch_run = evaluate(spec, "Set5", replace(opts, scoring="torch"))
    assert numpy_run["mode"] == {"scoring": "numpy", "compile": False}  # a CPU's default
    assert torch_run["mode"] == {"scoring": "torch", "compile": False}
    for a, b in zip(numpy_run["per_image"], torch_run["per_image"], strict=True):
        assert abs(a["psnr"] - b["psnr"]) <= 1e-9 and abs(a["ssim"] - b["ssim"]) <= 1e-9
        assert (a["hr_sha256"], a["lr_sha256"]) == (b["hr_sha256"], b["lr_sha256"])


def test_a_mode_other_than_the_default_is_part_of_the_key(env) -> None:
    spec, opts, _ = env
    plain = evaluate(spec, "Set5", opts)
    assert "mode" not in plain["run_key"]  # results written before #11 keep their keys
    calls = Upsampler.calls
    scored = evaluate(spec, "Set5", replace(opts, scoring="torch"))
    assert Upsampler.calls == calls + 4  # not answered with the numpy-scored result
    assert scored["run_key"]["mode"] == {"scoring": "torch", "compile": False}
    assert evaluate(spec, "Set5", replace(opts, scoring="torch")) == scored  # reused
    assert Upsampler.calls == calls + 4
    with pytest.raises(SuiteError, match="scoring must be one of numpy, torch, not 'gpu'"):
        evaluate(spec, "Set5", replace(opts, scoring="gpu"))


def test_scoring_on_the_device_keeps_work_and_refuses_nan(env, tmp_path: Path) -> None:
    """The deferred scores keep the loop's guarantees: Ctrl-C keeps every image already
    scored (then resumes), and a non-finite output is an error, never a score."""
    spec, opts, folder = env
    opts = replace(opts, scoring="torch")
    partial = _interrupted_after_two_images(spec, opts)
    assert len(partial.read_text().splitlines()) == 1 + 2
    assert evaluate(spec, "Set5", opts)["n_images"] == 4 and Upsampler.calls == 2
    ckpt = tmp_path / "overflow" / "up_x2.pth"
    identity_checkpoint(ckpt, gain=3e38, bias=3e38)
    with pytest.raises(SuiteError, match=f"^UP_x2 \\(up_x2.pth\\) on {folder / 'im0.png'}: the"):
        evaluate(tiny_spec(ckpt), "Set5", replace(opts, checkpoint_dir=ckpt.parent, force=True))
