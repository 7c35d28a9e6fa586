"""``suite gate RESULTS --baseline BASELINE``: fail when a number regressed, vanished or cannot
be trusted (the rules: :mod:`suite.results.gate`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from suite.cli import options

NAME = "gate"
HELP = "CI gate: non-zero exit when a cell regressed, vanished or holds no trustworthy number"
DESCRIPTION = (
    "Compare RESULTS (a results folder, a result JSON or a baseline) with a baseline, cell by "
    "cell: mean PSNR/SSIM per (model, dataset, profile) within tolerances; #params and "
    "Multi-Adds of `suite bench` results exactly, when the baseline lists them; latency only "
    "with --latency-rtol. NaN, null or non-numeric values, partial results, data that differs "
    "from its manifest, and missing cells all fail. Exit status: 0 every cell passed; 1 a cell "
    "failed (named on stderr); 2 unusable input: a missing, truncated, empty or schema-less "
    "baseline or results file, a tolerance that is not a finite number >= 0, or "
    "--write-baseline with nothing valid to freeze."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("results", type=Path, help="results folder (or a result/baseline JSON)")
    p.add_argument("--baseline", type=Path, help="baseline file or results folder")
    p.add_argument("--psnr-tol", type=float, default=1e-3, help="dB (default 0.001)")
    p.add_argument("--ssim-tol", type=float, default=1e-4, help="default 0.0001")
    p.add_argument(
        "--latency-rtol",
        type=float,
        help="also gate `suite bench` median latency: fail when slower by more than this "
        "fraction (e.g. 0.2); off by default",
    )
    p.add_argument("--dataset", action="append", help="only these datasets (repeatable)")
    p.add_argument("--model", action="append", help="only these models (repeatable)")
    p.add_argument("--fail-on-improvement", action="store_true")
    options.add_json(p, "the verdict and every cell")
    p.add_argument(
        "--write-baseline", type=Path, metavar="OUT", help="freeze RESULTS into a baseline file"
    )


def run(args: argparse.Namespace) -> int:
    from suite.errors import SuiteError
    from suite.reporting.console import bench_gate_text, gate_text
    from suite.results.gate import (
        check_tolerances,
        failed,
        gate,
        gate_bench,
        load,
        load_baseline,
        to_dicts,
        write_baseline,
    )

    if args.write_baseline:
        n = write_baseline(args.results, args.write_baseline, args.dataset, args.model)
        print(f"wrote {args.write_baseline} ({n} cells)")
        return 0
    if not args.baseline:
        raise SuiteError("--baseline is required (or --write-baseline OUT to create one)")
    check_tolerances(psnr_tol=args.psnr_tol, ssim_tol=args.ssim_tol, latency_rtol=args.latency_rtol)
    baseline = load_baseline(args.baseline)
    if args.latency_rtol is not None and not baseline.bench:
        raise SuiteError(f"--latency-rtol: {args.baseline} lists no `suite bench` results")
    results = load(args.results)
    cells = gate(
        results.cells, baseline.cells, args.psnr_tol, args.ssim_tol, args.dataset, args.model
    )
    bench = gate_bench(results.bench, baseline.bench, args.latency_rtol, args.model)
    if not cells and not bench:
        raise SuiteError(f"no baseline cells matched in {args.baseline}")
    bad = failed(cells, args.fail_on_improvement) + failed(bench)
    if args.json:
        verdict = {"passed": not bad, "cells": to_dicts(cells), "bench": to_dicts(bench)}
        print(json.dumps(verdict, indent=2))
    else:
        if cells:
            print(gate_text(cells))
        if bench:
            print(bench_gate_text(bench))
        print(
            f"gate {'FAILED' if bad else 'passed'}: {len(cells) + len(bench)} cells, "
            f"{len(bad)} failing (tolerance {args.psnr_tol} dB PSNR, {args.ssim_tol} SSIM"
            + (f", latency {args.latency_rtol:g} relative" if args.latency_rtol is not None else "")
            + ")"
        )
    for c in bad:
        print(f"  {c.status}: {c.label}" + (f": {c.reason}" if c.reason else ""), file=sys.stderr)
    return 1 if bad else 0
