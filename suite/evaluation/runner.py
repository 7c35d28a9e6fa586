"""Evaluate one model on one benchmark set under one profile, resumably.

Composes the pure pieces: dataset discovery + manifest check, LR generation (cached), checkpoint
resolution + strict load, inference, quantisation and metrics. Each finished image is logged at
once, so an interruption loses nothing already computed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from suite import paths
from suite.bench.environment import env_info
from suite.data.datasets import check_dataset, require_dataset
from suite.errors import ScaleError, SuiteError
from suite.evaluation.inference import is_oom, quantise, run_model
from suite.models.checkpoints import load_model, resolve_checkpoint, sha256_file
from suite.models.zoo import ModelSpec, get_model
from suite.protocol.metrics import psnr, ssim
from suite.protocol.pairs import load_pair
from suite.protocol.profiles import Profile, get_profile
from suite.results.store import (
    SCHEMA,
    PartialLog,
    finite_or_none,
    load_result,
    partial_log,
    result_json,
    write_result,
)


@dataclass
class EvalOptions:
    """Where things are and how to run; every field has a sensible default."""

    profile: str | Profile | None = None  # None: the model's own default profile
    data_root: Path | str | None = None
    checkpoint_dir: Path | str | None = None
    cache_dir: Path | str | None = None
    results_dir: Path | str | None = None
    device: str = "cpu"
    allow_modified_data: bool = False
    download: bool = True
    progress: bool = True
    scale: float | None = None  # target scale; only arbitrary-scale models accept another one
    force: bool = False  # recompute even if a finished result with the same key exists
    write: bool = True  # write JSON/CSV under results_dir


def resolve_device(device: str) -> torch.device:
    """``cpu`` or ``cuda[:N]``; asking for CUDA without a GPU is an error, not a silent fallback."""
    dev = torch.device(device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise SuiteError("--device cuda requested but no CUDA GPU is available; use --device cpu")
    return dev


def target_scale(spec: ModelSpec, requested: float | None) -> float:
    """The scale to evaluate at: the model's own, or any for arbitrary-scale models."""
    if requested is None or float(requested) == float(spec.scale):
        return int(spec.scale) if float(spec.scale) == int(spec.scale) else float(spec.scale)
    if not spec.arbitrary_scale:
        raise ScaleError(
            f"{spec.id} is a fixed ×{spec.scale:g} model and cannot run at ×{requested:g}; pick "
            f"the {spec.family} model for that scale (`suite list --family {spec.family}`)"
        )
    if requested <= 1:
        raise ScaleError(f"scale must be > 1, got {requested:g}")
    return int(requested) if float(requested) == int(requested) else float(requested)


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else float("nan")


def score_image(
    model: torch.nn.Module,
    spec: ModelSpec,
    lr: np.ndarray,
    hr: np.ndarray,
    profile: Profile,
    device: torch.device,
    scale: float | None = None,
) -> tuple[float, float]:
    """PSNR and SSIM of one super-resolved image (rendered at the HR's size) under a profile."""
    scale = target_scale(spec, None) if scale is None else scale
    out = run_model(model, lr, scale, spec.input_range, device, out_hw=hr.shape[:2])
    sr = quantise(out, profile.sr_round)
    border = profile.border_for(scale)
    return (
        psnr(sr, hr, crop_border=border, channel=profile.channel),
        ssim(sr, hr, crop_border=border, channel=profile.channel),
    )


def evaluate(
    model: str | ModelSpec, dataset: str, options: EvalOptions | None = None
) -> dict[str, Any]:
    """Score a zoo model (id or spec) on a dataset; the result is also written to results/."""
    opt = options or EvalOptions()
    spec = model if isinstance(model, ModelSpec) else get_model(model)
    chosen = opt.profile or spec.default_profile
    profile = chosen if isinstance(chosen, Profile) else get_profile(chosen)
    scale = target_scale(spec, opt.scale)
    device = resolve_device(opt.device)
    ds = require_dataset(dataset, opt.data_root)
    report = check_dataset(ds, allow_modified=opt.allow_modified_data)
    results_dir = paths.results_dir(opt.results_dir)
    cache_dir = paths.cache_dir(opt.cache_dir)

    ckpt_path = resolve_checkpoint(
        spec, opt.checkpoint_dir, cache_dir, download=opt.download, progress=opt.progress
    )
    ckpt_sha = sha256_file(ckpt_path)
    key = {
        "model": spec.id,
        "checkpoint_sha256": ckpt_sha,
        "dataset": ds.name,
        "images": sorted(ds.images),
        "manifest_status": report.status,
        "profile": profile.to_dict(),
        "device": device.type,
    }
    if spec.arbitrary_scale:  # a fixed model's id already fixes its scale
        key["scale"] = scale
    stem = run_name(ds.name, spec, scale)
    final = result_json(results_dir, spec.id, stem, profile.name)
    if opt.write and not opt.force and final.is_file():
        previous = load_result(final)
        if previous.get("run_key") == key:
            return previous

    net = load_model(spec, opt.checkpoint_dir, cache_dir, device=str(device), download=False)
    log_path = partial_log(results_dir, spec.id, stem, profile.name) if opt.write else None
    log = PartialLog(log_path, key)
    todo = [n for n in ds.images if n not in log.done]
    start = time.perf_counter()
    bar = tqdm(
        todo,
        desc=f"{spec.id} {ds.name} [{profile.name}]",
        unit="img",
        disable=not opt.progress,
        leave=False,
    )
    with _fp32_exact(device):
        for name in bar:
            pair = load_pair(ds, name, scale, profile, cache_dir)
            try:
                p, s = score_image(net, spec, pair.lr, pair.hr, profile, device, scale)
            except RuntimeError as exc:
                if is_oom(exc):
                    raise SuiteError(
                        f"{spec.id} ran out of memory on {ds.images[name]} (LR "
                        f"{pair.lr.shape[1]}×{pair.lr.shape[0]}) on {device}. The "
                        f"{len(log.done)} images already scored are kept in {log.path}; rerun to "
                        "resume. Fix: free GPU memory or use --device cpu."
                    ) from exc
                raise
            log.append(
                {
                    "name": name,
                    "psnr": finite_or_none(p),
                    "ssim": float(s),
                    "hr_shape": list(pair.hr.shape),
                    "lr_shape": list(pair.lr.shape),
                }
            )
    per_image = [log.done[n] for n in ds.images]
    psnrs = [r["psnr"] for r in per_image if r["psnr"] is not None]
    result = {
        "schema": SCHEMA,
        "model": spec.id,
        "family": spec.family,
        "arch": spec.arch,
        "scale": scale,
        "dataset": ds.name,
        "run_name": stem,
        "profile": profile.name,
        "profile_spec": profile.to_dict(),
        "psnr": _mean(psnrs),
        "ssim": _mean([r["ssim"] for r in per_image]),
        "n_images": len(per_image),
        "per_image": per_image,
        "checkpoint": {
            "file": str(ckpt_path),
            "sha256": ckpt_sha,
            "url": spec.checkpoint.url if spec.checkpoint else None,
        },
        "data": {
            "folder": str(ds.hr_dir),
            "layout": ds.layout,
            "manifest": report.to_dict(),
        },
        "env": env_info(str(device)),
        "elapsed_s": round(time.perf_counter() - start, 3),
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "run_key": key,
    }
    if opt.write:
        write_result(result, results_dir)
        log.remove()
    return result


def run_name(dataset: str, spec: ModelSpec, scale: float) -> str:
    """File stem for a run: the dataset, plus the scale for arbitrary-scale models."""
    return f"{dataset}_x{scale:g}" if spec.arbitrary_scale else dataset


class _fp32_exact:
    """Disable TF32 on CUDA while scoring so GPU numbers match fp32 CPU numbers."""

    def __init__(self, device: torch.device):
        self.cuda = device.type == "cuda"

    def __enter__(self) -> None:
        if self.cuda:
            self._saved = (torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32)
            torch.backends.cudnn.allow_tf32 = False
            torch.backends.cuda.matmul.allow_tf32 = False

    def __exit__(self, *exc: object) -> None:
        if self.cuda:
            torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = self._saved
