"""Arbitrary-scale implicit models with the EDSR-baseline encoder: LIIF, LTE, LM-LIIF, LM-LTE.

All four were trained on the 800 DIV2K training images with random scales ×1–×4 and are queried
on an HR coordinate grid (:func:`suite.models.implicit.query`), so any scale works: integer
×2–×4 (in distribution), ×6, ×8 … and non-integer ones. ``scale`` here is nominal (4.0):
calling the model directly renders ×4; the runner uses :func:`suite.models.implicit.query` for
other scales. RGB in [0, 1] (the ``(x - 0.5) / 0.5`` normalisation is inside).

Checkpoints are the authors' training snapshots, ``{"model": {"name", "args", "sd"}, ...}``: the
state dict sits two levels down, under ``model`` → ``sd`` (``state_dict_key`` "model.sd").
LIIF's is a Dropbox share page and LTE's a Google Drive page (``direct=False``); the two LMF
models are committed to HeZongyao/LMF under ``save/pretrained_models/`` (README "Quick Start"),
more LMF models sit in a Google Drive folder. None was reachable from the machines here.
"""

from __future__ import annotations

from suite.models.spec import CheckpointSpec, Family, GitHubFolder, ModelSpec

_SCALE_NOTE = (
    "Arbitrary-scale model: scale 4.0 is nominal; any scale in ×2…×8 (and beyond) and non-integer "
    "scales are supported through suite.models.implicit.query."
)
_UNREACHABLE = "Not reachable from the machines here; sha256 unknown."
_LMF_COMMIT = "17e356edb6b792b293d70450d64fad4e39e1b2e4"  # README naming save/pretrained_models
_LMF_MODELS = GitHubFolder(
    "HeZongyao/LMF", "main", "save/pretrained_models", commit=_LMF_COMMIT, subdir="lmf"
)
_LMF_DRIVE = "https://drive.google.com/drive/folders/115AUj4Axh0VBmmozwxRIWqrNR5ZdWzd4"
_LMF_PAPER = "Latent Modulated Function for Computational Optimal Continuous Image Representation"
_SD_KEY = ("model.sd",)


def _share_link(filename: str, page: str, repo: str, subdir: str, note: str) -> CheckpointSpec:
    """A snapshot behind a share page (Dropbox, Drive): not fetched, so its sha256 is unknown."""
    return CheckpointSpec(
        filename,
        page,
        subdir=subdir,
        repo=repo,
        state_dict_key=_SD_KEY,
        direct=False,
        note=f"{note} {_UNREACHABLE}",
    )


def _spec(
    model_id: str,
    family: str,
    arch: str,
    checkpoint: CheckpointSpec,
    paper: str,
    venue: str,
    note: str,
) -> ModelSpec:
    family_facts = Family(
        family, arch, paper, venue, input_range=1.0, default_profile="matlab", training_data="DIV2K"
    )
    note = f"{_SCALE_NOTE} {note}"
    return family_facts.model(
        model_id, 4.0, {"default_scale": 4.0}, checkpoint, arbitrary_scale=True, note=note
    )


SPECS: list[ModelSpec] = [
    _spec(
        "LIIF_EDSR_baseline",
        "LIIF",
        "liif",
        _share_link(
            "edsr-baseline-liif.pth",
            "https://www.dropbox.com/s/6f402wcn4v83w2v/edsr-baseline-liif.pth?dl=0",
            "yinboc/liif",
            "liif",
            "Dropbox share link from the yinboc/liif README (Quick Start).",
        ),
        "Learning Continuous Image Representation with Local Implicit Image Function",
        "CVPR 2021",
        "Cells are never clipped (LIIF's test script).",
    ),
    _spec(
        "LTE_EDSR_baseline",
        "LTE",
        "lte",
        _share_link(
            "edsr-baseline-lte.pth",
            "https://drive.google.com/file/d/108-wQJOTR41JNn_2Q-5X4p07DvgrBNSB/view?usp=sharing",
            "jaewon-lee-b/lte",
            "lte",
            "Google Drive link from the jaewon-lee-b/lte README (Quick Start); file name from its "
            "test command.",
        ),
        "Local Texture Estimator for Implicit Representation Function",
        "CVPR 2022",
        "Cells of scales above ×4 are clipped to the ×4 cell (LTE's test script).",
    ),
    _spec(
        "LMF_LIIF_EDSR_baseline",
        "LMF",
        "lm_liif",
        _LMF_MODELS.file(
            "edsr-b_lm-liif.pth",
            state_dict_key=_SD_KEY,
            note=(
                "Path from the LMF README (demo/test commands); the file itself (and the branch "
                f"name 'main') could not be checked here. Also in {_LMF_DRIVE}. {_UNREACHABLE}"
            ),
        ),
        _LMF_PAPER,
        "CVPR 2024",
        "LM-LIIF; CMSR (optional render skipping) not implemented. Cells above ×4 clipped.",
    ),
    _spec(
        "LMF_LTE_EDSR_baseline",
        "LMF",
        "lm_lte",
        _LMF_MODELS.file(
            "edsr-b_lm-lte.pth",
            state_dict_key=_SD_KEY,
            note=(
                "The README says LM-LTE (EDSR-b) is in save/pretrained_models/ but names only the "
                "LM-LIIF file; this name follows that pattern and the repository's "
                "configs/cmsr/result/edsr-b_lm-lte_mse2e-5.yaml, unverified. Also in "
                f"{_LMF_DRIVE}. {_UNREACHABLE}"
            ),
        ),
        _LMF_PAPER,
        "CVPR 2024",
        "LM-LTE; CMSR (optional render skipping) not implemented. Cells above ×4 clipped.",
    ),
]
