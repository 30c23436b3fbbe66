"""Chinese figures (`--lang zh`): labels, CJK font, and the fallback without one."""

from __future__ import annotations

import io
import re
import warnings

import matplotlib
import pytest
from matplotlib.text import Text
from sixparty.analysis import plots
from sixparty.analysis.i18n import LABELS as TERMS
from sixparty.analysis.i18n import find_cjk_font
from sixparty.analysis.runfiles import tables_from_result
from sixparty.analysis.scorecard import score_run
from sixparty.scenario import PARTIES

matplotlib.use("Agg")

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
needs_cjk = pytest.mark.skipif(
    find_cjk_font() is None,
    reason="no CJK font installed (apt-get install fonts-noto-cjk, then rm -rf "
    "~/.cache/matplotlib): Chinese figures cannot be drawn, only the fallback is tested",
)


def _draw(make):
    """Build a figure with ``make()`` and render it to PNG; return (figure, glyph warnings)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = make()
        fig.savefig(io.BytesIO(), format="png", dpi=50)
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    return fig, missing


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _labels(fig) -> list[str]:
    """Titles, axis labels and legend entries (not tick labels or data text)."""
    out = [fig._suptitle.get_text()] if fig._suptitle is not None else []
    for ax in fig.axes:
        out += [ax.get_title(), ax.get_title(loc="left"), ax.get_xlabel(), ax.get_ylabel()]
        if ax.get_legend() is not None:
            out += [t.get_text() for t in ax.get_legend().get_texts()]
    out += [t.get_text() for lg in fig.legends for t in lg.get_texts()]
    return [s for s in out if s.strip()]


def _builders(tables, record):
    items = score_run(tables, record)
    return {
        "positions": lambda: plots.plot_positions(tables, lang="zh"),
        "timeline": lambda: plots.plot_timeline(tables, record, lang="zh"),
        "ledger": lambda: plots.plot_ledger(tables, record, lang="zh"),
        "trust": lambda: plots.plot_trust(tables, lang="zh"),
        "scorecard": lambda: plots.plot_scorecard(items, tables, lang="zh", record=record),
        "utilities": lambda: plots.plot_utilities(tables, lang="zh"),
    }


#: Chinese words each figure must show (the article's terms, analysis.i18n's where they exist).
EXPECTED = {
    "positions": [
        "各方在九个议题上的立场",
        "无核化",
        "核查",
        "立场（0–1）",
        "日期（年份）",
        "朝鲜",
        "俄罗斯",
        "举行会议的月份",
        "弃核顺序",
        "0 = 同时、分阶段：行动对行动",
    ],
    "timeline": [
        "无文件",
        "口头共识",
        "主席声明",
        "共同声明",
        "共同文件",
        "模拟：会议",
        "历史记录：会议",
        "日期（年份）",
        "标题为情景文件原文",  # the minimal scenario's events have no title_zh
    ],
    "ledger": [
        "行动对行动",
        "无核化进展",
        "吨（重油当量）",
        "日期（年份）",
        "承诺援助",
        "已交付援助",
    ],
    "trust": [
        "各方之间的信任",
        "朝鲜",
        "美国",
        "中国",
        "韩国",
        "日本",
        "俄罗斯",
        "信任方",
        "被信任方",
        "朝鲜对美国的信任",
        "日期（年份）",
    ],
    "scorecard": ["历史回放评分", "命中", "未命中", "第一轮", "会议", "历史记录", "日期（年份）"],
    "utilities": ["各方对每次会议文本的效用", "朝鲜", "纳什积", "主席声明", "（0–1）"],
}


@needs_cjk
@pytest.mark.parametrize("name", plots.FIGURES)
def test_zh_figure_labels_and_no_missing_glyphs(name, tables, record):
    fig, missing = _draw(_builders(tables, record)[name])
    assert not missing, missing
    text = "\n".join(_texts(fig))
    for word in EXPECTED[name]:
        assert word in text, f"{name}: {word!r} not in the figure"
    # every title, axis label and legend entry is Chinese (heatmap titles are months, 2003-01)
    english = [s for s in _labels(fig) if not CJK.search(s) and not re.fullmatch(r"\d{4}-\d{2}", s)]
    assert not english, f"{name}: untranslated labels {english}"
    # the figure's font is the CJK one, set for the figure only
    assert matplotlib.rcParams["font.family"] != [find_cjk_font(), "DejaVu Sans"]
    families = {
        f
        for t in fig.findobj(Text)
        if CJK.search(t.get_text())
        for f in t.get_fontproperties().get_family()
    }
    assert find_cjk_font() in families


@needs_cjk
def test_zh_party_issue_and_document_names_are_the_narrations(tables):
    L = plots.labels("zh")
    for key in PARTIES:
        assert L["party"][key] == TERMS["zh"][key]
    for key, name in L["doc"].items():
        assert name == TERMS["zh"][key]
    assert [L["party"][p] for p in PARTIES] == ["朝鲜", "美国", "中国", "韩国", "日本", "俄罗斯"]
    fig = plots.plot_trust(tables, lang="zh")
    heat = [ax for ax in fig.axes if ax.images][0]
    assert [t.get_text() for t in heat.get_xticklabels()] == [L["party"][p] for p in PARTIES]


@needs_cjk
def test_zh_scorecard_texts_and_record_names(tables, record):
    # an unlabelled episode inside the small run's window (2003-08..2004-12): named by kind and year
    record = {
        **record,
        "episodes": [
            *record["episodes"],
            {"id": "test_suspension", "kind": "suspension", "actor": "DPRK", "start": "2004-06-01"},
        ],
    }
    items = score_run(tables, record)
    fig = plots.plot_scorecard(items, tables, lang="zh", record=record)
    words = [t.get_text() for t in fig.axes[1].texts]
    scored = [it for it in items if it.scored]
    hits = sum(1 for it in scored if it.hit)
    assert words.count("命中") == hits and words.count("未命中") == len(scored) - hits
    title = fig._suptitle.get_text()
    assert f"{len(scored)}项中命中{hits}项" in title
    assert f"另有{len(items) - len(scored)}项在模拟时段之外，未评分" in title
    ylabels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    # the record's label.zh (the three-party talks, 2003-04, lie outside the window: no row)
    assert ylabels[:2] == ["第一轮 - 会议", "第二轮 - 会议"]
    assert any(s.startswith("朝鲜中止参加会谈（2004）") for s in ylabels)
    for english in ("no document", "chairman's statement", "no held session", "never"):
        assert not any(english in w for w in words), english


@needs_cjk
def test_zh_draw_figures_and_cli_plot_write_six_files_quietly(result, record, tmp_path, capsys):
    from sixparty.cli import main
    from sixparty.outputs import write_run

    (tmp_path / "a").mkdir()
    names = plots.draw_figures(tables_from_result(result), tmp_path / "a", lang="zh", record=record)
    assert sorted(names) == sorted(f"{n}.png" for n in plots.FIGURES)
    run_dir = tmp_path / "run"
    write_run(result, run_dir, extra_writers=[plots.figures_writer(lang="zh")])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["plot", str(run_dir), "--lang", "zh", "--out", str(tmp_path / "b")]) == 0
    assert not [w for w in caught if "missing from font" in str(w.message)]
    assert "CJK" not in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == sorted(names)


# ------------------------------------------------------------ without a CJK font
def test_no_cjk_font_falls_back_to_english_with_one_message(
    tables, record, tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr(plots, "find_cjk_font", lambda: None)
    names = plots.draw_figures(tables, tmp_path, lang="zh", record=record)
    assert sorted(names) == sorted(f"{n}.png" for n in plots.FIGURES)
    err = capsys.readouterr().err
    assert err.count("no CJK font") == 1, err
    assert "apt-get install fonts-noto-cjk" in err and "English labels" in err
    figs = plots.build_figures(tables, record, lang="zh")
    capsys.readouterr()
    assert figs["positions"]._suptitle.get_text().startswith(plots.LABELS["en"]["positions_title"])
    assert plots.LABELS["en"]["doc"]["chairmans_statement"] in "\n".join(_texts(figs["timeline"]))
    for name, fig in figs.items():
        # no box-drawn Chinese anywhere: every text is English (event titles are English anyway)
        cjk = [s for s in _texts(fig) if CJK.search(s)]
        assert not cjk, f"{name}: {cjk[:3]}"
        fams = {f for t in fig.findobj(Text) for f in t.get_fontproperties().get_family()}
        assert not any("CJK" in f for f in fams)


def test_no_cjk_font_single_figure_and_sixparty_run_exit_0(
    scenario_file, tmp_path, capsys, monkeypatch, tables
):
    from sixparty.cli import main

    monkeypatch.setattr(plots, "find_cjk_font", lambda: None)
    fig = plots.plot_ledger(tables, lang="zh")
    assert "tonnes" in fig.axes[1].get_ylabel()
    assert "fonts-noto-cjk" in capsys.readouterr().err
    out = tmp_path / "run"
    assert main(["run", str(scenario_file), "--lang", "zh", "--out", str(out), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert err.count("no CJK font") == 1 and "Traceback" not in err
    assert (out / "timeline.csv").is_file()
    assert all((out / f"{n}.png").is_file() for n in plots.FIGURES)


@needs_cjk
def test_zh_positions_use_the_party_palette_and_line_styles(tables):
    from matplotlib.lines import Line2D

    L = plots.labels("zh")
    fig = plots.plot_positions(tables, lang="zh")
    names = {L["party"][p]: p for p in PARTIES}
    lines = [ln for ln in fig.axes[0].get_lines() if ln.get_label() in names]
    assert len(lines) == len(PARTIES)
    for ln in lines:
        p = names[ln.get_label()]
        assert matplotlib.colors.to_hex(ln.get_color()).upper() == plots.PARTY_COLORS[p]
        probe = Line2D([], [], linestyle=plots.PARTY_LINESTYLES[p])
        assert ln._unscaled_dash_pattern == probe._unscaled_dash_pattern


@needs_cjk
def test_zh_timeline_key_caption_says_which_titles_are_chinese(tables, record):
    """The event key's caption is true of the titles below it: Chinese ones (title_zh)
    are not said to be "kept in English"; titles without a Chinese version are said
    to be the file's own text."""

    import dataclasses

    def caption(events) -> str:
        fig = plots.plot_timeline(dataclasses.replace(tables, events=events), record, lang="zh")
        titles = [ax.get_title(loc="left") for ax in fig.axes]
        return next(t for t in titles if "外部事件" in t)

    ev = tables.events.copy()
    assert (ev["title_zh"] == "").all()
    assert "情景文件原文" in caption(ev) and "中文标题" not in caption(ev)
    ev["title_zh"] = [f"事件{i}" for i in range(len(ev))]
    full = caption(ev)
    assert "中文标题" in full and "原文" not in full and "英文" not in full
    ev.loc[ev.index[0], "title_zh"] = ""
    assert "无中文标题的保留原文" in caption(ev)
