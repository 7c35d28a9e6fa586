"""SMFANet (Zheng-MJ/SMFANet): checkpoints per training set, and the authors' complexity figure."""

from __future__ import annotations

import pytest
from support.zoo import printed_decimals, rounded

from suite.models.params import param_count
from suite.models.zoo import get_spec, smfanet
from suite.results.reference import load_all

# The authors' complexity-figure rows carry no model_id: their PSNR belongs to one training set
# that the script does not name. Both training sets share the architecture, so the figure's
# #params are compared with the ×4 models of both.
FIGURE_METHODS = {"SMFANet": "SMFANet_{}_x4", "SMFANet+": "SMFANet_plus_{}_x4"}
FIGURE_ROWS = [
    r
    for r in load_all()
    if r.file == "smfanet.csv" and r.method in FIGURE_METHODS and r.params_k is not None
]


def test_training_data_is_in_the_id() -> None:
    for spec in smfanet.SPECS:
        assert spec.training_data in spec.id.split("_")


def test_complexity_figure_gives_params_of_both_variants() -> None:
    assert {r.method for r in FIGURE_ROWS} == set(FIGURE_METHODS)


@pytest.mark.parametrize("row", FIGURE_ROWS, ids=lambda r: f"{r.method}-{r.dataset}")
@pytest.mark.parametrize("data", ["DIV2K", "DF2K"])
def test_params_match_the_complexity_figure(row, data: str) -> None:
    spec = get_spec(FIGURE_METHODS[row.method].format(data))
    assert spec.scale == row.scale
    assert rounded(param_count(spec) / 1000, printed_decimals(row.params_k)) == row.params_k
