"""sixparty.seat: pure tests with scripted states (no model)."""

from __future__ import annotations

import pytest
from sixparty.seat import (
    Due,
    SeatBriefing,
    attend_reason,
    best_amendment,
    counterparts,
    respond_reason,
    split_dues,
)


def _due(party, kind="aid", amount=10.0, delivered=0.0, **kw):
    base = dict(phase="p", tranche=1, due="2007-05", owed=True, overdue=False)
    base.update(kw)
    return Due(party=party, kind=kind, amount=amount, delivered=delivered, **base)


def test_attend_reason_codes():
    assert attend_reason(0.6, 0.5, False) == "ready"
    assert attend_reason(0.5, 0.5, False) == "not_ready"  # must exceed the threshold
    assert attend_reason(0.9, 0.5, True) == "dprk_suspended"


@pytest.mark.parametrize(
    "verdict, u, d, trust, needed, code",
    [
        ("accept", 0.9, 0.8, 0.5, None, "worth_signing"),
        ("reject", 0.1, 0.8, 0.5, None, "far_beyond_radius"),
        ("amend", 0.7, 0.8, 0.5, None, "below_walking_away"),
        ("amend", 0.9, 0.8, 0.1, 0.25, "trust_too_low"),
        ("amend", 0.7, 0.8, 0.1, 0.25, "below_walking_away"),  # both: the utility first
    ],
)
def test_respond_reason_codes(verdict, u, d, trust, needed, code):
    assert respond_reason(verdict, u, d, trust, needed) == code


def test_respond_reason_refuses_an_unknown_verdict():
    with pytest.raises(ValueError, match="accept, amend or reject"):
        respond_reason("abstain", 0.5, 0.5, 0.5, None)


def test_best_amendment_finds_the_issue_and_ask_worth_most():
    me = (0.2, 0.8)
    draft = (0.5, 0.5)

    def utility(text):
        return 1.0 - (abs(text[0] - me[0]) + abs(text[1] - me[1])) / 2

    def amended(k, v):  # the text moves half-way toward the ask on issue k
        out = list(draft)
        out[k] += 0.5 * (v - out[k])
        return out

    u, k, ask, text = best_amendment(draft, utility, amended, lambda k: (0.0, 0.5, 1.0), 2)
    # issue 0 toward 0.0 gains 0.25/2; issue 1 toward 1.0 the same: the first issue wins the tie
    assert (k, ask) == (0, 0.0) and text == (0.25, 0.5)
    assert u == pytest.approx(utility(draft) + 0.125)


def test_best_amendment_is_none_when_nothing_helps():
    draft = (0.3,)
    u, k, ask, text = best_amendment(
        draft, lambda t: 1 - abs(t[0] - 0.3), lambda k, v: (v,), lambda k: (0.0, 1.0), 1
    )
    assert (k, ask, text) == (None, None, draft) and u == 1.0


def test_counterparts_under_action_for_action():
    dprk_side = counterparts("DPRK")
    assert dprk_side("US") and dprk_side("Japan") and not dprk_side("DPRK")
    japan_side = counterparts("Japan")
    assert japan_side("DPRK") and not japan_side("US")


def test_split_dues_keeps_open_steps_of_the_party_and_its_counterparts():
    dues = [
        _due("DPRK", "dprk_action", 0.1),
        _due("US", "aid"),
        _due("Japan", "aid", delivered=10.0),  # done: not shown
        _due("US", "delisting", 1.0, tranche=4),
    ]
    mine, theirs = split_dues("DPRK", dues)
    assert [d.kind for d in mine] == ["dprk_action"]
    assert [(d.party, d.kind) for d in theirs] == [("US", "aid"), ("US", "delisting")]
    mine, theirs = split_dues("US", dues)
    assert [d.kind for d in mine] == ["aid", "delisting"] and [d.party for d in theirs] == ["DPRK"]
    assert dues[1].remaining == 10.0 and dues[2].remaining == 0.0


def _briefing(**kw):
    issues = ("a", "b")
    parties = ("DPRK", "US")
    base = dict(
        party="US",
        month="2005-09",
        session=7,
        invited_by="chair",
        target="joint_statement",
        issues=issues,
        parties=parties,
        draft=(0.5, 0.4),
        positions=((0.1, 0.2), (0.9, 0.4)),
        salience=(1.0, 0.5),
        u_accept=0.7,
        u_amend=0.8,
        amend_issue="a",
        amend_to=1.0,
        amended_draft=(0.7, 0.4),
        u_walk_away=0.75,
        readiness=0.6,
        attend_threshold=0.5,
        recommend_attend=True,
        attend_reason="ready",
        recommend="amend",
        recommend_issue="a",
        reason="below_walking_away",
        commitment_trust=0.3,
        trust_needed=None,
    )
    base.update(kw)
    return SeatBriefing(**base)


def test_briefing_rows_put_the_draft_beside_every_position():
    rows = _briefing().rows()
    assert rows[0] == {
        "issue": "a",
        "draft": 0.5,
        "own": 0.9,
        "gap": pytest.approx(-0.4),
        "salience": 1.0,
        "amended": 0.7,
        "DPRK": 0.1,
    }
    assert rows[1]["amended"] is None and rows[1]["gap"] == pytest.approx(0.0)
    assert _briefing().position("DPRK") == (0.1, 0.2)
