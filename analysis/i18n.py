"""Labels in English and Chinese, and discovery of a CJK font for figures.

``LABELS[lang][key] -> str`` for ``lang`` in ``"en"``, ``"zh"``.  Keys:

* party keys of :data:`sixparty.scenario.PARTIES` (``"DPRK"`` -> ``"朝鲜"``);
* issue keys of :data:`sixparty.scenario.ISSUES` (``"verification"`` -> ``"核查"``);
* document levels of :data:`sixparty.scenario.DOCUMENT_TYPES`
  (``"chairmans_statement"`` -> ``"主席声明"``);
* ``status.<talks_status>``, ``stance.<dprk_stance>``, ``impl.<implementation>``
  (the columns of ``timeline.csv``, docs/outputs.md);
* ``decision.<decision>`` (the decisions of ``decisions.csv``);
* ``seat.*``: what a classroom seat is shown before a session and during
  implementation, and the debrief's sentences (:mod:`sixparty.seat` codes:
  ``seat.why.<reason code>``, ``seat.do.<choice>``, ``seat.kind.<step kind>``;
  :func:`phrase` fills their ``{fields}``; the utilities, readiness and trust they
  compare are given as text by :func:`compared`, so that "less than" never sits between
  two equal-looking numbers);
* what ``sixparty run`` prints (:func:`phrase` fills their ``{fields}``; the English
  entries are the command's English text byte for byte): ``summary.*`` (the
  session-by-session summary, :func:`sixparty.runner.summary_lines`), ``score.*``
  (the replay scorecard's report and its items' texts, :mod:`sixparty.analysis.scorecard`),
  ``ensemble.*`` (an ensemble's report), ``rerun.*`` (``--from``'s verdict), ``run.*``,
  ``plot.*`` (``sixparty plot``'s closing line), ``stop.*`` (the line after an interrupt);
  ``list_sep``/``clause_sep`` (``, `` / ``、`` and ``; `` / ``；``); names of the shipped
  scenarios' phases, facilities and titles (``phase_name.*``, ``facility.*``,
  ``facility_state.*``, ``scenario_title.*``: :func:`label_or`, :func:`scenario_title`);
  :func:`pad` aligns columns by terminal width;
* figure labels: ``month``, ``position``, ``salience``, ``trust``,
  ``mean_trust``, ``progress``, ``aid_delivered``, ``aid_pledged``,
  ``tonnes_hfo``, ``sanctions``, ``party``, ``toward``, ``issue``,
  ``action_for_action``, ``disablement``, ``hfo``, ``declaration``,
  ``verification_term``, ``session``, ``round``, ``phase``, ``recess``.

The Chinese terms are the article's (../shared/DOMAIN.md §Glossary):
主席声明 chairman's statement, 共同声明 joint statement, 共同文件 joint
document, 行动对行动 action for action, 去功能化 disablement, 申报
declaration, 重油 heavy fuel oil (HFO), 休会 recess.

:func:`label` looks a key up with an English fallback, so a missing Chinese
entry shows English rather than raising.  :func:`find_cjk_font` finds a font
matplotlib can use for Chinese labels; :func:`cjk_font_or_message` gives the
message to show when there is none.
"""

from __future__ import annotations

LANGS: tuple[str, ...] = ("en", "zh")

#: What to tell a user without a CJK font (Debian/Ubuntu package names).
CJK_FONT_HINT = (
    "no CJK font found for Chinese figure labels; install one, e.g. "
    "`apt-get install fonts-noto-cjk` (Debian/Ubuntu) or `dnf install google-noto-sans-cjk-fonts` "
    "(Fedora), or put NotoSansCJK/SourceHanSans .otf files in ~/.fonts; then delete matplotlib's "
    "font cache (~/.cache/matplotlib) so it sees the new font"
)

#: Font family names tried in order (matplotlib's names for the installed files).
CJK_FONT_CANDIDATES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "Noto Sans CJK KR",
    "Noto Sans SC",
    "Noto Serif CJK SC",
    "Noto Serif CJK JP",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Source Han Sans",
    "Source Han Serif SC",
    "Source Han Serif",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "AR PL UMing CN",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
)

_EN: dict[str, str] = {
    # parties
    "DPRK": "DPRK",
    "US": "US",
    "China": "China",
    "ROK": "ROK",
    "Japan": "Japan",
    "Russia": "Russia",
    # issues
    "denuclearization": "denuclearization",
    "security_assurance": "security assurance",
    "energy_aid": "energy aid",
    "normalization": "normalization",
    "sanctions_relief": "sanctions relief",
    "lwr": "light-water reactor",
    "verification": "verification",
    "format": "format",
    "sequence": "sequence",
    # documents
    "none": "no document",
    "oral_summary": "oral summary",
    "chairmans_statement": "chairman's statement",
    "joint_statement": "joint statement",
    "joint_document": "joint document",
    # talks status
    "status.no_talks": "no session this month",
    "status.in_session": "in session",
    "status.recess": "recess",
    "status.boycott": "boycott",
    "status.suspended": "suspended",
    "status.walked_out": "walked out",
    "stance.participating": "participating",
    "stance.suspended": "suspended",
    "stance.walked_out": "walked out",
    "impl.none": "none",
    "impl.active": "active",
    "impl.slowed": "slowed",
    "impl.suspended": "suspended",
    "impl.complete": "complete",
    # decisions
    "decision.boycotts": "boycotts the session",
    "decision.suspends_participation": "suspends its participation",
    "decision.returns": "returns to the talks",
    "decision.walks_out": "walks out of the talks",
    "decision.missile_test": "tests a missile",
    "decision.nuclear_test": "conducts a nuclear test",
    "decision.suspends_steps": "suspends its steps",
    "decision.resumes_steps": "resumes its steps",
    "decision.delists": "removes the DPRK from the terrorism list",
    "decision.withholds_aid": "withholds the aid it owes",
    "decision.withholds_delisting": "holds back the delisting that is due",
    "decision.resumes_aid": "no longer withholds its aid",
    "decision.reverses_steps": "reverses part of its steps",
    "decision.reverses_steps.plain": "reverses part of its steps",
    "decision.reverses_steps.continued": "continues to undo its steps",
    "decision.restores_facilities": "restores facilities it had shut down or disabled",
    # figure labels
    "month": "month",
    "position": "position",
    "salience": "salience",
    "trust": "trust",
    "mean_trust": "mean trust",
    "progress": "denuclearization progress",
    "aid_delivered": "aid delivered",
    "aid_pledged": "aid pledged",
    "tonnes_hfo": "tonnes HFO-equivalent",
    "sanctions": "sanctions",
    "party": "party",
    "toward": "toward",
    "issue": "issue",
    "action_for_action": "action for action",
    "disablement": "disablement",
    "hfo": "heavy fuel oil (HFO)",
    "declaration": "declaration",
    "verification_term": "verification",
    "session": "session",
    "round": "round",
    "phase": "phase",
    "recess": "recess",
    "talks_status": "talks",
    "historical": "history",
    "model": "model",
}

_ZH: dict[str, str] = {
    "DPRK": "朝鲜",
    "US": "美国",
    "China": "中国",
    "ROK": "韩国",
    "Japan": "日本",
    "Russia": "俄罗斯",
    "denuclearization": "无核化",
    "security_assurance": "安全保证",
    "energy_aid": "能源援助",
    "normalization": "关系正常化",
    "sanctions_relief": "解除制裁",
    "lwr": "轻水反应堆",
    "verification": "核查",
    "format": "会谈形式",
    "sequence": "弃核顺序",
    "none": "无文件",
    "oral_summary": "口头共识",
    "chairmans_statement": "主席声明",
    "joint_statement": "共同声明",
    "joint_document": "共同文件",
    "status.no_talks": "本月无会议",
    "status.in_session": "会谈中",
    "status.recess": "休会",
    "status.boycott": "抵制",
    "status.suspended": "中止参加",
    "status.walked_out": "退出",
    "stance.participating": "参加",
    "stance.suspended": "中止参加",
    "stance.walked_out": "退出",
    "impl.none": "无",
    "impl.active": "进行中",
    "impl.slowed": "放缓",
    "impl.suspended": "暂停",
    "impl.complete": "完成",
    "decision.boycotts": "拒绝出席会谈",
    "decision.suspends_participation": "中止参加六方会谈",
    "decision.returns": "重返六方会谈",
    "decision.walks_out": "退出六方会谈",
    "decision.missile_test": "试射导弹",
    "decision.nuclear_test": "进行核试验",
    "decision.suspends_steps": "暂停履行其步骤",
    "decision.resumes_steps": "恢复履行其步骤",
    "decision.delists": "将朝鲜从“支持恐怖主义国家”名单中除名",
    "decision.withholds_aid": "暂不提供应交付的援助",
    "decision.withholds_delisting": "暂缓已到期的除名",
    "decision.resumes_aid": "不再暂停援助",
    "decision.reverses_steps": "着手按原状恢复部分核设施",
    "decision.reverses_steps.plain": "撤销部分已履行的步骤",
    "decision.reverses_steps.continued": "继续撤销其已履行的步骤",
    "decision.restores_facilities": "按原状恢复已关闭或去功能化的核设施",
    "month": "月份",
    "position": "立场",
    "salience": "重视程度",
    "trust": "信任",
    "mean_trust": "平均信任",
    "progress": "无核化进展",
    "aid_delivered": "已交付援助",
    "aid_pledged": "承诺援助",
    "tonnes_hfo": "吨（重油当量）",
    "sanctions": "制裁",
    "party": "一方",
    "toward": "对",
    "issue": "议题",
    "action_for_action": "行动对行动",
    "disablement": "去功能化",
    "hfo": "重油",
    "declaration": "申报",
    "verification_term": "核查",
    "session": "会议",
    "round": "轮",
    "phase": "阶段",
    "recess": "休会",
    "talks_status": "会谈",
    "historical": "历史",
    "model": "模型",
}

#: ``LABELS[lang][key]``: the two label tables (same keys; see the module docstring).
LABELS: dict[str, dict[str, str]] = {"en": _EN, "zh": _ZH}

#: The ends of each issue's scale in Chinese, ``issue -> (0 end, 1 end)``: the Chinese of
#: :data:`sixparty.scenario.ISSUE_SCALES` (the seat's amendment form shows them).
ISSUE_SCALES_ZH: dict[str, tuple[str, str]] = {
    "denuclearization": ("只冻结，保留威慑力量", "完全、可核查、不可逆地放弃一切核武器和核计划"),
    "security_assurance": ("不提供安全保证", "有约束力的保证：书面互不侵犯条约"),
    "energy_aid": ("没有能源或经济援助", "预先无条件地交付大量援助（重油）"),
    "normalization": ("不采取关系正常化步骤", "现在就承诺美朝、日朝关系全面正常化"),
    "sanctions_relief": (
        "维持并扩大制裁，不除名",
        "解除全部制裁，解冻资金，从支持恐怖主义国家名单中除名",
    ),
    "lwr": (
        "不提供轻水反应堆，不承认和平利用核能的权利",
        "朝鲜重返《不扩散核武器条约》前提供轻水反应堆",
    ),
    "verification": (
        "只有自我申报，没有核查",
        "国际原子能机构对完整申报进行强制核查（取样、视察）",
    ),
    "format": ("严格多边：没有他方在场，美朝不接触", "美朝直接双边会谈"),
    "sequence": ("同步、分阶段：行动对行动", "先弃核，后回报"),
}


# ---- a classroom seat: the briefing, the dues, the debrief (sixparty.seat codes)
_EN.update(
    {
        "seat.col.issue": "issue",
        "seat.col.draft": "chair's draft",
        "seat.col.you": "you",
        "seat.col.amended": "if amended",
        "seat.draft_title": "The chair's draft against the positions (0 .. 1 on each issue's scale)",
        "seat.u_accept": "Accept the draft: utility {u}",
        "seat.u_amend": "Amend it on {issue}, standing at {to:.2f} (the chair's redraft): "
        "utility {u}",
        "seat.u_amend_none": "Amend: no amendment moves this draft toward you (utility {u})",
        "seat.u_walk": "Walk away (your disagreement value): {u}",
        "seat.recommend": "The agent in your seat would {attend} and {respond}: {why}.",
        "seat.recommend_away": "The agent in your seat would {attend}: {why}.",
        "seat.do.attend": "attend",
        "seat.do.boycott": "boycott",
        "seat.do.accept": "accept",
        "seat.do.amend": "amend it on {issue}",
        "seat.do.reject": "reject it",
        "seat.choice.accept": "accept",
        "seat.choice.amend": "amend",
        "seat.choice.reject": "reject",
        "seat.order.perform": "perform",
        "seat.order.slow": "slow",
        "seat.order.suspend": "suspend",
        "seat.why.ready": "its readiness {r} is above the threshold {t}",
        "seat.why.not_ready": "its readiness {r} is not above the threshold {t}",
        "seat.why.dprk_suspended": "the DPRK has suspended its participation",
        "seat.why.worth_signing": "the draft is worth {u} to it, at least the {d} of walking away",
        "seat.why.trust_too_low": "the draft is worth signing ({u} against {d}), but a "
        "joint document binds it to paired steps and its trust in its counterpart, {trust}, "
        "is below {need}",
        "seat.why.below_walking_away": "the draft is worth {u} to it, less than the {d} of "
        "walking away, and costs it most on {issue}",
        "seat.why.far_beyond_radius": "the draft is worth {u} to it against {d} for "
        "walking away: too far from its position to amend",
        "seat.choose": "Your choice (nothing is chosen for you):",
        "seat.pick_first": "Choose attend or boycott, and if you attend, your answer to the draft.",
        "seat.pick_issue": "Choose the issue to amend.",
        "seat.send": "Send our move",
        "seat.due_mine": "Due from you",
        "seat.due_theirs": "Due from your counterparts",
        "seat.due_none": "nothing open",
        "seat.col.party": "party",
        "seat.col.step": "step",
        "seat.col.tranche": "tranche",
        "seat.col.amount": "amount",
        "seat.col.delivered": "delivered",
        "seat.col.due": "due",
        "seat.col.state": "state",
        "seat.kind.dprk_action": "denuclearization step (share of progress)",
        "seat.kind.aid": "aid (t HFO-equivalent)",
        "seat.kind.delisting": "removal from the terrorism list",
        "seat.state.overdue": "overdue",
        "seat.state.owed": "owed now",
        "seat.state.waiting": "after the counterpart's step",
    }
)
_ZH.update(
    {
        "seat.col.issue": "议题",
        "seat.col.draft": "主席国草案",
        "seat.col.you": "你",
        "seat.col.amended": "修改后",
        "seat.draft_title": "主席国草案与各方立场（各议题量表上的 0 .. 1）",
        "seat.u_accept": "接受草案：效用 {u}",
        "seat.u_amend": "要求修改{issue}，坚持 {to:.2f}（主席国重拟的文本）：效用 {u}",
        "seat.u_amend_none": "修改：任何修改都不能使这份草案更接近你（效用 {u}）",
        "seat.u_walk": "放弃本次协议（你的分歧点，即不达成协议的效用）：{u}",
        "seat.recommend": "若由智能体扮演你：{attend}，并{respond}——{why}。",
        "seat.recommend_away": "若由智能体扮演你：{attend}——{why}。",
        "seat.do.attend": "出席",
        "seat.do.boycott": "抵制",
        "seat.do.accept": "接受",
        "seat.do.amend": "要求修改{issue}",
        "seat.do.reject": "拒绝",
        "seat.choice.accept": "接受",
        "seat.choice.amend": "修改",
        "seat.choice.reject": "拒绝",
        "seat.order.perform": "履行",
        "seat.order.slow": "放缓",
        "seat.order.suspend": "暂停",
        "seat.why.ready": "其出席意愿 {r} 高于门槛 {t}",
        "seat.why.not_ready": "其出席意愿 {r} 未高于门槛 {t}",
        "seat.why.dprk_suspended": "朝鲜已中止参加会谈",
        "seat.why.worth_signing": "草案对它的效用为 {u}，不低于放弃协议的 {d}",
        "seat.why.trust_too_low": "草案值得签署（{u}，放弃协议为 {d}），但共同文件要求对等履行步骤，"
        "而它对对方的信任 {trust} 低于 {need}",
        "seat.why.below_walking_away": "草案对它的效用为 {u}，低于放弃协议的 {d}，"
        "在{issue}上代价最大",
        "seat.why.far_beyond_radius": "草案对它的效用为 {u}，放弃协议为 {d}：离其立场太远，无从修改",
        "seat.choose": "你的选择（没有预先替你选定）：",
        "seat.pick_first": "请选择出席或抵制；若出席，再选择你对草案的答复。",
        "seat.pick_issue": "请选择要修改的议题。",
        "seat.send": "提交我方决定",
        "seat.due_mine": "你应履行的步骤",
        "seat.due_theirs": "对方应履行的步骤",
        "seat.due_none": "没有未完成的步骤",
        "seat.col.party": "一方",
        "seat.col.step": "步骤",
        "seat.col.tranche": "批次",
        "seat.col.amount": "数量",
        "seat.col.delivered": "已履行",
        "seat.col.due": "期限",
        "seat.col.state": "状态",
        "seat.kind.dprk_action": "无核化步骤（进展份额）",
        "seat.kind.aid": "援助（吨重油当量）",
        "seat.kind.delisting": "从“支持恐怖主义国家”名单中除名",
        "seat.state.overdue": "逾期",
        "seat.state.owed": "现应履行",
        "seat.state.waiting": "待对方先履行",
    }
)


# ---- what `sixparty run` prints: the summary table (sixparty.runner.summary_lines), the
# replay scorecard's report (sixparty.analysis.scorecard.report_lines) and the closing lines.
# The English entries are the command's own text, byte for byte; ``{fields}`` are filled by
# :func:`phrase` (numbers and YYYY-MM dates as the English gives them, in both languages).
_EN.update(
    {
        "summary.header": "{title}: {start} to {end}, seed {seed}, positions {mode} ({why})",
        "summary.mode.anchored": "anchored",
        "summary.mode.free": "free",
        "summary.why.anchored": "stated positions re-anchor the parties when dated",
        "summary.why.free": "evolving from the first statements only",
        "summary.col.month": "month",
        "summary.col.session": "session",
        "summary.col.attendance": "attendance",
        "summary.col.iter": "iter",
        "summary.col.document": "document",
        "summary.session": "session {n}",
        "summary.all_six": "all six",
        "summary.boycott": "boycott: {parties}",
        "summary.not_held": "not held",
        "summary.recess": " (recess)",
        "summary.adopts": " -> adopts '{phase}'",
        "summary.no_session": "(no session was convened)",
        "summary.decisions": "Decisions:",
        "summary.decision": "  {month}  {party} {what}: {why}",
        "summary.end": "End of {month}: {status}, denuclearization progress {progress}, "
        "aid delivered {delivered} t of {pledged} t HFO-eq. pledged{lapsed}, mean trust {trust}",
        "summary.lapsed": " ({tonnes} t lapsed when the phase was superseded)",
        "summary.lapsed_phases": " ({tonnes} t lapsed when {n} phases were superseded)",
        "summary.facilities": "Facilities: {facilities}",
        "summary.facility": "{name} {state}",
        "summary.status.no_talks": "no session this month",
        "summary.status.between_sessions": "no session this month (the talks go on; "
        "last session {last})",
        "summary.status.in_session": "talks in session",
        "summary.status.recess": "talks in recess",
        "summary.status.boycott": "a session boycotted",
        "summary.status.suspended": "the DPRK's participation suspended",
        "summary.status.walked_out": "the DPRK has walked out of the talks",
        "summary.status.other": "talks {status}",
        "list_sep": ", ",
        "clause_sep": "; ",
        "run.wrote": "\nWrote {files} to {out}/",
        "run.file": "{n} file",
        "run.files": "{n} files",
        # a parameter the scenario sets that its other settings make inert
        # (sixparty.parameters.inert_settings; printed as "sixparty: note: ...")
        "run.note": "note: {text}",
        "run.inert": "{path} has no effect here: it acts only when {cond} (this scenario: {now})",
        "run.inert.cond": "{setting} is {value}",
        # sixparty plot's closing line (names joined by list_sep)
        "plot.wrote": "Wrote {n} figures to {out}/: {names}",
        # the one stderr line after SIGINT/SIGTERM (analysis.ensemble.stopped_message)
        "stop.line": "sixparty: interrupted by {signal}{progress}: {kept}",
        "stop.progress": " after {done} of {runs} runs",
        "stop.complete": "the output is complete ({n} files in {out}/); only the summary was "
        "not all printed",
        "stop.untouched": "the previous output in {out}/ is untouched",
        "stop.new": "nothing was written ({out}/ was not created)",
        "stop.empty": "nothing was written ({out}/ is still empty)",
        "run.dask_dashboard": "sixparty: dask dashboard: {link}",
        # the replay scorecard (analysis.scorecard; scorecard.csv keeps the English)
        "score.raw": "{text}",
        "score.summary": "Replay scorecard (strict): {hits} of {n} items hit",
        "score.summary.near": "; {near} near miss (document one rank away, not counted)",
        "score.summary.nears": "; {near} near misses (document one rank away, not counted)",
        "score.summary.fed": "; {fed} of the hits fed by anchoring (decided by the inputs, "
        "not the model)",
        "score.summary.outside": " ({n} item outside the window not scored)",
        "score.summary.outsides": " ({n} items outside the window not scored)",
        "score.misses": "Misses:",
        "score.miss_line": "  {kind} {label}: recorded {recorded}; simulated {simulated}",
        "score.fed_head": "Fed ({hits} of these {n} are hits; the scenario's inputs decide these "
        "items, not the model: the run was anchored to a stated position read off the very "
        "document or act scored, so a hit there is no evidence for the model): ",
        "score.fed_item": "{label} ({verdict})",
        "score.hit": "hit",
        "score.miss": "miss",
        "score.outside_head": "Outside the window (not scored):",
        "score.outside_line": "  {kind} {label}: recorded {recorded}",
        "score.kind.session": "session",
        "score.kind.suspension": "suspension",
        "score.kind.boycott": "boycott",
        "score.kind.shutdown": "shutdown",
        "score.kind.disablement_start": "disablement_start",
        "score.kind.disablement_slowed": "disablement_slowed",
        "score.kind.declaration": "declaration",
        "score.kind.disablement_suspended": "disablement_suspended",
        "score.kind.delisting": "delisting",
        "score.kind.walkout": "walkout",
        "score.kind.missile_test": "missile_test",
        "score.kind.nuclear_test": "nuclear_test",
        "score.episode.suspension": "DPRK suspends participation",
        "score.episode.boycott": "DPRK stays away (boycott)",
        "score.episode.shutdown": "Yongbyon shut down",
        "score.episode.disablement_start": "disablement starts",
        "score.episode.disablement_slowed": "disablement slowed",
        "score.episode.declaration": "DPRK declaration",
        "score.episode.disablement_suspended": "disablement suspended",
        "score.episode.delisting": "US delists the DPRK",
        "score.episode.walkout": "DPRK walks out",
        "score.episode.missile_test": "DPRK missile test",
        "score.episode.nuclear_test": "DPRK nuclear test",
        "score.episode_year": "{name} ({year})",
        # an item's recorded and simulated texts (ScoreItem.recorded / .simulated)
        "score.span": "{start}..{end}",
        "score.doc_span": "{doc}, {span}",
        "score.adopts": "{text}, adopts phase {n}",
        "score.months": "{n} months",
        "score.months_1": "{n} month",
        "score.outside": "outside the window ({start}..{end}): not scored",
        "score.no_held_session": "no held session within ±{months}",
        "score.sim_session": "{doc} ({session})",
        "score.session_name": "session {n}, {month}",
        "score.session_month": "session, {month}",
        "score.because": "{text}: {why}",
        "score.near_miss": "{text}; one rank away (near miss)",
        "score.wrong_document": "wrong document",
        "score.wrong_phase": "wrong content: adopts phase {got}, recorded phase {want}",
        "score.wrong_no_phase": "wrong content: adopts no phase, recorded phase {want}",
        "score.nearest_outside": "nearest {month} (outside ±{n} months)",
        "score.already_matched": "{month} (already matched to another record item)",
        "score.never": "never",
        "score.with_cause": "{month} (cause: {cause})",
        "score.phase_under_way": "phase under way {got}, recorded {want}",
        "score.no_phase": "none",
        "score.cause_mismatch": "cause {got}, recorded {want}",
        "score.unstated": "unstated",
        "score.cause.aid": "aid",
        "score.cause.delisting": "delisting",
        "score.no_spell": "no absence spell starting within ±{n} months",
        "score.no_spell_near": "no absence spell starting within ±{n} months (nearest {span})",
        "score.ends": "ends {month}, recorded end {end}",
        "score.held_inside": "a session held inside the span ({months})",
        # the shipped scenarios' phases and facilities (English: their ids read as words;
        # Chinese: the article's words)
        "phase_name.initial_actions": "initial actions",
        "phase_name.second_phase_actions": "second phase actions",
        "phase_name.abandonment_and_verification": "abandonment and verification",
        "facility.yongbyon_5mwe_reactor": "yongbyon 5mwe reactor",
        "facility.reprocessing_plant": "reprocessing plant",
        "facility.fuel_fabrication_plant": "fuel fabrication plant",
        "facility_state.operating": "operating",
        "facility_state.shut_down": "shut down",
        "facility_state.disabled": "disabled",
        "facility_state.dismantled": "dismantled",
        # sixparty run --from RUN_DIR: the verdict (sixparty.runner.Rerun.check)
        "rerun.other_seed": "Seed {seed} differs from the original run's {original}: files not "
        "compared.",
        "rerun.no_tables": "{run_dir} holds no {fmt} tables to compare with (its tables are "
        "{theirs}).",
        "rerun.identical": "Reproduced: the {n} data files are byte-identical to those of "
        "{run_dir}.",
        "rerun.originals_changed": "Reproduced the run as recorded in {run_dir}/manifest.json, "
        "but {changed} in {run_dir} were changed or removed since the run (they no longer match "
        "its manifest): the new files are the originals.",
        "rerun.differ": "NOT reproduced: {differ} differ from {run_dir} (original: sixparty "
        "{version}, commit {commit}; see both manifests' 'distributions').",
        "rerun.from_python": "{run_dir} was written from Python (sixparty.write_run), without "
        "the scorecard and figures: the rerun is written the same way, to compare.",
        # an ensemble's report (sixparty run --runs N: EnsembleResult.report_lines)
        "ensemble.head": "{title}: {n} runs, base seed {seed}, {start} to {end} ({elapsed} s, "
        "{rate} runs/s, {executor})",
        "ensemble.walkout": "  DPRK walks out: {pct} of runs",
        "ensemble.walkout_when": " (median {median}, 90% between {lo} and {hi})",
        "ensemble.documents": "  At least one joint statement: {js}; joint document: {jd}; "
        "nuclear test: {nt}",
        "ensemble.sessions": "  Sessions held: median {median} (5-95%: {lo}-{hi})",
        "ensemble.quantiles": "  {what}: median {median} (5-95%: {lo} to {hi})",
        "ensemble.progress": "Denuclearization progress at the end",
        "ensemble.aid": "Aid delivered by the end (t HFO-eq.)",
        "ensemble.trust": "Mean trust over the window",
        "ensemble.interval": "  [a-b%]: the 95% interval (Wilson) of a share of runs",
        "ensemble.leaked": "  warning: {n} models left in mesa.Agent._ids",
        "ensemble.executor.serial": "this process",
        "ensemble.running": "sixparty: running {n} runs of {name} {where}",
        "ensemble.on": "on {executor}",
        "ensemble.in_process": "in this process",
        "ensemble.executor.processes": "{n} worker processes",
        # the shipped scenarios' titles (``scenario_title.<name>``; :func:`scenario_title`)
        "scenario_title.historical": "The Six-Party Talks, 2003-2012 (historical conditions)",
        "scenario_title.hfo_on_schedule": "Counterfactual: aid delivered on schedule (Japan pays its share, Seoul keeps delivering)",
        "scenario_title.libya_model_throughout": "Counterfactual: the US holds the Libya model (CVID first) throughout",
        "scenario_title.lwr_at_round4": "Counterfactual: the US grants the light-water reactor in September 2005",
        "scenario_title.no_bda_sanctions": "Counterfactual: no Banco Delta Asia sanctions (2005-2007)",
        "scenario_title.no_seoul_hardline_2008": "Counterfactual: no hard line in Seoul in 2008 (engagement continues)",
        "scenario_title.no_unsc_statement_2009": "Counterfactual: no UN Security Council statement after the April 2009 launch",
        "scenario_title.ukraine_model": "Counterfactual: the US accepts the Ukraine model (guarantees for renunciation) in 2004",
        "scenario_title.us_direct_talks_2003": "Counterfactual: the US accepts direct talks with the DPRK from 2003",
        "scenario_title.verification_in_10_3": "Counterfactual: verification written into the October 2007 document",
    }
)
_ZH.update(
    {
        "summary.header": "情景“{title}”：{start}至{end}，随机种子{seed}，立场{mode}（{why}）",
        "summary.mode.anchored": "锚定",
        "summary.mode.free": "自由演变",
        "summary.why.anchored": "按表态日期以各方表态重新锚定立场",
        "summary.why.free": "仅自首次表态起自行演变",
        "summary.col.month": "月份",
        "summary.col.session": "会议",
        "summary.col.attendance": "出席情况",
        "summary.col.iter": "稿数",
        "summary.col.document": "文件",
        "summary.session": "第{n}次会议",
        "summary.all_six": "六方全部出席",
        "summary.boycott": "抵制：{parties}",
        "summary.not_held": "未举行",
        "summary.recess": "（休会）",
        "summary.adopts": " -> 通过“{phase}”阶段",
        "summary.no_session": "（未召开任何会议）",
        "summary.decisions": "各方决定：",
        "summary.decision": "  {month}  {party} {what}：{why}",
        "summary.end": "{month}末：{status}，无核化进展{progress}，已交付援助{delivered}吨，"
        "承诺{pledged}吨（重油当量）{lapsed}，平均信任{trust}",
        "summary.lapsed": "（其中{tonnes}吨因该阶段被取代而失效）",
        "summary.lapsed_phases": "（其中{tonnes}吨因{n}个阶段被取代而失效）",
        "summary.facilities": "核设施：{facilities}",
        "summary.facility": "{name}{state}",
        "summary.status.no_talks": "本月无会议",
        "summary.status.between_sessions": "本月无会议（会谈仍在继续，上次会议：{last}）",
        "summary.status.in_session": "会谈进行中",
        "summary.status.recess": "会谈休会中",
        "summary.status.boycott": "一次会议遭到抵制",
        "summary.status.suspended": "朝鲜已中止参加会谈",
        "summary.status.walked_out": "朝鲜已退出六方会谈",
        "summary.status.other": "会谈状态：{status}",
        "list_sep": "、",
        "clause_sep": "；",
        "run.wrote": "\n已将{files}写入 {out}/",
        "run.file": "{n}个文件",
        "run.files": "{n}个文件",
        "run.note": "提示：{text}",
        "run.inert": "{path} 在此不起作用：仅当 {cond} 时才起作用（本情景：{now}）",
        "run.inert.cond": "{setting} 为 {value}",
        "plot.wrote": "已将{n}幅图写入 {out}/：{names}",
        "stop.line": "sixparty：{progress}被 {signal} 中断：{kept}",
        "stop.progress": "完成{runs}次模拟中的{done}次后",
        "stop.complete": "输出已完整（{out}/ 中{n}个文件），只是摘要未打印完",
        "stop.untouched": "{out}/ 中原有的输出未被改动",
        "stop.new": "未写入任何内容（未创建 {out}/）",
        "stop.empty": "未写入任何内容（{out}/ 仍为空）",
        "run.dask_dashboard": "sixparty：dask 仪表板：{link}",
        "score.raw": "{text}",
        "score.summary": "历史回放评分（严格）：{n}项中命中{hits}项",
        "score.summary.near": "；{near}项近似命中（文件类型相差一级，不计入命中）",
        "score.summary.nears": "；{near}项近似命中（文件类型相差一级，不计入命中）",
        "score.summary.fed": "；命中项中有{fed}项来自锚定输入（由输入决定，而非模型）",
        "score.summary.outside": "（另有{n}项在模拟时段之外，未评分）",
        "score.summary.outsides": "（另有{n}项在模拟时段之外，未评分）",
        "score.misses": "未命中：",
        "score.miss_line": "  {kind} {label}：历史记录 {recorded}；模拟 {simulated}",
        "score.fed_head": "来自锚定输入的项（共{n}项，其中{hits}项命中；这些项由情景的输入决定，"
        "而非模型：模拟锚定于从被评分的文件或行动本身读出的表态立场，因此在这些项上命中"
        "不能证明模型）：",
        "score.fed_item": "{label}（{verdict}）",
        "score.hit": "命中",
        "score.miss": "未命中",
        "score.outside_head": "模拟时段之外（未评分）：",
        "score.outside_line": "  {kind} {label}：历史记录 {recorded}",
        "score.kind.session": "会议",
        "score.kind.suspension": "中止参加",
        "score.kind.boycott": "抵制",
        "score.kind.shutdown": "关闭",
        "score.kind.disablement_start": "去功能化开始",
        "score.kind.disablement_slowed": "去功能化放缓",
        "score.kind.declaration": "申报",
        "score.kind.disablement_suspended": "暂停去功能化",
        "score.kind.delisting": "除名",
        "score.kind.walkout": "退出",
        "score.kind.missile_test": "导弹试验",
        "score.kind.nuclear_test": "核试验",
        "score.episode.suspension": "朝鲜中止参加会谈",
        "score.episode.boycott": "朝鲜拒绝出席（抵制）",
        "score.episode.shutdown": "关闭宁边核设施",
        "score.episode.disablement_start": "去功能化开始",
        "score.episode.disablement_slowed": "去功能化放缓",
        "score.episode.declaration": "朝鲜申报核计划",
        "score.episode.disablement_suspended": "暂停去功能化",
        "score.episode.delisting": "美国将朝鲜除名",
        "score.episode.walkout": "朝鲜退出会谈",
        "score.episode.missile_test": "朝鲜导弹试验",
        "score.episode.nuclear_test": "朝鲜核试验",
        "score.episode_year": "{name}（{year}）",
        "score.span": "{start}..{end}",
        "score.doc_span": "{doc}，{span}",
        "score.adopts": "{text}，通过第{n}阶段",
        "score.months": "{n}个月",
        "score.months_1": "{n}个月",
        "score.outside": "在模拟时段（{start}..{end}）之外：未评分",
        "score.no_held_session": "±{months}内未举行会议",
        "score.sim_session": "{doc}（{session}）",
        "score.session_name": "第{n}次会议，{month}",
        "score.session_month": "会议，{month}",
        "score.because": "{text}：{why}",
        "score.near_miss": "{text}；相差一级（近似命中）",
        "score.wrong_document": "文件类型不符",
        "score.wrong_phase": "内容不符：通过第{got}阶段，记录为第{want}阶段",
        "score.wrong_no_phase": "内容不符：未通过任何阶段，记录为第{want}阶段",
        "score.nearest_outside": "最近一次 {month}（超出±{n}个月）",
        "score.already_matched": "{month}（已与另一记录项匹配）",
        "score.never": "从未发生",
        "score.with_cause": "{month}（原因：{cause}）",
        "score.phase_under_way": "进行中的阶段为{got}，记录为{want}",
        "score.no_phase": "无",
        "score.cause_mismatch": "原因为{got}，记录为{want}",
        "score.unstated": "未说明",
        "score.cause.aid": "援助逾期",
        "score.cause.delisting": "除名逾期",
        "score.no_spell": "±{n}个月内没有开始缺席",
        "score.no_spell_near": "±{n}个月内没有开始缺席（最近一次 {span}）",
        "score.ends": "结束于 {month}，记录为 {end}",
        "score.held_inside": "期间举行了会议（{months}）",
        "phase_name.initial_actions": "起步行动",
        "phase_name.second_phase_actions": "第二阶段行动",
        "phase_name.abandonment_and_verification": "弃核与核查",
        "facility.yongbyon_5mwe_reactor": "宁边5兆瓦实验性反应堆",
        "facility.reprocessing_plant": "后处理厂",
        "facility.fuel_fabrication_plant": "核燃料元件制造厂",
        "facility_state.operating": "运行中",
        "facility_state.shut_down": "已关闭",
        "facility_state.disabled": "已去功能化",
        "facility_state.dismantled": "已拆除",
        "rerun.other_seed": "随机种子{seed}与原运行的{original}不同：未比较文件。",
        "rerun.no_tables": "{run_dir} 中没有可比较的 {fmt} 数据表（其数据表格式为 {theirs}）。",
        "rerun.identical": "已复现：{n}个数据文件与 {run_dir} 中的逐字节相同。",
        "rerun.originals_changed": "已按 {run_dir}/manifest.json 的记录复现该运行，但 {run_dir} "
        "中的 {changed} 在运行后被修改或删除（与其清单不再相符）：新文件即原始文件。",
        "rerun.differ": "未能复现：{differ} 与 {run_dir} 中的不同（原运行：sixparty {version}，"
        "提交 {commit}；请对照两份清单的 'distributions'）。",
        "rerun.from_python": "{run_dir} 是从 Python 写出的（sixparty.write_run），不含评分表和图："
        "重新运行也按同样方式写出，以便比较。",
        "ensemble.head": "情景“{title}”：{n}次模拟，基础随机种子{seed}，{start}至{end}"
        "（{elapsed}秒，每秒{rate}次，{executor}）",
        "ensemble.walkout": "  朝鲜退出会谈：{pct}的模拟",
        "ensemble.walkout_when": "（中位数{median}，90%在{lo}与{hi}之间）",
        "ensemble.documents": "  至少一份共同声明：{js}；共同文件：{jd}；核试验：{nt}",
        "ensemble.interval": "  [a-b%]：模拟比例的95%置信区间（威尔逊法）",
        "ensemble.sessions": "  举行的会议：中位数{median}（5-95%：{lo}-{hi}）",
        "ensemble.quantiles": "  {what}：中位数{median}（5-95%：{lo}至{hi}）",
        "ensemble.progress": "模拟结束时的无核化进展",
        "ensemble.aid": "模拟结束时已交付的援助（吨重油当量）",
        "ensemble.trust": "模拟期间的平均信任",
        "ensemble.leaked": "  警告：mesa.Agent._ids 中残留{n}个模型",
        "ensemble.executor.serial": "在本进程中运行",
        "ensemble.running": "sixparty：{where}运行情景 {name} 的{n}次模拟",
        "ensemble.on": "在{executor}上",
        "ensemble.in_process": "在本进程中",
        "ensemble.executor.processes": "{n}个工作进程",
        "scenario_title.historical": "六方会谈，2003-2012（历史条件）",
        "scenario_title.hfo_on_schedule": "反事实：援助按期交付（日本承担其份额，首尔继续交付）",
        "scenario_title.libya_model_throughout": "反事实：美国始终坚持“利比亚模式”（先以“全面、不可逆转和可验证”的方式弃核）",
        "scenario_title.lwr_at_round4": "反事实：美国于2005年9月同意提供轻水反应堆",
        "scenario_title.no_bda_sanctions": "反事实：没有澳门汇业银行制裁（2005-2007）",
        "scenario_title.no_seoul_hardline_2008": "反事实：2008年首尔未转向强硬路线（继续接触政策）",
        "scenario_title.no_unsc_statement_2009": "反事实：2009年4月发射后联合国安理会未发表声明",
        "scenario_title.ukraine_model": "反事实：美国于2004年接受“乌克兰模式”（以安全保证换取弃核）",
        "scenario_title.us_direct_talks_2003": "反事实：美国自2003年起接受与朝鲜直接会谈",
        "scenario_title.verification_in_10_3": "反事实：2007年10月的文件写入核查条款",
    }
)


def label_or(key: str, fallback: str, lang: str = "en") -> str:
    """The label of ``key`` in ``lang`` when the table has one, else ``fallback`` (for
    names from a scenario, e.g. a phase id, that only the shipped ones have labels for)."""
    return LABELS.get(lang, _EN).get(key) or fallback


def scenario_title(name: str, title: str, lang: str = "en") -> str:
    """A scenario's title in ``lang``: a shipped scenario's (``scenario_title.<name>``)
    when its English title is the shipped one, else ``title`` as the scenario gives it."""
    key = f"scenario_title.{name}"
    if lang != "en" and _EN.get(key) == title:
        return LABELS[lang].get(key) or title
    return title


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: 2 for each wide (CJK) character, else 1."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int, right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` terminal columns (:func:`display_width`),
    on the right (left-aligned), or on the left with ``right``; for ASCII text the same
    as ``f"{text:{width}}"`` / ``f"{text:>{width}}"``."""
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


#: The decimals a compared value is shown with (:func:`compared`): two, and up to
#: four when two would print different values alike.
COMPARED_DECIMALS = (2, 4)


def compared(*values: float) -> tuple[str, ...]:
    """``values`` that a sentence compares ("worth 0.925, less than the 0.934 of
    walking away") as text, all with one number of decimals: the fewest from two up
    to four (:data:`COMPARED_DECIMALS`) at which values that differ print differently,
    so a comparison never reads "0.93, less than 0.93".  Values closer than 0.0001
    still print alike at four.  Returns one string per value, in order; no values,
    ``()``.  The same digits serve both languages (``{u}`` in the ``seat.*`` texts).
    """
    xs = [float(v) for v in values]
    lo, hi = COMPARED_DECIMALS
    for n in range(lo, hi + 1):
        texts = tuple(f"{x:.{n}f}" for x in xs)
        if all(
            (texts[i] != texts[j]) or (xs[i] == xs[j])
            for i in range(len(xs))
            for j in range(i + 1, len(xs))
        ):
            return texts
    return texts


def phrase(key: str, lang: str = "en", **fields) -> str:
    """The label of ``key`` in ``lang`` (:func:`label`) with its ``{fields}`` filled.

    Raises:
        KeyError: a field the text names is missing.
    """
    return label(key, lang).format(**fields)


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is ``"en"`` or ``"zh"``; else raise ValueError naming both."""
    if lang not in LABELS:
        raise ValueError(f"unknown language {lang!r}; expected one of: {', '.join(LANGS)}")
    return lang


def label(key: str, lang: str = "en") -> str:
    """The label of ``key`` in ``lang``, falling back to English, then to ``key`` itself."""
    return LABELS.get(lang, _EN).get(key) or _EN.get(key, key)


def find_cjk_font() -> str | None:
    """The family name of an installed font that can draw Chinese, or None.

    Looks through matplotlib's font manager for Noto Sans/Serif CJK, Source Han
    Sans/Serif, WenQuanYi and a few system fonts (:data:`CJK_FONT_CANDIDATES`,
    tried in order), then for any family whose name contains ``CJK``.  Use the
    result as ``matplotlib.rcParams["font.sans-serif"]`` (first entry); when it
    is None show :data:`CJK_FONT_HINT`.
    """
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for cand in CJK_FONT_CANDIDATES:
        if cand in names:
            return cand
    for name in sorted(names):
        if "CJK" in name or "Han Sans" in name or "WenQuanYi" in name:
            return name
    return None


def cjk_font_or_message() -> tuple[str | None, str | None]:
    """``(font, None)`` when a CJK font is installed, else ``(None, CJK_FONT_HINT)``."""
    font = find_cjk_font()
    return (font, None) if font else (None, CJK_FONT_HINT)


def use_lang_font(lang: str) -> str | None:
    """Prepare matplotlib to draw labels in ``lang``; returns a warning or None.

    For ``"zh"`` puts the CJK font first in ``rcParams["font.sans-serif"]`` and
    sets ``font.family`` to sans-serif; without a CJK font returns
    :data:`CJK_FONT_HINT` (labels would show as boxes).  ``"en"`` changes nothing.
    """
    check_lang(lang)
    if lang != "zh":
        return None
    import matplotlib

    font, message = cjk_font_or_message()
    if font is None:
        return message
    current = [f for f in matplotlib.rcParams["font.sans-serif"] if f != font]
    matplotlib.rcParams["font.sans-serif"] = [font, *current]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False
    return None


__all__ = [
    "CJK_FONT_CANDIDATES",
    "CJK_FONT_HINT",
    "LABELS",
    "LANGS",
    "check_lang",
    "cjk_font_or_message",
    "display_width",
    "find_cjk_font",
    "label",
    "pad",
    "phrase",
    "scenario_title",
    "use_lang_font",
    "label_or",
]
