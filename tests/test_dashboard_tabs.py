"""Two tabs on one game, without a browser: a page never reads the model while another
tab's thread steps it (the model's ``step_lock``), and a page that adopts the game's
model takes its sidebar values.  No durations are asserted: the tests wait for states."""

from __future__ import annotations

import os
import threading

import pytest

pytest.importorskip("solara")
os.environ.setdefault("MPLBACKEND", "Agg")
import sixparty.app as app  # noqa: E402
from sixparty.runner import tables as run_tables  # noqa: E402

WAIT_S = 60.0


@pytest.fixture
def model():
    m = app.ClassroomModel(scenario="historical", seat="none")
    try:
        yield m
    finally:
        m.retire()


def _in_thread(fn) -> threading.Thread:
    t = threading.Thread(target=fn, daemon=True)
    t.start()
    return t


def test_a_step_waits_for_a_page_reading_the_model(model):
    """A page drawing while another tab's ▶ stepped read half a month (TypeError in
    runner.tables); the step waits until the page has read its tables."""
    model.step()
    with app.reading(model):
        stepper = _in_thread(model.step)
        stepper.join(0.5)
        assert stepper.is_alive() and len(model.timeline) == 1  # not stepped meanwhile
        run_tables(model)
    stepper.join(WAIT_S)
    assert not stepper.is_alive() and len(model.timeline) == 2


def test_a_page_draws_only_between_two_months(model):
    """The status card's story waits while a step holds the model (another tab's ▶)."""
    model.step()
    story = []
    with model.step_lock:  # as a step holds it
        reader = _in_thread(lambda: story.append(app._story(model, "en")))
        reader.join(0.5)
        assert reader.is_alive() and not story
    reader.join(WAIT_S)
    assert story and story[0]


def test_stepping_and_drawing_in_two_threads_never_meet_a_half_month(model):
    """The tester's race: one thread steps, the other builds the tables the page draws."""
    errors: list[BaseException] = []
    done = threading.Event()

    def play():
        try:
            for _ in range(24):
                model.step()
        finally:
            done.set()

    def draw():
        while not done.is_set():
            try:
                with app.reading(model):
                    run_tables(model)
            except BaseException as exc:  # noqa: BLE001 - the test reports any
                errors.append(exc)
                return

    threads = [_in_thread(play), _in_thread(draw)]
    for t in threads:
        t.join(WAIT_S * 5)
    assert not errors, errors
    assert len(model.timeline) == 24


def test_a_snapshot_of_the_model_shares_its_lock(model):
    """The classroom's pages draw a copy (classroom_app._snapshot): copying must not fail
    on the lock, and the copy is read under the same lock."""
    from sixparty.classroom_app import _snapshot

    model.step()
    twin = _snapshot(model)
    assert twin.step_lock is model.step_lock and len(twin.timeline) == 1


def test_a_tab_adopting_the_games_model_takes_its_sidebar_values_and_play_state(model):
    """Tab 1 set Noise 0.10 and Reset; tab 2 adopted the model but its sidebar still said
    0.05, and a Reset there dropped the 0.10.  The adopting tab takes the game's values."""
    import types

    import solara
    from sixparty.games import Game

    game = Game(id="g", kind="solo", model=model)
    page_model = solara.reactive(model)
    params = solara.reactive({"scenario": "historical", "noise": 0.05})
    playing = solara.reactive(False)
    drawn = types.SimpleNamespace(current=0)
    known = app.follow_game(game, page_model, params, playing, drawn, model)
    assert known is model and params.value["noise"] == 0.05  # nothing changed: nothing taken
    reset = app.ClassroomModel(scenario="historical", seat="none", noise=0.10)
    reset.sidebar_params = {"scenario": "historical", "noise": 0.10}  # as tab 1's Reset keeps
    try:
        game.replace_model(reset)
        known = app.follow_game(game, page_model, params, playing, drawn, known)
        assert page_model.value is reset and known is reset
        assert params.value == {"scenario": "historical", "noise": 0.10}
        assert app.model_params("historical", "en", params.value)["noise"]["label"] == (
            "Noise: 0.10"
        )
        game.solo_play(True)  # ▶ in the other tab: this tab shows ❚❚
        app.follow_game(game, page_model, params, playing, drawn, known)
        assert playing.value is True
        game.solo_play(False)
        app.follow_game(game, page_model, params, playing, drawn, known)
        assert playing.value is False
    finally:
        reset.retire()
