"""Score SR images made elsewhere (a MATLAB script, another framework) against a set's HR images.

The SR images of a folder are matched to the set's HR images by file stem (plus an optional
suffix: ``baby_x4_SR.png`` for ``baby`` with ``suffix="_x4_SR"``), each HR image is cropped as
the profile says, and every pair is scored and summarised by the runner's own ``score_sr`` and
``scores_record``, so a folder written by ``suite eval --save-sr`` scores back to that
evaluation's numbers exactly. Nothing is guessed: an HR image without an SR image, an SR image
of another size than the HR crop, an unreadable file, each is reported by name (the result is
then *partial*); SR files that match no HR image are listed as ``extra`` and not scored.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from suite.data.datasets import list_images, require_dataset
from suite.data.imageio import read_rgb
from suite.data.manifests import check_dataset, pixels_sha256
from suite.errors import DatasetError, SuiteError
from suite.evaluation.runner import score_sr, scores_record
from suite.models.spec import check_scale
from suite.protocol.pairs import check_size
from suite.protocol.profiles import DEFAULT_PROFILE, PROFILES, Profile, get_profile
from suite.protocol.resize import modcrop
from suite.results.records import FailedImage, ScoredImage, ScoreResult
from suite.results.store import finite_or_none

__all__ = ["SCORE_SCHEMA", "score_folder"]

SCORE_SCHEMA = "sr-suite/score/1"


def _sr_images(sr_dir: Path) -> dict[str, Path]:
    """The image files of the SR folder by stem (two files for one stem are refused)."""
    if not sr_dir.is_dir():
        why = "is a file" if sr_dir.exists() else "does not exist"
        raise SuiteError(f"{sr_dir} {why}; give the folder that holds the SR images")
    images = list_images(sr_dir)
    if not images:
        raise DatasetError(f"{sr_dir} holds no images (.png, .bmp, .jpg, .tif); nothing to score")
    return images


def _crop_hint(hr: np.ndarray, sr: np.ndarray, scale: float) -> str:
    """Which profiles crop this HR image to the SR image's size, if any."""
    fits = sorted(
        name for name, p in PROFILES.items() if modcrop(hr, p.gt_multiple(scale)).shape == sr.shape
    )
    if fits:
        return f"; profiles that crop the HR image to that size: {', '.join(fits)} (--profile)"
    return "; was it made at another scale, or from another image?"


def _score(hr_path: Path, sr_path: Path, name: str, scale: float, profile: Profile) -> ScoredImage:
    """One SR image against its HR image, cropped per the profile (a DatasetError says why
    it cannot be scored)."""
    hr = read_rgb(hr_path)
    check_size(hr_path, hr.shape, scale, profile)
    gt = modcrop(hr, profile.gt_multiple(scale))
    sr = read_rgb(sr_path)
    if sr.shape != gt.shape:
        multiple = profile.gt_multiple(scale)
        raise DatasetError(
            f"{sr_path} is {sr.shape[1]}×{sr.shape[0]} px, but {hr_path} cropped per profile "
            f"{profile.name} (to a multiple of {multiple}) is {gt.shape[1]}×{gt.shape[0]} px"
            + _crop_hint(hr, sr, scale)
        )
    p, s = score_sr(sr, gt, profile, scale)
    return {
        "name": name,
        "file": str(sr_path),
        "psnr": finite_or_none(p),
        "ssim": float(s),
        "hr_shape": list(gt.shape),
        "hr_sha256": pixels_sha256(hr),
        "sr_sha256": pixels_sha256(sr),
    }


def score_folder(
    sr_dir: Path | str,
    dataset: str,
    scale: float,
    profile: str | Profile | None = None,
    data_root: Path | str | None = None,
    allow_modified_data: bool = False,
    suffix: str = "",
) -> ScoreResult:
    """PSNR/SSIM of the SR images in ``sr_dir`` against ``dataset``'s HR images at ``scale``
    under ``profile`` (default basicsr); the HR set is verified against its manifest first."""
    scale = check_scale(scale)
    chosen = profile or DEFAULT_PROFILE
    prof = chosen if isinstance(chosen, Profile) else get_profile(chosen)
    sr_dir = Path(sr_dir)
    ds = require_dataset(dataset, data_root)
    manifest = check_dataset(ds, allow_modified=allow_modified_data)
    sr_files = _sr_images(sr_dir)
    per_image: list[ScoredImage] = []
    failed: list[FailedImage] = []
    for name, hr_path in ds.images.items():
        sr_path = sr_files.get(f"{name}{suffix}")
        try:
            if sr_path is None:
                raise DatasetError(
                    f"{sr_dir} has no SR image for {hr_path.name} (looked for "
                    f"{name}{suffix}.png or another image type)"
                )
            per_image.append(_score(hr_path, sr_path, name, scale, prof))
        except DatasetError as exc:
            file = str(sr_path) if sr_path is not None else str(sr_dir / f"{name}{suffix}.png")
            failed.append({"name": name, "file": file, "reason": str(exc)})
    if not per_image:
        raise DatasetError(
            f"no SR image in {sr_dir} could be scored against {ds.name}: "
            + " | ".join(f["reason"] for f in failed[:3])
            + (f" | … and {len(failed) - 3} more" if len(failed) > 3 else "")
        )
    wanted = {f"{name}{suffix}" for name in ds.images}
    return {  # type: ignore[typeddict-item]
        "schema": SCORE_SCHEMA,
        "sr_dir": str(sr_dir),
        "suffix": suffix,
        "scale": scale,
        "dataset": ds.name,
        **scores_record(prof, per_image, failed),
        "extra": sorted(p.name for stem, p in sr_files.items() if stem not in wanted),
        "data": {
            "folder": str(ds.hr_dir),
            "layout": ds.layout,
            "manifest": manifest.to_dict(),  # type: ignore[typeddict-item]
        },
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
