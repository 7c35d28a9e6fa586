"""Running a model on one LR image: fixed-scale networks directly, implicit ones on a grid."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from suite.bench.memory import is_oom
from suite.errors import SuiteError
from suite.models.implicit import ImplicitSR, query
from suite.models.spec import ModelSpec
from suite.models.user import describe_exception
from suite.protocol.pixels import to_tensor


def _forward(model: nn.Module, x: torch.Tensor, out_hw: tuple[int, int]) -> torch.Tensor:
    return query(model, x, *out_hw) if isinstance(model, ImplicitSR) else model(x)


@torch.inference_mode()
def run_model(
    model: nn.Module,
    lr: np.ndarray,
    scale: float,
    input_range: float = 1.0,
    device: torch.device | str = "cpu",
    out_hw: tuple[int, int] | None = None,
    what: str = "the model",
    user: ModelSpec | None = None,
) -> np.ndarray:
    """Super-resolve one uint8 LR image; returns float32 H×W×3 in [0, 1] (clamped, unrounded).

    Fixed-scale networks are called directly; arbitrary-scale (implicit) models are queried on
    the HR grid of size ``out_hw`` (default: ``scale`` × the LR size). ``what`` names the model
    and image in errors: an output of the wrong size, or holding NaN or infinity (which the
    clamp would otherwise turn into a plausible-looking score). ``user``, the spec of your own
    model, turns an exception its forward raises (other than running out of memory) into one
    such error naming the line, since the bug is in your code, not the suite's.
    """
    expected = out_hw or (round(lr.shape[0] * scale), round(lr.shape[1] * scale))
    x = to_tensor(lr, device)
    if input_range != 1.0:
        x = x * input_range
    try:
        y = _forward(model, x, expected)
    except Exception as exc:
        if user is None or is_oom(exc):
            raise
        raise SuiteError(
            f"{what}: your model's forward raised {describe_exception(exc, user)}; fix it and rerun"
        ) from exc
    if not isinstance(y, torch.Tensor) or y.ndim != 4 or tuple(y.shape[:2]) != (1, 3):
        shown = tuple(y.shape) if isinstance(y, torch.Tensor) else type(y).__name__
        raise SuiteError(
            f"{what} returned {shown} for a 1×3×{lr.shape[0]}×{lr.shape[1]} input: a model must "
            "return one 1×3×H×W RGB tensor"
        )
    if input_range != 1.0:
        y = y / input_range
    if tuple(y.shape[-2:]) != tuple(expected):
        fix = (
            f"give the scale it upscales by (--scale), here ×{y.shape[-2] / lr.shape[0]:g}"
            if user is not None
            else "the checkpoint's scale does not match the model id"
        )
        raise SuiteError(
            f"{what} returned {tuple(y.shape[-2:])} for a {lr.shape[:2]} input at ×{scale:g}, "
            f"expected {tuple(expected)}: {fix}"
        )
    if not bool(torch.isfinite(y).all()):
        bad = int((~torch.isfinite(y)).sum())
        raise SuiteError(
            f"{what}: the output holds NaN or infinite values ({bad} of {y.numel()}), so it has "
            "no score. The checkpoint is broken (NaN/inf weights) or the model overflows: "
            "replace the checkpoint with a good copy, or run in fp32 (--device cpu)"
        )
    return y.clamp_(0.0, 1.0).squeeze(0).permute(1, 2, 0).float().cpu().numpy()
