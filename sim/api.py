"""Notebook helpers: variants built in code and a run's tables as pandas DataFrames.

Re-exported from the package root (``import sixparty as sp; sp.variant(...)``);
``docs/api.md`` shows them at work.

* :func:`variant` builds a scenario that differs from another by dotted-path
  overrides, removed and added events: the same rules as a YAML file that says
  ``extends:`` (``docs/scenarios.md``), applied by the same loader code, with the
  same checks and messages.
* :func:`run_tables` and the six ``*_table`` functions give the tables of a run
  (an in-memory :class:`~sixparty.runner.RunResult` or a run folder on disk) as
  DataFrames with the columns of ``docs/outputs.md``; months stay ``YYYY-MM``
  strings.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from sixparty.analysis.runfiles import RunTables
    from sixparty.runner import RunResult
    from sixparty.scenario import Scenario

__all__ = [
    "decisions_table",
    "ledger_table",
    "positions_table",
    "read_run",
    "run_tables",
    "sessions_table",
    "timeline_table",
    "trust_table",
    "variant",
]


def variant(
    scenario: Scenario | str | os.PathLike[str],
    *,
    overrides: Mapping[str, Any] | None = None,
    parameters: Mapping[str, Any] | None = None,
    remove_events: Iterable[str] = (),
    add_events: Iterable[Mapping[str, Any]] = (),
    name: str | None = None,
    title: str | None = None,
    description: str | None = None,
    seed: int | None = None,
    format_version: int = 2,
) -> Scenario:
    """A new scenario: ``scenario`` with the changes given, checked like a variant file.

    scenario: a :class:`~sixparty.scenario.Scenario`, a shipped scenario name
    (``"historical"``) or a YAML file.  The changes are applied in the order of an
    ``extends:`` file (``docs/scenarios.md``): ``remove_events`` (ids of the
    parent's events), ``add_events`` (event mappings as in YAML), then
    ``overrides`` (dotted path -> value: ``"parties.US.strategy.direct_talks":
    "accept"``, ``"events.bda_freeze.date": "2006-01"``, ``"phases[0].months":
    2``); a path must exist in the parent or be a field the format allows there,
    and a mapping value replaces the whole mapping at its path.
    ``parameters`` is shorthand for overrides under ``parameters.``
    (``{"noise": 0.1}`` == ``{"parameters.noise": 0.1}``).  ``name`` (default
    ``<parent name>-variant``), ``title``, ``description`` and ``seed`` set those
    fields.  ``format_version`` is the variant file's ``format_version:``
    (``docs/scenarios.md``, "Eight-issue files"): 2 (the default), the changes are
    read on the nine issues, as written; 1, they are read as an eight-issue file's
    (each ``denuclearization`` value also given to ``sequence``).  The call is the
    ``extends:`` file carrying that ``format_version:``, so both give the same scenario.
    Returns a validated :class:`~sixparty.scenario.Scenario`; ``scenario``
    itself is not changed.  Raises :class:`~sixparty.loader.ScenarioError` with the
    problems (field path, expected, did-you-mean), the location shown as
    ``<variant of NAME>``; ``TypeError`` before that when an argument has the wrong
    shape (a string for ``remove_events``, one mapping for ``add_events``, a
    non-mapping for ``overrides``/``parameters``).
    """
    import yaml
    from sixparty import loader
    from sixparty.scenario import Scenario as _Scenario

    removed, added = _variant_events(overrides, parameters, remove_events, add_events)
    parent = scenario if isinstance(scenario, _Scenario) else loader.load_scenario(scenario)
    shown = f"<variant of {parent.name}>"
    parent_text = yaml.safe_dump(
        parent.model_dump(mode="json"), sort_keys=False, allow_unicode=True
    )
    parent_tree = loader._parse(parent_text, f"<{parent.name}>")
    ovr: dict[str, Any] = {f"parameters.{k}": v for k, v in (parameters or {}).items()}
    ovr.update(dict(overrides or {}))
    child: dict[str, Any] = {
        "format_version": format_version,
        "extends": parent.name,
        "name": name or f"{parent.name}-variant",
    }
    for key, value in (("title", title), ("description", description), ("seed", seed)):
        if value is not None:
            child[key] = value
    if removed:
        child["remove_events"] = removed
    if added:
        child["add_events"] = added
    if ovr:
        child["overrides"] = ovr
    child_text = yaml.safe_dump(_plain(child), sort_keys=False, allow_unicode=True)
    try:
        child_tree = loader._parse(child_text, shown)
        loader._read_format(child_tree, shown)  # as the loader reads a file of its own
        merged = loader._apply_variant(parent_tree, child_tree, Path(shown), shown)
        return loader._validate(merged)
    except loader.ScenarioError as exc:
        # Lines of text made here, or of the parent's dump, would point nowhere: drop them.
        raise loader.ScenarioError(
            [dataclasses.replace(p, file=shown, line=None, column=None) for p in exc.problems]
        ) from None


def _plain(value: Any) -> Any:
    """``value`` with numpy scalars and arrays and ``Decimal`` numbers as the Python
    values YAML writes (a sweep over ``np.linspace`` gives ``np.float64``); mappings,
    lists and tuples converted throughout, anything else as it is."""
    import decimal

    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    tolist = getattr(value, "tolist", None)  # numpy scalars and arrays
    if callable(tolist) and type(value).__module__ == "numpy":
        return _plain(tolist())
    return value


def _variant_events(
    overrides: Any, parameters: Any, remove_events: Any, add_events: Any
) -> tuple[list[str], list[dict[str, Any]]]:
    """``(remove_events, add_events)`` of :func:`variant` as lists, after checking shapes.

    Raises TypeError for the first argument of the wrong shape: without the check a
    string given for ``remove_events`` is iterated letter by letter (one "no event
    with id 'u'" per letter) and a single event mapping as its keys.
    """
    for arg, value, example in (
        ("overrides", overrides, '{"parties.US.strategy.direct_talks": "accept"}'),
        ("parameters", parameters, '{"noise": 0.1}'),
    ):
        if value is not None and not isinstance(value, Mapping):
            raise TypeError(
                f"{arg} must be a mapping of dotted path -> value, e.g. {example}; "
                f"got {type(value).__name__}"
            )
    remove_events = () if remove_events is None else remove_events
    add_events = () if add_events is None else add_events
    if isinstance(remove_events, (str, bytes)) or not isinstance(remove_events, Iterable):
        example = remove_events if isinstance(remove_events, str) else "us_midterms_2006"
        raise TypeError(
            f"remove_events must be a list of event ids, e.g. [{example!r}]; "
            f"got {type(remove_events).__name__}"
        )
    removed = list(remove_events)
    for i, ev in enumerate(removed):
        if not isinstance(ev, str):
            raise TypeError(
                f"remove_events must be a list of event ids (strings): remove_events[{i}] "
                f"is {type(ev).__name__}"
            )
    if isinstance(add_events, (str, bytes, Mapping)) or not isinstance(add_events, Iterable):
        raise TypeError(
            "add_events must be a list of event mappings, e.g. "
            '[{"id": "extra", "date": "2004-03", "type": "other", "title": "...", '
            f'"source": {{"note": "..."}}}}]; got {type(add_events).__name__}'
            + (" (put the one event in a list)" if isinstance(add_events, Mapping) else "")
        )
    added = list(add_events)
    for i, ev in enumerate(added):
        if not isinstance(ev, Mapping):
            raise TypeError(
                f"add_events must be a list of event mappings: add_events[{i}] is "
                f"{type(ev).__name__}"
            )
    return removed, [dict(ev) for ev in added]


def read_run(run_dir: str | os.PathLike[str], verify: bool = True) -> RunTables:
    """Read a run folder written by ``sixparty run`` (or :func:`~sixparty.outputs.write_run`).

    Returns a :class:`~sixparty.analysis.runfiles.RunTables` (one DataFrame per
    table: ``timeline``, ``positions``, ``trust``, ``sessions``, ``drafts``,
    ``ledger``, ``decisions``, ``events``; ``meta`` is the manifest).  With
    ``verify`` the files' checksums are checked against ``manifest.json``.
    Raises :class:`~sixparty.analysis.runfiles.NotARunFolder` (a ValueError) naming
    the file that is missing or damaged.
    """
    from sixparty.analysis.runfiles import read_run as _read_run

    return _read_run(run_dir, verify=verify)


def run_tables(run: RunResult | RunTables | str | os.PathLike[str]) -> RunTables:
    """All tables of ``run`` as DataFrames.

    run: a :class:`~sixparty.runner.RunResult` (from :func:`~sixparty.runner.simulate`),
    a run folder (read and checked by :func:`read_run`) or a
    :class:`~sixparty.analysis.runfiles.RunTables` (returned as is).  The numbers are
    those of the CSV files, six decimals, whichever road.  Raises TypeError for
    anything else (naming what is expected), as do the ``*_table`` functions.
    """
    from sixparty.analysis.runfiles import RunTables as _RunTables
    from sixparty.analysis.runfiles import tables_from_result

    if isinstance(run, _RunTables):
        return run
    if isinstance(run, (str, os.PathLike)):
        return read_run(run)
    _check_run_result(run, "run", "a run folder or a RunTables")
    return tables_from_result(run)


def _check_run_result(run: Any, arg: str, also: str = "") -> None:
    """TypeError unless ``run`` is a :class:`~sixparty.runner.RunResult` (``also``: the
    other things the caller accepts, named in the message)."""
    from sixparty.runner import RunResult as _RunResult

    if not isinstance(run, _RunResult):
        others = f", {also}" if also else ""
        raise TypeError(
            f"{arg} must be a RunResult (from sixparty.simulate){others}, not {type(run).__name__}"
        )


def timeline_table(run: RunResult | RunTables | str | os.PathLike[str]) -> pd.DataFrame:
    """One row a month: ``month``, ``talks_status``, ``progress``, aid, sanctions, trust, events.

    Columns and units: ``docs/outputs.md`` (``timeline.csv``).  ``run``: as for
    :func:`run_tables`.
    """
    return run_tables(run).timeline.copy()


def sessions_table(run: RunResult | RunTables | str | os.PathLike[str]) -> pd.DataFrame:
    """One row per invitation (held or boycotted): round, month, document, utilities, text.

    Columns: ``docs/outputs.md`` (``sessions.csv``); ``held``, ``recess`` and
    ``direct_contact`` are booleans.
    """
    return run_tables(run).sessions.copy()


def decisions_table(run: RunResult | RunTables | str | os.PathLike[str]) -> pd.DataFrame:
    """The parties' endogenous decisions: ``month``, ``party``, ``decision``, ``reason``,
    ``cause``, ``reason_codes``, ``reason_values`` (docs/outputs.md; a folder written before
    the later columns lacks them)."""
    return run_tables(run).decisions.copy()


def ledger_table(run: RunResult | RunTables | str | os.PathLike[str]) -> pd.DataFrame:
    """The action-for-action ledger, one row per promised step (``docs/outputs.md``, ``ledger.csv``)."""
    return run_tables(run).ledger.copy()


def positions_table(run: RunResult | RunTables | str | os.PathLike[str]) -> pd.DataFrame:
    """Month x party x issue: ``position`` and ``salience`` in [0, 1] at the end of the month.

    Long format (``month, party, issue, position, salience``); for a month x
    party grid of one issue: ``df[df.issue == "denuclearization"].pivot(index="month",
    columns="party", values="position")``.  Empty if the run did not record positions.
    """
    return run_tables(run).positions.copy()


def trust_table(run: RunResult | RunTables | str | os.PathLike[str]) -> pd.DataFrame:
    """Month x party x other party: ``trust`` of ``party`` in ``toward``, in [0, 1]."""
    return run_tables(run).trust.copy()
