"""Six teams, one game: the teacher's and the teams' pages of ``sixparty dashboard --classroom``.

The server keeps one shared game (:mod:`sixparty.games`, made at the first
page from ``SIXPARTY_GAME_ID``, ``SIXPARTY_JOIN_CODE``,
``SIXPARTY_TEACHER_KEY``, ``SIXPARTY_COUNTDOWN_S`` set by ``sixparty
dashboard --classroom``).  Three pages, chosen by the URL:

* ``/?teacher=KEY`` — the **teacher's page**, projected: the join URL, the
  join code and a QR code of the URL (:func:`qr_svg`, ``segno``); Step, ▶ /
  ❚❚, months per second, the countdown's length and "end the wait now" (▶
  waits for this page to have drawn the month before last:
  :class:`~sixparty.dashboard_controls.PaintAck`,
  :meth:`~sixparty.games.Game.painted`); the
  table of teams and delegations; the talks (the status, charts and timeline
  of the ordinary page) and, at the end, the debrief of every team.  The key
  leaves the address bar once the page has opened (the projector shows the
  URL): the browser session that opened it stays the teacher's (Solara's
  session cookie), so a reload keeps the teacher's controls.
* ``/`` — the **join page** each team opens (from the QR code): the code and a
  team name; joining gives the team a token and moves it to ``/?team=TOKEN``
  (a reload keeps the team's seat).  The code stays out of the address bar (a
  screenshot or a projected URL would show it): the server keeps it for the
  browser session that joined (Solara's session cookie); another browser opening
  ``/?team=TOKEN`` is asked for the code again.  An old ``/?team=TOKEN&code=CODE``
  still works, and the code leaves its address bar once checked.
* ``/?team=TOKEN`` — the **team's page**: take a free delegation;
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
from sixparty.dashboard_controls import PaintAck
from sixparty.games import (
    COUNTDOWN_RANGE_S,
    DEFAULT_COUNTDOWN_S,
    MONTHS_PER_SECOND_RANGE,
    TEAM_SEEN_EVERY_S,
    Game,
    GameError,
    normalize_code,
)
from sixparty.scenario import PARTIES

#: Seconds between two touches of the game while a page is open (keeps it from expiring).
TOUCH_EVERY_S = 60.0
#: Seconds between two redraws of the teacher's table of teams (a team turns "away" by
#: the clock alone, with no change of the game).
TEAMS_REDRAW_S = 10.0

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
        "rejoin": "Back to your team: enter the code",
        "rejoin_btn": "Back to the game",
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
        "nobody": "No team has joined yet.",
        "away": "{team} — away (no page for {m} min)",
        "take": "Take a delegation",
        "taken_by": "taken by {team}",
        "leave": "Give the delegation back to the agent",
        "sent": "Move sent: {value}. Waiting for the other teams and the teacher.",
        "by_agent": "(time ran out: the agent's recommendation)",
        "debrief": "Debrief: every team",
        "show_debrief": "Debrief now",
        "debrief_team": "{team} — {party}",
        "no_debrief": "no seat debrief for this delegation",
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
        "rejoin": "回到你的小组：请输入代码",
        "rejoin_btn": "回到游戏",
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
        "nobody": "还没有小组加入。",
        "away": "{team}——已离开（{m} 分钟没有打开页面）",
        "take": "选择一个代表团",
        "taken_by": "已由{team}选择",
        "leave": "把代表团交还给智能体",
        "sent": "已提交：{value}。等待其他小组和教师。",
        "by_agent": "（超时：采用智能体的建议）",
        "debrief": "复盘：所有小组",
        "show_debrief": "现在复盘",
        "debrief_team": "{team}——{party}",
        "no_debrief": "该代表团没有复盘",
        "error": "被拒绝：{msg}",
        "full": "现在不能再选择代表团。",
    },
}


def cl(key: str, lang: str = "en", **kw) -> str:
    """The classroom pages' word for ``key`` in ``lang`` (English when Chinese lacks it)."""
    text = CL.get(lang, CL["en"]).get(key) or CL["en"].get(key, key)
    return text.format(**kw) if kw else text


def game_move_text(mv: dict, lang: str = "en") -> str:
    """A move of :attr:`Game.moves` as the pages show it: ``2003-04 reject`` (English: the
    month and value as logged), ``2003年4月 拒绝`` (Chinese: month and words translated,
    as the seat's own orders are; an amendment's issue and target kept)."""
    month = str(mv["month"])
    if lang == "en":
        return f"{month} {game_move_word(mv, lang)}"
    return f"{A.month_text(month, lang)} {game_move_word(mv, lang)}"


def game_move_word(mv: dict, lang: str = "en") -> str:
    """The value of a move of :attr:`Game.moves` in ``lang`` (English: as logged)."""
    value = str(mv["value"])
    if lang == "en":
        return value
    if mv.get("kind") == "implementation":
        word = A.move_word({"kind": "implementation", "value": value}, lang)
    elif value == "boycott":
        word = A.move_word({"kind": "attend", "value": value}, lang)
    elif value.startswith("amend "):
        issue, _, target = value[len("amend ") :].partition("->")
        word = A.move_word({"kind": "session", "value": "amend", "issue": issue}, lang)
        word += f" → {target}" if target else ""
    else:
        word = A.move_word({"kind": "session", "value": value}, lang)
    return word


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
#: (browser session, team token) -> the join code that team's browser gave: the team's
#: page acts with it, so the code need not stay in the page's address.
_TEAM_CODES: dict[tuple[str, str], str] = {}


def _snapshot(model):
    """A copy of the model for the pages to draw (Mesa's class-level reference dropped)."""
    # What is not model state (TalksModel.PREVIEW_SHARED: logs, locks) is shared, not copied.
    shared = (getattr(model, a, None) for a in getattr(model, "PREVIEW_SHARED", ()))
    twin = copy.deepcopy(model, {id(v): v for v in shared if v is not None})
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


def remember_team_code(session: str, token: str, code: str) -> None:
    """Keep the join ``code`` a team's browser ``session`` gave for its team ``token``."""
    if session and token:
        with _GAME_LOCK:
            _TEAM_CODES[(session, token)] = normalize_code(code)


def team_code(session: str, token: str) -> str:
    """The join code this browser session gave for team ``token`` ("" if none)."""
    with _GAME_LOCK:
        return _TEAM_CODES.get((session, token), "") if session else ""


def team_path(path: str, token: str, code: str, session: str) -> str:
    """The team page's address: ``?team=TOKEN``, with ``&code=`` only when there is no
    browser session to keep the code for (outside a server)."""
    base = f"{path or '/'}?team={token}"
    return base if session else f"{base}&code={normalize_code(code)}"


def use_game(game: Game, token: str | None = None):
    """Redraw when ``game`` changes; returns (a reactive holding the model's latest copy,
    the game's version).  The page's thread waits on the game (no polling of the model)
    and touches it now and then, so an open page keeps its game from expiring.  A team's
    page (``token``) also reports, every :data:`~sixparty.games.TEAM_SEEN_EVERY_S` while
    its browser is connected, that the team is here (:meth:`Game.team_seen`)."""
    view = solara.use_reactive(game.view)
    version, set_version = solara.use_state(game.version)
    kernel = A._current_kernel()

    def watch(cancel: threading.Event):
        seen = game.version
        touched = time.monotonic()
        reported = -float("inf")
        while not cancel.is_set():
            if token and time.monotonic() - reported >= TEAM_SEEN_EVERY_S:
                if kernel is None or A._page_connected(kernel):
                    game.team_seen(token)
                    reported = time.monotonic()
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

    solara.use_thread(watch, [game.id, token], intrusive_cancel=False)
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
    """The teacher's table: one row per team (name, delegation, last move, moves / by the agent).

    A team whose page gave no sign for :attr:`Game.team_away_s` is marked away beside
    its name (:meth:`Game.away`); it keeps its delegation.
    """
    rows = []
    with game.lock:
        for t in game.teams.values():
            mine = [m for m in game.moves if m["team"] == t.name and m["party"] == t.party]
            last = mine[-1] if mine else None
            gone = game.away(t)
            rows.append(
                {
                    "team": t.name
                    if gone is None
                    else cl("away", lang, team=t.name, m=max(1, int(gone // 60))),
                    "delegation": _party(t.party, lang),
                    "last": game_move_text(last, lang) if last else "",
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
    for t in game.team_list():
        if not t.party:
            continue
        head = cl("debrief_team", lang, team=t.name, party=_party(t.party, lang))
        moves = [m for m in game.moves if m["team"] == t.name and m["party"] == t.party]
        lines = "".join(
            f"<li>{A._esc(game_move_text(m, lang))}"
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
def Countdown(game: Game, lang: str, version: int):
    """Who the game waits for and the seconds left, redrawn every second (this line only)
    while the game waits, and at every change of the game (``version``, the game's: the
    renderer skips a child whose arguments are unchanged, so without it the line kept
    "1 s left" after the countdown ran out)."""
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
def TeamsTable(game: Game, lang: str, version: int):
    """The teacher's table of teams (:func:`team_rows`), redrawn at every change of the game
    (``version``, as :func:`Countdown`) and every :data:`TEAMS_REDRAW_S` too: a team turns
    away by the clock, not by a change of the game."""
    _t, set_t = solara.use_state(0.0)

    def tick(cancel: threading.Event):
        while not cancel.wait(TEAMS_REDRAW_S):
            set_t(time.monotonic())

    solara.use_thread(tick, [game.id], intrusive_cancel=False)
    rows = team_rows(game, lang)
    if rows:
        solara.HTML(tag="div", unsafe_innerHTML=_table(rows, "sp-teams", lang))
    else:
        solara.Text(cl("nobody", lang))


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
            Countdown(game, lang, version)
            if game.message:
                solara.Warning(game.message)
            ErrorLine(error)
        with solara.Card(
            cl("teams", lang), classes=["sp-teams-card"], style={"min-width": "380px"}
        ):
            TeamsTable(game, lang, version)
    A.StatusCard(view, reset=False)  # the game keeps the model: no Reset here
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
    # Last on the page: once the browser has applied this redraw (charts included), it
    # confirms the months drawn, and the game's ▶ plays no month more while the month
    # before last is unconfirmed (Game.painted): ▶ cannot run ahead of the projector.
    PaintAck.element(frame=len(m.timeline), on_painted=game.painted)


# ------------------------------------------------------------------ the teams
def _join_bar(lang: str) -> None:
    """The top bar of a page without a team yet (join, or the code asked again)."""
    with solara.AppBar():
        solara.AppBarTitle(cl("join_title", lang))
        LangSwitch()


def _field(label: str, value: str, on_value, css_class: str) -> None:
    """A text field of the join forms (the code: ``sp-code-input``; the team's name)."""
    solara.InputText(
        label, value=value, on_value=on_value, continuous_update=True, classes=[css_class]
    )


@solara.component
def JoinPage(game: Game):
    lang = A.LANG.value
    router = solara.use_router()
    code, set_code = solara.use_state("")
    name, set_name = solara.use_state("")
    error, set_error = solara.use_state(None)
    session = _session_id()

    def join():
        try:
            team = game.join(code, name)
        except GameError as exc:
            set_error(cl("error", lang, msg=str(exc)))
            return
        remember_team_code(session, team.token, code)
        router.push(team_path(router.path, team.token, code, session))

    solara.Title("sixparty classroom")
    solara.Style(A.PROJECTOR_CSS + CLASSROOM_CSS)
    _join_bar(lang)
    with solara.Card(cl("join", lang), classes=["sp-join-form"], style={"max-width": "520px"}):
        _field(cl("code", lang), code, set_code, "sp-code-input")
        _field(cl("team_name", lang), name, set_name, "sp-name-input")
        solara.Button(cl("join_btn", lang), color="primary", on_click=join, classes=["sp-join-btn"])
        ErrorLine(error)


@solara.component
def TeamPage(game: Game, token: str, url_code: str = ""):
    """A team's page: the code from the address (an old link) or the one this browser
    session gave (:func:`team_code`); without either, a form asks for it again."""
    lang = A.LANG.value
    router = solara.use_router()
    session = _session_id()
    _asked, set_asked = solara.use_state(0)  # redraw once the form's code is kept
    typed, set_typed = solara.use_state("")
    form_error, set_form_error = solara.use_state(None)
    code = url_code or team_code(session, token)
    team, refusal = None, None
    if code:
        try:
            team = game.team(code, token)
        except GameError as exc:
            refusal = str(exc)

    def hide_code():
        # The address bar may be projected or photographed: the code leaves it once checked.
        if team is not None and url_code and session:
            remember_team_code(session, token, url_code)
            router.push(team_path(router.path, token, url_code, session))

    solara.use_effect(hide_code, [url_code, team is not None])

    def rejoin():
        try:
            game.team(typed, token)
        except GameError as exc:
            set_form_error(cl("error", lang, msg=str(exc)))
            return
        remember_team_code(session, token, typed)
        set_form_error(None)
        set_asked(_asked + 1)

    solara.Title("sixparty classroom")
    solara.Style(A.PROJECTOR_CSS + CLASSROOM_CSS)
    if team is not None:
        TeamView(game, team, token, code)
        return
    _join_bar(lang)
    if refusal is not None:
        solara.Error(cl("error", lang, msg=refusal), classes=["sp-refused"])
        return
    with solara.Card(cl("rejoin", lang), classes=["sp-rejoin"], style={"max-width": "520px"}):
        _field(cl("code", lang), typed, set_typed, "sp-code-input")
        solara.Button(
            cl("rejoin_btn", lang), color="primary", on_click=rejoin, classes=["sp-rejoin-btn"]
        )
        ErrorLine(form_error)


@solara.component
def TeamView(game: Game, team, token: str, code: str):
    lang = A.LANG.value
    error, set_error = solara.use_state(None)
    view, version = use_game(game, token)
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
        TeamSeatCard(
            game,
            team,
            code,
            token,
            version,
            lambda msg: set_error(None if msg is None else cl("error", lang, msg=msg)),
        )
    report = solara.use_memo(
        lambda: debrief_html(game, m, lang) if game.over() else "", [version, lang]
    )
    if report:
        with solara.Card(cl("debrief", lang), classes=["sp-class-debrief"]):
            solara.HTML(tag="div", unsafe_innerHTML=report, style="font-size:16px")


class TeamSeat:
    """The model as a team's seat card (:func:`sixparty.app.SeatCard`) sees it.

    Reads go to the game's last copy of the model (``game.view``), except the
    seats, the pending decisions and the moves, which are read from the game
    (they change between months).  Orders go through the game, which checks
    the join code and the team's token and plays them for the team's own
    delegation only (the ``party`` the card passes is not trusted); a refusal
    is passed to ``on_error`` (a sentence for the page).  Nothing steps the
    model from here: the teacher keeps the clock.
    """

    def __init__(self, game: Game, code: str, token: str, on_error) -> None:
        self._game = game
        self._code = code
        self._token = token
        self._on_error = on_error

    def __getattr__(self, name: str):
        return getattr(self._game.view, name)

    @property
    def seats(self) -> dict:
        with self._game.lock:
            return dict(self._game.model.seats)

    @property
    def moves(self) -> list[dict]:
        with self._game.lock:
            return list(self._game.model.moves)

    @property
    def seat(self) -> str | None:
        team = self._game.teams.get(self._token)
        return team.party if team else None

    def awaiting_for(self, party: str) -> dict | None:
        return self._game.awaiting_for(party)

    def _act(self, fn, *args) -> None:
        try:
            fn(self._code, self._token, *args)
            self._on_error(None)
        except GameError as exc:
            self._on_error(str(exc))

    def give_session_orders(self, party, attend, respond=None, issue=None, target=None) -> None:
        self._act(self._game.session_orders, attend, respond or "accept", issue, target)

    def give_implementation_order(self, party, value) -> None:
        self._act(self._game.implementation_order, value)

    def step(self) -> None:
        """Nothing: the teacher's page keeps the clock."""


@solara.component
def TeamSeatCard(game: Game, team, code: str, token: str, version: int, on_error):
    """The team's seat card (the briefing, the choice, the dues, its debrief) and, while the
    game waits, the countdown; ``version`` (the game's) redraws it when the game changes."""
    lang = A.LANG.value
    seat = solara.use_memo(lambda: TeamSeat(game, code, token, on_error), [game.id, token])
    model = solara.use_reactive(seat)
    waiting = game.waiting_for()
    if team.party in waiting:
        Countdown(game, lang, version)
    elif waiting:
        mine = [m for m in game.moves if m["team"] == team.name and m["party"] == team.party]
        if mine:
            solara.Text(cl("sent", lang, value=game_move_word(mine[-1], lang)), classes=["sp-sent"])
        Countdown(game, lang, version)
    A.SeatCard(model, party=team.party, step_after=False)
    mine = [m for m in game.moves if m["team"] == team.name and m["by"] == "agent"]
    if mine:
        solara.HTML(
            tag="div",
            classes=["sp-agent-moves"],
            unsafe_innerHTML=A._esc(
                "; ".join(game_move_text(m, lang) for m in mine) + " " + cl("by_agent", lang)
            ),
        )
    solara.Button(
        cl("leave", lang),
        text=True,
        disabled=game.deadline is not None,
        on_click=lambda: on_error_safe(game.leave_seat, code, token, on_error),
        classes=["sp-leave"],
    )


def on_error_safe(fn, code: str, token: str, on_error) -> None:
    try:
        fn(code, token)
        on_error(None)
    except GameError as exc:
        on_error(str(exc))


CLASSROOM_CSS = """
.sp-qr svg { width: 260px; height: 260px; }
.sp-teams td, .sp-teams th { font-size: 18px; }
.sp-team-debrief h3 { margin-top: 12px; }
"""


# ------------------------------------------------------------------ dispatch
@solara.component
def ClassroomPage():
    """``/?teacher=KEY`` the teacher, ``/?team=TOKEN`` a team, else the join page."""
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
    "remember_team_code",
    "summary_rows",
    "TeamSeat",
    "team_code",
    "team_debrief",
    "team_path",
    "team_rows",
]
