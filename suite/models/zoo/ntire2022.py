"""NTIRE 2022 efficient-SR challenge models (×4) from ofsoundof/NTIRE2022_ESR ``model_zoo/``.

* ``NTIRE22_IMDN`` - the challenge baseline ``imdn_baseline.pth``: the simplified IMDN of the
  AIM 2019 constrained-SR winner (KAIR ``IMDBlock``: no contrast-aware attention, 64 channels,
  8 blocks, one global residual), stored as a single ``model`` Sequential. Input [0, 1].
* ``NTIRE22_RFDN`` - the AIM 2020 winner RFDN (50 channels, 4 blocks), ``rfdn_baseline.pth``.
  Input [0, 255].
* ``NTIRE22_RLFN`` - team ByteESR's RLFN (runtime-track winner), ``team04_rlfn.pth``: the same
  tensors as bytedance/RLFN's ``rlfn_ntire_x4.pth`` (``RLFN_ntire_x4``) under the challenge
  repository's key names (``fea_conv``, ``B1``…, ``LR_conv``). Input [0, 255].
* ``NTIRE22_FMEN`` - team NJU_Jet's FMEN, ``team03_fmen.pth`` (re-parameterised form).
  Input [0, 255].

Input ranges are the ``data_range`` the challenge's ``test_demo.py`` uses for each file. The
challenge scored RGB PSNR on DIV2K validation with a 4-pixel border (the ``rgb`` profile); on
the benchmark sets the entries default to ``basicsr`` (Y channel), comparable with other models.
"""

from __future__ import annotations

from typing import Any

from suite.models.spec import Family, GitHubFolder, ModelSpec
from suite.models.zoo.rlfn import NTIRE_KWARGS

_CHALLENGE = "NTIRE 2022 Challenge on Efficient Super-Resolution: Methods and Results"
_VENUE = "CVPR Workshops 2022 (NTIRE)"

# The challenge repository's model_zoo/ folder (BSRN, team 18, is registered from it as well).
_COMMIT = "e95ba4a4916bb13d6348f7ee172827e2452e8a31"
MODEL_ZOO = GitHubFolder(
    "ofsoundof/NTIRE2022_ESR", "main", "model_zoo", commit=_COMMIT, subdir="ntire2022_esr"
)

# file -> (sha256, size in bytes) of model_zoo/<file>
_FILES: dict[str, tuple[str, int]] = {
    "imdn_baseline.pth": (
        "115b4cc557eba9daaf1a6543c4858014c7e2a410655aafef7c8348ae54acc203",
        3589744,
    ),
    "rfdn_baseline.pth": (
        "11af8ec8ebd68689e90ef1e29044f9804c72d3bd9f7573820b7b26035782760c",
        1754927,
    ),
    "team03_fmen.pth": (
        "f20cde0828068c5f50d3b64aa82c8a363fe6abc8d536d1a9fd4d09899f019bea",
        1390483,
    ),
    "team04_rlfn.pth": (
        "ca81b7757708ce749ac3766589690db6c2729961d026c0137e7659924ec36622",
        1292283,
    ),
}


def _spec(
    model_id: str,
    family: str,
    arch: str,
    filename: str,
    input_range: float,
    paper: str,
    kwargs: dict[str, Any] | None = None,
    note: str = "",
) -> ModelSpec:
    entry = Family(family, arch, paper, _VENUE, input_range=input_range, default_profile="basicsr")
    checkpoint = MODEL_ZOO.file(filename, *_FILES[filename])
    return entry.model(model_id, 4, {"scale": 4, **(kwargs or {})}, checkpoint, note=note)


SPECS: list[ModelSpec] = [
    _spec(
        "NTIRE22_IMDN",
        "IMDN",
        "imdn_simple",
        "imdn_baseline.pth",
        1.0,
        f"{_CHALLENGE} (baseline: simplified IMDN, AIM 2019 winner)",
        note="Challenge baseline; the simplified IMDN without CCA, not the ACM MM 2019 IMDN.",
    ),
    _spec(
        "NTIRE22_RFDN",
        "RFDN",
        "rfdn",
        "rfdn_baseline.pth",
        255.0,
        "Residual Feature Distillation Network for Lightweight Image Super-Resolution",
        note="AIM 2020 efficient-SR winner, provided as an NTIRE 2022 baseline.",
    ),
    _spec(
        "NTIRE22_RLFN",
        "RLFN",
        "rlfn",
        "team04_rlfn.pth",
        255.0,
        "Residual Local Feature Network for Efficient Super-Resolution",
        {**NTIRE_KWARGS, "layout": "ntire"},
        note="Team ByteESR; identical weights to RLFN_ntire_x4 (rlfn_ntire_x4.pth), other keys.",
    ),
    _spec(
        "NTIRE22_FMEN",
        "FMEN",
        "fmen",
        "team03_fmen.pth",
        255.0,
        "Fast and Memory-Efficient Network Towards Efficient Image Super-Resolution",
        note="Team NJU_Jet; re-parameterised (deploy) weights.",
    ),
]
