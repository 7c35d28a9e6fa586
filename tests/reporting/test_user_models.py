"""Reports and plots of your own models (issue #9): ranked among the published methods of their set
and scale, among the zoo's measured runs with ``--with zoo``, with their provenance.

Results are synthetic (support.results): "MyNet_x4" is a user result on Set5 ×4 at 32.45 dB,
between EIMN-A (32.53) and OtherNet (32.30) of the synthetic Table 1.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.results import make_reference_dir, make_result, make_results_dir

from suite.cli import main
from suite.reporting.collect import collect
from suite.reporting.markdown import render_markdown
from suite.reporting.plots import make_figures
from suite.results.store import write_result


def _mine(root: Path, psnr: float = 32.45, **fields: object) -> Path:
    """A results folder holding one result of your own model, MyNet_x4 on Set5."""
    result = make_result("MyNet_x4", "Set5", psnr, 0.8980)
    result.update(family="user", arch="/home/me/net.py:MyNet", **fields)
    result["checkpoint"] = {"file": "/home/me/w.pth", "sha256": "ab" * 32, "url": None,
                            "verification": "user"}  # fmt: skip
    result["user_model"] = {"reference": "/home/me/net.py:MyNet", "class_name": "MyNet",
                            "source_file": "/home/me/net.py", "source_sha256": "cd" * 32,
                            "arch_kwargs": {"scale": 4}, "input_range": 1.0,
                            "state_dict_sha256": "ef" * 32}  # fmt: skip
    folder = root / "mine"
    write_result(result, folder)
    return folder / "MyNet_x4"


def _ranked(report: str) -> list[str]:
    """The Model column of the Set5 ×4 leaderboard."""
    table = report.split("### Set5 ×4 — profile `basicsr`")[1].split("\n\n")[1]
    return [row.split("|")[2].strip() for row in table.splitlines()[2:]]


def test_your_model_is_ranked_among_the_published_methods(tmp_path: Path) -> None:
    data = collect(_mine(tmp_path), make_reference_dir(tmp_path), bench_dirs=())
    report = render_markdown(data)
    assert report.startswith("# Benchmark report: MyNet_x4\n")
    assert "Your models (MyNet_x4) are in no reference table" in report
    # EIMN_L_x4 and EIMN_A_x4 are zoo siblings of no measured family: their method names
    assert _ranked(report) == ["EIMN", "EIMN-A", "**MyNet_x4**", "OtherNet", "NoMacsNet"]
    row = next(line for line in report.splitlines() if "**MyNet_x4**" in line)
    assert "yours, measured (`basicsr`)" in row and "32.4500" in row
    assert "| paper: EIMN (ECAI 2023) — Table 1 | 880 " in report  # a paper row, as printed
    provenance = report.split("## Provenance")[1]
    assert "`/home/me/net.py:MyNet`" in provenance and '`{"scale": 4}`' in provenance
    assert "`efefefefefef`" in provenance  # the state dict evaluated


def test_a_partial_result_is_not_ranked(tmp_path: Path) -> None:
    folder = _mine(tmp_path, partial=True, failed=[{"name": "bird", "file": "b", "reason": "x"}])
    report = render_markdown(collect(folder, make_reference_dir(tmp_path), bench_dirs=()))
    assert "**MyNet_x4**" not in report
    assert "Not ranked: MyNet_x4 [basicsr] (partial result or no number)." in report


def test_your_model_is_plotted_among_the_paper_points(tmp_path: Path) -> None:
    refs = make_reference_dir(tmp_path)
    data = collect(_mine(tmp_path), refs, bench_dirs=())
    figure = {f.name: f for f in make_figures(data)}["complexity_Set5_x4_basicsr"]
    # no Multi-Adds for your model without a `suite bench` result: listed, not placed
    assert figure.summary["measured"] == 0 and figure.summary["unplaced"][0] == "MyNet_x4"
    assert figure.summary["paper"] == 3  # EIMN, EIMN-A, OtherNet (NoMacsNet has no Multi-Adds)
    bench = {"model": "MyNet_x4", "scale": 4, "params": 300_000,
             "macs": {"ntire": 20.0, "default": "ntire"}}  # fmt: skip
    (data.results_dirs[0] / "profile__cpu.json").write_text(json.dumps(bench))
    data = collect(data.results_dirs, refs, bench_dirs=())
    figure = {f.name: f for f in make_figures(data)}["complexity_Set5_x4_basicsr"]
    assert figure.summary["measured"] == 1 and figure.summary["paper"] == 3
    labels = {t.get_text() for t in figure.figure.axes[0].texts}
    assert labels == {"MyNet_x4", "EIMN", "EIMN-A", "OtherNet"}
    mine = next(r for r in figure.rows() if r["model"] == "MyNet_x4")
    assert (mine["source"], mine["x"], mine["params"]) == ("measured", 20.0, 300.0)


def test_a_benchmark_of_another_scale_is_never_used(tmp_path: Path) -> None:
    folder = _mine(tmp_path)
    bench = {
        "model": "MyNet_x4",
        "scale": 2,
        "params": 1,
        "macs": {"ntire": 1.0, "default": "ntire"},
    }
    (folder / "profile__cpu.json").write_text(json.dumps(bench))
    data = collect(folder, make_reference_dir(tmp_path), bench_dirs=())
    assert data.bench_of("MyNet_x4") is None and data.measured_macs("MyNet_x4") == (None, None)


def test_with_zoo_adds_the_zoo_runs_of_your_set_and_scale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    root = make_results_dir(tmp_path / "root")  # EIMN_A_x4 on Set5 and Set14
    monkeypatch.setenv("SUITE_RESULTS_DIR", str(root))
    refs = make_reference_dir(tmp_path)
    data = collect(_mine(tmp_path), refs, with_zoo=True)
    assert sorted((r["model"], r["dataset"]) for r in data.results) == [
        ("EIMN_A_x4", "Set5"),  # Set14 is not a set of your results
        ("MyNet_x4", "Set5"),
    ]
    report = render_markdown(data)
    assert report.startswith("# Benchmark report: MyNet_x4 (with EIMN)\n")
    ranked = ["EIMN", "EIMN_A_x4", "**MyNet_x4**", "OtherNet", "NoMacsNet"]
    assert _ranked(report) == ranked  # EIMN-A's paper row gives way to its measured run
    assert "Apart from the verdict: 0 published cells not measured" in report  # judged at your
    # set and scale only
    zoo_row = next(line for line in report.splitlines() if "| measured (`basicsr`)" in line)
    assert "EIMN_A_x4" in zoo_row and "880.9" in zoo_row and "47.79" in zoo_row  # its bench
    figure = {f.name: f for f in make_figures(data)}["complexity_Set5_x4_basicsr"]
    assert figure.summary["measured"] == 1 and figure.summary["published"] == 1
    assert figure.summary["unplaced"] == ["MyNet_x4", "NoMacsNet"]  # no bench of yours here
    args = [str(tmp_path / "mine" / "MyNet_x4"), "--reference", str(refs), "--with", "zoo"]
    assert main(["report", *args]) == 0 and main(["plot", *args, "--format", "png"]) == 0
    assert (tmp_path / "mine" / "MyNet_x4" / "plots" / "complexity_Set5_x4_basicsr.png").is_file()
    capsys.readouterr()
    only_zoo = collect(root, refs, with_zoo=True)
    assert "there are none here" in capsys.readouterr().err and len(only_zoo.results) == 2
