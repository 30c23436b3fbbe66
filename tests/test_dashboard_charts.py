"""The dashboard's live charts (sixparty.dashboard_charts): updated in place, drawn as a fresh one.

The pixels of a chart carried month by month (its background drawn once, the
moving artists blitted over it) must be those of a chart drawn from scratch at
the same month; a chart whose data did not change is not drawn again; the page
(rendered in a Solara virtual kernel, no browser) sends new images when the
model steps.
"""

from __future__ import annotations

import io

import numpy as np
import pytest

pytest.importorskip("solara")
pytest.importorskip("mesa.visualization")

import sixparty.app as app  # noqa: E402
from PIL import Image  # noqa: E402
from sixparty import dashboard_charts as charts  # noqa: E402

KINDS = [charts.PositionsChart, charts.TrustChart, charts.LedgerChart, charts.TimelineChart]


def _make(kind, lang="en"):
    extra = {"record_rows": app._RECORD_ROWS["en"]} if kind is charts.TimelineChart else {}
    return kind(lang, app._words(lang), **extra)


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)


@pytest.fixture
def model():
    m = app.ClassroomModel(scenario="historical")
    yield m
    m.retire()


def test_a_chart_carried_month_by_month_shows_what_a_fresh_one_draws(model):
    live = [_make(k) for k in KINDS]
    seen = {k.__name__: set() for k in KINDS}
    for month in range(model.n_months):
        for chart in live:
            seen[type(chart).__name__].add(chart.png(model))
        if month in (20, 55, 119):  # before and after sessions, phases and pledges
            for chart in live:
                fresh = _make(type(chart)).png(model)
                diff = np.abs(_pixels(chart.png(model)) - _pixels(fresh))
                assert diff.max() == 0, (type(chart).__name__, month, int((diff > 0).sum()))
        model.step()
    # every chart changed over the run (the ledger and the timeline: month after month)
    assert all(len(v) > 5 for v in seen.values()), {k: len(v) for k, v in seen.items()}
    assert len(seen["TimelineChart"]) > 100


def test_the_background_is_drawn_once_and_the_moving_artists_blitted(model):
    positions, ledger = _make(charts.PositionsChart), _make(charts.LedgerChart)
    tops = set()
    for _ in range(model.n_months):
        model.step()
        positions.png(model)
        ledger.png(model)
        tops.add(ledger.background_key(model))
    assert positions.draws == 1 and positions.blits > 50
    # the ledger redraws its frame only when the aid axis or the facilities' states change
    assert ledger.draws == len(tops) < 20 and ledger.blits > 100


def test_unchanged_data_is_not_drawn_again(model):
    trust = _make(charts.TrustChart)
    model.step()
    first = trust.png(model)
    draws, blits = trust.draws, trust.blits
    assert trust.png(model) is first  # same month: the same bytes, nothing drawn
    assert (trust.draws, trust.blits) == (draws, blits)
    other = app.ClassroomModel(scenario="historical")  # a new model (Reset): drawn again
    try:
        other.step()
        trust.png(other)
        assert trust.blits == blits + 1
    finally:
        other.retire()


def test_a_new_window_rebuilds_the_frame():
    ledger = _make(charts.LedgerChart)
    a = app.ClassroomModel(scenario="historical")
    b = app.ClassroomModel(scenario="counterfactuals/no_seoul_hardline_2008")
    try:
        a.step()
        b.step()
        fig_a = (ledger.png(a), ledger.fig)[1]
        ledger.png(b)
        assert (ledger.fig is fig_a) == (ledger.frame_key(a) == ledger.frame_key(b))
    finally:
        a.retire()
        b.retire()


def test_the_figure_functions_give_complete_figures_at_projector_type(model):
    for _ in range(40):
        model.step()
    for fig in (
        app.positions_figure(model),
        app.trust_figure(model, "zh"),
        app.ledger_figure(model),
        app.timeline_figure(model, app._RECORD_ROWS["en"]),
    ):
        assert fig.dpi == app._DPI and app.FONT_PT * app._DPI / 72 >= 15
        artists = [a for ax in fig.axes for a in ax.get_children()]
        assert not any(a.get_animated() for a in artists)  # drawn by savefig like any figure
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        assert buf.getvalue().startswith(b"\x89PNG")
    zh = app.positions_figure(model, "zh")
    labels = [t.get_text() for t in zh.axes[0].get_yticklabels()]
    assert "无核化" in labels


def test_the_page_sends_new_chart_images_when_the_model_steps():
    import ipywidgets
    import solara
    from solara.server import kernel as skernel
    from solara.server import kernel_context

    ctx = kernel_context.VirtualKernelContext(
        id="test-dashboard-charts", kernel=skernel.Kernel(), session_id="test-session"
    )
    with ctx:
        m = app.ClassroomModel(scenario="historical")
        model = solara.reactive(m)
        _box, rc = solara.render(app.Dashboard(model), handle_error=False)
        try:
            images = rc.find(ipywidgets.Image).widgets
            assert len(images) == 4  # positions, trust, ledger, timeline
            before = [w.value for w in images]
            for _ in range(3):
                m.step()
                app.force_update()
            after = [w.value for w in rc.find(ipywidgets.Image).widgets]
            assert sum(a != b for a, b in zip(before, after, strict=True)) >= 3
            assert all(bytes(a).startswith(b"\x89PNG") for a in after)
        finally:
            rc.close()
            m.retire()


def test_every_party_keeps_its_colour_and_the_last_text_has_none_of_theirs(model):
    """The ROK's dots are its colour, and the last text's bars are a colour no party has
    (black is the ROK's: the bars used to be black too)."""
    from matplotlib.colors import to_hex

    for _ in range(6):
        model.step()
    fig = app.positions_figure(model)
    handles, labels = fig.axes[0].get_legend_handles_labels()
    colour = {lab: to_hex(h.get_facecolor()[0]) for h, lab in zip(handles, labels, strict=True)}
    assert colour["ROK"] == to_hex(charts.PARTY_COLORS[charts.PARTIES.index("ROK")])
    assert to_hex(charts.TEXT_COLOR) == colour["last text"]
    assert colour["last text"] not in {to_hex(c) for c in charts.PARTY_COLORS}


def test_parties_at_the_same_position_spread_up_and_down_their_row(model):
    """China, ROK, Japan and Russia all at 0.90 showed as one dot (a tester's projector):
    coincident parties are spread around the issue's row, in the parties' order; a party
    alone stays on the row."""
    pos = np.full((6, 2), 0.1)
    pos[:, 0] = [0.05, 0.5, 0.9, 0.9, 0.9, 0.905]  # DPRK, US alone; four together
    pos[:, 1] = [0.1, 0.3, 0.5, 0.7, 0.9, 1.0]  # nobody together
    rows = charts.spread_rows(pos)
    step = charts.COINCIDENT_STEP
    assert rows[0, 0] == rows[1, 0] == 0.0
    assert list(rows[2:, 0]) == pytest.approx([-1.5 * step, -0.5 * step, 0.5 * step, 1.5 * step])
    assert list(rows[:, 1]) == [1.0] * 6
    assert np.all(np.abs(charts.spread_rows(np.full((6, 9), 0.4)) - np.arange(9)) < 0.5)
    chart = _make(charts.PositionsChart)
    model.pos[0, 2:, 0] = 0.9  # China, ROK, Japan, Russia on the first issue
    chart.png(model)
    ys = [dots.get_offsets()[0, 1] for dots in chart._dots]
    assert len(set(ys[2:])) == 4 and max(abs(y) for y in ys) < 0.5  # within the row
