"""Reading benchmark images: every unusable file is one DatasetError naming it and the fix."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from support.tiny import write_png16

from suite.data.imageio import read_bytes, read_rgb, stat_image
from suite.errors import DatasetError

DEEP = "more than 8 bits per channel (a 16-bit or float image); the benchmarks are 8-bit"


def test_grey_is_replicated_and_alpha_dropped(tmp_path: Path) -> None:
    grey = np.arange(24, dtype=np.uint8).reshape(4, 6)
    Image.fromarray(grey).save(tmp_path / "g.png")
    assert (read_rgb(tmp_path / "g.png") == grey[:, :, None]).all()
    rgba = np.zeros((4, 6, 4), np.uint8)
    rgba[..., 3] = 7
    Image.fromarray(rgba).save(tmp_path / "a.png")
    assert read_rgb(tmp_path / "a.png").shape == (4, 6, 3)


@pytest.mark.parametrize(
    "write",
    [
        lambda p: write_png16(p, np.full((8, 8, 3), 40000, np.uint16)),  # PIL: silently "RGB"
        lambda p: write_png16(p, np.full((8, 8), 40000, np.uint16)),  # PIL: "I;16"
        lambda p: Image.fromarray(np.zeros((8, 8), np.float32)).save(p.with_suffix(".tif")),
    ],
    ids=["16-bit RGB", "16-bit grey", "float TIFF"],
)
def test_images_deeper_than_8_bits_are_refused_alike(tmp_path: Path, write) -> None:
    write(tmp_path / "deep.png")
    (path,) = tmp_path.iterdir()
    with pytest.raises(DatasetError, match=rf"^{path}: more than 8 bits") as err:
        read_rgb(path)
    assert DEEP in str(err.value) and "convert it to 8-bit" in str(err.value)


def test_broken_files_name_the_problem(tmp_path: Path) -> None:
    os.symlink(tmp_path / "gone.png", tmp_path / "dangling.png")
    os.symlink("b.png", tmp_path / "a.png")
    os.symlink("a.png", tmp_path / "b.png")
    (tmp_path / "cut.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    expected = {
        "dangling.png": "dangling symbolic link (-> ",
        "a.png": "symbolic link loop (-> b.png)",
        "missing.png": "image not found",
        "cut.png": "cannot decode image",
    }
    for name, fragment in expected.items():
        for read in (read_rgb, read_bytes, stat_image):
            if read is not read_rgb and name == "cut.png":
                continue  # readable bytes; only decoding fails
            with pytest.raises(DatasetError, match=f"^{tmp_path / name}: ") as err:
                read(tmp_path / name)
            assert fragment in str(err.value)
