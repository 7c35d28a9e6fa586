"""Architectures, one module per family, and the registry that names them.

The zoo refers to an architecture by name plus keyword arguments and :func:`build_arch` makes
it. The built-in families are listed here explicitly; :func:`register_arch` adds one at run
time (a researcher's own network, a test double).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from torch import nn

from suite.errors import UnknownNameError
from suite.models.archs import (
    bsrn,
    carn,
    edsr,
    eimn,
    fmen,
    imdn,
    liif,
    lmf,
    rfdn,
    rlfn,
    safmn,
    smfanet,
    span,
    swinir,
)

Factory = Callable[..., nn.Module]

_ARCHS: dict[str, Factory] = {
    "bsrn_ntire22": bsrn.bsrn_ntire22,
    "carn_m": carn.carn_m,
    "edsr": edsr.edsr,
    "eimn": eimn.eimn,
    "fmen": fmen.fmen,
    "imdn": imdn.imdn,
    "imdn_simple": imdn.imdn_simple,
    "liif": liif.liif,
    "lte": liif.lte,
    "lm_liif": lmf.lm_liif,
    "lm_lte": lmf.lm_lte,
    "rfdn": rfdn.rfdn,
    "rlfn": rlfn.rlfn,
    "safmn": safmn.safmn,
    "safmn_ntire23": safmn.safmn_ntire23,
    "safmnpp": safmn.safmnpp,
    "smfanet": smfanet.smfanet,
    "smfan": smfanet.smfan,
    "span": span.span,
    "swinir": swinir.swinir,
}


def register_arch(name: str) -> Callable[[Factory], Factory]:
    """Decorator: register an architecture factory (a class or a function returning a module)."""

    def deco(factory: Factory) -> Factory:
        if name in _ARCHS and _ARCHS[name] is not factory:
            raise ValueError(f"architecture {name!r} registered twice")
        _ARCHS[name] = factory
        return factory

    return deco


def build_arch(name: str, **kwargs: Any) -> nn.Module:
    """Instantiate a registered architecture."""
    try:
        factory = _ARCHS[name]
    except KeyError:
        known = ", ".join(sorted(_ARCHS))
        raise UnknownNameError(f"unknown architecture {name!r}; known: {known}") from None
    return factory(**kwargs)
