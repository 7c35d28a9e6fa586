"""Numbers and tables as text: the one set of formatters behind every report and console line.

Every rendering (``report.md``, ``comparison.md``, a diagnosis, ``suite bench`` and ``suite
gate`` output) formats through here, so a value reads the same wherever it is shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from tabulate import tabulate

MISSING = "–"  # a value that does not exist (not measured, not published, not counted)

TableStyle = Literal["pipe", "plain"]


def fmt(x: float | None, digits: int, missing: str = MISSING) -> str:
    """A number with ``digits`` decimals."""
    return missing if x is None else f"{x:.{digits}f}"


def fmt_delta(x: float | None, digits: int, missing: str = MISSING) -> str:
    """A difference with its sign always shown."""
    return missing if x is None else f"{x:+.{digits}f}"


def fmt_printed(x: float | None) -> str:
    """A published number as printed (no padding: 212 stays 212, 47.78 stays 47.78)."""
    return MISSING if x is None else f"{x:g}"


def fmt_rel(measured: float | None, published: float | None) -> str:
    """How far a measurement is from the published value, in signed percent."""
    if measured is None or not published:
        return MISSING
    return f"{100.0 * (measured / published - 1.0):+.1f}%"


def fmt_count(n: int | None, missing: str = MISSING) -> str:
    """A count with thousands separators (880,870)."""
    return missing if n is None else f"{n:,}"


def plural(n: int, word: str) -> str:
    """``1 model``, ``2 models``."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def scale_txt(scale: float) -> str:
    """An upscaling factor as papers print it: ×4, ×2.5."""
    return f"×{float(scale):g}"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def table(header: Sequence[str], rows: Sequence[Sequence[Any]], style: TableStyle = "pipe") -> str:
    """A table with ``None`` cells shown as ``MISSING`` and strings kept verbatim.

    ``pipe``: a markdown pipe table. ``plain``: an aligned console table (a rule under the
    header, numeric columns right-aligned). Strings are never re-parsed, so "0.9620" stays
    "0.9620" rather than becoming 0.962.
    """
    cells = [[MISSING if x is None else x for x in row] for row in rows]
    if style == "pipe":
        return tabulate(cells, headers=list(header), tablefmt="pipe", disable_numparse=True)
    columns = list(zip(*cells, strict=True)) if cells else [() for _ in header]
    align = [
        "right"
        if any(str(x) not in ("", MISSING) for x in col)
        and all(str(x) in ("", MISSING) or _is_number(str(x)) for x in col)
        else "left"
        for col in columns
    ]
    return tabulate(
        cells, headers=list(header), tablefmt="simple", disable_numparse=True, colalign=align
    )
