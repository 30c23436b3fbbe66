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
