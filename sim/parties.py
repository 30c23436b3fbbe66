"""The six parties: one base class on ``mesa.Agent`` and one subclass each.

State lives in arrays owned by :class:`sim.model.TalksModel` (``pos``, ``sal``,
``anchor``, ``cap``, ``resolve``, ``domestic``, ``outside`` and the Beta trust
counts); an agent reads and writes its own row through ``self.idx``.  This keeps
a month cheap (see ../shared/MESA_NOTES.md: Python overhead, not arithmetic,
sets the speed of a six-party model).

Every class follows the article (Chinese Wikipedia 六方会谈,
``../shared/seed/six_party_talks.zh.md``); its docstring names the sections its
behaviour comes from, and ``classifier`` (after the Axelrod library) lists its
distinctive traits so tests and docs can ask for them.

Utility (spatial, salience-weighted; Bueno de Mesquita 1994, Scholz et al. 2011):
``u_i(x) = 1 - sum_k s_ik |x_k - p_ik| / sum_k s_ik`` in [0, 1] for a text ``x``
in [0, 1]^8.  A party signs a text only if its utility (less the slack of the
document's level) is at least its disagreement value (Nash 1950;
:meth:`Party.disagreement_value`).  In session, positions move by Bueno de
Mesquita's expected-utility model (:mod:`sixparty.bargaining`); each class's
resolve, domestic constraint and lines enter it through
:meth:`Party.bargaining_salience` and :meth:`Party.hold_in_round`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import mesa
import numpy as np
from sixparty.bargaining import accepts as nash_accepts
from sixparty.bargaining import weighted_median, zeuthen_risk_limit
from sixparty.scenario import ISSUES, PARTIES

if TYPE_CHECKING:  # pragma: no cover
    from sixparty.model import TalksModel

# Party and issue indices into the model's arrays.
DPRK_I, US_I, CHINA_I, ROK_I, JAPAN_I, RUSSIA_I = range(6)
(DEN, SEC, AID, NORM, SANC, LWR, VER, FMT) = range(8)
AID_PROVIDERS = (US_I, CHINA_I, ROK_I, JAPAN_I, RUSSIA_I)


def level_slack(params, level: str) -> float:
    """Slack a text of ``level`` leaves (vagueness), a distance in [0, 1]: a
    chairman's statement of principles papers over more distance than a joint
    document of paired steps (``parameters.slack_<level>``)."""
    return float(getattr(params, f"slack_{level}"))


class Party(mesa.Agent):
    """A delegation at the talks.

    Attributes (views on the model's arrays, row ``idx``):
        position: float array (8,), in [0, 1] per issue, scales in
            :data:`sixparty.scenario.ISSUE_SCALES`.
        salience: float array (8,), in [0, 1].
        capability: float in [0, 1].
        resolve: float in [0, 1]; 1 = never concedes.
        domestic_constraint: float in [0, 1]; narrows the win-set (Putnam 1988).
        outside_option: float in [0, 1]; value of no agreement (BATNA).
    """

    key: ClassVar[str] = ""
    classifier: ClassVar[dict[str, object]] = {}

    def __init__(self, model: TalksModel, strategy) -> None:
        super().__init__(model)
        self.idx = PARTIES.index(self.key)
        self.strategy = strategy.model_copy()

    # ----------------------------------------------------------- state views
    @property
    def position(self) -> np.ndarray:
        return self.model.pos[self.idx]

    @property
    def salience(self) -> np.ndarray:
        return self.model.sal[self.idx]

    @property
    def capability(self) -> float:
        return float(self.model.cap[self.idx])

    @property
    def resolve(self) -> float:
        return float(self.model.resolve[self.idx])

    @property
    def domestic_constraint(self) -> float:
        return float(self.model.domestic[self.idx])

    def trust_in(self, other: int) -> float:
        """Trust in party ``other`` in [0, 1]: mean of a Beta belief (Kydd 2005)."""
        return float(self.model.trust[self.idx, other])

    # --------------------------------------------------------------- utility
    def distance(self, text: np.ndarray) -> float:
        """Salience-weighted mean distance of ``text`` (8,) from my position, in [0, 1]."""
        s = self.salience
        tot = float(s.sum()) or 1.0
        return float(np.abs(text - self.position) @ s) / tot

    def utility(self, text: np.ndarray) -> float:
        """Utility of a text (8,) in [0, 1]; 1 = the text is my position."""
        return 1.0 - self.distance(text)

    def radius(self) -> float:
        """Win-set radius: the distance I can accept, shrunk by domestic constraint."""
        p = self.model.params
        return p.acceptance_radius * (1.0 - p.domestic_radius_shrink * self.domestic_constraint)

    # --------------------------------------------------------- in a session
    def penalty(self, session) -> float:
        """Extra distance I perceive in this session (class-specific grievances)."""
        return 0.0

    def outside_option(self) -> float:
        """Value of no agreement (BATNA) on the utility scale, in [-1, 1].

        The base class reads the model's ``outside`` row (moved only by
        typed ``outside_option`` effects and, for the DPRK, by its tests);
        the DPRK's class nets sanctions out of it (:meth:`DPRK.outside_option`).
        """
        return float(self.model.outside[self.idx])

    def disagreement_value(self) -> float:
        """My disagreement value d_i (Nash 1950): the utility of no agreement.

        ``d_i = 1 - rho_i (1 - o_i)`` with ``rho_i`` = :meth:`radius` (the
        win-set radius, narrowed by the domestic constraint, Putnam 1988)
        and ``o_i`` = :meth:`outside_option`.  With no outside option
        (o = 0) a text is worth signing when it lies within my radius; an
        outside option o > 0 shrinks the win-set to ``rho (1 - o)`` (o = 1:
        only my own position); o < 0 (sanctions make no deal worse than the
        neutral status quo) widens it.  Range [1 - 2 rho, 1].
        """
        o = min(1.0, max(-1.0, self.outside_option()))
        return 1.0 - self.radius() * (1.0 - o)

    def text_utility(self, text: np.ndarray, level: str, session, d: float | None = None) -> float:
        """What signing ``text`` as a document of ``level`` is worth to me, <= 1.

        ``u_i(x, L) = 1 - max(0, d_i(x) + penalty_i - slack_L)``: my
        salience-weighted distance from the text, plus the grievance I
        perceive in this session (:meth:`penalty`), less the slack a vaguer
        document leaves (``parameters.slack_<level>``; a chairman's statement
        of principles binds less than a joint document of paired steps).
        ``d``: my distance from ``text`` if already computed.
        """
        if d is None:
            d = self.distance(text)
        return 1.0 - max(0.0, d + self.penalty(session) - level_slack(self.model.params, level))

    def accepts(self, text: np.ndarray, level: str, session, d: float | None = None) -> bool:
        """Would I sign ``text`` as a document of ``level``?

        Only if it is worth at least my disagreement value (Nash 1950;
        :func:`sixparty.bargaining.accepts`): ``text_utility >=
        disagreement_value``.  A joint document binds me to paired steps, so
        it also needs trust in my counterparts (Kydd 2005: reassurance
        succeeds when trust exceeds a threshold set by payoffs):
        ``parameters.commitment_trust``.
        """
        u = self.text_utility(text, level, session, d)
        if not bool(nash_accepts(u, self.disagreement_value())):
            return False
        if level == "joint_document":
            return self.commitment_trust() >= self.model.params.commitment_trust
        return True

    def commitment_trust(self) -> float:
        """Trust in whoever must perform the other half of my steps."""
        return self.trust_in(DPRK_I)

    def respond(
        self, text: np.ndarray, level: str, session, d: float | None = None
    ) -> tuple[str, int | None]:
        """``('accept', None)``, ``('amend', issue)`` or ``('reject', None)``.

        An amendment names the issue where the text costs me most
        (salience x distance); a text ``reject_radius_multiple`` times beyond
        my radius is rejected.
        """
        if d is None:
            d = self.distance(text)
        if self.accepts(text, level, session, d):
            return "accept", None
        if d + self.penalty(session) > self.model.params.reject_radius_multiple * self.radius():
            return "reject", None
        gaps = np.abs(text - self.position) * self.salience
        return "amend", int(np.argmax(gaps))

    def concession_rate(self) -> float:
        """Share of the gap to the draft I concede per iteration, in [0, 1]
        (the fixed-share session only, ``expected_utility_sessions: false``).

        Grows with trust in the others (they will reciprocate) and shrinks with
        resolve and domestic constraint.
        """
        p = self.model.params
        others = [j for j in range(6) if j != self.idx]
        t = float(np.mean(self.model.trust[self.idx, others]))
        floor = p.concession_trust_floor
        return (
            p.concession_rate
            * (1.0 - self.resolve)
            * (floor + (1.0 - floor) * t)
            * (1.0 - p.concession_domestic_shrink * self.domestic_constraint)
        )

    def concede(self, text: np.ndarray, rate_boost: float = 0.0) -> None:
        """Move my position toward ``text`` (the chair's draft); the
        fixed-share session only."""
        r = min(1.0, self.concession_rate() * (1.0 + rate_boost))
        if r <= 0:
            return
        noise = self.model.params.noise
        eps = float(self.model.rng.normal(0.0, noise)) if noise > 0 else 0.0
        r = min(1.0, max(0.0, r * (1.0 + eps)))
        row = self.position
        row += r * (text - row)
        np.clip(row, 0.0, 1.0, out=row)

    # ------------------------------------------- inputs to the expected-utility model
    def willingness_to_yield(self) -> float:
        """``y_i = (1 - resolve)(1 - concession_domestic_shrink x domestic)``, in [0, 1].

        Resolve (1 = never concedes) and a narrow domestic win-set (Putnam
        1988) both make a delegation less willing to give way.
        """
        p = self.model.params
        return (1.0 - self.resolve) * (
            1.0 - p.concession_domestic_shrink * self.domestic_constraint
        )

    def bargaining_salience(self) -> np.ndarray:
        """(8,) salience as it enters the expected-utility model, in [0, 1].

        In Bueno de Mesquita's model (Scholz et al. 2011, eq. B6 in
        :mod:`sixparty.bargaining`) salience ``s_j`` is the probability that j
        resists a challenge.  A party resists unless it is both unconcerned
        and willing to yield: ``s'_ik = 1 - (1 - s_ik) y_i``
        (:meth:`willingness_to_yield`).  Resolve 1 gives s' = 1 (always
        resists); resolve 0 and no domestic constraint give the stated
        salience.  The same s' weights the party's votes (B1) and the chair's
        weighted median.
        """
        return 1.0 - (1.0 - self.salience) * self.willingness_to_yield()

    def hold_in_round(self, before: np.ndarray, after: np.ndarray) -> np.ndarray:
        """(8,) my position after an expected-utility round.

        ``before``: my position before the round; ``after``: where my best
        offer takes me (B10-B11).  The base class takes the move; a class
        keeps the issues it will not bargain over.
        """
        return after

    def reference_utility(self, texts: np.ndarray) -> np.ndarray:
        """Utility of text(s) ``(..., 8)`` measured from my anchor, in [0, 1].

        The anchor is my domestic reference point (the position I return to
        between sessions), so these are fixed preferences within a session,
        while my position is the offer I currently stand on.  Used by
        Zeuthen's principle (:meth:`risk_limit`).
        """
        s = self.salience
        tot = float(s.sum()) or 1.0
        return 1.0 - (np.abs(np.asarray(texts) - self.model.anchor[self.idx]) @ s) / tot

    def risk_limit(self, own_offer: np.ndarray, other_offer: np.ndarray) -> np.ndarray:
        """My Zeuthen (1930) risk limit, ``(u(own) - u(other)) / (u(own) - d)`` in [0, 1].

        ``own_offer`` / ``other_offer``: ``(..., 8)`` texts, valued by
        :meth:`reference_utility`; d is my :meth:`disagreement_value`.  The
        largest probability of breakdown I would bear rather than accept the
        other's offer (:func:`sixparty.bargaining.zeuthen_risk_limit`).
        """
        return zeuthen_risk_limit(
            self.reference_utility(own_offer),
            self.reference_utility(other_offer),
            self.disagreement_value(),
        )

    def zeuthen_concession(self, other: Party) -> np.ndarray:
        """(8,) my position after a minimal Zeuthen concession toward ``other``.

        Offers are positions.  Of my offers on the segment from my position a
        toward the other's b, ``a + λ (b - a)`` (λ on a grid of
        ``zeuthen_grid`` steps), I make the smallest concession after which my
        risk limit is at least the other's, so that the other concedes next
        (Zeuthen 1930; Harsanyi 1956), moving at least
        ``concession_tolerance`` (a smaller move is no move, §3.3).  I never
        offer what is worth less to me than my disagreement value: if no such
        offer reverses the order I concede as far as that allows, and if it
        allows no move I stand firm.  The issues my class will not bargain
        over stay (:meth:`hold_in_round`).
        """
        p = self.model.params
        a = self.position.copy()
        b = other.position.copy()
        lam = np.linspace(0.0, 1.0, p.zeuthen_grid + 1)
        offers = a[None, :] + lam[:, None] * (b - a)[None, :]
        offers = np.stack([self.hold_in_round(a, o) for o in offers])
        mine = self.risk_limit(offers, b)
        theirs = other.risk_limit(b, offers)
        feasible = self.reference_utility(offers) >= self.disagreement_value()
        moved = np.abs(offers - a) @ self.salience / (float(self.salience.sum()) or 1.0)
        big_enough = moved >= p.concession_tolerance
        ok = feasible & big_enough & (mine >= theirs)
        if ok.any():
            return offers[int(np.argmax(ok))]
        room = feasible & big_enough
        if room.any():
            return offers[int(np.flatnonzero(room)[-1])]
        return a

    def attend_score(self) -> float:
        """Willingness to attend an invited session, in [0, 1] (0.5 = indifferent)."""
        return self.model.params.attend_score_default

    # ----------------------------------------------------------- each month
    def step(self) -> None:
        """Monthly: positions drift back toward the anchor (domestic pull).

        The pull grows with the domestic constraint: a delegation with a
        narrow win-set is called back harder (Putnam 1988).
        """
        m = self.model
        row = m.pos[self.idx]
        pull = min(1.0, m.params.drift * (m.params.drift_domestic_base + m.domestic[self.idx]))
        row += pull * (m.anchor[self.idx] - row)

    # --------------------------------------------------------- implementation
    def delivery_willingness(self) -> float:
        """Share of a due aid step I deliver this month, in [0, 1], before noise."""
        p = self.model.params
        return p.delivery_base + p.delivery_trust * self.trust_in(DPRK_I)

    def refuses_aid_pledge(self) -> bool:
        """Whether my stated line refuses any aid pledge now: a joint document
        adopted now assigns me no share of its aid, and the others' shares
        cover the phase (:meth:`sixparty.scenario.Phase.provider_shares`)."""
        return False

    def refuses_commitment(self, step: str) -> bool:
        """Whether my stated line withholds the counterpart step ``step`` (a
        slug, e.g. ``normalization``) now: a joint document adopted now owes
        no such step from me (:meth:`sixparty.scenario.Phase.commitments`)."""
        return False


class DPRK(Party):
    """North Korea (朝鲜).

    - Needs nuclear weapons against US "hostile policy" and wants direct talks
      with the US (§三方会谈 各方的基本立场): perceives a penalty in any session
      without direct US contact.
    - Demands simultaneous action (同时行动) in a staged package (§第一轮): in the
      ledger it never runs more than ``1 - simultaneity`` of a tranche ahead.
    - Links attendance to the lifting of financial sanctions (§第五轮 第一阶段:
      "如果美国不愿举行解除对朝鲜企业金融制裁的会谈，就绝无可能继续召开六方会谈").
    - Answers pressure with escalation: the "制裁-试验-再制裁-再试验" cycle
      (§第五轮 第一阶段): tests when pressure passes a threshold, choosing the
      test (missile or nuclear) with the larger expected gain given its
      programme, and only when its outside option beats the deal in force.
    - Signs a text only when it is worth its disagreement value, whose outside
      option rises with its tests and falls with sanctions
      (:meth:`outside_option`): brinkmanship moves its bargaining bar.
    - Suspends, and may reverse, disablement when a counterpart's step is
      overdue (§第六轮 第二阶段, 2008), and can walk out of the talks (§朝鲜退出)
      when its readiness falls below a threshold.
    """

    key = "DPRK"
    classifier = {
        "demands_simultaneity": True,
        "demands_direct_contact": True,
        "links_attendance_to_sanctions": True,
        "escalates_under_pressure": True,
        "can_walk_out": True,
    }

    def penalty(self, session) -> float:
        return 0.0 if session.direct_contact else self.model.params.dprk_no_contact_penalty

    def commitment_trust(self) -> float:
        return self.trust_in(US_I)

    def outside_option(self) -> float:
        """The DPRK's value of no agreement, in [-1, 1]: its outside option
        (raised by its tests, :meth:`test_outcomes`, and by typed
        ``outside_option`` effects) net of the sanctions it bears,
        ``outside - dprk_outside_sanctions x sanctions`` (article §第五轮
        第一阶段: financial sanctions as the cost of no deal).  Brinkmanship is
        a decision on this state: a test raises the disagreement value at
        which the DPRK signs (:meth:`Party.disagreement_value`), the sanctions
        it draws lower it again.
        """
        m = self.model
        return float(m.outside[self.idx]) - m.params.dprk_outside_sanctions * m.sanctions

    def pressure(self, grievance: float | None = None, sanctions: float | None = None) -> float:
        """Pressure felt, in [0, 1]: fresh grievances (new sanctions, hostile acts),
        distrust of the US, and the standing level of sanctions.

        ``grievance`` / ``sanctions`` (in [0, 1]) replace the model's current
        values, to value a hypothetical state (what a test would leave).
        """
        m = self.model
        q = m.params
        g = m.grievance if grievance is None else grievance
        sanc = m.sanctions if sanctions is None else sanctions
        p = (
            q.pressure_grievance * g
            + q.pressure_distrust * (1.0 - self.trust_in(US_I))
            + q.pressure_sanctions * sanc
        )
        return float(min(1.0, max(0.0, p)))

    # ------------------------------------------------------------- escalation
    def programme(self) -> float:
        """State of the nuclear programme, in [0, 1]: the share not disabled or
        dismantled (``1 - progress``, progress net of reversals).  A nuclear
        test needs a programme (> 0) and demonstrates a deterrent worth as much
        as the programme behind it."""
        return float(max(0.0, 1.0 - self.model.progress))

    def talks_text(self) -> np.ndarray:
        """(8,) the text the talks offer the DPRK, in [0, 1]: the agreed text
        (the last joint statement or document) if there is one, else the
        chair's forecast of a text now (:meth:`China.draft`, the weighted
        median of the current positions)."""
        m = self.model
        if m.agreed_text is not None:
            return m.agreed_text
        return m.parties[CHINA_I].draft(None)

    def performance_probability(self) -> float:
        """The probability the DPRK gives that its counterparts perform a deal,
        in [0, 1]: its mean trust in the five others (a joint document's
        steps owed to the DPRK come from all five: aid from the providers,
        delisting from the US; Kydd 2005's reassurance)."""
        return float(np.mean([self.trust_in(j) for j in range(6) if j != self.idx]))

    def talks_value(self) -> float:
        """What staying in the talks is worth to the DPRK over leaving them,
        in [0, 2]: ``V_T = P (u(x) + dprk_outside_sanctions x x_relief x
        sanctions)``.

        ``x`` is :meth:`talks_text`, ``u`` the DPRK's utility of it,
        ``P`` :meth:`performance_probability`, ``x_relief`` the text's
        sanctions-relief value (the share of sanctions a performed deal
        lifts).  Staying is worth the deal if performed (with probability P)
        and the sanctions it lifts; if not performed the DPRK is left under
        the same sanctions as if it had left, so the standing sanctions cancel
        out of the comparison with its outside option (:meth:`prefers_outside`)
        except for the part a deal would lift: sanctions make the talks worth
        more only as far as the talks can lift them.
        """
        m = self.model
        x = self.talks_text()
        relief = m.params.dprk_outside_sanctions * float(x[SANC]) * m.sanctions
        return self.performance_probability() * (self.utility(x) + relief)

    def prefers_outside(self, outside: float | None = None) -> bool:
        """Brinkmanship as a decision (article §朝鲜退出: "退出六方会谈并将重启核设施建设"):
        does the DPRK's outside option beat the talks (:meth:`talks_value`)?

        Leaving is worth its outside option ``outside`` (the model's row,
        raised by its tests and by typed ``outside_option`` effects) net of
        the standing sanctions; staying is worth :meth:`talks_value` net of
        the same sanctions.  ``outside``: a hypothetical outside option (what
        a test would leave), else the current one.
        """
        o = float(self.model.outside[self.idx]) if outside is None else outside
        return o > self.talks_value()

    def test_outcomes(self) -> dict[str, tuple[float, float]]:
        """For each test kind, ``(outside option gained, change of the outside option net of sanctions)``.

        The DPRK anticipates the answers the model gives every test: its
        outside option rises (``test_outside_gain_<kind>``; a nuclear test's
        scaled by :meth:`programme`, and capped at 1), and the US
        (``sanction_response`` x ``test_sanctions_<kind>``) and the Security
        Council (``test_unsc_sanctions_<kind>``) add sanctions, which lower
        its outside option by ``dprk_outside_sanctions`` each
        (:meth:`outside_option`).  The test's value is the change of its
        outside option: ``gain - dprk_outside_sanctions x sanctions drawn``.
        Units: [0, 1] scales; the value may be negative.  Kinds not feasible
        (a nuclear test without a programme) are left out.
        """
        m = self.model
        q = m.params
        us = m.parties[US_I]
        out: dict[str, tuple[float, float]] = {}
        for kind in ("missile", "nuclear"):
            gain = getattr(q, f"test_outside_gain_{kind}")
            if kind == "nuclear":
                if self.programme() <= 0.0:
                    continue
                gain *= self.programme()
            gain = min(gain, 1.0 - float(m.outside[self.idx]))
            rise = us.strategy.sanction_response * getattr(q, f"test_sanctions_{kind}") + getattr(
                q, f"test_unsc_sanctions_{kind}"
            )
            rise = min(rise, 1.0 - m.sanctions)
            out[kind] = (gain, gain - q.dprk_outside_sanctions * rise)
        return out

    def choose_test(self) -> tuple[str | None, str]:
        """This month's test decision from state: ``(kind or None, reason)``.

        1. Pressure must exceed ``test_threshold`` (the sanction-test cycle,
           article §第五轮 第一阶段).
        2. The kind: the feasible test that raises its outside option net of
           the sanctions it draws the most (:meth:`test_outcomes`); ties go
           to the missile.  No test if no kind raises it.
        3. The talks: while it participates, a test puts the talks at risk,
           so it tests only if its outside option after the test beats the
           talks (:meth:`prefers_outside`); suspended or walked out, there are
           no talks to forfeit.
        4. Propensity: with probability ``escalation x test_probability_slope
           x (pressure - test_threshold)`` (one draw of the model's generator,
           made only when 1-3 hold).
        """
        m = self.model
        q = m.params
        pressure = self.pressure()
        excess = pressure - q.test_threshold
        if excess <= 0:
            return None, ""
        outcomes = self.test_outcomes()
        kind = "missile"
        if "nuclear" in outcomes and outcomes["nuclear"][1] > outcomes["missile"][1]:
            kind = "nuclear"
        gain, value = outcomes[kind]
        if value <= 0:
            return None, ""
        outside_after = float(m.outside[self.idx]) + gain
        in_talks = m.stance == "participating"
        if in_talks and not self.prefers_outside(outside_after):
            return None, ""
        prob = self.strategy.escalation * q.test_probability_slope * excess
        if float(m.rng.random()) >= prob:
            return None, ""
        why = (
            f"pressure {pressure:.2f} above threshold {q.test_threshold:.2f}; "
            f"outside option net of sanctions from a missile test {outcomes['missile'][1]:+.2f}"
        )
        if "nuclear" in outcomes:
            why += (
                f", from a nuclear test {outcomes['nuclear'][1]:+.2f} "
                f"(programme {self.programme():.2f})"
            )
        else:
            why += f"; a nuclear test infeasible (programme {self.programme():.2f})"
        if in_talks:
            why += f"; outside option {outside_after:.2f} above the talks' value {self.talks_value():.2f}"
        return kind, why

    # ----------------------------------------------------------------- stance
    def next_stance(self) -> tuple[str, str | None]:
        """The DPRK's stance toward the talks this month, from state alone.

        Two decisions (article §第五轮 第一阶段: the boycott over the financial
        sanctions; §朝鲜退出: the walk-out): suspending participation is a
        bargaining tactic read from its readiness (:meth:`attend_score`:
        trust, sanctions, grievance, outside option, what the talks deliver);
        walking out is brinkmanship, leaving the talks for the outside option
        when that is worth more than the talks (:meth:`prefers_outside`).
        Events act only through their effects on that state; no rule reads an
        event's type, id or date.  Rules, in order:

        - walked out: returns after ``return_months`` months running in which
          the talks beat its outside option and its readiness is above
          ``return_threshold`` (the count is kept in the model's
          ``_return_months``);
        - once talks have been convened, walks out when its outside option
          beats the talks;
        - participating: suspends when readiness is below ``suspend_threshold``;
        - suspended: returns when readiness is above ``resume_threshold``.

        Returns ``(stance, decision)`` with ``decision`` one of ``walks_out``,
        ``returns``, ``suspends_participation`` or None (no change).
        """
        m = self.model
        q = m.params
        score = self.attend_score()
        if m.stance == "walked_out":
            back = score > q.return_threshold and not self.prefers_outside()
            m._return_months = m._return_months + 1 if back else 0
            if m._return_months >= q.return_months:
                return "participating", "returns"
            return m.stance, None
        if m.sessions and self.prefers_outside():
            return "walked_out", "walks_out"
        if m.stance == "participating" and score < q.suspend_threshold:
            return "suspended", "suspends_participation"
        if m.stance == "suspended" and score > q.resume_threshold:
            return "participating", "returns"
        return m.stance, None

    def attend_score(self) -> float:
        """China's persuasion and the value of talks against sanctions and hostility."""
        m = self.model
        q = m.params
        s = (
            q.dprk_attend_base
            + q.dprk_attend_trust_china * self.trust_in(CHINA_I)
            + q.dprk_attend_trust_us * self.trust_in(US_I)
        )
        s += q.dprk_attend_shuttle * m.china_shuttle_credit
        if self.strategy.sanctions_linkage:
            s -= q.dprk_attend_sanctions * m.sanctions
        s -= q.dprk_attend_grievance * m.grievance
        s -= q.dprk_attend_outside * self.model.outside[self.idx] - q.dprk_attend_outside_offset
        if m.us_direct_talks() != "refuse":
            s += q.dprk_attend_direct_talks
        # What the talks deliver: steps owed to it and overdue weigh against them.
        if m.arrears:
            s -= q.dprk_attend_arrears
        return float(min(1.0, max(0.0, s)))

    def step(self) -> None:
        super().step()
        self.model.consider_escalation(self)


class UnitedStates(Party):
    """The United States (美国).

    - Keeps the military option and refuses direct talks (§三方会谈); no
      bilateral talks without a third party present (§第二轮 各方基本立场):
      ``strategy.direct_talks``.
    - The DPRK must give up its programme first, CVID (§第一轮): high resolve on
      denuclearization; Libya model (§第二轮 narrative).
    - Treats sanctions as outside the six-party table (§第五轮 第一阶段,
      2005-12-06): never amends a text toward sanctions relief while its
      domestic constraint is high, and answers DPRK tests with sanctions.
    - Demands verification before delisting (§第六轮 第二阶段, Rice 2008): its
      delisting step waits until the text's verification meets its position.
      A verification compromise can only come from bargaining: a stalled
      phase is reopened in session, and the renegotiated text (its
      verification included) is the one the delisting is measured against.
    - Its stance moves with domestic politics (§第五轮 第二阶段: neoconservatives
      recede after the 2006 midterms): domestic constraint hardens positions.
    """

    key = "US"
    classifier = {
        "requires_third_party_present": True,
        "denuclearization_first": True,
        "sanctions_off_the_table": True,
        "verification_before_delisting": True,
        "domestic_politics": True,
    }

    def respond(self, text, level, session, d=None):
        verdict, issue = super().respond(text, level, session, d)
        if verdict == "amend" and issue == SANC and self.sanctions_off_the_table():
            # "制裁问题不在六方会谈中": refuse to bargain over sanctions; ask on the next issue.
            gaps = np.abs(text - self.position) * self.salience
            gaps[SANC] = -1.0
            issue = int(np.argmax(gaps))
        return verdict, issue

    def sanctions_off_the_table(self) -> bool:
        """ "制裁问题不在六方会谈中" (article §第五轮 第一阶段, 2005-12-06): while its
        domestic constraint exceeds ``us_sanctions_refusal_domestic`` the US
        does not bargain over sanctions."""
        return self.domestic_constraint > self.model.params.us_sanctions_refusal_domestic

    def bargaining_salience(self) -> np.ndarray:
        """Sanctions off the table: full resistance on sanctions relief (article
        §第五轮 第一阶段); otherwise the base class's resolve and domestic
        constraint (:meth:`Party.bargaining_salience`)."""
        s = super().bargaining_salience()
        if self.sanctions_off_the_table():
            s[SANC] = 1.0
        return s

    def hold_in_round(self, before, after):
        """Sanctions off the table: the US keeps its sanctions position."""
        out = after.copy()
        if self.sanctions_off_the_table():
            out[SANC] = before[SANC]
        return out

    def allows_direct_contact(self) -> bool:
        """US-DPRK contact inside the session (§第一轮: "在同一个屋顶下").

        Refused under ``direct_talks: refuse`` while the domestic constraint is
        high (``us_contact_domestic``); allowed once the strategy or domestic
        politics permit it, or once the US position on the format issue has
        moved to ``us_contact_format``.
        """
        if self.strategy.direct_talks != "refuse":
            return True
        p = self.model.params
        return (
            self.domestic_constraint < p.us_contact_domestic
            or float(self.position[FMT]) >= p.us_contact_format
        )

    def step(self) -> None:
        # Domestic politics: a hard-line Congress or administration pulls the
        # anchor of denuclearization and verification upward (Putnam 1988).
        m = self.model
        super().step()
        hard = m.domestic[self.idx]
        row = m.pos[self.idx]
        q = m.params
        row[DEN] += q.us_domestic_drift * (hard - q.us_domestic_neutral)
        row[VER] += q.us_domestic_drift * (hard - q.us_domestic_neutral)
        np.clip(row, 0.0, 1.0, out=row)

    def delivery_willingness(self) -> float:
        p = self.model.params
        return (
            p.us_delivery_base
            + p.us_delivery_trust * self.trust_in(DPRK_I)
            - p.us_delivery_domestic * self.domestic_constraint
        )


class China(Party):
    """China (中国), host and chair.

    - Opposes both a nuclear DPRK and a military solution, understands DPRK
      security concerns, will host more talks (§三方会谈 各方的基本立场).
    - Convenes, chairs and drafts; shuttles between the DPRK and the US
      (§会谈背景; §第一轮: Dai Bingguo's 2003 visits): between sessions its
      shuttle raises the DPRK's trust in China and readiness to attend, and it
      invites when its sounding says a session can succeed.
    - Drafts Bueno de Mesquita's forecast, the capability x salience weighted
      median (:meth:`draft`).
    - Urges simultaneous steps (§第三轮: "美朝双方应相互同时迈步"): in the
      fixed-share session (``expected_utility_sessions: false``) it boosts the
      concessions of the DPRK and the US when a draft stalls; the
      expected-utility session has no such boost (positions move only by the
      round's offers).
    """

    key = "China"
    classifier = {"chair": True, "shuttle_diplomacy": True, "drafts_texts": True}

    def draft(self, session) -> np.ndarray:
        """The chair's text (8,): the expected-utility model's forecast.

        With ``parameters.expected_utility_sessions`` (default) the text is,
        issue by issue, the weighted median of the positions with weights
        capability x bargaining salience (:meth:`Party.bargaining_salience`):
        Bueno de Mesquita's forecast of the collective decision, the median
        voter position of eq. B2-B3 (Bueno de Mesquita 1994; Scholz, Calbert
        & Smith 2011; :func:`sixparty.bargaining.weighted_median`).  With the
        switch off (the fixed-share model kept for comparison), the
        capability x salience weighted mean of positions.
        """
        m = self.model
        if m.params.expected_utility_sessions:
            w = m.cap[:, None] * m.bargaining_salience()  # (6, 8)
            return weighted_median(m.pos.T, w.T)
        w = m.cap[:, None] * m.sal  # (6, 8)
        text = (w * m.pos).sum(axis=0) / np.maximum(w.sum(axis=0), 1e-9)
        return text

    def sound_out(self) -> float:
        """Shuttle diplomacy: estimated readiness for a session, in [0, 1].

        Mean of the parties' attendance scores times the expected acceptance
        of a draft (1 - the largest distance of any party from it, scaled).
        """
        m = self.model
        scores = [p.attend_score() for p in m.parties]
        draft = self.draft(None)
        far = float(m.distances(draft).max())
        w = m.params.sound_out_distance_weight
        return float(min(scores) ** 0.5 * np.mean(scores) ** 0.5 * (1.0 - w * far))

    def phase_stalled(self) -> str:
        """Has the phase in force stalled?  A reason code, or "" if not.

        ``dprk_suspended`` (the DPRK has suspended its steps),
        ``overdue_counterpart`` (a step owed to the DPRK more than a month
        overdue: the model's ``arrears``) or ``overdue_dprk`` (a DPRK step owed
        and past due); "" when no phase is in force or every owed step is on
        time.  Read from the ledger's state only.
        """
        m = self.model
        phase = m.ledger.active_phase
        if phase is None:
            return ""
        if m.dprk_suspended_steps:
            return "dprk_suspended"
        if m.arrears:
            return "overdue_counterpart"
        counts: dict = {}
        if any(m._owed(st, counts) for st in m.ledger.overdue(m.month, party=DPRK_I)):
            return "overdue_dprk"
        return ""

    def reopens_phase(self) -> bool:
        """The chair's decision to reopen the phase in force (article §第六轮
        第二阶段: the 2008 verification dispute was settled by renegotiating
        the disablement phase's terms).

        Reopening re-dates the open steps of a deal the parties are bound to:
        a cost to every party's commitment, worth bearing only to rescue a
        phase that has stalled (:meth:`phase_stalled`).  A phase being
        performed on time is not reopened; a joint document that covers no new
        phase then reaffirms it.
        """
        return bool(self.phase_stalled())

    def shuttle(self) -> None:
        """Between sessions: visits build the DPRK's trust in China and readiness."""
        m = self.model
        s = self.strategy.shuttle
        p = m.params
        keep = p.shuttle_credit_memory
        m.china_shuttle_credit = min(1.0, keep * m.china_shuttle_credit + (1.0 - keep) * s)
        base = p.shuttle_trust_outcome_base
        m.observe(DPRK_I, CHINA_I, base + (1.0 - base) * s, weight=p.shuttle_trust_weight * s)


class SouthKorea(Party):
    """South Korea (韩国, ROK).

    - Keeps the dialogue's momentum (§第一轮 各方的基本立场); DPRK must give up
      its programme and the US guarantee DPRK security (§第二轮).
    - Follows its government's line (``strategy.policy``): engagement under Roh
      Moo-hyun (first 6,200 t of HFO, §第六轮 第一阶段) delivers aid generously;
      the hard line of Lee Myung-bak from February 2008 ("无核开放3000",
      §南韓與美國強硬化) demands denuclearization first and holds aid until
      the DPRK's steps are done.
    """

    key = "ROK"
    classifier = {"follows_government_line": True, "generous_when_engaging": True}

    def step(self) -> None:
        super().step()
        row = self.model.pos[self.idx]
        p = self.model.params
        if self.strategy.policy == "hardline":
            row[DEN] += p.rok_line_rate_hardline * (p.rok_hardline_denuclearization - row[DEN])
            row[AID] += p.rok_line_rate_hardline * (p.rok_hardline_aid - row[AID])
        else:
            row[AID] += p.rok_line_rate_engagement * (p.rok_engagement_aid - row[AID])

    def delivery_willingness(self) -> float:
        p = self.model.params
        if self.strategy.policy == "hardline":
            # Aid only once denuclearization is complete (progress 1, to rounding).
            return 0.0 if self.model.progress < 1.0 - 1e-3 else p.rok_hardline_delivery
        return p.rok_delivery_base + p.rok_delivery_trust * self.trust_in(DPRK_I)

    def attend_score(self) -> float:
        p = self.model.params
        return (
            p.rok_attend_engagement
            if self.strategy.policy == "engagement"
            else p.rok_attend_hardline
        )


class Japan(Party):
    """Japan (日本).

    - Aid only with preconditions (§第一轮 各方的基本立场); urges the US to strike
      if the DPRK prepares to attack Japan (§第二轮); offers energy aid for a
      freeze on conditions (§第三轮).
    - Normalization tied to "清算不幸历史和妥善处理有关悬案" (the abductees) under the
      Pyongyang Declaration (§第四轮 第二阶段): with ``abductee_linkage`` it
      pledges no share of a phase's aid (``refuses_aid_pledge``), delivers
      nothing and concedes nothing on normalization until that issue is settled.
    """

    key = "Japan"
    classifier = {"abductee_linkage": True, "conditional_aid": True}

    def commitment_trust(self) -> float:
        # Under the abductee linkage Japan signs while reserving its own share,
        # so its signature does not hinge on trusting the DPRK to reciprocate.
        return 1.0 if self.strategy.abductee_linkage else self.trust_in(DPRK_I)

    def bargaining_salience(self) -> np.ndarray:
        """Abductee linkage (article §第四轮 第二阶段, the Pyongyang Declaration's
        "妥善处理有关悬案"): full resistance on normalization until settled."""
        s = super().bargaining_salience()
        if self.strategy.abductee_linkage:
            s[NORM] = 1.0
        return s

    def hold_in_round(self, before, after):
        """Abductee linkage: Japan concedes nothing on normalization."""
        out = after.copy()
        if self.strategy.abductee_linkage:
            out[NORM] = before[NORM]
        return out

    def concede(self, text, rate_boost: float = 0.0) -> None:
        keep = float(self.position[NORM])
        super().concede(text, rate_boost)
        if self.strategy.abductee_linkage:
            self.position[NORM] = keep

    def refuses_aid_pledge(self) -> bool:
        # Aid only once the abductee issue ("有关悬案") is settled: under the
        # linkage Japan takes no share of a phase's aid (2.13, outside fact:
        # Japan would not provide energy aid until the abduction issue moved).
        return bool(self.strategy.abductee_linkage)

    def refuses_commitment(self, step: str) -> bool:
        # 9.19 ties Japan's normalization steps to settling the outstanding
        # issues (§第四轮 第二阶段: "在清算不幸历史和妥善处理有关悬案基础上，
        # 采取步骤实现关系正常化"): under the abductee linkage the condition is
        # unmet, so a text adopted now owes no normalization step from Japan.
        return step == "normalization" and bool(self.strategy.abductee_linkage)

    def delivery_willingness(self) -> float:
        if self.strategy.abductee_linkage:
            return 0.0
        p = self.model.params
        return p.japan_delivery_base + p.japan_delivery_trust * self.trust_in(DPRK_I)


class Russia(Party):
    """Russia (俄罗斯).

    - Joined at China's suggestion (§第一轮); proposes a "package" solution
      (§第一轮 各方的基本立场), denuclearization in phases (§第三轮), and with
      China and the ROK the "Ukraine model" of security guarantees for
      renunciation (§第二轮 narrative).
    - In session, when a draft stalls, proposes the package: the text moves
      toward the midpoint of the DPRK and US positions on their widest gap.
    """

    key = "Russia"
    classifier = {"package_proposals": True, "phased_denuclearization": True}

    def package(self, text: np.ndarray) -> np.ndarray:
        """A package amendment: pull the text toward the DPRK-US midpoint."""
        m = self.model
        mid = 0.5 * (m.pos[DPRK_I] + m.pos[US_I])
        gap = np.abs(m.pos[DPRK_I] - m.pos[US_I])
        k = int(np.argmax(gap))
        out = text.copy()
        w = self.strategy.package_mediation
        out[k] += w * (mid[k] - out[k])
        return out


PARTY_CLASSES: tuple[type[Party], ...] = (DPRK, UnitedStates, China, SouthKorea, Japan, Russia)
assert tuple(c.key for c in PARTY_CLASSES) == PARTIES
assert len(ISSUES) == 8
