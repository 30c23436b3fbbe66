"""Fidelity of the historical scenario under the strict scorecard (docs/validation.md).

Usage: python benchmarks/bench_fidelity.py [--runs 100] [--budget 100]
       [--runs-per-point 16] [--jobs 2] [--seed 0] [--train-until 2006-12]

Prints the headline figures: for the free-running mode (``anchoring: false``,
the headline) and the anchored mode, the ensemble mean log score (nats, floor
0.01), Brier score and strict hit rate of the model and of each null model,
the model's skill against each null; then a calibration on the record up to
``--train-until`` (free mode) and the held-out log score and skill of the
fitted and the default parameters against the best null on the items after
the split.  Also the date, the commit and the wall time of each part.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import time
from pathlib import Path


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(Path(__file__).resolve().parents[1]), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=100, help="runs per mode in the ensembles")
    ap.add_argument("--budget", type=int, default=100, help="calibration trials (0: skip)")
    ap.add_argument("--runs-per-point", type=int, default=16, help="runs per calibration trial")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--train-until", default="2006-12")
    a = ap.parse_args()

    from sixparty.analysis.calibrate import fit, held_out
    from sixparty.analysis.nulls import NULL_MODELS
    from sixparty.analysis.scorecard import load_record
    from sixparty.analysis.validation import evaluate, set_mode
    from sixparty.loader import find_scenario, load_scenario

    base = load_scenario(find_scenario("historical"))
    record = load_record()
    print(
        f"bench_fidelity: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, commit {_commit()}, "
        f"{a.runs} runs per mode, seed {a.seed}, jobs {a.jobs}"
    )
    for mode in ("free", "anchored"):
        t = time.perf_counter()
        ev = evaluate(set_mode(base, mode), runs=a.runs, seed=a.seed, jobs=a.jobs, record=record)
        m = ev["model"]
        print(
            f"\n{mode} mode ({time.perf_counter() - t:.0f} s): {m.totals['items']} items"
            + (f", {len(ev['fed'])} fed" if ev["fed"] else "")
        )
        print(
            f"  {'':18} {'log score':>9} {'Brier':>6} {'hit rate':>8}   skill vs this null "
            "(log / Brier / hit rate)"
        )
        ci = m.ci
        print(
            f"  {'model':18} {m.totals['log_score']:9.3f} {m.totals['brier']:6.3f} "
            f"{m.totals['hit_rate']:8.3f}   90% CI log [{ci['log_score'][0]:.3f}, "
            f"{ci['log_score'][1]:.3f}], hit rate [{ci['hit_rate'][0]:.3f}, {ci['hit_rate'][1]:.3f}]"
        )
        for n in NULL_MODELS:
            tot, s = ev["nulls"][n].totals, ev["skill"][n]
            print(
                f"  {n:18} {tot['log_score']:9.3f} {tot['brier']:6.3f} {tot['hit_rate']:8.3f}   "
                f"{s['log_score']:+.3f} / {s['brier']:+.3f} / {s['hit_rate']:+.3f}"
            )
        hits = sorted(i for i, p in m.p.items() if p == p and p >= 0.5)
        print(f"  items the model hits in at least half the runs: {', '.join(hits) or 'none'}")
    if a.budget > 0:
        t = time.perf_counter()
        sc = set_mode(base, "free")
        res = fit(sc, record, a.train_until, a.budget, a.runs_per_point, a.seed, a.jobs)
        ho = held_out(sc, res["best"], res["test"], max(a.runs, 32), a.seed, a.jobs)
        print(
            f"\ncalibration (free mode, record up to {a.train_until}, {res['trials']} trials x "
            f"{a.runs_per_point} runs, {time.perf_counter() - t:.0f} s): training log score "
            f"{res['best_score']:.3f} fitted, {res['default_score']:.3f} defaults"
        )
        print(
            f"  held out ({ho['fitted']['items']} items): log score fitted "
            f"{ho['fitted']['log_score']:.3f}, defaults {ho['default']['log_score']:.3f}, best null "
            f"{ho['best_null']} {ho['nulls'][ho['best_null']]['log_score']:.3f}"
        )
        print(
            f"  held-out skill (log) vs {ho['best_null']}: fitted "
            f"{ho['skill_fitted']['log_score']:+.3f}, defaults {ho['skill_default']['log_score']:+.3f}"
        )
        print(
            "  fitted: "
            + ", ".join(
                f"{k}={v if isinstance(v, int) else round(v, 3)}"
                for k, v in sorted(res["best"].items())
            )
        )


if __name__ == "__main__":
    main()
