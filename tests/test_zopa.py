"""The chair drafts within the zone of possible agreement (docs/model.md 3.17).

The projection (:func:`sixparty.bargaining.project_onto_intersection` and the
balls it cycles over) against hand-computed answers and scipy's SLSQP, and
:meth:`China.draft_in_zopa` on scripted states: a forecast already acceptable
is tabled unchanged, one outside the DPRK's set lands on its boundary and stays
inside every other party's, an empty zone leaves the forecast.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import minimal_scenario_dict
from scipy.optimize import minimize
from sixparty.bargaining import (
    ZOPA_MARGIN,
    project_ellipsoid,
    project_onto_intersection,
    project_weighted_l1_ball,
)
from sixparty.model import Session, TalksModel
from sixparty.parties import CHINA_I, DPRK_I
from sixparty.scenario import ISSUES, Scenario

REP0 = np.array([0])
K = len(ISSUES)


def _model(on: bool = True, exponent: float = 1.0) -> TalksModel:
    """Every party at 0.5 on every issue with equal saliences, no outside
    option and no sanctions; direct contact (no DPRK penalty)."""
    data = minimal_scenario_dict()
    data["parameters"].update(
        noise=0.0, chair_drafts_in_zopa=on, distance_exponent=exponent, acceptance_radius=0.2
    )
    m = TalksModel(Scenario.model_validate(data), seed=1)
    m.round[:], m.round_phase[:] = 1, 1
    m.pos[0] = 0.5
    m.anchor[0] = 0.5
    m.sal[0] = 0.8
    m.outside[0] = 0.0
    m.sanctions[0] = 0.0
    return m


def _zopa(m: TalksModel, forecast, level: str = "joint_statement"):
    return m.parties[CHINA_I].draft_in_zopa(
        np.asarray(forecast, dtype=float)[None, :],
        REP0,
        np.array([level], dtype=object),
        np.array([True]),
    )


def _room(m: TalksModel, q, level: str = "joint_statement") -> float:
    """The distance party ``q`` accepts at ``level``: 1 - dv + slack - penalty."""
    slack = float(getattr(m.params, f"slack_{level}")[0])
    return (
        1.0
        - float(q.disagreement_value(REP0)[0])
        + slack
        - float(q.penalty(np.array([True]), REP0)[0])
    )


# ------------------------------------------------------------ the projections
def test_the_l1_ball_projection_matches_a_hand_computed_case():
    # |x1| + |x2| <= 0.5 (weights 0.5 each, radius 0.25): (1, 1) -> (0.25, 0.25)
    x = project_weighted_l1_ball(
        np.array([[1.0, 1.0]]), np.zeros((1, 2)), np.full((1, 2), 0.5), np.array([0.25])
    )
    assert x == pytest.approx(np.array([[0.25, 0.25]]), abs=1e-15)
    # unequal weights: the heavier issue shrinks first; (0.8, 0.1), w = (0.9, 0.1), rho 0.18
    # lambda: 0.9 (0.8 - 0.9 l) + 0.1 (0.1 - 0.1 l) = 0.18 -> l = 0.55 / 0.82
    lam = 0.55 / 0.82
    x = project_weighted_l1_ball(
        np.array([[0.8, 0.1]]), np.zeros((1, 2)), np.array([[0.9, 0.1]]), np.array([0.18])
    )
    assert x == pytest.approx(np.array([[0.8 - 0.9 * lam, 0.1 - 0.1 * lam]]), abs=1e-12)
    # a point inside is returned bit for bit; an issue of weight 0 is free
    z = np.array([[0.1, 0.05]])
    assert np.array_equal(
        project_weighted_l1_ball(z, np.zeros((1, 2)), np.full((1, 2), 0.5), np.array([0.25])), z
    )
    x = project_weighted_l1_ball(
        np.array([[1.0, 0.7]]), np.zeros((1, 2)), np.array([[1.0, 0.0]]), np.array([0.2])
    )
    assert x == pytest.approx(np.array([[0.2, 0.7]]), abs=1e-15)


def _slsqp(z, centres, weights, radii, e):
    cons = [
        {
            "type": "ineq",
            "fun": lambda x, c=c, w=w, r=r: r**e - np.sum(w * np.abs(x - c) ** e),
        }
        for c, w, r in zip(centres, weights, radii, strict=True)
    ]
    res = minimize(
        lambda x: np.sum((x - z) ** 2),
        np.clip(centres.mean(axis=0), 0, 1),
        method="SLSQP",
        bounds=[(0.0, 1.0)] * z.size,
        constraints=cons,
        options={"ftol": 1e-12, "maxiter": 1000},
    )
    assert res.success
    return res.x


def test_the_ellipsoid_projection_matches_slsqp():
    z = np.array([[0.9, 0.2, 0.7]])
    c = np.array([[0.1, 0.5, 0.3]])
    v = np.array([[0.5, 0.2, 0.3]])
    x = project_ellipsoid(z, c, v, np.array([0.15]))
    ref = _slsqp(z[0], c, v, [0.15], 2.0)
    assert x[0] == pytest.approx(ref, abs=1e-6)
    assert np.sum(v * (x - c) ** 2) <= 0.15**2


@pytest.mark.parametrize("e", [1.0, 2.0])
def test_dykstra_finds_the_nearest_point_of_the_intersection(e):
    """Two issues, three parties' balls and the box: Dykstra's answer is the
    Euclidean projection SLSQP finds, to 1e-6."""
    z = np.array([[0.95, 0.9]])
    centres = np.array([[[0.2, 0.3], [0.6, 0.4], [0.5, 0.8]]])
    sal = np.array([[[0.8, 0.4], [0.5, 0.9], [0.6, 0.6]]])
    radii = np.array([[0.35, 0.25, 0.3]])
    x, converged = project_onto_intersection(z, centres, sal, radii, np.array([e]))
    assert converged[0]
    w = sal[0] ** e / (sal[0] ** e).sum(axis=-1, keepdims=True)
    ref = _slsqp(z[0], centres[0], w, radii[0] ** 1.0, e)
    assert x[0] == pytest.approx(ref, abs=1e-6)


def test_the_projection_is_each_replicates_own():
    """A replicate's answer has the same bits alone and in a batch."""
    rng = np.random.default_rng(7)
    z = rng.random((5, 4))
    centres = 0.4 + 0.2 * rng.random((5, 3, 4))
    sal = rng.random((5, 3, 4))
    radii = np.full((5, 3), 0.3)
    e = np.array([1.0, 2.0, 1.0, 1.5, 2.0])
    batch, conv = project_onto_intersection(z, centres, sal, radii, e)
    for b in range(5):
        one, c1 = project_onto_intersection(
            z[b : b + 1], centres[b : b + 1], sal[b : b + 1], radii[b : b + 1], e[b : b + 1]
        )
        assert np.array_equal(one[0], batch[b]) and c1[0] == conv[b]


# ------------------------------------------------------------ the chair's draft
def test_a_forecast_every_party_signs_is_tabled_unchanged():
    m = _model()
    forecast = np.full(K, 0.55)
    assert all(
        q.accepts(forecast[None], "joint_statement", np.array([True]), REP0)[0] for q in m.parties
    )
    text, moved, empty = _zopa(m, forecast)
    assert np.array_equal(text[0], forecast)
    assert not moved[0] and not empty[0]


@pytest.mark.parametrize("exponent", [1.0, 2.0])
def test_a_forecast_outside_the_dprks_set_lands_on_its_boundary(exponent):
    m = _model(exponent=exponent)
    m.pos[0, DPRK_I] = 0.1
    forecast = np.full(K, 0.5)
    dprk = m.parties[DPRK_I]
    room = _room(m, dprk)
    assert dprk.distance(forecast[None], REP0)[0] > room  # it refuses the forecast
    text, moved, empty = _zopa(m, forecast)
    assert moved[0] and not empty[0]
    assert dprk.distance(text, REP0)[0] == pytest.approx(room - ZOPA_MARGIN, abs=1e-7)
    for q in m.parties:
        assert q.accepts(text, "joint_statement", np.array([True]), REP0)[0], q.key
        assert q.distance(text, REP0)[0] <= _room(m, q)
    # the nearest such text: by symmetry, every issue moved alike toward the DPRK
    assert np.allclose(text[0], text[0, 0], atol=1e-7) and 0.1 < text[0, 0] < 0.5


def test_an_empty_zone_leaves_the_forecast():
    m = _model()
    m.pos[0, DPRK_I] = 0.0
    m.pos[0, 1] = 1.0  # the US at the other end of every issue
    forecast = np.full(K, 0.5)
    text, moved, empty = _zopa(m, forecast)
    assert np.array_equal(text[0], forecast)
    assert empty[0] and not moved[0]


def test_a_party_whose_own_position_fails_its_test_empties_the_zone():
    m = _model()
    m.pos[0, DPRK_I] = 0.1
    m.params.dprk_no_contact_penalty[:] = 1.0  # a grievance beyond any slack
    text, moved, empty = m.parties[CHINA_I].draft_in_zopa(
        np.full((1, K), 0.5), REP0, np.array(["joint_statement"], dtype=object), np.array([False])
    )
    assert empty[0] and not moved[0] and np.array_equal(text[0], np.full(K, 0.5))


@pytest.mark.parametrize("on", [False, True])
def test_the_switch_puts_the_sessions_drafts_in_the_zone(on):
    m = _model(on)
    m.pos[0, DPRK_I] = 0.1
    m.anchor[0, DPRK_I] = 0.1
    s = Session(len(m.sessions), 1, 1, m.month, "test", held=True)
    m.sessions.append(s)
    m._bargain(REP0, [s])
    codes = [c.code for c in s.reasons]
    dprk = m.parties[DPRK_I]
    first = s.drafts[0][None]
    if on:
        assert "zopa_drafts" in codes
        assert dict(next(c for c in s.reasons if c.code == "zopa_drafts").values)["moved"] >= 1
        assert s.ending == "converged" and len(s.drafts) == 1  # all six sign the first draft
    else:
        assert "zopa_drafts" not in codes
        assert not dprk.accepts(first, s.target, np.array([True]), REP0)[0] or len(s.drafts) > 1
