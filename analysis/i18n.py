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
  :func:`phrase` fills their ``{fields}``);
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
    # documents
    "none": "no document",
    "oral_summary": "oral summary",
    "chairmans_statement": "chairman's statement",
    "joint_statement": "joint statement",
    "joint_document": "joint document",
    # talks status
    "status.no_talks": "no talks",
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
    "none": "无文件",
    "oral_summary": "口头共识",
    "chairmans_statement": "主席声明",
    "joint_statement": "共同声明",
    "joint_document": "共同文件",
    "status.no_talks": "无会谈",
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


# ---- a classroom seat: the briefing, the dues, the debrief (sixparty.seat codes)
_EN.update(
    {
        "seat.col.issue": "issue",
        "seat.col.draft": "chair's draft",
        "seat.col.you": "you",
        "seat.col.amended": "if amended",
        "seat.draft_title": "The chair's draft against the positions (0 .. 1 on each issue's scale)",
        "seat.u_accept": "Accept the draft: utility {u:.2f}",
        "seat.u_amend": "Amend it on {issue}, standing at {to:.2f} (the chair's redraft): "
        "utility {u:.2f}",
        "seat.u_amend_none": "Amend: no amendment moves this draft toward you (utility {u:.2f})",
        "seat.u_walk": "Walk away (your disagreement value): {u:.2f}",
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
        "seat.why.ready": "its readiness {r:.2f} is above the threshold {t:.2f}",
        "seat.why.not_ready": "its readiness {r:.2f} is not above the threshold {t:.2f}",
        "seat.why.dprk_suspended": "the DPRK has suspended its participation",
        "seat.why.worth_signing": "the draft is worth {u:.2f} to it, at least the {d:.2f} of "
        "walking away",
        "seat.why.trust_too_low": "the draft is worth signing ({u:.2f} against {d:.2f}), but a "
        "joint document binds it to paired steps and its trust in its counterpart, {trust:.2f}, "
        "is below {need:.2f}",
        "seat.why.below_walking_away": "the draft is worth {u:.2f} to it, less than the {d:.2f} of "
        "walking away, and costs it most on {issue}",
        "seat.why.far_beyond_radius": "the draft is worth {u:.2f} to it against {d:.2f} for "
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
        "seat.u_accept": "接受草案：效用 {u:.2f}",
        "seat.u_amend": "要求修改{issue}，坚持 {to:.2f}（主席国重拟的文本）：效用 {u:.2f}",
        "seat.u_amend_none": "修改：任何修改都不能使这份草案更接近你（效用 {u:.2f}）",
        "seat.u_walk": "退出（你的分歧点，即不达成协议的效用）：{u:.2f}",
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
        "seat.why.ready": "其出席意愿 {r:.2f} 高于门槛 {t:.2f}",
        "seat.why.not_ready": "其出席意愿 {r:.2f} 未高于门槛 {t:.2f}",
        "seat.why.dprk_suspended": "朝鲜已中止参加会谈",
        "seat.why.worth_signing": "草案对它的效用为 {u:.2f}，不低于退出的 {d:.2f}",
        "seat.why.trust_too_low": "草案值得签署（{u:.2f}，退出为 {d:.2f}），但共同文件要求对等履行步骤，"
        "而它对对方的信任 {trust:.2f} 低于 {need:.2f}",
        "seat.why.below_walking_away": "草案对它的效用为 {u:.2f}，低于退出的 {d:.2f}，"
        "在{issue}上代价最大",
        "seat.why.far_beyond_radius": "草案对它的效用为 {u:.2f}，退出为 {d:.2f}：离其立场太远，无从修改",
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
    "find_cjk_font",
    "label",
    "use_lang_font",
]
