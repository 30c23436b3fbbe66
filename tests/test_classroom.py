"""``sixparty dashboard --classroom`` without a browser: the command's checks, the settings it
passes to the server, and a shared game on the real model (teams, countdown, debrief)."""

from __future__ import annotations

import html
import re

import pytest
from sixparty import dashboard
from sixparty.cli import main
from sixparty.games import GameRegistry, SeatError, WrongCode


@pytest.fixture
def no_server(monkeypatch):
    """The command up to starting the server; the server is a stand-in that exits at once."""
    started = {}

    class Proc:
        pid = 0

        def __init__(self, cmd, env):
            started["cmd"], started["env"] = cmd, env

        def poll(self):
            return 0

        def wait(self, timeout=None):
            return 0

    monkeypatch.setattr(dashboard, "missing_modules", lambda: [])
    monkeypatch.setattr(dashboard, "port_free", lambda host, port: True)
    monkeypatch.setattr(dashboard, "wait_until_up", lambda url, proc=None, timeout=0: True)
    monkeypatch.setattr(dashboard.subprocess, "Popen", Proc)
    return started


def test_beyond_loopback_only_with_classroom(no_server, capsys):
    assert main(["dashboard", "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert "--classroom" in err and "Traceback" not in err
    assert "cmd" not in no_server  # nothing started


def test_classroom_on_the_network_warns_with_the_url_and_the_code(no_server, capsys):
    assert main(["dashboard", "--classroom", "--host", "0.0.0.0", "--countdown", "45"]) == 0
    out = capsys.readouterr().out
    env = no_server["env"]
    code, key = env["SIXPARTY_JOIN_CODE"], env["SIXPARTY_TEACHER_KEY"]
    assert env["SIXPARTY_CLASSROOM"] == "1" and env["SIXPARTY_COUNTDOWN_S"] == "45"
    assert len(env["SIXPARTY_GAME_ID"]) >= 16 and len(key) >= 16 and len(code) == 6
    assert "warning" in out and code in out and env["SIXPARTY_JOIN_URL"] in out
    assert "0.0.0.0" not in env["SIXPARTY_JOIN_URL"]  # a URL another device can open
    assert f"?teacher={key}" in out
    assert no_server["cmd"][no_server["cmd"].index("--host") + 1] == "0.0.0.0"


def test_every_classroom_start_has_new_secrets(no_server, capsys):
    main(["dashboard", "--classroom"])
    first = dict(no_server["env"])
    main(["dashboard", "--classroom"])
    second = no_server["env"]
    for key in ("SIXPARTY_GAME_ID", "SIXPARTY_JOIN_CODE", "SIXPARTY_TEACHER_KEY"):
        assert first[key] != second[key]
    assert "127.0.0.1" in capsys.readouterr().out  # loopback: it says how to open it up


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--countdown", "30"], "add --classroom"),
        (["--classroom", "--countdown", "5"], "--countdown"),
        (["--classroom", "--seat", "DPRK"], "--seat"),
        (["--max-games", "0"], "--max-games"),
        (["--game-idle-hours", "0"], "--game-idle-hours"),
    ],
)
def test_bad_classroom_options_are_refused(no_server, capsys, argv, words):
    assert main(["dashboard", *argv]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


def test_the_ordinary_dashboard_passes_no_classroom_settings(no_server, monkeypatch):
    monkeypatch.setenv("SIXPARTY_JOIN_CODE", "LEAKED")
    assert main(["dashboard", "--max-games", "7", "--game-idle-hours", "2"]) == 0
    env = no_server["env"]
    assert "SIXPARTY_CLASSROOM" not in env and "SIXPARTY_JOIN_CODE" not in env
    assert env["SIXPARTY_MAX_GAMES"] == "7" and env["SIXPARTY_GAME_IDLE_S"] == "7200"


# ------------------------------------------------------------ the pages' logic, real model
@pytest.fixture
def needs_solara():
    """The tests below this line need the dashboard extra (the ones above do not)."""
    pytest.importorskip("solara")


def test_the_query_string_and_the_qr_code(needs_solara):
    from sixparty.app import query_params
    from sixparty.classroom_app import CL, qr_svg

    assert query_params("game=abc&team=t&game=x") == {"game": "abc", "team": "t"}
    assert query_params(None) == {}
    svg = qr_svg("http://192.0.2.1:8765/")
    assert svg.startswith("<svg") and "path" in svg
    assert set(CL["en"]) == set(CL["zh"])


def test_a_games_moves_are_shown_in_the_pages_language(needs_solara):
    """zh pages showed the agent's time-out move as ``2003-04 reject``; 拒绝 as elsewhere."""
    from sixparty.classroom_app import game_move_text, game_move_word

    def mv(value, kind="session"):
        return {"month": "2003-04", "kind": kind, "value": value}

    assert game_move_text(mv("reject"), "en") == "2003-04 reject"  # English as logged
    assert game_move_text(mv("reject"), "zh") == "2003年4月 拒绝"
    assert game_move_word(mv("boycott"), "zh") == "抵制"
    assert game_move_word(mv("accept"), "zh") == "接受"
    assert game_move_word(mv("slow", "implementation"), "zh") == "放缓"
    amend = game_move_word(mv("amend verification->0.50"), "zh")
    assert amend.startswith("修改") and "0.50" in amend and not re.search("[A-Za-z]", amend)


class Clock:
    t = 0.0

    def __call__(self):
        return self.t


def test_a_shared_game_on_the_model_waits_times_out_and_debriefs_every_team(needs_solara):
    from sixparty.app import ClassroomModel, briefing_html
    from sixparty.classroom_app import debrief_html, summary_rows, team_rows

    clock = Clock()
    reg = GameRegistry(clock=clock, retire=lambda m: m.retire())
    model = ClassroomModel(scenario="historical", seat="none")
    game = reg.create(model, "classroom", countdown_s=10)
    try:
        a = game.join(game.code, "Team A")
        with pytest.raises(WrongCode):
            game.take_seat("NOTIT", a.token, "DPRK")
        game.take_seat(game.code, a.token, "DPRK")
        results = []

        def until_waiting():
            for _ in range(40):
                results.append(game.advance())
                if results[-1] == "waiting":
                    return
            pytest.fail("no session for the DPRK in 40 months")

        until_waiting()
        aw = game.awaiting_for("DPRK")
        assert aw["kind"] == "session" and game.waiting_for() == ["DPRK"]
        brief = html.unescape(briefing_html(aw["briefing"], "en"))  # what the team's card shows
        assert "chair's draft" in brief and "walking away" in brief
        assert game.advance() == "waiting"  # the countdown runs
        game.session_orders(game.code, a.token, True, "reject")
        assert game.advance() == "stepped"
        until_waiting()
        clock.t += 11  # nobody answers: the agent's recommendation
        assert game.advance() == "stepped"
        assert [(m["value"], m["by"]) for m in game.moves][0] == ("reject", "team")
        assert game.moves[-1]["by"] == "agent" and game.moves[-1]["team"] == "Team A"
        with pytest.raises(SeatError):
            game.session_orders(game.code, a.token, True, "accept")  # nothing is due now
        rows = team_rows(game)
        assert rows == [
            {"team": "Team A", "delegation": "DPRK", "last": rows[0]["last"], "moves": "2 (1)"}
        ]
        # In Chinese the moves are in Chinese too (the agent's, when time ran out, was English)
        zh_last = team_rows(game, "zh")[0]["last"]
        assert zh_last.startswith("20") and "年" in zh_last and not re.search("[A-Za-z]", zh_last)
        zh_report = html.unescape(debrief_html(game, model, "zh"))
        assert "拒绝" in zh_report and "reject" not in zh_report
        report = debrief_html(game, model, "en")
        assert "Team A — DPRK" in report and "time ran out" in report and "reject" in report
        assert "sp-debrief-table" in report  # the seat debrief of the team's delegation
        (row,) = summary_rows(game, model)
        assert row["team"] == "Team A" and row["timeouts"] == 1 and row["moves"] == 2
        done, advised = map(int, row["as_agent"].split("/"))
        assert advised >= 2 and 1 <= done <= advised  # the time-out's moves are the agent's
    finally:
        model.retire()


def test_a_model_kept_by_a_game_outlives_the_page_that_made_it(needs_solara, monkeypatch):
    """A reload closes the old page's session: its model lives on in the game; the old
    page's play loop stops stepping it, the new page's steps it."""
    import threading

    import sixparty.app as app
    from test_hardening import FakeKernel

    old = FakeKernel()
    current = {"kernel": old}
    monkeypatch.setattr(app, "_current_kernel", lambda: current["kernel"])
    monkeypatch.setattr(app, "PAGE_POLL_S", 0.05)
    game, note = app.solo_game(None)
    m = game.model
    try:
        assert note is None and m.kept and app.GAMES.get(game.id) is game
        assert app.solo_game(game.id) == (game, None)  # the URL's id finds it
        m.step()
        old.page_status["page-1"] = FakeKernel(connected=False).page_status["page-1"]
        player = threading.Thread(target=m.step, daemon=True)  # the old page's play loop
        player.start()
        player.join(0.3)
        assert player.is_alive() and len(m.timeline) == 1  # its page is gone: it waits
        old.close()  # the old session closes: the loop ends, the model does not
        player.join(10)
        assert not player.is_alive() and not m.retired and m.running and len(m.timeline) == 1
        current["kernel"] = FakeKernel()  # the reloaded page
        m.step()
        assert len(m.timeline) == 2
        again, note = app.solo_game("no-such-game-id-000")
        assert again is not game and "no longer on the server" in note
        app.GAMES.remove(again.id)
    finally:
        app.GAMES.remove(game.id)
    assert m.retired  # the registry retires what it drops


def test_a_full_server_still_serves_a_page_without_reconnect(needs_solara, monkeypatch):
    import sixparty.app as app

    full = GameRegistry(max_games=1)
    full.create(object())
    monkeypatch.setattr(app, "GAMES", full)
    game, note = app.solo_game(None)
    assert game is None and "--max-games" in note and "reload" in note


def test_the_team_seat_card_acts_only_through_the_game_with_the_code(needs_solara):
    """SeatCard on a team's page: orders go through the game (code and token checked, the
    team's own delegation only); reads come from the game's copy of the model."""
    from sixparty.app import ClassroomModel
    from sixparty.classroom_app import TeamSeat

    clock = Clock()
    reg = GameRegistry(clock=clock, retire=lambda m: m.retire())
    model = ClassroomModel(scenario="historical", seat="none")
    game = reg.create(model, "classroom", countdown_s=10)
    try:
        a = game.join(game.code, "A")
        b = game.join(game.code, "B")
        game.take_seat(game.code, a.token, "DPRK")
        game.take_seat(game.code, b.token, "US")
        errors = []
        forged = TeamSeat(game, "WRONG1", a.token, errors.append)
        seat = TeamSeat(game, game.code, a.token, errors.append)
        for _ in range(40):
            if game.advance() == "waiting":
                break
        assert seat.awaiting_for("DPRK")["kind"] == "session" and seat.seat == "DPRK"
        assert set(seat.seats) == {"DPRK", "US"} and seat.n_months == model.n_months
        forged.give_session_orders("DPRK", True, "accept")
        assert "wrong join code" in errors[-1] and game.waiting_for() == ["DPRK", "US"]
        seat.give_session_orders("US", False)  # the card's party is not trusted: A plays DPRK
        assert errors[-1] is None and game.waiting_for() == ["US"]
        assert game.moves[-1]["party"] == "DPRK" and game.moves[-1]["value"] == "boycott"
        seat.step()  # the teacher keeps the clock
        assert game.waiting_for() == ["US"]
    finally:
        model.retire()


def test_the_teachers_page_tells_the_game_what_it_has_drawn(needs_solara):
    """The teacher's ▶ cannot run ahead of the projector: the page's PaintAck carries the
    months drawn, and the browser's confirmation reaches the game (Game.painted)."""
    import solara
    from sixparty.app import ClassroomModel
    from sixparty.classroom_app import TeacherView
    from sixparty.dashboard_controls import PaintAck

    reg = GameRegistry(clock=Clock(), retire=lambda m: m.retire())
    model = ClassroomModel(scenario="historical", seat="none")
    game = reg.create(model, "classroom", countdown_s=10)
    try:
        _box, rc = solara.render(TeacherView(game), handle_error=False)
        ack = rc.find(PaintAck).widget
        assert ack.frame == 0 and not game.shown_live
        ack.painted = 0  # what the browser does once it has applied the redraw
        assert game.shown == 0 and game.shown_live
        rc.close()
    finally:
        model.retire()


def test_the_teachers_wait_line_and_table_redraw_when_the_countdown_runs_out(needs_solara):
    """The countdown runs out and the agent plays the team's move: the teacher's page, left
    alone, says nobody is waited for and counts the move (a tester's projector kept
    "1 s left" and "0 (0)": the renderer skipped the line and the table, whose arguments had
    not changed, and the line's own clock stops with the wait)."""
    import threading

    import solara
    from sixparty.app import ClassroomModel
    from sixparty.classroom_app import TeacherView

    clock = Clock()
    reg = GameRegistry(clock=clock, retire=lambda m: m.retire())
    model = ClassroomModel(scenario="historical", seat="none")
    game = reg.create(model, "classroom", countdown_s=10)
    a = game.join(game.code, "Team C")
    game.take_seat(game.code, a.token, "DPRK")

    def texts(widget) -> str:
        """The page's words: the texts and HTML of every widget under ``widget``."""
        kids = getattr(widget, "children", None) or []
        own = [str(getattr(widget, "unsafe_innerHTML", ""))] + [
            k for k in kids if isinstance(k, str)
        ]
        return " ".join(own + [texts(k) for k in kids if not isinstance(k, str)])

    rc = None
    try:
        for _ in range(40):
            if game.advance() == "waiting" and game.waiting_for():
                break
        box, rc = solara.render(TeacherView(game), handle_error=False)
        pause = threading.Event()
        for _ in range(100):  # the page's thread sees the change within a second
            if "Team C (DPRK)" in texts(box):
                break
            pause.wait(0.05)
        assert "Team C (DPRK) — 10 s left" in texts(box) and "0 (0)" in texts(box)
        clock.t += 11  # nobody answers: the agent plays, the month is played
        assert game.advance() == "stepped"
        for _ in range(100):
            if "Nobody to wait for." in texts(box):
                break
            pause.wait(0.05)
        assert "Nobody to wait for." in texts(box)
        assert "1 (1)" in texts(box)
    finally:
        if rc is not None:
            rc.close()
        model.retire()


def test_the_game_clock_steps_a_kept_model_whose_first_page_dropped(needs_solara, monkeypatch):
    """The clock thread inherits the context of the page that started the game; if that
    device drops without closing its session, the game still steps (newuser's freeze)."""
    import threading

    import sixparty.app as app
    from sixparty import games
    from test_hardening import FakeKernel

    dropped = FakeKernel(connected=False)  # disconnected, never closed
    monkeypatch.setattr(app, "_current_kernel", lambda: dropped)
    monkeypatch.setattr(app, "PAGE_POLL_S", 0.05)
    game, _ = app.solo_game(None)
    m = game.model
    done = threading.Event()

    def clock_step():
        games._CLOCK.active = True  # as GameRegistry.start_clock's thread marks itself
        m.step()
        done.set()

    try:
        t = threading.Thread(target=clock_step, daemon=True)
        t.start()
        assert done.wait(30), "the game's clock waited for a page that is gone"
        assert len(m.timeline) == 1
        waiter = threading.Thread(target=m.step, daemon=True)  # a page's own play loop
        waiter.start()
        waiter.join(0.3)
        assert waiter.is_alive() and len(m.timeline) == 1  # still waits for its page
        dropped.close()
        waiter.join(10)
    finally:
        app.GAMES.remove(game.id)


def test_a_team_whose_page_is_gone_shows_as_away_on_the_teachers_table(needs_solara):
    """No sign of a team's page for TEAM_AWAY_S: the teacher's table marks it away (it keeps
    its delegation); a sign of its page brings it back."""
    from sixparty.classroom_app import team_rows
    from sixparty.games import TEAM_AWAY_S, Game

    clock = Clock()
    game = Game(id="x" * 16, kind="classroom", model=object(), clock=clock, code="ABCDEF")
    a = game.join("ABCDEF", "Team A")
    b = game.join("ABCDEF", "Team B")
    clock.t = TEAM_AWAY_S - 1
    game.team_seen(b.token)
    assert [r["team"] for r in team_rows(game)] == ["Team A", "Team B"]
    clock.t = TEAM_AWAY_S + 61
    assert [r["team"] for r in team_rows(game)] == [
        "Team A — away (no page for 3 min)",
        "Team B",
    ]
    assert team_rows(game, "zh")[0]["team"] == "Team A——已离开（3 分钟没有打开页面）"
    game.team_seen(a.token)
    game.team_seen("not-a-token")  # nothing
    assert [r["team"] for r in team_rows(game)] == ["Team A", "Team B"]


@pytest.mark.parametrize("connected", [True, False])
def test_an_open_team_page_reports_that_the_team_is_here(needs_solara, monkeypatch, connected):
    import threading

    import sixparty.app as app
    import solara
    from sixparty.classroom_app import use_game
    from sixparty.games import Game
    from test_hardening import FakeKernel

    monkeypatch.setattr(app, "_current_kernel", lambda: FakeKernel(connected=connected))
    clock = Clock()
    game = Game(id="x" * 16, kind="classroom", model=object(), clock=clock, code="ABCDEF")
    team = game.join("ABCDEF", "Team A")
    clock.t = 500.0

    @solara.component
    def Page():
        use_game(game, team.token)
        solara.Text("team page")

    _box, rc = solara.render(Page(), handle_error=False)
    try:
        deadline = threading.Event()
        for _ in range(40):
            if team.seen == 500.0:
                break
            deadline.wait(0.05)
        assert (team.seen == 500.0) is connected  # a dropped page does not count
    finally:
        rc.close()


def test_the_join_code_leaves_the_team_pages_address(needs_solara, monkeypatch):
    """After joining the address is ``?team=TOKEN``: the server keeps the code for that
    browser session; an old ``&code=`` link works and is cleaned; another browser is asked
    for the code; a wrong code acts on nothing."""
    import ipyvuetify as v
    import solara
    import solara.routing
    from sixparty import classroom_app as C
    from sixparty.app import ClassroomModel

    reg = GameRegistry(clock=Clock(), retire=lambda m: m.retire())
    model = ClassroomModel(scenario="historical", seat="none")
    game = reg.create(model, "classroom", countdown_s=10)
    monkeypatch.setattr(C, "_TEAM_CODES", {})
    pushed: list[str] = []

    @solara.component
    def Page(kind: str, url_code: str = "", token: str = ""):
        solara.routing.router_context.provide(
            solara.routing.Router("/", [], set_path=pushed.append)
        )
        if kind == "join":
            C.JoinPage(game)
        else:
            C.TeamPage(game, token, url_code)

    def shown(rc, cls):
        return len(rc.find(v.Btn, class_=cls).widgets)

    try:
        # Joining: the address gets the token, never the code.
        monkeypatch.setattr(C, "_session_id", lambda: "browser-1")
        _box, rc = solara.render(Page("join"), handle_error=False)
        rc.find(v.TextField, class_="sp-code-input").widget.v_model = game.code.lower()
        rc.find(v.TextField, class_="sp-name-input").widget.v_model = "Team A"
        rc.find(v.Btn, class_="sp-join-btn").widget.click()
        rc.close()
        (token,) = game.teams
        assert pushed == [f"/?team={token}"] and game.code not in pushed[0]
        # The same browser on ?team=TOKEN: the team's page, with the code it gave.
        _box, rc = solara.render(Page("team", token=token), handle_error=False)
        assert shown(rc, "sp-take-DPRK") == 1 and shown(rc, "sp-rejoin-btn") == 0
        rc.close()
        # An old link with &code=: it works, and the code leaves the address.
        monkeypatch.setattr(C, "_session_id", lambda: "browser-2")
        pushed.clear()
        _box, rc = solara.render(Page("team", game.code, token), handle_error=False)
        assert shown(rc, "sp-take-DPRK") == 1 and pushed == [f"/?team={token}"]
        rc.close()
        # Another browser with the token alone is asked for the code; a wrong one is refused.
        monkeypatch.setattr(C, "_session_id", lambda: "browser-3")
        _box, rc = solara.render(Page("team", token=token), handle_error=False)
        assert shown(rc, "sp-take-DPRK") == 0 and shown(rc, "sp-rejoin-btn") == 1
        rc.find(v.TextField, class_="sp-code-input").widget.v_model = "WRONG9"
        rc.find(v.Btn, class_="sp-rejoin-btn").widget.click()
        assert shown(rc, "sp-take-DPRK") == 0 and "wrong join code" in str(rc.find(v.Alert).widget)
        rc.find(v.TextField, class_="sp-code-input").widget.v_model = game.code
        rc.find(v.Btn, class_="sp-rejoin-btn").widget.click()
        assert shown(rc, "sp-take-DPRK") == 1
        rc.close()
        # A link with a wrong code shows a refusal and no seat.
        monkeypatch.setattr(C, "_session_id", lambda: "browser-4")
        _box, rc = solara.render(Page("team", "AAAAAA", token), handle_error=False)
        assert shown(rc, "sp-take-DPRK") == 0 and shown(rc, "sp-rejoin-btn") == 0
        rc.close()
    finally:
        model.retire()


@pytest.mark.parametrize("given", ["dprk", "Dprk", "DPRK", "japan"])
def test_the_seat_is_named_in_any_case_as_join_codes_are(no_server, capsys, given):
    """``--seat dprk`` was refused (argparse's choices are case-sensitive) while a join code
    is accepted in any case; the key passed on is the canonical one."""
    assert main(["dashboard", "--seat", given]) == 0
    canonical = {"dprk": "DPRK", "japan": "Japan"}[given.lower()]
    assert no_server["env"]["SIXPARTY_SEAT"] == canonical


def test_an_unknown_seat_is_still_refused(no_server, capsys):
    assert main(["dashboard", "--seat", "korea"]) == 2
    err = capsys.readouterr().err
    assert "--seat" in err and "DPRK" in err and "Traceback" not in err
