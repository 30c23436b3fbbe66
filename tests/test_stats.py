"""Intervals of shares of runs (analysis.stats.share_ci: Wilson)."""

from __future__ import annotations

import numpy as np
import pytest


# ------------------------------------------------------------ shares of runs (Wilson)
def test_a_share_of_none_or_all_runs_keeps_an_interval():
    """0 of 100 runs is not proof of impossibility: Wilson gives about [0, 3.7%]
    (a percentile bootstrap gives [0, 0])."""
    from sixparty.analysis.stats import share_ci

    lo, hi = share_ci(0, 100)
    assert lo == 0.0 and hi == pytest.approx(0.037, abs=0.001)
    lo, hi = share_ci(100, 100)
    assert hi == 1.0 and lo == pytest.approx(0.963, abs=0.001)


def test_share_ci_matches_the_wilson_formula():
    from sixparty.analysis.stats import share_ci

    k, n, z = np.array([3, 50, 93]), 100, 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    lo, hi = share_ci(k, n)
    assert lo == pytest.approx(centre - half, abs=1e-9)
    assert hi == pytest.approx(centre + half, abs=1e-9)


@pytest.mark.parametrize("bad", [(-1, 10), (11, 10), (1.5, 10), (1, 0)])
def test_share_ci_refuses_impossible_counts(bad):
    from sixparty.analysis.stats import share_ci

    with pytest.raises(ValueError):
        share_ci(*bad)
