"""One road for every validation simulation: work items in, scored rows out, in order.

``sixparty evaluate``, ``sixparty calibrate`` and ``sixparty sensitivity`` run
their simulations through :class:`RunPool` (or :func:`simulate_many`) on the
project's executor layer (:mod:`sixparty.analysis.executors`): this process,
a local ``spawn`` process pool (``--jobs N``) or a dask cluster (``--dask
tcp://HOST:PORT|local``, ``SIXPARTY_DASK``).  A command makes ONE executor
(:func:`command_executor`), starts it once and passes it to every batch it
runs (calibration trials and held-out runs, sensitivity points).

A work item names a seed, the parameter values to set and the judgement
inputs to shift; :func:`score_item` (in a worker) applies them to its own copy
of the scenario, runs the model, scores the run against the record with
:func:`sixparty.analysis.scorecard.score_run` and returns a small row
(per-item hits and categories, key outcomes).  Rows come back in the order of
the work items (:func:`sixparty.analysis.executors.map_items`): the same items
give identical rows on any executor, with any number of workers or chunk size.
The scenario and the record travel with each chunk of work items (about
0.1 MB pickled, a few ms against about 0.2 s per run of the historical
scenario).

SIGINT/SIGTERM (:func:`run_command`): the workers are terminated at once, one
line is printed on stderr, and the command exits 130/143.
"""

from __future__ import annotations

import functools
import math
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd
from sixparty.analysis.executors import (
    SERIAL_BELOW,
    Executor,
    SerialExecutor,
    make_executor,
    map_items,
)
from sixparty.analysis.runfiles import RunTables, declaration_tranches, month_number
from sixparty.analysis.scorecard import (
    DOC_RANK,
    RunRecords,
    as_records,
    fed_item_ids,
    score_run,
)
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
    (``scenario`` itself when the item changes nothing).  The copy has its own
    parameters, its own ``parties`` and its own copy of each party it shifts (that
    party's capability, resolve, domestic constraint and initial positions); the
    parties it does not shift, and the rest (events, phases, ...), it shares with
    ``scenario``: do not change those in place.  Raises ValueError for an unknown
    parameter or input, pydantic.ValidationError for a value out of its range."""
    if not item.params and not item.shifts:
        return scenario
    params = scenario.parameters.model_copy()
    kinds = _parameter_kinds(type(params))
    for name, value in item.params:
        kind = kinds.get(name)
        if kind is None:
            raise ValueError(f"unknown parameter {name!r}")
        if kind is bool:
            value = bool(value)
        elif kind is int:
            value = int(round(value))
        setattr(params, name, value)
    # Copy on write: a sensitivity point shifts every party, and a deep copy of the
    # six parties (sources, stated positions, strategies) cost more than the rest
    # of the point's preparation together.
    own: dict[str, object] = {}
    for key, delta in item.shifts:
        party, _, what = key.partition(".")
        if party not in PARTIES or what not in JUDGEMENT_INPUTS:
            raise ValueError(
                f"unknown judgement input {key!r}; expected PARTY.one of "
                f"{', '.join(JUDGEMENT_INPUTS)}"
            )
        cfg = own.get(party)
        if cfg is None:
            cfg = own[party] = _own_judgements(getattr(scenario.parties, party))
        if what == "salience":
            for issue in ISSUES:
                ip = cfg.initial[issue]
                ip.salience = min(1.0, max(0.0, ip.salience + delta))
        else:
            src = getattr(cfg, what)
            src.value = min(1.0, max(0.0, src.value + delta))
    return scenario.model_copy(
        update={"parameters": params, "parties": scenario.parties.model_copy(update=own)}
    )


@functools.cache
def _parameter_kinds(cls) -> dict[str, type]:
    """Parameter name -> bool, int (a whole number: the value is rounded) or float, of the
    parameters model ``cls`` (str() of an annotation is slow: once per class)."""
    kinds: dict[str, type] = {}
    for name, f in cls.model_fields.items():
        ann = f.annotation
        if ann is bool:
            kinds[name] = bool
        elif ann is int or "int" in str(ann) and "float" not in str(ann):
            kinds[name] = int
        else:
            kinds[name] = float
    return kinds


def _own_judgements(cfg):
    """A copy of one party's config whose judgement inputs (capability, resolve,
    domestic constraint, initial positions and saliences) are its own; the rest shared."""
    return cfg.model_copy(
        update={
            "capability": cfg.capability.model_copy(),
            "resolve": cfg.resolve.model_copy(),
            "domestic_constraint": cfg.domestic_constraint.model_copy(),
            "initial": {issue: ip.model_copy() for issue, ip in cfg.initial.items()},
        }
    )


def fast_tables(result) -> RunTables:
    """The tables the scorecard reads, straight from a :class:`RunResult`'s rows (no CSV
    round trip; positions, trust, drafts and events left empty)."""
    from sixparty.outputs import DECISION_COLUMNS, LEDGER_COLUMNS

    empty = pd.DataFrame()
    return RunTables(
        timeline=pd.DataFrame(result.timeline),
        positions=empty,
        trust=empty,
        sessions=pd.DataFrame(result.sessions),
        drafts=empty,
        ledger=pd.DataFrame(result.ledger, columns=LEDGER_COLUMNS),
        decisions=pd.DataFrame(result.decisions, columns=DECISION_COLUMNS),
        events=pd.DataFrame(columns=["id", "date", "month", "type", "title"]),
        scenario_name=result.scenario.name,
        seed=result.seed,
        declarations=declaration_tranches(result.scenario),
    )


def outcomes(tables: RunTables | RunRecords) -> dict[str, float]:
    """Key outcomes of one run (for sensitivity analysis).

    tables: the run's :class:`RunTables` or :class:`RunRecords`.
    first_joint_statement: months from the window's start to the first held session
    with a joint statement or joint document (NaN if none); walkout, nuclear_test:
    1.0 if the DPRK walked out / tested a nuclear device in the run, else 0.0;
    final_progress: denuclearization progress in the last month, in [0, 1].
    """
    rr = as_records(tables)
    tl = rr.timeline
    start = month_number(tl["month"][0])
    first = math.nan
    js = [
        month_number(r["month"])
        for r in rr.held
        if DOC_RANK.get(str(r["document"]), 0) >= DOC_RANK["joint_statement"]
    ]
    if js:
        first = float(min(js) - start)
    dec = rr.decisions
    dprk = (
        [x for x, p in zip(dec["decision"], dec["party"], strict=True) if p == "DPRK"]
        if dec.n
        else []
    )
    return {
        "first_joint_statement": first,
        "walkout": float("walks_out" in dprk),
        "nuclear_test": float("nuclear_test" in dprk),
        "final_progress": float(tl["progress"][-1]),
    }


def score_row(tables: RunTables | RunRecords, record: dict, fed: set[str] | None = None) -> dict:
    """``{"hit": {id: True/False/None}, "category": {id: str}, "near": {id: bool},
    "fed": [ids], "outcomes": {...}}`` for one run (its :class:`RunTables`, or its
    :class:`RunRecords`: the validation harness's road, without pandas)."""
    rr = as_records(tables)
    items = score_run(rr, record, fed=fed)
    return {
        "hit": {it.id: it.hit for it in items},
        "category": {it.id: it.category for it in items},
        "near": {it.id: it.near for it in items},
        "fed": sorted(it.id for it in items if it.fed),
        "outcomes": outcomes(rr),
    }


def score_item(shared: tuple[Scenario, dict], item: WorkItem) -> dict:
    """Run one work item and score it: ``shared`` is ``(scenario, record)``; returns
    :func:`score_row`'s row plus ``seed``.  Module-level, so any executor's workers import
    it (:func:`sixparty.analysis.executors.map_items`)."""
    from sixparty.runner import simulate

    scenario, record = shared
    sc = apply_work(scenario, item)
    result = simulate(sc, seed=item.seed, record_positions=False)
    row = score_row(RunRecords.from_result(result), record, fed_item_ids(record, sc))
    row["seed"] = item.seed
    return row


def score_items(shared: tuple[Scenario, dict], items: list[WorkItem]) -> list[dict]:
    """:func:`score_item` for a chunk of work items at once: consecutive items
    whose scenarios (the scenario with each item's parameters and shifts,
    :func:`apply_work`) differ only in batchable parameters, judgement inputs and
    seeds - every calibration trial's and sensitivity point's runs, whatever their
    parameter points - run in one model on its replicate axis, each replicate with
    its own variant (:func:`sixparty.runner.iter_batch`), in batches of
    :data:`~sixparty.analysis.ensemble.MODEL_BATCH`.  Rows identical to
    :func:`score_item`'s, item by item (a replicate's run depends only on its own
    scenario and seed, not on its batch)."""
    from sixparty.analysis.ensemble import MODEL_BATCH
    from sixparty.replicates import same_structure
    from sixparty.runner import iter_batch

    scenario, record = shared
    # One variant (and structure group, and fed items) per distinct point: a point's
    # runs are consecutive items with the same parameters and shifts.  Consecutive
    # points of one structure share a group number.
    variants: list[Scenario] = []
    groups: list[int] = []
    feds: list[set[str]] = []
    last = None
    n_groups = 0
    for item in items:
        point = (item.params, item.shifts)
        if point != last:
            sc = apply_work(scenario, item)
            if variants and same_structure(variants[-1], sc):
                fed = feds[-1]
            else:
                n_groups += 1
                fed = fed_item_ids(record, sc)
            last = point
        variants.append(sc)
        groups.append(n_groups)
        feds.append(fed)
    rows: list[dict] = []
    start = 0
    while start < len(items):
        end = start + 1
        while end < len(items) and end - start < MODEL_BATCH and groups[end] == groups[start]:
            end += 1
        group = items[start:end]
        runs = iter_batch(
            variants[start],
            [it.seed for it in group],
            record_positions=False,
            variants=variants[start:end],
            summary=True,
        )
        for k, (item, result) in enumerate(zip(group, runs, strict=True)):
            row = score_row(RunRecords.from_result(result), record, feds[start + k])
            row["seed"] = item.seed
            rows.append(row)
        start = end
    return rows


class RunPool:
    """Work items of one scenario scored against one record, on an executor.

    executor: an :class:`~sixparty.analysis.executors.Executor` the caller owns
    (``sixparty evaluate``/``calibrate``/``sensitivity`` make one per command,
    :func:`command_executor`, and pass it to every batch: calibration trials,
    held-out runs, sensitivity points); without one, a
    :func:`~sixparty.analysis.executors.make_executor` of ``jobs`` workers is
    made and closed with the pool.  chunk_size: work items per task (default
    :func:`~sixparty.analysis.executors.default_chunk_size`).  Rows are the same
    whatever the executor, the workers or the chunk size.  Use as a context
    manager.
    """

    def __init__(
        self,
        scenario: Scenario,
        record: dict,
        jobs: int = 1,
        executor: Executor | None = None,
        chunk_size: int | None = None,
    ) -> None:
        self.scenario, self.record = scenario, record
        self.chunk_size = chunk_size
        self._own = executor is None
        self.executor = executor if executor is not None else make_executor(max(1, int(jobs or 1)))

    def __enter__(self) -> RunPool:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._own:
            self.executor.__exit__(exc_type, exc, tb)

    def map(
        self, items: Sequence[WorkItem], progress: bool = False, desc: str = "runs"
    ) -> list[dict]:
        """Rows of :func:`score_row` (plus ``seed``), one per item, in the items' order.

        Runs on the pool's executor however few the items (``serial_below=0``: the
        command chose it, and its workers are already up).  progress: a tqdm bar on
        stderr when it is a terminal.
        """
        items = list(items)
        return list(
            map_items(
                score_item,
                items,
                shared=(self.scenario, self.record),
                chunk_func=score_items,
                executor=self.executor,
                chunk_size=self.chunk_size,
                serial_below=0,
                progress=None if progress else False,
                desc=desc,
            )
        )


def simulate_many(
    scenario: Scenario,
    items: Iterable[WorkItem],
    jobs: int = 1,
    record: dict | None = None,
    progress: bool = False,
    desc: str = "runs",
    executor: Executor | None = None,
    chunk_size: int | None = None,
) -> list[dict]:
    """Run and score every work item; rows in the items' order (see :class:`RunPool`).

    record: the historical record (default :func:`load_record`).  executor: where
    to run (default: ``jobs`` worker processes, or this process for ``jobs=1``).
    Identical rows for any executor, ``jobs`` or ``chunk_size``.
    """
    from sixparty.analysis.scorecard import load_record

    with RunPool(
        scenario,
        record if record is not None else load_record(),
        jobs,
        executor=executor,
        chunk_size=chunk_size,
    ) as pool:
        return pool.map(list(items), progress=progress, desc=desc)


def command_executor(args, runs: int, what: str) -> Executor:
    """The one executor of a validation command, started: ``--jobs`` (default
    :func:`default_jobs`), ``--dask ADDR|local`` or ``SIXPARTY_DASK``, checked as for
    ``sixparty run`` (:func:`sixparty.analysis.ensemble.cli_executor`: ``--jobs`` at most
    the cores unless ``--force``, a reachable scheduler; :class:`sixparty.cli.CLIError`,
    exit 2, otherwise).

    runs: the simulations the command will run in all; below
    :data:`~sixparty.analysis.executors.SERIAL_BELOW` they run in this process (starting
    workers would cost more) unless a dask cluster was asked for.  what: the work, as
    the line ``sixparty: running WHAT on <executor>`` printed on stderr once the workers
    are up says it (``100 runs of historical``).  The validation commands write no
    per-run files: the disk bound of ``run`` does not apply.
    """
    import copy

    from sixparty.analysis.ensemble import cli_executor

    ns = copy.copy(args)
    ns.jobs = getattr(args, "jobs", None) or default_jobs()
    dask = getattr(args, "dask", None) or os.environ.get("SIXPARTY_DASK") or None
    ex = cli_executor(ns, 0, 0, getattr(args, "out", None) or ".")
    if not dask and runs < SERIAL_BELOW and not isinstance(ex, SerialExecutor):
        ex.close()
        ex = SerialExecutor()
    try:
        ex.start()
    except BaseException:
        ex.abort()
        raise
    where = "in this process" if isinstance(ex, SerialExecutor) else f"on {ex.describe()}"
    print(f"sixparty: running {what} {where}", file=sys.stderr, flush=True)
    return ex


def run_command(body, out_dir, how: str, kept=None) -> int:
    """Run ``body()`` (a command's work, returning its exit code) under
    :class:`sixparty.analysis.ensemble.stop_on_signals`: on SIGINT/SIGTERM the
    executor is aborted (workers terminated, :func:`map_items`), one line is printed on
    stderr and 130/143 returned.

    how: :func:`sixparty.outputs.check_out_dir`'s answer for ``out_dir`` before the
    work; kept: a function of the interrupt returning the line to print instead of the
    default (calibration's study, which keeps its finished trials).
    """
    from sixparty.analysis.ensemble import stop_on_signals, stopped_message

    with stop_on_signals():
        try:
            return body()
        except KeyboardInterrupt as exc:
            line, code = stopped_message(exc, out_dir, how)
            if kept is not None:
                line = kept(exc) or line
            print(line, file=sys.stderr, flush=True)
            return code


def default_jobs() -> int:
    """Worker processes when none is given: the CPUs this process may use, at most 2."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        n = os.cpu_count() or 1
    return max(1, min(2, n))
