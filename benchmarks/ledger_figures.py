"""Ledger figures of the historical scenario over many seeds (issue 10, deliverable 5).

Usage: python benchmarks/ledger_figures.py [--runs 50] [--set NAME=VALUE ...]

Prints, as JSON, over seeds 0..RUNS-1 of ``historical``: joint documents held,
phases adopted by name (adoptions, runs adopting each, the phase first adopted
in each run and the median month of that first adoption, runs in which a
phase was superseded by a later joint document), aid delivered by provider
(mean tonnes a run, from ledger.csv), US delistings, suspensions of the DPRK's
steps by cause (the ``cause`` column of decisions.csv; for a model without it,
the kinds its reason lists, prefixed ``reason:``), facility restorations, the
runs' final facility states and the runs ending with progress >= 0.5.
``--set`` overrides a parameter of the scenario (e.g. ``--set
chair_patience=14``) for sensitivity checks; it is a measurement tool, not a
calibration.  docs/model.md §3.6 reports its figures.
"""

from __future__ import annotations

import argparse
import collections
import json
import re

from sixparty.loader import load_scenario
from sixparty.runner import simulate


def figures(runs: int, overrides: dict[str, str]) -> dict:
    sc = load_scenario("historical")
    for key, value in overrides.items():
        current = getattr(sc.parameters, key)
        setattr(
            sc.parameters,
            key,
            (value.lower() == "true") if isinstance(current, bool) else type(current)(value),
        )
    counter = collections.Counter
    adoptions, adopting, first, superseded = counter(), counter(), counter(), counter()
    aid, causes, final = counter(), counter(), counter()
    first_months: list[str] = []
    documents = delistings = suspensions = restorations = progressed = 0
    for seed in range(runs):
        r = simulate(sc, seed, record_positions=False)
        held = [s for s in r.sessions if s["held"]]
        documents += sum(s["document"] == "joint_document" for s in held)
        adopted = [(s["month"], s["adopted_phase"]) for s in held if s["adopted_phase"]]
        adoptions.update(name for _, name in adopted)
        adopting.update({name for _, name in adopted})
        first[adopted[0][1] if adopted else "(none)"] += 1
        if adopted:
            first_months.append(adopted[0][0])
        superseded.update({row["phase_name"] for row in r.ledger if row.get("superseded")})
        for row in r.ledger:
            if row["kind"] == "aid":
                aid[row["party"]] += row["delivered"] / runs
        for d in r.decisions:
            if d["decision"] == "suspends_steps":
                suspensions += 1
                cause = d.get("cause")
                if cause is None:
                    m = re.search(r"overdue \(([^)]*)\)", d["reason"])
                    cause = "reason:" + (m.group(1) if m else "?")
                causes[cause or "(none)"] += 1
            delistings += d["decision"] == "delists"
            restorations += d["decision"] == "restores_facilities"
        last = r.timeline[-1]
        final.update(
            f"{k[len('facility_') :]}={v}" for k, v in last.items() if k.startswith("facility_")
        )
        progressed += last["progress"] >= 0.5
    first_months.sort()
    return {
        "runs": runs,
        "overrides": overrides,
        "joint_documents": documents,
        "adoptions_by_phase": dict(adoptions),
        "runs_adopting_phase": dict(adopting),
        "first_phase_adopted": dict(first),
        "first_adoption_median": first_months[len(first_months) // 2] if first_months else None,
        "runs_superseding_phase": dict(superseded),
        "aid_delivered_t_mean_by_provider": {k: round(v) for k, v in sorted(aid.items())},
        "delistings": delistings,
        "suspensions_of_steps": suspensions,
        "suspension_causes": dict(causes),
        "facility_restorations": restorations,
        "final_facility_states": dict(sorted(final.items())),
        "runs_final_progress_at_least_half": progressed,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = ap.parse_args()
    overrides = dict(item.split("=", 1) for item in args.set)
    print(json.dumps(figures(args.runs, overrides), indent=1))


if __name__ == "__main__":
    main()
