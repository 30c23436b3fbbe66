"""Replay scorecard: matching rules on constructed runs (never the model's score)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from sixparty.analysis.runfiles import RunTables, month_label, month_number
from sixparty.analysis.scorecard import (
    RECORD_PATH,
    greedy_match,
    load_record,
    report_lines,
    score_run,
    scorecard_csv,
    scorecard_writer,
)
from sixparty.scenario import PARTIES


def make_tables(start="2004-01", end="2009-12", sessions=(), status=None, stance=None,
                implementation=None, progress=None, decisions=(), ledger=()) -> RunTables:
    """A run built by hand.  sessions: (month, document[, held]); status, stance,
    implementation: {month or (first, last): value}; progress: {month: value} held
    from that month on; decisions: (month, party, decision)."""
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
    timeline = pd.DataFrame({
        "month": months,
        "talks_status": fill(status, "no_talks"),
        "dprk_stance": fill(stance, "participating"),
        "implementation": fill(implementation, "none"),
        "progress": prog,
        "aid_pledged_t": 0.0, "aid_delivered_t": 0.0, "sanctions": 0.2, "mean_trust": 0.4,
        "trust_dprk_us": 0.2, "trust_us_dprk": 0.2, "events": "",
    })
    srows = []
    for i, s in enumerate(sessions):
        month, doc = s[0], s[1]
        held = s[2] if len(s) > 2 else True
        row = {"session_id": i, "round": i + 1, "phase": 1, "month": month, "held": held,
               "document": doc if held else "none", "adopted_phase": ""}
        row.update({f"utility_{p}": 0.8 for p in PARTIES})
        srows.append(row)
    sess = pd.DataFrame(srows, columns=["session_id", "round", "phase", "month", "held",
                                        "document", "adopted_phase"]
                        + [f"utility_{p}" for p in PARTIES])
    dec = pd.DataFrame(list(decisions), columns=["month", "party", "decision"])
    dec["reason"] = "test"
    led = pd.DataFrame(list(ledger), columns=["step_id", "phase", "phase_name", "tranche",
                                              "party", "kind", "description", "amount", "unit",
                                              "promised", "due", "delivered", "completed"])
    empty = pd.DataFrame()
    return RunTables(timeline=timeline, positions=empty, trust=empty, sessions=sess,
                     drafts=empty, ledger=led, decisions=dec,
                     events=pd.DataFrame(columns=["id", "date", "month", "type", "title"]),
                     scenario_name="constructed", seed=0)


def rec_session(sid, start, end=None, document="chairmans_statement"):
    return {"id": sid, "label": {"en": sid}, "start": start, "end": end or start,
            "document": document}


def record(sessions=(), episodes=()):
    return {"sessions": list(sessions), "episodes": list(episodes)}


def by_id(items):
    return {it.id: it for it in items}


# ------------------------------------------------------------------ sessions
def test_session_within_tolerance_is_a_hit_outside_a_miss():
    rec = record([rec_session("r2", "2004-02-25", "2004-02-28")])
    assert by_id(score_run(make_tables(sessions=[("2004-04", "chairmans_statement")]), rec))[
        "session:r2"].hit
    assert not by_id(score_run(make_tables(sessions=[("2004-05", "chairmans_statement")]), rec))[
        "session:r2"].hit
    # the tolerance is a parameter
    assert by_id(score_run(make_tables(sessions=[("2004-05", "chairmans_statement")]), rec,
                           tolerance={"session": 3}))["session:r2"].hit


def test_session_spanning_two_months_counts_both():
    rec = record([rec_session("r6", "2007-09-27", "2007-10-03", "joint_document")])
    items = by_id(score_run(make_tables(sessions=[("2007-12", "joint_document")]), rec))
    assert items["session:r6"].hit  # two months after the end month


def test_document_mismatch_is_a_miss_on_a_matched_session():
    rec = record([rec_session("r2", "2004-02-25", document="chairmans_statement")])
    items = by_id(score_run(make_tables(sessions=[("2004-02", "joint_statement")]), rec))
    assert items["session:r2"].hit
    assert not items["document:r2"].hit
    assert "joint statement" in items["document:r2"].simulated
    items = by_id(score_run(make_tables(sessions=[("2004-02", "chairmans_statement")]), rec))
    assert items["document:r2"].hit


def test_unmatched_session_misses_its_document_too():
    rec = record([rec_session("r1", "2003-08-27", document="none")])
    items = by_id(score_run(make_tables(start="2003-01", sessions=[]), rec))
    assert not items["session:r1"].hit and not items["document:r1"].hit


def test_matching_is_one_to_one():
    rec = record([rec_session("a", "2004-02-01"), rec_session("b", "2004-03-01")])
    items = by_id(score_run(make_tables(sessions=[("2004-02", "chairmans_statement")]), rec))
    assert items["session:a"].hit and not items["session:b"].hit
    items = by_id(score_run(make_tables(sessions=[("2004-02", "chairmans_statement"),
                                                  ("2004-03", "chairmans_statement")]), rec))
    assert items["session:a"].hit and items["session:b"].hit
    assert items["session:a"].sim_start == "2004-02" and items["session:b"].sim_start == "2004-03"


def test_greedy_in_date_order_takes_the_nearest():
    rec = record([rec_session("r3", "2004-06-23", document="chairmans_statement")])
    t = make_tables(sessions=[("2004-04", "joint_statement"), ("2004-06", "chairmans_statement")])
    items = by_id(score_run(t, rec))
    assert items["session:r3"].sim_start == "2004-06" and items["document:r3"].hit
    # low-level: ties go to the earlier month; visiting order is the recorded date order
    assert greedy_match([(10, 10)], [8, 12], 2) == [0]
    assert greedy_match([(12, 12), (10, 10)], [11], 2) == [None, 0]


def test_boycotted_invitations_are_not_sessions():
    rec = record([rec_session("r", "2004-02-01")])
    items = by_id(score_run(make_tables(sessions=[("2004-02", "none", False)]), rec))
    assert not items["session:r"].hit


# ------------------------------------------------------------------ episodes
BOYCOTT = {"id": "boy", "kind": "boycott", "actor": "DPRK", "start": "2005-11", "end": "2006-11-01"}


@pytest.mark.parametrize(("span", "hit"), [
    (("2005-10", "2007-02"), True),    # IoU 13/17
    (("2006-02", "2006-10"), True),    # 9/13
    (("2006-02", "2006-05"), False),   # 4/13
    (("2003-01", "2009-12"), False),   # covers all, but far too long: 13/84
    (("2007-03", "2007-08"), False),   # no overlap
])
def test_boycott_span_overlap(span, hit):
    t = make_tables(start="2003-01", status={span: "suspended"})
    item = by_id(score_run(t, record(episodes=[BOYCOTT])))["boy"]
    assert item.hit is hit


def test_boycott_span_counts_declined_invitations_and_suspension_months():
    t = make_tables(status={("2005-11", "2006-03"): "boycott", ("2006-04", "2006-11"): "suspended"})
    assert by_id(score_run(t, record(episodes=[BOYCOTT])))["boy"].hit
    t = make_tables(status={("2005-11", "2006-11"): "walked_out"})
    assert not by_id(score_run(t, record(episodes=[BOYCOTT])))["boy"].hit


def test_suspension_is_the_stance_change_within_tolerance():
    ep = {"id": "s", "kind": "suspension", "actor": "DPRK", "start": "2005-02-10"}
    t = make_tables(stance={("2005-05", "2005-07"): "suspended"})
    assert by_id(score_run(t, record(episodes=[ep])))["s"].hit
    t = make_tables(stance={("2005-06", "2005-07"): "suspended"})
    item = by_id(score_run(t, record(episodes=[ep])))["s"]
    assert not item.hit and "2005-06" in item.simulated


def test_walkout_and_disablement_suspension_from_decisions():
    eps = [{"id": "w", "kind": "walkout", "actor": "DPRK", "start": "2009-04-14"},
           {"id": "d", "kind": "disablement_suspended", "actor": "DPRK", "start": "2008-08-11"}]
    t = make_tables(decisions=[("2009-06", "DPRK", "walks_out"), ("2008-12", "DPRK", "suspends_steps")])
    items = by_id(score_run(t, record(episodes=eps)))
    assert items["w"].hit and not items["d"].hit


def test_point_episodes_match_one_to_one_within_a_kind():
    eps = [{"id": "t1", "kind": "nuclear_test", "actor": "DPRK", "start": "2006-10-09"},
           {"id": "t2", "kind": "nuclear_test", "actor": "DPRK", "start": "2006-12-01"}]
    t = make_tables(decisions=[("2006-11", "DPRK", "nuclear_test")])
    items = by_id(score_run(t, record(episodes=eps)))
    assert items["t1"].hit and not items["t2"].hit


def _ledger():
    rows = []
    for phase, desc, amount, promised in [(1, "shut_down_and_seal_yongbyon", 0.2, "2007-02"),
                                          (2, "disable_5mwe_reactor; complete_and_correct_declaration",
                                           0.35, "2007-10")]:
        for tranche in (1, 2):
            rows.append((len(rows), phase, f"p{phase}", tranche, "DPRK", "dprk_action", desc,
                         amount / 2, "progress", promised, promised, amount / 2, ""))
    return rows


def test_shutdown_and_disablement_start_from_progress_and_ledger():
    eps = [{"id": "sh", "kind": "shutdown", "actor": "DPRK", "start": "2007-07-14"},
           {"id": "dis", "kind": "disablement_start", "actor": "DPRK", "start": "2007-11-05"}]
    t = make_tables(progress={"2007-06": 0.1, "2007-08": 0.2, "2008-05": 0.3}, ledger=_ledger())
    items = by_id(score_run(t, record(episodes=eps)))
    assert items["sh"].hit and items["sh"].sim_start == "2007-06"
    # progress passes the first phase's 0.2 only in 2008-05: six months late
    assert not items["dis"].hit and "2008-05" in items["dis"].simulated
    t = make_tables(progress={"2007-06": 0.1, "2007-08": 0.2, "2007-12": 0.3}, ledger=_ledger())
    assert by_id(score_run(t, record(episodes=eps)))["dis"].hit


def test_no_ledger_means_never():
    eps = [{"id": "dis", "kind": "disablement_start", "actor": "DPRK", "start": "2007-11-05"}]
    item = by_id(score_run(make_tables(), record(episodes=eps)))["dis"]
    assert not item.hit and item.simulated == "never"


def test_unknown_episode_kinds_are_not_scored():
    eps = [{"id": "x", "kind": "summit", "actor": "US", "start": "2007-11-05"}]
    assert score_run(make_tables(), record(episodes=eps)) == []


# ------------------------------------------------------------------ output
def test_report_and_csv():
    rec = record([rec_session("a", "2004-02-01"), rec_session("b", "2008-03-01")])
    items = score_run(make_tables(sessions=[("2004-02", "chairmans_statement")]), rec)
    lines = report_lines(items)
    assert "Replay scorecard: 2 hits / 4 items" in lines
    assert any("b" in ln and "recorded 2008-03-01" in ln for ln in lines)
    text = scorecard_csv(items)
    assert text.splitlines()[0].startswith("id,kind,label,recorded,simulated,hit,rule")
    assert text.count(",true,") == 2 and text.count(",false,") == 2


def test_shipped_record_loads_with_the_items_the_brief_names():
    rec = load_record(RECORD_PATH)
    kinds = {e["kind"] for e in rec["episodes"]}
    assert {"suspension", "boycott", "shutdown", "disablement_start",
            "disablement_suspended", "walkout"} <= kinds
    items = score_run(make_tables(start="2003-01"), rec)
    # two items per recorded session, one per episode
    assert len(items) == 2 * len(rec["sessions"]) + len(rec["episodes"])


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
    assert any(re.fullmatch(r"Replay scorecard: \d+ hits / \d+ items \(\d+ items outside the "
                            r"window not scored\)", ln) for ln in lines)
    header = (tmp_path / "run" / "sessions.csv").read_text().splitlines()[0]
    assert header.endswith("nash_product,pareto_distance")
    sc = (tmp_path / "run" / "scorecard.csv").read_text().splitlines()
    assert len(sc) == 1 + len(result.extra["scorecard"])


# ------------------------------------------------------------ the run's window
def test_items_outside_the_window_are_listed_not_scored():
    rec = record([rec_session("a", "2004-02-01"), rec_session("b", "2008-03-01")],
                 [BOYCOTT, {"id": "w", "kind": "walkout", "actor": "DPRK", "start": "2009-04-14"}])
    t = make_tables(start="2003-01", end="2004-12", sessions=[("2004-02", "chairmans_statement")])
    items = score_run(t, rec)
    got = by_id(items)
    assert got["session:a"].hit is True and got["document:a"].hit is True
    for key in ("session:b", "document:b", "boy", "w"):
        assert got[key].hit is None and not got[key].scored
        assert got[key].simulated == "outside the window (2003-01..2004-12): not scored"
    lines = report_lines(items)
    assert "Replay scorecard: 2 hits / 2 items (4 items outside the window not scored)" in lines
    assert "Misses:" not in lines  # outside items are not misses
    i = lines.index("Outside the window (not scored):")
    assert len(lines) - i - 1 == 4 and any("recorded 2009-04-14" in ln for ln in lines[i:])
    rows = scorecard_csv(items).splitlines()
    assert sum(1 for r in rows if r.startswith("session:b,") and ",outside the window" in r
               and ",," in r) == 1
    assert rows[1].split(",")[5] == "true"


def test_every_item_inside_the_window_keeps_the_plain_summary():
    rec = record([rec_session("a", "2004-02-01")])
    lines = report_lines(score_run(make_tables(sessions=[("2004-05", "chairmans_statement")]), rec))
    assert "Replay scorecard: 0 hits / 2 items" in lines


def test_items_outside_the_window_take_no_simulated_session():
    # the run starts 2003-08: the recorded 2003-06 session is outside and must not take the
    # 2003-08 session that the 2003-10 session (inside, two months away) needs
    rec = record([rec_session("early", "2003-06-10"), rec_session("r1", "2003-10-01")])
    t = make_tables(start="2003-08", end="2004-12", sessions=[("2003-08", "chairmans_statement")])
    got = by_id(score_run(t, rec))
    assert got["session:early"].hit is None
    assert got["session:r1"].hit and got["session:r1"].sim_start == "2003-08"


def test_span_straddling_the_window_end_is_scored_on_its_part_inside():
    # boycott 2005-11..2006-11, run ends 2006-04: the part inside is 2005-11..2006-04
    t = make_tables(start="2003-01", end="2006-04", status={("2005-11", "2006-04"): "suspended"})
    item = by_id(score_run(t, record(episodes=[BOYCOTT])))["boy"]
    assert item.hit is True and "IoU 1.00" in item.simulated
    assert "cut to the window: 2005-11..2006-04" in item.rule
