"""Speed, scaling and memory of ensembles of the historical scenario on each executor.

Usage: python benchmarks/bench_ensemble.py [--sizes 1000,10000] [--modes jobs1,jobs2,dask2]
                                           [--repeat 1] [--seed 1]

Each measurement runs in a fresh interpreter (start-up, imports, worker or
cluster start are counted; ``ru_maxrss`` is not polluted by earlier work)
and streams into a temporary folder, as ``sixparty run --runs N`` does.
Modes: ``jobs1`` (this process), ``jobs2`` (a pool of two worker
processes), ``dask2`` (a two-worker dask ``LocalCluster`` on 127.0.0.1).
For every size and mode it prints the wall time, runs/s, CPU time of all
processes, the parent's peak Python heap (``tracemalloc``) and peak RSS, and
the largest worker's RSS (pool only; the heap is not traced in ``jobs1``,
where the model itself runs in the parent and tracing would slow it down
several times); then the scaling efficiency 1 -> 2
workers (``wall(jobs1) / (2 x wall(jobs2))``, 1.0 = perfect).  The load
average (``os.getloadavg()``) is printed before and after every measurement:
on a shared machine, compare figures taken at similar load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time, tracemalloc
runs, mode, seed = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
from sixparty.loader import load_scenario
from sixparty.analysis.ensemble import run_ensemble
from sixparty.analysis.executors import make_executor
if __name__ == "__main__":
    sc = load_scenario("historical")
    trace = mode != "jobs1"  # tracemalloc would slow the model itself several times in jobs1
    if trace:
        tracemalloc.start()
    t = time.perf_counter()
    ex = make_executor(2, dask="local") if mode == "dask2" else make_executor(int(mode[-1]))
    with ex:
        res = run_ensemble(sc, runs, seed, executor=ex, progress=False)
    wall = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1] if trace else float("nan")
    ru_self = resource.getrusage(resource.RUSAGE_SELF)
    ru_kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = ru_self.ru_utime + ru_self.ru_stime + ru_kids.ru_utime + ru_kids.ru_stime
    print(json.dumps({"wall": wall, "cpu": cpu, "heap_mb": peak / 2**20,
                      "rss_self_mb": ru_self.ru_maxrss / 1024, "rss_child_mb": ru_kids.ru_maxrss / 1024,
                      "leaked": res.leaked_models, "executor": res.executor,
                      "walkout": float(res.summaries["walked_out"].mean())}))
"""


def child(runs: int, mode: str, seed: int) -> dict:
    load0 = os.getloadavg()[0]
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(runs), mode, str(seed)],
        capture_output=True,
        text=True,
        check=True,
    )
    r = json.loads(out.stdout.strip().splitlines()[-1])
    r["load"] = (load0, os.getloadavg()[0])
    return r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000", help="comma-separated run counts")
    ap.add_argument("--modes", default="jobs1,jobs2,dask2", help="jobs1, jobs2, dask2")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",") if s]
    modes = [m for m in a.modes.split(",") if m]
    print(
        f"{os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.2f} at start; historical "
        f"scenario (120 months); medians of {a.repeat}",
        flush=True,
    )
    walls: dict[tuple[int, str], float] = {}
    for n in sizes:
        for mode in modes:
            rs = [child(n, mode, a.seed) for _ in range(a.repeat)]
            wall = statistics.median(r["wall"] for r in rs)
            walls[(n, mode)] = wall
            r = rs[0]
            print(
                f"  {n:6d} runs {mode:5s}: {wall:7.1f} s {n / wall:6.1f} runs/s  "
                f"CPU {statistics.median(x['cpu'] for x in rs):7.1f} s  "
                f"parent heap peak {max(x['heap_mb'] for x in rs):5.1f} MB, "
                f"parent RSS {max(x['rss_self_mb'] for x in rs):4.0f} MB, "
                f"largest child RSS {max(x['rss_child_mb'] for x in rs):4.0f} MB; "
                f"leaked {r['leaked']}; load {r['load'][0]:.2f} -> {r['load'][1]:.2f}",
                flush=True,
            )
        if (n, "jobs1") in walls:
            for m in ("jobs2", "dask2"):
                if (n, m) in walls:
                    eff = walls[(n, "jobs1")] / (2 * walls[(n, m)])
                    print(
                        f"  {n:6d} runs: scaling efficiency 1 -> 2 workers ({m}): {eff:.2f} "
                        f"(speed-up {2 * eff:.2f})",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
