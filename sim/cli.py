"""The ``sixparty`` command (also ``python -m sixparty``).

``main(argv=None) -> int`` parses ``argv`` (default ``sys.argv[1:]``) and runs
one subcommand.  Exit codes: 0 success, 1 a rerun (``run --from``) that did not
reproduce its original, 2 user error (bad scenario, missing file, bad option
value: one clear message on stderr, no traceback), 130 interrupted.

Subcommands
-----------
``list [DIR ...]``      shipped scenarios and those in DIRs: name, path, first sentence.
``validate FILE ...``   ``ok  FILE`` or the problems; exit 2 if any file fails.  A valid
                        file setting a parameter that has no effect under its other
                        settings gets a ``sixparty: note:`` on stderr (still exit 0).
``show FILE``           readable summary (differences from the parent first for a variant).
``schema [--kind K] [--out FILE]`` JSON Schema of scenario files: complete, variant or
                        either (written atomically with --out).
``run``, ``plot``, ``compare``, ``dashboard``
    thin shims calling ``sim.runner.cli_run(args)``,
    ``analysis.plots.cli_plot(args)``, ``analysis.compare.cli_compare(args)``
    and ``sim.dashboard.cli_dashboard(args)`` (imported lazily).  Add options
    in ``add_run_arguments`` / ``add_plot_arguments`` / ... below.

For ``run`` the CLI resolves and validates the scenario *before* calling the
handler and puts the results on ``args``: ``args.scenario`` (the name or path
as typed), ``args.scenario_path`` (:class:`pathlib.Path`) and
``args.scenario_obj`` (:class:`sixparty.scenario.Scenario`).

Handlers report user errors by raising :class:`CLIError` (message on stderr,
exit 2) or :class:`sim.loader.ScenarioError`; they return an int exit code
(None means 0).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import gc
import importlib
import json
import os
import re
import sys
import tempfile
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sixparty import __version__

# The scenario loader (pydantic and the scenario models, ~0.3 s) and the run-folder
# writer are imported by the subcommands that use them, not by ``sixparty --help``.
if TYPE_CHECKING:
    from sixparty.loader import Problem, ScenarioError

__all__ = ["CLIError", "build_parser", "main"]

#: The scenario a command reads when none is named (``run``, ``show``, ``evaluate``,
#: ``calibrate``, ``sensitivity``, ``dashboard``): the shipped historical scenario.
DEFAULT_SCENARIO = "historical"


class _NeverRaised(Exception):
    """Stands in an ``except`` clause for an error class whose module is not imported
    (no code that could raise it has run)."""


def _error_class(module: str, name: str) -> type[BaseException]:
    """``module.name`` if ``module`` is imported, else :class:`_NeverRaised`: an
    ``except`` clause naming an error of a lazily imported module without importing it."""
    mod = sys.modules.get(module)
    return getattr(mod, name) if mod is not None else _NeverRaised


def _loader():
    """:mod:`sixparty.loader`, imported on first use."""
    from sixparty import loader

    return loader


class CLIError(Exception):
    """A user error: its message is printed as ``sixparty: error: ...`` and the exit code is 2."""


# ------------------------------------------------------------ option types
def _int_in(text: str, lo: int, hi: int | None, expected: str) -> int:
    """Parse ``text`` as an int in [lo, hi] (no upper bound if None) for argparse."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{expected}, got {text!r}") from None
    if value < lo or (hi is not None and value > hi):
        raise argparse.ArgumentTypeError(f"{expected}, got {value}")
    return value


def non_negative_int(text: str) -> int:
    """argparse type: an int >= 0."""
    return _int_in(text, 0, None, "expected a whole number >= 0")


#: Seeds are numpy/Mesa seeds: whole numbers in [0, 2**63), as in scenario files.
MAX_SEED = 2**63 - 1


def seed_int(text: str) -> int:
    """argparse type: a seed, an int in [0, 2**63)."""
    value = non_negative_int(text)
    return _int_in(
        str(value), 0, MAX_SEED, f"expected a whole number from 0 to 2**63-1 ({MAX_SEED})"
    )


def port_number(text: str) -> int:
    """argparse type: a TCP port, 1-65535."""
    return _int_in(text, 1, 65535, "port must be 1-65535")


def positive_int(text: str) -> int:
    """argparse type: an int >= 1."""
    return _int_in(text, 1, None, "expected a whole number >= 1")


def out_dir(text: str) -> str:
    """argparse type of ``--out DIR``: a folder name, not empty (``--out ""`` would
    otherwise be taken for no ``--out`` and write to the default folder)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "--out needs a folder name, got an empty one (leave --out out for the "
            "command's default folder)"
        )
    return text


def out_file(text: str) -> str:
    """argparse type of ``--out FILE``: a file name, not empty."""
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "--out needs a file name, got an empty one (leave --out out to print to the screen)"
        )
    return text


# ----------------------------------------------------------------- helpers
def _err(text: str) -> None:
    print(text, file=sys.stderr)


def _first_sentence(text: str, limit: int = 100) -> str:
    flat = " ".join(str(text or "").split())
    m = re.match(r"(.+?[.!?。])(\s|$)", flat)
    sentence = m.group(1) if m else flat
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def _num(x: float) -> str:
    return f"{x:.2f}"


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], indent: str = "  ") -> str:
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for r in cells:
        lines.append(
            indent + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        )
    return "\n".join(lines)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, dict) and "id" in v and "title" in v:
        return f"{v.get('date')} {v['id']} ({v['title']})"
    if v is None:
        return "(absent)"
    text = json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else str(v)
    return text if len(text) <= 70 else text[:69] + "…"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _signed(x: float) -> str:
    return f"{x:+.2f}"


def effect_summary(effect: Any) -> str:
    """One short phrase for an event effect (``trust DPRK->US +0.05``)."""
    kind = effect.kind
    if kind == "position":
        return f"{effect.party} {effect.issue} {_signed(effect.delta)}"
    if kind == "salience":
        return f"salience {effect.party} {effect.issue} {_signed(effect.delta)}"
    if kind == "trust":
        return f"trust {effect.party}->{effect.toward} {_signed(effect.delta)}"
    if kind in ("resolve", "domestic_constraint", "outside_option"):
        return f"{kind} {effect.party} {_signed(effect.delta)}"
    if kind == "sanctions":
        return f"sanctions {_signed(effect.delta)}"
    if kind == "policy":
        return f"{effect.party} policy={effect.value}"
    if kind == "strategy":
        return f"{effect.party} strategy.{effect.field}={_value(effect.value)}"
    return kind


# -------------------------------------------------------------- subcommands
def _scenario_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml"))


def _short_problem(err: ScenarioError) -> str:
    first: Problem = err.problems[0]
    text = f"{first.location()}: " + (f"{first.path}: " if first.path else "") + first.message
    more = len(err.problems) - 1
    return text + (f"; and {more} more problem{'s' if more != 1 else ''}" if more else "")


def cmd_list(args: argparse.Namespace) -> int:
    """The shipped scenarios and those in ``args.dirs``, one line each.

    A shipped scenario's line shows the description its file states, read as YAML only
    (the test-suite and ``sixparty validate`` check the shipped files; building the
    scenario models for ten files would cost more than the rest of the command).  A
    user's file, or a shipped variant stating no description of its own, is loaded in
    full, and an invalid one is marked with its first problem.
    """
    from sixparty import shipped

    entries = [(name, path, True) for name, path in shipped.shipped_scenarios()]
    for d in args.dirs:
        folder = Path(d)
        if not folder.is_dir():
            raise CLIError(f"{d}: not a folder")
        entries += [
            (str(p.relative_to(folder).with_suffix("")), p, False) for p in _scenario_files(folder)
        ]
    if not entries:
        print("no scenarios found")
        return 0
    rows = []
    for name, path, is_shipped in entries:
        stated = shipped.stated_description(path) if is_shipped else None
        if stated is not None:
            about = _first_sentence(stated)
        else:
            loader = _loader()
            try:
                scenario = loader.load_scenario(path)
                about = _first_sentence(scenario.description)
            except loader.ScenarioError as exc:
                about = f"(invalid: {_short_problem(exc)})"
        rows.append((name, _display(path), about))
    print(_table(("name", "path", "description"), rows, indent=""))
    return 0


def _display(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return rel if not rel.startswith("..") else str(path)


def note_inert_parameters(scenario, lang: str = "en") -> list[str]:
    """Print (stderr) and return a note for each parameter ``scenario`` (a
    :class:`sixparty.scenario.Scenario`) sets that has no effect under its other
    settings (e.g. ``concession_rate`` while the sessions use the expected-utility
    model): the user would otherwise see an unchanged run and no reason.  Used by
    ``run`` and ``validate`` alike; a note, not an error.  A value equal to the
    default changes nothing and gets no note: ``scenario.resolved.yaml`` writes
    every default out, and would otherwise be told about values nobody chose.
    ``lang``: ``"en"`` or ``"zh"`` (``run --lang``); returns the notes' texts
    without the ``sixparty: note:`` prefix."""
    from sixparty.analysis.i18n import phrase
    from sixparty.parameters import inert_settings

    params = scenario.parameters
    fields = type(params).model_fields
    chosen = {
        name
        for name in params.model_fields_set
        if name not in fields
        or getattr(params, name) != fields[name].get_default(call_default_factory=True)
    }
    notes = [why for _, why in inert_settings(params, chosen, lang)]
    for why in notes:
        _err(f"sixparty: {phrase('run.note', lang, text=why)}")
    return notes


def cmd_validate(args: argparse.Namespace) -> int:
    loader = _loader()
    failed = 0
    for name in args.files:
        try:
            scenario = loader.load_scenario(name)
        except loader.ScenarioError as exc:
            failed += 1
            _err(exc.format())
            continue
        print(f"ok  {name}")
        # a valid file may still set a parameter its other settings ignore: say so
        # after its "ok" line (flushed first, so a terminal shows them in that order)
        sys.stdout.flush()
        note_inert_parameters(scenario)
    if failed and len(args.files) > 1:
        _err(f"{failed} of {len(args.files)} file(s) failed")
    return 2 if failed else 0


def parameters_table(values: dict[str, Any] | None = None, width: int = 100) -> str:
    """The declared parameter table as text: name, default (and a scenario's
    value if ``values`` is given), range, unit, calibrated?, then the
    description and source wrapped beneath each row."""
    from sixparty.parameters import declared_parameters

    out: list[str] = []
    for p in declared_parameters():
        lo, hi = (_value(p.lo), _value(p.hi))
        rng = f"{'(' if p.lo_exclusive else '['}{lo}, {hi}]"
        head = f"{p.name}  default {_value(p.default)}"
        if values is not None and values.get(p.name) != p.default:
            head += f"  (this scenario: {_value(values.get(p.name))})"
        cal = "free" if p.calibrate else "fixed"
        out.append(f"{head}  range {rng}  unit: {p.unit}  [{p.kind}, {cal}]")
        for label, text in (("", p.description), ("source: ", p.source)):
            out.extend(
                textwrap.wrap(
                    label + text,
                    width,
                    initial_indent="    ",
                    subsequent_indent="      ",
                    break_on_hyphens=False,
                )
            )
    free = sum(p.calibrate for p in declared_parameters())
    out.append("")
    out.append(
        f"{len(declared_parameters())} parameters, {free} free (calibrate: true: a calibration may fit them), the rest fixed; "
        "table: sixparty/data/parameters.yaml"
    )
    return "\n".join(out)


def cmd_show(args: argparse.Namespace) -> int:
    loader = _loader()
    if getattr(args, "parameters", False):
        values = (
            loader.load_scenario(loader.find_scenario(args.file)).parameters.model_dump()
            if args.file
            else None
        )
        print(parameters_table(values))
        return 0
    # without FILE, the scenario `sixparty run` runs without one (an explicit choice, so
    # that `show --parameters` alone keeps printing the bare table)
    path = loader.find_scenario(args.file or DEFAULT_SCENARIO)
    s = loader.load_scenario(path)
    out: list[str] = []
    chain = loader.scenario_parent_chain(path)
    if len(chain) > 1:
        diffs = loader.diff_from_parent(path)
        out.append(
            f"Extends {_display(chain[1])}"
            + (f" (chain: {' <- '.join(_display(p) for p in chain)})" if len(chain) > 2 else "")
        )
        out.append(f"Differences from the parent ({len(diffs)}):")
        for key, parent, child in diffs:
            out.append(f"  {key}: {_value(parent)} -> {_value(child)}")
        out.append("")
    title = s.title or s.name
    out.append(f"{title} ({s.name})" if s.title else title)
    out.append("=" * len(out[-1]))
    out.extend(textwrap.wrap(" ".join(s.description.split()), 78))
    out.append("")
    out.append(
        f"Window: {s.window.start} .. {s.window.end} ({s.window.months} months, monthly steps)"
    )
    out.append(f"Seed: {s.seed}")
    params = s.parameters.model_dump()
    defaults = type(s.parameters)().model_dump()
    shown = {
        k: v for k, v in params.items() if k in s.parameters.model_fields_set or v != defaults[k]
    }
    rest = len(params) - len(shown)
    out.extend(
        textwrap.wrap(
            "Parameters: "
            + (", ".join(f"{k}={_value(v)}" for k, v in shown.items()) or "all at their defaults")
            + (
                f" (other {rest} at their defaults: sixparty show --parameters)"
                if shown and rest
                else ""
            ),
            100,
            subsequent_indent="  ",
            break_on_hyphens=False,
        )
    )
    out.append("")
    out.append("Parties")
    rows = []
    for key, cfg in s.parties.items():
        rows.append(
            (
                key,
                _num(cfg.capability.value),
                _num(cfg.resolve.value),
                _num(cfg.domestic_constraint.value),
                len(cfg.stated_positions),
            )
        )
    out.append(
        _table(("party", "capability", "resolve", "domestic constraint", "stated positions"), rows)
    )
    out.append("")
    out.append("Initial positions (position/salience, 0..1 on each issue's scale)")
    parties = s.parties.items()
    rows = []
    for issue in s.issues:
        rows.append(
            [issue]
            + [
                f"{cfg.initial[issue].position:.2f}/{cfg.initial[issue].salience:.2f}"
                for _, cfg in parties
            ]
        )
    out.append(_table(["issue"] + [k for k, _ in parties], rows))
    out.append("")
    out.append(
        "Stated positions: " + ", ".join(f"{k} {len(cfg.stated_positions)}" for k, cfg in parties)
    )
    out.append("")
    out.append(f"Events ({len(s.events)})")
    if s.events:
        rows = [
            (
                ev.date,
                ev.id,
                _clip(ev.title, 60),
                "; ".join(effect_summary(e) for e in ev.effects) or "-",
            )
            for ev in sorted(s.events, key=lambda e: e.date)
        ]
        out.append(_table(("date", "id", "title", "effects"), rows))
    else:
        out.append("  (none)")
    out.append("")
    out.append(f"Phases ({len(s.phases)})")
    if s.phases:
        rows = [
            (
                i + 1,
                ph.name,
                ", ".join(ph.dprk_steps),
                _num(ph.progress),
                f"{ph.aid_tonnes:,.0f}",
                "yes" if ph.delisting else "no",
                ph.months,
                ph.tranches,
            )
            for i, ph in enumerate(s.phases)
        ]
        out.append(
            _table(
                (
                    "#",
                    "name",
                    "DPRK steps",
                    "progress",
                    "aid (t HFO)",
                    "delisting",
                    "months",
                    "tranches",
                ),
                rows,
            )
        )
        out.append("")
        out.append(
            "Phase terms (what an agreed text must say for a joint document to adopt "
            "the phase), aid shares, delisting deadline, facilities"
        )
        rows = [
            (
                i + 1,
                ph.name,
                _terms_text(ph) or "(none: any joint document)",
                ", ".join(f"{k} {v:.0%}" for k, v in ph.provider_shares().items() if v > 0)
                if ph.aid_tonnes > 0
                else "-",
                f"{ph.delisting_days} days after the declaration" if ph.delisting_days else "-",
                "; ".join(f"t{fs.tranche} {fs.facility} -> {fs.to}" for fs in ph.facility_steps)
                or "-",
            )
            for i, ph in enumerate(s.phases)
        ]
        out.append(
            _table(
                (
                    "#",
                    "name",
                    "terms",
                    "aid shares (before stated lines)",
                    "delisting due",
                    "facilities",
                ),
                rows,
            )
        )
    else:
        out.append("  (none)")
    if s.invitations:
        out.append("")
        out.append("Invitations: " + ", ".join(inv.date for inv in s.invitations))
    print("\n".join(out))
    return 0


def _write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to the file ``path`` via a temporary file beside it (mode 0666 minus umask).

    An existing ``path`` is replaced only if it is empty or a schema ``sixparty schema``
    wrote (:func:`_refuse_foreign_file`).

    Raises :class:`CLIError` naming ``path`` (never the temporary file).
    """
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise CLIError(f"cannot write {path}: it is a folder, not a file")
    if not folder.is_dir():
        raise CLIError(f"cannot write {path}: folder {folder} does not exist")
    _refuse_foreign_file(path)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        mask = os.umask(0o022)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)  # mkstemp makes it 0600
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise CLIError(f"cannot write {path}: {reason[:1].lower() + reason[1:]}") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


#: The largest existing ``--out`` file read to tell whether ``schema`` wrote it (bytes);
#: the schemas are about 0.35 MB, so a larger file is not one of them.
_SCHEMA_FILE_MAX_BYTES = 16 * 2**20


def _is_written_schema(path: Path) -> bool:
    """True if the file ``path`` is empty or holds a JSON Schema ``sixparty schema`` wrote.

    Such a schema is a JSON object whose ``$schema`` is a json-schema.org URI, whose
    ``title`` is ``Scenario`` or begins with ``sixparty scenario``, and whose ``$defs``
    declare ``Parties`` (:func:`sixparty.schema.scenario_json_schema`).  Raises OSError
    when the file cannot be read.
    """
    if path.stat().st_size == 0:
        return True  # holds nothing to lose, like the empty folder check_out_dir accepts
    if path.stat().st_size > _SCHEMA_FILE_MAX_BYTES:
        return False
    try:
        doc = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return False
    if not isinstance(doc, dict):
        return False
    uri, title, defs = doc.get("$schema"), doc.get("title"), doc.get("$defs")
    return (
        isinstance(uri, str)
        and uri.startswith(("https://json-schema.org/", "http://json-schema.org/"))
        and isinstance(title, str)
        and (title == "Scenario" or title.startswith("sixparty scenario"))
        and isinstance(defs, dict)
        and "Parties" in defs
    )


def _refuse_foreign_file(path: Path) -> None:
    """Raise :class:`CLIError` if ``path`` exists and is not a schema this command wrote
    (:func:`_is_written_schema`): replacing it would lose the user's file."""
    if not os.path.lexists(path):
        return
    if path.is_symlink() and not path.exists():
        raise CLIError(f"cannot write {path}: it is a broken symbolic link; choose another --out")
    try:
        ours = path.is_file() and _is_written_schema(path)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise CLIError(
            f"cannot write {path}: it exists and cannot be read to check it is a schema "
            f"sixparty wrote ({reason[:1].lower() + reason[1:]}); choose another --out"
        ) from None
    if not ours:
        raise CLIError(
            f"{path} exists and is not a scenario JSON Schema written by sixparty schema "
            "(replacing it would lose its content); choose another --out, or move it "
            "away first"
        )


def cmd_schema(args: argparse.Namespace) -> int:
    text = (
        json.dumps(
            _loader().scenario_json_schema(getattr(args, "kind", "any")),
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
    if args.out:
        _write_atomic(Path(args.out), text)
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _handler(module: str, function: str, command: str) -> Callable[[argparse.Namespace], Any]:
    """Import ``module.function`` lazily, or raise a clear CLIError."""
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
            raise CLIError(
                f"'sixparty {command}' is not available yet: module {module} is missing"
            ) from None
        hint = (
            (
                " (install the extra: pip install -e '.[dashboard]' in a clone of sixparty, "
                "or pip install 'sixparty[dashboard]')"
            )
            if command == "dashboard"
            else ""
        )
        raise CLIError(
            f"'sixparty {command}' needs the package {exc.name!r}, which is not installed{hint}"
        ) from None
    fn = getattr(mod, function, None)
    if not callable(fn):
        raise CLIError(f"'sixparty {command}' is not available yet: {module} has no {function}()")
    return fn


def _check_out(args: argparse.Namespace, into: bool = False) -> None:
    """Refuse a bad or unwritable ``--out`` before any simulation (raises OutputError, exit 2).

    into: the files go into the folder itself (``plot``) rather than into a
    staging folder beside it (``run``, ``compare``).
    """
    out = getattr(args, "out", None)
    if not out:
        return
    if not into:
        from sixparty.outputs import check_out_dir

        check_out_dir(out)
    _check_writable(Path(out), into)


def _check_writable(out: Path, into: bool) -> None:
    """Create and remove a scratch folder where the writer will write, or raise OutputError.

    The writer stages a run beside ``out`` (in its parent, creating missing
    folders); ``into`` checks ``out`` itself when it exists.  A read-only file
    system or a folder without write permission is refused here, before the
    simulation, instead of after it.  Nothing is left behind.
    """
    start = Path(os.path.abspath(out))
    candidates = ([start] if into else []) + [start.parent, *start.parent.parents]
    folder = next((p for p in candidates if p.is_dir()), None)
    if folder is None:
        return  # check_out_dir / the writer say what is wrong
    try:
        scratch = tempfile.mkdtemp(prefix=".sixparty-write-check.", dir=folder)
    except OSError as exc:
        from sixparty.outputs import OutputError

        reason = exc.strerror or str(exc)
        reason = reason[:1].lower() + reason[1:]
        if exc.errno == errno.ENOENT:
            # the folder is there, yet creating in it says "no such file": a virtual
            # file system (/proc, /sys) that holds no user files, not a missing folder
            fs = _file_system_type(folder)
            kind = f"a {fs} file system" if fs else "a virtual file system"
            raise OutputError(
                f"cannot write {out}: {folder} is on {kind}, where no files or folders "
                f"can be created (the system answers {reason!r}); choose another --out"
            ) from None
        raise OutputError(
            f"cannot write {out}: {folder} is not writable ({reason}); choose another --out"
        ) from None
    os.rmdir(scratch)


def _file_system_type(folder: Path) -> str | None:
    """The type of the file system holding ``folder`` ("proc", "sysfs", ...) from
    ``/proc/self/mounts`` (Linux); None where that cannot be read."""
    best, fs = "", None
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as f:
            for line in f:
                parts = line.split()
                if len(parts) < 3:
                    continue
                mount = parts[1].replace("\\040", " ")
                inside = str(folder) == mount or str(folder).startswith(mount.rstrip("/") + "/")
                if inside and len(mount) >= len(best):
                    best, fs = mount, parts[2]
    except OSError:
        return None
    return fs


def cmd_run(args: argparse.Namespace) -> int:
    _check_out(args)
    if getattr(args, "from_dir", None):
        if getattr(args, "seed_of", None):
            raise CLIError("--from and --seed-of both name a run to repeat; give one of them")
        if args.scenario is not None:
            raise CLIError(
                f"give a SCENARIO or --from RUN_DIR, not both (got {args.scenario!r} "
                f"and --from {args.from_dir})"
            )
        if (args.runs or 1) > 1:
            raise CLIError("--from reruns a single run; it cannot be used with --runs")
        if getattr(args, "mode", None) is not None:
            raise CLIError(
                "--from reruns the folder's own scenario (its mode included); it cannot "
                "be used with --mode"
            )
        if args.out and os.path.realpath(args.out) == os.path.realpath(args.from_dir):
            raise CLIError(
                f"--out {args.out} is the folder being rerun; choose another --out "
                f"(default {args.from_dir.rstrip('/')}-rerun)"
            )
    else:
        if getattr(args, "seed_of", None):
            _apply_seed_of(args)
        if args.scenario is None:
            args.scenario = DEFAULT_SCENARIO
        loader = _loader()
        args.scenario_path = loader.find_scenario(args.scenario)
        args.scenario_obj = loader.load_scenario(args.scenario_path)
    table_format = getattr(args, "table_format", "csv")
    if table_format != "csv":
        from sixparty.outputs import MissingDependency, require_pyarrow

        try:
            require_pyarrow()
        except MissingDependency as exc:
            raise CLIError(str(exc)) from None
    return _handler("sixparty.runner", "cli_run", "run")(args)


def _apply_seed_of(args: argparse.Namespace) -> None:
    """``--seed-of DIR R``: the seed, the positions mode and (unless given) the
    scenario of replicate R of DIR, from DIR's manifest."""
    from sixparty.analysis.ensemble import replicate_record

    folder, rep = args.seed_of
    try:
        replicate = int(rep)
    except ValueError:
        raise CLIError(
            f"--seed-of {folder} {rep}: R must be a replicate number (0, 1, ...)"
        ) from None
    if args.seed is not None:
        raise CLIError("--seed-of sets the seed; it cannot be used with --seed")
    if (args.runs or 1) > 1:
        raise CLIError("--seed-of reruns one replicate; it cannot be used with --runs N > 1")
    try:
        rec = replicate_record(folder, replicate)
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    seed, scenario_file = rec["seed"], rec["scenario_file"]
    # The mode changes the run: the ensemble's, from its manifest.  A different
    # --mode would not rerun the replicate, so it is refused, not silently honoured.
    mode = rec["positions_mode"]
    given = getattr(args, "mode", None)
    if mode is not None and given is not None and given != mode:
        raise CLIError(
            f"--seed-of {folder} {replicate}: the ensemble ran with positions {mode} "
            f"(manifest.json's positions_mode), so --mode {given} would not rerun the "
            f"replicate; drop --mode (to run its seed in the other mode: sixparty run "
            f"SCENARIO --seed {seed} --mode {given})"
        )
    if mode is not None:
        args.mode = mode
    args.seed = seed
    named = args.scenario is None
    if named:
        if not scenario_file:
            raise CLIError(
                f"--seed-of {folder}: its manifest names no scenario file; give SCENARIO"
            )
        if not Path(scenario_file).is_file():
            raise CLIError(
                f"--seed-of {folder}: the scenario file its manifest names, {scenario_file!r}, "
                "is not there (a relative path is read from the current folder); "
                "give SCENARIO (the same file)"
            )
        args.scenario = scenario_file
    _check_seed_of_scenario(folder, replicate, args.scenario, named, rec)
    if not getattr(args, "out", None):
        args.out = f"{str(folder).rstrip('/')}-replicate{replicate}"
        _check_out(args)


def _check_seed_of_scenario(folder, replicate: int, scenario: str, named: bool, rec: dict) -> None:
    """Refuse a ``--seed-of`` rerun whose scenario is not the one the ensemble ran:
    a file of its ``extends:`` chain (child first) whose sha256 differs from the one
    the manifest records (``scenario_sources``; only the child's ``scenario_sha256``
    in a folder written before sixparty recorded the chain), or a chain grown or cut.
    The replicate would not be reproduced; the message names the file."""
    import hashlib

    which = "the scenario file its manifest names" if named else "SCENARIO"
    head = f"--seed-of {folder} {replicate}: "
    tail = "so the rerun would not reproduce the replicate; restore the file, or rerun the ensemble"
    recorded = [s for s in rec.get("scenario_sources") or [] if isinstance(s, dict)]
    ran = recorded[0].get("path") if recorded else rec.get("scenario_file")
    if not named and isinstance(ran, str):
        # SCENARIO names another file than the ensemble's: not "changed", another scenario
        given = _loader().find_scenario(scenario)
        if Path(ran).resolve() != Path(given).resolve():
            old_sha = recorded[0].get("sha256") if recorded else rec.get("scenario_sha256")
            if old_sha != hashlib.sha256(Path(given).read_bytes()).hexdigest():
                raise CLIError(
                    f"{head}the ensemble ran the scenario {Path(ran).stem} ({ran}), not "
                    f"{scenario} ({given}), so this would not rerun its replicate; omit "
                    f"SCENARIO (or give {Path(ran).stem}) to rerun it; to run the replicate's "
                    f"seed on {scenario}: sixparty run {scenario} --seed {rec['seed']}"
                )
    if recorded:
        from sixparty.outputs import source_files

        now = source_files(_loader().find_scenario(scenario))
        for i, (old, new) in enumerate(zip(recorded, now, strict=False)):
            if old.get("sha256") != new["sha256"]:
                what = (
                    f"{which} ({new['path']})"
                    if i == 0
                    else f"{new['path']}, which {scenario} extends"
                    + ("," if i == 1 else " (through its parents),")
                )
                was = "" if old.get("path") == new["path"] else f", recorded as {old.get('path')}"
                raise CLIError(
                    f"{head}{what} has changed since the ensemble ran (its sha256 differs "
                    f"from the one manifest.json's scenario_sources records{was}), {tail}"
                )
        if len(recorded) != len(now):
            chain = " -> ".join(str(s.get("path")) for s in recorded)
            chain_now = " -> ".join(s["path"] for s in now)
            raise CLIError(
                f"{head}the extends: chain of {scenario} has changed since the ensemble ran "
                f"(it was {chain}; it is now {chain_now}), {tail}"
            )
        return
    want = rec.get("scenario_sha256")
    path = Path(scenario)
    if not isinstance(want, str) or not path.is_file():
        return  # a shipped name or an unrecorded checksum: nothing to compare
    if hashlib.sha256(path.read_bytes()).hexdigest() != want:
        raise CLIError(
            f"{head}{which} ({scenario}) is not the file the ensemble was run from (its "
            f"sha256 differs from manifest.json's scenario_sha256), {tail}"
        )


def cmd_plot(args: argparse.Namespace) -> int:
    target = args.out or args.run_dir  # figures go into RUN_DIR unless --out says otherwise
    if target and (args.out or Path(target).is_dir()):
        _check_writable(Path(target), into=True)
    return _handler("sixparty.analysis.plots", "cli_plot", "plot")(args)


def cmd_compare(args: argparse.Namespace) -> int:
    _check_out(args)
    return _handler("sixparty.analysis.compare", "cli_compare", "compare")(args)


def cmd_dashboard(args: argparse.Namespace) -> int:
    return _handler("sixparty.dashboard", "cli_dashboard", "dashboard")(args)


# validation (docs/validation.md): evaluate, calibrate, sensitivity
def cmd_evaluate(args: argparse.Namespace) -> int:
    _check_out(args)
    return _handler("sixparty.analysis.validation", "cli_evaluate", "evaluate")(args)


def cmd_calibrate(args: argparse.Namespace) -> int:
    _check_out(args)
    return _handler("sixparty.analysis.calibrate", "cli_calibrate", "calibrate")(args)


def cmd_sensitivity(args: argparse.Namespace) -> int:
    _check_out(args)
    return _handler("sixparty.analysis.sensitivity", "cli_sensitivity", "sensitivity")(args)


def _add_mode_and_workers(p, mode_help: str = "anchoring mode (default free)") -> None:
    """``--mode``, ``--jobs``, the executor options and ``--quiet``, alike in ``evaluate``,
    ``calibrate`` and ``sensitivity``."""
    p.add_argument("--mode", choices=("anchored", "free"), default="free", help=mode_help)
    p.add_argument(
        "--jobs",
        type=positive_int,
        default=None,
        help="worker processes, 1 to the number of cores (default: up to 2); results "
        "do not depend on it",
    )
    add_executor_arguments(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def add_validation_parsers(sub) -> None:
    """``sixparty evaluate``, ``calibrate`` and ``sensitivity`` (docs/validation.md)."""
    p = sub.add_parser(
        "evaluate", help="ensemble scores of a scenario and the null models against the record"
    )
    p.add_argument("scenario", metavar="SCENARIO", nargs="?", default=DEFAULT_SCENARIO)
    p.add_argument(
        "--runs", type=positive_int, default=100, help="runs (seeds) in the ensemble (default 100)"
    )
    _add_mode_and_workers(
        p,
        mode_help="stated positions re-anchor the parties (anchored) or not (free, the "
        "default: the headline)",
    )
    p.add_argument("--out", metavar="DIR", type=out_dir, default=None, help="output folder")
    p.add_argument(
        "--seed", type=seed_int, default=None, help="base seed (default: the scenario's)"
    )
    p.set_defaults(handler=cmd_evaluate)

    p = sub.add_parser(
        "calibrate", help="fit the free parameters on the record up to a split (Optuna TPE)"
    )
    p.add_argument("scenario", metavar="SCENARIO", nargs="?", default=DEFAULT_SCENARIO)
    p.add_argument(
        "--train-until",
        metavar="YYYY-MM",
        default="2006-12",
        help="last month of the training period (default 2006-12)",
    )
    p.add_argument("--budget", type=positive_int, default=200, help="trials (default 200)")
    p.add_argument(
        "--runs-per-point", type=positive_int, default=16, help="runs per trial (default 16)"
    )
    p.add_argument(
        "--batch-trials",
        metavar="K",
        type=positive_int,
        default=1,
        help="trials asked of the sampler at once, their runs sent as one batch (faster; "
        "TPE with constant_liar; the fit depends on K, not on --jobs; default 1)",
    )
    _add_mode_and_workers(p)
    p.add_argument(
        "--storage",
        metavar="PATH",
        default=None,
        help="Optuna sqlite file (default OUT/study.sqlite3); rerun with it to continue; "
        "its folder must exist, and an existing file must be an Optuna study",
    )
    p.add_argument("--out", metavar="DIR", type=out_dir, default=None, help="output folder")
    p.add_argument("--seed", type=seed_int, default=None, help="seed of the sampler and the runs")
    p.set_defaults(handler=cmd_calibrate)

    p = sub.add_parser(
        "sensitivity", help="global sensitivity (SALib Morris or Sobol) of key outcomes"
    )
    p.add_argument("scenario", metavar="SCENARIO", nargs="?", default=DEFAULT_SCENARIO)
    p.add_argument("--method", choices=("morris", "sobol"), default="morris")
    p.add_argument(
        "--samples",
        type=positive_int,
        default=None,
        help="Morris trajectories (default 8) or Sobol base samples (default 64)",
    )
    p.add_argument(
        "--runs-per-point", type=positive_int, default=4, help="runs per point (default 4)"
    )
    _add_mode_and_workers(p)
    p.add_argument("--out", metavar="DIR", type=out_dir, default=None, help="output folder")
    p.add_argument("--seed", type=seed_int, default=None, help="seed of the sample and the runs")
    p.set_defaults(handler=cmd_sensitivity)


# ------------------------------------------------------------------ parsers
#: ``--format`` values of ``sixparty run`` naming the data tables' format (the others name the figures').
TABLE_FORMATS = ("csv", "parquet")
#: ``--format`` values naming the figures' format.
FIGURE_FORMATS = ("png", "svg", "pdf")


class _TableFormat(argparse.Action):
    """``--table-format csv|parquet`` (the older spelling of ``--format csv|parquet``)."""

    def __call__(self, parser, namespace, values, option_string=None):
        namespace.table_format = values
        namespace.table_format_given = True


class _RunFormat(argparse.Action):
    """``--format F[,F]``: ``csv``/``parquet`` set ``table_format``, ``png``/``svg``/``pdf`` set ``format``.

    The option may be repeated (``--format parquet --format svg``) or take both at
    once (``--format parquet,svg``); ``args.format`` stays the figure format (as for
    ``plot`` and ``compare``).  Two formats of one kind (``png,svg``; ``--format
    parquet --format csv``) are refused (exit 2): a run writes one of each, and the
    last one silently winning would drop the other.
    """

    def __call__(self, parser, namespace, values, option_string=None):
        # the formats given so far on this command line, by kind (not the defaults)
        given = namespace.__dict__.setdefault("_formats_given", {})
        for value in str(values).split(","):
            value = value.strip().lower()
            if value in TABLE_FORMATS:
                kind, dest, hint = (
                    "tables",
                    "table_format",
                    "for both, run twice into two --out folders (the data are the same)",
                )
                namespace.table_format_given = True  # run --from keeps its folder's otherwise
            elif value in FIGURE_FORMATS:
                kind, dest, hint = (
                    "figures",
                    "format",
                    f"draw them again in another with: sixparty plot RUN_DIR --format {value} "
                    "--out DIR",
                )
            else:
                parser.error(
                    f"argument --format: invalid choice: {value!r} (choose tables "
                    f"{' or '.join(TABLE_FORMATS)}, figures {', '.join(FIGURE_FORMATS)})"
                )
            if given.get(kind, value) != value:
                parser.error(
                    f"argument --format: {given[kind]} and {value} are both formats of the "
                    f"{kind}; a run writes its {kind} in one format: give one "
                    f"(e.g. --format {given[kind]}), and {hint}"
                )
            given[kind] = value
            setattr(namespace, dest, value)


def add_run_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``sixparty run`` (colleagues: add yours here)."""
    p.add_argument(
        "scenario",
        metavar="SCENARIO",
        nargs="?",
        default=None,
        help="scenario file or shipped name (default: historical)",
    )
    p.add_argument(
        "--from",
        dest="from_dir",
        metavar="RUN_DIR",
        default=None,
        help="rerun a run folder: its scenario.resolved.yaml with its manifest's seed "
        "(default --out RUN_DIR-rerun); says whether the data files came out "
        "byte-identical (exit 1 if not)",
    )
    p.add_argument(
        "--seed",
        type=seed_int,
        metavar="N",
        default=None,
        help="random seed, a whole number from 0 to 2**63-1 (default: the scenario's seed)",
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        type=out_dir,
        default=None,
        help="output folder; a previous sixparty output folder there is replaced as a "
        "whole, any other non-empty folder is refused",
    )
    p.add_argument(
        "--runs",
        type=positive_int,
        metavar="N",
        default=1,
        help="number of seeded replicates, >= 1 (default 1); with N > 1 the seeds "
        "are spawned from --seed by numpy's SeedSequence",
    )
    p.add_argument(
        "--jobs",
        type=positive_int,
        metavar="N",
        default=None,
        help="worker processes for an ensemble, 1 to the number of cores (default: "
        "all cores); the files do not depend on it",
    )
    add_executor_arguments(p)
    p.add_argument(
        "--table-format",
        choices=("csv", "parquet"),
        action=_TableFormat,
        default="csv",
        # the older spelling of --format csv|parquet, kept so scripts keep working
        help=argparse.SUPPRESS,
    )
    p.add_argument(
        "--seed-of",
        nargs=2,
        metavar=("ENSEMBLE_DIR", "R"),
        default=None,
        help="rerun replicate R of the ensemble in ENSEMBLE_DIR as a single run (its "
        "seed depends only on the ensemble's base seed and R; the positions mode is "
        "the ensemble's, a different --mode is refused; the scenario is the "
        "ensemble's unless SCENARIO is given, and must be unchanged)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--mode",
        choices=("anchored", "free"),
        default=None,
        help="anchored: stated positions dated in the scenario re-anchor the parties; "
        "free: they do not (the validation's headline mode); default: the scenario's "
        "parameters.anchoring. A free run's default folder is runs/SCENARIO-free-SEED",
    )
    p.add_argument(
        "--narrate",
        action="store_true",
        help="tell the run as a story: a paragraph per session and notable month "
        "(a single run only: not with --runs N > 1)",
    )
    p.add_argument(
        "--lang",
        choices=("en", "zh"),
        default=None,
        help="language of what the run prints (summary, scorecard, narrative) and of the "
        "figures (default en; with --from, the run's, from its manifest.json); the data "
        "files are the same in both",
    )
    p.add_argument(
        "--format",
        action=_RunFormat,
        metavar="F[,F]",
        default="png",
        help="file formats, at most one of each kind: data tables csv (default; with --from, "
        "the folder's) or parquet (needs pyarrow: pip install 'sixparty[parquet]'), also an "
        "ensemble's runs table; figures png (default), svg or pdf. E.g. --format parquet,svg "
        "(png,svg is refused: redraw in another format with sixparty plot RUN_DIR --format "
        "svg --out DIR)",
    )
    # table_format_given: whether the user chose the tables' format (run --from keeps the
    # original folder's format unless told otherwise)
    p.set_defaults(table_format="csv", table_format_given=False)
    p.add_argument("--no-plots", action="store_true", help="write data files only")


def add_executor_arguments(p: argparse.ArgumentParser) -> None:
    """``--dask``, ``--force``, ``--chunk-size`` (owned by analysis.executors' author)."""
    p.add_argument(
        "--dask",
        metavar="ADDR",
        default=None,
        help="run on a dask.distributed cluster: tcp://HOST:PORT of a running scheduler, "
        "or 'local' to start one on this machine with --jobs workers (default: the "
        "SIXPARTY_DASK environment variable; needs pip install 'sixparty[dask]')",
    )
    p.add_argument("--force", action="store_true", help="allow --jobs above the number of cores")
    p.add_argument(
        "--chunk-size",
        type=positive_int,
        metavar="K",
        default=None,
        help="replicates per task sent to a worker (default: about 4 tasks per worker, "
        "at most 256); the files do not depend on it",
    )


def add_plot_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``sixparty plot`` (owned by analysis.plots' author)."""
    p.add_argument("run_dir", metavar="RUN_DIR", help="a run folder written by 'sixparty run'")
    p.add_argument(
        "--format",
        choices=("png", "svg", "pdf"),
        default="png",
        help="figure file format (default png)",
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        type=out_dir,
        default=None,
        help="folder for the figures (default: RUN_DIR itself)",
    )
    p.add_argument(
        "--lang",
        choices=("en", "zh"),
        default=None,
        help="language of the labels (default: the run's, from its manifest.json; "
        "en for folders that do not record it)",
    )


def add_compare_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``sixparty compare`` (owned by analysis.compare's author)."""
    p.add_argument(
        "scenarios",
        metavar="SCENARIO",
        nargs="+",
        help="two or more scenario files or shipped names; the first is the reference",
    )
    p.add_argument(
        "--runs",
        type=positive_int,
        metavar="N",
        default=100,
        help="replicates per scenario, >= 2 (default 100; 30 or more for useful intervals); "
        "every scenario uses the same seeds",
    )
    p.add_argument(
        "--jobs",
        type=positive_int,
        metavar="N",
        default=None,
        help="worker processes, 1 to the number of cores (default: all cores); results "
        "do not depend on it",
    )
    add_executor_arguments(p)
    p.add_argument(
        "--seed",
        type=seed_int,
        metavar="N",
        default=None,
        help="base seed, a whole number from 0 to 2**63-1 (default: the first scenario's seed)",
    )
    p.add_argument(
        "--mode",
        choices=("anchored", "free"),
        default=None,
        help="anchored: stated positions dated in the scenario re-anchor the parties; "
        "free: they do not (the validation's headline mode); default: each scenario's "
        "parameters.anchoring. A free comparison's default folder is "
        "runs/compare-<A>-vs-<B>-free-n<N>-<seed>",
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        type=out_dir,
        default=None,
        help="output folder (default runs/compare-<A>-vs-<B>-n<N>-<seed>); a previous "
        "sixparty output folder there is replaced as a whole",
    )
    p.add_argument(
        "--dates",
        metavar="YYYY-MM,...",
        default="2007-12,2009-06",
        help="months at which progress and aid are compared (default 2007-12,2009-06)",
    )
    p.add_argument(
        "--boot",
        type=positive_int,
        metavar="B",
        default=2000,
        help="bootstrap resamples for the 95%% intervals (default 2000)",
    )
    p.add_argument(
        "--format", choices=("png", "svg", "pdf"), default="png", help="figure file format"
    )
    p.add_argument("--no-plots", action="store_true", help="write data files only")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--full",
        action="store_true",
        help="print every key outcome and every outcome whose difference is significant "
        "(default: a short summary; comparison.csv has every row)",
    )


class _PartyChoices:
    """The party keys (:data:`sixparty.scenario.PARTIES`) as argparse ``choices``, read
    when argparse checks a value or writes the help: building the parser imports no
    scenario models (pydantic), so ``sixparty --help`` stays fast."""

    @staticmethod
    def _names() -> tuple[str, ...]:
        from sixparty.scenario import PARTIES

        return PARTIES

    def __contains__(self, value: object) -> bool:
        return value in self._names()

    def __iter__(self):
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())


def party_key(text: str) -> str:
    """A party named in any case (``dprk``, ``Dprk``) as its key in
    :data:`sixparty.scenario.PARTIES` (``DPRK``), as the classroom's join codes accept it;
    an unknown name is returned as given, for argparse's ``choices`` to refuse (exit 2)."""
    from sixparty.scenario import PARTIES

    return {k.casefold(): k for k in PARTIES}.get(str(text).strip().casefold(), text)


def add_dashboard_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``sixparty dashboard`` (owned by sim.dashboard's author)."""
    p.add_argument(
        "scenario",
        metavar="SCENARIO",
        nargs="?",
        default=DEFAULT_SCENARIO,
        help=f"scenario file or shipped name (default: {DEFAULT_SCENARIO})",
    )
    p.add_argument(
        "--port",
        type=port_number,
        metavar="P",
        default=8765,
        help="port of the local web server, 1-65535 (default 8765)",
    )
    p.add_argument(
        "--host",
        metavar="HOST",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1: this machine only; another address, e.g. "
        "0.0.0.0 for the network, only with --classroom)",
    )
    p.add_argument(
        "--seat",
        type=party_key,
        choices=_PartyChoices(),
        metavar="PARTY",
        default=None,
        help="play one delegation: %(choices)s",
    )
    p.add_argument(
        "--lang",
        choices=("en", "zh"),
        default="en",
        help="language the page opens in (a switch on the page changes it)",
    )
    p.add_argument(
        "--classroom",
        action="store_true",
        help="six teams, one game: a teacher's page (join code, QR code, time) and a page "
        "per team on its own device; the only mode that may bind beyond this machine (--host)",
    )
    p.add_argument(
        "--countdown",
        type=float,
        metavar="SECONDS",
        default=None,
        help="--classroom: seconds the teams have for a move at a session (10-1800, default 90; "
        "the teacher's page changes it)",
    )
    p.add_argument(
        "--max-games",
        type=int,
        metavar="N",
        default=None,
        help="most games the server keeps at once (1-10000, default 200): each page's game "
        "survives a reload under the id in its URL",
    )
    p.add_argument(
        "--game-idle-hours",
        type=float,
        metavar="H",
        default=None,
        help="a game nobody opened or played for H hours is dropped (default 4, at least 0.02)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``sixparty`` argument parser with all subcommands."""
    parser = argparse.ArgumentParser(
        prog="sixparty",
        description="Agent-based simulator of the Six-Party Talks on the North Korean nuclear issue (2003-2009; the historical scenario runs to 2012).",
    )
    parser.add_argument("--version", action="version", version=f"sixparty {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("list", help="list shipped scenarios and those in folders")
    p.add_argument("dirs", metavar="DIR", nargs="*", help="more folders to search for *.yaml")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("validate", help="check scenario files")
    p.add_argument("files", metavar="FILE", nargs="+", help="scenario files or shipped names")
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser("show", help="readable summary of a scenario")
    p.add_argument(
        "file",
        metavar="FILE",
        nargs="?",
        help=f"scenario file or shipped name (default {DEFAULT_SCENARIO}, as for run; "
        "with --parameters: none, the bare table)",
    )
    p.add_argument(
        "--parameters",
        action="store_true",
        help="print the declared parameter table (with FILE: mark that scenario's values)",
    )
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("schema", help="print the JSON Schema of scenario files")
    p.add_argument(
        "--kind",
        choices=("any", "complete", "variant"),
        default="any",
        help="complete: files without extends:; variant: files with extends: (partial "
        "mappings, overrides paths checked); any (default): either, by extends:",
    )
    p.add_argument(
        "--out",
        metavar="FILE",
        type=out_file,
        help="write it to FILE (atomically, mode 0666 minus umask) instead; an existing "
        "FILE is replaced only if it is empty or a schema this command wrote",
    )
    p.set_defaults(handler=cmd_schema)

    p = sub.add_parser("run", help="run a scenario")
    add_run_arguments(p)
    p.set_defaults(handler=cmd_run)

    p = sub.add_parser("plot", help="plot a run folder")
    add_plot_arguments(p)
    p.set_defaults(handler=cmd_plot)

    p = sub.add_parser(
        "compare", help="compare scenarios against a baseline: ensembles, paired intervals"
    )
    add_compare_arguments(p)
    p.set_defaults(handler=cmd_compare)

    p = sub.add_parser("dashboard", help="interactive dashboard (needs sixparty[dashboard])")
    add_dashboard_arguments(p)
    p.set_defaults(handler=cmd_dashboard)

    add_validation_parsers(sub)
    return parser


def _quiet_stdout() -> None:
    """Point standard output at /dev/null so the exit flush cannot fail on a closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real file descriptor (tests' capture)
        pass


#: Thresholds of Python's cyclic garbage collector while a command runs (Python's
#: default is (700, 10, 10)).  A command imports Mesa, pandas and matplotlib and builds
#: figures of thousands of artists: some 650 young-generation and five full collections
#: of a heap of ~400,000 objects, 0.55 s of the 4-5 s of ``sixparty run`` (measured with
#: ``gc.callbacks``).  Collecting the young generation every 5,000 net allocations
#: instead of 700 leaves 0.18 s and no full collection; cyclic garbage is still
#: collected, so memory stays bounded in long ensembles.  Restored when ``main`` returns.
GC_THRESHOLDS = (5000, 10, 10)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``sixparty`` command; returns the exit code (0; 1 ``run --from`` not
    reproduced; 2 user error; 130 interrupted)."""
    thresholds = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        return _main(argv)
    finally:
        gc.set_threshold(*thresholds)


def console_main() -> int:
    """The ``sixparty`` console script and ``python -m sixparty``: :func:`main` on
    ``sys.argv``, then SIGINT ignored while the interpreter exits.

    A command's work is over when :func:`main` returns (its files are in place, its
    summary printed), but the interpreter's exit (collecting and freeing the objects of
    the run and its figures) takes about a second more; a Ctrl-C then used to kill the
    process silently (exit 130, nothing printed) after a complete run.  The command has
    finished, so its exit code stands.  SIGTERM keeps its default.

    The command's process is sixparty's own, so glibc's malloc thresholds are raised
    here (:func:`sixparty.heap.keep_heap`, speed only); :func:`main` itself, which
    tests and scripts call in their own process, leaves them.
    """
    import signal

    from sixparty.heap import keep_heap

    keep_heap()
    code = main()
    with contextlib.suppress(ValueError, OSError):  # not the main thread; no signals
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    return code


@contextlib.contextmanager
def _eight_issue_notes():
    """Print the loader's :class:`~sixparty.loader.EightIssueScenario` warnings as one
    ``sixparty: note:`` line per file (once, however often the command loads it);
    other warnings go on as before."""
    import warnings

    shown: set[str] = set()
    with warnings.catch_warnings():
        previous = warnings.showwarning

        def show(message, category, filename, lineno, file=None, line=None):
            if getattr(category, "__name__", "") != "EightIssueScenario":
                return previous(message, category, filename, lineno, file, line)
            text = str(message)
            if text not in shown:
                shown.add(text)
                _err(f"sixparty: note: {text}")
            return None

        warnings.showwarning = show
        warnings.filterwarnings("always", message=r".* is read as an eight-issue scenario")
        yield


def _main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, bad options
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_usage(sys.stderr)
        _err(
            "sixparty: error: choose a command (list, validate, show, schema, run, plot, compare, dashboard, evaluate, calibrate, sensitivity)"
        )
        return 2
    try:
        with _eight_issue_notes():
            code = handler(args)
        sys.stdout.flush()  # a reader that went away (`| head -1`) shows up here at the latest
    except (
        BrokenPipeError
    ):  # e.g. `sixparty show x | head -1`: not an error (before OSError, its base)
        _quiet_stdout()
        return 0
    except _error_class("sixparty.loader", "ScenarioError") as exc:
        _err(exc.format())
        return 2
    except CLIError as exc:
        _err(f"sixparty: error: {exc}")
        return 2
    except _error_class("sixparty.outputs", "OutputError") as exc:
        _err(f"sixparty: error: {exc}")
        return 2
    except FileNotFoundError as exc:
        _err(f"sixparty: error: {exc.filename or ''}: file not found".replace(": :", ":"))
        return 2
    except (IsADirectoryError, PermissionError, NotADirectoryError) as exc:
        _err(f"sixparty: error: {exc.filename or ''}: {exc.strerror}")
        return 2
    except OSError as exc:  # e.g. disk full, read-only file system
        where = f"{exc.filename}: " if exc.filename else ""
        _err(f"sixparty: error: {where}{exc.strerror or exc}")
        return 2
    except KeyboardInterrupt:
        _err("sixparty: interrupted")
        return 130
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    return int(code or 0)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())


def _terms_text(ph) -> str:
    """``energy_aid >= 0.5, denuclearization <= 0.5`` for a phase's terms."""
    parts = []
    for issue, term in ph.terms.items():
        if term.at_least is not None:
            parts.append(f"{issue} >= {term.at_least:g}")
        if term.at_most is not None:
            parts.append(f"{issue} <= {term.at_most:g}")
    return ", ".join(parts)
