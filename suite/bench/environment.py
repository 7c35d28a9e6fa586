"""The machine a number was measured on: device resolution and environment capture.

:func:`resolve_device` turns ``--device`` into a torch device (or a clear error);
:func:`env_info` records everything that can change a measured number, stored with every result.
"""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import torch

from suite import __version__, paths
from suite.errors import SuiteError


def resolve_device(device: str | torch.device) -> torch.device:
    """``cpu`` or ``cuda[:N]``; CUDA without a GPU is an error, not a silent fallback."""
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        dev = None
    if dev is None or dev.type not in ("cpu", "cuda"):
        raise SuiteError(f"unsupported device {str(device)!r}: use cpu or cuda[:N]")
    if dev.type == "cuda" and not torch.cuda.is_available():
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
        idx = torch.device(device).index or 0
        props = torch.cuda.get_device_properties(idx)
        info.update(
            gpu=torch.cuda.get_device_name(idx),
            gpu_capability=f"{props.major}.{props.minor}",
            gpu_memory_mb=round(props.total_memory / 2**20),
            cuda=torch.version.cuda,
            cudnn=torch.backends.cudnn.version(),
            cudnn_allow_tf32=torch.backends.cudnn.allow_tf32,
            matmul_allow_tf32=torch.backends.cuda.matmul.allow_tf32,
            cudnn_benchmark=torch.backends.cudnn.benchmark,
        )
        try:
            out = subprocess.run(
                ["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                capture_output=True,
                text=True,
                timeout=10,
            )
            info["driver"] = out.stdout.strip().splitlines()[0] if out.stdout.strip() else None
        except (OSError, subprocess.SubprocessError):
            info["driver"] = None
    return info
