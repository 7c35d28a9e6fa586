"""``suite eval MODEL --dataset D``: PSNR/SSIM of one model on benchmark sets."""

from __future__ import annotations

import argparse
import json

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
    options.add_run(p)
    options.add_locations(p, "data", "checkpoints", "cache", "results")


def run(args: argparse.Namespace) -> int:
    from suite.evaluation.runner import evaluate

    opts = options.eval_options(args, force=args.force, write=not args.no_write)
    for dataset in args.dataset:
        result = evaluate(args.model, dataset, opts)
        if args.json:
            print(json.dumps(result))
        else:
            print(
                f"{result['model']} ×{result['scale']:g} {result['dataset']} "
                f"[{result['profile']}]: PSNR {result['psnr']:.4f} dB  SSIM {result['ssim']:.4f}"
                f"  ({result['n_images']} images, data {result['data']['manifest']['status']})"
            )
    return 0
