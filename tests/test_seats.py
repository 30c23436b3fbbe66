"""Several human seats in one model: taking and leaving seats, the briefing a
seat is shown before a session (the chair's draft, the positions, the three
utilities, the agent's recommendation), what is due during implementation,
and the per-party waiting of the classroom model."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest
from sixparty.loader import load_scenario
from sixparty.model import SeatOrders, TalksModel
from sixparty.parties import US_I, VERDICTS
from sixparty.runner import tables
from sixparty.scenario import ISSUES, PARTIES
from sixparty.seat import ATTEND_REASONS, RESPOND_REASONS, SeatBriefing


@pytest.fixture(scope="module")
def historical():
    return load_scenario("historical")


def _to_first_session(m: TalksModel, parties=("DPRK",)):
    while m.running:
        b = m.previews(parties)
        if b:
            return b
        m.step()
    raise AssertionError("no session in the window")


# ------------------------------------------------------------ take / leave
# ------------------------------------------------------------ take / leave
def test_seats_are_taken_and_left_and_seat_is_the_single_one(historical):
    m = TalksModel(historical, seed=0)
    assert m.seats == {} and m.seat is None and m.seat_orders is None
    o = m.take_seat("Japan")
    assert isinstance(o, SeatOrders) and m.seat == "Japan" and m.seat_orders is o
    m.take_seat("DPRK")
    assert list(m.seats) == ["DPRK", "Japan"]  # party order, whatever the order taken
    assert m.seat is None  # several seats: no single one
    assert m.take_seat("DPRK") is m.seats["DPRK"]  # taking it again keeps its orders
    m.leave_seat("DPRK")
    m.leave_seat("Russia")  # nobody holds it: no-op
    assert m.seat == "Japan"
    with pytest.raises(ValueError, match="unknown party 'France'"):
        m.take_seat("France")
    with pytest.raises(AttributeError):
        m.seat = "US"  # read-only


def test_two_seats_keep_their_positions_through_a_session(historical):
    m = TalksModel(historical, seed=0)
    found = _to_first_session(m, ("DPRK", "US"))
    for k in ("DPRK", "US"):
        o = m.take_seat(k)
        o.attend, o.respond = True, "reject"
    n = len(m.sessions)
    m.step()
    s = m.sessions[n]
    assert s.held and s.iterations > 1
    # the rounds moved the agents' positions, never the seats' (rejecting keeps them)
    assert not np.allclose(m.pos[0, PARTIES.index("China")], found["DPRK"].position("China"))
    for k in ("DPRK", "US"):
        assert np.array_equal(m.pos[0, PARTIES.index(k)], found[k].position(k))


def test_an_empty_seat_goes_back_to_the_agent_at_once(historical):
    agent = TalksModel(historical, seed=3)
    agent.run()
    m = TalksModel(historical, seed=3)
    o = m.take_seat("ROK")
    o.attend, o.respond = False, None
    m.leave_seat("ROK")
    m.run()
    assert tables(m).timeline == tables(agent).timeline


# ------------------------------------------------------------ the preview
def test_preview_then_step_is_the_same_run_as_step_alone(historical):
    plain = TalksModel(historical, seed=5)
    plain.run()
    m = TalksModel(historical, seed=5)
    n = 0
    while m.running:
        n += len(m.previews(tuple(PARTIES)))
        m.step()
    assert n > 0
    a, b = tables(m), tables(plain)
    for name in ("timeline", "sessions", "decisions", "ledger"):
        assert repr(getattr(a, name)) == repr(getattr(b, name))  # repr: NaN equals NaN
    assert np.array_equal(m.pos_hist, plain.pos_hist)


def test_the_preview_is_the_text_the_session_tables(historical):
    m = TalksModel(historical, seed=0)
    held = 0
    while m.running and held < 4:
        found = m.previews(("DPRK", "Japan"))
        n = len(m.sessions)
        m.step()
        if not found:
            assert len(m.sessions) == n  # no preview, no session
            continue
        s = m.sessions[n]
        b = found["DPRK"]
        assert (b.session, b.invited_by) == (s.session_id + 1, s.invited_by)
        assert b.draft == found["Japan"].draft
        if s.held:
            held += 1
            assert np.allclose(b.draft, s.drafts[0]) and b.target == s.target
    assert held == 4


def test_briefing_holds_positions_utilities_and_the_agents_recommendation(historical):
    m = TalksModel(historical, seed=0)
    found = _to_first_session(m, tuple(PARTIES))
    assert set(found) == set(PARTIES)
    for key, b in found.items():
        assert isinstance(b, SeatBriefing) and b.party == key
        assert b.issues == tuple(ISSUES) and b.parties == tuple(PARTIES)
        assert len(b.draft) == len(ISSUES) and len(b.positions) == 6
        assert all(len(r) == len(ISSUES) for r in b.positions)
        assert b.u_amend >= b.u_accept  # the best amendment is never worse than none
        assert (b.amend_issue is None) == (b.amend_to is None)
        assert b.recommend in ("accept", "amend", "reject") and b.reason in RESPOND_REASONS
        assert (b.reason == "worth_signing") == (b.recommend == "accept")
        assert (b.recommend_issue is not None) == (b.recommend == "amend")
        assert b.attend_reason in ATTEND_REASONS
        assert b.recommend_attend == (b.readiness > b.attend_threshold)
        if b.recommend == "accept":
            assert b.u_accept >= b.u_walk_away
        if b.reason == "below_walking_away":
            assert b.u_accept < b.u_walk_away
    b = found["US"]
    rows = b.rows()
    assert [r["issue"] for r in rows] == list(ISSUES)
    assert rows[0]["own"] == b.position("US")[0] and rows[0]["DPRK"] == b.position("DPRK")[0]
    assert "US" not in rows[0]  # the seat's own column is "own"
    with pytest.raises(dataclasses.FrozenInstanceError):
        b.u_accept = 0.0  # type: ignore[misc]


def test_walking_away_is_the_disagreement_value_and_accepting_the_text_utility(historical):
    """The briefing's numbers are the party's own methods at the session."""
    m = TalksModel(historical, seed=0)
    _to_first_session(m)
    seen = {}

    def hook(twin, s):
        q = twin.parties[PARTIES.index("ROK")]
        draft = twin.first_draft(0)
        target = twin._target_level(0)
        contact = twin.parties[US_I].allows_direct_contact(0)  # as the session will record it
        seen["d"] = q.disagreement_value(0)
        seen["u"] = q.text_utility(draft, target, contact, 0)
        seen["verdict"] = VERDICTS[int(q.respond(draft, target, contact, 0)[0])]
        raise RuntimeError("stop")

    b = m.session_preview("ROK")
    twin = copy.deepcopy(m)
    twin._preview_hook = hook
    with pytest.raises(RuntimeError, match="stop"):
        twin.step()
    assert b.u_walk_away == seen["d"] and b.u_accept == seen["u"]
    assert b.recommend == seen["verdict"]


def test_the_recommendation_is_what_the_agent_then_answers(historical):
    m = TalksModel(historical, seed=0)
    answers: list = []
    respond = m._responses

    def recording(reps, text, contact, targets, dist):
        verdicts, issues = respond(reps, text, contact, targets, dist)
        n = len(m.sessions[-1].drafts)  # the draft being answered is recorded first
        answers.extend((n, key, VERDICTS[v]) for key, v in zip(PARTIES, verdicts[0], strict=True))
        return verdicts, issues

    m._responses = recording
    checked = 0
    while m.running and checked < 5:
        found = m.previews(tuple(PARTIES))
        answers.clear()
        m.step()
        if not found or not m.sessions[-1].held:
            continue
        first = {k: v for n, k, v in answers if n == 1}
        assert first == {k: b.recommend for k, b in found.items()}
        checked += 1
    assert checked == 5


def test_the_amended_draft_is_the_chairs_next_draft_in_the_session(historical):
    """Under the expected-utility session, the briefing's amendment is what
    the chair tables next when the seat asks for it."""
    m = TalksModel(historical, seed=0)
    o = m.take_seat("US")
    checked = 0
    while m.running and checked < 3:
        b = m.session_preview("US")
        if b is None or b.amend_issue is None:
            o.attend = o.respond = o.amend_issue = o.amend_to = None
            m.step()
            continue
        o.attend, o.respond, o.amend_issue, o.amend_to = True, "amend", b.amend_issue, b.amend_to
        n = len(m.sessions)
        m.step()
        s = m.sessions[n]
        if s.held and len(s.drafts) >= 2:
            k = ISSUES.index(b.amend_issue)
            assert np.allclose(s.drafts[0], b.draft)
            assert s.drafts[1][k] == pytest.approx(b.amended_draft[k])
            assert b.u_amend > b.u_accept
            checked += 1
    assert checked == 3


def test_amending_under_the_fixed_share_rules_pulls_the_draft(historical):
    sc = historical.model_copy(deep=True)
    sc.parameters.expected_utility_sessions = False
    m = TalksModel(sc, seed=0)
    found = _to_first_session(m, tuple(PARTIES))
    gains = [b for b in found.values() if b.amend_issue is not None]
    assert gains, "some party gains by an amendment when amendments pull the text"
    for b in gains:
        assert b.u_amend > b.u_accept
        k = ISSUES.index(b.amend_issue)
        me = b.position(b.party)[k]
        assert abs(b.amended_draft[k] - me) < abs(b.draft[k] - me)  # toward the party


def test_preview_outside_a_session_month_is_none(historical):
    m = TalksModel(historical, seed=0)
    while m.running and m.previews(("DPRK",)):
        m.step()
    assert m.session_preview("DPRK") is None
    with pytest.raises(ValueError, match="unknown party"):
        m.session_preview("France")
    m.run()
    assert m.session_preview("DPRK") is None  # the window is over


# ----------------------------------------------------- implementation dues
def test_implementation_preview_lists_own_and_counterpart_dues(historical):
    # The first seed whose run adopts a phase with aid (the initial actions),
    # stopped in the month it does: the preview, not the history, is under test.
    for seed in range(20):
        m = TalksModel(historical, seed=seed)
        while m.running and not any(s.kind == "aid" for s in m.ledger.steps):
            m.step()
        if m.running:
            break
    assert any(s.kind == "aid" for s in m.ledger.steps), "no phase with aid adopted in 20 runs"
    d = m.implementation_preview("DPRK")
    assert d.phase is not None
    assert d.mine and all(x.party == "DPRK" and x.kind == "dprk_action" for x in d.mine)
    assert d.theirs and all(x.party != "DPRK" for x in d.theirs)
    assert any(x.kind == "aid" and x.amount > 1000 for x in d.theirs)  # tonnes
    assert all(len(x.due) == 7 for x in d.mine + d.theirs)  # YYYY-MM
    j = m.implementation_preview("Japan")
    assert all(x.party == "DPRK" for x in j.theirs)
    assert all(x.party == "Japan" for x in j.mine)


# ------------------------------------------------------------ a seat's verdict
def test_accepting_a_draft_does_not_rewrite_the_seats_positions(historical):
    """A seat's accept is its verdict on the text, not a new position: the
    session leaves the seat's row where the briefing showed it (it used to
    become the accepted text, and stayed so for the rest of the game)."""
    m = TalksModel(historical, seed=20030827)
    o = m.take_seat("DPRK")
    o.attend, o.respond = True, "accept"
    d = PARTIES.index("DPRK")
    checked = 0
    for _ in range(10):
        b = m.session_preview("DPRK")
        n = len(m.sessions)
        m.step()
        if b is None or not m.sessions[n].held:
            continue
        assert not np.allclose(m.sessions[n].text, b.position("DPRK"))  # a text to accept
        assert np.array_equal(m.pos[0, d], b.position("DPRK"))
        checked += 1
    assert checked >= 2


def test_an_accepting_seat_signs_and_a_rejecting_seat_does_not(historical):
    """The seat's standing order decides whether its delegation signs the
    document at the session's end, not its agent's acceptance rule."""
    for respond in ("accept", "reject"):
        m = TalksModel(historical, seed=20030827)
        o = m.take_seat("DPRK")
        o.attend, o.respond = True, respond
        held = 0
        for _ in range(48):
            n = len(m.sessions)
            m.step()
            for s in m.sessions[n:]:
                if not s.held:
                    continue
                held += 1
                out = [k for c in s.reasons if c.code == "holdouts" for k in c.as_dict()["parties"]]
                if respond == "accept":
                    assert "DPRK" not in out, (s.month, out)
                else:
                    assert "DPRK" in out and s.document in ("none", "oral_summary")
        assert held >= 3
