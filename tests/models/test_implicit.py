"""Arbitrary-scale querying (suite.models.implicit): coordinates, cells, chunked queries, and
output sizes of the zoo's implicit models at non-integer and large scales."""

from __future__ import annotations

import pytest
import torch
from support.zoo import build

from suite.models.implicit import ImplicitSR, cell_factor, make_cell, make_coord, query
from suite.models.zoo import lmf

IMPLICIT_IDS = [s.id for s in lmf.SPECS]


def test_coordinates_and_cells() -> None:
    coord = make_coord(2, 4)
    assert coord.shape == (8, 2)
    assert torch.allclose(coord[0], torch.tensor([-0.5, -0.75]))
    assert torch.allclose(coord[-1], torch.tensor([0.5, 0.75]))
    assert torch.allclose(make_cell(2, 4), torch.tensor([1.0, 0.5]))
    assert cell_factor(6.0, 4.0) == 1.5 and cell_factor(3.0, 4.0) == 1.0
    assert cell_factor(6.0, None) == 1.0


@pytest.mark.parametrize("model_id", IMPLICIT_IDS)
def test_query_shapes_at_any_scale(model_id: str) -> None:
    model = build(model_id)
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
    model = build(model_id)
    lr = torch.rand(2, 3, 5, 6)
    whole = query(model, lr, 13, 16, batch=10_000)
    chunked = query(model, lr, 13, 16, batch=37)
    torch.testing.assert_close(chunked, whole, rtol=1e-5, atol=1e-6)


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
