"""EDSR-baseline, SwinIR-light and the arbitrary-scale LIIF / LTE / LM-LIIF / LM-LTE models.

None of their checkpoints can be fetched here, so the tests pin what can be checked without
weights: zoo metadata, exact parameter counts (and how they relate to the published ones), the
official state-dict key names and shapes, output sizes (odd inputs, non-integer and large
scales), chunked queries, and the coordinate/ensemble conventions of the implicit models.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from suite.errors import ScaleError
from suite.models.archs import build_arch
from suite.models.archs.liif import blend, neighbours, sample_bilinear, sample_nearest
from suite.models.implicit import ImplicitSR, cell_factor, make_cell, make_coord, query
from suite.models.params import param_count, trainable_params
from suite.models.spec import ModelSpec
from suite.models.zoo import edsr, lmf, model_specs, swinir
from suite.results.reference import COLUMNS, load_all, load_table

REPO_ROOT = Path(__file__).resolve().parent.parent
SPECS: list[ModelSpec] = [*edsr.SPECS, *swinir.SPECS, *lmf.SPECS]
SPEC_BY_ID = {s.id: s for s in SPECS}
IMPLICIT_IDS = [s.id for s in lmf.SPECS]

# Exact trainable parameters (EDSR's frozen MeanShift convs excluded).
PARAMS: dict[str, int] = {
    "EDSR_baseline_x2": 1_369_859,
    "EDSR_baseline_x3": 1_554_499,
    "EDSR_baseline_x4": 1_517_571,
    "SwinIR_light_x2": 910_152,
    "SwinIR_light_x3": 918_267,
    "SwinIR_light_x4": 929_628,
    "LIIF_EDSR_baseline": 1_567_299,
    "LTE_EDSR_baseline": 1_714_243,
    "LMF_LIIF_EDSR_baseline": 1_386_067,
    "LMF_LTE_EDSR_baseline": 1_490_883,
}
# SwinIR-light's 4 RSTBs × 6 layers each hold a (2·8-1)² × 6 relative-position bias table.
SWINIR_BIAS_TABLES = 4 * 6 * 15 * 15 * 6
# EDSR's two frozen 1×1 MeanShift convs (weights and biases), stored but not trainable.
EDSR_MEANSHIFT = 2 * (9 + 3)


@pytest.fixture(autouse=True, scope="module")
def _one_thread() -> Iterator[None]:
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def _model(model_id: str) -> torch.nn.Module:
    spec = SPEC_BY_ID[model_id]
    torch.manual_seed(0)
    return build_arch(spec.arch, **spec.arch_kwargs).eval()


# --------------------------------------------------------------------------- zoo metadata


def test_zoo_registers_every_id() -> None:
    zoo = model_specs()
    assert set(PARAMS) <= set(zoo)
    for spec in SPECS:
        ckpt = spec.checkpoint
        assert ckpt is not None and ckpt.published and ckpt.sha256 is None, spec.id
        assert ckpt.url.startswith("https://"), spec.id
        assert spec.training_data == "DIV2K"


def test_fixed_scale_entries() -> None:
    for s in (2, 3, 4):
        e = SPEC_BY_ID[f"EDSR_baseline_x{s}"]
        assert e.input_range == 255.0 and e.integer_scale == s
        assert e.checkpoint is not None and e.checkpoint.direct
        assert e.checkpoint.url.startswith("https://cv.snu.ac.kr/research/EDSR/models/")
        assert e.checkpoint.filename == edsr.FILES[s]
        w = SPEC_BY_ID[f"SwinIR_light_x{s}"]
        assert w.input_range == 1.0 and w.arch_kwargs["window_size"] == 8
        assert w.checkpoint is not None and w.checkpoint.state_dict_key == ("params",)
        assert w.checkpoint.url == (
            "https://github.com/JingyunLiang/SwinIR/releases/download/v0.0/"
            f"002_lightweightSR_DIV2K_s64w8_SwinIR-S_x{s}.pth"
        )


def test_arbitrary_scale_entries() -> None:
    direct = {}
    for model_id in IMPLICIT_IDS:
        spec = SPEC_BY_ID[model_id]
        assert spec.scale == 4.0 and spec.integer_scale == 4 and spec.input_range == 1.0
        assert "non-integer" in spec.note
        assert spec.checkpoint is not None and spec.checkpoint.state_dict_key == ("model.sd",)
        direct[model_id] = spec.checkpoint.direct
    # Dropbox and Google Drive pages are not files; the LMF models sit in the repository.
    assert direct == {
        "LIIF_EDSR_baseline": False,
        "LTE_EDSR_baseline": False,
        "LMF_LIIF_EDSR_baseline": True,
        "LMF_LTE_EDSR_baseline": True,
    }


# --------------------------------------------------------------------------- parameter counts


@pytest.mark.parametrize("model_id", sorted(PARAMS))
def test_param_count_is_exact(model_id: str) -> None:
    assert param_count(SPEC_BY_ID[model_id]) == PARAMS[model_id]


def _published_k(model_id: str) -> float:
    values = {r.params_k for r in load_all() if r.model_id == model_id and r.params_k is not None}
    assert len(values) == 1, (model_id, values)
    return values.pop()


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_params_against_eimn_table1(scale: int) -> None:
    # EDSR-baseline: 1370K / 1555K / 1518K are the stored values, frozen MeanShift convs (24)
    # included; trainable only, ×3 would round to 1554K (1,554,499).
    edsr_id = f"EDSR_baseline_x{scale}"
    assert round((PARAMS[edsr_id] + EDSR_MEANSHIFT) / 1000) == _published_k(edsr_id)
    assert abs(PARAMS[edsr_id] / 1000 - _published_k(edsr_id)) < 0.6
    # SwinIR-light: 878K / 886K / 897K (the SwinIR paper's numbers) are the count without the
    # relative-position bias tables; the network itself is ~32K larger.
    model_id = f"SwinIR_light_x{scale}"
    published = _published_k(model_id)
    assert round((PARAMS[model_id] - SWINIR_BIAS_TABLES) / 1000) == published
    assert 31.5 < PARAMS[model_id] / 1000 - published < 33.0


def test_edsr_meanshift_is_frozen_but_stored() -> None:
    model = _model("EDSR_baseline_x2")
    state = model.state_dict()
    stored = sum(t.numel() for t in state.values())
    assert stored - trainable_params(model) == EDSR_MEANSHIFT
    assert torch.allclose(state["sub_mean.bias"], -255 * torch.tensor([0.4488, 0.4371, 0.4040]))
    assert torch.equal(state["add_mean.weight"].flatten(1), torch.eye(3))


# --------------------------------------------------------------------------- state-dict names


def _shapes(model_id: str) -> dict[str, tuple[int, ...]]:
    spec = SPEC_BY_ID[model_id]
    with torch.device("meta"):
        model = build_arch(spec.arch, **spec.arch_kwargs)
    return {k: tuple(v.shape) for k, v in model.state_dict().items()}


# Shapes of the pixel-shuffle convs of EDSR's tail (``tail.0.0``, ``tail.0.2``).
EDSR_TAIL: dict[int, list[tuple[int, ...]]] = {
    2: [(256, 64, 3, 3)],
    3: [(576, 64, 3, 3)],
    4: [(256, 64, 3, 3), (256, 64, 3, 3)],
}


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_edsr_official_keys(scale: int) -> None:
    shapes = _shapes(f"EDSR_baseline_x{scale}")
    tail = EDSR_TAIL[scale]
    assert len(shapes) == 76 + 2 * (len(tail) - 1)
    assert shapes["sub_mean.weight"] == (3, 3, 1, 1) and "add_mean.bias" in shapes
    assert shapes["head.0.weight"] == (64, 3, 3, 3)
    assert shapes["body.15.body.2.weight"] == (64, 64, 3, 3)
    assert shapes["body.16.weight"] == (64, 64, 3, 3)
    for i, shape in enumerate(tail):
        assert shapes[f"tail.0.{2 * i}.weight"] == shape
    assert shapes["tail.1.weight"] == (3, 64, 3, 3)


@pytest.mark.parametrize("scale", [2, 4])
def test_swinir_official_keys(scale: int) -> None:
    shapes = _shapes(f"SwinIR_light_x{scale}")
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


IMPLICIT_KEYS: dict[str, dict[str, tuple[int, ...]]] = {
    "LIIF_EDSR_baseline": {
        "imnet.layers.0.weight": (256, 580),
        "imnet.layers.8.weight": (3, 256),
    },
    "LTE_EDSR_baseline": {
        "coef.weight": (256, 64, 3, 3),
        "freq.weight": (256, 64, 3, 3),
        "phase.weight": (128, 2),
        "imnet.layers.0.weight": (256, 256),
        "imnet.layers.6.weight": (3, 256),
    },
    "LMF_LIIF_EDSR_baseline": {
        "hypernet.layers.0.weight": (208, 578),
        "hypernet.layers.2.weight": (208, 208),
        "imnet.layers.0.weight": (16, 20),
        "imnet.layers.12.weight": (3, 16),
    },
    "LMF_LTE_EDSR_baseline": {
        "coef.weight": (128, 64, 3, 3),
        "phase.weight": (64, 2),
        "hypernet.layers.0.weight": (288, 128),
        "hypernet.layers.2.weight": (288, 288),
        "imphase.weight": (8, 2),
        "imnet.layers.0.weight": (16, 16),
        "imnet.layers.16.weight": (3, 16),
    },
}


@pytest.mark.parametrize("model_id", IMPLICIT_IDS)
def test_implicit_official_keys(model_id: str) -> None:
    shapes = _shapes(model_id)
    # The EDSR-baseline encoder keeps its (unused) MeanShift convs: the checkpoints store them.
    assert shapes["encoder.sub_mean.weight"] == (3, 3, 1, 1)
    assert shapes["encoder.body.16.weight"] == (64, 64, 3, 3)
    assert not any(k.startswith("encoder.tail") for k in shapes)
    for key, shape in IMPLICIT_KEYS[model_id].items():
        assert shapes[key] == shape, key
    modules = {"encoder", "imnet", "coef", "freq", "phase", "hypernet", "imphase"}
    assert {k.split(".")[0] for k in shapes} <= modules


# --------------------------------------------------------------------------- forward shapes


@pytest.mark.parametrize("family", ["EDSR_baseline", "SwinIR_light"])
@pytest.mark.parametrize("scale", [2, 3, 4])
def test_fixed_scale_forward_on_odd_input(family: str, scale: int) -> None:
    model = _model(f"{family}_x{scale}")
    x = torch.rand(1, 3, 13, 17) * SPEC_BY_ID[f"{family}_x{scale}"].input_range
    with torch.no_grad():
        y = model(x)
    assert y.shape == (1, 3, 13 * scale, 17 * scale)
    assert torch.isfinite(y).all()


def test_swinir_input_smaller_than_window() -> None:
    with torch.no_grad():
        y = _model("SwinIR_light_x2")(torch.rand(1, 3, 5, 3))
    assert y.shape == (1, 3, 10, 6)


def test_fixed_scale_archs_reject_other_scales() -> None:
    with pytest.raises(ScaleError):
        build_arch("swinir", scale=5)
    with pytest.raises(ScaleError):
        build_arch("edsr", scale=2.5)


@pytest.mark.parametrize("model_id", IMPLICIT_IDS)
def test_query_shapes_at_any_scale(model_id: str) -> None:
    model = _model(model_id)
    lr = torch.rand(1, 3, 6, 5)
    for scale in (2, 2.5, 6):
        out_h, out_w = round(6 * scale), round(5 * scale)
        y = query(model, lr, out_h, out_w)
        assert y.shape == (1, 3, out_h, out_w) and torch.isfinite(y).all()
    # Called directly, the model renders its nominal ×4, as a fixed-scale network would.
    with torch.no_grad():
        assert model(lr).shape == (1, 3, 24, 20)


@pytest.mark.parametrize("model_id", IMPLICIT_IDS)
def test_chunked_query_equals_unchunked(model_id: str) -> None:
    model = _model(model_id)
    lr = torch.rand(2, 3, 5, 6)
    whole = query(model, lr, 13, 16, batch=10_000)
    chunked = query(model, lr, 13, 16, batch=37)
    torch.testing.assert_close(chunked, whole, rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------------- conventions


def test_coordinates_and_cells() -> None:
    coord = make_coord(2, 4)
    assert coord.shape == (8, 2)
    assert torch.allclose(coord[0], torch.tensor([-0.5, -0.75]))
    assert torch.allclose(coord[-1], torch.tensor([0.5, 0.75]))
    assert torch.allclose(make_cell(2, 4), torch.tensor([1.0, 0.5]))
    assert cell_factor(6.0, 4.0) == 1.5 and cell_factor(3.0, 4.0) == 1.0
    assert cell_factor(6.0, None) == 1.0


def test_local_ensemble_is_bilinear_inside() -> None:
    """Blending the four nearest LR values with LIIF's area weights is bilinear interpolation."""
    torch.manual_seed(0)
    h, w = 5, 7
    img = torch.rand(1, 2, h, w)
    coord = make_coord(17, 19).unsqueeze(0)
    points, weights = neighbours(coord, h, w)
    blended = blend([sample_nearest(img, p.coord) for p in points], weights)
    margin = 1e-4  # exactly on the outer pixel centres the clamped neighbours coincide
    inside = (coord[0, :, 0].abs() < 1 - 1 / h - margin) & (
        coord[0, :, 1].abs() < 1 - 1 / w - margin
    )
    assert inside.sum() > 100
    torch.testing.assert_close(blended[0, inside], sample_bilinear(img, coord)[0, inside])


@pytest.mark.parametrize("model_id", ["LTE_EDSR_baseline", "LMF_LTE_EDSR_baseline"])
def test_lte_skip_is_bilinear_upsampling(model_id: str) -> None:
    """With the render MLP's output layer zeroed, (LM-)LTE returns bilinear upsampling."""
    model = _model(model_id)
    last = model.imnet.layers[-1]
    with torch.no_grad():
        last.weight.zero_()
        last.bias.zero_()
    lr = torch.rand(1, 3, 6, 5)
    expected = F.interpolate(lr, scale_factor=3, mode="bilinear", align_corners=False)
    torch.testing.assert_close(query(model, lr, 18, 15), expected, rtol=1e-5, atol=1e-5)


class _Probe(ImplicitSR):
    """Returns the cell it is asked for, to check what :func:`query` passes."""

    cell_clip_scale = 4.0

    def encode(self, lr: torch.Tensor, cell: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"cell": cell}

    def decode(
        self, latent: dict[str, torch.Tensor], coord: torch.Tensor, cell: torch.Tensor
    ) -> torch.Tensor:
        assert torch.equal(cell[:, 0], latent["cell"])
        return torch.cat([cell, coord[..., :1]], dim=-1)


def test_query_clips_cells_beyond_training_scales() -> None:
    lr = torch.zeros(1, 3, 4, 5)
    at_x6 = query(_Probe(), lr, 24, 30, batch=7)
    torch.testing.assert_close(at_x6[0, 0, 0, 0], torch.tensor(2 / 24 * 1.5))
    unclipped = query(_Probe(), lr, 24, 30, cell_clip_scale=None)
    torch.testing.assert_close(unclipped[0, 1, 0, 0], torch.tensor(2 / 30))
    at_x2 = query(_Probe(), lr, 8, 10)
    torch.testing.assert_close(at_x2[0, 0, 0, 0], torch.tensor(2 / 8))
    # Rows of the output follow the row coordinate.
    assert torch.all(at_x2[0, 2, 1:, 0] > at_x2[0, 2, :-1, 0])


def test_lmf_reference_table_is_valid() -> None:
    path = REPO_ROOT / "reference_tables" / "lmf.csv"
    assert path.read_text().splitlines()[0] == ",".join(COLUMNS)
    for row in load_table(path):
        assert row.model_id in SPEC_BY_ID or not row.model_id
