"""Every way ``suite reproduce`` can end up measuring nothing, through the command line (issue
#9): one line naming the cause and the fix (`suite datasets --download`, the mirror option), exit
2, no comparison printed or written, so an earlier run never passes for a fresh one.

Each case breaks the tiny setup of :func:`support.tiny.make_env` one way; the family folder
already holds an earlier run of Set5 and an earlier comparison, which must stay as they were.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
from support.tiny import make_env

from suite import cli
from suite.data.datasets import BENCHMARKS
from suite.evaluation import reproduce as rep
from suite.evaluation.runner import evaluate
from suite.models.spec import ModelSpec
from suite.results.store import write_result

GET_DATA = ["`suite datasets --download ", "(from a mirror: `--mirror URL` or SUITE_MIRROR)"]
EARLIER_COMPARISON = '{"earlier": true}\n'
EVERY_SET = ", ".join(BENCHMARKS)  # what reproduce covers when no --dataset is given


def _unpublished(spec: ModelSpec) -> ModelSpec:
    return dataclasses.replace(
        spec, checkpoint=dataclasses.replace(spec.checkpoint, published=False)
    )


def _files(folder: Path) -> dict[Path, int]:
    """Every file below ``folder`` and its modification time, run locks left out (a failed
    run leaves its lock file, which is git-ignored and holds nothing)."""
    return {
        p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file() and p.suffix != ".lock"
    }


NO_DATA = ["--data-root", "{tmp}/empty"]  # an empty folder
NO_CHECKPOINT = ["--checkpoint-dir", "{tmp}/empty", "--offline"]

# id -> (flags, change to the model or None, fragments of the error line, stdout fragment or "")
CASES: dict[str, tuple[list[str], Callable[[ModelSpec], ModelSpec] | None, list[str], str]] = {
    "no data at all": (NO_DATA, None, [f"nothing measured for TEST: {EVERY_SET} not found under "
        "the data root", "empty. No comparison was written", "Get the sets with `suite "
        "datasets --download Set5`", "or point --data-root / SUITE_DATA_ROOT at a copy, then "
        "rerun"], ""),
    "no data, --force": ([*NO_DATA, "--force"], None, [f"{EVERY_SET} not found"], ""),
    "--force, every named set absent": (["--force", "--dataset", "Set14"], None,
        ["Set14 not found under the data root", "`suite datasets --download Set14`"], ""),
    "some sets absent, the others fail": ([*NO_CHECKPOINT, "--dataset", "Set5", "--dataset",
        "Set14"], None, ["Set14 not found under the data root", "; 1 run failed (UP_x2 Set5; "
        "see above)", "Fix the errors above and get the missing sets with `suite datasets "
        "--download Set14`"], "skip Set14: not found under the data root"),
    "every run fails (checkpoint missing, offline)": ([*NO_CHECKPOINT, "--dataset", "Set5"],
        None, ["1 run failed (UP_x2 Set5; see above)", "Fix the errors above, then rerun (a "
        "missing set comes with `suite datasets --download SET`"], ""),
    "no usable checkpoint": (["--dataset", "Set5"], _unpublished, ["no usable checkpoint "
        "(UP_x2; see above)", "`suite datasets --download SET`"],
        "skip UP_x2: checkpoint never published"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_nothing_measured_is_one_clear_line_and_writes_nothing(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    flags, change, fragments, out_fragment = CASES[case]
    spec, opts, _ = make_env(tmp_path, monkeypatch)
    (tmp_path / "empty").mkdir()
    out = tmp_path / "fam"
    earlier = evaluate(spec, "Set5", opts, write=False)
    write_result({**earlier, "timestamp": "2020-01-02T03:04:05+00:00"}, out / "runs")
    (out / "comparison.json").write_text(EARLIER_COMPARISON)
    before = _files(out)
    spec = change(spec) if change else spec
    monkeypatch.setattr(rep, "model_specs", lambda: {spec.id: spec})
    argv = [
        "reproduce", "TEST", "--no-progress", "--out", str(out), "--data-root",
        str(opts.data_root), "--checkpoint-dir", str(opts.checkpoint_dir),
        *(flag.format(tmp=tmp_path) for flag in flags),
    ]  # fmt: skip
    assert cli.main(argv) == 2
    stdout, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err
    last = err.splitlines()[-1]
    assert last.startswith("error: nothing measured for TEST: ")
    assert err.count("error: ") == 1  # one message; per-run errors read "error UP_x2 …"
    for fragment in [*fragments, *GET_DATA]:
        assert fragment in last
    assert "reproduced" not in stdout and "reproduced" not in err
    assert (out_fragment in stdout) if out_fragment else stdout == ""
    assert _files(out) == before  # nothing written
    assert (out / "comparison.json").read_text() == EARLIER_COMPARISON
