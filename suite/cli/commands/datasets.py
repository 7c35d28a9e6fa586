"""``suite datasets``: which benchmark sets are under the data root, verified against manifests."""

from __future__ import annotations

import argparse
import json
from typing import Any

from suite.cli import options

NAME = "datasets"
HELP = "find benchmark sets and verify them against manifests"


def add_arguments(p: argparse.ArgumentParser) -> None:
    options.add_locations(p, "data")
    options.add_json(p, "one object per set")


def rows(data_root: str | None) -> list[dict[str, Any]]:
    """One record per known set: ``absent``, or where it is and how it verifies."""
    from suite.data.datasets import DATASETS, find_dataset
    from suite.data.manifests import verify_dataset

    out: list[dict[str, Any]] = []
    for name in DATASETS:
        ds = find_dataset(name, data_root)
        if ds is None:
            out.append({"dataset": name, "status": "absent"})
            continue
        report = verify_dataset(ds)
        out.append(
            {
                "dataset": name,
                "status": report.status,
                "folder": str(ds.hr_dir),
                "layout": ds.layout,
                "n_images": len(ds.images),
                "detail": report.describe(),
            }
        )
    return out


def run(args: argparse.Namespace) -> int:
    from suite.reporting.format import MISSING, table

    sets = rows(args.data_root)
    if args.json:
        print(json.dumps(sets, indent=2))
        return 0
    print(
        table(
            ["dataset", "status", "images", "layout", "folder"],
            [
                [
                    r["dataset"],
                    r["status"],
                    str(r.get("n_images", MISSING)),
                    r.get("layout", MISSING),
                    r.get("folder", MISSING),
                ]
                for r in sets
            ],
            style="plain",
        )
    )
    for r in sets:
        if r.get("detail") and r["status"] not in ("verified", "unverified"):
            print(f"{r['dataset']}: {r['detail']}")
    return 0
