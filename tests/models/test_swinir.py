"""SwinIR-light (JingyunLiang/SwinIR): zoo entries, published #params, official keys, windows.

Its checkpoints cannot be fetched here; the EIMN paper's Table 1 reprints its #params.
"""

from __future__ import annotations

import pytest
import torch
from support.zoo import build, published_value, state_shapes

from suite.models.params import param_count
from suite.models.zoo import get_spec

# SwinIR-light's 4 RSTBs × 6 layers each hold a (2·8-1)² × 6 relative-position bias table.
SWINIR_BIAS_TABLES = 4 * 6 * 15 * 15 * 6


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_zoo_entry(scale: int) -> None:
    spec = get_spec(f"SwinIR_light_x{scale}")
    assert spec.arch_kwargs["window_size"] == 8 and spec.training_data == "DIV2K"
    ckpt = spec.checkpoint
    assert ckpt is not None and ckpt.published and ckpt.state_dict_key == ("params",)
    assert ckpt.url == (
        "https://github.com/JingyunLiang/SwinIR/releases/download/v0.0/"
        f"002_lightweightSR_DIV2K_s64w8_SwinIR-S_x{scale}.pth"
    )


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_params_against_eimn_table1(scale: int) -> None:
    """878K / 886K / 897K (the SwinIR paper's numbers) are the count without the
    relative-position bias tables; the network itself is ~32K larger."""
    model_id = f"SwinIR_light_x{scale}"
    trainable, published = param_count(get_spec(model_id)), published_value(model_id, "params_k")
    assert round((trainable - SWINIR_BIAS_TABLES) / 1000) == published
    assert 31.5 < trainable / 1000 - published < 33.0


@pytest.mark.parametrize("scale", [2, 4])
def test_official_keys(scale: int) -> None:
    shapes = state_shapes(f"SwinIR_light_x{scale}")
    block = "layers.3.residual_group.blocks"
    assert shapes["conv_first.weight"] == (60, 3, 3, 3)
    assert shapes["patch_embed.norm.weight"] == (60,)
    assert shapes[f"{block}.5.attn.relative_position_bias_table"] == (225, 6)
    assert shapes[f"{block}.5.attn.relative_position_index"] == (64, 64)
    assert shapes[f"{block}.0.attn.qkv.weight"] == (180, 60)
    assert shapes[f"{block}.0.mlp.fc1.weight"] == (120, 60)
    # Shifted layers store the 64×64-patch mask (64 windows of 64 tokens); plain ones none.
    assert shapes[f"{block}.1.attn_mask"] == (64, 64, 64)
    assert f"{block}.0.attn_mask" not in shapes
    assert shapes["layers.0.conv.weight"] == (60, 60, 3, 3)
    assert shapes["norm.weight"] == (60,) and shapes["conv_after_body.weight"] == (60, 60, 3, 3)
    assert shapes["upsample.0.weight"] == (3 * scale * scale, 60, 3, 3)
    assert not any(k == "mean" or k.endswith("patch_unembed") for k in shapes)


def test_input_smaller_than_window() -> None:
    with torch.no_grad():
        y = build("SwinIR_light_x2")(torch.rand(1, 3, 5, 3))
    assert y.shape == (1, 3, 10, 6)
