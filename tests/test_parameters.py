"""The declared parameter table and ``Parameters`` agree exactly."""

from __future__ import annotations

import annotated_types
import pytest
from sixparty.parameters import KINDS, declared_parameters, free_parameters, parameter
from sixparty.scenario import Parameters


def _bounds(field) -> dict[str, float]:
    out = {}
    for m in field.metadata:
        for attr in ("ge", "gt", "le", "lt"):
            v = getattr(m, attr, None)
            if v is not None:
                out[attr] = v
        if isinstance(m, annotated_types.Interval):
            out.update(
                {k: getattr(m, k) for k in ("ge", "gt", "le", "lt") if getattr(m, k) is not None}
            )
    return out


def test_same_names_in_the_same_order():
    assert [p.name for p in declared_parameters()] == list(Parameters.model_fields)


@pytest.mark.parametrize("spec", declared_parameters(), ids=lambda p: p.name)
def test_default_type_and_range_agree(spec):
    field = Parameters.model_fields[spec.name]
    assert field.default == spec.default and type(field.default) is type(spec.default)
    assert {"float": float, "int": int, "bool": bool}[spec.type] is type(spec.default)
    if spec.type == "bool":
        assert field.annotation is bool and spec.range == (False, True)
        return
    b = _bounds(field)
    low = "gt" if spec.lo_exclusive else "ge"
    assert b == {low: spec.lo, "le": spec.hi}, spec.name
    assert spec.lo <= spec.default <= spec.hi
    if spec.lo_exclusive:
        assert spec.default > spec.lo


@pytest.mark.parametrize("spec", declared_parameters(), ids=lambda p: p.name)
def test_every_entry_is_documented(spec):
    assert spec.kind in KINDS
    assert spec.unit and len(spec.description) > 20 and len(spec.source) > 10
    if spec.kind == "structural":
        assert not spec.calibrate, "a structural parameter is not for calibration"


def test_free_parameters_are_the_calibrated_ones():
    free = free_parameters()
    assert free and all(p.calibrate for p in free)
    assert {p.name for p in free} == {p.name for p in declared_parameters() if p.calibrate}
    assert "anchoring" not in {p.name for p in free}
    assert parameter("aid_tranche_done").default == 0.75
    with pytest.raises(KeyError):
        parameter("no_such_parameter")


def test_out_of_range_values_are_refused():
    from pydantic import ValidationError

    for spec in declared_parameters():
        if spec.type == "bool":
            continue
        with pytest.raises(ValidationError):
            Parameters(**{spec.name: spec.hi + 1})


def test_show_parameters_prints_the_table(capsys):
    from sixparty.cli import main

    assert main(["show", "--parameters"]) == 0
    out = capsys.readouterr().out
    for spec in declared_parameters():
        assert f"\n{spec.name}  default " in "\n" + out, spec.name
    assert "aid_tranche_done  default 0.75  range [0, 1]" in out
    assert max(len(line) for line in out.splitlines()) <= 140


def test_show_parameters_marks_a_scenarios_values(capsys, tmp_path):
    import yaml
    from sixparty.cli import main
    from sixparty.loader import find_scenario

    d = yaml.safe_load(find_scenario("historical").read_text(encoding="utf-8"))
    d["parameters"]["aid_tranche_done"] = 0.5
    f = tmp_path / "s.yaml"
    f.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    assert main(["show", "--parameters", str(f)]) == 0
    out = capsys.readouterr().out
    assert "aid_tranche_done  default 0.75  (this scenario: 0.5)" in out


def test_show_without_file_shows_the_historical_scenario_as_run_runs_it(capsys):
    from sixparty.cli import DEFAULT_SCENARIO, main

    assert DEFAULT_SCENARIO == "historical"
    assert main(["show", "historical"]) == 0
    named = capsys.readouterr()
    assert main(["show"]) == 0
    assert capsys.readouterr() == named
    assert main(["show", "--parameters"]) == 0  # alone: the bare table, no scenario's values
    assert "(this scenario:" not in capsys.readouterr().out


def test_fixed_share_parameters_are_inert_under_expected_utility_sessions():
    from sixparty.parameters import free_parameters, inert_settings
    from sixparty.scenario import Parameters

    eu, fixed = Parameters(), Parameters(expected_utility_sessions=False)
    names_eu = {p.name for p in free_parameters(eu)}
    names_fixed = {p.name for p in free_parameters(fixed)}
    assert "concession_rate" not in names_eu and "concession_rate" in names_fixed
    # offers apart from positions act only in the expected-utility session
    assert "ideal_accommodation" in names_eu and "ideal_accommodation" not in names_fixed
    assert names_eu - {"ideal_accommodation"} < names_fixed
    notes = inert_settings(eu, {"concession_rate", "chair_patience"})
    assert [p.name for p, _ in notes] == ["concession_rate"]
    assert not inert_settings(fixed, {"concession_rate"})


def test_run_notes_a_parameter_that_has_no_effect(tmp_path, capsys):
    from sixparty.cli import main

    variant = tmp_path / "slow.yaml"
    variant.write_text(
        "extends: historical\nname: slow\noverrides:\n  parameters.concession_rate: 0.1\n",
        encoding="utf-8",
    )
    assert main(["run", str(variant), "--no-plots", "--out", str(tmp_path / "r")]) == 0
    err = capsys.readouterr().err
    assert "parameters.concession_rate has no effect here" in err
    assert main(["run", "historical", "--no-plots", "--out", str(tmp_path / "h")]) == 0
    assert "no effect" not in capsys.readouterr().err
