"""`suite report` on synthetic results: summary, paper-layout diffs, conventions, provenance."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support.results import SHA, make_reference_dir, make_results_dir

from suite.cli import main
from suite.reporting.collect import collect, peak_memory
from suite.reporting.markdown import render_markdown, write_report


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


def test_summary_counts_and_worst_delta(report: str) -> None:
    # Set5 vs Table 1: PSNR close (Δ -0.0058), SSIM reproduced; vs record: both reproduced.
    # Set14 vs Table 1: PSNR deviates (+0.06), SSIM reproduced (Δ -0.0001).
    assert re.search(r"\*\*4 reproduced\*\*, \*\*1 close\*\*, \*\*1 deviates\*\*", report)
    assert "Worst PSNR Δ +0.0600 dB (EIMN_A_x4 on Set14, vs Table 1)" in report
    assert "EIMN_L_x4 (checkpoint never published)" in report


def test_paper_layout_measured_published_delta(report: str) -> None:
    table1 = report.split("### EIMN (ECAI 2023) — Table 1")[1].split("###")[0]
    header = next(line for line in table1.splitlines() if line.startswith("| Model"))
    assert [c.strip() for c in header.split("|")[6:9]] == ["Set5", "Set14", "B100"]
    rows = [line for line in table1.splitlines() if line.startswith("| ")][1:4]  # EIMN_A_x4
    lines = {line.split("|")[3].strip(): line for line in rows}
    assert rows[0].startswith("| EIMN_A_x4 (EIMN-A)")
    assert "32.524 / 0.8993" in lines["measured"] and "28.950 / 0.7881" in lines["measured"]
    assert "32.53 / 0.8993" in lines["paper"] and "27.79 / 0.7447" in lines["paper"]
    assert "-0.006 ≈" in lines["Δ"] and "+0.060 ✗" in lines["Δ"]
    assert "880.9" in lines["measured"] and "47.79" in lines["measured"]  # #params K, Multi-Adds
    b100 = [c.strip() for c in lines["measured"].split("|")][8]
    assert b100 == "–"  # published but not measured
    record = report.split("### EIMN (ECAI 2023) — record")[1].split("##")[0]
    assert "32.5242 / 0.89928" in record and "32.5241 / 0.89928" in record


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


def test_appendix_per_image(report: str) -> None:
    appendix = report.split("## Appendix: per-image scores")[1]
    assert "EIMN_A_x4 · Set5 · basicsr — 2 images" in appendix
    assert re.search(r"\| baby\s+\| 33\.0242\s+\| 0\.90928", appendix)
    assert appendix.count("<details>") == 2


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
    out = tmp_path / "r.md"
    argv = ["report", str(results), "--reference", str(make_reference_dir(tmp_path))]
    assert main([*argv, "--out", str(out)]) == 0
    text = out.read_text()
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
        out = tmp_path / f"{flag.strip('-')}.md"
        assert main([*argv, flag, str(benches), "--out", str(out)]) == 0
        assert "47.79" in out.read_text()
        err = capsys.readouterr().err
        assert ("--profiles is deprecated" in err) == warned


def test_peak_memory_reads_number_or_bench_dict() -> None:
    assert peak_memory({"peak_memory_mb": 512.0}) == 512.0
    assert peak_memory({"peak_memory_mb": {"peak_mb": 285.8, "peak_rss_mb": 537.7}}) == 285.8
    assert peak_memory({"peak_memory_mb": None}) is None
