"""RLFN and RLFN-S (Kong et al., CVPRW 2022) with the authors' checkpoints from bytedance/RLFN.

All five files take RGB in [0, 255] (the authors' ``test_demo.py`` multiplies the [0, 1] input by
255 and divides the output by 255; a Set5 check confirms it for the ×2 and RLFN-S files too). RLFN
has 52 channels, RLFN-S 48, both six blocks. ``rlfn_ntire_x4.pth`` is the NTIRE 2022 challenge
model (46 channels, 48 in the middle of each block, four blocks): the same tensors as the
challenge repository's ``team04_rlfn.pth`` (``NTIRE22_RLFN``), saved under this repository's key
names. The paper models default to the ``matlab`` profile (EDSR-framework evaluation on MATLAB
LR); the NTIRE model to ``basicsr`` (the challenge itself
scored RGB PSNR, the ``rgb`` profile, on DIV2K validation).
"""

from __future__ import annotations

from typing import Any

from suite.models.spec import Family, GitHubFolder, ModelSpec

_COMMIT = "bccfde91bf8b2de80789ec033a029e6f2a932330"
_FAMILY = Family(
    "RLFN",
    "rlfn",
    "Residual Local Feature Network for Efficient Super-Resolution",
    "CVPR Workshops 2022",
    input_range=255.0,
    default_profile="matlab",
)

# file stem -> (sha256, size in bytes) of model_zoo/<stem>.pth
_FILES: dict[str, tuple[str, int]] = {
    "rlfn_x2": ("eafe5d5feeb122022453595c06d79160facdc157ae88deb02a44c50f5eba2d41", 2145309),
    "rlfn_x4": ("8c7edb57dfc89048bafba29d591d4c27d4099964b4a9e22df23d6dc257a637c0", 2212893),
    "rlfn_s_x2": ("f5175f499f869c1b884c2552a1bcd6abd07ab352e3d8c8c9abe31b1deb60fe45", 1855005),
    "rlfn_s_x4": ("f769c5a88433786b2db0c2b24da6ca6c92a24c62344b9354a390f8a74388e89d", 1919005),
    "rlfn_ntire_x4": ("3c9be7b9d7a4bece9b68c83a56a1ffb38010f76413d5f215be6b4be842e18fb2", 1294011),
}
_MODEL_ZOO = GitHubFolder("bytedance/RLFN", "main", "model_zoo", commit=_COMMIT, subdir="rlfn")

NTIRE_KWARGS: dict[str, Any] = {"channels": 46, "mid_channels": 48, "num_blocks": 4}


def _spec(model_id: str, stem: str, scale: int, kwargs: dict[str, Any], **fields: Any) -> ModelSpec:
    checkpoint = _MODEL_ZOO.file(f"{stem}.pth", *_FILES[stem])
    return _FAMILY.model(model_id, scale, {"scale": scale, **kwargs}, checkpoint, **fields)


SPECS: list[ModelSpec] = [
    _spec("RLFN_x2", "rlfn_x2", 2, {"channels": 52}),
    _spec("RLFN_x4", "rlfn_x4", 4, {"channels": 52}),
    _spec("RLFN_S_x2", "rlfn_s_x2", 2, {"channels": 48}),
    _spec("RLFN_S_x4", "rlfn_s_x4", 4, {"channels": 48}),
    _spec(
        "RLFN_ntire_x4",
        "rlfn_ntire_x4",
        4,
        NTIRE_KWARGS,
        default_profile="basicsr",
        note="NTIRE 2022 entry; identical weights to NTIRE22_RLFN (team04_rlfn.pth), renamed keys.",
    ),
]
