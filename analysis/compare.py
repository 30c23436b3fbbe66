"""``sixparty compare``: scenarios side by side, with common random numbers.

``compare(scenarios, labels, runs, base_seed, jobs=1, dates=(), n_boot=2000, progress=True, mode=None) -> Comparison``
    Run an ensemble of every scenario with the *same* replicate seeds
    (:func:`analysis.ensemble.derive_seeds` of ``base_seed``), so replicate
    ``i`` of every scenario shares its seed and the differences against the
    first scenario are paired.  Returns the ensembles and the outcome table.
``outcome_values(result, dates) -> dict[str, Outcome]``
    The per-replicate outcomes compared (see :data:`OUTCOME_HELP`).
``cli_compare(args) -> int``
    ``sixparty compare A B [C ...] --runs N [--jobs J] [--seed S] [--out DIR]
    [--mode anchored|free] [--dates 2007-12,2009-06] [--full]``: prints a summary (:data:`SUMMARY_OUTCOMES`
    per variant, the other differences and flips counted; ``--full``: every key
    outcome and every significant one) and where the full table is, and writes
    ``comparison.csv``, ``walkout_dates.csv``, ``manifest.json`` and the
    figures ``fan_progress``, ``outcome_probabilities`` and ``walkout_dates``
    (PNG by default) into ``runs/compare-...`` or ``--out``, atomically.

Statistics
----------
Every outcome is a number per replicate: an indicator (0/1) for the
probabilities, a value for the means.  For each scenario the table gives the
mean over replicates with a 95% percentile-bootstrap interval (a probability,
the share of runs in which the event happens: the 95% Wilson score interval,
:func:`analysis.stats.share_ci`, which a share of 0 or 1 does not collapse to a
point); for each
variant (scenario 2, 3, ...) the mean of the paired differences
``x_variant[i] - x_first[i]`` with a 95% paired-bootstrap interval
(:func:`analysis.stats.bootstrap_mean_ci`: ``scipy.stats.bootstrap``,
percentile method, resampling replicates, 2,000 resamples by default, seeded
by the base seed: deterministic).  A difference
is *significant* when its interval excludes 0 strictly (``diff_ci_low > 0``
or ``diff_ci_high < 0``; :func:`significant`): an interval touching 0, such
as ``[+0.00, +0.00]``, is not.  Intervals need at least two replicates, so
``compare`` refuses ``runs < 2``; below :data:`MIN_USEFUL_RUNS` runs the CLI
warns on stderr that the intervals are rough.  A variant *flips* a
probability outcome when the difference is significant and the majority
outcome changes (p >= 0.5 in one scenario, < 0.5 in the other): the event
that typically happened now typically does not, or the reverse.  Values
(means) have no majority outcome: their ``flips`` is always false, read
``significant``; the event ``half_progress`` (progress reaches 0.5 at some
point) gives progress a majority outcome.  Results are identical whatever
``--jobs``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sixparty.analysis.ensemble import (
    QUANTILES,
    EnsembleResult,
    _month_index,
    _qname,
    run_ensemble,
    whole_number,
)
from sixparty.analysis.stats import bootstrap_mean_ci, share_ci
from sixparty.outputs import write_atomically
from sixparty.scenario import DOCUMENT_TYPES, Scenario

__all__ = [
    "MIN_USEFUL_RUNS",
    "OUTCOME_HELP",
    "PALETTE",
    "Comparison",
    "Outcome",
    "cli_compare",
    "compare",
    "fan_figure",
    "outcome_values",
    "plot_fan",
    "plot_probabilities",
    "plot_walkout",
    "probabilities_figure",
    "significant",
    "walkout_figure",
]

#: Below this many runs per scenario the bootstrap intervals are rough (the CLI warns).
MIN_USEFUL_RUNS = 30


#: The message of ``sixparty compare --runs 1``.
def few_runs_warning(command: str, runs: int, level: str, per: str = "") -> str | None:
    """The warning a command prints on stderr when ``runs`` is below
    :data:`MIN_USEFUL_RUNS` (its ``level`` bootstrap intervals are rough), else None."""
    if runs >= MIN_USEFUL_RUNS:
        return None
    return (
        f"sixparty {command}: warning: {runs} runs{per}: the {level} intervals are "
        f"rough below {MIN_USEFUL_RUNS} runs; use --runs {MIN_USEFUL_RUNS} or more"
    )


RUNS_ERROR = "compare needs --runs 2 or more; 30 or more for useful intervals"

#: Okabe-Ito colour-blind-safe palette (black first for the reference scenario).
PALETTE = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2", "#CC79A7", "#F0E442")
_LINESTYLES = ("-", "--", "-.", ":")

#: What each outcome means (``<date>`` is a ``--dates`` month, ``<from>..<to>`` a calendar
#: quarter, ``<id>`` a recorded session of analysis/data/record.yaml, ``<doc>`` a document type).
OUTCOME_HELP: dict[str, str] = {
    "walkout": "probability the DPRK walks out of the talks within the window",
    "walkout_by_<date>": "probability the DPRK has walked out by the end of <date>",
    "joint_statement": "probability of at least one joint statement",
    "joint_document": "probability of at least one joint document (an action-for-action phase adopted)",
    "nuclear_test": "probability of at least one DPRK nuclear test",
    "half_progress": "probability that denuclearization progress reaches 0.5 at some point",
    "window:<from>..<to>:<doc>": "probability that the best document of the sessions held in "
    "months <from>..<to> is <doc> (not_held: no session held then)",
    "record:<id>:<doc>": "probability that the simulated session matched to recorded session <id> "
    "(±1 month) produced <doc> (not_matched: no held session matched it)",
    "progress@<date>": "mean denuclearization progress (0-1) at the end of <date>",
    "aid_delivered_t@<date>": "mean aid delivered by the end of <date> (t HFO-eq.)",
    "final_progress": "mean denuclearization progress (0-1) at the end of the window",
    "aid_delivered_t": "mean aid delivered by the end of the window (t HFO-eq.)",
    "mean_trust": "mean over the window of the mean trust among the six (0-1)",
    "sessions_held": "mean number of sessions held",
    "nuclear_tests": "mean number of DPRK nuclear tests",
}


@dataclass
class Outcome:
    """One outcome: name, kind (``probability`` or ``mean``), unit, per-replicate values."""

    name: str
    kind: str
    unit: str
    values: np.ndarray


def outcome_values(result: EnsembleResult, dates: Sequence[str]) -> dict[str, Outcome]:
    """Per-replicate outcomes of one ensemble (name -> :class:`Outcome`, in display order)."""
    s = result.summaries
    out: dict[str, Outcome] = {}

    def prob(name: str, v) -> None:
        out[name] = Outcome(name, "probability", "share of runs", np.asarray(v, dtype=np.float64))

    def mean(name: str, v, unit: str) -> None:
        out[name] = Outcome(name, "mean", unit, np.asarray(v, dtype=np.float64))

    walked = s["walked_out"] > 0
    prob("walkout", walked)
    for d in dates:
        prob(f"walkout_by_{d}", walked & (s["walkout_month"] <= _month_index(d)))
    prob("joint_statement", s["n_joint_statement"] > 0)
    prob("joint_document", s["n_joint_document"] > 0)
    prob("nuclear_test", s["nuclear_tests"] > 0)
    prob("half_progress", s["max_progress"] >= 0.5)
    for d in dates:
        mean(f"progress@{d}", result.date_column("progress", d), "0-1")
        mean(f"aid_delivered_t@{d}", result.date_column("aid_delivered_t", d), "t HFO-eq.")
    mean("final_progress", s["final_progress"], "0-1")
    mean("aid_delivered_t", s["aid_delivered_t"], "t HFO-eq.")
    mean("mean_trust", s["mean_trust"], "0-1")
    mean("sessions_held", s["sessions_held"], "sessions")
    mean("nuclear_tests", s["nuclear_tests"], "tests")
    kinds = result.column_kinds()
    for name in s:
        if name.startswith(_DATED) and kinds.get(name) in ("doc", "match"):
            col = np.asarray(s[name])
            prob(f"{name}:{'not_held' if kinds[name] == 'doc' else 'not_matched'}", col < 0)
            for k, doc in enumerate(DOCUMENT_TYPES):
                prob(f"{name}:{doc}", col == k)
    return out


#: Prefixes of the outcomes by date window and by matched recorded session: never the
#: model's own round counter, which differs between scenarios for the same date.
_DATED = ("window:", "record:")


@dataclass
class Comparison:
    """Ensembles of the compared scenarios and the outcome table.

    results, labels: one per scenario (the first is the reference); rows:
    ``comparison.csv`` rows (see :func:`compare`); flips: label -> names of
    the outcomes that variant flips.
    """

    results: list[EnsembleResult]
    labels: list[str]
    runs: int
    base_seed: int
    dates: list[str]
    n_boot: int
    rows: list[dict] = field(default_factory=list)
    flips: dict[str, list[str]] = field(default_factory=dict)
    #: the ``mode`` given to :func:`compare` (``"free"``, ``"anchored"``; None: each
    #: scenario's own ``parameters.anchoring``)
    mode: str | None = None


COMPARISON_COLUMNS = [
    "outcome",
    "kind",
    "unit",
    "scenario",
    "runs",
    "value",
    "ci_low",
    "ci_high",
    "reference",
    "diff",
    "diff_ci_low",
    "diff_ci_high",
    "significant",
    "flips",
]


def compare(
    scenarios: Sequence[Scenario],
    labels: Sequence[str],
    runs: int,
    base_seed: int,
    jobs: int = 1,
    dates: Sequence[str] = (),
    n_boot: int = 2000,
    progress: bool | None = None,
    executor=None,
    chunk_size: int | None = None,
    serial_below: int | None = None,
    mode: str | None = None,
) -> Comparison:
    """Run every scenario with the same seeds and tabulate paired differences.

    Rows (one per outcome x scenario): ``value`` with its 95% interval (Wilson for a
    probability, percentile bootstrap for a mean)
    ``ci_low``/``ci_high``; for variants also ``reference`` (the first
    scenario's value), ``diff`` and ``diff_ci_low``/``diff_ci_high`` (paired
    bootstrap; floats in the outcome's unit), ``significant`` (bool: interval excludes
    0 strictly, see :func:`significant`) and ``flips`` (bool); in the reference's rows
    these six are None (NaN in ``pandas.DataFrame(cmp.rows)``, so ``df["diff"].mean()``
    works; empty cells in ``comparison.csv``).  Window and recorded-session
    outcomes are kept where every scenario has them (windows: the calendar
    quarters common to all scenario windows) and left out where they are 0
    in every scenario.  Raises TypeError when ``scenarios`` is not a list of
    Scenario or ``labels`` not a list of names; ValueError on fewer than one
    scenario, labels not one per scenario or not distinct, ``runs < 2`` (no interval can be computed from one replicate) or a date
    outside a window.

    executor: an executor of :mod:`sixparty.analysis.executors`, shared by
    every scenario (default: one made from ``jobs``, started once for the
    whole comparison and closed at the end); chunk_size, serial_below: as
    for :func:`~sixparty.analysis.ensemble.run_ensemble`.

    mode: as ``sixparty compare --mode``: ``"free"`` (stated positions do not re-anchor
    the parties: every scenario runs free), ``"anchored"`` (they do), or ``None``, the
    default (each scenario's own ``parameters.anchoring``; ``historical`` is anchored);
    any other value raises ValueError.
    """
    from sixparty.scenario import Scenario as _Scenario

    if isinstance(scenarios, _Scenario) or not isinstance(scenarios, Sequence):
        raise TypeError(
            "scenarios must be a list of Scenario, the reference first, e.g. "
            f"[historical, variant]; got {type(scenarios).__name__}"
        )
    for i, sc in enumerate(scenarios):  # before any run: not after the first ensemble
        if not isinstance(sc, _Scenario):
            raise TypeError(
                f"scenarios[{i}] must be a Scenario (sixparty.load_scenario(...)), "
                f"not {type(sc).__name__}"
            )
    if isinstance(labels, str) or not isinstance(labels, Sequence):
        raise TypeError(
            f"labels must be a list of names, one per scenario; got {type(labels).__name__}"
        )
    if not scenarios:
        raise ValueError("nothing to compare")
    if len(labels) != len(scenarios):
        raise ValueError(
            f"labels must be one per scenario: got {len(labels)} label(s) "
            f"{list(labels)!r} for {len(scenarios)} scenario(s)"
        )
    dup = next((lab for i, lab in enumerate(labels) if lab in labels[:i]), None)
    if dup is not None:
        # the rows and the report are keyed by label: two alike would merge
        raise ValueError(
            f"labels must be distinct: {dup!r} is given twice (the command names a second "
            f"scenario of the same name '{dup}#2')"
        )
    runs = whole_number("runs", runs)
    if runs < 2:
        raise ValueError(RUNS_ERROR)
    if mode not in ("free", "anchored", None):
        raise ValueError(
            f"mode must be 'free', 'anchored' or None (each scenario's own), got {mode!r}"
        )
    if mode is not None:
        from sixparty.analysis.validation import set_mode

        scenarios = [set_mode(sc, mode) for sc in scenarios]
    dates = list(dates)
    from sixparty.analysis.executors import SERIAL_BELOW, make_executor

    ex = executor if executor is not None else make_executor(jobs)
    extra = {"serial_below": SERIAL_BELOW if serial_below is None else serial_below}
    # all scenarios' runs count towards the serial threshold: one pool serves them all
    if runs * len(scenarios) >= extra["serial_below"]:
        extra["serial_below"] = 0
    try:
        results = [
            run_ensemble(
                sc,
                runs,
                base_seed,
                progress=progress,
                dates=dates,
                executor=ex,
                chunk_size=chunk_size,
                **extra,
            )
            for sc in scenarios
        ]
    except BaseException:
        if executor is None:
            ex.abort()
        raise
    if executor is None:
        ex.close()
    cmp = Comparison(
        results=results,
        labels=list(labels),
        runs=runs,
        base_seed=base_seed,
        dates=dates,
        n_boot=n_boot,
        mode=mode,
    )
    outs = [outcome_values(r, dates) for r in results]
    names = [
        n
        for n in outs[0]
        if all(n in o for o in outs)
        and not (n.startswith(_DATED) and all(not o[n].values.any() for o in outs))
    ]
    # level intervals: every scenario, every outcome at once (same resamples)
    levels = []
    for o in outs:
        mat = np.column_stack([o[n].values for n in names])
        m, lo, hi = bootstrap_mean_ci(mat, n_boot=n_boot, seed=base_seed)
        # shares of runs: the Wilson interval (analysis.stats: a bootstrap gives 0 of
        # n runs the interval [0, 0])
        prob = [j for j, n in enumerate(names) if o[n].kind == "probability"]
        if prob:
            k = np.rint(mat[:, prob].sum(axis=0))
            lo[prob], hi[prob] = share_ci(k, mat.shape[0])
        levels.append((m, lo, hi))
    ref = outs[0]
    rows: list[dict] = []
    flips: dict[str, list[str]] = {lab: [] for lab in labels[1:]}
    diffs = []
    for o in outs[1:]:
        mat = np.column_stack([o[n].values - ref[n].values for n in names])
        diffs.append(bootstrap_mean_ci(mat, n_boot=n_boot, seed=base_seed))
    for j, n in enumerate(names):
        kind, unit = ref[n].kind, ref[n].unit
        base_v = ref[n].values
        for s, (o, lab) in enumerate(zip(outs, labels, strict=True)):
            m, lo, hi = levels[s]
            row = {
                "outcome": n,
                "kind": kind,
                "unit": unit,
                "scenario": lab,
                "runs": runs,
                "value": float(m[j]),
                "ci_low": float(lo[j]),
                "ci_high": float(hi[j]),
                # the reference has no difference with itself: None (NaN in a
                # DataFrame, an empty cell in comparison.csv)
                "reference": None,
                "diff": None,
                "diff_ci_low": None,
                "diff_ci_high": None,
                "significant": None,
                "flips": None,
            }
            if s > 0:
                dm, dlo, dhi = (float(x[j]) for x in diffs[s - 1])
                sig = significant(dlo, dhi)
                flip = sig and _typical_changes(kind, base_v, o[n].values)
                row.update(
                    {
                        "reference": float(levels[0][0][j]),
                        "diff": dm,
                        "diff_ci_low": dlo,
                        "diff_ci_high": dhi,
                        "significant": sig,
                        "flips": flip,
                    }
                )
                if flip:
                    flips[lab].append(n)
            rows.append(row)
    cmp.rows = rows
    cmp.flips = flips
    return cmp


def significant(ci_low: float, ci_high: float) -> bool:
    """True when the interval ``[ci_low, ci_high]`` excludes 0 strictly.

    ``ci_low > 0`` or ``ci_high < 0``; an interval that touches 0 (e.g.
    ``[0, 0]`` or ``[0, 0.1]``) and a NaN interval (fewer than two
    replicates) are not significant.
    """
    lo, hi = float(ci_low), float(ci_high)
    if np.isnan(lo) or np.isnan(hi):
        return False
    return lo > 0.0 or hi < 0.0


def _typical_changes(kind: str, base: np.ndarray, variant: np.ndarray) -> bool:
    """Majority outcome changes (probabilities only: a mean has no majority outcome)."""
    if kind != "probability":
        return False
    return bool((base.mean() >= 0.5) != (variant.mean() >= 0.5))


# ------------------------------------------------------------------ report
_KEY = (
    "walkout",
    "walkout_by_",
    "joint_statement",
    "joint_document",
    "nuclear_test",
    "half_progress",
    "progress@",
    "aid_delivered_t@",
    "final_progress",
    "aid_delivered_t",
    "mean_trust",
    "sessions_held",
    "nuclear_tests",
)


def _fmt(kind: str, unit: str, x: float, signed: bool = False) -> str:
    if kind == "probability":
        return f"{100 * x:+.0f} pts" if signed else f"{100 * x:.0f}%"
    if unit.startswith("t "):
        return f"{x:+,.0f}" if signed else f"{x:,.0f}"
    if unit == "0-1":  # three decimals: a difference of 0.002 must not print as +0.00
        return f"{x:+.3f}" if signed else f"{x:.3f}"
    return f"{x:+.2f}" if signed else f"{x:.2f}"


#: The outcomes ``sixparty compare`` prints without ``--full`` (the rest: ``comparison.csv``).
SUMMARY_OUTCOMES = (
    "walkout",
    "joint_document",
    "nuclear_test",
    "half_progress",
    "final_progress",
    "aid_delivered_t",
    "sessions_held",
)


#: The level of the difference intervals (:func:`sixparty.analysis.stats.bootstrap_mean_ci`'s
#: default, which :func:`compare` uses).
CI_LEVEL = 0.95


def chance_line(rows: Sequence[dict], level: float = CI_LEVEL) -> str | None:
    """The multiple-comparisons note of one variant's ``rows`` (those with an interval):
    how many intervals exclude 0, and how many would by chance alone at ``level``
    (``(1 - level) x n``) if the variant changed nothing; None without any interval.
    The outcomes are correlated (dated windows of one measure), so the figure is a guide,
    not a test."""
    tested = [r for r in rows if r.get("diff_ci_low") is not None]
    if not tested:
        return None
    n = len(tested)
    hits = sum(bool(r["significant"]) for r in tested)
    expected = (1 - level) * n
    return (
        f"  multiple comparisons: {hits} of {n} intervals exclude 0; at {level:.0%}, about "
        f"{expected:.0f} of {n} would by chance if nothing changed (correlated outcomes: a "
        "guide, not a test)"
    )


def report_lines(cmp: Comparison, full: bool = True) -> list[str]:
    """The printed comparison: per variant, key outcomes (and any significant outcome by date
    window or recorded session).

    ``full=False``: only :data:`SUMMARY_OUTCOMES` per variant, then how many other
    outcomes differ (interval excluding 0) and the flips; ``comparison.csv`` has them all.
    """
    ref = cmp.labels[0]
    out = [
        f"Comparison of {len(cmp.labels)} scenarios, {cmp.runs} runs each with common seeds "
        f"(base seed {cmp.base_seed}); reference: {ref}",
        "Differences: variant minus reference, paired over replicates, 95% bootstrap interval "
        f"({cmp.n_boot} resamples); * = interval excludes 0, FLIP = the typical outcome changes.",
        "",
    ]
    by = {}
    for r in cmp.rows:
        by.setdefault(r["scenario"], []).append(r)
    width = max(len(r["outcome"]) for r in cmp.rows if full or r["outcome"] in SUMMARY_OUTCOMES)
    for lab in cmp.labels[1:]:
        out.append(f"{lab} vs {ref}")
        # the value columns widen to the scenario names: names are never cut
        wr, wv = max(12, len(ref)), max(12, len(lab))
        out.append(f"  {'outcome':{width}}  {ref:>{wr}}  {lab:>{wv}}  {'difference [95% CI]':>36}")
        hidden = 0
        for r in by[lab]:
            if full:
                shown = r["outcome"].startswith(_KEY) or r["significant"]
            else:
                shown = r["outcome"] in SUMMARY_OUTCOMES
                hidden += bool(r["significant"]) and not shown
            if not shown:
                continue
            k, u = r["kind"], r["unit"]
            diff = (
                f"{_fmt(k, u, r['diff'], True)} [{_fmt(k, u, r['diff_ci_low'], True)}, "
                f"{_fmt(k, u, r['diff_ci_high'], True)}]"
            )
            # a flip's interval excludes 0 as well: it keeps its "*" (the legend's)
            flag = (" *" if r["significant"] else "") + (" FLIP" if r["flips"] else "")
            out.append(
                f"  {r['outcome']:{width}}  {_fmt(k, u, r['reference']):>{wr}}  "
                f"{_fmt(k, u, r['value']):>{wv}}  {diff:>36}{flag}"
            )
        if hidden:
            out.append(
                f"  and {hidden} other outcome{'s' if hidden != 1 else ''} whose interval "
                "excludes 0 (comparison.csv)"
            )
        note = chance_line(by[lab])
        if note:
            out.append(note)
        fl = cmp.flips.get(lab) or []
        dated = [] if full else [f for f in fl if f.startswith(_DATED)]
        named = [f for f in fl if f not in dated]
        if dated:
            named.append(
                f"{len(dated)} outcome{'s' if len(dated) != 1 else ''} by date window or "
                "recorded session"
            )
        out.append(f"  flips: {', '.join(named) if named else 'nothing'}")
        out.append("")
    return out


def walkout_rows(cmp: Comparison) -> list[dict]:
    """``walkout_dates.csv``: scenario, month, runs walking out that month, share, cumulative share."""
    rows = []
    for res, lab in zip(cmp.results, cmp.labels, strict=True):
        wm = res.summaries["walkout_month"]
        cum = 0
        for month in res.months:
            k = int((wm == _month_index(month)).sum())
            cum += k
            if k:
                rows.append(
                    {
                        "scenario": lab,
                        "month": month,
                        "runs": k,
                        "share": k / res.runs,
                        "cumulative_share": cum / res.runs,
                    }
                )
    return rows


# ------------------------------------------------------------------ figures
def _x(months: Sequence[str]) -> np.ndarray:
    return np.array([_month_index(m) / 12.0 for m in months])


def _colour(i: int) -> tuple[str, int]:
    """Colour of scenario ``i`` (black only for the reference) and its cycle number."""
    if i == 0:
        return PALETTE[0], 0
    k = len(PALETTE) - 1
    return PALETTE[1 + (i - 1) % k], (i - 1) // k


def _style(i: int) -> dict:
    colour, cycle = _colour(i)
    return {"color": colour, "linestyle": _LINESTYLES[cycle % len(_LINESTYLES)]}


#: Resolution of the comparison and ensemble figures: projector-readable (a 10 x 5.5 in
#: figure is 1500 x 825 px).
FIG_DPI = 150
#: Readable names of the outcomes drawn as bars (``walkout_by_<date>`` is built from the date).
_BAR_NAMES = {
    "walkout": "DPRK walks out (any time)",
    "joint_statement": "at least one joint statement",
    "joint_document": "at least one joint document",
    "half_progress": "progress reaches 0.5",
    "nuclear_test": "at least one nuclear test",
}


def _bar_name(name: str) -> str:
    if name.startswith("walkout_by_"):
        return f"DPRK has walked out by {name[len('walkout_by_') :]}"
    return _BAR_NAMES.get(name, name.replace("_", " "))


def _save(fig, path: Path) -> None:
    fig.savefig(
        path,
        dpi=FIG_DPI,
        metadata={"Software": "sixparty/matplotlib"} if str(path).endswith(".png") else None,
    )


def _figure(**kw):
    from matplotlib.figure import Figure

    return Figure(layout="constrained", **kw)


def _title_names(labels: Sequence[str]) -> str:
    """``A`` or ``A (reference, black) vs B, C``, wrapped to lines of 110 characters."""
    import textwrap

    text = (
        labels[0]
        if len(labels) == 1
        else (f"{labels[0]} (reference, black) vs {', '.join(labels[1:])}")
    )
    return "\n".join(textwrap.wrap(text, 110))


def fan_figure(results: Sequence[EnsembleResult], labels: Sequence[str], metric: str = "progress"):
    """Fan chart of ``metric`` (a matplotlib Figure): median and 5-95% band per scenario.

    One panel per variant, each with the reference (first scenario) in black;
    a single panel when only one scenario is given.  10 x 5.5 in for one panel
    (two panels per row, 4.6 in per row, when there are more); the title names
    every scenario shown; the legend has one entry per scenario (line =
    median, shading = 5-95% band).
    """
    from matplotlib.patches import Patch

    lo_j, med_j, hi_j = QUANTILES.index(0.05), QUANTILES.index(0.5), QUANTILES.index(0.95)
    panels = max(1, len(results) - 1)
    ncol = min(2, panels)
    nrow = -(-panels // ncol)
    size = (10.0, 5.5) if panels == 1 else (8.0 * ncol, 1.6 + 4.6 * nrow)
    fig = _figure(figsize=size)
    axes = fig.subplots(nrow, ncol, squeeze=False, sharex=True, sharey=True)
    ylabel = {
        "progress": "denuclearization progress (0-1)",
        "mean_trust": "mean trust (0-1)",
        "aid_delivered_t": "aid delivered (t HFO-eq.)",
        "sanctions": "sanctions (0-1)",
    }[metric]
    handles = {}
    for p in range(nrow * ncol):
        ax = axes[p // ncol][p % ncol]
        if p >= panels:
            ax.axis("off")
            continue
        members = [0] if len(results) == 1 else [0, p + 1]
        for i in members:
            r = results[i]
            x = _x(r.months)
            q = r.quantiles[metric]
            st = _style(i)
            ax.fill_between(x, q[:, lo_j], q[:, hi_j], color=st["color"], alpha=0.18, linewidth=0)
            (line,) = ax.plot(x, q[:, med_j], linewidth=2.2, **st)
            handles.setdefault(i, (Patch(color=st["color"], alpha=0.18, linewidth=0), line))
        if len(results) > 1:
            ax.set_title(f"{labels[p + 1]} vs {labels[0]}", fontsize=12)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=11)
        if p % ncol == 0:
            ax.set_ylabel(ylabel, fontsize=12)
        if p // ncol == nrow - 1 or p + ncol >= panels:
            ax.set_xlabel("year (monthly steps)", fontsize=12)
            ax.xaxis.set_tick_params(labelbottom=True)
    n = results[0].runs
    what = "Denuclearization progress over time" if metric == "progress" else ylabel
    if len(results) == 1:
        fig.suptitle(f"{what}: median and 5-95% band of {n} runs\n{labels[0]}", fontsize=14)
    else:
        fig.suptitle(
            f"{what}: median and 5-95% band of {n} runs per scenario\n{_title_names(labels)}",
            fontsize=14,
        )
    order = sorted(handles)
    fig.legend(
        [handles[i] for i in order],
        [f"{labels[i]}: median (line), 5-95% of runs (band)" for i in order],
        loc="outside lower center",
        ncol=min(3, len(order)),
        fontsize=11,
        frameon=False,
        handlelength=3,
    )
    return fig


def plot_fan(
    results: Sequence[EnsembleResult], labels: Sequence[str], path: Path, metric: str = "progress"
) -> None:
    """Write :func:`fan_figure` to ``path`` (at :data:`FIG_DPI`)."""
    _save(fan_figure(results, labels, metric), path)


def probabilities_figure(cmp: Comparison):
    """Horizontal bars of the key outcome probabilities per scenario, with 95% Wilson
    intervals and the value written beside each bar (so a 0% bar still reads "0%")."""
    names = [
        "walkout",
        *[f"walkout_by_{d}" for d in cmp.dates],
        "joint_statement",
        "joint_document",
        "half_progress",
        "nuclear_test",
    ]
    rows = {(r["outcome"], r["scenario"]): r for r in cmp.rows}
    k = len(cmp.labels)
    height = 0.8 / k
    fig = _figure(figsize=(12.0, 1.9 + len(names) * (0.25 + 0.2 * k)))
    ax = fig.subplots()
    y = np.arange(len(names))
    for i, lab in enumerate(cmp.labels):
        vals = np.array([rows[(n, lab)]["value"] for n in names])
        lo = np.array([rows[(n, lab)]["ci_low"] for n in names])
        hi = np.array([rows[(n, lab)]["ci_high"] for n in names])
        yy = y + (i - (k - 1) / 2) * height
        colour, cycle = _colour(i)
        ax.barh(
            yy,
            100 * vals,
            height * 0.92,
            label=lab,
            color=colour,
            hatch="//" if cycle else None,
            edgecolor="white",
            xerr=[100 * (vals - lo), 100 * (hi - vals)],
            capsize=2.5,
            error_kw={"linewidth": 1.2, "ecolor": "#777777"},
        )
        for v, h, yv in zip(vals, hi, yy, strict=True):
            if v == 0:  # an empty bar: a stub of its colour says which scenario it is
                ax.plot(
                    [0, 0],
                    [yv - 0.4 * height, yv + 0.4 * height],
                    color=colour,
                    linewidth=4,
                    solid_capstyle="butt",
                    clip_on=False,
                    zorder=3,
                )
            ax.text(
                100 * max(v, h) + 1.2,
                yv,
                f"{100 * v:.0f}%",
                va="center",
                ha="left",
                fontsize=10 if k <= 4 else 8.5,
                gid="bar_value",
            )
    ax.set_yticks(y, [_bar_name(n) for n in names], fontsize=11)
    ax.set_ylim(len(names) - 0.5, -0.5)  # first outcome at the top
    ax.set_xlim(0, 112)
    ax.set_xticks(np.arange(0, 101, 20))
    ax.tick_params(axis="x", labelsize=11)
    ax.set_xlabel(
        "probability (% of runs; bar = share of runs, whisker = 95% Wilson interval)",
        fontsize=11,
    )
    ax.grid(axis="x", alpha=0.3)
    for g in y[1:]:
        ax.axhline(g - 0.5, color="#cccccc", linewidth=0.8)
    fig.suptitle(
        f"Outcome probabilities: {cmp.runs} runs per scenario\n{_title_names(cmp.labels)}",
        fontsize=14,
    )
    fig.legend(
        *ax.get_legend_handles_labels(),
        loc="outside lower center",
        ncol=min(4, k),
        fontsize=11,
        frameon=False,
    )
    return fig


def plot_probabilities(cmp: Comparison, path: Path) -> None:
    """Write :func:`probabilities_figure` to ``path`` (at :data:`FIG_DPI`)."""
    _save(probabilities_figure(cmp), path)


def walkout_figure(cmp: Comparison):
    """Cumulative share of runs in which the DPRK has walked out, by month, per scenario."""
    fig = _figure(figsize=(10.0, 5.5))
    ax = fig.subplots()
    for i, (res, lab) in enumerate(zip(cmp.results, cmp.labels, strict=True)):
        wm = res.summaries["walkout_month"]
        idx = np.array([_month_index(m) for m in res.months])
        cum = np.array([(wm[wm >= 0] <= t).sum() for t in idx]) / res.runs
        ax.step(_x(res.months), 100 * cum, where="post", label=lab, linewidth=2.2, **_style(i))
    ax.set_xlabel("year (monthly steps)", fontsize=12)
    ax.set_ylabel("runs in which the DPRK has walked out (%)", fontsize=12)
    ax.tick_params(labelsize=11)
    ax.set_ylim(-2, 105)  # a scenario that never walks out stays visible above the axis
    ax.set_title(
        f"When does the DPRK walk out? Cumulative share of {cmp.runs} runs per scenario",
        fontsize=14,
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=11, loc="upper left", handlelength=3)
    return fig


def plot_walkout(cmp: Comparison, path: Path) -> None:
    """Write :func:`walkout_figure` to ``path`` (at :data:`FIG_DPI`)."""
    _save(walkout_figure(cmp), path)


# ---------------------------------------------------------------------- CLI
_DATE_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def parse_dates(text: str | None) -> list[str]:
    """``"2007-12,2009-06"`` -> ``["2007-12", "2009-06"]``; raises ValueError on a bad month."""
    if not text:
        return []
    out = []
    for piece in text.split(","):
        p = piece.strip()
        if not p:
            continue
        if not _DATE_RE.match(p):
            raise ValueError(f"--dates: {p!r} is not a month written YYYY-MM (e.g. 2007-12)")
        out.append(p)
    return list(dict.fromkeys(out))


def _labels(scenarios: Sequence[Scenario]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for sc in scenarios:
        seen[sc.name] = seen.get(sc.name, 0) + 1
        out.append(sc.name if seen[sc.name] == 1 else f"{sc.name}#{seen[sc.name]}")
    return out


def cli_compare(args) -> int:
    """``sixparty compare``: see the module docstring.  User errors raise CLIError / ScenarioError."""
    from sixparty.cli import CLIError
    from sixparty.loader import find_scenario, load_scenario

    names = list(getattr(args, "scenarios", None) or [])
    if len(names) < 2:
        raise CLIError("compare needs at least two scenarios (the first is the reference)")
    runs = int(getattr(args, "runs", 100))
    if runs < 2:
        raise CLIError(RUNS_ERROR)
    try:
        dates = parse_dates(getattr(args, "dates", None))
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    paths = [find_scenario(n) for n in names]
    scenarios = [load_scenario(p) for p in paths]
    mode = getattr(args, "mode", None)
    for sc in scenarios:
        for d in dates:
            if not sc.window.start <= d <= sc.window.end:
                raise CLIError(
                    f"--dates: {d} is outside the window of scenario {sc.name!r} "
                    f"({sc.window.start}..{sc.window.end})"
                )
    warning = few_runs_warning("compare", runs, "95%", " per scenario")
    if warning:
        print(warning, file=sys.stderr)
    seed = scenarios[0].seed if getattr(args, "seed", None) is None else int(args.seed)
    labels = _labels(scenarios)
    n_boot = int(getattr(args, "boot", 2000) or 2000)
    quiet = bool(getattr(args, "quiet", False))
    out_dir = getattr(args, "out", None) or _default_out(labels, runs, seed, mode == "free")
    from sixparty.analysis.ensemble import cli_executor, stop_on_signals, stopped_message
    from sixparty.outputs import check_out_dir

    how = check_out_dir(out_dir)
    months = max(sc.window.months for sc in scenarios)
    with stop_on_signals():
        try:
            with cli_executor(args, runs, months, out_dir, scenarios=len(scenarios)) as ex:
                cmp = compare(
                    scenarios,
                    labels,
                    runs,
                    seed,
                    dates=dates,
                    n_boot=n_boot,
                    progress=None if not quiet else False,
                    executor=ex,
                    chunk_size=getattr(args, "chunk_size", None),
                    mode=mode,
                )
            files = write_comparison(
                cmp,
                out_dir,
                paths,
                fmt=getattr(args, "format", None) or "png",
                plots=not getattr(args, "no_plots", False),
                command=sys.argv,
            )
        except KeyboardInterrupt as exc:
            line, code = stopped_message(exc, out_dir, how)
            print(line, file=sys.stderr, flush=True)
            return code
    full = bool(getattr(args, "full", False))
    print("\n".join(report_lines(cmp, full=full)))
    print(f"Wrote {len(files)} files to {out_dir}/")
    if not full:
        table = Path(out_dir) / "comparison.csv"
        print(
            f"The full table ({len(cmp.rows)} rows: every outcome, every scenario) is {table}; "
            "--full prints every key outcome and every difference here."
        )
    return 0


def _default_out(labels: Sequence[str], runs: int, seed: int, free: bool = False) -> str:
    """``runs/compare-<A>-vs-<B>-n<N>-<seed>``, with ``-free`` before ``-n<N>`` for
    ``--mode free`` (as ``run``'s ``runs/SCENARIO-free-SEED``): a free comparison does
    not replace the scenarios' own; without ``--mode`` the name is what it always was."""
    from sixparty.outputs import default_out_dir

    stem = "-vs-".join(labels) if len(labels) <= 3 else f"{labels[0]}-vs-{len(labels) - 1}-variants"
    return default_out_dir("compare", stem, "free" if free else "", f"n{runs}", seed=seed)


def write_comparison(
    cmp: Comparison,
    out_dir,
    paths: Sequence[Path] = (),
    fmt: str = "png",
    plots: bool = True,
    command: Sequence[str] | None = None,
) -> list[str]:
    """Write ``comparison.csv``, ``walkout_dates.csv``, figures and ``manifest.json`` atomically."""
    import hashlib

    from sixparty.analysis.ensemble import QUANTILE_METHOD, SEED_DERIVATION
    from sixparty.outputs import csv_text, package_versions

    texts = {
        "comparison.csv": csv_text(
            [{k: "" if v is None else v for k, v in r.items()} for r in cmp.rows],
            COMPARISON_COLUMNS,
        ),
        "walkout_dates.csv": csv_text(
            walkout_rows(cmp), ["scenario", "month", "runs", "share", "cumulative_share"]
        ),
        "progress_quantiles.csv": csv_text(
            _progress_rows(cmp), ["scenario", "month", *[_qname(q) for q in QUANTILES], "mean"]
        ),
    }
    writers = []
    if plots:

        def figs(folder: Path) -> list[str]:
            names = [f"fan_progress.{fmt}", f"outcome_probabilities.{fmt}", f"walkout_dates.{fmt}"]
            plot_fan(cmp.results, cmp.labels, folder / names[0])
            plot_probabilities(cmp, folder / names[1])
            plot_walkout(cmp, folder / names[2])
            return names

        writers.append(figs)
    from datetime import UTC, datetime

    manifest = {
        "kind": "comparison",
        "scenarios": [
            {
                "label": lab,
                "name": r.scenario.name,
                "file": str(p) if p else None,
                "sha256": hashlib.sha256(Path(p).read_bytes()).hexdigest() if p else None,
                "positions_mode": "anchored" if r.scenario.parameters.anchoring else "free",
            }
            for lab, r, p in zip(
                cmp.labels, cmp.results, list(paths) or [None] * len(cmp.labels), strict=True
            )
        ],
        "mode": cmp.mode,
        "runs": cmp.runs,
        "base_seed": cmp.base_seed,
        "seed_derivation": SEED_DERIVATION + " (the same seeds for every scenario)",
        "dates": cmp.dates,
        "bootstrap": {
            "resamples": cmp.n_boot,
            "level": 0.95,
            "kind": "percentile (scipy.stats.bootstrap), paired over replicates",
            "seed": cmp.base_seed,
            "probabilities": "levels: Wilson score interval (scipy.stats.binomtest), "
            "differences: the paired bootstrap",
        },
        "quantile_method": QUANTILE_METHOD,
        "flips": cmp.flips,
        "versions": package_versions(),
        "command": list(command) if command else None,
        "started_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "elapsed_s": round(sum(r.elapsed_s for r in cmp.results), 3),
    }
    return write_atomically(out_dir, texts, writers, manifest=manifest)


def _progress_rows(cmp: Comparison) -> list[dict]:
    rows = []
    for res, lab in zip(cmp.results, cmp.labels, strict=True):
        for t, month in enumerate(res.months):
            row = {"scenario": lab, "month": month}
            for j, q in enumerate(QUANTILES):
                row[_qname(q)] = float(res.quantiles["progress"][t, j])
            row["mean"] = float(res.means["progress"][t])
            rows.append(row)
    return rows
