"""EIMN's published checkpoints reproduce the authors' full-precision numbers on Set5.

This is the suite's core claim, checked in CI on the real checkpoints: with the ``basicsr``
profile, every available EIMN checkpoint lands within 0.002 dB PSNR and 0.0002 SSIM of
``Weights/record.txt`` (reference_tables/eimn_record.csv), on CPU in fp32.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from suite.evaluation.runner import EvalOptions, evaluate
from suite.models.zoo import model_specs
from suite.results.reference import load_all

EIMN_IDS = [m.id for m in model_specs().values() if m.family == "EIMN" and m.checkpoint.published]
RECORD = {(r.model_id, r.dataset): r for r in load_all() if r.table == "Weights/record.txt"}


@pytest.mark.shared
@pytest.mark.slow
@pytest.mark.parametrize("model_id", EIMN_IDS)
def test_eimn_set5_matches_record(
    model_id: str, shared_datasets: Path, shared_checkpoints: Path, tmp_path: Path
) -> None:
    opts = EvalOptions(
        profile="basicsr",
        data_root=shared_datasets,
        checkpoint_dir=shared_checkpoints,
        cache_dir=tmp_path / "cache",
        results_dir=tmp_path / "results",
        progress=False,
        write=False,
        download=False,
    )
    r = evaluate(model_id, "Set5", opts)
    ref = RECORD[(model_id, "Set5")]
    assert r["n_images"] == 5
    assert not (tmp_path / "results").exists()  # write=False leaves no files, not even partial
    assert r["data"]["manifest"]["status"] == "verified"
    assert abs(r["psnr"] - ref.psnr) <= 0.002, (r["psnr"], ref.psnr)
    assert abs(r["ssim"] - ref.ssim) <= 0.0002, (r["ssim"], ref.ssim)


def test_five_published_eimn_checkpoints() -> None:
    assert sorted(EIMN_IDS) == ["EIMN_A_x2", "EIMN_A_x3", "EIMN_A_x4", "EIMN_L_x2", "EIMN_L_x3"]
