"""Time per month of the classroom dashboard: on the server, and as the browser sees it.

Usage::

    python benchmarks/bench_dashboard.py [--months 40] [--scenario historical] [--seat PARTY]
    python benchmarks/bench_dashboard.py --browser [--months 25]

(a) **Server, in process** (always): the page's main area (:func:`sixparty.app.Dashboard`:
status, seat card, the charts, the timeline and its tables) is rendered once in a
Solara virtual kernel, as the server renders it for a browser; then, ``--months``
times, the model steps and the page is re-rendered the way the Step button does it
(``model.step()`` then Mesa's ``force_update()``).  Printed: CPU seconds of this
process and wall seconds per month, split into the model's step and the page's
re-render (medians, p90, max).  With ``--seat PARTY`` the seat's prompts are
answered with "attend, accept" and "perform" as they come (through the model's
``give_session_orders`` / ``give_implementation_order``); the months a prompt
stopped are counted once, when they are played.

(b) **Browser** (``--browser``): starts the server with ``sixparty dashboard``'s own
command line (:func:`sixparty.dashboard.start_in_background`, as the browser tests) on a free
loopback port, opens the page in headless Chromium (Playwright,
``$SIXPARTY_CHROMIUM`` or ``/usr/bin/chromium``), then ``--months`` times clicks
Step and waits until the month label has changed and the timeline chart (whose
"now" line moves every month) shows a new, loaded image; one month is stepped first,
untimed (the ledger's first month draws nothing new).  Printed: seconds from the click to
the screen, and the server process's CPU seconds per month (from
``/proc/PID/stat``), medians and p90.

The load average is printed before and after: the figures are meaningful only next
to it (the project's machine has 2 cores shared by several engineers).  Never run as
a unit test.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _q(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    if not xs:
        return float("nan")
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def _line(name: str, xs: list[float]) -> str:
    return (
        f"  {name:<34} median {statistics.median(xs):7.3f} s   p90 {_q(xs, 0.9):7.3f} s"
        f"   max {max(xs):7.3f} s   (n={len(xs)})"
    )


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def _answer_prompts(m) -> None:
    """Answer every seat's pending prompt: attend + accept a session; perform a phase."""
    for party in m.awaiting_parties():
        aw = m.awaiting_for(party)
        if aw["kind"] == "session":
            m.give_session_orders(party, True, "accept")
        else:
            m.give_implementation_order(party, "perform")


# ------------------------------------------------------------------ (a) in process
def bench_server(months: int, scenario: str, seat: str | None) -> None:
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ["SIXPARTY_SCENARIO"] = scenario
    os.environ["SIXPARTY_SEAT"] = seat or ""
    import solara
    from sixparty import app  # it imports Mesa's page code with Mesa's hook warning filtered
    from solara.server import kernel as skernel
    from solara.server import kernel_context

    force_update = (
        app.force_update
    )  # Mesa's (mesa.visualization.utils), as the Step button calls it

    kernel = skernel.Kernel()
    ctx = kernel_context.VirtualKernelContext(
        id="bench-dashboard", kernel=kernel, session_id="bench-session"
    )
    print(f"(a) server, in process: {scenario}, seat {seat or 'none'}, {months} months; {_load()}")
    with ctx:
        m = app.ClassroomModel(scenario=scenario, seat=seat or app.NO_SEAT)
        model = solara.reactive(m)
        t0, c0 = time.perf_counter(), time.process_time()
        _box, rc = solara.render(app.Dashboard(model), handle_error=False)
        print(
            f"  first render of the page            {time.perf_counter() - t0:7.3f} s wall, "
            f"{time.process_time() - c0:.3f} s CPU"
        )
        step_cpu, render_cpu, total_cpu, total_wall = [], [], [], []
        done = 0
        try:
            while done < months and m.running:
                _answer_prompts(m)
                before = len(m.timeline)
                w0, c0 = time.perf_counter(), time.process_time()
                m.step()
                c1 = time.process_time()
                force_update()
                w2, c2 = time.perf_counter(), time.process_time()
                if len(m.timeline) == before:  # a seat prompt stopped the month: answer it
                    continue
                done += 1
                step_cpu.append(c1 - c0)
                render_cpu.append(c2 - c1)
                total_cpu.append(c2 - c0)
                total_wall.append(w2 - w0)
        finally:
            rc.close()
            m.retire()
    print(_line("model step (CPU)", step_cpu))
    print(_line("page re-render (CPU)", render_cpu))
    print(_line("one month, step + render (CPU)", total_cpu))
    print(_line("one month, step + render (wall)", total_wall))
    print(f"  {_load()}")


# ------------------------------------------------------------------ (b) browser
def _chromium() -> str | None:
    env = os.environ.get("SIXPARTY_CHROMIUM")
    if env:
        return env
    for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(p).exists():
            return p
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid`` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_browser(months: int, scenario: str) -> None:
    from playwright.sync_api import sync_playwright
    from sixparty import dashboard

    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    print(f"(b) browser: {scenario}, {months} months, headless Chromium; {_load()}")
    t0 = time.perf_counter()
    proc = dashboard.start_in_background(dashboard.server_env(scenario, None), port, cwd=str(ROOT))
    try:
        if not dashboard.wait_until_up(url, proc, timeout=120):
            sys.exit("the dashboard server did not start")
        print(f"  server start                        {time.perf_counter() - t0:7.3f} s")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=_chromium(),
                args=["--headless", "--no-sandbox", "--disable-gpu"],
            )
            try:
                pg = browser.new_page(viewport={"width": 1500, "height": 1100})
                t0 = time.perf_counter()
                pg.goto(url)
                pg.wait_for_selector(".sp-timeline img", timeout=120_000)
                print(f"  page load (to the charts)           {time.perf_counter() - t0:7.3f} s")
                step = pg.get_by_role("button", name="Step", exact=True)
                screen, server_cpu = [], []
                for k in range(months + 1):
                    date = pg.locator(".sp-date").inner_text().strip()
                    src = pg.locator(".sp-timeline img").first.get_attribute("src")
                    c0 = _proc_cpu(proc.pid)
                    t0 = time.perf_counter()
                    step.click()
                    pg.wait_for_function(
                        """([d, s]) => {
                            const i = document.querySelector('.sp-timeline img');
                            return document.querySelector('.sp-date').innerText.trim() !== d
                                && i && i.src !== s && i.complete && i.naturalWidth > 0;
                        }""",
                        arg=[date, src],
                        timeout=60_000,
                    )
                    seconds = time.perf_counter() - t0
                    pg.wait_for_timeout(150)  # let the server finish the month's messages
                    if k:  # the first month is a warm-up
                        screen.append(seconds)
                        server_cpu.append(_proc_cpu(proc.pid) - c0)
            finally:
                browser.close()
    finally:
        dashboard.stop_background(proc)
    print(_line("Step click -> new month on screen", screen))
    print(_line("server CPU per month", server_cpu))
    print(f"  {_load()}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--months", type=int, default=40, help="months to step (default 40)")
    ap.add_argument("--scenario", default="historical")
    ap.add_argument("--seat", default=None, help="a party key: play with a seat (in process)")
    ap.add_argument("--browser", action="store_true", help="also measure in headless Chromium")
    ap.add_argument("--no-server", action="store_true", help="skip the in-process measurement")
    args = ap.parse_args(argv)
    if not args.no_server:
        bench_server(args.months, args.scenario, args.seat)
    if args.browser:
        bench_browser(args.months, args.scenario)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
