"""sixparty: an agent-based simulator of the Six-Party Talks (2003-2009).

The names below are the Python API for notebooks and scripts (``docs/api.md``)::

    import sixparty as sp

    scenario = sp.load_scenario("historical")         # a shipped name or a YAML file
    result = sp.simulate(scenario, seed=1)            # one run, in memory (no files)
    sp.timeline_table(result)                         # pandas DataFrame, one row a month
    bold = sp.variant(scenario, overrides={"parties.US.strategy.direct_talks": "accept"})

Scenarios: :func:`load_scenario`, :func:`load_scenario_text`, :func:`find_scenario`,
:func:`shipped_scenarios`, :func:`variant`, :class:`Scenario`, :class:`ScenarioError`.
Runs: :func:`simulate` -> :class:`RunResult`; :func:`simulate_batch` runs many seeds
in one model (each run as :func:`simulate` gives it); :func:`write_run` writes a run folder;
:func:`read_run` reads one back.  Tables (pandas DataFrames, columns of
``docs/outputs.md``): :func:`run_tables`, :func:`timeline_table`, :func:`sessions_table`,
:func:`decisions_table`, :func:`ledger_table`, :func:`positions_table`,
:func:`trust_table`.  Many runs: :func:`run_ensemble`, :func:`compare`; scored against
the historical record with the null models: :func:`evaluate` (``docs/validation.md``).

The package imports these lazily (on first use of the name), so ``import sixparty``
and the ``sixparty`` command stay fast: pydantic, numpy, Mesa and pandas are only
imported when a name that needs them is used.

The model core (parties, protocol, dynamics) does no I/O; file formats and the
command line are at the edges (:mod:`sixparty.loader`, :mod:`sixparty.outputs`,
:mod:`sixparty.cli`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> module that defines it (imported on first access).
_LAZY: dict[str, str] = {
    # scenarios
    "Scenario": "sixparty.scenario",
    "ScenarioError": "sixparty.loader",
    "load_scenario": "sixparty.loader",
    "load_scenario_text": "sixparty.loader",
    "find_scenario": "sixparty.loader",
    "shipped_scenarios": "sixparty.loader",
    "scenario_json_schema": "sixparty.loader",
    "variant": "sixparty.api",
    # one run
    "simulate": "sixparty.runner",
    "simulate_batch": "sixparty.runner",
    "RunResult": "sixparty.runner",
    "write_run": "sixparty.outputs",
    "read_run": "sixparty.api",
    "RunTables": "sixparty.analysis.runfiles",
    "run_tables": "sixparty.api",
    "timeline_table": "sixparty.api",
    "sessions_table": "sixparty.api",
    "decisions_table": "sixparty.api",
    "ledger_table": "sixparty.api",
    "positions_table": "sixparty.api",
    "trust_table": "sixparty.api",
    # many runs
    "run_ensemble": "sixparty.analysis.ensemble",
    "EnsembleResult": "sixparty.analysis.ensemble",
    "compare": "sixparty.analysis.compare",
    "Comparison": "sixparty.analysis.compare",
    "evaluate": "sixparty.analysis.validation",
}

__all__ = [  # the names of _LAZY, spelled out for tools that read __all__ statically
    "Comparison",
    "EnsembleResult",
    "RunResult",
    "RunTables",
    "Scenario",
    "ScenarioError",
    "__version__",
    "compare",
    "decisions_table",
    "evaluate",
    "find_scenario",
    "ledger_table",
    "load_scenario",
    "load_scenario_text",
    "positions_table",
    "read_run",
    "run_ensemble",
    "run_tables",
    "scenario_json_schema",
    "sessions_table",
    "shipped_scenarios",
    "simulate",
    "simulate_batch",
    "timeline_table",
    "trust_table",
    "variant",
    "write_run",
]

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ imports on demand
    from sixparty.analysis.compare import Comparison, compare
    from sixparty.analysis.ensemble import EnsembleResult, run_ensemble
    from sixparty.analysis.runfiles import RunTables
    from sixparty.analysis.validation import evaluate
    from sixparty.api import (
        decisions_table,
        ledger_table,
        positions_table,
        read_run,
        run_tables,
        sessions_table,
        timeline_table,
        trust_table,
        variant,
    )
    from sixparty.loader import (
        ScenarioError,
        find_scenario,
        load_scenario,
        load_scenario_text,
        scenario_json_schema,
        shipped_scenarios,
    )
    from sixparty.outputs import write_run
    from sixparty.runner import RunResult, simulate, simulate_batch
    from sixparty.scenario import Scenario


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sixparty' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    """The public names (for tab completion), whether imported yet or not."""
    return sorted(__all__)
