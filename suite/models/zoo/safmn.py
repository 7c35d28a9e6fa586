"""SAFMN (ICCV 2023): the paper's efficient-SR models and the NTIRE 2023 ESR entry.

The ×2/×3/×4 paper models (36 channels, 8 blocks, trained on DF2K) are published only in the
authors' Google Drive / Baidu folders linked from the sunny2109/SAFMN README ("BI-Efficient SR");
the file names are those of the authors' test options (``SAFMN_DF2K_x{s}.pth``). They cannot be
fetched automatically, so no sha256 or size is recorded. The NTIRE 2023 entry (team 15) is
committed to the repository and runs; its configuration (36 channels, 8 blocks, ffn 2.0) is the
one in the challenge ``test_demo.py`` and matches the checkpoint shapes. RGB in [0, 1].
"""

from __future__ import annotations

from suite.models.spec import CheckpointSpec, Family, ModelSpec, github_checkpoint

_REPO = "sunny2109/SAFMN"
_FAMILY = Family(
    "SAFMN",
    "safmn",
    "Spatially-Adaptive Feature Modulation for Efficient Image Super-Resolution",
    "ICCV 2023",
    input_range=1.0,
    default_profile="basicsr",
    training_data="DF2K",
)
# "BI-Efficient SR" model zoo of the README (Google Drive; Baidu mirror with code SAFM).
_DRIVE = "https://drive.google.com/drive/folders/12O_xgwfgc76DsYbiClYnl6ErCDrsi_S9?usp=share_link"
_DRIVE_NOTE = (
    "Hosted in the authors' Google Drive folder (Baidu mirror https://pan.baidu.com/s/"
    "1mKXahFifHaF14pc1pBWFOg, code SAFM); download it by hand and place it in the checkpoint "
    "folder. sha256 unknown."
)


def _paper_spec(scale: int) -> ModelSpec:
    checkpoint = CheckpointSpec(
        f"SAFMN_DF2K_x{scale}.pth",
        _DRIVE,
        subdir="safmn",
        repo=_REPO,
        published=True,
        direct=False,
        note=_DRIVE_NOTE,
    )
    kwargs = {"dim": 36, "n_blocks": 8, "ffn_scale": 2.0, "scale": scale}
    return _FAMILY.model(f"SAFMN_x{scale}", scale, kwargs, checkpoint)


_NTIRE23 = _FAMILY.model(
    "SAFMN_NTIRE23_x4",
    4,
    {"dim": 36, "n_blocks": 8, "ffn_scale": 2.0, "scale": 4},
    github_checkpoint(
        _REPO,
        "main",
        "NTIRE2023_ESR/model_zoo/team15_SAFMN.pth",
        commit="68c2182e4f8829a979886b0a1cab8f269f91b321",
        sha256="93fe3d7175ef1446cfcb3a884ddf8bbb4391f31190e9d1bf6c6c1cb768f8b565",
        size=971051,
        subdir="safmn",
    ),
    arch="safmn_ntire23",
    venue="NTIRE 2023 ESR challenge (CVPRW 2023), team 15",
    training_data="",  # not stated in the repository
    note=(
        "Challenge variant: GRN after the embedding, no LayerNorm, bias-free blocks, pooling one "
        "octave deeper, bilinear global residual. Training data not stated in the repository."
    ),
)

SPECS: list[ModelSpec] = [*(_paper_spec(s) for s in (2, 3, 4)), _NTIRE23]
