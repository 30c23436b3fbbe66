"""Narration (analysis.narrate) and labels (analysis.i18n).

The historical run's narration tells every session the run convened, in
order, in English and Chinese; the Chinese text uses the article's terms;
decisions are told with the model's reasons; the debrief compares a seated
run with the agent run and the record.  Synthetic results cover the paths the
calibrated model may not take today (joint document, ledger, walk-out).
"""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from seed_article import article_path
from sixparty.analysis import i18n
from sixparty.analysis.narrate import (
    debrief,
    debrief_rows,
    load_record,
    narrate,
    path_metrics,
    reason_text,
    record_metrics,
    record_timeline,
    row_reason,
    session_heading,
)
from sixparty.loader import find_scenario, load_scenario
from sixparty.reasons import clause, codes_text, render, values_json
from sixparty.runner import simulate
from sixparty.scenario import ISSUES, PARTIES


@pytest.fixture(scope="module")
def historical():
    return simulate(load_scenario(find_scenario("historical")))


def _positions_in_order(text: str, needles: list[str]) -> list[int]:
    found, start = [], 0
    for n in needles:
        i = text.find(n, start)
        assert i >= 0, f"{n!r} missing (or out of order) in the narration"
        found.append(i)
        start = i + len(n)
    return found


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_historical_narration_tells_every_session_in_order(historical, lang):
    assert historical.sessions, "the historical run convened no session: nothing to test"
    text = narrate(historical, lang=lang)
    headings = [session_heading(s, lang) for s in historical.sessions]
    _positions_in_order(text, headings)
    # and each heading once (a session is not told twice)
    for h in headings:
        assert text.count(h + "\n") + text.count(h + " · ≈") == 1


def test_session_headings_have_the_documented_form():
    s = {"month": "2005-09", "round": 14, "phase": 2, "session_id": 11}
    assert session_heading(s, "en") == "2005-09 · Session 12"
    assert session_heading(s, "zh") == "2005年9月 · 第12次会议"
    assert (
        session_heading(s, "en", "≈ Round 4, phase 2")
        == "2005-09 · Session 12 · ≈ Round 4, phase 2"
    )


def test_sessions_are_told_by_their_own_number_and_the_historical_round_they_match(historical):
    text = narrate(historical)
    assert "Round 14" not in text and "· Round " not in text
    assert "· Session 1" in text
    matched = [line for line in text.splitlines() if " · ≈ Round " in line]
    assert matched, "no session of the historical run matched a recorded round"
    zh = narrate(historical, lang="zh")
    assert "次会议 · ≈ 第" in zh


def test_narration_is_deterministic_and_language_checked(historical):
    assert narrate(historical) == narrate(historical)
    with pytest.raises(ValueError, match="en, zh"):
        narrate(historical, lang="fr")


def test_historical_narration_tells_decisions_with_reasons(historical):
    text = narrate(historical)
    for d in historical.decisions:
        if d["decision"] == "boycotts":
            continue
        assert i18n.label(f"decision.{d['decision']}") in text
        # the outside option's sources are told with the events' titles, not their ids
        head, sep, _ = d["reason"].partition("; the outside option is its start ")
        assert head in text
        if sep:
            assert "Gaddafi" in text.split(head, 1)[1].split("\n")[0]


# ---------------------------------------------------------------- synthetic
def _decision(month, party, decision, *clauses, cause=""):
    """A decisions row as the model's tables write it (reason rendered from its codes)."""
    return {
        "month": month,
        "party": party,
        "decision": decision,
        "reason": render(clauses),
        "cause": cause,
        "reason_codes": codes_text(clauses),
        "reason_values": values_json(clauses),
    }


def _notes(*clauses):
    """A session's notes columns as the model's tables write them."""
    return {
        "notes": render(clauses),
        "note_codes": codes_text(clauses),
        "note_values": values_json(clauses),
    }


def _synthetic(historical):
    """A copy of the historical result rewritten to take every narrated path."""
    r = copy.copy(historical)
    months = historical.months[:12]
    r.months = months
    r.timeline = [dict(row, events="") for row in historical.timeline[:12]]
    r.positions = np.full((12, 6, len(ISSUES)), 0.5)
    r.salience = np.full((12, 6, len(ISSUES)), 0.5)
    r.positions[2, PARTIES.index("DPRK"), ISSUES.index("verification")] = 0.05
    text = {f"text_{k}": 0.5 for k in ISSUES}
    base = dict(
        round=1,
        invited_by="chair",
        held=True,
        attended=";".join(PARTIES),
        declined="",
        iterations=5,
        recess=False,
        direct_contact=False,
        common_ground_issues=3,
        adopted_phase="",
        **_notes(),
        **text,
    )
    r.sessions = [
        dict(
            base,
            session_id=0,
            phase=1,
            month=months[2],
            target="joint_statement",
            document="oral_summary",
            recess=True,
            **_notes(
                clause("deadlock_no_new_acceptance", drafts=4),
                clause("holdouts", level="joint_statement", parties=["DPRK"]),
            ),
        ),
        dict(
            base,
            session_id=1,
            phase=2,
            month=months[3],
            invited_by="recess",
            target="joint_document",
            document="joint_document",
            adopted_phase="initial_actions",
            direct_contact=True,
        ),
        dict(
            base,
            session_id=2,
            round=2,
            phase=1,
            month=months[9],
            held=False,
            attended="US;China;ROK;Japan;Russia",
            declined="DPRK",
            target="none",
            document="none",
            iterations=0,
        ),
    ]
    r.ledger = [
        {
            "step_id": 0,
            "phase": 1,
            "phase_name": "initial_actions",
            "tranche": 1,
            "party": "DPRK",
            "kind": "dprk_action",
            "description": "shut_down_and_seal_yongbyon; readmit_iaea_monitors",
            "amount": 0.1,
            "unit": "progress",
            "promised": months[3],
            "due": months[4],
            "delivered": 0.1,
            "completed": months[5],
        },
        {
            "step_id": 1,
            "phase": 1,
            "phase_name": "initial_actions",
            "tranche": 1,
            "party": "ROK",
            "kind": "aid",
            "description": "HFO-equivalent aid",
            "amount": 5000.0,
            "unit": "t_HFO",
            "promised": months[3],
            "due": months[4],
            "delivered": 5000.0,
            "completed": months[4],
        },
    ]
    for t, row in enumerate(r.timeline):
        row.update(
            implementation="none",
            progress=0.0,
            aid_pledged_t=0.0,
            aid_delivered_t=0.0,
            talks_status="no_talks",
        )
        if t >= 3:
            row.update(implementation="active", aid_pledged_t=5000.0)
        if t >= 4:
            row["aid_delivered_t"] = 5000.0
        if t >= 5:
            row["progress"] = 0.1
        if t == 6:
            row["implementation"] = "suspended"
        if t >= 10:
            row.update(talks_status="walked_out")
    r.timeline[1]["events"] = "event:npt_withdrawal_2003;US: withholds_delisting (verification)"
    r.decisions = [
        _decision(
            months[6],
            "DPRK",
            "suspends_steps",
            clause("overdue_aid", tranche=1, phase=1, due=months[4], short=["ROK"]),
            clause("trust_in_us", trust=0.31),
            cause="overdue_aid",
        ),
        _decision(
            months[9],
            "DPRK",
            "boycotts",
            clause("declined_invitation", readiness=0.45, draw=0.01, threshold=0.5),
        ),
        _decision(
            months[10],
            "DPRK",
            "walks_out",
            clause("readiness", readiness=0.15, sanctions=0.6, trust_in_us=0.1, grievance=0.4),
        ),
    ]
    return r


def test_synthetic_english_story(historical):
    r = _synthetic(historical)
    text = narrate(r, "en")
    _positions_in_order(text, [session_heading(s, "en") for s in r.sessions])
    assert "DPRK held out: it stood at 0.05 on verification (self-declaration only" in text
    assert "Note: deadlock: no new acceptance in 4 drafts." in text
    assert "the chair announced the common ground orally (3 of 9 issues)" in text
    assert "The session was adjourned (recess)" in text
    assert (
        "adopted the phase 'initial actions': the DPRK to shut down and seal the Yongbyon "
        "facilities, readmit IAEA monitors"
    ) in text
    assert "against 5,000 t of heavy fuel oil (HFO)-equivalent aid" in text
    assert "US and DPRK delegates met directly" in text
    assert "ROK completed its HFO-equivalent aid for tranche 1" in text
    assert "The DPRK completed tranche 1 of 'initial actions'" in text
    assert (
        "DPRK suspends its steps under 'initial actions' (shut down and seal the Yongbyon "
        f"facilities, readmit IAEA monitors): overdue_aid: aid tranche 1 of phase 1 due "
        f"{r.months[4]}, short: ROK; trust in US 0.31."
    ) in text
    assert "Implementation stopped: the DPRK has suspended its steps." in text
    assert (
        "DPRK declined the invitation, so the session was not held (readiness 0.45, noise "
        "+0.01: not above 0.5)" in text
    )
    assert (
        "DPRK walks out of the talks: readiness 0.15 (sanctions 0.60, trust in US 0.10, "
        "grievance 0.40)"
    ) in text
    assert "Event: DPRK announces withdrawal from the NPT." in text
    assert "US withholds delisting: verification is not yet satisfied." in text
    assert text.rstrip().endswith("sanctions {:.2f}.".format(r.timeline[-1]["sanctions"]))


def test_synthetic_chinese_story_uses_the_articles_terms(historical):
    r = _synthetic(historical)
    text = narrate(r, "zh")
    _positions_in_order(text, [session_heading(s, "zh") for s in r.sessions])
    for term in (
        "共同声明",
        "共同文件",
        "行动对行动",
        "重油",
        "起步行动",
        "关闭并封存宁边核设施",
        "朝鲜退出六方会谈",
        "暂停履行其步骤",
        "休会",
        "朝鲜坚持己见",
        "核查",
    ):
        assert term in text, term
    assert "模型理由：出席意愿0.15（制裁0.60，对美信任0.10，不满0.40）。" in text


def test_chairmans_statement_and_disablement_terms_in_chinese():
    assert i18n.LABELS["zh"]["chairmans_statement"] == "主席声明"
    assert i18n.LABELS["zh"]["disablement"] == "去功能化"
    assert i18n.LABELS["zh"]["hfo"] == "重油"
    assert i18n.LABELS["zh"]["action_for_action"] == "行动对行动"
    assert set(i18n.LABELS["en"]) == set(i18n.LABELS["zh"])
    holdout = clause("holdouts", level="joint_document", parties=["US"])
    assert reason_text([holdout], "zh") == "未接受共同文件的一方：美国"


def test_label_falls_back_to_english_then_key():
    assert i18n.label("DPRK", "zh") == "朝鲜"
    assert i18n.label("no_such_key", "zh") == "no_such_key"


def test_find_cjk_font_reports_what_matplotlib_has(monkeypatch):
    from matplotlib import font_manager

    class F:
        def __init__(self, name):
            self.name = name

    monkeypatch.setattr(font_manager.fontManager, "ttflist", [F("DejaVu Sans")])
    assert i18n.find_cjk_font() is None
    font, msg = i18n.cjk_font_or_message()
    assert font is None and "apt-get install fonts-noto-cjk" in msg
    assert i18n.use_lang_font("zh") == msg
    monkeypatch.setattr(
        font_manager.fontManager,
        "ttflist",
        [F("DejaVu Sans"), F("WenQuanYi Zen Hei"), F("Noto Sans CJK JP")],
    )
    assert i18n.find_cjk_font() == "Noto Sans CJK JP"
    assert i18n.use_lang_font("en") is None


# ------------------------------------------------------------------ debrief
def test_record_timeline_and_metrics():
    rec = load_record()
    assert rec is not None
    rows = record_timeline("en", rec)
    assert rows == sorted(rows, key=lambda r: r["date"])
    assert any(r["kind"] == "walkout" and r["month"] == "2009-04" for r in rows)
    zh = record_timeline("zh", rec)
    assert any("主席声明" in r["what"] for r in zh)
    m = record_metrics(rec)
    assert m["joint_documents"] == 2 and m["joint_statements"] == 1 and m["walkout"] == "2009-04"
    early = record_metrics(rec, until="2004-12")
    assert early["best_document"] == "chairmans_statement" and early["walkout"] == ""


def test_debrief_compares_seat_agent_and_history(historical):
    seated = _synthetic(historical)
    m = path_metrics(seated)
    assert m["walkout"] == seated.months[10] and m["joint_documents"] == 1 and m["boycotts"] == 1
    rows = debrief_rows(seated, historical, lang="en")
    by = {r["key"]: r for r in rows}
    assert by["joint_documents"]["you"] == "1"
    assert by["walkout"]["you"] == seated.months[10]
    text = debrief(
        seated,
        historical,
        "DPRK",
        moves=[{"month": "2003-03", "kind": "attend", "value": "attend"}],
    )
    assert "Your seat: DPRK" in text and "attended 1 of 1 sessions" in text
    assert "=" not in text.split("\n")[1]  # the moves in words, not key=value
    assert "closer to history here than" in text  # each difference says which way
    assert "共同文件" in debrief(seated, historical, "DPRK", lang="zh")
    assert "No historical record" in debrief(seated, historical, "DPRK", record={})


# ------------------------------------------------ Chinese: reasons, steps, titles
# Records as sim/model.py builds them, the English text the model wrote for them before
# the reasons were codes (byte for byte), and their Chinese.
_MODEL_REASONS = [
    (
        [clause("readiness", readiness=0.53, sanctions=0.69, trust_in_us=0.02, grievance=0.21)],
        "readiness 0.53 (sanctions 0.69, trust in US 0.02, grievance 0.21)",
        "出席意愿0.53（制裁0.69，对美信任0.02，不满0.21）",
    ),
    (
        [
            clause(
                "outside_option_above_talks",
                outside=0.2904,
                talks_value=0.2897,
                margin=0.00071,
                performance=0.4009,
                text_utility=0.5927,
                relief=0.13005,
            ),
        ],
        "outside option 0.290 above the talks' value 0.290 (by 0.00071) = performance 0.401 x "
        "(utility of the text 0.593 + sanctions relief 0.130)",
        "外部选项0.290高于会谈价值0.290（差0.00071）＝履约概率0.401×（文本效用0.593＋制裁解除0.130）",
    ),
    (
        [
            clause(
                "outside_option_below_talks",
                outside=0.3,
                talks_value=0.41,
                margin=0.11,
                performance=0.5,
                text_utility=0.66,
                relief=0.16,
            ),
            clause("readiness", readiness=0.7, sanctions=0.45, trust_in_us=0.33, grievance=0.1),
        ],
        "outside option 0.300 below the talks' value 0.410 (by 0.11) = performance 0.500 x "
        "(utility of the text 0.660 + sanctions relief 0.160); readiness 0.70 (sanctions 0.45, "
        "trust in US 0.33, grievance 0.10)",
        "外部选项0.300低于会谈价值0.410（差0.11）＝履约概率0.500×（文本效用0.660＋制裁解除0.160）；"
        "出席意愿0.70（制裁0.45，对美信任0.33，不满0.10）",
    ),
    (
        [
            clause(
                "readiness_terms",
                base=0.1,
                trust_china=0.26,
                trust_us=0.02,
                shuttle=0.2,
                sanctions=-0.36,
                grievance=-0.05,
                outside=-0.05,
                contact=0.1,
                arrears=0.0,
                threshold=0.45,
                margin=0.0012,
            )
        ],
        "readiness terms: base +0.10, trust in China +0.26, trust in US +0.02, China's shuttle "
        "+0.20, sanctions -0.36, grievance -0.05, outside option vs neutral -0.05, US contact +0.10, "
        "overdue steps owed to it +0.00; threshold 0.45 (by 0.0012)",
        "出席意愿各项：基数+0.10，对华信任+0.26，对美信任+0.02，中方穿梭+0.20，制裁-0.36，不满-0.05，"
        "外部选项（相对中性值）-0.05，美方接触+0.10，对朝步骤逾期+0.00；阈值0.45（差0.0012）",
    ),
    (
        [
            clause("pressure_above_threshold", pressure=0.83, threshold=0.6),
            clause("test_outside_option_gains", missile=0.03, nuclear=-0.05, programme=1.0),
            clause("test_outside_option_above_talks", outside=0.58, talks_value=0.52),
        ],
        "pressure 0.83 above threshold 0.60; outside option net of sanctions from a missile test "
        "+0.03, from a nuclear test -0.05 (programme 1.00); outside option 0.58 above the talks' "
        "value 0.52",
        "压力0.83高于阈值0.60；导弹试验使扣除制裁后的外部选项变化+0.03，核试验变化-0.05（核计划存量1.00）；"
        "外部选项0.58高于会谈价值0.52",
    ),
    (
        [
            clause("pressure_above_threshold", pressure=0.7, threshold=0.6),
            clause("test_outside_option_gain_missile", missile=0.04),
            clause("nuclear_test_infeasible", programme=0.0),
        ],
        "pressure 0.70 above threshold 0.60; outside option net of sanctions from a missile test "
        "+0.04; a nuclear test infeasible (programme 0.00)",
        "压力0.70高于阈值0.60；导弹试验使扣除制裁后的外部选项变化+0.04；核试验不可行（核计划存量0.00）",
    ),
    (
        [
            clause(
                "readiness_change",
                readiness=-0.204,
                changes=[("arrears", -0.15), ("grievance", -0.049), ("trust_us", -0.012)],
            ),
            clause("readiness_change", readiness=0.0, changes=[]),
        ],
        "since last month readiness -0.20 (largest changes of its terms: overdue steps owed to "
        "it -0.15, grievance -0.05, trust in US -0.01); since last month readiness +0.00 "
        "(largest changes of its terms: none of 0.01 or more)",
        "与上月相比出席意愿-0.20（变化最大的各项：对朝步骤逾期-0.15、不满-0.05、对美信任-0.01）；"
        "与上月相比出席意愿+0.00（变化最大的各项：均不足0.01）",
    ),
    (
        [
            clause(
                "talks_value_change",
                outside=0.15,
                talks_value=-0.0062,
                performance=-0.0058,
                text_utility=0.0011,
                relief=0.0,
            )
        ],
        "since last month outside option +0.150, talks' value -0.006 (performance -0.006, "
        "utility of the text +0.001, sanctions relief +0.000)",
        "与上月相比外部选项+0.150，会谈价值-0.006（履约概率-0.006，文本效用+0.001，制裁解除+0.000）",
    ),
    ([clause("overdue_steps_performed")], "overdue steps performed", "逾期步骤已履行"),
    (
        [clause("overdue_steps_renegotiated")],
        "overdue steps re-dated or superseded by a renegotiation",
        "逾期步骤经重新谈判改期或取代",
    ),
    ([clause("trust_in_us", trust=0.62)], "trust in US 0.62", "对美信任0.62"),
    ([clause("own_order")], "the delegation's own order", "代表团自己的决定"),
    (
        [
            clause(
                "outside_option_sources",
                start=0.0,
                sources=[
                    ("iraq_war_2003", "2003-03", 0.1),
                    ("nuclear_test", "2006-10", 0.12),
                ],
            )
        ],
        "the outside option is its start 0.000 plus iraq_war_2003 (2003-03) +0.100, "
        "nuclear_test (2006-10) +0.120",
        "外部选项＝初始值0.000加上2003年3月外部事件+0.100、2006年10月核试验+0.120",
    ),
    (
        [clause("line_denuclearization_first", progress=0.25)],
        "its government's line: no aid before denuclearization is complete (progress 0.25)",
        "其政府路线：无核化完成前不提供援助（进展0.25）",
    ),
    (
        [clause("line_abductee_linkage")],
        "its abductee linkage: no aid before the abduction issue is settled",
        "其绑架问题挂钩：绑架问题解决前不提供援助",
    ),
    ([clause("line_allows_aid")], "its line no longer holds the aid", "其路线不再阻止援助"),
    (
        [clause("verification_beyond_text", demand=0.9, agreed=0.5, radius=0.12)],
        "its verification demand 0.90 beyond the agreed text's 0.50 by more than its radius 0.12",
        "其核查要求0.90超出协议文本的0.50，超过其容许半径0.12",
    ),
    (
        [clause("declaration_and_verification_done")],
        "declaration done and verification satisfied",
        "申报已完成且核查要求已满足",
    ),
    (
        [clause("declined_invitation", readiness=0.52, draw=-0.06, threshold=0.5)],
        "declined the invitation (readiness 0.52, noise -0.06: not above 0.5)",
        "拒绝邀请（出席意愿0.52，随机扰动-0.06，未超过0.5）",
    ),
    (
        [clause("declined_participation_suspended")],
        "declined the invitation (its participation suspended)",
        "拒绝邀请（已宣布中止参加会谈）",
    ),
    (
        [clause("overdue_steps_superseded", phase=1, adopted=3)],
        "overdue steps superseded: phase 1 superseded by phase 3",
        "逾期步骤已被取代：第1阶段被第3阶段取代",
    ),
    (
        [
            clause("overdue_delisting", phase=2, due="2008-09"),
            clause("overdue_aid", tranche=3, phase=2, due="2008-03", short=["China", "ROK"]),
            clause("trust_in_us", trust=0.31),
        ],
        "overdue_delisting: the US delisting of phase 2 due 2008-09; overdue_aid: aid tranche 3 of "
        "phase 2 due 2008-03, short: China, ROK; trust in US 0.31",
        "美方未按期除名（第2阶段，应于2008年9月完成）；第2阶段第3批援助逾期（应于2008年3月完成；"
        "未足额：中国、韩国）；对美信任0.31",
    ),
    (
        [clause("overdue_commitment", party="US", step="normalization", phase=3, due="2008-10")],
        "overdue_commitment: the US normalization of phase 3 due 2008-10",
        "美国未按期履行关系正常化步骤（第3阶段，应于2008年10月完成）",
    ),
    (
        [
            clause("progress_undone", undone=0.02, phase=2),
            clause("tranche_reopened", tranche=4, phase=2),
            clause("trust_in_us_below", trust=0.2812, threshold=0.3, margin=0.0188),
        ],
        "undid 0.020 of denuclearization progress under phase 2; tranche 4 of phase 2 "
        "re-opened; steps suspended and trust in US 0.281 below 0.3 (by 0.019)",
        "第2阶段的无核化进展倒退0.020；第2阶段第4批步骤重新待履行；暂停履行期间对美信任0.281低于0.3（差0.019）",
    ),
    (
        [
            clause(
                "facilities_restored",
                facilities=["yongbyon_5mwe_reactor", "reprocessing_plant"],
                trust_in_us=0.2971,
                threshold=0.3,
                margin=0.0029,
            )
        ],
        # trust printed finely: 0.297 is below 0.3, which two decimals (0.30) hid
        "yongbyon_5mwe_reactor, reprocessing_plant restored to operating (suspended, trust in US "
        "0.297 below 0.3 by 0.0029)",
        "按原状恢复宁边5兆瓦实验性反应堆、后处理厂（暂停期间，对美信任0.297低于0.3，差0.0029）",
    ),
    (
        [
            clause("deadlock_no_new_acceptance", drafts=4),
            clause("holdouts", level="joint_statement", parties=["DPRK", "US"]),
        ],
        "deadlock: no new acceptance in 4 drafts; holdouts on a joint statement: DPRK, US",
        "僵局：连续4稿无新的接受方；未接受共同声明的一方：朝鲜、美国",
    ),
    (
        [clause("deadlock_chair_bound", drafts=100)],
        "deadlock: the chair's bound of 100 drafts",
        "僵局：已达主席的100稿上限",
    ),
    (
        [clause("zeuthen_concessions", concessions=[("DPRK", 2), ("US", 1)])],
        "Zeuthen concessions: DPRK 2, US 1",
        "按Zeuthen原则让步：朝鲜2次、美国1次",
    ),
    (
        [
            clause("phase_superseded", phase=1, open_steps=3),
            clause("commitment_refused", step="normalization", party="Japan"),
            clause("aid_pledge_refused", parties=["Japan"]),
        ],
        "phase 1 superseded (3 open steps); no normalization owed by Japan (its stated line); "
        "no aid pledged by Japan (its stated line)",
        "第1阶段被新文件取代（3个未完成步骤）；日本按其既定立场不承担关系正常化步骤；日本按其既定立场不承诺援助",
    ),
    (
        [clause("phase_renegotiated"), clause("phase_reopened", stall="overdue_counterpart")],
        "the phase in force renegotiated: open steps re-dated; reopened: a step owed to the DPRK was overdue",
        "重新谈判现行阶段：未完成步骤重新定期；重开原因：对朝方的步骤逾期",
    ),
    (
        [clause("win_set_bounds", moves=[("DPRK", 3), ("US", 1)])],
        "moves stopped at the win-set's edge: DPRK 3, US 1",
        "让步止于赢集边界：朝鲜3次、美国1次",
    ),
    (
        [clause("zopa_drafts", moved=2, empty=1)],
        "drafts moved into the zone of possible agreement: 2; with the zone empty: 1",
        "移入可能协议区的草案：2份；可能协议区为空：1份",
    ),
    (
        [clause("phase_reaffirmed")],
        "the phase in force reaffirmed: performed on time",
        "重申现行阶段：各方按期履行",
    ),
    (
        [clause("no_phase_covered")],
        "the text covers no phase's terms: nothing adopted",
        "文本未满足任何阶段的条件：未通过新的阶段",
    ),
    (
        [
            clause(
                "test_propensity",
                probability=0.2816,
                escalation=0.5,
                slope=2.0,
                excess=0.2816,
                draw=0.1649,
            ),
            clause("month_events", events=["bda_sanctions_widened_2005_12"]),
        ],
        "test propensity 0.282 = escalation 0.5 x slope 2 x pressure above threshold 0.28; "
        "the replicate's draw 0.165 fell below it; this month's events with typed effects: "
        "bda_sanctions_widened_2005_12",
        "试验倾向0.282＝升级倾向0.5×斜率2×压力超出阈值部分0.28；本次随机数0.165低于该值；"
        "本月1项外部事件的效应已先行作用（见本月外部事件）",
    ),
]


@pytest.mark.parametrize(
    ("clauses", "en", "zh"), _MODEL_REASONS, ids=[f"reason{i}" for i in range(len(_MODEL_REASONS))]
)
def test_model_reasons_render_the_old_english_and_translate_from_their_codes(clauses, en, zh):
    assert render(clauses) == en
    assert reason_text(clauses, "en") == en
    assert reason_text(clauses, "zh") == zh
    row = {"reason": en, "reason_codes": codes_text(clauses), "reason_values": values_json(clauses)}
    assert row_reason(row, "zh") == zh and row_reason(row, "en") == en


def test_every_reason_code_is_in_the_representative_records():
    from sixparty.reasons import REASONS

    assert {c.code for clauses, _, _ in _MODEL_REASONS for c in clauses} == set(REASONS)


def test_a_row_without_codes_is_told_in_its_english_as_it_is():
    # A table built by hand, or by a version before the codes: never parsed, never half
    # translated.
    old = {"reason": "pressure 0.70 above threshold 0.60; a new clause"}
    assert row_reason(old, "zh") == old["reason"] and row_reason(old, "en") == old["reason"]
    unknown = dict(old, reason_codes="a_code_from_the_future", reason_values="[{}]")
    assert row_reason(unknown, "zh") == old["reason"]
    broken = dict(old, reason_codes="pressure_above_threshold", reason_values="[]")
    assert row_reason(broken, "zh") == old["reason"]
    session = {"notes": "deadlock: no new acceptance in 4 drafts"}
    assert row_reason(session, "zh", kind="session") == session["notes"]


def test_chinese_story_has_no_english_inside_the_models_reasons(historical):
    r = _synthetic(historical)
    r.decisions = r.decisions + [
        _decision(
            r.months[11],
            "DPRK",
            "walks_out",
            clause(
                "outside_option_above_talks",
                outside=0.62,
                talks_value=0.55,
                performance=0.41,
                text_utility=0.7,
                margin=0.07,
                relief=0.64,
            ),
        ),
        _decision(
            r.months[8],
            "DPRK",
            "missile_test",
            clause("pressure_above_threshold", pressure=0.83, threshold=0.6),
            clause("test_outside_option_gain_missile", missile=0.04),
            clause("nuclear_test_infeasible", programme=0.0),
        ),
        _decision(r.months[7], "DPRK", "resumes_steps", clause("overdue_steps_performed")),
    ]
    text = narrate(r, "zh")
    assert "外部选项0.620高于会谈价值0.550" in text
    whys = [part.split("。", 1)[0] for part in text.split("模型理由：")[1:]]
    assert len(whys) == 5
    for why in whys:
        assert not any("a" <= ch.lower() <= "z" for ch in why), why
    # also in the real historical run, free-running and anchored (tests, walk-outs,
    # suspensions of steps), decisions and the sessions' notes alike
    from sixparty.analysis.validation import set_mode

    # seed 11: the anchored run in which the US performs its 9·19 normalization step
    # (seed 3 on the one denuclearization scale)
    anchored = simulate(set_mode(historical.scenario, "anchored"), 11)
    for run in (historical, anchored):
        real = narrate(run, "zh")
        assert run.decisions and "模型理由：" in real
        for part in real.split("模型理由：")[1:]:
            why = part.split("。", 1)[0]
            assert not any("a" <= ch.lower() <= "z" for ch in why), why
        assert "performs" not in real  # a commitment performed: told by the ledger's line
        for part in real.split("注：")[1:]:
            note = part.split("。", 1)[0].replace("Zeuthen", "")
            assert not any("a" <= ch.lower() <= "z" for ch in note), note
    assert "US performed its commitment: normalization" in narrate(anchored, "en")
    assert "美国履行了承诺：关系正常化步骤" in narrate(anchored, "zh")
    # and the boycotts' reasons, told with the session
    assert "会议未能举行（出席意愿0.45，随机扰动+0.01，未超过0.5）" in text


def test_suspended_steps_are_the_open_phases_steps(historical):
    r = _synthetic(historical)  # the DPRK suspends during 'initial actions' (shutdown, sealing)
    zh = narrate(r, "zh")
    assert "去功能化" not in zh
    assert (
        "朝鲜暂停履行其步骤（“起步行动”阶段：关闭并封存宁边核设施、让国际原子能机构核查人员重返）"
        in zh
    )
    en = narrate(r, "en")
    assert "disable" not in en
    # the same suspension under the 10.3 phase names the disablement
    r2 = copy.copy(r)
    r2.ledger = [
        dict(
            row,
            phase=2,
            phase_name="second_phase_actions",
            description="disable_5mwe_reactor; complete_and_correct_declaration",
        )
        if row["kind"] == "dprk_action"
        else dict(row)
        for row in r.ledger
    ]
    zh2 = narrate(r2, "zh")
    assert (
        "朝鲜暂停履行其步骤（“第二阶段行动”阶段：对5兆瓦实验性反应堆去功能化、"
        "对全部核计划进行“完整、准确”的申报）"
    ) in zh2
    assert (
        "DPRK suspends its steps under 'second phase actions' (disable the 5 MWe reactor, "
        "make a complete and correct declaration)"
    ) in narrate(r2, "en")


def test_suspension_in_the_historical_run_names_its_phase():
    """A suspension of the DPRK's steps is told with its phase's name.  The
    free-running default adopts no phase (its texts are all "dismantlement
    before any reward", docs/model.md §3.11), so the first anchored seed with a
    suspension is used (seeds 0-19)."""
    from sixparty.analysis.validation import set_mode

    sc = set_mode(load_scenario(find_scenario("historical")), "anchored")
    for seed in range(20):
        historical = simulate(sc, seed)
        susp = [d for d in historical.decisions if d["decision"] == "suspends_steps"]
        if susp:
            break
    assert susp, "no anchored historical run in seeds 0-19 suspends the DPRK's steps"
    zh = narrate(historical, "zh")
    for d in susp:
        # the phase the decision's own reason names (the overdue step's), not the
        # latest one promised by the end of the month
        k = next(v["phase"] for v in json.loads(d["reason_values"]) if "phase" in v)
        phases = [
            row["phase_name"]
            for row in historical.ledger
            if row["kind"] == "dprk_action" and int(row["phase"]) == k
        ]
        name = {
            "initial_actions": "起步行动",
            "second_phase_actions": "第二阶段行动",
            "abandonment_and_verification": "弃核与核查",
        }.get(phases[0], phases[0])
        assert f"朝鲜暂停履行其步骤（“{name}”阶段：" in zh


def _paragraph(story: str, month: str) -> str:
    """The month's own paragraph of a story (not its session's)."""
    for para in story.split("\n\n"):
        if para.startswith(month + "\n"):
            return para
    raise AssertionError(f"no paragraph for {month}")


def test_seed_11_suspension_is_told_under_its_own_phase_and_its_lifting_too():
    """Seed 11 (anchored; seed 3 in 2008-04 on the one denuclearization scale): the DPRK
    suspends its steps in 2008-10 over phase 1's aid, and
    the same month's session adopts phase 3.  The suspension is told under phase 1
    (initial_actions), not the phase adopted later that month; the adoption lifting it
    is the DPRK's resumes_steps, told under the adopted phase; implementation is not
    told as stopped that month."""
    from sixparty.analysis.validation import set_mode

    r = simulate(set_mode(load_scenario(find_scenario("historical")), "anchored"), 11)
    april = [d for d in r.decisions if d["month"] == "2008-10" and d["party"] == "DPRK"]
    assert [d["decision"] for d in april] == ["suspends_steps", "resumes_steps"]
    assert april[1]["reason_codes"] == "overdue_steps_superseded"
    en = _paragraph(narrate(r, "en"), "2008-10")
    assert "DPRK suspends its steps under 'initial actions' (shut down and seal" in en
    assert "DPRK resumes its steps under 'abandonment and verification'" in en
    assert "overdue steps superseded: phase 1 superseded by phase 3" in en
    assert "Implementation stopped" not in en
    zh = _paragraph(narrate(r, "zh"), "2008年10月")
    assert "朝鲜暂停履行其步骤（“起步行动”阶段：" in zh
    assert "逾期步骤已被取代：第1阶段被第3阶段取代" in zh
    # suspensions and resumptions alternate: never a second suspension while one stands
    last = None
    for d in r.decisions:
        if d["party"] == "DPRK" and d["decision"] in ("suspends_steps", "resumes_steps"):
            assert d["decision"] != last, d
            last = d["decision"]


def test_event_titles_are_marked_as_the_scenarios_english(historical):
    r = _synthetic(historical)
    zh = narrate(r, "zh")
    title = "DPRK announces withdrawal from the NPT"
    # the historical scenario gives this event a Chinese title: told in it
    assert "外部事件：朝鲜宣布退出《不扩散核武器条约》。" in zh
    assert title not in zh
    # without title_zh, the English title is quoted as the scenario file's own text
    events = [e.model_copy(update={"title_zh": None}) for e in r.scenario.events]
    r.scenario = r.scenario.model_copy(update={"events": events})
    zh = narrate(r, "zh")
    assert f"外部事件（情景文件原文）：“{title}”。" in zh
    assert f"外部事件：{title}。" not in zh
    # a shipped scenario's title is told in its Chinese version (as the summary does)
    assert zh.startswith("情景“六方会谈，2003-2012（历史条件）”：")
    r.scenario = r.scenario.model_copy(update={"title": "My own variant"})
    assert narrate(r, "zh").startswith("情景（情景文件原文标题）：“My own variant”。")
    assert f"Event: {title}." in narrate(r, "en")


def test_the_record_is_parsed_once_and_callers_cannot_change_the_cache(monkeypatch):
    import yaml
    from sixparty.analysis import narrate

    narrate._parsed_record.cache_clear()
    parses = []
    real = yaml.load
    monkeypatch.setattr(yaml, "load", lambda *a, **kw: parses.append(1) or real(*a, **kw))
    try:
        first = load_record()
        first["sessions"].clear()  # a caller changing what it got
        first["extra"] = True
        second = load_record()
        assert len(parses) == 1  # read and parsed once, not at every call
        assert second["sessions"] and "extra" not in second
        assert second is not load_record()
    finally:
        narrate._parsed_record.cache_clear()


def test_the_dprks_boycott_and_stance_say_what_changed_since_last_month():
    """The DPRK's boycott is told with the session (its short reason, then what moved
    its readiness since last month); its suspension and walk-out with theirs, in both
    languages, from the codes."""
    from sixparty.analysis.validation import set_mode

    r = simulate(set_mode(load_scenario(find_scenario("historical")), "anchored"), 3)
    boycotts = [d for d in r.decisions if d["decision"] == "boycotts" and d["party"] == "DPRK"]
    assert boycotts and all(
        d["reason_codes"].removesuffix(";month_events").endswith(";readiness_change")
        for d in boycotts
    )
    en, zh = narrate(r, "en"), narrate(r, "zh")
    assert "so the session was not held (its participation suspended; since last month " in en
    assert "会议未能举行（已宣布中止参加会谈；与上月相比出席意愿" in zh
    walk = next(d for d in r.decisions if d["decision"] == "walks_out")
    assert walk["reason_codes"].startswith("outside_option_above_talks;talks_value_change")
    assert walk["reason"].split("; ")[1] in en
    assert "会谈价值" in zh and "与上月相比外部选项" in zh


def test_a_reanchoring_is_told_from_the_timeline_records():
    """timeline.csv ``reanchored`` (JSON records) gives one sentence per party: the issues
    on which its position moved to its stated one, and how far; a move that shows as 0.00,
    a row without the column or with records this version does not write tell nothing."""
    from sixparty.analysis.narrate import _reanchored

    row = {
        "reanchored": (
            '[{"party":"DPRK","issue":"denuclearization","from":0.74,"to":0.05},'
            '{"party":"US","issue":"verification","from":0.64,"to":0.95},'
            '{"party":"DPRK","issue":"format","from":0.9,"to":1.0},'
            '{"party":"Japan","issue":"energy_aid","from":0.2,"to":0.2}]'
        )
    }
    assert _reanchored(row, "en") == [
        "DPRK re-anchored to its stated position: denuclearization from 0.74 to 0.05 (-0.69), "
        "format from 0.90 to 1.00 (+0.10).",
        "US re-anchored to its stated position: verification from 0.64 to 0.95 (+0.31).",
    ]
    assert _reanchored(row, "zh") == [
        "朝鲜按其表态重新锚定立场：无核化由0.74调至0.05（-0.69）、会谈形式由0.90调至1.00（+0.10）。",
        "美国按其表态重新锚定立场：核查由0.64调至0.95（+0.31）。",
    ]
    assert _reanchored({}, "en") == [] and _reanchored({"reanchored": ""}, "en") == []
    assert _reanchored({"reanchored": float("nan")}, "en") == []  # read by pandas, empty
    assert _reanchored({"reanchored": "not json"}, "en") == []
    assert _reanchored({"reanchored": '[{"party":"DPRK"}]'}, "zh") == []


def test_the_story_says_when_a_party_was_reanchored(historical):
    from sixparty.analysis.validation import set_mode

    run = simulate(set_mode(historical.scenario, "anchored"), 3, record_positions=False)
    en, zh = narrate(run, "en"), narrate(run, "zh")
    row = next(r for r in run.timeline if r["month"] == "2003-08")
    first = json.loads(row["reanchored"])[0]
    assert first["party"] == "DPRK"
    assert (
        f"DPRK re-anchored to its stated position: {first['issue'].replace('_', ' ')} from "
        f"{first['from']:.2f} to {first['to']:.2f}"
    ) in en
    assert "朝鲜按其表态重新锚定立场：" in zh
    free = simulate(set_mode(historical.scenario, "free"), 3, record_positions=False)
    told = narrate(free, "en").count("re-anchored to its stated position")
    assert told < en.count("re-anchored to its stated position")


def test_english_narration_names_steps_and_facilities_in_plain_words():
    """decisions.csv keeps the ids (the model's text); the narration's English reads
    them as names, as the Chinese does."""
    d = _decision(
        "2010-05",
        "DPRK",
        "suspends_steps",
        clause("overdue_commitment", party="US", step="lwr_discussion", phase=3, due="2010-03"),
        clause("trust_in_us", trust=0.36),
    )
    assert "the US lwr_discussion of phase 3" in row_reason(d, "en")
    assert "the US discussion of a light-water reactor of phase 3" in row_reason(
        d, "en", readable=True
    )
    f = _decision(
        "2009-07",
        "DPRK",
        "restores_facilities",
        clause(
            "facilities_restored",
            facilities=["yongbyon_5mwe_reactor", "reprocessing_plant"],
            trust_in_us=0.297,
            threshold=0.3,
            margin=0.003,
        ),
    )
    assert row_reason(f, "en", readable=True).startswith(
        "the Yongbyon 5 MWe reactor, the reprocessing plant restored to operating"
    )


def test_a_reversal_is_told_as_restoring_facilities_only_the_month_it_does():
    """ "着手按原状恢复部分核设施" (the article's words) only the month facilities are
    restored; a later reversal of the same suspension continues to undo its steps; a
    first reversal that restores nothing reverses part of its steps."""
    from types import SimpleNamespace

    from sixparty.analysis.narrate import _reversal_label

    rev = {"party": "DPRK", "decision": "reverses_steps"}
    r = SimpleNamespace(
        decisions=[
            dict(rev, month="2009-07"),
            {"party": "DPRK", "decision": "restores_facilities", "month": "2009-07"},
            dict(rev, month="2009-08"),
            {"party": "DPRK", "decision": "resumes_steps", "month": "2009-10"},
            dict(rev, month="2010-02"),
        ]
    )
    both = {("DPRK", "reverses_steps"), ("DPRK", "restores_facilities")}
    only = {("DPRK", "reverses_steps")}
    assert _reversal_label(r, "2009-07", both) == "decision.reverses_steps"
    assert _reversal_label(r, "2009-08", only) == "decision.reverses_steps.continued"
    assert _reversal_label(r, "2010-02", only) == "decision.reverses_steps.plain"
    assert i18n.label("decision.reverses_steps", "zh") == "着手按原状恢复部分核设施"
    assert i18n.label("decision.reverses_steps.continued", "zh") == "继续撤销其已履行的步骤"
    assert i18n.label("decision.reverses_steps.continued", "en") == "continues to undo its steps"


def test_suspended_participation_has_one_chinese_word():
    """The article says 中止参加六方会谈 (2005); the narration says 中止参加 for the
    suspension of participation everywhere, never 暂停参加 (暂停 is for the steps:
    暂停去功能化作业)."""
    from sixparty.analysis import narrate as nar

    texts = [
        *nar._REASON_ZH.values(),
        *nar._BOYCOTT_SUSPENDED.values(),
        *(v for v in i18n.LABELS["zh"].values() if isinstance(v, str)),
    ]
    assert not [t for t in texts if "暂停参加" in t]
    assert "中止参加" in nar._BOYCOTT_SUSPENDED["zh"]


@pytest.mark.parametrize("first", ["declined_participation_suspended", "declined_invitation"])
def test_a_boycott_with_this_months_events_says_declined_the_invitation_once(first):
    """The session sentence says "declined the invitation, so the session was not held
    (WHY)": WHY tells the first clause without the phrase and every clause after it,
    month_events included (a month with events used to fall back to the whole reason:
    "not held (declined the invitation (its participation suspended); ...")."""
    from sixparty.analysis.narrate import _boycott_why

    head = (
        clause(first)
        if first == "declined_participation_suspended"
        else clause(first, readiness=0.48, draw=-0.02, threshold=0.5)
    )
    clauses = [
        head,
        clause("readiness_change", readiness=0.1, changes=[("contact", 0.1)]),
        clause("month_events", events=["us_midterms_2006"]),
    ]
    row = {
        "reason": render(clauses),
        "reason_codes": codes_text(clauses),
        "reason_values": values_json(clauses),
    }
    en, zh = _boycott_why(row, "en"), _boycott_why(row, "zh")
    assert "declined the invitation" not in en and "拒绝邀请" not in zh
    assert en.startswith(
        "its participation suspended; "
        if first == "declined_participation_suspended"
        else "readiness 0.48, noise -0.02: not above 0.5; "
    )
    assert en.endswith("; this month's events with typed effects: us_midterms_2006")
    assert zh.startswith(
        "已宣布中止参加会谈；" if first == "declined_participation_suspended" else "出席意愿0.48"
    )
    assert "与上月相比出席意愿+0.10" in zh and zh.count("；") == 2


def test_the_chinese_record_shows_whole_quotes_and_chinese_kinds():
    """The zh record table cut the 2005 suspension at a wiki link ("2005年2月10日，朝鲜在")
    and showed the kind ids in English."""
    import re

    zh = record_timeline("zh", load_record())
    susp = next(r for r in zh if r["kind"] == "suspension")
    assert susp["what"] == "2005年2月10日，朝鲜在……宣布已制造出核武器，并无限期中止参加六方会谈"
    assert susp["kind_text"] == "中止参加"
    missile = next(r for r in zh if r["kind"] == "missile_test")
    assert missile["what"].endswith("试射7枚导弹")
    assert all(not re.search(r"[a-z_]", r["kind_text"]) for r in zh)
    en = record_timeline("en", load_record())
    assert all(r["kind_text"] == r["kind"] for r in en)  # English keeps the record's words
    seed = article_path()
    if seed.is_file():  # every piece shown is verbatim in the article
        text = seed.read_text(encoding="utf-8")
        for r in zh:
            if r["kind"] != "session":
                assert all(piece in text for piece in r["what"].split("……")), r["what"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_aid_pledged_keeps_a_superseded_phase_pledge_and_says_what_lapsed(historical, lang):
    """The story read "aid delivered 46,913 t of 46,913 t pledged" after the joint
    document's 50,000 t phase was superseded: ``aid_pledged_t`` drops a superseded
    shortfall (the data file stays as it is), the story adds it back from the
    ledger's rows and says it lapsed."""
    aid = [r for r in historical.ledger if r["kind"] == "aid"]
    gone = [r for r in aid if r["superseded"] and r["delivered"] < r["amount"]]
    assert gone, "the default historical run supersedes a phase with aid still owed"
    pledged = sum(r["amount"] for r in aid)
    lapsed = sum(r["amount"] - r["delivered"] for r in gone)
    last = historical.timeline[-1]
    assert last["aid_pledged_t"] == pytest.approx(pledged - lapsed)  # the column is unchanged
    text = narrate(historical, lang)
    ending = text.split("\n\n")[-1]
    said = (
        f"of {pledged:,.0f} t HFO-equivalent pledged ({lapsed:,.0f} t lapsed when the phase "
        "was superseded)"
        if lang == "en"
        else f"承诺{pledged:,.0f}吨（重油当量）（其中{lapsed:,.0f}吨因该阶段被取代而失效）"
    )
    assert said in ending, ending
    month = gone[0]["superseded"]
    from sixparty.analysis.narrate import month_text

    para = [p for p in text.split("\n\n") if p.startswith(month_text(month, lang) + "\n")][0]
    assert f"{pledged:,.0f}" in para and f"{lapsed:,.0f}" in para, para
    # before the supersession nothing has lapsed and nothing is said of it
    earlier = text.split(month_text(month, lang) + "\n")[0]
    assert f"of {pledged:,.0f} t pledged." in earlier or f"承诺{pledged:,.0f}吨。" in earlier
    assert "lapsed when" not in earlier and "失效" not in earlier
