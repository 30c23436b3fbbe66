"""Figures of a run: positions, timeline, ledger, trust, scorecard, utilities.

Six figures, drawn with matplotlib's object API on the Agg canvas (no
display, no pyplot state), from :class:`analysis.runfiles.RunTables`:

==================  ==========================================================
``positions``       one panel per issue, one line per party, sessions shaded,
                    exogenous events marked, the meaning of 0 and 1 written
``timeline``        sessions as bars coloured by document type, suspensions,
                    boycotts and walk-outs as spans, exogenous events as
                    numbered markers with a key; the record on a second row
``ledger``          denuclearization progress (left axis) and aid in tonnes
                    HFO-equivalent (right axis), pledged vs delivered
``trust``           the 6x6 trust matrix at a few dates, DPRK-US trust over time
``scorecard``       each record item: recorded vs simulated, hit or miss
``utilities``       each party's utility of each held session's text, with the
                    Nash product and the Pareto distance (:mod:`sixparty.analysis.quality`)
==================  ==========================================================

Every party has one colour and one line style everywhere (:data:`PARTY_COLORS`,
Okabe & Ito 2008, "Color Universal Design", colour-blind safe;
:data:`PARTY_LINESTYLES`; both through :func:`party_style`), so lines differ
even where two colours look alike or the figure is printed in grey.  All text is looked up in
:data:`LABELS` by language (``"en"``, ``"zh"``; a missing key falls back to
English).  The Chinese party, issue and document names are those of
:data:`analysis.i18n.LABELS` (one place per term); the strings only figures
use are in ``LABELS["zh"]`` here.  Event titles come from the scenario and are
shown as written (English); a Chinese figure says so in the event key.

Chinese needs a CJK font (:func:`analysis.i18n.find_cjk_font`).  It is set for
the figures only (``matplotlib.rc_context``, never the global rcParams).
Without one the figures are drawn with English labels and one message on
stderr says what to install (:data:`analysis.i18n.CJK_FONT_HINT`); nothing
raises, so ``sixparty run --lang zh`` still writes its data files and exits 0.

Entry points: :func:`draw_figures` (tables -> files), :func:`figures_writer`
(a run-folder writer for ``sixparty run``) and :func:`cli_plot` (``sixparty
plot RUN_DIR``).
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import io
import json
import os
import re
import struct
import sys
import textwrap
import zlib
from pathlib import Path

import matplotlib
import matplotlib.dates as mdates
import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedFormatter, FixedLocator, FuncFormatter
from sixparty.analysis.i18n import CJK_FONT_HINT, find_cjk_font
from sixparty.analysis.i18n import LABELS as TERMS
from sixparty.analysis.runfiles import (
    NotARunFolder,
    RunTables,
    day_of,
    month_end,
    month_number,
    month_start,
    read_run,
)
from sixparty.scenario import ISSUE_SCALES, ISSUES, PARTIES

FORMATS = ("png", "svg", "pdf")
#: Resolution of saved figures (dots per inch).
SAVE_DPI = 110
#: zlib level of the PNG files' pixel data (0-9; zlib's default is 6): level 3, with the
#: rows unfiltered (:func:`_png_bytes`), writes the six figures of a historical run in
#: about the size level 6 gives them, in about half the time (benchmarks/README.md).
PNG_COMPRESS_LEVEL = 3
#: Text chunk of every PNG (the only one; no time stamp, so the same run gives the same bytes).
PNG_METADATA = {"Software": "sixparty/matplotlib"}
FIGURES = ("positions", "timeline", "ledger", "trust", "scorecard", "utilities")

#: Okabe-Ito colours, one per party, used in every figure.  ROK is black, not
#: sky blue: sky blue and the US's blue are hard to tell apart (CIE76 colour
#: difference 26, the smallest of the palette); every pair here differs by >= 33.
PARTY_COLORS: dict[str, str] = {
    "DPRK": "#D55E00",  # vermillion
    "US": "#0072B2",  # blue
    "China": "#E69F00",  # orange
    "ROK": "#000000",  # black
    "Japan": "#CC79A7",  # reddish purple
    "Russia": "#009E73",  # bluish green
}
#: One line style per party (matplotlib dash patterns, scaled by the line width):
#: lines differ without colour too (vermillion/orange, grey print, projectors).
PARTY_LINESTYLES: dict[str, str | tuple] = {
    "DPRK": "-",  # solid
    "US": (0, (7, 1.5)),  # long dashes
    "China": (0, (3, 1.5)),  # short dashes
    "ROK": (0, (6, 1.5, 1.5, 1.5)),  # dash-dot
    "Japan": (0, (1, 1.2)),  # dotted
    "Russia": (0, (6, 1.5, 1.5, 1.5, 1.5, 1.5)),  # dash-dot-dot
}


def party_style(party: str) -> dict:
    """``{"color", "linestyle"}`` of a party's lines (for ``Axes.plot`` / ``Line2D``)."""
    return {"color": PARTY_COLORS[party], "linestyle": PARTY_LINESTYLES[party]}


#: Document types on an ordered light-to-dark scale (ColorBrewer Blues).
DOC_COLORS: dict[str, str] = {
    "none": "#d9d9d9",
    "oral_summary": "#c6dbef",
    "chairmans_statement": "#6baed6",
    "joint_statement": "#2171b5",
    "joint_document": "#08306b",
}
HIT_COLOR, MISS_COLOR = "#009E73", "#D55E00"
SESSION_SHADE = "#e6e6e6"
SPAN_COLORS = {"suspended": "#E69F00", "boycott": "#CC79A7", "walked_out": "#000000"}
EPISODE_MARKERS = {
    "suspension": "<",
    "walkout": ">",
    "shutdown": "s",
    "disablement_start": "D",
    "disablement_slowed": "v",
    "declaration": "P",
    "disablement_suspended": "X",
    "delisting": "o",
    "missile_test": "^",
    "nuclear_test": "*",
}

LABELS: dict[str, dict] = {
    "en": {
        "party": {
            "DPRK": "DPRK",
            "US": "US",
            "China": "China",
            "ROK": "ROK",
            "Japan": "Japan",
            "Russia": "Russia",
        },
        "issue": {
            "denuclearization": "Denuclearization",
            "security_assurance": "Security assurance",
            "energy_aid": "Energy aid",
            "normalization": "Normalization",
            "sanctions_relief": "Sanctions relief",
            "lwr": "Light-water reactor",
            "verification": "Verification",
            "format": "Format",
            "sequence": "Sequence",
        },
        # what 0 and 1 mean, shortened from sixparty.scenario.ISSUE_SCALES
        "scale": {
            "denuclearization": ("freeze only, deterrent kept", "CVID: abandon all"),
            "security_assurance": ("no assurance", "written non-aggression treaty"),
            "energy_aid": ("no aid", "large HFO aid up front"),
            "normalization": ("no steps", "full US/Japan-DPRK normalization now"),
            "sanctions_relief": ("sanctions kept and widened", "all lifted, delisted"),
            "lwr": ("no LWR, no peaceful use", "LWR before NPT return"),
            "verification": ("self-declaration only", "intrusive IAEA verification"),
            "format": ("strictly multilateral", "direct US-DPRK talks"),
            "sequence": ("simultaneous: action for action", "dismantlement before any reward"),
        },
        "doc": {
            "none": "no document",
            "oral_summary": "oral summary",
            "chairmans_statement": "chairman's statement",
            "joint_statement": "joint statement",
            "joint_document": "joint document",
        },
        "doc_abbr": {
            "none": "-",
            "oral_summary": "OS",
            "chairmans_statement": "CS",
            "joint_statement": "JS",
            "joint_document": "JD",
        },
        "episode": {
            "suspension": "DPRK suspends participation",
            "walkout": "DPRK walks out",
            "shutdown": "Yongbyon shut down",
            "disablement_start": "disablement starts",
            "disablement_slowed": "disablement slowed",
            "declaration": "declaration",
            "disablement_suspended": "disablement suspended",
            "delisting": "US delists the DPRK",
            "missile_test": "missile test",
            "nuclear_test": "nuclear test",
            "boycott": "boycott",
        },
        "span": {
            "suspended": "DPRK participation suspended",
            "boycott": "invitation declined (boycott)",
            "walked_out": "DPRK has walked out",
        },
        "date_axis": "date (year)",
        "run": "{name}, seed {seed}",
        "session_shade": "session held (month)",
        "event_line": "exogenous event",
        "positions_title": "Positions on the nine issues",
        "positions_y": "position (0-1)",
        # a run folder written before this issue existed (docs/outputs.md)
        "not_recorded": "not recorded in this run\n(written before this issue existed)",
        "scale_line": "0 = {zero}  |  1 = {one}",
        "timeline_title": "Sessions, documents and episodes: simulated vs recorded",
        "lanes": (
            "recorded episodes",
            "recorded sessions",
            "simulated episodes",
            "simulated sessions",
            "exogenous events",
        ),
        "declined": "invitation declined",
        "event_key": "Exogenous events (numbers above)",
        "event_key_mixed": "Exogenous events (numbers above)",
        "event_key_original": "Exogenous events (numbers above)",
        "ledger_title": "Action for action: DPRK steps against reciprocal aid",
        "progress_y": "denuclearization progress (share, 0-1)",
        "tonnes_y": "aid, cumulative (tonnes HFO-equivalent)",
        "progress_delivered": "DPRK progress performed",
        "progress_pledged": "DPRK progress pledged",
        "aid_delivered": "aid delivered",
        "aid_pledged": "aid pledged",
        "aid_by": "aid delivered by {party}",
        "record_hfo": "HFO delivered (record)",
        "delisting_sim": "US delisting (simulated)",
        "delisting_rec": "US delisting (record)",
        "phase_adopted": "joint document adopts a phase",
        "nothing_pledged": "No joint document adopted a phase: nothing was pledged.",
        "trust_title": "Trust between the parties",
        "trust_row": "trusting party",
        "trust_col": "trust in (party)",
        "trust_cbar": "trust (0-1, mean of a Beta belief)",
        "trust_y": "trust (0-1)",
        "trust_dprk_us": "DPRK's trust in the US",
        "trust_us_dprk": "US trust in the DPRK",
        "mean_trust": "mean of all 30 pairs",
        "heatmap_date": "heatmap date",
        "scorecard_title": "Replay scorecard (strict): {hits} of {n} items hit",
        "scorecard_outside": " ({m} items outside the window not scored)",
        "recorded": "recorded",
        "simulated_hit": "simulated (hit)",
        "simulated_miss": "simulated (miss)",
        "tolerance": "tolerance window",
        "hit": "hit",
        "miss": "miss",
        "sc_columns": ("recorded", "simulated"),
        "kind_session": "session",
        "kind_document": "document",
        "utilities_title": "Each party's utility of each session's text",
        "utility_y": "utility of the final text (0-1)",
        "quality_y": "value (utility units, 0-1)",
        "session_x": "held session (S = the run's session number, month, document: {abbr})",
        "nash": "Nash product (disagreement point 0)",
        "pareto": "distance from the Pareto frontier of the drafts",
        "no_sessions": "No session was held.",
        "no_record": "no historical record available",
        # a held session as the run's summary numbers it (not a historical round)
        "session_tick": "S{n}",
        "year_suffix": " ({year})",
        "list_sep": ", ",
        "sc_text": (),
        # ConciseDateFormatter formats (years, months, days, hours, minutes, seconds); None:
        # matplotlib's defaults
        "date_formats": None,
        "date_zero_formats": None,
    },
    # Party, issue and document names: analysis.i18n (the narration's terms), added below.
    "zh": {
        "scale": {
            "denuclearization": (
                "仅冻结，保留核威慑",
                "以“全面、不可逆转和可验证”的方式放弃一切核武器及核计划",
            ),
            "security_assurance": ("不提供安全保证", "书面互不侵犯条约"),
            "energy_aid": ("不提供援助", "先期提供大量重油"),
            "normalization": ("不采取步骤", "美日与朝鲜立即全面关系正常化"),
            "sanctions_relief": ("维持并扩大制裁", "全部解除并除名"),
            "lwr": ("无轻水反应堆，不和平利用核能", "重返《不扩散核武器条约》前提供轻水反应堆"),
            "verification": ("仅自行申报", "国际原子能机构严格核查"),
            "format": ("严格多边", "美朝直接会谈"),
            "sequence": ("同时、分阶段：行动对行动", "先弃核后回报"),
        },
        "doc_abbr": {
            "none": "—",
            "oral_summary": "口头",
            "chairmans_statement": "主席",
            "joint_statement": "声明",
            "joint_document": "文件",
        },
        "episode": {
            "suspension": "朝鲜中止参加会谈",
            "walkout": "朝鲜退出会谈",
            "shutdown": "关闭宁边核设施",
            "disablement_start": "去功能化开始",
            "disablement_slowed": "去功能化放缓",
            "declaration": "朝鲜申报核计划",
            "disablement_suspended": "暂停去功能化",
            "delisting": "美国将朝鲜除名",
            "missile_test": "导弹试验",
            "nuclear_test": "核试验",
            "boycott": "抵制",
        },
        "span": {
            "suspended": "朝鲜中止参加会谈期间",
            "boycott": "拒绝出席（抵制）",
            "walked_out": "朝鲜已退出会谈",
        },
        "date_axis": "日期（年份）",
        "run": "{name}，随机种子 {seed}",
        "session_shade": "举行会议的月份",
        "event_line": "外部事件",
        "positions_title": "各方在九个议题上的立场",
        "positions_y": "立场（0–1）",
        "not_recorded": "本次运行未记录\n（写于此议题设立之前）",
        "scale_line": "0 = {zero}  |  1 = {one}",
        "timeline_title": "会议、文件与关键行动：模拟与历史记录",
        "lanes": (
            "历史记录：关键行动",
            "历史记录：会议",
            "模拟：关键行动",
            "模拟：会议",
            "外部事件",
        ),
        "declined": "拒绝出席",
        # the key's caption says which titles are Chinese (the scenario's title_zh)
        # and which are quoted as the scenario file wrote them
        "event_key": "外部事件（编号见上图；标题取自情景文件的中文标题）",
        "event_key_mixed": "外部事件（编号见上图；标题取自情景文件的中文标题，无中文标题的保留原文）",
        "event_key_original": "外部事件（编号见上图；标题为情景文件原文，未译成中文）",
        "ledger_title": f"{TERMS['zh']['action_for_action']}：朝鲜的步骤与对等援助",
        "progress_y": "无核化进展（比例，0–1）",
        "tonnes_y": f"累计援助，{TERMS['zh']['tonnes_hfo']}",
        "progress_delivered": "朝鲜已完成的进展",
        "progress_pledged": "朝鲜承诺的进展",
        "aid_delivered": TERMS["zh"]["aid_delivered"],
        "aid_pledged": TERMS["zh"]["aid_pledged"],
        "aid_by": "{party}已交付援助",
        "record_hfo": "已交付重油（历史记录）",
        "delisting_sim": "美国除名（模拟）",
        "delisting_rec": "美国除名（历史记录）",
        "phase_adopted": "共同文件通过一个阶段",
        "nothing_pledged": "没有共同文件通过任何阶段：无任何承诺。",
        "trust_title": "各方之间的信任",
        "trust_row": "信任方",
        "trust_col": "被信任方",
        "trust_cbar": "信任（0–1，Beta 信念的均值）",
        "trust_y": "信任（0–1）",
        "trust_dprk_us": "朝鲜对美国的信任",
        "trust_us_dprk": "美国对朝鲜的信任",
        "mean_trust": f"{TERMS['zh']['mean_trust']}（全部30对）",
        "heatmap_date": "热图日期",
        "scorecard_title": "历史回放评分（严格）：{n}项中命中{hits}项",
        "scorecard_outside": "（另有{m}项在模拟时段之外，未评分）",
        "recorded": "历史记录",
        "simulated_hit": "模拟（命中）",
        "simulated_miss": "模拟（未命中）",
        "tolerance": "容差窗口",
        "hit": "命中",
        "miss": "未命中",
        "sc_columns": ("历史记录", "模拟结果"),
        "kind_session": "会议",
        "kind_document": "文件",
        "utilities_title": "各方对每次会议文本的效用",
        "utility_y": "最终文本的效用（0–1）",
        "quality_y": "数值（效用单位，0–1）",
        "session_x": "举行的会议（本次模拟的会议序号，月份，文件：{abbr}）",
        "nash": "纳什积（谈判破裂点为0）",
        "pareto": "与各草案帕累托前沿的距离",
        "no_sessions": "未举行任何会议。",
        "no_record": "无可用的历史记录",
        "session_tick": "第{n}次",
        "year_suffix": "（{year}）",
        "list_sep": "；",
        # years bare (the axis label says 年份; "2003年" ticks crowd the 4 x 2 panels)
        "date_formats": ["%Y", "%m月", "%m-%d", "%H:%M", "%H:%M", "%S.%f"],
        "date_zero_formats": ["", "%Y", "%m月", "%m-%d", "%H:%M", "%H:%M"],
        # the scorecard's recorded/simulated texts (analysis.scorecard, English): regex -> zh
        "sc_text": (
            (r"no held session within ±(\d+) months?", r"±\1个月内未举行会议"),
            (r"no matched session", "无对应的模拟会议"),
            (r"nearest (\S+) \(outside ±(\d+) months\)", r"最近一次 \1（超出±\2个月）"),
            (r"\(already matched to another record item\)", "（已与另一记录项匹配）"),
            (r"^never$", "从未发生"),
            (
                r": wrong document; one rank away \(near miss\)",
                "：文件类型不符（相差一级，近似命中）",
            ),
            (r": wrong document", "：文件类型不符"),
            (
                r"wrong content: adopts phase (\d+), recorded phase (\d+)",
                r"内容不符：通过第\1阶段，记录为第\2阶段",
            ),
            (
                r"wrong content: adopts no phase, recorded phase (\d+)",
                r"内容不符：未通过任何阶段，记录为第\1阶段",
            ),
            (r", adopts phase (\d+)", r"，通过第\1阶段"),
            (r"cause (\S+), recorded (\S+)", r"原因 \1，记录为 \2"),
            (r"phase under way (\S+), recorded (\d+)", r"进行中的阶段 \1，记录为 \2"),
            (r"a session held inside the span \(([^)]*)\)", r"期间举行了会议（\1）"),
            (r"ends (\S+), recorded end (\S+)", r"结束于 \1，记录为 \2"),
            (r"no absence spell starting within ±(\d+) months", r"±\1个月内未开始缺席"),
        ),
    },
}
for _key, _names in (("party", PARTIES), ("issue", ISSUES), ("doc", tuple(DOC_COLORS))):
    LABELS["zh"][_key] = {k: TERMS["zh"][k] for k in _names}


def labels(lang: str = "en") -> dict:
    """The label dict for ``lang``, English for any missing key."""
    base = dict(LABELS["en"])
    base.update(LABELS.get(lang, {}))
    return base


def figure_lang(lang: str) -> tuple[str, str | None]:
    """``(language to draw, CJK font family or None)`` for a requested ``lang``.

    ``"zh"`` with an installed CJK font gives ``("zh", font)``; ``"zh"``
    without one prints :data:`analysis.i18n.CJK_FONT_HINT` on stderr and
    gives ``("en", None)`` (English labels rather than boxes).  Any other
    language is returned unchanged with no font.
    """
    if lang != "zh":
        return lang, None
    font = find_cjk_font()
    if font is None:
        print(
            f"sixparty: warning: {CJK_FONT_HINT}. The figures are drawn with English labels "
            "instead.",
            file=sys.stderr,
        )
        return "en", None
    return "zh", font


# ----------------------------------------------------------------- helpers
def _rc(lang: str, font: str | None = None) -> dict:
    """rcParams for a figure: sizes, stable SVG ids, unhinted text and, with ``font``, a
    CJK family first.

    The family list keeps DejaVu Sans after the CJK font so a glyph the CJK
    font lacks falls back instead of drawing a box.
    """
    rc = {
        "font.size": 10,
        "axes.titlesize": 11,
        "axes.labelsize": 10,
        "legend.fontsize": 9,
        "svg.hashsalt": "sixparty",
        "svg.fonttype": "none",
        # Glyphs rasterised from their outlines as designed, without FreeType's hinting
        # (as SVG and PDF viewers draw them): the same texts, a few pixels' difference,
        # and some 15 % less CPU to save the six PNGs (benchmarks/README.md).
        "text.hinting": "no_hinting",
        # Titles sit at the top of their axes (y = 1 plus the title pad), where
        # matplotlib's automatic placement puts them in these figures, whose x axes are
        # labelled at the bottom: no automatic placement, which measured every titled
        # panel's y tick labels at each drawing (same pixels, tested).
        "axes.titley": 1.0,
    }
    if font:
        rc["font.family"] = [font, "DejaVu Sans"]
        rc["axes.unicode_minus"] = False
    return rc


def _in_lang(func):
    """Draw ``func``'s figure in its ``lang`` argument: :func:`figure_lang`, then
    ``func`` inside ``rc_context(_rc(...))`` so every text gets the CJK font."""
    sig = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        lang, font = figure_lang(bound.arguments["lang"])
        bound.arguments["lang"] = lang
        with matplotlib.rc_context(_rc(lang, font)):
            return func(*bound.args, **bound.kwargs)

    return wrapper


# ------------------------------------------------------------- fixed layout
# The figures are laid out by fixed margins in inches instead of matplotlib's
# constrained layout, which measured every tick label and text of a figure twice
# before drawing it (about a third of the figures' CPU time).  Margins that depend
# on the text (lane names, legends, scorecard rows, the language) are measured from
# those texts alone (:func:`_text_width`); the others hold the tick labels and axis
# labels at the sizes of :func:`_rc`.  ``tests/test_plots.py`` checks on every figure,
# in English and Chinese, that no text leaves the figure or overlaps another panel.
PAD = 0.08  # inches between a text block and the figure's edge or the next block


def _measurer(dpi: float = SAVE_DPI):
    """An Agg renderer to measure texts with (no canvas; size-independent)."""
    from matplotlib.backends.backend_agg import RendererAgg

    return RendererAgg(1, 1, dpi)


def _text_width(texts, size: float, weight: str = "normal") -> float:
    """Width in inches of the widest of ``texts`` at ``size`` points, in the current
    font family (rcParams, so inside :func:`_rc`'s context the figure's)."""
    from matplotlib.font_manager import FontProperties

    renderer = _measurer()
    prop = FontProperties(size=size, weight=weight)
    widest = 0.0
    for text in texts:
        for line in str(text).split("\n"):
            if line:
                w, _h, _d = renderer.get_text_width_height_descent(line, prop, ismath=False)
                widest = max(widest, w)
    return widest / SAVE_DPI


def _artist_size(artist) -> tuple[float, float]:
    """(width, height) in inches of a legend or text as it will be drawn."""
    dpi = artist.get_figure(root=True).dpi
    bbox = artist.get_window_extent(_measurer(dpi))
    return bbox.width / dpi, bbox.height / dpi


def _regrid(fig: Figure, gs, **kw) -> None:
    """Move ``gs`` (a figure's gridspec) to the margins ``kw`` (:func:`_grid`), with
    the axes already placed on it (``GridSpec.update`` moves only pyplot's)."""
    gs.update(**kw)
    for ax in fig.axes:
        spec = ax.get_subplotspec()
        if spec is not None and spec.get_topmost_subplotspec().get_gridspec() is gs:
            ax.set_position(spec.get_position(fig))


def _grid(
    fig: Figure,
    left: float,
    right: float,
    bottom: float,
    top: float,
    nrows: int = 1,
    ncols: int = 1,
    wgap: float = 0.0,
    hgap: float = 0.0,
    height_ratios=None,
    width_ratios=None,
) -> dict:
    """Gridspec keywords placing an ``nrows`` x ``ncols`` grid by margins and gaps in
    inches (``subplots_adjust`` takes fractions of the figure and of the mean panel)."""
    W, H = fig.get_size_inches()
    panel_w = (W - left - right - (ncols - 1) * wgap) / ncols
    panel_h = (H - bottom - top - (nrows - 1) * hgap) / nrows
    kw = {
        "left": left / W,
        "right": 1 - right / W,
        "bottom": bottom / H,
        "top": 1 - top / H,
        "wspace": wgap / panel_w,
        "hspace": hgap / panel_h,
    }
    if height_ratios is not None:
        kw["height_ratios"] = height_ratios
    if width_ratios is not None:
        kw["width_ratios"] = width_ratios
    return kw


def _rect(fig: Figure, left: float, bottom: float, width: float, height: float) -> list:
    """``fig.add_axes`` rectangle from inches."""
    W, H = fig.get_size_inches()
    return [left / W, bottom / H, width / W, height / H]


def _suptitle(fig: Figure, text: str, size: float = 13) -> None:
    """The figure's title, its top :data:`PAD` below the top edge."""
    H = fig.get_size_inches()[1]
    fig.suptitle(text, fontsize=size, y=1 - PAD / H, va="top")


def _bottom_legend(fig: Figure, handles: list, ncol: int, **kwargs):
    """A legend centred at the bottom of the figure (what constrained layout's
    ``loc="outside lower center"`` drew); its height is kept free by the caller."""
    H = fig.get_size_inches()[1]
    return fig.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, PAD / 2 / H),
        ncol=ncol,
        frameon=False,
        borderaxespad=0,
        **kwargs,
    )


def _date_axis(ax, L: dict, label: bool = True) -> None:
    loc = mdates.AutoDateLocator(minticks=4, maxticks=12)
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(
        mdates.ConciseDateFormatter(
            loc, formats=L["date_formats"], zero_formats=L["date_zero_formats"], show_offset=False
        )
    )
    if label:
        ax.set_xlabel(L["date_axis"])


def _window(tables: RunTables) -> tuple[dt.date, dt.date]:
    months = tables.months
    return month_start(months[0]), month_end(months[-1])


def _dates(months) -> list[dt.date]:
    return [month_start(m) for m in months]


def _mid(month: str) -> dt.date:
    return day_of(str(month)[:7])


def _shade_sessions(ax, tables: RunTables) -> None:
    """Shade each month with a held session, full height (one collection, not a
    patch per month: the same picture as ``axvspan`` at a fraction of the cost)."""
    held = tables.held
    if held.empty:
        return
    spans = [(month_start(m), month_end(m) - month_start(m)) for m in sorted(set(held["month"]))]
    ax.broken_barh(
        spans,
        (0, 1),
        transform=ax.get_xaxis_transform(which="grid"),
        facecolors=SESSION_SHADE,
        zorder=0,
        lw=0,
    )


def _vlines(ax, xs, **kwargs) -> None:
    """Full-height vertical lines at the dates ``xs``, as one LineCollection
    (what ``axvline`` draws, one artist instead of one per line)."""
    if len(xs):
        ax.vlines(
            mdates.date2num(list(xs)),
            0,
            1,
            transform=ax.get_xaxis_transform(which="grid"),
            **kwargs,
        )


def _mark_events(ax, tables: RunTables) -> None:
    lo, hi = _window(tables)
    xs = [day_of(d) for d in (tables.events["date"] if not tables.events.empty else [])]
    _vlines(
        ax,
        [x for x in xs if lo <= x <= hi],
        colors="#333333",
        lw=0.7,
        linestyles=":",
        alpha=0.8,
        zorder=1,
    )


def _run_title(tables: RunTables, L: dict) -> str:
    return L["run"].format(name=tables.scenario_name or "run", seed=tables.seed)


def _party_handles(L: dict) -> list:
    return [Line2D([], [], lw=2, label=L["party"][p], **party_style(p)) for p in PARTIES]


def _thousands(x, _pos=None) -> str:
    return f"{x:,.0f}"


# --------------------------------------------------------------- positions
@_in_lang
def plot_positions(tables: RunTables, lang: str = "en") -> Figure:
    """One panel per issue (two columns, ``ceil(len(ISSUES) / 2)`` rows: 5 x 2 for the
    nine issues, the spare panel removed), one line per party; sessions shaded, events
    dotted."""
    L = labels(lang)
    ncols = 2
    nrows = -(-len(ISSUES) // ncols)
    # 3.25 in a row: the 13 in of the four-row figure of the eight issues
    fig = Figure(figsize=(14, 3.25 * nrows))
    # Every panel spans the same window and the same 0-1 scale: the years are labelled
    # under the bottom row and the scale left of the left column only (the other panels
    # keep their tick marks).  Repeating them on all eight panels added some 100 texts
    # that carried no information and a quarter of the figure's drawing time.
    # Margins (inches): the scale and its label left, the years, the date label and the
    # legend below, the title and the first row's two-line panel titles above.
    axes = fig.subplots(
        nrows,
        ncols,
        sharex=True,
        sharey=True,
        gridspec_kw=_grid(fig, 0.6, 0.22, 0.8, 0.7, nrows=nrows, ncols=ncols, wgap=0.45, hgap=0.5),
    )
    for ax in axes.flat[len(ISSUES) :]:
        ax.remove()
    pos = tables.positions
    lo, hi = _window(tables)
    # one pass over the table: (issue, party) -> (months, positions)
    series = {}
    if not pos.empty:
        for (issue, p), s in pos.groupby(["issue", "party"], sort=False):
            series[(issue, p)] = (s["month"], s["position"])
    for k, issue in enumerate(ISSUES):
        ax = axes.flat[k]
        _shade_sessions(ax, tables)
        _mark_events(ax, tables)
        if series and not any((issue, p) in series for p in PARTIES):
            # an older run folder has no rows for an issue added since (sequence)
            ax.text(
                0.5,
                0.5,
                L["not_recorded"],
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=9,
                color="#666666",
            )
        for p in PARTIES:
            if (issue, p) not in series:
                continue
            months, values = series[(issue, p)]
            ax.plot(
                [month_start(m) for m in months],
                values,
                lw=1.8,
                label=L["party"][p],
                **party_style(p),
            )
        zero, one = L["scale"].get(issue, ISSUE_SCALES[issue])
        ax.set_title(
            f"{L['issue'][issue]}\n" + L["scale_line"].format(zero=zero, one=one), fontsize=10
        )
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlim(lo, hi)
        if k % ncols == 0:
            ax.set_ylabel(L["positions_y"])
        # the years under the last panel of each column (shared x hides the rest)
        last = k + ncols >= len(ISSUES)
        if last:
            ax.xaxis.set_tick_params(labelbottom=True)
        _date_axis(ax, L, label=last)
        ax.grid(axis="y", color="#cccccc", lw=0.5)
    handles = _party_handles(L) + [
        Patch(color=SESSION_SHADE, label=L["session_shade"]),
        Line2D([], [], color="black", lw=0.8, ls=":", label=L["event_line"]),
    ]
    _suptitle(fig, f"{L['positions_title']} - {_run_title(tables, L)}")
    _bottom_legend(fig, handles, ncol=8, handlelength=3.5)
    return fig


# ---------------------------------------------------------------- timeline
def _runs(months: list[str], flags: list[bool]) -> list[tuple[str, str]]:
    """Contiguous runs (first month, last month) where ``flags`` is true."""
    out: list[tuple[str, str]] = []
    prev = None
    for m, f in zip(months, flags, strict=True):
        if f:
            if (
                out
                and prev is not None
                and month_number(m) == month_number(prev) + 1
                and prev == out[-1][1]
            ):
                out[-1] = (out[-1][0], m)
            else:
                out.append((m, m))
        prev = m
    return out


def simulated_spans(tables: RunTables) -> dict[str, list[tuple[str, str]]]:
    """Month runs of the DPRK's suspension, boycotts and walk-out in the run."""
    tl = tables.timeline
    months = list(tl["month"])
    return {
        "suspended": _runs(months, [s == "suspended" for s in tl["dprk_stance"]]),
        "boycott": _runs(months, [s == "boycott" for s in tl["talks_status"]]),
        "walked_out": _runs(months, [s == "walked_out" for s in tl["dprk_stance"]]),
    }


def record_spans(record: dict, window_end: dt.date) -> dict[str, list[tuple[dt.date, dt.date]]]:
    """Date spans of the record: suspension (until the next recorded session),
    boycott (start..end), walk-out (until the end of the window)."""
    sessions = sorted(day_of(s["start"]) for s in record.get("sessions", []))
    out: dict[str, list] = {"suspended": [], "boycott": [], "walked_out": []}
    for e in record.get("episodes", []):
        start = day_of(e["start"])
        if e["kind"] == "suspension":
            nxt = [d for d in sessions if d > start]
            out["suspended"].append((start, nxt[0] if nxt else start + dt.timedelta(days=60)))
        elif e["kind"] == "boycott":
            out["boycott"].append((start, day_of(e.get("end") or e["start"])))
        elif e["kind"] == "walkout":
            out["walked_out"].append((start, max(window_end, start + dt.timedelta(days=60))))
    return out


def _event_levels(xs: list[dt.date], gap_days: float, n_levels: int = 4) -> list[int]:
    last: list[dt.date | None] = [None] * n_levels
    out = []
    for x in xs:
        free = [k for k in range(n_levels) if last[k] is None or (x - last[k]).days >= gap_days]
        k = free[0] if free else min(range(n_levels), key=lambda j: last[j])
        last[k] = x
        out.append(k)
    return out


def _draw_markers(ax, marks: list, y: float, span_days: float) -> set[str]:
    """Episode markers on a lane; markers closer than ~1/70 of the window are
    staggered vertically so none hides another.  Returns the kinds drawn."""
    marks = sorted(marks, key=lambda t: (t[0], t[1]))
    levels = _event_levels([x for x, _ in marks], gap_days=span_days / 70, n_levels=3)
    offsets = (0.0, 0.17, -0.17)
    for (x, kind), lev in zip(marks, levels, strict=True):
        ax.scatter(
            [x],
            [y + offsets[lev]],
            marker=EPISODE_MARKERS[kind],
            s=55,
            color="white",
            edgecolors="black",
            linewidths=1.0,
            zorder=4,
        )
    return {kind for _, kind in marks}


@_in_lang
def plot_timeline(tables: RunTables, record: dict | None = None, lang: str = "en") -> Figure:
    """Sessions (bars by document), spans and events; the record as a second row.

    Lanes from the top: exogenous events (numbered, key below), simulated
    sessions, simulated episodes, recorded sessions, recorded episodes.
    """
    from sixparty.analysis.scorecard import RunRecords, episode_months

    L = labels(lang)
    lo, hi = _window(tables)
    events = tables.events
    if not events.empty:
        events = events[[lo <= day_of(d) < hi for d in events["date"]]]
    n_ev = len(events)
    ncols = 3
    key_rows = -(-n_ev // ncols) if n_ev else 0
    fig = Figure(figsize=(15, 6.2 + 0.19 * key_rows))
    key_h = max(0.01, 0.19 * key_rows + 0.05)  # the key's rows, 0.19 inch each
    gs = fig.add_gridspec(2, 1, height_ratios=[fig.get_size_inches()[1] - 1.1 - key_h, key_h])
    ax = fig.add_subplot(gs[0])
    Y = {"rec_ep": 0.3, "rec": 1.0, "sim_ep": 2.0, "sim": 2.7, "ev": 3.55}
    span_days = (hi - lo).days
    # simulated sessions: a collection for each stretch of held (or of declined)
    # sessions, not one per bar (the same bars drawn in the same order)
    sessions = tables.sessions
    stretches: list[tuple[bool, list, list]] = []  # (held, bars, face colours)
    if not sessions.empty:
        for month, held, doc in zip(
            sessions["month"], sessions["held"], sessions["document"], strict=True
        ):
            x0, x1 = month_start(month), month_end(month)
            if not stretches or stretches[-1][0] != bool(held):
                stretches.append((bool(held), [], []))
            stretches[-1][1].append((x0, x1 - x0))
            stretches[-1][2].append(DOC_COLORS.get(doc, "#999999") if held else "white")
    for held, bars, faces in stretches:
        if held:
            ax.broken_barh(
                bars,
                (Y["sim"] - 0.3, 0.6),
                facecolors=faces,
                edgecolors="black",
                lw=0.5,
                zorder=3,
                gid="sim_session",
            )
        else:
            ax.broken_barh(
                bars,
                (Y["sim"] - 0.3, 0.6),
                facecolors=faces,
                edgecolors=MISS_COLOR,
                hatch="////",
                lw=0.8,
                zorder=3,
                gid="sim_declined",
            )
    # simulated spans and episode markers
    for status, runs in simulated_spans(tables).items():
        for a, b in runs:
            ax.broken_barh(
                [(month_start(a), month_end(b) - month_start(a))],
                (Y["sim_ep"] - 0.17, 0.34),
                facecolors=SPAN_COLORS[status],
                alpha=0.55 if status != "walked_out" else 0.35,
                lw=0,
                zorder=2,
            )
    kinds_seen: set[str] = set()
    sim_marks = []
    records = RunRecords.from_tables(tables)  # once, not once per kind (~20 ms each)
    for kind in EPISODE_MARKERS:
        for m in episode_months(records, kind):
            sim_marks.append((_mid(f"{m // 12:04d}-{m % 12 + 1:02d}"), kind))
    kinds_seen |= _draw_markers(ax, sim_marks, Y["sim_ep"], span_days)
    # record
    if record:
        bars, faces = [], []
        for s in record.get("sessions", []):
            a = day_of(s["start"])
            b = day_of(s.get("end") or s["start"]) + dt.timedelta(days=1)
            bars.append((a, max(b - a, dt.timedelta(days=28))))
            faces.append(DOC_COLORS.get(str(s.get("document")), "#999999"))
        if bars:  # one collection, the bars in the record's order
            ax.broken_barh(
                bars,
                (Y["rec"] - 0.3, 0.6),
                facecolors=faces,
                edgecolors="black",
                lw=0.5,
                zorder=3,
                gid="rec_session",
            )
        for status, spans in record_spans(record, hi).items():
            for a, b in spans:
                b = min(b, max(hi, a))
                ax.broken_barh(
                    [(a, b - a)],
                    (Y["rec_ep"] - 0.17, 0.34),
                    facecolors=SPAN_COLORS[status],
                    alpha=0.55 if status != "walked_out" else 0.35,
                    lw=0,
                    zorder=2,
                )
        rec_marks = [
            (day_of(e["start"]), e["kind"])
            for e in record.get("episodes", [])
            if e["kind"] in EPISODE_MARKERS
        ]
        kinds_seen |= _draw_markers(ax, rec_marks, Y["rec_ep"], span_days)
    else:
        ax.text(
            lo + (hi - lo) / 2,
            (Y["rec"] + Y["rec_ep"]) / 2,
            L["no_record"],
            ha="center",
            va="center",
            color="#555555",
            fontsize=10,
        )
    # exogenous events: numbered markers, staggered
    xs = [day_of(d) for d in events["date"]] if n_ev else []
    levels = _event_levels(xs, gap_days=span_days / 55)
    for i, (x, lev) in enumerate(zip(xs, levels, strict=True), start=1):
        y = Y["ev"] + 0.22 * lev
        ax.plot([x, x], [Y["sim"] + 0.32, y - 0.08], color="#777777", lw=0.5, zorder=1)
        ax.text(
            x,
            y,
            str(i),
            ha="center",
            va="center",
            fontsize=7.5,
            zorder=5,
            gid="event",
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "#555555", "lw": 0.5},
        )
    lanes = L["lanes"]
    ax.set_yticks([Y["rec_ep"], Y["rec"], Y["sim_ep"], Y["sim"], Y["ev"] + 0.33])
    ax.set_yticklabels(lanes)
    ax.axhline((Y["rec"] + Y["sim_ep"]) / 2 - 0.05, color="black", lw=0.8)
    ax.set_ylim(-0.05, Y["ev"] + 0.22 * 3 + 0.2)
    ax.set_xlim(lo, hi)
    ax.set_ylabel("")
    _date_axis(ax, L)
    ax.grid(axis="x", color="#dddddd", lw=0.5)
    ax.set_title(f"{L['timeline_title']} - {_run_title(tables, L)}")
    handles = [
        Patch(facecolor=DOC_COLORS[d], edgecolor="black", lw=0.5, label=L["doc"][d])
        for d in DOC_COLORS
    ]
    handles.append(
        Patch(facecolor="white", edgecolor=MISS_COLOR, hatch="////", label=L["declined"])
    )
    handles += [
        Patch(
            facecolor=SPAN_COLORS[k], alpha=0.55 if k != "walked_out" else 0.35, label=L["span"][k]
        )
        for k in SPAN_COLORS
    ]
    handles += [
        Line2D(
            [],
            [],
            ls="",
            marker=EPISODE_MARKERS[k],
            markerfacecolor="white",
            markeredgecolor="black",
            markersize=7,
            label=L["episode"][k],
        )
        for k in EPISODE_MARKERS
        if k in kinds_seen
    ]
    legend = ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.005, 1.0), frameon=False, fontsize=8.5
    )
    # Margins: the lane names left, the legend right (both measured), the title above,
    # the years, the date label and the key's title between the panel and the key.
    left = _text_width(lanes, 10) + 0.1 + PAD
    right = _artist_size(legend)[0] + 0.2 + PAD  # + the anchor 1.005 and the border pad
    _regrid(fig, gs, **_grid(fig, left, right, 0.04, 0.3, nrows=2, hgap=0.76))
    # key of the numbered events
    kax = fig.add_subplot(gs[1])
    kax.axis("off")
    if n_ev:
        rows = list(events.itertuples(index=False))
        zh = [bool(str(getattr(ev, "title_zh", "") or "")) for ev in rows]
        key = "event_key" if all(zh) else "event_key_mixed" if any(zh) else "event_key_original"
        kax.set_title(L[key], loc="left", fontsize=9)
        # each column's text must end before the next column starts: measured, not
        # counted (a proportional font's 56 characters vary by a fifth in width)
        col_w = kax.get_position().width * fig.get_figwidth() / ncols - 0.15
        for i, ev in enumerate(rows):
            col, row = divmod(i, key_rows)
            # the Chinese figure tells an event by its title_zh where the scenario gives one
            full = str(getattr(ev, "title_zh", "") or "") if lang == "zh" else ""
            full = full or str(ev.title)
            title = _shorten(full, 56)
            head = f"{i + 1:>2}  {ev.month}  "
            width = 56
            while width > 12 and _text_width([head + title], 7.5) > col_w:
                width -= 4
                title = _shorten(full, width)
            kax.text(
                col / ncols,
                1 - (row + 0.5) / key_rows,
                head + title,
                transform=kax.transAxes,
                fontsize=7.5,
                va="center",
                ha="left",
            )
    return fig


# ------------------------------------------------------------------ ledger
@_in_lang
def plot_ledger(tables: RunTables, record: dict | None = None, lang: str = "en") -> Figure:
    """DPRK progress (left axis) and aid tonnes (right axis), pledged vs delivered."""
    L = labels(lang)
    tl = tables.timeline
    led = tables.ledger
    dates = _dates(tl["month"])
    lo, hi = _window(tables)
    fig = Figure(figsize=(13, 6))
    ax = fig.add_subplot()
    ax2 = ax.twinx()
    _shade_sessions(ax, tables)
    pledged = np.zeros(len(dates))
    if not led.empty:
        dprk = led[led["kind"] == "dprk_action"]
        # months as text; a missing one ("~" sorts after every month) is never pledged
        promised = dprk["promised"].fillna("~").to_numpy(dtype=object)
        amount = dprk["amount"].to_numpy(dtype=float)
        delivered = dprk["delivered"].to_numpy(dtype=float) if "delivered" in dprk else amount
        sup = (
            dprk["superseded"].astype(str).to_numpy(dtype=object)
            if "superseded" in dprk.columns
            else None
        )
        for i, m in enumerate(tl["month"]):
            rows = promised <= m
            if sup is not None:
                # A superseded step counts only what was performed before it was replaced.
                gone = (sup != "") & (sup <= m)
                pledged[i] = float(np.nansum(np.where(gone, delivered, amount)[rows]))
            else:
                pledged[i] = float(np.nansum(amount[rows]))
    c = PARTY_COLORS["DPRK"]
    ax.step(dates, pledged, where="post", color=c, ls="--", lw=1.6, label=L["progress_pledged"])
    ax.step(dates, tl["progress"], where="post", color=c, lw=2.2, label=L["progress_delivered"])
    ax2.step(
        dates,
        tl["aid_pledged_t"],
        where="post",
        color="black",
        ls="--",
        lw=1.4,
        label=L["aid_pledged"],
    )
    # the total as a wide grey band under the providers' lines: a single provider's
    # line equals the total and would vanish under a black one (the ROK's is black)
    ax2.step(
        dates,
        tl["aid_delivered_t"],
        where="post",
        color="#a0a0a0",
        lw=5.0,
        zorder=1.5,
        label=L["aid_delivered"],
    )
    for party in PARTIES[1:]:
        col = f"aid_delivered_t_{party}"
        if col in tl.columns and float(tl[col].max()) > 0:
            style = {**party_style(party), "lw": 1.6, "zorder": 3}
            ax2.step(
                dates,
                tl[col],
                where="post",
                alpha=0.9,
                **style,
                label=L["aid_by"].format(party=L["party"].get(party, party)),
            )
    extra = []
    held = tables.held
    if not held.empty and "adopted_phase" in held.columns:
        adopted = held[held["adopted_phase"].astype(str) != ""]
        for _, s in adopted.iterrows():
            i = list(tl["month"]).index(s["month"]) if s["month"] in set(tl["month"]) else None
            y = pledged[i] if i is not None else 0.0
            ax.plot([_mid(s["month"])], [y], marker="D", color="#333333", ms=7, ls="")
        if len(adopted):
            extra.append(
                Line2D([], [], marker="D", color="#333333", ls="", label=L["phase_adopted"])
            )
    delist_months = []
    if not led.empty:
        delist_months += [c for c in led[led["kind"] == "delisting"]["completed"] if c]
    if not tables.decisions.empty:
        delist_months += list(tables.decisions[tables.decisions["decision"] == "delists"]["month"])
    for m in sorted(set(delist_months)):
        ax.axvline(_mid(m), color=PARTY_COLORS["US"], lw=1.5)
    if delist_months:
        extra.append(Line2D([], [], color=PARTY_COLORS["US"], lw=1.5, label=L["delisting_sim"]))
    if record:
        rec_del = [
            day_of(e["start"]) for e in record.get("episodes", []) if e["kind"] == "delisting"
        ]
        for x in rec_del:
            if lo <= x <= hi:
                ax.axvline(x, color=PARTY_COLORS["US"], lw=1.5, ls=":")
        if rec_del:
            extra.append(
                Line2D([], [], color=PARTY_COLORS["US"], lw=1.5, ls=":", label=L["delisting_rec"])
            )
        hfo = sorted(
            (day_of(h["date"]), float(h["tonnes"])) for h in record.get("hfo_delivered", [])
        )
        if hfo:
            ax2.plot(
                [d for d, _ in hfo],
                np.cumsum([t for _, t in hfo]),
                ls="",
                marker="o",
                mfc="white",
                mec="black",
                ms=7,
                label=L["record_hfo"],
            )
    if float(np.nanmax(pledged, initial=0.0)) == 0.0 and float(tl["aid_pledged_t"].max()) == 0.0:
        ax.text(
            0.5,
            0.5,
            L["nothing_pledged"],
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=11,
            color="#444444",
            bbox={"fc": "white", "ec": "#999999", "boxstyle": "round"},
        )
    ax.set_ylim(-0.02, 1.02)
    top = max(float(tl["aid_pledged_t"].max()), float(tl["aid_delivered_t"].max()), 1.0)
    ax2.set_ylim(-0.02 * top * 1.05, top * 1.05 if top > 1 else 100000)
    ax2.yaxis.set_major_formatter(FuncFormatter(_thousands))
    ax.set_ylabel(L["progress_y"], color=c)
    ax2.set_ylabel(L["tonnes_y"])
    ax.set_xlim(lo, hi)
    _date_axis(ax, L)
    ax.grid(axis="y", color="#dddddd", lw=0.5)
    ax.set_title(f"{L['ledger_title']} - {_run_title(tables, L)}")
    h1, _ = ax.get_legend_handles_labels()
    h2, _ = ax2.get_legend_handles_labels()
    handles = h1 + h2 + extra + [Patch(color=SESSION_SHADE, label=L["session_shade"])]
    legend = _bottom_legend(fig, handles, ncol=5)
    # Margins: the progress scale and its label left; the tonnes (the widest is that of
    # the top of the axis) and their label right; the years, the date label and the
    # legend (measured: one to three rows) below; the title above.
    W, H = fig.get_size_inches()
    right = _text_width([_thousands(ax2.get_ylim()[1])], 10) + 0.1 + 0.3 + PAD
    bottom = 0.5 + _artist_size(legend)[1] + PAD
    ax.set_position(_rect(fig, 0.6, bottom, W - 0.6 - right, H - bottom - 0.3))
    return fig


# ------------------------------------------------------------------- trust
def trust_array(tables: RunTables) -> np.ndarray:
    """(months, 6, 6) trust, NaN on the diagonal and where missing."""
    months = tables.months
    arr = np.full((len(months), len(PARTIES), len(PARTIES)), np.nan)
    tr = tables.trust
    if tr.empty:
        return arr
    mi = {m: i for i, m in enumerate(months)}
    pi = {p: i for i, p in enumerate(PARTIES)}
    for m, a, b, v in zip(tr["month"], tr["party"], tr["toward"], tr["trust"], strict=True):
        if m in mi and a in pi and b in pi:
            arr[mi[m], pi[a], pi[b]] = v
    return arr


def default_trust_months(tables: RunTables, n: int = 4) -> list[str]:
    """``n`` evenly spaced months of the window, first and last included."""
    months = tables.months
    idx = sorted(set(np.linspace(0, len(months) - 1, min(n, len(months))).round().astype(int)))
    return [months[i] for i in idx]


@_in_lang
def plot_trust(tables: RunTables, lang: str = "en", months: list[str] | None = None) -> Figure:
    """Trust heatmaps at ``months`` (default :func:`default_trust_months`) and DPRK-US trust."""
    L = labels(lang)
    months = months or default_trust_months(tables)
    arr = trust_array(tables)
    mi = {m: i for i, m in enumerate(tables.months)}
    k = len(months)
    W, H = max(13, 3.3 * k + 1), 9.5
    fig = Figure(figsize=(W, H))
    names = [L["party"][p] for p in PARTIES]
    # Fixed layout (inches): square heatmaps in a row under the title, the colour bar
    # right of them, the line chart below across the width.  The party names (measured)
    # set the left margin and, written at 45 degrees, the gap between the two rows.
    name_w = _text_width(names, 8.5)
    left = max(0.6, name_w + 0.1 + 0.22 + PAD)
    right = 0.56 + 0.21 + 0.3  # colour bar's labels, the bar, the gap before it
    gap = 0.15
    side = min((W - left - right - (k - 1) * gap) / k, 3.2)
    heat_bottom = H - 0.85 - side
    im = None
    hax = []
    for j, m in enumerate(months):
        ax = fig.add_axes(_rect(fig, left + j * (side + gap), heat_bottom, side, side))
        hax.append(ax)
        mat = arr[mi[m]] if m in mi else np.full((6, 6), np.nan)
        im = ax.imshow(np.ma.masked_invalid(mat), vmin=0, vmax=1, cmap="viridis")
        ax.set_facecolor("#bbbbbb")
        for a in range(6):
            for b in range(6):
                v = mat[a, b]
                if np.isfinite(v):
                    ax.text(
                        b,
                        a,
                        f"{v:.2f}",
                        ha="center",
                        va="center",
                        fontsize=7.5,
                        color="white" if v < 0.55 else "black",
                    )
        ax.set_xticks(range(6), names, rotation=45, ha="right", fontsize=8.5)
        ax.set_yticks(range(6), names if j == 0 else [""] * 6, fontsize=8.5)
        ax.set_title(m)
        ax.set_xlabel(L["trust_col"], fontsize=9)
        if j == 0:
            ax.set_ylabel(L["trust_row"])
    cax = fig.add_axes(_rect(fig, left + k * side + (k - 1) * gap + 0.3, heat_bottom, 0.21, side))
    cb = fig.colorbar(im, cax=cax)
    cb.set_label(L["trust_cbar"])
    # below the heatmaps: their names at 45 degrees, the axis label, then the chart
    line_top = heat_bottom - 0.707 * (name_w + 0.12) - 0.12 - 0.2 - 0.15
    ax = fig.add_axes(_rect(fig, left, 0.5, W - left - 1.07, line_top - 0.5))
    _shade_sessions(ax, tables)
    tl = tables.timeline
    dates = _dates(tl["month"])
    ax.plot(dates, tl["trust_dprk_us"], lw=2, label=L["trust_dprk_us"], **party_style("DPRK"))
    ax.plot(dates, tl["trust_us_dprk"], lw=2, label=L["trust_us_dprk"], **party_style("US"))
    ax.plot(dates, tl["mean_trust"], color="#666666", lw=1.2, ls="--", label=L["mean_trust"])
    for m in months:
        ax.axvline(_mid(m), color="black", lw=0.8, ls=(0, (4, 3)))
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlim(*_window(tables))
    ax.set_ylabel(L["trust_y"])
    _date_axis(ax, L)
    ax.grid(axis="y", color="#dddddd", lw=0.5)
    handles, _ = ax.get_legend_handles_labels()
    handles += [
        Line2D([], [], color="black", lw=0.8, ls=(0, (4, 3)), label=L["heatmap_date"]),
        Patch(color=SESSION_SHADE, label=L["session_shade"]),
    ]
    ax.legend(
        handles=handles, loc="upper left", ncol=5, frameon=True, fontsize=8.5, handlelength=3.5
    )
    _suptitle(fig, f"{L['trust_title']} - {_run_title(tables, L)}")
    return fig


# --------------------------------------------------------------- scorecard
@_in_lang
def _record_labels(record: dict | None, lang: str) -> dict[str, str]:
    """Record item id -> its label in ``lang`` (the record's ``label: {en, zh}``)."""
    out = {}
    for item in (record or {}).get("sessions", []) + (record or {}).get("episodes", []):
        lab = item.get("label")
        if isinstance(lab, dict) and lab.get(lang):
            out[str(item["id"])] = str(lab[lang])
    return out


def _item_label(it, L: dict, lang: str, rec_labels: dict[str, str]) -> str:
    """A scorecard item's name in ``lang``: the record's label, else the episode name
    and year, else the scorecard's English label."""
    if lang == "en":
        return it.label
    rid = it.id.split(":", 1)[1] if ":" in it.id else it.id
    if rid in rec_labels:
        return rec_labels[rid]
    if it.kind in L["episode"] and it.rec_start:
        return L["episode"][it.kind] + L["year_suffix"].format(year=it.rec_start[:4])
    return it.label


def _shown(it, what: str, lang: str) -> str:
    """A scorecard item's ``recorded``/``simulated`` text in ``lang`` when the item carries
    its texts (:meth:`sixparty.analysis.scorecard.ScoreItem.shown`), else its English."""
    shown = getattr(it, "shown", None)
    return shown(what, lang) if shown is not None else getattr(it, what)


def _shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns with ``...``: at a space (``textwrap.shorten``)
    when it is all narrow characters, else at the column (a Chinese character takes two,
    :func:`sixparty.analysis.i18n.display_width`), so Chinese texts fit the same space."""
    from sixparty.analysis.i18n import display_width

    if display_width(text) == len(text):
        return textwrap.shorten(text, width, placeholder="...")
    if display_width(text) <= width:
        return text
    while text and display_width(text) + 3 > width:
        text = text[:-1]
    return text + "..."


_DAY_SPAN = re.compile(r"\b(\d{4}-\d{2})-\d{2}\.\.(\d{4}-\d{2})-\d{2}\b")


def _month_span(m: re.Match) -> str:
    return m.group(1) if m.group(1) == m.group(2) else f"{m.group(1)}..{m.group(2)}"


def _item_text(text: str, L: dict) -> str:
    """A scorecard recorded/simulated text with document names and the phrases of
    ``L["sc_text"]`` in the figure's language; a span of days given by its months
    (``2003-08-27..2003-08-29`` -> ``2003-08``: the model's resolution, and the
    column keeps the date instead of cutting it; scorecard.csv keeps the days)."""
    text = _DAY_SPAN.sub(_month_span, text)
    en_docs = LABELS["en"]["doc"]
    for key in sorted(en_docs, key=lambda k: -len(en_docs[k])):
        if L["doc"][key] != en_docs[key]:
            text = re.sub(rf"\b{re.escape(en_docs[key])}\b", L["doc"][key], text)
    for pattern, repl in L["sc_text"]:
        text = re.sub(pattern, repl, text)
    return text


@_in_lang
def plot_scorecard(
    items: list, tables: RunTables | None = None, lang: str = "en", record: dict | None = None
) -> Figure:
    """Record items as rows: recorded date (black), simulated (hit/miss), tolerance window.

    A right-hand column gives the recorded and simulated values as text.
    ``record`` (optional) gives the items' names in ``lang`` (its ``label:
    {en, zh}``); without it a Chinese figure names episodes by kind and year.
    Items outside the run's window (``hit is None``: not scored) get no row;
    the title gives their number.
    """
    from sixparty.analysis.scorecard import TOLERANCE

    L = labels(lang)
    rec_labels = _record_labels(record, lang)
    n_outside = sum(1 for it in items if it.hit is None)
    items = [it for it in items if it.hit is not None]
    n = len(items)
    hits = sum(1 for it in items if it.hit)
    fig = Figure(figsize=(16, 1.6 + 0.3 * max(n, 3)))
    gs = fig.add_gridspec(1, 2, width_ratios=[1.25, 1])
    ax = fig.add_subplot(gs[0])
    tax = fig.add_subplot(gs[1])  # rows aligned by the same y limits, not sharey (no hidden ticks)
    all_months = [
        m for it in items for m in (it.rec_start, it.rec_end, it.sim_start, it.sim_end) if m
    ]
    if tables is not None:
        all_months += [tables.months[0], tables.months[-1]]
    if all_months:
        lo = month_start(min(all_months))
        hi = month_end(max(all_months))
    else:
        lo, hi = dt.date(2003, 1, 1), dt.date(2010, 1, 1)
    # Like marks of all rows are one artist each (tolerance windows, recorded dates,
    # simulated hits, simulated misses): the same marks, drawn in the same layers.
    tol_bars: list = []  # PolyCollection rectangles, as broken_barh makes them
    rec_xy: tuple[list, list] = ([], [])
    sim_xy: dict[bool, tuple[list, list]] = {True: ([], []), False: ([], [])}
    for y, it in enumerate(items):
        color = HIT_COLOR if it.hit else MISS_COLOR
        if it.rec_start:
            tol = (
                TOLERANCE["session"]
                if it.kind in ("session", "document")
                else (TOLERANCE["episode"] if it.kind != "boycott" else 0)
            )
            a = month_start(it.rec_start)
            b = month_end(it.rec_end or it.rec_start)
            ta = month_start(
                f"{(month_number(it.rec_start) - tol) // 12:04d}-"
                f"{(month_number(it.rec_start) - tol) % 12 + 1:02d}"
            )
            tb_n = month_number(it.rec_end or it.rec_start) + tol + 1
            tb = dt.date(tb_n // 12, tb_n % 12 + 1, 1)
            x0, x1 = mdates.date2num([ta, tb])
            y0 = y - 0.32
            y1 = y0 + 0.64
            tol_bars.append([(x0, y0), (x0, y1), (x1, y1), (x1, y0)])
            if it.kind == "boycott":
                ax.broken_barh([(a, b - a)], (y - 0.12, 0.24), facecolors="black", zorder=3)
            else:
                rec_xy[0].append(_mid(it.rec_start))
                rec_xy[1].append(y)
        if it.sim_start:
            if it.kind == "boycott":
                a, b = month_start(it.sim_start), month_end(it.sim_end or it.sim_start)
                ax.broken_barh([(a, b - a)], (y + 0.14, 0.18), facecolors=color, zorder=3)
            else:
                sim_xy[bool(it.hit)][0].append(_mid(it.sim_start))
                sim_xy[bool(it.hit)][1].append(y)
        rec_t = _shorten(_item_text(_shown(it, "recorded", lang), L), 38)
        sim_t = _shorten(_item_text(_shown(it, "simulated", lang), L), 44)
        tax.text(0.0, y, rec_t, va="center", fontsize=8)
        tax.text(0.36, y, sim_t, va="center", fontsize=8, color="black")
        tax.text(
            0.985,
            y,
            L["hit"] if it.hit else L["miss"],
            va="center",
            ha="right",
            fontsize=8.5,
            fontweight="bold",
            color=color,
        )
    if tol_bars:
        ax.add_collection(PolyCollection(np.array(tol_bars), facecolors="#eeeeee", lw=0, zorder=1))
    if rec_xy[0]:
        ax.plot(*rec_xy, ls="", marker="D", color="black", ms=6, zorder=4)
    for hit, (xs, ys) in sim_xy.items():
        if xs:
            ax.plot(
                xs,
                ys,
                ls="",
                marker="o" if hit else "X",
                color=HIT_COLOR if hit else MISS_COLOR,
                ms=8,
                mec="black",
                mew=0.5,
                zorder=5,
            )
    kname = {"session": L["kind_session"], "document": L["kind_document"]}
    names = [_item_label(it, L, lang, rec_labels) for it in items]
    ylabels = [
        f"{textwrap.shorten(name, 44, placeholder='...')} - "
        f"{kname.get(it.kind, L['episode'].get(it.kind, it.kind))}"
        if it.kind in kname
        else textwrap.shorten(name, 52, placeholder="...")
        for it, name in zip(items, names, strict=True)
    ]
    ax.set_yticks(range(n), ylabels, fontsize=8.5)
    # Margins: the item names (measured) left; the years, the date label and the legend
    # below; the title and the column headings above.
    left = _text_width(ylabels, 8.5) + 0.1 + PAD
    _regrid(fig, gs, **_grid(fig, left, 0.08, 0.82, 0.62, ncols=2, wgap=0.33))
    ax.set_ylim(max(n, 1) - 0.5, -0.5)  # one empty row when nothing is scored
    ax.set_xlim(lo, hi)
    _date_axis(ax, L)
    ax.grid(axis="x", color="#dddddd", lw=0.5)
    for y in range(n):
        if y % 2 == 0:
            tax.axhspan(y - 0.5, y + 0.5, color="#f4f4f4", zorder=0, lw=0)
    tax.set_xlim(0, 1)
    tax.set_ylim(ax.get_ylim())
    tax.set_yticks([])
    tax.tick_params(left=False, labelleft=False, bottom=False, labelbottom=False)
    for side in ("top", "right", "bottom", "left"):
        tax.spines[side].set_visible(False)
    cols = L["sc_columns"]
    # the column headings just above the table (0.12 inch: 0.4 of a 0.3-inch row), at
    # the same place whatever the number of rows (none included)
    for x, heading in ((0.0, cols[0]), (0.36, cols[1])):
        tax.annotate(
            heading,
            (x, 1.0),
            xycoords="axes fraction",
            xytext=(0, 8.6),
            textcoords="offset points",
            fontsize=9,
            fontweight="bold",
            va="bottom",
        )
    tax.set_xlabel(" ")
    handles = [
        Line2D([], [], ls="", marker="D", color="black", label=L["recorded"]),
        Line2D(
            [],
            [],
            ls="",
            marker="o",
            color=HIT_COLOR,
            mec="black",
            mew=0.5,
            label=L["simulated_hit"],
        ),
        Line2D(
            [],
            [],
            ls="",
            marker="X",
            color=MISS_COLOR,
            mec="black",
            mew=0.5,
            label=L["simulated_miss"],
        ),
        Patch(color="#eeeeee", label=L["tolerance"]),
    ]
    _bottom_legend(fig, handles, ncol=4)
    title = L["scorecard_title"].format(hits=hits, n=n)
    if n_outside:
        title += L["scorecard_outside"].format(m=n_outside)
    if tables is not None:
        title += f" - {_run_title(tables, L)}"
    _suptitle(fig, title)
    return fig


# --------------------------------------------------------------- utilities
@_in_lang
def plot_utilities(tables: RunTables, lang: str = "en") -> Figure:
    """Each party's utility of each held session's text; Nash product and Pareto distance."""
    from sixparty.analysis.quality import add_quality

    L = labels(lang)
    add_quality(tables)
    held = tables.held.sort_values("session_id") if not tables.held.empty else tables.held
    fig = Figure(figsize=(13, 8.5))
    # Margins: the utility scales and their labels left, the three-line session names
    # and the axis label below, the title above.
    ax, qax = fig.subplots(
        2,
        1,
        sharex=True,
        gridspec_kw=_grid(fig, 0.68, 0.1, 0.78, 0.36, nrows=2, hgap=0.25, height_ratios=[1.6, 1]),
    )
    n = len(held)
    x = np.arange(n)
    for p in PARTIES:
        col = f"utility_{p}"
        if n and col in held.columns:
            ax.plot(x, held[col], marker="o", ms=5, lw=1.6, label=L["party"][p], **party_style(p))
    if n:
        qax.plot(x, held["nash_product"], marker="o", color="black", lw=1.6, label=L["nash"])
        qax.plot(
            x,
            held["pareto_distance"],
            marker="s",
            color="#777777",
            lw=1.4,
            ls="--",
            label=L["pareto"],
        )
    else:
        for a in (ax, qax):
            a.text(0.5, 0.5, L["no_sessions"], transform=a.transAxes, ha="center", va="center")
    abbr = L["doc_abbr"]
    ticks = [
        f"{L['session_tick'].format(n=int(sid) + 1)}\n{m}\n{abbr.get(d, d)}"
        for sid, m, d in zip(
            held.get("session_id", []),
            held.get("month", []),
            held.get("document", []),
            strict=True,
        )
    ]
    step = max(1, -(-n // 24))
    qax.set_xticks(x[::step], ticks[::step], fontsize=8)
    legend_abbr = L["list_sep"].join(f"{abbr[d]} = {L['doc'][d]}" for d in DOC_COLORS)
    qax.set_xlabel(L["session_x"].format(abbr=legend_abbr))
    ax.set_ylabel(L["utility_y"])
    qax.set_ylabel(L["quality_y"])
    umin = (
        float(np.nanmin(held[[f"utility_{p}" for p in PARTIES]].to_numpy(dtype=float)))
        if n
        else 0.0
    )
    ax.set_ylim(max(0.0, np.floor((umin - 0.05) * 10) / 10) if np.isfinite(umin) else 0.0, 1.01)
    qax.set_ylim(0, 1.02)
    if n:
        ax.set_xlim(-0.5, n - 0.5)
    for a in (ax, qax):
        a.grid(axis="y", color="#dddddd", lw=0.5)
    ax.legend(
        handles=_party_handles(L),
        loc="lower left",
        ncol=6,
        frameon=True,
        fontsize=9,
        handlelength=3.5,
    )
    qax.legend(loc="upper left", ncol=2, frameon=True, fontsize=9)
    _suptitle(fig, f"{L['utilities_title']} - {_run_title(tables, L)}")
    return fig


# ------------------------------------------------------------------ output
def build_figures(
    tables: RunTables, record: dict | None = None, lang: str = "en", items: list | None = None
) -> dict[str, Figure]:
    """The six figures keyed by name (:data:`FIGURES`).

    ``lang="zh"`` without a CJK font: English labels and one message on
    stderr (:func:`figure_lang`).
    """
    from sixparty.analysis.quality import add_quality
    from sixparty.analysis.scorecard import score_run

    add_quality(tables)
    if items is None:
        items = score_run(tables, record) if record else []
    lang, font = figure_lang(lang)
    with matplotlib.rc_context(_rc(lang, font)):
        return {
            "positions": plot_positions(tables, lang),
            "timeline": plot_timeline(tables, record, lang),
            "ledger": plot_ledger(tables, record, lang),
            "trust": plot_trust(tables, lang),
            "scorecard": plot_scorecard(items, tables, lang, record),
            "utilities": plot_utilities(tables, lang),
        }


def _fix_date_ticks(fig: Figure) -> None:
    """Replace each automatic date axis by its ticks and labels at the current limits.

    A drawing asks an axis for its ticks more than once (to draw them, then to place
    the axis label), and each time an ``AutoDateLocator`` (a dateutil rrule) and a
    ``ConciseDateFormatter`` are recomputed.  The ticks depend only on the x limits,
    which are final when a figure is saved, so they are computed once here and kept
    as a ``FixedLocator``/``FixedFormatter``: the same ticks and labels, the same pixels.
    """
    for ax in fig.axes:
        axis = ax.xaxis
        locator, formatter = axis.get_major_locator(), axis.get_major_formatter()
        if isinstance(locator, mdates.AutoDateLocator) and isinstance(
            formatter, mdates.ConciseDateFormatter
        ):
            locs = locator()
            axis.set_major_locator(FixedLocator(locs))
            axis.set_major_formatter(FixedFormatter(formatter.format_ticks(locs)))


def _fix_ticks(fig: Figure) -> None:
    """Every axis keeps the ticks and labels it would draw now.

    The figures have their final size and layout when they are saved (fixed
    layout), so the automatic locators (whose number of ticks depends on the
    axis length) and formatters give the same ticks at every call; fixing them
    spares recomputing them for each use in the drawing.  Axes whose formatter
    shows an offset or a multiplier (``1e6``) are left alone.
    """
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            locator, formatter = axis.get_major_locator(), axis.get_major_formatter()
            if isinstance(locator, FixedLocator) and isinstance(formatter, FixedFormatter):
                continue
            locs = locator()
            labels = formatter.format_ticks(locs)
            if formatter.get_offset():
                continue
            axis.set_major_locator(FixedLocator(locs))
            axis.set_major_formatter(FixedFormatter(labels))


def save_figure(fig: Figure, path: Path, fmt: str) -> None:
    """Save without time stamps (same run, same bytes).

    ``fmt`` is one of :data:`FORMATS`, at :data:`SAVE_DPI`; PNG at zlib level
    :data:`PNG_COMPRESS_LEVEL`.  The figures have a fixed layout (no layout
    pass before the drawing), so the ticks and labels every axis will draw are
    fixed first (:func:`_fix_date_ticks`, :func:`_fix_ticks`: the same pixels,
    computed once) and the figure is drawn once.  The figure's ticks stay fixed
    (saving it again in another format draws the same).
    """
    _fix_date_ticks(fig)
    if fig.get_layout_engine() is None:
        _fix_ticks(fig)
    if fmt == "png":
        _save_png(fig, path)
        return
    meta = {"svg": {"Date": None}, "pdf": {"CreationDate": None, "ModDate": None}}[fmt]
    with matplotlib.rc_context({"svg.hashsalt": "sixparty"}):
        fig.savefig(path, format=fmt, dpi=SAVE_DPI, metadata=meta)


def _save_png(fig: Figure, path) -> None:
    """Draw ``fig`` once at :data:`SAVE_DPI` and write it as PNG: RGB when every pixel
    is opaque (always, with the figures' white background), else RGBA.

    ``savefig(format="png")`` writes the Agg canvas as RGBA; an opaque figure's alpha
    channel is a constant 255, and leaving it out writes the same pixels in files about
    10 % smaller.  The file is written by :func:`_png_bytes` (Pillow's encoder spent
    about two thirds of its time choosing a filter for each row; benchmarks/README.md).
    The PNG carries :data:`PNG_METADATA` and the resolution, as ``savefig`` writes them;
    ``path``: a file name or a binary file object.
    """
    dpi = fig.dpi
    try:  # the size of Agg's canvas at the saving dpi (the canvas rounds it)
        fig.dpi = SAVE_DPI
        width, height = fig.canvas.get_width_height(physical=True)
    finally:
        fig.dpi = dpi
    raw = io.BytesIO()
    fig.savefig(raw, format="rgba", dpi=SAVE_DPI)
    if len(raw.getbuffer()) != width * height * 4:  # not expected: savefig's own PNG
        png = {"compress_level": PNG_COMPRESS_LEVEL}
        fig.savefig(path, format="png", dpi=SAVE_DPI, metadata=PNG_METADATA, pil_kwargs=png)
        return
    rgba = np.frombuffer(raw.getbuffer(), dtype=np.uint8).reshape(height, width, 4)
    pixels = rgba[..., :3] if int(rgba[..., 3].min()) == 255 else rgba
    data = _png_bytes(pixels, SAVE_DPI, PNG_METADATA)
    if hasattr(path, "write"):
        path.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data, CRC-32 of type and data (PNG spec, 5.3)."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_bytes(pixels: np.ndarray, dpi: float, text: dict[str, str]) -> bytes:
    """A PNG file of ``pixels``, an ``(height, width, 3)`` (RGB) or ``(height, width, 4)``
    (RGBA) uint8 array: 8 bits a channel, not interlaced, every row with filter type 0
    (None), the pixel data deflated at :data:`PNG_COMPRESS_LEVEL` in one IDAT chunk; a
    pHYs chunk with ``dpi`` (dots per inch, > 0) as pixels per metre, rounded as Pillow
    rounds it, and one tEXt chunk per item of ``text`` (Latin-1 keys and values).

    No filter: Pillow tries the five PNG filters on every row and keeps the best
    (adaptive filtering), which was about two thirds of its encoding time; the figures
    are mostly flat colour with rows repeating each other, which deflate finds
    unfiltered (six figures of a historical run: 1,639 kB vs Pillow's 1,633 kB).
    Raises ValueError on another shape or dtype.
    """
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] not in (3, 4):
        raise ValueError(f"expected (height, width, 3 or 4) uint8 pixels, got {pixels.shape}")
    height, width, channels = pixels.shape
    rows = np.empty((height, 1 + width * channels), dtype=np.uint8)
    rows[:, 0] = 0  # filter type None
    # one channel at a time: long strided runs, several times faster than numpy's copy
    # of 3-byte pixels out of the canvas's 4-byte ones
    out = rows[:, 1:].reshape(height, width, channels)
    for c in range(channels):
        out[:, :, c] = pixels[:, :, c]
    color_type = 2 if channels == 3 else 6  # truecolour, truecolour with alpha
    per_metre = int(dpi / 0.0254 + 0.5)
    chunks = [
        _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)),
        _png_chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),  # 1: metre
        *(
            _png_chunk(b"tEXt", key.encode("latin-1") + b"\0" + value.encode("latin-1"))
            for key, value in text.items()
        ),
        _png_chunk(b"IDAT", zlib.compress(rows, PNG_COMPRESS_LEVEL)),
        _png_chunk(b"IEND", b""),
    ]
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


def draw_figures(
    tables: RunTables,
    out_dir: str | Path,
    fmt: str = "png",
    lang: str = "en",
    record: dict | None = None,
    items: list | None = None,
) -> list[str]:
    """Write the six figures into ``out_dir`` as ``<name>.<fmt>``; return the file names.

    fmt: one of :data:`FORMATS` (ValueError otherwise).  lang: ``"en"`` or
    ``"zh"``; ``"zh"`` without a CJK font draws English labels and prints one
    message on stderr (:func:`figure_lang`).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown figure format {fmt!r}; expected one of {', '.join(FORMATS)}")
    out = Path(out_dir)
    names = []
    lang, font = figure_lang(lang)
    with matplotlib.rc_context(_rc(lang, font)):
        figs = build_figures(tables, record, lang, items)
        for name, fig in figs.items():
            fname = f"{name}.{fmt}"
            save_figure(fig, out / fname, fmt)
            names.append(fname)
    return names


def _record_or_none() -> dict | None:
    from sixparty.analysis.scorecard import load_record

    try:
        return load_record()
    except (OSError, ValueError):
        return None


def figures_writer(fmt: str = "png", lang: str = "en"):
    """A run-folder writer (``sim.runner._extra_writers``) drawing the six figures.

    ``writer(result, stage_dir) -> [file names]``: converts the in-memory
    ``RunResult`` to the tables of the files (:func:`analysis.runfiles.tables_from_result`;
    those of the scorecard writer, ``result.extra["tables"]``, when it ran first)
    and writes ``positions``, ``timeline``, ``ledger``, ``trust``,
    ``scorecard`` and ``utilities`` in format ``fmt``.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown figure format {fmt!r}; expected one of {', '.join(FORMATS)}")

    def write(result, stage_dir: Path) -> list[str]:
        from sixparty.analysis.runfiles import tables_from_result

        extra = getattr(result, "extra", {})
        # the scorecard writer's tables when it ran first (converting a run is ~0.1 s)
        tables = extra.get("tables")
        if not isinstance(tables, RunTables):
            tables = tables_from_result(result, lite=True)
        items = extra.get("scorecard")
        return draw_figures(
            tables, stage_dir, fmt=fmt, lang=lang, record=_record_or_none(), items=items
        )

    return write


def run_lang(run_dir) -> str:
    """The language a run folder's figures were drawn in: its manifest's ``lang``
    (``sixparty run --lang``), ``"en"`` when the manifest does not record one (folders
    written before it did) or cannot be read (``read_run`` has checked it already)."""
    from sixparty.analysis.i18n import LANGS

    try:
        meta = json.loads((Path(run_dir) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "en"
    lang = meta.get("lang") if isinstance(meta, dict) else None
    return lang if lang in LANGS else "en"


def cli_plot(args) -> int:
    """``sixparty plot RUN_DIR [--format F] [--out DIR] [--lang L]``: redraw the figures
    from the files, labelled in ``--lang`` or else in the run's own language (:func:`run_lang`).

    Returns 0; prints a message on stderr and returns 2 when RUN_DIR is not a
    run folder; raises :class:`sixparty.outputs.OutputError` (exit 2, naming the
    folder) when the output folder cannot be written.  Figures are drawn into a
    staging folder and moved into place together (:func:`sixparty.outputs.add_files`):
    an error or SIGINT/SIGTERM leaves the folder as it was (an absent ``--out`` not
    created; one line says so, exit 130/143).
    """
    run_dir = getattr(args, "run_dir", None)
    fmt = getattr(args, "format", None) or "png"
    try:
        tables = read_run(run_dir)
    except NotARunFolder as exc:
        print(f"sixparty plot: error: {exc}", file=sys.stderr)
        return 2
    lang = getattr(args, "lang", None) or run_lang(run_dir)
    from sixparty.analysis.ensemble import report_stop, stop_on_signals
    from sixparty.outputs import add_files

    out = Path(getattr(args, "out", None) or run_dir)
    # what an interrupt leaves: an absent --out is not created, an existing folder
    # keeps its files (the figures are moved in together, or not at all)
    if not os.path.lexists(out):
        how = "new"
    else:
        how = "empty" if out.is_dir() and not any(out.iterdir()) else "replace"
    names: list[str] | None = None
    with stop_on_signals():
        try:
            names = add_files(
                out,
                [
                    lambda stage: draw_figures(
                        tables, stage, fmt=fmt, lang=lang, record=_record_or_none()
                    )
                ],
            )
        except KeyboardInterrupt as exc:
            return report_stop(exc, out, how, names, lang)
    from sixparty.analysis.i18n import label, phrase

    print(
        phrase("plot.wrote", lang, n=len(names), out=out, names=label("list_sep", lang).join(names))
    )
    return 0
