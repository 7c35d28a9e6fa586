"""The evaluation result schema (``sr-suite/eval/1``) as typed records, and ``suite score``'s.

These are the JSON objects ``suite eval --json`` prints, ``suite.evaluate`` returns and
``<results>/<model>/<run>__<profile>.json`` holds, and the record of SR images scored by
``suite score`` (``sr-suite/score/1``, printed, not stored). Plain dicts at run time; the types
document the keys and let a type checker follow them. Fields marked "since #10" are absent from
results written earlier; readers treat a missing ``partial`` as false. Results of a
researcher's own model (family ``"user"``, since #9) add ``user_model``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from typing_extensions import NotRequired


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

    file: str | None  # None: an nn.Module handed to suite.evaluate (its sha256 is its state's)
    sha256: str
    url: str | None
    # "registry": the zoo's sha256 matched; "first-seen": see checkpoints.py; "user": your own
    # weights, recorded as they are (nothing to check them against)
    verification: str


class UserModelRecord(TypedDict):
    """Provenance of a researcher's own model (since #9): what was built and loaded."""

    reference: str  # "package.module:Class" or "/abs/path/file.py:Class" (the result's arch)
    class_name: str  # the class's qualified name
    source_file: str | None  # the file defining the class
    source_sha256: str | None  # that file's sha256 (part of the run key)
    arch_kwargs: dict[str, Any]  # the constructor's keyword arguments
    input_range: float
    state_dict_sha256: str  # the weights evaluated, wherever they came from


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


class EvalMode(TypedDict):
    """How an evaluation computed (since #11): where its PSNR/SSIM were computed ("numpy", the
    reference, or "torch" on the model's device, equal to it to ≤1e-9) and whether the network
    ran through ``torch.compile``. A mode other than the device's default (torch on a GPU, numpy
    on a CPU, not compiled) is part of the run key."""

    scoring: str
    compile: bool


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
    mode: NotRequired[EvalMode]  # since #11
    user_model: NotRequired[UserModelRecord]  # since #9: only for family "user"


class ScoredImage(TypedDict):
    """One SR image scored by ``suite score``."""

    name: str  # the HR image's stem
    file: str  # the SR image scored
    psnr: float | None
    ssim: float
    hr_shape: list[int]  # the HR crop (per the profile) it was compared with
    hr_sha256: str  # the HR file's decoded pixels, as in ImageScore
    sr_sha256: str  # the SR file's decoded pixels


class ScoreResult(TypedDict):
    """SR images made elsewhere, scored against a set's HR under a profile (``suite score``)."""

    schema: str  # "sr-suite/score/1"
    sr_dir: str
    suffix: str  # SR file stem = HR stem + suffix
    scale: float
    dataset: str
    profile: str
    profile_spec: dict[str, Any]
    psnr: float  # mean over the scored images, as in EvalResult
    ssim: float
    n_images: int
    per_image: list[ScoredImage]
    partial: bool  # some images of the set have no usable SR image: see failed
    failed: list[FailedImage]  # missing SR images, size mismatches, unreadable files
    extra: list[str]  # SR files matching no image of the set (not scored)
    data: DataRecord
    timestamp: str
