"""Latent Modulated Function (He & Jin, CVPR 2024): LM-LIIF and LM-LTE with EDSR-baseline.

LMF splits the decoder of LIIF/LTE in two. A "latent" MLP (``hypernet``) runs once per LR pixel
and outputs, for every layer of a small "render" MLP, a per-unit scale and shift modulation, plus
a compressed latent code (``mod_input``). The render MLP (``imnet``, 16 units wide) runs per HR
query: each hidden Linear output ``x`` becomes ``x · (1 + scale) + shift`` before its ReLU, with
the modulations of the LR pixel the query is decoded from. Local ensemble, cell decoding, input
normalisation and coordinate conventions are those of LIIF/LTE (:mod:`suite.models.archs.liif`).

* LM-LIIF: latent MLP on the 3×3-unfolded feature + ``rel_cell`` (578 → 208 → 208 = 6 layers ×
  (16 scales + 16 shifts) + a 16-d code); render MLP on code + ``rel_coord`` + ``rel_cell``
  (20 → 16 ×6 → 3).
* LM-LTE: the LTE amplitude/frequency convs at 128 channels; the latent MLP sees the amplitude
  times ``cos/sin(π(sum of each frequency pair + phase(rel_cell)))`` (128 → 288 → 288 =
  8 layers × 32 modulations + a 16-d amplitude + 16-d frequency code); the render MLP sees the
  LTE basis built from those codes and ``imphase(rel_cell)`` (16 → 16 ×8 → 3); a bilinear
  upsampling of the input is added.

Hyper-parameters are those of the authors' ``configs/train-lmf/train_edsr-baseline-lm{liif,lte}
.yaml`` (HeZongyao/LMF), attribute names those of their ``models/lmliif.py``, ``lmlte.py`` and
``lmmlp.py``, so their ``sd`` state dicts load strictly. The optional CMSR acceleration (which
skips render work at large scales and changes the output) is not implemented: outputs equal the
authors' plain ("fast", no CMSR) evaluation. Cells beyond ×4 are clipped as in their test script.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from suite.models.archs.liif import (
    MLP,
    TRAIN_SCALE_MAX,
    blend,
    denormalise,
    edsr_baseline_encoder,
    fourier_features,
    neighbours,
    normalise,
    relative_cell,
    sample_bilinear,
    sample_nearest,
)
from suite.models.implicit import ImplicitSR


class ModulatedMLP(nn.Module):
    """Render MLP whose hidden layers are scaled and shifted by per-query modulations.

    ``mod`` (…×2·depth·hidden) holds all scales (layer-major) and then all shifts.
    """

    def __init__(self, in_dim: int, out_dim: int, hidden_dim: int, depth: int) -> None:
        super().__init__()
        self.hidden_dim = hidden_dim
        self.depth = depth
        self.mod_dim = 2 * hidden_dim * depth
        layers: list[nn.Module] = []
        last = in_dim
        for _ in range(depth):
            layers += [nn.Linear(last, hidden_dim), nn.ReLU()]
            last = hidden_dim
        layers.append(nn.Linear(last, out_dim))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor, mod: torch.Tensor) -> torch.Tensor:
        d, half = self.hidden_dim, self.depth * self.hidden_dim
        for k in range(self.depth):
            x = self.layers[2 * k](x)
            x = (
                x * (mod[..., k * d : (k + 1) * d] + 1.0)
                + mod[..., half + k * d : half + (k + 1) * d]
            )
            x = F.relu(x)
        return self.layers[-1](x)


def _per_pixel(t: torch.Tensor) -> torch.Tensor:
    """B×C×h×w -> B×(h·w)×C."""
    return t.permute(0, 2, 3, 1).reshape(t.shape[0], -1, t.shape[1])


def _to_map(t: torch.Tensor, h: int, w: int) -> torch.Tensor:
    """B×(h·w)×C -> B×C×h×w."""
    return t.view(t.shape[0], h, w, -1).permute(0, 3, 1, 2).contiguous()


class LMLIIF(ImplicitSR):
    """LM-LIIF: LIIF whose decoder is a latent modulation MLP plus a modulated render MLP."""

    cell_clip_scale = TRAIN_SCALE_MAX

    def __init__(
        self, hidden_dim: int = 16, depth: int = 6, latent_hidden: Sequence[int] = (208,)
    ) -> None:
        super().__init__()
        self.encoder = edsr_baseline_encoder()
        self.mod_dim = 2 * hidden_dim * depth
        self.hypernet = MLP(self.encoder.out_dim * 9 + 2, self.mod_dim + hidden_dim, latent_hidden)
        self.imnet = ModulatedMLP(hidden_dim + 4, 3, hidden_dim, depth)

    def encode(self, lr: torch.Tensor, cell: torch.Tensor) -> dict[str, torch.Tensor]:
        feat = self.encoder(normalise(lr))
        b, c, h, w = feat.shape
        rich = _per_pixel(F.unfold(feat, 3, padding=1).view(b, c * 9, h, w))
        rel_cell = relative_cell(cell, h, w).unsqueeze(1).expand(b, h * w, 2)
        return {"mod": _to_map(self.hypernet(torch.cat([rich, rel_cell], dim=-1)), h, w)}

    def decode(
        self, latent: dict[str, torch.Tensor], coord: torch.Tensor, cell: torch.Tensor
    ) -> torch.Tensor:
        mod = latent["mod"]
        h, w = mod.shape[-2:]
        rel_cell = relative_cell(cell, h, w)
        points, weights = neighbours(coord, h, w)
        preds = []
        for p in points:
            q = sample_nearest(mod, p.coord)
            code = q[..., self.mod_dim :]
            preds.append(
                self.imnet(torch.cat([code, p.rel, rel_cell], dim=-1), q[..., : self.mod_dim])
            )
        return denormalise(blend(preds, weights))


class LMLTE(ImplicitSR):
    """LM-LTE: LTE whose decoder is a latent modulation MLP plus a modulated render MLP."""

    cell_clip_scale = TRAIN_SCALE_MAX

    def __init__(
        self,
        latent_dim: int = 128,
        hidden_dim: int = 16,
        depth: int = 8,
        latent_hidden: Sequence[int] = (288,),
    ) -> None:
        super().__init__()
        self.encoder = edsr_baseline_encoder()
        self.coef = nn.Conv2d(self.encoder.out_dim, latent_dim, 3, padding=1)
        self.freq = nn.Conv2d(self.encoder.out_dim, latent_dim, 3, padding=1)
        self.phase = nn.Linear(2, latent_dim // 2, bias=False)
        self.mod_dim = 2 * hidden_dim * depth
        self.code_dim = hidden_dim
        self.hypernet = MLP(latent_dim, self.mod_dim + 2 * hidden_dim, latent_hidden)
        self.imphase = nn.Linear(2, hidden_dim // 2, bias=False)
        self.imnet = ModulatedMLP(hidden_dim, 3, hidden_dim, depth)

    def encode(self, lr: torch.Tensor, cell: torch.Tensor) -> dict[str, torch.Tensor]:
        inp = normalise(lr)
        feat = self.encoder(inp)
        h, w = feat.shape[-2:]
        phase = self.phase(relative_cell(cell, h, w)).unsqueeze(1)
        basis = fourier_features(_per_pixel(self.freq(feat)), None, phase)
        mod = self.hypernet(_per_pixel(self.coef(feat)) * basis)
        return {"inp": inp, "mod": _to_map(mod, h, w)}

    def decode(
        self, latent: dict[str, torch.Tensor], coord: torch.Tensor, cell: torch.Tensor
    ) -> torch.Tensor:
        mod = latent["mod"]
        h, w = mod.shape[-2:]
        phase = self.imphase(relative_cell(cell, h, w))
        points, weights = neighbours(coord, h, w)
        m, k = self.mod_dim, self.code_dim
        preds = []
        for p in points:
            q = sample_nearest(mod, p.coord)
            basis = fourier_features(q[..., m + k : m + 2 * k], p.rel, phase)
            preds.append(self.imnet(q[..., m : m + k] * basis, q[..., :m]))
        out = blend(preds, weights) + sample_bilinear(latent["inp"], coord)
        return denormalise(out)


def lm_liif(default_scale: float = 4.0) -> LMLIIF:
    """LM-LIIF with EDSR-baseline as published (render MLP 16×6, latent MLP 208)."""
    model = LMLIIF()
    model.default_scale = default_scale
    return model


def lm_lte(default_scale: float = 4.0) -> LMLTE:
    """LM-LTE with EDSR-baseline as published (render MLP 16×8, latent MLP 288, LTE dim 128)."""
    model = LMLTE()
    model.default_scale = default_scale
    return model
