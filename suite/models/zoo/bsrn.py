"""BSRN, the NTIRE 2022 efficient-SR challenge entry of team 18 (XPixel), ×4.

From ofsoundof/NTIRE2022_ESR ``model_zoo/team18_bsrn.pth`` (wrapped as ``{"params": ...}``),
built as in that repository's ``test_demo.py``: 48 channels, 5 blocks, BSConvU convs. The
challenge script feeds it RGB in [0, 1] (``data_range = 1.0``) and scores RGB PSNR.
"""

from __future__ import annotations

from suite.models.spec import CheckpointSpec, ModelSpec

_REPO = "ofsoundof/NTIRE2022_ESR"

SPECS: list[ModelSpec] = [
    ModelSpec(
        id="NTIRE22_BSRN",
        family="BSRN",
        arch="bsrn_ntire22",
        scale=4,
        arch_kwargs={"channels": 48, "n_blocks": 5, "scale": 4},
        checkpoint=CheckpointSpec(
            filename="team18_bsrn.pth",
            url=f"https://github.com/{_REPO}/raw/main/model_zoo/team18_bsrn.pth",
            sha256="29ac393975ec709912282da97765daf722d9efd40589f4abcb95b3a407f62e40",
            size=699603,
            subdir="ntire2022_esr",
            repo=_REPO,
            commit="e95ba4a4916bb13d6348f7ee172827e2452e8a31",
            repo_path="model_zoo/team18_bsrn.pth",
        ),
        paper="Blueprint Separable Residual Network for Efficient Image Super-Resolution",
        venue="NTIRE 2022 ESR challenge (CVPRW 2022), team 18",
        input_range=1.0,
        default_profile="basicsr",
        note="Challenge version: 1×1 convs stored as nn.Linear; not the layout of xiaom233/BSRN.",
    )
]
