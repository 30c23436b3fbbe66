"""Checks of the shipped historical data against the format and the article.

- ``scenarios/historical.yaml`` validates as a :class:`sixparty.scenario.Scenario`;
- every ``source.quote`` in it and in ``analysis/data/record.yaml`` is found
  verbatim in the article (``../shared/seed/six_party_talks.zh.md``);
- every party has stated positions, and every party with a bullet in the
  rounds 1-3 position lists has one dated in that round's month;
- the event ids counterfactuals rely on exist, and no event is a DPRK decision;
- the record's documents and episode kinds are valid;
- the example scenario in ``docs/scenarios.md`` validates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from seed_article import article_path, read_article
from sixparty.scenario import (
    DOCUMENT_TYPES,
    ISSUE_SCALES,
    ISSUES,
    PARTIES,
    Parameters,
    Parties,
    Scenario,
)

REPO = Path(__file__).resolve().parents[1]
HISTORICAL = REPO / "scenarios" / "historical.yaml"
RECORD = REPO / "analysis" / "data" / "record.yaml"
DOC = REPO / "docs" / "scenarios.md"
#: The article: ``shared/`` beside the repository, or the file named by the
#: environment variable SIXPARTY_ARTICLE (a git worktree elsewhere).
SEED = article_path()

EPISODE_KINDS = {
    "suspension",
    "boycott",
    "shutdown",
    "disablement_start",
    "disablement_slowed",
    "declaration",
    "disablement_suspended",
    "delisting",
    "walkout",
    "missile_test",
    "nuclear_test",
}

#: Months of the sessions with a "各方(的)基本立场" list, and the parties that
#: have a bullet in it (../shared/seed/position_labels.md).
POSITION_LISTS = {
    "三方会谈": ("2003-04", ("DPRK", "US", "China")),
    "第一轮": ("2003-08", PARTIES),
    "第二轮": ("2004-02", PARTIES),
    "第三轮": ("2004-06", PARTIES),
}


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return _load(HISTORICAL)


@pytest.fixture(scope="module")
def scenario(raw: dict[str, Any]) -> Scenario:
    return Scenario.model_validate(raw)


@pytest.fixture(scope="module")
def record() -> dict[str, Any]:
    return _load(RECORD)


@pytest.fixture(scope="module")
def seed_text() -> str:
    return read_article(SEED)


def _quotes(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(field path, quote) for every ``quote`` string anywhere in ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            if key == "quote" and isinstance(value, str):
                yield here, value
            else:
                yield from _quotes(value, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _quotes(value, f"{path}[{i}]")


# ------------------------------------------------------------ the scenario
def test_historical_validates(scenario: Scenario) -> None:
    assert scenario.name == "historical"
    assert (scenario.window.start, scenario.window.end) == ("2003-01", "2012-12")
    assert scenario.quote_language == "zh"
    assert scenario.invitations == []
    assert scenario.seed == 20030827
    assert scenario.parameters.anchoring is True


def test_issue_scales_copied_from_schema(scenario: Scenario) -> None:
    assert list(scenario.issues) == list(ISSUES)
    for key, (zero, one) in ISSUE_SCALES.items():
        assert scenario.issues[key].zero == zero, key
        assert scenario.issues[key].one == one, key


def test_capability_normalized_and_sourced(scenario: Scenario) -> None:
    caps = {key: cfg.capability for key, cfg in scenario.parties.items()}
    assert max(c.value for c in caps.values()) == 1.0
    for key, cap in caps.items():
        assert cap.source.note and "CINC" in cap.source.note, key


def test_every_number_has_reasoning(scenario: Scenario) -> None:
    for key, cfg in scenario.parties.items():
        for field in ("resolve", "domestic_constraint"):
            assert getattr(cfg, field).source.note, f"{key}.{field} has no reasoning"
        assert cfg.salience_source is not None, f"{key} has no salience_source"
        assert set(cfg.trust) == set(PARTIES) - {key}, f"{key} trust must name the five others"


def test_us_refuses_direct_talks_and_rok_engages(scenario: Scenario) -> None:
    assert scenario.parties.US.strategy.direct_talks == "refuse"
    assert scenario.parties.ROK.strategy.policy == "engagement"
    assert scenario.parties.Japan.strategy.abductee_linkage is True


def test_all_parties_have_stated_positions(scenario: Scenario) -> None:
    for key, cfg in scenario.parties.items():
        assert cfg.stated_positions, f"{key} has no stated positions"


@pytest.mark.parametrize("round_name", list(POSITION_LISTS))
def test_position_list_bullets_have_dated_statements(scenario: Scenario, round_name: str) -> None:
    month, parties = POSITION_LISTS[round_name]
    for key in parties:
        stated = getattr(scenario.parties, key).stated_positions
        dated = [s for s in stated if s.date == month]
        assert dated, f"{key} has no stated position dated {month} ({round_name})"
        sections = {s.source.section for s in dated}
        assert any(sec and sec.startswith(round_name) for sec in sections), (
            f"{key}: no {month} statement cites a {round_name} section ({sections})"
        )


def test_stated_positions_inside_window(scenario: Scenario) -> None:
    for key, cfg in scenario.parties.items():
        for st in cfg.stated_positions:
            assert scenario.window.start <= st.date <= scenario.window.end, (key, st.date)
            assert st.source.quote and st.source.section and st.source.gloss, (key, st.label)


def test_phases_form_the_action_for_action_menu(scenario: Scenario) -> None:
    names = [ph.name for ph in scenario.phases]
    assert len(names) == 3
    assert sum(ph.progress for ph in scenario.phases) == pytest.approx(1.0)
    first, second, _final = scenario.phases
    assert first.aid_tonnes == 50000 and not first.delisting
    assert second.aid_tonnes == 950000 and second.delisting and second.months == 3


REQUIRED_EVENT_IDS = (
    "npt_withdrawal_2003",
    "iraq_war_pressure_2003",
    "powell_visit_china_2003",
    "libya_renounces_wmd_2003",
    "us_tyranny_rhetoric_2004",
    "rok_enrichment_admission_2004",
    "us_financial_sanctions_2005_06",
    "us_human_rights_envoy_2005",
    "ulchi_focus_lens_2005",
    "us_midterms_2006",
    "bush_brutal_regimes_2007",
    "rok_hardline_2008",
    "obama_takes_office_2009",
    "dprk_satellite_launch_2009",
    "unsc_presidential_statement_2009",
    "cheonan_sinking_2010",
    "libya_intervention_2011",
    "gaddafi_death_2011",
    "kim_jong_il_death_2011",
    "dprk_satellite_launch_2012",
)


def test_named_events_exist(scenario: Scenario) -> None:
    ids = {ev.id for ev in scenario.events}
    missing = [i for i in REQUIRED_EVENT_IDS if i not in ids]
    assert not missing, f"missing event ids: {missing}"
    bda = sorted(i for i in ids if i.startswith("bda_"))
    assert {
        "bda_freeze_proposed_2005",
        "bda_public_accusation_2005",
        "bda_funds_released_2007",
    } <= set(bda)


def test_key_event_effects(scenario: Scenario) -> None:
    by_id = {ev.id: ev for ev in scenario.events}
    assert by_id["unsc_presidential_statement_2009"].date == "2009-04-13"
    assert any(
        e.kind == "policy" and e.party == "ROK" and e.value == "hardline"
        for e in by_id["rok_hardline_2008"].effects
    )
    assert any(
        e.kind == "outside_option" and e.party == "DPRK" and e.delta > 0
        for e in by_id["gaddafi_death_2011"].effects
    )


def test_no_event_is_a_dprk_decision(scenario: Scenario) -> None:
    for ev in scenario.events:
        for word in ("test", "boycott", "walkout", "walk_out", "1718", "1874"):
            assert word not in ev.id, (
                f"event {ev.id!r} looks like a DPRK decision or its direct response"
            )


def test_event_effects_are_modest(scenario: Scenario) -> None:
    for ev in scenario.events:
        for eff in ev.effects:
            delta = getattr(eff, "delta", None)
            if delta is not None:
                assert abs(delta) <= 0.3, (ev.id, eff)


# ------------------------------------------------------------ quotes
def test_scenario_quotes_are_verbatim(raw: dict[str, Any], seed_text: str) -> None:
    quotes = list(_quotes(raw))
    assert len(quotes) > 50
    missing = [(p, q) for p, q in quotes if q not in seed_text]
    assert not missing, "quotes not found verbatim in the article:\n" + "\n".join(
        f"  {p}: {q}" for p, q in missing
    )


def test_the_919_rewards_are_counterpart_steps_quoting_the_article(
    scenario: Scenario, seed_text: str
) -> None:
    """The abandonment phase owes the DPRK the 9·19 security assurance,
    normalization (US and Japan) and the LWR discussion, each quoting the
    joint statement's sentence verbatim (article §第四轮 第二阶段)."""
    phase = next(p for p in scenario.phases if p.name == "abandonment_and_verification")
    steps = {(c.party, c.step): c for c in phase.counterpart_steps}
    assert set(steps) == {
        ("US", "security_assurance"),
        ("US", "normalization"),
        ("Japan", "normalization"),
        ("US", "lwr_discussion"),
    }
    for c in steps.values():
        assert c.source.section == "第四轮 第二阶段"
        assert c.source.quote and c.source.quote in seed_text, c.source.quote
        # owed only by a text that commits it, as the phase's own terms read it
        assert c.at_least == phase.terms[c.issue].at_least


def test_record_quotes_are_verbatim(record: dict[str, Any], seed_text: str) -> None:
    quotes = list(_quotes(record))
    assert len(quotes) > 10
    missing = [(p, q) for p, q in quotes if q not in seed_text]
    assert not missing, "quotes not found verbatim in the article:\n" + "\n".join(
        f"  {p}: {q}" for p, q in missing
    )


def test_quotes_have_no_leading_bullet_colon(raw: dict[str, Any], record: dict[str, Any]) -> None:
    for path, q in [*_quotes(raw), *_quotes(record)]:
        assert not q.startswith(("：", ":", " ")), path


# ------------------------------------------------------------ the record
def test_record_sessions(record: dict[str, Any]) -> None:
    sessions = record["sessions"]
    ids = [s["id"] for s in sessions]
    assert len(ids) == len(set(ids))
    assert len(sessions) == 12  # three-party, R1-R3, R4 x2, R5 x3, R6 x2, July 2007 heads meeting
    for s in sessions:
        assert s["document"] in DOCUMENT_TYPES, s["id"]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", s["start"]), s["id"]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", s["end"]), s["id"]
        assert s["start"] <= s["end"], s["id"]
        assert set(s["participants"]) <= set(PARTIES), s["id"]
        assert s["label"]["en"] and s["label"]["zh"], s["id"]
        assert s["source"]["section"] and s["source"]["quote"], s["id"]
    docs = {s["id"]: s["document"] for s in sessions}
    assert docs["round4_phase2"] == "joint_statement"
    assert docs["round5_phase3"] == docs["round6_phase2"] == "joint_document"
    assert docs["round2"] == docs["round3"] == "chairmans_statement"


def test_record_episodes(record: dict[str, Any]) -> None:
    episodes = record["episodes"]
    for ep in episodes:
        assert ep["kind"] in EPISODE_KINDS, ep["id"]
        assert re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", ep["start"]), ep["id"]
        assert ep["source"]["quote"], ep["id"]
    starts = {ep["id"]: ep["start"] for ep in episodes}
    assert starts["dprk_suspends_2005"] == "2005-02-10"
    assert starts["yongbyon_shutdown_2007"] == "2007-07-14"
    assert starts["disablement_start_2007"] == "2007-11-05"
    assert starts["walkout_2009"] == "2009-04-14"
    boycott = next(ep for ep in episodes if ep["kind"] == "boycott")
    assert boycott["end"] == "2006-11-01"
    assert record["hfo_delivered"][0]["tonnes"] == 6200


# ------------------------------------------------------------ the doc example
def _doc_example() -> str:
    text = DOC.read_text(encoding="utf-8")
    m = re.search(r"<!-- example-scenario -->\s*```yaml\n(.*?)```", text, re.S)
    assert m, "docs/scenarios.md has no yaml block after <!-- example-scenario -->"
    return m.group(1)


def test_doc_example_validates() -> None:
    example = Scenario.model_validate(yaml.safe_load(_doc_example()))
    assert len(list(example.parties.items())) == 6
    assert example.phases and example.events


def test_doc_lists_every_issue_and_effect_kind() -> None:
    text = DOC.read_text(encoding="utf-8")
    for issue, (zero, one) in ISSUE_SCALES.items():
        assert f"`{issue}`" in text and zero in text and one in text, issue
    for kind in (
        "position",
        "salience",
        "trust",
        "resolve",
        "domestic_constraint",
        "sanctions",
        "policy",
        "outside_option",
        "strategy",
    ):
        assert f"`{kind}`" in text, kind


def test_doc_lists_every_parameter_and_strategy_field() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name in Parameters.model_fields:
        assert f"`{name}`" in text, f"parameters.{name} is not documented in docs/scenarios.md"
    for party, info in Parties.model_fields.items():
        strategy_cls = info.annotation.model_fields["strategy"].annotation
        for name in strategy_cls.model_fields:
            assert f"`{name}`" in text, f"{party} strategy.{name} is not documented"


def test_the_abandonment_terms_admit_the_dprk_919_commitment(
    scenario: Scenario, seed_text: str
) -> None:
    """The abandonment phase's terms quote the 9·19 sentence in which the DPRK
    committed to abandon all nuclear weapons and programmes; the DPRK's stated
    position quoting the same sentence must lie within both of the phase's
    denuclearization terms (one reading of one sentence): the scope's upper half
    ("abandon all") and the sequence's lower half (the statement was implemented
    action for action, article §第五轮 第二阶段).  On the one scale of before, no
    single value could be both."""
    phase = next(p for p in scenario.phases if p.name == "abandonment_and_verification")
    quote = phase.terms_source.quote
    assert quote in seed_text
    assert "根据“行动对行动”原则，尽快采取协调一致步骤，分阶段落实共同声明" in seed_text
    stated = [
        s
        for s in scenario.parties.DPRK.stated_positions
        if s.source.quote == quote and "denuclearization" in s.positions
    ]
    assert stated, "the DPRK's 9·19 stated position quotes the phase's sentence"
    scope, sequence = phase.terms["denuclearization"], phase.terms["sequence"]
    for s in stated:
        assert scope.covers(s.positions["denuclearization"])
        assert sequence.covers(s.positions["sequence"])
    assert not scope.covers(0.4)  # a freeze, or abandonment only named as a goal
    assert not sequence.covers(0.6)  # dismantlement before the rewards


# ------------------------------------------------- the two denuclearization scales
def _stated(scenario: Scenario, party: str, date: str, quote_part: str):
    """The party's stated position of ``date`` whose quote contains ``quote_part``."""
    cfg = getattr(scenario.parties, party)
    hits = [
        s for s in cfg.stated_positions if s.date == date and quote_part in (s.source.quote or "")
    ]
    assert len(hits) == 1, (party, date, quote_part)
    return hits[0]


def test_the_dprk_919_statement_is_abandon_all_action_for_action(scenario: Scenario) -> None:
    """The DPRK's "放弃一切核武器及现有核计划" is the scope's upper half; the statement's
    implementation "根据“行动对行动”原则" the sequence's lower half."""
    s = _stated(scenario, "DPRK", "2005-09", "放弃一切核武器及现有核计划")
    assert s.positions["denuclearization"] >= 0.5
    assert s.positions["sequence"] <= 0.5


def test_the_us_line_of_2003_is_cvid_and_dismantlement_first(scenario: Scenario) -> None:
    """CVID is the scope's 1 end; "首先 … 随后才能" the sequence's upper half, from
    the initial position (2003-01) and in the round-1 statement."""
    us = scenario.parties.US
    assert us.initial["denuclearization"].position >= 0.9
    assert us.initial["sequence"].position > 0.5
    s = _stated(scenario, "US", "2003-08", "CVID")
    assert s.positions["denuclearization"] == 1.0 and s.positions["sequence"] == 1.0


def test_the_2007_change_of_order_is_on_the_sequence_only(scenario: Scenario) -> None:
    """The US's 2·13 commitment starts a reward (delisting) in the first phase,
    before any dismantlement: a sequence on the phased half; it says nothing of
    the scope, which the US never lowered (its 2005-09-20 statement keeps 0.9)."""
    s = _stated(scenario, "US", "2007-02", "启动不再将朝鲜列为")
    assert s.positions["sequence"] <= 0.5
    assert "denuclearization" not in s.positions
    later = _stated(scenario, "US", "2005-09", "任何国家都不能与其开展轻水反应堆")
    assert later.positions["denuclearization"] >= 0.9


def test_china_simultaneous_steps_and_the_rok_hard_line_are_sequence(
    scenario: Scenario,
) -> None:
    """China's "同时迈步" is the sequence's 0 end; Lee Myung-bak's "先行采取无核化
    措施" (ROK, 2008) the sequence's upper half; neither sets a scope."""
    china = _stated(scenario, "China", "2004-06", "同时迈步")
    assert china.positions == {"sequence": 0.0}
    rok = _stated(scenario, "ROK", "2008-02", "先行采取无核化措施")
    assert rok.positions["sequence"] > 0.5 and "denuclearization" not in rok.positions
    lee = next(e for e in scenario.events if e.id == "rok_hardline_2008")
    moved = {(e.issue, e.party) for e in lee.effects if e.kind == "position"}
    assert ("sequence", "ROK") in moved and ("denuclearization", "ROK") not in moved


def test_every_party_has_a_sequence_position_and_salience_with_a_reason(
    scenario: Scenario,
) -> None:
    """Each party's salience note gives the sequence's salience a reason."""
    for key, cfg in scenario.parties.items():
        assert "sequence" in cfg.initial, key
        assert "sequence" in (cfg.salience_source.note or ""), key


def test_the_phases_terms_read_the_sequence(scenario: Scenario) -> None:
    """Parallel steps are a sequence term on every phase; only abandonment adds
    a scope term (abandonment of all), and no phase keeps the old
    ``denuclearization <= 0.5`` of the one scale."""
    for phase in scenario.phases:
        assert phase.terms["sequence"].at_most == 0.5, phase.name
        den = phase.terms.get("denuclearization")
        if phase.name == "abandonment_and_verification":
            assert den is not None and den.at_least == 0.5 and den.at_most is None
        else:
            assert den is None, phase.name


def test_every_denuclearization_statement_note_reads_both_scales(scenario: Scenario) -> None:
    """A stated position on either scale says in its note how its sentence reads
    on the scope and the sequence (the number's reason)."""
    for key, cfg in scenario.parties.items():
        for s in cfg.stated_positions:
            if {"denuclearization", "sequence"} & set(s.positions):
                note = s.source.note or ""
                assert "cope" in note or "equence" in note, (key, s.date, s.label)
