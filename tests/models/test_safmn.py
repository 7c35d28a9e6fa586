"""SAFMN (sunny2109/SAFMN): the paper models are only on Google Drive."""

from __future__ import annotations

import pytest

from suite.models.zoo import get_spec


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_paper_models_are_drive_only(scale: int) -> None:
    ckpt = get_spec(f"SAFMN_x{scale}").checkpoint
    assert ckpt is not None and ckpt.published and ckpt.sha256 is None
    assert ckpt.url.startswith("https://drive.google.com/")
