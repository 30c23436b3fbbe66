"""Default output folders of ``sixparty run`` and the folders it refuses to replace.

Distinct scenario files get distinct folders (a Chinese file name keeps its
characters), a non-default mode is in the folder name, the current folder (or one
holding it) and the folder a scenario file lies in are never replaced, two formats
of one kind are refused, and ``sixparty plot`` leaves no empty ``--out`` behind.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import dump_yaml, minimal_scenario_dict
from sixparty.cli import main
from sixparty.loader import load_scenario, name_from_stem


def run_main(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    return code, out, err


def _variant(folder: Path, stem: str, parent: Path) -> Path:
    p = folder / f"{stem}.yaml"
    p.write_text(f"extends: {parent.name}\ndescription: {stem}\n", encoding="utf-8")
    return p


# ------------------------------------------------------------ names from file names
@pytest.mark.parametrize(
    "stem, name",
    [
        ("情景一", "情景一"),
        ("我的 情景", "我的_情景"),
        ("no-bda_v2.1", "no-bda_v2.1"),
        ("Größe", "Größe"),
        ("x²/y", "x__y"),
    ],
)
def test_a_variant_is_named_after_its_file_in_any_script(stem, name):
    assert name_from_stem(stem) == name


def test_a_file_name_without_letters_gets_a_distinct_hashed_name():
    a, b = name_from_stem("!!!"), name_from_stem("???")
    assert a != b and a.startswith("variant-") and b.startswith("variant-")
    assert name_from_stem("!!!") == a  # the same file name, the same name


def test_chinese_named_variants_run_into_distinct_folders(capsys, tmp_path, monkeypatch):
    parent = tmp_path / "minimal.yaml"
    parent.write_text(dump_yaml(minimal_scenario_dict()), encoding="utf-8")
    one, two = _variant(tmp_path, "情景一", parent), _variant(tmp_path, "情景二", parent)
    assert load_scenario(one).name == "情景一"
    monkeypatch.chdir(tmp_path)
    for f in (one, two):
        assert run_main(capsys, "run", f.name, "--no-plots")[0] == 0
    seed = load_scenario(one).seed
    for name in ("情景一", "情景二"):
        manifest = json.loads((tmp_path / "runs" / f"{name}-{seed}" / "manifest.json").read_text())
        assert manifest["scenario"] == name


# ---------------------------------------------------------- the current folder
@pytest.mark.parametrize("out", [".", "..", "CWD"])
def test_an_empty_current_folder_or_one_holding_it_is_refused(capsys, tmp_path, monkeypatch, out):
    here = tmp_path / "a" / "e"
    here.mkdir(parents=True)
    monkeypatch.chdir(here)
    out = str(here) if out == "CWD" else out
    code, _, err = run_main(capsys, "run", "--out", out, "--no-plots")
    assert code == 2
    assert "current folder" in err and "--out ./run1" in err
    assert here.is_dir() and list(here.iterdir()) == []
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["e"]  # no staging folder left


def test_write_atomically_refuses_the_empty_current_folder(tmp_path, monkeypatch):
    from sixparty.outputs import OutputError, write_atomically

    monkeypatch.chdir(tmp_path)
    with pytest.raises(OutputError, match="current folder"):
        write_atomically(".", {"a.csv": "x\n"}, manifest={})
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ an empty --out
@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--no-plots"],
        ["compare", "historical", "historical", "--runs", "2"],
        ["evaluate", "--runs", "2"],
        ["schema"],
    ],
)
def test_an_empty_out_is_refused_not_read_as_the_default(capsys, tmp_path, monkeypatch, argv):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_main(capsys, *argv, "--out", "")
    assert code == 2
    what = "file" if argv[0] == "schema" else "folder"
    assert f"--out needs a {what} name, got an empty one" in err
    assert list(tmp_path.iterdir()) == [] and out == ""


# ----------------------------------------------------------------- a mount point
@pytest.mark.parametrize("contents", ["empty", "previous run"])
def test_a_mount_point_is_refused_before_the_run(capsys, tmp_path, monkeypatch, contents):
    import os

    from sixparty.model import TalksModel

    mnt = tmp_path / "rwmnt"
    if contents == "empty":
        mnt.mkdir()
    else:
        assert run_main(capsys, "run", "--out", mnt, "--no-plots", "--quiet")[0] == 0
    before = sorted(p.name for p in mnt.iterdir())
    real_ismount = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda p: Path(p) == mnt or real_ismount(p))

    def no_run(*args, **kwargs):
        raise AssertionError("the run started before --out was checked")

    monkeypatch.setattr(TalksModel, "__init__", no_run)
    code, _, err = run_main(capsys, "run", "--out", mnt, "--no-plots")
    assert code == 2
    assert f"cannot write {mnt}: it is a mount point" in err
    assert f"--out {mnt / 'run1'}" in err
    assert sorted(p.name for p in mnt.iterdir()) == before
    assert [p.name for p in tmp_path.iterdir()] == ["rwmnt"]  # no staging folder left


# ------------------------------------------------------------- the mode in the name
def test_free_mode_has_its_own_default_folder(capsys, tmp_path, monkeypatch, scenario_file):
    monkeypatch.chdir(tmp_path)
    seed = load_scenario(scenario_file).seed
    for mode in ("anchored", "free"):
        assert run_main(capsys, "run", scenario_file, "--mode", mode, "--no-plots")[0] == 0
    for folder, mode in ((f"minimal-{seed}", "anchored"), (f"minimal-free-{seed}", "free")):
        manifest = json.loads((tmp_path / "runs" / folder / "manifest.json").read_text())
        assert manifest["positions_mode"] == mode


def test_default_run_dir_names_free_mode_and_ensembles():
    from sixparty.outputs import default_run_dir

    s = load_scenario("historical")
    assert default_run_dir(s, 20030827) == "runs/historical-20030827"  # README and docs name it
    free = s.model_copy(deep=True)
    free.parameters.anchoring = False
    assert default_run_dir(free, 5) == "runs/historical-free-5"
    assert default_run_dir(free, 5, runs=10) == "runs/historical-free-ens10-5"
    assert default_run_dir(s, 5, runs=10) == "runs/historical-ens10-5"


def test_every_command_names_its_default_folder_through_one_helper(monkeypatch):
    """`sixparty.outputs.default_out_dir` names every command's default folder (run,
    evaluate, calibrate, sensitivity, compare); the names users get are unchanged."""
    import sixparty.analysis.validation as validation
    from sixparty import outputs
    from sixparty.analysis.compare import _default_out

    assert not hasattr(validation, "default_out_dir")  # one helper, not two
    d = outputs.default_out_dir
    assert d("historical", "evaluate", "free", "n100", seed=1) == (
        "runs/historical-evaluate-free-n100-1"
    )
    assert d("minimal", "calibrate", "free", "2004-03-r1", seed=0) == (
        "runs/minimal-calibrate-free-2004-03-r1-0"
    )
    assert d("minimal", "", "", seed=7) == "runs/minimal-7"  # empty parts are left out
    assert _default_out(["a", "b"], 4, 3) == "runs/compare-a-vs-b-n4-3"
    assert _default_out(["a", "b", "c", "d"], 4, 3, free=True) == (
        "runs/compare-a-vs-3-variants-free-n4-3"
    )
    seen = []
    monkeypatch.setattr(outputs, "default_out_dir", lambda *p, seed: seen.append(p) or "x")
    assert outputs.default_run_dir(load_scenario("historical"), 5, runs=10) == "x"
    assert _default_out(["a", "b"], 4, 3) == "x"
    assert seen == [("historical", "", "ens10"), ("compare", "a-vs-b", "", "n4")]


@pytest.mark.parametrize("extra", [[], ["--runs", "2", "--quiet"]])
def test_a_run_never_replaces_the_folder_its_scenario_file_is_in(
    capsys, tmp_path, monkeypatch, scenario_file, extra
):
    monkeypatch.chdir(tmp_path)
    first = tmp_path / "first"
    assert run_main(capsys, "run", scenario_file, "--out", first, "--no-plots")[0] == 0
    before = {p.name: p.read_bytes() for p in first.iterdir()}
    resolved = first / "scenario.resolved.yaml"
    code, _, err = run_main(capsys, "run", resolved, "--out", first, "--no-plots", *extra)
    assert code == 2
    assert "scenario file this run reads" in err and f"sixparty run --from {first}" in err
    assert {p.name: p.read_bytes() for p in first.iterdir()} == before


def test_a_run_never_replaces_the_folder_of_a_file_its_scenario_extends(
    capsys, tmp_path, scenario_file
):
    first = tmp_path / "first"
    assert run_main(capsys, "run", scenario_file, "--out", first, "--no-plots")[0] == 0
    child = tmp_path / "child.yaml"
    child.write_text(
        "extends: first/scenario.resolved.yaml\ndescription: a child\n", encoding="utf-8"
    )
    code, _, err = run_main(capsys, "run", child, "--out", first, "--no-plots")
    assert code == 2 and "scenario.resolved.yaml, the scenario file this run reads" in err
    assert (first / "scenario.resolved.yaml").is_file()


# ----------------------------------------------------------------- --format
@pytest.mark.parametrize(
    "argv, kind",
    [
        (["--format", "png,svg"], "figures"),
        (["--format", "parquet", "--format", "csv"], "tables"),
        (["--format", "csv,pdf", "--format", "png"], "figures"),
    ],
)
def test_two_formats_of_one_kind_are_refused(capsys, tmp_path, argv, kind):
    assert main(["run", "--out", str(tmp_path / "x"), *argv]) == 2
    err = capsys.readouterr().err
    assert f"formats of the {kind}" in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()


def test_one_format_of_each_kind_still_parses():
    from sixparty.cli import build_parser

    args = build_parser().parse_args(["run", "--format", "svg", "--format", "svg,csv"])
    assert (args.format, args.table_format) == ("svg", "csv")
    args = build_parser().parse_args(["run", "--format", "parquet,pdf"])
    assert (args.format, args.table_format) == ("pdf", "parquet")


def test_run_help_says_one_format_of_each_kind(capsys):
    assert main(["run", "--help"]) == 0
    assert "at most one of each kind" in " ".join(capsys.readouterr().out.split())


# ------------------------------------------------- sixparty plot: nothing left behind
@pytest.fixture(scope="module")
def plain_run(tmp_path_factory) -> Path:
    from sixparty.loader import load_scenario_text
    from sixparty.outputs import write_run
    from sixparty.runner import simulate

    d = tmp_path_factory.mktemp("plain") / "run"
    write_run(simulate(load_scenario_text(dump_yaml(minimal_scenario_dict())), seed=5), d)
    return d


def _half_drawn_png_then(monkeypatch, act):
    """The second figure is cut half written, then ``act()`` (a signal, a full disk)."""
    from sixparty.analysis import plots

    real, calls = plots._save_png, []

    def save(fig, path):
        calls.append(path)
        if len(calls) == 2:
            Path(path).write_bytes(b"\x89PNG\r\n\x1a\n half")
            act()
        real(fig, path)

    monkeypatch.setattr(plots, "_save_png", save)
    return calls


def _sigint():
    import os
    import signal

    os.kill(os.getpid(), signal.SIGINT)


def _disk_full():
    import errno

    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("existing", [False, True])
def test_an_interrupted_plot_leaves_the_out_folder_as_it_was(
    capsys, tmp_path, monkeypatch, plain_run, existing
):
    out = tmp_path / "figs"
    if existing:
        out.mkdir()
        (out / "notes.txt").write_text("mine")
    calls = _half_drawn_png_then(monkeypatch, _sigint)
    assert main(["plot", str(plain_run), "--out", str(out)]) == 130
    err = capsys.readouterr().err
    assert len(calls) == 2
    if existing:
        assert "interrupted by SIGINT" in err and f"{out}/ is untouched" in err
        assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    else:
        assert err.splitlines() == [
            f"sixparty: interrupted by SIGINT: nothing was written ({out}/ was not created)"
        ]
    assert [p.name for p in tmp_path.iterdir()] == (["figs"] if existing else [])


@pytest.mark.parametrize("existing", [False, True])
def test_plot_on_a_full_disk_names_the_folder_and_leaves_nothing(
    capsys, tmp_path, monkeypatch, plain_run, existing
):
    out = tmp_path / "figs"
    if existing:
        out.mkdir()
    _half_drawn_png_then(monkeypatch, _disk_full)
    code, _, err = run_main(capsys, "plot", plain_run, "--out", out)
    assert code == 2
    assert f"cannot write {out}: no space left on device" in err
    assert [p.name for p in tmp_path.iterdir()] == (["figs"] if existing else [])
    if existing:
        assert list(out.iterdir()) == []


def test_plot_adds_figures_beside_the_run_files(capsys, tmp_path, plain_run):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(plain_run, run)
    before = sorted(p.name for p in run.iterdir())
    assert run_main(capsys, "plot", run, "--format", "svg")[0] == 0
    after = sorted(p.name for p in run.iterdir())
    assert set(before) < set(after) and "timeline.svg" in after
    assert not [n for n in after if n.startswith(".")]  # no staging folder left


def test_plot_of_an_ensemble_folder_says_what_it_is_and_how_to_get_a_run(
    capsys, tmp_path, scenario_file
):
    ens = tmp_path / "ens"
    argv = ["run", scenario_file, "--runs", "2", "--out", ens, "--no-plots", "--quiet"]
    assert run_main(capsys, *argv)[0] == 0
    code, _, err = run_main(capsys, "plot", ens)
    assert code == 2
    assert f"{ens} is an ensemble folder (written by 'sixparty run --runs N')" in err
    assert "needs a single run's folder" in err
    assert f"sixparty run --seed-of {ens} 0 (it writes {ens}-replicate0)" in err
    # the command it names gives a folder plot draws
    rerun = ["run", "--seed-of", ens, "0", "--no-plots", "--quiet"]
    assert run_main(capsys, *rerun)[0] == 0
    assert run_main(capsys, "plot", f"{ens}-replicate0")[0] == 0
