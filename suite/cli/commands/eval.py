"""``suite eval MODEL --dataset D``: PSNR/SSIM of one model on benchmark sets.

MODEL is a zoo id, or your own model given by ``--arch module:Class --weights FILE --scale S``
(the flags of :func:`add_user_model`, shared with ``suite bench``). A set with images that cannot
be scored gives a *partial* result: the scored images' mean, marked PARTIAL, every failed image
on stderr, and exit status 2 once all sets are done. ``--save-sr DIR`` writes the SR images of
one set, as they were scored.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from suite.cli import options
from suite.errors import SuiteError

NAME = "eval"
HELP = "score a zoo model, or your own, on benchmark sets (PSNR/SSIM)"

_USER_FLAGS = ("arch_kwargs", "weights", "name", "input_range")  # meaningful with --arch only


def add_user_model(p: argparse.ArgumentParser) -> None:
    """Your own model instead of a zoo id: ``--arch``, ``--arch-kwargs``, ``--weights``,
    ``--name``, ``--input-range`` (its ``--scale`` is declared by each command)."""
    g = p.add_argument_group("your own model (instead of MODEL)")
    g.add_argument(
        "--arch",
        metavar="REF",
        help="your network: package.module:Class, or path/to/file.py:Class",
    )
    g.add_argument(
        "--arch-kwargs",
        metavar="JSON",
        help="keyword arguments of the class, as a JSON object, e.g. '{\"scale\": 4}'",
    )
    g.add_argument("--weights", type=Path, metavar="FILE", help="its weights (a state dict)")
    g.add_argument(
        "--name",
        help="results name (a plain file name, not a zoo id; default <Class>_x<scale>)",
    )
    g.add_argument(
        "--input-range",
        type=float,
        help="pixel range the network expects: 1 (default, RGB in [0, 1]) or 255",
    )


def model_from_args(args: argparse.Namespace) -> Any:  # -> str | ModelSpec (lazy: torch)
    """The zoo id of MODEL, or the spec of your model from ``--arch`` and its flags; a
    SuiteError when the two are mixed or a flag is missing."""
    if not args.arch:
        given = [f"--{f.replace('_', '-')}" for f in _USER_FLAGS if getattr(args, f) is not None]
        if given:
            verb = "describe" if len(given) > 1 else "describes"
            raise SuiteError(f"{', '.join(given)} {verb} your own model: give --arch too")
        return args.model
    if args.model:
        raise SuiteError(
            f"give either a zoo MODEL ({args.model}) or your own model (--arch), not both"
        )
    needed = (
        ("--weights", args.weights, "the file its weights are saved in"),
        ("--scale", args.scale, "the factor it upscales by"),
    )
    missing = [f"{flag} ({what})" for flag, value, what in needed if value is None]
    if missing:
        raise SuiteError(f"--arch {args.arch} needs {' and '.join(missing)}")
    from suite.models.user import parse_arch_kwargs, user_spec

    return user_spec(
        args.arch,
        args.weights,
        args.scale,
        name=args.name,
        arch_kwargs=parse_arch_kwargs(args.arch_kwargs),
        input_range=1.0 if args.input_range is None else args.input_range,
    )


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
    add_user_model(p)
    options.add_run(p)
    options.add_locations(p, "data", "checkpoints", "cache", "results")


def _images(result: dict) -> str:
    n, failed = result["n_images"], len(result.get("failed", []))
    return f"PARTIAL: {n} of {n + failed} images" if result.get("partial") else f"{n} images"


def report_partial(result: dict, what: str) -> None:
    """Every image a partial result could not score, and what its mean covers, on stderr;
    ``what`` names the run (model or SR folder, dataset, profile)."""
    for failed in result["failed"]:
        print(f"error: not scored: {failed['reason']}", file=sys.stderr)
    print(
        f"error: {what} is {_images(result)}: its mean is not comparable with published "
        "numbers; fix or remove the images above and rerun (--strict stops at the first)",
        file=sys.stderr,
    )


def summary_line(result: dict, what: str) -> str:
    """``<what> ×S Set [profile]: PSNR … dB  SSIM …  (n images, data verified)``."""
    return (
        f"{what} ×{result['scale']:g} {result['dataset']} [{result['profile']}]: "
        f"PSNR {result['psnr']:.4f} dB  SSIM {result['ssim']:.4f}  ({_images(result)}, data "
        f"{result['data']['manifest']['status']})"
    )


def run(args: argparse.Namespace) -> int:
    from suite.evaluation.runner import evaluate

    model = model_from_args(args)
    if args.save_sr is not None and len(args.dataset) > 1:
        raise SuiteError("--save-sr writes the SR images of one set: give one --dataset")
    opts = options.eval_options(
        args, force=args.force, write=not args.no_write, strict=args.strict, save_sr=args.save_sr
    )
    partial = False
    for dataset in args.dataset:
        result = evaluate(model, dataset, opts)
        if args.json:
            print(json.dumps(result))
        else:
            print(summary_line(result, result["model"]))
            if args.save_sr is not None:
                print(f"wrote {result['n_images']} SR images to {args.save_sr}")
        if result.get("partial"):
            partial = True
            report_partial(result, f"{result['model']} {result['dataset']} [{result['profile']}]")
    return 2 if partial else 0
