"""``suite report RESULTS_DIR [RESULTS_DIR …] --out DIR``: the markdown report of measured vs
published numbers, with one leaderboard per set × scale × profile.

Several folders (``results/eimn results/zoo``) make one field-wide report: the newest run of each
model, set and profile across them. ``report.md`` and ``per_image.md`` (and, with ``--html``, a
self-contained ``report.html``) are written into ``--out`` (default: the results folder, when
there is one); the figures ``suite plot … --out DIR/plots`` wrote there are shown in the
leaderboards. Your own models' results are ranked among the published methods of their set and
scale; ``--with zoo`` adds the zoo's measured runs there. The folder inputs are declared here by
:func:`add_inputs`, for ``suite plot`` too.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from suite.cli import options

NAME = "report"
HELP = "markdown report: verdict, paper-layout tables, leaderboards, provenance"


def add_inputs(p: argparse.ArgumentParser) -> None:
    """What reports and plots are made from: one results folder or several, the published
    tables to compare with, and where benchmark results are searched."""
    p.add_argument(
        "results_dirs",
        type=Path,
        nargs="+",
        metavar="RESULTS_DIR",
        help="folder of evaluation results, e.g. results/eimn (several: one field-wide output)",
    )
    p.add_argument("--reference", type=Path, help="reference tables folder (default: shipped)")
    p.add_argument("--table", action="append", help="only these reference tables (repeatable)")
    options.add_bench_dirs(p)
    options.add_with(p)


def inputs(args: argparse.Namespace) -> dict[str, Any]:
    """The flags of :func:`add_inputs` as keywords of the reporting functions (read by
    :func:`options.report_inputs`, whose single RESULTS_DIR is the list of folders here)."""
    fields = options.report_inputs(argparse.Namespace(**vars(args), results_dir=args.results_dirs))
    return {"results_dirs": fields.pop("results_dir"), **fields, "with_zoo": "zoo" in args.with_}


def out_folder(args: argparse.Namespace) -> Path | None:
    """``--out``, a folder; required with several results folders (none of them is the
    obvious place for a field-wide output)."""
    from suite.errors import SuiteError

    if args.out is None and len(args.results_dirs) > 1:
        raise SuiteError(
            f"{len(args.results_dirs)} results folders make one field-wide output: say where it "
            "goes with --out DIR (e.g. --out results/field)"
        )
    if args.out is not None and args.out.suffix.lower() in (".md", ".html", ".png", ".svg"):
        raise SuiteError(
            f"--out {args.out} looks like a file; --out is the folder the outputs are written "
            "into (e.g. --out results/field)"
        )
    return args.out


def require_report_extra(module: str) -> None:
    """A one-line SuiteError naming the install command when ``module`` (matplotlib for the
    figures, markdown_it for ``--html``) is not installed: both come with the ``report`` extra."""
    import importlib.util

    from suite.errors import SuiteError

    if importlib.util.find_spec(module) is None:
        raise SuiteError(
            f"{module} is not installed here: pip install 'sr-suite[report]' (figures and "
            "report.html need it)"
        )


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_inputs(p)
    p.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="folder for report.md and per_image.md (default: RESULTS_DIR, when there is one)",
    )
    p.add_argument(
        "--html",
        action="store_true",
        help="also write report.html: the report as one self-contained page, figures inline",
    )
    options.add_tolerances(p)


def run(args: argparse.Namespace) -> int:
    from suite.reporting.markdown import HTML, PER_IMAGE, write_report

    if args.html:
        require_report_extra("markdown_it")
    report = write_report(
        out=out_folder(args), html=args.html, tol=options.tolerances(args), **inputs(args)
    )
    for path in (report, report.with_name(PER_IMAGE), *[report.with_name(HTML)] * args.html):
        print(f"wrote {path}")
    return 0
