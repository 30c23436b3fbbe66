"""The game of a page's address, in Chromium: an unknown id, and two tabs on one game.

A tester opened ``?game=`` with an id the server no longer kept (a restart, the
idle timeout): a new game started at Month 0 with no word.  The page must say so
(``sp-game-note``).  Two tabs on the same game: a Step in one reaches the other.
"""

from __future__ import annotations

import pytest
from sixparty import dashboard
from test_dashboard_browser import STEP_WAIT_MS, start_server, stop_server
from test_reconnect_browser import _game_id, _open, browser  # noqa: F401 - fixture


@pytest.fixture(scope="module")
def solo_server():
    proc, url, log = start_server(dashboard.server_env("historical", None), "dashboard-tabs.log")
    try:
        yield url
    finally:
        stop_server(proc, log)


def _steps(pg) -> str:
    return pg.evaluate("() => document.querySelector('.sp-steps')?.innerText || ''").strip()


@pytest.mark.browser
def test_an_unknown_game_id_says_a_new_game_started(solo_server, browser):  # noqa: F811
    ctx, pg = _open(browser, f"{solo_server}?game=this-game-is-not-on-the-server")
    try:
        pg.wait_for_selector(".sp-game-note", timeout=STEP_WAIT_MS)
        assert "no longer on the server" in pg.locator(".sp-game-note").inner_text()
        assert _game_id(pg) != "this-game-is-not-on-the-server"
        assert _steps(pg).startswith("Month 0 of")
        pg.locator(".sp-lang").get_by_text("zh", exact=True).click()  # the note in Chinese
        pg.wait_for_function(
            "() => (document.querySelector('.sp-game-note')?.innerText || '').includes('已开始')",
            timeout=STEP_WAIT_MS,
        )
    finally:
        ctx.close()


def _wait_month(pg, k: int) -> None:
    pg.wait_for_function(
        f"() => (document.querySelector('.sp-steps')?.innerText || '').startsWith('Month {k} of')",
        timeout=STEP_WAIT_MS,
    )


@pytest.mark.browser
def test_two_tabs_on_one_game_show_the_same_month(solo_server, browser):  # noqa: F811
    """A tester's Step in tab 2 moved it to Month 3 while tab 1 stayed at Month 2."""
    ctx1, tab1 = _open(browser, solo_server)
    ctx2 = tab2 = None
    try:
        gid = _game_id(tab1)
        tab1.locator(".sp-step").click()
        _wait_month(tab1, 1)
        ctx2, tab2 = _open(browser, f"{solo_server}?game={gid}")
        _wait_month(tab2, 1)
        tab2.locator(".sp-step").click()
        _wait_month(tab2, 2)
        _wait_month(tab1, 2)  # by itself: no click, no reload in tab 1
        tab1.locator(".sp-step").click()
        _wait_month(tab1, 3)
        _wait_month(tab2, 3)
    finally:
        ctx1.close()
        if ctx2 is not None:
            ctx2.close()
