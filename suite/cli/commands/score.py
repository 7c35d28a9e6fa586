"""``suite score SR_DIR --dataset D --scale S``: PSNR/SSIM of SR images made elsewhere.

The SR images are matched to the set's HR images by file stem (``--suffix`` for names such as
``baby_x4_SR.png``) and scored under a profile exactly as ``suite eval`` scores its own. An HR
image without a usable SR image (missing, another size, unreadable) is named on stderr and makes
the result PARTIAL (exit 2); SR files matching no HR image are named in a warning.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from suite.cli import options
from suite.errors import warn

NAME = "score"
HELP = "score SR images made elsewhere against a set's HR images (PSNR/SSIM)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("sr_dir", type=Path, help="folder of SR images named by image, e.g. baby.png")
    p.add_argument("--suffix", default="", help="names are <image><suffix>.<ext>, e.g. _x4_SR")
    p.add_argument("--dataset", required=True, help="Set5, Set14, B100, Urban100, Manga109")
    p.add_argument("--scale", type=float, required=True, help="the scale they were made at")
    options.add_profile(p)
    options.add_json(p)
    options.add_allow_modified_data(p)
    options.add_locations(p, "data")


def run(args: argparse.Namespace) -> int:
    from suite.evaluation.score import score_folder
    from suite.reporting.console import eval_summary, partial_lines

    result = score_folder(
        args.sr_dir,
        args.dataset,
        args.scale,
        profile=args.profile,
        data_root=args.data_root,
        allow_modified_data=args.allow_modified_data,
        suffix=args.suffix,
    )
    if result["extra"]:
        warn(
            f"{len(result['extra'])} file(s) in {args.sr_dir} match no image of "
            f"{result['dataset']} and were not scored: {', '.join(result['extra'])}"
        )
    print(json.dumps(result) if args.json else eval_summary(result, str(args.sr_dir)))
    if result["partial"]:
        what = f"{args.sr_dir} {result['dataset']} [{result['profile']}]"
        print("\n".join(partial_lines(result, what)), file=sys.stderr)
        return 2
    return 0
