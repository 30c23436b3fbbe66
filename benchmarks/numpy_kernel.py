"""The yardstick of issue 13: the model's monthly update as a plain numpy kernel over R replicates.

Not part of the package and not the model: a lean stand-in that does the same kind and
amount of arithmetic as one month of :class:`sixparty.model.TalksModel`, on arrays with a
leading replicate axis and no per-step Python objects, so that
``benchmarks/bench_kernel.py`` can say how far the model's per-run cost is from "the
speed of the arithmetic" (the issue's target: at most 3 times the kernel).

State (R replicates, 6 parties, K issues: ``len(sixparty.scenario.ISSUES)``), taken from the scenario's initial state:

* positions, anchors, salience ``(R, 6, K)``; capability, resolve, domestic constraint
  ``(R, 6)``; trust ``(R, 6, 6)`` as the mean of a Beta belief with prior and
  discounted evidence (as the model's ``_refresh_trust``).

Each month, in every replicate at once:

1. evidence fades by ``trust_memory`` and trust is recomputed (Beta mean, diagonal 1);
2. stated positions: with probability ``statement_rate`` a party's anchor moves by a
   normal step (the model's dated statements re-anchor parties);
3. drift: ``pos += min(1, drift (drift_domestic_base + domestic)) (anchor - pos)``,
   clipped to [0, 1] (:meth:`sixparty.parties.Party.step`);
4. a session where the chair's readiness (mean trust plus noise) clears the attendance
   threshold after ``chair_wait`` months: drafts until all six accept, the chair's
   patience runs out, or no position moves.  Each draft is one expected-utility round
   of :func:`sixparty.bargaining.bargaining_round` on the (R, 6, K) positions with the
   session mask, the chair's text as the capability x bargaining-salience weighted median
   (:func:`sixparty.bargaining.weighted_median`), acceptance as utility of the text
   (1 - salience-weighted distance) against a disagreement value, and positions moved
   by the round's accepted offers - the arithmetic of ``TalksModel._bargain``;
5. attendance and acceptance feed trust evidence; a few monthly outcomes are recorded
   into preallocated ``(months, R)`` arrays.

Randomness: one ``numpy.random.Generator`` per batch (the yardstick does not need the
model's per-replicate streams).  Figures only: nothing here is validated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sixparty.bargaining import (
    BargainingParameters,
    BargainingState,
    bargaining_round,
    weighted_median,
)


@dataclass
class KernelState:
    """Initial arrays of one replicate (broadcast to R by :func:`run_batch`)."""

    pos: np.ndarray  # (6, K)
    sal: np.ndarray  # (6, K)
    cap: np.ndarray  # (6,)
    resolve: np.ndarray  # (6,)
    domestic: np.ndarray  # (6,)
    prior_a: np.ndarray  # (6, 6)
    prior_b: np.ndarray  # (6, 6)
    months: int
    params: object  # replicate 0's parameters (sixparty.replicates.ReplicateView)


def initial_state(scenario) -> KernelState:
    """The scenario's initial arrays, read from a fresh model (setup, not timed)."""
    from sixparty.model import TalksModel
    from sixparty.runner import release_model

    m = TalksModel(scenario, seed=0, record_positions=False)
    try:
        return KernelState(
            pos=m.pos[0].copy(),
            sal=m.sal[0].copy(),
            cap=m.cap[0].copy(),
            resolve=m.resolve[0].copy(),
            domestic=m.domestic[0].copy(),
            prior_a=m._prior_a[0].copy(),
            prior_b=m._prior_b[0].copy(),
            months=m.n_months,
            params=m.params.at(0),  # replicate 0's parameters as plain numbers
        )
    finally:
        release_model(m)


def run_batch(
    init: KernelState, R: int, seed: int = 0, statement_rate: float = 0.05, radius: float = 0.15
) -> dict:
    """Run R replicates over the whole window; returns the recorded (months, R) arrays
    and counts (sessions and bargaining rounds, summed over replicates)."""
    p = init.params
    rng = np.random.default_rng(seed)
    T = init.months
    pos = np.broadcast_to(init.pos, (R,) + init.pos.shape).copy()
    anchor = pos.copy()
    sal = np.broadcast_to(init.sal, (R,) + init.sal.shape).copy()
    cap = np.broadcast_to(init.cap, (R, 6)).copy()
    resolve = np.broadcast_to(init.resolve, (R, 6)).copy()
    domestic = np.broadcast_to(init.domestic, (R, 6)).copy()
    prior_a = init.prior_a[None]
    prior_b = init.prior_b[None]
    ev_a = np.zeros((R, 6, 6))
    ev_b = np.zeros((R, 6, 6))
    eye = np.eye(6, dtype=bool)
    bp = BargainingParameters(
        status_quo_probability=p.bdm_status_quo_probability,
        improvement_probability=p.bdm_improvement_probability,
        risk_exponent_max=p.bdm_risk_exponent_max,
        tolerance=p.concession_tolerance,
        perception="receiver" if p.bdm_receiver_perception else "own",
    )
    radius = radius * (1.0 - 0.5 * domestic)  # a win-set narrowed by the domestic constraint
    since = np.zeros(R, int)
    rec_trust = np.empty((T, R))
    rec_gap = np.empty((T, R))
    rec_session = np.zeros((T, R), bool)
    sessions = rounds = 0
    for t in range(T):
        # 1. evidence fades; trust is the Beta mean
        ev_a *= p.trust_memory
        ev_b *= p.trust_memory
        a = prior_a + ev_a
        trust = a / (a + prior_b + ev_b)
        trust[:, eye] = 1.0
        # 2. stated positions re-anchor some parties
        stated = rng.random((R, 6)) < statement_rate
        step = rng.normal(0.0, 0.05, pos.shape)
        anchor = np.where(stated[:, :, None], np.clip(anchor + step, 0.0, 1.0), anchor)
        # 3. drift toward the anchor, pulled harder by a narrow win-set
        pull = np.minimum(1.0, p.drift * (p.drift_domestic_base + domestic))
        pos += pull[:, :, None] * (anchor - pos)
        np.clip(pos, 0.0, 1.0, out=pos)
        # 4. the chair convenes where readiness clears the threshold
        since += 1
        readiness = trust[:, ~eye].reshape(R, 30).mean(axis=1) + rng.normal(0.0, p.noise, R)
        convene = (since >= p.min_months_between_sessions) & (readiness > p.attend_threshold)
        rec_session[t] = convene
        if convene.any():
            sessions += int(convene.sum())
            since[convene] = 0
            y = (1.0 - resolve) * (1.0 - p.concession_domestic_shrink * domestic)
            bsal = 1.0 - (1.0 - sal) * y[:, :, None]
            w = (cap[:, :, None] * bsal).transpose(0, 2, 1)  # (R, K, 6)
            tot = sal.sum(axis=2)
            dv = 1.0 - radius
            # the replicates in session, compressed: every draft works on them only
            idx = np.flatnonzero(convene)
            x = pos[idx]
            c, bs, sl, tot, dv = cap[idx], bsal[idx], sal[idx], tot[idx], dv[idx]
            wt = w[idx]
            best = np.full(len(idx), -1)
            idle = np.zeros(len(idx), int)
            done = np.zeros(len(idx), bool)
            acc = np.zeros((len(idx), 6), bool)
            for _ in range(p.max_iterations):
                on = np.flatnonzero(~done)
                if not len(on):
                    break
                rounds += len(on)
                xo = x[on]
                res = bargaining_round(BargainingState(xo, c[on], bs[on], 1.0), bp)
                text = weighted_median(xo.transpose(0, 2, 1), wt[on])  # (r, K)
                dist = (np.abs(xo - text[:, None, :]) * sl[on]).sum(axis=2) / tot[on]
                accept = (1.0 - dist) >= dv[on]  # (r, 6)
                acc[on] = accept
                n_acc = accept.sum(axis=1)
                better = n_acc > best[on]
                best[on] = np.where(better, n_acc, best[on])
                idle[on] = np.where(better, 0, idle[on] + 1)
                ended = (n_acc == 6) | (idle[on] >= p.chair_patience)
                new = np.where(ended[:, None, None], xo, np.clip(res.positions, 0.0, 1.0))
                moved = (np.abs(new - xo) * sl[on]).sum(axis=2).max(axis=1) / tot[on].max(axis=1)
                ended |= moved < p.concession_tolerance
                x[on] = new
                done[on] = ended
            pos[idx] = x
            # the parties observe each other: acceptance of the last text counts as cooperation
            coop = np.broadcast_to(acc[:, None, :].astype(float), (len(idx), 6, 6))
            ev_a[idx] += np.where(eye, 0.0, coop)
            ev_b[idx] += np.where(eye, 0.0, 1.0 - coop)
        # 5. record the month
        rec_trust[t] = trust[:, ~eye].reshape(R, 30).mean(axis=1)
        rec_gap[t] = np.abs(pos - anchor).mean(axis=(1, 2))
    return {
        "mean_trust": rec_trust,
        "gap": rec_gap,
        "in_session": rec_session,
        "sessions": sessions,
        "rounds": rounds,
    }
