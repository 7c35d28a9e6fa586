"""`suite plot`: leaderboard charts per set × scale × profile, log cost axes, the Pareto front,
labels that sit by their own marker, ``<figure>.csv``, device charts from three models on, and
the field-wide charts of the committed ``results/eimn`` + ``results/zoo``."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from matplotlib.text import Text
from PIL import Image
from support.results import make_reference_dir, make_result, make_results_dir

from suite.cli import main
from suite.reporting.collect import collect, pareto
from suite.reporting.plots import leaderboard_figures, make_figures, save_figures
from suite.results.store import write_result

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = [ROOT / "results" / "eimn", ROOT / "results" / "zoo"]


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("plots")
    data = collect(make_results_dir(root), make_reference_dir(root), bench_dirs=())
    return {f.name: f for f in make_figures(data)}


def _n_points(fig) -> int:
    return sum(len(c.get_offsets()) for c in fig.axes[0].collections)


def _distance(box, point: tuple[float, float]) -> float:
    dx = max(box.x0 - point[0], 0.0, point[0] - box.x1)
    dy = max(box.y0 - point[1], 0.0, point[1] - box.y1)
    return math.hypot(dx, dy)


def assert_labels_by_their_own_markers(figure) -> None:
    """Each label is nearer one of its own markers (the points of the CSV rows it names) than
    any other marker, and every marker is labelled; the cost axis is logarithmic."""
    fig = figure.figure
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    renderer = fig.canvas.get_renderer()
    markers = [(row["model"], ax.transData.transform((row["x"], row["y"]))) for row in
               figure.rows()]  # fmt: skip
    named: set[str] = set()
    for label in ax.texts:
        names = set(label.get_text().split(", "))
        named |= names
        label.update_positions(renderer)  # the text alone, not its leader line
        box = Text.get_window_extent(label, renderer)
        own = min(_distance(box, xy) for name, xy in markers if name in names)
        others = [_distance(box, xy) for name, xy in markers if name not in names]
        assert own < min(others, default=math.inf), (figure.name, label.get_text())
    assert named == {name for name, _ in markers}, figure.name


def test_one_chart_per_set_scale_profile_and_cost_axis(figures: dict) -> None:
    assert set(figures) == {
        "complexity_Set5_x4_basicsr",
        "params_Set5_x4_basicsr",
        "complexity_Set14_x4_basicsr",
        "params_Set14_x4_basicsr",
    }  # a latency chart needs three models measured on one device: here there is one
    set5 = figures["complexity_Set5_x4_basicsr"]
    # measured EIMN_A_x4; paper only: EIMN_L_x4 (never measured) and OtherNet; NoMacsNet has no
    # Multi-Adds so it is listed, not placed; the published EIMN_A_x4 value is a ×.
    assert set5.summary["measured"] == 1 and set5.summary["paper"] == 2
    assert set5.summary["published"] == 1 and set5.summary["unplaced"] == ["NoMacsNet"]
    assert _n_points(set5.figure) == 4
    labels = {t.get_text() for t in set5.figure.axes[0].texts}
    assert labels == {"EIMN_A_x4", "EIMN_L_x4", "OtherNet"}  # a zoo sibling keeps its id
    params = figures["params_Set5_x4_basicsr"]
    assert params.summary["paper"] == 3  # NoMacsNet has #params: placed on this axis
    for figure in figures.values():
        assert_labels_by_their_own_markers(figure)


def test_axes_title_notes_and_the_compact_table(figures: dict) -> None:
    fig = figures["complexity_Set5_x4_basicsr"].figure
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Multi-Adds (G, 1280×720 output, log scale)"
    assert ax.get_ylabel() == "PSNR (dB)" and ax.get_xscale() == "log"
    assert ax.get_title() == "Set5 ×4: PSNR vs Multi-Adds — profile basicsr"
    texts = " ".join(t.get_text() for t in fig.texts)
    assert "Measured: this suite under profile basicsr" in texts
    assert "suite bench (ntire)" in texts and "Not placed: NoMacsNet" in texts
    assert "EIMN_L_x4 ★" in texts and "OtherNet" in texts  # the leaderboard beside the axes
    assert figures["params_Set5_x4_basicsr"].figure.axes[0].get_xscale() == "log"


def test_pareto_front() -> None:
    points = [(10.0, 30.0), (20.0, 31.0), (15.0, 29.0), (None, 40.0), (20.0, 30.5), (5.0, 29.5)]
    assert pareto(points) == [True, True, False, False, False, True]


def test_save_png_svg_and_the_points_csv(figures: dict, tmp_path: Path) -> None:
    files = save_figures([figures["complexity_Set5_x4_basicsr"]], tmp_path, ["png", "svg"])
    assert [f.name for f in files] == [
        "complexity_Set5_x4_basicsr.png",
        "complexity_Set5_x4_basicsr.svg",
        "complexity_Set5_x4_basicsr.csv",
    ]
    with Image.open(files[0]) as im:
        assert im.width >= 11 * 150
    assert files[1].read_text().lstrip().startswith("<?xml")
    rows = list(csv.DictReader(files[2].open()))
    assert list(rows[0]) == ["model", "source", "profile", "x", "y", "params", "pareto"]
    got = {(r["model"], r["source"], r["profile"]): (float(r["x"]), float(r["y"])) for r in rows}
    assert got[("EIMN_A_x4", "measured", "basicsr")] == (47.79, 32.5242)
    assert got[("EIMN_A_x4", "paper", "")] == (47.78, 32.53)  # its published value (the ×)
    assert got[("OtherNet", "paper", "")] == (72.4, 32.3)


def test_device_charts_need_three_models_on_one_device(tmp_path: Path) -> None:
    results = make_results_dir(tmp_path)  # EIMN_A_x4 has a CPU latency
    refs = make_reference_dir(tmp_path)
    for model, psnr, ms in (("EIMN_L_x4", 32.6, 150.0), ("MyNet_x4", 32.0, 20.0)):
        result = make_result(model, "Set5", psnr, 0.89)
        if model == "MyNet_x4":
            result["family"] = "user"
        write_result(result, results / "runs")
        macs = {"ntire": 30.0, "default": "ntire"}
        bench = {"model": model, "scale": 4, "params": 500_000, "peak_memory_mb": 100.0,
                 "macs": macs, "latency_ms": {"median": ms}}  # fmt: skip
        (results / model).mkdir()
        (results / model / "profile__cpu.json").write_text(json.dumps(bench))
    made = {f.name: f for f in make_figures(collect(results, refs, bench_dirs=()))}
    assert {"latency_Set5_x4_basicsr_cpu", "memory_Set5_x4_basicsr_cpu"} <= set(made)
    assert not any(name.startswith("latency_Set14") for name in made)  # one model there
    latency = made["latency_Set5_x4_basicsr_cpu"]
    assert latency.summary["measured"] == 3
    assert latency.figure.axes[0].get_xlabel() == "Latency (ms, median, log scale)"
    assert_labels_by_their_own_markers(latency)


@pytest.mark.slow
def test_cli_plot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUITE_RESULTS_DIR", str(tmp_path))  # no benchmarks from results/
    results = make_results_dir(tmp_path, with_bench=False)
    refs = make_reference_dir(tmp_path)
    args = ["plot", str(results), "--reference", str(refs), "--format", "png"]
    figs = tmp_path / "figs"
    figs.mkdir()
    stale = figs / "complexity_Set5_x4.png"  # an earlier layout's name
    for kept in ("notes.md", "complexity_Set5_x4.txt"):  # not a figure: never removed
        (figs / kept).write_text("mine")
    stale.write_bytes(b"old")
    assert main([*args, "--out", str(figs)]) == 0
    assert stale.is_file()  # left alone without --clean
    capsys.readouterr()
    assert main([*args, "--out", str(figs), "--clean"]) == 0
    written = sorted(p.name for p in figs.iterdir())
    # no Multi-Adds of EIMN_A_x4 measured: the paper's are used; Set14 has no paper points
    assert "complexity_Set5_x4_basicsr.png" in written
    assert "complexity_Set5_x4_basicsr.csv" in written and "params_Set14_x4_basicsr.png" in written
    assert not stale.exists() and {"notes.md", "complexity_Set5_x4.txt"} <= set(written)
    out = capsys.readouterr().out
    assert f"removed {stale}" in out
    assert f"{len(written) - 2} files written, 1 stale removed" in out


@pytest.mark.slow  # every committed run and reference table, two charts drawn
@pytest.mark.parametrize(("dataset", "scale"), [("Set5", 4.0), ("Set14", 2.0)])
def test_field_wide_chart_of_the_committed_results(dataset: str, scale: float) -> None:
    """`suite plot results/eimn results/zoo`: every model measured under the profile, with the
    paper-only points of every reference table, labels by their own markers, log axes."""
    data = collect(COMMITTED, bench_dirs=[ROOT / "results"])
    measured = {
        r["model"] for r in data.results_at(dataset, scale, "basicsr") if not r.get("partial")
    }
    assert {"EIMN_A_x4", "NTIRE22_IMDN", "SMFANet_DF2K_x4"} & measured or scale == 2.0
    for figure in leaderboard_figures(data, dataset, scale, "basicsr"):
        rows = figure.rows()
        assert {r["model"] for r in rows if r["source"] == "measured"} == measured
        assert any(r["source"] == "paper" for r in rows)
        assert_labels_by_their_own_markers(figure)
