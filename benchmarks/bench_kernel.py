"""The model's per-run cost against the plain numpy kernel of its monthly update (issue 13).

Usage: python benchmarks/bench_kernel.py [--repeat 5] [--sizes 1 100 1000] [--reference]

One interleaved loop, ``--repeat`` times: one historical run in this process
(:func:`sixparty.runner.simulate`, positions not recorded, as ensembles run it; a new
seed each time), then the kernel of ``benchmarks/numpy_kernel.py`` batched at each R of
``--sizes`` (one batch of R replicates, cost divided by R).  With ``--reference`` the
historical run is also timed with the expected-utility core as it was before the
small-batch speed-ups (``tests/data/reference_bargaining.py``, patched in), so the
speed-up of one run is read side by side.  CPU time of this process
(``time.process_time``), medians; the load average at the start and the end.

The issue's target: the model's per-run cost at most 3 times the kernel's.  Also printed:
sessions and bargaining rounds per run of both, so that the reader can check the two do
comparable work.  Figures, never tests.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import numpy_kernel as nk  # noqa: E402


def cpu(fn) -> tuple[float, object]:
    t = time.process_time()
    out = fn()
    return time.process_time() - t, out


def reference_core():
    """The pre-speed-up expected-utility core (tests/data/reference_bargaining.py)."""
    path = HERE.parent / "tests" / "data" / "reference_bargaining.py"
    spec = importlib.util.spec_from_file_location("reference_bargaining", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 100, 1000])
    ap.add_argument(
        "--batches",
        type=int,
        nargs="+",
        default=[256, 1000],
        help="replicates per model for the batched model rows (simulate_batch)",
    )
    ap.add_argument("--reference", action="store_true", help="also time the previous core")
    args = ap.parse_args(argv)

    import sixparty.model
    import sixparty.parties
    from sixparty.loader import load_scenario
    from sixparty.runner import simulate, simulate_batch

    scenario = load_scenario("historical")
    init = nk.initial_state(scenario)
    ref = reference_core() if args.reference else None
    # where the model's modules hold the core's functions (patched for --reference)
    slots = [(sixparty.model, "bargaining_round"), (sixparty.parties, "weighted_median")]
    slots += (
        [(sixparty.model, "weighted_median")] if hasattr(sixparty.model, "weighted_median") else []
    )
    fast = [getattr(mod, name) for mod, name in slots]

    def model_run(seed, core=None):
        if core is not None:
            for mod, name in slots:
                setattr(mod, name, getattr(core, name))
        try:
            return simulate(scenario, seed=seed, record_positions=False)
        finally:
            for (mod, name), fn in zip(slots, fast, strict=True):
                setattr(mod, name, fn)

    def work(result):
        held = [s for s in result.sessions if s.get("held")]
        return len(held), sum(int(s.get("iterations") or 0) for s in held)

    # warm-up: imports, caches, first-call costs
    model_run(0)
    if ref is not None:
        model_run(0, ref)
    nk.run_batch(init, 1, seed=0)

    load0 = os.getloadavg()
    times: dict[str, list[float]] = {}
    counts: dict[str, list[tuple[float, float]]] = {}
    for rep in range(args.repeat):
        seed = 1000 + rep
        dt, res = cpu(lambda seed=seed: model_run(seed))
        times.setdefault("model", []).append(dt)
        counts.setdefault("model", []).append(work(res))
        if ref is not None:
            dt, _ = cpu(lambda seed=seed: model_run(seed, ref))
            times.setdefault("model, previous core", []).append(dt)
        for B in args.batches:
            seeds = [seed * 100_000 + b for b in range(B)]
            dt, runs = cpu(
                lambda seeds=seeds: simulate_batch(scenario, seeds, record_positions=False)
            )
            key = f"model batched R={B}"
            times.setdefault(key, []).append(dt / B)
            counts.setdefault(key, []).append(
                (
                    statistics.mean(work(r)[0] for r in runs),
                    statistics.mean(work(r)[1] for r in runs),
                )
            )
        for R in args.sizes:
            dt, out = cpu(lambda R=R, seed=seed: nk.run_batch(init, R, seed=seed))
            key = f"kernel R={R}"
            times.setdefault(key, []).append(dt / R)
            counts.setdefault(key, []).append((out["sessions"] / R, out["rounds"] / R))
    load1 = os.getloadavg()

    print(
        f"\nper-run CPU, median of {args.repeat} interleaved repeats "
        f"(load average at start {' '.join(f'{x:.1f}' for x in load0)}, "
        f"at end {' '.join(f'{x:.1f}' for x in load1)}; {os.cpu_count()} CPUs)"
    )
    model = statistics.median(times["model"])
    print(
        f"{'workload':<24} {'CPU ms/run':>11} {'model / it':>11}  "
        f"{'sessions/run':>12} {'rounds/run':>10}  all (ms)"
    )
    for key, ts in times.items():
        med = statistics.median(ts)
        ratio = model / med
        c = counts.get(key)
        if c is None:
            sess = f"{'':12} {'':10}"
        else:
            sess = (
                f"{statistics.mean(x for x, _ in c):12.1f} {statistics.mean(y for _, y in c):10.1f}"
            )
        print(
            f"{key:<24} {med * 1e3:11.2f} {ratio:11.2f}  {sess}  "
            + " ".join(f"{t * 1e3:.1f}" for t in ts)
        )
    big = max(args.sizes)
    for B in args.batches:
        k = f"model batched R={B}"
        print(
            f"{k} / kernel R={big}: "
            f"{statistics.median(times[k]) / statistics.median(times[f'kernel R={big}']):.2f}"
        )
    print(
        "target (issue 13): model / kernel <= 3 at the batched R; rounds are "
        "expected-utility rounds (drafts) summed over held sessions"
    )


if __name__ == "__main__":
    main()
