"""Eight-issue scenario files (written before ``sequence`` split from ``denuclearization``,
docs/scenarios.md "Eight-issue files") still load: every ``denuclearization`` entry is
read on both scales, with one note per migrated file."""

from __future__ import annotations

import copy
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import dump_yaml, line_of, minimal_scenario_dict
from sixparty.cli import main
from sixparty.loader import EightIssueScenario, ScenarioError, find_scenario, load_scenario
from sixparty.scenario import PARTIES


def strip_sequence(data: Any) -> Any:
    """``data`` with every ``sequence`` key and ``issue: sequence`` effect removed (a
    stated position left with no issue is dropped): the file as main wrote it."""
    if isinstance(data, dict):
        # (``format_version:`` came with the marker, after the split)
        out = {
            k: strip_sequence(v) for k, v in data.items() if k not in ("sequence", "format_version")
        }
        if "stated_positions" in out:
            out["stated_positions"] = [s for s in out["stated_positions"] if s["positions"]]
        return out
    if isinstance(data, list):
        return [
            strip_sequence(x)
            for x in data
            if not (isinstance(x, dict) and x.get("issue") == "sequence")
        ]
    return data


def names_sequence(data: Any) -> bool:
    """Whether plain data has a ``sequence`` key or an ``issue: sequence`` anywhere."""
    if isinstance(data, dict):
        return any(
            k == "sequence" or (k == "issue" and v == "sequence") or names_sequence(v)
            for k, v in data.items()
        )
    return isinstance(data, list) and any(names_sequence(x) for x in data)


def eight_issue_minimal() -> dict[str, Any]:
    """The minimal scenario as an eight-issue file, with a denuclearization effect and a
    phase term, so every place the migration copies is present."""
    data = strip_sequence(minimal_scenario_dict())
    data["events"][2]["effects"].append(
        {"kind": "position", "party": "US", "issue": "denuclearization", "delta": -0.1}
    )
    data["phases"][0]["terms"] = {"denuclearization": {"at_most": 0.6}}
    data["phases"][0]["terms_source"] = {"note": "test"}
    return data


def load_quiet(path: Path):
    """(scenario, the EightIssueScenario warnings' texts)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        s = load_scenario(path)
    return s, [str(w.message) for w in caught if issubclass(w.category, EightIssueScenario)]


def assert_sequence_is_denuclearization(s) -> None:
    assert s.issues["sequence"] == s.issues["denuclearization"]
    for party in PARTIES:
        cfg = getattr(s.parties, party)
        assert cfg.initial["sequence"] == cfg.initial["denuclearization"], party
        for st in cfg.stated_positions:
            assert st.positions.get("sequence") == st.positions.get("denuclearization"), party


def test_an_eight_issue_file_loads_with_both_scales_equal(write_scenario) -> None:
    path = write_scenario(eight_issue_minimal(), "old.yaml")
    s, notes = load_quiet(path)
    assert len(notes) == 1 and "old.yaml is read as an eight-issue scenario" in notes[0]
    assert_sequence_is_denuclearization(s)
    effects = [(f.issue, f.delta) for f in s.events[2].effects if f.kind == "position"]
    # the copy follows its original (the order of effects within a month is kept)
    assert effects == [("energy_aid", 0.1), ("denuclearization", -0.1), ("sequence", -0.1)]
    assert s.phases[0].terms["sequence"] == s.phases[0].terms["denuclearization"]


def test_the_shipped_historical_as_main_wrote_it_loads(write_scenario) -> None:
    data = yaml.safe_load(find_scenario("historical").read_text(encoding="utf-8"))
    old = strip_sequence(data)
    assert not names_sequence(old)
    s, notes = load_quiet(write_scenario(old, "historical8.yaml"))
    assert len(notes) == 1
    assert_sequence_is_denuclearization(s)


def test_a_nine_issue_file_is_not_migrated(write_scenario) -> None:
    data = minimal_scenario_dict()
    data["parties"]["DPRK"]["initial"]["sequence"] = {"position": 0.33, "salience": 0.44}
    s, notes = load_quiet(write_scenario(data, "new.yaml"))
    assert notes == []
    assert s.parties.DPRK.initial["sequence"].position == 0.33
    assert "sequence" not in s.parties.DPRK.stated_positions[0].positions


def test_sequence_in_one_place_only_is_not_an_eight_issue_file(write_scenario) -> None:
    data = strip_sequence(minimal_scenario_dict())
    data["parties"]["US"]["initial"]["sequence"] = {"position": 0.9, "salience": 0.5}
    with pytest.raises(ScenarioError) as err:
        load_quiet(write_scenario(data, "half.yaml"))
    assert "missing issue(s) sequence" in str(err.value)


def test_variants_over_the_nine_issue_historical(write_scenario) -> None:
    parent = load_scenario("historical")
    # a child that never names denuclearization: nothing to copy, no note
    resolve_only = {
        "extends": "historical",
        "parties": {"DPRK": {"resolve": {"value": 0.5, "source": {"note": "test"}}}},
    }
    s, notes = load_quiet(write_scenario(resolve_only, "resolve.yaml"))
    assert notes == [] and s.parties.DPRK.initial == parent.parties.DPRK.initial
    # a child that sets denuclearization but not sequence: an eight-issue reading
    mapping = {
        "extends": "historical",
        "parties": {"DPRK": {"initial": {"denuclearization": {"position": 0.3, "salience": 0.6}}}},
    }
    s, notes = load_quiet(write_scenario(mapping, "den.yaml"))
    assert len(notes) == 1 and "den.yaml" in notes[0]
    assert s.parties.DPRK.initial["sequence"] == s.parties.DPRK.initial["denuclearization"]
    assert s.parties.US.initial["sequence"] == parent.parties.US.initial["sequence"]
    # the same through an override path; a path through sequence says "nine issues"
    ovr = {
        "extends": "historical",
        "overrides": {"parties.DPRK.initial.denuclearization.position": 0.3},
    }
    s, notes = load_quiet(write_scenario(ovr, "ovr.yaml"))
    assert len(notes) == 1 and s.parties.DPRK.initial["sequence"].position == 0.3
    ovr["overrides"]["parties.DPRK.initial.sequence.position"] = 0.7
    s, notes = load_quiet(write_scenario(ovr, "ovr9.yaml"))
    assert notes == [] and s.parties.DPRK.initial["sequence"].position == 0.7
    # added events: a position effect on denuclearization gets its sequence twin
    add = {
        "extends": "historical",
        "add_events": [
            {
                "id": "extra_push",
                "date": "2005-03",
                "type": "diplomatic",
                "title": "x",
                "effects": [
                    {"kind": "position", "party": "US", "issue": "denuclearization", "delta": 0.1}
                ],
                "source": {"note": "test"},
            }
        ],
    }
    s, notes = load_quiet(write_scenario(add, "add.yaml"))
    ev = next(e for e in s.events if e.id == "extra_push")
    assert len(notes) == 1 and [f.issue for f in ev.effects] == ["denuclearization", "sequence"]


def test_an_eight_issue_parent_is_migrated_file_by_file(write_scenario) -> None:
    old = write_scenario(eight_issue_minimal(), "old.yaml")
    child = {"extends": "old.yaml", "overrides": {"parties.US.initial.sequence.position": 0.2}}
    s, notes = load_quiet(write_scenario(child, "child.yaml"))
    # the parent is read on both scales (one note, its own), the child says sequence
    assert len(notes) == 1 and "old.yaml" in notes[0]
    assert s.parties.US.initial["sequence"].position == 0.2
    assert s.parties.DPRK.initial["sequence"] == s.parties.DPRK.initial["denuclearization"]
    assert old.exists()


def test_cli_runs_an_eight_issue_file_with_one_note(capsys, write_scenario, tmp_path) -> None:
    import pandas as pd

    path = write_scenario(eight_issue_minimal(), "old.yaml")
    out = tmp_path / "run"
    assert main(["run", str(path), "--out", str(out), "--quiet", "--no-plots"]) == 0
    err = capsys.readouterr().err
    notes = [line for line in err.splitlines() if "eight-issue" in line]
    assert len(notes) == 1 and notes[0].startswith("sixparty: note: ") and "old.yaml" in notes[0]
    pos = pd.read_csv(out / "positions.csv")
    assert pos.loc[pos["issue"] == "sequence", "position"].notna().all()
    assert (pos["issue"] == "sequence").sum() == (pos["issue"] == "denuclearization").sum()
    resolved = load_scenario(out / "scenario.resolved.yaml")
    assert_sequence_is_denuclearization(resolved)
    # the resolved file states sequence: it reruns as a nine-issue file, with no note
    assert main(["validate", str(out / "scenario.resolved.yaml")]) == 0
    assert "eight-issue" not in capsys.readouterr().err


def test_bad_input_in_an_eight_issue_file_is_one_clear_error(capsys, write_scenario) -> None:
    data = eight_issue_minimal()
    data["parties"]["DPRK"]["initial"]["denuclearization"]["position"] = 1.4
    text = dump_yaml(data)
    path = write_scenario(text, "bad.yaml")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    problems = [line for line in err.splitlines() if "expected a number" in line]
    assert len(problems) == 1, err  # not again for the sequence copy
    line = line_of(text, "position: 1.4")
    assert problems[0].startswith(f"{path.name}:{line}:") or f"bad.yaml:{line}:" in problems[0]
    assert "parties.DPRK.initial.denuclearization.position" in problems[0]
    assert "Traceback" not in err


def test_strip_sequence_leaves_no_sequence() -> None:
    data = minimal_scenario_dict()
    assert names_sequence(data)
    assert not names_sequence(strip_sequence(copy.deepcopy(data)))


SCOPE_ONLY = {"parties.DPRK.initial.denuclearization.position": 0.3}


def test_format_version_2_says_nine_issues_and_agrees_with_variant(write_scenario) -> None:
    from sixparty import variant

    parent = load_scenario("historical")
    seq0 = parent.parties.DPRK.initial["sequence"]
    as_mapping = {
        "format_version": 2,
        "extends": "historical",
        "parties": {"DPRK": {"initial": {"denuclearization": {"position": 0.3}}}},
    }
    s, notes = load_quiet(write_scenario(as_mapping, "scope.yaml"))
    assert notes == []
    assert s.parties.DPRK.initial["denuclearization"].position == 0.3
    assert s.parties.DPRK.initial["sequence"] == seq0
    as_override = {"format_version": 2, "extends": "historical", "overrides": SCOPE_ONLY}
    s2, notes = load_quiet(write_scenario(as_override, "scope2.yaml"))
    assert notes == [] and s2.parties.DPRK.initial == s.parties.DPRK.initial
    with warnings.catch_warnings():
        warnings.simplefilter("error", EightIssueScenario)
        api = variant(parent, overrides=SCOPE_ONLY)
    assert api.parties.DPRK.initial == s.parties.DPRK.initial


def test_an_unmarked_file_is_migrated_with_a_note_saying_how_to_opt_out(write_scenario) -> None:
    from sixparty import variant

    ovr = {"extends": "historical", "overrides": SCOPE_ONLY}
    s, notes = load_quiet(write_scenario(ovr, "old_scope.yaml"))
    assert len(notes) == 1
    # what it changed, and the line to add
    assert "overrides.parties.DPRK.initial.sequence.position" in notes[0]
    assert "add `format_version: 2` at its top" in notes[0]
    assert s.parties.DPRK.initial["sequence"].position == 0.3
    # format_version: 1 says so: migrated, no note; variant(format_version=1) agrees
    s1, notes = load_quiet(write_scenario({"format_version": 1, **ovr}, "v1.yaml"))
    assert notes == [] and s1.parties.DPRK.initial == s.parties.DPRK.initial
    api = variant("historical", overrides=SCOPE_ONLY, format_version=1)
    assert api.parties.DPRK.initial == s.parties.DPRK.initial


def test_a_bad_format_version_is_one_clear_error(capsys, write_scenario) -> None:
    bad = write_scenario({"format_version": 3, "extends": "historical"}, "v3.yaml")
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "v3.yaml:1:" in err and "format_version: expected 2 (the nine issues)" in err
    assert "Traceback" not in err
    v1 = {
        "format_version": 1,
        "extends": "historical",
        "overrides": {"parties.US.initial.sequence.position": 0.2},
    }
    assert main(["validate", str(write_scenario(v1, "v1seq.yaml"))]) == 2
    assert "write format_version: 2" in capsys.readouterr().err
    typo = write_scenario({"format_versio": 2, "extends": "historical"}, "typo.yaml")
    assert main(["validate", str(typo)]) == 2
    assert "did you mean 'format_version'?" in capsys.readouterr().err


def test_format_version_is_a_whole_number(capsys, write_scenario) -> None:
    """2.0 equals 2 in Python; the file format says a whole number, as the API's ``int``."""
    from sixparty import variant

    for value in (2.0, 1.0):
        bad = write_scenario({"format_version": value, "extends": "historical"}, "vf.yaml")
        assert main(["validate", str(bad)]) == 2
        assert "format_version: expected 2 (the nine issues)" in capsys.readouterr().err
    with pytest.raises(ScenarioError, match="format_version: expected 2"):
        variant("historical", overrides=SCOPE_ONLY, format_version=2.0)


def test_a_misspelt_format_version_gets_its_error_without_the_note(capsys, write_scenario):
    """The note asks to add ``format_version: 2``; with a misspelling of it in the file,
    the did-you-mean error says what to do, and the note would contradict it."""
    typo = write_scenario(
        {"format_verison": 2, "extends": "historical", "overrides": SCOPE_ONLY}, "typo2.yaml"
    )
    assert main(["validate", str(typo)]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'format_version'?" in err
    assert "eight-issue" not in err and "add `format_version: 2`" not in err


def test_shipped_scenarios_say_format_version_2() -> None:
    from sixparty.loader import FORMAT_VERSION, shipped_scenarios
    from sixparty.schema import json_schema

    for name, path in shipped_scenarios():
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        assert data.get("format_version") == FORMAT_VERSION, name
    for kind in ("complete", "variant"):
        assert json_schema(kind)["properties"]["format_version"]["enum"] == [2, 1]
