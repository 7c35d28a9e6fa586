"""CARN-M (Ahn et al., ECCV 2018) at ×2/×3/×4, all from nmhkahn/CARN-pytorch ``carn_m.pth``.

The published file is one multi-scale model (shared body, ×2/×3/×4 upsampling branches, trained
with ``--scale 0``, group 4); the three ids share it and differ only in the branch ``forward``
uses. Input is RGB in [0, 1] (``sample.py`` multiplies the output by 255 to save it); the DIV2K
mean (0.4488, 0.4371, 0.4040) is subtracted and added back inside the network. Trained on DIV2K
(the repository README).
"""

from __future__ import annotations

from suite.models.spec import Family, ModelSpec, github_checkpoint

_FAMILY = Family(
    "CARN",
    "carn_m",
    "Fast, Accurate, and Lightweight Super-Resolution with Cascading Residual Network",
    "ECCV 2018",
    input_range=1.0,
    default_profile="matlab",
    training_data="DIV2K",
)

CHECKPOINT = github_checkpoint(
    "nmhkahn/CARN-pytorch",
    "master",
    "checkpoint/carn_m.pth",
    commit="40d3514f81cccd680d846cd5ab07af35f2c8e0e2",
    sha256="d48a759a84509351facb6b7c6d5bd6edec98b98519b8c464ee4ab44d2ba964ff",
    size=1670695,
    subdir="carn",
)
_SHARED_NOTE = "One multi-scale checkpoint shared by CARN_M_x2/x3/x4; the scale picks the branch."

SPECS: list[ModelSpec] = [
    _FAMILY.model(f"CARN_M_x{s}", s, {"scale": s}, CHECKPOINT, note=_SHARED_NOTE) for s in (2, 3, 4)
]
