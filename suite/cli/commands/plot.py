"""``suite plot RESULTS_DIR [RESULTS_DIR …] --out DIR``: leaderboard figures.

One chart per set × scale × profile and cost axis (Multi-Adds, #params; latency and peak memory
where at least three models were measured on one device), each with ``<figure>.csv`` beside it.
Several folders make the field-wide figures. ``--clean`` removes the figures an earlier run
left in the output folder that this one does not draw. Your own models are drawn among the published
methods of their set and scale, and with ``--with zoo`` among the zoo's measured runs too.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from suite.cli.commands.report import add_inputs, inputs, out_folder, require_report_extra

NAME = "plot"
HELP = "leaderboard figures (PSNR vs Multi-Adds, #params, latency, memory) and their CSV"
FORMATS = ("png", "svg")  # matplotlib is imported only when the command runs


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_inputs(p)
    p.add_argument(
        "--out", type=Path, metavar="DIR", help="output folder (default RESULTS_DIR/plots)"
    )
    p.add_argument("--format", nargs="+", default=list(FORMATS), choices=["png", "svg", "pdf"])
    p.add_argument(
        "--clean",
        action="store_true",
        help="also remove the figures and CSVs in the output folder this run does not write "
        "(left by an earlier layout, or by models since gone); other files are kept",
    )


def run(args: argparse.Namespace) -> int:
    require_report_extra("matplotlib")
    from suite.reporting.plots import plot_results

    files, removed = plot_results(
        out_dir=out_folder(args), formats=args.format, clean=args.clean, **inputs(args)
    )
    for path in files:
        print(path)
    for path in removed:
        print(f"removed {path}")
    print(f"{len(files)} files written" + (f", {len(removed)} stale removed" if removed else ""))
    return 0
