"""Each party class's distinctive behaviour: one test per behaviour.

Each test compares the behaviour switched on with the same situation where
it is switched off (or with the base class), so removing the behaviour from
the class makes the test fail.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from conftest import minimal_scenario_dict
from sixparty.model import DOC_LEVELS, Session, TalksModel
from sixparty.parties import (
    AID,
    AMEND,
    CHINA_I,
    DEN,
    DPRK_I,
    FMT,
    JAPAN_I,
    NORM,
    PARTICIPATING,
    ROK_I,
    RUSSIA_I,
    SANC,
    SEQ,
    STANCE_DECISIONS,
    STANCES,
    SUSPENDED,
    US_I,
    WALKED_OUT,
    Party,
)
from sixparty.reasons import clause, render
from sixparty.scenario import ISSUES, Scenario

#: Codes of :meth:`DPRK.choose_test` (one per replicate).
NO_TEST, MISSILE, NUCLEAR = 0, 1, 2
#: The single replicate of these models, as an index array.
REP0 = np.array([0])


def make_model(mutate=None, seed: int = 1) -> TalksModel:
    data = minimal_scenario_dict()
    if mutate:
        mutate(data)
    return TalksModel(Scenario.model_validate(data), seed=seed)


# ---------------------------------------------------------------- DPRK
def test_dprk_demands_direct_contact_with_the_us():
    m = make_model()
    dprk = m.parties[DPRK_I]
    text = dprk.position[0].copy()
    text[:] = np.clip(text + 0.9 * dprk.radius(0), 0, 1)  # just inside the win-set
    assert dprk.accepts(text, "joint_statement", True, 0)
    assert not dprk.accepts(text, "joint_statement", False, 0)
    # The base class perceives no such grievance.
    assert Party.penalty(dprk, False, 0) == 0.0


def test_dprk_links_attendance_to_sanctions():
    m = make_model()
    dprk = m.parties[DPRK_I]
    m.sanctions[:] = 0.0
    free = dprk.attend_score()[0]
    m.sanctions[:] = 0.8
    sanctioned = dprk.attend_score()[0]
    assert sanctioned < free - 0.2
    dprk.strategy.sanctions_linkage = False
    assert dprk.attend_score()[0] == pytest.approx(free)


def test_dprk_answers_pressure_with_a_test_and_the_us_with_sanctions():
    m = make_model()
    dprk = m.parties[DPRK_I]
    m.grievance[:] = 1.0
    m.params.test_threshold = 0.1
    dprk.strategy.escalation = 1.0
    m.stance[:] = SUSPENDED  # out of the talks: a test forfeits none
    before = m.sanctions.copy()
    m.consider_escalation(dprk)
    assert m.tests, "a DPRK under pressure far above its threshold should test"
    assert m.sanctions[0] > before[0]
    assert any(d[2].endswith("_test") for d in m.decisions)
    # Without the propensity to escalate, no test.
    m2 = make_model()
    m2.grievance[:] = 1.0
    m2.params.test_threshold = 0.1
    m2.parties[DPRK_I].strategy.escalation = 0.0
    m2.consider_escalation(m2.parties[DPRK_I])
    assert not m2.tests


def test_dprk_demands_simultaneity_within_a_tranche():
    """With no aid delivered, the DPRK does at most (1 - simultaneity) of its step."""

    def strict(d):
        d["parties"]["DPRK"]["strategy"] = {"simultaneity": 1.0}
        for p in ("US", "China", "ROK", "Japan", "Russia"):
            d["parties"][p]["trust"] = {"DPRK": 0.0}

    m = make_model(strict)
    m.agreed_text[0] = m.pos[0].mean(axis=0)
    m.has_agreed_text[0] = True
    m.ledger.adopt(0, m.spec.phases[0], m.month, (1, 2, 3, 4, 5), DPRK_I, US_I)
    for party in m.parties[1:]:
        party.delivery_willingness = lambda r=None: 0.0  # nobody delivers
    m._implementation()
    assert m.ledger.steps[0].delivered == 0.0


# ------------------------------------------------------------------ US
def test_us_refuses_to_bargain_over_sanctions_when_domestic_constraint_is_high():
    m = make_model()
    us = m.parties[US_I]
    m.domestic[0, US_I] = 0.9
    m.sal[0, US_I] = 0.1
    m.sal[0, US_I, SANC] = 0.6
    m.pos[0, US_I, SANC] = 0.1
    text = us.position[0].copy()
    text[SANC] = 0.35  # the costliest gap is on sanctions relief
    text[DEN] = us.position[0, DEN] - 0.3
    verdict, issue = us.respond(text, "joint_document", True, 0)
    assert verdict == AMEND
    assert issue != SANC
    # The base class's rule alone would ask on sanctions, the costliest issue.
    us.revise_response = lambda text, verdict, issue, r=None: (verdict, issue)
    base_verdict, base_issue = us.respond(text, "joint_document", True, 0)
    assert (base_verdict, base_issue) == (AMEND, SANC)


def test_us_refuses_direct_contact_until_strategy_or_domestic_politics_allow():
    m = make_model()
    us = m.parties[US_I]
    us.strategy.direct_talks = "refuse"
    m.domestic[0, US_I] = 0.8
    m.pos[0, US_I, FMT] = 0.1
    assert not us.allows_direct_contact()[0]
    m.domestic[0, US_I] = 0.3  # after the midterms
    assert us.allows_direct_contact()[0]
    m.domestic[0, US_I] = 0.8
    us.strategy.direct_talks = "within_multilateral"
    assert us.allows_direct_contact()[0]


def test_us_domestic_politics_harden_its_positions():
    """A hard-line Washington pushes the sequence (no reward before
    dismantlement) and verification up, not the scope (CVID was every
    administration's goal)."""
    m = make_model()
    m.params.drift = 0.0
    m.pos[0, US_I, SEQ] = m.pos[0, US_I, 6] = m.pos[0, US_I, DEN] = 0.5
    m.domestic[0, US_I] = 1.0
    m.parties[US_I].step()
    hard = (m.pos[0, US_I, SEQ], m.pos[0, US_I, 6])
    assert m.pos[0, US_I, DEN] == 0.5
    m.pos[0, US_I, SEQ] = m.pos[0, US_I, 6] = 0.5
    m.domestic[0, US_I] = 0.0
    m.parties[US_I].step()
    assert hard[0] > m.pos[0, US_I, SEQ] and hard[1] > m.pos[0, US_I, 6]


def _us_owing_a_delisting(verification_first: bool) -> TalksModel:
    """A model whose US owes a delisting now, under a text that says little about
    verification while the US wants it intrusive; its ledger advanced one month."""
    m = make_model()
    us = m.parties[US_I]
    us.strategy.verification_first = verification_first
    us.delivery_willingness = lambda r=None: 1.0
    phase = m.spec.phases[0].model_copy(update={"delisting": True, "tranches": 1})
    m.ledger.adopt(0, phase, m.month, (1, 2, 3, 4, 5), DPRK_I, US_I)
    m.agreed_text[0] = m.pos[0].mean(axis=0)
    m.has_agreed_text[0] = True
    m.agreed_text[0, 6] = 0.1  # the text says little about verification
    m.pos[0, US_I, 6] = 0.95  # the US wants intrusive verification
    m._implementation()
    return m


def test_us_verification_before_delisting():
    def run(verification_first: bool) -> bool:
        return bool(_us_owing_a_delisting(verification_first).delisted[0])

    assert run(verification_first=False)
    assert not run(verification_first=True)


# --------------------------------------------------------------- China
def test_china_drafts_the_weighted_median_forecast():
    """The chair's draft is Bueno de Mesquita's forecast: issue by issue the
    capability x bargaining-salience weighted median, never the mean."""
    m = make_model()
    text = m.parties[CHINA_I].draft()[0]
    pos = m.pos[0]
    w = m.cap[0][:, None] * m.bargaining_salience()[0]
    for k in range(len(ISSUES)):
        order = np.argsort(pos[:, k], kind="stable")
        cum = np.cumsum(w[order, k])
        expected = pos[order, k][np.argmax(cum >= 0.5 * cum[-1] * (1 - 1e-12))]
        assert text[k] == expected
        assert text[k] in pos[:, k]  # a median is one of the positions
    mean = (w * pos).sum(axis=0) / w.sum(axis=0)
    assert not np.allclose(text, mean)
    # The fixed-share model kept for comparison drafts the weighted mean.
    m.params.expected_utility_sessions = False
    w0 = m.cap[0][:, None] * m.sal[0]
    assert np.allclose(m.parties[CHINA_I].draft()[0], (w0 * pos).sum(axis=0) / w0.sum(axis=0))


def test_china_shuttle_diplomacy_builds_dprk_trust_and_readiness():
    m = make_model()
    t0 = m.trust[0, DPRK_I, CHINA_I]
    r0 = m.parties[DPRK_I].attend_score()[0]
    for _ in range(3):
        m.parties[CHINA_I].shuttle(REP0)
    assert m.trust[0, DPRK_I, CHINA_I] > t0
    assert m.parties[DPRK_I].attend_score()[0] > r0


# ----------------------------------------------------------------- ROK
def test_rok_follows_its_government_line():
    m = make_model()
    rok = m.parties[ROK_I]
    rok.strategy.policy = "engagement"
    assert rok.delivery_willingness()[0] > 0.5
    rok.strategy.policy = "hardline"
    m.progress[:] = 0.3
    assert rok.delivery_willingness()[0] == 0.0
    m.params.drift = 0.0
    m.pos[0, ROK_I, SEQ] = m.pos[0, ROK_I, DEN] = 0.4
    m.pos[0, ROK_I, AID] = 0.7
    rok.step()
    # "先行采取无核化措施": the hard line moves the order (sequence), not the scope.
    assert m.pos[0, ROK_I, SEQ] > 0.4 and m.pos[0, ROK_I, AID] < 0.7
    assert m.pos[0, ROK_I, DEN] == 0.4


# --------------------------------------------------------------- Japan
def test_japan_abductee_linkage_holds_aid_and_normalization():
    m = make_model()
    japan = m.parties[JAPAN_I]
    japan.strategy.abductee_linkage = True
    assert japan.delivery_willingness()[0] == 0.0
    text = japan.position[0].copy()
    text[NORM] = 1.0 - text[NORM]
    before = float(japan.position[0, NORM])
    m.params.noise = 0.0
    japan.concede(text[None], rate_boost=5.0, reps=REP0)
    assert japan.position[0, NORM] == before
    japan.strategy.abductee_linkage = False
    assert japan.delivery_willingness()[0] > 0.0
    japan.concede(text[None], rate_boost=5.0, reps=REP0)
    assert japan.position[0, NORM] != before


# -------------------------------------------------------------- Russia
def test_russia_package_moves_text_toward_the_dprk_us_midpoint():
    m = make_model()
    russia = m.parties[RUSSIA_I]
    gap = np.abs(m.pos[0, DPRK_I] - m.pos[0, US_I])
    k = int(np.argmax(gap))
    text = m.pos[0, US_I].copy()
    out = russia.package(text[None], REP0)[0]
    mid = 0.5 * (m.pos[0, DPRK_I, k] + m.pos[0, US_I, k])
    assert abs(out[k] - mid) < abs(text[k] - mid)
    russia.strategy.package_mediation = 0.0
    assert np.allclose(russia.package(text[None], REP0)[0], text)


def test_every_class_declares_its_classifier_and_cites_the_article():
    m = make_model()
    for party in m.parties:
        assert party.classifier, party.key
        assert "§" in type(party).__doc__, party.key


def test_dprk_readiness_falls_when_steps_owed_to_it_are_overdue():
    m = make_model()
    dprk = m.parties[DPRK_I]
    m.arrears[:] = False
    on_time = dprk.attend_score()[0]
    m.arrears[:] = True
    assert dprk.attend_score()[0] < on_time


def test_chair_reopens_a_phase_in_force_instead_of_a_review():
    """No review-only target: while a phase is in force the chair aims at a
    joint document that renegotiates it."""
    m = make_model()
    m.best_document[:] = DOC_LEVELS.index("joint_statement")
    assert m._target_level(0) == "joint_document"
    m.ledger.adopt(0, m.spec.phases[0], m.month, (1, 2, 3, 4, 5), DPRK_I, US_I)
    assert m._target_level(0) == "joint_document"
    m.ledger.steps[0].delivered = m.ledger.steps[0].amount  # the phase can be complete...
    for st in m.ledger.steps:
        st.delivered = st.amount
    assert m.ledger.active_phase is None
    m.next_phase[:] = 1  # ...and the menu exhausted: back to a joint statement
    assert m._target_level(0) == "joint_statement"


def test_a_joint_document_on_a_phase_in_force_re_dates_its_open_steps():
    m = make_model()
    m.ledger.adopt(0, m.spec.phases[0], m.month, (1, 2, 3, 4, 5), DPRK_I, US_I)
    m.next_phase[:] = 1
    m.agreed_text[0] = m.pos[0].mean(axis=0)
    m.has_agreed_text[0] = True
    due = [st.due_month for st in m.ledger.steps]
    later = m.month + 12
    m.month = later
    s = SimpleNamespace(
        document="joint_document",
        text=m.pos[0].mean(axis=0),
        direct_contact=False,
        recess=False,
        adopted_phase=None,
        renegotiated=False,
        reasons=[],
    )
    m._after_document(0, s)
    assert s.adopted_phase is None and len(m.ledger.phases) == 1  # no new phase
    assert all(st.due_month > later for st in m.ledger.steps)
    assert all(
        new > old for new, old in zip([st.due_month for st in m.ledger.steps], due, strict=True)
    )
    assert [r.code for r in s.reasons][:2] == ["phase_renegotiated", "phase_reopened"]
    assert "the phase in force renegotiated: open steps re-dated" in render(s.reasons)


def test_us_verification_demand_moves_only_by_bargaining_and_domestic_politics():
    """The scripted 2008 compromise is gone: a suspended DPRK and an owed
    delisting do not move the US verification position by themselves."""

    def after_step(suspended: bool) -> float:
        m = make_model()
        phase = m.spec.phases[0].model_copy(update={"delisting": True})
        m.ledger.adopt(0, phase, m.month, (1, 2, 3, 4, 5), DPRK_I, US_I)
        m.agreed_text[0] = m.pos[0].mean(axis=0)
        m.has_agreed_text[0] = True
        m.agreed_text[0, 6] = 0.3
        m.pos[0, US_I, 6] = m.anchor[0, US_I, 6] = 0.95
        m.domestic[0, US_I] = 0.5
        m.dprk_suspended_steps[:] = suspended
        m.parties[US_I].step()
        return float(m.pos[0, US_I, 6])

    assert after_step(True) == after_step(False) == pytest.approx(0.95)
    # In session the same US concedes toward the text like any party.
    m = make_model()
    m.pos[0, US_I, 6] = 0.95
    m.resolve[0, US_I] = 0.0
    text = m.pos[0].mean(axis=0)
    text[6] = 0.3
    m.parties[US_I].concede(text[None], 0.0, REP0)
    assert m.pos[0, US_I, 6] < 0.95


# ------------------------------------------------ DPRK decisions from state
def _pressured(m, grievance=0.9, stance=SUSPENDED):
    """A DPRK under pressure whose draw always succeeds; out of the talks by
    default (in the talks a test must also beat them, tested below)."""
    m.grievance[:] = grievance
    m.stance[:] = stance
    m.params.test_threshold = 0.3
    m.parties[DPRK_I].strategy.escalation = 1.0
    m.params.test_probability_slope = 10.0  # the draw always succeeds
    return m.parties[DPRK_I]


def test_dprk_chooses_the_test_that_raises_its_outside_option_most():
    """A test is worth the outside option it adds less the sanctions it draws
    (which lower the outside option by dprk_outside_sanctions each)."""
    m = make_model()
    dprk = _pressured(m)
    m.parties[US_I].strategy.sanction_response = 0.0  # a nuclear test costs little more
    out = dprk.test_outcomes(0)  # kind -> (feasible, gain, value)
    q = m.spec.parameters
    assert out["nuclear"][2] == pytest.approx(
        q.test_outside_gain_nuclear - q.dprk_outside_sanctions * q.test_unsc_sanctions_nuclear
    )
    assert out["nuclear"][2] > out["missile"][2]
    assert dprk.choose_test()[0] == NUCLEAR
    m2 = make_model()
    dprk2 = _pressured(m2)
    m2.parties[US_I].strategy.sanction_response = 1.0  # sanctions make it costly
    m2.params.test_sanctions_nuclear = 0.5
    out2 = dprk2.test_outcomes(0)
    assert out2["missile"][2] > out2["nuclear"][2]
    assert dprk2.choose_test()[0] == MISSILE
    # Sanctions that would cost more outside option than any test adds: no test.
    m3 = make_model()
    dprk3 = _pressured(m3)
    m3.parties[US_I].strategy.sanction_response = 1.0
    m3.params.test_sanctions_missile = m3.params.test_sanctions_nuclear = 0.9
    assert all(v <= 0 for _, _, v in dprk3.test_outcomes(0).values())
    assert dprk3.choose_test()[0] == NO_TEST


def test_a_nuclear_test_needs_the_programme():
    m = make_model()
    dprk = _pressured(m)
    m.parties[US_I].strategy.sanction_response = 0.0
    m.progress[:] = 1.0  # the programme is disabled and dismantled
    assert not dprk.test_outcomes(0)["nuclear"][0]  # not feasible
    assert dprk.choose_test()[0] == MISSILE
    m.progress[:] = 0.6  # partly disabled: the nuclear test is worth less
    feasible, gain, _ = dprk.test_outcomes(0)["nuclear"]
    assert feasible
    assert gain == pytest.approx(0.4 * m.params.test_outside_gain_nuclear[0])


def _talks_worth_much(m):
    """A deal on the DPRK's own terms, with trust in every counterpart."""
    m.agreed_text[0] = m.pos[0, DPRK_I]
    m.has_agreed_text[0] = True
    for j in range(1, 6):
        m.shift_trust(DPRK_I, j, 0.4)


def test_dprk_tests_in_the_talks_only_when_its_outside_option_beats_them():
    def decide(outside: float) -> int:
        m = make_model()
        dprk = _pressured(m, stance=PARTICIPATING)
        _talks_worth_much(m)
        m.outside[0, DPRK_I] = outside
        assert dprk.talks_value()[0] > 0.5
        return int(dprk.choose_test()[0])

    assert decide(0.0) == NO_TEST  # the talks are worth more than any test
    assert decide(0.9) != NO_TEST  # its outside option beats the talks
    # Suspended, there are no talks to forfeit.
    m = make_model()
    dprk = _pressured(m)
    _talks_worth_much(m)
    m.stance[:] = SUSPENDED
    assert not dprk.prefers_outside()[0] and dprk.choose_test()[0] != NO_TEST


def test_talks_value_is_the_performed_deal_and_the_sanctions_it_lifts():
    m = make_model()
    dprk = m.parties[DPRK_I]
    text = m.pos[0, DPRK_I].copy()
    text[4] = 0.6  # sanctions_relief (ISSUES index 4): the share a performed deal lifts
    m.agreed_text[0] = text
    m.has_agreed_text[0] = True
    m.sanctions[:] = 0.5
    p, u = dprk.performance_probability(0), dprk.utility(text, 0)
    want = p * (u + m.params.dprk_outside_sanctions[0] * 0.6 * 0.5)
    assert dprk.talks_value(0) == pytest.approx(want)
    # Less trust in the counterparts: the talks are worth less.
    m.shift_trust(DPRK_I, US_I, -0.3)
    assert dprk.talks_value(0) < want
    # Without an agreed text the talks offer the chair's forecast.
    m.has_agreed_text[0] = False
    assert np.allclose(dprk.talks_text(0), m.parties[2].draft(0))


def test_no_test_below_the_pressure_threshold():
    m = make_model()
    dprk = _pressured(m, grievance=0.0)
    m.params.test_threshold = 0.99
    assert dprk.choose_test()[0] == NO_TEST


def _next_stance(dprk) -> tuple[str, str | None]:
    """Replicate 0's (stance, decision) names; None for no decision."""
    stance, decision = dprk.next_stance()
    return STANCES[stance[0]], STANCE_DECISIONS[decision[0]] or None


def test_dprk_stance_follows_state():
    """Suspension follows readiness; the walk-out follows the comparison of its
    outside option with the talks (brinkmanship as a decision)."""
    m = make_model()
    dprk = m.parties[DPRK_I]
    m.n_sessions[:] = 1  # talks have been convened
    m.sanctions[:], m.grievance[:] = 0.0, 0.0
    assert _next_stance(dprk) == ("participating", None)
    # Low readiness with the talks still worth more than the outside option:
    # a suspension, not a walk-out.
    m.sanctions[:], m.grievance[:] = 1.0, 1.0
    assert not dprk.prefers_outside()[0]
    assert dprk.attend_score()[0] < m.params.suspend_threshold[0]
    assert _next_stance(dprk) == ("suspended", "suspends_participation")
    # An outside option above the talks' value: it walks out.
    m.outside[0, DPRK_I] = 1.0
    assert dprk.prefers_outside()[0]
    assert _next_stance(dprk) == ("walked_out", "walks_out")
    # The same state before any session: a suspension, not a walk-out.
    m.n_sessions[:] = 0
    assert _next_stance(dprk) == ("suspended", "suspends_participation")
    # A walked-out DPRK returns only after return_months months of readiness.
    m.stance[:] = WALKED_OUT
    m.sanctions[:], m.grievance[:], m.outside[0, DPRK_I] = 0.0, 0.0, 0.0
    m.shift_trust(DPRK_I, CHINA_I, 0.5)
    m.shift_trust(DPRK_I, US_I, 0.5)
    assert dprk.attend_score()[0] > m.params.return_threshold[0]
    m.return_months[:] = 0
    months = int(m.params.return_months[0])  # (R,): one value per replicate
    got = [_next_stance(dprk)[1] for _ in range(months)]
    assert got[:-1] == [None] * (months - 1) and got[-1] == "returns"


# ------------------------------------------------ what changed since last month
def _remember_month(m: TalksModel) -> None:
    """Record the month as the model does (its end-of-month state kept)."""
    m._record_state(0)


def test_no_change_clause_before_a_month_is_recorded():
    m = make_model()
    dprk = m.parties[DPRK_I]
    assert np.isnan(m.dprk_terms_last).all() and np.isnan(m.dprk_value_last).all()
    assert dprk.readiness_change(0) == [] and dprk.talks_value_change(0) == []


def test_the_end_of_month_keeps_the_terms_the_timeline_readiness_is_made_of():
    m = make_model()
    dprk = m.parties[DPRK_I]
    m.sanctions[:], m.grievance[:] = 0.4, 0.3
    _remember_month(m)
    terms = dprk.attend_terms(0)
    assert list(m.dprk_terms_last[0]) == [float(terms[k]) for k in dprk.ATTEND_TERMS]
    # bit for bit the readiness timeline.csv records, and the talks' value and its parts
    assert dprk.readiness_of(list(m.dprk_terms_last[0])) == m._tl_state[0, 0, 0]
    assert m._tl_state[0, 0, 0] == dprk.attend_score(0)
    parts = dprk.talks_value_parts(0)
    assert list(m.dprk_value_last[0]) == [
        float(m.outside[0, DPRK_I]),
        float(dprk.talks_value(0)),
        float(parts["performance"]),
        float(parts["text_utility"]),
        float(parts["relief"]),
    ]
    assert m._tl_state[0, 0, 2] == dprk.talks_value(0)


def test_the_readiness_change_names_the_terms_that_moved_most():
    """Grievance and sanctions rise after the month is recorded: the clause gives the
    readiness's change and the terms that moved, largest first, each as the change of its
    signed contribution; terms that moved by less than 0.01 are left out."""
    m = make_model()
    dprk = m.parties[DPRK_I]
    q = m.params.at(0)
    m.sanctions[:], m.grievance[:] = 0.1, 0.1
    before = float(dprk.attend_score(0))
    _remember_month(m)
    m.grievance[:] = 0.1 + 0.4  # the grievance term falls by 0.4 x dprk_attend_grievance
    m.sanctions[:] = 0.1 + 0.2
    m.china_shuttle_credit[:] += 0.001  # too small to name
    (c,) = dprk.readiness_change(0)
    got = c.as_dict()
    d_grievance = -q.dprk_attend_grievance * 0.4
    d_sanctions = -q.dprk_attend_sanctions * 0.2
    assert abs(d_grievance) != abs(d_sanctions)
    want = sorted(
        [("grievance", round(d_grievance, 2)), ("sanctions", round(d_sanctions, 2))],
        key=lambda kv: -abs(kv[1]),
    )
    assert got["changes"] == [list(kv) for kv in want]
    assert got["readiness"] == round(float(dprk.attend_score(0)) - before, 2)
    assert render(c).startswith(f"since last month readiness {got['readiness']:+.2f} (")


def test_the_readiness_change_names_at_most_three_terms():
    m = make_model()
    dprk = m.parties[DPRK_I]
    m.sanctions[:], m.grievance[:] = 0.1, 0.1
    _remember_month(m)
    m.sanctions[:], m.grievance[:] = 0.9, 0.9
    m.china_shuttle_credit[:] = 0.9
    m.outside[0, DPRK_I] += 0.5
    m.arrears[:] = True
    (c,) = dprk.readiness_change(0)
    assert len(c.as_dict()["changes"]) == dprk.CHANGES_SHOWN == 3
    sizes = [abs(v) for _, v in c.as_dict()["changes"]]
    assert sizes == sorted(sizes, reverse=True)


def test_nothing_moved_says_so():
    m = make_model()
    dprk = m.parties[DPRK_I]
    _remember_month(m)
    (c,) = dprk.readiness_change(0)
    assert c.as_dict() == {"readiness": 0.0, "changes": []}
    assert render(c) == (
        "since last month readiness +0.00 (largest changes of its terms: none of 0.01 or more)"
    )


def test_the_suspension_reason_ends_with_what_changed():
    """A month recorded, then a shock of grievance: the DPRK suspends its participation
    (the same decision as without the clause) and its reason says the grievance moved."""
    m = make_model()
    dprk = m.parties[DPRK_I]
    m.n_sessions[:] = 1
    m.sanctions[:], m.grievance[:] = 0.0, 0.0
    _remember_month(m)
    m.grievance[:] = 1.0
    m.sanctions[:] = 1.0
    assert not dprk.prefers_outside()[0]
    m._update_stance()
    (row,) = m.decisions
    assert row[2] == "suspends_participation"
    codes = [c.code for c in row[3]]
    # 2003-08, the month of the scenario's first_round event (a trust effect)
    assert codes == ["readiness", "readiness_terms", "readiness_change", "month_events"]
    terms = [k for k, _ in row[3][2].as_dict()["changes"]]
    assert set(terms) == {"grievance", "sanctions"}
    assert row[3][3].as_dict() == {"events": ["first_round"]}


def test_the_walk_out_reason_ends_with_the_outside_options_jump():
    m = make_model()
    dprk = m.parties[DPRK_I]
    m.n_sessions[:] = 1
    _remember_month(m)
    m.outside[0, DPRK_I] = 1.0  # an outside-option shock after the month was recorded
    assert dprk.prefers_outside()[0]
    m._update_stance()
    (row,) = m.decisions
    assert row[2] == "walks_out"
    assert [c.code for c in row[3]] == [
        "outside_option_above_talks",
        "talks_value_change",
        "outside_option_sources",  # empty here: the shock was set by hand, not by an effect
        "month_events",
    ]
    change = row[3][1].as_dict()
    assert change["outside"] == round(1.0 - float(m.dprk_value_last[0, 0]), 3)
    assert change["talks_value"] == 0.0 and change["performance"] == 0.0


def test_only_the_dprks_own_boycott_says_what_changed(monkeypatch):
    m = make_model()
    _remember_month(m)
    m.sanctions[:] = 1.0
    m.grievance[:] = 1.0
    m.parties[ROK_I].attend_score = lambda r=None: np.zeros(np.shape(r))  # the ROK declines
    m._invitations.add(m.month)
    m._convene()
    rows = {d[1]: d for d in m.decisions if d[2] == "boycotts"}
    assert set(rows) == {"DPRK", "ROK"}
    assert [c.code for c in rows["DPRK"][3]] == [
        "declined_invitation",
        "readiness_change",
        "month_events",
    ]
    assert [c.code for c in rows["ROK"][3]] == ["declined_invitation"]


def test_month_events_names_only_this_months_events_with_effects():
    """The clause names the events dated this month that carry typed effects, and
    nothing in a month without; it is explanation only (the model's, not a class's)."""
    m = make_model()
    assert m.month_events() == [clause("month_events", events=["first_round"])]
    m.month += 1  # 2003-09: no event
    assert m.month_events() == []
    assert render(clause("month_events", events=["a", "b"])) == (
        "this month's events with typed effects: a, b"
    )


def test_an_event_without_effects_is_not_named():
    def effectless(d):
        d["events"][0]["effects"] = []

    assert make_model(effectless).month_events() == []


def test_a_tests_reason_gives_its_chance_and_the_draw():
    """The test's reason ends with its propensity this month (escalation x slope x
    pressure above the threshold) and the replicate's uniform draw below it."""
    m = make_model()
    dprk = _pressured(m)
    m.params.test_probability_slope = 1.0  # a chance below 1: the draw matters
    excess = float(dprk.pressure(0)) - float(m.params.test_threshold[0])
    assert 0.0 < excess < 1.0
    kind = NO_TEST
    for _ in range(200):  # months of draws from the replicate's generator
        kind = int(dprk.choose_test()[0])
        if kind != NO_TEST:
            break
    assert kind != NO_TEST
    why = dprk.test_reason(0, float(m.outside[0, DPRK_I]))
    assert why[-1].code == "test_propensity"
    v = why[-1].as_dict()
    assert v["probability"] == pytest.approx(excess, abs=1e-3)
    assert v["escalation"] == 1.0 and v["slope"] == 1.0
    assert v["excess"] == pytest.approx(excess, abs=0.005)
    assert 0.0 <= v["draw"] < v["probability"]


def test_a_month_without_a_test_keeps_no_odds():
    m = make_model()
    dprk = m.parties[DPRK_I]
    m.grievance[:] = 0.0
    m.sanctions[:] = 0.0
    assert dprk.choose_test()[0] == NO_TEST
    assert dprk.test_odds == {}


# ------------------------------------------------ sessions: convergence, deadlock
def _session_model(mutate=None):
    def quiet(d):
        d["parameters"]["noise"] = 0.0
        if mutate:
            mutate(d)

    m = make_model(quiet)
    m.round[:], m.round_phase[:] = 1, 1
    return m


def _bargain(m):
    s = Session(0, 1, 1, m.month, "test", held=True)
    m.sessions.append(s)
    m._bargain(REP0, [s])
    return s


def test_a_session_where_all_accept_converges_at_once():
    m = _session_model()
    m.pos[0] = m.pos[0, 0].copy()  # everyone holds the same position
    s = _bargain(m)
    assert (s.ending, s.iterations) == ("converged", 1)
    assert s.document == "joint_statement"


def test_a_session_converges_when_no_party_will_move():
    # No win-set beyond the level's slack; the expected-utility rounds move
    # positions until no party moves by concession_tolerance (or all six are
    # close enough to sign): converged, never a deadlock with patience to spare.
    m = _session_model(lambda d: d["parameters"].update(acceptance_radius=0.0, chair_patience=14))
    s = _bargain(m)
    assert s.ending == "converged" and s.iterations > 1
    assert s.conflicts + s.compromises + s.capitulations > 0
    assert not any(r.startswith("deadlock") for r in s.reasons)
    # The fixed-share model: nobody concedes under full resolve -> converged at once.
    m = _session_model(
        lambda d: d["parameters"].update(acceptance_radius=0.0, expected_utility_sessions=False)
    )
    m.resolve[:] = 1.0
    s = _bargain(m)
    assert (s.ending, s.iterations) == ("converged", 1)


def test_a_session_ends_in_deadlock_when_the_chairs_patience_runs_out():
    def hard(d):
        d["parameters"].update(
            acceptance_radius=0.0,
            chair_patience=3,
            slack_chairmans_statement=0.0,
            slack_joint_statement=0.0,
        )

    m = _session_model(hard)
    m.resolve[:] = 0.0
    s = _bargain(m)
    assert s.ending == "deadlock" and s.iterations == 4  # 1 + patience drafts
    assert clause("deadlock_no_new_acceptance", drafts=3) in s.reasons
    assert "deadlock: no new acceptance in 3 drafts" in render(s.reasons)
    m2 = _session_model(lambda d: (hard(d), d["parameters"].update(chair_patience=6)))
    m2.resolve[:] = 0.0
    assert _bargain(m2).iterations == 7


def test_domestic_constraint_pulls_a_delegation_back_harder():
    def moved(domestic: float) -> float:
        m = make_model()
        china = m.parties[CHINA_I]  # the base class's drift
        m.domestic[0, CHINA_I] = domestic
        m.anchor[0, CHINA_I] = 0.0
        m.pos[0, CHINA_I] = 1.0
        Party.step(china)
        return 1.0 - float(m.pos[0, CHINA_I, 0])

    assert moved(0.9) > moved(0.1) > 0.0


@pytest.mark.parametrize(
    "suspended, overdue, outstanding, t_us, expected",
    [
        (False, ["late"], [], 0.1, "suspends_steps"),  # owed, overdue, trust low
        (False, ["late"], [], 0.55, ""),  # overdue but trust enough to wait
        (False, [], [], 0.0, ""),  # nothing overdue
        (True, [], ["late"], 0.1, ""),  # what it suspended over is still outstanding
        (True, ["late"], [], 0.1, "resumes_steps"),  # performed or re-dated
        (True, [], ["late"], 0.9, "resumes_steps"),  # trust recovered
    ],
)
def test_dprk_reconsiders_its_steps_from_what_is_outstanding(
    suspended, overdue, outstanding, t_us, expected
):
    """DPRK.reconsider_steps (§第六轮 第二阶段, 2008): suspends over an owed overdue step
    when trust in the US is low; resumes when what it suspended over is settled or trust
    recovers, whatever else is overdue."""
    m = TalksModel(Scenario.model_validate(minimal_scenario_dict()), seed=0)
    q = m.params
    assert 0.1 < q.suspend_steps_trust < 0.55 and q.resume_steps_trust < 0.9
    got = m.parties[DPRK_I].reconsider_steps(0, suspended, overdue, outstanding, t_us)
    assert got == expected


# ---------------------------------------------------------------- ripeness (Zartman 2000)
def _line_after_a_month(party_i: int, *, sanctions: float, dprk_outside: float, rate=0.1):
    """The party's anchor after one :meth:`Party.reconsider_line` toward a way out of 1.0."""
    m = make_model()
    m.params.ripeness_rate = rate
    m.sanctions[:] = sanctions
    m.outside[:, DPRK_I] = dprk_outside
    m.anchor[0, party_i] = 0.0
    m.way_out = np.ones((1, len(ISSUES)))
    m.parties[party_i].reconsider_line()
    return m, m.anchor[0, party_i].copy()


def test_sanctions_make_the_stalemate_hurt_the_dprk_and_move_its_line():
    m, hurt = _line_after_a_month(DPRK_I, sanctions=0.8, dprk_outside=0.0)
    assert hurt == pytest.approx(np.full(len(ISSUES), 0.1 * 0.8))  # rate x cost x gap
    _, unhurt = _line_after_a_month(DPRK_I, sanctions=0.0, dprk_outside=1.0)
    assert np.all(unhurt == 0.0)  # its own deterrent costs the DPRK nothing


def test_the_dprks_deterrent_makes_the_stalemate_hurt_its_counterparts():
    m, hurt = _line_after_a_month(CHINA_I, sanctions=0.0, dprk_outside=0.5)
    cost = m.sal[0, CHINA_I, DEN] * 0.5
    assert m.parties[CHINA_I].stalemate_cost()[0] == pytest.approx(cost)
    assert hurt == pytest.approx(np.full(len(ISSUES), 0.1 * cost))
    _, unhurt = _line_after_a_month(CHINA_I, sanctions=1.0, dprk_outside=0.0)
    assert np.all(unhurt == 0.0)  # the sanctions cost the counterparts nothing


def test_a_line_does_not_move_without_a_rate_or_on_an_issue_off_the_table():
    _, still = _line_after_a_month(DPRK_I, sanctions=1.0, dprk_outside=0.0, rate=0.0)
    assert np.all(still == 0.0)
    m = make_model()
    us = m.parties[US_I]
    m.params.ripeness_rate = 0.1
    m.outside[:, DPRK_I] = 1.0
    m.domestic[0, US_I] = 1.0  # sanctions off the table (us_sanctions_domestic)
    assert us.sanctions_off_the_table()[0]
    m.anchor[0, US_I] = 0.0
    m.way_out = np.ones((1, len(ISSUES)))
    us.reconsider_line()
    assert m.anchor[0, US_I, SANC] == 0.0 and m.anchor[0, US_I, DEN] > 0.0


def test_the_way_out_is_drawn_only_when_a_replicate_has_a_rate():
    off = make_model()
    off.sanctions[:] = 1.0
    off.step()
    assert off.way_out is None
    on = make_model(lambda d: d.setdefault("parameters", {}).update(ripeness_rate=0.05))
    on.sanctions[:] = 1.0
    on.step()
    assert on.way_out is not None and on.way_out.shape == (1, len(ISSUES))
    assert not np.array_equal(on.anchor[:, DPRK_I], off.anchor[:, DPRK_I])


# ------------------------------------------ the variable threat point (Nash 1953)
COUNTERPARTS = [US_I, CHINA_I, ROK_I, JAPAN_I, RUSSIA_I]


def _threat_model(cost: float, dprk_outside: float) -> TalksModel:
    """One replicate: ``deterrent_threat_cost`` ``cost``, the DPRK's outside option
    ``dprk_outside``, no sanctions, every counterpart's own outside option 0.1."""
    m = make_model(lambda d: d.setdefault("parameters", {}).update(deterrent_threat_cost=cost))
    m.sanctions[:] = 0.0
    m.outside[:] = 0.1
    m.outside[:, DPRK_I] = dprk_outside
    return m


def _disagreement_values(m: TalksModel) -> np.ndarray:
    return np.array([float(q.disagreement_value(REP0)[0]) for q in m.parties])


def test_the_dprks_deterrent_lowers_its_counterparts_disagreement_values():
    """Each counterpart's outside option is its own column less cost x its salience
    of the scope x the DPRK's deterrent (its outside option clipped to [0, 1]): the
    status quo gets worse for the five as the DPRK's capability grows."""
    low, high = _threat_model(0.5, 0.0), _threat_model(0.5, 0.8)
    dv_low, dv_high = _disagreement_values(low), _disagreement_values(high)
    for i in COUNTERPARTS:
        q = high.parties[i]
        o = 0.1 - 0.5 * high.sal[0, i, DEN] * 0.8
        assert q.outside_option(REP0)[0] == pytest.approx(o)
        assert dv_high[i] == pytest.approx(1.0 - q.radius(REP0)[0] * (1.0 - o))
        assert dv_high[i] < dv_low[i]
        # no deterrent, no threat: the column as it is
        assert low.parties[i].outside_option(REP0)[0] == 0.1
    # a deterrent above 1 counts as 1; the outside option never falls below -1
    top = _threat_model(1.0, 1.0)
    top.outside[:, US_I] = -0.5
    assert top.parties[US_I].outside_option(REP0)[0] == -1.0
    capped = _threat_model(0.5, 1.0)
    assert capped.parties[CHINA_I].outside_option(REP0)[0] == pytest.approx(
        0.1 - 0.5 * capped.sal[0, CHINA_I, DEN]
    )


def test_without_a_threat_cost_the_deterrent_moves_no_disagreement_value():
    off_low, off_high = _threat_model(0.0, 0.0), _threat_model(0.0, 0.8)
    for i in COUNTERPARTS:
        assert off_high.parties[i].outside_option(REP0)[0] == 0.1  # the column, bit for bit
    assert np.array_equal(
        _disagreement_values(off_low)[COUNTERPARTS], _disagreement_values(off_high)[COUNTERPARTS]
    )


def test_the_dprks_own_disagreement_value_ignores_the_threat_cost():
    off, on = _threat_model(0.0, 0.8), _threat_model(1.0, 0.8)
    assert _disagreement_values(on)[DPRK_I] == _disagreement_values(off)[DPRK_I]
    assert on.parties[DPRK_I].outside_option(REP0)[0] == 0.8  # no sanctions: its column


def _text_just_beyond_the_us_win_set(m: TalksModel) -> np.ndarray:
    """A joint statement 1.2 x the US's win-set radius (plus the level's slack) away
    from its position: rejected at a neutral outside option."""
    us = m.parties[US_I]
    slack = float(m.params.slack_joint_statement[0])
    gap = 1.2 * float(us.radius(REP0)[0] * (1.0 - us.outside_option(REP0)[0])) + slack
    text = m.pos[0, US_I].copy()
    # move every issue by the same gap, toward the middle, so that the
    # salience-weighted mean distance is the gap
    text = np.where(text > 0.5, text - gap, text + gap)[None, :]
    assert us.distance(text, REP0)[0] == pytest.approx(gap)
    return text


def test_a_dprk_test_makes_a_text_the_us_rejected_acceptable():
    """The same text, the same US: rejected while the DPRK has no deterrent,
    signed once the DPRK's outside option has risen (as by its tests) and the
    rate is set; not at rate 0."""
    contact = np.array([True])
    on = _threat_model(1.0, 0.0)
    on.outside[:, US_I] = 0.0
    text = _text_just_beyond_the_us_win_set(on)
    us = on.parties[US_I]
    assert not us.accepts(text, "joint_statement", contact, REP0)[0]
    on.outside[:, DPRK_I] = 0.6  # 0.6 x the US's salience 0.9 > the 0.2 needed
    assert us.accepts(text, "joint_statement", contact, REP0)[0]
    off = _threat_model(0.0, 0.6)
    off.outside[:, US_I] = 0.0
    assert not off.parties[US_I].accepts(text, "joint_statement", contact, REP0)[0]


# ------------------------------------------- the distance a party values texts by (KTAB)
def test_text_distance_is_the_mean_at_exponent_one_and_ktabs_rms_at_two():
    from sixparty.parties import text_distance

    gaps = np.array([[0.5, 0.0, 0.0], [0.2, 0.4, 0.1]])
    sal = np.array([[1.0, 1.0, 1.0], [0.9, 0.3, 0.6]])
    mean = (gaps * sal).sum(axis=-1) / sal.sum(axis=-1)
    assert np.array_equal(text_distance(gaps, sal, np.ones(2)), mean)  # bit for bit
    # KTAB's bvDiff: sqrt(sum (s d)^2 / sum s^2); first row sqrt(0.25 / 3)
    rms = np.sqrt(((gaps * sal) ** 2).sum(axis=-1) / (sal**2).sum(axis=-1))
    assert text_distance(gaps, sal, np.full(2, 2.0)) == pytest.approx(rms, rel=1e-12)
    assert text_distance(gaps, sal, np.full(2, 2.0))[0] == pytest.approx(np.sqrt(0.25 / 3))
    # one replicate per exponent: each row by its own
    mixed = text_distance(gaps, sal, np.array([1.0, 2.0]))
    assert mixed[0] == mean[0] and mixed[1] == pytest.approx(rms[1], rel=1e-12)
    # a text far on one issue only is farther the higher the exponent (power means)
    far_on_one = np.array([0.9, 0, 0, 0, 0, 0, 0, 0, 0])
    d = [text_distance(far_on_one, np.ones(9), e) for e in (1.0, 1.5, 2.0)]
    assert d[0] < d[1] < d[2]
    assert text_distance(np.zeros(3), np.zeros(3), 2.0) == 0.0  # no salience: no distance


def _dprk_facing_dismantlement_first(exponent: float):
    """A DPRK at 0 on every issue, a text on its position but for sequence (0.82,
    'dismantlement first'), every salience 0.7, an acceptance radius of 0.2."""
    m = make_model(
        lambda d: d.setdefault("parameters", {}).update(
            distance_exponent=exponent, acceptance_radius=0.2
        )
    )
    m.pos[0, DPRK_I] = 0.0
    m.sal[0, DPRK_I] = 0.7
    m.outside[0, DPRK_I] = 0.0
    m.sanctions[0] = 0.0
    text = np.zeros((1, len(ISSUES)))
    text[0, SEQ] = 0.82
    return m, text


def test_under_ktabs_distance_a_red_line_on_one_issue_is_not_averaged_away():
    """The diagnosis of docs/model.md 3.14: at exponent 1 the DPRK values a text
    that is its own on eight issues and 'dismantlement first' on the ninth at
    1 - 0.82/9 and signs it; at 2 (KTAB) the ninth issue weighs 0.82/3 and it
    does not.  Nothing else differs between the two states."""
    m1, text = _dprk_facing_dismantlement_first(1.0)
    dprk1 = m1.parties[DPRK_I]
    assert dprk1.distance(text, REP0)[0] == pytest.approx(0.82 / 9)
    assert dprk1.accepts(text, "joint_statement", np.array([True]), REP0)[0]
    m2, text = _dprk_facing_dismantlement_first(2.0)
    dprk2 = m2.parties[DPRK_I]
    assert dprk2.distance(text, REP0)[0] == pytest.approx(0.82 / 3)
    assert not dprk2.accepts(text, "joint_statement", np.array([True]), REP0)[0]
    # the chair sees the same distances (TalksModel.distances)
    assert m2.distances(text, REP0)[0, DPRK_I] == pytest.approx(0.82 / 3)
    assert m1.distances(text, REP0)[0, DPRK_I] == pytest.approx(0.82 / 9)


# ------------------------------------ an aid provider's line holds its aid: a decision
def test_a_providers_line_that_holds_its_aid_names_itself():
    """ROK.aid_hold and Japan.aid_hold name the line that sets their
    delivery willingness to 0 (the model records it as withholds_aid)."""
    m = make_model()
    rok, japan, china = m.parties[ROK_I], m.parties[JAPAN_I], m.parties[CHINA_I]
    rok.strategy.policy = "hardline"
    m.progress[:] = 0.3
    held = rok.aid_hold(0)
    assert held is not None and held.code == "line_denuclearization_first"
    assert dict(held.values)["progress"] == 0.3
    assert rok.delivery_willingness()[0] == 0.0
    m.progress[:] = 1.0  # denuclearization complete: the line delivers
    assert rok.aid_hold(0) is None and rok.delivery_willingness()[0] > 0.0
    rok.strategy.policy = "engagement"
    m.progress[:] = 0.3
    assert rok.aid_hold(0) is None
    japan.strategy.abductee_linkage = True
    assert japan.aid_hold(0).code == "line_abductee_linkage"
    assert japan.delivery_willingness()[0] == 0.0
    japan.strategy.abductee_linkage = False
    assert japan.aid_hold(0) is None
    assert china.aid_hold(0) is None  # no line holds China's aid


def test_us_holds_back_the_delisting_while_its_verification_demand_exceeds_the_text():
    m = make_model()
    us = m.parties[US_I]
    us.strategy.verification_first = True
    m.pos[0, US_I, 6] = 0.9  # verification
    radius = float(us.radius(0))
    held = us.delisting_hold(0, agreed_verification=0.9 - radius - 0.05)
    assert held is not None and held.code == "verification_beyond_text"
    assert dict(held.values)["demand"] == 0.9
    assert us.delisting_hold(0, agreed_verification=0.9 - radius + 0.05) is None
    us.strategy.verification_first = False  # no such demand: nothing held
    assert us.delisting_hold(0, agreed_verification=0.0) is None


def test_the_us_holding_back_a_due_delisting_is_its_decision_once_then_a_note():
    m = _us_owing_a_delisting(verification_first=True)
    held = [d for d in m.decisions if d[2] == "withholds_delisting"]
    assert len(held) == 1 and held[0][1] == "US"
    assert [c.code for c in held[0][3]] == ["verification_beyond_text"]
    assert dict(held[0][3][0].values)["demand"] == 0.95
    m._implementation()  # the next month: still held, a note, no second decision
    assert len([d for d in m.decisions if d[2] == "withholds_delisting"]) == 1
    assert not m.delisted[0]
