"""Published numbers: tidy CSV tables under ``reference_tables/``, loaded and validated.

Schema (one row per method × scale × dataset; empty cells are missing values):
``paper, table, method, model_id, scale, dataset, psnr, ssim, params_k, multi_adds_g,
training_data, source_note``. ``table`` names the source within the paper (e.g. "Table 1",
"README SISR-1", "Weights/record.txt"); ``model_id`` links a row to the zoo (empty when the
method has no checkpoint here).
"""

from __future__ import annotations

import csv
import math
from dataclasses import asdict, dataclass
from pathlib import Path

from suite import paths
from suite.data.datasets import DATASETS
from suite.errors import ReferenceTableError

COLUMNS = [
    "paper",
    "table",
    "method",
    "model_id",
    "scale",
    "dataset",
    "psnr",
    "ssim",
    "params_k",
    "multi_adds_g",
    "training_data",
    "source_note",
]

EXTRA_DATASETS = (
    "DIV2K_val",
    "DIV2K_test",
    "LSDIR_val",
    "DIV2K_LSDIR_val",
    "DIV2K_LSDIR_test",
)


def default_dir() -> Path:
    return paths.reference_dir()


@dataclass(frozen=True)
class ReferenceRow:
    """One published cell group: PSNR/SSIM (and complexity) of a method at a scale on a set."""

    paper: str
    table: str
    method: str
    model_id: str
    scale: float
    dataset: str
    psnr: float | None
    ssim: float | None
    params_k: float | None
    multi_adds_g: float | None
    training_data: str
    source_note: str
    file: str = ""
    psnr_decimals: int = 2  # printed precision: "reproduced" means equal when rounded to it
    ssim_decimals: int = 4

    @property
    def key(self) -> tuple:
        return (self.paper, self.table, self.method, self.scale, self.dataset)

    def to_dict(self) -> dict:
        return asdict(self)


def decimals(text: str) -> int:
    """Printed precision of a number as written (``"32.53"`` -> 2)."""
    text = text.strip()
    return len(text.split(".", 1)[1]) if "." in text else 0


def _num(value: str, where: str, column: str) -> float | None:
    value = value.strip()
    if value in ("", "-"):
        return None
    try:
        x = float(value)
    except ValueError:
        raise ReferenceTableError(f"{where}: {column}={value!r} is not a number") from None
    if not math.isfinite(x):
        raise ReferenceTableError(f"{where}: {column}={value!r} is not finite")
    return x


_RANGES = {
    "psnr": (10.0, 60.0),
    "ssim": (0.0, 1.0),
    "params_k": (0.1, 1e6),
    "multi_adds_g": (0.0, 1e5),
}


def _row(raw: dict[str, str], where: str, file: str) -> ReferenceRow:
    missing = [c for c in COLUMNS if c not in raw]
    if missing:
        raise ReferenceTableError(f"{where}: missing columns {missing}")
    nums = {c: _num(raw[c], where, c) for c in _RANGES}
    for col, (lo, hi) in _RANGES.items():
        x = nums[col]
        if x is not None and not lo <= x <= hi:
            raise ReferenceTableError(f"{where}: {col}={x} outside [{lo}, {hi}]")
    scale = _num(raw["scale"], where, "scale")
    if scale is None or scale <= 0:
        raise ReferenceTableError(f"{where}: scale must be positive")
    dataset = raw["dataset"].strip()
    if dataset not in DATASETS and dataset not in EXTRA_DATASETS:
        raise ReferenceTableError(f"{where}: unknown dataset {dataset!r}")
    for col in ("paper", "table", "method", "source_note"):
        if not raw[col].strip():
            raise ReferenceTableError(f"{where}: {col} is empty")
    return ReferenceRow(
        paper=raw["paper"].strip(),
        table=raw["table"].strip(),
        method=raw["method"].strip(),
        model_id=raw["model_id"].strip(),
        scale=scale,
        dataset=dataset,
        psnr=nums["psnr"],
        ssim=nums["ssim"],
        params_k=nums["params_k"],
        multi_adds_g=nums["multi_adds_g"],
        training_data=raw["training_data"].strip(),
        source_note=raw["source_note"].strip(),
        file=file,
        psnr_decimals=decimals(raw["psnr"]),
        ssim_decimals=decimals(raw["ssim"]),
    )


def load_table(path: Path) -> list[ReferenceRow]:
    """Read and validate one CSV; duplicate (paper, table, method, scale, dataset) is an error."""
    rows: list[ReferenceRow] = []
    seen: dict[tuple, int] = {}
    with Path(path).open(newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != COLUMNS:
            raise ReferenceTableError(f"{path}: header must be {','.join(COLUMNS)}")
        for lineno, raw in enumerate(reader, start=2):
            where = f"{Path(path).name}:{lineno}"
            row = _row(raw, where, Path(path).name)
            if row.key in seen:
                raise ReferenceTableError(f"{where}: duplicate of line {seen[row.key]} {row.key}")
            seen[row.key] = lineno
            rows.append(row)
    return rows


def load_all(directory: Path | None = None) -> list[ReferenceRow]:
    """Every reference table in the folder."""
    directory = Path(directory) if directory else default_dir()
    out: list[ReferenceRow] = []
    for path in sorted(directory.glob("*.csv")):
        out.extend(load_table(path))
    return out
