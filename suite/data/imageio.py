"""Reading and writing benchmark images as uint8 RGB arrays."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from suite.errors import DatasetError
from suite.files import atomic_write

IMAGE_SUFFIXES = (".png", ".bmp", ".jpg", ".jpeg", ".tif", ".tiff")


def read_rgb(path: str | Path) -> np.ndarray:
    """Read an image as H×W×3 uint8 RGB; grey images are replicated to three channels.

    Benchmarks score colour SR models on RGB, so a single-channel file (Set14's ``bridge``) is
    turned into three identical channels rather than scored differently. Alpha is dropped.
    """
    path = Path(path)
    try:
        with Image.open(path) as im:
            im.load()
            if im.mode in ("I;16", "I;16B", "I", "F"):
                raise DatasetError(f"{path}: {im.mode} images are not 8-bit; convert to 8-bit PNG")
            array = np.asarray(
                im.convert("L") if im.mode in ("1", "L", "LA") else im.convert("RGB")
            )
    except FileNotFoundError:
        raise DatasetError(f"{path}: image not found") from None
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise DatasetError(
            f"{path}: cannot decode image ({exc}); the file is corrupt or truncated — "
            "restore it from the original benchmark archive"
        ) from None
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    return np.ascontiguousarray(array, dtype=np.uint8)


def write_png(path: str | Path, image: np.ndarray) -> None:
    """Write a uint8 H×W×3 (or H×W) array as a lossless PNG, atomically."""
    picture = Image.fromarray(np.ascontiguousarray(image))
    atomic_write(Path(path), lambda f: picture.save(f, format="PNG"))
