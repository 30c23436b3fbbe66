"""Ensembles: seed derivation, jobs-independence, leaks, binned quantiles, the CLI."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from conftest import dump_yaml, minimal_scenario_dict
from sixparty._mesa_compat import live_models
from sixparty.analysis.ensemble import (
    BINS,
    QUANTILES,
    SUMMARY_COLUMNS,
    BinnedQuantiles,
    derive_seeds,
    ensemble_texts,
    run_ensemble,
    write_ensemble,
)
from sixparty.cli import main
from sixparty.loader import load_scenario_text


@pytest.fixture(scope="module")
def minimal():
    return load_scenario_text(dump_yaml(minimal_scenario_dict()), "minimal.yaml")


# ------------------------------------------------------------------ seeds
def test_seeds_reproducible_distinct_in_range():
    a = derive_seeds(20030827, 500)
    assert a == derive_seeds(20030827, 500)
    assert len(set(a)) == 500
    assert all(isinstance(s, int) and 0 <= s < 2**63 for s in a)
    assert derive_seeds(1, 20) != derive_seeds(2, 20)


def test_seeds_follow_seedsequence_spawn_and_are_prefix_stable():
    child = np.random.SeedSequence(7).spawn(3)[2]
    assert derive_seeds(7, 3)[2] == int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
    assert derive_seeds(7, 10)[:4] == derive_seeds(7, 4)


@pytest.mark.parametrize("runs,seed", [(0, 1), (-3, 1), (2, -1)])
def test_seeds_reject_bad_input(runs, seed):
    with pytest.raises(ValueError):
        derive_seeds(seed, runs)


# ------------------------------------------------------- binned quantiles
def test_binned_quantiles_equal_inverted_cdf_of_grid_values():
    rng = np.random.default_rng(3)
    months, n = 5, 257
    vals = rng.beta(0.7, 2.0, size=(n, months))
    vals[:40] = 0.0  # a point mass, as progress has
    acc = BinnedQuantiles(months, 0.0, 1.0)
    for i in range(0, n, 50):  # streamed in pieces
        acc.add(vals[i:i + 50])
    got = acc.quantiles(QUANTILES)
    grid = np.rint(vals * BINS) / BINS
    want = np.quantile(grid, QUANTILES, axis=0, method="inverted_cdf").T
    np.testing.assert_allclose(got, want, atol=1e-12)
    assert np.all(np.abs(got - np.quantile(vals, QUANTILES, axis=0, method="inverted_cdf").T)
                  <= 0.5 / BINS + 1e-12)
    assert acc.clipped == 0


def test_binned_quantiles_memory_does_not_grow_and_clips():
    acc = BinnedQuantiles(3, 0.0, 10.0)
    size = acc.counts.nbytes
    acc.add(np.full((1000, 3), 4.0))
    acc.add(np.array([[11.0, -1.0, 5.0]]))
    assert acc.counts.nbytes == size and acc.n == 1001
    assert acc.clipped == 2
    assert acc.quantiles([0.5])[:, 0].tolist() == [4.0, 4.0, 4.0]


# -------------------------------------------------------------- ensembles
def test_ensemble_identical_for_jobs_and_chunking(minimal, tmp_path):
    a = run_ensemble(minimal, 6, 11, jobs=1, progress=False, dates=["2004-06"])
    b = run_ensemble(minimal, 6, 11, jobs=2, progress=False, dates=["2004-06"])
    c = run_ensemble(minimal, 6, 11, jobs=1, progress=False, dates=["2004-06"], chunk_size=1)
    assert a.seeds.tolist() == derive_seeds(11, 6)
    ta, tb, tc = ensemble_texts(a), ensemble_texts(b), ensemble_texts(c)
    assert ta == tb == tc
    assert b.leaked_models == 0
    rows = list(csv.DictReader(ta["summaries.csv"].splitlines()))
    assert [r["replicate"] for r in rows] == [str(i) for i in range(6)]
    assert [int(r["seed"]) for r in rows] == derive_seeds(11, 6)
    assert set(SUMMARY_COLUMNS) <= set(rows[0])
    assert "progress@2004-06" in rows[0]


def test_ensemble_frees_models_and_matches_single_runs(minimal):
    from sixparty.runner import simulate

    before = live_models()
    res = run_ensemble(minimal, 4, 5, jobs=1, progress=False)
    assert live_models() == before
    assert res.leaked_models == 0
    seed = derive_seeds(5, 4)[2]
    one = simulate(minimal, seed=seed, record_positions=False)
    assert res.summaries["final_progress"][2] == pytest.approx(one.timeline[-1]["progress"])
    assert res.summaries["sessions_held"][2] == sum(1 for s in one.sessions if s["held"])
    # monthly means are the means of the runs' timelines
    assert res.means["mean_trust"].shape == (minimal.window.months,)


def test_ensemble_rejects_bad_arguments(minimal):
    with pytest.raises(ValueError):
        run_ensemble(minimal, 0, 1, progress=False)
    with pytest.raises(ValueError, match="outside the window"):
        run_ensemble(minimal, 2, 1, progress=False, dates=["2009-01"])


def test_write_ensemble_is_complete_and_atomic(minimal, tmp_path):
    res = run_ensemble(minimal, 3, 2, jobs=1, progress=False)
    files = write_ensemble(res, tmp_path / "ens")
    assert sorted(files) == ["manifest.json", "quantiles.csv", "status.csv", "summaries.csv"]
    q = list(csv.DictReader((tmp_path / "ens" / "quantiles.csv").open()))
    assert len(q) == minimal.window.months * 4
    assert list(q[0]) == ["month", "metric", "q05", "q25", "q50", "q75", "q95", "mean"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


# -------------------------------------------------------------------- CLI
def test_cli_run_ensemble_writes_folder(scenario_file: Path, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["run", str(scenario_file), "--runs", "3", "--jobs", "1", "--seed", "4",
                 "--out", str(out), "--no-plots"])
    assert code == 0
    assert {"summaries.csv", "quantiles.csv", "status.csv", "manifest.json"} <= {p.name for p in out.iterdir()}
    assert "3 runs" in capsys.readouterr().out


@pytest.mark.parametrize("runs", ["0", "-2", "x"])
def test_cli_run_rejects_bad_runs(runs, capsys):
    assert main(["run", "historical", "--runs", runs]) == 2
    assert "Traceback" not in capsys.readouterr().err
