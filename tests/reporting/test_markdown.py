"""`suite report` on synthetic results: the verdict (judged under the source's profile, "not
measured" apart), paper-layout diffs with published values as printed, leaderboards, conventions,
provenance, the per-image appendix in its own file, several folders, and ``--html``."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from support.results import SHA, make_reference_dir, make_result, make_results_dir

from suite.cli import main
from suite.protocol.profiles import PROFILES
from suite.reporting.collect import collect, peak_memory
from suite.reporting.markdown import render_markdown, write_report
from suite.reporting.plots import plot_results
from suite.results.store import write_result


@pytest.fixture()
def report(tmp_path: Path) -> str:
    results = make_results_dir(tmp_path)
    (results / "diagnosis.md").write_text("Diagnosis: **matlab LR** explains Set14.\n")
    (results / "diagnosis.json").write_text("{}")  # the markdown twin wins
    variant = {"params": 880870, "macs": {"ntire": 11.9, "default": "ntire"},
               "latency_ms": {"median": 30.0, "count": 5}}  # fmt: skip
    (results / "EIMN_A_x4" / "profile__cpu__640x360.json").write_text(json.dumps(variant))
    refs = make_reference_dir(tmp_path)
    return write_report(results, reference_dir=refs, bench_dirs=()).read_text()


def test_summary_verdict_and_what_is_counted_apart(report: str) -> None:
    # Set5 vs Table 1: PSNR close (Δ -0.0058), SSIM reproduced; vs record: both reproduced.
    # Set14 vs Table 1: PSNR deviates (+0.06), SSIM reproduced (Δ -0.0001).
    assert "**Verdict on 6 compared cells: 4 reproduced, 1 close, 1 deviates**" in report
    assert "Worst PSNR Δ +0.0600 dB (EIMN_A_x4 on Set14, vs Table 1, `basicsr`)" in report
    apart = "Apart from the verdict: 4 published cells not measured; 2 measured cells the source"
    assert apart in report
    assert "EIMN_L_x4 (checkpoint never published)" in report
    row = next(line for line in report.splitlines() if line.startswith("| EIMN (ECAI 2023) — Tab"))
    cells = [c.strip() for c in row.split("|")[1:-1]]
    assert cells[1:7] == ["`basicsr`", "4", "2", "1", "1", "+0.0600 (EIMN_A_x4, Set14)"]
    assert cells[7:] == ["4", "0"]  # not measured, not published: apart from the verdict


def test_each_table_is_judged_under_its_sources_profile(tmp_path: Path) -> None:
    """A run under another profile than the one the source used is listed, never judged (it
    used to double every table's "not measured" cells)."""
    results = make_results_dir(tmp_path, with_bench=False)
    other = make_result("EIMN_A_x4", "Set5", 32.40, 0.8950)
    other.update(profile="matlab", profile_spec=PROFILES["matlab"].to_dict())
    write_result(other, results / "runs")
    data = collect(results, make_reference_dir(tmp_path), bench_dirs=())
    assert [(r["model"], r["profile"]) for r in data.not_judged] == [("EIMN_A_x4", "matlab")]
    assert {c.profile for c in data.all_cells()} <= {"basicsr", None}
    text = render_markdown(data)
    assert "**Verdict on 6 compared cells: 4 reproduced, 1 close, 1 deviates**" in text
    assert "EIMN_A_x4 Set5 (`matlab`; its source: `basicsr`)" in text
    assert "### Set5 ×4 — profile `basicsr`" in text and "### Set5 ×4 — profile `matlab`" in text


def test_paper_layout_measured_published_delta(report: str) -> None:
    table1 = report.split("### EIMN (ECAI 2023) — Table 1")[1].split("###")[0]
    header = next(line for line in table1.splitlines() if line.startswith("| Model"))
    assert [c.strip() for c in header.split("|")[6:9]] == ["Set5", "Set14", "B100"]
    rows = [line for line in table1.splitlines() if line.startswith("| ")][1:4]  # EIMN_A_x4
    lines = {line.split("|")[3].strip(): line for line in rows}
    assert rows[0].startswith("| EIMN_A_x4 (EIMN-A)")
    assert "32.524 / 0.8993" in lines["measured"] and "28.950 / 0.7881" in lines["measured"]
    assert "judged under `basicsr`" in report.split("### EIMN (ECAI 2023) — Table 1")[1]
    assert "32.53 / 0.8993" in lines["paper"] and "27.79 / 0.7447" in lines["paper"]
    assert "-0.006 ≈" in lines["Δ"] and "+0.060 ✗" in lines["Δ"]
    assert "880.9" in lines["measured"] and "47.79" in lines["measured"]  # #params K, Multi-Adds
    b100 = [c.strip() for c in lines["measured"].split("|")][8]
    assert b100 == "–"  # published but not measured
    record = report.split("### EIMN (ECAI 2023) — record")[1].split("##")[0]
    assert "32.5242 / 0.89928" in record  # measured
    assert "32.52410035 / 0.89928321" in record  # published: as printed, with its own precision


def test_conventions_complexity_latency_provenance_diagnosis(report: str) -> None:
    assert "**`basicsr`**" in report and "| gt_crop" in report and "mod12" in report
    assert "## Complexity" in report and "ntire* (G)" in report and "45.10" in report
    assert "## Latency" in report and "120.50" in report and "512.0" in report
    assert "| 640x360" in report and "30.00" in report  # a variant: its own latency row …
    assert "11.90" not in report  # … but never the Multi-Adds of another input size
    assert f"`{SHA[:12]}`" in report and "verified" in report and "2.13.0+cpu" in report
    assert "abc123def456" in report and "→" in report
    assert report.count("Diagnosis: **matlab LR** explains Set14.") == 1
    assert "```json" not in report


def test_the_per_image_appendix_is_its_own_linked_file(report: str, tmp_path: Path) -> None:
    assert "<details>" not in report and "[per_image.md](per_image.md)" in report
    appendix = (tmp_path / "results" / "per_image.md").read_text()
    assert "EIMN_A_x4 · Set5 · basicsr — 2 images" in appendix
    assert re.search(r"\| baby\s+\| 33\.0242\s+\| 0\.90928", appendix)
    assert appendix.count("<details>") == 2


def test_leaderboard_ranks_measured_runs_among_published_methods(report: str) -> None:
    board = report.split("### Set5 ×4 — profile `basicsr`")[1].split("###")[0]
    rows = [line for line in board.splitlines() if line.startswith("| ") and "---" not in line]
    names = [r.split("|")[2].strip() for r in rows[1:]]
    assert names == ["EIMN_L_x4", "EIMN_A_x4", "OtherNet", "NoMacsNet"]  # best PSNR first
    mine = next(r for r in rows if "| EIMN_A_x4 " in r)
    assert "measured (`basicsr`)" in mine and "32.5242" in mine and "47.79" in mine
    other = next(r for r in rows if "| OtherNet " in r)
    assert "paper: EIMN (ECAI 2023) — Table 1" in other and "| 32.30 " in other  # as printed
    # Pareto front in Multi-Adds: EIMN_A_x4 (47.79 G) beats OtherNet (72.4 G); EIMN_L_x4 (54.37 G)
    # has a higher PSNR at more cost; NoMacsNet has no Multi-Adds
    front = [r.split("|")[2].strip() for r in rows[1:] if "★" in r]
    assert front == ["EIMN_L_x4", "EIMN_A_x4"]


def test_several_folders_make_one_report(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """``suite report A B --out DIR``: the runs of both folders in one report (the newest run of
    a model, set and profile wins), and --out is required with several folders."""
    results = make_results_dir(tmp_path, with_bench=False)
    other = tmp_path / "other"
    newer = {**make_result("EIMN_A_x4", "Set14", 28.89, 0.7882), "timestamp": "2027-01-01"}
    write_result(newer, other / "runs")
    refs = make_reference_dir(tmp_path)
    out = tmp_path / "field"
    argv = ["report", str(results), str(other), "--reference", str(refs)]
    assert main([*argv, "--out", str(out), "--html"]) == 0
    text = (out / "report.md").read_text()
    assert f"Results from `{results}`, `{other}`." in text
    assert "**Verdict on 6 compared cells: 5 reproduced, 1 close, 0 deviates**" in text
    assert (out / "per_image.md").is_file() and (out / "report.html").is_file()
    assert "wrote" in capsys.readouterr().out
    assert main(argv) == 2
    assert "make one field-wide output: say where it goes with --out DIR" in (
        capsys.readouterr().err
    )
    assert main([*argv, "--out", str(tmp_path / "r.md")]) == 2
    assert "looks like a file; --out is the folder" in capsys.readouterr().err


@pytest.mark.slow  # draws the figures first
def test_html_is_self_contained_with_figures_inline(tmp_path: Path) -> None:
    results = make_results_dir(tmp_path)
    refs = make_reference_dir(tmp_path)
    out = tmp_path / "share"
    plot_results(results, out / "plots", ["png"], reference_dir=refs, bench_dirs=())
    write_report(results, out, html=True, reference_dir=refs, bench_dirs=())
    md = (out / "report.md").read_text()
    assert "![Set5 ×4, profile basicsr](plots/complexity_Set5_x4_basicsr.png)" in md
    html = (out / "report.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and "<table>" in html
    assert 'src="data:image/png;base64,' in html and 'src="plots/' not in html
    assert 'href="#per-image-scores"' in html and "<details><summary>EIMN_A_x4" in html
    assert "<h1>Reproduction report: EIMN</h1>" in html
    png = (out / "plots" / "complexity_Set5_x4_basicsr.png").read_bytes()
    assert base64.b64encode(png).decode() in html  # the figure itself, not a link to it


def test_table_restriction_and_no_benchmarks(tmp_path: Path) -> None:
    results = make_results_dir(tmp_path, with_bench=False)
    data = collect(results, make_reference_dir(tmp_path), tables=["record"], bench_dirs=())
    assert [g[1] for g in data.groups] == ["record"]
    text = render_markdown(data)
    assert "## Complexity" not in text and "## Latency" not in text
    assert "— Table 1" not in text


def test_cli_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    results = make_results_dir(tmp_path, with_bench=False)
    # `suite bench` writes to <results root>/<model>/: found there, for judged models only
    monkeypatch.setenv("SUITE_RESULTS_DIR", str(tmp_path))
    for model, gmacs in (("EIMN_A_x4", 47.79), ("IMDN_x4", 40.9)):
        (tmp_path / model).mkdir()
        bench = {"params": 1, "macs": {"ntire": gmacs, "default": "ntire"}, "latency_ms": None}
        (tmp_path / model / "profile__cpu.json").write_text(json.dumps(bench))
    out = tmp_path / "r"
    argv = ["report", str(results), "--reference", str(make_reference_dir(tmp_path))]
    assert main([*argv, "--out", str(out)]) == 0
    text = (out / "report.md").read_text()
    assert text.startswith("# Reproduction report: EIMN")
    assert "## Complexity" in text and "47.79" in text and "IMDN_x4" not in text
    assert main(["report", str(tmp_path / "empty")]) == 2
    assert "no evaluation results" in capsys.readouterr().err


def test_bench_dir_flag_and_its_deprecated_spelling(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Benchmarks outside the results root are found through --bench-dir (or --profiles)."""
    results = make_results_dir(tmp_path, with_bench=False)
    benches = tmp_path / "benches"
    (benches / "EIMN_A_x4").mkdir(parents=True)
    bench = {"params": 1, "macs": {"ntire": 47.79, "default": "ntire"}, "latency_ms": None}
    (benches / "EIMN_A_x4" / "profile__cpu.json").write_text(json.dumps(bench))
    argv = ["report", str(results), "--reference", str(make_reference_dir(tmp_path))]
    for flag, warned in (("--bench-dir", False), ("--profiles", True)):
        out = tmp_path / flag.strip("-")
        assert main([*argv, flag, str(benches), "--out", str(out)]) == 0
        assert "47.79" in (out / "report.md").read_text()
        err = capsys.readouterr().err
        assert ("--profiles is deprecated" in err) == warned


def test_peak_memory_reads_number_or_bench_dict() -> None:
    assert peak_memory({"peak_memory_mb": 512.0}) == 512.0
    assert peak_memory({"peak_memory_mb": {"peak_mb": 285.8, "peak_rss_mb": 537.7}}) == 285.8
    assert peak_memory({"peak_memory_mb": None}) is None
