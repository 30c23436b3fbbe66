"""The game of a page's address, in Chromium: an unknown id, two tabs on one game; and the
sidebar's sliders read from a projector.

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
        tab2.locator(".sp-reset").click()  # a Reset in one tab: the other follows it
        _wait_month(tab2, 0)
        _wait_month(tab1, 0)
        tab1.locator(".sp-step").click()  # and both step the new model
        _wait_month(tab1, 1)
        _wait_month(tab2, 1)
    finally:
        ctx1.close()
        if ctx2 is not None:
            ctx2.close()


@pytest.mark.browser
def test_a_slider_names_its_value_at_rest_and_as_it_moves(solo_server, browser):  # noqa: F811
    """The sidebar's sliders showed no value at rest (only a bubble while dragged, over the
    slider above): the label says it, and follows the slider."""
    import re

    ctx, pg = _open(browser, solo_server)
    try:
        noise = pg.locator(".sp-params .v-input").filter(has_text="Noise")
        label = noise.locator(".v-label")
        assert re.fullmatch(r"Noise: 0\.\d\d", label.inner_text().strip()), label.inner_text()
        before = float(label.inner_text().split(":")[1])
        noise.locator("[role=slider]").focus()
        pg.keyboard.press("ArrowRight")
        pg.wait_for_function(
            "(v) => [...document.querySelectorAll('.sp-params .v-label')].some("
            "e => e.innerText.trim() === v)",
            arg=f"Noise: {before + 0.01:.2f}",
            timeout=STEP_WAIT_MS,
        )
        bubbles = pg.locator(".sp-params .v-slider__thumb-label-container")
        assert all(not b.is_visible() for b in bubbles.all())
        # Each label on its own line above its track: every track as wide as the others
        # and starting at the same x (beside a long label a track shrank to 54 px).
        boxes = [e.bounding_box() for e in pg.locator(".sp-params .v-slider").all()]
        assert len(boxes) == 5
        assert max(b["width"] for b in boxes) - min(b["width"] for b in boxes) < 2, boxes
        assert max(b["x"] for b in boxes) - min(b["x"] for b in boxes) < 2, boxes
        # A drag with the mouse (the label redrawn as it moves does not break it).
        thumb = noise.locator(".v-slider__thumb").bounding_box()
        track = noise.locator(".v-slider").bounding_box()
        pg.mouse.move(thumb["x"] + thumb["width"] / 2, thumb["y"] + thumb["height"] / 2)
        pg.mouse.down()
        for k in range(1, 11):
            pg.mouse.move(
                thumb["x"] + k * (track["x"] + track["width"] - thumb["x"]) / 10,
                thumb["y"] + thumb["height"] / 2,
            )
        pg.mouse.up()
        pg.wait_for_function(
            "() => [...document.querySelectorAll('.sp-params .v-label')].some("
            "e => e.innerText.trim() === 'Noise: 0.50')",
            timeout=STEP_WAIT_MS,
        )
    finally:
        ctx.close()


def _play_label(pg) -> str:
    return pg.evaluate("() => document.querySelector('.sp-play')?.innerText || ''").strip()


def _wait_play_label(pg, label: str) -> None:
    pg.wait_for_function(
        "(v) => (document.querySelector('.sp-play')?.innerText || '').trim() === v",
        arg=label,
        timeout=STEP_WAIT_MS,
    )


def _noise_label(pg) -> str:
    noise = pg.locator(".sp-params .v-input").filter(has_text="Noise")
    return noise.locator(".v-label").inner_text().strip()


@pytest.mark.browser
def test_two_tabs_share_play_pause_and_the_sidebar(solo_server, browser):  # noqa: F811
    """A tester's ▶ in tab 2 left tab 1 showing ▶ (it could not pause, and its ▶ started a
    second player); a Reset with Noise 0.10 in tab 1 left tab 2's sidebar at 0.05."""
    ctx1, tab1 = _open(browser, solo_server)
    ctx2 = tab2 = None
    try:
        gid = _game_id(tab1)
        ctx2, tab2 = _open(browser, f"{solo_server}?game={gid}")
        _wait_month(tab2, 0)
        tab2.locator(".sp-play").click()
        _wait_play_label(tab2, "❚❚")
        _wait_play_label(tab1, "❚❚")  # by itself: tab 1 can pause the game tab 2 plays
        _wait_month(tab1, 2)
        tab1.locator(".sp-play").click()
        _wait_play_label(tab1, "▶")
        _wait_play_label(tab2, "▶")
        tab1.wait_for_timeout(1500)  # a month being computed at the click may still come
        stopped = _steps(tab1)
        tab1.wait_for_timeout(2000)  # several months' worth at 2 months/s: none may come
        assert _steps(tab1) == stopped and _steps(tab2) == stopped
        # Tab 1 moves Noise and Resets: tab 2 takes the model and the value.
        noise = tab1.locator(".sp-params .v-input").filter(has_text="Noise")
        before = _noise_label(tab1)
        noise.locator("[role=slider]").focus()
        tab1.keyboard.press("ArrowRight")
        tab1.wait_for_function(
            "(v) => [...document.querySelectorAll('.sp-params .v-label')].every("
            "e => e.innerText.trim() !== v)",
            arg=before,
            timeout=STEP_WAIT_MS,
        )
        moved = _noise_label(tab1)
        tab1.locator(".sp-reset").click()
        _wait_month(tab1, 0)
        _wait_month(tab2, 0)
        tab2.wait_for_function(
            "(v) => [...document.querySelectorAll('.sp-params .v-label')].some("
            "e => e.innerText.trim() === v)",
            arg=moved,
            timeout=STEP_WAIT_MS,
        )
    finally:
        ctx1.close()
        if ctx2 is not None:
            ctx2.close()
