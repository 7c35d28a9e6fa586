"""RLFN (bytedance/RLFN): its two state-dict layouts and the ESA block's minimum input size."""

from __future__ import annotations

import pytest
import torch

from suite.models.archs import build_arch


def test_rlfn_unknown_layout_rejected() -> None:
    with pytest.raises(ValueError, match="layout"):
        build_arch("rlfn", scale=4, layout="nope")


def test_esa_too_small_input_is_explained() -> None:
    model = build_arch("rlfn", scale=2, channels=8, mid_channels=8, num_blocks=1)
    with pytest.raises(ValueError, match="ESA needs"):
        model(torch.rand(1, 3, 12, 40))


def test_rlfn_layouts_share_structure() -> None:
    a = build_arch("rlfn", scale=4, channels=46, mid_channels=48, num_blocks=4)
    b = build_arch("rlfn", scale=4, channels=46, mid_channels=48, num_blocks=4, layout="ntire")
    shapes_a = [tuple(t.shape) for t in a.state_dict().values()]
    shapes_b = [tuple(t.shape) for t in b.state_dict().values()]
    assert shapes_a == shapes_b
    assert "conv_1.weight" in a.state_dict() and "fea_conv.weight" in b.state_dict()
