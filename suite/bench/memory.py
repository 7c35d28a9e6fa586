"""Peak memory of one forward pass, in MiB (2**20 bytes; "MB" in results, as papers write it).

CUDA: after one untimed forward (so cuDNN autotuning workspaces and lazy initialisation are
not counted) the allocator's peak statistics are reset, one more forward runs, and
``max_memory_allocated`` (tensors: weights + input + activations + output, the number papers
quote) and ``max_memory_reserved`` (what the caching allocator held) are read.

CPU: there is no allocator statistic, so the forward pass runs in a fresh Python process
(``python -m suite.bench.memory``) where nothing earlier can have raised the high-water mark. The
child builds the model with random weights (values do not change memory), resets the kernel's
peak-RSS counter (``/proc/self/clear_refs``), reads ``VmRSS`` just before the forward and
``VmHWM`` just after (a forward on a 16×16 crop runs first, so one-off library set-up is not
counted): ``forward_peak_mb`` = VmHWM − VmRSS-before is the headline (memory the
forward itself needed), ``peak_rss_mb`` = VmHWM the absolute peak of the process. Without
``/proc`` (non-Linux) ``getrusage`` ``ru_maxrss`` is used, and the forward figure is then only
a lower bound.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import torch

from suite import paths
from suite.errors import SuiteError

__all__ = [
    "MIB",
    "OOM_MESSAGES",
    "cpu_peak_memory",
    "cuda_peak_memory",
    "is_oom",
    "peak_rss_reset",
    "proc_status_kib",
]

MIB = 2**20
_PROC_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")
_WARMUP_SIDE = 16

CPU_DEFINITION = (
    "forward_peak_mb = peak RSS during one forward (VmHWM after resetting it) minus RSS just "
    "before the forward, measured in a fresh process; peak_rss_mb = the absolute peak RSS of "
    "that process (Python, torch, weights, input and forward)"
)
CUDA_DEFINITION = (
    "peak_mb = torch.cuda.max_memory_allocated over one forward after reset_peak_memory_stats "
    "(weights + input + activations + output); max_reserved_mb = the caching allocator's peak"
)


# --------------------------------------------------------------------------- out of memory


# How running out is worded by the CUDA allocator and by PyTorch's CPU one (c10 alloc_cpu.cpp).
OOM_MESSAGES = ("out of memory", "defaultcpuallocator: can't allocate memory")


def is_oom(exc: BaseException) -> bool:
    """True for an out-of-memory error: CUDA's, PyTorch's CPU allocator's or Python's own."""
    if isinstance(exc, MemoryError | getattr(torch.cuda, "OutOfMemoryError", MemoryError)):
        return True
    return any(words in str(exc).lower() for words in OOM_MESSAGES)


# --------------------------------------------------------------------------- CUDA


def cuda_peak_memory(
    forward: Callable[[], object], device: str | torch.device, cuda: ModuleType | Any = None
) -> dict[str, Any]:
    """Peak CUDA memory of one call of ``forward`` (``cuda`` is injectable for tests)."""
    cuda = cuda or torch.cuda
    dev = torch.device(device)
    forward()  # warm-up: autotuning workspaces and lazy init are not part of the forward
    cuda.synchronize(dev)
    gc.collect()
    cuda.empty_cache()
    cuda.reset_peak_memory_stats(dev)
    before = cuda.memory_allocated(dev)
    forward()
    cuda.synchronize(dev)
    peak = cuda.max_memory_allocated(dev)
    return {
        "device": "cuda",
        "peak_mb": peak / MIB,
        "max_allocated_mb": peak / MIB,
        "max_reserved_mb": cuda.max_memory_reserved(dev) / MIB,
        "allocated_before_mb": before / MIB,
        "forward_peak_mb": (peak - before) / MIB,
        "definition": CUDA_DEFINITION,
    }


# --------------------------------------------------------------------------- CPU (child side)


def proc_status_kib() -> dict[str, int]:
    """``VmRSS`` and ``VmHWM`` of this process in KiB (empty without ``/proc``)."""
    out: dict[str, int] = {}
    try:
        for line in _PROC_STATUS.read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0])
    except OSError:
        return {}
    return out


def peak_rss_reset() -> bool:
    """Reset the kernel's peak-RSS counter (VmHWM) to the current RSS; False if unsupported."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def _ru_maxrss_kib() -> int:
    """Process peak RSS from getrusage (KiB on Linux, bytes on macOS)."""
    value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return value // 1024 if sys.platform == "darwin" else value


def _warm_up(model: torch.nn.Module, x: torch.Tensor) -> list[int] | None:
    """One forward on a small crop of ``x`` so one-off library set-up (thread pools, oneDNN
    kernels) is not counted as the forward's memory; None if the model rejects the crop."""
    small = x[..., : min(x.shape[-2], _WARMUP_SIDE), : min(x.shape[-1], _WARMUP_SIDE)]
    try:
        with torch.inference_mode():
            model(small.contiguous())
    except Exception:  # e.g. a model that needs a minimum size: measure without warm-up
        return None
    return list(small.shape)


def _measure_in_this_process(job: dict[str, Any]) -> dict[str, Any]:
    """Build the job's model, run one forward and report RSS figures (the child's work)."""
    from suite.bench.latency import PRECISIONS
    from suite.models.user import build_network

    if job.get("threads"):
        torch.set_num_threads(int(job["threads"]))
    dtype = PRECISIONS[job.get("precision", "fp32")]
    model = build_network(job["arch"], **job.get("arch_kwargs", {})).to(dtype).eval()
    x = torch.rand(*job["input_shape"], generator=torch.Generator().manual_seed(0)).to(dtype)
    warmed = _warm_up(model, x)
    gc.collect()
    reset = peak_rss_reset()
    before, maxrss_before = proc_status_kib(), _ru_maxrss_kib()
    with torch.inference_mode():
        y = model(x)
    del y
    after, maxrss_after = proc_status_kib(), _ru_maxrss_kib()
    if reset and "VmHWM" in after:
        peak, base, exact = after["VmHWM"], before["VmRSS"], True
    else:  # no resettable counter: the forward only shows if it beat every earlier peak
        peak, base, exact = maxrss_after, maxrss_before, False
    return {
        "device": "cpu",
        "peak_mb": max(peak - base, 0) / 1024,
        "forward_peak_mb": max(peak - base, 0) / 1024,
        "peak_rss_mb": peak / 1024,
        "rss_before_mb": base / 1024,
        "ru_maxrss_mb": maxrss_after / 1024,
        "exact": exact,
        "torch_threads": torch.get_num_threads(),
        "warmup_input_shape": warmed,
        "definition": CPU_DEFINITION,
    }


def _main(argv: Sequence[str]) -> int:
    """Entry point of the measuring child: one JSON job in, one JSON line out."""
    job = json.loads(argv[0])
    print(json.dumps(_measure_in_this_process(job)))
    return 0


# --------------------------------------------------------------------------- CPU (parent side)


def _child_env() -> dict[str, str]:
    """The environment with this checkout first on PYTHONPATH, so the child imports this suite."""
    root = str(paths.PACKAGE_DIR.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


def cpu_peak_memory(
    arch: str,
    arch_kwargs: dict[str, Any],
    input_shape: Sequence[int],
    precision: str = "fp32",
    threads: int | None = None,
    timeout: float = 1800.0,
) -> dict[str, Any]:
    """Peak resident memory of one CPU forward of ``arch`` (a registered architecture or a
    ``module:Class`` reference) built with ``arch_kwargs``.

    Runs in a fresh process (see the module docstring) and returns its figures in MiB.
    """
    job = {
        "arch": arch,
        "arch_kwargs": arch_kwargs,
        "input_shape": [int(s) for s in input_shape],
        "precision": precision,
        "threads": threads or torch.get_num_threads(),
    }
    cmd = [sys.executable, "-m", "suite.bench.memory", json.dumps(job)]
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, env=_child_env(), check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise SuiteError(f"CPU memory measurement of {arch} timed out after {timeout:g} s") from exc
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        raise SuiteError(
            f"CPU memory measurement of {arch} failed (exit {proc.returncode}):\n{tail}"
        )
    return json.loads(lines[-1])


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
