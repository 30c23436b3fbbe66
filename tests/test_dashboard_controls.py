"""The dashboard's time controls (sixparty.dashboard_controls), rendered without a browser.

Step computes in the background with every button disabled and the busy sign
up meanwhile; ▶ plays months at the speed set in months per second, waits at a
seat's prompt and goes on once the orders are given; ❚❚ stops it; Reset builds
a new model from the sidebar's values.  No assertion on durations: the tests
wait for states (with generous timeouts) and never time the machine.
"""

from __future__ import annotations

import os
import threading
import time

import pytest

pytest.importorskip("solara")
pytest.importorskip("mesa.visualization")
# Solara's server patches (imported below: threads started from a page's code run in
# that page's kernel context, as the controls' tasks do under ``solara run``) would pick
# their own matplotlib backend without this.
os.environ.setdefault("MPLBACKEND", "Agg")
import ipyvuetify as v  # noqa: E402
import sixparty.app as app  # noqa: E402
import solara  # noqa: E402
import solara.server.app  # noqa: E402, F401
from sixparty import dashboard_controls as controls  # noqa: E402
from solara.server import kernel as skernel  # noqa: E402
from solara.server import kernel_context  # noqa: E402

WAIT_S = 60.0


def _until(predicate, timeout: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("the state was not reached in time")
        time.sleep(0.02)


@pytest.fixture
def page():
    """PlayControls for a model in a Solara virtual kernel: (model reactive, params, rc)."""
    ctx = kernel_context.VirtualKernelContext(
        id="test-dashboard-controls", kernel=skernel.Kernel(), session_id="test-session"
    )
    with ctx:
        model = solara.reactive(app.ClassroomModel(scenario="historical"))
        params = solara.reactive({"scenario": "historical"})
        _box, rc = solara.render(controls.PlayControls(model, params, "en"), handle_error=False)
        try:
            yield model, params, rc
        finally:
            model.value.retire()
            rc.close()
            ctx.close()


def _button(rc, label: str):
    return rc.find(v.Btn, children=[label]).widget


def test_step_computes_in_the_background_with_the_buttons_disabled(page):
    model, _params, rc = page
    m = model.value
    release = threading.Event()
    real_step = m.step

    def slow_step():
        release.wait(WAIT_S)
        real_step()

    m.step = slow_step
    _button(rc, "Step").click()
    _until(lambda: controls.BUSY.value > 0)
    for label in ("Reset", "▶", "Step"):
        _until(lambda label=label: _button(rc, label).disabled)
    _until(lambda: rc.find(v.ProgressLinear).widgets)  # the busy sign
    assert len(m.timeline) == 0
    release.set()
    _until(lambda: len(m.timeline) == 1 and not _button(rc, "Step").disabled)
    _until(lambda: not rc.find(v.ProgressLinear).widgets)
    assert controls.BUSY.value == 0


def test_play_advances_months_then_pause_stops_it(page):
    model, _params, rc = page
    m = model.value
    speed = rc.find(v.Select).widget
    assert "months per second" in speed.label
    assert speed.items == ["0.5", "1", "2", "4", "8"] and speed.v_model == "2"
    speed.v_model = "8"
    _button(rc, "▶").click()
    _until(lambda: rc.find(v.Btn, children=["❚❚"]).widgets)
    assert _button(rc, "Step").disabled and _button(rc, "Reset").disabled
    _until(lambda: len(m.timeline) >= 3)
    _button(rc, "❚❚").click()
    _until(lambda: rc.find(v.Btn, children=["▶"]).widgets)
    stopped = len(m.timeline)
    time.sleep(0.6)  # a few months' worth at 8 months/s: none may come
    assert len(m.timeline) <= stopped + 1  # at most the month being computed at the click
    assert not _button(rc, "Step").disabled


def test_play_waits_at_a_seat_prompt_and_goes_on_after_the_orders(page):
    model, params, rc = page
    params.value = {"scenario": "historical", "seat": "Japan"}
    _button(rc, "Reset").click()
    _until(lambda: getattr(model.value, "seat", None) == "Japan")
    m = model.value
    rc.find(v.Select).widget.v_model = "8"
    _button(rc, "▶").click()
    _until(lambda: m.awaiting is not None)
    asked = len(m.timeline)
    _until(lambda: rc.find(v.Html, class_="sp-play-waiting").widgets)
    time.sleep(0.6)
    assert len(m.timeline) == asked  # no month while the team decides
    aw = m.awaiting
    if aw["kind"] == "session":
        m.give_session_orders("Japan", True, "accept")
    else:
        m.give_implementation_order("Japan", "perform")
    _until(lambda: len(m.timeline) > asked)  # ▶ went on by itself
    _button(rc, "❚❚").click()


def test_reset_builds_a_new_model_from_the_sidebar(page):
    model, params, rc = page
    first = model.value
    first.step()
    params.value = {"scenario": "counterfactuals/no_seoul_hardline_2008"}
    _button(rc, "Reset").click()
    _until(lambda: model.value is not first)
    assert model.value.scenario_name == "counterfactuals/no_seoul_hardline_2008"
    assert model.value.timeline == []
    first.retire()


def test_month_delay_keeps_the_speed_and_a_least_gap():
    assert controls.month_delay(2.0, 0.1) == pytest.approx(0.4)
    assert controls.month_delay(8.0, 0.5) == controls.MIN_GAP_S
    assert controls.month_delay(0.5, 0.0) == pytest.approx(2.0)


def test_the_controls_speak_both_languages():
    assert set(controls.WORDS["en"]) == set(controls.WORDS["zh"])
    assert "每秒" in controls.word("speed", "zh")
    assert controls.word("busy", "fr") == controls.word("busy", "en")


def test_play_waits_for_the_browsers_confirmation_only_from_a_page_that_confirms():
    painted = controls._Painted()
    assert painted.wait_for(5, timeout=10.0) is False  # no browser has confirmed: no wait
    painted.set(4)
    threading.Timer(0.05, painted.set, args=(5,)).start()
    assert painted.wait_for(5, timeout=WAIT_S) is True  # released by the confirmation
    assert painted.wait_for(9, timeout=0.01) is False  # a page that stops confirming ...
    assert not painted.live  # ... is not waited for again until it confirms
    painted.set(9)
    assert painted.live and painted.wait_for(9, timeout=0.0)


def test_play_stops_when_a_step_computes_nothing(page):
    """A model kept by a game whose page session closed steps nothing: ▶ stops, no spinning."""
    model, _params, rc = page
    m = model.value
    calls = []
    m.step = lambda: calls.append(1)  # no month, no prompt
    _button(rc, "▶").click()
    _until(lambda: calls)
    _until(lambda: rc.find(v.Btn, children=["▶"]).widgets and not _button(rc, "▶").disabled)
    time.sleep(0.3)
    assert len(calls) == 1 and m.timeline == []


def test_the_chinese_controls_and_page_name_no_english_button():
    """The zh page showed Reset, ▶ and Step in English and told the reader to press them."""
    import re

    assert controls.word("reset", "zh") == "重置" and controls.word("step", "zh") == "前进一个月"
    assert controls.word("play", "zh").startswith("▶") and controls.word("play", "en") == "▶"
    assert not any(re.search("[A-Za-z]", w) for w in controls.WORDS["zh"].values())
    import sixparty.app as app

    assert not [k for k, t in app.UI["zh"].items() if "Reset" in t or "Step" in t]


def test_two_tabs_on_one_game_share_one_play_loop(page):
    """Two tabs on one game: ▶ in tab 2 then ▶ in tab 1 started a second loop (the game ran
    twice as fast) and tab 1 could not pause; one loop per game, either tab's ❚❚ stops it."""
    from sixparty.games import Game

    model, params, rc1 = page
    m = model.value
    game = Game(id="g", kind="solo", model=m)
    stepping = []  # threads that stepped the model
    real_step = m.step

    def tracked_step():
        stepping.append(threading.get_ident())
        real_step()

    m.step = tracked_step
    rc1.close()
    playing1, playing2 = solara.reactive(False), solara.reactive(False)
    _b1, rc1 = solara.render(
        controls.PlayControls(model, params, "en", playing=playing1, shared=game),
        handle_error=False,
    )
    _b2, rc2 = solara.render(
        controls.PlayControls(model, params, "en", playing=playing2, shared=game),
        handle_error=False,
    )
    try:
        rc1.find(v.Select).widget.v_model = "8"
        rc2.find(v.Select).widget.v_model = "8"
        _button(rc2, "▶").click()
        _until(lambda: len(m.timeline) >= 2)
        assert game.playing and game.player is not None
        _button(rc1, "▶").click()  # tab 1 (its button still ▶ until its page polls)
        _until(lambda: len(m.timeline) >= 6)
        assert len(set(stepping)) == 1, "two loops stepped the one game"
        _button(rc1, "❚❚").click()  # tab 1 pauses the loop tab 2 started
        _until(lambda: game.player is None)
        stopped = len(m.timeline)
        time.sleep(0.6)
        assert len(m.timeline) == stopped and not game.playing
    finally:
        game.solo_play(False)
        rc2.close()
        rc1.close()


def test_a_game_gives_its_play_loop_to_one_page_at_a_time():
    from sixparty.games import Game

    for state in (Game(id="g", kind="solo", model=None), controls.PagePlay()):
        tab1, tab2 = object(), object()
        assert not state.claim_play(tab2)  # not playing: no loop
        state.solo_play(True)
        assert state.claim_play(tab2) and not state.claim_play(tab1)
        assert state.keep_playing(tab2)
        state.solo_play(False)  # ❚❚ in tab 1
        assert not state.keep_playing(tab2) and state.player is None
        state.solo_play(True)  # ▶ in tab 1 after tab 2's loop left: tab 1's loop plays
        assert state.claim_play(tab1) and not state.keep_playing(tab2)
        state.release_play(tab1)
        assert state.player is None
