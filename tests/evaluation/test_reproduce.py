"""``suite reproduce``: evaluate a family, join with references, write the comparison files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support.tiny import make_env

from suite import cli
from suite.evaluation import reproduce as rep
from suite.evaluation.runner import evaluate
from suite.results.reference import ReferenceRow


def test_reproduce_family(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    spec, opts, _ = make_env(tmp_path, monkeypatch)
    truth = evaluate(spec, "Set5", opts.__class__(**{**opts.__dict__, "write": False}))
    refs = [
        ReferenceRow("P", "T1", "UP", spec.id, 2, "Set5", round(truth["psnr"], 2),
                     round(truth["ssim"], 4), None, None, "", "synthetic"),
        ReferenceRow("P", "T1", "UP", spec.id, 2, "Set14", 30.0, 0.9, None, None, "", "s"),
    ]  # fmt: skip
    monkeypatch.setattr(rep, "model_specs", lambda: {spec.id: spec})
    monkeypatch.setattr(rep, "load_all", lambda: refs)
    code = cli.main(
        ["reproduce", "TEST", "--no-progress", "--data-root", str(opts.data_root),
         "--checkpoint-dir", str(opts.checkpoint_dir), "--results-dir", str(opts.results_dir)]
    )  # fmt: skip
    assert code == 0
    out = capsys.readouterr().out
    assert "TEST: 2/2 compared cells reproduced" in out
    folder = Path(opts.results_dir) / "test"
    data = json.loads((folder / "comparison.json").read_text())
    statuses = {(c["dataset"], c["metric"]): c["status"] for c in data["cells"]}
    assert statuses[("Set5", "psnr")] == "reproduced"
    assert statuses[("Set14", "psnr")] == "not measured"  # Set14 is absent from the data root
    assert any(s["what"] == "Set14" for s in data["skipped"])
    assert data["tolerances"]["psnr_close"] == 0.05
    assert (folder / "runs" / spec.id / "Set5__basicsr.json").is_file()
    assert (folder / "results.csv").read_text().count("\n") == 2
    assert re.search(r"\| UP_x2 +\| Set5 +\|", (folder / "comparison.md").read_text())


def test_unknown_family_lists_families() -> None:
    with pytest.raises(Exception, match=r"families: .*EIMN"):
        rep.family_models("NOPE")
    zoo = rep.family_models("zoo")
    assert zoo and all(m.family != "EIMN" for m in zoo)


def test_comparison_includes_runs_made_separately(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow set evaluated on its own (``suite eval --results-dir <family>/runs``) joins the
    comparison the next time the family is reproduced on the other sets."""
    spec, opts, _ = make_env(tmp_path, monkeypatch)
    monkeypatch.setattr(rep, "model_specs", lambda: {spec.id: spec})
    out = tmp_path / "fam"
    other = evaluate(spec, "Set5", opts.__class__(**{**opts.__dict__, "write": False}))
    fake = {**other, "dataset": "Urban100", "run_name": "Urban100"}
    from suite.results.store import write_result

    write_result(fake, out / "runs")
    report = rep.reproduce("TEST", ["Set5"], opts, out_dir=out, log=lambda *a, **k: None)
    assert {(r["model"], r["dataset"]) for r in report.results} == {
        (spec.id, "Set5"),
        (spec.id, "Urban100"),
    }


def test_a_partial_run_is_listed_not_compared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec, opts, folder = make_env(tmp_path, monkeypatch)
    (folder / "im0.png").write_bytes(b"not an image")
    refs = [ReferenceRow("P", "T1", "UP", spec.id, 2, "Set5", 30.0, 0.9, None, None, "", "s")]
    monkeypatch.setattr(rep, "model_specs", lambda: {spec.id: spec})
    monkeypatch.setattr(rep, "load_all", lambda: refs)
    logged: list[str] = []
    opts = opts.__class__(**{**opts.__dict__, "allow_modified_data": True})
    for _ in range(2):  # measured now, then found again among the earlier runs
        report = rep.reproduce(
            "TEST", ["Set5"], opts, out_dir=tmp_path / "fam", log=lambda m, **_: logged.append(m)
        )
        assert report.results == []
        (entry,) = [s for s in report.skipped if s["what"] == f"{spec.id} Set5"]
        assert entry["why"].startswith("partial run, not compared: 1 of 4 images not scored (")
        assert "im0.png: cannot decode" in entry["why"]
        assert {c.status for c in report.cells} == {"not measured"}
    assert any("partial run" in m for m in logged)
    assert report.failed == [f"{spec.id} Set5"]
    stored = json.loads((tmp_path / "fam" / "runs" / spec.id / "Set5__basicsr.json").read_text())
    assert stored["partial"] is True


def test_the_command_fails_when_a_run_is_partial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    spec, opts, folder = make_env(tmp_path, monkeypatch)
    (folder / "im0.png").write_bytes(b"not an image")
    monkeypatch.setattr(rep, "model_specs", lambda: {spec.id: spec})
    code = cli.main(
        ["reproduce", "TEST", "--dataset", "Set5", "--allow-modified-data", "--no-progress",
         "--data-root", str(opts.data_root), "--checkpoint-dir", str(opts.checkpoint_dir),
         "--out", str(tmp_path / "fam")]
    )  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert f"error: 1 run not compared (failed or partial): {spec.id} Set5" in err
    assert (tmp_path / "fam" / "comparison.md").is_file()  # everything else is still written
