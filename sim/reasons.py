"""Reason codes: why the model took a decision, and what a session's notes say.

Every reason the model records is a sequence of clauses, and every clause is a
record: a stable snake_case code from :data:`REASONS` and the values its
fields declare (numbers, party keys, months, document levels, step ids).  The
English text of ``decisions.csv`` ``reason`` and ``sessions.csv`` ``notes`` is
*rendered* from these records (:func:`render`: clauses joined by ``"; "``), and
the records themselves are written beside it (``reason_codes`` /
``reason_values``, ``note_codes`` / ``note_values``: :func:`codes_text`,
:func:`values_json`), so a reader in another language translates the codes
(:mod:`sixparty.analysis.narrate` has a Chinese template for each) and never
parses English.  The same idea as the seat's codes
(:data:`sixparty.seat.ATTEND_REASONS`, :data:`sixparty.seat.RESPOND_REASONS`).

Pure data and pure functions: no I/O, no model import.

Values are kept as the reason shows them: a ``number`` or ``signed`` field is
rounded to the two decimals its text prints (so the codes are as reproducible
as the text, and the text rendered from a record read back is the same), a
``count`` is an int, a ``parameter`` keeps the parameter's value (shown with
``:g``).  Field kinds (:data:`FIELD_KINDS`):

- ``number``: a float shown with two decimals (``0.43``);
- ``fine``: a float shown with three decimals (``0.290``), for comparisons decided
  by less than the two decimals would show (the walk-out's);
- ``margin``: a small positive float shown with two significant digits
  (``0.00028``): by how much a comparison was decided;
- ``signed``: a float shown with two decimals and its sign (``+0.05``);
- ``signed_fine``: a float shown with three decimals and its sign (``+0.012``), for
  changes of the walk-out's values (decided by less than two decimals show);
- ``parameter``: a parameter's value shown with ``:g`` (``0.5``);
- ``count``: an int (a phase's or a tranche's 1-based number, a count of drafts);
- ``party``: a party key (:data:`sixparty.scenario.PARTIES`);
- ``parties``: party keys, shown joined by ``", "``;
- ``month``: ``YYYY-MM``;
- ``level``: a document level (``joint_statement``), shown with spaces;
- ``step``: a step id of the scenario (``security_assurance``), shown as it is;
- ``facilities``: facility names of the scenario's phases, shown joined by ``", "``;
- ``stall``: why the phase in force stalled, one of :data:`STALL_REASONS`;
- ``concessions``: ``(party, count)`` pairs, shown ``DPRK 2, US 1``;
- ``sources``: ``(source, month, change)`` triples, shown ``iraq_war_2003 (2003-03)
  +0.100, nuclear_test (2006-10) +0.120``: what moved a value (an event id, or
  ``missile_test`` / ``nuclear_test``), when, and by how much (three decimals, signed);
- ``events``: event ids of the scenario, shown joined by ``", "``;
- ``term_changes``: ``(term, signed)`` pairs, a term of the DPRK's readiness
  (:data:`READINESS_TERMS`) and its change rounded to two decimals, shown
  ``grievance -0.21, sanctions -0.20`` (``none of 0.01 or more`` when empty).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sixparty.scenario import PARTIES

__all__ = [
    "FIELD_KINDS",
    "READINESS_TERMS",
    "REASONS",
    "STALL_REASONS",
    "Clause",
    "ReasonCode",
    "clause",
    "clauses_from",
    "codes_text",
    "render",
    "render_value",
    "values_json",
]

#: The kinds of a reason's values (see the module docstring).
FIELD_KINDS: tuple[str, ...] = (
    "number",
    "fine",
    "margin",
    "signed",
    "parameter",
    "count",
    "party",
    "parties",
    "month",
    "level",
    "step",
    "facilities",
    "stall",
    "concessions",
    "signed_fine",
    "term_changes",
    "events",
    "sources",
)

#: The terms of the DPRK's readiness to attend, in the order they are summed
#: (:meth:`sixparty.parties.DPRK.attend_terms`, whose ``ATTEND_TERMS`` this is), and
#: how the English text names them (as the ``readiness_terms`` clause does).
READINESS_TERMS: dict[str, str] = {
    "base": "base",
    "trust_china": "trust in China",
    "trust_us": "trust in US",
    "shuttle": "China's shuttle",
    "sanctions": "sanctions",
    "grievance": "grievance",
    "outside": "outside option vs neutral",
    "contact": "US contact",
    "arrears": "overdue steps owed to it",
}

#: Why the chair found the phase in force stalled
#: (:meth:`sixparty.parties.China.phase_stalled`): ``dprk_suspended`` (the DPRK
#: has suspended its steps), ``overdue_counterpart`` (a step owed to the DPRK
#: more than a month overdue), ``overdue_dprk`` (a DPRK step owed and past due).
STALL_REASONS: tuple[str, ...] = ("dprk_suspended", "overdue_counterpart", "overdue_dprk")

#: How the English text tells each stall reason (the code stays in ``reason_values``).
STALL_TEXT: dict[str, str] = {
    "dprk_suspended": "the DPRK had suspended its steps",
    "overdue_counterpart": "a step owed to the DPRK was overdue",
    "overdue_dprk": "a DPRK step was overdue",
}


@dataclass(frozen=True)
class ReasonCode:
    """One clause a reason can have.

    code: the stable snake_case name; fields: ``(name, kind)`` pairs in order,
    kinds from :data:`FIELD_KINDS`; en: the English template (``str.format``
    with the fields' shown values); meaning: when the model records it.
    """

    code: str
    fields: tuple[tuple[str, str], ...]
    en: str
    meaning: str

    @functools.cached_property
    def field_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.fields)

    @functools.cached_property
    def field_set(self) -> frozenset[str]:
        """The field names as a set (:func:`clause` checks a clause's values against it)."""
        return frozenset(self.field_names)


def _code(code: str, fields: str, en: str, meaning: str) -> ReasonCode:
    pairs = tuple(tuple(f.split(":")) for f in fields.split()) if fields else ()
    return ReasonCode(code, pairs, en, meaning)  # type: ignore[arg-type]


#: Every reason code, in the order of the decisions and notes they explain.
REASONS: dict[str, ReasonCode] = {
    r.code: r
    for r in (
        # --- the DPRK's stance (walks_out, returns, suspends_participation)
        _code(
            "readiness",
            "readiness:number sanctions:number trust_in_us:number grievance:number",
            "readiness {readiness} (sanctions {sanctions}, trust in US {trust_in_us}, "
            "grievance {grievance})",
            "the DPRK's readiness to attend (DPRK.attend_score) and the state it is made of",
        ),
        _code(
            "readiness_terms",
            "base:signed trust_china:signed trust_us:signed shuttle:signed sanctions:signed "
            "grievance:signed outside:signed contact:signed arrears:signed threshold:parameter "
            "margin:margin",
            "readiness terms: base {base}, trust in China {trust_china}, trust in US "
            "{trust_us}, China's shuttle {shuttle}, sanctions {sanctions}, grievance "
            "{grievance}, outside option vs neutral {outside}, US contact {contact}, overdue "
            "steps owed to it {arrears}; threshold {threshold} (by {margin})",
            "suspends_participation / returns: the signed terms whose sum (clipped to [0, 1]) "
            "is the readiness (DPRK.attend_terms), and the threshold it was compared with "
            "(suspend_threshold, resume_threshold or return_threshold)",
        ),
        _code(
            "readiness_change",
            "readiness:signed changes:term_changes",
            "since last month readiness {readiness} (largest changes of its terms: {changes})",
            "suspends_participation / returns / boycotts: how the DPRK's readiness moved since "
            "the end of the previous month (timeline.csv's previous dprk_readiness) and the "
            "terms of it (DPRK.attend_terms) that moved most, at most three of those that "
            "moved by 0.01 or more, largest first (DPRK.readiness_change)",
        ),
        _code(
            "talks_value_change",
            "outside:signed_fine talks_value:signed_fine performance:signed_fine "
            "text_utility:signed_fine relief:signed_fine",
            "since last month outside option {outside}, talks' value {talks_value} "
            "(performance {performance}, utility of the text {text_utility}, sanctions relief "
            "{relief})",
            "walks_out / returns after a walk-out: how the two values the walk-out compares, "
            "and the parts of the talks' value, moved since the end of the previous month "
            "(DPRK.talks_value_change)",
        ),
        _code(
            "outside_option_above_talks",
            "outside:fine talks_value:fine margin:margin performance:fine text_utility:fine "
            "relief:fine",
            "outside option {outside} above the talks' value {talks_value} (by {margin}) = "
            "performance {performance} x (utility of the text {text_utility} + sanctions "
            "relief {relief})",
            "walks_out: the DPRK's outside option beats the talks' value "
            "V_T = P (u + relief) (DPRK.prefers_outside, DPRK.talks_value); relief = "
            "dprk_outside_sanctions x the text's sanctions relief x sanctions",
        ),
        _code(
            "outside_option_sources",
            "start:fine sources:sources",
            "the outside option is its start {start} plus {sources}",
            "walks_out: every change of the DPRK's outside option in this run, in order: the "
            "typed outside_option effects of events (by event id) and its own tests (by kind "
            "and month), each as applied (after the cap at 1)",
        ),
        _code(
            "outside_option_below_talks",
            "outside:fine talks_value:fine margin:margin performance:fine text_utility:fine "
            "relief:fine",
            "outside option {outside} below the talks' value {talks_value} (by {margin}) = "
            "performance {performance} x (utility of the text {text_utility} + sanctions "
            "relief {relief})",
            "returns after a walk-out: the talks' value beats the outside option again",
        ),
        # --- the DPRK's tests (missile_test, nuclear_test)
        _code(
            "pressure_above_threshold",
            "pressure:number threshold:number",
            "pressure {pressure} above threshold {threshold}",
            "a test: the DPRK's pressure above parameters.test_threshold",
        ),
        _code(
            "test_outside_option_gains",
            "missile:signed nuclear:signed programme:number",
            "outside option net of sanctions from a missile test {missile}, from a nuclear "
            "test {nuclear} (programme {programme})",
            "a test: what each kind of test adds to the outside option net of the sanctions it draws",
        ),
        _code(
            "test_outside_option_gain_missile",
            "missile:signed",
            "outside option net of sanctions from a missile test {missile}",
            "a test: what a missile test adds to the outside option net of its sanctions",
        ),
        _code(
            "nuclear_test_infeasible",
            "programme:number",
            "a nuclear test infeasible (programme {programme})",
            "a test: the programme is too far disabled for a nuclear test",
        ),
        _code(
            "test_outside_option_above_talks",
            "outside:number talks_value:number",
            "outside option {outside} above the talks' value {talks_value}",
            "a test while participating: the outside option after it beats the talks' value",
        ),
        _code(
            "test_propensity",
            "probability:fine escalation:parameter slope:parameter excess:number draw:fine",
            "test propensity {probability} = escalation {escalation} x slope {slope} x "
            "pressure above threshold {excess}; the replicate's draw {draw} fell below it",
            "a test: the chance of testing this month (DPRK.choose_test, step 4: "
            "strategy.escalation x parameters.test_probability_slope x (pressure - "
            "test_threshold)) and the uniform draw that decided it",
        ),
        # --- what the month's events changed (explanation only: no decision reads them)
        _code(
            "month_events",
            "events:events",
            "this month's events with typed effects: {events}",
            "a DPRK decision on its participation, a walk-out or a test: the scenario's events "
            "dated this month whose typed effects moved the state before the decision (their "
            "effects are in the scenario file; the decision itself reads only the state)",
        ),
        # --- attendance (boycotts)
        _code(
            "declined_invitation",
            "readiness:number draw:signed threshold:parameter",
            "declined the invitation (readiness {readiness}, noise {draw}: not above {threshold})",
            "boycotts: readiness plus noise at or below parameters.attend_threshold",
        ),
        _code(
            "declined_participation_suspended",
            "",
            "declined the invitation (its participation suspended)",
            "boycotts: the DPRK has suspended its participation (suspends_participation) "
            "and attends nothing until it returns",
        ),
        # --- the DPRK's steps (suspends_steps, resumes_steps, restores_facilities)
        _code(
            "own_order",
            "",
            "the delegation's own order",
            "suspends_steps / resumes_steps / boycotts / returns: a person at the party's seat "
            "ordered it (a DPRK ordered to attend returns to the talks and neither suspends "
            "its participation nor walks out)",
        ),
        _code(
            "overdue_delisting",
            "phase:count due:month",
            "overdue_delisting: the US delisting of phase {phase} due {due}",
            "suspends_steps: the US delisting is overdue",
        ),
        _code(
            "overdue_aid",
            "tranche:count phase:count due:month short:parties",
            "overdue_aid: aid tranche {tranche} of phase {phase} due {due}, short: {short}",
            "suspends_steps: an aid tranche is overdue (not substantially delivered)",
        ),
        _code(
            "overdue_commitment",
            "party:party step:step phase:count due:month",
            "overdue_commitment: the {party} {step} of phase {phase} due {due}",
            "suspends_steps: a counterpart's commitment is overdue",
        ),
        _code(
            "trust_in_us",
            "trust:number",
            "trust in US {trust}",
            "suspends_steps / resumes_steps: the DPRK's trust in the US against "
            "parameters.suspend_steps_trust / resume_steps_trust",
        ),
        _code(
            "overdue_steps_performed",
            "",
            "overdue steps performed",
            "resumes_steps: the counterpart steps it suspended over were performed",
        ),
        _code(
            "overdue_steps_renegotiated",
            "",
            "overdue steps re-dated or superseded by a renegotiation",
            "resumes_steps: the counterpart steps it suspended over were re-dated or "
            "superseded by a later session, not performed",
        ),
        _code(
            "overdue_steps_superseded",
            "phase:count adopted:count",
            "overdue steps superseded: phase {phase} superseded by phase {adopted}",
            "resumes_steps: a joint document adopted a new phase (phase adopted), superseding "
            "the phase it had suspended its steps under (phase): the steps it suspended over "
            "are no longer owed",
        ),
        # --- the DPRK's steps (reverses_steps)
        _code(
            "progress_undone",
            "undone:fine phase:count",
            "undid {undone} of denuclearization progress under phase {phase}",
            "reverses_steps: the progress the DPRK undid this month (DPRK.reverses_steps: "
            "parameters.reversal_rate, or what was left to undo), from the latest performed "
            "steps of the phase in force",
        ),
        _code(
            "tranche_reopened",
            "tranche:count phase:count",
            "tranche {tranche} of phase {phase} re-opened",
            "reverses_steps: a DPRK tranche no longer complete after the reversal, to be "
            "performed again (its facilities restored: restores_facilities)",
        ),
        _code(
            "trust_in_us_below",
            "trust:fine threshold:parameter margin:margin",
            "steps suspended and trust in US {trust} below {threshold} (by {margin})",
            "reverses_steps: its steps suspended and its trust in the US below "
            "parameters.reverse_steps_trust",
        ),
        _code(
            "facilities_restored",
            "facilities:facilities trust_in_us:fine threshold:parameter margin:margin",
            "{facilities} restored to operating (suspended, trust in US {trust_in_us} below "
            "{threshold} by {margin})",
            "restores_facilities: steps suspended and trust in the US below "
            "parameters.reverse_steps_trust",
        ),
        # --- an aid provider's line (withholds_aid, resumes_aid)
        _code(
            "line_denuclearization_first",
            "progress:number",
            "its government's line: no aid before denuclearization is complete (progress "
            "{progress})",
            "withholds_aid: the ROK's hard line delivers aid only once denuclearization is "
            "complete (ROK.aid_hold)",
        ),
        _code(
            "line_abductee_linkage",
            "",
            "its abductee linkage: no aid before the abduction issue is settled",
            "withholds_aid: Japan's abductee linkage holds its aid (Japan.aid_hold)",
        ),
        _code(
            "line_allows_aid",
            "",
            "its line no longer holds the aid",
            "resumes_aid: the line that held an owed aid step has changed or its condition is met",
        ),
        # --- the US (delists)
        _code(
            "verification_beyond_text",
            "demand:number agreed:number radius:number",
            "its verification demand {demand} beyond the agreed text's {agreed} by more than "
            "its radius {radius}",
            "withholds_delisting: the US's verification position lies beyond the agreed text's "
            "by more than its win-set radius (UnitedStates.delisting_hold)",
        ),
        _code(
            "declaration_and_verification_done",
            "",
            "declaration done and verification satisfied",
            "delists: the declaration is made and the agreed verification satisfies the US",
        ),
        # --- a session's end (sessions.csv notes)
        _code(
            "deadlock_chair_bound",
            "drafts:count",
            "deadlock: the chair's bound of {drafts} drafts",
            "a session ends in deadlock at parameters.max_iterations drafts",
        ),
        _code(
            "deadlock_no_new_acceptance",
            "drafts:count",
            "deadlock: no new acceptance in {drafts} drafts",
            "a session ends in deadlock: the chair's patience (parameters.chair_patience) ran out",
        ),
        _code(
            "win_set_bounds",
            "moves:concessions",
            "moves stopped at the win-set's edge: {moves}",
            "expected-utility moves cut where an offer would fall below the party's "
            "disagreement value from its anchor (parameters.offers_within_win_set)",
        ),
        _code(
            "zopa_drafts",
            "moved:count empty:count",
            "drafts moved into the zone of possible agreement: {moved}; with the zone empty: {empty}",
            "drafts the chair moved from the forecast to the nearest text all six accept, and "
            "drafts for which no such text was found (parameters.chair_drafts_in_zopa)",
        ),
        _code(
            "zeuthen_concessions",
            "concessions:concessions",
            "Zeuthen concessions: {concessions}",
            "concessions by Zeuthen's principle in the session (parameters.zeuthen_dprk_us)",
        ),
        _code(
            "holdouts",
            "level:level parties:parties",
            "holdouts on a {level}: {parties}",
            "the parties that did not accept the final text at the chair's target level",
        ),
        # --- what a joint document did to the ledger (sessions.csv notes)
        _code(
            "phase_superseded",
            "phase:count open_steps:count",
            "phase {phase} superseded ({open_steps} open steps)",
            "a joint document adopting a new phase closes the phase in force",
        ),
        _code(
            "commitment_refused",
            "step:step party:party",
            "no {step} owed by {party} (its stated line)",
            "a party's stated line refuses a commitment the text names",
        ),
        _code(
            "aid_pledge_refused",
            "parties:parties",
            "no aid pledged by {parties} (its stated line)",
            "providers whose stated line refuses to pledge aid",
        ),
        _code(
            "phase_renegotiated",
            "",
            "the phase in force renegotiated: open steps re-dated",
            "a joint document reopens the stalled phase in force",
        ),
        _code(
            "phase_reopened",
            "stall:stall",
            "reopened: {stall}",
            "why the phase in force was reopened (STALL_REASONS)",
        ),
        _code(
            "phase_reaffirmed",
            "",
            "the phase in force reaffirmed: performed on time",
            "a joint document that covers no new phase, the phase in force on time",
        ),
        _code(
            "no_phase_covered",
            "",
            "the text covers no phase's terms: nothing adopted",
            "a joint document whose text meets no phase's terms, none in force",
        ),
    )
}


@dataclass(frozen=True)
class Clause:
    """One clause of a reason: its code and its values, ``(name, value)`` in
    the code's field order.  ``str(clause)`` is its English text."""

    code: str
    values: tuple[tuple[str, object], ...] = ()

    def as_dict(self) -> dict:
        """The values as a dict (lists for the sequence kinds), as in ``reason_values``."""
        return {k: _jsonable(v) for k, v in self.values}

    def __str__(self) -> str:
        return render_clause(self)


def _jsonable(v):
    if isinstance(v, tuple):
        return [_jsonable(x) for x in v]
    return v


def _two(x) -> float:
    """``x`` as its two-decimal text shows it (``0.4321`` -> ``0.43``)."""
    return float(f"{float(x):.2f}")


def _normalise(kind: str, name: str, v):
    if kind in ("number", "signed"):
        return _two(v)
    if kind == "fine":
        return float(f"{float(v):.3f}")
    if kind == "margin":
        return float(f"{float(v):.2g}")
    if kind == "parameter":
        return float(v)
    if kind == "count":
        return int(v)
    if kind in ("party", "month", "level", "step", "stall"):
        v = str(v)
        if kind == "party" and v not in PARTIES:
            raise ValueError(f"reason field {name!r}: {v!r} is not a party key")
        if kind == "stall" and v not in STALL_REASONS:
            raise ValueError(f"reason field {name!r}: {v!r} is not one of {STALL_REASONS}")
        return v
    if kind in ("parties", "facilities", "events"):
        out = tuple(str(x) for x in v)
        if kind == "parties" and any(p not in PARTIES for p in out):
            raise ValueError(f"reason field {name!r}: {out!r} are not all party keys")
        return out
    if kind == "signed_fine":
        return float(f"{float(v):.3f}")
    if kind == "concessions":
        return tuple((str(k), int(n)) for k, n in v)
    if kind == "sources":
        return tuple((str(k), str(mo), float(f"{float(d):.3f}")) for k, mo, d in v)
    if kind == "term_changes":
        out = tuple((str(k), _two(d)) for k, d in v)
        if any(k not in READINESS_TERMS for k, _ in out):
            raise ValueError(f"reason field {name!r}: {out!r} names a term not in READINESS_TERMS")
        return out
    raise ValueError(f"unknown field kind {kind!r}")  # pragma: no cover (table checked by tests)


def clause(code: str, **values) -> Clause:
    """The clause ``code`` with its values (exactly the code's fields).

    Raises ValueError for an unknown code, a missing or unknown field, or a
    value that is not of its kind (a party key that is not one, a stall reason
    not in :data:`STALL_REASONS`).
    """
    try:
        rc = REASONS[code]
    except KeyError:
        raise ValueError(f"unknown reason code {code!r}") from None
    if values.keys() != rc.field_set:
        raise ValueError(
            f"reason code {code!r} takes the fields {list(rc.field_names)}, got {sorted(values)}"
        )
    return Clause(code, tuple((n, _normalise(k, n, values[n])) for n, k in rc.fields))


def render_value(kind: str, v) -> str:
    """A value as the English text shows it."""
    if kind == "number":
        return f"{v:.2f}"
    if kind == "fine":
        return f"{v:.3f}"
    if kind == "margin":
        return f"{v:.2g}"
    if kind == "signed":
        return f"{v:+.2f}"
    if kind == "parameter":
        return f"{v:g}"
    if kind == "level":
        return str(v).replace("_", " ")
    if kind == "stall":
        return STALL_TEXT.get(v, str(v))
    if kind in ("parties", "facilities", "events"):
        return ", ".join(v)
    if kind == "signed_fine":
        return f"{v:+.3f}"
    if kind == "concessions":
        return ", ".join(f"{k} {n}" for k, n in v)
    if kind == "sources":
        return ", ".join(f"{k} ({mo}) {d:+.3f}" for k, mo, d in v) if v else "nothing"
    if kind == "term_changes":
        if not v:
            return "none of 0.01 or more"
        return ", ".join(f"{READINESS_TERMS[k]} {d:+.2f}" for k, d in v)
    return str(v)


def render_clause(c: Clause) -> str:
    """One clause in English (:attr:`ReasonCode.en`)."""
    rc = REASONS[c.code]
    kinds = dict(rc.fields)
    return rc.en.format(**{n: render_value(kinds[n], v) for n, v in c.values})


def _as_clauses(reason: Clause | Iterable[Clause]) -> tuple[Clause, ...]:
    return (reason,) if isinstance(reason, Clause) else tuple(reason)


def render(reason: Clause | Iterable[Clause]) -> str:
    """A reason's English text: its clauses joined by ``"; "`` (``""`` for none)."""
    return "; ".join(render_clause(c) for c in _as_clauses(reason))


def codes_text(reason: Clause | Iterable[Clause]) -> str:
    """The clauses' codes joined by ``";"`` (``reason_codes``; ``""`` for none)."""
    return ";".join(c.code for c in _as_clauses(reason))


def values_json(reason: Clause | Iterable[Clause]) -> str:
    """The clauses' values as compact JSON, a list of one object per clause in
    the order of the codes, fields in their declared order (``reason_values``;
    ``[]`` for none).  Deterministic: same record, same bytes."""
    return json.dumps(
        [c.as_dict() for c in _as_clauses(reason)], separators=(",", ":"), ensure_ascii=False
    )


def _zero_signs(values, out: list) -> None:
    """The signs of the float zeros in ``values`` (nested tuples), in order."""
    for v in values:
        if type(v) is float:
            if v == 0.0:
                out.append(math.copysign(1.0, v) < 0.0)
        elif type(v) is tuple:
            _zero_signs(v, out)


def texts(reason: Clause | Iterable[Clause], cache: dict | None = None) -> tuple[str, str, str]:
    """``(render(reason), codes_text(reason), values_json(reason))`` - a run's
    rows need the three - looked up in ``cache`` (a dict kept by the caller) when
    an equal reason was written before: the same code, equal values and the same
    signs of its zeros (``-0.0 == 0.0`` but they are written differently), so the
    texts are the ones the reason itself gives, byte for byte."""
    clauses = _as_clauses(reason)
    if cache is None:
        return render(clauses), codes_text(clauses), values_json(clauses)
    signs: list = []
    for c in clauses:
        _zero_signs(c.values, signs)
    key = (clauses, tuple(signs))
    out = cache.get(key)
    if out is None:
        out = cache[key] = (render(clauses), codes_text(clauses), values_json(clauses))
    return out


def clauses_from(codes: str, values: str | Sequence[Mapping]) -> tuple[Clause, ...]:
    """The clauses of a row read back: ``codes`` as :func:`codes_text` writes
    them, ``values`` as :func:`values_json` writes them (or already parsed).

    Raises ValueError when they do not fit together or a code is unknown (a
    run folder written by a newer version, or edited by hand).
    """
    names = [c for c in str(codes or "").split(";") if c]
    if isinstance(values, str):
        try:
            parsed = json.loads(values) if values.strip() else []
        except json.JSONDecodeError as exc:
            raise ValueError(f"reason values are not JSON ({exc})") from None
    else:
        parsed = list(values)
    if not isinstance(parsed, list) or len(parsed) != len(names):
        raise ValueError(f"{len(names)} reason codes but values {values!r}")
    out = []
    for name, vals in zip(names, parsed, strict=True):
        if not isinstance(vals, dict):
            raise ValueError(f"reason code {name!r}: values {vals!r} are not an object")
        out.append(clause(name, **vals))
    return tuple(out)
