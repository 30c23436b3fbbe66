"""Bargaining core: Bueno de Mesquita's expected-utility model, vectorised over replicates.

A pure-numpy implementation of the group decision ("expected utility") model of
Bueno de Mesquita (1994) as made explicit by Scholz, Calbert & Smith (2011),
"Unravelling Bueno De Mesquita's group decision model", *Journal of Theoretical
Politics* 23(4): 510-531 (conference version: ICAART 2011).  No I/O, no Mesa, no
randomness.

Shapes and axes
---------------
Every array carries a leading **replicate** axis ``R``: one call advances ``R``
independent replicates in lockstep.  Actors are the next axis (``n``).  Several
independent one-dimensional issues can be bargained at once by a trailing issue
axis ``k`` (BDM evaluates each issue separately; the issues never interact here):

======================  ==========================  =====================================
argument                shape                       meaning (units)
======================  ==========================  =====================================
``positions``           (R, n) or (R, n, k)         position x_i on the issue scale
``capability``          (n,), (R, n) or (R, n, k)   capability c_i >= 0 (any unit; only
                                                    ratios matter)
``salience``            (n,), (R, n) or (R, n, k)   salience s_i in [0, 1]
``mask``                (R,) bool                   replicates that bargain in this call
``scale``               scalar, (R,) or (R, k)      width x_max - x_min of the issue scale
======================  ==========================  =====================================

Equations, numbered B1-B12 in this module (this numbering is ours, not the paper's;
docs/model.md, "Bargaining core", gives the sources, what was checked against the
published example and where readings of the paper differ):

* **B1 votes**  ``v^k_ij = c_k s_k (g_kj - g_ki)`` with ``g_ki = (|x_k - x_i| / Δ)^(r_k)`` —
  voter k's capability- and salience-weighted vote for x_i over x_j, Δ the scale width,
  r_k the voter's risk exponent (1 in the first pass).
* **B2 median voter**  ``μ = argmax_j Σ_k V_jk`` with ``V_jk = Σ_i v^i_jk``: the position
  that beats the others by the largest total vote.  With r = 1 the votes are linear in
  distance and μ is the capability×salience weighted median (B3) — BDM's forecast.
* **B3 weighted median**  the smallest x_(m) (sorted) whose cumulative weight reaches half
  the total.
* **B4 probability of success**  ``P_ij = Σ_k max(v^k_ij, 0) / Σ_k |v^k_ij|`` — the share of
  all votes cast in the contest i-vs-j that back i (so ``P_ij + P_ji = 1``).
* **B5 utilities** (risk exponent r_i, d_ij = |x_i - x_j|/Δ, d_iμ = |x_i - μ|/Δ):
  ``U_s = 2 - 4 (0.5 - 0.5 d_ij)^r``, ``U_f = 2 - 4 (0.5 + 0.5 d_ij)^r``,
  ``U_b = 2 - 4 (0.5 - 0.25 (d_iμ + d_ij))^r``, ``U_w = 2 - 4 (0.5 + 0.25 (d_iμ + d_ij))^r``,
  ``U_sq = 2 - 4 (0.5)^r``.
* **B6 expected utility of i challenging j**
  ``E^i(U_ij) = s_j [P_ij U_s + (1 - P_ij) U_f] + (1 - s_j) U_s
  - Q U_sq - (1 - Q) [T U_b + (1 - T) U_w]`` — the first two terms are the value of
  challenging (j resists with probability s_j), the rest the value of not challenging.
* **B7 security / risk**  ``S_i = Σ_{j≠i} E^j(U_ji)`` (first pass: all r = 1);
  ``R_i = (2 S_i - max S - min S) / (max S - min S)`` in [-1, 1].
* **B8 risk exponent**  ``r_i = (1 - R_i/a) / (1 + R_i/a)``, ``a = (r_max + 1)/(r_max - 1)``;
  with the paper's a = 3 (r_max = 2) r ranges over [0.5, 2].  Second pass: B1-B6 again
  with these r (risk-shaped votes, μ, P, utilities and expected utilities).
* **B9 offers**  i challenges j when ``E^i(U_ij) > 0`` (and x_i ≠ x_j).  The receiver j
  judges the challenge from its own point of view: it values the sender's expected
  utility with its own risk exponent r_j (BDM's perceptions; ``S = E^i(U_ij)`` seen by j)
  and sets it against its own ``E_j = E^j(U_ji)``.  *Conflict* when both are positive —
  j yields to x_i if ``S > E_j``; *compromise* when ``E_j ≤ 0`` and ``S > |E_j|`` — j moves
  to ``x_j + (x_i - x_j) |E_j / S|``; *capitulation* when ``E_j < 0`` and ``|E_j| ≥ S`` —
  j moves to x_i; nothing when ``S ≤ 0`` (not a credible threat to j).
* **B10 best offer**  of the offers that would move j, j takes the one that moves it least
  (the best deal); ties go to the larger sender's expected utility, then the lower
  sender index.
* **B11 update**  all actors move simultaneously to their best offer; actors with no
  offer keep their positions.
* **B12 rounds**  B2-B11 repeat (risk exponents recomputed every round) until no position
  moves more than ``tolerance × Δ`` in a round (converged) or ``max_rounds`` is reached (the
  patience guard; BDM's model may cycle).

The module also carries the disagreement-value and Zeuthen helpers that session
acceptance uses: :func:`accepts` (Nash 1950), :func:`zeuthen_risk_limit` and
:func:`zeuthen_concedes` (Zeuthen 1930; Harsanyi 1956).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "BargainingParameters",
    "BargainingState",
    "RoundResult",
    "ConvergenceResult",
    "NO_OFFER",
    "CONFLICT",
    "COMPROMISE",
    "CAPITULATION",
    "weighted_median",
    "vote_matrix",
    "median_voter_position",
    "probability_of_success",
    "basic_utilities",
    "expected_utilities",
    "security_levels",
    "risk_exponents",
    "offers",
    "best_offers",
    "bargaining_round",
    "run_to_convergence",
    "accepts",
    "zeuthen_risk_limit",
    "zeuthen_concedes",
]

#: Outcome codes of a dyad / an accepted offer (B9).
NO_OFFER, CONFLICT, COMPROMISE, CAPITULATION = 0, 1, 2, 3
_OUTCOME_NAMES = {CONFLICT: "conflict", COMPROMISE: "compromise", CAPITULATION: "capitulation"}


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class BargainingParameters:
    """Parameters of the expected-utility bargaining core.

    Attributes
    ----------
    status_quo_probability:
        Q in B6, range [0, 1]: the probability an actor that does not challenge expects
        the status quo to persist.  Default 1.0, the value used with the published
        example (Scholz et al. 2011; the open replication dmasad/BDM_DecisionModel_Replication
        runs it with Q = 1).
    improvement_probability:
        T in B6, range [0, 1]: if the status quo does not persist, the probability that
        things get better for the actor (toward the median) rather than worse.  Default 1.0
        (as above).  Irrelevant when Q = 1.
    risk_exponent_max:
        r_max in B8, range (1, 10]: risk exponents lie in [1/r_max, r_max].  Default 2.0,
        i.e. the divisor 3 of BDM's ``r = (1 - R/3)/(1 + R/3)`` (Scholz et al. 2011).
    tolerance:
        Convergence tolerance of B12 as a fraction of the issue scale width Δ (>= 0): a
        replicate has converged when no position moved more than ``tolerance × Δ`` in a
        round.  Default 1e-3 (a thousandth of the scale; finer than any position the
        field distinguishes).  Compromises approach their targets geometrically (in the
        published example the last moves shrink by 16-20 % a round), so a tolerance of 0
        is met only at machine precision.
    max_rounds:
        Patience guard of B12 (>= 1): the most rounds :func:`run_to_convergence` plays.
        Default 200: the published example settles (tolerance 1e-3) in about 40 rounds; a
        replicate still moving after 200 is cycling or deadlocked, and is reported as
        stopped by the cap.
    perception:
        Whose risk exponent values a challenge when the receiver j weighs it (B9):
        ``"receiver"`` (default) — j estimates the sender's expected utility E^i(U_ij) with
        its own exponent r_j (BDM's perceptions, as two open reimplementations of Scholz et
        al. read them); ``"own"`` — j sees the sender's own figure (complete information,
        as one version of dmasad/BDM_DecisionModel_Replication does).
    """

    status_quo_probability: float = 1.0
    improvement_probability: float = 1.0
    risk_exponent_max: float = 2.0
    tolerance: float = 1e-3
    max_rounds: int = 200
    perception: str = "receiver"

    def __post_init__(self) -> None:
        checks = [
            ("status_quo_probability", 0.0 <= self.status_quo_probability <= 1.0, "in [0, 1]"),
            ("improvement_probability", 0.0 <= self.improvement_probability <= 1.0, "in [0, 1]"),
            ("risk_exponent_max", 1.0 < self.risk_exponent_max <= 10.0, "in (1, 10]"),
            ("tolerance", self.tolerance >= 0.0, ">= 0"),
            (
                "max_rounds",
                int(self.max_rounds) == self.max_rounds and self.max_rounds >= 1,
                "an integer >= 1",
            ),
            ("perception", self.perception in ("receiver", "own"), "'receiver' or 'own'"),
        ]
        for name, ok, expected in checks:
            if not ok:
                raise ValueError(
                    f"BargainingParameters.{name} = {getattr(self, name)!r}: expected {expected}"
                )

    @property
    def risk_divisor(self) -> float:
        """a in B8: ``(r_max + 1) / (r_max - 1)`` (3 for the paper's r_max = 2)."""
        return (self.risk_exponent_max + 1.0) / (self.risk_exponent_max - 1.0)


# --------------------------------------------------------------------------- shapes


def _scale_widths(x, scale):
    """Δ per replicate (and issue): ``(R,)`` for (R, n) positions, ``(R, k)`` for (R, n, k).

    ``scale`` None: each replicate's (and issue's) ``max x - min x``; a scalar, ``(R,)`` or
    ``(R, k)`` otherwise.  Zero widths (all positions equal) count as 1.
    """
    shape = (x.shape[0],) + x.shape[2:]
    if isinstance(scale, (int, float, np.integer, np.floating)):  # one width for all
        if scale < 0:
            raise ValueError("scale (the width of the issue scale) must be >= 0")
        return np.full(shape, float(scale) if scale > 0 else 1.0)
    if scale is None:
        span = x.max(axis=1) - x.min(axis=1)
    else:
        span = np.asarray(scale, dtype=float)
        if span.ndim == 1 and len(shape) == 2:
            span = span[:, None]  # one width per replicate, shared by its issues
        try:
            span = np.broadcast_to(span, shape)
        except ValueError:
            raise ValueError(
                f"scale has shape {np.shape(scale)}; expected a scalar, (R,) or {shape}"
            ) from None
        if np.any(span < 0):
            raise ValueError("scale (the width of the issue scale) must be >= 0")
    return np.where(span > 0, span, 1.0)


#: axes that move the issue axis (1, after the reshape in ``unflat``) last, by batch ndim
_ISSUE_LAST = {nd: (0,) + tuple(range(2, nd + 1)) + (1,) for nd in range(1, 5)}


def _batch(positions, capability, salience, scale=None, mask=None):
    """Flatten (R, n[, k]) inputs to a (B, n) batch; return arrays and an un-flattener.

    The issue axis, when present, is folded into the batch (B = R k): issues are
    independent one-dimensional problems.
    """
    x = np.asarray(positions, dtype=float)
    if x.ndim not in (2, 3):
        raise ValueError(f"positions must have shape (R, n) or (R, n, k); got {x.shape}")
    multi = x.ndim == 3
    R, n = x.shape[:2]
    k = x.shape[2] if multi else 1
    full = x.shape

    def flat(a, name):
        """(n,), (R, n) or the full shape -> a C-contiguous (R k, n) copy."""
        a = np.asarray(a, dtype=float)
        if a.shape != full:
            try:
                if a.ndim == 1:
                    a = np.broadcast_to(a[None, :, None] if multi else a[None, :], full)
                elif a.ndim == 2 and multi:
                    a = np.broadcast_to(a[:, :, None], full)
                else:
                    a = np.broadcast_to(a, full)
            except ValueError:
                raise ValueError(
                    f"{name} has shape {np.shape(a)}; expected (n,), (R, n) or {full}"
                ) from None
        # (R, n, k) -> (R, k, n) -> (R k, n), C order (no moveaxis: cheap on small arrays)
        return (
            np.ascontiguousarray(a.transpose(0, 2, 1).reshape(R * k, n)) if multi else np.array(a)
        )

    xf = flat(x, "positions")
    c = flat(capability, "capability")
    s = flat(salience, "salience")
    if (c < 0).any():
        raise ValueError("capability must be >= 0")
    if ((s < 0) | (s > 1)).any():
        raise ValueError("salience must lie in [0, 1] (divide percentages by 100)")

    span = _scale_widths(x, scale).reshape(R * k)

    if mask is None:
        mb = np.ones(R * k, dtype=bool)
    else:
        m = np.asarray(mask, dtype=bool)
        if m.shape != (R,):
            raise ValueError(f"mask must have shape (R,) = ({R},); got {m.shape}")
        mb = np.repeat(m, k)

    def unflat(a):
        """(B, ...) -> (R, ..., k) with the issue axis last (or (R, ...) for one issue)."""
        if not multi:
            return a
        return a.reshape((R, k) + a.shape[1:]).transpose(_ISSUE_LAST[a.ndim])

    return xf, c, s, span, mb, unflat


# --------------------------------------------------------------------------- B1-B3


def weighted_median(positions, weights) -> np.ndarray:
    """B3: the (lower) weighted median of ``positions`` along the last axis.

    Parameters
    ----------
    positions, weights:
        Arrays of the same shape ``(..., n)``; weights >= 0 (capability × salience in BDM).
        An all-zero weight vector counts every position equally.

    Returns
    -------
    ndarray of shape ``(...)``: the smallest sorted position whose cumulative weight
    reaches half of the total.  It minimises ``Σ_i w_i |x_i - y|`` over y; when the
    minimiser is an interval (cumulative weight exactly one half) the lower end is
    returned — the stated deterministic tie-break.
    """
    x = np.asarray(positions, dtype=float)
    w = np.asarray(weights, dtype=float)
    if w.shape != x.shape:
        w = np.broadcast_to(w, x.shape)
    if (w < 0).any():
        raise ValueError("weights must be >= 0")
    total = w.sum(axis=-1, keepdims=True)
    w = np.where(total > 0, w, 1.0)
    total = w.sum(axis=-1, keepdims=True)
    shape = x.shape[:-1]
    if x.ndim != 2:  # one row per median: (M, n); the sums above keep their layout
        n = x.shape[-1]
        x = x.reshape(-1, n)
        w = w.reshape(-1, n)
        total = total.reshape(-1, 1)
    order = np.argsort(x, axis=-1, kind="stable")
    rows = np.arange(x.shape[0])
    cum = np.cumsum(w[rows[:, None], order], axis=-1)
    idx = np.argmax(cum >= 0.5 * total * (1.0 - 1e-12), axis=-1)
    out = x[rows, order[rows, idx]]
    return out.reshape(shape)


def _voter_distances(x, span, risk_exponent=None):
    """``g[b, k, i] = (|x_k - x_i| / Δ)^(r_k)``: voter k's risk-shaped distance to x_i.

    ``risk_exponent`` ``(B, n)`` or None (r = 1: plain normalised distance); distances are
    clipped to [0, 1].
    """
    d = np.clip(np.abs(x[:, :, None] - x[:, None, :]) / span[:, None, None], 0.0, 1.0)
    return d if risk_exponent is None else d ** np.asarray(risk_exponent, dtype=float)[:, :, None]


def _votes(x, w, span, risk_exponent=None):
    """B1 for a (B, n) batch: ``out[b, i, j, k] = v^k_ij`` (voter k, i over j)."""
    gT = np.swapaxes(_voter_distances(x, span, risk_exponent), 1, 2)  # gT[b, i, k] = g_ki
    # v^k_ij = w_k (g_kj - g_ki)
    return w[:, None, None, :] * (gT[:, None, :, :] - gT[:, :, None, :])


def _span(x, scale):
    span = (
        (x.max(axis=-1) - x.min(axis=-1))
        if scale is None
        else np.broadcast_to(np.asarray(scale, dtype=float), x.shape[:-1])
    )
    return np.where(span > 0, span, 1.0)


def vote_matrix(positions, weights, scale=None, risk_exponent=None) -> np.ndarray:
    """B1 summed over voters: ``V[..., j, k] = Σ_i v^i_jk = Σ_i w_i (g_ik - g_ij)``.

    Parameters
    ----------
    positions, weights:
        ``(R, n)`` arrays (weights = capability × salience).
    scale:
        Δ, the width of the issue scale: scalar or ``(R,)``; None uses each replicate's
        ``max x - min x``.
    risk_exponent:
        ``(R, n)`` voters' risk exponents r_i, or None for r = 1; the voter's distance is
        ``g_ij = (|x_i - x_j| / Δ)^(r_i)``.

    Returns
    -------
    ``(R, n, n)``: total vote for actor j's position over actor k's (antisymmetric).
    """
    x = np.asarray(positions, dtype=float)
    w = np.broadcast_to(np.asarray(weights, dtype=float), x.shape)
    return _votes(x, w, _span(x, scale), risk_exponent).sum(axis=-1)


def _distance_sums(w, g):
    """``D[b, j] = Σ_i w_i g_ij`` for a (B, n) batch: the weighted distance of x_j.

    The sum runs over the voter axis, which is not the innermost one, so numpy adds the
    voters' terms one after another in index order for every element: the result does
    not depend on the batch size B (no pairwise summation across voters).
    """
    return (w[:, :, None] * g).sum(axis=1)


def _median_voter(x, w, span, risk_exponent=None, g=None, cost=None):
    """B2 on a (B, n) batch via ``Σ_k V_jk = const - n Σ_i w_i g_ij`` (no n^3 array).

    ``cost``: the weighted distances ``Σ_i w_i g_ij`` (:func:`_distance_sums`) if known.
    """
    if cost is None:
        g = _voter_distances(x, span, risk_exponent) if g is None else g
        cost = _distance_sums(w, g)
    best = cost.min(axis=-1, keepdims=True)
    tol = 1e-12 * np.maximum(1.0, np.abs(best))
    return np.where(cost <= best + tol, x, np.inf).min(axis=-1)


def median_voter_position(positions, weights, scale=None, risk_exponent=None) -> np.ndarray:
    """B2: BDM's median voter position, the actor position with the largest total vote.

    ``μ = x_j*`` with ``j* = argmax_j Σ_k V[j, k]`` (see :func:`vote_matrix`), i.e. the
    position minimising ``Σ_i w_i g_ij``.  With r = 1 (the forecast) the votes are linear
    in distance and this equals :func:`weighted_median` with weights capability ×
    salience.  Ties (equal total votes) go to the lowest position value.

    Returns ``(R,)``.
    """
    x = np.asarray(positions, dtype=float)
    w = np.broadcast_to(np.asarray(weights, dtype=float), x.shape)
    return _median_voter(x, w, _span(x, scale), risk_exponent)


# --------------------------------------------------------------------------- B4-B6


def probability_of_success(positions, weights, scale=None, risk_exponent=None) -> np.ndarray:
    """B4: ``P[..., i, j]``, the probability that i prevails when it challenges j.

    ``P_ij = Σ_k max(v^k_ij, 0) / Σ_k |v^k_ij|`` over all voters k (both parties
    included): the share of the votes cast in the i-vs-j contest that back i.  When no
    vote is cast (x_i = x_j) P_ij = 0.5.

    Properties: ``0 <= P <= 1``; ``P_ij + P_ji = 1``; P_ij grows with the
    capability × salience of voters closer to x_i than to x_j.

    Parameters: ``positions`` ``(R, n)``, ``weights`` ``(R, n)`` or ``(n,)``, ``scale`` and
    ``risk_exponent`` as in :func:`vote_matrix` (the scale cancels when r = 1).
    Returns ``(R, n, n)``.
    """
    x = np.asarray(positions, dtype=float)
    w = np.broadcast_to(np.asarray(weights, dtype=float), x.shape)
    return _probability_fast(x, np.ascontiguousarray(w), _span(x, scale), risk_exponent)


def _probability(v):
    num = np.clip(v, 0.0, None).sum(axis=-1)
    den = np.abs(v).sum(axis=-1)
    return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.5)


@functools.cache
def _pair_layout(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For :func:`_probability_fast`: the pairs i < j of n actors in C order, then
    one pair (0, 0) whose terms are zero (the diagonal), as ``(first, second)``
    index arrays; and for each (i, j) in C order the pair that holds it."""
    first, second = (np.append(v, 0) for v in np.triu_indices(n, 1))
    pairs = first.size - 1
    col = np.full((n, n), pairs, dtype=np.intp)
    col[first[:pairs], second[:pairs]] = np.arange(pairs)
    col[second[:pairs], first[:pairs]] = np.arange(pairs)
    for v in (first, second, col):
        v.setflags(write=False)
    return first, second, col.ravel()


def _probability_fast(x, w, span=None, risk_exponent=None, g=None, D=None):
    """B4 without materialising the signed votes (same result as :func:`_probability`).

    With ``a_kij = g_kj - g_ki``: ``Σ_k w_k a_kij = D_j - D_i`` where ``D_i = Σ_k w_k g_ki``,
    and ``max(a, 0) = (a + |a|) / 2``; so only ``Σ_k w_k |a_kij|`` needs a loop over voters.
    """
    # Plain element-wise products, summed over the voter axis (not the innermost one, so
    # term after term in voter order; no BLAS, no einsum): the summation order must not
    # depend on the batch size, so that a replicate gives bit-identical results whatever
    # R (and whichever are masked).  ``D`` (:func:`_distance_sums`) may be passed in.
    if g is None:
        if span is None:  # r = 1: the scale cancels; any width covering the positions will do
            span = np.maximum(x.max(axis=-1) - x.min(axis=-1), 1.0)
        g = _voter_distances(x, span, risk_exponent)  # g[b, k, i]
    if D is None:
        D = _distance_sums(w, g)
    # den[b, i, j] = sum over the voters k of w_k |g_kj - g_ki|.  |g_kj - g_ki| is
    # |g_ki - g_kj| bit for bit, so den is symmetric: the terms are formed for the
    # pairs i < j only (and a zero pair for the diagonal), with the batch axis
    # innermost (long loops over contiguous rows), added over k in voter order as
    # before, and spread to (i, j) and (j, i) by one gather.
    B, n = x.shape
    first, second, spread = _pair_layout(n)
    gT = np.ascontiguousarray(np.moveaxis(g, 0, -1))  # gT[k, i, b] = g[b, k, i]
    a = gT[:, second] - gT[:, first]  # (k, pairs + 1, B)
    np.abs(a, out=a)
    a *= np.ascontiguousarray(w.T)[:, None, :]
    # the voters' terms added one after another (a.sum(axis=0) would sum pairwise
    # where the batch axis has length 1 and there are 8 voters or more)
    total = a[0].copy()
    for k in range(1, a.shape[0]):
        total += a[k]
    den = total.T[:, spread].reshape(B, n, n)
    num = 0.5 * (D[:, None, :] - D[:, :, None] + den)
    return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.5)


def basic_utilities(
    positions,
    median,
    risk_exponent,
    scale,
    alternatives: bool = True,
) -> dict[str, np.ndarray]:
    """B5: the utilities of actor i in its dyad with j, for a (B, n) batch.

    Parameters
    ----------
    positions: ``(B, n)``; median: ``(B,)`` (μ of B2); risk_exponent: ``(B, n)`` (r_i, the
    evaluating actor i's own exponent), ``(B, n, n)`` (an exponent per dyad, e.g. the
    receiver's, for perceptions), or None for r = 1 everywhere; scale: ``(B,)`` (Δ); alternatives: also compute U_b and
    U_w (only needed when Q < 1).  Normalised distances are clipped to [0, 1], so
    positions are expected to lie on the scale.

    Returns
    -------
    dict with ``"s", "f"`` (and ``"b", "w"``) of shape ``(B, n, n)`` (row i, column j) and
    ``"sq"`` of shape ``(B, n, 1)``: utilities of success, failure, things getting better,
    worse, and the status quo.  Utilities range over [-2, 2].
    """
    x = np.asarray(positions, dtype=float)
    span = np.asarray(scale, dtype=float)
    d = np.clip(np.abs(x[:, :, None] - x[:, None, :]) / span[:, None, None], 0.0, 1.0)
    return _utilities(x, d, median, risk_exponent, span, alternatives)


def _utilities(x, d, median, risk_exponent, span, alternatives):
    """B5 from the normalised distances ``d`` (B, n, n) (:func:`basic_utilities`)."""
    span = span[:, None, None]
    if risk_exponent is None:

        def power(base):
            return base

        sq = np.zeros((x.shape[0], x.shape[1], 1))
    else:
        r = np.asarray(risk_exponent, dtype=float)
        r = r[:, :, None] if r.ndim == 2 else r

        def power(base):
            return base**r

        sq = 2.0 - 4.0 * 0.5**r
    out = {"s": 2.0 - 4.0 * power(0.5 - 0.5 * d), "f": 2.0 - 4.0 * power(0.5 + 0.5 * d), "sq": sq}
    if alternatives:
        dmu = np.clip(
            np.abs(x - np.asarray(median, dtype=float)[:, None])[:, :, None] / span, 0.0, 1.0
        )
        out["b"] = 2.0 - 4.0 * power(0.5 - 0.25 * (dmu + d))
        out["w"] = 2.0 - 4.0 * power(0.5 + 0.25 * (dmu + d))
    return out


def expected_utilities(
    probability, utilities, salience, params: BargainingParameters
) -> np.ndarray:
    """B6: ``E[b, i, j] = E^i(U_ij)``, i's expected utility of challenging j.

    ``E^i(U_ij) = s_j [P_ij U_s + (1 - P_ij) U_f] + (1 - s_j) U_s
    - Q U_sq - (1 - Q) [T U_b + (1 - T) U_w]``; the diagonal is 0 (no self-challenge).

    Parameters: ``probability`` ``(B, n, n)`` from B4; ``utilities`` from
    :func:`basic_utilities`; ``salience`` ``(B, n)`` (s_j, in [0, 1]); Q and T from ``params``.
    Returns ``(B, n, n)``, range [-4, 4].
    """
    P = np.asarray(probability, dtype=float)
    U = utilities
    sj = np.asarray(salience, dtype=float)[:, None, :]
    Q, T = params.status_quo_probability, params.improvement_probability
    challenge = sj * (P * U["s"] + (1.0 - P) * U["f"]) + (1.0 - sj) * U["s"]
    stay = Q * U["sq"]
    if Q < 1.0:
        stay = stay + (1.0 - Q) * (T * U["b"] + (1.0 - T) * U["w"])
    E = np.ascontiguousarray(challenge - stay)  # C order even from transposed utilities
    n = E.shape[-1]
    E.reshape(E.shape[0], n * n)[:, :: n + 1] = 0.0  # the diagonal (a view: E is C order)
    return E


# --------------------------------------------------------------------------- B7-B8


def security_levels(expected_utility) -> np.ndarray:
    """B7 (first half): ``S[b, i] = Σ_{j≠i} E^j(U_ji)``, how attractive a target i is.

    ``expected_utility`` ``(B, n, n)`` (row challenger, column target).  Returns ``(B, n)``.
    """
    E = np.asarray(expected_utility, dtype=float)
    n = E.shape[-1]
    off = ~np.eye(n, dtype=bool)
    return np.where(off, E, 0.0).sum(axis=-2)


def risk_exponents(expected_utility, params: BargainingParameters) -> np.ndarray:
    """B7-B8: the risk exponents r_i from the security levels.

    ``R_i = (2 S_i - max S - min S) / (max S - min S)`` (R_i = 0 when all S are equal),
    ``r_i = (1 - R_i/a) / (1 + R_i/a)`` with ``a = params.risk_divisor`` (3 in the paper).
    ``expected_utility`` should be computed with all r = 1 (as in the paper's procedure).

    Returns ``(B, n)`` in ``[1/r_max, r_max]``: the most exposed actor (largest S) gets
    1/r_max, the safest r_max.
    """
    return _risk_from_security(security_levels(expected_utility), params)


def _risk_from_security(S, params: BargainingParameters) -> np.ndarray:
    """B7-B8 from the security levels ``S`` (B, n) (:func:`risk_exponents`)."""
    hi = S.max(axis=-1, keepdims=True)
    lo = S.min(axis=-1, keepdims=True)
    width = hi - lo
    R = np.where(width > 0, (2.0 * S - hi - lo) / np.where(width > 0, width, 1.0), 0.0)
    a = params.risk_divisor
    return (1.0 - R / a) / (1.0 + R / a)


# --------------------------------------------------------------------------- B9-B11


def offers(
    expected_utility, positions, perceived=None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """B9: challenges, dyad outcomes and proposals, for a (B, n) batch.

    Parameters
    ----------
    expected_utility: ``(B, n, n)``, ``E[i, j] = E^i(U_ij)`` as i itself reckons it (i's
        risk exponent).
    positions: ``(B, n)``.
    perceived: ``(B, n, n)`` or None: ``perceived[i, j]`` is the receiver j's estimate of
        E^i(U_ij), made with j's own risk exponent (BDM's perceptions).  None: the
        receiver sees the sender's own figure.

    Returns
    -------
    challenge: ``(B, n, n)`` bool, i challenges j (E^i(U_ij) > 0 and x_i ≠ x_j).
    outcome: ``(B, n, n)`` int, what i's challenge does to j, from j's point of view with
        ``S = perceived[i, j]`` and ``E_j = E^j(U_ji)`` (no move unless S > 0):
        ``CONFLICT`` (E_j > 0 and S > E_j: j expects to lose the confrontation and yields
        to x_i), ``COMPROMISE`` (E_j ≤ 0 and S > |E_j|), ``CAPITULATION`` (E_j < 0 and
        |E_j| ≥ S), or ``NO_OFFER`` (no challenge, not credible to j, or a conflict j
        expects to win).
    proposal: ``(B, n, n)``, j's position if it accepts i's offer (NaN for no offer):
        x_i for conflict and capitulation, ``x_j + (x_i - x_j) |E_j / S|`` for a
        compromise.
    """
    E = np.asarray(expected_utility, dtype=float)
    S = E if perceived is None else np.asarray(perceived, dtype=float)
    x = np.asarray(positions, dtype=float)
    Ej = np.ascontiguousarray(np.swapaxes(E, -1, -2))  # Ej[i, j] = E^j(U_ji), j's own figure
    xi = x[:, :, None]
    xj = x[:, None, :]
    challenge = (E > 0) & (xi != xj)
    credible = challenge & (S > 0)
    absEj = np.abs(Ej)
    conflict = credible & (Ej > 0) & (S > Ej)
    compromise = credible & (Ej <= 0) & (S > absEj)
    capitulation = credible & (Ej < 0) & (absEj >= S)
    # the three cases are mutually exclusive
    outcome = (
        conflict * np.int8(CONFLICT)
        + compromise * np.int8(COMPROMISE)
        + capitulation * np.int8(CAPITULATION)
    ).astype(np.int8)
    ratio = absEj / np.where(credible, S, 1.0)
    proposal = np.where(compromise, xj + (xi - xj) * ratio, xi)
    proposal = np.where(outcome != NO_OFFER, proposal, np.nan)
    return challenge, outcome, proposal


def best_offers(outcome, proposal, positions, expected_utility) -> tuple[np.ndarray, np.ndarray]:
    """B10-B11: each actor's best offer and its new position.

    Of the offers that would move j (``outcome[:, i, j] != NO_OFFER``), j takes the one
    whose proposal is closest to x_j; ties (within 1e-12 of the scale) go to the larger
    sender's expected utility (``expected_utility[i, j]``; pass the receiver's perceived
    figures when perceptions are on), then to the lowest sender index.

    Returns
    -------
    sender: ``(B, n)`` int, the index i of the accepted offer, -1 if none.
    new_positions: ``(B, n)``, the proposal of the accepted offer, else x_j.
    """
    x = np.asarray(positions, dtype=float)
    has = outcome != NO_OFFER
    move = np.where(has, np.abs(proposal - x[:, None, :]), np.inf)  # (B, i, j)
    least = move.min(axis=1, keepdims=True)
    tol = 1e-12 * np.maximum(1.0, np.abs(x).max(axis=-1))[:, None, None]
    cand = has & (move <= least + tol)
    score = np.where(cand, expected_utility, -np.inf)
    sender = np.argmax(score, axis=1)  # first maximum -> lowest index
    any_offer = has.any(axis=1)
    chosen = proposal[np.arange(x.shape[0])[:, None], sender, np.arange(x.shape[1])]
    new = np.where(any_offer, chosen, x)
    return np.where(any_offer, sender, -1), new


# --------------------------------------------------------------------------- a round


@dataclass(frozen=True)
class BargainingState:
    """The bargaining state of R replicates (see the module docstring for shapes).

    ``scale`` is the width Δ of each issue scale (scalar, ``(R,)`` or ``(R, k)``); None
    means each replicate's current ``max x - min x`` (Scholz et al.'s definition; keep it
    fixed over rounds by passing it, as :func:`run_to_convergence` does).
    """

    positions: np.ndarray
    capability: np.ndarray
    salience: np.ndarray
    scale: object = None


@dataclass(frozen=True)
class RoundResult:
    """One bargaining round (B2-B11).  Issue axis, when present, is last.

    Attributes
    ----------
    positions: (R, n[, k]) positions after the round (unmasked replicates unchanged).
    median: (R[, k]) the forecast: the median voter position (B2, r = 1, the weighted
        median) before the move (NaN where unmasked).
    median_with_risk: (R[, k]) the median voter position with risk-shaped votes, the μ
        of B5 in the second pass (NaN where unmasked).
    risk_exponent: (R, n[, k]) r_i used in the round (NaN where unmasked).
    expected_utility: (R, n, n[, k]) E^i(U_ij) with those r (NaN where unmasked).
    probability: (R, n, n[, k]) P_ij with risk-shaped votes (NaN where unmasked).
    challenge: (R, n, n[, k]) bool, i challenged j.
    outcome: (R, n, n[, k]) int8 dyad outcome codes (see :func:`offers`).
    accepted_from: (R, n[, k]) int, sender of the accepted offer, -1 if none.
    accepted_outcome: (R, n[, k]) int8, the outcome code of the accepted offer.
    counts: dict "conflict" / "compromise" / "capitulation" -> (R[, k]) int, accepted
        offers of each kind this round.
    """

    positions: np.ndarray
    median: np.ndarray
    median_with_risk: np.ndarray
    risk_exponent: np.ndarray
    expected_utility: np.ndarray
    probability: np.ndarray
    challenge: np.ndarray
    outcome: np.ndarray
    accepted_from: np.ndarray
    accepted_outcome: np.ndarray
    counts: dict = field(default_factory=dict)


def _receiver_utilities(U, x, mu, r, span, alternatives):
    """B5 for entry [i, j] valued with the receiver j's exponent r_j.

    Without U_b / U_w (Q = 1) these are the transpose of j's own utilities, because
    d_ij is symmetric: no further powers are needed.
    """
    if alternatives:
        return basic_utilities(x, mu, r[:, None, :], span, True)
    return {
        "s": np.swapaxes(U["s"], 1, 2),
        "f": np.swapaxes(U["f"], 1, 2),
        "sq": np.swapaxes(U["sq"], 1, 2),
    }


@functools.cache
def _pair_spread(n: int) -> np.ndarray:
    """For :func:`_probability_pairs`: for each (i, j) in C order, its row in the
    stacked ``(forward pairs, backward pairs)`` array of 2 (pairs + 1) rows: the pair
    p = (i, j) with i < j is row p, (j, i) is row pairs + 1 + p, the diagonal the
    forward zero pair."""
    first, _, col = _pair_layout(n)
    i, j = np.divmod(np.arange(n * n), n)
    out = np.where(i > j, col + first.size, col)
    out.setflags(write=False)
    return out


def _sums_t(gT, wT):
    """``D[i, b] = Σ_k w_kb g_kib`` from ``gT`` (k, i, B) and ``wT`` (k, B), the voters'
    products added one after another from 0, as :func:`_distance_sums`' reduction
    (over a non-innermost axis, so no pairwise summation for any n) adds them."""
    D = gT[0] * wT[0]
    D += 0.0  # 0 + t: -0 becomes +0 as in the reduction
    for k in range(1, gT.shape[0]):
        D += gT[k] * wT[k]
    return D


def _probability_pairs(gT, wT, DT, B, n):
    """B4 (:func:`_probability_fast`) from ``gT`` (k, i, B), ``wT`` (k, B) and the
    distance sums ``DT`` (i, B): every operation on (pairs, B) rows with the batch
    axis innermost, the antisymmetric numerator formed for (i, j) and (j, i) from
    the same symmetric denominator; one gather to (B, n, n) at the end."""
    first, second, _ = _pair_layout(n)
    a = gT[:, second] - gT[:, first]  # (k, pairs + 1, B)
    np.abs(a, out=a)
    a *= wT[:, None, :]
    den = a[0].copy()
    for k in range(1, a.shape[0]):
        den += a[k]
    some = den > 0
    safe = np.where(some, den, 1.0)
    out = np.empty((2 * first.size, B))
    # num = 0.5 (D_j - D_i + den), P = num / den where den > 0 else 0.5
    for rows, (hi, lo) in (
        (slice(0, first.size), (second, first)),
        (slice(first.size, None), (first, second)),
    ):
        num = DT[hi] - DT[lo]
        num += den
        num *= 0.5
        num /= safe
        out[rows] = np.where(some, num, 0.5)
    return out.T[:, _pair_spread(n)].reshape(B, n, n)


def _expected_full(P, not_P, Us, Uf, stay, sj, not_sj):
    """B6 (:func:`expected_utilities`) with the salience terms ``sj`` = s_j and
    ``not_sj`` = 1 - s_j broadcast to (B, n, n) once, and ``stay`` = Q U_sq (+ ...)
    given: the same operations in the same order."""
    E = np.multiply(P, Us, order="C")  # C order: the diagonal below is a view
    tmp = np.multiply(not_P, Uf)
    E += tmp
    E *= sj
    E += np.multiply(not_sj, Us, out=tmp)  # the scratch reused: the same values
    E -= stay
    n = E.shape[-1]
    E.reshape(E.shape[0], n * n)[:, :: n + 1] = 0.0  # the diagonal (a view: E is C order)
    return E


def _two_less_four(a, out=False):
    """``2 - 4 a`` (B5's utility scale), the same operations; ``out``: in ``a``."""
    t = np.multiply(a, 4.0, out=a if out else None)
    return np.subtract(2.0, t, out=t)


def _round_core(x, c, s, span, params):
    """B2-B11 on a (B, n) batch (any n >= 1); returns every intermediate array.

    The paper's procedure: with every r = 1, the median voter position, the
    probabilities and the expected utilities give the risk exponents (B2-B8); then the
    median voter position, probabilities, utilities and expected utilities are computed
    again with those exponents (votes risk-shaped, B1) and drive the offers (B9-B11).

    Laid out for speed, with the operations and their order of the public functions
    (:func:`_probability_fast`, :func:`expected_utilities`, :func:`security_levels`,
    :func:`offers`, :func:`best_offers`), so bit-identical to composing them: operands
    that would broadcast over a short trailing axis (an actor's risk exponent, j's
    salience, the positions) are broadcast once to (B, n, n); the voters' sums and B4
    run with the batch axis innermost; sums over actors are added one after another
    from 0 as numpy's reductions over a non-innermost axis do.  Peak memory of a
    round at B = 256 (tracemalloc): 2.0 MiB at n = 6, 98 MiB at n = 30, most of it
    B4's per-voter pair terms (n, n (n - 1) / 2 + 1, B), as in the unfused layout.
    Tuned for the model's six actors (0.9 of the CPU of the unfused layout at B = 256);
    with 8 or more, fewer instructions but not less time (1.8x at n = 16, 1.1-1.2x at
    n = 30; benchmarks/README.md, 2026-12-03).
    """
    B, n = x.shape
    w = c * s
    forecast = weighted_median(x, w)  # B2-B3 with r = 1
    Q, T = params.status_quo_probability, params.improvement_probability
    alt = Q < 1.0
    d = _voter_distances(x, span)  # |x_i - x_j| / Δ: the votes' distances with r = 1, and B5's
    wT = np.ascontiguousarray(w.T)
    dT = np.ascontiguousarray(np.moveaxis(d, 0, -1))  # dT[k, i, b] = d[b, k, i]
    P1 = _probability_pairs(dT, wT, _sums_t(dT, wT), B, n)  # B4, r = 1
    sj = np.ascontiguousarray(np.broadcast_to(s[:, None, :], (B, n, n)))
    not_sj = 1.0 - sj
    half = 0.5 * d
    lo, hi = 0.5 - half, 0.5 + half  # U_s's and U_f's bases, at r = 1 and with r
    U1s = _two_less_four(lo)
    U1f = _two_less_four(hi)
    if alt:
        U1 = _utilities(x, d, forecast, None, span, True)
        stay1 = Q * U1["sq"] + (1.0 - Q) * (T * U1["b"] + (1.0 - T) * U1["w"])
    else:
        stay1 = Q * np.zeros((B, n, 1))
    E1 = _expected_full(P1, 1.0 - P1, U1s, U1f, stay1, sj, not_sj)
    S = E1[:, 0] + 0.0  # B7: the column sums of E1 (its diagonal is 0)
    for i in range(1, n):
        S += E1[:, i]
    r = _risk_from_security(S, params)  # B7-B8
    rr = np.repeat(r, n, axis=1).reshape(B, n, n)  # rr[b, i, j] = r_i
    g = d**rr  # B1 again, votes shaped by r
    gT = np.ascontiguousarray(np.moveaxis(g, 0, -1))
    DT = _sums_t(gT, wT)
    mu = _median_voter(x, w, span, cost=np.ascontiguousarray(DT.T))  # B2 again
    P = _probability_pairs(gT, wT, DT, B, n)  # B4 again
    not_P = 1.0 - P
    Us = _two_less_four(lo**rr, out=True)
    Uf = _two_less_four(hi**rr, out=True)
    sq = 2.0 - 4.0 * 0.5 ** r[:, :, None]
    if alt:
        U = _utilities(x, d, mu, r, span, True)
        stay = Q * sq + (1.0 - Q) * (T * U["b"] + (1.0 - T) * U["w"])
    else:
        U = {"s": Us, "f": Uf, "sq": sq}
        stay = Q * sq
    E = _expected_full(P, not_P, Us, Uf, stay, sj, not_sj)  # B6 with r
    seen = None
    if params.perception == "receiver":  # j values i's challenge with r_j (B9)
        V = _receiver_utilities(U, x, mu, r, span, alt)
        seen_stay = Q * V["sq"]
        if alt:
            seen_stay = seen_stay + (1.0 - Q) * (T * V["b"] + (1.0 - T) * V["w"])
        seen = _expected_full(P, not_P, V["s"], V["f"], seen_stay, sj, not_sj)
    xi = np.repeat(x, n, axis=1).reshape(B, n, n)  # xi[b, i, j] = x_i
    xj = np.ascontiguousarray(np.broadcast_to(x[:, None, :], (B, n, n)))  # x_j
    challenge, outcome, proposal, has = _offers_laid_out(E, E if seen is None else seen, xi, xj)
    sender, new = _best_offers_laid_out(has, proposal, x, xj, E if seen is None else seen)
    taken = outcome[np.arange(B)[:, None], np.maximum(sender, 0), np.arange(n)]
    acc = np.where(sender >= 0, taken, NO_OFFER).astype(np.int8)
    return forecast, mu, P, r, E, challenge, outcome, sender, acc, new


def _offers_laid_out(E, S, xi, xj):
    """B9 (:func:`offers`) with the positions broadcast to (B, n, n) (``xi`` = x_i,
    ``xj`` = x_j, C order) and the perceived figures ``S``: the same comparisons and
    arithmetic; the outcome codes added as int8 (the cases exclude each other).
    Also returns ``outcome != NO_OFFER``."""
    Ej = np.ascontiguousarray(np.swapaxes(E, -1, -2))  # Ej[i, j] = E^j(U_ji), j's own figure
    challenge = E > 0
    challenge &= xi != xj
    credible = S > 0
    credible &= challenge
    absEj = np.abs(Ej)
    conflict = Ej > 0
    conflict &= credible
    conflict &= S > Ej
    compromise = Ej <= 0
    compromise &= credible
    compromise &= S > absEj
    capitulation = Ej < 0
    capitulation &= credible
    capitulation &= absEj >= S
    outcome = compromise.view(np.int8) * np.int8(COMPROMISE)
    outcome += conflict.view(np.int8) * np.int8(CONFLICT)
    outcome += capitulation.view(np.int8) * np.int8(CAPITULATION)
    ratio = absEj / np.where(credible, S, 1.0)
    proposal = xi - xj
    proposal *= ratio
    proposal += xj
    has = outcome != NO_OFFER
    proposal = np.where(compromise, proposal, xi)
    return challenge, outcome, np.where(has, proposal, np.nan), has


def _best_offers_laid_out(has, proposal, x, xj, expected_utility):
    """B10-B11 (:func:`best_offers`) with ``has``, and x_j broadcast (``xj``); the least
    move over the senders by n - 1 element-wise minima (exact in any order: the
    moves are >= 0 or inf)."""
    B, n = x.shape
    move = np.abs(proposal - xj)  # (B, i, j)
    move = np.where(has, move, np.inf)
    least = move[:, 0].copy()
    for i in range(1, n):
        np.minimum(least, move[:, i], out=least)
    tol = 1e-12 * np.maximum(1.0, np.abs(x).max(axis=-1))[:, None, None]
    cand = move <= least[:, None, :] + tol
    cand &= has
    score = np.where(cand, expected_utility, -np.inf)
    sender = np.argmax(score, axis=1)  # first maximum -> lowest index
    any_offer = has.any(axis=1)
    chosen = proposal[np.arange(B)[:, None], sender, np.arange(n)]
    return np.where(any_offer, sender, -1), np.where(any_offer, chosen, x)


def bargaining_round(
    state: BargainingState, params: BargainingParameters | None = None, mask=None
) -> RoundResult:
    """Play one round of the expected-utility model (B2-B11) in every masked replicate.

    Parameters
    ----------
    state: positions, capability, salience (and the scale width) of R replicates.
    params: the model's parameters (defaults: the paper's values).
    mask: ``(R,)`` bool, the replicates that bargain; None means all.  Unmasked
        replicates keep their positions exactly and get NaN / -1 / 0 diagnostics.

    Returns a :class:`RoundResult`.  Deterministic: no random numbers are drawn.

    Raises ValueError on shapes that do not fit, negative capability or salience
    outside [0, 1].
    """
    params = params or BargainingParameters()
    x, c, s, span, mb, unflat = _batch(
        state.positions, state.capability, state.salience, state.scale, mask
    )
    B, n = x.shape
    if mb.all():  # every replicate bargains: the core's arrays are the result
        (forecast, mu, P, r, E, challenge, outcome, sender, acc, new) = _round_core(
            x, c, s, span, params
        )
        return _result(unflat, forecast, mu, P, r, E, challenge, outcome, sender, acc, new)
    new = x.copy()
    forecast = np.full(B, np.nan)
    mu = np.full(B, np.nan)
    r = np.full((B, n), np.nan)
    E = np.full((B, n, n), np.nan)
    P = np.full((B, n, n), np.nan)
    challenge = np.zeros((B, n, n), dtype=bool)
    outcome = np.zeros((B, n, n), dtype=np.int8)
    sender = np.full((B, n), -1)
    acc = np.zeros((B, n), dtype=np.int8)
    if mb.any():
        idx = np.flatnonzero(mb)
        out = _round_core(x[idx], c[idx], s[idx], span[idx], params)
        (
            forecast[idx],
            mu[idx],
            P[idx],
            r[idx],
            E[idx],
            challenge[idx],
            outcome[idx],
            sender[idx],
            acc[idx],
            new[idx],
        ) = out
    return _result(unflat, forecast, mu, P, r, E, challenge, outcome, sender, acc, new)


def _result(unflat, forecast, mu, P, r, E, challenge, outcome, sender, acc, new) -> RoundResult:
    """The :class:`RoundResult` of a round's (B, ...) arrays, issue axis restored."""
    counts = {name: unflat((acc == code).sum(axis=-1)) for code, name in _OUTCOME_NAMES.items()}
    return RoundResult(
        positions=unflat(new),
        median=unflat(forecast),
        median_with_risk=unflat(mu),
        risk_exponent=unflat(r),
        expected_utility=unflat(E),
        probability=unflat(P),
        challenge=unflat(challenge),
        outcome=unflat(outcome),
        accepted_from=unflat(sender),
        accepted_outcome=unflat(acc),
        counts=counts,
    )


@dataclass(frozen=True)
class ConvergenceResult:
    """The outcome of :func:`run_to_convergence`.

    Attributes
    ----------
    positions: (T + 1, R, n[, k]) positions before round 1 and after each round played;
        a replicate that has stopped keeps its last positions in later rows.
    medians: (T + 1, R[, k]) the median voter forecast (B2) of each row's positions.
    converged: (R,) bool, the replicate stopped because no position moved more than the
        tolerance (True) rather than by the round cap (False).
    rounds: (R,) int, rounds the replicate played (including the final, still round for a
        converged one); 0 for unmasked replicates.
    stopped_by: (R,) str, "converged", "max_rounds" or "not bargaining" (unmasked).
    """

    positions: np.ndarray
    medians: np.ndarray
    converged: np.ndarray
    rounds: np.ndarray
    stopped_by: np.ndarray


def run_to_convergence(
    state: BargainingState,
    params: BargainingParameters | None = None,
    mask=None,
    on_round: Callable[[int, RoundResult], None] | None = None,
) -> ConvergenceResult:
    """B12: repeat rounds until no position moves more than ``params.tolerance × Δ``.

    Replicates advance in lockstep; one that has converged is masked out of later rounds
    (its positions stay), so every replicate's trajectory equals the one it would have
    alone.  The loop ends when all masked replicates have converged or after
    ``params.max_rounds`` rounds; :attr:`ConvergenceResult.stopped_by` says which.

    The scale width is fixed from the initial positions when ``state.scale`` is None.
    ``on_round(t, result)`` (optional) sees each round's diagnostics (no I/O here).
    """
    params = params or BargainingParameters()
    x0 = np.asarray(state.positions, dtype=float)
    R = x0.shape[0]
    active = np.ones(R, bool) if mask is None else np.asarray(mask, bool).copy()
    if active.shape != (R,):
        raise ValueError(f"mask must have shape (R,) = ({R},); got {active.shape}")
    bargaining = active.copy()
    scale = state.scale
    if scale is None:
        scale = x0.max(axis=1) - x0.min(axis=1)
    cur = BargainingState(x0.copy(), state.capability, state.salience, scale)
    span = _scale_widths(x0, scale)
    span = span.reshape(span.shape[:1] + (1,) + span.shape[1:])  # broadcast over actors
    history = [x0.copy()]
    converged = np.zeros(R, bool)
    rounds = np.zeros(R, int)
    for t in range(1, params.max_rounds + 1):
        if not active.any():
            break
        res = bargaining_round(cur, params, active)
        moved = (np.abs(res.positions - cur.positions) / span).reshape(R, -1).max(axis=1)
        rounds[active] = t
        still = active & (moved <= params.tolerance)
        converged |= still
        active &= ~still
        if on_round is not None:
            on_round(t, res)
        cur = BargainingState(res.positions, cur.capability, cur.salience, scale)
        history.append(res.positions.copy())
    positions = np.stack(history)
    medians = np.stack([_forecast(row, state.capability, state.salience) for row in history])
    stopped = np.where(converged, "converged", np.where(bargaining, "max_rounds", "not bargaining"))
    return ConvergenceResult(
        positions=positions, medians=medians, converged=converged, rounds=rounds, stopped_by=stopped
    )


def _forecast(positions, capability, salience):
    """B2-B3 for (R, n[, k]) positions: the weighted median with weights c s."""
    x, c, s, _, _, unflat = _batch(positions, capability, salience)
    return unflat(weighted_median(x, c * s))


# --------------------------------------------------------------------------- acceptance


def accepts(utility_of_text, disagreement_value) -> np.ndarray:
    """Whether a party accepts a text: its utility is at least its disagreement value.

    A rational party never agrees to less than it gets when bargaining breaks down
    (Nash 1950, "The bargaining problem", *Econometrica* 18: the disagreement point).
    Arrays broadcast; returns bool.
    """
    return np.asarray(utility_of_text, dtype=float) >= np.asarray(disagreement_value, dtype=float)


def zeuthen_risk_limit(u_own_offer, u_other_offer, disagreement) -> np.ndarray:
    """Zeuthen's (1930) risk limit of a party: ``(u(own) - u(other)) / (u(own) - d)``.

    The largest probability of breakdown the party would bear rather than accept the
    other's offer (Zeuthen 1930, *Problems of Monopoly and Economic Warfare*; Harsanyi
    1956).  Utilities are the party's own; ``d`` its disagreement value.  Clipped to
    [0, 1]: 1 when the other's offer is no better than breakdown, 0 when it is at least
    as good as the party's own offer, and 0 when the own offer is itself no better than
    breakdown (the party has nothing to hold out for).  Arrays broadcast.
    """
    own = np.asarray(u_own_offer, dtype=float)
    other = np.asarray(u_other_offer, dtype=float)
    d = np.asarray(disagreement, dtype=float)
    gain = own - d
    safe = np.where(gain > 0, gain, 1.0)
    return np.where(gain > 0, np.clip((own - other) / safe, 0.0, 1.0), 0.0)


def zeuthen_concedes(risk_limit_a, risk_limit_b) -> tuple[np.ndarray, np.ndarray]:
    """Zeuthen's principle: the party with the smaller risk limit concedes (both if equal).

    Returns ``(a_concedes, b_concedes)`` bool arrays (broadcast).
    """
    a = np.asarray(risk_limit_a, dtype=float)
    b = np.asarray(risk_limit_b, dtype=float)
    return a <= b, b <= a


# ---------------------------------------------------------------------------
# The zone of possible agreement: projection onto the parties' acceptable sets
# ---------------------------------------------------------------------------

#: Dykstra cycles (over the six parties' sets and the box) the chair's ZOPA draft
#: runs at most (:func:`project_onto_intersection`).  Numerical, not behavioural:
#: Dykstra converges linearly, slowly where the intersection is thin; measured
#: against an exact linear-programming test of non-emptiness on the historical
#: runs, 200 cycles miss about a quarter of the non-empty zones, 1000 about a
#: seventh, 2000 about a sixteenth (docs/model.md 3.17).  A replicate still
#: moving after this many is reported as not converged and its feasibility is
#: checked, never assumed (a miss tables the forecast).
ZOPA_CYCLES = 1000

#: A cycle moving the text by at most this much on every issue (scale units)
#: ends a replicate's iterations: far below any position's resolution.
ZOPA_TOLERANCE = 1e-10

#: The sets are shrunk by this distance (utility units) when projecting, so a
#: text found on a party's boundary lies inside it by more than the rounding of
#: the acceptance test.  Numerical, far below any behavioural threshold.
ZOPA_MARGIN = 1e-9

#: Bisection steps for the Lagrange multiplier of the projection onto an
#: ellipsoid (distance exponent 2): 2**-60 of the bracket.
ZOPA_BISECTIONS = 60


def _rowsum(x: np.ndarray) -> np.ndarray:
    # contiguous copy: a row's sum has the same bits whatever the batch
    return np.ascontiguousarray(x).sum(axis=-1)


def project_weighted_l1_ball(z, centre, weights, radius) -> np.ndarray:
    """Euclidean projection onto ``{x : sum_k w_k |x_k - c_k| <= rho}``, row by row.

    ``z``, ``centre``, ``weights``: ``(n, K)`` (weights >= 0; an issue of weight
    0 is unconstrained); ``radius``: ``(n,)``, >= 0.  Returns ``(n, K)``; a row
    already inside is returned unchanged.  Sort-based and exact: the weighted
    form of Duchi, Shalev-Shwartz, Singer & Chandra (2008), "Efficient
    projections onto the l1-ball", ICML: ``x_k = c_k + sign(y_k) max(|y_k| -
    lambda w_k, 0)``, ``y = z - c``, with the multiplier ``lambda >= 0`` found
    from the ratios ``|y_k| / w_k`` sorted in decreasing order.
    """
    z = np.asarray(z, dtype=float)
    y = z - centre
    a = np.abs(y)
    w = np.asarray(weights, dtype=float)
    radius = np.asarray(radius, dtype=float)
    inside = _rowsum(w * a) <= radius
    pos = w > 0
    q = np.where(pos, a / np.where(pos, w, 1.0), 0.0)
    order = np.argsort(-q, axis=-1, kind="stable")
    qs = np.take_along_axis(q, order, axis=-1)
    ws = np.take_along_axis(w, order, axis=-1)
    as_ = np.take_along_axis(a, order, axis=-1)
    den = np.cumsum(ws * ws, axis=-1)
    lam = (np.cumsum(ws * as_, axis=-1) - radius[:, None]) / np.where(den > 0, den, 1.0)
    ok = (qs > lam) & (den > 0)
    K = z.shape[-1]
    last = K - 1 - np.argmax(ok[:, ::-1], axis=-1)
    lam_star = np.maximum(np.take_along_axis(lam, last[:, None], axis=-1), 0.0)
    x = centre + np.sign(y) * np.maximum(a - lam_star * w, 0.0)
    return np.where(inside[:, None], z, x)


def project_ellipsoid(z, centre, weights, radius) -> np.ndarray:
    """Euclidean projection onto ``{x : sum_k v_k (x_k - c_k)^2 <= rho^2}``, row by row.

    Shapes as :func:`project_weighted_l1_ball` (``weights`` v >= 0).  Exact up
    to the bisection: ``x_k = c_k + y_k / (1 + lambda v_k)`` with ``lambda >= 0``
    solving ``sum_k v_k y_k^2 / (1 + lambda v_k)^2 = rho^2`` (monotone), found
    by :data:`ZOPA_BISECTIONS` bisection steps and taken on the feasible side.
    """
    z = np.asarray(z, dtype=float)
    y = z - centre
    v = np.asarray(weights, dtype=float)
    r2 = np.asarray(radius, dtype=float) ** 2
    inside = _rowsum(v * y * y) <= r2
    pos = v > 0
    # sum_k v y^2 / (1 + lam v)^2 < sum_{v>0} y^2 / (lam^2 v): feasible from hi on
    bound = _rowsum(np.where(pos, y * y / np.where(pos, v, 1.0), 0.0))
    hi = np.sqrt(bound / np.where(r2 > 0, r2, 1.0)) + 1.0
    lo = np.zeros_like(hi)
    for _ in range(ZOPA_BISECTIONS):
        mid = 0.5 * (lo + hi)
        u = y / (1.0 + mid[:, None] * v)
        good = _rowsum(v * u * u) <= r2
        lo = np.where(good, lo, mid)
        hi = np.where(good, mid, hi)
    x = centre + y / (1.0 + hi[:, None] * v)
    x = np.where((r2 > 0)[:, None] | ~pos, x, centre + np.where(pos, 0.0, y))
    return np.where(inside[:, None], z, x)


def retract_power_ball(z, centre, weights, radius, exponent) -> np.ndarray:
    """Radial retraction onto ``{x : sum_k v_k |x_k - c_k|^e <= rho^e}``, row by row.

    The point of the segment from the centre to ``z`` on the ball's boundary
    (closed form: ``c + t (z - c)``, ``t = (rho^e / sum_k v_k |y_k|^e)^(1/e)``).
    Not the Euclidean projection: it is the fallback for exponents strictly
    between 1 and 2, where Dykstra's algorithm with it finds *a* point of the
    intersection near the forecast, not necessarily the nearest.
    """
    z = np.asarray(z, dtype=float)
    y = z - centre
    e = np.asarray(exponent, dtype=float)[:, None]
    s = _rowsum(weights * np.abs(y) ** e)
    rho = np.asarray(radius, dtype=float)
    inside = s <= rho ** e[:, 0]
    t = (rho ** e[:, 0] / np.where(s > 0, s, 1.0)) ** (1.0 / e[:, 0])
    return np.where(inside[:, None], z, centre + np.minimum(t, 1.0)[:, None] * y)


def project_power_ball(z, centre, salience, radius, exponent) -> np.ndarray:
    """Projection onto one party's acceptable set ``{x : d_e(x, c) <= rho}``.

    ``d_e`` is :func:`sixparty.parties.text_distance`: the salience-weighted
    power mean ``(sum_k (s_k |x_k - c_k|)^e / sum_k s_k^e)^(1/e)``.  ``z``,
    ``centre``, ``salience``: ``(n, K)``; ``radius``: ``(n,)`` >= 0;
    ``exponent``: ``(n,)`` in [1, 2].  e = 1: the weighted L1 ball, exact
    (:func:`project_weighted_l1_ball`); e = 2: the ellipsoid, exact to the
    bisection (:func:`project_ellipsoid`); between: the radial retraction
    (:func:`retract_power_ball`).
    """
    z = np.asarray(z, dtype=float)
    s = np.asarray(salience, dtype=float)
    e = np.asarray(exponent, dtype=float)
    out = np.empty_like(z)
    one, two = e == 1.0, e == 2.0
    mid = ~(one | two)
    if one.any():
        w = s[one] / np.where(_rowsum(s[one]) > 0, _rowsum(s[one]), 1.0)[:, None]
        out[one] = project_weighted_l1_ball(z[one], centre[one], w, radius[one])
    if two.any():
        s2 = s[two] ** 2
        v = s2 / np.where(_rowsum(s2) > 0, _rowsum(s2), 1.0)[:, None]
        out[two] = project_ellipsoid(z[two], centre[two], v, radius[two])
    if mid.any():
        se = s[mid] ** e[mid][:, None]
        v = se / np.where(_rowsum(se) > 0, _rowsum(se), 1.0)[:, None]
        out[mid] = retract_power_ball(z[mid], centre[mid], v, radius[mid], e[mid])
    return out


def project_onto_intersection(
    z, centres, salience, radii, exponent
) -> tuple[np.ndarray, np.ndarray]:
    """The point of ``[0, 1]^K`` within every party's acceptable set nearest ``z``.

    ``z``: ``(n, K)`` the texts to project (the chair's forecast); ``centres``,
    ``salience``: ``(n, m, K)`` each party's position and saliences;
    ``radii``: ``(n, m)`` the distance each accepts (>= 0); ``exponent``:
    ``(n,)`` the distance exponent.  Dykstra's alternating projection
    algorithm (Boyle & Dykstra 1986, "A method for finding projections onto
    the intersection of convex sets in Hilbert spaces", *Lecture Notes in
    Statistics* 37), cycling over the m balls (:func:`project_power_ball`)
    and the box, with one correction term per set; converges to the
    Euclidean projection of ``z`` onto the intersection when it is non-empty
    (with exact projections, e = 1 or 2).  A replicate stops when a cycle
    moves it by at most :data:`ZOPA_TOLERANCE` on every issue, or after
    :data:`ZOPA_CYCLES` cycles.  Returns ``(x (n, K), converged (n,))``; the
    caller checks feasibility (an empty intersection leaves x outside some
    set).  Each replicate's arithmetic is its own (same bits at any batch).
    """
    z = np.asarray(z, dtype=float)
    n, m = radii.shape
    x = z.copy()
    incs = np.zeros((m + 1,) + z.shape)
    active = np.ones(n, dtype=bool)
    for _ in range(ZOPA_CYCLES):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        xa = x[idx]
        start = xa.copy()
        for j in range(m + 1):
            w = xa + incs[j, idx]
            if j < m:
                y = project_power_ball(
                    w, centres[idx, j], salience[idx, j], radii[idx, j], exponent[idx]
                )
            else:
                y = np.clip(w, 0.0, 1.0)
            incs[j, idx] = w - y
            xa = y
        x[idx] = xa
        active[idx[np.abs(xa - start).max(axis=-1) <= ZOPA_TOLERANCE]] = False
    return x, ~active
