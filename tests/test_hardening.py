"""Hardening: hostile or mistaken input gets a clear refusal (exit 2), never a crash,
a silently changed number, a file's content echoed, or a half-written file.

Sections: the YAML reader (YAML 1.2 numbers, depth, alias cap, files that are not
scenarios), the schema (non-finite numbers, every out-of-window event at once),
run folders (months in order), the CLI (broken pipe, unwritable --out), the
dashboard's scenario picker and its clean-up (no browser here; the browser
check is in test_dashboard_browser.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sixparty import loader, shipped
from sixparty.cli import main
from sixparty.loader import ScenarioError, load_scenario, load_scenario_text
from sixparty.scenario import ISSUES

CANARY = "zq-canary-7731"  # a word that must never appear in any message


def _problems(text: str, tmp_path: Path, name: str = "s.yaml") -> list[loader.Problem]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value.problems


def _variant(tmp_path: Path, body: str, name: str = "v.yaml") -> Path:
    path = tmp_path / name
    path.write_text("extends: historical\n" + body, encoding="utf-8")
    return path


# ------------------------------------------------------- YAML 1.2 numbers
@pytest.mark.parametrize("written, value", [("42", 42), ("1e3", 1000), ("0x1F", 31), ("0o17", 15)])
def test_numbers_read_as_yaml_1_2(tmp_path, written, value):
    assert load_scenario(_variant(tmp_path, f"seed: {written}\n")).seed == value


@pytest.mark.parametrize("written, octal", [("0042", "34"), ("010", "8"), ("-07", None)])
def test_a_leading_zero_is_refused_with_the_fix(tmp_path, written, octal):
    field = "parameters:\n  max_iterations" if written == "010" else "seed"
    path = _variant(tmp_path, f"{field}: {written}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (p,) = info.value.problems
    assert p.line == (3 if written == "010" else 2)
    assert f"write {int(written)}, or quote it" in p.message
    if octal:
        assert f"octal number {octal}" in p.message


def test_quoted_leading_zero_is_text(tmp_path):
    assert load_scenario(_variant(tmp_path, "title: '0042'\n")).title == "0042"


def test_sexagesimal_is_text_not_base_60(tmp_path):
    path = _variant(tmp_path, "seed: 1:30\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (p,) = info.value.problems
    assert p.path == "seed" and "'1:30'" in p.message and "base-60" in p.message


@pytest.mark.parametrize("word", ["no", "off", "yes", "on", "n", "y"])
def test_only_true_and_false_are_booleans(tmp_path, word):
    s = load_scenario(_variant(tmp_path, f"title: {word}\n"))
    assert s.title == word  # YAML 1.1 would have made it a boolean and refused it


def test_a_boolean_where_text_is_expected_says_to_quote(tmp_path):
    (p,) = _problems("extends: historical\ntitle: true\n", tmp_path)
    assert "expected text, got true (put it in quotes)" in p.message


@pytest.mark.parametrize(
    "body, path, line, message",
    [
        ("seed: true\n", "seed", 2, "seed: expected a whole number, not a yes/no value, got true"),
        ("seed: false\n", "seed", 2, "expected a whole number, not a yes/no value, got false"),
        (
            "overrides:\n  parameters.max_iterations: true\n",
            "parameters.max_iterations",
            3,
            "expected a whole number, not a yes/no value, got true",
        ),
        (
            "overrides:\n  phases[0].months: false\n",
            "phases[0].months",
            3,
            "expected a whole number, not a yes/no value, got false",
        ),
        (
            "overrides:\n  phases[0].aid_tonnes: true\n",
            "phases[0].aid_tonnes",
            3,
            "expected a number, not a yes/no value, got true",
        ),
        (
            "seed: '42'\n",
            "seed",
            2,
            "expected a whole number, not text, got '42'; write 42 as a plain number (no quotes)",
        ),
        (
            "overrides:\n  parameters.noise: '0.1'\n",
            "parameters.noise",
            3,
            "expected a number, not text, got '0.1'; write 0.1 as a plain number (no quotes)",
        ),
        (
            'parameters:\n  chair_patience: "4"\n',
            "parameters.chair_patience",
            3,
            "expected a whole number, not text, got '4'; write 4 as a plain number (no quotes)",
        ),
        ("seed: '2.5'\n", "seed", 2, "expected a whole number, got '2.5'"),
        ("seed: abc\n", "seed", 2, "expected a whole number, got 'abc'"),
    ],
)
def test_true_false_and_quoted_text_are_not_numbers(tmp_path, body, path, line, message):
    """``seed: true`` ran with seed 1 and ``seed: '42'`` with 42 (pydantic's lax mode),
    while ``noise: true`` was refused: every number field refuses both now."""
    (p,) = _problems("extends: historical\n" + body, tmp_path)
    assert (p.path, p.line) == (path, line)
    assert p.message == message.removeprefix(f"{path}: ")


def _strategy_event(value: str, party: str = "DPRK", field: str = "simultaneity") -> str:
    return (
        "add_events:\n  - id: switch\n    date: 2005-01\n    type: diplomatic\n"
        "    title: t\n    source: {note: test}\n    effects:\n      - kind: strategy\n"
        f"        party: {party}\n        field: {field}\n        value: {value}\n"
    )


@pytest.mark.parametrize(
    "value, party, field, message",
    [
        (
            "'0.5'",
            "DPRK",
            "simultaneity",
            "not text, got '0.5'; write 0.5 as a plain number (no quotes)",
        ),
        ("true", "DPRK", "simultaneity", "expected a number, not a yes/no value, got true"),
        ("1.5", "DPRK", "simultaneity", "expected a number in [0, 1] for simultaneity, got 1.5"),
        ("'true'", "DPRK", "sanctions_linkage", "expected true or false for sanctions_linkage"),
        ("acept", "US", "direct_talks", "expected one of refuse, within_multilateral, accept"),
    ],
)
def test_a_strategy_value_is_checked_when_loaded(tmp_path, value, party, field, message):
    """The model assigns a strategy effect's value in its month: a value its field refuses
    is refused when the file is loaded, with its line, not in the middle of a run."""
    (p,) = _problems("extends: historical\n" + _strategy_event(value, party, field), tmp_path)
    assert p.path == "add_events[0].effects[0].value" and p.line == 12
    assert message in p.message


def test_a_good_strategy_value_loads(tmp_path):
    s = load_scenario(_variant(tmp_path, _strategy_event("0.3")))
    (ev,) = [e for e in s.events if e.id == "switch"]
    assert ev.effects[0].value == 0.3


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", ".NaN"])
def test_non_finite_numbers_are_refused(tmp_path, value):
    path = _variant(tmp_path, f"overrides:\n  phases[0].aid_tonnes: {value}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (p,) = info.value.problems
    assert p.path == "phases[0].aid_tonnes" and p.line == 3
    assert "expected a finite number" in p.message and ".inf and .nan are not allowed" in p.message


def test_non_finite_parameter_is_refused(tmp_path):
    (p,) = _problems("extends: historical\nparameters:\n  trust_prior_strength: .inf\n", tmp_path)
    assert p.path == "parameters.trust_prior_strength" and "finite" in p.message


# ------------------------------------------------------------ depth, aliases
def test_deep_nesting_is_refused_before_the_parser_overflows(tmp_path, capsys):
    path = tmp_path / "deep.yaml"
    path.write_text("extends: historical\nx: " + "[" * 500 + "]" * 500 + "\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "nested too deeply" in err and f"{path.name}:2:" in err.replace(str(path), path.name)
    assert "Traceback" not in err and "RecursionError" not in err
    block = "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "v: 1\n"
    (p,) = _problems("name: x\n" + block, tmp_path, "block.yaml")
    assert "nested too deeply" in p.message and p.line is not None


def test_shipped_alias_cap_stays_small():
    # A cap far above its shipped value lets a few-line alias bomb eat the machine.
    assert 10_000 <= loader.MAX_NODES <= 1_000_000


def test_alias_bomb_is_refused_quickly(tmp_path):
    lines = ["name: x", "a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    for i in range(1, 9):  # 10**9 values once expanded
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    (p,) = _problems("\n".join(lines) + "\n", tmp_path)
    assert "too many values" in p.message and str(loader.MAX_NODES) in p.message


# ------------------------------------------- files that are not scenarios
def test_extends_a_non_yaml_file_never_shows_its_lines(tmp_path, capsys):
    secret = tmp_path / "secrets.txt"
    secret.write_text(f"root:{CANARY}:19000:0:99999:7:::\n{CANARY}: 1\n", encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {secret}\n", encoding="utf-8")
    assert main(["validate", str(child)]) == 2
    err = capsys.readouterr().err
    assert CANARY not in err and "is not a scenario file" in err and ":1:10:" in err


def test_extends_a_yaml_file_that_is_not_a_scenario(tmp_path, capsys):
    other = tmp_path / "config.yaml"
    other.write_text(f"{CANARY}: 1\npassword: {CANARY}\n", encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text("extends: config.yaml\n", encoding="utf-8")
    assert main(["validate", str(child)]) == 2
    err = capsys.readouterr().err
    assert CANARY not in err and "not a scenario file" in err and "config.yaml:1:1" in err


@pytest.mark.parametrize(
    "text",
    [
        f"root:*:{CANARY}:0:99999:7:::\n{CANARY}:*:1:0:99999:7:::\n",  # /etc/shadow read as YAML
        f"- {CANARY}\n- *{CANARY}\n",  # undefined alias: PyYAML quotes its name
        f"{CANARY}: &{CANARY} 1\nb: &{CANARY} 2\nc: *nope{CANARY}\n",
        f"{CANARY}: [1, 2\n",  # unclosed list
        f"!{CANARY} x: 1\n",
    ],
)
def test_parse_failures_never_echo_the_text(tmp_path, capsys, text):
    path = tmp_path / "shadow"
    path.write_text(text, encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert CANARY not in err and "Traceback" not in err
    assert err.startswith(f"{path}:")


def test_a_scenario_with_typos_still_names_the_bad_keys(tmp_path):
    problems = _problems("extends: historical\nseeed: 3\n", tmp_path)
    assert any(p.suggestion == "seed" for p in problems)


# --------------------------------------------------------------- the schema
def test_every_out_of_window_event_is_reported_at_once(tmp_path):
    events = "".join(
        f"  - {{id: out_{i}, date: {d}, type: other, title: t, effects: [], source: {{note: x}}}}\n"
        for i, d in enumerate(["1999-01-01", "2001-05-01", "2040-05-01"])
    )
    problems = _problems("extends: historical\nadd_events:\n" + events, tmp_path)
    dates = [p for p in problems if p.path.endswith(".date")]
    assert len(dates) == 3
    assert [p.line for p in dates] == [3, 4, 5]
    assert all("outside the scenario window" in p.message for p in dates)


def test_scenario_text_round_trip_still_validates():
    text = (Path(shipped._scenarios_root()) / "historical.yaml").read_text(encoding="utf-8")
    assert load_scenario_text(text, "historical.yaml").name == "historical"


# --------------------------------------------------------------------- CLI
def test_broken_pipe_is_quiet_and_exits_0():
    proc = subprocess.Popen(
        [sys.executable, "-m", "sixparty", "show", "historical"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # the reader is gone before the first line is written (`| head -0`)
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, err
    assert err == ""


def _read_only(monkeypatch, folder: Path) -> None:
    """Make ``folder`` behave as a read-only file system for the write check (root ignores modes)."""
    import errno
    import tempfile

    real = tempfile.mkdtemp

    def mkdtemp(*args, dir=None, **kwargs):
        if dir is not None and Path(dir).resolve() == folder.resolve():
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)


def test_read_only_out_is_refused_before_the_simulation(tmp_path, monkeypatch, capsys):
    import sixparty.runner

    ro = tmp_path / "ro"
    ro.mkdir()
    _read_only(monkeypatch, ro)
    ran = []
    monkeypatch.setattr(sixparty.runner, "cli_run", lambda args: ran.append(args) or 0)
    assert main(["run", "historical", "--out", str(ro / "new" / "run"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "is not writable (read-only file system)" in err and str(ro) in err
    assert ran == [] and list(ro.iterdir()) == []
    # a writable place passes the check and leaves nothing behind
    ok = tmp_path / "ok"
    ok.mkdir()
    assert main(["run", "historical", "--out", str(ok / "run"), "--quiet"]) == 0
    assert len(ran) == 1 and list(ok.iterdir()) == []


def test_out_on_a_virtual_file_system_gives_the_true_reason(tmp_path, monkeypatch, capsys):
    """/proc exists yet creating in it fails with ENOENT: the message says it is a
    virtual file system, not the self-contradicting "not writable (no such file)"."""
    import errno
    import tempfile

    import sixparty.cli
    import sixparty.runner

    virtual = tmp_path / "virtual"
    virtual.mkdir()
    real = tempfile.mkdtemp

    def mkdtemp(*args, dir=None, **kwargs):
        if dir is not None and Path(dir).resolve() == virtual.resolve():
            raise OSError(errno.ENOENT, os.strerror(errno.ENOENT))
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    monkeypatch.setattr(sixparty.cli, "_file_system_type", lambda folder: "proc")
    monkeypatch.setattr(sixparty.runner, "cli_run", lambda args: pytest.fail("ran"))
    assert main(["run", "historical", "--out", str(virtual / "sixp"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{virtual} is on a proc file system, where no files or folders can be created" in err
    assert "not writable" not in err


def test_file_system_type_reads_the_mounts() -> None:
    from sixparty.cli import _file_system_type

    if not Path("/proc/self/mounts").is_file():
        pytest.skip("no /proc/self/mounts here")
    assert _file_system_type(Path("/proc")) == "proc"
    assert _file_system_type(Path("/")) is not None


def test_plot_into_a_read_only_folder_is_refused_first(tmp_path, monkeypatch, capsys):
    import sixparty.analysis.plots

    ro = tmp_path / "figs"
    ro.mkdir()
    _read_only(monkeypatch, ro)
    monkeypatch.setattr(sixparty.analysis.plots, "cli_plot", lambda args: pytest.fail("plotted"))
    assert main(["plot", str(tmp_path), "--out", str(ro)]) == 2
    assert "is not writable" in capsys.readouterr().err


# --------------------------------------------------------------- run folders
@pytest.fixture(scope="module")
def signed_run(tmp_path_factory) -> Path:
    from conftest import dump_yaml, minimal_scenario_dict
    from sixparty.outputs import write_run
    from sixparty.runner import simulate

    scenario = load_scenario_text(dump_yaml(minimal_scenario_dict()), "minimal.yaml")
    d = tmp_path_factory.mktemp("runs") / "run"
    write_run(simulate(scenario, seed=3), d)
    return d


def _resign(run: Path, name: str, lines: list[str]) -> None:
    """Rewrite ``name`` and its checksum in the manifest (a folder 're-signed' after editing)."""
    import hashlib
    import json

    data = ("\n".join(lines) + "\n").encode()
    (run / name).write_bytes(data)
    meta = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    meta["files"][name] = hashlib.sha256(data).hexdigest()
    (run / "manifest.json").write_text(json.dumps(meta), encoding="utf-8")


def _copy(run: Path, tmp_path: Path) -> Path:
    import shutil

    d = tmp_path / "run"
    shutil.copytree(run, d)
    return d


@pytest.mark.parametrize("how", ["reversed", "duplicated"])
def test_plot_refuses_months_out_of_order(signed_run, tmp_path, capsys, how):
    from sixparty.analysis.runfiles import DamagedRunFolder, read_run

    run = _copy(signed_run, tmp_path)
    header, *rows = (run / "timeline.csv").read_text(encoding="utf-8").splitlines()
    if how == "reversed":
        rows = rows[::-1]
    else:
        rows[1] = rows[0]
    _resign(run, "timeline.csv", [header, *rows])
    with pytest.raises(
        DamagedRunFolder,
        match=r"timeline.csv is damaged: line 3, month .* does not "
        r"come after .*strictly increasing",
    ):
        read_run(run)
    figs = tmp_path / "figs"
    assert main(["plot", str(run), "--out", str(figs)]) == 2
    assert "strictly increasing" in capsys.readouterr().err
    assert not figs.exists() or not any(figs.iterdir())


def test_plot_refuses_positions_shuffled_between_months(signed_run, tmp_path):
    from sixparty.analysis.runfiles import DamagedRunFolder, read_run

    run = _copy(signed_run, tmp_path)
    header, *rows = (run / "positions.csv").read_text(encoding="utf-8").splitlines()
    n = 6 * len(ISSUES)  # one month's rows
    _resign(run, "positions.csv", [header, *rows[n : 2 * n], *rows[:n], *rows[2 * n :]])
    with pytest.raises(DamagedRunFolder, match=r"positions.csv is damaged: line 2, month"):
        read_run(run)


def test_a_good_run_folder_still_reads(signed_run):
    from sixparty.analysis.runfiles import read_run

    t = read_run(signed_run)
    assert list(t.timeline["month"]) == sorted(set(t.timeline["month"]))


# ----------------------------------------------------------------- dashboard
@pytest.fixture(scope="module")
def app():
    pytest.importorskip("solara")
    import sixparty.app as app

    return app


class FakeKernel:
    """What the dashboard uses of a Solara virtual kernel: page status, close event and hook."""

    def __init__(self, connected: bool = True):
        from solara.server.kernel_context import PageStatus

        self.page_status = {
            "page-1": PageStatus.CONNECTED if connected else PageStatus.DISCONNECTED
        }
        self.closed_event = __import__("threading").Event()
        self._on_close: list = []

    def on_close(self, f):
        self._on_close.append(f)

    def connect(self):
        from solara.server.kernel_context import PageStatus

        self.page_status["page-1"] = PageStatus.CONNECTED

    def close(self):
        for f in self._on_close:
            f()
        self.closed_event.set()


@pytest.mark.parametrize(
    "sent",
    [
        "/etc/shadow",
        "../../../../etc/passwd",
        "historical.yaml",
        "counterfactuals/../../../x",
        "",
        None,
        42,
    ],
)
def test_dashboard_loads_only_offered_scenarios(app, sent):
    m = app.ClassroomModel(scenario=sent)
    try:
        assert m.problem is not None and "is not one this dashboard offers" in m.problem
        assert m.scenario_name == app.STARTUP_SCENARIO
        assert "root:" not in m.problem
    finally:
        m.retire()


def test_dashboard_offers_the_teachers_folder_and_nothing_else(app, tmp_path):
    (tmp_path / "class").mkdir()
    start = tmp_path / "class" / "mine.yaml"
    start.write_text("extends: historical\nname: mine\n", encoding="utf-8")
    (tmp_path / "class" / "other.yml").write_text(
        "extends: historical\nname: other\n", encoding="utf-8"
    )
    (tmp_path / "class" / "notes.txt").write_text("extends: historical\n", encoding="utf-8")
    (tmp_path / "class" / "sub").mkdir()
    (tmp_path / "class" / "sub" / "deep.yaml").write_text("extends: historical\n", encoding="utf-8")
    (tmp_path / "secret.yaml").write_text("extends: historical\n", encoding="utf-8")
    name, offered = app._offered_files(str(start))
    assert name == "class/mine.yaml" and offered[name] == start.resolve()
    mine = {n for n in offered if n.startswith("class/")}
    assert mine == {"class/mine.yaml", "class/other.yml"}
    assert "historical" in offered and all(n.count("/") <= 1 for n in offered)


def test_dashboard_refuses_parameters_out_of_range(app):
    m = app.ClassroomModel(scenario="historical", noise=float("nan"), concession_rate=7.0)
    try:
        assert "parameters not used" in m.problem and "noise" in m.problem
        assert m.spec.parameters.noise == load_scenario("historical").parameters.noise
    finally:
        m.retire()


def test_dashboard_retires_the_models_of_a_closed_session(app, monkeypatch):
    from sixparty._mesa_compat import live_models

    kernel = FakeKernel()
    monkeypatch.setattr(app, "_current_kernel", lambda: kernel)
    before = live_models()
    models = [app.ClassroomModel(scenario="historical") for _ in range(3)]
    assert app.live_classroom_models() >= 3
    kernel.close()
    assert all(m.retired and not m.running for m in models)
    assert live_models() <= before  # Mesa 3.3's class-level references are gone (0 on 3.4+)
    models[0].step()
    assert models[0].timeline == [] and models[0].steps == 0


def test_dashboard_computes_nothing_while_no_page_is_connected(app, monkeypatch):
    import threading

    kernel = FakeKernel(connected=False)
    monkeypatch.setattr(app, "_current_kernel", lambda: kernel)
    monkeypatch.setattr(app, "PAGE_POLL_S", 0.05)
    m = app.ClassroomModel(scenario="historical")
    player = threading.Thread(target=m.step, daemon=True)  # SolaraViz's play loop
    player.start()
    player.join(0.5)
    assert player.is_alive() and m.timeline == []  # waiting, not computing
    kernel.connect()  # the page is back: the step goes on
    player.join(60)
    assert not player.is_alive() and len(m.timeline) == 1
    kernel.page_status["page-1"] = FakeKernel(connected=False).page_status["page-1"]
    player = threading.Thread(target=m.step, daemon=True)
    player.start()
    player.join(0.3)
    kernel.close()  # the last page closed for good
    player.join(10)
    assert not player.is_alive() and len(m.timeline) == 1 and m.retired and not m.running
