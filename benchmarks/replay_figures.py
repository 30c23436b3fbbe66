"""Replay figures of the historical scenario over many seeds (issue 10 measurements).

Usage: python benchmarks/replay_figures.py [--runs 50] [--set NAME=VALUE ...]

Prints, as JSON, over seeds 0..RUNS-1 of ``historical``: the share of runs with a
DPRK walk-out in April 2009 (and at any time), with a nuclear test, the mean
numbers of missile and nuclear tests, the median month of the first joint
statement (or joint document), the share of held sessions that ended in a
declared deadlock, mean drafts per held session, documents by type (per run),
the expected-utility offers taken per held session (conflict, compromise,
capitulation; sessions.csv), phases adopted per run, renegotiated phases per run,
the share of runs with a US delisting, and the mean replay scorecard (hits /
scored items, ``analysis/scorecard.py``).  ``--set`` overrides a parameter of
the scenario (e.g. ``--set chair_patience=8``) for sensitivity checks; it is a
measurement tool, not a calibration.
"""

from __future__ import annotations

import argparse
import json
import statistics

from sixparty.analysis.runfiles import tables_from_result
from sixparty.analysis.scorecard import load_record, score_run
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
    record = load_record()
    walk_apr09 = walk_any = nuclear_runs = delisted = 0
    nuclear, missile, first, scores, renegotiated, first_jd = [], [], [], [], [], []
    held = deadlocks = drafts = 0
    documents = {
        d: 0
        for d in (
            "none",
            "oral_summary",
            "chairmans_statement",
            "joint_statement",
            "joint_document",
        )
    }
    offers = {"conflicts": 0, "compromises": 0, "capitulations": 0}
    adopted = []
    for seed in range(runs):
        r = simulate(sc, seed)
        dec = r.decisions
        walk_apr09 += any(d["decision"] == "walks_out" and d["month"] == "2009-04" for d in dec)
        walk_any += any(d["decision"] == "walks_out" for d in dec)
        n = sum(d["decision"] == "nuclear_test" for d in dec)
        nuclear.append(n)
        nuclear_runs += n > 0
        missile.append(sum(d["decision"] == "missile_test" for d in dec))
        delisted += any(d["decision"] == "delists" for d in dec)
        docs = [
            s["month"]
            for s in r.sessions
            if s["held"] and s["document"] in ("joint_statement", "joint_document")
        ]
        first.append(docs[0] if docs else None)
        jd = [s["month"] for s in r.sessions if s["held"] and s["document"] == "joint_document"]
        first_jd.append(jd[0] if jd else None)
        renegotiated.append(sum("renegotiated" in s["notes"] for s in r.sessions))
        adopted.append(sum(bool(s["adopted_phase"]) for s in r.sessions))
        for s in r.sessions:
            if s["held"]:
                held += 1
                drafts += s["iterations"]
                deadlocks += s.get("ending") == "deadlock"
                documents[s["document"]] += 1
                for k in offers:
                    offers[k] += s.get(k, 0)
        items = [it for it in score_run(tables_from_result(r), record) if it.scored]
        scores.append(sum(1 for it in items if it.hit) / len(items))
    months = sorted(m for m in first if m is not None)
    jd_months = sorted(m for m in first_jd if m is not None)
    return {
        "runs": runs,
        "overrides": overrides,
        "walkout_2009_04_share": walk_apr09 / runs,
        "walkout_any_share": walk_any / runs,
        "nuclear_test_run_share": nuclear_runs / runs,
        "nuclear_tests_mean": statistics.mean(nuclear),
        "missile_tests_mean": statistics.mean(missile),
        "first_joint_statement_median": months[len(months) // 2] if months else None,
        "runs_without_joint_statement": first.count(None),
        "first_joint_document_median": jd_months[len(jd_months) // 2] if jd_months else None,
        "runs_without_joint_document": first_jd.count(None),
        "held_sessions": held,
        "deadlock_share": deadlocks / held if held else None,
        "drafts_per_held_session": drafts / held if held else None,
        "documents_per_run": {d: n / runs for d, n in documents.items()},
        "offers_per_held_session": {k: n / held if held else None for k, n in offers.items()},
        "phases_adopted_per_run": statistics.mean(adopted),
        "renegotiations_per_run": statistics.mean(renegotiated),
        "delisting_run_share": delisted / runs,
        "scorecard_mean": statistics.mean(scores),
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
