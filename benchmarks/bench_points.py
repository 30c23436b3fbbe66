"""Runs of different parameter points in one model (issue 13): per-run cost and a Sobol design.

Usage:
    python benchmarks/bench_points.py [--repeat 3] [--batch 256]
    python benchmarks/bench_points.py --sobol 8 --before OTHER_VENV/bin/python [--repeat 2]

First part (this checkout, in this process): the per-run CPU of one model of ``--batch``
replicates when they are ``--batch`` seeds of the default point, when they are
``--batch`` different points (rows of the Sobol sample of ``sixparty sensitivity``: the
free parameters and the judgement shifts, one seed each; ``simulate_batch(...,
variants=...)``), and when the same points run as the validation harness grouped them
before parameters were on the replicate axis (one model per point, ``--runs`` seeds
each).  Interleaved, ``--repeat`` times; CPU time of this process, medians.

Second part (``--sobol N``): the wall time of ``sixparty sensitivity historical --method
sobol --samples N`` (``--runs-per-point``, ``--jobs``) by ``--before``'s interpreter and
by this one's, alternately, ``--repeat`` times (so load from other work hits both
alike), each in a fresh process writing to a temporary folder; the two output files
(``sensitivity.csv`` and the figure's data) compared byte for byte.

The load average is printed at the start and the end.  Figures, never tests.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def cpu(fn) -> tuple[float, object]:
    t = time.process_time()
    out = fn()
    return time.process_time() - t, out


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def per_run(args) -> None:
    from sixparty.analysis.sensitivity import sample_points, work_items
    from sixparty.analysis.simulate import apply_work
    from sixparty.loader import load_scenario
    from sixparty.runner import simulate_batch

    sc = load_scenario("historical")
    facs, _, X, _ = sample_points(sc, "sobol", 64, seed=1)
    B = args.batch
    points = [apply_work(sc, work_items(x, facs, [0])[0]) for x in X[:B]]
    simulate_batch(sc, [0, 1], record_positions=False)  # warm-up
    times: dict[str, list[float]] = {}
    print(f"load average at start: {load()}  ({os.cpu_count()} CPUs)", flush=True)
    for rep in range(args.repeat):
        seeds = [rep * 10_000 + b for b in range(B)]
        dt, _ = cpu(lambda seeds=seeds: simulate_batch(sc, seeds, record_positions=False))
        times.setdefault(f"R={B}: {B} seeds of one point", []).append(dt / B)
        dt, _ = cpu(
            lambda seeds=seeds: simulate_batch(sc, seeds, record_positions=False, variants=points)
        )
        times.setdefault(f"R={B}: {B} different points", []).append(dt / B)
        n = args.runs
        k = max(1, B // n)

        def grouped(rep=rep, n=n, k=k):
            for j in range(k):
                simulate_batch(
                    points[j],
                    [rep * 10_000 + j * n + i for i in range(n)],
                    record_positions=False,
                )

        dt, _ = cpu(grouped)
        times.setdefault(f"R={n}: one point's {n} seeds a model", []).append(dt / (k * n))
    print(f"load average at end: {load()}")
    print(f"\nper-run CPU, median of {args.repeat} interleaved repeats")
    base = statistics.median(times[f"R={B}: {B} seeds of one point"])
    for name, ts in times.items():
        med = statistics.median(ts)
        print(
            f"  {name:<36} {med * 1000:7.1f} ms  ({med / base:.2f} x)  "
            f"all: {' '.join(f'{t * 1000:.1f}' for t in ts)}"
        )


def sobol(args) -> None:
    here = sys.executable
    pythons = [("before", args.before), ("after", here)]
    walls: dict[str, list[float]] = {"before": [], "after": []}
    digests: dict[str, set[str]] = {"before": set(), "after": set()}
    print(f"load average at start: {load()}", flush=True)
    for rep in range(args.repeat):
        for tag, py in pythons:
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "sens"
                cmd = [
                    py,
                    "-m",
                    "sixparty",
                    "sensitivity",
                    "historical",
                    "--method",
                    "sobol",
                    "--samples",
                    str(args.sobol),
                    "--runs-per-point",
                    str(args.runs),
                    "--jobs",
                    str(args.jobs),
                    "--out",
                    str(out),
                ]
                t = time.perf_counter()
                subprocess.run(cmd, check=True, capture_output=True, cwd=tmp)
                walls[tag].append(time.perf_counter() - t)
                h = hashlib.sha256()
                for f in sorted(out.iterdir()):
                    if f.suffix == ".csv":
                        h.update(f.name.encode() + f.read_bytes())
                digests[tag].add(h.hexdigest())
                print(f"  {rep + 1} {tag}: {walls[tag][-1]:.1f} s  (load {load()})", flush=True)
    print(f"load average at end: {load()}")
    b, a = statistics.median(walls["before"]), statistics.median(walls["after"])
    print(
        f"\nsensitivity sobol --samples {args.sobol} --runs-per-point {args.runs} "
        f"--jobs {args.jobs}: before {b:.1f} s, after {a:.1f} s (after/before {a / b:.2f}); "
        f"CSV files identical before/after: {digests['before'] == digests['after']} "
        f"({len(digests['before'] | digests['after'])} distinct)"
    )


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--batch", type=int, default=256, help="replicates per model")
    ap.add_argument("--runs", type=int, default=4, help="runs per point")
    ap.add_argument("--sobol", type=int, default=0, help="Sobol base samples N (second part)")
    ap.add_argument("--before", help="the other install's python (second part)")
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args(argv)
    if args.sobol:
        if not args.before:
            ap.error("--sobol needs --before PYTHON")
        sobol(args)
    else:
        per_run(args)


if __name__ == "__main__":
    main()
