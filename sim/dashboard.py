"""``sixparty dashboard``: start the classroom dashboard (``sim.app``) in a local web server.

``cli_dashboard(args) -> int`` checks that the dashboard extra is installed
(solara, altair, ipyvuetify, networkx; else it says ``pip install
'sixparty[dashboard]'`` and returns 2), resolves the scenario (a shipped name
or a file; errors are :class:`sim.loader.ScenarioError`, exit 2), checks the
port is free, then runs ``python -m solara run sim.app --host H --port P
--no-open --production`` with Solara's telemetry off and waits for it.  When
the server answers it prints the address to open.  Ctrl-C stops the server
(exit 0).  It binds to 127.0.0.1 unless ``--host`` says otherwise (and warns
then: anyone on the network could drive the page).

The scenario and seat reach the app through the environment variables
``SIXPARTY_SCENARIO`` and ``SIXPARTY_SEAT``.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from sim.loader import find_scenario, load_scenario
from sim.scenario import PARTIES

#: Modules the page needs (the ``dashboard`` extra).
REQUIRED = ("solara", "altair", "ipyvuetify", "networkx")
INSTALL_HINT = "pip install 'sixparty[dashboard]'"
DEFAULT_PORT = 8765
START_TIMEOUT_S = 90.0


def missing_modules() -> list[str]:
    """Names in :data:`REQUIRED` that cannot be imported."""
    return [m for m in REQUIRED if importlib.util.find_spec(m) is None]


def port_free(host: str, port: int) -> bool:
    """True if ``host:port`` can be bound now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def server_command(host: str, port: int) -> list[str]:
    """The command that serves the page (module form, so an installed copy works)."""
    return [sys.executable, "-m", "solara", "run", "sim.app", "--host", host, "--port", str(port),
            "--no-open", "--production"]


def server_env(scenario: str, seat: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env["SIXPARTY_SCENARIO"] = scenario
    env["SIXPARTY_SEAT"] = seat or ""
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    env.setdefault("MPLBACKEND", "Agg")
    # Solara warns about cookies over plain http on loopback: noise for a classroom.
    extra = "ignore:Cookies with samesite:UserWarning"
    env["PYTHONWARNINGS"] = f"{env['PYTHONWARNINGS']},{extra}" if env.get("PYTHONWARNINGS") else extra
    return env


def wait_until_up(url: str, proc: subprocess.Popen | None = None, timeout: float = START_TIMEOUT_S) -> bool:
    """Poll ``url`` until it answers (True) or ``proc`` exits / time runs out (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status < 500:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.3)
    return False


def cli_dashboard(args) -> int:
    """``sixparty dashboard [SCENARIO] [--port P] [--host H] [--seat PARTY]``."""
    from sim.cli import CLIError

    missing = missing_modules()
    if missing:
        raise CLIError(f"'sixparty dashboard' needs {', '.join(missing)}, which "
                       f"{'is' if len(missing) == 1 else 'are'} not installed; install the "
                       f"dashboard extra: {INSTALL_HINT}")
    scenario = getattr(args, "scenario", None) or "historical"
    path = find_scenario(scenario)
    load_scenario(path)  # a broken file fails here, with file/line/column, exit 2
    # A shipped name stays a name (the page lists it); a file is passed as a path.
    name = scenario if not os.path.isfile(scenario) else os.path.abspath(scenario)
    seat = getattr(args, "seat", None)
    if seat and seat not in PARTIES:
        raise CLIError(f"--seat: unknown party {seat!r}; expected one of {', '.join(PARTIES)}")
    host = getattr(args, "host", None) or "127.0.0.1"
    port = getattr(args, "port", None) or DEFAULT_PORT
    if not port_free(host, port):
        raise CLIError(f"port {port} on {host} is in use (or {host} is not an address of this "
                       f"machine); choose another with --port")
    if not is_loopback(host):
        print(f"sixparty: warning: serving on {host}: anyone who can reach this machine can "
              "open and drive the dashboard", file=sys.stderr)
    url_host = f"[{host}]" if ":" in host else host
    url = f"http://{url_host}:{port}/"
    print(f"Starting the dashboard for {scenario}"
          + (f", your seat: {seat}" if seat else "") + " ...", flush=True)
    proc = subprocess.Popen(server_command(host, port), env=server_env(name, seat))
    previous = _stop_on_sigterm()
    try:
        check_host = "127.0.0.1" if host in ("0.0.0.0", "::") else url_host
        if wait_until_up(f"http://{check_host}:{port}/", proc):
            print(f"Dashboard running: open {url} in your browser (Ctrl-C stops it).", flush=True)
        elif proc.poll() is None:
            print(f"The server has not answered yet; try {url} in a moment (Ctrl-C stops it).",
                  flush=True)
        code = proc.wait()
        if code != 0:
            print(f"sixparty: error: the dashboard server exited with code {code}", file=sys.stderr)
            return 2
        return 0
    except KeyboardInterrupt:
        print("Dashboard stopped.", file=sys.stderr)
        return 0
    finally:
        _stop(proc)
        signal.signal(signal.SIGTERM, previous)


def _stop_on_sigterm():
    """Turn SIGTERM into KeyboardInterrupt so the server is stopped too; returns the old handler."""
    def handler(signum, frame):
        raise KeyboardInterrupt
    return signal.signal(signal.SIGTERM, handler)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


__all__ = ["DEFAULT_PORT", "INSTALL_HINT", "cli_dashboard", "missing_modules", "port_free",
           "server_command", "server_env", "wait_until_up"]
