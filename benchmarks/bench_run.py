"""Speed of single runs of the historical scenario (2003-01 to 2012-12) and of the command.

Usage: python benchmarks/bench_run.py [--repeat 15] [--loop 100] [--loops 3] [--cli 5] [--no-model]
       [--before OTHER_PYTHON] [--only TEXT] [--stages N]

Prints medians: the import of the model (fresh interpreter), one run after
import (as ``sixparty run`` does it, positions recorded, and as an ensemble
does it, positions not recorded), and a loop of ``--loop`` runs (distinct
seeds).  Target (2-core machine): one run < 0.2 s.

Then the command as a user types it, each in a fresh process, CPU time
(user + system, of the child; medians of ``--cli`` runs): ``sixparty
--help``, ``sixparty list``, ``sixparty run`` without and with its six
figures (PNG, then ``--lang zh``).  Targets: ``--help`` and ``list`` <= 0.5 s,
``run`` with figures <= 3 s.  matplotlib's font cache is built once per
machine (per ``MPLCONFIGDIR``); its first-run cost is measured apart, in a
fresh temporary ``MPLCONFIGDIR`` (the user's cache is not touched).  CPU
time grows on a loaded machine: the load average is printed with the figures.
With ``--before OTHER_PYTHON`` (a venv with an earlier sixparty installed) each
command runs alternately by both, and the medians and their ratio are printed.
``--only run`` keeps the commands whose label contains ``run``.  Whether Python
writes bytecode is printed too: with ``PYTHONDONTWRITEBYTECODE`` set, an editable
install compiles sixparty's own modules in every process (about 0.1-0.25 s of CPU
that an installed package does not pay); compare installs run the same way.

``--stages N``: where ``sixparty run`` (six PNG figures) spends its CPU, in one fresh
process each time (median of N): the imports (numpy, pydantic and the scenario
models, the model, matplotlib, sixparty's analysis), then the command, of which
building the six figures and saving them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def child_cpu(argv: list[str], env: dict | None = None) -> float:
    """CPU seconds (user + system) of one child process running ``argv``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _context() -> str:
    """The conditions that change a CPU figure: load, CPUs, bytecode, matplotlib."""
    from importlib import metadata

    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    pyc = "not written (PYTHONDONTWRITEBYTECODE)" if sys.dont_write_bytecode else "written"
    return (
        f"load average {load}; {os.cpu_count()} CPUs; bytecode {pyc}; "
        f"matplotlib {metadata.version('matplotlib')}"
    )


_STAGES = r"""
import contextlib, io, json, sys, time
T = time.process_time
marks, t0 = {}, T()
def mark(label):
    global t0
    marks[label] = T() - t0
    t0 = T()
import numpy; mark("numpy")
import sixparty.scenario; mark("pydantic + scenario models")
import sixparty.loader, sixparty.model, sixparty.runner, sixparty.outputs, sixparty.cli
mark("loader, model, runner, cli")
import matplotlib.figure; mark("matplotlib")
import sixparty.analysis.scorecard, sixparty.analysis.plots as plots
mark("sixparty.analysis (scorecard, plots)")
acc = {"build": 0.0, "save": 0.0}
build, save = plots.build_figures, plots.save_figure
def timed(key, func):
    def wrapper(*a, **k):
        t = T(); out = func(*a, **k); acc[key] += T() - t; return out
    return wrapper
plots.build_figures, plots.save_figure = timed("build", build), timed("save", save)
with contextlib.redirect_stdout(io.StringIO()):
    sixparty.cli.main(["run", "--quiet", "--out", sys.argv[1]])
mark("the command")
marks["  of which building the figures"] = acc["build"]
marks["  of which saving them (PNG)"] = acc["save"]
print(json.dumps(marks))
"""


def bench_stages(repeat: int) -> None:
    """``sixparty run``'s CPU by stage, each run in a fresh interpreter; medians."""
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(repeat):
            out = subprocess.run(
                [sys.executable, "-c", _STAGES, os.path.join(tmp, f"s{k}")],
                capture_output=True,
                text=True,
                check=True,
            )
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"\nsixparty run (six PNG figures) by stage, CPU, median of {repeat} ({_context()})")
    total = 0.0
    for label in runs[0]:
        med = statistics.median(r[label] for r in runs)
        total += 0.0 if label.startswith("  ") else med
        print(f"  {label:42s} {med:5.2f} s")
    print(f"  {'total after interpreter start-up':42s} {total:5.2f} s")


def bench_cli(repeat: int, before: str | None = None, only: str = "") -> None:
    """The ``sixparty`` command in fresh processes: medians of ``repeat`` CPU times.

    ``before``: another Python with sixparty installed (e.g. a venv of an earlier
    commit); each command is then run alternately by it and by this Python (one
    interleaved series, so both see the same load) and the ratio of the medians printed.
    """
    if before:
        bench_cli_compare(repeat, before, only)
        return
    cmd = [sys.executable, "-m", "sixparty"]
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        fresh = []
        for k in range(min(repeat, 3)):  # font cache: build it (fresh dir), then reuse it
            cfg = os.path.join(tmp, f"mpl{k}")
            env = dict(os.environ, MPLCONFIGDIR=cfg)
            code = "import matplotlib.font_manager"
            fresh.append(
                (
                    child_cpu([sys.executable, "-c", code], env),
                    child_cpu([sys.executable, "-c", code], env),
                )
            )
        rows = []
        for label, args, target in _cases(only):
            times = []
            for k in range(repeat):
                extra = (
                    ["--out", os.path.join(tmp, f"run{k}-{len(rows)}")] if args[0] == "run" else []
                )
                times.append(child_cpu(cmd + args + extra))
            rows.append((label, statistics.median(times), times, target))
    print(
        f"\nthe command, fresh process each, CPU user+system, median of {repeat} "
        f"(load average at start {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; at end: "
        f"{_context()})"
    )
    for label, med, times, target in rows:
        verdict = (
            ""
            if target is None
            else f"  [target <= {target} s: {'met' if med <= target else 'MISSED'}]"
        )
        print(f"  {label:42s} {med:5.2f} s  ({', '.join(f'{t:.2f}' for t in times)}){verdict}")
    first = statistics.median(a for a, _ in fresh)
    warm = statistics.median(b for _, b in fresh)
    print(
        f"  {'import matplotlib.font_manager, no cache':42s} {first:5.2f} s  "
        f"(with the cache: {warm:.2f} s; first-run font-cache cost {first - warm:+.2f} s, once per machine)"
    )


CASES = [
    ("sixparty --help", ["--help"], 0.5),
    ("sixparty list", ["list"], 0.5),
    ("sixparty run --no-plots", ["run", "--quiet", "--no-plots"], None),
    ("sixparty run (six PNG figures)", ["run", "--quiet"], 3.0),
    ("sixparty run --lang zh (six PNG figures)", ["run", "--quiet", "--lang", "zh"], None),
]


def _cases(only: str) -> list:
    """The :data:`CASES` whose label contains ``only`` (all of them for "")."""
    return [c for c in CASES if only in c[0]]


def bench_cli_compare(repeat: int, before: str, only: str = "") -> None:
    """Each command alternately by ``before`` and by this Python; medians and ratios."""
    pythons = {"before": before, "after": sys.executable}
    load = os.getloadavg()
    times: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(repeat):
            for label, args, _target in _cases(only):
                for who in ("before", "after") if k % 2 == 0 else ("after", "before"):
                    extra = (
                        ["--out", os.path.join(tmp, f"{who}-{k}-{len(times)}")]
                        if args[0] == "run"
                        else []
                    )
                    cpu = child_cpu([pythons[who], "-m", "sixparty", *args, *extra])
                    times.setdefault((label, who), []).append(cpu)
    print(
        f"\nthe command, fresh process each, CPU user+system, median of {repeat}; before = "
        f"{before}, after = {sys.executable}, alternating (load average at start "
        f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; at end: {_context()}; before's "
        "matplotlib may differ)"
    )
    print(f"  {'command':42s} {'before':>7s} {'after':>7s}  after/before  target")
    for label, _args, target in _cases(only):
        b = statistics.median(times[(label, "before")])
        a = statistics.median(times[(label, "after")])
        verdict = "" if target is None else f"<= {target} s: {'met' if a <= target else 'MISSED'}"
        print(f"  {label:42s} {b:6.2f}s {a:6.2f}s  {a / b:12.2f}  {verdict}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15, help="single runs timed (median)")
    ap.add_argument("--loop", type=int, default=100, help="runs in the loop")
    ap.add_argument("--loops", type=int, default=3, help="loops timed (median)")
    ap.add_argument(
        "--cli", type=int, default=5, help="runs of each command timed (median); 0: skip"
    )
    ap.add_argument("--no-model", action="store_true", help="only the command timings")
    ap.add_argument(
        "--before",
        metavar="PYTHON",
        help="another Python with sixparty installed: run each command alternately by it "
        "and by this one, print both medians and the ratio",
    )
    ap.add_argument(
        "--only", default="", metavar="TEXT", help="only the commands whose label has TEXT"
    )
    ap.add_argument(
        "--stages",
        type=int,
        default=0,
        metavar="N",
        help="sixparty run's CPU by stage (imports, figures), median of N fresh processes",
    )
    a = ap.parse_args()
    if a.no_model:
        if a.cli:
            bench_cli(a.cli, a.before, a.only)
        if a.stages:
            bench_stages(a.stages)
        return

    imports = []
    for _ in range(3):
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                "import time; t=time.perf_counter(); import sixparty.runner, sixparty.loader; "
                "print(time.perf_counter()-t)",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        imports.append(float(out.stdout))

    from sixparty.loader import load_scenario
    from sixparty.runner import simulate

    t = time.perf_counter()
    sc = load_scenario("historical")
    load_s = time.perf_counter() - t
    simulate(sc, seed=0)  # warm-up
    single = {}
    for rec in (True, False):
        times = []
        for s in range(a.repeat):
            t = time.perf_counter()
            simulate(sc, seed=1000 + s, record_positions=rec)
            times.append(time.perf_counter() - t)
        single[rec] = statistics.median(times)
    loops = []
    for k in range(a.loops):
        t = time.perf_counter()
        for s in range(a.loop):
            simulate(sc, seed=k * a.loop + s, record_positions=False)
        loops.append(time.perf_counter() - t)
    loop = statistics.median(loops)
    print(f"historical scenario, {sc.window.months} months ({sc.window.start}..{sc.window.end})")
    print(
        f"  import sixparty.runner + sixparty.loader (fresh process, median of 3): {imports and statistics.median(imports):.3f} s"
    )
    print(f"  load and validate historical.yaml:                            {load_s:.3f} s")
    print(
        f"  one run, positions recorded (sixparty run), median of {a.repeat}: {single[True]:.4f} s"
        f"  [target < 0.2 s: {'met' if single[True] < 0.2 else 'MISSED'}]"
    )
    print(
        f"  one run, positions not recorded (ensembles), median of {a.repeat}: {single[False]:.4f} s"
    )
    print(
        f"  loop of {a.loop} runs, median of {a.loops}: {loop:.2f} s = {a.loop / loop:.1f} runs/s"
    )
    if a.cli:
        bench_cli(a.cli, a.before, a.only)
    if a.stages:
        bench_stages(a.stages)


if __name__ == "__main__":
    main()
