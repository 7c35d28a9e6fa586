"""``suite reproduce``: evaluate a family, join with references, write the comparison files;
every number says whether it was measured now, reused or carried over from an earlier run."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path

import pytest
from support.tiny import make_env

from suite import cli
from suite.evaluation import reproduce as rep
from suite.evaluation.runner import EvalOptions, evaluate
from suite.models.spec import ModelSpec
from suite.reporting.comparison import comparison_markdown, one_line_summary
from suite.results.compare import RUN_CARRIED, RUN_NOW, RUN_REUSED
from suite.results.reference import ReferenceRow
from suite.results.store import write_result

EARLIER = {"timestamp": "2020-01-02T03:04:05+00:00", "git": "0123456789ab"}


def _family(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sets: tuple[str, ...] = ("Set5",)
) -> tuple[ModelSpec, EvalOptions, Path]:
    """The tiny model as family TEST, a data root holding ``sets`` (copies of the fake Set5),
    a reference row per set and Urban100, and the family folder the tests reproduce into."""
    spec, opts, folder = make_env(tmp_path, monkeypatch)
    for name in sets:
        if name != "Set5":
            shutil.copytree(folder, folder.parent / name)
    refs = [
        ReferenceRow("P", "T1", "UP", spec.id, 2, ds, 30.0, 0.9, None, None, "", "s")
        for ds in (*sets, "Urban100")
    ]
    monkeypatch.setattr(rep, "model_specs", lambda: {spec.id: spec})
    monkeypatch.setattr(rep, "load_all", lambda: refs)
    return spec, opts, tmp_path / "fam"


def _earlier(spec: ModelSpec, opts: EvalOptions, out: Path, dataset: str) -> dict:
    """An earlier finished run of ``dataset`` in ``out/runs``, dated and committed as EARLIER."""
    r = evaluate(spec, "Set5", dataclasses.replace(opts, write=False))
    r = {**r, "dataset": dataset, "run_name": dataset, "timestamp": EARLIER["timestamp"]}
    r["env"] = {**r["env"], "git": EARLIER["git"]}
    write_result(r, out / "runs")
    return r


def _argv(opts: EvalOptions, out: Path) -> list[str]:
    """``suite reproduce TEST --dataset Set5`` into ``out`` with the tiny setup's locations."""
    return [
        "reproduce",
        "TEST",
        "--dataset",
        "Set5",
        "--no-progress",
        "--out",
        str(out),
        "--data-root",
        str(opts.data_root),
        "--checkpoint-dir",
        str(opts.checkpoint_dir),
    ]


def _quiet(*_args, **_kwargs) -> None:
    pass


def _runs(cells) -> dict[str, set[str]]:
    """dataset -> the ``run`` labels of its cells."""
    out: dict[str, set[str]] = {}
    for c in cells:
        out.setdefault(c["dataset"] if isinstance(c, dict) else c.dataset, set()).add(
            c["run"] if isinstance(c, dict) else c.run
        )
    return out


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


def test_a_fresh_reproduction_says_every_number_was_measured_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    _, opts, out = _family(tmp_path, monkeypatch)
    assert cli.main(_argv(opts, out)) == 0
    console = capsys.readouterr().out
    assert re.search(r"UP_x2 +Set5 .* measured now", console)
    summary = console.splitlines()[-2]  # then "written to …"
    assert summary.startswith("TEST: 0/2 compared cells reproduced")
    assert summary.endswith(
        "; 2 cells measured now (1 run), 0 cells carried over from earlier runs (0 runs)"
    )
    data = json.loads((out / "comparison.json").read_text())
    assert data["summary"]["runs"] == {RUN_NOW: 2, RUN_REUSED: 0, RUN_CARRIED: 0}
    (cell,) = [c for c in data["cells"] if c["dataset"] == "Set5" and c["metric"] == "psnr"]
    assert cell["run"] == RUN_NOW and cell["run_timestamp"].startswith("20")
    assert "run_git" in cell
    assert _runs(data["cells"])["Urban100"] == {""}  # no measurement, no run
    md = (out / "comparison.md").read_text()
    assert "Measurements: 2 cells measured now (1 run), 0 cells carried over" in md
    assert "## Earlier runs" not in md


def test_earlier_runs_are_labelled_with_their_date_and_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """A set measured in an earlier call (here Urban100) joins the comparison as carried over,
    with its run date and suite commit in the console, comparison.md and comparison.json."""
    spec, opts, out = _family(tmp_path, monkeypatch)
    _earlier(spec, opts, out, "Urban100")
    assert cli.main(_argv(opts, out)) == 0
    console = capsys.readouterr().out
    label = "carried over: run 2020-01-02, suite 0123456789ab"
    assert re.search(rf"UP_x2 +Urban100 .* {label}", console)
    assert re.search(r"UP_x2 +Set5 .* measured now", console)
    assert console.splitlines()[-2].endswith(
        "; 2 cells measured now (1 run), 2 cells carried over from earlier runs (1 run)"
    )
    md = (out / "comparison.md").read_text()
    assert re.search(rf"\| UP_x2 +\| Urban100 .*\| {label} +\|", md)
    assert "; the `run` column labels each earlier run, listed under Earlier runs." in md
    assert (
        "- UP_x2 Urban100: carried over (found in runs/ and not measured in this reproduction); "
        "measured 2020-01-02T03:04:05+00:00 with suite 0123456789ab"
    ) in md
    data = json.loads((out / "comparison.json").read_text())
    assert data["summary"]["runs"] == {RUN_NOW: 2, RUN_REUSED: 0, RUN_CARRIED: 2}
    for cell in (c for c in data["cells"] if c["dataset"] == "Urban100"):
        assert (cell["run"], cell["run_timestamp"], cell["run_git"]) == (
            RUN_CARRIED, EARLIER["timestamp"], EARLIER["git"]
        )  # fmt: skip


def test_an_identical_earlier_run_is_labelled_reused_and_force_measures_it_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, opts, out = _family(tmp_path, monkeypatch)
    first = rep.reproduce("TEST", ["Set5"], opts, out_dir=out, log=_quiet)
    again = rep.reproduce("TEST", ["Set5"], opts, out_dir=out, log=_quiet)
    forced = rep.reproduce(
        "TEST", ["Set5"], dataclasses.replace(opts, force=True), out_dir=out, log=_quiet
    )
    assert _runs(first.cells)["Set5"] == {RUN_NOW}
    assert _runs(again.cells)["Set5"] == {RUN_REUSED}
    assert again.results[0]["timestamp"] == first.results[0]["timestamp"]
    assert again.summary["runs"] == {RUN_NOW: 0, RUN_REUSED: 2, RUN_CARRIED: 0}
    assert _runs(forced.cells)["Set5"] == {RUN_NOW}
    assert json.loads((out / "comparison.json").read_text())["summary"]["runs"][RUN_REUSED] == 0
    summary = one_line_summary(again)
    assert summary.endswith(
        "; 0 cells measured now (0 runs), 2 cells reused from identical earlier runs (1 run), "
        "0 cells carried over from earlier runs (0 runs)"
    )
    md = comparison_markdown(again, rep.Tolerances())
    assert re.search(r"\| UP_x2 +\| Set5 .*\| reused: run 20\d\d-\d\d-\d\d, suite ", md)
    assert "- UP_x2 Set5: reused (same checkpoint, images, profile and device as now" in md


def test_a_set_that_fails_now_is_never_answered_by_an_earlier_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec, opts, out = _family(tmp_path, monkeypatch, ("Set5", "Set14"))
    rep.reproduce("TEST", ["Set5", "Set14"], opts, out_dir=out, log=_quiet)
    for image in (opts.data_root / "Set14").iterdir():
        image.write_bytes(b"not an image")  # Set14 cannot be scored any more
    report = rep.reproduce("TEST", ["Set5", "Set14"], opts, out_dir=out, log=_quiet)
    assert report.failed == [f"{spec.id} Set14"]
    assert {(r["dataset"]) for r in report.results} == {"Set5"}
    assert _runs(report.cells) == {"Set5": {RUN_REUSED}, "Set14": {""}, "Urban100": {""}}
    assert {c.status for c in report.cells if c.dataset == "Set14"} == {"not measured"}


def test_a_partial_earlier_run_says_when_it_was_measured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec, opts, out = _family(tmp_path, monkeypatch)
    r = _earlier(spec, opts, out, "Urban100")
    failed = [{"name": "x", "file": "x.png", "reason": "x.png: cannot decode"}]
    write_result({**r, "partial": True, "failed": failed}, out / "runs")
    report = rep.reproduce("TEST", ["Set5"], opts, out_dir=out, log=_quiet)
    (entry,) = [s for s in report.skipped if s["what"] == f"{spec.id} Urban100"]
    assert entry["why"].startswith(
        "partial run (carried over: run 2020-01-02, suite 0123456789ab), not compared: 1 of 5"
    )


def test_the_api_raises_when_nothing_could_be_measured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``reproduce()`` itself refuses to present only earlier runs: NothingMeasured (a
    SuiteError, exit 2 on the command line), and no comparison file is written."""
    spec, opts, out = _family(tmp_path, monkeypatch)
    _earlier(spec, opts, out, "Set14")
    with pytest.raises(rep.NothingMeasured, match=r"Set14 not found .*`suite datasets --download"):
        rep.reproduce("TEST", ["Set14"], opts, out_dir=out, log=_quiet)
    assert not (out / "comparison.json").exists() and not (out / "results.csv").exists()
