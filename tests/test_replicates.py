"""One model, R replicates in lockstep (issue 13): a replicate's run depends
only on its seed, never on the batch it ran in, its place in the batch or
the other replicates; decisions are taken per replicate (a session held in
some replicates and not in others, a walk-out in some)."""

from __future__ import annotations

import numpy as np
import pytest
from sixparty import load_scenario, runner
from sixparty.model import TalksModel
from sixparty.parties import WALKED_OUT
from sixparty.runner import iter_batch, simulate, simulate_batch


@pytest.fixture(scope="module")
def historical():
    return load_scenario("historical")


def _tables(res) -> dict:
    return {
        "timeline": res.timeline,
        "sessions": res.sessions,
        "ledger": res.ledger,
        "decisions": res.decisions,
        "drafts": res.drafts,
        "seed": res.seed,
    }


def _same(a, b) -> None:
    # repr: floats exactly (shortest round-trip), NaN equal to NaN
    assert repr(_tables(a)) == repr(_tables(b))
    for name in ("positions", "salience", "trust"):
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None) == (y is None)
        if x is not None:
            assert x.tobytes() == y.tobytes()  # bit for bit


SEEDS = [3, 11, 0, 7, 42]


@pytest.fixture(scope="module")
def singles(historical):
    return {s: simulate(historical, seed=s) for s in SEEDS}


def test_each_replicate_of_a_batch_is_its_single_run(historical, singles):
    for seed, res in zip(SEEDS, simulate_batch(historical, SEEDS), strict=True):
        _same(res, singles[seed])


def test_the_batch_its_order_and_its_size_do_not_matter(historical, singles):
    rev = list(reversed(SEEDS))
    for seed, res in zip(rev, iter_batch(historical, rev), strict=True):
        _same(res, singles[seed])
    pair = simulate_batch(historical, [SEEDS[1], SEEDS[1]])  # the same seed twice
    _same(pair[0], singles[SEEDS[1]])
    _same(pair[1], singles[SEEDS[1]])


def test_decisions_are_taken_per_replicate(historical):
    """In one batch some replicates walk out and some never do, and in some
    month a session is held in some replicates and not in others: the
    decisions are masks over the replicate axis, not one choice for all."""
    # seeds 0-13: seed 13 never walks out on the two denuclearization scales (0-11 all do)
    m = TalksModel(historical, seeds=list(range(14)), record_positions=False)
    walked = np.zeros(m.R, dtype=bool)
    split_month = False
    while m.running:
        m.step()
        walked |= m.stance == WALKED_OUT
        held = np.array(
            [
                bool(rec.sessions)
                and rec.sessions[-1].month == m.month - 1
                and rec.sessions[-1].held
                for rec in m.records
            ]
        )
        split_month |= bool(held.any() and not held.all())
    assert walked.any() and not walked.all()
    assert split_month


@pytest.mark.parametrize(
    "parameters",
    [
        {"expected_utility_sessions": False},
        {"zeuthen_dprk_us": True},
        {"anchoring": False},
        {"chair_drafts_in_zopa": True, "anchoring": False},
        {
            "deterrent_threat_cost": 1.0,
            "offers_within_win_set": True,
            "ripeness_rate": 0.05,
            "anchoring": False,
        },
    ],
    ids=["fixed_share", "zeuthen", "free", "zopa", "threat"],
)
def test_every_session_protocol_is_batch_invariant(parameters, tmp_path):
    path = tmp_path / "variant.yaml"
    lines = ["extends: historical", "title: variant", "parameters:"]
    lines += [f"  {k}: {str(v).lower()}" for k, v in parameters.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sc = load_scenario(str(path))
    seeds = [5, 1, 9]
    for seed, res in zip(seeds, simulate_batch(sc, seeds, record_positions=False), strict=True):
        _same(res, simulate(sc, seed=seed, record_positions=False))


def test_a_seat_needs_a_single_run(historical):
    m = TalksModel(historical, seeds=[1, 2])
    with pytest.raises(ValueError, match="2 replicates"):
        m.take_seat("Japan")
    with pytest.raises(ValueError, match="records"):
        _ = m.sessions
    with pytest.raises(ValueError, match="at least one"):
        TalksModel(historical, seeds=[])


def test_ensemble_files_do_not_depend_on_the_model_batch(historical, tmp_path, monkeypatch):
    from sixparty.analysis import ensemble

    a = ensemble.run_ensemble(historical, runs=7, base_seed=4, jobs=1, progress=False)
    monkeypatch.setattr(ensemble, "MODEL_BATCH", 2)
    b = ensemble.run_ensemble(historical, runs=7, base_seed=4, jobs=1, progress=False)
    ensemble.write_ensemble(a, tmp_path / "a")
    ensemble.write_ensemble(b, tmp_path / "b")
    names = sorted(p.name for p in (tmp_path / "a").iterdir() if p.suffix in (".csv", ".parquet"))
    assert names
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_scored_runs_are_the_same_batched_or_one_by_one(historical):
    """The validation harness (evaluate, calibrate, sensitivity) batches the
    seeds of one parameter set into one model: its rows equal those of the
    runs one by one."""
    from sixparty.analysis.scorecard import load_record
    from sixparty.analysis.simulate import WorkItem, score_item, score_items

    record = load_record()
    items = [
        WorkItem(2),
        WorkItem(5),
        WorkItem(2, params=(("chair_patience", 3),)),
        WorkItem(8, params=(("chair_patience", 3),)),
        WorkItem(8, shifts=(("DPRK.resolve", 0.1),)),
    ]
    shared = (historical, record)
    assert repr(score_items(shared, items)) == repr([score_item(shared, it) for it in items])


def test_bad_scenarios_and_seeds_are_refused_clearly(historical):
    with pytest.raises(TypeError, match="load_scenario"):
        simulate("historical")
    with pytest.raises(TypeError, match="load_scenario"):
        simulate_batch("historical", [1])
    for bad in (1.5, "3", True, None):
        with pytest.raises(TypeError, match="whole number"):
            simulate_batch(historical, [bad])
    with pytest.raises(TypeError, match="sequence"):
        simulate_batch(historical, "12")
    for bad in (-1, 2**63):
        with pytest.raises(ValueError, match=r"0\.\.2\*\*63-1"):
            simulate(historical, seed=bad)
    with pytest.raises(ValueError, match="at least one"):
        simulate_batch(historical, [])
    assert simulate(historical, seed=np.int64(3)).seed == 3


def test_a_long_list_of_seeds_runs_in_bounded_batches(historical, singles):
    """iter_batch runs the seeds in models of at most batch_size replicates
    (memory bounded), with the same runs."""
    seeds = SEEDS[:3]
    got = list(iter_batch(historical, seeds, batch_size=2))
    for seed, res in zip(seeds, got, strict=True):
        _same(res, singles[seed])
    with pytest.raises(ValueError, match="batch_size"):
        list(iter_batch(historical, seeds, batch_size=0))


# ------------------------------------------ parameters and judgements per replicate
def _point(historical, params=(), shifts=()):
    from sixparty.analysis.simulate import WorkItem, apply_work

    return apply_work(historical, WorkItem(0, tuple(params), tuple(shifts)))


#: Parameter points unlike each other and the defaults: rates and thresholds,
#: whole numbers the chair counts (chair_patience, min_months_between_sessions,
#: return_months, stall_iterations), and judgement shifts of every kind.
POINTS = [
    {},
    {"params": [("noise", 0.15), ("trust_memory", 0.8), ("chair_patience", 2)]},
    {"params": [("min_months_between_sessions", 1), ("chair_max_wait", 3)]},
    {
        "params": [
            ("test_threshold", 0.3),
            ("return_months", 1),
            ("stall_iterations", 1),
            ("deterrent_threat_cost", 1.0),
        ],
        "shifts": [("DPRK.resolve", 0.2), ("US.domestic_constraint", -0.15)],
    },
    {
        "params": [("acceptance_radius", 0.3), ("trust_prior_strength", 2.0)],
        "shifts": [("China.capability", -0.1), ("Japan.salience", 0.2), ("ROK.resolve", -0.3)],
    },
    {"params": [("default_trust", 0.2), ("attend_threshold", 0.3), ("oral_summary_min_issues", 0)]},
]


@pytest.fixture(scope="module")
def points(historical):
    return [_point(historical, **p) for p in POINTS]


def test_a_point_batched_with_other_points_is_its_run_alone(historical, points):
    """Replicate r runs its own scenario variant (parameters and judgement
    inputs): every run equals the run of that variant alone, whatever the
    other points in its batch and its place in it."""
    seeds = [4, 4, 9, 1, 4, 6]
    alone = [simulate(v, seed=s) for v, s in zip(points, seeds, strict=True)]
    got = simulate_batch(historical, seeds, variants=points)
    for a, b in zip(alone, got, strict=True):
        _same(b, a)
    assert [r.scenario for r in got] == points
    order = [5, 2, 0, 3, 1, 4]
    again = list(
        iter_batch(
            historical,
            [seeds[k] for k in order],
            variants=[points[k] for k in order],
            batch_size=4,
        )
    )
    for k, res in zip(order, again, strict=True):
        _same(res, alone[k])
    # the points do change the runs (the test would be empty otherwise)
    assert len({repr(_tables(r)["sessions"]) for r in alone[:1] + alone[1:]}) > 3


def test_the_model_holds_each_replicates_parameters_and_judgements(historical, points):
    m = TalksModel(historical, seeds=[0] * len(points), variants=points)
    assert m.params.noise.shape == (len(points),)
    assert m.params.noise[1] == 0.15 and m.params.noise[0] == historical.parameters.noise
    assert m.params.chair_patience.dtype == np.int64 and m.params.chair_patience[1] == 2
    assert m.chair_wait[2] == 1  # min_months_between_sessions of point 2
    dprk = historical.parties.DPRK
    assert m.resolve[3, 0] == pytest.approx(min(1.0, dprk.resolve.value + 0.2))
    assert m.resolve[0, 0] == dprk.resolve.value
    assert np.allclose(m.sal[4, 4], np.minimum(1.0, m.sal[0, 4] + 0.2))
    assert m.params.expected_utility_sessions is True  # per model: a plain value
    m.params.drift = 0.0  # a number sets every replicate
    assert m.params.drift.tolist() == [0.0] * len(points)
    with pytest.raises(AttributeError):
        m.params.no_such_parameter = 1


def test_variants_must_share_everything_but_batchable_values(historical, tmp_path):
    free = _point(historical, params=[("noise", 0.1)])
    free.parameters.anchoring = False
    with pytest.raises(ValueError, match=r"variants\[1\].*parameters\.anchoring"):
        simulate_batch(historical, [1, 2], variants=[historical, free])
    other = load_scenario("no_bda_sanctions")
    with pytest.raises(ValueError, match=r"variants\[0\] differs .* events"):
        TalksModel(historical, seeds=[1], variants=[other])
    with pytest.raises(ValueError, match="2 variants for 3 replicates"):
        simulate_batch(historical, [1, 2, 3], variants=[historical, historical])
    with pytest.raises(TypeError, match="Scenario"):
        simulate_batch(historical, [1], variants=["historical"])
    with pytest.raises(TypeError, match="sequence"):
        simulate_batch(historical, [1], variants=historical)


def test_same_structure_is_the_test_of_check_variants(historical):
    """same_structure: equal but for labels, batchable parameters and judgement inputs,
    whether the fields are shared (copies) or equal objects (a deep copy)."""
    from sixparty.replicates import same_structure, structure_key

    point = _point(historical, params=[("noise", 0.1)], shifts=[("US.resolve", 0.1)])
    deep = historical.model_copy(deep=True)
    assert same_structure(historical, point) and same_structure(point, deep)
    assert structure_key(point) == structure_key(historical)
    free = _point(historical, params=[("noise", 0.1)])
    free.parameters.anchoring = False
    assert not same_structure(historical, free) and not same_structure(free, historical)
    deep.parties.Japan.strategy = deep.parties.Japan.strategy.model_copy(
        update={"abductee_linkage": not deep.parties.Japan.strategy.abductee_linkage}
    )
    assert not same_structure(point, deep)
    assert not same_structure(historical, load_scenario("no_bda_sanctions"))


def test_scored_points_are_the_same_batched_together(historical, monkeypatch):
    """score_items runs the items of different parameter points in one model:
    rows equal those of the items one by one, for any model batch."""
    from sixparty.analysis import ensemble
    from sixparty.analysis.scorecard import load_record
    from sixparty.analysis.simulate import WorkItem, score_item, score_items

    record = load_record()
    items = [
        WorkItem(s, tuple(p.get("params", ())), tuple(p.get("shifts", ())))
        for p in POINTS[1:4]
        for s in (3, 8)
    ]
    shared = (historical, record)
    one_by_one = repr([score_item(shared, it) for it in items])
    models = []
    real = runner.iter_batch
    monkeypatch.setattr(runner, "iter_batch", lambda *a, **k: models.append(1) or real(*a, **k))
    assert repr(score_items(shared, items)) == one_by_one
    assert len(models) == 1  # three points, six runs, one model
    monkeypatch.setattr(ensemble, "MODEL_BATCH", 4)
    assert repr(score_items(shared, items)) == one_by_one
    assert len(models) == 3


def test_ensemble_items_of_parameter_variants_share_a_model(historical, points, monkeypatch):
    """compare's and the ensembles' chunks: consecutive items whose scenarios
    differ only in batchable values run in one model, with the same runs."""
    from sixparty.analysis.ensemble import _simulate_items

    items = [(points[k], s) for k in (0, 3, 4) for s in (2, 5)]
    models = []
    real = runner.iter_batch
    monkeypatch.setattr(runner, "iter_batch", lambda *a, **k: models.append(1) or real(*a, **k))
    got = _simulate_items(lambda item, res: res, items)
    assert len(models) == 1
    for (sc, s), res in zip(items, got, strict=True):
        _same(res, simulate(sc, seed=s, record_positions=False))
