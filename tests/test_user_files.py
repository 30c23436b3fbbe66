"""A user's own `analysis.py`, `sim.py` and `scenarios.py` do not break sixparty.

Before the package had one namespace, `sim`, `analysis` and `scenarios` were
top-level packages, so a file of that name in the working folder (first on
`sys.path` under `python -m` and `python -c`) was imported instead.  Here each
such file raises on import: if any sixparty code path imported it, the command
would fail.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

USER_FILES = ("analysis.py", "sim.py", "scenarios.py")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("user_project")
    for name in USER_FILES:
        (d / name).write_text(
            f'raise RuntimeError("the user\'s {name} was imported")\n', encoding="utf-8"
        )
    return d


def _run(folder: Path, *argv: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        list(argv), cwd=folder, env=env, capture_output=True, text=True, timeout=300
    )


def _ok(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == 0, done.stderr[-2000:]
    assert "was imported" not in done.stderr + done.stdout


def test_the_user_files_really_raise(folder) -> None:
    done = _run(folder, sys.executable, "-c", "import sim")
    assert done.returncode != 0 and "the user's sim.py was imported" in done.stderr


def test_python_m_sixparty_help(folder) -> None:
    done = _run(folder, sys.executable, "-m", "sixparty", "--help")
    _ok(done)
    assert "usage: sixparty" in done.stdout


def test_python_m_sixparty_run_and_ensemble(folder) -> None:
    _ok(
        _run(
            folder,
            sys.executable,
            "-m",
            "sixparty",
            "run",
            "--seed",
            "3",
            "--out",
            "one",
            "--no-plots",
        )
    )
    assert (folder / "one" / "timeline.csv").is_file() and (
        folder / "one" / "scorecard.csv"
    ).is_file()
    # worker processes start from this folder too
    _ok(
        _run(
            folder,
            sys.executable,
            "-m",
            "sixparty",
            "run",
            "--runs",
            "4",
            "--jobs",
            "2",
            "--out",
            "ens",
            "--quiet",
            "--no-plots",
        )
    )
    assert (folder / "ens" / "manifest.json").is_file() and (folder / "ens" / "runs.csv").is_file()


def test_sixparty_command_run(folder) -> None:
    exe = Path(sys.executable).parent / "sixparty"
    if not exe.is_file():
        pytest.skip("the sixparty console script is not installed beside this interpreter")
    _ok(_run(folder, str(exe), "run", "lwr_at_round4", "--out", "cf", "--no-plots"))
    _ok(_run(folder, str(exe), "list"))


def test_python_api(folder) -> None:
    code = (
        "import sixparty as sp\n"
        "s = sp.variant('historical', parameters={'noise': 0.1})\n"
        "r = sp.simulate(s, seed=2)\n"
        "print(len(sp.timeline_table(r)), len(sp.sessions_table(r)) > 0)\n"
    )
    done = _run(folder, sys.executable, "-c", code)
    _ok(done)
    assert done.stdout.split() == ["120", "True"]
