"""The timing loop's behaviour with fake clocks and fake CUDA events (never its speed)."""

from __future__ import annotations

import statistics

import pytest
import torch
from torch import nn

from suite.bench.latency import (
    CpuTimer,
    CudaTimer,
    LatencySettings,
    backend_settings,
    cast_for_precision,
    measure_latency,
    summarize,
    time_calls,
)
from suite.errors import SuiteError


class FakeClock:
    """Returns preset instants (seconds), one per call."""

    def __init__(self, instants: list[float]) -> None:
        self.instants = list(instants)

    def __call__(self) -> float:
        return self.instants.pop(0)


class EventLog:
    """Fake CUDA: events and synchronize append to one log; elapsed times are preset."""

    def __init__(self, elapsed: list[float]) -> None:
        self.log: list[str] = []
        self.elapsed = list(elapsed)
        self.created = 0

    def event(self) -> FakeEvent:
        self.created += 1
        return FakeEvent(self, self.created)

    def synchronize(self) -> None:
        self.log.append("sync")


class FakeEvent:
    def __init__(self, owner: EventLog, number: int) -> None:
        self.owner, self.number = owner, number

    def record(self) -> None:
        self.owner.log.append(f"record{self.number}")

    def elapsed_time(self, end: FakeEvent) -> float:
        # Reading is only legal after the end event was recorded and the device synchronised.
        log = self.owner.log
        assert log[-1] == "sync", log
        assert log.index(f"record{end.number}") < len(log) - 1
        log.append(f"read{self.number}-{end.number}")
        return self.owner.elapsed.pop(0)


# --------------------------------------------------------------------------- statistics


def test_summarize_statistics() -> None:
    stats = summarize([4.0, 1.0, 3.0, 2.0])
    assert stats == {
        "median": 2.5,
        "iqr": 1.5,  # quartiles 1.75 and 3.25, interpolated between the samples
        "q25": 1.75,
        "q75": 3.25,
        "mean": 2.5,
        "std": pytest.approx(statistics.stdev([1, 2, 3, 4])),
        "min": 1.0,
        "max": 4.0,
        "count": 4,
    }
    assert summarize([7.0])["std"] == summarize([7.0])["iqr"] == 0.0
    with pytest.raises(ValueError):
        summarize([])


# --------------------------------------------------------------------------- loops


def test_cpu_loop_warms_up_then_times_each_repeat() -> None:
    calls: list[int] = []
    clock = FakeClock([10.0, 10.5, 20.0, 20.25, 30.0, 30.125])  # 500, 250, 125 ms
    samples = time_calls(lambda: calls.append(1), warmup=4, repeats=3, timer=CpuTimer(clock))
    assert len(calls) == 4 + 3
    assert samples == pytest.approx([500.0, 250.0, 125.0])


def test_cuda_loop_synchronises_before_reading_events() -> None:
    fake = EventLog(elapsed=[1.5, 2.5])

    def fn() -> None:
        fake.log.append("forward")

    timer = CudaTimer(event_factory=fake.event, synchronize=fake.synchronize)
    samples = time_calls(fn, warmup=2, repeats=2, timer=timer)
    assert samples == [1.5, 2.5]
    assert fake.log == [
        "forward",
        "forward",
        "sync",  # warm-up work finished before the first timed call
        "record1",
        "forward",
        "record2",
        "sync",
        "read1-2",
        "record3",
        "forward",
        "record4",
        "sync",
        "read3-4",
    ]


def test_loop_rejects_bad_counts() -> None:
    with pytest.raises(ValueError):
        time_calls(lambda: None, warmup=-1, repeats=1, timer=CpuTimer())
    with pytest.raises(ValueError):
        time_calls(lambda: None, warmup=0, repeats=0, timer=CpuTimer())


# --------------------------------------------------------------------------- measurement


class _Counting(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 3, 1)
        self.calls = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        return self.conv(x)


def test_measure_latency_single_input() -> None:
    model = _Counting()
    clock = FakeClock([0.0, 0.002] * 3)
    settings = LatencySettings(warmup=2, repeats=3)
    out = measure_latency(model, [("x", torch.zeros(1, 3, 4, 4))], settings, CpuTimer(clock))
    assert model.calls == 5
    assert out["stats"]["median"] == pytest.approx(2.0)
    assert out["stats"]["count"] == 3
    assert out["stats"]["input_shape"] == [1, 3, 4, 4]
    assert out["settings"]["warmup"] == 2 and out["flags"]["torch_threads"] >= 1
    assert "per_image" not in out


def test_measure_latency_per_image_and_mean() -> None:
    model = _Counting()
    clock = FakeClock([0.0, 0.001, 0.0, 0.003, 0.0, 0.010, 0.0, 0.010])
    settings = LatencySettings(warmup=1, repeats=2)
    images = [("a", torch.zeros(1, 3, 4, 4)), ("b", torch.zeros(1, 3, 6, 6))]
    out = measure_latency(model, images, settings, CpuTimer(clock))
    assert model.calls == 2 * (1 + 2)  # each image gets its own warm-up
    assert out["per_image"]["a"]["median"] == pytest.approx(2.0)
    assert out["per_image"]["b"]["median"] == pytest.approx(10.0)
    assert out["stats"]["mean"] == pytest.approx(6.0)
    assert out["stats"]["count"] == 2


def test_backend_settings_are_fixed_and_restored() -> None:
    cudnn = torch.backends.cudnn
    before = (cudnn.benchmark, cudnn.allow_tf32, torch.get_num_threads())
    settings = LatencySettings(cudnn_benchmark=not before[0], tf32=not before[1], threads=1)
    with backend_settings(settings) as flags:
        assert cudnn.benchmark == (not before[0]) and flags["cudnn_benchmark"] == cudnn.benchmark
        assert flags["cudnn_allow_tf32"] == (not before[1])
        assert torch.get_num_threads() == 1 == flags["torch_threads"]
    assert (cudnn.benchmark, cudnn.allow_tf32, torch.get_num_threads()) == before


def test_precision_casts_weights_and_is_validated() -> None:
    model = cast_for_precision(nn.Conv2d(3, 3, 1), "cpu", "bf16")
    assert model.weight.dtype == torch.bfloat16
    with pytest.raises(SuiteError, match="--precision must be one of"):
        LatencySettings(precision="int8")


def test_settings_name_every_bad_flag_at_once() -> None:
    with pytest.raises(SuiteError) as info:
        LatencySettings(warmup=-1, repeats=0, threads=0)
    assert str(info.value) == (
        "--warmup must be >= 0 (got -1); --repeats must be >= 1 (got 0); "
        "--threads must be >= 1 (got 0; omit it for torch's own)"
    )
