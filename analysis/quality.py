"""Agreement quality of each held session: Nash product and Pareto distance.

Both read only run tables (``sessions.csv``: ``utility_<PARTY>`` of the final
text; ``drafts.csv``: each draft's ``utility_<PARTY>``), never the model.
Utilities are the model's spatial utilities in [0, 1] (1 = the text is the
party's position; ``sim.parties.Party.utility``).

nash_product
    Nash (1950), "The bargaining problem", Econometrica 18(2): the solution
    maximises the product of the parties' gains over the disagreement point,
    ``prod_i (u_i - d_i)``.  We use ``d_i = 0`` for every party: 0 is the
    utility of the worst conceivable text (as far from the party's position
    as the scale allows on every issue), the files record no utility of "no
    agreement", and a disagreement point taken from the session's own drafts
    (e.g. each party's worst draft) would make the number depend on how many
    drafts the chair happened to table (a one-draft session would always
    score 0) and so not be comparable across sessions and runs.  In [0, 1];
    higher = a text that leaves every party closer to what it wants, with a
    penalty for leaving any one party far behind (a product, not a sum).

pareto_distance
    The drafts the chair considered in the session and the final text form
    a set of points in utility space (6 dimensions).  A point is dominated
    if another gives every party at least as much and one party more.  The
    distance is 0 when the text is not dominated (it lies on the frontier);
    otherwise it is the smallest, over the non-dominated drafts that
    dominate it, of the largest gain that draft gives a party over the text
    (``min_f max_i (f_i - t_i)``, Chebyshev distance in utility units): how
    much some party was left "on the table" that nobody needed to give up.
    In [0, 1].

Caveat: each draft's utilities are measured with the parties' positions of
its iteration and the text's with the positions at the end of the session
(``docs/outputs.md``), so concessions made during the session raise the
text's utilities relative to early drafts.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sixparty.scenario import PARTIES

if TYPE_CHECKING:
    import pandas as pd

QUALITY_COLUMNS = ("nash_product", "pareto_distance")
_EPS = 1e-12


def nash_product(utilities: Sequence[float], disagreement: Sequence[float] | float = 0.0) -> float:
    """Nash (1950) product ``prod_i max(0, u_i - d_i)``.

    utilities: each party's utility (n,), in [0, 1].  disagreement: the
    disagreement point, a scalar or (n,) (default 0, see the module doc).
    Returns NaN if any utility is NaN.
    """
    u = np.asarray(utilities, dtype=float)
    d = np.broadcast_to(np.asarray(disagreement, dtype=float), u.shape)
    if u.size == 0 or np.isnan(u).any():
        return float("nan")
    return float(np.prod(np.clip(u - d, 0.0, None)))


def dominates(a: np.ndarray, b: np.ndarray) -> bool:
    """``a`` gives every party at least as much as ``b`` and one party more."""
    return bool(np.all(a >= b - _EPS) and np.any(a > b + _EPS))


def frontier(points: np.ndarray) -> np.ndarray:
    """Boolean mask (k,) of the non-dominated rows of ``points`` (k, n)."""
    pts = np.asarray(points, dtype=float)
    keep = np.ones(len(pts), dtype=bool)
    for i in range(len(pts)):
        for j in range(len(pts)):
            if i != j and dominates(pts[j], pts[i]):
                keep[i] = False
                break
    return keep


def pareto_distance(text: Sequence[float], drafts: np.ndarray) -> float:
    """Distance of the text's utilities (n,) from the Pareto frontier of ``drafts`` (k, n).

    0 when no draft dominates the text; else ``min over non-dominated drafts f
    dominating the text of max_i (f_i - t_i)``.  NaN if the text has a NaN.
    """
    t = np.asarray(text, dtype=float)
    if np.isnan(t).any():
        return float("nan")
    pts = np.asarray(drafts, dtype=float).reshape(-1, t.size)
    pts = pts[~np.isnan(pts).any(axis=1)]
    if len(pts) == 0:
        return 0.0
    allpts = np.vstack([pts, t[None, :]])
    mask = frontier(allpts)
    if mask[-1]:
        return 0.0
    best = math.inf
    for f in allpts[:-1][mask[:-1]]:
        if dominates(f, t):
            best = min(best, float(np.max(f - t)))
    return best if math.isfinite(best) else 0.0


def _quality_values(sessions, drafts) -> dict[str, list[float]]:
    """``nash_product`` and ``pareto_distance`` of each row of ``sessions`` (NaN for a
    session not held), as lists; ``sessions`` and ``drafts``: DataFrames or
    :class:`sixparty.analysis.lite.Frame` tables (the same floats from either)."""
    ucols = [f"utility_{p}" for p in PARTIES]
    out: dict[str, list[float]] = {c: [math.nan] * len(sessions) for c in QUALITY_COLUMNS}
    by_session = {}
    if not drafts.empty and "session_id" in drafts.columns:
        for sid, grp in drafts.groupby("session_id"):
            by_session[int(sid)] = grp.sort_values("iteration")[ucols].to_numpy(dtype=float)
    for k, (_idx, row) in enumerate(sessions.iterrows()):
        if not bool(row.get("held", False)):
            continue
        u = np.array([float(row[c]) for c in ucols], dtype=float)
        out["nash_product"][k] = nash_product(u)
        d = by_session.get(int(row["session_id"]), np.empty((0, len(ucols))))
        out["pareto_distance"][k] = pareto_distance(u, d)
    return out


def session_quality(sessions: pd.DataFrame, drafts: pd.DataFrame) -> pd.DataFrame:
    """``nash_product`` and ``pareto_distance`` per session (index of ``sessions``).

    Sessions not held (boycotts) get NaN in both.
    """
    import pandas as pd

    values = _quality_values(sessions, drafts)
    return pd.DataFrame(values, index=sessions.index, columns=list(QUALITY_COLUMNS), dtype=float)


def add_quality(tables) -> None:
    """Add the quality columns to ``tables.sessions`` (a RunTables) if absent."""
    s = tables.sessions
    if s.empty or all(c in s.columns for c in QUALITY_COLUMNS):
        return
    q = _quality_values(s, tables.drafts)
    for c in QUALITY_COLUMNS:
        s[c] = q[c]


def _fmt(v: float) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.6f}"


def rewrite_sessions_csv(path: Path, drafts) -> None:
    """Append ``nash_product`` and ``pareto_distance`` to the sessions CSV at ``path``.

    The other cells are copied as text (byte for byte); columns already
    present are recomputed in place.  Writes a temporary file, then replaces.
    ``drafts``: a DataFrame, or a :class:`sixparty.analysis.lite.Frame` (then the
    sessions are read without pandas too).
    """
    from sixparty.analysis.lite import Frame
    from sixparty.analysis.runfiles import _parse, _parse_lite

    text = path.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return
    header = rows[0]
    sessions = (_parse_lite if isinstance(drafts, Frame) else _parse)("sessions", text)
    q = _quality_values(sessions, drafts) if not sessions.empty else {}
    keep = [i for i, c in enumerate(header) if c not in QUALITY_COLUMNS]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([header[i] for i in keep] + list(QUALITY_COLUMNS))
    for k, r in enumerate(rows[1:]):
        extra = [_fmt(float(q[c][k])) for c in QUALITY_COLUMNS]
        w.writerow([r[i] for i in keep] + extra)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(buf.getvalue(), encoding="utf-8", newline="")
    tmp.replace(path)


def quality_writer():
    """A run-folder writer: adds the quality columns to ``sessions.csv`` in the staging folder.

    ``writer(result, stage_dir) -> []`` (it rewrites a file already listed,
    so it returns no new name).  Reads ``drafts.csv`` from the staging folder
    (without pandas: :mod:`sixparty.analysis.lite`).
    """

    def write(result, stage_dir: Path) -> list[str]:
        from sixparty.analysis.lite import Frame
        from sixparty.analysis.runfiles import _parse_lite

        stage = Path(stage_dir)
        sp = stage / "sessions.csv"
        if not sp.is_file():
            return []
        dp = stage / "drafts.csv"
        dtext = dp.read_text(encoding="utf-8") if dp.is_file() else ""
        drafts = _parse_lite("drafts", dtext) if dtext.strip() else Frame()
        rewrite_sessions_csv(sp, drafts)
        return []

    return write
