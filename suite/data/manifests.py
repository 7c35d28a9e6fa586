"""Manifests: the sha256 of every published benchmark image, so a copy can be verified.

``datasets/manifests/<Set>.json`` (shipped with the suite) hold, per image, the sha256 and size
of the file and the sha256 of its decoded pixels (full and cropped to a multiple of 12), so a
re-encoded copy still verifies, a BasicSR ``GTmod12`` copy verifies against the cropped pixels,
and an altered or missing image is named. Each image also records where it is published (its
GitHub ``repo``, ``commit`` and ``path``: what :mod:`suite.data.datasets` downloads from),
taken from a provenance file by :func:`build_manifest`; a set known only by the hashes of its
files (Manga109) gets a manifest from them alone (:func:`manifest_from_hashes`).
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np

from suite.data.datasets import Dataset, canonical_name, load_manifest, manifest_path
from suite.data.imageio import read_bytes, read_rgb, stat_image
from suite.errors import DatasetError

__all__ = [
    "ManifestReport",
    "PixelHashes",
    "build_manifest",
    "check_dataset",
    "image_record",
    "load_manifest",
    "load_provenance",
    "manifest_from_hashes",
    "manifest_path",
    "pixel_hashes",
    "pixels_sha256",
    "sha256_bytes",
    "verify_dataset",
]

# where an image is published, as a provenance file and the manifests record it
PROVENANCE_FIELDS = ("repo", "commit", "path")


@dataclass
class ManifestReport:
    """How a local copy compares with the committed manifest."""

    status: str  # "verified" | "modified" | "incomplete" | "unverified"
    missing: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    manifest: str | None = None
    unreadable: list[str] = field(default_factory=list)  # why each unreadable file failed
    unchecked: list[str] = field(default_factory=list)  # files the manifest has no hash for

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "missing": self.missing,
            "modified": self.modified,
            "extra": self.extra,
            "manifest": self.manifest,
            "unreadable": self.unreadable,
            "unchecked": self.unchecked,
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
        if self.unchecked:
            parts.append(f"no published hash to check {len(self.unchecked)} file(s) against")
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
    data = read_bytes(path)
    return {
        "file": path.name,
        "sha256": sha256_bytes(data),
        "bytes": len(data),
        "shape": list(hashes.shape),
        "pixels_sha256": hashes.pixels,
        "pixels_mod12_sha256": hashes.pixels_mod12,
    }


def load_provenance(path: str | Path) -> dict[str, dict[str, dict]]:
    """Where each benchmark file was published, by set and file name: from ``shared/MANIFEST.json``
    (``datasets/<Set>/<file>`` -> entry) or from a hash list ``{"dataset": …, "files": {file:
    entry}}`` (``shared/reference/manga109_sha256.json``). Entries hold ``sha256``, ``bytes``,
    ``repo``, ``commit`` and ``path``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DatasetError(f"cannot read the provenance file {path}: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("files"), dict) and "dataset" in data:
        return {canonical_name(data["dataset"]): data["files"]}
    out: dict[str, dict[str, dict]] = {}
    for key, entry in data.items() if isinstance(data, dict) else ():
        parts = PurePosixPath(key).parts
        if len(parts) == 3 and parts[0] == "datasets":
            out.setdefault(canonical_name(parts[1]), {})[parts[2]] = entry
    if not out:
        raise DatasetError(
            f"{path} is not a provenance file: it lists no datasets/<Set>/<file> entries and is "
            'not a {"dataset": …, "files": {…}} hash list'
        )
    return out


def _published(record: dict, origin: dict | None, where: str) -> dict:
    """``record`` with where its file is published (``origin``: a provenance entry), after
    checking that the provenance describes these very bytes."""
    if origin is None:
        raise DatasetError(f"{where}: the provenance file has no entry for it")
    if origin.get("sha256") != record["sha256"]:
        raise DatasetError(
            f"{where}: the provenance file records sha256 {origin.get('sha256')}, the local copy "
            f"has {record['sha256']}; use the copy the provenance file describes"
        )
    return {**record, **{key: origin[key] for key in PROVENANCE_FIELDS}}


def build_manifest(
    ds: Dataset, source: str = "", provenance: dict[str, dict] | None = None
) -> dict:
    """Manifest of a (trusted) local copy: to be committed under datasets/manifests/. With
    ``provenance`` (file name -> entry, see :func:`load_provenance`), every image also records
    where it is published."""
    images = {stem: image_record(p) for stem, p in ds.images.items()}
    if provenance is not None:
        images = {
            stem: _published(record, provenance.get(record["file"]), f"{ds.name}/{record['file']}")
            for stem, record in images.items()
        }
    return {"dataset": ds.name, "source": source, "n_images": len(images), "images": images}


def manifest_from_hashes(name: str, files: dict[str, dict], source: str = "") -> dict:
    """Manifest of a set known only from the provenance of its files (no local copy): byte
    sha256, size and origin per image, no pixel hashes, so only unaltered files verify."""
    images = {
        PurePosixPath(file).stem: {
            "file": file,
            "sha256": entry["sha256"],
            "bytes": entry["bytes"],
            **{key: entry[key] for key in PROVENANCE_FIELDS},
        }
        for file, entry in sorted(files.items(), key=lambda item: PurePosixPath(item[0]).stem)
    }
    return {"dataset": name, "source": source, "n_images": len(images), "images": images}


def _matches(entry: dict, path: Path, layout: str) -> bool | None:
    """Whether the file is the published one; None when the manifest has no hash to tell (a
    registration listing only the names, or no pixel hashes for a BasicSR copy)."""
    plain_sha = layout == "plain" and "sha256" in entry
    if plain_sha and sha256_bytes(read_bytes(path)) == entry["sha256"]:
        return True
    key = "pixels_mod12_sha256" if layout == "basicsr" else "pixels_sha256"
    if key not in entry:
        return False if plain_sha else None
    hashes = pixel_hashes(path)
    return (hashes.pixels_mod12 if layout == "basicsr" else hashes.pixels) == entry[key]


def verify_dataset(ds: Dataset) -> ManifestReport:
    """Compare a local copy with its committed manifest, naming every differing file. A user's
    own folder, or a set without manifest, is "unverified"; so is a copy whose files the
    manifest holds no hash for (DIV2K_val)."""
    manifest = load_manifest(ds.name) if ds.registered else None
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
        if ok is None:
            report.unchecked.append(path.name)
        elif not ok:
            report.modified.append(path.name)
    if report.modified or report.extra:
        report.status = "modified"
    elif report.missing:
        report.status = "incomplete"
    elif report.unchecked:
        report.status = "unverified"
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
