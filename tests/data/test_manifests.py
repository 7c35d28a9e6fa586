"""Manifests: a copy verifies by file or by pixels; altered, missing and extra images are named;
manifests are written from a trusted copy and a provenance file (where each image is published)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from support.tiny import make_env

from suite import cli
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


# --------------------------------------------------------------------------- provenance


def _provenance(tmp_path: Path, folder: Path, **changes: str) -> Path:
    """A MANIFEST.json-style provenance file for the fake Set5 of ``make_env``."""
    entries = {
        f"datasets/Set5/{p.name}": {
            "sha256": manifests.sha256_bytes(p.read_bytes()),
            "bytes": p.stat().st_size,
            "repo": "o/r",
            "commit": "c0",
            "path": f"CSet5/{p.name}",
        }
        for p in sorted(folder.glob("*.png"))
    }
    entries["checkpoints/x.pth"] = {"sha256": "0" * 64}  # not a set's file: ignored
    for key, value in changes.items():
        entries[f"datasets/Set5/{key}"]["sha256"] = value
    path = tmp_path / "MANIFEST.json"
    path.write_text(json.dumps(entries))
    return path


def test_manifest_records_where_each_image_is_published(env, tmp_path: Path) -> None:
    _, opts, folder = env
    ds = datasets.find_dataset("Set5", opts.data_root)
    provenance = manifests.load_provenance(_provenance(tmp_path, folder))
    doc = manifests.build_manifest(ds, provenance=provenance["Set5"])
    entry = doc["images"]["im0"]
    assert (entry["repo"], entry["commit"], entry["path"]) == ("o/r", "c0", "CSet5/im0.png")
    assert entry["bytes"] == (folder / "im0.png").stat().st_size
    bad = manifests.load_provenance(_provenance(tmp_path, folder, **{"im1.png": "f" * 64}))
    with pytest.raises(DatasetError, match=r"Set5/im1.png: the provenance file records sha256 f+"):
        manifests.build_manifest(ds, provenance=bad["Set5"])


def test_a_hash_list_makes_a_manifest_of_its_own(tmp_path: Path) -> None:
    entry = {"sha256": "a" * 64, "bytes": 3, "repo": "o/r", "commit": "c", "path": "C/B.png"}
    path = tmp_path / "hashes.json"
    path.write_text(json.dumps({"dataset": "manga109", "files": {"B.png": entry, "A.png": entry}}))
    files = manifests.load_provenance(path)["Manga109"]
    doc = manifests.manifest_from_hashes("Manga109", files, source="s")
    assert list(doc["images"]) == ["A", "B"] and doc["n_images"] == 2
    assert doc["images"]["B"] == {"file": "B.png", **entry}


@pytest.mark.parametrize("text", ["{not json", "[]", '{"checkpoints/a.pth": {}}'])
def test_an_unusable_provenance_file_is_named(tmp_path: Path, text: str) -> None:
    path = tmp_path / "prov.json"
    path.write_text(text)
    with pytest.raises(DatasetError, match=str(path)):
        manifests.load_provenance(path)


def test_files_without_a_hash_leave_the_copy_unverified(env, monkeypatch) -> None:
    _, opts, _ = env
    folder = opts.data_root.parent / "manifests"
    doc = json.loads((folder / "Set5.json").read_text())
    doc["images"] = {stem: {"file": e["file"]} for stem, e in doc["images"].items()}
    (folder / "Set5.json").write_text(json.dumps(doc))
    report = manifests.verify_dataset(datasets.find_dataset("Set5", opts.data_root))
    assert report.status == "unverified" and len(report.unchecked) == 4
    assert "no published hash to check 4 file(s) against" in report.describe()


def test_manifest_command_keeps_how_a_set_is_obtained(env, tmp_path: Path, capsys) -> None:
    _, opts, folder = env
    out = tmp_path / "out"
    out.mkdir()
    (out / "Set5.json").write_text(json.dumps({"archive": {"url": "u"}, "images": {}}))
    argv = ["manifest", "Set5", "--data-root", str(opts.data_root), "--out", str(out)]
    prov = str(_provenance(tmp_path, folder))
    assert cli.main([*argv, "--provenance", prov, "--terms", "t"]) == 0
    doc = json.loads((out / "Set5.json").read_text())
    assert (doc["archive"], doc["terms"]) == ({"url": "u"}, "t")
    assert doc["images"]["im2"]["repo"] == "o/r"
    assert cli.main([*argv, "--hashes-only"]) == 2
    assert "--hashes-only needs --provenance" in capsys.readouterr().err


@pytest.mark.shared
def test_shipped_manifests_are_what_the_maintainer_command_writes(
    shared_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``datasets/manifests`` are generated from ``shared/`` (the command in the README);
    regenerating them changes nothing."""
    monkeypatch.delenv("SUITE_MANIFEST_DIR", raising=False)
    prov = str(shared_dir / "MANIFEST.json")
    manga = str(shared_dir / "reference" / "manga109_sha256.json")
    out = tmp_path / "out"
    for name in ("Set5", "Set14", "Manga109"):
        shipped = json.loads(manifests.manifest_path(name).read_text())
        out.mkdir(exist_ok=True)
        argv = ["manifest", name, "--out", str(out), "--source", shipped["source"]]
        if name == "Manga109":
            argv += ["--hashes-only", "--provenance", manga, "--terms", shipped["terms"]]
        else:
            argv += ["--provenance", prov, "--data-root", str(shared_dir / "datasets")]
        assert cli.main(argv) == 0
        assert json.loads((out / f"{name}.json").read_text()) == shipped, name
