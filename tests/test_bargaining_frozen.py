"""The expected-utility round pinned bit for bit to a frozen reference.

``tests/data/round_hashes.json`` holds sha256 digests of every field of
:func:`sixparty.bargaining.bargaining_round` on fixed random states for actor counts
n = 2 ... 30 (with ties, signed zeros, zero salience, masks, several issues, both
perception rules, Q < 1), and of :func:`~sixparty.bargaining.run_to_convergence` on
Bueno de Mesquita's published example (Scholz et al. 2011's test case, 10 actors:
tests/data/bdm_example.csv).  The digests were written by main 1e0538e, before the
round was laid out for speed (2026-12-03, benchmarks/README.md):
``python tests/test_bargaining_frozen.py --write`` adds (or replaces) the set of
digests of this machine's platform, written with the installed sixparty.

Floating-point results can differ in the last bit between numpy builds and CPU
features (numpy's ``power`` uses other vector code with AVX-512), so the file holds one
set of digests per platform (numpy version and SIMD level) and a platform without a set
skips; the sets besides the first were written on 2026-12-03 by main's code, whose round
the first set shows bit-identical to 1e0538e's where both run.  The
platform-independent check is tests/test_bargaining_identity.py (against a reference
implementation run on the same machine).
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from sixparty import bargaining as bg

DATA = Path(__file__).parent / "data"
FROZEN = DATA / "round_hashes.json"
ACTOR_COUNTS = (2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 16, 17, 21, 23, 30)
FIELDS = (
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


def platform() -> dict:
    """What the digests depend on besides the code: numpy's version and SIMD level."""
    from numpy._core._multiarray_umath import __cpu_features__ as f

    return {"numpy": np.__version__, "avx512f": bool(f.get("AVX512F")), "avx2": bool(f.get("AVX2"))}


def cases(n: int):
    """Fixed (state, parameters, mask) triples for n actors."""
    rng = np.random.default_rng(2011 + n)
    for case in range(8):
        R = (1, 3, 256, 40)[case % 4]
        k = 3 if case == 5 else None
        shape = (R, n) if k is None else (R, n, k)
        x = rng.random(shape)
        ties = case % 2 == 0
        if ties:  # coarse grid: equal positions, weighted-median ties
            x = np.round(x * 3) / 3
        if case % 3 == 0:
            x[..., 0] = -0.0  # signed zeros
        c = rng.random(shape[:2]) * 10
        s = rng.random(shape)
        if case == 6:
            s[..., 1] = 0.0
        scale = (1.0, None)[case % 2]
        params = bg.BargainingParameters(
            status_quo_probability=(1.0, 0.4)[case % 2],
            improvement_probability=0.3,
            perception=("receiver", "own")[case // 2 % 2],
        )
        mask = rng.random(R) < 0.6 if case == 3 else None
        yield bg.BargainingState(x, c, s, scale), params, mask


def digest(arrays) -> str:
    h = hashlib.sha256()
    for a in arrays:
        a = np.asarray(a)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def round_digest(n: int) -> str:
    out = []
    for state, params, mask in cases(n):
        res = bg.bargaining_round(state, params, mask)
        out += [getattr(res, f) for f in FIELDS]
        out += [res.counts[k] for k in sorted(res.counts)]
    return digest(out)


def example_digest() -> str:
    with (DATA / "bdm_example.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    c = np.array([float(r["capability"]) for r in rows])
    x = np.array([float(r["position"]) for r in rows])
    s = np.array([float(r["salience"]) for r in rows]) / 100.0
    out = []
    for perception in ("receiver", "own"):
        res = bg.run_to_convergence(
            bg.BargainingState(np.tile(x, (2, 1)), c, s, 6.0),
            bg.BargainingParameters(perception=perception),
        )
        out += [res.positions, res.medians, res.converged, res.rounds]
    return digest(out)


def compute() -> dict:
    return {
        "platform": platform(),
        "rounds": {str(n): round_digest(n) for n in ACTOR_COUNTS},
        "bdm_example": example_digest(),
    }


def digest_sets() -> list[dict]:
    """The frozen sets of digests, one per platform (``{"sets": [...]}``)."""
    return json.loads(FROZEN.read_text(encoding="utf-8"))["sets"]


@pytest.fixture(scope="module")
def frozen():
    here = platform()
    for ref in digest_sets():
        if ref["platform"] == here:
            return ref
    pytest.skip(f"no digests written under {here} (sets: {[r['platform'] for r in digest_sets()]})")


@pytest.mark.parametrize("n", ACTOR_COUNTS)
def test_round_is_bit_identical_to_the_frozen_reference(frozen, n):
    assert round_digest(n) == frozen["rounds"][str(n)]


def test_published_example_is_bit_identical_to_the_frozen_reference(frozen):
    assert example_digest() == frozen["bdm_example"]


if __name__ == "__main__":  # pragma: no cover - rewrite the reference
    if sys.argv[1:] != ["--write"]:
        raise SystemExit("usage: python tests/test_bargaining_frozen.py --write")
    new_set = compute()
    sets = [r for r in digest_sets() if r["platform"] != new_set["platform"]] + [new_set]
    FROZEN.write_text(json.dumps({"sets": sets}, indent=1) + "\n", encoding="utf-8")
    print(f"wrote the digests of {new_set['platform']} into {FROZEN}")
