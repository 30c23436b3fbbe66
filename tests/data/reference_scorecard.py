# The strict replay scorecard as it was on main at d25e018, before its scoring read plain
# lists instead of pandas DataFrames: analysis/scorecard.py kept verbatim (only this comment
# added), and at the end analysis/simulate.py's fast_tables, outcomes and score_row of the
# same commit.  tests/test_scorecard_identity.py compares the fast scoring with it, item by
# item and bit for bit.  Never import it from the package.
# Changed since (branch scorefix, 2026-12-03), for these items only: shutdown, disablement
# start/slowed/suspended and declaration read what the run did (the facility state columns,
# the disablement phase's own months, the scenario's declaration tranche), written here
# anew on DataFrames (episode_months, _episode_candidates, EPISODE_RULES, fast_tables).
# And (2026-12-03, stop 27): the disablement phase is the scenario's phase whose facility
# steps disable a facility (``disablements``), by the description only when the scenario
# is not known.
"""Strict replay scorecard: compare a run with the historical record.

The record is ``analysis/data/record.yaml`` (sessions with dates, document
type and, for a joint document, the phase it adopts; the DPRK's and the US's
episodes, with the cause where the article states one).  :func:`score_run`
turns a run's tables (:class:`analysis.runfiles.RunTables`) and the record
into a list of :class:`ScoreItem`, one per record item, each a hit or a miss
under a stated rule (``docs/validation.md`` gives every rule and why).
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
  recorded month, greedy one-to-one within each kind.  A suspension of
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
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml
from sixparty.analysis.runfiles import RunTables, month_label, month_number
from sixparty.scenario import DOCUMENT_TYPES

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


@dataclass
class ScoreItem:
    """One record item scored against a run.

    id: ``session:<record id>`` or the episode id.  kind: ``session`` or the
    episode kind.  recorded, simulated: readable text.  hit: True (hit),
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
    recorded: str
    simulated: str
    hit: bool | None
    rule: str
    label: str = ""
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


#: ``simulated`` text of an item outside the run's window.
OUTSIDE_TEXT = "outside the window ({start}..{end}): not scored"

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
    lab = item.get("label")
    if isinstance(lab, dict):
        return str(lab.get("en") or next(iter(lab.values()), item["id"]))
    if lab:
        return str(lab)
    if item.get("kind") in EPISODE_NAMES:
        return f"{EPISODE_NAMES[item['kind']]} ({str(item['start'])[:4]})"
    return str(item["id"]).replace("_", " ")


def _span_text(start: str, end: str | None) -> str:
    return start if not end or end == start else f"{start}..{end}"


# --------------------------------------------------------- run quantities
def _transitions(timeline, column: str, value: str) -> list[int]:
    """Month numbers where ``column`` becomes ``value`` (from another value or the start)."""
    out, prev = [], None
    for month, v in zip(timeline["month"], timeline[column], strict=True):
        if v == value and prev != value:
            out.append(month_number(month))
        prev = v
    return out


def _decision_rows(
    tables: RunTables, decision: str, party: str | None = None
) -> list[tuple[int, str]]:
    d = tables.decisions
    if d.empty:
        return []
    sel = d[d["decision"] == decision]
    if party:
        sel = sel[sel["party"] == party]
    reasons = sel["reason"] if "reason" in sel else [""] * len(sel)
    return sorted((month_number(m), str(r)) for m, r in zip(sel["month"], reasons, strict=True))


def _decision_months(tables: RunTables, decision: str, party: str | None = None) -> list[int]:
    return [m for m, _ in _decision_rows(tables, decision, party)]


def _phase_with(tables: RunTables, word: str):
    """(phase number, progress of earlier phases, its DPRK steps) for the first
    adopted phase whose DPRK step description contains ``word``; None if none."""
    led = tables.ledger
    if led.empty:
        return None
    dprk = led[led["kind"] == "dprk_action"]
    for phase in sorted(dprk["phase"].unique()):
        steps = dprk[dprk["phase"] == phase]
        if any(word in str(s).lower() for s in steps["description"]):
            before = float(dprk[dprk["phase"] < phase]["amount"].sum())
            return int(phase), before, steps
    return None


def _phase_named(tables: RunTables, names):
    """As :func:`_phase_with`, for the first adopted phase named one of ``names``."""
    led = tables.ledger
    if led.empty or "phase_name" not in led:
        return None
    dprk = led[led["kind"] == "dprk_action"]
    for phase in sorted(dprk["phase"].unique()):
        steps = dprk[dprk["phase"] == phase]
        if steps["phase_name"].astype(str).isin(list(names)).any():
            before = float(dprk[dprk["phase"] < phase]["amount"].sum())
            return int(phase), before, steps
    return None


def _progress_enters(tables: RunTables, threshold: float, after: str = "") -> list[int]:
    tl = tables.timeline
    for month, p in zip(tl["month"], tl["progress"], strict=True):
        if after and month < after:
            continue
        if float(p) > threshold + 1e-9:
            return [month_number(month)]
    return []


def _disablement(tables: RunTables, kind: str, phase: int) -> list[int]:
    """A disablement episode's months, read only while ``phase`` (the disablement phase)
    is the latest adopted one."""
    led, tl = tables.ledger, tables.timeline
    first: dict[int, int] = {}
    for p, pr in zip(led["phase"], led["promised"], strict=True):
        if isinstance(pr, str) and pr:
            first[int(p)] = min(first.get(int(p), month_number(pr)), month_number(pr))
    lo = first[phase]
    hi = min([m for q, m in first.items() if q > phase], default=10**9)
    months = [month_number(m) for m in tl["month"]]
    if kind == "disablement_suspended":
        return [m for m in _decision_months(tables, "suspends_steps", "DPRK") if lo <= m < hi]
    if kind == "disablement_start":
        dprk = led[led["kind"] == "dprk_action"]
        before = float(dprk[dprk["phase"] < phase]["delivered"].sum())
        for m, p in zip(months, tl["progress"], strict=True):
            if lo <= m < hi and float(p) > before + 1e-9:
                return [m]
        return []
    out, prev = [], None
    for m, v in zip(months, tl["implementation"], strict=True):
        if lo <= m < hi and v == "slowed" and (prev != "slowed" or m == lo):
            out.append(m)
        prev = v
    return out


def phase_numbers(tables: RunTables) -> dict[str, int]:
    """Phase name -> phase number (1-based, as ``ledger.csv`` ``phase``) from the ledger."""
    led = tables.ledger
    if led.empty or "phase_name" not in led:
        return {}
    return {str(n): int(p) for n, p in zip(led["phase_name"], led["phase"], strict=True)}


def phase_under_way(tables: RunTables, month: int) -> int | None:
    """Number of the most recently adopted phase at ``month`` (ledger ``promised``), or None."""
    led = tables.ledger
    if led.empty:
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


def suspension_causes(tables: RunTables) -> list[tuple[int, set[str]]]:
    """(month number, overdue step kinds it answered) per DPRK ``suspends_steps`` decision,
    in month order: from the ``cause`` column (:func:`overdue_causes`), or, in a run
    folder written before that column, from the ``reason`` text (:func:`overdue_kinds`)."""
    d = tables.decisions
    if d.empty:
        return []
    sel = d[(d["decision"] == "suspends_steps") & (d["party"] == "DPRK")]
    if "cause" in d.columns:
        kinds = [overdue_causes(c) for c in sel["cause"]]
    else:
        reasons = sel["reason"] if "reason" in sel else [""] * len(sel)
        kinds = [overdue_kinds(str(r)) for r in reasons]
    return sorted(
        ((month_number(m), k) for m, k in zip(sel["month"], kinds, strict=True)), key=lambda x: x[0]
    )


def episode_months(tables: RunTables, kind: str) -> list[int]:
    """Month numbers at which the run shows a point episode of ``kind`` (sorted, unique)."""
    tl = tables.timeline
    months: list[int] = []
    if kind == "suspension":
        months = _transitions(tl, "dprk_stance", "suspended")
    elif kind == "shutdown":
        fac = [c for c in tl.columns if str(c).startswith("facility_")]
        if fac:
            down = tl[fac].isin(["shut_down", "disabled", "dismantled"]).any(axis=1)
            months = [month_number(tl["month"][down].iloc[0])] if down.any() else []
        else:
            ph = _phase_with(tables, "shut")
            if ph is not None:
                done = [month_number(c) for c in ph[2]["completed"] if isinstance(c, str) and c]
                months = [min(done)] if done else []
    elif kind in ("disablement_start", "disablement_slowed", "disablement_suspended"):
        names = getattr(tables, "disablements", None)
        ph = _phase_with(tables, "disabl") if names is None else _phase_named(tables, names)
        if ph is not None:
            months = _disablement(tables, kind, ph[0])
    elif kind == "declaration":
        led = tables.ledger
        decl = getattr(tables, "declarations", None) or {}
        if not led.empty and decl:
            dprk = led[led["kind"] == "dprk_action"]
            for name, tranche, c in zip(
                dprk["phase_name"], dprk["tranche"], dprk["completed"], strict=True
            ):
                if decl.get(str(name)) == tranche and isinstance(c, str) and c:
                    months.append(month_number(c))
    elif kind == "delisting":
        months = _decision_months(tables, "delists")
        led = tables.ledger
        if not led.empty:
            months += [month_number(c) for c in led[led["kind"] == "delisting"]["completed"] if c]
    elif kind == "walkout":
        months = _decision_months(tables, "walks_out", "DPRK") + _transitions(
            tl, "dprk_stance", "walked_out"
        )
    elif kind in ("missile_test", "nuclear_test"):
        months = _decision_months(tables, kind, "DPRK")
    return sorted(set(months))


def absence_runs(tables: RunTables) -> list[tuple[int, int]]:
    """Contiguous runs (first, last month number) with talks_status suspended or boycott."""
    runs: list[tuple[int, int]] = []
    for month, st in zip(tables.timeline["month"], tables.timeline["talks_status"], strict=True):
        m = month_number(month)
        if st in ("suspended", "boycott"):
            if runs and runs[-1][1] == m - 1:
                runs[-1] = (runs[-1][0], m)
            else:
                runs.append((m, m))
    return runs


def held_months(tables: RunTables) -> list[int]:
    """Month numbers of the held sessions (sorted)."""
    held = tables.held
    return [] if held.empty else sorted(month_number(m) for m in held["month"])


def absence_spells(tables: RunTables) -> list[tuple[int, int]]:
    """The DPRK's absence spells (first, last month number).

    A month is absent when ``talks_status`` is boycott or suspended or
    ``dprk_stance`` is suspended.  Absent months form one spell until a held
    session (which the DPRK attended) intervenes: months without talks between
    two absent months are bridged.
    """
    tl = tables.timeline
    stance = tl["dprk_stance"] if "dprk_stance" in tl else [""] * len(tl)
    absent = [
        month_number(m)
        for m, st, ds in zip(tl["month"], tl["talks_status"], stance, strict=True)
        if st in ("suspended", "boycott") or ds == "suspended"
    ]
    held = held_months(tables)
    spells: list[tuple[int, int]] = []
    for m in absent:
        if spells and not any(spells[-1][1] < h < m for h in held) and m not in held:
            spells[-1] = (spells[-1][0], m)
        else:
            spells.append((m, m))
    return spells


# --------------------------------------------------------------- scoring
def score_run(
    tables: RunTables, record: dict, tolerance: dict | None = None, fed: set[str] | None = None
) -> list[ScoreItem]:
    """Score a run against the record; one :class:`ScoreItem` per record item.

    Order: the recorded sessions (date order), then the episodes in date
    order (:func:`record_items`).  Episode kinds without a rule in
    :data:`EPISODE_RULES` are skipped.  Items whose recorded months lie wholly
    outside the run's window (:func:`run_window`) are kept with ``hit=None``
    and are not matched.  ``fed``: scorecard ids to flag as fed
    (:func:`fed_item_ids`).
    """
    tol = dict(TOLERANCE, **(tolerance or {}))
    window = run_window(tables)
    items: list[ScoreItem] = []
    items += _score_sessions(tables, record.get("sessions", []), tol, window)
    items += _score_episodes(tables, record.get("episodes", []), tol, window)
    for it in items:
        it.fed = it.id in (fed or ())
    return items


def run_window(tables: RunTables) -> tuple[int, int] | None:
    """(first, last) month number of the run's timeline; None for an empty timeline."""
    months = list(tables.timeline["month"]) if "month" in tables.timeline else []
    if not months:
        return None
    return month_number(months[0]), month_number(months[-1])


def _inside(window: tuple[int, int] | None, lo: int, hi: int) -> bool:
    """The recorded months lo..hi overlap the window (always True without a window)."""
    return window is None or (hi >= window[0] and lo <= window[1])


def _outside_text(window: tuple[int, int]) -> str:
    return OUTSIDE_TEXT.format(start=month_label(window[0]), end=month_label(window[1]))


def _sim_sessions(tables: RunTables) -> list[tuple[int, dict]]:
    """(month number, row) of the held sessions in session order; each row gets
    ``adopted_number`` (phase number of the adopted phase, or None)."""
    held = tables.held
    if held.empty:
        return []
    names = phase_numbers(tables)
    out = []
    order = held.sort_values("session_id") if "session_id" in held else held
    for r in order.to_dict("records"):
        num = None
        if (
            "adopted_phase_number" in r
            and r["adopted_phase_number"] not in ("", None)
            and r["adopted_phase_number"] == r["adopted_phase_number"]
        ):
            num = int(r["adopted_phase_number"])
        elif r.get("adopted_phase"):
            num = names.get(str(r["adopted_phase"]))
        r["adopted_number"] = num
        out.append((month_number(r["month"]), r))
    return out


def _session_name(row: dict) -> str:
    """``session 7, 2006-02``: the model's own session number (invitation order), never its round counter."""
    from sixparty.analysis.rounds import SessionLabel

    if "session_id" not in row:
        return f"session, {str(row['month'])[:7]}"
    return SessionLabel(int(row["session_id"]) + 1, str(row["month"])[:7]).own()


def _session_hit(rec: dict, row: dict) -> tuple[bool, str]:
    """(hit, why not) of a matched session against a recorded one."""
    rdoc, sdoc = str(rec.get("document", "none")), str(row["document"])
    if sdoc != rdoc:
        return False, "wrong document"
    want = rec.get("adopts_phase")
    if want is not None and row.get("adopted_number") != int(want):
        got = row.get("adopted_number")
        return False, (
            f"wrong content: adopts phase {got}" if got else "wrong content: adopts no phase"
        ) + f", recorded phase {int(want)}"
    return True, ""


def _score_sessions(
    tables: RunTables, rec_sessions: list[dict], tol: dict, window: tuple[int, int] | None = None
) -> list[ScoreItem]:
    recs = sorted(rec_sessions, key=lambda s: (s["start"], s.get("end") or s["start"]))
    sims = _sim_sessions(tables)
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
        label = _label(rec)
        rdoc = str(rec.get("document", "none"))
        rtext = f"{DOC_NAMES.get(rdoc, rdoc)}, {_span_text(rec['start'], rec.get('end'))}"
        if rec.get("adopts_phase") is not None:
            rtext += f", adopts phase {int(rec['adopts_phase'])}"
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
                    f"no held session within ±{n} month{'s' if n != 1 else ''}",
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
        stext = f"{DOC_NAMES.get(sdoc, sdoc)} ({_session_name(srow)})"
        if srow.get("adopted_number"):
            stext += f", adopts phase {srow['adopted_number']}"
        if not hit:
            stext += f": {why}" + ("; one rank away (near miss)" if near else "")
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


def _episode_candidates(tables: RunTables, e: dict) -> list[tuple[int, str]]:
    """(month, failing condition or '') per simulated occurrence of ``e``'s kind."""
    kind = e["kind"]
    if kind != "disablement_suspended":
        return [(m, "") for m in episode_months(tables, kind)]
    out = []
    during = set(episode_months(tables, kind))
    for m, kinds in suspension_causes(tables):
        if m not in during:
            continue
        why = []
        want_phase = e.get("in_phase")
        if want_phase is not None:
            got = phase_under_way(tables, m)
            if got != int(want_phase):
                why.append(f"phase under way {got or 'none'}, recorded {int(want_phase)}")
        cause = e.get("cause")
        if cause:
            if cause not in kinds:
                why.append(f"cause {', '.join(sorted(kinds)) or 'unstated'}, recorded {cause}")
        out.append((m, "; ".join(why)))
    return out


def _score_episodes(
    tables: RunTables, episodes: list[dict], tol: dict, window: tuple[int, int] | None = None
) -> list[ScoreItem]:
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
            rtext = _span_text(rs, re_) if e["kind"] in SPAN_KINDS else e["start"]
            results[e["id"]] = ScoreItem(
                e["id"],
                e["kind"],
                rtext,
                _outside_text(window),
                None,
                EPISODE_RULES[e["kind"]].format(n=n),
                _label(e),
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
        cands = [_episode_candidates(tables, e) for e in recs]
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
                        f"nearest {month_label(near)} (outside ±{n} months)"
                        if not any(abs(m - month_number(rs)) <= n for m in sims)
                        else f"{month_label(near)} (already matched to another record item)"
                    )
                    sm = month_label(near)
                else:
                    stext, sm = "never", ""
                results[e["id"]] = ScoreItem(
                    e["id"],
                    kind,
                    e["start"],
                    stext,
                    False,
                    rule,
                    _label(e),
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
                    e["start"] + (f" (cause: {e['cause']})" if e.get("cause") else ""),
                    sm + (f": {why}" if why else ""),
                    not why,
                    rule,
                    _label(e),
                    rs,
                    rs,
                    sm,
                    sm,
                    category="no" if why else "yes",
                )
    # spans: absence spells
    spells = absence_spells(tables)
    held = held_months(tables)
    for e in eps:
        if e["kind"] not in SPAN_KINDS or e["id"] in results:
            continue
        lo, hi = month_number(e["start"]), month_number(e.get("end") or e["start"])
        rule = EPISODE_RULES[e["kind"]].format(n=n)
        rtext = _span_text(e["start"][:7], (e.get("end") or e["start"])[:7])
        cut_lo = window is not None and lo < window[0]
        cut_hi = window is not None and hi > window[1]
        if cut_lo or cut_hi:
            lo, hi = max(lo, window[0]), min(hi, window[1])
            rule += f" (span cut to the window: {_span_text(month_label(lo), month_label(hi))})"
        inside_held = [h for h in held if lo <= h <= hi]
        cands = [(a, b) for a, b in spells if (cut_lo and a <= lo + n) or abs(a - lo) <= n]
        if not cands:
            near = [(a, b) for a, b in spells if b >= lo - n and a <= hi + n]
            stext = f"no absence spell starting within ±{n} months" + (
                f" (nearest {month_label(near[0][0])}..{month_label(near[0][1])})" if near else ""
            )
            results[e["id"]] = ScoreItem(
                e["id"],
                e["kind"],
                rtext,
                stext,
                False,
                rule,
                _label(e),
                month_label(lo),
                month_label(hi),
                category="no",
            )
            continue
        a, b = min(cands, key=lambda s: (abs(s[0] - lo), s[0]))
        why = []
        if not (cut_hi and b >= hi - n) and abs(b - hi) > n:
            why.append(f"ends {month_label(b)}, recorded end {month_label(hi)}")
        if inside_held:
            why.append(
                "a session held inside the span ("
                + ", ".join(month_label(h) for h in inside_held)
                + ")"
            )
        stext = f"{month_label(a)}..{month_label(b)}" + (f": {'; '.join(why)}" if why else "")
        results[e["id"]] = ScoreItem(
            e["id"],
            e["kind"],
            rtext,
            stext,
            not why,
            rule,
            _label(e),
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
        d = asdict(it)
        w.writerow(
            [
                "true" if d[c] is True else "false" if d[c] is False else d[c]
                for c in SCORECARD_COLUMNS
            ]
        )
    return buf.getvalue()


#: The head of the report's list of fed items: what "fed" means, in words, and how many
#: of them are hits (the summary line counts only those).
FED_HEAD = (
    "Fed ({hits} of these {n} are hits; the scenario's inputs decide these items, not the "
    "model: the run was anchored to a stated position read off the very document or act "
    "scored, so a hit there is no evidence for the model): "
)


def summary_line(items: list[ScoreItem]) -> str:
    """``Replay scorecard (strict): H of N items hit`` (N scored items), then
    ``; K near misses (not counted)`` when K > 0, ``; F hits fed`` when some hits
    are fed items, and ``(M items outside the window not scored)`` when M > 0."""
    scored = [it for it in items if it.scored]
    hits = sum(1 for it in scored if it.hit)
    # the wording of 2026-12 ("H of N items hit", was "H hits / N items"): text only,
    # the scoring this reference pins is unchanged
    line = f"Replay scorecard (strict): {hits} of {len(scored)} items hit"
    near = sum(1 for it in scored if it.near)
    if near:
        line += (
            f"; {near} near miss{'es' if near != 1 else ''} (document one rank away, not counted)"
        )
    fed = sum(1 for it in scored if it.hit and it.fed)
    if fed:
        line += f"; {fed} of the hits fed by anchoring (decided by the inputs, not the model)"
    outside = len(items) - len(scored)
    if outside:
        line += f" ({outside} item{'s' if outside != 1 else ''} outside the window not scored)"
    return line


def report_lines(items: list[ScoreItem]) -> list[str]:
    """:func:`summary_line`, one line per miss, then the items outside the window."""
    out = ["", summary_line(items)]
    misses = [it for it in items if it.hit is False]
    if misses:
        out.append("Misses:")
        for it in misses:
            out.append(
                f"  {it.kind:21} {it.label}: recorded {it.recorded}; simulated {it.simulated}"
            )
    fed = [it for it in items if it.fed and it.scored]
    if fed:
        hits = sum(1 for it in fed if it.hit)
        out.append(
            FED_HEAD.format(hits=hits, n=len(fed))
            + ", ".join(f"{it.label} ({'hit' if it.hit else 'miss'})" for it in fed)
        )
    outside = [it for it in items if not it.scored]
    if outside:
        out.append("Outside the window (not scored):")
        for it in outside:
            out.append(f"  {it.kind:21} {it.label}: recorded {it.recorded}")
    return out


def scorecard_writer(record_path: str | Path | None = None):
    """A run-folder writer: quality columns, then ``scorecard.csv`` and the report.

    ``writer(result, stage_dir) -> ["scorecard.csv"]``.  It first runs
    :func:`analysis.quality.quality_writer` (which rewrites ``sessions.csv``
    in the staging folder), then scores the run against the record (fed
    items flagged from the run's scenario and anchoring mode) and sets
    ``result.extra["report"]`` to :func:`report_lines` (``"scorecard"``: the items,
    ``"tables"``: the run's :class:`~sixparty.analysis.runfiles.RunTables`).
    """
    from sixparty.analysis.quality import quality_writer

    qwrite = quality_writer()

    def write(result, stage_dir: Path) -> list[str]:
        from sixparty.analysis.runfiles import tables_from_result

        names = list(qwrite(result, stage_dir))
        tables = tables_from_result(result)
        record = load_record(record_path)
        items = score_run(
            tables, record, fed=fed_item_ids(record, getattr(result, "scenario", None))
        )
        (Path(stage_dir) / "scorecard.csv").write_text(
            scorecard_csv(items), encoding="utf-8", newline=""
        )
        extra = getattr(result, "extra", None)
        if isinstance(extra, dict):
            extra["report"] = report_lines(items)
            extra["scorecard"] = items
            extra["tables"] = tables  # the figures writer draws from the same tables
        return names + ["scorecard.csv"]

    return write


# ----------------------------------------------- analysis/simulate.py at d25e018 (verbatim)
import math  # noqa: E402

import pandas as pd  # noqa: E402


def fast_tables(result) -> RunTables:
    """The tables the scorecard reads, straight from a :class:`RunResult`'s rows (no CSV
    round trip; positions, trust, drafts and events left empty)."""
    from sixparty.outputs import DECISION_COLUMNS, LEDGER_COLUMNS

    empty = pd.DataFrame()
    return RunTables(
        timeline=pd.DataFrame(result.timeline),
        positions=empty,
        trust=empty,
        sessions=pd.DataFrame(result.sessions),
        drafts=empty,
        ledger=pd.DataFrame(result.ledger, columns=LEDGER_COLUMNS),
        decisions=pd.DataFrame(result.decisions, columns=DECISION_COLUMNS),
        events=pd.DataFrame(columns=["id", "date", "month", "type", "title"]),
        scenario_name=result.scenario.name,
        seed=result.seed,
        declarations={
            ph.name: ph.declaration_tranche
            for ph in getattr(result.scenario, "phases", ())
            if ph.declaration_tranche is not None
        },
        disablements=tuple(
            ph.name
            for ph in getattr(result.scenario, "phases", ())
            if any(f.to == "disabled" for f in getattr(ph, "facility_steps", ()))
        ),
    )


def outcomes(tables: RunTables) -> dict[str, float]:
    """Key outcomes of one run (for sensitivity analysis).

    first_joint_statement: months from the window's start to the first held session
    with a joint statement or joint document (NaN if none); walkout, nuclear_test:
    1.0 if the DPRK walked out / tested a nuclear device in the run, else 0.0;
    final_progress: denuclearization progress in the last month, in [0, 1].
    """
    tl = tables.timeline
    start = month_number(tl["month"].iloc[0])
    first = math.nan
    held = tables.held
    if not held.empty:
        js = [
            month_number(m)
            for m, d in zip(held["month"], held["document"], strict=True)
            if DOC_RANK.get(str(d), 0) >= DOC_RANK["joint_statement"]
        ]
        if js:
            first = float(min(js) - start)
    dec = tables.decisions
    dprk = dec[dec["party"] == "DPRK"] if not dec.empty else dec
    return {
        "first_joint_statement": first,
        "walkout": float(not dprk.empty and (dprk["decision"] == "walks_out").any()),
        "nuclear_test": float(not dprk.empty and (dprk["decision"] == "nuclear_test").any()),
        "final_progress": float(tl["progress"].iloc[-1]),
    }


def score_row(tables: RunTables, record: dict, fed: set[str] | None = None) -> dict:
    """``{"hit": {id: True/False/None}, "category": {id: str}, "near": {id: bool},
    "fed": [ids], "outcomes": {...}}`` for one run's tables."""
    items = score_run(tables, record, fed=fed)
    return {
        "hit": {it.id: it.hit for it in items},
        "category": {it.id: it.category for it in items},
        "near": {it.id: it.near for it in items},
        "fed": sorted(it.id for it in items if it.fed),
        "outcomes": outcomes(tables),
    }
