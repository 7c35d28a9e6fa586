"""Published numbers: tidy CSV tables under ``reference_tables/``, loaded and validated.

Schema (one row per method × scale × dataset; empty cells are missing values):
``paper, table, method, model_id, scale, dataset, psnr, ssim, params_k, multi_adds_g,
training_data, source_note``. ``table`` names the source within the paper (e.g. "Table 1",
"README SISR-1", "Weights/record.txt"); ``model_id`` links a row to the zoo (empty when the
method has no checkpoint here).

Tables are UTF-8 (a byte-order mark is tolerated). A table that breaks the schema in any way — an
empty file, another header, a row with fewer or more fields than the header, a byte that is not
UTF-8, a value out of range — raises :class:`~suite.errors.ReferenceTableError` naming the file
and line: a published number is never guessed.
"""

from __future__ import annotations

import csv
import io
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


def _row(raw: dict[str | None, str | list[str] | None], where: str, file: str) -> ReferenceRow:
    if None in raw:  # csv.DictReader files fields beyond the header under None
        extra = len(raw[None] or [])
        raise ReferenceTableError(
            f"{where}: {len(COLUMNS) + extra} fields, the header has {len(COLUMNS)}; quote "
            "values that contain commas"
        )
    short = [c for c in COLUMNS if raw.get(c) is None]
    if short:
        raise ReferenceTableError(
            f"{where}: {len(COLUMNS) - len(short)} fields, the header has {len(COLUMNS)} "
            f"(no {', '.join(short)}); give every column, empty for a missing value"
        )
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


def _text(path: Path) -> str:
    """The table's text; ReferenceTableError naming the file (and line) when it is unreadable,
    not UTF-8 or empty."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ReferenceTableError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ReferenceTableError(
            f"{path}:{line}: byte 0x{data[exc.start]:02x} is not UTF-8; save the table as UTF-8"
        ) from None
    if not text.strip():
        raise ReferenceTableError(f"{path}:1: empty file; the first line must be the header")
    return text


def load_table(path: Path) -> list[ReferenceRow]:
    """Read and validate one CSV; duplicate (paper, table, method, scale, dataset) is an error."""
    rows: list[ReferenceRow] = []
    seen: dict[tuple, int] = {}
    reader = csv.DictReader(io.StringIO(_text(path), newline=""), strict=True)
    try:
        if reader.fieldnames != COLUMNS:
            raise ReferenceTableError(f"{path}:1: header must be {','.join(COLUMNS)}")
        for raw in reader:
            where = f"{path}:{reader.line_num}"
            row = _row(raw, where, Path(path).name)
            if row.key in seen:
                raise ReferenceTableError(f"{where}: duplicate of line {seen[row.key]} {row.key}")
            seen[row.key] = reader.line_num
            rows.append(row)
    except csv.Error as exc:
        line = reader.reader.line_num  # DictReader.line_num lags behind a failed row
        raise ReferenceTableError(f"{path}:{line}: not valid CSV ({exc})") from None
    return rows


def load_all(directory: Path | None = None) -> list[ReferenceRow]:
    """Every reference table in the folder (ReferenceTableError when it holds none)."""
    directory = Path(directory) if directory else default_dir()
    tables = sorted(directory.glob("*.csv")) if directory.is_dir() else []
    if not tables:
        raise ReferenceTableError(
            f"{directory}: no reference tables (*.csv) there; pass the folder that holds them "
            "(--reference), or leave it out for the shipped ones"
        )
    out: list[ReferenceRow] = []
    for path in tables:
        out.extend(load_table(path))
    return out
