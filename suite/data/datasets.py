"""Benchmark sets on disk: their names, where they are found under a data root, their layouts.

Two layouts are understood:
- ``plain``: ``<root>/<Set>/*.png`` — original HR images (as in ``shared/datasets``);
- ``basicsr``: ``<root>/<Set>/GTmod12/*.png`` (+ ``LRbicxN/``, ``original/``), BasicSR's layout.
Whether a copy is the published one is :mod:`suite.data.manifests`' job.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from suite import paths
from suite.data.imageio import IMAGE_SUFFIXES
from suite.errors import DatasetError

# canonical name -> folder names seen in the wild
DATASETS: dict[str, tuple[str, ...]] = {
    "Set5": ("Set5",),
    "Set14": ("Set14",),
    "B100": ("B100", "BSDS100", "BSD100"),
    "Urban100": ("Urban100",),
    "Manga109": ("Manga109",),
}


@dataclass
class Dataset:
    """A benchmark set found on disk."""

    name: str
    folder: Path
    layout: str  # "plain" | "basicsr"
    hr_dir: Path
    images: dict[str, Path]  # stem -> HR file, sorted by stem


def dataset_order(name: str) -> int:
    """Paper column order: Set5, Set14, B100, Urban100, Manga109, then anything else."""
    order = list(DATASETS)
    return order.index(name) if name in order else len(order)


def canonical_name(name: str) -> str:
    """Map any known alias (BSDS100, bsd100, set5…) to the canonical set name."""
    low = name.lower()
    for canon, aliases in DATASETS.items():
        if low == canon.lower() or low in (a.lower() for a in aliases):
            return canon
    raise DatasetError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}")


def _list_images(folder: Path) -> dict[str, Path]:
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
        if not folder.is_dir():
            continue
        for sub, layout in (("GTmod12", "basicsr"), ("HR", "plain"), ("original", "plain")):
            if (folder / sub).is_dir():
                images = _list_images(folder / sub)
                if images:
                    return Dataset(name, folder, layout, folder / sub, images)
        images = _list_images(folder)
        if images:
            return Dataset(name, folder, "plain", folder, images)
    return None


def searched_locations(name: str, data_root: str | Path | None = None) -> list[Path]:
    """Folders :func:`find_dataset` looks in (for error messages)."""
    return _candidates(paths.data_root(data_root), canonical_name(name))


def require_dataset(name: str, data_root: str | Path | None = None) -> Dataset:
    """Like :func:`find_dataset` but raise a DatasetError that says where it looked."""
    ds = find_dataset(name, data_root)
    if ds is None:
        where = ", ".join(str(p) for p in searched_locations(name, data_root))
        raise DatasetError(
            f"dataset {name} not found (looked in {where}). Put its HR images there, or point "
            "--data-root / SUITE_DATA_ROOT at the folder that contains it."
        )
    return ds
