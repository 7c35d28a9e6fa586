"""Command-line interface: ``suite <command>`` (also ``python -m suite``)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from suite import __version__, paths
from suite.errors import SuiteError
from suite.protocol.profiles import DEFAULT_PROFILE, PROFILES


def _add_location_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-root", help="folder holding the benchmark sets (SUITE_DATA_ROOT)")
    p.add_argument("--checkpoint-dir", help="folder with checkpoint files (SUITE_CHECKPOINT_DIR)")
    p.add_argument("--cache-dir", help="download/LR cache (SUITE_CACHE_DIR, .cache/suite)")
    p.add_argument("--results-dir", help="where results are written (SUITE_RESULTS_DIR, results/)")


def eval_options(args: argparse.Namespace, **overrides):  # -> EvalOptions
    """EvalOptions from the location/run flags shared by eval, reproduce and diagnose."""
    from suite.evaluation.runner import EvalOptions

    if getattr(args, "offline", False):
        os.environ[paths.ENV_OFFLINE] = "1"
    fields = {
        "profile": getattr(args, "profile", None),
        "data_root": args.data_root,
        "checkpoint_dir": args.checkpoint_dir,
        "cache_dir": args.cache_dir,
        "results_dir": getattr(args, "results_dir", None),
        "device": args.device,
        "scale": getattr(args, "scale", None),
        "allow_modified_data": args.allow_modified_data,
        "progress": not args.no_progress,
    }
    return EvalOptions(**{**fields, **overrides})


def _cmd_eval(args: argparse.Namespace) -> int:
    from suite.evaluation.runner import evaluate

    opts = eval_options(args, force=args.force, write=not args.no_write)
    for dataset in args.dataset:
        result = evaluate(args.model, dataset, opts)
        if args.json:
            print(json.dumps(result))
        else:
            print(
                f"{result['model']} ×{result['scale']:g} {result['dataset']} "
                f"[{result['profile']}]: PSNR {result['psnr']:.4f} dB  SSIM {result['ssim']:.4f}"
                f"  ({result['n_images']} images, data {result['data']['manifest']['status']})"
            )
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    from suite.models.checkpoints import checkpoint_status
    from suite.models.params import param_count
    from suite.models.zoo import model_specs

    rows = []
    for spec in model_specs().values():
        status = checkpoint_status(spec, args.checkpoint_dir, args.cache_dir)
        rows.append(
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
            }
        )
    if args.family:
        rows = [r for r in rows if r["family"].lower() == args.family.lower()]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    header = f"{'id':<24} {'family':<14} {'scale':>5} {'params':>10}  {'checkpoint':<12} source"
    print(header)
    print("-" * len(header))
    for r in rows:
        scale = f"×{r['scale']:g}"
        print(
            f"{r['id']:<24} {r['family']:<14} {scale:>5} {r['params']:>10,}  "
            f"{r['checkpoint']:<12} {r['source'] or r['venue']}"
        )
    avail = sum(r["available"] for r in rows)
    print(f"\n{len(rows)} models, {avail} with a checkpoint available locally")
    return 0


def _cmd_profiles(args: argparse.Namespace) -> int:
    if args.json:
        print(json.dumps([p.to_dict() for p in PROFILES.values()], indent=2))
        return 0
    for p in PROFILES.values():
        border = "scale" if p.border is None else p.border
        print(
            f"{p.name}: gt={p.gt_crop} lr={p.lr_mode} channel={p.channel} border={border} "
            f"sr_round={p.sr_round}\n    {p.description}"
        )
    return 0


def _cmd_datasets(args: argparse.Namespace) -> int:
    from suite.data.datasets import DATASETS, find_dataset
    from suite.data.manifests import verify_dataset

    rows = []
    for name in DATASETS:
        ds = find_dataset(name, args.data_root)
        if ds is None:
            rows.append({"dataset": name, "status": "absent"})
            continue
        rep = verify_dataset(ds)
        rows.append(
            {
                "dataset": name,
                "status": rep.status,
                "folder": str(ds.hr_dir),
                "layout": ds.layout,
                "n_images": len(ds.images),
                "detail": rep.describe(),
            }
        )
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for r in rows:
            extra = (
                f" {r['n_images']} images ({r['layout']}) in {r['folder']}" if "folder" in r else ""
            )
            print(f"{r['dataset']:<10} {r['status']:<11}{extra}")
            if r.get("detail") and r["status"] not in ("verified", "unverified"):
                print(f"           {r['detail']}")
    return 0


def _cmd_manifest(args: argparse.Namespace) -> int:
    from suite.data.datasets import require_dataset
    from suite.data.manifests import build_manifest, manifest_path
    from suite.results.store import write_json

    for name in args.dataset:
        ds = require_dataset(name, args.data_root)
        out = Path(args.out) / f"{ds.name}.json" if args.out else manifest_path(ds.name)
        write_json(out, build_manifest(ds, source=args.source))
        print(f"wrote {out} ({len(ds.images)} images)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="suite", description="Reproducible benchmarking of efficient super-resolution models."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("eval", help="score a zoo model on benchmark sets (PSNR/SSIM)")
    p.add_argument("model", help="zoo id, e.g. EIMN_A_x4 (see `suite list`)")
    p.add_argument(
        "--dataset", action="append", required=True, help="Set5, Set14, B100, Urban100, Manga109"
    )
    p.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        help=f"convention profile (default: the model's own; {DEFAULT_PROFILE} for most)",
    )
    p.add_argument("--device", default="cpu", help="cpu or cuda[:N]")
    p.add_argument(
        "--scale",
        type=float,
        help="target scale; arbitrary-scale models (LIIF, LTE, LMF) accept any, e.g. 2.5 or 8",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object per dataset")
    p.add_argument("--force", action="store_true", help="recompute even if a result exists")
    p.add_argument("--no-write", action="store_true", help="do not write results/")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--offline", action="store_true", help="never download (SUITE_OFFLINE=1)")
    p.add_argument(
        "--allow-modified-data",
        action="store_true",
        help="score a dataset copy that differs from its manifest (recorded in results)",
    )
    _add_location_args(p)
    p.set_defaults(func=_cmd_eval)

    p = sub.add_parser("list", help="show the model zoo and what is available locally")
    p.add_argument("--json", action="store_true")
    p.add_argument("--family", help="only this family")
    p.add_argument("--checkpoint-dir")
    p.add_argument("--cache-dir")
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("profiles", help="show the named convention profiles")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_profiles)

    p = sub.add_parser("datasets", help="find benchmark sets and verify them against manifests")
    p.add_argument("--data-root")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_datasets)

    p = sub.add_parser("manifest", help="(maintainers) write manifests from a trusted copy")
    p.add_argument("dataset", nargs="+")
    p.add_argument("--data-root")
    p.add_argument("--source", default="", help="where this copy came from")
    p.add_argument("--out", help="output folder (default datasets/manifests/)")
    p.set_defaults(func=_cmd_manifest)

    from suite.cli import diagnose, gate, plot, profile, report, reproduce

    for module in (diagnose, gate, plot, profile, report, reproduce):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except SuiteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyError as exc:  # unknown model/profile ids carry a helpful message
        print(f"error: {exc.args[0] if exc.args else exc}", file=sys.stderr)
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
