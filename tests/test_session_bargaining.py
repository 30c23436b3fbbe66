"""Sessions on the expected-utility core (issue 10, deliverables 2 and 3).

Axelrod-style: each test scripts a state and checks one decision against the
rule the docs cite — the chair drafts Bueno de Mesquita's forecast (weighted
median), positions move by the round's offers, a party signs only a text worth
at least its disagreement value (Nash 1950), the DPRK's outside option moves
with its tests and with sanctions through state, sessions end converged or in
a declared deadlock, never by the cap.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import minimal_scenario_dict
from sixparty.bargaining import BargainingState, bargaining_round, weighted_median
from sixparty.model import Session, TalksModel
from sixparty.parties import ACCEPT, ALL, AMEND, DPRK_I, JAPAN_I, NORM, SANC, US_I
from sixparty.runner import simulate
from sixparty.scenario import ISSUES, Scenario


def _model(mutate=None, seed: int = 1) -> TalksModel:
    data = minimal_scenario_dict()
    data["parameters"]["noise"] = 0.0
    if mutate:
        mutate(data)
    m = TalksModel(Scenario.model_validate(data), seed=seed)
    m.round[:], m.round_phase[:] = 1, 1
    return m


def _bargain(m: TalksModel) -> Session:
    s = Session(len(m.sessions), 1, 1, m.month, "test", held=True)
    m.sessions.append(s)
    m._bargain(np.array([0]), [s])
    return s


# ------------------------------------------------------------------ drafting
def test_every_draft_is_the_weighted_median_of_the_positions_it_was_drafted_from():
    m = _model(lambda d: d["parameters"].update(chair_patience=14, stall_iterations=100))
    seen = []
    orig = m.parties[2].draft

    def spy(r=ALL, salience=None, positions=None, forecast=None):
        text = orig(r, salience, positions, forecast)
        assert text.shape == (1, len(ISSUES))  # one row: the single replicate's draft
        w = m.cap[0][:, None] * m.bargaining_salience()[0]
        offers = m.pos[0] if positions is None else positions[0]
        seen.append((text[0].copy(), weighted_median(offers.T, w.T)))
        return text

    m.parties[2].draft = spy
    s = _bargain(m)
    assert len(s.drafts) >= 2
    for text, median in seen:
        assert np.array_equal(text, median)
    for d in s.drafts:  # every recorded draft is one of the chair's medians
        assert any(np.array_equal(d, t) for t, _ in seen)


def test_positions_move_by_the_expected_utility_round():
    """One draft that nobody accepts: every position (but the issues a class
    keeps) is where its best offer in the round takes it."""
    m = _model(
        lambda d: d["parameters"].update(
            acceptance_radius=0.0,
            chair_patience=1,
            slack_chairmans_statement=0.0,
            slack_joint_statement=0.0,
        )
    )
    m.parties[JAPAN_I].strategy.abductee_linkage = False  # no class holds an issue here
    m.domestic[0, US_I] = 0.0
    before = m.pos[0].copy()
    res = bargaining_round(
        BargainingState(before[None].copy(), m.cap, m.bargaining_salience(), 1.0),
        m.bargaining_parameters(),
    )
    s = _bargain(m)
    # chair_patience 1: draft 1 sets the best count, moves; draft 2 is the first idle one.
    assert s.iterations == 2 and s.ending == "deadlock"
    first_move = res.positions[0]
    assert not np.allclose(first_move, before)
    # the second round started from the first round's result
    res2 = bargaining_round(
        BargainingState(first_move[None].copy(), m.cap, m.bargaining_salience(), 1.0),
        m.bargaining_parameters(),
    )
    assert np.allclose(m.pos[0], first_move)  # the deadlock ended the session before round 2 moved
    assert s.conflicts + s.compromises + s.capitulations == int(
        np.sum((res.accepted_outcome[0] > 0) & (res.positions[0] != before))
    )
    assert res2.median.shape == (1, len(ISSUES))


# ---------------------------------------------------------------- acceptance
def test_a_party_signs_only_a_text_worth_its_disagreement_value():
    m = _model()
    china = m.parties[2]
    dv = china.disagreement_value(0)
    assert dv == pytest.approx(1.0 - china.radius(0))  # no outside option: the win-set edge
    level = "joint_statement"
    slack = m.params.slack_joint_statement[0]
    text = china.position[0]
    assert china.text_utility(text, level, True, 0) == 1.0 >= dv
    assert china.accepts(text, level, True, 0)
    # A scripted text just below / just above the disagreement value.
    for margin, expected in ((-0.01, False), (0.01, True)):
        d = 1.0 - (dv + margin) + slack  # distance that gives utility dv + margin
        assert bool(china.accepts(text, level, True, 0, d=d)) is expected


def test_an_outside_option_raises_the_disagreement_value_and_the_bar():
    m = _model()
    rok = m.parties[3]
    d = rok.radius(0) * 0.8  # inside the win-set without an outside option
    assert rok.accepts(
        rok.position[0], "joint_statement", True, 0, d=d + m.params.slack_joint_statement[0]
    )
    m.outside[0, 3] = 0.5  # its BATNA improves: the win-set halves
    assert rok.disagreement_value(0) == pytest.approx(1.0 - 0.5 * rok.radius(0))
    assert not rok.accepts(
        rok.position[0], "joint_statement", True, 0, d=d + m.params.slack_joint_statement[0]
    )


def test_dprk_acceptance_moves_with_its_tests_and_with_sanctions_through_state():
    """Brinkmanship as a decision: a test raises the DPRK's outside option, so
    a text it would sign before it refuses after; sanctions lower the outside
    option again.  Nothing reads an event's type: only ``outside`` and
    ``sanctions`` change."""
    m = _model()
    dprk = m.parties[DPRK_I]
    m.sanctions[:] = 0.0
    m.outside[0, DPRK_I] = 0.0
    level = "chairmans_statement"
    slack = m.params.slack_chairmans_statement[0]
    d = 0.9 * dprk.radius(0) + slack  # a text just inside its win-set
    text = dprk.position[0]
    assert dprk.accepts(text, level, True, 0, d=d)
    # The outside option a nuclear test gives (the model's test_outcomes figure).
    m.progress[:] = 0.0
    feasible, gain, _ = dprk.test_outcomes(0)["nuclear"]
    assert feasible and gain > 0
    m.outside[0, DPRK_I] += gain
    assert dprk.disagreement_value(0) > 1.0 - dprk.radius(0)
    assert not dprk.accepts(text, level, True, 0, d=d)
    # Sanctions lower its outside option: the same text is signed again.
    m.sanctions[:] = gain / m.params.dprk_outside_sanctions[0]
    assert dprk.outside_option(0) == pytest.approx(0.0, abs=1e-12)
    assert dprk.accepts(text, level, True, 0, d=d)
    # The base class reads ``outside`` only: sanctions do not lower others' outside options.
    m.outside[0, US_I] = 0.2
    assert m.parties[US_I].outside_option(0) == pytest.approx(0.2)


def test_a_joint_document_also_needs_trust_in_the_counterpart():
    m = _model()
    dprk = m.parties[DPRK_I]
    m.shift_trust(DPRK_I, US_I, -1.0)
    assert dprk.commitment_trust(0) < m.params.commitment_trust[0]
    assert dprk.accepts(dprk.position[0], "joint_statement", True, 0)
    assert not dprk.accepts(dprk.position[0], "joint_document", True, 0)


# ------------------------------------------------- modifiers in each class
def test_resolve_and_domestic_constraint_raise_resistance():
    m = _model()
    q = m.parties[3]
    m.resolve[0, 3], m.domestic[0, 3] = 0.0, 0.0
    assert np.allclose(q.bargaining_salience(), q.salience)
    m.resolve[0, 3] = 0.5
    mid = q.bargaining_salience()
    assert np.all(mid >= q.salience) and np.any(mid > q.salience)
    m.domestic[0, 3] = 1.0
    assert np.all(q.bargaining_salience() >= mid)
    m.resolve[0, 3] = 1.0
    assert np.allclose(q.bargaining_salience(), 1.0)  # never yields: always resists


def test_japan_and_the_us_keep_the_issues_they_will_not_bargain_over():
    m = _model()
    japan, us = m.parties[JAPAN_I], m.parties[US_I]
    before, after = np.zeros((1, len(ISSUES))), np.ones((1, len(ISSUES)))  # one row per replicate
    japan.strategy.abductee_linkage = True
    assert japan.bargaining_salience()[0, NORM] == 1.0
    assert japan.hold_in_round(before, after)[0, NORM] == 0.0
    japan.strategy.abductee_linkage = False
    assert np.array_equal(japan.hold_in_round(before, after), after)
    m.domestic[0, US_I] = 0.9
    assert us.bargaining_salience()[0, SANC] == 1.0
    kept = us.hold_in_round(before, after)
    assert kept[0, SANC] == 0.0 and kept[0, 0] == 1.0
    m.domestic[0, US_I] = 0.1
    assert np.array_equal(us.hold_in_round(before, after), after)


def test_a_human_seat_keeps_its_position_through_the_rounds():
    def run(seat):
        m = _model(lambda d: d["parameters"].update(chair_patience=14))
        if seat:
            m.take_seat(seat)
        start = m.pos.copy()
        _bargain(m)
        return start, m.pos.copy()

    start, end = run("US")
    assert np.array_equal(end[0, US_I], start[0, US_I])
    start0, end0 = run(None)
    assert not np.array_equal(end0[0, US_I], start0[0, US_I])


# ------------------------------------------------------------ session end
def test_historical_sessions_end_converged_or_in_deadlock_never_by_the_cap():
    from sixparty.loader import load_scenario

    r = simulate(load_scenario("historical"), seed=0)
    held = [s for s in r.sessions if s["held"]]
    assert held
    assert {s["ending"] for s in held} <= {"converged", "deadlock"}
    assert not any("bound" in s["notes"] for s in held)
    assert all(s["iterations"] < r.scenario.parameters.max_iterations for s in held)
    assert sum(s["conflicts"] + s["compromises"] + s["capitulations"] for s in held) > 0


def test_the_fixed_share_model_is_kept_for_comparison():
    m = _model(lambda d: d["parameters"].update(expected_utility_sessions=False))
    s = _bargain(m)
    assert s.ending in ("converged", "deadlock")
    assert s.conflicts == s.compromises == s.capitulations == 0


# ------------------------------------------------------------------- Zeuthen
def _zeuthen_model(on=True):
    m = _model(lambda d: d["parameters"].update(zeuthen_dprk_us=on, acceptance_radius=0.5))
    m.domestic[:] = 0.0
    m.outside[:] = 0.0
    m.sal[:] = 1.0
    m.pos[0, DPRK_I] = m.anchor[0, DPRK_I] = 0.2
    m.pos[0, US_I] = m.anchor[0, US_I] = 0.6
    return m


#: The six verdicts of a stalled draft: the DPRK and the US amend, the rest accept.
STALLED = np.array([AMEND, AMEND] + [ACCEPT] * 4)


def test_zeuthen_the_smaller_risk_limit_concedes_and_the_other_holds():
    m = _zeuthen_model()
    dprk, us = m.parties[DPRK_I], m.parties[US_I]
    m.outside[0, US_I] = 0.5  # the US has the better alternative: it can bear more risk
    d_pos, u_pos = dprk.position[0], us.position[0]
    r_d = float(dprk.risk_limit(d_pos, u_pos, 0))
    r_u = float(us.risk_limit(u_pos, d_pos, 0))
    assert r_d < r_u
    out = m._zeuthen(0, STALLED, idle=int(m.params.stall_iterations[0]))
    assert np.array_equal(out[US_I], u_pos)  # holds its offer
    moved = out[DPRK_I] - d_pos
    assert np.all(moved > 0)  # toward the US
    # Minimal: after it, the DPRK's risk limit is at least the US's; one grid step less is not.
    assert dprk.risk_limit(out[DPRK_I], u_pos, 0) >= us.risk_limit(u_pos, out[DPRK_I], 0)
    step = (u_pos - d_pos) / m.params.zeuthen_grid
    less = out[DPRK_I] - step
    assert dprk.risk_limit(less, u_pos, 0) < us.risk_limit(u_pos, less, 0)
    # Flip the outside options: now the US concedes.
    m.outside[0, US_I], m.outside[0, DPRK_I] = 0.0, 0.5
    out = m._zeuthen(0, STALLED, idle=int(m.params.stall_iterations[0]))
    assert np.array_equal(out[DPRK_I], d_pos) and np.all(out[US_I] < u_pos)


def test_zeuthen_acts_only_when_switched_on_stalled_and_between_the_dprk_and_the_us():
    # The switch is read where the session consults Zeuthen's principle
    # (TalksModel._bargain): switched off, a session never consults it.
    def consulted(on: bool) -> int:
        m = _model(lambda d: d["parameters"].update(zeuthen_dprk_us=on))
        calls = []
        orig = m._zeuthen

        def spy(*args, **kwargs):
            calls.append(args)
            return orig(*args, **kwargs)

        m._zeuthen = spy
        assert _bargain(m).iterations > 1  # drafts after the first: room to consult it
        return len(calls)

    assert consulted(on=False) == 0
    assert consulted(on=True) > 0
    m = _zeuthen_model()
    assert m._zeuthen(0, STALLED, idle=int(m.params.stall_iterations[0]) - 1) == {}
    others = np.array([AMEND, AMEND, AMEND] + [ACCEPT] * 3)
    assert m._zeuthen(0, others, idle=10) == {}  # China holds out too
    assert m._zeuthen(0, STALLED, idle=10)


def test_zeuthen_never_concedes_below_the_disagreement_value():
    m = _zeuthen_model()
    dprk, us = m.parties[DPRK_I], m.parties[US_I]
    m.outside[0, US_I] = 0.9  # the US will bear almost any risk
    new = dprk.zeuthen_concession(us, 0)
    assert dprk.reference_utility(new, 0) >= dprk.disagreement_value(0)
    # Already beyond its disagreement value measured from its anchor (0.2), with
    # the US farther still: any concession is worse than breakdown, it stands firm.
    m.pos[0, DPRK_I], m.pos[0, US_I] = 0.75, 0.9
    assert dprk.reference_utility(dprk.position[0], 0) < dprk.disagreement_value(0)
    assert np.array_equal(dprk.zeuthen_concession(us, 0), m.pos[0, DPRK_I])


# ------------------------------------------- offers and positions (KTAB ideals)
def _spy_offers(m):
    """Record, at every draft, the offers it is drafted from and the positions."""
    seen = []
    orig = m.parties[2].draft

    def spy(r=ALL, salience=None, positions=None, forecast=None):
        offers = m.pos[0] if positions is None else positions[0]  # None: the opening draft
        seen.append((offers.copy(), m.pos[0].copy()))
        return orig(r, salience, positions, forecast)

    m.parties[2].draft = spy
    return seen


@pytest.mark.parametrize("a", [0.0, 0.5, 1.0])
def test_positions_follow_the_offers_by_ideal_accommodation(a):
    """KTAB's newIdeals with accommodation a I: after each round the position
    moves the share a of the way to the offer; a = 1 makes them equal (the
    model before offers and positions were told apart), a = 0 leaves the
    positions where the session found them."""
    m = _model(
        lambda d: d["parameters"].update(
            chair_patience=14, stall_iterations=100, ideal_accommodation=a
        )
    )
    start = m.pos[0].copy()
    seen = _spy_offers(m)
    _bargain(m)
    assert len(seen) >= 3
    assert np.array_equal(seen[0][0], start)  # offers open at the positions
    moved = False
    for (_, pos_before), (offers, pos_after) in zip(seen, seen[1:], strict=False):
        assert np.allclose(pos_after, (1 - a) * pos_before + a * offers, atol=1e-12)
        moved |= not np.allclose(offers, start)
    assert moved  # the offers did move in the rounds
    if a == 0.0:
        assert np.array_equal(m.pos[0], start)
    if a == 1.0:
        assert all(np.array_equal(o, p) for o, p in seen[1:])


def test_a_party_values_texts_from_its_position_not_its_offer():
    """With a = 0 a capitulation in the rounds moves the offer only: the
    party still judges the texts from where it stood (its utility of the
    final text is measured from the unchanged position)."""
    m = _model(
        lambda d: d["parameters"].update(
            chair_patience=14, stall_iterations=100, ideal_accommodation=0.0
        )
    )
    start = m.pos[0].copy()
    s = _bargain(m)
    for q in m.parties:
        d = np.sum(np.abs(s.text - start[q.idx]) * m.sal[0, q.idx]) / m.sal[0, q.idx].sum()
        assert s.utilities[q.idx] == pytest.approx(1.0 - d)


def test_stated_salience_switch_gives_the_published_models_salience():
    m = _model(lambda d: d["parameters"].update(bdm_stated_salience=True))
    for q in m.parties:
        s = q.bargaining_salience(np.array([0]))[0]
        expected = m.sal[0, q.idx].copy()
        if q.idx == US_I and q.sanctions_off_the_table(np.array([0]))[0]:
            expected[SANC] = 1.0
        if q.idx == JAPAN_I and q.strategy.abductee_linkage:
            expected[NORM] = 1.0
        assert np.array_equal(s, expected), q.key
    d = _model()
    assert (d.parties[US_I].bargaining_salience(np.array([0]))[0] >= d.sal[0, US_I]).all()


# ---------------------------------------------- offers within the win-set (Putnam 1988)
def _anchor_utility(m: TalksModel, i: int, x: np.ndarray) -> float:
    s = m.sal[0, i]
    return 1.0 - float(np.sum(np.abs(x - m.anchor[0, i]) * s) / s.sum())


def test_a_move_inside_the_win_set_is_taken_whole():
    m = _model()
    q = m.parties[US_I]
    before = m.anchor[0, US_I].copy()[None, :]
    after = before.copy()
    after[0, 0] -= 0.01  # a small concession on denuclearization
    assert _anchor_utility(m, US_I, after[0]) >= q.disagreement_value(np.array([0]))[0]
    out = q.within_win_set(before, after, np.array([0]))
    assert np.array_equal(out, after)


def test_a_move_across_the_win_sets_edge_stops_at_the_edge():
    m = _model()
    r = np.array([0])
    for q in m.parties:
        before = m.anchor[0, q.idx].copy()[None, :]
        after = 1.0 - before  # the far corner: far outside anyone's win-set
        d = float(q.disagreement_value(r)[0])
        assert _anchor_utility(m, q.idx, after[0]) < d
        out = q.within_win_set(before, after, r)[0]
        assert _anchor_utility(m, q.idx, out) == pytest.approx(d, abs=1e-9), q.key
        lam = (out - before[0]) / np.where(after[0] != before[0], after[0] - before[0], 1.0)
        moved = after[0] != before[0]
        assert np.allclose(lam[moved], lam[moved][0])  # on the segment, not off it
        assert 0.0 < lam[moved][0] < 1.0


def test_an_offer_already_outside_the_win_set_moves_no_further_out():
    m = _model()
    r = np.array([0])
    q = m.parties[DPRK_I]
    outside = 1.0 - m.anchor[0, DPRK_I]
    before = (m.anchor[0, DPRK_I] + 0.8 * (outside - m.anchor[0, DPRK_I]))[None, :]
    assert _anchor_utility(m, DPRK_I, before[0]) < q.disagreement_value(r)[0]
    out = q.within_win_set(before, outside[None, :], r)
    assert np.array_equal(out, before)  # further out: no move at all
    inward = m.anchor[0, DPRK_I][None, :]
    assert np.array_equal(q.within_win_set(before, inward, r), inward)  # back in: whole


@pytest.mark.parametrize("on", [False, True])
def test_the_win_set_switch_bounds_every_offer_in_a_session(on):
    m = _model(lambda d: d["parameters"].update(offers_within_win_set=on))
    start = m.pos[0].copy()
    seen = []
    orig = m.parties[2].draft

    def spy(r=ALL, salience=None, positions=None, forecast=None):
        if positions is not None:  # a round's draft (the first draft reads the positions)
            seen.append(positions[0].copy())
        return orig(r, salience, positions, forecast)

    m.parties[2].draft = spy
    s = _bargain(m)
    assert len(seen) >= 2
    r = np.array([0])
    d = np.array([q.disagreement_value(r)[0] for q in m.parties])
    floor = np.minimum(d, [_anchor_utility(m, i, start[i]) for i in range(6)])
    below = [
        [_anchor_utility(m, i, offers[i]) < floor[i] - 1e-9 for i in range(6)] for offers in seen
    ]
    codes = [c.code for c in s.reasons]
    if on:
        assert not np.any(below)
        assert "win_set_bounds" in codes
    else:  # the published model's moves cross the edge in this state
        assert np.any(below)
        assert "win_set_bounds" not in codes


def test_a_human_seat_has_no_moves_cut_at_the_win_set():
    """A seat's offer is the position its player chose: the note does not count it."""

    def moves(seat):
        m = _model(lambda d: d["parameters"].update(offers_within_win_set=True))
        if seat:
            m.take_seat(seat)
        s = _bargain(m)
        got = [dict(c.values)["moves"] for c in s.reasons if c.code == "win_set_bounds"]
        return dict(got[0]) if got else {}

    assert "DPRK" in moves(None)  # the agent's moves are cut in this state
    assert "DPRK" not in moves("DPRK")
