"""The dashboard's page logic without a browser: switches, labels, the step counter, sessions."""

from __future__ import annotations

import pytest

pytest.importorskip("solara")
pytest.importorskip("mesa.visualization")

import sixparty.app as app  # noqa: E402
import sixparty.dashboard_controls as controls  # noqa: E402
from sixparty.analysis.i18n import LABELS  # noqa: E402


def test_event_switches_are_only_those_of_the_chosen_scenario():
    assert app.scenario_switches("historical") == list(app.EVENT_SWITCHES)
    no_hardline = app.scenario_switches("counterfactuals/no_seoul_hardline_2008")
    assert "ev_rok_hardline" not in no_hardline and "ev_midterms" in no_hardline
    params = app.model_params("counterfactuals/no_seoul_hardline_2008")
    assert "ev_rok_hardline" not in params and "ev_midterms" in params
    assert app.scenario_switches("/etc/passwd") == []  # not offered: nothing read


def test_the_sidebar_keeps_the_teachers_values_and_speaks_chinese():
    params = app.model_params("historical", "zh", {"seat": "DPRK", "noise": 0.3, "ev_iraq": False})
    assert params["seat"]["value"] == "DPRK" and params["noise"]["value"] == 0.3
    assert params["ev_iraq"]["value"] is False
    assert (
        params["scenario"]["label"].startswith("情景") and "外部事件" in params["ev_iraq"]["label"]
    )


def test_the_sliders_name_their_value_at_rest():
    """A projector showed the sliders' values only while dragged (and then over the label
    above): each slider's label carries its value, the teacher's one once changed."""
    params = app.model_params("historical", "en", {"noise": 0.3})
    assert params["noise"]["label"] == "Noise: 0.30"
    default = app._STARTUP_PARAMS.trust_memory
    assert params["trust_memory"]["label"] == f"Trust memory: {default:.2f}"
    assert app.model_params("historical", "zh", {"noise": 0.07})["noise"]["label"] == "噪声：0.07"
    assert ".sp-params .v-slider__thumb-label-container" in app.PROJECTOR_CSS


def test_every_page_word_has_both_languages():
    assert set(app.UI["en"]) == set(app.UI["zh"])
    assert set(app.EVENT_SWITCHES_ZH) == set(app.EVENT_SWITCHES)
    assert app.ui("steps", "zh", k=3, n=120) == "第 3 个月，共 120 个月"
    assert "zh" in LABELS


def test_the_step_counter_never_exceeds_the_window():
    m = app.ClassroomModel(scenario="historical")
    try:
        for _ in range(m.n_months + 12):  # the Step button pressed past the window's end
            m.step()
        assert m.steps == m.n_months == len(m.timeline) == 120
        assert not m.running
    finally:
        m.retire()


def test_sessions_table_uses_the_models_numbering_and_historys_rounds():
    m = app.ClassroomModel(scenario="historical")
    try:
        while m.running and len([s for s in m.sessions if s.held]) < 12:
            m.step()
        rows = app.session_rows(m)
        assert [r["session"] for r in rows] == [f"session {i + 1}" for i in range(len(rows))]
        assert any(r["history"].startswith("≈ Round") for r in rows)
        assert all("Round 1" not in r["session"] for r in rows)
        zh = app.session_rows(m, "zh")
        assert zh[0]["session"] == "第1次" and any(r["history"].startswith("≈ 第") for r in zh)
        # the notes in the page's language, from the reason codes
        from sixparty.reasons import render

        noted = [(r, s) for r, s in zip(rows, m.sessions, strict=True) if s.reasons]
        assert noted
        for (r, s), z in zip(
            noted, [z for z, s in zip(zh, m.sessions, strict=True) if s.reasons], strict=True
        ):
            assert r["notes"] == render(s.reasons)
            assert not any("a" <= ch.lower() <= "z" for ch in z["notes"]), z["notes"]
    finally:
        m.retire()


def test_decisions_table_tells_the_reasons_in_the_pages_language():
    m = app.ClassroomModel(scenario="historical")
    try:
        while m.running and not m.decisions:
            m.step()
        assert m.decisions
        from sixparty.reasons import render

        assert render(m.decisions[0][3]) in app._decisions_html(m, "en").replace("&#x27;", "'")
        zh = app._decisions_html(m, "zh")
        assert "出席意愿" in zh
    finally:
        m.retire()


def _page_text(widget) -> str:
    """Every text and HTML the rendered widget tree shows, joined."""
    out = []
    for attr in ("children", "unsafe_innerHTML", "label"):
        val = getattr(widget, attr, None)
        if isinstance(val, str):
            out.append(val)
    for child in getattr(widget, "children", None) or []:
        out.append(child if isinstance(child, str) else _page_text(child))
    return " ".join(out)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_status_card_mentions_reset_only_where_the_page_has_it(lang):
    import solara

    m = app.ClassroomModel(scenario="historical")
    app.LANG.value = lang
    try:
        reset = controls.word("reset", lang)  # the button's word in the page's language
        box, _rc = solara.render(app.StatusCard(solara.reactive(m)), handle_error=False)
        assert reset in _page_text(box)  # the solo page: parameters apply on Reset
        box, _rc = solara.render(
            app.StatusCard(solara.reactive(m), reset=False), handle_error=False
        )
        assert reset not in _page_text(box)  # the classroom teacher's page has none
        m.running = False  # the window is over
        box, _rc = solara.render(
            app.StatusCard(solara.reactive(m), reset=False), handle_error=False
        )
        text = _page_text(box)
        assert reset not in text and app.ui("over_final", lang) in text
    finally:
        app.LANG.value = "en"
        m.retire()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_chinese_page_names_seats_parameters_and_the_scenario_in_chinese(lang):
    """The zh page showed the seat ids (none, DPRK, US), "noise=0.1" and the English
    title of a shipped scenario; the seat values stay the ids."""
    import solara
    from sixparty.analysis.i18n import scenario_title

    items = app.model_params("historical", lang)["seat"]["values"]
    assert [x["value"] for x in items] == [app.NO_SEAT, *app.PARTIES]
    shown = [x["text"] for x in items]
    if lang == "zh":
        assert shown[:3] == ["无", "朝鲜", "美国"]
    else:
        assert shown[:3] == ["none", "DPRK", "US"]
    # a seat the teacher chose is kept; one the list does not offer is not
    assert app.model_params("historical", lang, {"seat": "Japan"})["seat"]["value"] == "Japan"
    assert app.model_params("historical", lang, {"seat": "日本"})["seat"]["value"] == app.NO_SEAT
    m = app.ClassroomModel(scenario="counterfactuals/no_bda_sanctions", noise=0.1, anchoring=False)
    app.LANG.value = lang
    try:
        box, _rc = solara.render(app.StatusCard(solara.reactive(m)), handle_error=False)
        text = _page_text(box)
        title = scenario_title(m.spec.name, m.spec.title, lang)
        assert title in text
        if lang == "zh":
            assert title == "反事实：没有澳门汇业银行制裁（2005-2007）"
            assert "已调整的参数：噪声=0.1、锚定（按表态重新锚定立场）=关" in text
            assert "noise" not in text and "Counterfactual" not in text
        else:
            assert (
                "parameters moved: Noise=0.1, Anchoring (re-anchor to stated positions)=off" in text
            )
    finally:
        app.LANG.value = "en"
        m.retire()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_switched_off_events_are_named_by_their_switches(lang):
    """The status line listed the removed events' ids (bda_freeze, ...) also on the zh
    page; it names the sidebar's switches in the page's language."""
    import solara

    m = app.ClassroomModel(scenario="historical", ev_midterms=False)
    app.LANG.value = lang
    try:
        assert m.removed_events and all("midterms" in ev for ev in m.removed_events)
        box, _rc = solara.render(app.StatusCard(solara.reactive(m)), handle_error=False)
        text = _page_text(box)
        name = app.EVENT_SWITCHES_ZH["ev_midterms"] if lang == "zh" else "US midterms 2006"
        assert app.ui("switched_off", lang) + name in text
        assert not any(ev in text for ev in m.removed_events)
    finally:
        app.LANG.value = "en"
        m.retire()
    assert app.switched_off_text(["us_midterms_2006", "made_up"], "en") == (
        "US midterms 2006, made_up"
    )
