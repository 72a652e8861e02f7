"""The output side of a build: nothing written outside --out, immutable versions, scratch that
dead builds cannot leak, and one-line exit-2 errors when --out cannot be written."""

from __future__ import annotations

import doctest
import os
import resource
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

import curate
import curate.builder.output
from curate.builder.output import SCRATCH, scratch_left
from curate.errors import InputError
from curate.recipe import RecipeError
from tests.benchmarks.kill_builds import clean_build, kill_builds
from tests.builder.conftest import comparisons, write_jsonl, write_recipe
from tests.conftest import ROOT

CLI = [sys.executable, "-c", "from curate.cli import main; main()"]


def curate_cli(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "TERM": "dumb"}, **kwargs)


def _recipe(folder: Path, n: int = 200, **recipe) -> Path:
    """folder/t_v1.yaml taking all of n comparisons; `name` may be anything (a hostile one)."""
    write_jsonl(folder / "a.jsonl", comparisons(n, source="a"))
    path = write_recipe(folder, sources={"a": {"path": "a.jsonl", "format": "curate"}},
                        mix=[{"group": "all", "from": ["a"], "take": "all"}],
                        split={"test": {"otherwise": 0.1}}, **{**recipe, "name": "t"})
    if "name" in recipe:
        path.write_text(path.read_text().replace("name: t\n", f"name: {recipe['name']!r}\n", 1))
    return path


def _scratch(out: Path) -> list[str]:
    """Build scratch left under `out` (the root's lock file is not scratch)."""
    left = [p.name for p in scratch_left(out)]
    return left + [str(p) for p in out.glob("*/.*") if p.parent.name != SCRATCH]  # pre-root layout


def test_output_docstring_example_holds():
    result = doctest.testmod(curate.builder.output)
    assert result.attempted > 0 and result.failed == 0


# --- names never leave --out ---------------------------------------------------------------

@pytest.mark.parametrize("name", ["../victim", "../../x", "a/../../../x", "/abs/path"])
def test_recipe_name_with_dotdot_cannot_escape_out(tmp_path, name):
    base = tmp_path / "r" / "s"
    if name.startswith("/"):
        name = str(tmp_path / "abs")  # an absolute name, kept inside tmp_path
    victims = [(base / "outV" / name / "v1").resolve()]
    for victim in victims:
        victim.mkdir(parents=True, exist_ok=True)
        (victim / "precious.txt").write_text("keep me")
    recipe = _recipe(base, name=name)
    result = curate_cli("build", recipe, "--out", base / "outV")
    assert result.returncode == 2, result.stderr
    assert "must be a plain identifier" in result.stderr and "Traceback" not in result.stderr
    for victim in victims:
        assert [p.name for p in victim.iterdir()] == ["precious.txt"]
    assert not (base / "outV").exists()


@pytest.mark.parametrize("name", ["safety_rm", "helpfulness_rm", "sft", "t", "vendor-x.2"])
def test_plain_recipe_names_are_accepted(tmp_path, name):
    assert curate.recipe.load_recipe(_recipe(tmp_path, name=name)).name == name


@pytest.mark.parametrize("value", [True, "3", 0, -1, 1.5])
def test_recipe_version_must_be_a_positive_integer(tmp_path, value):
    with pytest.raises(RecipeError, match="version"):
        curate.recipe.load_recipe(_recipe(tmp_path, version=value))


def test_symlinked_name_folder_cannot_lead_a_build_outside_out(tmp_path, no_progress):
    elsewhere, out = tmp_path / "elsewhere", tmp_path / "out"
    elsewhere.mkdir()
    out.mkdir()
    (out / "t").symlink_to(elsewhere)
    with pytest.raises(InputError, match="outside --out"):
        curate.build(_recipe(tmp_path), out=out, progress=False)
    assert list(elsewhere.iterdir()) == []


# --- local versions are immutable ----------------------------------------------------------

def test_rebuilding_the_same_recipe_is_a_noop_that_says_so(tmp_path, no_progress):
    recipe, out = _recipe(tmp_path), tmp_path / "out"
    first = curate.build(recipe, out=out, progress=False)
    before = os.stat(first.path / "manifest.json")
    result = curate_cli("build", recipe, "--out", out)
    assert result.returncode == 0, result.stderr
    fingerprint = first.fingerprint
    assert f"v1 already built with fingerprint {fingerprint}: nothing to do" in " ".join(
        result.stdout.split())
    after = os.stat(first.path / "manifest.json")
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    again = curate.build(recipe, out=out, progress=False)
    assert again.unchanged and again.fingerprint == fingerprint
    assert _scratch(out) == []


def test_rebuilding_a_changed_recipe_is_refused_not_replaced(tmp_path, no_progress):
    out = tmp_path / "out"
    first = curate.build(_recipe(tmp_path, seed=3), out=out, progress=False)
    old = first.fingerprint
    changed = _recipe(tmp_path, seed=4)
    result = curate_cli("build", changed, "--out", out)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    message = " ".join(result.stderr.split())
    assert old in message and "--force" in message and "bump `version:`" in message
    with pytest.raises(InputError, match=f"fingerprint {old}.*fingerprint [0-9a-f]{{64}}"):
        curate.build(changed, out=out, progress=False)
    assert curate.open_version(first.path).fingerprint == old  # untouched
    assert _scratch(out) == []
    forced = curate.build(changed, out=out, progress=False, force=True)
    assert not forced.unchanged and forced.fingerprint != old
    assert forced.manifest.recipe.seed == 4 and _scratch(out) == []


def test_version_folders_are_created_0755_like_their_contents(tmp_path, no_progress):
    umask = os.umask(0o022)
    try:
        built = curate.build(_recipe(tmp_path), out=tmp_path / "out", progress=False)
    finally:
        os.umask(umask)
    for path in (built.path, built.path.parent, built.path / "data"):
        assert path.stat().st_mode & 0o777 == 0o755, path
    assert (built.path / "manifest.json").stat().st_mode & 0o777 == 0o644


# --- scratch: one place per --out, swept of dead builds, live builds untouched -----------------

_HOLD_SCRATCH = """
import sys, time
from pathlib import Path
from curate.builder.output import scratch_folder
with scratch_folder(Path(sys.argv[1])) as folder:
    (folder / "spill.arrows").write_bytes(b"x" * 1000)
    print(folder.name, flush=True)
    time.sleep(600)
"""


@contextmanager
def _process_holding_scratch(out: Path):
    """A real process inside a build's scratch protocol (folder created, lock held), stopped by
    its own pid."""
    process = subprocess.Popen([sys.executable, "-c", _HOLD_SCRATCH, str(out)],
                               stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        yield process, process.stdout.readline().strip()
    finally:
        process.kill()
        process.wait()


def test_a_later_build_removes_dead_builds_scratch_and_keeps_a_live_builds(tmp_path, no_progress):
    out = (tmp_path / "out").resolve()
    recipe = _recipe(tmp_path)
    with _process_holding_scratch(out) as (dead, dead_folder):
        pass  # SIGKILLed with its scratch in place, as a build killed mid-spill
    assert (out / SCRATCH / dead_folder / "spill.arrows").is_file()
    with _process_holding_scratch(out) as (live, live_folder):
        curate.build(recipe, out=out, progress=False)
        assert _scratch(out) == [live_folder]  # the dead one is gone, the live one kept
        assert (out / SCRATCH / live_folder / "spill.arrows").is_file()
        assert live.poll() is None
    curate.build(recipe, out=out, progress=False)  # a no-op build still sweeps
    assert _scratch(out) == []


def test_killed_builds_leave_no_scratch_and_the_next_build_matches_a_clean_one(
        tmp_path, monkeypatch):
    """Three CLI builds SIGKILLed at random moments (tests/benchmarks/kill_builds.py does 30 of
    safety_rm_v3), then one more build."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    recipe = _recipe(tmp_path, n=20_000, rows_per_shard=5_000)  # ~4 s a build, 1.3 s of imports
    fingerprint, seconds = clean_build(recipe, tmp_path / "clean")
    summary = kill_builds(recipe, tmp_path / "killed", kills=3, fingerprint=fingerprint,
                          seconds=seconds, seed=1, earliest=0.35, latest=0.85)
    assert summary["problems"] == [], summary
    assert summary["n_killed"] >= 1 and summary["max_scratch_folders"] >= 1, summary  # mid-build
    assert summary["final_fingerprint"] == fingerprint


def test_two_concurrent_builds_of_one_recipe_both_succeed_with_one_version(tmp_path):
    recipe, out = _recipe(tmp_path, n=5_000), tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "dumb"}
    builds = [subprocess.Popen([*CLI, "build", str(recipe), "--out", str(out)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for _ in range(2)]
    results = [(p.wait(), *p.communicate()) for p in builds]
    assert [code for code, _, _ in results] == [0, 0], results
    noops = [out for _, out, _ in results if "nothing to do" in out]
    assert len(noops) == 1, results
    fingerprint = curate.open_version(out / "t" / "v1").fingerprint
    assert all(fingerprint in " ".join(o.split()) for _, o, _ in results)
    assert sorted(p.name for p in out.iterdir()) == [SCRATCH, "t"] and _scratch(out) == []


# --- --out that cannot be written: one line, exit 2, nothing left -------------------------------

@contextmanager
def _tmpfs(path: Path, options: str):
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}); "
                    "test_file_size_limit_on_out_is_one_line_exit_2 covers the same path")
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=True)


def _assert_one_line_exit_2(result, *words):
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert all(w in lines[0] for w in words), lines[0]


def test_disk_full_out_is_one_line_exit_2_and_leaves_nothing(tmp_path):
    recipe = _recipe(tmp_path, n=2_000)
    with _tmpfs(tmp_path / "full", "size=128k") as out:
        result = curate_cli("build", recipe, "--out", out)
        _assert_one_line_exit_2(result, "No space left on device", "--out", str(out))
        assert not (out / "t" / "v1").exists() and _scratch(out) == []


def test_read_only_out_is_one_line_exit_2(tmp_path):
    recipe = _recipe(tmp_path)
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        result = curate_cli("build", recipe, "--out", locked / "build")
        _assert_one_line_exit_2(result, "Permission denied", "writable --out")
        return
    with _tmpfs(tmp_path / "ro", "ro,size=1m") as out:  # root writes through chmod 0555
        result = curate_cli("build", recipe, "--out", out / "build")
        _assert_one_line_exit_2(result, "Read-only file system", "writable --out")


def test_file_size_limit_on_out_is_one_line_exit_2(tmp_path):
    """Needs no privileges: RLIMIT_FSIZE makes the build's writes fail (EFBIG) as a full disk
    would (ENOSPC), through the same path."""
    recipe, out = _recipe(tmp_path, n=2_000), tmp_path / "out"

    def limit_file_size():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    result = curate_cli("build", recipe, "--out", out, preexec_fn=limit_file_size)
    _assert_one_line_exit_2(result, "File too large", "ulimit -f")
    assert not (out / "t" / "v1").exists() and _scratch(out) == []


def test_out_that_is_a_file_is_one_line_exit_2(tmp_path):
    out = tmp_path / "out"
    out.write_text("not a folder")
    result = curate_cli("build", _recipe(tmp_path), "--out", out)
    _assert_one_line_exit_2(result, "Not a directory", "choose another --out")
    assert out.read_text() == "not a folder"


def test_empty_out_is_refused_not_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="empty --out"):
        curate.build("safety_rm_v3", out="", progress=False)
    assert list(tmp_path.iterdir()) == []
