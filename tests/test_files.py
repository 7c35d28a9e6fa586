"""Safe writes and run locks (suite/files.py): readers never see half a file, writers never
share a temporary name, a blocked folder is named, and one process at a time holds a run."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from suite.errors import SuiteError
from suite.files import atomic_write, atomic_write_text, run_lock


def test_write_replaces_the_file_and_leaves_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "r.json"
    atomic_write_text(target, "old")
    atomic_write_text(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in target.parent.iterdir()] == ["r.json"]
    assert target.stat().st_mode & 0o777 == 0o644


def test_a_failed_write_keeps_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    atomic_write_text(target, "old")

    def crash(f) -> None:
        f.write(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(target, crash)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_a_file_in_the_way_of_the_folder_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "results"
    blocker.write_text("not a folder")
    with pytest.raises(SuiteError, match=f"{blocker} is a file, not a folder"):
        atomic_write_text(blocker / "M" / "r.json", "x")


def test_concurrent_writers_never_collide(tmp_path: Path) -> None:
    target = tmp_path / "r.txt"
    errors: list[BaseException] = []

    def writer(text: str) -> None:
        try:
            for _ in range(50):
                atomic_write_text(target, text * 1000)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(c,)) for c in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert target.read_text() in ("a" * 1000, "b" * 1000)


def test_run_lock_serialises_and_times_out(tmp_path: Path) -> None:
    run = tmp_path / "M" / "Set5__basicsr"
    order: list[str] = []

    def holder() -> None:
        with run_lock(run):
            order.append("first in")
            time.sleep(0.3)
            order.append("first out")

    t = threading.Thread(target=holder)
    t.start()
    time.sleep(0.1)
    with pytest.raises(SuiteError, match="another process holds"), run_lock(run, timeout_s=0):
        pass
    with run_lock(run):
        order.append("second in")
    t.join()
    assert order == ["first in", "first out", "second in"]
