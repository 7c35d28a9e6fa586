"""LIIF, LTE and their LMF variants (suite.models.zoo.lmf), all on an EDSR-baseline encoder.

None of their checkpoints can be fetched here, so these pin the zoo entries, the official
state-dict key names and shapes, and the conventions of their local ensemble and LTE skip.
Arbitrary-scale querying itself is tested in test_implicit.py.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from support.zoo import build, state_shapes

from suite.models.archs.liif import blend, neighbours, sample_bilinear, sample_nearest
from suite.models.implicit import make_coord, query
from suite.models.zoo import edsr, lmf, swinir
from suite.results.reference import default_dir, load_table

IMPLICIT_IDS = [s.id for s in lmf.SPECS]

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


def test_arbitrary_scale_entries() -> None:
    direct = {}
    for spec in lmf.SPECS:
        assert spec.scale == 4.0 and spec.integer_scale == 4 and spec.arbitrary_scale
        assert "non-integer" in spec.note and spec.training_data == "DIV2K"
        assert spec.checkpoint is not None and spec.checkpoint.published
        assert spec.checkpoint.state_dict_key == ("model.sd",)
        direct[spec.id] = spec.checkpoint.direct
    # Dropbox and Google Drive pages are not files; the LMF models sit in the repository.
    assert direct == {
        "LIIF_EDSR_baseline": False,
        "LTE_EDSR_baseline": False,
        "LMF_LIIF_EDSR_baseline": True,
        "LMF_LTE_EDSR_baseline": True,
    }


@pytest.mark.parametrize("model_id", IMPLICIT_IDS)
def test_implicit_official_keys(model_id: str) -> None:
    shapes = state_shapes(model_id)
    # The EDSR-baseline encoder keeps its (unused) MeanShift convs: the checkpoints store them.
    assert shapes["encoder.sub_mean.weight"] == (3, 3, 1, 1)
    assert shapes["encoder.body.16.weight"] == (64, 64, 3, 3)
    assert not any(k.startswith("encoder.tail") for k in shapes)
    for key, shape in IMPLICIT_KEYS[model_id].items():
        assert shapes[key] == shape, key
    modules = {"encoder", "imnet", "coef", "freq", "phase", "hypernet", "imphase"}
    assert {k.split(".")[0] for k in shapes} <= modules


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
    model = build(model_id)
    last = model.imnet.layers[-1]
    with torch.no_grad():
        last.weight.zero_()
        last.bias.zero_()
    lr = torch.rand(1, 3, 6, 5)
    expected = F.interpolate(lr, scale_factor=3, mode="bilinear", align_corners=False)
    torch.testing.assert_close(query(model, lr, 18, 15), expected, rtol=1e-5, atol=1e-5)


def test_lmf_reference_table_links_only_these_models() -> None:
    ids = {s.id for s in (*edsr.SPECS, *swinir.SPECS, *lmf.SPECS)}
    for row in load_table(default_dir() / "lmf.csv"):
        assert row.model_id in ids or not row.model_id
