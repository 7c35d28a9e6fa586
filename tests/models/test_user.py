"""A researcher's own model (suite.models.user): class references, building, specs, provenance,
and its weights loaded by suite.models.loading with the zoo's rules.

Classes come from a file written to ``tmp_path`` (outside the checkout) or from an importable
module (``support.tiny:Upsampler``, the tiny network the runner tests use).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import torch
from support.tiny import Upsampler, identity_checkpoint

from suite.errors import CheckpointError, CheckpointMismatchError, ScaleError, SuiteError
from suite.models.loading import load_network, load_weights
from suite.models.spec import USER_FAMILY
from suite.models.user import (
    build_network,
    import_class,
    module_spec,
    parse_arch_kwargs,
    state_dict_sha256,
    user_checkpoint_record,
    user_model_record,
    user_spec,
)

NET = """
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self, scale: int = 2, width: int = 4):
        super().__init__()
        self.scale = scale
        self.conv = nn.Conv2d(3, 3 * scale * scale, 3, padding=1)
        self.up = nn.PixelShuffle(scale)

    def forward(self, x):
        return self.up(self.conv(x))


def make(scale=2):
    return Net(scale=scale)


def not_a_network():
    return 42
"""


@pytest.fixture
def net_file(tmp_path: Path) -> Path:
    """``models/net.py`` outside the checkout, defining ``Net``."""
    path = tmp_path / "models" / "net.py"
    path.parent.mkdir()
    path.write_text(NET)
    return path


def _weights(tmp_path: Path, state: dict, name: str = "w.pth") -> Path:
    path = tmp_path / name
    torch.save(state, path)
    return path


# --------------------------------------------------------------------------- references


def test_a_file_reference_is_recorded_by_its_absolute_path(net_file: Path, monkeypatch) -> None:
    monkeypatch.chdir(net_file.parent.parent)
    cls, reference = import_class("models/net.py:Net")
    assert cls.__name__ == "Net" and reference == f"{net_file}:Net"
    net = build_network(reference, scale=3)
    assert net(torch.zeros(1, 3, 4, 5)).shape == (1, 3, 12, 15)
    assert type(build_network(f"{net_file}:make")).__name__ == "Net"  # a factory works too


def test_a_module_reference_and_registered_names() -> None:
    cls, reference = import_class("support.tiny:Upsampler")
    assert cls is Upsampler and reference == "support.tiny:Upsampler"
    assert isinstance(build_network("support.tiny:Upsampler", scale=2), Upsampler)
    assert type(build_network("imdn", scale=2)).__name__ == "IMDN"  # zoo names still work


def test_an_edited_file_is_imported_afresh(net_file: Path) -> None:
    first, _ = import_class(f"{net_file}:Net")
    net_file.write_text(NET.replace("width: int = 4", "width: int = 8"))
    second, _ = import_class(f"{net_file}:Net")
    assert first is not second
    assert import_class(f"{net_file}:Net")[0] is second  # unchanged: the same module


@pytest.mark.parametrize(
    ("reference", "fragment"),
    [
        ("Net", "is not a class reference: give package.module:Class or path/to/file.py:Class"),
        ("net.py:", "is not a class reference"),
        ("{dir}/missing.py:Net", "missing.py does not exist; give the .py file"),
        ("{dir}:Net", "is a folder; give the .py file"),
        ("{file}:Nope", "has no 'Nope' (its classes: Net)"),
        ("{file}:torch", "is a module, not a class"),
        ("no_such_module_xyz:Net", "cannot import module 'no_such_module_xyz' (ModuleNotFound"),
    ],
)
def test_bad_references_are_one_clear_error(net_file: Path, reference: str, fragment: str) -> None:
    ref = reference.format(dir=net_file.parent, file=net_file)
    with pytest.raises(SuiteError) as err:
        import_class(ref)
    assert fragment in str(err.value) and "\n" not in str(err.value)


def test_a_module_that_fails_to_import_names_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("import torch\n\nraise RuntimeError('no GPU here')\n")
    with pytest.raises(SuiteError, match=rf"RuntimeError: no GPU here \({broken}:3\)"):
        import_class(f"{broken}:Net")
    typo = tmp_path / "typo.py"
    typo.write_text("class Net(:\n    pass\n")
    with pytest.raises(SuiteError, match=rf"importing {typo} failed: SyntaxError: .*typo.py:1\)"):
        import_class(f"{typo}:Net")
    missing_dep = tmp_path / "dep.py"
    missing_dep.write_text("import not_installed_pkg_xyz\n")
    with pytest.raises(SuiteError, match=r"No module named 'not_installed_pkg_xyz' \(.*dep.py:1\)"):
        import_class(f"{missing_dep}:Net")


def test_a_constructor_that_rejects_the_arguments_shows_the_signature(net_file: Path) -> None:
    with pytest.raises(SuiteError) as err:
        build_network(f"{net_file}:Net", scale=2, depth=3)
    msg = str(err.value)
    assert 'with --arch-kwargs {"scale": 2, "depth": 3} failed: TypeError' in msg
    assert "Net(scale: int = 2, width: int = 4)" in msg
    with pytest.raises(SuiteError, match=r"returned a int, not an nn\.Module"):
        build_network(f"{net_file}:not_a_network")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("{scale: 4}", "is not valid JSON"), ("[4]", "must be a JSON object"), ("4", "JSON object")],
)
def test_arch_kwargs_must_be_a_json_object(text: str, fragment: str) -> None:
    with pytest.raises(SuiteError, match=fragment):
        parse_arch_kwargs(text)
    assert parse_arch_kwargs('{"scale": 4, "width": 8}') == {"scale": 4, "width": 8}
    assert parse_arch_kwargs(None) == {}


# --------------------------------------------------------------------------- specs


def test_user_spec_describes_the_model_and_its_provenance(net_file: Path, tmp_path: Path) -> None:
    weights = _weights(tmp_path, build_network(f"{net_file}:Net", scale=2).state_dict())
    spec = user_spec(f"{net_file}:Net", weights, 2, arch_kwargs={"scale": 2})
    assert (spec.id, spec.family, spec.arch, spec.scale) == (
        "Net_x2",
        USER_FAMILY,
        f"{net_file}:Net",
        2,
    )
    assert spec.user.class_name == "Net" and spec.user.source_file == str(net_file)
    assert spec.user.source_sha256 is not None and spec.user.weights == str(weights)
    assert spec.checkpoint.state_dict_key[0] == "params_ema"  # the zoo's unwrapping rules
    record = user_checkpoint_record(spec)
    assert record["file"] == str(weights) and record["verification"] == "user"
    other = user_spec(f"{net_file}:Net", weights, 2.0, name="Mine", input_range=255)
    assert (other.id, other.scale, other.input_range) == ("Mine", 2, 255.0)


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"name": "IMDN_x4"}, SuiteError, "--name 'IMDN_x4' is taken by the zoo"),
        ({"name": "eimn"}, SuiteError, "taken by the zoo"),
        ({"name": "../x"}, SuiteError, "--name '../x' cannot name a file"),
        ({"name": ""}, SuiteError, "cannot name a file: it is empty"),
        ({"scale": float("nan")}, ScaleError, "--scale nan is not a usable scale"),
        ({"scale": 1}, ScaleError, "--scale 1 is not a usable scale"),
        ({"input_range": 0}, SuiteError, "--input-range must be a positive number"),
        ({"weights": "missing.pth"}, CheckpointError, "missing.pth does not exist"),
    ],
)
def test_user_spec_refuses_bad_input(
    net_file: Path, tmp_path: Path, kwargs: dict, error: type, fragment: str
) -> None:
    args = {"weights": _weights(tmp_path, {}), "scale": 2, **kwargs}
    args["weights"] = tmp_path / args["weights"]  # an absolute path stays as it is
    with pytest.raises(error) as err:
        user_spec(f"{net_file}:Net", **args)
    assert fragment in str(err.value)


def test_module_spec_needs_a_scale_and_a_module() -> None:
    with pytest.raises(SuiteError, match="needs its scale: pass scale=4"):
        module_spec(Upsampler(), None)
    with pytest.raises(SuiteError, match=r"expected an nn\.Module"):
        module_spec("not a module", 2)  # type: ignore[arg-type]
    spec = module_spec(Upsampler(), 2)
    assert spec.id == "Upsampler_x2" and spec.arch == "support.tiny:Upsampler"
    assert spec.user.weights is None and spec.checkpoint is None


# --------------------------------------------------------------------------- weights


def test_weights_are_unwrapped_and_loaded_strictly(net_file: Path, tmp_path: Path) -> None:
    state = build_network(f"{net_file}:Net", scale=2).state_dict()
    wrapped = {"params_ema": {f"module.{k}": v for k, v in state.items()}, "iter": 10}
    weights = _weights(tmp_path, wrapped)
    spec = user_spec(f"{net_file}:Net", weights, 2, arch_kwargs={"scale": 2})
    net = load_weights(spec, weights)
    assert all(torch.equal(net.state_dict()[k], v) for k, v in state.items())
    assert not net.training and not any(p.requires_grad for p in net.parameters())
    assert user_model_record(spec, net)["state_dict_sha256"] == state_dict_sha256(state)


def test_weights_of_another_configuration_name_the_fix(net_file: Path, tmp_path: Path) -> None:
    weights = _weights(tmp_path, build_network(f"{net_file}:Net", scale=3).state_dict())
    spec = user_spec(f"{net_file}:Net", weights, 2, arch_kwargs={"scale": 2})
    with pytest.raises(CheckpointMismatchError) as err:
        load_weights(spec, weights)
    msg = str(err.value)
    assert "shape mismatches (2)" in msg and "conv.weight: checkpoint (27, 3, 3, 3)" in msg
    assert "give the --arch and --arch-kwargs the weights were trained with" in msg


def test_non_finite_weights_are_refused(net_file: Path, tmp_path: Path) -> None:
    state = build_network(f"{net_file}:Net", scale=2).state_dict()
    state["conv.bias"][0] = float("inf")
    weights = _weights(tmp_path, state)
    with pytest.raises(CheckpointError, match="holds NaN or infinite values in 1 tensor"):
        load_weights(user_spec(f"{net_file}:Net", weights, 2), weights)
    net = build_network(f"{net_file}:Net", scale=2)
    with torch.no_grad():
        net.conv.weight.fill_(float("nan"))
    with pytest.raises(CheckpointError, match=r"the Net you passed .* holds NaN"):
        load_network(module_spec(net, 2), None)


def test_an_nn_module_is_evaluated_as_a_copy() -> None:
    net = Upsampler().train()
    spec = module_spec(net, 2)
    copy = load_network(spec, None)
    assert copy is not net and not copy.training
    assert net.training and all(p.requires_grad for p in net.parameters())  # left alone
    record = user_checkpoint_record(spec)
    assert record["file"] is None and record["sha256"] == state_dict_sha256(net.state_dict())


def test_state_dict_sha256_is_about_the_values(tmp_path: Path) -> None:
    ckpt = tmp_path / "up.pth"
    identity_checkpoint(ckpt)
    state = torch.load(ckpt)
    reordered = dict(reversed(list(state.items())))
    assert state_dict_sha256(state) == state_dict_sha256(reordered)
    assert state_dict_sha256(state) != state_dict_sha256({k: v.double() for k, v in state.items()})
    changed = {**state, "mix.bias": state["mix.bias"] + 1e-7}
    assert state_dict_sha256(state) != state_dict_sha256(changed)
    assert state_dict_sha256({}) == hashlib.sha256().hexdigest()
