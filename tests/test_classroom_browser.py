"""Six teams, one game: ``sixparty dashboard --classroom`` played in Chromium, teacher and teams.

One server is started as ``sixparty dashboard --classroom --countdown 10``
does it (:class:`sixparty.dashboard.ClassroomSettings`, its environment), on
an 18-month cut of the historical scenario (2003-01..2004-06, the events of
those months: five sessions), so the game ends in about a minute.  Three
browser contexts: the teacher (the projected page) and two teams, each on
"its own device".  Team A takes the DPRK, team B the US.  The teacher plays (▶); at the
first session team A lets the countdown run out (the agent's recommendation
is played and the debrief says so), at the others it attends and accepts.
The game is played to the end and the debrief of every team is checked; a
wrong code is refused, the code never shows in a team's address bar (another
browser opening team A's address is asked for it), and team A's page
reloaded keeps its seat.
"""

from __future__ import annotations

import time

import pytest
import yaml
from sixparty import dashboard
from test_dashboard_browser import (
    ARTIFACTS,
    STEP_WAIT_MS,
    _chromium,
    _free_port,
    start_server,
    stop_server,
)
from test_reconnect_browser import LAUNCH_ARGS

MONTHS = 18
COUNTDOWN_S = 10


def short_scenario(path) -> str:
    """The historical scenario cut to 2003-01..2004-06 (its events of those months), as a file."""
    from sixparty.loader import find_scenario, load_scenario

    sc = load_scenario(find_scenario("historical"))
    data = sc.model_dump(mode="json", exclude_none=True)
    data["name"] = "classroom_short"
    data["title"] = "The Six-Party Talks, first 18 months (classroom test)"
    data["window"] = {"start": "2003-01", "end": "2004-06"}
    data["events"] = [e for e in data["events"] if e["date"][:7] <= "2004-06"]
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    load_scenario(path)  # valid
    return str(path)


def classroom_server(tmp_path_factory, name: str, countdown_s: int):
    """A classroom server on the short scenario, for a module's fixture: yields
    ``{"url", "settings"}``, stops the server after."""
    scenario = short_scenario(tmp_path_factory.mktemp(name) / "short.yaml")
    port = _free_port()  # the join URL the teacher's page shows is the server's own
    settings = dashboard.ClassroomSettings.new(f"http://127.0.0.1:{port}/", countdown_s)
    env = dashboard.server_env(scenario, None, classroom=settings)
    proc, url, log = start_server(env, f"dashboard-server-{name}.log", port=port)
    try:
        yield {"url": url, "settings": settings}
    finally:
        stop_server(proc, log)


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    yield from classroom_server(tmp_path_factory, "classroom", COUNTDOWN_S)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=_chromium(), args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()


def _page(browser, url: str, errors: list[str], width: int = 1500):
    pg = browser.new_context(viewport={"width": width, "height": 1100}).new_page()
    pg.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    pg.goto(url)
    return pg


def _join(pg, code: str, name: str) -> None:
    pg.wait_for_selector(".sp-code-input input", timeout=60_000)
    pg.locator(".sp-code-input input").fill(code)
    pg.locator(".sp-name-input input").fill(name)
    pg.locator(".sp-join-btn").click()
    pg.wait_for_selector(".sp-take", timeout=STEP_WAIT_MS)


def _shot(pg, name: str) -> None:
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.browser
def test_a_classroom_game_teacher_and_two_teams_to_the_debrief(classroom, browser):
    url, st = classroom["url"], classroom["settings"]
    errors: list[str] = []
    t0 = time.monotonic()

    # The teacher's page: the key leaves the address bar; the code and the QR code are shown.
    teacher = _page(browser, f"{url}?teacher={st.teacher_key}", errors)
    teacher.wait_for_selector(".sp-join-code", timeout=60_000)
    teacher.wait_for_function("() => location.search === '?teacher=1'", timeout=STEP_WAIT_MS)
    assert teacher.locator(".sp-join-code").inner_text().strip() == st.code
    assert teacher.locator(".sp-qr svg").count() == 1
    assert f"Month 0 of {MONTHS}" in teacher.locator(".sp-steps").inner_text()
    teacher.reload()  # the same browser session stays the teacher's
    teacher.wait_for_selector(".sp-teacher-play", timeout=60_000)

    # Team A: a wrong code is refused, the right one (typed in lower case) lets it in.
    team_a = _page(browser, url, errors, width=900)
    team_a.wait_for_selector(".sp-code-input input", timeout=60_000)
    team_a.locator(".sp-code-input input").fill("WRONG9")
    team_a.locator(".sp-name-input input").fill("Team A")
    team_a.locator(".sp-join-btn").click()
    team_a.wait_for_selector(".sp-refused", timeout=STEP_WAIT_MS)
    assert "wrong join code" in team_a.locator(".sp-refused").inner_text()
    _join(team_a, st.code.lower(), "Team A")
    team_a.locator(".sp-take-DPRK").click()
    team_a.wait_for_selector(".sp-seat", timeout=STEP_WAIT_MS)
    # The code is not in the address bar (a screenshot or a projected URL would show it).
    team_a.wait_for_function(
        "() => location.search.startsWith('?team=') && !location.search.includes('code=')",
        timeout=STEP_WAIT_MS,
    )
    a_url = team_a.url
    assert st.code not in a_url

    # Team B, on another device.
    team_b = _page(browser, url, errors, width=900)
    _join(team_b, st.code, "Team B")
    dprk = team_b.locator(".sp-take-DPRK")
    team_b.wait_for_function(
        "() => document.querySelector('.sp-take-DPRK').textContent.includes('Team A')",
        timeout=STEP_WAIT_MS,
    )
    assert dprk.is_disabled()
    team_b.locator(".sp-take-US").click()
    team_b.wait_for_selector(".sp-seat", timeout=STEP_WAIT_MS)

    # A team URL with a wrong code acts on nothing; a team's browser is not the teacher.
    forged = f"{a_url}&code=AAAAAA"
    pg = team_b.context.new_page()
    pg.goto(forged)
    pg.wait_for_selector(".sp-refused", timeout=60_000)
    assert pg.locator(".sp-seat").count() == 0
    # Team A's address in another browser: the code is asked for again.
    elsewhere = _page(browser, a_url, errors, width=900)
    elsewhere.wait_for_selector(".sp-rejoin-btn", timeout=60_000)
    assert elsewhere.locator(".sp-seat").count() == 0
    elsewhere.context.close()
    for link in (f"{url}?teacher=1", f"{url}?teacher={st.teacher_key[:-2]}xx"):
        pg.goto(link)
        pg.wait_for_selector(".sp-not-teacher", timeout=60_000)
        assert pg.locator(".sp-teacher-play").count() == 0
    pg.close()

    teacher.wait_for_function(
        "() => (document.querySelector('.sp-teams')?.innerText || '').includes('Team B')",
        timeout=STEP_WAIT_MS,
    )
    _shot(teacher, "classroom-1-teacher")

    # One Step on the teacher's page reaches both teams' pages (timed: "device to device").
    t_step = time.monotonic()
    teacher.locator(".sp-teacher-step").click()
    for pg in (team_a, team_b):
        pg.wait_for_function(
            f"() => (document.querySelector('.sp-steps')?.innerText || '').includes('Month 1 of {MONTHS}')",
            timeout=STEP_WAIT_MS,
        )
    print(f"teacher's Step -> both teams' pages: {time.monotonic() - t_step:.2f} s")

    # Play: ▶ on the teacher's page; the teams move when a session waits for them.
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    teacher.locator(".sp-teacher-play").click()
    let_expire = True  # the first session: team A does not answer
    answered = {"A": 0, "B": 0}
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if teacher.locator(".sp-class-debrief").count():
            break
        for name, pg in (("A", team_a), ("B", team_b)):
            if not pg.locator(".sp-play-session").count():
                continue
            if name == "A" and let_expire:
                _shot(team_a, "classroom-2-team-move")
                pg.wait_for_selector(
                    ".sp-play-session", state="detached", timeout=COUNTDOWN_S * 4000
                )
                let_expire = False
                continue
            try:
                pg.locator(".sp-attend").get_by_text("attend", exact=True).click(timeout=5000)
                pg.locator(".sp-respond").get_by_text("accept", exact=True).click(timeout=5000)
                pg.locator(".sp-play-session:not([disabled])").click(timeout=5000)
            except PlaywrightTimeout:
                continue  # the wait ended meanwhile (the countdown ran out): the next one
            pg.wait_for_selector(".sp-play-session", state="detached", timeout=STEP_WAIT_MS)
            answered[name] += 1
        time.sleep(0.3)
    else:
        _shot(teacher, "classroom-timeout")
        pytest.fail("the classroom game did not reach its debrief in 4 minutes")

    assert f"Month {MONTHS} of {MONTHS}" in teacher.locator(".sp-steps").inner_text()
    debrief = teacher.locator(".sp-class-debrief").inner_text()
    assert "Team A — DPRK" in debrief, debrief
    assert "time ran out: the agent's recommendation" in debrief
    assert answered["A"] >= 1 and "accept" in debrief
    assert "Team B — US" in debrief and answered["B"] >= 1
    assert debrief.count("agent in your seat") >= 2  # the seat debrief of each team
    summary = teacher.locator(".sp-class-summary").inner_text()
    assert "Team A" in summary and "Team B" in summary and "as the agent advised" in summary
    _shot(teacher, "classroom-3-teacher-end")
    teacher.locator(".sp-class-debrief").screenshot(path=str(ARTIFACTS / "classroom-4-debrief.png"))
    team_a.wait_for_selector(".sp-class-debrief", timeout=STEP_WAIT_MS)
    rows = teacher.locator(".sp-teams").inner_text()
    assert "Team A" in rows and "DPRK" in rows

    # Team A's page reloaded: the same seat and moves.
    team_a.reload()
    team_a.wait_for_selector(".sp-seat", timeout=60_000)
    assert "DPRK" in team_a.locator(".sp-seat").inner_text()
    assert "accept" in team_a.locator(".sp-moves").inner_text()
    assert errors == []
    print(f"classroom game of {MONTHS} months played in {time.monotonic() - t0:.0f} s")
