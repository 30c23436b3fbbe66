"""`sixparty run` end to end: files written, determinism, summary, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sixparty.cli import main

DATA_FILES = [
    "timeline.csv",
    "positions.csv",
    "trust.csv",
    "sessions.csv",
    "drafts.csv",
    "ledger.csv",
    "decisions.csv",
]


def test_run_writes_every_file_and_a_manifest(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "--seed", "3", "--out", str(out), "--no-plots"]) == 0
    printed = capsys.readouterr().out
    assert "session" in printed and "document" in printed
    assert "positions anchored" in printed
    for name in DATA_FILES + ["manifest.json"]:
        assert (out / name).is_file(), name
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 3 and manifest["scenario"] == "historical"
    assert manifest["positions_mode"] == "anchored"
    assert len(manifest["scenario_sha256"]) == 64
    assert "mesa" in manifest["versions"]
    header = (out / "timeline.csv").read_text().splitlines()[0]
    assert header.startswith("month,talks_status,dprk_stance,implementation,progress")
    assert len((out / "timeline.csv").read_text().splitlines()) == 1 + 120


def test_same_seed_byte_identical_in_separate_processes(tmp_path):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    for name in ("a", "b"):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "sixparty",
                "run",
                "--seed",
                "9",
                "--out",
                str(tmp_path / name),
                "--no-plots",
            ],
            check=True,
            env=env,
            capture_output=True,
            cwd=tmp_path,
        )
    for f in DATA_FILES:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f


def test_unknown_scenario_is_a_user_error(tmp_path, capsys):
    assert main(["run", "no_such_scenario", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "no_such_scenario" in err
    assert not (tmp_path / "x").exists()


def test_failed_write_leaves_no_half_written_folder(tmp_path, monkeypatch):
    from sixparty import outputs
    from sixparty.loader import load_scenario
    from sixparty.runner import simulate

    result = simulate(load_scenario("historical"), seed=1, record_positions=False)

    def boom(result, stage):
        raise OSError("disk full")

    out = tmp_path / "run"
    try:
        outputs.write_run(result, out, extra_writers=[boom])
    except OSError:
        pass
    assert not out.exists()
    assert not [p for p in Path(tmp_path).iterdir() if p.name.startswith(".run")]


# ------------------------------------------------------------- interrupts
# A signal is sent from inside the run, at a chosen point (no timing): the run's handler
# (``stop_on_signals``) turns it into one line and exit 130/143.
def _signal_self(sig=None):
    import signal

    os.kill(os.getpid(), sig or signal.SIGINT)


def _half_drawn_png_then_signal(monkeypatch, sig=None):
    """The second figure is interrupted half written (its file holds a few bytes)."""
    from sixparty.analysis import plots

    real = plots._save_png
    calls = []

    def save(fig, path):
        calls.append(path)
        if len(calls) == 2:
            Path(path).write_bytes(b"\x89PNG\r\n\x1a\n half")
            _signal_self(sig)
        real(fig, path)

    monkeypatch.setattr(plots, "_save_png", save)
    return calls


def test_a_signal_while_figures_are_drawn_writes_nothing(tmp_path, capsys, monkeypatch):
    calls = _half_drawn_png_then_signal(monkeypatch)
    out = tmp_path / "run"
    assert main(["run", "--seed", "3", "--out", str(out)]) == 130
    captured = capsys.readouterr()
    assert len(calls) == 2  # stopped at the second figure, not after the run
    lines = captured.err.splitlines()
    assert lines == [
        f"sixparty: interrupted by SIGINT: nothing was written ({out}/ was not created)"
    ]
    assert "Wrote" not in captured.out
    # no folder, no staging folder, no half-drawn PNG anywhere
    assert list(tmp_path.iterdir()) == []


def test_a_signal_while_figures_are_drawn_keeps_the_previous_folder(tmp_path, capsys, monkeypatch):
    import signal

    out = tmp_path / "run"
    assert main(["run", "--seed", "3", "--out", str(out), "--no-plots"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    _half_drawn_png_then_signal(monkeypatch, signal.SIGTERM)
    assert main(["run", "--seed", "4", "--out", str(out)]) == 143
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"sixparty: interrupted by SIGTERM: the previous output in {out}/ is untouched"
    ]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_a_signal_after_the_folder_is_written_says_it_is_complete(tmp_path, capsys, monkeypatch):
    from sixparty import runner

    real = runner.summary_lines

    def summary(*a, **k):
        _signal_self()
        return real(*a, **k)

    monkeypatch.setattr(runner, "summary_lines", summary)
    out = tmp_path / "run"
    assert main(["run", "--seed", "3", "--out", str(out), "--no-plots"]) == 130
    err = capsys.readouterr().err
    manifest = json.loads((out / "manifest.json").read_text())
    n = len(manifest["files"]) + 1
    assert err.splitlines() == [
        f"sixparty: interrupted by SIGINT: the output is complete ({n} files in {out}/); "
        "only the summary was not all printed"
    ]
    assert sorted(p.name for p in out.iterdir()) == sorted([*manifest["files"], "manifest.json"])


def test_a_signal_while_the_folder_is_renamed_in_says_it_is_complete(tmp_path, capsys, monkeypatch):
    from sixparty import outputs

    out = tmp_path / "run"
    real = os.rename

    def rename(src, dst):
        if Path(dst) == out:
            _signal_self()  # held until the folder is in place
        real(src, dst)

    monkeypatch.setattr(outputs.os, "rename", rename)
    assert main(["run", "--seed", "3", "--out", str(out), "--no-plots"]) == 130
    captured = capsys.readouterr()
    n = len(json.loads((out / "manifest.json").read_text())["files"]) + 1
    assert captured.err.splitlines() == [
        f"sixparty: interrupted by SIGINT: the output is complete ({n} files in {out}/); "
        "only the summary was not all printed"
    ]
    assert captured.out == ""
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_a_ctrl_c_while_the_command_exits_changes_nothing():
    # The interpreter's exit after a run takes about a second (freeing the run and its
    # figures); a Ctrl-C then used to kill the finished command silently (exit -SIGINT).
    code = (
        "import os, signal, sys\n"
        "from sixparty import cli\n"
        "cli.main = lambda: 0  # a finished command\n"
        "code = cli.console_main()\n"
        "os.kill(os.getpid(), signal.SIGINT)\n"
        "sum(range(1000))  # bytecode after the signal: a handler would run here\n"
        "sys.exit(code)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""


def test_python_m_sixparty_and_the_script_use_console_main():
    import tomllib

    root = Path(__file__).resolve().parents[1]
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"]["sixparty"] == "sixparty.cli:console_main"
    assert "raise SystemExit(console_main())" in (root / "sim" / "__main__.py").read_text()
