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

The loop is pipelined (:mod:`suite.evaluation.pipeline`): on a GPU the next image is read in
the background while the current one runs, and each image's scores are collected one image
late (on a CPU, whose cores the network already uses, each step runs in turn). Scoring runs
where the model ran: on a GPU in torch (:mod:`suite.protocol.device_metrics`, equal to the numpy
reference to ≤1e-9), on a CPU with the numpy reference itself (``scoring`` chooses otherwise).
``compile`` runs the network through ``torch.compile`` (a CPU speed-up for long runs; its
PSNR/SSIM stay within 1e-4 dB / 1e-6 of the plain network's). How a run ran is recorded in its
result (``mode``); a mode other than the device's default is part of the run key.

A model is a zoo id, a :class:`ModelSpec` (a zoo model's, or your own model's from
:func:`suite.models.user.user_spec`) or an ``nn.Module`` (:func:`~suite.models.user.module_spec`
describes it; a copy is evaluated). Your model's results go where zoo runs go, under its name,
with its class, source file and state-dict sha256 (``user_model``); its run key also holds the
class reference, constructor arguments and the sha256 of the file defining the class, so an edited
network is scored afresh. ``save_sr`` writes the SR images exactly as they were scored (uint8
PNG, named by image stem), which :mod:`suite.evaluation.score` scores back to the same numbers.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from suite import paths
from suite.bench.environment import env_info, resolve_device
from suite.bench.latency import compile_network
from suite.bench.memory import is_oom
from suite.data.datasets import Dataset, dataset_name, require_dataset
from suite.data.imageio import IMAGE_SUFFIXES, write_png
from suite.data.manifests import ManifestReport, check_dataset, pixel_hashes
from suite.errors import DatasetError, ScaleError, SuiteError
from suite.evaluation.inference import forward_sr, host_image
from suite.evaluation.pipeline import (
    InThisThread,
    Prepared,
    Scores,
    background_threads,
    on_device,
    prefetched,
    prepared,
    worker,
)
from suite.files import run_lock, writable_folder
from suite.models.checkpoints import checkpoint_record, resolve_checkpoint
from suite.models.implicit import ImplicitSR
from suite.models.loading import load_network
from suite.models.spec import MAX_SCALE, ModelSpec, check_scale
from suite.models.user import module_spec, user_checkpoint_record, user_model_record
from suite.models.zoo import get_spec
from suite.protocol.metrics import psnr, ssim
from suite.protocol.pairs import Pair, load_pair, lr_cache_folder
from suite.protocol.pixels import quantise
from suite.protocol.profiles import Profile, get_profile
from suite.results.records import (
    CheckpointRecord,
    EvalMode,
    EvalResult,
    FailedImage,
    ImageScore,
)
from suite.results.store import (
    EVAL_SCHEMA,
    PartialLog,
    finite_or_none,
    load_finished,
    partial_log,
    result_json,
    write_result,
)

__all__ = ["MAX_SCALE", "EvalOptions", "evaluate", "score_sr", "scores_record"]


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
    download: bool = True  # fetch an absent set or checkpoint (unless SUITE_OFFLINE is set)
    mirror: str | None = None  # serve downloads from <mirror>/<host>/<path> (else SUITE_MIRROR)
    progress: bool = True
    scale: float | None = None  # target scale; only arbitrary-scale models accept another one
    force: bool = False  # recompute even if a finished result with the same key exists (and
    # remake the LR images instead of reading the cache)
    write: bool = True  # write JSON/CSV under results_dir
    strict: bool = False  # stop at the first image that cannot be scored (else list it)
    name: str | None = None  # results name of an nn.Module (default: its class and scale)
    save_sr: Path | str | None = None  # write each SR image, as scored, to <save_sr>/<stem>.png
    # (every image is then computed afresh: nothing is reused)
    compile: bool = False  # run the network through torch.compile (see the module docstring)
    scoring: str | None = None  # "numpy" (the reference) or "torch" (on the device); None: torch
    # on a GPU, numpy on a CPU


SCORINGS = ("numpy", "torch")


def default_scoring(device: torch.device) -> str:
    """Where PSNR/SSIM are computed unless asked otherwise: on a GPU there (torch), else by the
    numpy reference."""
    return "torch" if device.type == "cuda" else "numpy"


@dataclass
class Run:
    """One evaluation with everything resolved: model, conventions, data, weights, files."""

    spec: ModelSpec
    profile: Profile
    scale: float
    device: torch.device
    dataset: Dataset
    manifest: ManifestReport
    checkpoint: Path | None  # None: an nn.Module handed over in Python
    checkpoint_record: CheckpointRecord  # file, sha256, url, how it was verified
    results_dir: Path
    cache_dir: Path
    hr_sha256: dict[str, str | None]  # image -> its decoded pixels' sha256; None: unreadable
    scoring: str = "numpy"  # "numpy" | "torch"
    compile: bool = False

    @property
    def mode(self) -> EvalMode:
        """How the run computes: where it scores, whether the network is compiled."""
        return {"scoring": self.scoring, "compile": self.compile}

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
        source = self.spec.user
        if source is not None:  # your code may change under the same name and weights
            key["user"] = {
                "reference": source.reference,
                "arch_kwargs": self.spec.arch_kwargs,
                "input_range": self.spec.input_range,
                "source_sha256": source.source_sha256,
            }
        if self.spec.arbitrary_scale or source is not None:  # a zoo id fixes its scale
            key["scale"] = self.scale
        if self.mode != {"scoring": default_scoring(self.device), "compile": False}:
            key["mode"] = dict(self.mode)  # the device's default mode keeps earlier keys valid
        return key


def run_name(dataset: str, spec: ModelSpec, scale: float) -> str:
    """File stem for a run: the dataset, plus the scale for arbitrary-scale models."""
    return f"{dataset}_x{scale:g}" if spec.arbitrary_scale else dataset


def target_scale(spec: ModelSpec, requested: float | None) -> float:
    """The scale to evaluate at: the model's own, or any in (1, MAX_SCALE] for arbitrary-scale
    models; a ScaleError names ``--scale`` for anything else (NaN, infinity, 0, negative…)."""
    if requested is None:
        return int(spec.scale) if float(spec.scale) == int(spec.scale) else float(spec.scale)
    value = check_scale(requested, fix=", or leave it out to use the model's own")
    if value == float(spec.scale):
        return target_scale(spec, None)
    if spec.user is not None and not spec.arbitrary_scale:
        raise ScaleError(
            f"{spec.id} was given as your ×{spec.scale:g} model and cannot run at ×{value:g}; "
            "describe it with the scale it upscales by"
        )
    if not spec.arbitrary_scale:
        raise ScaleError(
            f"{spec.id} is a fixed ×{spec.scale:g} model and cannot run at ×{value:g}; pick "
            f"the {spec.family} model for that scale (`suite list --family {spec.family}`)"
        )
    return value


def run_profile(spec: ModelSpec, opt: EvalOptions) -> Profile:
    """The profile asked for, else the model's own default."""
    chosen = opt.profile or spec.default_profile
    return chosen if isinstance(chosen, Profile) else get_profile(chosen)


def result_file(spec: ModelSpec, dataset: str, opt: EvalOptions) -> Path:
    """The run's result JSON, known before any work is done: what the run lock is taken on."""
    name = run_name(dataset_name(dataset), spec, target_scale(spec, opt.scale))
    results = paths.results_dir(opt.results_dir)
    return result_json(results, spec.id, name, run_profile(spec, opt).name)


def score_sr(sr: np.ndarray, hr: np.ndarray, profile: Profile, scale: float) -> tuple[float, float]:
    """PSNR and SSIM of one SR image against its HR crop under a profile: the one way every
    image is scored, by the runner and by :mod:`suite.evaluation.score`."""
    border = profile.border_for(scale)
    return (
        psnr(sr, hr, crop_border=border, channel=profile.channel),
        ssim(sr, hr, crop_border=border, channel=profile.channel),
    )


def scores_record(
    profile: Profile, per_image: list[Any], failed: list[FailedImage]
) -> dict[str, Any]:
    """The scores part of a result, from its per-image rows: the profile (by name and in full),
    mean PSNR (over the finite ones: identical images are stored as null) and SSIM, the images
    scored and those that could not be (``partial`` when there are any)."""
    return {
        "profile": profile.name,
        "profile_spec": profile.to_dict(),
        "psnr": _mean([r["psnr"] for r in per_image if r["psnr"] is not None]),
        "ssim": _mean([r["ssim"] for r in per_image]),
        "n_images": len(per_image),
        "per_image": per_image,
        "partial": bool(failed),
        "failed": failed,
    }


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


HASH_THREADS = min(8, os.cpu_count() or 1)  # decoders and sha256 release the GIL


def _pixels_or_error(path: Path) -> str | DatasetError:
    try:
        return pixel_hashes(path).pixels
    except DatasetError as exc:
        return exc


def hr_hashes(ds: Dataset, strict: bool) -> dict[str, str | None]:
    """Every HR image's pixel sha256 (None for one that cannot be read, unless ``strict``, which
    raises the first such image's error in set order), decoded on :data:`HASH_THREADS` threads."""
    with ThreadPoolExecutor(HASH_THREADS, thread_name_prefix="suite-hash") as pool:
        found = dict(zip(ds.images, pool.map(_pixels_or_error, ds.images.values()), strict=True))
    out: dict[str, str | None] = {}
    for name, got in found.items():
        if isinstance(got, DatasetError):
            if strict:
                raise got
            got = None  # scoring it fails again, and lists why
        out[name] = got
    return out


def _checkpoint(spec: ModelSpec, opt: EvalOptions, cache_dir: Path) -> tuple[Path | None, Any]:
    """The weight file and its record: a zoo checkpoint resolved and verified, or yours."""
    if spec.user is not None:
        path = Path(spec.user.weights) if spec.user.weights is not None else None
        return path, user_checkpoint_record(spec)
    path = resolve_checkpoint(
        spec, opt.checkpoint_dir, cache_dir, opt.download, opt.progress, opt.mirror
    )
    return path, checkpoint_record(spec, path, cache_dir)


def plan_run(spec: ModelSpec, dataset: str, opt: EvalOptions) -> Run:
    """Resolve conventions, device, data (verified against its manifest, hashed) and the
    checkpoint; an unwritable cache folder is reported here, before any work."""
    profile = run_profile(spec, opt)
    scale = target_scale(spec, opt.scale)
    device = resolve_device(opt.device)
    if opt.scoring not in (None, *SCORINGS):
        raise SuiteError(f"scoring must be one of {', '.join(SCORINGS)}, not {opt.scoring!r}")
    ds = require_dataset(dataset, opt.data_root, opt.download, opt.progress, opt.mirror)
    cache_dir = paths.cache_dir(opt.cache_dir)
    writable_folder(lr_cache_folder(cache_dir, ds.name, scale, profile) / "x")
    manifest = check_dataset(ds, allow_modified=opt.allow_modified_data)
    hashes = hr_hashes(ds, opt.strict)
    checkpoint, record = _checkpoint(spec, opt, cache_dir)
    return Run(
        spec=spec,
        profile=profile,
        scale=scale,
        device=device,
        dataset=ds,
        manifest=manifest,
        checkpoint=checkpoint,
        checkpoint_record=record,
        results_dir=paths.results_dir(opt.results_dir),
        cache_dir=cache_dir,
        hr_sha256=hashes,
        scoring=opt.scoring or default_scoring(device),
        compile=opt.compile,
    )


def finished_result(run: Run) -> EvalResult | None:
    """The stored result of this very run (same key, complete), if there is one."""
    previous = load_finished(run.final)
    if previous is None or previous.get("partial") or previous.get("run_key") != run.key:
        return None
    return previous


def _same_name_other_scale(run: Run) -> None:
    """Your model's results are named by you: refuse to replace a result of another scale
    stored under the same name (reports would then mix the two)."""
    previous = load_finished(run.final) if run.spec.user is not None else None
    if previous is not None and float(previous["scale"]) != float(run.scale):
        raise SuiteError(
            f"{run.final} holds {run.spec.id} at ×{previous['scale']:g}, and this model is "
            f"×{run.scale:g}: give it its own name (e.g. --name {run.spec.id}_x{run.scale:g}), "
            "or remove that file"
        )


# --------------------------------------------------------------------------- SR images


def sr_folder(folder: Path | str, run: Run) -> Path:
    """Check ``--save-sr``'s folder before any work: the profile must score uint8 images (what
    a PNG holds), the folder must be writable and hold no image but this set's SR images (so
    that ``suite score`` on it scores exactly this run)."""
    folder = Path(folder)
    if not run.profile.sr_round:
        raise SuiteError(
            f"--save-sr writes the SR images as scored, but profile {run.profile.name!r} scores "
            "the unrounded float output, which no PNG holds; use a profile that rounds to uint8"
        )
    writable_folder(folder / "x")
    own = {f"{name}.png" for name in run.dataset.images}
    foreign = sorted(
        p.name
        for p in folder.iterdir()
        if p.suffix.lower() in IMAGE_SUFFIXES and p.name not in own and not p.is_dir()
    )
    if foreign:
        more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        shown = ", ".join(foreign[:5]) + more
        raise SuiteError(
            f"--save-sr {folder} holds images that are not {run.dataset.name}'s SR images "
            f"({shown}); give an empty or new folder, or move them away"
        )
    return folder


# --------------------------------------------------------------------------- scoring


def _prepare(run: Run, refresh: bool, name: str) -> Prepared:
    """One image made ready for the network (in the background): its pair, checked against the
    pixels the run was keyed on, and its tensors; a DatasetError names an image that cannot be
    scored."""
    file = run.dataset.images[name]
    pair = load_pair(run.dataset, name, run.scale, run.profile, run.cache_dir, refresh=refresh)
    if pair.hr_sha256 != run.hr_sha256[name]:
        raise DatasetError(
            f"{file} changed while the run was going (other pixels than when it started); "
            "leave the set alone while it is scored, and rerun"
        )
    return prepared(pair, run.device, on_device=run.scoring == "torch")


def _score_on_host(
    out: np.ndarray, hr: np.ndarray, profile: Profile, scale: float
) -> tuple[float, float, np.ndarray]:
    """The numpy reference's scores of one output (and the quantised SR image they are of)."""
    sr = quantise(out, profile.sr_round)
    return (*score_sr(sr, hr, profile, scale), sr)


def launch(
    net: torch.nn.Module,
    run: Run,
    name: str,
    ready: Prepared,
    scorer: ThreadPoolExecutor | InThisThread,
    keep_sr: bool = False,
) -> Scores:
    """Run the network on one prepared image and start its scoring: on the device (queued
    there), or by the numpy reference through ``scorer`` once the output is checked."""
    weights = f" ({run.checkpoint.name})" if run.checkpoint is not None else ""
    what = f"{run.spec.id}{weights} on {run.dataset.images[name]}"
    user = run.spec if run.spec.user is not None else None
    hr_hw = (ready.pair.hr.shape[0], ready.pair.hr.shape[1])
    x = ready.lr.to(run.device, non_blocking=True)
    y, nonfinite = forward_sr(net, x, run.scale, run.spec.input_range, hr_hw, what, user)
    if ready.hr is not None:
        return on_device(y, nonfinite, ready.hr, run.profile, run.scale, keep_sr, what)
    out = host_image(y, nonfinite, what)
    return scorer.submit(_score_on_host, out, ready.pair.hr, run.profile, run.scale)


def _row(name: str, pair: Pair, psnr_db: float, ssim_value: float) -> ImageScore:
    return {
        "name": name,
        "psnr": finite_or_none(psnr_db),
        "ssim": float(ssim_value),
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
    net: torch.nn.Module,
    run: Run,
    log: PartialLog,
    opt: EvalOptions,
    save_sr: Path | None = None,
) -> list[FailedImage]:
    """Score every image not yet in the log, appending each as soon as its scores are in;
    returns the images that could not be scored (with ``opt.strict`` the first one raises).
    With ``save_sr`` each SR image is written there, and an image that fails leaves none.

    Pipelined (:mod:`suite.evaluation.pipeline`): on a GPU the next image is prepared in the
    background while the network runs, and an image's scores are collected after the next
    forward pass is started (on a CPU the same steps run in turn, in this thread). Whatever
    ends the loop (an error, out of memory, Ctrl-C), every image whose scores are in is logged
    first, so a rerun resumes after it.
    """
    failed: list[FailedImage] = []
    todo = [n for n in run.dataset.images if n not in log.done]
    in_flight: deque[tuple[str, Pair, Scores]] = deque()
    bar = tqdm(
        total=len(todo),
        desc=f"{run.spec.id} {run.dataset.name} [{run.profile.name}]",
        unit="img",
        disable=not opt.progress,
        leave=False,
    )

    def collect(keep: int) -> None:
        """Log the images in flight, oldest first, until ``keep`` remain."""
        while len(in_flight) > keep:
            name, pair, scores = in_flight[0]
            psnr_db, ssim_value, sr = scores.result()
            in_flight.popleft()
            if save_sr is not None:
                write_png(save_sr / f"{name}.png", sr)
            log.append(_row(name, pair, psnr_db, ssim_value))
            bar.update()

    def keep_finished() -> None:
        with contextlib.suppress(Exception):  # an image whose scoring failed is not logged
            collect(keep=0)

    prepare = functools.partial(_prepare, run, opt.force)
    background = background_threads(run.device)
    scorer = worker(background, "score")
    reading = prefetched(todo, prepare, background=background)
    with bar, scorer, fp32_exact(run.device), reading as ready:
        try:
            for name, future in ready:
                file = run.dataset.images[name]
                try:
                    item = future.result()
                    scores = launch(net, run, name, item, scorer, save_sr is not None)
                except DatasetError as exc:
                    if save_sr is not None:
                        (save_sr / f"{name}.png").unlink(missing_ok=True)  # an earlier run's
                    if opt.strict:
                        raise
                    failed.append({"name": name, "file": str(file), "reason": str(exc)})
                    continue
                except (RuntimeError, MemoryError) as exc:
                    if is_oom(exc):
                        keep_finished()
                        raise _out_of_memory(run, file, log) from exc
                    raise
                in_flight.append((name, item.pair, scores))
                collect(keep=1)  # the previous image's scores, now that this one runs
            collect(keep=0)
        except BaseException:
            keep_finished()
            raise
    return failed


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else float("nan")


def assemble_result(
    run: Run,
    log: PartialLog,
    failed: list[FailedImage],
    elapsed_s: float,
    net: torch.nn.Module | None = None,
) -> EvalResult:
    """The result record (schema ``sr-suite/eval/1``) from the log and the failed images;
    ``net``, the network evaluated, gives your model's provenance (``user_model``)."""
    per_image = [log.done[n] for n in run.dataset.images if n in log.done]
    if not per_image:
        raise DatasetError(
            f"no image of {run.dataset.name} at {run.dataset.hr_dir} could be scored: "
            + " | ".join(f["reason"] for f in failed)
        )
    spec = run.spec
    result: EvalResult = {  # type: ignore[typeddict-item]
        "schema": EVAL_SCHEMA,
        "model": spec.id,
        "family": spec.family,
        "arch": spec.arch,
        "scale": run.scale,
        "dataset": run.dataset.name,
        "run_name": run.name,
        **scores_record(run.profile, per_image, failed),
        "checkpoint": run.checkpoint_record,
        "data": {
            "folder": str(run.dataset.hr_dir),
            "layout": run.dataset.layout,
            "manifest": run.manifest.to_dict(),
        },
        "env": env_info(str(run.device)),
        "elapsed_s": round(elapsed_s, 3),
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "mode": run.mode,
        "run_key": run.key,
    }
    if spec.user is not None and net is not None:
        result["user_model"] = user_model_record(spec, net)
    return result


# --------------------------------------------------------------------------- composition


def compiled(net: nn.Module, spec: ModelSpec) -> nn.Module:
    """``net`` set to run through ``torch.compile`` (one compilation for every image size; it
    happens at the first image). Arbitrary-scale models are refused: they are queried by
    coordinates, not called, so nothing of them would be compiled."""
    if isinstance(net, ImplicitSR):
        raise SuiteError(
            f"--compile compiles a network's forward pass, and {spec.id} is an arbitrary-scale "
            "model queried by coordinates: drop --compile"
        )
    return compile_network(net, dynamic=True)


def model_spec(model: str | ModelSpec | nn.Module, opt: EvalOptions) -> ModelSpec:
    """What ``evaluate`` was given, as a spec: a zoo id looked up, an ``nn.Module`` described
    (named ``opt.name``, upscaling by ``opt.scale``), a spec as it is."""
    if isinstance(model, nn.Module):
        return module_spec(model, opt.scale, opt.name)
    if opt.name is not None:
        raise SuiteError(
            f"name={opt.name!r} names an nn.Module's results; {getattr(model, 'id', model)} is "
            "named already (a zoo id, or the name given to user_spec)"
        )
    return model if isinstance(model, ModelSpec) else get_spec(model)


def evaluate(
    model: str | ModelSpec | nn.Module,
    dataset: str,
    options: EvalOptions | None = None,
    **overrides: Any,
) -> EvalResult:
    """Score a model on a dataset; the result is also written to results/.

    ``model`` is a zoo id, a spec (a zoo model's, or yours from
    :func:`suite.models.user.user_spec`), or your ``nn.Module`` (give ``scale``, and ``name``
    for its results, default ``<Class>_x<scale>``). Options are :class:`EvalOptions` fields,
    given as an object, as keywords, or both (keywords win):
    ``evaluate("EIMN_A_x4", "Set5", profile="matlab", device="cuda")``. A result with
    ``partial`` true lists in ``failed`` the images it could not score.
    """
    opt = dataclasses.replace(options or EvalOptions(), **overrides)
    spec = model_spec(model, opt)
    lock = run_lock(result_file(spec, dataset, opt)) if opt.write else contextlib.nullcontext()
    with lock:  # plan → score → write, one process per run
        run = plan_run(spec, dataset, opt)
        save_sr = sr_folder(opt.save_sr, run) if opt.save_sr is not None else None
        fresh = opt.force or save_sr is not None  # SR images need every image computed
        if opt.write and not fresh and (previous := finished_result(run)) is not None:
            return previous
        if opt.write:
            _same_name_other_scale(run)
        net = load_network(spec, run.checkpoint, run.device)
        if run.compile:
            compiled(net, spec)
        log_path = partial_log(run.results_dir, spec.id, run.name, run.profile.name)
        if save_sr is not None:
            log_path.unlink(missing_ok=True)  # images logged earlier have no SR image here
        log = PartialLog(log_path if opt.write else None, run.key)
        start = time.perf_counter()
        failed = score_images(net, run, log, opt, save_sr)
        result = assemble_result(run, log, failed, time.perf_counter() - start, net)
        if opt.write:
            write_result(result, run.results_dir)
            log.remove()
    return result
