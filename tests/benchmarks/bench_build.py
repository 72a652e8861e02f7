"""The same safety-RM-style mix through `curate build`, through the HF `datasets` way, and a plain
Parquet-to-Parquet zstd copy of the input (the floor), in one run.

    python tests/benchmarks/corpus.py --rows 1000000 --table6 --out tests/benchmarks/data/llama2_1m/
    python tests/benchmarks/bench_build.py tests/benchmarks/data/llama2_1m --rounds 1

The mix: all of Meta (safety + helpfulness) and Anthropic Harmless as 90%, the other open-source
sets pooled and sampled uniformly as 10%; exclusions: category-4 pairs, empty responses,
identical pairs, exact duplicates; margins from Table 27 (large); 2% test split.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ANCHORS = ["meta_safety_helpfulness", "anthropic_harmless"]
MARGIN = {"significantly_better": 3.0, "better": 2.0, "slightly_better": 1.0,
          "negligibly_better": 0.0}


def sources(folder: Path) -> dict[str, Path]:
    return {p.stem: p.resolve() for p in sorted(folder.glob("*.parquet"))}


def bench_recipe(folder: Path, out: Path) -> Path:
    """The mix over `folder`'s sources as a recipe file in `out` (bench_ray.py builds it too)."""
    import yaml

    names = sources(folder)
    recipe = {
        "name": "bench", "version": 1, "kind": "preference", "seed": 1,
        "sources": {n: {"path": str(p), "format": "curate"} for n, p in names.items()},
        "mix": [{"group": "safety", "from": ANCHORS, "take": "all", "share": 0.9},
                {"group": "helpfulness", "from": [n for n in names if n not in ANCHORS],
                 "uniform": "pooled", "share": 0.1}],
        "exclude": ["safety_category_4", "empty_response", "identical_pair", "duplicate"],
        "split": {"test": {"otherwise": 0.02}}, "margin": "large"}
    path = out / "bench_v1.yaml"
    path.write_text(yaml.safe_dump(recipe))
    return path


def curate_build(folder: Path, out: Path) -> int:
    import curate

    built = curate.build(bench_recipe(folder, out), out=out / "build", progress=False)
    return sum(o.n_rows for o in built.manifest.outputs)


def hf_datasets(folder: Path, out: Path) -> int:
    """What a user writes with `datasets`: load, filter, map, shuffle/select, to_parquet."""
    import datasets
    import xxhash

    datasets.disable_progress_bars()
    cache = out / "hf_cache"
    names = sources(folder)

    def load(name):
        return datasets.load_dataset("parquet", data_files=str(names[name]), split="train",
                                     cache_dir=str(cache))

    def keep(row):
        cat4 = row["chosen_safe"] is False and row["rejected_safe"] is True
        empty = not row["chosen"].strip() or not row["rejected"].strip()
        return not cat4 and not empty and row["chosen"].strip() != row["rejected"].strip()

    def add_columns(row):
        text = "\x1e".join([row["criterion"], *(m["content"] for m in row["prompt"]),
                            row["chosen"], row["rejected"]])
        return {"uid": xxhash.xxh3_128_hexdigest(text.encode()),
                "margin": MARGIN.get(row["degree"], 0.0)}

    seen: set[str] = set()

    def first_copy(row):
        if row["uid"] in seen:
            return False
        seen.add(row["uid"])
        return True

    def clean(name):
        return load(name).filter(keep).map(add_columns).filter(first_copy)

    anchors = datasets.concatenate_datasets([clean(n) for n in ANCHORS])
    pool = datasets.concatenate_datasets([clean(n) for n in names if n not in ANCHORS])
    n_help = round(len(anchors) / 0.9 * 0.1)
    helpfulness = pool.shuffle(seed=1).select(range(min(n_help, len(pool))))
    mix = datasets.concatenate_datasets([anchors, helpfulness])
    split = mix.train_test_split(test_size=0.02, seed=1)
    for name, part in split.items():
        part.to_parquet(str(out / f"hf-{name}.parquet"))
    return len(mix)


def copy_floor(folder: Path, out: Path) -> int:
    import pyarrow.parquet as pq

    n = 0
    for name, path in sources(folder).items():
        source = pq.ParquetFile(path, pre_buffer=False)
        with pq.ParquetWriter(out / f"{name}.parquet", source.schema_arrow,
                              compression="zstd") as writer:
            for batch in source.iter_batches(batch_size=50_000):
                writer.write_batch(batch)
                n += batch.num_rows
    return n


TASKS = {"copy_floor": copy_floor, "curate_build": curate_build, "hf_datasets": hf_datasets}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        with tempfile.TemporaryDirectory(dir=args.folder.parent) as tmp:
            start = time.perf_counter()
            n = TASKS[args.one](args.folder, Path(tmp))
            seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"task": args.one, "rows_out": n, "seconds": seconds,
                          "peak_rss_mib": peak}))
        return
    tasks = args.tasks.split(",")
    results: dict[str, list[dict]] = {t: [] for t in tasks}
    for _ in range(args.rounds):
        for task in tasks:
            out = subprocess.run([sys.executable, __file__, str(args.folder), "--one", task],
                                 check=True, capture_output=True, text=True).stdout
            results[task].append(json.loads(out.strip().splitlines()[-1]))
    med = {t: statistics.median(r["seconds"] for r in rs) for t, rs in results.items()}
    print(f"input: {args.folder}; rounds: {args.rounds}; medians")
    print(f"{'task':<14}{'seconds':>10}{'rows out':>12}{'peak RSS MiB':>14}")
    for task, rs in results.items():
        print(f"{task:<14}{med[task]:>10.1f}{rs[0]['rows_out']:>12,}"
              f"{max(r['peak_rss_mib'] for r in rs):>14,.0f}")
    if "curate_build" in med:
        if "copy_floor" in med:
            print(f"curate build / copy floor: {med['curate_build'] / med['copy_floor']:.2f}x "
                  "(target <= 1.25x)")
        if "hf_datasets" in med:
            print(f"HF datasets / curate build: {med['hf_datasets'] / med['curate_build']:.1f}x "
                  "(target >= 12x)")


if __name__ == "__main__":
    main()
