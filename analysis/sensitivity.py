"""Global sensitivity of key outcomes: ``sixparty sensitivity`` (SALib Morris or Sobol).

Factors: the declared free parameters over their ranges
(:func:`sixparty.analysis.calibrate.free_parameter_table`) and the judgement
inputs of each party within their stated uncertainty - capability, resolve,
domestic constraint (each ``uncertainty`` of the scenario's ``Sourced``
value) and the party's saliences shifted together (``salience_uncertainty``)
- as shifts in [−u, +u] (default ``u`` =
:data:`sixparty.scenario.DEFAULT_UNCERTAINTY`), clipped to [0, 1] when applied.

Every point of the sample is run ``runs_per_point`` times with the same seeds
(common random numbers) through :class:`sixparty.analysis.simulate.RunPool`
on one executor (``--jobs``, ``--dask``; :mod:`sixparty.analysis.executors`);
the outcomes of a point are means over its runs (:data:`OUTCOMES`).
"""

from __future__ import annotations

import json
import math
import sys

import numpy as np
from sixparty.analysis.calibrate import free_parameter_table
from sixparty.analysis.ensemble import derive_seeds
from sixparty.analysis.executors import Executor
from sixparty.analysis.scorecard import load_record, record_items
from sixparty.analysis.simulate import RunPool, WorkItem
from sixparty.analysis.validation import hit_matrix, null_scores, totals
from sixparty.scenario import DEFAULT_UNCERTAINTY, PARTIES, Scenario

#: Outcomes (name -> description); each a mean over a point's runs.
OUTCOMES = {
    "skill": "log-score skill against the best null model (strict scorecard, all items)",
    "first_joint_statement": "months from the window's start to the first joint statement or "
    "document (runs without one count as the window's length)",
    "walkout": "probability the DPRK walks out",
    "nuclear_test": "probability of at least one DPRK nuclear test",
    "final_progress": "denuclearization progress in the last month, in [0, 1]",
}


def factors(scenario: Scenario) -> list[dict]:
    """``[{name, kind: parameter|judgement, low, high, integer}]``: parameters by their
    ranges; judgements ``PARTY.input`` as shifts in [−u, +u]."""
    out = [
        {
            "name": p["name"],
            "kind": "parameter",
            "low": float(p["low"]),
            "high": float(p["high"]),
            "integer": p["integer"],
        }
        for p in free_parameter_table(scenario)
    ]
    for party in PARTIES:
        cfg = getattr(scenario.parties, party)
        for what in ("capability", "resolve", "domestic_constraint"):
            u = getattr(cfg, what).uncertainty
            u = DEFAULT_UNCERTAINTY if u is None else float(u)
            if u > 0:
                out.append(
                    {
                        "name": f"{party}.{what}",
                        "kind": "judgement",
                        "low": -u,
                        "high": u,
                        "integer": False,
                    }
                )
        u = cfg.salience_uncertainty
        u = DEFAULT_UNCERTAINTY if u is None else float(u)
        if u > 0:
            out.append(
                {
                    "name": f"{party}.salience",
                    "kind": "judgement",
                    "low": -u,
                    "high": u,
                    "integer": False,
                }
            )
    return out


def work_items(point: np.ndarray, facs: list[dict], seeds: list[int]) -> list[WorkItem]:
    """The runs of one sample point (one per seed)."""
    params = tuple(
        (f["name"], (int(round(v)) if f["integer"] else float(v)))
        for f, v in zip(facs, point, strict=True)
        if f["kind"] == "parameter"
    )
    shifts = tuple(
        (f["name"], float(v)) for f, v in zip(facs, point, strict=True) if f["kind"] == "judgement"
    )
    return [WorkItem(s, params, shifts) for s in seeds]


def point_outcomes(rows: list[dict], ids: list[str], null_log: float, window_months: int) -> dict:
    """:data:`OUTCOMES` of one point from its runs' rows."""
    log = totals(hit_matrix(rows, ids))["log_score"]
    fj = [r["outcomes"]["first_joint_statement"] for r in rows]
    return {
        "skill": (null_log - log) / null_log if null_log > 0 else math.nan,
        "first_joint_statement": float(
            np.mean([window_months if math.isnan(x) else x for x in fj])
        ),
        "walkout": float(np.mean([r["outcomes"]["walkout"] for r in rows])),
        "nuclear_test": float(np.mean([r["outcomes"]["nuclear_test"] for r in rows])),
        "final_progress": float(np.mean([r["outcomes"]["final_progress"] for r in rows])),
    }


def sample_points(
    scenario: Scenario, method: str = "morris", samples: int | None = None, seed: int = 0
) -> tuple[list[dict], dict, np.ndarray, int]:
    """(factors, SALib problem, sample X of shape (points, factors), samples) of
    :func:`run_sensitivity`; raises ValueError for an unknown method."""
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    facs = factors(scenario)
    problem = {
        "num_vars": len(facs),
        "names": [f["name"] for f in facs],
        "bounds": [[f["low"], f["high"]] for f in facs],
    }
    if method == "morris":
        n = samples or 8
        X = morris_sample.sample(problem, n, num_levels=4, seed=seed)
    elif method == "sobol":
        n = samples or 64
        X = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    else:
        raise ValueError(f"unknown method {method!r}; expected morris or sobol")
    return facs, problem, X, n


def run_sensitivity(
    scenario: Scenario,
    method: str = "morris",
    samples: int | None = None,
    runs_per_point: int = 4,
    jobs: int = 1,
    seed: int = 0,
    progress: bool = False,
    record: dict | None = None,
    executor: Executor | None = None,
    chunk_size: int | None = None,
) -> dict:
    """Sample, simulate, analyse.  Returns ``{"factors", "method", "points", "indices":
    [{factor, kind, outcome, ...index columns}], "outputs": (points, outcomes) array}``.

    executor: where every point's runs go (default ``jobs`` worker processes); the
    indices do not depend on it.

    morris: ``samples`` trajectories (default 8), 4 levels; indices mu_star, mu_star_conf,
    sigma (SALib.analyze.morris).  sobol: ``samples`` base samples (default 64; a power of 2),
    Saltelli's scheme with second order off; indices S1, S1_conf, ST, ST_conf.
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze

    record = record if record is not None else load_record()
    facs, problem, X, n = sample_points(scenario, method, samples, seed)
    ids = [it["id"] for it in record_items(record)]
    nulls = null_scores(scenario, record, ids)
    null_log = min(ms.totals["log_score"] for ms in nulls.values())
    seeds = derive_seeds(seed, runs_per_point)
    items = [w for x in X for w in work_items(x, facs, seeds)]
    with RunPool(scenario, record, jobs, executor=executor, chunk_size=chunk_size) as pool:
        rows = pool.map(items, progress=progress, desc=f"sensitivity ({method})")
    names = list(OUTCOMES)
    Y = np.array(
        [
            [
                point_outcomes(
                    rows[k * runs_per_point : (k + 1) * runs_per_point],
                    ids,
                    null_log,
                    scenario.window.months,
                )[o]
                for o in names
            ]
            for k in range(len(X))
        ]
    )
    indices = []
    for j, o in enumerate(names):
        y = Y[:, j]
        if method == "morris":
            res = morris_analyze.analyze(
                problem, X, y, num_levels=4, seed=seed, print_to_console=False
            )
            for i, f in enumerate(facs):
                indices.append(
                    {
                        "factor": f["name"],
                        "kind": f["kind"],
                        "outcome": o,
                        "mu_star": float(res["mu_star"][i]),
                        "mu_star_conf": float(res["mu_star_conf"][i]),
                        "sigma": float(res["sigma"][i]),
                        "mu": float(res["mu"][i]),
                    }
                )
        else:
            res = sobol_analyze.analyze(
                problem, y, calc_second_order=False, seed=seed, print_to_console=False
            )
            for i, f in enumerate(facs):
                indices.append(
                    {
                        "factor": f["name"],
                        "kind": f["kind"],
                        "outcome": o,
                        "S1": float(res["S1"][i]),
                        "S1_conf": float(res["S1_conf"][i]),
                        "ST": float(res["ST"][i]),
                        "ST_conf": float(res["ST_conf"][i]),
                    }
                )
    return {
        "factors": facs,
        "method": method,
        "samples": n,
        "points": int(len(X)),
        "runs_per_point": runs_per_point,
        "indices": indices,
        "outputs": Y,
        "outcomes": names,
        "null_log": null_log,
    }


def main_index(method: str) -> str:
    return "mu_star" if method == "morris" else "ST"


def ranking(res: dict, outcome: str, top: int = 5) -> list[tuple[str, float]]:
    """The ``top`` factors by the main index (mu_star or ST) for ``outcome``."""
    key = main_index(res["method"])
    rows = [r for r in res["indices"] if r["outcome"] == outcome]
    rows.sort(key=lambda r: -(r[key] if not math.isnan(r[key]) else -1))
    return [(r["factor"], r[key]) for r in rows[:top]]


def figure(res: dict, top: int = 12):
    """Heat map factors × outcomes of the main index, each outcome scaled to its maximum;
    rows: the factors among the ``top`` of some outcome (every factor is in the CSV)."""
    from matplotlib.figure import Figure

    key = main_index(res["method"])
    keep = {f for o in res["outcomes"] for f, _ in ranking(res, o, top)}
    names = [f["name"] for f in res["factors"] if f["name"] in keep]
    M = np.zeros((len(names), len(res["outcomes"])))
    for r in res["indices"]:
        if r["factor"] in keep:
            M[names.index(r["factor"]), res["outcomes"].index(r["outcome"])] = r[key]
    scaled = M / np.where(np.nanmax(M, axis=0) > 0, np.nanmax(M, axis=0), 1.0)
    fig = Figure(figsize=(8, 0.26 * len(names) + 1.8), layout="constrained")
    ax = fig.add_subplot()
    im = ax.imshow(scaled, aspect="auto", cmap="Blues", vmin=0, vmax=1)
    ax.set_yticks(range(len(names)), names, fontsize=7.5)
    ax.set_xticks(
        range(len(res["outcomes"])),
        [o.replace("_", " ") for o in res["outcomes"]],
        rotation=25,
        ha="right",
        fontsize=8,
    )
    for i in range(len(names)):
        for j in range(len(res["outcomes"])):
            ax.text(
                j,
                i,
                f"{M[i, j]:.2g}",
                ha="center",
                va="center",
                fontsize=6,
                color="white" if scaled[i, j] > 0.6 else "black",
            )
    ax.set_title(
        f"{'Morris mu*' if res['method'] == 'morris' else 'Sobol total index ST'} "
        f"(shade: share of the outcome's largest); {res['points']} points x "
        f"{res['runs_per_point']} runs;\nthe {len(names)} factors in the top {top} of "
        f"some outcome (of {len(res['factors'])})",
        fontsize=9,
    )
    fig.colorbar(im, ax=ax, shrink=0.5)
    return fig


def _csv(res: dict) -> str:
    import io

    import pandas as pd

    buf = io.StringIO()
    pd.DataFrame(res["indices"]).to_csv(buf, index=False, lineterminator="\n", float_format="%.6g")
    return buf.getvalue()


def report_lines(res: dict) -> list[str]:
    key = main_index(res["method"])
    out = [
        f"Sensitivity ({res['method']}, {res['points']} points x {res['runs_per_point']} runs, "
        f"{len(res['factors'])} factors): top factors by {key}"
    ]
    for o in res["outcomes"]:
        out.append(f"  {o:22} " + ", ".join(f"{f} {v:.3g}" for f, v in ranking(res, o)))
    return out


#: Fewest samples (``--samples``) for indices worth reading: Morris trajectories r = 4,
#: the low end of the 4-10 usually advised (Saltelli et al. 2008, *Global Sensitivity
#: Analysis: The Primer*, ch. 3); Sobol base samples 64, the command's default (its
#: bootstrap intervals are already wide there).  Below them the command warns
#: (docs/validation.md, section 7); it does not refuse.
MIN_USEFUL_SAMPLES = {"morris": 4, "sobol": 64}

#: Fewest runs per point (``--runs-per-point``): with one run a point's outcome is one
#: stochastic draw (a probability is 0 or 1), and the elementary effects measure the noise.
MIN_USEFUL_RUNS_PER_POINT = 2


def small_budget_warning(method: str, samples: int, runs_per_point: int) -> str | None:
    """The one-line stderr warning of ``sixparty sensitivity`` when ``samples`` is below
    :data:`MIN_USEFUL_SAMPLES` of ``method`` or ``runs_per_point`` below
    :data:`MIN_USEFUL_RUNS_PER_POINT`, else None; it names only the minimum (and the
    option) that is not reached."""
    low = MIN_USEFUL_SAMPLES[method]
    what = "trajectories" if method == "morris" else "base samples"
    below, use = [], []  # only what is below its minimum: the other is not the problem
    if samples < low:
        below.append(f"{low} {what} ({method})")
        use.append(f"--samples {low}")
    if runs_per_point < MIN_USEFUL_RUNS_PER_POINT:
        below.append(f"{MIN_USEFUL_RUNS_PER_POINT} runs per point")
        use.append(f"--runs-per-point {MIN_USEFUL_RUNS_PER_POINT}")
    if not below:
        return None
    return (
        f"sixparty sensitivity: warning: --samples {samples} x --runs-per-point "
        f"{runs_per_point}: below {' and '.join(below)} the indices are mostly noise; "
        f"use {' '.join(use)} or more"
    )


def check_samples(method: str, samples: int | None) -> None:
    """Refuse (the CLI's error, exit 2, before any run) a Sobol sample count that is not a
    power of 2: Saltelli's scheme (SALib) needs one for its Sobol sequence, and with another
    count it runs and gives indices outside [0, 1]."""
    if method != "sobol" or samples is None or samples & (samples - 1) == 0:
        return
    from sixparty.cli import CLIError

    lower = 1 << (samples.bit_length() - 1)
    raise CLIError(
        f"--samples {samples}: Sobol needs a power of 2 base samples; "
        f"try --samples {lower} or --samples {lower * 2}"
    )


def cli_sensitivity(args) -> int:
    """``sixparty sensitivity``: every point's runs on ONE executor (``--jobs``, ``--dask``,
    ``SIXPARTY_DASK``); SIGINT/SIGTERM stop it, write nothing and exit 130/143."""
    from sixparty import outputs
    from sixparty.analysis.simulate import command_executor, run_command
    from sixparty.analysis.validation import load_for_cli, missing_extra, set_mode

    check_samples(args.method, args.samples)
    missing_extra("SALib")
    path, scenario = load_for_cli(args)
    mode = args.mode or ("anchored" if scenario.parameters.anchoring else "free")
    scenario = set_mode(scenario, mode)
    seed = scenario.seed if args.seed is None else args.seed
    seed = seed % (2**32)  # SALib seeds numpy's legacy generator
    out_dir = args.out or outputs.default_out_dir(
        scenario.name,
        f"sensitivity-{args.method}",
        mode,
        f"s{args.samples}x{args.runs_per_point}",
        seed=seed,
    )
    how = outputs.check_out_dir(out_dir)
    default_n = {"morris": 8, "sobol": 64}[args.method]  # sample_points' defaults
    small = small_budget_warning(args.method, args.samples or default_n, args.runs_per_point)
    if small:
        print(small, file=sys.stderr)
    points = len(sample_points(scenario, args.method, args.samples, seed)[2])
    runs = points * args.runs_per_point

    def body() -> int:
        what = f"{runs:,} runs of {scenario.name} ({points:,} points x {args.runs_per_point:,})"
        with command_executor(args, runs, what) as ex:
            res = run_sensitivity(
                scenario,
                args.method,
                args.samples,
                args.runs_per_point,
                seed=seed,
                progress=not getattr(args, "quiet", False),
                executor=ex,
                chunk_size=getattr(args, "chunk_size", None),
            )
        lines = report_lines(res)

        def fig(folder):
            figure(res).savefig(folder / "sensitivity.png", dpi=110)
            return ["sensitivity.png"]

        summary = {k: v for k, v in res.items() if k != "outputs"}
        summary["mode"] = mode
        summary["seed"] = seed
        files = outputs.write_atomically(
            out_dir,
            {
                "sensitivity.csv": _csv(res),
                "sensitivity.json": json.dumps(summary, indent=2, sort_keys=True) + "\n",
                "sensitivity.txt": "\n".join(lines) + "\n",
            },
            writers=[fig],
            manifest={"command": list(sys.argv), "scenario": str(path), "kind": "sensitivity"},
        )
        print("\n".join(lines))
        print(f"\nWrote {len(files)} files to {out_dir}/")
        return 0

    return run_command(body, out_dir, how)
