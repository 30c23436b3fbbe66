"""A dropped connection does not lose the game: the game id in the URL finds it on the server.

Headless Chromium (Playwright) on a dashboard started as ``sixparty dashboard
--seat DPRK``.  The page puts ``?game=ID`` in its address; the test steps
to the DPRK's first session, plays it, then drops the page's connection two
ways: the browser goes offline mid-game and comes back with a reload, and the
whole browser context is closed and the URL opened in a new one.  Each time
the same month, seat and moves are shown.  Helpers and skips are those of
``tests/test_dashboard_browser.py``.
"""

from __future__ import annotations

import pytest
from sixparty import dashboard
from test_dashboard_browser import (
    ARTIFACTS,
    STEP_WAIT_MS,
    _chromium,
    _click_and_wait,
    _date,
    start_server,
    stop_server,
)

LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture(scope="module")
def seated_server():
    proc, url, log = start_server(
        dashboard.server_env("historical", "DPRK"), "dashboard-server-reconnect.log"
    )
    try:
        yield url
    finally:
        stop_server(proc, log)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=_chromium(), args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()


def _open(browser, url: str):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1100})
    pg = ctx.new_page()
    pg.goto(url)
    pg.wait_for_selector(".sp-date", timeout=60_000)
    return ctx, pg


def _game_id(pg) -> str:
    pg.wait_for_function("() => location.search.includes('game=')", timeout=STEP_WAIT_MS)
    return pg.evaluate("() => new URLSearchParams(location.search).get('game')")


def _state(pg) -> tuple[str, str, str]:
    moves = pg.locator(".sp-moves")
    return (
        _date(pg),
        pg.locator(".sp-seat").locator(".v-card__title").first.inner_text().strip(),
        moves.inner_text().strip() if moves.count() else "",
    )


@pytest.mark.browser
def test_a_dropped_connection_finds_the_same_game_month_seat_and_moves(seated_server, browser):
    ctx, pg = _open(browser, seated_server)
    gid = _game_id(pg)
    assert len(gid) >= 16
    # Step to the DPRK's first session and play it.
    for _ in range(40):
        if pg.locator(".sp-play-session").count():
            break
        _click_and_wait(
            pg,
            "Step",
            "b => document.querySelector('.sp-play-session') || "
            "document.querySelector('.sp-date').innerText.trim() !== b",
            arg=_date(pg),
        )
    else:
        pytest.fail("no session was convened in 40 months")
    pg.locator(".sp-attend").get_by_text("attend", exact=True).click()
    pg.locator(".sp-respond").get_by_text("reject", exact=True).click()
    _click_and_wait(
        pg,
        "Play this session",
        "b => document.querySelector('.sp-moves') !== null && "
        "document.querySelector('.sp-date').innerText.trim() !== b",
        arg=_date(pg),
    )
    before = _state(pg)
    assert "DPRK" in before[1] and "reject" in before[2], before
    pg.screenshot(path=str(ARTIFACTS / "reconnect-1-before.png"), full_page=True)

    # 1. The connection drops (offline), then the page is reloaded.
    ctx.set_offline(True)
    pg.wait_for_timeout(2000)
    ctx.set_offline(False)
    pg.reload()
    pg.wait_for_selector(".sp-date", timeout=60_000)
    pg.wait_for_function(
        "m => document.querySelector('.sp-date').innerText.trim() === m",
        arg=before[0],
        timeout=STEP_WAIT_MS,
    )
    assert _game_id(pg) == gid and _state(pg) == before
    pg.screenshot(path=str(ARTIFACTS / "reconnect-2-after-reload.png"), full_page=True)

    # 2. The browser is closed; the same URL opened in a new one.
    url = pg.url
    ctx.close()
    ctx2, pg2 = _open(browser, url)
    try:
        pg2.wait_for_function(
            "m => document.querySelector('.sp-date').innerText.trim() === m",
            arg=before[0],
            timeout=STEP_WAIT_MS,
        )
        assert _game_id(pg2) == gid and _state(pg2) == before
        # ... and the game goes on from there (a month, or the next session's prompt).
        _click_and_wait(
            pg2,
            "Step",
            "b => document.querySelector('.sp-play-session') || "
            "document.querySelector('.sp-date').innerText.trim() !== b",
            arg=before[0],
        )
        # A page without the id starts a game of its own.
        pg3 = ctx2.new_page()
        pg3.goto(seated_server)
        pg3.wait_for_selector(".sp-date", timeout=60_000)
        assert _game_id(pg3) != gid and _date(pg3).startswith("Start ")
        pg3.close()
    finally:
        ctx2.close()
