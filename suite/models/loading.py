"""Load a verified checkpoint into its architecture: unwrap, strip prefixes, load strictly.

Published files wrap their weights in many ways (``params_ema``, ``state_dict``, a training
snapshot, ``module.`` prefixes). :func:`read_state_dict` finds the plain tensors;
:func:`load_weights` builds the architecture and loads them with ``strict=True``, naming every
missing or unexpected key and shape mismatch; :func:`load_model` adds the checkpoint lookup.
A researcher's own model (:mod:`suite.models.user`) goes through the same rules: its weight file
by :func:`load_weights`, an ``nn.Module`` handed over in Python by :func:`load_network` (a copy,
refused like a checkpoint when it holds NaN or infinity).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path

import torch
from torch import nn

from suite.errors import CheckpointError, CheckpointMismatchError, SuiteError
from suite.models.checkpoints import require_checkpoint, resolve_checkpoint
from suite.models.spec import CheckpointSpec, ModelSpec
from suite.models.user import build_network
from suite.models.zoo import get_spec

__all__ = ["load_model", "load_network", "load_weights", "read_state_dict"]

_MAX_LISTED = 10


# --------------------------------------------------------------------------- state dicts


def _is_state_dict(obj: object) -> bool:
    """True for a non-empty mapping from string keys to tensors."""
    return (
        isinstance(obj, Mapping)
        and len(obj) > 0
        and all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in obj.items())
    )


def _load_failure_detail(exc: Exception) -> str:
    """The informative part of a ``torch.load`` error, without torch's generic advice."""
    text = str(exc)
    if "WeightsUnpickler error:" in text:
        text = text.split("WeightsUnpickler error:", 1)[1]
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    sentence = first.split(". ", 1)[0].rstrip(".")
    return f"{type(exc).__name__}: {sentence[:200]}" if sentence else type(exc).__name__


def _torch_load(path: Path) -> object:
    """``torch.load`` restricted to plain tensors, with a clear error for bad files."""
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for unreadable files
        detail = _load_failure_detail(exc)
        if "Unsupported global" in detail:
            hint = "it holds Python objects besides tensors; save a plain state dict instead"
        else:
            hint = "delete it and download the official file again"
        raise CheckpointError(
            f"cannot read {path}: corrupt or not a PyTorch checkpoint ({detail}). Fix: {hint}."
        ) from exc


def _dig(obj: object, dotted: str) -> object:
    """``obj["a"]["b"]`` for ``"a.b"`` (None where a level is missing)."""
    for part in dotted.split("."):
        if not isinstance(obj, Mapping) or part not in obj:
            return None
        obj = obj[part]
    return obj


def _unwrap(obj: object, keys: tuple[str, ...], path: Path) -> Mapping[str, torch.Tensor]:
    """The state dict inside ``obj``: the first of ``keys`` holding one (a dotted key such as
    ``"model.sd"`` reaches nested levels), else ``obj`` itself."""
    if isinstance(obj, Mapping):
        for key in keys:
            inner = _dig(obj, key)
            if _is_state_dict(inner):
                return inner  # type: ignore[return-value]
    if _is_state_dict(obj):
        return obj  # type: ignore[return-value]
    top = list(obj)[:_MAX_LISTED] if isinstance(obj, Mapping) else type(obj).__name__
    raise CheckpointError(
        f"{path} holds no state dict of tensors (top level: {top}; looked under {list(keys)}). "
        "Fix: check that this is the model's weight file, not a training state or another format."
    )


def _strip_key(key: str, prefixes: tuple[str, ...]) -> str:
    """``key`` without any of ``prefixes`` (applied repeatedly, e.g. "module.module.")."""
    stripped = True
    while stripped:
        stripped = False
        for prefix in prefixes:
            if prefix and key.startswith(prefix):
                key, stripped = key[len(prefix) :], True
    return key


def _strip_prefixes(
    state: Mapping[str, torch.Tensor], prefixes: tuple[str, ...], path: Path
) -> dict[str, torch.Tensor]:
    """Copy of ``state`` with wrapper prefixes removed; refuses keys that would collide."""
    out: dict[str, torch.Tensor] = {}
    for key, value in state.items():
        new = _strip_key(key, prefixes)
        if new in out:
            raise CheckpointError(f"{path}: keys collide on {new!r} after stripping {prefixes}.")
        out[new] = value
    return out


def read_state_dict(path: Path, ckpt: CheckpointSpec) -> dict[str, torch.Tensor]:
    """Load ``path`` as plain tensors, unwrap ``ckpt.state_dict_key`` and strip key prefixes."""
    path = Path(path)
    state = _unwrap(_torch_load(path), ckpt.state_dict_key, path)
    return _strip_prefixes(state, ckpt.strip_prefixes, path)


# --------------------------------------------------------------------------- load model


def _shape(t: torch.Tensor) -> tuple[int, ...]:
    return tuple(t.shape)


def _diff_state(
    model_state: Mapping[str, torch.Tensor], ckpt_state: Mapping[str, torch.Tensor]
) -> tuple[list[str], list[str], list[str]]:
    """Missing keys, unexpected keys and shape mismatches ("key: ckpt vs model")."""
    missing = [k for k in model_state if k not in ckpt_state]
    unexpected = [k for k in ckpt_state if k not in model_state]
    shapes = [
        f"{k}: checkpoint {_shape(ckpt_state[k])} vs model {_shape(v)}"
        for k, v in model_state.items()
        if k in ckpt_state and _shape(ckpt_state[k]) != _shape(v)
    ]
    return missing, unexpected, shapes


def _listing(title: str, items: list[str]) -> str:
    """One message section: a count and at most ``_MAX_LISTED`` entries."""
    if not items:
        return ""
    lines = "".join(f"\n    {item}" for item in items[:_MAX_LISTED])
    more = f"\n    ... and {len(items) - _MAX_LISTED} more" if len(items) > _MAX_LISTED else ""
    return f"\n  {title} ({len(items)}):{lines}{more}"


def _mismatch_error(
    spec: ModelSpec, path: Path, missing: list[str], unexpected: list[str], shapes: list[str]
) -> CheckpointMismatchError:
    """Explain why the checkpoint does not fit the architecture, and the likely cause."""
    body = (
        _listing("missing keys", missing)
        + _listing("unexpected keys", unexpected)
        + _listing("shape mismatches", shapes)
    )
    if spec.user is not None:
        cause = (
            "Likely cause: the weights were saved from another class, with other constructor "
            "arguments or for another scale. Fix: give the --arch and --arch-kwargs the weights "
            "were trained with."
        )
    else:
        cause = (
            "Likely cause: the file is the checkpoint of another scale or variant than this "
            "model id (or of another architecture). Fix: use the file the zoo names for this "
            f"model ({spec.checkpoint.filename if spec.checkpoint else '?'})."
        )
    return CheckpointMismatchError(
        f"checkpoint {path} does not fit model {spec.id!r} "
        f"(architecture {spec.arch!r}, {spec.arch_kwargs}, scale x{spec.scale:g}):{body}\n{cause}"
    )


_MAX_NON_FINITE_LISTED = 5


def _non_finite_keys(state: Mapping[str, torch.Tensor]) -> list[str]:
    """Keys of the floating-point tensors holding a NaN or an infinity."""
    return [
        key
        for key, t in state.items()
        if (t.is_floating_point() or t.is_complex()) and not bool(torch.isfinite(t).all())
    ]


def _non_finite_error(spec: ModelSpec, what: str, keys: list[str]) -> CheckpointError:
    """Weights with NaN or inf would score a meaningless number: refuse them."""
    more = len(keys) - _MAX_NON_FINITE_LISTED
    listed = ", ".join(keys[:_MAX_NON_FINITE_LISTED]) + (f" and {more} more" if more > 0 else "")
    if spec.user is not None:
        fix = "the weights are damaged or the training diverged; save a good state again"
    else:
        fix = (
            f"delete it and get the official file from {require_checkpoint(spec).url} again "
            "(if that one is broken too, the authors' upload is damaged)"
        )
    return CheckpointError(
        f"{what} for model {spec.id!r} holds NaN or infinite values in "
        f"{len(keys)} tensor(s): {listed}. Fix: {fix}."
    )


def _freeze(model: nn.Module) -> nn.Module:
    """Inference mode: eval() and no gradients."""
    for param in model.parameters():
        param.requires_grad_(False)
    return model.eval()


def load_model(
    model: str | ModelSpec,
    checkpoint_dir: Path | str | None = None,
    cache_dir: Path | str | None = None,
    device: str | torch.device = "cpu",
    download: bool = True,
    progress: bool = True,
    mirror: str | None = None,
) -> nn.Module:
    """A zoo model (id or spec) with its checkpoint resolved (downloaded, from ``mirror`` when
    given), verified and loaded strictly, in eval mode with gradients off."""
    spec = model if isinstance(model, ModelSpec) else get_spec(model)
    path = resolve_checkpoint(spec, checkpoint_dir, cache_dir, download, progress, mirror)
    return load_weights(spec, path, device)


def load_weights(spec: ModelSpec, path: Path, device: str | torch.device = "cpu") -> nn.Module:
    """Build ``spec``'s architecture (a zoo architecture or your class) and strictly load the
    (already verified) file ``path``; weights holding NaN or infinity are refused."""
    model = build_network(spec.arch, **spec.arch_kwargs)
    state = read_state_dict(path, require_checkpoint(spec))
    if non_finite := _non_finite_keys(state):
        raise _non_finite_error(spec, f"checkpoint {path}", non_finite)
    missing, unexpected, shapes = _diff_state(model.state_dict(), state)
    if missing or unexpected or shapes:
        raise _mismatch_error(spec, path, missing, unexpected, shapes)
    model.load_state_dict(state, strict=True)
    return _freeze(model.to(device))


def load_network(
    spec: ModelSpec, path: Path | None, device: str | torch.device = "cpu"
) -> nn.Module:
    """The network to evaluate: ``path`` loaded by :func:`load_weights`, or, for an
    ``nn.Module`` handed over in Python (``spec.user.module``), a frozen copy of it (the module
    itself keeps its mode, device and gradients)."""
    module = spec.user.module if spec.user is not None else None
    if module is None:
        if path is None:
            raise ValueError(f"{spec.id}: no weight file to load")
        return load_weights(spec, path, device)
    if non_finite := _non_finite_keys(module.state_dict()):
        raise _non_finite_error(spec, f"the {type(module).__name__} you passed", non_finite)
    try:
        copied = copy.deepcopy(module)
    except Exception as exc:  # a module holding something that cannot be copied
        raise SuiteError(
            f"cannot copy your {type(module).__name__} to evaluate it ({type(exc).__name__}: "
            f"{exc}); save its weights and use suite.models.user.user_spec instead"
        ) from None
    return _freeze(copied.to(device))
