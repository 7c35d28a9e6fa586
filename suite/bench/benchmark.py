"""One profile of one zoo model: parameters, Multi-Adds, latency, peak memory and environment.

Composes :mod:`suite.bench.complexity`, :mod:`suite.bench.latency` and :mod:`suite.bench.memory` into a single
JSON-able result, written to ``<results>/<model_id>/profile__<device>.json`` next to the accuracy
results. Profiling never downloads: the checkpoint is used when it is already on disk, otherwise
the weights are random, which changes neither complexity nor timing nor memory (the result
says which).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from suite.bench.complexity import (
    COUNTER_NOTES,
    COUNTERS,
    DEFAULT_COUNTER,
    MacCount,
    count_macs,
    disagreements,
    input_size_for_output,
    macs_summary,
    parameter_counts,
)
from suite.bench.environment import env_info
from suite.bench.latency import (
    LatencySettings,
    backend_settings,
    cast_for_precision,
    measure_latency,
)
from suite.bench.memory import cpu_peak_memory, cuda_peak_memory
from suite.errors import SuiteError
from suite.models.archs import build_arch
from suite.models.params import CHECKPOINT_EXCLUDED_SUFFIXES
from suite.models.zoo import ModelSpec

__all__ = ["SCHEMA", "ProfileOptions", "profile_model", "profile_path"]

SCHEMA = "sr-suite/profile/1"
DEFAULT_SIZE = (1280, 720)  # output width × height, the convention of the efficient-SR papers

NOTES: dict[str, str] = {
    "params": (
        "params = trainable parameters of the architecture (requires_grad tensors; buffers such "
        "as BatchNorm running statistics excluded). checkpoint_params = values in the "
        "checkpoint's floating-point tensors except entries ending in "
        + ", ".join(CHECKPOINT_EXCLUDED_SUFFIXES)
        + "; null when the checkpoint is not on disk (profiling never downloads)."
    ),
    "macs": (
        "Multi-Adds in G = 1e9 multiply-accumulates for one forward pass on the input in "
        "size.input (floor of the output size / scale), batch 1. FLOPs, when reported, are "
        "2 × MACs. See counters for what each counter counts and macs_detail for what it skipped."
    ),
    "latency": (
        "Milliseconds per forward pass after warm-up, batch 1, under torch.inference_mode; CUDA "
        "timed with CUDA events and a synchronisation per call, CPU with time.perf_counter. "
        "fp16/bf16 cast the weights and input (no autocast)."
    ),
    "memory": (
        "Peak memory of one forward on the size.input input (also when latency used a dataset), "
        "in MiB; peak_mb is the headline figure, its definition is stored beside it."
    ),
    "weights": (
        "Random weights (checkpoint not on disk) change neither complexity, nor timing, nor "
        "memory of these architectures; only the accuracy results need the checkpoint."
    ),
}


@dataclass
class ProfileOptions:
    """What to measure and how; every field has a default suited to `suite profile MODEL`."""

    size: tuple[int, int] = DEFAULT_SIZE  # output width, height
    device: str = "cpu"
    precision: str = "fp32"
    warmup: int = 3
    repeats: int = 10
    dataset: str | None = None
    latency: bool = True
    memory: bool = True
    counters: tuple[str, ...] = COUNTERS
    flops: bool = False
    cudnn_benchmark: bool = True
    tf32: bool = False
    threads: int | None = None
    checkpoint_dir: Path | str | None = None
    cache_dir: Path | str | None = None
    data_root: Path | str | None = None

    def latency_settings(self, device: str) -> LatencySettings:
        return LatencySettings(
            device=device,
            precision=self.precision,
            warmup=self.warmup,
            repeats=self.repeats,
            cudnn_benchmark=self.cudnn_benchmark,
            tf32=self.tf32,
            threads=self.threads,
        )


def profile_path(results_dir: Path, model_id: str, opts: ProfileOptions) -> Path:
    """``<results>/<model>/profile__<device>.json``; non-default settings add a suffix each.

    Suffixes (``__fp16``, ``__Set5``, ``__640x360``) keep a run with other settings from
    overwriting the canonical 1280×720 fp32 profile.
    """
    parts = ["profile", torch.device(opts.device).type]
    if opts.precision != "fp32":
        parts.append(opts.precision)
    if opts.dataset:
        parts.append(opts.dataset)
    if tuple(opts.size) != DEFAULT_SIZE:
        parts.append(f"{opts.size[0]}x{opts.size[1]}")
    return Path(results_dir) / model_id / ("__".join(parts) + ".json")


# --------------------------------------------------------------------------- pieces


def _resolve_device(device: str) -> str:
    dev = torch.device(device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise SuiteError("--device cuda requested but no CUDA GPU is available; use --device cpu")
    if dev.type not in ("cpu", "cuda"):
        raise SuiteError(f"unsupported device {device!r}: use cpu or cuda[:N]")
    return str(dev)


def _size_record(spec: ModelSpec, size: tuple[int, int]) -> dict[str, Any]:
    scale = spec.integer_scale
    height, width = input_size_for_output(size[0], size[1], scale)
    return {
        "target_output": f"{size[0]}x{size[1]}",
        "input": {"height": height, "width": width},
        "output": {"height": height * scale, "width": width * scale},
        "note": (
            f"input = floor({size[0]}/{scale}) × floor({size[1]}/{scale}) = {width}×{height} "
            f"(W×H), so the ×{scale} output is {width * scale}×{height * scale}"
        ),
    }


def _weights(spec: ModelSpec, opts: ProfileOptions, device: str) -> tuple[nn.Module, str]:
    """The model with its checkpoint when on disk (never downloaded), else random weights."""
    from suite.models.checkpoints import checkpoint_status, load_model

    status = checkpoint_status(spec, opts.checkpoint_dir, opts.cache_dir)
    if status in ("local", "cached"):
        model = load_model(spec, opts.checkpoint_dir, opts.cache_dir, device, download=False)
        return model, "checkpoint"
    model = build_arch(spec.arch, **spec.arch_kwargs)
    for p in model.parameters():
        p.requires_grad_(False)
    return model.to(device).eval(), f"random (checkpoint {status})"


def _input_range(x: torch.Tensor, spec: ModelSpec) -> torch.Tensor:
    return x * spec.input_range if spec.input_range != 1.0 else x


def _synthetic_input(spec: ModelSpec, size: tuple[int, int]) -> torch.Tensor:
    """A reproducible uniform-random image of the profile's input size, on the CPU."""
    height, width = input_size_for_output(size[0], size[1], spec.integer_scale)
    gen = torch.Generator().manual_seed(0)
    return _input_range(torch.rand(1, 3, height, width, generator=gen), spec)


def _dataset_inputs(spec: ModelSpec, opts: ProfileOptions) -> list[tuple[str, torch.Tensor]]:
    """LR images of a benchmark set made with the basicsr profile, as CPU tensors."""
    from suite.data.datasets import require_dataset
    from suite.evaluation.inference import to_tensor
    from suite.protocol.pairs import load_pair
    from suite.protocol.profiles import get_profile

    ds = require_dataset(str(opts.dataset), opts.data_root)
    profile = get_profile("basicsr")
    cache = Path(opts.cache_dir) if opts.cache_dir else None
    out = []
    for name in ds.images:
        pair = load_pair(ds, name, spec.integer_scale, profile, cache)
        out.append((name, _input_range(to_tensor(pair.lr, "cpu"), spec)))
    return out


def _latency(
    model: nn.Module, spec: ModelSpec, opts: ProfileOptions, device: str
) -> dict[str, Any]:
    settings = opts.latency_settings(device)
    if opts.dataset:
        named = _dataset_inputs(spec, opts)
        source = f"{opts.dataset} LR images (basicsr profile)"
    else:
        named = [("synthetic", _synthetic_input(spec, opts.size))]
        source = "uniform random input of size.input"
    dtype = next(model.parameters()).dtype
    inputs = [(name, x.to(device=device, dtype=dtype)) for name, x in named]
    return {**measure_latency(model, inputs, settings), "input": source}


def _memory(model: nn.Module, spec: ModelSpec, opts: ProfileOptions, device: str) -> dict[str, Any]:
    x = _synthetic_input(spec, opts.size)
    if torch.device(device).type == "cuda":
        x = x.to(device=device, dtype=next(model.parameters()).dtype)

        def forward() -> None:
            with torch.inference_mode():
                model(x)

        return cuda_peak_memory(forward, device)
    return cpu_peak_memory(spec.arch, spec.arch_kwargs, x.shape, opts.precision, opts.threads)


def _macs(spec: ModelSpec, opts: ProfileOptions, device: str) -> dict[str, MacCount]:
    height, width = input_size_for_output(opts.size[0], opts.size[1], spec.integer_scale)
    return count_macs(
        lambda: build_arch(spec.arch, **spec.arch_kwargs),
        (1, 3, height, width),
        counters=opts.counters,
        device=device,
    )


# --------------------------------------------------------------------------- composition


def profile_model(spec: ModelSpec, opts: ProfileOptions | None = None) -> dict[str, Any]:
    """Profile one zoo model; returns the JSON-able result (see :data:`NOTES` for definitions)."""
    opts = opts or ProfileOptions()
    device = _resolve_device(opts.device)
    try:
        spec.integer_scale  # noqa: B018 - the 1280×720 convention needs an integer scale
    except ValueError as exc:
        raise SuiteError(f"cannot profile {spec.id}: {exc}") from None
    with backend_settings(opts.latency_settings(device)):  # threads apply to fvcore's forward too
        return _jsonable(_profile(spec, opts, device))


def _profile(spec: ModelSpec, opts: ProfileOptions, device: str) -> dict[str, Any]:
    counts = _macs(spec, opts, device)
    default = DEFAULT_COUNTER if DEFAULT_COUNTER in counts else next(iter(counts))
    result: dict[str, Any] = {
        "schema": SCHEMA,
        "model": spec.id,
        "family": spec.family,
        "arch": spec.arch,
        "arch_kwargs": spec.arch_kwargs,
        "scale": spec.scale,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "size": _size_record(spec, opts.size),
        **parameter_counts(spec, opts.checkpoint_dir, opts.cache_dir),
        "macs": macs_summary(counts, default),
        "macs_unit": "G (1e9 multiply-accumulates)",
        "macs_detail": {name: c.to_dict() for name, c in counts.items()},
        "macs_disagreements": disagreements(counts, default),
    }
    if opts.flops:
        result["flops"] = {n: None if c.gmacs is None else 2 * c.gmacs for n, c in counts.items()}
        result["flops_unit"] = "G (1e9 floating-point operations = 2 × MACs)"
    result.update(weights=None, latency_ms=None, latency=None, peak_memory_mb=None)
    if opts.latency or opts.memory:
        model, result["weights"] = _weights(spec, opts, device)
        model = cast_for_precision(model, device, opts.precision)
        if opts.latency:
            result["latency"] = _latency(model, spec, opts, device)
            result["latency_ms"] = result["latency"]["stats"]
        if opts.memory:
            result["peak_memory_mb"] = _memory(model, spec, opts, device)
    result["env"] = env_info(device, opts.precision)
    result["notes"] = {**NOTES, "counters": {n: COUNTER_NOTES[n] for n in counts}}
    return result


def _jsonable(obj: Any) -> Any:
    """Plain Python types only (numpy scalars from a dependency would break json)."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    return obj
