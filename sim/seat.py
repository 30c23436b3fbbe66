"""What a human seat is shown: the briefing before a session, the dues during
implementation, and the reason codes of the agent's recommendation.

Pure data and pure functions: no I/O, no Solara, no model import (the model
fills these records, :meth:`sixparty.model.TalksModel.session_preview` and
:meth:`sixparty.model.TalksModel.implementation_preview`; the page and the
narration translate the codes, ``seat.*`` keys of the dashboard's UI table).

Reason codes (:data:`ATTEND_REASONS`, :data:`RESPOND_REASONS`) name which test
of the agent's decision rule decided it, so a sentence can be written in any
language from the code and the numbers carried beside it; nothing here writes
English to be parsed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

#: Why the agent would attend or stay away: ``ready`` (readiness above the
#: attendance threshold), ``not_ready`` (at or below it), ``dprk_suspended``
#: (the DPRK has suspended its participation: readiness 0).
ATTEND_REASONS: tuple[str, ...] = ("ready", "not_ready", "dprk_suspended")

#: Why the agent would accept, amend or reject the draft:
#: ``worth_signing`` (the draft is worth at least walking away),
#: ``trust_too_low`` (worth it, but a joint document binds to paired steps and
#: trust in the counterpart is below ``commitment_trust``),
#: ``below_walking_away`` (worth less than walking away: amend where it costs
#: most), ``far_beyond_radius`` (so far from the position that it is rejected).
RESPOND_REASONS: tuple[str, ...] = (
    "worth_signing",
    "trust_too_low",
    "below_walking_away",
    "far_beyond_radius",
)


@dataclass(frozen=True)
class SeatBriefing:
    """What a delegation sees before a session it is invited to.

    Everything is as the chair tables the first draft of the session: the
    month's events, drift and implementation have happened, nobody has
    decided to attend yet.  Positions and texts are on the issue scales of
    :data:`sixparty.scenario.ISSUE_SCALES`, each in [0, 1]; utilities are on
    the parties' utility scale (1 = the text is my position), <= 1.

    Attributes:
        party: the seated party's key.
        month: ``YYYY-MM`` of the session.
        session: the session's number (1-based, the model's own count).
        invited_by: ``chair`` | ``scenario`` | ``recess``.
        target: the document level the chair aims at (``joint_statement`` or
            ``joint_document``).
        issues: the issue keys, in :data:`sixparty.scenario.ISSUES` order.
        parties: the party keys, in :data:`sixparty.scenario.PARTIES` order.
        draft: (n_issues,) the chair's draft.
        positions: (6, n_issues) every party's position, rows in ``parties`` order.
        salience: (n_issues,) the seated party's salience on each issue, in [0, 1].
        u_accept: utility of signing the draft at the target level.
        u_amend: utility of the draft with the party's best amendment taken
            in under the session's rules (``amended_draft``), signed at the
            target level; equals ``u_accept`` when no amendment helps.  Under
            the expected-utility session the amended issue is the chair's next
            draft of it, after the round in which the party holds its ask;
            under the fixed-share session the amendment pulls the text by the
            party's weight.
        amend_issue, amend_to: that amendment, the issue and the position
            asked for (None when none helps).
        amended_draft: (n_issues,) the text with that amendment.
        u_walk_away: the party's disagreement value (utility of no agreement).
        readiness, attend_threshold: the agent's readiness to attend before
            noise, and the threshold it must exceed.
        recommend_attend, attend_reason: the agent's attendance (without its
            noise draw) and its reason code (:data:`ATTEND_REASONS`).
        recommend, recommend_issue, reason: the agent's response to the draft
            (``accept`` | ``amend`` | ``reject``), the issue of an amendment,
            and its reason code (:data:`RESPOND_REASONS`).
        commitment_trust, trust_needed: the party's trust in whoever performs
            the other half of its steps, and the least a joint document needs
            (None when the target is not a joint document).
    """

    party: str
    month: str
    session: int
    invited_by: str
    target: str
    issues: tuple[str, ...]
    parties: tuple[str, ...]
    draft: tuple[float, ...]
    positions: tuple[tuple[float, ...], ...]
    salience: tuple[float, ...]
    u_accept: float
    u_amend: float
    amend_issue: str | None
    amend_to: float | None
    amended_draft: tuple[float, ...]
    u_walk_away: float
    readiness: float
    attend_threshold: float
    recommend_attend: bool
    attend_reason: str
    recommend: str
    recommend_issue: str | None
    reason: str
    commitment_trust: float
    trust_needed: float | None

    def position(self, party: str) -> tuple[float, ...]:
        """(n_issues,) ``party``'s position."""
        return self.positions[self.parties.index(party)]

    def rows(self) -> list[dict]:
        """One row per issue: ``issue``, ``draft``, ``own`` (the seated
        party's position), ``gap`` (draft - own), ``salience``, and each
        other party's position under its key; the amended issue's row has
        ``amended`` (the text after the best amendment), others None."""
        me = self.parties.index(self.party)
        out = []
        for k, issue in enumerate(self.issues):
            row = {
                "issue": issue,
                "draft": self.draft[k],
                "own": self.positions[me][k],
                "gap": self.draft[k] - self.positions[me][k],
                "salience": self.salience[k],
                "amended": self.amended_draft[k] if issue == self.amend_issue else None,
            }
            for j, key in enumerate(self.parties):
                if j != me:
                    row[key] = self.positions[j][k]
            out.append(row)
        return out


@dataclass(frozen=True)
class Due:
    """One step of the action-for-action ledger, as a seat is shown it.

    party: who owes it; kind: ``dprk_action`` | ``aid`` | ``delisting``;
    phase: the phase's name; tranche: 1-based; amount: share of
    denuclearization progress (``dprk_action``), HFO-equivalent tonnes
    (``aid``) or 1 (``delisting``); delivered: of ``amount``; due: ``YYYY-MM``;
    owed: the counterpart has done its part (reciprocity), so it is owed now;
    overdue: owed and past its due month.
    """

    party: str
    kind: str
    phase: str
    tranche: int
    amount: float
    delivered: float
    due: str
    owed: bool
    overdue: bool

    @property
    def remaining(self) -> float:
        return max(0.0, self.amount - self.delivered)


@dataclass(frozen=True)
class ImplementationBriefing:
    """What a delegation sees while a phase is implemented: its own open
    steps (``mine``) and those of its counterparts (``theirs``: for the DPRK
    every provider's aid and the delisting, for the others the DPRK's
    steps), each in ledger order; ``month``: ``YYYY-MM`` now; ``phase``: the
    phase in force, or None."""

    party: str
    month: str
    phase: str | None
    mine: tuple[Due, ...]
    theirs: tuple[Due, ...]


def counterparts(party: str, dprk: str = "DPRK") -> Callable[[str], bool]:
    """Whose steps are ``party``'s counterparts' under action for action: the
    DPRK's counterparts are everyone else; everyone else's is the DPRK."""
    if party == dprk:
        return lambda other: other != dprk
    return lambda other: other == dprk


def split_dues(party: str, dues: Iterable[Due], dprk: str = "DPRK") -> tuple[tuple, tuple]:
    """``(mine, theirs)``: the open dues of ``party`` and of its counterparts
    (:func:`counterparts`), in the order given."""
    theirs_ok = counterparts(party, dprk)
    dues = [d for d in dues if d.remaining > 0]
    return (
        tuple(d for d in dues if d.party == party),
        tuple(d for d in dues if d.party != party and theirs_ok(d.party)),
    )


def attend_reason(readiness: float, threshold: float, dprk_suspended: bool) -> str:
    """The reason code (:data:`ATTEND_REASONS`) of the agent's attendance."""
    if dprk_suspended:
        return "dprk_suspended"
    return "ready" if readiness > threshold else "not_ready"


def respond_reason(
    verdict: str, utility: float, walk_away: float, trust: float, trust_needed: float | None
) -> str:
    """The reason code (:data:`RESPOND_REASONS`) of the agent's ``verdict``
    on a draft worth ``utility`` against a disagreement value ``walk_away``,
    with ``trust`` in the counterpart and ``trust_needed`` (None: no trust
    test, the target is not a joint document).

    Raises:
        ValueError: an unknown verdict.
    """
    if verdict == "accept":
        return "worth_signing"
    if verdict == "reject":
        return "far_beyond_radius"
    if verdict != "amend":
        raise ValueError(f"verdict must be accept, amend or reject, not {verdict!r}")
    if utility >= walk_away and trust_needed is not None and trust < trust_needed:
        return "trust_too_low"
    return "below_walking_away"


def best_amendment(
    draft: Sequence[float],
    utility: Callable[[Sequence[float]], float],
    amended: Callable[[int, float], Sequence[float]],
    asks: Callable[[int], Iterable[float]],
    n_issues: int,
) -> tuple[float, int | None, float | None, tuple[float, ...]]:
    """The amendment worth most to the party: over every issue k and every
    ask v in ``asks(k)``, the text ``amended(k, v)`` valued by ``utility``.

    Returns ``(utility, issue, ask, text)``; when no amendment is worth more
    than the draft itself, ``(utility(draft), None, None, draft)``.  Ties go
    to the first issue, then the first ask (deterministic).
    """
    best_u = float(utility(draft))
    best: tuple[int | None, float | None, tuple[float, ...]] = (None, None, tuple(draft))
    for k in range(n_issues):
        for v in asks(k):
            text = tuple(float(x) for x in amended(k, float(v)))
            u = float(utility(text))
            if u > best_u + 1e-12:
                best_u, best = u, (k, float(v), text)
    return best_u, best[0], best[1], best[2]


__all__ = [
    "ATTEND_REASONS",
    "RESPOND_REASONS",
    "Due",
    "ImplementationBriefing",
    "SeatBriefing",
    "attend_reason",
    "best_amendment",
    "counterparts",
    "respond_reason",
    "split_dues",
]
