"""``suite diagnose MODEL --dataset D``: which conventions reproduce the published number?"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "diagnose", help="score a checkpoint under every convention variant, ranked vs the paper"
    )
    p.add_argument("model")
    p.add_argument("--dataset", required=True)
    p.add_argument("--table", help="reference table to compare with (default: most precise)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--top", type=int, default=12, help="rows to print")
    p.add_argument("--out", help="folder for diagnosis_<model>_<dataset>.{json,md}")
    p.add_argument("--json", action="store_true")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--allow-modified-data", action="store_true")
    for flag in ("--data-root", "--checkpoint-dir", "--cache-dir"):
        p.add_argument(flag)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from suite.cli.main import eval_options
    from suite.evaluation.diagnose import diagnose
    from suite.reporting.diagnosis import diagnosis_markdown
    from suite.results.store import write_diagnosis

    opts = eval_options(args)
    result = diagnose(args.model, args.dataset, opts, args.table)
    md = diagnosis_markdown(result, args.top)
    if args.out:
        write_diagnosis(Path(args.out), result, md)
    print(json.dumps(result) if args.json else md)
    return 0
