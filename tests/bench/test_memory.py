"""Peak memory: a real fresh-process CPU measurement on a tiny model, and the CUDA call order."""

from __future__ import annotations

import sys

import pytest
import torch

from suite.bench.memory import MIB, cpu_peak_memory, cuda_peak_memory, is_oom, proc_status_kib
from suite.errors import SuiteError

# One EIMN stage of 8 channels: builds in milliseconds, yet a 128×128 forward allocates a few MiB.
TINY = {"variant": "A", "scale": 2, "dim": 8, "num_stages": 1}

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs /proc")


@pytest.mark.slow
@linux_only
def test_cpu_peak_memory_in_a_fresh_process() -> None:
    mem = cpu_peak_memory("eimn", TINY, (1, 3, 128, 128), threads=1)
    assert mem["device"] == "cpu" and mem["exact"] is True
    assert mem["forward_peak_mb"] > 0
    assert mem["peak_mb"] == mem["forward_peak_mb"]
    assert mem["peak_rss_mb"] >= mem["rss_before_mb"] + mem["forward_peak_mb"] - 1e-9
    assert mem["torch_threads"] == 1
    assert "VmHWM" in mem["definition"]


@pytest.mark.slow
def test_cpu_peak_memory_reports_a_failing_child() -> None:
    with pytest.raises(SuiteError, match="failed"):
        cpu_peak_memory("no_such_arch", {}, (1, 3, 8, 8))


@linux_only
def test_proc_status_has_rss_and_peak() -> None:
    status = proc_status_kib()
    assert status["VmHWM"] >= status["VmRSS"] > 0


class FakeCuda:
    """Records the order of allocator calls; the peak is 3 MiB above 1 MiB held before."""

    def __init__(self) -> None:
        self.log: list[str] = []

    def synchronize(self, device=None) -> None:
        self.log.append("synchronize")

    def empty_cache(self) -> None:
        self.log.append("empty_cache")

    def reset_peak_memory_stats(self, device=None) -> None:
        self.log.append("reset")

    def memory_allocated(self, device=None) -> int:
        self.log.append("allocated")
        return 1 * MIB

    def max_memory_allocated(self, device=None) -> int:
        self.log.append("max_allocated")
        return 4 * MIB

    def max_memory_reserved(self, device=None) -> int:
        self.log.append("max_reserved")
        return 8 * MIB


def test_cuda_peak_memory_resets_then_reads_after_one_forward() -> None:
    cuda = FakeCuda()
    mem = cuda_peak_memory(lambda: cuda.log.append("forward"), "cuda:0", cuda=cuda)
    assert cuda.log == [
        "forward",  # warm-up: autotuning workspaces are not measured
        "synchronize",
        "empty_cache",
        "reset",
        "allocated",
        "forward",
        "synchronize",
        "max_allocated",
        "max_reserved",
    ]
    assert mem["peak_mb"] == mem["max_allocated_mb"] == 4.0
    assert mem["max_reserved_mb"] == 8.0
    assert mem["forward_peak_mb"] == 3.0


@pytest.mark.parametrize(
    ("exc", "oom"),
    [
        (torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"), True),
        (RuntimeError("[enforce fail] DefaultCPUAllocator: can't allocate memory: 8 GB"), True),
        (MemoryError(), True),
        (RuntimeError("Given groups=1, weight of size [4, 3, 3, 3], expected input"), False),
    ],
)
def test_is_oom(exc: BaseException, oom: bool) -> None:
    assert is_oom(exc) is oom
