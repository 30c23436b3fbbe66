"""Monte Carlo ensembles: one scenario, many seeds, streamed into fixed-size accumulators.

Public API
----------
``derive_seeds(base_seed, runs) -> list[int]``
    One model seed per replicate, from :class:`numpy.random.SeedSequence`.
``run_ensemble(scenario, runs, base_seed, jobs=1, progress=True, dates=()) -> EnsembleResult``
    Run ``runs`` replicates of ``scenario`` (a :class:`sixparty.scenario.Scenario`),
    serially (``jobs=1``, in this process) or on a pool of ``jobs`` worker
    processes; the result is identical whatever ``jobs`` is.
``write_ensemble(result, out_dir, scenario_path=None, command=None) -> list[str]``
    Write ``summaries.csv``, ``quantiles.csv``, ``status.csv`` and
    ``manifest.json`` atomically.
``cli_ensemble(args, path, scenario) -> int``
    ``sixparty run SCENARIO --runs N [--jobs J] [--seed S] [--out DIR]``.

Seeds
-----
``SeedSequence(base_seed).spawn(runs)`` gives one child sequence per
replicate; replicate ``i`` runs with the model seed
``int(child_i.generate_state(1, dtype=numpy.uint64)[0] >> 1)`` - a 63-bit
integer (the scenario format accepts seeds in ``[0, 2**63)``).  A child's
state depends only on ``base_seed`` and ``i``, so the seeds of the first
``k`` replicates are the same whatever ``runs`` is, and they do not depend
on ``jobs`` or on how the work is cut into chunks.

Work and memory
---------------
Replicates are cut into chunks of consecutive indices; each task runs one
chunk (one :func:`sim.runner.simulate` call per seed, positions not recorded)
and sends back, per run, a compact summary (one row of
:data:`SUMMARY_COLUMNS`) and a ``(4, months)`` float32 array of the monthly
scalars :data:`MONTHLY_METRICS` plus the talks-status codes - never the full
tables.  The pool uses the ``spawn`` start method (Mesa forces it anyway) and
keeps at most ``2 * jobs`` chunks in flight; results are folded in replicate
order (chunks are consumed in submission order), so every sum is computed in
the same order whatever ``jobs`` is and the output is byte-identical.

Monthly quantiles are computed from binned counts: each metric's range
(``[0, 1]`` for progress, mean trust and sanctions; ``[0, total HFO-eq.
tonnes of the scenario's phases]`` for aid) is cut into :data:`BINS` equal
steps and every value is rounded to the nearest grid point, so one
``(months, BINS + 1)`` int32 array per metric holds the whole distribution
(about 4.8 MB for a 120-month window, whatever the number of runs).
Quantiles are the inverted-CDF (Hyndman-Fan type 1, numpy
``method="inverted_cdf"``) quantiles of the grid-rounded values: exact to
within half a grid step (1e-4 of the range; 100 t for a 1,000,000 t aid
range).  Monthly means are exact (float64 sums in replicate order).  The
per-run summary table is preallocated (``runs x ~40`` numbers, ~3 MB at
10,000 runs); it is the only part that grows with ``runs``.

Mesa 3.3.1 keeps every model alive through ``mesa.Agent._ids``;
:func:`sim.runner.simulate` drops the finished model's entry, and the
ensemble checks it did (``tests/test_ensemble.py``).
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sixparty._mesa_compat import live_models
from sixparty.outputs import write_atomically
from sixparty.scenario import DOCUMENT_TYPES, Scenario

__all__ = [
    "BINS",
    "MONTHLY_METRICS",
    "QUANTILES",
    "ROUNDS",
    "STATUSES",
    "SUMMARY_COLUMNS",
    "BinnedQuantiles",
    "EnsembleResult",
    "cli_ensemble",
    "derive_seeds",
    "run_ensemble",
    "write_ensemble",
]

#: Scalars kept for every month of every run (columns of ``timeline.csv``).
MONTHLY_METRICS: tuple[str, ...] = ("progress", "aid_delivered_t", "mean_trust", "sanctions")
#: Units of :data:`MONTHLY_METRICS` (for reports and figure labels).
METRIC_UNITS: dict[str, str] = {
    "progress": "share of the phases' DPRK steps, 0-1",
    "aid_delivered_t": "t HFO-equivalent",
    "mean_trust": "0-1",
    "sanctions": "0-1",
}
#: The talks status codes of ``timeline.csv`` (code = index); ``other`` catches anything new.
STATUSES: tuple[str, ...] = ("no_talks", "in_session", "recess", "boycott", "suspended",
                             "walked_out", "other")
#: Quantile levels written to ``quantiles.csv``.
QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
#: Grid steps per metric range for the binned quantiles.
BINS = 10_000
#: Rounds whose best document is kept per run (``doc_round_1`` ...).
ROUNDS = 8

_DOC_RANK = {d: i for i, d in enumerate(DOCUMENT_TYPES)}
_STATUS_CODE = {s: i for i, s in enumerate(STATUSES)}

# (name, kind) - kind: "int", "float", "month" (month index, -1 = never), "bool",
# "status" (index into STATUSES), "doc" (index into DOCUMENT_TYPES, -1 = round not held)
_BASE_COLUMNS: list[tuple[str, str]] = [
    ("replicate", "int"),
    ("seed", "int"),
    ("sessions_invited", "int"),
    ("sessions_held", "int"),
    ("boycotts", "int"),
    ("rounds_held", "int"),
    *[(f"n_{d}", "int") for d in DOCUMENT_TYPES],
    ("first_joint_statement", "month"),
    ("first_joint_document", "month"),
    ("phases_adopted", "int"),
    ("first_suspension", "month"),
    ("walked_out", "bool"),
    ("walkout_month", "month"),
    ("nuclear_tests", "int"),
    ("first_nuclear_test", "month"),
    ("missile_tests", "int"),
    ("final_progress", "float"),
    ("max_progress", "float"),
    ("aid_pledged_t", "float"),
    ("aid_delivered_t", "float"),
    ("final_mean_trust", "float"),
    ("mean_trust", "float"),
    ("final_sanctions", "float"),
    ("months_in_session", "int"),
    ("months_walked_out", "int"),
    ("final_status", "status"),
    *[(f"doc_round_{r}", "doc") for r in range(1, ROUNDS + 1)],
]
#: Columns of ``summaries.csv`` (without the per-date columns) and how they are written.
SUMMARY_COLUMNS: tuple[str, ...] = tuple(n for n, _ in _BASE_COLUMNS)
_DATE_METRICS = ("progress", "aid_delivered_t", "mean_trust")


def _month_index(label: str) -> int:
    y, m = label.split("-")[:2]
    return int(y) * 12 + int(m) - 1


def _month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


# ------------------------------------------------------------------ seeds
def derive_seeds(base_seed: int, runs: int) -> list[int]:
    """Model seeds of replicates ``0 .. runs-1`` (ints in ``[0, 2**63)``).

    ``SeedSequence(base_seed).spawn(runs)[i].generate_state(1, uint64)[0] >> 1``.
    Prefix-stable (the first ``k`` seeds do not depend on ``runs``) and
    distinct in practice (63-bit hashes).  Raises ValueError if ``runs < 1``
    or ``base_seed < 0``.
    """
    if runs < 1:
        raise ValueError(f"runs must be >= 1, got {runs}")
    if base_seed < 0:
        raise ValueError(f"base_seed must be >= 0, got {base_seed}")
    children = np.random.SeedSequence(int(base_seed)).spawn(int(runs))
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]


# ------------------------------------------------------------ accumulators
class BinnedQuantiles:
    """Distribution of one metric per month, as counts on a fixed grid.

    ``lo``, ``hi``: the metric's range; ``bins``: grid steps (``bins + 1``
    grid points).  :meth:`add` takes a ``(k, months)`` array; values are
    rounded to the nearest grid point and clipped to the range
    (:attr:`clipped` counts values that were outside it).  Memory:
    ``months * (bins + 1)`` int32, independent of the number of runs.
    """

    def __init__(self, months: int, lo: float, hi: float, bins: int = BINS) -> None:
        if not hi > lo:
            hi = lo + 1.0
        self.months, self.lo, self.hi, self.bins = months, float(lo), float(hi), int(bins)
        self.counts = np.zeros((months, self.bins + 1), dtype=np.int32)
        self.n = 0
        self.clipped = 0
        self._offsets = (np.arange(months, dtype=np.int64) * (self.bins + 1))[None, :]

    def grid(self) -> np.ndarray:
        """The grid values, shape ``(bins + 1,)``."""
        return self.lo + (self.hi - self.lo) * np.arange(self.bins + 1) / self.bins

    def add(self, values: np.ndarray) -> None:
        """Add ``values`` of shape ``(k, months)`` (k runs)."""
        v = np.asarray(values, dtype=np.float64)
        if v.ndim == 1:
            v = v[None, :]
        idx = np.rint((v - self.lo) / (self.hi - self.lo) * self.bins)
        out = (idx < 0) | (idx > self.bins)
        self.clipped += int(out.sum())
        idx = np.clip(idx, 0, self.bins).astype(np.int64)
        flat = (idx + self._offsets).ravel()
        self.counts += np.bincount(flat, minlength=self.counts.size).reshape(self.counts.shape).astype(np.int32)
        self.n += v.shape[0]

    def quantiles(self, qs: Sequence[float] = QUANTILES) -> np.ndarray:
        """Inverted-CDF quantiles of the grid-rounded values, shape ``(months, len(qs))``.

        For each q: the smallest grid value x with ``count(<= x) >= q * n``.
        NaN when nothing was added.
        """
        out = np.full((self.months, len(qs)), np.nan)
        if self.n == 0:
            return out
        cum = np.cumsum(self.counts, axis=1, dtype=np.int64)
        grid = self.grid()
        for j, q in enumerate(qs):
            k = max(1, math.ceil(q * self.n - 1e-9))
            idx = (cum >= k).argmax(axis=1)
            out[:, j] = grid[idx]
        return out


# ---------------------------------------------------------------- one run
def _summarize(result, replicate: int, date_idx: Sequence[int]) -> tuple[list, np.ndarray, np.ndarray]:
    """(summary row values, (n_metrics, months) float32, (months,) int8 status codes)."""
    tl = result.timeline
    sessions = result.sessions
    held = [s for s in sessions if s["held"]]
    docs = {d: 0 for d in DOCUMENT_TYPES}
    best_round: dict[int, int] = {}
    first_js = first_jd = -1
    for s in held:
        d = s["document"]
        docs[d] = docs.get(d, 0) + 1
        rank = _DOC_RANK.get(d, 0)
        r = int(s["round"])
        best_round[r] = max(best_round.get(r, -1), rank)
        mi = _month_index(s["month"])
        if d == "joint_statement" and first_js < 0:
            first_js = mi
        if d == "joint_document" and first_jd < 0:
            first_jd = mi
    dec = result.decisions
    walk = next((_month_index(d["month"]) for d in dec if d["decision"] == "walks_out"), -1)
    susp = next((_month_index(d["month"]) for d in dec if d["decision"] == "suspends_participation"), -1)
    ntests = [d for d in dec if d["decision"] == "nuclear_test"]
    monthly = np.array([[row[m] for row in tl] for m in MONTHLY_METRICS], dtype=np.float64)
    status = np.array([_STATUS_CODE.get(row["talks_status"], len(STATUSES) - 1) for row in tl],
                      dtype=np.int8)
    last = tl[-1]
    row = [
        replicate,
        int(result.seed),
        len(sessions),
        len(held),
        len(sessions) - len(held),
        len(best_round),
        *[docs[d] for d in DOCUMENT_TYPES],
        first_js,
        first_jd,
        sum(1 for s in held if s.get("adopted_phase")),
        susp,
        walk >= 0,
        walk,
        len(ntests),
        _month_index(ntests[0]["month"]) if ntests else -1,
        sum(1 for d in dec if d["decision"] == "missile_test"),
        float(last["progress"]),
        float(monthly[0].max()),
        float(last["aid_pledged_t"]),
        float(last["aid_delivered_t"]),
        float(last["mean_trust"]),
        float(monthly[2].mean()),
        float(last["sanctions"]),
        int((status == _STATUS_CODE["in_session"]).sum()),
        int((status == _STATUS_CODE["walked_out"]).sum()),
        _STATUS_CODE.get(last["talks_status"], len(STATUSES) - 1),
        *[best_round.get(r, -1) for r in range(1, ROUNDS + 1)],
    ]
    for t in date_idx:
        for k, m in enumerate(MONTHLY_METRICS):
            if m in _DATE_METRICS:
                row.append(float(monthly[k, t]))
    return row, monthly.astype(np.float32), status


_WORKER_SCENARIO: Scenario | None = None


def _init_worker(scenario: Scenario) -> None:
    global _WORKER_SCENARIO
    _WORKER_SCENARIO = scenario


def _run_chunk(scenario: Scenario | None, chunk: Sequence[tuple[int, int]],
               date_idx: Sequence[int]) -> tuple[list[list], np.ndarray, np.ndarray, int]:
    """Run the (replicate, seed) pairs of ``chunk``; return stacked compact results.

    Returns (summary rows, (k, n_metrics, months) float32, (k, months) int8,
    number of entries left in ``mesa.Agent._ids`` afterwards).
    """

    from sixparty.runner import simulate

    sc = scenario if scenario is not None else _WORKER_SCENARIO
    rows, monthly, status = [], [], []
    for rep, seed in chunk:
        res = simulate(sc, seed=seed, record_positions=False)
        r, m, s = _summarize(res, rep, date_idx)
        rows.append(r)
        monthly.append(m)
        status.append(s)
        del res
    return rows, np.stack(monthly), np.stack(status), live_models()


# ----------------------------------------------------------------- result
@dataclass
class EnsembleResult:
    """An ensemble's compact results.

    scenario: the :class:`Scenario`; runs, base_seed, jobs, chunk_size;
    seeds: (runs,) model seeds; months: ``YYYY-MM`` labels of the window;
    dates: ``YYYY-MM`` labels with per-run values in the summaries
    (``progress@YYYY-MM``, ``aid_delivered_t@YYYY-MM``, ``mean_trust@YYYY-MM``);
    summaries: column -> (runs,) array (:data:`SUMMARY_COLUMNS` + per-date
    columns; month columns hold month indices, -1 = never; ``doc_round_r``
    holds an index into ``DOCUMENT_TYPES``, -1 = round not held);
    quantiles: metric -> (months, len(QUANTILES)); means: metric -> (months,);
    status_counts: (months, len(STATUSES)) int; elapsed_s: wall time;
    leaked_models: entries left in ``mesa.Agent._ids`` (should be 0);
    clipped: metric -> values outside the binned range (should be 0).
    """

    scenario: Scenario
    runs: int
    base_seed: int
    jobs: int
    chunk_size: int
    seeds: np.ndarray
    months: list[str]
    dates: list[str]
    summaries: dict[str, np.ndarray]
    quantiles: dict[str, np.ndarray]
    means: dict[str, np.ndarray]
    status_counts: np.ndarray
    elapsed_s: float = 0.0
    leaked_models: int = 0
    clipped: dict[str, int] = field(default_factory=dict)
    bin_width: dict[str, float] = field(default_factory=dict)

    # ------------------------------------------------------------ tables
    def column_kinds(self) -> dict[str, str]:
        """Column -> kind (``int``, ``float``, ``month``, ``bool``, ``status``, ``doc``)."""
        kinds = dict(_BASE_COLUMNS)
        for c in self.summaries:
            kinds.setdefault(c, "float")
        return kinds

    def summary_rows(self) -> list[dict]:
        """``summaries.csv`` rows: months as ``YYYY-MM`` (empty = never), documents by name."""
        kinds = self.column_kinds()
        cols = list(self.summaries)
        rows = []
        for i in range(self.runs):
            row = {}
            for c in cols:
                v = self.summaries[c][i]
                k = kinds[c]
                if k == "month":
                    row[c] = _month_label(int(v)) if v >= 0 else ""
                elif k == "bool":
                    row[c] = bool(v)
                elif k == "status":
                    row[c] = STATUSES[int(v)]
                elif k == "doc":
                    row[c] = DOCUMENT_TYPES[int(v)] if v >= 0 else "not_held"
                elif k == "float":
                    row[c] = float(v)
                else:
                    row[c] = int(v)
            rows.append(row)
        return rows

    def quantile_rows(self) -> list[dict]:
        """``quantiles.csv`` rows: month x metric with q05..q95 and the mean."""
        rows = []
        for t, month in enumerate(self.months):
            for m in MONTHLY_METRICS:
                row = {"month": month, "metric": m}
                for j, q in enumerate(QUANTILES):
                    row[_qname(q)] = float(self.quantiles[m][t, j])
                row["mean"] = float(self.means[m][t])
                rows.append(row)
        return rows

    def status_rows(self) -> list[dict]:
        """``status.csv`` rows: month, share of runs in each talks status."""
        rows = []
        for t, month in enumerate(self.months):
            row = {"month": month}
            for k, s in enumerate(STATUSES):
                row[s] = float(self.status_counts[t, k] / self.runs)
            rows.append(row)
        return rows

    def date_column(self, metric: str, date: str) -> np.ndarray:
        """Per-run values of ``metric`` at month ``date`` (``YYYY-MM``), shape (runs,)."""
        return self.summaries[f"{metric}@{date}"]

    # ------------------------------------------------------------ report
    def report_lines(self) -> list[str]:
        """A short plain-English report of the ensemble."""
        s = self.summaries
        n = self.runs
        sc = self.scenario
        out = [f"{sc.title or sc.name}: {n} runs, base seed {self.base_seed}, "
               f"{sc.window.start} to {sc.window.end} ({self.elapsed_s:.1f} s, "
               f"{n / max(self.elapsed_s, 1e-9):.0f} runs/s, {self.jobs} "
               f"{'job' if self.jobs == 1 else 'jobs'})"]
        walked = s["walked_out"].astype(bool)
        line = f"  DPRK walks out: {_pct(walked.mean())} of runs"
        if walked.any():
            q = np.quantile(s["walkout_month"][walked], [0.05, 0.5, 0.95], method="inverted_cdf")
            line += f" (median {_month_label(int(q[1]))}, 90% between {_month_label(int(q[0]))} and {_month_label(int(q[2]))})"
        out.append(line)
        out.append(f"  At least one joint statement: {_pct((s['n_joint_statement'] > 0).mean())}; "
                   f"joint document: {_pct((s['n_joint_document'] > 0).mean())}; "
                   f"nuclear test: {_pct((s['nuclear_tests'] > 0).mean())}")
        out.append(f"  Sessions held: median {np.median(s['sessions_held']):.0f} "
                   f"(5-95%: {np.quantile(s['sessions_held'], 0.05):.0f}-{np.quantile(s['sessions_held'], 0.95):.0f})")
        for col, label, fmt_ in (("final_progress", "Denuclearization progress at the end", "{:.2f}"),
                                 ("aid_delivered_t", "Aid delivered by the end (t HFO-eq.)", "{:,.0f}"),
                                 ("mean_trust", "Mean trust over the window", "{:.2f}")):
            q = np.quantile(s[col], [0.05, 0.5, 0.95])
            out.append(f"  {label}: median {fmt_.format(q[1])} (5-95%: {fmt_.format(q[0])} to {fmt_.format(q[2])})")
        if self.leaked_models:
            out.append(f"  warning: {self.leaked_models} models left in mesa.Agent._ids")
        return out


def _qname(q: float) -> str:
    return f"q{round(q * 100):02d}"


def _pct(x: float) -> str:
    return f"{100 * float(x):.0f}%"


# ------------------------------------------------------------------ runner
def _chunks(pairs: list[tuple[int, int]], size: int) -> list[list[tuple[int, int]]]:
    return [pairs[i:i + size] for i in range(0, len(pairs), size)]


def default_chunk_size(runs: int, jobs: int) -> int:
    """Replicates per task: about 4 tasks per worker, at most 64 per task."""
    return max(1, min(64, math.ceil(runs / (4 * max(1, jobs)))))


def _dates_index(scenario: Scenario, dates: Sequence[str]) -> list[int]:
    start = _month_index(scenario.window.start)
    n = scenario.window.months
    idx = []
    for d in dates:
        t = _month_index(d) - start
        if not 0 <= t < n:
            raise ValueError(f"date {d} is outside the window of scenario {scenario.name!r} "
                             f"({scenario.window.start}..{scenario.window.end})")
        idx.append(t)
    return idx


def run_ensemble(scenario: Scenario, runs: int, base_seed: int, jobs: int = 1,
                 progress: bool = True, dates: Sequence[str] = (),
                 chunk_size: int | None = None) -> EnsembleResult:
    """Run ``runs`` replicates of ``scenario`` with seeds from :func:`derive_seeds`.

    jobs: worker processes (1 = run in this process); the result does not
    depend on it (nor on ``chunk_size``).  progress: show a tqdm bar on
    stderr (only when stderr is a terminal).  dates: ``YYYY-MM`` months whose
    progress, aid delivered and mean trust are kept per run.  Raises
    ValueError on ``runs < 1``, ``jobs < 1`` or a date outside the window.
    """
    if runs < 1:
        raise ValueError(f"runs must be >= 1, got {runs}")
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs}")
    t0 = time.perf_counter()
    dates = [str(d) for d in dates]
    date_idx = _dates_index(scenario, dates)
    seeds = derive_seeds(base_seed, runs)
    months = [_month_label(_month_index(scenario.window.start) + t) for t in range(scenario.window.months)]
    n_months = len(months)
    aid_hi = float(sum(ph.aid_tonnes for ph in scenario.phases)) or 1.0
    ranges = {"progress": (0.0, 1.0), "aid_delivered_t": (0.0, aid_hi),
              "mean_trust": (0.0, 1.0), "sanctions": (0.0, 1.0)}
    acc = {m: BinnedQuantiles(n_months, *ranges[m]) for m in MONTHLY_METRICS}
    sums = np.zeros((len(MONTHLY_METRICS), n_months), dtype=np.float64)
    status_counts = np.zeros((n_months, len(STATUSES)), dtype=np.int64)
    date_cols = [f"{m}@{d}" for d in dates for m in MONTHLY_METRICS if m in _DATE_METRICS]
    kinds = dict(_BASE_COLUMNS)
    cols: dict[str, np.ndarray] = {}
    for name, kind in _BASE_COLUMNS:
        cols[name] = np.zeros(runs, dtype=np.float64 if kind == "float" else np.int64)
    for c in date_cols:
        cols[c] = np.zeros(runs, dtype=np.float64)
        kinds[c] = "float"
    names = list(cols)
    leaked = 0

    def fold(rows: list[list], monthly: np.ndarray, status: np.ndarray, left: int) -> None:
        nonlocal leaked
        leaked = max(leaked, left)
        for r in rows:
            i = r[0]
            for c, v in zip(names, r, strict=True):
                cols[c][i] = v
        for k, m in enumerate(MONTHLY_METRICS):
            acc[m].add(monthly[:, k, :])
            # row by row, in replicate order: the same float sums whatever jobs is
            for row in monthly[:, k, :].astype(np.float64):
                sums[k] += row
        for k in range(len(STATUSES)):
            status_counts[:, k] += (status == k).sum(axis=0)

    size = chunk_size or default_chunk_size(runs, jobs)
    chunks = _chunks(list(enumerate(seeds)), size)
    bar = _progress_bar(runs, scenario.name, progress)
    try:
        if jobs == 1:

            before = live_models()
            for ch in chunks:
                rows, monthly, status, left = _run_chunk(scenario, ch, date_idx)
                fold(rows, monthly, status, left - before)
                bar.update(len(ch))
        else:
            ctx = multiprocessing.get_context("spawn")
            with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx,
                                        initializer=_init_worker, initargs=(scenario,)) as ex:
                pending: list[tuple[cf.Future, int]] = []
                it = iter(chunks)
                try:
                    for ch in it:
                        pending.append((ex.submit(_run_chunk, None, ch, date_idx), len(ch)))
                        if len(pending) >= 2 * jobs:
                            break
                    while pending:
                        fut, k = pending.pop(0)
                        fold(*fut.result())
                        bar.update(k)
                        nxt = next(it, None)
                        if nxt is not None:
                            pending.append((ex.submit(_run_chunk, None, nxt, date_idx), len(nxt)))
                except BaseException:
                    for fut, _ in pending:
                        fut.cancel()
                    ex.shutdown(wait=True, cancel_futures=True)
                    raise
    finally:
        bar.close()
    qs = {m: acc[m].quantiles(QUANTILES) for m in MONTHLY_METRICS}
    means = {m: sums[k] / runs for k, m in enumerate(MONTHLY_METRICS)}
    return EnsembleResult(
        scenario=scenario, runs=runs, base_seed=int(base_seed), jobs=jobs, chunk_size=size,
        seeds=np.array(seeds, dtype=np.int64), months=months, dates=dates,
        summaries=cols, quantiles=qs, means=means, status_counts=status_counts,
        elapsed_s=time.perf_counter() - t0, leaked_models=leaked,
        clipped={m: acc[m].clipped for m in MONTHLY_METRICS},
        bin_width={m: (ranges[m][1] - ranges[m][0]) / BINS for m in MONTHLY_METRICS},
    )


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(total: int, name: str, enabled: bool):
    if not enabled or not getattr(sys.stderr, "isatty", lambda: False)():
        return _NoBar()
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover
        return _NoBar()
    return tqdm(total=total, desc=name, unit="run", file=sys.stderr, leave=False)


# ------------------------------------------------------------------ writing
SEED_DERIVATION = ("numpy.random.SeedSequence(base_seed).spawn(runs); replicate i uses "
                   "int(child_i.generate_state(1, dtype=uint64)[0] >> 1)")
QUANTILE_METHOD = (f"inverted CDF (Hyndman-Fan type 1) of values rounded to a grid of {BINS} steps "
                   "over each metric's range")


def ensemble_manifest(result: EnsembleResult, scenario_path=None, command=None) -> dict:
    """The manifest of an ensemble folder (without ``files``)."""
    from sixparty.outputs import package_versions

    sha = None
    if scenario_path:
        import hashlib

        sha = hashlib.sha256(Path(scenario_path).read_bytes()).hexdigest()
    return {
        "kind": "ensemble",
        "scenario": result.scenario.name,
        "scenario_file": str(scenario_path) if scenario_path else None,
        "scenario_sha256": sha,
        "runs": result.runs,
        "base_seed": result.base_seed,
        "seed_derivation": SEED_DERIVATION,
        "first_seeds": [int(s) for s in result.seeds[:5]],
        "window": [result.scenario.window.start, result.scenario.window.end],
        "positions_mode": "anchored" if result.scenario.parameters.anchoring else "free",
        "dates": result.dates,
        "quantiles": list(QUANTILES),
        "quantile_method": QUANTILE_METHOD,
        "quantile_resolution": result.bin_width,
        "values_outside_range": result.clipped,
        "jobs": result.jobs,
        "chunk_size": result.chunk_size,
        "leaked_models": result.leaked_models,
        "versions": package_versions(),
        "command": list(command) if command else None,
        "started_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "elapsed_s": round(result.elapsed_s, 3),
    }


def ensemble_texts(result: EnsembleResult) -> dict[str, str]:
    """The CSV files of an ensemble folder: name -> text."""
    from sixparty.outputs import csv_text

    qcols = ["month", "metric", *[_qname(q) for q in QUANTILES], "mean"]
    return {
        "summaries.csv": csv_text(result.summary_rows(), list(result.summaries)),
        "quantiles.csv": csv_text(result.quantile_rows(), qcols),
        "status.csv": csv_text(result.status_rows(), ["month", *STATUSES]),
    }


def write_ensemble(result: EnsembleResult, out_dir: str | os.PathLike, scenario_path=None,
                   command: Sequence[str] | None = None,
                   writers: Iterable[Callable[[Path], Sequence[str]]] = ()) -> list[str]:
    """Write ``summaries.csv``, ``quantiles.csv``, ``status.csv``, ``manifest.json`` (+ writers)."""
    return write_atomically(out_dir, ensemble_texts(result), writers,
                            manifest=ensemble_manifest(result, scenario_path, command))


def fan_chart_writer(results: Sequence[EnsembleResult], labels: Sequence[str],
                     fmt: str = "png", name: str = "fan_progress") -> Callable[[Path], list[str]]:
    """A writer drawing the fan chart of progress (see :func:`analysis.compare.plot_fan`)."""

    def write(folder: Path) -> list[str]:
        from sixparty.analysis.compare import plot_fan

        fname = f"{name}.{fmt}"
        plot_fan(results, labels, folder / fname)
        return [fname]

    return write


# ---------------------------------------------------------------------- CLI
def cli_ensemble(args, path, scenario: Scenario) -> int:
    """``sixparty run SCENARIO --runs N [--jobs J] [--seed S] [--out DIR]``.

    Writes ``runs/<scenario>-ens<N>-<seed>/`` (or ``--out``) and prints a
    short report.  The base seed is ``--seed`` or the scenario's seed.
    """
    runs = int(args.runs)
    jobs = int(getattr(args, "jobs", None) or os.cpu_count() or 1)
    seed = scenario.seed if getattr(args, "seed", None) is None else int(args.seed)
    quiet = bool(getattr(args, "quiet", False))
    result = run_ensemble(scenario, runs, seed, jobs=jobs, progress=not quiet)
    out_dir = getattr(args, "out", None) or f"runs/{scenario.name}-ens{runs}-{seed}"
    writers = []
    if not getattr(args, "no_plots", False):
        writers.append(fan_chart_writer([result], [scenario.name],
                                        fmt=getattr(args, "format", None) or "png"))
    files = write_ensemble(result, out_dir, scenario_path=path, command=sys.argv, writers=writers)
    print("\n".join(result.report_lines()))
    print(f"\nWrote {len(files)} files to {out_dir}/")
    return 0
