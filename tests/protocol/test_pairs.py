"""HR/LR pairs: the LR cache is keyed and verified by content; too small images are named."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support.images import smooth_pattern

from suite.data.datasets import Dataset
from suite.data.imageio import read_rgb, write_png
from suite.data.manifests import pixels_sha256
from suite.errors import DatasetError
from suite.protocol.metrics import ssim
from suite.protocol.pairs import check_size, load_pair, make_pair
from suite.protocol.profiles import get_profile
from suite.protocol.resize import imresize

BASICSR = get_profile("basicsr")


@pytest.fixture
def ds(tmp_path: Path) -> Dataset:
    folder = tmp_path / "Set5"
    folder.mkdir()
    write_png(folder / "a.png", smooth_pattern(50, 62))
    return Dataset("Set5", folder, "plain", folder, {"a": folder / "a.png"})


def _cached(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache").rglob("a.*.png"))


def test_pair_and_cache_name_carry_the_pixel_hashes(ds: Dataset, tmp_path: Path) -> None:
    pair = load_pair(ds, "a", 2, BASICSR, tmp_path / "cache")
    gt, lr = make_pair(read_rgb(ds.images["a"]), 2, BASICSR)
    assert (pair.hr == gt).all() and (pair.lr == lr).all()
    assert pair.hr_sha256 == pixels_sha256(read_rgb(ds.images["a"]))
    assert pair.lr_sha256 == pixels_sha256(lr)
    (cached,) = _cached(tmp_path)
    assert cached.name == f"a.{pixels_sha256(gt)[:16]}.{pair.lr_sha256[:16]}.png"
    again = load_pair(ds, "a", 2, BASICSR, tmp_path / "cache")
    assert again.lr_sha256 == pair.lr_sha256 and _cached(tmp_path) == [cached]


@pytest.mark.parametrize("damage", ["other pixels", "truncated", "wrong size"])
def test_a_cached_lr_that_does_not_match_its_name_is_remade(
    ds: Dataset, tmp_path: Path, damage: str
) -> None:
    good = load_pair(ds, "a", 2, BASICSR, tmp_path / "cache")
    (cached,) = _cached(tmp_path)
    if damage == "other pixels":  # a valid image, not the one the name promises
        write_png(cached, np.roll(good.lr, 1, axis=1))
    elif damage == "truncated":
        cached.write_bytes(cached.read_bytes()[:40])
    else:
        write_png(cached, good.lr[:-1])
    pair = load_pair(ds, "a", 2, BASICSR, tmp_path / "cache")
    assert (pair.lr == good.lr).all() and pair.lr_sha256 == good.lr_sha256
    assert _cached(tmp_path) == [cached] and (read_rgb(cached) == good.lr).all()


def test_refresh_remakes_even_a_self_consistent_entry(ds: Dataset, tmp_path: Path) -> None:
    """An entry whose pixels match its own name but are not the resize of the HR (e.g. made by
    an older, buggy resize) is trusted by the cache; ``refresh`` (``--force``) remakes it."""
    good = load_pair(ds, "a", 2, BASICSR, tmp_path / "cache")
    (cached,) = _cached(tmp_path)
    stale = np.roll(good.lr, 1, axis=1)
    cached.unlink()
    stem = cached.name.rsplit(".", 2)[0]
    write_png(cached.with_name(f"{stem}.{pixels_sha256(stale)[:16]}.png"), stale)
    assert (load_pair(ds, "a", 2, BASICSR, tmp_path / "cache").lr == stale).all()
    fresh = load_pair(ds, "a", 2, BASICSR, tmp_path / "cache", refresh=True)
    assert (fresh.lr == good.lr).all() and _cached(tmp_path) == [cached]


@pytest.mark.parametrize(
    ("shape", "scale", "message"),
    [
        ((3, 40), 4, r"x\.png is 40×3 px, smaller than the ×4 scale"),
        ((40, 1), 2.5, r"x\.png is 1×40 px, smaller than the ×2\.5 scale"),
        ((23, 40), 2, r"x\.png is 40×23 px: cropped to 36×12 \(a multiple of 12\) and shaved by "
         r"2 px per side it is smaller than the 11×11 SSIM window"),
    ],
)  # fmt: skip
def test_too_small_images_are_named_with_their_size(shape, scale, message) -> None:
    with pytest.raises(DatasetError, match=message):
        check_size(Path("x.png"), shape, scale, BASICSR)


@pytest.mark.parametrize(("side", "scale", "profile"), [(24, 4, "basicsr"), (16, 2, "matlab")])
def test_the_smallest_scorable_image_passes(side: int, scale: int, profile: str) -> None:
    """One pixel less is too small (the crop drops to the multiple below); this size scores."""
    check_size(Path("x.png"), (side, side), scale, get_profile(profile))
    with pytest.raises(DatasetError, match="SSIM window"):
        check_size(Path("x.png"), (side - 1, side), scale, get_profile(profile))
    hr = smooth_pattern(side, side)
    gt, lr = make_pair(hr, scale, get_profile(profile))
    assert 0 < ssim(gt, imresize(lr, scale), crop_border=scale) <= 1
