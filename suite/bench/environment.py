"""The machine a number was measured on: device resolution and environment capture.

:func:`resolve_device` turns ``--device`` into a torch device (or a clear error);
:func:`env_info` records everything that can change a measured number, stored with every result
(evaluations and benchmarks): on a GPU also its name, UUID, driver, CUDA, cuDNN and clocks
(:func:`cuda_info`, read through nvidia-smi when it is there).
"""

from __future__ import annotations

import os
import platform
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from suite import __version__, paths
from suite.errors import SuiteError


def resolve_device(device: str | torch.device, here: bool = True) -> torch.device:
    """``cpu`` or ``cuda[:N]``; CUDA without a GPU is an error, not a silent fallback.
    ``here=False`` checks the name only, for a device of another machine (a Ray worker's)."""
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        dev = None
    if dev is None or dev.type not in ("cpu", "cuda"):
        raise SuiteError(f"unsupported device {str(device)!r}: use cpu or cuda[:N]")
    if here and dev.type == "cuda" and not torch.cuda.is_available():
        raise SuiteError("--device cuda requested but no CUDA GPU is available; use --device cpu")
    return dev


def cpu_model() -> str:
    """CPU model name from /proc/cpuinfo (Linux) or platform as a fallback."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def git_revision() -> str | None:
    """The suite checkout's commit (with ``-dirty`` when it has uncommitted changes)."""
    root = paths.PACKAGE_DIR.parent
    try:
        rev = subprocess.run(
            ["git", "-C", str(root), "describe", "--always", "--dirty", "--abbrev=12"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return rev or None


def backend_flags() -> dict[str, Any]:
    """Math-library switches that change speed or numerics (TF32, autotuning, oneDNN)."""
    return {
        "float32_matmul_precision": torch.get_float32_matmul_precision(),
        "mkldnn_enabled": torch.backends.mkldnn.enabled,
        "cudnn_enabled": torch.backends.cudnn.enabled,
        "cudnn_benchmark": torch.backends.cudnn.benchmark,
        "cudnn_deterministic": torch.backends.cudnn.deterministic,
        "cudnn_allow_tf32": torch.backends.cudnn.allow_tf32,
        "matmul_allow_tf32": torch.backends.cuda.matmul.allow_tf32,
    }


def env_info(device: str = "cpu", precision: str | None = None) -> dict[str, Any]:
    """Everything that can change a measured number, in one JSON-able dict.

    ``precision`` (e.g. "fp16") is recorded when a measurement ran in one; timings also depend
    on :func:`backend_flags`, the CPU/GPU model, the thread count and the driver, all included.
    """
    info: dict[str, Any] = {
        "suite": __version__,
        "git": git_revision(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "torch_interop_threads": torch.get_num_interop_threads(),
        "torch_cuda_build": torch.version.cuda,
        "device": device,
        "flags": backend_flags(),
    }
    if precision is not None:
        info["precision"] = precision
    if device.startswith("cuda") and torch.cuda.is_available():
        info.update(cuda_info(torch.device(device).index or 0))
    return info


# What nvidia-smi is asked about the GPU (``--query-gpu``), and the record's key for each.
SMI_FIELDS: dict[str, str] = {
    "driver_version": "driver",
    "clocks.sm": "clock_sm_mhz",
    "clocks.mem": "clock_mem_mhz",
    "clocks.max.sm": "clock_sm_max_mhz",
    "clocks.max.mem": "clock_mem_max_mhz",
    "clocks.applications.graphics": "clock_app_graphics_mhz",
    "power.limit": "power_limit_w",
    "pstate": "pstate",
    "persistence_mode": "persistence_mode",
}
_UNREADABLE = ("", "N/A", "[N/A]", "[Not Supported]", "[Unknown Error]")


def nvidia_smi(gpu: str, run: Callable[..., Any] = subprocess.run) -> dict[str, str | None]:
    """Driver version, clocks (MHz), power limit and performance state of one GPU (``gpu``: its
    UUID or index, as ``nvidia-smi --id`` takes it); None for each value that cannot be read,
    and for all of them when nvidia-smi is missing or fails."""
    unknown: dict[str, str | None] = dict.fromkeys(SMI_FIELDS.values())
    cmd = ["nvidia-smi", f"--id={gpu}", f"--query-gpu={','.join(SMI_FIELDS)}"]
    try:
        done = run(
            [*cmd, "--format=csv,noheader,nounits"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return unknown
    lines = (done.stdout or "").strip().splitlines() if done.returncode == 0 else []
    values = [v.strip() for v in lines[0].split(",")] if lines else []
    if len(values) != len(SMI_FIELDS):
        return unknown
    return {
        key: None if value in _UNREADABLE else value
        for key, value in zip(SMI_FIELDS.values(), values, strict=True)
    }


def cuda_info(index: int, run: Callable[..., Any] = subprocess.run) -> dict[str, Any]:
    """The GPU a number was measured on: name, UUID, compute capability, memory, SM count, the
    CUDA and cuDNN versions torch runs with, the TF32 and autotuning switches, and from
    nvidia-smi the driver, clocks, power limit and performance state (None where unreadable)."""
    props = torch.cuda.get_device_properties(index)
    uuid = getattr(props, "uuid", None)
    gpu_id = f"GPU-{uuid}" if uuid is not None else str(index)
    return {
        "gpu": torch.cuda.get_device_name(index),
        "gpu_uuid": None if uuid is None else str(uuid),
        "gpu_capability": f"{props.major}.{props.minor}",
        "gpu_memory_mb": round(props.total_memory / 2**20),
        "gpu_multiprocessors": getattr(props, "multi_processor_count", None),
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version(),
        "cudnn_allow_tf32": torch.backends.cudnn.allow_tf32,
        "matmul_allow_tf32": torch.backends.cuda.matmul.allow_tf32,
        "cudnn_benchmark": torch.backends.cudnn.benchmark,
        **nvidia_smi(gpu_id, run),
    }
