"""Validation: null models against hand-computed values, ensemble scores, the executor's
determinism, calibration's split, sensitivity, and the three commands (small runs)."""

from __future__ import annotations

import hashlib
import json
import math
import sys

import numpy as np
import pytest
from conftest import minimal_scenario_dict
from sixparty.analysis import nulls
from sixparty.analysis.calibrate import (
    fit,
    free_parameter_table,
    ordered,
    split_record,
    variant_yaml,
)
from sixparty.analysis.runfiles import tables_from_result
from sixparty.analysis.scorecard import load_record, score_run
from sixparty.analysis.simulate import WorkItem, apply_work, fast_tables, simulate_many
from sixparty.analysis.validation import (
    LOG_FLOOR,
    bootstrap_totals,
    evaluation_json,
    hit_matrix,
    item_scores,
    model_scores,
    null_scores,
    skill,
    totals,
)
from sixparty.cli import main
from sixparty.outputs import DECISION_COLUMNS
from sixparty.runner import simulate
from sixparty.scenario import Scenario


@pytest.fixture(scope="module")
def small() -> Scenario:
    return Scenario.model_validate(minimal_scenario_dict())


@pytest.fixture(scope="module")
def record() -> dict:
    return load_record()


def _historical() -> Scenario:
    from sixparty.loader import find_scenario, load_scenario

    return load_scenario(find_scenario("historical"))


def rec_session(sid, start, document="chairmans_statement"):
    return {"id": sid, "start": start, "end": start, "document": document}


# ------------------------------------------------------------------ null models
def test_record_schedule_of_the_shipped_record(record):
    r = nulls.record_schedule(record)
    # 12 sessions from 2003-04 to 2007-09: 53 months / 11 intervals = 4.8 -> 5
    assert r["n"] == 12 and r["interval"] == 5 and r["commonest"] == "chairmans_statement"
    assert r["rates"]["chairmans_statement"] == pytest.approx(5 / 12)


def test_fixed_schedule_scores_the_hand_computed_hits(record):
    t = nulls.fixed_schedule(_historical(), record)
    assert list(t.held["month"]) == [
        "2003-04",
        "2003-09",
        "2004-02",
        "2004-07",
        "2004-12",
        "2005-05",
        "2005-10",
        "2006-03",
        "2006-08",
        "2007-01",
        "2007-06",
        "2007-11",
    ]
    hits = {it.id for it in score_run(t, record) if it.hit}
    # chairman's statements within a month: round 2 (2004-02), round 3 (2004-06 ~ 2004-07),
    # round 5 phase 2 (2006-12 ~ 2007-01), the 2007-07 heads of delegation (~ 2007-06)
    assert hits == {
        "session:round2",
        "session:round3",
        "session:round5_phase2",
        "session:heads_of_delegation_2007_07",
    }


def test_random_schedule_matches_the_hand_computed_probabilities(small):
    # two sessions, 2004-01 (chairman's statement) and 2004-03 (no document): the null draws
    # two of the three months 2004-01..03, each document CS or none with probability 1/2.
    # Enumerating the 3 x 4 equally likely cases by hand: P(A) = 7/12, P(B) = 1/2.
    rec = {
        "sessions": [rec_session("A", "2004-01"), rec_session("B", "2004-03", "none")],
        "episodes": [],
    }
    runs = nulls.random_schedule(small, rec, draws=1000, seed=7)
    ms = model_scores(
        "random",
        [
            {"hit": {it.id: it.hit for it in score_run(t, rec)}, "near": {}, "category": {}}
            for t in runs
        ],
        ["session:A", "session:B"],
    )
    assert ms.p["session:A"] == pytest.approx(7 / 12, abs=0.05)  # 3.2 standard errors
    assert ms.p["session:B"] == pytest.approx(1 / 2, abs=0.05)
    # seeded and prefix-stable
    again = nulls.random_schedule(small, rec, draws=5, seed=7)
    assert [list(t.held["month"]) for t in again] == [list(t.held["month"]) for t in runs[:5]]


def test_joint_documents_of_a_null_adopt_the_phases_in_order(record):
    t = nulls.null_tables(
        ("2007-01", "2007-12"),
        [(month, "joint_document") for month in (24085, 24093)],
        ["initial", "second"],
    )
    assert list(t.held["adopted_phase"]) == ["initial", "second"]
    items = {it.id: it for it in score_run(t, record)}
    assert items["session:round5_phase3"].hit and items["session:round6_phase2"].hit


def test_weighted_median_and_the_eu_document_rule():
    assert nulls.weighted_median(np.array([0.0, 0.5, 1.0]), np.array([1.0, 1.0, 3.0])) == 1.0
    assert nulls.weighted_median(np.array([0.0, 0.5, 1.0]), np.array([2.0, 1.0, 1.0])) == 0.0
    assert nulls.weighted_median(np.array([0.2, 0.4]), np.zeros(2)) == pytest.approx(0.3)
    sal = np.ones((6, 2))
    cap = np.ones(6)
    same = np.full((6, 2), 0.5)
    assert nulls.eu_document(same, sal, cap, 0.1)[0] == "joint_document"
    spread = same.copy()
    spread[0] = 0.58  # within the radius, not within half of it
    assert nulls.eu_document(spread, sal, cap, 0.1)[0] == "joint_statement"
    spread[:2] = 0.9  # two parties far away
    assert nulls.eu_document(spread, sal, cap, 0.1)[0] == "chairmans_statement"
    spread[:4] = [[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]]
    assert nulls.eu_document(spread, sal, cap, 0.1)[0] == "oral_summary"


def test_every_null_is_scored_by_the_same_rules(record):
    sc = _historical()
    ids = [f"session:{s['id']}" for s in record["sessions"]]
    ns = null_scores(sc, record, ids, draws=20, seed=1)
    assert set(ns) == set(nulls.NULL_MODELS)
    assert ns["fixed_schedule"].runs == 1 and ns["random_schedule"].runs == 20
    assert ns["fixed_schedule"].totals["hit_rate"] == pytest.approx(4 / 12)


# ------------------------------------------------------------------ scores
def test_brier_and_log_score_with_the_floor():
    b, ls = item_scores([1.0, 0.5, 0.0])
    assert list(b) == [0.0, 0.25, 1.0]
    assert ls[0] == 0.0 and ls[1] == pytest.approx(math.log(2))
    assert ls[2] == pytest.approx(-math.log(LOG_FLOOR))


def test_totals_skip_items_not_scored_and_skill():
    rows = [{"hit": {"a": True, "b": False, "c": None}}, {"hit": {"a": True, "b": True, "c": None}}]
    H = hit_matrix(rows, ["a", "b", "c"])
    t = totals(H)
    assert t["items"] == 2 and t["hit_rate"] == 0.75
    assert t["brier"] == pytest.approx((0 + 0.25) / 2)
    assert t["log_score"] == pytest.approx(math.log(2) / 2)
    s = skill(
        {"hit_rate": 0.5, "brier": 0.2, "log_score": 1.0},
        {"hit_rate": 0.25, "brier": 0.4, "log_score": 2.0},
    )
    assert s == pytest.approx({"hit_rate": 1 / 3, "brier": 0.5, "log_score": 0.5})


def test_bootstrap_intervals_bracket_the_estimate():
    rng = np.random.default_rng(0)
    H = (rng.random((40, 6)) < 0.6).astype(float)
    ci = bootstrap_totals(H, seed=3)
    t = totals(H)
    for key in ("hit_rate", "brier", "log_score"):
        assert ci[key][0] <= t[key] <= ci[key][1]
    assert bootstrap_totals(H, seed=3) == ci  # seeded


# ------------------------------------------------------------------ the executor
def test_fast_tables_score_like_the_run_folder_tables(record):
    sc = _historical()
    result = simulate(sc, seed=5, record_positions=False)
    a = score_run(fast_tables(result), record)
    b = score_run(tables_from_result(result), record)
    assert [(x.id, x.hit, x.simulated) for x in a] == [(x.id, x.hit, x.simulated) for x in b]


def test_work_items_set_parameters_and_shift_judgements(small):
    sc = apply_work(
        small,
        WorkItem(
            1,
            (("concession_rate", 0.3), ("max_iterations", 5.6)),
            (("DPRK.capability", 0.05), ("US.salience", -1.0)),
        ),
    )
    assert sc.parameters.concession_rate == 0.3 and sc.parameters.max_iterations == 6
    assert sc.parties.DPRK.capability.value == pytest.approx(
        small.parties.DPRK.capability.value + 0.05
    )
    assert all(ip.salience == 0.0 for ip in sc.parties.US.initial.values())
    assert small.parameters.concession_rate == 0.2  # the original is untouched
    assert small.parties.DPRK.capability.value == pytest.approx(
        sc.parties.DPRK.capability.value - 0.05
    )
    assert any(ip.salience > 0.0 for ip in small.parties.US.initial.values())
    # copy on write: a party not shifted, and what a shift does not touch, are shared
    assert sc.parties.China is small.parties.China and sc.events is small.events
    assert sc.parties.DPRK is not small.parties.DPRK
    assert sc.parties.DPRK.stated_positions is small.parties.DPRK.stated_positions
    with pytest.raises(ValueError, match="unknown parameter"):
        apply_work(small, WorkItem(1, (("nope", 1.0),)))
    with pytest.raises(ValueError, match="unknown judgement input"):
        apply_work(small, WorkItem(1, (), (("DPRK.charm", 0.1),)))


def test_same_seeds_same_rows_with_one_job_or_two(small, record):
    items = [
        WorkItem(s, (("concession_rate", c),), (("DPRK.resolve", d),))
        for s, c, d in [(1, 0.2, 0.0), (2, 0.35, 0.05), (3, 0.1, -0.05), (4, 0.2, 0.1)]
    ]
    one = simulate_many(small, items, jobs=1, record=record)
    two = simulate_many(small, items, jobs=2, record=record)
    assert json.dumps(one, sort_keys=True) == json.dumps(two, sort_keys=True)
    assert [r["seed"] for r in one] == [1, 2, 3, 4]


# ------------------------------------------------------------------ calibration
#: A post-split item the small scenario hits (it holds a joint statement in 2004-08): read,
#: it would pull the objective down from the floor.
PLANT = {
    "id": "planted_2004",
    "start": "2004-08-01",
    "end": "2004-08-01",
    "document": "joint_statement",
}


def test_split_record_cuts_at_the_month(record):
    train, test = split_record(record, "2006-12")
    assert {s["id"] for s in train["sessions"]} >= {"round1", "round5_phase2"}
    assert "round5_phase3" in {s["id"] for s in test["sessions"]}
    # the boycott ends 2006-11: training; the 2006 nuclear test too
    assert {"dprk_boycott_2005_2006", "nuclear_test_2006"} <= {e["id"] for e in train["episodes"]}
    assert all(str(e.get("end") or e["start"])[:7] > "2006-12" for e in test["episodes"])


def test_calibration_never_reads_an_item_after_the_split(small, record):
    pytest.importorskip("optuna")
    base = {"sessions": [s for s in record["sessions"] if s["start"] < "2004-12"], "episodes": []}
    planted = {"sessions": base["sessions"] + [PLANT], "episodes": []}
    kw = {"budget": 3, "runs_per_point": 2, "seed": 11}
    a = fit(small, base, "2004-03", **kw)
    b = fit(small, planted, "2004-03", **kw)
    assert "session:planted_2004" not in b["train_items"]
    assert (a["values"], a["best"]) == (b["values"], b["best"])
    # the planted item would change the fit if it were read: with the split after it, the
    # objective differs
    c = fit(small, planted, "2004-09", **kw)
    assert "session:planted_2004" in c["train_items"]
    assert c["values"] != a["values"]


def test_free_parameters_and_the_variant(small, tmp_path):
    table = free_parameter_table(small)
    names = {p["name"] for p in table}
    assert {"chair_patience", "test_threshold", "resume_threshold"} <= names
    assert "concession_rate" not in names  # inert while the sessions use the EU model
    assert all(p["low"] < p["high"] for p in table)
    text = variant_yaml(
        "historical",
        {"concession_rate": 0.25, "min_months_between_sessions": 4},
        "free",
        "2006-12",
        3.0,
    )
    path = tmp_path / "v.yaml"
    path.write_text(text, encoding="utf-8")
    from sixparty.loader import load_scenario

    assert "\nformat_version: 2\nextends: historical\n" in text  # read as written, no note
    sc = load_scenario(path)
    assert sc.parameters.concession_rate == 0.25 and sc.parameters.anchoring is False
    assert sc.parameters.min_months_between_sessions == 4


def test_a_calibration_keeps_the_ordered_thresholds_in_order(tmp_path):
    """Each parameter is sampled in its own range, so a trial may draw the suspension
    threshold above the resumption threshold; the point evaluated and the file written
    keep them in order (the loader refuses an inverted pair)."""
    drawn = {
        "suspend_threshold": 0.55,
        "resume_threshold": 0.4,
        "suspend_steps_trust": 0.3,
        "resume_steps_trust": 0.6,
        "drift": 0.02,
    }
    kept = ordered(drawn)
    assert kept["resume_threshold"] == 0.55  # raised to the lower one: equal is allowed
    assert {k: v for k, v in kept.items() if k != "resume_threshold"} == {
        k: v for k, v in drawn.items() if k != "resume_threshold"
    }
    assert ordered(kept) == kept
    path = tmp_path / "v.yaml"
    path.write_text(variant_yaml("historical", kept, "free", "2006-12", 3.0), encoding="utf-8")
    from sixparty.loader import load_scenario

    assert load_scenario(path).parameters.resume_threshold == 0.55
    path.write_text(variant_yaml("historical", drawn, "free", "2006-12", 3.0), encoding="utf-8")
    with pytest.raises(Exception, match="suspend_threshold"):
        load_scenario(path)


# ------------------------------------------------------------------ sensitivity
def test_sensitivity_factors_follow_the_stated_uncertainty(small):
    from sixparty.analysis.sensitivity import factors

    sc = small.model_copy(deep=True)
    sc.parties.DPRK.capability.uncertainty = 0.0
    sc.parties.US.resolve.uncertainty = 0.05
    sc.parties.China.salience_uncertainty = 0.2
    f = {x["name"]: x for x in factors(sc)}
    assert "DPRK.capability" not in f
    assert (f["US.resolve"]["low"], f["US.resolve"]["high"]) == (-0.05, 0.05)
    assert f["China.salience"]["high"] == 0.2 and f["Japan.resolve"]["high"] == 0.1
    assert f["chair_patience"]["kind"] == "parameter"


def test_morris_indices_for_every_factor_and_outcome(small, record):
    pytest.importorskip("SALib")
    from sixparty.analysis.sensitivity import OUTCOMES, factors, run_sensitivity

    res = run_sensitivity(
        small, "morris", samples=2, runs_per_point=1, jobs=1, seed=2, record=record
    )
    assert res["points"] == 2 * (len(factors(small)) + 1)
    assert len(res["indices"]) == len(factors(small)) * len(OUTCOMES)
    assert all(r["mu_star"] >= 0 for r in res["indices"] if not math.isnan(r["mu_star"]))


# ------------------------------------------------------------------ the commands
@pytest.fixture
def small_file(tmp_path):
    import yaml

    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(minimal_scenario_dict(), allow_unicode=True), encoding="utf-8")
    return path


def test_evaluate_one_run_says_why_it_has_no_interval_and_warns(small_file, tmp_path, capsys):
    out = tmp_path / "ev1"
    argv = ["evaluate", str(small_file), "--runs", "1", "--jobs", "1", "--out", str(out)]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "model 90% bootstrap over runs: none (1 run; an interval needs --runs 2" in (
        captured.out
    )
    assert "sixparty evaluate: warning: 1 runs: the 90% bootstrap intervals are rough below 30" in (
        captured.err
    )


def test_evaluate_command_writes_its_files(small_file, tmp_path, capsys):
    out = tmp_path / "ev"
    assert (
        main(
            [
                "evaluate",
                str(small_file),
                "--runs",
                "3",
                "--jobs",
                "1",
                "--out",
                str(out),
                "--seed",
                "4",
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "skill vs fixed_schedule" in text and "log score" in text
    for name in (
        "evaluation.csv",
        "evaluation.json",
        "evaluation_items.png",
        "evaluation_reliability.png",
        "manifest.json",
    ):
        assert (out / name).exists(), name
    data = json.loads((out / "evaluation.json").read_text())
    assert data["mode"] == "free" and data["runs"] == 3 and data["log_floor"] == LOG_FLOOR
    assert set(data["nulls"]) == set(nulls.NULL_MODELS)


def test_calibrate_command_resumes_its_study(small_file, tmp_path, capsys):
    pytest.importorskip("optuna")
    out = tmp_path / "cal"
    args = [
        "calibrate",
        str(small_file),
        "--train-until",
        "2004-03",
        "--runs-per-point",
        "1",
        "--jobs",
        "1",
        "--out",
        str(out),
        "--seed",
        "3",
    ]
    assert main(args + ["--budget", "2"]) == 0
    assert main(args + ["--budget", "3"]) == 0
    data = json.loads((out / "calibration.json").read_text())
    assert data["fit"]["trials"] == 3  # two from the first call, one more
    assert (out / "minimal_calibrated.yaml").exists() and (out / "study.sqlite3").exists()
    assert "Held out" in capsys.readouterr().out


def test_calibrate_refuses_to_resume_with_other_runs_per_point(small_file, tmp_path, capsys):
    optuna = pytest.importorskip("optuna")
    out = tmp_path / "cal"
    args = ["calibrate", str(small_file), "--train-until", "2004-03", "--jobs", "1"]
    args += ["--out", str(out), "--seed", "3", "--budget"]
    assert main(args + ["2", "--runs-per-point", "1"]) == 0
    before = (out / "calibration.json").read_bytes()
    capsys.readouterr()
    assert main(args + ["3", "--runs-per-point", "2"]) == 2
    err = capsys.readouterr().err
    assert "--runs-per-point 1 (now 2)" in err and "another --out" in err
    assert err.rstrip().endswith("To continue this study, run again with --runs-per-point 1")
    assert "Traceback" not in err
    assert (out / "calibration.json").read_bytes() == before  # nothing rewritten
    url = f"sqlite:///{(out / 'study.sqlite3').resolve()}"
    names = optuna.get_all_study_names(url)
    assert len(optuna.load_study(study_name=names[0], storage=url).trials) == 2  # no trial added


def test_calibrate_refuses_to_resume_when_a_file_the_scenario_extends_changed(
    small_file, tmp_path, capsys
):
    """The study's identity covers the whole extends: chain, not only the named file."""
    optuna = pytest.importorskip("optuna")
    child = tmp_path / "child.yaml"
    child.write_text(
        "extends: small.yaml\ndescription: A child of the small scenario.\n", encoding="utf-8"
    )
    out = tmp_path / "cal"
    args = ["calibrate", str(child), "--train-until", "2004-03", "--jobs", "1"]
    args += ["--runs-per-point", "1", "--out", str(out), "--seed", "3", "--budget"]
    assert main(args + ["1"]) == 0
    assert main(args + ["2"]) == 0  # the parent unchanged: the study continues
    before = (out / "calibration.json").read_bytes()
    capsys.readouterr()
    was = hashlib.sha256(small_file.read_bytes()).hexdigest()[:12]
    small_file.write_text(
        small_file.read_text(encoding="utf-8").replace("A small", "A changed small"),
        encoding="utf-8",
    )
    assert main(args + ["3"]) == 2
    err = capsys.readouterr().err
    assert "cannot be continued" in err and "Traceback" not in err
    assert f"the file it extends {small_file} of SHA-256" in err and "another --out" in err
    # what to do, concretely: a fresh study (another folder, or delete the study's file)
    # or restore the parent the trials were scored with
    store = out / "study.sqlite3"
    assert f"or delete {store} to start over there (its 2 trials are lost)" in err
    assert f"To continue this study, restore {small_file} to its version of SHA-256 {was}" in err
    assert "Rerun with its settings" not in err
    assert (out / "calibration.json").read_bytes() == before  # nothing rewritten
    url = f"sqlite:///{(out / 'study.sqlite3').resolve()}"
    names = optuna.get_all_study_names(url)
    assert len(optuna.load_study(study_name=names[0], storage=url).trials) == 2  # none added


def test_study_identity_records_the_extends_chain_only_when_there_is_one(small):
    from sixparty.analysis.calibrate import study_identity

    alone = study_identity(small, "2004-03", 1, 3, "free", b"x")
    assert "extends_sha256" not in alone  # a study of a file without parents: as before
    chained = study_identity(small, "2004-03", 1, 3, "free", b"x", ["a" * 64])
    assert chained == {**alone, "extends_sha256": ["a" * 64]}


def test_calibrate_default_folder_names_seed_and_runs_per_point(small_file, tmp_path, monkeypatch):
    pytest.importorskip("optuna")
    monkeypatch.chdir(tmp_path)
    args = ["calibrate", str(small_file), "--train-until", "2004-03", "--jobs", "1"]
    args += ["--budget", "1", "--runs-per-point", "1"]
    assert main(args + ["--seed", "0"]) == 0
    assert main(args + ["--seed", "1"]) == 0
    folders = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert folders == ["minimal-calibrate-free-2004-03-r1-0", "minimal-calibrate-free-2004-03-r1-1"]
    for f in folders:  # each keeps its own study and result
        assert (tmp_path / "runs" / f / "study.sqlite3").exists()
        assert (tmp_path / "runs" / f / "calibration.json").exists()
    # a rerun with a larger budget finds its study in the same folder
    assert main(args + ["--seed", "0", "--budget", "2"]) == 0
    data = json.loads((tmp_path / "runs" / folders[0] / "calibration.json").read_text())
    assert data["fit"]["trials"] == 2


def test_calibrate_prints_only_the_fitted_parameters_that_moved():
    from sixparty.analysis.calibrate import fitted_lines

    defaults = {"a": 0.5, "b": 3, "c": 0.25}
    assert fitted_lines(dict(defaults), defaults) == [
        "Fitted parameters: the fit kept the defaults (all in calibration.json)"
    ]
    lines = fitted_lines({"a": 0.61234, "b": 3, "c": 0.25}, defaults)
    assert len(lines) == 2 and "1 of 3" in lines[0]
    assert lines[1].split() == ["a", "0.5", "->", "0.6123"]
    lines = fitted_lines({"a": 0.5, "b": 4, "c": 0.2}, defaults)
    assert [ln.split()[0] for ln in lines[1:]] == ["b", "c"]  # one a line, sorted


def _calibrate_storage_args(small_file, tmp_path, storage) -> list[str]:
    return ["calibrate", str(small_file), "--train-until", "2004-03", "--budget", "1"] + [
        "--runs-per-point", "1", "--jobs", "1", "--out", str(tmp_path / "cal"),
        "--storage", str(storage),
    ]  # fmt: skip


def test_calibrate_refuses_a_storage_that_is_not_sqlite(small_file, tmp_path, capsys):
    """A scenario given as --storage raised sqlalchemy's traceback (exit 1)."""
    pytest.importorskip("optuna")
    storage = tmp_path / "mine2.yaml"
    storage.write_bytes(small_file.read_bytes())
    assert main(_calibrate_storage_args(small_file, tmp_path, storage)) == 2
    err = capsys.readouterr().err
    assert f"--storage {storage}: not an Optuna SQLite study file (" in err
    assert "Traceback" not in err and "sqlalchemy" not in err
    assert storage.read_bytes() == small_file.read_bytes()
    assert not (tmp_path / "cal").exists()  # no --out folder


def test_calibrate_refuses_another_programs_sqlite_database(small_file, tmp_path, capsys):
    import sqlite3

    pytest.importorskip("optuna")
    storage = tmp_path / "notes.sqlite3"
    con = sqlite3.connect(storage)
    con.execute("CREATE TABLE notes (text TEXT)")
    con.commit()
    con.close()
    before = storage.read_bytes()
    assert main(_calibrate_storage_args(small_file, tmp_path, storage)) == 2
    err = capsys.readouterr().err
    assert "not an Optuna SQLite study file (an SQLite database with the tables notes," in err
    assert storage.read_bytes() == before  # Optuna's tables were not added


def test_calibrate_refuses_a_storage_in_a_missing_folder(small_file, tmp_path, capsys):
    """--storage /nonexist/x.sqlite3 created /nonexist and exited 0."""
    pytest.importorskip("optuna")
    storage = tmp_path / "nonexist" / "x.sqlite3"
    assert main(_calibrate_storage_args(small_file, tmp_path, storage)) == 2
    err = capsys.readouterr().err
    assert f"folder {storage.parent} does not exist" in err
    assert not storage.parent.exists() and not (tmp_path / "cal").exists()  # nothing made


def test_check_storage_accepts_a_new_or_empty_file_and_an_optuna_study(tmp_path):
    optuna = pytest.importorskip("optuna")
    from sixparty.analysis.calibrate import check_storage
    from sixparty.cli import CLIError

    check_storage(tmp_path / "new.sqlite3")
    (tmp_path / "empty.sqlite3").write_bytes(b"")
    check_storage(tmp_path / "empty.sqlite3")
    study = tmp_path / "study.sqlite3"
    optuna.create_study(storage=f"sqlite:///{study}", study_name="s")
    check_storage(study)
    check_storage(tmp_path / "missing" / "study.sqlite3", given=False)  # OUT/ is made
    with pytest.raises(CLIError, match="it is a folder, not a file"):
        check_storage(tmp_path)


def test_calibrate_rejects_a_bad_month(small_file, capsys):
    pytest.importorskip("optuna")
    assert main(["calibrate", str(small_file), "--train-until", "2006-13"]) == 2
    assert "expected a month written YYYY-MM" in capsys.readouterr().err


@pytest.mark.parametrize(
    "n, hint", [(3, "--samples 2 or --samples 4"), (100, "64 or --samples 128")]
)
def test_sobol_refuses_a_sample_count_not_a_power_of_2(small_file, tmp_path, capsys, n, hint):
    out = tmp_path / "sens"
    argv = ["sensitivity", str(small_file), "--method", "sobol", "--samples", str(n)]
    assert main(argv + ["--runs-per-point", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "power of 2" in err and hint in err and "Traceback" not in err
    assert not out.exists()  # refused before any run


def test_a_missing_extra_is_a_clear_exit_2(small_file, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "SALib", None)
    assert main(["sensitivity", str(small_file), "--samples", "1"]) == 2
    err = capsys.readouterr().err
    assert "SALib" in err and "pip install 'sixparty[validation]'" in err
    assert "Traceback" not in err


def test_the_scenario_format_takes_an_optional_uncertainty():
    from pydantic import ValidationError

    d = minimal_scenario_dict()
    d["parties"]["DPRK"]["capability"]["uncertainty"] = 0.05
    d["parties"]["DPRK"]["salience_uncertainty"] = 0.2
    sc = Scenario.model_validate(d)
    assert sc.parties.DPRK.capability.uncertainty == 0.05
    assert sc.parties.US.capability.uncertainty is None  # default: DEFAULT_UNCERTAINTY
    d["parties"]["DPRK"]["resolve"]["uncertainty"] = 0.7  # beyond ±0.5
    with pytest.raises(ValidationError, match="uncertainty"):
        Scenario.model_validate(d)


# ------------------------------------------------------------------ the executor layer
def _files(folder, names):
    return {n: (folder / n).read_bytes() for n in names}


@pytest.fixture
def few_null_draws(monkeypatch):
    """20 draws of the random-schedule null instead of 500 (the nulls run in this process,
    not on the executor; they are not what these tests are about)."""
    from sixparty.analysis import validation

    real = validation.null_scores
    monkeypatch.setattr(
        validation,
        "null_scores",
        lambda sc, rec, ids, draws=500, seed=0: real(sc, rec, ids, 20, seed),
    )


def test_evaluate_is_byte_identical_on_one_job_two_jobs_and_a_local_dask_cluster(
    small_file, tmp_path, capsys, few_null_draws
):
    # 32 runs: at the threshold below which a command runs in this process, so --jobs 2
    # really uses the two worker processes
    outs = {}
    for name, extra in [
        ("j1", ["--jobs", "1"]),
        ("j2", ["--jobs", "2"]),
        ("j2c3", ["--jobs", "2", "--chunk-size", "3"]),
    ]:
        out = tmp_path / name
        assert (
            main(
                [
                    "evaluate",
                    str(small_file),
                    "--runs",
                    "32",
                    "--seed",
                    "5",
                    "--out",
                    str(out),
                    *extra,
                ]
            )
            == 0
        )
        outs[name] = _files(out, ["evaluation.csv", "evaluation.json", "evaluation.txt"])
        err = capsys.readouterr().err
        assert ("in this process" in err) == (name == "j1")
        if name != "j1":
            assert "on 2 worker processes" in err
    import importlib.util

    if importlib.util.find_spec("distributed") is not None:  # the test extra installs it
        out = tmp_path / "dask"
        assert (
            main(
                [
                    "evaluate",
                    str(small_file),
                    "--runs",
                    "32",
                    "--seed",
                    "5",
                    "--out",
                    str(out),
                    "--jobs",
                    "2",
                    "--dask",
                    "local",
                ]
            )
            == 0
        )
        err = capsys.readouterr().err
        assert "on a local dask cluster" in err and "dask dashboard: http://127.0.0.1:" in err
        outs["dask"] = _files(out, ["evaluation.csv", "evaluation.json", "evaluation.txt"])
    first = outs["j1"]
    for name, files in outs.items():
        assert files == first, name


def test_sixparty_dask_environment_variable_and_a_bad_address(
    small_file, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("SIXPARTY_DASK", "nowhere:1")
    assert main(["evaluate", str(small_file), "--runs", "2", "--out", str(tmp_path / "e")]) == 2
    err = capsys.readouterr().err
    assert "--dask: expected 'local' or a scheduler address tcp://HOST:PORT" in err
    assert "Traceback" not in err and not (tmp_path / "e").exists()


def test_jobs_above_the_cores_need_force(small_file, tmp_path, capsys):
    from sixparty.analysis.ensemble import cores

    assert (
        main(
            [
                "sensitivity",
                str(small_file),
                "--jobs",
                str(cores() + 1),
                "--samples",
                "1",
                "--out",
                str(tmp_path / "s"),
            ]
        )
        == 2
    )
    assert "add --force" in capsys.readouterr().err


def test_calibrate_is_identical_with_one_job_or_two(small_file, tmp_path, capsys):
    pytest.importorskip("optuna")
    texts = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"cal{jobs}"
        assert (
            main(
                [
                    "calibrate",
                    str(small_file),
                    "--train-until",
                    "2004-03",
                    "--budget",
                    "3",
                    "--runs-per-point",
                    "4",
                    "--jobs",
                    jobs,
                    "--out",
                    str(out),
                    "--seed",
                    "8",
                ]
            )
            == 0
        )
        texts[jobs] = _files(out, ["calibration.json", "minimal_calibrated.yaml"])
        err = capsys.readouterr().err
        # trials, the default point and the held-out runs: 3 x 4 + 4 + 2 x 32 runs, one pool
        assert err.count("sixparty: running") == 1
        assert ("on 2 worker processes" in err) == (jobs == "2")
    assert texts["1"] == texts["2"]


def test_calibrate_batch_trials_asks_several_trials_at_once(small, record, monkeypatch):
    """--batch-trials K: K trials asked together, their runs in one map; the fit is
    the same with any executor chunking or model batch, and K = 1 is the sequential
    study."""
    pytest.importorskip("optuna")
    from sixparty.analysis import calibrate as cal
    from sixparty.analysis import ensemble
    from sixparty.analysis.simulate import RunPool

    train, _ = cal.split_record(record, "2004-03")
    maps = []
    real = RunPool.map

    def counting(self, items, *a, **k):
        maps.append(len(items))
        return real(self, items, *a, **k)

    monkeypatch.setattr(RunPool, "map", counting)
    kw = dict(budget=5, runs_per_point=3, seed=2)
    a = cal.calibrate(small, train, batch_trials=2, **kw)
    assert maps == [6, 6, 3, 3]  # two batches of 2 trials, one of 1, then the default point
    assert a["trials"] == 5
    monkeypatch.setattr(ensemble, "MODEL_BATCH", 4)
    b = cal.calibrate(small, train, batch_trials=2, chunk_size=5, **kw)
    assert repr(a) == repr(b)
    maps.clear()
    one = cal.calibrate(small, train, **kw)
    assert maps == [3] * 6 and one["trials"] == 5


def test_one_executor_serves_every_batch_of_a_command(small, record, monkeypatch):
    from sixparty.analysis import executors
    from sixparty.analysis.sensitivity import run_sensitivity

    started = []

    class Counting(executors.SerialExecutor):
        def start(self, fn=None, shared=None):
            started.append(self)

    ex = Counting()
    seen = []
    real = executors.map_items

    def spy(func, items, shared=None, *, executor=None, **kw):
        seen.append(executor)
        return real(func, items, shared, executor=executor, **kw)

    monkeypatch.setattr("sixparty.analysis.simulate.map_items", spy)
    pytest.importorskip("optuna")
    fit(small, record, "2004-03", budget=2, runs_per_point=1, seed=1, executor=ex)
    pytest.importorskip("SALib")
    run_sensitivity(
        small, "morris", samples=1, runs_per_point=1, seed=2, record=record, executor=ex
    )
    assert len(seen) >= 4 and all(e is ex for e in seen)


# ------------------------------------------------------------------ interrupts
ENV = {**__import__("os").environ, "PYTHONPATH": str(__import__("pathlib").Path(__file__).parent)}


def _start(args):
    import subprocess

    proc = subprocess.Popen(
        [sys.executable, "-m", "sixparty", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    seen = []
    for _ in range(20):
        line = proc.stderr.readline()
        if not line:
            break
        if "sixparty: running" in line:
            return proc, line
        seen.append(line)
    proc.kill()
    proc.wait()
    raise AssertionError(f"no 'running' line (exit {proc.poll()}): {''.join(seen)}")


def _stop(proc, sig):
    import time

    psutil = pytest.importorskip("psutil")
    workers = psutil.Process(proc.pid).children(recursive=True)
    try:
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    time.sleep(0.2)
    alive = [p for p in workers if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    for p in alive:
        p.kill()
    assert not alive, alive
    return err


@pytest.mark.parametrize("sig,code", [(2, 130), (15, 143)])
def test_a_signal_stops_evaluate_cleanly(sig, code, tmp_path):
    import signal
    import time

    pytest.importorskip("psutil")
    out = tmp_path / "ev"
    proc, line = _start(
        ["evaluate", "historical", "--runs", "2000", "--jobs", "2", "--out", str(out)]
    )
    assert "running 2,000 runs of historical on 2 worker processes" in line
    time.sleep(0.5)
    err = _stop(proc, signal.Signals(sig))
    assert proc.returncode == code
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert f"interrupted by {signal.Signals(sig).name}" in lines[0]
    assert "nothing was written" in lines[0] and not out.exists()
    assert list(tmp_path.iterdir()) == []


# Intermittent (about 1 run in 8 on the loaded 2-core machine): the stopped command once
# exited 1 instead of 143; the cause (a signal landing while Optuna writes to sqlite is
# the suspect) is not found yet, so the test reruns rather than hides it.
@pytest.mark.flaky(reruns=2)
def test_an_interrupted_calibration_keeps_its_study_and_continues(small_file, tmp_path):
    import contextlib
    import signal
    import sqlite3
    import time

    optuna = pytest.importorskip("optuna")
    pytest.importorskip("psutil")
    out = tmp_path / "cal"
    args = [
        "calibrate",
        str(small_file),
        "--train-until",
        "2004-03",
        "--runs-per-point",
        "32",
        "--jobs",
        "2",
        "--out",
        str(out),
        "--seed",
        "3",
    ]
    proc, _ = _start(args + ["--budget", "500"])
    storage = f"sqlite:///{(out / 'study.sqlite3').resolve()}"
    name = "minimal-free-2004-03-3"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait for a few finished trials (read-only peeks)
        time.sleep(0.5)
        try:
            with contextlib.closing(
                sqlite3.connect(f"file:{out / 'study.sqlite3'}?mode=ro", uri=True, timeout=0.1)
            ) as db:
                n = db.execute("select count(*) from trials where state = 'COMPLETE'").fetchone()[0]
        except sqlite3.Error:  # not created yet, or busy
            continue
        if n >= 2:
            break
    err = _stop(proc, signal.SIGTERM)
    assert proc.returncode == 143, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert "interrupted by SIGTERM" in lines[0] and "rerun the same command to continue" in lines[0]
    study = optuna.load_study(study_name=name, storage=storage)
    states = [t.state.name for t in study.trials]
    done = states.count("COMPLETE")
    assert done >= 2 and "RUNNING" not in states  # the stopped trial is marked failed
    assert f"keeps its {done} finished trials" in lines[0]
    assert not (out / "calibration.json").exists()
    # the rerun (same --out: the folder is a sixparty folder) continues to the budget
    assert main(args + ["--budget", str(done + 1)]) == 0
    data = json.loads((out / "calibration.json").read_text())
    assert data["fit"]["trials"] == done + 1
    study = optuna.load_study(study_name=name, storage=storage)
    assert [t.state.name for t in study.trials].count("COMPLETE") == done + 1


# ------------------------------------------------------------------ the table
def _ev(mode, fed, would):
    from sixparty.analysis.validation import ModelScores

    ids = ["session:round1", "declaration_2008"]

    def ms(name, p):
        return ModelScores(
            name,
            10,
            dict(zip(ids, p, strict=True)),
            dict.fromkeys(ids, 0.0),
            {i: {} for i in ids},
            {"hit_rate": 0.5, "brier": 0.3, "log_score": 1.0},
        )

    nulls_ = {n: ms(n, [1.0, 0.0]) for n in nulls.NULL_MODELS}  # EU gives round 1 P = 1.00
    return {
        "ids": ids,
        "model": ms("model", [0.0, 0.5]),
        "nulls": nulls_,
        "mode": mode,
        "runs": 10,
        "seed": 1,
        "fed": fed,
        "fed_if_anchored": would,
        "skill": {n: {"hit_rate": 0.0, "brier": 0.0, "log_score": 0.0} for n in nulls_},
    }


def test_the_fed_column_says_yes_or_nothing_and_free_mode_says_none_is_fed():
    from sixparty.analysis.validation import table_lines

    lines = table_lines(_ev("free", [], ["session:round1"]))
    header = next(ln for ln in lines if ln.startswith("item"))
    row = next(ln for ln in lines if ln.startswith("session:round1"))
    assert header.rstrip().endswith("| fed")
    # the EU null's 1.00 is its own column; the fed cell is blank
    assert row.split("|")[1].strip() == "" and "1.00" in row.split("|")[0]
    note = " ".join(ln.strip() for ln in lines[lines.index(row) + 2 :] if ln.strip()).split(
        "total"
    )[0]
    assert "fed: none" in note and "free mode, anchoring off" in note
    assert "session:round1" in note
    lines = table_lines(_ev("anchored", ["session:round1"], ["session:round1"]))
    row = next(ln for ln in lines if ln.startswith("session:round1"))
    other = next(ln for ln in lines if ln.startswith("declaration_2008"))
    assert row.split("|")[1].strip() == "yes" and other.split("|")[1].strip() == ""
    assert any(ln.startswith("fed: 1 item marked yes") for ln in lines)


def test_evaluate_prints_no_fed_item_in_free_mode(small_file, tmp_path, capsys, few_null_draws):
    assert (
        main(
            [
                "evaluate",
                str(small_file),
                "--runs",
                "2",
                "--jobs",
                "1",
                "--mode",
                "free",
                "--out",
                str(tmp_path / "e"),
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    rows = [ln for ln in text.splitlines() if ln.startswith(("session:", "dprk_", "nuclear_"))]
    assert rows and all(ln.split("|")[1].strip() == "" for ln in rows)
    assert "fed: none - free mode, anchoring off" in text


# ------------------------------------------------------------------ the suspension's cause
def _suspension_tables(
    cause=None,
    reason="overdue_delisting: the US delisting of phase 2 due 2008-09; trust in US 0.31",
):
    import dataclasses

    import pandas as pd
    from test_scorecard import _ledger, make_tables

    t = make_tables(decisions=[("2008-09", "DPRK", "suspends_steps", reason)], ledger=_ledger())
    if cause is None:  # a folder written before decisions.csv had a cause column
        return t
    dec = pd.DataFrame(
        [("2008-09", "DPRK", "suspends_steps", reason, cause)],
        columns=["month", "party", "decision", "reason", "cause"],
    )
    return dataclasses.replace(t, decisions=dec)


SUSPENSION_2008 = {
    "id": "disablement_suspended_2008",
    "kind": "disablement_suspended",
    "actor": "DPRK",
    "start": "2008-08-11",
    "in_phase": 2,
    "cause": "delisting",
}


@pytest.mark.parametrize(
    "cause,hit",
    [
        ("overdue_delisting", True),
        ("overdue_delisting+overdue_aid", True),
        ("overdue_aid", False),
        ("", False),
    ],
)
def test_the_suspension_cause_is_read_from_the_cause_column(cause, hit):
    rec = {"sessions": [], "episodes": [SUSPENSION_2008]}
    # the reason text says nothing the old rule could read: only the cause column decides
    item = next(
        it
        for it in score_run(_suspension_tables(cause, reason="trust in US 0.31"), rec)
        if it.id == "disablement_suspended_2008"
    )
    assert item.hit is hit
    if not hit:
        assert "recorded delisting" in item.simulated


def test_the_cause_column_wins_over_the_reason_text():
    rec = {"sessions": [], "episodes": [SUSPENSION_2008]}
    t = _suspension_tables("overdue_aid", reason="counterpart steps overdue (aid, delisting)")
    assert score_run(t, rec)[0].hit is False
    assert "cause aid, recorded delisting" in score_run(t, rec)[0].simulated


def test_a_folder_without_the_cause_column_is_scored_by_the_old_rule():
    rec = {"sessions": [], "episodes": [SUSPENSION_2008]}
    old_ok = _suspension_tables(
        None, reason="counterpart steps overdue (aid, delisting); trust 0.3"
    )
    old_wrong = _suspension_tables(None, reason="counterpart steps overdue (aid); trust 0.3")
    assert score_run(old_ok, rec)[0].hit is True
    assert score_run(old_wrong, rec)[0].hit is False


def test_the_fast_tables_keep_the_cause_column(record):
    result = simulate(_historical(), seed=3, record_positions=False)
    t = fast_tables(result)
    assert list(t.decisions.columns)[:5] == ["month", "party", "decision", "reason", "cause"]
    assert list(t.decisions.columns) == DECISION_COLUMNS
    b = tables_from_result(result)
    assert list(t.decisions["cause"]) == list(b.decisions["cause"].fillna(""))


@pytest.mark.parametrize(
    "until, words", [("2020-01", "nothing is held out"), ("2002-01", "nothing to train on")]
)
def test_calibrate_refuses_a_split_outside_the_record(tmp_path, capsys, until, words):
    from sixparty.cli import main

    out = tmp_path / "cal"
    code = main(
        [
            "calibrate",
            "historical",
            "--train-until",
            until,
            "--budget",
            "1",
            "--runs-per-point",
            "1",
            "--out",
            str(out),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and words in err and "Traceback" not in err
    assert not out.exists()  # refused before any file was written


def test_evaluation_csv_writes_booleans_as_every_other_csv_does():
    """evaluation.csv's ``fed`` column says true/false (not Python's True/False), and
    floats keep six significant digits."""
    from sixparty.analysis.validation import _csv_text

    text = _csv_text(
        [
            {"item": "a", "p_hit": 0.123456789, "fed": True},
            {"item": "b", "p_hit": 1.0, "fed": False},
        ]
    )
    assert text.splitlines() == ["item,p_hit,fed", "a,0.123457,true", "b,1,false"]


def test_api_evaluate_defaults_to_the_commands_free_mode(tmp_path, capsys, few_null_draws):
    """``sp.evaluate`` is what ``sixparty evaluate`` computes (docs/api.md): both default
    to free mode, even for a scenario that anchors itself; ``mode=None`` keeps the
    scenario's own, and a wrong mode is refused."""
    import sixparty as sp
    import yaml

    d = minimal_scenario_dict()
    d.setdefault("parameters", {})["anchoring"] = True
    path = tmp_path / "anchored.yaml"
    path.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "ev"
    args = ["evaluate", str(path), "--runs", "2", "--seed", "3", "--out", str(out)]
    assert main(args) == 0
    capsys.readouterr()
    cmd = json.loads((out / "evaluation.json").read_text())
    scenario = sp.load_scenario(path)
    ev = sp.evaluate(scenario, runs=2, seed=3)
    assert cmd["mode"] == ev["mode"] == "free"
    assert json.loads(json.dumps(evaluation_json(ev), allow_nan=True)) == cmd
    assert sp.evaluate(scenario, runs=1, seed=3, ci=False, mode=None)["mode"] == "anchored"
    assert sp.evaluate(scenario, runs=1, seed=3, ci=False, mode="anchored")["mode"] == "anchored"
    with pytest.raises(ValueError, match="mode must be 'free', 'anchored' or None"):
        sp.evaluate(scenario, runs=1, seed=3, mode="Free")


def test_a_tiny_calibration_warns_and_says_so_in_its_variant(small_file, tmp_path, capsys):
    """``calibrate --budget 4 --runs-per-point 2`` ran without a word about its budget."""
    pytest.importorskip("optuna")
    from sixparty.analysis import calibrate as cal

    assert cal.small_budget_warning(cal.MIN_USEFUL_BUDGET, cal.MIN_USEFUL_RUNS_PER_POINT) is None
    out = tmp_path / "cal"
    argv = ["calibrate", str(small_file), "--train-until", "2004-03", "--budget", "2"]
    assert main(argv + ["--runs-per-point", "1", "--jobs", "1", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if "warning" in ln]
    assert lines == [cal.small_budget_warning(2, 1)]
    assert lines[0].startswith("sixparty calibrate: warning: --budget 2 x --runs-per-point 1")
    text = (out / "minimal_calibrated.yaml").read_text(encoding="utf-8")
    import yaml

    assert (
        "CAUTION: fitted with only 2 trials x 1 runs per trial"
        in yaml.safe_load(text)["description"]
    )
    full = cal.variant_yaml("historical", {}, "free", "2006-12", 3.0)
    assert "CAUTION" not in full


@pytest.mark.parametrize(
    "method, samples, rpp, warned",
    [
        ("morris", 2, 1, True),
        ("morris", 4, 2, False),
        ("morris", None, 1, True),
        ("sobol", 32, 4, True),
        ("sobol", None, 4, False),
    ],
)
def test_a_tiny_sensitivity_warns_once(method, samples, rpp, warned):
    from sixparty.analysis import sensitivity as sens

    n = samples or {"morris": 8, "sobol": 64}[method]
    line = sens.small_budget_warning(method, n, rpp)
    assert (line is not None) == warned
    if warned:
        assert line.startswith("sixparty sensitivity: warning: ") and "\n" not in line


@pytest.mark.parametrize(
    "samples, rpp, below, use",
    [
        (2, 4, "below 4 trajectories (morris) the", "use --samples 4 or more"),
        (8, 1, "below 2 runs per point the", "use --runs-per-point 2 or more"),
        (
            2,
            1,
            "below 4 trajectories (morris) and 2 runs per point",
            "--samples 4 --runs-per-point 2",
        ),
    ],
)
def test_the_sensitivity_warning_names_only_what_is_too_small(samples, rpp, below, use):
    """``--samples 2`` (with the default 4 runs per point) was warned "below 4 trajectories
    (morris) and 2 runs per point": 4 runs per point is not below 2."""
    from sixparty.analysis import sensitivity as sens

    line = sens.small_budget_warning("morris", samples, rpp)
    assert line.startswith(
        f"sixparty sensitivity: warning: --samples {samples} x --runs-per-point {rpp}: "
    )
    assert below in line and use in line
    if rpp >= sens.MIN_USEFUL_RUNS_PER_POINT:
        assert "runs per point" not in line and "--runs-per-point 2" not in line
    if samples >= sens.MIN_USEFUL_SAMPLES["morris"]:
        assert "trajectories" not in line and "--samples 4" not in line


@pytest.mark.parametrize(
    "budget, rpp, below",
    [
        (10, 16, "below 50 trials the fit"),
        (100, 2, "below 8 runs per trial the fit"),
        (4, 2, "below 50 trials of 8 runs the fit"),
    ],
)
def test_the_calibrate_warning_names_only_what_is_too_small(budget, rpp, below):
    from sixparty.analysis import calibrate as cal

    line = cal.small_budget_warning(budget, rpp)
    assert below in line
    assert ("--budget 50" in line) == (budget < 50) and ("--runs-per-point 8" in line) == (rpp < 8)


def test_the_sensitivity_command_prints_the_warning(small_file, tmp_path, capsys):
    pytest.importorskip("SALib")
    out = tmp_path / "sens"
    argv = ["sensitivity", str(small_file), "--samples", "1", "--runs-per-point", "1"]
    assert main(argv + ["--jobs", "1", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert err.count("sixparty sensitivity: warning: --samples 1 x --runs-per-point 1") == 1


@pytest.mark.parametrize("quiet", [False, True])
def test_evaluate_accepts_quiet_as_run_and_compare_do(tmp_path, capsys, monkeypatch, quiet):
    """``--quiet`` turns off the progress bar (evaluate shows one, on a terminal)."""
    from sixparty.analysis import validation
    from sixparty.cli import main

    asked = []
    real = validation.evaluate

    def spy(*args, **kwargs):
        asked.append(kwargs["progress"])
        return real(*args, **kwargs)

    monkeypatch.setattr(validation, "evaluate", spy)
    argv = ["evaluate", "--runs", "2", "--out", str(tmp_path / "ev")]
    assert main(argv + (["--quiet"] if quiet else [])) == 0, capsys.readouterr().err
    assert asked == [not quiet]


@pytest.mark.parametrize("quiet", [False, True])
def test_calibrate_and_sensitivity_accept_quiet_as_evaluate_does(
    small_file, tmp_path, capsys, monkeypatch, quiet
):
    """``--quiet`` is one of the options the three validation commands share; it turns
    off the progress bars of calibrate (the fit and the held-out runs) and sensitivity."""
    pytest.importorskip("SALib")
    pytest.importorskip("optuna")
    from sixparty.analysis import calibrate as cal
    from sixparty.analysis import sensitivity as sens

    asked = []
    for module, name in ((cal, "fit"), (cal, "held_out"), (sens, "run_sensitivity")):
        real = getattr(module, name)

        def spy(*args, _real=real, **kwargs):
            asked.append(kwargs["progress"])
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)
    flag = ["--quiet"] if quiet else []
    argv = ["calibrate", str(small_file), "--budget", "1", "--runs-per-point", "1"]
    assert main(argv + ["--jobs", "1", "--out", str(tmp_path / "cal")] + flag) == 0
    argv = ["sensitivity", str(small_file), "--samples", "1", "--runs-per-point", "1"]
    assert main(argv + ["--jobs", "1", "--out", str(tmp_path / "sens")] + flag) == 0
    capsys.readouterr()
    assert asked == [not quiet] * 3
