"""``suite plot RESULTS_DIR``: complexity-vs-PSNR (and latency-vs-PSNR) figures.

Your own models are drawn among the published methods of their set and scale, and with
``--with zoo`` among the zoo's measured runs too.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from suite.cli import options

NAME = "plot"
HELP = "PSNR vs Multi-Adds / latency figures, measured vs paper"
FORMATS = ("png", "svg")  # matplotlib is imported only when the command runs


def add_arguments(p: argparse.ArgumentParser) -> None:
    options.add_report_inputs(p)
    p.add_argument("--out", type=Path, help="output folder (default RESULTS_DIR/plots)")
    p.add_argument("--format", nargs="+", default=list(FORMATS), choices=["png", "svg", "pdf"])


def run(args: argparse.Namespace) -> int:
    from suite.reporting.plots import plot_results

    files = plot_results(
        **options.report_inputs(args),
        out_dir=args.out,
        formats=args.format,
        with_zoo="zoo" in args.with_,
    )
    for path in files:
        print(path)
    print(f"{len(files)} files written")
    return 0
