"""glibc's malloc thresholds (:mod:`sixparty.heap`): set once, only in the processes
sixparty owns (the ensemble's workers, the ``sixparty`` command), never on ``import
sixparty`` or by the library's functions; silent where it cannot apply.  Speed only:
that results do not change is checked by the determinism and identity tests."""

from __future__ import annotations

import ctypes
import json
import signal
import subprocess
import sys
import textwrap

import pytest
from sixparty import heap
from sixparty.analysis import executors
from sixparty.analysis.executors import PoolExecutor, chunked, map_chunks


class FakeLibc:
    def __init__(self, fail=False):
        self.calls = []
        self.fail = fail
        self.gnu_get_libc_version = object()

    @property
    def mallopt(self):
        lib = self

        class Fn:
            argtypes = restype = None

            def __call__(self, param, value):
                if lib.fail:
                    raise OSError("no mallopt")
                lib.calls.append((param, value))
                return 1

        return Fn()


@pytest.fixture
def fake(monkeypatch):
    lib = FakeLibc()
    monkeypatch.setattr(heap, "_done", False)
    monkeypatch.setattr(heap.sys, "platform", "linux")
    monkeypatch.setattr(ctypes, "CDLL", lambda name: lib)
    for v in heap._USER_VARIABLES:
        monkeypatch.delenv(v, raising=False)
    return lib


def test_sets_both_thresholds_once(fake):
    assert heap.keep_heap() and heap.keep_heap()
    assert fake.calls == [(-3, heap.MALLOC_KEEP), (-1, heap.MALLOC_KEEP)]


@pytest.mark.parametrize("var", ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"])
def test_leaves_the_users_thresholds(fake, monkeypatch, var):
    monkeypatch.setenv(var, "1000000")
    assert not heap.keep_heap()
    assert fake.calls == []


def test_nothing_without_glibc_or_off_linux(fake, monkeypatch):
    del fake.gnu_get_libc_version
    assert not heap.keep_heap()
    monkeypatch.setattr(heap.sys, "platform", "darwin")
    fake.gnu_get_libc_version = object()
    assert not heap.keep_heap()
    assert fake.calls == []


def test_a_failing_call_is_silent(fake):
    fake.fail = True
    assert not heap.keep_heap()


# The library must not touch the caller's allocator: a fresh interpreter whose
# ctypes.CDLL records every mallopt looked up, importing sixparty and running
# simulate_batch, simulate and a serial ensemble.
LIBRARY_USER = textwrap.dedent(
    """
    import ctypes, json, sys, tempfile
    seen = []
    real = ctypes.CDLL
    class Spy:
        def __init__(self, *a, **k):
            self._lib = real(*a, **k)
        def __getattr__(self, name):
            if name == "mallopt":
                seen.append(name)
            return getattr(self._lib, name)
    ctypes.CDLL = Spy
    import sixparty
    from sixparty.loader import load_scenario
    from sixparty.runner import simulate, simulate_batch
    from sixparty.analysis.ensemble import run_ensemble
    sc = load_scenario("historical")
    simulate_batch(sc, [0, 1], record_positions=False)
    simulate(sc, seed=3)
    with tempfile.TemporaryDirectory() as d:
        run_ensemble(sc, 3, 1, jobs=1, progress=False, workdir=d)
    done = sys.modules.get("sixparty.heap")
    print(json.dumps({"mallopt": seen, "done": bool(done and done._done)}))
    """
)


def test_importing_and_the_api_leave_the_allocator_alone(tmp_path):
    out = subprocess.run(
        [sys.executable, "-c", LIBRARY_USER],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"mallopt": [], "done": False}


def _heap_kept(shared, chunk):
    return [heap._done for _ in chunk]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt: Linux")
def test_the_pool_workers_keep_their_heap(monkeypatch):
    if not hasattr(ctypes.CDLL(None), "gnu_get_libc_version"):
        pytest.skip("not glibc")
    # dask.distributed's LocalCluster (test_ensemble) leaves MALLOC_TRIM_THRESHOLD_ in this
    # process's environment; the workers would inherit it and rightly leave glibc alone.
    for v in heap._USER_VARIABLES:
        monkeypatch.delenv(v, raising=False)
    with PoolExecutor(1) as ex:
        got = list(map_chunks(_heap_kept, None, chunked(range(2), 1), executor=ex, serial_below=0))
    assert got == [[True], [True]]


def test_the_worker_initializer_calls_it(monkeypatch):
    calls = []
    monkeypatch.setattr(heap, "keep_heap", lambda: calls.append(1) or True)
    monkeypatch.setattr(executors, "_die_with_parent", lambda: None)
    monkeypatch.setattr(executors.signal, "signal", lambda *a: None)
    executors._worker_init()
    assert calls == [1]


def test_the_command_sets_it_and_main_does_not(monkeypatch):
    from sixparty import cli

    calls = []
    monkeypatch.setattr(heap, "keep_heap", lambda: calls.append("keep") or True)
    monkeypatch.setattr(cli, "_main", lambda argv=None: calls.append("main") or 0)
    assert cli.main([]) == 0
    assert calls == ["main"]
    monkeypatch.setattr(signal, "signal", lambda *a: None)  # console_main ignores SIGINT at exit
    assert cli.console_main() == 0
    assert calls == ["main", "keep", "main"]


class FakeClient:
    def __init__(self, where, timeout=None):
        self.ran = []

    def run(self, fn):
        self.ran.append(fn)

    def scheduler_info(self):
        return {"workers": {"w": {"nthreads": 1}}}

    def close(self, timeout=None):
        pass


class FakeCluster:
    def __init__(self, **kw):
        pass

    def close(self, timeout=None):
        pass


@pytest.mark.parametrize("address, kept", [("local", True), ("tcp://10.0.0.1:8786", False)])
def test_a_local_dask_clusters_workers_keep_their_heap(monkeypatch, address, kept):
    # workers we start (LocalCluster) are ours; a remote cluster's are not
    import types

    dist = types.ModuleType("dask.distributed")
    dist.Client, dist.LocalCluster = FakeClient, FakeCluster
    monkeypatch.setitem(sys.modules, "dask", types.ModuleType("dask"))
    monkeypatch.setitem(sys.modules, "dask.distributed", dist)
    ex = executors.DaskExecutor(address)
    assert ex._client.ran == ([executors._keep_heap] if kept else [])
    ex.close()
