"""``suite diagnose MODEL --dataset D``: which conventions reproduce the published number?"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from suite.cli import options

NAME = "diagnose"
HELP = "score a checkpoint under every convention variant, ranked vs the paper"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="zoo id, e.g. EIMN_A_x4")
    p.add_argument("--dataset", required=True)
    p.add_argument("--table", help="reference table to compare with (default: most precise)")
    p.add_argument("--top", type=int, default=12, help="rows to print (12)")
    p.add_argument("--out", type=Path, help="folder for diagnosis_<model>_<dataset>.{json,md}")
    options.add_json(p, "the whole diagnosis")
    options.add_run(p)
    options.add_locations(p, "data", "checkpoints", "cache")


def run(args: argparse.Namespace) -> int:
    from suite.evaluation.diagnose import diagnose
    from suite.reporting.diagnosis import diagnosis_markdown
    from suite.results.store import write_diagnosis

    result = diagnose(args.model, args.dataset, options.eval_options(args), args.table)
    md = diagnosis_markdown(result, args.top)
    if args.out:
        write_diagnosis(args.out, result, md)
    print(json.dumps(result) if args.json else md)
    return 0
