"""``suite eval MODEL --dataset D``: PSNR/SSIM of one model on benchmark sets.

A set with images that cannot be scored gives a *partial* result: the scored images' mean,
marked PARTIAL, every failed image on stderr, and exit status 2 once all sets are done.
"""

from __future__ import annotations

import argparse
import json
import sys

from suite.cli import options

NAME = "eval"
HELP = "score a zoo model on benchmark sets (PSNR/SSIM)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="zoo id, e.g. EIMN_A_x4 (see `suite list`)")
    p.add_argument(
        "--dataset", action="append", required=True, help="Set5, Set14, B100, Urban100, Manga109"
    )
    options.add_profile(p)
    p.add_argument(
        "--scale",
        type=float,
        help="target scale; arbitrary-scale models (LIIF, LTE, LMF) accept any, e.g. 2.5 or 8",
    )
    options.add_json(p, "one JSON object per dataset")
    p.add_argument("--force", action="store_true", help="recompute even if a result exists")
    p.add_argument("--no-write", action="store_true", help="do not write results/")
    p.add_argument(
        "--strict",
        action="store_true",
        help="stop at the first image that cannot be scored (default: list it, score the rest, "
        "mark the result partial and exit 2)",
    )
    options.add_run(p)
    options.add_locations(p, "data", "checkpoints", "cache", "results")


def _images(result: dict) -> str:
    n, failed = result["n_images"], len(result.get("failed", []))
    return f"PARTIAL: {n} of {n + failed} images" if result.get("partial") else f"{n} images"


def report_partial(result: dict) -> None:
    """Every image a partial result could not score, and what its mean covers, on stderr."""
    for failed in result["failed"]:
        print(f"error: not scored: {failed['reason']}", file=sys.stderr)
    print(
        f"error: {result['model']} {result['dataset']} [{result['profile']}] is "
        f"{_images(result)}: its mean is not comparable with published numbers; fix or remove "
        "the images above and rerun (--strict stops at the first)",
        file=sys.stderr,
    )


def run(args: argparse.Namespace) -> int:
    from suite.evaluation.runner import evaluate

    opts = options.eval_options(args, force=args.force, write=not args.no_write, strict=args.strict)
    partial = False
    for dataset in args.dataset:
        result = evaluate(args.model, dataset, opts)
        if args.json:
            print(json.dumps(result))
        else:
            print(
                f"{result['model']} ×{result['scale']:g} {result['dataset']} "
                f"[{result['profile']}]: PSNR {result['psnr']:.4f} dB  SSIM {result['ssim']:.4f}"
                f"  ({_images(result)}, data {result['data']['manifest']['status']})"
            )
        if result.get("partial"):
            partial = True
            report_partial(result)
    return 2 if partial else 0
