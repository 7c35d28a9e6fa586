"""Model complexity: Multi-Adds (MACs) from several counters, side by side.

Papers in efficient SR report "Multi-Adds" at a 1280×720 *output*, i.e. an input of
``floor(1280/s) × floor(720/s)``, but they use different counting tools that disagree on
everything beyond convolutions. This module runs three public counters side by side — fvcore,
thop and PyTorch's ``FlopCounterMode`` — plus ``ntire``, the suite's own implementation of the
AIM/NTIRE efficient-SR convention (the ``model_summary`` tool of those challenges, which the EIMN
authors used for their table). ``ntire`` is the default because it reproduces the published
numbers: EIMN to four significant digits, IMDN within 0.2 %.

Every result says what each counter counts (:data:`COUNTER_NOTES`) and which operators it saw
but did not count, so a difference between counters is explained rather than hidden (parameter
counts are :mod:`suite.models.params`'). Counting never needs a checkpoint: weights do not
change a count. ``ntire``, ``flop_counter`` and ``thop`` run on the meta device (no memory, no
compute); fvcore traces with TorchScript, which needs real tensors, so it runs a real forward
pass on the given device.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode

from suite.bench.counters import COUNTER_NOTES, COUNTERS, DEFAULT_COUNTER

__all__ = [
    "COUNTERS",
    "COUNTER_NOTES",
    "DEFAULT_COUNTER",
    "MacCount",
    "count_macs",
    "disagreements",
    "input_size_for_output",
    "macs_summary",
]

GIGA = 1e9

# Operators that only move or re-view data (or allocate): never reported as "uncounted".
_VIEW_OPS = frozenset(
    {
        "alias", "as_strided", "as_strided_", "detach", "empty", "empty_like", "empty_strided",
        "expand", "lift_fresh", "permute", "reshape", "select", "slice", "split",
        "split_with_sizes", "squeeze", "t", "transpose", "unbind", "unsqueeze", "_unsafe_view",
        "view", "zeros", "zeros_like", "clone", "contiguous", "_to_copy", "copy_", "chunk",
        "narrow", "_reshape_alias", "new_empty", "new_zeros", "fill_", "zero_", "ones",
        "scalar_tensor", "full", "arange", "stack", "cat", "repeat", "constant_pad_nd",
        "pixel_shuffle", "pixel_unshuffle",
    }
)  # fmt: skip
# Data movement that still deserves a mention when skipped (pixel shuffle is zero-MAC by design).
_REPORTED_MOVES = frozenset({"pixel_shuffle", "pixel_unshuffle", "cat", "repeat"})

_NTIRE_ACTIVATIONS = frozenset(
    {"relu", "relu_", "leaky_relu", "leaky_relu_", "_prelu_kernel", "prelu", "elu", "elu_",
     "hardtanh", "hardtanh_"}
)  # fmt: skip
_BATCH_NORMS = frozenset(
    {"native_batch_norm", "_native_batch_norm_legit", "_native_batch_norm_legit_no_training",
     "cudnn_batch_norm", "miopen_batch_norm"}
)  # fmt: skip
_ATTENTION = frozenset(
    {"_scaled_dot_product_flash_attention_for_cpu", "_scaled_dot_product_flash_attention",
     "_scaled_dot_product_efficient_attention", "_scaled_dot_product_cudnn_attention",
     "_scaled_dot_product_fused_attention_overrideable"}
)  # fmt: skip


# --------------------------------------------------------------------------- sizes


def input_size_for_output(out_width: int, out_height: int, scale: int) -> tuple[int, int]:
    """(height, width) of the LR input whose ×``scale`` output is nearest a W×H target (floor).

    At ×3 a 1280×720 target gives 240×426 (426 = floor(1280/3)), i.e. a 1278×720 output — the
    convention of the EIMN authors' script (``720 // scale, 1280 // scale``).
    """
    if scale < 1 or out_width < scale or out_height < scale:
        raise ValueError(f"output {out_width}×{out_height} is smaller than one ×{scale} pixel")
    return out_height // scale, out_width // scale


# --------------------------------------------------------------------------- results


@dataclass
class MacCount:
    """One counter's verdict on one model: exact MACs (None when it failed) and why."""

    counter: str
    macs: int | None
    by_op: dict[str, int] = field(default_factory=dict)
    uncounted_ops: dict[str, int] = field(default_factory=dict)
    device: str = "meta"
    error: str | None = None

    @property
    def gmacs(self) -> float | None:
        """MACs in G (1e9), or None."""
        return None if self.macs is None else self.macs / GIGA

    def to_dict(self) -> dict[str, Any]:
        return {
            "macs": self.macs,
            "gmacs": self.gmacs,
            "by_op": dict(sorted(self.by_op.items())),
            "uncounted_ops": dict(sorted(self.uncounted_ops.items())),
            "device": self.device,
            "error": self.error,
        }


def macs_summary(counts: Mapping[str, MacCount], default: str = DEFAULT_COUNTER) -> dict[str, Any]:
    """``{counter: G MACs, ..., "default": name}`` as stored in a profile result."""
    out: dict[str, Any] = {name: c.gmacs for name, c in counts.items()}
    out["default"] = default
    return out


def disagreements(
    counts: Mapping[str, MacCount], reference: str = DEFAULT_COUNTER, tolerance: float = 0.01
) -> list[dict[str, Any]]:
    """Counters whose total differs from ``reference``'s by more than ``tolerance`` (relative)."""
    ref = counts.get(reference)
    if ref is None or not ref.macs:
        return []
    out = []
    for name, c in counts.items():
        if name == reference or c.macs is None:
            continue
        rel = c.macs / ref.macs - 1.0
        if abs(rel) > tolerance:
            out.append({"counter": name, "reference": reference, "relative": rel})
    return out


# --------------------------------------------------------------------------- dispatcher counting


def _numel(shape: Iterable[int]) -> int:
    return math.prod(int(s) for s in shape)


def _conv_macs(args: tuple, out: torch.Tensor) -> int:
    """k_h·k_w·C_in/groups MACs per output element (transposed: per input element)."""
    x, weight, transposed = args[0], args[1], bool(args[6])
    per_element = int(weight.shape[1]) * _numel(weight.shape[2:])
    return (x.numel() if transposed else out.numel()) * per_element


def _matmul_macs(name: str, args: tuple) -> int:
    """MACs of mm/addmm/bmm/baddbmm from the operand shapes."""
    a, b = (args[1], args[2]) if name in ("addmm", "baddbmm") else (args[0], args[1])
    return a.numel() * int(b.shape[-1])


def _attention_macs(args: tuple) -> int:
    """Q·Kᵀ and P·V of fused attention: batch·L·S·(E + Ev)."""
    q, k, v = args[0], args[1], args[2]
    return _numel(q.shape[:-1]) * int(k.shape[-2]) * (int(q.shape[-1]) + int(v.shape[-1]))


def _ntire_macs(name: str, args: tuple, out: Any) -> int | None:
    """MACs of one aten operator under the NTIRE convention; None if it is not counted."""
    if name in ("convolution", "_convolution"):
        return _conv_macs(args, out)
    if name in ("mm", "addmm", "bmm", "baddbmm"):
        return _matmul_macs(name, args)
    if name in _ATTENTION:
        return _attention_macs(args)
    if name in _BATCH_NORMS:
        return args[0].numel() * (2 if args[1] is not None else 1)
    if name in _NTIRE_ACTIVATIONS:
        return args[0].numel()
    return None


class _OpTally(TorchDispatchMode):
    """Counts NTIRE-convention MACs per aten operator and records every operator seen."""

    def __init__(self) -> None:
        super().__init__()
        self.macs: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # type: ignore[override]
        out = func(*args, **(kwargs or {}))
        name = func._overloadpacket.__name__
        self.calls[name] += 1
        macs = _ntire_macs(name, args, out)
        if macs is not None:
            self.macs[name] += macs
        return out


def _uncounted(calls: Mapping[str, int], counted: Iterable[str]) -> dict[str, int]:
    """Operators seen but not counted, without pure views/allocations."""
    done = set(counted)
    return {
        op: n
        for op, n in calls.items()
        if op not in done and (op not in _VIEW_OPS or op in _REPORTED_MOVES)
    }


def _build_on(build: Callable[[], nn.Module], device: str) -> nn.Module:
    """A fresh instance of the model in eval mode with its tensors on ``device``."""
    with torch.device(device):
        model = build()
    return model.eval()


def _dispatch_counts(
    build: Callable[[], nn.Module], shape: tuple[int, ...], device: str
) -> tuple[MacCount, MacCount]:
    """``flop_counter`` and ``ntire`` from one forward pass on ``device``."""
    from torch.utils.flop_counter import FlopCounterMode

    model = _build_on(build, device)
    x = torch.zeros(shape, device=device)
    tally = _OpTally()
    with torch.no_grad(), FlopCounterMode(display=False) as fcm, tally:
        model(x)
    fcm_ops = {
        getattr(op, "__name__", str(op)): int(v) // 2
        for op, v in fcm.get_flop_counts().get("Global", {}).items()
    }
    flop_counter = MacCount(
        "flop_counter",
        fcm.get_total_flops() // 2,
        fcm_ops,
        _uncounted(tally.calls, fcm_ops),
        device,
    )
    ntire_uncounted = _uncounted(tally.calls, tally.macs)
    ntire = MacCount("ntire", sum(tally.macs.values()), dict(tally.macs), ntire_uncounted, device)
    return flop_counter, ntire


def _thop_count(build: Callable[[], nn.Module], shape: tuple[int, ...], device: str) -> MacCount:
    """thop's total, its per-module-type breakdown and the leaf types it has no rule for."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # thop imports distutils' deprecated LooseVersion
        import thop
        from thop.profile import register_hooks

    model = _build_on(build, device)
    x = torch.zeros(shape, device=device)
    total, _params, tree = thop.profile(model, inputs=(x,), verbose=False, ret_layer_info=True)
    by_type: Counter[str] = Counter()

    def walk(module: nn.Module, info: Mapping[str, Any]) -> None:
        for name, child in module.named_children():
            ops, _p, sub = info.get(name, (0.0, 0.0, {}))
            if sub:
                walk(child, sub)
            elif ops:
                by_type[type(child).__name__] += int(ops)

    walk(model, tree)
    leaves = Counter(
        type(m).__name__
        for m in model.modules()
        if not any(True for _ in m.children()) and type(m) not in register_hooks
    )
    return MacCount("thop", int(total), dict(by_type), dict(leaves), device)


def _fvcore_count(build: Callable[[], nn.Module], shape: tuple[int, ...], device: str) -> MacCount:
    """fvcore's total (a real forward pass under a TorchScript trace) and its skipped ops."""
    model = _build_on(build, device)
    x = torch.zeros(shape, device=device)
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # TorchScript deprecation and tracer warnings
        from fvcore.nn import FlopCountAnalysis

        analysis = FlopCountAnalysis(model, x)
        analysis.unsupported_ops_warnings(False).uncalled_modules_warnings(False)
        total = int(analysis.total())
        by_op = {k: int(v) for k, v in analysis.by_operator().items() if v}
        skipped = {k.removeprefix("aten::"): int(v) for k, v in analysis.unsupported_ops().items()}
    return MacCount("fvcore", total, by_op, skipped, device)


def _failed(counter: str, device: str, exc: BaseException) -> MacCount:
    """A counter that could not run (missing package, unsupported model)."""
    if isinstance(exc, ImportError):
        why = f"{counter} cannot be imported ({exc}); pip install 'sr-suite[profile]'"
    else:
        why = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:300] if str(exc) else ''}"
    return MacCount(counter, None, device=device, error=why)


def _with_fallback(run: Callable[[str], Any], counter: str, devices: tuple[str, ...]) -> Any:
    """Run on the first device that works (meta first: models with data-dependent shapes fail)."""
    last: BaseException | None = None
    for device in devices:
        try:
            return run(device)
        except ImportError as exc:
            return _failed(counter, device, exc)
        except Exception as exc:  # a counter's failure must not stop the others
            last = exc
    assert last is not None
    return _failed(counter, devices[-1], last)


def count_macs(
    build: Callable[[], nn.Module],
    input_shape: tuple[int, ...],
    counters: Iterable[str] = COUNTERS,
    device: str = "cpu",
) -> dict[str, MacCount]:
    """MACs of one forward pass on an input of ``input_shape`` (N, C, H, W), per counter.

    ``build`` makes a fresh model (each counter gets its own instance: thop adds buffers);
    it is called inside ``torch.device(...)``. ``device`` is where counters that need real
    tensors (fvcore, and the others when the meta device fails) run. Failures are reported
    per counter in ``MacCount.error`` instead of raised.
    """
    wanted = list(dict.fromkeys(counters))
    unknown = set(wanted) - set(COUNTERS)
    if unknown:
        raise ValueError(f"unknown counter(s) {sorted(unknown)}; known: {', '.join(COUNTERS)}")
    shape = tuple(int(s) for s in input_shape)
    fallback = ("meta", device)
    out: dict[str, MacCount] = {}
    if "fvcore" in wanted:
        out["fvcore"] = _with_fallback(
            lambda d: _fvcore_count(build, shape, d), "fvcore", (device,)
        )
    if "thop" in wanted:
        out["thop"] = _with_fallback(lambda d: _thop_count(build, shape, d), "thop", fallback)
    if {"flop_counter", "ntire"} & set(wanted):
        pair = _with_fallback(lambda d: _dispatch_counts(build, shape, d), "ntire", fallback)
        if isinstance(pair, MacCount):  # both failed the same way
            pair = (MacCount("flop_counter", None, device=pair.device, error=pair.error), pair)
        for count in pair:
            if count.counter in wanted:
                out[count.counter] = count
    return {name: out[name] for name in wanted}
