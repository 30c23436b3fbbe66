"""Bootstrap intervals for ensembles and comparisons, with :func:`scipy.stats.bootstrap`.

``bootstrap_mean_ci(values, n_boot=2000, seed=0, level=0.95) -> (mean, lo, hi)``
    Percentile bootstrap interval of the mean of each column of ``values``
    (shape ``(n,)`` or ``(n, k)``; NaN bounds when ``n < 2``).  For a *paired*
    comparison pass the per-replicate differences ``x_variant - x_base``:
    resampling replicates keeps each pair together (the same as
    ``scipy.stats.bootstrap((x_variant, x_base), mean difference, paired=True)``).

Method: percentile, not BCa
---------------------------
Most compared outcomes are 0/1 indicators (did the DPRK walk out?) whose
share is often 0 or 1 in one scenario, or differences that are exactly 0 in
most replicates.  BCa's jackknife acceleration is undefined for such columns
(scipy warns and returns NaN) and costs ``O(n)`` extra statistic evaluations
per column; the percentile interval is defined for every column, its
coverage for means of ``n >= 30`` replicates is close to nominal, and it is
what the comparison tables always reported.

Shares of runs: Wilson, not the bootstrap
-----------------------------------------
The share of runs in which an event happens (k of n) gets the Wilson score
interval (:func:`share_ci`, ``scipy.stats.binomtest(...).proportion_ci``): a
percentile bootstrap of 0 of 100 runs is [0, 0], as if 100 runs proved the
event impossible, while Wilson gives [0, 3.7 %]; its bounds are also not
interpolated resample quantiles (0.30025 of 100 runs).  Wilson (1927), *J.
Amer. Statist. Assoc.* 22: 209-212; Brown, Cai & DasGupta (2001), *Statist.
Sci.* 16: 101-133, recommend it for n of this size.

Determinism
-----------
Every column is bootstrapped with a fresh ``numpy.random.default_rng(seed)``
and a batch size that depends only on ``n``, so every outcome and every
variant of one comparison is resampled with the *same* replicate indices,
and the same ``seed`` gives byte-identical intervals however the ensembles
were run.  Memory: a batch holds at most about 2 million resampled values
(16 MB) whatever ``n`` and ``n_boot``.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["BOOTSTRAP_METHOD", "bootstrap_mean_ci", "share_ci"]

#: ``scipy.stats.bootstrap`` method (see the module docstring for why).
BOOTSTRAP_METHOD = "percentile"
#: Most resampled values held at once (batch = this // n resamples).
_BATCH_VALUES = 2_000_000


def bootstrap_mean_ci(
    values: np.ndarray, n_boot: int = 2000, seed: int = 0, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and percentile-bootstrap interval of the mean, per column.

    values: ``(n,)`` or ``(n, k)`` (n replicates, k outcomes), finite.
    Returns three arrays of shape ``(k,)`` (0-d for a 1-D input): the sample
    mean and the ``(1 - level) / 2`` and ``(1 + level) / 2`` percentiles of
    ``n_boot`` resample means (:func:`scipy.stats.bootstrap`,
    ``method="percentile"``, resampling replicates with
    ``numpy.random.default_rng(seed)``).  A constant column gives
    ``lo == mean == hi`` exactly.  With fewer than two replicates no interval
    can be computed: ``lo`` and ``hi`` are NaN (so neither ``lo > 0`` nor
    ``hi < 0`` holds).  Raises ValueError on an empty input, ``n_boot < 1``
    or a level outside (0, 1).
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level}")
    if n_boot < 1:
        raise ValueError(f"n_boot must be >= 1, got {n_boot}")
    v = np.asarray(values, dtype=np.float64)
    one_d = v.ndim == 1
    if one_d:
        v = v[:, None]
    n, k = v.shape
    if n == 0:
        raise ValueError("no values to bootstrap")
    mean = v.mean(axis=0)
    lo = np.full(k, np.nan)
    hi = np.full(k, np.nan)
    if n >= 2:
        batch = max(1, _BATCH_VALUES // n)
        for j in range(k):
            col = v[:, j]
            if np.ptp(col) == 0:  # constant: every resample mean is the mean
                lo[j] = hi[j] = mean[j]
                continue
            res = stats.bootstrap(
                (col,),
                np.mean,
                n_resamples=int(n_boot),
                batch=batch,
                vectorized=True,
                confidence_level=level,
                method=BOOTSTRAP_METHOD,
                rng=np.random.default_rng(int(seed)),
            )
            lo[j], hi[j] = res.confidence_interval.low, res.confidence_interval.high
    if one_d:
        return mean[0], lo[0], hi[0]
    return mean, lo, hi


def share_ci(successes, n: int, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a share of runs, per entry of ``successes``.

    successes: a whole number or an array of them, each in 0..n (the runs in which
    the event happened); n: runs, >= 1.  Returns ``(lo, hi)`` shares in [0, 1], the
    same shape as ``successes`` (:func:`scipy.stats.binomtest`, ``proportion_ci``,
    ``method="wilson"``; see the module docstring).  Raises ValueError for n < 1, a
    count outside 0..n or a level outside (0, 1).
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level}")
    if int(n) < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    k = np.asarray(successes)
    flat = k.reshape(-1)
    lo = np.empty(flat.shape, dtype=np.float64)
    hi = np.empty(flat.shape, dtype=np.float64)
    for i, x in enumerate(flat):
        ki = int(round(float(x)))
        if abs(float(x) - ki) > 1e-9 or not 0 <= ki <= int(n):
            raise ValueError(f"successes must be whole numbers in 0..{n}, got {x}")
        ci = stats.binomtest(ki, int(n)).proportion_ci(confidence_level=level, method="wilson")
        lo[i], hi[i] = max(0.0, float(ci.low)), min(1.0, float(ci.high))
    return lo.reshape(k.shape), hi.reshape(k.shape)
