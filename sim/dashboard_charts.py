"""The dashboard's four charts, kept alive and updated in place between months.

Used by :mod:`sixparty.app` (the classroom page).  Each chart is a matplotlib
figure on an Agg canvas that is **built once** (per language and scenario window)
and then, month after month, **updated in place**: the artists that move
(:meth:`LiveChart.dynamic`: the parties' dots, the trust cells, the ledger's
lines, the timeline's markers and its "now" line) get new data through
``set_offsets`` / ``set_data`` / ``set_text``; everything else (axes, ticks,
labels, legends, the historical record's row) is drawn once into a background
that is restored pixel for pixel before the moving artists are drawn over it
(blitting).  The layout (matplotlib's constrained layout) is computed when the
background is drawn and then frozen; a chart whose frame must change (the
ledger's aid axis grows, the facilities' states change) draws its background
again.  The PNG is encoded from the Agg buffer with Pillow at a low compression
level, and :meth:`LiveChart.png` returns the bytes of the previous call when the
model's data the chart shows have not changed (:meth:`LiveChart.signature`).

Why matplotlib kept alive rather than Altair/Vega-Lite (``solara.FigureAltair``)
or rebuilt figures: measured with ``benchmarks/bench_dashboard.py`` on the
project's shared 2-core machine, rebuilding the four figures and saving them as
PNG cost 0.7-1.2 s of server CPU per month (constrained layout and text layout
on every save: 85 % of the page's re-render); kept alive and blitted they cost a
few hundredths of a second (see ``benchmarks/README.md``).  Solara's
Vega-Lite widget loads vega, vega-lite and vega-embed from a CDN in the
browser, which a classroom network may block and an offline laptop does not
have; it also re-embeds the whole specification on every change.  PNGs from the
server need nothing from outside, keep the run figures' look
(:mod:`sixparty.analysis.plots` colours, viridis trust) and draw Chinese labels
with the CJK font the CLI's figures use.

Sizes are for a projector: chart type :data:`FONT_PT` points at :data:`DPI` dots
per inch (15.6 px on the page; ≥ 14 px when the browser shrinks a figure to
90 %), titles :data:`TITLE_PT`.  Words come from the page (a ``words(key) ->
str`` function, :func:`sixparty.app.ui` in the page's language) and
:func:`sixparty.analysis.i18n.label`.

Thread safety: the page renders from Solara's threads (one per browser session,
and the play loop's); drawing is serialised by one module lock, and each
browser session has its own chart objects.
"""

from __future__ import annotations

import io
import textwrap
import threading
import weakref
from collections.abc import Callable

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from sixparty.analysis.i18n import label as i18n_label
from sixparty.analysis.i18n import use_lang_font
from sixparty.analysis.plots import DOC_COLORS as _PLOT_DOC_COLORS
from sixparty.analysis.plots import PARTY_COLORS as _PLOT_PARTY_COLORS
from sixparty.scenario import ISSUES, PARTIES, month_label

#: Dots per inch of the page's charts.
DPI = 80
#: Chart type in points: 14 pt at 80 dpi is 15.6 px on the page, so it stays ≥ 14 px when
#: the browser shrinks a figure to 90 % to fit (a projector needs large type); titles 17 pt.
FONT_PT = 14
TITLE_PT = 17
#: zlib level of the PNGs sent to the page (1: fastest; the charts are flat colour, so
#: the files are only ~5 % larger than at the default level 6).
PNG_COMPRESS_LEVEL = 1

#: Characters per line of the ledger's facilities line (8 inches of 14 pt type).
FACILITY_LINE_CHARS = 64

#: The parties' colours (colour-blind-safe, as the run figures), in PARTIES order.
PARTY_COLORS = [_PLOT_PARTY_COLORS[p] for p in PARTIES]
#: The last text's bars on the positions chart: a mid grey, the colour of no party (black
#: is the ROK's: its dots must not read as the text).
TEXT_COLOR = "#8c8c8c"
#: Document colours of the timeline (the run figures'), and a boycotted session's.
DOC_COLORS = {**_PLOT_DOC_COLORS, "boycott": "#e6550d"}

_DRAW_LOCK = threading.RLock()  # matplotlib's text and font caches are shared by all figures

Words = Callable[[str], str]


class LiveChart:
    """One chart of the page, kept alive across months (subclasses draw the four charts).

    ``png(model) -> bytes``: the chart for the model's current month as PNG.
    ``figure(model) -> Figure``: the same chart as a complete matplotlib figure
    (every artist drawn normally; for scripts and tests).
    Subclasses define :meth:`_build` (static artists; return the moving ones),
    :meth:`_update` (new data for the moving ones), :meth:`signature` (what the
    chart shows, cheap to compute) and, when needed, :meth:`frame_key` (what the
    figure's frame depends on: a change rebuilds it) and :meth:`background_key`
    (what the background depends on: a change redraws it).
    """

    size: tuple[float, float] = (8.0, 5.4)

    def __init__(self, lang: str = "en", words: Words | None = None) -> None:
        self.lang = lang
        self.words: Words = words or (lambda key: key)
        self.fig: Figure | None = None
        self.canvas: FigureCanvasAgg | None = None
        self._dynamic: list = []
        self._frame = None
        self._bg_key = None
        self._background = None
        self._model_ref = None
        self._signature = None
        self._png: bytes | None = None
        self.draws = 0  # full (background) draws, for tests
        self.blits = 0  # moving-artists-only draws, for tests

    # -- to be defined by the charts
    def frame_key(self, m) -> object:
        return None

    def background_key(self, m) -> object:
        return None

    def signature(self, m) -> object:
        raise NotImplementedError

    def _build(self, fig: Figure, m) -> list:
        raise NotImplementedError

    def _update(self, m) -> None:
        raise NotImplementedError

    def _update_background(self, m) -> None:
        """Set the artists the background key follows (called when it changed)."""

    # -- machinery
    def _new_figure(self, m) -> None:
        if self.lang != "en":
            use_lang_font(self.lang)  # a CJK font first (labels would be boxes otherwise)
        fig = Figure(figsize=self.size, dpi=DPI, layout="constrained")
        self.canvas = FigureCanvasAgg(fig)
        self.fig = fig
        self._dynamic = self._build(fig, m)
        for a in self._dynamic:
            a.set_animated(True)
        self._frame = self.frame_key(m)
        self._bg_key = None
        self._background = None

    def _draw_background(self, m) -> None:
        """Draw everything but the moving artists (laying the figure out again), keep the pixels."""
        self._update_background(m)
        self.fig.set_layout_engine("constrained")
        self.canvas.draw()
        self.fig.set_layout_engine("none")  # frozen until the background changes
        self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        self._bg_key = self.background_key(m)
        self.draws += 1

    def _same_model(self, m) -> bool:
        return self._model_ref is not None and self._model_ref() is m

    def render(self, m) -> None:
        """Bring the figure's pixels to the model's current state (no encoding)."""
        if self.fig is None or self.frame_key(m) != self._frame:
            self._new_figure(m)
        self._update(m)
        if self._background is None or self.background_key(m) != self._bg_key:
            self._draw_background(m)
        else:
            self.canvas.restore_region(self._background)
            self.blits += 1
        renderer = self.canvas.get_renderer()
        for a in self._dynamic:
            if a.get_visible():
                a.draw(renderer)

    def png(self, m) -> bytes:
        """The chart as PNG bytes; the previous bytes when :meth:`signature` has not changed."""
        with _DRAW_LOCK:
            sig = self.signature(m)
            if self._png is not None and self._same_model(m) and sig == self._signature:
                return self._png
            self.render(m)
            self._png = _encode_png(self.canvas)
            self._model_ref = weakref.ref(m)
            self._signature = sig
            return self._png

    def figure(self, m) -> Figure:
        """A complete figure of the chart (the moving artists drawn as ordinary artists)."""
        with _DRAW_LOCK:
            self._new_figure(m)
            self._update(m)
            self._update_background(m)
            for a in self._dynamic:
                a.set_animated(False)
            fig = self.fig
            self.fig = None  # handed over: the next png() builds its own
            return fig


def _encode_png(canvas: FigureCanvasAgg) -> bytes:
    from PIL import Image

    w, h = canvas.get_width_height(physical=True)
    img = Image.frombuffer("RGBA", (w, h), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    out = io.BytesIO()
    img.convert("RGB").save(out, format="png", compress_level=PNG_COMPRESS_LEVEL)
    return out.getvalue()


#: Positions closer than this on an issue's 0..1 scale draw as one dot (about a dot's
#: radius on the chart): they are spread vertically so each party shows.
COINCIDENT_WITHIN = 0.02
#: The vertical step between coincident parties' dots, in issue rows (six fit in ±0.45).
COINCIDENT_STEP = 0.18


def spread_rows(pos: np.ndarray) -> np.ndarray:
    """Each dot's row on the positions chart: the issue's row, or, for parties whose
    positions on that issue lie within :data:`COINCIDENT_WITHIN` of each other (a chain of
    such neighbours is one group), the row shifted by :data:`COINCIDENT_STEP` per party,
    centred on the row, in the parties' order (deterministic, from the positions only).

    pos: (parties, issues) positions in [0, 1].  Returns (parties, issues) rows (floats).
    """
    pos = np.asarray(pos, dtype=float)
    n_parties, n_issues = pos.shape
    rows = np.tile(np.arange(n_issues, dtype=float), (n_parties, 1))
    for k in range(n_issues):
        order = np.argsort(pos[:, k], kind="stable")
        groups, current = [], [order[0]]
        for a, b in zip(order[:-1], order[1:], strict=True):
            if pos[b, k] - pos[a, k] < COINCIDENT_WITHIN:
                current.append(b)
            else:
                groups.append(current)
                current = [b]
        groups.append(current)
        for g in groups:
            if len(g) > 1:
                for j, i in enumerate(sorted(g)):
                    rows[i, k] += (j - (len(g) - 1) / 2) * COINCIDENT_STEP
    return rows


# ------------------------------------------------------------------ the four charts
class PositionsChart(LiveChart):
    """Dots: each party's position on each issue (size: salience; parties at the same
    position spread up and down the issue's row, :func:`spread_rows`); grey bars: the last
    text."""

    size = (8.0, 5.4)

    def signature(self, m) -> object:
        text = self._last_text(m)
        return (m.pos[0].tobytes(), m.sal[0].tobytes(), None if text is None else tuple(text))

    @staticmethod
    def _last_text(m):
        for s in reversed(m.sessions):
            if s.held and s.text is not None:
                return s.text
        return None

    def _build(self, fig: Figure, m) -> list:
        w = self.words
        ax = fig.subplots()
        rows = np.arange(len(ISSUES))
        dots = []
        for i, p in enumerate(PARTIES):
            dots.append(
                ax.scatter(
                    np.full(len(ISSUES), 0.5),
                    rows,
                    s=np.full(len(ISSUES), 30 + 240 * 0.5),  # the legend's dot: a mid salience
                    color=PARTY_COLORS[i],
                    alpha=0.8,
                    label=i18n_label(p, self.lang),
                    edgecolors="white",
                    linewidths=0.5,
                )
            )
        self._text = ax.scatter(
            np.full(len(ISSUES), 0.5),
            rows,
            marker="|",
            s=380,
            color=TEXT_COLOR,
            linewidths=2.5,
            label=w("c.last_text"),
        )
        ax.set_yticks(rows, [i18n_label(k, self.lang) for k in ISSUES], fontsize=FONT_PT)
        ax.set_ylim(len(ISSUES) - 0.5, -0.5)  # the first issue on top
        ax.set_xlim(-0.03, 1.03)
        ax.set_xlabel(w("c.position_x"), fontsize=FONT_PT)
        ax.tick_params(axis="x", labelsize=FONT_PT)
        ax.grid(axis="x", alpha=0.3)
        ax.legend(
            fontsize=FONT_PT,
            ncol=4,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.16),
            frameon=False,
            markerscale=0.6,
        )
        ax.set_title(w("c.positions"), fontsize=TITLE_PT)
        self._dots = dots
        return [*dots, self._text]

    def _update(self, m) -> None:
        rows = np.arange(len(ISSUES))
        dot_rows = spread_rows(m.pos[0])  # coincident parties side by side, not hidden
        for i, dots in enumerate(self._dots):
            dots.set_offsets(np.column_stack([m.pos[0, i], dot_rows[i]]))
            dots.set_sizes(30 + 240 * np.asarray(m.sal[0, i]))
        text = self._last_text(m)
        self._text.set_visible(text is not None)
        if text is not None:
            self._text.set_offsets(np.column_stack([np.asarray(text, dtype=float), rows]))


class TrustChart(LiveChart):
    """Heat map: the row party's trust in the column party, in [0, 1] (viridis)."""

    size = (6.2, 5.4)

    def signature(self, m) -> object:
        return m.trust[0].tobytes()

    def _build(self, fig: Figure, m) -> list:
        ax = fig.subplots()
        n = len(PARTIES)
        # viridis, as in the run figures: readable for colour-blind viewers (red-green is not).
        self._image = ax.imshow(np.full((n, n), np.nan), cmap="viridis", vmin=0, vmax=1)
        self._cells = {}
        for i in range(n):
            for j in range(n):
                if i != j:
                    self._cells[i, j] = ax.text(
                        j, i, "", ha="center", va="center", fontsize=FONT_PT - 1
                    )
        names = [i18n_label(p, self.lang) for p in PARTIES]
        ax.set_xticks(range(n), names, fontsize=FONT_PT, rotation=45)
        ax.set_yticks(range(n), names, fontsize=FONT_PT)
        ax.set_xlabel(self.words("c.trust_in"), fontsize=FONT_PT)
        ax.set_title(self.words("c.trust"), fontsize=TITLE_PT)
        return [self._image, *self._cells.values()]

    def _update(self, m) -> None:
        t = np.array(m.trust[0], dtype=float)
        np.fill_diagonal(t, np.nan)  # no trust in oneself to show
        self._image.set_data(t)
        for (i, j), cell in self._cells.items():
            cell.set_text(f"{t[i, j]:.2f}")
            cell.set_color("white" if t[i, j] < 0.6 else "black")


class LedgerChart(LiveChart):
    """Action for action: denuclearization progress (left) against aid delivered and pledged (right)."""

    size = (8.0, 5.4)

    def frame_key(self, m) -> object:
        return (m.start, m.n_months)

    def signature(self, m) -> object:
        last = m.timeline[-1] if m.timeline else {}
        return (
            len(m.timeline),
            last.get("progress"),
            last.get("aid_delivered_t"),
            last.get("aid_pledged_t"),
            self._facilities(m),
        )

    @staticmethod
    def _facilities(m) -> str:
        # The facilities' states now (shut down, disabled and dismantled told apart), in
        # lines that fit the figure's width at FONT_PT.
        text = ", ".join(
            f"{name.replace('_', ' ')}: {state.replace('_', ' ')}"
            for name, state in (m.facilities or {}).items()
        )
        return "\n".join(textwrap.wrap(text, FACILITY_LINE_CHARS))

    @staticmethod
    def _aid_top(m) -> float:
        return (
            max(1.0, *(r["aid_pledged_t"] / 1000 * 1.1 for r in m.timeline)) if m.timeline else 1.0
        )

    def background_key(self, m) -> object:
        return (self._aid_top(m), self._facilities(m))

    def _build(self, fig: Figure, m) -> list:
        w = self.words
        ax = fig.subplots()
        (self._progress,) = ax.plot([], [], color="#d62728", lw=2.5, label=w("c.progress"))
        ax.set_ylim(0, 1)
        ax.set_ylabel(w("c.progress_y"), fontsize=FONT_PT, color="#d62728")
        ax2 = ax.twinx()
        (self._delivered,) = ax2.plot([], [], color="#1f77b4", lw=2.5, label=w("c.aid_delivered"))
        (self._pledged,) = ax2.plot(
            [], [], color="#9ecae1", lw=2, ls="--", label=w("c.aid_pledged")
        )
        ax2.set_ylabel(w("c.aid_y"), fontsize=FONT_PT, color="#1f77b4")
        ax.set_xlim(0, max(12, m.n_months - 1))
        years = [(k, month_label(m.start + k)[:4]) for k in range(0, m.n_months, 24)]
        ax.set_xticks([k for k, _ in years], [y for _, y in years], fontsize=FONT_PT, rotation=45)
        ax.tick_params(axis="y", labelsize=FONT_PT)
        ax2.tick_params(axis="y", labelsize=FONT_PT)
        lines = [self._progress, self._delivered, self._pledged]
        ax.legend(
            lines,
            [ln.get_label() for ln in lines],
            fontsize=FONT_PT,
            loc="upper left",
            frameon=False,
        )
        ax.set_title(w("c.ledger"), fontsize=TITLE_PT)
        self._ax, self._ax2 = ax, ax2
        return lines

    def _update_background(self, m) -> None:
        self._ax2.set_ylim(bottom=0, top=self._aid_top(m))
        self._ax.set_xlabel(self._facilities(m), fontsize=FONT_PT)

    def _update(self, m) -> None:
        tl = m.timeline
        x = np.arange(len(tl))
        self._progress.set_data(x, [r["progress"] for r in tl])
        self._delivered.set_data(x, [r["aid_delivered_t"] / 1000 for r in tl])
        self._pledged.set_data(x, [r["aid_pledged_t"] / 1000 for r in tl])


def _year_x(month: str) -> float:
    """``YYYY-MM`` as a year with a fraction (the middle of the month)."""
    y, mo = map(int, month[:7].split("-"))
    return y + (mo - 0.5) / 12


class TimelineChart(LiveChart):
    """The run's sessions, decisions and events (top rows) and the historical record (bottom row).

    record_rows: :func:`sixparty.analysis.narrate.record_timeline` rows (``month``,
    ``kind``, ``document``), drawn once per scenario window.
    """

    size = (12.0, 4.4)

    def __init__(self, lang: str = "en", words: Words | None = None, record_rows=()) -> None:
        super().__init__(lang, words)
        self.record_rows = list(record_rows)

    def frame_key(self, m) -> object:
        return (m.spec.window.start, m.spec.window.end)

    def signature(self, m) -> object:
        return (len(m.timeline), len(m.sessions), len(m.decisions))

    def _build(self, fig: Figure, m) -> list:
        w = self.words
        ax = fig.subplots()
        rows = w("c.rows").split("|")
        empty = np.empty((0, 2))
        self._held = ax.scatter([], [], s=90, marker="o", zorder=3)
        self._boycotts = ax.scatter([], [], s=90, marker="x", color=DOC_COLORS["boycott"], zorder=3)
        self._decisions = ax.scatter([], [], s=60, color="#d62728", marker="D", zorder=3)
        self._events = ax.scatter([], [], s=40, color="#7f7f7f", marker="s", zorder=3)
        for c in (self._held, self._boycotts, self._decisions, self._events):
            c.set_offsets(empty)
        end = m.spec.window.end
        recorded = [r for r in self.record_rows if r["month"] and r["month"] <= end]
        sessions = [r for r in recorded if r["kind"] == "session"]
        episodes = [r for r in recorded if r["kind"] != "session"]
        if sessions:
            ax.scatter(
                [_year_x(r["month"]) for r in sessions],
                [3] * len(sessions),
                s=90,
                color=[DOC_COLORS.get(r.get("document", "none"), "#bbbbbb") for r in sessions],
                zorder=3,
            )
        if episodes:
            ax.scatter(
                [_year_x(r["month"]) for r in episodes],
                [3] * len(episodes),
                s=50,
                color="#b07aa1",
                marker="D",
                zorder=3,
            )
        self._now = ax.axvline(0, color="black", ls=":", lw=1.5)
        ax.set_yticks(range(4), rows, fontsize=FONT_PT)
        ax.set_ylim(3.6, -0.6)
        y0 = int(m.spec.window.start[:4])
        y1 = int(m.spec.window.end[:4]) + 1
        ax.set_xlim(y0, y1)
        ax.set_xticks(range(y0, y1 + 1), [str(y) for y in range(y0, y1 + 1)], fontsize=FONT_PT)
        ax.grid(axis="x", alpha=0.3)
        handles = [
            Line2D(
                [],
                [],
                ls="",
                marker="o",
                color=c,
                label=w("c.boycott") if d == "boycott" else i18n_label(d, self.lang),
            )
            for d, c in DOC_COLORS.items()
        ]
        handles += [
            Line2D([], [], ls="", marker="D", color="#d62728", label=w("c.decision")),
            Line2D([], [], ls="", marker="s", color="#7f7f7f", label=w("c.event")),
            Line2D([], [], ls="", marker="D", color="#b07aa1", label=w("c.episode")),
        ]
        ax.legend(
            handles=handles,
            fontsize=FONT_PT,
            ncol=4,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.2),
            frameon=False,
        )
        ax.set_title(w("c.timeline"), fontsize=TITLE_PT)
        return [self._held, self._boycotts, self._decisions, self._events, self._now]

    @staticmethod
    def _points(xs: list[float], row: int) -> np.ndarray:
        return np.column_stack([xs, np.full(len(xs), row)]) if xs else np.empty((0, 2))

    def _update(self, m) -> None:
        held = [s for s in m.sessions if s.held]
        self._held.set_offsets(self._points([_year_x(month_label(s.month)) for s in held], 0))
        self._held.set_facecolor([DOC_COLORS[s.document] for s in held] or "none")
        self._held.set_edgecolor("face")
        boycotts = [_year_x(month_label(s.month)) for s in m.sessions if not s.held]
        self._boycotts.set_offsets(self._points(boycotts, 0))
        self._decisions.set_offsets(
            self._points([_year_x(month_label(d[0])) for d in m.decisions], 1)
        )
        events = [_year_x(r["month"]) for r in m.timeline if "event:" in (r.get("events") or "")]
        self._events.set_offsets(self._points(events, 2))
        self._now.set_visible(bool(m.timeline))
        if m.timeline:
            x = _year_x(m.timeline[-1]["month"]) + 1 / 24
            self._now.set_xdata([x, x])


__all__ = [
    "DOC_COLORS",
    "DPI",
    "FONT_PT",
    "LedgerChart",
    "LiveChart",
    "PARTY_COLORS",
    "PNG_COMPRESS_LEVEL",
    "PositionsChart",
    "COINCIDENT_STEP",
    "COINCIDENT_WITHIN",
    "TITLE_PT",
    "TimelineChart",
    "TrustChart",
    "spread_rows",
]
