"""Running a model on one LR image: fixed-scale networks directly, implicit ones on a grid."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from suite.bench.latency import compile_failure
from suite.bench.memory import is_oom
from suite.errors import SuiteError
from suite.models.implicit import ImplicitSR, query
from suite.models.spec import ModelSpec
from suite.models.user import describe_exception
from suite.protocol.pixels import to_tensor


def _forward(model: nn.Module, x: torch.Tensor, out_hw: tuple[int, int]) -> torch.Tensor:
    return query(model, x, *out_hw) if isinstance(model, ImplicitSR) else model(x)


@torch.inference_mode()
def forward_sr(
    model: nn.Module,
    x: torch.Tensor,
    scale: float,
    input_range: float = 1.0,
    out_hw: tuple[int, int] | None = None,
    what: str = "the model",
    user: ModelSpec | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Super-resolve one 1×3×h×w float32 LR tensor in [0, 1], already on the device.

    Returns the output clamped to [0, 1] (1×3×H×W, on the device) and how many of its values
    were NaN or infinite, as a 0-dim tensor that is only read when the caller wants it (reading
    it waits for the device; see :func:`nonfinite_error`). Fixed-scale networks are called
    directly; arbitrary-scale (implicit) models are queried on the HR grid of size ``out_hw``
    (default: ``scale`` × the LR size). ``what`` names the model and image in errors: an output
    of the wrong size, or a ``torch.compile`` that cannot build code. ``user``, the spec of your
    own model, turns an exception its forward raises (other than running out of memory) into one
    such error naming the line, since the bug is in your code, not the suite's.
    """
    lr_hw = (int(x.shape[-2]), int(x.shape[-1]))
    expected = out_hw or (round(lr_hw[0] * scale), round(lr_hw[1] * scale))
    if input_range != 1.0:
        x = x * input_range
    try:
        y = _forward(model, x, expected)
    except Exception as exc:
        if why := compile_failure(exc):
            raise SuiteError(
                f"{what}: torch.compile could not build the network on this machine ({why}); "
                "run without --compile, or install a working C++ compiler (Triton on a GPU)"
            ) from exc
        if user is None or is_oom(exc):
            raise
        raise SuiteError(
            f"{what}: your model's forward raised {describe_exception(exc, user)}; fix it and rerun"
        ) from exc
    if not isinstance(y, torch.Tensor) or y.ndim != 4 or tuple(y.shape[:2]) != (1, 3):
        shown = tuple(y.shape) if isinstance(y, torch.Tensor) else type(y).__name__
        raise SuiteError(
            f"{what} returned {shown} for a 1×3×{lr_hw[0]}×{lr_hw[1]} input: a model must "
            "return one 1×3×H×W RGB tensor"
        )
    if input_range != 1.0:
        y = y / input_range
    if tuple(y.shape[-2:]) != tuple(expected):
        fix = (
            f"give the scale it upscales by (--scale), here ×{y.shape[-2] / lr_hw[0]:g}"
            if user is not None
            else "the checkpoint's scale does not match the model id"
        )
        raise SuiteError(
            f"{what} returned {tuple(y.shape[-2:])} for a {lr_hw} input at ×{scale:g}, "
            f"expected {tuple(expected)}: {fix}"
        )
    nonfinite = (~torch.isfinite(y)).sum()
    return y.clamp_(0.0, 1.0), nonfinite


def nonfinite_error(what: str, bad: int, total: int) -> SuiteError:
    """The error for an output holding NaN or infinity, which the clamp would otherwise turn
    into a plausible-looking score."""
    return SuiteError(
        f"{what}: the output holds NaN or infinite values ({bad} of {total}), so it has "
        "no score. The checkpoint is broken (NaN/inf weights) or the model overflows: "
        "replace the checkpoint with a good copy, or run in fp32 (--device cpu)"
    )


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

    :func:`forward_sr` on the image's tensor, then an output holding NaN or infinity is an
    error (:func:`nonfinite_error`), never a score.
    """
    y, nonfinite = forward_sr(model, to_tensor(lr, device), scale, input_range, out_hw, what, user)
    return host_image(y, nonfinite, what)


def host_image(y: torch.Tensor, nonfinite: torch.Tensor, what: str) -> np.ndarray:
    """:func:`forward_sr`'s output as float32 H×W×3 on the host, once it is known to hold no
    NaN or infinity (else :func:`nonfinite_error`)."""
    if bad := int(nonfinite):
        raise nonfinite_error(what, bad, y.numel())
    return y.squeeze(0).permute(1, 2, 0).float().cpu().numpy()
