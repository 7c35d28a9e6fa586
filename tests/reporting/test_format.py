"""The shared formatters: numbers as reports print them, markdown and console tables."""

from __future__ import annotations

from suite.reporting.format import (
    MISSING,
    fmt,
    fmt_count,
    fmt_delta,
    fmt_printed,
    fmt_rel,
    plural,
    scale_txt,
    table,
)


def test_numbers() -> None:
    assert fmt(32.52418, 4) == "32.5242" and fmt(None, 4) == MISSING == "–"
    assert fmt(None, 2, missing="n/a") == "n/a"
    assert fmt_delta(0.0019, 4) == "+0.0019" and fmt_delta(-0.00002, 5) == "-0.00002"
    assert fmt_delta(None, 4) == MISSING and fmt_delta(None, 4, missing="") == ""
    assert fmt_printed(212.0) == "212" and fmt_printed(47.78) == "47.78"
    assert fmt_printed(None) == MISSING
    assert fmt_rel(880.9, 880) == "+0.1%" and fmt_rel(45.1, 47.78) == "-5.6%"
    assert fmt_rel(None, 880) == MISSING and fmt_rel(880.9, None) == MISSING
    assert fmt_rel(1.0, 0.0) == MISSING  # nothing to be relative to
    assert fmt_count(880870) == "880,870" and fmt_count(None) == MISSING
    assert fmt_count(None, missing="n/a, not on disk") == "n/a, not on disk"


def test_words() -> None:
    assert plural(1, "model") == "1 model" and plural(0, "model") == "0 models"
    assert plural(3, "reference table") == "3 reference tables"
    assert scale_txt(4) == "×4" and scale_txt(4.0) == "×4" and scale_txt(2.5) == "×2.5"


def test_pipe_table_keeps_strings_verbatim() -> None:
    rows = [["EIMN_A_x4", "32.5300", None], ["IMDN", "0.9620", "x"]]
    assert table(["model", "PSNR", "note"], rows) == (
        "| model     | PSNR    | note   |\n"
        "|:----------|:--------|:-------|\n"
        "| EIMN_A_x4 | 32.5300 | –      |\n"
        "| IMDN      | 0.9620  | x      |"
    )  # "0.9620" is not re-parsed into 0.962; None is MISSING
    assert table(["a", "b"], []) == "| a   | b   |\n|-----|-----|"


def test_plain_table_aligns_numbers_right() -> None:
    rows = [["EIMN_A_x4", "32.5242", "-0.0058", "close"], ["IMDN_x4", None, "", "missing"]]
    assert table(["model", "PSNR", "Δ", "status"], rows, "plain") == (
        "model         PSNR        Δ  status\n"
        "---------  -------  -------  --------\n"
        "EIMN_A_x4  32.5242  -0.0058  close\n"
        "IMDN_x4          –           missing"
    )
    assert table(["a", "b"], [], "plain") == "a    b\n---  ---"
