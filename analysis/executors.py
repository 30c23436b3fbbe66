"""Where simulations run: in this process, on a local process pool, or on a dask cluster.

Every batch of simulations in sixparty (``run --runs N``, ``compare``, the
validation harness's ``evaluate``/``calibrate``/``sensitivity``) goes through
:func:`map_chunks` or :func:`map_items`, so one choice of executor serves them
all and the results never depend on it.

Work unit
---------
The unit of work is a *chunk*: a list of consecutive work items (replicate
indices, ``(scenario, seed)`` pairs, ``(parameter set, replicate)`` pairs -
anything picklable).  A chunk function ``fn(shared, chunk) -> result`` runs
one chunk in a worker; ``shared`` is the same for every chunk of a call (a
scenario, say) and is pickled with each task.  A chunk function may run the
whole batch in one call (a model that simulates many replicates at once), or
loop over it; either way its result stands for the chunk's items in order.
Results come back **in submission order** whatever finished first, so a
caller that folds or writes them as they come gets the same bytes on any
executor, with any number of workers and any chunk size.

Executors
---------
:class:`SerialExecutor`
    Runs chunks in this process, one after the other.
:class:`PoolExecutor` (``jobs`` worker processes)
    One ``spawn`` process pool, started on first use and reused by every
    :func:`map_chunks` call until :meth:`~PoolExecutor.close` - ``compare``
    runs all its scenarios on the same pool.  Workers ignore SIGINT: the
    parent decides, and on an interrupt it terminates them at once
    (:meth:`~PoolExecutor.abort`) instead of waiting for running chunks;
    on Linux a worker also ends when its parent dies, even by SIGKILL,
    and keeps its heap between bargaining rounds (glibc's malloc thresholds,
    :func:`sixparty.heap.keep_heap`; a local dask cluster's workers too).
    Workers are started without re-importing the caller's ``__main__``
    module when the chunk function lives in an importable module, so a
    script that calls :func:`sixparty.analysis.ensemble.run_ensemble` with
    ``jobs=2`` works without an ``if __name__ == "__main__":`` guard.
:class:`DaskExecutor`
    A ``dask.distributed`` client: ``address="tcp://HOST:PORT"`` connects to
    a running scheduler, ``address="local"`` starts a ``LocalCluster`` on
    127.0.0.1 (``processes=True``, one thread per worker, ``n_workers``
    workers) whose dashboard link :attr:`~DaskExecutor.dashboard_link`
    gives.  Needs the ``dask`` extra (``pip install 'sixparty[dask]'``).

Small batches run serially
--------------------------
Starting worker processes costs about a second each (interpreter, numpy,
Mesa imports), more than a few dozen runs of the model.  :func:`map_chunks`
therefore runs a call in this process when it has fewer than
``serial_below`` items (default :data:`SERIAL_BELOW` = 32, about 1 s of
model time), whatever executor was chosen; pass ``serial_below=0`` to force
the executor.  The results are the same either way.

Bounded memory
--------------
At most ``2 x workers`` chunks are in flight; finished results wait (in
order) only until the chunks before them are done, so the parent holds
``O(workers x chunk_size)`` results, never the whole batch.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import gc
import math
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

__all__ = [
    "GUARD_MESSAGE",
    "SERIAL_BELOW",
    "DaskExecutor",
    "Executor",
    "PoolExecutor",
    "SerialExecutor",
    "chunked",
    "default_chunk_size",
    "make_executor",
    "map_chunks",
    "map_items",
]

#: Below this many work items a call runs in this process (see the module docstring).
SERIAL_BELOW = 32
#: Largest chunk :func:`default_chunk_size` picks (256 runs of the model, stepped
#: together in one model: about 2-5 s of work).
MAX_CHUNK = 256
#: How long an abort waits for a pool's manager thread to close its pipes (seconds;
#: it ends within milliseconds once the workers are gone, the bound only guards a hang).
MANAGER_JOIN_TIMEOUT_S = 5.0

GUARD_MESSAGE = (
    "sixparty: worker processes re-ran your script's top level and it started another batch. "
    'Put the call under `if __name__ == "__main__":` in your script (worker processes '
    "are started with the 'spawn' method, which imports the main module again), or pass "
    "jobs=1."
)

ChunkFn = Callable[[Any, list], Any]


def default_chunk_size(items: int, workers: int) -> int:
    """Items per chunk: about 4 chunks per worker, between 1 and :data:`MAX_CHUNK`."""
    return max(1, min(MAX_CHUNK, math.ceil(items / (4 * max(1, workers)))))


def chunked(items: Sequence | Iterable, size: int) -> Iterator[list]:
    """Consecutive lists of ``size`` items (the last may be shorter); lazy."""
    if size < 1:
        raise ValueError(f"chunk size must be >= 1, got {size}")
    buf: list = []
    for x in items:
        buf.append(x)
        if len(buf) == size:
            yield buf
            buf = []
    if buf:
        yield buf


def _in_spawned_main_import() -> bool:
    """True while a spawned worker is (re-)importing the caller's main module (bootstrapping)."""
    return bool(getattr(multiprocessing.current_process(), "_inheriting", False))


def check_not_spawned_main() -> None:
    """Raise RuntimeError(:data:`GUARD_MESSAGE`) when called from a worker's re-import of ``__main__``."""
    if _in_spawned_main_import():
        raise RuntimeError(GUARD_MESSAGE)


# ------------------------------------------------------------------ executors
class Executor:
    """Base class: ``workers``, ``describe()``, ``submit(fn, shared, chunk) -> future``, ``close()``."""

    workers: int = 1

    def describe(self) -> str:  # pragma: no cover - overridden
        return type(self).__name__

    def submit(self, fn: ChunkFn, shared: Any, chunk: list):  # pragma: no cover - overridden
        raise NotImplementedError

    def start(self, fn: ChunkFn | None = None, shared: Any = None) -> None:
        """Start the workers now (they start on first use otherwise); ``fn``/``shared``: the
        work to come (a function from ``__main__`` needs workers that import it)."""

    def abort(self) -> None:
        """Stop at once: cancel pending work, terminate workers (after an interrupt)."""
        self.close()

    def close(self) -> None:
        """Release the workers (idempotent)."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if (
            exc_type is not None
            and issubclass(exc_type, BaseException)
            and not issubclass(exc_type, Exception)
        ):
            self.abort()  # KeyboardInterrupt, SystemExit, a termination signal
        else:
            self.close()


class _Done:
    """A finished 'future' for the serial executor."""

    def __init__(self, value: Any) -> None:
        self._value = value

    def result(self) -> Any:
        return self._value

    def cancel(self) -> bool:
        return False


class SerialExecutor(Executor):
    """Run every chunk in this process (``workers == 1``)."""

    workers = 1

    def describe(self) -> str:
        return "this process"

    def submit(self, fn: ChunkFn, shared: Any, chunk: list) -> _Done:
        return _Done(fn(shared, chunk))


def _worker_init() -> None:
    # The parent handles Ctrl-C (it terminates the workers); a worker never prints a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    _keep_heap()
    global _freeze_pending
    _freeze_pending = True


#: True in a process pool's worker until its first chunk is done (:func:`_freeze_once`).
_freeze_pending = False


def _freeze_once() -> None:
    """After a pool worker's first chunk: one full collection, then ``gc.freeze()``.

    What the worker keeps from then on (numpy, pandas, pydantic, sixparty and their
    caches: about 80,000 objects) is left out of every later collection; each
    finished batch model's full collection (:func:`sixparty.runner.iter_batch`)
    then visits the model's objects only, not the worker's imports as well (about
    0.3 ms a run of the 256 runs a collection serves; benchmarks/README.md).  Only in
    the workers of our own pool (:func:`_worker_init`): never in the caller's
    process, nor in a dask worker, whose process is not ours.
    """
    global _freeze_pending
    if _freeze_pending:
        _freeze_pending = False
        gc.collect()
        gc.freeze()


def _keep_heap() -> bool:
    """glibc's malloc thresholds for a worker process we started (speed only;
    :func:`sixparty.heap.keep_heap`): the pool's initializer, a local dask cluster's workers."""
    from sixparty.heap import keep_heap

    return keep_heap()


def _die_with_parent() -> None:
    """Linux: SIGTERM this worker when the parent dies (even by SIGKILL): no orphans."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - no libc prctl
        return
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def _warm() -> int:
    import sixparty.runner  # noqa: F401 - import once, before the first chunk

    return os.getpid()


def _call(fn: ChunkFn, shared: Any, chunk: list) -> tuple[Any, int]:
    out = fn(shared, chunk)
    _freeze_once()
    return out, os.getpid()


@contextlib.contextmanager
def _main_hidden(hide: bool):
    """While workers start, hide ``__main__``'s file/spec so 'spawn' does not re-import it."""
    main = sys.modules.get("__main__")
    if not hide or main is None:
        yield
        return
    saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if k in main.__dict__}
    try:
        main.__dict__.pop("__file__", None)
        main.__dict__["__spec__"] = None
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)


def _uses_main(fn: Callable, shared: Any) -> bool:
    """True when ``fn`` (or a function passed in ``shared``) is defined in ``__main__``."""
    funcs = [fn, *(shared if isinstance(shared, tuple) else ())]
    return any(callable(f) and getattr(f, "__module__", None) == "__main__" for f in funcs)


class PoolExecutor(Executor):
    """``jobs`` ``spawn`` worker processes, started on first use, reused until :meth:`close`.

    ``pids`` lists the worker process ids once started.  Raises RuntimeError
    with :data:`GUARD_MESSAGE` when workers die while starting because an
    unguarded script re-ran its batch in them.
    """

    def __init__(self, jobs: int) -> None:
        if jobs < 1:
            raise ValueError(f"jobs must be >= 1, got {jobs}")
        self.workers = int(jobs)
        self._pool: cf.ProcessPoolExecutor | None = None
        self.pids: list[int] = []

    def describe(self) -> str:
        return f"{self.workers} worker processes"

    def _ensure(self, fn: ChunkFn, shared: Any = None) -> cf.ProcessPoolExecutor:
        if self._pool is not None:
            return self._pool
        check_not_spawned_main()
        ctx = multiprocessing.get_context("spawn")
        pool = cf.ProcessPoolExecutor(
            max_workers=self.workers, mp_context=ctx, initializer=_worker_init
        )
        # Start every worker now (each submit starts one while none is idle); without
        # re-importing __main__ unless the chunk function lives there.
        hide = not _uses_main(fn, shared)
        try:
            with _main_hidden(hide):
                warm = [pool.submit(_warm) for _ in range(self.workers)]
            self.pids = sorted({f.result() for f in warm})
        except cf.process.BrokenProcessPool:
            _terminate(pool)
            raise RuntimeError(GUARD_MESSAGE) from None
        except BaseException:
            _terminate(pool)
            raise
        self._pool = pool
        return pool

    def start(self, fn: ChunkFn | None = None, shared: Any = None) -> None:
        self._ensure(fn or _warm, shared)

    def submit(self, fn: ChunkFn, shared: Any, chunk: list):
        return self._ensure(fn, shared).submit(_call, fn, shared, chunk)

    def abort(self) -> None:
        if self._pool is not None:
            _terminate(self._pool)
            self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _terminate(pool: cf.ProcessPoolExecutor) -> None:
    """Cancel what is queued and end the worker processes now (no waiting for running chunks)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    for p in procs:
        with contextlib.suppress(Exception):
            p.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        with contextlib.suppress(Exception):
            p.join(timeout=1.0)
            if p.is_alive():
                p.kill()
                p.join(timeout=1.0)
    # Wait for the pool's manager thread to finish closing its wake-up pipe: otherwise
    # the interpreter's exit hook (concurrent.futures.process._python_exit, which does
    # not take the pool's lock on 3.11) can write to that pipe while it is being closed
    # and print "Exception ignored in threading._shutdown" after a clean stop.
    if manager is not None and manager is not threading.current_thread():
        manager.join(timeout=MANAGER_JOIN_TIMEOUT_S)


class DaskExecutor(Executor):
    """Chunks on a ``dask.distributed`` cluster.

    address: ``"tcp://HOST:PORT"`` of a running scheduler, or ``"local"`` to
    start a ``LocalCluster`` on 127.0.0.1 with ``n_workers`` single-threaded
    worker processes (closed by :meth:`close`).  Raises RuntimeError naming
    the ``dask`` extra when ``dask.distributed`` is missing, and OSError when
    the scheduler cannot be reached (10 s timeout).
    """

    def __init__(self, address: str, n_workers: int = 1) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise RuntimeError(
                "--dask needs dask.distributed: pip install 'sixparty[dask]' "
                "(or pip install 'dask[distributed]')"
            ) from None
        check_not_spawned_main()
        self.address = address
        self._cluster = None
        if address == "local":
            self._cluster = LocalCluster(
                n_workers=max(1, int(n_workers)),
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",
            )
            self._client = Client(self._cluster)
            # workers we started (not a remote cluster's): their malloc thresholds, as the pool's
            with contextlib.suppress(Exception):
                self._client.run(_keep_heap)
        else:
            self._client = Client(address, timeout="10s")
        info = self._client.scheduler_info()
        self.workers = max(
            1, sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values())
        )
        self.dashboard_link = getattr(self._client, "dashboard_link", None)

    def describe(self) -> str:
        where = "a local dask cluster" if self._cluster is not None else f"dask {self.address}"
        return f"{where} ({self.workers} worker threads)"

    def submit(self, fn: ChunkFn, shared: Any, chunk: list):
        return self._client.submit(_call, fn, shared, chunk, pure=False)

    def abort(self) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._client.close(timeout=5)
        if self._cluster is not None:
            with contextlib.suppress(Exception):
                self._cluster.close(timeout=5)
            self._cluster = None


def make_executor(jobs: int = 1, dask: str | None = None) -> Executor:
    """The executor for ``--jobs`` / ``--dask`` (or the ``SIXPARTY_DASK`` environment variable).

    ``dask``: ``None`` (use ``SIXPARTY_DASK`` if set), ``"local"`` (a
    LocalCluster of ``jobs`` workers) or ``"tcp://HOST:PORT"``.  Otherwise
    ``jobs == 1`` gives :class:`SerialExecutor` and ``jobs > 1`` a
    :class:`PoolExecutor`.
    """
    dask = dask or os.environ.get("SIXPARTY_DASK") or None
    if dask:
        return DaskExecutor(dask, n_workers=jobs)
    return SerialExecutor() if jobs <= 1 else PoolExecutor(jobs)


# ------------------------------------------------------------------- mapping
def map_chunks(
    fn: ChunkFn,
    shared: Any,
    chunks: Iterable[list],
    *,
    executor: Executor | None = None,
    n_items: int | None = None,
    serial_below: int = SERIAL_BELOW,
    on_result: Callable[[int, int], None] | None = None,
) -> Iterator[Any]:
    """Yield ``fn(shared, chunk)`` for every chunk, in the chunks' order.

    executor: where to run (default: this process).  n_items: total work
    items, when known: with fewer than ``serial_below`` the chunks run here.
    on_result(items_in_chunk, worker_pid): called as each result is yielded
    (progress bars, tests).  At most ``2 x executor.workers`` chunks are in
    flight.  Exceptions of ``fn`` propagate (the remaining chunks are
    cancelled); on KeyboardInterrupt or another BaseException the executor is
    aborted (workers terminated at once) and the exception re-raised.
    """
    ex = executor or SerialExecutor()
    if n_items is not None and n_items < serial_below:
        ex = SerialExecutor()
    if isinstance(ex, SerialExecutor):
        pid = os.getpid()
        for ch in chunks:
            out = fn(shared, ch)
            if on_result:
                on_result(len(ch), pid)
            yield out
        return
    it = iter(chunks)
    pending: deque = deque()
    try:
        for ch in it:
            pending.append((ex.submit(fn, shared, ch), len(ch)))
            if len(pending) >= 2 * ex.workers:
                break
        while pending:
            fut, k = pending.popleft()
            try:
                out, pid = fut.result()
            except cf.process.BrokenProcessPool:
                raise RuntimeError(
                    "a worker process died (killed, out of memory, or it could not load the "
                    "chunk function: functions defined in a script need the script to run its "
                    'batch under `if __name__ == "__main__":`)'
                ) from None
            nxt = next(it, None)
            if nxt is not None:
                pending.append((ex.submit(fn, shared, nxt), len(nxt)))
            if on_result:
                on_result(k, pid)
            yield out
    except Exception:
        for fut, _ in pending:
            fut.cancel()
        raise
    except BaseException:
        for fut, _ in pending:
            fut.cancel()
        ex.abort()
        raise


def _items_chunk(shared: tuple[Callable, Any], chunk: list) -> list:
    func, arg = shared
    return [func(arg, item) for item in chunk]


def map_items(
    func: Callable[[Any, Any], Any],
    items: Sequence,
    shared: Any = None,
    *,
    executor: Executor | None = None,
    chunk_size: int | None = None,
    serial_below: int = SERIAL_BELOW,
    progress: bool | None = None,
    desc: str = "runs",
    chunk_func: Callable[[Any, list], list] | None = None,
) -> Iterator[Any]:
    """Yield ``func(shared, item)`` for every item, in the items' order (one result per item).

    The entry point for batches of simulations with a per-run summarising
    function, e.g. the validation harness::

        def score(scenario, item):             # module-level: workers import it
            params, replicate = item
            ...
            return {"rmse": ...}

        with make_executor(jobs=2) as ex:
            rows = list(map_items(score, [(p, r) for p in grid for r in range(10)],
                                  shared=scenario, executor=ex))

    items: picklable work items (``(scenario, seed)``, ``(parameter set,
    replicate)``, ...).  shared: passed to every call (pickled once per
    chunk).  chunk_size: items per task (default :func:`default_chunk_size`).
    progress: a tqdm bar on stderr (``None``: only when stderr is a
    terminal; ``tqdm.auto`` in notebooks).  Results are identical whatever
    the executor, the workers or the chunk size, given a deterministic
    ``func``.  chunk_func: ``chunk_func(shared, chunk) -> [result per item]``
    doing the work of ``func`` for a whole chunk at once (a batch of runs in
    one model); it must give what ``func`` gives item by item.
    """
    ex = executor or SerialExecutor()
    n = len(items)
    size = chunk_size or default_chunk_size(n, ex.workers)
    bar = progress_bar(n, desc, progress)
    try:
        for outs in map_chunks(
            _items_chunk if chunk_func is None else chunk_func,
            (func, shared) if chunk_func is None else shared,
            chunked(items, size),
            executor=ex,
            n_items=n,
            serial_below=serial_below,
            on_result=lambda k, _pid: bar.update(k),
        ):
            yield from outs
    finally:
        bar.close()


def progress_bar(total: int, desc: str, enabled: bool | None = None):
    """A ``tqdm.auto`` bar on stderr: ``enabled=None`` shows it only on a terminal (or notebook);
    ``False`` never."""
    from tqdm.auto import tqdm

    return tqdm(
        total=total,
        desc=desc,
        unit="run",
        file=sys.stderr,
        leave=False,
        disable=None if enabled is None or enabled else True,
        dynamic_ncols=True,
    )
