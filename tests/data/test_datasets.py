"""Benchmark sets: names, aliases, layouts, paper order, a user's own folder, and downloads
(from a mirror of ``../shared`` or a test's own files, served on 127.0.0.1)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from support.mirror import MirrorServer, put

from suite.data import datasets, fetch, manifests
from suite.errors import DatasetError


def test_basicsr_layout_is_found(tmp_path: Path) -> None:
    gt = tmp_path / "BSDS100" / "GTmod12"
    gt.mkdir(parents=True)
    Image.fromarray(np.zeros((24, 36, 3), np.uint8)).save(gt / "a.png")
    ds = datasets.find_dataset("B100", tmp_path)
    assert ds is not None and ds.layout == "basicsr" and ds.name == "B100"
    assert list(ds.images) == ["a"]


def test_aliases_and_unknown_names() -> None:
    assert datasets.canonical_name("bsd100") == "B100"
    assert datasets.canonical_name("SET5") == "Set5"
    with pytest.raises(DatasetError, match="unknown dataset 'Set6'; known: Set5"):
        datasets.canonical_name("Set6")


def test_paper_column_order() -> None:
    names = ["Urban100", "Other", "DIV2K_val", "Set5", "B100", "Manga109", "Set14"]
    assert sorted(names, key=datasets.dataset_order) == [
        "Set5",
        "Set14",
        "B100",
        "Urban100",
        "Manga109",
        "DIV2K_val",
        "Other",
    ]


def test_absent_set_says_where_it_looked(tmp_path: Path) -> None:
    assert datasets.find_dataset("Set5", tmp_path) is None
    with pytest.raises(DatasetError, match=f"dataset Set5 not found \\(looked in {tmp_path}"):
        datasets.require_dataset("Set5", tmp_path, download=False)


def test_two_files_for_one_image_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "Set5"
    folder.mkdir()
    for name in ("x.png", "x.bmp", "y.png", "y.JPG", "z.png"):
        Image.fromarray(np.zeros((24, 24, 3), np.uint8)).save(folder / name, format="PNG")
    with pytest.raises(DatasetError, match=r"two files for one image \(x\.bmp and x\.png; "
                       r"y\.JPG and y\.png\)"):  # fmt: skip
        datasets.find_dataset("Set5", tmp_path)


def test_broken_links_are_kept_to_be_named_and_folders_ignored(tmp_path: Path) -> None:
    folder = tmp_path / "Set5"
    folder.mkdir()
    Image.fromarray(np.zeros((24, 24, 3), np.uint8)).save(folder / "a.png")
    (folder / "b.png").symlink_to(tmp_path / "gone.png")
    (folder / "c.png").mkdir()  # a folder is not an image
    ds = datasets.find_dataset("Set5", tmp_path)
    assert ds is not None and list(ds.images) == ["a", "b"]


# --------------------------------------------------------------------------- a user's folder


def _png(path: Path, size: int = 24) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((size, size, 3), 90, np.uint8)).save(path)
    return path


@pytest.mark.parametrize("spelling", ["path", "str", "relative"])
def test_a_folder_of_images_is_an_unverified_set_named_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str
) -> None:
    _png(tmp_path / "my photos" / "a.png")
    monkeypatch.chdir(tmp_path)
    given = {
        "path": tmp_path / "my photos",
        "str": str(tmp_path / "my photos"),
        "relative": "./my photos/../my photos",
    }[spelling]
    ds = datasets.require_dataset(given, tmp_path / "root")
    assert (ds.name, ds.registered, list(ds.images)) == ("my photos", False, ["a"])
    assert manifests.verify_dataset(ds).status == "unverified"


def test_a_bare_name_is_a_folder_only_when_no_set_has_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _png(tmp_path / "Set5" / "x.png")  # ./Set5 exists, but "Set5" is the known set
    _png(tmp_path / "root" / "Set5" / "y.png")
    assert list(datasets.require_dataset("Set5", tmp_path / "root").images) == ["y"]
    _png(tmp_path / "mine" / "z.png")
    assert datasets.require_dataset("mine", tmp_path / "root").name == "mine"


# --------------------------------------------------------------------------- downloads


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.shared
def test_download_from_the_mirror_verifies(
    tmp_path: Path, mirror: MirrorServer, shared_datasets: Path
) -> None:
    root = tmp_path / "data"
    ds = datasets.download_dataset("Set5", root, progress=False, mirror=mirror.url)
    assert ds.hr_dir == root / "Set5" and ds.layout == "plain"
    assert _bytes(ds.hr_dir) == _bytes(shared_datasets / "Set5")
    assert manifests.verify_dataset(ds).status == "verified"
    assert sorted(p.name for p in root.iterdir()) == ["Set5", "Set5.lock"]  # no staging left
    assert mirror.requests == 5
    datasets.download_dataset("Set5", root, progress=False, mirror=mirror.url)
    assert mirror.requests == 5  # present: nothing fetched


@pytest.mark.shared
def test_an_absent_set_is_downloaded_when_required(
    tmp_path: Path, mirror: MirrorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUITE_MIRROR", mirror.url)
    ds = datasets.require_dataset("set5", tmp_path, progress=False)
    assert ds.name == "Set5" and ds.registered and len(ds.images) == 5
    assert mirror.requests == 5


@pytest.mark.shared
def test_download_completes_a_copy_that_lacks_files(tmp_path: Path, mirror: MirrorServer) -> None:
    ds = datasets.download_dataset("Set5", tmp_path, progress=False, mirror=mirror.url)
    (ds.hr_dir / "bird.png").unlink()
    ds = datasets.download_dataset("Set5", tmp_path, progress=False, mirror=mirror.url)
    assert list(ds.images) == ["baby", "bird", "butterfly", "head", "woman"]
    assert mirror.requests == 6


@pytest.mark.parametrize("how", ["offline", "download=False"])
def test_no_download_when_downloads_are_off(
    tmp_path: Path, own_mirror: MirrorServer, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    if how == "offline":
        monkeypatch.setenv("SUITE_OFFLINE", "1")
    root = tmp_path / "data"
    with pytest.raises(DatasetError) as info:
        datasets.require_dataset("Set5", root, download=how == "offline", mirror=own_mirror.url)
    message = str(info.value)
    assert f"dataset Set5 not found (looked in {root / 'Set5'}" in message
    assert "`suite datasets --download Set5`" in message
    assert "--mirror URL" in message and "SUITE_MIRROR" in message
    assert ("SUITE_OFFLINE is set" in message) == (how == "offline")
    assert own_mirror.requests == 0 and not root.exists()


def test_a_set_without_sources_cannot_be_downloaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, downloads: None
) -> None:
    manifests_dir = tmp_path / "manifests"
    manifests_dir.mkdir()
    (manifests_dir / "Set14.json").write_text('{"dataset": "Set14", "images": {}}')
    monkeypatch.setenv("SUITE_MANIFEST_DIR", str(manifests_dir))
    for name in ("Set5", "Set14"):  # no manifest at all / one without sources
        with pytest.raises(DatasetError, match=f"{name} not found .* records no source"):
            datasets.require_dataset(name, tmp_path / "root")


def _manga(own_mirror: MirrorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    """A two-page stand-in for Manga109 (its terms, its layout), served by the mirror."""
    images = {}
    for stem in ("ARMS", "Akuhamu"):
        data = _png(tmp_path / "src" / f"{stem}.png", 30).read_bytes()
        path = f"CManga109/{stem}.png"
        put(own_mirror.folder, fetch.github_raw_url("o/r", "c0", path), data)
        images[stem] = {
            "file": f"{stem}.png",
            "sha256": hashlib.sha256(data).hexdigest(),
            "bytes": len(data),
            **{"repo": "o/r", "commit": "c0", "path": path},
        }
    doc = {"dataset": "Manga109", "terms": "academic use only", "images": images}
    (tmp_path / "manifests").mkdir()
    (tmp_path / "manifests" / "Manga109.json").write_text(json.dumps(doc))
    monkeypatch.setenv("SUITE_MANIFEST_DIR", str(tmp_path / "manifests"))
    return doc


def test_manga109_needs_its_terms_accepted(
    tmp_path: Path, own_mirror: MirrorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _manga(own_mirror, tmp_path, monkeypatch)
    root = tmp_path / "data"
    for call in (datasets.require_dataset, datasets.download_dataset):
        with pytest.raises(DatasetError) as info:
            call("Manga109", root, progress=False, mirror=own_mirror.url)
        assert "accept its terms: academic use only" in str(info.value)
        assert "--download Manga109 --accept-terms Manga109" in str(info.value)
    assert own_mirror.requests == 0 and not root.exists()
    ds = datasets.download_dataset(
        "Manga109", root, progress=False, mirror=own_mirror.url, accept_terms=True
    )
    assert list(ds.images) == ["ARMS", "Akuhamu"]
    report = manifests.verify_dataset(ds)
    assert report.status == "verified"  # by file sha256: the manifest has no pixel hashes
    Image.open(ds.images["ARMS"]).save(ds.images["ARMS"], compress_level=0)
    assert manifests.verify_dataset(ds).modified == ["ARMS.png"]


DIV2K = "https://data.vision.ee.ethz.ch/cvl/DIV2K/DIV2K_valid_HR.zip"


def _div2k_zip(folder: str = "DIV2K_valid_HR") -> bytes:
    buffer = io.BytesIO()
    png = io.BytesIO()
    Image.fromarray(np.full((12, 12, 3), 7, np.uint8)).save(png, format="PNG")
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(801, 901):
            archive.writestr(f"{folder}/{i:04d}.png", png.getvalue())
    return buffer.getvalue()


def test_div2k_val_is_unpacked_and_its_archive_hash_recorded(
    tmp_path: Path, own_mirror: MirrorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _div2k_zip()
    put(own_mirror.folder, DIV2K, data)
    root = tmp_path / "data"
    ds = datasets.download_dataset("DIV2K_val", root, progress=False, mirror=own_mirror.url)
    assert ds.hr_dir == root / "DIV2K_val" and len(ds.images) == 100
    sha = hashlib.sha256(data).hexdigest()
    record = json.loads((ds.hr_dir / datasets.ARCHIVE_RECORD).read_text())
    assert (record["url"], record["sha256"], record["bytes"]) == (DIV2K, sha, len(data))
    err = capsys.readouterr().err
    assert f"its sha256 is {sha}" in err and "no published sha256" in err
    report = manifests.verify_dataset(ds)
    assert (report.status, len(report.unchecked)) == ("unverified", 100)
    assert sorted(p.name for p in root.iterdir()) == ["DIV2K_val", "DIV2K_val.lock"]


def test_an_archive_without_the_image_folder_leaves_nothing(
    tmp_path: Path, own_mirror: MirrorServer
) -> None:
    put(own_mirror.folder, DIV2K, _div2k_zip("other"))
    root = tmp_path / "data"
    with pytest.raises(DatasetError, match="holds no images under DIV2K_valid_HR/"):
        datasets.download_dataset("DIV2K_val", root, progress=False, mirror=own_mirror.url)
    assert sorted(p.name for p in root.iterdir()) == ["DIV2K_val.lock"]


def test_a_folder_named_like_a_known_set_is_that_set(tmp_path: Path) -> None:
    """Its numbers would carry the benchmark's name, so it is verified like any copy."""
    _png(tmp_path / "elsewhere" / "BSD100" / "a.png")
    ds = datasets.require_dataset(tmp_path / "elsewhere" / "BSD100", tmp_path / "root")
    assert (ds.name, ds.registered) == ("B100", True)
    assert manifests.verify_dataset(ds).status == "modified"  # not the published B100
