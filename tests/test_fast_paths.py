"""What keeps the quick commands quick and the figure files unchanged, tested without timing.

* ``sixparty --help`` and ``sixparty list`` import none of the heavy libraries
  (Mesa, matplotlib, pandas, SciPy): they are imported only by the commands
  that use them.  Checked in a fresh interpreter (this test process has them
  all loaded already).
* Scenario files are composed by libyaml when PyYAML has it, with the same
  tree (values, lines, columns) as the pure-Python composer, which still
  gives the messages for broken files.
* ``sixparty run`` (figures included) imports no pandas: it reads its run through
  ``sixparty.analysis.lite``.
* Figures have a fixed layout and are saved with their ticks fixed first, as
  RGB when opaque, by sixparty's own PNG writer (rows unfiltered): the PNG pixels,
  text chunk and resolution are those of a plain ``Figure.savefig``.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
import yaml
from sixparty import loader
from sixparty.analysis import plots
from sixparty.analysis.scorecard import score_run

HEAVY = ("mesa", "matplotlib", "pandas", "scipy")

_PROBE = """
import contextlib, io, json, sys
from sixparty.cli import build_parser, main
build_parser()
with contextlib.redirect_stdout(io.StringIO()):
    codes = [main(argv) for argv in {argvs!r}]
heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r}))
print(json.dumps({{"codes": codes, "heavy": heavy}}))
"""


def _probe(argvs: list[list[str]]) -> dict:
    code = _PROBE.format(argvs=argvs, heavy=HEAVY)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_cli_import_and_parser_load_no_heavy_library():
    assert _probe([]) == {"codes": [], "heavy": []}


def test_help_and_list_load_no_heavy_library():
    got = _probe([["--help"], ["run", "--help"], ["list"]])
    assert got["codes"] == [0, 0, 0]
    assert got["heavy"] == []


def _last_line(code: str) -> str:
    """The last line ``code`` prints in a fresh interpreter (which must exit 0)."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def test_help_loads_no_scenario_models():
    """``sixparty --help`` builds the parser without the scenario loader: no pydantic,
    no scenario models (``cli._PartyChoices``), no run-folder writer."""
    code = (
        "import sys; from sixparty.cli import main; main(['--help']); "
        "print(sorted(m for m in sys.modules if m.startswith(('sixparty.', 'pydantic'))))"
    )
    assert _last_line(code) == "['sixparty.cli']"


def test_list_of_the_shipped_scenarios_builds_no_scenario_models():
    """``sixparty list`` reads the shipped files' descriptions as YAML: no pydantic, no
    loader (the models cost more than the rest of the command)."""
    code = (
        "import sys, contextlib, io; from sixparty.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out: rc = main(['list'])\n"
        "print(rc, 'historical ' in out.getvalue(), "
        "sorted(m for m in sys.modules if m.startswith(('sixparty.loader', 'pydantic'))))"
    )
    assert _last_line(code) == "0 True []"


def test_party_choices_check_and_list_the_parties():
    from sixparty.cli import build_parser
    from sixparty.scenario import PARTIES

    parser = build_parser()
    assert parser.parse_args(["dashboard", "--seat", "Japan"]).seat == "Japan"
    with pytest.raises(SystemExit):
        parser.parse_args(["dashboard", "--seat", "Japen"])
    sub = next(
        a
        for a in parser._subparsers._group_actions[0].choices.values()
        if a.prog.endswith("dashboard")
    )
    assert "play one delegation: " + ", ".join(PARTIES) in " ".join(sub.format_help().split())


def _tree(node):
    """A parsed ``loader._Node`` tree as plain data with each node's line and column."""
    value = node.value
    if node.kind == "map":
        value = {k: _tree(v) for k, v in value.items()}
    elif node.kind == "seq":
        value = [_tree(v) for v in value]
    return (node.kind, node.line, node.col, node.key_line, node.key_col, value)


@pytest.mark.skipif(getattr(yaml, "CSafeLoader", None) is None, reason="PyYAML without libyaml")
def test_libyaml_tree_is_the_pure_python_tree(monkeypatch):
    for name, path in loader.shipped_scenarios():
        text = path.read_text(encoding="utf-8")
        fast = loader._parse_fast(text, name)
        assert fast is not None, name
        monkeypatch.setattr(loader, "_CSafeLoader", None)
        slow = loader._parse(text, name)
        monkeypatch.undo()
        assert _tree(fast) == _tree(slow), name


@pytest.mark.parametrize(
    "text, expected",
    [
        ("name: x\n  bad: [\n", "YAML syntax error"),
        ("name: x\nname: y\n", "name"),
        ("name: !!python/object:os.system x\n", "is not allowed"),
        ("- a\n- b\n", "mapping"),
    ],
)
def test_broken_yaml_messages_come_from_the_pure_python_parser(text, expected):
    assert loader._parse_fast(text, "x.yaml") is None
    with pytest.raises(loader.ScenarioError, match=expected):
        loader._parse(text, "x.yaml")


def _png(data: bytes):
    """(mode, RGBA pixels, text chunks, dpi) of a PNG."""
    import numpy as np
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    pixels = np.asarray(image.convert("RGBA"))
    return image.mode, pixels, image.text, tuple(round(v) for v in image.info["dpi"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_saved_png_is_that_of_a_plain_savefig(tables, record, lang):
    """save_figure (ticks fixed before the one drawing, written without the constant
    alpha channel by our PNG writer) writes the
    pixels, text chunk and resolution savefig would; in Chinese too (CJK glyphs and
    DejaVu Sans fallbacks in one text)."""
    from sixparty.analysis.i18n import find_cjk_font

    if lang == "zh" and find_cjk_font() is None:
        pytest.skip("no CJK font installed")
    items = score_run(tables, record)
    makers = {
        "positions": lambda: plots.plot_positions(tables, lang),
        "timeline": lambda: plots.plot_timeline(tables, record, lang),
        "scorecard": lambda: plots.plot_scorecard(items, tables, lang, record=record),
        "utilities": lambda: plots.plot_utilities(tables, lang),
    }
    for name, make in makers.items():
        fast, plain = io.BytesIO(), io.BytesIO()
        plots.save_figure(make(), fast, "png")
        make().savefig(
            plain,
            format="png",
            dpi=plots.SAVE_DPI,
            metadata=plots.PNG_METADATA,
            pil_kwargs={"compress_level": plots.PNG_COMPRESS_LEVEL},
        )
        mode, pixels, text, dpi = _png(fast.getvalue())
        plain_mode, plain_pixels, plain_text, plain_dpi = _png(plain.getvalue())
        assert (mode, plain_mode) == ("RGB", "RGBA"), name
        assert pixels.shape == plain_pixels.shape and (pixels == plain_pixels).all(), name
        assert text == plain_text == plots.PNG_METADATA and dpi == plain_dpi, name


def test_saved_text_has_the_pixels_of_matplotlibs_own_png():
    """Texts rotated, multi-line, not antialiased, math text, and a CJK font with a
    Latin fallback: save_figure's PNG has the pixels of matplotlib's own."""
    from matplotlib.figure import Figure
    from sixparty.analysis.i18n import find_cjk_font

    font = find_cjk_font()

    def make():
        fig = Figure(figsize=(4, 3))
        ax = fig.add_subplot()
        ax.set_title("Title\nsecond line")
        ax.set_ylabel("rotated 90")
        ax.text(0.2, 0.5, "thirty degrees", rotation=30)
        ax.text(0.1, 0.2, "not antialiased", antialiased=False)
        ax.text(0.5, 0.8, r"$\alpha^2 + \beta$ math")
        if font:
            ax.text(0.1, 0.9, "六方会谈 Six-Party 2005", family=[font, "DejaVu Sans"])
        return fig

    fast, plain = io.BytesIO(), io.BytesIO()
    plots.save_figure(make(), fast, "png")
    make().savefig(plain, format="png", dpi=plots.SAVE_DPI)
    pixels, plain_pixels = _png(fast.getvalue())[1], _png(plain.getvalue())[1]
    assert pixels.shape == plain_pixels.shape and (pixels == plain_pixels).all()


def test_a_figure_with_transparent_pixels_is_saved_with_its_alpha_channel():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1.5), facecolor=(1, 1, 1, 0))
    fig.add_subplot().plot([0, 1], [0, 1])
    fast, plain = io.BytesIO(), io.BytesIO()
    plots.save_figure(fig, fast, "png")
    fig.savefig(plain, format="png", dpi=plots.SAVE_DPI)
    mode, pixels, _, _ = _png(fast.getvalue())
    assert mode == "RGBA" and (pixels == _png(plain.getvalue())[1]).all()
    assert pixels[..., 3].min() == 0


@pytest.mark.parametrize("channels, mode", [(3, "RGB"), (4, "RGBA")])
def test_png_writer_round_trips_pixels_text_and_resolution(channels, mode):
    """_png_bytes writes a PNG that Pillow checks (chunk CRCs) and decodes to the same
    pixels, text and resolution; an odd width and a column of every byte value included."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 256, size=(37, 51, channels), dtype=np.uint8)
    pixels[:, 0, 0] = np.arange(37) * 7  # varied first bytes after each filter byte
    data = plots._png_bytes(pixels, plots.SAVE_DPI, {"Software": "x", "Comment": "y"})
    Image.open(io.BytesIO(data)).verify()
    image = Image.open(io.BytesIO(data))
    assert image.mode == mode and image.size == (51, 37)
    assert (np.asarray(image) == pixels).all()
    assert image.text == {"Software": "x", "Comment": "y"}
    plain = io.BytesIO()
    Image.fromarray(pixels).save(plain, format="png", dpi=(plots.SAVE_DPI, plots.SAVE_DPI))
    assert image.info["dpi"] == Image.open(plain).info["dpi"]


@pytest.mark.parametrize("shape", [(4, 5), (4, 5, 2), (4, 5, 5)])
def test_png_writer_refuses_other_shapes(shape):
    import numpy as np

    with pytest.raises(ValueError, match="uint8 pixels"):
        plots._png_bytes(np.zeros(shape, dtype=np.uint8), 100, {})
    with pytest.raises(ValueError, match="uint8 pixels"):
        plots._png_bytes(np.zeros((4, 5, 3), dtype=np.float32), 100, {})


def test_save_figure_leaves_the_figure_as_it_was(tables):
    fig = plots.plot_ledger(tables)
    engine, dpi, canvas = fig.get_layout_engine(), fig.dpi, fig.canvas
    plots.save_figure(fig, io.BytesIO(), "png")
    assert fig.get_layout_engine() is engine and fig.dpi == dpi and fig.canvas is canvas
    plots.save_figure(fig, io.BytesIO(), "svg")  # and it can be saved again


def test_parsed_trees_are_not_shared_between_loads():
    """The parent of several variants is composed once; each load gets its own tree."""
    name, path = loader.shipped_scenarios()[0]
    text = path.read_text(encoding="utf-8")
    first = loader._parse(text, name, shipped=True)
    first.value["name"].value = "changed"
    del first.value["events"]
    again = loader._parse(text, name, shipped=True)
    assert again.value["name"].value != "changed" and "events" in again.value
    assert loader.load_scenario(path).name != "changed"


@pytest.mark.skipif(getattr(yaml, "CSafeLoader", None) is None, reason="PyYAML without libyaml")
def test_libyaml_reads_yaml_1_2_scalars_too():
    tree = loader._parse_fast("name: x\nseed: 1:30\nflag: off\nn: 0x1F\n", "x.yaml")
    assert tree.value["seed"].value == "1:30" and tree.value["flag"].value == "off"
    assert tree.value["n"].value == 31


def test_a_user_file_never_takes_the_libyaml_path(tmp_path, monkeypatch):
    """libyaml has no depth check: only the shipped files may be read with it."""
    calls = []
    monkeypatch.setattr(loader, "_parse_fast", lambda *a: calls.append(a))
    path = tmp_path / "mine.yaml"
    path.write_text(loader.shipped_scenarios()[0][1].read_text(encoding="utf-8"), encoding="utf-8")
    loader.load_scenario(path)
    assert calls == []


def test_record_and_parameter_files_read_as_yaml_safe_load_reads_them():
    """load_record and the parameter declarations parse with libyaml when PyYAML has it:
    the same data as the pure-Python yaml.safe_load."""
    from importlib import resources

    from sixparty import parameters
    from sixparty.analysis import narrate, scorecard

    text = scorecard.RECORD_PATH.read_text(encoding="utf-8")
    assert narrate.load_record() == yaml.safe_load(text)
    assert yaml.load(text, Loader=scorecard._SAFE_LOADER) == yaml.safe_load(text)
    decl = resources.files("sixparty").joinpath("data", "parameters.yaml").read_text("utf-8")
    assert yaml.load(decl, Loader=parameters._SAFE_LOADER) == yaml.safe_load(decl)


def test_resolved_scenario_text_is_that_of_yaml_safe_dump():
    """scenario.resolved.yaml is emitted by libyaml when PyYAML has it: the same text as
    the pure-Python yaml.safe_dump, for every shipped scenario."""
    from sixparty.outputs import resolved_scenario_text

    for _name, path in loader.shipped_scenarios():
        sc = loader.load_scenario(path)
        plain = yaml.safe_dump(
            sc.model_dump(mode="json"), sort_keys=False, allow_unicode=True, width=100
        )
        assert resolved_scenario_text(sc).endswith("\n" + plain)


def test_run_without_figures_does_not_import_matplotlib(tmp_path):
    """``sixparty run --no-plots`` draws nothing, so it does not import matplotlib."""
    code = (
        "import sys; from sixparty.cli import main; "
        f"rc = main(['run', '--quiet', '--no-plots', '--out', {str(tmp_path / 'r')!r}]); "
        "sys.exit(10 if 'matplotlib' in sys.modules else rc)"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


def test_run_with_figures_does_not_import_pandas(tmp_path):
    """``sixparty run`` scores its run and draws its figures from pandas-free tables
    (``sixparty.analysis.lite``): importing pandas (and pyarrow) cost more CPU than
    the tables' work.  Exit 10 if pandas was imported; 11 if Mesa imports it itself
    (Mesa 3.5's ``mesa/agent.py`` does, at module level: then the saving is Mesa's to
    give, and there is nothing of sixparty's to test)."""
    code = (
        "import sys; import sixparty._mesa_compat; "
        "'pandas' in sys.modules and sys.exit(11); "
        "from sixparty.cli import main; "
        f"rc = main(['run', '--quiet', '--out', {str(tmp_path / 'r')!r}]); "
        "sys.exit(10 if 'pandas' in sys.modules or 'pyarrow' in sys.modules else rc)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode == 11:
        import importlib.metadata

        pytest.skip(f"Mesa {importlib.metadata.version('mesa')} imports pandas itself")
    assert out.returncode == 0, out.stderr[-2000:]
    assert (tmp_path / "r" / "scorecard.png").is_file()


def test_manifest_distributions_are_those_of_importlib_metadata():
    """The manifest's distributions and package versions are read from the metadata's
    header block only: the same names and versions as ``importlib.metadata`` gives."""
    from importlib import metadata

    from sixparty import outputs

    slow: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"] if dist.metadata else None
        if name and name not in slow:
            slow[name] = dist.version
    assert outputs.installed_distributions() == dict(
        sorted(slow.items(), key=lambda kv: kv[0].lower())
    )
    versions = outputs.package_versions()
    for name in ("sixparty", "mesa", "numpy", "pydantic", "pyyaml", "matplotlib", "pandas"):
        assert versions[name] == metadata.version(name)


def test_a_command_runs_with_the_cli_gc_thresholds_and_restores_them(monkeypatch, capsys):
    """``main`` collects garbage less often while a command runs (``cli.GC_THRESHOLDS``)
    and gives the caller its own thresholds back."""
    import gc

    from sixparty import cli

    seen = []
    real = cli.cmd_list
    monkeypatch.setattr(cli, "cmd_list", lambda args: seen.append(gc.get_threshold()) or real(args))
    before = gc.get_threshold()
    assert cli.main(["list"]) == 0
    assert seen == [cli.GC_THRESHOLDS]
    assert gc.get_threshold() == before


def test_mesa_is_imported_with_its_loggers_and_inspect_left_as_it_was():
    """sixparty imports Mesa with a cheap frame -> module lookup (``_mesa_compat``):
    Mesa's module loggers get the names they get without it, and ``inspect`` is restored."""
    code = (
        "import inspect, logging, sys; real = inspect.getmodule; "
        "import sixparty._mesa_compat as c; "
        "names = sorted(n for n in logging.root.manager.loggerDict if n.startswith('MESA')); "
        "print(inspect.getmodule is real, 'mesa.model' in sys.modules, names)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("True True [")
    assert "'MESA.mesa.model'" in out.stdout


def test_frames_are_named_by_their_module_inside_the_context_only():
    import inspect

    from sixparty import _mesa_compat

    real = inspect.getmodule
    frame = sys._getframe()
    with _mesa_compat._frames_named_by_module():
        assert inspect.getmodule(frame) is sys.modules[__name__]
        assert inspect.getmodule(json) is json  # anything else: the real lookup
    assert inspect.getmodule is real
    assert inspect.getmodule(frame) is sys.modules[__name__]


def test_the_model_imports_no_scipy_or_networkx_and_mesa_completes_on_first_use():
    """``_mesa_compat`` imports ``mesa.model`` and ``mesa.agent`` with Mesa's package
    ``__init__`` deferred: the model pulls in neither ``scipy`` nor networkx (Mesa's
    continuous space and ``mesa.space``); the first use of another name of ``mesa``
    runs Mesa's own ``__init__``, after which ``mesa`` is the usual package."""
    code = """
import sys
import sixparty.model
from sixparty.parties import Party
heavy = sorted(m for m in ("scipy", "networkx", "mesa.space") if m in sys.modules)
import mesa, mesa.agent, mesa.model
same = mesa.Model is mesa.model.Model and mesa.Agent is mesa.agent.Agent
same = same and issubclass(sixparty.model.TalksModel, mesa.model.Model)
same = same and issubclass(Party, mesa.agent.Agent)
version = mesa.__version__
from mesa import DataCollector, batch_run
import mesa.experimental
cs = mesa.experimental.continuous_space.ContinuousSpace
done = "__getattr__" not in vars(mesa) and "__getattr__" not in vars(mesa.experimental)
print(heavy, same, version.startswith("3."), done, mesa.space.__name__)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["[]", "True", "True", "True", "mesa.space"]


def test_mesa_imported_first_is_used_as_it_is():
    code = (
        "import mesa; import sixparty._mesa_compat as c; "
        "print(c.mesa is mesa, '__getattr__' in vars(mesa), 'mesa.space' in __import__('sys').modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "False", "True"]


def test_a_deferred_package_runs_its_init_once_on_first_use(tmp_path, monkeypatch):
    """``_defer_package_init`` on a package of its own: its submodule imports without
    the ``__init__``; two threads asking for a name it defines both get it, and the
    ``__init__`` ran once; a name it does not define is an AttributeError."""
    import threading

    from sixparty import _mesa_compat

    pkg = tmp_path / "deferpkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(
        "import time\nimport deferpkg.sub as sub\nRUNS.append(1)\ntime.sleep(0.2)\nX = sub.Y + 1\n"
    )
    (pkg / "sub.py").write_text("Y = 41\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    runs: list[int] = []
    import builtins

    monkeypatch.setattr(builtins, "RUNS", runs, raising=False)
    try:
        module = _mesa_compat._defer_package_init("deferpkg")
        assert module is sys.modules["deferpkg"]
        assert _mesa_compat._defer_package_init("deferpkg") is None  # already there
        import deferpkg.sub

        assert deferpkg.sub.Y == 41 and runs == []
        got: list[int] = []
        threads = [threading.Thread(target=lambda: got.append(module.X)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert got == [42, 42] and runs == [1]
        assert "__getattr__" not in vars(module)
        with pytest.raises(AttributeError):
            module.NOT_THERE  # noqa: B018
        assert _mesa_compat._defer_package_init("json") is None  # imported already
        assert _mesa_compat._defer_package_init("this_package_does_not_exist") is None
    finally:
        sys.modules.pop("deferpkg", None)
        sys.modules.pop("deferpkg.sub", None)
