"""The model zoo: every registered published model, collected from one module per family.

Each family module defines ``SPECS: list[ModelSpec]``.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil

from suite.models.spec import CheckpointSpec, ModelSpec

__all__ = ["CheckpointSpec", "ModelSpec", "all_models", "get_model"]

_SKIP = {"spec"}


def all_models() -> dict[str, ModelSpec]:
    """Every registered model by id, in family-module order (a fresh dict each call)."""
    return dict(_collect())


@functools.cache
def _collect() -> dict[str, ModelSpec]:
    """Import every family module once; later calls reuse the result."""
    out: dict[str, ModelSpec] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name in _SKIP:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for spec in getattr(module, "SPECS", []):
            if spec.id in out:
                raise ValueError(f"model id {spec.id!r} registered twice")
            out[spec.id] = spec
    return out


def get_model(model_id: str) -> ModelSpec:
    """Look up a model by id (case-insensitive), with a helpful error listing close ids."""
    models = all_models()
    if model_id in models:
        return models[model_id]
    lowered = {k.lower(): k for k in models}
    if model_id.lower() in lowered:
        return models[lowered[model_id.lower()]]
    import difflib

    close = difflib.get_close_matches(model_id, list(models), n=5, cutoff=0.4)
    hint = f" Did you mean: {', '.join(close)}?" if close else " Run `suite list` to see the zoo."
    raise KeyError(f"unknown model {model_id!r}.{hint}")
