"""``suite reproduce FAMILY``: evaluate a family's checkpoints and diff against its paper."""

from __future__ import annotations

import argparse

from suite.protocol.profiles import PROFILES
from suite.results.compare import Tolerances


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("reproduce", help="evaluate a model family and diff against its paper")
    p.add_argument("family", help="e.g. EIMN, IMDN, or `zoo` for every family but EIMN")
    p.add_argument("--dataset", action="append", help="restrict to these sets (repeatable)")
    p.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        help="convention profile (default: each model's own, e.g. basicsr for EIMN)",
    )
    p.add_argument("--device", default="cpu")
    p.add_argument("--table", action="append", help="reference table(s) to diff against")
    p.add_argument("--out", help="output folder (default <results>/<family>)")
    p.add_argument("--psnr-close", type=float, default=Tolerances.psnr_close)
    p.add_argument("--ssim-close", type=float, default=Tolerances.ssim_close)
    p.add_argument(
        "--force",
        action="store_true",
        help="recompute finished runs (interrupted ones still resume from their partial log)",
    )
    p.add_argument("--offline", action="store_true")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--allow-modified-data", action="store_true")
    for flag in ("--data-root", "--checkpoint-dir", "--cache-dir", "--results-dir"):
        p.add_argument(flag)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from suite.cli.main import eval_options
    from suite.evaluation.reproduce import reproduce
    from suite.reporting.comparison import comparison_markdown, print_report
    from suite.results.store import write_comparison_markdown

    tol = Tolerances(psnr_close=args.psnr_close, ssim_close=args.ssim_close)
    opts = eval_options(args, force=args.force)
    report = reproduce(args.family, args.dataset, opts, args.table, tol, args.out)
    write_comparison_markdown(report.out_dir, comparison_markdown(report, tol))
    print_report(report)
    print(f"written to {report.out_dir}")
    return 0
