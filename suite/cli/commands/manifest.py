"""``suite manifest SET …`` (maintainers): write the manifests sets are verified and downloaded
with, from a trusted local copy and a provenance file (or, for a set known only by its hashes,
from the provenance file alone)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from suite.cli import options
from suite.errors import SuiteError

NAME = "manifest"
HELP = "(maintainers) write manifests from a trusted copy"

# fields of a manifest that say how a set is obtained: kept when its images are re-hashed
_REGISTRATION = ("terms", "archive")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("dataset", nargs="+")
    options.add_locations(p, "data")
    p.add_argument("--source", default="", help="where this copy came from")
    p.add_argument("--out", type=Path, help="output folder (default datasets/manifests/)")
    p.add_argument(
        "--provenance",
        type=Path,
        metavar="FILE",
        help="record where each image is published (repo, commit, path) from FILE: "
        "shared/MANIFEST.json, or a hash list like shared/reference/manga109_sha256.json",
    )
    p.add_argument(
        "--hashes-only",
        action="store_true",
        help="no local copy: write the manifest from the --provenance file alone (file hashes "
        "only, e.g. Manga109)",
    )
    p.add_argument(
        "--terms",
        help="terms a user must accept before the suite downloads the set (`suite datasets "
        "--download SET --accept-terms SET`)",
    )


def _set_files(provenance: dict[str, dict], name: str, source: Path) -> dict[str, dict]:
    """The provenance entries of one set."""
    if name not in provenance:
        raise SuiteError(f"the provenance file {source} lists no file of {name}")
    return provenance[name]


def _registration(out: Path, terms: str | None) -> dict[str, Any]:
    """How the set is obtained: what the manifest being replaced says, ``terms`` overriding."""
    old = json.loads(out.read_text(encoding="utf-8")) if out.is_file() else {}
    kept = {key: old[key] for key in _REGISTRATION if key in old}
    return {**kept, "terms": terms} if terms else kept


def run(args: argparse.Namespace) -> int:
    from suite.data.datasets import canonical_name, manifest_path, require_dataset
    from suite.data.manifests import build_manifest, load_provenance, manifest_from_hashes
    from suite.results.store import write_json

    if args.hashes_only and args.provenance is None:
        raise SuiteError("--hashes-only needs --provenance FILE (the hashes of the set's files)")
    provenance = load_provenance(args.provenance) if args.provenance else None
    for given in args.dataset:
        name = canonical_name(given)
        files = None if provenance is None else _set_files(provenance, name, args.provenance)
        if args.hashes_only:
            doc = manifest_from_hashes(name, files or {}, source=args.source)
        else:
            ds = require_dataset(name, args.data_root, download=False)
            doc = build_manifest(ds, source=args.source, provenance=files)
        out = args.out / f"{name}.json" if args.out else manifest_path(name)
        images = doc.pop("images")
        write_json(out, {**doc, **_registration(out, args.terms), "images": images})
        print(f"wrote {out} ({doc['n_images']} images)")
    return 0
