"""Replay scorecard: compare a run with the historical record.

The record is ``analysis/data/record.yaml`` (sessions with dates and document
type; the DPRK's and the US's episodes).  :func:`score_run` turns a run's
tables (:class:`analysis.runfiles.RunTables`) and the record into a list of
:class:`ScoreItem`, one per record item, each a hit or a miss under a stated
rule (``docs/validation.md`` gives every rule).  :func:`scorecard_writer` adds
``scorecard.csv`` to a run folder and puts the printed report in
``result.extra["report"]``.

Rules (tolerances in :data:`TOLERANCE`):

* session: the recorded session is matched to a simulated *held* session
  whose month lies within ±2 months of the recorded session's months
  (0 when inside ``start..end``).  Recorded sessions are taken in date order;
  each takes the nearest still-unmatched simulated session (the earlier one
  on a tie): greedy, one-to-one.
* document: the matched simulated session's ``document`` equals the recorded
  type (no match = miss).
* point episodes (suspension, shutdown, disablement start/slowed/suspended,
  declaration, delisting, walk-out, missile and nuclear tests): the model's
  corresponding state change (see :data:`EPISODE_RULES`) within ±3 months of
  the recorded month, matched greedily and one-to-one within each kind.
* span episodes (boycott): the months with ``talks_status`` in {suspended,
  boycott} that overlap the recorded span, as contiguous runs, against the
  span: hit when intersection over union ≥ 0.5.
* the run's window: a record item whose recorded months lie wholly outside
  the run's months (first..last month of ``timeline.csv``) is *not scored*:
  it is listed as outside the window (``hit`` is None), neither hit nor miss,
  and takes no part in the matching.  A span that straddles an edge of the
  window is scored on its part inside the window.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml
from sixparty.analysis.runfiles import RunTables, month_label, month_number

#: Default record file.
RECORD_PATH = Path(__file__).with_name("data") / "record.yaml"

#: Tolerances: months either side for sessions and point episodes; minimum
#: intersection over union for spans.
TOLERANCE = {"session": 2, "episode": 3, "span_iou": 0.5}

#: What in the run stands for each recorded episode kind.
EPISODE_RULES: dict[str, str] = {
    "suspension": "dprk_stance becomes 'suspended' (timeline.csv)",
    "boycott": "months with talks_status in {suspended, boycott} (timeline.csv)",
    "shutdown": "first month denuclearization progress > 0 in the phase whose DPRK steps name a shutdown (else the first phase)",
    "disablement_start": "first month progress enters the phase whose DPRK steps name disablement",
    "disablement_slowed": "implementation becomes 'slowed' (timeline.csv)",
    "declaration": "month the last DPRK tranche of the phase naming the declaration is completed (ledger.csv)",
    "disablement_suspended": "DPRK decision 'suspends_steps' (decisions.csv)",
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

    id: ``session:<record id>``, ``document:<record id>`` or the episode id.
    kind: ``session``, ``document`` or the episode kind.  recorded,
    simulated: readable text.  hit: True (hit), False (miss) or None (not
    scored: the recorded date lies outside the run's window; see
    :attr:`scored`).  rule: the rule applied.
    label: short English name.  rec_start/rec_end, sim_start/sim_end:
    ``YYYY-MM`` months (empty when there is none), for plots.
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

    @property
    def scored(self) -> bool:
        """False when the item lies outside the run's window (neither hit nor miss)."""
        return self.hit is not None


#: ``simulated`` text of an item outside the run's window.
OUTSIDE_TEXT = "outside the window ({start}..{end}): not scored"

SCORECARD_COLUMNS = ["id", "kind", "label", "recorded", "simulated", "hit", "rule",
                     "rec_start", "rec_end", "sim_start", "sim_end"]


def load_record(path: str | Path | None = None) -> dict:
    """The historical record (``sessions``, ``episodes``, ``hfo_delivered``) as plain data.

    Dates are kept as strings.  Raises OSError / yaml.YAMLError on an
    unreadable file, ValueError when ``sessions`` or ``episodes`` is missing.
    """
    p = Path(path) if path else RECORD_PATH
    data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict) or "sessions" not in data or "episodes" not in data:
        raise ValueError(f"{p}: expected a mapping with 'sessions' and 'episodes'")
    for item in list(data["sessions"]) + list(data["episodes"]):
        for key in ("start", "end"):
            if key in item and item[key] is not None:
                item[key] = str(item[key])
    return data


# --------------------------------------------------------------- matching
def _dist(m: int, lo: int, hi: int) -> int:
    return 0 if lo <= m <= hi else (lo - m if m < lo else m - hi)


def greedy_match(recorded: list[tuple[int, int]], simulated: list[int],
                 tolerance: int) -> list[int | None]:
    """One-to-one greedy matching in date order.

    recorded: (first month, last month) per recorded item, month numbers.
    simulated: month numbers.  Recorded items are visited in order of first
    month; each takes the nearest unmatched simulated month within
    ``tolerance`` months (the earlier on a tie).  Returns, per recorded item
    (in the given order), the index into ``simulated`` or None.
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
            key = (d, m, j)
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


def _decision_months(tables: RunTables, decision: str, party: str | None = None) -> list[int]:
    d = tables.decisions
    if d.empty:
        return []
    sel = d[d["decision"] == decision]
    if party:
        sel = sel[sel["party"] == party]
    return sorted(month_number(m) for m in sel["month"])


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


def _progress_enters(tables: RunTables, threshold: float, after: str = "") -> list[int]:
    tl = tables.timeline
    for month, p in zip(tl["month"], tl["progress"], strict=True):
        if after and month < after:
            continue
        if float(p) > threshold + 1e-9:
            return [month_number(month)]
    return []


def episode_months(tables: RunTables, kind: str) -> list[int]:
    """Month numbers at which the run shows a point episode of ``kind`` (sorted, unique)."""
    tl = tables.timeline
    months: list[int] = []
    if kind == "suspension":
        months = _transitions(tl, "dprk_stance", "suspended")
    elif kind == "shutdown":
        ph = _phase_with(tables, "shut")
        if ph is not None:
            first = min(ph[2]["promised"])
            months = _progress_enters(tables, ph[1], after=first)
        else:
            months = _progress_enters(tables, 0.0)
    elif kind == "disablement_start":
        ph = _phase_with(tables, "disabl")
        if ph is not None:
            months = _progress_enters(tables, ph[1], after=min(ph[2]["promised"]))
    elif kind == "disablement_slowed":
        months = _transitions(tl, "implementation", "slowed")
    elif kind == "declaration":
        ph = _phase_with(tables, "declar")
        if ph is not None:
            steps = ph[2]
            last = steps[steps["tranche"] == steps["tranche"].max()]
            done = [c for c in last["completed"] if c]
            months = [month_number(c) for c in done]
    elif kind == "disablement_suspended":
        months = _decision_months(tables, "suspends_steps", "DPRK")
    elif kind == "delisting":
        months = _decision_months(tables, "delists")
        led = tables.ledger
        if not led.empty:
            months += [month_number(c) for c in led[led["kind"] == "delisting"]["completed"] if c]
    elif kind == "walkout":
        months = _decision_months(tables, "walks_out", "DPRK") + _transitions(
            tl, "dprk_stance", "walked_out")
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


# --------------------------------------------------------------- scoring
def score_run(tables: RunTables, record: dict, tolerance: dict | None = None) -> list[ScoreItem]:
    """Score a run against the record; one :class:`ScoreItem` per record item.

    Order: for each recorded session (date order) its session item then its
    document item; then the episodes in date order.  Episode kinds without a
    rule in :data:`EPISODE_RULES` are skipped.  Items whose recorded months
    lie wholly outside the run's window (:func:`run_window`) are kept, with
    ``hit=None`` and ``simulated`` = :data:`OUTSIDE_TEXT`, and are not matched.
    """
    tol = dict(TOLERANCE, **(tolerance or {}))
    window = run_window(tables)
    items: list[ScoreItem] = []
    items += _score_sessions(tables, record.get("sessions", []), tol, window)
    items += _score_episodes(tables, record.get("episodes", []), tol, window)
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


def _score_sessions(tables: RunTables, rec_sessions: list[dict], tol: dict,
                    window: tuple[int, int] | None = None) -> list[ScoreItem]:
    recs = sorted(rec_sessions, key=lambda s: (s["start"], s.get("end") or s["start"]))
    held = tables.held
    sims = [] if held.empty else [
        (month_number(r["month"]), r) for _, r in held.sort_values("session_id").iterrows()]
    spans = [(month_number(s["start"]), month_number(s.get("end") or s["start"])) for s in recs]
    inside = [_inside(window, lo, hi) for lo, hi in spans]
    sub = greedy_match([sp for sp, ok in zip(spans, inside, strict=True) if ok],
                       [m for m, _ in sims], tol["session"])
    it_sub = iter(sub)
    match = [next(it_sub) if ok else None for ok in inside]
    n = tol["session"]
    srule = (f"a simulated held session within ±{n} months of the recorded dates, "
             "greedy in date order, one-to-one")
    drule = "the matched simulated session's document equals the recorded one"
    out = []
    for rec, j, ok in zip(recs, match, inside, strict=True):
        label = _label(rec)
        rtext = _span_text(rec["start"], rec.get("end"))
        rdoc = str(rec.get("document", "none"))
        rs, re_ = rec["start"][:7], (rec.get("end") or rec["start"])[:7]
        if not ok:
            out.append(ScoreItem(f"session:{rec['id']}", "session", rtext, _outside_text(window),
                                 None, srule, label, rs, re_))
            out.append(ScoreItem(f"document:{rec['id']}", "document", DOC_NAMES.get(rdoc, rdoc),
                                 _outside_text(window), None, drule, label, rs, re_))
            continue
        if j is None:
            out.append(ScoreItem(f"session:{rec['id']}", "session", rtext,
                                 f"no held session within ±{n} months", False, srule, label,
                                 rs, re_))
            out.append(ScoreItem(f"document:{rec['id']}", "document", DOC_NAMES.get(rdoc, rdoc),
                                 "no matched session", False, drule, label, rs, re_))
            continue
        m, srow = sims[j]
        sname = f"R{int(srow['round'])}.{int(srow['phase'])}"
        sdoc = str(srow["document"])
        out.append(ScoreItem(f"session:{rec['id']}", "session", rtext,
                             f"{srow['month']} ({sname})", True, srule, label, rs, re_,
                             srow["month"], srow["month"]))
        out.append(ScoreItem(f"document:{rec['id']}", "document", DOC_NAMES.get(rdoc, rdoc),
                             f"{DOC_NAMES.get(sdoc, sdoc)} ({sname} {srow['month']})",
                             sdoc == rdoc, drule, label, rs, re_, srow["month"], srow["month"]))
    return out


def _score_episodes(tables: RunTables, episodes: list[dict], tol: dict,
                    window: tuple[int, int] | None = None) -> list[ScoreItem]:
    eps = sorted((e for e in episodes if e.get("kind") in EPISODE_RULES),
                 key=lambda e: (e["start"], e["id"]))
    results: dict[str, ScoreItem] = {}
    n = tol["episode"]
    # outside the window: listed, not scored, not matched
    for e in eps:
        lo = month_number(e["start"])
        hi = month_number(e.get("end") or e["start"]) if e["kind"] in SPAN_KINDS else lo
        if not _inside(window, lo, hi):
            rs, re_ = e["start"][:7], (e.get("end") or e["start"])[:7]
            rtext = _span_text(rs, re_) if e["kind"] in SPAN_KINDS else e["start"]
            rule = f"{EPISODE_RULES[e['kind']]}"
            results[e["id"]] = ScoreItem(e["id"], e["kind"], rtext, _outside_text(window), None,
                                         rule, _label(e), rs, re_ if e["kind"] in SPAN_KINDS else rs)
    # point episodes: greedy one-to-one within each kind
    kinds = sorted({e["kind"] for e in eps if e["kind"] not in SPAN_KINDS})
    for kind in kinds:
        recs = [e for e in eps if e["kind"] == kind and e["id"] not in results]
        sims = episode_months(tables, kind)
        spans = [(month_number(e["start"]), month_number(e["start"])) for e in recs]
        match = greedy_match(spans, sims, n)
        rule = f"{EPISODE_RULES[kind]} within ±{n} months"
        for e, j in zip(recs, match, strict=True):
            rs = e["start"][:7]
            if j is None:
                if sims:
                    near = min(sims, key=lambda m: abs(m - month_number(rs)))
                    stext = f"nearest {month_label(near)} (outside ±{n} months)" if not any(
                        abs(m - month_number(rs)) <= n for m in sims) else \
                        f"{month_label(near)} (already matched to another record item)"
                    sm = month_label(near)
                else:
                    stext, sm = "never", ""
                results[e["id"]] = ScoreItem(e["id"], kind, e["start"], stext, False, rule,
                                             _label(e), rs, rs, sm, sm)
            else:
                sm = month_label(sims[j])
                results[e["id"]] = ScoreItem(e["id"], kind, e["start"], sm, True, rule,
                                             _label(e), rs, rs, sm, sm)
    # spans
    runs = absence_runs(tables)
    iou_min = tol["span_iou"]
    for e in eps:
        if e["kind"] not in SPAN_KINDS or e["id"] in results:
            continue
        lo, hi = month_number(e["start"]), month_number(e.get("end") or e["start"])
        rule = (f"{EPISODE_RULES[e['kind']]}: intersection over union with the recorded "
                f"span >= {iou_min:g}")
        rtext = _span_text(e["start"][:7], (e.get("end") or e["start"])[:7])
        if window is not None and (lo < window[0] or hi > window[1]):
            # a span straddling an edge of the window: its part inside the window
            lo, hi = max(lo, window[0]), min(hi, window[1])
            rule += f" (span cut to the window: {_span_text(month_label(lo), month_label(hi))})"
        over = [(a, b) for a, b in runs if b >= lo and a <= hi]
        if not over:
            results[e["id"]] = ScoreItem(e["id"], e["kind"], rtext,
                                         "talks not suspended or boycotted in the span",
                                         False, rule, _label(e), month_label(lo), month_label(hi))
            continue
        a, b = min(r[0] for r in over), max(r[1] for r in over)
        inter = sum(min(y, hi) - max(x, lo) + 1 for x, y in over)
        # union of the span and the runs: the span plus run months outside it
        outside = sum((y - x + 1) - (min(y, hi) - max(x, lo) + 1) for x, y in over)
        union = (hi - lo + 1) + outside
        iou = inter / union
        stext = f"{month_label(a)}..{month_label(b)} (IoU {iou:.2f})"
        results[e["id"]] = ScoreItem(e["id"], e["kind"], rtext, stext, iou >= iou_min - 1e-12,
                                     rule, _label(e), month_label(lo), month_label(hi),
                                     month_label(a), month_label(b))
    return [results[e["id"]] for e in eps]


# ---------------------------------------------------------------- output
def scorecard_csv(items: list[ScoreItem]) -> str:
    """CSV text of the items (columns :data:`SCORECARD_COLUMNS`; ``hit`` is ``true``/``false``,
    empty for an item outside the window, not scored)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(SCORECARD_COLUMNS)
    for it in items:
        d = asdict(it)
        w.writerow(["true" if d[c] is True else "false" if d[c] is False else d[c]
                    for c in SCORECARD_COLUMNS])
    return buf.getvalue()


def summary_line(items: list[ScoreItem]) -> str:
    """``Replay scorecard: H hits / N items`` (N scored items), plus
    ``(M items outside the window not scored)`` when M > 0."""
    scored = [it for it in items if it.scored]
    hits = sum(1 for it in scored if it.hit)
    line = f"Replay scorecard: {hits} hits / {len(scored)} items"
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
            out.append(f"  {it.kind:21} {it.label}: recorded {it.recorded}; simulated {it.simulated}")
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
    in the staging folder), then scores the run against the record and sets
    ``result.extra["report"]`` to :func:`report_lines`.
    """
    from sixparty.analysis.quality import quality_writer

    qwrite = quality_writer()

    def write(result, stage_dir: Path) -> list[str]:
        from sixparty.analysis.runfiles import tables_from_result

        names = list(qwrite(result, stage_dir))
        tables = tables_from_result(result)
        items = score_run(tables, load_record(record_path))
        (Path(stage_dir) / "scorecard.csv").write_text(scorecard_csv(items), encoding="utf-8",
                                                       newline="")
        extra = getattr(result, "extra", None)
        if isinstance(extra, dict):
            extra["report"] = report_lines(items)
            extra["scorecard"] = items
        return names + ["scorecard.csv"]

    return write
