"""The GX engine's overhead: `curate validate` native vs `--engine gx` on the same records.

    python tests/benchmarks/corpus.py --rows 100000 --table6 --out tests/benchmarks/data/pref_100k/
    python tests/benchmarks/bench_validate_gx.py tests/benchmarks/data/pref_100k/ --rounds 3

Each run is its own process (its own peak RSS); rounds alternate the engines; medians. Both
engines must give the same report, or the benchmark stops.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

ENGINES = ("native", "gx")


def run(engine: str, path: str) -> dict:
    import curate

    start = time.perf_counter()
    report = curate.validate(path, engine=engine)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"engine": engine, "seconds": seconds, "peak_rss_mib": peak, "n": report.n_read,
            "report": report.model_dump(exclude={"engine", "data_docs"}, by_alias=True)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--one", choices=ENGINES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run(args.one, args.path)))
        return
    results: dict[str, list[dict]] = {e: [] for e in ENGINES}
    for _ in range(args.rounds):
        for engine in ENGINES:
            out = subprocess.run([sys.executable, __file__, args.path, "--one", engine],
                                 check=True, capture_output=True, text=True).stdout
            results[engine].append(json.loads(out.strip().splitlines()[-1]))
    if results["native"][0]["report"] != results["gx"][0]["report"]:
        raise SystemExit("the engines disagree: a bug to report, not a benchmark")
    med = {e: statistics.median(r["seconds"] for r in rs) for e, rs in results.items()}
    n = results["native"][0]["n"]
    print(f"records: {n:,}; rounds: {args.rounds}; medians; reports identical")
    print(f"{'engine':<8}{'seconds':>9}{'records/s':>12}{'peak RSS MiB':>14}")
    for engine, rs in results.items():
        peak = max(r["peak_rss_mib"] for r in rs)
        print(f"{engine:<8}{med[engine]:>9.2f}{n / med[engine]:>12,.0f}{peak:>14,.0f}")
    print(f"gx / native: {med['gx'] / med['native']:.1f}x")


if __name__ == "__main__":
    main()
