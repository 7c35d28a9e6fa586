"""sr-suite: reproducible benchmarking of efficient single-image super-resolution models.

The public Python API (the contract other code builds on)::

    import suite
    suite.list_models(family="EIMN")                 # zoo ids
    net = suite.load_model("EIMN_A_x4")              # verified checkpoint, strict load, eval mode
    result = suite.evaluate("EIMN_A_x4", "Set5", profile="basicsr")  # as `suite eval --json`
    suite.benchmark("EIMN_A_x4", device="cuda")      # #params, Multi-Adds, latency, peak memory
    suite.get_profile("matlab")                      # a named convention profile
    suite.imresize(hr, 1 / 4), suite.psnr(sr, hr, 4), suite.ssim(sr, hr, 4)

Names are resolved on first use, so ``import suite`` stays light (no torch until needed).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_API = {
    "evaluate": "suite.evaluation.runner",
    "load_model": "suite.models.loading",
    "list_models": "suite.models.zoo",
    "get_profile": "suite.protocol.profiles",
    "imresize": "suite.protocol.resize",
    "psnr": "suite.protocol.metrics",
    "ssim": "suite.protocol.metrics",
    "benchmark": "suite.bench.benchmark",
}

__all__ = [
    "__version__",
    "benchmark",
    "evaluate",
    "get_profile",
    "imresize",
    "list_models",
    "load_model",
    "psnr",
    "ssim",
]


def __getattr__(name: str) -> Any:
    if name in _API:
        value = getattr(importlib.import_module(_API[name]), name)
        globals()[name] = value  # later lookups skip this hook
        return value
    raise AttributeError(f"module 'suite' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:
    from suite.bench.benchmark import benchmark
    from suite.evaluation.runner import evaluate
    from suite.models.loading import load_model
    from suite.models.zoo import list_models
    from suite.protocol.metrics import psnr, ssim
    from suite.protocol.profiles import get_profile
    from suite.protocol.resize import imresize
