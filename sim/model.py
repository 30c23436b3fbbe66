"""TalksModel: six parties bargain in rounds under "action for action".

One step is one month of the scenario's window.  Each month, in this order:

1. exogenous events of the month apply their typed effects;
2. stated positions dated this month re-anchor the parties (anchoring mode);
3. each party's ``step()`` in the fixed order DPRK, US, China, ROK, Japan,
   Russia (drift toward the anchor, class-specific moves; the DPRK may test);
4. the action-for-action ledger advances (performance, trust, suspension);
5. the DPRK's stance is updated (participating / suspended / walked out);
6. the chair resumes a recessed round, or sounds out the parties and invites;
   each party decides to attend; if all six attend, a session bargains;
7. the month is recorded.

The model reads a :class:`sixparty.scenario.Scenario` and nothing else: no file
I/O, and never the historical record.  Randomness comes only from
``self.rng`` (Mesa's generator, seeded by ``rng=seed``), drawn in a fixed order.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import mesa
import numpy as np
from sixparty._mesa_compat import release_model
from sixparty.bargaining import (
    CAPITULATION,
    COMPROMISE,
    CONFLICT,
    BargainingParameters,
    BargainingState,
    bargaining_round,
    weighted_median,
    zeuthen_concedes,
)
from sixparty.parties import (
    AID_PROVIDERS,
    CHINA_I,
    DPRK_I,
    PARTY_CLASSES,
    RUSSIA_I,
    US_I,
    VER,
    Party,
)
from sixparty.protocol import Ledger
from sixparty.scenario import (
    FACILITY_STATES,
    ISSUES,
    PARTIES,
    Scenario,
    month_index,
    month_label,
)
from sixparty.seat import (
    Due,
    ImplementationBriefing,
    SeatBriefing,
    attend_reason,
    best_amendment,
    respond_reason,
    split_dues,
)

DOC_LEVELS = ("none", "oral_summary", "chairmans_statement", "joint_statement", "joint_document")
DOC_RANK = {d: i for i, d in enumerate(DOC_LEVELS)}


@dataclass
class SeatOrders:
    """Standing orders of a human-played delegation (classroom "take a seat").

    attend: True / False, or None to let the agent decide.
    respond: ``accept`` | ``amend`` | ``reject``, or None for the agent.
    amend_issue / amend_to: with ``amend``, the issue and the position in
    [0, 1] the delegation asks the text to move toward.
    implementation: ``perform`` | ``slow`` | ``suspend`` its due steps, or None.
    """

    attend: bool | None = None
    respond: str | None = None
    amend_issue: str | None = None
    amend_to: float | None = None
    implementation: str | None = None


@dataclass
class Session:
    """One session (a phase of a round) as the model saw it.

    month: month index; attended: party keys; declined: party keys that
    boycotted; iterations: drafts considered; ending: ``converged`` (all
    six accept, or no party moves further than ``concession_tolerance``) or
    ``deadlock`` (the chair's patience ran out), empty if not held; document: one of
    :data:`DOC_LEVELS`; recess: the round continues later; drafts: (n, 8)
    texts the chair considered; text: the final text (8,); utilities: (6,)
    each party's utility of the final text.
    """

    session_id: int
    round: int
    phase: int
    month: int
    invited_by: str
    attended: list[str] = field(default_factory=list)
    declined: list[str] = field(default_factory=list)
    held: bool = False
    iterations: int = 0
    ending: str = ""
    target: str = "none"
    document: str = "none"
    recess: bool = False
    direct_contact: bool = False
    common_ground: int = 0
    drafts: list[np.ndarray] = field(default_factory=list)
    text: np.ndarray | None = None
    utilities: np.ndarray | None = None
    draft_utilities: np.ndarray | None = None
    conflicts: int = 0
    compromises: int = 0
    capitulations: int = 0
    adopted_phase: str | None = None
    #: a joint document that reopened the (stalled) phase in force
    renegotiated: bool = False
    reasons: list[str] = field(default_factory=list)


class _PreviewDone(Exception):
    """Stops a look-ahead copy once the briefings are taken."""


class TalksModel(mesa.Model):
    """The Six-Party Talks on a monthly clock.

    ``PREVIEW_SHARED``: names of attributes a subclass keeps that are not
    model state (logs, locks, references to pages); the look-ahead copy of
    :meth:`previews` shares them instead of copying them (a lock cannot be
    copied), so the look-ahead must not write to them.

    Args:
        scenario: a validated :class:`Scenario`.
        seed: int seed for Mesa's generator; defaults to ``scenario.seed``.
        record_positions: keep the (months, 6, 8) position and salience
            arrays and the (months, 6, 6) trust array (cheap; off saves memory
            in large ensembles).

    Attributes (state arrays, row = party in :data:`PARTIES` order):
        pos, sal, anchor: (6, 8) floats in [0, 1].
        cap, resolve, domestic, outside: (6,) floats in [0, 1].
        trust: (6, 6), ``trust[i, j]`` = i's trust in j in [0, 1].
        sanctions: level of sanctions on the DPRK in [0, 1].
        progress: denuclearization progress in [0, 1].
        stance: the DPRK's ``participating`` | ``suspended`` | ``walked_out``.
    """

    PREVIEW_SHARED: tuple[str, ...] = ()

    def __init__(
        self, scenario: Scenario, seed: int | None = None, record_positions: bool = True
    ) -> None:
        self.seed_used = int(scenario.seed if seed is None else seed)
        super().__init__(rng=self.seed_used)
        self.spec = scenario
        self.params = scenario.parameters
        p = self.params
        y0, m0 = map(int, scenario.window.start.split("-"))
        self.start = month_index(y0, m0)
        self.n_months = scenario.window.months
        self.month = self.start
        self.record_positions = record_positions

        # ---- state arrays
        self.pos = np.zeros((6, 8))
        self.sal = np.zeros((6, 8))
        self.cap = np.zeros(6)
        self.resolve = np.zeros(6)
        self.domestic = np.zeros(6)
        self.outside = np.zeros(6)
        init_trust = np.full((6, 6), p.default_trust)
        for i, (_key, cfg) in enumerate(scenario.parties.items()):
            for k, issue in enumerate(ISSUES):
                self.pos[i, k] = cfg.initial[issue].position
                self.sal[i, k] = cfg.initial[issue].salience
            self.cap[i] = cfg.capability.value
            self.resolve[i] = cfg.resolve.value
            self.domestic[i] = cfg.domestic_constraint.value
            for other, t in cfg.trust.items():
                init_trust[i, PARTIES.index(other)] = t
        np.fill_diagonal(init_trust, 1.0)
        n0 = p.trust_prior_strength
        self._prior_a = init_trust * n0
        self._prior_b = (1.0 - init_trust) * n0
        self._ev_a = np.zeros((6, 6))
        self._ev_b = np.zeros((6, 6))
        self.trust = init_trust.copy()
        self.anchor = self.pos.copy()
        self.sanctions = 0.0
        self.grievance = 0.0
        self.china_shuttle_credit = 0.0

        # ---- parties (fixed order: call order fixes the random stream)
        self.parties: list[Party] = [
            cls(self, getattr(scenario.parties, cls.key).strategy) for cls in PARTY_CLASSES
        ]

        # ---- schedule of exogenous inputs
        self._events: dict[int, list] = {}
        for ev in scenario.events:
            y, m = map(int, ev.month.split("-"))
            self._events.setdefault(month_index(y, m), []).append(ev)
        self._invitations = {
            month_index(*map(int, inv.date.split("-"))) for inv in scenario.invitations
        }
        self._statements: dict[int, list[tuple[int, dict[str, float]]]] = {}
        seen: set[tuple[int, str]] = set()
        for i, (_key, cfg) in enumerate(scenario.parties.items()):
            for st in sorted(cfg.stated_positions, key=lambda s: s.date):
                vals = st.positions
                if not p.anchoring:
                    # Anchoring off: only each issue's first statement is used.
                    vals = {k: v for k, v in vals.items() if (i, k) not in seen}
                    seen.update((i, k) for k in vals)
                if vals:
                    mi = month_index(*map(int, st.date.split("-")))
                    self._statements.setdefault(mi, []).append((i, vals))
        self.anchoring_mode = "anchored" if p.anchoring else "free"

        # ---- talks and implementation state
        self.stance = "participating"
        self._return_months = 0
        self.sessions: list[Session] = []
        self.round = 0
        self.round_phase = 0
        self.recess_pending = False
        self.months_since_session = 0
        # The chair's patience: after a session that brings nothing new it waits
        # twice as long before the next invitation (up to a year).
        self.chair_wait = self.params.min_months_between_sessions
        self.best_document = "none"
        self.agreed_text: np.ndarray | None = None
        #: First phase of the menu a joint document may still adopt: adopting
        #: phase k closes every phase before it.
        self.next_phase = 0
        self.ledger = Ledger(aid_done_share=p.aid_tranche_done)
        self.progress = 0.0
        self.reversed_progress = 0.0
        #: facility -> state (:data:`FACILITY_STATES`), every facility named by
        #: a phase's ``facility_steps``, in order of first mention; all operating.
        self.facilities: dict[str, str] = {}
        for ph in scenario.phases:
            for fs in ph.facility_steps:
                self.facilities.setdefault(fs.facility, "operating")
        self.delisted = False
        self.dprk_suspended_steps = False
        #: Counterpart steps owed to the DPRK and more than a month overdue.
        self.arrears = False
        self.tests: list[tuple[int, str]] = []
        #: (month, party, what, why, cause): cause is a reason code naming what
        #: the decision answered (e.g. ``overdue_delisting``), or "".
        self.decisions: list[tuple[int, str, str, str, str]] = []

        # ---- records (one row per month)
        self.timeline: list[dict] = []
        if record_positions:
            self.pos_hist = np.zeros((self.n_months, 6, 8))
            self.sal_hist = np.zeros((self.n_months, 6, 8))
            self.trust_hist = np.zeros((self.n_months, 6, 6))
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "progress": "progress",
                "aid_delivered_t": lambda m: m.ledger.delivered_tonnes(),
                "mean_trust": lambda m: m.mean_trust(),
                "sanctions": "sanctions",
            }
        )
        self._month_events: list[str] = []
        self._month_status = "no_talks"
        #: Human seats (classroom): party key -> that delegation's standing
        #: orders; empty = the agents play all six (:meth:`take_seat`).
        self.seats: dict[str, SeatOrders] = {}
        #: Set only on a look-ahead copy (:meth:`session_preview`): called with
        #: the session as the chair invites, before anyone decides to attend.
        self._preview_hook = None

    # ================================================================= seats
    @property
    def seat(self) -> str | None:
        """The single seated party's key, or None with no seat or several
        (read-only; :attr:`seats` holds every seat)."""
        return next(iter(self.seats)) if len(self.seats) == 1 else None

    @property
    def seat_orders(self) -> SeatOrders | None:
        """The single seat's standing orders (see :attr:`seat`), or None."""
        key = self.seat
        return None if key is None else self.seats[key]

    def take_seat(self, party: str) -> SeatOrders:
        """A person takes ``party``'s delegation (a key of :data:`PARTIES`);
        returns its standing orders, all None (the agent decides) until given.
        Taking a seat already taken keeps its orders.

        Raises:
            ValueError: ``party`` is not a party key.
        """
        if party not in PARTIES:
            raise ValueError(f"unknown party {party!r}; expected one of {', '.join(PARTIES)}")
        if party not in self.seats:
            # Seats in PARTIES order, so iteration is the fixed order of the parties.
            self.seats[party] = SeatOrders()
            self.seats = {k: self.seats[k] for k in PARTIES if k in self.seats}
        return self.seats[party]

    def leave_seat(self, party: str) -> None:
        """``party``'s seat is emptied: its agent plays it again from now on
        (no-op for a party nobody holds)."""
        self.seats.pop(party, None)

    def _orders(self, key: str) -> SeatOrders | None:
        return self.seats.get(key)

    def session_preview(self, party: str) -> SeatBriefing | None:
        """What ``party`` is shown before the session of the coming month
        (:class:`sixparty.seat.SeatBriefing`), or None when the next step
        convenes no session (or the window is over).

        The coming month is played on a copy of the model up to the moment
        the chair invites (events, drift, implementation, the chair's
        sounding), so the draft is the text the session will table, by the
        same code (:meth:`first_draft`); the model itself draws no random
        number and changes no state.

        Raises:
            ValueError: ``party`` is not a party key.
        """
        return self.previews((party,)).get(party)

    def previews(self, parties) -> dict[str, SeatBriefing]:
        """:meth:`session_preview` for several parties from one look-ahead:
        party key -> briefing; empty when the next step convenes no session."""
        for key in parties:
            if key not in PARTIES:
                raise ValueError(f"unknown party {key!r}; expected one of {', '.join(PARTIES)}")
        if self.month >= self.start + self.n_months or not parties:
            return {}
        found: dict[str, SeatBriefing] = {}

        def hook(twin: TalksModel, s: Session) -> None:
            found.update({k: twin._briefing(s, k) for k in parties})
            raise _PreviewDone

        # Attributes that are not model state (a page's log, locks) are shared, not copied.
        memo = {
            id(v): v for v in (getattr(self, a, None) for a in self.PREVIEW_SHARED) if v is not None
        }
        twin = copy.deepcopy(self, memo)
        twin._preview_hook = hook
        try:
            TalksModel.step(twin)
        except _PreviewDone:
            pass
        finally:
            release_model(twin)
        return found

    def _briefing(self, s: Session, key: str) -> SeatBriefing:
        """The briefing of ``key`` at session ``s`` as the chair invites."""
        p = self.params
        i = PARTIES.index(key)
        q = self.parties[i]
        target = self._target_level()
        draft = self.first_draft(s)
        d = q.disagreement_value()
        u_accept = q.text_utility(draft, target, s)

        def utility(text) -> float:
            return q.text_utility(np.asarray(text, dtype=float), target, s)

        def asks(k: int) -> list[float]:
            # Where a text can land: the bounds, my position, the others' positions.
            return sorted({0.0, 1.0, *(float(x) for x in self.pos[:, k])})

        if p.expected_utility_sessions:
            amended = self._eu_redraft(i, draft)
        else:
            wsum = float((self.cap[:, None] * self.sal).sum(axis=0).max())

            def amended(k: int, v: float) -> np.ndarray:
                # The fixed-share rule: the amendment pulls the draft by my weight.
                pulled = draft.copy()
                share = min(p.amendment_weight_cap, self.cap[i] * self.sal[i, k] / wsum)
                pulled[k] += share * (v - pulled[k])
                return (1.0 - p.amendment_share) * draft + p.amendment_share * pulled

        u_amend, k_amend, ask, amended_text = best_amendment(
            draft, utility, amended, asks, len(ISSUES)
        )
        readiness = self.attend_readiness(i)
        dprk_out = i == DPRK_I and self.stance != "participating"
        verdict, issue = q.respond(draft, target, s)
        trust = q.commitment_trust()
        needed = p.commitment_trust if target == "joint_document" else None
        return SeatBriefing(
            party=key,
            month=month_label(self.month),
            session=s.session_id + 1,
            invited_by=s.invited_by,
            target=target,
            issues=tuple(ISSUES),
            parties=tuple(PARTIES),
            draft=tuple(float(x) for x in draft),
            positions=tuple(tuple(float(x) for x in row) for row in self.pos),
            salience=tuple(float(x) for x in self.sal[i]),
            u_accept=float(u_accept),
            u_amend=float(u_amend),
            amend_issue=None if k_amend is None else ISSUES[k_amend],
            amend_to=ask,
            amended_draft=amended_text,
            u_walk_away=float(d),
            readiness=float(readiness),
            attend_threshold=float(p.attend_threshold),
            recommend_attend=bool(readiness > p.attend_threshold),
            attend_reason=attend_reason(readiness, p.attend_threshold, dprk_out),
            recommend=verdict,
            recommend_issue=None if issue is None else ISSUES[issue],
            reason=respond_reason(verdict, float(u_accept), float(d), trust, needed),
            commitment_trust=float(trust),
            trust_needed=needed,
        )

    def _eu_redraft(self, i: int, draft: np.ndarray):
        """The expected-utility session's answer to party ``i`` amending the
        first draft: ``(k, v) -> text``, the draft with issue k as the chair
        redrafts it next, ``i`` holding position v on k.

        The session's order (:meth:`_bargain`): the round of the expected-
        utility model is played on the positions the first draft was tabled
        on; the agents move by it (keeping the issues their classes keep), a
        seat holds its position with the amendment it asked for, and the chair
        drafts the weighted median of those positions.  Zeuthen's principle and
        Russia's package, which act only after drafts stall, are left out.
        Draws no random number."""
        bs = self.bargaining_salience()
        res = bargaining_round(
            BargainingState(self.pos[None].copy(), self.cap, bs[None], 1.0),
            self.bargaining_parameters(),
        )
        after = res.positions[0]
        moved = np.stack(
            [
                self.pos[j]
                if q.key in self.seats or j == i
                else q.hold_in_round(self.pos[j], after[j])
                for j, q in enumerate(self.parties)
            ]
        )
        np.clip(moved, 0.0, 1.0, out=moved)
        w = self.cap[:, None] * bs  # the chair's weights (6, 8)

        def amended(k: int, v: float) -> np.ndarray:
            col = moved[:, k].copy()
            col[i] = v
            out = draft.copy()
            out[k] = float(weighted_median(col, w[:, k]))
            return out

        return amended

    def implementation_preview(self, party: str) -> ImplementationBriefing:
        """What is due from ``party`` and from its counterparts now
        (:class:`sixparty.seat.ImplementationBriefing`): the open steps of
        every phase in force that nobody has superseded, from the ledger.

        Raises:
            ValueError: ``party`` is not a party key.
        """
        if party not in PARTIES:
            raise ValueError(f"unknown party {party!r}; expected one of {', '.join(PARTIES)}")
        led = self.ledger
        counts: dict = {}
        dues = [
            Due(
                party=PARTIES[st.party],
                kind=st.kind,
                phase=st.phase_name,
                tranche=st.tranche,
                amount=float(st.amount),
                delivered=float(st.delivered),
                due=month_label(st.due_month),
                owed=self._owed(st, counts),
                overdue=self._owed(st, counts) and st.due_month < self.month,
            )
            for st in led.steps
            if st.superseded_month is None and not st.done
        ]
        mine, theirs = split_dues(party, dues, PARTIES[DPRK_I])
        active = led.active_phase
        return ImplementationBriefing(
            party=party,
            month=month_label(self.month),
            phase=None if active is None else self.spec.phases[active].name,
            mine=mine,
            theirs=theirs,
        )

    # ================================================================ helpers
    def us_direct_talks(self) -> str:
        return self.parties[US_I].strategy.direct_talks

    def distances(self, text: np.ndarray) -> np.ndarray:
        """(6,) each party's salience-weighted distance from ``text``, in [0, 1]."""
        tot = self.sal.sum(axis=1)
        return (np.abs(self.pos - text) * self.sal).sum(axis=1) / np.where(tot > 0, tot, 1.0)

    def distances_between(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """(6,) each party's salience-weighted distance between its rows of two
        (6, 8) position arrays ``a`` and ``b``, in [0, 1] (how far it moved)."""
        tot = self.sal.sum(axis=1)
        return (np.abs(a - b) * self.sal).sum(axis=1) / np.where(tot > 0, tot, 1.0)

    def mean_trust(self) -> float:
        """Mean of the off-diagonal trust matrix, in [0, 1]."""
        t = self.trust
        return float((t.sum() - np.trace(t)) / 30.0)

    def _refresh_trust(self) -> None:
        a = self._prior_a + self._ev_a
        b = self._prior_b + self._ev_b
        self.trust = a / (a + b)
        np.fill_diagonal(self.trust, 1.0)

    def observe(self, i: int, j: int, outcome: float, weight: float = 1.0) -> None:
        """Party i observes party j cooperate (``outcome`` in [0, 1]) with ``weight``.

        Trust is the mean of a Beta belief over j being a cooperative type
        (Kydd 2005; the Beta reputation system of Josang & Ismail 2002), with
        evidence discounted each month by ``trust_memory``.
        """
        self._ev_a[i, j] += weight * outcome
        self._ev_b[i, j] += weight * (1.0 - outcome)
        a = self._prior_a[i, j] + self._ev_a[i, j]
        self.trust[i, j] = a / (a + self._prior_b[i, j] + self._ev_b[i, j])

    def shift_trust(self, i: int, j: int, delta: float) -> None:
        """Move i's trust in j by ``delta`` (an event), keeping the evidence mass."""
        a = self._prior_a[i, j] + self._ev_a[i, j]
        b = self._prior_b[i, j] + self._ev_b[i, j]
        n = a + b
        target = min(1.0, max(0.0, a / n + delta))
        self._ev_a[i, j] = target * n - self._prior_a[i, j]
        self._ev_b[i, j] = (1.0 - target) * n - self._prior_b[i, j]
        self._refresh_trust()

    def note(self, text: str) -> None:
        self._month_events.append(text)

    def decide(self, party: str, what: str, why: str, cause: str = "") -> None:
        """Record a decision a party took, with the model's reason and, where
        it answers a specific step, a reason code (``cause``) naming it."""
        self.decisions.append((self.month, party, what, why, cause))
        self.note(f"{party}: {what}")

    # ================================================================ inputs
    def _apply_events(self) -> None:
        for ev in self._events.get(self.month, ()):
            self.note(f"event:{ev.id}")
            for eff in ev.effects:
                self._apply_effect(eff)

    def _apply_effect(self, eff) -> None:
        kind = eff.kind
        clip = lambda v: min(1.0, max(0.0, v))  # noqa: E731
        if kind == "position":
            i, k = PARTIES.index(eff.party), ISSUES.index(eff.issue)
            self.pos[i, k] = clip(self.pos[i, k] + eff.delta)
            self.anchor[i, k] = clip(self.anchor[i, k] + eff.delta)
        elif kind == "salience":
            i, k = PARTIES.index(eff.party), ISSUES.index(eff.issue)
            self.sal[i, k] = clip(self.sal[i, k] + eff.delta)
        elif kind == "trust":
            i, j = PARTIES.index(eff.party), PARTIES.index(eff.toward)
            self.shift_trust(i, j, eff.delta)
            if i == DPRK_I and j == US_I and eff.delta < 0:
                self.grievance = clip(self.grievance - eff.delta)
        elif kind == "resolve":
            i = PARTIES.index(eff.party)
            self.resolve[i] = clip(self.resolve[i] + eff.delta)
        elif kind == "domestic_constraint":
            i = PARTIES.index(eff.party)
            self.domestic[i] = clip(self.domestic[i] + eff.delta)
        elif kind == "sanctions":
            self.sanctions = clip(self.sanctions + eff.delta)
            if eff.delta > 0:
                self.grievance = clip(self.grievance + eff.delta)
        elif kind == "outside_option":
            i = PARTIES.index(eff.party)
            self.outside[i] = clip(self.outside[i] + eff.delta)
        elif kind == "policy":
            self.parties[PARTIES.index(eff.party)].strategy.policy = eff.value
        elif kind == "strategy":
            setattr(self.parties[PARTIES.index(eff.party)].strategy, eff.field, eff.value)

    def _apply_statements(self) -> None:
        for i, vals in self._statements.get(self.month, ()):
            for issue, v in vals.items():
                k = ISSUES.index(issue)
                self.pos[i, k] = v
                self.anchor[i, k] = v

    # ============================================================ escalation
    def consider_escalation(self, dprk) -> None:
        """The DPRK's test decision (:meth:`DPRK.choose_test`) and its consequences:
        制裁-试验-再制裁-再试验 (article §第五轮 第一阶段).

        A test raises the DPRK's outside option (a nuclear test's scaled by its
        programme's state), vents its grievance, and draws sanctions from the
        US (``sanction_response``) and the Security Council, which feed the
        next round of grievance; every party's trust in the DPRK falls and
        China's coordination (shuttle credit) rises.
        """
        p = self.params
        kind, why = dprk.choose_test()
        if kind is None:
            return
        self.tests.append((self.month, kind))
        big = kind == "nuclear"
        self.decide("DPRK", f"{kind}_test", why)
        gain = (
            p.test_outside_gain_nuclear * dprk.programme() if big else p.test_outside_gain_missile
        )
        self.outside[DPRK_I] = min(1.0, self.outside[DPRK_I] + gain)
        self.grievance *= p.test_grievance_kept
        us = self.parties[US_I]
        # The US (and, after a nuclear test, the Security Council) answer with
        # sanctions, which feed the next round of grievance: the cycle.
        rise = us.strategy.sanction_response * (
            p.test_sanctions_nuclear if big else p.test_sanctions_missile
        ) + (p.test_unsc_sanctions_nuclear if big else p.test_unsc_sanctions_missile)
        self.sanctions = min(1.0, self.sanctions + rise)
        self.grievance = min(1.0, self.grievance + rise)
        hard = p.test_us_hardening_nuclear if big else p.test_us_hardening_missile
        self.domestic[US_I] = min(1.0, self.domestic[US_I] + hard)
        for j in range(1, 6):
            self.observe(
                j,
                DPRK_I,
                0.0,
                weight=p.test_trust_weight_nuclear if big else p.test_trust_weight_missile,
            )
        # China coordinates after a crisis (§第五轮 第二阶段: "中方与六方会谈其他各成员展开协调").
        coord = p.test_china_coordination_nuclear if big else p.test_china_coordination_missile
        self.china_shuttle_credit = min(1.0, self.china_shuttle_credit + coord)

    # ======================================================== implementation
    def _implementation(self) -> str:
        """Advance the ledger one month; return the implementation status."""
        led = self.ledger
        phase = led.active_phase
        self.arrears = False
        if phase is None:
            return "complete" if led.steps else "none"
        p = self.params
        rng = self.rng
        ph = self.spec.phases[phase]
        pace = ph.tranches / ph.months  # tranches a month at full willingness
        dprk = self.parties[DPRK_I]
        us = self.parties[US_I]
        done_now: list = []

        # --- the DPRK's suspension decision: a counterpart's step long overdue
        overdue = self._overdue_counterpart_steps(phase)
        self.arrears = bool(overdue)
        t_us = dprk.trust_in(US_I)
        seat = self._orders("DPRK")
        order = seat.implementation if seat is not None else None
        if order is not None:
            # A person plays the DPRK: the suspension is theirs to decide.
            want = order == "suspend"
            if want != self.dprk_suspended_steps:
                self.dprk_suspended_steps = want
                self.decide(
                    "DPRK",
                    "suspends_steps" if want else "resumes_steps",
                    "the delegation's own order",
                )
        elif not self.dprk_suspended_steps and overdue and t_us < p.suspend_steps_trust:
            self.dprk_suspended_steps = True
            cause, what = self._overdue_cause(overdue)
            self.decide("DPRK", "suspends_steps", f"{what}; trust in US {t_us:.2f}", cause=cause)
            self.grievance = min(1.0, self.grievance + p.suspend_steps_grievance)
        elif self.dprk_suspended_steps and (not overdue or t_us > p.resume_steps_trust):
            self.dprk_suspended_steps = False
            self.decide(
                "DPRK",
                "resumes_steps",
                "overdue steps performed" if not overdue else f"trust in US {t_us:.2f}",
            )

        # --- DPRK step: reciprocity across tranches, simultaneity within one
        aid_done = led.aid_tranches_done(phase)
        step = led.open_step(DPRK_I, phase, "dprk_action")
        status = "active"
        if self.dprk_suspended_steps:
            status = "suspended"
            if t_us < p.reverse_steps_trust:
                # Restoring facilities "按原状恢复" (§第六轮 第二阶段, 2008).
                self._reverse(phase, p.reversal_rate, t_us)
        elif step is not None:
            allowed = aid_done >= step.tranche - 1 or (
                aid_done == step.tranche - 2 and float(rng.random()) < p.generosity
            )
            if allowed:
                # The aid side counts as performed once "substantially" delivered.
                aid_frac = min(
                    1.0,
                    self._aid_fraction(phase, step.tranche) / p.aid_tranche_done
                    if p.aid_tranche_done > 0
                    else 1.0,
                )
                cap = min(1.0, aid_frac + (1.0 - dprk.strategy.simultaneity)) * step.amount
                will = self._seat_pace(
                    "DPRK",
                    max(
                        0.0,
                        p.dprk_will_base
                        + p.dprk_will_trust * t_us
                        - p.dprk_will_grievance * self.grievance,
                    ),
                )
                amt = step.amount * pace * will * (1.0 + float(rng.normal(0, p.noise)))
                amt = max(0.0, min(amt, cap - step.delivered, step.remaining))
                if amt < p.slowed_share * step.amount * pace and step.delivered >= cap - 1e-9:
                    status = "slowed"
                step.delivered += amt
                if step.done:
                    step.completed_month = self.month
                    done_now.append(step)
                    self._dprk_step_done(step)
            else:
                status = "slowed"

        # --- counterparts: aid and delisting
        dprk_done = led.dprk_tranches_done(phase)
        for j in AID_PROVIDERS:
            party = self.parties[j]
            st = led.open_step(j, phase, "aid")
            if st is None:
                continue
            allowed = dprk_done >= st.tranche - 1 or (
                dprk_done == st.tranche - 2 and float(rng.random()) < p.generosity
            )
            if not allowed:
                continue
            will = self._seat_pace(party.key, max(0.0, min(1.0, party.delivery_willingness())))
            amt = st.amount * pace * will * (1.0 + float(rng.normal(0, p.noise)))
            amt = max(0.0, min(amt, st.remaining))
            st.delivered += amt
            if st.done:
                st.completed_month = self.month
                done_now.append(st)
        st = led.open_step(US_I, phase, "delisting")
        if st is not None and st.owed_given(dprk_done):
            agreed_ver = float(self.agreed_text[VER]) if self.agreed_text is not None else 0.0
            verified = (
                not us.strategy.verification_first or us.position[VER] <= agreed_ver + us.radius()
            )
            if verified and float(rng.random()) < us.delivery_willingness():
                st.delivered = 1.0
                st.completed_month = self.month
                done_now.append(st)
                self.delisted = True
                self.sanctions = max(0.0, self.sanctions - p.delisting_sanctions_relief)
                self.decide("US", "delists", "declaration done and verification satisfied")
            elif not verified and us.position[VER] > agreed_ver + us.radius():
                self.note("US: withholds_delisting (verification)")
        # The text's other counterpart steps (commitments: the security
        # assurance, normalization, the LWR), each owed under reciprocity and
        # performed by its party as willingly as it delivers (its stated line
        # included: Japan's abductee linkage holds its normalization).
        for st in led.phase_steps(phase):
            if (
                st.kind != "commitment"
                or st.done
                or st.superseded_month is not None
                or not st.owed_given(dprk_done)
            ):
                continue
            party = self.parties[st.party]
            will = self._seat_pace(party.key, max(0.0, min(1.0, party.delivery_willingness())))
            if float(rng.random()) < will:
                st.delivered = 1.0
                st.completed_month = self.month
                done_now.append(st)
                self.note(f"{party.key}: performs_{st.description}")

        # --- trust from performance: completed steps build it, overdue erode it
        for s in done_now:
            watchers = range(1, 6) if s.party == DPRK_I else (DPRK_I,)
            for i in watchers:
                if i != s.party:
                    self.observe(i, s.party, 1.0, weight=p.trust_weight_performed)
        counts: dict = {}
        for s in led.overdue(self.month):
            if not self._owed(s, counts):
                continue
            watchers = range(1, 6) if s.party == DPRK_I else (DPRK_I,)
            for i in watchers:
                if i != s.party:
                    self.observe(i, s.party, 0.0, weight=p.trust_weight_overdue)
        delivered = sum(s.delivered for s in led.steps if s.kind == "dprk_action")
        self.progress = max(0.0, min(1.0, delivered))
        return status

    # ------------------------------------------------------------ facilities
    def _dprk_step_done(self, step) -> None:
        """A DPRK tranche is complete: the facilities it moves reach their state
        (never backward), and a declaration starts the delisting clock."""
        ph = self.spec.phases[step.phase]
        order = FACILITY_STATES.index
        for fs in ph.facility_steps:
            if fs.tranche == step.tranche and order(fs.to) > order(self.facilities[fs.facility]):
                self.facilities[fs.facility] = fs.to
        if ph.declaration_tranche == step.tranche:
            self.ledger.declaration_done(step.phase, self.month)

    def _reverse(self, phase: int, amount: float, t_us: float) -> None:
        """The DPRK undoes ``amount`` of progress from the latest performed steps
        of the phase in force (last in, first out) that moved a facility (any
        step if the phase moves none: a declaration once made is not unmade).
        A tranche that is no longer complete re-opens (it must be performed
        again), and the facilities it had moved are restored to operating."""
        restored: list[str] = []
        left = amount
        ph = self.spec.phases[phase]
        moving = {fs.tranche for fs in ph.facility_steps}
        steps = [
            s
            for s in self.ledger.phase_steps(phase)
            if s.kind == "dprk_action" and (not moving or s.tranche in moving)
        ]
        for st in reversed(steps):
            if left <= 0:
                break
            if st.delivered <= 0:
                continue
            was_done = st.done
            back = min(left, st.delivered)
            st.delivered -= back
            st.reversed_amount += back
            self.reversed_progress += back
            left -= back
            if was_done and not st.done:
                st.completed_month = None
                for fs in ph.facility_steps:
                    if fs.tranche == st.tranche and self.facilities[fs.facility] != "operating":
                        self.facilities[fs.facility] = "operating"
                        restored.append(fs.facility)
        if left < amount:
            self.note("DPRK: reverses_steps")
        if restored:
            self.decide(
                "DPRK",
                "restores_facilities",
                f"{', '.join(restored)} restored to operating (suspended, trust in US {t_us:.2f})",
            )

    def _overdue_cause(self, overdue: list) -> tuple[str, str]:
        """The reason code naming the overdue counterpart steps
        (``overdue_delisting``, ``overdue_aid``, ``overdue_commitment``, or
        several joined by ``+`` in that order) and the clauses saying which steps they are, each
        led by its own code, e.g. ``overdue_delisting: the US delisting of
        phase 2 due 2008-09``."""
        parts, codes = [], []
        delist = [s for s in overdue if s.kind == "delisting"]
        aid = [s for s in overdue if s.kind == "aid"]
        commit = [s for s in overdue if s.kind == "commitment"]
        if delist:
            st = delist[0]
            codes.append("overdue_delisting")
            parts.append(
                f"overdue_delisting: the US delisting of phase {st.phase + 1} due "
                f"{month_label(st.due_month)}"
            )
        if aid:
            st = min(aid, key=lambda s: (s.phase, s.tranche))
            late = sorted({s.party for s in aid if s.phase == st.phase and s.tranche == st.tranche})
            codes.append("overdue_aid")
            parts.append(
                f"overdue_aid: aid tranche {st.tranche} of phase {st.phase + 1} due "
                f"{month_label(st.due_month)}, short: "
                f"{', '.join(PARTIES[j] for j in late)}"
            )
        if commit:
            codes.append("overdue_commitment")
            parts.extend(
                f"overdue_commitment: the {PARTIES[st.party]} {st.description} of phase "
                f"{st.phase + 1} due {month_label(st.due_month)}"
                for st in commit
            )
        return "+".join(codes), "; ".join(parts)

    def _overdue_counterpart_steps(self, phase: int) -> list:
        """Counterpart steps a month past due that hold the DPRK back: an aid
        tranche not substantially delivered (one provider's shortfall alone
        does not count), or the delisting."""
        led = self.ledger
        counts: dict = {}
        late = [
            s for s in led.overdue(self.month - 1) if s.party != DPRK_I and self._owed(s, counts)
        ]
        if not late:
            return []
        aid_done = led.aid_tranches_done(phase)
        return [
            s
            for s in late
            if s.kind in ("delisting", "commitment")
            or (s.kind == "aid" and s.phase == phase and s.tranche > aid_done)
        ]

    def _owed(self, s, counts: dict | None = None) -> bool:
        """Is step ``s`` owed yet?  Under reciprocity a step of tranche t is owed
        only once the counterpart has completed tranche t - 1; a step held back
        because the counterpart is behind is not a defection.  ``counts``
        caches (DPRK tranches done, aid tranches done) per phase."""
        led = self.ledger
        if counts is None:
            counts = {}
        if s.phase not in counts:
            counts[s.phase] = (led.dprk_tranches_done(s.phase), led.aid_tranches_done(s.phase))
        dprk_done, aid_done = counts[s.phase]
        if s.kind == "dprk_action":
            return aid_done >= s.tranche - 1
        return s.owed_given(dprk_done)

    def _aid_fraction(self, phase: int, tranche: int) -> float:
        aid = [
            s for s in self.ledger.phase_steps(phase) if s.tranche == tranche and s.kind == "aid"
        ]
        if not aid:
            return 1.0
        return sum(s.delivered for s in aid) / sum(s.amount for s in aid)

    # =============================================================== stance
    def _update_stance(self) -> None:
        """Apply the DPRK's stance decision (:meth:`DPRK.next_stance`)."""
        dprk = self.parties[DPRK_I]
        stance, decision = dprk.next_stance()
        if decision is None:
            return
        score = dprk.attend_score()
        why = (
            f"readiness {score:.2f} (sanctions {self.sanctions:.2f}, "
            f"trust in US {dprk.trust_in(US_I):.2f}, grievance {self.grievance:.2f})"
        )
        if decision == "walks_out" or (decision == "returns" and self.stance == "walked_out"):
            why = (
                f"outside option {float(self.outside[DPRK_I]):.2f} "
                f"{'above' if decision == 'walks_out' else 'below'} the talks' value "
                f"{dprk.talks_value():.2f} (performance {dprk.performance_probability():.2f}, "
                f"utility of the text {dprk.utility(dprk.talks_text()):.2f}); " + why
            )
        self.stance = stance
        if decision == "walks_out":
            self._return_months = 0
            self.recess_pending = False
        self.decide("DPRK", decision, why)

    # ============================================================== sessions
    def _target_level(self) -> str:
        """What the chair aims at: a joint statement; the next phase (a joint
        document) once a joint statement is in force; while a phase is being
        implemented, a joint document that reopens and renegotiates it (its
        text, and the due months of its open steps)."""
        if self.ledger.active_phase is not None:
            return "joint_document"
        if DOC_RANK[self.best_document] >= DOC_RANK["joint_statement"] and self.next_phase < len(
            self.spec.phases
        ):
            return "joint_document"
        return "joint_statement"

    def _convene(self) -> None:
        china = self.parties[CHINA_I]
        resume = self.recess_pending
        invited_by = ""
        if self.stance == "walked_out":
            return
        if resume:
            invited_by = "recess"
        elif self.month in self._invitations:
            invited_by = "scenario"
        elif self.months_since_session >= self.chair_wait:
            china.shuttle()
            readiness = china.sound_out() + float(self.rng.normal(0, self.params.noise))
            if readiness >= china.strategy.invite_threshold:
                invited_by = "chair"
        else:
            china.shuttle()
        if not invited_by:
            return
        if resume:
            self.round_phase += 1
        else:
            self.round += 1
            self.round_phase = 1
        self.recess_pending = False
        s = Session(len(self.sessions), self.round, self.round_phase, self.month, invited_by)
        self.sessions.append(s)
        if self._preview_hook is not None:
            self._preview_hook(self, s)
        for party in self.parties:
            score = self.attend_readiness(party.idx)
            draw = float(self.rng.normal(0, self.params.noise))
            o = self._orders(party.key)
            if o is not None and o.attend is not None:
                score, draw = (1.0 if o.attend else 0.0), 0.0
            if score + draw > self.params.attend_threshold:
                s.attended.append(party.key)
            else:
                s.declined.append(party.key)
        if s.declined:
            for k in s.declined:
                self.decide(
                    k,
                    "boycotts",
                    f"declined the invitation (readiness below {self.params.attend_threshold:g})",
                )
            self._month_status = "boycott"
            self.months_since_session = 0
            return
        s.held = True
        self._bargain(s)
        self.months_since_session = 0

    def attend_readiness(self, i: int) -> float:
        """Party ``i``'s readiness to attend an invited session before noise,
        in [0, 1] (:meth:`Party.attend_score`; 0 for the DPRK unless it is
        participating).  It attends when readiness plus a noise draw exceeds
        ``parameters.attend_threshold``."""
        if i == DPRK_I and self.stance != "participating":
            return 0.0
        return self.parties[i].attend_score()

    def first_draft(self, s: Session) -> np.ndarray:
        """(8,) the text the chair tables first in session ``s`` (China's
        draft on the current positions, :meth:`China.draft`); draws no random
        number and changes no state."""
        return self.parties[CHINA_I].draft(s)

    def bargaining_salience(self) -> np.ndarray:
        """(6, 8) each party's salience as it enters the expected-utility model
        (:meth:`Party.bargaining_salience`: resolve, domestic constraint and the
        class's own lines), in [0, 1]."""
        return np.stack([q.bargaining_salience() for q in self.parties])

    def bargaining_parameters(self) -> BargainingParameters:
        """The expected-utility model's parameters from the scenario's."""
        p = self.params
        return BargainingParameters(
            status_quo_probability=p.bdm_status_quo_probability,
            improvement_probability=p.bdm_improvement_probability,
            risk_exponent_max=p.bdm_risk_exponent_max,
            tolerance=p.concession_tolerance,
            perception="receiver" if p.bdm_receiver_perception else "own",
        )

    def _bargain(self, s: Session) -> None:
        """A session: drafts and expected-utility rounds until convergence or deadlock.

        With ``parameters.expected_utility_sessions`` false the fixed-share
        session is played instead (:meth:`_bargain_fixed_share`).  Each draft:

        1. one round of Bueno de Mesquita's expected-utility model
           (:func:`sixparty.bargaining.bargaining_round`; Scholz, Calbert &
           Smith 2011) on the six parties' positions (1, 6, 8), capability and
           bargaining salience (:meth:`bargaining_salience`), issue scale 1;
        2. the chair drafts the round's forecast, the weighted median
           (:meth:`China.draft`); after ``stall_iterations`` drafts without a
           new acceptance Russia's package amends it (:meth:`Russia.package`);
        3. each party judges the draft at the target level (utility of the
           text against its disagreement value, :meth:`Party.accepts`): all six
           accept -> ``converged``; ``chair_patience`` drafts in a row without
           a new acceptance -> ``deadlock``;
        4. positions move by the round's accepted offers (conflict,
           compromise, capitulation; B9-B11), each party keeping the issues
           its class will not bargain over (:meth:`Party.hold_in_round`) and a
           human seat its own choice; no position moving by
           ``concession_tolerance`` or more -> ``converged``.

        The document is the highest level all six accept on the final text.
        """
        p = self.params
        if not p.expected_utility_sessions:
            self._bargain_fixed_share(s)
            return
        parties = self.parties
        china = parties[CHINA_I]
        russia = parties[RUSSIA_I]
        s.direct_contact = parties[US_I].allows_direct_contact()
        s.target = self._target_level()
        bp = self.bargaining_parameters()
        seated = {PARTIES.index(k) for k in self.seats}
        text = self.first_draft(s)
        start_gap = float(self.distances(text).mean())
        best_accepts = -1
        idle = 0  # drafts in a row without a new acceptance: the chair's patience
        s.ending = "deadlock"
        zeuthen: dict[str, int] = {}  # Zeuthen concessions by party
        for it in range(p.max_iterations):
            s.iterations = it + 1
            state = BargainingState(
                self.pos[None].copy(), self.cap, self.bargaining_salience()[None], 1.0
            )
            res = bargaining_round(state, bp)
            text = china.draft(s)
            if idle >= p.stall_iterations:
                text = russia.package(text)
            responses, ended, best_accepts, idle = self._judge_draft(s, text, best_accepts, idle)
            if ended:
                break
            before = self.pos.copy()
            after = res.positions[0]
            conceders = self._zeuthen(responses, idle)
            for q in parties:
                if q.idx in seated:
                    continue  # a human seat keeps the position it chose
                if q.idx in conceders:  # Zeuthen: a concession, or holding firm
                    if not np.array_equal(conceders[q.idx], before[q.idx]):
                        zeuthen[q.key] = zeuthen.get(q.key, 0) + 1
                    self.pos[q.idx] = conceders[q.idx]
                else:
                    self.pos[q.idx] = q.hold_in_round(before[q.idx], after[q.idx])
            np.clip(self.pos, 0.0, 1.0, out=self.pos)
            by_round = np.array([[q.idx not in conceders] for q in parties])  # (6, 1)
            kinds = res.accepted_outcome[0] * ((self.pos != before) & by_round)
            s.conflicts += int(np.sum(kinds == CONFLICT))
            s.compromises += int(np.sum(kinds == COMPROMISE))
            s.capitulations += int(np.sum(kinds == CAPITULATION))
            moved = float(self.distances_between(before, self.pos).max())
            if moved < p.concession_tolerance:
                s.ending = "converged"  # no party will move further
                break
        else:
            s.reasons.append(f"deadlock: the chair's bound of {p.max_iterations} drafts")
        if zeuthen:
            s.reasons.append(
                "Zeuthen concessions: "
                + ", ".join(
                    f"{k} {n}"
                    for k, n in sorted(zeuthen.items(), key=lambda kv: PARTIES.index(kv[0]))
                )
            )
        self._conclude(s, text, start_gap)

    def _zeuthen(self, responses, idle: int) -> dict[int, np.ndarray]:
        """Zeuthen's principle between the DPRK and the US (Zeuthen 1930; Harsanyi 1956).

        Only with ``parameters.zeuthen_dprk_us`` (off by default).  When
        acceptance has stalled (``stall_iterations`` drafts without a new
        acceptance) and the only holdouts are the DPRK and the US, the one with
        the smaller risk limit against the other's position concedes (both on
        a tie): its position this draft is its minimal concession
        (:meth:`Party.zeuthen_concession`) instead of its expected-utility
        move, and the other holds its offer.  Risk limits value offers from
        each party's anchor (:meth:`Party.reference_utility`).  Returns party
        index -> new position (both parties); empty otherwise.  A human seat
        keeps its own position.
        """
        if not self.params.zeuthen_dprk_us or idle < self.params.stall_iterations:
            return {}
        holdouts = {i for i, (v, _) in enumerate(responses) if v != "accept"}
        if not holdouts or not holdouts <= {DPRK_I, US_I}:
            return {}
        dprk, us = self.parties[DPRK_I], self.parties[US_I]
        r_d = dprk.risk_limit(dprk.position, us.position)
        r_u = us.risk_limit(us.position, dprk.position)
        d_concedes, u_concedes = zeuthen_concedes(r_d, r_u)
        # The one that does not concede holds its offer (Zeuthen's protocol).
        out = {
            DPRK_I: dprk.zeuthen_concession(us) if d_concedes else dprk.position.copy(),
            US_I: us.zeuthen_concession(dprk) if u_concedes else us.position.copy(),
        }
        return {i: x for i, x in out.items() if self.parties[i].key not in self.seats}

    def _judge_draft(
        self, s: Session, text: np.ndarray, best_accepts: int, idle: int
    ) -> tuple[list, bool, int, int]:
        """Table one draft: record it, take the six responses, and say whether the
        session ends here - ``converged`` when all six accept, a declared deadlock
        when ``chair_patience`` drafts in a row brought no new acceptance.

        Returns ``(responses, ended, best_accepts, idle)`` with the chair's
        updated count of drafts without progress (``idle``).
        """
        s.drafts.append(text.copy())
        dist = self.distances(text)
        responses = [self._respond(q, text, s.target, s, dist[q.idx]) for q in self.parties]
        accepts = sum(1 for v, _ in responses if v == "accept")
        if accepts == 6:
            s.ending = "converged"
            return responses, True, best_accepts, idle
        if accepts > best_accepts:
            best_accepts, idle = accepts, 0
        else:
            idle += 1
        if idle >= self.params.chair_patience:
            # the chair's patience has run out
            s.reasons.append(f"deadlock: no new acceptance in {idle} drafts")
            return responses, True, best_accepts, idle
        return responses, False, best_accepts, idle

    def _bargain_fixed_share(self, s: Session) -> None:
        """The fixed-share session (``expected_utility_sessions: false``), kept
        for comparison: a weighted-mean draft, amendments, and non-accepting
        parties conceding a share of the gap to it."""
        p = self.params
        parties = self.parties
        china = parties[CHINA_I]
        russia = parties[RUSSIA_I]
        us = parties[US_I]
        s.direct_contact = us.allows_direct_contact()
        s.target = self._target_level()
        text = self.first_draft(s)
        start_gap = float(self.distances(text).mean())
        best_accepts = -1
        idle = 0  # iterations in a row without a new acceptance: the chair's patience
        s.ending = "deadlock"
        for it in range(p.max_iterations):
            s.iterations = it + 1
            responses, ended, best_accepts, idle = self._judge_draft(s, text, best_accepts, idle)
            if ended:
                break
            # Amendments: pull the text toward each asker on its issue, by its weight.
            amended = text.copy()
            wsum = float((self.cap[:, None] * self.sal).sum(axis=0).max())
            for q, (verdict, issue) in zip(parties, responses, strict=True):
                if verdict == "amend":
                    w = self.cap[q.idx] * self.sal[q.idx, issue] / wsum
                    amended[issue] += min(p.amendment_weight_cap, w) * (
                        q.position[issue] - amended[issue]
                    )
            # Concessions: parties not accepting move toward the text; the chair
            # urges the DPRK and the US to step toward each other (§第三轮).
            before = self.pos.copy()
            for q, (verdict, _) in zip(parties, responses, strict=True):
                if verdict != "accept":
                    boost = china.strategy.shuttle if q.idx in (DPRK_I, US_I) else 0.0
                    q.concede(text, rate_boost=boost)
            moved = float(self.distances_between(before, self.pos).max())
            if moved < p.concession_tolerance:
                # Converged: no party will move further on this text.
                s.ending = "converged"
                break
            text = (1.0 - p.amendment_share) * china.draft(s) + p.amendment_share * amended
            if idle >= p.stall_iterations:
                text = russia.package(text)
        else:
            s.reasons.append(f"deadlock: the chair's bound of {p.max_iterations} drafts")
        self._conclude(s, text, start_gap)

    def _conclude(self, s: Session, text: np.ndarray, start_gap: float) -> None:
        """The session's end: the final text, the document all six accept, recess."""
        p = self.params
        parties = self.parties
        target = s.target
        s.text = text
        # Every draft valued with the positions the parties hold at the end, so
        # drafts and the final text are compared on the same preferences.
        s.draft_utilities = np.array([1.0 - self.distances(d) for d in s.drafts])
        dist = self.distances(text)
        s.utilities = 1.0 - dist
        gaps = np.abs(self.pos - text[None, :])
        s.common_ground = int(np.sum(np.all(gaps <= p.common_ground_distance, axis=0)))
        # The document: the highest level, up to the target, whose acceptance
        # rule all six meet on the final text.  A text that falls short of the
        # target is offered as the next lower level in every session (a vaguer
        # document leaves more slack: parameters.slack_<level>).
        document = "none"
        for level in ("joint_document", "joint_statement", "chairmans_statement"):
            if DOC_RANK[level] > DOC_RANK[target]:
                continue
            if all(q.accepts(text, level, s, dist[q.idx]) for q in parties):
                document = level
                break
        if document == "none" and s.common_ground >= p.oral_summary_min_issues:
            document = "oral_summary"
        s.document = document
        end_gap = float(dist.mean())
        narrowing = end_gap < p.recess_narrowing * start_gap
        s.recess = (
            DOC_RANK[document] < DOC_RANK[target]
            and narrowing
            and self.round_phase < p.max_phases_per_round
        )
        self.recess_pending = s.recess
        holdouts = [q.key for q in parties if not q.accepts(text, target, s, dist[q.idx])]
        if holdouts:
            s.reasons.append(f"holdouts on a {target.replace('_', ' ')}: {', '.join(holdouts)}")
        self._after_document(s)

    def _respond(self, q: Party, text, target: str, s: Session, d: float):
        """A party's response; a human seat's standing order replaces the agent's."""
        o = self._orders(q.key)
        if o is None or o.respond is None:
            return q.respond(text, target, s, d)
        if o.respond == "amend":
            issue = (
                ISSUES.index(o.amend_issue)
                if o.amend_issue
                else int(np.argmax(np.abs(text - q.position) * q.salience))
            )
            if o.amend_to is not None:
                q.position[issue] = o.amend_to
            return "amend", issue
        if o.respond == "accept":
            # Accepting means adopting the text as one's position for this session.
            q.position[:] = text
        return o.respond, None

    def _seat_pace(self, key: str, will: float) -> float:
        o = self._orders(key)
        if o is None or o.implementation is None:
            return will
        return {"perform": 1.0, "slow": self.params.seat_slow_pace, "suspend": 0.0}[
            o.implementation
        ]

    def _after_document(self, s: Session) -> None:
        """A document binds: trust grows, anchors move toward the agreed text."""
        p = self.params
        doc = s.document
        rank = DOC_RANK[doc]
        if rank >= DOC_RANK["chairmans_statement"]:
            pull = float(getattr(p, f"anchor_pull_{doc}"))
            self.anchor += pull * (s.text[None, :] - self.anchor)
            for i in range(6):
                for j in range(6):
                    if i != j:
                        self.observe(i, j, 1.0, weight=pull + p.document_trust_weight)
        elif doc == "none":
            self.observe(DPRK_I, US_I, 0.0, weight=p.failed_session_trust_weight)
            self.observe(US_I, DPRK_I, 0.0, weight=p.failed_session_trust_weight)
        if s.direct_contact:
            # US-DPRK contact inside the session builds their mutual trust.
            self.observe(DPRK_I, US_I, 1.0, weight=p.direct_contact_trust_weight)
            self.observe(US_I, DPRK_I, 1.0, weight=p.direct_contact_trust_weight)
        # A document improves on the talks when it reaches a higher level than
        # before, or when a joint document adopts a phase or reopens a stalled
        # one (set by _adopt_from_text); a joint document that only
        # reaffirms the phase in force does not bring the chair back sooner.
        if doc == "joint_document":
            self._adopt_from_text(s)
        improved = rank > DOC_RANK[self.best_document] or bool(s.adopted_phase or s.renegotiated)
        if improved:
            self.best_document = doc if rank > DOC_RANK[self.best_document] else self.best_document
            self.chair_wait = self.params.min_months_between_sessions
        elif not s.recess:
            self.chair_wait = min(p.chair_max_wait, p.chair_wait_factor * self.chair_wait)
        if rank >= DOC_RANK["joint_statement"]:
            self.agreed_text = s.text.copy()

    def _adopted_phase(self, text) -> int | None:
        """The phase a joint document with ``text`` (8 values) adopts: the
        earliest phase of the menu, from ``next_phase`` on, whose terms the
        text covers (:meth:`sixparty.scenario.Phase.covered_by`); None if it
        covers none.

        Action for action is step by step (article §第三轮:
        "以循序渐进的方式，按照口头对口头、行动对行动"): a text that covers
        several phases' terms starts the sequence at the first of them, whose
        DPRK steps are paired with that phase's counterpart steps (the 9·19
        package was implemented by the 2·13 "起步行动" first, §第五轮 第三阶段);
        the deeper phases need documents of their own.  Open phases before the
        adopted one, whose terms the text does not cover, are closed."""
        for k in range(self.next_phase, len(self.spec.phases)):
            if self.spec.phases[k].covered_by(text):
                return k
        return None

    def _adopt_from_text(self, s: Session) -> None:
        """A joint document sets the ledger from its text: it adopts the phase
        whose terms the text covers (a phase in force, if any, is superseded:
        its open steps are no longer owed); a text that covers no new phase
        renegotiates the phase in force (its open steps re-dated), or, with
        none in force, adopts nothing."""
        led = self.ledger
        active = led.active_phase
        k = self._adopted_phase(s.text)
        if k is not None:
            if active is not None:
                n = led.supersede(active, self.month)
                s.reasons.append(f"phase {active + 1} superseded ({n} open steps)")
            ph = self.spec.phases[k]
            base = ph.provider_shares()
            refusing = tuple(
                PARTIES[j]
                for j in AID_PROVIDERS
                if base[PARTIES[j]] > 0 and self.parties[j].refuses_aid_pledge()
            )
            shares = {PARTIES.index(key): v for key, v in ph.provider_shares(refusing).items()}
            commitments = []
            for cs in ph.commitments(s.text):
                j = PARTIES.index(cs.party)
                if self.parties[j].refuses_commitment(cs.step):
                    s.reasons.append(f"no {cs.step} owed by {cs.party} (its stated line)")
                else:
                    commitments.append((cs.tranche, j, cs.step))
            led.adopt(
                k,
                ph,
                self.month,
                AID_PROVIDERS,
                DPRK_I,
                US_I,
                shares=shares,
                commitments=commitments,
            )
            s.adopted_phase = ph.name
            if refusing and ph.aid_tonnes > 0:
                s.reasons.append(f"no aid pledged by {', '.join(refusing)} (its stated line)")
            self.next_phase = k + 1
            self.dprk_suspended_steps = False
        elif active is not None:
            china = self.parties[CHINA_I]
            stalled = china.phase_stalled()
            if stalled:
                # The chair reopens a stalled phase: its open steps fall due afresh.
                ph = self.spec.phases[active]
                led.reschedule(active, self.month, ph.months)
                s.reasons.append("the phase in force renegotiated: open steps re-dated")
                s.reasons.append(f"reopened: {stalled}")
                s.renegotiated = True
            else:
                s.reasons.append("the phase in force reaffirmed: performed on time")
        elif self.next_phase < len(self.spec.phases):
            s.reasons.append("the text covers no phase's terms: nothing adopted")

    # ================================================================= step
    def step(self) -> None:
        """Advance one month (see the module docstring for the order)."""
        if self.month >= self.start + self.n_months:
            self.running = False
            return
        self._month_events = []
        self._month_status = "no_talks"
        # Evidence fades: old cooperation and defection weigh less each month.
        mem = self.params.trust_memory
        self._ev_a *= mem
        self._ev_b *= mem
        self.grievance *= self.params.grievance_memory
        self._refresh_trust()
        self._apply_events()
        self._apply_statements()
        for party in self.parties:
            party.step()
        np.clip(self.pos, 0.0, 1.0, out=self.pos)
        impl = self._implementation()
        self._update_stance()
        n_before = len(self.sessions)
        self.months_since_session += 1
        self._convene()
        held = len(self.sessions) > n_before and self.sessions[-1].held
        if held:
            self._month_status = "in_session"
        elif self._month_status != "boycott":
            if self.stance == "walked_out":
                self._month_status = "walked_out"
            elif self.stance == "suspended":
                self._month_status = "suspended"
            elif self.recess_pending:
                self._month_status = "recess"
        self._record(impl)
        self.month += 1
        if self.month >= self.start + self.n_months:
            self.running = False

    def _record(self, impl: str) -> None:
        t = self.month - self.start
        led = self.ledger
        self.timeline.append(
            {
                "month": month_label(self.month),
                "talks_status": self._month_status,
                "dprk_stance": self.stance,
                "implementation": impl,
                "progress": self.progress,
                "aid_pledged_t": led.pledged_tonnes(),
                "aid_delivered_t": led.delivered_tonnes(),
                "sanctions": self.sanctions,
                "mean_trust": self.mean_trust(),
                "trust_dprk_us": float(self.trust[DPRK_I, US_I]),
                "trust_us_dprk": float(self.trust[US_I, DPRK_I]),
                "events": ";".join(self._month_events),
                **{f"aid_delivered_t_{PARTIES[j]}": led.delivered_by(j) for j in AID_PROVIDERS},
                **{f"facility_{name}": state for name, state in self.facilities.items()},
            }
        )
        if self.record_positions:
            self.pos_hist[t] = self.pos
            self.sal_hist[t] = self.sal
            self.trust_hist[t] = self.trust
        self.datacollector.collect(self)

    def run(self) -> None:
        """Run the whole window."""
        while self.running:
            self.step()


__all__ = ["DOC_LEVELS", "SeatBriefing", "SeatOrders", "Session", "TalksModel"]
