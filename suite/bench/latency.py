"""Forward-pass latency: a warm-up, N timed repeats and summary statistics, in one of several
modes.

Two timers share one loop (:func:`time_calls`): on CUDA, ``torch.cuda.Event`` pairs around each
call, read after a device synchronisation (so the number is GPU time from the first launched
kernel to the last, including launch gaps); on CPU, ``time.perf_counter``. The clock, the event
factory and the synchronise function are injectable so the loop's behaviour is testable
without a GPU. Settings that change the numbers — precision, cuDNN autotuning, TF32, thread
count — are fixed for the measurement, restored afterwards and returned for the record.

A *mode* is how the network runs (:data:`MODES`): strict fp32 (TF32 off, the default), TF32,
weights cast to fp16/bf16, fp16/bf16 autocast, ``channels_last`` memory format, or
``torch.compile``. Each is a :class:`LatencySettings` field; :meth:`LatencySettings.variant`
names the non-default ones, so each mode's record gets its own file. A *latency profile*
(:data:`LATENCY_PROFILES`) is a published timing protocol replayed as it was run: ``ntire_esr``,
the NTIRE Efficient SR challenges'.
"""

from __future__ import annotations

import contextlib
import math
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

import torch
from torch import nn

from suite.errors import SuiteError

__all__ = [
    "LATENCY_PROFILES",
    "MODES",
    "PRECISIONS",
    "CpuTimer",
    "CudaTimer",
    "LatencyProfile",
    "LatencySettings",
    "ModeForward",
    "backend_settings",
    "cast_for_precision",
    "compile_failure",
    "compile_network",
    "latency_profile",
    "measure_latency",
    "summarize",
    "time_calls",
]

PRECISIONS: dict[str, torch.dtype] = {
    "fp32": torch.float32,
    "fp16": torch.float16,
    "bf16": torch.bfloat16,
}


# --------------------------------------------------------------------------- statistics


def summarize(samples_ms: Sequence[float]) -> dict[str, float | int]:
    """Median, interquartile range (q75 − q25, linear interpolation between samples), mean,
    standard deviation (sample, n−1), min, max and count of timings in ms."""
    values = [float(v) for v in samples_ms]
    if not values:
        raise ValueError("no timings to summarise")
    q25, _, q75 = (
        statistics.quantiles(values, n=4, method="inclusive") if len(values) > 1 else values * 3
    )
    return {
        "median": statistics.median(values),
        "iqr": q75 - q25,
        "q25": q25,
        "q75": q75,
        "mean": statistics.fmean(values),
        "std": statistics.stdev(values) if len(values) > 1 else 0.0,
        "min": min(values),
        "max": max(values),
        "count": len(values),
    }


# --------------------------------------------------------------------------- timers


class Timer(Protocol):
    """Measures one call in milliseconds; ``settle`` waits for work still queued."""

    def settle(self) -> None: ...

    def measure(self, fn: Callable[[], object]) -> float: ...


class CpuTimer:
    """Wall-clock timing with ``time.perf_counter`` (or an injected clock in seconds)."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock

    def settle(self) -> None:
        """CPU work is synchronous: nothing to wait for."""

    def measure(self, fn: Callable[[], object]) -> float:
        start = self.clock()
        fn()
        return (self.clock() - start) * 1e3


class CudaTimer:
    """GPU timing with a pair of CUDA events per call, read only after synchronising.

    ``event_factory`` must return objects with ``record()`` and ``elapsed_time(other)`` (ms);
    ``synchronize`` waits for the device. Both default to the ``torch.cuda`` ones.
    """

    def __init__(
        self,
        event_factory: Callable[[], Any] | None = None,
        synchronize: Callable[[], None] | None = None,
    ) -> None:
        self.event_factory = event_factory or (lambda: torch.cuda.Event(enable_timing=True))
        self.synchronize = synchronize or torch.cuda.synchronize

    def settle(self) -> None:
        self.synchronize()

    def measure(self, fn: Callable[[], object]) -> float:
        start, end = self.event_factory(), self.event_factory()
        start.record()
        fn()
        end.record()
        self.synchronize()  # elapsed_time is only valid once `end` has completed
        return float(start.elapsed_time(end))


def time_calls(fn: Callable[[], object], warmup: int, repeats: int, timer: Timer) -> list[float]:
    """Run ``fn`` ``warmup`` times untimed, settle, then return ``repeats`` timings in ms."""
    if warmup < 0 or repeats < 1:
        raise ValueError(f"need warmup >= 0 and repeats >= 1, got {warmup} and {repeats}")
    for _ in range(warmup):
        fn()
    timer.settle()
    return [timer.measure(fn) for _ in range(repeats)]


# --------------------------------------------------------------------------- settings

#: The modes a network can be timed in: name → the :class:`LatencySettings` fields it sets
#: (``fp32``, TF32 off, is the default and sets nothing).
MODES: dict[str, dict[str, Any]] = {
    "fp32": {},
    "tf32": {"tf32": True},
    "fp16": {"precision": "fp16"},
    "bf16": {"precision": "bf16"},
    "autocast-fp16": {"autocast": "fp16"},
    "autocast-bf16": {"autocast": "bf16"},
    "channels_last": {"channels_last": True},
    "compile": {"compile": True},
}
CUDA_ONLY_MODES = ("tf32",)  # TF32 is a tensor-core format: on a CPU it equals fp32


@dataclass(frozen=True)
class LatencySettings:
    """How a latency measurement runs; stored verbatim with the result.

    ``precision`` casts weights and input; ``autocast`` keeps fp32 weights and runs under
    ``torch.autocast``; ``tf32`` allows TF32 math on CUDA (None: PyTorch's own defaults, TF32
    for cuDNN convolutions and not for matmuls); ``channels_last`` converts weights and input
    to that memory format (untimed); ``compile`` times the network after ``torch.compile``
    (compilation happens in the warm-up).
    """

    device: str = "cpu"
    precision: str = "fp32"
    warmup: int = 3
    repeats: int = 10
    cudnn_benchmark: bool = True
    tf32: bool | None = False
    threads: int | None = None  # CPU threads; None keeps torch's current setting
    autocast: str | None = None  # "fp16" | "bf16": autocast dtype (weights stay fp32)
    channels_last: bool = False
    compile: bool = False

    def __post_init__(self) -> None:
        """Refuse settings that would time nothing or fail inside torch, naming each flag."""
        problems = []
        if self.precision not in PRECISIONS:
            problems.append(f"--precision must be one of {', '.join(PRECISIONS)}")
        if self.autocast is not None and self.autocast not in ("fp16", "bf16"):
            problems.append("--autocast must be fp16 or bf16")
        elif self.autocast is not None and self.precision != "fp32":
            problems.append(
                f"--autocast {self.autocast} runs fp32 weights under autocast: drop "
                f"--precision {self.precision} (which casts the weights instead)"
            )
        if self.warmup < 0:
            problems.append(f"--warmup must be >= 0 (got {self.warmup})")
        if self.repeats < 1:
            problems.append(f"--repeats must be >= 1 (got {self.repeats})")
        if self.threads is not None and self.threads < 1:
            problems.append(f"--threads must be >= 1 (got {self.threads}; omit it for torch's own)")
        if problems:
            raise SuiteError("; ".join(problems))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def variant(self) -> list[str]:
        """File-name parts naming every non-default setting except the precision (which the
        results store names itself): ``tf32``, ``autocast-fp16``, ``channels_last``,
        ``compile``, ``no-cudnn-benchmark``, so no mode overwrites the canonical fp32 file."""
        parts = []
        if self.tf32 is not False:
            parts.append("tf32" if self.tf32 else "torch-tf32")
        if self.autocast:
            parts.append(f"autocast-{self.autocast}")
        if self.channels_last:
            parts.append("channels_last")
        if self.compile:
            parts.append("compile")
        if not self.cudnn_benchmark:
            parts.append("no-cudnn-benchmark")
        return parts


@dataclass(frozen=True)
class LatencyProfile:
    """A published timing protocol: the inputs and settings it fixes, and where it is from."""

    name: str
    description: str
    dataset: str  # the LR images of this set are the inputs, one forward each
    settings: dict[str, Any] = field(default_factory=dict)  # LatencySettings fields it fixes

    def apply(self, settings: LatencySettings) -> LatencySettings:
        """``settings`` with the profile's fields in force."""
        return replace(settings, **self.settings)


LATENCY_PROFILES: dict[str, LatencyProfile] = {
    "ntire_esr": LatencyProfile(
        name="ntire_esr",
        description=(
            "NTIRE Efficient SR challenges (2022-2025): each full LR image of the DIV2K "
            "validation set (0801-0900) timed once with CUDA events, fp32 weights and input, "
            "PyTorch's TF32 defaults, cudnn.benchmark off, no warm-up; the score is the mean "
            "over the images. (2023 on add 100 LSDIR images, which the suite does not ship.)"
        ),
        dataset="DIV2K_val",
        # From the challenges' own test_demo.py (github.com/ofsoundof/NTIRE2022_ESR,
        # Amazingren/NTIRE2024_ESR, .../NTIRE2025_ESR): `torch.backends.cudnn.benchmark =
        # False`, the model neither cast nor autocast (fp32; TF32 flags untouched), one
        # `model(img_lr)` per image between two `torch.cuda.Event.record()` calls followed by
        # `torch.cuda.synchronize()`, no warm-up, and `sum(runtimes) / len(runtimes)`.
        settings={
            "precision": "fp32",
            "autocast": None,
            "tf32": None,
            "cudnn_benchmark": False,
            "channels_last": False,
            "compile": False,
            "warmup": 0,
            "repeats": 1,
        },
    ),
}


def latency_profile(name: str) -> LatencyProfile:
    """A named latency profile; the error lists the known ones."""
    try:
        return LATENCY_PROFILES[name]
    except KeyError:
        known = ", ".join(LATENCY_PROFILES)
        raise SuiteError(f"unknown latency profile {name!r}; known: {known}") from None


# PyTorch's own TF32 defaults (since 1.12): cuDNN convolutions may use TF32, matmuls may not.
TORCH_TF32_DEFAULTS = (True, False)


@contextlib.contextmanager
def backend_settings(settings: LatencySettings) -> Iterator[dict[str, Any]]:
    """Fix cuDNN autotuning, TF32 and the CPU thread count; restore them on exit.

    Yields the values in force, for the record.
    """
    cudnn, matmul = torch.backends.cudnn, torch.backends.cuda.matmul
    saved = (cudnn.benchmark, cudnn.allow_tf32, matmul.allow_tf32, torch.get_num_threads())
    try:
        cudnn.benchmark = settings.cudnn_benchmark
        if settings.tf32 is None:
            cudnn.allow_tf32, matmul.allow_tf32 = TORCH_TF32_DEFAULTS
        else:
            cudnn.allow_tf32 = matmul.allow_tf32 = settings.tf32
        if settings.threads is not None:
            torch.set_num_threads(settings.threads)
        yield {
            "cudnn_benchmark": cudnn.benchmark,
            "cudnn_allow_tf32": cudnn.allow_tf32,
            "matmul_allow_tf32": matmul.allow_tf32,
            "torch_threads": torch.get_num_threads(),
        }
    finally:
        cudnn.benchmark, cudnn.allow_tf32, matmul.allow_tf32, threads = saved
        torch.set_num_threads(threads)


def cast_for_precision(model: nn.Module, device: str, precision: str) -> nn.Module:
    """The model on ``device`` with weights cast to the precision's dtype (no autocast)."""
    return model.to(device=device, dtype=PRECISIONS[precision]).eval()


# --------------------------------------------------------------------------- modes


def compile_network(model: nn.Module, dynamic: bool | None = None) -> nn.Module:
    """``model`` compiled in place with ``torch.compile`` (inductor, with *freezing*: the
    weights become constants, which inference allows, so that convolutions get pre-packed
    weights); the compilation itself happens at the first call. ``dynamic=True`` compiles one
    kernel set for every input size (a benchmark set's images); None lets PyTorch specialise,
    then generalise at the second. Measured on EIMN_A_x4, 320×180 input, 2 CPU cores: plain
    compile ×1.3 (static shapes) and ×0.9 (dynamic); with freezing ×1.5 and ×1.6."""
    model.compile(dynamic=dynamic, options={"freezing": True})
    return model


def compile_failure(exc: BaseException) -> str | None:
    """Why ``torch.compile`` could not build code (e.g. no working C++ compiler on a CPU, no
    Triton on a GPU), as one line; None for any other error (the model's own)."""
    dynamo = sys.modules.get("torch._dynamo.exc")  # not loaded: nothing was compiled
    if dynamo is None or not isinstance(exc, dynamo.BackendCompilerFailed):
        return None
    cause = getattr(exc, "inner_exception", None) or exc
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    return lines[0] if lines else type(cause).__name__


class ModeForward:
    """A network set up for a mode (:class:`LatencySettings`): moved to ``channels_last`` and/or
    compiled once, here; each call runs one forward (under autocast when asked), and
    :meth:`convert` prepares an input for it (untimed)."""

    def __init__(self, model: nn.Module, settings: LatencySettings) -> None:
        if settings.channels_last:
            model = model.to(memory_format=torch.channels_last)
        if settings.compile:
            model = compile_network(model)
        self.model = model
        self.settings = settings

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        autocast = self.settings.autocast
        if autocast is None:
            return self.model(x)
        device_type = torch.device(self.settings.device).type
        with torch.autocast(device_type, dtype=PRECISIONS[autocast]):
            return self.model(x)

    def convert(self, x: torch.Tensor) -> torch.Tensor:
        return x.contiguous(memory_format=torch.channels_last) if self.settings.channels_last else x


# --------------------------------------------------------------------------- measurement


def _timer_for(device: str) -> Timer:
    if torch.device(device).type == "cuda":
        return CudaTimer()
    return CpuTimer()


def measure_latency(
    model: nn.Module | ModeForward,
    inputs: Sequence[tuple[str, torch.Tensor]],
    settings: LatencySettings,
    timer: Timer | None = None,
) -> dict[str, Any]:
    """Time ``model`` on each named input (already on the device and in the right dtype).

    One input gives its statistics directly; several (a dataset's images) give per-image
    statistics, and ``stats`` summarises their medians (``stats["mean"]`` is the mean per-image
    latency). Every input gets its own warm-up, so cuDNN autotuning or a compilation for a new
    shape is never timed. The network runs in ``settings``' mode (a plain module is set up for
    it here; pass a :class:`ModeForward` to reuse one that is).
    """
    timer = timer or _timer_for(settings.device)
    per_input: dict[str, dict[str, Any]] = {}
    forward = model if isinstance(model, ModeForward) else ModeForward(model, settings)
    with backend_settings(settings) as flags, torch.inference_mode():
        for name, x in inputs:
            x = forward.convert(x)
            samples = time_calls(lambda x=x: forward(x), settings.warmup, settings.repeats, timer)
            per_input[name] = {**summarize(samples), "input_shape": list(x.shape)}
    out: dict[str, Any] = {"settings": settings.to_dict(), "flags": flags}
    if len(per_input) == 1:
        out["stats"] = next(iter(per_input.values()))
    else:
        medians = [s["median"] for s in per_input.values()]
        out["stats"] = {**summarize(medians), "of": "per-image medians"}
        out["total_ms"] = math.fsum(medians)
        out["per_image"] = per_input
    return out
