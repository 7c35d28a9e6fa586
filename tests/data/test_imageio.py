"""Reading benchmark images: every unusable file is one DatasetError naming it and the fix."""

from __future__ import annotations

import functools
import os
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from support.tiny import write_png16

from suite.data import imageio
from suite.data.imageio import (
    PNG_SIGNATURE,
    decode_png_opencv,
    opencv,
    png_intact,
    read_bytes,
    read_rgb,
    read_rgb_pillow,
    stat_image,
)
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


# --------------------------------------------------------------------------- OpenCV vs Pillow


def _png(path: Path, pixels: np.ndarray, depth: int, colour: int, extra: bytes = b"") -> Path:
    """A PNG written by hand: ``pixels`` (H×W×samples, values < 2**depth) packed at ``depth``
    bits per sample in colour type ``colour`` (0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA);
    ``extra`` chunks (PLTE, tRNS) go before the image data."""
    h, w = pixels.shape[:2]
    rows = pixels.reshape(h, -1)
    if depth < 8:
        rows = np.packbits(np.unpackbits(rows.astype(np.uint8)[..., None], axis=-1)[..., -depth:]
                           .reshape(h, -1), axis=-1)  # fmt: skip
    raw = b"".join(b"\x00" + row.astype(np.uint8).tobytes() for row in rows)
    header = w.to_bytes(4, "big") + h.to_bytes(4, "big") + bytes([depth, colour, 0, 0, 0])
    body = _chunk(b"IHDR", header) + extra + _chunk(b"IDAT", zlib.compress(raw))
    path.write_bytes(PNG_SIGNATURE + body + _chunk(b"IEND", b""))
    return path


def _chunk(kind: bytes, data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")


def _colour_types(folder: Path) -> dict[str, Path]:
    """One file of every PNG colour type and 8-bit-or-less depth."""
    rng = np.random.default_rng(0)
    pixels = functools.partial(rng.integers, size=(7, 13))
    palette = rng.integers(0, 256, 3 * 16, dtype=np.uint8).tobytes()
    plte = _chunk(b"PLTE", palette)
    files = {
        f"grey {d}-bit": _png(folder / f"g{d}.png", pixels(0, 2**d)[..., None], d, 0)
        for d in (1, 2, 4, 8)
    }
    files |= {
        f"palette {d}-bit": _png(folder / f"p{d}.png", pixels(0, 2**d)[..., None], d, 3, plte)
        for d in (1, 2, 4, 8)
    }
    trns = plte + _chunk(b"tRNS", bytes(range(0, 256, 16)))
    files["palette + tRNS"] = _png(folder / "pt.png", pixels(0, 16)[..., None], 8, 3, trns)
    files["grey + tRNS"] = _png(
        folder / "gt.png", pixels(0, 256)[..., None], 8, 0, _chunk(b"tRNS", b"\x00\x07")
    )
    for name, colour, samples in (("grey+alpha", 4, 2), ("RGB", 2, 3), ("RGBA", 6, 4)):
        values = rng.integers(0, 256, (7, 13, samples))
        files[name] = _png(folder / f"c{colour}.png", values, 8, colour)
    return files


@pytest.mark.filterwarnings("ignore:Palette images with Transparency")  # Pillow's advice
@pytest.mark.skipif(opencv() is None, reason="OpenCV is not installed")
def test_opencv_decodes_every_png_colour_type_to_pillows_pixels(tmp_path: Path) -> None:
    for name, path in _colour_types(tmp_path).items():
        ours = decode_png_opencv(path.read_bytes())
        assert ours is not None, name
        assert ours.dtype == np.uint8 and ours.shape == (7, 13, 3), name
        assert np.array_equal(ours, read_rgb_pillow(path)), name
        assert np.array_equal(read_rgb(path), ours), name


@pytest.mark.filterwarnings("ignore:Palette images with Transparency")  # Pillow's advice
def test_without_opencv_pillow_reads_every_png(tmp_path: Path, monkeypatch) -> None:
    files = _colour_types(tmp_path)
    expected = {name: read_rgb(path) for name, path in files.items()}
    monkeypatch.setattr(imageio, "opencv", lambda: None)
    assert decode_png_opencv(files["RGB"].read_bytes()) is None
    for name, path in files.items():
        assert np.array_equal(read_rgb(path), expected[name]), name


def test_a_broken_png_never_reaches_opencv(tmp_path: Path) -> None:
    """A cut, corrupted or chunk-less PNG goes to Pillow, which names it (libpng would print
    its own lines on stderr first); a PNG with 16-bit samples decodes to None too."""
    good = _png(tmp_path / "ok.png", np.zeros((4, 4, 3), np.uint8), 8, 2).read_bytes()
    assert png_intact(good)
    flipped = bytearray(good)
    flipped[40] ^= 0xFF  # inside the image data: its CRC no longer matches
    for broken in (good[:-12], good[:50], bytes(flipped), good[8:], b"GIF89a" + good[6:]):
        assert not png_intact(broken)
        assert decode_png_opencv(broken) is None
    write_png16(tmp_path / "deep.png", np.zeros((4, 4, 3), np.uint16))
    assert decode_png_opencv((tmp_path / "deep.png").read_bytes()) is None


@pytest.mark.slow  # both decoders over 219 images
@pytest.mark.shared
@pytest.mark.skipif(opencv() is None, reason="OpenCV is not installed")
def test_both_decoders_give_the_same_pixels_on_every_shared_image(shared_datasets: Path) -> None:
    files = sorted(shared_datasets.rglob("*.png"))
    assert len(files) >= 100
    for path in files:
        ours = decode_png_opencv(path.read_bytes())
        assert ours is not None and np.array_equal(ours, read_rgb_pillow(path)), path
