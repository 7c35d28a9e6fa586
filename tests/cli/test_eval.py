"""``suite eval``: JSON output, and errors as one line without a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.tiny import make_env

from suite import cli


def test_json_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    spec, opts, _ = make_env(tmp_path, monkeypatch)
    monkeypatch.setattr("suite.evaluation.runner.get_spec", lambda _id: spec)
    code = cli.main(
        [
            "eval", "UP_x2", "--dataset", "Set5", "--json", "--no-progress",
            "--data-root", str(opts.data_root), "--checkpoint-dir", str(opts.checkpoint_dir),
            "--results-dir", str(opts.results_dir),
        ]
    )  # fmt: skip
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["model"] == "UP_x2" and out["n_images"] == 4
    assert [p["name"] for p in out["per_image"]] == ["im0", "im1", "im2", "im3"]


def test_errors_are_one_line_without_traceback(capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["eval", "NO_SUCH_MODEL", "--dataset", "Set5"]) == 2
    assert capsys.readouterr().err.startswith("error: unknown model 'NO_SUCH_MODEL'.")
    with pytest.raises(SystemExit) as usage:  # argparse rejects a bad choice itself
        cli.main(["eval", "EIMN_A_x4", "--dataset", "Set5", "--profile", "nope"])
    assert usage.value.code == 2
    assert "invalid choice: 'nope'" in capsys.readouterr().err
