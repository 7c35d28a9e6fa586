"""``suite manifest SET …`` (maintainers): write manifests from a trusted local copy."""

from __future__ import annotations

import argparse
from pathlib import Path

from suite.cli import options

NAME = "manifest"
HELP = "(maintainers) write manifests from a trusted copy"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("dataset", nargs="+")
    options.add_locations(p, "data")
    p.add_argument("--source", default="", help="where this copy came from")
    p.add_argument("--out", type=Path, help="output folder (default datasets/manifests/)")


def run(args: argparse.Namespace) -> int:
    from suite.data.datasets import require_dataset
    from suite.data.manifests import build_manifest, manifest_path
    from suite.results.store import write_json

    for name in args.dataset:
        ds = require_dataset(name, args.data_root)
        out = args.out / f"{ds.name}.json" if args.out else manifest_path(ds.name)
        write_json(out, build_manifest(ds, source=args.source))
        print(f"wrote {out} ({len(ds.images)} images)")
    return 0
