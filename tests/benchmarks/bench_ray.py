"""bench_build.py's mix on the local engine and on Ray with 1 and 2 worker nodes, in one run.

    python tests/benchmarks/bench_ray.py /tmp/llama2_1m --rounds 1
    CURATE_TIMINGS=1 python tests/benchmarks/bench_ray.py /tmp/llama2_1m --configs ray2

Each build runs in its own process (its peak RSS: ru_maxrss). A Ray build gets a fresh cluster
of tests/ray/cluster.py on 127.0.0.1, started before the build and timed apart: a head node
that runs no tasks (--num-cpus 0: GCS, the driver's raylet and object store) and N worker nodes
of 1 CPU each, so "N workers" means N CPUs that run tasks. While a Ray build runs, this process
samples every process under the nodes every 0.5 s (VmHWM, RssAnon, RssShmem) and the pages
each node's object store uses (its raylet's /dev/shm file); after the build, still connected,
the driver reads each node's processes' VmHWM once more. A worker's VmHWM counts the object
store's pages it touched (shared memory, RssShmem) as well as its own (RssAnon); the table's
"workers anon" is the workers' RssAnon summed at its peak, the store is counted once, apart.

The Ray driver also measures what a projection needs, outside the timed build: the index
frame's size per row, the selection's, and the object store's pieces per node
(ray.experimental.get_object_locations after pass 2, before the store is freed).

The outputs are compared in the run: every file of the version but manifest.json (it records
the engine) by sha256, and the manifest's fingerprint.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parents[1] / "ray")]

from bench_build import bench_recipe
from cluster import AGENT_TITLES, Cluster, descendants

from curate.io.digest import sha256_file

MIB = 2**20
STATUS_FIELDS = ("VmHWM", "VmRSS", "RssAnon", "RssFile", "RssShmem")


# --- one build, in its own process -----------------------------------------------------------

def one_build(recipe: Path, out: Path, *, engine: str, address: str | None,
              block_rows: int, nodes: dict[str, int], timeline: bool) -> dict:
    import curate

    probe: dict = {}
    if engine == "ray":
        import ray

        ray.init(address=address, logging_level="ERROR", log_to_driver=False)
        _probe_ray_engine(probe)
    start = time.perf_counter()
    options = {"engine": "ray", "block_rows": block_rows} if engine == "ray" else {}
    built = curate.build(recipe, out=out, progress=False, **options)
    seconds = time.perf_counter() - start - probe.get("probe_s", 0.0)
    result = {"seconds": seconds, "rows_out": sum(o.n_rows for o in built.manifest.outputs),
              "output_bytes": sum(p.stat().st_size for p in built.root.rglob("*") if p.is_file()),
              "version": str(built.root), "engine": built.manifest.engine, **probe}
    if engine == "ray":
        result["after"] = {node: processes(pid) for node, pid in nodes.items()}
        if timeline:
            result["timeline"] = task_times(ray.timeline(), start)
        ray.shutdown()
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def task_times(events: list[dict], start: float) -> dict[str, list]:
    """Ray's timeline summed per event (a task function's name, task:execute, ...):
    [count, total s, first start, last end (s since the build began), the longest 3 s]."""
    origin = (time.time() - (time.perf_counter() - start)) * 1e6  # µs since the epoch
    times: dict[str, list[float]] = {}
    for event in events:
        if event.get("ph") != "X":
            continue
        name = event["name"]
        begin, end = (event["ts"] - origin) / 1e6, (event["ts"] + event["dur"] - origin) / 1e6
        n, total, first, last, longest = times.get(name, [0, 0.0, begin, end, []])
        times[name] = [n + 1, total + event["dur"] / 1e6, min(first, begin), max(last, end),
                       sorted([*longest, round(event["dur"] / 1e6, 1)])[-3:]]
    return times


def _probe_ray_engine(probe: dict) -> None:
    """Wrap ray_engine.scan and write to note the driver's frames and the store's pieces."""
    import ray

    from curate.builder import ray_engine

    scan, write = ray_engine.scan, ray_engine.write

    def scan_probed(*args, **kwargs):
        index, store = scan(*args, **kwargs)
        probe["index_rows"] = index.frame.height
        probe["index_bytes"] = index.frame.estimated_size()
        probe["blocks"] = len(store.blocks)
        probe["buckets"] = store.n_buckets
        return index, store

    def write_probed(store, chosen, duplicates, **kwargs):
        probe["chosen_rows"], probe["chosen_bytes"] = chosen.height, chosen.estimated_size()
        probe["duplicates_bytes"] = duplicates.estimated_size()
        written = write(store, chosen, duplicates, **kwargs)
        probe["row_stats_bytes"] = written[3].estimated_size()  # RowStats, for the card
        start = time.perf_counter()
        refs = [ref for refs in store.blocks for ref in refs]
        names = {n["NodeID"]: "head" if not n["Resources"].get("CPU") else
                 f"node :{n['NodeManagerPort']}" for n in ray.nodes()}
        per_node: dict[str, int] = {}  # a copy fetched by another node's task counts there too
        for location in ray.experimental.get_object_locations(refs).values():
            size = location.get("object_size") or 0
            probe["store_bytes"] = probe.get("store_bytes", 0) + size
            for node in location.get("node_ids") or ["inline (<100 KB)"]:
                per_node[names.get(node, node)] = per_node.get(names.get(node, node), 0) + size
        probe["store_bytes_per_node"] = per_node
        probe["probe_s"] = time.perf_counter() - start
        return written

    ray_engine.scan, ray_engine.write = scan_probed, write_probed


def processes(root: int) -> list[dict]:
    """The processes under pid `root`: title and /proc status memory fields in KiB."""
    found = []
    for proc in descendants(root):
        status = read_status(proc.pid)
        if status:
            title = proc.title if is_worker(proc.title) else Path(proc.title).name
            found.append({"pid": proc.pid, "title": title, **status})
    return found


def read_status(pid: int) -> dict[str, int]:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    fields = dict(line.split(":", 1) for line in lines if ":" in line)
    return {f: int(fields[f].split()[0]) for f in STATUS_FIELDS if f in fields}


def store_kib(raylet: int) -> int:
    """The pages of a node's object store in use: its raylet's /dev/shm/plasma* file (deleted,
    held open) allocates them as first written and keeps them: its high-water mark."""
    try:
        for fd in Path(f"/proc/{raylet}/fd").iterdir():
            if "/dev/shm/plasma" in os.readlink(fd):
                return fd.stat().st_blocks // 2
    except OSError:
        pass
    return 0


def is_worker(title: str) -> bool:
    return title.startswith("ray::") and title not in AGENT_TITLES


# --- the run: configurations in turn ---------------------------------------------------------

class Sampler(threading.Thread):
    """Peak memory of the cluster's worker nodes while a build runs (every `every` s)."""

    def __init__(self, nodes: dict[str, int], every: float = 0.5):
        super().__init__(daemon=True)
        self.nodes, self.every = nodes, every
        self.peaks: dict[int, dict] = {}  # pid: title and each field's peak
        self.store_peak: dict[str, int] = {}  # node: its object store's pages in use
        self.workers_anon_peak = self.workers_peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.every):
            self.sample()

    def sample(self) -> None:
        anon = live = 0
        for node, root in self.nodes.items():
            for proc in processes(root):
                peak = self.peaks.setdefault(proc["pid"], {"title": proc["title"],
                                                           "node": node, "ran": set()})
                if is_worker(proc["title"]):  # a worker's title names the task it runs
                    peak["ran"].add(proc["title"].removeprefix("ray::"))
                for f in STATUS_FIELDS:
                    peak[f] = max(peak.get(f, 0), proc.get(f, 0))
                if node != "head" and is_worker(proc["title"]):
                    anon, live = anon + proc.get("RssAnon", 0), live + 1
                if proc["title"] == "raylet":
                    self.store_peak[node] = max(self.store_peak.get(node, 0),
                                                store_kib(proc["pid"]))
        self.workers_anon_peak = max(self.workers_anon_peak, anon)
        self.workers_peak = max(self.workers_peak, live)

    def stop(self) -> None:
        self.done.set()
        self.join()
        self.sample()


def run_config(config: str, args: argparse.Namespace, recipe: Path, round_no: int) -> dict:
    out = args.scratch / f"out-{config}-{round_no}"
    log = args.scratch / f"{config}-{round_no}.log"
    command = [sys.executable, __file__, str(args.folder), "--one", str(recipe), "--out",
               str(out), "--block-rows", str(args.block_rows)]
    env = {**os.environ, "CURATE_HOME": str(args.scratch / "home"),
           "HF_HOME": str(args.scratch / "hf"), "RAY_USAGE_STATS_ENABLED": "0"}
    if args.timeline:
        command.append("--timeline")
    if config == "local":
        return _child(command, env, log)
    workers = int(config.removeprefix("ray"))
    start = time.perf_counter()
    cluster = Cluster.start(workers=workers, head_cpus=0,
                            object_store_bytes=args.object_store_gib * 2**30)
    try:
        started = time.perf_counter() - start
        nodes = cluster.node_pids
        sampler = Sampler(nodes)
        sampler.start()
        try:
            result = _child([*command, "--address", cluster.address, "--nodes",
                             json.dumps(nodes)], {**env, **_node_env(cluster)}, log)
        finally:
            sampler.stop()
        spilled = _spilled(cluster)
    finally:
        cluster.stop()
    return {**result, "cluster_start_s": started, "sampled": sampler, "spilled": spilled}


def _node_env(cluster: Cluster) -> dict[str, str]:
    from cluster import node_env

    return node_env(cluster.temp_dir)


def _child(command: list[str], env: dict[str, str], log: Path) -> dict:
    """Run a build; out of the repository, whose curate/ would shadow $PYTHONPATH's (a Ray
    worker starts in its driver's folder): old and new code are compared that way."""
    with open(log, "w") as err:
        done = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=err, text=True,
                              check=False, cwd=log.parent)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])} ... exited {done.returncode}; see {log}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _spilled(cluster: Cluster) -> list[str]:
    """The raylets' lines about objects spilled to disk (a too small object store)."""
    lines = []
    for path in cluster.temp_dir.glob("*/session_latest/logs/raylet.out"):
        lines += [line.strip()[:160] for line in path.read_text(errors="replace").splitlines()
                  if "Spilled " in line]
    return lines


def version_files(version: Path) -> tuple[str, dict[str, str]]:
    """(fingerprint, {relative path: sha256}) of every file but the manifest."""
    manifest = json.loads((version / "manifest.json").read_text())
    files = {str(p.relative_to(version)): sha256_file(p) for p in sorted(version.rglob("*"))
             if p.is_file() and p.name != "manifest.json"}
    return manifest["fingerprint"], files


def report(results: dict[str, list[dict]], args: argparse.Namespace) -> None:
    med = {c: statistics.median(r["seconds"] for r in rs) for c, rs in results.items()}
    print(f"\ninput: {args.folder}; rounds: {args.rounds}; block rows {args.block_rows:,}; "
          f"object store {args.object_store_gib} GiB per node; medians")
    print(f"{'config':<8}{'wall s':>8}{'/local':>8}{'driver MiB':>12}{'cluster s':>11}"
          f"{'worker HWM MiB':>16}{'workers anon MiB':>18}{'store MiB':>11}{'workers':>9}")
    for config, rs in results.items():
        line = (f"{config:<8}{med[config]:>8.1f}"
                f"{med[config] / med['local'] if 'local' in med else float('nan'):>8.2f}"
                f"{max(r['peak_rss_mib'] for r in rs):>12,.0f}")
        if config != "local":
            samplers = [r["sampled"] for r in rs]
            hwm = max(max((p.get("VmHWM", 0) for p in s.peaks.values() if p["ran"]),
                          default=0)
                      for s in samplers)
            line += (f"{statistics.median(r['cluster_start_s'] for r in rs):>11.1f}"
                     f"{hwm / 1024:>16,.0f}"
                     f"{max(s.workers_anon_peak for s in samplers) / 1024:>18,.0f}"
                     f"{max(sum(s.store_peak.values()) for s in samplers) / 1024:>11,.0f}"
                     f"{max(s.workers_peak for s in samplers):>9}")
        print(line)
    for config, rs in results.items():
        for i, r in enumerate(rs):
            print(f"{config} round {i + 1}: {r['seconds']:.1f} s, {r['rows_out']:,} rows, "
                  f"driver {r['peak_rss_mib']:,.0f} MiB"
                  + (f", cluster start {r['cluster_start_s']:.1f} s" if "cluster_start_s" in r
                     else ""))
            if "sampled" in r:
                _worker_detail(r)


def _worker_detail(r: dict) -> None:
    s: Sampler = r["sampled"]
    print(f"  engine {r['engine']}; index {r['index_rows']:,} rows, "
          f"{r['index_bytes'] / r['index_rows']:.0f} B/row ({r['index_bytes'] / MIB:,.0f} MiB); "
          f"chosen {r['chosen_rows']:,} rows, {r['chosen_bytes'] / r['chosen_rows']:.0f} B/row;"
          f" row stats {r['row_stats_bytes'] / r['rows_out']:.0f} B/row; duplicates "
          f"{r['duplicates_bytes'] / MIB:.1f} MiB; output {r['output_bytes'] / MIB:,.0f} MiB; "
          f"{r['blocks']} blocks x "
          f"{r['buckets']} buckets; probe {r['probe_s']:.2f} s (not timed)")
    store = ", ".join(f"{node} {b / MIB:,.0f} MiB" for node, b in
                      sorted(r["store_bytes_per_node"].items()))
    print(f"  pass 1 pieces: {r['store_bytes'] / MIB:,.0f} MiB; in the object stores after "
          f"pass 2 (with fetched copies): {store}; stores' peak use: "
          + ", ".join(f"{node} {kib / 1024:,.0f} MiB" for node, kib in s.store_peak.items())
          + f"; spilled: {r['spilled'] or 'none'}")
    print(f"  workers seen {sum(1 for p in s.peaks.values() if p['ran'])}, "
          f"at once at most {s.workers_peak}; their RssAnon summed peak "
          f"{s.workers_anon_peak / 1024:,.0f} MiB")
    for pid, p in sorted(s.peaks.items()):
        if p.get("VmHWM", 0) > 100 * 1024:
            title = ",".join(sorted(p["ran"] - {"IDLE"})) or p["title"]
            print(f"    {p['node']:<8}{pid:>8} {title[:44]:<44} VmHWM "
                  f"{p['VmHWM'] / 1024:7,.0f}  RssAnon {p['RssAnon'] / 1024:7,.0f}  "
                  f"RssShmem {p['RssShmem'] / 1024:7,.0f} MiB")
    for name, (n, total, first, last, longest) in sorted(r.get("timeline", {}).items(),
                                                         key=lambda item: item[1][2]):
        print(f"    timeline {name.split('.')[-1]:<24}{n:>4} x {total:6.1f} s, from "
              f"{first:5.1f} s to {last:5.1f} s, longest {longest}")
    after = [(node, p) for node, ps in r["after"].items() for p in ps if is_worker(p["title"])]
    print("  after the build, still connected: "
          + (", ".join(f"{node} {p['pid']} {p['title'][:20]} VmHWM {p['VmHWM'] / 1024:,.0f} MiB"
                       for node, p in after) or "no worker alive"))


def compare(reference: Path, version: Path, config: str) -> bool:
    want, got = version_files(reference), version_files(version)
    differ = sorted(f for f in set(want[1]) | set(got[1]) if want[1].get(f) != got[1].get(f))
    same = want[0] == got[0] and not differ
    print(f"{config}: fingerprint {got[0][:12]} {'==' if want[0] == got[0] else '!='} local "
          f"{want[0][:12]}; {len(got[1])} files, "
          + ("all byte-identical" if not differ else f"DIFFERENT: {differ[:5]}"), flush=True)
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--configs", default="local,ray1,ray2")
    parser.add_argument("--block-rows", type=int, default=100_000)
    parser.add_argument("--object-store-gib", type=int, default=6,
                        help="each node's object store (allocated as used, in /dev/shm)")
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/bench_ray"))
    parser.add_argument("--timeline", action="store_true",
                        help="print Ray's task timeline per task kind (after the timed build)")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # the recipe: one build
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--address", help=argparse.SUPPRESS)
    parser.add_argument("--nodes", type=json.loads, default={}, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_build(args.one, args.out, engine="ray" if args.address else "local",
                                   address=args.address, block_rows=args.block_rows,
                                   nodes=args.nodes, timeline=args.timeline)))
        return
    args.scratch.mkdir(parents=True, exist_ok=True)
    recipe = bench_recipe(args.folder.resolve(), _empty(args.scratch / "recipe"))
    configs = args.configs.split(",")
    results: dict[str, list[dict]] = {c: [] for c in configs}
    identical = True
    for round_no in range(args.rounds):
        versions = {}
        for config in configs[round_no % len(configs):] + configs[:round_no % len(configs)]:
            _empty(args.scratch / f"out-{config}-{round_no}")
            result = run_config(config, args, recipe, round_no)
            results[config].append(result)
            versions[config] = Path(result["version"])
            print(f"round {round_no + 1} {config}: {result['seconds']:.1f} s", flush=True)
        if "local" in versions:
            for config, version in versions.items():
                if config != "local":
                    identical &= compare(versions["local"], version, config)
        for version in versions.values():
            shutil.rmtree(version.parents[1], ignore_errors=True)
    report(results, args)
    if not identical:
        sys.exit("the Ray builds' outputs are not the local build's")


def _empty(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


if __name__ == "__main__":
    main()
