"""CPU a run of one batched model, two installs alternating in fresh processes (issue 13).

Usage:
    python benchmarks/bench_batch.py --before OTHER_VENV/bin/python [--repeat 5] [--batch 256]
    python benchmarks/bench_batch.py --before OTHER_VENV/bin/python --valgrind [--batch 256]

Each measurement is a fresh interpreter that loads the historical scenario, runs a
warm-up batch of 16 seeds (imports, first-call costs) and then
``simulate_batch(historical, range(--batch))`` in ``--mode`` (free, anchored or
both): the CPU (user + system, ``resource.getrusage``) of the measured batch divided
by its runs.  The two installs alternate (before, after, before, ...) ``--repeat``
times, so load from other work hits both alike; the load average is printed at the
start and the end; the figures are medians, with the median of the paired ratios.

``--valgrind``: instead, each install once per mode under ``valgrind --tool=cachegrind
--cache-sim=no`` (instructions, load-independent), with the measured batch and
without it (the warm-up alone); the difference divided by the runs is the
instructions a run.  Figures, never tests.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

CHILD = r"""
import resource, sys
from sixparty import load_scenario
from sixparty.runner import simulate_batch
mode, batch = sys.argv[1], int(sys.argv[2])
sc = load_scenario("historical")
sc.parameters.anchoring = mode == "anchored"
simulate_batch(sc, list(range(16)))
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime
t = cpu()
if batch:
    simulate_batch(sc, list(range(batch)))
print(f"{(cpu() - t) / max(batch, 1) * 1e3:.4f}")
"""


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def child(python: str, mode: str, batch: int) -> float:
    env = dict(os.environ, MPLBACKEND="Agg")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    out = subprocess.run(
        [python, "-c", CHILD, mode, str(batch)], capture_output=True, text=True, env=env, check=True
    )
    return float(out.stdout.split()[-1])


def instructions(python: str, mode: str, batch: int) -> int:
    """Instructions of one fresh process under cachegrind (all threads)."""
    env = dict(os.environ, MPLBACKEND="Agg")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cg.out")
        res = subprocess.run(
            [
                "valgrind",
                "--tool=cachegrind",
                "--cache-sim=no",
                f"--cachegrind-out-file={out}",
                python,
                "-c",
                CHILD,
                mode,
                str(batch),
            ],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        m = re.search(r"I\s+refs:\s+([\d,]+)", res.stderr)
        return int(m.group(1).replace(",", ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", required=True, help="the other install's python")
    ap.add_argument("--after", default=sys.executable, help="this install's python (default)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--batch", type=int, default=256, help="replicates in the measured model")
    ap.add_argument("--mode", choices=("free", "anchored", "both"), default="both")
    ap.add_argument("--valgrind", action="store_true", help="instruction counts instead")
    args = ap.parse_args()
    modes = ("free", "anchored") if args.mode == "both" else (args.mode,)
    print(f"load average at start: {load()}  ({os.cpu_count()} CPUs)", flush=True)
    for mode in modes:
        if args.valgrind:
            got = {}
            for name, py in (("before", args.before), ("after", args.after)):
                full = instructions(py, mode, args.batch)
                base = instructions(py, mode, 0)
                got[name] = (full - base) / args.batch
                print(f"{mode} {name}: {got[name] / 1e6:.2f} M instructions a run", flush=True)
            print(f"{mode} after / before: {got['after'] / got['before']:.3f}", flush=True)
            continue
        times: dict[str, list[float]] = {"before": [], "after": []}
        for _ in range(args.repeat):
            for name, py in (("before", args.before), ("after", args.after)):
                times[name].append(child(py, mode, args.batch))
        b, a = statistics.median(times["before"]), statistics.median(times["after"])
        ratios = [y / x for x, y in zip(times["before"], times["after"], strict=True)]
        for name in ("before", "after"):
            print(f"{mode} {name}: " + " ".join(f"{x:.2f}" for x in times[name]) + " ms a run")
        print(
            f"{mode}: median {b:.2f} -> {a:.2f} ms a run ({a / b:.3f}; "
            f"median paired ratio {statistics.median(ratios):.3f})",
            flush=True,
        )
    print(f"load average at end: {load()}", flush=True)


if __name__ == "__main__":
    main()
