"""Zoo models for tests: build one by id, its state-dict shapes, and the published numbers the
reference tables link to it, with the precision they are printed at.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from suite.models.archs import build_arch
from suite.models.zoo import get_spec, model_specs
from suite.results.reference import load_all


def build(model_id: str) -> nn.Module:
    """A zoo model's architecture with seeded random weights, in eval mode."""
    spec = get_spec(model_id)
    torch.manual_seed(0)
    return build_arch(spec.arch, **spec.arch_kwargs).eval()


def state_shapes(model_id: str) -> dict[str, tuple[int, ...]]:
    """Key → shape of a zoo model's state dict (built on the meta device: no memory)."""
    spec = get_spec(model_id)
    with torch.device("meta"):
        model = build_arch(spec.arch, **spec.arch_kwargs)
    return {k: tuple(v.shape) for k, v in model.state_dict().items()}


def printed_decimals(value: float) -> int:
    """Digits after the point of a table value (a trailing ``.0`` is lost in the float, so a
    value printed as ``122.0`` reads as 0 decimals: the comparison is then only coarser)."""
    text = repr(float(value)).removesuffix(".0")
    return len(text.split(".", 1)[1]) if "." in text else 0


def rounded(exact: float, decimals: int) -> float:
    return round(exact, decimals)


def truncated(exact: float, decimals: int) -> float:
    return math.floor(exact * 10**decimals) / 10**decimals


@dataclass(frozen=True)
class Published:
    """One published value of a zoo model (``params_k`` or ``multi_adds_g``) and its source."""

    model_id: str
    paper: str
    table: str
    file: str
    value: float

    @property
    def decimals(self) -> int:
        return printed_decimals(self.value)

    @property
    def test_id(self) -> str:
        return f"{self.model_id}-{self.file.removesuffix('.csv')}"


def published(field: str) -> list[Published]:
    """Distinct values of ``field`` that the reference tables link to zoo models: one per model
    and source table (the tables repeat them on every dataset row)."""
    zoo = model_specs()
    out: dict[tuple, Published] = {}
    for r in load_all():
        value = getattr(r, field)
        if r.model_id not in zoo or value is None:
            continue
        item = Published(r.model_id, r.paper, r.table, r.file, value)
        out.setdefault((item.model_id, item.file, item.table, value), item)
    return list(out.values())


def published_value(model_id: str, field: str) -> float:
    """The one value of ``field`` the reference tables give a model (asserts they agree)."""
    values = {p.value for p in published(field) if p.model_id == model_id}
    assert len(values) == 1, (model_id, field, values)
    return values.pop()
