"""The DPRK's decisions, adoption and renegotiation over many seeds (docs/model.md §3.10).

Usage: python benchmarks/decision_figures.py [--runs 50] [--mode free|anchored]
       [--set NAME=VALUE ...]

Prints, over seeds 0..RUNS-1 of ``historical`` in the given mode: held sessions
and the share ending in a declared deadlock; the median month of the first
joint statement (or document) and of the first joint document; which phase the
first adopting joint document adopted; adoptions by phase; renegotiations of a
phase in force a run; suspensions of the DPRK's steps a run; runs with a
walk-out (median month, how many in 2009); runs with a nuclear test, nuclear and
missile tests a run.  ``--set`` sets a parameter for every run (repeatable; a
structural switch or variant, as in ``bench_fidelity.py``).  A measurement
tool, not a calibration.
"""

from __future__ import annotations

import argparse
import collections

import numpy as np
from sixparty.analysis.validation import set_mode
from sixparty.loader import find_scenario, load_scenario
from sixparty.model import TalksModel
from sixparty.scenario import month_label


def main(runs: int, mode: str, parameters: dict | None = None) -> None:
    sc = load_scenario(find_scenario("historical"))
    if parameters:
        from sixparty.api import variant

        sc = variant(sc, parameters=parameters)
    sc = set_mode(sc, mode)
    N = runs
    first = collections.Counter()
    ren = []
    adopted = collections.Counter()
    walks = []
    nucs = []
    miss = []
    dead = 0
    held = 0
    fjs = []
    fjd = []
    sus = []
    ret = []
    for seed in range(runs):
        m = TalksModel(sc, seed=seed, record_positions=False)
        m.run()
        a = [s for s in m.sessions if s.adopted_phase]
        first[a[0].adopted_phase if a else "none"] += 1
        for s in a:
            adopted[s.adopted_phase] += 1
        ren.append(
            sum(1 for s in m.sessions if any(c.code == "phase_renegotiated" for c in s.reasons))
        )
        w = [d[0] for d in m.decisions if d[2] == "walks_out"]
        walks.append(w[0] if w else None)
        n = [d[0] for d in m.decisions if d[2] == "nuclear_test"]
        nucs.append(len(n))
        miss.append(sum(d[2] == "missile_test" for d in m.decisions))
        held += sum(s.held for s in m.sessions)
        dead += sum(s.held and s.ending == "deadlock" for s in m.sessions)
        j = [s.month for s in m.sessions if s.document in ("joint_statement", "joint_document")]
        if j:
            fjs.append(j[0])
        jd = [s.month for s in m.sessions if s.document == "joint_document"]
        if jd:
            fjd.append(jd[0])
        sus.append(sum(d[2] == "suspends_steps" for d in m.decisions))
        ret.append(sum(d[2] == "returns" for d in m.decisions))

    def med(xs):
        return month_label(int(np.median(xs))) if xs else "never"

    wm = [x for x in walks if x is not None]
    print(f"{mode} {N} runs: held sessions {held}, deadlock share {dead / held:.0%}")
    print(
        f"first joint statement median {med(fjs)} ({len(fjs)} runs); first joint document median {med(fjd)} ({len(fjd)} runs)"
    )
    print(
        f"phase adopted first {dict(first)}; adoptions {dict(adopted)}; renegotiations/run {np.mean(ren):.2f}; step suspensions/run {np.mean(sus):.2f}; returns/run {np.mean(ret):.2f}"
    )
    print(
        f"runs with a walk-out {len(wm)}/{N} (median month {med(wm)}; in 2009: {sum(1 for x in wm if month_label(x).startswith('2009'))}); runs with a nuclear test {sum(1 for x in nucs if x)}/{N} (mean {np.mean(nucs):.2f} a run); missile tests/run {np.mean(miss):.2f}"
    )


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--mode", choices=("free", "anchored"), default="free")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    a = ap.parse_args()
    bad = [kv for kv in a.set if "=" not in kv]
    if bad:
        ap.error(f"--set takes NAME=VALUE, not {bad[0]!r}")
    import yaml

    main(a.runs, a.mode, {k: yaml.safe_load(v) for k, v in (kv.split("=", 1) for kv in a.set)})
