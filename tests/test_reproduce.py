"""Run folders reproduce themselves (manifest, scenario.resolved.yaml, `run --from`) and --format."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import dump_yaml
from sixparty import outputs
from sixparty.cli import main
from sixparty.loader import load_scenario

DATA = ["timeline", "positions", "trust", "sessions", "drafts", "ledger", "decisions"]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def variant_file(tmp_path: Path) -> Path:
    """A two-level chain: my.yaml extends counterfactuals/no_bda_sanctions, which extends historical."""
    src = tmp_path / "src"
    src.mkdir()
    path = src / "my.yaml"
    path.write_text(
        dump_yaml(
            {
                "extends": "no_bda_sanctions",
                "name": "my_variant",
                "overrides": {"parameters.generosity": 0.45},
                "parties": {"US": {"strategy": {"direct_talks": "accept"}}},
            }
        )
    )
    return path


def test_manifest_records_sources_resolved_scenario_and_environment(tmp_path, variant_file, capsys):
    out = tmp_path / "run"
    assert main(["run", str(variant_file), "--seed", "4", "--out", str(out), "--no-plots"]) == 0
    m = json.loads((out / "manifest.json").read_text())
    # the resolved scenario: loads back to the very scenario that ran
    resolved = out / "scenario.resolved.yaml"
    assert m["scenario_resolved"] == "scenario.resolved.yaml"
    assert m["scenario_resolved_sha256"] == sha(resolved) == m["files"]["scenario.resolved.yaml"]
    # (with the run's seed: sixparty run of the file alone repeats the run)
    assert load_scenario(resolved) == load_scenario(variant_file).model_copy(update={"seed": 4})
    assert "extends" not in yaml.safe_load(resolved.read_text())
    # every file of the extends chain, child first, with its hash
    sources = m["scenario_sources"]
    assert [Path(s["path"]).name for s in sources] == [
        "my.yaml",
        "no_bda_sanctions.yaml",
        "historical.yaml",
    ]
    for s in sources:
        assert s["sha256"] == sha(Path(s["path"]))
    # where it ran
    import sixparty

    assert m["sixparty_version"] == sixparty.__version__
    assert m["python"]["version"].count(".") == 2
    assert m["platform"]
    dists = {k.lower(): v for k, v in m["distributions"].items()}
    assert {"sixparty", "numpy", "mesa", "pydantic"} <= set(dists)
    commit = m["git"]["commit"]
    assert commit is None or (len(commit) == 40 and int(commit, 16) >= 0)
    assert m["seed"] == 4 and m["table_format"] == "csv" and m["rerun_of"] is None


def test_git_state_never_fails(monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("no git here")

    monkeypatch.setattr(outputs.subprocess, "run", broken)
    outputs.git_state.cache_clear()
    try:
        assert outputs.git_state() == {"commit": None, "dirty": None}
    finally:
        outputs.git_state.cache_clear()


def test_git_state_ignores_a_foreign_repository(monkeypatch, tmp_path):
    """An installed copy inside some other git repository records no commit."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "someone-else"\n')

    def fake_git(folder, *args):
        return str(tmp_path) if args[0] == "rev-parse" and args[1] == "--show-toplevel" else "abc"

    monkeypatch.setattr(outputs, "_git", fake_git)
    outputs.git_state.cache_clear()
    try:
        assert outputs.git_state()["commit"] is None
    finally:
        outputs.git_state.cache_clear()


def test_git_state_is_null_for_an_installed_copy_inside_a_clone(monkeypatch, tmp_path):
    """``pip install .`` with the venv inside the clone: the imported files are not the
    clone's tracked files, so no commit is recorded (the clone's HEAD may have moved on
    since the install); the tracked file itself (a source checkout, an editable install)
    records HEAD."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    import subprocess

    clone = tmp_path / "clone"
    (clone / "sim").mkdir(parents=True)
    (clone / "pyproject.toml").write_text('[project]\nname = "sixparty"\n')
    (clone / ".gitignore").write_text(".venv/\n")
    tracked = clone / "sim" / "outputs.py"
    tracked.write_text("# the source\n")
    installed = clone / ".venv" / "lib" / "site-packages" / "sixparty" / "outputs.py"
    installed.parent.mkdir(parents=True)
    installed.write_text("# the copy pip made\n")
    git = ["git", "-C", str(clone), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "x"], check=True)
    head = subprocess.run(
        [*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    for path, want in ((installed, None), (tracked, head)):
        monkeypatch.setattr(outputs, "_package_file", lambda path=path: path.resolve())
        outputs.git_state.cache_clear()
        try:
            assert outputs.git_state()["commit"] == want, path
        finally:
            outputs.git_state.cache_clear()


def test_run_from_a_copied_folder_is_byte_identical(tmp_path, variant_file, capsys):
    first = tmp_path / "first"
    assert main(["run", str(variant_file), "--seed", "11", "--out", str(first), "--no-plots"]) == 0
    # the folder travels alone: copied elsewhere, the scenario's source files gone
    moved = tmp_path / "elsewhere" / "first"
    shutil.copytree(first, moved)
    shutil.rmtree(first)
    variant_file.unlink()
    capsys.readouterr()
    again = tmp_path / "again"
    assert main(["run", "--from", str(moved), "--out", str(again), "--no-plots"]) == 0
    printed = capsys.readouterr().out
    assert "Reproduced: the 7 data files are byte-identical" in printed
    for stem in DATA:
        assert (again / f"{stem}.csv").read_bytes() == (moved / f"{stem}.csv").read_bytes(), stem
    assert (again / "scenario.resolved.yaml").read_bytes() == (
        moved / "scenario.resolved.yaml"
    ).read_bytes()
    m = json.loads((again / "manifest.json").read_text())
    assert m["seed"] == 11 and m["scenario"] == "my_variant"
    assert m["rerun_of"]["run_dir"] == str(moved) and m["rerun_of"]["seed"] == 11


def test_run_from_default_out_is_beside_the_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--seed", "2", "--out", "r", "--no-plots"]) == 0
    assert main(["run", "--from", "r", "--no-plots"]) == 0
    assert (tmp_path / "r-rerun" / "timeline.csv").read_bytes() == (
        tmp_path / "r" / "timeline.csv"
    ).read_bytes()


def test_run_from_says_when_files_differ(tmp_path, capsys):
    """NOT reproduced, exit 1 (a script can tell); the new folder is still written."""
    run = tmp_path / "r"
    assert main(["run", "--seed", "2", "--out", str(run), "--no-plots"]) == 0
    m = json.loads((run / "manifest.json").read_text())
    m["files"]["trust.csv"] = "0" * 64  # as if the original had come out differently
    (run / "manifest.json").write_text(json.dumps(m))
    capsys.readouterr()
    assert main(["run", "--from", str(run), "--out", str(tmp_path / "x"), "--no-plots"]) == 1
    assert "NOT reproduced: trust.csv differ" in capsys.readouterr().out
    assert (tmp_path / "x" / "trust.csv").is_file()


@pytest.fixture(scope="module")
def one_run(tmp_path_factory) -> Path:
    run = tmp_path_factory.mktemp("base") / "r"
    assert main(["run", "--seed", "1", "--out", str(run), "--no-plots"]) == 0
    return run


@pytest.mark.parametrize(
    "setup,argv_extra,words",
    [
        ("missing", [], "not a folder"),
        ("no_manifest", [], "no manifest.json"),
        ("no_resolved", [], "no scenario.resolved.yaml"),
        ("tampered", [], "has changed since the run"),
        ("ok", ["historical"], "not both"),
        ("ok", ["--runs", "3"], "single run"),
        ("ok", ["--out", "SELF"], "the folder being rerun"),
    ],
)
def test_run_from_refuses_clearly(tmp_path, capsys, one_run, setup, argv_extra, words):
    run = tmp_path / "r"
    if setup != "missing":
        shutil.copytree(one_run, run)
    if setup == "no_manifest":
        (run / "manifest.json").unlink()
    elif setup == "no_resolved":
        (run / "scenario.resolved.yaml").unlink()
    elif setup == "tampered":
        with (run / "scenario.resolved.yaml").open("a") as fh:
            fh.write("seed: 5\n")
    capsys.readouterr()
    argv = ["run", "--from", str(run), "--no-plots"] + [
        str(run) if a == "SELF" else a for a in argv_extra
    ]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert not (tmp_path / "r-rerun").exists()


# ------------------------------------------------------------------ --format
def test_parquet_tables_are_readable_deterministic_and_match_the_csv(tmp_path, capsys):
    pytest.importorskip("pyarrow")
    for name in ("p1", "p2"):
        assert (
            main(
                [
                    "run",
                    "--seed",
                    "6",
                    "--out",
                    str(tmp_path / name),
                    "--format",
                    "parquet",
                    "--no-plots",
                ]
            )
            == 0
        )
    assert main(["run", "--seed", "6", "--out", str(tmp_path / "c"), "--no-plots"]) == 0
    m = json.loads((tmp_path / "p1" / "manifest.json").read_text())
    assert m["table_format"] == "parquet"
    for stem in DATA:
        p = tmp_path / "p1" / f"{stem}.parquet"
        assert f"{stem}.parquet" in m["files"] and not (tmp_path / "p1" / f"{stem}.csv").exists()
        assert p.read_bytes() == (tmp_path / "p2" / f"{stem}.parquet").read_bytes(), stem
        frame = pd.read_parquet(p)
        csv = pd.read_csv(tmp_path / "c" / f"{stem}.csv", keep_default_na=False)
        assert list(frame.columns) == [
            c for c in csv.columns if c not in ("nash_product", "pareto_distance")
        ]
        assert len(frame) == len(csv)
    timeline = pd.read_parquet(tmp_path / "p1" / "timeline.parquet")
    csv = pd.read_csv(tmp_path / "c" / "timeline.csv")
    assert (timeline["progress"] - csv["progress"]).abs().max() < 1e-6
    assert list(timeline["month"]) == list(csv["month"])


def test_run_from_a_parquet_folder_keeps_parquet_and_compares(tmp_path, capsys):
    """--from reruns in the folder's table format (its manifest's table_format), so the
    byte comparison happens; an explicit --format csv is honoured (nothing compared)."""
    pytest.importorskip("pyarrow")
    pq = tmp_path / "r_pq"
    assert main(["run", "--seed", "1", "--format", "parquet", "--no-plots", "--out", str(pq)]) == 0
    capsys.readouterr()
    again = tmp_path / "again"
    assert main(["run", "--from", str(pq), "--no-plots", "--out", str(again)]) == 0
    out = capsys.readouterr().out
    assert "Reproduced: the 7 data files are byte-identical" in out
    assert json.loads((again / "manifest.json").read_text())["table_format"] == "parquet"
    assert not (again / "timeline.csv").exists() and (again / "timeline.parquet").is_file()
    as_csv = tmp_path / "as_csv"
    assert (
        main(["run", "--from", str(pq), "--format", "csv", "--no-plots", "--out", str(as_csv)]) == 0
    )
    assert "no CSV tables to compare with" in capsys.readouterr().out
    assert (as_csv / "timeline.csv").is_file()


@pytest.mark.parametrize(
    "argv,tables,figures",
    [
        ([], "csv", "png"),
        (["--format", "svg"], "csv", "svg"),
        (["--format", "parquet"], "parquet", "png"),
        (["--format", "parquet,pdf"], "parquet", "pdf"),
        (["--format", "parquet", "--format", "svg"], "parquet", "svg"),
    ],
)
def test_format_names_tables_and_figures(argv, tables, figures):
    from sixparty.cli import build_parser

    args = build_parser().parse_args(["run", *argv])
    assert (args.table_format, args.format) == (tables, figures)


def test_format_reaches_the_figure_writer(monkeypatch):
    from sixparty import runner

    seen = {}
    monkeypatch.setattr(
        "sixparty.analysis.plots.figures_writer", lambda fmt, lang: seen.setdefault("fmt", fmt)
    )
    from sixparty.cli import build_parser

    runner._extra_writers(build_parser().parse_args(["run", "--format", "parquet,svg"]))
    assert seen["fmt"] == "svg"


def test_a_parquet_run_folder_reads_back_and_plots(tmp_path, capsys):
    pytest.importorskip("pyarrow")
    import sixparty as sp

    pq, csv = tmp_path / "pq", tmp_path / "csv"
    assert main(["run", "--seed", "8", "--out", str(pq), "--format", "parquet", "--no-plots"]) == 0
    assert main(["run", "--seed", "8", "--out", str(csv), "--no-plots"]) == 0
    a, b = sp.read_run(pq), sp.read_run(csv)
    for stem in DATA:
        left, right = getattr(a, stem), getattr(b, stem)
        cols = list(left.columns)
        pd.testing.assert_frame_equal(left[cols], right[cols], check_dtype=False, atol=5e-7)
    assert len(a.events) == len(b.events) > 0
    (pq / "trust.parquet").write_bytes(b"PAR1 damaged")
    with pytest.raises(ValueError, match="trust.parquet"):
        sp.read_run(pq)


def test_parquet_without_pyarrow_is_a_clear_user_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow -> ImportError
    out = tmp_path / "p"
    assert main(["run", "--out", str(out), "--format", "parquet", "--no-plots"]) == 2
    err = capsys.readouterr().err
    assert "pyarrow" in err and "sixparty[parquet]" in err and "Traceback" not in err
    assert not out.exists()


def test_bad_format_lists_the_choices(capsys):
    assert main(["run", "--format", "xlsx"]) == 2
    err = capsys.readouterr().err
    assert "csv or parquet" in err and "png, svg, pdf" in err


def test_run_from_says_when_the_original_files_were_edited(tmp_path, capsys):
    """A hand-edited table in RUN_DIR is not called byte-identical to the rerun."""
    run = tmp_path / "r"
    assert main(["run", "--seed", "2", "--out", str(run), "--no-plots"]) == 0
    lines = (run / "timeline.csv").read_text().splitlines(keepends=True)
    lines[5] = lines[5].replace("0", "9", 1)
    (run / "timeline.csv").write_text("".join(lines))
    capsys.readouterr()
    assert main(["run", "--from", str(run), "--out", str(tmp_path / "x"), "--no-plots"]) == 0
    out = capsys.readouterr().out
    assert "Reproduced: the 7 data files" not in out
    assert "timeline.csv" in out and "changed or removed since the run" in out


def test_run_from_a_folder_written_from_python_is_reproduced(tmp_path, variant_file, capsys):
    """docs/api.md's workflow: a run written with sixparty.write_run (no scorecard
    columns) reruns with --from into comparable files, and says so."""
    import sixparty as sp

    run = tmp_path / "notebook-seed1"
    sp.write_run(sp.simulate(load_scenario(variant_file), seed=1), run)
    capsys.readouterr()
    again = tmp_path / "again"
    assert main(["run", "--from", str(run), "--out", str(again), "--no-plots"]) == 0
    out, err = capsys.readouterr()
    assert "Reproduced: the 7 data files are byte-identical" in out
    assert "written from Python" in err
    assert (again / "sessions.csv").read_bytes() == (run / "sessions.csv").read_bytes()


def test_run_mode_sets_anchoring_and_is_recorded(tmp_path, capsys):
    """--mode free turns anchoring off on a copy of the scenario; the folder records it
    (manifest, resolved scenario) and reruns as it ran; --mode anchored is the default."""
    free, default, anchored = tmp_path / "free", tmp_path / "default", tmp_path / "anchored"
    assert main(["run", "--seed", "3", "--mode", "free", "--out", str(free), "--no-plots"]) == 0
    assert main(["run", "--seed", "3", "--out", str(default), "--no-plots"]) == 0
    argv = ["run", "--seed", "3", "--mode", "anchored", "--out", str(anchored), "--no-plots"]
    assert main(argv) == 0
    assert json.loads((free / "manifest.json").read_text())["positions_mode"] == "free"
    assert "anchoring: false" in (free / "scenario.resolved.yaml").read_text()
    for stem in DATA:
        assert (anchored / f"{stem}.csv").read_bytes() == (default / f"{stem}.csv").read_bytes()
    assert (free / "positions.csv").read_bytes() != (default / "positions.csv").read_bytes()
    capsys.readouterr()
    assert main(["run", "--from", str(free), "--out", str(tmp_path / "again"), "--no-plots"]) == 0
    assert "Reproduced" in capsys.readouterr().out
    assert main(["run", "--from", str(free), "--mode", "anchored", "--no-plots"]) == 2
    assert "cannot be used with --mode" in capsys.readouterr().err


def test_the_resolved_file_alone_repeats_the_run(tmp_path, capsys):
    """scenario.resolved.yaml carries the run's seed and mode: ``sixparty run`` of that
    file alone writes byte-identical data files, and prints no note about defaults it
    spells out (a chosen inert value is still noted: tests/test_parameters.py)."""
    r = tmp_path / "r"
    assert main(["run", "--seed", "1", "--mode", "free", "--out", str(r), "--no-plots"]) == 0
    resolved = load_scenario(r / "scenario.resolved.yaml")
    assert resolved.seed == 1 and resolved.parameters.anchoring is False
    capsys.readouterr()
    again = tmp_path / "again"
    argv = ["run", str(r / "scenario.resolved.yaml"), "--out", str(again), "--no-plots"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "note:" not in captured.err, captured.err
    assert "positions free" in captured.out
    for stem in DATA:
        assert (again / f"{stem}.csv").read_bytes() == (r / f"{stem}.csv").read_bytes(), stem
    assert (again / "scenario.resolved.yaml").read_bytes() == (
        r / "scenario.resolved.yaml"
    ).read_bytes()
    # --from still checks the resolved file against the manifest and reproduces
    assert main(["run", "--from", str(r), "--out", str(tmp_path / "rr"), "--no-plots"]) == 0
    assert "Reproduced" in capsys.readouterr().out


def test_run_from_an_edited_folder_says_how_to_run_the_edited_file(tmp_path, capsys, one_run):
    import shlex

    run = tmp_path / "edited run"
    shutil.copytree(one_run, run)
    sp = run / "scenario.resolved.yaml"
    text = sp.read_text(encoding="utf-8")
    sp.write_text(text.replace("\nseed: 1\n", "\nseed: 7\n", 1), encoding="utf-8")
    assert "\nseed: 7\n" in sp.read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["run", "--from", str(run), "--no-plots"]) == 2
    err = capsys.readouterr().err
    command = f"sixparty run {shlex.quote(str(sp))}"
    assert "has changed since the run" in err and command in err, err
    # the command it names runs the edited file
    argv = shlex.split(command)[1:] + ["--out", str(tmp_path / "out"), "--no-plots", "--quiet"]
    assert main(argv) == 0
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["seed"] == 7
