"""Arbitrary-scale super-resolution: HR coordinate grids, cells and chunked model queries.

Implicit models (LIIF, LTE and their LMF variants) do not upsample by a fixed factor: they
encode the LR image once and then predict the colour at any continuous coordinate. Following
LIIF, coordinates are pixel centres of the HR grid in [-1, 1], in (row, column) order, and each
query also carries its "cell", the HR pixel size ``(2/H, 2/W)`` in the same units.

:func:`query` evaluates a model on the full ``out_h × out_w`` grid in chunks of query points, so
memory stays bounded however large the output; the result does not depend on the chunk size.
Every model implements :class:`ImplicitSR`: ``encode`` (LR → latent tensors, once per image)
and ``decode`` (latent + coordinates + cells → RGB).

Cells of out-of-training scales can be clipped, as the LTE and LMF test scripts do: for a scale
above ``cell_clip_scale`` the cell is enlarged by ``scale / cell_clip_scale``, i.e. the model is
told it renders at its largest training scale. LIIF's own test script does not clip.
"""

from __future__ import annotations

from typing import Final

import torch
from torch import nn

# Query points per chunk: the ``eval_bsize`` of the LIIF/LTE test configurations.
DEFAULT_QUERY_BATCH: Final = 30_000


class _UseModelDefault:
    """Sentinel type: take ``cell_clip_scale`` from the model."""


MODEL_DEFAULT: Final = _UseModelDefault()


def coord_axis(n: int, device: torch.device | str | None = None) -> torch.Tensor:
    """Centres of ``n`` equal cells covering [-1, 1] (LIIF's ``make_coord`` along one axis)."""
    r = 1.0 / n
    return -1 + r + (2 * r) * torch.arange(n, device=device).float()


def make_coord(h: int, w: int, device: torch.device | str | None = None) -> torch.Tensor:
    """Pixel-centre coordinates of an ``h × w`` grid, shape ``(h·w, 2)``, (row, col) order."""
    grid = torch.meshgrid(coord_axis(h, device), coord_axis(w, device), indexing="ij")
    return torch.stack(grid, dim=-1).view(-1, 2)


def coord_map(h: int, w: int, device: torch.device | str | None = None) -> torch.Tensor:
    """The same coordinates as a ``(2, h, w)`` map (for sampling with ``grid_sample``)."""
    return make_coord(h, w, device).view(h, w, 2).permute(2, 0, 1)


def make_cell(
    h: int, w: int, factor: float = 1.0, device: torch.device | str | None = None
) -> torch.Tensor:
    """The cell ``(2/h, 2/w)`` of an ``h × w`` output (times ``factor``), shape ``(2,)``."""
    cell = torch.ones(2, device=device)
    cell[0] *= 2 / h
    cell[1] *= 2 / w
    return cell * factor if factor != 1.0 else cell


def cell_factor(scale: float, clip_scale: float | None) -> float:
    """How much to enlarge cells at ``scale``: ``max(scale / clip_scale, 1)``, or 1 unclipped."""
    return 1.0 if clip_scale is None else max(scale / clip_scale, 1.0)


class ImplicitSR(nn.Module):
    """Base of arbitrary-scale models queried on coordinates (RGB in [0, 1] in and out).

    Subclasses implement :meth:`encode` and :meth:`decode`. Calling the model on an LR batch
    renders it at ``default_scale`` through :func:`query`, so it also works where the suite
    expects a fixed-scale network.
    """

    default_scale: float = 4.0
    cell_clip_scale: float | None = None

    def encode(self, lr: torch.Tensor, cell: torch.Tensor) -> dict[str, torch.Tensor]:
        """Latent tensors of ``lr`` (B×3×h×w in [0, 1]); ``cell`` (B×2) is the query cell."""
        raise NotImplementedError

    def decode(
        self, latent: dict[str, torch.Tensor], coord: torch.Tensor, cell: torch.Tensor
    ) -> torch.Tensor:
        """RGB in [0, 1] (B×Q×3) at ``coord`` (B×Q×2) with cells ``cell`` (B×Q×2)."""
        raise NotImplementedError

    def forward(self, lr: torch.Tensor, scale: float | None = None) -> torch.Tensor:
        s = self.default_scale if scale is None else scale
        h, w = lr.shape[-2:]
        return query(self, lr, round(h * s), round(w * s))


@torch.no_grad()
def query(
    model: ImplicitSR,
    lr: torch.Tensor,
    out_h: int,
    out_w: int,
    batch: int = DEFAULT_QUERY_BATCH,
    cell_clip_scale: float | _UseModelDefault | None = MODEL_DEFAULT,
) -> torch.Tensor:
    """Render ``lr`` (B×3×h×w, [0, 1]) at ``out_h × out_w``; returns B×3×out_h×out_w, unclamped.

    The HR grid is decoded ``batch`` points at a time. The scale used for cell clipping is
    ``out_h / h`` (as in the LMF demo); ``cell_clip_scale`` overrides the model's own setting
    (None: never clip).
    """
    if batch < 1:
        raise ValueError(f"batch must be positive, got {batch}")
    if out_h < 1 or out_w < 1:
        raise ValueError(f"output size must be positive, got {out_h}×{out_w}")
    clip = (
        model.cell_clip_scale if isinstance(cell_clip_scale, _UseModelDefault) else cell_clip_scale
    )
    b, h = lr.shape[0], lr.shape[-2]
    cell = make_cell(out_h, out_w, cell_factor(out_h / h, clip), lr.device)
    latent = model.encode(lr, cell.expand(b, 2))
    coord = make_coord(out_h, out_w, lr.device)
    n = coord.shape[0]
    chunks = []
    for start in range(0, n, batch):
        c = coord[start : start + batch].expand(b, -1, -1)
        chunks.append(model.decode(latent, c, cell.expand(b, c.shape[1], 2)))
    rgb = torch.cat(chunks, dim=1)
    return rgb.view(b, out_h, out_w, -1).permute(0, 3, 1, 2).contiguous()
