"""Builds killed at random moments: no scratch left behind, no visible half version, and the next
build gives the fingerprint of a clean build.

    python tests/benchmarks/kill_builds.py --kills 30          # safety_rm_v3: about 10 minutes

A clean build into its own folder gives the reference fingerprint and duration. Each round then
starts `curate build RECIPE --out OUT` and sends it SIGKILL at a moment drawn uniformly within
that duration (a round that finishes first is counted as such); after each round every version
folder under OUT must be complete (a manifest with the clean fingerprint). One more build follows,
and OUT must then hold the clean version and nothing else: no scratch folders, no hidden siblings.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from curate.builder.output import SCRATCH, scratch_left

CLI = [sys.executable, "-c", "from curate.cli import main; main()"]


def start_build(recipe: str | Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([*CLI, "build", str(recipe), "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "TERM": "dumb"})


def finish(process: subprocess.Popen) -> str:
    stdout, stderr = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"build exited {process.returncode}: {stderr.strip()[-2000:]}")
    return stdout


def clean_build(recipe: str | Path, out: Path) -> tuple[str, float]:
    """(fingerprint, seconds) of a build into the empty folder `out`."""
    start = time.perf_counter()
    finish(start_build(recipe, out))
    seconds = time.perf_counter() - start
    (version,) = version_folders(out)
    return fingerprint_of(version), seconds


def version_folders(out: Path) -> list[Path]:
    return sorted(p for p in out.glob("*/*") if not p.parent.name.startswith("."))


def fingerprint_of(version: Path) -> str | None:
    try:
        return json.loads((version / "manifest.json").read_text())["fingerprint"]
    except (OSError, ValueError, KeyError):
        return None


def scratch_size(out: Path) -> tuple[int, int]:
    """(folders, bytes) of build scratch under `out`: the scratch root's build folders and any
    hidden entry beside a version (where curate before the scratch root kept its scratch)."""
    entries = scratch_left(out) + [p for p in out.glob("*/.*") if p.parent.name != SCRATCH]
    size = sum(f.stat().st_size for p in entries for f in [p, *p.rglob("*")] if f.is_file())
    return len(entries), size


def half_versions(out: Path, fingerprint: str) -> list[str]:
    """Version folders that are not the complete clean version."""
    return [str(v) for v in version_folders(out) if fingerprint_of(v) != fingerprint]


def shards_match_manifest(version: Path) -> bool:
    manifest = json.loads((version / "manifest.json").read_text())
    return all(hashlib.sha256((version / o["path"]).read_bytes()).hexdigest() == o["sha256"]
               for o in manifest["outputs"])


def kill_builds(recipe: str | Path, out: Path, *, kills: int, fingerprint: str, seconds: float,
                seed: int = 0, earliest: float = 0.0, latest: float = 1.0) -> dict:
    """Kill `kills` builds into `out` at moments drawn in [earliest, latest) x `seconds`, then
    build once more; returns the summary (see `problems` in it)."""
    rng = random.Random(seed)
    summary = {"kills": kills, "n_killed": 0, "n_finished_first": 0, "failed_builds": [],
               "half_versions": [], "max_scratch_folders": 0, "max_scratch_mb": 0.0}
    for _ in range(kills):
        process = start_build(recipe, out)  # one that finishes first must exit 0 (built or no-op)
        time.sleep(rng.uniform(earliest, latest) * seconds)
        process.send_signal(signal.SIGKILL)
        _, stderr = process.communicate()
        killed = process.returncode == -signal.SIGKILL
        summary["n_killed" if killed else "n_finished_first"] += 1
        if process.returncode not in (0, -signal.SIGKILL):
            summary["failed_builds"].append(f"exit {process.returncode}: {stderr.strip()[-500:]}")
        summary["half_versions"] += half_versions(out, fingerprint)
        n, size = scratch_size(out)
        summary["max_scratch_folders"] = max(summary["max_scratch_folders"], n)
        summary["max_scratch_mb"] = max(summary["max_scratch_mb"], round(size / 2**20, 1))
    summary["scratch_before_last_build"] = scratch_size(out)
    finish(start_build(recipe, out))
    versions = version_folders(out)
    summary["final_fingerprint"] = fingerprint_of(versions[0]) if len(versions) == 1 else None
    summary["scratch_after_last_build"] = scratch_size(out)
    problems = [f"half version {v}" for v in summary["half_versions"]] + summary["failed_builds"]
    if summary["final_fingerprint"] != fingerprint:
        problems.append(f"final build: {[fingerprint_of(v) for v in versions]} != {fingerprint}")
    elif not shards_match_manifest(versions[0]):
        problems.append("a shard's sha256 differs from the manifest")
    if summary["scratch_after_last_build"] != (0, 0):
        problems.append(f"scratch left (folders, bytes): {summary['scratch_after_last_build']}")
    summary["problems"] = problems
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipe", default="safety_rm_v3")
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="work folder (default: a temporary one)")
    args = parser.parse_args()
    work = args.out or Path(tempfile.mkdtemp(prefix="kill-builds-"))
    start = time.perf_counter()
    fingerprint, seconds = clean_build(args.recipe, work / "clean")
    print(f"clean build of {args.recipe}: {seconds:.1f} s, fingerprint {fingerprint}")
    summary = kill_builds(args.recipe, work / "killed", kills=args.kills,
                          fingerprint=fingerprint, seconds=seconds, seed=args.seed)
    n, size = summary["scratch_before_last_build"]
    print(f"{summary['kills']} builds killed at random moments within {seconds:.1f} s "
          f"({summary['n_killed']} killed, {summary['n_finished_first']} finished first); "
          f"scratch after a kill: at most {summary['max_scratch_folders']} folder(s), "
          f"{summary['max_scratch_mb']} MB; before the last build: {n} folder(s), "
          f"{size / 2**20:.1f} MB")
    print(f"one more build: fingerprint {summary['final_fingerprint']} "
          f"({'same as' if summary['final_fingerprint'] == fingerprint else 'DIFFERENT from'} "
          f"the clean build); scratch left: {summary['scratch_after_last_build'][0]} folder(s); "
          f"half versions seen: {len(summary['half_versions'])}; "
          f"total {time.perf_counter() - start:.0f} s")
    if summary["problems"]:
        print("PROBLEMS: " + "; ".join(summary["problems"]))
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
