"""A convention diagnosis as markdown: the ranked variants, the closest to the paper first."""

from __future__ import annotations

import json
from typing import Any

from suite.reporting.format import fmt, fmt_delta, fmt_printed, scale_txt, table

HEADER = [
    "rank",
    "GT crop",
    "LR",
    "channel",
    "border",
    "SR",
    "profile",
    "PSNR",
    "ΔPSNR",
    "SSIM",
    "ΔSSIM",
    "distance",
]


def diagnosis_markdown(result: dict[str, Any], top: int = 12) -> str:
    """A ranked table; the first row is the convention closest to the paper."""
    ref = result["published"]
    units = result["distance_units"]
    src = (
        f"{ref['paper']} {ref['table']}: PSNR {ref['psnr']} / SSIM {ref['ssim']}"
        if ref
        else "no published value in reference_tables/"
    )
    rows = [
        [
            str(i),
            v["gt_crop"],
            v["lr_mode"],
            v["channel"],
            str(v["border"]),
            "uint8" if v["sr_round"] else "float",
            v["profile"] or "",
            fmt(v["psnr"], 4),
            fmt_delta(v["d_psnr"], 4, missing=""),
            fmt(v["ssim"], 5),
            fmt_delta(v["d_ssim"], 5, missing=""),
            fmt(v["distance"], 2),
        ]
        for i, v in enumerate(result["variants"][:top], 1)
    ]
    lines = [
        f"### Convention diagnosis: {result['model']} on {result['dataset']} "
        f"({scale_txt(result['scale'])}, {result['n_images']} images)",
        "",
        f"Published: {src}. {len(result['variants'])} variants (GT crop × LR resize × channel × "
        "border × SR rounding), ranked by distance = max(|ΔPSNR| / "
        f"{fmt_printed(units['psnr'])} dB, |ΔSSIM| / {fmt_printed(units['ssim'])}) — below 1 "
        "means reproduced.",
        "",
        table(HEADER, rows),
    ]
    return "\n".join(lines) + "\n"


def saved_diagnosis_markdown(content: str | Any) -> str:
    """A saved diagnosis as markdown: its own markdown file, else rendered from its JSON
    (a ``suite diagnose`` result), else any other JSON as a code block."""
    if isinstance(content, str):
        return content.strip()
    if isinstance(content, dict) and isinstance(content.get("markdown"), str):
        return content["markdown"].strip()
    try:
        return diagnosis_markdown(content).strip()
    except (KeyError, TypeError, ValueError, AttributeError):
        text = json.dumps(content, indent=2)
        return f"```json\n{text[:4000]}\n```"
