"""Labels in English and Chinese, and discovery of a CJK font for figures.

``LABELS[lang][key] -> str`` for ``lang`` in ``"en"``, ``"zh"``.  Keys:

* party keys of :data:`sixparty.scenario.PARTIES` (``"DPRK"`` -> ``"朝鲜"``);
* issue keys of :data:`sixparty.scenario.ISSUES` (``"verification"`` -> ``"核查"``);
* document levels of :data:`sixparty.scenario.DOCUMENT_TYPES`
  (``"chairmans_statement"`` -> ``"主席声明"``);
* ``status.<talks_status>``, ``stance.<dprk_stance>``, ``impl.<implementation>``
  (the columns of ``timeline.csv``, docs/outputs.md);
* ``decision.<decision>`` (the decisions of ``decisions.csv``);
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
