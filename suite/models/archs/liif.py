"""LIIF (Chen et al., CVPR 2021) and LTE (Lee & Jin, CVPR 2022) with the EDSR-baseline encoder.

Both are implicit, arbitrary-scale models (:class:`suite.models.implicit.ImplicitSR`): an
EDSR-baseline without upsampler encodes the LR image into 64 feature maps, and an MLP predicts
the colour at any HR coordinate from the nearest LR feature vector, the offset to it
(``rel_coord``) and the query cell (``rel_cell``), both rescaled by the LR size so that one LR
pixel measures 2. Each query is decoded from the four LR pixels around it and the predictions
blended with bilinear-like area weights ("local ensemble").

* LIIF: the feature is 3×3-unfolded (576 values) and concatenated with ``rel_coord`` and
  ``rel_cell``; MLP 580 → 256 ×4 → 3.
* LTE: two 3×3 convs give a 256-d amplitude ("coef") and a 256-d frequency map; the query's
  Fourier features ``cos/sin(π(freq · rel_coord + phase(rel_cell)))`` times the amplitude feed
  an MLP 256 → 256 ×3 → 3, and a bilinear upsampling of the input is added.

Both were trained with input and output normalised as ``(x - 0.5) / 0.5``; that happens inside,
so the models take and return RGB in [0, 1]. Sampling uses ``grid_sample`` in nearest mode with
the reference's 1e-6 shifts, so ties at cell borders resolve as in the authors' code. Attribute
names follow the authors' ``sd`` state dicts (``encoder.*``, ``imnet.layers.{0,2,…}``,
``coef``, ``freq``, ``phase``). The helpers here are shared with the LMF variants
(:mod:`suite.models.archs.lmf`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from suite.models.archs.edsr import EDSR
from suite.models.implicit import ImplicitSR, coord_map

# Offsets (rows, cols) of the four LR neighbours, in the reference's loop order.
ENSEMBLE_SHIFTS: tuple[tuple[int, int], ...] = ((-1, -1), (-1, 1), (1, -1), (1, 1))
_EPS_SHIFT = 1e-6
_CLAMP = 1 - 1e-6
# Largest scale the published models were trained on (scale_max in their configurations).
TRAIN_SCALE_MAX = 4.0


def edsr_baseline_encoder() -> EDSR:
    """EDSR-baseline without upsampler: 64 feature maps at LR size (``out_dim`` 64)."""
    return EDSR(scale=1, rgb_range=1.0, upsample=False)


def normalise(x: torch.Tensor) -> torch.Tensor:
    """[0, 1] -> [-1, 1], the ``data_norm`` (sub 0.5, div 0.5) of the training configurations."""
    return (x - 0.5) / 0.5


def denormalise(x: torch.Tensor) -> torch.Tensor:
    """Inverse of :func:`normalise`."""
    return x * 0.5 + 0.5


def sample_nearest(t: torch.Tensor, coord: torch.Tensor) -> torch.Tensor:
    """Values of ``t`` (B×C×h×w) at ``coord`` (B×Q×2, row/col in [-1, 1]), nearest: B×Q×C."""
    grid = coord.flip(-1).unsqueeze(1)
    return F.grid_sample(t, grid, mode="nearest", align_corners=False)[:, :, 0, :].permute(0, 2, 1)


def sample_bilinear(t: torch.Tensor, coord: torch.Tensor) -> torch.Tensor:
    """Bilinear samples of ``t`` at ``coord`` with border padding (LTE's skip), B×Q×C."""
    grid = coord.flip(-1).unsqueeze(1)
    out = F.grid_sample(t, grid, mode="bilinear", padding_mode="border", align_corners=False)
    return out[:, :, 0, :].permute(0, 2, 1)


def relative_cell(cell: torch.Tensor, h: int, w: int) -> torch.Tensor:
    """The cell rescaled by the LR size, ``cell · (h, w)`` (one LR pixel measures 2)."""
    return cell * cell.new_tensor([h, w])


class Neighbour:
    """One of the four LR neighbours of a batch of queries.

    ``coord`` is the shifted, clamped query position used to look up latent maps; ``rel`` the
    offset from that neighbour's centre to the query, rescaled by the LR size (one LR pixel
    measures 2).
    """

    __slots__ = ("coord", "rel")

    def __init__(self, coord: torch.Tensor, rel: torch.Tensor) -> None:
        self.coord = coord
        self.rel = rel


def neighbours(coord: torch.Tensor, h: int, w: int) -> tuple[list[Neighbour], list[torch.Tensor]]:
    """The four neighbours of each query on an ``h × w`` LR grid and their blending weights.

    The weight of a neighbour is the area of the rectangle between the query and the diagonally
    opposite neighbour, divided by the total (LIIF's local ensemble).
    """
    feat_coord = coord_map(h, w, coord.device).unsqueeze(0).expand(coord.shape[0], 2, h, w)
    ry, rx = 2 / h / 2, 2 / w / 2
    out: list[Neighbour] = []
    areas: list[torch.Tensor] = []
    for dy, dx in ENSEMBLE_SHIFTS:
        shifted = coord.clone()
        shifted[:, :, 0] += dy * ry + _EPS_SHIFT
        shifted[:, :, 1] += dx * rx + _EPS_SHIFT
        shifted.clamp_(-_CLAMP, _CLAMP)
        rel = coord - sample_nearest(feat_coord, shifted)
        rel[:, :, 0] *= h
        rel[:, :, 1] *= w
        out.append(Neighbour(shifted, rel))
        areas.append(torch.abs(rel[:, :, 0] * rel[:, :, 1]) + 1e-9)
    total = torch.stack(areas).sum(dim=0)
    weights = [areas[len(areas) - 1 - i] / total for i in range(len(areas))]
    return out, weights


def blend(preds: Sequence[torch.Tensor], weights: Sequence[torch.Tensor]) -> torch.Tensor:
    """Area-weighted sum of the four neighbour predictions (B×Q×C each)."""
    if len(preds) != len(weights) or not preds:
        raise ValueError("blend needs one weight per prediction")
    ret = preds[0] * weights[0].unsqueeze(-1)
    for pred, weight in zip(preds[1:], weights[1:], strict=True):
        ret = ret + pred * weight.unsqueeze(-1)
    return ret


def fourier_features(
    freq: torch.Tensor, rel: torch.Tensor | None, phase: torch.Tensor | None
) -> torch.Tensor:
    """LTE's basis: ``cos/sin(π·(Σ_xy freq·rel + phase))``.

    ``freq`` (…×2K) holds K (row, col) frequency pairs; ``rel`` (…×2) is the offset to project
    on them (``None`` for "sum the pair", as LMF's latent branch does); ``phase`` (…×K) is added.
    Returns …×2K: the K cosines, then the K sines.
    """
    pairs = freq.unflatten(-1, (-1, 2))
    proj = (pairs * rel.unsqueeze(-2)).sum(-1) if rel is not None else pairs.sum(-1)
    if phase is not None:
        proj = proj + phase
    return torch.cat((torch.cos(math.pi * proj), torch.sin(math.pi * proj)), dim=-1)


class MLP(nn.Module):
    """Linear/ReLU stack ending in a Linear, stored as ``layers`` (indices 0, 2, 4, …)."""

    def __init__(self, in_dim: int, out_dim: int, hidden: Sequence[int]) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        last = in_dim
        for width in hidden:
            layers += [nn.Linear(last, width), nn.ReLU()]
            last = width
        layers.append(nn.Linear(last, out_dim))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


class LIIF(ImplicitSR):
    """LIIF with feature unfolding, local ensemble and cell decoding (the published setting)."""

    cell_clip_scale = None  # LIIF's test script passes the true cell at every scale

    def __init__(self, hidden: Sequence[int] = (256, 256, 256, 256)) -> None:
        super().__init__()
        self.encoder = edsr_baseline_encoder()
        self.imnet = MLP(self.encoder.out_dim * 9 + 4, 3, hidden)

    def encode(self, lr: torch.Tensor, cell: torch.Tensor) -> dict[str, torch.Tensor]:
        feat = self.encoder(normalise(lr))
        b, c, h, w = feat.shape
        return {"feat": F.unfold(feat, 3, padding=1).view(b, c * 9, h, w)}

    def decode(
        self, latent: dict[str, torch.Tensor], coord: torch.Tensor, cell: torch.Tensor
    ) -> torch.Tensor:
        feat = latent["feat"]
        h, w = feat.shape[-2:]
        rel_cell = relative_cell(cell, h, w)
        points, weights = neighbours(coord, h, w)
        preds = [
            self.imnet(torch.cat([sample_nearest(feat, p.coord), p.rel, rel_cell], dim=-1))
            for p in points
        ]
        return denormalise(blend(preds, weights))


class LTE(ImplicitSR):
    """Local Texture Estimator: Fourier-feature decoding of EDSR-baseline features."""

    cell_clip_scale = TRAIN_SCALE_MAX  # LTE's test script clips cells beyond ×4

    def __init__(self, hidden_dim: int = 256, hidden: Sequence[int] = (256, 256, 256)) -> None:
        super().__init__()
        self.encoder = edsr_baseline_encoder()
        self.coef = nn.Conv2d(self.encoder.out_dim, hidden_dim, 3, padding=1)
        self.freq = nn.Conv2d(self.encoder.out_dim, hidden_dim, 3, padding=1)
        self.phase = nn.Linear(2, hidden_dim // 2, bias=False)
        self.imnet = MLP(hidden_dim, 3, hidden)

    def encode(self, lr: torch.Tensor, cell: torch.Tensor) -> dict[str, torch.Tensor]:
        inp = normalise(lr)
        feat = self.encoder(inp)
        return {"inp": inp, "coef": self.coef(feat), "freq": self.freq(feat)}

    def decode(
        self, latent: dict[str, torch.Tensor], coord: torch.Tensor, cell: torch.Tensor
    ) -> torch.Tensor:
        coef, freq = latent["coef"], latent["freq"]
        h, w = coef.shape[-2:]
        phase = self.phase(relative_cell(cell, h, w))
        points, weights = neighbours(coord, h, w)
        preds = []
        for p in points:
            basis = fourier_features(sample_nearest(freq, p.coord), p.rel, phase)
            preds.append(self.imnet(sample_nearest(coef, p.coord) * basis))
        out = blend(preds, weights) + sample_bilinear(latent["inp"], coord)
        return denormalise(out)


def liif(default_scale: float = 4.0) -> LIIF:
    """EDSR-baseline-LIIF as published (DIV2K, trained on scales ×1–×4)."""
    model = LIIF()
    model.default_scale = default_scale
    return model


def lte(default_scale: float = 4.0) -> LTE:
    """EDSR-baseline-LTE as published (DIV2K, trained on scales ×1–×4)."""
    model = LTE()
    model.default_scale = default_scale
    return model
