"""``sixparty dashboard``: start the classroom dashboard (``sim.app``) in a local web server.

``cli_dashboard(args) -> int`` checks that the dashboard extra is installed
(solara, altair, ipyvuetify, networkx; else it says to install the
dashboard extra, ``pip install -e '.[dashboard]'`` from a clone or ``pip
install 'sixparty[dashboard]'``, and returns 2), resolves the scenario (a shipped name
or a file; errors are :class:`sim.loader.ScenarioError`, exit 2), checks the
port is free, then runs ``python -m solara run sixparty.app --host H --port P
--no-open --production`` with Solara's telemetry off and waits for it.  When
the server answers it prints the address to open (for ``--host 0.0.0.0`` or
``::``: the loopback address and this machine's network address, since a
browser cannot open 0.0.0.0).  Ctrl-C stops the server
(exit 0).  It binds to 127.0.0.1 unless ``--host`` says otherwise.

``--classroom`` starts a shared game instead (:mod:`sixparty.classroom_app`):
the command makes the game id, the join code and the teacher's key
(:class:`ClassroomSettings`), passes them to the server, and prints the
teacher's link (this machine), the URL the teams open and the code.  Only a
classroom game may bind beyond loopback (``--host 0.0.0.0``; it warns, with
the URL and the code); without ``--classroom`` such a ``--host`` is refused
(exit 2).  ``--countdown`` sets the seconds the teams have at a session;
``--max-games`` and ``--game-idle-hours`` bound the games the server keeps
(:mod:`sixparty.games`; each page's game survives a reload).

The scenario, seat and language (``--lang en|zh``, the page's language at
start; a switch on the page changes it) reach the app through the environment
variables ``SIXPARTY_SCENARIO``, ``SIXPARTY_SEAT`` and ``SIXPARTY_LANG``.  The page's scenario picker then
offers the shipped scenarios and, for a file, the scenario files of its folder,
and loads nothing else (:data:`sixparty.app.SCENARIO_FILES`): start it on a
file in a folder that holds only what the class may see.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from sixparty.games import COUNTDOWN_RANGE_S, DEFAULT_COUNTDOWN_S, MIN_IDLE_EXPIRY_S, new_code
from sixparty.loader import find_scenario, load_scenario
from sixparty.scenario import PARTIES

#: Modules the page needs (the ``dashboard`` extra).
REQUIRED = ("solara", "altair", "ipyvuetify", "networkx")
INSTALL_HINT = (
    "pip install -e '.[dashboard]' (in a clone of sixparty), or pip install 'sixparty[dashboard]'"
)
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


def is_wildcard(host: str) -> bool:
    """True for the all-addresses hosts (``0.0.0.0``, ``::``), which a browser cannot open."""
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


def _lan_address(ipv6: bool = False) -> str | None:
    """This machine's address on its default route (no packet is sent), or None."""
    family, probe = (socket.AF_INET6, "2001:db8::1") if ipv6 else (socket.AF_INET, "192.0.2.1")
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.connect((probe, 9))
            addr = s.getsockname()[0]
    except OSError:
        return None
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return None
    return None if ip.is_unspecified or ip.is_loopback else addr


def open_hint(host: str, port: int) -> str:
    """Where to point a browser: the URL for ``host``; for ``0.0.0.0``/``::`` this machine's addresses."""

    def url(h: str) -> str:
        return f"http://[{h}]:{port}/" if ":" in h else f"http://{h}:{port}/"

    if not is_wildcard(host):
        return f"open {url(host)}"
    local = "::1" if ":" in host else "127.0.0.1"
    lan = _lan_address(ipv6=":" in host)
    if lan is None:
        lan = socket.gethostname() or None
    text = f"open {url(local)} on this machine"
    if lan:
        text += f", or {url(lan)} from another computer on the network"
    return text


def server_command(host: str, port: int) -> list[str]:
    """The command that serves the page (module form, so an installed copy works).

    ``--no-check-version`` keeps Solara from asking PyPI for a newer release at
    start: a classroom may be offline, and the page needs nothing from outside.
    """
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        "sixparty.app",
        "--host",
        host,
        "--port",
        str(port),
        "--no-open",
        "--production",
        "--no-check-version",
    ]


def server_env(
    scenario: str,
    seat: str | None,
    lang: str = "en",
    *,
    classroom: ClassroomSettings | None = None,
    max_games: int | None = None,
    idle_s: float | None = None,
) -> dict[str, str]:
    """The server's environment: the page's settings (``SIXPARTY_*``), Solara's quiet.

    classroom: the shared game's id, code, teacher key, countdown and join URL
    (``SIXPARTY_CLASSROOM=1`` and the rest); None for the ordinary page.
    max_games, idle_s: bounds of the server's games (:mod:`sixparty.games`).
    """
    env = dict(os.environ)
    env["SIXPARTY_SCENARIO"] = scenario
    env["SIXPARTY_SEAT"] = seat or ""
    env["SIXPARTY_LANG"] = lang if lang in ("en", "zh") else "en"
    for key in (
        "SIXPARTY_CLASSROOM",
        "SIXPARTY_GAME_ID",
        "SIXPARTY_JOIN_CODE",
        "SIXPARTY_TEACHER_KEY",
        "SIXPARTY_COUNTDOWN_S",
        "SIXPARTY_JOIN_URL",
    ):
        env.pop(key, None)
    if classroom is not None:
        env["SIXPARTY_CLASSROOM"] = "1"
        env["SIXPARTY_SEAT"] = ""
        env["SIXPARTY_GAME_ID"] = classroom.game_id
        env["SIXPARTY_JOIN_CODE"] = classroom.code
        env["SIXPARTY_TEACHER_KEY"] = classroom.teacher_key
        env["SIXPARTY_COUNTDOWN_S"] = f"{classroom.countdown_s:g}"
        env["SIXPARTY_JOIN_URL"] = classroom.join_url
    if max_games is not None:
        env["SIXPARTY_MAX_GAMES"] = str(int(max_games))
    if idle_s is not None:
        env["SIXPARTY_GAME_IDLE_S"] = f"{float(idle_s):g}"
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    env.setdefault("MPLBACKEND", "Agg")
    # Solara warns about cookies over plain http on loopback: noise for a classroom.
    extra = "ignore:Cookies with samesite:UserWarning"
    env["PYTHONWARNINGS"] = (
        f"{env['PYTHONWARNINGS']},{extra}" if env.get("PYTHONWARNINGS") else extra
    )
    return env


@dataclass(frozen=True)
class ClassroomSettings:
    """A shared game's secrets and settings, made by the command and passed to the server."""

    game_id: str
    code: str
    teacher_key: str
    countdown_s: float
    join_url: str

    @classmethod
    def new(cls, join_url: str, countdown_s: float = DEFAULT_COUNTDOWN_S) -> ClassroomSettings:
        return cls(
            game_id=secrets.token_urlsafe(16),
            code=new_code(),
            teacher_key=secrets.token_urlsafe(24),
            countdown_s=float(countdown_s),
            join_url=join_url,
        )


def base_url(host: str, port: int) -> str:
    """The URL other devices open: for ``0.0.0.0``/``::``, this machine's network address."""
    if is_wildcard(host):
        lan = _lan_address(ipv6=":" in host) or socket.gethostname() or "127.0.0.1"
        host = lan
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def wait_until_up(
    url: str, proc: subprocess.Popen | None = None, timeout: float = START_TIMEOUT_S
) -> bool:
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


def start_in_background(
    env: dict[str, str],
    port: int,
    host: str = "127.0.0.1",
    *,
    log=None,
    cwd: str | None = None,
) -> subprocess.Popen:
    """The page's server (:func:`server_command` on ``host``:``port``, environment ``env``)
    as a background process in a process group of its own, for a program that drives a
    page (the browser tests, ``benchmarks/bench_dashboard.py``); stop it with
    :func:`stop_background`.  ``log``: an open file for its output (default: discarded).
    """
    return subprocess.Popen(
        server_command(host, port),
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL if log is None else log,
        stderr=subprocess.DEVNULL if log is None else subprocess.STDOUT,
        start_new_session=True,
    )


def stop_background(proc: subprocess.Popen, timeout: float = 15.0) -> None:
    """Stop a server of :func:`start_in_background`: SIGTERM to its process group, then
    SIGKILL if it has not exited within ``timeout`` seconds."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def cli_dashboard(args) -> int:
    """``sixparty dashboard [SCENARIO] [--port P] [--host H] [--seat PARTY] [--lang en|zh]``."""
    from sixparty.cli import CLIError

    missing = missing_modules()
    if missing:
        raise CLIError(
            f"'sixparty dashboard' needs {', '.join(missing)}, which "
            f"{'is' if len(missing) == 1 else 'are'} not installed; install the "
            f"dashboard extra: {INSTALL_HINT}"
        )
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
    if not 1 <= int(port) <= 65535:
        raise CLIError(f"--port: port must be 1-65535, got {port}")
    classroom = bool(getattr(args, "classroom", False))
    countdown = getattr(args, "countdown", None)
    max_games = getattr(args, "max_games", None)
    idle_hours = getattr(args, "game_idle_hours", None)
    if countdown is not None and not classroom:
        raise CLIError("--countdown is for a classroom game: add --classroom")
    if countdown is not None and not (COUNTDOWN_RANGE_S[0] <= countdown <= COUNTDOWN_RANGE_S[1]):
        lo, hi = COUNTDOWN_RANGE_S
        raise CLIError(f"--countdown: seconds must be {lo:g}-{hi:g}, got {countdown:g}")
    if max_games is not None and not 1 <= max_games <= 10_000:
        raise CLIError(f"--max-games: must be 1-10000, got {max_games}")
    if idle_hours is not None and not (MIN_IDLE_EXPIRY_S / 3600 <= idle_hours <= 24 * 30):
        raise CLIError(
            f"--game-idle-hours: must be {MIN_IDLE_EXPIRY_S / 3600:.2f}-720, got {idle_hours:g}"
        )
    if seat and classroom:
        raise CLIError("--seat is for one player; in a --classroom game the teams take the seats")
    if not is_loopback(host) and not classroom:
        raise CLIError(
            f"--host {host}: the dashboard listens beyond this machine only for a classroom "
            "game, which asks for a join code at every action: add --classroom (or leave "
            "--host out: 127.0.0.1)"
        )
    if not port_free(host, port):
        raise CLIError(
            f"port {port} on {host} is in use (or {host} is not an address of this "
            f"machine); choose another with --port"
        )
    url_host = f"[{host}]" if ":" in host else host
    print(
        f"Starting the {'classroom game' if classroom else 'dashboard'} for {scenario}"
        + (f", your seat: {seat}" if seat else "")
        + " ...",
        flush=True,
    )
    lang = getattr(args, "lang", None) or "en"
    settings = (
        ClassroomSettings.new(base_url(host, port), countdown or DEFAULT_COUNTDOWN_S)
        if classroom
        else None
    )
    env = server_env(
        name,
        seat,
        lang,
        classroom=settings,
        max_games=max_games,
        idle_s=None if idle_hours is None else idle_hours * 3600,
    )
    proc = subprocess.Popen(server_command(host, port), env=env)
    previous = _stop_on_sigterm()
    try:
        check_host = ("[::1]" if ":" in host else "127.0.0.1") if is_wildcard(host) else url_host
        hint = open_hint(host, port)
        if wait_until_up(f"http://{check_host}:{port}/", proc):
            if settings is not None:
                print(classroom_banner(settings, f"http://{check_host}:{port}/", host), flush=True)
            else:
                print(f"Dashboard running: {hint} in your browser (Ctrl-C stops it).", flush=True)
        elif proc.poll() is None:
            print(
                f"The server has not answered yet; in a moment, {hint} (Ctrl-C stops it).",
                flush=True,
            )
            if settings is not None:
                print(classroom_banner(settings, f"http://{check_host}:{port}/", host), flush=True)
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


def teacher_url(local_url: str, settings: ClassroomSettings) -> str:
    """The teacher's page on this machine (the key leaves the address bar once it opens)."""
    return f"{local_url}?teacher={settings.teacher_key}"


def classroom_banner(settings: ClassroomSettings, local_url: str, host: str) -> str:
    """What ``--classroom`` prints once the server answers: the pages, the code, the warning."""
    lines = [
        "Classroom game running (Ctrl-C stops it).",
        f"  Teacher (open on this machine, project it): {teacher_url(local_url, settings)}",
        f"  Teams open:  {settings.join_url}",
        f"  Join code:   {settings.code}",
    ]
    if is_loopback(host):
        lines.append(
            "  Only this machine can open it (127.0.0.1): for the teams' own devices, start "
            "with --host 0.0.0.0"
        )
    else:
        lines.append(
            f"sixparty: warning: serving on {host}: anyone on this network can open "
            f"{settings.join_url}; every action needs the join code {settings.code}, and time "
            "is controlled only from the teacher's link above: do not show that link"
        )
    return "\n".join(lines)


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


__all__ = [
    "ClassroomSettings",
    "DEFAULT_PORT",
    "INSTALL_HINT",
    "base_url",
    "classroom_banner",
    "cli_dashboard",
    "is_wildcard",
    "missing_modules",
    "open_hint",
    "port_free",
    "server_command",
    "server_env",
    "start_in_background",
    "stop_background",
    "teacher_url",
    "wait_until_up",
]
