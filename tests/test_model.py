"""The model's protocol invariants, emergent decisions and determinism."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import minimal_scenario_dict
from sixparty._mesa_compat import live_models
from sixparty.loader import find_scenario, load_scenario
from sixparty.model import TIMELINE_STATE, TalksModel
from sixparty.outputs import STATE_COLUMNS, csv_text
from sixparty.parties import AID_PROVIDERS, DPRK_I, US_I
from sixparty.protocol import Ledger
from sixparty.reasons import clause
from sixparty.runner import simulate, simulate_batch
from sixparty.scenario import ISSUES, Scenario


@pytest.fixture(scope="module")
def historical() -> Scenario:
    return load_scenario(find_scenario("historical"))


def scenario(mutate=None) -> Scenario:
    data = minimal_scenario_dict()
    if mutate:
        mutate(data)
    return Scenario.model_validate(data)


# ---------------------------------------------------------------- invariants
def _ledger_model(generosity: float, seed: int) -> TalksModel:
    def long(d):
        d["window"]["end"] = "2006-12"
        d["events"] = []
        d["invitations"] = []
        d["parameters"]["generosity"] = generosity
        d["phases"][0].update({"tranches": 4, "months": 8})

    m = TalksModel(scenario(long), seed=seed)
    m.agreed_text[0] = m.pos[0].mean(axis=0)
    m.has_agreed_text[0] = True
    m.ledger.adopt(0, m.spec.phases[0], m.month, AID_PROVIDERS, DPRK_I, US_I)
    m.next_phase[:] = 1  # the menu's only phase is taken: no session can adopt it again
    return m


@pytest.mark.parametrize("seed", range(6))
def test_strict_reciprocity_no_party_more_than_one_step_ahead(seed):
    m = _ledger_model(generosity=0.0, seed=seed)
    led = m.ledger
    for _ in range(30):
        m.step()
        dprk_done = led.dprk_tranches_done(0)
        aid_done = led.aid_tranches_done(0)
        assert dprk_done <= aid_done + 1
        for j in AID_PROVIDERS:
            done = sum(1 for s in led.phase_steps(0) if s.party == j and s.kind == "aid" and s.done)
            assert done <= dprk_done + 1, (j, done, dprk_done)
    assert led.dprk_tranches_done(0) >= 1, "the ledger should move at all"


@pytest.mark.parametrize("seed", range(4))
def test_aid_delivered_never_exceeds_pledged_and_positions_stay_in_range(historical, seed):
    r = simulate(historical, seed=seed)
    for row in r.timeline:
        assert row["aid_delivered_t"] <= row["aid_pledged_t"] + 1e-6
        assert 0.0 <= row["progress"] <= 1.0
        assert 0.0 <= row["sanctions"] <= 1.0
        assert 0.0 <= row["mean_trust"] <= 1.0
    assert np.all((r.positions >= 0) & (r.positions <= 1))
    assert np.all((r.salience >= 0) & (r.salience <= 1))
    assert np.all((r.trust >= 0) & (r.trust <= 1))
    for step in r.ledger:
        assert step["delivered"] <= step["amount"] + 1e-9


def test_ledger_pairs_every_dprk_step_with_aid_and_delisting_last():
    class Phase:
        name = "p"
        dprk_steps = ["disable", "declare"]
        progress = 0.4
        aid_tonnes = 100000.0
        delisting = True
        months = 4
        tranches = 4

    led = Ledger()
    steps = led.adopt(0, Phase, 100, AID_PROVIDERS, DPRK_I, US_I)
    assert sum(1 for s in steps if s.kind == "dprk_action") == 4
    assert sum(s.amount for s in steps if s.kind == "aid") == pytest.approx(100000.0)
    delist = [s for s in steps if s.kind == "delisting"]
    assert len(delist) == 1 and delist[0].tranche == 4
    assert [s.due_month for s in steps if s.kind == "dprk_action"] == [101, 102, 103, 104]


# ------------------------------------------------------------------ emergence
def test_a_suspension_and_a_boycott_arise_from_sanctions_not_from_a_script():
    def harsh(d):
        d["window"]["end"] = "2006-12"
        d["invitations"] = [{"date": "2005-06"}]
        d["events"].append(
            {
                "id": "heavy_sanctions",
                "date": "2004-09",
                "type": "sanctions",
                "title": "Sanctions",
                # Strong enough under either session model (the expected-utility
                # sessions reach documents sooner, so trust before the shock is higher).
                "effects": [
                    {"kind": "sanctions", "delta": 0.9},
                    {"kind": "trust", "party": "DPRK", "toward": "US", "delta": -0.4},
                ],
                "source": {"note": "test"},
            }
        )

    r = simulate(scenario(harsh), seed=3)
    decisions = {d["decision"] for d in r.decisions}
    assert "suspends_participation" in decisions
    declined = [s for s in r.sessions if not s["held"]]
    assert declined and all("DPRK" in s["declined"] for s in declined)
    # Without the sanctions, the same seed gives no suspension.
    calm = simulate(scenario(lambda d: d["window"].update(end="2006-12")), seed=3)
    assert "suspends_participation" not in {d["decision"] for d in calm.decisions}


def _shock(kind: str, effects=None):
    effects = (
        effects
        if effects is not None
        else [
            {"kind": "sanctions", "delta": 0.3},
            {"kind": "outside_option", "party": "DPRK", "delta": 0.6},
            {"kind": "trust", "party": "DPRK", "toward": "US", "delta": -0.4},
            {"kind": "trust", "party": "DPRK", "toward": "China", "delta": -0.3},
        ]
    )

    def mutate(d):
        d["window"]["end"] = "2006-12"
        d["events"].append(
            {
                "id": "shock",
                "date": "2005-04",
                "type": kind,
                "title": "Security Council condemns a launch",
                "effects": effects,
                "source": {"note": "test"},
            }
        )

    return scenario(mutate)


def test_a_walk_out_arises_from_the_effects_of_a_shock_on_the_outside_option():
    r = simulate(_shock("un_action"), seed=2)
    walk = [d for d in r.decisions if d["decision"] == "walks_out"]
    assert walk and walk[0]["month"] == "2005-04"
    assert r.timeline[-1]["talks_status"] == "walked_out"
    # The reason names the comparison: outside option above the talks' value
    # (read from its codes and values, not from the English).
    # The walk-out compares the two and nothing else: readiness is not in its reason.
    assert walk[0]["reason_codes"].split(";") == [
        "outside_option_above_talks",
        "talks_value_change",
        "outside_option_sources",  # where the outside option came from: the shock
        "month_events",  # the shock's event, named after the comparison
    ]
    assert json.loads(walk[0]["reason_values"])[-1]["events"] == ["shock"]
    sources = json.loads(walk[0]["reason_values"])[2]["sources"]
    assert [k for k, _, _ in sources] == ["shock"]
    first = json.loads(walk[0]["reason_values"])[0]
    assert first["outside"] > first["talks_value"]
    assert walk[0]["reason"].startswith(f"outside option {first['outside']:.3f} above ")
    # V_T = P (u + relief), as its reason gives it (three decimals each)
    vt = first["performance"] * (first["text_utility"] + first["relief"])
    assert abs(vt - first["talks_value"]) < 2e-3
    # ... and what moved since last month: the shock's outside option (+0.6 this month),
    # from the end of the previous month as timeline.csv shows it
    change = json.loads(walk[0]["reason_values"])[1]
    t = r.months.index("2005-04")
    prev = r.timeline[t - 1]
    assert change["outside"] == round(first["outside"] - prev["dprk_outside_option"], 3) == 0.6
    assert abs(change["talks_value"] - (first["talks_value"] - prev["dprk_talks_value"])) < 2e-3


def test_the_timeline_records_the_state_the_dprk_decides_on():
    """timeline.csv's state columns are what the DPRK's methods return at the end of
    the month, and the walk-out month's row shows the comparison that decided it."""
    assert list(TIMELINE_STATE) == STATE_COLUMNS
    sc = _shock("un_action")
    m = TalksModel(sc, seed=2)
    while m.running and (not m.timeline or m.timeline[-1]["month"] != "2005-04"):
        m.step()
    row, dprk = m.timeline[-1], m.parties[DPRK_I]
    assert row["dprk_stance"] == "walked_out"
    assert row["dprk_readiness"] == float(dprk.attend_score()[0])
    assert row["dprk_outside_option"] == float(m.outside[0, DPRK_I])
    assert row["dprk_talks_value"] == float(dprk.talks_value()[0])
    assert row["dprk_pressure"] == float(dprk.pressure()[0])
    assert row["grievance"] == float(m.grievance[0])
    assert row["china_shuttle_credit"] == float(m.china_shuttle_credit[0])
    assert row["dprk_outside_option"] > row["dprk_talks_value"]


def _without_changes(decisions: list[dict]) -> list[dict]:
    """The decisions with their "since last month" clauses dropped (what they were
    before those clauses were recorded)."""
    from sixparty.reasons import clauses_from, codes_text, render, values_json

    out = []
    for d in decisions:
        kept = [
            c
            for c in clauses_from(d["reason_codes"], d["reason_values"])
            if c.code not in ("readiness_change", "talks_value_change")
        ]
        out.append(
            dict(
                d,
                reason=render(kept),
                reason_codes=codes_text(kept),
                reason_values=values_json(kept),
            )
        )
    return out


def test_recording_the_dprk_state_changes_no_run(monkeypatch):
    """The state columns (and last month's state the reasons compare with) are read,
    never drawn: without them every other table and column is the same, the reasons
    less their "since last month" clauses."""
    sc = _shock("un_action")
    with_state = simulate(sc, seed=2)
    monkeypatch.setattr(TalksModel, "_record_state", lambda self, t: None)
    without = simulate(sc, seed=2)
    assert not any("since last month" in d["reason"] for d in without.decisions)
    assert any("since last month" in d["reason"] for d in with_state.decisions)
    with_state.decisions = _without_changes(with_state.decisions)
    assert _csvs(with_state)[1:] == _csvs(without)[1:]
    keep = [c for c in with_state.timeline[0] if c not in STATE_COLUMNS]
    assert [[r[c] for c in keep] for r in with_state.timeline] == [
        [r[c] for c in keep] for r in without.timeline
    ]


@pytest.mark.parametrize("kind", ["sanctions", "diplomatic", "other"])
def test_retyping_an_event_with_the_same_effects_changes_nothing(kind):
    """No rule reads an event's type: the same effects under another type give
    byte-identical tables (the walk-out included)."""
    a, b = simulate(_shock("un_action"), seed=2), simulate(_shock(kind), seed=2)
    assert _csvs(a) == _csvs(b)


def test_removing_an_effect_changes_the_walk_out_decision():
    """Without the outside option the shock carried, the talks stay worth more
    than leaving them and the DPRK stays in the talks."""
    mild = [
        {"kind": "sanctions", "delta": 0.3},
        {"kind": "trust", "party": "DPRK", "toward": "US", "delta": -0.4},
        {"kind": "trust", "party": "DPRK", "toward": "China", "delta": -0.3},
    ]
    r = simulate(_shock("un_action", mild), seed=2)
    assert not [d for d in r.decisions if d["decision"] == "walks_out"]


def test_disablement_suspension_arises_when_counterparts_fall_behind():
    m = _ledger_model(generosity=0.0, seed=1)
    for party in m.parties[1:]:
        party.delivery_willingness = lambda r=None: 0.0
    m.shift_trust(DPRK_I, US_I, -0.4)
    for _ in range(6):
        m.step()
    assert any(d[2] == "suspends_steps" for d in m.decisions)


# ---------------------------------------------------------------- determinism
def _csvs(r) -> list[str]:
    return [
        csv_text(r.timeline),
        csv_text(r.position_rows()),
        csv_text(r.sessions),
        csv_text(r.ledger),
        csv_text(r.decisions),
        csv_text(r.trust_rows()),
    ]


def test_same_scenario_and_seed_give_identical_tables(historical):
    assert _csvs(simulate(historical, seed=11)) == _csvs(simulate(historical, seed=11))


def test_other_seeds_can_differ(historical):
    runs = {tuple(_csvs(simulate(historical, seed=s))[0:3]) for s in range(1, 5)}
    assert len(runs) > 1


def test_anchoring_mode_is_reported_and_changes_positions(historical):
    anchored = simulate(historical, seed=5)
    free_sc = historical.model_copy(deep=True)
    free_sc.parameters.anchoring = False
    free = simulate(free_sc, seed=5)
    assert anchored.anchoring_mode == "anchored" and free.anchoring_mode == "free"
    assert not np.allclose(anchored.positions, free.positions)


def test_model_never_reads_the_historical_record():
    import pathlib

    import sixparty

    src = pathlib.Path(sixparty.__file__).parent
    for name in ("model.py", "parties.py", "protocol.py"):
        text = (src / name).read_text(encoding="utf-8")
        assert "record.yaml" not in text, name
        assert "sixparty.analysis" not in text and "import analysis" not in text, name
        assert "open(" not in text, f"{name} does I/O"


def test_mesa_registry_entry_is_dropped_after_a_run(historical):
    before = live_models()
    for s in range(5):
        simulate(historical, seed=s, record_positions=False)
    assert live_models() <= before


def test_a_human_dprk_seat_decides_its_own_suspension():
    m = _ledger_model(generosity=0.0, seed=1)
    for party in m.parties[1:]:
        party.delivery_willingness = lambda r=None: 0.0  # counterparts fall behind
    m.shift_trust(DPRK_I, US_I, -0.4)
    m.take_seat("DPRK").implementation = "perform"
    for _ in range(6):
        m.step()
    assert not any(d[2] == "suspends_steps" for d in m.decisions)
    m.seats["DPRK"].implementation = "suspend"
    m.step()
    month = [d for d in m.decisions if d[0] == m.month - 1]
    assert month[0][1:4] == ("DPRK", "suspends_steps", (clause("own_order"),))
    # with its trust in the US low, the same month it may begin to reverse its steps
    assert {d[2] for d in month[1:]} <= {"reverses_steps", "restores_facilities"}


def test_a_human_dprk_seat_ordered_to_attend_stays_in_the_talks(historical):
    """A person who orders the DPRK to attend: decisions.csv never has it suspend its
    participation or walk out (the agent alone does, by seed 0's 2005-10), and one the
    agent had taken away from the talks returns on the order."""
    from sixparty.parties import PARTICIPATING

    agent = TalksModel(historical, seed=0)
    while agent.running:
        agent.step()
    away = [d for d in agent.decisions if d[1] == "DPRK" and d[2] == "suspends_participation"]
    assert away, "the agent's DPRK no longer suspends: choose another seed"

    m = TalksModel(historical, seed=0)
    m.take_seat("DPRK").attend = True
    while m.running:
        m.step()
        assert m.stance[0] == PARTICIPATING
    stance_decisions = {"suspends_participation", "walks_out", "returns"}
    assert not [d for d in m.decisions if d[1] == "DPRK" and d[2] in stance_decisions]
    assert not [d for d in m.decisions if d[1] == "DPRK" and d[2] == "boycotts"]

    m = TalksModel(historical, seed=0)
    while m.month <= away[0][0]:
        m.step()
    assert m.stance[0] != PARTICIPATING
    m.take_seat("DPRK").attend = True
    m.step()
    last = [d for d in m.decisions if d[0] == m.month - 1 and d[1] == "DPRK"]
    assert last[0][2:4] == ("returns", (clause("own_order"),))
    assert m.stance[0] == PARTICIPATING


def test_the_decision_reasons_of_varied_runs_are_narrated_in_chinese(historical):
    """Every reason and note of anchored and free historical runs (tests, walk-outs,
    suspensions, renegotiations, deadlocks) has its Chinese text from its codes."""
    from sixparty.analysis.narrate import row_clauses, row_reason
    from sixparty.analysis.validation import set_mode

    seen = set()
    for mode in ("anchored", "free"):
        for r in simulate_batch(set_mode(historical, mode), [0, 3], record_positions=False):
            for d in r.decisions:
                seen.update(c.code for c in row_clauses(d))
                zh = row_reason(d, "zh")
                assert not any("a" <= ch.lower() <= "z" for ch in zh), zh
            for s in r.sessions:
                seen.update(c.code for c in row_clauses(s, "note_codes", "note_values"))
                zh = row_reason(s, "zh", kind="session")
                assert not any("a" <= ch.lower() <= "z" for ch in zh), zh
    assert {"readiness", "outside_option_above_talks", "deadlock_no_new_acceptance"} <= seen


def test_renegotiation_re_dates_open_steps_from_the_session_and_never_earlier():
    m = _ledger_model(generosity=0.0, seed=0)
    led = m.ledger
    first = [s for s in led.phase_steps(0) if s.tranche == 1]
    for s in first:
        s.delivered = s.amount  # tranche 1 done on both sides
    before = {s.step_id: s.due_month for s in led.phase_steps(0)}
    month = m.month + 10
    n = led.reschedule(0, month, m.spec.phases[0].months)
    assert n > 0
    for s in led.phase_steps(0):
        if s.tranche == 1:
            assert s.due_month == before[s.step_id]  # done steps keep their dates
        else:  # tranche 2 is now the first open one: due 2 months (8 / 4) after the session
            assert s.due_month == max(before[s.step_id], month + 2 * (s.tranche - 1))
    assert led.reschedule(0, m.month, m.spec.phases[0].months) == 0  # never earlier


# ------------------------------------------------------------ re-anchoring recorded
def _restated(anchoring: bool) -> Scenario:
    """The minimal scenario with the DPRK restating its denuclearization twice in
    2003-10 (0.3, then 0.4) and the US its verification once."""

    def mutate(d):
        d["parameters"]["anchoring"] = anchoring
        note = {"note": "test"}
        d["parties"]["DPRK"]["stated_positions"] += [
            {
                "date": "2003-10",
                "label": "a",
                "positions": {"denuclearization": 0.3},
                "source": note,
            },
            {
                "date": "2003-10",
                "label": "b",
                "positions": {"denuclearization": 0.4},
                "source": note,
            },
        ]
        d["parties"]["US"]["stated_positions"] += [
            {"date": "2003-10", "label": "c", "positions": {"verification": 0.9}, "source": note},
        ]

    return scenario(mutate)


def test_the_month_of_a_stated_position_records_the_reanchoring():
    """timeline.csv ``reanchored``: party, issue, the position before (the first of the
    month's statements) and the stated value (the last), per replicate; empty otherwise."""
    m = TalksModel(_restated(True), seeds=[1, 2])
    while m.month < m.start + 2:  # 2003-08, 2003-09
        m.step()
    den, ver = ISSUES.index("denuclearization"), ISSUES.index("verification")
    m.pos[0, DPRK_I, den], m.pos[1, DPRK_I, den] = 0.61, 0.72
    m.pos[:, US_I, ver] = 0.5
    m.step()  # 2003-10
    rows = [m.records[r].timeline[2] for r in (0, 1)]
    assert [r["month"] for r in rows] == ["2003-10", "2003-10"]
    for r, before in zip(rows, (0.61, 0.72), strict=True):
        assert json.loads(r["reanchored"]) == [
            {"party": "DPRK", "issue": "denuclearization", "from": before, "to": 0.4},
            {"party": "US", "issue": "verification", "from": 0.5, "to": 0.9},
        ]
    assert m.records[0].timeline[1]["reanchored"] == ""  # 2003-09: no statement
    assert list(m.records[0].timeline[0]).index("reanchored") == len(m.records[0].timeline[0]) - 1


def test_free_mode_records_only_the_first_statements():
    r = simulate(_restated(False), seed=1)
    months = {row["month"]: row["reanchored"] for row in r.timeline}
    # the DPRK's later statements are not applied; the US's first on verification is
    assert [(x["party"], x["issue"], x["to"]) for x in json.loads(months["2003-10"])] == [
        ("US", "verification", 0.9)
    ]
    first = json.loads(months["2003-08"])
    # the DPRK's first statement on denuclearization is where it already stood (no move
    # at two decimals): left out
    assert {(x["party"], x["issue"]) for x in first} == {
        ("DPRK", "format"),
        ("US", "denuclearization"),
    }
    assert all(x["from"] != x["to"] for x in first)


def test_recording_the_reanchoring_changes_no_run(historical, tmp_path, monkeypatch):
    """The column is a record: every other column and table is what the run gives
    without it (statements applied without keeping anything), and it reads back from a
    run folder."""
    from sixparty.analysis.runfiles import read_run
    from sixparty.outputs import timeline_columns, write_run

    r = simulate(historical, seed=3)

    def apply_only(self):
        for i, vals in self._statements.get(self.month, ()):
            for issue, v in vals.items():
                k = ISSUES.index(issue)
                self.pos[:, i, k] = v
                self.anchor[:, i, k] = v

    with monkeypatch.context() as mp:
        mp.setattr(TalksModel, "_apply_statements", apply_only)
        plain = simulate(historical, seed=3)
    assert all(row["reanchored"] == "" for row in plain.timeline)
    assert _csvs(r)[1:] == _csvs(plain)[1:]
    cols = [c for c in timeline_columns(r) if c != "reanchored"]
    assert csv_text(r.timeline, cols) == csv_text(plain.timeline, cols)
    assert timeline_columns(r)[-1] == "reanchored"
    assert any(row["reanchored"] for row in r.timeline)
    write_run(r, tmp_path / "run")
    t = read_run(tmp_path / "run")
    got = t.timeline["reanchored"].fillna("").tolist()
    assert got == [row["reanchored"] for row in r.timeline]


def test_reanchored_leaves_out_a_move_that_rounds_to_nothing():
    """timeline.csv ``reanchored`` records moves at two decimals: a restatement that
    leaves the position where it was as recorded ({"from": 0.7, "to": 0.7}) is left out,
    a move of 0.01 as recorded is kept."""
    from sixparty.model import reanchored_text

    items = [
        ("DPRK", "sanctions_relief", 0.7, 0.7),
        ("DPRK", "format", 0.699, 0.7012),  # both 0.70 as recorded
        ("US", "format", 0.694, 0.704),  # 0.69 -> 0.70
    ]
    assert json.loads(reanchored_text(items)) == [
        {"party": "US", "issue": "format", "from": 0.69, "to": 0.7}
    ]
    assert reanchored_text(items[:2]) == ""


def test_reanchored_text_is_what_json_writes():
    """``reanchored_text`` builds its JSON by hand (it runs once a re-anchoring month
    and replicate): the bytes are those of ``json.dumps`` of the entries, compact, for
    every party and issue key, signed zeros and values that round to themselves."""
    import numpy as np
    from sixparty.model import reanchored_text
    from sixparty.scenario import ISSUES, PARTIES

    rng = np.random.default_rng(5)
    for _ in range(200):
        items = [
            (
                PARTIES[int(rng.integers(6))],
                ISSUES[int(rng.integers(8))],
                float(rng.choice([-0.001, 0.0, 1.0, rng.random()])),
                float(rng.choice([-0.004, 0.001, 0.5, rng.random()])),
            )
            for _ in range(int(rng.integers(0, 4)))
        ]
        out = [
            {"party": p, "issue": k, "from": a2, "to": b2}
            for p, k, a, b in items
            if (a2 := float(f"{a:.2f}")) != (b2 := float(f"{b:.2f}"))
        ]
        want = json.dumps(out, separators=(",", ":")) if out else ""
        assert reanchored_text(items) == want


def test_the_rok_hard_line_holding_owed_aid_is_recorded_as_its_decision():
    """Under the hard line (from 2008-02) the ROK's owed aid step is not delivered;
    decisions.csv says so, once, as the ROK's decision with its reason
    (historical, seed 0: a phase with an ROK aid share adopted in 2008)."""
    import sixparty
    from sixparty.runner import simulate

    res = simulate(sixparty.load_scenario("historical"), 0)
    rows = [d for d in res.decisions if d["decision"] in ("withholds_aid", "resumes_aid")]
    assert [(d["party"], d["decision"]) for d in rows] == [("ROK", "withholds_aid")]
    assert rows[0]["month"] >= "2008-02"
    assert "line_denuclearization_first" in rows[0]["reason_codes"]
    assert rows[0]["reason"].startswith("its government's line: no aid before")


def test_the_walk_out_reason_accounts_for_the_whole_outside_option():
    """The walk-out's reason lists every change of the DPRK's outside option
    (events' typed effects and its tests, as applied), so decisions.csv alone
    says where the value it compares came from: start + changes = the value."""
    import json

    import sixparty
    from sixparty.runner import simulate

    res = simulate(sixparty.load_scenario("historical"), 20030827)
    walk = [d for d in res.decisions if d["decision"] == "walks_out"]
    assert walk, "the default run walks out (docs/classroom.md)"
    codes = walk[0]["reason_codes"].split(";")
    values = json.loads(walk[0]["reason_values"])
    compared = values[codes.index("outside_option_above_talks")]["outside"]
    src = values[codes.index("outside_option_sources")]
    total = src["start"] + sum(d for _, _, d in src["sources"])
    assert total == pytest.approx(compared, abs=0.001 * (1 + len(src["sources"])))
    assert any(k == "nuclear_test" for k, _, _ in src["sources"])  # its own test counts
    assert any(k == "gaddafi_death_2011" for k, _, _ in src["sources"])  # and events
