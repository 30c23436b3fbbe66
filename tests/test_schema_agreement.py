"""The JSON Schemas (``sixparty schema``) and the loader agree, case by case.

Every case is run through both: ``jsonschema`` with the schema of its kind, and
:func:`sixparty.loader.load_scenario` on the same YAML written to a file.  The
table says what each must answer.  Where they differ on purpose the row says
why: ``LOADER_ONLY`` rows are checks JSON Schema cannot express (cross-field,
or needing the parent file: ``sixparty.schema.LOADER_ONLY``), so the schema
accepts and the loader refuses; ``LENIENT`` rows are inputs the loader converts
(pydantic's lax mode) and the schema refuses.  A row that starts agreeing (or
disagreeing) fails, so the table stays true.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import dump_yaml, minimal_scenario_dict
from sixparty.loader import ScenarioError, load_scenario, scenario_json_schema, shipped_scenarios
from sixparty.schema import LOADER_ONLY

jsonschema = pytest.importorskip("jsonschema")

BOTH_OK = "valid in both"
BOTH_BAD = "invalid in both"
LOADER_ONLY_CHECK = "loader only: the schema accepts, the loader refuses"
LENIENT = "loader lenient: the loader accepts, the schema refuses"


def _plain(x: Any) -> Any:
    """YAML data as an editor's YAML-to-JSON step gives it (dates become ISO strings)."""
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_plain(v) for v in x]
    if isinstance(x, (dt.date, dt.datetime)):
        return x.isoformat()
    return x


@pytest.fixture(scope="module")
def validators() -> dict[str, Any]:
    out = {}
    for kind in ("any", "complete", "variant"):
        schema = scenario_json_schema(kind)
        jsonschema.Draft202012Validator.check_schema(schema)
        out[kind] = jsonschema.Draft202012Validator(schema)
    return out


def schema_ok(validators, data: dict, kind: str) -> bool:
    """Valid under the schema of ``kind`` and under the combined ``any`` schema (they must agree)."""
    own = validators[kind].is_valid(data)
    assert validators["any"].is_valid(data) == own, "the combined schema disagrees with its half"
    return own


def loader_ok(path: Path) -> bool:
    try:
        load_scenario(path)
    except ScenarioError:
        return False
    return True


def expect(verdict: str, schema: bool, loader: bool) -> None:
    want = {
        BOTH_OK: (True, True),
        BOTH_BAD: (False, False),
        LOADER_ONLY_CHECK: (True, False),
        LENIENT: (False, True),
    }[verdict]
    assert (schema, loader) == want, (
        f"expected {verdict}; schema valid={schema}, loader valid={loader}"
    )


# ------------------------------------------------------------ shipped files
@pytest.mark.parametrize("name,path", shipped_scenarios(), ids=[n for n, _ in shipped_scenarios()])
def test_every_shipped_scenario_is_valid_in_both(validators, name, path) -> None:
    data = _plain(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
    kind = "variant" if "extends" in data else "complete"
    errors = [
        f"{list(e.absolute_path)}: {e.message[:200]}" for e in validators[kind].iter_errors(data)
    ]
    assert not errors, errors
    assert validators["any"].is_valid(data)
    assert loader_ok(path)


def test_the_counterfactuals_are_variants_and_historical_complete() -> None:
    kinds = {
        n: "extends" in yaml.safe_load(Path(p).read_text(encoding="utf-8"))
        for n, p in shipped_scenarios()
    }
    assert kinds["historical"] is False
    assert any(kinds.values()), "no shipped variant: the variant schema would be untested"


# -------------------------------------------------------- complete scenarios
def _set(data: dict, path: str, value: Any) -> None:
    keys = path.split(".")
    node = data
    for k in keys[:-1]:
        node = node[int(k)] if isinstance(node, list) else node[k]
    last = keys[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def _delete(data: dict, path: str) -> None:
    keys = path.split(".")
    node = data
    for k in keys[:-1]:
        node = node[int(k)] if isinstance(node, list) else node[k]
    del node[keys[-1]]


def _strip_sequence(data: dict) -> None:
    """Delete the ``sequence`` issue from ``issues`` and every party's ``initial``."""
    del data["issues"]["sequence"]
    for party in data["parties"].values():
        del party["initial"]["sequence"]


COMPLETE_CASES: list[tuple[str, str, Any]] = [
    # (id, verdict, change: a callable on the minimal scenario's data)
    ("minimal", BOTH_OK, lambda d: None),
    ("month_13", BOTH_BAD, lambda d: _set(d, "window.start", "2003-13")),
    ("month_00", BOTH_BAD, lambda d: _set(d, "window.end", "2004-00")),
    ("month_words", BOTH_BAD, lambda d: _set(d, "window.start", "August 2003")),
    ("window_backwards", LOADER_ONLY_CHECK, lambda d: _set(d, "window.end", "2003-01")),
    ("event_outside_window", LOADER_ONLY_CHECK, lambda d: _set(d, "events.0.date", "2009-04-14")),
    (
        "invitation_outside_window",
        LOADER_ONLY_CHECK,
        lambda d: _set(d, "invitations.0.date", "2010-01"),
    ),
    (
        "duplicate_event_id",
        LOADER_ONLY_CHECK,
        lambda d: _set(d, "events.1.id", d["events"][0]["id"]),
    ),
    ("not_a_real_date", LOADER_ONLY_CHECK, lambda d: _set(d, "events.0.date", "2004-02-30")),
    ("infinite_aid", LOADER_ONLY_CHECK, lambda d: _set(d, "phases.0.aid_tonnes", float("inf"))),
    ("event_month_13", BOTH_BAD, lambda d: _set(d, "events.0.date", "2004-13-01")),
    ("unknown_top_level_key", BOTH_BAD, lambda d: _set(d, "colour", "red")),
    ("overrides_without_extends", BOTH_BAD, lambda d: _set(d, "overrides", {"seed": 1})),
    ("missing_description", BOTH_BAD, lambda d: _delete(d, "description")),
    ("missing_issue_scale", BOTH_BAD, lambda d: _delete(d, "issues.lwr")),
    (
        "unknown_issue_scale",
        BOTH_BAD,
        lambda d: _set(d, "issues.fishing", {"name": "f", "zero": "a", "one": "b"}),
    ),
    ("missing_initial_issue", BOTH_BAD, lambda d: _delete(d, "parties.US.initial.lwr")),
    # an eight-issue file (no sequence anywhere) is read on both scales; sequence
    # given in some places but not all is a loader-only refusal
    ("eight_issue_file", BOTH_OK, lambda d: _strip_sequence(d)),
    (
        "sequence_in_one_party_only",
        LOADER_ONLY_CHECK,
        lambda d: _delete(d, "parties.US.initial.sequence"),
    ),
    (
        "unknown_initial_issue",
        BOTH_BAD,
        lambda d: _set(d, "parties.US.initial.fishing", {"position": 0.5, "salience": 0.5}),
    ),
    ("position_above_1", BOTH_BAD, lambda d: _set(d, "parties.US.initial.lwr.position", 1.4)),
    ("yes_as_a_number", BOTH_BAD, lambda d: _set(d, "parties.US.initial.lwr.position", True)),
    ("trust_above_1", BOTH_BAD, lambda d: _set(d, "parties.US.trust.DPRK", 1.5)),
    ("trust_unknown_party", BOTH_BAD, lambda d: _set(d, "parties.US.trust.EU", 0.5)),
    ("missing_party", BOTH_BAD, lambda d: _delete(d, "parties.Russia")),
    (
        "source_without_quote_or_note",
        BOTH_BAD,
        lambda d: _set(d, "parties.US.capability.source", {"gloss": "x"}),
    ),
    (
        "quote_without_section",
        BOTH_BAD,
        lambda d: _set(d, "parties.US.capability.source", {"quote": "某句"}),
    ),
    (
        "stated_position_no_issue",
        BOTH_BAD,
        lambda d: _set(d, "parties.US.stated_positions.0.positions", {}),
    ),
    (
        "strategy_field_of_another_party",
        BOTH_BAD,
        lambda d: d["events"][0]["effects"].append(
            {"kind": "strategy", "party": "US", "field": "policy", "value": "hardline"}
        ),
    ),
    (
        "strategy_field_of_its_party",
        BOTH_OK,
        lambda d: d["events"][0]["effects"].append(
            {"kind": "strategy", "party": "US", "field": "direct_talks", "value": "accept"}
        ),
    ),
    ("unknown_effect_kind", BOTH_BAD, lambda d: _set(d, "events.0.effects.0.kind", "mood")),
    ("delta_above_1", BOTH_BAD, lambda d: _set(d, "events.0.effects.0.delta", 2)),
    ("parameter_out_of_range", BOTH_BAD, lambda d: _set(d, "parameters", {"noise": 0.9})),
    ("unknown_parameter", BOTH_BAD, lambda d: _set(d, "parameters", {"noize": 0.1})),
    ("negative_seed", BOTH_BAD, lambda d: _set(d, "seed", -1)),
    ("name_with_space", BOTH_BAD, lambda d: _set(d, "name", "my scenario")),
    ("name_in_chinese", BOTH_OK, lambda d: _set(d, "name", "情景一")),
    ("name_with_slash", BOTH_BAD, lambda d: _set(d, "name", "a/b")),
    ("phase_months_0", BOTH_BAD, lambda d: _set(d, "phases.0.months", 0)),
    # quoted numbers and true/false are not numbers (YAML 1.2): the loader refuses them too
    ("seed_as_text", BOTH_BAD, lambda d: _set(d, "seed", "5")),
    ("seed_true", BOTH_BAD, lambda d: _set(d, "seed", True)),
    ("whole_parameter_true", BOTH_BAD, lambda d: _set(d, "parameters", {"max_iterations": True})),
    (
        "whole_parameter_as_text",
        BOTH_BAD,
        lambda d: _set(d, "parameters", {"stall_iterations": "2"}),
    ),
    ("parameter_as_text", BOTH_BAD, lambda d: _set(d, "parameters", {"noise": "0.1"})),
    ("phase_months_as_text", BOTH_BAD, lambda d: _set(d, "phases.0.months", "3")),
    # format_version: (docs/scenarios.md, "Eight-issue files")
    ("format_version_2", BOTH_OK, lambda d: d.update(format_version=2)),
    ("format_version_3", BOTH_BAD, lambda d: d.update(format_version=3)),
    ("format_version_as_text", BOTH_BAD, lambda d: d.update(format_version="2")),
    # version 1 is the eight issues: this file names sequence
    ("format_version_1_with_sequence", LOADER_ONLY_CHECK, lambda d: d.update(format_version=1)),
]


@pytest.mark.filterwarnings("ignore::sixparty.loader.EightIssueScenario")  # eight_issue_file
@pytest.mark.parametrize("case,verdict,change", COMPLETE_CASES, ids=[c[0] for c in COMPLETE_CASES])
def test_complete_scenarios(validators, tmp_path, case, verdict, change) -> None:
    data = minimal_scenario_dict()
    change(data)
    path = tmp_path / f"{case}.yaml"
    path.write_text(dump_yaml(data), encoding="utf-8")
    reread = _plain(yaml.safe_load(path.read_text(encoding="utf-8")))
    expect(verdict, schema_ok(validators, reread, "complete"), loader_ok(path))


# ------------------------------------------------------------------ variants
VARIANT_CASES: list[tuple[str, str, dict]] = [
    # a variant deep-merges partial mappings: the old schema refused these
    ("partial_strategy", BOTH_OK, {"parties": {"US": {"strategy": {"direct_talks": "accept"}}}}),
    (
        "partial_parameters_and_window",
        BOTH_OK,
        {"parameters": {"noise": 0.1}, "window": {"end": "2004-06"}},
    ),
    ("partial_party_value", BOTH_OK, {"parties": {"DPRK": {"resolve": {"value": 0.9}}}}),
    ("partial_initial", BOTH_OK, {"parties": {"Japan": {"initial": {"lwr": {"salience": 0.1}}}}}),
    (
        "override_paths",
        BOTH_OK,
        {
            "overrides": {
                "parties.US.strategy.direct_talks": "accept",
                "phases[0].months": 3,
                "phases.0.tranches": 1,
                "events.first_round.date": "2003-09",
                "events[1].title": "renamed",
                "parameters": {"noise": 0.2},
            }
        },
    ),
    (
        "remove_and_add",
        BOTH_OK,
        {
            "remove_events": ["sanctions_step"],
            "add_events": [
                {
                    "id": "new_one",
                    "date": "2004-03",
                    "type": "other",
                    "title": "An added event",
                    "source": {"note": "test"},
                }
            ],
        },
    ),
    (
        "replace_event_by_id",
        BOTH_OK,
        {
            "events": [
                {
                    "id": "us_opens",
                    "date": "2004-07",
                    "type": "diplomatic",
                    "title": "Later",
                    "source": {"note": "test"},
                }
            ]
        },
    ),
    # bad in both
    ("month_13", BOTH_BAD, {"window": {"start": "2003-13"}}),
    ("bad_override_path", BOTH_BAD, {"overrides": {"parties.US.strategy.direct_talk": "accept"}}),
    ("override_unknown_party", BOTH_BAD, {"overrides": {"parties.EU.resolve.value": 0.5}}),
    ("override_unknown_parameter", BOTH_BAD, {"overrides": {"parameters.noize": 0.1}}),
    ("override_out_of_range", BOTH_BAD, {"overrides": {"parameters.noise": 0.9}}),
    ("override_wrong_choice", BOTH_BAD, {"overrides": {"parties.ROK.strategy.policy": "maybe"}}),
    ("override_bad_month", BOTH_BAD, {"overrides": {"window.end": "2004-13"}}),
    (
        "override_incomplete_mapping",
        BOTH_BAD,
        {"overrides": {"parties.US.capability": {"value": 0.5}}},
    ),
    ("partial_out_of_range", BOTH_BAD, {"parties": {"US": {"resolve": {"value": 2}}}}),
    ("partial_unknown_key", BOTH_BAD, {"parties": {"US": {"strategy": {"direct_talk": "accept"}}}}),
    (
        "incomplete_added_event",
        BOTH_BAD,
        {"add_events": [{"id": "x", "date": "2004-03", "type": "other", "title": "no source"}]},
    ),
    ("incomplete_replacing_event", BOTH_BAD, {"events": [{"id": "us_opens", "date": "2004-07"}]}),
    ("remove_events_not_a_list", BOTH_BAD, {"remove_events": "sanctions_step"}),
    # need the parent or several fields: the loader alone
    ("remove_unknown_event", LOADER_ONLY_CHECK, {"remove_events": ["no_such_event"]}),
    ("override_index_out_of_range", LOADER_ONLY_CHECK, {"overrides": {"phases[5].months": 3}}),
    (
        "override_unknown_event_id",
        LOADER_ONLY_CHECK,
        {"overrides": {"events.no_such_event.date": "2004-01"}},
    ),
    ("window_shrinks_past_events", LOADER_ONLY_CHECK, {"window": {"end": "2003-09"}}),
    (
        "override_event_outside_window",
        LOADER_ONLY_CHECK,
        {"overrides": {"events.us_opens.date": "2009-01"}},
    ),
    ("missing_parent", LOADER_ONLY_CHECK, {"extends": "no_such_parent"}),
    (
        "format_version_2_scope_only",
        BOTH_OK,
        {
            "format_version": 2,
            "parties": {"DPRK": {"initial": {"denuclearization": {"position": 0.3}}}},
        },
    ),
    ("format_version_0", BOTH_BAD, {"format_version": 0}),
]


@pytest.mark.parametrize("case,verdict,body", VARIANT_CASES, ids=[c[0] for c in VARIANT_CASES])
def test_variants(validators, tmp_path, case, verdict, body) -> None:
    (tmp_path / "base.yaml").write_text(dump_yaml(minimal_scenario_dict()), encoding="utf-8")
    data = {"extends": "base", **copy.deepcopy(body)}
    path = tmp_path / f"{case}.yaml"
    path.write_text(dump_yaml(data), encoding="utf-8")
    reread = _plain(yaml.safe_load(path.read_text(encoding="utf-8")))
    expect(verdict, schema_ok(validators, reread, "variant"), loader_ok(path))


def test_every_loader_only_check_is_in_the_schema_description() -> None:
    for kind in ("any", "complete", "variant"):
        text = scenario_json_schema(kind)["description"]
        for check in LOADER_ONLY:
            assert check in text, (kind, check)


def test_the_variant_schema_still_knows_every_top_level_field() -> None:
    complete = scenario_json_schema("complete")
    variant = scenario_json_schema("variant")
    assert set(complete["properties"]) < set(variant["properties"])
    assert {"extends", "overrides", "remove_events", "add_events"} <= set(variant["properties"])
