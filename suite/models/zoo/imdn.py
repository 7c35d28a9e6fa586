"""IMDN (Hui et al., ACM MM 2019) at ×2/×3/×4, with the authors' checkpoints from Zheng222/IMDN.

The networks take RGB in [0, 1] (``train_IMDN.py`` uses ``rgb_range 1``). The paper's numbers
were computed in MATLAB (RCAN's ``Evaluate_PSNR_SSIM.m``) on LR images made by MATLAB
``imresize`` (``test_IMDN.py`` reads ``Test_Datasets/Set5_LR/x{s}``) from HR cropped to a multiple
of the scale, hence the ``matlab`` default profile. The files were saved from ``nn.DataParallel``,
so every key starts with ``module.``. Trained on the 800 DIV2K training images.
"""

from __future__ import annotations

from suite.models.spec import Family, GitHubFolder, ModelSpec

_COMMIT = "8f158e6a5ac9db6e5857d9159fd4a6c4214da574"
_FAMILY = Family(
    "IMDN",
    "imdn",
    "Lightweight Image Super-Resolution with Information Multi-distillation Network",
    "ACM MM 2019",
    input_range=1.0,
    default_profile="matlab",
    training_data="DIV2K",
)

# scale -> (sha256, size in bytes) of checkpoints/IMDN_x{scale}.pth
_FILES: dict[int, tuple[str, int]] = {
    2: ("740b39653592bd3f49955a21cd9e16f2d37f2c413368cc09327601b8fbe42ce1", 2796052),
    3: ("11b1716a19bc16e5e353e1db798d476169338e631eb170c82d765559888cb028", 2830672),
    4: ("e660c38221147217a136debeb99eb304d62d9c0f73ac421ed66281b619719714", 2879112),
}
_CHECKPOINTS = GitHubFolder("Zheng222/IMDN", "master", "checkpoints", commit=_COMMIT, subdir="imdn")


def _spec(scale: int) -> ModelSpec:
    checkpoint = _CHECKPOINTS.file(
        f"IMDN_x{scale}.pth", *_FILES[scale], strip_prefixes=("module.",)
    )
    return _FAMILY.model(f"IMDN_x{scale}", scale, {"scale": scale}, checkpoint)


SPECS: list[ModelSpec] = [_spec(s) for s in (2, 3, 4)]
