"""benchmarks/bench_fidelity.py refuses a bad --set before running anything."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_fidelity.py"


@pytest.mark.parametrize(
    "value, said",
    [
        ("offers_within_win_set", "--set takes NAME=VALUE"),
        ("offers_within_winset=true", "did you mean 'parameters.offers_within_win_set'"),
        ("offers_within_win_set=maybe", "expected true or false"),
    ],
)
def test_a_bad_set_is_a_usage_error_not_a_traceback(value, said):
    out = subprocess.run(
        [sys.executable, str(SCRIPT), "--runs", "1", "--budget", "0", "--set", value],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2
    assert said in out.stderr and "Traceback" not in out.stderr


README = SCRIPT.parent / "README.md"


def _usage_lines() -> list[str]:
    """The commands in benchmarks/README.md's usage block (its first fenced block)."""
    text = README.read_text(encoding="utf-8")
    block = text.split("```", 2)[1]
    return [ln.split("#", 1)[0].split() for ln in block.splitlines() if ln.startswith("python ")]


def test_the_benchmarks_readme_lists_bench_fidelity_with_options_it_takes():
    lines = _usage_lines()
    fidelity = [words for words in lines if words[1] == "benchmarks/bench_fidelity.py"]
    assert fidelity, "benchmarks/README.md does not say how to run bench_fidelity.py"
    helps = subprocess.run(
        [sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True, timeout=60
    ).stdout
    used = {w for words in fidelity for w in words if w.startswith("--")}
    assert {"--runs", "--budget", "--set"} <= used
    for option in used:
        assert f"{option} " in helps, option
    from sixparty.parameters import parameter

    for words in fidelity:  # a --set names a declared parameter
        for k, w in enumerate(words):
            if w == "--set":
                parameter(words[k + 1].split("=", 1)[0])


def test_every_benchmark_command_in_the_readme_names_a_script_and_its_options():
    for words in _usage_lines():
        script = SCRIPT.parents[1] / words[1]
        assert script.is_file(), words[1]
        source = script.read_text(encoding="utf-8")
        for w in words[2:]:
            if w.startswith("--"):
                assert f'"{w}"' in source, (words[1], w)
