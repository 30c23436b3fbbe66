"""The expected-utility bargaining core (sixparty.bargaining).

Published example: Bueno de Mesquita (1994) as reproduced by Scholz, Calbert & Smith
(2011) and the open replication dmasad/BDM_DecisionModel_Replication (see the header of
tests/data/bdm_example.csv).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from sixparty import bargaining as bg

DATA = Path(__file__).parent / "data" / "bdm_example.csv"


@pytest.fixture(scope="module")
def example():
    with DATA.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    names = [r["actor"] for r in rows]
    c = np.array([float(r["capability"]) for r in rows])
    x = np.array([float(r["position"]) for r in rows])
    s = np.array([float(r["salience"]) for r in rows]) / 100.0
    return names, c, x, s


def state_of(example, R=1, scale=6.0):
    _, c, x, s = example
    return bg.BargainingState(np.tile(x, (R, 1)), c, s, scale)


# ---------------------------------------------------------------- published example


def test_example_forecast_is_the_published_median_voter_position(example):
    _, c, x, s = example
    w = c * s
    # Published forecast (median voter position) 7; weighted mean 7.39 (replication notebooks).
    assert bg.median_voter_position(x[None], w[None], 6.0)[0] == 7.0
    assert bg.weighted_median(x, w) == 7.0
    assert (w * x).sum() / w.sum() == pytest.approx(7.38996, abs=1e-5)
    assert bg.bargaining_round(state_of(example)).median[0] == 7.0


def test_example_first_round_moves(example):
    """Round 1 agrees with the moves the open replication's notebooks print.

    ModelTest.ipynb: "Luxembourg loses challenge to Belgium" (new position 7).
    Testing.ipynb: Belgium and Ireland lose a confrontation to France (new position 10).
    Both perception rules reproduce these three moves exactly (full moves to the
    winner's position).  The replication's other round-1 moves come from rules it
    states differently (see docs/model.md) and are not expected here.
    """
    names, c, x, s = example
    who = {n: i for i, n in enumerate(names)}
    default = bg.bargaining_round(state_of(example))
    own = bg.bargaining_round(state_of(example), bg.BargainingParameters(perception="own"))
    for res in (default, own):
        for loser, winner in [
            ("Luxembourg", "Belgium"),
            ("Belgium", "France"),
            ("Ireland", "France"),
        ]:
            assert res.accepted_from[0, who[loser]] == who[winner], loser
            assert res.accepted_outcome[0, who[loser]] == bg.CONFLICT, loser
            assert res.positions[0, who[loser]] == x[who[winner]], loser
        assert res.median[0] == 7.0 and res.median_with_risk[0] == 7.0
    # With BDM's perceptions the UK, valuing Greece's threat with its own exponent, holds.
    assert default.accepted_from[0, who["UK"]] == -1 and default.positions[0, who["UK"]] == 10
    assert own.accepted_outcome[0, who["UK"]] == bg.COMPROMISE
    # Risk exponents span the paper's range [0.5, 2]; Luxembourg is the most exposed.
    r = default.risk_exponent[0]
    assert r.min() == pytest.approx(0.5) and r.max() == pytest.approx(2.0)
    assert r[who["Luxembourg"]] == pytest.approx(0.5) and r[who["UK"]] == pytest.approx(2.0)
    assert np.array_equal(r, own.risk_exponent[0])
    total = sum(int(v[0]) for v in default.counts.values())
    assert total == int((default.accepted_from[0] >= 0).sum())


@pytest.mark.parametrize("perception", ["receiver", "own"])
def test_example_converges_to_consensus(example, perception):
    _, c, x, s = example
    params = bg.BargainingParameters(perception=perception)
    out = bg.run_to_convergence(state_of(example), params)
    assert out.converged[0] and out.stopped_by[0] == "converged"
    assert 1 < out.rounds[0] < params.max_rounds
    assert out.positions.shape == (out.rounds[0] + 1, 1, 10)
    final, mu = out.positions[-1, 0], out.medians[-1, 0]
    w = c * s
    assert (w * np.abs(final - mu)).sum() / w.sum() < 0.01 * 6.0  # consensus: 1 % of the scale
    if perception == "receiver":
        assert mu == 7.0  # the dynamic model settles on the published forecast
    else:
        assert 7.0 <= mu <= 7.5


# ---------------------------------------------------------------- B1-B4 by hand


@pytest.mark.parametrize(
    "x,w,expected",
    [
        ([1, 2, 3], [1, 1, 1], 2),
        ([1, 2, 3, 4], [1, 1, 1, 1], 2),  # flat minimiser [2, 3]: the lower end
        ([0, 10], [3, 1], 0),
        ([5, 1, 3], [1, 1, 5], 3),
        ([5, 1, 3], [0, 0, 0], 3),  # no weight: the plain (lower) median
        ([4, 7, 10], [0.248, 0.093, 0.336], 7),
    ],
)
def test_weighted_median_hand_cases(x, w, expected):
    assert bg.weighted_median(np.array(x, float), np.array(w, float)) == expected


def test_weighted_median_batches_and_minimises_l1():
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 1, (50, 6))
    w = rng.uniform(0, 1, (50, 6))
    m = bg.weighted_median(x, w)
    assert m.shape == (50,)
    cost = lambda y: (w * np.abs(x - y[:, None])).sum(axis=1)  # noqa: E731
    for y in x.T:  # no actor position does better
        assert np.all(cost(m) <= cost(y) + 1e-12)
    assert np.array_equal(bg.median_voter_position(x, w, 1.0), m)


def test_vote_matrix_is_antisymmetric_and_hand_computed():
    V = bg.vote_matrix(np.array([[0.0, 1.0]]), np.array([[1.0, 3.0]]), 1.0)[0]
    # voter 0 gives 1 to x0 over x1; voter 1 gives 3 to x1 over x0
    assert V[0, 1] == pytest.approx(1 - 3) and V[1, 0] == pytest.approx(2)
    assert np.allclose(V, -V.T)


def test_probability_of_success_hand_computed():
    P = bg.probability_of_success(np.array([[0.0, 1.0]]), np.array([[1.0, 3.0]]))[0]
    assert P[0, 1] == pytest.approx(0.25) and P[1, 0] == pytest.approx(0.75)
    # a third voter at 0.25 (weight 2) gives 2 (0.75 - 0.25) = 1 to actor 0
    P = bg.probability_of_success(np.array([[0.0, 1.0, 0.25]]), np.array([[1.0, 3.0, 2.0]]))[0]
    assert P[0, 1] == pytest.approx(2 / 5)


def test_probability_of_success_properties():
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 1, (20, 6))
    w = rng.uniform(0.1, 1, (20, 6))
    P = bg.probability_of_success(x, w)
    off = ~np.eye(6, dtype=bool)
    assert np.all((P >= 0) & (P <= 1))
    assert np.allclose((P + np.swapaxes(P, 1, 2))[:, off], 1.0)
    # more weight behind actor 0's side raises its chance against actor 1
    x = np.array([[0.0, 1.0, 0.1]])
    lo = bg.probability_of_success(x, np.array([[1.0, 1.0, 0.5]]))[0, 0, 1]
    hi = bg.probability_of_success(x, np.array([[1.0, 1.0, 2.0]]))[0, 0, 1]
    assert hi > lo
    # with r = 1 the scale cancels: positions in years give the same P as in [0, 1]
    assert np.allclose(
        bg.probability_of_success(6 * x + 4, np.array([[1.0, 1.0, 0.5]])),
        bg.probability_of_success(x, np.array([[1.0, 1.0, 0.5]])),
    )
    assert np.allclose(
        bg.probability_of_success(6 * x, [[1.0, 1.0, 0.5]], 6.0, [[0.5, 2.0, 1.0]]),
        bg.probability_of_success(x, [[1.0, 1.0, 0.5]], 1.0, [[0.5, 2.0, 1.0]]),
    )
    # identical positions: no contest, P = 0.5
    assert bg.probability_of_success(np.array([[0.3, 0.3]]), np.array([[1.0, 1.0]]))[0, 0, 1] == 0.5


def test_expected_utility_hand_computed():
    # r = 1: U_s = 2d, U_f = -2d, U_sq = 0, so with Q = 1
    # E^i = 2d [s_j (2 P_ij - 1) + 1 - s_j]; d = 1, P_01 = 0.25, s_1 = 0.5 -> 0.5
    x = np.array([[0.0, 1.0]])
    P = bg.probability_of_success(x, np.array([[1.0, 3.0]]))
    U = bg.basic_utilities(x, np.array([0.5]), np.ones((1, 2)), np.array([1.0]))
    E = bg.expected_utilities(P, U, np.array([[0.5, 0.5]]), bg.BargainingParameters())[0]
    assert E[0, 1] == pytest.approx(0.5)
    assert E[1, 0] == pytest.approx(2 * (0.5 * 0.5 + 0.5))
    assert E[0, 0] == 0 and E[1, 1] == 0
    # Q < 1 adds -(1 - Q)[T U_b + (1 - T) U_w]; T = 0 keeps U_w (d_iμ = 0.5, d = 1, r = 1)
    p = bg.BargainingParameters(status_quo_probability=0.5, improvement_probability=0.0)
    E2 = bg.expected_utilities(P, U, np.array([[0.5, 0.5]]), p)[0]
    U_w = 2 - 4 * (0.5 + 0.25 * (0.5 + 1.0))
    assert E2[0, 1] == pytest.approx(0.5 - 0.5 * U_w)


def test_risk_exponents_span_and_order():
    E = np.array([[[0.0, 1.0, 0.2], [0.5, 0.0, 0.1], [0.3, 0.9, 0.0]]])
    S = bg.security_levels(E)[0]
    assert np.allclose(S, [0.8, 1.9, 0.3])
    r = bg.risk_exponents(E, bg.BargainingParameters())[0]
    assert r[1] == pytest.approx(0.5) and r[2] == pytest.approx(2.0)
    R = (2 * 0.8 - 1.9 - 0.3) / (1.9 - 0.3)
    assert r[0] == pytest.approx((1 - R / 3) / (1 + R / 3))
    r3 = bg.risk_exponents(E, bg.BargainingParameters(risk_exponent_max=3.0))[0]
    assert r3.min() == pytest.approx(1 / 3) and r3.max() == pytest.approx(3.0)
    assert np.all(bg.risk_exponents(np.zeros((1, 3, 3)), bg.BargainingParameters()) == 1.0)


def test_offer_classification_and_best_offer():
    x = np.array([[0.0, 1.0, 0.4]])
    E = np.array(
        [
            [
                [0.0, 0.8, 0.6],  # 0 challenges 1 and 2
                [-0.2, 0.0, 0.0],  # 1 would lose 0.2 (< 0.8): compromise
                [0.3, 0.0, 0.0],
            ]
        ]
    )  # 2 also challenges 0 but less: conflict, 2 loses
    challenge, outcome, proposal = bg.offers(E, x)
    assert challenge[0].tolist() == [
        [False, True, True],
        [False, False, False],
        [True, False, False],
    ]
    assert outcome[0, 0, 1] == bg.COMPROMISE and proposal[0, 0, 1] == pytest.approx(
        1.0 + (0 - 1) * 0.2 / 0.8
    )
    assert outcome[0, 0, 2] == bg.CONFLICT and proposal[0, 0, 2] == 0.0
    assert outcome[0, 2, 0] == bg.NO_OFFER  # 2 loses that conflict: nothing for 0 to accept
    E[0, 1, 0] = -0.9  # 1 would lose more than 0 gains: capitulation
    _, outcome, proposal = bg.offers(E, x)
    assert outcome[0, 0, 1] == bg.CAPITULATION and proposal[0, 0, 1] == 0.0
    sender, new = bg.best_offers(outcome, proposal, x, E)
    assert sender[0].tolist() == [-1, 0, 0] and new[0].tolist() == [0.0, 0.0, 0.0]
    # perceptions: 1 reckons 0's challenge worth only 0.1, less than its own loss 0.9
    seen = E.copy()
    seen[0, 0, 1] = 0.1
    _, outcome, _ = bg.offers(E, x, seen)
    assert outcome[0, 0, 1] == bg.CAPITULATION
    seen[0, 0, 1] = -0.1  # not a credible threat to 1: no move
    challenge, outcome, _ = bg.offers(E, x, seen)
    assert challenge[0, 0, 1] and outcome[0, 0, 1] == bg.NO_OFFER


def test_best_offer_takes_the_least_move_then_the_larger_utility():
    x = np.array([[0.0, 0.5, 1.0]])
    E = np.array([[[0.0, 0.0, 0.5], [0.0, 0.0, 0.9], [-1.0, -1.0, 0.0]]])
    _, outcome, proposal = bg.offers(E, x)  # 2 capitulates to both 0 and 1
    sender, new = bg.best_offers(outcome, proposal, x, E)
    assert sender[0, 2] == 1 and new[0, 2] == 0.5  # 1 is nearer
    x = np.array([[0.0, 1.0, 0.5]])  # now both are 0.5 away: larger sender utility wins
    E = np.array([[[0.0, 0.0, 0.5], [0.0, 0.0, 0.9], [-1.0, -1.0, 0.0]]])
    _, outcome, proposal = bg.offers(E, x)
    assert bg.best_offers(outcome, proposal, x, E)[0][0, 2] == 1


# ---------------------------------------------------------------- replicate axis


def test_identical_replicates_equal_one(example):
    one = bg.bargaining_round(state_of(example, R=1))
    five = bg.bargaining_round(state_of(example, R=5))
    for name in ("positions", "median", "risk_exponent", "expected_utility", "accepted_from"):
        a, b = getattr(one, name), getattr(five, name)
        assert np.array_equal(np.repeat(a, 5, axis=0), b), name
    c1 = bg.run_to_convergence(state_of(example, R=1))
    c5 = bg.run_to_convergence(state_of(example, R=5))
    assert np.array_equal(np.repeat(c1.positions, 5, axis=1), c5.positions)
    assert c5.converged.all() and (c5.rounds == c1.rounds[0]).all()


def test_masked_replicates_stay_unchanged(example):
    st = state_of(example, R=4)
    mask = np.array([True, False, True, False])
    res = bg.bargaining_round(st, mask=mask)
    assert np.array_equal(res.positions[~mask], st.positions[~mask])
    assert np.isnan(res.median[~mask]).all() and (res.accepted_from[~mask] == -1).all()
    assert all((v[~mask] == 0).all() for v in res.counts.values())
    assert np.array_equal(
        res.positions[mask], np.repeat(bg.bargaining_round(state_of(example)).positions, 2, 0)
    )
    out = bg.run_to_convergence(st, mask=mask)
    assert np.array_equal(
        out.positions[:, ~mask], np.broadcast_to(st.positions[~mask], out.positions[:, ~mask].shape)
    )
    assert out.stopped_by.tolist() == ["converged", "not bargaining", "converged", "not bargaining"]
    assert out.rounds[~mask].tolist() == [0, 0]


def test_heterogeneous_replicates_match_their_solo_runs():
    rng = np.random.default_rng(11)
    x = rng.uniform(0, 1, (6, 6))
    c = rng.uniform(0.1, 1, (6, 6))
    s = rng.uniform(0, 1, (6, 6))
    together = bg.run_to_convergence(bg.BargainingState(x, c, s, 1.0))
    for i in range(6):
        alone = bg.run_to_convergence(
            bg.BargainingState(x[i : i + 1], c[i : i + 1], s[i : i + 1], 1.0)
        )
        T = alone.positions.shape[0]
        assert np.array_equal(together.positions[:T, i], alone.positions[:, 0])
        assert together.rounds[i] == alone.rounds[0] and together.converged[i] == alone.converged[0]


def test_several_issues_are_bargained_independently():
    rng = np.random.default_rng(5)
    R, n, k = 3, 6, 4
    x = rng.uniform(0, 1, (R, n, k))
    c = rng.uniform(0.1, 1, n)
    s = rng.uniform(0, 1, (R, n, k))
    res = bg.bargaining_round(bg.BargainingState(x, c, s, 1.0))
    assert res.positions.shape == (R, n, k) and res.expected_utility.shape == (R, n, n, k)
    assert res.counts["conflict"].shape == (R, k)
    for j in range(k):
        one = bg.bargaining_round(bg.BargainingState(x[:, :, j], c, s[:, :, j], 1.0))
        assert np.array_equal(res.positions[:, :, j], one.positions)
        assert np.array_equal(res.median[:, j], one.median)
    out = bg.run_to_convergence(bg.BargainingState(x, c, s, 1.0))
    assert out.positions.shape[1:] == (R, n, k) and out.medians.shape[1:] == (R, k)


def test_deterministic(example):
    a = bg.run_to_convergence(state_of(example, R=2))
    b = bg.run_to_convergence(state_of(example, R=2))
    assert np.array_equal(a.positions, b.positions)


# ---------------------------------------------------------------- convergence flag


def test_round_cap_is_reported_as_such(example):
    out = bg.run_to_convergence(state_of(example), bg.BargainingParameters(max_rounds=3))
    assert not out.converged[0] and out.stopped_by[0] == "max_rounds" and out.rounds[0] == 3
    assert out.positions.shape[0] == 4


def test_consensus_converges_at_once():
    x = np.full((2, 4), 0.6)
    out = bg.run_to_convergence(bg.BargainingState(x, np.ones(4), np.full(4, 0.5), 1.0))
    assert out.converged.all() and out.rounds.tolist() == [1, 1]
    assert np.array_equal(out.positions[-1], x)


# ---------------------------------------------------------------- parameters and inputs


@pytest.mark.parametrize(
    "bad",
    [
        {"status_quo_probability": 1.5},
        {"improvement_probability": -0.1},
        {"risk_exponent_max": 1.0},
        {"tolerance": -1.0},
        {"max_rounds": 0},
        {"perception": "all"},
    ],
)
def test_parameters_are_validated(bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        bg.BargainingParameters(**bad)


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="salience"):
        bg.bargaining_round(bg.BargainingState(np.zeros((1, 3)), np.ones(3), np.full(3, 50.0)))
    with pytest.raises(ValueError, match="positions"):
        bg.bargaining_round(bg.BargainingState(np.zeros(3), np.ones(3), np.ones(3)))
    with pytest.raises(ValueError, match="mask"):
        bg.bargaining_round(
            bg.BargainingState(np.zeros((2, 3)), np.ones(3), np.ones(3)), mask=[True]
        )


# ---------------------------------------------------------------- disagreement value, Zeuthen


def test_accepts_at_or_above_the_disagreement_value():
    assert bg.accepts([0.2, 0.5, 0.7], 0.5).tolist() == [False, True, True]


def test_zeuthen_hand_computed():
    # A: own offer 10, B's offer 4, breakdown 0 -> (10 - 4) / 10 = 0.6
    # B: own offer 8, A's offer 2, breakdown 2 -> (8 - 2) / (8 - 2) = 1
    ra = bg.zeuthen_risk_limit(10, 4, 0)
    rb = bg.zeuthen_risk_limit(8, 2, 2)
    assert ra == pytest.approx(0.6) and rb == pytest.approx(1.0)
    a, b = bg.zeuthen_concedes(ra, rb)
    assert bool(a) and not bool(b)  # the one less willing to risk breakdown concedes
    assert [bool(v) for v in bg.zeuthen_concedes(0.4, 0.4)] == [True, True]
    # edge cases: the other's offer at least as good -> 0; own offer no better than breakdown -> 0
    assert bg.zeuthen_risk_limit([5, 3], [6, 1], [0, 3]).tolist() == [0.0, 0.0]


@pytest.mark.parametrize("risk", [False, True])
def test_fast_probability_equals_the_vote_definition(risk):
    rng = np.random.default_rng(9)
    x = rng.uniform(0, 1, (10, 6))
    x[:, 3] = x[:, 1]  # some identical positions
    w = rng.uniform(0, 1, (10, 6))
    r = rng.uniform(0.5, 2, (10, 6)) if risk else None
    span = np.ones(10)
    direct = bg._probability(bg._votes(x, w, span, r))
    assert np.allclose(bg.probability_of_success(x, w, 1.0, r), direct, rtol=0, atol=1e-12)


def test_median_voter_with_risk_shaped_votes_is_the_vote_winner():
    rng = np.random.default_rng(12)
    x = rng.uniform(0, 1, (30, 6))
    w = rng.uniform(0, 1, (30, 6))
    r = rng.uniform(0.5, 2, (30, 6))
    total = bg.vote_matrix(x, w, 1.0, r).sum(axis=-1)
    expected = np.take_along_axis(x, total.argmax(axis=-1)[:, None], axis=-1)[:, 0]
    assert np.array_equal(bg.median_voter_position(x, w, 1.0, r), expected)
    V = bg.vote_matrix(x, w, 1.0, r)
    assert np.allclose(V, -np.swapaxes(V, 1, 2))


def test_risk_neutral_shortcut_and_alternatives_match_the_general_formula():
    rng = np.random.default_rng(4)
    x = rng.uniform(0, 1, (3, 5))
    mu = rng.uniform(0, 1, 3)
    a = bg.basic_utilities(x, mu, None, np.ones(3))
    b = bg.basic_utilities(x, mu, np.ones((3, 5)), np.ones(3))
    assert all(np.allclose(a[key], b[key]) for key in ("s", "f", "b", "w", "sq"))


def test_receiver_perception_shortcut_matches_the_general_formula():
    """With Q = 1 the receiver's view reuses transposed utilities; it equals the direct formula."""
    rng = np.random.default_rng(8)
    x = rng.uniform(0, 1, (4, 6))
    mu = rng.uniform(0, 1, 4)
    r = rng.uniform(0.5, 2, (4, 6))
    span = np.ones(4)
    own = bg.basic_utilities(x, mu, r, span, False)
    short = bg._receiver_utilities(own, x, mu, r, span, False)
    direct = bg.basic_utilities(x, mu, r[:, None, :], span, False)
    for key in ("s", "f"):
        assert np.allclose(short[key], direct[key], rtol=0, atol=1e-13)
    assert np.allclose(
        np.broadcast_to(short["sq"], (4, 6, 6)), np.broadcast_to(direct["sq"], (4, 6, 6))
    )
    full = bg._receiver_utilities(own, x, mu, r, span, True)
    assert np.allclose(full["b"], bg.basic_utilities(x, mu, r[:, None, :], span, True)["b"])


def test_scale_forms_for_several_issues():
    rng = np.random.default_rng(2)
    x = rng.uniform(0, 1, (3, 5, 2))
    c, s = rng.uniform(0.1, 1, 5), rng.uniform(0, 1, (3, 5, 2))
    a = bg.bargaining_round(bg.BargainingState(x, c, s, 1.0))
    b = bg.bargaining_round(bg.BargainingState(x, c, s, np.ones(3)))
    d = bg.bargaining_round(bg.BargainingState(x, c, s, np.ones((3, 2))))
    assert np.array_equal(a.positions, b.positions) and np.array_equal(a.positions, d.positions)
    out = bg.run_to_convergence(bg.BargainingState(x, c, s, np.ones(3)))
    assert out.positions.shape[1:] == x.shape
    with pytest.raises(ValueError, match="scale"):
        bg.bargaining_round(bg.BargainingState(x, c, s, np.ones(4)))
