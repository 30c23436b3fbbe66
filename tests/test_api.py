"""The Python API of the package root (``import sixparty as sp``) and docs/api.md."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import sixparty
from conftest import minimal_scenario_dict
from sixparty.loader import ScenarioError, load_scenario, load_scenario_text
from sixparty.scenario import ISSUES

ROOT = Path(__file__).parents[1]
HEAVY = ("numpy", "pandas", "mesa", "matplotlib", "scipy", "pydantic")


def _modules_after(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT / "docs",
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_import_sixparty_loads_no_heavy_library() -> None:
    loaded = _modules_after("import sixparty")
    assert not [m for m in HEAVY if m in loaded]


def test_help_and_list_load_no_numerical_library() -> None:
    """`sixparty --help` and `sixparty list` stay quick: no numpy, pandas, Mesa or matplotlib."""
    for argv in (["--help"], ["list"]):
        loaded = _modules_after(
            "import contextlib, io\nfrom sixparty.cli import main\n"
            f"with contextlib.redirect_stdout(io.StringIO()): main({argv!r})"
        )
        assert not [m for m in ("numpy", "pandas", "mesa", "matplotlib", "scipy") if m in loaded], (
            argv
        )


def test_all_lists_exactly_the_lazy_names() -> None:
    assert sorted(sixparty.__all__) == sorted(["__version__", *sixparty._LAZY])
    assert len(set(sixparty.__all__)) == len(sixparty.__all__)


def test_every_public_name_resolves_and_is_documented() -> None:
    assert set(sixparty.__all__) <= set(dir(sixparty))
    for name in sixparty.__all__:
        value = getattr(sixparty, name)
        if name != "__version__":
            assert (value.__doc__ or "").strip(), f"sixparty.{name} has no docstring"
    api_doc = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for name in sixparty.__all__:
        if name != "__version__":
            assert f"`{name}" in api_doc, f"docs/api.md does not mention {name}"


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'simulat'"):
        sixparty.simulat  # noqa: B018


def test_root_names_are_the_modules_objects() -> None:
    from sixparty import loader, runner

    assert sixparty.simulate is runner.simulate
    assert sixparty.load_scenario is loader.load_scenario
    assert sixparty.Scenario is load_scenario_text.__globals__["Scenario"]


# ------------------------------------------------------------------ variants
@pytest.fixture(scope="module")
def minimal():
    from conftest import dump_yaml

    return load_scenario_text(dump_yaml(minimal_scenario_dict()), "minimal.yaml")


def test_variant_applies_overrides_parameters_and_events(minimal) -> None:
    v = sixparty.variant(
        minimal,
        overrides={"parties.US.strategy.direct_talks": "accept", "phases[0].months": 5},
        parameters={"noise": 0.1},
        remove_events=["sanctions_step"],
        add_events=[
            {
                "id": "extra",
                "date": "2004-03",
                "type": "other",
                "title": "Added",
                "source": {"note": "test"},
            }
        ],
        name="bold",
        seed=7,
    )
    assert v.name == "bold" and v.seed == 7
    assert v.parties.US.strategy.direct_talks == "accept"
    assert v.phases[0].months == 5 and v.parameters.noise == 0.1
    assert [e.id for e in v.events] == ["first_round", "us_opens", "extra"]
    # the original is untouched
    assert minimal.parties.US.strategy.direct_talks == "refuse" and len(minimal.events) == 3


def test_variant_equals_the_same_variant_file(tmp_path: Path) -> None:
    from conftest import dump_yaml

    (tmp_path / "base.yaml").write_text(dump_yaml(minimal_scenario_dict()))
    (tmp_path / "v.yaml").write_text(
        dump_yaml(
            {
                "extends": "base",
                "name": "v",
                "remove_events": ["us_opens"],
                "overrides": {
                    "parties.DPRK.strategy": {"escalation": 0.9},
                    "window.end": "2004-10",
                },
            }
        )
    )
    from_file = load_scenario(tmp_path / "v.yaml")
    in_code = sixparty.variant(
        load_scenario(tmp_path / "base.yaml"),
        name="v",
        remove_events=["us_opens"],
        overrides={"parties.DPRK.strategy": {"escalation": 0.9}, "window.end": "2004-10"},
    )
    assert in_code == from_file


@pytest.mark.parametrize(
    "kwargs,path,words",
    [
        (
            {"overrides": {"parties.US.strategy.direct_talk": "accept"}},
            "overrides.parties.US.strategy.direct_talk",
            "parties.US.strategy.direct_talks",
        ),
        ({"parameters": {"noise": 0.9}}, "parameters.noise", "[0, 0.5]"),
        ({"remove_events": ["nope"]}, "remove_events[0]", "no event with id 'nope'"),
    ],
)
def test_variant_errors_are_the_loaders(minimal, kwargs, path, words) -> None:
    with pytest.raises(ScenarioError) as info:
        sixparty.variant(minimal, **kwargs)
    (problem,) = info.value.problems
    assert problem.path == path and problem.file == "<variant of minimal>"
    assert problem.line is None  # no line of a file the user never wrote
    assert words in info.value.format()


@pytest.mark.parametrize(
    "kwargs,words",
    [
        (
            {"remove_events": "sanctions_step"},
            r"remove_events must be a list of event ids, e.g. \['sanctions_step'\]; got str",
        ),
        ({"remove_events": 5}, "remove_events must be a list of event ids"),
        ({"remove_events": ["us_opens", 3]}, r"remove_events\[1\] is int"),
        ({"add_events": {"id": "x"}}, "add_events must be a list of event mappings.*put the one"),
        ({"add_events": ["x"]}, r"add_events\[0\] is str"),
        ({"overrides": ["parties.US.strategy.direct_talks"]}, "overrides must be a mapping"),
        ({"parameters": 0.1}, "parameters must be a mapping"),
    ],
)
def test_variant_refuses_arguments_of_the_wrong_shape_in_one_error(minimal, kwargs, words) -> None:
    """A string where a list of ids is expected is one TypeError, not one 'no event with
    id' per letter."""
    with pytest.raises(TypeError, match=words):
        sixparty.variant(minimal, **kwargs)


def test_variant_takes_any_iterable_of_events(minimal) -> None:
    v = sixparty.variant(minimal, remove_events=(e for e in ["sanctions_step"]), add_events=None)
    assert [e.id for e in v.events] == ["first_round", "us_opens"]


def test_variant_of_a_shipped_name() -> None:
    v = sixparty.variant("historical", parameters={"generosity": 0.5})
    assert v.name == "historical-variant" and v.parameters.generosity == 0.5


# -------------------------------------------------------------------- tables
def test_tables_from_a_result_and_from_its_folder_agree(minimal, tmp_path: Path) -> None:
    result = sixparty.simulate(minimal, seed=2)
    sixparty.write_run(result, tmp_path / "run")
    for fn in (
        sixparty.timeline_table,
        sixparty.sessions_table,
        sixparty.decisions_table,
        sixparty.ledger_table,
        sixparty.positions_table,
        sixparty.trust_table,
    ):
        mem, disk = fn(result), fn(tmp_path / "run")
        assert isinstance(mem, pd.DataFrame)
        pd.testing.assert_frame_equal(mem, disk, check_dtype=False)
    timeline = sixparty.timeline_table(result)
    assert len(timeline) == minimal.window.months and timeline["month"].iloc[0] == "2003-08"
    assert sixparty.positions_table(result).shape == (minimal.window.months * 6 * len(ISSUES), 5)
    assert sixparty.trust_table(result).shape == (minimal.window.months * 30, 4)
    assert sixparty.sessions_table(result)["held"].dtype == bool


# ------------------------------------------------------------------ the docs
def test_docs_api_examples_run(tmp_path: Path, monkeypatch, capsys) -> None:
    """Every ```python block of docs/api.md, in order, with 4 replicates instead of 200."""
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 5
    code = "\n".join(blocks)
    assert "RUNS = 200" in code
    code = code.replace("RUNS = 200", "RUNS = 4")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, str(ROOT / "docs" / "api.md"), "exec"), namespace)
    out = capsys.readouterr().out
    assert "did you mean 'parties.US.strategy.direct_talks'" in out
    # the summary statistics keep the bool column walked_out (describe() drops bools)
    assert re.search(r"walked_out\s+sessions_held\s+final_progress", out), out
    assert namespace["ensemble"].runs == 4
    assert (tmp_path / "runs" / "notebook-seed1" / "manifest.json").is_file()


@pytest.mark.parametrize(
    "call,error,words",
    [
        (
            lambda sc: sixparty.run_ensemble(sc, runs=2.5, base_seed=1),
            TypeError,
            "runs must be a whole number",
        ),
        (
            lambda sc: sixparty.run_ensemble(sc, runs="3", base_seed=1),
            TypeError,
            "runs must be a whole number",
        ),
        (
            lambda sc: sixparty.run_ensemble(sc, runs=2, base_seed=1.0),
            TypeError,
            "base_seed must be a whole",
        ),
        (
            lambda sc: sixparty.run_ensemble(sc, runs=2, base_seed=1, jobs=1.5),
            TypeError,
            "jobs must be a whole",
        ),
        (
            lambda sc: sixparty.compare([sc, sc], ["a"], runs=2, base_seed=1),
            ValueError,
            "one per scenario",
        ),
        (
            lambda sc: sixparty.compare([sc], ["a", "b"], runs=2, base_seed=1),
            ValueError,
            "one per scenario",
        ),
        (
            lambda sc: sixparty.compare([sc, sc], ["a", "b"], runs=2.0, base_seed=1),
            TypeError,
            "runs must be",
        ),
        (
            lambda sc: sixparty.compare(sc, ["a"], runs=2, base_seed=1),
            TypeError,
            "scenarios must be a list of Scenario",
        ),
        (
            lambda sc: sixparty.compare([sc, "historical"], ["a", "b"], runs=2, base_seed=1),
            TypeError,
            r"scenarios\[1\] must be a Scenario",
        ),
        (
            lambda sc: sixparty.compare([sc, sc], "ab", runs=2, base_seed=1),
            TypeError,
            "labels must be a list of names",
        ),
        (
            lambda sc: sixparty.compare([sc, sc], ["a", "a"], runs=2, base_seed=1),
            ValueError,
            "labels must be distinct: 'a' is given twice",
        ),
        (
            lambda sc: sixparty.simulate_batch(sc, 5),
            TypeError,
            r"seeds must be a sequence of whole numbers, e.g. \[1, 2, 3\] or range\(5\), not int"
            r".*simulate\(scenario, seed=5\)",
        ),
        (
            lambda sc: sixparty.load_scenario(minimal_scenario_dict()),
            TypeError,
            r"shipped scenario name .* or the path of a YAML file, not dict; .*load_scenario_text",
        ),
        (lambda sc: sixparty.load_scenario(sc), TypeError, "already a loaded Scenario"),
        (
            lambda sc: sixparty.timeline_table(5),
            TypeError,
            r"run must be a RunResult \(from sixparty.simulate\), a run folder or a RunTables, "
            "not int",
        ),
        (
            lambda sc: sixparty.write_run(None, "never-written"),
            TypeError,
            "result must be a RunResult .*not NoneType",
        ),
    ],
)
def test_bad_arguments_name_themselves(minimal, call, error, words, tmp_path, monkeypatch) -> None:
    """Wrong counts, seeds, labels, scenarios or runs are refused before any run or file,
    naming the argument and what it should be."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(error, match=words):
        call(minimal)
    assert not any(tmp_path.iterdir())


def test_variant_takes_numpy_and_decimal_values(minimal) -> None:
    """A sweep over np.linspace gives np.float64: taken as the number it is (it raised a
    YAML RepresenterError), as are numpy integers and booleans and Decimal numbers."""
    from decimal import Decimal

    import numpy as np

    v = sixparty.variant(
        minimal,
        parameters={
            "noise": np.float64(0.25),
            "max_iterations": np.int64(7),
            "anchoring": np.bool_(False),
            "generosity": Decimal("0.4"),
        },
        seed=np.int64(5),
    )
    p = v.parameters
    assert (p.noise, p.max_iterations, p.anchoring, p.generosity) == (0.25, 7, False, 0.4)
    assert v.seed == 5 and type(v.seed) is int
