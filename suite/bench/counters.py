"""The Multi-Adds counters the suite runs, and what each of them counts.

Kept apart from :mod:`suite.bench.complexity` (which needs torch) so the command line can offer
the names without importing a deep-learning stack.
"""

from __future__ import annotations

DEFAULT_COUNTER = "ntire"
COUNTERS: tuple[str, ...] = ("fvcore", "thop", "flop_counter", DEFAULT_COUNTER)

COUNTER_NOTES: dict[str, str] = {
    "fvcore": (
        "fvcore FlopCountAnalysis (TorchScript trace of a real forward pass; counts one fused "
        "multiply-add as one flop, so its numbers are MACs). Counts: convolutions of any "
        "kind (groups/depth-wise and dilation handled: k_h·k_w·C_in/groups per output element, "
        "bias ignored), matmul/linear/einsum, batch norm (1 per element, 2 with affine), "
        "group/layer/instance norm (4 per element, 5 with affine), adaptive average pooling "
        "(1 per input element), nearest/bilinear upsampling. Not counted, listed per model under "
        "uncounted_ops: element-wise products and sums (gates, Hadamard products, residual adds, "
        "layer scales), activations (GELU, SiLU, sigmoid, LeakyReLU; ReLU is ignored silently), "
        "pixel shuffle, bicubic interpolation."
    ),
    "thop": (
        "thop.profile (forward hooks on nn.Module leaves, matched by exact type; MACs). Counts: "
        "nn.Conv* (k_h·k_w·C_in/groups per output element, bias ignored, depth-wise and "
        "dilated handled; nn.ConvTranspose* with the same formula, i.e. stride² times its real "
        "MACs), nn.Linear, nn.BatchNorm*/LayerNorm/InstanceNorm "
        "(2 per element, 4 with affine), PReLU, avg/adaptive-avg pooling, nn.Upsample. Zero by "
        "rule: ReLU, LeakyReLU, PixelShuffle, max pooling, dropout. Invisible: every functional "
        "call (F.conv2d, F.interpolate, torch.matmul, F.gelu, element-wise products), parameters "
        "used outside a leaf module (e.g. layer scales), custom nn.Module types and subclasses "
        "of counted types; leaf module types without a rule are listed under uncounted_ops "
        "(number of instances per type)."
    ),
    "flop_counter": (
        "torch.utils.flop_counter.FlopCounterMode (dispatcher level, sees functional calls too). "
        "Counts FLOPs = 2 × MACs for convolutions (all kinds), mm/addmm/bmm/baddbmm (linear, "
        "matmul, einsum) and fused scaled-dot-product attention; reported here halved, as MACs. "
        "Everything else (norms, activations, element-wise products, pooling, pixel shuffle, "
        "interpolation) is not counted; such operators are listed under uncounted_ops."
    ),
    "ntire": (
        "The AIM/NTIRE efficient-SR convention (Kai Zhang's model_summary tool, used by the EIMN "
        "authors), re-implemented at dispatcher level: MACs of convolutions (k_h·k_w·C_in/groups "
        "per output element, bias ignored; depth-wise, dilated and transposed handled), of "
        "matrix products (linear, matmul, einsum, attention), plus batch norm at 2 per element "
        "(1 without affine; instance norm runs as batch norm in PyTorch) and ReLU-family "
        "activations (ReLU, ReLU6, LeakyReLU, PReLU, ELU) at 1 per element. Deviations from the "
        "original hook-based tool: functional calls are counted like modules, and nn.Linear on "
        "N-d input counts every position (the tool counted one). Not counted, as in the "
        "original: layer/group norm, GELU/SiLU/sigmoid, element-wise products and sums, pooling, "
        "pixel shuffle, interpolation. This is the default: it reproduces the published "
        "Multi-Adds of EIMN (212.72/95.28/54.37 G for EIMN-L, 186.38/83.59/47.79 G for EIMN-A) "
        "and is within 0.2 % of IMDN's (158.8/71.5/40.9 G, consistent with convolutions only)."
    ),
}
