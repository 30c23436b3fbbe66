"""Write a run folder: CSV tables, a manifest, and what ``analysis`` adds.

Every file is first written into a staging folder beside the target, which
becomes the output folder as a whole only when all files are complete, so an
error never leaves a half-written file and a re-used folder never mixes old
and new files (:func:`write_atomically`).  Numbers are written with fixed precision so the same
scenario and seed give byte-identical CSVs.  Columns: ``docs/outputs.md``.

A run folder reproduces itself: it holds the resolved scenario
(``scenario.resolved.yaml``: after ``extends:`` and overrides, every default
filled in) and a manifest with the seed, the SHA-256 of every source file of
the ``extends`` chain, the package version and git commit, the Python version,
the platform and every installed distribution (:func:`provenance`);
``sixparty run --from RUN_DIR`` reruns it.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import io
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

TIMELINE_COLUMNS = [
    "month",
    "talks_status",
    "dprk_stance",
    "implementation",
    "progress",
    "aid_pledged_t",
    "aid_delivered_t",
    "sanctions",
    "mean_trust",
    "trust_dprk_us",
    "trust_us_dprk",
    "events",
]

#: Prefix of the facility-state columns of timeline.csv (one per facility the
#: scenario's phases name, after :data:`TIMELINE_COLUMNS`).
FACILITY_PREFIX = "facility_"

#: Columns of decisions.csv (``cause``, then ``reason_codes`` and ``reason_values``
#: came later: older run folders lack them).
DECISION_COLUMNS = [
    "month",
    "party",
    "decision",
    "reason",
    "cause",
    "reason_codes",
    "reason_values",
]


#: Prefix of the per-provider aid columns of timeline.csv (``aid_delivered_t_<party>``).
PROVIDER_AID_PREFIX = "aid_delivered_t_"


#: The DPRK's decision state at the end of the month, after the facility columns
#: (the model's ``TIMELINE_STATE``; added after issue 10: older folders lack them).
STATE_COLUMNS = [
    "dprk_readiness",
    "dprk_outside_option",
    "dprk_talks_value",
    "dprk_pressure",
    "grievance",
    "china_shuttle_credit",
]


#: The month's re-anchorings to stated positions, the last column of timeline.csv (added
#: after issue 10: older folders lack it): compact JSON, a list of ``{"party", "issue",
#: "from", "to"}``, empty for none (``sixparty.model.reanchored_text``).
REANCHORED_COLUMN = "reanchored"


def timeline_columns(result) -> list[str]:
    """:data:`TIMELINE_COLUMNS`, then the ``aid_delivered_t_<party>``,
    ``facility_<name>``, :data:`STATE_COLUMNS` and :data:`REANCHORED_COLUMN` columns
    of ``result``'s timeline (in its order)."""
    rows = getattr(result, "timeline", None) or []
    extra = [
        c
        for c in (rows[0] if rows else {})
        if c.startswith(FACILITY_PREFIX)
        or c.startswith(PROVIDER_AID_PREFIX)
        or c in STATE_COLUMNS
        or c == REANCHORED_COLUMN
    ]
    return TIMELINE_COLUMNS + extra


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


#: The run's data tables (file stems), in the order they are written.
TABLE_NAMES = ("timeline", "positions", "trust", "sessions", "drafts", "ledger", "decisions")
#: File formats of the data tables: ``csv`` (default, six decimals) or ``parquet`` (needs pyarrow).
TABLE_FORMATS = ("csv", "parquet")
#: The resolved scenario a run folder keeps (``sixparty run --from`` reads it).
RESOLVED_SCENARIO = "scenario.resolved.yaml"


def _name_and_version(dist) -> tuple[str | None, str | None]:
    """A distribution's ``Name`` and ``Version`` from the header block of its metadata.

    ``Distribution.metadata`` parses the whole file with the e-mail parser (long
    description, and licence texts folded into a header, included) and
    ``Distribution.version`` parses it again; for the manifest's ~200 distributions
    that cost more than the run itself.  The two fields are single-line headers of
    the header block (core metadata), read here line by line until both are found:
    the same values.
    """
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or dist.read_text("")
    name = version = None
    for line in (text or "").splitlines():
        if not line.strip():
            break  # end of the headers
        key, sep, value = line.partition(":")
        if not sep or line[:1] in " \t":
            continue  # a folded continuation line
        key = key.strip().lower()
        if key == "name" and name is None:
            name = value.strip()
        elif key == "version" and version is None:
            version = value.strip()
        if name is not None and version is not None:
            break
    return name, version


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("sixparty", "mesa", "numpy", "pydantic", "pyyaml", "matplotlib", "pandas"):
        try:
            version = _name_and_version(metadata.distribution(name))[1]
        except metadata.PackageNotFoundError:
            version = None
        out[name] = version if version is not None else "not installed"
    return out


def table_rows(result) -> dict[str, tuple[list[dict], list[str]]]:
    """The data tables of ``result``: stem -> (row dicts, columns), in :data:`TABLE_NAMES` order."""
    return {
        "timeline": (result.timeline, timeline_columns(result)),
        "positions": (result.position_rows(), ["month", "party", "issue", "position", "salience"]),
        "trust": (result.trust_rows(), ["month", "party", "toward", "trust"]),
        "sessions": (result.sessions, session_columns(result)),
        "drafts": (result.drafts, draft_columns()),
        "ledger": (result.ledger, LEDGER_COLUMNS),
        "decisions": (result.decisions, DECISION_COLUMNS),
    }


class MissingDependency(RuntimeError):
    """An optional package a requested output needs is not installed (the message says how to add it)."""


def require_pyarrow() -> None:
    """Raise :class:`MissingDependency` unless pyarrow (the ``parquet`` extra) can be imported."""
    try:
        import pyarrow  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise MissingDependency(
            "Parquet tables need the package 'pyarrow', which is not installed: "
            "pip install 'sixparty[parquet]' (or pip install -e '.[parquet]' in a clone), "
            "or write CSV tables (the default)"
        ) from None


def parquet_writer(result) -> Writer:
    """A writer adding ``<table>.parquet`` for every data table of ``result``.

    Columns as in the CSV files; numbers at full float64 precision (CSV keeps six
    decimals); months ``YYYY-MM`` strings; booleans as booleans.  Read one with
    ``pandas.read_parquet(path)``.  Raises :class:`MissingDependency` without pyarrow.
    """
    require_pyarrow()

    def write(stage: Path) -> list[str]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        names = []
        for stem, (rows, columns) in table_rows(result).items():
            data = {c: [_parquet_cell(r.get(c)) for r in rows] for c in columns}
            table = (
                pa.table(data)
                if rows
                else pa.table({c: pa.array([], pa.string()) for c in columns})
            )
            name = f"{stem}.parquet"
            # No statistics or timestamps that vary: the same run gives the same bytes.
            pq.write_table(table, stage / name, compression="zstd", write_statistics=False)
            names.append(name)
        return names

    return write


def _parquet_cell(value):
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value


def resolved_scenario_text(scenario, seed: int | None = None) -> str:
    """``scenario.resolved.yaml``: the validated scenario with every field (defaults included).

    Loading this text gives a scenario equal to ``scenario`` (``extends:`` and
    overrides already applied), so a run can be repeated without its source files;
    ``seed`` (the run's, when it is not the scenario's own) replaces its ``seed``, so
    ``sixparty run`` of the file alone repeats the run.  The positions mode is
    ``parameters.anchoring``, already the run's.
    """
    import yaml

    head = (
        "# The resolved scenario of this run (extends: and overrides applied, defaults\n"
        "# filled in, the run's seed and mode), written by sixparty.  Rerun it:\n"
        "# sixparty run --from THIS_FOLDER (compares the files), or sixparty run THIS_FILE\n"
    )
    data = scenario.model_dump(mode="json")
    if seed is not None:
        data["seed"] = int(seed)
    # libyaml's emitter when PyYAML has it: the same text as yaml.safe_dump (a test
    # compares them on every shipped scenario), in a fifth of the time
    body = yaml.dump(
        data,
        Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    return head + body


def source_files(scenario_path: str | os.PathLike | None) -> list[dict]:
    """The file ``scenario_path`` and the files it extends (child first), each with its SHA-256.

    Empty for an in-memory scenario (no path).  Never raises: a chain that can no
    longer be read ends where it breaks.
    """
    if not scenario_path:
        return []
    try:
        from sixparty.loader import scenario_parent_chain

        chain = scenario_parent_chain(scenario_path)
    except Exception:  # the file changed since it was loaded: keep what we can hash
        chain = [Path(scenario_path)]
    out = []
    for p in chain:
        try:
            out.append({"path": str(p), "sha256": _sha256(Path(p))})
        except OSError:
            out.append({"path": str(p), "sha256": None})
    return out


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _package_file() -> Path:
    """This module's file, as imported (the code that runs; tests replace it)."""
    return Path(__file__).resolve()


@functools.lru_cache(maxsize=1)
def git_state() -> dict:
    """``{"commit": SHA or None, "dirty": bool or None}`` of the sixparty source checkout.

    Only when the package is imported from a git checkout of sixparty itself (its
    top folder holds sixparty's ``pyproject.toml``) and the imported file is one the
    checkout tracks (a source checkout or an editable install): not from an
    installed copy, whether it sits inside some other repository or in a virtual
    environment inside a clone of sixparty (``pip install .`` copies the code; the
    clone's HEAD may have moved on since).  Never raises.
    """
    none = {"commit": None, "dirty": None}
    try:
        mine = _package_file()
        top = _git(mine.parent, "rev-parse", "--show-toplevel")
        if not top:
            return none
        pyproject = Path(top) / "pyproject.toml"
        if not pyproject.is_file() or 'name = "sixparty"' not in pyproject.read_text(
            encoding="utf-8"
        ):
            return none
        try:
            inside = mine.relative_to(Path(top).resolve()).as_posix()
        except ValueError:
            return none
        # None (exit status 1) when git does not track the file: an installed copy
        if _git(Path(top), "ls-files", "--error-unmatch", "--", inside) is None:
            return none
        commit = _git(Path(top), "rev-parse", "HEAD")
        if not commit:
            return none
        status = _git(Path(top), "status", "--porcelain", "--untracked-files=no")
        return {"commit": commit, "dirty": None if status is None else bool(status)}
    except Exception:  # provenance is best effort: never fail a run for it
        return none


def installed_distributions() -> dict[str, str]:
    """Every distribution importable here, name -> version, sorted by lower-case name."""
    found: dict[str, str] = {}
    try:
        for dist in metadata.distributions():
            name, version = _name_and_version(dist)
            if name and name not in found:
                found[name] = version
    except Exception:  # a broken dist-info must not fail a run
        pass
    return dict(sorted(found.items(), key=lambda kv: kv[0].lower()))


def provenance() -> dict:
    """Where a run was made: sixparty version, git state, Python, platform, distributions."""
    from sixparty import __version__

    return {
        "sixparty_version": __version__,
        "git": git_state(),
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
            "executable": sys.executable,
        },
        "platform": platform.platform(),
        "distributions": installed_distributions(),
    }


def write_run(
    result,
    out_dir: str | os.PathLike,
    scenario_path: str | os.PathLike | None = None,
    command: Sequence[str] | None = None,
    extra_writers: Sequence[Writer] = (),
    table_format: str = "csv",
    rerun_of: dict | None = None,
    lang: str = "en",
) -> list[str]:
    """Write ``result`` (a :class:`sixparty.runner.RunResult`) into ``out_dir``.

    Files: the data tables timeline, positions, trust, sessions, drafts, ledger and
    decisions as ``.csv`` (``table_format="csv"``, the default) or ``.parquet``
    (``"parquet"``: needs pyarrow, else :class:`MissingDependency` before anything
    is written); ``scenario.resolved.yaml`` (:func:`resolved_scenario_text`);
    ``manifest.json`` (seed, source files and their SHA-256, :func:`provenance`,
    command, time, and the SHA-256 of every file); plus what ``extra_writers``
    add.  ``scenario_path``: the file the scenario was loaded from (None for an
    in-memory scenario).  ``rerun_of``: for ``sixparty run --from``, what is
    recorded about the original run.  ``lang``: ``"en"`` or ``"zh"``, the language
    ``extra_writers`` write the scorecard and figures in (``run --lang``), recorded
    as the manifest's ``lang`` so ``sixparty plot`` redraws in it; the data files do
    not depend on it.  Returns the file names written.  Raises
    :class:`OutputError` (an OSError) if the folder cannot be written; then nothing
    in ``out_dir`` has changed.  A previous output folder at ``out_dir`` is
    replaced as a whole (:func:`write_atomically`).  Raises TypeError if ``result``
    is not a RunResult.
    """
    from sixparty.runner import RunResult

    if not isinstance(result, RunResult):
        raise TypeError(
            f"result must be a RunResult (from sixparty.simulate), not {type(result).__name__}"
        )
    if table_format not in TABLE_FORMATS:
        raise ValueError(
            f"table_format must be one of {', '.join(TABLE_FORMATS)}, got {table_format!r}"
        )
    texts: dict[str, str] = {}
    writers: list[Callable[[Path], Sequence[str]]] = []
    if table_format == "csv":
        tables = {
            stem: csv_text(rows, columns) for stem, (rows, columns) in table_rows(result).items()
        }
        texts = {f"{stem}.csv": text for stem, text in tables.items()}
        extra = getattr(result, "extra", None)
        if isinstance(extra, dict):
            # for the writers below (the scorecard and figures read the same tables:
            # analysis.runfiles.tables_from_result), not formatted twice
            extra["table_texts"] = tables
    else:
        writers.append(parquet_writer(result))
    resolved = resolved_scenario_text(result.scenario, seed=result.seed)
    texts[RESOLVED_SCENARIO] = resolved
    manifest = {
        "scenario": result.scenario.name,
        "scenario_file": str(scenario_path) if scenario_path else None,
        "scenario_sha256": _sha256(Path(scenario_path)) if scenario_path else None,
        "scenario_sources": source_files(scenario_path),
        "scenario_resolved": RESOLVED_SCENARIO,
        "scenario_resolved_sha256": hashlib.sha256(resolved.encode("utf-8")).hexdigest(),
        "seed": result.seed,
        "positions_mode": result.anchoring_mode,
        "window": [result.scenario.window.start, result.scenario.window.end],
        "table_format": table_format,
        "lang": lang,
        "versions": package_versions(),
        **provenance(),
        "command": list(command) if command else None,
        "rerun_of": rerun_of,
        "started_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "elapsed_s": round(result.elapsed_s, 4),
    }
    writers += [functools.partial(w, result) for w in extra_writers]
    try:
        return write_atomically(out_dir, texts, writers, manifest)
    finally:
        if isinstance(getattr(result, "extra", None), dict):
            result.extra.pop("table_texts", None)  # the writers' only (~0.4 MB a run)


class OutputError(OSError):
    """An output folder cannot be written (the message names the folder as the user gave it)."""


def _reason(exc: OSError) -> str:
    """A short lower-case reason for an OSError (``permission denied``)."""
    text = exc.strerror or str(exc) or type(exc).__name__
    return text[:1].lower() + text[1:]


def _is_sixparty_output(folder: Path) -> bool:
    """True if ``folder`` holds a ``manifest.json`` written by sixparty (a JSON object with ``files``)."""
    try:
        meta = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and isinstance(meta.get("files"), dict)


#: Files a previous output folder may hold although its manifest does not list them:
#: figures ``sixparty plot`` added (``*.png``, ``*.svg``, ``*.pdf``) and a calibration's
#: Optuna study (``study.sqlite3``, kept beside its outputs to continue it).
UNLISTED_OUTPUTS = ("*.png", "*.svg", "*.pdf", "study.sqlite3", "study.sqlite3-journal")


def _foreign_files(folder: Path) -> list[str]:
    """Files under ``folder`` that sixparty did not write: neither ``manifest.json``, nor
    listed in its ``files``, nor of :data:`UNLISTED_OUTPUTS` (sorted, relative paths)."""
    meta = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    listed = set(meta.get("files") or ())
    out = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            rel = Path(root, name).relative_to(folder).as_posix()
            if rel == "manifest.json" or rel in listed:
                continue
            if "/" not in rel and any(Path(rel).match(pat) for pat in UNLISTED_OUTPUTS):
                continue
            out.append(rel)
    return out


def _refuse_current_folder(out: Path) -> None:
    """Raise :class:`OutputError` if ``out`` (an existing folder) is the current folder or
    holds it: replacing it, even an empty one, would leave the shell in a deleted folder."""
    real = Path(os.path.realpath(out))
    cwd = Path(os.path.realpath(os.getcwd()))
    if real == cwd or real in cwd.parents:
        raise OutputError(
            f"cannot replace {out}: it is the current folder or holds it (the shell would be "
            "left in a deleted folder); choose another --out, e.g. a new folder inside it "
            "(--out ./run1)"
        )


def check_out_dir(out_dir: str | os.PathLike) -> str:
    """Say what :func:`write_atomically` would do with ``out_dir``, or raise :class:`OutputError`.

    Returns ``"new"`` (absent), ``"empty"`` (an empty folder) or ``"replace"``
    (a previous sixparty output folder, replaced as a whole).  Raises
    :class:`OutputError` if ``out_dir`` is a file, a mount point (it cannot be
    renamed or removed; a folder inside it can), a folder that is neither
    empty nor a sixparty output folder, a previous output folder holding files
    sixparty did not write (:func:`_foreign_files`: replacing it would delete
    them), the current folder (or one holding it), or cannot be inspected.
    Nothing is written.
    """
    out = Path(out_dir)
    try:
        if not out.exists():
            if out.is_symlink():
                raise OutputError(f"cannot write {out}: it is a broken symbolic link")
            for above in Path(os.path.abspath(out)).parents:
                if above.exists():
                    if not above.is_dir():
                        raise OutputError(f"cannot write {out}: {above} is a file, not a folder")
                    break
            return "new"
        if not out.is_dir():
            raise OutputError(f"cannot write {out}: it is a file, not a folder")
        _refuse_current_folder(out)  # empty or not: replacing it deletes the shell's folder
        if os.path.ismount(out):
            # the staging folder is made beside ``out``, on the file system above it, and
            # renamed into place: a mount point (a Docker volume) cannot be renamed or removed
            raise OutputError(
                f"cannot write {out}: it is a mount point (a file system of its own, such as a "
                "Docker volume), which sixparty cannot replace as a whole; write to a folder "
                f"inside it: --out {shlex.quote(str(out / 'run1'))}"
            )
        if not any(out.iterdir()):
            return "empty"
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write {out}: {_reason(exc)}") from None
    if not _is_sixparty_output(out):
        raise OutputError(
            f"{out} exists and is not a sixparty output folder (it has files and no "
            "sixparty manifest.json); choose another --out"
        )
    try:
        foreign = _foreign_files(out)
    except (OSError, ValueError) as exc:
        raise OutputError(f"cannot inspect {out}: {exc}") from None
    if foreign:
        shown = ", ".join(foreign[:5]) + (
            f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        )
        raise OutputError(
            f"{out} is a previous sixparty output folder, but it also holds files sixparty "
            f"did not write ({shown}), which replacing it would delete; move them out of it "
            "or choose another --out"
        )
    return "replace"


#: The folder a command's default output folder is made in (``--out`` chooses another).
RUNS_FOLDER = "runs"


def default_out_dir(*parts: str, seed: int) -> str:
    """A command's output folder when no ``--out`` is given: ``runs/<parts>-<seed>``, the
    non-empty ``parts`` joined by ``-`` (``default_out_dir("historical", "evaluate",
    "free", "n100", seed=1)`` is ``runs/historical-evaluate-free-n100-1``).  Every command
    names its folder here (:func:`default_run_dir`, ``evaluate``, ``calibrate``,
    ``sensitivity``, ``compare``): the parts are the settings that change the results,
    so a run with other settings does not replace an earlier one."""
    return f"{RUNS_FOLDER}/{'-'.join([*(p for p in parts if p), str(seed)])}"


def default_run_dir(scenario, seed: int, runs: int = 1) -> str:
    """``sixparty run``'s folder when no ``--out`` is given: ``runs/<name>-<seed>``, with
    ``-free`` after the name for a run in free mode (``parameters.anchoring: false``),
    ``-ens<runs>`` for an ensemble.  The mode is the only setting besides the scenario
    and the seed that changes the data files, so two runs whose data differ never share
    a default folder (``runs/historical-20030827`` and ``runs/historical-free-20030827``);
    the table and figure formats and ``--lang`` change no data."""
    mode = "" if scenario.parameters.anchoring else "free"
    ens = f"ens{runs}" if runs > 1 else ""
    return default_out_dir(scenario.name, mode, ens, seed=seed)


def refuse_sources_inside(out_dir: str | os.PathLike, sources: Iterable) -> None:
    """Raise :class:`OutputError` if a file of ``sources`` (the scenario file and the files
    it extends) lies inside ``out_dir``, an existing folder this run would replace: the
    run would delete the file it reads (``sixparty run runs/x/scenario.resolved.yaml``
    writes ``runs/x`` by default)."""
    out = Path(out_dir)
    if not out.is_dir():
        return
    real = Path(os.path.realpath(out))
    for src in sources:
        path = Path(os.path.realpath(src))
        if real in path.parents:
            raise OutputError(
                f"cannot replace {out}: it holds {src}, the scenario file this run reads; "
                f"choose another --out, or rerun that folder with: sixparty run --from {out}"
            )


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomically(
    out_dir: str | os.PathLike,
    texts: dict[str, str],
    writers: Iterable[Callable[[Path], Sequence[str]]] = (),
    manifest: dict | None = None,
) -> list[str]:
    """Write ``texts`` (name -> text) and what ``writers`` add into ``out_dir``, atomically.

    Everything goes to a staging folder beside ``out_dir`` first.  When it is
    complete the staging folder becomes ``out_dir`` as a whole: if
    ``out_dir`` is absent or an empty folder it is renamed into place; if it
    is a previous sixparty output folder (it holds a ``manifest.json`` with a
    ``files`` list) the old folder is renamed away, the new one renamed in,
    and the old one deleted, so no stale file of an earlier run survives.  A
    folder with other contents is never touched.

    If ``manifest`` is given, ``manifest.json`` is added with ``files``
    (name -> SHA-256 of each other file).  Returns the file names written.
    Raises :class:`OutputError` (an ``OSError`` whose message names
    ``out_dir`` as given, never the staging folder) if ``out_dir`` is a file,
    a foreign folder, or cannot be written; then nothing in ``out_dir`` has
    changed.  Exceptions other than ``OSError`` raised by ``writers``
    propagate unchanged (after the staging folder is removed).

    SIGINT/SIGTERM arriving while the folder is swapped in are handled once it is
    done (:func:`_signals_held`); an interrupt raised then carries ``written`` (the
    file names: the complete folder is in place).  An interrupt before leaves
    ``out_dir`` as it was.
    """
    out = Path(out_dir)
    shown = str(out_dir)
    check_out_dir(out)
    # Work on the real location (a symbolic link to a folder keeps pointing at it).
    target = Path(os.path.realpath(out))
    parent = target.parent
    stage: Path | None = None
    try:
        parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
        names = []
        for name, text in texts.items():
            (stage / name).write_text(text, encoding="utf-8", newline="")
            names.append(name)
        for w in writers:
            names.extend(w(stage))
        if manifest is not None:
            manifest = dict(manifest)
            manifest["files"] = {
                n: hashlib.sha256((stage / n).read_bytes()).hexdigest() for n in sorted(names)
            }
            (stage / "manifest.json").write_text(
                json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
            names.append("manifest.json")
        os.chmod(stage, 0o777 & ~_umask())  # mkdtemp makes it 0700
        try:
            with _signals_held():
                _swap_in(stage, target, shown)
                stage = None
        except KeyboardInterrupt as exc:
            # a signal held over the swap, handled now: the caller's handler raised it
            # with the complete folder already in place; ``exc.written`` says so
            if stage is None:
                exc.written = list(names)
            raise
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write {shown}: {_reason(exc)}") from exc
    finally:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
    return names


def add_files(
    out_dir: str | os.PathLike, writers: Iterable[Callable[[Path], Sequence[str]]]
) -> list[str]:
    """Add what ``writers`` write to ``out_dir``, a folder that may hold other files
    (``sixparty plot`` adding figures to a run folder), all or nothing.

    Absent, ``out_dir`` is made through :func:`write_atomically` (so an error or an
    interrupt leaves no folder behind).  An existing folder gets a staging folder
    inside it; the files are moved in together once all are written (signals held
    over the moves, :func:`_signals_held`), and the other files are left alone.
    Raises :class:`OutputError` naming ``out_dir`` as given (``cannot write DIR: no
    space left on device``); then ``out_dir`` is as it was.  Returns the file names.
    """
    out = Path(out_dir)
    if not os.path.lexists(out):
        return write_atomically(out, {}, writers)
    shown = str(out_dir)
    if not out.is_dir():
        raise OutputError(f"cannot write {shown}: it is a file, not a folder")
    stage: Path | None = None
    try:
        stage = Path(tempfile.mkdtemp(prefix=".sixparty-stage.", dir=out))
        names: list[str] = []
        for w in writers:
            names.extend(w(stage))
        moved = False
        try:
            with _signals_held():
                for n in names:
                    os.replace(stage / n, out / n)
                moved = True
        except KeyboardInterrupt as exc:
            if moved:  # a signal held over the moves: the files are all in place
                exc.written = list(names)
            raise
        return names
    except OSError as exc:
        raise OutputError(f"cannot write {shown}: {_reason(exc)}") from exc
    finally:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM arriving inside are handled when it ends, by the handlers that
    were in place (a Python handler called; the default re-sent; ignored stays ignored):
    the renames that put a folder in place and remove the previous one are not cut in
    the middle.  In another thread than the main one (no Python signal handler runs
    there) it does nothing."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    saved: dict = {}
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            saved[sig] = signal.signal(sig, lambda signum, frame: pending.append(signum))
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
        if pending:
            handler = saved.get(pending[0])
            if callable(handler):
                handler(pending[0], None)
            elif handler in (signal.SIG_DFL, None):
                os.kill(os.getpid(), pending[0])


def _swap_in(stage: Path, target: Path, shown: str) -> None:
    """Make the complete folder ``stage`` become ``target`` (checked again: it may have changed)."""
    how = check_out_dir(target)
    if how == "new":
        os.rename(stage, target)
        return
    # ``except BaseException``: an interrupt (a signal handler's KeyboardInterrupt, e.g.
    # ``sixparty run``'s) between the two steps must not lose the folder that was there.
    if how == "empty":
        try:
            target.rmdir()
            os.rename(stage, target)
        except BaseException:
            if os.path.lexists(target) and not os.path.lexists(stage):
                os.rename(target, stage)  # the new one came in: out again, to be removed
            if not os.path.lexists(target):
                target.mkdir()  # leave the empty folder as it was
            raise
        return
    trash = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
    old = trash / target.name
    try:
        try:
            os.rename(target, old)
            os.rename(stage, target)
        except BaseException:
            if os.path.lexists(old):  # put the previous folder back
                if os.path.lexists(target) and not os.path.lexists(stage):
                    os.rename(target, stage)  # the new one came in: out again, to be removed
                os.rename(old, target)
            raise
    finally:
        shutil.rmtree(trash, ignore_errors=True)


LEDGER_COLUMNS = [
    "step_id",
    "phase",
    "phase_name",
    "tranche",
    "party",
    "kind",
    "description",
    "amount",
    "unit",
    "promised",
    "due",
    "delivered",
    "completed",
    "superseded",
]


def session_columns(result) -> list[str]:
    from sixparty.scenario import ISSUES, PARTIES

    return (
        [
            "session_id",
            "round",
            "phase",
            "month",
            "invited_by",
            "held",
            "attended",
            "declined",
            "iterations",
            "ending",
            "target",
            "document",
            "recess",
            "direct_contact",
            "common_ground_issues",
            "adopted_phase",
            "notes",
        ]
        + [f"utility_{p}" for p in PARTIES]
        + [f"text_{i}" for i in ISSUES]
        + ["conflicts", "compromises", "capitulations", "note_codes", "note_values"]
    )


def draft_columns() -> list[str]:
    from sixparty.scenario import ISSUES, PARTIES

    return ["session_id", "iteration"] + [f"utility_{p}" for p in PARTIES] + list(ISSUES)
