"""The evaluation result schema (``sr-suite/eval/1``) as typed records.

These are the JSON objects ``suite eval --json`` prints, ``suite.evaluate`` returns and
``<results>/<model>/<run>__<profile>.json`` holds. Plain dicts at run time; the types document
the keys and let a type checker follow them.
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


class CheckpointRecord(TypedDict):
    """The weight file a result came from."""

    file: str
    sha256: str
    url: str | None


class ManifestRecord(TypedDict):
    """How the local copy of a set compared with its manifest."""

    status: str  # verified | modified | incomplete | unverified
    missing: list[str]
    modified: list[str]
    extra: list[str]
    manifest: str | None


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
    psnr: float
    ssim: float
    n_images: int
    per_image: list[ImageScore]
    checkpoint: CheckpointRecord
    data: DataRecord
    env: dict[str, Any]
    elapsed_s: float
    timestamp: str
    run_key: dict[str, Any]
