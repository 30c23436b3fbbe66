"""Sessions named as the model's own and matched to history's rounds (analysis/rounds.py)."""

from __future__ import annotations

import ast
import pathlib

import pytest
from sixparty.analysis.rounds import (
    RecordedSession,
    match_sessions,
    recorded_sessions,
    session_labeller,
    session_labels,
)


@pytest.fixture(scope="module")
def historical():
    from sixparty.loader import find_scenario, load_scenario

    return load_scenario(find_scenario("historical"))


R4P2 = RecordedSession("round4_phase2", "Round 4, phase 2", "第四轮 第二阶段", "2005-09", "2005-09")
R5P1 = RecordedSession("round5_phase1", "Round 5, phase 1", "第五轮 第一阶段", "2005-11", "2005-11")
RECS = [R4P2, R5P1]


def _s(month, held=True):
    return {"month": month, "held": held}


def test_a_session_within_a_month_of_a_recorded_one_is_matched_and_labelled():
    labs = session_labels([_s("2005-08"), _s("2006-02")], recorded=RECS)
    assert labs[0].round is R4P2 and labs[0].number == 1
    assert labs[0].text() == "session 1, 2005-08 ≈ Round 4, phase 2"
    assert labs[0].text("zh") == "第1次会议（2005年8月）≈ 第四轮 第二阶段"
    assert labs[1].round is None and labs[1].text() == "session 2, 2006-02"
    assert labs[1].history() == ""


def test_unmatched_beyond_the_tolerance_and_boycotts_are_never_matched():
    assert match_sessions(["2005-07", "2006-01"], RECS) == [None, None]  # 2 months off
    labs = session_labels([_s("2005-09", held=False)], recorded=RECS)
    assert labs[0].round is None and labs[0].text() == "session 1, 2005-09"


def test_two_sessions_near_one_recorded_round_only_the_nearer_takes_it():
    # 2005-08 (1 month before) and 2005-09 (inside): the one inside wins; the other stays unnamed
    assert match_sessions(["2005-08", "2005-09"], [R4P2]) == [None, 0]
    # equally near (2005-08, 2005-10): the earlier wins
    assert match_sessions(["2005-10", "2005-08"], [R4P2]) == [None, 0]
    # one simulated session near two recorded ones is matched once (one-to-one, date order)
    assert match_sessions(["2005-10"], RECS) == [0]
    assert match_sessions(["2005-10", "2005-11"], RECS) == [0, 1]


def test_match_sessions_takes_month_numbers_and_rejects_a_negative_tolerance():
    assert match_sessions([2005 * 12 + 8], [R4P2]) == [0]
    with pytest.raises(ValueError, match="tolerance"):
        match_sessions(["2005-09"], [R4P2], tolerance=-1)


def test_the_record_gives_rounds_in_date_order_with_chinese_labels():
    recs = recorded_sessions()
    assert [r.start for r in recs] == sorted(r.start for r in recs)
    r = next(r for r in recs if r.id == "round4_phase2")
    assert (
        r.start == "2005-09" and r.zh.startswith("第四轮") and r.en.startswith("Round 4, phase 2")
    )
    labels = session_labeller("en")([_s("2005-10"), _s("2005-12", held=False)])
    assert labels[0].startswith("≈ Round 4, phase 2") and labels[1] == ""


def test_the_run_summary_names_sessions_as_the_models_own_and_history_only_when_given(historical):
    from sixparty.runner import simulate, summary_lines

    result = simulate(historical, record_positions=False)
    plain = "\n".join(summary_lines(result))
    assert "session 1 " in plain and "≈" not in plain
    assert " R1.1 " not in plain and "Round" not in plain
    named = summary_lines(result, history_labels=session_labeller("en"))
    assert any("[≈ Round" in line for line in named)


def test_sim_never_reads_the_historical_record(historical, monkeypatch):
    """Running and summarising a run reads no record: every record loader is made to fail."""
    import sixparty.analysis.narrate as narrate
    import sixparty.analysis.scorecard as scorecard
    from sixparty.runner import simulate, summary_lines

    def refuse(*a, **k):
        raise AssertionError("the record was read")

    monkeypatch.setattr(narrate, "load_record", refuse)
    monkeypatch.setattr(scorecard, "load_record", refuse)
    result = simulate(historical, record_positions=False)
    assert summary_lines(result)
    # and no module of sim/ except the dashboard edge names the record or imports its readers
    import sixparty

    src = pathlib.Path(sixparty.__file__).parent
    for path in sorted(src.glob("*.py")):
        if path.name in ("app.py",):  # the page shows history beneath the run, through analysis
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(n.body[0].value)
            for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
            and n.body
            and isinstance(n.body[0], ast.Expr)
            and isinstance(n.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
            ):
                assert "record.yaml" not in node.value, path.name
            if isinstance(node, ast.ImportFrom):
                names = {a.name for a in node.names}
                assert not names & {"load_record", "RECORD_PATH", "recorded_sessions"}, path.name


def test_scorecard_names_sessions_as_the_model_own_never_its_round_counter():
    import re

    import pandas as pd
    from sixparty.analysis.runfiles import RunTables
    from sixparty.analysis.scorecard import _score_sessions

    # the model's 7th invitation (session_id 6), in its round 12: shown as "session 7, 2005-09"
    sess = pd.DataFrame(
        [
            {
                "session_id": 6,
                "round": 12,
                "phase": 3,
                "month": "2005-09",
                "held": True,
                "document": "chairmans_statement",
                "adopted_phase": "",
                "adopted_phase_number": None,
            }
        ]
    )
    empty = pd.DataFrame()
    tables = RunTables(
        timeline=empty,
        positions=empty,
        trust=empty,
        sessions=sess,
        drafts=empty,
        ledger=empty,
        decisions=empty,
        events=empty,
        scenario_name="t",
        seed=0,
    )
    rec = [
        {
            "id": "round4_phase2",
            "label": {"en": "Round 4, phase 2"},
            "start": "2005-09-13",
            "end": "2005-09-19",
            "document": "joint_statement",
        }
    ]
    (item,) = _score_sessions(tables, rec, {"session": 1})
    assert "(session 7, 2005-09)" in item.simulated
    assert not re.search(r"\bR\d+\.\d+|round ?\d", item.simulated)
