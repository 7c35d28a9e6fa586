"""Executors without a cluster (issue #12): the in-process default, the choice of executor, the
resources a cell asks for, options fit for other machines, and the driver that writes what
workers return."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest
from support.tiny import make_env

from suite import cli
from suite.errors import SuiteError
from suite.evaluation import executors as ex
from suite.evaluation import reproduce as rep
from suite.results.compare import RUN_NOW, RUN_REUSED
from suite.results.reference import ReferenceRow


def _double(x: int) -> int:
    if x < 0:
        raise SuiteError(f"negative input {x}")
    return 2 * x


def _bug(_x: int) -> int:
    raise ZeroDivisionError("a bug")


def test_local_executor_runs_each_task_and_reports_bad_input_by_cell() -> None:
    tasks = [ex.Task(f"cell {x}", _double, (x,)) for x in (1, -1, 3)]
    outcomes = list(ex.LocalExecutor().run(tasks))
    assert [(o.task.key, o.value, o.error) for o in outcomes] == [
        ("cell 1", 2, None),
        ("cell -1", None, "negative input -1"),
        ("cell 3", 6, None),
    ]
    assert [o.ok for o in outcomes] == [True, False, True]


def test_local_executor_lets_a_bug_propagate() -> None:
    with pytest.raises(ZeroDivisionError):
        list(ex.LocalExecutor().run([ex.Task("cell", _bug, (1,))]))


def test_make_executor_and_its_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(ex.make_executor(None), ex.LocalExecutor)
    with pytest.raises(SuiteError, match="--address names a Ray cluster: give --executor ray"):
        ex.make_executor("local", "ray://head:10001")
    with pytest.raises(SuiteError, match="unknown executor 'dask'; choose one of local, ray"):
        ex.make_executor("dask")
    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    with pytest.raises(SuiteError, match=r"needs Ray, which is not installed here: pip install"):
        ex.make_executor("ray")


def test_resources_of_a_cell() -> None:
    assert ex.device_resources("cpu") == ex.Resources(1.0, 0.0, None)
    assert ex.device_resources("cpu", threads=4).num_cpus == 4.0
    gpu = ex.device_resources("cuda:1", "H100")
    assert gpu.ray_options() == {"num_cpus": 1.0, "num_gpus": 1.0, "accelerator_type": "H100"}
    assert "accelerator_type" not in ex.device_resources("cuda").ray_options()
    with pytest.raises(SuiteError, match="picks a GPU kind, but the device is cpu"):
        ex.device_resources("cpu", "A100")


def test_options_for_workers_make_given_locations_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, opts, _ = make_env(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)
    opts = dataclasses.replace(opts, data_root="data", cache_dir=None, device="cpu")
    sent = ex.for_workers(opts)
    assert sent.data_root == str(tmp_path / "data") and sent.cache_dir is None
    assert sent.checkpoint_dir == str(Path(opts.checkpoint_dir).resolve())


class _Elsewhere:
    """Runs tasks in this process as a remote executor would: the driver writes results."""

    name = "elsewhere"
    in_process = False

    def run(self, tasks):
        yield from ex.LocalExecutor().run(tasks)


def _family(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    spec, opts, _ = make_env(tmp_path, monkeypatch)
    refs = [ReferenceRow("P", "T1", "UP", spec.id, 2, "Set5", 30.0, 0.9, None, None, "", "s")]
    monkeypatch.setattr(rep, "model_specs", lambda: {spec.id: spec})
    monkeypatch.setattr(rep, "load_all", lambda: refs)
    return spec, opts


def _quiet(*_args, **_kwargs) -> None:
    pass


def test_a_remote_cell_is_written_by_the_driver_and_reused_by_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec, opts = _family(tmp_path, monkeypatch)
    out = tmp_path / "fam"
    local = rep.reproduce("TEST", ["Set5"], opts, out_dir=tmp_path / "local", log=_quiet)
    first = rep.reproduce("TEST", ["Set5"], opts, out_dir=out, log=_quiet, executor=_Elsewhere())
    (result,) = first.results
    assert first.origins[(spec.id, "Set5")] == RUN_NOW
    assert result["psnr"] == local.results[0]["psnr"]  # the same numbers as in this process
    stored = out / "runs" / spec.id / "Set5__basicsr.json"
    assert stored.is_file() and stored.with_suffix(".csv").is_file()
    # the worker computed into its own folder under the cache, never into the results folder
    assert (tmp_path / "cache" / rep.WORKER_RUNS / spec.id / "Set5__basicsr.json").is_file()
    stamp = stored.stat().st_mtime_ns
    again = rep.reproduce("TEST", ["Set5"], opts, out_dir=out, log=_quiet, executor=_Elsewhere())
    assert again.origins[(spec.id, "Set5")] == RUN_REUSED and stored.stat().st_mtime_ns == stamp


def test_a_failing_remote_cell_is_reported_by_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    spec, opts = _family(tmp_path, monkeypatch)
    (Path(opts.checkpoint_dir) / spec.checkpoint.filename).write_bytes(b"not a checkpoint")
    with pytest.raises(rep.NothingMeasured, match=r"1 run failed \(UP_x2 Set5; see above\)"):
        rep.reproduce("TEST", ["Set5"], opts, out_dir=tmp_path / "f", executor=_Elsewhere())
    err = capsys.readouterr().err
    assert f"error {spec.id} Set5: " in err and spec.checkpoint.filename in err
    assert not (tmp_path / "f").exists()  # nothing written


class _NoCluster:
    """A ``ray`` module that finds no cluster at the address given (as ``ray.init`` says it)."""

    @staticmethod
    def is_initialized() -> bool:
        return False

    @staticmethod
    def init(address: str | None = None, **_kwargs) -> None:
        raise ConnectionError(f"Could not find any running Ray instance at {address}.\nMore")


# the executor's bad inputs, through the command line: one line naming the fix, exit 2, no work
FAULTS = [
    ("address-without-ray", ["--address", "ray://head:10001"], "give --executor ray too"),
    (
        "accelerator-without-ray",
        ["--accelerator-type", "H100"],
        "--accelerator-type H100 applies to --executor ray",
    ),
    (
        "accelerator-on-cpu",
        ["--executor", "ray", "--accelerator-type", "H100"],
        "picks a GPU kind, but the device is cpu: give --device cuda too",
    ),
    ("ray-not-installed", ["--executor", "ray"], "needs Ray, which is not installed here"),
    (
        "no-cluster-there",
        ["--executor", "ray", "--address", "127.0.0.1:9"],
        "cannot reach a Ray cluster at 127.0.0.1:9",
    ),
]


@pytest.mark.parametrize(("flags", "fragment"), [f[1:] for f in FAULTS], ids=[f[0] for f in FAULTS])
def test_executor_faults(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    flags: list[str],
    fragment: str,
) -> None:
    _, opts = _family(tmp_path, monkeypatch)
    if fragment.startswith("needs Ray"):
        monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    if fragment.startswith("cannot reach"):
        monkeypatch.setattr(ex, "_ray", lambda: _NoCluster)
    where = ["--data-root", str(opts.data_root), "--checkpoint-dir", str(opts.checkpoint_dir)]
    argv = ["reproduce", "TEST", "--dataset", "Set5", "--no-progress", "--out", str(tmp_path / "f")]
    argv += where
    assert cli.main([*argv, *flags]) == 2
    err = capsys.readouterr().err
    (line,) = [x for x in err.splitlines() if x.startswith("error:")]
    assert fragment in line and "Traceback" not in err
    assert not (tmp_path / "f").exists()  # nothing measured, nothing written
