"""Tests of the sixparty command: list, validate, show, schema, and the run/plot shims."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sixparty
import sixparty.loader as loader
import sixparty.shipped as shipped
from conftest import dump_yaml, line_of, minimal_scenario_dict
from sixparty.cli import main

REPO = Path(__file__).resolve().parents[1]


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    return code, out, err


# --------------------------------------------------------------- validate
def test_validate_ok(capsys, scenario_file: Path) -> None:
    code, out, err = run_main(capsys, "validate", str(scenario_file))
    assert code == 0
    assert out == f"ok  {scenario_file}\n" and err == ""


def test_validate_notes_a_parameter_that_has_no_effect(capsys, write_scenario) -> None:
    # concession_rate acts only in the fixed-share sessions; historical uses the
    # expected-utility ones: the file is valid (exit 0) but the setting does nothing.
    inert = write_scenario(
        "extends: historical\ndescription: test\nparameters:\n  concession_rate: 0.3\n",
        "inert.yaml",
    )
    code, out, err = run_main(capsys, "validate", str(inert), "historical")
    assert code == 0
    assert out == f"ok  {inert}\nok  historical\n"
    # the very note `sixparty run` prints, once (historical itself sets nothing inert)
    assert err.splitlines() == [
        "sixparty: note: parameters.concession_rate has no effect here: it acts only when "
        "expected_utility_sessions is false (this scenario: expected_utility_sessions is true)"
    ]
    # under the fixed-share sessions the same setting acts: no note
    active = write_scenario(
        "extends: historical\ndescription: test\nparameters:\n  concession_rate: 0.3\n"
        "  expected_utility_sessions: false\n",
        "active.yaml",
    )
    code, out, err = run_main(capsys, "validate", str(active))
    assert code == 0 and out == f"ok  {active}\n" and err == ""


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(d: dict[str, Any]) -> None:
        target = d
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _rename(path: tuple[Any, ...], old: str, new: str) -> Callable[[dict[str, Any]], None]:
    def mutate(d: dict[str, Any]) -> None:
        target = d
        for key in path:
            target = target[key]
        target[new] = target.pop(old)

    return mutate


def _delete(path: tuple[Any, ...]) -> Callable[[dict[str, Any]], None]:
    def mutate(d: dict[str, Any]) -> None:
        target = d
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


# (id, mutation of the dict, text edit or None, field path in the message, needle on the reported line)
BAD_INPUTS = [
    (
        "unknown_key",
        _rename(("parties", "US"), "capability", "capabilty"),
        None,
        "parties.US.capabilty: unknown key 'capabilty'",
        "capabilty:",
    ),
    (
        "missing_field",
        _delete(("parties", "Russia", "domestic_constraint")),
        None,
        "parties.Russia.domestic_constraint: required field is missing",
        "  Russia:\n",
    ),
    (
        "out_of_range",
        _set(("parties", "DPRK", "initial", "verification", "position"), 1.4),
        None,
        "parties.DPRK.initial.verification.position: expected a number in [0, 1], got 1.4",
        "position: 1.4",
    ),
    (
        "not_a_date",
        _set(("events", 0, "date"), "next spring"),
        None,
        "events[0].date: expected a date written YYYY-MM-DD",
        "next spring",
    ),
    (
        "outside_window",
        _set(("events", 1, "date"), "2010-02"),
        None,
        "events[1].date: 2010-02 is outside the scenario window",
        "2010-02",
    ),
    (
        "unknown_party",
        _rename(("parties",), "DPRK", "DPKR"),
        None,
        "parties.DPKR: unknown key 'DPKR'",
        "  DPKR:",
    ),
    (
        "unknown_issue",
        _rename(("parties", "ROK", "initial"), "lwr", "lrw"),
        None,
        "parties.ROK.initial.lrw: unknown issue 'lrw'",
        "lrw:",
    ),
    (
        "duplicate_party",
        None,
        ("  Russia:\n", "  US:\n    capability: {value: 0.3, source: {note: n}}\n  Russia:\n"),
        "parties.US: duplicate key 'US'",
        "  US:\n    capability: {value",
    ),
    (
        "duplicate_event_id",
        _set(("events", 1, "id"), "us_opens"),
        None,
        "events[2].id: duplicate event id 'us_opens'",
        None,
    ),
    (
        "yaml_syntax",
        None,
        ("title: Minimal test scenario\n", "title: [Minimal\n"),
        "YAML syntax error",
        None,
    ),
]


@pytest.mark.parametrize("case", BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_validate_bad_input(capsys, write_scenario, case) -> None:
    _, mutate, edit, expected, needle = case
    d = minimal_scenario_dict()
    if mutate:
        mutate(d)
    text = dump_yaml(d)
    if edit:
        assert edit[0] in text
        text = text.replace(edit[0], edit[1], 1)
    path = write_scenario(text, "bad.yaml")
    code, out, err = run_main(capsys, "validate", str(path))
    assert code == 2
    assert out == ""
    assert expected in err, err
    first = err.splitlines()[0]
    prefix = f"{path}:"
    assert first.startswith(prefix)
    line = int(first[len(prefix) :].split(":")[0])
    if needle is not None:
        if "\n" in needle:
            want = text[: text.index(needle)].count("\n") + 1
        else:
            want = line_of(text, needle)
        assert line == want, err
    if case[0] == "duplicate_event_id":
        assert line == line_of(text, "id: us_opens", line_of(text, "id: us_opens") + 1)


def test_validate_did_you_mean_lines(capsys, write_scenario) -> None:
    text = dump_yaml(minimal_scenario_dict()).replace("  DPRK:\n", "  DPKR:\n", 1)
    code, _, err = run_main(capsys, "validate", str(write_scenario(text)))
    assert code == 2
    assert err.splitlines()[1] == "  did you mean 'DPRK'?"


def test_validate_many_files(capsys, scenario_file: Path, write_scenario) -> None:
    bad = write_scenario("name: x\n", "bad.yaml")
    code, out, err = run_main(capsys, "validate", str(scenario_file), str(bad))
    assert code == 2
    assert f"ok  {scenario_file}" in out
    assert f"{bad}:1:1: description: required field is missing" in err
    assert "1 of 2 file(s) failed" in err


def test_validate_missing_file(capsys, tmp_path: Path) -> None:
    code, _, err = run_main(capsys, "validate", str(tmp_path / "nope.yaml"))
    assert code == 2 and "nope.yaml" in err and "not found" in err


def test_validate_subprocess(write_scenario) -> None:
    d = minimal_scenario_dict()
    d["parties"]["DPRK"]["initial"]["verification"]["position"] = 1.4
    text = dump_yaml(d)
    path = write_scenario(text, "bad.yaml")
    proc = subprocess.run(
        [sys.executable, "-m", "sixparty", "validate", str(path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    want = line_of(text, "position: 1.4")
    assert f"{path}:{want}:" in proc.stderr
    assert (
        "parties.DPRK.initial.verification.position: expected a number in [0, 1], got 1.4"
        in proc.stderr
    )


def test_python_tag_refused_through_cli(capsys, write_scenario) -> None:
    path = write_scenario("name: !!python/object/apply:os.getcwd []\n")
    code, _, err = run_main(capsys, "validate", str(path))
    assert code == 2 and "not allowed" in err


def test_oversized_file_through_cli(capsys, tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("#" * (loader.MAX_BYTES + 1))
    code, _, err = run_main(capsys, "validate", str(big))
    assert code == 2 and "too large" in err


def test_variant_errors_through_cli(capsys, write_scenario) -> None:
    write_scenario(minimal_scenario_dict(), "base.yaml")
    child = write_scenario(
        "extends: base.yaml\noverrides:\n  parameters.anchorng: false\n", "child.yaml"
    )
    code, _, err = run_main(capsys, "validate", str(child))
    assert code == 2
    assert f"{child}:3:3: overrides.parameters.anchorng: no field 'anchorng'" in err
    assert "did you mean 'parameters.anchoring'?" in err


# ------------------------------------------------------------------- list
def test_list(capsys, tmp_path: Path, write_scenario, monkeypatch) -> None:
    monkeypatch.setattr(shipped, "_scenarios_root", lambda: tmp_path / "no_shipped")
    write_scenario(minimal_scenario_dict(), "dir/good.yaml")
    write_scenario("name: broken\n", "dir/sub/broken.yaml")
    code, out, err = run_main(capsys, "list", str(tmp_path / "dir"))
    assert code == 0, err
    lines = out.splitlines()
    good = next(x for x in lines if x.startswith("good "))
    assert "good.yaml" in good and good.rstrip().endswith("A small scenario for tests.")
    broken = next(x for x in lines if x.startswith("sub/broken "))
    assert "(invalid: " in broken and "description: required field is missing" in broken


def test_list_includes_shipped(capsys, tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "pkg"
    (root / "counterfactuals").mkdir(parents=True)
    (root / "historical.yaml").write_text(dump_yaml(minimal_scenario_dict()))
    (root / "counterfactuals" / "no_bda_sanctions.yaml").write_text("extends: ../historical.yaml\n")
    monkeypatch.setattr(shipped, "_scenarios_root", lambda: root)
    code, out, _ = run_main(capsys, "list")
    assert code == 0
    assert any(line.startswith("historical ") for line in out.splitlines())
    assert any(line.startswith("counterfactuals/no_bda_sanctions ") for line in out.splitlines())


def test_list_marks_a_broken_shipped_file_by_loading_it(
    capsys, tmp_path: Path, monkeypatch
) -> None:
    root = tmp_path / "pkg"
    root.mkdir()
    (root / "historical.yaml").write_text("description: [not, text\n")  # unparseable YAML
    monkeypatch.setattr(shipped, "_scenarios_root", lambda: root)
    code, out, _ = run_main(capsys, "list")
    assert code == 0
    line = next(x for x in out.splitlines() if x.startswith("historical "))
    assert "(invalid: " in line


def test_list_bad_dir(capsys, tmp_path: Path) -> None:
    code, _, err = run_main(capsys, "list", str(tmp_path / "missing"))
    assert code == 2 and "not a folder" in err


# ------------------------------------------------------------------- show
def test_show(capsys, scenario_file: Path) -> None:
    code, out, _ = run_main(capsys, "show", str(scenario_file))
    assert code == 0
    assert "Minimal test scenario (minimal)" in out
    assert "Window: 2003-08 .. 2004-12 (17 months" in out
    assert "anchoring=true" in out
    party_rows = [x.split() for x in out.splitlines() if x.startswith("  DPRK ")]
    assert party_rows[0][:4] == ["DPRK", "0.15", "0.60", "0.40"]
    assert any(x.split()[:2] == ["verification", "0.10/0.60"] for x in out.splitlines())
    assert "Stated positions: DPRK 1, US 1, China 0" in out
    assert "2004-06-15  us_opens" in out and "trust DPRK->US +0.05" in out
    assert "US strategy.direct_talks=within_multilateral" in out
    assert "initial_actions" in out and "Differences" not in out


def test_show_variant_prints_differences_first(capsys, write_scenario) -> None:
    write_scenario(minimal_scenario_dict(), "base.yaml")
    child = write_scenario(
        "extends: base.yaml\noverrides:\n  parties.US.strategy.direct_talks: accept\n", "child.yaml"
    )
    code, out, _ = run_main(capsys, "show", str(child))
    assert code == 0
    assert out.startswith("Extends ")
    assert "  parties.US.strategy.direct_talks: refuse -> accept" in out
    assert out.index("Differences") < out.index("Parties")


def test_show_bad_file(capsys, write_scenario) -> None:
    code, out, err = run_main(capsys, "show", str(write_scenario("name: [x\n")))
    assert code == 2 and "YAML syntax error" in err


# ----------------------------------------------------------------- schema
def test_schema_stdout(capsys) -> None:
    code, out, _ = run_main(capsys, "schema")
    assert code == 0
    schema = json.loads(out)
    assert {"DPRK", "US", "China", "ROK", "Japan", "Russia"} <= set(
        schema["$defs"]["Parties"]["properties"]
    )
    assert "extends" in schema["properties"]


def test_schema_out_file(capsys, tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    code, out, _ = run_main(capsys, "schema", "--out", str(target))
    assert code == 0 and out == ""
    assert json.loads(target.read_text())["title"] == "sixparty scenario"
    assert [p.name for p in tmp_path.iterdir()] == ["schema.json"]  # no temp file left


def test_schema_out_missing_folder(capsys, tmp_path: Path) -> None:
    code, _, err = run_main(capsys, "schema", "--out", str(tmp_path / "no" / "s.json"))
    assert code == 2 and "does not exist" in err


# -------------------------------------------------------- options and shims
def test_version(capsys) -> None:
    code, out, _ = run_main(capsys, "--version")
    assert code == 0 and out.strip() == f"sixparty {sixparty.__version__}"


def test_no_command(capsys) -> None:
    code, _, err = run_main(capsys)
    assert code == 2 and "choose a command" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--runs", "0"],
        ["run", "--runs", "many"],
        ["run", "--seed", "-1"],
        ["run", "--lang", "fr"],
        ["run", "--format", "gif"],
        ["run", "--jobs", "0"],
        ["frobnicate"],
    ],
)
def test_bad_options_exit_2(capsys, argv) -> None:
    code, _, err = run_main(capsys, *argv)
    assert code == 2 and "error:" in err


@pytest.fixture
def fake_runner(monkeypatch) -> list[Any]:
    calls: list[Any] = []
    module = types.ModuleType("sixparty.runner")
    module.cli_run = lambda args: calls.append(args) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sixparty.runner", module)
    return calls


def test_run_passes_parsed_args(capsys, scenario_file: Path, fake_runner) -> None:
    code, _, _ = run_main(
        capsys,
        "run",
        str(scenario_file),
        "--seed",
        "3",
        "--runs",
        "2",
        "--jobs",
        "2",
        "--narrate",
        "--lang",
        "zh",
        "--format",
        "svg",
        "--no-plots",
        "--out",
        "o",
    )
    assert code == 0
    (args,) = fake_runner
    assert (
        args.seed,
        args.runs,
        args.jobs,
        args.narrate,
        args.lang,
        args.format,
        args.no_plots,
        args.out,
    ) == (3, 2, 2, True, "zh", "svg", True, "o")
    assert args.scenario == str(scenario_file) and args.scenario_path == scenario_file
    assert args.scenario_obj.name == "minimal"


def test_run_default_scenario_is_historical(
    capsys, fake_runner, tmp_path: Path, monkeypatch
) -> None:
    root = tmp_path / "pkg"
    root.mkdir()
    (root / "historical.yaml").write_text(dump_yaml(minimal_scenario_dict()))
    monkeypatch.setattr(shipped, "_scenarios_root", lambda: root)
    code, _, _ = run_main(capsys, "run")
    assert code == 0 and fake_runner[0].scenario == "historical"
    assert fake_runner[0].scenario_path == root / "historical.yaml"


def test_run_bad_scenario_reports_problems(capsys, write_scenario, fake_runner) -> None:
    d = minimal_scenario_dict()
    d["seed"] = -5
    path = write_scenario(d)
    code, _, err = run_main(capsys, "run", str(path))
    assert code == 2 and fake_runner == []
    assert f"{path}:" in err and "seed: expected a whole number in [0, " in err


def test_run_unknown_scenario_name(capsys, fake_runner) -> None:
    code, _, err = run_main(capsys, "run", "no_such_scenario_xyz")
    assert code == 2 and "no such file and no shipped scenario" in err


def test_run_scenario_error_raised_by_handler(capsys, scenario_file: Path, monkeypatch) -> None:
    module = types.ModuleType("sixparty.runner")

    def cli_run(args):
        raise loader.ScenarioError([loader.Problem("x.yaml", 3, 1, "seed", "bad seed")])

    module.cli_run = cli_run  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sixparty.runner", module)
    code, _, err = run_main(capsys, "run", str(scenario_file))
    assert code == 2 and err.strip() == "x.yaml:3:1: seed: bad seed"


@pytest.mark.parametrize(
    "command,module",
    [
        ("run", "sixparty.runner"),
        ("plot", "sixparty.analysis.plots"),
        ("compare", "sixparty.analysis.compare"),
        ("dashboard", "sixparty.dashboard"),
    ],
)
def test_missing_handler_module_is_a_clear_error(
    capsys, scenario_file: Path, monkeypatch, command, module
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # import now raises ModuleNotFoundError
    # Each command with its required positional arguments, so the handler is reached.
    argv = {
        "run": [command, str(scenario_file)],
        "plot": [command, str(scenario_file.parent)],
        "compare": [command, str(scenario_file), str(scenario_file)],
        "dashboard": [command],
    }[command]
    code, _, err = run_main(capsys, *argv)
    assert code == 2
    assert f"'sixparty {command}' is not available yet" in err


def test_handler_function_missing(capsys, monkeypatch) -> None:
    monkeypatch.setitem(
        sys.modules, "sixparty.analysis.plots", types.ModuleType("sixparty.analysis.plots")
    )
    code, _, err = run_main(capsys, "plot", ".")
    assert code == 2 and "has no cli_plot()" in err


def test_schema_out_refuses_to_overwrite_a_scenario(capsys, tmp_path: Path) -> None:
    # a user's scenario given as --out by mistake is left untouched, exit 2
    target = tmp_path / "mine.yaml"
    target.write_text(dump_yaml(minimal_scenario_dict()))
    before = target.read_bytes()
    code, out, err = run_main(capsys, "schema", "--out", str(target))
    assert code == 2 and out == ""
    assert f"{target} exists and is not a scenario JSON Schema written by sixparty schema" in err
    assert "choose another --out" in err and "Traceback" not in err
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["mine.yaml"]  # no temp file left


@pytest.mark.parametrize(
    "content", ['{"title": "not ours"}\n', "[1, 2]\n", "\xff\xfe garbage", '{"$schema": 1}']
)
def test_schema_out_refuses_other_json(capsys, tmp_path: Path, content: str) -> None:
    target = tmp_path / "s.json"
    target.write_text(content, encoding="latin-1")
    code, _, err = run_main(capsys, "schema", "--out", str(target))
    assert code == 2 and "is not a scenario JSON Schema" in err
    assert target.read_text(encoding="latin-1") == content


@pytest.mark.parametrize("kind", ["any", "complete", "variant"])
def test_schema_out_replaces_its_own_schema(capsys, tmp_path: Path, kind: str) -> None:
    # every kind this command writes may be rewritten by any kind, and an empty file too
    target = tmp_path / "s.json"
    assert run_main(capsys, "schema", "--kind", kind, "--out", str(target))[0] == 0
    titles = {
        "any": "sixparty scenario",
        "complete": "sixparty scenario (complete)",
        "variant": "sixparty scenario variant (extends:)",
    }
    assert json.loads(target.read_text())["title"] == titles[kind]  # not pydantic's "Scenario"
    for again in ("any", "complete", "variant"):
        code, _, err = run_main(capsys, "schema", "--kind", again, "--out", str(target))
        assert code == 0, err
    empty = tmp_path / "empty.json"
    empty.write_text("")
    assert run_main(capsys, "schema", "--out", str(empty))[0] == 0
    assert json.loads(empty.read_text())["title"] == "sixparty scenario"
