"""Facts about a zoo model that need no checkpoint: parameter counts from the architecture."""

from __future__ import annotations

import functools

import torch

from suite.archs import build_arch
from suite.zoo import ModelSpec


def trainable_params(model: torch.nn.Module) -> int:
    """Trainable parameters only (buffers such as BatchNorm running statistics excluded)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


@functools.cache
def _count(arch: str, kwargs_items: tuple) -> int:
    with torch.device("meta"):
        model = build_arch(arch, **dict(kwargs_items))
    return trainable_params(model)


def param_count(spec: ModelSpec) -> int:
    """Exact trainable parameter count of a zoo model, built on the meta device (no memory)."""
    return _count(spec.arch, tuple(sorted(spec.arch_kwargs.items())))
