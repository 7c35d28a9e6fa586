"""What measurements become: result files, the published tables, and the comparison of the two.

``store`` owns every file layout under a results folder; ``frame`` reads a folder's results as
one tidy ``pandas.DataFrame`` (``suite.results.load_frame(DIR)``, one row per evaluation);
``reference`` the published numbers; ``compare`` and ``gate`` judge measurements against papers
and against a baseline.

>>> import suite.results
>>> df = suite.results.load_frame("results/eimn", "results/zoo")
>>> df.pivot_table(index="model", columns="dataset", values="psnr")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["load_frame"]


def __getattr__(name: str) -> Any:
    if name == "load_frame":  # imported on first use: pandas is not needed to read a result
        from suite.results.frame import load_frame

        return load_frame
    raise AttributeError(f"module 'suite.results' has no attribute {name!r}")


if TYPE_CHECKING:
    from suite.results.frame import load_frame
