"""``suite profiles`` and ``suite datasets``: the conventions, which sets are at hand, and
``--download`` from a mirror of ``../shared`` served on 127.0.0.1 (support.mirror)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.mirror import MirrorServer, build_mirror, clean_downloads, serving_mirror

from suite import cli

FILE_FIELDS = {"name", "url", "sha256", "bytes", "status"}


@pytest.fixture
def mirror(
    shared_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MirrorServer]:
    """A mirror of the sets and checkpoints in ``shared/``, served on 127.0.0.1."""
    clean_downloads(monkeypatch)
    with serving_mirror(build_mirror(tmp_path / "mirror", shared_dir, ("Set5",))) as srv:
        yield srv


def test_profiles(capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["profiles", "--json"]) == 0
    names = [p["name"] for p in json.loads(capsys.readouterr().out)]
    assert names[:2] == ["basicsr", "matlab"]
    assert cli.main(["profiles"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:4] == ["profile", "GT", "crop", "LR"]  # a table (tabulate)
    row = next(line for line in lines if line.startswith("matlab_y_uint8 "))
    assert row.split()[1:6] == ["modscale", "matlab", "y_uint8", "scale", "yes"]


def test_absent_datasets(
    capsys: pytest.CaptureFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SUITE_MANIFEST_DIR", raising=False)
    assert cli.main(["datasets", "--data-root", str(tmp_path), "--json"]) == 0
    rows = {r["dataset"]: r for r in json.loads(capsys.readouterr().out)}
    assert {r["status"] for r in rows.values()} == {"absent"}
    counts = {name: len(r["files"]) for name, r in rows.items()}
    assert counts == {
        "Set5": 5,
        "Set14": 14,
        "B100": 100,
        "Urban100": 100,
        "Manga109": 109,
        "DIV2K_val": 1,
    }
    for r in rows.values():
        for f in r["files"]:
            assert set(f) == FILE_FIELDS and f["status"] == "absent", f
    baby = rows["Set5"]["files"][0]
    assert baby["name"] == "baby.png" and baby["bytes"] == 371264
    assert baby["url"] == (
        "https://github.com/majedelhelou/denoising_datasets/raw/"
        "58234876fef6f1b56306705c78dfd40cdb837b86/CSet5/baby.png"
    )
    assert "academic research only" in rows["Manga109"]["terms"]
    assert rows["DIV2K_val"]["files"][0]["url"].endswith("/DIV2K_valid_HR.zip")
    assert rows["DIV2K_val"]["files"][0]["sha256"] is None
    assert cli.main(["datasets", "--data-root", str(tmp_path)]) == 0
    assert "`suite datasets --download SET` fetches them" in capsys.readouterr().out


@pytest.mark.shared
def test_shared_datasets_verify(capsys: pytest.CaptureFixture, shared_datasets) -> None:
    assert cli.main(["datasets", "--data-root", str(shared_datasets), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    status = {r["dataset"]: r["status"] for r in rows}
    assert status == {
        "Set5": "verified",
        "Set14": "verified",
        "B100": "verified",
        "Urban100": "verified",
        "Manga109": "absent",
        "DIV2K_val": "absent",
    }
    files = {r["dataset"]: {f["status"] for f in r["files"]} for r in rows}
    assert files["Set14"] == {"verified"} and files["Manga109"] == {"absent"}
    assert cli.main(["datasets", "--data-root", str(shared_datasets)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.split()[:4] == ["Set5", "verified", "5", "plain"] for line in lines)


@pytest.mark.shared
@pytest.mark.parametrize("how", ["flag", "env"])
def test_download_from_a_mirror(
    capsys: pytest.CaptureFixture,
    tmp_path: Path,
    mirror: MirrorServer,
    monkeypatch: pytest.MonkeyPatch,
    how: str,
) -> None:
    argv = ["datasets", "--download", "set5", "--data-root", str(tmp_path / "d"), "--json"]
    if how == "flag":
        argv += ["--mirror", mirror.url]
    else:
        monkeypatch.setenv("SUITE_MIRROR", mirror.url)
    assert cli.main([*argv, "--no-progress"]) == 0
    out = capsys.readouterr()
    assert f"Set5: 5 images in {tmp_path / 'd' / 'Set5'}" in out.err
    rows = {r["dataset"]: r for r in json.loads(out.out)}  # stdout holds only the JSON
    assert rows["Set5"]["status"] == "verified"
    assert {f["status"] for f in rows["Set5"]["files"]} == {"verified"}
    assert mirror.requests == 5


@pytest.mark.shared
def test_modified_and_missing_files_are_told_apart(
    capsys: pytest.CaptureFixture, tmp_path: Path, mirror: MirrorServer
) -> None:
    root = tmp_path / "d"
    argv = ["datasets", "--data-root", str(root), "--mirror", mirror.url, "--no-progress"]
    assert cli.main([*argv, "--download", "Set5"]) == 0
    (root / "Set5" / "bird.png").unlink()
    (root / "Set5" / "head.png").write_bytes((root / "Set5" / "baby.png").read_bytes())
    capsys.readouterr()
    assert cli.main([*argv, "--json"]) == 0
    (row,) = [r for r in json.loads(capsys.readouterr().out) if r["dataset"] == "Set5"]
    status = {f["name"]: f["status"] for f in row["files"]}
    assert status == {
        "baby.png": "verified",
        "bird.png": "absent",
        "butterfly.png": "verified",
        "head.png": "modified",
        "woman.png": "verified",
    }


@pytest.mark.slow
@pytest.mark.shared
def test_download_without_names_fetches_the_four_published_sets(
    capsys: pytest.CaptureFixture, shared_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean_downloads(monkeypatch)
    root = tmp_path / "d"
    with serving_mirror(build_mirror(tmp_path / "mirror", shared_dir)) as mirror:
        argv = ["datasets", "--download", "--data-root", str(root), "--mirror", mirror.url]
        assert cli.main([*argv, "--no-progress"]) == 0
    lines = capsys.readouterr().out.splitlines()
    verified = [line.split()[0] for line in lines if line.split()[1:2] == ["verified"]]
    assert verified == ["Set5", "Set14", "B100", "Urban100"]
    assert not (root / "Manga109").exists() and not (root / "DIV2K_val").exists()
