"""Overlapping an evaluation's steps, so that a GPU never waits for the host.

While the network runs on one image, a background thread reads the next one (HR decode, its LR
from the cache or made, their pixel hashes, the input tensor): :func:`prefetched`. An image's
scores are collected one image late (:class:`Scores`): on a GPU they are computed there
(:mod:`suite.protocol.device_metrics`) and their two numbers copied back without waiting, and
read only once the next forward pass is queued, so the device never idles for the copy.

On a CPU nothing runs in the background (:func:`background_threads`): the network already uses
every core, and a second Python thread only takes time from it (measured on 2 cores, EIMN_A_x4
on Set14: reading in a background thread made ``evaluate`` 0.3–1.8 s slower than reading in the
loop). The same code then runs each step at once in the loop's thread (:class:`InThisThread`).
Nothing here changes a number: the same pairs are scored by the same functions, in order.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol, TypeVar

import numpy as np
import torch

from suite.evaluation.inference import nonfinite_error
from suite.protocol.device_metrics import quantise_tensor, score_tensors
from suite.protocol.pairs import Pair
from suite.protocol.pixels import to_tensor
from suite.protocol.profiles import Profile

__all__ = [
    "InThisThread",
    "Prepared",
    "Scores",
    "background_threads",
    "on_device",
    "prefetched",
    "prepared",
    "worker",
]

T = TypeVar("T")
R = TypeVar("R")


def background_threads(device: torch.device) -> bool:
    """Whether an evaluation on ``device`` prepares and scores in background threads: on a GPU
    (the host is otherwise idle while it computes), not on a CPU (see the module docstring)."""
    return device.type == "cuda"


class InThisThread:
    """The part of a one-thread pool the loop uses, running each call at once in the caller's
    thread; what the call raises is raised again when its future is read, as a pool does."""

    def submit(self, fn: Callable[..., R], /, *args: object, **kwargs: object) -> Future[R]:
        future: Future[R] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Nothing runs after the call that made it."""

    def __enter__(self) -> InThisThread:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def worker(background: bool, name: str) -> ThreadPoolExecutor | InThisThread:
    """A one-thread pool named ``suite-<name>``, or :class:`InThisThread`."""
    if background:
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"suite-{name}")
    return InThisThread()


@contextlib.contextmanager
def prefetched(
    items: Sequence[T], prepare: Callable[[T], R], ahead: int = 1, background: bool = True
) -> Iterator[Iterator[tuple[T, Future[R]]]]:
    """Items in order, each with the future of ``prepare(item)``, made in one background thread
    up to ``ahead`` items before the caller takes them (``background=False``: made in the
    caller's thread as each is taken); a preparation that raised re-raises when its future is
    read, so an error stays with its item. Leaving the block cancels what was not started and
    waits for the one being made (an interruption never leaves a thread writing)."""
    pool = worker(background, "prefetch")
    ahead = ahead if background else 0

    def ordered() -> Iterator[tuple[T, Future[R]]]:
        queue: deque[tuple[T, Future[R]]] = deque()
        for item in items:
            queue.append((item, pool.submit(prepare, item)))
            if len(queue) > ahead:
                yield queue.popleft()
        while queue:
            yield queue.popleft()

    try:
        yield ordered()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class Prepared:
    """One image made ready in the background: its pair, the LR as the network's input, and
    the HR as a tensor when it is scored on the device (both pinned for a GPU's async copy)."""

    pair: Pair
    lr: torch.Tensor  # 1×3×h×w float32 in [0, 1], on the CPU
    hr: torch.Tensor | None  # H×W×3 uint8 on the CPU, or None (scored by numpy)


def prepared(pair: Pair, device: torch.device, on_device: bool) -> Prepared:
    """``pair`` with its tensors made (pinned when ``device`` is a GPU)."""
    lr = to_tensor(pair.lr)
    hr = torch.from_numpy(np.ascontiguousarray(pair.hr)) if on_device else None
    if device.type == "cuda":
        lr = lr.pin_memory()
        hr = hr.pin_memory() if hr is not None else None
    return Prepared(pair, lr, hr)


class Scores(Protocol):
    """An image's PSNR, SSIM and (when kept) uint8 SR image, possibly still being computed:
    ``result`` waits for them, and raises what computing them raised."""

    def result(self) -> tuple[float, float, np.ndarray | None]: ...


class DeviceScores:
    """Scores computed on the device and copied back asynchronously (:func:`on_device`)."""

    def __init__(
        self,
        numbers: torch.Tensor,
        sr: torch.Tensor | None,
        done: torch.cuda.Event | None,
        what: str,
        total: int,
    ) -> None:
        self.numbers, self.sr, self.done, self.what, self.total = numbers, sr, done, what, total

    def result(self) -> tuple[float, float, np.ndarray | None]:
        if self.done is not None:
            self.done.synchronize()  # the copies below were queued before this event
        psnr, ssim, nonfinite = self.numbers.tolist()
        if nonfinite:
            raise nonfinite_error(self.what, int(nonfinite), self.total)
        return psnr, ssim, None if self.sr is None else self.sr.numpy()


def on_device(
    y: torch.Tensor,
    nonfinite: torch.Tensor,
    hr: torch.Tensor,
    profile: Profile,
    scale: float,
    keep_sr: bool,
    what: str,
) -> DeviceScores:
    """Queue the scoring of the network's clamped output ``y`` (1×3×H×W) against ``hr`` (H×W×3
    uint8, on the CPU) where ``y`` is: rounding, Y, PSNR and SSIM as the numpy reference does
    them, then a non-blocking copy of the numbers (and of the uint8 SR with ``keep_sr``). The
    output's NaN/inf count travels with them and is checked when they are read."""
    sr = quantise_tensor(y[0].permute(1, 2, 0), profile.sr_round)
    scores = score_tensors(
        sr, hr.to(y.device, non_blocking=True), profile.border_for(scale), profile.channel
    )
    numbers = torch.cat([scores, nonfinite.to(torch.float64).view(1)])
    numbers = numbers.to("cpu", non_blocking=True)
    sr_host = sr.to("cpu", non_blocking=True) if keep_sr else None
    done = None
    if y.is_cuda:
        done = torch.cuda.Event()
        done.record()
    return DeviceScores(numbers, sr_host, done, what, y.numel())
