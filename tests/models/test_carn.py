"""CARN-M (nmhkahn/CARN-pytorch): one multi-scale network, a branch per scale."""

from __future__ import annotations

from support.zoo import build
from torch import nn

# Parameters CARN-M actually uses at each scale: shared body + that scale's branch.
CARN_M_ACTIVE = {2: 257_027, 3: 303_427, 4: 294_147}


def _n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def test_carn_m_branch_parameters() -> None:
    model = build("CARN_M_x2")
    branches = {s: _n_params(getattr(model.upsample, f"up{s}")) for s in (2, 3, 4)}
    shared = _n_params(model) - sum(branches.values())
    assert {s: shared + n for s, n in branches.items()} == CARN_M_ACTIVE
    assert {name for name, _ in model.named_buffers()} == {
        "sub_mean.shifter.weight",
        "sub_mean.shifter.bias",
        "add_mean.shifter.weight",
        "add_mean.shifter.bias",
    }
