"""Calibration on the record up to a split month, scored on the months after it.

``sixparty calibrate SCENARIO --train-until YYYY-MM`` fits the declared free
parameters (:func:`free_parameter_table`) with Optuna's TPE sampler
(seeded).  The objective is the ensemble log score (mean over items,
:data:`sixparty.analysis.validation.LOG_FLOOR`) of the *training* items: the
record items whose recorded end lies at or before the split month.  The
record is cut before anything runs (:func:`split_record`): the objective
never sees an item after the split.  Every trial uses the same seeds (common
random numbers), so two parameter points differ by their parameters, not by
luck.

Why TPE and not CMA-ES: the objective is a noisy Monte Carlo estimate over a
dozen parameters with box bounds (two of them integers), the budget is a few
hundred evaluations, and TPE handles mixed integer/float spaces and noise
without a population size to tune; CMA-ES needs continuous parameters and
its covariance adaptation pays off with larger budgets than 200.

The study lives in an sqlite file (Optuna RDB storage; default
``OUT/study.sqlite3``): rerunning with the same storage continues the study up
to ``--budget`` trials in all.  Writes ``OUT/<scenario>_calibrated.yaml`` (a
variant: ``extends:`` the scenario, ``overrides:`` the fitted parameters),
``OUT/calibration.json`` and prints the held-out scores of the fitted and
default parameters and of the null models on the items after the split.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from sixparty.analysis.ensemble import derive_seeds
from sixparty.analysis.executors import Executor
from sixparty.analysis.scorecard import load_record, record_items
from sixparty.analysis.simulate import RunPool, WorkItem
from sixparty.analysis.validation import (
    hit_matrix,
    model_scores,
    null_scores,
    set_mode,
    subset,
    totals,
)
from sixparty.scenario import FORMAT_VERSION, Parameters, Scenario

#: Half-width of the search range around a parameter's default, as a share of the default
#: (:func:`search_range`), and its floor as a share of the declared range.
SEARCH_SPAN = 0.3
SEARCH_FLOOR = 0.05


def search_range(
    default: float, lo: float, hi: float, integer: bool = False
) -> tuple[float, float]:
    """The range calibration and sensitivity analysis search for one parameter.

    The declared range (``sim/data/parameters.yaml``) is the range a value is *allowed*
    in (e.g. [0, 1] for a share), far wider than what anyone argues for; the search
    stays near the default: default ± w with w = max(:data:`SEARCH_SPAN` × |default|,
    :data:`SEARCH_FLOOR` × (hi − lo)), cut to the declared range; integers rounded
    outward, at least one step wide.
    """
    w = max(SEARCH_SPAN * abs(default), SEARCH_FLOOR * (hi - lo))
    a, b = max(lo, default - w), min(hi, default + w)
    if integer:
        import math

        a, b = max(lo, math.floor(a)), min(hi, math.ceil(b))
        if a == b:
            a, b = max(lo, a - 1), min(hi, b + 1)
    return a, b


def ordered(params: dict) -> dict:
    """``params`` with the ordered pairs of :attr:`sixparty.scenario.Parameters.ORDERED`
    kept in order: each parameter is sampled in its own range, so a trial may draw a
    ``suspend_threshold`` above its ``resume_threshold``; the upper one is then raised to
    the lower (equal is allowed), the point the trial is evaluated at and the one a
    calibrated scenario file records (which the loader would refuse inverted)."""
    out = dict(params)
    for low, high, _ in Parameters.ORDERED:
        if low in out and high in out and out[low] > out[high]:
            out[high] = out[low]
    return out


def free_parameter_table(scenario: Scenario | None = None) -> list[dict]:
    """The parameters calibration and sensitivity analysis vary: ``[{name, default, low,
    high, integer, declared}]``: every declared free parameter
    (``sixparty.parameters.free_parameters()``, the ``calibrate: true`` rows of
    ``sim/data/parameters.yaml``), its default from ``scenario.parameters`` (or the
    model's defaults), ``low``..``high`` its :func:`search_range` and ``declared`` the
    declared range.
    """
    from sixparty.parameters import free_parameters
    from sixparty.scenario import Parameters

    params = scenario.parameters if scenario is not None else Parameters()
    rows = []
    for spec in free_parameters(params):
        if spec.type not in ("int", "float"):
            continue
        integer = spec.type == "int"
        default = getattr(params, spec.name)
        lo, hi = search_range(float(default), float(spec.lo), float(spec.hi), integer)
        if spec.lo_exclusive and lo <= spec.lo:
            lo = spec.lo + (1 if integer else 1e-6 * (spec.hi - spec.lo))
        rows.append(
            {
                "name": spec.name,
                "default": default,
                "low": int(lo) if integer else round(lo, 9),
                "high": int(hi) if integer else round(hi, 9),
                "integer": integer,
                "declared": [spec.lo, spec.hi],
            }
        )
    return rows


def split_record(record: dict, until: str) -> tuple[dict, dict]:
    """(training record, held-out record): items whose recorded end month is <= ``until``
    (``YYYY-MM``) train; the rest are held out.  Copies; ``record`` is not changed."""

    def end(it):
        return str(it.get("end") or it["start"])[:7]

    train = {
        "sessions": [s for s in record["sessions"] if end(s) <= until],
        "episodes": [e for e in record["episodes"] if end(e) <= until],
    }
    test = {
        "sessions": [s for s in record["sessions"] if end(s) > until],
        "episodes": [e for e in record["episodes"] if end(e) > until],
    }
    return train, test


def _check_month(text: str) -> str:
    import re

    from sixparty.cli import CLIError

    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text or ""):
        raise CLIError(
            f"--train-until: expected a month written YYYY-MM (e.g. 2006-12), got {text!r}"
        )
    return text


def _check_split(record: dict, until: str) -> None:
    """Refuse (exit 2, before any work) a split that leaves no item to train on or none
    held out: the record's items end between its first and last months."""
    from sixparty.cli import CLIError

    train, test = split_record(record, until)
    n_train = len(train["sessions"]) + len(train["episodes"])
    n_test = len(test["sessions"]) + len(test["episodes"])
    if n_train and n_test:
        return
    ends = sorted(
        str(it.get("end") or it["start"])[:7] for it in record["sessions"] + record["episodes"]
    )
    side = (
        "no record item ends by then, nothing to train on"
        if not n_train
        else "every record item ends by then, nothing is held out"
    )
    raise CLIError(
        f"--train-until {until}: {side}; choose a month from {ends[0]} to "
        f"{ends[-2]} (the default is 2006-12)"
    )


def objective_score(rows: list[dict], ids: list[str]) -> float:
    """Mean log score of the items ``ids`` over the runs' rows (lower is better)."""
    return totals(hit_matrix(rows, ids))["log_score"]


def open_study(storage: str | None, study_name: str, seed: int, budget: int, batch_trials: int = 1):
    """The Optuna study (TPE, seeded) in ``storage``, created or loaded; a trial left
    ``RUNNING`` by an interrupted earlier call is marked ``FAIL`` (only one process uses
    a study), so the study counts only finished trials and continues from them.
    batch_trials > 1: TPE with ``constant_liar`` (trials asked together, before the
    others' values are known, are kept apart)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)  # no traceback of a stopped trial
    sampler = optuna.samplers.TPESampler(
        seed=seed,
        n_startup_trials=min(20, max(5, budget // 10)),
        **({"constant_liar": True} if batch_trials > 1 else {}),
    )
    study = optuna.create_study(
        direction="minimize",
        sampler=sampler,
        storage=storage,
        study_name=study_name,
        load_if_exists=True,
    )
    for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        study.tell(t.number, state=optuna.trial.TrialState.FAIL)
    return study


class StudyMismatch(ValueError):
    """An existing study was run with settings that change a trial's value (runs per
    point, mode, split, seed, scenario, search box): continuing it would mix scores.

    ``to_continue``: what would let the study continue, as a clause (``run again with
    --seed 3``, ``restore parent.yaml to its version of SHA-256 ...``), or ``""`` when
    nothing would (a study of an older sixparty that recorded no settings)."""

    def __init__(self, message: str, to_continue: str = "") -> None:
        super().__init__(message)
        self.to_continue = to_continue


def study_identity(
    scenario: Scenario,
    until: str,
    runs_per_point: int,
    seed: int,
    mode: str,
    source: bytes = b"",
    extends_sha256: Sequence[str] = (),
) -> dict:
    """Everything that changes a trial's value, as the study records it (Optuna user
    attribute ``identity``): ``{runs_per_point, mode, train_until, seed, scenario_sha256,
    box_sha256}``, plus ``extends_sha256`` for a scenario file with ``extends:``.
    ``scenario_sha256`` hashes ``source`` (the scenario file's bytes); ``extends_sha256``
    is ``extends_sha256`` as given: the SHA-256 of each file the scenario extends,
    parent first, root last (:func:`scenario_chain`), left out when empty so that a
    study of a file without parents keeps the identity it had before parents were
    recorded; ``box_sha256`` hashes the free parameters' defaults and search ranges
    (:func:`free_parameter_table`)."""
    import hashlib

    box = json.dumps(free_parameter_table(scenario), sort_keys=True)
    identity = {
        "runs_per_point": int(runs_per_point),
        "mode": mode,
        "train_until": until,
        "seed": int(seed),
        "scenario_sha256": hashlib.sha256(source).hexdigest(),
        "box_sha256": hashlib.sha256(box.encode("utf-8")).hexdigest(),
    }
    if extends_sha256:
        identity["extends_sha256"] = [str(h) for h in extends_sha256]
    return identity


def scenario_chain(path) -> tuple[bytes, list[dict]]:
    """The scenario file ``path``'s bytes and the files it extends (``extends:``), parent
    first, root last, each ``{"path", "sha256"}`` as an ensemble manifest's
    ``scenario_sources`` (:func:`sixparty.outputs.source_files`); empty when it extends
    nothing.  For :func:`study_identity`: a changed parent changes every trial's value."""
    from sixparty.outputs import source_files

    return Path(path).read_bytes(), source_files(path)[1:]


def check_identity(
    study, identity: dict | None, extends_paths: Sequence[str] = (), scenario_path=None
) -> None:
    """Record ``identity`` on a study without trials; raise :class:`StudyMismatch` when a
    study with trials recorded another one (or none: an older sixparty's study).
    ``extends_paths``: the files ``identity["extends_sha256"]`` hashes, in its order, to
    name a changed parent in the message; ``scenario_path``: the scenario file, to name
    it in what would let the study continue (:attr:`StudyMismatch.to_continue`)."""
    if identity is None:
        return
    has_trials = bool(study.get_trials(deepcopy=False))
    had = study.user_attrs.get("identity")
    if not has_trials and had is None:
        study.set_user_attr("identity", identity)
        return
    if had == identity:
        return
    if had is None:
        raise StudyMismatch(
            "the study was written by an older sixparty that did not record its settings"
        )
    diff = [
        f"{_IDENTITY_WORDS.get(k, k)} {_short(had.get(k))} (now {_short(identity.get(k))})"
        for k in sorted(set(had) | set(identity))
        if had.get(k) != identity.get(k) and k != "extends_sha256"
    ]
    old, new = had.get("extends_sha256") or [], identity.get("extends_sha256") or []
    if old != new:
        diff.append(_extends_change(old, new, list(extends_paths)))
    raise StudyMismatch(
        "its trials were scored with " + ", ".join(diff),
        _to_continue(had, identity, list(extends_paths), scenario_path),
    )


def _to_continue(had: dict, identity: dict, paths: list[str], scenario_path=None) -> str:
    """What would let a refused study continue: the options it was run with, and the
    files (or the sixparty) to restore, as one clause (:class:`StudyMismatch`)."""
    options = [
        f"{_IDENTITY_WORDS[k]} {had[k]}"
        for k in ("runs_per_point", "mode", "train_until", "seed")
        if k in had and had.get(k) != identity.get(k)
    ]
    restore = []
    if had.get("scenario_sha256") != identity.get("scenario_sha256"):
        name = f"the scenario file {scenario_path}" if scenario_path else "the scenario file"
        restore.append(f"{name} to its version of SHA-256 {_short(had.get('scenario_sha256'))}")
    old, new = had.get("extends_sha256") or [], identity.get("extends_sha256") or []
    if old != new:
        if len(old) == len(new) == len(paths):
            restore += [
                f"{p} to its version of SHA-256 {_short(a)}"
                for p, a, b in zip(paths, old, new, strict=True)
                if a != b
            ]
        else:
            restore.append("the files it extends (extends:) as they were")
    if had.get("box_sha256") != identity.get("box_sha256"):
        restore.append(
            "the sixparty version the study began with (the free parameters' defaults "
            "and ranges changed)"
        )
    parts = []
    if options:
        parts.append("run again with " + " ".join(options))
    if restore:
        parts.append("restore " + ", ".join(restore))
    return " and ".join(parts)


def _extends_change(old: list, new: list, paths: list[str]) -> str:
    """How a refusal names a change in the files the scenario extends: each changed
    parent by its path when the chain has the same length, else the whole chain."""
    if len(old) == len(new) and len(paths) == len(new):
        return ", ".join(
            f"the file it extends {p} of SHA-256 {_short(a)} (now {_short(b)})"
            for p, a, b in zip(paths, old, new, strict=True)
            if a != b
        )
    shown = [", ".join(_short(h) for h in hs) or "none" for hs in (old, new)]
    return f"the files it extends (extends:) of SHA-256 {shown[0]} (now {shown[1]})"


#: How a refusal names each entry of :func:`study_identity` (the option that sets it).
_IDENTITY_WORDS = {
    "runs_per_point": "--runs-per-point",
    "mode": "--mode",
    "train_until": "--train-until",
    "seed": "--seed",
    "scenario_sha256": "the scenario file of SHA-256",
    "box_sha256": "free parameters (defaults and search ranges) of SHA-256",
}


def _short(v) -> str:
    """A value as a refusal shows it: a SHA-256 by its first 12 digits."""
    return v[:12] if isinstance(v, str) and len(v) == 64 else str(v)


def completed_trials(study) -> list:
    """The study's finished (``COMPLETE``) trials."""
    import optuna

    return study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))


def calibrate(
    scenario: Scenario,
    train: dict,
    budget: int,
    runs_per_point: int,
    seed: int,
    jobs: int = 1,
    storage: str | None = None,
    study_name: str = "sixparty",
    progress: bool = False,
    executor: Executor | None = None,
    chunk_size: int | None = None,
    batch_trials: int = 1,
    identity: dict | None = None,
) -> dict:
    """Fit the free parameters on the ``train`` record; returns ``{"best": {name: value},
    "best_score", "default_score", "values", "trials"}``.

    Only ``train`` is given to the workers and the objective: nothing after the split
    can reach the fit.  ``storage``: an Optuna RDB URL (``sqlite:///path``) or None (in
    memory).  A study with trials already in ``storage`` is continued up to ``budget``
    finished trials (:func:`open_study`).  executor: where every trial's runs go (one
    executor for all trials; default ``jobs`` worker processes); the values do not
    depend on it.  batch_trials: trials asked of the sampler at once (``study.ask``, TPE
    with ``constant_liar``), whose runs go out together as one batch (runs of different
    points share models, :func:`sixparty.analysis.simulate.score_items`); 1 (default)
    is the sequential study.  The fit depends on ``batch_trials`` (the sampler sees the
    values of a batch only after it), never on the executor, jobs or chunk size.
    identity: :func:`study_identity`; a stored study that recorded another one is refused
    (:class:`StudyMismatch`) before any trial runs, so no study mixes scores.
    """
    import optuna

    table = free_parameter_table(scenario)
    ids = [it["id"] for it in record_items(train)]
    seeds = derive_seeds(seed, runs_per_point)
    study = open_study(storage, study_name, seed, budget, batch_trials)
    check_identity(study, identity)
    done = len(completed_trials(study))
    waiting = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.WAITING,))
    if done == 0 and not waiting:
        study.enqueue_trial(
            {p["name"]: p["default"] for p in table if p["low"] <= p["default"] <= p["high"]}
        )
    from tqdm import tqdm

    with RunPool(scenario, train, jobs, executor=executor, chunk_size=chunk_size) as pool:

        def evaluate(params: dict) -> float:
            items = [WorkItem(s, tuple(sorted(params.items()))) for s in seeds]
            return objective_score(pool.map(items), ids)

        def suggest(trial) -> dict:
            params = {}
            for p in table:
                if p["integer"]:
                    params[p["name"]] = trial.suggest_int(p["name"], int(p["low"]), int(p["high"]))
                else:
                    params[p["name"]] = trial.suggest_float(
                        p["name"], float(p["low"]), float(p["high"])
                    )
            return ordered(params)

        def objective(trial) -> float:
            return evaluate(suggest(trial))

        def batch(k: int) -> None:
            # k trials asked at once; their k x runs_per_point runs scored in one map
            trials = [study.ask() for _ in range(k)]
            points = [suggest(t) for t in trials]
            items = [WorkItem(s, tuple(sorted(pt.items()))) for pt in points for s in seeds]
            rows = pool.map(items)
            n = len(seeds)
            for j, t in enumerate(trials):
                study.tell(t, objective_score(rows[j * n : (j + 1) * n], ids))

        left = max(0, budget - done)
        bar = tqdm(
            total=left,
            desc="calibrate",
            unit="trial",
            disable=None if progress else True,
            leave=False,
        )
        try:
            if batch_trials <= 1:
                for _ in range(left):
                    study.optimize(objective, n_trials=1)
                    bar.update(1)
            else:
                while left > 0:
                    k = min(batch_trials, left)
                    batch(k)
                    left -= k
                    bar.update(k)
        finally:
            bar.close()
        default_score = evaluate({})
    best = study.best_trial
    complete = completed_trials(study)
    return {
        "best": ordered(dict(best.params)),
        "best_score": float(best.value),
        "default_score": float(default_score),
        "values": [float(tr.value) for tr in complete],
        "trials": len(complete),
    }


def fit(
    scenario: Scenario,
    record: dict,
    until: str,
    budget: int,
    runs_per_point: int,
    seed: int,
    jobs: int = 1,
    storage: str | None = None,
    study_name: str = "sixparty",
    progress: bool = False,
    executor: Executor | None = None,
    chunk_size: int | None = None,
    batch_trials: int = 1,
    identity: dict | None = None,
) -> dict:
    """Split ``record`` at ``until`` (:func:`split_record`) and :func:`calibrate` on the
    training part only; the held-out part is returned as ``"test"`` for scoring."""
    train, test = split_record(record, until)
    out = calibrate(
        scenario,
        train,
        budget,
        runs_per_point,
        seed,
        jobs,
        storage,
        study_name,
        progress,
        executor=executor,
        chunk_size=chunk_size,
        batch_trials=batch_trials,
        identity=identity,
    )
    out["train_items"] = [it["id"] for it in record_items(train)]
    out["test"] = test
    return out


#: Below this many trials (``--budget``) a calibration is little more than random search:
#: TPE's first ``min(20, max(5, budget // 10))`` trials are random draws, and a few dozen
#: points cannot locate an optimum among about a hundred free parameters
#: (docs/validation.md, section 6).  The command warns; it does not refuse.
MIN_USEFUL_BUDGET = 50

#: Below this many runs per trial (``--runs-per-point``) a trial's ensemble log score is
#: mostly Monte Carlo noise, so the "best" trial is largely the luckiest one (the command
#: warns; docs/validation.md, section 6).
MIN_USEFUL_RUNS_PER_POINT = 8


def small_budget_warning(budget: int, runs_per_point: int) -> str | None:
    """The one-line stderr warning of ``sixparty calibrate`` when ``budget`` (trials) is
    below :data:`MIN_USEFUL_BUDGET` or ``runs_per_point`` below
    :data:`MIN_USEFUL_RUNS_PER_POINT`, else None."""
    few_trials = budget < MIN_USEFUL_BUDGET
    few_runs = runs_per_point < MIN_USEFUL_RUNS_PER_POINT
    if not (few_trials or few_runs):
        return None
    # only what is below its minimum: the other is not the problem
    below = (
        f"{MIN_USEFUL_BUDGET} trials of {MIN_USEFUL_RUNS_PER_POINT} runs"
        if few_trials and few_runs
        else f"{MIN_USEFUL_BUDGET} trials"
        if few_trials
        else f"{MIN_USEFUL_RUNS_PER_POINT} runs per trial"
    )
    use = " ".join(
        ([f"--budget {MIN_USEFUL_BUDGET}"] if few_trials else [])
        + ([f"--runs-per-point {MIN_USEFUL_RUNS_PER_POINT}"] if few_runs else [])
    )
    return (
        f"sixparty calibrate: warning: --budget {budget} x --runs-per-point {runs_per_point}: "
        f"below {below} the fit is mostly noise (a smoke test, not a calibration); "
        f"use {use} or more"
    )


def variant_yaml(
    parent: str,
    fitted: dict,
    mode: str,
    train_until: str,
    score: float,
    caution: str | None = None,
) -> str:
    """The fitted parameters as a scenario variant (``extends:`` + ``overrides:``).

    caution: a sentence added to the variant's ``description`` (e.g. that the budget was
    too small to trust the fit); None adds nothing.
    """
    lines = [
        f"# Calibrated by `sixparty calibrate` on the record up to {train_until} ({mode} mode);",
        f"# training log score {score:.4f} nats (docs/validation.md, Calibration).",
        f"format_version: {FORMAT_VERSION}",
        f"extends: {parent}",
        f"name: {Path(parent).stem}_calibrated",
        "description: >-",
        f"  {Path(parent).stem} with its free parameters fitted to the historical record up to",
        f"  {train_until} (Optuna TPE on the ensemble log score of the training items).",
        *([f"  {caution}"] if caution else []),
        "overrides:",
        f"  parameters.anchoring: {'true' if mode == 'anchored' else 'false'}",
    ]
    for name in sorted(fitted):
        v = fitted[name]
        lines.append(f"  parameters.{name}: {v if isinstance(v, int) else round(float(v), 6)}")
    return "\n".join(lines) + "\n"


def held_out(
    scenario: Scenario,
    fitted: dict,
    test: dict,
    runs: int,
    seed: int,
    jobs: int = 1,
    progress: bool = False,
    executor: Executor | None = None,
    chunk_size: int | None = None,
) -> dict:
    """Held-out totals on the ``test`` record of the fitted and default parameters and the
    null models, with skill of each against the best null (by log score).  executor: as
    :func:`calibrate` (the command passes the same one)."""
    from sixparty.analysis.validation import skill

    ids = [it["id"] for it in record_items(test)]
    seeds = derive_seeds(seed + 1, runs)  # seeds not used in the fit
    with RunPool(scenario, test, jobs, executor=executor, chunk_size=chunk_size) as pool:
        rows_fit = pool.map(
            [WorkItem(s, tuple(sorted(fitted.items()))) for s in seeds],
            progress=progress,
            desc="held-out",
        )
        rows_def = pool.map([WorkItem(s) for s in seeds], progress=progress, desc="defaults")
    out = {
        "items": ids,
        "fitted": subset(model_scores("fitted", rows_fit, ids), ids),
        "default": subset(model_scores("default", rows_def, ids), ids),
    }
    nulls = null_scores(scenario, test, ids)
    out["nulls"] = {n: subset(ms, ids) for n, ms in nulls.items()}
    best_null = min(out["nulls"], key=lambda n: out["nulls"][n]["log_score"])
    out["best_null"] = best_null
    out["skill_fitted"] = skill(out["fitted"], out["nulls"][best_null])
    out["skill_default"] = skill(out["default"], out["nulls"][best_null])
    return out


#: The first 16 bytes of every SQLite 3 database file (https://sqlite.org/fileformat.html).
SQLITE_HEADER = b"SQLite format 3\x00"

#: Tables every Optuna RDB storage has (``optuna.storages._rdb.models``).
OPTUNA_TABLES = frozenset({"studies", "trials", "version_info"})


def check_storage(path: Path, given: bool = True) -> None:
    """Refuse a study file ``calibrate`` must not write to, before any work or any write.

    ``path``: the sqlite file of the study; ``given``: it came from ``--storage`` (the
    message names the option; the default ``OUT/study.sqlite3`` is made with its
    folder, so a missing folder is checked only for a given file).  Accepted: a file
    that does not exist yet in an existing, writable folder; an empty file; an SQLite
    database with no tables or with Optuna's tables (:data:`OPTUNA_TABLES`).  Raises
    :class:`sixparty.cli.CLIError` (exit 2) for anything else: a missing folder, a
    folder, a file that is not SQLite (a scenario given by mistake), another program's
    SQLite database (Optuna would add its tables to it).  Reads at most the file's
    table list, read-only: the file is never changed.
    """
    import os
    import sqlite3

    from sixparty.cli import CLIError

    name = f"--storage {path}" if given else str(path)
    hint = "give another --storage FILE (a new file, or a study an earlier calibrate wrote)"
    if path.is_dir():
        raise CLIError(f"{name}: it is a folder, not a file; {hint}")
    if not path.exists():
        if path.is_symlink():
            raise CLIError(f"{name}: it is a broken symbolic link; {hint}")
        folder = Path(os.path.abspath(path)).parent
        if given and not folder.is_dir():
            what = "is a file, not a folder" if folder.exists() else "does not exist"
            raise CLIError(
                f"cannot write {name}: folder {folder} {what}; create it first or {hint}"
            )
        if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
            raise CLIError(f"cannot write {name}: folder {folder} is not writable; {hint}")
        return
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise CLIError(f"cannot read {name}: {reason[:1].lower() + reason[1:]}; {hint}") from None
    if not head:
        return  # an empty file: SQLite makes it a new database
    if head != SQLITE_HEADER:
        raise CLIError(
            f"{name}: not an Optuna SQLite study file (it does not begin with the SQLite "
            f"header {SQLITE_HEADER[:-1].decode()!r}); {hint}. The file is left untouched."
        )
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {
                row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise CLIError(
            f"{name}: not an Optuna SQLite study file (SQLite cannot read it: {exc}); {hint}. "
            "The file is left untouched."
        ) from None
    if tables and not OPTUNA_TABLES <= tables:
        shown = ", ".join(sorted(tables)[:5]) + (" ..." if len(tables) > 5 else "")
        raise CLIError(
            f"{name}: not an Optuna SQLite study file (an SQLite database with the tables "
            f"{shown}, without Optuna's {', '.join(sorted(OPTUNA_TABLES))}); {hint}. "
            "The file is left untouched."
        )


def cli_calibrate(args) -> int:
    """``sixparty calibrate``.

    Every trial, the default point and the held-out runs go to ONE executor (``--jobs``,
    ``--dask``, ``SIXPARTY_DASK``; :func:`sixparty.analysis.simulate.command_executor`),
    started once.  The study is in the sqlite file from the start (with a manifest, so a
    rerun with the same ``--out`` is allowed and continues it); SIGINT/SIGTERM stop the
    workers, keep the study's finished trials (the running one is marked failed and
    sampled again on the rerun), print one line and exit 130/143.
    """
    import hashlib
    import sys

    from sixparty.analysis.simulate import command_executor, run_command
    from sixparty.analysis.validation import load_for_cli, missing_extra
    from sixparty.cli import CLIError
    from sixparty.outputs import check_out_dir, default_out_dir

    missing_extra("optuna")
    until = _check_month(args.train_until)
    _check_split(load_record(), until)
    path, scenario = load_for_cli(args)
    mode = args.mode or ("anchored" if scenario.parameters.anchoring else "free")
    scenario = set_mode(scenario, mode)
    seed = scenario.seed if args.seed is None else args.seed
    rpp = args.runs_per_point
    # the split, runs per point and seed in the name (not the budget: a rerun with a larger
    # --budget continues the study in the same folder)
    out_dir = Path(
        args.out or default_out_dir(scenario.name, "calibrate", mode, f"{until}-r{rpp}", seed=seed)
    )
    how = check_out_dir(out_dir)
    storage_path = Path(args.storage) if args.storage else out_dir / "study.sqlite3"
    check_storage(storage_path, given=bool(args.storage))
    storage = f"sqlite:///{storage_path.resolve()}"
    study_name = f"{scenario.name}-{mode}-{until}-{seed}"
    source, parents = scenario_chain(path)
    identity = study_identity(
        scenario, until, rpp, seed, mode, source, [p["sha256"] for p in parents]
    )
    if storage_path.exists():
        # refuse before any work to continue a study scored otherwise
        import optuna

        optuna.logging.set_verbosity(optuna.logging.ERROR)
        try:
            old = optuna.load_study(study_name=study_name, storage=storage)
        except KeyError:  # no study of that name in the file: a fresh one is created
            old = None
        if old is not None:
            try:
                check_identity(old, identity, [p["path"] for p in parents], path)
            except StudyMismatch as exc:
                n = len(old.get_trials(deepcopy=False))
                fresh = (
                    "For a fresh study, give another --out DIR (or --storage FILE), or delete "
                    f"{storage_path} to start over there (its {n} "
                    f"{'trial is' if n == 1 else 'trials are'} lost)"
                )
                if exc.to_continue:
                    fresh += f". To continue this study, {exc.to_continue}"
                raise CLIError(
                    f"the study {study_name!r} in {storage_path} cannot be continued: {exc}; "
                    f"continuing would mix scores of different settings. {fresh}"
                ) from None
    ho_runs = max(rpp, 32)
    chunk = getattr(args, "chunk_size", None)
    small = small_budget_warning(args.budget, rpp)
    if small:
        print(small, file=sys.stderr)

    def body() -> int:
        out_dir.mkdir(parents=True, exist_ok=True)
        storage_path.parent.mkdir(parents=True, exist_ok=True)
        if not (out_dir / "manifest.json").exists():
            # the study is written from the first trial on: mark the folder as sixparty's
            # so that a rerun with the same --out continues it instead of being refused
            _write_file(
                out_dir / "manifest.json",
                json.dumps(
                    {
                        "kind": "calibration",
                        "status": "in progress",
                        "command": list(sys.argv),
                        "scenario": str(path),
                        "study": str(storage_path),
                        "files": {},
                    },
                    indent=2,
                    sort_keys=True,
                )
                + "\n",
            )
        what = (
            f"up to {args.budget:,} trials x {rpp:,} runs of {scenario.name} "
            f"(+ {rpp + 2 * ho_runs:,} runs of defaults and held out)"
        )
        with command_executor(args, args.budget * rpp + rpp + 2 * ho_runs, what) as ex:
            result = fit(
                scenario,
                load_record(),
                until,
                args.budget,
                rpp,
                seed,
                storage=storage,
                study_name=study_name,
                progress=not getattr(args, "quiet", False),
                executor=ex,
                chunk_size=chunk,
                batch_trials=getattr(args, "batch_trials", None) or 1,
                identity=identity,
            )
            test = result.pop("test")
            ho = held_out(
                scenario,
                result["best"],
                test,
                ho_runs,
                seed,
                progress=not getattr(args, "quiet", False),
                executor=ex,
                chunk_size=chunk,
            )
        texts = {
            f"{scenario.name}_calibrated.yaml": variant_yaml(
                _extends_ref(path),
                result["best"],
                mode,
                until,
                result["best_score"],
                caution=None
                if small is None
                else (
                    f"CAUTION: fitted with only {args.budget} trials x {rpp} runs per trial "
                    f"(below {MIN_USEFUL_BUDGET} x {MIN_USEFUL_RUNS_PER_POINT}): a smoke "
                    "test, not a calibration to rely on."
                ),
            ),
            "calibration.json": json.dumps(
                {
                    "train_until": until,
                    "mode": mode,
                    "seed": seed,
                    "budget": args.budget,
                    "runs_per_point": rpp,
                    **(
                        {"batch_trials": args.batch_trials}
                        if (getattr(args, "batch_trials", None) or 1) > 1
                        else {}
                    ),
                    "fit": result,
                    "held_out": ho,
                },
                indent=2,
                sort_keys=True,
            )
            + "\n",
        }
        # the sqlite study may live in out_dir: write the other files beside it, atomically each
        for name, text in texts.items():
            _write_file(out_dir / name, text)
        manifest = {
            "kind": "calibration",
            "command": list(sys.argv),
            "scenario": str(path),
            "study": str(storage_path),
            "files": {n: hashlib.sha256(t.encode("utf-8")).hexdigest() for n, t in texts.items()},
        }
        _write_file(
            out_dir / "manifest.json", json.dumps(manifest, indent=2, sort_keys=True) + "\n"
        )
        defaults = {p["name"]: p["default"] for p in free_parameter_table(scenario)}
        print("\n".join(report_lines(scenario.name, mode, until, rpp, result, ho, defaults)))
        print(f"\nWrote {', '.join(texts)} and the study ({storage_path}) to {out_dir}/")
        return 0

    def kept(exc) -> str:
        import signal

        name = signal.Signals(getattr(exc, "signum", signal.SIGINT)).name
        try:
            import optuna

            k = len(completed_trials(optuna.load_study(study_name=study_name, storage=storage)))
            trials = (
                f"its {k:,} finished trial{'s' if k != 1 else ''} (of --budget {args.budget:,})"
            )
        except Exception:  # no study yet, or it cannot be read now
            trials = "its finished trials"
        return (
            f"sixparty: interrupted by {name}: the study in {storage_path} keeps {trials}, "
            f"no new results were written to {out_dir}/; rerun the same command to continue"
        )

    return run_command(body, out_dir, how, kept=kept)


def report_lines(
    name: str,
    mode: str,
    until: str,
    rpp: int,
    result: dict,
    ho: dict,
    defaults: dict | None = None,
) -> list[str]:
    """The lines ``sixparty calibrate`` prints: training and held-out scores, fitted values
    (those that differ from ``defaults``, {name: default}: :func:`fitted_lines`)."""
    lines = [
        f"Calibration of {name} ({mode} mode) on the record up to {until}: "
        f"{result['trials']} trials x {rpp} runs "
        f"({len(result['train_items'])} training items)",
        f"  training log score: fitted {result['best_score']:.3f}, defaults "
        f"{result['default_score']:.3f} nats",
        f"Held out (items after {until} inside the window: {ho['fitted']['items']}), "
        "mean log score / Brier / hit rate:",
    ]
    for label, tot in [("fitted", ho["fitted"]), ("defaults", ho["default"])] + list(
        ho["nulls"].items()
    ):
        lines.append(
            f"  {label:16} {tot['log_score']:.3f} / {tot['brier']:.3f} / {tot['hit_rate']:.3f}"
        )
    lines.append(
        f"  skill (log score) vs the best null ({ho['best_null']}): fitted "
        f"{ho['skill_fitted']['log_score']:.3f}, defaults {ho['skill_default']['log_score']:.3f}"
    )
    lines += fitted_lines(result["best"], defaults)
    return lines


def _show(v) -> str:
    return str(v) if isinstance(v, int) else f"{float(v):.4g}"


def fitted_lines(best: dict, defaults: dict | None) -> list[str]:
    """The fitted parameters that differ from their default, one a line (``name: default ->
    fitted``), or one line saying the fit kept the defaults; ``defaults`` None: every
    fitted value, one a line.  The full set is in calibration.json."""
    if defaults is None:
        return ["Fitted parameters:"] + [f"  {k}: {_show(v)}" for k, v in sorted(best.items())]
    changed = {k: v for k, v in best.items() if k not in defaults or v != defaults[k]}
    if not changed:
        return ["Fitted parameters: the fit kept the defaults (all in calibration.json)"]
    lines = [
        f"Fitted parameters that differ from the default ({len(changed)} of {len(best)}; "
        "all in calibration.json), default -> fitted:"
    ]
    width = max(len(k) for k in changed)
    for k in sorted(changed):
        d = _show(defaults[k]) if k in defaults else "?"
        lines.append(f"  {k:{width}}  {d} -> {_show(changed[k])}")
    return lines


def _extends_ref(path) -> str:
    """How the variant names its parent: the shipped name, else the file's absolute path."""
    import sixparty.scenarios as shipped

    p = Path(path).resolve()
    if p.parent == Path(shipped.__file__).resolve().parent:
        return p.stem
    return str(p)


def _write_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (temporary file beside it, then rename)."""
    import os
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


__all__ = [
    "calibrate",
    "cli_calibrate",
    "fit",
    "free_parameter_table",
    "held_out",
    "ordered",
    "scenario_chain",
    "split_record",
    "study_identity",
    "variant_yaml",
]
