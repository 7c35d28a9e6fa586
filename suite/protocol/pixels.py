"""How pixels cross between uint8 images and a network, the way the papers' scripts do it.

Networks see RGB float32 in [0, 1] (:func:`to_tensor`); their output is clamped to [0, 1] and
quantised like a saved PNG before scoring (:func:`quantise`), or kept in float when a profile
says ``sr_round=False``.
"""

from __future__ import annotations

import numpy as np
import torch


def to_tensor(image: np.ndarray, device: torch.device | str = "cpu") -> torch.Tensor:
    """uint8 H×W×3 -> float32 1×3×H×W in [0, 1]."""
    t = (
        torch.from_numpy(np.array(image, dtype=np.uint8, copy=True))
        .permute(2, 0, 1)
        .float()
        .div_(255.0)
    )
    return t.unsqueeze(0).to(device)


def quantise(sr: np.ndarray, round_to_uint8: bool = True) -> np.ndarray:
    """Map [0, 1] output to the 0–255 scale: rounded uint8 (a saved PNG) or float64.

    Rounding is done in float32, half to even, as BasicSR's ``tensor2img`` does.
    """
    if round_to_uint8:
        scaled = sr.astype(np.float32) * np.float32(255.0)
        return np.clip(np.round(scaled), 0, 255).astype(np.uint8)
    return sr.astype(np.float64) * 255.0
