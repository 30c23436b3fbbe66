"""Free-running positions against the stated positions the free runs never read.

In free mode (``parameters.anchoring: false``) a party is set to a stated position
only the first time the scenario states its position on an issue
(:class:`sixparty.model.TalksModel`); every later statement (the DPRK's 0.4 on
denuclearization at 9·19, the US's turn on sanctions in 2007, ...) is data the run
never sees.  Those later statements are a second, out-of-sample test of the model,
of positions rather than of events (pattern-oriented validation, Grimm et al. 2005):
where does the free run's party stand in the month the article says where it stood?

Two nulls use no more than the run does, or more:

* ``carried``: the party's first statement on the issue, the value the free run is
  set to there (a later statement always has a first one before it): "nothing moves";
* ``last_stated``: the party's previous statement on the issue, a persistence
  forecast that knows every earlier statement (information free mode does not have).

Errors are absolute differences on the issue's 0-1 scale; the model's value is the
median over runs of the party's position in the statement's month.
"""

from __future__ import annotations

import numpy as np
from sixparty.scenario import ISSUES, PARTIES, Scenario

#: Bootstrap resamples and confidence level of the model's mean error (over runs).
BOOTSTRAP = {"n_resamples": 999, "confidence_level": 0.9}


def later_statements(scenario: Scenario) -> list[dict]:
    """The statements free mode does not apply, in date order.

    One row per (statement, issue) after the party's first statement on that issue:
    ``month`` (``YYYY-MM``), ``party``, ``issue``, ``stated`` (0-1), ``carried`` (the
    party's first statement on the issue, the value free mode sets there) and ``last_stated`` (the previous statement on the
    issue).  Statements outside the window are left out.
    """
    start, end = str(scenario.window.start), str(scenario.window.end)
    rows = []
    for party in PARTIES:
        cfg = getattr(scenario.parties, party)
        first: dict[str, float] = {}
        last: dict[str, float] = {}
        for st in sorted(cfg.stated_positions, key=lambda s: s.date):
            month = str(st.date)[:7]
            for issue, v in st.positions.items():
                value = float(v)
                if issue in first and start <= month <= end:
                    rows.append(
                        {
                            "month": month,
                            "party": party,
                            "issue": issue,
                            "stated": value,
                            "carried": first[issue],
                            "last_stated": last[issue],
                        }
                    )
                first.setdefault(issue, value)
                last[issue] = value
    rows.sort(key=lambda r: (r["month"], PARTIES.index(r["party"]), ISSUES.index(r["issue"])))
    return rows


def position_errors(
    scenario: Scenario, months: list[str], positions: np.ndarray, seed: int = 0
) -> dict:
    """Mean absolute error of free runs' positions against the later statements.

    months: the runs' months (``YYYY-MM``, one per row of ``positions``);
    positions: (runs, months, 6, n_issues) positions on the 0-1 scales.
    Returns ``{"rows": later_statements rows each with "model" (the median over
    runs), "n": rows scored, "model": mean |median - stated|, "model_ci": [lo, hi]
    (percentile bootstrap over runs, :data:`BOOTSTRAP`; NaN with one run), "carried":
    the null's mean error, "last_stated": the persistence null's}``.  When no later
    statement falls in ``months`` (``n`` 0) the three errors are NaN, not 0: nothing
    was scored.

    scenario: the free-mode scenario the runs ran (``parameters.anchoring`` false,
    :func:`sixparty.analysis.validation.set_mode`): anchored runs are set to every
    statement, so they would score near 0 without forecasting anything.

    Raises:
        ValueError: ``positions`` is not (runs, len(months), 6, n_issues) or has no runs, or
            ``scenario`` is in anchored mode.
    """
    from scipy import stats

    if scenario.parameters.anchoring:
        raise ValueError(
            "the positions check scores free runs: the scenario is in anchored mode, whose "
            "runs are set to every statement (use set_mode(scenario, 'free') and run that)"
        )
    positions = np.asarray(positions, dtype=float)
    if (
        positions.ndim != 4
        or positions.shape[1:] != (len(months), 6, len(ISSUES))
        or not len(positions)
    ):
        raise ValueError(
            f"positions must be (runs, {len(months)}, 6, {len(ISSUES)}) with at least one run, "
            f"not {positions.shape}"
        )
    at = {m: t for t, m in enumerate(months)}
    rows = [r for r in later_statements(scenario) if r["month"] in at]
    idx = (
        np.array([at[r["month"]] for r in rows], dtype=int),
        np.array([PARTIES.index(r["party"]) for r in rows], dtype=int),
        np.array([ISSUES.index(r["issue"]) for r in rows], dtype=int),
    )
    stated = np.array([r["stated"] for r in rows])
    x = positions[:, idx[0], idx[1], idx[2]]  # (runs, rows)
    med = np.median(x, axis=0)
    for r, v in zip(rows, med, strict=True):
        r["model"] = float(v)

    def mae(runs):
        return float(np.mean(np.abs(np.median(x[runs], axis=0) - stated)))

    if len(x) > 1 and rows:
        ci = stats.bootstrap(
            (np.arange(len(x)),),
            mae,
            vectorized=False,
            method="percentile",
            random_state=np.random.default_rng(seed),
            **BOOTSTRAP,
        ).confidence_interval
        model_ci = [float(ci.low), float(ci.high)]
    else:
        model_ci = [float("nan"), float("nan")]
    err = lambda key: (  # noqa: E731
        float(np.mean([abs(r[key] - r["stated"]) for r in rows])) if rows else float("nan")
    )
    return {
        "rows": rows,
        "n": len(rows),
        "model": err("model"),
        "model_ci": model_ci,
        "carried": err("carried"),
        "last_stated": err("last_stated"),
    }
