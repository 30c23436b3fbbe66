"""The dashboard's time controls: Reset, ▶/❚❚, Step, the speed of ▶ in months per second, busy.

Used by :mod:`sixparty.app` in place of Mesa's ``ModelController`` (whose play
interval is a delay in milliseconds added to the month's own computing time,
and whose Step runs in the click's handler with the button still live).

:func:`PlayControls` (a Solara component):

* **Step** computes one month in a background thread (``solara.lab.use_task``);
  while it runs, Reset, ▶ and Step are disabled and the busy line is shown.
* **▶** plays one month per ``1 / speed`` seconds, the speed chosen by the
  teacher in months per second (:data:`SPEEDS`, default
  :data:`DEFAULT_SPEED`); when computing and drawing a month takes longer than
  that, the next month follows :data:`MIN_GAP_S` after it (the page stays
  responsive: the pause button and the seat's buttons are answered between
  months).  ▶ never runs ahead of the browser: before computing a month it
  waits (at most :data:`PAINT_WAIT_S`) until the page has confirmed the month
  before last (:class:`PaintAck`), so a slow browser or network cannot pile
  months up on the websocket (a backlog that grows until the connection is
  dropped and the session lost).  While ▶ plays, Step and Reset are disabled and ▶ turns into ❚❚
  (pause), which stays live.  With seats, ▶ waits at each prompt (no month is
  computed, nothing is redrawn) and goes on once every seated team has given
  its orders; it stops at the window's end, and when a step computes nothing
  (the model retired, or the page's session closed: a game's model kept on the
  server is then stepped by the page that reconnected, not by this loop).
* **Reset** builds the model from the sidebar's parameters (SolaraViz's rule:
  parameters apply on Reset) in a background thread, busy meanwhile.

:data:`BUSY` counts the server jobs of a browser session (one Solara reactive
per session); :func:`busy` is the context manager that raises and lowers it,
for any handler that computes (e.g. a seat's "Play this session"), and
:func:`BusyLine` shows the sign (an indeterminate bar and "computing…").
Words in English and Chinese: :data:`WORDS`.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable

import ipyvue
import solara
import traitlets
from sixparty.games import PAINT_WAIT_S as _GAME_PAINT_WAIT_S

#: The speeds of ▶ offered to the teacher, in months per second.
SPEEDS: list[float] = [0.5, 1.0, 2.0, 4.0, 8.0]
#: The speed at start (a year of talks in six seconds).
DEFAULT_SPEED = 2.0
#: Least pause between two months while playing, in seconds (even when a month takes
#: longer to compute and draw than the speed allows): the browser gets the month's
#: images and the teacher's pause click is handled between months.
MIN_GAP_S = 0.05
#: Seconds between two looks at a seat prompt while ▶ waits for the teams' orders.
PROMPT_POLL_S = 0.25
#: Longest wait, in seconds, for the browser to confirm it has received the month before
#: last before ▶ computes the next (a page that never confirms, e.g. a hidden one, is not
#: waited for again until it does); the classroom teacher's ▶ waits as long
#: (:data:`sixparty.games.PAINT_WAIT_S`, the one value).
PAINT_WAIT_S = _GAME_PAINT_WAIT_S

#: The controls' words (the page's others are in :data:`sixparty.app.UI`).
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "reset": "Reset",
        "step": "Step",
        "play": "▶",
        "pause": "❚❚",
        "speed": "Speed of ▶ (months per second)",
        "busy": "Computing…",
        "waiting": "▶ waits for the seated teams' orders",
    },
    "zh": {
        "reset": "重置",
        "step": "前进一个月",
        "play": "▶ 播放",
        "pause": "❚❚ 暂停",
        "speed": "▶ 的速度（每秒月数）",
        "busy": "计算中…",
        "waiting": "▶ 正在等待入座各队的决定",
    },
}

#: Server jobs running for this browser session (Solara keeps one value per session).
BUSY = solara.reactive(0)
_BUSY_LOCK = threading.Lock()


def word(key: str, lang: str = "en") -> str:
    """The control's word for ``key`` in ``lang`` (English when ``lang`` is unknown)."""
    return WORDS.get(lang, WORDS["en"])[key]


@contextlib.contextmanager
def busy():
    """Mark the page busy while the block runs (buttons disabled, the busy line shown)."""
    with _BUSY_LOCK:
        BUSY.value = BUSY.value + 1
    try:
        yield
    finally:
        with _BUSY_LOCK:
            BUSY.value = max(0, BUSY.value - 1)


class PaintAck(ipyvue.VueTemplate):
    """An invisible widget that tells the server which redraw the browser has taken in.

    ``frame`` goes to the browser with each redraw of the page; the browser sets
    ``painted`` to it after Vue has applied that redraw's changes (the widgets'
    messages are applied in order, so the charts of that frame are in the page).
    """

    template = traitlets.Unicode(
        """<template><span class="sp-paint-ack" style="display: none"></span></template>
<script>
module.exports = {
    mounted() { this.ack(this.frame); },
    watch: { frame(value) { this.ack(value); } },
    methods: {
        ack(value) { this.$nextTick(() => setTimeout(() => { this.painted = value; }, 0)); },
    },
};
</script>"""
    ).tag(sync=True)
    frame = traitlets.Int(-1).tag(sync=True)
    painted = traitlets.Int(-1).tag(sync=True)


class _Painted:
    """The last frame the browser confirmed (:class:`PaintAck`), for ▶ to wait on."""

    def __init__(self) -> None:
        self.frame = -1
        self.live = False  # a browser has confirmed at least once (none in tests without one)
        self._cond = threading.Condition()

    def set(self, frame: int) -> None:
        with self._cond:
            self.frame = int(frame)
            self.live = True
            self._cond.notify_all()

    def wait_for(self, frame: int, timeout: float) -> bool:
        """Wait until the browser confirmed ``frame`` (True) or ``timeout`` s passed (False)."""
        if not self.live:
            return False
        with self._cond:
            done = self._cond.wait_for(lambda: self.frame >= frame, timeout)
        if not done:
            self.live = False  # stop waiting for a page that does not answer (hidden, slow)
        return done


def _waiting_for_seats(m) -> bool:
    """True when the model's next step waits for a seated team's orders."""
    parties = getattr(m, "awaiting_parties", None)
    if callable(parties):
        return bool(parties())
    return bool(getattr(m, "awaiting", None))


def _month_count(m) -> int:
    return len(getattr(m, "timeline", ()))


def _speed_text(speed: float) -> str:
    """A speed as the select shows it: ``0.5``, ``1``, ``2`` ..."""
    return f"{speed:g}"


def month_delay(speed: float, elapsed: float) -> float:
    """Seconds to sleep after a month that took ``elapsed`` s, to play ``speed`` months/s.

    Never less than :data:`MIN_GAP_S`.
    """
    return max(MIN_GAP_S, 1.0 / max(speed, 1e-6) - elapsed)


class PagePlay:
    """The play state of a page alone on its model (the interface of a solo
    :class:`sixparty.games.Game`'s: ``playing``, ``solo_play``, ``claim_play``,
    ``keep_playing``, ``release_play``)."""

    def __init__(self) -> None:
        self.playing = False
        self.player: object | None = None
        self._lock = threading.Lock()

    def solo_play(self, on: bool) -> None:
        with self._lock:
            self.playing = bool(on)

    def claim_play(self, token: object) -> bool:
        with self._lock:
            if not self.playing or self.player not in (None, token):
                return False
            self.player = token
            return True

    def keep_playing(self, token: object) -> bool:
        with self._lock:
            if self.playing and self.player is token:
                return True
            if self.player is token:
                self.player = None
            return False

    def release_play(self, token: object) -> None:
        with self._lock:
            if self.player is token:
                self.player = None


@solara.component
def BusyLine(lang: str = "en", waiting: bool = False):
    """The busy sign: an indeterminate bar and "computing…" (or ▶ waiting for the seats)."""
    if BUSY.value > 0:
        with solara.Div(classes=["sp-busy"]):
            solara.ProgressLinear(True)
            solara.Text(word("busy", lang), style={"font-size": "17px", "color": "#555"})
    elif waiting:
        solara.Text(
            word("waiting", lang),
            classes=["sp-play-waiting"],
            style={"font-size": "17px", "color": "#8a4b00"},
        )


@solara.component
def PlayControls(
    model: solara.Reactive,
    model_parameters: solara.Reactive,
    lang: str = "en",
    on_month: Callable[[], None] | None = None,
    playing: solara.Reactive | None = None,
    shared: object | None = None,
):
    """Reset, ▶/❚❚, Step and the speed of ▶ (see the module's docstring).

    model: the page's reactive model (Reset replaces its value); model_parameters:
    the sidebar's values (keyword arguments of the model's class); on_month: called
    after each computed month to redraw the page (default: Mesa's ``force_update``);
    playing: the page's ▶/❚❚ state (default: this component's own); shared: the play
    state of a game several tabs show (:meth:`sixparty.games.Game.solo_play`,
    ``claim_play``, ``keep_playing``, ``release_play``; default: this page's alone),
    so one ▶ loop plays the game and any tab's ❚❚ pauses it.
    """
    from mesa.visualization.utils import force_update, update_counter

    frame = update_counter.get()  # drawn again with the page (a prompt while ▶, the ack)
    redraw = on_month or force_update
    own_playing = solara.use_reactive(False)
    playing = own_playing if playing is None else playing
    alone = solara.use_memo(PagePlay, [])
    play_state = alone if shared is None else shared
    token = solara.use_memo(object, [])  # this page, as the owner of a ▶ loop

    def set_playing(on: bool) -> None:
        play_state.solo_play(on)
        playing.set(on)

    speed = solara.use_reactive(_speed_text(DEFAULT_SPEED))
    m = model.value
    painted = solara.use_memo(_Painted, [])

    def one_month():
        with busy():
            model.value.step()
            redraw()

    step_task = solara.lab.use_task(one_month, dependencies=None)

    def reset():
        set_playing(False)
        with busy():
            model.value = model.value.__class__(**model_parameters.value)

    reset_task = solara.lab.use_task(reset, dependencies=None)

    def play_loop():
        # Not marked busy: ▶ turning into ❚❚ is the sign, and the seats' buttons stay live.
        if not playing.value or not play_state.claim_play(token):
            return  # paused, or another tab's loop already plays this game
        try:
            _play(model.value)
        finally:
            play_state.release_play(token)

    def _play(current):
        stalled = False
        while play_state.keep_playing(token) and model.value is current and current.running:
            if _waiting_for_seats(current):
                time.sleep(PROMPT_POLL_S)  # the seat's own button plays that month
                continue
            t0 = time.monotonic()
            before = _month_count(current)
            current.step()
            if _month_count(current) == before and not _waiting_for_seats(current):
                # No month and no prompt: the model was retired, or this page's session
                # closed (a model kept by a game waits for the page that steps it now).
                stalled = True
                break
            redraw()  # the new month, or the seat's prompt that stopped it
            # Backpressure: no month more while the browser is still taking in the
            # one before last (months would queue up on the websocket otherwise).
            painted.wait_for(update_counter.value - 1, PAINT_WAIT_S)
            time.sleep(month_delay(float(speed.value), time.monotonic() - t0))
        over = model.value is not current or not current.running
        if stalled or (play_state.playing and over):
            with contextlib.suppress(Exception):  # a closed session has no page to tell
                set_playing(False)  # the window is over (or the model was replaced)

    solara.lab.use_task(play_loop, dependencies=[playing.value])

    working = step_task.pending or reset_task.pending or BUSY.value > 0

    def click(task):
        return lambda: None if (step_task.pending or reset_task.pending) else task()

    with solara.Row(justify="space-between", classes=["sp-controls"]):
        solara.Button(
            label=word("reset", lang),
            color="primary",
            on_click=click(reset_task),
            disabled=working or playing.value,
            classes=["sp-reset"],
        )
        solara.Button(
            label=word("pause" if playing.value else "play", lang),
            color="primary",
            on_click=lambda: set_playing(not playing.value),
            disabled=(working or not m.running) and not playing.value,
            classes=["sp-play"],
        )
        solara.Button(
            label=word("step", lang),
            color="primary",
            on_click=click(step_task),
            disabled=working or playing.value or not m.running,
            classes=["sp-step"],
        )
    solara.Select(
        label=word("speed", lang),
        values=[_speed_text(v) for v in SPEEDS],
        value=speed.value,
        on_value=lambda v: speed.set(v or _speed_text(DEFAULT_SPEED)),
        classes=["sp-speed"],
    )
    BusyLine(lang, waiting=playing.value and _waiting_for_seats(m))
    PaintAck.element(frame=frame, on_painted=painted.set)


__all__ = [
    "BUSY",
    "BusyLine",
    "DEFAULT_SPEED",
    "MIN_GAP_S",
    "PAINT_WAIT_S",
    "PROMPT_POLL_S",
    "PagePlay",
    "PaintAck",
    "PlayControls",
    "SPEEDS",
    "WORDS",
    "busy",
    "month_delay",
    "word",
]
