"""Results files: names that cannot leave the results folder, readers that never crash on a
broken file (and say which one they skipped), and ``load_finished`` for resumed runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.results import make_result

from suite import paths
from suite.errors import ResultFileError, SuiteError
from suite.results import store

# ---------------------------------------------------------------------------- names


def _hostile(tmp_path: Path) -> list[str]:
    """Names that would escape ``<tmp>/a/b/results`` (the absolute one points into tmp_path)."""
    return ["../../etc/x", "a/b", "..", ".", "", "a\\b", "x\0y", "..x", str(tmp_path / "abs")]


def _writers(results: Path, name: str) -> dict:
    """Every store function that builds a path from a name, with ``name`` in each position."""
    good = make_result("M_x4", "Set5", 30.0, 0.9)
    return {
        "result model": lambda: store.write_result({**good, "model": name}, results),
        "result dataset": lambda: store.write_result({**good, "dataset": name}, results),
        "result run": lambda: store.write_result({**good, "run_name": name}, results),
        "result profile": lambda: store.write_result({**good, "profile": name}, results),
        "partial model": lambda: store.partial_log(results, name, "Set5", "basicsr"),
        "partial run": lambda: store.partial_log(results, "M", name, "basicsr"),
        "bench model": lambda: store.bench_path(results, name, "cpu"),
        "bench device": lambda: store.bench_path(results, "M", name),
        "bench precision": lambda: store.bench_path(results, "M", "cpu", precision=name),
        "bench dataset": lambda: store.bench_path(results, "M", "cpu", dataset=name or "x/"),
        "diagnosis model": lambda: store.write_diagnosis(results, {**good, "model": name}, "m"),
        "diagnosis dataset": lambda: store.write_diagnosis(results, {**good, "dataset": name}, ""),
    }


def test_hostile_names_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    results = tmp_path / "a" / "b" / "results"
    results.mkdir(parents=True)
    for name in _hostile(tmp_path):
        for where, write in _writers(results, name).items():
            with pytest.raises(SuiteError, match="cannot name a file: "):
                write()
                pytest.fail(f"{where} accepted {name!r}")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize("name", ["Set5", "DIV2K_val", "Set5_x2.5", "EIMN_A_x4", "fp16"])
def test_plain_names_pass(name: str) -> None:
    assert paths.safe_name(name, "name") == name


def test_message_names_the_name_and_why() -> None:
    with pytest.raises(SuiteError, match=r"benchmark dataset '\.\./\.\./x'.*'\.\.'"):
        store.bench_path(Path("r"), "M", "cpu", dataset="../../x")


# ---------------------------------------------------------------------------- readers


def _write(results: Path, model: str, dataset: str, **extra) -> Path:
    return store.write_result({**make_result(model, dataset, 30.0, 0.9), **extra}, results)


def test_results_below_a_folder_named_partial_are_found(tmp_path: Path) -> None:
    results = tmp_path / "partial" / "project" / "results"
    _write(results, "M_x4", "Set5")
    assert [r["dataset"] for r in store.iter_results(results)] == ["Set5"]


def test_only_the_runs_own_partial_folder_is_skipped(tmp_path: Path) -> None:
    results = tmp_path / "results"
    path = _write(results, "M_x4", "Set5")
    stray = results / "M_x4" / store.PARTIAL_DIR / path.name
    stray.parent.mkdir()
    stray.write_text(path.read_text().replace("Set5", "Set14"))
    assert [r["dataset"] for r in store.iter_results(results)] == ["Set5"]


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ('{"schema": "sr-suite/eval/1", "model": "M', "not valid JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        ('{"schema": "sr-suite/eval/1", "model": "M"}', "no 'dataset'"),
        ('{"schema": "sr-suite/eval/1", "model": ["M"]}', "'model' is ['M']"),
    ],
)
def test_iter_results_skips_broken_files_with_a_warning(
    tmp_path: Path, capsys, content: str | bytes, why: str
) -> None:
    results = tmp_path / "results"
    _write(results, "M_x4", "Set5")
    broken = results / "M_x4" / "Set14__basicsr.json"
    if isinstance(content, bytes):
        broken.write_bytes(content)
    else:
        broken.write_text(content)
    assert [r["dataset"] for r in store.latest_results(results)] == ["Set5"]
    err = capsys.readouterr().err
    assert f"warning: skipping {broken}: {why}" in err and len(err.splitlines()) == 1


def test_other_json_files_are_skipped_silently(tmp_path: Path, capsys) -> None:
    results = tmp_path / "results"
    _write(results, "M_x4", "Set5")
    (results / "comparison.json").write_text('{"cells": []}')
    (results / "list.json").write_text("[1, 2]")
    assert len(store.iter_results(results)) == 1
    assert capsys.readouterr().err == ""


def test_bench_readers_skip_broken_files_with_a_warning(tmp_path: Path, capsys) -> None:
    good = tmp_path / "M_x4" / "profile__cpu.json"
    good.parent.mkdir()
    good.write_text(json.dumps({"params": 10}))
    (tmp_path / "M_x4" / "profile__cuda.json").write_text('{"params": 1')
    (tmp_path / "M_x4" / "profile__cpu__fp16.json").write_text("[1]")
    (tmp_path / "M_x4" / "profile__cpu__bf16.json").write_text('{"model": 3}')
    assert [b["key"] for b in store.load_bench_results(tmp_path)] == ["cpu"]
    err = capsys.readouterr().err
    assert "profile__cuda.json: not valid JSON" in err
    assert "profile__cpu__fp16.json: not a JSON object" in err
    assert "profile__cpu__bf16.json: 'model' is 3" in err


def test_broken_diagnoses_are_skipped_with_a_warning(tmp_path: Path, capsys) -> None:
    (tmp_path / "diagnosis_M_Set5.json").write_text('{"model": ')
    (tmp_path / "diagnosis_M_Set14.md").write_bytes(b"\xff")
    (tmp_path / "diagnosis_M_B100.md").write_text("# fine")
    assert store.read_diagnoses(tmp_path) == [("diagnosis_M_B100.md", "# fine")]
    err = capsys.readouterr().err
    assert "diagnosis_M_Set5.json" in err and "diagnosis_M_Set14.md" in err


def test_load_result_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text('{"schema": "sr-suite/eval/1"')
    with pytest.raises(ResultFileError, match=rf"{path}: not valid JSON"):
        store.load_result(path)
    path.write_text('{"schema": "other"}')
    with pytest.raises(ResultFileError, match="schema is 'other'"):
        store.load_result(path)


# ---------------------------------------------------------------------------- load_finished


def test_load_finished_missing_file_is_none(tmp_path: Path, capsys) -> None:
    assert store.load_finished(tmp_path / "nothing.json") is None
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ('{"schema": "sr-suite/eval/1", "psnr": 3', "not valid JSON"),
        ("", "not valid JSON"),
        ("[]", "not a JSON object"),
        ('{"schema": "sr-suite/profile/1"}', "schema is 'sr-suite/profile/1'"),
        ('{"schema": "sr-suite/eval/1", "model": "M"}', "no 'dataset'"),
    ],
)
def test_load_finished_warns_and_recomputes_unreadable_files(
    tmp_path: Path, capsys, content: str, why: str
) -> None:
    path = tmp_path / "M" / "Set5__basicsr.json"
    path.parent.mkdir()
    path.write_text(content)
    assert store.load_finished(path) is None
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"warning: {path}: {why}") and "\n" not in err
    assert err.endswith("it will be recomputed and overwritten")


def test_load_finished_rewrites_a_lost_csv(tmp_path: Path) -> None:
    path = _write(tmp_path, "M_x4", "Set5")
    csv_path = path.with_suffix(".csv")
    expected = csv_path.read_text()
    csv_path.unlink()  # killed between the JSON and the CSV write
    result = store.load_finished(path)
    assert result is not None and result["psnr"] == 30.0
    assert csv_path.read_text() == expected


def test_load_finished_keeps_an_existing_csv(tmp_path: Path) -> None:
    path = _write(tmp_path, "M_x4", "Set5")
    path.with_suffix(".csv").write_text("kept\n")
    assert store.load_finished(path) == json.loads(path.read_text())
    assert path.with_suffix(".csv").read_text() == "kept\n"


# ---------------------------------------------------------------------------- partial logs

KEY = {"model": "M", "images": {"a": "0" * 64}}


@pytest.mark.parametrize(
    "content",
    [b"", b"[1]\n", b'{"key": {"model": "other"}}\n', b"\xff\xfe\n", b'{"key": \n'],
    ids=["empty", "list-header", "other-run", "not-utf8", "cut-header"],
)
def test_a_log_of_another_run_or_unreadable_starts_afresh(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "log.jsonl"
    path.write_bytes(content)
    log = store.PartialLog(path, KEY)
    assert log.done == {} and not path.exists()
    log.append({"name": "a", "psnr": 30.0, "ssim": 0.9, "hr_shape": [], "lr_shape": []})
    assert json.loads(path.read_text().splitlines()[0]) == {"key": KEY}


def test_a_log_keeps_the_rows_before_a_broken_one(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    rows = [json.dumps({"key": KEY}), json.dumps({"name": "a", "psnr": 1.0}), "[2]", "{}"]
    path.write_text("\n".join(rows) + "\n")
    assert list(store.PartialLog(path, KEY).done) == ["a"]
    assert path.read_text().splitlines() == rows[:2]


def test_bench_path_of_a_gpu_kind(tmp_path: Path) -> None:
    """A latency cell run on a named GPU kind (``--accelerator-type``) has its own file."""
    from suite.results.store import bench_path

    path = bench_path(tmp_path, "M_x4", "cuda", "fp16", accelerator="H100")
    assert path == tmp_path / "M_x4" / "profile__cuda__H100__fp16.json"
    assert bench_path(tmp_path, "M_x4", "cuda").name == "profile__cuda.json"
