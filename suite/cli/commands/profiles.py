"""``suite profiles``: the named convention profiles (how LR is made, what is scored)."""

from __future__ import annotations

import argparse
import json

from suite.cli import options
from suite.protocol.profiles import PROFILES

NAME = "profiles"
HELP = "show the named convention profiles"


def add_arguments(p: argparse.ArgumentParser) -> None:
    options.add_json(p, "the profiles")


def run(args: argparse.Namespace) -> int:
    from suite.reporting.format import table

    if args.json:
        print(json.dumps([p.to_dict() for p in PROFILES.values()], indent=2))
        return 0
    header = ["profile", "GT crop", "LR", "channel", "border", "SR rounded", "what it is"]
    rows = [
        [
            p.name,
            p.gt_crop,
            p.lr_mode,
            p.channel,
            "scale" if p.border is None else str(p.border),
            "yes" if p.sr_round else "no",
            p.description,
        ]
        for p in PROFILES.values()
    ]
    print(table(header, rows, "plain"))
    return 0
