"""Speed of one expected-utility bargaining round (sixparty.bargaining).

Usage: python benchmarks/bench_bargaining.py [--repeat 20] [--replicates 1 1000]

Times ``bargaining_round`` for 6 actors x 8 issues at each replicate count R (median of
``--repeat`` calls after a warm-up) and prints the wall per call and per replicate, plus
``run_to_convergence`` on the same state.  Figures, not tests.  Target: at R = 1000 the
cost per replicate is a few microseconds per issue.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from sixparty.bargaining import (
    BargainingParameters,
    BargainingState,
    bargaining_round,
    run_to_convergence,
)

N_ACTORS, N_ISSUES = 6, 8


def state(R: int) -> BargainingState:
    rng = np.random.default_rng(2003)  # fixed inputs: the same state every run
    return BargainingState(
        positions=rng.uniform(0, 1, (R, N_ACTORS, N_ISSUES)),
        capability=rng.uniform(0.05, 0.4, (R, N_ACTORS)),
        salience=rng.uniform(0.2, 1.0, (R, N_ACTORS, N_ISSUES)),
        scale=1.0,
    )


def timed(fn, repeat: int) -> tuple[float, float, float]:
    """(median wall, best wall, median CPU time) of ``repeat`` calls after a warm-up.

    CPU time (this process) is the steadier figure on a shared machine: it leaves out the
    time the process waits for a core.
    """
    fn()
    walls, cpus = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), min(walls), statistics.median(cpus)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--replicates", type=int, nargs="+", default=[1, 1000])
    a = ap.parse_args()
    params = BargainingParameters()
    print(
        f"bargaining_round, {N_ACTORS} actors x {N_ISSUES} issues, {a.repeat} calls: "
        "wall median (best) and CPU median"
    )
    print(f"{'R':>6} {'per call ms':>26} {'per replicate us':>28} {'per replicate-issue us':>26}")
    for R in a.replicates:
        st = state(R)
        med, best, cpu = timed(lambda st=st: bargaining_round(st, params), a.repeat)
        print(
            f"{R:>6} {med * 1e3:>9.3f} ({best * 1e3:7.3f}) {cpu * 1e3:7.3f}"
            f" {med / R * 1e6:>10.2f} ({best / R * 1e6:7.2f}) {cpu / R * 1e6:7.2f}"
            f" {med / R / N_ISSUES * 1e6:>9.2f} ({best / R / N_ISSUES * 1e6:6.2f}) {cpu / R / N_ISSUES * 1e6:6.2f}"
        )
    for R in a.replicates:
        st = state(R)
        t = time.perf_counter()
        out = run_to_convergence(st, params)
        wall = time.perf_counter() - t
        print(
            f"run_to_convergence R={R}: {wall * 1e3:.1f} ms, {out.positions.shape[0] - 1} rounds, "
            f"{int(out.converged.sum())}/{R} converged, median rounds {int(np.median(out.rounds))}"
        )


if __name__ == "__main__":
    main()
