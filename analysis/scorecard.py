"""Strict replay scorecard: compare a run with the historical record.

The record is ``analysis/data/record.yaml`` (sessions with dates, document
type and, for a joint document, the phase it adopts; the DPRK's and the US's
episodes, with the cause where the article states one).  :func:`score_run`
turns a run's tables (:class:`analysis.runfiles.RunTables`) and the record
into a list of :class:`ScoreItem`, one per record item, each a hit or a miss
under a stated rule (``docs/validation.md`` gives every rule and why).  The
rules read the run as :class:`RunRecords` (the few columns they use, as plain
lists: no pandas), taken from the tables or straight from a run's rows
(:meth:`RunRecords.from_result`, the validation harness's road); every
function taking a run accepts either, with the same result.
:func:`scorecard_writer` adds ``scorecard.csv`` to a run folder and puts the
printed report in ``result.extra["report"]``.

Rules (tolerances in :data:`TOLERANCE`):

* session (ONE item per recorded session): a simulated *held* session within
  ±1 month of the recorded months (0 inside ``start..end``) whose
  ``document`` equals the recorded type; for a joint document the phase it
  adopts must also be the recorded ``adopts_phase``.  Timing alone earns
  nothing.  Recorded sessions are taken in date order; each takes an
  unmatched simulated session within the tolerance, preferring one that
  hits, then the nearest (the earlier on a tie): greedy, one-to-one.  A miss
  whose matched document is one rank away (:data:`DOCUMENT_TYPES` order) is
  flagged ``near`` and reported separately, never counted as a hit.
* point episodes (suspension, shutdown, disablement start/slowed/suspended,
  declaration, delisting, walk-out, missile and nuclear tests): the model's
  corresponding state change (:data:`EPISODE_RULES`) within ±2 months of the
  recorded month, greedy one-to-one within each kind.  Each reads what the run
  did: the shutdown the facility states of ``timeline.csv``; the disablement
  items only the months while the phase whose DPRK steps name disablement is
  the phase under way; the declaration the completion of the tranche that
  carries it (the scenario's ``declaration_tranche``) of its own phase.  An
  episode the run never showed is a miss with no simulated month.  A suspension of
  disablement also needs the recorded phase under way (``in_phase``) and the
  recorded cause (``cause``), read from the decision's ``cause`` code in
  ``decisions.csv`` (:func:`overdue_causes`); a run folder written before that
  column existed is scored by the old rule, the overdue kinds its ``reason``
  names (:func:`overdue_kinds`).
* the boycott (an absence spell): the DPRK's absence (``talks_status``
  boycott/suspended or ``dprk_stance`` suspended; gaps without a held session
  bridged) starts within ±2 months of the recorded start and ends within ±2
  months of the recorded end, and no held session lies inside the recorded
  span.
* the run's window: a record item whose recorded months lie wholly outside
  the run's months is *not scored* (``hit`` is None) and takes no part in the
  matching.  A span straddling an edge of the window is scored on its part
  inside (its edge conditions at the window's edge are waived).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import yaml
from sixparty.analysis.i18n import LABELS, check_lang, label, pad, phrase
from sixparty.analysis.runfiles import RunTables, month_label, month_number
from sixparty.scenario import DOCUMENT_TYPES, FACILITY_STATES

#: libyaml's safe loader when PyYAML has it (the same data as yaml.safe_load, faster)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Default record file.
RECORD_PATH = Path(__file__).with_name("data") / "record.yaml"

#: Tolerances in months either side: sessions, episodes (points and the ends
#: of spans).
TOLERANCE = {"session": 1, "episode": 2}

#: Rank of each document type (none < oral summary < chairman's statement <
#: joint statement < joint document).
DOC_RANK: dict[str, int] = {d: i for i, d in enumerate(DOCUMENT_TYPES)}

#: Category of a session item when no held session lies within the tolerance.
NO_SESSION = "no_session"

#: What in the run stands for each recorded episode kind.
EPISODE_RULES: dict[str, str] = {
    "suspension": "dprk_stance becomes 'suspended' (timeline.csv)",
    "boycott": (
        "an absence spell (talks_status boycott/suspended or dprk_stance suspended; "
        "gaps without a held session bridged) starting and ending within ±{n} months "
        "of the recorded start and end, with no held session inside the recorded span"
    ),
    "shutdown": (
        "first month a facility is shut down or further (timeline.csv facility_* columns: "
        "shut_down, disabled or dismantled); folders without facility columns: the first "
        "completed DPRK tranche of the phase whose DPRK steps name a shutdown (ledger.csv)"
    ),
    "disablement_start": (
        "first month, while the phase whose DPRK steps name disablement is under way "
        "(ledger.csv), that progress passes what the earlier phases delivered"
    ),
    "disablement_slowed": (
        "implementation becomes 'slowed' (timeline.csv) while the phase whose DPRK steps "
        "name disablement is under way (ledger.csv)"
    ),
    "declaration": (
        "month the DPRK tranche carrying the declaration (the scenario's "
        "declaration_tranche) of an adopted phase is completed (ledger.csv)"
    ),
    "disablement_suspended": (
        "DPRK decision 'suspends_steps' (decisions.csv) while the phase whose DPRK "
        "steps name disablement is under way, that phase the recorded one "
        "(ledger.csv), and for the recorded cause (the "
        "decision's cause code, e.g. overdue_delisting; folders without a "
        "cause column: the overdue step kinds in its reason)"
    ),
    "delisting": "US decision 'delists' or delisting step completed (decisions.csv, ledger.csv)",
    "walkout": "DPRK decision 'walks_out' or dprk_stance becomes 'walked_out'",
    "missile_test": "DPRK decision 'missile_test' (decisions.csv)",
    "nuclear_test": "DPRK decision 'nuclear_test' (decisions.csv)",
}

SPAN_KINDS = ("boycott",)

#: Readable names of the episode kinds (English; the record's ids are slugs).
EPISODE_NAMES: dict[str, str] = {
    "suspension": "DPRK suspends participation",
    "boycott": "DPRK stays away (boycott)",
    "shutdown": "Yongbyon shut down",
    "disablement_start": "disablement starts",
    "disablement_slowed": "disablement slowed",
    "declaration": "DPRK declaration",
    "disablement_suspended": "disablement suspended",
    "delisting": "US delists the DPRK",
    "walkout": "DPRK walks out",
    "missile_test": "DPRK missile test",
    "nuclear_test": "DPRK nuclear test",
}

DOC_NAMES = {
    "none": "no document",
    "oral_summary": "oral summary",
    "chairmans_statement": "chairman's statement",
    "joint_statement": "joint statement",
    "joint_document": "joint document",
}


# ----------------------------------------------------------------- texts
# An item's label, recorded and simulated texts are kept as :class:`Text` (an
# ``analysis.i18n`` key and its fields), shown in English as the item's strings
# (``scorecard.csv``; rendered when first read) and in either language in the printed
# report (:func:`report_lines`).  Tuples, so that scoring a run stays cheap.
class Text(NamedTuple):
    """A text in any language of :data:`sixparty.analysis.i18n.LANGS`: ``key`` (an entry
    of its tables, ``score.*`` or a document type) filled with ``fields`` (``(name,
    value)`` pairs); a value is plain (a number or a ``YYYY-MM`` month, the same in every
    language) or a text itself (anything with ``__call__(lang)``).  ``text(lang) -> str``."""

    key: str
    fields: tuple = ()

    def __call__(self, lang: str = "en") -> str:
        return phrase(self.key, lang, **{k: _in(v, lang) for k, v in self.fields})


class Joined(NamedTuple):
    """Texts joined by the language's separator: ``sep`` is ``list_sep`` (``, `` / ``、``)
    or ``clause_sep`` (``; `` / ``；``)."""

    parts: tuple
    sep: str = "list_sep"

    def __call__(self, lang: str = "en") -> str:
        return label(self.sep, lang).join(_in(p, lang) for p in self.parts)


class Named(NamedTuple):
    """A name the record gives per language (``label: {en, zh}`` as ``((lang, name),
    ...)``); English when it has none in the language asked."""

    names: tuple

    def __call__(self, lang: str = "en") -> str:
        d = dict(self.names)
        return str(d.get(lang) or d.get("en") or next(iter(d.values()), ""))


class _Shown:
    """A :class:`ScoreItem` text field: set to a string or a :class:`Text` (kept, for
    :meth:`ScoreItem.shown`); read, the English string (a text rendered on first read).
    ``default``: the field's default (none when omitted)."""

    _NONE = object()

    def __init__(self, default=_NONE) -> None:
        self.default = default

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            if self.default is _Shown._NONE:
                raise AttributeError(self.name)  # a dataclass field without a default
            return self.default
        d = obj.__dict__
        en = d.get("_en_" + self.name)
        if en is None:
            v = d["_text_" + self.name]
            en = d["_en_" + self.name] = v if isinstance(v, str) else v("en")
        return en

    def __set__(self, obj, value) -> None:
        obj.__dict__["_text_" + self.name] = value
        obj.__dict__.pop("_en_" + self.name, None)


def _in(v, lang: str) -> str:
    return v(lang) if callable(v) else str(v)


def _t(key: str, **fields) -> Text:
    return Text(f"score.{key}", tuple(fields.items()))


def _doc(key: str) -> Text:
    """A document type's name (``analysis.i18n``); unknown types as they are."""
    return Text(key) if key in DOC_NAMES else _raw(key)


def _months(n: int) -> Text:
    return _t("months_1" if n == 1 else "months", n=n)


@dataclass
class ScoreItem:
    """One record item scored against a run.

    id: ``session:<record id>`` or the episode id.  kind: ``session`` or the
    episode kind.  recorded, simulated: readable text (English; given as a
    :class:`Text`, the item keeps it and :meth:`shown` gives it in another
    language; read, they are always the English string).  hit: True (hit),
    False (miss) or None (not scored: outside the run's window; see
    :attr:`scored`).  rule: the rule applied.  label: short English name.
    rec_start/rec_end, sim_start/sim_end: ``YYYY-MM`` months (empty when
    there is none), for plots.  near: a session miss whose matched document
    is one rank away (reported, never a hit).  fed: the item is read off a
    stated position the run was anchored to (``docs/validation.md``).
    category: what the run showed, for ensemble forecasts: a session's
    matched document type or ``no_session``; an episode's ``yes``/``no``.
    """

    id: str
    kind: str
    recorded: str = _Shown()
    simulated: str = _Shown()
    hit: bool | None
    rule: str
    label: str = _Shown("")
    rec_start: str = ""
    rec_end: str = ""
    sim_start: str = ""
    sim_end: str = ""
    near: bool = False
    fed: bool = False
    category: str = ""

    @property
    def scored(self) -> bool:
        """False when the item lies outside the run's window (neither hit nor miss)."""
        return self.hit is not None

    def shown(self, what: str, lang: str = "en") -> str:
        """``label``, ``recorded`` or ``simulated`` in ``lang``: the item's :class:`Text`
        in that language, or its string as given (English) when it was set to one."""
        v = self.__dict__["_text_" + what]
        return getattr(self, what) if lang == "en" or isinstance(v, str) else v(lang)


#: ``simulated`` text of an item outside the run's window.
OUTSIDE_TEXT = LABELS["en"]["score.outside"]

SCORECARD_COLUMNS = [
    "id",
    "kind",
    "label",
    "recorded",
    "simulated",
    "hit",
    "near",
    "fed",
    "rule",
    "rec_start",
    "rec_end",
    "sim_start",
    "sim_end",
]


def load_record(path: str | Path | None = None) -> dict:
    """The historical record (``sessions``, ``episodes``, ``hfo_delivered``) as plain data.

    Dates are kept as strings.  Raises OSError / yaml.YAMLError on an
    unreadable file, ValueError when ``sessions`` or ``episodes`` is missing.
    """
    p = Path(path) if path else RECORD_PATH
    data = yaml.load(p.read_text(encoding="utf-8"), Loader=_SAFE_LOADER) or {}
    if not isinstance(data, dict) or "sessions" not in data or "episodes" not in data:
        raise ValueError(f"{p}: expected a mapping with 'sessions' and 'episodes'")
    for item in list(data["sessions"]) + list(data["episodes"]):
        for key in ("start", "end"):
            if key in item and item[key] is not None:
                item[key] = str(item[key])
        for fb in item.get("fed_by") or []:
            fb["date"] = str(fb["date"])[:7]
    return data


def record_items(record: dict) -> list[dict]:
    """Every scored record item as ``{id, kind, start, end}`` in :func:`score_run` order
    (sessions in date order, then the episodes with a rule in date order); ``id`` is the
    scorecard item id (``session:<id>`` for sessions)."""
    out = []
    for s in sorted(
        record.get("sessions", []), key=lambda s: (s["start"], s.get("end") or s["start"])
    ):
        out.append(
            {
                "id": f"session:{s['id']}",
                "kind": "session",
                "start": s["start"][:7],
                "end": (s.get("end") or s["start"])[:7],
            }
        )
    for e in sorted(
        (e for e in record.get("episodes", []) if e.get("kind") in EPISODE_RULES),
        key=lambda e: (e["start"], e["id"]),
    ):
        out.append(
            {
                "id": e["id"],
                "kind": e["kind"],
                "start": e["start"][:7],
                "end": (e.get("end") or e["start"])[:7],
            }
        )
    return out


def fed_item_ids(record: dict, scenario) -> set[str]:
    """Scorecard ids of the record items that a run of ``scenario`` in anchored mode is fed.

    An item is fed when its ``fed_by`` names a stated position (party, month)
    that the scenario holds: in anchored mode the model resets that party's
    position to it in that month, so the item's outcome was read off the very
    document being scored.  With ``parameters.anchoring: false`` nothing is fed
    (empty set).
    """
    if scenario is None or not scenario.parameters.anchoring:
        return set()
    stated = set()
    for party in ("DPRK", "US", "China", "ROK", "Japan", "Russia"):
        for sp in getattr(scenario.parties, party).stated_positions:
            stated.add((party, str(sp.date)[:7]))
    out = set()
    for s in record.get("sessions", []):
        if any((f["party"], f["date"]) in stated for f in s.get("fed_by") or []):
            out.add(f"session:{s['id']}")
    for e in record.get("episodes", []):
        if any((f["party"], f["date"]) in stated for f in e.get("fed_by") or []):
            out.add(e["id"])
    return out


# --------------------------------------------------------------- matching
def _dist(m: int, lo: int, hi: int) -> int:
    return 0 if lo <= m <= hi else (lo - m if m < lo else m - hi)


def greedy_match(
    recorded: list[tuple[int, int]], simulated: list[int], tolerance: int, good=None
) -> list[int | None]:
    """One-to-one greedy matching in date order.

    recorded: (first month, last month) per recorded item, month numbers.
    simulated: month numbers.  Recorded items are visited in order of first
    month; each takes, among the unmatched simulated months within
    ``tolerance`` months, one for which ``good(i, j)`` holds if any (default:
    all are good), then the nearest, then the earlier.  Returns, per recorded
    item (in the given order), the index into ``simulated`` or None.
    """
    order = sorted(range(len(recorded)), key=lambda i: recorded[i])
    used: set[int] = set()
    out: list[int | None] = [None] * len(recorded)
    for i in order:
        lo, hi = recorded[i]
        best = None
        for j, m in enumerate(simulated):
            if j in used:
                continue
            d = _dist(m, lo, hi)
            if d > tolerance:
                continue
            key = (0 if good is None or good(i, j) else 1, d, m, j)
            if best is None or key < best[0]:
                best = (key, j)
        if best is not None:
            used.add(best[1])
            out[i] = best[1]
    return out


def _label(item: dict) -> str:
    return _label_text(item)()


def _label_text(item: dict) -> Text | Named:
    """A record item's name: its ``label`` (``{en, zh}`` or a string), else the episode
    kind's name and year, else its id."""
    lab = item.get("label")
    if isinstance(lab, dict):
        if lab:
            return Named(tuple((str(k), str(v)) for k, v in lab.items()))
        return _raw(item["id"])
    if lab:
        return _raw(lab)
    if item.get("kind") in EPISODE_NAMES:
        return _t(
            "episode_year",
            name=Text(f"score.episode.{item['kind']}"),
            year=str(item["start"])[:4],
        )
    return _raw(str(item["id"]).replace("_", " "))


def _raw(text) -> Text:
    """A text shown as it is in every language (a date, an id)."""
    return Text("score.raw", (("text", str(text)),))


def _span_text(start: str, end: str | None) -> str:
    return _span(start, end)()


def _span(start: str, end: str | None) -> Text:
    return _raw(start) if not end or end == start else _t("span", start=start, end=end)


# ------------------------------------------------------------ run records
#: A missing cell (as pandas fills one).
_NAN = float("nan")

#: The columns the scorecard reads of each table (the rest of a run is never looked at);
#: of ``timeline.csv`` also every facility state column (:data:`FACILITY_PREFIX`).
TIMELINE_READ = ("month", "talks_status", "dprk_stance", "implementation", "progress")
LEDGER_READ = (
    "phase",
    "phase_name",
    "tranche",
    "kind",
    "description",
    "amount",
    "promised",
    "delivered",
    "completed",
)

#: Prefix of ``timeline.csv``'s facility state columns (``facility_<name>``: operating,
#: shut_down, disabled, dismantled; docs/outputs.md).
FACILITY_PREFIX = "facility_"

#: Facility states that count as shut down (:data:`sixparty.scenario.FACILITY_STATES`
#: after ``operating``).
SHUT_OR_FURTHER = tuple(s for s in FACILITY_STATES if s != "operating")


def _timeline_read(names) -> tuple[str, ...]:
    """:data:`TIMELINE_READ` and the facility state columns among ``names``, in their order."""
    return TIMELINE_READ + tuple(c for c in names if str(c).startswith(FACILITY_PREFIX))


DECISION_READ = ("month", "party", "decision", "reason", "cause")


class Columns:
    """Some columns of one table as plain lists.

    n: rows.  ``cols[name]``: the column's values, one per row, as Python
    scalars (``str``, ``int``, ``float``, ``bool``; a missing cell is NaN, as
    pandas fills it).  ``name in columns`` says whether the table has the
    column; ``columns[name]`` raises KeyError when it has not (as a DataFrame).
    """

    __slots__ = ("n", "cols")

    def __init__(self, n: int, cols: dict[str, list]) -> None:
        self.n, self.cols = n, cols

    def __getitem__(self, name: str) -> list:
        return self.cols[name]

    def __contains__(self, name: str) -> bool:
        return name in self.cols

    @classmethod
    def from_frame(cls, df, names: tuple[str, ...]) -> Columns:
        """The columns ``names`` that DataFrame ``df`` has (``Series.tolist``)."""
        return cls(len(df), {c: df[c].tolist() for c in names if c in df})

    @classmethod
    def from_rows(cls, rows: list[dict], names: tuple[str, ...], every: bool = False) -> Columns:
        """The columns ``names`` of row dicts: those some row has (``every``: all of
        them, as a DataFrame made with ``columns=``); NaN where a row lacks one."""
        keys = set(names) if every else set().union(*rows) if rows else set()
        return cls(len(rows), {c: [r.get(c, _NAN) for r in rows] for c in names if c in keys})


@dataclass
class RunRecords:
    """What the scorecard reads of a run, as plain Python lists: no pandas on the way.

    timeline: :data:`TIMELINE_READ` columns of ``timeline.csv`` (120 rows for
    the historical window); held: the held sessions (``sessions.csv`` rows with
    ``held`` true, every column) in session order (``session_id``; table order
    without it), shared with the run: never change them in place; ledger:
    :data:`LEDGER_READ` columns of ``ledger.csv``; decisions:
    :data:`DECISION_READ` columns of ``decisions.csv``; the timeline also has
    every ``facility_<name>`` column the run recorded.  declarations: phase name
    -> the DPRK tranche carrying the phase's declaration (the scenario's
    ``declaration_tranche``; :func:`~sixparty.analysis.runfiles.declaration_tranches`),
    empty when the scenario is unknown (no declaration is then seen).
    disablements: the scenario's phases that disable a facility
    (:func:`~sixparty.analysis.runfiles.disablement_phases`), None when the
    scenario is unknown.

    :meth:`from_result` reads a :class:`~sixparty.runner.RunResult`'s rows
    directly (the validation harness's road: about 0.1 ms a run);
    :meth:`from_tables` reads :class:`RunTables` (run folders, null models).
    Every function of this module taking a run accepts either (a
    :class:`RunTables` is converted first) and gives the same answer for
    both roads of the same run.
    """

    timeline: Columns
    held: list[dict]
    ledger: Columns
    decisions: Columns
    declarations: dict = field(default_factory=dict)
    disablements: tuple[str, ...] | None = None

    @classmethod
    def from_result(cls, result) -> RunRecords:
        """The records of an in-memory run (the same values as the DataFrames of
        ``sixparty.analysis.simulate.fast_tables`` would hold)."""
        from sixparty.analysis.runfiles import declaration_tranches, disablement_phases
        from sixparty.outputs import DECISION_COLUMNS, LEDGER_COLUMNS

        sessions = result.sessions
        held = [s for s in sessions if s["held"]]
        if any("session_id" in s for s in sessions):
            held.sort(key=lambda s: s["session_id"])  # stable; ids are unique
        tl = result.timeline
        if hasattr(tl, "columns") and len(tl):  # summary road: the columns, no rows
            timeline = Columns(len(tl), tl.columns(_timeline_read(tl.keys)))
        else:
            timeline = Columns.from_rows(tl, _timeline_read(tl[0] if tl else ()))
        return cls(
            timeline,
            held,
            Columns.from_rows(
                result.ledger, tuple(c for c in LEDGER_READ if c in LEDGER_COLUMNS), every=True
            ),
            Columns.from_rows(
                result.decisions,
                tuple(c for c in DECISION_READ if c in DECISION_COLUMNS),
                every=True,
            ),
            declaration_tranches(getattr(result, "scenario", None)),
            disablement_phases(getattr(result, "scenario", None)),
        )

    @classmethod
    def from_tables(cls, tables: RunTables) -> RunRecords:
        """The records of a run's DataFrames."""
        held = tables.held
        if held.empty:
            rows: list[dict] = []
        else:
            order = held.sort_values("session_id") if "session_id" in held else held
            rows = order.to_dict("records")
        return cls(
            Columns.from_frame(tables.timeline, _timeline_read(tables.timeline.columns)),
            rows,
            Columns.from_frame(tables.ledger, LEDGER_READ),
            Columns.from_frame(tables.decisions, DECISION_READ),
            dict(getattr(tables, "declarations", None) or {}),
            getattr(tables, "disablements", None),
        )


def as_records(run: RunTables | RunRecords) -> RunRecords:
    """``run`` as :class:`RunRecords` (itself when it is already)."""
    return run if isinstance(run, RunRecords) else RunRecords.from_tables(run)


def _nansum(values: list) -> float:
    """The sum of ``values`` as pandas' ``Series.sum`` gives it (NaN skipped, numpy's
    pairwise summation: the same float, bit for bit)."""
    return float(np.nansum(np.array(values))) if values else 0.0


# --------------------------------------------------------- run quantities
def _transitions(rr: RunRecords, column: str, value: str) -> list[int]:
    """Month numbers where ``column`` becomes ``value`` (from another value or the start)."""
    out, prev = [], None
    tl = rr.timeline
    for month, v in zip(tl["month"], tl[column], strict=True):
        if v == value and prev != value:
            out.append(month_number(month))
        prev = v
    return out


def _decision_months(rr: RunRecords, decision: str, party: str | None = None) -> list[int]:
    """Month numbers (sorted) of the decisions ``decision`` (of ``party`` when given)."""
    d = rr.decisions
    if not d.n:
        return []
    if party:
        return sorted(
            month_number(m)
            for m, x, p in zip(d["month"], d["decision"], d["party"], strict=True)
            if x == decision and p == party
        )
    return sorted(
        month_number(m) for m, x in zip(d["month"], d["decision"], strict=True) if x == decision
    )


def _phase_named(rr: RunRecords, names: set[str]):
    """As :func:`_phase_with`, for the first adopted phase whose ``phase_name`` is one of
    ``names``."""
    led = rr.ledger
    if not led.n or not names or "phase_name" not in led:
        return None
    kind, phase, name = led["kind"], led["phase"], led["phase_name"]
    dprk = [i for i in range(led.n) if kind[i] == "dprk_action"]
    for p in sorted({phase[i] for i in dprk}):
        steps = [i for i in dprk if phase[i] == p]
        if any(str(name[i]) in names for i in steps):
            amount = led["amount"]
            before = _nansum([amount[i] for i in dprk if phase[i] < p])
            return int(p), before, steps
    return None


def _phase_with(rr: RunRecords, word: str):
    """(phase number, progress of earlier phases, its DPRK steps as ledger row indices)
    for the first adopted phase whose DPRK step description contains ``word``; None if
    none."""
    led = rr.ledger
    if not led.n:
        return None
    kind, phase = led["kind"], led["phase"]
    dprk = [i for i in range(led.n) if kind[i] == "dprk_action"]
    for p in sorted({phase[i] for i in dprk}):
        steps = [i for i in dprk if phase[i] == p]
        desc = led["description"]
        if any(word in str(desc[i]).lower() for i in steps):
            amount = led["amount"]
            before = _nansum([amount[i] for i in dprk if phase[i] < p])
            return int(p), before, steps
    return None


def _under_way(rr: RunRecords, phase: int) -> tuple[int, float]:
    """(first, past-last) month numbers during which ``phase`` is the phase under way
    (:func:`phase_under_way`: adopted, no later phase adopted yet); ``inf`` when no later
    phase was adopted."""
    led = rr.ledger
    starts: dict[int, int] = {}
    for p, promised in zip(led["phase"], led["promised"], strict=True):
        if promised and promised == promised:  # NaN: an empty cell
            m = month_number(str(promised))
            starts[int(p)] = min(starts.get(int(p), m), m)
    lo = starts[phase]
    hi = min((m for q, m in starts.items() if q > phase), default=float("inf"))
    return lo, hi


def _facility_months(rr: RunRecords, states: tuple[str, ...]) -> list[int] | None:
    """[the first month any facility state column is in ``states``] ([] if none); None
    when the timeline has no facility columns (a folder written before them)."""
    tl = rr.timeline
    cols = [tl[c] for c in tl.cols if c.startswith(FACILITY_PREFIX)]
    if not cols:
        return None
    for i, month in enumerate(tl["month"]):
        if any(c[i] in states for c in cols):
            return [month_number(month)]
    return []


def _disablement_phase(rr: RunRecords):
    """:func:`_phase_with` for the first adopted disablement phase, with the months it is
    under way (:func:`_under_way`), or None.

    The disablement phase is one the scenario's ``facility_steps`` say disables a
    facility (``rr.disablements``); a run folder whose scenario is not known
    (``disablements`` None) is read by its ledger: the phase whose DPRK step
    descriptions name disablement."""
    if rr.disablements is None:
        ph = _phase_with(rr, "disabl")
    else:
        ph = _phase_named(rr, set(rr.disablements))
    return None if ph is None else (ph, _under_way(rr, ph[0]))


def phase_numbers(run: RunTables | RunRecords) -> dict[str, int]:
    """Phase name -> phase number (1-based, as ``ledger.csv`` ``phase``) from the ledger."""
    led = as_records(run).ledger
    if not led.n or "phase_name" not in led:
        return {}
    return {str(n): int(p) for n, p in zip(led["phase_name"], led["phase"], strict=True)}


def phase_under_way(run: RunTables | RunRecords, month: int) -> int | None:
    """Number of the most recently adopted phase at ``month`` (ledger ``promised``), or None."""
    led = as_records(run).ledger
    if not led.n:
        return None
    best = None
    for p, promised in zip(led["phase"], led["promised"], strict=True):
        if promised and month_number(str(promised)) <= month:
            best = int(p) if best is None else max(best, int(p))
    return best


def overdue_kinds(reason: str) -> set[str]:
    """The overdue counterpart step kinds a ``suspends_steps`` reason of a run folder
    written before ``decisions.csv`` had a ``cause`` column names:
    ``counterpart steps overdue (aid, delisting); ...`` -> {aid, delisting}."""
    m = re.search(r"overdue \(([^)]*)\)", reason or "")
    return {k.strip() for k in m.group(1).split(",")} if m else set()


#: Prefix of the reason codes in ``decisions.csv`` ``cause`` naming an overdue counterpart
#: step (``overdue_delisting``, ``overdue_aid``; docs/outputs.md).
OVERDUE_PREFIX = "overdue_"


def overdue_causes(cause: str) -> set[str]:
    """The overdue counterpart step kinds a ``decisions.csv`` ``cause`` code names:
    ``overdue_delisting+overdue_aid`` -> {delisting, aid}; ``""`` (or a missing value)
    -> set(); codes not about an overdue step are ignored."""
    if not isinstance(cause, str):
        return set()
    return {
        c.strip()[len(OVERDUE_PREFIX) :]
        for c in cause.split("+")
        if c.strip().startswith(OVERDUE_PREFIX)
    }


def suspension_causes(run: RunTables | RunRecords) -> list[tuple[int, set[str]]]:
    """(month number, overdue step kinds it answered) per DPRK ``suspends_steps`` decision,
    in month order: from the ``cause`` column (:func:`overdue_causes`), or, in a run
    folder written before that column, from the ``reason`` text (:func:`overdue_kinds`)."""
    d = as_records(run).decisions
    if not d.n:
        return []
    sel = [
        i
        for i, (x, p) in enumerate(zip(d["decision"], d["party"], strict=True))
        if x == "suspends_steps" and p == "DPRK"
    ]
    if "cause" in d:
        cause = d["cause"]
        kinds = [overdue_causes(cause[i]) for i in sel]
    else:
        reason = d["reason"] if "reason" in d else None
        kinds = [overdue_kinds(str(reason[i]) if reason is not None else "") for i in sel]
    month = d["month"]
    return sorted(
        ((month_number(month[i]), k) for i, k in zip(sel, kinds, strict=True)),
        key=lambda x: x[0],
    )


def episode_months(run: RunTables | RunRecords, kind: str) -> list[int]:
    """Month numbers at which the run shows a point episode of ``kind`` (sorted, unique)."""
    rr = as_records(run)
    months: list[int] = []
    if kind == "suspension":
        months = _transitions(rr, "dprk_stance", "suspended")
    elif kind == "shutdown":
        # the facility states the model records; progress can rise and be undone
        # without any facility shut down
        months = _facility_months(rr, SHUT_OR_FURTHER)
        if months is None:  # a folder without facility columns: the ledger's tranches
            ph = _phase_with(rr, "shut")
            completed = rr.ledger["completed"] if ph is not None else []
            done = [
                month_number(str(completed[i]))
                for i in (ph[2] if ph else ())
                if _cell(completed[i])
            ]
            months = [min(done)] if done else []
    elif kind in ("disablement_start", "disablement_slowed", "disablement_suspended"):
        dis = _disablement_phase(rr)
        if dis is not None:
            months = _disablement_months(rr, kind, *dis)
    elif kind == "declaration":
        # the tranche that carries the declaration, of each adopted phase that has one
        led = rr.ledger
        if led.n and rr.declarations:
            names, kinds = led["phase_name"], led["kind"]
            tranche, completed = led["tranche"], led["completed"]
            months = [
                month_number(str(completed[i]))
                for i in range(led.n)
                if kinds[i] == "dprk_action"
                and rr.declarations.get(str(names[i])) == tranche[i]
                and _cell(completed[i])
            ]
    elif kind == "delisting":
        months = _decision_months(rr, "delists")
        led = rr.ledger
        if led.n:
            months += [
                month_number(c)
                for k, c in zip(led["kind"], led["completed"], strict=True)
                if k == "delisting" and c
            ]
    elif kind == "walkout":
        months = _decision_months(rr, "walks_out", "DPRK") + _transitions(
            rr, "dprk_stance", "walked_out"
        )
    elif kind in ("missile_test", "nuclear_test"):
        months = _decision_months(rr, kind, "DPRK")
    return sorted(set(months))


def _cell(v) -> bool:
    """A ledger month cell that holds a month (not empty, not NaN)."""
    return bool(v) and v == v


def _disablement_months(rr: RunRecords, kind: str, ph, window) -> list[int]:
    """Months of a disablement episode ``kind`` read from the disablement phase ``ph``
    (:func:`_phase_with`) alone, while it is under way (``window``, :func:`_under_way`):
    its start (progress passes what the earlier phases' DPRK steps delivered), its
    slowing (``implementation`` becomes ``slowed``; a stretch already slowed when the
    phase was adopted counts from the adoption) and the DPRK's ``suspends_steps``."""
    lo, hi = window
    tl = rr.timeline
    if kind == "disablement_suspended":
        return [m for m in _decision_months(rr, "suspends_steps", "DPRK") if lo <= m < hi]
    if kind == "disablement_start":
        led = rr.ledger
        before = _nansum(
            [
                led["delivered"][i]
                for i in range(led.n)
                if led["kind"][i] == "dprk_action" and led["phase"][i] < ph[0]
            ]
        )
        for month, p in zip(tl["month"], tl["progress"], strict=True):
            m = month_number(month)
            if lo <= m < hi and float(p) > before + 1e-9:
                return [m]
        return []
    out, prev = [], None
    for month, v in zip(tl["month"], tl["implementation"], strict=True):
        m = month_number(month)
        if lo <= m < hi:
            if v == "slowed" and (prev != "slowed" or m == lo):
                out.append(m)
        prev = v
    return out


def absence_runs(run: RunTables | RunRecords) -> list[tuple[int, int]]:
    """Contiguous runs (first, last month number) with talks_status suspended or boycott."""
    tl = as_records(run).timeline
    runs: list[tuple[int, int]] = []
    for month, st in zip(tl["month"], tl["talks_status"], strict=True):
        m = month_number(month)
        if st in ("suspended", "boycott"):
            if runs and runs[-1][1] == m - 1:
                runs[-1] = (runs[-1][0], m)
            else:
                runs.append((m, m))
    return runs


def held_months(run: RunTables | RunRecords) -> list[int]:
    """Month numbers of the held sessions (sorted)."""
    return sorted(month_number(r["month"]) for r in as_records(run).held)


def absence_spells(run: RunTables | RunRecords) -> list[tuple[int, int]]:
    """The DPRK's absence spells (first, last month number).

    A month is absent when ``talks_status`` is boycott or suspended or
    ``dprk_stance`` is suspended.  Absent months form one spell until a held
    session (which the DPRK attended) intervenes: months without talks between
    two absent months are bridged.
    """
    rr = as_records(run)
    tl = rr.timeline
    stance = tl["dprk_stance"] if "dprk_stance" in tl else [""] * tl.n
    absent = [
        month_number(m)
        for m, st, ds in zip(tl["month"], tl["talks_status"], stance, strict=True)
        if st in ("suspended", "boycott") or ds == "suspended"
    ]
    held = held_months(rr)
    spells: list[tuple[int, int]] = []
    for m in absent:
        if spells and not any(spells[-1][1] < h < m for h in held) and m not in held:
            spells[-1] = (spells[-1][0], m)
        else:
            spells.append((m, m))
    return spells


# --------------------------------------------------------------- scoring
def score_run(
    tables: RunTables | RunRecords,
    record: dict,
    tolerance: dict | None = None,
    fed: set[str] | None = None,
) -> list[ScoreItem]:
    """Score a run against the record; one :class:`ScoreItem` per record item.

    tables: the run's :class:`RunTables` or :class:`RunRecords` (the same items
    either way).  Order: the recorded sessions (date order), then the episodes in
    date order (:func:`record_items`).  Episode kinds without a rule in
    :data:`EPISODE_RULES` are skipped.  Items whose recorded months lie wholly
    outside the run's window (:func:`run_window`) are kept with ``hit=None``
    and are not matched.  ``fed``: scorecard ids to flag as fed
    (:func:`fed_item_ids`).
    """
    rr = as_records(tables)
    tol = dict(TOLERANCE, **(tolerance or {}))
    window = run_window(rr)
    items: list[ScoreItem] = []
    items += _score_sessions(rr, record.get("sessions", []), tol, window)
    items += _score_episodes(rr, record.get("episodes", []), tol, window)
    for it in items:
        it.fed = it.id in (fed or ())
    return items


def run_window(run: RunTables | RunRecords) -> tuple[int, int] | None:
    """(first, last) month number of the run's timeline; None for an empty timeline."""
    tl = as_records(run).timeline
    months = tl["month"] if "month" in tl else []
    if not months:
        return None
    return month_number(months[0]), month_number(months[-1])


def _inside(window: tuple[int, int] | None, lo: int, hi: int) -> bool:
    """The recorded months lo..hi overlap the window (always True without a window)."""
    return window is None or (hi >= window[0] and lo <= window[1])


def _outside_text(window: tuple[int, int]) -> Text:
    return _t("outside", start=month_label(window[0]), end=month_label(window[1]))


def _sim_sessions(rr: RunRecords) -> list[tuple[int, dict]]:
    """(month number, row) of the held sessions in session order; each row (a copy) gets
    ``adopted_number`` (phase number of the adopted phase, or None)."""
    if not rr.held:
        return []
    names = phase_numbers(rr)
    out = []
    for r in rr.held:
        num = None
        if (
            "adopted_phase_number" in r
            and r["adopted_phase_number"] not in ("", None)
            and r["adopted_phase_number"] == r["adopted_phase_number"]
        ):
            num = int(r["adopted_phase_number"])
        elif r.get("adopted_phase"):
            num = names.get(str(r["adopted_phase"]))
        row = dict(r)
        row["adopted_number"] = num
        out.append((month_number(r["month"]), row))
    return out


def _session_name(row: dict) -> Text:
    """``session 7, 2006-02``: the model's own session number (invitation order), never its
    round counter (as :meth:`sixparty.analysis.rounds.SessionLabel.own` in English)."""
    if "session_id" not in row:
        return _t("session_month", month=str(row["month"])[:7])
    return _t("session_name", n=int(row["session_id"]) + 1, month=str(row["month"])[:7])


def _session_hit(rec: dict, row: dict) -> tuple[bool, Text | None]:
    """(hit, why not: None for a hit) of a matched session against a recorded one."""
    rdoc, sdoc = str(rec.get("document", "none")), str(row["document"])
    if sdoc != rdoc:
        return False, _t("wrong_document")
    want = rec.get("adopts_phase")
    if want is not None and row.get("adopted_number") != int(want):
        got = row.get("adopted_number")
        if got:
            return False, _t("wrong_phase", got=got, want=int(want))
        return False, _t("wrong_no_phase", want=int(want))
    return True, None


def _score_sessions(
    tables: RunTables | RunRecords,
    rec_sessions: list[dict],
    tol: dict,
    window: tuple[int, int] | None = None,
) -> list[ScoreItem]:
    recs = sorted(rec_sessions, key=lambda s: (s["start"], s.get("end") or s["start"]))
    sims = _sim_sessions(as_records(tables))
    spans = [(month_number(s["start"]), month_number(s.get("end") or s["start"])) for s in recs]
    inside = [_inside(window, lo, hi) for lo, hi in spans]
    in_recs = [r for r, ok in zip(recs, inside, strict=True) if ok]
    sub = greedy_match(
        [sp for sp, ok in zip(spans, inside, strict=True) if ok],
        [m for m, _ in sims],
        tol["session"],
        good=lambda i, j: _session_hit(in_recs[i], sims[j][1])[0],
    )
    it_sub = iter(sub)
    match = [next(it_sub) if ok else None for ok in inside]
    n = tol["session"]
    rule = (
        f"a held simulated session within ±{n} month{'s' if n != 1 else ''} with the same "
        "document (a joint document: adopting the recorded phase); greedy in date order, "
        "one-to-one"
    )
    out = []
    for rec, j, ok in zip(recs, match, inside, strict=True):
        label = _label_text(rec)
        rdoc = str(rec.get("document", "none"))
        rtext = _t("doc_span", doc=_doc(rdoc), span=_span(rec["start"], rec.get("end")))
        if rec.get("adopts_phase") is not None:
            rtext = _t("adopts", text=rtext, n=int(rec["adopts_phase"]))
        rs, re_ = rec["start"][:7], (rec.get("end") or rec["start"])[:7]
        sid = f"session:{rec['id']}"
        if not ok:
            out.append(
                ScoreItem(sid, "session", rtext, _outside_text(window), None, rule, label, rs, re_)
            )
            continue
        if j is None:
            out.append(
                ScoreItem(
                    sid,
                    "session",
                    rtext,
                    _t("no_held_session", months=_months(n)),
                    False,
                    rule,
                    label,
                    rs,
                    re_,
                    category=NO_SESSION,
                )
            )
            continue
        _m, srow = sims[j]
        sdoc = str(srow["document"])
        hit, why = _session_hit(rec, srow)
        near = (not hit) and abs(DOC_RANK.get(sdoc, -9) - DOC_RANK.get(rdoc, 9)) == 1
        stext = _t("sim_session", doc=_doc(sdoc), session=_session_name(srow))
        if srow.get("adopted_number"):
            stext = _t("adopts", text=stext, n=srow["adopted_number"])
        if not hit:
            stext = _t("because", text=stext, why=_t("near_miss", text=why) if near else why)
        out.append(
            ScoreItem(
                sid,
                "session",
                rtext,
                stext,
                hit,
                rule,
                label,
                rs,
                re_,
                srow["month"],
                srow["month"],
                near=near,
                category=sdoc,
            )
        )
    return out


def _cause(kind: str) -> Text:
    """An overdue step kind named as a cause (``aid``, ``delisting``); others as they are."""
    key = f"score.cause.{kind}"
    return Text(key) if key in LABELS["en"] else _raw(kind)


def _episode_candidates(rr: RunRecords, e: dict) -> list[tuple[int, Text | str]]:
    """(month, failing conditions as a :class:`Joined` text, or '') per simulated
    occurrence of ``e``'s kind."""
    kind = e["kind"]
    if kind != "disablement_suspended":
        return [(m, "") for m in episode_months(rr, kind)]
    out = []
    phase_months = set(episode_months(rr, kind))  # while the disablement phase is under way
    for m, kinds in suspension_causes(rr):
        if m not in phase_months:
            continue
        why = []
        want_phase = e.get("in_phase")
        if want_phase is not None:
            got = phase_under_way(rr, m)
            if got != int(want_phase):
                why.append(_t("phase_under_way", got=got or _t("no_phase"), want=int(want_phase)))
        cause = e.get("cause")
        if cause:
            if cause not in kinds:
                # "unstated" when the kinds join to nothing (none, or only an empty name)
                named = kinds and kinds != {""}
                got = Joined(tuple(_cause(k) for k in sorted(kinds))) if named else _t("unstated")
                why.append(_t("cause_mismatch", got=got, want=_cause(cause)))
        out.append((m, Joined(tuple(why), "clause_sep") if why else ""))
    return out


def _score_episodes(
    tables: RunTables | RunRecords,
    episodes: list[dict],
    tol: dict,
    window: tuple[int, int] | None = None,
) -> list[ScoreItem]:
    rr = as_records(tables)
    eps = sorted(
        (e for e in episodes if e.get("kind") in EPISODE_RULES), key=lambda e: (e["start"], e["id"])
    )
    results: dict[str, ScoreItem] = {}
    n = tol["episode"]
    for e in eps:
        lo = month_number(e["start"])
        hi = month_number(e.get("end") or e["start"]) if e["kind"] in SPAN_KINDS else lo
        if not _inside(window, lo, hi):
            rs, re_ = e["start"][:7], (e.get("end") or e["start"])[:7]
            rtext = _span(rs, re_) if e["kind"] in SPAN_KINDS else _raw(e["start"])
            results[e["id"]] = ScoreItem(
                e["id"],
                e["kind"],
                rtext,
                _outside_text(window),
                None,
                EPISODE_RULES[e["kind"]].format(n=n),
                _label_text(e),
                rs,
                re_ if e["kind"] in SPAN_KINDS else rs,
            )
    # point episodes: greedy one-to-one within each kind, preferring a candidate that meets
    # every condition
    kinds = sorted({e["kind"] for e in eps if e["kind"] not in SPAN_KINDS})
    for kind in kinds:
        recs = [e for e in eps if e["kind"] == kind and e["id"] not in results]
        if not recs:
            continue
        cands = [_episode_candidates(rr, e) for e in recs]
        sims = sorted({m for c in cands for m, _ in c})
        fail = [{m: w for m, w in c} for c in cands]
        spans = [(month_number(e["start"]), month_number(e["start"])) for e in recs]
        match = greedy_match(
            spans, sims, n, good=lambda i, j, fail=fail, sims=sims: not fail[i].get(sims[j], "")
        )
        rule = f"{EPISODE_RULES[kind]} within ±{n} months"
        for i, (e, j) in enumerate(zip(recs, match, strict=True)):
            rs = e["start"][:7]
            if j is None:
                if sims:
                    near = min(sims, key=lambda m: abs(m - month_number(rs)))
                    stext = (
                        _t("nearest_outside", month=month_label(near), n=n)
                        if not any(abs(m - month_number(rs)) <= n for m in sims)
                        else _t("already_matched", month=month_label(near))
                    )
                    sm = month_label(near)
                else:
                    stext, sm = _t("never"), ""
                results[e["id"]] = ScoreItem(
                    e["id"],
                    kind,
                    _raw(e["start"]),
                    stext,
                    False,
                    rule,
                    _label_text(e),
                    rs,
                    rs,
                    sm,
                    sm,
                    category="no",
                )
            else:
                sm = month_label(sims[j])
                why = fail[i].get(sims[j], "")
                results[e["id"]] = ScoreItem(
                    e["id"],
                    kind,
                    _t("with_cause", month=e["start"], cause=_cause(e["cause"]))
                    if e.get("cause")
                    else _raw(e["start"]),
                    _t("because", text=sm, why=why) if why else _raw(sm),
                    not why,
                    rule,
                    _label_text(e),
                    rs,
                    rs,
                    sm,
                    sm,
                    category="no" if why else "yes",
                )
    # spans: absence spells
    spells = absence_spells(rr)
    held = held_months(rr)
    for e in eps:
        if e["kind"] not in SPAN_KINDS or e["id"] in results:
            continue
        lo, hi = month_number(e["start"]), month_number(e.get("end") or e["start"])
        rule = EPISODE_RULES[e["kind"]].format(n=n)
        rtext = _span(e["start"][:7], (e.get("end") or e["start"])[:7])
        cut_lo = window is not None and lo < window[0]
        cut_hi = window is not None and hi > window[1]
        if cut_lo or cut_hi:
            lo, hi = max(lo, window[0]), min(hi, window[1])
            rule += f" (span cut to the window: {_span_text(month_label(lo), month_label(hi))})"
        inside_held = [h for h in held if lo <= h <= hi]
        cands = [(a, b) for a, b in spells if (cut_lo and a <= lo + n) or abs(a - lo) <= n]
        if not cands:
            near = [(a, b) for a, b in spells if b >= lo - n and a <= hi + n]
            stext = (
                _t(
                    "no_spell_near",
                    n=n,
                    span=_t("span", start=month_label(near[0][0]), end=month_label(near[0][1])),
                )
                if near
                else _t("no_spell", n=n)
            )
            results[e["id"]] = ScoreItem(
                e["id"],
                e["kind"],
                rtext,
                stext,
                False,
                rule,
                _label_text(e),
                month_label(lo),
                month_label(hi),
                category="no",
            )
            continue
        a, b = min(cands, key=lambda s: (abs(s[0] - lo), s[0]))
        why = []
        if not (cut_hi and b >= hi - n) and abs(b - hi) > n:
            why.append(_t("ends", month=month_label(b), end=month_label(hi)))
        if inside_held:
            why.append(_t("held_inside", months=Joined(tuple(month_label(h) for h in inside_held))))
        stext = _t("span", start=month_label(a), end=month_label(b))
        if why:
            stext = _t("because", text=stext, why=Joined(tuple(why), "clause_sep"))
        results[e["id"]] = ScoreItem(
            e["id"],
            e["kind"],
            rtext,
            stext,
            not why,
            rule,
            _label_text(e),
            month_label(lo),
            month_label(hi),
            month_label(a),
            month_label(b),
            category="no" if why else "yes",
        )
    return [results[e["id"]] for e in eps]


# ---------------------------------------------------------------- output
def scorecard_csv(items: list[ScoreItem]) -> str:
    """CSV text of the items (columns :data:`SCORECARD_COLUMNS`; ``hit`` is ``true``/``false``,
    empty for an item outside the window, not scored; ``near``, ``fed`` ``true``/``false``)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(SCORECARD_COLUMNS)
    for it in items:
        w.writerow(
            [
                "true" if v is True else "false" if v is False else v
                for v in (getattr(it, c) for c in SCORECARD_COLUMNS)
            ]
        )
    return buf.getvalue()


#: The head of the report's list of fed items: what "fed" means, in words, and how many
#: of them are hits (the summary line counts only those); ``score.fed_head`` of
#: :data:`sixparty.analysis.i18n.LABELS` (its Chinese there).
FED_HEAD = LABELS["en"]["score.fed_head"]

#: Terminal columns of the report's kind column (the longest English kind, padded).
KIND_WIDTH = 21


def summary_line(items: list[ScoreItem], lang: str = "en") -> str:
    """``Replay scorecard (strict): H of N items hit`` (N scored items), then
    ``; K near misses (not counted)`` when K > 0, ``; F hits fed`` when some hits
    are fed items, and ``(M items outside the window not scored)`` when M > 0.
    ``lang="zh"``: the same in Chinese (``score.summary*`` of ``analysis.i18n``)."""
    check_lang(lang)
    scored = [it for it in items if it.scored]
    hits = sum(1 for it in scored if it.hit)
    line = phrase("score.summary", lang, hits=hits, n=len(scored))
    near = sum(1 for it in scored if it.near)
    if near:
        line += phrase(
            "score.summary.near" if near == 1 else "score.summary.nears", lang, near=near
        )
    fed = sum(1 for it in scored if it.hit and it.fed)
    if fed:
        line += phrase("score.summary.fed", lang, fed=fed)
    outside = len(items) - len(scored)
    if outside:
        key = "score.summary.outside" if outside == 1 else "score.summary.outsides"
        line += phrase(key, lang, n=outside)
    return line


def _kind(it: ScoreItem, lang: str) -> str:
    """The item's kind padded to :data:`KIND_WIDTH` columns: the kind itself in English,
    its name in Chinese (``score.kind.<kind>``; an unknown kind as it is)."""
    name = it.kind if lang == "en" else label(f"score.kind.{it.kind}", lang)
    if name == f"score.kind.{it.kind}":
        name = it.kind
    return pad(name, KIND_WIDTH)


def report_lines(items: list[ScoreItem], lang: str = "en") -> list[str]:
    """:func:`summary_line`, one line per miss, then the items outside the window; in
    ``lang`` (``"en"``, ``"zh"``: the ``score.*`` texts of ``analysis.i18n``; months,
    numbers and ids as in English)."""
    check_lang(lang)
    out = ["", summary_line(items, lang)]
    misses = [it for it in items if it.hit is False]
    if misses:
        out.append(phrase("score.misses", lang))
        for it in misses:
            out.append(
                phrase(
                    "score.miss_line",
                    lang,
                    kind=_kind(it, lang),
                    label=it.shown("label", lang),
                    recorded=it.shown("recorded", lang),
                    simulated=it.shown("simulated", lang),
                )
            )
    fed = [it for it in items if it.fed and it.scored]
    if fed:
        hits = sum(1 for it in fed if it.hit)
        out.append(
            phrase("score.fed_head", lang, hits=hits, n=len(fed))
            + label("list_sep", lang).join(
                phrase(
                    "score.fed_item",
                    lang,
                    label=it.shown("label", lang),
                    verdict=phrase("score.hit" if it.hit else "score.miss", lang),
                )
                for it in fed
            )
        )
    outside = [it for it in items if not it.scored]
    if outside:
        out.append(phrase("score.outside_head", lang))
        for it in outside:
            out.append(
                phrase(
                    "score.outside_line",
                    lang,
                    kind=_kind(it, lang),
                    label=it.shown("label", lang),
                    recorded=it.shown("recorded", lang),
                )
            )
    return out


def scorecard_writer(record_path: str | Path | None = None, lang: str = "en"):
    """A run-folder writer: quality columns, then ``scorecard.csv`` and the report
    (in ``lang``; ``scorecard.csv`` is the same in every language).

    ``writer(result, stage_dir) -> ["scorecard.csv"]``.  It first runs
    :func:`analysis.quality.quality_writer` (which rewrites ``sessions.csv``
    in the staging folder), then scores the run against the record (fed
    items flagged from the run's scenario and anchoring mode) and sets
    ``result.extra["report"]`` to :func:`report_lines` in ``lang`` (``"scorecard"``: the items,
    ``"tables"``: the run's :class:`~sixparty.analysis.runfiles.RunTables`).
    """
    from sixparty.analysis.quality import quality_writer

    check_lang(lang)
    qwrite = quality_writer()

    def write(result, stage_dir: Path) -> list[str]:
        from sixparty.analysis.runfiles import tables_from_result

        names = list(qwrite(result, stage_dir))
        # pandas-free tables (sixparty.analysis.lite): the same values, and the
        # command imports no pandas for them
        tables = tables_from_result(result, lite=True)
        record = load_record(record_path)
        items = score_run(
            tables, record, fed=fed_item_ids(record, getattr(result, "scenario", None))
        )
        (Path(stage_dir) / "scorecard.csv").write_text(
            scorecard_csv(items), encoding="utf-8", newline=""
        )
        extra = getattr(result, "extra", None)
        if isinstance(extra, dict):
            extra["report"] = report_lines(items, lang)
            extra["scorecard"] = items
            extra["tables"] = tables  # the figures writer draws from the same tables
        return names + ["scorecard.csv"]

    return write
