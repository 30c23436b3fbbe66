"""The classroom dashboard, driven in a real browser (headless Chromium + Playwright).

One dashboard server is started for the module as a subprocess on a free
loopback port (``sixparty dashboard``'s own command line,
:func:`sim.dashboard.server_command`), in its own process group, and
stopped by that group's id at the end.  The page is driven in order: step a
few months (the date and the charts change), switch scenario (sidebar picker
+ Reset), take the DPRK's seat and play one session, ask for the debrief, send
a file path as the scenario (refused, the file's content never shown), and
no console error all along.  Screenshots go to ``test-artifacts/``.

Marked ``browser`` (deselect with ``-m "not browser"``).  Skips, with the
reason, when Playwright, the dashboard extra or a Chromium binary is missing
(``pip install -e '.[test]'`` alone); ``.ci/run`` installs all three and sets
``SIXPARTY_REQUIRE_BROWSER=1``, which turns that skip into a failure.
Chromium: ``$SIXPARTY_CHROMIUM``, else ``chromium`` / ``chromium-browser``
on PATH, else ``/usr/bin/chromium``.

The CLI checks at the bottom (no solara, busy port) need no browser.
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest
from sixparty import dashboard
from sixparty.cli import main

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
STEP_WAIT_MS = 15_000


def _chromium() -> str | None:
    env = os.environ.get("SIXPARTY_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def _skip_reason() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test,dashboard,browser]')"
    missing = dashboard.missing_modules()
    if missing:
        return f"the dashboard extra is not installed ({', '.join(missing)}): pip install -e '.[dashboard]'"
    if _chromium() is None:
        return "no Chromium binary (apt-get install -y chromium, or set SIXPARTY_CHROMIUM)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


VARIANT = """\
extends: historical
name: browser_test_variant
title: Browser-test variant (historical, no Libya events)
description: The historical scenario without the Libya events, for the dashboard test.
remove_events: [libya_renounces_wmd_2003]
"""


def start_server(env: dict, log_name: str, port: int | None = None):
    """A dashboard server on ``port`` (default: a free loopback port): (process, url, log file).

    Skips (fails under ``SIXPARTY_REQUIRE_BROWSER=1``) without the browser's needs;
    fails when the server does not answer within 90 s (its log is in ``test-artifacts/``).
    """
    reason = _skip_reason()
    if reason and os.environ.get("SIXPARTY_REQUIRE_BROWSER") == "1":
        pytest.fail(f"SIXPARTY_REQUIRE_BROWSER=1 but {reason}")
    if reason:
        pytest.skip(reason)
    ARTIFACTS.mkdir(exist_ok=True)
    port = port or _free_port()
    log = open(ARTIFACTS / log_name, "w")  # noqa: SIM115
    proc = dashboard.start_in_background(env, port, log=log, cwd=str(ROOT))
    url = f"http://127.0.0.1:{port}/"
    if not dashboard.wait_until_up(url, proc, timeout=90):
        stop_server(proc, log)
        pytest.fail(f"the dashboard did not start; see {ARTIFACTS / log_name}")
    return proc, url, log


def stop_server(proc, log) -> None:
    """Stop a server of :func:`start_server` (its whole process group) and close its log."""
    dashboard.stop_background(proc)
    log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    variant = tmp_path_factory.mktemp("dash") / "variant.yaml"
    variant.write_text(VARIANT, encoding="utf-8")
    # Start on a variant given as a file, so the picker offers it and 'historical'.
    proc, url, log = start_server(dashboard.server_env(str(variant), None), "dashboard-server.log")
    try:
        yield {"url": url, "variant": str(variant)}
    finally:
        stop_server(proc, log)


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=_chromium(),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        try:
            pg = browser.new_page(viewport={"width": 1500, "height": 1100})
            pg.on(
                "console",
                lambda m: (
                    errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None
                ),
            )
            pg.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
            pg.goto(server["url"])
            pg.wait_for_selector(".sp-date", timeout=60_000)
            pg.errors = errors
            yield pg
        finally:
            browser.close()


def _date(pg) -> str:
    return pg.locator(".sp-date").inner_text().strip()


def _shot(pg, name: str) -> None:
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _click_and_wait(pg, button: str, predicate: str, arg=None, tries: int = 3) -> None:
    """Click ``button`` and wait for the JS ``predicate``; click again if the page lost the click.

    A click that lands while the page re-renders (a busy machine) can be dropped; a
    second click is harmless for these checks, which only ask that something changed.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    target = pg.get_by_role("button", name=button, exact=True)
    for attempt in range(tries):
        if attempt == 0 or target.count():  # gone: the first click worked, just wait longer
            target.click()
        try:
            pg.wait_for_function(predicate, arg=arg, timeout=STEP_WAIT_MS)
            return
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise


def _click_step_and_wait(pg) -> None:
    _click_and_wait(
        pg, "Step", "b => document.querySelector('.sp-date').innerText.trim() !== b", arg=_date(pg)
    )


def _chart_png(pg, cls: str) -> bytes:
    img = pg.locator(f".{cls} img").first
    img.wait_for(timeout=STEP_WAIT_MS)
    return img.get_attribute("src") or ""


def _pick(pg, label: str, option: str) -> None:
    """Choose ``option`` in the sidebar's v-select labelled ``label``."""
    field = pg.locator(".v-select").filter(has_text=label).first
    field.click()
    menu = pg.locator(".v-menu__content.menuable__content__active")
    menu.get_by_text(option, exact=True).first.click()
    pg.wait_for_timeout(300)


def app_sliders() -> dict:
    """The sidebar's sliders in their order on the page (``sixparty.app.SLIDERS``)."""
    from sixparty.app import SLIDERS

    return SLIDERS


def _reset(pg) -> None:
    pg.get_by_role("button", name="Reset", exact=True).click()


@pytest.mark.browser
def test_step_advances_the_date_and_redraws_the_charts(page):
    start = _date(page)
    assert start.startswith("Start "), start
    trust0 = _chart_png(page, "sp-trust")
    ledger0 = _chart_png(page, "sp-ledger")
    _shot(page, "01-start")
    months = []
    for _ in range(3):
        _click_step_and_wait(page)
        months.append(_date(page))
    assert months == sorted(months) and len(set(months)) == 3, months
    assert months[0] == start.removeprefix("Start ")
    page.wait_for_function(
        "s => { const i = document.querySelector('.sp-ledger img'); return i && i.src !== s; }",
        arg=ledger0,
        timeout=STEP_WAIT_MS,
    )
    assert _chart_png(page, "sp-ledger") != ledger0
    # each chart and the story redraw on their own: wait for each (a busy machine can
    # show the date and the ledger before the trust chart)
    page.wait_for_function(
        "s => { const i = document.querySelector('.sp-trust img'); return i && i.src !== s; }",
        arg=trust0,
        timeout=STEP_WAIT_MS,
    )
    page.wait_for_function(
        "m => (document.querySelector('.sp-story')?.innerText || '').includes(m)",
        arg=months[-1],
        timeout=STEP_WAIT_MS,
    )
    _shot(page, "02-after-3-steps")


@pytest.mark.browser
def test_switch_scenario(page, server):
    assert "browser_test_variant" in page.locator(".sp-scenario").inner_text()
    _pick(page, "Scenario", "historical")
    _reset(page)
    page.wait_for_function(
        "() => document.querySelector('.sp-scenario').innerText.includes('[historical]')",
        timeout=STEP_WAIT_MS,
    )
    assert _date(page).startswith("Start ")
    _click_step_and_wait(page)
    _shot(page, "03-historical")


@pytest.mark.browser
def test_take_a_seat_and_play_one_session(page):
    _pick(page, "Take a seat", "DPRK")
    _reset(page)
    page.wait_for_selector(".sp-seat", timeout=STEP_WAIT_MS)
    # Step until the page asks for the DPRK's move (the first session).
    for _ in range(60):
        if page.locator(".sp-play-session").count():
            break
        _click_and_wait(
            page,
            "Step",
            "b => document.querySelector('.sp-play-session') || "
            "document.querySelector('.sp-date').innerText.trim() !== b",
            arg=_date(page),
        )
    else:
        pytest.fail("no session was convened in 60 months")
    prompt = page.locator(".sp-your-move").inner_text()
    assert "DPRK" in prompt
    asked_month = page.locator(".sp-seat").inner_text()
    _shot(page, "04-your-move")
    n_before = int(page.locator(".sp-session-count").inner_text().split(":")[1])
    brief = page.locator(".sp-brief").inner_text()  # the briefing before the choice
    assert "chair's draft" in brief and "disagreement value" in brief, brief
    assert "The agent in your seat would" in brief, brief
    play = page.locator(".sp-play-session")
    assert play.is_disabled()  # nothing is chosen for the student
    page.locator(".sp-attend").get_by_text("attend", exact=True).click()
    page.locator(".sp-respond").get_by_text("amend", exact=True).click()
    page.wait_for_timeout(300)
    assert play.is_disabled()  # amend needs its issue
    _pick(page, "Issue to amend", "verification")
    page.get_by_text("Move the text toward").wait_for(timeout=STEP_WAIT_MS)  # the amend form is up
    assert play.is_enabled()
    _click_and_wait(
        page,
        "Play this session",
        "n => parseInt(document.querySelector('.sp-session-count').innerText.split(':')[1]) > n",
        arg=n_before,
    )
    assert page.locator(".sp-play-session").count() == 0
    moves = page.locator(".sp-moves").inner_text()
    assert "attend" in moves and "amend" in moves, moves
    assert "session" in asked_month and "round" not in asked_month  # the model's own numbering
    page.locator(".sp-debrief").click()
    page.wait_for_selector(".sp-debrief-text", timeout=STEP_WAIT_MS * 2)
    text = page.locator(".sp-debrief-text").inner_text()
    assert "Your seat: DPRK" in text and "agent in your seat" in text and "history" in text
    # The debrief scrolls in its box: the charts still start within a screen of the seat's
    # card (opened, it used to push them below the fold).
    below = page.evaluate(
        "() => document.querySelector('.sp-positions').getBoundingClientRect().top"
        " - document.querySelector('.sp-seat').getBoundingClientRect().top"
    )
    assert below < 0.7 * page.viewport_size["height"], below  # 628 px, 853 before
    _shot(page, "05-after-session-debrief")
    timeline = page.locator(".sp-timeline")
    timeline.scroll_into_view_if_needed()
    assert page.locator(".sp-sessions tr").count() >= 2  # header + the session just played
    timeline.screenshot(path=str(ARTIFACTS / "06-timeline.png"))
    timeline.locator("img").first.screenshot(path=str(ARTIFACTS / "07-timeline-chart.png"))


def _send_scenario(pg, value: str) -> None:
    """Set the scenario picker to ``value`` as a browser could, bypassing the list's options."""
    pg.evaluate(
        """v => {
        const field = [...document.querySelectorAll('.v-select')]
            .find(e => e.innerText.includes('Scenario'));
        field.__vue__.$emit('input', v);
    }""",
        value,
    )
    pg.wait_for_timeout(300)


@pytest.mark.browser
def test_a_path_sent_as_the_scenario_is_refused_without_its_content(page, server, tmp_path):
    canary = "zq-canary-5120"
    secret = tmp_path / "secret.yaml"
    secret.write_text(f"root:{canary}:19000:0:99999:7:::\n{canary}: 1\nname: x\n", encoding="utf-8")
    for value in (str(secret), "../../../../../../" + str(secret), "/etc/passwd"):
        _send_scenario(page, value)
        _reset(page)
        page.wait_for_function(
            "() => document.body.innerText.includes('is not one this dashboard offers')",
            timeout=STEP_WAIT_MS,
        )
        body = page.inner_text("body")
        assert canary not in body and "root:" not in body
        # the page falls back to the scenario the teacher started with
        assert "[browser_test_variant]" in page.locator(".sp-scenario").inner_text()
    _shot(page, "08-path-refused")


@pytest.mark.browser
def test_projector_layout_large_type_no_mesa_internals_no_badge(page):
    body = page.inner_text("body")
    for gone in ("Use Threads", "Play Interval", "Render Interval", "This website runs on"):
        assert gone not in body, gone
    badge = page.locator("a[href='https://solara.dev']")
    for i in range(badge.count()):
        assert not badge.nth(i).is_visible()
    # chart type: FONT_PT at the figures' dpi, times the scale the browser draws the PNG at
    from sixparty.app import _DPI, FONT_PT

    for cls in ("sp-positions", "sp-trust", "sp-ledger", "sp-timeline"):
        img = page.locator(f".{cls} img").first
        img.wait_for(timeout=STEP_WAIT_MS)
        scale = img.evaluate("i => i.clientWidth / i.naturalWidth")
        assert FONT_PT * _DPI / 72 * scale >= 14, (cls, scale)
    story_px = page.locator(".sp-story").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert story_px >= 18
    _shot(page, "09-projector")


@pytest.mark.browser
def test_step_counter_counts_months_of_the_window(page):
    text = page.locator(".sp-steps").inner_text()
    k, n = (int(x) for x in text.replace("Month", "").split("of"))
    assert 0 <= k <= n and n == 120, text
    _click_step_and_wait(page)
    k2, n2 = (
        int(x) for x in page.locator(".sp-steps").inner_text().replace("Month", "").split("of")
    )
    assert k2 == k + 1 <= n2 == n


@pytest.mark.browser
def test_event_switches_fit_the_chosen_scenario(page, server):
    """Only switches for events the chosen scenario has (no_seoul_hardline_2008 has no ROK hard line)."""
    _pick(page, "Scenario", "counterfactuals/no_seoul_hardline_2008")
    page.wait_for_function(
        "() => !document.querySelector('.sp-params').innerText.includes('ROK hard line')",
        timeout=STEP_WAIT_MS,
    )
    params = page.locator(".sp-params").inner_text()
    assert "Event: US midterms 2006" in params
    _pick(page, "Scenario", "historical")
    page.wait_for_function(
        "() => document.querySelector('.sp-params').innerText.includes('ROK hard line')",
        timeout=STEP_WAIT_MS,
    )


@pytest.mark.browser
def test_the_language_switch_turns_the_page_chinese_and_back(page):
    page.locator(".sp-lang").get_by_text("zh", exact=True).click()
    page.wait_for_function(
        "() => ['迄今会议', '控制', '模型参数', '时间线']"
        ".every(w => document.body.innerText.includes(w))",
        timeout=STEP_WAIT_MS,
    )
    body = page.inner_text("body")
    assert "控制" in body and "模型参数" in body and "时间线" in body
    _shot(page, "10-zh-switch")
    page.locator(".sp-lang").get_by_text("en", exact=True).click()
    page.wait_for_function(
        "() => ['Sessions so far', 'Controls', 'Model parameters']"
        ".every(w => document.body.innerText.includes(w))",
        timeout=STEP_WAIT_MS,
    )


@pytest.mark.browser
def test_no_console_errors(page):
    assert page.errors == []


@pytest.mark.browser
def test_dashboard_in_chinese_with_lang_zh(page):
    """A second server started as ``sixparty dashboard --lang zh`` opens in Chinese."""
    proc, url, log = start_server(
        dashboard.server_env("historical", None, "zh"), "dashboard-server-zh.log"
    )
    try:
        pg = page.context.browser.new_page(viewport={"width": 1500, "height": 1100})
        try:
            pg.goto(url)
            pg.wait_for_selector(".sp-date", timeout=60_000)
            body = pg.inner_text("body")
            assert "控制" in body and "时间线" in body and "迄今会议" in body, body[:400]
            assert "起点" in pg.locator(".sp-date").inner_text()
            assert "第 0 个月，共 120 个月" in pg.locator(".sp-steps").inner_text()
            assert "Use Threads" not in body
            # the controls in Chinese too (they stayed "Reset" / "Step")
            assert "重置" in pg.locator(".sp-reset").inner_text()
            assert "Step" not in pg.locator(".sp-controls").inner_text()
            for _ in range(4):
                before = pg.locator(".sp-date").inner_text().strip()
                pg.get_by_role("button", name="前进一个月", exact=True).click()
                pg.wait_for_function(
                    "b => document.querySelector('.sp-date').innerText.trim() !== b",
                    arg=before,
                    timeout=STEP_WAIT_MS,
                )
            assert "会谈：" in pg.locator(".sp-status").inner_text()
            _shot(pg, "11-zh")
            # the seat picker shows the parties' Chinese names (it sends the ids), the
            # scenario line a shipped scenario's Chinese title, and the parameters moved
            # their sliders' labels (they showed none/DPRK, the English title, noise=0.1)
            seat = pg.locator(".v-select").filter(has_text="扮演一方").first
            seat.click()
            menu = pg.locator(".v-menu__content.menuable__content__active")
            menu.get_by_text("美国", exact=True).wait_for(timeout=STEP_WAIT_MS)
            options = menu.inner_text()
            assert "无" in options and "朝鲜" in options and "DPRK" not in options, options
            menu.get_by_text("朝鲜", exact=True).first.click()
            pg.wait_for_timeout(300)
            _pick(pg, "情景", "counterfactuals/no_bda_sanctions")
            noise = pg.get_by_role("slider").nth(list(app_sliders()).index("noise"))
            noise.focus()
            for _ in range(5):
                pg.keyboard.press("ArrowRight")
            pg.wait_for_timeout(300)
            pg.get_by_role("button", name="重置", exact=True).click()
            pg.wait_for_function(
                "() => document.querySelector('.sp-scenario').innerText.includes('反事实')",
                timeout=STEP_WAIT_MS,
            )
            line = pg.locator(".sp-scenario").inner_text()
            assert (
                "反事实：没有澳门汇业银行制裁（2005-2007）" in line and "Counterfactual" not in line
            )
            # the parameters line comes with the reset's model: wait for it (the page
            # may still say 计算中 when the scenario line has changed, on a busy machine)
            pg.wait_for_function(
                "() => document.body.innerText.includes('已调整的参数：噪声=')",
                timeout=STEP_WAIT_MS,
            )
            body = pg.inner_text("body")
            assert "已调整的参数：噪声=" in body and "noise=" not in body, body[:600]
            assert "朝鲜" in pg.locator(".sp-seat").inner_text()  # the seat taken is the DPRK's
            _shot(pg, "12-zh-seat-reset")
        finally:
            pg.close()
    finally:
        stop_server(proc, log)


# ------------------------------------------------------------ CLI, no browser
def test_dashboard_without_solara_says_how_to_install(monkeypatch, capsys):
    monkeypatch.setattr(dashboard, "missing_modules", lambda: ["solara"])
    assert main(["dashboard"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'sixparty[dashboard]'" in err and "Traceback" not in err


def test_dashboard_refuses_a_busy_port(monkeypatch, capsys):
    monkeypatch.setattr(dashboard, "missing_modules", lambda: [])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["dashboard", "--port", str(port)]) == 2
    assert f"port {port}" in capsys.readouterr().err


def test_dashboard_rejects_unknown_seat_and_scenario(monkeypatch, capsys):
    monkeypatch.setattr(dashboard, "missing_modules", lambda: [])
    assert main(["dashboard", "--seat", "France"]) == 2
    assert main(["dashboard", "no_such_scenario"]) == 2
    err = capsys.readouterr().err
    assert "France" in err and "no_such_scenario" in err


def test_dashboard_defaults_to_loopback():
    args = (
        __import__("sixparty.cli", fromlist=["build_parser"])
        .build_parser()
        .parse_args(["dashboard"])
    )
    assert args.host == "127.0.0.1" and args.port == 8765 and args.seat is None
    assert dashboard.is_loopback("127.0.0.1") and not dashboard.is_loopback("0.0.0.0")
    cmd = dashboard.server_command("127.0.0.1", 9999)
    assert cmd[1:4] == ["-m", "solara", "run"] and "--production" in cmd and "--no-open" in cmd
    assert "--no-check-version" in cmd  # no call to PyPI when the page starts
    env = dashboard.server_env("historical", "DPRK")
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False" and env["SIXPARTY_SEAT"] == "DPRK"


def test_a_background_server_stops_with_its_whole_process_group(monkeypatch, tmp_path):
    """``start_in_background`` / ``stop_background`` (the browser tests' and the benchmark's
    server): the stop reaches what the server started too (here a stand-in and its child)."""
    import sys
    import time

    pid_file = tmp_path / "child.pid"
    stand_in = (
        "import subprocess, sys, time; "
        "c = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
        f"open({str(pid_file)!r}, 'w').write(str(c.pid)); time.sleep(60)"
    )
    monkeypatch.setattr(
        dashboard, "server_command", lambda host, port: [sys.executable, "-c", stand_in]
    )
    proc = dashboard.start_in_background(dict(os.environ), 0)
    deadline = time.monotonic() + 30
    while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    child = int(pid_file.read_text())
    dashboard.stop_background(proc, timeout=5)
    assert proc.poll() is not None
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            break  # gone
        if state == "Z":
            break  # ended, not yet reaped by its new parent
        time.sleep(0.05)
    else:
        pytest.fail(f"the server's child {child} outlived stop_background")
