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
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

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


@dataclass(frozen=True)
class _Bad:
    """A cell that is not a usable number, and why."""

    why: str


def _number(value: str) -> float | _Bad | None:
    """A numeric cell: its value, None when empty (or ``-``), or why it is not usable."""
    value = value.strip()
    if value in ("", "-"):
        return None
    try:
        x = float(value)
    except ValueError:
        return _Bad(f"{value!r} is not a number")
    return x if math.isfinite(x) else _Bad(f"{value!r} is not finite")


_RANGES = {
    "psnr": (10.0, 60.0),
    "ssim": (0.0, 1.0),
    "params_k": (0.1, 1e6),
    "multi_adds_g": (0.0, 1e5),
}
_REQUIRED = ("paper", "table", "method", "source_note")
KEY = ["paper", "table", "method", "scale", "dataset"]  # one row per key in a table

Problem = tuple[int, int, str]  # (line, rank of the check within its line, message)


def _problems(rows: pd.DataFrame, path: Path) -> list[Problem]:
    """Every schema violation among the parsed rows (stripped text cells, ``line`` = the line
    each came from), ranked as a reader meets them: line by line and, within a line, numbers,
    ranges, scale, dataset, empty fields, then a duplicate key."""
    found: list[Problem] = []

    def add(rank: int, mask: pd.Series, message: Callable[[Any], str]) -> None:
        for i in rows.index[mask.to_numpy(dtype=bool)]:
            line = int(rows.at[i, "line"])
            found.append((line, rank, f"{path}:{line}: {message(i)}"))

    parsed = {c: rows[c].map(_number) for c in [*_RANGES, "scale"]}
    bad = {c: v.map(lambda x: isinstance(x, _Bad)).astype(bool) for c, v in parsed.items()}
    values = {
        c: v.map(lambda x: None if isinstance(x, _Bad) else x).astype(float)
        for c, v in parsed.items()
    }
    for rank, col in enumerate(_RANGES):
        add(rank, bad[col], lambda i, col=col: f"{col}={parsed[col][i].why}")
    for rank, (col, (lo, hi)) in enumerate(_RANGES.items(), 10):
        outside = values[col].notna() & ~values[col].between(lo, hi)
        add(
            rank, outside, lambda i, c=col, lo=lo, hi=hi: f"{c}={values[c][i]} outside [{lo}, {hi}]"
        )
    add(20, bad["scale"], lambda i: f"scale={parsed['scale'][i].why}")
    add(21, ~bad["scale"] & ~(values["scale"] > 0), lambda _i: "scale must be positive")
    known = rows["dataset"].isin([*DATASETS, *EXTRA_DATASETS])
    add(22, ~known, lambda i: f"unknown dataset {rows.at[i, 'dataset']!r}")
    for rank, col in enumerate(_REQUIRED, 30):
        add(rank, rows[col] == "", lambda _i, col=col: f"{col} is empty")
    keyed = rows[KEY].assign(scale=values["scale"]).astype(object)
    first_line = rows.groupby([keyed[k] for k in KEY], dropna=False)["line"].transform("first")

    def duplicate(i: Any) -> str:
        return f"duplicate of line {first_line[i]} {tuple(keyed.loc[i, KEY].tolist())}"

    add(40, keyed.duplicated(KEY, keep="first"), duplicate)
    return found


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


def _field_count(raw: dict[str | None, Any]) -> str | None:
    """Why a parsed row has too few or too many fields for the header, or None."""
    if None in raw:  # csv.DictReader files fields beyond the header under None
        extra = len(raw[None] or [])
        return (
            f"{len(COLUMNS) + extra} fields, the header has {len(COLUMNS)}; quote values that "
            "contain commas"
        )
    short = [c for c in COLUMNS if raw.get(c) is None]
    if short:
        return (
            f"{len(COLUMNS) - len(short)} fields, the header has {len(COLUMNS)} (no "
            f"{', '.join(short)}); give every column, empty for a missing value"
        )
    return None


def _read_rows(path: Path) -> tuple[pd.DataFrame, list[Problem]]:
    """The table's rows as a frame of stripped text cells with the ``line`` each came from,
    and the rows that could not be parsed (wrong field count, invalid CSV)."""
    reader = csv.DictReader(io.StringIO(_text(path), newline=""), strict=True)
    rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    try:
        if reader.fieldnames != COLUMNS:
            raise ReferenceTableError(f"{path}:1: header must be {','.join(COLUMNS)}")
        for raw in reader:
            why = _field_count(raw)
            if why:
                problems.append((reader.line_num, -1, f"{path}:{reader.line_num}: {why}"))
            else:
                rows.append({**{c: raw[c].strip() for c in COLUMNS}, "line": reader.line_num})
    except csv.Error as exc:
        line = reader.reader.line_num  # DictReader.line_num lags behind a failed row
        problems.append((line, -1, f"{path}:{line}: not valid CSV ({exc})"))
    return pd.DataFrame(rows, columns=[*COLUMNS, "line"]), problems


def load_table(path: Path) -> list[ReferenceRow]:
    """Read and validate one CSV: the first violation a reader meets (line by line) is a
    ReferenceTableError naming the file and line; a duplicate (paper, table, method, scale,
    dataset) is one too."""
    rows, problems = _read_rows(path)
    problems += _problems(rows, path)
    if problems:
        raise ReferenceTableError(min(problems)[2])
    return [
        ReferenceRow(
            paper=r["paper"],
            table=r["table"],
            method=r["method"],
            model_id=r["model_id"],
            scale=float(r["scale"]),
            dataset=r["dataset"],
            psnr=_number(r["psnr"]),  # type: ignore[arg-type]
            ssim=_number(r["ssim"]),  # type: ignore[arg-type]
            params_k=_number(r["params_k"]),  # type: ignore[arg-type]
            multi_adds_g=_number(r["multi_adds_g"]),  # type: ignore[arg-type]
            training_data=r["training_data"],
            source_note=r["source_note"],
            file=Path(path).name,
            psnr_decimals=decimals(r["psnr"]),
            ssim_decimals=decimals(r["ssim"]),
        )
        for r in rows.to_dict("records")
    ]


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
