"""Strict replay scorecard: every rule on constructed runs (never the model's score)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from sixparty.analysis.runfiles import RunTables, month_label, month_number
from sixparty.analysis.scorecard import (
    FED_HEAD,
    RECORD_PATH,
    fed_item_ids,
    greedy_match,
    load_record,
    report_lines,
    score_run,
    scorecard_csv,
    scorecard_writer,
    summary_line,
)
from sixparty.scenario import PARTIES


def make_tables(
    start="2004-01",
    end="2009-12",
    sessions=(),
    status=None,
    stance=None,
    implementation=None,
    progress=None,
    decisions=(),
    ledger=(),
    facilities=None,
    declarations=None,
) -> RunTables:
    """A run built by hand.  sessions: (month, document[, held]); status, stance,
    implementation: {month or (first, last): value}; progress: {month: value} held
    from that month on; decisions: (month, party, decision); facilities: {facility:
    {month or (first, last): state}} as ``facility_<name>`` columns (operating
    elsewhere; None: no such columns, a folder written before them); declarations:
    phase name -> declaration tranche (the scenario's; None: the scenario unknown)."""
    months = [month_label(m) for m in range(month_number(start), month_number(end) + 1)]

    def fill(spec, default):
        out = {m: default for m in months}
        for key, v in (spec or {}).items():
            lo, hi = key if isinstance(key, tuple) else (key, key)
            for m in months:
                if lo <= m <= hi:
                    out[m] = v
        return [out[m] for m in months]

    prog, level = [], 0.0
    for m in months:
        level = (progress or {}).get(m, level)
        prog.append(level)
    timeline = pd.DataFrame(
        {
            "month": months,
            "talks_status": fill(status, "no_talks"),
            "dprk_stance": fill(stance, "participating"),
            "implementation": fill(implementation, "none"),
            "progress": prog,
            "aid_pledged_t": 0.0,
            "aid_delivered_t": 0.0,
            "sanctions": 0.2,
            "mean_trust": 0.4,
            "trust_dprk_us": 0.2,
            "trust_us_dprk": 0.2,
            "events": "",
        }
    )
    for name, spec in (facilities or {}).items():
        timeline[f"facility_{name}"] = fill(spec, "operating")
    srows = []
    for i, s in enumerate(sessions):
        month, doc = s[0], s[1]
        held = s[2] if len(s) > 2 else True
        adopted = s[3] if len(s) > 3 else None
        row = {
            "session_id": i,
            "round": i + 1,
            "phase": 1,
            "month": month,
            "held": held,
            "document": doc if held else "none",
            "adopted_phase": f"p{adopted}" if adopted else "",
            "adopted_phase_number": adopted,
        }
        row.update({f"utility_{p}": 0.8 for p in PARTIES})
        srows.append(row)
    sess = pd.DataFrame(
        srows,
        columns=[
            "session_id",
            "round",
            "phase",
            "month",
            "held",
            "document",
            "adopted_phase",
            "adopted_phase_number",
        ]
        + [f"utility_{p}" for p in PARTIES],
    )
    dec = pd.DataFrame(
        [tuple(d) + ("test",) * (4 - len(d)) for d in decisions],
        columns=["month", "party", "decision", "reason"],
    )
    led = pd.DataFrame(
        list(ledger),
        columns=[
            "step_id",
            "phase",
            "phase_name",
            "tranche",
            "party",
            "kind",
            "description",
            "amount",
            "unit",
            "promised",
            "due",
            "delivered",
            "completed",
        ],
    )
    empty = pd.DataFrame()
    return RunTables(
        timeline=timeline,
        positions=empty,
        trust=empty,
        sessions=sess,
        drafts=empty,
        ledger=led,
        decisions=dec,
        events=pd.DataFrame(columns=["id", "date", "month", "type", "title"]),
        scenario_name="constructed",
        seed=0,
        declarations=dict(declarations or {}),
    )


def rec_session(sid, start, end=None, document="chairmans_statement", adopts=None):
    out = {
        "id": sid,
        "label": {"en": sid},
        "start": start,
        "end": end or start,
        "document": document,
    }
    if adopts is not None:
        out["adopts_phase"] = adopts
    return out


def record(sessions=(), episodes=()):
    return {"sessions": list(sessions), "episodes": list(episodes)}


def by_id(items):
    return {it.id: it for it in items}


# ------------------------------------------------------------------ sessions
def test_a_session_is_one_item_hit_within_one_month_with_the_same_document():
    rec = record([rec_session("r2", "2004-02-25", "2004-02-28")])
    hit = by_id(score_run(make_tables(sessions=[("2004-03", "chairmans_statement")]), rec))
    assert list(hit) == ["session:r2"] and hit["session:r2"].hit
    # two months away: no longer a match (timing alone earned nothing anyway)
    item = by_id(score_run(make_tables(sessions=[("2004-04", "chairmans_statement")]), rec))[
        "session:r2"
    ]
    assert item.hit is False and item.category == "no_session"
    # the tolerance is a parameter
    assert by_id(
        score_run(
            make_tables(sessions=[("2004-04", "chairmans_statement")]),
            rec,
            tolerance={"session": 2},
        )
    )["session:r2"].hit


def test_timing_alone_earns_nothing_and_a_near_miss_is_reported_apart():
    rec = record([rec_session("r2", "2004-02-25", document="chairmans_statement")])
    item = by_id(score_run(make_tables(sessions=[("2004-02", "joint_statement")]), rec))[
        "session:r2"
    ]
    assert item.hit is False and item.near is True  # one rank away
    assert "joint statement" in item.simulated and "near miss" in item.simulated
    item = by_id(score_run(make_tables(sessions=[("2004-02", "joint_document", True, 1)]), rec))[
        "session:r2"
    ]
    assert item.hit is False and item.near is False  # two ranks away
    items = score_run(make_tables(sessions=[("2004-02", "oral_summary")]), rec)
    assert "1 near miss (document one rank away, not counted)" in summary_line(items)
    assert "0 of 1 items hit" in summary_line(items)


def test_session_spanning_two_months_counts_both():
    rec = record([rec_session("r6", "2007-09-27", "2007-10-03", "joint_document", adopts=2)])
    items = by_id(score_run(make_tables(sessions=[("2007-11", "joint_document", True, 2)]), rec))
    assert items["session:r6"].hit  # one month after the end month


def test_a_joint_document_needs_the_recorded_phase():
    rec = record([rec_session("r5", "2007-02-08", "2007-02-13", "joint_document", adopts=1)])
    ok = by_id(score_run(make_tables(sessions=[("2007-02", "joint_document", True, 1)]), rec))
    assert ok["session:r5"].hit
    bad = by_id(score_run(make_tables(sessions=[("2007-02", "joint_document", True, 2)]), rec))
    assert bad["session:r5"].hit is False and not bad["session:r5"].near
    assert "wrong content: adopts phase 2, recorded phase 1" in bad["session:r5"].simulated


def test_the_adopted_phase_is_read_from_the_ledger_by_name():
    # sessions.csv of a real run names the phase; ledger.csv numbers it
    rec = record([rec_session("r6", "2007-09-27", "2007-10-03", "joint_document", adopts=2)])
    t = make_tables(sessions=[("2007-10", "joint_document")], ledger=_ledger())
    t.sessions["adopted_phase"] = ["p2"]
    t.sessions["adopted_phase_number"] = [None]
    assert by_id(score_run(t, rec))["session:r6"].hit
    t.sessions["adopted_phase"] = ["p1"]
    assert not by_id(score_run(t, rec))["session:r6"].hit


def test_unmatched_session_is_a_miss():
    rec = record([rec_session("r1", "2003-08-27", document="none")])
    items = by_id(score_run(make_tables(start="2003-01", sessions=[]), rec))
    assert items["session:r1"].hit is False and "no held session" in items["session:r1"].simulated


def test_matching_is_one_to_one():
    rec = record([rec_session("a", "2004-02-01"), rec_session("b", "2004-03-01")])
    items = by_id(score_run(make_tables(sessions=[("2004-02", "chairmans_statement")]), rec))
    assert items["session:a"].hit and not items["session:b"].hit
    items = by_id(
        score_run(
            make_tables(
                sessions=[("2004-02", "chairmans_statement"), ("2004-03", "chairmans_statement")]
            ),
            rec,
        )
    )
    assert items["session:a"].hit and items["session:b"].hit
    assert items["session:a"].sim_start == "2004-02" and items["session:b"].sim_start == "2004-03"


def test_matching_prefers_the_session_that_hits_then_the_nearest():
    rec = record([rec_session("r3", "2004-06-23", document="chairmans_statement")])
    t = make_tables(sessions=[("2004-06", "joint_statement"), ("2004-07", "chairmans_statement")])
    item = by_id(score_run(t, rec))["session:r3"]
    assert item.hit and item.sim_start == "2004-07"
    # low-level: ties go to the earlier month; visiting order is the recorded date order
    assert greedy_match([(10, 10)], [8, 12], 2) == [0]
    assert greedy_match([(12, 12), (10, 10)], [11], 2) == [None, 0]
    assert greedy_match([(10, 10)], [10, 11], 1, good=lambda i, j: j == 1) == [1]


def test_boycotted_invitations_are_not_sessions():
    rec = record([rec_session("r", "2004-02-01", document="none")])
    items = by_id(score_run(make_tables(sessions=[("2004-02", "none", False)]), rec))
    assert not items["session:r"].hit


# ------------------------------------------------------------------ episodes
BOYCOTT = {"id": "boy", "kind": "boycott", "actor": "DPRK", "start": "2005-11", "end": "2006-11-01"}


@pytest.mark.parametrize(
    ("span", "hit"),
    [
        (("2005-11", "2006-11"), True),
        (("2005-09", "2007-01"), True),  # both ends within ±2 months
        (("2006-02", "2006-10"), False),  # starts three months late
        (("2005-10", "2007-03"), False),  # stays away until 2007-03
        (("2003-01", "2009-12"), False),  # covers all, far too long
        (("2007-03", "2007-08"), False),  # no overlap
    ],
)
def test_boycott_is_an_absence_spell(span, hit):
    t = make_tables(start="2003-01", status={span: "suspended"})
    item = by_id(score_run(t, record(episodes=[BOYCOTT])))["boy"]
    assert item.hit is hit


def test_a_session_inside_the_boycott_breaks_it():
    # absent from 2005-11 to 2006-11, but the DPRK attends a session in 2006-05
    t = make_tables(
        start="2003-01",
        status={("2005-11", "2006-04"): "suspended", ("2006-06", "2006-11"): "suspended"},
        sessions=[("2006-05", "chairmans_statement")],
    )
    item = by_id(score_run(t, record(episodes=[BOYCOTT])))["boy"]
    assert item.hit is False and "a session held inside the span (2006-05)" in item.simulated


def test_boycott_spell_bridges_months_without_talks_and_counts_the_stance():
    # declined invitations in 2005-11 and 2006-11 with no session between: one spell
    t = make_tables(status={"2005-11": "boycott", "2006-11": "boycott"})
    assert by_id(score_run(t, record(episodes=[BOYCOTT])))["boy"].hit
    t = make_tables(stance={("2005-12", "2006-10"): "suspended"})
    assert by_id(score_run(t, record(episodes=[BOYCOTT])))["boy"].hit
    t = make_tables(status={("2005-11", "2006-11"): "walked_out"})
    assert not by_id(score_run(t, record(episodes=[BOYCOTT])))["boy"].hit


def test_suspension_is_the_stance_change_within_two_months():
    ep = {"id": "s", "kind": "suspension", "actor": "DPRK", "start": "2005-02-10"}
    t = make_tables(stance={("2005-04", "2005-07"): "suspended"})
    assert by_id(score_run(t, record(episodes=[ep])))["s"].hit
    t = make_tables(stance={("2005-05", "2005-07"): "suspended"})
    item = by_id(score_run(t, record(episodes=[ep])))["s"]
    assert not item.hit and "2005-05" in item.simulated


SUSPENDED = {
    "id": "d",
    "kind": "disablement_suspended",
    "actor": "DPRK",
    "start": "2008-08-11",
    "in_phase": 2,
    "cause": "delisting",
}
OVERDUE_DELISTING = "counterpart steps overdue (aid, delisting); trust in US 0.40"


def test_disablement_suspended_needs_the_phase_and_the_cause():
    led = _ledger()  # phase 1 adopted 2007-02, phase 2 2007-10
    ok = make_tables(
        decisions=[("2008-09", "DPRK", "suspends_steps", OVERDUE_DELISTING)], ledger=led
    )
    assert by_id(score_run(ok, record(episodes=[SUSPENDED])))["d"].hit
    # wrong cause: only aid overdue
    wrong = make_tables(
        decisions=[
            (
                "2008-09",
                "DPRK",
                "suspends_steps",
                "counterpart steps overdue (aid); trust in US 0.40",
            )
        ],
        ledger=led,
    )
    item = by_id(score_run(wrong, record(episodes=[SUSPENDED])))["d"]
    assert item.hit is False and "cause aid, recorded delisting" in item.simulated
    # wrong phase: the suspension falls in the shutdown phase (phase 2 not yet adopted):
    # no suspension of disablement happened, so no simulated month either
    early = [r[:9] + ("2008-12", "2008-12") + r[11:] if r[1] == 2 else r for r in led]
    item = by_id(
        score_run(
            make_tables(
                decisions=[("2008-09", "DPRK", "suspends_steps", OVERDUE_DELISTING)], ledger=early
            ),
            record(episodes=[SUSPENDED]),
        )
    )["d"]
    assert item.hit is False and item.simulated == "never" and item.sim_start == ""
    # a wrong suspension does not hide a right one within the tolerance
    both = make_tables(
        decisions=[
            ("2008-07", "DPRK", "suspends_steps", "counterpart steps overdue (aid)"),
            ("2008-10", "DPRK", "suspends_steps", OVERDUE_DELISTING),
        ],
        ledger=led,
    )
    assert by_id(score_run(both, record(episodes=[SUSPENDED])))["d"].hit


def test_walkout_from_decisions():
    eps = [{"id": "w", "kind": "walkout", "actor": "DPRK", "start": "2009-04-14"}]
    t = make_tables(decisions=[("2009-06", "DPRK", "walks_out")])
    assert by_id(score_run(t, record(episodes=eps)))["w"].hit
    t = make_tables(decisions=[("2009-07", "DPRK", "walks_out")])
    assert not by_id(score_run(t, record(episodes=eps)))["w"].hit


def test_point_episodes_match_one_to_one_within_a_kind():
    eps = [
        {"id": "t1", "kind": "nuclear_test", "actor": "DPRK", "start": "2006-10-09"},
        {"id": "t2", "kind": "nuclear_test", "actor": "DPRK", "start": "2006-12-01"},
    ]
    t = make_tables(decisions=[("2006-11", "DPRK", "nuclear_test")])
    items = by_id(score_run(t, record(episodes=eps)))
    assert items["t1"].hit and not items["t2"].hit


def _ledger():
    rows = []
    for phase, desc, amount, promised in [
        (1, "shut_down_and_seal_yongbyon", 0.2, "2007-02"),
        (2, "disable_5mwe_reactor; complete_and_correct_declaration", 0.35, "2007-10"),
    ]:
        for tranche in (1, 2):
            rows.append(
                (
                    len(rows),
                    phase,
                    f"p{phase}",
                    tranche,
                    "DPRK",
                    "dprk_action",
                    desc,
                    amount / 2,
                    "progress",
                    promised,
                    promised,
                    amount / 2,
                    "",
                )
            )
    return rows


SHUTDOWN = {"id": "sh", "kind": "shutdown", "actor": "DPRK", "start": "2007-07-14"}
DIS_START = {"id": "dis", "kind": "disablement_start", "actor": "DPRK", "start": "2007-11-05"}
SLOWED = {"id": "sl", "kind": "disablement_slowed", "actor": "DPRK", "start": "2008-01"}
DECLARATION = {"id": "decl", "kind": "declaration", "actor": "DPRK", "start": "2008-06"}


def test_shutdown_from_the_facility_states_and_disablement_start_from_the_ledger():
    eps = [SHUTDOWN, DIS_START]
    fac = {"yongbyon_5mwe_reactor": {("2007-06", "2009-12"): "shut_down"}}
    t = make_tables(
        progress={"2007-05": 0.1, "2007-08": 0.2, "2008-05": 0.3},
        ledger=_ledger(),
        facilities=fac,
    )
    items = by_id(score_run(t, record(episodes=eps)))
    # the first month a facility is shut down, not the first month of progress
    assert items["sh"].hit and items["sh"].sim_start == "2007-06"
    # progress passes the first phase's 0.2 delivered only in 2008-05: six months late
    assert not items["dis"].hit and "2008-05" in items["dis"].simulated
    t = make_tables(progress={"2007-06": 0.1, "2007-08": 0.2, "2007-12": 0.3}, ledger=_ledger())
    assert by_id(score_run(t, record(episodes=eps)))["dis"].hit


def test_progress_undone_without_a_shutdown_state_is_no_shutdown():
    # replicate 21 of `sixparty run historical --runs 100` (seed 20030827): progress
    # reaches 0.01 and is undone, the reactor operating every month; the old rule
    # ("first month progress > 0") scored a shutdown there
    t = make_tables(
        progress={"2007-07": 0.01, "2007-08": 0.0},
        ledger=_ledger()[:2],
        facilities={"yongbyon_5mwe_reactor": {}, "reprocessing_plant": {}},
    )
    item = by_id(score_run(t, record(episodes=[SHUTDOWN])))["sh"]
    assert item.hit is False and item.simulated == "never" and item.sim_start == ""
    # the shutdown is the facility state, from any facility, and a further state counts
    t = make_tables(
        progress={"2007-05": 0.01},
        ledger=_ledger()[:2],
        facilities={"yongbyon_5mwe_reactor": {}, "reprocessing_plant": {"2007-09": "disabled"}},
    )
    assert by_id(score_run(t, record(episodes=[SHUTDOWN])))["sh"].sim_start == "2007-09"


def test_shutdown_in_a_folder_without_facility_columns_is_the_completed_tranche():
    led = _ledger()
    led[0] = led[0][:12] + ("2007-08",)  # phase 1's first DPRK tranche completed 2007-08
    t = make_tables(progress={"2007-03": 0.05}, ledger=led)
    item = by_id(score_run(t, record(episodes=[SHUTDOWN])))["sh"]
    assert item.hit and item.sim_start == "2007-08"
    # progress alone, no tranche completed: no shutdown
    t = make_tables(progress={"2007-03": 0.05}, ledger=_ledger())
    assert by_id(score_run(t, record(episodes=[SHUTDOWN])))["sh"].simulated == "never"


def test_disablement_items_read_the_disablement_phase_only():
    eps = [SLOWED, dict(SUSPENDED, start="2007-05")]
    # only the shutdown phase adopted (2007-02): slowed 2007-05..06 and a suspension
    # in 2007-05 belong to it, not to disablement (the old rules scored both)
    phase1 = [r for r in _ledger() if r[1] == 1]
    t = make_tables(
        implementation={("2007-05", "2007-06"): "slowed"},
        decisions=[("2007-05", "DPRK", "suspends_steps", OVERDUE_DELISTING)],
        ledger=phase1,
    )
    items = by_id(score_run(t, record(episodes=eps)))
    assert items["sl"].simulated == "never" and items["d"].simulated == "never"
    # with the disablement phase adopted 2007-10, a slowing from 2007-12 is one
    t = make_tables(
        implementation={("2007-05", "2007-06"): "slowed", ("2007-12", "2008-02"): "slowed"},
        ledger=_ledger(),
    )
    item = by_id(score_run(t, record(episodes=[SLOWED])))["sl"]
    assert item.hit and item.sim_start == "2007-12"
    # a stretch already slowed when the phase is adopted counts from the adoption
    t = make_tables(implementation={("2007-08", "2008-02"): "slowed"}, ledger=_ledger())
    assert by_id(score_run(t, record(episodes=[SLOWED])))["sl"].sim_start == "2007-10"
    # once a later phase is adopted, the disablement phase is no longer under way
    later = _ledger() + [
        (4, 3, "p3", 1, "DPRK", "dprk_action", "abandon", 0.1, "progress")
        + ("2007-11", "2007-11", 0.0, "")
    ]
    t = make_tables(implementation={("2008-01", "2008-02"): "slowed"}, ledger=later)
    assert by_id(score_run(t, record(episodes=[SLOWED])))["sl"].simulated == "never"


def test_the_declaration_is_the_declaration_tranche_of_its_own_phase():
    # the phase that holds the declaration (p2, tranche 2) never completed; a later
    # phase naming a "verification_of_declaration" did (the old rule took its last tranche)
    led = [
        (0, 1, "p1", 1, "DPRK", "dprk_action", "shut_down_and_seal_yongbyon", 0.2, "progress")
        + ("2007-02", "2007-03", 0.2, "2007-03"),
        (1, 3, "p3", 1, "DPRK", "dprk_action", "verification_of_declaration", 0.2, "progress")
        + ("2007-09", "2008-03", 0.2, "2008-06"),
    ]
    t = make_tables(ledger=led, declarations={"p2": 2})
    item = by_id(score_run(t, record(episodes=[DECLARATION])))["decl"]
    assert item.hit is False and item.simulated == "never"
    # p2 adopted: its tranche 2 completed 2008-07 is the declaration, tranche 1 is not
    led = _ledger()
    led[2] = led[2][:12] + ("2007-12",)
    led[3] = led[3][:12] + ("2008-07",)
    item = by_id(
        score_run(make_tables(ledger=led, declarations={"p2": 2}), record(episodes=[DECLARATION]))
    )["decl"]
    assert item.hit and item.sim_start == "2008-07"
    # the scenario unknown (no declaration tranche): no declaration is seen
    item = by_id(score_run(make_tables(ledger=led), record(episodes=[DECLARATION])))["decl"]
    assert item.simulated == "never"


def test_no_ledger_means_never():
    eps = [{"id": "dis", "kind": "disablement_start", "actor": "DPRK", "start": "2007-11-05"}]
    item = by_id(score_run(make_tables(), record(episodes=eps)))["dis"]
    assert not item.hit and item.simulated == "never"


def test_unknown_episode_kinds_are_not_scored():
    eps = [{"id": "x", "kind": "summit", "actor": "US", "start": "2007-11-05"}]
    assert score_run(make_tables(), record(episodes=eps)) == []


# ------------------------------------------------------------------ fed items
def test_fed_items_follow_the_scenario_and_its_mode():
    from sixparty.loader import find_scenario, load_scenario

    rec = load_record(RECORD_PATH)
    sc = load_scenario(find_scenario("historical"))
    sc.parameters.anchoring = True
    fed = fed_item_ids(rec, sc)
    assert {
        "session:round4_phase2",
        "session:round5_phase3",
        "session:round6_phase2",
        "delisting_2008",
    } <= fed
    sc.parameters.anchoring = False
    assert fed_item_ids(rec, sc) == set()
    items = score_run(make_tables(start="2003-01"), rec, fed={"delisting_2008"})
    assert [it.id for it in items if it.fed] == ["delisting_2008"]


def test_the_report_says_in_words_what_fed_means():
    rec = record([rec_session("a", "2004-02-01"), rec_session("b", "2005-02-01")])
    tables = make_tables(sessions=[("2004-02", "chairmans_statement")])
    items = score_run(tables, rec, fed={"session:a", "session:b"})
    fed_lines = [ln for ln in report_lines(items) if ln.startswith("Fed")]
    assert fed_lines == [FED_HEAD.format(hits=1, n=2) + "a (hit), b (miss)"]
    assert fed_lines[0].startswith("Fed (1 of these 2 are hits; the scenario's inputs decide")
    assert "not the model" in FED_HEAD
    assert "1 of the hits fed by anchoring (decided by the inputs, not the model)" in (
        summary_line(items)
    )


# ------------------------------------------------------------------ output
def test_report_and_csv():
    rec = record([rec_session("a", "2004-02-01"), rec_session("b", "2008-03-01")])
    items = score_run(make_tables(sessions=[("2004-02", "chairmans_statement")]), rec)
    lines = report_lines(items)
    assert "Replay scorecard (strict): 1 of 2 items hit" in lines
    assert any("b" in ln and "2008-03-01" in ln for ln in lines)
    text = scorecard_csv(items)
    assert text.splitlines()[0].startswith("id,kind,label,recorded,simulated,hit,near,fed,rule")
    assert text.count(",true,") == 1


def test_shipped_record_loads_with_the_items_the_brief_names():
    rec = load_record(RECORD_PATH)
    kinds = {e["kind"] for e in rec["episodes"]}
    assert {
        "suspension",
        "boycott",
        "shutdown",
        "disablement_start",
        "disablement_suspended",
        "walkout",
    } <= kinds
    items = score_run(make_tables(start="2003-01"), rec)
    # one item per recorded session and per episode
    assert len(items) == len(rec["sessions"]) + len(rec["episodes"])
    joint = {
        s["id"]: s.get("adopts_phase") for s in rec["sessions"] if s["document"] == "joint_document"
    }
    assert joint == {"round5_phase3": 1, "round6_phase2": 2}
    susp = next(e for e in rec["episodes"] if e["kind"] == "disablement_suspended")
    assert susp["cause"] == "delisting" and susp["in_phase"] == 2


def test_scorecard_writer_on_a_simulated_run(tmp_path):
    from conftest import minimal_scenario_dict
    from sixparty.outputs import write_run
    from sixparty.runner import simulate
    from sixparty.scenario import Scenario

    result = simulate(Scenario.model_validate(minimal_scenario_dict()))
    names = write_run(result, tmp_path / "run", extra_writers=[scorecard_writer()])
    assert "scorecard.csv" in names
    lines = result.extra["report"]
    # the small run (2003-08..2004-12) scores only the record items inside its window
    assert any(
        re.fullmatch(
            r"Replay scorecard \(strict\): \d+ of \d+ items hit.*\(\d+ items "
            r"outside the window not scored\)",
            ln,
        )
        for ln in lines
    )
    header = (tmp_path / "run" / "sessions.csv").read_text().splitlines()[0]
    assert header.endswith("nash_product,pareto_distance")
    sc = (tmp_path / "run" / "scorecard.csv").read_text().splitlines()
    assert len(sc) == 1 + len(result.extra["scorecard"])


# ------------------------------------------------------------ the run's window
def test_items_outside_the_window_are_listed_not_scored():
    rec = record(
        [rec_session("a", "2004-02-01"), rec_session("b", "2008-03-01")],
        [BOYCOTT, {"id": "w", "kind": "walkout", "actor": "DPRK", "start": "2009-04-14"}],
    )
    t = make_tables(start="2003-01", end="2004-12", sessions=[("2004-02", "chairmans_statement")])
    items = score_run(t, rec)
    got = by_id(items)
    assert got["session:a"].hit is True
    for key in ("session:b", "boy", "w"):
        assert got[key].hit is None and not got[key].scored
        assert got[key].simulated == "outside the window (2003-01..2004-12): not scored"
    lines = report_lines(items)
    assert (
        "Replay scorecard (strict): 1 of 1 items hit (3 items outside the window not scored)"
        in lines
    )
    assert "Misses:" not in lines  # outside items are not misses
    i = lines.index("Outside the window (not scored):")
    assert len(lines) - i - 1 == 3 and any("recorded 2009-04-14" in ln for ln in lines[i:])
    rows = scorecard_csv(items).splitlines()
    assert (
        sum(
            1
            for r in rows
            if r.startswith("session:b,") and ",outside the window" in r and ",," in r
        )
        == 1
    )
    import csv

    assert next(csv.DictReader(rows))["hit"] == "true"


def test_items_outside_the_window_take_no_simulated_session():
    # the run starts 2003-08: the recorded 2003-07 session is outside and must not take the
    # 2003-08 session that the 2003-09 session (inside, one month away) needs
    rec = record([rec_session("early", "2003-07-10"), rec_session("r1", "2003-09-01")])
    t = make_tables(start="2003-08", end="2004-12", sessions=[("2003-08", "chairmans_statement")])
    got = by_id(score_run(t, rec))
    assert got["session:early"].hit is None
    assert got["session:r1"].hit and got["session:r1"].sim_start == "2003-08"


def test_span_straddling_the_window_end_is_scored_on_its_part_inside():
    # boycott 2005-11..2006-11, run ends 2006-04: the part inside is 2005-11..2006-04 and
    # the end condition is waived at the window's edge
    t = make_tables(start="2003-01", end="2006-04", status={("2005-11", "2006-04"): "suspended"})
    item = by_id(score_run(t, record(episodes=[BOYCOTT])))["boy"]
    assert item.hit is True and item.simulated == "2005-11..2006-04"
    assert "cut to the window: 2005-11..2006-04" in item.rule


def test_a_model_run_scores_what_its_facilities_and_ledger_show():
    """On a run of the model (historical, its seed), by every road (the run's rows, the
    pandas tables, the pandas-free tables): the shutdown is the first month a facility
    column leaves ``operating``, the declaration only a completed declaration tranche of
    the phase that carries it, the disablement items only while that phase is under way."""
    from sixparty.analysis.runfiles import tables_from_result
    from sixparty.analysis.scorecard import RunRecords, episode_months
    from sixparty.loader import load_scenario
    from sixparty.runner import simulate

    scenario = load_scenario("historical")
    result = simulate(scenario, record_positions=False)
    fac = [c for c in result.timeline[0] if c.startswith("facility_")]
    assert fac
    down = [r["month"] for r in result.timeline if any(r[c] != "operating" for c in fac)]
    decl = {p.name: p.declaration_tranche for p in scenario.phases if p.declaration_tranche}
    declared = sorted(
        month_number(s["completed"])
        for s in result.ledger
        if s["kind"] == "dprk_action"
        and decl.get(s["phase_name"]) == s["tranche"]
        and s["completed"]
    )
    disabling = any("disabl" in s["description"] for s in result.ledger)
    rec = load_record(RECORD_PATH)
    roads = [
        RunRecords.from_result(result),
        tables_from_result(result),
        tables_from_result(result, lite=True),
    ]
    for road in roads:
        assert episode_months(road, "shutdown") == ([month_number(down[0])] if down else [])
        assert episode_months(road, "declaration") == declared
        if not disabling:
            for kind in ("disablement_start", "disablement_slowed", "disablement_suspended"):
                assert episode_months(road, kind) == []
        items = by_id(score_run(road, rec))
        sh = items["yongbyon_shutdown_2007"]
        assert sh.sim_start == (down[0] if down else "")
        if not declared:
            assert items["declaration_2008"].simulated == "never"
