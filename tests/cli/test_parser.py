"""The parser: every command declared the same way, shared flags declared once, and every
command and flag of earlier releases still accepted."""

from __future__ import annotations

import argparse

import pytest

from suite.cli.main import COMMANDS, DEPRECATED, build_parser

# Invocations of the release before the restructuring (one per command, every flag it had).
EARLIER = [
    "eval M --dataset Set5 --dataset Set14 --profile matlab --device cpu --scale 2 --json "
    "--force --no-write --no-progress --offline --allow-modified-data --data-root d "
    "--checkpoint-dir c --cache-dir k --results-dir r",
    "list --json --family EIMN --checkpoint-dir c --cache-dir k",
    "profiles --json",
    "datasets --data-root d --json",
    "manifest Set5 Set14 --data-root d --source s --out o",
    "profile M --size 640x360 --device cpu --repeats 2 --warmup 1 --precision fp16 "
    "--dataset Set5 --no-latency --no-memory --flops --counters ntire,thop --threads 1 "
    "--no-cudnn-benchmark --tf32 --json --no-write --data-root d --checkpoint-dir c "
    "--cache-dir k --results-dir r",
    "profile --all",
    "reproduce EIMN --dataset Set5 --profile basicsr --device cpu --table T --out o "
    "--psnr-close 0.1 --ssim-close 0.01 --force --offline --no-progress --allow-modified-data "
    "--data-root d --checkpoint-dir c --cache-dir k --results-dir r",
    "diagnose M --dataset Set5 --table T --device cpu --top 3 --out o --json --no-progress "
    "--allow-modified-data --data-root d --checkpoint-dir c --cache-dir k",
    "report r --reference ref --table T --out o --profiles p --profiles q --psnr-close 0.1 "
    "--ssim-close 0.01",
    "plot r --out o --reference ref --table T --format png pdf --profiles p",
    "gate r --baseline b --psnr-tol 0.01 --ssim-tol 0.001 --dataset Set5 --model M "
    "--fail-on-improvement --json --write-baseline w",
]


@pytest.mark.parametrize("argv", EARLIER, ids=lambda a: a.split()[0])
def test_earlier_invocations_still_parse(argv: str) -> None:
    args = build_parser().parse_args(argv.split())
    assert callable(args.run)


def test_renamed_flags_land_where_the_new_ones_do() -> None:
    parser = build_parser()
    old = parser.parse_args(["report", "r", "--profiles", "p", "--profiles", "q"])
    new = parser.parse_args(["report", "r", "--bench-dir", "p", "--bench-dir", "q"])
    assert old.bench_dirs == new.bench_dirs and [str(p) for p in new.bench_dirs] == ["p", "q"]
    assert parser.parse_args(["profile", "M"]).run is parser.parse_args(["bench", "M"]).run
    assert DEPRECATED == {"profile": "bench"}


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.NAME)
def test_every_command_is_declared_the_same_way(command) -> None:
    assert isinstance(command.NAME, str) and isinstance(command.HELP, str)
    assert callable(command.add_arguments) and callable(command.run)
    assert command.__doc__ and command.__doc__.startswith(f"``suite {command.NAME}")


def _flag_helps() -> dict[str, set[str]]:
    """Every long flag of every command -> the help texts it has across commands."""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps: dict[str, set[str]] = {}
    for name, p in sub.choices.items():
        if name in DEPRECATED:
            continue
        for action in p._actions:
            for flag in action.option_strings:
                helps.setdefault(flag, set()).add(str(action.help))
    return helps


@pytest.mark.parametrize(
    "flag",
    ["--data-root", "--checkpoint-dir", "--cache-dir", "--results-dir", "--device", "--offline",
     "--no-progress", "--allow-modified-data", "--profile", "--bench-dir", "--reference"],
)  # fmt: skip
def test_shared_flags_mean_the_same_everywhere(flag: str) -> None:
    helps = _flag_helps()
    assert len(helps[flag]) == 1, f"{flag} is declared differently: {helps[flag]}"
