"""The faster paths of a month give the same bits as the plain ones (issue 13).

The ledger keeps its counts until a step changes (``Ledger._memo``), the
timeline rows are built column by column, a scalar trust observation skips
numpy's scalar indexing, and a session's six responses and acceptances are
computed on (n, 6) arrays (``Party.respond_all``, ``Party.accepts_all``): each is
compared here with the plain computation.
"""

from __future__ import annotations

import copy
import random

import numpy as np
import pytest
from sixparty.loader import load_scenario
from sixparty.model import (
    _TIMELINE_FLOATS,
    FACILITY_STATES,
    IMPLEMENTATION_STATUSES,
    STANCES,
    TALKS_STATUSES,
    TalksModel,
    reanchored_text,
)
from sixparty.parties import AID_PROVIDERS, DPRK_I, JAPAN_I, US_I, Party
from sixparty.protocol import Ledger
from sixparty.scenario import ISSUES, PARTIES


class _Phase:
    name = "p"
    dprk_steps = ["disable"]
    progress = 0.3
    aid_tonnes = 1000.0
    delisting = True
    declaration_tranche = 2
    delisting_days = 45
    months = 6
    tranches = 3


def _queries(led: Ledger) -> str:
    """Every memoised answer of ``led``, as text (repr keeps the sign of a zero)."""
    out = [repr(led.active_phase)]
    for ph in (0, 1):
        out.append(repr((led.phase_complete(ph), led.dprk_tranches_done(ph))))
        out.append(repr(led.aid_tranches_done(ph)))
        for party in range(6):
            for kind in (None, "dprk_action", "aid", "delisting", "commitment"):
                s = led.open_step(party, ph, kind)
                out.append(repr(None if s is None else s.step_id))
    for month in range(0, 20):
        out.append(repr([s.step_id for s in led.overdue(month)]))
        out.append(repr([s.step_id for s in led.overdue(month, party=US_I, kind="delisting")]))
    out.append(repr(led.dprk_delivered()))
    out.append(repr(led.aid_totals(AID_PROVIDERS)))
    return "\n".join(out)


def _fresh(led: Ledger) -> str:
    """The answers counted afresh: no memo, no index of each party's steps."""
    led._memo.clear()
    led._by_party.clear()
    return _queries(led)


@pytest.mark.parametrize("seed", range(6))
def test_the_ledger_memo_answers_as_a_fresh_count_after_every_change(seed):
    rnd = random.Random(seed)
    led = Ledger(aid_done_share=0.75)
    led.adopt(
        0, _Phase, 2, AID_PROVIDERS, DPRK_I, US_I, commitments=[(2, JAPAN_I, "normalization")]
    )
    assert _queries(led) == _fresh(led)
    for k in range(300):
        steps = led.steps
        s = rnd.choice(steps)
        what = rnd.random()
        if what < 0.5:
            # a delivery, none, the same value again, or a signed zero
            s.delivered = rnd.choice(
                [s.delivered, s.delivered + 0.0, 0.0, -0.0, s.amount, s.amount * rnd.random()]
            )
        elif what < 0.6:
            s.superseded_month = rnd.choice([None, 5])
        elif what < 0.7:
            s.due_month = rnd.randrange(0, 20)
        elif what < 0.75:
            led.reschedule(s.phase, rnd.randrange(0, 10), 4)
        elif what < 0.8:
            led.declaration_done(s.phase, rnd.randrange(0, 10))
        elif what < 0.83:
            led.supersede(0, rnd.randrange(0, 10))
        elif what < 0.86 and len(led.phases) == 1:
            led.adopt(1, _Phase, 8, AID_PROVIDERS, DPRK_I, US_I)
        elif what < 0.9:
            led.aid_done_share = rnd.choice([0.5, 0.75, 1.0])
        elif what < 0.92:
            # never in a run; the index must follow (aid stays with a provider)
            s.party = rnd.choice(AID_PROVIDERS) if s.kind == "aid" else rnd.randrange(6)
        got = _queries(led)  # from the memo where it holds
        assert got == _fresh(led), f"step {k}"


def test_a_copied_ledger_keeps_its_own_memo():
    led = Ledger()
    led.adopt(0, _Phase, 2, AID_PROVIDERS, DPRK_I, US_I)
    _queries(led)
    twin = copy.deepcopy(led)
    twin.steps[0].delivered = twin.steps[0].amount
    assert twin.dprk_tranches_done(0) == 1 and led.dprk_tranches_done(0) == 0
    assert _queries(twin) == _fresh(twin) and _queries(led) == _fresh(led)


def _timeline_rows_one_by_one(m: TalksModel, rep: int, t0: int, t1: int) -> list[dict]:
    """The rows as main built them before issue 13's column-wise rows (row by row)."""
    keys = m._tl_keys
    codes = m._tl_codes[rep, t0:t1].tolist()
    floats = m._tl_floats[rep, t0:t1].tolist()
    facilities = m._tl_facilities[rep, t0:t1].tolist()
    state = m._tl_state[rep, t0:t1].tolist()
    events = m.records[rep].event_log
    n_fixed = len(_TIMELINE_FLOATS)
    rows = []
    for t, c, f, fac, st in zip(range(t0, t1), codes, floats, facilities, state, strict=True):
        items = m._reanchored.get(t)
        reanchored = (
            reanchored_text((PARTIES[i], ISSUES[k], b[rep], v) for i, k, v, b in items)
            if items
            else ""
        )
        values = (
            m._tl_months[t],
            TALKS_STATUSES[c[0]],
            STANCES[c[1]],
            IMPLEMENTATION_STATUSES[c[2]],
            *f[:n_fixed],
            events[t],
            *f[n_fixed:],
            *[FACILITY_STATES[x] for x in fac],
            *st,
            reanchored,
        )
        rows.append(dict(zip(keys, values, strict=True)))
    return rows


@pytest.mark.parametrize("anchored", [True, False])
def test_timeline_rows_column_by_column_are_the_rows_one_by_one(anchored):
    sc = load_scenario("historical")
    sc.parameters.anchoring = anchored
    m = TalksModel(sc, seeds=[1, 2, 2003, 7])
    for _ in range(70):
        m.step()
    if anchored:
        assert any(m._reanchored_cell(r, t) for r in range(4) for t in m._reanchored)
    n = m._recorded
    for rep in range(m.R):
        for t0, t1 in ((0, n), (0, 0), (5, 6), (13, n), (n, n)):
            want = _timeline_rows_one_by_one(m, rep, t0, t1)
            got = m._timeline_rows(rep, t0, t1)
            assert repr(got) == repr(want), (rep, t0, t1)
            assert [list(r) for r in got] == [list(r) for r in want]


def test_timeline_columns_are_the_rows_columns_built_or_not():
    sc = load_scenario("historical")
    m = TalksModel(sc, seeds=[1, 2003])
    for _ in range(40):
        m.step()
    names = (
        "month",
        "progress",
        "nope",
        "talks_status",
        "reanchored",
        "facility_reprocessing_plant",
    )
    for rep in range(m.R):
        tl = m.records[rep].timeline
        fresh = tl.columns(names)  # nothing built yet
        assert tl._rows == []
        tl[4]  # five rows built
        partial = tl.columns(names)
        rows = list(tl)
        built = tl.columns(names)
        want = {c: [r[c] for r in rows] for c in names if c in rows[0]}
        assert list(want) == [c for c in names if c in tl.keys] and "nope" not in want
        assert tuple(rows[0]) == tl.keys
        for got in (fresh, partial, built):
            assert list(got) == list(want) and repr(got) == repr(want)


@pytest.mark.parametrize("anchored", [True, False])
def test_summary_tables_score_as_the_full_tables(anchored):
    """``iter_batch(..., summary=True)`` (the validation road): the timeline read as
    columns, no draft rows; the same records, rows and scores as the full tables."""
    from sixparty.analysis.scorecard import RunRecords, fed_item_ids, load_record
    from sixparty.analysis.simulate import score_row
    from sixparty.runner import iter_batch

    sc = load_scenario("historical")
    sc.parameters.anchoring = anchored
    record = load_record()
    fed = fed_item_ids(record, sc)
    seeds = [0, 3, 7, 2003]
    full = list(iter_batch(sc, seeds, record_positions=False))
    lean = list(iter_batch(sc, seeds, record_positions=False, summary=True))
    assert any(r.drafts for r in full)
    for f, s in zip(full, lean, strict=True):
        assert s.drafts == [] and not isinstance(s.timeline, list)
        assert repr((f.sessions, f.ledger, f.decisions)) == repr(
            (s.sessions, s.ledger, s.decisions)
        )
        a, b = RunRecords.from_result(f), RunRecords.from_result(s)
        assert s.timeline._rows == []  # scored without building the rows
        for name in ("timeline", "ledger", "decisions"):
            ca, cb = getattr(a, name), getattr(b, name)
            assert ca.n == cb.n and repr(ca.cols) == repr(cb.cols), name
        assert repr((a.held, a.declarations, a.disablements)) == repr(
            (b.held, b.declarations, b.disablements)
        )
        assert repr(score_row(a, record, fed)) == repr(score_row(b, record, fed))
        assert repr(list(s.timeline)) == repr(f.timeline)


def test_a_scalar_observation_is_the_array_observation_bit_for_bit():
    sc = load_scenario("historical")
    a = TalksModel(sc, seeds=[1, 2, 3])
    rng = np.random.default_rng(0)
    for arr in ("_ev_a", "_ev_b", "_prior_a", "_prior_b"):
        setattr(a, arr, rng.random(getattr(a, arr).shape) * 3)
    a._refresh_trust()
    b = copy.deepcopy(a)
    for _ in range(200):
        rep, i, j = int(rng.integers(3)), int(rng.integers(6)), int(rng.integers(6))
        outcome = float(rng.choice([0.0, 1.0, rng.random()]))
        weight = float(rng.random())
        a.observe(rep, i, j, outcome, weight)
        b._observe_one(rep, i, j, outcome, weight)
    for arr in ("_ev_a", "_ev_b", "trust"):
        assert getattr(a, arr).tobytes() == getattr(b, arr).tobytes()


def _session_state(seed: int, threat: bool = False) -> TalksModel:
    """A model part-way through the talks, its state then scrambled so that every
    branch of the response rule is taken (the US's sanctions refusal included);
    ``threat``: a ``deterrent_threat_cost`` per replicate, 0 in some (docs/model.md
    §3.18: the counterparts' outside options then depend on the DPRK's)."""
    sc = load_scenario("historical")
    m = TalksModel(sc, seeds=list(range(seed, seed + 12)))
    if threat:
        m.params.deterrent_threat_cost = np.resize([0.0, 0.3, 1.0], m.R)
    for _ in range(30):
        m.step()
    rng = np.random.default_rng(seed)
    m.pos[:] = rng.random(m.pos.shape)
    m.sal[:] = rng.choice([0.0, 0.2, 0.7, 1.0], size=m.sal.shape)
    m.domestic[:] = rng.random(m.domestic.shape)
    m.outside[:] = rng.uniform(-1.5, 1.5, m.outside.shape)
    m.sanctions[:] = rng.random(m.sanctions.shape)
    m.trust[:] = rng.random(m.trust.shape)
    return m


@pytest.mark.parametrize("threat", [False, True], ids=["no_threat", "threat"])
@pytest.mark.parametrize("seed", [1, 5, 9])
def test_six_responses_at_once_are_each_partys_respond(seed, threat):
    m = _session_state(seed, threat)
    if threat:  # the threat is on: some counterpart's outside option moved
        r0 = np.arange(m.R)
        assert not np.array_equal(m.parties[US_I].outside_option(r0), m.outside[:, US_I])
    rng = np.random.default_rng(seed + 100)
    for r in (np.arange(m.R), np.array([3, 0, 7, 7, 11])):
        # texts near one party's position, some nearer than others
        near = m.pos[r, rng.integers(6, size=r.size)]
        spread = rng.choice([0.0, 0.05, 0.2, 0.6], size=(r.size, 1))
        text = np.clip(near + spread * rng.standard_normal(near.shape), 0.0, 1.0)
        contact = rng.random(r.size) < 0.5
        d = m.distances(text, r)
        shared, _, terms = Party._shared_terms(m.parties, contact, r, d)
        for b, q in enumerate(shared):  # the disagreement values, bit for bit
            assert terms[5][:, b].tobytes() == q.disagreement_value(r).tobytes()
        seen = set()
        for level in ("joint_document", "joint_statement", "chairmans_statement"):
            v, k = Party.respond_all(m.parties, text, level, contact, r, d)
            for q in m.parties:
                qv, qk = q.respond(text, level, contact, r, d[:, q.idx])
                assert np.array_equal(v[:, q.idx], qv) and np.array_equal(k[:, q.idx], qk)
            seen |= set(v.ravel().tolist())
        assert seen == {0, 1, 2}  # accept, amend and reject all seen
        acc = Party.accepts_all(
            m.parties, text, ("joint_document", "joint_statement"), contact, r, d
        )
        for level, got in acc.items():
            want = [q.accepts(text, level, contact, r, d[:, q.idx]) for q in m.parties]
            assert got.tobytes() == np.stack(want, axis=1).tobytes()


def test_a_class_with_its_own_acceptance_rule_is_asked_alone():
    m = _session_state(3)
    japan = m.parties[JAPAN_I]
    japan.__class__ = type("Stubborn", (type(japan),), {"accepts": lambda self, *a, **k: False})
    r = np.arange(m.R)
    text = m.pos[:, JAPAN_I].copy()  # Japan's own position: the base rule would accept
    d = m.distances(text, r)
    v, k = Party.respond_all(m.parties, text, "chairmans_statement", np.ones(m.R, bool), r, d)
    assert (v[:, JAPAN_I] != 0).all()
    acc = Party.accepts_all(m.parties, text, ("chairmans_statement",), np.ones(m.R, bool), r, d)
    assert not acc["chairmans_statement"][:, JAPAN_I].any()


def test_an_instance_with_its_own_rule_is_asked_alone_and_classes_hold_their_issues():
    m = _session_state(4)
    dprk = m.parties[DPRK_I]
    dprk.accepts = lambda *a, **k: np.zeros(m.R, dtype=bool)
    r = np.arange(m.R)
    text = m.pos[:, DPRK_I].copy()
    d = m.distances(text, r)
    v, _ = Party.respond_all(m.parties, text, "chairmans_statement", np.ones(m.R, bool), r, d)
    assert (v[:, DPRK_I] != 0).all()
    # hold_all: the same as every party's hold_in_round stacked
    rng = np.random.default_rng(4)
    before, after = rng.random(m.pos.shape), rng.random(m.pos.shape)
    want = np.stack([q.hold_in_round(before[:, q.idx], after[:, q.idx], r) for q in m.parties], 1)
    got = Party.hold_all(m.parties, before, after, r)
    assert got.tobytes() == want.tobytes()
    assert not np.array_equal(got, after)  # some class kept an issue
