"""The scorecard on plain lists scores every run exactly as the pandas scorecard did.

``tests/data/reference_scorecard.py`` is ``analysis/scorecard.py`` (and ``fast_tables``,
``outcomes``, ``score_row`` of ``analysis/simulate.py``) as they were before the
scorecard read a run's rows as lists (:class:`RunRecords`) instead of DataFrames.
These tests compare the two item by item with strict equality (same types; floats bit
for bit; same item order; the same ``scorecard.csv`` text):

* runs of the model: the historical scenario in anchored and free mode, several seeds;
  points of a Sobol design (parameters and judgement shifts); two counterfactuals;
  scored from the run's rows (the validation harness's road) and from its tables;
* constructed runs, drawn at random around the record's dates so that every rule hits
  and misses (delisting and the start of disablement, which the model rarely shows,
  included), with sessions out of order, windows that cut record items, many DPRK
  steps a phase (numpy's pairwise sums), run folders without a ``cause`` column;
* the null models' runs.
"""

from __future__ import annotations

import importlib.util
import math
import struct
import sys
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from sixparty.analysis import scorecard as sc
from sixparty.analysis.runfiles import month_label, month_number, tables_from_result
from sixparty.analysis.scorecard import RunRecords, fed_item_ids, load_record
from sixparty.analysis.simulate import apply_work, score_row
from sixparty.analysis.validation import set_mode
from sixparty.loader import find_scenario, load_scenario
from sixparty.runner import iter_batch
from sixparty.scenario import DOCUMENT_TYPES, PARTIES

REF_PATH = Path(__file__).parent / "data" / "reference_scorecard.py"


@pytest.fixture(scope="module")
def ref():
    spec = importlib.util.spec_from_file_location("reference_scorecard", REF_PATH)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    try:
        spec.loader.exec_module(mod)
    finally:
        del sys.modules[spec.name]
    return mod


@pytest.fixture(scope="module")
def record():
    return load_record()


def same(a, b) -> bool:
    """Equal values of the same types; floats bit for bit (NaN equal to NaN); dict keys
    in the same order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return struct.pack("<d", a) == struct.pack("<d", b)
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def items_of(mod, items) -> list[dict]:
    return [{"type": type(it).__name__, **asdict(it)} for it in items]


def check_run(ref, record, result, fed=None) -> dict:
    """The reference's items and row of ``result`` against the fast road's (from its rows)
    and the new code's on the same DataFrames; returns the reference's row."""
    tables = ref.fast_tables(result)
    want_items = ref.score_run(tables, record, fed=fed)
    want = {  # ref.score_row, without scoring twice
        "hit": {it.id: it.hit for it in want_items},
        "category": {it.id: it.category for it in want_items},
        "near": {it.id: it.near for it in want_items},
        "fed": sorted(it.id for it in want_items if it.fed),
        "outcomes": ref.outcomes(tables),
    }
    assert same(score_row(RunRecords.from_result(result), record, fed), want)
    assert same(score_row(tables, record, fed), want)
    for run in (RunRecords.from_result(result), tables):
        got_items = sc.score_run(run, record, fed=fed)
        assert same(items_of(sc, got_items), items_of(ref, want_items))
        assert sc.scorecard_csv(got_items) == ref.scorecard_csv(want_items)
        assert sc.report_lines(got_items) == ref.report_lines(want_items)
    return want


# ------------------------------------------------------------------ model runs
@pytest.mark.parametrize("mode", ["anchored", "free"])
def test_model_runs_score_as_before_in_both_modes(ref, record, mode):
    scenario = set_mode(load_scenario("historical"), mode)
    fed = fed_item_ids(record, scenario)
    assert bool(fed) == (mode == "anchored")
    results = list(iter_batch(scenario, [0, 1, 2, 7, 11, 23], record_positions=False))
    for result in results:
        check_run(ref, record, result, fed)
    # the files' road too (CSV text parsed back), on one run
    tables = tables_from_result(results[0])
    assert same(
        items_of(sc, sc.score_run(tables, record, fed=fed)),
        items_of(ref, ref.score_run(tables, record, fed=fed)),
    )
    assert same(score_row(tables, record, fed), ref.score_row(tables, record, fed))


def test_sobol_points_and_counterfactuals_score_as_before(ref, record):
    from sixparty.analysis.sensitivity import sample_points, work_items

    base = load_scenario("historical")
    facs, _, X, _ = sample_points(base, "sobol", 4, seed=1)
    # rows of the design where the runs walk out, test, suspend steps, declare
    points = [apply_work(base, work_items(x, facs, [0])[0]) for x in X[129:145]]
    rows = [
        check_run(ref, record, r, fed_item_ids(record, p))
        for r, p in zip(
            iter_batch(base, [0] * len(points), record_positions=False, variants=points),
            points,
            strict=True,
        )
    ]
    assert any(r["outcomes"]["walkout"] for r in rows)
    assert any(not math.isnan(r["outcomes"]["first_joint_statement"]) for r in rows)
    for name in ("verification_in_10_3", "lwr_at_round4"):
        scen = load_scenario(find_scenario(name))
        for r in iter_batch(scen, [3, 5], record_positions=False):
            check_run(ref, record, r, fed_item_ids(record, scen))


def test_null_runs_score_as_before(ref, record):
    from sixparty.analysis.nulls import null_runs

    for scenario in (load_scenario("historical"), load_scenario(find_scenario("lwr_at_round4"))):
        tables = null_runs(scenario, record, draws=12, seed=4)
        records = null_runs(scenario, record, draws=12, seed=4, records=True)
        assert list(tables) == list(records)
        for name in tables:
            for t, rr in zip(tables[name], records[name], strict=True):
                assert isinstance(rr, RunRecords)
                want = ref.score_row(t, record)
                assert same(score_row(t, record), want), name
                assert same(score_row(rr, record), want), name
                assert same(
                    items_of(sc, sc.score_run(rr, record)),
                    items_of(ref, ref.score_run(t, record)),
                )


# ------------------------------------------------------------- constructed runs
PHASES = ("initial_actions", "second_phase_actions", "abandonment_and_verification")
DPRK_STEPS = (
    "shut_down_and_seal_yongbyon; readmit_iaea_monitors",
    "disable_yongbyon_facilities",
    "complete_and_correct_declaration",
    "abandon_nuclear_programmes",
)
#: Each phase's own DPRK steps (a constructed phase mostly names its own, as a scenario's)
PHASE_STEPS = (
    DPRK_STEPS[0],
    "disable_yongbyon_facilities; complete_and_correct_declaration",
    "verification_of_declaration; abandon_nuclear_programmes",
)
#: The constructed runs' scenario: the phase that carries the declaration, and its tranche
CONSTRUCTED = SimpleNamespace(
    name="constructed",
    phases=[
        SimpleNamespace(
            name=n,
            declaration_tranche=2 if n == PHASES[1] else None,
            # the second phase disables (as the historical scenario's facility_steps)
            facility_steps=[SimpleNamespace(to="disabled")] if n == PHASES[1] else [],
        )
        for n in PHASES
    ],
)
FACILITIES = ("facility_yongbyon_5mwe_reactor", "facility_reprocessing_plant")


def random_run(rng: np.random.Generator, record: dict):
    """A run as a ``RunResult``'s rows (timeline, sessions, ledger, decisions), drawn so
    that its sessions and episodes often fall near the record's (dates, documents,
    phases, causes) and often do not."""
    episodes: dict[str, list[int]] = {}
    for e in record["episodes"]:
        episodes.setdefault(e["kind"], []).append(month_number(e["start"]))
    lo = month_number("2002-06") + int(rng.integers(0, 24))
    hi = min(month_number("2012-12"), lo + int(rng.integers(60, 130)))

    def month(near: list[int] = ()) -> str:
        if near and rng.random() < 0.7:
            m = int(rng.choice(near)) + int(rng.integers(-3, 4))
        else:
            m = int(rng.integers(lo, hi + 1))
        return month_label(min(hi, max(lo, m)))

    def flips(p: float, values: tuple[str, ...], kind: str) -> dict[int, str]:
        """Month number -> new value: random changes, and the value ``values[1]`` near
        the record's episodes of ``kind``."""
        out = {m: str(rng.choice(values)) for m in range(lo, hi + 1) if rng.random() < p}
        for m in episodes.get(kind, []):
            if rng.random() < 0.6:
                m0 = m + int(rng.integers(-3, 4))
                out[m0] = values[1]
                out[m0 + int(rng.integers(1, 14))] = values[0]
        return out

    status = flips(0.1, ("no_talks", "boycott", "in_session", "suspended", "walked_out"), "boycott")
    stance = flips(0.05, ("participating", "suspended", "walked_out"), "suspension")
    for m in episodes["walkout"]:
        if rng.random() < 0.3:
            stance[m + int(rng.integers(-3, 4))] = "walked_out"
    impl = flips(0.05, ("on_track", "slowed", "none"), "disablement_slowed")
    states = ("operating", "shut_down", "disabled", "dismantled")
    facs = [flips(0.02, states, "shutdown") for _ in FACILITIES]
    with_facilities = rng.random() < 0.8  # else a folder written before the columns
    timeline, progress = [], 0.0
    st, ds, im = "no_talks", "participating", "none"
    fs = ["operating"] * len(FACILITIES)
    for m in range(lo, hi + 1):
        st, ds, im = status.get(m, st), stance.get(m, ds), impl.get(m, im)
        fs = [f.get(m, v) for f, v in zip(facs, fs, strict=True)]
        if rng.random() < 0.08:
            progress = min(1.0, progress + float(rng.random()) * 0.15)
        timeline.append(
            {
                "month": month_label(m),
                "talks_status": st,
                "dprk_stance": ds,
                "implementation": im,
                "progress": progress,
                "sanctions": 0.1,
                **(dict(zip(FACILITIES, fs, strict=True)) if with_facilities else {}),
            }
        )
    n_sess = int(rng.integers(0, 25))
    ids = rng.permutation(n_sess)  # the rows out of session order
    sessions = []
    for k in range(n_sess):
        doc, phase = str(rng.choice(DOCUMENT_TYPES)), ""
        if rng.random() < 0.7:
            rec = record["sessions"][int(rng.integers(len(record["sessions"])))]
            m = month([month_number(rec["start"])])
            if rng.random() < 0.7:
                doc = str(rec.get("document", "none"))
                if rec.get("adopts_phase") and rng.random() < 0.8:
                    phase = PHASES[int(rec["adopts_phase"]) - 1]
        else:
            m = month()
        if doc == "joint_document" and not phase and rng.random() < 0.5:
            phase = str(rng.choice(PHASES))
        sessions.append(
            {
                "session_id": int(ids[k]),
                "round": int(rng.integers(1, 9)),
                "phase": 1,
                "month": m,
                "held": bool(rng.random() < 0.85),
                "document": doc,
                "adopted_phase": phase,
            }
        )
    adopts = {
        int(r["adopts_phase"]): month_number(r["start"])
        for r in record["sessions"]
        if r.get("adopts_phase")
    }
    ledger, step = [], 0
    for p in range(1, int(rng.integers(0, 4)) + 1):
        promised = month([adopts[p]] if p in adopts else [])
        for tranche in range(1, int(rng.integers(1, 4)) + 1):
            for _ in range(int(rng.integers(1, 6))):  # up to 15 DPRK steps a phase
                ledger.append(
                    {
                        "step_id": step,
                        "phase": p,
                        "phase_name": PHASES[p - 1],
                        "tranche": tranche,
                        "party": "DPRK",
                        "kind": "dprk_action",
                        "description": PHASE_STEPS[p - 1]
                        if rng.random() < 0.8
                        else str(rng.choice(DPRK_STEPS)),
                        "amount": float(rng.random()) * 0.1,
                        "unit": "progress",
                        "promised": promised,
                        "due": promised,
                        "delivered": float(rng.random()) * 0.1 if rng.random() < 0.5 else 0.0,
                        "completed": month(episodes["declaration"] + episodes["shutdown"])
                        if rng.random() < 0.5
                        else "",
                        "superseded": "",
                    }
                )
                step += 1
        for kind, party in (("aid", "ROK"), ("delisting", "US")):
            if rng.random() < 0.6:
                ledger.append(
                    {
                        "step_id": step,
                        "phase": p,
                        "phase_name": PHASES[p - 1],
                        "tranche": 1,
                        "party": party,
                        "kind": kind,
                        "description": kind,
                        "amount": 50000.0,
                        "unit": "t_HFO",
                        "promised": promised,
                        "due": promised,
                        "delivered": 0.0,
                        "completed": month(episodes["delisting"]) if rng.random() < 0.5 else "",
                        "superseded": "",
                    }
                )
                step += 1
    kinds = {
        "suspends_steps": "disablement_suspended",
        "delists": "delisting",
        "walks_out": "walkout",
        "missile_test": "missile_test",
        "nuclear_test": "nuclear_test",
        "suspends_participation": "suspension",
        "boycotts": "boycott",
    }
    causes = ("", "overdue_delisting", "overdue_aid+overdue_delisting", "overdue_aid", "other")
    decisions = []
    for _ in range(int(rng.integers(0, 14))):
        decision = str(rng.choice(list(kinds)))
        cause = str(rng.choice(causes))
        decisions.append(
            {
                "month": month(episodes[kinds[decision]]),
                "party": "DPRK" if rng.random() < 0.8 else str(rng.choice(PARTIES)),
                "decision": decision,
                "reason": f"counterpart steps overdue ({cause.replace('overdue_', '')})",
                "cause": cause,
                "reason_codes": "",
                "reason_values": "[]",
            }
        )
    return SimpleNamespace(
        timeline=timeline,
        sessions=sessions,
        ledger=ledger,
        decisions=decisions,
        scenario=CONSTRUCTED,
        seed=0,
    )


def test_constructed_runs_score_as_before_on_every_rule(ref, record):
    rng = np.random.default_rng(20261202)
    fed = {"session:round2", "walkout_2009", "delisting_2008"}
    seen: dict[str, set] = {}
    for k in range(70):
        run = random_run(rng, record)
        want = check_run(ref, record, run, fed if k % 2 else None)
        for i, h in want["hit"].items():
            seen.setdefault(i, set()).add(h)
        if k % 4:
            continue
        # a run folder written before decisions.csv had a cause column
        old = ref.fast_tables(run)
        old.decisions = old.decisions.drop(columns=["cause"])
        assert same(
            items_of(sc, sc.score_run(old, record)), items_of(ref, ref.score_run(old, record))
        )
    # not vacuous: every record item was hit and missed somewhere, some were outside
    for i, hs in seen.items():
        assert {True, False} <= hs, (i, hs)
    assert sum(None in hs for hs in seen.values()) >= 4


def test_the_disablement_phase_is_the_scenarios_not_a_word_in_a_description():
    """The disablement items read the phase whose facility steps disable a facility; a
    ledger description naming disablement does not make a phase the disablement phase,
    except in a run folder whose scenario is unknown (``disablements`` None)."""
    from sixparty import load_scenario
    from sixparty.analysis.runfiles import disablement_phases
    from sixparty.analysis.scorecard import RunRecords, _disablement_phase

    assert disablement_phases(load_scenario("historical")) == ("second_phase_actions",)
    assert disablement_phases(None) is None
    rows = [  # the first phase's step says "disable", the scenario says the second disables
        {
            "phase": 1,
            "phase_name": PHASES[0],
            "tranche": 1,
            "kind": "dprk_action",
            "description": "disable_yongbyon_facilities",
            "amount": 0.2,
            "promised": "2007-02",
            "completed": "",
            "delivered": 0.0,
        },
        {
            "phase": 2,
            "phase_name": PHASES[1],
            "tranche": 1,
            "kind": "dprk_action",
            "description": "verification_of_declaration",
            "amount": 0.3,
            "promised": "2007-10",
            "completed": "",
            "delivered": 0.0,
        },
    ]
    run = SimpleNamespace(timeline=[], sessions=[], ledger=rows, decisions=[], scenario=CONSTRUCTED)
    assert _disablement_phase(RunRecords.from_result(run))[0][0] == 2
    run.scenario = None  # unknown scenario: the description decides
    assert _disablement_phase(RunRecords.from_result(run))[0][0] == 1
