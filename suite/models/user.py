"""A researcher's own model: a class imported by reference, built with keyword arguments.

A model that is not in the zoo is named by a reference to its class (or to a factory returning
an ``nn.Module``): ``package.module:Class`` imports a module (the working folder is searched too,
as ``python -m`` would), ``path/to/file.py:Class`` loads a file (its folder is searched for the
modules it imports). :func:`user_spec` describes such a model with a weight file,
:func:`module_spec` an ``nn.Module`` handed over in Python; both give a
:class:`~suite.models.spec.ModelSpec` of family ``"user"`` whose :class:`UserSource` is the
provenance every result records: the reference, the class, its source file (and that file's
sha256) and the weights. Weight files are read with the zoo's unwrapping rules and loaded
strictly by :mod:`suite.models.loading`, which builds every network through
:func:`build_network` (a registered architecture name or a class reference).

Anything that goes wrong in the user's code (an import that fails, a constructor that rejects
the keyword arguments) is a :class:`~suite.errors.SuiteError` naming the file and line, never a
traceback of the suite.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import json
import math
import os
import re
import sys
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import torch
from torch import nn

from suite.errors import CheckpointError, SuiteError
from suite.models.archs import build_arch
from suite.models.checkpoints import sha256_file
from suite.models.implicit import ImplicitSR
from suite.models.spec import (
    USER_FAMILY,
    CheckpointSpec,
    ModelSpec,
    UserSource,
    check_scale,
)
from suite.models.zoo import model_specs
from suite.paths import safe_name

__all__ = [
    "build_network",
    "describe_exception",
    "import_class",
    "is_reference",
    "module_spec",
    "parse_arch_kwargs",
    "state_dict_sha256",
    "user_checkpoint_record",
    "user_model_record",
    "user_spec",
]

REFERENCE_FORM = "package.module:Class or path/to/file.py:Class"
_SUITE = Path(__file__).resolve().parent.parent  # the suite package: never the user's line


def is_reference(arch: str) -> bool:
    """True for a class reference (``module:Class``); registered architecture names have no
    colon."""
    return ":" in arch


# --------------------------------------------------------------------------- importing


def _first_line(exc: BaseException) -> str:
    """``Type: first line of the message``."""
    text = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
    return f"{type(exc).__name__}: {text[:300]}" if text else type(exc).__name__


def _where(exc: BaseException, prefer: str | None = None) -> str:
    """`` (file:line)`` where ``exc`` was raised: in ``prefer`` (the user's file) if it passed
    there, else the innermost frame outside the suite (none: nothing is added)."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return f" ({exc.filename}:{exc.lineno})"
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if not f.filename.startswith("<") and not Path(f.filename).is_relative_to(_SUITE)
    ]
    mine = [f for f in frames if prefer and Path(f.filename) == Path(prefer)]
    frame = (mine or frames or [None])[-1]
    return f" ({frame.filename}:{frame.lineno})" if frame else ""


def describe_exception(exc: BaseException, spec: ModelSpec | None = None) -> str:
    """One line for an exception raised in your code: ``Type: message (file:line)``, the line
    in the file defining your class when the error passed through it."""
    prefer = spec.user.source_file if spec is not None and spec.user is not None else None
    return _first_line(exc) + _where(exc, prefer)


def _load_file(path: Path) -> ModuleType:
    """Execute a Python file as a module of its own (cached by path and content, so an edited
    file is loaded afresh); its folder is appended to ``sys.path`` for its own imports."""
    data = path.read_bytes()
    digest = hashlib.sha256(str(path).encode() + b"\0" + data).hexdigest()[:12]
    stem = re.sub(r"\W", "_", path.stem, flags=re.ASCII)
    name = f"_suite_user_{stem}_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    if str(path.parent) not in sys.path:
        sys.path.append(str(path.parent))
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SuiteError(f"--arch: cannot load {path} as Python; give a .py file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look their module up here
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _import_module(name: str) -> ModuleType:
    """``importlib.import_module``, with the working folder searched last (as ``python -m``)."""
    if os.getcwd() not in sys.path:
        sys.path.append(os.getcwd())
    return importlib.import_module(name)


def _split(reference: str) -> tuple[str, str]:
    target, sep, attr = reference.rpartition(":")
    if not sep or not target.strip() or not attr.strip():
        raise SuiteError(
            f"--arch {reference!r} is not a class reference: give {REFERENCE_FORM} "
            "(e.g. my_models.net:MyNet)"
        )
    return target.strip(), attr.strip()


def _module_of(target: str) -> tuple[ModuleType, str]:
    """The module ``target`` names and how a reference spells it (files: absolute paths)."""
    is_file = target.endswith(".py") or "/" in target or os.sep in target
    if is_file:
        path = Path(target).expanduser().resolve()
        if not path.is_file():
            why = "is a folder" if path.is_dir() else "does not exist"
            raise SuiteError(f"--arch: {path} {why}; give the .py file that defines the class")
        where = str(path)
    else:
        where = target
    prefer = where if is_file else None
    try:
        module = _load_file(Path(where)) if is_file else _import_module(target)
    except ModuleNotFoundError as exc:
        if not is_file and exc.name and target.split(".")[0] == exc.name.split(".")[0]:
            raise SuiteError(
                f"--arch: cannot import module {target!r} ({_first_line(exc)}). Fix: run from "
                "the folder that holds it, add that folder to PYTHONPATH, install the package, "
                "or give path/to/file.py:Class"
            ) from None
        raise SuiteError(
            f"--arch: importing {where} failed: {_first_line(exc)}{_where(exc, prefer)}"
        ) from None
    except Exception as exc:  # the user's module raised while being imported
        raise SuiteError(
            f"--arch: importing {where} failed: {_first_line(exc)}{_where(exc, prefer)}; fix "
            "the module and rerun"
        ) from None
    return module, where


def import_class(reference: str) -> tuple[Callable[..., nn.Module], str]:
    """The class (or factory) a reference names, and the reference as the suite records it
    (a file by its absolute path)."""
    target, attr = _split(reference)
    module, where = _module_of(target)
    obj: Any = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            defined = sorted(
                n for n, v in vars(module).items() if isinstance(v, type) and not n.startswith("_")
            )
            raise SuiteError(
                f"--arch: {where} has no {attr!r} (its classes: {', '.join(defined) or 'none'})"
            )
        obj = getattr(obj, part)
    if not callable(obj):
        raise SuiteError(f"--arch: {where}:{attr} is a {type(obj).__name__}, not a class")
    return obj, f"{where}:{attr}"


# --------------------------------------------------------------------------- building


def _source(obj: object) -> tuple[str | None, str | None]:
    """The file defining ``obj`` and that file's sha256 (None, None when Python cannot tell)."""
    try:
        file = inspect.getsourcefile(obj)  # type: ignore[arg-type]
    except TypeError:
        file = None
    if not file or not Path(file).is_file():
        return None, None
    return str(Path(file).resolve()), sha256_file(Path(file))


def _signature(factory: Callable[..., Any]) -> str:
    """``Net(scale: int = 2, width: int = 4)``: what the constructor takes."""
    name = getattr(factory, "__name__", "the class")
    try:
        try:
            sig = inspect.signature(factory, eval_str=True)
        except Exception:  # annotations naming what cannot be resolved: show them as written
            sig = inspect.signature(factory)
    except (TypeError, ValueError):
        return name
    return f"{name}{sig.replace(return_annotation=inspect.Signature.empty)}"


def build_network(arch: str, **kwargs: Any) -> nn.Module:
    """A registered architecture (:func:`~suite.models.archs.build_arch`) or the class a
    reference names, built with ``kwargs``; a failing constructor is named with its line."""
    if not is_reference(arch):
        return build_arch(arch, **kwargs)
    factory, reference = import_class(arch)
    try:
        net = factory(**kwargs)
    except Exception as exc:  # the user's constructor
        signature = _signature(factory)
        raise SuiteError(
            f"building {reference} with --arch-kwargs {json.dumps(kwargs)} failed: "
            f"{_first_line(exc)}{_where(exc, _source(factory)[0])}. Fix: give the keyword "
            f"arguments {signature} takes as a JSON object"
        ) from None
    if not isinstance(net, nn.Module):
        raise SuiteError(f"--arch: {reference} returned a {type(net).__name__}, not an nn.Module")
    return net


def parse_arch_kwargs(text: str | None) -> dict[str, Any]:
    """``--arch-kwargs``: a JSON object of the constructor's keyword arguments."""
    if not text:
        return {}
    try:
        kwargs = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SuiteError(
            f"--arch-kwargs is not valid JSON ({exc.msg} at column {exc.colno}): {text!r}; "
            'give an object such as \'{"scale": 4, "channels": 48}\''
        ) from None
    if not isinstance(kwargs, dict):
        raise SuiteError(
            f"--arch-kwargs must be a JSON object of keyword arguments, not {text!r} "
            "(e.g. '{\"scale\": 4}')"
        )
    return kwargs


# --------------------------------------------------------------------------- describing


def state_dict_sha256(state: Mapping[str, torch.Tensor]) -> str:
    """sha256 over every entry of a state dict (name, dtype, shape and bytes, in name order):
    equal for equal weights wherever they live (file, memory, CPU or GPU)."""
    digest = hashlib.sha256()
    for key in sorted(state):
        t = state[key].detach().to("cpu").contiguous()
        digest.update(f"{key}\0{t.dtype}\0{tuple(t.shape)}\0".encode())
        digest.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def _check_name(name: str) -> str:
    """A results name: one plain file-name component that is no zoo id or family (whose results
    and reports it would join)."""
    safe_name(name, "--name")
    taken = {s.id.lower() for s in model_specs().values()}
    taken |= {s.family.lower() for s in model_specs().values()} | {"zoo", USER_FAMILY}
    if name.lower() in taken:
        raise SuiteError(
            f"--name {name!r} is taken by the zoo (a model id or family): your results would "
            f"mix with its results; choose another name, e.g. --name My{name}"
        )
    return name


def _check_input_range(value: float) -> float:
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise SuiteError(f"--input-range must be a positive number (1 or 255), not {value!r}")
    return float(value)


def _user_model(
    factory: Callable[..., Any],
    reference: str,
    scale: object,
    name: str | None,
    arch_kwargs: dict[str, Any],
    input_range: float,
    weights: Path | None,
    module: nn.Module | None,
) -> ModelSpec:
    scale = check_scale(scale)
    source_file, source_sha256 = _source(factory)
    default = f"{getattr(factory, '__name__', 'Model')}_x{scale:g}"
    return ModelSpec(
        id=_check_name(default if name is None else name),
        family=USER_FAMILY,
        arch=reference,
        scale=scale,
        arch_kwargs=arch_kwargs,
        checkpoint=None if weights is None else CheckpointSpec(filename=weights.name, url=""),
        input_range=_check_input_range(input_range),
        arbitrary_scale=isinstance(factory, type) and issubclass(factory, ImplicitSR),
        user=UserSource(
            reference=reference,
            class_name=getattr(factory, "__qualname__", reference),
            source_file=source_file,
            source_sha256=source_sha256,
            weights=None if weights is None else str(weights),
            module=module,
        ),
    )


def user_spec(
    reference: str,
    weights: str | os.PathLike[str],
    scale: float,
    name: str | None = None,
    arch_kwargs: dict[str, Any] | None = None,
    input_range: float = 1.0,
) -> ModelSpec:
    """Your model: the class ``reference`` names, built with ``arch_kwargs``, with the weights
    in ``weights`` (a state dict, wrapped as zoo checkpoints may be), upscaling by ``scale``.

    Its results are named ``name`` (default: the class name and scale, e.g. ``MyNet_x4``).
    """
    path = Path(weights).expanduser().resolve()
    if not path.is_file():
        why = "is a folder" if path.is_dir() else "does not exist"
        raise CheckpointError(f"--weights {path} {why}; give the file your weights are saved in")
    factory, ref = import_class(reference)
    return _user_model(factory, ref, scale, name, dict(arch_kwargs or {}), input_range, path, None)


def module_spec(
    module: nn.Module, scale: float | None, name: str | None = None, input_range: float = 1.0
) -> ModelSpec:
    """An ``nn.Module`` handed over in Python, as your model upscaling by ``scale`` (its
    weights are what it holds now; a copy is evaluated, the module itself is left alone)."""
    if not isinstance(module, nn.Module):
        raise SuiteError(f"expected an nn.Module, a zoo id or a ModelSpec, not {module!r}")
    if scale is None:
        raise SuiteError(
            f"evaluating your own {type(module).__name__} needs its scale: pass scale=4 (the "
            "factor it upscales by)"
        )
    cls = type(module)
    reference = f"{cls.__module__}:{cls.__qualname__}"
    return _user_model(cls, reference, scale, name, {}, input_range, None, module)


# --------------------------------------------------------------------------- records


def user_checkpoint_record(spec: ModelSpec) -> dict[str, str | None]:
    """What a result records as the checkpoint of your model: the weight file and its sha256
    (an ``nn.Module`` handed over in Python: no file, the sha256 of its state dict), and
    ``verification: "user"`` (nothing to check it against)."""
    source = spec.user
    if source is None:
        raise ValueError(f"{spec.id} is a zoo model, not yours")
    if source.weights is None:
        sha = state_dict_sha256(source.module.state_dict())
        return {"file": None, "sha256": sha, "url": None, "verification": "user"}
    path = Path(source.weights)
    try:
        sha = sha256_file(path)
    except OSError as exc:
        raise CheckpointError(
            f"cannot read the weights file {path} ({exc.strerror or exc}); check the path"
        ) from None
    return {"file": str(path), "sha256": sha, "url": None, "verification": "user"}


def user_model_record(spec: ModelSpec, net: nn.Module) -> dict[str, Any]:
    """Provenance of your model in its results: reference, class, source file (and its sha256),
    constructor arguments, input range and the sha256 of the state dict that was evaluated."""
    source = spec.user
    if source is None:
        raise ValueError(f"{spec.id} is a zoo model, not yours")
    return {
        "reference": source.reference,
        "class_name": source.class_name,
        "source_file": source.source_file,
        "source_sha256": source.source_sha256,
        "arch_kwargs": spec.arch_kwargs,
        "input_range": spec.input_range,
        "state_dict_sha256": state_dict_sha256(net.state_dict()),
    }
