"""SMFANet and SMFANet+ (ECCV 2024) at ×2/×3/×4, each trained on DIV2K and on DF2K.

The twelve weight files live in Zheng-MJ/SMFANet ``pretrain/``, wrapped as ``{"params": ...}``;
all were trained for 1M iterations ("100w"). SMFANet is 36 channels × 8 blocks, SMFANet+
48 channels × 12 blocks (the authors' test options). RGB in [0, 1].
"""

from __future__ import annotations

from suite.models.spec import Family, GitHubFolder, ModelSpec

_COMMIT = "a05e0bb554bbbb80cd27d8fd2b78d4228c657170"
_FAMILY = Family(
    "SMFANet",
    "smfanet",
    "SMFANet: A Lightweight Self-Modulation Feature Aggregation Network for Efficient Image "
    "Super-Resolution",
    "ECCV 2024",
    input_range=1.0,
    default_profile="basicsr",
)

# variant -> (file stem, architecture kwargs)
_VARIANTS: dict[str, tuple[str, dict[str, int]]] = {
    "SMFANet": ("SMFANet", {"dim": 36, "n_blocks": 8}),
    "SMFANet_plus": ("SMFANet_plus", {"dim": 48, "n_blocks": 12}),
}

# file name -> (sha256, size in bytes), from shared/checkpoints/checkpoints.json
_FILES: dict[str, tuple[str, int]] = {
    "SMFANet_DF2K_100w_x2SR.pth": (
        "daea7fc72a6e4aff80163768209ea5e56fd9705db9e6323f31822f24cd03902e",
        803351,
    ),
    "SMFANet_DF2K_100w_x3SR.pth": (
        "ae9953d36b4afb25211a23b02499dc029dfe64a2549c3426b29aaca14f17baa1",
        822807,
    ),
    "SMFANet_DF2K_100w_x4SR.pth": (
        "3141324e9ef6ebdd2338566b30ad034a3bf0c3c34e8030d4086ce4330c319402",
        850199,
    ),
    "SMFANet_DIV2K_100w_x2SR.pth": (
        "83774654204e5a684074ae07c79a3fe31a4d61a714b68290ec3893c8442e6e81",
        803533,
    ),
    "SMFANet_DIV2K_100w_x3SR.pth": (
        "948ed822482aa0496e427ae7a20e409d7d57415c977741a90d095f3dfcab511d",
        822989,
    ),
    "SMFANet_DIV2K_100w_x4SR.pth": (
        "1b6aca8369cfd1f0df326e7f685073728420d1c9ec8921feb113d402b80180c8",
        850381,
    ),
    "SMFANet_plus_DF2K_100w_x2SR.pth": (
        "a52ba55ccec8f08cc2c354fdccfe0f7647ea70cc5a47a096b70269370a4f5c5c",
        2016933,
    ),
    "SMFANet_plus_DF2K_100w_x3SR.pth": (
        "509c2af8855e9424d5676956ff5f5911c4e6439c53064e7a4cdbe062ddf2a8d4",
        2042853,
    ),
    "SMFANet_plus_DF2K_100w_x4SR.pth": (
        "28a807e1ee1f46a990458efd813654ea0ba023148a8423e49847d9b5c4f98ca3",
        2079269,
    ),
    "SMFANet_plus_DIV2K_100w_x2SR.pth": (
        "233e22502690ca8b8334b0140a17f368a3a57cd269b324dc7726d67344d64147",
        2017203,
    ),
    "SMFANet_plus_DIV2K_100w_x3SR.pth": (
        "21edd46238aaac96c1d4df56773a572f4ba9e7cf801ef6aa9edb734e875b2ff4",
        2043123,
    ),
    "SMFANet_plus_DIV2K_100w_x4SR.pth": (
        "238c4eb5d1b177c42cee93cac9fa96cbae63a52c4daded9d153ae9b771f228d0",
        2079539,
    ),
}
_PRETRAIN = GitHubFolder("Zheng-MJ/SMFANet", "main", "pretrain", commit=_COMMIT, subdir="smfanet")


def _spec(variant: str, data: str, scale: int) -> ModelSpec:
    stem, kwargs = _VARIANTS[variant]
    name = f"{stem}_{data}_100w_x{scale}SR.pth"
    arch_kwargs = {**kwargs, "ffn_scale": 2.0, "scale": scale}
    checkpoint = _PRETRAIN.file(name, *_FILES[name])
    return _FAMILY.model(
        f"{variant}_{data}_x{scale}", scale, arch_kwargs, checkpoint, training_data=data
    )


SPECS: list[ModelSpec] = [
    _spec(variant, data, scale)
    for variant in _VARIANTS
    for data in ("DIV2K", "DF2K")
    for scale in (2, 3, 4)
]
