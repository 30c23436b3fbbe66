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
  months).  While ▶ plays, Step and Reset are disabled and ▶ turns into ❚❚
  (pause), which stays live.  With seats, ▶ waits at each prompt (no month is
  computed, nothing is redrawn) and goes on once every seated team has given
  its orders; it stops at the window's end.
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

import solara

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

#: The controls' words (the page's others are in :data:`sixparty.app.UI`).
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "reset": "Reset",
        "step": "Step",
        "speed": "Speed of ▶ (months per second)",
        "busy": "Computing…",
        "waiting": "▶ waits for the seated teams' orders",
    },
    "zh": {
        "reset": "Reset",
        "step": "Step",
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
):
    """Reset, ▶/❚❚, Step and the speed of ▶ (see the module's docstring).

    model: the page's reactive model (Reset replaces its value); model_parameters:
    the sidebar's values (keyword arguments of the model's class); on_month: called
    after each computed month to redraw the page (default: Mesa's ``force_update``).
    """
    from mesa.visualization.utils import force_update, update_counter

    update_counter.get()  # drawn again with the page (the step counter, a prompt while ▶)
    redraw = on_month or force_update
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(_speed_text(DEFAULT_SPEED))
    m = model.value

    def one_month():
        with busy():
            model.value.step()
            redraw()

    step_task = solara.lab.use_task(one_month, dependencies=None)

    def reset():
        playing.set(False)
        with busy():
            model.value = model.value.__class__(**model_parameters.value)

    reset_task = solara.lab.use_task(reset, dependencies=None)

    def play_loop():
        # Not marked busy: ▶ turning into ❚❚ is the sign, and the seats' buttons stay live.
        current = model.value
        while playing.value and model.value is current and current.running:
            if _waiting_for_seats(current):
                time.sleep(PROMPT_POLL_S)  # the seat's own button plays that month
                continue
            t0 = time.monotonic()
            before = _month_count(current)
            current.step()
            if _month_count(current) != before or _waiting_for_seats(current):
                redraw()  # the new month, or the seat's prompt that stopped it
            time.sleep(month_delay(float(speed.value), time.monotonic() - t0))
        if playing.value and (model.value is not current or not current.running):
            playing.set(False)  # the window is over (or the model was replaced)

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
            label="❚❚" if playing.value else "▶",
            color="primary",
            on_click=lambda: playing.set(not playing.value),
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


__all__ = [
    "BUSY",
    "BusyLine",
    "DEFAULT_SPEED",
    "MIN_GAP_S",
    "PROMPT_POLL_S",
    "PlayControls",
    "SPEEDS",
    "WORDS",
    "busy",
    "month_delay",
    "word",
]
