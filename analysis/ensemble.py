"""Monte Carlo ensembles: one scenario, many seeds, streamed to disk as the runs come in.

Public API
----------
``replicate_seed(base_seed, r) -> int``
    The model seed of replicate ``r``; depends only on ``(base_seed, r)``.
``derive_seeds(base_seed, runs) -> list[int]``
    ``[replicate_seed(base_seed, r) for r in range(runs)]``.
``run_ensemble(scenario, runs, base_seed, jobs=1, progress=None, dates=(), chunk_size=None,
executor=None, workdir=None, table_format="csv") -> EnsembleResult``
    Run ``runs`` replicates of ``scenario`` on an executor
    (:mod:`sixparty.analysis.executors`: this process, a process pool, a
    dask cluster); the files are byte-identical whatever the executor, the
    number of workers or the chunk size.
``write_ensemble(result, out_dir, scenario_path=None, command=None) -> list[str]``
    Write ``runs.csv`` (or ``runs.parquet``), ``quantiles.csv``,
    ``status.csv`` and ``manifest.json`` atomically.
``cli_ensemble(args, path, scenario) -> int``
    ``sixparty run SCENARIO --runs N [--jobs J | --dask ADDR] [--seed S] [--out DIR]``.
``map_runs(items, summarise, executor=None, chunk_size=None) -> iterator``
    ``summarise(item, simulate(scenario, seed))`` for ``(scenario, seed, ...)``
    items, in order, on any executor (for the validation harness).
``check_bounds(runs, jobs, months, ...)``
    The limits of ``--runs`` and ``--jobs`` (:data:`MAX_RUNS`, cores, disk, memory).

Seeds
-----
Replicate ``r`` runs with the model seed
``int(SeedSequence(base_seed, spawn_key=(r,)).generate_state(1, uint64)[0] >> 1)``,
a 63-bit integer.  ``SeedSequence(base_seed, spawn_key=(r,))`` is the
``r``-th child that ``SeedSequence(base_seed).spawn(n)`` would give for any
``n > r``, but it is built alone: no list of children is made, seeds are
derived in the workers chunk by chunk, and one replicate can be rerun by
itself (``sixparty run --seed-of ENSEMBLE_DIR R``).

Streaming and memory
--------------------
The work unit is a chunk of consecutive replicate indices
(:func:`_ensemble_chunk`); it returns, per run, one row of the per-run table
and the run's monthly scalars :data:`MONTHLY_METRICS` as float32.  The parent
folds chunks in replicate order and writes them at once:

* the rows go to ``runs.csv`` (or ``runs.parquet``, row groups of
  :data:`PARQUET_ROW_GROUP` rows whatever the chunk size) in the work folder;
* the numeric columns go to a column file ``.work/columns.bin`` (one
  contiguous float64/int64 row per column; read back lazily, as memory
  maps, by :attr:`EnsembleResult.summaries`);
* the monthly scalars go to ``.work/monthly.bin``, float32 laid out as
  ``(metric, month, run)``, so each month of each metric is one contiguous
  row of ``runs`` values;
* the talks-status counts are summed (``months x 7`` integers).

Nothing kept in the parent grows with the number of runs.  At the end each
(metric, month) row is read alone and its quantiles are computed exactly
with ``numpy.quantile`` (default "linear" method, Hyndman-Fan type 7) and its
mean with float64 pairwise summation: transient memory ``~8 x runs`` bytes.
Disk: :func:`bytes_per_run` (``16 x months`` for the monthly scalars, 8 per
numeric column, ~400 for the CSV row); ``.work/`` is removed when the folder
is complete.

Mesa 3.3.1 keeps every model alive through ``mesa.Agent._ids``;
:func:`sim.runner.simulate` drops the finished model's entry, and the
ensemble checks it did (``tests/test_ensemble.py``).
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sixparty._mesa_compat import live_models
from sixparty.analysis.executors import (
    SERIAL_BELOW,
    Executor,
    chunked,
    default_chunk_size,
    make_executor,
    map_chunks,
    progress_bar,
)
from sixparty.outputs import fmt, write_atomically
from sixparty.scenario import DOCUMENT_TYPES, Scenario

__all__ = [
    "MAX_RUNS",
    "MONTHLY_METRICS",
    "QUANTILES",
    "WINDOW_MONTHS",
    "STATUSES",
    "SUMMARY_COLUMNS",
    "EnsembleResult",
    "Stopped",
    "bytes_per_run",
    "check_bounds",
    "cli_ensemble",
    "map_runs",
    "outcome_windows",
    "window_name",
    "derive_seeds",
    "replicate_seed",
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
STATUSES: tuple[str, ...] = (
    "no_talks",
    "in_session",
    "recess",
    "boycott",
    "suspended",
    "walked_out",
    "other",
)
#: Quantile levels written to ``quantiles.csv``.
QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
#: Months of an outcome window (``window:2005-07..2005-09`` columns): calendar quarters, the
#: same grid for every scenario (docs/outputs.md says why quarters).
WINDOW_MONTHS = 3
#: Recorded sessions assumed by the disk estimate (analysis/data/record.yaml has 14).
_RECORD_COLUMNS_ESTIMATE = 24
#: Most runs one ensemble may have (``--runs``): 10 million runs of a 120-month window
#: stream about 28 GB to disk; split bigger studies into ensembles with other base seeds.
MAX_RUNS = 10_000_000
#: Replicates one model steps at once in a worker (a chunk runs in batches of
#: at most this many): large enough that the model's per-step Python cost is
#: shared by many runs (benchmarks/README.md), small enough that a batch's
#: records stay a few tens of MB.  Results do not depend on it (tested).
MODEL_BATCH = 256

#: Rows per Parquet row group (fixed, so the file does not depend on the chunk size).
PARQUET_ROW_GROUP = 65_536
#: Bytes of a ``runs.csv`` row, a generous estimate for the disk check.
CSV_ROW_BYTES = 512

_DOC_RANK = {d: i for i, d in enumerate(DOCUMENT_TYPES)}
_STATUS_CODE = {s: i for i, s in enumerate(STATUSES)}

# (name, kind) - kind: "int", "float", "month" (month index, -1 = never), "bool",
# "status" (index into STATUSES), "doc" (index into DOCUMENT_TYPES, -1 = no session held),
# "match" (index into DOCUMENT_TYPES, -1 = no simulated session matched the recorded one),
# "phase" (index into the scenario's phases, -1 = none adopted; written as the phase's name)
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
    ("first_phase_adopted", "phase"),
    ("first_phase_adopted_month", "month"),
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
]
#: Columns of ``runs.csv`` (without the per-window, per-recorded-session and per-date
#: columns) and how they are written.
SUMMARY_COLUMNS: tuple[str, ...] = tuple(n for n, _ in _BASE_COLUMNS)
_DATE_METRICS = ("progress", "aid_delivered_t", "mean_trust")


def _month_index(label: str) -> int:
    y, m = label.split("-")[:2]
    return int(y) * 12 + int(m) - 1


def _month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def outcome_windows(start: str, months: int) -> list[tuple[int, int]]:
    """The outcome windows of a scenario window: calendar quarters that overlap it.

    start: the window's first month ``YYYY-MM``; months: its length (>= 1).
    Returns ``(first, last)`` month indices (year*12 + month-1), whole quarters
    (Jan-Mar, Apr-Jun, Jul-Sep, Oct-Dec) in date order, so two scenarios'
    windows are the same wherever their windows overlap.
    """
    lo = _month_index(start)
    hi = lo + int(months) - 1
    q = lo - lo % WINDOW_MONTHS
    out = []
    while q <= hi:
        out.append((q, q + WINDOW_MONTHS - 1))
        q += WINDOW_MONTHS
    return out


def window_name(first: int, last: int) -> str:
    """``window:2005-07..2005-09`` for month indices ``first``..``last``."""
    return f"window:{_month_label(first)}..{_month_label(last)}"


def _outcome_columns(
    windows: Sequence[tuple[int, int]], recorded: Sequence
) -> list[tuple[str, str]]:
    return [(window_name(a, b), "doc") for a, b in windows] + [
        (f"record:{r.id}", "match") for r in recorded
    ]


# ------------------------------------------------------------------ seeds
def whole_number(name: str, value) -> int:
    """``value`` as an int: an int or numpy integer (not a bool, float or text).

    Raises TypeError naming ``name`` otherwise (e.g. ``runs=2.5``), where the
    arithmetic would fail later with a message about something else."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a whole number (an int), got {value!r}")
    return int(value)


def replicate_seed(base_seed: int, replicate: int) -> int:
    """Model seed of replicate ``replicate`` (an int in ``[0, 2**63)``).

    ``SeedSequence(base_seed, spawn_key=(replicate,)).generate_state(1, uint64)[0] >> 1``:
    the same child as ``SeedSequence(base_seed).spawn(n)[replicate]`` for any
    ``n > replicate``; depends only on ``(base_seed, replicate)``.  Raises
    ValueError if either is negative, TypeError if either is not a whole number.
    """
    replicate = whole_number("replicate", replicate)
    base_seed = whole_number("base_seed", base_seed)
    if replicate < 0:
        raise ValueError(f"replicate must be >= 0, got {replicate}")
    if base_seed < 0:
        raise ValueError(f"base_seed must be >= 0, got {base_seed}")
    child = np.random.SeedSequence(int(base_seed), spawn_key=(int(replicate),))
    return int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def derive_seeds(base_seed: int, runs: int) -> list[int]:
    """Model seeds of replicates ``0 .. runs-1`` (see :func:`replicate_seed`).

    Prefix-stable (the first ``k`` seeds do not depend on ``runs``) and
    distinct in practice (63-bit hashes).  Raises ValueError if ``runs < 1``
    or ``base_seed < 0``, TypeError if either is not a whole number.
    """
    runs = whole_number("runs", runs)
    whole_number("base_seed", base_seed)
    if runs < 1:
        raise ValueError(f"runs must be >= 1, got {runs}")
    return [replicate_seed(base_seed, r) for r in range(int(runs))]


# ---------------------------------------------------------------- one run
def _summarize(
    result,
    replicate: int,
    date_idx: Sequence[int],
    windows: Sequence[tuple[int, int]] = (),
    recorded: Sequence = (),
) -> tuple[list, np.ndarray, np.ndarray]:
    """(summary row values, (n_metrics, months) float32, (months,) int8 status codes).

    windows: ``(first, last)`` month indices (:func:`outcome_windows`): per
    window the best document of the held sessions in it (-1 = none held).
    recorded: :class:`~sixparty.analysis.rounds.RecordedSession` s: per recorded
    session the document of the held session matched to it
    (:func:`~sixparty.analysis.rounds.match_sessions`; -1 = not matched).
    """
    from sixparty.analysis.rounds import match_sessions

    tl = result.timeline
    sessions = result.sessions
    held = [s for s in sessions if s["held"]]
    # the first joint document that adopted a phase: the phase by its place in the
    # scenario's list (the runs table holds numbers until it is written)
    first_adopted = next((s for s in held if s.get("adopted_phase")), None)
    phase_names = [ph.name for ph in result.scenario.phases] if first_adopted else []
    docs = {d: 0 for d in DOCUMENT_TYPES}
    best_round: dict[int, int] = {}
    held_months = [_month_index(s["month"]) for s in held]
    held_ranks = [_DOC_RANK.get(s["document"], 0) for s in held]
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
    susp = next(
        (_month_index(d["month"]) for d in dec if d["decision"] == "suspends_participation"), -1
    )
    ntests = [d for d in dec if d["decision"] == "nuclear_test"]
    monthly = np.array([[row[m] for row in tl] for m in MONTHLY_METRICS], dtype=np.float64)
    status = np.array(
        [_STATUS_CODE.get(row["talks_status"], len(STATUSES) - 1) for row in tl], dtype=np.int8
    )
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
        phase_names.index(first_adopted["adopted_phase"]) if first_adopted else -1,
        _month_index(first_adopted["month"]) if first_adopted else -1,
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
    ]
    for a, b in windows:
        row.append(
            max(
                (k for m, k in zip(held_months, held_ranks, strict=True) if a <= m <= b), default=-1
            )
        )
    if recorded:
        doc_of = [-1] * len(recorded)
        for k, i in zip(held_ranks, match_sessions(held_months, recorded), strict=True):
            if i is not None:
                doc_of[i] = k
        row.extend(doc_of)
    for t in date_idx:
        for k, m in enumerate(MONTHLY_METRICS):
            if m in _DATE_METRICS:
                row.append(float(monthly[k, t]))
    return row, monthly.astype(np.float32), status


def _ensemble_chunk(
    shared: tuple[Scenario, int, tuple[int, ...]], replicates: list[int]
) -> tuple[list[list], np.ndarray, np.ndarray, int]:
    """Run the replicates ``replicates`` (consecutive indices) of one ensemble.

    shared: (scenario, base seed, month offsets of the per-date columns, outcome
    windows, recorded sessions: see :func:`_summarize`).
    Returns (per-run rows in replicate order, ``(k, n_metrics, months)``
    float32 monthly scalars, ``(k, months)`` int8 status codes, entries left
    in ``mesa.Agent._ids`` afterwards).  A later model that simulates many
    replicates in one call can replace the loop without changing the caller.
    """
    from sixparty.runner import iter_batch

    scenario, base_seed, date_idx, windows, recorded = shared
    before = live_models()
    rows, monthly, status = [], [], []
    for batch in chunked(replicates, MODEL_BATCH):
        seeds = [replicate_seed(base_seed, rep) for rep in batch]
        for rep, res in zip(
            batch, iter_batch(scenario, seeds, record_positions=False), strict=True
        ):
            r, m, s = _summarize(res, rep, date_idx, windows, recorded)
            rows.append(r)
            monthly.append(m)
            status.append(s)
    return rows, np.stack(monthly), np.stack(status), live_models() - before


def _simulate_items(summarise: Callable, items: list) -> list:
    """Simulate a chunk of ``(scenario, seed, ...)`` items and summarise each:
    consecutive items whose scenarios differ at most in batchable parameters and
    judgement inputs (one scenario's replicates; a comparison's scenarios that
    change only parameters) run in one model, each replicate with its own
    scenario, in batches of :data:`MODEL_BATCH` (the results do not depend on the
    batching)."""
    from sixparty.replicates import structure_key
    from sixparty.runner import iter_batch

    known: dict[int, str] = {}

    def key(sc) -> str:
        if id(sc) not in known:
            known[id(sc)] = structure_key(sc)
        return known[id(sc)]

    out: list = []
    start = 0
    while start < len(items):
        end = start + 1
        while (
            end < len(items)
            and end - start < MODEL_BATCH
            and (items[end][0] is items[start][0] or key(items[end][0]) == key(items[start][0]))
        ):
            end += 1
        group = items[start:end]
        seeds = [int(it[1]) for it in group]
        scs = [it[0] for it in group]
        same = all(sc is scs[0] for sc in scs)
        runs = iter_batch(scs[0], seeds, record_positions=False, variants=None if same else scs)
        for item, res in zip(group, runs, strict=True):
            out.append(summarise(item, res))
        start = end
    return out


def _simulate_item(summarise: Callable, item: tuple) -> object:
    from sixparty.runner import simulate

    scenario, seed = item[0], item[1]
    return summarise(item, simulate(scenario, seed=int(seed), record_positions=False))


def map_runs(
    items: Sequence[tuple],
    summarise: Callable,
    *,
    executor: Executor | None = None,
    chunk_size: int | None = None,
    progress: bool | None = None,
    serial_below: int = SERIAL_BELOW,
) -> Iterator:
    """Simulate every ``(scenario, seed, ...)`` item and yield ``summarise(item, run_result)``
    in the items' order.

    The entry point for batches of single runs summarised by the caller
    (``sixparty evaluate``/``calibrate``/``sensitivity``): items may carry
    more than the scenario and seed (a parameter-set id, a replicate) after
    them; summarise must be a module-level function (workers import it)
    returning something small and picklable (a dict of scores, a row).  Runs
    on ``executor`` (default: this process) in chunks of ``chunk_size``
    items; the results do not depend on the executor or the chunk size.
    Use :func:`replicate_seed` for the seeds of replicates.
    """
    from sixparty.analysis.executors import map_items

    yield from map_items(
        _simulate_item,
        items,
        shared=summarise,
        chunk_func=_simulate_items,
        executor=executor,
        chunk_size=chunk_size,
        serial_below=serial_below,
        progress=progress,
    )


# ------------------------------------------------------------ on-disk tables
class _RowsFile:
    """A 2-D array on disk, ``(n_rows, length)`` of ``dtype``, written in column blocks.

    :meth:`write` puts a ``(n_rows, k)`` block at columns ``i0 .. i0+k`` with
    one ``pwrite`` per row (no memory map, so the parent's resident memory
    does not grow with the file); :meth:`row` reads one row back.
    """

    def __init__(self, path: Path, n_rows: int, length: int, dtype) -> None:
        self.path, self.n_rows, self.length = path, int(n_rows), int(length)
        self.dtype = np.dtype(dtype)
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        os.ftruncate(self._fd, self.n_rows * self.length * self.dtype.itemsize)

    def write(self, i0: int, block: np.ndarray) -> None:
        block = np.ascontiguousarray(block, dtype=self.dtype)
        size = self.dtype.itemsize
        for j in range(self.n_rows):
            os.pwrite(self._fd, block[j].tobytes(), (j * self.length + i0) * size)

    def row(self, j: int) -> np.ndarray:
        """Row ``j`` read into memory, shape ``(length,)``."""
        size = self.dtype.itemsize
        data = os.pread(self._fd, self.length * size, j * self.length * size)
        return np.frombuffer(data, dtype=self.dtype)

    def view(self, j: int) -> np.ndarray:
        """Row ``j`` as a read-only memory map (nothing read until used)."""
        return np.memmap(
            self.path,
            dtype=self.dtype,
            mode="r",
            offset=j * self.length * self.dtype.itemsize,
            shape=(self.length,),
        )

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


class _Columns(Mapping):
    """Per-run columns (name -> ``(runs,)`` array), memory-mapped from the column files."""

    def __init__(
        self, names: list[str], kinds: dict[str, str], ints: _RowsFile, floats: _RowsFile
    ) -> None:
        self._names = names
        self._where = {}
        ni = nf = 0
        for n in names:
            if kinds[n] == "float":
                self._where[n] = (floats, nf)
                nf += 1
            else:
                self._where[n] = (ints, ni)
                ni += 1
        self._cache: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._cache:
            f, j = self._where[name]
            self._cache[name] = f.view(j)
        return self._cache[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _cell(kind: str, v, phases: Sequence[str] = ()):
    """A per-run value as written in ``runs.csv`` (months as YYYY-MM, documents by name,
    phases by their name in ``phases``, the scenario's, or empty for none)."""
    if kind == "phase":
        return phases[int(v)] if v >= 0 else ""
    if kind == "month":
        return _month_label(int(v)) if v >= 0 else ""
    if kind == "bool":
        return bool(v)
    if kind == "status":
        return STATUSES[int(v)]
    if kind == "doc":
        return DOCUMENT_TYPES[int(v)] if v >= 0 else "not_held"
    if kind == "match":
        return DOCUMENT_TYPES[int(v)] if v >= 0 else "not_matched"
    if kind == "float":
        return float(v)
    return int(v)


class _RunsWriter:
    """Streams per-run rows into ``runs.csv`` or ``runs.parquet``."""

    def __init__(
        self,
        path: Path,
        names: list[str],
        kinds: dict[str, str],
        table_format: str,
        phases: Sequence[str] = (),
    ) -> None:
        self.path, self.names, self.kinds, self.format = path, names, kinds, table_format
        self.phases = tuple(phases)  # the scenario's phase names, for "phase" columns
        if table_format == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            types = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}
            self._schema = pa.schema([(n, types.get(kinds[n], pa.string())) for n in names])
            self._writer = pq.ParquetWriter(str(path), self._schema, compression="zstd")
            self._buf: list[list] = []
        else:
            self._fh = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
            self._csv = csv.writer(self._fh, lineterminator="\n")
            self._csv.writerow(names)

    def write(self, rows: list[list]) -> None:
        kinds = [self.kinds[n] for n in self.names]
        if self.format == "parquet":
            for r in rows:
                self._buf.append([_cell(k, v, self.phases) for k, v in zip(kinds, r, strict=True)])
            while len(self._buf) >= PARQUET_ROW_GROUP:
                self._flush(self._buf[:PARQUET_ROW_GROUP])
                self._buf = self._buf[PARQUET_ROW_GROUP:]
        else:
            self._csv.writerows(
                [fmt(_cell(k, v, self.phases)) for k, v in zip(kinds, r, strict=True)] for r in rows
            )

    def _flush(self, rows: list[list]) -> None:
        import pyarrow as pa

        cols = {}
        for j, n in enumerate(self.names):
            vals = [r[j] for r in rows]
            if self.kinds[n] in ("month", "phase"):
                vals = [v or None for v in vals]
            cols[n] = vals
        self._writer.write_table(pa.table(cols, schema=self._schema))

    def close(self) -> None:
        if self.format == "parquet":
            if self._writer is not None:
                if self._buf:
                    self._flush(self._buf)
                    self._buf = []
                self._writer.close()
                self._writer = None
        elif not self._fh.closed:
            self._fh.close()


# ----------------------------------------------------------------- result
@dataclass
class EnsembleResult:
    """An ensemble's results: small aggregates in memory, per-run data on disk.

    scenario: the :class:`Scenario`; runs, base_seed, jobs (workers),
    chunk_size, executor (a description); seeds: a lazy ``(runs,)`` int64
    column; months: ``YYYY-MM`` labels of the window; dates: ``YYYY-MM``
    labels with per-run values (``progress@YYYY-MM``,
    ``aid_delivered_t@YYYY-MM``, ``mean_trust@YYYY-MM``); summaries: column
    -> ``(runs,)`` array, memory-mapped from disk (:data:`SUMMARY_COLUMNS` +
    per-window ``window:YYYY-MM..YYYY-MM`` and per-recorded-session
    ``record:<id>`` columns + per-date columns; month columns hold month
    indices, -1 = never; window and record columns hold an index into
    ``DOCUMENT_TYPES``, -1 = no session held in the window / not matched; the phase column
    ``first_phase_adopted`` holds an index into ``scenario.phases``, -1 = none); quantiles: metric -> ``(months, len(QUANTILES))``; means: metric
    -> ``(months,)``; status_counts: ``(months, len(STATUSES))``; workdir:
    the folder holding ``runs_file`` (``runs.csv`` or ``runs.parquet``);
    worker_pids: the process ids that ran chunks (for tests; never written
    to a data file); elapsed_s: wall time; leaked_models: entries left in
    ``mesa.Agent._ids`` (should be 0).
    """

    scenario: Scenario
    runs: int
    base_seed: int
    jobs: int
    chunk_size: int
    months: list[str]
    dates: list[str]
    summaries: Mapping[str, np.ndarray]
    quantiles: dict[str, np.ndarray]
    means: dict[str, np.ndarray]
    status_counts: np.ndarray
    workdir: Path
    runs_file: str = "runs.csv"
    executor: str = "this process"
    elapsed_s: float = 0.0
    leaked_models: int = 0
    worker_pids: set[int] = field(default_factory=set)
    kinds: dict[str, str] = field(default_factory=dict)

    @property
    def seeds(self) -> np.ndarray:
        """The model seeds, ``(runs,)`` int64 (memory-mapped)."""
        return self.summaries["seed"]

    def column_kinds(self) -> dict[str, str]:
        """Column -> kind (``int``, ``float``, ``month``, ``bool``, ``status``, ``doc``,
        ``match``, ``phase``)."""
        return dict(self.kinds)

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

    def read_runs(self):
        """The per-run table as a pandas DataFrame (reads the whole file)."""
        import pandas as pd

        path = self.workdir / self.runs_file
        if self.runs_file.endswith(".parquet"):
            return pd.read_parquet(path)
        return pd.read_csv(path, keep_default_na=False, na_values=[""])

    # ------------------------------------------------------------ report
    def report_lines(self, lang: str = "en") -> list[str]:
        """A short plain report of the ensemble in ``lang`` (``"en"``, ``"zh"``: the
        ``ensemble.*`` texts of :mod:`sixparty.analysis.i18n`; numbers and months the
        same in both)."""
        from sixparty.analysis.i18n import check_lang, phrase, scenario_title

        check_lang(lang)

        def t(key: str, **fields) -> str:
            return phrase(f"ensemble.{key}", lang, **fields)

        s = self.summaries
        n = self.runs
        sc = self.scenario
        out = [
            t(
                "head",
                title=scenario_title(sc.name, sc.title or sc.name, lang),
                n=n,
                seed=self.base_seed,
                start=sc.window.start,
                end=sc.window.end,
                elapsed=f"{self.elapsed_s:.1f}",
                rate=f"{n / max(self.elapsed_s, 1e-9):.0f}",
                executor=_executor_text(self.executor, lang),
            )
        ]
        walked = np.asarray(s["walked_out"]).astype(bool)
        line = t("walkout", pct=_share(walked))
        if walked.any():
            q = np.quantile(
                np.asarray(s["walkout_month"])[walked], [0.05, 0.5, 0.95], method="inverted_cdf"
            )
            line += t(
                "walkout_when",
                median=_month_label(int(q[1])),
                lo=_month_label(int(q[0])),
                hi=_month_label(int(q[2])),
            )
        out.append(line)
        out.append(
            t(
                "documents",
                js=_share(np.asarray(s["n_joint_statement"]) > 0),
                jd=_share(np.asarray(s["n_joint_document"]) > 0),
                nt=_share(np.asarray(s["nuclear_tests"]) > 0),
            )
        )
        out.append(
            t(
                "sessions",
                median=f"{np.median(s['sessions_held']):.0f}",
                lo=f"{np.quantile(s['sessions_held'], 0.05):.0f}",
                hi=f"{np.quantile(s['sessions_held'], 0.95):.0f}",
            )
        )
        for col, key, fmt_ in (
            ("final_progress", "progress", "{:.2f}"),
            ("aid_delivered_t", "aid", "{:,.0f}"),
            ("mean_trust", "trust", "{:.2f}"),
        ):
            q = np.quantile(s[col], [0.05, 0.5, 0.95])
            out.append(
                t(
                    "quantiles",
                    what=t(key),
                    median=fmt_.format(q[1]),
                    lo=fmt_.format(q[0]),
                    hi=fmt_.format(q[2]),
                )
            )
        out.append(t("interval"))
        if self.leaked_models:
            out.append(t("leaked", n=self.leaked_models))
        return out


def _executor_text(describe: str, lang: str) -> str:
    """An executor's ``describe()`` in ``lang``: ``this process`` and ``N worker
    processes`` have Chinese texts (``ensemble.executor.*``); a dask cluster's
    description (an address) is shown as it is."""
    from sixparty.analysis.i18n import phrase

    if lang == "en":
        return describe
    if describe == "this process":
        return phrase("ensemble.executor.serial", lang)
    m = re.fullmatch(r"(\d+) worker processes", describe)
    return phrase("ensemble.executor.processes", lang, n=m.group(1)) if m else describe


def _qname(q: float) -> str:
    return f"q{round(q * 100):02d}"


def _pct(x: float) -> str:
    return f"{100 * float(x):.0f}%"


def _share(flags) -> str:
    """The share of runs in which ``flags`` (one bool per run) holds, with its 95%
    Wilson interval (:func:`sixparty.analysis.stats.share_ci`): ``93% [86-97%]``."""
    from sixparty.analysis.stats import share_ci

    f = np.asarray(flags, dtype=bool)
    lo, hi = share_ci(int(f.sum()), len(f))
    return f"{_pct(f.mean())} [{100 * float(lo):.0f}-{100 * float(hi):.0f}%]"


# ------------------------------------------------------------------ bounds
def bytes_per_run(months: int, n_columns: int | None = None) -> int:
    """Disk bytes one run takes while an ensemble streams (see the module docstring).

    ``16 x months`` (four float32 monthly scalars) + ``8 x n_columns`` (the
    column file) + :data:`CSV_ROW_BYTES` (its ``runs.csv`` row).  n_columns
    defaults to :data:`SUMMARY_COLUMNS` + 6 date columns + the quarters of
    ``months`` + 24 recorded sessions.
    """
    if n_columns is None:
        n_columns = (
            len(_BASE_COLUMNS) + 6 + int(months) // WINDOW_MONTHS + 2 + _RECORD_COLUMNS_ESTIMATE
        )
    return 4 * len(MONTHLY_METRICS) * int(months) + 8 * int(n_columns) + CSV_ROW_BYTES


def _available_memory() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def cores() -> int:
    """Cores this process may use (``sched_getaffinity``, else ``os.cpu_count()``)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def check_bounds(
    runs: int,
    jobs: int,
    months: int,
    folder: str | os.PathLike = ".",
    force: bool = False,
    what: str = "--runs",
    scenarios: int = 1,
) -> None:
    """Refuse an ensemble that cannot run here, before any work (ValueError with the message).

    * ``runs <= MAX_RUNS``;
    * ``jobs <= cores()`` unless ``force`` (more workers than cores only add overhead);
    * disk: ``scenarios x runs x bytes_per_run(months)`` must fit in the free
      space of ``folder``'s file system (where the files are streamed);
    * memory: the exact quantiles read one ``(runs,)`` float32 row at a time
      and numpy sorts a copy: ``16 x runs`` bytes must fit in half of the
      available memory (``MemAvailable``).
    """
    if runs > MAX_RUNS:
        raise ValueError(
            f"{what} {runs:,}: at most {MAX_RUNS:,} runs per ensemble (its files "
            f"would take {_size(runs * bytes_per_run(months))}); split the study "
            "into ensembles with different --seed"
        )
    ncores = cores()
    if jobs > ncores and not force:
        raise ValueError(
            f"--jobs {jobs}: this machine has {ncores} core{'s' if ncores != 1 else ''}; "
            f"more worker processes than cores only slow an ensemble down. Use "
            f"--jobs {ncores} or fewer, or add --force"
        )
    need = scenarios * runs * bytes_per_run(months)
    probe = Path(os.path.abspath(folder))
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        free = shutil.disk_usage(probe).free
    except OSError:
        free = None
    if free is not None and need > free:
        raise ValueError(
            f"{what} {runs:,} of a {months}-month window need about {_size(need)} of "
            f"disk while they run ({_size(bytes_per_run(months))} a run); {probe} has "
            f"{_size(free)} free. Use fewer runs or another --out"
        )
    mem = _available_memory()
    if mem is not None and 16 * runs > mem // 2:
        raise ValueError(
            f"{what} {runs:,}: the exact quantiles need about {_size(16 * runs)} of "
            f"memory; {_size(mem)} is available. Use fewer runs"
        )


def _size(n: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB", "TB", "PB"):
        if n < 1000 or unit == "PB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n:.1f} PB"  # pragma: no cover


# ------------------------------------------------------------------ runner
def _dates_index(scenario: Scenario, dates: Sequence[str]) -> list[int]:
    start = _month_index(scenario.window.start)
    n = scenario.window.months
    idx = []
    for d in dates:
        t = _month_index(d) - start
        if not 0 <= t < n:
            raise ValueError(
                f"date {d} is outside the window of scenario {scenario.name!r} "
                f"({scenario.window.start}..{scenario.window.end})"
            )
        idx.append(t)
    return idx


def run_ensemble(
    scenario: Scenario,
    runs: int,
    base_seed: int,
    jobs: int = 1,
    progress: bool | None = None,
    dates: Sequence[str] = (),
    chunk_size: int | None = None,
    executor: Executor | None = None,
    workdir: str | os.PathLike | None = None,
    table_format: str = "csv",
    serial_below: int = SERIAL_BELOW,
    on_start: Callable[[Executor], None] | None = None,
) -> EnsembleResult:
    """Run ``runs`` replicates of ``scenario`` with seeds :func:`replicate_seed` (base_seed, r).

    jobs: worker processes when no ``executor`` is given (1 = this process;
    a pool is started and closed here).  executor: an executor from
    :mod:`sixparty.analysis.executors` (kept open: reuse it for several
    ensembles).  chunk_size: replicates per task (default
    :func:`~sixparty.analysis.executors.default_chunk_size`).  The files
    and every number of the result are the same whatever ``jobs``,
    ``executor`` and ``chunk_size`` are.  progress: a tqdm bar on stderr
    (``None``: only on a terminal).  dates: ``YYYY-MM`` months whose
    progress, aid delivered and mean trust are kept per run.  workdir: the
    folder to stream ``runs.csv``/``runs.parquet`` (and the ``.work/``
    scratch files) into; by default a temporary folder removed with the
    result.  table_format: ``"csv"`` or ``"parquet"`` (needs pyarrow).
    serial_below: fewer runs than this run in this process.  on_start:
    called with the executor once its workers are up, before the first chunk.  Raises
    ValueError on ``runs < 1``, ``runs > MAX_RUNS``, ``jobs < 1`` or a date
    outside the window; RuntimeError when the workers cannot start (message
    says why).
    """
    runs = whole_number("runs", runs)
    jobs = whole_number("jobs", jobs)
    whole_number("base_seed", base_seed)
    if runs < 1:
        raise ValueError(f"runs must be >= 1, got {runs}")
    if runs > MAX_RUNS:
        raise ValueError(f"runs must be <= {MAX_RUNS:,}, got {runs:,}")
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs}")
    if table_format not in ("csv", "parquet"):
        raise ValueError(f"table_format must be 'csv' or 'parquet', got {table_format!r}")
    if table_format == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ValueError(
                "Parquet output needs pyarrow: pip install 'sixparty[parquet]'"
            ) from None
    t0 = time.perf_counter()
    dates = [str(d) for d in dates]
    date_idx = tuple(_dates_index(scenario, dates))
    months = [
        _month_label(_month_index(scenario.window.start) + t) for t in range(scenario.window.months)
    ]
    n_months = len(months)

    from sixparty.analysis.rounds import recorded_sessions

    windows = tuple(outcome_windows(scenario.window.start, scenario.window.months))
    recorded = tuple(recorded_sessions())
    kinds = dict(_BASE_COLUMNS)
    kinds.update(_outcome_columns(windows, recorded))
    for d in dates:
        for m in MONTHLY_METRICS:
            if m in _DATE_METRICS:
                kinds[f"{m}@{d}"] = "float"
    names = list(kinds)
    int_idx = [j for j, n in enumerate(names) if kinds[n] != "float"]
    float_idx = [j for j, n in enumerate(names) if kinds[n] == "float"]

    if workdir is None:
        folder = Path(tempfile.mkdtemp(prefix="sixparty-ensemble-"))
        owned = True
    else:
        folder = Path(workdir)
        folder.mkdir(parents=True, exist_ok=True)
        owned = False
    scratch = folder / ".work"
    scratch.mkdir(exist_ok=True)
    runs_file = "runs.parquet" if table_format == "parquet" else "runs.csv"
    ints = _RowsFile(scratch / "columns_int.bin", len(int_idx), runs, np.int64)
    floats = _RowsFile(scratch / "columns_float.bin", len(float_idx), runs, np.float64)
    monthly_f = _RowsFile(
        scratch / "monthly.bin", len(MONTHLY_METRICS) * n_months, runs, np.float32
    )
    writer = _RunsWriter(
        folder / runs_file, names, kinds, table_format, [ph.name for ph in scenario.phases]
    )
    status_counts = np.zeros((n_months, len(STATUSES)), dtype=np.int64)
    leaked = 0
    pids: set[int] = set()
    done = 0

    own_ex = executor is None
    ex = executor if executor is not None else make_executor(jobs)
    workers = ex.workers if runs >= serial_below else 1
    size = chunk_size or default_chunk_size(runs, workers)
    bar = progress_bar(runs, scenario.name, progress)

    def tick(k: int, pid: int) -> None:
        pids.add(pid)
        bar.update(k)

    try:
        if runs >= serial_below:
            ex.start(_ensemble_chunk)
        if on_start is not None:
            on_start(ex)
        results = map_chunks(
            _ensemble_chunk,
            (scenario, int(base_seed), date_idx, windows, recorded),
            chunked(range(runs), size),
            executor=ex,
            n_items=runs,
            serial_below=serial_below,
            on_result=tick,
        )
        for rows, monthly, status, left in results:
            k = len(rows)
            leaked = max(leaked, left)
            writer.write(rows)
            block = np.array([r for r in rows], dtype=object)
            ints.write(done, block[:, int_idx].T.astype(np.int64))
            floats.write(done, block[:, float_idx].T.astype(np.float64))
            # (k, metrics, months) -> (metrics * months, k): each month a contiguous row on disk
            monthly_f.write(done, monthly.transpose(1, 2, 0).reshape(-1, k))
            for c in range(len(STATUSES)):
                status_counts[:, c] += (status == c).sum(axis=0)
            done += k
        writer.close()
        qs = {}
        means = {}
        for k_m, m in enumerate(MONTHLY_METRICS):
            q = np.empty((n_months, len(QUANTILES)))
            mu = np.empty(n_months)
            for t in range(n_months):
                row = monthly_f.row(k_m * n_months + t)
                q[t] = np.quantile(row, QUANTILES)
                mu[t] = row.mean(dtype=np.float64)
            qs[m], means[m] = q, mu
    except BaseException:
        writer.close()
        for f in (ints, floats, monthly_f):
            f.close()
        if own_ex:
            ex.abort()
        if owned:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        bar.close()
    if own_ex:
        ex.close()
    monthly_f.close()
    summaries = _Columns(names, kinds, ints, floats)
    result = EnsembleResult(
        scenario=scenario,
        runs=runs,
        base_seed=int(base_seed),
        jobs=workers,
        chunk_size=size,
        months=months,
        dates=dates,
        summaries=summaries,
        quantiles=qs,
        means=means,
        status_counts=status_counts,
        workdir=folder,
        runs_file=runs_file,
        executor=ex.describe() if runs >= serial_below else "this process",
        elapsed_s=time.perf_counter() - t0,
        leaked_models=leaked,
        worker_pids=pids,
        kinds=kinds,
    )
    ints.close()
    floats.close()
    if owned:
        weakref.finalize(result, shutil.rmtree, str(folder), True)
    return result


# ------------------------------------------------------------------ writing
SEED_DERIVATION = (
    "replicate r uses int(numpy.random.SeedSequence(base_seed, spawn_key=(r,))"
    ".generate_state(1, dtype=uint64)[0] >> 1), the r-th child of "
    "SeedSequence(base_seed).spawn()"
)
QUANTILE_METHOD = (
    "exact: numpy.quantile (linear interpolation, Hyndman-Fan type 7) of the "
    "float32 monthly values of all runs"
)


def ensemble_manifest(
    result: EnsembleResult, scenario_path=None, command=None, lang: str = "en"
) -> dict:
    """The manifest of an ensemble folder (without ``files``); ``lang``: the
    language of its report and figures (``"en"``, ``"zh"``)."""
    from sixparty.outputs import package_versions, source_files

    sha = None
    if scenario_path:
        import hashlib

        sha = hashlib.sha256(Path(scenario_path).read_bytes()).hexdigest()
    return {
        "kind": "ensemble",
        "scenario": result.scenario.name,
        "scenario_file": str(scenario_path) if scenario_path else None,
        "scenario_sha256": sha,
        # every file of the extends chain: --seed-of refuses a rerun if one changed
        "scenario_sources": source_files(scenario_path),
        "runs": result.runs,
        "base_seed": result.base_seed,
        "seed_derivation": SEED_DERIVATION,
        "first_seeds": [int(s) for s in result.seeds[:5]],
        "window": [result.scenario.window.start, result.scenario.window.end],
        "positions_mode": "anchored" if result.scenario.parameters.anchoring else "free",
        "lang": lang,
        "dates": result.dates,
        "runs_table": result.runs_file,
        "quantiles": list(QUANTILES),
        "quantile_method": QUANTILE_METHOD,
        "executor": result.executor,
        "jobs": result.jobs,
        "chunk_size": result.chunk_size,
        "leaked_models": result.leaked_models,
        "versions": package_versions(),
        "command": list(command) if command else None,
        "started_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "elapsed_s": round(result.elapsed_s, 3),
    }


def ensemble_texts(result: EnsembleResult) -> dict[str, str]:
    """The small CSV files of an ensemble folder (``quantiles.csv``, ``status.csv``): name -> text."""
    from sixparty.outputs import csv_text

    qcols = ["month", "metric", *[_qname(q) for q in QUANTILES], "mean"]
    return {
        "quantiles.csv": csv_text(result.quantile_rows(), qcols),
        "status.csv": csv_text(result.status_rows(), ["month", *STATUSES]),
    }


def _place(src: Path, dst: Path) -> None:
    """Put the file ``src`` at ``dst``: a hard link when possible, else a streamed copy."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def write_ensemble(
    result: EnsembleResult,
    out_dir: str | os.PathLike,
    scenario_path=None,
    command: Sequence[str] | None = None,
    writers: Iterable[Callable[[Path], Sequence[str]]] = (),
) -> list[str]:
    """Write ``runs.csv``/``runs.parquet``, ``quantiles.csv``, ``status.csv``, ``manifest.json``
    (+ what ``writers`` add) into ``out_dir`` atomically; returns the file names."""

    def runs_table(folder: Path) -> list[str]:
        _place(result.workdir / result.runs_file, folder / result.runs_file)
        return [result.runs_file]

    return write_atomically(
        out_dir,
        ensemble_texts(result),
        [runs_table, *writers],
        manifest=ensemble_manifest(result, scenario_path, command),
    )


def fan_chart_writer(
    results: Sequence[EnsembleResult],
    labels: Sequence[str],
    fmt: str = "png",
    name: str = "fan_progress",
) -> Callable[[Path], list[str]]:
    """A writer drawing the fan chart of progress (see :func:`analysis.compare.plot_fan`)."""

    def write(folder: Path) -> list[str]:
        from sixparty.analysis.compare import plot_fan

        fname = f"{name}.{fmt}"
        plot_fan(results, labels, folder / fname)
        return [fname]

    return write


# ---------------------------------------------------------------- stopping
class Stopped(KeyboardInterrupt):
    """SIGTERM (or SIGINT) arrived: stop the work; ``signum`` says which."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class stop_on_signals:
    """Context manager: SIGINT and SIGTERM raise :class:`Stopped` in the main thread.

    The first signal raises; later ones are ignored while the work is
    cleaned up (so a second Ctrl-C cannot leave a half-removed staging
    folder).  The previous handlers are restored on exit.  Does nothing
    outside the main thread.
    """

    def __enter__(self):
        import threading

        self._saved = {}
        if threading.current_thread() is not threading.main_thread():
            return self
        self._fired = False

        def handler(signum, frame):
            if self._fired:
                return
            self._fired = True
            raise Stopped(signum)

        for sig in (signal.SIGINT, signal.SIGTERM):
            self._saved[sig] = signal.signal(sig, handler)
        return self

    def __exit__(self, *exc) -> None:
        for sig, h in self._saved.items():
            signal.signal(sig, h)


# ---------------------------------------------------------------------- CLI
def cli_executor(args, runs: int, months: int, out: str | os.PathLike, scenarios: int = 1):
    """The executor for ``--jobs``/``--dask``/``SIXPARTY_DASK`` after :func:`check_bounds`.

    Raises :class:`sixparty.cli.CLIError` (exit 2) on a bound or a missing
    dask; prints the dask dashboard link on stderr.
    """
    from sixparty.cli import CLIError

    dask = getattr(args, "dask", None) or os.environ.get("SIXPARTY_DASK") or None
    jobs = int(getattr(args, "jobs", None) or cores())
    if jobs < 1:
        raise CLIError(f"--jobs: expected a whole number >= 1, got {jobs}")
    try:
        check_bounds(
            runs,
            jobs if (not dask or dask == "local") else 1,
            months,
            folder=Path(out).parent,
            force=bool(getattr(args, "force", False)),
            scenarios=scenarios,
        )
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    if dask:
        if dask != "local" and not dask.startswith(("tcp://", "tls://")):
            raise CLIError(
                f"--dask: expected 'local' or a scheduler address tcp://HOST:PORT, got {dask!r}"
            )
        try:
            ex = make_executor(jobs, dask=dask)
        except RuntimeError as exc:
            raise CLIError(str(exc)) from None
        except (OSError, TimeoutError) as exc:
            raise CLIError(f"--dask {dask}: cannot reach the scheduler ({exc})") from None
        if getattr(ex, "dashboard_link", None):
            from sixparty.analysis.i18n import phrase

            lang = getattr(args, "lang", None) or "en"
            line = phrase("run.dask_dashboard", lang, link=ex.dashboard_link)
            print(line, file=sys.stderr, flush=True)
        return ex
    return make_executor(jobs)


def stopped_message(
    exc: KeyboardInterrupt,
    out_dir,
    how: str,
    done: int | None = None,
    runs: int | None = None,
    written: int | None = None,
    lang: str = "en",
) -> tuple[str, int]:
    """(the one stderr line, the exit code 130/143) after an interrupt.

    how: :func:`sixparty.outputs.check_out_dir`'s answer for ``out_dir`` before the
    work (what is left when the staging folder was removed); written: the number of
    files, when the complete folder was already in place (the interrupt came while the
    summary was printed): the line then says the folder is complete.  ``lang``:
    ``"en"`` or ``"zh"`` (the ``stop.*`` texts of :mod:`sixparty.analysis.i18n`).
    """
    from sixparty.analysis.i18n import phrase

    signum = getattr(exc, "signum", signal.SIGINT)
    name = signal.Signals(signum).name
    kept = (
        phrase("stop.complete", lang, n=written, out=out_dir)
        if written is not None
        else phrase("stop.untouched", lang, out=out_dir)
        if how == "replace"
        else phrase("stop.new", lang, out=out_dir)
        if how == "new"
        else phrase("stop.empty", lang, out=out_dir)
    )
    progress_ = (
        phrase("stop.progress", lang, done=f"{done:,}", runs=f"{runs:,}")
        if done is not None and runs
        else ""
    )
    line = phrase("stop.line", lang, signal=name, progress=progress_, kept=kept)
    return line, 128 + int(signum)


def report_stop(
    exc: KeyboardInterrupt, out_dir, how: str, files: list[str] | None, lang: str = "en"
) -> int:
    """Print :func:`stopped_message`'s line (in ``lang``) for a command that writes one
    folder and return its exit code.  ``files``: the files written once the folder is in
    place (else None: the interrupt may carry them, set by the atomic writer).  The
    summary's lines printed so far are flushed first, so the line comes after them."""
    done = files if files is not None else getattr(exc, "written", None)
    written = len(done) if done is not None else None
    line, code = stopped_message(exc, out_dir, how, written=written, lang=lang)
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()
    print(line, file=sys.stderr, flush=True)
    return code


def cli_ensemble(args, path, scenario: Scenario) -> int:
    """``sixparty run SCENARIO --runs N [--jobs J | --dask ADDR] [--seed S] [--out DIR]``.

    Checks the bounds (:func:`check_bounds`, exit 2) before any work, then
    streams the runs into a staging folder beside ``runs/<scenario>[-free]-ens<N>-<seed>/``
    (or ``--out``) that becomes the output folder only when complete.
    SIGINT/SIGTERM stop the workers at once, remove the staging folder, print
    one line saying what was kept and return 130/143.
    """
    from sixparty.outputs import (
        check_out_dir,
        default_run_dir,
        refuse_sources_inside,
        source_files,
    )

    runs = int(args.runs)
    seed = scenario.seed if getattr(args, "seed", None) is None else int(args.seed)
    quiet = bool(getattr(args, "quiet", False))
    table_format = getattr(args, "table_format", None) or "csv"
    chunk = getattr(args, "chunk_size", None)
    out_dir = getattr(args, "out", None) or default_run_dir(scenario, seed, runs)
    from sixparty.cli import CLIError

    if table_format == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise CLIError(
                "--format parquet needs pyarrow: pip install 'sixparty[parquet]'"
            ) from None
    how = check_out_dir(out_dir)
    refuse_sources_inside(out_dir, [s["path"] for s in source_files(path)])
    fig_fmt = getattr(args, "format", None) or "png"
    plots = not getattr(args, "no_plots", False)
    lang = getattr(args, "lang", None) or "en"
    from sixparty.runner import wrote_line

    manifest: dict = {}
    holder: dict = {}

    def started(ex: Executor) -> None:
        from sixparty.analysis.i18n import phrase

        where = (
            phrase("ensemble.on", lang, executor=_executor_text(ex.describe(), lang))
            if runs >= SERIAL_BELOW
            else phrase("ensemble.in_process", lang)
        )
        print(
            phrase("ensemble.running", lang, n=f"{runs:,}", name=scenario.name, where=where),
            file=sys.stderr,
            flush=True,
        )

    def run_into(stage: Path) -> list[str]:
        result = run_ensemble(
            scenario,
            runs,
            seed,
            progress=None if not quiet else False,
            chunk_size=chunk,
            executor=holder["ex"],
            workdir=stage,
            table_format=table_format,
            on_start=started,
        )
        holder["result"] = result
        names = [result.runs_file]
        for name, text in ensemble_texts(result).items():
            (stage / name).write_text(text, encoding="utf-8", newline="")
            names.append(name)
        if plots:
            names += fan_chart_writer([result], [scenario.name], fmt=fig_fmt)(stage)
        holder["report"] = result.report_lines(lang)
        manifest.update(ensemble_manifest(result, path, sys.argv, lang))
        shutil.rmtree(stage / ".work", ignore_errors=True)
        return names

    files: list[str] | None = None
    with stop_on_signals():
        try:
            holder["ex"] = cli_executor(args, runs, scenario.window.months, out_dir)
            with holder["ex"]:
                files = write_atomically(out_dir, {}, [run_into], manifest=manifest)
            print("\n".join(holder["report"]))
            print(wrote_line(len(files), out_dir, lang))
        except KeyboardInterrupt as exc:
            return report_stop(exc, out_dir, how, files, lang)
    return 0


def seed_of(ensemble_dir: str | os.PathLike, replicate: int) -> tuple[int, str | None]:
    """(model seed of replicate ``replicate``, scenario file) read from an ensemble's
    manifest (:func:`ensemble_scenario_sha256` gives the file's recorded checksum;
    :func:`replicate_record` everything a rerun needs).

    Raises ValueError naming the folder when it holds no ensemble manifest or
    ``replicate`` is outside ``0 .. runs-1``.
    """
    rec = replicate_record(ensemble_dir, replicate)
    return rec["seed"], rec["scenario_file"]


def replicate_record(ensemble_dir: str | os.PathLike, replicate: int) -> dict:
    """What reruns replicate ``replicate`` of an ensemble, from its manifest.

    Returns ``{"seed": model seed, "base_seed", "scenario_file": str or None,
    "positions_mode": "anchored" | "free" | None, "scenario_sha256": str or None,
    "scenario_sources": [{"path", "sha256"}, ...] (child first; empty for a folder
    written before they were recorded), "scenario_resolved_sha256": str or None}``.

    Raises ValueError naming the folder when it holds no ensemble manifest or
    ``replicate`` is outside ``0 .. runs-1``.
    """
    import json

    path = Path(ensemble_dir) / "manifest.json"
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(
            f"--seed-of {ensemble_dir}: no manifest.json there (not an ensemble folder)"
        ) from None
    except (OSError, ValueError) as exc:
        raise ValueError(f"--seed-of {ensemble_dir}: cannot read manifest.json ({exc})") from None
    if not isinstance(meta, dict) or meta.get("kind") != "ensemble":
        raise ValueError(
            f"--seed-of {ensemble_dir}: not an ensemble folder (it was not written "
            "by sixparty run --runs N; for a single run folder use --from)"
        )
    runs = int(meta["runs"])
    if not 0 <= replicate < runs:
        raise ValueError(f"--seed-of {ensemble_dir} {replicate}: replicate must be 0..{runs - 1}")
    mode = meta.get("positions_mode")
    sources = meta.get("scenario_sources")
    return {
        "seed": replicate_seed(int(meta["base_seed"]), replicate),
        "base_seed": int(meta["base_seed"]),
        "scenario_file": meta.get("scenario_file"),
        "positions_mode": mode if mode in ("anchored", "free") else None,
        "scenario_sha256": meta.get("scenario_sha256"),
        "scenario_sources": sources if isinstance(sources, list) else [],
        "scenario_resolved_sha256": meta.get("scenario_resolved_sha256"),
    }


def ensemble_scenario_sha256(ensemble_dir: str | os.PathLike) -> str | None:
    """The sha256 of the scenario file an ensemble was run from, as its manifest
    recorded it (None if not recorded or unreadable)."""
    import json

    try:
        meta = json.loads((Path(ensemble_dir) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    sha = meta.get("scenario_sha256") if isinstance(meta, dict) else None
    return sha if isinstance(sha, str) else None
