"""Manifests: the sha256 of every published benchmark image, so a copy can be verified.

``datasets/manifests/<Set>.json`` (shipped with the suite) hold, per image, the sha256 of the
file and of its decoded pixels (full and cropped to a multiple of 12), so a re-encoded copy
still verifies, a BasicSR ``GTmod12`` copy verifies against the cropped pixels, and an altered
or missing image is named.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from suite import paths
from suite.data.datasets import Dataset, canonical_name
from suite.data.imageio import read_bytes, read_rgb, stat_image
from suite.errors import DatasetError


@dataclass
class ManifestReport:
    """How a local copy compares with the committed manifest."""

    status: str  # "verified" | "modified" | "incomplete" | "unverified"
    missing: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    manifest: str | None = None
    unreadable: list[str] = field(default_factory=list)  # why each unreadable file failed

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "missing": self.missing,
            "modified": self.modified,
            "extra": self.extra,
            "manifest": self.manifest,
            "unreadable": self.unreadable,
        }

    def describe(self) -> str:
        parts = [self.status]
        if self.missing:
            parts.append(f"missing: {', '.join(self.missing)}")
        if self.modified:
            parts.append(f"differs from manifest: {', '.join(self.modified)}")
        if self.extra:
            parts.append(f"not in manifest: {', '.join(self.extra)}")
        parts += self.unreadable
        return "; ".join(parts)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pixels_sha256(image: np.ndarray) -> str:
    """Hash of decoded pixels (uint8, H×W×3, C order) with the shape, independent of encoding."""
    h = hashlib.sha256(f"{image.shape}".encode())
    h.update(np.ascontiguousarray(image, dtype=np.uint8).tobytes())
    return h.hexdigest()


def _mod12(image: np.ndarray) -> np.ndarray:
    h, w = image.shape[:2]
    return image[: h - h % 12, : w - w % 12]


@dataclass(frozen=True)
class PixelHashes:
    """One HR file's decoded shape and the hashes of its pixels, whole and cropped to a
    multiple of 12."""

    shape: tuple[int, ...]
    pixels: str
    pixels_mod12: str


def pixel_hashes(path: str | Path) -> PixelHashes:
    """:class:`PixelHashes` of an image file, decoded once per process and file version.

    Cached per (resolved path, inode, size, modification time): the manifest check, a run's
    content key and its per-image record ask for the same hashes, and a 100-image set should
    not be decoded once for each. A file replaced or rewritten has another key and is re-read.
    """
    st = stat_image(path)
    return _pixel_hashes(str(Path(path).resolve()), st.st_ino, st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=4096)
def _pixel_hashes(path: str, _inode: int, _size: int, _mtime_ns: int) -> PixelHashes:
    img = read_rgb(path)
    return PixelHashes(img.shape, pixels_sha256(img), pixels_sha256(_mod12(img)))


def image_record(path: Path) -> dict:
    """Manifest entry for one HR file."""
    hashes = pixel_hashes(path)
    return {
        "file": path.name,
        "sha256": sha256_bytes(read_bytes(path)),
        "shape": list(hashes.shape),
        "pixels_sha256": hashes.pixels,
        "pixels_mod12_sha256": hashes.pixels_mod12,
    }


def build_manifest(ds: Dataset, source: str = "") -> dict:
    """Manifest of a (trusted) local copy: to be committed under datasets/manifests/."""
    return {
        "dataset": ds.name,
        "source": source,
        "n_images": len(ds.images),
        "images": {stem: image_record(p) for stem, p in ds.images.items()},
    }


def manifest_path(name: str) -> Path:
    return paths.manifests_dir() / f"{canonical_name(name)}.json"


def load_manifest(name: str) -> dict | None:
    path = manifest_path(name)
    return json.loads(path.read_text()) if path.is_file() else None


def _matches(entry: dict, path: Path, layout: str) -> bool:
    if layout == "plain" and sha256_bytes(read_bytes(path)) == entry["sha256"]:
        return True
    hashes = pixel_hashes(path)
    if layout == "basicsr":
        return hashes.pixels_mod12 == entry["pixels_mod12_sha256"]
    return hashes.pixels == entry["pixels_sha256"]


def verify_dataset(ds: Dataset) -> ManifestReport:
    """Compare a local copy with its committed manifest, naming every differing file."""
    manifest = load_manifest(ds.name)
    if manifest is None:
        return ManifestReport("unverified")
    expected: dict[str, dict] = manifest["images"]
    report = ManifestReport("verified", manifest=str(manifest_path(ds.name).name))
    report.missing = sorted(set(expected) - set(ds.images))
    report.extra = sorted(set(ds.images) - set(expected))
    for stem in sorted(set(expected) & set(ds.images)):
        path = ds.images[stem]
        try:
            ok = _matches(expected[stem], path, ds.layout)
        except DatasetError as exc:
            ok = False
            report.unreadable.append(str(exc))
        if not ok:
            report.modified.append(path.name)
    if report.modified or report.extra:
        report.status = "modified"
    elif report.missing:
        report.status = "incomplete"
    return report


def check_dataset(ds: Dataset, allow_modified: bool = False) -> ManifestReport:
    """Verify and raise a DatasetError for a missing or altered image unless allowed."""
    report = verify_dataset(ds)
    if report.status in ("modified", "incomplete") and not allow_modified:
        raise DatasetError(
            f"{ds.name} at {ds.hr_dir} does not match datasets/manifests/{ds.name}.json — "
            f"{report.describe()}. Restore the original benchmark files, or pass "
            "--allow-modified-data to score this copy anyway (the status is recorded in results)."
        )
    return report
