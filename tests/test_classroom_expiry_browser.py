"""The teacher's projected page follows a countdown that runs out, by itself (Chromium).

A tester saw the teacher's page keep ``Waiting for: … — 1 s left`` and the teams
table at ``0 (0)`` after the countdown had run out and the agent had played the
team's move (the team's page had moved on); only a reload showed the month.  Here
one team takes the DPRK and never moves; the teacher presses Step until the
session waits for it, then the teacher's page, untouched, must show "Nobody to
wait for" and the agent's move in the teams table (docs/classroom.md, "Timing").
"""

from __future__ import annotations

import pytest
from test_classroom_browser import _join, _page, browser, classroom_server  # noqa: F401
from test_dashboard_browser import STEP_WAIT_MS

COUNTDOWN_S = 10


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    yield from classroom_server(tmp_path_factory, "classroom-expiry", COUNTDOWN_S)


def _text(pg, css: str) -> str:
    return pg.evaluate(f"() => document.querySelector('{css}')?.innerText || ''")


@pytest.mark.browser
def test_the_teachers_page_redraws_when_the_countdown_runs_out(classroom, browser):  # noqa: F811
    url, st = classroom["url"], classroom["settings"]
    errors: list[str] = []
    teacher = _page(browser, f"{url}?teacher={st.teacher_key}", errors)
    teacher.wait_for_selector(".sp-teacher-step", timeout=60_000)
    team = _page(browser, url, errors, width=900)
    _join(team, st.code, "Team C")
    team.locator(".sp-take-DPRK").click()
    team.wait_for_selector(".sp-seat", timeout=STEP_WAIT_MS)
    teacher.wait_for_function(
        "() => (document.querySelector('.sp-teams')?.innerText || '').includes('DPRK')",
        timeout=STEP_WAIT_MS,
    )
    # Step until a session waits for the team (the teacher's page says whom it waits for).
    for _ in range(12):
        before = _text(teacher, ".sp-steps")
        teacher.locator(".sp-teacher-step:not([disabled])").click(timeout=STEP_WAIT_MS)
        teacher.wait_for_function(
            "(before) => (document.querySelector('.sp-waiting')?.innerText || '').includes('Team C')"
            " || (document.querySelector('.sp-steps')?.innerText || '') !== before",
            arg=before,
            timeout=STEP_WAIT_MS,
        )
        if "Team C" in _text(teacher, ".sp-waiting"):
            break
    else:
        pytest.fail("no session waited for the team in 12 months")
    month = _text(teacher, ".sp-steps")
    # The team does not move: the countdown runs out, the agent plays, the month is played.
    teacher.wait_for_function(
        "() => (document.querySelector('.sp-waiting')?.innerText || '').includes('Nobody')",
        timeout=COUNTDOWN_S * 1000 + STEP_WAIT_MS,
    )
    teacher.wait_for_function(
        "() => (document.querySelector('.sp-teams')?.innerText || '').includes('1 (1)')",
        timeout=STEP_WAIT_MS,
    )
    assert _text(teacher, ".sp-steps") != month
    rows = _text(teacher, ".sp-teams")
    assert any(v in rows for v in ("reject", "accept", "amend", "boycott")), rows  # the agent's
    assert errors == []
