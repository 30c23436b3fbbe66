"""Speed and memory of ensembles of the historical scenario.

Usage: python benchmarks/bench_ensemble.py [--runs 1000] [--big 10000] [--repeat 3] [--seed 1]

Each measurement runs in a fresh interpreter (so start-up, imports and
worker spawning are counted, and ``ru_maxrss`` is not polluted by earlier
work).  Prints medians over ``--repeat``:

* wall time and runs/s of ``run_ensemble(historical, RUNS, jobs=J)`` for
  J = 1 and 2, with the peak resident memory of the parent and of the
  largest worker (``ru_maxrss`` of self and children), and the jobs-2 /
  jobs-1 speed ratio;
* CPU time of all processes (user + system, parent and workers): a figure
  less sensitive than wall time to other load on a shared machine (the
  load average at start is printed);
* memory flatness: the parent's Python heap peak (``tracemalloc``) and
  resident peak at ``--runs`` and at ``--big`` runs (jobs 2; tracemalloc is
  on only in these runs).

Targets (2-core machine): 1,000 runs < 30 s and < 500 MB; ratio >= 1.7.
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
runs, jobs, seed, trace = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
from sixparty.loader import load_scenario
from sixparty.analysis.ensemble import run_ensemble
if __name__ == "__main__":
    sc = load_scenario("historical")
    if trace:
        tracemalloc.start()
    t = time.perf_counter()
    res = run_ensemble(sc, runs, seed, jobs=jobs, progress=False)
    wall = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    ru_self = resource.getrusage(resource.RUSAGE_SELF)
    ru_kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    me, kids = ru_self.ru_maxrss / 1024, ru_kids.ru_maxrss / 1024
    cpu = ru_self.ru_utime + ru_self.ru_stime + ru_kids.ru_utime + ru_kids.ru_stime
    print(json.dumps({"wall": wall, "cpu": cpu, "tracemalloc_peak_mb": None if peak is None else peak / 2**20,
                      "rss_self_mb": me, "rss_child_mb": kids, "leaked": res.leaked_models,
                      "walkout": float(res.summaries["walked_out"].mean())}))
"""


def child(runs: int, jobs: int, seed: int, trace: bool) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(runs), str(jobs), str(seed), "1" if trace else "0"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--big", type=int, default=10000, help="runs for the flatness check (0 = skip)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    print(f"{os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.2f} at start; historical scenario; "
          f"{a.runs} runs; medians of {a.repeat}", flush=True)
    med = {}
    for jobs in (1, 2):
        rs = [child(a.runs, jobs, a.seed, False) for _ in range(a.repeat)]
        wall = statistics.median(r["wall"] for r in rs)
        med[jobs] = wall
        rss = max(r["rss_self_mb"] for r in rs)
        kid = max(r["rss_child_mb"] for r in rs)
        print(f"  jobs {jobs}: {wall:6.2f} s  {a.runs / wall:6.1f} runs/s  "
              f"(walls: {', '.join(format(r['wall'], '.2f') for r in rs)})  "
              f"peak RSS parent {rss:.0f} MB, largest worker {kid:.0f} MB, "
              f"leaked models {max(r['leaked'] for r in rs)}; CPU time (all processes) "
              f"{statistics.median(r['cpu'] for r in rs):.1f} s", flush=True)
    ratio = med[1] / med[2]
    print(f"  speed ratio jobs2/jobs1: {ratio:.2f}  [target >= 1.7: {'met' if ratio >= 1.7 else 'MISSED'}]")
    print(f"  {a.runs} runs < 30 s at jobs 1: {'met' if med[1] < 30 else 'MISSED'}; "
          f"at jobs 2: {'met' if med[2] < 30 else 'MISSED'}")
    sizes = [a.runs] + ([a.big] if a.big else [])
    print("memory flatness (jobs 2, tracemalloc on in the parent):", flush=True)
    for n in sizes:
        r = child(n, 2, a.seed, True)
        print(f"  {n:6d} runs: {r['wall']:7.1f} s, parent Python heap peak {r['tracemalloc_peak_mb']:.1f} MB, "
              f"parent RSS {r['rss_self_mb']:.0f} MB, largest worker RSS {r['rss_child_mb']:.0f} MB", flush=True)


if __name__ == "__main__":
    main()
