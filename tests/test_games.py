"""The server-side game registry (sixparty.games): ids, codes, seats, countdown, bounds."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from sixparty import games
from sixparty.games import (
    Game,
    GameRegistry,
    NotTeacher,
    RegistryFull,
    SeatError,
    Seats,
    WrongCode,
)


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


class MultiSeatModel:
    """The agreed seat interface on a toy model: a session every third month."""

    def __init__(self, n_months: int = 12) -> None:
        self.start = 0
        self.month = 0
        self.n_months = n_months
        self.timeline: list[dict] = []
        self.running = True
        self.seats: dict[str, SimpleNamespace] = {}
        self.awaiting: dict[str, dict] = {}
        self.given: set[str] = set()
        self.orders: list[tuple] = []
        self.released: list[str] = []
        self.retired = False

    def take_seat(self, party):
        self.seats.setdefault(party, SimpleNamespace(attend=None, respond=None))

    def leave_seat(self, party):
        self.seats.pop(party, None)
        self.awaiting.pop(party, None)

    def awaiting_for(self, party):
        return self.awaiting.get(party)

    def awaiting_parties(self):
        return list(self.awaiting)

    def session_preview(self, party):
        return SimpleNamespace(
            recommend_attend=True,
            recommend="amend",
            recommend_issue="sanctions_relief",
            amend_to=0.3,
        )

    def give_session_orders(self, party, attend, respond, issue, target):
        self.orders.append((party, attend, respond, issue, target))
        self.awaiting.pop(party, None)
        self.given.add(party)

    def give_implementation_order(self, party, value):
        self.orders.append((party, value))

    def release_to_agent(self, party):
        self.released.append(party)
        if self.awaiting.pop(party, None) is not None:
            self.given.add(party)

    def step(self):
        if self.month >= self.n_months:
            self.running = False
            return
        if self.month % 3 == 2 and self.seats:
            for p in self.seats:
                if p not in self.given and p not in self.awaiting:
                    self.awaiting[p] = {"kind": "session", "month": self.month}
            if self.awaiting:
                return
        self.timeline.append({"month": self.month})
        self.month += 1
        self.given.clear()


def _classroom(n_months=12, max_games=5):
    clock = FakeClock()
    reg = GameRegistry(max_games=max_games, idle_expiry_s=3600, clock=clock, retire=_retire)
    model = MultiSeatModel(n_months)
    game = reg.create(model, "classroom", countdown_s=30)
    return reg, game, model, clock


def _retire(m):
    m.retired = True


def test_ids_codes_and_keys_are_random_and_long():
    reg = GameRegistry()
    a, b = reg.create(object()), reg.create(object())
    assert a.id != b.id and len(a.id) >= 16 and len(b.id) >= 16
    c = reg.create(object(), "classroom")
    assert len(c.code) == games.CODE_LENGTH and set(c.code) <= set(games.CODE_ALPHABET)
    assert len(c.teacher_key) >= 16 and c.teacher_key != c.id
    assert a.code == "" and a.teacher_key == ""
    assert reg.get(a.id) is a and reg.get("nope") is None and reg.get(None) is None
    with pytest.raises(ValueError):
        reg.create(object(), game_id="short")


def test_every_team_action_without_the_right_code_is_refused():
    reg, game, model, clock = _classroom()
    with pytest.raises(WrongCode):
        game.join("WRONG1", "Team A")
    with pytest.raises(WrongCode):
        game.join("", "Team A")
    team = game.join(game.code.lower(), "Team A")  # typed in lower case: accepted
    for action in (
        lambda code: game.take_seat(code, team.token, "US"),
        lambda code: game.leave_seat(code, team.token),
        lambda code: game.session_orders(code, team.token, True, "accept"),
        lambda code: game.implementation_order(code, team.token, "perform"),
        lambda code: game.team(code, team.token),
    ):
        with pytest.raises(WrongCode):
            action("ZZZZZZ")
    assert team.party is None and model.seats == {} and model.orders == []
    # a right code with a token that is no team is refused too
    with pytest.raises(SeatError):
        game.take_seat(game.code, "not-a-token", "US")


def test_teacher_actions_need_the_code_and_the_teacher_key():
    reg, game, model, clock = _classroom()
    team = game.join(game.code, "Team A")
    for action in (game.request_step, game.end_countdown):
        with pytest.raises(NotTeacher):
            action(game.code, team.token)  # a team's token is not the teacher's key
        with pytest.raises(WrongCode):
            action("AAAAAA", game.teacher_key)
    with pytest.raises(NotTeacher):
        game.set_playing(game.code, "", True)
    with pytest.raises(NotTeacher):
        game.set_countdown(game.code, None, 20)
    assert not game.playing and game.pending_steps == 0 and game.countdown_s == 30
    game.set_countdown(game.code, game.teacher_key, 5)
    assert game.countdown_s == games.COUNTDOWN_RANGE_S[0]  # clipped


def test_too_many_wrong_codes_lock_the_game_for_a_minute():
    reg, game, model, clock = _classroom()
    for _ in range(games.MAX_CODE_FAILURES):
        with pytest.raises(WrongCode):
            game.join("BADBAD", "x")
    with pytest.raises(WrongCode, match="too many"):
        game.join(game.code, "x")  # even the right code, for now
    clock.t += games.CODE_FAILURE_WINDOW_S + 1
    assert game.join(game.code, "x").name == "x"


def test_wrong_codes_lock_out_newcomers_only_never_teams_in_the_game_or_the_teacher():
    reg, game, model, clock = _classroom()
    team = game.join(game.code, "A")
    for _ in range(games.MAX_CODE_FAILURES):
        with pytest.raises(WrongCode):
            game.join("BADBAD", "x")
    with pytest.raises(WrongCode, match="too many"):
        game.join(game.code, "newcomer")
    assert game.team(game.code, team.token) is team  # a reload of a team in the game
    game.take_seat(game.code, team.token, "DPRK")
    game.set_countdown(game.code, game.teacher_key, 20)  # the teacher's page
    assert game.countdown_s == 20
    with pytest.raises(WrongCode, match="wrong join code"):
        game.team("BADBAD", team.token)  # a token never stands in for the code
    with pytest.raises(WrongCode, match="too many"):
        game.team(game.code, "guessed-token")


def test_two_teams_with_one_name_are_told_apart():
    reg, game, model, clock = _classroom()
    names = [game.join(game.code, "Alpha").name for _ in range(3)]
    assert names == ["Alpha", "Alpha 2", "Alpha 3"]


def test_a_delegation_is_held_by_one_team():
    reg, game, model, clock = _classroom()
    a, b = game.join(game.code, "A"), game.join(game.code, "B")
    game.take_seat(game.code, a.token, "DPRK")
    with pytest.raises(SeatError, match="taken by A"):
        game.take_seat(game.code, b.token, "DPRK")
    game.take_seat(game.code, b.token, "US")
    assert set(model.seats) == {"DPRK", "US"} and "DPRK" not in game.free_parties()
    game.take_seat(game.code, a.token, "Japan")  # switching frees the old one
    assert set(model.seats) == {"Japan", "US"} and "DPRK" in game.free_parties()
    game.leave_seat(game.code, b.token)
    assert set(model.seats) == {"Japan"} and b.party is None
    with pytest.raises(SeatError):
        game.take_seat(game.code, a.token, "France")


def test_the_game_waits_for_the_seated_teams_then_plays():
    reg, game, model, clock = _classroom()
    a, b = game.join(game.code, "A"), game.join(game.code, "B")
    game.take_seat(game.code, a.token, "DPRK")
    game.take_seat(game.code, b.token, "US")
    with pytest.raises(SeatError, match="no session"):
        game.session_orders(game.code, a.token, True, "accept")
    assert [game.advance() for _ in range(2)] == ["stepped", "stepped"]
    assert game.advance() == "waiting" and game.seconds_left() == 30
    assert sorted(game.waiting_for()) == ["DPRK", "US"]
    with pytest.raises(SeatError):  # no seat changes while the teams decide
        game.take_seat(game.code, a.token, "China")
    game.session_orders(game.code, a.token, True, "amend", "sanctions_relief", 0.2)
    clock.t += 10
    assert game.advance() == "waiting" and game.waiting_for() == ["US"]
    game.session_orders(game.code, b.token, False, "accept")
    assert game.advance() == "stepped" and game.deadline is None
    assert [(m["party"], m["value"], m["by"]) for m in game.moves] == [
        ("DPRK", "amend sanctions_relief->0.20", "team"),
        ("US", "boycott", "team"),
    ]


def test_when_the_countdown_runs_out_the_agents_recommendation_is_played_and_recorded():
    reg, game, model, clock = _classroom()
    a = game.join(game.code, "A")
    game.take_seat(game.code, a.token, "DPRK")
    game.request_step(game.code, game.teacher_key)
    assert game.tick() == "stepped" and game.pending_steps == 0
    assert game.tick() is None  # nothing asked: nothing played
    game.set_playing(game.code, game.teacher_key, True)
    assert game.tick() == "stepped"
    clock.t += 1.0
    assert game.tick() == "waiting"
    clock.t += 29.0
    assert game.tick() == "waiting" and 0 < game.seconds_left() <= 1
    clock.t += 1.0
    assert game.tick() == "stepped"
    assert model.orders == [("DPRK", True, "amend", "sanctions_relief", None)]  # its own position
    (move,) = game.moves
    assert move["by"] == "agent" and move["team"] == "A" and move["value"].startswith("amend")
    game.set_playing(game.code, game.teacher_key, False)


def test_the_teacher_can_end_the_wait():
    reg, game, model, clock = _classroom()
    a = game.join(game.code, "A")
    game.take_seat(game.code, a.token, "ROK")
    game.advance(), game.advance()
    assert game.advance() == "waiting"
    game.end_countdown(game.code, game.teacher_key)
    assert game.advance() == "stepped" and game.moves[-1]["by"] == "agent"


def test_the_game_stops_at_the_window_end():
    reg, game, model, clock = _classroom(n_months=2)
    game.set_playing(game.code, game.teacher_key, True)
    results = []
    for _ in range(4):
        clock.t += 2
        results.append(game.tick())
    assert results[:2] == ["stepped", "stepped"] and "over" in results
    assert not game.playing and game.over()


def test_the_registry_is_bounded_and_drops_idle_games():
    clock = FakeClock()
    retired = []
    reg = GameRegistry(max_games=2, idle_expiry_s=600, clock=clock, retire=retired.append)
    a = reg.create("model-a")
    clock.t += 300
    b = reg.create("model-b")
    with pytest.raises(RegistryFull, match="--max-games"):
        reg.create("model-c")
    clock.t += 301  # a is idle 601 s, b 301 s
    c = reg.create("model-c")
    assert reg.get(a.id) is None and retired == ["model-a"]
    clock.t += 200
    assert reg.get(b.id) is b  # touched now (idle 501 s)
    clock.t += 450
    assert reg.get(c.id) is None and reg.get(b.id) is b and retired == ["model-a", "model-c"]
    with pytest.raises(ValueError):
        GameRegistry(max_games=0)
    with pytest.raises(ValueError):
        GameRegistry(idle_expiry_s=1)


def test_reset_replaces_the_model_and_retires_the_old_one():
    reg, game, model, clock = _classroom()
    game.moves.append({"x": 1})
    new = MultiSeatModel()
    game.replace_model(new, retire=_retire)
    assert game.model is new and model.retired and game.moves == []


def test_pages_wake_up_when_the_game_changes():
    reg, game, model, clock = _classroom()
    seen = game.version
    woke = []
    t = threading.Thread(target=lambda: woke.append(game.wait_change(seen, timeout=10)))
    t.start()
    game.join(game.code, "A")
    t.join(timeout=10)
    assert woke and woke[0] > seen
    assert game.wait_change(game.version, timeout=0.01) == game.version  # times out


def test_concurrent_joins_are_all_kept():
    reg, game, model, clock = _classroom()
    threads = [threading.Thread(target=game.join, args=(game.code, f"T{i}")) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(game.teams) == 10 and len({t.token for t in game.teams.values()}) == 10
    with pytest.raises(SeatError):
        for i in range(games.MAX_TEAMS):
            game.join(game.code, f"more{i}")


def test_a_one_seat_model_holds_one_team_and_the_agent_decides_on_time_out():
    model = SimpleNamespace(
        seat=None,
        awaiting=None,
        month=5,
        seat_orders=SimpleNamespace(attend=True, respond="reject", amend_issue=None, amend_to=None),
    )
    s = Seats(model)
    assert s.capacity == 1 and s.held() == []
    s.take("DPRK")
    with pytest.raises(SeatError):
        s.take("US")
    model.awaiting = {"kind": "session"}
    assert s.awaiting_parties() == ["DPRK"] and s.awaiting_for("US") is None
    assert s.agent_plays("DPRK") == "the agent's"
    assert model.awaiting is None and model._orders_month == 5
    assert model.seat_orders.attend is None and model.seat_orders.respond is None
    game = Game(id="x" * 16, kind="classroom", model=model, code="ABCDEF")
    a, b = game.join("ABCDEF", "A"), game.join("ABCDEF", "B")
    s.leave("DPRK")
    game.take_seat("ABCDEF", a.token, "US")
    assert game.free_parties() == []
    with pytest.raises(SeatError):
        game.take_seat("ABCDEF", b.token, "China")


def test_an_implementation_order_not_given_in_time_goes_back_to_the_model_s_agent():
    reg, game, model, clock = _classroom()
    model.take_seat("US")
    model.awaiting["US"] = {"kind": "implementation", "month": 2}
    s = Seats(model)
    assert s.agent_plays("US") == "implementation: the agent's"
    assert model.released == ["US"] and model.awaiting == {}  # through the public method


def test_play_waits_for_the_teachers_page_to_draw_the_month_before_last():
    reg, game, model, clock = _classroom(n_months=30)
    gap = 1.0 / game.months_per_second
    game.set_playing(game.code, game.teacher_key, True)
    assert game.tick() == "stepped"  # no page has confirmed yet: nothing to wait for
    game.painted(0)  # the teacher's page drew the game before the first month
    clock.t += gap
    assert game.tick() == "stepped"  # the page drew the state before month 1: month 2 may follow
    clock.t += gap
    assert game.tick() == "painting" and len(model.timeline) == 2  # month 1 not on screen
    game.painted(1)
    assert game.tick() == "stepped" and len(model.timeline) == 3
    clock.t += gap
    assert game.tick() == "painting"
    clock.t += games.PAINT_WAIT_S  # the page does not answer: not waited for any more
    assert game.tick() == "stepped"
    clock.t += gap
    assert game.tick() == "stepped" and not game.shown_live
    game.painted(4)  # it answers again: waited for again
    clock.t += gap
    assert game.tick() == "stepped" and len(model.timeline) == 6
    clock.t += gap
    assert game.tick() == "painting"
    game.request_step(game.code, game.teacher_key)  # the teacher's own Step is not held back
    assert game.tick() == "stepped"
    game.replace_model(MultiSeatModel(30), retire=_retire)  # a new model: nothing drawn yet
    assert game.shown == -1 and not game.shown_live
