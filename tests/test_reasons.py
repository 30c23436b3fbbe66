"""Reason codes (sixparty.reasons): every reason the model records is a record
of codes and values, its English text rendered from it; the run's tables carry
the records (decisions.csv ``reason_codes``/``reason_values``, sessions.csv
``note_codes``/``note_values``) in CSV and Parquet, read back as written; every
code has an English and a Chinese template (analysis.narrate)."""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest
from sixparty import load_scenario
from sixparty.analysis.narrate import REASON_TEMPLATES, row_clauses
from sixparty.analysis.runfiles import read_run
from sixparty.outputs import DECISION_COLUMNS, session_columns, write_run
from sixparty.reasons import (
    FIELD_KINDS,
    REASONS,
    STALL_REASONS,
    clause,
    clauses_from,
    codes_text,
    render,
    values_json,
)
from sixparty.runner import simulate

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.fixture(scope="module")
def run():
    from sixparty.analysis.validation import set_mode

    # anchored, seed 3: tests, a walk-out, suspensions of steps, a renegotiated phase
    return simulate(set_mode(load_scenario("historical"), "anchored"), 3, record_positions=False)


def test_the_table_is_well_formed():
    for code, rc in REASONS.items():
        assert code == rc.code and code.isidentifier() and code == code.lower()
        assert all(kind in FIELD_KINDS for _, kind in rc.fields), code
        assert len(set(rc.field_names)) == len(rc.fields), code
        assert rc.meaning


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_code_has_a_template_in_every_language_with_exactly_its_fields(lang):
    templates = REASON_TEMPLATES[lang]
    assert set(templates) == set(REASONS), set(REASONS) ^ set(templates)
    for code, rc in REASONS.items():
        assert _placeholders(templates[code]) == set(rc.field_names), (lang, code)


def test_every_code_is_documented_in_outputs_md():
    text = (DOCS / "outputs.md").read_text(encoding="utf-8")
    missing = [code for code in REASONS if f"`{code}`" not in text]
    assert not missing, missing


def test_a_clause_takes_exactly_its_fields_and_checks_their_kinds():
    with pytest.raises(ValueError, match="unknown reason code"):
        clause("no_such_code")
    with pytest.raises(ValueError, match="takes the fields"):
        clause("trust_in_us")
    with pytest.raises(ValueError, match="takes the fields"):
        clause("trust_in_us", trust=0.3, party="US")
    with pytest.raises(ValueError, match="not a party key"):
        clause("commitment_refused", step="normalization", party="Mars")
    with pytest.raises(ValueError, match="not all party keys"):
        clause("holdouts", level="joint_statement", parties=["DPRK", "Mars"])
    with pytest.raises(ValueError, match="not one of"):
        clause("phase_reopened", stall="bored")
    assert set(STALL_REASONS) == {"dprk_suspended", "overdue_counterpart", "overdue_dprk"}


def test_values_are_kept_as_the_text_shows_them():
    c = clause("readiness", readiness=0.4349, sanctions=0.455, trust_in_us=1 / 3, grievance=0.0)
    assert c.as_dict() == {
        "readiness": 0.43,
        "sanctions": 0.46,
        "trust_in_us": 0.33,
        "grievance": 0.0,
    }
    assert render(c) == "readiness 0.43 (sanctions 0.46, trust in US 0.33, grievance 0.00)"
    # the same text as the unrounded numbers formatted directly
    assert (
        render(c)
        == f"readiness {0.4349:.2f} (sanctions {0.455:.2f}, trust in US {1 / 3:.2f}, grievance {0.0:.2f})"
    )
    s = clause("test_outside_option_gain_missile", missile=-0.004)
    assert render(s) == f"outside option net of sanctions from a missile test {-0.004:+.2f}"
    assert clause("declined_invitation", readiness=0.4449, draw=0.0, threshold=0.5).as_dict() == {
        "readiness": 0.44,
        "draw": 0.0,
        "threshold": 0.5,
    }
    f = clause(
        "outside_option_above_talks",
        outside=0.29041,
        talks_value=0.28967,
        margin=0.00074,
        performance=0.4,
        text_utility=0.6,
        relief=0.1,
    )
    assert f.as_dict()["outside"] == 0.29 and f.as_dict()["talks_value"] == 0.29
    assert render(f).startswith("outside option 0.290 above the talks' value 0.290 (by 0.00074) = ")
    assert clause("deadlock_no_new_acceptance", drafts=4.0).as_dict() == {"drafts": 4}


def test_codes_and_values_round_trip_to_the_same_text():
    clauses = (
        clause("overdue_aid", tranche=3, phase=2, due="2008-03", short=["China", "ROK"]),
        clause("trust_in_us", trust=0.31),
        clause("zeuthen_concessions", concessions=[("DPRK", 2), ("US", 1)]),
        clause("phase_renegotiated"),
    )
    codes, values = codes_text(clauses), values_json(clauses)
    assert codes == "overdue_aid;trust_in_us;zeuthen_concessions;phase_renegotiated"
    assert values == (
        '[{"tranche":3,"phase":2,"due":"2008-03","short":["China","ROK"]},{"trust":0.31},'
        '{"concessions":[["DPRK",2],["US",1]]},{}]'
    )
    back = clauses_from(codes, values)
    assert back == clauses and render(back) == render(clauses)
    assert clauses_from("", "[]") == () and codes_text(()) == "" and values_json(()) == "[]"
    with pytest.raises(ValueError):
        clauses_from("trust_in_us", "[]")
    with pytest.raises(ValueError):
        clauses_from("trust_in_us", "not json")


def test_the_tables_carry_the_records_of_every_reason(run):
    assert DECISION_COLUMNS[:5] == ["month", "party", "decision", "reason", "cause"]
    assert DECISION_COLUMNS[5:] == ["reason_codes", "reason_values"]
    assert session_columns(None)[-2:] == ["note_codes", "note_values"]
    assert run.decisions and any(s["note_codes"] for s in run.sessions)
    for d in run.decisions:
        clauses = clauses_from(d["reason_codes"], d["reason_values"])
        assert clauses and render(clauses) == d["reason"]
        assert json.loads(d["reason_values"]) == [c.as_dict() for c in clauses]
    for s in run.sessions:
        assert render(clauses_from(s["note_codes"], s["note_values"])) == s["notes"]


@pytest.mark.parametrize("table_format", ["csv", "parquet"])
def test_the_new_columns_are_written_and_read_back(run, tmp_path, table_format):
    if table_format == "parquet":
        pytest.importorskip("pyarrow")
    out = tmp_path / table_format
    write_run(run, out, table_format=table_format)
    t = read_run(out)
    assert list(t.decisions.columns) == DECISION_COLUMNS
    assert list(t.decisions["reason_codes"]) == [d["reason_codes"] for d in run.decisions]
    assert list(t.decisions["reason_values"]) == [d["reason_values"] for d in run.decisions]
    assert list(t.sessions["note_codes"]) == [s["note_codes"] for s in run.sessions]
    assert list(t.sessions["note_values"]) == [s["note_values"] for s in run.sessions]
    # the narration reads the records back from the rows as read
    rows = t.decisions.to_dict("records")
    assert [render(row_clauses(r)) for r in rows] == list(t.decisions["reason"])
    notes = t.sessions.to_dict("records")
    assert [render(row_clauses(r, "note_codes", "note_values")) for r in notes] == list(
        t.sessions["notes"]
    )


def test_texts_from_the_cache_are_the_reasons_own():
    """``reasons.texts`` with a cache (run tables, issue 13) gives exactly the text,
    codes and values JSON of the reason itself: an equal reason seen before is looked
    up, and a signed zero is not taken for the unsigned one it equals."""
    from sixparty.reasons import READINESS_TERMS, texts

    term = next(iter(READINESS_TERMS))
    cache: dict = {}
    zeros = (0.0, -0.0, -0.001, 0.001, 0.004, -0.004)
    reasons = []
    for a in zeros:
        for b in zeros:
            reasons.append(
                (
                    clause("readiness_change", readiness=a, changes=[(term, b)]),
                    clause("trust_in_us", trust=0.5),
                )
            )
            reasons.append(clause("trust_in_us", trust=a))
    reasons.append(())
    for _ in range(2):  # the second pass reads the cache
        for why in reasons:
            assert texts(why, cache) == (render(why), codes_text(why), values_json(why))
            assert texts(why) == texts(why, cache)
    assert "-0.00" in render(clause("trust_in_us", trust=-0.0))  # the case it guards


def test_every_stall_reason_is_told_in_words():
    """The English text tells why a phase was reopened in words, not by its code."""
    from sixparty.reasons import STALL_REASONS, STALL_TEXT, clause, render

    assert set(STALL_TEXT) == set(STALL_REASONS)
    for code in STALL_REASONS:
        text = render(clause("phase_reopened", stall=code))
        assert code not in text and text == f"reopened: {STALL_TEXT[code]}"
