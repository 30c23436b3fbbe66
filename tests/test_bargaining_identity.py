"""The optimised expected-utility core gives bit-identical results to the unoptimised one.

``tests/data/reference_bargaining.py`` is sixparty.bargaining as it was before the
small-batch speed-ups (fused voter sums, no ``moveaxis`` / ``take_along_axis``, the
all-bargaining fast path).  These tests compare the two bit for bit: the functions on
random inputs of many shapes (ties, masks, several issues, both perception rules, Q < 1),
and whole runs of the historical scenario, whose data files must be byte-identical when
the model is driven by the reference functions instead.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
from sixparty import bargaining as bg

REF_PATH = Path(__file__).parent / "data" / "reference_bargaining.py"


@pytest.fixture(scope="module")
def ref():
    spec = importlib.util.spec_from_file_location("reference_bargaining", REF_PATH)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    try:
        spec.loader.exec_module(mod)
    finally:
        del sys.modules[spec.name]
    return mod


def same(a, b) -> bool:
    """Bit-identical arrays (NaN equal to NaN, same dtype and shape)."""
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def random_state(rng, R, n, k, ties):
    shape = (R, n) if k is None else (R, n, k)
    x = rng.random(shape)
    if ties:  # coarse grid: many equal positions, weighted-median ties
        x = np.round(x * 3) / 3
    c = rng.random(n) * 10 if rng.random() < 0.5 else rng.random(shape[:2]) * 10
    s = rng.random(shape)
    if ties:
        s[..., 0] = 1.0
        c = np.round(np.asarray(c))
    return x, c, s


ROUND_FIELDS = (
    "positions",
    "median",
    "median_with_risk",
    "risk_exponent",
    "expected_utility",
    "probability",
    "challenge",
    "outcome",
    "accepted_from",
    "accepted_outcome",
)


@pytest.mark.parametrize("perception", ["receiver", "own"])
@pytest.mark.parametrize("q", [1.0, 0.7])
def test_rounds_are_bit_identical_to_the_reference(ref, perception, q):
    rng = np.random.default_rng(13)
    for case in range(60):
        R = int(rng.choice([1, 2, 7, 50]))
        n = int(rng.choice([2, 3, 6, 9]))
        k = [None, 1, 8][case % 3]
        ties = case % 2 == 0
        x, c, s = random_state(rng, R, n, k, ties)
        scale = [1.0, None, rng.random(R) + 0.5][case % 3 if k is None else case % 2]
        mask = None if case % 4 else rng.random(R) < 0.6
        kw = dict(status_quo_probability=q, improvement_probability=0.6, perception=perception)
        new = bg.bargaining_round(
            bg.BargainingState(x, c, s, scale), bg.BargainingParameters(**kw), mask
        )
        old = ref.bargaining_round(
            ref.BargainingState(x, c, s, scale), ref.BargainingParameters(**kw), mask
        )
        for f in ROUND_FIELDS:
            assert same(getattr(new, f), getattr(old, f)), (case, f)
        for name in old.counts:
            assert same(new.counts[name], old.counts[name]), (case, name)


@pytest.mark.parametrize("n", [2, 5, 7, 8, 13, 21, 30])
def test_rounds_are_bit_identical_to_the_reference_for_any_actor_count(ref, n):
    # the round is laid out for speed (operands broadcast to (B, n, n), sums added one
    # after another); the reference composes the public functions, for every n
    rng = np.random.default_rng(100 + n)
    for case in range(12):
        R = int(rng.choice([1, 3, 40, 256]))
        x, c, s = random_state(rng, R, n, 3 if case % 6 == 0 else None, case % 2 == 0)
        if case % 5 == 0:
            x[..., 0] = -0.0
        if case % 4 == 1:
            s[..., -1] = 0.0
        kw = dict(
            status_quo_probability=[1.0, 0.4][case % 2],
            improvement_probability=0.3,
            perception=["receiver", "own"][case // 2 % 2],
        )
        scale = [1.0, None][case % 2]
        mask = rng.random(R) < 0.6 if case % 4 == 3 else None
        new = bg.bargaining_round(
            bg.BargainingState(x, c, s, scale), bg.BargainingParameters(**kw), mask
        )
        old = ref.bargaining_round(
            ref.BargainingState(x, c, s, scale), ref.BargainingParameters(**kw), mask
        )
        for f in ROUND_FIELDS:
            assert same(getattr(new, f), getattr(old, f)), (case, f)


def test_convergence_is_bit_identical_to_the_reference(ref):
    rng = np.random.default_rng(7)
    for case in range(8):
        x, c, s = random_state(rng, 5, 6, 8 if case % 2 else None, case % 3 == 0)
        new = bg.run_to_convergence(bg.BargainingState(x, c, s), bg.BargainingParameters())
        old = ref.run_to_convergence(ref.BargainingState(x, c, s), ref.BargainingParameters())
        for f in ("positions", "medians", "converged", "rounds"):
            assert same(getattr(new, f), getattr(old, f)), (case, f)


@pytest.mark.parametrize("shape", [(6,), (8, 6), (3, 4, 6), (1, 1)])
def test_weighted_median_is_bit_identical_to_the_reference(ref, shape):
    rng = np.random.default_rng(3)
    for case in range(40):
        x = rng.random(shape)
        w = rng.random(shape)
        if case % 2:
            x = np.round(x * 2) / 2
            w = np.round(w * 2)  # zero rows and exact halves
        if case % 3 == 0 and len(shape) > 1:  # non-contiguous, as the chair's draft (pos.T)
            x = np.ascontiguousarray(x.swapaxes(-1, -2)).swapaxes(-1, -2)
            w = np.ascontiguousarray(w.swapaxes(-1, -2)).swapaxes(-1, -2)
        a, b = bg.weighted_median(x, w), ref.weighted_median(x, w)
        assert type(a) is type(b) and same(a, b), case
    x = rng.random((2, 5))
    assert same(bg.weighted_median(x, 1.0), ref.weighted_median(x, 1.0))  # broadcast weights


def run_tables(seed: int) -> dict[str, str]:
    """The data files of a historical run (CSV text by file name), as ``sixparty run`` writes them."""
    from sixparty.loader import load_scenario
    from sixparty.outputs import csv_text, table_rows
    from sixparty.runner import simulate

    result = simulate(load_scenario("historical"), seed=seed)
    return {f"{stem}.csv": csv_text(*table) for stem, table in table_rows(result).items()}


@pytest.mark.parametrize("seed", [1, 2003, 424242])
def test_historical_runs_are_byte_identical_with_the_reference_core(ref, monkeypatch, seed):
    import sixparty.model
    import sixparty.parties

    fast = run_tables(seed)
    monkeypatch.setattr(sixparty.model, "bargaining_round", ref.bargaining_round)
    monkeypatch.setattr(sixparty.parties, "weighted_median", ref.weighted_median)
    if hasattr(sixparty.model, "weighted_median"):
        monkeypatch.setattr(sixparty.model, "weighted_median", ref.weighted_median)
    slow = run_tables(seed)
    assert sorted(fast) == sorted(slow)
    assert int(fast["sessions.csv"].count("\n")) > 5  # the run did bargain
    for name in slow:
        assert (
            hashlib.sha256(fast[name].encode()).hexdigest()
            == hashlib.sha256(slow[name].encode()).hexdigest()
        ), name
