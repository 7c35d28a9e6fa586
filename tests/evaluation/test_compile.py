"""``--compile`` (issue #11): every EIMN and IMDN checkpoint on Set5, run through
``torch.compile``, scores within 1e-4 dB PSNR and 1e-6 SSIM of the reference mode — the
committed results under ``results/``, computed by the plain network on a CPU — and says so in
its result (``mode``, part of the run key)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from suite.evaluation.runner import EvalOptions, evaluate

COMMITTED = Path(__file__).resolve().parents[2] / "results"
MODELS = ["EIMN_A_x2", "EIMN_A_x3", "EIMN_A_x4", "EIMN_L_x2", "EIMN_L_x3"]
MODELS += ["IMDN_x2", "IMDN_x3", "IMDN_x4"]


def _reference(model: str) -> dict:
    """The committed Set5 result of ``model`` (the reference mode: plain network, numpy)."""
    (path,) = COMMITTED.glob(f"*/runs/{model}/Set5__*.json")
    result = json.loads(path.read_text())
    assert "mode" not in result["run_key"]  # the CPU's default mode
    return result


@pytest.mark.slow  # a compilation (tens of seconds) and a Set5 run per checkpoint
@pytest.mark.shared
@pytest.mark.filterwarnings("ignore:Dynamo does not know")
@pytest.mark.parametrize("model", MODELS)
def test_compiled_scores_equal_the_reference_mode(
    model: str, shared_datasets: Path, shared_checkpoints: Path, tmp_path: Path
) -> None:
    reference = _reference(model)
    where = {"data_root": shared_datasets, "checkpoint_dir": shared_checkpoints}
    opts = EvalOptions(**where, cache_dir=tmp_path, download=False, progress=False, write=False)
    result = evaluate(model, "Set5", opts, profile=reference["profile"], compile=True)
    assert result["mode"] == {"scoring": "numpy", "compile": True}
    assert result["run_key"]["mode"] == result["mode"]
    assert abs(result["psnr"] - reference["psnr"]) <= 1e-4
    assert abs(result["ssim"] - reference["ssim"]) <= 1e-6
    pairs = zip(result["per_image"], reference["per_image"], strict=True)
    worst = max(abs(ours["psnr"] - ref["psnr"]) for ours, ref in pairs)
    print(f"{model}: mean Δ {result['psnr'] - reference['psnr']:+.2e} dB, worst image {worst:.2e}")
