"""Architectures, one module per family, registered by name.

Each module decorates its top-level ``nn.Module`` factory with :func:`register_arch`; the model zoo
(:mod:`suite.models.zoo`) refers to architectures by that name plus keyword arguments.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

from torch import nn

_ARCHS: dict[str, Callable[..., nn.Module]] = {}


def register_arch(name: str) -> Callable[[Callable[..., nn.Module]], Callable[..., nn.Module]]:
    """Register an architecture factory (a class or a function returning ``nn.Module``)."""

    def deco(factory: Callable[..., nn.Module]) -> Callable[..., nn.Module]:
        if name in _ARCHS and _ARCHS[name] is not factory:
            raise ValueError(f"architecture {name!r} registered twice")
        _ARCHS[name] = factory
        return factory

    return deco


def _load_all() -> None:
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")


def available_archs() -> list[str]:
    """Names of every registered architecture."""
    _load_all()
    return sorted(_ARCHS)


def build_arch(name: str, **kwargs: Any) -> nn.Module:
    """Instantiate a registered architecture."""
    _load_all()
    try:
        factory = _ARCHS[name]
    except KeyError:
        raise KeyError(
            f"unknown architecture {name!r}; known: {', '.join(sorted(_ARCHS))}"
        ) from None
    return factory(**kwargs)
