"""``suite list``: every registered model, its #params and whether its checkpoint is at hand."""

from __future__ import annotations

import argparse
import json
from typing import Any

from suite.cli import options

NAME = "list"
HELP = "show the model zoo and what is available locally"


def add_arguments(p: argparse.ArgumentParser) -> None:
    options.add_json(p, "an array of models")
    p.add_argument("--family", help="only this family")
    options.add_locations(p, "checkpoints", "cache")


def rows(family: str | None, checkpoint_dir: str | None, cache_dir: str | None) -> list[dict]:
    """One record per zoo model (what ``--json`` prints)."""
    from suite.models.checkpoints import checkpoint_status
    from suite.models.params import param_count
    from suite.models.zoo import model_specs

    out: list[dict[str, Any]] = []
    for spec in model_specs().values():
        if family and spec.family.lower() != family.lower():
            continue
        status = checkpoint_status(spec, checkpoint_dir, cache_dir)
        out.append(
            {
                "id": spec.id,
                "family": spec.family,
                "arch": spec.arch,
                "scale": spec.scale,
                "params": param_count(spec),
                "available": status in ("local", "cached"),
                "checkpoint": status,
                "paper": spec.paper,
                "venue": spec.venue,
                "source": spec.checkpoint.repo if spec.checkpoint else None,
                "url": spec.checkpoint.url if spec.checkpoint else None,
                "sha256": spec.checkpoint.sha256 if spec.checkpoint else None,
            }
        )
    return out


def run(args: argparse.Namespace) -> int:
    from suite.reporting.format import table

    models = rows(args.family, args.checkpoint_dir, args.cache_dir)
    if args.json:
        print(json.dumps(models, indent=2))
        return 0
    print(
        table(
            ["id", "family", "scale", "params", "checkpoint", "source"],
            [
                [
                    r["id"],
                    r["family"],
                    f"×{r['scale']:g}",
                    f"{r['params']:,}",
                    r["checkpoint"],
                    r["source"] or r["venue"],
                ]
                for r in models
            ],
            style="plain",
        )
    )
    available = sum(r["available"] for r in models)
    print(f"\n{len(models)} models, {available} with a checkpoint available locally")
    return 0
