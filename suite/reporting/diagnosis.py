"""A convention diagnosis as markdown: the ranked variants, the closest to the paper first."""

from __future__ import annotations

from typing import Any


def diagnosis_markdown(result: dict[str, Any], top: int = 12) -> str:
    """A ranked table; the first row is the convention closest to the paper."""
    ref = result["published"]
    units = result["distance_units"]
    src = (
        f"{ref['paper']} {ref['table']}: PSNR {ref['psnr']} / SSIM {ref['ssim']}"
        if ref
        else "no published value in reference_tables/"
    )
    lines = [
        f"### Convention diagnosis: {result['model']} on {result['dataset']} "
        f"(×{result['scale']}, {result['n_images']} images)",
        "",
        f"Published: {src}. {len(result['variants'])} variants (GT crop × LR resize × channel × "
        "border × SR rounding), ranked by distance = max(|ΔPSNR| / "
        f"{units['psnr']:g} dB, |ΔSSIM| / {units['ssim']:g}) — below 1 means reproduced.",
        "",
        "| rank | GT crop | LR | channel | border | SR | profile | PSNR | ΔPSNR | SSIM | ΔSSIM "
        "| distance |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for i, v in enumerate(result["variants"][:top], 1):
        dp = "" if v["d_psnr"] is None else f"{v['d_psnr']:+.4f}"
        dss = "" if v["d_ssim"] is None else f"{v['d_ssim']:+.5f}"
        lines.append(
            f"| {i} | {v['gt_crop']} | {v['lr_mode']} | {v['channel']} | {v['border']} | "
            f"{'uint8' if v['sr_round'] else 'float'} | {v['profile'] or ''} | "
            f"{v['psnr']:.4f} | {dp} | {v['ssim']:.5f} | {dss} | {v['distance']:.2f} |"
        )
    return "\n".join(lines) + "\n"
