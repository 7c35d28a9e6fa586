"""The evaluation loop's overlap (suite.evaluation.pipeline): background preparation in order,
errors kept with their item, and scores computed on the device (CPU tensors here) equal to the
numpy reference, their NaN check travelling with them."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
import torch

from suite.errors import SuiteError
from suite.evaluation.pipeline import (
    InThisThread,
    background_threads,
    on_device,
    prefetched,
    prepared,
)
from suite.evaluation.runner import score_sr
from suite.protocol.pairs import Pair
from suite.protocol.pixels import quantise
from suite.protocol.profiles import get_profile


def test_items_come_in_order_prepared_in_a_background_thread() -> None:
    threads: dict[int, str] = {}

    def prepare(item: int) -> int:
        threads[item] = threading.current_thread().name
        return item * item

    with prefetched(range(5), prepare) as ready:
        got = [(item, future.result()) for item, future in ready]
    assert got == [(i, i * i) for i in range(5)]
    assert all(name.startswith("suite-prefetch") for name in threads.values())


def test_the_next_item_is_prepared_while_the_current_one_is_used() -> None:
    started = {i: threading.Event() for i in range(3)}

    def prepare(item: int) -> int:
        started[item].set()
        return item

    with prefetched(range(3), prepare, ahead=1) as ready:
        for item, future in ready:
            future.result()
            if item < 2:  # while the caller works on `item`, `item + 1` is being prepared
                assert started[item + 1].wait(timeout=10)


def test_without_background_each_item_is_made_in_this_thread_as_it_is_taken() -> None:
    made: list[tuple[int, str]] = []

    def prepare(item: int) -> int:
        made.append((item, threading.current_thread().name))
        return item

    with prefetched(range(3), prepare, background=False) as ready:
        for item, future in ready:
            assert made[-1][0] == item  # not one ahead
            assert future.result() == item
    assert {name for _, name in made} == {threading.current_thread().name}
    assert not background_threads(torch.device("cpu"))
    assert background_threads(torch.device("cuda"))


def test_in_this_thread_keeps_an_error_for_its_reader() -> None:
    failed = InThisThread().submit(int, "x")
    with pytest.raises(ValueError, match="invalid literal"):
        failed.result()
    assert InThisThread().submit(pow, 2, 5).result() == 32


def test_an_error_stays_with_its_item() -> None:
    def prepare(item: int) -> int:
        if item == 1:
            raise ValueError("bad item 1")
        return item

    outcome = []
    with prefetched(range(3), prepare) as ready:
        for _item, future in ready:
            try:
                outcome.append(future.result())
            except ValueError as exc:
                outcome.append(str(exc))
    assert outcome == [0, "bad item 1", 2]


def test_leaving_early_waits_for_the_running_preparation_and_cancels_the_rest() -> None:
    done: list[int] = []

    def prepare(item: int) -> int:
        time.sleep(0.05)
        done.append(item)
        return item

    with pytest.raises(KeyboardInterrupt), prefetched(range(100), prepare, ahead=2) as ready:
        for _item, future in ready:
            future.result()
            raise KeyboardInterrupt
    count = len(done)
    time.sleep(0.1)
    assert len(done) == count <= 3  # nothing is still running, nor started afterwards


def _pair(seed: int = 0) -> tuple[Pair, torch.Tensor]:
    """A 24×30 HR crop, its 12×15 LR, and a network-like output for it (1×3×24×30)."""
    rng = np.random.default_rng(seed)
    hr = rng.integers(0, 256, (24, 30, 3), dtype=np.uint8)
    y = torch.from_numpy(np.clip(hr / 255.0 + rng.normal(0, 0.03, hr.shape), 0, 1)).float()
    pair = Pair("im", hr, hr[::2, ::2].copy(), "h", "l")
    return pair, y.permute(2, 0, 1)[None]


@pytest.mark.parametrize("profile", ["basicsr", "matlab_y_uint8", "rgb"])
def test_scores_on_the_device_equal_the_reference(profile: str) -> None:
    pair, y = _pair()
    ready = prepared(pair, torch.device("cpu"), on_device=True)
    assert ready.lr.shape == (1, 3, 12, 15) and ready.hr is not None
    p = get_profile(profile)
    scores = on_device(y, torch.tensor(0), ready.hr, p, 2, keep_sr=True, what="M on im.png")
    psnr_db, ssim_value, sr = scores.result()
    reference_sr = quantise(y[0].permute(1, 2, 0).numpy(), p.sr_round)
    assert np.array_equal(sr, reference_sr)
    reference = score_sr(reference_sr, pair.hr, p, 2)
    assert abs(psnr_db - reference[0]) <= 1e-9 and abs(ssim_value - reference[1]) <= 1e-9


def test_a_nan_output_is_an_error_when_its_scores_are_read() -> None:
    pair, y = _pair()
    ready = prepared(pair, torch.device("cpu"), on_device=True)
    scores = on_device(y, torch.tensor(7), ready.hr, get_profile("basicsr"), 2, False, "M on x")
    with pytest.raises(SuiteError, match=r"^M on x: the output holds NaN or infinite values \(7 "):
        scores.result()


def test_scored_by_numpy_no_hr_tensor_is_made() -> None:
    pair, _ = _pair()
    assert prepared(pair, torch.device("cpu"), on_device=False).hr is None
