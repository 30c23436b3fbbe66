"""Figures drawn from a small simulated run: content, files, and `sixparty plot`."""

from __future__ import annotations

import re

import matplotlib
import pytest
from sixparty.analysis import plots
from sixparty.analysis.runfiles import read_run, tables_from_result
from sixparty.analysis.scorecard import score_run
from sixparty.scenario import ISSUES, PARTIES

matplotlib.use("Agg")

UNIT = re.compile(r"\(.+\)")  # a unit or range in parentheses, e.g. "(0-1)", "(year)"


@pytest.fixture(scope="module")
def run_dir(result, tmp_path_factory):
    from sixparty.analysis.scorecard import scorecard_writer
    from sixparty.outputs import write_run

    d = tmp_path_factory.mktemp("runs") / "minimal-7"
    write_run(result, d, extra_writers=[scorecard_writer(), plots.figures_writer()])
    return d


def _legend_texts(fig):
    texts = [t.get_text() for lg in fig.legends for t in lg.get_texts()]
    for ax in fig.axes:
        if ax.get_legend() is not None:
            texts += [t.get_text() for t in ax.get_legend().get_texts()]
    return texts


def _has_unit(label: str) -> bool:
    return bool(label.strip()) and bool(UNIT.search(label))


def test_parties_have_one_okabe_ito_colour_each():
    okabe_ito = {
        "#E69F00",
        "#56B4E9",
        "#009E73",
        "#F0E442",
        "#0072B2",
        "#D55E00",
        "#CC79A7",
        "#000000",
    }
    assert set(plots.PARTY_COLORS) == set(PARTIES)
    assert set(plots.PARTY_COLORS.values()) <= okabe_ito
    assert len(set(plots.PARTY_COLORS.values())) == 6


def _lab(hex_colour: str):
    """CIE L*a*b* (D65) of an sRGB colour."""
    import numpy as np

    c = np.array(matplotlib.colors.to_rgb(hex_colour))
    c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = (
        np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
        @ c
        / np.array([0.95047, 1.0, 1.08883])
    )
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_parties_are_clearly_distinct_by_colour_and_line_style():
    import itertools

    import numpy as np

    # US blue and sky blue differ by only 26 (CIE76): too close on a projector
    for a, b in itertools.combinations(PARTIES, 2):
        d = float(np.linalg.norm(_lab(plots.PARTY_COLORS[a]) - _lab(plots.PARTY_COLORS[b])))
        assert d >= 30, (a, b, d)
    assert set(plots.PARTY_LINESTYLES) == set(PARTIES)
    assert len({str(s) for s in plots.PARTY_LINESTYLES.values()}) == 6
    assert plots.party_style("ROK") == {
        "color": plots.PARTY_COLORS["ROK"],
        "linestyle": plots.PARTY_LINESTYLES["ROK"],
    }


def test_labels_fall_back_to_english():
    plots.LABELS["xx"] = {"positions_title": "X"}
    try:
        L = plots.labels("xx")
        assert L["positions_title"] == "X" and L["trust_title"] == plots.LABELS["en"]["trust_title"]
    finally:
        del plots.LABELS["xx"]


def test_positions_one_panel_per_issue_one_line_per_party(tables):
    fig = plots.plot_positions(tables)
    axes = fig.axes
    assert len(axes) == len(ISSUES)
    names = {plots.LABELS["en"]["issue"][i] for i in ISSUES}
    for ax in axes:
        first = ax.get_title().split("\n")
        assert first[0] in names and first[1].startswith("0 = ") and "1 = " in first[1]
        lines = [ln for ln in ax.get_lines() if ln.get_label() in PARTIES]
        assert sorted(ln.get_label() for ln in lines) == sorted(PARTIES)
        dashes = {}
        for ln in lines:
            assert (
                matplotlib.colors.to_hex(ln.get_color()).upper()
                == plots.PARTY_COLORS[ln.get_label()]
            )
            dashes[ln.get_label()] = str(ln._unscaled_dash_pattern)  # (offset, on-off sequence)
        assert len(set(dashes.values())) == 6  # one line style per party
    # one window and one 0-1 scale for all panels: years under the bottom row, the scale
    # (with its unit) left of the left column; the other panels share both axes
    assert all(_has_unit(ax.get_ylabel()) for ax in axes[0::2])
    assert all(_has_unit(ax.get_xlabel()) for ax in axes[-2:])
    for ax in axes:
        assert ax.get_ylim() == axes[0].get_ylim() and ax.get_xlim() == axes[0].get_xlim()
        years_shown = any(t.get_visible() for t in ax.get_xticklabels())
        scale_shown = any(t.get_visible() for t in ax.get_yticklabels())
        assert years_shown == (ax in axes[-2:]) and scale_shown == (ax in axes[0::2])
    assert set(PARTIES) <= set(_legend_texts(fig))
    assert fig._suptitle is not None and fig._suptitle.get_text()


def test_timeline_bars_equal_held_sessions_and_record_row(tables, record):
    fig = plots.plot_timeline(tables, record)
    ax = fig.axes[0]
    bars = {}  # gid -> bars (a collection holds a stretch of like bars)
    for c in ax.collections:
        bars[c.get_gid()] = bars.get(c.get_gid(), 0) + len(c.get_paths())
    held = int(tables.sessions["held"].sum())
    assert bars.get("sim_session", 0) == held
    assert bars.get("sim_declined", 0) == len(tables.sessions) - held
    assert bars["rec_session"] == len(record["sessions"])
    lanes = [t.get_text() for t in ax.get_yticklabels()]
    assert "recorded sessions" in lanes and "simulated sessions" in lanes
    assert _has_unit(ax.get_xlabel()) and ax.get_title()
    # every exogenous event of the window is numbered, and the key lists it
    n_events = len(tables.events)
    assert sum(1 for t in ax.texts if t.get_gid() == "event") == n_events
    assert len(fig.axes[1].texts) == n_events
    legend = _legend_texts(fig)
    assert "joint document" in legend and "chairman's statement" in legend


def test_timeline_without_record_says_so(tables):
    fig = plots.plot_timeline(tables, None)
    assert any("no historical record" in t.get_text() for t in fig.axes[0].texts)


def test_ledger_two_axes_with_units(tables, record):
    fig = plots.plot_ledger(tables, record)
    ax, ax2 = fig.axes[:2]
    assert _has_unit(ax.get_ylabel()) and "tonnes" in ax2.get_ylabel()
    assert _has_unit(ax.get_xlabel())
    legend = _legend_texts(fig)
    for key in ("progress_pledged", "progress_delivered", "aid_pledged", "aid_delivered"):
        assert plots.LABELS["en"][key] in legend


def test_ledger_pledged_progress_counts_superseded_steps_as_performed(tables):
    """The dashed DPRK line: per month, the amounts of the steps promised by then, a step
    superseded by then counting only what it delivered; a step without a month never."""
    import dataclasses

    import pandas as pd

    months = list(tables.timeline["month"])
    led = tables.ledger.iloc[:4].copy().reset_index(drop=True)
    led["kind"] = ["dprk_action", "dprk_action", "dprk_action", "aid"]
    led["promised"] = pd.array([months[2], months[5], None, months[0]], dtype="string")
    led["amount"] = [0.25, 0.5, 0.125, 9.0]
    led["delivered"] = [0.0, 0.125, 0.0, 0.0]
    led["superseded"] = ["", months[8], "", ""]
    led["completed"] = ""
    fig = plots.plot_ledger(dataclasses.replace(tables, ledger=led))
    line = next(
        ln
        for ln in fig.axes[0].get_lines()
        if ln.get_label() == plots.LABELS["en"]["progress_pledged"]
    )
    y = list(line.get_ydata())
    assert y[:2] == [0.0, 0.0] and y[2:5] == [0.25] * 3
    assert y[5:8] == [0.75] * 3 and y[8:] == [0.375] * (len(months) - 8)


def test_trust_heatmaps_and_pair_over_time(tables):
    fig = plots.plot_trust(tables)
    images = [ax for ax in fig.axes if ax.images]
    assert len(images) == len(plots.default_trust_months(tables)) == 4
    for ax in images:
        assert [t.get_text() for t in ax.get_xticklabels()] == list(PARTIES)
        assert ax.get_xlabel()
    line_ax = [ax for ax in fig.axes if ax.get_lines() and not ax.images][0]
    labels = {ln.get_label() for ln in line_ax.get_lines()}
    assert {plots.LABELS["en"]["trust_dprk_us"], plots.LABELS["en"]["trust_us_dprk"]} <= labels
    assert _has_unit(line_ax.get_ylabel()) and _has_unit(line_ax.get_xlabel())
    fig = plots.plot_trust(tables, months=[tables.months[0], tables.months[-1]])
    assert sum(1 for ax in fig.axes if ax.images) == 2


def test_scorecard_rows_are_items(tables, record):
    items = score_run(tables, record)
    fig = plots.plot_scorecard(items, tables)
    ax = fig.axes[0]
    scored = [it for it in items if it.scored]
    outside = len(items) - len(scored)
    assert outside > 0  # the small run (2003-08..2004-12) leaves most of the record outside
    assert len(ax.get_yticks()) == len(scored)
    hits = sum(1 for it in scored if it.hit)
    assert (
        f"{hits} of {len(scored)} items hit ({outside} items outside the window not scored)"
        in fig._suptitle.get_text()
    )
    words = [t.get_text() for t in fig.axes[1].texts]
    assert words.count("hit") == hits and words.count("miss") == len(scored) - hits
    assert _has_unit(ax.get_xlabel())


def test_utilities_one_line_per_party_and_quality(tables):
    fig = plots.plot_utilities(tables)
    top, bottom = fig.axes[:2]
    held = int(tables.sessions["held"].sum())
    lines = [ln for ln in top.get_lines() if ln.get_label() in PARTIES]
    assert len(lines) == 6 and all(len(ln.get_xdata()) == held for ln in lines)
    labels = {ln.get_label() for ln in bottom.get_lines()}
    assert {plots.LABELS["en"]["nash"], plots.LABELS["en"]["pareto"]} <= labels
    assert _has_unit(top.get_ylabel()) and _has_unit(bottom.get_ylabel())
    assert bottom.get_xlabel()


def test_draw_figures_writes_six_files_in_each_format(tables, record, tmp_path):
    for fmt in ("png", "svg"):
        names = plots.draw_figures(tables, tmp_path, fmt=fmt, record=record)
        assert sorted(names) == sorted(f"{n}.{fmt}" for n in plots.FIGURES)
        assert all((tmp_path / n).stat().st_size > 1000 for n in names)
    assert (tmp_path / "timeline.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="format"):
        plots.draw_figures(tables, tmp_path, fmt="gif")


def test_same_run_same_png_bytes(tables, record, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    plots.draw_figures(tables, a, record=record)
    plots.draw_figures(tables, b, record=record)
    for n in plots.FIGURES:
        assert (a / f"{n}.png").read_bytes() == (b / f"{n}.png").read_bytes(), n


def test_figures_writer_in_a_run_folder(run_dir):
    for n in plots.FIGURES:
        assert (run_dir / f"{n}.png").is_file()
    manifest = (run_dir / "manifest.json").read_text()
    assert "timeline.png" in manifest and "scorecard.csv" in manifest


def test_files_and_memory_give_the_same_tables(run_dir, result):
    from_files = read_run(run_dir)
    mem = tables_from_result(result)
    for name in ("timeline", "sessions", "drafts", "ledger", "decisions"):
        a = getattr(from_files, name)
        b = getattr(mem, name)
        cols = [c for c in b.columns]
        assert list(a[cols].astype(str).values.tolist()) == list(
            b[cols].astype(str).values.tolist()
        ), name


def test_cli_plot_regenerates_figures(run_dir, tmp_path, capsys):
    from sixparty.cli import main

    (run_dir / "trust.png").unlink()
    assert main(["plot", str(run_dir)]) == 0
    assert (run_dir / "trust.png").is_file()
    out = tmp_path / "figs"
    assert main(["plot", str(run_dir), "--format", "pdf", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.pdf" for n in plots.FIGURES)
    assert "Wrote 6 figures" in capsys.readouterr().out


@pytest.mark.parametrize("make", ["missing", "file", "empty", "junk"])
def test_cli_plot_bad_folder_exits_2(tmp_path, capsys, make):
    from sixparty.cli import main

    target = tmp_path / "x"
    if make == "file":
        target.write_text("hello")
    elif make == "empty":
        target.mkdir()
    elif make == "junk":
        target.mkdir()
        (target / "timeline.csv").write_text("a,b\n1,2\n")
        (target / "sessions.csv").write_text("c\n")
    assert main(["plot", str(target)]) == 2
    err = capsys.readouterr().err
    assert "error" in err and str(target) in err and "Traceback" not in err
    assert not list(tmp_path.glob("**/*.png"))


def _drawn_texts(fig):
    """Draw ``fig`` as :func:`plots.save_figure` does; return (renderer, [(text, bbox)])
    for every text actually drawn."""
    import io
    from unittest import mock

    from matplotlib.text import Text

    drawn = []
    real = Text.draw

    def draw(self, renderer):
        real(self, renderer)
        if self.get_visible() and self.get_text().strip():
            drawn.append((self, self.get_window_extent(renderer)))

    fig.set_dpi(plots.SAVE_DPI)  # window extents after saving in the saved pixels
    with mock.patch.object(Text, "draw", draw):
        plots.save_figure(fig, io.BytesIO(), "png")
    return drawn


def _overlap(a, b, tol: float = 1.0) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) > tol and min(a.y1, b.y1) - max(a.y0, b.y0) > tol


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_fixed_layout_keeps_every_text_inside_the_figure_and_off_other_panels(tables, record, lang):
    """The figures are laid out by fixed and measured margins, not by constrained
    layout: every text drawn lies inside the figure, and no title, tick label, axis
    label or legend text overlaps the plotting area of another panel."""
    from sixparty.analysis.i18n import find_cjk_font

    if lang == "zh" and find_cjk_font() is None:
        pytest.skip("no CJK font installed")
    items = score_run(tables, record)
    makers = {
        "positions": lambda: plots.plot_positions(tables, lang),
        "timeline": lambda: plots.plot_timeline(tables, record, lang),
        "ledger": lambda: plots.plot_ledger(tables, record, lang),
        "trust": lambda: plots.plot_trust(tables, lang),
        "scorecard": lambda: plots.plot_scorecard(items, tables, lang, record),
        "utilities": lambda: plots.plot_utilities(tables, lang),
        # margins that depend on the content: nothing scored, one or six heatmaps
        "scorecard, no item": lambda: plots.plot_scorecard([], tables, lang, record),
        "trust, one month": lambda: plots.plot_trust(tables, lang, months=tables.months[:1]),
        "trust, six months": lambda: plots.plot_trust(tables, lang, months=tables.months[:6]),
    }
    for name, make in makers.items():
        fig = make()
        assert fig.get_layout_engine() is None, name
        drawn = _drawn_texts(fig)
        assert len(drawn) > 10, name
        W, H = fig.get_size_inches() * fig.dpi
        for text, box in drawn:
            where = f"{name}: {text.get_text()!r}"
            assert box.x0 >= -1 and box.y0 >= -1 and box.x1 <= W + 1 and box.y1 <= H + 1, where
            own = text.axes
            for ax in fig.axes:
                if own is not None and ax.bbox.bounds == own.bbox.bounds:
                    continue  # its own panel (or a twin on the same area)
                assert not _overlap(box, ax.bbox), f"{where} overlaps a panel"


def test_figures_from_the_scorecard_writers_tables_are_those_of_the_run(result, tmp_path):
    """``sixparty run`` converts the run to tables once: the figures writer draws from the
    scorecard writer's tables (``result.extra["tables"]``) the same PNG bytes as from
    tables of its own."""
    from sixparty.analysis.runfiles import RunTables
    from sixparty.analysis.scorecard import scorecard_writer

    shared, own = tmp_path / "shared", tmp_path / "own"
    shared.mkdir()
    own.mkdir()
    scorecard_writer()(result, shared)
    assert isinstance(result.extra.get("tables"), RunTables)
    plots.figures_writer()(result, shared)
    saved = result.extra.pop("tables")
    try:
        plots.figures_writer()(result, own)
    finally:
        result.extra["tables"] = saved
    for n in plots.FIGURES:
        assert (shared / f"{n}.png").read_bytes() == (own / f"{n}.png").read_bytes(), n


def test_cli_plot_redraws_in_the_runs_language(scenario_file, tmp_path, monkeypatch):
    """`run --lang zh` records `lang` in the manifest; `plot` redraws in it unless given
    `--lang`; a folder from before the key (none) is drawn in English as it was."""
    import json

    from sixparty.cli import main

    out = tmp_path / "run"
    args = ["run", str(scenario_file), "--seed", "3", "--no-plots", "--quiet"]
    assert main([*args, "--lang", "zh", "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["lang"] == "zh"
    assert main([*args, "--out", str(tmp_path / "en")]) == 0
    assert json.loads((tmp_path / "en" / "manifest.json").read_text())["lang"] == "en"

    drawn: list[str] = []

    def spy(tables, out_dir, fmt="png", lang="en", record=None, items=None):
        drawn.append(lang)
        (out_dir / "spy.png").write_bytes(b"")
        return ["spy.png"]

    monkeypatch.setattr(plots, "draw_figures", spy)
    figs = str(tmp_path / "figs")
    assert main(["plot", str(out), "--out", figs]) == 0
    assert main(["plot", str(out), "--lang", "en", "--out", figs]) == 0
    del manifest["lang"]  # the manifest lists the other files' checksums, not its own
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert main(["plot", str(out), "--out", figs]) == 0
    assert drawn == ["zh", "en", "en"]


def test_timeline_markers_follow_the_scorecard_rules():
    """The simulated episode markers come from the scorecard's rules: progress that rises
    and is undone with every facility operating draws no shutdown; a facility shut down
    draws one in its month."""
    from matplotlib.collections import PathCollection
    from test_scorecard import _ledger, make_tables

    def sim_marks(tables) -> list:
        ax = plots.plot_timeline(tables, None).axes[0]
        return [
            tuple(c.get_offsets()[0])
            for c in ax.collections
            if isinstance(c, PathCollection) and abs(c.get_offsets()[0][1] - 2.0) < 0.2
        ]

    undone = make_tables(
        progress={"2007-07": 0.01, "2007-08": 0.0},
        ledger=_ledger()[:2],
        facilities={"yongbyon_5mwe_reactor": {}},
    )
    assert sim_marks(undone) == []
    shut = make_tables(
        progress={"2007-07": 0.01, "2007-08": 0.0},
        ledger=_ledger()[:2],
        facilities={"yongbyon_5mwe_reactor": {("2007-09", "2009-12"): "shut_down"}},
    )
    (mark,) = sim_marks(shut)
    import matplotlib.dates as mdates

    assert mdates.num2date(mark[0]).strftime("%Y-%m") == "2007-09"
