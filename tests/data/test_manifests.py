"""Manifests: a copy verifies by file or by pixels; altered, missing and extra images are named."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from support.tiny import make_env

from suite.data import datasets, manifests
from suite.errors import DatasetError


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    return make_env(tmp_path, monkeypatch)


def test_re_encoded_image_still_verifies(env) -> None:
    _, opts, folder = env
    img = Image.open(folder / "im0.png")
    img.save(folder / "im0.png", compress_level=0)  # other bytes, same pixels
    ds = datasets.find_dataset("Set5", opts.data_root)
    assert manifests.verify_dataset(ds).status == "verified"


def test_altered_missing_and_extra_images_are_named(env) -> None:
    _, opts, folder = env
    img = np.asarray(Image.open(folder / "im1.png")).copy()
    img[0, 0, 0] ^= 1
    Image.fromarray(img).save(folder / "im1.png")
    (folder / "im2.png").unlink()
    Image.fromarray(img).save(folder / "new.png")
    ds = datasets.find_dataset("Set5", opts.data_root)
    report = manifests.verify_dataset(ds)
    assert (report.status, report.modified, report.missing, report.extra) == (
        "modified",
        ["im1.png"],
        ["im2"],
        ["new"],
    )
    with pytest.raises(DatasetError, match="--allow-modified-data"):
        manifests.check_dataset(ds)
    assert manifests.check_dataset(ds, allow_modified=True).status == "modified"


def test_a_set_without_manifest_is_unverified(env, monkeypatch: pytest.MonkeyPatch) -> None:
    _, opts, _ = env
    monkeypatch.setenv("SUITE_MANIFEST_DIR", str(opts.data_root / "no-manifests"))
    ds = datasets.find_dataset("Set5", opts.data_root)
    assert manifests.verify_dataset(ds).status == "unverified"


@pytest.mark.shared
def test_shipped_manifests_verify_the_shared_sets(shared_datasets: Path) -> None:
    for name in ("Set5", "Set14", "B100", "Urban100"):
        ds = datasets.find_dataset(name, shared_datasets)
        assert manifests.verify_dataset(ds).status == "verified", name


def test_pixel_hashes_decode_each_file_version_once(env, monkeypatch: pytest.MonkeyPatch) -> None:
    _, _, folder = env
    decoded = []
    read = manifests.read_rgb
    monkeypatch.setattr(manifests, "read_rgb", lambda p: decoded.append(p) or read(p))
    path = folder.parent / "fresh.png"  # never hashed before
    path.write_bytes((folder / "im0.png").read_bytes())
    first = manifests.pixel_hashes(path)
    assert manifests.pixel_hashes(path) == first and len(decoded) == 1
    assert first.pixels == manifests.pixels_sha256(read(path))
    img = np.asarray(Image.open(path))
    Image.fromarray(np.roll(img, 1, axis=0)).save(path)  # rewritten: a new version
    assert manifests.pixel_hashes(path).pixels != first.pixels and len(decoded) == 2


def test_an_unreadable_image_says_why(env) -> None:
    _, opts, folder = env
    (folder / "im2.png").write_bytes(b"not a png")
    report = manifests.verify_dataset(datasets.find_dataset("Set5", opts.data_root))
    assert report.modified == ["im2.png"]
    assert (
        report.unreadable == [report.unreadable[0]]
        and "im2.png: cannot decode" in (report.unreadable[0])
    )
    assert "im2.png: cannot decode" in report.describe()
