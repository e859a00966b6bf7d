"""The wheel works outside the checkout: built, installed into a fresh venv, run from elsewhere.

The fresh venv gets the project's dependencies from this venv through a .pth file naming
its site-packages: Python adds that folder to sys.path but does not process the .pth
files inside it, so the editable install's finder stays out and ``extractor`` is the
wheel's copy. Nothing is downloaded: the wheel is built without build isolation, with
this venv's setuptools, and installed with --no-deps --no-index.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import QUICKSTART_SAMPLE, REPO
from extractor.bulk.process import extractor_version
from extractor.pipeline import extract_file
from extractor.rulebook import PATTERNS_DIR

# What the fresh venv prints for the installed package: where it lives, where its rules
# are, and the version bulk stamps results with (a hash of every pattern file).
PROBE = (
    "import json, extractor; from extractor.rulebook import PATTERNS_DIR; "
    "from extractor.bulk.process import extractor_version; "
    "print(json.dumps([extractor.__file__, str(PATTERNS_DIR), extractor_version()]))"
)


def _run(args: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _build_wheel(work: Path) -> Path:
    """Build from a copy of the sources: an in-tree build leaves build/ behind, whose stale
    files a later build would ship, and two test runs would share it."""
    source = work / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(REPO / "extractor", source / "extractor", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    result = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", work / "dist", source], cwd=work)
    # setuptools warns of deprecated forms (the licence as a table) as BuildBackendWarning
    assert "warning" not in (result.stdout + result.stderr).lower()
    (wheel,) = (work / "dist").glob("vn_reform_extractor-*.whl")
    return wheel


def _fresh_venv(work: Path, wheel: Path) -> Path:
    """A new venv holding the wheel, with this venv's packages (not the checkout) on its path."""
    env = work / "venv"
    venv.EnvBuilder(with_pip=False).create(env)
    python = env / "bin" / "python"
    # The wheel goes in before the .pth: pip would otherwise see this venv's editable
    # vn-reform-extractor as already installed.
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index", wheel], cwd=work)
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], cwd=work).stdout.strip())
    ours = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (site / "checkout-venv-dependencies.pth").write_text("\n".join(sorted(ours)) + "\n", encoding="utf-8")
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the wheel, the fresh venv it is installed in)."""
    work = tmp_path_factory.mktemp("wheel")
    wheel = _build_wheel(work)
    return wheel, _fresh_venv(work, wheel)


def test_wheel_holds_every_pattern_file_and_py_typed(installed: tuple[Path, Path]) -> None:
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"extractor/patterns/{p.relative_to(PATTERNS_DIR).as_posix()}" for p in PATTERNS_DIR.rglob("*.yaml")}
    assert len(expected) == 41
    assert {n for n in names if n.startswith("extractor/patterns/")} == expected
    assert {"extractor/patterns/score.yaml", "extractor/patterns/cues/comparison.yaml",
            "extractor/patterns/gazetteers/provinces.yaml", "extractor/py.typed", "extractor/__main__.py"} <= names
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode("utf-8")
    assert "License-Expression: MIT" in metadata.splitlines()
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode("utf-8")
    assert "vnreform = extractor.cli:main" in entry_points


def test_installed_package_is_the_wheel_not_the_checkout(installed: tuple[Path, Path], tmp_path: Path) -> None:
    _, env = installed
    module, patterns, version = json.loads(_run([env / "bin" / "python", "-c", PROBE], cwd=tmp_path).stdout)
    site = env / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    assert Path(module) == site / "extractor" / "__init__.py"
    assert Path(patterns) == site / "extractor" / "patterns"
    assert (site / "extractor" / "py.typed").is_file()
    # The same rules, byte for byte: bulk would stamp results of both with one version.
    assert version == extractor_version()


@pytest.mark.parametrize("command", [["bin/vnreform"], ["bin/python", "-m", "extractor"]], ids=["vnreform", "python-m-extractor"])
def test_installed_extract_from_another_folder(installed: tuple[Path, Path], tmp_path: Path, command: list[str]) -> None:
    _, env = installed
    sample = QUICKSTART_SAMPLE.resolve()
    result = _run([env / command[0], *command[1:], "extract", sample], cwd=tmp_path)
    got = json.loads(result.stdout)
    want = extract_file(sample).to_jsonable()
    assert got["records"] == want["records"]
    assert got["metrics"] == want["metrics"]
    assert got["source"]["sha256"] == want["source"]["sha256"]
    (par,) = [m for m in got["metrics"] if m["indicator"] == "PAR_INDEX" and m["year"] == 2023]
    assert (par["subject"], par["score"], par["unit"], par["rank"], par["rank_total"]) == ("Quảng Trị", 85.12, "%", 31, 63)
    assert len(got["records"]) == 24
