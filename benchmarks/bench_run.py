"""Speed of single runs of the historical scenario (2003-01 to 2012-12).

Usage: python benchmarks/bench_run.py [--repeat 15] [--loop 100] [--loops 3]

Prints medians: the import of the model (fresh interpreter), one run after
import (as ``sixparty run`` does it, positions recorded, and as an ensemble
does it, positions not recorded), and a loop of ``--loop`` runs (distinct
seeds).  Target (2-core machine): one run < 0.2 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15, help="single runs timed (median)")
    ap.add_argument("--loop", type=int, default=100, help="runs in the loop")
    ap.add_argument("--loops", type=int, default=3, help="loops timed (median)")
    a = ap.parse_args()

    imports = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c",
                              "import time; t=time.perf_counter(); import sim.runner, sim.loader; "
                              "print(time.perf_counter()-t)"], capture_output=True, text=True, check=True)
        imports.append(float(out.stdout))

    from sixparty.loader import load_scenario
    from sixparty.runner import simulate

    t = time.perf_counter()
    sc = load_scenario("historical")
    load_s = time.perf_counter() - t
    simulate(sc, seed=0)  # warm-up
    single = {}
    for rec in (True, False):
        times = []
        for s in range(a.repeat):
            t = time.perf_counter()
            simulate(sc, seed=1000 + s, record_positions=rec)
            times.append(time.perf_counter() - t)
        single[rec] = statistics.median(times)
    loops = []
    for k in range(a.loops):
        t = time.perf_counter()
        for s in range(a.loop):
            simulate(sc, seed=k * a.loop + s, record_positions=False)
        loops.append(time.perf_counter() - t)
    loop = statistics.median(loops)
    print(f"historical scenario, {sc.window.months} months ({sc.window.start}..{sc.window.end})")
    print(f"  import sim.runner + sim.loader (fresh process, median of 3): {imports and statistics.median(imports):.3f} s")
    print(f"  load and validate historical.yaml:                            {load_s:.3f} s")
    print(f"  one run, positions recorded (sixparty run), median of {a.repeat}: {single[True]:.4f} s"
          f"  [target < 0.2 s: {'met' if single[True] < 0.2 else 'MISSED'}]")
    print(f"  one run, positions not recorded (ensembles), median of {a.repeat}: {single[False]:.4f} s")
    print(f"  loop of {a.loop} runs, median of {a.loops}: {loop:.2f} s = {a.loop / loop:.1f} runs/s")


if __name__ == "__main__":
    main()
