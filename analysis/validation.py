"""Ensemble scores of the model and the null models against the record; ``sixparty evaluate``.

Every record item is a forecast event ("this happened, within the
tolerance"; :mod:`sixparty.analysis.scorecard`).  Over N runs the model gives
each item a probability p = the share of runs that hit it.  Per item:

* Brier score (1 − p)²  (the outcome is 1: the record says it happened);
* log score −ln(max(p, ε)) with the floor ε = :data:`LOG_FLOOR` (so a
  probability 0 costs −ln ε ≈ 4.6 nats, not infinity, and N runs can be
  compared with a deterministic null);
* the hit rate (mean hits per run / items).

Totals are means over the scored items.  Bootstrap intervals
(``scipy.stats.bootstrap``, percentile, over runs) are given for the model's
totals.  Skill of the model against a null, for a score S where lower is
better (Brier, log): (S_null − S_model) / (S_null − S_best) with S_best = 0; for the
hit rate h: (h_model − h_null) / (1 − h_null): 1 = perfect, 0 = no better than
the null, negative = worse.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass, field

import numpy as np
from sixparty.analysis.executors import Executor
from sixparty.analysis.nulls import NULL_DESCRIPTIONS, NULL_MODELS, null_runs
from sixparty.analysis.scorecard import (
    NO_SESSION,
    fed_item_ids,
    load_record,
    record_items,
)
from sixparty.analysis.simulate import WorkItem, score_row, simulate_many
from sixparty.scenario import DOCUMENT_TYPES, Scenario

#: Probability floor of the log score.
LOG_FLOOR = 0.01
#: Bootstrap resamples and confidence level.
BOOTSTRAP = {"n_resamples": 999, "confidence_level": 0.9}


def hit_matrix(rows: list[dict], ids: list[str]) -> np.ndarray:
    """(runs, items) array: 1.0 hit, 0.0 miss, NaN not scored."""
    out = np.full((len(rows), len(ids)), np.nan)
    for r, row in enumerate(rows):
        for j, i in enumerate(ids):
            h = row["hit"].get(i)
            if h is not None:
                out[r, j] = 1.0 if h else 0.0
    return out


def item_scores(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Brier, log score) per item for probabilities ``p`` of outcomes that happened."""
    p = np.asarray(p, dtype=float)
    return (1.0 - p) ** 2, -np.log(np.maximum(p, LOG_FLOOR))


def totals(H: np.ndarray) -> dict[str, float]:
    """``hit_rate``, ``brier``, ``log_score`` (means over scored items) of a hit matrix."""
    scored = ~np.all(np.isnan(H), axis=0)
    if not scored.any():
        return {"hit_rate": math.nan, "brier": math.nan, "log_score": math.nan, "items": 0}
    Hs = H[:, scored]
    p = np.nanmean(Hs, axis=0)
    b, ls = item_scores(p)
    return {
        "hit_rate": float(np.nanmean(Hs)),
        "brier": float(b.mean()),
        "log_score": float(ls.mean()),
        "items": int(scored.sum()),
    }


def skill(model: dict, null: dict) -> dict[str, float]:
    """Skill of ``model`` against ``null`` on each total (module docstring)."""
    out = {}
    for key in ("brier", "log_score"):
        den = null[key]
        out[key] = (null[key] - model[key]) / den if den > 0 else math.nan
    den = 1.0 - null["hit_rate"]
    out["hit_rate"] = (model["hit_rate"] - null["hit_rate"]) / den if den > 0 else math.nan
    return out


def bootstrap_totals(H: np.ndarray, seed: int = 0) -> dict[str, list[float]]:
    """90% percentile bootstrap intervals over runs of each total ([low, high])."""
    from scipy.stats import bootstrap

    n = H.shape[0]
    if n < 2:
        return {}
    out = {}
    for key in ("hit_rate", "brier", "log_score"):

        def stat(idx, key=key):
            return totals(H[np.asarray(idx, dtype=int)])[key]

        res = bootstrap(
            (np.arange(n),),
            stat,
            vectorized=False,
            method="percentile",
            random_state=np.random.default_rng(seed),
            **BOOTSTRAP,
        )
        ci = res.confidence_interval
        out[key] = [float(ci.low), float(ci.high)]
    return out


@dataclass
class ModelScores:
    """One model's (or null's) ensemble scores: per item probability, Brier, log score and
    near-miss rate; totals; bootstrap intervals (the simulated model only)."""

    name: str
    runs: int
    p: dict[str, float]
    near: dict[str, float]
    categories: dict[str, dict[str, float]]
    totals: dict[str, float]
    ci: dict[str, list[float]] = field(default_factory=dict)
    fed: list[str] = field(default_factory=list)


def model_scores(
    name: str, rows: list[dict], ids: list[str], ci_seed: int | None = None
) -> ModelScores:
    """:class:`ModelScores` from scored rows (:func:`simulate_many` or :func:`score_row`)."""
    H = hit_matrix(rows, ids)
    p = {
        i: (float(np.nanmean(H[:, j])) if not np.all(np.isnan(H[:, j])) else math.nan)
        for j, i in enumerate(ids)
    }
    near = {i: float(np.mean([bool(r["near"].get(i)) for r in rows])) for i in ids}
    cats: dict[str, dict[str, float]] = {}
    for i in ids:
        c: dict[str, float] = {}
        for r in rows:
            k = r["category"].get(i, "")
            if k:
                c[k] = c.get(k, 0.0) + 1.0 / len(rows)
        cats[i] = c
    fed = sorted({f for r in rows for f in r.get("fed", [])})
    return ModelScores(
        name,
        len(rows),
        p,
        near,
        cats,
        totals(H),
        bootstrap_totals(H, ci_seed) if ci_seed is not None else {},
        fed,
    )


def null_scores(
    scenario: Scenario, record: dict, ids: list[str], draws: int = 500, seed: int = 0
) -> dict[str, ModelScores]:
    """Every null model scored by the same rules (:func:`score_row` on each null run)."""
    out = {}
    for name, runs in null_runs(scenario, record, draws, seed, records=True).items():
        out[name] = model_scores(name, [score_row(t, record) for t in runs], ids)
    return out


def subset(ms: ModelScores, keep: list[str], rows: list[dict] | None = None) -> dict[str, float]:
    """Totals of ``ms`` restricted to the items ``keep`` (from its probabilities; the hit
    rate as the mean probability)."""
    ps = np.array([ms.p[i] for i in keep if not math.isnan(ms.p[i])])
    if len(ps) == 0:
        return {"hit_rate": math.nan, "brier": math.nan, "log_score": math.nan, "items": 0}
    b, ls = item_scores(ps)
    return {
        "hit_rate": float(ps.mean()),
        "brier": float(b.mean()),
        "log_score": float(ls.mean()),
        "items": int(len(ps)),
    }


def reliability_points(ms: ModelScores, record: dict) -> list[tuple[float, float]]:
    """(forecast probability, outcome 0/1) pairs for a reliability diagram.

    A session item is a forecast over categories (each document type, or no session
    within the tolerance): each category's share of runs against 1 if it is the recorded
    document; an episode item is its hit probability against 1.
    """
    docs = {f"session:{s['id']}": str(s.get("document", "none")) for s in record["sessions"]}
    pts = []
    for i, p in ms.p.items():
        if math.isnan(p):
            continue
        if i in docs:
            cats = ms.categories.get(i, {})
            for c in list(DOCUMENT_TYPES) + [NO_SESSION]:
                pts.append((cats.get(c, 0.0), 1.0 if c == docs[i] else 0.0))
        else:
            pts.append((p, 1.0))
    return pts


# ------------------------------------------------------------------ evaluate
def set_mode(scenario: Scenario, mode: str) -> Scenario:
    """A copy of ``scenario`` with ``parameters.anchoring`` set by ``mode`` (anchored|free)."""
    sc = scenario.model_copy(deep=True)
    sc.parameters.anchoring = mode == "anchored"
    return sc


def evaluate(
    scenario: Scenario,
    runs: int = 100,
    seed: int = 0,
    jobs: int = 1,
    record: dict | None = None,
    draws: int = 500,
    progress: bool = False,
    ci: bool = True,
    executor: Executor | None = None,
    chunk_size: int | None = None,
    mode: str | None = "free",
) -> dict:
    """Ensemble scores of the model (``runs`` seeds derived from ``seed``) and the nulls.

    What ``sixparty evaluate`` computes with the same scenario, ``--runs``, ``--seed`` and
    ``--mode``.  mode: ``"free"`` (the default, as the command's: stated positions do not
    re-anchor the parties), ``"anchored"`` (they do) or ``None`` (the scenario's own
    ``parameters.anchoring``; ``historical`` is anchored); any other value raises
    ``ValueError``.  Returns ``{"ids", "model": ModelScores, "nulls": {name: ModelScores},
    "skill": {null: {...}}, "record", "fed", "fed_if_anchored", "mode", "runs", "seed"}``:
    ``mode`` the mode used, ``fed`` the items fed in it (none in free mode),
    ``fed_if_anchored`` those anchored mode would feed.
    executor: where the runs go (:mod:`sixparty.analysis.executors`; default ``jobs``
    worker processes); the scores do not depend on it.
    """
    from sixparty.analysis.ensemble import derive_seeds

    if mode not in ("free", "anchored", None):
        raise ValueError(
            f"mode must be 'free', 'anchored' or None (the scenario's own), got {mode!r}"
        )
    if mode is not None:
        scenario = set_mode(scenario, mode)
    record = record if record is not None else load_record()
    ids = [it["id"] for it in record_items(record)]
    rows = simulate_many(
        scenario,
        [WorkItem(s) for s in derive_seeds(seed, runs)],
        jobs,
        record,
        progress=progress,
        desc="evaluate",
        executor=executor,
        chunk_size=chunk_size,
    )
    model = model_scores("model", rows, ids, ci_seed=seed if ci else None)
    nulls = null_scores(scenario, record, ids, draws, seed)
    return {
        "ids": ids,
        "model": model,
        "nulls": nulls,
        "skill": {n: skill(model.totals, ns.totals) for n, ns in nulls.items()},
        "record": record,
        "fed": sorted(fed_item_ids(record, scenario)),
        "fed_if_anchored": sorted(fed_item_ids(record, set_mode(scenario, "anchored"))),
        "mode": "anchored" if scenario.parameters.anchoring else "free",
        "runs": runs,
        "seed": seed,
    }


def evaluation_rows(ev: dict) -> list[dict]:
    """evaluation.csv rows: one per item × model (model first, then the nulls)."""
    labels = {it["id"]: it for it in record_items(ev["record"])}
    rows = []
    for ms in [ev["model"]] + [ev["nulls"][n] for n in NULL_MODELS]:
        for i in ev["ids"]:
            p = ms.p[i]
            b, ls = item_scores([p]) if not math.isnan(p) else ([math.nan], [math.nan])
            rows.append(
                {
                    "item": i,
                    "kind": labels[i]["kind"],
                    "recorded": labels[i]["start"],
                    "model": ms.name,
                    "runs": ms.runs,
                    "p_hit": p,
                    "p_near": ms.near[i],
                    "brier": float(b[0]),
                    "log_score": float(ls[0]),
                    "fed": i in ev["fed"] and ms.name == "model",
                }
            )
    return rows


def _fmt(x: float, nd: int = 2) -> str:
    return "  -  " if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{nd}f}"


#: Column labels of :func:`table_lines`: the model and each null model.
TABLE_COLUMNS = {
    "model": "model",
    "fixed_schedule": "fixed",
    "random_schedule": "random",
    "eu_forecast": "EU",
}


def fed_note(ev: dict) -> str:
    """The line under :func:`table_lines`' items saying which items are fed.

    Anchored mode: how many items are fed (``yes`` in the ``fed`` column).  Free mode:
    none is fed (anchoring is off), naming the items anchored mode would feed, which
    are forecasts here like the others.
    """
    if ev["mode"] == "anchored":
        n = len(ev["fed"])
        return (
            f"fed: {n} item{'s' if n != 1 else ''} marked yes, read off stated positions the "
            "runs were anchored to (anchored mode)"
            if n
            else "fed: none (anchored mode, but the scenario holds no stated position an item "
            "is read off)"
        )
    would = ev.get("fed_if_anchored") or []
    return "fed: none - free mode, anchoring off: no run is reset to a stated position" + (
        f"; the {len(would)} items anchored mode feeds ({', '.join(would)}) are "
        "forecasts here like the others"
        if would
        else ""
    )


def table_lines(ev: dict) -> list[str]:
    """The table ``sixparty evaluate`` prints: items × (model, nulls) hit probabilities and
    whether the item is fed (``yes``, else blank; :func:`fed_note` below the items), then
    totals (hit rate, Brier, log score), skill and bootstrap intervals."""
    names = ["model"] + list(NULL_MODELS)
    cols = TABLE_COLUMNS
    get = {"model": ev["model"], **ev["nulls"]}
    fed = set(ev["fed"])
    out = [
        f"Strict replay scorecard, {ev['mode']} mode, {ev['runs']} runs (seed {ev['seed']}); "
        f"P(hit) per item",
        "",
        f"{'item':44} " + " ".join(f"{cols[n]:>7}" for n in names) + f"  | {'fed':3}",
    ]
    for i in ev["ids"]:
        out.append(
            f"{i[:44]:44} "
            + " ".join(f"{_fmt(get[n].p[i]):>7}" for n in names)
            + ("  | yes" if i in fed else "  |").rstrip()
        )
    import textwrap

    out += textwrap.wrap(fed_note(ev), width=100, subsequent_indent="     ", break_on_hyphens=False)
    out += ["", f"{'total (mean over items)':44} " + " ".join(f"{cols[n]:>7}" for n in names)]
    for key, lab in (
        ("hit_rate", "hit rate (higher is better)"),
        ("brier", "Brier (lower)"),
        ("log_score", f"log score, nats, floor {LOG_FLOOR} (lower)"),
    ):
        out.append(f"{lab:44} " + " ".join(f"{_fmt(get[n].totals[key], 3):>7}" for n in names))
    out.append("")
    for n in NULL_MODELS:
        s = ev["skill"][n]
        out.append(
            f"skill vs {n:16} hit rate {_fmt(s['hit_rate'], 3):>7}  Brier "
            f"{_fmt(s['brier'], 3):>7}  log {_fmt(s['log_score'], 3):>7}"
        )
    if ev["model"].ci:
        ci = ev["model"].ci
        out.append(
            "model 90% bootstrap over runs: "
            + "; ".join(
                f"{k} [{ci[k][0]:.3f}, {ci[k][1]:.3f}]" for k in ("hit_rate", "brier", "log_score")
            )
        )
    else:  # bootstrap_totals gives none for one run: say so rather than drop the line
        out.append(
            f"model 90% bootstrap over runs: none ({ev['runs']} run; an interval needs "
            "--runs 2 or more)"
        )
    return out


def evaluation_json(ev: dict) -> dict:
    """The JSON summary (totals, skill, intervals, probabilities, settings)."""

    def ms_dict(ms: ModelScores) -> dict:
        return {
            "runs": ms.runs,
            "totals": ms.totals,
            "ci90": ms.ci,
            "p_hit": ms.p,
            "p_near": ms.near,
        }

    return {
        "mode": ev["mode"],
        "runs": ev["runs"],
        "seed": ev["seed"],
        "log_floor": LOG_FLOOR,
        "fed_items": ev["fed"],
        "model": ms_dict(ev["model"]),
        "nulls": {
            n: dict(ms_dict(ms), description=NULL_DESCRIPTIONS[n]) for n, ms in ev["nulls"].items()
        },
        "skill": ev["skill"],
    }


def figures(ev: dict):
    """{"evaluation_items": probability bars per item, "evaluation_reliability": reliability
    diagram} as matplotlib Figures."""
    from matplotlib.figure import Figure

    ids = ev["ids"]
    names = ["model"] + list(NULL_MODELS)
    get = {"model": ev["model"], **ev["nulls"]}
    fig = Figure(figsize=(10, 0.32 * len(ids) + 1.8), layout="constrained")
    ax = fig.add_subplot()
    h = 0.8 / len(names)
    colors = ["#1f77b4", "#aaaaaa", "#dddddd", "#ff7f0e"]
    for k, n in enumerate(names):
        vals = [0.0 if math.isnan(get[n].p[i]) else get[n].p[i] for i in ids]
        ax.barh(
            [y + (k - 1.5) * h for y in range(len(ids))],
            vals,
            height=h,
            color=colors[k],
            label=n.replace("_", " "),
            edgecolor="black",
            linewidth=0.3,
        )
    ax.set_yticks(
        range(len(ids)), [i + (" (fed)" if i in ev["fed"] else "") for i in ids], fontsize=7.5
    )
    ax.set_ylim(len(ids) - 0.5, -0.5)
    ax.axvline(1.0, color="black", lw=0.8)
    ax.set_xlim(0, 1.02)
    ax.set_xlabel("probability of the recorded outcome (the record: 1)")
    ax.set_title(f"Strict scorecard items, {ev['mode']} mode, {ev['runs']} runs")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    rel = Figure(figsize=(5.5, 5.5), layout="constrained")
    ax2 = rel.add_subplot()
    pts = np.array(reliability_points(ev["model"], ev["record"]))
    bins = np.linspace(0, 1, 6)
    if len(pts):
        idx = np.clip(np.digitize(pts[:, 0], bins) - 1, 0, len(bins) - 2)
        xs, ys, ns = [], [], []
        for b in range(len(bins) - 1):
            sel = idx == b
            if sel.any():
                xs.append(pts[sel, 0].mean())
                ys.append(pts[sel, 1].mean())
                ns.append(int(sel.sum()))
        ax2.plot(xs, ys, "o-", color="#1f77b4", label="model")
        for x, y, n in zip(xs, ys, ns, strict=True):
            ax2.annotate(f"n={n}", (x, y), textcoords="offset points", xytext=(4, -10), fontsize=7)
    ax2.plot([0, 1], [0, 1], "--", color="grey", lw=0.8, label="perfect reliability")
    ax2.set_xlabel("forecast probability (bin mean)")
    ax2.set_ylabel("observed frequency in the record")
    ax2.set_title("Reliability: session documents by category, episodes")
    ax2.set_xlim(0, 1)
    ax2.set_ylim(-0.02, 1.02)
    ax2.legend(loc="upper left", fontsize=8)
    return {"evaluation_items": fig, "evaluation_reliability": rel}


def _csv_text(rows: list[dict]) -> str:
    import io

    import pandas as pd

    df = pd.DataFrame(rows)
    for col in df.columns:  # true/false, as every other CSV of the project writes them
        if df[col].dtype == bool:
            df[col] = df[col].map({True: "true", False: "false"})
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n", float_format="%.6g")
    return buf.getvalue()


def missing_extra(module: str, extra: str = "validation") -> None:
    """Raise the CLI's error (exit 2) when an optional dependency is missing."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError:
        from sixparty.cli import CLIError

        raise CLIError(
            f"this command needs the {module!r} package: pip install 'sixparty[{extra}]'"
        ) from None


def load_for_cli(args):
    """(path, scenario) of ``args.scenario``, with ``--mode`` applied when given."""
    from sixparty.loader import find_scenario, load_scenario

    path = find_scenario(args.scenario or "historical")
    scenario = load_scenario(path)
    mode = getattr(args, "mode", None)
    if mode:
        scenario = set_mode(scenario, mode)
    return path, scenario


def cli_evaluate(args) -> int:
    """``sixparty evaluate``: ensemble scores, nulls, table, evaluation.csv/.json, figures.

    The runs go to one executor (``--jobs``, ``--dask``, ``SIXPARTY_DASK``:
    :func:`sixparty.analysis.simulate.command_executor`); SIGINT/SIGTERM stop it, write
    nothing and exit 130/143.
    """
    from sixparty import outputs
    from sixparty.analysis.compare import few_runs_warning
    from sixparty.analysis.simulate import command_executor, run_command
    from sixparty.cli import CLIError

    if args.runs < 1:
        raise CLIError(f"--runs must be at least 1, got {args.runs}")
    path, scenario = load_for_cli(args)
    seed = scenario.seed if args.seed is None else args.seed
    mode = "anchored" if scenario.parameters.anchoring else "free"
    # the runs and the seed in the name, as an ensemble's: another --runs or --seed
    # does not replace an earlier evaluation
    out_dir = args.out or outputs.default_out_dir(
        scenario.name, "evaluate", mode, f"n{args.runs}", seed=seed
    )
    how = outputs.check_out_dir(out_dir)
    warning = few_runs_warning("evaluate", args.runs, "90% bootstrap")
    if warning:
        print(warning, file=sys.stderr)

    def body() -> int:
        with command_executor(args, args.runs, f"{args.runs:,} runs of {scenario.name}") as ex:
            ev = evaluate(
                scenario,
                runs=args.runs,
                seed=seed,
                progress=not getattr(args, "quiet", False),
                executor=ex,
                chunk_size=getattr(args, "chunk_size", None),
                mode=None,  # load_for_cli applied --mode
            )
        lines = table_lines(ev)

        def figs(folder):
            names = []
            for name, fig in figures(ev).items():
                fig.savefig(folder / f"{name}.png", dpi=110)
                names.append(f"{name}.png")
            return names

        files = outputs.write_atomically(
            out_dir,
            {
                "evaluation.csv": _csv_text(evaluation_rows(ev)),
                "evaluation.json": json.dumps(
                    evaluation_json(ev), indent=2, sort_keys=True, allow_nan=True
                )
                + "\n",
                "evaluation.txt": "\n".join(lines) + "\n",
            },
            writers=[figs],
            manifest={"command": list(sys.argv), "scenario": str(path), "kind": "evaluation"},
        )
        print("\n".join(lines))
        print(f"\nWrote {len(files)} files to {out_dir}/")
        return 0

    return run_command(body, out_dir, how)
