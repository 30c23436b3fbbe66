"""Bad input and damaged files give a clear message and exit 2, never a traceback.

Covers: output paths that are files or unwritable (the message names the
path the user gave, not a staging folder), the replacement of a previous
output folder as a whole, binary scenario files, damaged run folders read by
``sixparty plot`` (missing files, checksums, columns, numbers), option ranges
(--port, --seed), --narrate with --runs, and the wording of printed output.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from sixparty.cli import main


def run_main(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    return code, out, err


@pytest.fixture(scope="module")
def minimal_result():
    from conftest import dump_yaml, minimal_scenario_dict
    from sixparty.loader import load_scenario_text
    from sixparty.runner import simulate

    return simulate(load_scenario_text(dump_yaml(minimal_scenario_dict())), seed=5)


@pytest.fixture(scope="module")
def good_run(minimal_result, tmp_path_factory) -> Path:
    from sixparty.outputs import write_run

    d = tmp_path_factory.mktemp("good") / "run"
    write_run(minimal_result, d)
    return d


@pytest.fixture
def run_copy(good_run, tmp_path) -> Path:
    d = tmp_path / "run"
    shutil.copytree(good_run, d)
    return d


# ------------------------------------------------------- output is a file
@pytest.mark.parametrize("extra", [[], ["--runs", "3"]])
def test_run_out_is_a_file(capsys, tmp_path, scenario_file, extra):
    f = tmp_path / "FILE"
    f.write_text("mine")
    code, _, err = run_main(capsys, "run", scenario_file, "--out", f, "--no-plots", *extra)
    assert code == 2
    assert f"cannot write {f}: it is a file, not a folder" in err
    assert f.read_text() == "mine"


def test_compare_out_is_a_file(capsys, tmp_path):
    f = tmp_path / "FILE"
    f.write_text("mine")
    code, _, err = run_main(
        capsys,
        "compare",
        "historical",
        "no_bda_sanctions",
        "--runs",
        "3",
        "--out",
        f,
        "--no-plots",
        "--quiet",
    )
    assert code == 2
    assert f"cannot write {f}: it is a file, not a folder" in err


def test_write_atomically_out_is_a_file(tmp_path):
    from sixparty.outputs import OutputError, write_atomically

    f = tmp_path / "FILE"
    f.write_text("mine")
    with pytest.raises(OutputError, match="it is a file, not a folder"):
        write_atomically(f, {"a.csv": "x\n"}, manifest={})
    assert f.read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["FILE"]


def test_out_below_a_file(tmp_path):
    from sixparty.outputs import OutputError, write_atomically

    (tmp_path / "FILE").write_text("mine")
    with pytest.raises(OutputError, match="FILE is a file, not a folder"):
        write_atomically(tmp_path / "FILE" / "sub", {"a.csv": "x\n"})


# ------------------------------------------- write failures name the target
@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_unwritable_out_names_the_target_not_the_staging_folder(capsys, scenario_file):
    code, _, err = run_main(capsys, "run", scenario_file, "--out", "/proc/x", "--no-plots")
    assert code == 2
    assert "cannot write /proc/x:" in err
    assert "/proc/.x." not in err


def test_write_error_message_names_the_target(tmp_path):
    from sixparty.outputs import OutputError, write_atomically

    def full(stage):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(stage / "big.png"))

    out = tmp_path / "out"
    with pytest.raises(OutputError) as info:
        write_atomically(out, {"a.csv": "x\n"}, [full], manifest={})
    msg = str(info.value)
    assert msg.startswith(f"cannot write {out}: no space left on device")
    assert ".out." not in msg
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_write_error_through_cli(capsys, tmp_path, scenario_file, monkeypatch):
    from sixparty import runner

    def full(args):
        def write(result, stage):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(stage / "x.png"))

        return [write]

    monkeypatch.setattr(runner, "_extra_writers", full)
    out = tmp_path / "out"
    code, _, err = run_main(capsys, "run", scenario_file, "--out", out)
    assert code == 2
    assert f"sixparty: error: cannot write {out}: no space left on device" in err
    assert list(tmp_path.iterdir()) == [scenario_file]


def test_schema_out_is_a_folder(capsys, tmp_path):
    code, _, err = run_main(capsys, "schema", "--out", tmp_path)
    assert code == 2
    assert f"cannot write {tmp_path}: it is a folder, not a file" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_schema_out_unwritable_names_the_file(capsys):
    code, _, err = run_main(capsys, "schema", "--out", "/proc/schema.json")
    assert code == 2
    assert "cannot write /proc/schema.json:" in err and ".schema.json." not in err


def test_schema_out_has_normal_permissions(capsys, tmp_path):
    old = os.umask(0o022)
    try:
        code, _, _ = run_main(capsys, "schema", "--out", tmp_path / "s.json")
    finally:
        os.umask(old)
    assert code == 0
    assert (tmp_path / "s.json").stat().st_mode & 0o777 == 0o644
    json.loads((tmp_path / "s.json").read_text())


def test_run_folder_is_not_private(good_run):
    mask = os.umask(0)
    os.umask(mask)
    assert good_run.stat().st_mode & 0o777 == 0o777 & ~mask


# ------------------------------------------------- re-using an output folder
def _writer(name):
    def write(stage):
        (stage / name).write_text(name)
        return [name]

    return write


def test_previous_output_folder_is_replaced_as_a_whole(tmp_path):
    from sixparty.outputs import write_atomically

    out = tmp_path / "out"
    write_atomically(out, {"data.csv": "seed 1\n"}, [_writer("old.png")], manifest={"seed": 1})
    assert (out / "old.png").is_file()
    names = write_atomically(out, {"data.csv": "seed 2\n"}, manifest={"seed": 2})
    assert sorted(p.name for p in out.iterdir()) == sorted(names) == ["data.csv", "manifest.json"]
    assert (out / "data.csv").read_text() == "seed 2\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging or old folder left


@pytest.mark.parametrize("previous", ["folder", "empty"])
@pytest.mark.parametrize("when", ["before", "after"])
def test_an_interrupt_during_the_swap_leaves_the_folder_as_it_was(
    tmp_path, monkeypatch, previous, when
):
    """A signal handler's KeyboardInterrupt just before or just after the rename that puts
    the new folder in place: the previous folder (or the empty one) is back, whole."""
    from sixparty import outputs

    out = tmp_path / "out"
    if previous == "folder":
        outputs.write_atomically(out, {"data.csv": "seed 1\n"}, manifest={"seed": 1})
    else:
        out.mkdir()
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = os.rename
    fired = []

    def rename(src, dst):
        if Path(dst) == out and not fired:  # the new folder coming in
            fired.append(src)
            if when == "after":
                real(src, dst)
            raise KeyboardInterrupt
        real(src, dst)

    monkeypatch.setattr(outputs.os, "rename", rename)
    with pytest.raises(KeyboardInterrupt):
        outputs.write_atomically(out, {"data.csv": "seed 2\n"}, manifest={"seed": 2})
    monkeypatch.undo()
    assert fired
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging or old folder left


@pytest.mark.parametrize("previous", [False, True])
def test_a_signal_during_the_swap_waits_for_it(tmp_path, monkeypatch, previous):
    """A real SIGINT while the new folder is renamed in is handled once the swap is
    done: the new folder is whole, nothing is left beside it, and the interrupt says
    the folder was written (``written``)."""
    import signal

    from sixparty import outputs

    out = tmp_path / "out"
    if previous:
        outputs.write_atomically(out, {"data.csv": "seed 1\n"}, manifest={"seed": 1})
    real = os.rename
    sent = []

    def rename(src, dst):
        if Path(dst) == out and not sent:
            sent.append(dst)
            os.kill(os.getpid(), signal.SIGINT)  # Python's handler: KeyboardInterrupt
        real(src, dst)

    monkeypatch.setattr(outputs.os, "rename", rename)
    # Python's own handler for the test, whatever an earlier test left installed (seen
    # in the full suite on 3.12); put back afterwards.
    found = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt) as info:
            outputs.write_atomically(out, {"data.csv": "seed 2\n"}, manifest={"seed": 2})
        # the swap restores the handler it found
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, found)
    assert sent and info.value.written == ["data.csv", "manifest.json"]
    assert (out / "data.csv").read_text() == "seed 2\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_rerun_with_no_plots_leaves_no_old_figures(capsys, tmp_path, scenario_file):
    out = tmp_path / "run"
    assert run_main(capsys, "run", scenario_file, "--out", out, "--seed", "1")[0] == 0
    assert list(out.glob("*.png"))
    assert run_main(capsys, "run", scenario_file, "--out", out, "--seed", "2", "--no-plots")[0] == 0
    assert not list(out.glob("*.png"))
    assert json.loads((out / "manifest.json").read_text())["seed"] == 2


def test_a_previous_output_folder_with_your_own_files_is_refused(capsys, tmp_path, scenario_file):
    """Replacing it would delete the notes you put there: refused, exit 2, untouched."""
    out = tmp_path / "run"
    assert run_main(capsys, "run", scenario_file, "--out", out, "--no-plots")[0] == 0
    (out / "NOTES.txt").write_text("precious")
    (out / "extra").mkdir()
    (out / "extra" / "table.csv").write_text("mine")
    before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    code, _, err = run_main(capsys, "run", scenario_file, "--out", out, "--no-plots", "--seed", "2")
    assert code == 2
    assert "also holds files sixparty did not write (NOTES.txt, extra/table.csv)" in err
    assert "move them out of it or choose another --out" in err
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == before
    assert (out / "NOTES.txt").read_text() == "precious"


def test_figures_sixparty_plot_added_do_not_block_a_rerun(capsys, tmp_path, scenario_file):
    out = tmp_path / "run"
    assert run_main(capsys, "run", scenario_file, "--out", out, "--no-plots")[0] == 0
    (out / "timeline.png").write_bytes(b"png")  # as `sixparty plot` adds it (not in the manifest)
    (out / "study.sqlite3").write_bytes(b"db")  # a calibration's study beside its outputs
    assert run_main(capsys, "run", scenario_file, "--out", out, "--no-plots", "--seed", "2")[0] == 0
    assert not (out / "timeline.png").exists()


def test_failed_rewrite_keeps_the_previous_folder(tmp_path):
    from sixparty.outputs import OutputError, write_atomically

    out = tmp_path / "out"
    write_atomically(out, {"data.csv": "seed 1\n"}, manifest={"seed": 1})
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def boom(stage):
        raise OSError("disk full")

    with pytest.raises(OutputError):
        write_atomically(out, {"data.csv": "seed 2\n"}, [boom], manifest={"seed": 2})
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


@pytest.mark.parametrize("manifest", [None, '{"name": "my web app"}', "not json"])
def test_foreign_folder_is_refused_and_untouched(capsys, tmp_path, scenario_file, manifest):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("precious")
    if manifest is not None:
        (mine / "manifest.json").write_text(manifest)
    code, _, err = run_main(capsys, "run", scenario_file, "--out", mine, "--no-plots")
    assert code == 2
    assert (
        f"{mine} exists and is not a sixparty output folder" in err
        and "choose another --out" in err
    )
    assert (mine / "thesis.tex").read_text() == "precious"
    assert len(list(mine.iterdir())) == (1 if manifest is None else 2)


def test_foreign_folder_refused_by_write_atomically(tmp_path):
    from sixparty.outputs import OutputError, write_atomically

    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(OutputError, match="not a sixparty output folder"):
        write_atomically(tmp_path, {"a.csv": "x\n"}, manifest={})
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_empty_existing_folder_is_fine(capsys, tmp_path, scenario_file):
    out = tmp_path / "empty"
    out.mkdir()
    assert run_main(capsys, "run", scenario_file, "--out", out, "--no-plots")[0] == 0
    assert (out / "manifest.json").is_file()


def test_current_folder_is_never_replaced(tmp_path, monkeypatch):
    from sixparty.outputs import OutputError, write_atomically

    out = tmp_path / "out"
    write_atomically(out, {"a.csv": "x\n"}, manifest={})
    monkeypatch.chdir(out)
    with pytest.raises(OutputError, match="current folder"):
        write_atomically(".", {"a.csv": "y\n"}, manifest={})
    assert (out / "a.csv").read_text() == "x\n"


# ------------------------------------------------------ binary YAML files
def test_validate_nul_byte_file(capsys, tmp_path):
    f = tmp_path / "f.yaml"
    f.write_bytes(b"\x00name: x\n")
    code, _, err = run_main(capsys, "validate", f)
    assert code == 2
    assert "f.yaml:1:1:" in err
    assert "not a text YAML file: unacceptable character #x0000 at line 1" in err


def test_control_character_position(tmp_path):
    from sixparty.loader import ScenarioError, load_scenario

    f = tmp_path / "g.yaml"
    f.write_bytes(b"name: x\nab: \x07\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(f)
    p = info.value.problems[0]
    assert (p.line, p.column) == (2, 5) and "#x0007" in p.message


def test_list_shows_binary_file_as_invalid(capsys, tmp_path):
    (tmp_path / "bad.yaml").write_bytes(b"\x00\x01\x02")
    code, out, _ = run_main(capsys, "list", tmp_path)
    assert code == 0
    line = next(ln for ln in out.splitlines() if ln.startswith("bad "))
    assert "(invalid:" in line and "not a text YAML file" in line


@pytest.mark.parametrize(
    "text",
    [
        'a: "\\x\n',  # ScannerError
        "a: [1\n",  # ParserError
        "a: *nowhere\n",  # ComposerError
        "a: 1\n---\nb: 2\n",  # ComposerError (two documents)
        "a: !!int zz\n",  # constructor fails on the value
        "? [a, b]\n: 1\n",  # a key that is not a scalar
        "a: !!binary '@@'\n",  # refused tag
    ],
)
def test_yaml_errors_are_scenario_errors(capsys, tmp_path, text):
    f = tmp_path / "e.yaml"
    f.write_text(text)
    code, _, err = run_main(capsys, "validate", f)
    assert code == 2 and "e.yaml" in err


@pytest.mark.parametrize(
    "make",
    [
        lambda m: yaml.reader.ReaderError(
            "<file>", 3, 0, "utf-8", "special characters are not allowed"
        ),
        lambda m: yaml.scanner.ScannerError("while scanning", m, "bad token", m),
        lambda m: yaml.parser.ParserError("while parsing", m, "expected node", m),
        lambda m: yaml.composer.ComposerError("while composing", m, "bad alias", m),
        lambda m: yaml.constructor.ConstructorError(None, None, "cannot construct", m),
        lambda m: yaml.YAMLError("something else"),
    ],
    ids=["reader", "scanner", "parser", "composer", "constructor", "plain"],
)
def test_every_yaml_error_class_is_caught(tmp_path, monkeypatch, make):
    from sixparty.loader import ScenarioError, load_scenario

    mark = yaml.Mark("<file>", 0, 1, 2, None, None)

    def fail(self):
        raise make(mark)

    monkeypatch.setattr(yaml.SafeLoader, "get_single_node", fail)
    f = tmp_path / "s.yaml"
    f.write_text("name: x\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(f)
    assert info.value.problems[0].file.endswith("s.yaml")


# ------------------------------------------------- damaged run folders
def _plot(capsys, run_dir, tmp_path):
    code, _, err = run_main(capsys, "plot", run_dir, "--out", tmp_path / "figs")
    assert not list((tmp_path / "figs").glob("*.png")) if (tmp_path / "figs").exists() else True
    return code, err


def test_good_run_folder_reads(good_run):
    from sixparty.analysis.runfiles import read_run
    from sixparty.scenario import ISSUES

    t = read_run(good_run)
    assert len(t.positions) == len(t.timeline) * 6 * len(ISSUES)
    assert len(t.trust) == len(t.timeline) * 30


def test_garbage_ledger(capsys, run_copy, tmp_path):
    (run_copy / "ledger.csv").write_text("hello,world\n1,2\n")
    code, err = _plot(capsys, run_copy, tmp_path)
    assert code == 2
    assert f"{run_copy / 'ledger.csv'} is damaged: missing column 'step_id'" in err


def test_ledger_without_kind(capsys, run_copy, tmp_path):
    p = run_copy / "ledger.csv"
    lines = p.read_text().splitlines()
    lines[0] = lines[0].replace(",kind,", ",sort,")
    p.write_text("\n".join(lines) + "\n")
    code, err = _plot(capsys, run_copy, tmp_path)
    assert code == 2 and f"{p} is damaged: missing column 'kind'" in err


@pytest.mark.parametrize(
    "name", ["positions.csv", "trust.csv", "drafts.csv", "ledger.csv", "decisions.csv"]
)
def test_deleted_table(capsys, run_copy, tmp_path, name):
    (run_copy / name).unlink()
    code, err = _plot(capsys, run_copy, tmp_path)
    assert code == 2 and f"{run_copy / name} is missing" in err


def test_truncated_positions(capsys, run_copy, tmp_path):
    p = run_copy / "positions.csv"
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    code, err = _plot(capsys, run_copy, tmp_path)
    assert code == 2 and f"{p} is damaged" in err and "cut short" in err


def test_positions_cut_at_a_line_end_is_caught_by_the_count(run_copy):
    from sixparty.analysis.runfiles import DamagedRunFolder, read_run

    p = run_copy / "positions.csv"
    lines = p.read_text().splitlines(keepends=True)
    p.write_text("".join(lines[: len(lines) // 2]))
    with pytest.raises(DamagedRunFolder, match="positions.csv is damaged: .* rows, expected"):
        read_run(run_copy, verify=False)
    with pytest.raises(DamagedRunFolder):
        read_run(run_copy)


def test_non_number_in_trust(capsys, run_copy, tmp_path):
    p = run_copy / "trust.csv"
    lines = p.read_text().splitlines()
    cells = lines[4].split(",")
    cells[-1] = "abc"
    lines[4] = ",".join(cells)
    p.write_text("\n".join(lines) + "\n")
    code, err = _plot(capsys, run_copy, tmp_path)
    assert code == 2
    assert f"{p} is damaged: line 5, column 'trust': expected a number, got 'abc'" in err


def test_changed_table_checksum(capsys, run_copy, tmp_path):
    p = run_copy / "trust.csv"
    lines = p.read_text().splitlines()
    cells = lines[1].split(",")
    cells[-1] = "0.999999" if cells[-1] != "0.999999" else "0.000001"
    lines[1] = ",".join(cells)
    p.write_text("\n".join(lines) + "\n")
    code, err = _plot(capsys, run_copy, tmp_path)
    assert code == 2
    assert f"{p} has changed since the run (checksum mismatch" in err


def test_missing_or_damaged_manifest(capsys, run_copy, tmp_path):
    m = run_copy / "manifest.json"
    m.write_text("{")
    code, err = _plot(capsys, run_copy, tmp_path)
    assert code == 2 and f"{m} is damaged" in err
    m.unlink()
    code, err = _plot(capsys, run_copy, tmp_path)
    assert code == 2 and f"{m} is missing" in err


def test_binary_table(capsys, run_copy, tmp_path):
    (run_copy / "drafts.csv").write_bytes(b"\xff\xfe\x00garbage")
    code, err = _plot(capsys, run_copy, tmp_path)
    assert code == 2 and "drafts.csv is damaged: not UTF-8 text" in err


def test_bad_month_and_boolean(run_copy):
    from sixparty.analysis.runfiles import DamagedRunFolder, read_run

    p = run_copy / "sessions.csv"
    text = p.read_text()
    lines = text.splitlines()
    cells = lines[1].split(",")
    cells[5] = "maybe"  # held
    lines[1] = ",".join(cells)
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(
        DamagedRunFolder, match="column 'held': expected true or false, got 'maybe'"
    ):
        read_run(run_copy, verify=False)
    p.write_text(text)
    t = run_copy / "timeline.csv"
    t.write_text(t.read_text().replace("2003-09", "Sept 2003", 1))
    with pytest.raises(DamagedRunFolder, match="column 'month': expected a month YYYY-MM"):
        read_run(run_copy, verify=False)


def test_figures_may_be_redrawn_without_a_checksum_error(capsys, run_copy, tmp_path):
    """Only the data tables are checked: figures listed in the manifest may change."""
    from sixparty.analysis.runfiles import read_run

    (run_copy / "timeline.png").write_bytes(b"redrawn")
    meta = json.loads((run_copy / "manifest.json").read_text())
    meta["files"]["timeline.png"] = hashlib.sha256(b"original").hexdigest()
    (run_copy / "manifest.json").write_text(json.dumps(meta))
    read_run(run_copy)


# ------------------------------------------------------------ option ranges
@pytest.mark.parametrize("port", ["99999", "0", "65536", "-1", "http"])
def test_dashboard_port_range(capsys, port):
    code, _, err = run_main(capsys, "dashboard", "--port", port)
    assert code == 2 and "port must be 1-65535" in err


def test_dashboard_port_checked_for_direct_callers():
    from sixparty.cli import CLIError
    from sixparty.dashboard import cli_dashboard, missing_modules

    if missing_modules():
        pytest.skip("dashboard extra not installed")
    with pytest.raises(CLIError, match="port must be 1-65535"):
        cli_dashboard(
            SimpleNamespace(scenario="historical", port=99999, host="127.0.0.1", seat=None)
        )


@pytest.mark.parametrize("command", [["run"], ["compare", "historical", "no_bda_sanctions"]])
def test_seed_range_on_the_command_line(capsys, command):
    code, _, err = run_main(capsys, *command, "--seed", "99999999999999999999999999")
    assert code == 2 and "2**63-1" in err
    code, _, err = run_main(capsys, *command, "--seed", str(2**63))
    assert code == 2


def test_largest_seed_is_accepted():
    from sixparty.cli import build_parser

    args = build_parser().parse_args(["run", "--seed", str(2**63 - 1)])
    assert args.seed == 2**63 - 1


def test_narrate_with_runs_is_refused(capsys, tmp_path, scenario_file):
    out = tmp_path / "ens"
    code, _, err = run_main(capsys, "run", scenario_file, "--runs", "3", "--narrate", "--out", out)
    assert code == 2 and "--narrate tells a single run" in err
    assert not out.exists()


def test_narrate_help_says_single_run(capsys):
    code, out, _ = run_main(capsys, "run", "--help")
    assert code == 0 and "single run" in " ".join(out.split())


# ------------------------------------------------------------------- wording
def _fake_result(status="no_talks"):
    sessions = []
    for i, doc in enumerate(
        ["none", "oral_summary", "chairmans_statement", "joint_statement", "joint_document"]
    ):
        sessions.append(
            {
                "round": i + 1,
                "phase": 1,
                "month": f"2004-0{i + 1}",
                "held": True,
                "declined": "",
                "iterations": 3,
                "document": doc,
                "recess": False,
                "adopted_phase": "",
            }
        )
    timeline = [
        {
            "month": "2004-06",
            "talks_status": status,
            "progress": 0.1,
            "aid_delivered_t": 0.0,
            "aid_pledged_t": 0.0,
            "mean_trust": 0.3,
        }
    ]
    sc = SimpleNamespace(
        title="T", name="t", window=SimpleNamespace(start="2004-01", end="2004-06")
    )
    return SimpleNamespace(
        scenario=sc,
        seed=1,
        anchoring_mode="anchored",
        sessions=sessions,
        decisions=[],
        timeline=timeline,
    )


def test_summary_uses_document_display_names():
    from sixparty.runner import summary_lines

    text = "\n".join(summary_lines(_fake_result()))
    for name in (
        "no document",
        "oral summary",
        "chairman's statement",
        "joint statement",
        "joint document",
    ):
        assert name in text
    assert "chairmans" not in text and " none" not in text


@pytest.mark.parametrize(
    "status", ["no_talks", "in_session", "recess", "boycott", "suspended", "walked_out"]
)
def test_summary_end_line_reads_as_english(status):
    from sixparty.runner import summary_lines

    end = summary_lines(_fake_result(status))[-1]
    assert "talks no talks" not in end and "talks walked out" not in end and "_" not in end
    if status == "no_talks":  # sessions were held (2004-01..05): the talks go on
        assert "no session this month (the talks go on; last session 2004-05)" in end
        assert "no talks under way" not in end


def test_summary_end_line_before_any_session():
    from sixparty.runner import summary_lines

    result = _fake_result("no_talks")
    result.sessions.clear()
    assert "End of 2004-06: no session this month, denuc" in summary_lines(result)[-1]


def test_plural():
    from sixparty.runner import plural

    assert (plural(1, "file"), plural(9, "file"), plural(0, "draft")) == (
        "1 file",
        "9 files",
        "0 drafts",
    )


def test_dashboard_install_hint_works_from_a_clone(capsys, monkeypatch):
    from sixparty import dashboard

    monkeypatch.setattr(dashboard, "missing_modules", lambda: ["solara"])
    code, _, err = run_main(capsys, "dashboard")
    assert code == 2
    assert "pip install -e '.[dashboard]'" in err and "pip install 'sixparty[dashboard]'" in err


@pytest.mark.parametrize("host", ["0.0.0.0", "::"])
def test_dashboard_wildcard_host_gives_a_reachable_address(host):
    from sixparty.dashboard import open_hint

    hint = open_hint(host, 8765)
    assert "0.0.0.0" not in hint and "http://[::]" not in hint
    assert ("127.0.0.1:8765" in hint) or ("[::1]:8765" in hint)


def test_dashboard_loopback_hint_unchanged():
    from sixparty.dashboard import open_hint

    assert open_hint("127.0.0.1", 8765) == "open http://127.0.0.1:8765/"


# ---------------------------------------------------------------------- docs
def test_outputs_doc_lists_every_target_and_the_replacement_rule():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "outputs.md").read_text(encoding="utf-8")
    target = next(ln for ln in doc.splitlines() if ln.startswith("| `target`"))
    for value in ("joint_statement", "joint_document", "chairmans_statement", "none"):
        assert f"`{value}`" in target
    assert "replaced as a whole" in doc and "not a sixparty output folder" in doc
    assert "checksum" in doc
