"""EIMN_L and EIMN_A (ECAI 2023) at ×2/×3/×4, with the authors' checkpoints from liux520/EIMN.

All six were trained on DF2K (DIV2K + Flickr2K; the authors' training commands use
``--dataset DF2K``). The authors uploaded five weight files; ``EIMN_L_x4.pth`` is listed in their
model zoo but was never committed, so it is registered as unpublished.
"""

from __future__ import annotations

from suite.models.spec import CheckpointSpec, Family, GitHubFolder, ModelSpec

_COMMIT = "6a712bac203971c5002b55c2557b2d7367f1a77c"
_FAMILY = Family(
    "EIMN",
    "eimn",
    "Efficient Information Modulation Network for Image Super-Resolution",
    "ECAI 2023",
    input_range=1.0,
    default_profile="basicsr",
    training_data="DF2K",
)

# (variant, scale) -> (sha256, size in bytes) of the published file; None where never uploaded.
_FILES: dict[tuple[str, int], tuple[str, int] | None] = {
    ("L", 2): ("2dda2f4b44c98f9e142e1cf4663f2a38970754e9b334b70fd4b210d45124d29f", 4155961),
    ("L", 3): ("e84e70f0581ab7e0297de14d0c9f702e701465060ff1d53f07433fd977550aaa", 4190585),
    ("L", 4): None,
    ("A", 2): ("434342c7575f8271ff5a3c24ff01f7e1125d4944dc5415ea20ed4aea0c0ce513", 3640809),
    ("A", 3): ("950d02be27e4dc2c35e5a6c48b9964b3a7080c1902d56cc6c5487ad4288faae6", 3675433),
    ("A", 4): ("054f5f03bf5b380f502a74991821401e5f52e8a9c32e7b7e72253a68fdd1ba34", 3723945),
}
_WEIGHTS = GitHubFolder("liux520/EIMN", "main", "Weights", commit=_COMMIT, subdir="eimn")

_UNPUBLISHED_NOTE = (
    "EIMN_L_x4.pth appears in the authors' model zoo table but was never uploaded to "
    "liux520/EIMN; the URL is where it would be."
)


def _checkpoint(variant: str, scale: int) -> CheckpointSpec:
    name = f"EIMN_{variant}_x{scale}.pth"
    digest = _FILES[(variant, scale)]
    if digest is None:
        return _WEIGHTS.file(name, commit=None, published=False, note=_UNPUBLISHED_NOTE)
    return _WEIGHTS.file(name, *digest)


SPECS: list[ModelSpec] = [
    _FAMILY.model(f"EIMN_{v}_x{s}", s, {"variant": v, "scale": s}, _checkpoint(v, s))
    for v in ("L", "A")
    for s in (2, 3, 4)
]
