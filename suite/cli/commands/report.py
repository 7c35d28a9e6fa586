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


def add_with(p: argparse.ArgumentParser) -> None:
    """``--with zoo``: place your models among the zoo's measured runs as well."""
    p.add_argument(
        "--with",
        dest="with_",
        action="append",
        choices=["zoo"],
        default=[],
        help="zoo: also the zoo's runs of your models' sets and scales, found under the results "
        "root (SUITE_RESULTS_DIR or results/)",
    )


def add_arguments(p: argparse.ArgumentParser) -> None:
    options.add_report_inputs(p)
    p.add_argument("--out", type=Path, help="output file (default RESULTS_DIR/report.md)")
    options.add_tolerances(p)
    add_with(p)


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
