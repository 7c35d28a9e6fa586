"""Benchmark one model: parameters, Multi-Adds, latency, peak memory and environment.

Composes :mod:`suite.bench.complexity`, :mod:`suite.bench.latency` and
:mod:`suite.bench.memory` into one JSON-able record, written by ``suite bench`` to
``<results>/<model_id>/profile__<device>[__<variant>].json`` next to the accuracy results, where
every non-default setting (precision, dataset, size, latency mode, latency profile) adds its
own variant suffix, so no mode overwrites the canonical fp32 record. Benchmarking never
downloads: the checkpoint is used when it is already on disk (verified, and described under
``checkpoint``), otherwise the weights are random, which changes neither complexity nor timing
nor memory (the record says which). Every option is checked before anything runs, so bad input
is one :class:`~suite.errors.SuiteError`, never a traceback or a file outside the results.

Your own model (a spec from :func:`suite.models.user.user_spec`) is benchmarked the same way
with its weight file, and its record carries ``user_model`` (class, source file, state-dict
sha256) as its evaluations do; an exception its code raises is an error naming the line.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from suite.bench.complexity import (
    MacCount,
    count_macs,
    disagreements,
    input_size_for_output,
    macs_summary,
)
from suite.bench.counters import COUNTER_NOTES, COUNTERS, DEFAULT_COUNTER
from suite.bench.environment import env_info, resolve_device
from suite.bench.latency import (
    CUDA_ONLY_MODES,
    MODES,
    LatencySettings,
    ModeForward,
    backend_settings,
    cast_for_precision,
    compile_failure,
    latency_profile,
    measure_latency,
)
from suite.bench.memory import cpu_peak_memory, cuda_peak_memory, is_oom
from suite.data.datasets import canonical_name
from suite.errors import SuiteError
from suite.models.params import (
    CHECKPOINT_EXCLUDED_SUFFIXES,
    parameter_counts,
    state_dict_param_count,
    trainable_params,
)
from suite.models.spec import ModelSpec
from suite.models.user import (
    build_network,
    describe_exception,
    user_checkpoint_record,
    user_model_record,
)
from suite.models.zoo import get_spec
from suite.paths import safe_name
from suite.results.store import BENCH_SCHEMA, DEFAULT_BENCH_SIZE, bench_path

__all__ = ["BenchOptions", "benchmark", "mode_name", "mode_options", "result_path", "sweep_modes"]

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
        "median and iqr (q75 - q25) over the repeats. precision fp16/bf16 casts the weights "
        "and input; autocast keeps fp32 weights under torch.autocast; tf32 allows TF32 (null: "
        "PyTorch's defaults); channels_last converts weights and input untimed; compile "
        "compiles with torch.compile during the warm-up. The settings and the backend flags "
        "in force (cudnn.benchmark, TF32) are stored beside the numbers."
    ),
    "memory": (
        "Peak memory of one forward on the size.input input (also when latency used a dataset; "
        "a latency profile uses its largest image), in MiB, in the latency's mode; peak_mb is "
        "the headline figure, its definition is stored beside it. On a CPU the fresh process "
        "that measures it runs the plain fp32/fp16/bf16 network, so autocast, channels_last "
        "and compile runs record none."
    ),
    "weights": (
        "Random weights (checkpoint not on disk) change neither complexity, nor timing, nor "
        "memory of these architectures; only the accuracy results need the checkpoint."
    ),
    "checkpoint": (
        "The weight file used (null with random weights): file, sha256, url and verification: "
        "'registry' when the zoo's sha256 matched, 'first-seen' when the zoo records none and "
        "the file matched the first copy the suite used (<cache>/checkpoints/first_seen.json), "
        "'user' for your own model's weights (recorded, nothing to check them against)."
    ),
}


@dataclass
class BenchOptions:
    """What to measure and how; every field has a default suited to ``suite bench MODEL``.

    Values are checked on creation (a :class:`SuiteError` naming the flag); ``dataset`` becomes
    its canonical name, which the result's file name uses. The device is checked by
    :func:`~suite.bench.environment.resolve_device` when a benchmark starts.
    """

    size: tuple[int, int] = DEFAULT_BENCH_SIZE  # output width, height
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
    tf32: bool | None = False  # None: PyTorch's own TF32 defaults
    threads: int | None = None
    autocast: str | None = None  # "fp16" | "bf16"
    channels_last: bool = False
    compile: bool = False
    latency_profile: str | None = None  # a published protocol, e.g. "ntire_esr"
    checkpoint_dir: Path | str | None = None
    cache_dir: Path | str | None = None
    data_root: Path | str | None = None
    allow_modified_data: bool = False  # time a dataset copy that differs from its manifest

    def __post_init__(self) -> None:
        try:
            width, height = (int(v) for v in self.size)
        except (TypeError, ValueError):
            width = height = 0
        if width < 1 or height < 1:
            shown = "x".join(map(str, self.size)) if isinstance(self.size, tuple) else self.size
            raise SuiteError(f"--size must be WIDTHxHEIGHT with both >= 1, e.g. 1280x720: {shown}")
        self.size = (width, height)
        if self.latency_profile is not None:
            self._take_profile()
        if self.dataset is not None:
            self.dataset = canonical_name(self.dataset)  # a known set, never a path
            if not self.latency:
                raise SuiteError("--dataset sets the latency inputs: drop it or --no-latency")
        self.latency_settings(self.device)  # checks precision, modes, warm-up, repeats, threads

    def _take_profile(self) -> None:
        """Fix what the latency profile fixes; a flag set to something else is refused, since
        the record would no longer be the published protocol."""
        profile = latency_profile(str(self.latency_profile))
        fixed = {**profile.settings, "dataset": profile.dataset}
        defaults = BenchOptions.__dataclass_fields__
        clash = [
            f"--{name.replace('_', '-')}"
            for name, value in fixed.items()
            if getattr(self, name) not in (value, defaults[name].default)
            and not (name == "dataset" and canonical_name(str(self.dataset)) == value)
        ]
        if clash:
            raise SuiteError(
                f"--latency-profile {profile.name} fixes {', '.join(clash)} (as the challenge "
                "ran it): drop them, or time without the profile"
            )
        for name, value in fixed.items():
            setattr(self, name, value)

    def latency_settings(self, device: str) -> LatencySettings:
        return LatencySettings(
            device=device,
            precision=self.precision,
            warmup=self.warmup,
            repeats=self.repeats,
            cudnn_benchmark=self.cudnn_benchmark,
            tf32=self.tf32,
            threads=self.threads,
            autocast=self.autocast,
            channels_last=self.channels_last,
            compile=self.compile,
        )

    def variant(self) -> list[str]:
        """The file-name parts of the latency mode (or profile) beyond precision, dataset and
        size, which :func:`suite.results.store.bench_path` names itself."""
        if self.latency_profile is not None:
            return [self.latency_profile]
        return self.latency_settings(self.device).variant()


_MODE_FIELDS = ("precision", "tf32", "autocast", "channels_last", "compile")


def mode_options(opts: BenchOptions, mode: str) -> BenchOptions:
    """``opts`` switched to one latency mode (:data:`suite.bench.latency.MODES`); the other
    mode settings go back to their defaults, so each mode is measured on its own."""
    if mode not in MODES:
        raise SuiteError(f"unknown latency mode {mode!r}; known: {', '.join(MODES)}")
    plain = {name: BenchOptions.__dataclass_fields__[name].default for name in _MODE_FIELDS}
    return dataclasses.replace(opts, **{**plain, **MODES[mode]})


def sweep_modes(device: str) -> list[str]:
    """Every latency mode that means something on ``device`` (TF32 exists on CUDA only)."""
    cuda = torch.device(device).type == "cuda"
    return [m for m in MODES if cuda or m not in CUDA_ONLY_MODES]


def mode_name(opts: BenchOptions) -> str:
    """How the network ran, in one word: ``fp32``, ``fp16``, ``tf32``, ``autocast-bf16``,
    ``channels_last+compile``, a latency profile's name …"""
    cast = [opts.precision] if opts.precision != "fp32" and opts.latency_profile is None else []
    return "+".join([*cast, *opts.variant()]) or "fp32"


def result_path(
    results_dir: Path, model_id: str, opts: BenchOptions, accelerator: str | None = None
) -> Path:
    """Where ``suite bench`` writes this benchmark (see :func:`suite.results.store.bench_path`):
    ``profile__<device>[__<GPU kind>][__<precision>][__<dataset>][__<size>][__<mode>…].json``;
    ``accelerator``, the GPU kind a cluster ran a CUDA benchmark on, is named only for one."""
    device_type = torch.device(opts.device).type
    accelerator = accelerator if device_type == "cuda" else None
    path = bench_path(
        results_dir, model_id, device_type, opts.precision, opts.dataset, opts.size, accelerator
    )
    extra = [safe_name(part, "benchmark variant") for part in opts.variant()]
    return path.with_name("__".join([path.stem, *extra]) + ".json") if extra else path


# --------------------------------------------------------------------------- pieces


@dataclass(frozen=True)
class _Job:
    """One benchmark, resolved: the model, its input size (H, W) and the device."""

    spec: ModelSpec
    opts: BenchOptions
    device: str
    input_hw: tuple[int, int]
    memory_hw: tuple[int, int] | None = None  # peak memory's input, if not input_hw

    @property
    def scale(self) -> int:
        return self.spec.integer_scale

    def build(self) -> nn.Module:
        return build_network(self.spec.arch, **self.spec.arch_kwargs)


def _size_record(job: _Job) -> dict[str, Any]:
    (width, height), scale = job.opts.size, job.scale
    in_h, in_w = job.input_hw
    return {
        "target_output": f"{width}x{height}",
        "input": {"height": in_h, "width": in_w},
        "output": {"height": in_h * scale, "width": in_w * scale},
        "note": (
            f"input = floor({width}/{scale}) × floor({height}/{scale}) = {in_w}×{in_h} "
            f"(W×H), so the ×{scale} output is {in_w * scale}×{in_h * scale}"
        ),
    }


def _weights(job: _Job) -> tuple[nn.Module, str, dict[str, str] | None]:
    """The model with its verified checkpoint when on disk (never downloaded) and the
    checkpoint's record, else random weights and None."""
    from suite.models.checkpoints import checkpoint_record, checkpoint_status, resolve_checkpoint
    from suite.models.loading import load_weights

    spec, opts = job.spec, job.opts
    if spec.user is not None and spec.user.weights is not None:
        record = user_checkpoint_record(spec)
        return load_weights(spec, Path(spec.user.weights), job.device), "checkpoint", record
    status = checkpoint_status(spec, opts.checkpoint_dir, opts.cache_dir)
    if status in ("local", "cached"):
        path = resolve_checkpoint(spec, opts.checkpoint_dir, opts.cache_dir, download=False)
        record = checkpoint_record(spec, path, opts.cache_dir)
        return load_weights(spec, path, job.device), "checkpoint", record
    model = job.build()
    for p in model.parameters():
        p.requires_grad_(False)
    return model.to(job.device).eval(), f"random (checkpoint {status})", None


def _input_range(x: torch.Tensor, spec: ModelSpec) -> torch.Tensor:
    return x * spec.input_range if spec.input_range != 1.0 else x


def _synthetic_input(job: _Job, hw: tuple[int, int] | None = None) -> torch.Tensor:
    """A reproducible uniform-random image of the benchmark's input size (or ``hw``), on the
    CPU."""
    gen = torch.Generator().manual_seed(0)
    return _input_range(torch.rand(1, 3, *(hw or job.input_hw), generator=gen), job.spec)


def _dataset_inputs(job: _Job) -> tuple[list[tuple[str, torch.Tensor]], dict[str, Any]]:
    """LR images of a benchmark set made with the basicsr profile, as CPU tensors, and the
    set's manifest check (an altered copy is refused unless ``allow_modified_data``)."""
    from suite.data.datasets import require_dataset
    from suite.data.manifests import check_dataset
    from suite.protocol.pairs import load_pair
    from suite.protocol.pixels import to_tensor
    from suite.protocol.profiles import get_profile

    ds = require_dataset(str(job.opts.dataset), job.opts.data_root, download=False)
    manifest = check_dataset(ds, allow_modified=job.opts.allow_modified_data)
    profile = get_profile("basicsr")
    cache = Path(job.opts.cache_dir) if job.opts.cache_dir else None
    out = []
    for name in ds.images:
        pair = load_pair(ds, name, job.scale, profile, cache)
        out.append((name, _input_range(to_tensor(pair.lr, "cpu"), job.spec)))
    return out, manifest.to_dict()


_Inputs = tuple[list[tuple[str, torch.Tensor]], dict[str, Any]]


def _latency_inputs(job: _Job) -> _Inputs:
    """The named CPU inputs to time and what the record says about them (source, manifest)."""
    if job.opts.dataset:
        named, manifest = _dataset_inputs(job)
        source = f"{job.opts.dataset} LR images (basicsr profile)"
        return named, {"input": source, "manifest": manifest}
    return [("synthetic", _synthetic_input(job))], {"input": "uniform random input of size.input"}


def _latency(forward: ModeForward, job: _Job, latency_inputs: _Inputs) -> dict[str, Any]:
    named, about = latency_inputs
    dtype = next(forward.model.parameters()).dtype
    inputs = [(name, x.to(device=job.device, dtype=dtype)) for name, x in named]
    settings = job.opts.latency_settings(job.device)
    return {**measure_latency(forward, inputs, settings), **about}


def _memory(forward: ModeForward, job: _Job) -> dict[str, Any] | None:
    x = _synthetic_input(job, job.memory_hw)
    if torch.device(job.device).type == "cuda":
        x = forward.convert(x.to(device=job.device, dtype=next(forward.model.parameters()).dtype))

        def run() -> None:
            with torch.inference_mode():
                forward(x)

        return cuda_peak_memory(run, job.device)
    spec, opts = job.spec, job.opts
    if opts.autocast or opts.channels_last or opts.compile:
        return None  # the measuring child runs the plain network (see NOTES["memory"])
    return cpu_peak_memory(spec.arch, spec.arch_kwargs, x.shape, opts.precision, opts.threads)


def _parameter_counts(job: _Job) -> dict[str, int | None]:
    """Trainable parameters and the checkpoint's values (see :data:`NOTES`); your model is
    built from its class and its weight file read with the zoo's unwrapping rules."""
    spec, opts = job.spec, job.opts
    if spec.user is None or spec.user.weights is None or spec.checkpoint is None:
        return parameter_counts(spec, opts.checkpoint_dir, opts.cache_dir)
    from suite.models.loading import read_state_dict

    state = read_state_dict(Path(spec.user.weights), spec.checkpoint)
    return {
        "params": trainable_params(job.build()),
        "checkpoint_params": state_dict_param_count(state),
    }


def _macs(job: _Job) -> dict[str, MacCount]:
    return count_macs(
        job.build, (1, 3, *job.input_hw), counters=job.opts.counters, device=job.device
    )


# --------------------------------------------------------------------------- composition


def benchmark(
    model: str | ModelSpec, options: BenchOptions | None = None, **overrides: Any
) -> dict[str, Any]:
    """Benchmark one model (a zoo id or spec, or your own model's spec); returns the JSON-able
    record (see :data:`NOTES`).

    Options are :class:`BenchOptions` fields, as an object, as keywords, or both (keywords win):
    ``benchmark("EIMN_A_x4", device="cuda", precision="fp16")``.
    """
    opts = options or BenchOptions()
    if overrides:
        opts = BenchOptions(**{**opts.__dict__, **overrides})
    spec = model if isinstance(model, ModelSpec) else get_spec(model)
    if spec.user is not None and spec.user.weights is None:
        raise SuiteError(
            f"benchmarking {spec.id} needs its class and a weights file (peak memory is measured "
            "in a fresh process that rebuilds it): save its state dict and describe it with "
            "suite.models.user.user_spec, or use `suite bench --arch … --weights …`"
        )
    device = str(resolve_device(opts.device))
    job = _Job(spec, opts, device, _input_hw(spec, opts.size))
    try:
        with backend_settings(opts.latency_settings(device)):  # threads apply to fvcore too
            return _jsonable(_measure(job))
    except SuiteError:
        raise
    except Exception as exc:
        if why := compile_failure(exc):
            raise SuiteError(
                f"{spec.id}: torch.compile could not compile it on {device} ({why}); nothing "
                "was written for it. Fix: a working C++ compiler (CPU) or Triton (CUDA), or "
                "time it without --compile"
            ) from exc
        if is_oom(exc):
            (in_h, in_w), (width, height) = job.input_hw, opts.size
            raise SuiteError(
                f"{spec.id} ran out of memory on {device} for a {width}x{height} output (input "
                f"{in_w}x{in_h}, {opts.precision}); nothing was written for it. Fix: a smaller "
                "--size, free memory, or another --device."
            ) from exc
        if spec.user is None:
            raise
        raise SuiteError(
            f"{spec.id}: your model raised {describe_exception(exc, spec)} while being "
            "benchmarked; fix it and rerun"
        ) from exc


def _input_hw(spec: ModelSpec, size: tuple[int, int]) -> tuple[int, int]:
    """The LR input (H, W) for an output of ``size`` (W, H), or why there is none."""
    try:
        scale = spec.integer_scale  # the 1280×720 convention needs an integer scale
    except ValueError as exc:
        raise SuiteError(f"cannot benchmark {spec.id}: {exc}") from None
    try:
        return input_size_for_output(size[0], size[1], scale)
    except ValueError as exc:
        raise SuiteError(
            f"cannot benchmark {spec.id}: {exc}. Fix: a --size of at least {scale}x{scale}, "
            "e.g. 1280x720."
        ) from None


def _measure(job: _Job) -> dict[str, Any]:
    spec, opts = job.spec, job.opts
    # Data and checkpoint first: an altered dataset or a bad weight file fails before any counting
    inputs = _latency_inputs(job) if opts.latency else None
    if opts.latency_profile is not None and inputs is not None:  # the peak of a pass over the set
        largest = max((x for _, x in inputs[0]), key=lambda x: x.shape[-2] * x.shape[-1])
        job = dataclasses.replace(job, memory_hw=tuple(largest.shape[-2:]))
    # your model's weights are always loaded: they must fit its class, and give its provenance
    loaded = _weights(job) if opts.latency or opts.memory or spec.user is not None else None
    counts = _macs(job)
    default = DEFAULT_COUNTER if DEFAULT_COUNTER in counts else next(iter(counts))
    result: dict[str, Any] = {
        "schema": BENCH_SCHEMA,
        "model": spec.id,
        "family": spec.family,
        "arch": spec.arch,
        "arch_kwargs": spec.arch_kwargs,
        "scale": spec.scale,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "mode": mode_name(opts),
        "size": _size_record(job),
        **_parameter_counts(job),
        "macs": macs_summary(counts, default),
        "macs_unit": "G (1e9 multiply-accumulates)",
        "macs_detail": {name: c.to_dict() for name, c in counts.items()},
        "macs_disagreements": disagreements(counts, default),
    }
    if opts.flops:
        result["flops"] = {n: None if c.gmacs is None else 2 * c.gmacs for n, c in counts.items()}
        result["flops_unit"] = "G (1e9 floating-point operations = 2 × MACs)"
    result.update(weights=None, checkpoint=None, latency_ms=None, latency=None, peak_memory_mb=None)
    if loaded is not None:
        model, result["weights"], result["checkpoint"] = loaded
        if spec.user is not None:
            result["user_model"] = user_model_record(spec, model)
        model = cast_for_precision(model, job.device, opts.precision)
        forward = ModeForward(model, opts.latency_settings(job.device))
        if inputs is not None:
            result["latency"] = _latency(forward, job, inputs)
            result["latency_ms"] = result["latency"]["stats"]
        if opts.memory:
            result["peak_memory_mb"] = _memory(forward, job)
    if opts.latency_profile is not None:
        profile = latency_profile(opts.latency_profile)
        result["latency_profile"] = {"name": profile.name, "description": profile.description}
    result["env"] = env_info(job.device, opts.precision)
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
