"""Evaluate one model on one benchmark set under one profile, resumably and by content.

Composes the pure pieces: dataset discovery + manifest check, LR generation (cached), checkpoint
resolution + strict load, inference, quantisation and metrics. Each finished image is logged at
once, so an interruption loses nothing already computed.

Trust rules:

- a run is identified by what it computes from (:attr:`Run.key`): the checkpoint's sha256, the
  profile, the device and the decoded pixels of every HR image, so a replaced image is never
  answered with an old number;
- one process at a time computes a given run (a lock on its result file); a second one waits,
  then reuses the finished result; different runs never wait for each other;
- an image that cannot be scored (unreadable, too small) is listed in the result, which is then
  ``partial`` (mean over the scored images) and never reused; ``strict`` stops at the first;
- a model output holding NaN or infinity is an error, never a score.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
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
from suite.bench.memory import is_oom
from suite.data.datasets import Dataset, canonical_name, require_dataset
from suite.data.manifests import ManifestReport, check_dataset, pixel_hashes
from suite.errors import DatasetError, ScaleError, SuiteError
from suite.evaluation.inference import run_model
from suite.files import run_lock, writable_folder
from suite.models.checkpoints import checkpoint_record, resolve_checkpoint
from suite.models.loading import load_weights
from suite.models.spec import ModelSpec
from suite.models.zoo import get_spec
from suite.protocol.metrics import psnr, ssim
from suite.protocol.pairs import load_pair, lr_cache_folder
from suite.protocol.pixels import quantise
from suite.protocol.profiles import Profile, get_profile
from suite.results.records import CheckpointRecord, EvalResult, FailedImage, ImageScore
from suite.results.store import (
    EVAL_SCHEMA,
    PartialLog,
    finite_or_none,
    load_finished,
    partial_log,
    result_json,
    write_result,
)

MAX_SCALE = 32  # beyond the ×30 of the arbitrary-scale papers; larger is a typo


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
    force: bool = False  # recompute even if a finished result with the same key exists (and
    # remake the LR images instead of reading the cache)
    write: bool = True  # write JSON/CSV under results_dir
    strict: bool = False  # stop at the first image that cannot be scored (else list it)


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
    checkpoint_record: CheckpointRecord  # file, sha256, url, how it was verified
    results_dir: Path
    cache_dir: Path
    hr_sha256: dict[str, str | None]  # image -> its decoded pixels' sha256; None: unreadable

    @property
    def name(self) -> str:
        """File stem of the run: the dataset, plus the scale for arbitrary-scale models."""
        return run_name(self.dataset.name, self.spec, self.scale)

    @property
    def final(self) -> Path:
        """The finished result's JSON (its CSV sits beside it)."""
        return result_json(self.results_dir, self.spec.id, self.name, self.profile.name)

    @property
    def key(self) -> dict[str, Any]:
        """What a stored result or partial log must match to be reused: the content computed
        from (every HR image's pixels, the checkpoint's bytes), never just names."""
        key = {
            "model": self.spec.id,
            "checkpoint_sha256": self.checkpoint_record["sha256"],
            "dataset": self.dataset.name,
            "images": dict(self.hr_sha256),
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
    """The scale to evaluate at: the model's own, or any in (1, MAX_SCALE] for arbitrary-scale
    models; a ScaleError names ``--scale`` for anything else (NaN, infinity, 0, negative…)."""
    if requested is None:
        return int(spec.scale) if float(spec.scale) == int(spec.scale) else float(spec.scale)
    value = float(requested)
    if not (math.isfinite(value) and 1 < value <= MAX_SCALE):
        raise ScaleError(
            f"--scale {value:g} is not a usable scale: give a finite number greater than 1 and "
            f"at most {MAX_SCALE} (e.g. --scale 4), or leave it out to use the model's own"
        )
    if value == float(spec.scale):
        return target_scale(spec, None)
    if not spec.arbitrary_scale:
        raise ScaleError(
            f"{spec.id} is a fixed ×{spec.scale:g} model and cannot run at ×{value:g}; pick "
            f"the {spec.family} model for that scale (`suite list --family {spec.family}`)"
        )
    return int(value) if value == int(value) else value


def run_profile(spec: ModelSpec, opt: EvalOptions) -> Profile:
    """The profile asked for, else the model's own default."""
    chosen = opt.profile or spec.default_profile
    return chosen if isinstance(chosen, Profile) else get_profile(chosen)


def result_file(spec: ModelSpec, dataset: str, opt: EvalOptions) -> Path:
    """The run's result JSON, known before any work is done: what the run lock is taken on."""
    name = run_name(canonical_name(dataset), spec, target_scale(spec, opt.scale))
    results = paths.results_dir(opt.results_dir)
    return result_json(results, spec.id, name, run_profile(spec, opt).name)


def score_image(
    model: torch.nn.Module,
    spec: ModelSpec,
    lr: np.ndarray,
    hr: np.ndarray,
    profile: Profile,
    device: torch.device,
    scale: float | None = None,
    what: str | None = None,
) -> tuple[float, float]:
    """PSNR and SSIM of one super-resolved image (rendered at the HR's size) under a profile;
    ``what`` names the model and image in errors."""
    scale = target_scale(spec, None) if scale is None else scale
    out = run_model(
        model, lr, scale, spec.input_range, device, out_hw=hr.shape[:2], what=what or spec.id
    )
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


def hr_hashes(ds: Dataset, strict: bool) -> dict[str, str | None]:
    """Every HR image's pixel sha256 (None for one that cannot be read, unless ``strict``)."""
    out: dict[str, str | None] = {}
    for name, path in ds.images.items():
        try:
            out[name] = pixel_hashes(path).pixels
        except DatasetError:
            if strict:
                raise
            out[name] = None  # scoring it fails again, and lists why
    return out


def plan_run(spec: ModelSpec, dataset: str, opt: EvalOptions) -> Run:
    """Resolve conventions, device, data (verified against its manifest, hashed) and the
    checkpoint; an unwritable cache folder is reported here, before any work."""
    profile = run_profile(spec, opt)
    scale = target_scale(spec, opt.scale)
    device = resolve_device(opt.device)
    ds = require_dataset(dataset, opt.data_root)
    cache_dir = paths.cache_dir(opt.cache_dir)
    writable_folder(lr_cache_folder(cache_dir, ds.name, scale, profile) / "x")
    manifest = check_dataset(ds, allow_modified=opt.allow_modified_data)
    hashes = hr_hashes(ds, opt.strict)
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
        checkpoint_record=checkpoint_record(spec, checkpoint, cache_dir),
        results_dir=paths.results_dir(opt.results_dir),
        cache_dir=cache_dir,
        hr_sha256=hashes,
    )


def finished_result(run: Run) -> EvalResult | None:
    """The stored result of this very run (same key, complete), if there is one."""
    previous = load_finished(run.final)
    if previous is None or previous.get("partial") or previous.get("run_key") != run.key:
        return None
    return previous


def score_one(net: torch.nn.Module, run: Run, name: str, refresh: bool) -> ImageScore:
    """Score one image; a DatasetError names an image that cannot be scored."""
    file = run.dataset.images[name]
    pair = load_pair(run.dataset, name, run.scale, run.profile, run.cache_dir, refresh=refresh)
    if pair.hr_sha256 != run.hr_sha256[name]:
        raise DatasetError(
            f"{file} changed while the run was going (other pixels than when it started); "
            "leave the set alone while it is scored, and rerun"
        )
    what = f"{run.spec.id} ({run.checkpoint.name}) on {file}"
    p, s = score_image(net, run.spec, pair.lr, pair.hr, run.profile, run.device, run.scale, what)
    return {
        "name": name,
        "psnr": finite_or_none(p),
        "ssim": float(s),
        "hr_shape": list(pair.hr.shape),
        "lr_shape": list(pair.lr.shape),
        "hr_sha256": pair.hr_sha256,
        "lr_sha256": pair.lr_sha256,
    }


def _out_of_memory(run: Run, file: Path, log: PartialLog) -> SuiteError:
    fix = (
        "free GPU memory or use --device cpu"
        if run.device.type == "cuda"
        else "close other programs to free memory, or use a machine with more RAM"
    )
    kept = (
        f"Images already scored ({len(log.done)}) are kept in {log.path}; rerun to resume."
        if log.path
        else "Nothing was kept (--no-write)."
    )
    return SuiteError(
        f"{run.spec.id} ran out of memory on {file} on {run.device}. {kept} Fix: {fix}."
    )


def score_images(
    net: torch.nn.Module, run: Run, log: PartialLog, opt: EvalOptions
) -> list[FailedImage]:
    """Score every image not yet in the log, appending each as soon as it is done; returns
    the images that could not be scored (with ``opt.strict`` the first one raises)."""
    failed: list[FailedImage] = []
    todo = [n for n in run.dataset.images if n not in log.done]
    desc = f"{run.spec.id} {run.dataset.name} [{run.profile.name}]"
    with fp32_exact(run.device):
        for name in tqdm(todo, desc=desc, unit="img", disable=not opt.progress, leave=False):
            file = run.dataset.images[name]
            try:
                row = score_one(net, run, name, refresh=opt.force)
            except DatasetError as exc:
                if opt.strict:
                    raise
                failed.append({"name": name, "file": str(file), "reason": str(exc)})
                continue
            except (RuntimeError, MemoryError) as exc:
                if is_oom(exc):
                    raise _out_of_memory(run, file, log) from exc
                raise
            log.append(row)
    return failed


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else float("nan")


def assemble_result(
    run: Run, log: PartialLog, failed: list[FailedImage], elapsed_s: float
) -> EvalResult:
    """The result record (schema ``sr-suite/eval/1``) from the log and the failed images."""
    per_image = [log.done[n] for n in run.dataset.images if n in log.done]
    if not per_image:
        raise DatasetError(
            f"no image of {run.dataset.name} at {run.dataset.hr_dir} could be scored: "
            + " | ".join(f["reason"] for f in failed)
        )
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
        "partial": bool(failed),
        "failed": failed,
        "checkpoint": run.checkpoint_record,
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
    win): ``evaluate("EIMN_A_x4", "Set5", profile="matlab", device="cuda")``. A result with
    ``partial`` true lists in ``failed`` the images it could not score.
    """
    opt = dataclasses.replace(options or EvalOptions(), **overrides)
    spec = model if isinstance(model, ModelSpec) else get_spec(model)
    lock = run_lock(result_file(spec, dataset, opt)) if opt.write else contextlib.nullcontext()
    with lock:  # plan → score → write, one process per run
        run = plan_run(spec, dataset, opt)
        if opt.write and not opt.force and (previous := finished_result(run)) is not None:
            return previous
        net = load_weights(spec, run.checkpoint, run.device)
        log_path = partial_log(run.results_dir, spec.id, run.name, run.profile.name)
        log = PartialLog(log_path if opt.write else None, run.key)
        start = time.perf_counter()
        failed = score_images(net, run, log, opt)
        result = assemble_result(run, log, failed, time.perf_counter() - start)
        if opt.write:
            write_result(result, run.results_dir)
            log.remove()
    return result
