"""``suite report RESULTS_DIR``: a markdown report of measured vs published numbers.

Your own models' results are ranked among the published methods of their set and scale;
``--with zoo`` (shared with ``suite plot``) adds the zoo's measured runs there.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from suite.cli import options

NAME = "report"
HELP = "markdown report: paper-layout tables, diffs, conventions, provenance"


def add_arguments(p: argparse.ArgumentParser) -> None:
    options.add_report_inputs(p)
    p.add_argument("--out", type=Path, help="output file (default RESULTS_DIR/report.md)")
    options.add_tolerances(p)


def run(args: argparse.Namespace) -> int:
    from suite.reporting.markdown import write_report

    path = write_report(
        **options.report_inputs(args),
        out=args.out,
        tol=options.tolerances(args),
        with_zoo="zoo" in args.with_,
    )
    print(f"wrote {path}")
    return 0
