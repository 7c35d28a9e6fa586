"""HR/LR pairs for evaluation: crop ground truth and make (or reuse cached) LR per profile.

Cached LR files are content-addressed twice over: their name holds the hash of the HR crop's
pixels they were made from *and* the hash of their own pixels, and a cached file is used only
when its pixels still hash to its name. A damaged, truncated or overwritten entry is deleted and
remade, never used. ``refresh`` (``suite eval --force``) remakes even an entry that matches its
name, e.g. one written by an older version of the resize.
"""

from __future__ import annotations

import glob
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from suite import paths
from suite.data.datasets import Dataset
from suite.data.imageio import read_rgb, write_png
from suite.data.manifests import pixels_sha256
from suite.errors import DatasetError
from suite.protocol.metrics import SSIM_WINDOW
from suite.protocol.profiles import Profile
from suite.protocol.resize import imresize, modcrop

TAG_CHARS = 16  # hex digits of a pixel hash used in cache file names


@dataclass
class Pair:
    """One evaluation sample, with the hashes of the pixels it holds."""

    name: str
    hr: np.ndarray  # uint8 H×W×3, cropped per profile
    lr: np.ndarray  # uint8 h×w×3
    hr_sha256: str = ""  # pixels of the whole HR file (as the manifest's ``pixels_sha256``)
    lr_sha256: str = ""  # pixels of the LR fed to the model


def lr_shape(hr_shape: tuple[int, ...], scale: float) -> tuple[int, int]:
    """LR size for an HR crop: exact division for integer scales (the crop makes it exact),
    ``round(H / s)`` for non-integer ones (as LIIF-style benchmarks do)."""
    h, w = hr_shape[:2]
    if float(scale) == int(scale):
        return h // int(scale), w // int(scale)
    return max(1, round(h / scale)), max(1, round(w / scale))


def check_size(path: Path, shape: tuple[int, ...], scale: float, profile: Profile) -> None:
    """Refuse an HR image too small to score: smaller than the scale (no LR pixel), or leaving
    less than the SSIM window once cropped and shaved per the profile."""
    h, w = shape[:2]
    if min(h, w) < math.ceil(scale):
        raise DatasetError(
            f"{path} is {w}×{h} px, smaller than the ×{scale:g} scale (it has no LR image); "
            "remove it from the set folder"
        )
    multiple = profile.gt_multiple(scale)
    gh, gw = h - h % multiple, w - w % multiple
    shave = profile.border_for(scale)
    if min(gh, gw) - 2 * shave < SSIM_WINDOW:
        raise DatasetError(
            f"{path} is {w}×{h} px: cropped to {gw}×{gh} (a multiple of {multiple}) and shaved "
            f"by {shave} px per side it is smaller than the {SSIM_WINDOW}×{SSIM_WINDOW} SSIM "
            "window; remove it from the set folder"
        )


def make_pair(hr: np.ndarray, scale: float, profile: Profile) -> tuple[np.ndarray, np.ndarray]:
    """Crop HR per the profile and downscale it by ``scale`` with the profile's resize mode."""
    gt = modcrop(hr, profile.gt_multiple(scale))
    if float(scale) == int(scale):
        lr = imresize(gt, 1.0 / scale, mode=profile.lr_mode)
    else:
        lr = imresize(gt, None, mode=profile.lr_mode, output_shape=lr_shape(gt.shape, scale))
    return gt, lr


def lr_cache_folder(cache: Path, dataset: str, scale: float, profile: Profile) -> Path:
    """Where the LR images of one set, scale and LR convention are cached."""
    return cache / "lr" / profile.lr_key / dataset / f"x{scale:g}"


def _entries(stem: Path) -> list[Path]:
    """Cache files ``<stem>.<lr hash>.png`` of one HR crop."""
    return sorted(stem.parent.glob(f"{glob.escape(stem.name)}.*.png"))


def _cached_lr(stem: Path, expected: tuple[int, int]) -> tuple[np.ndarray, str] | None:
    """The cached LR (and its full hash) whose pixels match its name and size; every other
    entry is deleted."""
    found = None
    for candidate in _entries(stem):
        tag = candidate.name[len(stem.name) + 1 : -len(".png")]
        try:
            lr = read_rgb(candidate) if found is None else None
        except DatasetError:  # damaged, or removed meanwhile by another process
            lr = None
        digest = pixels_sha256(lr) if lr is not None and lr.shape[:2] == expected else ""
        if digest and digest[:TAG_CHARS] == tag:
            found = (lr, digest)
        else:
            candidate.unlink(missing_ok=True)
    return found


def load_pair(
    ds: Dataset,
    name: str,
    scale: float,
    profile: Profile,
    cache_dir: Path | None = None,
    refresh: bool = False,
) -> Pair:
    """HR crop and LR for one image, with their pixel hashes.

    The LR is cached, named by the HR crop's pixels and its own, and verified on every read; a
    mismatch is regenerated. ``refresh`` ignores the cache and rewrites the entry.
    A :class:`DatasetError` names an unreadable or too small HR file.
    """
    path = ds.images[name]
    hr = read_rgb(path)
    check_size(path, hr.shape, scale, profile)
    gt = modcrop(hr, profile.gt_multiple(scale))
    stem = lr_cache_folder(paths.cache_dir(cache_dir), ds.name, scale, profile) / (
        f"{name}.{pixels_sha256(gt)[:TAG_CHARS]}"
    )
    if refresh:
        for old in _entries(stem):
            old.unlink(missing_ok=True)
    cached = None if refresh else _cached_lr(stem, lr_shape(gt.shape, scale))
    if cached is None:
        _, lr = make_pair(hr, scale, profile)
        cached = (lr, pixels_sha256(lr))
        write_png(stem.parent / f"{stem.name}.{cached[1][:TAG_CHARS]}.png", lr)
    lr, lr_sha256 = cached
    return Pair(name, gt, lr, hr_sha256=pixels_sha256(hr), lr_sha256=lr_sha256)
