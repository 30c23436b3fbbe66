"""Shared test fixtures for sixparty.

Reuse from any test module:

``minimal_scenario_dict() -> dict``
    A small, valid scenario as plain data (a fresh copy each call): all six
    parties with all eight issues, two stated positions, three events, one
    phase, one invitation, default parameters.  Mutate it freely.
    Import it with ``from conftest import minimal_scenario_dict``.
``dump_yaml(data) -> str``
    YAML text for a scenario dict (block style, keys in insertion order).
``line_of(text, needle, start=1) -> int``
    1-based number of the first line at or after ``start`` containing
    ``needle`` (for asserting the line an error points at).

Fixtures:

``minimal_scenario``  -> dict   (``minimal_scenario_dict()``)
``scenario_file``     -> Path   (the minimal scenario written to ``tmp_path/minimal.yaml``)
``result``            -> RunResult of the minimal scenario (once per module)
``tables``            -> its tables as ``analysis`` reads them
``record``            -> the historical record (``analysis/data/record.yaml``)
``write_scenario``    -> callable ``(data_or_text, name="scenario.yaml") -> Path`` writing
                         a dict (as YAML) or raw text into ``tmp_path``.
"""

from __future__ import annotations

import copy
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from sixparty.scenario import ISSUE_SCALES, ISSUES, PARTIES

_NOTE = {"note": "test fixture value, not a calibrated figure"}

# position, salience on each issue (ISSUES order) for each party (PARTIES order); the
# ninth (sequence) repeats the first, the values of the one denuclearization scale
_POSITIONS: dict[str, list[tuple[float, float]]] = {
    "DPRK": [
        (0.1, 0.9),
        (0.9, 0.9),
        (0.8, 0.6),
        (0.8, 0.4),
        (0.9, 0.7),
        (0.9, 0.5),
        (0.1, 0.6),
        (0.9, 0.8),
        (0.1, 0.9),  # sequence: as the first scale of the one-scale days
    ],
    "US": [
        (0.95, 0.9),
        (0.2, 0.4),
        (0.2, 0.3),
        (0.1, 0.2),
        (0.1, 0.6),
        (0.0, 0.4),
        (0.95, 0.8),
        (0.1, 0.5),
        (0.95, 0.9),  # sequence: as the first scale of the one-scale days
    ],
    "China": [
        (0.5, 0.6),
        (0.7, 0.5),
        (0.6, 0.4),
        (0.6, 0.3),
        (0.6, 0.3),
        (0.5, 0.2),
        (0.5, 0.4),
        (0.7, 0.5),
        (0.5, 0.6),  # sequence: as the first scale of the one-scale days
    ],
    "ROK": [
        (0.6, 0.8),
        (0.7, 0.4),
        (0.7, 0.5),
        (0.6, 0.4),
        (0.5, 0.3),
        (0.4, 0.2),
        (0.6, 0.4),
        (0.6, 0.3),
        (0.6, 0.8),  # sequence: as the first scale of the one-scale days
    ],
    "Japan": [
        (0.9, 0.7),
        (0.3, 0.3),
        (0.2, 0.4),
        (0.2, 0.8),
        (0.2, 0.4),
        (0.1, 0.2),
        (0.9, 0.6),
        (0.2, 0.3),
        (0.9, 0.7),  # sequence: as the first scale of the one-scale days
    ],
    "Russia": [
        (0.5, 0.5),
        (0.7, 0.4),
        (0.6, 0.4),
        (0.6, 0.2),
        (0.6, 0.3),
        (0.6, 0.3),
        (0.5, 0.3),
        (0.6, 0.3),
        (0.5, 0.5),  # sequence: as the first scale of the one-scale days
    ],
}
_POWER = {"DPRK": 0.15, "US": 0.35, "China": 0.2, "ROK": 0.1, "Japan": 0.12, "Russia": 0.08}


def minimal_scenario_dict() -> dict[str, Any]:
    """A small valid scenario as plain data; a fresh deep copy on each call.

    Window 2003-08..2004-12 (17 months).  Events (ids in order):
    ``first_round`` (2003-08-27), ``sanctions_step`` (2004-02),
    ``us_opens`` (2004-06-15).  Parties: all six, all nine issues each;
    DPRK and US each have one stated position.
    """
    parties: dict[str, Any] = {}
    for party in PARTIES:
        parties[party] = {
            "name": party,
            "capability": {"value": _POWER[party], "source": dict(_NOTE)},
            "resolve": {"value": 0.6, "source": dict(_NOTE)},
            "domestic_constraint": {"value": 0.4, "source": dict(_NOTE)},
            "initial": {
                issue: {"position": pos, "salience": sal}
                for issue, (pos, sal) in zip(ISSUES, _POSITIONS[party], strict=True)
            },
            "trust": {other: 0.4 for other in PARTIES if other != party},
        }
    parties["DPRK"]["stated_positions"] = [
        {
            "date": "2003-08",
            "label": "package solution",
            "positions": {"denuclearization": 0.1, "format": 0.95},
            "source": dict(_NOTE),
        }
    ]
    parties["US"]["stated_positions"] = [
        {
            "date": "2003-08",
            "label": "CVID first",
            "positions": {"denuclearization": 1.0},
            "source": dict(_NOTE),
        }
    ]
    data: dict[str, Any] = {
        "name": "minimal",
        "title": "Minimal test scenario",
        "description": "A small scenario for tests. It is not calibrated.",
        "window": {"start": "2003-08", "end": "2004-12"},
        "issues": {
            issue: {"name": issue.replace("_", " "), "zero": z, "one": o}
            for issue, (z, o) in ISSUE_SCALES.items()
        },
        "parties": parties,
        "phases": [
            {
                "name": "initial_actions",
                "dprk_steps": ["shutdown", "seal"],
                "progress": 0.2,
                "aid_tonnes": 50000,
                "months": 2,
                "tranches": 2,
                "source": dict(_NOTE),
            }
        ],
        "invitations": [{"date": "2004-02", "note": "second round"}],
        "events": [
            {
                "id": "first_round",
                "date": "2003-08-27",
                "type": "diplomatic",
                "title": "First round opens",
                "actors": ["China"],
                "effects": [{"kind": "trust", "party": "DPRK", "toward": "US", "delta": 0.05}],
                "source": dict(_NOTE),
            },
            {
                "id": "sanctions_step",
                "date": "2004-02",
                "type": "sanctions",
                "title": "Sanctions tightened",
                "actors": ["US"],
                "effects": [{"kind": "sanctions", "delta": 0.2}],
                "source": dict(_NOTE),
            },
            {
                "id": "us_opens",
                "date": "2004-06-15",
                "type": "diplomatic",
                "title": "US first comprehensive proposal",
                "actors": ["US"],
                "effects": [
                    {"kind": "position", "party": "US", "issue": "energy_aid", "delta": 0.1},
                    {
                        "kind": "strategy",
                        "party": "US",
                        "field": "direct_talks",
                        "value": "within_multilateral",
                    },
                ],
                "source": dict(_NOTE),
            },
        ],
        "parameters": {"anchoring": True},
        "seed": 7,
    }
    return copy.deepcopy(data)


def dump_yaml(data: Any) -> str:
    """YAML text for ``data`` (block style, insertion order, unicode kept)."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)


def line_of(text: str, needle: str, start: int = 1) -> int:
    """1-based number of the first line at or after ``start`` that contains ``needle``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if number >= start and needle in line:
            return number
    raise AssertionError(f"{needle!r} not found in the text after line {start}")


@pytest.fixture
def minimal_scenario() -> dict[str, Any]:
    """A fresh :func:`minimal_scenario_dict`."""
    return minimal_scenario_dict()


@pytest.fixture
def write_scenario(tmp_path: Path) -> Callable[..., Path]:
    """Factory ``(data_or_text, name="scenario.yaml") -> Path`` writing into ``tmp_path``.

    A dict is dumped with :func:`dump_yaml`; a str is written as is.  ``name``
    may contain folders (created as needed).
    """

    def write(data: dict[str, Any] | str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(data if isinstance(data, str) else dump_yaml(data), encoding="utf-8")
        return path

    return write


@pytest.fixture
def scenario_file(write_scenario: Callable[..., Path]) -> Path:
    """The minimal scenario written to ``tmp_path/minimal.yaml``."""
    return write_scenario(minimal_scenario_dict(), "minimal.yaml")


# A test that leaves a signal handler installed changes what later tests (and a later
# Ctrl-C) see: on 3.12 the suite once failed two tests that way.  Each test must restore
# what it found; this fixture restores it anyway and makes the leak an error of its own.
_GUARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@pytest.fixture(autouse=True)
def _signal_handlers_restored():
    found = {sig: signal.getsignal(sig) for sig in _GUARDED_SIGNALS}
    yield
    leaked = [
        signal.Signals(sig).name
        for sig, handler in found.items()
        if signal.getsignal(sig) is not handler
    ]
    for sig, handler in found.items():
        signal.signal(sig, handler)
    assert not leaked, f"the test left its own handler for {', '.join(leaked)} installed"


# ------------------------------------------------------------ analysis fixtures
@pytest.fixture(scope="module")
def result():
    """A run of the minimal scenario (a :class:`sim.runner.RunResult`), once per module."""
    from sixparty.runner import simulate
    from sixparty.scenario import Scenario

    return simulate(Scenario.model_validate(minimal_scenario_dict()))


@pytest.fixture
def tables(result):
    """The run's tables as ``analysis`` reads them (:class:`analysis.runfiles.RunTables`)."""
    from sixparty.analysis.runfiles import tables_from_result

    return tables_from_result(result)


@pytest.fixture(scope="module")
def record():
    """The historical record (``analysis/data/record.yaml``)."""
    from sixparty.analysis.scorecard import load_record

    return load_record()
