"""Cell statuses when measured results meet published tables."""

from __future__ import annotations

import pytest

from suite.errors import SuiteError
from suite.results.compare import Tolerances, classify, compare, summarize
from suite.results.reference import ReferenceRow


def _ref(model: str, ds: str, psnr: float | None, ssim: float | None, table: str = "T1",
         pdp: int = 2, sdp: int = 4) -> ReferenceRow:  # fmt: skip
    return ReferenceRow("P", table, model, model, 4, ds, psnr, ssim, None, None, "", "n",
                        psnr_decimals=pdp, ssim_decimals=sdp)  # fmt: skip


def _res(model: str, ds: str, psnr: float, ssim: float) -> dict:
    return {"model": model, "dataset": ds, "psnr": psnr, "ssim": ssim, "scale": 4,
            "profile": "basicsr"}  # fmt: skip


@pytest.mark.parametrize(
    ("measured", "published", "dp", "status"),
    [
        (32.5242, 32.52, 2, "reproduced"),  # rounds to the printed value
        (32.5262, 32.52, 2, "close"),
        (32.60, 32.52, 2, "deviates"),
        (32.5242, 32.52410035, 8, "reproduced"),  # full precision: within the 0.002 dB floor
        (32.5282, 32.52410035, 8, "close"),
    ],
)
def test_classify_psnr(measured: float, published: float, dp: int, status: str) -> None:
    assert classify(measured, published, dp, "psnr", Tolerances()) == status


def test_compare_statuses_and_summary() -> None:
    refs = [
        _ref("A", "Set5", 32.52, 0.8993),
        _ref("A", "Set14", 28.89, None),  # SSIM not published
        _ref("B", "Set5", 30.00, 0.8000),  # never measured
        _ref("A", "Urban100", 26.0, 0.80, table="T2"),
    ]
    results = [_res("A", "Set5", 32.5242, 0.89928), _res("A", "Set14", 28.95, 0.78)]
    cells = compare(results, refs, tables=["T1"])
    status = {(c.model, c.dataset, c.metric): c.status for c in cells}
    assert status[("A", "Set5", "psnr")] == "reproduced"
    assert status[("A", "Set5", "ssim")] == "reproduced"
    assert status[("A", "Set14", "psnr")] == "deviates"
    assert status[("A", "Set14", "ssim")] == "not published"
    assert status[("B", "Set5", "psnr")] == "not measured"
    assert not any(c.source == "T2" for c in cells)
    s = summarize(cells)
    assert s["counts"]["reproduced"] == 2 and s["compared"] == 3
    assert s["worst"]["psnr"]["model"] == "A" and s["worst"]["psnr"]["dataset"] == "Set14"


def test_tolerances_are_configurable() -> None:
    loose = Tolerances(psnr_close=0.2)
    assert classify(32.60, 32.52, 2, "psnr", loose) == "close"


def test_rounding_gap_inside_the_paper_is_explained() -> None:
    refs = [
        _ref("A", "Set5", 32.53, None),  # the paper prints 32.53 ...
        _ref("A", "Set5", 32.52410035, None, table="record", pdp=8),  # ... its record says .5241
    ]
    cells = compare([_res("A", "Set5", 32.5242, 0.9)], refs)
    printed = next(c for c in cells if c.source == "T1" and c.metric == "psnr")
    assert printed.status == "close"
    assert "record gives 32.5241" in printed.note and "inside the paper" in printed.note
    precise = next(c for c in cells if c.source == "record" and c.metric == "psnr")
    assert precise.status == "reproduced" and precise.note == ""


@pytest.mark.parametrize("value", [float("nan"), -0.01, float("inf"), "0.1", None])
def test_tolerances_must_be_finite_and_not_negative(value) -> None:
    with pytest.raises(SuiteError, match="--psnr-close must be a finite number >= 0"):
        Tolerances(psnr_close=value)


@pytest.mark.parametrize(
    ("change", "status", "note"),
    [
        ({"psnr": float("nan")}, "deviates", "measured psnr is nan, not a finite number"),
        ({"psnr": None}, "deviates", "measured psnr is None, not a finite number"),
        (
            {"partial": True, "failed": [{"name": "baby", "reason": "x"}]},
            "not measured",
            "partial result, not compared; not scored: baby",
        ),
    ],
    ids=["nan", "null", "partial"],
)
def test_untrustworthy_measurements_never_reproduce(change: dict, status: str, note: str) -> None:
    res = {**_res("A", "Set5", 32.5242, 0.8993), **change}
    cells = compare([res], [_ref("A", "Set5", 32.52, 0.8993)])
    psnr = next(c for c in cells if c.metric == "psnr")
    assert (psnr.status, psnr.delta, psnr.note) == (status, None, note)
    counts = summarize(cells)["counts"]
    assert counts.get("reproduced", 0) == (0 if "partial" in change else 1)  # SSIM is fine
    if "partial" in change:
        assert all(c.measured is None for c in cells)  # a partial mean is never shown


def test_partial_result_is_never_shown_where_the_table_has_no_number() -> None:
    """A run of a set the source does not publish ("not published") hides a partial mean too."""
    refs = [_ref("A", "Set5", 32.52, 0.8993)]
    partial = {**_res("A", "Set14", 28.9, 0.79), "partial": True, "failed": [{"name": "ppt3"}]}
    cells = [c for c in compare([partial], refs) if c.dataset == "Set14"]
    assert {c.status for c in cells} == {"not published"} and len(cells) == 2
    assert all(c.measured is None and "not scored: ppt3" in c.note for c in cells)
