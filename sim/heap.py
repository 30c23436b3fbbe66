"""glibc's malloc thresholds for the processes sixparty owns (speed only).

:func:`keep_heap` is called by the ensemble's worker processes (the process pool's
initializer and a local dask cluster's workers, :mod:`sixparty.analysis.executors`)
and by the ``sixparty`` command (:func:`sixparty.cli.console_main`); never on
``import sixparty`` nor by the library's functions (``simulate``, ``simulate_batch``,
``run_ensemble`` with ``jobs=1``), which run in the caller's process and must not
change its C allocator.

Why: glibc's dynamic thresholds gave the heap back to the kernel after each
bargaining round's large temporaries (a (B, n, n) float64 array is 74 kB at B = 256,
n = 6, and 1.8 MB at n = 30) were freed, and faulted it in again at the next round:
about 430,000 minor page faults, 13 % of the rounds' CPU in kernel time, over 512
runs' rounds (benchmarks/README.md, 2026-12-02).  Results do not change.
"""

from __future__ import annotations

import ctypes
import os
import sys

__all__ = ["MALLOC_KEEP", "keep_heap"]

#: glibc's ``M_MMAP_THRESHOLD`` and ``M_TRIM_THRESHOLD`` (bytes) in the processes
#: sixparty owns: blocks up to this size come from the heap, and the heap is given
#: back to the kernel only when this much is free at its top.  16 MiB covers every
#: array of a 256-replicate model; at most that much freed memory stays with a process.
MALLOC_KEEP = 16 * 2**20

#: glibc's malloc.h parameter numbers for mallopt.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

#: Environment variables through which a user sets the same thresholds (kept if set).
_USER_VARIABLES = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")

_done = False


def keep_heap() -> bool:
    """Set glibc's ``M_MMAP_THRESHOLD`` and ``M_TRIM_THRESHOLD`` to :data:`MALLOC_KEEP`,
    once a process.  Returns True if it did (this call or an earlier one).

    A silent no-op (False) off Linux, on C libraries other than glibc (no
    ``gnu_get_libc_version``), when the user set either threshold through glibc's
    environment variables, or when anything in the call fails.
    """
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux") or any(v in os.environ for v in _USER_VARIABLES):
        return False
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # glibc only  # noqa: B018
        mallopt = libc.mallopt
        mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
        mallopt.restype = ctypes.c_int
        ok = bool(mallopt(_M_MMAP_THRESHOLD, MALLOC_KEEP)) & bool(
            mallopt(_M_TRIM_THRESHOLD, MALLOC_KEEP)
        )
    except Exception:  # noqa: BLE001 - speed only: never fail a run over it
        return False
    _done = ok
    return ok
