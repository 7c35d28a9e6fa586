"""NTIRE 2022 efficient-SR challenge entries (ofsoundof/NTIRE2022_ESR ``model_zoo/``)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from suite.models.loading import load_model
from suite.models.zoo import get_spec


@pytest.mark.shared
def test_rlfn_ntire_files_hold_the_same_weights(shared_checkpoints: Path) -> None:
    """ByteESR's challenge file is bytedance/RLFN's ``rlfn_ntire_x4.pth`` under other key names."""
    a = load_model(get_spec("RLFN_ntire_x4"), checkpoint_dir=shared_checkpoints, download=False)
    b = load_model(get_spec("NTIRE22_RLFN"), checkpoint_dir=shared_checkpoints, download=False)
    for ta, tb in zip(a.state_dict().values(), b.state_dict().values(), strict=True):
        assert torch.equal(ta, tb)
