"""NTIRE 2024 efficient-SR challenge entries (×4) from Amazingren/NTIRE2024_ESR ``model_zoo/``.

SAFMN++ (team 23) and SMFAN (team 24) are BasicSR checkpoints holding ``params`` and
``params_ema``; the challenge loader uses ``params_ema``, which is also the zoo's default. The
SPAN (team 38, 28 channels) and SPAN-tiny (team 39, 26 channels) files are bare state dicts of the
re-parameterised ``eval_conv`` form. All four are evaluated by the challenge script with
``data_range = 1.0``: RGB in [0, 1] (SPAN shifts by the DIV2K mean and scales by 255 inside the
network). Their published numbers are RGB PSNR on DIV2K/LSDIR (the ``rgb`` profile); on the
benchmark sets they default to ``basicsr`` (Y channel), comparable with other models.
"""

from __future__ import annotations

from typing import Any

from suite.models.spec import Family, GitHubFolder, ModelSpec

_VENUE = "NTIRE 2024 ESR challenge (CVPRW 2024)"
_COMMIT = "6404fa48dde4a4adbf241a51debdc661aef20449"
_MODEL_ZOO = GitHubFolder(
    "Amazingren/NTIRE2024_ESR", "main", "model_zoo", commit=_COMMIT, subdir="ntire2024_esr"
)


def _spec(
    model_id: str,
    arch: str,
    arch_kwargs: dict[str, Any],
    filename: str,
    sha256: str,
    size: int,
    paper: str,
    team: int,
    note: str = "",
) -> ModelSpec:
    venue = f"{_VENUE}, team {team}"
    entry = Family("NTIRE2024_ESR", arch, paper, venue, input_range=1.0, default_profile="basicsr")
    checkpoint = _MODEL_ZOO.file(filename, sha256, size)
    return entry.model(model_id, 4, {**arch_kwargs, "scale": 4}, checkpoint, note=note)


SPECS: list[ModelSpec] = [
    _spec(
        "NTIRE24_SAFMNpp",
        "safmnpp",
        {"dim": 36, "n_blocks": 6, "ffn_scale": 1.5},
        "team23_safmnpp.pth",
        "03bf96b5a50f43123d22c3a257341d536118250f7157f12d2832915be4f52685",
        1715877,
        "SAFMN++: Improved Feature Modulation Network for Efficient Image Super-Resolution",
        23,
    ),
    _spec(
        "NTIRE24_SMFAN",
        "smfan",
        {"dim": 24, "n_blocks": 8, "ffn_scale": 1.5},
        "team24_smfan.pth",
        "e1e3395edd90cab47c66eaac3c86dac600bda10a9fb6395aa4e55311533b403e",
        787113,
        "SMFAN: A Lightweight Self-Modulation Feature Aggregation Network for Efficient Image "
        "Super-Resolution",
        24,
    ),
    _spec(
        "NTIRE24_SPAN",
        "span",
        {"channels": 28},
        "team38_span_ch28_slim.pth",
        "6c80f05048313289c6526e5fc9726688d7bb3dfdd6ae3c8b1e7dd09f601e5971",
        618658,
        "Swift Parameter-free Attention Network for Efficient Super-Resolution",
        38,
        note="Challenge winner per the SPAN README. Inference (eval_conv) form only.",
    ),
    _spec(
        "NTIRE24_SPAN_tiny",
        "span",
        {"channels": 26},
        "team39_spantiny_ch26_slim.pth",
        "30bf224aee5d3fb9cbc7a3bf164a294f957f65c45f5b271052947097922040a5",
        538017,
        "Swift Parameter-free Attention Network for Efficient Super-Resolution",
        39,
        note="SPAN-tiny, 26 channels. Inference (eval_conv) form only.",
    ),
]
