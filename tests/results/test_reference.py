"""Reference tables: schema validation, and the EIMN transcriptions re-checked against shared/.

Their published #params and Multi-Adds are compared with the models in tests/models/test_zoo.py
and tests/bench/test_complexity.py.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from suite.errors import ReferenceTableError
from suite.models.zoo import model_specs
from suite.results.reference import COLUMNS, decimals, default_dir, load_all, load_table
from suite.results.transcribe import parse_eimn_readme, parse_eimn_record, parse_eimn_table1


def test_all_tables_validate() -> None:
    rows = load_all()
    assert len(rows) >= 265
    files = {r.file for r in rows}
    assert {"eimn_table1.csv", "eimn_readme.csv", "eimn_record.csv"} <= files


@pytest.mark.parametrize("path", sorted(default_dir().glob("*.csv")), ids=lambda p: p.name)
def test_every_table_has_the_exact_header(path: Path) -> None:
    assert path.read_text().splitlines()[0] == ",".join(COLUMNS)


def test_model_ids_exist_in_the_zoo() -> None:
    zoo = set(model_specs())
    unknown = {r.model_id for r in load_all() if r.model_id and r.model_id not in zoo}
    assert not unknown, unknown


def test_eimn_table1_is_complete() -> None:
    rows = [r for r in load_all() if r.table == "Table 1" and r.paper.startswith("EIMN")]
    assert len({r.method for r in rows}) == 13
    assert len(rows) == 13 * 3 * 5
    missing = [(r.method, r.scale, r.dataset) for r in rows if r.psnr is None]
    assert ("DRSDN", 2.0, "Manga109") in missing and ("FPNet", 4.0, "Manga109") in missing
    eimn = {(r.scale, r.dataset): r for r in rows if r.model_id == "EIMN_A_x4"}
    assert eimn[(4.0, "Set5")].psnr == 32.53 and eimn[(4.0, "Set5")].multi_adds_g == 47.78


def _read(path: Path) -> list[dict]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def _seed(shared: Path, prefix: str) -> str:
    (path,) = (shared / "seeds").glob(f"{prefix}_*")
    return path.read_text(encoding="utf-8", errors="replace")


@pytest.mark.shared
def test_transcriptions_match_the_sources(shared_dir: Path) -> None:
    d = default_dir()
    cases = [
        ("eimn_table1.csv", parse_eimn_table1(_seed(shared_dir, "001"))),
        ("eimn_readme.csv", parse_eimn_readme(_seed(shared_dir, "000"))),
        (
            "eimn_record.csv",
            parse_eimn_record((shared_dir / "reference" / "eimn_record.txt").read_text()),
        ),
    ]
    for name, parsed in cases:
        committed = _read(d / name)
        assert committed == [{c: str(r.get(c, "")) for c in COLUMNS} for r in parsed], name


def _write(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in COLUMNS})
    return path


GOOD = {
    "paper": "P",
    "table": "T",
    "method": "M",
    "scale": "2",
    "dataset": "Set5",
    "psnr": "38.10",
    "ssim": "0.9610",
    "source_note": "here",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"psnr": "380.1"}, "psnr"),
        ({"ssim": "1.2"}, "ssim"),
        ({"psnr": "abc"}, "not a number"),
        ({"dataset": "Set6"}, "unknown dataset"),
        ({"scale": "0"}, "scale"),
        ({"source_note": ""}, "source_note is empty"),
    ],
)
def test_loader_rejects_bad_rows(tmp_path: Path, change: dict, message: str) -> None:
    path = _write(tmp_path / "t.csv", [{**GOOD, **change}])
    with pytest.raises(ReferenceTableError, match=message):
        load_table(path)


def test_loader_rejects_duplicates_and_bad_header(tmp_path: Path) -> None:
    with pytest.raises(ReferenceTableError, match="duplicate"):
        load_table(_write(tmp_path / "d.csv", [GOOD, GOOD]))
    bad = tmp_path / "h.csv"
    bad.write_text("paper,method\nP,M\n")
    with pytest.raises(ReferenceTableError, match="header"):
        load_table(bad)


def test_missing_values_and_precision(tmp_path: Path) -> None:
    (row,) = load_table(_write(tmp_path / "m.csv", [{**GOOD, "psnr": "-", "ssim": ""}]))
    assert row.psnr is None and row.ssim is None
    assert decimals("32.53") == 2 and decimals("0.89928") == 5 and decimals("40") == 0


def test_rows_linked_to_the_zoo_have_its_scale() -> None:
    zoo = model_specs()
    for r in load_all():
        if r.model_id in zoo and not zoo[r.model_id].arbitrary_scale:
            assert float(zoo[r.model_id].scale) == r.scale, (r.file, r.model_id)


def _table_bytes(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "broken.csv"
    path.write_bytes(data)
    return path


HEADER = ",".join(COLUMNS).encode()
ROW = b'P,T,M,,2,Set5,38.10,0.9610,,,,"here, quoted"'


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", r"broken\.csv:1: empty file"),
        (b"\n\n", r"broken\.csv:1: empty file"),
        (HEADER + b"\n" + b"P,T,M,,2,Set5\n", r"broken\.csv:2: 6 fields, the header has 12"),
        (HEADER + b"\n" + ROW + b",extra\n", r"broken\.csv:2: 13 fields, the header has 12"),
        (HEADER + b"\n" + ROW + b"\n" + ROW.replace(b"M", b"\xe9") + b"\n", r"broken\.csv:3: byte"),
        (HEADER + b"\n" + ROW + b"\n" + b'P,"T"x,M\n', r"broken\.csv:3: not valid CSV"),
        (b"paper,method\nP,M\n", r"broken\.csv:1: header must be"),
    ],
    ids=["empty", "blank", "short-row", "extra-field", "not-utf8", "bad-quote", "header"],
)
def test_broken_tables_name_file_and_line(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(ReferenceTableError, match=message):
        load_table(_table_bytes(tmp_path, data))


def test_byte_order_mark_and_quoted_commas_are_fine(tmp_path: Path) -> None:
    (row,) = load_table(_table_bytes(tmp_path, b"\xef\xbb\xbf" + HEADER + b"\n" + ROW + b"\n"))
    assert row.source_note == "here, quoted" and row.psnr == 38.10


def test_a_folder_without_tables_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ReferenceTableError, match="no reference tables"):
        load_all(tmp_path)
    with pytest.raises(ReferenceTableError, match="no reference tables"):
        load_all(tmp_path / "typo")
