"""The evaluation result schema (``sr-suite/eval/1``) as typed records.

These are the JSON objects ``suite eval --json`` prints, ``suite.evaluate`` returns and
``<results>/<model>/<run>__<profile>.json`` holds. Plain dicts at run time; the types document
the keys and let a type checker follow them. Fields marked "since #10" are absent from results
written earlier; readers treat a missing ``partial`` as false.
"""

from __future__ import annotations

from typing import Any, TypedDict


class ImageScore(TypedDict):
    """One image's scores (a row of the per-image CSV)."""

    name: str
    psnr: float | None  # None: identical images (PSNR = inf has no JSON form)
    ssim: float
    hr_shape: list[int]
    lr_shape: list[int]
    hr_sha256: str  # since #10: sha256 of the HR file's decoded pixels (manifest pixels_sha256)
    lr_sha256: str  # since #10: sha256 of the LR pixels the model was given


class FailedImage(TypedDict):
    """An image of the set that could not be scored (since #10)."""

    name: str  # file stem, as in ImageScore
    file: str  # path of the HR file
    reason: str  # the one-line error: what is wrong with the file and the fix


class CheckpointRecord(TypedDict):
    """The weight file a result came from."""

    file: str
    sha256: str
    url: str | None
    verification: str  # "registry": the zoo's sha256 matched; "first-seen": see checkpoints.py


class ManifestRecord(TypedDict):
    """How the local copy of a set compared with its manifest."""

    status: str  # verified | modified | incomplete | unverified
    missing: list[str]
    modified: list[str]
    extra: list[str]
    manifest: str | None
    unreadable: list[str]  # since #10: why each unreadable file of the set failed


class DataRecord(TypedDict):
    """Where the benchmark set was read and what state it was in."""

    folder: str
    layout: str
    manifest: ManifestRecord


class EvalResult(TypedDict):
    """One model × dataset × profile evaluation."""

    schema: str
    model: str
    family: str
    arch: str
    scale: float
    dataset: str
    run_name: str
    profile: str
    profile_spec: dict[str, Any]
    psnr: float  # mean over the scored images (per_image), never over failed ones
    ssim: float
    n_images: int  # images scored (len(per_image)); the set has n_images + len(failed)
    per_image: list[ImageScore]
    # since #10: true when some images of the set could not be scored. A partial result is
    # never reused by the runner; its means are not comparable with published numbers (or a
    # baseline), so comparisons and the gate must not treat it as a normal cell.
    partial: bool
    failed: list[FailedImage]  # since #10: the images not scored, in set order ([] if complete)
    checkpoint: CheckpointRecord
    data: DataRecord
    env: dict[str, Any]
    elapsed_s: float
    timestamp: str
    run_key: dict[str, Any]
