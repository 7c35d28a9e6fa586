"""The ``suite`` parser and entry point: every command declared the same way, errors as one line.

Exit codes: 0 success; 1 a verdict that failed (``suite gate`` found a regression); 2 unusable
input — a :class:`~suite.errors.SuiteError` (a missing or altered file, an unknown name, a wrong
scale …) prints ``error: <message>``, and argparse rejects bad flags the same way; 3 an internal
error (a bug: the traceback is printed, please report it); 130 interrupted. Finished work is
always kept on disk.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence

from suite import __version__
from suite.cli.commands import (
    bench,
    datasets,
    diagnose,
    gate,
    manifest,
    plot,
    profiles,
    report,
    reproduce,
    score,
)
from suite.cli.commands import eval as eval_
from suite.cli.commands import list as list_
from suite.errors import SuiteError, warn

COMMANDS = (
    eval_,
    score,
    list_,
    profiles,
    datasets,
    manifest,
    bench,
    reproduce,
    diagnose,
    report,
    plot,
    gate,
)

# old command names still accepted for one release, and what replaced them
DEPRECATED = {"profile": "bench"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="suite", description="Reproducible benchmarking of efficient super-resolution models."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        p = sub.add_parser(
            command.NAME,
            aliases=list(getattr(command, "ALIASES", ())),
            help=command.HELP,
            description=getattr(command, "DESCRIPTION", command.HELP),
        )
        command.add_arguments(p)
        p.set_defaults(run=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in DEPRECATED:
        warn(f"`suite {args.command}` is deprecated; use `suite {DEPRECATED[args.command]}`")
    try:
        return int(args.run(args) or 0)
    except SuiteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `suite list | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print(
            "interrupted: finished images are kept; rerun the same command to resume",
            file=sys.stderr,
        )
        return 130
    except Exception:  # a bug, not bad input: show it, and never exit like a verdict (1)
        traceback.print_exc()
        print(
            f"internal error in `suite {args.command}` (a bug, not your input): please report "
            "it with the traceback above; finished work is kept",
            file=sys.stderr,
        )
        return 3
