"""The classroom dashboard: a Solara page on Mesa's SolaraViz.

Run it with ``sixparty dashboard [SCENARIO] [--seat PARTY]`` (see
:mod:`sixparty.dashboard`), which starts ``solara run sixparty.app`` on loopback.  The
page is an edge of the program: it drives :class:`ClassroomModel`, a
:class:`sixparty.model.TalksModel` that a teacher can configure from the sidebar
and in which a student can play one delegation.

The layout is for a projector: large type (chart labels ``FONT_PT`` at
``_DPI``: ≥ 14 px on the page), Mesa's parameter form
(:func:`mesa.visualization.solara_viz.ModelCreator`) with the page's own time
controls instead of Mesa's (:func:`sixparty.dashboard_controls.PlayControls`:
Reset, ▶ at a speed the teacher sets in months per second, Step computed in the
background with the buttons disabled and a busy sign meanwhile; no
render-interval or threads controls), Solara's "runs on Solara" banner hidden
(:data:`PROJECTOR_CSS`), and the page in English or Chinese (:data:`UI`; the
switch in the app bar, ``SIXPARTY_LANG`` at start).

What the page shows (main area, redrawn when the model steps; plots are
matplotlib figures kept alive and updated in place, sent as PNG, so the page
needs no CDN and works offline: :mod:`sixparty.dashboard_charts`): the month and the talks' status; a plain-language line for
what just happened (:func:`analysis.narrate.month_story`); the parties'
positions on the nine issues with the last session's text; the trust
between the parties; the action-for-action ledger (denuclearization progress
against aid delivered); a timeline of sessions, documents, decisions and
events so far, with the historical record (``analysis/data/record.yaml``,
read through :mod:`sixparty.analysis.narrate`) beneath it; the sessions
table names sessions by the model's own count (``session 7``) and, where one
falls within ±1 month of a recorded session, by it (``≈ Round 4, phase 2``;
:mod:`sixparty.analysis.rounds`).

Controls (sidebar): Reset, play/pause, Step, the speed of play in months per
second, a busy sign while the server computes (buttons disabled meanwhile), the
month counter (months simulated of the window's, never more); model parameters: the scenario (shipped ones,
the counterfactuals, a file given on the command line and the other scenario
files of its folder; the page loads nothing else, whatever the browser sends:
:data:`SCENARIO_FILES`), the seed, the
sliders for ``concession_rate``, ``acceptance_radius``, ``noise``,
``generosity``, ``trust_memory``, the anchoring toggle, switches for the main
exogenous events the chosen scenario has (:func:`scenario_switches`), and the seat.  **Parameters apply when Reset is pressed**
(SolaraViz's rule).  A slider left where it starts means "the scenario's own
value": the values in use are listed on the page.

Taking a seat: with a seat chosen, the model looks one month ahead (on a
copy) before each step; when China will convene a session, the step stops and
the page asks for the delegation's move (attend or boycott; accept, amend
the text toward a position on one issue, or reject).  When a joint document
adopts a phase, it asks whether to perform, slow or suspend the delegation's
steps (a standing order that can be changed any time).  The orders go to
``model.seats`` before the step; the agents play the other seats.  A
debrief (on demand, and shown at the end of the window) compares the path
with the agent who would have held the seat (same scenario and seed, no
seat) and with history (:func:`analysis.narrate.debrief`).

Games kept on the server: each page's model belongs to a game of
:data:`GAMES` (:mod:`sixparty.games`) whose id the page puts in its URL
(``?game=ID``); a reload, or the URL opened again after the connection
dropped, shows the same game at the same month with the same seat and moves.
With ``--classroom`` the page is the teacher's or a team's page of one shared
game (:mod:`sixparty.classroom_app`).

Clean-up: a model replaced by Reset, and a game dropped after its idle expiry
(``--game-idle-hours``), is retired (:meth:`ClassroomModel.retire`: Mesa's
class-level reference dropped, no more steps), as is every model of a browser
session whose last page closed when the server could not keep it (more than
``--max-games``); while no page of the session that plays it is connected,
playing waits instead of computing.

Environment (set by ``sixparty dashboard``): ``SIXPARTY_SCENARIO`` (name or
path, default ``historical``), ``SIXPARTY_SEAT`` (party key or empty),
``SIXPARTY_LANG`` (``en`` or ``zh``, the page's language at start).
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import math
import os
import threading
import warnings
import weakref
from pathlib import Path

import reacton.ipyvuetify as rv
import reacton.ipywidgets as rw
import solara
from pydantic import ValidationError
from sixparty import dashboard_charts as _charts
from sixparty._mesa_compat import release_model
from sixparty.analysis.i18n import ISSUE_SCALES_ZH, compared, phrase, scenario_title
from sixparty.analysis.i18n import label as i18n_label
from sixparty.analysis.narrate import (
    debrief_parts,
    month_story,
    month_text,
    phase_title,
    reason_text,
    record_timeline,
)
from sixparty.analysis.rounds import recorded_sessions, session_labels
from sixparty.dashboard_controls import BUSY, PlayControls, busy
from sixparty.games import (
    DEFAULT_IDLE_EXPIRY_S,
    DEFAULT_MAX_GAMES,
    MIN_IDLE_EXPIRY_S,
    GameError,
    GameRegistry,
    on_game_clock,
)
from sixparty.loader import ScenarioError, find_scenario, load_scenario, shipped_scenarios
from sixparty.model import SeatOrders, TalksModel
from sixparty.runner import tables as run_tables
from sixparty.scenario import ISSUE_SCALES, ISSUES, PARTIES, Parameters, Scenario, month_label
from sixparty.seat import ImplementationBriefing, SeatBriefing

# Mesa 3.3.1's ComponentsView trips Solara's hook check when given no components (this
# page draws its own layout); the warning is about Mesa's code, not a fault here.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r".*ComponentsView: `use_state` found despite")
    from mesa.visualization.solara_viz import ModelCreator
    from mesa.visualization.utils import force_update, update_counter

# ------------------------------------------------------------------ settings
#: Exogenous event switches: parameter -> (label, substrings of event ids it removes).
EVENT_SWITCHES: dict[str, tuple[str, tuple[str, ...]]] = {
    "ev_bda": (
        "BDA financial sanctions 2005-07 (incl. release)",
        ("bda_", "us_financial_sanctions_2005"),
    ),
    "ev_iraq": ("Iraq war pressure 2003", ("iraq_war",)),
    "ev_libya": ("Libya: 2003 reward, 2011 fall", ("libya_", "gaddafi_")),
    "ev_midterms": ("US midterms 2006", ("us_midterms",)),
    "ev_rok_hardline": ("ROK hard line 2008 (Lee Myung-bak)", ("rok_hardline",)),
    "ev_launches": ("Satellite launches and the UN statement", ("satellite_launch", "unsc_")),
}

#: The sliders: parameter -> (label, min, max, step).
SLIDERS: dict[str, tuple[str, float, float, float]] = {
    "concession_rate": ("Concession rate", 0.0, 1.0, 0.01),
    "acceptance_radius": ("Acceptance radius", 0.0, 0.5, 0.01),
    "noise": ("Noise", 0.0, 0.5, 0.01),
    "generosity": ("Generosity (generous tit-for-tat)", 0.0, 1.0, 0.01),
    "trust_memory": ("Trust memory", 0.5, 1.0, 0.01),
}

NO_SEAT = "none"

#: The page's words in English and Chinese (the field's terms: analysis/i18n.py, the article's).
UI: dict[str, dict[str, str]] = {
    "en": {
        "title": "sixparty: the Six-Party Talks",
        "controls": "Controls",
        "parameters": "Model parameters (apply on Reset)",
        "lang": "Language",
        "start": "Start {month}",
        "before": "before the first month",
        "status": "talks: {talks} · DPRK: {dprk} · implementation: {impl} · sanctions {sanctions:.2f}"
        " · mean trust {trust:.2f}",
        "scenario": "Scenario: {title} [{name}] · seed {seed} · window {start}..{end}",
        "moved": "parameters moved: ",
        "switched_off": "events switched off: ",
        "not_listed": "Not listed (invalid): ",
        "what": "What just happened.",
        "press_step": "Press Step (or ▶) to advance one month. Scenario, parameters and seat apply "
        "on Reset.",
        "over": "The window is over. Press Reset to start again.",
        "press_step_clock": "The teacher's Step (or ▶) advances the talks a month.",
        "over_final": "The window is over.",
        "steps": "Month {k} of {n}",
        "timeline": "Timeline",
        "sessions_so_far": "Sessions so far: {n}",
        "decisions": "Decisions",
        "record": "Historical record (analysis/data/record.yaml)",
        "no_record": "The historical record is not available.",
        "col.month": "month",
        "col.session": "session",
        "col.history": "history (±1 month)",
        "col.attendance": "attendance",
        "col.document": "document",
        "col.notes": "notes",
        "col.party": "party",
        "col.decision": "decision",
        "col.why": "why",
        "col.date": "date",
        "col.kind": "kind",
        "col.what": "what",
        "all_six": "all six",
        "declined": "declined: ",
        "not_held": "not held",
        "p.scenario": "Scenario (then press Reset)",
        "p.seat": "Take a seat (then press Reset)",
        "p.no_seat": "none",
        "p.on": "on",
        "p.off": "off",
        "p.seed": "Seed (empty: the scenario's)",
        "p.concession_rate": "Concession rate",
        "p.acceptance_radius": "Acceptance radius",
        "p.noise": "Noise",
        "p.generosity": "Generosity (generous tit-for-tat)",
        "p.trust_memory": "Trust memory",
        "p.anchoring": "Anchoring (re-anchor to stated positions)",
        "p.event": "Event: {text}",
        "c.positions": "Positions (dot size: salience)",
        "c.position_x": "position (0 .. 1 on the issue's scale)",
        "c.last_text": "last text",
        "c.trust": "Trust",
        "c.trust_in": "trust in",
        "c.ledger": "Action for action: progress vs aid",
        "c.progress": "progress",
        "c.progress_y": "denuclearization progress",
        "c.aid_delivered": "aid delivered",
        "c.aid_pledged": "aid pledged",
        "c.aid_y": "aid (1,000 t HFO-eq.)",
        "c.timeline": "Timeline: the run so far (top), history beneath",
        "c.rows": "model: sessions|model: decisions|model: events|history (record.yaml)",
        "c.decision": "decision",
        "c.event": "event",
        "c.episode": "historical episode",
        "c.boycott": "boycott",
        "s.take": "Take a seat",
        "s.take_text": "Choose a delegation under 'Take a seat' in the sidebar and press Reset: "
        "you will be asked for its move at every session.",
        "s.your_seat": "Your seat: {seat}",
        "s.your_move": "Your move, {seat}",
        "s.invite": "China invites the six to <b>session {n}</b> in {month} (the chair aims at a "
        "{target}). Attend or boycott? If you attend, accept the chair's text, ask to "
        "amend it on one issue, or reject it.",
        "s.issue": "Issue to amend",
        "s.toward": "Move the text toward",
        "s.toward_value": "You ask for {goal:.2f} (0 = {lo}; 1 = {hi})",
        "s.scale": "0 = {lo}; 1 = {hi}. Your position now: {own:.2f}; others: {others}",
        "s.play": "Play this session",
        "s.phase": "A joint document adopted the phase <b>{phase}</b> (action for action). Will you "
        "perform your steps, slow them, or suspend them?",
        "s.idle": "No decision pending: press Step. The page stops and asks when a session is convened.",
        "s.idle_team": "No decision pending: wait for the teacher to advance the month. This card "
        "asks you again when a session is convened.",
        "s.standing": "Standing order for your steps: {order}",
        "s.agent_decides": "agent decides",
        "s.set": "Set",
        "s.orders": "Your orders: ",
        "s.debrief": "Debrief: me vs the agent vs history",
        "col.measure": "measure",
        "col.you": "you",
        "col.agent": "agent in your seat",
        "col.past": "history",
        "p.value": "{label}: {v}",
        "game_gone": "This game is no longer on the server (it was idle too long, or the "
        "server restarted): a new game started.",
    },
    "zh": {
        "title": "六方会谈模拟（sixparty）",
        "controls": "控制",
        "parameters": "模型参数（按“重置”后生效）",
        "lang": "语言",
        "start": "起点 {month}",
        "before": "尚未开始第一个月",
        "status": "会谈：{talks} · 朝鲜：{dprk} · 履行：{impl} · 制裁 {sanctions:.2f} · 平均信任 {trust:.2f}",
        "scenario": "情景：{title} [{name}] · 随机种子 {seed} · 时段 {start}..{end}",
        "moved": "已调整的参数：",
        "switched_off": "已关闭的外部事件：",
        "not_listed": "未列出（无效）：",
        "what": "刚刚发生了什么。",
        "press_step": "按“前进一个月”推进一个月（或按“▶ 播放”连续推进）。情景、参数和席位在按“重置”后生效。",
        "over": "模拟时段已结束。按“重置”重新开始。",
        "press_step_clock": "教师按“前进一个月”（或 ▶）推进一个月。",
        "over_final": "模拟时段已结束。",
        "steps": "第 {k} 个月，共 {n} 个月",
        "timeline": "时间线",
        "sessions_so_far": "迄今会议：{n}",
        "decisions": "决定",
        "record": "历史记录（analysis/data/record.yaml）",
        "no_record": "没有历史记录。",
        "col.month": "月份",
        "col.session": "会议",
        "col.history": "历史（±1个月）",
        "col.attendance": "出席",
        "col.document": "文件",
        "col.notes": "说明",
        "col.party": "一方",
        "col.decision": "决定",
        "col.why": "模型理由",
        "col.date": "日期",
        "col.kind": "类别",
        "col.what": "内容",
        "all_six": "六方全部出席",
        "declined": "拒绝出席：",
        "not_held": "未举行",
        "p.scenario": "情景（选后按“重置”）",
        "p.seat": "扮演一方（选后按“重置”）",
        "p.no_seat": "无",
        "p.on": "开",
        "p.off": "关",
        "p.seed": "随机种子（空：情景自带）",
        "p.concession_rate": "让步速度",
        "p.acceptance_radius": "接受半径",
        "p.noise": "噪声",
        "p.generosity": "宽容度（宽容的以牙还牙）",
        "p.trust_memory": "信任记忆",
        "p.anchoring": "锚定（按表态重新锚定立场）",
        "p.event": "外部事件：{text}",
        "c.positions": "各方立场（点的大小：重视程度）",
        "c.position_x": "立场（议题量表上的 0 .. 1）",
        "c.last_text": "最新文本",
        "c.trust": "信任",
        "c.trust_in": "信任对象",
        "c.ledger": "行动对行动：无核化进展与援助",
        "c.progress": "进展",
        "c.progress_y": "无核化进展",
        "c.aid_delivered": "已交付援助",
        "c.aid_pledged": "承诺援助",
        "c.aid_y": "援助（千吨重油当量）",
        "c.timeline": "时间线：模拟（上）与历史（下）",
        "c.rows": "模型：会议|模型：决定|模型：外部事件|历史（record.yaml）",
        "c.decision": "决定",
        "c.event": "外部事件",
        "c.episode": "历史事件",
        "c.boycott": "抵制",
        "s.take": "扮演一方",
        "s.take_text": "在侧栏“扮演一方”中选择一个代表团并按“重置”：每次会议都会请你决定它的行动。",
        "s.your_seat": "你的席位：{seat}",
        "s.your_move": "轮到你了，{seat}",
        "s.invite": "中国邀请六方于{month}举行<b>第{n}次会议</b>（主席国的目标：{target}）。出席还是抵制？"
        "若出席：接受主席国的文本，要求就一个议题修改，或拒绝。",
        "s.issue": "要修改的议题",
        "s.toward": "把文本推向",
        "s.toward_value": "你要求 {goal:.2f}（0 = {lo}；1 = {hi}）",
        "s.scale": "0 = {lo}；1 = {hi}。你现在的立场：{own:.2f}；其他各方：{others}",
        "s.play": "进行这次会议",
        "s.phase": "共同文件通过了<b>{phase}</b>阶段（行动对行动）。你将履行、放缓还是暂停你的步骤？",
        "s.idle": "目前无需决定：按“前进一个月”。召开会议时页面会停下来询问。",
        "s.idle_team": "目前无需决定：请等待教师推进月份。召开会议时这张卡片会再次询问你。",
        "s.standing": "你的步骤的长期指令：{order}",
        "s.agent_decides": "由智能体决定",
        "s.set": "设定",
        "s.orders": "你的指令：",
        "s.debrief": "复盘：我、智能体与历史",
        "col.measure": "指标",
        "col.you": "你",
        "col.agent": "智能体（同一席位）",
        "col.past": "历史",
        "p.value": "{label}：{v}",
        "game_gone": "这局游戏已不在服务器上（闲置太久，或服务器已重启）：已开始一局新游戏。",
    },
}

#: Chinese names of the event switches (the English ones are in :data:`EVENT_SWITCHES`).
EVENT_SWITCHES_ZH: dict[str, str] = {
    "ev_bda": "汇业银行金融制裁 2005-07（含解冻）",
    "ev_iraq": "2003年伊拉克战争的压力",
    "ev_libya": "利比亚：2003年获回报，2011年政权倒台",
    "ev_midterms": "2006年美国中期选举",
    "ev_rok_hardline": "2008年韩国强硬路线（李明博）",
    "ev_launches": "卫星发射与安理会主席声明",
}


def ui(key: str, lang: str = "en", **kw) -> str:
    """The page's word for ``key`` in ``lang`` (English when Chinese lacks it), formatted with ``kw``."""
    text = UI.get(lang, UI["en"]).get(key) or UI["en"].get(key, key)
    return text.format(**kw) if kw else text


def reading(m):
    """A context in which ``m``'s tables may be read: its :attr:`ClassroomModel.step_lock`
    (held by every step), so a page never draws a model that another thread (another
    tab's ▶) is in the middle of stepping; a no-op for a model without one."""
    lock = getattr(m, "step_lock", None)
    return lock if lock is not None else contextlib.nullcontext()


#: Most files read from the teacher's folder for the picker (a big folder is not scanned whole).
MAX_FOLDER_FILES = 50


def _offered_files(startup: str) -> tuple[str, dict[str, Path]]:
    """The scenarios this page may load: (picker name of the startup scenario, {name: file}).

    Shipped scenarios by name; and when the teacher started with a file, that
    file and the other ``.yaml``/``.yml`` files of its folder (not below), named
    ``folder/file.yaml``.  The page loads only these files: a scenario name
    coming from the browser is looked up in this table and never becomes a
    path (a browser that sends ``/etc/shadow`` gets a refusal, not the file).
    """
    offered: dict[str, Path] = {name: path for name, path in shipped_scenarios()}
    path = find_scenario(startup)
    if startup in offered:
        return startup, offered
    shipped = {p.resolve() for p in offered.values()}
    if path.resolve() in shipped:  # a shipped scenario given by another spelling
        return next(n for n, p in offered.items() if p.resolve() == path.resolve()), offered
    folder = path.resolve().parent
    siblings = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    siblings = [p for p in siblings if p != path.resolve()][: MAX_FOLDER_FILES - 1]
    startup_name = f"{folder.name}/{path.name}"
    offered[startup_name] = path.resolve()
    for p in siblings:
        offered.setdefault(f"{folder.name}/{p.name}", p)
    return startup_name, offered


def _scenario_choices(
    startup_name: str, offered: dict[str, Path]
) -> tuple[list[str], dict[str, str]]:
    """(names for the picker, {name: problem} for offered files that do not load)."""
    names, broken = [], {}
    for name, path in offered.items():
        if name == startup_name:
            continue
        try:
            load_scenario(path)
        except ScenarioError as exc:
            broken[name] = exc.problems[0].message if exc.problems else "invalid"
            continue
        names.append(name)
    names.insert(0, startup_name)
    return names, broken


STARTUP_LANG = os.environ.get("SIXPARTY_LANG") or "en"
if STARTUP_LANG not in UI:
    STARTUP_LANG = "en"
#: The page's language (one per browser session; the switch in the app bar sets it).
LANG = solara.reactive(STARTUP_LANG)
STARTUP_SEAT = os.environ.get("SIXPARTY_SEAT") or NO_SEAT
if STARTUP_SEAT not in PARTIES:
    STARTUP_SEAT = NO_SEAT
STARTUP_SCENARIO, SCENARIO_FILES = _offered_files(
    os.environ.get("SIXPARTY_SCENARIO") or "historical"
)
SCENARIOS, BROKEN_SCENARIOS = _scenario_choices(STARTUP_SCENARIO, SCENARIO_FILES)
_STARTUP_PARAMS = load_scenario(SCENARIO_FILES[STARTUP_SCENARIO]).parameters


class NotOffered(ValueError):
    """A scenario name that is not in the page's list (see :func:`_offered_files`)."""


def _shown(value: object, limit: int = 40) -> str:
    """A value from the browser, quoted and cut short for a message."""
    text = repr(str(value))
    return text if len(text) <= limit else text[: limit - 2] + "…'"


def _build_scenario(
    name: str, params: dict, events_off: set[str]
) -> tuple[Scenario, list[str], dict]:
    """Load ``name`` and apply the parameter overrides and event switches.

    name: a key of :data:`SCENARIO_FILES` (else :class:`NotOffered`).
    Returns (scenario, ids of the events removed, parameters changed).
    Raises ScenarioError (the file), NotOffered, or pydantic's
    ValidationError (a parameter outside its range).
    """
    path = SCENARIO_FILES.get(name) if isinstance(name, str) else None
    if path is None:
        raise NotOffered(
            f"scenario {_shown(name)} is not one this dashboard offers; choose one from the list"
        )
    sc = load_scenario(path)
    changed = {
        k: v for k, v in params.items() if v is not None and v != getattr(_STARTUP_PARAMS, k)
    }
    removed: list[str] = []
    if events_off:
        subs = [s for key in events_off for s in EVENT_SWITCHES[key][1]]
        keep = []
        for ev in sc.events:
            (removed if any(s in ev.id for s in subs) else keep).append(ev)
        removed = [ev.id for ev in removed]
        sc = sc.model_copy(update={"events": keep})
    if changed:
        # Validated (ranges, finite numbers): the browser can send any value for a slider.
        merged = Parameters.model_validate({**sc.parameters.model_dump(), **changed})
        sc = sc.model_copy(update={"parameters": merged})
    return sc, removed, changed


# ------------------------------------------------------------ lifecycle
# Each browser session runs in its own Solara virtual kernel.  A model is retired
# (Mesa's class-level reference dropped, running set to False) when Reset replaces
# it and when its kernel closes (the last page of the session closed, or culled).
# While no page of its kernel is connected, a model does not compute: SolaraViz's
# play loop blocks in step() until a page reconnects or the kernel closes.

#: Seconds between two looks at the kernel while no page is connected.
PAGE_POLL_S = 1.0

_MODEL_KERNEL: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> its kernel
_KERNEL_MODELS: dict[int, weakref.WeakSet] = {}  # id(kernel) -> its live models
_KERNEL_LOCK = threading.Lock()


def _current_kernel():
    """The Solara virtual kernel running this code (one per browser session), or None."""
    try:
        from solara.server import kernel_context

        if kernel_context.has_current_context():
            return kernel_context.get_current_context()
    except Exception:  # noqa: BLE001 - outside a server (tests, scripts): no kernel
        pass
    return None


def _page_connected(kernel) -> bool:
    """True if a browser page of ``kernel`` is connected (or if that cannot be told)."""
    try:
        from solara.server.kernel_context import PageStatus

        status = tuple(kernel.page_status.values())
    except Exception:  # noqa: BLE001 - a Solara without page status: assume connected
        return True
    return not status or PageStatus.CONNECTED in status


def _track(model: ClassroomModel) -> None:
    """Remember ``model`` under the current kernel; retire it when the kernel closes."""
    kernel = _current_kernel()
    if kernel is None:
        return
    _MODEL_KERNEL[model] = kernel
    key = id(kernel)
    with _KERNEL_LOCK:
        models = _KERNEL_MODELS.get(key)
        if models is None:
            models = _KERNEL_MODELS[key] = weakref.WeakSet()
            kernel.on_close(lambda: _close_kernel(key))
        models.add(model)


def _close_kernel(key: int) -> None:
    """Retire every model of the kernel ``key`` (its last page closed, or it was culled)."""
    with _KERNEL_LOCK:
        models = list(_KERNEL_MODELS.pop(key, ()))
    for m in models:
        m.retire()


def live_classroom_models() -> int:
    """Models not retired yet, over all kernels (for tests and the memory benchmark)."""
    with _KERNEL_LOCK:
        return sum(1 for ms in _KERNEL_MODELS.values() for m in ms if not m.retired)


def keep_on_server(model: ClassroomModel) -> None:
    """The model belongs to a game of :data:`GAMES` from now on, not to the page that made it.

    Its browser session closing (a reload, a dropped connection) no longer
    retires it; the registry does, when Reset replaces it or the game expires.
    A play loop of a page that is gone stops stepping it (:meth:`ClassroomModel._wait_for_a_page`).
    """
    model.kept = True
    _MODEL_KERNEL.pop(model, None)
    with _KERNEL_LOCK:
        for models in _KERNEL_MODELS.values():
            models.discard(model)


def _retire_kept(model) -> None:
    retire = getattr(model, "retire", None)
    if callable(retire):
        retire()


def _env_number(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name) or default)
    except ValueError:
        return default


#: The games this server keeps (:mod:`sixparty.games`): a page finds its game again from
#: ``?game=ID`` in its URL.  Bounds from ``sixparty dashboard --max-games`` and
#: ``--game-idle-hours`` (``SIXPARTY_MAX_GAMES``, ``SIXPARTY_GAME_IDLE_S``).
GAMES = GameRegistry(
    max_games=int(_env_number("SIXPARTY_MAX_GAMES", DEFAULT_MAX_GAMES)),
    idle_expiry_s=max(
        MIN_IDLE_EXPIRY_S, _env_number("SIXPARTY_GAME_IDLE_S", DEFAULT_IDLE_EXPIRY_S)
    ),
    retire=_retire_kept,
)


class ClassroomModel(TalksModel):
    """A :class:`TalksModel` built from dashboard settings, with a human seat.

    Args (all keyword, as SolaraViz passes them):
        scenario: shipped name or path.
        seed: text; empty means the scenario's seed.
        concession_rate, acceptance_radius, noise, generosity, trust_memory,
        anchoring: parameter values; a value equal to the startup scenario's
            counts as "not moved" and leaves the chosen scenario's own value.
        ev_*: False switches the matching exogenous events off
            (:data:`EVENT_SWITCHES`).
        seat: a party key, or ``"none"``.

    Several seats: :meth:`take_seat` / :meth:`leave_seat` (the model's), and
    per party :meth:`awaiting_for` (None, or a dict describing the decision
    the seat must take before the next step: ``kind`` ``session`` or
    ``implementation``, with its ``briefing``), :meth:`awaiting_parties`,
    :meth:`give_session_orders` and :meth:`give_implementation_order` (the
    party first).  ``awaiting`` is the single seat's pending decision.

    Attributes for the page: ``moves`` (the orders given, ``{month, party,
    kind, value, agent, reason}``: ``agent`` and ``reason`` are what the
    agent would have done and its reason code), ``removed_events``,
    ``changed_params``, ``scenario_name``, ``problem`` (a message when the
    settings could not be used).
    """

    #: Not model state: the look-ahead copy (:meth:`TalksModel.previews`) shares these.
    PREVIEW_SHARED = (
        "moves",
        "_orders_log",
        "_ahead",
        "_awaiting",
        "_given",
        "settings",
        "step_lock",
    )

    def __init__(
        self,
        scenario: str = STARTUP_SCENARIO,
        seed: str = "",
        concession_rate: float | None = None,
        acceptance_radius: float | None = None,
        noise: float | None = None,
        generosity: float | None = None,
        trust_memory: float | None = None,
        anchoring: bool | None = None,
        ev_bda: bool = True,
        ev_iraq: bool = True,
        ev_libya: bool = True,
        ev_midterms: bool = True,
        ev_rok_hardline: bool = True,
        ev_launches: bool = True,
        seat: str = STARTUP_SEAT,
    ) -> None:
        # Held by each step and by each page reading the tables (:func:`reading`): the
        # play thread, the move buttons and every tab on the game share this one model.
        self.step_lock = threading.RLock()
        flags = {
            "ev_bda": ev_bda,
            "ev_iraq": ev_iraq,
            "ev_libya": ev_libya,
            "ev_midterms": ev_midterms,
            "ev_rok_hardline": ev_rok_hardline,
            "ev_launches": ev_launches,
        }
        params = {
            "concession_rate": concession_rate,
            "acceptance_radius": acceptance_radius,
            "noise": noise,
            "generosity": generosity,
            "trust_memory": trust_memory,
            "anchoring": anchoring,
        }
        self.problem: str | None = None
        try:
            sc, removed, changed = _build_scenario(
                scenario, params, {k for k, on in flags.items() if not on}
            )
        except NotOffered as exc:
            self.problem = f"{exc}; showing {STARTUP_SCENARIO!r}"
            scenario = STARTUP_SCENARIO
            sc, removed, changed = _build_scenario(scenario, {}, set())
        except ScenarioError as exc:
            self.problem = f"scenario {scenario!r} could not be loaded: {exc.format()}"
            scenario = STARTUP_SCENARIO
            sc, removed, changed = _build_scenario(scenario, {}, set())
        except ValidationError as exc:
            bad = "; ".join(
                f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}, got {_shown(e.get('input'))}"
                for e in exc.errors(include_url=False)
            )
            self.problem = f"parameters not used ({bad}); using the scenario's values"
            sc, removed, changed = _build_scenario(
                scenario, {}, {k for k, on in flags.items() if not on}
            )
        seed_value: int | None = None
        text = str(seed or "").strip()
        if text:
            try:
                seed_value = int(text) if len(text) <= 20 else -1
                if not 0 <= seed_value < 2**63:
                    raise ValueError
            except ValueError:
                self.problem = (
                    f"seed {_shown(text)} is not a whole number from 0 to 2**63-1; "
                    "using the scenario's seed"
                )
                seed_value = None
        super().__init__(sc, seed=seed_value)
        self.scenario_name = scenario
        self.removed_events = removed
        self.changed_params = changed
        self.settings = {"scenario": scenario, "seed": seed_value, "params": params, "flags": flags}
        self._awaiting: dict[str, dict] = {}
        #: party -> the month its session orders were given for.
        self._given: dict[str, int] = {}
        #: (month, parties asked, briefings) of the look-ahead for this month.
        self._ahead: tuple[int, set[str], dict] | None = None
        #: month index -> the orders each seat held that month (for :meth:`replay`).
        self._orders_log: dict[int, dict[str, SeatOrders]] = {}
        self.moves: list[dict] = []
        self._phases_seen = 0
        if seat in PARTIES:
            self.take_seat(seat)
        self.retired = False
        #: True once a game of :data:`GAMES` keeps this model (:func:`keep_on_server`).
        self.kept = False
        _track(self)

    def retire(self) -> None:
        """Stop this model for good: no more steps, Mesa's reference to it dropped.

        Called when Reset replaces it and when its browser session closes.
        """
        self.retired = True
        self.running = False
        release_model(self)

    def _wait_for_a_page(self) -> bool:
        """Block, computing nothing, while no page of this model's session is connected.

        Returns False when the model was retired or its kernel closed meanwhile.
        A model kept by a game (:func:`keep_on_server`) waits for a page of the
        session that steps it (a reloaded page is a new session): the play loop
        of a page that is gone stops, and the game lives on.
        """
        if self.kept and on_game_clock():
            return not self.retired  # the game's own clock: no page to wait for
        kernel = _current_kernel() if self.kept else _MODEL_KERNEL.get(self)
        while not self.retired:
            if kernel is None or _page_connected(kernel):
                return True
            if kernel.closed_event.wait(PAGE_POLL_S):
                if self.kept:
                    return False
                self.retire()
        return False

    # ------------------------------------------------------------ the seats
    def _end(self) -> int:
        return self.start + self.n_months

    @property
    def awaiting(self) -> dict | None:
        """The single seat's pending decision (:meth:`awaiting_for`), or None."""
        return None if self.seat is None else self.awaiting_for(self.seat)

    def awaiting_for(self, party: str) -> dict | None:
        """The decision ``party``'s seat must take before the next step, or None.

        ``{"kind": "session", "month", "number", "invited_by", "target",
        "briefing": SeatBriefing}`` before a session it is invited to, or
        ``{"kind": "implementation", "month", "phase", "briefing":
        ImplementationBriefing}`` once a joint document adopted a phase.
        """
        return self._awaiting.get(party)

    def awaiting_parties(self) -> list[str]:
        """Seated parties whose decision the next step waits for, in party order."""
        return [k for k in PARTIES if k in self._awaiting]

    def take_seat(self, party: str) -> SeatOrders:
        """A person takes ``party``'s delegation; asked at the next step."""
        orders = super().take_seat(party)
        self._given.pop(party, None)
        return orders

    def leave_seat(self, party: str) -> None:
        """The seat goes back to its agent at once; nothing is awaited from it."""
        super().leave_seat(party)
        self._awaiting.pop(party, None)
        self._given.pop(party, None)

    def release_to_agent(self, party: str) -> None:
        """Give ``party``'s pending decision back to its agent, for this prompt only.

        The seat stays taken.  A pending session: the orders for it are
        cleared and the month counts as answered (the agent decides at the
        step, and is not asked again this month); a pending implementation
        order: the standing order stays (with none, the agent decides).
        Nothing pending: nothing changes.  Used when a classroom game's
        countdown runs out (:meth:`sixparty.games.Seats.agent_plays`).

        Raises:
            ValueError: ``party`` holds no seat.
        """
        if party not in self.seats:
            raise ValueError(f"{party!r} holds no seat; seats: {', '.join(self.seats) or 'none'}")
        aw = self._awaiting.pop(party, None)
        if aw is None or aw["kind"] != "session":
            return
        o = self.seats[party]
        o.attend = o.respond = o.amend_issue = o.amend_to = None
        self._given[party] = self.month  # this month's orders are the agent's

    def _ask_for_sessions(self) -> None:
        """Before a month with a session: a briefing for every seat without orders."""
        need = [k for k in self.seats if self._given.get(k) != self.month]
        if not need:
            return
        if self._ahead is None or self._ahead[0] != self.month or not set(need) <= self._ahead[1]:
            self._ahead = (self.month, set(self.seats), self.previews(tuple(self.seats)))
        briefings = self._ahead[2]
        for k in need:
            b = briefings.get(k)
            if b is None:
                continue
            self._awaiting[k] = {
                "kind": "session",
                "month": b.month,
                "number": b.session,
                "invited_by": b.invited_by,
                "target": b.target,
                "briefing": b,
            }

    def step(self) -> None:
        """One month; with seats, stop before a session (or after a joint
        document adopts a phase, for the seats with a step due) until every
        seated party asked has given its orders.

        A retired model does not step; while no page is connected, the step
        waits (see :meth:`_wait_for_a_page`).
        """
        if not self._wait_for_a_page():
            self.steps -= 1  # Mesa counted a step that did not happen
            if not self.kept:
                self.running = False
            return
        with self.step_lock:
            if self.month >= self._end():  # the window is over: no month, and no step counted
                self.steps -= 1
                self.running = False
                return
            if self.seats:
                self._ask_for_sessions()
                if self._awaiting:
                    self.steps -= 1  # Mesa counted a step that did not happen
                    return
            self._orders_log[self.month] = {
                k: dataclasses.replace(o) for k, o in self.seats.items()
            }
            super().step()
            for o in self.seats.values():  # session orders hold for that month's session only
                o.attend = o.respond = o.amend_issue = o.amend_to = None
            self._ahead = None
            if self.ledger.phases and len(self.ledger.phases) > self._phases_seen:
                self._phases_seen = len(self.ledger.phases)
                ph = self.ledger.phases[-1]
                for k in self.seats:
                    brief = self.implementation_preview(k)
                    if not brief.mine:  # nothing due from this seat: nothing to decide, no stop
                        continue
                    self._awaiting[k] = {
                        "kind": "implementation",
                        "month": month_label(self.month - 1),
                        "phase": ph["name"],
                        "briefing": brief,
                    }

    def give_session_orders(
        self,
        party: str,
        attend: bool,
        respond: str | None = None,
        issue: str | None = None,
        target: float | None = None,
    ) -> None:
        """``party``'s move for the session ahead; the step that follows plays it.

        attend: True / False; respond: ``accept`` | ``amend`` | ``reject``
        (needed when attending); with ``amend``, ``issue`` (an issue key) and
        ``target`` in [0, 1] (the position asked for; None: its own).

        Raises:
            ValueError: ``party`` holds no seat, or an unknown response or issue.
        """
        if party not in self.seats:
            raise ValueError(f"{party!r} holds no seat; seats: {', '.join(self.seats) or 'none'}")
        if attend and respond not in ("accept", "amend", "reject"):
            raise ValueError(f"respond must be accept, amend or reject, not {respond!r}")
        if attend and respond == "amend" and issue not in ISSUES:
            raise ValueError(f"amend needs an issue, one of {', '.join(ISSUES)}; got {issue!r}")
        o = self.seats[party]
        o.attend = bool(attend)
        o.respond = respond if attend else None
        o.amend_issue = issue if attend and respond == "amend" else None
        o.amend_to = float(target) if attend and respond == "amend" and target is not None else None
        aw = self._awaiting.get(party)
        b = aw.get("briefing") if aw and aw["kind"] == "session" else None
        month = month_label(self.month)
        session = None if b is None else b.session
        self.moves.append(
            {
                "month": month,
                "party": party,
                "session": session,
                "kind": "attend",
                "value": "attend" if attend else "boycott",
                "agent": None if b is None else ("attend" if b.recommend_attend else "boycott"),
                "reason": None if b is None else b.attend_reason,
                "why": None if b is None else {"r": b.readiness, "t": b.attend_threshold},
            }
        )
        if attend:
            self.moves.append(
                {
                    "month": month,
                    "party": party,
                    "session": session,
                    "kind": "respond",
                    "value": respond,
                    "issue": o.amend_issue,
                    "to": o.amend_to,
                    # the agent's answer counts only where it would have attended too
                    "agent": None if b is None or not b.recommend_attend else b.recommend,
                    "reason": None if b is None else b.reason,
                    "why": None
                    if b is None
                    else {
                        "u": b.u_accept,
                        "d": b.u_walk_away,
                        "trust": b.commitment_trust,
                        "need": b.trust_needed,
                        "issue": b.recommend_issue,
                    },
                }
            )
        self._given[party] = self.month
        if aw and aw["kind"] == "session":
            del self._awaiting[party]

    def give_implementation_order(self, party: str, value: str) -> None:
        """``party``'s standing order for its own steps: ``perform`` | ``slow`` | ``suspend``.

        Raises:
            ValueError: ``party`` holds no seat, or an unknown order.
        """
        if party not in self.seats:
            raise ValueError(f"{party!r} holds no seat; seats: {', '.join(self.seats) or 'none'}")
        if value not in ("perform", "slow", "suspend"):
            raise ValueError(f"order must be perform, slow or suspend, not {value!r}")
        aw = self._awaiting.get(party)
        pending = aw is not None and aw["kind"] == "implementation"
        if self.seats[party].implementation != value or pending:
            self.moves.append(
                {
                    "month": month_label(self.month),
                    "party": party,
                    "kind": "implementation",
                    "value": value,
                    "agent": None,
                    "reason": None,
                }
            )
        self.seats[party].implementation = value
        if pending:
            del self._awaiting[party]

    # ------------------------------------------------------------- debrief
    def agent_twin_tables(self, party: str | None = None):
        """Tables of the same scenario and seed over the same months with the
        agent in ``party``'s seat (default: the single seat) and every other
        seat replaying the orders its team gave (:meth:`replay`)."""
        twin = self.replay(without=party or self.seat)
        try:
            return run_tables(twin)
        finally:
            release_model(twin)

    def replay(self, without: str | None) -> TalksModel:
        """A :class:`TalksModel` of the same scenario and seed, stepped over
        the months played so far, each seat except ``without`` holding the
        orders it held that month (the agent plays ``without``)."""
        twin = TalksModel(self.spec, seed=self.seed_used)
        for _ in range(len(self.timeline)):
            orders = self._orders_log.get(twin.month, {})
            twin.seats = {k: dataclasses.replace(o) for k, o in orders.items() if k != without}
            TalksModel.step(twin)
        return twin

    def debrief(self, lang: str = "en", party: str | None = None) -> dict | None:
        """:func:`analysis.narrate.debrief_parts` for ``party``'s seat (default:
        the single seat), or None without that seat or a month."""
        party = party or self.seat
        if not party or party not in self.seats or not self.timeline:
            return None
        with self.step_lock:
            tables = run_tables(self)
        return debrief_parts(
            tables,
            self.agent_twin_tables(party),
            party,
            lang=lang,
            moves=[mv for mv in self.moves if mv.get("party", party) == party],
            historical_conditions=self.scenario_name == "historical",
        )


# ------------------------------------------------------------ model params
def switched_off_text(removed: list[str], lang: str = "en") -> str:
    """The event switches that removed the events ``removed`` (ids), by their names in
    ``lang`` (the sidebar's), joined; an id no switch accounts for is shown as it is."""
    names, covered = [], set()
    for key, (name, subs) in EVENT_SWITCHES.items():
        hit = {ev for ev in removed if any(s in ev for s in subs)}
        if hit:
            names.append(EVENT_SWITCHES_ZH[key] if lang == "zh" else name)
            covered |= hit
    names += [ev for ev in removed if ev not in covered]
    return ("、" if lang == "zh" else ", ").join(names)


def seat_items(lang: str = "en") -> list[dict[str, str]]:
    """The seat picker's options: ``{"text": shown in lang, "value": "none" | party key}``,
    no seat first, then :data:`PARTIES` in order (``无``, ``朝鲜``, ... in Chinese)."""
    return [{"text": ui("p.no_seat", lang), "value": NO_SEAT}] + [
        {"text": i18n_label(k, lang), "value": k} for k in PARTIES
    ]


def _item_values(items: list) -> list:
    """The values a Select offers: its items, or their ``value`` for text/value items."""
    return [x["value"] if isinstance(x, dict) else x for x in items]


def changed_text(changed: dict, lang: str = "en") -> str:
    """The parameters moved from the startup values, as the page lists them: each
    by its sidebar label in ``lang`` (``噪声=0.1``, ``Noise=0.1``), on/off for a
    switch.  changed: parameter name -> value (``ClassroomModel.changed_params``)."""

    def shown(v) -> str:
        if isinstance(v, bool):
            return ui("p.on" if v else "p.off", lang)
        return f"{v:g}" if isinstance(v, (int, float)) else str(v)

    sep = i18n_label("list_sep", lang)
    return sep.join(f"{ui(f'p.{k}', lang)}={shown(v)}" for k, v in changed.items())


def scenario_switches(scenario_name: str) -> list[str]:
    """The keys of :data:`EVENT_SWITCHES` whose events ``scenario_name`` has (in that order)."""
    path = SCENARIO_FILES.get(scenario_name)
    try:
        ids = [ev.id for ev in load_scenario(path).events] if path is not None else []
    except ScenarioError:
        ids = []
    return [
        key
        for key, (_, subs) in EVENT_SWITCHES.items()
        if any(sub in eid for sub in subs for eid in ids)
    ]


def model_params(
    scenario_name: str | None = None, lang: str = "en", current: dict | None = None
) -> dict:
    """SolaraViz ``model_params``: the sidebar inputs (applied on Reset), labelled in ``lang``.

    Event switches are offered only for events the scenario ``scenario_name``
    (default: the startup scenario) has.  current: values the teacher has set
    (shown instead of the defaults when the sidebar is drawn again).
    """
    p = _STARTUP_PARAMS
    out: dict = {
        "scenario": {
            "type": "Select",
            "value": scenario_name or STARTUP_SCENARIO,
            "values": SCENARIOS,
            "label": ui("p.scenario", lang),
        },
        "seat": {
            "type": "Select",
            "value": STARTUP_SEAT,
            # shown in the page's language, sent as the ids (Vuetify's text/value items)
            "values": seat_items(lang),
            "label": ui("p.seat", lang),
        },
        "seed": {"type": "InputText", "value": "", "label": ui("p.seed", lang)},
    }
    for key, (_text, lo, hi, step) in SLIDERS.items():
        out[key] = {
            "type": "SliderFloat",
            "value": float(getattr(p, key)),
            "min": lo,
            "max": hi,
            "step": step,
            "label": ui(f"p.{key}", lang),
        }
    out["anchoring"] = {
        "type": "Checkbox",
        "value": bool(p.anchoring),
        "label": ui("p.anchoring", lang),
    }
    for key in scenario_switches(scenario_name or STARTUP_SCENARIO):
        text = EVENT_SWITCHES_ZH[key] if lang == "zh" else EVENT_SWITCHES[key][0]
        out[key] = {"type": "Checkbox", "value": True, "label": ui("p.event", lang, text=text)}
    for key, value in (current or {}).items():
        if key not in out or value is None:
            continue
        if out[key]["type"] == "Select" and value not in _item_values(out[key]["values"]):
            continue  # a value the list does not offer (whatever the browser sent) is not shown
        out[key]["value"] = value
    for key, (_text, _lo, _hi, step) in SLIDERS.items():
        # The value beside the name, at rest too (Vuetify shows it only while dragged, over
        # the slider above): the sidebar is drawn again as the value changes.
        digits = max(0, -math.floor(math.log10(step)))
        shown = f"{float(out[key]['value']):.{digits}f}"
        out[key]["label"] = ui("p.value", lang, label=out[key]["label"], v=shown)
    return out


# ------------------------------------------------------------------ charts
# The four charts live in sixparty.dashboard_charts: matplotlib figures kept alive per
# browser session and updated in place each month (why: that module's docstring).
PARTY_COLORS = _charts.PARTY_COLORS
DOC_COLORS = _charts.DOC_COLORS
_DPI = _charts.DPI
FONT_PT = _charts.FONT_PT
TITLE_PT = _charts.TITLE_PT


def _words(lang: str):
    return lambda key: ui(key, lang)


def positions_figure(m: TalksModel, lang: str = "en"):
    """Dots: each party's position on each issue (size: salience); grey bars: the last text."""
    return _charts.PositionsChart(lang, _words(lang)).figure(m)


def trust_figure(m: TalksModel, lang: str = "en"):
    """Heat map: the row party's trust in the column party, in [0, 1]."""
    return _charts.TrustChart(lang, _words(lang)).figure(m)


def ledger_figure(m: TalksModel, lang: str = "en"):
    """Action for action: denuclearization progress (left) against aid delivered and pledged (right)."""
    return _charts.LedgerChart(lang, _words(lang)).figure(m)


def timeline_figure(m: TalksModel, record_rows: list[dict], lang: str = "en"):
    """The run's sessions, decisions and events (top rows) and the historical record (bottom row)."""
    return _charts.TimelineChart(lang, _words(lang), record_rows).figure(m)


# ------------------------------------------------------------------ components
def _esc(x) -> str:
    return html.escape(str(x))


def _html_table(rows: list[dict], cls: str, lang: str | None = None) -> str:
    """An HTML table of ``rows``; with ``lang``, the column heads are the page's words ``col.<key>``."""
    if not rows:
        return ""
    keys = list(rows[0])
    head = "".join(
        f"<th style='text-align:left;padding:2px 8px'>"
        f"{_esc(ui('col.' + k, lang) if lang else k)}</th>"
        for k in keys
    )
    body = "".join(
        "<tr>"
        + "".join(f"<td style='padding:2px 8px;vertical-align:top'>{_esc(r[k])}</td>" for k in keys)
        + "</tr>"
        for r in rows
    )
    return (
        f"<table class='{cls}' style='border-collapse:collapse;font-size:16px'>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _status_line(m: TalksModel, lang: str = "en") -> tuple[str, str]:
    if not m.timeline:
        return ui("start", lang, month=month_label(m.start)), ui("before", lang)
    r = m.timeline[-1]
    return r["month"], ui(
        "status",
        lang,
        talks=i18n_label(f"status.{r['talks_status']}", lang),
        dprk=i18n_label(f"stance.{r['dprk_stance']}", lang),
        impl=i18n_label(f"impl.{r['implementation']}", lang),
        sanctions=r["sanctions"],
        trust=r["mean_trust"],
    )


def _story(m: TalksModel, lang: str) -> str:
    with reading(m):
        tables = run_tables(m)
    return month_story(tables, -1, lang=lang)


@solara.component
def StatusCard(model: solara.Reactive, reset: bool = True):
    """The month, the talks' status, the scenario and what happened, in large type.

    reset: the page has Reset (the solo page); False (the classroom teacher's
    page, whose model the game keeps) leaves Reset out of the hints.
    """
    update_counter.get()
    lang = LANG.value
    m = model.value
    month, status = _status_line(m, lang)
    with solara.Card(style={"min-width": "100%"}):
        # the busy sign where the class looks (a month or a session being computed)
        solara.ProgressLinear(
            BUSY.value > 0, style={"visibility": "visible" if BUSY.value > 0 else "hidden"}
        )
        solara.Text(
            month,
            classes=["sp-date"],
            style={
                "font-size": "40px",
                "font-weight": "bold",
                "line-height": "1.25",
                "display": "block",
            },
        )
        solara.Text(
            status,
            classes=["sp-status"],
            style={"font-size": "20px", "display": "block", "line-height": "1.35"},
        )
        sc = m.spec
        solara.Text(
            ui(
                "scenario",
                lang,
                # a shipped scenario's title in the page's language, as the CLI prints it
                title=scenario_title(sc.name, sc.title or sc.name, lang),
                name=sc.name,
                seed=m.seed_used,
                start=sc.window.start,
                end=sc.window.end,
            ),
            classes=["sp-scenario"],
            style={"color": "#555", "font-size": "17px"},
        )
        extra = []
        if m.changed_params:
            extra.append(ui("moved", lang) + changed_text(m.changed_params, lang))
        if m.removed_events:
            extra.append(ui("switched_off", lang) + switched_off_text(m.removed_events, lang))
        if extra:
            solara.Text(" · ".join(extra), style={"color": "#8a4b00", "font-size": "16px"})
        if m.problem:
            solara.Warning(m.problem)
        if BROKEN_SCENARIOS:
            solara.Text(
                ui("not_listed", lang) + ", ".join(BROKEN_SCENARIOS), style={"color": "#999"}
            )
        story = solara.use_memo(  # the run's tables are built once a month, not once a render
            lambda: (
                _story(m, lang)
                if m.timeline
                else ui("press_step" if reset else "press_step_clock", lang)
            ),
            [m, len(m.timeline), lang, reset],
        )
        solara.HTML(
            unsafe_innerHTML=f"<b>{_esc(ui('what', lang))}</b> {_esc(story)}",
            classes=["sp-story"],
            style="font-size:20px;line-height:1.45;margin-top:8px",
        )
        if not m.running:
            solara.Info(ui("over" if reset else "over_final", lang))


#: A seat's position this far from the draft on an issue is shown in bold (display only).
FAR_FROM_DRAFT = 0.1


def _fmt(x: float) -> str:
    return f"{x:.2f}"


def move_word(mv: dict, lang: str = "en") -> str:
    """A logged move (``ClassroomModel.moves``) in a word or two: ``attend``,
    ``amend (verification)``, ``slow``."""
    kind, value = mv["kind"], mv["value"]
    if kind == "attend":
        return phrase(f"seat.do.{value}", lang)
    if kind == "implementation":
        return phrase(f"seat.order.{value}", lang)
    word = phrase(f"seat.choice.{value}", lang)
    if value == "amend" and mv.get("issue"):
        word += f" ({i18n_label(mv['issue'], lang)})"
    return word


def orders_summary(moves: list[dict], lang: str = "en") -> str:
    """Every logged move of a seat (``ClassroomModel.moves``), one entry per month from the
    first: ``2003-04 attend, accept; 2003-05 boycott; 2007-09 perform``."""
    by_month: dict[str, list[str]] = {}
    for mv in moves:
        by_month.setdefault(mv["month"], []).append(move_word(mv, lang))
    sep = "、" if lang == "zh" else ", "
    return "; ".join(f"{month_text(mo, lang)} {sep.join(w)}" for mo, w in by_month.items())


def recommendation_text(b: SeatBriefing, lang: str = "en") -> str:
    """The agent's recommendation in a sentence, from the briefing's reason codes."""
    issue = i18n_label(b.recommend_issue, lang) if b.recommend_issue else ""
    r, t = compared(b.readiness, b.attend_threshold)
    attend_why = phrase(f"seat.why.{b.attend_reason}", lang, r=r, t=t)
    attend = phrase("seat.do.attend" if b.recommend_attend else "seat.do.boycott", lang)
    if not b.recommend_attend:
        return phrase("seat.recommend_away", lang, attend=attend, why=attend_why)
    # the utilities with the decimals the seat card shows them (utility_lines)
    u, _, d = compared(b.u_accept, b.u_amend, b.u_walk_away)
    trust, need = compared(
        b.commitment_trust, b.trust_needed if b.trust_needed is not None else 0.0
    )
    why = phrase(f"seat.why.{b.reason}", lang, u=u, d=d, trust=trust, need=need, issue=issue)
    respond = phrase(f"seat.do.{b.recommend}", lang, issue=issue)
    return phrase("seat.recommend", lang, attend=attend, respond=respond, why=why)


def utility_lines(b: SeatBriefing, lang: str = "en") -> list[str]:
    """The three utilities (accept, amend, walk away) as sentences, with one number of
    decimals that tells apart the ones that differ (:func:`compared`)."""
    accept, amend_u, walk = compared(b.u_accept, b.u_amend, b.u_walk_away)
    if b.amend_issue is None:
        amend = phrase("seat.u_amend_none", lang, u=amend_u)
    else:
        amend = phrase(
            "seat.u_amend", lang, issue=i18n_label(b.amend_issue, lang), to=b.amend_to, u=amend_u
        )
    return [
        phrase("seat.u_accept", lang, u=accept),
        amend,
        phrase("seat.u_walk", lang, u=walk),
    ]


def briefing_html(b: SeatBriefing, lang: str = "en") -> str:
    """The seat's briefing as HTML for a projector: the draft against every
    position, issue by issue (the seat's own column first, cells where the
    draft is far from it in bold), the three utilities and the agent's
    recommendation."""
    others = [k for k in b.parties if k != b.party]
    head = (
        [phrase("seat.col.issue", lang), phrase("seat.col.draft", lang)]
        + [phrase("seat.col.you", lang)]
        + [i18n_label(k, lang) for k in others]
    )
    rows = []
    for r in b.rows():
        own = _fmt(r["own"])
        if abs(r["gap"]) >= FAR_FROM_DRAFT:
            own = f"<b>{own}</b>"
        draft = _fmt(r["draft"])
        if r["amended"] is not None:
            draft += f" → {_fmt(r['amended'])}"
        cells = [_esc(i18n_label(r["issue"], lang)), draft, own] + [_fmt(r[k]) for k in others]
        rows.append(
            "<tr>" + "".join(f"<td style='padding:2px 8px'>{c}</td>" for c in cells) + "</tr>"
        )
    table = (
        "<table class='sp-brief-table' style='border-collapse:collapse;font-size:18px'>"
        "<thead><tr>"
        + "".join(f"<th style='text-align:left;padding:2px 8px'>{_esc(h)}</th>" for h in head)
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )
    utilities = "".join(f"<li>{_esc(x)}</li>" for x in utility_lines(b, lang))
    return (
        f"<div class='sp-brief'><div style='font-size:17px'>{_esc(phrase('seat.draft_title', lang))}"
        f"</div>{table}<ul class='sp-utilities' style='font-size:18px;margin:6px 0'>{utilities}</ul>"
        f"<p class='sp-recommend' style='font-size:18px'>{_esc(recommendation_text(b, lang))}</p>"
        "</div>"
    )


def _due_rows(dues, lang: str) -> str:
    if not dues:
        return f"<p>{_esc(phrase('seat.due_none', lang))}</p>"
    keys = ("party", "step", "tranche", "amount", "delivered", "due", "state")
    head = "".join(
        f"<th style='text-align:left;padding:2px 8px'>{_esc(phrase('seat.col.' + k, lang))}</th>"
        for k in keys
    )
    body = []
    for d in dues:
        tonnes = d.kind == "aid"
        amount = f"{d.amount:,.0f}" if tonnes else _fmt(d.amount)
        delivered = f"{d.delivered:,.0f}" if tonnes else _fmt(d.delivered)
        state = "overdue" if d.overdue else ("owed" if d.owed else "waiting")
        cells = (
            i18n_label(d.party, lang),
            phrase(f"seat.kind.{d.kind}", lang),
            d.tranche,
            amount,
            delivered,
            month_text(d.due, lang),
            phrase(f"seat.state.{state}", lang),
        )
        body.append(  # nowrap: a month such as 2008-11 must not break at its hyphen
            "<tr>"
            + "".join(
                f"<td style='padding:2px 8px;white-space:nowrap'>{_esc(c)}</td>" for c in cells
            )
            + "</tr>"
        )
    return (
        "<table class='sp-dues-table' style='border-collapse:collapse;font-size:17px'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def dues_html(d: ImplementationBriefing, lang: str = "en") -> str:
    """What is due from the seat and from its counterparts, as HTML tables."""
    return (
        f"<div class='sp-dues'><b>{_esc(phrase('seat.due_mine', lang))}</b>{_due_rows(d.mine, lang)}"
        f"<b>{_esc(phrase('seat.due_theirs', lang))}</b>{_due_rows(d.theirs, lang)}</div>"
    )


@solara.component
def SeatCard(model: solara.Reactive, party: str | None = None, step_after: bool = True):
    """One seat's card: the briefing and the choice before a session, the
    dues and the standing order during implementation, the debrief.

    party: the seated party this card plays (default: the model's single
    seat).  step_after: "Play this session" also steps the model (a game
    whose clock someone else keeps passes False: the orders are only given,
    and the button reads "Send our move").
    Nothing is chosen for the student: the choices start empty (again at
    every new decision) and "Play this session" stays disabled until
    attend/boycott (and, attending, the answer, and with ``amend`` the
    issue) are chosen.
    """
    update_counter.get()
    lang = LANG.value
    m = model.value
    key = party or m.seat
    issue, set_issue = solara.use_state(None)
    attend, set_attend = solara.use_state(None)
    respond, set_respond = solara.use_state(None)
    target, set_target = solara.use_state(None)
    impl, set_impl = solara.use_state(None)
    report, set_report = solara.use_state(None)

    def fresh():
        for setter in (set_report, set_attend, set_respond, set_issue, set_target):
            setter(None)

    pending = m.awaiting_for(key) if key in m.seats else None
    decision = None if pending is None else (pending["kind"], pending["month"])
    # a new model (Reset), seat or decision: no choice carried over
    solara.use_effect(fresh, [id(m), key, decision])
    # The debrief shown at the window's end replays the whole game: once per model
    # state (model, seat, language, months, moves), not once per redraw of the page.
    final = solara.use_memo(
        lambda: m.debrief(lang, party=key) if not m.running and key in m.seats else None,
        [id(m), key, lang, m.running, len(m.timeline), len(m.moves)],
    )

    if not key or key not in m.seats:
        with solara.Card(ui("s.take", lang)):
            solara.Text(ui("s.take_text", lang))
        return
    i = PARTIES.index(key)
    # The positions the briefing's table shows (the session month's, as the draft meets
    # them); between sessions the model's own.
    shown_pos = (
        pending["briefing"].positions
        if pending is not None and pending["kind"] == "session"
        else m.pos[0].tolist()
    )
    own = float(shown_pos[i][ISSUES.index(issue)]) if issue else 0.5
    goal = own if target is None else target
    ready = attend == "boycott" or (
        attend == "attend"
        and (respond in ("accept", "reject") or (respond == "amend" and issue is not None))
    )

    def play_session():
        if not ready or BUSY.value > 0:
            return
        with busy():  # the busy sign, and the page's buttons disabled, while it computes
            m.give_session_orders(key, attend == "attend", respond, issue, goal)
            if step_after:
                m.step()
        fresh()
        force_update()

    def confirm_impl(value=None):
        if value or impl:
            m.give_implementation_order(key, value or impl)
            force_update()

    def show_debrief():
        set_report(m.debrief(lang, party=key))

    seat = i18n_label(key, lang)
    with solara.Card(ui("s.your_seat", lang, seat=seat), classes=["sp-seat"]):
        aw = m.awaiting_for(key)
        if aw and aw["kind"] == "session":
            b = aw["briefing"]
            solara.HTML(
                unsafe_innerHTML=(
                    f"<h3 class='sp-your-move'>{_esc(ui('s.your_move', lang, seat=seat))}</h3><p>"
                    + ui(
                        "s.invite",
                        lang,
                        n=aw["number"],
                        month=_esc(month_text(aw["month"], lang)),
                        target=_esc(i18n_label(aw["target"], lang)),
                    )
                    + "</p>"
                    + briefing_html(b, lang)
                )
            )
            solara.Text(phrase("seat.choose", lang), style={"font-size": "17px"})
            with solara.ToggleButtonsSingle(
                value=attend, on_value=set_attend, mandatory=False, classes=["sp-attend"]
            ):
                for choice in ("attend", "boycott"):
                    solara.Button(phrase(f"seat.do.{choice}", lang), value=choice)
            if attend == "attend":
                with solara.ToggleButtonsSingle(
                    value=respond, on_value=set_respond, mandatory=False, classes=["sp-respond"]
                ):
                    for choice in ("accept", "amend", "reject"):
                        solara.Button(phrase(f"seat.choice.{choice}", lang), value=choice)
                if respond == "amend":
                    # the issue's label as the briefing's table shows it; the value stays its id
                    rv.Select(
                        label=ui("s.issue", lang),
                        items=[{"text": i18n_label(k, lang), "value": k} for k in ISSUES],
                        v_model=issue,
                        on_v_model=lambda v: (set_issue(v), set_target(None)),
                        class_="sp-amend-issue",
                    )
                    if issue:
                        lo, hi = (ISSUE_SCALES_ZH if lang == "zh" else ISSUE_SCALES)[issue]
                        k = ISSUES.index(issue)
                        others = ", ".join(
                            f"{i18n_label(p, lang)} {shown_pos[j][k]:.2f}"
                            for j, p in enumerate(PARTIES)
                            if j != i
                        )
                        solara.Text(
                            ui("s.scale", lang, lo=lo, hi=hi, own=own, others=others),
                            style={"font-size": "16px"},
                            classes=["sp-amend-scale"],
                        )
                        solara.SliderFloat(
                            ui("s.toward", lang),
                            value=goal,
                            min=0.0,
                            max=1.0,
                            step=0.01,
                            on_value=set_target,
                            thumb_label="always",
                            tick_labels="end_points",
                        )
                        solara.Text(
                            ui("s.toward_value", lang, goal=goal, lo=lo, hi=hi),
                            style={"font-size": "16px"},
                            classes=["sp-amend-to"],
                        )
                    else:
                        solara.Text(phrase("seat.pick_issue", lang), style={"font-size": "16px"})
            if not ready:
                solara.Text(
                    phrase("seat.pick_first", lang),
                    style={"font-size": "16px", "color": "#8a4b00"},
                )
            solara.Button(
                # a game whose clock someone else keeps: the button only sends the move
                ui("s.play", lang) if step_after else phrase("seat.send", lang),
                color="primary",
                on_click=play_session,
                disabled=not ready or BUSY.value > 0,
                classes=["sp-play-session"],
            )
        elif aw and aw["kind"] == "implementation":
            solara.HTML(
                unsafe_innerHTML=(
                    f"<h3 class='sp-your-move'>{_esc(ui('s.your_move', lang, seat=seat))}</h3><p>"
                    + ui("s.phase", lang, phase=_esc(phase_title(aw["phase"], lang)))
                    + "</p>"
                    + dues_html(aw["briefing"], lang)
                )
            )
            with solara.Row():
                for order in ("perform", "slow", "suspend"):
                    solara.Button(
                        phrase(f"seat.order.{order}", lang),
                        color="primary",
                        outlined=True,
                        on_click=lambda o=order: confirm_impl(o),
                        classes=[f"sp-impl-{order}"],
                    )
        else:
            # one set of order buttons at a time: the prompt's above, the standing order's here;
            # the idle line comes last, under the controls it refers to
            if m.ledger.steps:
                solara.HTML(unsafe_innerHTML=dues_html(m.implementation_preview(key), lang))
                solara.Text(
                    ui(
                        "s.standing",
                        lang,
                        order=phrase(f"seat.order.{m.seats[key].implementation}", lang)
                        if m.seats[key].implementation
                        else ui("s.agent_decides", lang),
                    )
                )
                with solara.Row():
                    with solara.ToggleButtonsSingle(
                        value=impl, on_value=set_impl, mandatory=False, classes=["sp-standing"]
                    ):
                        for order in ("perform", "slow", "suspend"):
                            solara.Button(phrase(f"seat.order.{order}", lang), value=order)
                    solara.Button(
                        ui("s.set", lang),
                        on_click=lambda: confirm_impl(None),
                        text=True,
                        disabled=impl is None,
                    )
            solara.HTML(
                tag="div",
                classes=["sp-seat-idle"],
                unsafe_innerHTML=_esc(ui("s.idle" if step_after else "s.idle_team", lang)),
            )
        mine = [mv for mv in m.moves if mv.get("party") == key]
        if mine:
            solara.HTML(
                tag="div",
                classes=["sp-moves"],
                style="font-size:16px;color:#555",
                unsafe_innerHTML=_esc(ui("s.orders", lang) + orders_summary(mine, lang)),
            )
        solara.Button(
            ui("s.debrief", lang), on_click=show_debrief, outlined=True, classes=["sp-debrief"]
        )
        parts = report or final
        if parts:
            rows = [
                {
                    "measure": r["measure"],
                    "you": r["you"],
                    "agent": r["agent"],
                    "past": r["history"],
                }
                for r in parts["rows"]
            ]
            solara.HTML(
                tag="div",
                classes=["sp-debrief-text"],
                unsafe_innerHTML=(
                    "".join(f"<div>{_esc(x)}</div>" for x in parts["head"])
                    + _html_table(rows, "sp-debrief-table", lang)
                    + "".join(
                        f"<div style='margin-top:6px'><b>{_esc(x)}</b></div>"
                        if x.endswith((":", "："))
                        else f"<div>{_esc(x)}</div>"
                        for x in parts["verdict"]
                    )
                ),
                style="font-size:16px",
            )


@solara.component
def ChartImage(
    kind: type, m: TalksModel, lang: str, tick: int, record_rows: list[dict] | None = None
):
    """One chart of :mod:`sixparty.dashboard_charts` as a PNG image.

    The chart object lives as long as this component (one per browser page and
    language): each month it is updated in place, and redrawn only when what it
    shows changed.  tick: Mesa's update counter (a new value makes the component
    look at the model again; the model object itself stays the same between steps).
    """

    def make():
        extra = {} if record_rows is None else {"record_rows": record_rows}
        return kind(lang, _words(lang), **extra)

    chart = solara.use_memo(make, [kind, lang])
    with reading(m):
        png = chart.png(m)
    rw.Image(value=png, format="png")


@solara.component
def Charts(model: solara.Reactive):
    tick = update_counter.get()
    lang = LANG.value
    m = model.value
    with solara.Row(style={"flex-wrap": "wrap"}):
        with solara.Card(classes=["sp-positions"], margin=1):
            ChartImage(_charts.PositionsChart, m, lang, tick)
        with solara.Card(classes=["sp-trust"], margin=1):
            ChartImage(_charts.TrustChart, m, lang, tick)
        with solara.Card(classes=["sp-ledger"], margin=1):
            ChartImage(_charts.LedgerChart, m, lang, tick)


_RECORD_ROWS = {"en": record_timeline("en"), "zh": record_timeline("zh")}
_RECORDED_SESSIONS = recorded_sessions()


def session_rows(m: TalksModel, lang: str = "en") -> list[dict]:
    """The sessions table of the page: the model's own numbering, and the historical round
    each held session is matched to (:mod:`sixparty.analysis.rounds`, ±1 month)."""
    rows = [{"month": month_label(s.month), "held": s.held} for s in m.sessions]
    labels = session_labels(rows, recorded=_RECORDED_SESSIONS)
    out = []
    for s, lab in zip(m.sessions, labels, strict=True):
        declined = ", ".join(i18n_label(p, lang) for p in s.declined)
        out.append(
            {
                "month": month_text(month_label(s.month), lang),
                "session": (f"第{lab.number}次" if lang == "zh" else f"session {lab.number}"),
                "history": lab.history(lang),
                "attendance": ui("all_six", lang) if s.held else ui("declined", lang) + declined,
                "document": i18n_label(s.document, lang) if s.held else ui("not_held", lang),
                "notes": reason_text(s.reasons, lang),
            }
        )
    return out


_HEAD_STYLE = {"font-weight": "bold", "font-size": "18px", "display": "block", "margin-top": "10px"}


def _record_html(lang: str) -> str:
    """The historical record's table (the same for every page: built once per language)."""
    if lang not in _RECORD_HTML:
        _RECORD_HTML[lang] = _html_table(
            [
                {"date": r["date"], "kind": r["kind_text"], "what": r["what"]}
                for r in _RECORD_ROWS[lang]
            ],
            "sp-record",
            lang,
        )
    return _RECORD_HTML[lang]


_RECORD_HTML: dict[str, str] = {}


def _decisions_html(m: TalksModel, lang: str) -> str:
    decisions = [
        {
            "month": month_text(month_label(mo), lang),
            "party": i18n_label(p, lang),
            "decision": i18n_label(f"decision.{w}", lang),
            "why": reason_text(y, lang),
        }
        for mo, p, w, y, _c in m.decisions
    ]
    return _html_table(decisions[::-1], "sp-decisions", lang)


@solara.component
def Timeline(model: solara.Reactive):
    tick = update_counter.get()
    lang = LANG.value
    m = model.value

    # The tables are rebuilt only when a session or a decision was added (not every month).
    def rows():
        with reading(m):
            return session_rows(m, lang)

    def decisions():
        with reading(m):
            return _decisions_html(m, lang)

    sessions = solara.use_memo(rows, [m, len(m.sessions), lang])
    sessions_html = solara.use_memo(
        lambda: _html_table(sessions[::-1], "sp-sessions", lang), [sessions]
    )
    decisions_html = solara.use_memo(decisions, [m, len(m.decisions), lang])
    with solara.Card(ui("timeline", lang), classes=["sp-timeline"]):
        ChartImage(_charts.TimelineChart, m, lang, tick, record_rows=_RECORD_ROWS["en"])
        solara.Text(
            ui("sessions_so_far", lang, n=len(sessions)),
            classes=["sp-session-count"],
            style=_HEAD_STYLE,
        )
        if sessions:
            solara.HTML(unsafe_innerHTML=sessions_html)
        if decisions_html:
            solara.Text(ui("decisions", lang), style=_HEAD_STYLE)
            solara.HTML(unsafe_innerHTML=decisions_html)
        solara.Text(ui("record", lang), style=_HEAD_STYLE)
        if _RECORD_ROWS[lang]:
            solara.HTML(unsafe_innerHTML=_record_html(lang))
        else:
            solara.Text(ui("no_record", lang))


@solara.component
def Dashboard(model: solara.Reactive):
    with solara.Column(style={"padding": "8px"}):
        with solara.Row(style={"flex-wrap": "wrap", "align-items": "flex-start"}):
            with solara.Column(style={"flex": "2 1 600px"}):
                StatusCard(model)
            with solara.Column(style={"flex": "1 1 320px"}):
                SeatCard(model)
        Charts(model)
        Timeline(model)


@solara.component
def StepCounter(model: solara.Reactive):
    """Months simulated of the window's months (never more: the model stops at the window's end)."""
    update_counter.get()
    m = model.value
    solara.Text(
        ui("steps", LANG.value, k=len(m.timeline), n=m.n_months),
        classes=["sp-steps"],
        style={"font-size": "18px", "font-weight": "bold"},
    )


#: The projector layout: large type, and nothing of Solara's over the content.
PROJECTOR_CSS = """
/* "This website runs on Solara": Solara's banner at the page's bottom right, over the content */
div:has(> b > a[href="https://solara.dev"]) { display: none !important; }
.v-application { font-size: 17px; }
.v-navigation-drawer .v-label, .v-navigation-drawer .v-input, .v-navigation-drawer .v-btn,
.v-navigation-drawer .v-select__selection { font-size: 17px !important; }
.v-card__title { font-size: 22px !important; word-break: normal !important; }
.v-card__text, .v-card .v-card__text { font-size: 17px !important; line-height: 1.45; }
.sp-seat p, .sp-seat-idle { font-size: 17px; }
.v-btn { font-size: 17px !important; }
.sp-sessions td, .sp-decisions td, .sp-record td { font-size: 16px; }
.sp-sessions td:first-child, .sp-decisions td:first-child, .sp-record td:first-child,
.sp-sessions td:nth-child(2), .sp-sessions td:nth-child(3) { white-space: nowrap; }
.v-toolbar__title { font-size: 24px !important; }
/* The sidebar's and the teacher's sliders name their value in the label: the bubble shown
   while dragging would only cover the slider above. */
.sp-params .v-slider__thumb-label-container, .sp-time-card .v-slider__thumb-label-container {
  display: none !important; }
/* ... and that label sits on its own line above a full-width track: beside it, a long
   label ("宽容度（宽容的以牙还牙）：0.30") left the track 54 px and the tracks unaligned. */
.sp-params .v-input__slider .v-input__slot { flex-wrap: wrap; }
.sp-params .v-input__slider .v-input__slot > .v-label {
  flex: 0 0 100%; max-width: 100%; margin: 0 0 2px 0 !important; }
/* The seat's debrief scrolls in its own box: opened, it pushed the charts below the fold. */
.sp-seat .sp-debrief-text { max-height: 40vh; overflow-y: auto; }
"""


def query_params(search: str | None) -> dict[str, str]:
    """``?a=1&b=2`` (the router's ``search``, without the ``?``) as a dict (first value wins)."""
    from urllib.parse import parse_qsl

    out: dict[str, str] = {}
    for k, v in parse_qsl(search or "", keep_blank_values=False):
        out.setdefault(k, v)
    return out


def solo_game(game_id: str | None) -> tuple[object | None, str | None]:
    """The game of ``?game=ID``, or a new one: (game or None, a note for the page or None).

    A new game's model is the startup one (:class:`ClassroomModel` with the
    command line's scenario and seat).  None when the server keeps as many
    games as it may (:class:`sixparty.games.RegistryFull`): the page then
    plays without reconnect, and says so.
    """
    game = GAMES.get(game_id) if game_id else None
    if game is not None and game.kind == "solo":
        return game, None
    note = ui("game_gone") if game_id else None
    model = ClassroomModel()
    try:
        game = GAMES.create(model, "solo")
    except GameError as exc:
        model.retire()
        return None, f"{exc}: this page will not survive a reload."
    keep_on_server(model)
    return game, note


def follow_game(game, model, params, playing, drawn, known):
    """One look of a tab at its solo game (:func:`SoloPage` polls each :data:`TABS_POLL_S`):
    the game's new model (another tab's Reset) is adopted with the sidebar values it was
    built with; a month played elsewhere is drawn; ▶/❚❚ follows the game's.

    model, params, playing: the page's reactives (model, sidebar values, ▶ state);
    drawn: a ref whose ``current`` is the months the page last drew; known: the game's
    model at the last look.  Returns the game's model now (the next look's ``known``).
    """
    shared = game.model
    if shared is not known:
        # Replaced (a Reset): adopt it unless it is this page's own new model.  Only a
        # change of the game's model counts: this page's Reset sets its model before the
        # game takes it (follow_reset), and must not be undone meanwhile.
        if shared is not model.value:
            drawn.current = len(shared.timeline)
            # The sidebar takes the values the game's model was built with, so a Reset
            # here does not drop another tab's parameters.
            adopted = getattr(shared, "sidebar_params", None)
            if adopted is not None:
                params.set(dict(adopted))
            model.set(shared)
    elif shared is model.value and len(shared.timeline) != drawn.current:
        drawn.current = len(shared.timeline)
        force_update()
    if playing.value != bool(game.playing):
        playing.set(bool(game.playing))  # ▶ or ❚❚ pressed in another tab
    return shared


CLASSROOM = os.environ.get("SIXPARTY_CLASSROOM") == "1"
#: Seconds at most before a month played in another tab of the same game is drawn here.
TABS_POLL_S = 1.0


@solara.component
def Page():
    """The page: one game of one class (:func:`SoloPage`), or with ``--classroom`` the
    teacher's and the teams' pages of a shared game (:mod:`sixparty.classroom_app`)."""
    if CLASSROOM:
        from sixparty.classroom_app import ClassroomPage

        ClassroomPage()
    else:
        SoloPage()


@solara.component
def SoloPage():
    """The dashboard of one game, kept on the server under the ``?game=ID`` of its URL."""
    router = solara.use_router()
    asked = query_params(router.search).get("game")
    game, note = solara.use_memo(lambda: solo_game(asked), [])
    initial = solara.use_memo(lambda: game.model if game is not None else ClassroomModel(), [])
    model = solara.use_reactive(initial)
    params = solara.use_reactive(dict(getattr(initial, "sidebar_params", None) or {}))

    def put_id_in_url():
        # The game id in the address bar: a reload (or the same URL in a new tab) finds it.
        if game is not None and asked != game.id:
            router.push(f"{router.path or '/'}?game={game.id}")

    # Again whenever the address changes: the browser reports its own address once it has
    # mounted the page, which would otherwise undo a change made before.
    solara.use_effect(put_id_in_url, [asked])

    def follow_reset():
        # Reset makes a new model: the game keeps it (and retires the one it replaces);
        # without a game, retire the one replaced and the last one on unmount.
        m = model.value
        if game is None:
            return m.retire
        if game.model is not m:
            keep_on_server(m)
            m.sidebar_params = dict(params.value)
            game.replace_model(m, retire=_retire_kept)
        return None

    solara.use_effect(follow_reset, [model.value])
    drawn = solara.use_ref(len(initial.timeline))  # months this page last drew
    # ▶/❚❚ as the game has it: one play state for all its tabs (Game.solo_play).
    playing = solara.use_reactive(bool(game.playing) if game is not None else False)

    def redraw():
        # After this page's own month: redraw it, and wake the game's other tabs.
        drawn.current = len(model.value.timeline)
        force_update()
        if game is not None:
            game.notify()

    def follow_other_tabs(cancel: threading.Event):
        # Two tabs on one game share its model: a month or a Reset in one is drawn in the
        # other (woken by Game.notify, or at the latest after TABS_POLL_S).
        if game is None:
            return
        seen, known = game.version, game.model
        while not cancel.is_set():
            seen = game.wait_change(seen, timeout=TABS_POLL_S)
            if cancel.is_set():
                return
            known = follow_game(game, model, params, playing, drawn, known)

    solara.use_thread(follow_other_tabs, [game.id if game else None], intrusive_cancel=False)
    lang = LANG.value
    if note:
        # The stale-id note in the page's language (solo_game gives the English).
        solara.Warning(
            ui("game_gone", lang) if note == ui("game_gone") else note, classes=["sp-game-note"]
        )
    solara.Title("sixparty dashboard")
    solara.Style(PROJECTOR_CSS)
    # The page's time controls (speed in months per second, busy sign) and Mesa's parameter
    # form: the projector layout.
    with solara.AppBar():
        solara.AppBarTitle(ui("title", lang))
        solara.ToggleButtonsSingle(
            value=lang, values=["en", "zh"], on_value=LANG.set, classes=["sp-lang"]
        )
    with solara.Sidebar(), solara.Column():
        with solara.Card(ui("controls", lang)):
            PlayControls(model, params, lang, on_month=redraw, playing=playing, shared=game)
            StepCounter(model)
        with solara.Card(ui("parameters", lang), classes=["sp-params"]):
            chosen = params.value.get("scenario")
            if not isinstance(chosen, str) or chosen not in SCENARIO_FILES:
                chosen = model.value.scenario_name  # the switches of the scenario in use
            ModelCreator(model, model_params(chosen, lang, params.value), model_parameters=params)
    Dashboard(model)


__all__ = [
    "ClassroomModel",
    "EVENT_SWITCHES",
    "follow_game",
    "NotOffered",
    "GAMES",
    "Page",
    "SCENARIO_FILES",
    "SoloPage",
    "SLIDERS",
    "UI",
    "live_classroom_models",
    "keep_on_server",
    "model_params",
    "query_params",
    "scenario_switches",
    "session_rows",
    "solo_game",
    "ui",
]
