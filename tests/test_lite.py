"""The pandas-free run tables (``sixparty.analysis.lite``) against the DataFrames.

``sixparty run`` scores its run and draws its figures from
``tables_from_result(result, lite=True)``; ``sixparty plot`` and the API from
DataFrames.  Both must give the same values (bit for bit), the same
scorecard and quality columns and the same figures (PNG bytes).
"""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from sixparty.analysis import lite, plots
from sixparty.analysis.quality import add_quality, rewrite_sessions_csv
from sixparty.analysis.runfiles import TABLE_FILES, _parse, _parse_lite, tables_from_result
from sixparty.analysis.scorecard import score_run, scorecard_csv


@pytest.fixture(scope="module")
def historical():
    from sixparty.loader import load_scenario
    from sixparty.runner import simulate

    return simulate(load_scenario("historical"), seed=1)


def _same_column(a: list, b: list) -> bool:
    """Equal values, NaN equal to NaN, of the same Python kind (str / bool / number)."""
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
            continue
        if isinstance(x, str) != isinstance(y, str) or isinstance(x, bool) != isinstance(y, bool):
            return False
        if x != y:
            return False
    return True


@pytest.mark.parametrize("which", ["minimal", "historical"])
def test_lite_tables_hold_the_dataframes_values(which, result, historical):
    run = result if which == "minimal" else historical
    frames = tables_from_result(run)
    light = tables_from_result(run, lite=True)
    for name in (*TABLE_FILES, "events"):
        df, fr = getattr(frames, name), getattr(light, name)
        assert isinstance(fr, lite.Frame), name
        assert list(df.columns) == fr.columns and len(df) == len(fr), name
        for c in fr.columns:
            assert _same_column(df[c].tolist(), fr[c].tolist()), (name, c)
            if fr[c].tolist() and all(isinstance(v, float) for v in fr[c].tolist()):
                a, b = df[c].to_numpy(dtype=float), fr[c].to_numpy(dtype=float)
                assert a.tobytes() == b.tobytes(), (name, c)  # bit for bit
    assert light.months == frames.months
    assert light.held.to_dict("records") == light.sessions[light.sessions["held"]].to_dict(
        "records"
    )
    assert len(light.held) == len(frames.held)


def test_scorecard_and_quality_are_the_same_from_either(historical, record):
    frames = tables_from_result(historical)
    light = tables_from_result(historical, lite=True)
    assert scorecard_csv(score_run(light, record)) == scorecard_csv(score_run(frames, record))
    add_quality(frames)
    add_quality(light)
    for c in ("nash_product", "pareto_distance"):
        a = frames.sessions[c].to_numpy(dtype=float)
        assert a.tobytes() == light.sessions[c].to_numpy(dtype=float).tobytes()


def test_quality_columns_written_the_same_from_either(historical, tmp_path):
    from sixparty import outputs

    text = outputs.csv_text(historical.sessions, outputs.session_columns(historical))
    drafts = outputs.csv_text(historical.drafts, outputs.draft_columns())
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(text, encoding="utf-8")
    b.write_text(text, encoding="utf-8")
    rewrite_sessions_csv(a, _parse("drafts", drafts))
    rewrite_sessions_csv(b, _parse_lite("drafts", drafts))
    assert a.read_bytes() == b.read_bytes() and a.read_bytes() != text.encode()


def test_the_figures_from_lite_tables_are_those_from_dataframes(historical, record):
    frames = tables_from_result(historical)
    light = tables_from_result(historical, lite=True)
    figs = {
        "frames": plots.build_figures(frames, record, "en"),
        "lite": plots.build_figures(light, record, "en"),
    }
    for name in plots.FIGURES:
        out = {}
        for k, f in figs.items():
            buf = io.BytesIO()
            plots.save_figure(f[name], buf, "png")
            out[k] = buf.getvalue()
        assert out["frames"] == out["lite"], name


def test_numbers_are_read_as_pandas_reads_them():
    fr = lite.parse("a,b,c,d\n1,1.5,,x\n2,,3,\n", strs=("d",))
    assert fr["a"].tolist() == [1, 2] and all(type(v) is int for v in fr["a"])
    assert fr["b"][0] == 1.5 and math.isnan(fr["b"][1])
    assert math.isnan(fr["c"][0]) and fr["c"][1] == 3.0 and type(fr["c"][1]) is float
    assert fr["d"].tolist() == ["x", ""]
    bad = lite.parse("n\n1\nabc\n")
    assert bad["n"][0] == 1.0 and math.isnan(bad["n"][1])
    assert lite.parse("h\ntrue\nFALSE\n", bools=("h",))["h"].tolist() == [True, False]
    assert lite.parse("").empty and lite.parse("a,b\n").empty


def test_frame_selection_grouping_and_sorting_as_pandas():
    fr = lite.Frame({"k": ["b", "a", "b", "a"], "n": [2, 1, 1, 3], "v": [0.5, math.nan, 2.0, 1.0]})
    sel = fr[fr["k"] == "b"]
    assert sel.index == [0, 2] and sel["n"].tolist() == [2, 1]
    assert [i for i, _ in fr[fr["k"] != "b"].iterrows()] == [1, 3]
    assert [k for k, _ in fr.groupby("k", sort=False)] == ["b", "a"]
    assert [k for k, _ in fr.groupby("k")] == ["a", "b"]
    assert [k for k, _ in fr.groupby(["k", "n"], sort=False)] == [
        ("b", 2),
        ("a", 1),
        ("b", 1),
        ("a", 3),
    ]
    assert fr.sort_values("n")["k"].tolist() == ["a", "b", "b", "a"]  # stable on ties
    assert fr["v"].max() == 2.0 and math.isnan(lite.Column([math.nan]).max())
    assert fr["v"].fillna(-1).tolist() == [0.5, -1, 2.0, 1.0]
    assert fr["v"].astype(str).tolist()[1] == "nan"
    assert fr[["n", "v"]].to_numpy(dtype=float).shape == (4, 2)
    assert fr.to_dict("records")[0] == {"k": "b", "n": 2, "v": 0.5}
    assert [r.k for r in fr.itertuples(index=False)] == ["b", "a", "b", "a"]
    assert "v" in fr and "w" not in fr and fr.get("w", []) == []
    assert np.asarray(fr["n"]).tolist() == [2, 1, 1, 3]
    with pytest.raises(KeyError):
        fr[[True, False]]  # noqa: B018 (a mask of the wrong length)
    with pytest.raises(ValueError):
        fr["x"] = [1, 2]
    fr["x"] = [1, 2, 3, 4]
    assert fr["x"].tolist() == [1, 2, 3, 4]


def test_the_writers_read_the_tables_write_run_formatted_and_they_are_dropped_after(
    result, tmp_path
):
    """write_run hands its CSV texts to the writers after it (result.extra), which read
    the same tables as from fresh texts; the texts are not kept on the result."""
    from sixparty import outputs

    seen = {}

    def writer(res, stage):
        seen["texts"] = "table_texts" in res.extra
        seen["tables"] = tables_from_result(res, lite=True)
        return []

    outputs.write_run(result, tmp_path / "run", extra_writers=[writer])
    assert seen["texts"] and "table_texts" not in result.extra
    fresh = tables_from_result(result, lite=True)
    for name in TABLE_FILES:
        assert getattr(seen["tables"], name).to_dict() == getattr(fresh, name).to_dict(), name
