"""HR/LR pairs for evaluation: crop ground truth and make (or reuse cached) LR per profile."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from suite import paths
from suite.data.datasets import Dataset
from suite.data.imageio import read_rgb, write_png
from suite.data.manifests import pixels_sha256
from suite.protocol.profiles import Profile
from suite.protocol.resize import imresize, modcrop


@dataclass
class Pair:
    """One evaluation sample."""

    name: str
    hr: np.ndarray  # uint8 H×W×3, cropped per profile
    lr: np.ndarray  # uint8 h×w×3


def lr_shape(hr_shape: tuple[int, ...], scale: float) -> tuple[int, int]:
    """LR size for an HR crop: exact division for integer scales (the crop makes it exact),
    ``round(H / s)`` for non-integer ones (as LIIF-style benchmarks do)."""
    h, w = hr_shape[:2]
    if float(scale) == int(scale):
        return h // int(scale), w // int(scale)
    return max(1, round(h / scale)), max(1, round(w / scale))


def make_pair(hr: np.ndarray, scale: float, profile: Profile) -> tuple[np.ndarray, np.ndarray]:
    """Crop HR per the profile and downscale it by ``scale`` with the profile's resize mode."""
    gt = modcrop(hr, profile.gt_multiple(scale))
    if float(scale) == int(scale):
        lr = imresize(gt, 1.0 / scale, mode=profile.lr_mode)
    else:
        lr = imresize(gt, None, mode=profile.lr_mode, output_shape=lr_shape(gt.shape, scale))
    return gt, lr


def _lr_cache_file(cache: Path, ds: Dataset, name: str, scale: float, profile: Profile, gt) -> Path:
    tag = pixels_sha256(gt)[:16]
    return cache / "lr" / profile.lr_key / ds.name / f"x{scale:g}" / f"{name}.{tag}.png"


def load_pair(
    ds: Dataset, name: str, scale: float, profile: Profile, cache_dir: Path | None = None
) -> Pair:
    """HR crop and LR for one image; the LR is cached, keyed by the HR pixels it came from."""
    hr = read_rgb(ds.images[name])
    gt = modcrop(hr, profile.gt_multiple(scale))
    cache = paths.cache_dir(cache_dir)
    cached = _lr_cache_file(cache, ds, name, scale, profile, gt)
    if cached.is_file():
        try:
            lr = read_rgb(cached)
        except Exception:  # a damaged cache entry is simply regenerated
            lr = None
        if lr is not None and lr.shape[:2] == lr_shape(gt.shape, scale):
            return Pair(name, gt, lr)
        cached.unlink(missing_ok=True)
    _, lr = make_pair(hr, scale, profile)
    write_png(cached, lr)
    return Pair(name, gt, lr)
