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
