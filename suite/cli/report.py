"""``suite report RESULTS_DIR``: a markdown report of measured vs published numbers."""

from __future__ import annotations

import argparse
from pathlib import Path

from suite.results.compare import Tolerances


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report", help="markdown report: paper-layout tables, diffs, conventions, provenance"
    )
    p.add_argument("results_dir", type=Path, help="folder of evaluation results, e.g. results/eimn")
    p.add_argument("--reference", type=Path, help="reference tables folder (reference_tables/)")
    p.add_argument("--table", action="append", help="judge only against these tables (repeatable)")
    p.add_argument("--out", type=Path, help="output file (default RESULTS_DIR/report.md)")
    p.add_argument(
        "--profiles",
        type=Path,
        action="append",
        help="folder to search for `suite profile` results besides RESULTS_DIR (repeatable; "
        "default: the results root, SUITE_RESULTS_DIR or results/)",
    )
    p.add_argument("--psnr-close", type=float, default=Tolerances.psnr_close)
    p.add_argument("--ssim-close", type=float, default=Tolerances.ssim_close)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from suite.reporting.report import write_report

    tol = Tolerances(psnr_close=args.psnr_close, ssim_close=args.ssim_close)
    path = write_report(args.results_dir, args.out, args.reference, args.table, tol, args.profiles)
    print(f"wrote {path}")
    return 0
