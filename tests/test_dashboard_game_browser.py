"""A whole seated game in the browser: 120 months as Japan, every prompt answered, to the debrief.

Uses the fixtures of :mod:`test_dashboard_browser` (a dashboard server started
with ``sixparty dashboard``'s own command line, headless Chromium), in a server
of its own (module scope).  The game is played as fast as the page allows: a few
months with Step (click to the new month on screen: the step latency), then ▶ at
the fastest speed, the seat's prompts answered as they come ("attend, accept" at
a session, "perform" for a phase), until the window's end and the debrief.  The
page must stay connected all along: Solara's client never reconnects, never shows
"Could not restore session", and the page logs no console error.  Latencies are
printed (median, p90; ``pytest -s`` shows them), never asserted: the machine is
shared.  Controls are found by the page's stable classes (``sp-seat``,
``sp-attend``, ``sp-respond``, ``sp-play-session``, ``sp-impl-perform``,
``sp-debrief-text``, ``sp-date``, ``sp-steps``) and tolerate a seat card that
preselects nothing.  About 1-3 minutes on a quiet 2-core machine.
"""

from __future__ import annotations

import statistics
import time

import pytest
from test_dashboard_browser import (  # noqa: F401 - fixtures
    ARTIFACTS,
    STEP_WAIT_MS,
    _date,
    _pick,
    _reset,
    _shot,
    page,
    server,
)

try:
    from playwright.sync_api import Error as PlaywrightError
except ImportError:  # the fixtures skip the test
    PlaywrightError = Exception

SEAT = "Japan"
GAME_BUDGET_S = 420.0  # a generous bound for a loaded machine; ~1-3 minutes when quiet

_STATE_JS = """() => {
    const q = s => document.querySelector(s);
    const body = document.body.innerText;
    return {
        date: (q('.sp-date') || {innerText: ''}).innerText.trim(),
        steps: (q('.sp-steps') || {innerText: ''}).innerText.trim(),
        session: !!q('.sp-play-session'),
        impl: !!q('.sp-impl-perform'),
        debrief: !!q('.sp-debrief-text'),
        playing: [...document.querySelectorAll('button')].some(b => b.textContent.trim() === '❚❚'),
        lost: body.includes('Could not restore session') || body.includes('Please refresh'),
        status: (window.solara && solara.debug) ? solara.debug.connectionStatus : null,
        reconnects: (window.solara && solara.debug) ? solara.debug.reconnectCount : null,
    };
}"""

# Times (performance.now(), ms) at which the month label changed, kept by the page itself.
_WATCH_MONTHS_JS = """() => {
    window.__spMonths = [];
    let last = null;
    const look = () => {
        const e = document.querySelector('.sp-date');
        const t = e ? e.innerText.trim() : null;
        if (t !== last) { last = t; window.__spMonths.push([performance.now(), t]); }
    };
    new MutationObserver(look).observe(document.body,
        {subtree: true, childList: true, characterData: true});
    look();
}"""


def _months(steps_text: str) -> tuple[int, int]:
    """(months simulated, months of the window) from the step counter ('Month k of n');
    (-1, 0) while the counter is being drawn again."""
    import re

    found = re.fullmatch(r"Month (\d+) of (\d+)", steps_text.strip())
    return (int(found[1]), int(found[2])) if found else (-1, 0)


def _quantile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def _click_if_there(locator) -> bool:
    """Click ``locator``'s first match if it is there now; False if it is not (or went away:
    the page re-renders between months)."""
    try:
        if not locator.count():
            return False
        locator.first.click(timeout=3_000)
        return True
    except PlaywrightError:
        return False


def _choose(pg, container: str, text: str) -> bool:
    """Select the toggle ``text`` in ``container`` unless it is selected already (a second
    click would deselect it: the seat card's toggles are not mandatory)."""
    button = pg.locator(container).locator("button").filter(has_text=text)
    try:
        if "v-btn--active" in (button.first.get_attribute("class", timeout=3_000) or ""):
            return True
    except PlaywrightError:
        return False
    return _click_if_there(button)


def _gone(pg, selector: str, date: str) -> None:
    """Wait until ``selector`` left the page or the month changed (the answer was taken)."""
    try:
        pg.wait_for_function(
            "([s, d]) => !document.querySelector(s) "
            "|| document.querySelector('.sp-date').innerText.trim() !== d",
            arg=[selector, date],
            timeout=STEP_WAIT_MS,
        )
    except PlaywrightError:
        pass  # looked at again by the caller's loop


def _answer_session(pg, date: str) -> None:
    """Attend and accept (chosen: the card may preselect nothing), play the session, and
    wait until the page took it (no second click on a control the server has removed)."""
    if not _choose(pg, ".sp-attend", "attend"):
        return
    try:
        pg.wait_for_selector(".sp-respond", timeout=5_000)
    except PlaywrightError:
        return
    if not _choose(pg, ".sp-respond", "accept"):
        return
    try:
        pg.wait_for_selector(".sp-play-session:not([disabled])", timeout=5_000)
    except PlaywrightError:
        return
    if _click_if_there(pg.locator(".sp-play-session:not([disabled])")):
        _gone(pg, ".sp-play-session", date)


def _answer_phase(pg, date: str) -> None:
    if _click_if_there(pg.locator(".sp-impl-perform")):
        _gone(pg, ".sp-impl-perform", date)


def _speed_fastest(pg) -> None:
    field = pg.locator(".sp-speed")
    if field.count():
        _pick(pg, "months per second", "8")


@pytest.mark.browser
def test_a_seated_game_runs_to_the_debrief_without_a_disconnect(page):  # noqa: F811
    pg = page
    _pick(pg, "Take a seat", SEAT)
    _reset(pg)
    pg.wait_for_function(
        "s => { const e = document.querySelector('.sp-seat'); return e && e.innerText.includes(s); }",
        arg=SEAT,
        timeout=STEP_WAIT_MS * 2,
    )
    start = pg.evaluate(_STATE_JS)
    assert start["date"].startswith("Start "), start
    assert not start["lost"]
    reconnects0 = start["reconnects"]

    # A few months with Step: the latency from the click to the new month on screen.
    step_latency = []
    step = pg.get_by_role("button", name="Step", exact=True)
    while len(step_latency) < 4:
        state = pg.evaluate(_STATE_JS)
        if state["session"]:
            _answer_session(pg, state["date"])
        elif state["impl"]:
            _answer_phase(pg, state["date"])
        else:
            before = _date(pg)
            t0 = time.perf_counter()
            step.click()
            pg.wait_for_function(
                "b => document.querySelector('.sp-date').innerText.trim() !== b "
                "|| document.querySelector('.sp-play-session')",
                arg=before,
                timeout=STEP_WAIT_MS,
            )
            if _date(pg) != before:
                step_latency.append(time.perf_counter() - t0)
        pg.wait_for_function(
            "() => [...document.querySelectorAll('button')]"
            ".some(b => b.textContent.trim() === 'Step' && !b.disabled)",
            timeout=STEP_WAIT_MS,
        )

    # The rest of the window with ▶ at the fastest speed, prompts answered as they come.
    _speed_fastest(pg)
    pg.evaluate(_WATCH_MONTHS_JS)
    t_game = time.perf_counter()
    sessions = phases = 0
    seen_asking = None
    deadline = time.monotonic() + GAME_BUDGET_S
    while True:
        state = pg.evaluate(_STATE_JS)
        assert not state["lost"], "the page lost its session"
        k, n = _months(state["steps"])
        if k == n > 0 and state["debrief"]:
            break
        assert time.monotonic() < deadline, f"the game stalled at month {k} of {n}: {state}"
        if state["session"]:
            if seen_asking != ("session", state["date"]):
                seen_asking = ("session", state["date"])
                sessions += 1
            _answer_session(pg, state["date"])
        elif state["impl"]:
            if seen_asking != ("impl", state["date"]):
                seen_asking = ("impl", state["date"])
                phases += 1
            _answer_phase(pg, state["date"])
        elif not state["playing"] and 0 <= k < n:
            _click_if_there(pg.locator(".sp-play:not([disabled])"))
        pg.wait_for_timeout(150)
    game_s = time.perf_counter() - t_game
    end = pg.evaluate(_STATE_JS)
    marks = pg.evaluate("() => window.__spMonths")
    _shot(pg, "20-seated-game-debrief")

    # The debrief, the window's end, and one connection all along.
    text = pg.locator(".sp-debrief-text").first.inner_text()
    assert SEAT in text or SEAT in pg.locator(".sp-seat").first.inner_text()
    assert "history" in text.lower() and "agent" in text.lower(), text[:400]
    k, n = _months(end["steps"])
    assert k == n == 120
    assert sessions >= 3, (sessions, phases)
    assert end["reconnects"] == reconnects0, "Solara's client reconnected during the game"
    assert end["status"] in (None, "connected"), end["status"]
    assert pg.errors == [], pg.errors

    months_between = [(b[0] - a[0]) / 1000 for a, b in zip(marks, marks[1:], strict=False)]
    lines = [
        f"seated game ({SEAT}): {k} months, {sessions} sessions and {phases} phases answered, "
        f"{game_s:.1f} s with ▶ at 8 months/s (after {len(step_latency)} Steps)",
        f"Step click -> new month on screen: median {statistics.median(step_latency):.3f} s, "
        f"max {max(step_latency):.3f} s (n={len(step_latency)})",
    ]
    if months_between:
        lines.append(
            "month to month on screen while playing (incl. the teams' answers): median "
            f"{statistics.median(months_between):.3f} s, p90 {_quantile(months_between, 0.9):.3f} s "
            f"(n={len(months_between)})"
        )
    print("\n" + "\n".join(lines))
    (ARTIFACTS / "seated-game-latency.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
