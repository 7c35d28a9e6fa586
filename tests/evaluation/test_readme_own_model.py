"""The README's "Benchmark your own model" section, run as written.

Its code blocks are taken from README.md in order: the model file (written to a folder outside
the checkout), the snippet that saves its weights, the shell commands (each ``suite …`` line run
through the CLI from that folder) and the Python API example. The data is the tiny fake Set5 of
:func:`support.tiny.make_env` (×4 works on it).
"""

from __future__ import annotations

import json
import re
import shlex
import sys
from pathlib import Path

import pytest
from support.tiny import make_env

from suite import cli
from suite.paths import PACKAGE_DIR

README = PACKAGE_DIR.parent / "README.md"
SECTION = "## Benchmark your own model"


def code_blocks() -> list[tuple[str, str]]:
    """(language, code) of every fenced block of the section, in order."""
    text = README.read_text(encoding="utf-8")
    section = text.split(f"\n{SECTION}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^```(\w+)\n(.*?)^```", section, flags=re.S | re.M)


def suite_commands(shell: str) -> list[list[str]]:
    """The arguments of every ``suite …`` command of a shell block (continuations joined)."""
    lines = shell.replace("\\\n", " ").splitlines()
    return [shlex.split(line, comments=True)[1:] for line in lines if line.startswith("suite ")]


@pytest.mark.slow  # a benchmark at 1280×720 and a figure
def test_the_readme_example_runs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    _, opts, _ = make_env(tmp_path / "env", monkeypatch)
    monkeypatch.setenv("SUITE_DATA_ROOT", str(opts.data_root))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.syspath_prepend(str(work))  # `from my_net import MyNet`, as run from there
    monkeypatch.delitem(sys.modules, "my_net", raising=False)
    # CPU peak memory is measured in a fresh process: tests/cli/test_bench.py covers it
    peak = {"device": "cpu", "peak_mb": 1.0, "forward_peak_mb": 1.0, "peak_rss_mb": 2.0}
    monkeypatch.setattr("suite.bench.benchmark.cpu_peak_memory", lambda *a, **k: peak)
    (model, weights, shell, api) = code_blocks()
    assert [model[0], weights[0], shell[0], api[0]] == ["python", "python", "bash", "python"]
    assert model[1].startswith("# my_net.py\n")
    (work / "my_net.py").write_text(model[1])
    exec(compile(weights[1], "README weights snippet", "exec"), {})
    commands = suite_commands(shell[1])
    assert [c[0] for c in commands] == ["eval", "bench", "report", "plot", "score"]
    printed = []
    for argv in commands:
        assert cli.main(argv) == 0, argv
        printed.append(capsys.readouterr().out)

    results = work / "results" / "MyNet_x4"
    evaluated = json.loads((results / "Set5__basicsr.json").read_text())
    assert evaluated["family"] == "user" and evaluated["arch"] == f"{work / 'my_net.py'}:MyNet"
    assert json.loads((results / "profile__cpu.json").read_text())["params"] > 0
    assert "**MyNet_x4**" in (results / "report.md").read_text()
    # one chart per set × scale × profile, each with the CSV of its points
    for suffix in ("png", "csv"):
        assert (results / "plots" / f"complexity_Set5_x4_basicsr.{suffix}").is_file()
    assert printed[-1].startswith(f"sr/MyNet_x4 ×4 Set5 [basicsr]: PSNR {evaluated['psnr']:.4f}")

    namespace: dict = {}
    try:
        exec(compile(api[1], "README Python example", "exec"), namespace)
    finally:
        sys.modules.pop("my_net", None)
    assert namespace["r"]["model"] == "MyNet_x4_live" and namespace["r"]["family"] == "user"
    assert namespace["b"]["model"] == "MyNet_x4" and namespace["b"]["params"] > 0
