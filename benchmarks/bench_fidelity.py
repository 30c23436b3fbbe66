"""Fidelity of the historical scenario under the strict scorecard (docs/validation.md).

Usage: python benchmarks/bench_fidelity.py [--runs 100] [--budget 100]
       [--runs-per-point 16] [--jobs 2] [--seed 0] [--train-until 2006-12]
       [--prior 200] [--set NAME=VALUE ...]

Prints the headline figures: for the free-running mode (``anchoring: false``,
the headline) and the anchored mode, the ensemble mean log score (nats, floor
0.01), Brier score and strict hit rate of the model and of each null model,
the model's skill against each null; then a calibration on the record up to
``--train-until`` (free mode) and the held-out log score and skill of the
fitted and the default parameters against the best null on the items after
the split.  Also the date, the commit and the wall time of each part.

Each mode's figures are also split at ``--train-until`` (no calibration: the
default parameters on the items up to the split and after it, against the null
models built on each part, as the calibration's held-out comparison builds
them).  ``--prior N`` adds the free mode's *prior predictive*: N runs, each at
its own parameter point drawn uniformly from the calibration's search box
(every free parameter, :func:`sixparty.analysis.calibrate.free_parameter_table`),
scored on the whole record and on both parts: whether the model's structure,
with its parameters uncertain within the box, forecasts better than its
default point (nothing is fitted).
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import time
from pathlib import Path

import numpy as np

#: The log score's probability floor (sixparty.analysis.validation.LOG_FLOOR).
LOG_FLOOR = 0.01


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


def stated_positions(base, a) -> None:
    """Free runs' positions against the later stated positions they never read
    (:mod:`sixparty.analysis.stated`), with the two nulls."""
    from sixparty.analysis.ensemble import derive_seeds
    from sixparty.analysis.stated import position_errors
    from sixparty.analysis.validation import set_mode
    from sixparty.runner import simulate_batch

    t = time.perf_counter()
    sc = set_mode(base, "free")
    runs = simulate_batch(sc, derive_seeds(a.seed, a.runs))
    pe = position_errors(sc, runs[0].months, np.stack([r.positions for r in runs]), a.seed)
    lo, hi = pe["model_ci"]
    print(
        f"\nstated positions free mode never reads ({pe['n']} party-issue statements, "
        f"{a.runs} runs, {time.perf_counter() - t:.0f} s): mean |error| model "
        f"{pe['model']:.3f} [90% CI {lo:.3f}, {hi:.3f}]; nulls: carried (nothing moves) "
        f"{pe['carried']:.3f}, last stated (persistence) {pe['last_stated']:.3f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=100, help="runs per mode in the ensembles")
    ap.add_argument("--budget", type=int, default=100, help="calibration trials (0: skip)")
    ap.add_argument("--runs-per-point", type=int, default=16, help="runs per calibration trial")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--train-until", default="2006-12")
    ap.add_argument(
        "--prior", type=int, default=0, help="runs of the prior predictive, free mode (0: skip)"
    )
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter of the historical scenario set for every ensemble (repeatable; "
        "YAML value), to measure a structural switch or variant",
    )
    a = ap.parse_args()

    from sixparty.analysis.calibrate import fit, held_out, split_record
    from sixparty.analysis.nulls import NULL_MODELS
    from sixparty.analysis.scorecard import load_record, record_items
    from sixparty.analysis.validation import evaluate, null_scores, set_mode, subset
    from sixparty.loader import find_scenario, load_scenario

    base = load_scenario(find_scenario("historical"))
    if a.set:
        import yaml
        from sixparty.api import variant
        from sixparty.loader import ScenarioError

        bad = [kv for kv in a.set if "=" not in kv]
        if bad:
            ap.error(f"--set takes NAME=VALUE, not {bad[0]!r}")
        sets = dict(kv.split("=", 1) for kv in a.set)
        try:
            base = variant(base, parameters={k: yaml.safe_load(v) for k, v in sets.items()})
        except (ScenarioError, yaml.YAMLError) as exc:
            ap.error(f"--set: {exc}")
    record = load_record()
    parts = dict(zip(("training", "held out"), split_record(record, a.train_until), strict=True))
    part_ids = {k: [it["id"] for it in record_items(r)] for k, r in parts.items()}
    part_nulls = {k: null_scores(base, r, part_ids[k]) for k, r in parts.items()}

    def split_lines(p: dict[str, float]) -> None:
        """The model's totals on each part (its item probabilities ``p``) and the nulls'."""
        for k, ids in part_ids.items():
            got = [x for i in ids if (x := p.get(i)) is not None and x == x]
            ps = np.array(got)
            ls = float(np.mean(-np.log(np.maximum(ps, LOG_FLOOR))))
            br = float(np.mean((1.0 - ps) ** 2))
            nulls = "; ".join(
                f"{n} {subset(ms, ids)['log_score']:.3f}/{subset(ms, ids)['brier']:.3f}"
                for n, ms in part_nulls[k].items()
            )
            print(
                f"  {k} ({'<=' if k == 'training' else '>'} {a.train_until}, {len(got)} items): "
                f"model log {ls:.3f} Brier {br:.3f} hit {ps.mean():.3f}; nulls log/Brier: {nulls}"
            )

    print(
        f"bench_fidelity: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, commit {_commit()}, "
        f"{a.runs} runs per mode, seed {a.seed}, jobs {a.jobs}"
        + (f", parameters {', '.join(a.set)}" if a.set else "")
    )
    for mode in ("free", "anchored"):
        t = time.perf_counter()
        ev = evaluate(base, runs=a.runs, seed=a.seed, jobs=a.jobs, record=record, mode=mode)
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
        split_lines(m.p)
    stated_positions(base, a)
    if a.prior > 0:
        t = time.perf_counter()
        prior_predictive(base, record, a, split_lines)
        print(f"  ({time.perf_counter() - t:.0f} s)")
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


def prior_predictive(base, record, a, split_lines) -> None:
    """Free mode, ``a.prior`` runs, run n at its own point drawn uniformly from the
    calibration's search box (seeded by ``a.seed``), seeds not the ensembles'."""
    from sixparty.analysis.calibrate import free_parameter_table, ordered
    from sixparty.analysis.scorecard import record_items
    from sixparty.analysis.simulate import RunPool, WorkItem
    from sixparty.analysis.validation import bootstrap_totals, hit_matrix, set_mode, totals

    sc = set_mode(base, "free")
    table = free_parameter_table(sc)
    rng = np.random.default_rng([a.seed, 2])
    items = []
    for n in range(a.prior):
        pt = {}
        for p in table:
            v = rng.uniform(float(p["low"]), float(p["high"]))
            pt[p["name"]] = int(round(v)) if p["integer"] else v
        items.append(WorkItem(10_000 + a.seed * 100_000 + n, tuple(sorted(ordered(pt).items()))))
    ids = [it["id"] for it in record_items(record)]
    with RunPool(sc, record, a.jobs) as pool:
        rows = pool.map(items)
    H = hit_matrix(rows, ids)
    tot, ci = totals(H), bootstrap_totals(H, a.seed)
    print(
        f"\nprior predictive (free mode, {a.prior} runs, each at its own point of the "
        f"calibration's search box, {len(table)} parameters): log {tot['log_score']:.3f} "
        f"[90% CI {ci['log_score'][0]:.3f}, {ci['log_score'][1]:.3f}], Brier {tot['brier']:.3f}, "
        f"hit rate {tot['hit_rate']:.3f}"
    )
    split_lines({i: float(np.nanmean(H[:, j])) for j, i in enumerate(ids)})


if __name__ == "__main__":
    main()
