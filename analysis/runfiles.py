"""Read a run folder (or an in-memory run) into pandas tables.

Both roads give the same :class:`RunTables`: :func:`read_run` parses the CSV
files of a run folder (``docs/outputs.md``); :func:`tables_from_result`
serialises a :class:`sim.runner.RunResult` with the very writer of
:mod:`sim.outputs` and parses that text, so a figure drawn during
``sixparty run`` and one redrawn by ``sixparty plot`` from the saved files see
identical numbers.

Months stay ``YYYY-MM`` strings in the tables; :func:`month_number` and
:func:`month_start` turn them into integers (for tolerances) and dates (for
time axes).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

#: Files a folder must hold to count as a run folder.
REQUIRED_FILES = ("timeline.csv", "sessions.csv")
#: Every table of a run folder (file stem -> attribute of RunTables).
TABLE_FILES = ("timeline", "positions", "trust", "sessions", "drafts", "ledger", "decisions")


class NotARunFolder(ValueError):
    """The path is not a run folder written by ``sixparty run`` (message says why)."""


@dataclass
class RunTables:
    """A run as DataFrames (columns of ``docs/outputs.md``).

    events: one row per exogenous event of the scenario (``id``, ``date``
    ``YYYY-MM-DD`` or ``YYYY-MM``, ``month``, ``type``, ``title``); taken from
    the scenario when it is known, else rebuilt from the ``event:<id>`` tokens
    of ``timeline.csv`` (title = the id made readable).
    """

    timeline: pd.DataFrame
    positions: pd.DataFrame
    trust: pd.DataFrame
    sessions: pd.DataFrame
    drafts: pd.DataFrame
    ledger: pd.DataFrame
    decisions: pd.DataFrame
    events: pd.DataFrame
    scenario_name: str = ""
    seed: int | None = None
    meta: dict = field(default_factory=dict)

    @property
    def months(self) -> list[str]:
        return list(self.timeline["month"])

    @property
    def held(self) -> pd.DataFrame:
        """Sessions that sat (``held`` true), in order."""
        if self.sessions.empty:
            return self.sessions
        return self.sessions[self.sessions["held"].astype(bool)]


# ------------------------------------------------------------------ months
def month_number(label: str) -> int:
    """``YYYY-MM`` (or ``YYYY-MM-DD``) -> months since year 0 (sortable int)."""
    s = str(label)
    return int(s[:4]) * 12 + int(s[5:7]) - 1


def month_label(number: int) -> str:
    """Inverse of :func:`month_number`."""
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def month_start(label: str) -> dt.date:
    """First day of the month of ``YYYY-MM`` or ``YYYY-MM-DD``."""
    s = str(label)
    return dt.date(int(s[:4]), int(s[5:7]), 1)


def month_end(label: str) -> dt.date:
    """First day of the month after ``label`` (the end of the month as a boundary)."""
    n = month_number(label) + 1
    return dt.date(n // 12, n % 12 + 1, 1)


def day_of(label: str) -> dt.date:
    """A date for ``YYYY-MM-DD``; the 15th for a bare ``YYYY-MM``."""
    s = str(label)
    if len(s) >= 10:
        return dt.date(int(s[:4]), int(s[5:7]), int(s[8:10]))
    return dt.date(int(s[:4]), int(s[5:7]), 15)


# ------------------------------------------------------------------ reading
_BOOL_COLUMNS = {"sessions": ("held", "recess", "direct_contact")}
_STR_COLUMNS = {
    "timeline": ("month", "talks_status", "dprk_stance", "implementation", "events"),
    "sessions": ("month", "invited_by", "attended", "declined", "target", "document",
                 "adopted_phase", "notes"),
    "ledger": ("phase_name", "party", "kind", "description", "unit", "promised", "due",
               "completed"),
    "decisions": ("month", "party", "decision", "reason"),
    "positions": ("month", "party", "issue"),
    "trust": ("month", "party", "toward"),
}


def _parse(name: str, text: str) -> pd.DataFrame:
    strs = _STR_COLUMNS.get(name, ())
    bools = _BOOL_COLUMNS.get(name, ())
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    for c in df.columns:
        if c in bools:
            df[c] = df[c].str.lower().eq("true")
        elif c not in strs:
            df[c] = pd.to_numeric(df[c].replace("", None), errors="coerce")
    return df


def read_run(run_dir: str | Path) -> RunTables:
    """Read the run folder ``run_dir``.

    Raises :class:`NotARunFolder` if ``run_dir`` is missing, not a folder, or
    lacks ``timeline.csv``/``sessions.csv``, or if a table cannot be parsed.
    Optional tables that are absent come back empty.
    """
    d = Path(run_dir)
    if not d.exists():
        raise NotARunFolder(f"{d}: no such folder")
    if not d.is_dir():
        raise NotARunFolder(f"{d}: not a folder (expected a run folder written by 'sixparty run')")
    missing = [f for f in REQUIRED_FILES if not (d / f).is_file()]
    if missing:
        raise NotARunFolder(f"{d}: not a run folder ({', '.join(missing)} missing; "
                            "write one with 'sixparty run --out DIR')")
    tables = {}
    for name in TABLE_FILES:
        p = d / f"{name}.csv"
        text = p.read_text(encoding="utf-8") if p.is_file() else ""
        try:
            tables[name] = _parse(name, text) if text.strip() else pd.DataFrame()
        except (pd.errors.ParserError, ValueError) as exc:
            raise NotARunFolder(f"{p}: cannot be read as a run table ({exc})") from None
    if "month" not in tables["timeline"].columns or tables["timeline"].empty:
        raise NotARunFolder(f"{d / 'timeline.csv'}: no 'month' column or no rows")
    meta = {}
    mp = d / "manifest.json"
    if mp.is_file():
        try:
            meta = json.loads(mp.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            meta = {}
    scenario = _scenario_from_manifest(meta, d)
    events = events_table(scenario, tables["timeline"])
    return RunTables(**tables, events=events, scenario_name=meta.get("scenario", d.name),
                     seed=meta.get("seed"), meta=meta)


def _scenario_from_manifest(meta: dict, run_dir: Path):
    """The scenario named in the manifest, if it still loads; else None."""
    path = meta.get("scenario_file")
    if not path:
        return None
    p = Path(path)
    if not p.is_absolute() and not p.exists():
        p = run_dir / p
    try:
        from sim.loader import load_scenario

        return load_scenario(p)
    except Exception:  # the file moved or changed: fall back to the ids
        return None


def tables_from_result(result) -> RunTables:
    """The tables of an in-memory :class:`sim.runner.RunResult` (as the files would be)."""
    from sim import outputs

    texts = {
        "timeline": outputs.csv_text(result.timeline, outputs.TIMELINE_COLUMNS),
        "positions": outputs.csv_text(result.position_rows(),
                                      ["month", "party", "issue", "position", "salience"]),
        "trust": outputs.csv_text(result.trust_rows(), ["month", "party", "toward", "trust"]),
        "sessions": outputs.csv_text(result.sessions, outputs.session_columns(result)),
        "drafts": outputs.csv_text(result.drafts, outputs.draft_columns()),
        "ledger": outputs.csv_text(result.ledger, outputs.LEDGER_COLUMNS),
        "decisions": outputs.csv_text(result.decisions, ["month", "party", "decision", "reason"]),
    }
    tables = {k: _parse(k, v) for k, v in texts.items()}
    events = events_table(result.scenario, tables["timeline"])
    return RunTables(**tables, events=events, scenario_name=result.scenario.name,
                     seed=result.seed, meta={"title": result.scenario.title or ""})


def events_table(scenario, timeline: pd.DataFrame) -> pd.DataFrame:
    """Exogenous events (id, date, month, type, title) from the scenario or the timeline."""
    cols = ["id", "date", "month", "type", "title"]
    if scenario is not None:
        rows = [{"id": e.id, "date": e.date, "month": e.date[:7], "type": e.type,
                 "title": e.title} for e in scenario.events]
        return pd.DataFrame(rows, columns=cols)
    rows = []
    if "events" in timeline.columns:
        for month, ev in zip(timeline["month"], timeline["events"], strict=True):
            for tok in str(ev).split(";"):
                tok = tok.strip()
                if tok.startswith("event:"):
                    eid = tok[len("event:"):]
                    rows.append({"id": eid, "date": month, "month": month, "type": "",
                                 "title": eid.replace("_", " ")})
    return pd.DataFrame(rows, columns=cols)
