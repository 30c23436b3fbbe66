"""Read a run folder (or an in-memory run) into pandas tables (or pandas-free ones).

Both roads give the same :class:`RunTables`: :func:`read_run` parses the CSV
files of a run folder (``docs/outputs.md``); :func:`tables_from_result`
serialises a :class:`sim.runner.RunResult` with the very writer of
:mod:`sixparty.outputs` and parses that text, so a figure drawn during
``sixparty run`` and one redrawn by ``sixparty plot`` from the saved files see
identical numbers.  ``tables_from_result(result, lite=True)`` gives the same
tables as :class:`sixparty.analysis.lite.Frame` (no pandas: ``sixparty run``'s road).
pandas is imported by the functions that make DataFrames, not by this module.

Months stay ``YYYY-MM`` strings in the tables; :func:`month_number` and
:func:`month_start` turn them into integers (for tolerances) and dates (for
time axes).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sixparty import outputs

if TYPE_CHECKING:
    import pandas as pd

#: Files a folder must hold to count as a run folder.
REQUIRED_FILES = ("timeline.csv", "sessions.csv")
#: Every table of a run folder (file stem -> attribute of RunTables).
TABLE_FILES = ("timeline", "positions", "trust", "sessions", "drafts", "ledger", "decisions")


class NotARunFolder(ValueError):
    """The path is not a run folder written by ``sixparty run`` (message says why)."""


class DamagedRunFolder(NotARunFolder):
    """A run folder whose files are missing, changed since the run, or malformed.

    The message names the file (``RUN/positions.csv is missing``,
    ``RUN/trust.csv has changed since the run (checksum mismatch ...)``,
    ``RUN/ledger.csv is damaged: missing column 'kind'``).
    """


@dataclass
class RunTables:
    """A run as DataFrames (columns of ``docs/outputs.md``), or as
    :class:`sixparty.analysis.lite.Frame` (``tables_from_result(..., lite=True)``).

    events: one row per exogenous event of the scenario (``id``, ``date``
    ``YYYY-MM-DD`` or ``YYYY-MM``, ``month``, ``type``, ``title``); taken from
    the scenario when it is known, else rebuilt from the ``event:<id>`` tokens
    of ``timeline.csv`` (title = the id made readable).
    declarations: phase name -> the DPRK tranche that carries the phase's
    declaration (the scenario's ``declaration_tranche``,
    :func:`declaration_tranches`); empty when the scenario is not known (the
    scorecard then sees no declaration).
    disablements: the names of the scenario's phases that disable a facility
    (:func:`disablement_phases`); None when the scenario is not known (the
    scorecard then reads the ledger's step descriptions).
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
    declarations: dict = field(default_factory=dict)
    disablements: tuple[str, ...] | None = None

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
    "timeline": ("month", "talks_status", "dprk_stance", "implementation", "events", "reanchored"),
    "sessions": (
        "month",
        "invited_by",
        "attended",
        "declined",
        "ending",
        "target",
        "document",
        "adopted_phase",
        "notes",
        "note_codes",
        "note_values",
    ),
    "ledger": (
        "phase_name",
        "party",
        "kind",
        "description",
        "unit",
        "promised",
        "due",
        "completed",
        "superseded",
    ),
    "decisions": ("month", "party", "decision", "reason", "cause", "reason_codes", "reason_values"),
    "positions": ("month", "party", "issue"),
    "trust": ("month", "party", "toward"),
}


#: Issues appended to :data:`sixparty.scenario.ISSUES` after run folders were first
#: written: ``sequence`` (2026-12-03, docs/model.md §3.14).  A folder written before
#: has no ``text_sequence`` (sessions) or ``sequence`` (drafts) column and no
#: ``sequence`` rows in positions.csv: :func:`read_run` adds the columns as NaN
#: ("not recorded") and accepts the shorter positions table.
ISSUES_ADDED_LATER: tuple[str, ...] = ("sequence",)
#: The issue-keyed columns each table gained with :data:`ISSUES_ADDED_LATER`.
_ADDED_LATER_COLUMNS = {
    "sessions": tuple(f"text_{issue}" for issue in ISSUES_ADDED_LATER),
    "drafts": ISSUES_ADDED_LATER,
}


def recorded_issues(tables: RunTables) -> tuple[str, ...]:
    """The issues of :data:`~sixparty.scenario.ISSUES` that ``tables`` recorded: all of
    them, or (a folder written before :data:`ISSUES_ADDED_LATER`) the others."""
    from sixparty.scenario import ISSUES

    pos = tables.positions
    if len(pos) == 0 or "issue" not in getattr(pos, "columns", ()):
        return ISSUES
    present = set(pos["issue"])
    return tuple(i for i in ISSUES if i in present or i not in ISSUES_ADDED_LATER)


def _add_later_columns(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with the issue columns of an older run folder's table added as NaN."""
    for c in _ADDED_LATER_COLUMNS.get(name, ()):
        if c not in df.columns:
            df[c] = float("nan")
    return df


#: Columns every table must have (more are allowed: analysis adds some to sessions.csv).
REQUIRED_COLUMNS = {
    "timeline": tuple(outputs.TIMELINE_COLUMNS),
    "positions": ("month", "party", "issue", "position", "salience"),
    "trust": ("month", "party", "toward", "trust"),
    # ``ending``, the offer counts and the note codes came later: run folders written
    # before them still read.
    "sessions": tuple(
        c
        for c in outputs.session_columns(None)
        if c
        not in (
            "ending",
            "conflicts",
            "compromises",
            "capitulations",
            "note_codes",
            "note_values",
            *(f"text_{issue}" for issue in ISSUES_ADDED_LATER),
        )
    ),
    # the ``sequence`` issue came later (docs/model.md §3.14): eight-issue run folders
    # still read, its columns NaN (:data:`ISSUES_ADDED_LATER`)
    "drafts": tuple(c for c in outputs.draft_columns() if c not in ISSUES_ADDED_LATER),
    # ``superseded`` came later: run folders written before it still read.
    "ledger": tuple(c for c in outputs.LEDGER_COLUMNS if c != "superseded"),
    "decisions": ("month", "party", "decision", "reason"),
}
#: Numeric columns that may never be empty (the others are empty for "not applicable").
_FILLED_COLUMNS = {
    "timeline": (
        "progress",
        "aid_pledged_t",
        "aid_delivered_t",
        "sanctions",
        "mean_trust",
        "trust_dprk_us",
        "trust_us_dprk",
    ),
    "positions": ("position", "salience"),
    "trust": ("trust",),
    "drafts": ("session_id", "iteration"),
    "sessions": ("session_id", "round", "phase", "iterations"),
    "ledger": ("step_id", "phase", "tranche", "amount", "delivered"),
}
#: Columns holding a month ``YYYY-MM`` (``completed`` may be empty).
_MONTH_COLUMNS = {
    "timeline": ("month",),
    "positions": ("month",),
    "trust": ("month",),
    "sessions": ("month",),
    "decisions": ("month",),
    "ledger": ("promised", "due", "completed", "superseded"),
}
_MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
#: Month columns that are empty for "not yet" / "never".
_MAY_BE_EMPTY = ("completed", "superseded")


def _is_str_column(name: str, column: str) -> bool:
    """Text columns: the declared ones and timeline.csv's ``facility_<name>`` states."""
    return column in _STR_COLUMNS.get(name, ()) or (
        name == "timeline" and column.startswith(outputs.FACILITY_PREFIX)
    )


class _TableProblem(ValueError):
    """What is wrong inside one table (the caller adds the file name)."""


def _parse(name: str, text: str) -> pd.DataFrame:
    """Parse the CSV ``text`` of table ``name`` leniently (no checks; bad numbers become NaN).

    For text the writer of :mod:`sixparty.outputs` produced (``tables_from_result``,
    ``analysis.quality``); files on disk go through :func:`_parse_checked`.
    """
    import pandas as pd

    strs = _STR_COLUMNS.get(name, ())
    bools = _BOOL_COLUMNS.get(name, ())
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    for c in df.columns:
        if c in bools:
            df[c] = df[c].str.lower().eq("true")
        elif c not in strs and not _is_str_column(name, c):
            df[c] = pd.to_numeric(df[c].replace("", None), errors="coerce")
    return df


def _parse_lite(name: str, text: str):
    """:func:`_parse` without pandas: a :class:`sixparty.analysis.lite.Frame` with the
    same values (``tests/test_lite.py``)."""
    from sixparty.analysis import lite

    return lite.parse(
        text,
        strs=_STR_COLUMNS.get(name, ()),
        bools=_BOOL_COLUMNS.get(name, ()),
        is_str=lambda c: _is_str_column(name, c),
    )


def _parse_checked(name: str, text: str) -> pd.DataFrame:
    """Parse the CSV ``text`` of table ``name`` and check its columns and cell types.

    Raises :class:`_TableProblem` (a ValueError) saying what is wrong: a
    missing column, an incomplete line, a cell that is not a number, a
    ``true``/``false`` or a month ``YYYY-MM`` where one is expected.
    Line numbers count the header as line 1.
    """
    import pandas as pd

    strs = _STR_COLUMNS.get(name, ())
    bools = _BOOL_COLUMNS.get(name, ())
    if text and not text.endswith("\n"):
        raise _TableProblem(
            f"line {text.count(chr(10)) + 1} is incomplete (no line end: the file was cut short)"
        )
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise _TableProblem("the file is empty (expected a header line)") from None
    except pd.errors.ParserError as exc:
        raise _TableProblem(f"not a well-formed CSV table ({str(exc).strip()})") from None
    missing = [c for c in REQUIRED_COLUMNS.get(name, ()) if c not in df.columns]
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise _TableProblem(f"missing column {missing[0]!r}{more}")
    short = df.isna().any(axis=1)
    if short.any():
        line = int(short.to_numpy().argmax()) + 2
        raise _TableProblem(
            f"line {line} is incomplete ({len(df.columns)} fields expected; "
            "the file may have been cut short)"
        )
    for c in _MONTH_COLUMNS.get(name, ()):
        if c not in df.columns:  # a column added later (ledger ``superseded``)
            continue
        col = df[c]
        bad = ~col.str.match(_MONTH_RE) & ~((col == "") & (c in _MAY_BE_EMPTY))
        _raise_first(bad, col, c, "a month YYYY-MM")
    filled = _FILLED_COLUMNS.get(name, ())
    for c in df.columns:
        col = df[c]
        if c in bools:
            low = col.str.lower()
            _raise_first(~low.isin(("true", "false")), col, c, "true or false")
            df[c] = low.eq("true")
        elif c not in strs and not _is_str_column(name, c):
            present = col != ""
            num = pd.to_numeric(col.where(present, None), errors="coerce")
            _raise_first(present & num.isna(), col, c, "a number")
            if c in filled:
                _raise_first(~present, col, c, "a number")
            df[c] = num
    return _add_later_columns(name, df)


def _raise_first(bad: pd.Series, col: pd.Series, column: str, expected: str) -> None:
    if bad.any():
        i = int(bad.to_numpy().argmax())
        raise _TableProblem(
            f"line {i + 2}, column {column!r}: expected {expected}, got {col.iloc[i]!r}"
        )


def _read_manifest(d: Path) -> dict:
    """The manifest of run folder ``d`` (DamagedRunFolder if it is missing or unreadable)."""
    mp = d / "manifest.json"
    if not mp.is_file():
        raise DamagedRunFolder(
            f"{mp} is missing (every folder written by 'sixparty run' has one; "
            "run the scenario again)"
        )
    try:
        meta = json.loads(mp.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DamagedRunFolder(f"{mp} is damaged: not readable JSON ({exc})") from None
    if not isinstance(meta, dict) or not isinstance(meta.get("files"), dict):
        raise DamagedRunFolder(
            f"{mp} is damaged: expected a JSON object with a 'files' list of checksums"
        )
    return meta


#: The commands that write an output folder of each manifest ``kind`` other than a run.
_FOLDER_COMMANDS = {
    "ensemble": "sixparty run --runs N",
    "comparison": "sixparty compare",
    "evaluation": "sixparty evaluate",
    "calibration": "sixparty calibrate",
    "sensitivity": "sixparty sensitivity",
}


def _other_output_folder(d: Path) -> str | None:
    """The message for ``d`` when it is another command's output folder (its
    ``manifest.json`` says ``kind``: an ensemble, a comparison, ...), or None: what it
    is, that a single run's folder is needed, and how to get one."""
    try:
        kind = json.loads((d / "manifest.json").read_text(encoding="utf-8")).get("kind")
    except (OSError, ValueError, AttributeError):
        return None
    if kind not in _FOLDER_COMMANDS:
        return None
    text = (
        f"{d} is {'an' if kind[0] in 'aeiou' else 'a'} {kind} folder (written by "
        f"'{_FOLDER_COMMANDS[kind]}'), which holds summaries of many runs, not one run's "
        "tables; this needs a single run's folder (written by 'sixparty run --out DIR')"
    )
    if kind == "ensemble":
        rerun = shlex.quote(f"{str(d).rstrip('/')}-replicate0")
        text += (
            f"; to get one of its runs: sixparty run --seed-of {shlex.quote(str(d))} 0 "
            f"(it writes {rerun})"
        )
    return text


def read_run(run_dir: str | Path, verify: bool = True) -> RunTables:
    """Read and check the run folder ``run_dir``.

    Checks, in order: the folder and ``timeline.csv``/``sessions.csv`` exist
    (else :class:`NotARunFolder`); with ``verify`` (the default),
    ``manifest.json`` exists and every data table it lists
    (``timeline.csv``, ``positions.csv``, ``trust.csv``, ``sessions.csv``,
    ``drafts.csv``, ``ledger.csv``, ``decisions.csv``) exists; every table has
    its columns (:data:`REQUIRED_COLUMNS`), complete lines, numbers, booleans
    and ``YYYY-MM`` months where expected, and ``positions.csv``/``trust.csv``
    have one row per month x party x issue (party); months are in order
    (:func:`_check_months`: the timeline strictly increasing); finally, with ``verify``,
    each table's SHA-256 matches the manifest.  Figures and ``scorecard.*``,
    also listed in the manifest, are not checked: ``sixparty plot`` redraws
    the figures and nothing here reads them.  Any of these problems raises
    :class:`DamagedRunFolder` (a :class:`NotARunFolder`) naming the file.

    ``verify=False`` skips the manifest (for folders assembled by hand);
    absent tables then come back empty.

    A folder written with ``sixparty run --format parquet`` (``timeline.parquet``
    and no ``timeline.csv``) is read from its ``.parquet`` tables (needs pyarrow),
    with the same checks of presence, columns, row counts and checksums; the
    numbers keep their full precision.  The scenario comes from the folder's
    ``scenario.resolved.yaml`` when it has one.
    """
    import pandas as pd

    d = Path(run_dir)
    if not d.exists():
        raise NotARunFolder(f"{d}: no such folder")
    if not d.is_dir():
        raise NotARunFolder(f"{d}: not a folder (expected a run folder written by 'sixparty run')")
    # Tables are CSV, or Parquet for `sixparty run --format parquet` (outputs.TABLE_FORMATS).
    ext = (
        "parquet"
        if not (d / "timeline.csv").is_file() and (d / "timeline.parquet").is_file()
        else "csv"
    )
    missing = [
        f.replace(".csv", f".{ext}")
        for f in REQUIRED_FILES
        if not (d / f.replace(".csv", f".{ext}")).is_file()
    ]
    if missing:
        raise NotARunFolder(
            _other_output_folder(d)
            or (
                f"{d}: not a run folder ({', '.join(missing)} missing; "
                "write one with 'sixparty run --out DIR')"
            )
        )
    meta = _read_manifest(d) if verify else {}
    listed = meta.get("files", {}) if verify else {}
    tables = {}
    for name in TABLE_FILES:
        fname = f"{name}.{ext}"
        p = d / fname
        if not p.is_file():
            if fname in listed:
                raise DamagedRunFolder(f"{p} is missing (manifest.json lists it)")
            tables[name] = pd.DataFrame()
            continue
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise DamagedRunFolder(f"{p} cannot be read ({exc.strerror or exc})") from None
        if ext == "parquet":
            tables[name] = _read_parquet(name, p, data)
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                raise DamagedRunFolder(f"{p} is damaged: not UTF-8 text") from None
            try:
                tables[name] = _parse_checked(name, text)
            except ValueError as exc:
                raise DamagedRunFolder(f"{p} is damaged: {exc}") from None
        if fname in listed and hashlib.sha256(data).hexdigest() != listed[fname]:
            raise DamagedRunFolder(
                f"{p} has changed since the run (checksum mismatch with "
                "manifest.json); run the scenario again"
            )
    if tables["timeline"].empty:
        raise DamagedRunFolder(f"{d / ('timeline.' + ext)} is damaged: no rows")
    _check_counts(d, tables)
    _check_months(d, tables)
    if not verify:
        meta = _manifest_if_any(d)
    scenario = _scenario_from_manifest(meta, d)
    events = events_table(scenario, tables["timeline"])
    return RunTables(
        **tables,
        events=events,
        scenario_name=meta.get("scenario", d.name),
        seed=meta.get("seed"),
        meta=meta,
        declarations=declaration_tranches(scenario),
        disablements=disablement_phases(scenario),
    )


def _read_parquet(name: str, path: Path, data: bytes) -> pd.DataFrame:
    """A Parquet table (``--format parquet``), with its required columns; DamagedRunFolder if not."""
    import pandas as pd

    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise DamagedRunFolder(
            f"{path} is a Parquet table and reading it needs the package "
            "'pyarrow': pip install 'sixparty[parquet]'"
        ) from None
    try:
        df = pd.read_parquet(io.BytesIO(data))
    except Exception as exc:  # pyarrow raises its own error types for a damaged file
        raise DamagedRunFolder(f"{path} is damaged: not a readable Parquet file ({exc})") from None
    missing = [c for c in REQUIRED_COLUMNS.get(name, ()) if c not in df.columns]
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise DamagedRunFolder(f"{path} is damaged: missing column {missing[0]!r}{more}")
    for c in _STR_COLUMNS.get(name, ()):
        if c in df.columns:
            df[c] = df[c].astype(object).where(df[c].notna(), "").astype(str)
    return _add_later_columns(name, df)


def _check_counts(d: Path, tables: dict[str, pd.DataFrame]) -> None:
    """positions/trust: none, or one row per month x party x issue (other party)."""
    from sixparty.scenario import ISSUES, PARTIES

    months = len(tables["timeline"])
    per_month = {
        "positions": len(PARTIES) * len(ISSUES),
        "trust": len(PARTIES) * (len(PARTIES) - 1),
    }
    # a folder written before the issues added later has fewer rows per month
    older = len(PARTIES) * (len(ISSUES) - len(ISSUES_ADDED_LATER))
    for name, k in per_month.items():
        n = len(tables[name])
        if name == "positions" and n == months * older and n != months * k:
            k = older
        if n and n != months * k:
            shown = (
                d / (name + ".csv") if (d / (name + ".csv")).is_file() else d / (name + ".parquet")
            )
            raise DamagedRunFolder(
                f"{shown} is damaged: {n} rows, expected "
                f"{months * k} ({months} months x {k}); the file may have "
                "been cut short"
            )


def _check_months(d: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Months in order: the timeline strictly increasing, the other tables following it.

    A run has one timeline row per month, in order; positions and trust come
    in blocks of one month each, in the timeline's order; sessions and
    decisions are in month order inside the timeline's window.  A folder whose
    months are reversed, repeated or shuffled (and whose manifest was written
    again to match) would otherwise plot a wrong picture without a word.
    Raises :class:`DamagedRunFolder` naming the file and the line (the header
    is line 1).
    """
    months = list(tables["timeline"]["month"])
    for i in range(1, len(months)):
        if months[i] <= months[i - 1]:
            raise DamagedRunFolder(
                f"{d / 'timeline.csv'} is damaged: line {i + 2}, month {months[i]} does not come "
                f"after {months[i - 1]} (months must be strictly increasing, one row per month)"
            )
    first, last = (months[0], months[-1]) if months else ("", "")
    for name in ("positions", "trust"):
        table = tables[name]
        if table.empty:
            continue
        k = len(table) // len(months)
        expected = [m for m in months for _ in range(k)]
        got = list(table["month"])
        bad = next((i for i, (a, b) in enumerate(zip(got, expected, strict=True)) if a != b), None)
        if bad is not None:
            raise DamagedRunFolder(
                f"{d / (name + '.csv')} is damaged: line {bad + 2}, month {got[bad]} where the "
                f"timeline has {expected[bad]} (one block of {k} rows per month, in the "
                "timeline's order)"
            )
    for name in ("sessions", "decisions"):
        table = tables[name]
        if table.empty:
            continue
        got = list(table["month"])
        for i, m in enumerate(got):
            if not first <= m <= last:
                raise DamagedRunFolder(
                    f"{d / (name + '.csv')} is damaged: line {i + 2}, month {m} is outside the "
                    f"run's months {first}..{last}"
                )
            if i and m < got[i - 1]:
                raise DamagedRunFolder(
                    f"{d / (name + '.csv')} is damaged: line {i + 2}, month {m} comes before "
                    f"{got[i - 1]} (rows are in month order)"
                )


def _manifest_if_any(d: Path) -> dict:
    try:
        meta = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def _scenario_from_manifest(meta: dict, run_dir: Path):
    """The run's ``scenario.resolved.yaml``, else the scenario file the manifest names, if it loads; else None."""
    import warnings

    resolved = run_dir / "scenario.resolved.yaml"
    if resolved.is_file():
        try:
            from sixparty.loader import EightIssueScenario, load_scenario

            # a folder written before the sequence issue: its scenario is read on both
            # scales; only its events are used here, so no note
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", EightIssueScenario)
                return load_scenario(resolved)
        except Exception:  # changed by hand: fall back below
            pass
    path = meta.get("scenario_file")
    if not path:
        return None
    p = Path(path)
    if not p.is_absolute() and not p.exists():
        p = run_dir / p
    try:
        from sixparty.loader import EightIssueScenario, load_scenario

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", EightIssueScenario)
            return load_scenario(p)
    except Exception:  # the file moved or changed: fall back to the ids
        return None


def tables_from_result(result, lite: bool = False) -> RunTables:
    """The tables of an in-memory :class:`sim.runner.RunResult` (as the files would be).

    ``lite``: :class:`sixparty.analysis.lite.Frame` tables instead of DataFrames
    (the same values; no pandas import).  The CSV texts are those
    :func:`sixparty.outputs.write_run` wrote when it left them in
    ``result.extra["table_texts"]``, else made here.
    """
    made = getattr(result, "extra", {}).get("table_texts")
    texts = (
        dict(made)
        if isinstance(made, dict) and set(made) >= set(TABLE_FILES)
        else {
            "timeline": outputs.csv_text(result.timeline, outputs.timeline_columns(result)),
            "positions": outputs.csv_text(
                result.position_rows(), ["month", "party", "issue", "position", "salience"]
            ),
            "trust": outputs.csv_text(result.trust_rows(), ["month", "party", "toward", "trust"]),
            "sessions": outputs.csv_text(result.sessions, outputs.session_columns(result)),
            "drafts": outputs.csv_text(result.drafts, outputs.draft_columns()),
            "ledger": outputs.csv_text(result.ledger, outputs.LEDGER_COLUMNS),
            "decisions": outputs.csv_text(result.decisions, outputs.DECISION_COLUMNS),
        }
    )
    parse = _parse_lite if lite else _parse
    tables = {k: parse(k, texts[k]) for k in TABLE_FILES}
    events = events_table(result.scenario, tables["timeline"], lite=lite)
    return RunTables(
        **tables,
        events=events,
        scenario_name=result.scenario.name,
        seed=result.seed,
        meta={"title": result.scenario.title or ""},
        declarations=declaration_tranches(result.scenario),
        disablements=disablement_phases(result.scenario),
    )


def declaration_tranches(scenario) -> dict[str, int]:
    """Phase name -> the DPRK tranche that carries the phase's declaration (申报), for
    every phase of ``scenario`` that has one (``Phase.declaration_tranche``: the tranche
    whose completion the model takes as the declaration, ``TalksModel._dprk_step_done``).
    Empty for ``None`` or an object without ``phases`` (a run whose scenario is unknown)."""
    out: dict[str, int] = {}
    for ph in getattr(scenario, "phases", None) or ():
        t = getattr(ph, "declaration_tranche", None)
        if t is not None:
            out[str(ph.name)] = int(t)
    return out


def disablement_phases(scenario) -> tuple[str, ...] | None:
    """The names of ``scenario``'s phases whose ``facility_steps`` take a facility to
    ``disabled`` (in the historical scenario ``second_phase_actions``): the phases the
    scorecard's disablement items read.  None for ``None`` or an object without
    ``phases`` (a run whose scenario is unknown)."""
    phases = getattr(scenario, "phases", None)
    if phases is None:
        return None
    return tuple(
        str(ph.name)
        for ph in phases
        if any(str(f.to) == "disabled" for f in getattr(ph, "facility_steps", None) or ())
    )


def events_table(scenario, timeline: pd.DataFrame, lite: bool = False) -> pd.DataFrame:
    """Exogenous events (id, date, month, type, title, title_zh: the Chinese title or
    "") from the scenario or the timeline (no titles there: the ids); ``lite``: as a
    :class:`sixparty.analysis.lite.Frame`."""
    if lite:
        from sixparty.analysis.lite import Frame

        make = Frame.from_rows
    else:
        import pandas as pd

        def make(rows, columns):
            return pd.DataFrame(rows, columns=columns)

    cols = ["id", "date", "month", "type", "title", "title_zh"]
    if scenario is not None:
        rows = [
            {
                "id": e.id,
                "date": e.date,
                "month": e.date[:7],
                "type": e.type,
                "title": e.title,
                "title_zh": getattr(e, "title_zh", None) or "",
            }
            for e in scenario.events
        ]
        return make(rows, cols)
    rows = []
    if "events" in timeline.columns:
        for month, ev in zip(timeline["month"], timeline["events"], strict=True):
            for tok in str(ev).split(";"):
                tok = tok.strip()
                if tok.startswith("event:"):
                    eid = tok[len("event:") :]
                    rows.append(
                        {
                            "id": eid,
                            "date": month,
                            "month": month,
                            "type": "",
                            "title": eid.replace("_", " "),
                            "title_zh": "",
                        }
                    )
    return make(rows, cols)
