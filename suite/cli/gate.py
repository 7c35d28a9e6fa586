"""``suite gate RESULTS --baseline BASELINE``: fail when a metric regressed or disappeared."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "gate", help="CI gate: non-zero exit when a cell regressed beyond tolerance or vanished"
    )
    p.add_argument("results", help="results folder (or a result/baseline JSON)")
    p.add_argument("--baseline", help="baseline file or results folder to compare against")
    p.add_argument("--psnr-tol", type=float, default=1e-3, help="dB (default 0.001)")
    p.add_argument("--ssim-tol", type=float, default=1e-4, help="default 0.0001")
    p.add_argument("--dataset", action="append", help="only these datasets")
    p.add_argument("--model", action="append", help="only these models")
    p.add_argument("--fail-on-improvement", action="store_true")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--write-baseline", metavar="OUT", help="freeze RESULTS into a baseline file and exit"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from suite.results.gate import failed, format_cells, gate, load_cells, to_dicts, write_baseline

    if args.write_baseline:
        n = write_baseline(Path(args.results), Path(args.write_baseline), args.dataset)
        print(f"wrote {args.write_baseline} ({n} cells)")
        return 0
    if not args.baseline:
        print("error: --baseline is required", file=sys.stderr)
        return 2
    cells = gate(
        load_cells(Path(args.results)),
        load_cells(Path(args.baseline)),
        args.psnr_tol,
        args.ssim_tol,
        args.dataset,
        args.model,
    )
    bad = failed(cells, args.fail_on_improvement)
    if args.json:
        print(json.dumps({"passed": not bad, "cells": to_dicts(cells)}, indent=2))
    else:
        print(format_cells(cells))
        verdict = "FAILED" if bad else "passed"
        print(
            f"gate {verdict}: {len(cells)} cells, {len(bad)} failing "
            f"(tolerance {args.psnr_tol} dB PSNR, {args.ssim_tol} SSIM)"
        )
        for c in bad:
            print(f"  {c.status}: {c.model} {c.dataset} [{c.profile}]", file=sys.stderr)
    if not cells:
        print("error: no baseline cells matched", file=sys.stderr)
        return 2
    return 1 if bad else 0
