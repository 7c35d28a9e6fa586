"""Forward-pass latency: a warm-up, N timed repeats and summary statistics.

Two timers share one loop (:func:`time_calls`): on CUDA, ``torch.cuda.Event`` pairs around each
call, read after a device synchronisation (so the number is GPU time from the first launched
kernel to the last, including launch gaps); on CPU, ``time.perf_counter``. The clock, the event
factory and the synchronise function are injectable so the loop's behaviour is testable
without a GPU. Settings that change the numbers — precision, cuDNN autotuning, TF32, thread
count — are fixed for the measurement, restored afterwards and returned for the record.
"""

from __future__ import annotations

import contextlib
import math
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import torch
from torch import nn

from suite.errors import SuiteError

__all__ = [
    "PRECISIONS",
    "CpuTimer",
    "CudaTimer",
    "LatencySettings",
    "backend_settings",
    "cast_for_precision",
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
    """Median, mean, standard deviation (sample, n−1), min, max and count of timings in ms."""
    values = [float(v) for v in samples_ms]
    if not values:
        raise ValueError("no timings to summarise")
    return {
        "median": statistics.median(values),
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


@dataclass(frozen=True)
class LatencySettings:
    """How a latency measurement runs; stored verbatim with the result."""

    device: str = "cpu"
    precision: str = "fp32"
    warmup: int = 3
    repeats: int = 10
    cudnn_benchmark: bool = True
    tf32: bool = False
    threads: int | None = None  # CPU threads; None keeps torch's current setting

    def __post_init__(self) -> None:
        """Refuse settings that would time nothing or fail inside torch, naming each flag."""
        problems = []
        if self.precision not in PRECISIONS:
            problems.append(f"--precision must be one of {', '.join(PRECISIONS)}")
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


@contextlib.contextmanager
def backend_settings(settings: LatencySettings) -> Iterator[dict[str, Any]]:
    """Fix cuDNN autotuning, TF32 and the CPU thread count; restore them on exit.

    Yields the values in force, for the record.
    """
    cudnn, matmul = torch.backends.cudnn, torch.backends.cuda.matmul
    saved = (cudnn.benchmark, cudnn.allow_tf32, matmul.allow_tf32, torch.get_num_threads())
    try:
        cudnn.benchmark = settings.cudnn_benchmark
        cudnn.allow_tf32 = settings.tf32
        matmul.allow_tf32 = settings.tf32
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


# --------------------------------------------------------------------------- measurement


def _timer_for(device: str) -> Timer:
    if torch.device(device).type == "cuda":
        return CudaTimer()
    return CpuTimer()


def measure_latency(
    model: nn.Module,
    inputs: Sequence[tuple[str, torch.Tensor]],
    settings: LatencySettings,
    timer: Timer | None = None,
) -> dict[str, Any]:
    """Time ``model`` on each named input (already on the device and in the right dtype).

    One input gives its statistics directly; several (a dataset's images) give per-image
    statistics, and ``stats`` summarises their medians (``stats["mean"]`` is the mean per-image
    latency). Every input gets its own warm-up, so
    cuDNN autotuning for a new shape is never timed.
    """
    timer = timer or _timer_for(settings.device)
    per_input: dict[str, dict[str, Any]] = {}
    with backend_settings(settings) as flags, torch.inference_mode():
        for name, x in inputs:
            samples = time_calls(lambda x=x: model(x), settings.warmup, settings.repeats, timer)
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
