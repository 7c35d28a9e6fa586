"""The model zoo: every registered published model, one module per family, listed explicitly.

Each family module defines ``SPECS: list[ModelSpec]``; :func:`model_specs` joins them in the
order below and :func:`get_spec` looks one up by id.
"""

from __future__ import annotations

import difflib
import functools

from suite.errors import UnknownNameError
from suite.models.spec import ModelSpec
from suite.models.zoo import (
    bsrn,
    carn,
    edsr,
    eimn,
    imdn,
    lmf,
    ntire2022,
    ntire2024,
    rlfn,
    safmn,
    smfanet,
    swinir,
)

_FAMILIES = (bsrn, carn, edsr, eimn, imdn, lmf, ntire2022, ntire2024, rlfn, safmn, smfanet, swinir)


@functools.cache
def _collect() -> dict[str, ModelSpec]:
    out: dict[str, ModelSpec] = {}
    for module in _FAMILIES:
        for spec in module.SPECS:
            if spec.id in out:
                raise ValueError(f"model id {spec.id!r} registered twice")
            out[spec.id] = spec
    return out


def model_specs() -> dict[str, ModelSpec]:
    """Every registered model by id, in family-module order (a fresh dict each call)."""
    return dict(_collect())


def list_models(family: str | None = None) -> list[str]:
    """Ids of every registered model (of one family, case-insensitive), in zoo order."""
    wanted = family.lower() if family else None
    return [i for i, s in _collect().items() if wanted is None or s.family.lower() == wanted]


def get_spec(model_id: str) -> ModelSpec:
    """Look up a model by id (case-insensitive); the error suggests close ids."""
    models = _collect()
    if model_id in models:
        return models[model_id]
    lowered = {k.lower(): k for k in models}
    if model_id.lower() in lowered:
        return models[lowered[model_id.lower()]]
    close = difflib.get_close_matches(model_id, list(models), n=5, cutoff=0.4)
    hint = f" Did you mean: {', '.join(close)}?" if close else " Run `suite list` to see the zoo."
    raise UnknownNameError(f"unknown model {model_id!r}.{hint}")
