"""A run told as a story, and a debrief for a classroom seat.

:func:`narrate` turns a :class:`sim.runner.RunResult` into plain text: an
opening line, one short paragraph per notable month (exogenous events, the
parties re-anchored to their stated positions (timeline ``reanchored``: which
issues, from where to where), the parties' decisions with the model's reasons, steps of the action-for-action
ledger completed, implementation slowing or stopping) and one per session
(who attended or declined, what the chair aimed at, who held out and on
what, what was agreed, which phase of paired steps it adopted), then the
state at the end.  Everything comes from the result's tables (timeline,
sessions, ledger, decisions; positions and salience when recorded), never
from model internals, and nothing is invented: a month without anything to
tell is skipped.

``lang="zh"`` gives the same story in Chinese with the article's terms
(主席声明, 共同声明, 共同文件, 行动对行动, 去功能化, 申报, 重油;
``analysis.i18n``).  The model's reasons and a session's notes are told from
their reason codes and values (:mod:`sixparty.reasons`: ``decisions.csv``
``reason_codes``/``reason_values``, ``sessions.csv`` ``note_codes``/``note_values``),
each code by its template in the language (:data:`REASON_TEMPLATES`: English is
the model's own text, Chinese keeps its numbers): nothing is parsed out of
English.  A row without codes (a table built by hand, or by a version before
them) is told with its English text as it is (:func:`row_reason`).  The scenario's title and
an event without a ``title_zh`` are English only: the Chinese story quotes them as
the scenario file's own text (``外部事件（情景文件原文）：“…”``); an event with a
``title_zh`` is told in it (``外部事件：…。``).  A suspension or
resumption of the DPRK's steps names the steps of the phase open in the ledger
that month (shutdown and sealing under the initial actions, disablement and
declaration under the second phase), in both languages.

Session headings are fixed so a reader (or a test) can find them:
``YYYY-MM · Session N`` in English, ``YYYY年M月 · 第N次会议`` in Chinese, N
the model's own count of its sessions (invitations, held or boycotted; the
model's internal round counter is not history's rounds and is not shown).
Where the session is matched to a recorded one (:mod:`sixparty.analysis.rounds`:
±1 month, greedy one-to-one), the heading adds it: ``2005-08 · Session 12 ·
≈ Round 4, phase 2 (9.19 joint statement)`` / ``… · ≈ 第四轮 第二阶段``.

The debrief (:func:`debrief`, :func:`path_metrics`, :func:`record_metrics`)
compares a seated (human-played) run with the agent run of the same scenario
and seed and with the historical record ``analysis/data/record.yaml`` (read
here, in ``analysis/``: the model never reads it).
"""

from __future__ import annotations

import contextvars
import copy
import functools
import importlib.resources
import json
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from sixparty.analysis.i18n import LABELS, check_lang, label, label_or
from sixparty.reasons import REASONS, Clause, clauses_from, render_value
from sixparty.scenario import ISSUE_SCALES, ISSUES, PARTIES

__all__ = [
    "REASON_TEMPLATES",
    "clause_text",
    "debrief",
    "debrief_explain",
    "debrief_parts",
    "debrief_rows",
    "load_record",
    "month_story",
    "month_text",
    "narrate",
    "path_metrics",
    "record_metrics",
    "reason_text",
    "record_timeline",
    "row_clauses",
    "row_reason",
    "session_heading",
]

_DOC_RANK = {
    d: i
    for i, d in enumerate(
        ("none", "oral_summary", "chairmans_statement", "joint_statement", "joint_document")
    )
}

# DPRK step ids of the shipped phases, in the article's words (zh) and plain English.
_STEP_ZH = {
    "shut_down_and_seal_yongbyon": "关闭并封存宁边核设施",
    "readmit_iaea_monitors": "让国际原子能机构核查人员重返",
    "disable_5mwe_reactor": "对5兆瓦实验性反应堆去功能化",
    "disable_reprocessing_plant": "对后处理厂去功能化",
    "disable_fuel_fabrication_plant": "对核燃料元件制造厂去功能化",
    "complete_and_correct_declaration": "对全部核计划进行“完整、准确”的申报",
    "verification_of_declaration": "接受对申报的核查",
    "abandon_all_nuclear_weapons_and_programmes": "放弃一切核武器及现有核计划",
    "return_to_npt_and_iaea_safeguards": "重返《不扩散核武器条约》并回到国际原子能机构保障监督之下",
}

# The same steps in plain English (capitalised names, articles); other ids: underscores -> spaces.
_STEP_EN = {
    "shut_down_and_seal_yongbyon": "shut down and seal the Yongbyon facilities",
    "readmit_iaea_monitors": "readmit IAEA monitors",
    "disable_5mwe_reactor": "disable the 5 MWe reactor",
    "disable_reprocessing_plant": "disable the reprocessing plant",
    "disable_fuel_fabrication_plant": "disable the fuel fabrication plant",
    "complete_and_correct_declaration": "make a complete and correct declaration",
    "verification_of_declaration": "accept verification of the declaration",
    "abandon_all_nuclear_weapons_and_programmes": "abandon all nuclear weapons and programmes",
    "return_to_npt_and_iaea_safeguards": "return to the NPT and IAEA safeguards",
}

# Facilities of the shipped phases (``facility_steps``), in the article's words and in English.
_FACILITY_ZH = {
    k[len("facility.") :]: v for k, v in LABELS["zh"].items() if k.startswith("facility.")
}
_FACILITY_EN = {
    "yongbyon_5mwe_reactor": "the Yongbyon 5 MWe reactor",
    "reprocessing_plant": "the reprocessing plant",
    "fuel_fabrication_plant": "the fuel fabrication plant",
}
_STATE_ZH = {
    "operating": "恢复运行",
    "shut_down": "已关闭",
    "disabled": "已去功能化",
    "dismantled": "已拆除",
}
_STATE_EN = {
    "operating": "back in operation",
    "shut_down": "shut down",
    "disabled": "disabled",
    "dismantled": "dismantled",
}

# Counterpart steps (commitments) of the shipped scenarios in the article's words (9·19).
_COMMITMENT_ZH = {
    "security_assurance": "安全保证",
    "normalization": "关系正常化步骤",
    "lwr_discussion": "讨论提供轻水反应堆",
}

# The same commitments in plain English (the narration's; the model's reason text keeps the ids).
_COMMITMENT_EN = {
    "security_assurance": "security assurance",
    "normalization": "normalization steps",
    "lwr_discussion": "discussion of a light-water reactor",
}

# Phase names of the shipped scenarios in the article's words (analysis.i18n ``phase_name.*``).
_PHASE_ZH = {
    k[len("phase_name.") :]: v for k, v in LABELS["zh"].items() if k.startswith("phase_name.")
}

# The model's reasons (decisions.csv ``reason_codes``/``reason_values``, sessions.csv
# ``note_codes``/``note_values``: sixparty.reasons) are told from their codes: one template
# per code and language, fed the clause's values as each language shows them
# (:func:`clause_text`).  English is the model's own table (sixparty.reasons.REASONS, the
# text of the ``reason`` column); Chinese below.  No English is parsed.
_REASON_ZH: dict[str, str] = {
    "readiness": "出席意愿{readiness}（制裁{sanctions}，对美信任{trust_in_us}，不满{grievance}）",
    "readiness_terms": (
        "出席意愿各项：基数{base}，对华信任{trust_china}，对美信任{trust_us}，中方穿梭{shuttle}，"
        "制裁{sanctions}，不满{grievance}，外部选项（相对中性值）{outside}，美方接触{contact}，"
        "对朝步骤逾期{arrears}；阈值{threshold}（差{margin}）"
    ),
    "readiness_change": "与上月相比出席意愿{readiness}（变化最大的各项：{changes}）",
    "talks_value_change": (
        "与上月相比外部选项{outside}，会谈价值{talks_value}"
        "（履约概率{performance}，文本效用{text_utility}，制裁解除{relief}）"
    ),
    "outside_option_above_talks": (
        "外部选项{outside}高于会谈价值{talks_value}（差{margin}）"
        "＝履约概率{performance}×（文本效用{text_utility}＋制裁解除{relief}）"
    ),
    "outside_option_sources": "外部选项＝初始值{start}加上{sources}",
    "outside_option_below_talks": (
        "外部选项{outside}低于会谈价值{talks_value}（差{margin}）"
        "＝履约概率{performance}×（文本效用{text_utility}＋制裁解除{relief}）"
    ),
    "pressure_above_threshold": "压力{pressure}高于阈值{threshold}",
    "test_outside_option_gains": (
        "导弹试验使扣除制裁后的外部选项变化{missile}，核试验变化{nuclear}（核计划存量{programme}）"
    ),
    "test_outside_option_gain_missile": "导弹试验使扣除制裁后的外部选项变化{missile}",
    "nuclear_test_infeasible": "核试验不可行（核计划存量{programme}）",
    "test_outside_option_above_talks": "外部选项{outside}高于会谈价值{talks_value}",
    "test_propensity": (
        "试验倾向{probability}＝升级倾向{escalation}×斜率{slope}×压力超出阈值部分{excess}；"
        "本次随机数{draw}低于该值"
    ),
    # event ids are English: the Chinese story tells the month's events (their
    # title_zh) in its own sentence, so the clause only points to them
    "month_events": "本月{events}外部事件的效应已先行作用（见本月外部事件）",
    "declined_invitation": "拒绝邀请（出席意愿{readiness}，随机扰动{draw}，未超过{threshold}）",
    "declined_participation_suspended": "拒绝邀请（已宣布中止参加会谈）",
    "own_order": "代表团自己的决定",
    "verification_beyond_text": "其核查要求{demand}超出协议文本的{agreed}，超过其容许半径{radius}",
    "line_denuclearization_first": "其政府路线：无核化完成前不提供援助（进展{progress}）",
    "line_abductee_linkage": "其绑架问题挂钩：绑架问题解决前不提供援助",
    "line_allows_aid": "其路线不再阻止援助",
    "overdue_delisting": "美方未按期除名（第{phase}阶段，应于{due}完成）",
    "overdue_aid": "第{phase}阶段第{tranche}批援助逾期（应于{due}完成；未足额：{short}）",
    "overdue_commitment": "{party}未按期履行{step}（第{phase}阶段，应于{due}完成）",
    "trust_in_us": "对美信任{trust}",
    "overdue_steps_performed": "逾期步骤已履行",
    "overdue_steps_renegotiated": "逾期步骤经重新谈判改期或取代",
    "overdue_steps_superseded": "逾期步骤已被取代：第{phase}阶段被第{adopted}阶段取代",
    "progress_undone": "第{phase}阶段的无核化进展倒退{undone}",
    "tranche_reopened": "第{phase}阶段第{tranche}批步骤重新待履行",
    "trust_in_us_below": "暂停履行期间对美信任{trust}低于{threshold}（差{margin}）",
    "facilities_restored": (
        "按原状恢复{facilities}（暂停期间，对美信任{trust_in_us}低于{threshold}，差{margin}）"
    ),
    "declaration_and_verification_done": "申报已完成且核查要求已满足",
    "deadlock_chair_bound": "僵局：已达主席的{drafts}稿上限",
    "deadlock_no_new_acceptance": "僵局：连续{drafts}稿无新的接受方",
    "zeuthen_concessions": "按Zeuthen原则让步：{concessions}",
    "win_set_bounds": "让步止于赢集边界：{moves}",
    "zopa_drafts": "移入可能协议区的草案：{moved}份；可能协议区为空：{empty}份",
    "holdouts": "未接受{level}的一方：{parties}",
    "phase_superseded": "第{phase}阶段被新文件取代（{open_steps}个未完成步骤）",
    "commitment_refused": "{party}按其既定立场不承担{step}",
    "aid_pledge_refused": "{parties}按其既定立场不承诺援助",
    "phase_renegotiated": "重新谈判现行阶段：未完成步骤重新定期",
    "phase_reopened": "重开原因：{stall}",
    "phase_reaffirmed": "重申现行阶段：各方按期履行",
    "no_phase_covered": "文本未满足任何阶段的条件：未通过新的阶段",
}

#: The template of every reason code in each language (English: the model's own).
REASON_TEMPLATES: dict[str, dict[str, str]] = {
    "en": {code: rc.en for code, rc in REASONS.items()},
    "zh": _REASON_ZH,
}

# The terms of the DPRK's readiness (sixparty.reasons.READINESS_TERMS), as readiness_terms
# names them in Chinese.
_TERM_ZH = {
    "base": "基数",
    "trust_china": "对华信任",
    "trust_us": "对美信任",
    "shuttle": "中方穿梭",
    "sanctions": "制裁",
    "grievance": "不满",
    "outside": "外部选项（相对中性值）",
    "contact": "美方接触",
    "arrears": "对朝步骤逾期",
}

# Why the chair reopened a stalled phase (sixparty.reasons.STALL_REASONS).
_STALL_ZH = {
    "dprk_suspended": "朝方暂停履行步骤",
    "overdue_counterpart": "对朝方的步骤逾期",
    "overdue_dprk": "朝方步骤逾期",
}

# A boycott's reason as the session's paragraph tells it ("…was not held (readiness 0.48,
# noise -0.02: not above 0.5)").
_BOYCOTT_WHY = {
    "en": "readiness {readiness}, noise {draw}: not above {threshold}",
    "zh": "出席意愿{readiness}，随机扰动{draw}，未超过{threshold}",
}
_BOYCOTT_SUSPENDED = {"en": "its participation suspended", "zh": "已宣布中止参加会谈"}

_NOTE_EN = {
    "withholds_delisting (verification)": "withholds delisting: verification is not yet satisfied",
    "reverses_steps": "reverses part of its steps (restoring facilities)",
}
_NOTE_ZH = {
    "withholds_delisting (verification)": "以核查未满足为由暂缓除名",
    "reverses_steps": "着手按原状恢复部分核设施",
}

_T = {
    "en": {
        "opening": "{title}: {start} to {end}, seed {seed}; positions {mode}.",
        "opening_translated": "{title}: {start} to {end}, seed {seed}; positions {mode}.",
        "mode.anchored": "re-anchored to the stated positions as dated",
        "mode.free": "evolving from the first statements only",
        "session_heading": "{month} · Session {n}",
        "invited.chair": "China, as chair, judged the parties ready and invited them.",
        "invited.recess": "The talks resumed after the recess.",
        "invited.scenario": "The chair issued the invitation the scenario dates to this month.",
        "not_held": "{who} declined the invitation, so the session was not held ({why}).",
        "attended_all": "All six delegations attended.",
        "attended": "Attending: {who}.",
        "drafts": "The chair tabled {n} {drafts_word}, aiming at a {target}.",
        "holdout": "{party} held out: it stood at {pos:.2f} on {issue} ({pole}), the text at {text:.2f}.",
        "holdouts": "Holdouts on a {target}: {who}.",
        "note": "Note: {text}.",
        "doc.none": "No document came out of it.",
        "doc.oral_summary": "No written document; the chair announced the common ground orally "
        "({n} of {total} issues).",
        "doc.chairmans_statement": "The chair issued a chairman's statement.",
        "doc.joint_statement": "The six adopted a joint statement.",
        "doc.joint_document": "The six adopted a joint document.",
        "adopt": "Under action for action it adopted the phase '{phase}': the DPRK to {steps}, "
        "in {tranches} {tranches_word} due by {due}, against {aid} t of heavy fuel oil "
        "(HFO)-equivalent aid ({shares}){delist}.",
        "share": "{party} {tonnes} t",
        "no_aid": "none pledged",
        "facility": "{facility} is {state}.",
        "adopt.delist": " and the US removing the DPRK from the terrorism list",
        "recess": "The session was adjourned (recess) and will resume.",
        "contact": "US and DPRK delegates met directly inside the session.",
        "month_heading": "{month}",
        "event": "Event: {title}.",
        "event_zh": "Event: {title}.",
        "decision": "{party} {what}: {why}.",
        "steps_of_phase": "{what} under '{phase}' ({steps})",
        "noteline": "{party} {what}.",
        "reanchored": "{party} re-anchored to its stated position: {issues}.",
        "reanchored.issue": "{issue} from {a:.2f} to {b:.2f} ({d:+.2f})",
        "completed.dprk_action": "The DPRK completed tranche {tranche} of '{phase}' ({steps}).",
        "completed.aid": "{party} completed its HFO-equivalent aid for tranche {tranche} of '{phase}'.",
        "completed.delisting": "The US completed the delisting ('{phase}').",
        "completed.commitment": "{party} performed its commitment: {commitment} ('{phase}').",
        "impl.slowed": "Implementation slowed: the DPRK waits for its counterparts.",
        "impl.suspended": "Implementation stopped: the DPRK has suspended its steps.",
        "impl.suspended.phase": "Implementation stopped: the DPRK has suspended its steps under "
        "'{phase}' ({steps}).",
        "impl.active": "Implementation is under way.",
        "impl.complete": "The phase's paired steps are complete.",
        "ledger_state": "Denuclearization progress {progress:.2f}; aid delivered {delivered} t of "
        "{pledged} t pledged{lapsed}.",
        "ending": "End of {month}: status of the talks: {status}; denuclearization progress {progress:.2f}; aid "
        "delivered {delivered} t of {pledged} t HFO-equivalent pledged{lapsed}; mean trust "
        "{trust:.2f}; sanctions {sanctions:.2f}.",
        "no_sessions": "No session was convened.",
        "sep": " ",
        "list_sep": ", ",
    },
    "zh": {
        "opening": "情景（情景文件原文标题）：“{title}”。{start}至{end}，随机种子{seed}；立场{mode}。",
        # a shipped scenario's title has a Chinese version (i18n.scenario_title)
        "opening_translated": "情景“{title}”：{start}至{end}，随机种子{seed}；立场{mode}。",
        "mode.anchored": "按表态日期重新锚定",
        "mode.free": "仅自首次表态起自行演变",
        "session_heading": "{month} · 第{n}次会议",
        "invited.chair": "中国作为主席国判断各方已有准备，发出邀请。",
        "invited.recess": "休会后会谈复会。",
        "invited.scenario": "主席国按情景设定的日期发出邀请。",
        "not_held": "{who}拒绝邀请，会议未能举行（{why}）。",
        "attended_all": "六方代表团全部出席。",
        "attended": "出席：{who}。",
        "drafts": "主席国先后提出{n}份草案，目标是{target}。",
        "holdout": "{party}坚持己见：在{issue}问题上立场为{pos:.2f}，文本为{text:.2f}。",
        "holdouts": "未接受{target}的一方：{who}。",
        "note": "注：{text}。",
        "doc.none": "会议未达成任何文件。",
        "doc.oral_summary": "未发表任何书面文件；主席国口头宣布各方的共同点（{total}个议题中的{n}个）。",
        "doc.chairmans_statement": "主席国发表了主席声明。",
        "doc.joint_statement": "六方通过了共同声明。",
        "doc.joint_document": "六方通过了共同文件。",
        "adopt": "根据“行动对行动”原则，文件通过了“{phase}”阶段：朝鲜{steps}，分{tranches}批，"
        "于{due}前完成；相当于{aid}吨重油的援助（{shares}）{delist}。",
        "share": "{party}{tonnes}吨",
        "no_aid": "无援助承诺",
        "facility": "{facility}{state}。",
        "adopt.delist": "，美国将朝鲜从“支持恐怖主义国家”名单中除名",
        "recess": "本次会议宣布休会，之后复会。",
        "contact": "会议期间美朝代表团进行了直接接触。",
        "month_heading": "{month}",
        "event": "外部事件（情景文件原文）：“{title}”。",
        "event_zh": "外部事件：{title}。",
        "decision": "{party}{what}。模型理由：{why}。",
        "steps_of_phase": "{what}（“{phase}”阶段：{steps}）",
        "noteline": "{party}{what}。",
        "reanchored": "{party}按其表态重新锚定立场：{issues}。",
        "reanchored.issue": "{issue}由{a:.2f}调至{b:.2f}（{d:+.2f}）",
        "completed.dprk_action": "朝鲜完成了“{phase}”第{tranche}批步骤（{steps}）。",
        "completed.aid": "{party}交付了“{phase}”第{tranche}批的重油当量援助。",
        "completed.delisting": "美国完成了除名（“{phase}”）。",
        "completed.commitment": "{party}履行了承诺：{commitment}（“{phase}”）。",
        "impl.slowed": "履行放缓：朝鲜等待对方先行动。",
        "impl.suspended": "履行中断：朝鲜暂停履行其步骤。",
        "impl.suspended.phase": "履行中断：朝鲜暂停履行“{phase}”阶段的步骤（{steps}）。",
        "impl.active": "各方开始履行。",
        "impl.complete": "本阶段的对等步骤已全部完成。",
        "ledger_state": "无核化进展{progress:.2f}；已交付援助{delivered}吨，承诺{pledged}吨{lapsed}。",
        "ending": "{month}末：会谈状态为{status}；无核化进展{progress:.2f}；已交付援助{delivered}吨，"
        "承诺{pledged}吨（重油当量）{lapsed}；平均信任{trust:.2f}；制裁{sanctions:.2f}。",
        "no_sessions": "模拟期间未召开任何会议。",
        "sep": "",
        "list_sep": "、",
    },
}


# ----------------------------------------------------------------- helpers
def month_text(month: str, lang: str = "en") -> str:
    """``YYYY-MM`` as written in ``lang``: ``2003-08`` or ``2003年8月``."""
    if lang == "zh":
        y, m = month.split("-")
        return f"{int(y)}年{int(m)}月"
    return month


def session_heading(session: dict, lang: str = "en", history: str = "") -> str:
    """The heading of a session's paragraph (see the module docstring).

    session: a row of the sessions table (``month``, ``session_id`` 0-based);
    history: the matched round's label (``≈ Round 4, phase 2``) or empty.
    """
    head = _T[lang]["session_heading"].format(
        month=month_text(session["month"], lang), n=int(session["session_id"]) + 1
    )
    return f"{head} · {history}" if history else head


def _history_labels(result, lang: str) -> dict[int, str]:
    """session_id -> the matched historical round's label (empty when unmatched)."""
    from sixparty.analysis.rounds import recorded_sessions, session_labels

    recs = recorded_sessions(load_record() or {})
    labs = session_labels(result.sessions, recorded=recs)
    return {
        int(s["session_id"]): lab.history(lang)
        for s, lab in zip(result.sessions, labs, strict=True)
    }


def _names(keys: Iterable[str], lang: str) -> str:
    return _T[lang]["list_sep"].join(label(k, lang) for k in keys)


def _split(text: str) -> list[str]:
    return [x for x in (text or "").split(";") if x]


def _tonnes(x: float) -> str:
    return f"{x:,.0f}"


def _aid_state(result, row: dict, lang: str) -> dict[str, str]:
    """The ``delivered``, ``pledged`` and ``lapsed`` fields of a month's aid sentence.

    ``timeline.csv`` ``aid_pledged_t`` counts a superseded phase's aid only as far as
    it was delivered (``Ledger.pledged_tonnes``), so after a supersession it read
    "46,913 t of 46,913 t pledged" although the document pledged 50,000 t.  The
    tonnes that lapsed by ``row["month"]`` (:func:`sixparty.runner.aid_lapsed`, from
    the ledger's rows) are added back to the pledge and told in ``lapsed`` (``""``
    when none).
    """
    from sixparty.runner import aid_lapsed, lapsed_text

    lapsed, phases = aid_lapsed(result.ledger, row["month"])
    return {
        "delivered": _tonnes(row["aid_delivered_t"]),
        "pledged": _tonnes(row["aid_pledged_t"] + lapsed),
        "lapsed": lapsed_text(lapsed, phases, lang),
    }


def _value_text(kind: str, v, lang: str, readable: bool = False) -> str:
    """A reason's value as ``lang`` shows it (numbers as the model's English does).

    English shows step ids and facility names as the model's text does, unless
    ``readable`` (the narration's sentences): then in plain words."""
    numeric = ("number", "fine", "margin", "signed", "signed_fine", "parameter", "count")
    if lang != "zh" and readable and kind == "sources" and v:
        named = _EVENT_NAMES.get()
        tests = {"missile_test": "missile test", "nuclear_test": "nuclear test"}
        return ", ".join(f"{tests.get(k) or named.get(k) or k} ({mo}) {d:+.3f}" for k, mo, d in v)
    if lang != "zh" and readable and kind == "step":
        return _COMMITMENT_EN.get(v, _STEP_EN.get(v, str(v).replace("_", " ")))
    if lang != "zh" and readable and kind == "facilities":
        return ", ".join(_FACILITY_EN.get(f, f.replace("_", " ")) for f in v)
    if lang != "zh" or kind in numeric:
        return render_value(kind, v)
    if kind == "term_changes":
        return "、".join(f"{_TERM_ZH.get(k, k)}{d:+.2f}" for k, d in v) if v else "均不足0.01"
    if kind == "party":
        return label(v, "zh")
    if kind == "parties":
        return "、".join(label(p, "zh") for p in v)
    if kind == "month":
        return month_text(v, "zh")
    if kind == "level":
        return label(v, "zh")
    if kind == "step":
        return _COMMITMENT_ZH.get(v, _STEP_ZH.get(v, v))
    if kind == "facilities":
        return "、".join(_FACILITY_ZH.get(f, f) for f in v)
    if kind == "stall":
        return _STALL_ZH.get(v, v)
    if kind == "concessions":
        return "、".join(f"{label(k, 'zh')}{n}次" for k, n in v)
    if kind == "events":
        # ids are English; the Chinese story names the events by title_zh elsewhere
        return f"{len(v)}项"
    if kind == "sources":
        # an event by its title_zh when the story has it (narrate sets _EVENT_NAMES),
        # else by its month (an id or English title would put English in the reason);
        # a test by its kind
        named = _EVENT_NAMES.get() if readable else {}
        names = {"missile_test": "导弹试射", "nuclear_test": "核试验"}

        def zh_source(k: str, mo: str) -> str:
            title = named.get(k, "")
            if title.startswith("zh:"):
                return f"{month_text(mo, 'zh')}“{title[3:]}”"
            return f"{month_text(mo, 'zh')}{names.get(k, '外部事件')}"

        return "、".join(f"{zh_source(k, mo)}{d:+.3f}" for k, mo, d in v) if v else "无"
    return str(v)


def clause_text(
    clause: Clause, lang: str = "en", template: str | None = None, readable: bool = False
) -> str:
    """One clause of a reason in ``lang``, from its code's template
    (:data:`REASON_TEMPLATES`, or ``template``) and its values.  In English it
    is the model's own text of the clause, unless ``readable``: then step ids
    and facility names are told in plain words (:func:`_value_text`)."""
    check_lang(lang)
    kinds = dict(REASONS[clause.code].fields)
    text = template if template is not None else REASON_TEMPLATES[lang][clause.code]
    return text.format(**{n: _value_text(kinds[n], v, lang, readable) for n, v in clause.values})


def reason_text(reason: Iterable[Clause], lang: str = "en", readable: bool = False) -> str:
    """A reason (its clauses) in ``lang``: clauses joined by ``"; "`` in
    English (the ``reason`` column's text; with ``readable``, step ids and
    facility names in plain words), ``"；"`` in Chinese."""
    sep = "；" if lang == "zh" else "; "
    return sep.join(clause_text(c, lang, readable=readable) for c in reason)


def row_clauses(row: dict, codes: str = "reason_codes", values: str = "reason_values"):
    """The reason clauses of a table row (a decision: ``reason_codes`` and
    ``reason_values``; a session's notes: ``note_codes``, ``note_values``), or
    None when the row has none to read: written before those columns, or
    with codes this version does not know.  Such a row is told with its
    English text as it is (:func:`row_reason`)."""
    code_text = row.get(codes)
    if not isinstance(code_text, str):
        return None
    try:
        return clauses_from(code_text, row.get(values) or "[]")
    except ValueError:
        return None


def row_reason(row: dict, lang: str = "en", kind: str = "decision", readable: bool = False) -> str:
    """A decision's reason (``kind="decision"``) or a session's notes
    (``kind="session"``) in ``lang``, from the row's reason codes.  A row
    without codes (see :func:`row_clauses`) gives its English ``reason`` /
    ``notes`` unchanged: the translation never parses English."""
    cols = ("note_codes", "note_values") if kind == "session" else ("reason_codes", "reason_values")
    clauses = row_clauses(row, *cols)
    text = str(row.get("notes" if kind == "session" else "reason") or "")
    if clauses is None or (not clauses and text):
        return text
    return reason_text(clauses, lang, readable)


def _boycott_why(d: dict, lang: str) -> str:
    """Why a party declined the invitation, as the session's paragraph tells it."""
    clauses = row_clauses(d) or ()
    # The sentence already says "declined the invitation": the first clause is told
    # without it, the clauses after it (the DPRK's readiness_change, a month's
    # month_events) as they are.  Falling back to the whole reason whenever a clause
    # other than readiness_change followed doubled the phrase ("not held (declined the
    # invitation (its participation suspended); ..." in a month with events).
    if clauses:
        first = None
        if clauses[0].code == "declined_invitation":
            first = clause_text(clauses[0], lang, _BOYCOTT_WHY[lang])
        elif clauses[0].code == "declined_participation_suspended":
            first = _BOYCOTT_SUSPENDED[lang]
        if first is not None:
            return ("；" if lang == "zh" else "; ").join(
                [first, *(clause_text(c, lang) for c in clauses[1:])]
            )
    return row_reason(d, lang)


def _phase_name(name: str, lang: str) -> str:
    # Readers see "initial actions", not the scenario's id "initial_actions".
    return _PHASE_ZH.get(name, name) if lang == "zh" else name.replace("_", " ")


def phase_title(name: str, lang: str = "en") -> str:
    """A phase id (``initial_actions``) as readers see it: "initial actions" in
    English, the phase's Chinese label (i18n ``phase_name.*``) in Chinese.

    Raises ValueError for an unknown ``lang``.
    """
    check_lang(lang)
    return _phase_name(name, lang)


def _steps_text(descr: str, lang: str) -> str:
    ids = [s.strip() for s in descr.split(";") if s.strip()]
    if lang == "zh":
        return "、".join(_STEP_ZH.get(s, s) for s in ids)
    return ", ".join(_STEP_EN.get(s, s.replace("_", " ")) for s in ids)


def _open_phase(result, month: str, before: bool = False) -> tuple[str, str] | None:
    """``(phase_name, DPRK step description)`` of the phase open in ``month``, or None.

    A joint document adopts one phase at a time and a later one supersedes the
    phase in force, so the open phase is the last one promised in or before ``month``
    (``before``: strictly before it, the phase in force when the month's implementation
    was decided, before any session of the month adopted another).
    """
    rows = [
        r
        for r in result.ledger
        if r["kind"] == "dprk_action"
        and (r["promised"] < month if before else r["promised"] <= month)
    ]
    if not rows:
        return None
    last = max(rows, key=lambda r: (r["promised"], r["phase"]))
    return last["phase_name"], last["description"]


def _decision_phase(result, d: dict, month: str) -> tuple[str, str] | None:
    """``(phase_name, DPRK step description)`` of the phase a suspends/resumes_steps
    decision ``d`` was taken under: the phase its own reason names (the overdue step's
    phase; for a resumption because a new phase was adopted, the adopted one), else the
    phase in force when the month's implementation was decided (:func:`_open_phase`
    with ``before``: a session later in the month may adopt another)."""
    k = None
    for c in row_clauses(d) or ():
        values = dict(c.values)
        if c.code == "overdue_steps_superseded":
            k = values.get("adopted")
            break
        if "phase" in values:
            k = values["phase"]
            break
    if k is not None:
        for r in result.ledger:
            if r["kind"] == "dprk_action" and int(r["phase"]) == int(k):
                return r["phase_name"], r["description"]
    return _open_phase(result, month, before=True)


def _with_steps(result, month: str, what: str, lang: str, d: dict | None = None) -> str:
    """``what`` (suspends/resumes its steps) naming the phase of decision ``d``
    (:func:`_decision_phase`; without ``d``, the open phase) and its DPRK steps."""
    open_phase = _decision_phase(result, d, month) if d is not None else _open_phase(result, month)
    if open_phase is None:
        return what
    name, descr = open_phase
    return _T[lang]["steps_of_phase"].format(
        what=what, phase=_phase_name(name, lang), steps=_steps_text(descr, lang)
    )


#: event id -> title (:func:`_event_titles`) of the run being narrated, for the
#: ``sources`` values of a reason told in the story (empty outside :func:`narrate`).
_EVENT_NAMES: contextvars.ContextVar[Mapping[str, str]] = contextvars.ContextVar(
    "sixparty_event_names", default=MappingProxyType({})
)


def _event_titles(result, lang: str = "en") -> dict[str, str]:
    """event id -> the title to tell: in Chinese the scenario's ``title_zh`` when it gives one
    (marked ``zh:``), else the English ``title``."""
    out = {}
    for ev in getattr(result.scenario, "events", []):
        zh = getattr(ev, "title_zh", None) if lang == "zh" else None
        out[ev.id] = f"zh:{zh}" if zh else ev.title
    return out


def _pole(issue: str, pos: float) -> str:
    zero, one = ISSUE_SCALES[issue]
    return zero if pos < 0.5 else one


# ------------------------------------------------------------ paragraphs
def _session_paragraph(
    result, s: dict, t: int | None, decisions: list[dict], lang: str, history: str = ""
) -> str:
    T = _T[lang]
    parts: list[str] = [T.get(f"invited.{s['invited_by']}", "")]
    if not s["held"]:
        declined = _split(s["declined"])
        whys = sorted(
            {
                _boycott_why(d, lang)
                for d in decisions
                if d["decision"] == "boycotts" and d["party"] in declined
            }
        )
        parts.append(
            T["not_held"].format(who=_names(declined, lang), why=T["list_sep"].join(whys) or "-")
        )
        return session_heading(s, lang, history) + "\n" + T["sep"].join(p for p in parts if p)
    attended = _split(s["attended"])
    parts.append(
        T["attended_all"]
        if len(attended) == 6
        else T["attended"].format(who=_names(attended, lang))
    )
    parts.append(
        T["drafts"].format(
            n=s["iterations"],
            target=label(s["target"], lang),
            drafts_word="draft" if s["iterations"] == 1 else "drafts",
        )
    )
    # The notes: holdouts (with the issue each stood farthest from the text), then the rest.
    clauses = row_clauses(s, "note_codes", "note_values")
    if clauses is None:  # a row without codes: its English notes as they are
        parts.extend(T["note"].format(text=n.strip()) for n in _split(s.get("notes") or ""))
        clauses = ()
    for c in clauses:
        if c.code != "holdouts":
            parts.append(T["note"].format(text=clause_text(c, lang)))
            continue
        holdouts = list(dict(c.values)["parties"])
        details = _holdout_details(result, s, t, holdouts, lang)
        if details:
            parts.extend(details)
        else:
            parts.append(
                T["holdouts"].format(target=label(s["target"], lang), who=_names(holdouts, lang))
            )
    doc = s["document"]
    parts.append(T[f"doc.{doc}"].format(n=s.get("common_ground_issues", 0), total=len(ISSUES)))
    if s.get("adopted_phase"):
        parts.append(_adoption(result, s, lang))
    if s.get("recess"):
        parts.append(T["recess"])
    if s.get("direct_contact"):
        parts.append(T["contact"])
    return session_heading(s, lang, history) + "\n" + T["sep"].join(p for p in parts if p)


def _holdout_details(
    result, s: dict, t: int | None, holdouts: Sequence[str], lang: str
) -> list[str]:
    """For each holdout: the issue where its (salience-weighted) gap to the text is widest."""
    if t is None or result.positions is None or not holdouts:
        return []
    text = [s.get(f"text_{issue}") for issue in ISSUES]
    if any(v is None or v != v for v in text):  # missing or NaN
        return []
    out = []
    for party in holdouts:
        i = PARTIES.index(party)
        pos = result.positions[t, i]
        sal = result.salience[t, i] if result.salience is not None else [1.0] * len(ISSUES)
        k = max(range(len(ISSUES)), key=lambda k: abs(pos[k] - text[k]) * sal[k])
        issue = ISSUES[k]
        out.append(
            _T[lang]["holdout"].format(
                party=label(party, lang),
                pos=float(pos[k]),
                issue=label(issue, lang),
                pole=_pole(issue, float(pos[k])),
                text=float(text[k]),
            )
        )
    return out


def _adoption(result, s: dict, lang: str) -> str:
    T = _T[lang]
    steps = [
        r
        for r in result.ledger
        if r["promised"] == s["month"] and r["phase_name"] == s["adopted_phase"]
    ]
    dprk = [r for r in steps if r["kind"] == "dprk_action"]
    aid = sum(r["amount"] for r in steps if r["kind"] == "aid")
    due = max((r["due"] for r in steps), default=s["month"])
    delist = any(r["kind"] == "delisting" for r in steps)
    by_party: dict[str, float] = {}
    for r in steps:
        if r["kind"] == "aid":
            by_party[r["party"]] = by_party.get(r["party"], 0.0) + float(r["amount"])
    sep = "、" if lang == "zh" else ", "
    shares = (
        sep.join(
            T["share"].format(party=label(p, lang), tonnes=_tonnes(v)) for p, v in by_party.items()
        )
        or T["no_aid"]
    )
    return T["adopt"].format(
        phase=_phase_name(s["adopted_phase"], lang),
        steps=_steps_text(dprk[0]["description"], lang) if dprk else "-",
        tranches=len(dprk),
        tranches_word="tranche" if len(dprk) == 1 else "tranches",
        due=month_text(due, lang),
        aid=_tonnes(aid),
        shares=shares,
        delist=T["adopt.delist"] if delist else "",
    )


def _facility_changes(result, t: int, lang: str, told: frozenset = frozenset()) -> list[str]:
    """One sentence per facility whose state (timeline ``facility_<name>``) changed in month t,
    but for the facilities in ``told`` back in operation (a restores_facilities decision of
    the month already names them)."""
    row = result.timeline[t]
    prev = result.timeline[t - 1] if t > 0 else {}
    names = _FACILITY_ZH if lang == "zh" else _FACILITY_EN
    states = _STATE_ZH if lang == "zh" else _STATE_EN
    out = []
    for col, state in row.items():
        if not col.startswith("facility_"):
            continue
        before = prev.get(col, "operating")
        if state != before:
            name = col[len("facility_") :]
            if state == "operating" and name in told:
                continue
            line = _T[lang]["facility"].format(
                facility=names.get(name, name.replace("_", " ")), state=states.get(state, state)
            )
            out.append(line[:1].upper() + line[1:])
    return out


def _restored_told(decisions: list[dict]) -> frozenset:
    """The facilities a restores_facilities decision among ``decisions`` names."""
    out: set[str] = set()
    for d in decisions:
        if d["decision"] == "restores_facilities":
            for c in row_clauses(d) or ():
                out.update(dict(c.values).get("facilities", ()))
    return frozenset(out)


def _reversal_label(result, month: str, decided: set) -> str:
    """The label of a DPRK reverses_steps decision in ``month``: restoring facilities
    ("按原状恢复", the article's words) only the month it restores some
    (``decided`` holds restores_facilities); in a later month of the same suspension
    (a reversal since its last resumes_steps) it continues to undo its steps; else it
    reverses part of its steps."""
    if ("DPRK", "restores_facilities") in decided:
        return "decision.reverses_steps"
    last = ""
    for d in result.decisions:
        if d["party"] != "DPRK" or d["month"] >= month:
            continue
        if d["decision"] in ("reverses_steps", "resumes_steps"):
            last = d["decision"]
    return (
        "decision.reverses_steps.continued"
        if last == "reverses_steps"
        else "decision.reverses_steps.plain"
    )


def _reanchored(row: dict, lang: str) -> list[str]:
    """One sentence per party re-anchored to a stated position this month (timeline
    ``reanchored``: JSON records, never English), naming each issue on which its position
    moved (by 0.01 or more as shown) and how far.  Nothing for a row without the column
    (a folder written before it) or with none."""
    text = row.get("reanchored")
    if not isinstance(text, str) or not text:
        return []
    try:
        items = json.loads(text)
        moved: dict[str, list[str]] = {}
        for it in items:
            a, b = float(it["from"]), float(it["to"])
            if float(f"{abs(b - a):.2f}") == 0:
                continue
            moved.setdefault(str(it["party"]), []).append(
                _T[lang]["reanchored.issue"].format(
                    issue=label(str(it["issue"]), lang), a=a, b=b, d=b - a
                )
            )
    except (ValueError, TypeError, KeyError):
        return []  # not the records this version writes: nothing is guessed
    return [
        _T[lang]["reanchored"].format(party=label(p, lang), issues=_T[lang]["list_sep"].join(v))
        for p, v in moved.items()
    ]


def _month_paragraph(
    result,
    t: int,
    month: str,
    decisions: list[dict],
    lang: str,
    titles: dict[str, str],
    prev_impl: str,
) -> list[str]:
    T = _T[lang]
    row = result.timeline[t]
    parts: list[str] = []
    decided = {(d["party"], d["decision"]) for d in decisions}
    for item in _split(row.get("events", "")):
        if item.startswith("event:"):
            eid = item[len("event:") :]
            title = titles.get(eid, eid)
            if title.startswith("zh:"):  # the scenario's own Chinese title
                parts.append(T["event_zh"].format(title=title[3:]))
            else:
                parts.append(T["event"].format(title=title))
        elif ": " in item:
            party, what = item.split(": ", 1)
            if (party, what) in decided or what == "boycotts":
                continue
            if what.startswith("performs_"):
                continue  # a commitment performed: the ledger's line below tells it
            table = _NOTE_ZH if lang == "zh" else _NOTE_EN
            parts.append(
                T["noteline"].format(
                    party=label(party, lang), what=table.get(what, what.replace("_", " "))
                )
            )
    for d in decisions:
        if d["decision"] == "boycotts":
            continue  # told with the session
        what = label(f"decision.{d['decision']}", lang)
        if d["decision"] in ("suspends_steps", "resumes_steps"):
            what = _with_steps(result, month, what, lang, d)
        elif d["decision"] == "reverses_steps":
            what = label(_reversal_label(result, month, decided), lang)
        parts.append(
            T["decision"].format(
                party=label(d["party"], lang),
                what=what,
                why=row_reason(d, lang, readable=True),
            )
        )
    # stated positions dated this month (after the events, before the parties act)
    parts.extend(_reanchored(row, lang))
    ledger_told = False
    for r in result.ledger:
        if r.get("completed") != month:
            continue
        key = f"completed.{r['kind']}"
        parts.append(
            T[key].format(
                party=label(r["party"], lang),
                tranche=r["tranche"],
                phase=_phase_name(r["phase_name"], lang),
                steps=_steps_text(r["description"], lang),
                commitment=(
                    _COMMITMENT_ZH.get(r["description"], r["description"])
                    if lang == "zh"
                    else r["description"].replace("_", " ")
                ),
            )
        )
        ledger_told = True
    restored = _restored_told(decisions)
    facility_lines = _facility_changes(result, t, lang, restored)
    parts.extend(facility_lines)
    ledger_told = ledger_told or bool(facility_lines) or bool(restored)
    impl = row.get("implementation", "none")
    # A suspension lifted by the month's session (a resumes_steps decision after the
    # month's implementation was recorded) is not told as implementation stopping.
    lifted = impl == "suspended" and ("DPRK", "resumes_steps") in decided
    if (
        not lifted
        and impl != prev_impl
        and impl in ("slowed", "suspended", "complete")
        or (impl == "active" and prev_impl in ("slowed", "suspended"))
    ):
        # Name the suspended steps unless this month's decision already did.
        open_phase = (
            _open_phase(result, month)
            if impl == "suspended" and ("DPRK", "suspends_steps") not in decided
            else None
        )
        if open_phase is not None:
            parts.append(
                T["impl.suspended.phase"].format(
                    phase=_phase_name(open_phase[0], lang), steps=_steps_text(open_phase[1], lang)
                )
            )
        else:
            parts.append(T[f"impl.{impl}"])
        ledger_told = True
    if ledger_told:
        parts.append(
            T["ledger_state"].format(progress=row["progress"], **_aid_state(result, row, lang))
        )
    return parts


# ------------------------------------------------------------------ narrate
def narrate(result, lang: str = "en") -> str:
    """The run as a story in ``lang`` (``"en"`` or ``"zh"``); returns plain text.

    Args:
        result: a :class:`sim.runner.RunResult` (timeline, sessions, ledger,
            decisions; positions/salience are used when present).
        lang: ``"en"`` or ``"zh"``; anything else raises ValueError.

    Paragraphs are separated by a blank line: the opening; then, month by
    month, a paragraph for a notable month (events, decisions, ledger) and
    one per session convened that month (boycotted ones included); the end.
    """
    check_lang(lang)
    # the walk-out's outside_option_sources name the events by their titles
    token = _EVENT_NAMES.set(_event_titles(result, lang))
    try:
        return _narrate(result, lang)
    finally:
        _EVENT_NAMES.reset(token)


def _narrate(result, lang: str) -> str:
    check_lang(lang)
    T = _T[lang]
    sc = result.scenario
    from sixparty.analysis.i18n import scenario_title

    title = scenario_title(sc.name, sc.title or sc.name, lang)
    paras = [
        T["opening" if title == (sc.title or sc.name) else "opening_translated"].format(
            title=title,
            start=month_text(sc.window.start, lang),
            end=month_text(sc.window.end, lang),
            seed=result.seed,
            mode=T[f"mode.{result.anchoring_mode}"]
            if f"mode.{result.anchoring_mode}" in T
            else result.anchoring_mode,
        )
    ]
    titles = _event_titles(result, lang)
    hist = _history_labels(result, lang)
    by_month_sessions: dict[str, list[dict]] = {}
    for s in result.sessions:
        by_month_sessions.setdefault(s["month"], []).append(s)
    by_month_decisions: dict[str, list[dict]] = {}
    for d in result.decisions:
        by_month_decisions.setdefault(d["month"], []).append(d)
    month_index = {m: t for t, m in enumerate(result.months)}
    prev_impl = "none"
    told = set()
    for t, row in enumerate(result.timeline):
        month = row["month"]
        decisions = by_month_decisions.get(month, [])
        parts = _month_paragraph(result, t, month, decisions, lang, titles, prev_impl)
        prev_impl = row.get("implementation", "none")
        if parts:
            paras.append(
                T["month_heading"].format(month=month_text(month, lang))
                + "\n"
                + T["sep"].join(parts)
            )
        for s in by_month_sessions.get(month, []):
            paras.append(
                _session_paragraph(
                    result, s, t, decisions, lang, hist.get(int(s["session_id"]), "")
                )
            )
            told.add(s["session_id"])
    # Sessions outside the recorded months (should not happen) are still told, in order.
    for s in result.sessions:
        if s["session_id"] not in told:
            paras.append(
                _session_paragraph(
                    result,
                    s,
                    month_index.get(s["month"]),
                    by_month_decisions.get(s["month"], []),
                    lang,
                    hist.get(int(s["session_id"]), ""),
                )
            )
    if not result.sessions:
        paras.append(T["no_sessions"])
    if result.timeline:
        last = result.timeline[-1]
        paras.append(
            T["ending"].format(
                month=month_text(last["month"], lang),
                status=label(f"status.{last['talks_status']}", lang),
                progress=last["progress"],
                **_aid_state(result, last, lang),
                trust=last["mean_trust"],
                sanctions=last["sanctions"],
            )
        )
    return "\n\n".join(paras)


def month_story(result, t: int = -1, lang: str = "en") -> str:
    """What happened in month ``t`` (index into ``result.timeline``; -1 = the last) in plain words.

    The month's paragraph and its sessions' paragraphs as :func:`narrate`
    writes them, joined by a space; when nothing happened, one sentence with
    the talks' status.  Empty string for a run with no month yet.
    """
    check_lang(lang)
    if not result.timeline:
        return ""
    t = t % len(result.timeline)
    row = result.timeline[t]
    month = row["month"]
    T = _T[lang]
    decisions = [d for d in result.decisions if d["month"] == month]
    prev_impl = result.timeline[t - 1].get("implementation", "none") if t > 0 else "none"
    parts = _month_paragraph(
        result, t, month, decisions, lang, _event_titles(result, lang), prev_impl
    )
    colon = "：" if lang == "zh" else ": "
    out = [month_text(month, lang) + colon + T["sep"].join(parts)] if parts else []
    hist = (
        _history_labels(result, lang) if any(s["month"] == month for s in result.sessions) else {}
    )
    for s in result.sessions:
        if s["month"] == month:
            out.append(
                _session_paragraph(
                    result, s, t, decisions, lang, hist.get(int(s["session_id"]), "")
                ).replace("\n", colon, 1)
            )
    if not out:
        status = label(f"status.{row['talks_status']}", lang)
        return (
            f"{month_text(month, lang)}：无会议、无决定；会谈状态为{status}。"
            if lang == "zh"
            else f"{month}: no session and no decision; talks: {status}."
        )
    return " ".join(out)


# ============================================================== the record
def load_record() -> dict | None:
    """The historical record (``analysis/data/record.yaml``) as a dict, or None if absent.

    Keys: ``sessions`` (id, label {en, zh}, start, end, document,
    participants), ``episodes`` (id, kind, actor, start[, end]) and
    ``hfo_delivered`` (date, tonnes, from).  Validation data: never model input.

    The file is read and parsed once per process (:func:`_parsed_record`); each
    call returns a fresh deep copy, so a caller may change what it gets without
    changing what the next caller sees.
    """
    data = _parsed_record()
    return None if data is None else copy.deepcopy(data)


@functools.lru_cache(maxsize=1)
def _parsed_record() -> dict | None:
    """record.yaml parsed (cached: the page's story reads it at every session month)."""
    import yaml

    try:
        path = importlib.resources.files("sixparty.analysis") / "data" / "record.yaml"
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError, OSError):
        return None
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    return data if isinstance(data, dict) else None


def record_timeline(lang: str = "en", record: dict | None = None) -> list[dict]:
    """The record as dated rows for a timeline: ``{month, date, what, kind, kind_text,
    document}``, by date.

    ``kind`` is ``session`` (``what`` = label and document, ``document`` = its
    level) or the episode's kind (``what`` = its gloss in English, the
    article's quote in Chinese, with the episode's ``also`` quote after an
    ellipsis "……" where the article's sentence is broken by a link;
    ``document`` empty).  ``kind_text``: ``kind`` in ``lang`` (``score.kind.*``).
    Empty if the record is missing.
    """
    check_lang(lang)
    rec = record if record is not None else load_record()
    if not rec:
        return []
    rows = []
    for s in rec.get("sessions", []) or []:
        name = (s.get("label") or {}).get(lang) or s.get("id", "")
        doc = label(str(s.get("document", "none")), lang)
        rows.append(
            {
                "date": str(s.get("start", "")),
                "month": str(s.get("start", ""))[:7],
                "kind": "session",
                "kind_text": label("score.kind.session", lang),
                "what": f"{name}: {doc}",
                "document": str(s.get("document", "none")),
            }
        )
    for e in rec.get("episodes", []) or []:
        src = e.get("source") or {}
        what = src.get("quote") if lang == "zh" else (src.get("gloss") or e.get("id"))
        also = (e.get("also") or {}).get("quote") if lang == "zh" else None
        if also:  # the rest of a sentence a wiki link broke (or the next sentence): after "……"
            what = f"{what}……{also}"
        kind = str(e.get("kind", ""))
        rows.append(
            {
                "date": str(e.get("start", "")),
                "month": str(e.get("start", ""))[:7],
                "kind": kind,
                "kind_text": label_or(f"score.kind.{kind}", kind, lang),
                "what": str(what),
                "document": "",
            }
        )
    rows.sort(key=lambda r: r["date"])
    return rows


def path_metrics(result) -> dict[str, Any]:
    """Headline measures of a run (tables of a RunResult) for the debrief.

    Returns sessions_held, boycotts, best_document, chairmans_statements,
    joint_statements, joint_documents, progress (end, [0, 1]), aid_delivered_t,
    aid_pledged_t, tests (missile + nuclear), walkout (first month or ``""``).
    """
    held = [s for s in result.sessions if s["held"]]
    docs = [s["document"] for s in held]
    last = result.timeline[-1] if result.timeline else {}
    walk = [d["month"] for d in result.decisions if d["decision"] == "walks_out"]
    return {
        "sessions_held": len(held),
        "boycotts": sum(1 for s in result.sessions if not s["held"]),
        "best_document": max(docs, key=lambda d: _DOC_RANK.get(d, 0), default="none"),
        "chairmans_statements": docs.count("chairmans_statement"),
        "joint_statements": docs.count("joint_statement"),
        "joint_documents": docs.count("joint_document"),
        "progress": float(last.get("progress", 0.0)),
        "aid_delivered_t": float(last.get("aid_delivered_t", 0.0)),
        "aid_pledged_t": float(last.get("aid_pledged_t", 0.0)),
        "tests": sum(
            1 for d in result.decisions if d["decision"] in ("missile_test", "nuclear_test")
        ),
        "walkout": walk[0] if walk else "",
    }


def record_metrics(record: dict | None = None, until: str | None = None) -> dict[str, Any] | None:
    """The same measures for history (record.yaml), up to month ``until`` (``YYYY-MM``) if given.

    Six-party sessions only (the 2003 three-party talks are left out).  The
    record gives no progress share on the model's scale, so ``progress`` and
    ``aid_pledged_t`` are None; ``aid_delivered_t`` sums the shipments the
    record lists (the article names only the first, 6,200 t).  None if the
    record is missing.
    """
    rec = record if record is not None else load_record()
    if not rec:
        return None
    items = _record_items(rec, until)
    docs = [str(s.get("document", "none")) for s in items["sessions"]]
    walk = [str(e["start"])[:7] for e in items["walkout"]]
    return {
        "sessions_held": len(items["sessions"]),
        "boycotts": len(items["boycotts"]),
        "best_document": max(docs, key=lambda d: _DOC_RANK.get(d, 0), default="none"),
        "chairmans_statements": docs.count("chairmans_statement"),
        "joint_statements": docs.count("joint_statement"),
        "joint_documents": docs.count("joint_document"),
        "progress": None,
        "aid_delivered_t": float(sum(h.get("tonnes", 0) for h in items["hfo"])),
        "aid_pledged_t": None,
        "tests": len(items["tests"]),
        "walkout": walk[0] if walk else "",
    }


_DEBRIEF_ROWS = (
    ("sessions_held", "sessions held", "举行的会议"),
    ("boycotts", "boycotts", "抵制"),
    ("best_document", "best document", "最高级别文件"),
    ("chairmans_statements", "chairman's statements", "主席声明"),
    ("joint_statements", "joint statements", "共同声明"),
    ("joint_documents", "joint documents", "共同文件"),
    ("progress", "denuclearization progress", "无核化进展"),
    ("aid_delivered_t", "aid delivered (t HFO-eq.)", "已交付援助（吨重油当量）"),
    ("tests", "missile and nuclear tests", "导弹和核试验"),
    ("walkout", "DPRK walk-out", "朝鲜退出"),
)


def _fmt(key: str, v: Any, lang: str) -> str:
    if v is None:
        return "n/a"
    if key == "best_document":
        return label(v, lang)
    if key == "progress":
        return f"{v:.2f}"
    if key == "aid_delivered_t":
        return _tonnes(v)
    if key == "walkout":
        return v or ("no" if lang == "en" else "否")
    return str(v)


def _distance(key: str, a: Any, b: Any) -> float | None:
    """How far ``a`` is from ``b`` on one measure (None if not comparable)."""
    if a is None or b is None:
        return None
    if key == "best_document":
        return abs(_DOC_RANK.get(a, 0) - _DOC_RANK.get(b, 0))
    if key == "walkout":
        return 0.0 if bool(a) == bool(b) else 1.0
    if key == "aid_delivered_t":
        return abs(a - b) / max(1.0, abs(b), abs(a))
    return abs(float(a) - float(b))


def debrief_rows(
    seated, agent, record: dict | None = None, until: str | None = None, lang: str = "en"
) -> list[dict]:
    """Rows ``{measure, you, agent, history}`` (formatted strings) comparing the three paths.

    ``seated`` and ``agent`` are RunResults (or anything with the same tables)
    of the same scenario, seed and number of months; ``history`` comes from
    ``record`` (default: record.yaml) up to ``until`` and is ``n/a`` when absent.
    History's aid is the sum of the shipments the record lists, a lower
    bound (the record and the article give no delivered total): ``≥ 6,200
    (1 shipment listed)``.
    """
    check_lang(lang)
    you, ag = path_metrics(seated), path_metrics(agent)
    rec = record_metrics(record, until)
    rows = []
    for key, en, zh in _DEBRIEF_ROWS:
        hist = _fmt(key, rec[key], lang) if rec else "n/a"
        if rec and key == "aid_delivered_t":
            n = len(_record_items(record, until).get("hfo", []))
            if n:
                hist = _d("aid.lower_bound", lang, tonnes=hist, n=n)
        rows.append(
            {
                "key": key,
                "measure": zh if lang == "zh" else en,
                "you": _fmt(key, you[key], lang),
                "agent": _fmt(key, ag[key], lang),
                "history": hist,
            }
        )
    return rows


# ------------------------------------------------------------ the debrief's sentences
#: Sentence templates of the debrief (en, zh); ``{fields}`` are filled by
#: :func:`debrief_explain` from the runs' tables and the record.
_DEB: dict[str, dict[str, str]] = {
    "en": {
        "moves": "Your moves: {parts}.",
        "moves.attend": "attended {a} of {n} sessions you were invited to",
        "moves.respond": "to the chair's drafts you {parts}",
        "moves.accept": "accepted {n}",
        "moves.amend": "asked to amend {n} ({issues})",
        "moves.reject": "rejected {n}",
        "moves.impl": "your steps: {parts}",
        "moves.impl_one": "{order} from {month}",
        "moves.none": "Your moves: none (the agent played every decision).",
        "order.perform": "perform",
        "order.slow": "slow",
        "order.suspend": "suspend",
        "unlike.head": "Where you did not do what the agent in your seat would have done:",
        "unlike": "{month}, session {n}: you chose to {you}; the agent would have chosen to {agent}, "
        "because {why}.",
        "unlike.more": "… and {n} more move(s) unlike the agent's.",
        "unlike.none": "Every move you made was the one the agent in your seat would have made.",
        "did.attend": "attend",
        "did.boycott": "boycott",
        "did.accept": "accept the draft",
        "did.amend": "amend it on {issue}",
        "did.amend_any": "amend it",
        "did.reject": "reject it",
        "diff.head": "You, the agent in your seat, and history:",
        "m.sessions_held": "Sessions held: {you} in your game, {agent} with the agent in your "
        "seat{hist}.",
        "m.sessions_held.h": "; history held {h} six-party sessions, from {first} to {last}",
        "m.sessions_held.none_yet": "; history held no six-party session by then",
        "m.sessions_held.only": "; history held no six-party session by then; before them: {what}",
        "m.boycotts": "Sessions boycotted: {you} in your game, {agent} with the agent{hist}.",
        "m.boycotts.h": "; the record has {h} boycott(s){dates}",
        "m.best_document": "Best document: {you} in your game{you_when}, {agent} with the "
        "agent{agent_when}{hist}.",
        "m.best_document.h": "; history's best was a {h}: {what}",
        "m.docs": "{doc}s: {you} in your game{you_when}, {agent} with the agent{agent_when}{hist}.",
        "m.docs.h": "; history adopted {h}{what}",
        "m.progress": "Denuclearization progress at the end: {you} in your game, {agent} with the "
        "agent (the record gives no figure on this scale).",
        "m.aid_delivered_t": "Aid delivered: {you} t of heavy fuel oil (HFO) equivalent in your "
        "game, {agent} t with the agent{hist}.",
        "m.aid_delivered_t.h": "; shipments to the DPRK the record lists: {n} ({what}); the "
        "article gives no total delivered ({pledge})",
        "m.aid.shipment": "{tonnes} t by {party} on {date} (article §{section})",
        "aid.lower_bound": "≥ {tonnes} (shipments listed: {n})",
        "m.aid.pledge": "{tonnes} t HFO-equivalent were promised on {date}, article §{section}",
        "m.tests": "Missile and nuclear tests: {you} in your game, {agent} with the agent{hist}.",
        "m.tests.h": "; history had {h}{dates}",
        "m.walkout": "DPRK walk-out: {you} in your game, {agent} with the agent{hist}.",
        "m.walkout.h": "; history: {h}",
        "never": "never",
        "m.none_yet": "; history had no document by then",
        "m.aid.none_yet": "; the record lists no shipment by then",
        "in": " ({when})",
        "dates": " ({dates})",
        "closer": " Your game is closer to history here than the agent's.",
        "further": " The agent's is closer to history here than yours.",
        "counterfactual": "(A counterfactual scenario: history is a reference, not a target.)",
        "no_record": "No historical record to compare with.",
        "changed.head": "What would have changed it (the same game re-run with the agent in your "
        "seat, same seed, the other seats as played):",
        "changed.same": "Nothing: the re-run is the game you played, month for month.",
        "changed.part": "The two games are the same month for month until they part in {month}.",
        "changed.first": "Your first move unlike the agent's was in {month}: you chose to {you}, "
        "the agent would have chosen to {agent}.",
        "changed.outcome": "With the agent in your seat: {parts}.",
        "changed.one": "{measure} {agent} instead of {you}",
        "changed.no_outcome": "The path differs, but none of the measures above ends differently.",
    },
    "zh": {
        "moves": "你的决定：{parts}。",
        "moves.attend": "受邀的{n}次会议中出席{a}次",
        "moves.respond": "对主席国草案，你{parts}",
        "moves.accept": "接受{n}次",
        "moves.amend": "要求修改{n}次（{issues}）",
        "moves.reject": "拒绝{n}次",
        "moves.impl": "你的步骤：{parts}",
        "moves.impl_one": "自{month}起{order}",
        "moves.none": "你的决定：无（全部由智能体决定）。",
        "order.perform": "履行",
        "order.slow": "放缓",
        "order.suspend": "暂停",
        "unlike.head": "你与同一席位智能体做法不同之处：",
        "unlike": "{month}，第{n}次会议：你选择{you}；智能体会选择{agent}，因为{why}。",
        "unlike.more": "……另有{n}个决定与智能体不同。",
        "unlike.none": "你的每个决定都与同一席位的智能体相同。",
        "did.attend": "出席",
        "did.boycott": "抵制",
        "did.accept": "接受草案",
        "did.amend": "要求修改{issue}",
        "did.amend_any": "要求修改",
        "did.reject": "拒绝草案",
        "diff.head": "你、同一席位的智能体与历史：",
        "m.sessions_held": "举行的会议：你的模拟{you}次，智能体{agent}次{hist}。",
        "m.sessions_held.h": "；历史上举行了{h}次六方会议（{first}至{last}）",
        "m.sessions_held.none_yet": "；历史上此时尚未举行六方会议",
        "m.sessions_held.only": "；历史上此时尚未举行六方会议，此前有{what}",
        "m.boycotts": "被抵制的会议：你的模拟{you}次，智能体{agent}次{hist}。",
        "m.boycotts.h": "；历史记录中有{h}次抵制{dates}",
        "m.best_document": "最高级别文件：你的模拟为{you}{you_when}，智能体为{agent}{agent_when}{hist}。",
        "m.best_document.h": "；历史上为{h}：{what}",
        "m.docs": "{doc}：你的模拟{you}份{you_when}，智能体{agent}份{agent_when}{hist}。",
        "m.docs.h": "；历史上通过{h}份{what}",
        "m.progress": "期末无核化进展：你的模拟{you}，智能体{agent}（历史记录没有这一量表上的数字）。",
        "m.aid_delivered_t": "已交付援助：你的模拟{you}吨重油当量，智能体{agent}吨{hist}。",
        "m.aid_delivered_t.h": "；历史记录列出{n}批运抵朝鲜的重油：{what}；条目未给出交付总量（{pledge}）",
        "m.aid.shipment": "{date}{party}提供的{tonnes}吨（条目§{section}）",
        "aid.lower_bound": "≥ {tonnes}（记录仅列{n}批）",
        "m.aid.pledge": "{date}承诺相当于{tonnes}吨重油的援助，条目§{section}",
        "m.tests": "导弹和核试验：你的模拟{you}次，智能体{agent}次{hist}。",
        "m.tests.h": "；历史上{h}次{dates}",
        "m.walkout": "朝鲜退出会谈：你的模拟{you}，智能体{agent}{hist}。",
        "m.walkout.h": "；历史上：{h}",
        "never": "从未",
        "m.none_yet": "；历史上此时尚无文件",
        "m.aid.none_yet": "；历史记录中此时尚无运抵的重油",
        "in": "（{when}）",
        "dates": "（{dates}）",
        "closer": "这一项上你的模拟比智能体更接近历史。",
        "further": "这一项上智能体比你更接近历史。",
        "counterfactual": "（反事实情景：历史仅作参照。）",
        "no_record": "没有历史记录可比较。",
        "changed.head": "什么会改变结果（同一局以同一随机种子重跑，由智能体扮演你的席位，其他席位按原样）：",
        "changed.same": "没有变化：重跑的结果与你的模拟逐月相同。",
        "changed.part": "两局逐月相同，直到{month}分道。",
        "changed.first": "你第一个与智能体不同的决定在{month}：你选择{you}，智能体会选择{agent}。",
        "changed.outcome": "若由智能体扮演你的席位：{parts}。",
        "changed.one": "{measure}为{agent}而非{you}",
        "changed.no_outcome": "过程不同，但上述各项指标的结果相同。",
    },
}

_DOC_PLURAL = {
    "chairmans_statements": "chairmans_statement",
    "joint_statements": "joint_statement",
    "joint_documents": "joint_document",
}


def _d(key: str, lang: str, **kw) -> str:
    return _DEB[lang][key].format(**kw)


def _first_month(result, document: str) -> str:
    held = [s for s in result.sessions if s["held"] and s["document"] == document]
    return held[0]["month"] if held else ""


def _doc_months(result, document: str) -> list[str]:
    return [s["month"] for s in result.sessions if s["held"] and s["document"] == document]


def _record_items(record: dict | None, until: str | None) -> dict[str, Any]:
    """The record's dated facts the debrief cites, up to ``until``: six-party
    sessions (label, date, document), the talks in another format
    (``other_sessions``: the three-party talks of 2003-04), boycotts, tests,
    the walk-out and the HFO shipments (date, tonnes, from, section)."""
    rec = record if record is not None else load_record()
    if not rec:
        return {}

    def ok(date: str) -> bool:
        return until is None or str(date)[:7] <= until

    held = [s for s in rec.get("sessions", []) or [] if ok(s.get("start", ""))]
    sessions = [s for s in held if len(s.get("participants", [])) == 6]
    eps = [e for e in rec.get("episodes", []) or [] if ok(e.get("start", ""))]
    return {
        "sessions": sessions,
        "other_sessions": [s for s in held if len(s.get("participants", [])) != 6],
        "boycotts": [e for e in eps if e.get("kind") == "boycott"],
        "tests": [e for e in eps if e.get("kind") in ("missile_test", "nuclear_test")],
        "walkout": [e for e in eps if e.get("kind") == "walkout"],
        "hfo": [h for h in rec.get("hfo_delivered", []) or [] if ok(h.get("date", ""))],
        "pledged": [h for h in rec.get("hfo_pledged", []) or [] if ok(h.get("date", ""))],
    }


def _session_name(s: dict, lang: str) -> str:
    name = (s.get("label") or {}).get(lang) or s.get("id", "")
    return f"{name} · {s.get('start', '')}"


#: How many dates a debrief sentence lists before "…" (display only).
DATES_SHOWN = 4


def _dates(months: Sequence[str], lang: str) -> str:
    shown = _T[lang]["list_sep"].join(months[:DATES_SHOWN])
    return shown + ("…" if len(months) > DATES_SHOWN else "")


def _history_clause(key: str, h: Any, items: dict, lang: str) -> str:
    """The history half of a measure's sentence, from the record's items."""
    if not items:
        return ""
    sep = _T[lang]["list_sep"]
    if key == "sessions_held":
        ses = items["sessions"]
        if not ses:
            other = items.get("other_sessions") or []
            if other:
                what = sep.join(_session_name(x, lang) for x in other)
                return _d("m.sessions_held.only", lang, what=what)
            return _d("m.sessions_held.none_yet", lang)
        return _d(
            "m.sessions_held.h",
            lang,
            h=h,
            first=str(ses[0].get("start", "")),
            last=str(ses[-1].get("start", "")),
        )
    if key == "boycotts":
        dates = sep.join(str(e.get("start", "")) for e in items["boycotts"])
        return _d("m.boycotts.h", lang, h=h, dates=_d("dates", lang, dates=dates) if dates else "")
    if key == "best_document":
        best = [s for s in items["sessions"] if str(s.get("document")) == h]
        if h == "none" or not best:
            return _d("m.none_yet", lang)
        return _d("m.best_document.h", lang, h=label(h, lang), what=_session_name(best[0], lang))
    if key in _DOC_PLURAL:
        doc = _DOC_PLURAL[key]
        ses = [s for s in items["sessions"] if str(s.get("document")) == doc]
        what = sep.join(_session_name(s, lang) for s in ses)
        return _d("m.docs.h", lang, h=h, what=_d("in", lang, when=what) if what else "")
    if key == "aid_delivered_t":
        hfo = items["hfo"]
        if not hfo:
            return _d("m.aid.none_yet", lang)
        what = sep.join(
            _d(
                "m.aid.shipment",
                lang,
                tonnes=_tonnes(float(x.get("tonnes", 0))),
                party=label(str(x.get("from", "")), lang),
                date=str(x.get("date", "")),
                section=(x.get("source") or {}).get("section", ""),
            )
            for x in hfo
        )
        pledge = sep.join(
            _d(
                "m.aid.pledge",
                lang,
                tonnes=_tonnes(float(x.get("tonnes", 0))),
                date=str(x.get("date", "")),
                section=(x.get("source") or {}).get("section", ""),
            )
            for x in items["pledged"]
        )
        return _d("m.aid_delivered_t.h", lang, n=len(hfo), what=what or "-", pledge=pledge or "-")
    if key == "tests":
        dates = sep.join(str(e.get("start", "")) for e in items["tests"])
        return _d("m.tests.h", lang, h=h, dates=_d("dates", lang, dates=dates) if dates else "")
    if key == "walkout":
        w = items["walkout"]
        return _d("m.walkout.h", lang, h=str(w[0].get("start", "")) if w else _d("never", lang))
    return ""


def _value(key: str, v: Any, lang: str) -> str:
    if key == "walkout":
        return v or _d("never", lang)
    if key == "best_document":
        return label(v, lang)
    return _fmt(key, v, lang)


def _measure_sentence(key, you, ag, rec, items, seated, agent, lang) -> str:
    y, a = _value(key, you[key], lang), _value(key, ag[key], lang)
    hist = _history_clause(key, rec.get(key), items, lang) if rec else ""
    if key == "best_document":
        yw = _first_month(seated, you[key]) if you[key] != "none" else ""
        aw = _first_month(agent, ag[key]) if ag[key] != "none" else ""
        return _d(
            "m.best_document",
            lang,
            you=y,
            agent=a,
            you_when=_d("in", lang, when=yw) if yw else "",
            agent_when=_d("in", lang, when=aw) if aw else "",
            hist=hist,
        )
    if key in _DOC_PLURAL:
        doc = _DOC_PLURAL[key]
        yw, aw = _dates(_doc_months(seated, doc), lang), _dates(_doc_months(agent, doc), lang)
        return _d(
            "m.docs",
            lang,
            doc=label(doc, lang).capitalize() if lang == "en" else label(doc, lang),
            you=y,
            agent=a,
            you_when=_d("in", lang, when=yw) if yw else "",
            agent_when=_d("in", lang, when=aw) if aw else "",
            hist=hist,
        )
    return _d(f"m.{key}", lang, you=y, agent=a, hist=hist)


def _did(value: str, issue: str | None, lang: str) -> str:
    if value == "amend":
        return (
            _d("did.amend", lang, issue=label(issue, lang)) if issue else _d("did.amend_any", lang)
        )
    return _d(f"did.{value}", lang)


def _why(mv: dict, lang: str) -> str:
    """The agent's reason for a move, from its reason code and numbers."""
    from sixparty.analysis.i18n import compared, phrase

    w = dict(mv.get("why") or {})
    issue = w.get("issue")
    # each compared pair with the decimals that tell its two values apart
    u, d = compared(w.get("u", 0.0), w.get("d", 0.0))
    r, t = compared(w.get("r", 0.0), w.get("t", 0.0))
    trust, need = compared(w.get("trust", 0.0), w.get("need") or 0.0)
    return phrase(
        f"seat.why.{mv['reason']}",
        lang,
        u=u,
        d=d,
        r=r,
        t=t,
        trust=trust,
        need=need,
        issue=label(issue, lang) if issue else "",
    )


def _unlike(moves: Sequence[dict]) -> list[dict]:
    """The session moves that differ from what the agent would have done."""
    return [
        mv
        for mv in moves
        if mv.get("kind") in ("attend", "respond")
        and mv.get("agent") is not None
        and mv["agent"] != mv["value"]
    ]


def _moves_sentence(moves: Sequence[dict], lang: str) -> str:
    if not moves:
        return _d("moves.none", lang)
    sep = _T[lang]["list_sep"]
    parts = []
    att = [mv for mv in moves if mv.get("kind") == "attend"]
    if att:
        parts.append(
            _d("moves.attend", lang, a=sum(mv["value"] == "attend" for mv in att), n=len(att))
        )
    resp = [mv for mv in moves if mv.get("kind") == "respond"]
    if resp:
        bits = []
        for v in ("accept", "amend", "reject"):
            these = [mv for mv in resp if mv["value"] == v]
            if not these:
                continue
            if v == "amend":
                issues: dict[str, int] = {}
                for mv in these:
                    k = label(mv.get("issue") or "", lang) or "?"
                    issues[k] = issues.get(k, 0) + 1
                text = sep.join(f"{k} ×{n}" if n > 1 else k for k, n in issues.items())
                bits.append(_d("moves.amend", lang, n=len(these), issues=text))
            else:
                bits.append(_d(f"moves.{v}", lang, n=len(these)))
        parts.append(_d("moves.respond", lang, parts=sep.join(bits)))
    impl = [mv for mv in moves if mv.get("kind") == "implementation"]
    if impl:
        parts.append(
            _d(
                "moves.impl",
                lang,
                parts=sep.join(
                    _d(
                        "moves.impl_one",
                        lang,
                        order=_d(f"order.{mv['value']}", lang),
                        month=month_text(mv["month"], lang),
                    )
                    for mv in impl
                ),
            )
        )
    return _d("moves", lang, parts="; ".join(parts) if lang == "en" else "；".join(parts))


def _first_parting(seated, agent) -> str | None:
    """The first month whose timeline row differs between the two runs, or None."""
    for a, b in zip(seated.timeline, agent.timeline, strict=False):
        if repr(a) != repr(b):
            return str(a.get("month", ""))
    return None


#: How many moves unlike the agent's the debrief tells one by one (display only).
UNLIKE_SHOWN = 3


def debrief_explain(
    seated,
    agent,
    seat: str,
    lang: str = "en",
    record: dict | None = None,
    moves: Sequence[dict] = (),
    historical_conditions: bool = True,
) -> dict[str, list[str]]:
    """The debrief's sentences: ``{"moves", "unlike", "differences", "changed"}``,
    each a list of sentences in ``lang``.

    moves: a summary of the person's orders.  unlike: the first
    :data:`UNLIKE_SHOWN` session moves unlike what the agent in the seat would
    have done (``moves`` carry the agent's choice ``agent``, its reason code
    ``reason`` and its numbers ``why``, as :class:`sixparty.app.ClassroomModel`
    logs them), each with the agent's reason.  differences: one sentence per
    measure where the seated game differs from the agent's or from history,
    with history's figures and dates from the record (documents and their
    dates, the HFO shipments the record lists with their sources, boycotts,
    tests, the walk-out), and which path is closer to history.  changed: what
    would have changed it, from ``agent`` (the same game re-run with the agent
    in the seat): the month the two games part, the first move unlike the
    agent's, and the measures that end differently.
    """
    check_lang(lang)
    until = seated.timeline[-1]["month"] if seated.timeline else None
    you, ag = path_metrics(seated), path_metrics(agent)
    rec = record_metrics(record, until) or {}
    items = _record_items(record, until) if rec else {}
    names = {key: (zh if lang == "zh" else en) for key, en, zh in _DEBRIEF_ROWS}

    unlike = _unlike(moves)
    told = []
    for mv in unlike[:UNLIKE_SHOWN]:
        told.append(
            _d(
                "unlike",
                lang,
                month=month_text(mv["month"], lang),
                n=mv.get("session", "?"),
                you=_did(mv["value"], mv.get("issue"), lang),
                agent=_did(mv["agent"], (mv.get("why") or {}).get("issue"), lang),
                why=_why(mv, lang) if mv.get("reason") else "-",
            )
        )
    if len(unlike) > UNLIKE_SHOWN:
        told.append(_d("unlike.more", lang, n=len(unlike) - UNLIKE_SHOWN))
    if unlike:
        told.insert(0, _d("unlike.head", lang))
    elif any(mv.get("agent") is not None for mv in moves):
        told.append(_d("unlike.none", lang))

    differences = []
    for key, _, _ in _DEBRIEF_ROWS:
        h = rec.get(key) if rec else None
        same_agent = _distance(key, you[key], ag[key]) in (0, 0.0)
        same_hist = h is None or _distance(key, you[key], h) in (0, 0.0)
        if same_agent and same_hist:
            continue
        text = _measure_sentence(key, you, ag, rec, items, seated, agent, lang)
        if h is not None and not same_agent and key != "aid_delivered_t":
            # (history's aid is a lower bound: no "closer" on it)
            dy, da = _distance(key, you[key], h), _distance(key, ag[key], h)
            if dy is not None and da is not None and dy != da:
                text += _d("closer" if dy < da else "further", lang)
        differences.append(text)
    if differences:
        differences.insert(0, _d("diff.head", lang))
    if not rec:
        differences.append(_d("no_record", lang))
    elif not historical_conditions:
        differences.append(_d("counterfactual", lang))

    changed = [_d("changed.head", lang)]
    part = _first_parting(seated, agent)
    if part is None:
        changed.append(_d("changed.same", lang))
    else:
        changed.append(_d("changed.part", lang, month=month_text(part, lang)))
        if unlike:
            mv = unlike[0]
            changed.append(
                _d(
                    "changed.first",
                    lang,
                    month=month_text(mv["month"], lang),
                    you=_did(mv["value"], mv.get("issue"), lang),
                    agent=_did(mv["agent"], (mv.get("why") or {}).get("issue"), lang),
                )
            )
        outs = [
            _d(
                "changed.one",
                lang,
                measure=names[key],
                agent=_value(key, ag[key], lang),
                you=_value(key, you[key], lang),
            )
            for key, _, _ in _DEBRIEF_ROWS
            if _distance(key, you[key], ag[key]) not in (0, 0.0, None)
        ]
        sep = _T[lang]["list_sep"]
        changed.append(
            _d("changed.outcome", lang, parts=sep.join(outs))
            if outs
            else _d("changed.no_outcome", lang)
        )
    return {
        "moves": [_moves_sentence(moves, lang)],
        "unlike": told,
        "differences": differences,
        "changed": changed,
    }


def debrief_parts(
    seated,
    agent,
    seat: str,
    lang: str = "en",
    record: dict | None = None,
    moves: Sequence[dict] = (),
    historical_conditions: bool = True,
) -> dict:
    """The debrief as parts: ``{"head": [lines], "rows": debrief_rows(...),
    "verdict": [lines], "unlike": [...], "differences": [...], "changed": [...]}``.

    Arguments as :func:`debrief`; a page can show ``rows`` as a table.
    ``head`` names the seat and summarises the moves; ``verdict`` holds the
    sentences on the differences from the agent and from history and what
    would have changed it (:func:`debrief_explain`), also given by part.
    """
    check_lang(lang)
    until = seated.timeline[-1]["month"] if seated.timeline else None
    rows = debrief_rows(seated, agent, record, until, lang)
    head = [f"你扮演：{label(seat, lang)}" if lang == "zh" else f"Your seat: {label(seat, lang)}"]
    ex = debrief_explain(seated, agent, seat, lang, record, moves, historical_conditions)
    head.extend(ex["moves"])
    verdict = ex["unlike"] + ex["differences"] + ex["changed"]
    return {
        "head": head,
        "rows": rows,
        "verdict": verdict,
        "unlike": ex["unlike"],
        "differences": ex["differences"],
        "changed": ex["changed"],
    }


def debrief(
    seated,
    agent,
    seat: str,
    lang: str = "en",
    record: dict | None = None,
    moves: Sequence[dict] = (),
    historical_conditions: bool = True,
) -> str:
    """A short debrief of a seated run: the moves, then you vs the agent vs history.

    Args:
        seated: tables of the run where a person played ``seat``.
        agent: tables of the same scenario and seed, same months, all agents.
        seat: the party key the person played.
        moves: the person's orders, ``{month, kind, value}`` dicts (kind
            ``attend`` | ``respond`` | ``implementation``), as the dashboard logs them.
        historical_conditions: False for a counterfactual, where history is
            only a reference, not a target.

    Returns plain text: a summary line per move type, a table, and a verdict
    counting on how many measures the seated path was closer to history than
    the agent's (ties not counted).  History is the record up to the seated
    run's last month.
    """
    parts = debrief_parts(seated, agent, seat, lang, record, moves, historical_conditions)
    rows = parts["rows"]
    zh = lang == "zh"
    head = (
        ("指标", "你", "同一席位的智能体", "历史")
        if zh
        else ("measure", "you", "agent in your seat", "history")
    )
    keys = ("measure", "you", "agent", "history")
    widths = [max(len(head[i]), *(len(r[keys[i]]) for r in rows)) for i in range(4)]
    out = list(parts["head"])
    out.append("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip())
    for r in rows:
        out.append("  ".join(r[k].ljust(w) for k, w in zip(keys, widths, strict=True)).rstrip())
    out.extend(parts["verdict"])
    return "\n".join(out)
