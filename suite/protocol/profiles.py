"""Convention profiles: the hidden choices behind a published PSNR/SSIM, named and recorded.

A profile fixes how ground truth is cropped, how the LR input is made, how SR output is quantised,
which channel is scored and how many border pixels are shaved. Every result stores its profile.
The vocabulary of those choices is declared here once; resize, metrics and the diagnosis use it.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal, get_args

from suite.errors import UnknownNameError

#: HR crop: to a multiple of 12 (BasicSR ``GTmod12``) or of the scale (MATLAB scripts).
GtCrop = Literal["mod12", "modscale"]
#: LR resize: float64 bicubic rounded once (BasicSR), or MATLAB ``imresize`` on uint8.
LrMode = Literal["float", "matlab"]
#: What is scored: BT.601 Y kept in float, Y rounded to uint8, or RGB.
Channel = Literal["y_float", "y_uint8", "rgb"]

GT_CROPS: tuple[GtCrop, ...] = get_args(GtCrop)
LR_MODES: tuple[LrMode, ...] = get_args(LrMode)
CHANNELS: tuple[Channel, ...] = get_args(Channel)
SR_ROUNDING: tuple[bool, ...] = (True, False)  # SR quantised to uint8 (a saved PNG), or not


@dataclass(frozen=True)
class Profile:
    """One bundle of evaluation conventions.

    gt_crop: crop HR bottom/right to a multiple of 12 (BasicSR ``GTmod12``, valid for ×2/×3/×4)
        or of the scale (RCAN/IMDN MATLAB scripts).
    lr_mode: ``float`` = bicubic in float64 rounded once to uint8 (BasicSR's Python imresize);
        ``matlab`` = MATLAB ``imresize`` on uint8, rounded after each 1-D pass.
    channel: ``y_float`` (BT.601 Y kept in float), ``y_uint8`` (Y rounded as MATLAB rgb2ycbcr on
        uint8), ``rgb``.
    border: pixels shaved from every side before scoring; ``None`` means "the scale".
    sr_round: quantise SR to uint8 before scoring (what saving a PNG does); False scores the
        clamped float output directly.
    """

    name: str
    description: str
    gt_crop: GtCrop = "mod12"
    lr_mode: LrMode = "float"
    channel: Channel = "y_float"
    border: int | None = None
    sr_round: bool = True

    def border_for(self, scale: float) -> int:
        """Border shaved for a scale (non-integer scales shave ``ceil(scale)``)."""
        return math.ceil(scale) if self.border is None else int(self.border)

    def gt_multiple(self, scale: float) -> int:
        """The multiple the HR is cropped to: 12 (or lcm(12, s)) or the scale; for a non-integer
        scale 12 under ``mod12`` and 1 (no crop) under ``modscale``."""
        if float(scale) != int(scale):
            return 12 if self.gt_crop == "mod12" else 1
        return math.lcm(12, int(scale)) if self.gt_crop == "mod12" else int(scale)

    @property
    def lr_key(self) -> str:
        """Key for the LR cache: LR images depend only on the GT crop and the resize mode."""
        return f"{self.gt_crop}-{self.lr_mode}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile(
            name="basicsr",
            description=(
                "BasicSR: GT cropped to a multiple of 12 (GTmod12), LR by float bicubic rounded "
                "once, SR rounded to uint8, Y in float, border = scale. EIMN, SAFMN, SMFANet."
            ),
            gt_crop="mod12",
            lr_mode="float",
            channel="y_float",
        ),
        Profile(
            name="matlab",
            description=(
                "MATLAB (RCAN Evaluate_PSNR_SSIM.m): GT cropped to a multiple of the scale, LR by "
                "MATLAB imresize on uint8, SR rounded to uint8, Y in double, border = scale."
            ),
            gt_crop="modscale",
            lr_mode="matlab",
            channel="y_float",
        ),
        Profile(
            name="matlab_y_uint8",
            description=(
                "As `matlab` but Y rounded to uint8 (rgb2ycbcr applied to uint8 images), as in "
                "several MATLAB/Python scripts (e.g. IMDN's test_IMDN.py)."
            ),
            gt_crop="modscale",
            lr_mode="matlab",
            channel="y_uint8",
        ),
        Profile(
            name="basicsr_matlab_lr",
            description=(
                "BasicSR scoring (GTmod12, Y float) on MATLAB-made LR (BasicSR's LRbicxN folders "
                "come from MATLAB imresize)."
            ),
            gt_crop="mod12",
            lr_mode="matlab",
            channel="y_float",
        ),
        Profile(
            name="rgb",
            description="RGB PSNR/SSIM on GTmod12 and float LR, border = scale (NTIRE-style).",
            gt_crop="mod12",
            lr_mode="float",
            channel="rgb",
        ),
    )
}

DEFAULT_PROFILE = "basicsr"


def get_profile(name: str) -> Profile:
    """Look up a named profile; the error lists the known names."""
    try:
        return PROFILES[name]
    except KeyError:
        raise UnknownNameError(f"unknown profile {name!r}; known: {', '.join(PROFILES)}") from None
