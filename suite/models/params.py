"""Parameter counts of a zoo model: trainable ones from the architecture, and the checkpoint's.

The architecture count needs no checkpoint (the model is built on the meta device); the
checkpoint count reads the weight file when it is already on disk, never downloading it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

import torch

from suite.models.archs import build_arch
from suite.models.spec import ModelSpec


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


# Checkpoint entries that are not parameters: BatchNorm running statistics and step counters.
CHECKPOINT_EXCLUDED_SUFFIXES: tuple[str, ...] = (
    "running_mean",
    "running_var",
    "num_batches_tracked",
)


def state_dict_param_count(state: Mapping[str, torch.Tensor]) -> int:
    """Number of values in the floating-point tensors of a state dict.

    Entries ending in one of :data:`CHECKPOINT_EXCLUDED_SUFFIXES` (BatchNorm running mean and
    variance, ``num_batches_tracked``) and integer tensors are excluded; everything else counts,
    including frozen tensors (e.g. a fixed mean-shift conv) that :func:`trainable_params` skips,
    so a difference between the two numbers is visible.
    """
    return sum(
        t.numel()
        for key, t in state.items()
        if t.is_floating_point() and not key.endswith(CHECKPOINT_EXCLUDED_SUFFIXES)
    )


def checkpoint_param_count(
    spec: ModelSpec, checkpoint_dir: Path | None = None, cache_dir: Path | None = None
) -> int | None:
    """:func:`state_dict_param_count` of the model's checkpoint; None unless it is on disk.

    Never downloads: a checkpoint that is only downloadable or unpublished gives None.
    """
    from suite.models.checkpoints import checkpoint_status, resolve_checkpoint
    from suite.models.loading import read_state_dict

    if spec.checkpoint is None:
        return None
    if checkpoint_status(spec, checkpoint_dir, cache_dir) not in ("local", "cached"):
        return None
    path = resolve_checkpoint(spec, checkpoint_dir, cache_dir, download=False, progress=False)
    return state_dict_param_count(read_state_dict(path, spec.checkpoint))


def parameter_counts(
    spec: ModelSpec, checkpoint_dir: Path | str | None = None, cache_dir: Path | str | None = None
) -> dict[str, int | None]:
    """``params`` (trainable, from the architecture) and ``checkpoint_params`` (None if absent).

    See :func:`state_dict_param_count` for what the checkpoint count excludes.
    """
    return {
        "params": param_count(spec),
        "checkpoint_params": checkpoint_param_count(
            spec,
            Path(checkpoint_dir) if checkpoint_dir else None,
            Path(cache_dir) if cache_dir else None,
        ),
    }
