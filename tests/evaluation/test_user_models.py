"""Your own model through the runner (issue #9): an nn.Module, a class reference with a weights
file, the zoo entry's numbers for the same class and weights, provenance, reuse by content, and
errors raised by your code.

The tiny zoo-like model of :func:`support.tiny.make_env` is the reference; "your" model is the
same ``Upsampler`` class given by reference (``support.tiny:Upsampler``), by a file written
outside the checkout, or as an ``nn.Module``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from support.tiny import CPU_OOM, Upsampler, make_env

import suite
from suite.errors import SuiteError
from suite.evaluation.runner import EvalOptions, evaluate
from suite.models.spec import ModelSpec
from suite.models.user import import_class, state_dict_sha256, user_spec


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    return make_env(tmp_path, monkeypatch)


def _weights(spec: ModelSpec, opts: EvalOptions) -> Path:
    return Path(opts.checkpoint_dir) / spec.checkpoint.filename


def _mine(spec: ModelSpec, opts: EvalOptions, reference: str = "support.tiny:Upsampler", **kw):
    """The zoo-like tiny model as your model: the same class and weights file."""
    fields = {"name": "MyUp", "arch_kwargs": {"scale": 2}, **kw}
    return user_spec(reference, _weights(spec, opts), fields.pop("scale", 2), **fields)


def _per_image(result: dict) -> list[tuple[float, float]]:
    return [(p["psnr"], p["ssim"]) for p in result["per_image"]]


def test_the_zoo_entrys_class_and_weights_give_its_numbers(env) -> None:
    spec, opts, _ = env
    zoo = evaluate(spec, "Set5", opts)
    mine = evaluate(_mine(spec, opts), "Set5", opts)
    assert _per_image(mine) == _per_image(zoo)  # bit for bit, so within 1e-9 dB
    assert abs(mine["psnr"] - zoo["psnr"]) <= 1e-9 and abs(mine["ssim"] - zoo["ssim"]) <= 1e-12
    assert (mine["model"], mine["family"], mine["arch"]) == (
        "MyUp",
        "user",
        "support.tiny:Upsampler",
    )
    assert mine["checkpoint"] == {
        "file": str(_weights(spec, opts).resolve()),
        "sha256": spec.checkpoint.sha256,
        "url": None,
        "verification": "user",
    }
    provenance = mine["user_model"]
    assert provenance["class_name"] == "Upsampler" and provenance["arch_kwargs"] == {"scale": 2}
    assert provenance["source_file"].endswith("tests/support/tiny.py")
    state = torch.load(_weights(spec, opts))
    assert provenance["state_dict_sha256"] == state_dict_sha256(state)
    stored = opts.results_dir / "MyUp" / "Set5__basicsr.json"  # where zoo runs go
    assert json.loads(stored.read_text())["user_model"] == provenance
    assert mine["run_key"]["user"]["reference"] == "support.tiny:Upsampler"


def test_an_nn_module_through_the_public_api(env) -> None:
    spec, opts, _ = env
    zoo = evaluate(spec, "Set5", opts)
    net = Upsampler().train()
    net.load_state_dict(torch.load(_weights(spec, opts)))
    r = suite.evaluate(net, "Set5", opts, scale=2)
    assert r["model"] == "Upsampler_x2" and r["family"] == "user"
    assert _per_image(r) == _per_image(zoo)
    assert r["checkpoint"]["file"] is None
    assert r["checkpoint"]["sha256"] == r["user_model"]["state_dict_sha256"]
    assert net.training  # the module itself was left as it was
    named = suite.evaluate(net, "Set5", opts, scale=2, name="MyLive")
    assert (opts.results_dir / "MyLive" / "Set5__basicsr.json").is_file()
    assert named["psnr"] == r["psnr"]
    with pytest.raises(SuiteError, match=r"name='MyLive' names an nn\.Module's results"):
        evaluate(spec, "Set5", opts, name="MyLive")


def test_a_stored_result_is_reused_until_the_code_changes(env, tmp_path: Path) -> None:
    spec, opts, _ = env
    source = tmp_path / "elsewhere" / "up.py"
    source.parent.mkdir()
    source.write_text("from support.tiny import Upsampler\n\n\nclass Up(Upsampler):\n    pass\n")
    reference = f"{source}:Up"
    evaluate(_mine(spec, opts, reference), "Set5", opts)
    evaluate(_mine(spec, opts, reference), "Set5", opts)
    assert import_class(reference)[0].calls == 4  # same weights, code, arguments, data: reused
    source.write_text(source.read_text() + "# edited\n")
    evaluate(_mine(spec, opts, reference), "Set5", opts)
    assert import_class(reference)[0].calls == 4  # the edited class scored every image afresh


def test_a_name_holding_another_scale_is_not_overwritten(env) -> None:
    spec, opts, _ = env
    evaluate(_mine(spec, opts), "Set5", opts)
    x3 = _mine(spec, opts, scale=3, arch_kwargs={"scale": 3})
    with pytest.raises(
        SuiteError, match=r"holds MyUp at ×2, and this model is ×3: give it its own"
    ):
        evaluate(x3, "Set5", opts)
    assert evaluate(x3, "Set5", replace(opts, write=False))["scale"] == 3


def test_an_exception_in_your_forward_names_its_line(env) -> None:
    spec, opts, folder = env
    Upsampler.fail_on, Upsampler.failure, Upsampler.failure_text = 2, ValueError, "odd input"
    with pytest.raises(SuiteError) as err:
        evaluate(_mine(spec, opts), "Set5", opts)
    msg = str(err.value)
    assert msg.startswith(f"MyUp (up_x2.pth) on {folder / 'im1.png'}: your model's forward raised")
    assert "ValueError: odd input (" in msg and "tests/support/tiny.py:" in msg
    Upsampler.calls = 0
    with pytest.raises(ValueError):  # a zoo network's exception is the suite's bug: not hidden
        evaluate(spec, "Set5", opts)
    Upsampler.reset()
    Upsampler.fail_on, Upsampler.failure, Upsampler.failure_text = 1, RuntimeError, CPU_OOM
    with pytest.raises(SuiteError, match="MyUp ran out of memory on"):
        evaluate(_mine(spec, opts), "Set5", opts)


def test_the_wrong_scale_says_which_it_is(env) -> None:
    spec, opts, _ = env
    wrong = _mine(spec, opts, scale=4)  # a ×2 network described as ×4
    with pytest.raises(SuiteError, match=r"give the scale it upscales by \(--scale\), here ×2"):
        evaluate(wrong, "Set5", opts)


def test_an_output_that_is_no_image_is_an_error(env, tmp_path: Path) -> None:
    spec, opts, _ = env
    source = tmp_path / "pair.py"
    source.write_text(
        "from support.tiny import Upsampler\n\n\nclass Pair(Upsampler):\n"
        "    def forward(self, x):\n        return super().forward(x), x\n"
    )
    with pytest.raises(SuiteError, match=r"returned tuple for a 1×3×.* one 1×3×H×W RGB tensor"):
        evaluate(_mine(spec, opts, f"{source}:Pair"), "Set5", opts)
