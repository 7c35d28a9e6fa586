"""Benchmark sets: their names, where they are found under a data root, and how they are obtained.

Two layouts are understood:
- ``plain``: ``<root>/<Set>/*.png`` — original HR images (as in ``shared/datasets``);
- ``basicsr``: ``<root>/<Set>/GTmod12/*.png`` (+ ``LRbicxN/``, ``original/``), BasicSR's layout.

A known set absent from the data root is downloaded into ``<root>/<Set>``
(:func:`download_dataset`) from what its manifest (``datasets/manifests/<Set>.json``) records:
per image the public GitHub repository, commit and path it is published at, its size and sha256
(DIV2K_val: one official archive, which has no published hash). A set whose terms restrict
redistribution (Manga109) is downloaded only once the user accepts them. A folder of the user's
own HR images is a set too (:func:`folder_dataset`), never verified. Whether a copy is the
published one is :mod:`suite.data.manifests`' job.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from tqdm import tqdm

from suite import paths
from suite.data import fetch
from suite.data.imageio import IMAGE_SUFFIXES
from suite.errors import DatasetError, warn
from suite.files import atomic_write_text

# canonical name -> folder names seen in the wild
DATASETS: dict[str, tuple[str, ...]] = {
    "Set5": ("Set5",),
    "Set14": ("Set14",),
    "B100": ("B100", "BSDS100", "BSD100"),
    "Urban100": ("Urban100",),
    "Manga109": ("Manga109",),
    "DIV2K_val": ("DIV2K_val", "DIV2K_valid_HR", "DIV2K_valid"),
}

# What an archive download records beside the images it unpacked: the archive's URL and sha256.
# the five sets of the efficient-SR tables: what a reproduction measures unless told otherwise
BENCHMARKS: tuple[str, ...] = ("Set5", "Set14", "B100", "Urban100", "Manga109")
ARCHIVE_RECORD = "download.json"


@dataclass
class Dataset:
    """A benchmark set found on disk.

    ``registered`` is False for a user's own folder (``--dataset PATH``): it has no manifest, so
    it is never verified, and results say so.
    """

    name: str
    folder: Path
    layout: str  # "plain" | "basicsr"
    hr_dir: Path
    images: dict[str, Path]  # stem -> HR file, sorted by stem
    registered: bool = True


def dataset_order(name: str) -> int:
    """Paper column order: Set5, Set14, B100, Urban100, Manga109, DIV2K_val, then the rest."""
    order = list(DATASETS)
    return order.index(name) if name in order else len(order)


def _lookup(name: str) -> str | None:
    """The canonical name of a known set or alias (any case); None for another name."""
    low = name.lower()
    for canon, aliases in DATASETS.items():
        if low == canon.lower() or low in (a.lower() for a in aliases):
            return canon
    return None


def canonical_name(name: str) -> str:
    """Map any known alias (BSDS100, bsd100, set5…) to the canonical set name."""
    canon = _lookup(name)
    if canon is None:
        raise DatasetError(
            f"unknown dataset {name!r}; known: {', '.join(DATASETS)}. A folder of your own HR "
            f"images is given by its path (e.g. ./{name})"
        )
    return canon


# --------------------------------------------------------------------------- on disk


def list_images(folder: Path) -> dict[str, Path]:
    """Image files by stem. Broken links are kept (reading them names the problem); two files
    for one stem (``x.png`` and ``x.bmp``) are refused, since results name images by stem."""
    by_stem: dict[str, list[Path]] = {}
    for p in sorted(folder.iterdir(), key=lambda p: (p.stem, p.name)):
        if p.suffix.lower() in IMAGE_SUFFIXES and (p.is_file() or p.is_symlink()):  # no folders
            by_stem.setdefault(p.stem, []).append(p)
    clashes = [" and ".join(p.name for p in same) for same in by_stem.values() if len(same) > 1]
    if clashes:
        raise DatasetError(
            f"{folder}: two files for one image ({'; '.join(clashes)}); results and manifests "
            "name images by file stem, so keep one of each and move the other out of the folder"
        )
    return {stem: same[0] for stem, same in by_stem.items()}


def _scan(name: str, folder: Path, registered: bool = True) -> Dataset | None:
    """The set in ``folder`` (its ``GTmod12/``, ``HR/`` or ``original/`` subfolder, else the
    folder itself); None when it holds no images."""
    for sub, layout in (("GTmod12", "basicsr"), ("HR", "plain"), ("original", "plain")):
        if (folder / sub).is_dir():
            images = list_images(folder / sub)
            if images:
                return Dataset(name, folder, layout, folder / sub, images, registered)
    images = list_images(folder)
    return Dataset(name, folder, "plain", folder, images, registered) if images else None


def _candidates(root: Path, name: str) -> list[Path]:
    out = []
    for alias in DATASETS[name]:
        out += [root / alias, root / "Benchmark" / alias, root / "benchmark" / alias]
    return out


def find_dataset(name: str, data_root: str | Path | None = None) -> Dataset | None:
    """Locate a benchmark set under the data root; None when it is absent."""
    name = canonical_name(name)
    root = paths.data_root(data_root)
    for folder in _candidates(root, name):
        if folder.is_dir() and (ds := _scan(name, folder)) is not None:
            return ds
    return None


def searched_locations(name: str, data_root: str | Path | None = None) -> list[Path]:
    """Folders :func:`find_dataset` looks in (for error messages)."""
    return _candidates(paths.data_root(data_root), canonical_name(name))


def folder_dataset(path: str | os.PathLike) -> Dataset:
    """A folder of the user's own HR images as an unverified set named after the folder.

    A folder named like a known set (``…/Set5``, ``…/BSD100``) *is* that set: it takes the
    canonical name and is verified against its manifest like any copy, so a folder can never
    publish numbers under a benchmark's name without being that benchmark."""
    folder = Path(path).expanduser()
    known = ", ".join(DATASETS)
    if not folder.exists():
        raise DatasetError(
            f"dataset folder {folder} does not exist; give the path of a folder of HR images, "
            f"or the name of a known set ({known})"
        )
    if not folder.is_dir():
        raise DatasetError(
            f"dataset path {folder} is a file, not a folder; give the folder that holds the HR "
            f"images (e.g. {folder.parent})"
        )
    name = dataset_name(folder)
    ds = _scan(name, folder, registered=_lookup(name) is not None)
    if ds is None:
        raise DatasetError(
            f"dataset folder {folder} holds no images ({' '.join(IMAGE_SUFFIXES)}), neither "
            "directly nor in a GTmod12/, HR/ or original/ subfolder; put the HR images there, "
            "or give the folder that holds them"
        )
    return ds


def dataset_name(name_or_path: str | os.PathLike) -> str:
    """The name results of this set carry, known before anything is read or downloaded: a
    known set's canonical name, else the folder's own name (refused if unsafe for a file)."""
    if not _is_path(name_or_path):
        return canonical_name(str(name_or_path))
    folder = Path(name_or_path).expanduser()
    name = paths.safe_name(folder.resolve().name, f"dataset folder {folder}: its name")
    return _lookup(name) or name


def _is_path(name_or_path: str | os.PathLike) -> bool:
    """Whether a ``--dataset`` value means a folder (a path, or not a known set name but an
    existing path) rather than a known set."""
    if isinstance(name_or_path, os.PathLike):
        return True
    text = str(name_or_path)
    if "/" in text or os.sep in text or text.startswith(("~", ".")):
        return True
    return _lookup(text) is None and Path(text).exists()


# --------------------------------------------------------------------------- registration


def manifest_path(name: str) -> Path:
    """The manifest of a known set: ``<manifests dir>/<Set>.json``."""
    return paths.manifests_dir() / f"{canonical_name(name)}.json"


def load_manifest(name: str) -> dict | None:
    """A known set's manifest, or None when the suite has none for it."""
    path = manifest_path(name)
    return json.loads(path.read_text()) if path.is_file() else None


@dataclass(frozen=True)
class Registration:
    """How a known set is obtained, as its manifest records it."""

    name: str
    manifest: Path
    files: dict[str, fetch.Remote] = field(default_factory=dict)  # file name -> where published
    archive: fetch.Remote | None = None  # one archive holding the whole set (DIV2K_val)
    archive_folder: str = ""  # the archive's folder of HR images
    terms: str | None = None  # terms a user must accept before the suite downloads the set

    @property
    def archive_name(self) -> str:
        return PurePosixPath(urlsplit(self.archive.url).path).name if self.archive else ""


def registration(name: str) -> Registration:
    """Where each file of a known set is published (nothing when it has no manifest)."""
    name = canonical_name(name)
    manifest = load_manifest(name) or {}
    files = {
        entry["file"]: fetch.Remote(
            fetch.github_raw_url(entry["repo"], entry["commit"], entry["path"]),
            entry.get("sha256"),
            entry.get("bytes"),
        )
        for entry in manifest.get("images", {}).values()
        if entry.get("repo")
    }
    archive = manifest.get("archive") or {}
    return Registration(
        name=name,
        manifest=manifest_path(name),
        files=files,
        archive=fetch.Remote(archive["url"], archive.get("sha256")) if archive else None,
        archive_folder=archive.get("folder", ""),
        terms=manifest.get("terms"),
    )


# --------------------------------------------------------------------------- download


def _download_failed(
    reg: Registration, root: Path, what: str, exc: fetch.DownloadError
) -> DatasetError:
    return DatasetError(
        f"could not download {reg.name} {what} from {exc.source}: {exc.reason}. Nothing was "
        f"saved in {root}. Fix: retry `suite datasets --download {reg.name}`; or fetch every "
        f"file from a lab mirror with --mirror URL / {paths.ENV_MIRROR} (serving "
        f"<mirror>/<host>/<path> of each URL); or put the set's HR images in {root / reg.name} "
        "yourself."
    )


def _terms_error(reg: Registration, root: Path) -> DatasetError:
    return DatasetError(
        f"{reg.name} is downloaded only once you accept its terms: {reg.terms.rstrip('.')}. "
        f"Fix: if you accept them, run `suite datasets --download {reg.name} --accept-terms "
        f"{reg.name}`; or put your own copy in {root / reg.name} (it is checked against "
        f"{reg.manifest.name})."
    )


def _download_files(reg: Registration, root: Path, progress: bool, mirror: str | None) -> None:
    """Fetch the registered files the set's copy lacks (all of them when it is absent) into a
    staging folder, then move them in: a failure leaves the data root as it was."""
    with fetch.staging(root / reg.name) as part:
        found = find_dataset(reg.name, root)  # another process may have finished it meanwhile
        if found is not None and found.layout != "plain":
            return  # a BasicSR copy is the user's: not completed with original files
        have = set(found.images) if found is not None else set()
        missing = {f: r for f, r in reg.files.items() if PurePosixPath(f).stem not in have}
        staged = part / reg.name
        bar = tqdm(missing.items(), desc=reg.name, unit="file", disable=None if progress else True)
        with bar:
            for file, remote in bar:
                try:
                    fetch.fetch(remote, staged, file, progress=False, mirror=mirror)
                except fetch.DownloadError as exc:
                    raise _download_failed(reg, root, f"image {file}", exc) from None
        if missing:
            fetch.install(staged, found.hr_dir if found is not None else root / reg.name)


def _download_archive(reg: Registration, root: Path, progress: bool, mirror: str | None) -> None:
    """Fetch and unpack the set's archive; with no published hash, its sha256 is recorded
    beside the images (:data:`ARCHIVE_RECORD`) and printed."""
    assert reg.archive is not None
    with fetch.staging(root / reg.name) as part:
        if find_dataset(reg.name, root) is not None:
            return
        try:
            got = fetch.fetch(reg.archive, part, reg.archive_name, progress, mirror)
            images = fetch.unzip(got, part / "unpacked") / reg.archive_folder
        except fetch.DownloadError as exc:
            raise _download_failed(reg, root, f"archive {reg.archive_name}", exc) from None
        if not images.is_dir() or _scan(reg.name, images) is None:
            raise DatasetError(
                f"the {reg.name} archive {reg.archive.url} holds no images under "
                f"{reg.archive_folder}/ (as {reg.manifest.name} records); nothing was saved in "
                f"{root}. Fix: check the archive, or put the set's HR images in "
                f"{root / reg.name} yourself."
            )
        record = {
            "url": reg.archive.url,
            "downloaded_from": got.url,
            "sha256": got.sha256,
            "bytes": got.path.stat().st_size,
            "recorded": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        atomic_write_text(images / ARCHIVE_RECORD, json.dumps(record, indent=2) + "\n")
        dest = fetch.install(images, root / reg.name)
    if reg.archive.sha256 is None:
        warn(
            f"{reg.name}: the archive {reg.archive_name} has no published sha256 to check it "
            f"against; its sha256 is {got.sha256} (recorded in {dest / ARCHIVE_RECORD}); "
            "its images are not verified"
        )


def download_dataset(
    name: str,
    data_root: str | Path | None = None,
    progress: bool = True,
    mirror: str | None = None,
    accept_terms: bool = False,
) -> Dataset:
    """Download a known set into ``<root>/<Set>``, each file checked against its manifest (size
    and sha256), from its upstream URLs or ``mirror`` (> ``SUITE_MIRROR``); return it.

    A copy already there is completed with the files it lacks (plain layout) or left as it is.
    A set with terms (Manga109) needs ``accept_terms``. A failure is a DatasetError naming the
    file, the URL and the fix, and leaves the data root as it was.
    """
    reg = registration(name)
    root = paths.data_root(data_root)
    if reg.terms and not accept_terms:
        raise _terms_error(reg, root)
    if reg.archive is not None:
        _download_archive(reg, root, progress, mirror)
    elif reg.files:
        _download_files(reg, root, progress, mirror)
    else:
        raise DatasetError(
            f"{reg.name} cannot be downloaded: {reg.manifest} records no source for its images "
            "(repository, commit and path, or an archive URL). Fix: put its HR images in "
            f"{root / reg.name}, or point --data-root / SUITE_DATA_ROOT at a folder holding it."
        )
    ds = find_dataset(reg.name, root)
    assert ds is not None, f"{reg.name} was downloaded into {root} but is not found there"
    return ds


def require_dataset(
    name_or_path: str | os.PathLike,
    data_root: str | Path | None = None,
    download: bool = True,
    progress: bool = True,
    mirror: str | None = None,
) -> Dataset:
    """The set to evaluate: a known set under the data root, downloaded there (verified against
    its manifest) when it is absent and downloads are allowed; or, for a path, the folder's own
    HR images (:func:`folder_dataset`, unverified). Otherwise a DatasetError says where it
    looked and how to get the set."""
    if _is_path(name_or_path):
        return folder_dataset(name_or_path)
    name = canonical_name(str(name_or_path))
    ds = find_dataset(name, data_root)
    if ds is not None:
        return ds
    root = paths.data_root(data_root)
    where = ", ".join(str(p) for p in searched_locations(name, data_root))
    if not download or paths.offline():
        off = f"{paths.ENV_OFFLINE} is set" if download else "--offline / download=False"
        raise DatasetError(
            f"dataset {name} not found (looked in {where}) and downloads are off ({off}). "
            f"Fix: `suite datasets --download {name}` (from a lab mirror: add --mirror URL or "
            f"set {paths.ENV_MIRROR}), or put its HR images in {root / name}, or point "
            "--data-root / SUITE_DATA_ROOT at the folder that contains it."
        )
    try:
        return download_dataset(name, data_root, progress, mirror)
    except DatasetError as exc:
        raise DatasetError(f"dataset {name} not found (looked in {where}); {exc}") from None
