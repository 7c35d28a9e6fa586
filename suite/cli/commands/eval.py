"""``suite eval MODEL --dataset D``: PSNR/SSIM of one model on benchmark sets.

MODEL is a zoo id, or your own model given by ``--arch module:Class --weights FILE --scale S``
(:func:`suite.cli.options.add_user_model`, shared with ``suite bench``). A set with images that
cannot be scored gives a *partial* result: the scored images' mean, marked PARTIAL, every failed
image on stderr, and exit status 2 once all sets are done. ``--save-sr DIR`` writes the SR images
of one set, as they were scored. ``--compile`` runs the network through ``torch.compile`` (the
CPU speed-up measured in the README); ``--scoring`` chooses where PSNR/SSIM are computed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from suite.cli import options
from suite.errors import SuiteError

NAME = "eval"
HELP = "score a zoo model, or your own, on benchmark sets (PSNR/SSIM)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", nargs="?", help="zoo id, e.g. EIMN_A_x4 (see `suite list`)")
    p.add_argument(
        "--dataset", action="append", required=True, help="Set5, Set14, B100, Urban100, Manga109"
    )
    options.add_profile(p)
    p.add_argument(
        "--scale",
        type=float,
        help="target scale; arbitrary-scale models (LIIF, LTE, LMF) accept any, e.g. 2.5 or 8; "
        "with --arch: the scale your model upscales by",
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
    p.add_argument(
        "--save-sr",
        type=Path,
        metavar="DIR",
        help="write the SR images, as scored, to DIR/<image>.png (one --dataset; every image "
        "is computed afresh)",
    )
    p.add_argument(
        "--compile",
        action="store_true",
        help="run the network through torch.compile: faster forward passes after a one-off "
        "compilation (tens of seconds), PSNR/SSIM within 1e-4 dB / 1e-6 (recorded in the result)",
    )
    p.add_argument(
        "--scoring",
        choices=("numpy", "torch"),
        help="where PSNR/SSIM are computed: numpy (the reference; default on a CPU) or torch on "
        "the model's device (default on a GPU; equal to the reference to 1e-9)",
    )
    options.add_user_model(p)
    options.add_run(p)
    options.add_locations(p, "data", "checkpoints", "cache", "results")


def run(args: argparse.Namespace) -> int:
    from suite.evaluation.runner import evaluate
    from suite.reporting.console import eval_summary, partial_lines

    model = options.model_from_args(args)
    if args.save_sr is not None and len(args.dataset) > 1:
        raise SuiteError("--save-sr writes the SR images of one set: give one --dataset")
    opts = options.eval_options(
        args,
        force=args.force,
        write=not args.no_write,
        strict=args.strict,
        save_sr=args.save_sr,
        compile=args.compile,
        scoring=args.scoring,
    )
    partial = False
    for dataset in args.dataset:
        result = evaluate(model, dataset, opts)
        if args.json:
            print(json.dumps(result))
        else:
            print(eval_summary(result, result["model"]))
            if args.save_sr is not None:
                print(f"wrote {result['n_images']} SR images to {args.save_sr}")
        if result.get("partial"):
            partial = True
            what = f"{result['model']} {result['dataset']} [{result['profile']}]"
            print("\n".join(partial_lines(result, what)), file=sys.stderr)
    return 2 if partial else 0
