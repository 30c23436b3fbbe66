"""The executor layer: ordered results, the serial threshold, one pool reused, guard message."""

from __future__ import annotations

import os

import pytest
from sixparty.analysis.executors import (
    MAX_CHUNK,
    PoolExecutor,
    SerialExecutor,
    chunked,
    default_chunk_size,
    make_executor,
    map_chunks,
    map_items,
)


def _cube(shared, x):
    return (shared, x**3, os.getpid())


def _chunk_sum(shared, chunk):
    return sum(chunk) + shared


def test_chunked_and_default_chunk_size():
    assert list(chunked(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    with pytest.raises(ValueError):
        list(chunked([1], 0))
    assert default_chunk_size(10, 2) == 2 and default_chunk_size(10**6, 2) == MAX_CHUNK
    assert default_chunk_size(1, 8) == 1


def test_map_items_keeps_order_whatever_the_executor_and_chunk_size():
    items = list(range(70))
    want = [("s", x**3) for x in items]
    serial = [r[:2] for r in map_items(_cube, items, shared="s", progress=False)]
    assert serial == want
    with PoolExecutor(2) as ex:
        for size in (1, 4, 33):
            got = list(
                map_items(
                    _cube,
                    items,
                    shared="s",
                    executor=ex,
                    chunk_size=size,
                    serial_below=0,
                    progress=False,
                )
            )
            assert [r[:2] for r in got] == want
        assert {r[2] for r in got} <= set(ex.pids) and len(ex.pids) == 2
        pids = list(ex.pids)
        # the same pool serves the next call: no new worker processes
        list(map_chunks(_chunk_sum, 1, chunked(items, 5), executor=ex, serial_below=0))
        assert ex.pids == pids


def test_small_batches_run_here():
    with PoolExecutor(2) as ex:
        got = list(map_items(_cube, [1, 2, 3], shared=0, executor=ex, progress=False))
        assert {r[2] for r in got} == {os.getpid()}
        assert ex.pids == []  # the pool was never started


def _freeze_count(shared, chunk):
    import gc

    return [gc.get_freeze_count() for _ in chunk]


def test_a_pool_worker_freezes_what_it_keeps_after_its_first_chunk_and_the_caller_never():
    import gc

    before = gc.get_freeze_count()
    with PoolExecutor(1) as ex:
        first, second = (
            list(map_chunks(_freeze_count, None, [[0]], executor=ex, serial_below=0))
            for _ in range(2)
        )
    assert first == [[0]]  # the first chunk runs unfrozen; the worker freezes after it
    assert second[0][0] > 1000  # the worker's imports, out of every later collection
    serial = list(map_chunks(_freeze_count, None, [[0]], executor=SerialExecutor()))
    assert gc.get_freeze_count() == before and serial == [[before]]


def test_errors_in_a_chunk_propagate():
    def bad(shared, chunk):
        raise ZeroDivisionError("boom")

    with pytest.raises(ZeroDivisionError):
        list(map_chunks(bad, None, [[1]], executor=SerialExecutor()))


def test_make_executor(monkeypatch):
    monkeypatch.delenv("SIXPARTY_DASK", raising=False)
    assert isinstance(make_executor(1), SerialExecutor)
    ex = make_executor(2)
    assert isinstance(ex, PoolExecutor) and ex.workers == 2
    ex.close()
    with pytest.raises(ValueError):
        PoolExecutor(0)


def _final_progress(item, result):
    return (item[2], result.seed, result.timeline[-1]["progress"])


def test_map_runs_summarises_single_runs_in_order(scenario_file):
    from sixparty.analysis.ensemble import map_runs, replicate_seed, run_ensemble
    from sixparty.loader import load_scenario

    sc = load_scenario(scenario_file)
    items = [(sc, replicate_seed(4, r), f"rep{r}") for r in range(6)]
    serial = list(map_runs(items, _final_progress, progress=False))
    with PoolExecutor(2) as ex:
        pooled = list(
            map_runs(
                items, _final_progress, executor=ex, chunk_size=2, serial_below=0, progress=False
            )
        )
    assert serial == pooled and [r[0] for r in serial] == [f"rep{r}" for r in range(6)]
    ens = run_ensemble(sc, 6, 4, progress=False)
    assert [r[2] for r in serial] == pytest.approx(list(ens.summaries["final_progress"]))


# ------------------------------------------------------------- one pool per command
class _CountingPool:
    """Stands in for ``concurrent.futures.ProcessPoolExecutor``: counts the pools a
    command starts and runs their tasks one at a time in a thread (no processes)."""

    created: list = []

    def __init__(self, max_workers=None, mp_context=None, initializer=None):
        import concurrent.futures as cf

        self.workers = max_workers
        self.tasks = 0
        self._inner = cf.ThreadPoolExecutor(max_workers=1)
        _CountingPool.created.append(self)

    def submit(self, fn, *args):
        self.tasks += 1
        return self._inner.submit(fn, *args)

    def shutdown(self, wait=True, cancel_futures=False):
        self._inner.shutdown(wait=wait, cancel_futures=cancel_futures)


@pytest.mark.parametrize(
    "command",
    [
        ["compare", "{a}", "{b}", "--runs", "16", "--dates", "2004-06", "--boot", "50", "--quiet"],
        ["evaluate", "{a}", "--runs", "32"],
        ["calibrate", "{a}", "--train-until", "2004-03", "--budget", "2", "--runs-per-point", "8"],
        ["sensitivity", "{a}", "--samples", "1", "--runs-per-point", "1"],
    ],
    ids=lambda c: c[0],
)
def test_a_command_starts_one_worker_pool_for_all_its_batches(command, tmp_path, monkeypatch):
    """``compare``, ``evaluate``, ``calibrate`` and ``sensitivity`` at ``--jobs 2`` start
    ONE pool, reused by every batch (scenarios, trials, points, held-out runs).  The
    runs are just enough (>= SERIAL_BELOW = 32 in all) for the command to use workers."""
    import concurrent.futures as cf

    import yaml
    from conftest import minimal_scenario_dict
    from sixparty.cli import main

    if command[0] == "calibrate":
        pytest.importorskip("optuna")
    if command[0] == "sensitivity":
        pytest.importorskip("SALib")
    a = tmp_path / "minimal.yaml"
    a.write_text(yaml.safe_dump(minimal_scenario_dict(), allow_unicode=True), encoding="utf-8")
    b = tmp_path / "variant.yaml"
    b.write_text("extends: minimal.yaml\nremove_events: [sanctions_step]\n", encoding="utf-8")
    monkeypatch.setattr(cf, "ProcessPoolExecutor", _CountingPool)
    monkeypatch.setattr(_CountingPool, "created", [])
    argv = [arg.format(a=a, b=b) for arg in command]
    code = main(argv + ["--jobs", "2", "--seed", "5", "--out", str(tmp_path / "out")])
    assert code == 0
    pools = _CountingPool.created
    assert len(pools) == 1, f"{command[0]} started {len(pools)} pools"
    # the pool ran the work: its two warm-up tasks and more than one batch's chunks
    assert pools[0].workers == 2 and pools[0].tasks > 2 + 1


def _sleep_chunk(shared, chunk):
    import time

    time.sleep(30)
    return chunk


def test_an_abort_leaves_no_pool_thread_for_the_exit_hook(monkeypatch):
    # A stop by signal aborts the pool. Its manager thread must be finished by then:
    # if it were still closing its wake-up pipe, the interpreter's exit hook
    # (concurrent.futures.process._python_exit) could write to the closing pipe and
    # print "Exception ignored in threading._shutdown" under the one-line message.
    # A slow manager thread (as on a loaded machine) makes the race window wide and certain.
    import concurrent.futures.process as cfp
    import time

    def slowed(method):
        def slow(self, *args, **kwargs):
            time.sleep(0.5)
            return method(self, *args, **kwargs)

        return slow

    for name in ("terminate_broken", "join_executor_internals"):  # the two ways it closes
        method = getattr(cfp._ExecutorManagerThread, name)
        monkeypatch.setattr(cfp._ExecutorManagerThread, name, slowed(method))
    ex = PoolExecutor(2)
    ex.start()
    futures = [ex.submit(_sleep_chunk, None, [i]) for i in range(2)]
    manager = ex._pool._executor_manager_thread
    assert manager.is_alive()
    ex.abort()
    assert not manager.is_alive()
    assert all(f.done() for f in futures)
