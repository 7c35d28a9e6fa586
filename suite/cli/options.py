"""Flags shared by several commands, each declared once.

Commands pick the groups they need (``add_locations(p, "data", "cache")``, ``add_run(p)`` …);
:func:`eval_options` turns the parsed flags into the runner's options.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from suite.errors import SuiteError, warn
from suite.protocol.profiles import DEFAULT_PROFILE, PROFILES
from suite.results.compare import Tolerances

_LOCATIONS: dict[str, tuple[str, str]] = {
    "data": ("--data-root", "folder holding the benchmark sets (SUITE_DATA_ROOT, datasets/)"),
    "checkpoints": (
        "--checkpoint-dir",
        "folder with checkpoint files (SUITE_CHECKPOINT_DIR)",
    ),
    "cache": ("--cache-dir", "download and LR cache (SUITE_CACHE_DIR, .cache/suite)"),
    "results": ("--results-dir", "where results are written (SUITE_RESULTS_DIR, results/)"),
}


def add_locations(p: argparse.ArgumentParser, *which: str) -> None:
    """Location flags: any of ``data``, ``checkpoints``, ``cache``, ``results``."""
    for name in which:
        flag, help_text = _LOCATIONS[name]
        p.add_argument(flag, help=help_text)


def add_json(p: argparse.ArgumentParser, what: str = "the result") -> None:
    p.add_argument("--json", action="store_true", help=f"print {what} as JSON")


def add_device(p: argparse.ArgumentParser) -> None:
    p.add_argument("--device", default="cpu", help="cpu or cuda[:N] (default cpu)")


def add_profile(p: argparse.ArgumentParser) -> None:
    """``--profile``: the convention profile (see ``suite profiles``)."""
    p.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        help=f"convention profile (default: each model's own; {DEFAULT_PROFILE} for most)",
    )


def add_run(p: argparse.ArgumentParser) -> None:
    """How an evaluation runs: device, downloads, progress bar, altered data."""
    add_device(p)
    p.add_argument("--offline", action="store_true", help="never download (SUITE_OFFLINE=1)")
    add_downloads(p)
    add_allow_modified_data(p)


def add_downloads(p: argparse.ArgumentParser) -> None:
    """Where downloads come from and whether they show progress: ``--mirror``, ``--no-progress``."""
    p.add_argument(
        "--mirror",
        metavar="URL",
        help="fetch every download (data sets, checkpoints) from URL/<host>/<path> of its "
        "original URL (SUITE_MIRROR)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bars")


def add_allow_modified_data(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--allow-modified-data",
        action="store_true",
        help="use a dataset copy that differs from its manifest (recorded in results)",
    )


def add_tolerances(p: argparse.ArgumentParser) -> None:
    """When a measured cell counts as "close" to the published one."""
    p.add_argument("--psnr-close", type=float, default=Tolerances.psnr_close, help="dB")
    p.add_argument("--ssim-close", type=float, default=Tolerances.ssim_close)


def tolerances(args: argparse.Namespace) -> Tolerances:
    return Tolerances(psnr_close=args.psnr_close, ssim_close=args.ssim_close)


def add_report_inputs(p: argparse.ArgumentParser) -> None:
    """What reports and plots are made from: a results folder, the published tables to compare
    with, and where benchmark results are searched."""
    p.add_argument("results_dir", type=Path, help="folder of evaluation results, e.g. results/eimn")
    p.add_argument("--reference", type=Path, help="reference tables folder (default: shipped)")
    p.add_argument("--table", action="append", help="only these reference tables (repeatable)")
    add_bench_dirs(p)
    add_with(p)


USER_FLAGS = ("arch_kwargs", "weights", "name", "input_range")  # meaningful with --arch only


def add_user_model(p: argparse.ArgumentParser) -> None:
    """Your own model instead of a zoo id: ``--arch``, ``--arch-kwargs``, ``--weights``,
    ``--name``, ``--input-range`` (its ``--scale`` is declared by each command)."""
    g = p.add_argument_group("your own model (instead of MODEL)")
    g.add_argument(
        "--arch",
        metavar="REF",
        help="your network: package.module:Class, or path/to/file.py:Class",
    )
    g.add_argument(
        "--arch-kwargs",
        metavar="JSON",
        help="keyword arguments of the class, as a JSON object, e.g. '{\"scale\": 4}'",
    )
    g.add_argument("--weights", type=Path, metavar="FILE", help="its weights (a state dict)")
    g.add_argument(
        "--name",
        help="results name (a plain file name, not a zoo id; default <Class>_x<scale>)",
    )
    g.add_argument(
        "--input-range",
        type=float,
        help="pixel range the network expects: 1 (default, RGB in [0, 1]) or 255",
    )


def model_from_args(args: argparse.Namespace) -> Any:  # -> str | ModelSpec (lazy: torch)
    """The zoo id of MODEL, or the spec of your model from ``--arch`` and its flags; a
    SuiteError when the two are mixed or a flag is missing."""
    if not args.arch:
        given = [f"--{f.replace('_', '-')}" for f in USER_FLAGS if getattr(args, f) is not None]
        if given:
            verb = "describe" if len(given) > 1 else "describes"
            raise SuiteError(f"{', '.join(given)} {verb} your own model: give --arch too")
        return args.model
    if args.model:
        raise SuiteError(
            f"give either a zoo MODEL ({args.model}) or your own model (--arch), not both"
        )
    needed = (
        ("--weights", args.weights, "the file its weights are saved in"),
        ("--scale", args.scale, "the factor it upscales by"),
    )
    missing = [f"{flag} ({what})" for flag, value, what in needed if value is None]
    if missing:
        raise SuiteError(f"--arch {args.arch} needs {' and '.join(missing)}")
    from suite.models.user import parse_arch_kwargs, user_spec

    return user_spec(
        args.arch,
        args.weights,
        args.scale,
        name=args.name,
        arch_kwargs=parse_arch_kwargs(args.arch_kwargs),
        input_range=1.0 if args.input_range is None else args.input_range,
    )


def add_with(p: argparse.ArgumentParser) -> None:
    """``--with zoo``: place your models among the zoo's measured runs as well."""
    p.add_argument(
        "--with",
        dest="with_",
        action="append",
        choices=["zoo"],
        default=[],
        help="zoo: also the zoo's runs of your models' sets and scales, found under the results "
        "root (SUITE_RESULTS_DIR or results/)",
    )


def report_inputs(args: argparse.Namespace) -> dict[str, Any]:
    """The flags of :func:`add_report_inputs` as keywords of the reporting functions."""
    return {
        "results_dir": args.results_dir,
        "reference_dir": args.reference,
        "tables": args.table,
        "bench_dirs": args.bench_dirs,
    }


class _DeprecatedFlag(argparse.Action):
    """Appends like ``action="append"`` and warns when the old spelling is used."""

    def __init__(self, *args: Any, old: str, **kwargs: Any) -> None:
        self.old = old
        super().__init__(*args, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        if option_string == self.old:
            new = next(s for s in self.option_strings if s != self.old)
            warn(f"{self.old} is deprecated and will be removed; use {new}")
        items = list(getattr(namespace, self.dest) or [])
        setattr(namespace, self.dest, [*items, values])


def add_bench_dirs(p: argparse.ArgumentParser) -> None:
    """``--bench-dir`` (formerly ``--profiles``): where ``suite bench`` results are searched."""
    p.add_argument(
        "--bench-dir",
        "--profiles",
        dest="bench_dirs",
        type=Path,
        action=_DeprecatedFlag,
        old="--profiles",
        help="folder to search for `suite bench` results besides RESULTS_DIR (repeatable; "
        "default: the results root, SUITE_RESULTS_DIR or results/)",
    )


def eval_options(args: argparse.Namespace, **overrides: Any):  # -> EvalOptions (lazy import)
    """The runner's options from the location and run flags of eval, reproduce and diagnose."""
    from suite.evaluation.runner import EvalOptions

    fields = {
        "profile": getattr(args, "profile", None),
        "data_root": args.data_root,
        "checkpoint_dir": args.checkpoint_dir,
        "cache_dir": args.cache_dir,
        "results_dir": getattr(args, "results_dir", None),
        "device": args.device,
        "scale": getattr(args, "scale", None),
        "allow_modified_data": args.allow_modified_data,
        "download": not args.offline,
        "mirror": args.mirror,
        "progress": not args.no_progress,
    }
    return EvalOptions(**{**fields, **overrides})


def add_executor(p: argparse.ArgumentParser) -> None:
    """``--executor local|ray``, ``--address``, ``--accelerator-type``: where the cells run."""
    g = p.add_argument_group("where the cells run")
    g.add_argument(
        "--executor",
        choices=["local", "ray"],
        default="local",
        help="local: one cell after another in this process (default); ray: each cell a task "
        "on a Ray cluster (pip install 'sr-suite[ray]')",
    )
    g.add_argument(
        "--address",
        help="the Ray cluster to join (e.g. ray://head:10001, or auto); default: the cluster "
        "this machine belongs to, else a new local one",
    )
    g.add_argument(
        "--accelerator-type",
        metavar="KIND",
        help="run GPU cells only on this GPU kind, as Ray names it (e.g. H100, A100)",
    )


def executor_from_args(args: argparse.Namespace):  # -> Executor (lazy import)
    """The executor :func:`add_executor`'s flags name."""
    from suite.evaluation.executors import make_executor

    if args.accelerator_type and args.executor != "ray":
        raise SuiteError(
            f"--accelerator-type {args.accelerator_type} applies to --executor ray (cells "
            "running in this process use this machine's GPU)"
        )
    return make_executor(args.executor, args.address)
