"""BSRN, the NTIRE 2022 efficient-SR challenge entry of team 18 (XPixel), ×4.

From ofsoundof/NTIRE2022_ESR ``model_zoo/team18_bsrn.pth`` (wrapped as ``{"params": ...}``),
built as in that repository's ``test_demo.py``: 48 channels, 5 blocks, BSConvU convs. The
challenge script feeds it RGB in [0, 1] (``data_range = 1.0``) and scores RGB PSNR.
"""

from __future__ import annotations

from suite.models.spec import Family, ModelSpec
from suite.models.zoo.ntire2022 import MODEL_ZOO

_FAMILY = Family(
    "BSRN",
    "bsrn_ntire22",
    "Blueprint Separable Residual Network for Efficient Image Super-Resolution",
    "NTIRE 2022 ESR challenge (CVPRW 2022), team 18",
    input_range=1.0,
    default_profile="basicsr",
)

SPECS: list[ModelSpec] = [
    _FAMILY.model(
        "NTIRE22_BSRN",
        4,
        {"channels": 48, "n_blocks": 5, "scale": 4},
        MODEL_ZOO.file(
            "team18_bsrn.pth",
            "29ac393975ec709912282da97765daf722d9efd40589f4abcb95b3a407f62e40",
            699603,
        ),
        note="Challenge version: 1×1 convs stored as nn.Linear; not the layout of xiaom233/BSRN.",
    )
]
