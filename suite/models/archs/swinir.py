"""SwinIR (Liang et al., ICCVW 2021), lightweight classical-SR configuration ("SwinIR-S").

A 3×3 conv embeds RGB into ``embed_dim`` channels; the tokens go through a LayerNorm and
``len(depths)`` residual Swin Transformer blocks (RSTB: ``depth`` Swin layers alternating plain
and half-window-shifted window attention with a learned relative-position bias, then a 3×3 conv
and a skip), a final LayerNorm and a 3×3 conv joined to the embedding by a global skip. The
lightweight tail ("pixelshuffledirect") is a single conv to ``3·s²`` maps + PixelShuffle.

Input is RGB in [0, 1]; the DIV2K mean is subtracted inside (``img_range`` 1) and added back.
Window attention needs H and W to be multiples of the window, so the forward pass pads the input
the way the authors' ``main_test_swinir.py`` does (a mirrored copy, always by
``(h // w + 1) · w - h`` rows and columns, i.e. one full window even when already aligned) and
crops the output back to ``scale·H × scale·W``.

Attribute names and buffers are those of the official checkpoints (``conv_first``,
``patch_embed.norm``, ``layers.{i}.residual_group.blocks.{j}.attn.qkv``, ``…attn_mask`` …). The
checkpoints store, besides the weights, each layer's ``relative_position_index`` and, in the
shifted layers, the attention mask for the 64×64 training patch (``img_size``); both are kept
as buffers with those shapes so the files load strictly. Masks for other sizes are computed (and
cached) on demand.
"""

from __future__ import annotations

import torch
from torch import nn

from suite.models.archs.blocks import DIV2K_RGB_MEAN, check_scale, pixelshuffle_upsampler

# Logit added between tokens of different regions inside a shifted window (as the reference).
_MASKED = -100.0


def relative_position_index(window: int) -> torch.Tensor:
    """(w², w²) index into the ``(2w-1)²`` bias table for every query/key pair of a window."""
    ys, xs = torch.meshgrid(torch.arange(window), torch.arange(window), indexing="ij")
    pos = torch.stack([ys.flatten(), xs.flatten()])  # 2, N
    rel = (pos[:, :, None] - pos[:, None, :]).permute(1, 2, 0) + (window - 1)  # N, N, 2
    return rel[..., 0] * (2 * window - 1) + rel[..., 1]


def window_partition(x: torch.Tensor, window: int) -> torch.Tensor:
    """(B, H, W, C) -> (B·nW, window², C), windows in row-major order."""
    b, h, w, c = x.shape
    x = x.view(b, h // window, window, w // window, window, c)
    return x.permute(0, 1, 3, 2, 4, 5).reshape(-1, window * window, c)


def window_merge(windows: torch.Tensor, window: int, h: int, w: int) -> torch.Tensor:
    """Inverse of :func:`window_partition`: (B·nW, window², C) -> (B, H, W, C)."""
    c = windows.shape[-1]
    x = windows.view(-1, h // window, w // window, window, window, c)
    return x.permute(0, 1, 3, 2, 4, 5).reshape(-1, h, w, c)


def shifted_window_mask(h: int, w: int, window: int, shift: int) -> torch.Tensor:
    """(nW, window², window²) additive mask: 0 within a region, -100 across the cyclic-shift seams.

    After rolling the map by ``-shift``, the last window row/column mixes pixels from opposite
    borders; the map is cut at ``size - window`` and ``size - shift`` into 3×3 regions and tokens
    of different regions must not attend to each other.
    """

    def bands(n: int) -> torch.Tensor:
        band = torch.zeros(n, dtype=torch.long)
        band[n - window : n - shift] = 1
        band[n - shift :] = 2
        return band

    region = (bands(h)[:, None] * 3 + bands(w)[None, :]).view(1, h, w, 1)
    ids = window_partition(region, window).squeeze(-1)  # nW, N
    diff = ids[:, None, :] - ids[:, :, None]
    return torch.zeros(diff.shape).masked_fill(diff != 0, _MASKED)


class WindowAttention(nn.Module):
    """Multi-head self-attention inside each window, with a learned relative-position bias."""

    def __init__(self, dim: int, window: int, num_heads: int) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.relative_position_bias_table = nn.Parameter(
            torch.zeros((2 * window - 1) ** 2, num_heads)
        )
        self.register_buffer("relative_position_index", relative_position_index(window))
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)
        nn.init.trunc_normal_(self.relative_position_bias_table, std=0.02)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        bw, n, c = x.shape
        qkv = self.qkv(x).reshape(bw, n, 3, self.num_heads, c // self.num_heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)
        attn = (q * self.scale) @ k.transpose(-2, -1)
        bias = self.relative_position_bias_table[self.relative_position_index.view(-1)]
        attn = attn + bias.view(n, n, -1).permute(2, 0, 1).unsqueeze(0)
        if mask is not None:
            nw = mask.shape[0]
            attn = attn.view(bw // nw, nw, self.num_heads, n, n) + mask[None, :, None]
            attn = attn.view(bw, self.num_heads, n, n)
        out = (attn.softmax(dim=-1) @ v).transpose(1, 2).reshape(bw, n, c)
        return self.proj(out)


class Mlp(nn.Module):
    """Linear–GELU–Linear feed-forward (keys ``fc1``/``fc2``)."""

    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.act(self.fc1(x)))


class SwinLayer(nn.Module):
    """Pre-norm (shifted) window attention and MLP, each with a residual connection.

    ``train_size`` is the square training patch whose shifted-window mask the checkpoints
    store as the ``attn_mask`` buffer (shifted layers only).
    """

    def __init__(
        self, dim: int, num_heads: int, window: int, shift: int, mlp_ratio: float, train_size: int
    ) -> None:
        super().__init__()
        self.window = window
        self.shift = shift
        self.train_size = train_size
        self.norm1 = nn.LayerNorm(dim)
        self.attn = WindowAttention(dim, window, num_heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))
        if shift > 0:
            mask = shifted_window_mask(train_size, train_size, window, shift)
            self.register_buffer("attn_mask", mask)
        else:
            self.register_buffer("attn_mask", None)
        self._masks: dict[tuple[int, int, torch.device], torch.Tensor] = {}

    def _mask(self, h: int, w: int, ref: torch.Tensor) -> torch.Tensor | None:
        if self.shift == 0:
            return None
        if (h, w) == (self.train_size, self.train_size) and self.attn_mask is not None:
            return self.attn_mask.to(ref.dtype)
        key = (h, w, ref.device)
        if key not in self._masks:
            self._masks[key] = shifted_window_mask(h, w, self.window, self.shift).to(ref.device)
        return self._masks[key].to(ref.dtype)

    def forward(self, x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
        h, w = size
        b, _, c = x.shape
        y = self.norm1(x).view(b, h, w, c)
        if self.shift:
            y = torch.roll(y, shifts=(-self.shift, -self.shift), dims=(1, 2))
        y = self.attn(window_partition(y, self.window), self._mask(h, w, x))
        y = window_merge(y, self.window, h, w)
        if self.shift:
            y = torch.roll(y, shifts=(self.shift, self.shift), dims=(1, 2))
        x = x + y.reshape(b, h * w, c)
        return x + self.mlp(self.norm2(x))


class SwinGroup(nn.Module):
    """The Swin layers of one RSTB, stored as ``blocks`` (every second one shifted)."""

    def __init__(
        self, dim: int, depth: int, num_heads: int, window: int, mlp_ratio: float, train_size: int
    ) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(
            SwinLayer(
                dim, num_heads, window, 0 if i % 2 == 0 else window // 2, mlp_ratio, train_size
            )
            for i in range(depth)
        )

    def forward(self, x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
        for block in self.blocks:
            x = block(x, size)
        return x


class RSTB(nn.Module):
    """Residual Swin Transformer block: Swin layers, a 3×3 conv on the image form, and a skip."""

    def __init__(
        self, dim: int, depth: int, num_heads: int, window: int, mlp_ratio: float, train_size: int
    ) -> None:
        super().__init__()
        self.residual_group = SwinGroup(dim, depth, num_heads, window, mlp_ratio, train_size)
        self.conv = nn.Conv2d(dim, dim, 3, padding=1)

    def forward(self, x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
        y = self.residual_group(x, size)
        b, _, c = y.shape
        y = self.conv(y.transpose(1, 2).reshape(b, c, *size))
        return y.flatten(2).transpose(1, 2) + x


class PatchEmbed(nn.Module):
    """Image -> tokens (patch size 1) followed by a LayerNorm, kept as ``patch_embed.norm``."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(x.flatten(2).transpose(1, 2))


def pad_to_window(x: torch.Tensor, window: int) -> torch.Tensor:
    """Pad bottom/right as ``main_test_swinir.py``: mirror, to the next multiple past H and W.

    The pad is ``(n // window + 1) · window - n`` (a whole window when ``n`` is aligned), filled
    with the image flipped at its last row/column (symmetric padding, edge pixel repeated),
    repeated for inputs smaller than the pad.
    """

    def pad_dim(t: torch.Tensor, dim: int) -> torch.Tensor:
        n = t.shape[dim]
        target = (n // window + 1) * window
        while t.shape[dim] < target:
            t = torch.cat([t, torch.flip(t, [dim])], dim)
        return t.narrow(dim, 0, target)

    return pad_dim(pad_dim(x, 2), 3)


class SwinIR(nn.Module):
    """SwinIR with the one-step pixel-shuffle tail (lightweight SR)."""

    def __init__(
        self,
        scale: int,
        embed_dim: int = 60,
        depths: tuple[int, ...] = (6, 6, 6, 6),
        num_heads: tuple[int, ...] = (6, 6, 6, 6),
        window_size: int = 8,
        mlp_ratio: float = 2.0,
        img_size: int = 64,
        img_range: float = 1.0,
    ) -> None:
        super().__init__()
        if len(depths) != len(num_heads):
            raise ValueError("depths and num_heads must have the same length")
        self.scale = scale
        self.window_size = window_size
        self.img_range = img_range
        self.register_buffer(
            "mean", torch.tensor(DIV2K_RGB_MEAN).view(1, 3, 1, 1), persistent=False
        )
        self.conv_first = nn.Conv2d(3, embed_dim, 3, padding=1)
        self.patch_embed = PatchEmbed(embed_dim)
        self.layers = nn.ModuleList(
            RSTB(embed_dim, d, nh, window_size, mlp_ratio, img_size)
            for d, nh in zip(depths, num_heads, strict=True)
        )
        self.norm = nn.LayerNorm(embed_dim)
        self.conv_after_body = nn.Conv2d(embed_dim, embed_dim, 3, padding=1)
        self.upsample = pixelshuffle_upsampler(embed_dim, 3, scale)
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(m: nn.Module) -> None:
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        tokens = self.patch_embed(x)
        for layer in self.layers:
            tokens = layer(tokens, (h, w))
        return self.norm(tokens).transpose(1, 2).reshape(b, c, h, w)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        x = pad_to_window(x, self.window_size)
        mean = self.mean.to(x.dtype)
        feat = self.conv_first((x - mean) * self.img_range)
        feat = self.conv_after_body(self.forward_features(feat)) + feat
        out = self.upsample(feat) / self.img_range + mean
        return out[..., : h * self.scale, : w * self.scale]


def swinir(
    scale: int = 2,
    embed_dim: int = 60,
    depths: tuple[int, ...] = (6, 6, 6, 6),
    num_heads: tuple[int, ...] = (6, 6, 6, 6),
    window_size: int = 8,
    mlp_ratio: float = 2.0,
    img_size: int = 64,
    img_range: float = 1.0,
) -> SwinIR:
    """SwinIR with the "pixelshuffledirect" tail; the defaults are SwinIR-light (SwinIR-S)."""
    s = check_scale("SwinIR", scale, (2, 3, 4, 8))
    return SwinIR(
        s, embed_dim, tuple(depths), tuple(num_heads), window_size, mlp_ratio, img_size, img_range
    )
