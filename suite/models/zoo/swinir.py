"""SwinIR-light ("SwinIR-S", Liang et al., ICCVW 2021) at ×2/×3/×4, lightweight classical SR.

Embedding 60, four RSTBs of six Swin layers with six heads, window 8, MLP ratio 2, one-step
pixel-shuffle tail, trained on DIV2K with 64×64 LR patches (``s64w8``). RGB in [0, 1], DIV2K
mean subtracted inside. The official weights are GitHub release assets of JingyunLiang/SwinIR
(tag v0.0), wrapped as ``{"params": state_dict}``, which ``main_test_swinir.py`` loads strictly.
"""

from __future__ import annotations

from suite.models.spec import CheckpointSpec, Family, ModelSpec

_REPO = "JingyunLiang/SwinIR"
_RELEASE = f"https://github.com/{_REPO}/releases/download/v0.0"
_FAMILY = Family(
    "SwinIR",
    "swinir",
    "SwinIR: Image Restoration Using Swin Transformer",
    "ICCVW 2021",
    input_range=1.0,
    default_profile="matlab",
    training_data="DIV2K",
)
_RELEASE_NOTE = (
    "GitHub release asset (tag v0.0); not reachable from the machines here, so its sha256 is "
    "unknown."
)
_PADDING_NOTE = (
    "Input padded by mirroring to the next multiple of the window past H and W (as "
    "main_test_swinir.py) and the output cropped back. The paper's 878K/886K/897K "
    "parameters leave out the 24 relative-position bias tables (32,400 values); the "
    "network has 910,152/918,267/929,628 trainable parameters."
)

ARCH_KWARGS: dict[str, object] = {
    "embed_dim": 60,
    "depths": (6, 6, 6, 6),
    "num_heads": (6, 6, 6, 6),
    "window_size": 8,
    "mlp_ratio": 2.0,
    "img_size": 64,
    "img_range": 1.0,
}


def _spec(scale: int) -> ModelSpec:
    name = f"002_lightweightSR_DIV2K_s64w8_SwinIR-S_x{scale}.pth"
    checkpoint = CheckpointSpec(
        name,
        f"{_RELEASE}/{name}",
        subdir="swinir",
        repo=_REPO,
        state_dict_key=("params",),
        note=_RELEASE_NOTE,
    )
    kwargs = {"scale": scale, **ARCH_KWARGS}
    return _FAMILY.model(f"SwinIR_light_x{scale}", scale, kwargs, checkpoint, note=_PADDING_NOTE)


SPECS: list[ModelSpec] = [_spec(s) for s in (2, 3, 4)]
