"""`suite plot` on synthetic results: figures, measured vs paper-only points, labels, CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from support.results import make_reference_dir, make_results_dir

from suite.cli import main
from suite.reporting.collect import collect
from suite.reporting.plots import make_figures, save_figures


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("plots")
    data = collect(make_results_dir(root), make_reference_dir(root), bench_dirs=())
    return {f.name: f for f in make_figures(data)}


def _n_points(fig) -> int:
    return sum(len(c.get_offsets()) for c in fig.axes[0].collections)


def test_complexity_points_measured_vs_paper_only(figures: dict) -> None:
    assert set(figures) == {
        "complexity_Set5_x4",
        "complexity_Set14_x4",
        "latency_Set5_x4_cpu",
        "latency_Set14_x4_cpu",
    }
    set5 = figures["complexity_Set5_x4"]
    # measured EIMN_A_x4; paper only: EIMN_L_x4 (never measured) and OtherNet; NoMacsNet has no
    # Multi-Adds so it is listed, not placed; the published EIMN_A_x4 value is a grey ×.
    assert set5.summary["measured"] == 1 and set5.summary["paper"] == 2
    assert set5.summary["published"] == 1 and set5.summary["unplaced"] == ["NoMacsNet"]
    assert _n_points(set5.figure) == 4
    labels = {t.get_text() for t in set5.figure.axes[0].texts}
    assert labels == {"EIMN_A_x4", "EIMN_L_x4", "OtherNet"}  # a zoo sibling keeps its id
    assert figures["complexity_Set14_x4"].summary["paper"] == 0


def test_axes_title_and_notes(figures: dict) -> None:
    ax = figures["complexity_Set5_x4"].figure.axes[0]
    assert ax.get_xlabel() == "Multi-Adds (G, 1280×720 output)"
    assert ax.get_ylabel() == "PSNR (dB)"
    assert ax.get_title() == "Set5 ×4: PSNR vs Multi-Adds"
    note = " ".join(t.get_text() for t in figures["complexity_Set5_x4"].figure.texts)
    assert "Profile: basicsr" in note and "suite bench (ntire)" in note
    lat = figures["latency_Set5_x4_cpu"].figure.axes[0]
    assert lat.get_xlabel() == "Latency (ms, median, cpu)"
    assert _n_points(figures["latency_Set5_x4_cpu"].figure) == 1


def test_save_png_and_svg(figures: dict, tmp_path: Path) -> None:
    files = save_figures([figures["complexity_Set5_x4"]], tmp_path, ["png", "svg"])
    assert [f.name for f in files] == ["complexity_Set5_x4.png", "complexity_Set5_x4.svg"]
    with Image.open(files[0]) as im:
        assert im.width >= 7.5 * 150
    assert files[1].read_text().lstrip().startswith("<?xml")


def test_cli_plot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUITE_RESULTS_DIR", str(tmp_path))  # no benchmarks from results/
    results = make_results_dir(tmp_path, with_bench=False)
    refs = make_reference_dir(tmp_path)
    args = ["plot", str(results), "--reference", str(refs), "--format", "png"]
    assert main([*args, "--out", str(tmp_path / "figs")]) == 0
    written = sorted(p.name for p in (tmp_path / "figs").iterdir())
    assert written == ["complexity_Set14_x4.png", "complexity_Set5_x4.png"]
    assert "2 files written" in capsys.readouterr().out
