"""Scoring on the device equals the numpy reference: rounding and Y bit for bit, PSNR to 1e-9 dB
and SSIM to 1e-9, on synthetic images and on every image of Set5 and Set14 (on CPU tensors, and
on CUDA where there is one)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from suite.data.datasets import find_dataset
from suite.data.imageio import read_rgb
from suite.protocol.color import rgb_to_y
from suite.protocol.device_metrics import (
    psnr_tensor,
    quantise_tensor,
    score_tensors,
    ssim_tensor,
    y_tensor,
)
from suite.protocol.metrics import psnr, ssim
from suite.protocol.pixels import quantise
from suite.protocol.profiles import CHANNELS, get_profile
from suite.protocol.resize import imresize, modcrop

TOLERANCE = 1e-9
DEVICES = [
    "cpu",
    pytest.param(
        "cuda", marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU")
    ),
]


def _output(hr: np.ndarray, scale: int) -> np.ndarray:
    """A network-like output for an HR image: its bicubic ×scale reconstruction from the
    ×1/scale LR, float32 H×W×3 in [0, 1], unrounded (the input of quantise)."""
    lr = imresize(hr, 1.0 / scale, mode="float")
    x = torch.from_numpy(lr).permute(2, 0, 1)[None].double() / 255.0
    up = F.interpolate(x, size=hr.shape[:2], mode="bicubic", align_corners=False)
    return up.clamp(0, 1)[0].permute(1, 2, 0).float().numpy()


def _synthetic(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    hr = rng.integers(0, 256, (37, 45, 3), dtype=np.uint8)
    out = np.clip(hr / 255.0 + rng.normal(0, 0.02, hr.shape), 0, 1).astype(np.float32)
    return out, hr


def _on(array: np.ndarray, device: str) -> torch.Tensor:
    return torch.from_numpy(np.array(array)).to(device)


@pytest.fixture(autouse=True)
def _one_thread():
    """One CPU thread: these small element-wise kernels gain nothing from two, and on a busy
    2-core machine two threads wait on each other (a 50× slowdown was measured)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# every channel on rounded SR (what the profiles score), and the unrounded float SR on Y
FLAVOURS = [(True, channel) for channel in CHANNELS] + [(False, "y_float")]


def _differences(out: np.ndarray, hr: np.ndarray, border: int, device: str) -> dict[str, float]:
    """Largest |device − numpy| of PSNR and SSIM over :data:`FLAVOURS`, the rounded SR checked
    bit for bit on the way."""
    diff = {"psnr": 0.0, "ssim": 0.0}
    hr_t = _on(hr, device)
    for rounded, channel in FLAVOURS:
        sr = quantise(out, rounded)
        sr_t = quantise_tensor(_on(out, device), rounded)
        assert torch.equal(sr_t.cpu(), torch.from_numpy(sr))
        both = score_tensors(sr_t, hr_t, border, channel).tolist()
        reference = (psnr(sr, hr, border, channel), ssim(sr, hr, border, channel))
        for key, ours, ref in zip(diff, both, reference, strict=True):
            diff[key] = max(diff[key], abs(ours - ref))
    return diff


@pytest.mark.parametrize("device", DEVICES)
def test_rounding_and_y_are_bit_identical(device: str) -> None:
    out, hr = _synthetic()
    out[0, :4, 0] = [0.5 / 255, 1.5 / 255, 2.5 / 255, 254.5 / 255]  # ties, half to even
    assert torch.equal(quantise_tensor(_on(out, device)).cpu(), torch.from_numpy(quantise(out)))
    every = np.stack(np.meshgrid(np.arange(256), [0, 1, 127, 128, 254, 255], [0, 255]), -1)
    every = every.reshape(-1, 16, 3).astype(np.uint8)  # every R value with edge G and B values
    for image in (hr, every):
        for rounding in (False, True):
            ours = y_tensor(_on(image, device), rounding).cpu().numpy()
            assert np.array_equal(ours, rgb_to_y(image, rounding))
            assert ours.dtype == (np.uint8 if rounding else np.float64)


@pytest.mark.parametrize("device", DEVICES)
def test_metrics_equal_the_reference(device: str) -> None:
    out, hr = _synthetic()
    diff = _differences(out, hr, border=2, device=device)
    assert diff["psnr"] <= TOLERANCE and diff["ssim"] <= TOLERANCE, diff


def test_identical_images_grey_planes_and_bad_input() -> None:
    _, hr = _synthetic()
    hr_t = torch.from_numpy(hr)
    assert psnr_tensor(hr_t, hr_t, 2).item() == float("inf") == psnr(hr, hr, 2)
    assert ssim_tensor(hr_t, hr_t, 2, "rgb").item() == pytest.approx(1.0, abs=1e-12)
    grey, grey_sr = hr[..., 0], hr[..., 1]
    ours = score_tensors(torch.from_numpy(grey_sr), torch.from_numpy(grey), 3).tolist()
    assert ours == pytest.approx([psnr(grey_sr, grey, 3), ssim(grey_sr, grey, 3)], abs=1e-12)
    with pytest.raises(ValueError, match="shape mismatch"):
        psnr_tensor(hr_t, hr_t[:-1], 2)
    with pytest.raises(ValueError, match="crop_border 19 leaves nothing"):
        ssim_tensor(hr_t, hr_t, 19)
    with pytest.raises(ValueError, match="SSIM needs planes of at least 11"):
        ssim_tensor(hr_t[:20], hr_t[:20], 5)
    with pytest.raises(ValueError, match=r"expected an RGB image of shape \(H, W, 3\)"):
        y_tensor(hr_t[..., :2])


@pytest.mark.slow  # every image of two sets, three channels, both roundings, both paths
@pytest.mark.shared
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dataset", ["Set5", "Set14"])
def test_every_image_of_set5_and_set14(shared_datasets: Path, dataset: str, device: str) -> None:
    """The runner's scores on the device equal the numpy ones for every image, under the
    BasicSR crop at ×4 (measured on CPU: ≤7.2e-15 dB PSNR, ≤2.3e-16 SSIM)."""
    ds = find_dataset(dataset, shared_datasets)
    profile, scale = get_profile("basicsr"), 4
    worst = {"psnr": 0.0, "ssim": 0.0}
    for path in ds.images.values():
        hr = modcrop(read_rgb(path), profile.gt_multiple(scale))
        diff = _differences(_output(hr, scale), hr, profile.border_for(scale), device)
        worst = {k: max(worst[k], diff[k]) for k in worst}
    print(f"{dataset} on {device}: largest differences {worst}")
    assert worst["psnr"] <= TOLERANCE and worst["ssim"] <= TOLERANCE, worst
