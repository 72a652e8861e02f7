"""The pytest side of the fuzz child (tests/fuzz/child.py): send a case, get its verdict, and
keep the counts per format and the distinct failures for the summary at the end of the run."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# Each failure is recorded; the test fails unless surveying (CURATE_FUZZ_SURVEY=1: run every
# case and list what breaks, for a bug census).
SURVEY = os.environ.get("CURATE_FUZZ_SURVEY") == "1"


class Worker:
    """One child server for the session; it restarts its own workers after a crash."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get(
            "PYTHONPATH", "")]), "TERM": "dumb", "NO_COLOR": "1", "COLUMNS": "200"}
        self.stderr = open(log_dir / "child-stderr.log", "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.fuzz.child", str(log_dir)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr, cwd=ROOT, env=env)

    def ask(self, request: dict[str, Any], timeout: float = 300) -> dict[str, Any]:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps(request).encode() + b"\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else b""
        if not line:
            tail = (self.log_dir / "child-stderr.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"the fuzz child stopped answering; its stderr ends:\n{tail}")
        return json.loads(line)

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()  # our own child, by its Popen handle
            self.proc.wait()
        self.stderr.close()


@dataclass
class Tally:
    cases: Counter = field(default_factory=Counter)  # (test, format) -> cases
    outcomes: dict = field(default_factory=lambda: defaultdict(Counter))  # format -> outcome
    storages: dict = field(default_factory=lambda: defaultdict(Counter))  # format -> storage
    records: dict = field(default_factory=lambda: defaultdict(Counter))  # format -> valid/read
    reasons: dict = field(default_factory=lambda: defaultdict(Counter))  # format -> reason
    findings: dict = field(default_factory=dict)  # signature -> the smallest case

    def add(self, test: str, fmt: str, storage: str, result: dict[str, Any],
            case: dict[str, Any]) -> None:
        self.cases[(test, fmt)] += 1
        self.outcomes[fmt][result.get("outcome", "?")] += 1
        self.storages[fmt][storage] += 1
        self.records[fmt]["read"] += result.get("n_read", 0)
        self.records[fmt]["valid"] += result.get("n_valid", 0)
        self.reasons[fmt].update(result.get("rejected", {}))
        for v in result.get("violations", []):
            self.record_finding(v, fmt, storage, case)

    def record_finding(self, v: dict[str, Any], fmt: str, storage: str,
                       case: dict[str, Any]) -> None:
        sig = signature(v, fmt)
        size = len(case.get("data", b""))
        seen = self.findings.get(sig)
        if seen is None:
            seen = self.findings[sig] = {"count": 0, "formats": Counter(), "size": None}
        seen["count"] += 1
        seen["formats"][f"{fmt}/{storage}"] += 1
        if seen["size"] is None or size < seen["size"]:
            seen.update(size=size, violation=v, case=case)


def signature(v: dict[str, Any], fmt: str) -> str:
    """Failures with one cause share a signature: the exception and the innermost curate frame
    for crashes, the property and the format otherwise."""
    if v["code"] in ("crash", "crash_on_reread", "died"):
        return f"{v['code']}: {v.get('type')} at {v.get('where')}"
    if v["code"] in FORMAT_FREE:
        return v["code"]
    return f"{v['code']} [{fmt}]"


FORMAT_FREE = {"uid_differs", "error_not_one_line"}  # one cause whatever the format
TALLY = Tally()


def describe(case: dict[str, Any], result: dict[str, Any]) -> str:
    """A failure message a person can reproduce from: bytes, format, and what went wrong."""
    data: bytes = case["data"]
    shown = repr(data[:600]) + (f"... ({len(data):,} bytes)" if len(data) > 600 else "")
    lines = [(f"format={case['format']!r} storage={case['storage']} "
              f"schema={case.get('schema')} set={case.get('set')} notes={case.get('notes')}"),
             f"file bytes: {shown}"]
    for v in result.get("violations", []):
        lines.append(f"- {v['code']}: {v.get('detail', '')}")
        if v.get("traceback"):
            lines.append("  " + "\n  ".join(v["traceback"].strip().splitlines()[-12:]))
    return "\n".join(lines)
