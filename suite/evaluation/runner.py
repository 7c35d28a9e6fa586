"""Evaluate one model on one benchmark set under one profile, resumably.

Composes the pure pieces: dataset discovery + manifest check, LR generation (cached), checkpoint
resolution + strict load, inference, quantisation and metrics. Each finished image is logged at
once, so an interruption loses nothing already computed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from suite import paths
from suite.bench.environment import env_info, resolve_device
from suite.data.datasets import Dataset, require_dataset
from suite.data.manifests import ManifestReport, check_dataset
from suite.errors import ScaleError, SuiteError
from suite.evaluation.inference import is_oom, run_model
from suite.models.checkpoints import resolve_checkpoint, sha256_file
from suite.models.loading import load_weights
from suite.models.spec import ModelSpec
from suite.models.zoo import get_spec
from suite.protocol.metrics import psnr, ssim
from suite.protocol.pairs import load_pair
from suite.protocol.pixels import quantise
from suite.protocol.profiles import Profile, get_profile
from suite.results.records import EvalResult
from suite.results.store import (
    EVAL_SCHEMA,
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


@dataclass
class Run:
    """One evaluation with everything resolved: model, conventions, data, weights, files."""

    spec: ModelSpec
    profile: Profile
    scale: float
    device: torch.device
    dataset: Dataset
    manifest: ManifestReport
    checkpoint: Path
    checkpoint_sha256: str
    results_dir: Path
    cache_dir: Path

    @property
    def name(self) -> str:
        """File stem of the run: the dataset, plus the scale for arbitrary-scale models."""
        return run_name(self.dataset.name, self.spec, self.scale)

    @property
    def key(self) -> dict[str, Any]:
        """What a stored result or partial log must match to be reused."""
        key = {
            "model": self.spec.id,
            "checkpoint_sha256": self.checkpoint_sha256,
            "dataset": self.dataset.name,
            "images": sorted(self.dataset.images),
            "manifest_status": self.manifest.status,
            "profile": self.profile.to_dict(),
            "device": self.device.type,
        }
        if self.spec.arbitrary_scale:  # a fixed model's id already fixes its scale
            key["scale"] = self.scale
        return key


def run_name(dataset: str, spec: ModelSpec, scale: float) -> str:
    """File stem for a run: the dataset, plus the scale for arbitrary-scale models."""
    return f"{dataset}_x{scale:g}" if spec.arbitrary_scale else dataset


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


@contextlib.contextmanager
def fp32_exact(device: torch.device) -> Iterator[None]:
    """Disable TF32 on CUDA while scoring so GPU numbers match fp32 CPU numbers."""
    if device.type != "cuda":
        yield
        return
    cudnn, matmul = torch.backends.cudnn, torch.backends.cuda.matmul
    saved = (cudnn.allow_tf32, matmul.allow_tf32)
    cudnn.allow_tf32 = matmul.allow_tf32 = False
    try:
        yield
    finally:
        cudnn.allow_tf32, matmul.allow_tf32 = saved


# --------------------------------------------------------------------------- steps


def plan_run(spec: ModelSpec, dataset: str, opt: EvalOptions) -> Run:
    """Resolve conventions, device, data (verified against its manifest) and the checkpoint."""
    chosen = opt.profile or spec.default_profile
    profile = chosen if isinstance(chosen, Profile) else get_profile(chosen)
    scale = target_scale(spec, opt.scale)
    device = resolve_device(opt.device)
    ds = require_dataset(dataset, opt.data_root)
    manifest = check_dataset(ds, allow_modified=opt.allow_modified_data)
    cache_dir = paths.cache_dir(opt.cache_dir)
    checkpoint = resolve_checkpoint(
        spec, opt.checkpoint_dir, cache_dir, download=opt.download, progress=opt.progress
    )
    return Run(
        spec=spec,
        profile=profile,
        scale=scale,
        device=device,
        dataset=ds,
        manifest=manifest,
        checkpoint=checkpoint,
        checkpoint_sha256=sha256_file(checkpoint),
        results_dir=paths.results_dir(opt.results_dir),
        cache_dir=cache_dir,
    )


def finished_result(run: Run) -> EvalResult | None:
    """The stored result of this very run (same key), if there is one."""
    final = result_json(run.results_dir, run.spec.id, run.name, run.profile.name)
    if not final.is_file():
        return None
    previous = load_result(final)
    return previous if previous.get("run_key") == run.key else None


def score_images(net: torch.nn.Module, run: Run, log: PartialLog, progress: bool) -> None:
    """Score every image not yet in the log, appending each as soon as it is done."""
    todo = [n for n in run.dataset.images if n not in log.done]
    desc = f"{run.spec.id} {run.dataset.name} [{run.profile.name}]"
    with fp32_exact(run.device):
        for name in tqdm(todo, desc=desc, unit="img", disable=not progress, leave=False):
            pair = load_pair(run.dataset, name, run.scale, run.profile, run.cache_dir)
            try:
                p, s = score_image(
                    net, run.spec, pair.lr, pair.hr, run.profile, run.device, run.scale
                )
            except RuntimeError as exc:
                if is_oom(exc):
                    raise SuiteError(
                        f"{run.spec.id} ran out of memory on {run.dataset.images[name]} (LR "
                        f"{pair.lr.shape[1]}×{pair.lr.shape[0]}) on {run.device}. The "
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


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else float("nan")


def assemble_result(run: Run, log: PartialLog, elapsed_s: float) -> EvalResult:
    """The result record (schema ``sr-suite/eval/1``) from the finished log."""
    per_image = [log.done[n] for n in run.dataset.images]
    spec = run.spec
    return {
        "schema": EVAL_SCHEMA,
        "model": spec.id,
        "family": spec.family,
        "arch": spec.arch,
        "scale": run.scale,
        "dataset": run.dataset.name,
        "run_name": run.name,
        "profile": run.profile.name,
        "profile_spec": run.profile.to_dict(),
        "psnr": _mean([r["psnr"] for r in per_image if r["psnr"] is not None]),
        "ssim": _mean([r["ssim"] for r in per_image]),
        "n_images": len(per_image),
        "per_image": per_image,
        "checkpoint": {
            "file": str(run.checkpoint),
            "sha256": run.checkpoint_sha256,
            "url": spec.checkpoint.url if spec.checkpoint else None,
        },
        "data": {
            "folder": str(run.dataset.hr_dir),
            "layout": run.dataset.layout,
            "manifest": run.manifest.to_dict(),
        },
        "env": env_info(str(run.device)),
        "elapsed_s": round(elapsed_s, 3),
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "run_key": run.key,
    }


# --------------------------------------------------------------------------- composition


def evaluate(
    model: str | ModelSpec,
    dataset: str,
    options: EvalOptions | None = None,
    **overrides: Any,
) -> EvalResult:
    """Score a zoo model (id or spec) on a dataset; the result is also written to results/.

    Options are :class:`EvalOptions` fields, given as an object, as keywords, or both (keywords
    win): ``evaluate("EIMN_A_x4", "Set5", profile="matlab", device="cuda")``.
    """
    opt = dataclasses.replace(options or EvalOptions(), **overrides)
    spec = model if isinstance(model, ModelSpec) else get_spec(model)
    run = plan_run(spec, dataset, opt)
    if opt.write and not opt.force and (previous := finished_result(run)) is not None:
        return previous
    net = load_weights(spec, run.checkpoint, run.device)
    log_path = partial_log(run.results_dir, spec.id, run.name, run.profile.name)
    log = PartialLog(log_path if opt.write else None, run.key)
    start = time.perf_counter()
    score_images(net, run, log, opt.progress)
    result = assemble_result(run, log, time.perf_counter() - start)
    if opt.write:
        write_result(result, run.results_dir)
        log.remove()
    return result
