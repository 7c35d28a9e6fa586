"""``suite datasets``: which benchmark sets are under the data root, verified against manifests;
``--download [SET …]`` fetches the absent ones (from their upstream URLs or a ``--mirror``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import PurePosixPath
from typing import Any

from suite.cli import options
from suite.errors import SuiteError

NAME = "datasets"
HELP = "find, verify and download benchmark sets"


def add_arguments(p: argparse.ArgumentParser) -> None:
    options.add_locations(p, "data")
    options.add_json(p, "the sets (one object each, with its registered files)")
    p.add_argument(
        "--download",
        nargs="*",
        metavar="SET",
        help="download these sets into the data root, every file checked against its manifest "
        "(no SET: Set5 Set14 B100 Urban100; DIV2K_val and Manga109 only when named)",
    )
    p.add_argument(
        "--accept-terms",
        action="append",
        default=[],
        metavar="SET",
        help="accept the terms of a set that restricts redistribution (Manga109: academic use "
        "only), so that --download may fetch it",
    )
    options.add_downloads(p)


def default_downloads() -> list[str]:
    """The sets ``--download`` fetches when none is named: those published file by file, with
    no terms to accept (Set5, Set14, B100, Urban100)."""
    from suite.data.datasets import DATASETS, registration

    regs = [registration(name) for name in DATASETS]
    return [r.name for r in regs if r.files and r.archive is None and not r.terms]


def _file_status(stem: str, found: bool, report: Any) -> str:
    """One registered file's local status: absent, verified, modified or unverified."""
    if not found or stem in report.missing:
        return "absent"
    if stem in {PurePosixPath(f).stem for f in report.modified}:
        return "modified"
    unchecked = {PurePosixPath(f).stem for f in report.unchecked}
    return "unverified" if stem in unchecked or report.status == "unverified" else "verified"


def _files(reg: Any, ds: Any, report: Any) -> list[dict[str, Any]]:
    """Every file registered for download, with its local status."""
    from suite.data.datasets import ARCHIVE_RECORD

    if reg.archive is not None:
        record = ds.hr_dir / ARCHIVE_RECORD if ds is not None else None
        entry = {
            "name": reg.archive_name,
            "url": reg.archive.url,
            "sha256": reg.archive.sha256,
            "bytes": reg.archive.size,
            "status": "absent" if ds is None else report.status,
        }
        if record is not None and record.is_file():
            entry["recorded_sha256"] = json.loads(record.read_text())["sha256"]
        return [entry]
    return [
        {
            "name": file,
            "url": remote.url,
            "sha256": remote.sha256,
            "bytes": remote.size,
            "status": _file_status(PurePosixPath(file).stem, ds is not None, report),
        }
        for file, remote in reg.files.items()
    ]


def rows(data_root: str | None) -> list[dict[str, Any]]:
    """One record per known set: ``absent``, or where it is and how it verifies; and its files."""
    from suite.data.datasets import DATASETS, find_dataset, registration
    from suite.data.manifests import verify_dataset

    out: list[dict[str, Any]] = []
    for name in DATASETS:
        ds = find_dataset(name, data_root)
        report = verify_dataset(ds) if ds is not None else None
        row: dict[str, Any] = {"dataset": name, "status": "absent"}
        if ds is not None:
            row = {
                "dataset": name,
                "status": report.status,
                "folder": str(ds.hr_dir),
                "layout": ds.layout,
                "n_images": len(ds.images),
                "detail": report.describe(),
            }
        reg = registration(name)
        if reg.terms:
            row["terms"] = reg.terms
        out.append({**row, "files": _files(reg, ds, report)})
    return out


def download(args: argparse.Namespace) -> None:
    """``--download``: fetch the named sets (or the default ones), each reported on one line."""
    from suite import paths
    from suite.data.datasets import canonical_name, download_dataset

    if paths.offline():
        raise SuiteError(
            f"--download: downloads are off ({paths.ENV_OFFLINE} is set). Fix: unset "
            f"{paths.ENV_OFFLINE} to download"
        )
    accepted = {canonical_name(name) for name in args.accept_terms}
    names = [canonical_name(name) for name in args.download] or default_downloads()
    out = sys.stderr if args.json else sys.stdout
    for name in dict.fromkeys(names):
        ds = download_dataset(
            name,
            args.data_root,
            progress=not args.no_progress,
            mirror=args.mirror,
            accept_terms=name in accepted,
        )
        print(f"{name}: {len(ds.images)} images in {ds.hr_dir}", file=out)


def run(args: argparse.Namespace) -> int:
    from suite.reporting.format import MISSING, table

    if args.download is not None:
        download(args)
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
    if any(r["status"] == "absent" and r["files"] for r in sets):
        print(
            "\nabsent sets: `suite datasets --download SET` fetches them (--mirror URL for a lab "
            "mirror); Manga109 also needs --accept-terms Manga109"
        )
    return 0
