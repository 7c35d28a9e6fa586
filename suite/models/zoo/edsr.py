"""EDSR-baseline (Lim et al., CVPRW 2017) at ×2/×3/×4, with the authors' EDSR-PyTorch weights.

16 residual blocks of 64 channels, residual scale 1, trained on DIV2K. The networks work on RGB in
[0, 255] (``rgb_range`` 255, DIV2K mean shift inside). The official ``.pt`` files are served by
cv.snu.ac.kr (URLs from ``src/model/edsr.py`` of sanghyun-son/EDSR-PyTorch); they are plain state
dicts. The hex part of each file name is the start of its sha256 (torch.hub convention); the full
hash is not recorded because the files could not be fetched here.
"""

from __future__ import annotations

from suite.models.spec import CheckpointSpec, Family, ModelSpec

_REPO = "sanghyun-son/EDSR-PyTorch"
_COMMIT = "3dd71ae5561c42e9ce6c03273ee5d93be88db06e"  # src/model/edsr.py, where the URLs are
_PAPER = "Enhanced Deep Residual Networks for Single Image Super-Resolution"
_BASE_URL = "https://cv.snu.ac.kr/research/EDSR/models"
_FAMILY = Family(
    "EDSR",
    "edsr",
    _PAPER,
    "CVPRW 2017",
    input_range=255.0,
    default_profile="matlab",
    training_data="DIV2K",
)

# scale -> official file name (its hex suffix is the sha256 prefix).
FILES: dict[int, str] = {
    2: "edsr_baseline_x2-1bc95232.pt",
    3: "edsr_baseline_x3-abf2a44e.pt",
    4: "edsr_baseline_x4-6b446fab.pt",
}


def _checkpoint(name: str) -> CheckpointSpec:
    sha_prefix = name.rsplit("-", 1)[1].removesuffix(".pt")
    note = (
        f"Official URL from {_REPO} src/model/edsr.py; not reachable from the machines here, so "
        f"its sha256 is unknown (it should start with {sha_prefix})."
    )
    return CheckpointSpec(
        name, f"{_BASE_URL}/{name}", subdir="edsr", repo=_REPO, commit=_COMMIT, note=note
    )


def _spec(scale: int) -> ModelSpec:
    return _FAMILY.model(
        f"EDSR_baseline_x{scale}",
        scale,
        {"scale": scale, "n_resblocks": 16, "n_feats": 64, "res_scale": 1.0},
        _checkpoint(FILES[scale]),
        note="EDSR-PyTorch tests on MATLAB-made LR and scores Y (BT.601) with a border of scale.",
    )


SPECS: list[ModelSpec] = [_spec(s) for s in (2, 3, 4)]
