"""One model, R replicates in lockstep (issue 13): a replicate's run depends
only on its seed, never on the batch it ran in, its place in the batch or
the other replicates; decisions are taken per replicate (a session held in
some replicates and not in others, a walk-out in some)."""

from __future__ import annotations

import numpy as np
import pytest
from sixparty import load_scenario
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
    m = TalksModel(historical, seeds=list(range(12)), record_positions=False)
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
    [{"expected_utility_sessions": False}, {"zeuthen_dprk_us": True}, {"anchoring": False}],
    ids=["fixed_share", "zeuthen", "free"],
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
