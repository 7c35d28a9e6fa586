"""Issue #10's fault table for benchmark sets: every bad download or ``--dataset`` value is one
line naming the file (or URL, or folder) and the fix, exit 2, and nothing half-written is left
in the data root.

Downloads go through ``suite datasets --download`` against the mirror of ``../shared`` served on
127.0.0.1 (``mirror`` fixture), one file of it broken per row. ``--dataset`` values go through
:func:`suite.data.datasets.require_dataset`, the entry point ``suite eval`` / ``suite reproduce``
resolve them with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from support.mirror import MirrorServer

from suite import cli
from suite.data import datasets, fetch
from suite.errors import SuiteError

BABY = datasets.registration("Set5").files["baby.png"].url


@dataclass
class Place:
    """A data root to download into, and the mirror a row may break."""

    root: Path
    mirror: MirrorServer
    monkeypatch: pytest.MonkeyPatch

    def download(self, *names: str) -> list[str]:
        return ["datasets", "--download", *names, "--data-root", str(self.root), "--no-progress"]


# Each row breaks something and returns the `suite` arguments and what the message must name.
Prepare = Callable[[Place], tuple[list[str], str]]


def broken(mode: str) -> Prepare:
    def prepare(p: Place) -> tuple[list[str], str]:
        p.mirror.fault(BABY, mode)
        p.monkeypatch.setattr(fetch, "DEADLINE_S", 0.3)
        return [*p.download("Set5"), "--mirror", p.mirror.url], f"{p.mirror.url}/github.com/"

    return prepare


def broken_through_env(p: Place) -> tuple[list[str], str]:
    p.mirror.fault(BABY, "404")
    p.monkeypatch.setenv("SUITE_MIRROR", p.mirror.url)
    return p.download("Set5"), BABY


def manga109_without_terms(p: Place) -> tuple[list[str], str]:
    return p.download("Manga109"), "--accept-terms Manga109"


def unknown_set(p: Place) -> tuple[list[str], str]:
    return p.download("Set6"), "'Set6'"


def offline(p: Place) -> tuple[list[str], str]:
    p.monkeypatch.setenv("SUITE_OFFLINE", "1")
    return p.download("Set5"), "SUITE_OFFLINE"


def bad_mirror(p: Place) -> tuple[list[str], str]:
    return [*p.download("Set5"), "--mirror", "mirror.lab.org"], "'mirror.lab.org'"


NO_FIX = {"unknown-set"}  # the message lists the known names instead

DOWNLOAD_CASES = [
    ("corrupt", broken("corrupt"), "baby.png", "sha256 mismatch: expected"),
    ("cut-off", broken("cutoff"), "baby.png", "connection cut off after"),
    ("404", broken("404"), "baby.png", "HTTP 404 Not Found"),
    ("404-mirror-from-env", broken_through_env, "baby.png", "HTTP 404 Not Found"),
    ("stall", broken("stall"), "baby.png", "the server sent nothing for 0.3 s"),
    ("trickle", broken("trickle"), "baby.png", "download deadline of 0.3 s"),
    ("manga109-without-terms", manga109_without_terms, "Manga109", "accept its terms"),
    ("unknown-set", unknown_set, "Set6", "unknown dataset"),
    ("offline", offline, "--download", "downloads are off"),
    ("mirror-not-a-url", bad_mirror, "--mirror", "is not an http(s) URL"),
]


@pytest.mark.parametrize(
    ("prepare", "named", "fragment"),
    [c[1:] for c in DOWNLOAD_CASES],
    ids=[c[0] for c in DOWNLOAD_CASES],
)
def test_bad_download_is_one_line_and_leaves_nothing(
    prepare: Prepare,
    named: str,
    fragment: str,
    tmp_path: Path,
    mirror: MirrorServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,
) -> None:
    place = Place(tmp_path / "data", mirror, monkeypatch)
    argv, also_named = prepare(place)
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err, err
    assert named in err and also_named in err and fragment in err, err
    assert ("Fix" in err) != (request.node.callspec.id in NO_FIX), err
    left = [p for p in place.root.rglob("*")] if place.root.exists() else []
    assert [p.name for p in left if p.suffix != ".lock"] == [], left


def _image(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.zeros((16, 16, 3), np.uint8)).save(path)


def folder_missing(tmp: Path) -> tuple[str, str]:
    return str(tmp / "nowhere" / "photos"), "does not exist"


def folder_without_images(tmp: Path) -> tuple[str, str]:
    (tmp / "notes").mkdir()
    (tmp / "notes" / "readme.txt").write_text("no images here")
    _image(tmp / "notes" / "deeper" / "a.png")  # only one level of subfolders is looked in
    return str(tmp / "notes"), "holds no images"


def folder_is_a_file(tmp: Path) -> tuple[str, str]:
    _image(tmp / "one.png")
    return str(tmp / "one.png"), "is a file, not a folder"


def unknown_name(tmp: Path) -> tuple[str, str]:
    return "Set6", "unknown dataset 'Set6'; known: Set5"


def folder_name_unsafe(tmp: Path) -> tuple[str, str]:
    _image(tmp / "x..y" / "a.png")
    return str(tmp / "x..y"), "cannot name a file"


FOLDER_CASES = [
    ("folder-missing", folder_missing),
    ("folder-without-images", folder_without_images),
    ("folder-is-a-file", folder_is_a_file),
    ("unknown-name", unknown_name),
    ("folder-name-unsafe", folder_name_unsafe),
]


@pytest.mark.parametrize("prepare", [c[1] for c in FOLDER_CASES], ids=[c[0] for c in FOLDER_CASES])
def test_bad_dataset_value_is_named(
    prepare: Callable[[Path], tuple[str, str]], tmp_path: Path, downloads: None
) -> None:
    given, fragment = prepare(tmp_path)
    with pytest.raises(SuiteError) as info:
        datasets.require_dataset(given, tmp_path / "data")
    message = str(info.value)
    assert fragment in message and given in message and "\n" not in message, message
    assert not (tmp_path / "data").exists()
