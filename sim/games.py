"""Games kept on the server: game id -> model, seats, moves, countdown.

The dashboard (:mod:`sixparty.app`, :mod:`sixparty.classroom_app`) keeps each
game here rather than in a browser session, so a page whose connection
dropped finds its game again from the id in its URL, and six teams on six
devices play one game.  Pure Python: no Solara, no I/O, no model import (a
game holds any model object; :class:`Seats` speaks to it by duck typing).

Two kinds of game:

* ``solo``: one page drives its own model (the ordinary dashboard); the
  registry only keeps it, so a reload finds it (``?game=ID`` in the URL).
* ``classroom``: a teacher and up to six teams share one model.  Every action
  carries the game's **join code** and is refused (:class:`WrongCode`)
  without it; the teacher's actions also carry the **teacher key**
  (:class:`NotTeacher`).  Each team that joins gets a **team token** (its seat
  survives a reload: ``?team=TOKEN``; the page keeps the code on the server,
  out of the address bar).  The agents play the delegations nobody holds.  Time: the teacher steps or plays (``months per
  second``); when a session is convened for a seated delegation, the game
  waits for the seated teams' moves until the **countdown** runs out, then
  the agent's recommendation is played for each team that has not moved, and
  the move is recorded as the agent's (:attr:`Game.moves`, ``by="agent"``).
  ▶ never runs ahead of the projector: once the teacher's page confirms the
  months it has drawn (:meth:`Game.painted`), the clock plays no month while
  the month before last is unconfirmed (at most :data:`PAINT_WAIT_S`).

Ids, tokens and keys are :func:`secrets.token_urlsafe` (unguessable); the
join code is :data:`CODE_LENGTH` characters of :data:`CODE_ALPHABET` (easy
to type from a projector).  After :data:`MAX_CODE_FAILURES` wrong codes in
:data:`CODE_FAILURE_WINDOW_S` a game refuses every code for that long, so
the code cannot be guessed by trying.

The registry is bounded (parameters of the dashboard, not of the model;
``sixparty dashboard --max-games N --game-idle-hours H``):

* ``max_games`` (default :data:`DEFAULT_MAX_GAMES`, 1..10,000): a new game
  beyond it is refused (:class:`RegistryFull`) after expired games are
  dropped; games are never evicted while fresh, so no class loses its game.
* ``idle_expiry_s`` (default :data:`DEFAULT_IDLE_EXPIRY_S`, 4 h; at least
  60 s): a game nobody touched (no page opened it, no step, no move) for
  that long is dropped and its model retired.  Four hours: a lesson is one
  or two hours (issue 12: "a 2-hour idle page" keeps its game).

Thread safety: the registry's table is guarded by one lock, each game by its
own re-entrant lock; pages wait for a game's changes with
:meth:`Game.wait_change` (a condition variable, no polling of the model).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sixparty.scenario import ISSUES, PARTIES

#: Most games the server keeps (a class of 30 with a few reloads each fits many times).
DEFAULT_MAX_GAMES = 200
#: A game untouched this long (seconds) is dropped: longer than a double lesson.
DEFAULT_IDLE_EXPIRY_S = 4 * 3600.0
#: Shortest idle expiry accepted (seconds): shorter would drop a game between two clicks.
MIN_IDLE_EXPIRY_S = 60.0
#: Seconds the teams have for their moves at a session, unless the teacher sets another.
DEFAULT_COUNTDOWN_S = 90.0
#: The countdown the teacher may set, in seconds (10 s .. 30 min).
COUNTDOWN_RANGE_S = (10.0, 1800.0)
#: Months per second while the teacher's ▶ plays (0.2 .. 5).
DEFAULT_MONTHS_PER_SECOND = 1.0
MONTHS_PER_SECOND_RANGE = (0.2, 5.0)
#: Longest wait, in seconds, for the teacher's page to confirm it has drawn the month
#: before last before ▶ plays the next (:meth:`Game.painted`); a page that does not
#: confirm in time (hidden, closed, far too slow) is not waited for again until it does.
#: The solo page's ▶ uses the same bound (:data:`sixparty.dashboard_controls.PAINT_WAIT_S`).
PAINT_WAIT_S = 2.0
#: The join code: letters and digits without the look-alikes (0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
#: Wrong codes a game accepts in :data:`CODE_FAILURE_WINDOW_S` before it refuses every code.
MAX_CODE_FAILURES = 20
CODE_FAILURE_WINDOW_S = 60.0
#: A team whose page has given no sign of life for this long (seconds) is shown as away
#: on the teacher's page (it closed the page, or lost the network); it keeps its
#: delegation and comes back by reopening its page.  An open team page reports every
#: :data:`TEAM_SEEN_EVERY_S` seconds, so two minutes is several missed reports.
TEAM_AWAY_S = 120.0
#: Seconds between two "still here" reports of an open team page (:meth:`Game.team_seen`).
TEAM_SEEN_EVERY_S = 15.0
#: Longest team name kept (characters).
MAX_TEAM_NAME = 40
#: Teams one classroom game admits (six delegations, and as many watching teams).
MAX_TEAMS = 12


class GameError(Exception):
    """A refused game action; ``str()`` is a sentence for the page."""


class UnknownGame(GameError):
    """No game under that id (never existed, or dropped after its idle expiry)."""


class RegistryFull(GameError):
    """The server already keeps ``max_games`` games."""


class WrongCode(GameError):
    """The join code is missing or wrong (or too many wrong codes were tried)."""


class NotTeacher(GameError):
    """A teacher's action without the teacher key."""


class SeatError(GameError):
    """A seat that cannot be taken or a move that is not due."""


_CLOCK = threading.local()


def on_game_clock() -> bool:
    """True in the registry's clock thread (:meth:`GameRegistry.start_clock`).

    A game belongs to no browser page: a month its clock computes must not wait for
    the page that happened to start the game (the web framework hands a new thread the
    page's context), or one dropped device would stop the game for every team.
    """
    return getattr(_CLOCK, "active", False)


def new_code(n: int = CODE_LENGTH) -> str:
    """A random join code: ``n`` characters of :data:`CODE_ALPHABET`."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(n))


def normalize_code(text: object) -> str:
    """What a student typed, as a code: upper case, spaces and dashes dropped."""
    return "".join(ch for ch in str(text or "").upper() if ch not in " -\t")


def _same(given: object, expected: str) -> bool:
    g = normalize_code(given).encode()
    return bool(expected) and hmac.compare_digest(g, expected.encode())


# ------------------------------------------------------------------ the model's seats
class Seats:
    """The model's seat interface, whichever the model provides.

    The agreed interface (``model.seats``, ``take_seat(party)``,
    ``leave_seat(party)``, ``awaiting_for(party)``, ``awaiting_parties()``,
    ``give_session_orders(party, attend, respond, issue, target)``,
    ``give_implementation_order(party, value)``, ``session_preview(party)``,
    ``release_to_agent(party)``) is used when the model has ``awaiting_parties``;
    a model with one seat (``model.seat``, ``model.awaiting``, ``give_session_orders(attend,
    respond, issue, target)``) is driven through the same calls and holds at
    most one human seat (:attr:`capacity` 1).
    """

    def __init__(self, model: Any) -> None:
        self.model = model
        self.multi = callable(getattr(model, "awaiting_parties", None))

    @property
    def capacity(self) -> int:
        return len(PARTIES) if self.multi else 1

    def held(self) -> list[str]:
        m = self.model
        if self.multi:
            return list(getattr(m, "seats", {}) or {})
        return [m.seat] if getattr(m, "seat", None) else []

    def take(self, party: str) -> None:
        m = self.model
        if self.multi:
            m.take_seat(party)
            return
        if getattr(m, "seat", None) not in (None, party):
            raise SeatError("this model holds one human seat; it is taken")
        m.seat = party

    def leave(self, party: str) -> None:
        m = self.model
        if self.multi:
            m.leave_seat(party)
        elif getattr(m, "seat", None) == party:
            m.seat = None
            m.awaiting = None

    def awaiting_for(self, party: str) -> dict | None:
        m = self.model
        if self.multi:
            return m.awaiting_for(party)
        return m.awaiting if getattr(m, "seat", None) == party else None

    def awaiting_parties(self) -> list[str]:
        m = self.model
        if self.multi:
            return list(m.awaiting_parties())
        return [m.seat] if getattr(m, "seat", None) and getattr(m, "awaiting", None) else []

    def preview(self, party: str):
        fn = getattr(self.model, "session_preview", None)
        if fn is None:
            return None
        try:
            return fn(party)
        except Exception:  # noqa: BLE001 - a preview is a help, never a reason to stop the game
            return None

    def session_orders(self, party, attend, respond, issue=None, target=None) -> None:
        m = self.model
        if self.multi:
            m.give_session_orders(party, attend, respond, issue, target)
        else:
            m.give_session_orders(attend, respond, issue, target)

    def implementation_order(self, party: str, value: str) -> None:
        m = self.model
        if self.multi:
            m.give_implementation_order(party, value)
        else:
            m.give_implementation_order(value)

    def agent_plays(self, party: str) -> str:
        """Play the agent's recommendation for ``party``'s pending move; returns what was played.

        Session: the briefing's recommendation (``awaiting_for(party)["briefing"]``
        or ``session_preview(party)``: attend or not; accept, amend on its
        issue toward its own position, or reject).  Without a briefing the
        delegation's own agent decides at the step.  Implementation: the
        team's standing order stays; with none, the agent decides.
        """
        aw = self.awaiting_for(party) or {}
        if aw.get("kind") == "implementation":
            self._clear_awaiting(party, session=False)
            return "implementation: the agent's"
        b = aw.get("briefing") or self.preview(party)
        if b is not None and hasattr(b, "recommend"):
            attend = bool(getattr(b, "recommend_attend", True))
            respond = getattr(b, "recommend", None)
            issue = getattr(b, "recommend_issue", None) if respond == "amend" else None
            if respond in ("accept", "reject") or (respond == "amend" and issue in ISSUES):
                # amend: toward the delegation's own position (target None), as the agent asks
                self.session_orders(party, attend, respond, issue, None)
                if not attend:
                    return "boycott"
                return respond if respond != "amend" else f"amend {issue}"
        self._clear_awaiting(party, session=True)
        return "the agent's"

    def _clear_awaiting(self, party: str, session: bool) -> None:
        """Nothing is awaited from ``party`` now; its agent decides what is left open.

        A model with several seats does it itself (``release_to_agent(party)``,
        :meth:`sixparty.app.ClassroomModel.release_to_agent`); a one-seat model
        has its orders cleared and its prompt dropped here.
        """
        m = self.model
        if self.multi:
            m.release_to_agent(party)
            return
        orders = getattr(m, "seat_orders", None) if getattr(m, "seat", None) == party else None
        if orders is not None and session:
            orders.attend = None
            orders.respond = None
            orders.amend_issue = None
            orders.amend_to = None
        if session and (getattr(m, "awaiting", None) or {}).get("kind") == "session":
            m._orders_month = m.month  # the month's orders are given: the agent's
        m.awaiting = None


# ------------------------------------------------------------------ a game
@dataclass
class Team:
    """A team that joined a classroom game: its secret token, its name, its delegation."""

    token: str
    name: str
    party: str | None = None
    #: The game clock's time of the last sign of the team's page (joining, a report).
    seen: float = 0.0


@dataclass
class Game:
    """One game: its model and, for a classroom, the teams, moves and clock.

    Attributes:
        id: the game id (URL-safe, unguessable).
        kind: ``solo`` | ``classroom``.
        model: the model (replaced by :meth:`replace_model` on Reset).
        code: the join code (classroom; empty for solo games).
        teacher_key: the teacher's secret (classroom).
        teams: token -> :class:`Team`.
        moves: every move of a seated delegation, in order: ``{month, party,
            team, kind (session|implementation), value, by (team|agent)}``;
            ``by="agent"`` when the countdown ran out.
        countdown_s: seconds the teams have at a session.
        deadline: the clock's time (``clock()``) when the current wait ends,
            or None when the game waits for nobody.
        playing, months_per_second, pending_steps: the teacher's ▶ and Step; in a
            solo game, the ▶ shared by every tab on it (:meth:`solo_play`).
        player: in a solo game, the token of the one page whose ▶ loop steps the
            model (:meth:`claim_play`), or None.
        shown: the most months a teacher's page confirmed it has drawn
            (:meth:`painted`; -1: none yet); shown_live: ▶ waits for those
            confirmations (True from the first, until one is late).
        version: bumped at every change (pages redraw when it moves).
    """

    id: str
    kind: str
    model: Any
    clock: Callable[[], float] = time.monotonic
    code: str = ""
    teacher_key: str = ""
    teams: dict[str, Team] = field(default_factory=dict)
    moves: list[dict] = field(default_factory=list)
    countdown_s: float = DEFAULT_COUNTDOWN_S
    deadline: float | None = None
    playing: bool = False
    months_per_second: float = DEFAULT_MONTHS_PER_SECOND
    pending_steps: int = 0
    next_due: float = 0.0
    shown: int = -1
    shown_live: bool = False
    stepped_at: float = 0.0
    version: int = 0
    touched: float = 0.0
    failures: list[float] = field(default_factory=list)
    message: str = ""
    #: Seconds without a sign of a team's page before it shows as away (:meth:`away`).
    team_away_s: float = TEAM_AWAY_S
    #: Makes the copy of the model that pages draw (:attr:`view`); None: they draw the model.
    snapshot: Callable[[Any], Any] | None = None
    player: Any = None

    def __post_init__(self) -> None:
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.touched = self.clock()
        self._view: Any = None

    @property
    def view(self) -> Any:
        """What pages draw: a copy of the model taken after the last month (with a
        :attr:`snapshot`), so a page never reads the model in the middle of a step."""
        return self.model if self.snapshot is None or self._view is None else self._view

    def refresh_view(self) -> None:
        with self.lock:
            if self.snapshot is not None:
                self._view = self.snapshot(self.model)

    # -------------------------------------------------------------- basics
    @property
    def seats(self) -> Seats:
        return Seats(self.model)

    def touch(self) -> None:
        self.touched = self.clock()

    def notify(self) -> None:
        """Bump :attr:`version` and wake the pages waiting in :meth:`wait_change`."""
        with self.changed:
            self.version += 1
            self.touched = self.clock()
            self.changed.notify_all()

    def wait_change(self, seen: int, timeout: float) -> int:
        """Block until :attr:`version` differs from ``seen`` or ``timeout`` s pass; the version."""
        with self.changed:
            if self.version == seen:
                self.changed.wait(timeout)
            return self.version

    def replace_model(self, model: Any, retire: Callable[[Any], None] | None = None) -> None:
        """A new model for this game (the page's Reset); the old one is passed to ``retire``."""
        with self.lock:
            old, self.model = self.model, model
            self.moves.clear()
            self.deadline = None
            self.playing = False
            self.pending_steps = 0
            self.shown, self.shown_live = -1, False
            self.refresh_view()
        if retire is not None and old is not model:
            retire(old)
        self.notify()

    # ------------------------------------------------- solo ▶ shared by tabs
    def solo_play(self, on: bool) -> None:
        """▶ (True) or ❚❚ (False) from any tab on a solo game; wakes the other tabs."""
        with self.lock:
            self.playing = bool(on)
        self.notify()

    def claim_play(self, token: object) -> bool:
        """True when the ▶ loop of the page ``token`` may step the model: the game plays
        and no other page's loop does (one loop per game, however many tabs pressed ▶)."""
        with self.lock:
            if not self.playing or self.player not in (None, token):
                return False
            self.player = token
            return True

    def keep_playing(self, token: object) -> bool:
        """Asked by the loop of ``token`` before each month: True while the game plays;
        False after a ❚❚ (from any tab), the loop then giving the game up (atomically, so
        a ▶ pressed meanwhile is either seen here or free to start its own loop)."""
        with self.lock:
            if self.playing and self.player is token:
                return True
            self.release_play(token)
            return False

    def release_play(self, token: object) -> None:
        """The loop of ``token`` stopped: another page's ▶ may start one."""
        with self.lock:
            if self.player is token:
                self.player = None

    # ------------------------------------------------------------ checks
    def check_code(self, code: object, trusted: bool = False) -> None:
        """Raise :class:`WrongCode` unless ``code`` is this game's join code.

        After :data:`MAX_CODE_FAILURES` wrong codes in a minute every code is refused,
        except for a ``trusted`` caller (one that already showed a team's token or the
        teacher's key, secrets no one can guess): guessing locks out newcomers only,
        never the teams in the game or the teacher.
        """
        now = self.clock()
        with self.lock:
            self.failures = [t for t in self.failures if now - t < CODE_FAILURE_WINDOW_S]
            if not trusted and len(self.failures) >= MAX_CODE_FAILURES:
                raise WrongCode("too many wrong codes were tried: wait a minute and try again")
            if not _same(code, self.code):
                self.failures.append(now)
                raise WrongCode("wrong join code: the code is on the teacher's screen")

    def check_teacher(self, code: object, key: object) -> None:
        """Raise unless ``code`` and the teacher ``key`` are both right."""
        is_teacher = bool(self.teacher_key) and hmac.compare_digest(
            str(key or ""), self.teacher_key
        )
        self.check_code(code, trusted=is_teacher)
        if not is_teacher:
            raise NotTeacher("only the teacher's page can do this")

    def _team(self, code: object, token: object) -> Team:
        team = self.teams.get(str(token or ""))
        self.check_code(code, trusted=team is not None)
        if team is None:
            raise SeatError("this team is not in the game: join again with the code")
        return team

    # ------------------------------------------------------------- teams
    def join(self, code: object, name: str) -> Team:
        """A new team (its token is its key to the game from now on)."""
        with self.lock:
            self.check_code(code)
            if len(self.teams) >= MAX_TEAMS:
                raise SeatError(f"this game has {MAX_TEAMS} teams already")
            name = (
                " ".join(str(name or "").split())[:MAX_TEAM_NAME] or f"Team {len(self.teams) + 1}"
            )
            taken = {t.name for t in self.teams.values()}
            base, n = name, 2
            while name in taken:  # two teams called "Alpha" become "Alpha" and "Alpha 2"
                name, n = f"{base} {n}", n + 1
            team = Team(token=secrets.token_urlsafe(16), name=name, seen=self.clock())
            self.teams[team.token] = team
        self.notify()
        return team

    def team(self, code: object, token: object) -> Team:
        """The team of ``token`` (the code checked), for a page that reconnects."""
        with self.lock:
            return self._team(code, token)

    def team_seen(self, token: object) -> None:
        """The page of the team of ``token`` is open (an unknown token: nothing)."""
        with self.lock:
            team = self.teams.get(str(token or ""))
            if team is not None:
                team.seen = self.clock()

    def away(self, team: Team) -> float | None:
        """Seconds since ``team``'s page last gave a sign of life, when that is longer
        than :attr:`team_away_s` (the team is away); None while it is here."""
        gone = self.clock() - team.seen
        return gone if gone > self.team_away_s else None

    def team_list(self) -> list[Team]:
        """The teams, in the order they joined (a copy: safe while others join)."""
        with self.lock:
            return list(self.teams.values())

    def holder(self, party: str) -> Team | None:
        """The team holding ``party``'s delegation, or None (the agent plays it)."""
        with self.lock:
            return next((t for t in self.teams.values() if t.party == party), None)

    def free_parties(self) -> list[str]:
        """Delegations no team holds, that a team may take now."""
        with self.lock:
            held = {t.party for t in self.teams.values() if t.party}
            if len(held) >= self.seats.capacity:
                return []
            return [p for p in PARTIES if p not in held]

    def take_seat(self, code: object, token: object, party: str) -> None:
        """The team takes ``party``'s delegation (leaving the one it held)."""
        with self.lock:
            team = self._team(code, token)
            if party not in PARTIES:
                raise SeatError(f"unknown delegation {party!r}")
            if team.party == party:
                return
            other = self.holder(party)
            if other is not None:
                raise SeatError(f"{party} is taken by {other.name}")
            if team.party is None and party not in self.free_parties():
                raise SeatError("no more seats can be taken in this game")
            if self.deadline is not None:
                raise SeatError("the teams are deciding a session: take a seat after it")
            if team.party is not None:
                self.seats.leave(team.party)
                team.party = None
            self.seats.take(party)
            team.party = party
        self.notify()

    def leave_seat(self, code: object, token: object) -> None:
        """The team gives its delegation back to the agent."""
        with self.lock:
            team = self._team(code, token)
            if team.party is not None:
                self.seats.leave(team.party)
                team.party = None
        self.notify()

    # ------------------------------------------------------------- moves
    def awaiting_for(self, party: str | None) -> dict | None:
        if not party:
            return None
        with self.lock:
            return self.seats.awaiting_for(party)

    def waiting_for(self) -> list[str]:
        """Delegations held by teams whose move the game waits for."""
        with self.lock:
            return [p for p in self.seats.awaiting_parties() if self.holder(p) is not None]

    def _record(self, team: Team | None, party: str, kind: str, value: str, by: str) -> None:
        self.moves.append(
            {
                "month": _month(self.model),
                "party": party,
                "team": team.name if team else "",
                "kind": kind,
                "value": value,
                "by": by,
            }
        )

    def session_orders(
        self,
        code: object,
        token: object,
        attend: bool,
        respond: str,
        issue: str | None = None,
        target: float | None = None,
    ) -> None:
        """The team's move for the session ahead (refused unless one is due)."""
        if respond not in ("accept", "amend", "reject"):
            raise SeatError(f"respond must be accept, amend or reject, not {respond!r}")
        if attend and respond == "amend" and issue not in ISSUES:
            raise SeatError("an amendment needs an issue")
        with self.lock:
            team = self._team(code, token)
            aw = self.seats.awaiting_for(team.party) if team.party else None
            if not aw or aw.get("kind") != "session":
                raise SeatError("no session is waiting for your move")
            target = None if target is None else min(1.0, max(0.0, float(target)))
            self.seats.session_orders(team.party, bool(attend), respond, issue, target)
            if not attend:
                value = "boycott"
            elif respond != "amend":
                value = respond
            else:
                value = f"amend {issue}" + (f"->{target:.2f}" if target is not None else "")
            self._record(team, team.party, "session", value, "team")
        self.notify()

    def implementation_order(self, code: object, token: object, value: str) -> None:
        """``perform`` | ``slow`` | ``suspend``: the team's standing order for its steps."""
        if value not in ("perform", "slow", "suspend"):
            raise SeatError(f"order must be perform, slow or suspend, not {value!r}")
        with self.lock:
            team = self._team(code, token)
            if not team.party:
                raise SeatError("take a delegation first")
            self.seats.implementation_order(team.party, value)
            self._record(team, team.party, "implementation", value, "team")
        self.notify()

    # ------------------------------------------------------------- time
    def set_countdown(self, code: object, key: object, seconds: float) -> None:
        """The teacher sets the countdown (clipped to :data:`COUNTDOWN_RANGE_S`)."""
        lo, hi = COUNTDOWN_RANGE_S
        with self.lock:
            self.check_teacher(code, key)
            self.countdown_s = min(hi, max(lo, float(seconds)))
        self.notify()

    def set_speed(self, code: object, key: object, months_per_second: float) -> None:
        lo, hi = MONTHS_PER_SECOND_RANGE
        with self.lock:
            self.check_teacher(code, key)
            self.months_per_second = min(hi, max(lo, float(months_per_second)))
        self.notify()

    def request_step(self, code: object, key: object) -> None:
        """The teacher's Step: one month as soon as nobody is waited for."""
        with self.lock:
            self.check_teacher(code, key)
            if not self.over():
                self.pending_steps = 1
        self.notify()

    def set_playing(self, code: object, key: object, playing: bool) -> None:
        """The teacher's ▶ / ❚❚."""
        with self.lock:
            self.check_teacher(code, key)
            self.playing = bool(playing) and not self.over()
            self.next_due = self.clock()
        self.notify()

    def end_countdown(self, code: object, key: object) -> None:
        """The teacher ends the wait now (the agents play for the teams that have not moved)."""
        with self.lock:
            self.check_teacher(code, key)
            if self.deadline is not None:
                self.deadline = self.clock()
        self.notify()

    def over(self) -> bool:
        m = self.model
        return not getattr(m, "running", True) or _months_done(m) >= getattr(m, "n_months", 1 << 30)

    def seconds_left(self) -> float | None:
        """Seconds until the countdown ends, or None when the game waits for nobody."""
        with self.lock:
            return None if self.deadline is None else max(0.0, self.deadline - self.clock())

    def advance(self) -> str:
        """Try to play one month: ``stepped``, ``waiting`` (the teams' moves), or ``over``.

        With a session ahead for seated teams, the first call starts the
        countdown; once every such team has moved, or the countdown has run
        out (the agent's recommendation is played for the others and
        recorded ``by="agent"``), the month is played.
        """
        with self.lock:
            if self.over():
                self.playing = False
                self.pending_steps = 0
                self.deadline = None
                return "over"
            now = self.clock()
            waiting = self.waiting_for()
            if waiting:
                if self.deadline is None:
                    self.deadline = now + self.countdown_s
                    self.notify()
                    return "waiting"
                if now < self.deadline:
                    return "waiting"
                for party in waiting:
                    kind = (self.seats.awaiting_for(party) or {}).get("kind", "session")
                    value = self.seats.agent_plays(party)
                    self._record(self.holder(party), party, kind, value, "agent")
            self.deadline = None
            before = _months_done(self.model)
            self.model.step()
            if _months_done(self.model) > before:
                self.refresh_view()
                self.notify()
                return "stepped"
            if self.waiting_for():
                self.deadline = now + self.countdown_s
                self.notify()
                return "waiting"
            # A seat nobody holds is waited for by the model: give it to the agent.
            for party in self.seats.awaiting_parties():
                self.seats.agent_plays(party)
            self.notify()
            return "waiting"

    def painted(self, months: int) -> None:
        """A teacher's page confirms it has drawn the game after ``months`` months.

        From the first confirmation on, ▶ waits for them (:meth:`tick`); with
        several teacher's pages the furthest confirmation counts.
        """
        with self.lock:
            self.shown = max(self.shown, int(months))
            self.shown_live = True

    def _painting(self, now: float) -> bool:
        """True while ▶ waits for the teacher's page to draw the month before last."""
        if not self.shown_live or self.shown >= _months_done(self.model) - 1:
            return False
        if now - self.stepped_at < PAINT_WAIT_S:
            return True
        self.shown_live = False  # a page that does not answer is not waited for again
        return False

    def tick(self) -> str | None:
        """The clock's beat: play a month if the teacher asked for one and it is due.

        Returns None (nothing due), ``painting`` (▶ waits for the teacher's
        page to draw, see :meth:`painted`) or what :meth:`advance` returned.
        """
        with self.lock:
            now = self.clock()
            due = self.pending_steps > 0 or (self.playing and now >= self.next_due)
            if not due and self.deadline is None:
                return None
            if self.deadline is not None and now < self.deadline and self.waiting_for():
                return "waiting"
            if self.pending_steps == 0 and self._painting(now):
                return "painting"
            result = self.advance()
            if result == "stepped":
                self.stepped_at = now
                self.pending_steps = max(0, self.pending_steps - 1)
                self.next_due = now + 1.0 / self.months_per_second
            elif result == "over":
                self.notify()
            return result


def _months_done(model: Any) -> int:
    return len(getattr(model, "timeline", ()) or ())


def _month(model: Any) -> str:
    from sixparty.scenario import month_label

    month = getattr(model, "month", None)
    return month_label(month) if isinstance(month, int) else ""


# ------------------------------------------------------------------ the registry
class GameRegistry:
    """Thread-safe table of games, bounded in number and in idle time.

    Args:
        max_games: most games kept (1..10,000).
        idle_expiry_s: seconds after which an untouched game is dropped
            (>= :data:`MIN_IDLE_EXPIRY_S`).
        retire: called with a dropped game's model (the dashboard passes
            ``ClassroomModel.retire``'s caller); None does nothing.
        clock: seconds, monotonic (tests pass a fake clock).

    Raises:
        ValueError: a bound out of its range.
    """

    def __init__(
        self,
        max_games: int = DEFAULT_MAX_GAMES,
        idle_expiry_s: float = DEFAULT_IDLE_EXPIRY_S,
        retire: Callable[[Any], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 1 <= int(max_games) <= 10_000:
            raise ValueError(f"max_games must be 1..10000, got {max_games}")
        if not float(idle_expiry_s) >= MIN_IDLE_EXPIRY_S:
            raise ValueError(f"idle expiry must be >= {MIN_IDLE_EXPIRY_S:g} s, got {idle_expiry_s}")
        self.max_games = int(max_games)
        self.idle_expiry_s = float(idle_expiry_s)
        self.retire = retire
        self.clock = clock
        self._games: dict[str, Game] = {}
        self._lock = threading.Lock()
        self._clock_thread: threading.Thread | None = None
        self._stop = threading.Event()

    def __len__(self) -> int:
        with self._lock:
            return len(self._games)

    def _drop(self, games: list[Game]) -> None:
        for g in games:
            if self.retire is not None:
                try:
                    self.retire(g.model)
                except Exception:  # noqa: BLE001 - one model's clean-up never stops the others
                    pass

    def sweep(self) -> list[str]:
        """Drop the games idle longer than the expiry; their ids."""
        now = self.clock()
        with self._lock:
            old = [g for g in self._games.values() if now - g.touched > self.idle_expiry_s]
            for g in old:
                del self._games[g.id]
        self._drop(old)
        return [g.id for g in old]

    def create(
        self,
        model: Any,
        kind: str = "solo",
        *,
        game_id: str | None = None,
        code: str | None = None,
        teacher_key: str | None = None,
        countdown_s: float = DEFAULT_COUNTDOWN_S,
    ) -> Game:
        """Keep ``model`` as a new game and return it.

        kind ``classroom`` gets a join code and a teacher key (new random ones
        unless given, e.g. by the command that started the server).

        Raises:
            RegistryFull: ``max_games`` games are kept, none expired.
            ValueError: an unknown kind, or a given id / code / key too short to be secret.
        """
        if kind not in ("solo", "classroom"):
            raise ValueError(f"kind must be solo or classroom, not {kind!r}")
        gid = game_id or secrets.token_urlsafe(16)
        if len(gid) < 16:
            raise ValueError("a game id must have at least 16 characters")
        if kind == "classroom":
            code = normalize_code(code) if code else new_code()
            teacher_key = teacher_key or secrets.token_urlsafe(16)
            if len(code) < CODE_LENGTH or len(teacher_key) < 16:
                raise ValueError("the join code or teacher key is too short")
        self.sweep()
        with self._lock:
            if gid in self._games:
                raise ValueError("a game with this id exists")
            if len(self._games) >= self.max_games:
                raise RegistryFull(
                    f"this server keeps {self.max_games} games already (sixparty dashboard "
                    "--max-games); games idle for "
                    f"{self.idle_expiry_s / 3600:g} h are dropped"
                )
            lo, hi = COUNTDOWN_RANGE_S
            game = Game(
                id=gid,
                kind=kind,
                model=model,
                clock=self.clock,
                code=code or "",
                teacher_key=teacher_key or "",
                countdown_s=min(hi, max(lo, float(countdown_s))),
            )
            self._games[gid] = game
        return game

    def get(self, game_id: object) -> Game | None:
        """The game ``game_id`` (touched), or None: unknown, or dropped after its idle expiry."""
        if not isinstance(game_id, str) or not game_id:
            return None
        self.sweep()
        with self._lock:
            game = self._games.get(game_id)
        if game is not None:
            game.touch()
        return game

    def remove(self, game_id: str) -> None:
        with self._lock:
            game = self._games.pop(game_id, None)
        if game is not None:
            self._drop([game])

    def games(self) -> list[Game]:
        with self._lock:
            return list(self._games.values())

    # ------------------------------------------------------------- clock
    def tick_all(self) -> None:
        """One beat of every classroom game's clock (see :meth:`Game.tick`)."""
        for g in self.games():
            if g.kind == "classroom":
                try:
                    g.tick()
                except Exception as exc:  # noqa: BLE001 - one game's fault stops that game only
                    with g.lock:
                        g.playing = False
                        g.pending_steps = 0
                        g.message = f"the game stopped: {type(exc).__name__}: {exc}"
                    g.notify()

    def start_clock(self, interval_s: float = 0.2) -> None:
        """Run :meth:`tick_all` every ``interval_s`` seconds in a daemon thread (once)."""
        with self._lock:
            if self._clock_thread is not None:
                return
            self._stop.clear()

            def loop() -> None:
                _CLOCK.active = True  # steps from here wait for no page (see on_game_clock)
                while not self._stop.wait(interval_s):
                    self.tick_all()

            self._clock_thread = threading.Thread(target=loop, name="sixparty-games", daemon=True)
            self._clock_thread.start()

    def stop_clock(self) -> None:
        with self._lock:
            thread, self._clock_thread = self._clock_thread, None
        self._stop.set()
        if thread is not None:
            thread.join(timeout=5)


__all__ = [
    "on_game_clock",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "COUNTDOWN_RANGE_S",
    "DEFAULT_COUNTDOWN_S",
    "DEFAULT_IDLE_EXPIRY_S",
    "DEFAULT_MAX_GAMES",
    "Game",
    "GameError",
    "GameRegistry",
    "NotTeacher",
    "PAINT_WAIT_S",
    "RegistryFull",
    "SeatError",
    "Seats",
    "Team",
    "UnknownGame",
    "WrongCode",
    "new_code",
    "normalize_code",
]
