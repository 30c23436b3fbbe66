"""Six teams, one game: the teacher's and the teams' pages of ``sixparty dashboard --classroom``.

The server keeps one shared game (:mod:`sixparty.games`, made at the first
page from ``SIXPARTY_GAME_ID``, ``SIXPARTY_JOIN_CODE``,
``SIXPARTY_TEACHER_KEY``, ``SIXPARTY_COUNTDOWN_S`` set by ``sixparty
dashboard --classroom``).  Three pages, chosen by the URL:

* ``/?teacher=KEY`` — the **teacher's page**, projected: the join URL, the
  join code and a QR code of the URL (:func:`qr_svg`, ``segno``); Step, ▶ /
  ❚❚, months per second, the countdown's length and "end the wait now"; the
  table of teams and delegations; the talks (the status, charts and timeline
  of the ordinary page) and, at the end, the debrief of every team.  The key
  leaves the address bar once the page has opened (the projector shows the
  URL): the browser session that opened it stays the teacher's (Solara's
  session cookie), so a reload keeps the teacher's controls.
* ``/`` — the **join page** each team opens (from the QR code): the code and a
  team name; joining gives the team a token and moves it to
  ``/?team=TOKEN&code=CODE`` (a reload keeps the team's seat).
* ``/?team=TOKEN&code=CODE`` — the **team's page**: take a free delegation;
  at a session, the move (attend or boycott; accept, amend on one issue, or
  reject: nothing preselected) before the countdown runs out; during
  implementation, the standing order; the team's moves; the debrief.

Every action goes through :class:`sixparty.games.Game`, which checks the
code (and the teacher key or the team token) itself: a page cannot act
without them.  The agents play the delegations nobody holds.  Pages redraw
when the game changes (:meth:`Game.wait_change` in a thread of the page),
from a copy of the model taken after each month (``game.view``), so a page
never reads a model in the middle of a step.
"""

from __future__ import annotations

import copy
import os
import threading
import time

import solara
from mesa.visualization.utils import force_update
from sixparty import app as A
from sixparty._mesa_compat import release_model
from sixparty.analysis.i18n import label as i18n_label
from sixparty.analysis.narrate import month_text
from sixparty.games import (
    COUNTDOWN_RANGE_S,
    DEFAULT_COUNTDOWN_S,
    MONTHS_PER_SECOND_RANGE,
    Game,
    GameError,
    normalize_code,
)
from sixparty.scenario import ISSUE_SCALES, ISSUES, PARTIES

#: Seconds between two touches of the game while a page is open (keeps it from expiring).
TOUCH_EVERY_S = 60.0

#: The classroom pages' words (English, Chinese).
CL: dict[str, dict[str, str]] = {
    "en": {
        "teacher_title": "sixparty classroom — teacher",
        "team_title": "sixparty classroom — {team}",
        "join_title": "sixparty classroom — join the game",
        "join": "Join the game",
        "join_here": "Open {url} and enter the code",
        "code": "Code",
        "team_name": "Team name",
        "join_btn": "Join",
        "not_teacher": "This page is not the teacher's. Teams: open the join page and enter the code.",
        "time": "Time",
        "step": "Step",
        "play": "▶ Play",
        "pause": "❚❚ Pause",
        "end_wait": "End the wait now",
        "speed": "Months per second: {v:g}",
        "countdown": "Countdown at a session: {v} s",
        "month": "Month {k} of {n}",
        "waiting": "Waiting for: {teams} — {s} s left",
        "no_wait": "Nobody to wait for.",
        "teams": "Teams and delegations",
        "col.team": "team",
        "col.delegation": "delegation",
        "col.last": "last move",
        "col.moves": "moves (by the agent when time ran out)",
        "col.as_agent": "decisions as the agent advised",
        "col.timeouts": "time ran out",
        "agent": "the agent",
        "nobody": "No team has joined yet.",
        "take": "Take a delegation",
        "taken_by": "taken by {team}",
        "your_delegation": "Your delegation: {party}",
        "leave": "Give the delegation back to the agent",
        "your_move": "Your move, {party}: session {n} in {month}",
        "invite": "The chair aims at a {target}. Attend or boycott? If you attend: accept the "
        "chair's text, amend it on one issue, or reject it.",
        "attend": "Attend",
        "boycott": "Boycott",
        "accept": "Accept",
        "amend": "Amend",
        "reject": "Reject",
        "issue": "Issue to amend",
        "toward": "Move the text toward",
        "scale": "0 = {lo}; 1 = {hi}. Your position: {own:.2f}; draft: {draft}",
        "send": "Send our move",
        "sent": "Move sent: {value}. Waiting for the other teams and the teacher.",
        "impl": "A joint document adopted the phase {phase}: perform, slow or suspend your steps?",
        "idle": "No decision pending: the teacher moves time.",
        "standing": "Standing order for your steps: {order}",
        "agent_decides": "the agent decides",
        "utilities": "Utility if you accept: {accept:.2f}; with your best amendment{how}: "
        "{amend:.2f}; walking away (your disagreement value): {walk:.2f}. The agent would: {advice}.",
        "col.issue": "issue",
        "col.draft": "chair's draft",
        "col.you": "you",
        "due_mine": "Due from you",
        "due_theirs": "Due from your counterparts",
        "moves": "Your moves",
        "by_agent": "(time ran out: the agent's recommendation)",
        "debrief": "Debrief: every team",
        "show_debrief": "Debrief now",
        "debrief_team": "{team} — {party}",
        "no_debrief": "no seat debrief for this delegation",
        "over": "The game is over.",
        "error": "Refused: {msg}",
        "full": "No seat can be taken in this game now.",
    },
    "zh": {
        "teacher_title": "六方会谈课堂——教师",
        "team_title": "六方会谈课堂——{team}",
        "join_title": "六方会谈课堂——加入游戏",
        "join": "加入游戏",
        "join_here": "打开 {url} 并输入代码",
        "code": "代码",
        "team_name": "小组名称",
        "join_btn": "加入",
        "not_teacher": "这不是教师的页面。各小组：打开加入页面并输入代码。",
        "time": "时间",
        "step": "前进一个月",
        "play": "▶ 播放",
        "pause": "❚❚ 暂停",
        "end_wait": "立即结束等待",
        "speed": "每秒月数：{v:g}",
        "countdown": "会议倒计时：{v} 秒",
        "month": "第 {k} 个月，共 {n} 个月",
        "waiting": "等待：{teams}——还剩 {s} 秒",
        "no_wait": "无需等待。",
        "teams": "小组与代表团",
        "col.team": "小组",
        "col.delegation": "代表团",
        "col.last": "最近的行动",
        "col.moves": "行动（超时则由智能体代行）",
        "col.as_agent": "与智能体建议相同的决定",
        "col.timeouts": "超时次数",
        "agent": "智能体",
        "nobody": "还没有小组加入。",
        "take": "选择一个代表团",
        "taken_by": "已由{team}选择",
        "your_delegation": "你们的代表团：{party}",
        "leave": "把代表团交还给智能体",
        "your_move": "轮到你们了，{party}：{month}第{n}次会议",
        "invite": "主席国的目标：{target}。出席还是抵制？若出席：接受主席国的文本，就一个议题修改，或拒绝。",
        "attend": "出席",
        "boycott": "抵制",
        "accept": "接受",
        "amend": "修改",
        "reject": "拒绝",
        "issue": "要修改的议题",
        "toward": "把文本推向",
        "scale": "0 = {lo}；1 = {hi}。你们的立场：{own:.2f}；草案：{draft}",
        "send": "提交我们的行动",
        "sent": "已提交：{value}。等待其他小组和教师。",
        "impl": "共同文件通过了{phase}阶段：履行、放缓还是暂停你们的步骤？",
        "idle": "目前无需决定：由教师推进时间。",
        "standing": "你们步骤的长期指令：{order}",
        "agent_decides": "由智能体决定",
        "utilities": "接受的效用：{accept:.2f}；最佳修改{how}：{amend:.2f}；退出（谈判破裂的效用）：{walk:.2f}。智能体会：{advice}。",
        "col.issue": "议题",
        "col.draft": "主席国草案",
        "col.you": "你们",
        "due_mine": "你们应履行的",
        "due_theirs": "对方应履行的",
        "moves": "你们的行动",
        "by_agent": "（超时：采用智能体的建议）",
        "debrief": "复盘：所有小组",
        "show_debrief": "现在复盘",
        "debrief_team": "{team}——{party}",
        "no_debrief": "该代表团没有复盘",
        "over": "游戏结束。",
        "error": "被拒绝：{msg}",
        "full": "现在不能再选择代表团。",
    },
}


def cl(key: str, lang: str = "en", **kw) -> str:
    """The classroom pages' word for ``key`` in ``lang`` (English when Chinese lacks it)."""
    text = CL.get(lang, CL["en"]).get(key) or CL["en"].get(key, key)
    return text.format(**kw) if kw else text


def qr_svg(url: str, scale: int = 8) -> str:
    """An inline SVG QR code of ``url`` (``segno``; error correction M).  Empty without segno."""
    try:
        import segno
    except ImportError:
        return ""
    return segno.make(url, error="m").svg_inline(scale=scale, dark="#000", light="#fff")


# ------------------------------------------------------------------ the shared game
_GAME_LOCK = threading.Lock()
_GAME: Game | None = None
#: Browser sessions (Solara's session cookie) that opened the teacher's link.
_TEACHER_SESSIONS: set[str] = set()


def _snapshot(model):
    """A copy of the model for the pages to draw (Mesa's class-level reference dropped)."""
    twin = copy.deepcopy(model)
    release_model(twin)
    return twin


def _env_countdown() -> float:
    try:
        return float(os.environ.get("SIXPARTY_COUNTDOWN_S") or DEFAULT_COUNTDOWN_S)
    except ValueError:
        return DEFAULT_COUNTDOWN_S


def classroom_game() -> Game:
    """The server's shared game (made once; made again only if it expired)."""
    global _GAME
    with _GAME_LOCK:
        if _GAME is None or A.GAMES.get(_GAME.id) is not _GAME:
            model = A.ClassroomModel(seat=A.NO_SEAT)
            A.keep_on_server(model)
            _GAME = A.GAMES.create(
                model,
                "classroom",
                game_id=os.environ.get("SIXPARTY_GAME_ID") or None,
                code=os.environ.get("SIXPARTY_JOIN_CODE") or None,
                teacher_key=os.environ.get("SIXPARTY_TEACHER_KEY") or None,
                countdown_s=_env_countdown(),
            )
            _GAME.snapshot = _snapshot
            _GAME.refresh_view()
            A.GAMES.start_clock()
        return _GAME


def join_url() -> str:
    """The URL the teams open (``SIXPARTY_JOIN_URL``, set by the command)."""
    return os.environ.get("SIXPARTY_JOIN_URL") or "http://127.0.0.1:8765/"


def _session_id() -> str:
    try:
        return solara.get_session_id()
    except Exception:  # noqa: BLE001 - outside a server: no session
        return ""


def use_game(game: Game):
    """Redraw when ``game`` changes; returns (a reactive holding the model's latest copy,
    the game's version).  The page's thread waits on the game (no polling of the model)
    and touches it now and then, so an open page keeps its game from expiring."""
    view = solara.use_reactive(game.view)
    version, set_version = solara.use_state(game.version)

    def watch(cancel: threading.Event):
        seen = game.version
        touched = time.monotonic()
        while not cancel.is_set():
            v = game.wait_change(seen, timeout=1.0)
            if cancel.is_set():
                return
            if v != seen:
                seen = v
                view.set(game.view)
                set_version(v)
                force_update()
            if time.monotonic() - touched > TOUCH_EVERY_S:
                game.touch()
                touched = time.monotonic()

    solara.use_thread(watch, [game.id], intrusive_cancel=False)
    return view, version


# ------------------------------------------------------------------ pieces
def _party(p: str | None, lang: str) -> str:
    return i18n_label(p, lang) if p else "—"


def _waiting_line(game: Game, lang: str) -> str:
    left = game.seconds_left()
    parties = game.waiting_for()
    if left is None or not parties:
        return cl("no_wait", lang)
    names = ", ".join(
        f"{(game.holder(p).name if game.holder(p) else '?')} ({_party(p, lang)})" for p in parties
    )
    return cl("waiting", lang, teams=names, s=int(round(left)))


def team_rows(game: Game, lang: str = "en") -> list[dict]:
    """The teacher's table: one row per team (name, delegation, last move, moves / by the agent)."""
    rows = []
    with game.lock:
        for t in game.teams.values():
            mine = [m for m in game.moves if m["team"] == t.name and m["party"] == t.party]
            last = mine[-1] if mine else None
            rows.append(
                {
                    "team": t.name,
                    "delegation": _party(t.party, lang),
                    "last": f"{last['month']} {last['value']}" if last else "",
                    "moves": f"{len(mine)} ({sum(1 for m in mine if m['by'] == 'agent')})",
                }
            )
    return rows


def team_debrief(view, party: str, lang: str = "en") -> dict | None:
    """The seat debrief of ``party`` on the game's model copy (:meth:`ClassroomModel.debrief`).

    The seat debrief compares the team's path with the agent in its seat (the
    other teams' orders replayed) and with history.
    """
    fn = getattr(view, "debrief", None)
    return None if fn is None else fn(lang, party=party)


def summary_rows(game: Game, view, lang: str = "en") -> list[dict]:
    """One row per seated team, to compare the teams: its moves, how many were what its
    agent recommended (the briefing's advice, ``agent`` in the model's moves), and how
    many the agent played because time ran out."""
    rows = []
    model_moves = list(getattr(view, "moves", []) or [])
    with game.lock:
        teams = [t for t in game.teams.values() if t.party]
        for t in teams:
            mine = [m for m in game.moves if m["team"] == t.name and m["party"] == t.party]
            advised = [
                mv
                for mv in model_moves
                if mv.get("party") == t.party and mv.get("agent") is not None
            ]
            rows.append(
                {
                    "team": t.name,
                    "delegation": _party(t.party, lang),
                    "moves": len(mine),
                    "as_agent": f"{sum(1 for mv in advised if mv['value'] == mv['agent'])}"
                    f"/{len(advised)}",
                    "timeouts": sum(1 for m in mine if m["by"] == "agent"),
                }
            )
    return rows


def debrief_html(game: Game, view, lang: str = "en") -> str:
    """Every team's debrief: a table comparing the teams (:func:`summary_rows`), then each
    team's moves (the agent's when time ran out) and its seat debrief."""
    parts = [_table(summary_rows(game, view, lang), "sp-class-summary", lang)]
    for t in list(game.teams.values()):
        if not t.party:
            continue
        head = cl("debrief_team", lang, team=t.name, party=_party(t.party, lang))
        moves = [m for m in game.moves if m["team"] == t.name and m["party"] == t.party]
        lines = "".join(
            f"<li>{A._esc(m['month'])} {A._esc(m['value'])}"
            + (f" <i>{A._esc(cl('by_agent', lang))}</i>" if m["by"] == "agent" else "")
            + "</li>"
            for m in moves
        )
        rep = team_debrief(view, t.party, lang)
        if rep:
            rows = [
                {
                    "measure": r["measure"],
                    "you": r["you"],
                    "agent": r["agent"],
                    "past": r["history"],
                }
                for r in rep["rows"]
            ]
            body = (
                "".join(f"<div>{A._esc(x)}</div>" for x in rep.get("head", []))
                + A._html_table(rows, "sp-debrief-table", lang)
                + "".join(f"<div><b>{A._esc(x)}</b></div>" for x in rep.get("verdict", []))
            )
        else:
            body = f"<div>{A._esc(cl('no_debrief', lang))}</div>"
        parts.append(
            f"<div class='sp-team-debrief'><h3>{A._esc(head)}</h3><ul>{lines}</ul>{body}</div>"
        )
    return "".join(parts)


def _table(rows: list[dict], cls: str, lang: str) -> str:
    if not rows:
        return ""
    keys = list(rows[0])
    head = "".join(
        f"<th style='text-align:left;padding:2px 10px'>{A._esc(cl('col.' + k, lang))}</th>"
        for k in keys
    )
    body = "".join(
        "<tr>"
        + "".join(f"<td style='padding:2px 10px'>{A._esc(r[k])}</td>" for k in keys)
        + "</tr>"
        for r in rows
    )
    return f"<table class='{cls}' style='font-size:18px'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


@solara.component
def Countdown(game: Game, lang: str):
    """Who the game waits for and the seconds left, redrawn every second (this line only)."""
    _t, set_t = solara.use_state(0.0)

    def tick(cancel: threading.Event):
        while not cancel.wait(1.0):
            if game.deadline is not None:
                set_t(time.monotonic())

    solara.use_thread(tick, [game.id], intrusive_cancel=False)
    solara.Text(
        _waiting_line(game, lang),
        classes=["sp-waiting"],
        style={"font-size": "20px", "display": "block", "color": "#8a4b00"},
    )


@solara.component
def LangSwitch():
    solara.ToggleButtonsSingle(
        value=A.LANG.value, values=["en", "zh"], on_value=A.LANG.set, classes=["sp-lang"]
    )


@solara.component
def ErrorLine(message: str | None):
    if message:
        solara.Error(message, classes=["sp-refused"])


# ------------------------------------------------------------------ the teacher
@solara.component
def TeacherPage(game: Game, key: str | None):
    lang = A.LANG.value
    router = solara.use_router()
    session = _session_id()
    if key:
        try:
            game.check_teacher(game.code, key)
            if session:
                _TEACHER_SESSIONS.add(session)
            ok = True
        except GameError:
            ok = False
    else:
        ok = bool(session) and session in _TEACHER_SESSIONS

    def hide_key():
        # The projector shows the address bar: the key leaves it (the session stays the teacher's).
        if ok and key and session:
            router.push(f"{router.path or '/'}?teacher=1")

    solara.use_effect(hide_key, [key, ok])
    solara.Title("sixparty classroom")
    solara.Style(A.PROJECTOR_CSS + CLASSROOM_CSS)
    with solara.AppBar():
        solara.AppBarTitle(cl("teacher_title", lang))
        LangSwitch()
    if not ok:
        solara.Error(cl("not_teacher", lang), classes=["sp-not-teacher"])
    else:
        TeacherView(game)


@solara.component
def TeacherView(game: Game):
    lang = A.LANG.value
    error, set_error = solara.use_state(None)
    show_debrief, set_show_debrief = solara.use_state(False)
    view, version = use_game(game)
    m = view.value
    tkey = game.teacher_key

    def act(fn, *args):
        try:
            fn(game.code, tkey, *args)
            set_error(None)
        except GameError as exc:
            set_error(cl("error", lang, msg=str(exc)))

    url = join_url()
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "flex-start"}):
        with solara.Card(cl("join", lang), classes=["sp-join-card"], style={"min-width": "320px"}):
            solara.HTML(
                tag="div",
                unsafe_innerHTML=(
                    f"<div style='font-size:20px'>{A._esc(cl('join_here', lang, url=url))}</div>"
                    f"<div class='sp-join-url' style='font-size:24px;font-weight:bold'>{A._esc(url)}</div>"
                    f"<div class='sp-join-code' style='font-size:56px;font-weight:bold;"
                    f"letter-spacing:8px'>{A._esc(game.code)}</div>"
                    f"<div class='sp-qr'>{qr_svg(url)}</div>"
                ),
            )
        with solara.Card(cl("time", lang), classes=["sp-time-card"], style={"min-width": "380px"}):
            solara.Text(
                cl("month", lang, k=len(m.timeline), n=m.n_months),
                classes=["sp-steps"],
                style={"font-size": "22px", "font-weight": "bold", "display": "block"},
            )
            over = game.over()
            with solara.Row():
                solara.Button(
                    cl("step", lang),
                    color="primary",
                    disabled=over or game.pending_steps > 0,
                    on_click=lambda: act(game.request_step),
                    classes=["sp-teacher-step"],
                )
                solara.Button(
                    cl("pause", lang) if game.playing else cl("play", lang),
                    color="primary",
                    disabled=over,
                    on_click=lambda: act(game.set_playing, not game.playing),
                    classes=["sp-teacher-play"],
                )
                solara.Button(
                    cl("end_wait", lang),
                    outlined=True,
                    disabled=game.deadline is None,
                    on_click=lambda: act(game.end_countdown),
                    classes=["sp-end-wait"],
                )
            solara.SliderFloat(
                cl("speed", lang, v=game.months_per_second),
                value=game.months_per_second,
                min=MONTHS_PER_SECOND_RANGE[0],
                max=MONTHS_PER_SECOND_RANGE[1],
                step=0.1,
                on_value=lambda v: act(game.set_speed, v),
            )
            solara.SliderInt(
                cl("countdown", lang, v=int(game.countdown_s)),
                value=int(game.countdown_s),
                min=int(COUNTDOWN_RANGE_S[0]),
                max=max(300, int(game.countdown_s)),
                step=5,
                on_value=lambda v: act(game.set_countdown, v),
            )
            Countdown(game, lang)
            if game.message:
                solara.Warning(game.message)
            ErrorLine(error)
        with solara.Card(
            cl("teams", lang), classes=["sp-teams-card"], style={"min-width": "380px"}
        ):
            rows = team_rows(game, lang)
            if rows:
                solara.HTML(tag="div", unsafe_innerHTML=_table(rows, "sp-teams", lang))
            else:
                solara.Text(cl("nobody", lang))
    A.StatusCard(view)
    report = solara.use_memo(
        lambda: debrief_html(game, m, lang) if game.over() or show_debrief else "",
        [version, lang, show_debrief],
    )
    if report:
        with solara.Card(cl("debrief", lang), classes=["sp-class-debrief"]):
            solara.HTML(tag="div", unsafe_innerHTML=report, style="font-size:17px")
    else:
        solara.Button(
            cl("show_debrief", lang),
            outlined=True,
            on_click=lambda: set_show_debrief(True),
            classes=["sp-show-debrief"],
        )
    A.Charts(view)
    A.Timeline(view)


# ------------------------------------------------------------------ the teams
@solara.component
def JoinPage(game: Game):
    lang = A.LANG.value
    router = solara.use_router()
    code, set_code = solara.use_state("")
    name, set_name = solara.use_state("")
    error, set_error = solara.use_state(None)

    def join():
        try:
            team = game.join(code, name)
        except GameError as exc:
            set_error(cl("error", lang, msg=str(exc)))
            return
        router.push(f"{router.path or '/'}?team={team.token}&code={normalize_code(code)}")

    solara.Title("sixparty classroom")
    solara.Style(A.PROJECTOR_CSS + CLASSROOM_CSS)
    with solara.AppBar():
        solara.AppBarTitle(cl("join_title", lang))
        LangSwitch()
    with solara.Card(cl("join", lang), classes=["sp-join-form"], style={"max-width": "520px"}):
        solara.InputText(
            cl("code", lang),
            value=code,
            on_value=set_code,
            continuous_update=True,
            classes=["sp-code-input"],
        )
        solara.InputText(
            cl("team_name", lang),
            value=name,
            on_value=set_name,
            continuous_update=True,
            classes=["sp-name-input"],
        )
        solara.Button(cl("join_btn", lang), color="primary", on_click=join, classes=["sp-join-btn"])
        ErrorLine(error)


@solara.component
def TeamPage(game: Game, token: str, code: str):
    lang = A.LANG.value
    solara.Title("sixparty classroom")
    solara.Style(A.PROJECTOR_CSS + CLASSROOM_CSS)
    try:
        team = game.team(code, token)
    except GameError as exc:
        with solara.AppBar():
            solara.AppBarTitle(cl("join_title", lang))
            LangSwitch()
        solara.Error(cl("error", lang, msg=str(exc)), classes=["sp-refused"])
    else:
        TeamView(game, team, token, code)


@solara.component
def TeamView(game: Game, team, token: str, code: str):
    lang = A.LANG.value
    error, set_error = solara.use_state(None)
    view, version = use_game(game)
    m = view.value
    with solara.AppBar():
        solara.AppBarTitle(cl("team_title", lang, team=team.name))
        LangSwitch()

    def act(fn, *args):
        try:
            fn(code, token, *args)
            set_error(None)
        except GameError as exc:
            set_error(cl("error", lang, msg=str(exc)))

    month, status = A._status_line(m, lang)
    with solara.Card(classes=["sp-team-status"]):
        solara.Text(
            month,
            classes=["sp-date"],
            style={"font-size": "32px", "font-weight": "bold", "display": "block"},
        )
        solara.Text(status, style={"font-size": "18px", "display": "block"})
        solara.Text(cl("month", lang, k=len(m.timeline), n=m.n_months), classes=["sp-steps"])
    ErrorLine(error)
    if team.party is None:
        with solara.Card(cl("take", lang), classes=["sp-take"]):
            free = game.free_parties()
            if not free:
                solara.Text(cl("full", lang))
            with solara.Row(style={"flex-wrap": "wrap"}):
                for p in PARTIES:
                    holder = game.holder(p)
                    solara.Button(
                        _party(p, lang)
                        + (f" ({cl('taken_by', lang, team=holder.name)})" if holder else ""),
                        color="primary",
                        disabled=p not in free,
                        on_click=lambda p=p: act(game.take_seat, p),
                        classes=[f"sp-take-{p}"],
                    )
    else:
        TeamMove(game, team, m, act, version)
    report = solara.use_memo(
        lambda: debrief_html(game, m, lang) if game.over() else "", [version, lang]
    )
    if report:
        with solara.Card(cl("debrief", lang), classes=["sp-class-debrief"]):
            solara.HTML(tag="div", unsafe_innerHTML=report, style="font-size:16px")


@solara.component
def TeamMove(game: Game, team, m, act, version: int):
    """The team's move; ``version`` (the game's) redraws it when the game changes."""
    lang = A.LANG.value
    party = team.party
    attend, set_attend = solara.use_state(None)
    respond, set_respond = solara.use_state(None)
    issue, set_issue = solara.use_state(None)
    target, set_target = solara.use_state(None)
    aw = game.awaiting_for(party)
    key = (aw or {}).get("month"), (aw or {}).get("kind")

    def clear():
        set_attend(None), set_respond(None), set_issue(None), set_target(None)

    solara.use_effect(clear, [key])
    with solara.Card(cl("your_delegation", lang, party=_party(party, lang)), classes=["sp-seat"]):
        if aw and aw.get("kind") == "session":
            solara.HTML(
                tag="h3",
                classes=["sp-your-move"],
                unsafe_innerHTML=A._esc(
                    cl(
                        "your_move",
                        lang,
                        party=_party(party, lang),
                        n=aw.get("number", "?"),
                        month=month_text(aw.get("month", ""), lang),
                    )
                ),
            )
            Countdown(game, lang)
            solara.Text(cl("invite", lang, target=i18n_label(aw.get("target", ""), lang)))
            solara.HTML(tag="div", unsafe_innerHTML=briefing_html(aw.get("briefing"), lang))
            with solara.Row():
                for value in ("attend", "boycott"):
                    solara.Button(
                        cl(value, lang),
                        color="primary",
                        outlined=attend != value,
                        on_click=lambda v=value: set_attend(v),
                        classes=[f"sp-{value}"],
                    )
            if attend == "attend":
                with solara.Row():
                    for value in ("accept", "amend", "reject"):
                        solara.Button(
                            cl(value, lang),
                            color="primary",
                            outlined=respond != value,
                            on_click=lambda v=value: set_respond(v),
                            classes=[f"sp-{value}"],
                        )
            if attend == "attend" and respond == "amend":
                solara.Select(
                    cl("issue", lang), values=list(ISSUES), value=issue, on_value=set_issue
                )
                if issue:
                    i, k = PARTIES.index(party), ISSUES.index(issue)
                    lo, hi = ISSUE_SCALES[issue]
                    own = float(m.pos[i, k])
                    b = aw.get("briefing")
                    draft = f"{b.draft[k]:.2f}" if hasattr(b, "draft") else "—"
                    solara.Text(cl("scale", lang, lo=lo, hi=hi, own=own, draft=draft))
                    solara.SliderFloat(
                        cl("toward", lang),
                        value=own if target is None else target,
                        min=0.0,
                        max=1.0,
                        step=0.01,
                        on_value=set_target,
                    )
            ready = (
                attend == "boycott"
                or (attend == "attend" and respond in ("accept", "reject"))
                or (attend == "attend" and respond == "amend" and issue)
            )

            def send():
                goal = target
                if respond == "amend" and goal is None:
                    goal = float(m.pos[PARTIES.index(party), ISSUES.index(issue)])
                act(
                    game.session_orders,
                    attend == "attend",
                    respond or "accept",
                    issue if respond == "amend" else None,
                    goal if respond == "amend" else None,
                )

            solara.Button(
                cl("send", lang),
                color="primary",
                disabled=not ready,
                on_click=send,
                classes=["sp-send-move"],
            )
        elif aw and aw.get("kind") == "implementation":
            solara.HTML(
                tag="h3",
                classes=["sp-your-move"],
                unsafe_innerHTML=A._esc(cl("impl", lang, phase=aw.get("phase", ""))),
            )
            solara.HTML(tag="div", unsafe_innerHTML=dues_html(aw.get("briefing"), lang))
            with solara.Row():
                for order in ("perform", "slow", "suspend"):
                    solara.Button(
                        order,
                        color="primary",
                        outlined=True,
                        on_click=lambda o=order: act(game.implementation_order, o),
                        classes=[f"sp-impl-{order}"],
                    )
        else:
            mine = [mv for mv in game.moves if mv["team"] == team.name and mv["party"] == party]
            last = mine[-1] if mine else None
            if last and game.waiting_for():
                solara.Text(cl("sent", lang, value=last["value"]), classes=["sp-sent"])
            else:
                solara.Text(cl("idle", lang), classes=["sp-seat-idle"])
        mine = [mv for mv in game.moves if mv["team"] == team.name and mv["party"] == party]
        if mine:
            solara.HTML(
                tag="div",
                classes=["sp-moves"],
                unsafe_innerHTML=A._esc(cl("moves", lang) + ": ")
                + "; ".join(
                    A._esc(f"{mv['month']} {mv['value']}")
                    + (f" <i>{A._esc(cl('by_agent', lang))}</i>" if mv["by"] == "agent" else "")
                    for mv in mine[-8:]
                ),
            )
        solara.Button(
            cl("leave", lang),
            text=True,
            disabled=game.deadline is not None,
            on_click=lambda: act(game.leave_seat),
            classes=["sp-leave"],
        )


def briefing_html(b, lang: str = "en") -> str:
    """The session briefing (:class:`sixparty.seat.SeatBriefing`) as HTML: the chair's draft
    against the team's position and the others' on every issue; the utilities of accepting,
    of the best amendment and of walking away; the agent's advice."""
    if b is None or not hasattr(b, "rows"):
        return ""
    others = [p for p in b.parties if p != b.party]
    head = ["issue", "draft", "you", *others]
    th = "".join(
        f"<th style='text-align:left;padding:2px 6px'>{A._esc(_party(h, lang) if h in PARTIES else cl('col.' + h, lang))}</th>"
        for h in head
    )
    body = "".join(
        "<tr>"
        + f"<td style='padding:2px 6px'>{A._esc(i18n_label(r['issue'], lang))}</td>"
        + f"<td style='padding:2px 6px'><b>{r['draft']:.2f}</b></td>"
        + f"<td style='padding:2px 6px'>{r['own']:.2f}</td>"
        + "".join(f"<td style='padding:2px 6px;color:#666'>{r[p]:.2f}</td>" for p in others)
        + "</tr>"
        for r in b.rows()
    )
    advice = "boycott" if not b.recommend_attend else b.recommend
    if b.recommend_attend and b.recommend == "amend" and b.recommend_issue:
        advice += " " + i18n_label(b.recommend_issue, lang)
    amend = (
        f" ({i18n_label(b.amend_issue, lang)} → {b.amend_to:.2f})"
        if b.amend_issue and b.amend_to is not None
        else ""
    )
    line = cl(
        "utilities",
        lang,
        accept=b.u_accept,
        amend=b.u_amend,
        how=amend,
        walk=b.u_walk_away,
        advice=advice,
    )
    return (
        f"<div class='sp-briefing-line' style='font-size:16px;margin:6px 0'>{A._esc(line)}</div>"
        f"<table class='sp-briefing' style='font-size:15px;border-collapse:collapse'>"
        f"<thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"
    )


def dues_html(b, lang: str = "en") -> str:
    """What is due from the team and from its counterparts (:class:`ImplementationBriefing`)."""
    if b is None or not hasattr(b, "mine"):
        return ""

    def items(dues) -> str:
        return (
            "".join(
                f"<li>{A._esc(_party(d.party, lang))}: {A._esc(d.kind)} {d.delivered:g}/{d.amount:g}"
                f" ({A._esc(d.phase)}, {A._esc(d.due)}{', overdue' if d.overdue else ''})</li>"
                for d in dues
            )
            or "<li>—</li>"
        )

    return (
        f"<div><b>{A._esc(cl('due_mine', lang))}</b><ul>{items(b.mine)}</ul>"
        f"<b>{A._esc(cl('due_theirs', lang))}</b><ul>{items(b.theirs)}</ul></div>"
    )


CLASSROOM_CSS = """
.sp-qr svg { width: 260px; height: 260px; }
.sp-teams td, .sp-teams th { font-size: 18px; }
.sp-team-debrief h3 { margin-top: 12px; }
"""


# ------------------------------------------------------------------ dispatch
@solara.component
def ClassroomPage():
    """``/?teacher=KEY`` the teacher, ``/?team=TOKEN&code=CODE`` a team, else the join page."""
    router = solara.use_router()
    q = A.query_params(router.search)
    game = classroom_game()
    if "teacher" in q:
        TeacherPage(game, q["teacher"] if q["teacher"] != "1" else None)
    elif q.get("team"):
        TeamPage(game, q["team"], q.get("code", ""))
    else:
        JoinPage(game)


__all__ = [
    "CL",
    "ClassroomPage",
    "classroom_game",
    "cl",
    "debrief_html",
    "join_url",
    "qr_svg",
    "summary_rows",
    "briefing_html",
    "dues_html",
    "team_debrief",
    "team_rows",
]
