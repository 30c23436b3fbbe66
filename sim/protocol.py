"""Action for action (行动对行动): the ledger of paired steps.

A joint document adopts the phase of the scenario's menu
(``Scenario.phases``) whose terms its text covers (the model decides which;
see :meth:`sixparty.model.TalksModel._adopted_phase`).  The phase is cut into
``tranches``; in each tranche the DPRK's step (a share of denuclearization
progress) is paired with the providers' aid (HFO-equivalent tonnes, each
provider's share as the text and its stated line set it: ``shares``) and,
where the phase says so, the US delisting in the last tranche, owed once the
DPRK's declaration tranche is done and due ``delisting_days`` after it.  Source: article §第三轮 ("以循序渐进
的方式，按照口头对口头、行动对行动"原则) and §第五轮 第二阶段 ("根据'行动对行动'
原则，尽快采取协调一致步骤，分阶段落实共同声明").

Reciprocity rule
----------------
A party performs tranche ``t`` only once its counterpart has completed tranche
``t - 1`` (strict reciprocity: nobody is ever more than one step ahead).  With
``generosity g > 0`` a party whose counterpart lags two tranches still performs
with probability ``g`` a month (generous tit-for-tat, Nowak & Sigmund 1992).
The aid side of a tranche counts as completed when the share
``parameters.aid_tranche_done`` (default 75 %) of its tonnes is delivered
("substantially"), so one party's shortfall can hold the phase.

This module holds data and bookkeeping only; the decisions (how much a party
performs, when the DPRK suspends) are the parties' and the model's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

_EPS = 1e-9

#: Mean days in a month of the Gregorian calendar (365.2425 / 12): converts a
#: deadline in days into the model's monthly clock.  A unit, not a behaviour.
DAYS_PER_MONTH = 365.2425 / 12


_UNSET = object()


def _same(old, new) -> bool:
    """Whether writing ``new`` over ``old`` changes nothing a ledger's memo could
    have read: the same type and value, and for floats the same sign of zero (a
    step written ``delivered += 0.0`` keeps its ledger's memo; NaN never equals)."""
    if type(old) is not type(new) or not old == new:
        return False
    return not isinstance(new, float) or math.copysign(1.0, old) == math.copysign(1.0, new)


def months_for_days(days: int) -> int:
    """Whole months (rounded up, at least 1) that cover ``days`` days: 45 -> 2."""
    return max(1, math.ceil(days / DAYS_PER_MONTH - 1e-9))


@dataclass
class Step:
    """One promised step.

    kind: ``dprk_action`` (amount = share of denuclearization progress in
    [0, 1]), ``aid`` (amount = HFO-equivalent tonnes), ``delisting``
    (amount = 1) or ``commitment`` (a counterpart step the text commits,
    e.g. the security assurance; amount = 1; ``description`` names it).  Months are month indices (see :func:`sixparty.scenario.month_index`).
    """

    step_id: int
    phase: int
    phase_name: str
    tranche: int
    party: int
    kind: str
    description: str
    amount: float
    promised_month: int
    due_month: int
    delivered: float = 0.0
    completed_month: int | None = None
    reversed_amount: float = 0.0
    #: A counterpart step is owed once the DPRK has completed this many
    #: tranches of the phase (None: ``tranche - 1``, strict reciprocity).
    after_tranche: int | None = None
    #: Month a later joint document replaced the step's phase (its open steps
    #: are no longer owed), else None.
    superseded_month: int | None = None
    #: For a step tied to the declaration (``after_tranche``): the month the
    #: declaration was complete, from which the step is owed; a declaration
    #: once made stays made, whatever the DPRK later reverses.
    owed_month: int | None = None
    #: The ledger holding the step (set by :meth:`Ledger.adopt`): any change of
    #: the step clears that ledger's memo of counts (:meth:`__setattr__`).
    _ledger: Ledger | None = field(default=None, init=False, repr=False, compare=False)

    def __setattr__(self, name: str, value) -> None:
        d = self.__dict__
        led = d.get("_ledger")
        if led is not None:
            if led._memo and not _same(d.get(name, _UNSET), value):
                led._memo.clear()
            if name in ("party", "phase"):
                led._by_party.clear()
        object.__setattr__(self, name, value)

    def owed_given(self, dprk_done: int) -> bool:
        """Whether this counterpart step is owed when the DPRK has completed
        ``dprk_done`` leading tranches of the phase (strict reciprocity:
        ``tranche - 1``; a step tied to the declaration: once it was made)."""
        if self.after_tranche is not None:
            return self.owed_month is not None
        return dprk_done >= self.tranche - 1

    @property
    def done(self) -> bool:
        return self.delivered >= self.amount - _EPS

    @property
    def remaining(self) -> float:
        return max(0.0, self.amount - self.delivered)


@dataclass
class Ledger:
    """All steps promised by joint documents, in order of adoption."""

    #: Share of a tranche's aid tonnes that counts as the aid side having
    #: performed it ("substantially delivered"), in [0, 1]; the model sets it
    #: from ``parameters.aid_tranche_done``.
    aid_done_share: float = 0.75
    steps: list[Step] = field(default_factory=list)
    phases: list[dict] = field(default_factory=list)
    _by_phase: dict[int, list[Step]] = field(default_factory=dict, repr=False)
    #: Counts read many times a month (tranches done, the open steps, the aid
    #: totals), kept until a step changes: cleared by any write to one of its
    #: steps (:meth:`Step.__setattr__`) and by every method here that changes
    #: the ledger.  A memo key holds every other input (``aid_done_share``).
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    #: (party, phase) -> that party's steps of the phase in order (:meth:`open_step`
    #: looks only there); cleared by :meth:`adopt` and by a step's new party or phase.
    _by_party: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def adopt(
        self,
        phase_index: int,
        phase,
        month: int,
        providers: tuple[int, ...],
        dprk: int,
        us: int,
        shares: dict[int, float] | None = None,
        commitments: list[tuple[int, int, str]] | None = None,
    ) -> list[Step]:
        """Create the paired steps of ``phase`` adopted in ``month``; return them.

        providers: party indices of the aid providers; shares: provider index
        -> share of ``phase.aid_tonnes`` in [0, 1] (None: equal shares among
        ``providers``).  A provider with a zero share gets no aid step.  A
        delisting with ``phase.declaration_tranche`` is owed once that DPRK
        tranche is done and falls due ``delisting_days`` (in whole months,
        rounded up) after that tranche's due month; :meth:`declaration_done`
        re-dates it from the month the declaration is actually complete.
        commitments: ``(tranche, party index, step name)`` of the counterpart
        steps the adopting text commits (:meth:`sixparty.scenario.Phase.commitments`):
        each is owed once the DPRK completed the tranche before it and falls
        due with its tranche.
        """
        tranches = phase.tranches
        if shares is None:
            shares = {j: 1.0 / len(providers) for j in providers}
        decl = getattr(phase, "declaration_tranche", None)
        days = getattr(phase, "delisting_days", None)
        new: list[Step] = []

        def due_of(t: int) -> int:
            return month + max(1, math.ceil(t * phase.months / tranches))

        for t in range(1, tranches + 1):
            due = due_of(t)
            new.append(
                Step(
                    len(self.steps) + len(new),
                    phase_index,
                    phase.name,
                    t,
                    dprk,
                    "dprk_action",
                    "; ".join(phase.dprk_steps),
                    phase.progress / tranches,
                    month,
                    due,
                )
            )
            if phase.aid_tonnes > 0:
                for j in providers:
                    amount = phase.aid_tonnes / tranches * shares.get(j, 0.0)
                    if amount <= _EPS:
                        continue
                    new.append(
                        Step(
                            len(self.steps) + len(new),
                            phase_index,
                            phase.name,
                            t,
                            j,
                            "aid",
                            "HFO-equivalent aid",
                            amount,
                            month,
                            due,
                        )
                    )
            for ct, j, name in commitments or ():
                if ct != t:
                    continue
                new.append(
                    Step(
                        len(self.steps) + len(new),
                        phase_index,
                        phase.name,
                        t,
                        j,
                        "commitment",
                        name,
                        1.0,
                        month,
                        due,
                    )
                )
            if phase.delisting and t == tranches:
                after = decl if decl is not None else None
                d_due = (
                    due if days is None or decl is None else (due_of(decl) + months_for_days(days))
                )
                new.append(
                    Step(
                        len(self.steps) + len(new),
                        phase_index,
                        phase.name,
                        t,
                        us,
                        "delisting",
                        "removal from the state-sponsor-of-terrorism list",
                        1.0,
                        month,
                        d_due,
                        after_tranche=after,
                    )
                )
        for st in new:
            st._ledger = self
        self._memo.clear()
        self._by_party.clear()
        self.steps.extend(new)
        self._by_phase.setdefault(phase_index, []).extend(new)
        self.phases.append(
            {
                "phase": phase_index,
                "name": phase.name,
                "month": month,
                "tranches": tranches,
                "delisting_days": days,
            }
        )
        return new

    def declaration_done(self, phase_index: int, month: int) -> int:
        """The DPRK's declaration tranche of ``phase_index`` was completed in
        ``month``: a delisting tied to it is owed from now and falls due
        ``delisting_days`` later (whole months, rounded up; at least one).
        Only the first completion counts.  Returns the number of steps re-dated."""
        days = next(
            (p.get("delisting_days") for p in self.phases if p["phase"] == phase_index), None
        )
        if days is None:
            return 0
        n = 0
        for s in self.phase_steps(phase_index):
            if (
                s.kind == "delisting"
                and not s.done
                and s.after_tranche is not None
                and s.owed_month is None
            ):
                s.owed_month = month
                s.due_month = month + months_for_days(days)
                n += 1
        return n

    def supersede(self, phase_index: int, month: int) -> int:
        """A later joint document replaced phase ``phase_index``: its open
        steps are no longer owed (done ones stand).  Returns how many."""
        n = 0
        for s in self.phase_steps(phase_index):
            if not s.done and s.superseded_month is None:
                s.superseded_month = month
                n += 1
        return n

    def reschedule(self, phase_index: int, month: int, months: int) -> int:
        """Renegotiation of a phase in force: its open steps fall due afresh.

        The first open tranche falls due ``ceil(months / T)`` months after
        ``month`` (T = the phase's tranches), the next one a tranche later,
        and so on, at the phase's original pace; a due month is never moved
        earlier.  Returns the number of steps re-dated.
        """
        steps = self.phase_steps(phase_index)
        open_tranches = sorted({s.tranche for s in steps if not s.done})
        if not open_tranches:
            return 0
        tranches = max(s.tranche for s in steps)
        first = open_tranches[0]
        n = 0
        for s in steps:
            if s.done or s.tranche < first:
                continue
            due = month + max(1, math.ceil((s.tranche - first + 1) * months / tranches))
            if due > s.due_month:
                s.due_month = due
                n += 1
        return n

    # ---------------------------------------------------------- bookkeeping
    @property
    def active_phase(self) -> int | None:
        """Index of the latest adopted phase not yet complete, else None."""
        if not self.phases:
            return None
        last = self.phases[-1]["phase"]
        return None if self.phase_complete(last) else last

    def adopted(self, phase: int) -> bool:
        """Whether ``phase`` has been adopted by a joint document."""
        return any(p["phase"] == phase for p in self.phases)

    def phase_complete(self, phase: int) -> bool:
        """All DPRK tranches done, the aid side substantially delivered, delisting
        and the text's other counterpart steps (commitments) done."""
        key = ("complete", phase, self.aid_done_share)
        memo = self._memo
        if key in memo:
            return memo[key]
        steps = self.phase_steps(phase)
        tranches = max((s.tranche for s in steps), default=0)
        memo[key] = out = (
            self.dprk_tranches_done(phase) == tranches
            and self.aid_tranches_done(phase) == tranches
            and all(s.done for s in steps if s.kind in ("delisting", "commitment"))
        )
        return out

    def phase_steps(self, phase: int) -> list[Step]:
        """The steps of ``phase`` in order (do not modify the list)."""
        return self._by_phase.get(phase, [])

    def dprk_tranches_done(self, phase: int) -> int:
        """Number of leading DPRK tranches completed in ``phase``."""
        key = ("dprk", phase)
        memo = self._memo
        if key in memo:
            return memo[key]
        n = 0
        for s in self.phase_steps(phase):
            if s.kind == "dprk_action":
                if not s.done:
                    break
                n += 1
        memo[key] = n
        return n

    def aid_tranches_done(self, phase: int) -> int:
        """Number of leading tranches whose aid side is substantially delivered."""
        key = ("aid", phase, self.aid_done_share)
        memo = self._memo
        if key in memo:
            return memo[key]
        steps = self.phase_steps(phase)
        tranches = max((s.tranche for s in steps), default=0)
        # each tranche's aid tonnes promised and delivered, added in step order
        total: dict[int, float] = {}
        got: dict[int, float] = {}
        for s in steps:
            if s.kind == "aid":
                total[s.tranche] = total.get(s.tranche, 0) + s.amount
                got[s.tranche] = got.get(s.tranche, 0) + s.delivered
        n = 0
        for t in range(1, tranches + 1):
            if t in total and got[t] < self.aid_done_share * total[t] - _EPS:
                break
            n += 1
        memo[key] = n
        return n

    def open_step(self, party: int, phase: int, kind: str | None = None) -> Step | None:
        """The party's first unfinished step in ``phase`` (of ``kind`` if given)."""
        key = ("open", party, phase, kind)
        memo = self._memo
        if key in memo:
            return memo[key]
        mine = self._by_party.get((party, phase))
        if mine is None:
            mine = self._by_party[(party, phase)] = [
                s for s in self.phase_steps(phase) if s.party == party
            ]
        out = None
        for s in mine:
            if not s.done and (kind is None or s.kind == kind):
                out = s
                break
        memo[key] = out
        return out

    def overdue(self, month: int, party: int | None = None, kind: str | None = None) -> list[Step]:
        """Steps past their due month and not done (a new list)."""
        key = ("overdue", month, party, kind)
        memo = self._memo
        if key not in memo:
            memo[key] = [
                s
                for s in self.steps
                if not s.done
                and s.due_month < month
                and s.superseded_month is None
                and (party is None or s.party == party)
                and (kind is None or s.kind == kind)
            ]
        return list(memo[key])

    def dprk_delivered(self) -> float:
        """Denuclearization progress the DPRK has delivered over all phases (the sum
        of its steps' ``delivered``, in step order; 0 with none)."""
        memo = self._memo
        if "dprk_delivered" not in memo:
            memo["dprk_delivered"] = sum(s.delivered for s in self.steps if s.kind == "dprk_action")
        return memo["dprk_delivered"]

    def aid_totals(self, providers: tuple[int, ...]) -> tuple[float, float, list[float]]:
        """``(pledged, delivered, delivered by each of providers)`` aid tonnes over all
        phases: :meth:`pledged_tonnes`, :meth:`delivered_tonnes` and
        :meth:`delivered_by` summed in one pass in step order (from 0.0).
        Raises KeyError for an aid step of a party not in ``providers``."""
        key = ("aid_totals", providers)
        memo = self._memo
        if key not in memo:
            pledged = delivered = 0.0
            by = dict.fromkeys(providers, 0.0)
            for s in self.steps:
                if s.kind == "aid":
                    pledged += s.delivered if s.superseded_month is not None else s.amount
                    delivered += s.delivered
                    by[s.party] += s.delivered
            memo[key] = (pledged, delivered, [by[j] for j in providers])
        return memo[key]

    def open_delisting(self) -> bool:
        """Whether a promised delisting is still to be performed."""
        return any(
            s.kind == "delisting" and not s.done and s.superseded_month is None for s in self.steps
        )

    def pledged_tonnes(self) -> float:
        """Aid tonnes pledged and still owed or delivered (superseded shortfalls excluded)."""
        return sum(
            s.delivered if s.superseded_month is not None else s.amount
            for s in self.steps
            if s.kind == "aid"
        )

    def delivered_by(self, party: int) -> float:
        """Aid tonnes ``party`` has delivered over all phases."""
        return sum(s.delivered for s in self.steps if s.kind == "aid" and s.party == party)

    def pledged_by(self, party: int) -> float:
        """Aid tonnes ``party`` has pledged (superseded shortfalls excluded)."""
        return sum(
            s.delivered if s.superseded_month is not None else s.amount
            for s in self.steps
            if s.kind == "aid" and s.party == party
        )

    def delivered_tonnes(self) -> float:
        return sum(s.delivered for s in self.steps if s.kind == "aid")
