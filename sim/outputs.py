"""Write a run folder: CSV tables, a manifest, and what ``analysis`` adds.

Every file is first written into a staging folder beside the target and
moved into place only when all of them are complete, so an error never leaves
a half-written file.  Numbers are written with fixed precision so the same
scenario and seed give byte-identical CSVs.  Columns: ``docs/outputs.md``.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import os
import platform
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

TIMELINE_COLUMNS = [
    "month", "talks_status", "dprk_stance", "implementation", "progress",
    "aid_pledged_t", "aid_delivered_t", "sanctions", "mean_trust",
    "trust_dprk_us", "trust_us_dprk", "events",
]

#: A writer adds files to the staging folder and returns their names.
Writer = Callable[[object, Path], Sequence[str]]


def fmt(value) -> str:
    """Fixed, platform-independent text for one CSV cell."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return f"{value:.6f}"
    if hasattr(value, "item"):  # numpy scalar
        return fmt(value.item())
    return str(value)


def csv_text(rows: Iterable[dict], columns: Sequence[str] | None = None) -> str:
    """CSV text (``\\n`` line ends) of row dicts; columns from the first row if not given."""
    rows = list(rows)
    if columns is None:
        columns = list(rows[0].keys()) if rows else []
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([fmt(r.get(c, "")) for c in columns])
    return buf.getvalue()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("sixparty", "mesa", "numpy", "pydantic", "pyyaml", "matplotlib", "pandas"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def write_run(result, out_dir: str | os.PathLike, scenario_path: str | os.PathLike | None = None,
              command: Sequence[str] | None = None,
              extra_writers: Sequence[Writer] = ()) -> list[str]:
    """Write ``result`` (a :class:`sim.runner.RunResult`) into ``out_dir``.

    Files: timeline.csv, positions.csv, trust.csv, sessions.csv, drafts.csv,
    ledger.csv, decisions.csv, manifest.json, plus what ``extra_writers``
    add.  Returns the file names written.  Raises OSError if the folder
    cannot be written; then nothing in ``out_dir`` has changed.
    """
    tables = {
        "timeline.csv": csv_text(result.timeline, TIMELINE_COLUMNS),
        "positions.csv": csv_text(result.position_rows(),
                                  ["month", "party", "issue", "position", "salience"]),
        "trust.csv": csv_text(result.trust_rows(), ["month", "party", "toward", "trust"]),
        "sessions.csv": csv_text(result.sessions, session_columns(result)),
        "drafts.csv": csv_text(result.drafts, draft_columns()),
        "ledger.csv": csv_text(result.ledger, LEDGER_COLUMNS),
        "decisions.csv": csv_text(result.decisions, ["month", "party", "decision", "reason"]),
    }
    manifest = {
        "scenario": result.scenario.name,
        "scenario_file": str(scenario_path) if scenario_path else None,
        "scenario_sha256": _sha256(Path(scenario_path)) if scenario_path else None,
        "seed": result.seed,
        "positions_mode": result.anchoring_mode,
        "window": [result.scenario.window.start, result.scenario.window.end],
        "versions": package_versions(),
        "command": list(command) if command else None,
        "started_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "elapsed_s": round(result.elapsed_s, 4),
    }
    writers = [functools.partial(w, result) for w in extra_writers]
    return write_atomically(out_dir, tables, writers, manifest)


def write_atomically(out_dir: str | os.PathLike, texts: dict[str, str],
                     writers: Iterable[Callable[[Path], Sequence[str]]] = (),
                     manifest: dict | None = None) -> list[str]:
    """Write ``texts`` (name -> text) and what ``writers`` add into ``out_dir``, atomically.

    Everything goes to a staging folder beside ``out_dir`` first and is moved
    into place only when complete.  If ``manifest`` is given, ``manifest.json``
    is added with ``files`` (name -> SHA-256 of each other file).  Returns the
    file names written.  Raises OSError; then nothing in ``out_dir`` changed.
    """
    out = Path(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        names = []
        for name, text in texts.items():
            (stage / name).write_text(text, encoding="utf-8", newline="")
            names.append(name)
        for w in writers:
            names.extend(w(stage))
        if manifest is not None:
            manifest = dict(manifest)
            manifest["files"] = {n: hashlib.sha256((stage / n).read_bytes()).hexdigest()
                                 for n in sorted(names)}
            (stage / "manifest.json").write_text(
                json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            names.append("manifest.json")
        out.mkdir(parents=True, exist_ok=True)
        for n in names:
            os.replace(stage / n, out / n)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return names


LEDGER_COLUMNS = ["step_id", "phase", "phase_name", "tranche", "party", "kind", "description",
                  "amount", "unit", "promised", "due", "delivered", "completed"]


def session_columns(result) -> list[str]:
    from sim.scenario import ISSUES, PARTIES

    return (["session_id", "round", "phase", "month", "invited_by", "held", "attended",
             "declined", "iterations", "target", "document", "recess", "direct_contact",
             "common_ground_issues", "adopted_phase", "notes"]
            + [f"utility_{p}" for p in PARTIES] + [f"text_{i}" for i in ISSUES])


def draft_columns() -> list[str]:
    from sim.scenario import ISSUES, PARTIES

    return ["session_id", "iteration"] + [f"utility_{p}" for p in PARTIES] + list(ISSUES)
