"""sixparty compare: bootstrap intervals, paired comparison end to end, bad input."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from conftest import dump_yaml, minimal_scenario_dict
from sixparty.analysis.compare import compare, outcome_values, parse_dates, significant
from sixparty.analysis.stats import BOOTSTRAP_METHOD, bootstrap_mean_ci
from sixparty.cli import main
from sixparty.loader import load_scenario, load_scenario_text


# -------------------------------------------------------------- bootstrap
def test_constant_difference_collapses_the_interval():
    rng = np.random.default_rng(0)
    base = rng.normal(size=200)
    m, lo, hi = bootstrap_mean_ci((base + 0.3) - base, n_boot=500, seed=1)
    assert m == pytest.approx(0.3) and lo == pytest.approx(0.3) and hi == pytest.approx(0.3)


def test_interval_covers_known_mean_and_has_the_right_width():
    rng = np.random.default_rng(42)
    x = rng.normal(loc=2.0, scale=1.0, size=400)
    m, lo, hi = bootstrap_mean_ci(x, n_boot=2000, seed=7)
    assert lo < 2.0 < hi
    # percentile bootstrap ~ normal theory: half-width about 1.96 * s / sqrt(n)
    half = 1.96 * x.std(ddof=1) / np.sqrt(len(x))
    assert (hi - lo) / 2 == pytest.approx(half, rel=0.15)


def test_bootstrap_is_deterministic_and_columnwise():
    rng = np.random.default_rng(5)
    v = rng.normal(size=(50, 3))
    a = bootstrap_mean_ci(v, n_boot=300, seed=9)
    b = bootstrap_mean_ci(v, n_boot=300, seed=9)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    single = bootstrap_mean_ci(v[:, 1], n_boot=300, seed=9)
    assert single[1] == a[1][1] and single[2] == a[2][1]  # same resamples for every column
    assert bootstrap_mean_ci(v, n_boot=300, seed=10)[1][0] != a[1][0]


def test_bootstrap_is_scipy_percentile_with_the_seeded_generator():
    from scipy import stats

    rng = np.random.default_rng(2)
    x = rng.normal(size=80)
    m, lo, hi = bootstrap_mean_ci(x, n_boot=999, seed=4)
    ref = stats.bootstrap(
        (x,), np.mean, n_resamples=999, method="percentile", rng=np.random.default_rng(4)
    ).confidence_interval
    assert BOOTSTRAP_METHOD == "percentile"
    assert (lo, hi) == pytest.approx((ref.low, ref.high), rel=1e-12)
    # paired: the interval of the differences is scipy's paired bootstrap of the mean difference
    y = x + rng.normal(0.3, 0.1, size=80)
    _, dlo, dhi = bootstrap_mean_ci(y - x, n_boot=999, seed=4)
    paired = stats.bootstrap(
        (y, x),
        lambda a, b, axis=-1: a.mean(axis=axis) - b.mean(axis=axis),
        paired=True,
        n_resamples=999,
        method="percentile",
        rng=np.random.default_rng(4),
    ).confidence_interval
    assert (dlo, dhi) == pytest.approx((paired.low, paired.high), rel=1e-9)


def test_paired_interval_is_narrower_than_unpaired():
    rng = np.random.default_rng(1)
    common = rng.normal(scale=3.0, size=300)  # shared noise, as with common seeds
    a = common + rng.normal(scale=0.2, size=300)
    b = common + 0.5 + rng.normal(scale=0.2, size=300)
    _, plo, phi = bootstrap_mean_ci(b - a, seed=2)
    assert plo > 0  # the paired design detects the shift
    _, alo, ahi = bootstrap_mean_ci(a, seed=3)
    _, blo, bhi = bootstrap_mean_ci(b, seed=4)
    assert (phi - plo) < 0.5 * min(ahi - alo, bhi - blo)


def test_one_replicate_gives_no_interval():
    m, lo, hi = bootstrap_mean_ci(np.array([0.002]), n_boot=100, seed=1)
    assert m == pytest.approx(0.002) and np.isnan(lo) and np.isnan(hi)
    m, lo, hi = bootstrap_mean_ci(np.array([[0.002, 1.0]]), n_boot=100, seed=1)
    assert m.tolist() == pytest.approx([0.002, 1.0]) and np.isnan(lo).all() and np.isnan(hi).all()
    assert not significant(lo[0], hi[0])


def test_significant_means_the_interval_excludes_zero_strictly():
    assert not significant(0.0, 0.0)
    assert not significant(0.0, 0.1) and not significant(-0.1, 0.0)
    assert not significant(-0.1, 0.1)
    assert not significant(float("nan"), float("nan"))
    assert significant(1e-9, 0.2) and significant(-0.2, -1e-9)


def test_parse_dates():
    assert parse_dates("2007-12, 2009-06,2007-12") == ["2007-12", "2009-06"]
    with pytest.raises(ValueError):
        parse_dates("2007-13")


# ------------------------------------------------------------ end to end
@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    base = tmp_path / "minimal.yaml"
    base.write_text(dump_yaml(minimal_scenario_dict()), encoding="utf-8")
    variant = tmp_path / "no_sanctions.yaml"
    variant.write_text(
        "extends: minimal.yaml\ndescription: Variant without the sanctions step.\n"
        "remove_events: [sanctions_step]\n"
        "overrides:\n  parties.US.strategy.direct_talks: accept\n",
        encoding="utf-8",
    )
    return base, variant


def test_compare_uses_common_seeds_and_pairs(pair):
    scs = [load_scenario(p) for p in pair]
    cmp = compare(
        scs,
        ["minimal", "variant"],
        runs=5,
        base_seed=3,
        jobs=1,
        dates=["2004-06"],
        n_boot=200,
        progress=False,
    )
    assert cmp.results[0].seeds.tolist() == cmp.results[1].seeds.tolist()
    rows = {(r["outcome"], r["scenario"]): r for r in cmp.rows}
    ref = outcome_values(cmp.results[0], ["2004-06"])
    var = outcome_values(cmp.results[1], ["2004-06"])
    r = rows[("sessions_held", "variant")]
    assert r["diff"] == pytest.approx(
        float(np.mean(var["sessions_held"].values - ref["sessions_held"].values))
    )
    assert r["diff_ci_low"] <= r["diff"] <= r["diff_ci_high"]
    assert r["reference"] == pytest.approx(rows[("sessions_held", "minimal")]["value"])
    # the reference's rows hold None where there is no difference, so a DataFrame of the
    # rows has float columns (NaN there) and diff.mean() works; the CSV cells stay empty
    import pandas as pd

    table = pd.DataFrame(cmp.rows)
    for col in ("reference", "diff", "diff_ci_low", "diff_ci_high"):
        assert table[col].dtype.kind == "f", col
    assert table.loc[table["scenario"] == "minimal", "diff"].isna().all()
    assert table["diff"].mean() == pytest.approx(
        table.loc[table["scenario"] == "variant", "diff"].mean()
    )
    ref_row = rows[("sessions_held", "minimal")]
    assert all(ref_row[c] is None for c in ("significant", "flips", "diff"))
    from sixparty.analysis.compare import COMPARISON_COLUMNS, write_comparison

    out = pair[0].parent / "cmp"
    write_comparison(cmp, out, plots=False)
    lines = (out / "comparison.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].split(",") == COMPARISON_COLUMNS
    ref_line = next(ln for ln in lines if ln.startswith("sessions_held,") and ",minimal," in ln)
    assert ref_line.endswith(",,,,,,") and "None" not in "".join(lines)
    # comparing a scenario with itself: every difference is exactly 0, nothing flips
    same = compare([scs[0], scs[0]], ["a", "b"], runs=4, base_seed=3, n_boot=100, progress=False)
    assert all(r["diff"] == 0 and not r["significant"] for r in same.rows if r["scenario"] == "b")
    assert same.flips == {"b": []}
    # significant and flips follow the strict rule on the printed interval
    for r in cmp.rows:
        if r["scenario"] == "variant":
            assert r["significant"] == significant(r["diff_ci_low"], r["diff_ci_high"])
            assert not r["flips"] or r["significant"]


def test_compare_runs_every_scenario_on_one_pool(pair):
    from sixparty.analysis.executors import PoolExecutor

    scs = [load_scenario(p) for p in pair]
    serial = compare(scs, ["a", "b"], runs=6, base_seed=3, n_boot=100, progress=False)
    with PoolExecutor(2) as ex:
        cmp = compare(
            scs,
            ["a", "b"],
            runs=6,
            base_seed=3,
            n_boot=100,
            progress=False,
            executor=ex,
            chunk_size=2,
            serial_below=0,
        )
        pids = set(ex.pids)
        assert len(pids) == 2
        assert all(r.worker_pids <= pids for r in cmp.results)  # no second pool
    assert cmp.rows == serial.rows


def test_compare_refuses_one_run(pair):
    scs = [load_scenario(p) for p in pair]
    with pytest.raises(ValueError, match="--runs 2 or more"):
        compare(scs, ["a", "b"], runs=1, base_seed=3, n_boot=50, progress=False)


def test_cli_compare_writes_table_and_figures_identically_for_jobs(pair, tmp_path, capsys):
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"cmp{jobs}"
        code = main(
            [
                "compare",
                str(pair[0]),
                str(pair[1]),
                "--runs",
                "6",
                "--jobs",
                jobs,
                "--seed",
                "8",
                "--dates",
                "2004-06",
                "--boot",
                "300",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        assert code == 0
        outs.append(out)
    names = {p.name for p in outs[0].iterdir()}
    assert {
        "comparison.csv",
        "walkout_dates.csv",
        "manifest.json",
        "fan_progress.png",
        "outcome_probabilities.png",
        "walkout_dates.png",
    } <= names
    for name in ("comparison.csv", "walkout_dates.csv", "progress_quantiles.csv"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes()
    rows = list(csv.DictReader((outs[0] / "comparison.csv").open()))
    assert {r["scenario"] for r in rows} == {"minimal", "no_sanctions"}
    assert {
        "walkout",
        "joint_statement",
        "progress@2004-06",
        "aid_delivered_t@2004-06",
        "mean_trust",
    } <= {r["outcome"] for r in rows}
    captured = capsys.readouterr()
    assert "no_sanctions vs minimal" in captured.out and "flips:" in captured.out
    # 6 runs: the intervals are rough, said once per command on stderr
    assert captured.err.count("rough below 30 runs") == 2


def test_cli_compare_one_run_is_refused(pair, tmp_path, capsys):
    out = tmp_path / "cmp"
    err = _run_err(
        ["compare", str(pair[0]), str(pair[1]), "--runs", "1", "--out", str(out), "--quiet"], capsys
    )
    assert "compare needs --runs 2 or more; 30 or more for useful intervals" in err
    assert not out.exists()


# -------------------------------------------------------------- bad input
def _run_err(argv, capsys) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def test_compare_missing_scenario(capsys, tmp_path):
    err = _run_err(["compare", "historical", str(tmp_path / "nope.yaml"), "--runs", "2"], capsys)
    assert "nope.yaml" in err


def test_compare_cycle_of_extends(capsys, tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\ndescription: a\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\ndescription: b\n", encoding="utf-8")
    err = _run_err(["compare", "historical", str(tmp_path / "a.yaml"), "--runs", "2"], capsys)
    assert "cycle" in err and "b.yaml:1:" in err and "a.yaml" in err


def test_compare_bad_override_path(capsys, tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text(
        "extends: historical\ndescription: bad\noverrides:\n"
        "  parties.US.strategy.direct_talkz: accept\n",
        encoding="utf-8",
    )
    err = _run_err(["compare", "historical", str(p), "--runs", "2"], capsys)
    assert "bad.yaml:4" in err and "direct_talkz" in err and "direct_talks" in err


@pytest.mark.parametrize(
    "extra",
    [
        ["--runs", "0"],
        ["--runs", "-1"],
        ["--dates", "2007-13"],
        ["--dates", "1990-01"],
        ["--jobs", "0"],
    ],
)
def test_compare_bad_options(extra, capsys):
    _run_err(["compare", "historical", "no_unsc_statement_2009", *extra], capsys)


def test_compare_needs_two_scenarios(capsys):
    err = _run_err(["compare", "historical", "--runs", "2"], capsys)
    assert "two scenarios" in err


# ---------------------------------------------------------------- figures
@pytest.fixture(scope="module")
def three(tmp_path_factory):
    d = tmp_path_factory.mktemp("three")
    base = d / "minimal.yaml"
    base.write_text(dump_yaml(minimal_scenario_dict()), encoding="utf-8")
    variant = d / "no_sanctions.yaml"
    variant.write_text(
        "extends: minimal.yaml\ndescription: Variant without the sanctions step.\n"
        "remove_events: [sanctions_step]\n",
        encoding="utf-8",
    )
    scs = [load_scenario(base), load_scenario(variant), load_scenario(base)]
    return compare(
        scs,
        ["minimal", "no_sanctions", "minimal_again"],
        runs=3,
        base_seed=3,
        dates=["2004-06", "2004-12"],
        n_boot=50,
        progress=False,
    )


def _overlaps(texts, renderer) -> list[tuple[str, str]]:
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts if t.get_text()]
    return [
        (a, b) for i, (a, ba) in enumerate(boxes) for b, bb in boxes[i + 1 :] if ba.overlaps(bb)
    ]


def test_probabilities_figure_labels_do_not_overlap_and_every_bar_has_its_value(three):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from sixparty.analysis.compare import probabilities_figure

    fig = probabilities_figure(three)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    ax = fig.axes[0]
    ticks = ax.get_yticklabels() + ax.get_xticklabels()
    assert "DPRK has walked out by 2004-06" in [t.get_text() for t in ticks]
    assert _overlaps(ticks, renderer) == []
    values = [t for t in ax.texts if t.get_gid() == "bar_value"]
    n_bars = len(three.labels) * len(ax.get_yticks())
    assert len(values) == n_bars
    rows = {(r["outcome"], r["scenario"]): r for r in three.rows}
    assert rows[("nuclear_test", "minimal")]["value"] == 0  # an empty bar must still read 0%
    assert sum(t.get_text() == "0%" for t in values) >= 3
    assert _overlaps(values, renderer) == []


def test_fan_figure_is_projector_sized_and_names_every_scenario(three):
    from sixparty.analysis.compare import FIG_DPI, fan_figure

    fig = fan_figure(three.results, three.labels)
    width, height = fig.get_size_inches() * FIG_DPI
    assert width >= 1400 and height >= 800
    title = fig._suptitle.get_text()
    assert all(lab in title for lab in three.labels)
    legend = [t.get_text() for lg in fig.legends for t in lg.get_texts()]
    assert len(legend) == len(three.labels)  # one entry per scenario
    assert [t.split(":")[0] for t in legend] == three.labels
    one = fan_figure(three.results[:1], three.labels[:1])
    w1, h1 = one.get_size_inches() * FIG_DPI
    assert (w1, h1) == (1500, 825) and "minimal" in one._suptitle.get_text()


# ------------------------------------ outcomes by date window and recorded session
class _FakeEnsemble:
    """Just what :func:`outcome_values` reads of an ensemble: per-run columns and their kinds."""

    def __init__(self, columns: dict[str, tuple[str, np.ndarray]], runs: int) -> None:
        base = {
            "walked_out": np.zeros(runs),
            "walkout_month": np.full(runs, -1),
            "n_joint_statement": np.zeros(runs),
            "n_joint_document": np.zeros(runs),
            "nuclear_tests": np.zeros(runs),
            "max_progress": np.zeros(runs),
            "final_progress": np.zeros(runs),
            "aid_delivered_t": np.zeros(runs),
            "mean_trust": np.zeros(runs),
            "sessions_held": np.ones(runs),
        }
        self.summaries = {**base, **{n: v for n, (_, v) in columns.items()}}
        self.kinds = {n: k for n, (k, _) in columns.items()}
        self.seeds = np.arange(runs)

    def column_kinds(self) -> dict[str, str]:
        return dict(self.kinds)


def test_compare_reports_outcomes_by_date_window_and_recorded_round(monkeypatch):
    """The same dates at different model round indexes compare by date; a window only one
    scenario has is left out; printed rows never name the model's round counter."""
    import re

    from sixparty.analysis import compare as cmp_mod
    from sixparty.analysis.compare import report_lines
    from sixparty.scenario import DOCUMENT_TYPES

    runs, js = 20, DOCUMENT_TYPES.index("joint_statement")
    few = np.where(np.arange(runs) < 3, js, -1)  # 15% joint statement in 2005-Q3
    most = np.where(np.arange(runs) < 19, js, -1)  # 95%
    fakes = {
        # the reference meets from 2003: 2005-Q3 is its model's round 7
        "a": _FakeEnsemble(
            {"window:2005-07..2005-09": ("doc", few), "record:round4_phase2": ("match", few)}, runs
        ),
        # the variant starts in 2005: 2005-Q3 is its round 1; it also has 2006-Q1
        "b": _FakeEnsemble(
            {
                "window:2005-07..2005-09": ("doc", most),
                "window:2006-01..2006-03": ("doc", most),
                "record:round4_phase2": ("match", most),
            },
            runs,
        ),
    }
    monkeypatch.setattr(cmp_mod, "run_ensemble", lambda sc, *a, **k: fakes[sc.name])
    base = load_scenario_text(dump_yaml(minimal_scenario_dict()), "minimal.yaml")
    scs = [base.model_copy(update={"name": n}) for n in ("a", "b")]
    cmp = compare(scs, ["ref", "var"], runs=runs, base_seed=1, n_boot=200, progress=False)
    rows = {(r["outcome"], r["scenario"]): r for r in cmp.rows}
    w = rows[("window:2005-07..2005-09:joint_statement", "var")]
    assert w["reference"] == pytest.approx(0.15) and w["value"] == pytest.approx(0.95)
    assert w["flips"]
    assert rows[("window:2005-07..2005-09:not_held", "var")]["value"] == pytest.approx(0.05)
    assert rows[("record:round4_phase2:not_matched", "ref")]["value"] == pytest.approx(0.85)
    assert "record:round4_phase2:joint_statement" in cmp.flips["var"]
    assert not any(o.startswith("window:2006-01") for o, _ in rows)  # not in the reference's window
    assert not any(o.endswith(":chairmans_statement") for o, _ in rows)  # 0 everywhere
    text = "\n".join(report_lines(cmp))
    assert "window:2005-07..2005-09:joint_statement" in text
    for line in text.splitlines():
        assert not re.search(r"round_?\d", line.replace("record:round4_phase2", "")), line


def _flipped_joint_statement(monkeypatch):
    """A comparison of two fake ensembles of 20 runs: a joint statement in 2005-Q3 in 3
    runs of "ref" and 19 of "var" (a significant flip)."""
    from sixparty.analysis import compare as cmp_mod
    from sixparty.scenario import DOCUMENT_TYPES

    runs, js = 20, DOCUMENT_TYPES.index("joint_statement")
    few = np.where(np.arange(runs) < 3, js, -1)
    most = np.where(np.arange(runs) < 19, js, -1)
    fakes = {
        "a": _FakeEnsemble({"window:2005-07..2005-09": ("doc", few)}, runs),
        "b": _FakeEnsemble({"window:2005-07..2005-09": ("doc", most)}, runs),
    }
    monkeypatch.setattr(cmp_mod, "run_ensemble", lambda sc, *a, **k: fakes[sc.name])
    base = load_scenario_text(dump_yaml(minimal_scenario_dict()), "minimal.yaml")
    scs = [base.model_copy(update={"name": n}) for n in ("a", "b")]
    return compare(scs, ["ref", "var"], runs=runs, base_seed=1, n_boot=200, progress=False)


def test_the_printed_summary_is_short_and_says_where_the_full_table_is(monkeypatch):
    """Without --full: the summary outcomes only, the other differences and the flips by
    date counted, not listed (comparison.csv has every row); --full: the long report."""
    from sixparty.analysis.compare import SUMMARY_OUTCOMES, report_lines

    cmp = _flipped_joint_statement(monkeypatch)
    full, short = report_lines(cmp), report_lines(cmp, full=False)
    assert len(short) < len(full)
    table = [
        ln.split()[0] for ln in short if ln.startswith("  ") and ln.split()[0] in SUMMARY_OUTCOMES
    ]
    assert table == list(SUMMARY_OUTCOMES)
    assert not any("window:" in ln for ln in short)
    assert "  and 2 other outcomes whose interval excludes 0 (comparison.csv)" in short
    assert "  flips: 2 outcomes by date window or recorded session" in short
    assert any("window:2005-07..2005-09:joint_statement" in ln for ln in full)
    chance = [ln for ln in short if ln.startswith("  multiple comparisons: ")]
    assert len(chance) == 1 and "would by chance" in chance[0]
    assert chance == [ln for ln in full if ln.startswith("  multiple comparisons: ")]


def test_a_significant_flip_keeps_its_star(monkeypatch):
    """A FLIP row was printed without the "*" although comparison.csv says significant
    (the legend: "* = interval excludes 0"): it is printed "* FLIP", the star in the
    column of the other rows' stars."""
    from sixparty.analysis.compare import report_lines

    cmp = _flipped_joint_statement(monkeypatch)
    rows = {(r["outcome"], r["scenario"]): r for r in cmp.rows}
    lines = report_lines(cmp)
    printed = {ln.split()[0]: ln for ln in lines if ln.startswith("  ") and len(ln.split()) > 3}
    head = next(ln for ln in lines if ln.lstrip().startswith("outcome"))
    flips = [o for (o, lab), r in rows.items() if lab == "var" and r["flips"]]
    assert flips
    for o in flips:
        assert rows[(o, "var")]["significant"] and printed[o].endswith(" * FLIP"), printed[o]
        # the flag starts right after the difference column, where a lone "*" would
        assert printed[o].index(" * FLIP") == len(head)


def test_the_printed_table_shows_whole_scenario_names(monkeypatch):
    """Scenario names longer than the value column widen it: never cut to 12 letters
    (``no_bda_sanct``), and every value stays right-aligned under its name."""
    from sixparty.analysis import compare as cmp_mod
    from sixparty.analysis.compare import report_lines
    from sixparty.scenario import DOCUMENT_TYPES

    runs, js = 20, DOCUMENT_TYPES.index("joint_statement")
    few = np.where(np.arange(runs) < 3, js, -1)
    fakes = {
        "a": _FakeEnsemble({"window:2005-07..2005-09": ("doc", few)}, runs),
        "b": _FakeEnsemble({"window:2005-07..2005-09": ("doc", few)}, runs),
    }
    monkeypatch.setattr(cmp_mod, "run_ensemble", lambda sc, *a, **k: fakes[sc.name])
    base = load_scenario_text(dump_yaml(minimal_scenario_dict()), "minimal.yaml")
    scs = [base.model_copy(update={"name": n}) for n in ("a", "b")]
    labels = ["historical_reference", "no_bda_sanctions"]
    cmp = compare(scs, labels, runs=runs, base_seed=1, n_boot=200, progress=False)
    for full in (True, False):
        lines = report_lines(cmp, full=full)
        head = next(ln for ln in lines if ln.lstrip().startswith("outcome"))
        assert " historical_reference " in head and " no_bda_sanctions " in head
        ends = (head.index("historical_reference") + 20, head.index("no_bda_sanctions") + 16)
        rows = [ln for ln in lines if ln.startswith("  sessions_held")]
        assert rows
        for row in rows:
            cells = row.split()
            assert row.index(" " + cells[1] + " ") + 1 + len(cells[1]) == ends[0]
            at = row.index(" " + cells[2] + " ", ends[0])
            assert at + 1 + len(cells[2]) == ends[1]


def test_cli_compare_prints_the_summary_and_the_table_s_path(pair, tmp_path, capsys):
    out = tmp_path / "cmp"
    argv = [
        "compare",
        str(pair[0]),
        str(pair[1]),
        "--runs",
        "3",
        "--boot",
        "50",
        "--dates",
        "2004-06",
    ]
    argv += ["--no-plots", "--quiet", "--out", str(out)]
    assert main(argv) == 0
    short = capsys.readouterr().out
    assert f"is {out / 'comparison.csv'}; --full prints" in short
    assert "mean_trust" not in short  # a key outcome of the full report, not of the summary
    assert main([*argv, "--full"]) == 0
    full = capsys.readouterr().out
    assert "mean_trust" in full and "--full prints" not in full


def test_compare_mode_free_differs_from_anchored_and_the_manifest_says_which(tmp_path, monkeypatch):
    """`compare --mode free` (and `compare(..., mode="free")`) runs every scenario free;
    the manifest records the mode given and each scenario's positions mode; the default
    (each scenario's own `parameters.anchoring`: `historical` is anchored) keeps its
    folder name.  (The minimal scenario's outcomes do not move with the mode.)"""
    import json

    h = load_scenario("historical")
    kw = dict(runs=2, base_seed=3, n_boot=20, progress=False)
    own = compare([h, h], ["a", "b"], **kw)
    anchored = compare([h, h], ["a", "b"], mode="anchored", **kw)
    free = compare([h, h], ["a", "b"], mode="free", **kw)
    assert anchored.rows == own.rows and (own.mode, free.mode) == (None, "free")
    assert free.rows != anchored.rows
    assert not any(r.scenario.parameters.anchoring for r in free.results)
    assert h.parameters.anchoring  # the caller's scenario untouched
    with pytest.raises(ValueError, match="mode must be 'free', 'anchored' or None"):
        compare([h, h], ["a", "b"], mode="Free", **kw)

    argv = ["compare", "historical", "historical", "--runs", "2", "--boot", "20"]
    argv += ["--seed", "3", "--no-plots", "--quiet"]
    monkeypatch.chdir(tmp_path)
    assert main([*argv, "--mode", "free"]) == 0  # the default folder names the mode
    made = [p.name for p in (tmp_path / "runs").iterdir()]
    assert made == ["compare-historical-vs-historical#2-free-n2-3"]
    for mode in ("free", None):
        out = tmp_path / f"cmp-{mode}"
        assert main([*argv, "--out", str(out), *(["--mode", mode] if mode else [])]) == 0
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["mode"] == mode
        want = mode or "anchored"
        assert [s["positions_mode"] for s in manifest["scenarios"]] == [want, want]
    # comparison.csv only: at these two seeds neither mode makes progress on the ledger,
    # so progress_quantiles.csv is all zeros in both (the two scales, 2026-12-03)
    name = "comparison.csv"
    assert (tmp_path / "cmp-free" / name).read_bytes() != (
        tmp_path / "cmp-None" / name
    ).read_bytes(), name
    from sixparty.analysis.compare import _default_out

    assert _default_out(["a", "b"], 4, 3) == "runs/compare-a-vs-b-n4-3"


def test_the_report_says_how_many_intervals_would_exclude_0_by_chance():
    """``compare`` listed "53 other outcomes whose interval excludes 0" of ~180 with no word
    on multiple comparisons."""
    from sixparty.analysis.compare import chance_line

    rows = [{"diff_ci_low": 0.1, "significant": k < 53} for k in range(180)]
    rows.append({"diff_ci_low": None, "significant": None})  # the reference's: no interval
    line = chance_line(rows)
    assert line == (
        "  multiple comparisons: 53 of 180 intervals exclude 0; at 95%, about 9 of 180 would "
        "by chance if nothing changed (correlated outcomes: a guide, not a test)"
    )
    assert chance_line([{"diff_ci_low": None, "significant": None}]) is None
