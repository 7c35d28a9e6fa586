"""``suite reproduce FAMILY``: evaluate a family's checkpoints and diff against its paper.

Exit codes: 0 when every run asked for was measured (or is absent, skipped or carried over,
each labelled); 2 when a run failed or came out partial (everything else is written), and when
nothing could be measured at all: then one line says why and how to get the data, and nothing is
written or printed as a comparison, so no earlier number passes for a fresh one.

``--executor ray [--address ADDR]`` runs each (model, set) cell as a task on a Ray cluster
(:mod:`suite.evaluation.executors`); the flags are the shared ones of
:func:`suite.cli.options.add_executor`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from suite.cli import options

NAME = "reproduce"
HELP = "evaluate a model family and diff against its paper"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("family", help="e.g. EIMN, IMDN, or `zoo` for every family but EIMN")
    p.add_argument("--dataset", action="append", help="restrict to these sets (repeatable)")
    options.add_profile(p)
    p.add_argument("--table", action="append", help="reference table(s) to diff against")
    p.add_argument("--out", type=Path, help="output folder (default <results>/<family>)")
    options.add_tolerances(p)
    p.add_argument(
        "--force",
        action="store_true",
        help="recompute finished runs (interrupted ones still resume from their partial log)",
    )
    options.add_run(p)
    options.add_locations(p, "data", "checkpoints", "cache", "results")
    options.add_executor(p)


def run(args: argparse.Namespace) -> int:
    from suite.errors import SuiteError
    from suite.evaluation.reproduce import reproduce
    from suite.reporting.comparison import comparison_markdown, comparison_text
    from suite.reporting.format import plural
    from suite.results.store import write_comparison_markdown

    tol = options.tolerances(args)
    opts = options.eval_options(args, force=args.force)
    report = reproduce(
        args.family,
        args.dataset,
        opts,
        args.table,
        tol,
        args.out,
        executor=options.executor_from_args(args),
        accelerator_type=args.accelerator_type,
    )
    write_comparison_markdown(report.out_dir, comparison_markdown(report, tol))
    print(comparison_text(report))
    print(f"written to {report.out_dir}")
    if report.failed:
        raise SuiteError(
            f"{plural(len(report.failed), 'run')} not compared (failed or partial): "
            f"{', '.join(report.failed)} (reasons above and under 'Not run' in "
            f"{report.out_dir / 'comparison.md'}); every other result is kept"
        )
    return 0
