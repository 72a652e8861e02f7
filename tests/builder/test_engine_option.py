"""`--engine`: the local engine needs no Ray (and never imports it); --engine ray without Ray
installed, an unknown engine and Ray's options without it are one-line usage errors (exit 2)."""

from __future__ import annotations

import subprocess
import sys

from tests.builder.conftest import comparisons, write_jsonl, write_recipe

NO_RAY = "import sys; sys.modules['ray'] = None; from curate.cli import main; main()"


def _recipe(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", comparisons(30, source="a"))
    return write_recipe(tmp_path, sources={"a": {"path": "a.jsonl", "format": "curate"}},
                        mix=[{"group": "all", "from": ["a"], "take": "all"}])


def _curate(tmp_path, *args: str, code: str = NO_RAY) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          check=False, cwd=tmp_path, timeout=300)


def test_the_local_engine_builds_without_ray_and_never_imports_it(tmp_path):
    recipe = _recipe(tmp_path)
    assert _curate(tmp_path, "build", str(recipe), "--out", "out").returncode == 0
    code = ("import sys, curate; curate.build(sys.argv[1], out='again', progress=False); "
            "print('ray' in sys.modules)")
    imported = _curate(tmp_path, str(recipe), code=code)
    assert imported.returncode == 0 and imported.stdout.strip() == "False"


def test_engine_ray_without_ray_installed_says_how_to_install_it(tmp_path):
    result = _curate(tmp_path, "build", str(_recipe(tmp_path)), "--engine", "ray",
                     "--out", "out")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr == 'error: --engine ray needs Ray: pip install "curate[ray]"\n'
    assert not (tmp_path / "out" / "t").exists()


def test_an_unknown_engine_and_ray_options_without_it_are_usage_errors(tmp_path):
    recipe = str(_recipe(tmp_path))
    bogus = _curate(tmp_path, "build", recipe, "--engine", "spark", "--out", "out")
    assert (bogus.returncode, bogus.stderr) == (
        2, "error: unknown engine 'spark'; choose one of: local, ray\n")
    for option in (["--address", "auto"], ["--block-rows", "10"]):
        result = _curate(tmp_path, "build", recipe, *option, "--out", "out")
        assert result.returncode == 2
        assert result.stderr.startswith("error: --address and --block-rows are options of "
                                        "--engine ray")
    assert not (tmp_path / "out").exists()
