"""Running a model on one LR image: fixed-scale networks directly, implicit ones on a grid."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from suite.errors import SuiteError
from suite.models.implicit import ImplicitSR, query
from suite.protocol.pixels import to_tensor


def is_oom(exc: BaseException) -> bool:
    """True for CUDA (or CPU allocator) out-of-memory errors."""
    oom_type = getattr(torch.cuda, "OutOfMemoryError", ())
    return isinstance(exc, oom_type) or "out of memory" in str(exc).lower()


@torch.inference_mode()
def run_model(
    model: nn.Module,
    lr: np.ndarray,
    scale: float,
    input_range: float = 1.0,
    device: torch.device | str = "cpu",
    out_hw: tuple[int, int] | None = None,
) -> np.ndarray:
    """Super-resolve one uint8 LR image; returns float32 H×W×3 in [0, 1] (clamped, unrounded).

    Fixed-scale networks are called directly; arbitrary-scale (implicit) models are queried on
    the HR grid of size ``out_hw`` (default: ``scale`` × the LR size).
    """
    expected = out_hw or (round(lr.shape[0] * scale), round(lr.shape[1] * scale))
    x = to_tensor(lr, device)
    if input_range != 1.0:
        x = x * input_range
    y = query(model, x, *expected) if isinstance(model, ImplicitSR) else model(x)
    if input_range != 1.0:
        y = y / input_range
    if tuple(y.shape[-2:]) != tuple(expected):
        raise SuiteError(
            f"model returned {tuple(y.shape[-2:])} for a {lr.shape[:2]} input at ×{scale:g}, "
            f"expected {tuple(expected)}: the checkpoint's scale does not match the model id"
        )
    return y.clamp_(0.0, 1.0).squeeze(0).permute(1, 2, 0).float().cpu().numpy()
