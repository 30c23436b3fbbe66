"""The ledger from the agreed text (issue 10, deliverable 5), from scripted states.

A joint document adopts the phase whose terms its text covers; aid is pledged
by provider (the phase's shares and each provider's stated line); facilities
have states moved by the DPRK's steps and restored by its reversal; the
delisting falls due after the declaration; a suspension names the step that
is overdue.  Each test sets the state by hand (Axelrod style) so it fails if
the behaviour breaks, whatever the bargaining produces.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from pydantic import ValidationError
from sixparty.loader import find_scenario, load_scenario
from sixparty.model import DOC_LEVELS, TalksModel
from sixparty.outputs import csv_text, timeline_columns, write_run
from sixparty.parties import AID_PROVIDERS, DPRK_I, JAPAN_I, ROK_I, US_I
from sixparty.protocol import Ledger, months_for_days
from sixparty.reasons import clause, render
from sixparty.runner import simulate, tables
from sixparty.scenario import ISSUES, PARTIES, Phase, Scenario

INITIAL, SECOND, FINAL = 0, 1, 2


@pytest.fixture(scope="module")
def historical() -> Scenario:
    return load_scenario(find_scenario("historical"))


def model(historical: Scenario, seed: int = 1, **strategy) -> TalksModel:
    sc = historical.model_copy(deep=True)
    for key, (party, value) in strategy.items():
        setattr(getattr(sc.parties, party).strategy, key, value)
    return TalksModel(sc, seed=seed)


def text(**values: float) -> np.ndarray:
    """An agreed text: 0.1 on every issue (next to nothing on anything), some issues set."""
    x = np.full(len(ISSUES), 0.1)
    for issue, v in values.items():
        x[ISSUES.index(issue)] = v
    return x


#: The disablement package as an agreed text: aid and delisting past the
#: midpoint, the sequence still phased.
DISABLEMENT = dict(energy_aid=0.6, sanctions_relief=0.6, sequence=0.4)
SHUTDOWN = dict(energy_aid=0.35, sanctions_relief=0.35, sequence=0.4)
#: The 9·19 package as an agreed text: abandonment of all under verification
#: (the scope's upper half), still action for action (the sequence's phased
#: half; the scenario reads the DPRK's 9·19 commitment as scope 0.9, sequence
#: 0), with the assurance, normalization and LWR steps it was traded for; no
#: aid to speak of (not the shutdown).
NINETEEN = dict(
    denuclearization=0.9,
    sequence=0.2,
    verification=0.7,
    security_assurance=0.6,
    normalization=0.3,
    lwr=0.3,
)
#: The same package with the sequence at "dismantlement before any reward".
CVID = {**NINETEEN, "sequence": 0.7}


def joint_document(m: TalksModel, x: np.ndarray) -> SimpleNamespace:
    s = SimpleNamespace(
        document="joint_document",
        text=x,
        direct_contact=False,
        recess=False,
        adopted_phase=None,
        renegotiated=False,
        reasons=[],
    )
    m._after_document(0, s)
    return s


def disablement(m: TalksModel) -> SimpleNamespace:
    """The disablement package adopted with the shutdown phase already closed
    (the disablement is then the earliest open phase its text covers)."""
    m.next_phase[:] = SECOND
    return joint_document(m, text(**DISABLEMENT))


# ------------------------------------------------------------ adoption
def test_a_text_covering_the_disablement_package_starts_with_the_shutdown(historical):
    """Action for action is step by step: a text that covers the shutdown's and
    the disablement's terms adopts the earliest, the shutdown paired with its
    aid; the disablement needs a document of its own."""
    m = model(historical)
    assert historical.phases[INITIAL].covered_by(text(**DISABLEMENT))
    s = joint_document(m, text(**DISABLEMENT))
    assert s.adopted_phase == "initial_actions"
    assert [p["phase"] for p in m.ledger.phases] == [INITIAL]
    assert any(st.kind == "aid" for st in m.ledger.steps)  # paired: the DPRK is owed aid
    s2 = joint_document(m, text(**DISABLEMENT))
    assert s2.adopted_phase == "second_phase_actions"
    assert m.next_phase[0] == SECOND + 1


def test_a_text_covering_only_a_later_phase_skips_the_earlier(historical):
    m = model(historical)
    s = joint_document(m, text(**NINETEEN))
    assert s.adopted_phase == "abandonment_and_verification"
    assert m.next_phase[0] == FINAL + 1  # the phases before it are closed
    # A later text covering only the shutdown terms cannot go back to phase 1.
    for st in m.ledger.steps:
        st.delivered = st.amount
    s2 = joint_document(m, text(**SHUTDOWN))
    assert s2.adopted_phase is None and len(m.ledger.phases) == 1


def test_the_text_not_the_order_picks_the_phase(historical):
    m = model(historical)
    assert joint_document(m, text(**SHUTDOWN)).adopted_phase == "initial_actions"
    assert model(historical)._adopted_phase(text(**NINETEEN)) == FINAL
    only_disablement = text(energy_aid=0.6, sanctions_relief=0.6, sequence=0.4)
    m2 = model(historical)
    m2.next_phase[:] = SECOND  # the shutdown phase already closed
    assert m2._adopted_phase(only_disablement) == SECOND


def test_a_text_of_dismantlement_before_any_reward_adopts_no_phase(historical):
    """Every phase of the menu implements the 9·19 statement action for action
    (article §第五轮 第二阶段: "根据“行动对行动”原则，尽快采取协调一致步骤，分阶段落实共同声明"),
    so a text on the sequence's "dismantlement before any reward" half
    covers none of them, however much else it offers; the DPRK's own 9·19
    commitment as the scenario reads it (abandon all, action for action)
    covers the abandonment phase, and a text that abandons less than all
    (the scope's lower half) does not."""
    for k in range(len(historical.phases)):
        assert not historical.phases[k].covered_by(
            text(**CVID, energy_aid=0.6, sanctions_relief=0.6)
        )
    m = model(historical)
    s = joint_document(m, text(**CVID))
    assert s.adopted_phase is None and m.ledger.steps == []
    assert m._adopted_phase(text(**NINETEEN)) == FINAL
    assert not historical.phases[FINAL].covered_by(text(**{**NINETEEN, "denuclearization": 0.4}))


def test_a_text_that_covers_nothing_adopts_nothing(historical):
    m = model(historical)
    s = joint_document(m, text())  # 0.1 everywhere: no aid to speak of, no delisting
    assert s.adopted_phase is None and m.ledger.steps == []
    assert [r.code for r in s.reasons] == ["no_phase_covered"]
    assert render(s.reasons) == "the text covers no phase's terms: nothing adopted"


def test_a_new_package_supersedes_the_phase_in_force(historical):
    m = model(historical)
    joint_document(m, text(**SHUTDOWN))
    open_before = [st for st in m.ledger.steps if not st.done]
    s = joint_document(m, text(**DISABLEMENT))
    assert s.adopted_phase == "second_phase_actions"
    assert all(st.superseded_month == m.month for st in open_before)
    assert m.ledger.active_phase == SECOND
    assert not any(st.phase == INITIAL for st in m.ledger.overdue(m.month + 60))
    assert any(r.code == "phase_superseded" for r in s.reasons)
    assert "phase 1 superseded (" in render(s.reasons)


def test_a_text_covering_no_new_phase_renegotiates_the_phase_in_force(historical):
    m = model(historical)
    joint_document(m, text(**DISABLEMENT))
    due = [st.due_month for st in m.ledger.steps]
    m.month += 10
    s = joint_document(m, text(**SHUTDOWN))
    assert s.adopted_phase is None
    assert all(st.due_month > old for st, old in zip(m.ledger.steps, due, strict=True))


def test_a_phase_performed_on_time_is_reaffirmed_not_reopened(historical):
    """Reopening is the chair's decision from the ledger's state: only a stalled
    phase is renegotiated; a joint document on a phase performed on time
    reaffirms it, leaves its due months alone and does not bring the chair back
    sooner."""
    m = model(historical)
    joint_document(m, text(**SHUTDOWN))  # adopts the shutdown
    due = [st.due_month for st in m.ledger.steps]
    m.best_document[:] = DOC_LEVELS.index("joint_document")
    m.chair_wait[:] = m.params.chair_max_wait[0]
    assert m.parties[2].phase_stalled(0) == ""
    s = joint_document(m, text(**SHUTDOWN))  # covers no open phase
    assert not s.renegotiated and s.adopted_phase is None
    assert [r.code for r in s.reasons] == ["phase_reaffirmed"]
    assert [st.due_month for st in m.ledger.steps] == due
    assert m.chair_wait[0] == m.params.chair_max_wait[0]
    # The DPRK suspends its steps: the phase has stalled, and is reopened.
    m.dprk_suspended_steps[:] = True
    assert m.parties[2].phase_stalled(0) == "dprk_suspended"
    m.month += 1
    s2 = joint_document(m, text(**SHUTDOWN))
    assert s2.renegotiated and clause("phase_reopened", stall="dprk_suspended") in s2.reasons
    assert "reopened: the DPRK had suspended its steps" in render(s2.reasons)
    assert m.chair_wait[0] == m.params.min_months_between_sessions[0]


def test_abandonment_owes_the_dprk_the_919_rewards_the_text_commits(historical):
    """A text covering the abandonment phase sets counterpart steps owed to the
    DPRK (the security assurance, normalization, the LWR discussion), each paired
    with its tranche under reciprocity; a step the text does not commit is not
    owed."""
    m = model(historical)
    s = joint_document(m, text(**NINETEEN))
    assert s.adopted_phase == "abandonment_and_verification"
    owed = sorted(
        (st.tranche, PARTIES[st.party], st.description)
        for st in m.ledger.steps
        if st.kind == "commitment"
    )
    # Japan's normalization is conditioned on the outstanding issues (9.19): under
    # the abductee linkage (historical) the text owes none from Japan.
    assert owed == [
        (1, "US", "security_assurance"),
        (3, "US", "normalization"),
        (6, "US", "lwr_discussion"),
    ]
    assert clause("commitment_refused", step="normalization", party="Japan") in s.reasons
    assert "no normalization owed by Japan (its stated line)" in render(s.reasons)
    m2 = model(historical)
    m2.parties[4].strategy.abductee_linkage = False
    joint_document(m2, text(**NINETEEN))
    assert (3, 4, "normalization") in {
        (st.tranche, st.party, st.description) for st in m2.ledger.steps if st.kind == "commitment"
    }
    first = next(st for st in m.ledger.steps if st.kind == "commitment" and st.tranche == 3)
    assert not first.owed_given(1) and first.owed_given(2)  # reciprocity
    ph = historical.phases[FINAL]
    assert [c.step for c in ph.commitments(text(**{**NINETEEN, "lwr": 0.1}))] == [
        "security_assurance",
        "normalization",
        "normalization",
    ]
    # the phase is complete only when those steps are done too
    for st in m.ledger.steps:
        if st.kind != "commitment":
            st.delivered = st.amount
    assert not m.ledger.phase_complete(FINAL)


def test_an_overdue_commitment_is_a_cause_of_suspension(historical):
    m = model(historical)
    joint_document(m, text(**NINETEEN))
    led = m.ledger
    for st in led.steps:
        if st.kind == "dprk_action" and st.tranche == 1:
            st.delivered = st.amount
            st.completed_month = m.month
    m.month = max(st.due_month for st in led.steps if st.tranche == 1) + 2
    overdue = m._overdue_counterpart_steps(0, FINAL)
    assert [st.description for st in overdue] == ["security_assurance"]
    cause, why = m._overdue_cause(overdue)
    assert cause == "overdue_commitment"
    assert [c.code for c in why] == ["overdue_commitment"]
    assert dict(why[0].values)["step"] == "security_assurance"
    assert render(why).startswith("overdue_commitment: the US security_assurance of phase 3 due")


def test_phase_terms_are_checked_bound_by_bound():
    ph = Phase(
        name="p",
        dprk_steps=["x"],
        progress=0.2,
        aid_tonnes=0,
        months=2,
        terms={"energy_aid": {"at_least": 0.5}, "denuclearization": {"at_most": 0.5}},
        terms_source={"note": "test"},
        source={"note": "test"},
    )
    assert ph.covered_by(text(energy_aid=0.5, denuclearization=0.5))
    assert not ph.covered_by(text(energy_aid=0.49, denuclearization=0.2))
    assert not ph.covered_by(text(energy_aid=0.9, denuclearization=0.51))


@pytest.mark.parametrize(
    ("update", "message"),
    [
        ({"aid_shares": {"ROK": 0.5}, "aid_source": {"note": "t"}}, "shares sum to 0.5"),
        ({"aid_shares": {"ROK": 1.0}}, "aid_source"),
        ({"terms": {"energy_aid": {"at_least": 0.5}}}, "terms_source"),
        ({"terms": {"energy_aid": {}}, "terms_source": {"note": "t"}}, "at_least"),
        ({"delisting_days": 45}, "delisting: true"),
        (
            {"facility_steps": [{"facility": "r", "to": "disabled", "tranche": 9}]},
            r"facility_steps\[0\]\.tranche 9 is beyond the phase's 2 tranches",
        ),
        (
            {
                "counterpart_steps": [
                    {
                        "party": "US",
                        "step": "s",
                        "issue": "normalization",
                        "tranche": 1,
                        "source": {"note": "t"},
                    },
                    {
                        "party": "US",
                        "step": "s",
                        "issue": "normalization",
                        "tranche": 3,
                        "source": {"note": "t"},
                    },
                ]
            },
            r"counterpart_steps\[1\]\.tranche 3 is beyond the phase's 2 tranches",
        ),
    ],
)
def test_phase_format_errors_say_what_is_wrong(update, message):
    base = dict(
        name="p",
        dprk_steps=["x"],
        progress=0.2,
        aid_tonnes=10,
        months=2,
        tranches=2,
        source={"note": "test"},
    )
    with pytest.raises(ValidationError, match=message):
        Phase.model_validate({**base, **update})


# ------------------------------------------------------------ aid by provider
def _pledged(m: TalksModel) -> dict[int, float]:
    return {j: m.ledger.pledged_by(j) for j in AID_PROVIDERS}


def test_the_rok_alone_pledges_the_shutdown_aid(historical):
    m = model(historical)
    s = joint_document(m, text(**SHUTDOWN))
    assert not any("Japan" in r for r in s.reasons)  # Japan had no share to refuse
    pledged = _pledged(m)
    assert pledged[ROK_I] == pytest.approx(50000.0)
    assert sum(pledged.values()) == pytest.approx(50000.0)


def test_japan_pledges_nothing_under_the_abductee_linkage_and_the_others_cover_it(historical):
    linked = model(historical, abductee_linkage=("Japan", True))
    disablement(linked)
    pledged = _pledged(linked)
    assert pledged[JAPAN_I] == 0.0
    assert not any(st.party == JAPAN_I for st in linked.ledger.steps)
    for j in (US_I, ROK_I, 2, 5):
        assert pledged[j] == pytest.approx(950000.0 / 4)
    free = model(historical, abductee_linkage=("Japan", False))
    disablement(free)
    assert all(v == pytest.approx(950000.0 / 5) for v in _pledged(free).values())


def test_provider_shares_renormalise_around_a_refusal():
    ph = Phase(
        name="p",
        dprk_steps=["x"],
        progress=0.2,
        aid_tonnes=100,
        months=2,
        aid_shares={"US": 0.5, "Japan": 0.25, "China": 0.25},
        aid_source={"note": "t"},
        source={"note": "t"},
    )
    assert ph.provider_shares(("Japan",)) == pytest.approx(
        {"US": 2 / 3, "China": 1 / 3, "ROK": 0.0, "Japan": 0.0, "Russia": 0.0}
    )


# ------------------------------------------------------------ facilities
def _complete_dprk_tranche(m: TalksModel, phase: int, tranche: int) -> None:
    st = next(
        s for s in m.ledger.phase_steps(phase) if s.kind == "dprk_action" and s.tranche == tranche
    )
    st.delivered = st.amount
    st.completed_month = m.month
    m._dprk_step_done(0, st)


def test_a_facility_is_shut_down_then_disabled_then_restored_by_a_reversal(historical):
    m = model(historical)
    reactor = "yongbyon_5mwe_reactor"
    assert m.facilities[reactor] == "operating"
    joint_document(m, text(**SHUTDOWN))
    _complete_dprk_tranche(m, INITIAL, 1)
    assert m.facilities == {f: "shut_down" for f in m.facilities}
    for st in m.ledger.steps:  # the shutdown phase is done on both sides
        st.delivered = st.amount
    disablement(m)
    _complete_dprk_tranche(m, SECOND, 1)
    assert m.facilities[reactor] == "disabled"
    assert m.facilities["reprocessing_plant"] == "shut_down"
    # Suspended, with trust in the US low: the DPRK restores what it disabled.
    m._reverse(0, SECOND, m.params.reversal_rate[0], 0.1)
    assert m.facilities[reactor] == "operating"
    assert m.decisions[-1][2] == "restores_facilities"
    assert m.decisions[-1][3][0].code == "facilities_restored"
    assert reactor in dict(m.decisions[-1][3][0].values)["facilities"]
    assert render(m.decisions[-1][3]).startswith(f"{reactor} restored to operating (suspended, ")
    st = m.ledger.open_step(DPRK_I, SECOND, "dprk_action")
    assert st.tranche == 1 and st.reversed_amount > 0  # the step must be performed again
    _complete_dprk_tranche(m, SECOND, 1)
    assert m.facilities[reactor] == "disabled"


def test_dismantlement_is_not_reversed(historical):
    """Suspended with trust low, the DPRK restores what it disabled (按原状恢复, 2008) but
    not what it dismantled: the reversal skips the dismantling tranches."""
    m = model(historical)
    joint_document(m, text(**NINETEEN))  # the abandonment phase: tranche 2 dismantles
    _complete_dprk_tranche(m, FINAL, 1)
    _complete_dprk_tranche(m, FINAL, 2)
    reactor = "yongbyon_5mwe_reactor"
    assert m.facilities[reactor] == "dismantled"
    before = [(st.step_id, st.delivered) for st in m.ledger.phase_steps(FINAL)]
    m._reverse(0, FINAL, 1.0, 0.0)
    assert m.facilities[reactor] == "dismantled"
    assert [(st.step_id, st.delivered) for st in m.ledger.phase_steps(FINAL)] == before
    assert not [d for d in m.decisions if d[2] == "restores_facilities"]


@pytest.mark.parametrize("settled", ["performed", "superseded"])
def test_its_own_reversal_does_not_settle_the_debt_it_suspended_over(historical, settled):
    """The DPRK suspended over an overdue aid tranche and reversed its own step, which
    makes the aid no longer owed under reciprocity; it resumes only once the aid is
    delivered (or superseded), and the reason says which (it was the loop suspend -> reverse -> resume)."""
    m = model(historical)
    disablement(m)
    _complete_dprk_tranche(m, SECOND, 1)
    led, dprk = m.ledger, m.parties[DPRK_I]
    for st in led.phase_steps(SECOND):  # the first tranche performed on both sides
        if st.kind == "aid" and st.tranche == 1:
            st.delivered = st.amount
    aid = [st for st in led.phase_steps(SECOND) if st.kind == "aid" and st.tranche == 2]
    m.month = max(st.due_month for st in aid) + 3  # the second aid tranche long overdue
    dprk.trust_in = lambda j, r=None: 0.05  # below suspend and reverse thresholds
    m._implementation()
    assert m.dprk_suspended_steps[0]
    assert [d[2] for d in m.decisions[-3:]] == [
        "suspends_steps",
        "reverses_steps",
        "restores_facilities",
    ]
    assert m.suspension_cause[0] == sorted(st.step_id for st in aid)
    assert m.facilities["yongbyon_5mwe_reactor"] == "operating"  # reversed: tranche reopened
    # the reversal answers the same overdue aid the suspension did
    assert m.decisions[-3][4] == m.decisions[-2][4] == "overdue_aid"
    for _ in range(3):  # no longer owed under reciprocity, but not delivered: stays suspended
        m.month += 1
        m._implementation()
        assert m.dprk_suspended_steps[0]
        assert not m._overdue_counterpart_steps(0, SECOND)  # "not owed" by reciprocity...
        assert m.arrears[0]  # ...but still its arrears: readiness keeps the term
        terms = m.parties[DPRK_I].attend_terms(np.array([0]))
        assert terms["arrears"][0] == -m.params.dprk_attend_arrears[0]
    for st in aid:
        if settled == "performed":
            st.delivered = st.amount
        else:  # a later joint document replaced the phase's open steps
            st.superseded_month = m.month
    m.month += 1
    m._implementation()
    assert not m.dprk_suspended_steps[0]
    assert not m.arrears[0]  # settled: no arrears left
    assert m.decisions[-1][2] == "resumes_steps"
    code = "overdue_steps_performed" if settled == "performed" else "overdue_steps_renegotiated"
    assert [c.code for c in m.decisions[-1][3]] == [code]


def test_reversal_in_the_implementation_needs_suspension_and_low_trust(historical):
    def run(trust: float, suspended: bool) -> str:
        m = model(historical)
        disablement(m)
        _complete_dprk_tranche(m, SECOND, 1)
        m.dprk_suspended_steps[:] = suspended
        m.trust[0, DPRK_I, US_I] = trust
        m.parties[DPRK_I].trust_in = lambda j, r=None: trust
        # the step it suspended over, still late: ROK's aid for tranche 2
        late = SimpleNamespace(
            step_id=-1, kind="aid", phase=SECOND, tranche=2, party=ROK_I, due_month=m.month - 2
        )
        m.suspension_cause[0] = [-1] if suspended else []
        m._overdue_counterpart_steps = lambda rep, phase, reciprocity=True: (
            [late] if suspended else []
        )
        m._implementation()
        return m.facilities["yongbyon_5mwe_reactor"]

    assert run(0.1, suspended=True) == "operating"
    assert run(0.4, suspended=True) == "disabled"  # above reverse_steps_trust (0.3)


def test_the_reversal_is_the_dprks_decision_from_suspension_and_trust(historical):
    """DPRK.reverses_steps: reversal_rate while suspended with trust in the US below
    reverse_steps_trust (0.3), else nothing; the model only applies it."""
    m = model(historical)
    dprk, q = m.parties[DPRK_I], m.params.at(0)
    m.dprk_suspended_steps[0] = False
    assert dprk.reverses_steps(0, 0.1) == 0.0
    m.dprk_suspended_steps[0] = True
    assert dprk.reverses_steps(0, 0.1) == q.reversal_rate
    assert dprk.reverses_steps(0, q.reverse_steps_trust) == 0.0
    assert dprk.reverses_steps(0, 0.4) == 0.0


def _suspended_over_late_aid(historical, trust: float) -> TalksModel:
    """Tranche 1 of the disablement phase done on both sides, the ROK's aid for tranche 2
    long overdue, the DPRK suspended over it, its trust in the US ``trust``."""
    m = model(historical)
    disablement(m)
    _complete_dprk_tranche(m, SECOND, 1)
    for st in m.ledger.phase_steps(SECOND):
        if st.kind == "aid" and st.tranche == 1:
            st.delivered = st.amount
    aid = [st for st in m.ledger.phase_steps(SECOND) if st.kind == "aid" and st.tranche == 2]
    m.month = max(st.due_month for st in aid) + 3
    m.dprk_suspended_steps[0] = True
    m.suspension_cause[0] = [st.step_id for st in aid]
    m.parties[DPRK_I].trust_in = lambda j, r=None: trust
    return m


def test_a_reversal_is_a_decision_row_with_what_it_undid_and_why(historical):
    m = _suspended_over_late_aid(historical, 0.12)
    st = next(s for s in m.ledger.phase_steps(SECOND) if s.kind == "dprk_action" and s.tranche == 1)
    rate = float(m.params.reversal_rate[0])
    m._implementation()
    rows = [d for d in m.decisions if d[2] == "reverses_steps"]
    assert len(rows) == 1
    month, party, _, why, cause = rows[0]
    assert (month, party, cause) == (m.month, "DPRK", "overdue_aid")
    assert [c.code for c in why] == ["progress_undone", "tranche_reopened", "trust_in_us_below"]
    assert why[0].as_dict() == {"undone": round(rate, 3), "phase": 2}
    assert why[1].as_dict() == {"tranche": 1, "phase": 2}
    assert why[2].as_dict() == {"trust": 0.12, "threshold": 0.3, "margin": 0.18}
    assert render(why) == (
        f"undid {rate:.3f} of denuclearization progress under phase 2; tranche 1 of phase 2 "
        "re-opened; steps suspended and trust in US 0.120 below 0.3 (by 0.18)"
    )
    assert st.reversed_amount == pytest.approx(rate) and st.completed_month is None
    # the timeline's note is the decision's, as before it was a row
    assert "DPRK: reverses_steps" in m.records[0].events
    # the facilities it restores follow as their own decision
    assert m.decisions[-1][2] == "restores_facilities"
    # next month the tranche is already open: the amount undone, no tranche re-opened
    m.month += 1
    m._implementation()
    again = [d for d in m.decisions if d[2] == "reverses_steps"]
    assert len(again) == 2 and [c.code for c in again[-1][3]] == [
        "progress_undone",
        "trust_in_us_below",
    ]


def test_no_reversal_row_when_trust_is_above_the_threshold_or_nothing_is_left(historical):
    m = _suspended_over_late_aid(historical, 0.35)
    m._implementation()
    assert not [d for d in m.decisions if d[2] == "reverses_steps"]
    m = _suspended_over_late_aid(historical, 0.1)
    for st in m.ledger.phase_steps(SECOND):  # nothing performed to undo
        if st.kind == "dprk_action":
            st.delivered = 0.0
    m._implementation()
    assert not [d for d in m.decisions if d[2] == "reverses_steps"]
    assert "DPRK: reverses_steps" not in m.records[0].events


def test_recording_the_reversal_changes_nothing_else(historical, monkeypatch):
    """The reversal's row is a record only: with it dropped (the month noted in the
    timeline's events, as before it was a row) every table of a run that reverses is
    byte-identical, decisions.csv less the new rows included."""
    seed = 0  # anchored historical (two denuclearization scales): reverses steps; seed 14 did on one scale
    with_rows = simulate(historical, seed=seed, record_positions=True)
    assert any(d["decision"] == "reverses_steps" for d in with_rows.decisions)

    decide = TalksModel.decide

    def note_only(self, rep, party, what, why, cause=""):
        if what == "reverses_steps":
            self.note(rep, "DPRK: reverses_steps")
            return
        decide(self, rep, party, what, why, cause)

    monkeypatch.setattr(TalksModel, "decide", note_only)
    without = simulate(historical, seed=seed, record_positions=True)
    from sixparty.outputs import table_rows

    a, b = table_rows(with_rows), table_rows(without)
    kept = [d for d in with_rows.decisions if d["decision"] != "reverses_steps"]
    for name, (rows, cols) in a.items():
        if name == "decisions":
            rows = kept
        assert csv_text(rows, cols) == csv_text(*b[name]), name
    # one row a month it undid something, in the month the timeline notes it
    noted = [r["month"] for r in with_rows.timeline if "DPRK: reverses_steps" in r["events"]]
    rows = [d["month"] for d in with_rows.decisions if d["decision"] == "reverses_steps"]
    assert rows == noted


def test_the_amount_undone_is_what_was_left(historical):
    m = _suspended_over_late_aid(historical, 0.1)
    st = next(s for s in m.ledger.phase_steps(SECOND) if s.kind == "dprk_action" and s.tranche == 1)
    st.delivered = 0.005  # less than reversal_rate left to undo (tranche 1 no longer done)
    m._implementation()
    row = next(d for d in m.decisions if d[2] == "reverses_steps")
    assert row[3][0].as_dict()["undone"] == 0.005
    assert [c.code for c in row[3]] == ["progress_undone", "trust_in_us_below"]


def test_timeline_has_a_state_column_per_facility(historical):
    r = simulate(historical, seed=0, record_positions=False)
    cols = timeline_columns(r)
    assert [c for c in cols if c.startswith("facility_")] == [
        "facility_yongbyon_5mwe_reactor",
        "facility_reprocessing_plant",
        "facility_fuel_fabrication_plant",
    ]
    assert all(
        row["facility_reprocessing_plant"] in ("operating", "shut_down", "disabled", "dismantled")
        for row in r.timeline
    )


# ------------------------------------------------------------ delisting
def test_delisting_is_owed_after_the_declaration_and_due_45_days_later(historical):
    m = model(historical)
    disablement(m)
    delist = next(st for st in m.ledger.steps if st.kind == "delisting")
    assert delist.after_tranche == 4 and not delist.owed_given(3)
    m.month += 2
    for t in (1, 2, 3, 4):
        _complete_dprk_tranche(m, SECOND, t)
    assert delist.owed_given(4) and delist.owed_month == m.month
    assert delist.due_month == m.month + months_for_days(45) == m.month + 2
    # a declaration once made stays made: a later reversal does not cancel the debt
    m._reverse(0, SECOND, 1.0, 0.1)
    assert m.ledger.dprk_tranches_done(SECOND) < 4 and delist.owed_given(0)


def test_months_for_days():
    assert [months_for_days(d) for d in (1, 30, 31, 45, 60, 61, 365)] == [1, 1, 2, 2, 2, 3, 12]


# ------------------------------------------------------------ suspension cause
def _owed_to_dprk(historical, delisting_late: bool, aid_late: bool) -> TalksModel:
    m = model(historical)
    disablement(m)
    led = m.ledger
    for st in led.steps:
        if st.kind == "dprk_action":
            st.delivered = st.amount
            st.completed_month = m.month
        elif st.kind == "aid" and not (aid_late and st.tranche == 4):
            st.delivered = st.amount
    delist = next(st for st in led.steps if st.kind == "delisting")
    delist.owed_month = m.month
    if not delisting_late:
        delist.delivered = 1.0
    m.month = max(st.due_month for st in led.steps) + 2
    m.parties[DPRK_I].trust_in = lambda j, r=None: 0.2  # below suspend_steps_trust
    m.parties[US_I].delivery_willingness = lambda r=None: 0.0  # the US does not act this month
    for j in AID_PROVIDERS:
        m.parties[j].delivery_willingness = lambda r=None: 0.0
    m._implementation()
    return m


def test_a_suspension_cites_the_overdue_delisting(historical):
    m = _owed_to_dprk(historical, delisting_late=True, aid_late=False)
    month, party, what, why, cause = (
        m.decisions[-1]
        if m.decisions[-1][2] == "suspends_steps"
        else next(d for d in m.decisions if d[2] == "suspends_steps")
    )
    assert (party, what, cause) == ("DPRK", "suspends_steps", "overdue_delisting")
    assert [c.code for c in why] == ["overdue_delisting", "trust_in_us"]
    assert render(why).startswith("overdue_delisting: the US delisting of phase 2 due ")
    assert "aid" not in render(why)


def test_a_suspension_cites_overdue_aid_when_aid_is_what_is_overdue(historical):
    m = _owed_to_dprk(historical, delisting_late=False, aid_late=True)
    d = next(d for d in m.decisions if d[2] == "suspends_steps")
    assert d[4] == "overdue_aid" and "delisting" not in render(d[3])
    assert dict(d[3][0].values)["short"] == ("US", "China", "ROK", "Russia")
    assert "short: US, China, ROK, Russia" in render(d[3])  # Japan pledged nothing


def test_a_suspension_cites_both_when_both_are_overdue(historical):
    m = _owed_to_dprk(historical, delisting_late=True, aid_late=True)
    d = next(d for d in m.decisions if d[2] == "suspends_steps")
    assert d[4] == "overdue_delisting+overdue_aid"


def test_nothing_overdue_no_suspension(historical):
    m = _owed_to_dprk(historical, delisting_late=False, aid_late=False)
    assert not any(d[2] == "suspends_steps" for d in m.decisions)


# ------------------------------------------------------------ tables and determinism
def test_ledger_and_decisions_tables_carry_the_new_columns(historical):
    m = model(historical)
    joint_document(m, text(**SHUTDOWN))
    disablement(m)
    m.decide(
        0,
        "DPRK",
        "suspends_steps",
        clause("overdue_delisting", phase=2, due="2008-09"),
        cause="overdue_delisting",
    )
    r = tables(m)
    assert {row["superseded"] for row in r.ledger if row["phase"] == 1} == {
        f"{m.month // 12:04d}-{m.month % 12 + 1:02d}"
    }
    assert r.decisions[-1]["cause"] == "overdue_delisting"


def test_same_seed_same_tables_with_adoptions(historical):
    """Byte-identical ledger, decisions and timeline (facility columns included)."""
    sc = historical.model_copy(deep=True)
    sc.parameters.chair_patience = 14
    sc.parameters.concession_tolerance = 0.0
    for seed in range(4, 10):  # a seed whose run adopts a phase (seed 4 does today)
        a = simulate(sc, seed=seed, record_positions=False)
        if any(s["adopted_phase"] for s in a.sessions):
            break
    else:
        pytest.skip("no run of seeds 4-9 adopts a phase with these sessions")
    b = simulate(sc, seed=seed, record_positions=False)
    for name in ("ledger", "decisions", "timeline"):
        ra, rb = getattr(a, name), getattr(b, name)
        cols = list(ra[0]) if ra else []
        assert csv_text(ra, cols) == csv_text(rb, cols)


def test_old_run_folders_without_the_new_columns_still_read(historical, tmp_path):
    import json

    from sixparty.analysis.runfiles import read_run

    r = simulate(historical, seed=0, record_positions=False)
    write_run(r, tmp_path / "run")
    d = tmp_path / "run"
    # Strip the new columns as a folder written before them would lack them.
    import pandas as pd

    for name, cols in (
        (
            "timeline",
            [c for c in pd.read_csv(d / "timeline.csv").columns if c.startswith("facility_")],
        ),
        ("ledger", ["superseded"]),
        ("decisions", ["cause", "reason_codes", "reason_values"]),
        ("sessions", ["note_codes", "note_values"]),
    ):
        df = pd.read_csv(d / f"{name}.csv", dtype=str, keep_default_na=False)
        df.drop(columns=[c for c in cols if c in df.columns]).to_csv(d / f"{name}.csv", index=False)
    meta = json.loads((d / "manifest.json").read_text())
    assert read_run(d, verify=False).timeline is not None
    new = tmp_path / "new"
    write_run(r, new)
    t = read_run(new).timeline
    assert set(t["facility_reprocessing_plant"]) <= {
        "operating",
        "shut_down",
        "disabled",
        "dismantled",
    }
    assert meta["scenario"] == "historical"


def test_ledger_protocol_shares_and_zero_shares_make_no_step():
    class P:
        name = "p"
        dprk_steps = ["a"]
        progress = 0.2
        aid_tonnes = 1000.0
        delisting = False
        months = 2
        tranches = 2

    led = Ledger()
    steps = led.adopt(0, P, 10, AID_PROVIDERS, DPRK_I, US_I, shares={ROK_I: 1.0})
    aid = [s for s in steps if s.kind == "aid"]
    assert {s.party for s in aid} == {ROK_I} and sum(s.amount for s in aid) == pytest.approx(1000)


# ------------------------------------------------------------ narration
@pytest.fixture(scope="module")
def scripted_run(historical):
    """A scripted run: a joint document covering the disablement package, the
    reactor disabled the next month, then a suspension over the overdue
    delisting (the reason from the model's own code) and a restoration."""
    from sixparty.model import Session
    from sixparty.scenario import PARTIES

    m = model(historical)
    s = Session(
        0,
        1,
        1,
        m.month,
        "chair",
        attended=list(PARTIES),
        held=True,
        document="joint_document",
        text=text(**DISABLEMENT),
        utilities=np.ones(6),
        draft_utilities=np.ones((0, 6)),
    )
    m.sessions.append(s)
    m.next_phase[:] = SECOND  # the shutdown phase already closed
    m._after_document(0, s)
    m._record(["active"])
    m.month += 1
    _complete_dprk_tranche(m, SECOND, 1)
    m._record(["active"])
    m.month += 1
    delist = next(st for st in m.ledger.steps if st.kind == "delisting")
    cause, what = m._overdue_cause([delist])
    m.decide(0, "DPRK", "suspends_steps", [*what, clause("trust_in_us", trust=0.2)], cause=cause)
    m._reverse(0, SECOND, m.params.reversal_rate[0], 0.2)
    m._record(["suspended"])
    return tables(m)


def test_narration_tells_facility_states_and_aid_by_provider(scripted_run):
    from sixparty.analysis.narrate import narrate

    en = narrate(scripted_run, "en")
    zh = narrate(scripted_run, "zh")
    assert "The Yongbyon 5 MWe reactor is disabled." in en
    assert "宁边5兆瓦实验性反应堆已去功能化。" in zh
    # The restoration is the DPRK's decision, told once with the facilities' names
    # (not the scenario's ids) and not repeated as a state line.
    assert "DPRK restores facilities it had shut down or disabled: the Yongbyon 5 MWe reactor" in en
    assert "yongbyon_5mwe_reactor" not in en
    assert "The Yongbyon 5 MWe reactor is back in operation." not in en
    assert "宁边5兆瓦实验性反应堆恢复运行。" not in zh
    assert zh.count("按原状恢复宁边5兆瓦实验性反应堆") == 1
    assert "(US 237,500 t, China 237,500 t, ROK 237,500 t, Russia 237,500 t)" in en
    assert "no aid pledged by Japan (its stated line)" in en
    assert "日本按其既定立场不承诺援助" in zh


def test_narration_tells_the_reversal_as_the_dprks_decision(scripted_run):
    """The month's reversal is a row of decisions.csv (not only a timeline note), told
    once, with what it undid and why, in both languages."""
    from sixparty.analysis.narrate import narrate

    rev = [d for d in scripted_run.decisions if d["decision"] == "reverses_steps"]
    assert len(rev) == 1 and rev[0]["party"] == "DPRK"
    assert rev[0]["reason_codes"] == "progress_undone;tranche_reopened;trust_in_us_below"
    en = narrate(scripted_run, "en")
    zh = narrate(scripted_run, "zh")
    assert en.count("reverses part of its steps") == 1
    assert (
        "DPRK reverses part of its steps: undid 0.020 of denuclearization progress under "
        "phase 2; tranche 1 of phase 2 re-opened; steps suspended and trust in US 0.200 "
        "below 0.3 (by 0.1)."
    ) in en
    assert "第2阶段的无核化进展倒退0.020；第2阶段第1批步骤重新待履行" in zh


def test_chinese_reasons_of_a_suspension_for_the_delisting_have_no_english(scripted_run):
    from sixparty.analysis.narrate import narrate

    susp = [d for d in scripted_run.decisions if d["decision"] == "suspends_steps"]
    assert [d["cause"] for d in susp] == ["overdue_delisting"]
    zh = narrate(scripted_run, "zh")
    assert "美方未按期除名" in zh and "按原状恢复宁边5兆瓦实验性反应堆" in zh
    for part in zh.split("模型理由：")[1:]:
        why = part.split("。", 1)[0]
        assert not any("a" <= ch.lower() <= "z" for ch in why), why


def test_run_summary_names_the_facilities_states(scripted_run):
    from sixparty.runner import summary_lines

    lines = summary_lines(scripted_run)
    assert lines[-1] == (
        "Facilities: yongbyon 5mwe reactor operating, reprocessing plant "
        "operating, fuel fabrication plant operating"
    )


# ------------------------------------------------------------ a suspension superseded
def test_a_new_phase_lifting_a_suspension_is_recorded_as_the_dprks_resumption(historical):
    """The DPRK suspended its steps under the shutdown phase; a joint document
    adopting a later phase supersedes it, and with it the steps it suspended
    over: the suspension ends, recorded as a ``resumes_steps`` decision whose
    reason names both phases (before, it was lifted silently)."""
    m = model(historical)
    joint_document(m, text(**SHUTDOWN))
    m.month += 3
    aid = next(st for st in m.ledger.steps if st.kind == "aid" and st.tranche == 1)
    m.dprk_suspended_steps[0] = True
    m.suspension_cause[0] = [aid.step_id]
    n = len(m.decisions)
    s = disablement(m)
    assert s.adopted_phase == "second_phase_actions"
    assert not m.dprk_suspended_steps[0] and m.suspension_cause[0] == []
    (d,) = m.decisions[n:]
    month, party, what, why, cause = d
    assert (month, party, what, cause) == (m.month, "DPRK", "resumes_steps", "")
    assert [c.code for c in why] == ["overdue_steps_superseded"]
    assert dict(why[0].values) == {"phase": INITIAL + 1, "adopted": SECOND + 1}
    assert render(why) == "overdue steps superseded: phase 1 superseded by phase 2"


def test_a_new_phase_without_a_suspension_records_no_resumption(historical):
    m = model(historical)
    joint_document(m, text(**SHUTDOWN))
    n = len(m.decisions)
    disablement(m)
    assert not any(d[2] == "resumes_steps" for d in m.decisions[n:])


def test_facilities_restored_prints_trust_finely_against_the_threshold(historical):
    """restores_facilities: its trust in the US with three decimals, the threshold
    and the margin, like the other threshold clauses (0.297 is below 0.3; two
    decimals showed 0.30)."""
    m = model(historical)
    joint_document(m, text(**SHUTDOWN))
    _complete_dprk_tranche(m, INITIAL, 1)
    for st in m.ledger.steps:
        st.delivered = st.amount
    disablement(m)
    _complete_dprk_tranche(m, SECOND, 1)
    m._reverse(0, SECOND, m.params.reversal_rate[0], 0.2971)
    (c,) = m.decisions[-1][3]
    assert c.code == "facilities_restored"
    values = dict(c.values)
    assert values["trust_in_us"] == 0.297 and values["threshold"] == 0.3
    assert values["margin"] == pytest.approx(0.0029)
    assert render([c]).endswith("(suspended, trust in US 0.297 below 0.3 by 0.0029)")
