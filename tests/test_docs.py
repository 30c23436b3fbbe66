"""The documentation states the same defaults as the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sixparty import scenario as sc

DOC = Path(__file__).parents[1] / "docs" / "scenarios.md"
ROW = re.compile(
    r"^\|(?: (?P<party>DPRK|US|China|ROK|Japan|Russia) \|)? `(?P<name>[a-z_]+)` \| (?:[^|\\]|\\\|)+ \| (?P<default>[^|]+) \|"
)


def documented_defaults() -> dict[tuple[str | None, str], str]:
    out = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if m:
            out[(m["party"], m["name"])] = m["default"].strip().strip("`")
    return out


def _text(value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def test_parameter_defaults_match_the_docs():
    docs = documented_defaults()
    for name, field in sc.Parameters.model_fields.items():
        assert (None, name) in docs, f"parameters.{name} is not documented"
        assert (
            float(docs[(None, name)]) == pytest.approx(float(field.default))
            if not isinstance(field.default, bool)
            else docs[(None, name)] == _text(field.default)
        ), name


@pytest.mark.parametrize(
    "party,model",
    [
        ("DPRK", sc.DPRKStrategy),
        ("US", sc.USStrategy),
        ("China", sc.ChinaStrategy),
        ("ROK", sc.ROKStrategy),
        ("Japan", sc.JapanStrategy),
        ("Russia", sc.RussiaStrategy),
    ],
)
def test_strategy_defaults_match_the_docs(party, model):
    docs = documented_defaults()
    for name, field in model.model_fields.items():
        assert (party, name) in docs, f"{party}.strategy.{name} is not documented"
        assert docs[(party, name)] == _text(field.default), (party, name)


def test_documented_parameters_all_exist():
    docs = documented_defaults()
    for party, name in docs:
        if party is None and name in ("anchoring",) + tuple(sc.Parameters.model_fields):
            continue
        if party is None:
            continue
        assert (
            name
            in getattr(
                sc,
                {
                    "DPRK": "DPRKStrategy",
                    "US": "USStrategy",
                    "China": "ChinaStrategy",
                    "ROK": "ROKStrategy",
                    "Japan": "JapanStrategy",
                    "Russia": "RussiaStrategy",
                }[party],
            ).model_fields
        )
