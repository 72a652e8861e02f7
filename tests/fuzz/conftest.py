"""Fuzz profiles, the child process the cases run in, and a summary of the cases per format.

Profiles: `ci` (the default: about a minute on 2 cores, derandomized, no deadline), `medium`
(~1.5k cases per format) and `long` (10k per format), chosen with
`python -m pytest tests/fuzz --hypothesis-profile=long` or `CURATE_FUZZ=long`.
`CURATE_FUZZ_SUMMARY=FILE` also writes the counts and the distinct failures as JSON.
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, Phase, settings

from tests.fuzz.worker import SURVEY, TALLY, Worker

_COMMON = {"deadline": None, "database": None, "suppress_health_check": list(HealthCheck),
           "print_blob": True}
# No shrinking in CI: a failing run then takes the time of a passing one (shrinking a crash
# costs minutes); the failure message shows the file's bytes, and the seed corpus the minimal
# cases. `medium` and `long` shrink.
settings.register_profile("ci", max_examples=60, derandomize=True,
                          phases=[Phase.explicit, Phase.reuse, Phase.generate], **_COMMON)
settings.register_profile("medium", max_examples=1500, **_COMMON)
settings.register_profile("long", max_examples=10_000, **_COMMON)
settings.load_profile(os.environ.get("CURATE_FUZZ", "ci"))  # --hypothesis-profile wins


@pytest.fixture(scope="session")
def worker(tmp_path_factory):
    child = Worker(tmp_path_factory.mktemp("fuzz-child"))
    yield child
    child.close()


@pytest.fixture(scope="session")
def case_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz-cases")


def pytest_terminal_summary(terminalreporter):
    if not TALLY.cases:
        return
    write = terminalreporter.write_line
    profile = settings.default
    terminalreporter.section(f"fuzz cases (max_examples={profile.max_examples}"
                             f"{', survey' if SURVEY else ''})")
    by_format: dict[str, int] = {}
    for (test, fmt), n in sorted(TALLY.cases.items()):
        by_format[fmt] = by_format.get(fmt, 0) + n
    for fmt, n in sorted(by_format.items()):
        outcomes = ", ".join(f"{k} {v}" for k, v in TALLY.outcomes[fmt].most_common())
        storages = ", ".join(f"{k} {v}" for k, v in sorted(TALLY.storages[fmt].items()))
        rec = TALLY.records[fmt]
        write(f"{fmt:22} {n:6} cases ({outcomes}); records read {rec['read']}, valid "
              f"{rec['valid']}; {storages}")
    write(f"{'total':22} {sum(by_format.values()):6} cases")
    if TALLY.findings:
        terminalreporter.section(f"fuzz findings: {len(TALLY.findings)} distinct")
        for sig, f in sorted(TALLY.findings.items(), key=lambda kv: -kv[1]["count"]):
            where = ", ".join(f"{k} {v}" for k, v in f["formats"].most_common(4))
            write(f"{f['count']:5}x {sig} ({where}); smallest {f['size']} bytes: "
                  f"{f['case']['data'][:120]!r}")
    path = os.environ.get("CURATE_FUZZ_SUMMARY")
    if path:
        summary = {"max_examples": profile.max_examples, "cases": by_format,
                   "outcomes": {k: dict(v) for k, v in TALLY.outcomes.items()},
                   "records": {k: dict(v) for k, v in TALLY.records.items()},
                   "reasons": {k: dict(v) for k, v in TALLY.reasons.items()},
                   "findings": {sig: {**{k: v for k, v in f.items() if k != "case"},
                                      "formats": dict(f["formats"]),
                                      "case": {**f["case"], "data": repr(f["case"]["data"][:3000])}}
                                for sig, f in TALLY.findings.items()}}
        with open(path, "w") as fh:
            json.dump(summary, fh, indent=1, default=str)
