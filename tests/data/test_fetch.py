"""Downloads (suite.data.fetch): the mirror mapping, verification, the deadline, retries, and
nothing half-written. Every file comes from a local server on 127.0.0.1 (support.http)."""

from __future__ import annotations

import hashlib
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.http import WeightServer, serving
from support.mirror import MirrorServer, put

from suite.data import fetch
from suite.data.fetch import DownloadError, Remote
from suite.errors import SuiteError
from suite.files import run_lock

BODY = bytes(range(256)) * 40  # 10 KiB
SHA = hashlib.sha256(BODY).hexdigest()
EIMN = "https://github.com/liux520/EIMN/raw/main/Weights/EIMN_A_x4.pth"

pytestmark = pytest.mark.usefixtures("downloads")


@pytest.fixture
def server() -> Iterator[WeightServer]:
    with serving("file.bin") as srv:
        srv.body = BODY
        yield srv


@pytest.fixture
def short_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch, "DEADLINE_S", 0.3)


def _left(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


# --------------------------------------------------------------------------- mirror mapping


def test_mirror_maps_host_and_path(monkeypatch: pytest.MonkeyPatch) -> None:
    assert fetch.mirror_url(EIMN) == EIMN
    want = "http://lab:8000/m/github.com/liux520/EIMN/raw/main/Weights/EIMN_A_x4.pth"
    assert fetch.mirror_url(EIMN, "http://lab:8000/m/") == want
    monkeypatch.setenv("SUITE_MIRROR", "https://env.example")
    assert fetch.mirror_url(EIMN).startswith("https://env.example/github.com/liux520/")
    assert fetch.mirror_url(EIMN, "http://lab:8000/m") == want  # the flag wins
    url = "https://user:pw@host.org:8443/a%20b/c.zip?dl=1"
    assert fetch.mirror_url(url, "http://m") == "http://m/host.org:8443/a%20b/c.zip?dl=1"


@pytest.mark.parametrize("bad", ["ftp://lab/m", "lab.example/m", "file:///srv/mirror"])
def test_mirror_must_be_an_http_url(bad: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SuiteError, match=r"is not an http\(s\) URL.*<host>/<path>"):
        fetch.mirror_url(EIMN, bad)
    monkeypatch.setenv("SUITE_MIRROR", bad)
    with pytest.raises(SuiteError, match="SUITE_MIRROR"):
        fetch.mirror_url(EIMN)


def test_github_raw_url() -> None:
    assert (
        fetch.github_raw_url("a/b", "c0ffee", "x/y.png")
        == "https://github.com/a/b/raw/c0ffee/x/y.png"
    )


# --------------------------------------------------------------------------- fetching


def test_fetch_verifies_and_returns_the_hash(tmp_path: Path, server: WeightServer) -> None:
    got = fetch.fetch(Remote(server.url, SHA, len(BODY)), tmp_path, "f.bin", progress=False)
    assert (got.path, got.sha256, got.url) == (tmp_path / "f.bin", SHA, server.url)
    assert got.path.read_bytes() == BODY
    assert _left(tmp_path) == ["f.bin"]  # pooch's temporary file is gone


def test_fetch_without_a_recorded_hash(tmp_path: Path, server: WeightServer) -> None:
    assert fetch.fetch(Remote(server.url), tmp_path, "f.bin", progress=False).sha256 == SHA


def test_fetch_from_a_mirror(tmp_path: Path, own_mirror: MirrorServer) -> None:
    url = "https://example.org/data/f.bin"
    put(own_mirror.folder, url, BODY)
    got = fetch.fetch(Remote(url, SHA), tmp_path, "f.bin", progress=False, mirror=own_mirror.url)
    assert got.url == f"{own_mirror.url}/example.org/data/f.bin" and got.sha256 == SHA
    own_mirror.fault(url, "404")
    with pytest.raises(DownloadError) as info:
        fetch.fetch(Remote(url, SHA), tmp_path / "b", "f", progress=False, mirror=own_mirror.url)
    assert str(info.value).startswith(f"could not download {own_mirror.url}/example.org/")
    assert f"(mirror of {url}): HTTP 404" in str(info.value)


@pytest.mark.parametrize(
    ("mode", "remote", "reason"),
    [
        ("corrupt", Remote("", SHA), f"sha256 mismatch: expected {SHA}, got "),
        ("cutoff", Remote(""), f"connection cut off after {len(BODY) // 2} of {len(BODY)} bytes"),
        ("404", Remote(""), "HTTP 404 Not Found"),
        ("ok", Remote("", None, len(BODY) + 1), f"announces {len(BODY)} bytes, expected"),
        ("stall", Remote(""), "the server sent nothing for 0.3 s"),
        ("trickle", Remote(""), "not finished within the download deadline of 0.3 s ("),
    ],
)
@pytest.mark.usefixtures("short_deadline")
def test_failed_fetch_says_why_and_leaves_nothing(
    tmp_path: Path, server: WeightServer, mode: str, remote: Remote, reason: str
) -> None:
    server.mode = mode
    start = time.monotonic()
    with pytest.raises(DownloadError) as info:
        fetch.fetch(Remote(server.url, remote.sha256, remote.size), tmp_path, "f", progress=False)
    assert time.monotonic() - start < 3
    assert reason in info.value.reason and info.value.source == server.url
    assert _left(tmp_path) == []


def test_a_404_is_not_retried(
    tmp_path: Path, server: WeightServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetch, "RETRIES", 3)
    server.mode = "404"
    with pytest.raises(DownloadError):
        fetch.fetch(Remote(server.url), tmp_path, "f", progress=False)
    assert server.requests == 1


@pytest.mark.slow  # pooch waits a second before a retry
def test_a_cut_off_transfer_is_retried(
    tmp_path: Path, server: WeightServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetch, "RETRIES", 1)
    server.queue = ["cutoff"]
    assert fetch.fetch(Remote(server.url, SHA), tmp_path, "f", progress=False).sha256 == SHA
    assert server.requests == 2


def test_the_deadline_covers_retries(
    tmp_path: Path, server: WeightServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetch, "RETRIES", 5)
    monkeypatch.setattr(fetch, "DEADLINE_S", 0.3)
    server.mode = "trickle"
    start = time.monotonic()
    with pytest.raises(DownloadError, match=r"deadline of 0\.3 s"):
        fetch.fetch(Remote(server.url), tmp_path, "f", progress=False)
    assert time.monotonic() - start < 3 and server.requests == 1


def test_unzip_refuses_what_is_not_an_archive(tmp_path: Path, server: WeightServer) -> None:
    got = fetch.fetch(Remote(server.url), tmp_path, "a.zip", progress=False)
    with pytest.raises(DownloadError, match="not a zip archive"):
        fetch.unzip(got, tmp_path / "out")
    with zipfile.ZipFile(tmp_path / "good.zip", "w") as archive:
        archive.writestr("top/x.txt", "x")
        archive.writestr("../escape.txt", "no")
    good = fetch.Fetched(tmp_path / "good.zip", "", "u")
    out = fetch.unzip(good, tmp_path / "out")
    assert (out / "top" / "x.txt").read_text() == "x"
    assert not (tmp_path / "escape.txt").exists()


# --------------------------------------------------------------------------- into place


def test_staging_removes_leftovers_and_itself(tmp_path: Path) -> None:
    dest = tmp_path / "set" / "Set5"
    leftover = tmp_path / "set" / "Set5.part" / "tmpk9x1"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"half of a killed download")
    with fetch.staging(dest) as part:
        assert part == leftover.parent and _left(part) == []
        (part / "x").write_bytes(b"x")
    assert not part.exists() and not dest.exists()


def test_staging_waits_for_another_process(tmp_path: Path) -> None:
    dest = tmp_path / "f.bin"
    held, order = threading.Event(), []

    def other() -> None:
        with run_lock(dest):
            held.set()
            time.sleep(0.2)
            order.append("other")

    thread = threading.Thread(target=other)
    thread.start()
    held.wait(5)
    with fetch.staging(dest):
        order.append("this")
    thread.join(5)
    assert order == ["other", "this"]


def test_install_moves_a_file_or_a_folder(tmp_path: Path) -> None:
    staged = tmp_path / "part"
    staged.mkdir()
    (staged / "a.png").write_bytes(b"a")
    (staged / "a.png").chmod(0o600)
    fetch.install(staged, tmp_path / "Set5")  # absent: the whole folder in one step
    assert _left(tmp_path / "Set5") == ["a.png"] and not staged.exists()
    assert (tmp_path / "Set5" / "a.png").stat().st_mode & 0o777 == 0o644
    staged.mkdir()
    (staged / "b.png").write_bytes(b"b")
    fetch.install(staged, tmp_path / "Set5")  # present: file by file into it
    assert _left(tmp_path / "Set5") == ["a.png", "b.png"]
