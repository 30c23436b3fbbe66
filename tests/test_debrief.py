"""The seat's debrief: the moves in words, each difference from the agent and
from history in a sentence with the record's figures and dates, and what
would have changed it (a re-run with the agent in the seat)."""

from __future__ import annotations

import copy

import pytest
from sixparty.analysis.narrate import (
    debrief,
    debrief_explain,
    debrief_parts,
    debrief_rows,
    load_record,
)
from sixparty.loader import find_scenario, load_scenario
from sixparty.runner import simulate


@pytest.fixture(scope="module")
def runs():
    sc = load_scenario(find_scenario("historical"))
    a = simulate(sc, seed=0)
    b = simulate(sc, seed=1)  # a different path, standing in for the seated game
    return a, b


MOVES = [
    {
        "month": "2003-04",
        "party": "DPRK",
        "session": 1,
        "kind": "attend",
        "value": "attend",
        "agent": "attend",
        "reason": "ready",
        "why": {"r": 0.7, "t": 0.5},
    },
    {
        "month": "2003-04",
        "party": "DPRK",
        "session": 1,
        "kind": "respond",
        "value": "accept",
        "issue": None,
        "to": None,
        "agent": "reject",
        "reason": "far_beyond_radius",
        "why": {"u": 0.62, "d": 0.9, "trust": 0.3, "need": None, "issue": None},
    },
    {
        "month": "2004-02",
        "party": "DPRK",
        "session": 3,
        "kind": "respond",
        "value": "amend",
        "issue": "verification",
        "to": 0.2,
        "agent": "amend",
        "reason": "below_walking_away",
        "why": {"u": 0.8, "d": 0.9, "issue": "format"},
    },
    {"month": "2007-03", "party": "DPRK", "kind": "implementation", "value": "slow"},
]


def test_the_moves_are_told_in_words(runs):
    seated, agent = runs
    ex = debrief_explain(seated, agent, "DPRK", moves=MOVES)
    line = ex["moves"][0]
    assert line.startswith("Your moves: attended 1 of 1 sessions")
    assert "accepted 1" in line and "asked to amend 1 (verification)" in line
    assert "slow from 2007-03" in line
    assert "=" not in line and "×" not in line


def test_each_move_unlike_the_agents_is_explained_with_its_reason(runs):
    seated, agent = runs
    ex = debrief_explain(seated, agent, "DPRK", moves=MOVES)
    told = " ".join(ex["unlike"])
    assert "2003-04, session 1: you chose to accept the draft" in told
    assert "the agent would have chosen to reject it" in told
    assert "0.62" in told and "0.90" in told  # the agent's reason with its numbers
    # amend vs amend on another issue is the same choice: not told as a difference
    assert "2004-02" not in told
    zh = " ".join(debrief_explain(seated, agent, "DPRK", lang="zh", moves=MOVES)["unlike"])
    assert "第1次会议" in zh and "拒绝草案" in zh and "{" not in zh


def test_history_is_cited_from_the_record_with_dates_and_figures(runs):
    seated, agent = runs
    rec = load_record()
    ex = debrief_explain(seated, agent, "DPRK", moves=MOVES)
    text = " ".join(ex["differences"])
    # aid: the shipment the record lists, with its source, never passed off as the total
    ship = rec["hfo_delivered"][0]
    assert f"{ship['tonnes']:,} t by ROK on {ship['date']}" in text
    assert f"§{ship['source']['section']}" in text and "no total delivered" in text
    pledge = rec["hfo_pledged"][0]
    assert f"{pledge['tonnes']:,} t HFO-equivalent were promised on {pledge['date']}" in text
    # documents with their dates
    jd = [s for s in rec["sessions"] if s["document"] == "joint_document"]
    assert all(s["start"] in text for s in jd)
    walk = [e for e in rec["episodes"] if e["kind"] == "walkout"][0]
    assert f"history: {walk['start']}" in text or "walk-out" not in text
    rows = {r["key"]: r for r in debrief_rows(seated, agent, lang="en")}
    assert rows["aid_delivered_t"]["history"] == "≥ 6,200 (shipments listed: 1)"


def test_a_counterfactual_says_history_is_a_reference(runs):
    seated, agent = runs
    ex = debrief_explain(seated, agent, "DPRK", historical_conditions=False)
    assert ex["differences"][-1].startswith("(A counterfactual scenario")
    none = debrief_explain(seated, agent, "DPRK", record={})
    assert "No historical record to compare with." in none["differences"]


def test_what_would_have_changed_it_compares_the_re_run(runs):
    seated, agent = runs
    ex = debrief_explain(seated, agent, "DPRK", moves=MOVES)
    changed = ex["changed"]
    assert changed[0].startswith("What would have changed it")
    assert any("part in " in x for x in changed)
    assert any(x.startswith("Your first move unlike the agent's was in 2003-04") for x in changed)
    assert any(x.startswith("With the agent in your seat:") and "instead of" in x for x in changed)
    same = debrief_explain(seated, copy.deepcopy(seated), "DPRK", moves=[])
    assert same["changed"][1] == "Nothing: the re-run is the game you played, month for month."
    assert same["moves"] == ["Your moves: none (the agent played every decision)."]


def test_the_parts_and_the_text_hold_every_sentence_in_both_languages(runs):
    seated, agent = runs
    for lang in ("en", "zh"):
        parts = debrief_parts(seated, agent, "DPRK", lang=lang, moves=MOVES)
        assert parts["verdict"] == parts["unlike"] + parts["differences"] + parts["changed"]
        text = debrief(seated, agent, "DPRK", lang=lang, moves=MOVES)
        for line in parts["verdict"]:
            assert line in text
            assert "{" not in line and "}" not in line
    zh = debrief(seated, agent, "DPRK", lang="zh", moves=MOVES)
    assert "什么会改变结果" in zh and "条目未给出交付总量" in zh


def test_a_debrief_before_history_had_anything_says_so(runs):
    seated, agent = runs
    early = copy.copy(seated)
    early.timeline = seated.timeline[:4]
    early.sessions = [s for s in seated.sessions if s["month"] <= early.timeline[-1]["month"]]
    text = " ".join(debrief_explain(early, agent, "DPRK")["differences"])
    assert " - " not in text and "a no document" not in text and "0 shipment" not in text
    until = early.timeline[-1]["month"]
    rows = {r["key"]: r for r in debrief_rows(early, early, until=until, lang="en")}
    assert rows["aid_delivered_t"]["history"] == "0"


def test_before_round_1_the_debrief_names_the_three_party_talks(runs):
    """History had talks before the first six-party round (the three-party talks of
    2003-04): a debrief that ends then says so, not that history had none."""
    seated, agent = runs

    def cut(month):
        early = copy.copy(seated)
        early.timeline = [r for r in seated.timeline if r["month"] <= month]
        early.sessions = [s for s in seated.sessions if s["month"] <= month]
        return early

    for lang, words in (
        ("en", "history held no six-party session by then; before them: Three-party talks"),
        ("zh", "历史上此时尚未举行六方会议，此前有三方会谈"),
    ):
        text = " ".join(debrief_explain(cut("2003-05"), agent, "DPRK", lang=lang)["differences"])
        assert words in text and "had none by then" not in text
    text = " ".join(debrief_explain(cut("2003-03"), agent, "DPRK")["differences"])
    assert "history held no six-party session by then." in text and "Three-party" not in text
    assert "history had no document by then" in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_reason_whose_values_tie_at_two_decimals_shows_more(runs, lang):
    """The debrief read "the draft is worth 0.93 to it, less than the 0.93 of walking
    away": the two values get the decimals that tell them apart."""
    seated, agent = runs
    move = {
        "month": "2003-06",
        "party": "Japan",
        "session": 3,
        "kind": "respond",
        "value": "accept",
        "issue": None,
        "to": None,
        "agent": "amend",
        "reason": "below_walking_away",
        "why": {"u": 0.92712, "d": 0.93041, "trust": 0.3, "need": None, "issue": "sequence"},
    }
    (line,) = debrief_explain(seated, agent, "Japan", lang=lang, moves=[move])["unlike"][1:]
    assert "0.927" in line and "0.930" in line, line
    assert "0.93 " not in line and "0.93，" not in line and "0.93的" not in line
