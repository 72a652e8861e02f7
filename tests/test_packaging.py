"""`pip install` of a built wheel (not editable) builds the shipped recipes from any folder: the
recipes, their catalog, the bundled samples and the card templates ship as package data."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import curate
from tests.conftest import ROOT


def _run(*args, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300,
                            **kwargs)
    assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-2000:])
    return result


def _wheel(tmp_path: Path) -> Path:
    """Built from a copy of what the wheel holds, so nothing is written into the checkout."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "curate", source / "curate",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "--quiet", "-w", tmp_path / "wheels", source)
    (wheel,) = (tmp_path / "wheels").glob("curate-*.whl")
    return wheel


def _fresh_venv(tmp_path: Path, wheel: Path) -> Path:
    """A plain venv holding the wheel; the third-party packages come from this venv through a
    .pth path line (folders named there are put on sys.path without their own .pth files being
    run, so this venv's editable finder for the checkout does not load)."""
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
         "--quiet", wheel)
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
                .stdout.strip())
    (site / "_curate_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def test_a_wheel_in_a_fresh_venv_builds_safety_rm_v3_from_another_folder(tmp_path, monkeypatch):
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.setenv("CURATE_HOME", str(home))
    for name in ("CURATE_RECIPES", "CURATE_CARDS", "CURATE_TOKENIZER", "PYTHONPATH"):
        monkeypatch.delenv(name, raising=False)
    checkout = curate.build("safety_rm_v3", out=tmp_path / "checkout", progress=False).path

    venv = _fresh_venv(tmp_path, _wheel(tmp_path))
    env = {**os.environ, "TERM": "dumb"}
    where = _run(venv / "bin" / "python", "-c", "import curate; print(curate.__file__)",
                 cwd=elsewhere, env=env).stdout.strip()
    assert Path(where).is_relative_to(venv) and not Path(where).is_relative_to(ROOT), where
    _run(venv / "bin" / "curate", "build", "safety_rm_v3", "--out", tmp_path / "wheel-out",
         cwd=elsewhere, env=env)
    manifests = [(folder / "manifest.json").read_bytes()
                 for folder in (tmp_path / "wheel-out/safety_rm/v3", checkout)]
    assert json.loads(manifests[0])["fingerprint"] == json.loads(manifests[1])["fingerprint"]
    # The recipe's folder is the checkout's in one build and site-packages' in the other, the
    # output folders differ: the manifests hold no machine paths, so they are the same bytes.
    assert manifests[0] == manifests[1]
    assert list(elsewhere.iterdir()) == []  # nothing written into the working folder
