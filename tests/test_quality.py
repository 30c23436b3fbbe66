"""Agreement quality: Nash product and distance from the Pareto frontier of the drafts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sixparty.analysis.quality import (
    dominates,
    frontier,
    nash_product,
    pareto_distance,
    quality_writer,
    rewrite_sessions_csv,
    session_quality,
)
from sixparty.scenario import PARTIES


def test_nash_product_is_the_product_of_gains_over_the_disagreement_point():
    assert nash_product([0.5] * 6) == pytest.approx(0.5**6)
    assert nash_product([0.9, 0.8, 0.5, 1.0, 1.0, 1.0]) == pytest.approx(0.36)
    assert nash_product([0.9, 0.8], disagreement=[0.4, 0.3]) == pytest.approx(0.25)
    # a party below its disagreement point contributes 0, not a negative factor
    assert nash_product([0.9, 0.2], disagreement=0.3) == 0.0
    assert math.isnan(nash_product([0.5, float("nan")]))


def test_dominance_and_frontier():
    a, b, c = np.array([0.6, 0.6]), np.array([0.5, 0.6]), np.array([0.7, 0.4])
    assert dominates(a, b) and not dominates(b, a)
    assert not dominates(a, a)  # equal is not domination
    assert not dominates(a, c) and not dominates(c, a)
    assert frontier(np.array([a, b, c])).tolist() == [True, False, True]


def test_dominated_text_has_positive_distance():
    text = [0.5, 0.5, 0.5]
    drafts = np.array(
        [
            [0.6, 0.55, 0.5],  # dominates: largest gain 0.1
            [0.8, 0.9, 0.7],  # dominates, on the frontier: largest gain 0.4
            [0.2, 0.9, 0.9],
        ]
    )  # does not dominate the text
    # [0.6, 0.55, 0.5] is itself dominated by [0.8, 0.9, 0.7]: only frontier drafts count
    assert pareto_distance(text, drafts) == pytest.approx(0.4)


def test_distance_takes_the_nearest_dominating_frontier_draft():
    text = [0.5, 0.5]
    drafts = np.array([[0.9, 0.55], [0.55, 0.9], [0.6, 0.6]])
    assert pareto_distance(text, drafts) == pytest.approx(0.1)


def test_text_on_the_frontier_has_distance_zero():
    text = [0.7, 0.7, 0.7]
    drafts = np.array([[0.9, 0.6, 0.7], [0.5, 0.5, 0.5]])
    assert pareto_distance(text, drafts) == 0.0
    assert pareto_distance(text, np.array([[0.7, 0.7, 0.7]])) == 0.0  # equal draft
    assert pareto_distance(text, np.empty((0, 3))) == 0.0


def _sessions(rows):
    cols = ["session_id", "held"] + [f"utility_{p}" for p in PARTIES]
    return pd.DataFrame([[sid, held] + list(u) for sid, held, u in rows], columns=cols)


def _drafts(rows):
    cols = ["session_id", "iteration"] + [f"utility_{p}" for p in PARTIES]
    return pd.DataFrame([[sid, it] + list(u) for sid, it, u in rows], columns=cols)


def test_session_quality_per_session_and_nan_for_boycotts():
    s = _sessions([(0, True, [0.5] * 6), (1, False, [float("nan")] * 6), (2, True, [0.8] * 6)])
    d = _drafts([(0, 1, [0.6] * 6), (0, 2, [0.4] * 6), (2, 1, [0.7] * 6)])
    q = session_quality(s, d)
    assert q.loc[0, "nash_product"] == pytest.approx(0.5**6)
    assert q.loc[0, "pareto_distance"] == pytest.approx(0.1)
    assert math.isnan(q.loc[1, "nash_product"]) and math.isnan(q.loc[1, "pareto_distance"])
    assert q.loc[2, "pareto_distance"] == 0.0


def test_rewrite_keeps_every_other_cell_byte_for_byte(tmp_path):
    header = "session_id,held,notes," + ",".join(f"utility_{p}" for p in PARTIES)
    lines = [
        header,
        '0,true,"holdouts: DPRK, US",' + ",".join(["0.500000"] * 6),
        "1,false,," + ",".join([""] * 6),
    ]
    p = tmp_path / "sessions.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rewrite_sessions_csv(p, _drafts([(0, 1, [0.6] * 6)]))
    out = p.read_text(encoding="utf-8").splitlines()
    assert out[0] == header + ",nash_product,pareto_distance"
    assert out[1] == lines[1] + ",0.015625,0.100000"
    assert out[2] == lines[2] + ",,"
    rewrite_sessions_csv(p, _drafts([(0, 1, [0.6] * 6)]))  # idempotent
    assert p.read_text(encoding="utf-8").splitlines() == out


def test_quality_writer_adds_the_columns_in_the_staging_folder(tmp_path):
    header = "session_id,held," + ",".join(f"utility_{p}" for p in PARTIES)
    (tmp_path / "sessions.csv").write_text(header + "\n0,true," + ",".join(["0.9"] * 6) + "\n")
    dh = "session_id,iteration," + ",".join(f"utility_{p}" for p in PARTIES)
    (tmp_path / "drafts.csv").write_text(dh + "\n0,1," + ",".join(["0.8"] * 6) + "\n")
    assert quality_writer()(None, tmp_path) == []
    row = (tmp_path / "sessions.csv").read_text().splitlines()[1].split(",")
    assert float(row[-2]) == pytest.approx(0.9**6) and float(row[-1]) == 0.0
