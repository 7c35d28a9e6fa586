"""Reading and writing benchmark images as uint8 RGB arrays.

Every way an image file can be unusable — missing, a dangling symbolic link or a link loop,
unreadable, corrupt, more than 8 bits per channel — becomes one :class:`DatasetError` that names
the file and the fix; nothing is skipped or converted silently.

PNG files (every benchmark set) are decoded with OpenCV when it is installed: it measured 1.23×
faster than Pillow on Urban100 (16.4 vs 20.2 ms an image, 2 cores) and gives the same pixels
(a PNG is lossless; tests/data/test_imageio.py compares both decoders on every image of the
shared sets and on every PNG colour type). Pillow decodes everything else (a JPEG's pixels
depend on the decoder, so one decoder keeps them as they always were), and any file OpenCV
does not return as 8-bit pixels, so that Pillow names what is wrong with it.
"""

from __future__ import annotations

import errno
import functools
import os
import struct
import zlib
from pathlib import Path
from types import ModuleType

import numpy as np
from PIL import Image

from suite.errors import DatasetError
from suite.files import atomic_write

IMAGE_SUFFIXES = (".png", ".bmp", ".jpg", ".jpeg", ".tif", ".tiff")

# PIL modes that hold more than 8 bits per channel, and the raw-mode marker of a 16-bit RGB(A)
# or grey+alpha file that PIL would otherwise quietly decode to 8 bits
_WIDE_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I", "F")
_WIDE_RAW = ";16"


def unusable_file(path: Path, exc: OSError) -> DatasetError:
    """The error for a file that cannot be opened: missing, a broken link, unreadable."""
    if path.is_symlink():
        target = os.readlink(path)
        if exc.errno == errno.ELOOP:
            return DatasetError(
                f"{path}: symbolic link loop (-> {target}); replace the link with the image "
                "file or remove it from the set folder"
            )
        return DatasetError(
            f"{path}: dangling symbolic link (-> {target}, which does not exist); fix the link "
            "or remove it from the set folder"
        )
    if isinstance(exc, FileNotFoundError):
        return DatasetError(f"{path}: image not found; restore it or remove it from the set")
    return DatasetError(f"{path}: cannot read the file ({exc.strerror}); make it readable")


def read_bytes(path: str | Path) -> bytes:
    """The raw bytes of an image file (a :class:`DatasetError` for a missing or broken file)."""
    path = Path(path)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise unusable_file(path, exc) from None


def stat_image(path: str | Path) -> os.stat_result:
    """``os.stat`` of an image file, following links (a :class:`DatasetError` for a missing
    file, a dangling link or a link loop)."""
    path = Path(path)
    try:
        return path.stat()
    except OSError as exc:
        raise unusable_file(path, exc) from None


def _is_wide(im: Image.Image) -> bool:
    """True for more than 8 bits per channel (16-bit grey, RGB, RGBA; 32-bit int or float)."""
    raw_modes = [t.args if isinstance(t.args, str) else t.args[0] for t in im.tile if t.args]
    return im.mode in _WIDE_MODES or any(_WIDE_RAW in str(r) for r in raw_modes)


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@functools.cache
def opencv() -> ModuleType | None:
    """The ``cv2`` module, imported on first use (0.1 s), or None when it is not installed (then
    Pillow decodes everything: the same pixels, slower)."""
    # OpenCV logs a warning for every broken file it is given; the suite names the file itself.
    # Only read at its first import, and only when the user has not chosen a level.
    os.environ.setdefault("OPENCV_LOG_LEVEL", "FATAL")
    try:
        import cv2
    except ImportError:
        return None
    return cv2


def png_intact(data: bytes) -> bool:
    """True when ``data`` is a whole PNG stream: the signature, then chunks whose CRCs match,
    from IHDR to IEND. libpng prints its own lines on stderr for a broken file; such a file goes
    to Pillow instead, whose error the suite turns into its one line (a CRC is ~1 ms a MB)."""
    if not data.startswith(PNG_SIGNATURE):
        return False
    at, first = len(PNG_SIGNATURE), True
    while at + 12 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, at)
        end = at + 12 + length
        if end > len(data) or (first and kind != b"IHDR"):
            return False
        (crc,) = struct.unpack_from(">I", data, end - 4)
        if zlib.crc32(data[at + 4 : end - 4]) != crc:
            return False
        if kind == b"IEND":
            return True
        at, first = end, False
    return False


def decode_png_opencv(data: bytes) -> np.ndarray | None:
    """H×W×3 uint8 RGB of a PNG file's bytes decoded by OpenCV (grey replicated, alpha dropped,
    as :func:`read_rgb` does); None when OpenCV is not installed, the bytes are not an intact
    PNG (:func:`png_intact`), or they do not decode to 8-bit pixels (16-bit, a broken image
    stream), for Pillow to read or explain."""
    cv2 = opencv()
    if cv2 is None or not png_intact(data):
        return None
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None or image.dtype != np.uint8:
        return None
    channels = 1 if image.ndim == 2 else image.shape[2]
    to_rgb = {1: cv2.COLOR_GRAY2RGB, 3: cv2.COLOR_BGR2RGB, 4: cv2.COLOR_BGRA2RGB}.get(channels)
    return None if to_rgb is None else cv2.cvtColor(image, to_rgb)


def _undecodable(path: Path, exc: Exception) -> DatasetError:
    return DatasetError(
        f"{path}: cannot decode image ({exc}); the file is corrupt or truncated — restore it "
        "from the original benchmark archive"
    )


def read_rgb(path: str | Path) -> np.ndarray:
    """Read an image as H×W×3 uint8 RGB; grey images are replicated to three channels.

    Benchmarks score colour SR models on RGB, so a single-channel file (Set14's ``bridge``) is
    turned into three identical channels rather than scored differently. Alpha is dropped.
    Images with more than 8 bits per channel are refused (the benchmarks are 8-bit, and
    dropping bits would score other pixels than the file holds). PNG files are decoded by
    OpenCV when it is installed (see the module docstring), everything else by Pillow.
    """
    path = Path(path)
    if path.suffix.lower() == ".png" and opencv() is not None:
        decoded = decode_png_opencv(read_bytes(path))
        if decoded is not None:
            return decoded
    return read_rgb_pillow(path)


def read_rgb_pillow(path: str | Path) -> np.ndarray:
    """:func:`read_rgb` with Pillow alone: the decoder of every non-PNG file, and the one that
    says why a file cannot be read."""
    path = Path(path)
    try:
        with Image.open(path) as im:
            if _is_wide(im):
                raise DatasetError(
                    f"{path}: more than 8 bits per channel (a 16-bit or float image); the "
                    "benchmarks are 8-bit — convert it to 8-bit (e.g. an 8-bit RGB PNG) and rerun"
                )
            im.load()
            array = np.asarray(
                im.convert("L") if im.mode in ("1", "L", "LA") else im.convert("RGB")
            )
    except OSError as exc:
        if exc.errno is not None:  # the file system's error, not the decoder's
            raise unusable_file(path, exc) from None
        raise _undecodable(path, exc) from None
    except (SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise _undecodable(path, exc) from None
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    return np.ascontiguousarray(array, dtype=np.uint8)


def write_png(path: str | Path, image: np.ndarray) -> None:
    """Write a uint8 H×W×3 (or H×W) array as a lossless PNG, atomically."""
    picture = Image.fromarray(np.ascontiguousarray(image))
    atomic_write(Path(path), lambda f: picture.save(f, format="PNG"))
