"""Convention diagnosis: score one checkpoint under every convention variant and rank them by
distance to the published number — the answer to "why can't I reproduce this paper?".

Inference depends only on the LR (GT crop × resize mode), so the model runs once per LR variant
and per image; the cheap scoring variants (channel, border, SR rounding) reuse its output. An
image too small for the widest border, or an output holding NaN/inf, is an error naming the file.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
from tqdm import tqdm

from suite import paths
from suite.bench.environment import resolve_device
from suite.data.datasets import require_dataset
from suite.data.manifests import check_dataset
from suite.evaluation.inference import run_model
from suite.evaluation.runner import EvalOptions
from suite.models.loading import load_model
from suite.models.spec import ModelSpec
from suite.models.zoo import get_spec
from suite.protocol.metrics import psnr, ssim
from suite.protocol.pairs import load_pair
from suite.protocol.pixels import quantise
from suite.protocol.profiles import (
    CHANNELS,
    GT_CROPS,
    LR_MODES,
    PROFILES,
    SR_ROUNDING,
    Profile,
)
from suite.results.compare import Tolerances
from suite.results.reference import ReferenceRow, load_all


def border_options(scale: int) -> tuple[int, ...]:
    """Borders seen in the wild: the scale (most papers), scale + 6 (EDSR's legacy shave), none."""
    return (scale, scale + 6, 0)


@dataclass
class Variant:
    profile: Profile
    psnr: float
    ssim: float
    d_psnr: float | None = None
    d_ssim: float | None = None

    @property
    def named(self) -> str | None:
        """The named profile this variant equals, if any."""
        fields = ("gt_crop", "lr_mode", "channel", "sr_round")
        for p in PROFILES.values():
            same = all(getattr(p, f) == getattr(self.profile, f) for f in fields)
            if same and self.profile.border == p.border:
                return p.name
        return None


def _variant_profile(gt: str, lr: str, channel: str, border: int, rnd: bool, scale: int) -> Profile:
    return Profile(
        name=f"{gt}/{lr}/{channel}/b{border}/{'round' if rnd else 'float'}",
        description="diagnosis variant",
        gt_crop=gt,  # type: ignore[arg-type]
        lr_mode=lr,  # type: ignore[arg-type]
        channel=channel,  # type: ignore[arg-type]
        border=None if border == scale else border,
        sr_round=rnd,
    )


def distance_units(ref: ReferenceRow | None) -> tuple[float, float]:
    """What counts as one unit of disagreement: half the printed precision, at least the
    reproduction floor of :class:`suite.results.compare.Tolerances` (0.002 dB, 0.0002 SSIM)."""
    floor = Tolerances()
    if ref is None:
        return floor.psnr_floor, floor.ssim_floor
    return (
        max(0.5 * 10.0**-ref.psnr_decimals, floor.psnr_floor),
        max(0.5 * 10.0**-ref.ssim_decimals, floor.ssim_floor),
    )


def distance(d_psnr: float | None, d_ssim: float | None, unit_p: float, unit_s: float) -> float:
    """How many units away from the paper the worse of PSNR and SSIM is (0 when unpublished)."""
    parts = [abs(d) / u for d, u in ((d_psnr, unit_p), (d_ssim, unit_s)) if d is not None]
    return max(parts, default=0.0)


def published_row(
    spec: ModelSpec, dataset: str, table: str | None, refs: list[ReferenceRow] | None = None
) -> ReferenceRow | None:
    """The most precise published row for this model and dataset (or the one from ``table``)."""
    rows = [
        r
        for r in (refs if refs is not None else load_all())
        if r.model_id == spec.id and r.dataset == dataset and r.psnr is not None
    ]
    if table:
        rows = [r for r in rows if r.table == table]
    return max(rows, key=lambda r: r.psnr_decimals, default=None)


def diagnose(
    model: str | ModelSpec,
    dataset: str,
    options: EvalOptions | None = None,
    table: str | None = None,
) -> dict[str, Any]:
    """Every convention variant's PSNR/SSIM, ranked by |Δ| to the published value."""
    opt = options or EvalOptions()
    spec = model if isinstance(model, ModelSpec) else get_spec(model)
    scale = spec.integer_scale
    device = resolve_device(opt.device)
    ds = require_dataset(dataset, opt.data_root, opt.download, opt.progress, opt.mirror)
    report = check_dataset(ds, allow_modified=opt.allow_modified_data)
    cache = paths.cache_dir(opt.cache_dir)
    net = load_model(
        spec, opt.checkpoint_dir, cache, device, opt.download, opt.progress, opt.mirror
    )
    scores: dict[tuple, list[tuple[float, float]]] = {}
    lr_variants = list(itertools.product(GT_CROPS, LR_MODES))
    bar = tqdm(total=len(lr_variants) * len(ds.images), disable=not opt.progress, leave=False,
               desc=f"diagnose {spec.id} {ds.name}")  # fmt: skip
    widest = max(border_options(scale))  # so load_pair refuses images too small for any border
    for gt, lr in lr_variants:
        base = _variant_profile(gt, lr, "y_float", widest, True, scale)
        for name, path in ds.images.items():
            pair = load_pair(ds, name, scale, base, cache)
            what = f"{spec.id} on {path}"
            out = run_model(net, pair.lr, scale, spec.input_range, device, what=what)
            for rnd in SR_ROUNDING:
                sr = quantise(out, rnd)
                for channel, border in itertools.product(CHANNELS, border_options(scale)):
                    key = (gt, lr, channel, border, rnd)
                    scores.setdefault(key, []).append(
                        (
                            psnr(sr, pair.hr, crop_border=border, channel=channel),
                            ssim(sr, pair.hr, crop_border=border, channel=channel),
                        )
                    )
            bar.update()
    bar.close()
    ref = published_row(spec, ds.name, table)
    variants = []
    for key, vals in scores.items():
        v = Variant(
            _variant_profile(*key, scale),
            float(np.mean([p for p, _ in vals])),
            float(np.mean([s for _, s in vals])),
        )
        if ref is not None:
            v.d_psnr = v.psnr - ref.psnr
            v.d_ssim = None if ref.ssim is None else v.ssim - ref.ssim
        variants.append(v)
    tol_p, tol_s = distance_units(ref)
    variants.sort(key=lambda v: distance(v.d_psnr, v.d_ssim, tol_p, tol_s))
    return {
        "model": spec.id,
        "dataset": ds.name,
        "scale": scale,
        "n_images": len(ds.images),
        "manifest_status": report.status,
        "published": None if ref is None else ref.to_dict(),
        "variants": [
            {
                **{k: getattr(v.profile, k) for k in ("gt_crop", "lr_mode", "channel", "sr_round")},
                "border": v.profile.border_for(scale),
                "profile": v.named,
                "psnr": v.psnr,
                "ssim": v.ssim,
                "d_psnr": v.d_psnr,
                "d_ssim": v.d_ssim,
                "distance": distance(v.d_psnr, v.d_ssim, tol_p, tol_s),
            }
            for v in variants
        ],
        "distance_units": {"psnr": tol_p, "ssim": tol_s},
    }
