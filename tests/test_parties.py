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
from sixparty.model import TalksModel
from sixparty.parties import (
    AID,
    CHINA_I,
    DEN,
    DPRK_I,
    FMT,
    JAPAN_I,
    NORM,
    ROK_I,
    RUSSIA_I,
    SANC,
    US_I,
    Party,
)
from sixparty.scenario import Scenario


def make_model(mutate=None, seed: int = 1) -> TalksModel:
    data = minimal_scenario_dict()
    if mutate:
        mutate(data)
    return TalksModel(Scenario.model_validate(data), seed=seed)


def session(direct_contact: bool) -> SimpleNamespace:
    return SimpleNamespace(direct_contact=direct_contact)


# ---------------------------------------------------------------- DPRK
def test_dprk_demands_direct_contact_with_the_us():
    m = make_model()
    dprk = m.parties[DPRK_I]
    text = dprk.position.copy()
    text[:] = np.clip(text + 0.9 * dprk.radius(), 0, 1)  # just inside the win-set
    assert dprk.accepts(text, "joint_statement", session(direct_contact=True))
    assert not dprk.accepts(text, "joint_statement", session(direct_contact=False))
    # The base class perceives no such grievance.
    assert Party.penalty(dprk, session(False)) == 0.0


def test_dprk_links_attendance_to_sanctions():
    m = make_model()
    dprk = m.parties[DPRK_I]
    m.sanctions = 0.0
    free = dprk.attend_score()
    m.sanctions = 0.8
    sanctioned = dprk.attend_score()
    assert sanctioned < free - 0.2
    dprk.strategy.sanctions_linkage = False
    assert dprk.attend_score() == pytest.approx(free)


def test_dprk_answers_pressure_with_a_test_and_the_us_with_sanctions():
    m = make_model()
    dprk = m.parties[DPRK_I]
    m.grievance = 1.0
    m.params.test_threshold = 0.1
    dprk.strategy.escalation = 1.0
    before = m.sanctions
    m.consider_escalation(dprk)
    assert m.tests, "a DPRK under pressure far above its threshold should test"
    assert m.sanctions > before
    assert any(d[2].endswith("_test") for d in m.decisions)
    # Without the propensity to escalate, no test.
    m2 = make_model()
    m2.grievance = 1.0
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
    m.agreed_text = m.pos.mean(axis=0)
    m.ledger.adopt(0, m.spec.phases[0], m.month, (1, 2, 3, 4, 5), DPRK_I, US_I)
    for party in m.parties[1:]:
        party.delivery_willingness = lambda: 0.0  # nobody delivers
    m._implementation()
    assert m.ledger.steps[0].delivered == 0.0


# ------------------------------------------------------------------ US
def test_us_refuses_to_bargain_over_sanctions_when_domestic_constraint_is_high():
    m = make_model()
    us = m.parties[US_I]
    m.domestic[US_I] = 0.9
    m.sal[US_I] = 0.1
    m.sal[US_I, SANC] = 0.6
    m.pos[US_I, SANC] = 0.1
    text = us.position.copy()
    text[SANC] = 0.35  # the costliest gap is on sanctions relief
    text[DEN] = us.position[DEN] - 0.3
    verdict, issue = us.respond(text, "joint_document", session(True))
    assert verdict == "amend"
    assert issue != SANC
    # The base class would ask on sanctions, the costliest issue.
    base_verdict, base_issue = Party.respond(us, text, "joint_document", session(True))
    assert (base_verdict, base_issue) == ("amend", SANC)


def test_us_refuses_direct_contact_until_strategy_or_domestic_politics_allow():
    m = make_model()
    us = m.parties[US_I]
    us.strategy.direct_talks = "refuse"
    m.domestic[US_I] = 0.8
    m.pos[US_I, FMT] = 0.1
    assert not us.allows_direct_contact()
    m.domestic[US_I] = 0.3  # after the midterms
    assert us.allows_direct_contact()
    m.domestic[US_I] = 0.8
    us.strategy.direct_talks = "within_multilateral"
    assert us.allows_direct_contact()


def test_us_domestic_politics_harden_its_positions():
    m = make_model()
    m.params.drift = 0.0
    m.pos[US_I, DEN] = m.pos[US_I, 6] = 0.5
    m.domestic[US_I] = 1.0
    m.parties[US_I].step()
    hard = (m.pos[US_I, DEN], m.pos[US_I, 6])
    m.pos[US_I, DEN] = m.pos[US_I, 6] = 0.5
    m.domestic[US_I] = 0.0
    m.parties[US_I].step()
    assert hard[0] > m.pos[US_I, DEN] and hard[1] > m.pos[US_I, 6]


def test_us_verification_before_delisting():
    def run(verification_first: bool) -> bool:
        m = make_model()
        us = m.parties[US_I]
        us.strategy.verification_first = verification_first
        us.delivery_willingness = lambda: 1.0
        phase = m.spec.phases[0].model_copy(update={"delisting": True, "tranches": 1})
        m.ledger.adopt(0, phase, m.month, (1, 2, 3, 4, 5), DPRK_I, US_I)
        m.agreed_text = m.pos.mean(axis=0)
        m.agreed_text[6] = 0.1  # the text says little about verification
        m.pos[US_I, 6] = 0.95  # the US wants intrusive verification
        m._implementation()
        return m.delisted
    assert run(verification_first=False)
    assert not run(verification_first=True)


# --------------------------------------------------------------- China
def test_china_drafts_the_capability_salience_weighted_mean():
    m = make_model()
    text = m.parties[CHINA_I].draft(None)
    w = m.cap[:, None] * m.sal
    expected = (w * m.pos).sum(axis=0) / w.sum(axis=0)
    assert np.allclose(text, expected)


def test_china_shuttle_diplomacy_builds_dprk_trust_and_readiness():
    m = make_model()
    t0 = m.trust[DPRK_I, CHINA_I]
    r0 = m.parties[DPRK_I].attend_score()
    for _ in range(3):
        m.parties[CHINA_I].shuttle()
    assert m.trust[DPRK_I, CHINA_I] > t0
    assert m.parties[DPRK_I].attend_score() > r0


# ----------------------------------------------------------------- ROK
def test_rok_follows_its_government_line():
    m = make_model()
    rok = m.parties[ROK_I]
    rok.strategy.policy = "engagement"
    assert rok.delivery_willingness() > 0.5
    rok.strategy.policy = "hardline"
    m.progress = 0.3
    assert rok.delivery_willingness() == 0.0
    m.params.drift = 0.0
    m.pos[ROK_I, DEN] = 0.4
    m.pos[ROK_I, AID] = 0.7
    rok.step()
    assert m.pos[ROK_I, DEN] > 0.4 and m.pos[ROK_I, AID] < 0.7


# --------------------------------------------------------------- Japan
def test_japan_abductee_linkage_holds_aid_and_normalization():
    m = make_model()
    japan = m.parties[JAPAN_I]
    japan.strategy.abductee_linkage = True
    assert japan.delivery_willingness() == 0.0
    text = japan.position.copy()
    text[NORM] = 1.0 - text[NORM]
    before = float(japan.position[NORM])
    m.params.noise = 0.0
    japan.concede(text, rate_boost=5.0)
    assert japan.position[NORM] == before
    japan.strategy.abductee_linkage = False
    assert japan.delivery_willingness() > 0.0
    japan.concede(text, rate_boost=5.0)
    assert japan.position[NORM] != before


# -------------------------------------------------------------- Russia
def test_russia_package_moves_text_toward_the_dprk_us_midpoint():
    m = make_model()
    russia = m.parties[RUSSIA_I]
    gap = np.abs(m.pos[DPRK_I] - m.pos[US_I])
    k = int(np.argmax(gap))
    text = m.pos[US_I].copy()
    out = russia.package(text)
    mid = 0.5 * (m.pos[DPRK_I, k] + m.pos[US_I, k])
    assert abs(out[k] - mid) < abs(text[k] - mid)
    russia.strategy.package_mediation = 0.0
    assert np.allclose(russia.package(text), text)


def test_every_class_declares_its_classifier_and_cites_the_article():
    m = make_model()
    for party in m.parties:
        assert party.classifier, party.key
        assert "§" in type(party).__doc__, party.key


def test_dprk_readiness_falls_when_steps_owed_to_it_are_overdue():
    m = make_model()
    dprk = m.parties[DPRK_I]
    m.arrears = False
    on_time = dprk.attend_score()
    m.arrears = True
    assert dprk.attend_score() < on_time


def test_chair_aims_at_a_review_while_a_phase_is_implemented():
    m = make_model()
    m.best_document = "joint_statement"
    assert m._target_level() == "joint_document"
    m.ledger.adopt(0, m.spec.phases[0], m.month, (1, 2, 3, 4, 5), DPRK_I, US_I)
    assert m._target_level() == "chairmans_statement"


def test_domestic_constraint_pulls_a_delegation_back_harder():
    def moved(domestic: float) -> float:
        m = make_model()
        china = m.parties[CHINA_I]  # the base class's drift
        m.domestic[CHINA_I] = domestic
        m.anchor[CHINA_I] = 0.0
        m.pos[CHINA_I] = 1.0
        Party.step(china)
        return 1.0 - float(m.pos[CHINA_I, 0])
    assert moved(0.9) > moved(0.1) > 0.0


def test_us_compromises_on_verification_when_disablement_is_suspended():
    def after_step(domestic: float) -> float:
        m = make_model()
        us = m.parties[US_I]
        phase = m.spec.phases[0].model_copy(update={"delisting": True})
        m.ledger.adopt(0, phase, m.month, (1, 2, 3, 4, 5), DPRK_I, US_I)
        m.agreed_text = m.pos.mean(axis=0)
        m.agreed_text[6] = 0.3
        m.pos[US_I, 6] = m.anchor[US_I, 6] = 0.95
        m.domestic[US_I] = domestic
        m.dprk_suspended_steps = True
        us.step()
        return float(m.pos[US_I, 6])
    assert after_step(0.5) < 0.85  # moves toward the text
    assert after_step(0.9) > 0.94  # a hard-line domestic scene forbids it
