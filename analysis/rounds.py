"""The model's sessions named as the model's own, and matched to history's rounds.

The model counts its sessions (invitations, held or boycotted) in its own
order: ``session 7, 2006-02``.  Its internal ``round``/``phase`` counters are
not history's rounds (a model that meets monthly reaches "round 14" where
history had six rounds, 第一轮..第六轮), so they are never shown as rounds.
Where a *held* simulated session falls near a recorded session of
``analysis/data/record.yaml`` it is labelled with it: ``≈ Round 4, phase 2``.

Matching rule (the validation's session rule, ``docs/validation.md``): a
recorded session is matched to a simulated held session whose month lies
within ±:data:`SESSION_TOLERANCE` months of the recorded months (distance 0
inside ``start..end``).  Recorded sessions are taken in date order; each takes
the nearest still-unmatched simulated session (the earlier on a tie):
greedy, one-to-one.  So two simulated sessions near one recorded round: the
nearer one is labelled, the other is not.  :func:`match_sessions` is written
apart from :mod:`sixparty.analysis.scorecard` so the two can be reconciled;
it takes only months, no run tables.

The record is read here, in ``analysis/``; ``sim/`` never reads it (the
``sixparty run`` summary receives :func:`session_labeller` from the command's
edge).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sixparty.analysis.i18n import check_lang

__all__ = [
    "SESSION_TOLERANCE",
    "RecordedSession",
    "SessionLabel",
    "match_sessions",
    "recorded_sessions",
    "session_labeller",
    "session_labels",
]

#: Months either side of a recorded session within which a simulated session matches it
#: (the validation's session tolerance).
SESSION_TOLERANCE = 1


@dataclass(frozen=True)
class RecordedSession:
    """A session of the record: ``id``, labels ``en``/``zh``, ``start``/``end`` months ``YYYY-MM``."""

    id: str
    en: str
    zh: str
    start: str
    end: str

    def label(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" and self.zh else self.en


@dataclass(frozen=True)
class SessionLabel:
    """A simulated session's name.

    number: 1-based, in the model's order of invitations; month ``YYYY-MM``;
    round: the matched recorded session, or None.
    """

    number: int
    month: str
    round: RecordedSession | None = None

    def own(self, lang: str = "en") -> str:
        """``session 7, 2006-02`` / ``第7次会议（2006年2月）``."""
        if lang == "zh":
            y, m = self.month.split("-")
            return f"第{self.number}次会议（{int(y)}年{int(m)}月）"
        return f"session {self.number}, {self.month}"

    def history(self, lang: str = "en") -> str:
        """``≈ Round 4, phase 2 (9.19 joint statement)``, or empty when unmatched."""
        return f"≈ {self.round.label(lang)}" if self.round is not None else ""

    def text(self, lang: str = "en") -> str:
        """Both: ``session 7, 2006-02 ≈ Round 4, phase 2``."""
        h = self.history(lang)
        if not h:
            return self.own(lang)
        return f"{self.own(lang)}{'' if lang == 'zh' else ' '}{h}"


def _month_number(month: str | int) -> int:
    if isinstance(month, int):
        return month
    y, m = str(month)[:7].split("-")
    return int(y) * 12 + int(m) - 1


def _dist(m: int, lo: int, hi: int) -> int:
    return 0 if lo <= m <= hi else (lo - m if m < lo else m - hi)


def match_sessions(
    simulated_months: Sequence[str | int],
    recorded: Sequence[RecordedSession],
    tolerance: int = SESSION_TOLERANCE,
) -> list[int | None]:
    """Match simulated sessions to recorded ones by date (greedy, one-to-one).

    simulated_months: the month (``YYYY-MM`` or a month number, year*12+month-1)
    of each simulated session to consider (pass held sessions only).
    recorded: the recorded sessions (any order).  tolerance: months, ≥ 0.
    Returns, per simulated session (in the given order), the index into
    ``recorded`` of its match, or None.  Rule: see the module docstring.
    Raises ValueError for a negative tolerance or a malformed month.
    """
    if tolerance < 0:
        raise ValueError(f"tolerance must be >= 0 months, got {tolerance}")
    sims = [_month_number(m) for m in simulated_months]
    spans = [(_month_number(r.start), _month_number(r.end)) for r in recorded]
    out: list[int | None] = [None] * len(sims)
    for i in sorted(range(len(spans)), key=lambda i: spans[i]):
        lo, hi = spans[i]
        best: tuple[tuple[int, int, int], int] | None = None
        for j, m in enumerate(sims):
            if out[j] is not None:
                continue
            d = _dist(m, lo, hi)
            if d > tolerance:
                continue
            key = (d, m, j)
            if best is None or key < best[0]:
                best = (key, j)
        if best is not None:
            out[best[1]] = i
    return out


def recorded_sessions(record: dict | None = None) -> list[RecordedSession]:
    """The record's sessions (default: ``analysis/data/record.yaml``), in date order.

    Empty when the record is missing.
    """
    if record is None:
        from sixparty.analysis.narrate import load_record

        record = load_record() or {}
    out = []
    for s in record.get("sessions", []) or []:
        lab = s.get("label") or {}
        if not isinstance(lab, dict):
            lab = {"en": str(lab)}
        start = str(s.get("start", ""))[:7]
        end = str(s.get("end") or s.get("start", ""))[:7]
        if not start:
            continue
        out.append(
            RecordedSession(
                str(s.get("id", "")),
                str(lab.get("en") or s.get("id", "")),
                str(lab.get("zh") or ""),
                start,
                end,
            )
        )
    return sorted(out, key=lambda r: (r.start, r.end))


def session_labels(
    sessions: Sequence[dict],
    record: dict | None = None,
    recorded: Sequence[RecordedSession] | None = None,
    tolerance: int = SESSION_TOLERANCE,
) -> list[SessionLabel]:
    """One :class:`SessionLabel` per row of ``sessions`` (the run's sessions table).

    sessions: rows with ``month`` (``YYYY-MM``) and ``held``, in the model's
    order (``session_id``).  Only held sessions are matched; a boycotted
    invitation keeps its own name only.  recorded: the recorded sessions
    (default: :func:`recorded_sessions` of ``record``).
    """
    recs = list(recorded) if recorded is not None else recorded_sessions(record)
    held = [j for j, s in enumerate(sessions) if s.get("held")]
    match = match_sessions([sessions[j]["month"] for j in held], recs, tolerance)
    rounds: dict[int, RecordedSession] = {
        j: recs[i] for j, i in zip(held, match, strict=True) if i is not None
    }
    return [SessionLabel(j + 1, str(s["month"])[:7], rounds.get(j)) for j, s in enumerate(sessions)]


def session_labeller(
    lang: str = "en", record: dict | None = None
) -> Callable[[Sequence[dict]], list[str]]:
    """A function ``sessions rows -> [history label or ""]`` for ``sixparty run``'s summary.

    The record is read once, here (``sim/`` receives only this function).
    """
    check_lang(lang)
    recs = recorded_sessions(record)

    def labels(sessions: Sequence[dict]) -> list[str]:
        return [lab.history(lang) for lab in session_labels(sessions, recorded=recs)]

    return labels
