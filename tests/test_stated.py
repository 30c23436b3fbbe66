"""Free runs against the later stated positions (sixparty.analysis.stated)."""

from __future__ import annotations

import numpy as np
import pytest
from sixparty.analysis.stated import later_statements, position_errors
from sixparty.analysis.validation import set_mode
from sixparty.loader import find_scenario, load_scenario
from sixparty.scenario import ISSUES, PARTIES


@pytest.fixture(scope="module")
def historical():
    return set_mode(load_scenario(find_scenario("historical")), "free")


def _months(sc):
    y0, m0 = map(int, sc.window.start.split("-"))
    y1, m1 = map(int, sc.window.end.split("-"))
    return [
        f"{y}-{m:02d}"
        for y in range(y0, y1 + 1)
        for m in range(1, 13)
        if (y0, m0) <= (y, m) <= (y1, m1)
    ]


def test_only_statements_free_mode_does_not_apply_are_scored(historical):
    rows = later_statements(historical)
    seen = {}
    for party in PARTIES:
        for st in sorted(getattr(historical.parties, party).stated_positions, key=lambda s: s.date):
            for issue in st.positions:
                seen.setdefault((party, issue), str(st.date)[:7])
    assert rows
    for r in rows:  # never a party's first statement on an issue: free mode applies that one
        assert r["month"] >= seen[(r["party"], r["issue"])]
    firsts = {k for k in seen}
    assert len({(r["party"], r["issue"]) for r in rows}) <= len(firsts)
    dprk = [r for r in rows if r["party"] == "DPRK" and r["issue"] == "denuclearization"]
    assert dprk and dprk[0]["carried"] == dprk[0]["last_stated"]  # the first later one


def test_runs_standing_on_every_statement_score_zero_and_the_nulls_do_not(historical):
    months = _months(historical)
    rows = later_statements(historical)
    pos = np.full((3, len(months), 6, len(ISSUES)), 0.5)
    at = {m: t for t, m in enumerate(months)}
    # later statements of one party on one issue in one month: the last one stands
    for r in rows:
        pos[:, at[r["month"]], PARTIES.index(r["party"]), ISSUES.index(r["issue"])] = r["stated"]
    pe = position_errors(historical, months, pos)
    exact = {}
    for r in rows:
        exact[(r["month"], r["party"], r["issue"])] = r["stated"]
    want = np.mean([abs(exact[(r["month"], r["party"], r["issue"])] - r["stated"]) for r in rows])
    assert pe["model"] == pytest.approx(want)
    assert pe["n"] == len(rows) and pe["carried"] > 0.05 and pe["last_stated"] > 0.05
    lo, hi = pe["model_ci"]
    assert lo <= pe["model"] + 1e-12 and hi >= pe["model"] - 1e-12


def test_a_run_that_never_moves_scores_like_the_carried_null(historical):
    months = _months(historical)
    rows = later_statements(historical)
    pos = np.zeros((2, len(months), 6, len(ISSUES)))
    at = {m: t for t, m in enumerate(months)}
    for r in rows:
        pos[:, at[r["month"]], PARTIES.index(r["party"]), ISSUES.index(r["issue"])] = r["carried"]
    pe = position_errors(historical, months, pos)
    assert pe["model"] == pytest.approx(pe["carried"])


def test_positions_of_the_wrong_shape_are_refused(historical):
    with pytest.raises(ValueError, match=f"runs, 120, 6, {len(ISSUES)}"):
        position_errors(historical, _months(historical), np.zeros((2, 10, 6, len(ISSUES))))


def test_months_without_a_later_statement_score_nan_not_zero(historical):
    pe = position_errors(historical, ["2003-01", "2003-02"], np.zeros((3, 2, 6, len(ISSUES))))
    assert pe["n"] == 0 and pe["rows"] == []
    assert all(np.isnan(pe[k]) for k in ("model", "carried", "last_stated"))
    assert all(np.isnan(v) for v in pe["model_ci"])


def test_an_anchored_scenario_is_refused(historical):
    """Anchored runs are set to every statement: they would score near 0."""
    anchored = set_mode(historical, "anchored")
    months = _months(anchored)
    with pytest.raises(ValueError, match="anchored mode"):
        position_errors(anchored, months, np.zeros((2, len(months), 6, len(ISSUES))))
