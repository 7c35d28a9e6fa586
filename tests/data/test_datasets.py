"""Finding benchmark sets under a data root: names, aliases, layouts, paper order."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from suite.data import datasets
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
    names = ["Urban100", "Other", "Set5", "B100", "Manga109", "Set14"]
    assert sorted(names, key=datasets.dataset_order) == [
        "Set5",
        "Set14",
        "B100",
        "Urban100",
        "Manga109",
        "Other",
    ]


def test_absent_set_says_where_it_looked(tmp_path: Path) -> None:
    assert datasets.find_dataset("Set5", tmp_path) is None
    with pytest.raises(DatasetError, match=f"dataset Set5 not found \\(looked in {tmp_path}"):
        datasets.require_dataset("Set5", tmp_path)


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
