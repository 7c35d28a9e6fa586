"""``suite gate RESULTS --baseline BASELINE``: fail when a metric regressed or disappeared."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from suite.cli import options

NAME = "gate"
HELP = "CI gate: non-zero exit when a cell regressed beyond tolerance or vanished"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("results", type=Path, help="results folder (or a result/baseline JSON)")
    p.add_argument("--baseline", type=Path, help="baseline file or results folder")
    p.add_argument("--psnr-tol", type=float, default=1e-3, help="dB (default 0.001)")
    p.add_argument("--ssim-tol", type=float, default=1e-4, help="default 0.0001")
    p.add_argument("--dataset", action="append", help="only these datasets (repeatable)")
    p.add_argument("--model", action="append", help="only these models (repeatable)")
    p.add_argument("--fail-on-improvement", action="store_true")
    options.add_json(p, "the verdict and every cell")
    p.add_argument(
        "--write-baseline", type=Path, metavar="OUT", help="freeze RESULTS into a baseline file"
    )


def run(args: argparse.Namespace) -> int:
    from suite.errors import SuiteError
    from suite.reporting.console import gate_text
    from suite.results.gate import failed, gate, load_cells, to_dicts, write_baseline

    if args.write_baseline:
        n = write_baseline(args.results, args.write_baseline, args.dataset)
        print(f"wrote {args.write_baseline} ({n} cells)")
        return 0
    if not args.baseline:
        raise SuiteError("--baseline is required (or --write-baseline OUT to create one)")
    cells = gate(
        load_cells(args.results),
        load_cells(args.baseline),
        args.psnr_tol,
        args.ssim_tol,
        args.dataset,
        args.model,
    )
    bad = failed(cells, args.fail_on_improvement)
    if args.json:
        print(json.dumps({"passed": not bad, "cells": to_dicts(cells)}, indent=2))
    else:
        print(gate_text(cells))
        verdict = "FAILED" if bad else "passed"
        print(
            f"gate {verdict}: {len(cells)} cells, {len(bad)} failing "
            f"(tolerance {args.psnr_tol} dB PSNR, {args.ssim_tol} SSIM)"
        )
        for c in bad:
            print(f"  {c.status}: {c.model} {c.dataset} [{c.profile}]", file=sys.stderr)
    if not cells:
        raise SuiteError(f"no baseline cells matched in {args.baseline}")
    return 1 if bad else 0
