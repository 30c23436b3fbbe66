"""Null models: forecasts without bargaining, scored by the very scorecard the model is.

Each null builds the run tables the scorecard reads (:class:`RunTables`:
timeline, sessions, ledger, decisions), so :func:`score_run` is the one
scoring code path for the model and every null.  None of them makes episode
forecasts (no suspension, test, shutdown...): they are forecasts of the
*talks* (when sessions sit and what they produce), and on the episode items
they score zero, which is what a forecaster without a model of the parties
would say.

* :func:`fixed_schedule` - a session every k months from the record's first
  session (k = the record's mean interval between session starts, rounded;
  as many sessions as the record has), every one the record's commonest
  document type.
* :func:`random_schedule` - as many sessions as the record has, at distinct
  random months between the record's first and last session month, each
  document drawn from the record's document frequencies; a joint document
  adopts the next phase of the menu.  Seeded: draw ``i`` uses
  ``numpy.random.default_rng([seed, i])``.
* :func:`eu_forecast` - Bueno de Mesquita's expected-utility forecast: on
  each issue the capability × salience weighted median of the parties'
  positions; sessions on the fixed schedule, each document decided by how
  many parties find the forecast within their acceptance radius (rule in
  :func:`eu_document`).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
from sixparty.analysis.runfiles import RunTables, month_label, month_number
from sixparty.analysis.scorecard import (
    DECISION_READ,
    LEDGER_READ,
    TIMELINE_READ,
    Columns,
    RunRecords,
)
from sixparty.outputs import DECISION_COLUMNS, LEDGER_COLUMNS
from sixparty.scenario import DOCUMENT_TYPES, ISSUES, PARTIES, Scenario

NULL_MODELS = ("fixed_schedule", "random_schedule", "eu_forecast")

NULL_DESCRIPTIONS = {
    "fixed_schedule": "a session every k months (the record's mean interval), each the commonest document",
    "random_schedule": "sessions at random months, documents at the record's base rates",
    "eu_forecast": "capability x salience weighted median per issue; documents by acceptance",
}


def record_schedule(record: dict) -> dict:
    """What the nulls take from the record: ``first``, ``last`` (month numbers of the first
    and last recorded session starts), ``n`` (sessions), ``interval`` (mean months between
    starts, rounded, at least 1), ``commonest`` (document type; ties: the lower rank) and
    ``rates`` (document type -> share of sessions)."""
    starts = sorted(month_number(str(s["start"])[:7]) for s in record["sessions"])
    docs = [str(s.get("document", "none")) for s in record["sessions"]]
    counts = Counter(docs)
    n = len(starts)
    interval = max(1, round((starts[-1] - starts[0]) / (n - 1))) if n > 1 else 1
    commonest = max(DOCUMENT_TYPES, key=lambda d: (counts.get(d, 0), -DOCUMENT_TYPES.index(d)))
    return {
        "first": starts[0],
        "last": starts[-1],
        "n": n,
        "interval": interval,
        "commonest": commonest,
        "rates": {d: counts.get(d, 0) / n for d in DOCUMENT_TYPES},
    }


def _null_rows(
    window: tuple[str, str], sessions: list[tuple[int, str]], phases: list[str] | None
) -> tuple[list[str], list[str], list[dict]]:
    """(months, talks_status per month, session rows) of :func:`null_tables`."""
    lo, hi = month_number(window[0]), month_number(window[1])
    in_session = {m for m, _ in sessions}
    months = [month_label(m) for m in range(lo, hi + 1)]
    status = ["in_session" if month_number(m) in in_session else "no_talks" for m in months]
    rows, adopted = [], 0
    for i, (m, doc) in enumerate(sorted(sessions)):
        num, pname = None, ""
        if doc == "joint_document":
            adopted += 1
            num = adopted
            pname = phases[adopted - 1] if phases and adopted <= len(phases) else f"phase_{adopted}"
        rows.append(
            {
                "session_id": i + 1,
                "round": i + 1,
                "phase": 1,
                "month": month_label(m),
                "held": True,
                "document": doc,
                "adopted_phase": pname,
                "adopted_phase_number": num,
            }
        )
    return months, status, rows


def null_tables(
    window: tuple[str, str],
    sessions: list[tuple[int, str]],
    phases: list[str] | None = None,
    name: str = "null",
) -> RunTables:
    """Run tables of a schedule: ``sessions`` = (month number, document type) pairs, all
    held, all six attending.  The n-th joint document adopts the n-th phase (named from
    ``phases`` when given; ``adopted_phase_number`` = n).  The timeline says ``in_session``
    in session months, else ``no_talks``; the DPRK participates throughout; no progress,
    no ledger, no decisions."""
    months, status, rows = _null_rows(window, sessions, phases)
    timeline = pd.DataFrame(
        {
            "month": months,
            "talks_status": status,
            "dprk_stance": "participating",
            "implementation": "none",
            "progress": 0.0,
        }
    )
    sess = pd.DataFrame(
        rows,
        columns=[
            "session_id",
            "round",
            "phase",
            "month",
            "held",
            "document",
            "adopted_phase",
            "adopted_phase_number",
        ],
    )
    ledger = pd.DataFrame(columns=LEDGER_COLUMNS)
    dec = pd.DataFrame(columns=DECISION_COLUMNS)
    empty = pd.DataFrame()
    return RunTables(
        timeline=timeline,
        positions=empty,
        trust=empty,
        sessions=sess,
        drafts=empty,
        ledger=ledger,
        decisions=dec,
        events=pd.DataFrame(columns=["id", "date", "month", "type", "title"]),
        scenario_name=name,
        seed=0,
    )


def null_records(
    window: tuple[str, str], sessions: list[tuple[int, str]], phases: list[str] | None = None
) -> RunRecords:
    """The run of :func:`null_tables` as the scorecard reads it (:class:`RunRecords`, no
    pandas): the same scores, items and outcomes, faster to build."""
    months, status, rows = _null_rows(window, sessions, phases)
    n = len(months)
    timeline = {
        "month": months,
        "talks_status": status,
        "dprk_stance": ["participating"] * n,
        "implementation": ["none"] * n,
        "progress": [0.0] * n,
    }
    return RunRecords(
        Columns(n, {c: timeline[c] for c in TIMELINE_READ}),
        rows,
        Columns(0, {c: [] for c in LEDGER_READ if c in LEDGER_COLUMNS}),
        Columns(0, {c: [] for c in DECISION_READ if c in DECISION_COLUMNS}),
    )


def _window(scenario: Scenario) -> tuple[str, str]:
    return scenario.window.start, scenario.window.end


def _inside(months: list[int], scenario: Scenario) -> list[int]:
    lo, hi = month_number(scenario.window.start), month_number(scenario.window.end)
    return [m for m in months if lo <= m <= hi]


def _null_run(
    records: bool,
    window: tuple[str, str],
    sessions: list[tuple[int, str]],
    phases: list[str],
    name: str,
) -> RunTables | RunRecords:
    """:func:`null_records` when ``records``, else :func:`null_tables`."""
    if records:
        return null_records(window, sessions, phases)
    return null_tables(window, sessions, phases, name)


def fixed_schedule(
    scenario: Scenario, record: dict, records: bool = False
) -> RunTables | RunRecords:
    """The fixed-schedule null (module docstring); records: as :class:`RunRecords`
    (:func:`null_records`) instead of :class:`RunTables`."""
    r = record_schedule(record)
    months = _inside([r["first"] + i * r["interval"] for i in range(r["n"])], scenario)
    return _null_run(
        records,
        _window(scenario),
        [(m, r["commonest"]) for m in months],
        [p.name for p in scenario.phases],
        "fixed_schedule",
    )


def random_schedule(
    scenario: Scenario, record: dict, draws: int = 500, seed: int = 0, records: bool = False
) -> list[RunTables] | list[RunRecords]:
    """``draws`` random-schedule nulls (module docstring); draw ``i`` uses
    ``default_rng([seed, i])``, so the first k draws do not depend on ``draws``.
    records: as :class:`RunRecords` instead of :class:`RunTables`."""
    r = record_schedule(record)
    span = np.arange(r["first"], r["last"] + 1)
    docs = list(DOCUMENT_TYPES)
    p = np.array([r["rates"][d] for d in docs])
    out = []
    for i in range(draws):
        rng = np.random.default_rng([int(seed), i])
        months = sorted(
            int(m) for m in rng.choice(span, size=min(r["n"], len(span)), replace=False)
        )
        kinds = [docs[k] for k in rng.choice(len(docs), size=len(months), p=p)]
        months = _inside(months, scenario)
        out.append(
            _null_run(
                records,
                _window(scenario),
                list(zip(months, kinds[: len(months)], strict=True)),
                [ph.name for ph in scenario.phases],
                "random_schedule",
            )
        )
    return out


def weighted_median(positions: np.ndarray, weights: np.ndarray) -> float:
    """The weighted median of ``positions`` (shape (n,)) with ``weights`` (n,), >= 0: the
    smallest position at which the cumulative weight reaches half the total (Black's median
    voter position weighted by capability x salience, Bueno de Mesquita 1994).  Equal
    weights zero: the plain median."""
    order = np.argsort(positions, kind="stable")
    x, w = positions[order], weights[order]
    if w.sum() <= 0:
        return float(np.median(positions))
    c = np.cumsum(w)
    return float(x[np.searchsorted(c, 0.5 * c[-1] - 1e-12)])


def positions_at(scenario: Scenario, month: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(positions (6, n_issues), saliences (6, n_issues), capabilities (6,)) the parties hold in ``month``
    (``YYYY-MM``): the initial positions, overwritten by stated positions dated up to
    ``month`` in date order when the scenario anchors (``parameters.anchoring``), else by
    each party's earliest statement only - the model's own reading of the scenario."""
    pos = np.zeros((len(PARTIES), len(ISSUES)))
    sal = np.zeros_like(pos)
    cap = np.zeros(len(PARTIES))
    for i, party in enumerate(PARTIES):
        cfg = getattr(scenario.parties, party)
        cap[i] = cfg.capability.value
        for k, issue in enumerate(ISSUES):
            pos[i, k] = cfg.initial[issue].position
            sal[i, k] = cfg.initial[issue].salience
        stated = sorted(cfg.stated_positions, key=lambda s: s.date)
        if not scenario.parameters.anchoring:
            stated = [s for s in stated if s.date == stated[0].date] if stated else []
        for st in stated:
            if st.date <= month:
                for issue, v in st.positions.items():
                    pos[i, ISSUES.index(issue)] = v
    return pos, sal, cap


def eu_document(
    pos: np.ndarray, sal: np.ndarray, cap: np.ndarray, radius: float
) -> tuple[str, np.ndarray]:
    """(document type, forecast (n_issues,)) of the expected-utility null for one session.

    forecast_k = weighted median of the positions on issue k with weights capability_i ×
    salience_ik.  Party i's distance d_i = Σ_k s_ik |x_ik − f_k| / Σ_k s_ik (the model's
    salience-weighted distance).  With a = the number of parties with d_i ≤ radius (the
    scenario's ``acceptance_radius``): a = 6 and every d_i ≤ radius/2 -> joint document;
    a = 6 -> joint statement; a ≥ 4 -> chairman's statement; a ≥ 2 -> oral summary; else
    no document.
    """
    f = np.array([weighted_median(pos[:, k], cap * sal[:, k]) for k in range(pos.shape[1])])
    d = (sal * np.abs(pos - f)).sum(axis=1) / np.maximum(sal.sum(axis=1), 1e-12)
    a = int((d <= radius + 1e-12).sum())
    if a == len(d) and (d <= radius / 2 + 1e-12).all():
        return "joint_document", f
    if a == len(d):
        return "joint_statement", f
    if a >= 4:
        return "chairmans_statement", f
    if a >= 2:
        return "oral_summary", f
    return "none", f


def eu_forecast(scenario: Scenario, record: dict, records: bool = False) -> RunTables | RunRecords:
    """The expected-utility null (module docstring): the fixed schedule's months, each
    session's document from :func:`eu_document` on :func:`positions_at` that month.
    records: as :class:`RunRecords` instead of :class:`RunTables`."""
    r = record_schedule(record)
    months = _inside([r["first"] + i * r["interval"] for i in range(r["n"])], scenario)
    radius = scenario.parameters.acceptance_radius
    sessions = []
    for m in months:
        pos, sal, cap = positions_at(scenario, month_label(m))
        sessions.append((m, eu_document(pos, sal, cap, radius)[0]))
    return _null_run(
        records, _window(scenario), sessions, [p.name for p in scenario.phases], "eu_forecast"
    )


def null_runs(
    scenario: Scenario, record: dict, draws: int = 500, seed: int = 0, records: bool = False
) -> dict[str, list[RunTables]] | dict[str, list[RunRecords]]:
    """Every null model's runs: ``{name: [RunTables, ...]}`` (one run for the deterministic
    nulls, ``draws`` for the random schedule); records: each run as the scorecard's
    :class:`RunRecords` (the same scores; what :func:`sixparty.analysis.validation.null_scores`
    uses)."""
    return {
        "fixed_schedule": [fixed_schedule(scenario, record, records)],
        "random_schedule": random_schedule(scenario, record, draws, seed, records),
        "eu_forecast": [eu_forecast(scenario, record, records)],
    }
