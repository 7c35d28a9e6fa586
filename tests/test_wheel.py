"""A non-editable install works away from the checkout: the wheel carries every subpackage, the
reference tables and the dataset manifests, and `suite list` plus a reference-table lookup run
from a folder that has nothing of the source tree."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# What the wheel is built from (copied, so no stale build/ folder of the checkout can leak in).
SOURCES = ("pyproject.toml", "README.md", "suite", "reference_tables", "datasets/manifests")
DATA = {"reference_tables": "reference_tables/*.csv", "manifests": "datasets/manifests/*.json"}


def _run(*cmd: str | Path, **kwargs) -> str:
    done = subprocess.run(
        [str(c) for c in cmd], capture_output=True, text=True, check=False, **kwargs
    )
    assert done.returncode == 0, f"{cmd} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    for name in SOURCES:
        target = src / name
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, target)
    pip = (sys.executable, "-m", "pip")
    _run(*pip, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", work / "dist", src)
    (built,) = (work / "dist").glob("sr_suite-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path) -> Path:
    site = wheel.parent.parent / "site"
    _run(sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", site, wheel)
    return site


def _outside_env(site: Path) -> dict[str, str]:
    """The environment of a fresh shell: the installed wheel first, no suite settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUITE_")}
    env["PYTHONPATH"] = str(site)
    return env


def test_wheel_holds_every_package_and_the_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = {
        p.parent.relative_to(REPO).as_posix()
        for p in (REPO / "suite").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    assert {f"{p}/__init__.py" for p in packages} <= names
    for kind, pattern in DATA.items():
        files = sorted(REPO.glob(pattern))
        assert files, pattern
        assert {f"suite/_data/{kind}/{f.name}" for f in files} <= names


def test_installed_suite_lists_the_zoo_from_outside_the_checkout(
    installed: Path, tmp_path: Path
) -> None:
    env = _outside_env(installed)
    where = _run(sys.executable, "-c", "import suite; print(suite.__file__)", env=env, cwd=tmp_path)
    assert Path(where.strip()).is_relative_to(installed)
    script = installed / "bin" / "suite"
    rows = json.loads(_run(sys.executable, script, "list", "--json", env=env, cwd=tmp_path))
    from suite.models.zoo import list_models

    assert [r["id"] for r in rows] == list_models()


def test_installed_suite_reads_its_reference_tables_and_manifests(
    installed: Path, tmp_path: Path
) -> None:
    probe = (
        "import json; from suite import paths; from suite.results.reference import load_all; "
        "from suite.data.manifests import load_manifest; "
        "rows = [r for r in load_all() if r.model_id == 'EIMN_A_x4' and r.dataset == 'Set5'"
        " and r.table == 'Weights/record.txt']; "
        "print(json.dumps({'n': len(load_all()), 'psnr': rows[0].psnr, "
        "'tables': str(paths.reference_dir()), 'set5': len(load_manifest('Set5')['images'])}))"
    )
    got = json.loads(_run(sys.executable, "-c", probe, env=_outside_env(installed), cwd=tmp_path))
    from suite.results.reference import load_all

    assert Path(got["tables"]).is_relative_to(installed)
    assert got["n"] == len(load_all())
    assert got["psnr"] == pytest.approx(32.5241, abs=5e-5)
    assert got["set5"] == 5
