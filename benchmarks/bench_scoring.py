"""Scoring a run against the record: the pandas scorecard vs the one on plain lists.

Usage:
    python benchmarks/bench_scoring.py [--repeat 5] [--batch 64]
    python benchmarks/bench_scoring.py --commands --before OTHER_VENV/bin/python [--repeat 3]

First part (this checkout, in this process): interleaved ``--repeat`` times, for a model
of ``--batch`` replicates of the historical scenario in anchored mode, one in free mode,
and one of ``--batch`` points of the Sobol design of ``sixparty sensitivity`` (one seed
each), the CPU per run of

* the model itself (``iter_batch``, as ``score_items`` runs it);
* scoring before: ``tests/data/reference_scorecard.py`` (the pandas scorecard as it was
  on main at d25e018): ``score_row(fast_tables(result))``;
* scoring after: ``score_row(RunRecords.from_result(result))``, what ``score_items`` does
  now;

and the null models' scores (``null_scores``: 502 runs, built and scored once a command)
before and after.  The rows are checked equal (types, floats bit for bit).

Second part (``--commands``): the wall time of ``sixparty sensitivity historical --method
sobol --samples N`` (``--sobol``, ``--runs-per-point``, ``--jobs``) and of ``sixparty run
historical --runs R --jobs J`` (the ensemble; ``--ensemble``) by ``--before``'s
interpreter and by this one's, alternately, ``--repeat`` times, each in a fresh process
writing to a temporary folder; every CSV file of the two installs compared byte for byte.

The load average is printed at the start and the end.  Figures, never tests.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REF_PATH = HERE.parent / "tests" / "data" / "reference_scorecard.py"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def cpu(fn) -> tuple[float, object]:
    t = time.process_time()
    out = fn()
    return time.process_time() - t, out


def reference():
    spec = importlib.util.spec_from_file_location("reference_scorecard", REF_PATH)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def per_run(args) -> None:
    from sixparty.analysis.nulls import null_runs
    from sixparty.analysis.scorecard import RunRecords, fed_item_ids, load_record, record_items
    from sixparty.analysis.sensitivity import sample_points, work_items
    from sixparty.analysis.simulate import apply_work, score_row
    from sixparty.analysis.validation import model_scores, null_scores, set_mode
    from sixparty.loader import load_scenario
    from sixparty.runner import iter_batch

    ref = reference()
    record = load_record()
    ids = [it["id"] for it in record_items(record)]
    base = load_scenario("historical")
    B = args.batch
    anchored, free = set_mode(base, "anchored"), set_mode(base, "free")
    facs, _, X, _ = sample_points(base, "sobol", 64, seed=1)
    points = [apply_work(base, work_items(x, facs, [0])[0]) for x in X[:B]]
    batches = {
        "historical, anchored": [anchored] * B,
        "historical, free": [free] * B,
        "Sobol points": points,
    }
    feds = {k: [fed_item_ids(record, s) for s in v] for k, v in batches.items()}
    print(f"load average at start: {load()}  ({os.cpu_count()} CPUs)", flush=True)
    results = {}
    times: dict[str, list[float]] = {}
    for rep in range(args.repeat):
        for name, scs in batches.items():
            seeds = [rep * 10_000 + b for b in range(B)]
            dt, res = cpu(
                lambda scs=scs, seeds=seeds: list(
                    iter_batch(scs[0], seeds, record_positions=False, variants=scs)
                )
            )
            times.setdefault(f"{name}: the model (R = {B})", []).append(dt / B)
            results[name] = res
            fed = feds[name]
            dt, before = cpu(
                lambda res=res, fed=fed: [
                    ref.score_row(ref.fast_tables(r), record, f)
                    for r, f in zip(res, fed, strict=True)
                ]
            )
            times.setdefault(f"{name}: scoring before (pandas)", []).append(dt / B)
            dt, after = cpu(
                lambda res=res, fed=fed: [
                    score_row(RunRecords.from_result(r), record, f)
                    for r, f in zip(res, fed, strict=True)
                ]
            )
            times.setdefault(f"{name}: scoring after (lists)", []).append(dt / B)
            assert repr(before) == repr(after), "rows differ"
        dt, _ = cpu(  # validation.null_scores as it was: the same runs, scored by pandas
            lambda: {
                n: model_scores(n, [ref.score_row(t, record) for t in runs], ids)
                for n, runs in null_runs(base, record, 500, 0).items()
            }
        )
        times.setdefault("null_scores, 502 null runs: before (s)", []).append(dt / 1000)
        dt, _ = cpu(lambda: null_scores(base, record, ids))
        times.setdefault("null_scores, 502 null runs: after (s)", []).append(dt / 1000)
    print(f"load average at end: {load()}")
    print(f"\nCPU per run (ms; the null models: s), median of {args.repeat} interleaved repeats")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"  {name:<52} {med * 1000:8.2f}   all: {' '.join(f'{t * 1000:.2f}' for t in ts)}")


def run_cli(py: str, argv: list[str], cwd: str) -> float:
    t = time.perf_counter()
    subprocess.run([py, "-m", "sixparty", *argv], check=True, capture_output=True, cwd=cwd)
    return time.perf_counter() - t


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(folder.rglob("*.csv")):
        h.update(str(f.relative_to(folder)).encode() + f.read_bytes())
    return h.hexdigest()


def commands(args) -> None:
    cmds = {
        f"sensitivity sobol --samples {args.sobol} --runs-per-point {args.runs} "
        f"--jobs {args.jobs}": [
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
        ],
        f"run historical --runs {args.ensemble} --jobs {args.ensemble_jobs}": [
            "run",
            "historical",
            "--runs",
            str(args.ensemble),
            "--jobs",
            str(args.ensemble_jobs),
            "--force",
        ],
    }
    pythons = [("before", args.before), ("after", sys.executable)]
    walls: dict[tuple[str, str], list[float]] = {}
    digests: dict[tuple[str, str], set[str]] = {}
    print(f"load average at start: {load()}", flush=True)
    for rep in range(args.repeat):
        for name, argv in cmds.items():
            for tag, py in pythons if rep % 2 == 0 else pythons[::-1]:
                with tempfile.TemporaryDirectory() as tmp:
                    out = Path(tmp) / "out"
                    wall = run_cli(py, [*argv, "--out", str(out)], tmp)
                    walls.setdefault((name, tag), []).append(wall)
                    digests.setdefault((name, tag), set()).add(digest(out))
                print(f"  {rep + 1} {tag:6} {name}: {wall:.1f} s  (load {load()})", flush=True)
    print(f"load average at end: {load()}")
    print(f"\nwall time, median of {args.repeat} (before and after alternating)")
    for name in cmds:
        b = statistics.median(walls[(name, "before")])
        a = statistics.median(walls[(name, "after")])
        same = digests[(name, "before")] == digests[(name, "after")]
        print(
            f"  {name}: before {b:.1f} s, after {a:.1f} s (after/before {a / b:.2f}); "
            f"CSV files identical: {same} "
            f"({len(digests[(name, 'before')] | digests[(name, 'after')])} distinct)"
        )


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--batch", type=int, default=64, help="runs per batch (first part)")
    ap.add_argument("--commands", action="store_true", help="second part: the commands")
    ap.add_argument("--before", help="the other install's python (second part)")
    ap.add_argument("--sobol", type=int, default=4, help="Sobol base samples N")
    ap.add_argument("--runs", type=int, default=4, help="runs per point (sensitivity)")
    ap.add_argument("--jobs", type=int, default=1, help="workers (sensitivity)")
    ap.add_argument("--ensemble", type=int, default=1000, help="runs of the ensemble")
    ap.add_argument("--ensemble-jobs", type=int, default=2, help="workers (ensemble)")
    args = ap.parse_args(argv)
    if args.commands:
        if not args.before:
            ap.error("--commands needs --before PYTHON")
        commands(args)
    else:
        per_run(args)


if __name__ == "__main__":
    main()
