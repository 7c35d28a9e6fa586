"""EIMN (liux520/EIMN): six zoo models, one announced but never published; its two variants.

Shapes, parameter counts, checkpoints and the real-image check are in test_zoo.py, Multi-Adds in
tests/bench/test_complexity.py, the Set5 reproduction in tests/evaluation/.
"""

from __future__ import annotations

import pytest

from suite.models.archs import build_arch
from suite.models.zoo import eimn

EIMN_IDS = {f"EIMN_{variant}_x{scale}" for variant in "LA" for scale in (2, 3, 4)}


def test_zoo_lists_six_models_with_l_x4_unpublished() -> None:
    by_id = {spec.id: spec for spec in eimn.SPECS}
    published = [i for i, spec in by_id.items() if spec.checkpoint and spec.checkpoint.published]
    assert set(by_id) == EIMN_IDS
    assert sorted(published) == sorted(EIMN_IDS - {"EIMN_L_x4"})
    missing = by_id["EIMN_L_x4"].checkpoint
    assert missing is not None and missing.sha256 is None and missing.note


def test_unknown_variant_is_rejected() -> None:
    with pytest.raises(ValueError, match="variant"):
        build_arch("eimn", variant="XL")
