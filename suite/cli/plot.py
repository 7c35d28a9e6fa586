"""``suite plot RESULTS_DIR``: complexity-vs-PSNR (and latency-vs-PSNR) figures."""

from __future__ import annotations

import argparse
from pathlib import Path

FORMATS = (
    "png",
    "svg",
)  # suite.reporting.plots (matplotlib) is imported only when the command runs


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plot", help="PSNR vs Multi-Adds / latency figures, measured vs paper")
    p.add_argument("results_dir", type=Path, help="folder of evaluation results, e.g. results/eimn")
    p.add_argument("--out", type=Path, help="output folder (default RESULTS_DIR/plots)")
    p.add_argument("--reference", type=Path, help="reference tables folder (reference_tables/)")
    p.add_argument("--table", action="append", help="paper points only from these tables")
    p.add_argument("--format", nargs="+", default=list(FORMATS), choices=["png", "svg", "pdf"])
    p.add_argument(
        "--profiles",
        type=Path,
        action="append",
        help="folder to search for `suite profile` results besides RESULTS_DIR (repeatable; "
        "default: the results root, SUITE_RESULTS_DIR or results/)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from suite.reporting.plots import plot_results

    files = plot_results(
        args.results_dir, args.out, args.reference, args.format, args.table, args.profiles
    )
    for path in files:
        print(path)
    print(f"{len(files)} files written")
    return 0
