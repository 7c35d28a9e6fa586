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
    if args.json:
        print(json.dumps([p.to_dict() for p in PROFILES.values()], indent=2))
        return 0
    for p in PROFILES.values():
        border = "scale" if p.border is None else p.border
        print(
            f"{p.name}: gt={p.gt_crop} lr={p.lr_mode} channel={p.channel} border={border} "
            f"sr_round={p.sr_round}\n    {p.description}"
        )
    return 0
