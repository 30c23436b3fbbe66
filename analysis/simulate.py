"""One road for every validation simulation: work items in, scored rows out, in order.

``sixparty evaluate``, ``sixparty calibrate`` and ``sixparty sensitivity`` run
their simulations through :func:`simulate_many` (or, to keep one process
pool across many calls, :class:`RunPool`).  A work item names a seed, the
parameter values to set and the judgement inputs to shift; each worker
applies them to its own copy of the scenario, runs the model, scores the run
against the record with :func:`sixparty.analysis.scorecard.score_run` and
returns a small row (per-item hits and categories, key outcomes).  Rows come
back in the order of the work items, whatever the number of processes: the
same items give identical rows with ``jobs=1`` or ``jobs=2``.

Processes are started with ``spawn`` (no fork of a threaded parent); the
scenario and the record are sent once per worker (pool initializer), each
work item only as its seed and overrides.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import pandas as pd
from sixparty.analysis.runfiles import RunTables, month_number
from sixparty.analysis.scorecard import DOC_RANK, fed_item_ids, score_run
from sixparty.scenario import ISSUES, PARTIES, Scenario

#: Judgement inputs a work item may shift: ``<PARTY>.<input>``.
JUDGEMENT_INPUTS = ("capability", "resolve", "domestic_constraint", "salience")


@dataclass(frozen=True)
class WorkItem:
    """One simulation: ``seed``; ``params``: (parameter name, value) pairs set on
    ``scenario.parameters``; ``shifts``: (``PARTY.input``, delta) pairs added to a
    judgement input (capability, resolve, domestic constraint, or every salience of
    the party), clipped to [0, 1]."""

    seed: int
    params: tuple[tuple[str, float], ...] = ()
    shifts: tuple[tuple[str, float], ...] = ()


def apply_work(scenario: Scenario, item: WorkItem) -> Scenario:
    """A copy of ``scenario`` with ``item``'s parameters set and judgement inputs shifted
    (``scenario`` itself when the item changes nothing).  Raises ValueError for an unknown
    parameter or input, pydantic.ValidationError for a value out of its range."""
    if not item.params and not item.shifts:
        return scenario
    sc = scenario.model_copy(deep=True)
    fields = type(sc.parameters).model_fields
    for name, value in item.params:
        if name not in fields:
            raise ValueError(f"unknown parameter {name!r}")
        ann = fields[name].annotation
        if ann is bool:
            value = bool(value)
        elif ann is int or "int" in str(ann) and "float" not in str(ann):
            value = int(round(value))
        setattr(sc.parameters, name, value)
    for key, delta in item.shifts:
        party, _, what = key.partition(".")
        if party not in PARTIES or what not in JUDGEMENT_INPUTS:
            raise ValueError(f"unknown judgement input {key!r}; expected PARTY.one of "
                             f"{', '.join(JUDGEMENT_INPUTS)}")
        cfg = getattr(sc.parties, party)
        if what == "salience":
            for issue in ISSUES:
                ip = cfg.initial[issue]
                ip.salience = min(1.0, max(0.0, ip.salience + delta))
        else:
            src = getattr(cfg, what)
            src.value = min(1.0, max(0.0, src.value + delta))
    return sc


def fast_tables(result) -> RunTables:
    """The tables the scorecard reads, straight from a :class:`RunResult`'s rows (no CSV
    round trip; positions, trust, drafts and events left empty)."""
    empty = pd.DataFrame()
    ledger_cols = ["step_id", "phase", "phase_name", "tranche", "party", "kind", "description",
                   "amount", "unit", "promised", "due", "delivered", "completed"]
    return RunTables(
        timeline=pd.DataFrame(result.timeline),
        positions=empty, trust=empty,
        sessions=pd.DataFrame(result.sessions),
        drafts=empty,
        ledger=pd.DataFrame(result.ledger, columns=ledger_cols),
        decisions=pd.DataFrame(result.decisions, columns=["month", "party", "decision", "reason"]),
        events=pd.DataFrame(columns=["id", "date", "month", "type", "title"]),
        scenario_name=result.scenario.name, seed=result.seed)


def outcomes(tables: RunTables) -> dict[str, float]:
    """Key outcomes of one run (for sensitivity analysis).

    first_joint_statement: months from the window's start to the first held session
    with a joint statement or joint document (NaN if none); walkout, nuclear_test:
    1.0 if the DPRK walked out / tested a nuclear device in the run, else 0.0;
    final_progress: denuclearization progress in the last month, in [0, 1].
    """
    tl = tables.timeline
    start = month_number(tl["month"].iloc[0])
    first = math.nan
    held = tables.held
    if not held.empty:
        js = [month_number(m) for m, d in zip(held["month"], held["document"], strict=True)
              if DOC_RANK.get(str(d), 0) >= DOC_RANK["joint_statement"]]
        if js:
            first = float(min(js) - start)
    dec = tables.decisions
    dprk = dec[dec["party"] == "DPRK"] if not dec.empty else dec
    return {
        "first_joint_statement": first,
        "walkout": float(not dprk.empty and (dprk["decision"] == "walks_out").any()),
        "nuclear_test": float(not dprk.empty and (dprk["decision"] == "nuclear_test").any()),
        "final_progress": float(tl["progress"].iloc[-1]),
    }


def score_row(tables: RunTables, record: dict, fed: set[str] | None = None) -> dict:
    """``{"hit": {id: True/False/None}, "category": {id: str}, "near": {id: bool},
    "fed": [ids], "outcomes": {...}}`` for one run's tables."""
    items = score_run(tables, record, fed=fed)
    return {"hit": {it.id: it.hit for it in items},
            "category": {it.id: it.category for it in items},
            "near": {it.id: it.near for it in items},
            "fed": sorted(it.id for it in items if it.fed),
            "outcomes": outcomes(tables)}


_STATE: dict = {}


def _init(scenario: Scenario, record: dict) -> None:
    _STATE["scenario"] = scenario
    _STATE["record"] = record


def _work(item: WorkItem) -> dict:
    from sixparty.runner import simulate

    sc = apply_work(_STATE["scenario"], item)
    result = simulate(sc, seed=item.seed, record_positions=False)
    row = score_row(fast_tables(result), _STATE["record"], fed_item_ids(_STATE["record"], sc))
    row["seed"] = item.seed
    return row


def _bar(total: int, desc: str, progress: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="run", disable=None if progress else True,
                leave=False)


class RunPool:
    """A pool of ``jobs`` worker processes for one scenario and record, kept open across
    calls of :meth:`map` (calibration evaluates hundreds of points).  ``jobs <= 1`` runs in
    this process.  Use as a context manager."""

    def __init__(self, scenario: Scenario, record: dict, jobs: int = 1) -> None:
        self.scenario, self.record = scenario, record
        self.jobs = max(1, int(jobs or 1))
        self._ex: ProcessPoolExecutor | None = None

    def __enter__(self) -> RunPool:
        if self.jobs > 1:
            self._ex = ProcessPoolExecutor(self.jobs, mp_context=mp.get_context("spawn"),
                                           initializer=_init,
                                           initargs=(self.scenario, self.record))
        return self

    def __exit__(self, *exc) -> None:
        if self._ex is not None:
            self._ex.shutdown(wait=True, cancel_futures=True)
            self._ex = None

    def map(self, items: Sequence[WorkItem], progress: bool = False, desc: str = "runs") -> list[dict]:
        """Rows of :func:`score_row` (plus ``seed``), one per item, in the items' order."""
        items = list(items)
        bar = _bar(len(items), desc, progress)
        out: list[dict] = []
        try:
            if self._ex is None:
                saved = dict(_STATE)
                _init(self.scenario, self.record)
                try:
                    for it in items:
                        out.append(_work(it))
                        bar.update(1)
                finally:
                    _STATE.clear()
                    _STATE.update(saved)
            else:
                chunk = max(1, min(16, len(items) // (self.jobs * 4) or 1))
                for row in self._ex.map(_work, items, chunksize=chunk):
                    out.append(row)
                    bar.update(1)
        finally:
            bar.close()
        return out


def simulate_many(scenario: Scenario, items: Iterable[WorkItem], jobs: int = 1,
                  record: dict | None = None, progress: bool = False,
                  desc: str = "runs") -> list[dict]:
    """Run and score every work item; rows in the items' order (see :class:`RunPool`).

    record: the historical record (default :func:`load_record`).  Identical rows for
    any ``jobs``.
    """
    from sixparty.analysis.scorecard import load_record

    with RunPool(scenario, record if record is not None else load_record(), jobs) as pool:
        return pool.map(list(items), progress=progress, desc=desc)


def default_jobs() -> int:
    """Worker processes when none is given: the CPUs this process may use, at most 2."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        n = os.cpu_count() or 1
    return max(1, min(2, n))
