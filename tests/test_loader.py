"""Tests of sim.loader: safe YAML, precise problems, extends/overrides, lookup, schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sixparty.loader as loader
import sixparty.shipped as shipped_mod
from conftest import dump_yaml, line_of, minimal_scenario_dict
from sixparty.loader import (
    MAX_BYTES,
    Problem,
    ScenarioError,
    diff_from_parent,
    find_scenario,
    load_scenario,
    load_scenario_text,
    scenario_json_schema,
    scenario_parent_chain,
)
from sixparty.scenario import PARTIES, Scenario


def problems_of(text: str, filename: str = "s.yaml") -> list[Problem]:
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, filename)
    assert info.value.problems
    return info.value.problems


def only(problems: list[Problem], path: str) -> Problem:
    hits = [p for p in problems if p.path == path]
    assert len(hits) == 1, [p.format() for p in problems]
    return hits[0]


def assert_plain(err: ScenarioError) -> None:
    text = err.format()
    for jargon in (
        "Input should be",
        "pydantic",
        "errors.pydantic.dev",
        "Value error",
        "Traceback",
    ):
        assert jargon not in text, text


# ------------------------------------------------------------------ valid
def test_minimal_scenario_loads(scenario_file: Path) -> None:
    s = load_scenario(scenario_file)
    assert isinstance(s, Scenario)
    assert s.name == "minimal"
    assert [e.id for e in s.events] == ["first_round", "sanctions_step", "us_opens"]
    assert load_scenario_text(scenario_file.read_text(), "x.yaml") == s


def test_yaml_dates_are_accepted() -> None:
    d = minimal_scenario_dict()
    text = dump_yaml(d).replace("date: '2003-08-27'", "date: 2003-08-27")
    assert "date: 2003-08-27" in text
    assert load_scenario_text(text).events[0].date == "2003-08-27"


def test_merge_key_and_anchor_are_plain_yaml() -> None:
    d = minimal_scenario_dict()
    text = dump_yaml(d).replace(
        "parameters:\n  anchoring: true",
        "base: &b {anchoring: false}\nparameters:\n  <<: *b\n  noise: 0.1",
    )
    problems = problems_of(text)  # 'base' itself is not a scenario field
    assert [p.path for p in problems] == ["base"]
    text = text.replace("base: &b {anchoring: false}\n", "").replace(
        "<<: *b", "<<: {anchoring: false}"
    )
    s = load_scenario_text(text)
    assert s.parameters.anchoring is False and s.parameters.noise == 0.1


# ------------------------------------------------------------- bad inputs
def test_yaml_syntax_error_has_line_and_column() -> None:
    text = dump_yaml(minimal_scenario_dict())
    bad_line = line_of(text, "title: Minimal")
    lines = text.splitlines()
    lines[bad_line - 1] = "title: [Minimal"
    (p,) = problems_of("\n".join(lines) + "\n")
    assert p.message.startswith("YAML syntax error")
    assert p.line is not None and p.line >= bad_line and p.column is not None
    assert p.format().startswith(f"s.yaml:{p.line}:{p.column}: YAML syntax error")


def test_tab_indentation_hint() -> None:
    (p,) = problems_of("name: x\nwindow:\n\tstart: 2003-08\n")
    assert p.line == 3 and "tabs" in p.message


def test_unknown_key_with_did_you_mean() -> None:
    d = minimal_scenario_dict()
    d["parties"]["US"]["capabilty"] = d["parties"]["US"].pop("capability")
    text = dump_yaml(d)
    problems = problems_of(text)
    p = only(problems, "parties.US.capabilty")
    assert p.message == "unknown key 'capabilty'"
    assert p.suggestion == "capability"
    assert p.line == line_of(text, "capabilty:")
    assert p.column == 5
    assert "  did you mean 'capability'?" in p.format()
    # the matching "missing capability" is not reported twice
    assert not [q for q in problems if q.path == "parties.US.capability"]


def test_unknown_top_level_key_lists_nothing_unhelpful() -> None:
    text = dump_yaml(minimal_scenario_dict()) + "paramters:\n  noise: 0.1\n"
    p = only(problems_of(text), "paramters")
    assert p.suggestion == "parameters" and p.line == line_of(text, "paramters:")


def test_missing_field_points_at_parent_mapping() -> None:
    d = minimal_scenario_dict()
    del d["parties"]["China"]["resolve"]
    text = dump_yaml(d)
    p = only(problems_of(text), "parties.China.resolve")
    assert p.message == "required field is missing"
    assert p.line == text.splitlines().index("  China:") + 1


def test_missing_top_level_field_points_at_line_1() -> None:
    d = minimal_scenario_dict()
    del d["description"]
    p = only(problems_of(dump_yaml(d)), "description")
    assert (p.line, p.column) == (1, 1)


def test_value_out_of_range_says_the_range() -> None:
    d = minimal_scenario_dict()
    d["parties"]["DPRK"]["initial"]["verification"]["position"] = 1.4
    text = dump_yaml(d)
    p = only(problems_of(text), "parties.DPRK.initial.verification.position")
    assert p.message == "expected a number in [0, 1], got 1.4"
    want = line_of(text, "position: 1.4")
    assert p.line == want and p.column == text.splitlines()[want - 1].index("1.4") + 1
    assert p.format().startswith(
        f"s.yaml:{want}:{p.column}: parties.DPRK.initial.verification.position: "
    )


def test_integer_range_and_type_messages() -> None:
    d = minimal_scenario_dict()
    d["parameters"]["max_iterations"] = 0
    d["phases"][0]["months"] = 2.5
    d["parameters"]["noise"] = "high"
    problems = problems_of(dump_yaml(d))
    assert (
        only(problems, "parameters.max_iterations").message
        == "expected a whole number in [1, 100], got 0"
    )
    assert only(problems, "phases[0].months").message.startswith("expected a whole number")
    assert only(problems, "parameters.noise").message == "expected a number, got 'high'"


def test_date_not_a_date() -> None:
    d = minimal_scenario_dict()
    d["events"][1]["date"] = "Feb 2004"
    text = dump_yaml(d)
    p = only(problems_of(text), "events[1].date")
    assert "expected a date written YYYY-MM-DD" in p.message and "got 'Feb 2004'" in p.message
    assert p.line == line_of(text, "date: Feb 2004")


def test_impossible_calendar_date() -> None:
    text = dump_yaml(minimal_scenario_dict()).replace("date: '2004-06-15'", "date: 2004-02-30")
    assert "2004-02-30" in text
    p = only(problems_of(text), "events[2].date")
    assert "not a real date" in p.message and p.line == line_of(text, "2004-02-30")


def test_month_not_a_month() -> None:
    d = minimal_scenario_dict()
    d["window"]["end"] = "2004-13"
    text = dump_yaml(d)
    p = only(problems_of(text), "window.end")
    assert "expected a month written YYYY-MM" in p.message and p.line == line_of(
        text, "end: 2004-13"
    )


def test_event_outside_window() -> None:
    d = minimal_scenario_dict()
    d["events"][2]["date"] = "2009-01-01"
    text = dump_yaml(d)
    p = only(problems_of(text), "events[2].date")
    assert "outside the scenario window 2003-08..2004-12" in p.message
    assert p.line == line_of(text, "2009-01-01")


def test_unknown_party_key_did_you_mean() -> None:
    text = dump_yaml(minimal_scenario_dict()).replace("  DPRK:\n", "  DPKR:\n", 1)
    problems = problems_of(text)
    p = only(problems, "parties.DPKR")
    assert p.message == "unknown key 'DPKR'" and p.suggestion == "DPRK"
    assert p.line == line_of(text, "  DPKR:")
    assert not [q for q in problems if q.path == "parties.DPRK"]  # one message for one problem


def test_unknown_party_in_effect_and_trust() -> None:
    d = minimal_scenario_dict()
    d["events"][2]["effects"][0]["party"] = "DPKR"
    d["parties"]["ROK"]["trust"]["Japn"] = 0.3
    text = dump_yaml(d)
    problems = problems_of(text)
    p = only(problems, "events[2].effects[0].party")
    assert p.message == "unknown party 'DPKR'" and p.suggestion == "DPRK"
    assert p.line == line_of(text, "party: DPKR")
    q = only(problems, "parties.ROK.trust.Japn")
    assert q.suggestion == "Japan" and q.line == line_of(text, "Japn:")


def test_unknown_issue_name_did_you_mean() -> None:
    d = minimal_scenario_dict()
    d["parties"]["Japan"]["initial"]["verificaton"] = d["parties"]["Japan"]["initial"].pop(
        "verification"
    )
    text = dump_yaml(d)
    p = only(problems_of(text), "parties.Japan.initial.verificaton")
    assert p.message == "unknown issue 'verificaton'" and p.suggestion == "verification"
    assert p.line == line_of(text, "verificaton:")


def test_unknown_issue_in_effect() -> None:
    d = minimal_scenario_dict()
    d["events"][2]["effects"][0]["issue"] = "energy"
    text = dump_yaml(d)
    p = only(problems_of(text), "events[2].effects[0].issue")
    assert p.message == "unknown issue 'energy'" and p.suggestion == "energy_aid"


def test_unknown_effect_kind() -> None:
    d = minimal_scenario_dict()
    d["events"][1]["effects"][0]["kind"] = "sanktions"
    text = dump_yaml(d)
    p = only(problems_of(text), "events[1].effects[0].kind")
    assert p.suggestion == "sanctions" and p.line == line_of(text, "kind: sanktions")


def test_literal_choice_did_you_mean() -> None:
    d = minimal_scenario_dict()
    d["parties"]["US"]["strategy"] = {"direct_talks": "acept"}
    text = dump_yaml(d)
    p = only(problems_of(text), "parties.US.strategy.direct_talks")
    assert p.message.startswith("expected one of refuse, within_multilateral, accept")
    assert p.suggestion == "accept"


def test_strategy_field_cross_check_did_you_mean() -> None:
    d = minimal_scenario_dict()
    d["events"][2]["effects"][1]["field"] = "direct_talk"
    text = dump_yaml(d)
    p = only(problems_of(text), "events[2].effects[1].field")
    assert p.suggestion == "direct_talks" and p.line == line_of(text, "field: direct_talk")


def test_union_value_is_one_message() -> None:
    d = minimal_scenario_dict()
    d["events"][2]["effects"][1]["value"] = [1, 2]
    p = only(problems_of(dump_yaml(d)), "events[2].effects[1].value")
    assert p.message == "expected a number, true or false, or text, got a list"


def test_duplicate_party() -> None:
    text = dump_yaml(minimal_scenario_dict())
    first = line_of(text, "  DPRK:")
    block = text.splitlines()[first - 1 : line_of(text, "  US:") - 1]
    lines = text.splitlines()
    at = line_of(text, "  Russia:") - 1
    lines[at:at] = block
    text = "\n".join(lines) + "\n"
    (p,) = problems_of(text)
    assert p.path == "parties.DPRK"
    assert p.message == f"duplicate key 'DPRK' (first at line {first})"
    assert p.line == at + 1


def test_duplicate_event_id() -> None:
    d = minimal_scenario_dict()
    d["events"][2]["id"] = "first_round"
    text = dump_yaml(d)
    p = only(problems_of(text), "events[2].id")
    first = line_of(text, "id: first_round")
    assert p.message == f"duplicate event id 'first_round' (first at line {first})"
    assert p.line == line_of(text, "id: first_round", first + 1)


def test_bad_event_id_pattern() -> None:
    d = minimal_scenario_dict()
    d["events"][0]["id"] = "First-Round"
    p = only(problems_of(dump_yaml(d)), "events[0].id")
    assert "lowercase letters" in p.message and "got 'First-Round'" in p.message


def test_python_object_tag_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = dump_yaml(minimal_scenario_dict()).replace(
        "title: Minimal test scenario",
        f"title: !!python/object/apply:pathlib.Path.touch [!!python/object/apply:pathlib.Path ['{marker}']]",
    )
    problems = problems_of(text)
    assert any(
        "!!python/object/apply" in p.message and "not allowed" in p.message for p in problems
    )
    assert not marker.exists()
    (p,) = problems_of("name: !!python/object:os.system {}\n")
    assert p.line == 1 and p.path == "name"


def test_file_size_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("# " + "x" * MAX_BYTES + "\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(big)
    assert "too large" in info.value.format() and "2 MiB" in info.value.format()
    (p,) = info.value.problems
    size = MAX_BYTES + 3
    assert p.message == f"file is too large ({size} bytes; the limit is {MAX_BYTES} bytes, 2 MiB)"
    with pytest.raises(ScenarioError) as info:
        load_scenario_text("# " + "x" * MAX_BYTES)
    (p,) = info.value.problems
    assert p.message == f"file is too large (the limit is {MAX_BYTES} bytes, 2 MiB)"
    assert (p.line, p.column, p.path) == (None, None, "")


def test_alias_expansion_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_NODES", 1000)
    text = "name: x\na: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    (p,) = problems_of(text)
    assert "too many values" in p.message


def test_empty_file_and_non_mapping() -> None:
    assert "empty" in problems_of("")[0].message
    assert "mapping" in problems_of("- a\n- b\n")[0].message


def test_messages_are_plain_english() -> None:
    d = minimal_scenario_dict()
    d["seed"] = -1
    d["parties"]["US"]["resolve"]["value"] = "x"
    d["events"][0]["actors"] = "China"
    d["phases"][0]["dprk_steps"] = {"a": 1}
    d["title"] = 2005
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(dump_yaml(d), "s.yaml")
    assert_plain(info.value)
    assert len(info.value.problems) == 5
    assert "put it in quotes" in only(info.value.problems, "title").message


def test_variant_keys_need_extends() -> None:
    text = dump_yaml(minimal_scenario_dict()) + "overrides:\n  seed: 1\n"
    p = only(problems_of(text), "overrides")
    assert "only allowed in a file that says 'extends:'" in p.message


def test_a_miscased_extends_is_named() -> None:
    text = "Extends: historical\noverrides:\n  seed: 1\n"
    p = only(problems_of(text), "overrides")
    assert "(this file says 'Extends:'; keys are lower case)" in p.message


def test_a_bare_number_for_a_sourced_value_says_where_it_goes() -> None:
    d = minimal_scenario_dict()
    d["parties"]["DPRK"]["resolve"] = 0.7
    p = only(problems_of(dump_yaml(d)), "parties.DPRK.resolve")
    assert "got 0.7" in p.message
    assert "parties.DPRK.resolve.value: 0.7" in p.message


def test_a_suggestion_prefers_the_same_word_in_another_case() -> None:
    assert loader._closest("Events", ["extends", "events", "title"]) == "events"
    assert loader._closest("Extends", ["events", "extends"]) == "extends"


def test_problem_format_one_line() -> None:
    p = Problem(
        "scenarios/x.yaml",
        12,
        5,
        "parties.DPRK.positions.verification",
        "expected a number in [0, 1], got 1.4",
        "verification",
    )
    assert p.format() == (
        "scenarios/x.yaml:12:5: parties.DPRK.positions.verification: "
        "expected a number in [0, 1], got 1.4\n  did you mean 'verification'?"
    )


# ---------------------------------------------------------------- extends
@pytest.fixture
def base(write_scenario) -> Path:
    return write_scenario(minimal_scenario_dict(), "base.yaml")


def test_a_variant_moving_the_window_gets_one_problem_at_its_own_line(
    base: Path, write_scenario
) -> None:
    """The parent's events left outside a window the variant moved: one problem at the
    variant's window line naming them and remove_events, not one per parent line."""
    child = write_scenario(
        "extends: base.yaml\noverrides:\n  window.start: 2004-03\n", "child.yaml"
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    (p,) = info.value.problems
    assert p.file.endswith("child.yaml") and p.line == 3 and p.path == "window.start"
    assert "leaves 2 events (first_round, sanctions_step) and 1 invitation of" in p.message
    assert "remove_events: [first_round, sanctions_step]" in p.message
    assert "overrides: invitations:" in p.message
    fixed = write_scenario(
        "extends: base.yaml\nremove_events: [first_round, sanctions_step]\n"
        "overrides:\n  window.start: 2004-03\n  invitations: []\n",
        "fixed.yaml",
    )
    assert load_scenario(fixed).window.start == "2004-03"


def test_extends_deep_merge_and_overrides(base: Path, write_scenario) -> None:
    child = write_scenario(
        "extends: base.yaml\n"
        "description: Variant.\n"
        "parties:\n"
        "  DPRK:\n"
        "    resolve:\n"
        "      value: 0.9\n"
        "phases: []\n"
        "overrides:\n"
        "  parties.US.strategy.direct_talks: accept\n"
        "  parameters.anchoring: false\n"
        "  parties.China.trust.DPRK: 0.8\n"
        "  events.us_opens.title: Renamed\n"
        "  events[0].effects[0].delta: 0.1\n",
        "child.yaml",
    )
    s = load_scenario(child)
    assert s.name == "child"  # named after the file
    assert s.description == "Variant."
    assert s.parties.DPRK.resolve.value == 0.9
    assert s.parties.DPRK.resolve.source.note  # deep merge kept the sibling key
    assert (
        s.parties.US.strategy.direct_talks == "accept"
    )  # default field, absent in the parent file
    assert s.parameters.anchoring is False
    assert s.parties.China.trust["DPRK"] == 0.8
    assert s.events[2].title == "Renamed"
    assert s.events[0].effects[0].delta == 0.1
    assert s.phases == []  # lists other than events are replaced whole
    assert s.parties.US.capability.value == load_scenario(base).parties.US.capability.value


def test_extends_events_by_id_remove_and_add(base: Path, write_scenario) -> None:
    child = write_scenario(
        "extends: ./base\n"
        "events:\n"
        "  - {id: sanctions_step, date: 2004-03, type: sanctions, title: Later, source: {note: n}}\n"
        "  - {id: brand_new, date: 2004-04, type: other, title: New, source: {note: n}}\n"
        "remove_events: [first_round]\n"
        "add_events:\n"
        "  - {id: added, date: 2004-11, type: other, title: Added, source: {note: n}}\n",
        "child.yaml",
    )
    s = load_scenario(child)
    assert [(e.id, e.title) for e in s.events] == [
        ("sanctions_step", "Later"),
        ("us_opens", "US first comprehensive proposal"),
        ("brand_new", "New"),
        ("added", "Added"),
    ]


def test_three_level_chain(base: Path, write_scenario) -> None:
    write_scenario(
        "extends: ../base.yaml\nseed: 11\noverrides:\n  parameters.noise: 0.2\n", "sub/mid.yaml"
    )
    leaf = write_scenario(
        "extends: sub/mid\nremove_events: [us_opens]\noverrides:\n  parameters.drift: 0.1\n",
        "leaf.yaml",
    )
    s = load_scenario(leaf)
    assert (s.seed, s.parameters.noise, s.parameters.drift) == (11, 0.2, 0.1)
    assert [e.id for e in s.events] == ["first_round", "sanctions_step"]
    assert s.name == "leaf"
    chain = scenario_parent_chain(leaf)
    assert [p.name for p in chain] == ["leaf.yaml", "mid.yaml", "base.yaml"]
    assert scenario_parent_chain(base) == [base]


def test_missing_parent_names_file_and_line(write_scenario) -> None:
    child = write_scenario("description: x\nextends: nowhere_to_be_found\n", "child.yaml")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    (p,) = info.value.problems
    assert p.file.endswith("child.yaml") and p.line == 2 and p.path == "extends"
    assert "'nowhere_to_be_found' not found" in p.message


def test_missing_parent_did_you_mean(base: Path, write_scenario) -> None:
    child = write_scenario("extends: bsae.yaml\n", "child.yaml")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert info.value.problems[0].suggestion == "base.yaml"


def test_extends_cycle_names_the_chain(write_scenario) -> None:
    write_scenario("extends: b.yaml\n", "a.yaml")
    write_scenario("extends: c.yaml\n", "b.yaml")
    c = write_scenario("extends: a.yaml\n", "c.yaml")
    with pytest.raises(ScenarioError) as info:
        load_scenario(c)
    (p,) = info.value.problems
    assert "cycle of extends" in p.message
    assert "c.yaml -> " in p.message and "a.yaml -> " in p.message and "b.yaml -> " in p.message
    assert p.file.endswith("b.yaml") and p.line == 1  # the file whose extends closes the loop
    with pytest.raises(ScenarioError, match="cycle of extends"):
        scenario_parent_chain(c)
    self_loop = write_scenario("extends: self.yaml\n", "self.yaml")
    with pytest.raises(ScenarioError, match="cycle of extends"):
        load_scenario(self_loop)


def test_bad_override_path(base: Path, write_scenario) -> None:
    child = write_scenario(
        "extends: base.yaml\noverrides:\n  parties.US.strategy.direct_talk: accept\n  parameters.anchorng: false\n"
        "  parties.USA.resolve.value: 0.1\n",
        "child.yaml",
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    p1, p2, p3 = info.value.problems
    assert p1.line == 3 and p1.path == "overrides.parties.US.strategy.direct_talk"
    assert "no field 'direct_talk'" in p1.message
    assert p1.suggestion == "parties.US.strategy.direct_talks"
    assert p2.line == 4 and p2.suggestion == "parameters.anchoring"
    assert p3.line == 5 and p3.suggestion == "parties.US.resolve.value"


def test_override_bad_index_and_event_id(base: Path, write_scenario) -> None:
    child = write_scenario(
        "extends: base.yaml\noverrides:\n  phases[3].months: 4\n  events.us_open.title: x\n",
        "child.yaml",
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    p1, p2 = info.value.problems
    assert "no [3]" in p1.message
    assert p2.suggestion == "events.us_opens.title"


def test_remove_events_unknown_id(base: Path, write_scenario) -> None:
    child = write_scenario(
        "extends: base.yaml\nremove_events:\n  - us_opens\n  - first_rond\n", "child.yaml"
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    (p,) = info.value.problems
    assert p.path == "remove_events[1]" and p.line == 4 and p.suggestion == "first_round"
    assert "no event with id 'first_rond'" in p.message


def test_error_in_merged_result_names_the_child_file(base: Path, write_scenario) -> None:
    child = write_scenario(
        "extends: base.yaml\n"
        "parties:\n"
        "  DPRK:\n"
        "    capability:\n"
        "      value: 1.5\n"
        "overrides:\n"
        "  parameters.noise: 0.9\n"
        "add_events:\n"
        "  - {id: first_round, date: 2004-11, type: other, title: Dup, source: {note: n}}\n",
        "child.yaml",
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    probs = {p.path: p for p in info.value.problems}
    cap = probs["parties.DPRK.capability.value"]
    assert cap.file.endswith("child.yaml") and cap.line == 5
    noise = probs["parameters.noise"]
    assert noise.file.endswith("child.yaml") and noise.line == 7
    assert "expected a number in [0, 0.5]" in noise.message


def test_duplicate_event_from_add_events_names_child(base: Path, write_scenario) -> None:
    child = write_scenario(
        "extends: base.yaml\nadd_events:\n  - {id: first_round, date: 2004-11, type: other, title: Dup, source: {note: n}}\n",
        "child.yaml",
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    (p,) = info.value.problems
    assert p.path == "add_events[0].id" and p.file.endswith("child.yaml") and p.line == 3
    # the first event is in the parent: its line is named with its file (a bare "line N"
    # read as a line of child.yaml), as the window check names the parent
    first = line_of(base.read_text(), "id: first_round")
    assert p.message == (
        f"duplicate event id 'first_round' (first at line {first} of {loader._display(base)})"
    )


def test_duplicate_event_within_add_events_names_only_the_line(base: Path, write_scenario) -> None:
    ev = "{id: extra, date: 2004-11, type: other, title: X, source: {note: n}}"
    child = write_scenario(f"extends: base.yaml\nadd_events:\n  - {ev}\n  - {ev}\n", "child.yaml")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    (p,) = info.value.problems
    assert p.path == "add_events[1].id" and p.line == 4
    assert p.message == "duplicate event id 'extra' (first at line 3)"


def test_error_in_parent_names_the_parent_file(write_scenario) -> None:
    d = minimal_scenario_dict()
    d["parameters"]["noise"] = 0.9
    parent = write_scenario(d, "parent.yaml")
    child = write_scenario("extends: parent.yaml\nseed: 3\n", "child.yaml")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    (p,) = info.value.problems
    assert p.file.endswith("parent.yaml") and p.line == line_of(parent.read_text(), "noise: 0.9")


def test_yaml_error_in_parent_names_parent(write_scenario) -> None:
    write_scenario("name: [x\n", "parent.yaml")
    child = write_scenario("extends: parent.yaml\n", "child.yaml")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert info.value.problems[0].file.endswith("parent.yaml")


def test_diff_from_parent(base: Path, write_scenario) -> None:
    child = write_scenario(
        "extends: base.yaml\nname: variant\nremove_events: [first_round]\n"
        "overrides:\n  parties.US.strategy.direct_talks: accept\n  seed: 8\n",
        "child.yaml",
    )
    diff = {k: (a, b) for k, a, b in diff_from_parent(child)}
    assert diff["name"] == ("minimal", "variant")
    assert diff["seed"] == (7, 8)
    assert diff["parties.US.strategy.direct_talks"] == ("refuse", "accept")
    assert (
        diff["events.first_round"][1] is None
        and diff["events.first_round"][0]["id"] == "first_round"
    )
    assert len(diff) == 4
    assert diff_from_parent(base) == []


# ------------------------------------------------------------------ lookup
@pytest.fixture
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "pkg"
    (root / "counterfactuals").mkdir(parents=True)
    (root / "historical.yaml").write_text(dump_yaml(minimal_scenario_dict()))
    (root / "counterfactuals" / "no_bda_sanctions.yaml").write_text(
        "extends: ../historical.yaml\nremove_events: [sanctions_step]\n"
    )
    monkeypatch.setattr(shipped_mod, "_scenarios_root", lambda: root)
    return root


def test_find_shipped_by_name(
    shipped: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_scenario("historical") == shipped / "historical.yaml"
    cf = shipped / "counterfactuals" / "no_bda_sanctions.yaml"
    assert find_scenario("counterfactuals/no_bda_sanctions") == cf
    assert find_scenario("no_bda_sanctions") == cf
    assert find_scenario("no_bda_sanctions.yaml") == cf
    s = load_scenario("no_bda_sanctions")
    assert [e.id for e in s.events] == ["first_round", "us_opens"]
    assert loader.shipped_scenarios() == [
        ("historical", shipped / "historical.yaml"),
        ("counterfactuals/no_bda_sanctions", cf),
    ]


def test_find_existing_path_wins(shipped: Path, scenario_file: Path) -> None:
    assert find_scenario(str(scenario_file)) == scenario_file


def test_unknown_name_suggests_closest(shipped: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        find_scenario("historcal")
    (p,) = info.value.problems
    assert p.suggestion == "historical" and "no shipped scenario" in p.message
    with pytest.raises(ScenarioError) as info:
        find_scenario("no_bda_sanction")
    assert info.value.problems[0].suggestion == "no_bda_sanctions"


def test_extends_shipped_name(shipped: Path, write_scenario) -> None:
    child = write_scenario("extends: historical\nseed: 99\n", "mine.yaml")
    assert load_scenario(child).seed == 99
    assert scenario_parent_chain(child)[1] == (shipped / "historical.yaml").resolve()


def test_real_package_lookup_uses_importlib_resources() -> None:
    root = shipped_mod._scenarios_root()
    assert root.is_dir() and (root / "__init__.py").is_file()
    for name, path in loader.shipped_scenarios():
        assert find_scenario(name) == path


# ------------------------------------------------------------------ schema
def test_json_schema() -> None:
    schema = scenario_json_schema()
    text = json.dumps(schema)
    assert json.loads(text) == schema
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["title"] == "sixparty scenario"
    for key in ("extends", "overrides", "remove_events", "add_events", "parties", "events"):
        assert key in schema["properties"]
    assert set(PARTIES) <= set(schema["$defs"]["Parties"]["properties"])
    assert "required" not in schema  # a variant may omit fields ...
    assert schema["else"] == {"$ref": "#/$defs/CompleteScenario"}
    assert (
        "name" in schema["$defs"]["CompleteScenario"]["required"]
    )  # ... a complete scenario may not
    assert schema["$defs"]["VariantScenario"]["required"] == ["extends"]
    assert schema["$defs"]["VariantScenario"]["properties"]["add_events"]["items"] == {
        "$ref": "#/$defs/Event"
    }
    # the two halves alone (sixparty schema --kind complete|variant)
    assert "extends" not in scenario_json_schema("complete")["properties"]
    assert scenario_json_schema("variant")["required"] == ["extends"]


# ------------------------------------------------------------ ordered thresholds
@pytest.mark.parametrize(
    ("low", "high"),
    [("suspend_threshold", "resume_threshold"), ("suspend_steps_trust", "resume_steps_trust")],
)
def test_a_suspend_threshold_above_its_resume_threshold_is_refused(low, high) -> None:
    """The DPRK suspends below one threshold and comes back above the other: with the
    first above the second, a value between them makes it leave and return every
    other month.  The loader refuses it at the first threshold's line."""
    d = minimal_scenario_dict()
    d["parameters"][low] = 0.7
    d["parameters"][high] = 0.3
    text = dump_yaml(d)
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, "s.yaml")
    assert_plain(info.value)
    p = only(info.value.problems, f"parameters.{low}")
    assert p.line == line_of(text, f"{low}: 0.7")
    assert p.message.startswith(f"0.7 is above {high} (0.3): the DPRK would suspend ")
    assert f"expected {low} <= {high}" in p.message


def test_equal_suspend_and_resume_thresholds_are_accepted() -> None:
    d = minimal_scenario_dict()
    d["parameters"].update(suspend_threshold=0.5, resume_threshold=0.5)
    d["parameters"].update(suspend_steps_trust=0.4, resume_steps_trust=0.4)
    s = load_scenario_text(dump_yaml(d), "s.yaml")
    assert s.parameters.suspend_threshold == s.parameters.resume_threshold == 0.5


def test_a_variant_inverting_the_thresholds_is_refused_by_the_cli(tmp_path: Path) -> None:
    """The brief's case: ``extends: historical`` with the thresholds inverted; ``sixparty
    run`` exits 2 with file, line, field path and what was expected, no traceback."""
    import subprocess
    import sys

    path = tmp_path / "flip.yaml"
    path.write_text(
        "extends: historical\nparameters: {suspend_threshold: 0.7, resume_threshold: 0.3}\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "sixparty", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(
        f"{path}:2:33: parameters.suspend_threshold: 0.7 is above resume_threshold (0.3)"
    ), done.stderr


def test_parameters_built_in_code_are_not_cross_checked() -> None:
    """Calibration and sensitivity analysis sample each parameter in its own range, one
    at a time: only a scenario file is held to the ordered pairs."""
    from sixparty.scenario import Parameters

    p = Parameters(suspend_threshold=0.7, resume_threshold=0.3)
    p.suspend_steps_trust = 0.9  # assignment is validated, the pair is not
    assert (p.suspend_threshold, p.suspend_steps_trust) == (0.7, 0.9)


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="needs /dev/null")
def test_a_path_that_exists_but_is_no_regular_file_is_not_called_missing():
    """/dev/null (a device) exists: the error says what it is, not 'file not found'."""
    with pytest.raises(ScenarioError) as exc:
        find_scenario("/dev/null")
    text = str(exc.value)
    assert "not a regular file" in text and "not found" not in text


def test_unknown_top_level_key_suggests_the_variant_keys(base: Path, write_scenario) -> None:
    """A variant's misspelt key gets a did-you-mean over every key a file may have,
    extends:, overrides:, remove_events: and add_events: included."""
    for typo, meant in (("overides", "overrides"), ("remove_event", "remove_events")):
        child = write_scenario(f"extends: base.yaml\n{typo}: {{}}\n", "child.yaml")
        with pytest.raises(ScenarioError) as info:
            load_scenario(child)
        (p,) = info.value.problems
        assert p.path == typo and p.suggestion == meant and p.line == 2
    child = write_scenario("extends: base.yaml\nfoo: 1\n", "child.yaml")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    (p,) = info.value.problems
    assert "extends, overrides, remove_events, add_events" in p.message


def test_a_misspelt_extends_is_the_one_problem(base: Path, write_scenario) -> None:
    """'extend: base.yaml' is reported as that typo, not as a complete scenario
    missing its window, issues and parties."""
    child = write_scenario("extend: base.yaml\nname: v\n", "child.yaml")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    (p,) = info.value.problems
    assert p.path == "extend" and p.suggestion == "extends" and p.line == 1


def test_add_events_errors_name_the_users_path(base: Path, write_scenario) -> None:
    """An added event's mistakes are reported at add_events[i] (the list the user
    wrote), with the remove_events mistake of the same file in the same pass."""
    child = write_scenario(
        "extends: base.yaml\n"
        "remove_events: [first_rond]\n"
        "add_events:\n"
        "  - {id: later, date: '2005-13', type: other, title: T, source: {note: n}}\n",
        "child.yaml",
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    paths = {p.path: p for p in info.value.problems}
    assert set(paths) == {"remove_events[0]", "add_events[0].date"}, paths
    assert paths["add_events[0].date"].line == 4
    assert "'2005-13'" in paths["add_events[0].date"].message


def test_a_type_key_in_an_effect_is_named() -> None:
    """'type: sanctions' in an effect is the unknown key the user wrote (did you mean
    'kind'?), not only a missing 'kind'."""
    d = minimal_scenario_dict()
    d["events"][0]["effects"] = [{"type": "sanctions", "delta": 0.1}]
    text = dump_yaml(d)
    p = only(problems_of(text), "events[0].effects[0].type")
    assert p.message.startswith("unknown key 'type'") and p.suggestion == "kind"
    assert p.line == line_of(text, "type: sanctions")


@pytest.mark.parametrize(
    "ref, guess",
    [
        ("./missing.yaml", None),  # not like list.yaml: no suggestion
        ("missing", None),
        ("./lisst.yaml", "./list.yaml"),  # named as the reference names it
        ("list.yml", "list.yaml"),
        ("histrical", "historical"),
        ("LIST.yaml", "list.yaml"),  # case
        ("../p_nne.yaml", "../p_none.yaml"),  # the folder the reference points into
        ("../fv/P_2.yaml", "../fv/p_2.yaml"),
    ],
)
def test_a_missing_parent_suggests_only_close_names(tmp_path, ref, guess) -> None:
    (tmp_path / "list.yaml").write_text("name: x\n", encoding="utf-8")
    # the child lives in sub/; p_none.yaml beside sub/, p_2.yaml in fv/ beside it
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "list.yaml").write_text("name: x\n", encoding="utf-8")
    (tmp_path / "p_none.yaml").write_text("name: x\n", encoding="utf-8")
    (tmp_path / "fv").mkdir()
    (tmp_path / "fv" / "p_2.yaml").write_text("name: x\n", encoding="utf-8")
    child = tmp_path / "sub" / "child.yaml"
    child.write_text(f"extends: {ref}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(child)
    (problem,) = err.value.problems
    assert "not found" in problem.message and problem.suggestion == guess


@pytest.mark.parametrize(
    "text, hint",
    [
        # a line indented under a scalar, and a key with no space after its colon
        ("extends: historical\ndescription: y\n  seed: 3\n", "check the indentation"),
        (
            "extends: historical\nparties:\n  DPRK:\n    resolve:\n      value:0.3\n      x: 1\n",
            "a key has a space after its colon",
        ),
        (
            "extends: historical\nparties:\n  DPRK:\n    resolve:\n      value: 1\n     x: 1\n",
            "keys of one mapping (and the '-' of one list) start at the same column",
        ),
        (
            "extends: historical\nparties:\n  DPRK:\n    resolve:\n      value: 1\n    source\n",
            "a line in a mapping needs 'key: value'",
        ),
    ],
)
def test_yaml_syntax_errors_say_what_to_check(tmp_path, text, hint) -> None:
    path = tmp_path / "indent.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    (problem,) = err.value.problems
    assert problem.message.startswith("YAML syntax error: ") and hint in problem.message
