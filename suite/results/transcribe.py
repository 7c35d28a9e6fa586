"""Parsers that turn the EIMN seed documents into reference-table rows.

Used once to write ``reference_tables/eimn_*.csv`` and again by the tests, which re-parse the
documents in ``shared/`` and check the committed CSVs still say exactly the same.
"""

from __future__ import annotations

import re

EIMN_PAPER = "EIMN (ECAI 2023)"

# Table 1 names -> zoo ids (format with the scale); methods without a zoo model map to "".
_TABLE1_IDS = {
    "EIMN": "EIMN_L_x{s}",
    "EIMN-A": "EIMN_A_x{s}",
    "EDSR-baseline": "EDSR_baseline_x{s}",
    "SwinIR": "SwinIR_light_x{s}",
}
_DATASET_ALIASES = {"BSDS100": "B100", "BSD100": "B100"}


def _dataset(name: str) -> str:
    return _DATASET_ALIASES.get(name, name)


def _psnr_ssim(cell: str) -> tuple[str, str]:
    cell = cell.strip()
    if cell in ("", "-"):
        return "", ""
    psnr, ssim = cell.split("/")
    return psnr.strip(), ssim.strip()


def parse_eimn_table1(text: str) -> list[dict]:
    """Rows of the paper's Table 1 (13 methods × 3 scales × 5 datasets, '-' kept missing)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Method\tScale"))
    header = lines[start].split("\t")
    datasets = [_dataset(h) for h in header[4:]]
    rows = []
    for line in lines[start + 1 :]:
        cols = line.split("\t")
        if len(cols) != len(header):
            break
        raw_method, scale_txt, params, madds = cols[:4]
        method = re.sub(r"\s*\[.*?\]$", "", raw_method).replace("(Ours)", "").strip()
        scale = re.search(r"(\d+)", scale_txt).group(1)
        model_id = _TABLE1_IDS.get(method, "").format(s=scale)
        for ds, cell in zip(datasets, cols[4:], strict=True):
            psnr, ssim = _psnr_ssim(cell)
            rows.append(
                {
                    "paper": EIMN_PAPER,
                    "table": "Table 1",
                    "method": method,
                    "model_id": model_id,
                    "scale": scale,
                    "dataset": ds,
                    "psnr": psnr,
                    "ssim": ssim,
                    "params_k": "" if params.strip() == "-" else params.strip(),
                    "multi_adds_g": "" if madds.strip() == "-" else madds.strip(),
                    "training_data": "DF2K" if method.startswith("EIMN") else "",
                    "source_note": (
                        f"EIMN paper Table 1, row '{raw_method.strip()}' "
                        "(Multi-Adds at 1280x720 HR)"
                    ),
                }
            )
    return rows


_README_SECTIONS = {
    "SISR-1": "DF2K",
    "SISR-3": "DIV2K",
    "SISR-4": "DIV2K multi-scale subimages",
}


def parse_eimn_readme(text: str) -> list[dict]:
    """Rows of the EIMN README model-zoo tables SISR-1/3/4 (empty cells skipped)."""
    rows = []
    section = None
    header: list[str] = []
    for line in text.splitlines():
        m = re.search(r"#### (SISR-\d)", line)
        if m:
            section, header = m.group(1), []
            continue
        if section not in _README_SECTIONS or not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == "Model":
            header = cells
            continue
        if not header or set(cells[0]) <= set(":- "):
            continue
        model_id = cells[0]
        scale = model_id.rsplit("_x", 1)[1]
        for name, cell in zip(header[3:], cells[3:], strict=False):
            psnr, ssim = _psnr_ssim(cell)
            if not psnr:
                continue
            rows.append(
                {
                    "paper": EIMN_PAPER,
                    "table": f"README {section}",
                    "method": model_id,
                    "model_id": model_id if section == "SISR-1" else "",
                    "scale": scale,
                    "dataset": _dataset(name),
                    "psnr": psnr,
                    "ssim": ssim,
                    "params_k": cells[1].rstrip("K"),
                    "multi_adds_g": cells[2].rstrip("G"),
                    "training_data": _README_SECTIONS[section],
                    "source_note": f"liux520/EIMN README, Model Zoo {section}",
                }
            )
    return rows


def parse_eimn_record(text: str) -> list[dict]:
    """Rows of the authors' full-precision ``Weights/record.txt``."""
    rows = []
    variant = None
    for line in text.splitlines():
        m = re.match(r"(EIMN_[LA]):", line.strip())
        if m:
            variant = m.group(1)
            continue
        m = re.match(r"Scale:(\d+) Dataset:(\S+) Avg_psnr:([\d.]+) Avg_ssim:([\d.]+)", line.strip())
        if m and variant:
            scale, ds, psnr, ssim = m.groups()
            rows.append(
                {
                    "paper": EIMN_PAPER,
                    "table": "Weights/record.txt",
                    "method": variant,
                    "model_id": f"{variant}_x{scale}",
                    "scale": scale,
                    "dataset": _dataset(ds),
                    "psnr": psnr,
                    "ssim": ssim,
                    "training_data": "DF2K",
                    "source_note": "liux520/EIMN Weights/record.txt (authors' full precision)",
                }
            )
    return rows
