"""Small statistics helpers for ensembles and comparisons (numpy only).

``bootstrap_mean_ci(values, n_boot=2000, seed=0, level=0.95, batch=250) -> (mean, lo, hi)``
    Percentile bootstrap interval of the mean of each column of ``values``
    (shape ``(n,)`` or ``(n, k)``; NaN bounds when ``n < 2``).  For a *paired* comparison pass the
    per-replicate differences ``x_variant - x_base``: resampling replicates
    keeps each pair together.
``bootstrap_weights(n, n_boot, seed, batch)``
    The resampling design used above, as batches of multinomial counts.

The resamples are drawn as multinomial counts (``w[b, i]`` = how many times
replicate ``i`` is drawn in resample ``b``; each row sums to ``n``) from
``numpy.random.default_rng(seed)``, so a resample mean is ``w @ values / n``
and memory stays ``batch x n`` whatever the number of outcomes.  The same
``seed`` gives the same resamples for every call with the same ``n``: all
outcomes and all variants of one comparison are resampled identically
(deterministic, and independent of how the ensembles were run).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

__all__ = ["bootstrap_mean_ci", "bootstrap_weights"]


def bootstrap_weights(n: int, n_boot: int, seed: int, batch: int = 250) -> Iterator[np.ndarray]:
    """Yield ``(b, n)`` float64 arrays of multinomial counts, ``n_boot`` rows in all.

    Raises ValueError if ``n < 1`` or ``n_boot < 1``.
    """
    if n < 1 or n_boot < 1:
        raise ValueError(f"need n >= 1 and n_boot >= 1, got n={n}, n_boot={n_boot}")
    rng = np.random.default_rng(np.random.SeedSequence(int(seed)))
    p = np.full(n, 1.0 / n)
    done = 0
    while done < n_boot:
        b = min(batch, n_boot - done)
        yield rng.multinomial(n, p, size=b).astype(np.float64)
        done += b


def bootstrap_mean_ci(values: np.ndarray, n_boot: int = 2000, seed: int = 0,
                      level: float = 0.95, batch: int = 250) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and percentile-bootstrap interval of the mean, per column.

    values: ``(n,)`` or ``(n, k)`` (n replicates, k outcomes), finite.
    Returns three arrays of shape ``(k,)`` (or scalars' 0-d arrays for a 1-D
    input): the sample mean and the ``(1 - level) / 2`` and
    ``(1 + level) / 2`` quantiles of the resample means.  A column that is
    constant gives ``lo == mean == hi`` (up to rounding).  With fewer than
    two replicates no interval can be computed: ``lo`` and ``hi`` are NaN
    (so neither ``lo > 0`` nor ``hi < 0`` holds).  Raises ValueError on an
    empty input or a level outside (0, 1).
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level}")
    v = np.asarray(values, dtype=np.float64)
    one_d = v.ndim == 1
    if one_d:
        v = v[:, None]
    n = v.shape[0]
    if n == 0:
        raise ValueError("no values to bootstrap")
    if n < 2:
        nan = np.full(v.shape[1], np.nan)
        mean = v.mean(axis=0)
        return (mean[0], nan[0], nan[0]) if one_d else (mean, nan, nan.copy())
    means = []
    for w in bootstrap_weights(n, n_boot, seed, batch):
        means.append(w @ v / n)
    m = np.concatenate(means, axis=0)
    alpha = (1.0 - level) / 2.0
    lo, hi = np.quantile(m, [alpha, 1.0 - alpha], axis=0)
    mean = v.mean(axis=0)
    # a constant column: resample means equal the mean up to rounding
    const = np.ptp(v, axis=0) == 0
    lo = np.where(const, mean, lo)
    hi = np.where(const, mean, hi)
    if one_d:
        return mean[0], lo[0], hi[0]
    return mean, lo, hi
