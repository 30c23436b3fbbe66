"""TalksModel: six parties bargain in rounds under "action for action".

One model instance steps R replicates of a scenario in lockstep (state
arrays with a leading replicate axis; a single run is R = 1).  One step is
one month of the scenario's window.  Each month, in this order:

1. exogenous events of the month apply their typed effects;
2. stated positions dated this month re-anchor the parties (anchoring mode);
3. each party's ``step()`` in the fixed order DPRK, US, China, ROK, Japan,
   Russia (drift toward the anchor, class-specific moves; the DPRK may test);
4. the action-for-action ledger advances (performance, trust, suspension);
5. the DPRK's stance is updated (participating / suspended / walked out);
6. the chair resumes a recessed round, or sounds out the parties and invites;
   each party decides to attend; if all six attend, a session bargains;
7. the month is recorded.

The model reads a :class:`sixparty.scenario.Scenario` and nothing else: no file
I/O, and never the historical record.  Randomness comes only from one
generator per replicate (``self.rngs[r] = numpy.random.default_rng(seed_r)``;
replicate 0's is Mesa's ``self.rng``), drawn in a fixed order, so a
replicate's run does not depend on the others in its batch.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sixparty._mesa_compat import mesa, release_model
from sixparty.bargaining import (
    CAPITULATION,
    COMPROMISE,
    CONFLICT,
    BargainingParameters,
    BargainingState,
    bargaining_round,
    weighted_median,
    zeuthen_concedes,
)
from sixparty.parties import (
    ACCEPT,
    AID_PROVIDERS,
    ALL,
    AMEND,
    CHINA_I,
    DPRK,
    DPRK_I,
    PARTICIPATING,
    PARTY_CLASSES,
    REJECT,
    RUSSIA_I,
    STANCE_DECISIONS,
    STANCES,
    SUSPENDED,
    US_I,
    VER,
    VERDICTS,
    WALKED_OUT,
    Party,
    row_sum,
    text_distance,
)
from sixparty.protocol import Ledger
from sixparty.reasons import Clause, clause
from sixparty.replicates import ReplicateParameters, check_variants
from sixparty.scenario import (
    FACILITY_STATES,
    ISSUES,
    PARTIES,
    Scenario,
    month_index,
    month_label,
)
from sixparty.seat import (
    Due,
    ImplementationBriefing,
    SeatBriefing,
    attend_reason,
    best_amendment,
    respond_reason,
    split_dues,
)

DOC_LEVELS = ("none", "oral_summary", "chairmans_statement", "joint_statement", "joint_document")
DOC_RANK = {d: i for i, d in enumerate(DOC_LEVELS)}


@dataclass
class SeatOrders:
    """Standing orders of a human-played delegation (classroom "take a seat").

    attend: True / False, or None to let the agent decide.
    respond: ``accept`` | ``amend`` | ``reject``, or None for the agent.
    amend_issue / amend_to: with ``amend``, the issue and the position in
    [0, 1] the delegation asks the text to move toward.
    implementation: ``perform`` | ``slow`` | ``suspend`` its due steps, or None.
    """

    attend: bool | None = None
    respond: str | None = None
    amend_issue: str | None = None
    amend_to: float | None = None
    implementation: str | None = None


@dataclass
class Session:
    """One session (a phase of a round) as the model saw it.

    month: month index; attended: party keys; declined: party keys that
    boycotted; iterations: drafts considered; ending: ``converged`` (all
    six accept, or no party moves further than ``concession_tolerance``) or
    ``deadlock`` (the chair's patience ran out), empty if not held; document: one of
    :data:`DOC_LEVELS`; recess: the round continues later; drafts: (n, n_issues)
    texts the chair considered; text: the final text (n_issues,); utilities: (6,)
    each party's utility of the final text; reasons: the notes of the
    session, :class:`~sixparty.reasons.Clause` records (``sessions.csv``
    ``notes`` is their English text, ``note_codes``/``note_values`` the records).
    """

    session_id: int
    round: int
    phase: int
    month: int
    invited_by: str
    attended: list[str] = field(default_factory=list)
    declined: list[str] = field(default_factory=list)
    held: bool = False
    iterations: int = 0
    ending: str = ""
    target: str = "none"
    document: str = "none"
    recess: bool = False
    direct_contact: bool = False
    common_ground: int = 0
    drafts: list[np.ndarray] = field(default_factory=list)
    text: np.ndarray | None = None
    utilities: np.ndarray | None = None
    draft_utilities: np.ndarray | None = None
    conflicts: int = 0
    compromises: int = 0
    capitulations: int = 0
    adopted_phase: str | None = None
    #: a joint document that reopened the (stalled) phase in force
    renegotiated: bool = False
    reasons: list[Clause] = field(default_factory=list)


class _PreviewDone(Exception):
    """Stops a look-ahead copy once the briefings are taken."""


class TimelineRows(Sequence):
    """One replicate's ``timeline.csv`` rows (dicts), built on demand from
    the model's monthly arrays and kept once built (a month's row never
    changes).  A read-only sequence: ``len``, indexing, slicing, iteration."""

    def __init__(self, model: TalksModel, rep: int) -> None:
        self._model = model
        self._rep = rep
        self._rows: list[dict] = []

    def __len__(self) -> int:
        return self._model._recorded

    def _build(self, n: int) -> None:
        if len(self._rows) < n:
            self._rows.extend(self._model._timeline_rows(self._rep, len(self._rows), n))

    def __getitem__(self, i):
        n = len(self)
        self._build(n if isinstance(i, slice) or i < 0 else min(n, i + 1))
        return self._rows[:n][i]

    def __iter__(self):
        n = len(self)
        self._build(n)
        return iter(self._rows[:n])

    @property
    def keys(self) -> tuple[str, ...]:
        """The columns of a row, in order (``timeline.csv``'s header)."""
        return self._model._tl_keys

    def columns(self, names) -> dict[str, list]:
        """The columns ``names`` (those a row has, in ``names``' order) of every month
        recorded: name -> one plain Python value a month, the values the rows hold,
        read from the model's arrays without building the rows."""
        n = len(self)
        if len(self._rows) >= n:
            return {c: [row[c] for row in self._rows[:n]] for c in names if c in self.keys}
        cols = dict(zip(self.keys, self._model._timeline_columns(self._rep, 0, n), strict=True))
        return {c: cols[c] for c in names if c in cols}

    def __eq__(self, other) -> bool:
        if isinstance(other, (list, tuple, TimelineRows)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # mutable, like a list

    def __repr__(self) -> str:
        return f"TimelineRows({len(self)} months)"


@dataclass
class ReplicateRecord:
    """What one replicate produced, as the run's files report it.

    sessions: every invitation (held or boycotted), in order; decisions:
    ``(month, party, what, why, cause)``, ``why`` a tuple of
    :class:`~sixparty.reasons.Clause` records; tests: ``(month, kind)``;
    timeline: one row a month (the columns of ``timeline.csv``,
    :class:`TimelineRows`); ledger: its action-for-action
    :class:`~sixparty.protocol.Ledger`; facilities: facility -> state
    (:data:`FACILITY_STATES`); events: this month's notes; event_log: the
    notes of every month recorded, joined by ``;``.
    """

    ledger: Ledger
    facilities: dict[str, str]
    timeline: TimelineRows
    sessions: list[Session] = field(default_factory=list)
    decisions: list[tuple[int, str, str, tuple[Clause, ...], str]] = field(default_factory=list)
    tests: list[tuple[int, str]] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    event_log: list[str] = field(default_factory=list)


#: Implementation status of a month, as codes in the model's timeline arrays.
IMPLEMENTATION_STATUSES = ("none", "complete", "active", "suspended", "slowed")
_IMPL_CODE = {k: i for i, k in enumerate(IMPLEMENTATION_STATUSES)}
#: The float columns of a timeline row before the per-provider aid, in order.
_TIMELINE_FLOATS = (
    "progress",
    "aid_pledged_t",
    "aid_delivered_t",
    "sanctions",
    "mean_trust",
    "trust_dprk_us",
    "trust_us_dprk",
)


#: The state columns of a timeline row, after the facility columns: what the DPRK's
#: stance and test decisions compare (:meth:`~sixparty.parties.DPRK.next_stance`,
#: :meth:`~sixparty.parties.DPRK.choose_test`), and what drives them, at the end of
#: the month.
TIMELINE_STATE = (
    "dprk_readiness",
    "dprk_outside_option",
    "dprk_talks_value",
    "dprk_pressure",
    "grievance",
    "china_shuttle_credit",
)


def reanchored_text(items) -> str:
    """A month's re-anchorings as ``timeline.csv`` ``reanchored`` shows them: compact
    JSON, a list of ``{"party", "issue", "from", "to"}`` (the position before and the
    stated value, rounded to the two decimals the narration shows), in the order the
    statements were applied; ``""`` for none.  An entry whose move rounds to nothing
    at that precision (``from`` == ``to`` as recorded) is left out.  items: ``(party
    key, issue key, from, to)`` tuples."""
    out = [
        # what json.dumps(..., separators=(",", ":")) writes for the entry: the keys
        # are plain ASCII names, the (finite) floats their repr
        f'{{"party":"{p}","issue":"{k}","from":{a2!r},"to":{b2!r}}}'
        for p, k, a, b in items
        if (a2 := float(f"{a:.2f}")) != (b2 := float(f"{b:.2f}"))
    ]
    return "[" + ",".join(out) + "]" if out else ""


#: Seeds are whole numbers in 0 .. 2**63 - 1 (the range the command line and
#: the ensembles' derived seeds use).
SEED_MAX = 2**63 - 1


def check_seed(seed) -> int:
    """``seed`` as an int, checked: a whole number (an int or a numpy integer,
    not a bool, float or text) in 0 .. :data:`SEED_MAX`.

    Raises:
        TypeError: not a whole number.
        ValueError: outside the range.
    """
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed {seed!r} is not a whole number (expected an int in 0..2**63-1)")
    seed = int(seed)
    if not 0 <= seed <= SEED_MAX:
        raise ValueError(f"seed {seed} is outside 0..2**63-1")
    return seed


#: Talks status of a month, as codes in the model's ``status`` array.
TALKS_STATUSES = ("no_talks", "in_session", "boycott", "walked_out", "suspended", "recess")
_NO_TALKS, _IN_SESSION, _BOYCOTT, _WALKED, _SUSP, _RECESS = range(6)
_SLACK_LEVELS = ("joint_document", "joint_statement", "chairmans_statement")


def _initial_rows(scenario: Scenario) -> tuple[np.ndarray, ...]:
    """One replicate's initial judgement inputs from its scenario: positions and
    saliences (6, n_issues), capability, resolve and domestic constraint (6,), and trust
    (6, 6) (``parameters.default_trust`` where the scenario gives none, 1 on the
    diagonal)."""
    pos = np.zeros((6, len(ISSUES)))
    sal = np.zeros((6, len(ISSUES)))
    cap, resolve, domestic = np.zeros(6), np.zeros(6), np.zeros(6)
    trust = np.full((6, 6), scenario.parameters.default_trust)
    for i, (_key, cfg) in enumerate(scenario.parties.items()):
        for k, issue in enumerate(ISSUES):
            pos[i, k] = cfg.initial[issue].position
            sal[i, k] = cfg.initial[issue].salience
        cap[i] = cfg.capability.value
        resolve[i] = cfg.resolve.value
        domestic[i] = cfg.domestic_constraint.value
        for other, t in cfg.trust.items():
            trust[i, PARTIES.index(other)] = t
    np.fill_diagonal(trust, 1.0)
    return pos, sal, cap, resolve, domestic, trust


class TalksModel(mesa.Model):
    """The Six-Party Talks on a monthly clock, R replicates in lockstep.

    One instance advances R replicates of the same scenario, each with its
    own seed: state arrays carry a leading replicate axis, every decision of
    the six party classes is taken on arrays (a session convened in some
    replicates and not in others, a walk-out in some), and each replicate
    draws from its own generator ``numpy.random.default_rng(seed_r)`` in a
    fixed order, so replicate r's run depends only on its seed: the same as
    a run of that seed alone (R = 1), whatever the batch (tested bit for
    bit).  A single run is R = 1 through the same code.

    ``PREVIEW_SHARED``: names of attributes a subclass keeps that are not
    model state (logs, locks, references to pages); the look-ahead copy of
    :meth:`previews` shares them instead of copying them (a lock cannot be
    copied), so the look-ahead must not write to them.

    Args:
        scenario: a validated :class:`Scenario`.
        seed: int seed of a single run; defaults to ``scenario.seed``.
        record_positions: keep the (R, months, 6, n_issues) position and salience
            arrays and the (R, months, 6, 6) trust array (off saves memory
            in large ensembles).
        seeds: the seeds of R replicates (overrides ``seed``), R >= 1; each a
            whole number in 0 .. 2**63 - 1 (:func:`check_seed`).
        variants: None (every replicate runs ``scenario``), or R scenarios,
            one per seed: replicate r runs ``variants[r]`` (the same as a run
            of that scenario alone).  They may differ from ``scenario`` only in
            the batchable parameters and the parties' judgement inputs
            (:func:`sixparty.replicates.check_variants`).

    Attributes (state arrays, party axis in :data:`PARTIES` order):
        specs: each replicate's scenario (``scenario`` or its variant).
        params: :class:`~sixparty.replicates.ReplicateParameters`: a batchable
            parameter is an (R,) array (``params.noise[r]``), a per-model one
            (a switch, ``max_iterations``, ``zeuthen_grid``, ``bdm_*``) a value.
        pos, sal, anchor: (R, 6, n_issues) floats in [0, 1].
        cap, resolve, domestic, outside: (R, 6) floats in [0, 1].
        trust: (R, 6, 6), ``trust[r, i, j]`` = i's trust in j in [0, 1].
        sanctions, grievance, progress: (R,) in [0, 1].
        stance: (R,) codes of :data:`~sixparty.parties.STANCES`.
        records: one :class:`ReplicateRecord` per replicate.

    Raises:
        TypeError: ``scenario`` is not a :class:`Scenario`, a seed is not
            a whole number, or ``variants`` is not a sequence of Scenario.
        ValueError: ``seeds`` is empty, a seed is outside 0 .. 2**63 - 1, or
            the variants are not one per seed or differ from ``scenario`` in
            more than batchable values.
    """

    PREVIEW_SHARED: tuple[str, ...] = ()

    def __init__(
        self,
        scenario: Scenario,
        seed: int | None = None,
        record_positions: bool = True,
        seeds=None,
        variants=None,
    ) -> None:
        if not isinstance(scenario, Scenario):
            raise TypeError(
                f"scenario must be a Scenario (sixparty.load_scenario(...)), "
                f"not {type(scenario).__name__}"
            )
        if seeds is None:
            seeds = [scenario.seed if seed is None else seed]
        elif isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__iter__"):
            raise TypeError(f"seeds must be a sequence of whole numbers, not {seeds!r}")
        seeds = [check_seed(s) for s in seeds]
        if not seeds:
            raise ValueError("seeds must name at least one replicate")
        self.seeds = seeds
        self.R = R = len(seeds)
        self.seed_used = seeds[0]
        super().__init__(rng=seeds[0])
        #: One generator per replicate; replicate 0's is Mesa's ``self.rng``.
        self.rngs = [self.rng] + [np.random.default_rng(s) for s in seeds[1:]]
        self.spec = scenario
        #: Each replicate's scenario: ``scenario`` itself, or its variant.
        self.specs = [scenario] * R if variants is None else check_variants(scenario, variants, R)
        #: The parameters, batchable ones as (R,) arrays (:mod:`sixparty.replicates`).
        self.params = ReplicateParameters([v.parameters for v in self.specs])
        p = self.params
        y0, m0 = map(int, scenario.window.start.split("-"))
        self.start = month_index(y0, m0)
        self.n_months = scenario.window.months
        self.month = self.start
        self.record_positions = record_positions

        # ---- state arrays, one row per replicate (each from its scenario variant)
        made: dict[int, tuple] = {}  # id(variant) -> its initial rows
        for v in self.specs:
            if id(v) not in made:
                made[id(v)] = _initial_rows(v)
        rows = [made[id(v)] for v in self.specs]
        pos, sal, cap, resolve, domestic, init_trust = (
            np.stack(a) for a in zip(*rows, strict=True)
        )
        self.pos = pos
        self.sal = sal
        self.cap = cap
        self.resolve = resolve
        self.domestic = domestic
        self.outside = np.zeros((R, 6))
        n0 = p.trust_prior_strength[:, None, None]
        self._prior_a = init_trust * n0  # (R, 6, 6): the Beta prior of each replicate
        self._prior_b = (1.0 - init_trust) * n0
        self._ev_a = np.zeros((R, 6, 6))
        self._ev_b = np.zeros((R, 6, 6))
        self.trust = init_trust.copy()
        self.anchor = self.pos.copy()
        #: (R, n_issues) this month's way out (Party.reconsider_line), None when
        #: ``ripeness_rate`` is 0 in every replicate (no line moves, nothing drawn).
        self.way_out = None
        self._ripeness = bool(np.any(p.ripeness_rate > 0))
        self.sanctions = np.zeros(R)
        self.grievance = np.zeros(R)
        self.china_shuttle_credit = np.zeros(R)

        # ---- parties (fixed order: call order fixes the random streams)
        self.parties: list[Party] = [
            cls(self, getattr(scenario.parties, cls.key).strategy) for cls in PARTY_CLASSES
        ]

        # ---- schedule of exogenous inputs (the same in every replicate)
        self._events: dict[int, list] = {}
        for ev in scenario.events:
            y, m = map(int, ev.month.split("-"))
            self._events.setdefault(month_index(y, m), []).append(ev)
        self._invitations = {
            month_index(*map(int, inv.date.split("-"))) for inv in scenario.invitations
        }
        self._statements: dict[int, list[tuple[int, dict[str, float]]]] = {}
        seen: set[tuple[int, str]] = set()
        for i, (_key, cfg) in enumerate(scenario.parties.items()):
            for st in sorted(cfg.stated_positions, key=lambda s: s.date):
                vals = st.positions
                if not p.anchoring:
                    # Anchoring off: only each issue's first statement is used.
                    vals = {k: v for k, v in vals.items() if (i, k) not in seen}
                    seen.update((i, k) for k in vals)
                if vals:
                    mi = month_index(*map(int, st.date.split("-")))
                    self._statements.setdefault(mi, []).append((i, vals))
        self.anchoring_mode = "anchored" if p.anchoring else "free"

        # ---- talks and implementation state, one value per replicate
        self.stance = np.full(R, PARTICIPATING, dtype=np.int8)
        self.return_months = np.zeros(R, dtype=np.int64)
        self.n_sessions = np.zeros(R, dtype=np.int64)
        self.round = np.zeros(R, dtype=np.int64)
        self.round_phase = np.zeros(R, dtype=np.int64)
        self.recess_pending = np.zeros(R, dtype=bool)
        self.months_since_session = np.zeros(R, dtype=np.int64)
        # The chair's patience: after a session that brings nothing new it waits
        # twice as long before the next invitation (up to a year).
        self.chair_wait = p.min_months_between_sessions.copy()
        self.best_document = np.zeros(R, dtype=np.int64)  # rank in DOC_LEVELS
        self.agreed_text = np.zeros((R, len(ISSUES)))
        self.has_agreed_text = np.zeros(R, dtype=bool)
        #: First phase of the menu a joint document may still adopt: adopting
        #: phase k closes every phase before it.
        self.next_phase = np.zeros(R, dtype=np.int64)
        self.progress = np.zeros(R)
        self.reversed_progress = np.zeros(R)
        self.delisted = np.zeros(R, dtype=bool)
        self.dprk_suspended_steps = np.zeros(R, dtype=bool)
        #: The DPRK's outside option at the start, and what moved it since, per
        #: replicate (:meth:`_note_outside_change`; the walk-out's reason).
        self.outside_start = self.outside[:, DPRK_I].copy()
        self.outside_sources: list[list[tuple[str, str, float]]] = [[] for _ in range(R)]
        #: (R, 6) whether a provider's line holds an aid step it owes (its
        #: ``withholds_aid`` recorded, ``resumes_aid`` not yet).
        self.aid_held = np.zeros((R, 6), dtype=bool)
        #: (R,) whether the US holds back a due delisting for verification (its
        #: ``withholds_delisting`` recorded when the hold began).
        self.delisting_held = np.zeros(R, dtype=bool)
        #: Per replicate, the ids of the counterpart steps the DPRK suspended its steps
        #: over (empty while it is not suspended).
        self.suspension_cause: list[list[int]] = [[] for _ in range(R)]
        #: Counterpart steps owed to the DPRK and more than a month overdue.
        self.arrears = np.zeros(R, dtype=bool)
        #: The DPRK's state at the end of the previous month, for the reasons' "since
        #: last month" clauses (DPRK.readiness_change, DPRK.talks_value_change; read by
        #: no decision): (R, 9) its readiness terms (DPRK.ATTEND_TERMS order) and (R, 5)
        #: its outside option, the talks' value and the value's parts (DPRK.VALUE_PARTS
        #: order); NaN until the first month is recorded.
        self.dprk_terms_last = np.full((R, len(DPRK.ATTEND_TERMS)), np.nan)
        self.dprk_value_last = np.full((R, len(DPRK.VALUE_PARTS)), np.nan)
        self.status = np.zeros(R, dtype=np.int8)  # this month's TALKS_STATUSES code

        #: facility -> state (:data:`FACILITY_STATES`), every facility named by
        #: a phase's ``facility_steps``, in order of first mention; all operating.
        facilities: dict[str, str] = {}
        for ph in scenario.phases:
            for fs in ph.facility_steps:
                facilities.setdefault(fs.facility, "operating")
        self.records = [
            ReplicateRecord(
                Ledger(aid_done_share=float(p.aid_tranche_done[r])),
                dict(facilities),
                TimelineRows(self, r),
            )
            for r in range(R)
        ]
        self.ledgers = [rec.ledger for rec in self.records]
        # ---- the monthly records (timeline.csv), one row per replicate and month
        T = self.n_months
        self._recorded = 0
        self._facility_names = list(facilities)
        self._tl_months = [month_label(self.start + t) for t in range(T)]
        #: the columns of a timeline.csv row, in order
        self._tl_keys = (
            "month",
            "talks_status",
            "dprk_stance",
            "implementation",
            *_TIMELINE_FLOATS,
            "events",
            *[f"aid_delivered_t_{PARTIES[j]}" for j in AID_PROVIDERS],
            *[f"facility_{name}" for name in self._facility_names],
            *TIMELINE_STATE,
            "reanchored",
        )
        self._tl_codes = np.zeros((R, T, 3), dtype=np.int8)  # talks status, stance, implementation
        self._tl_floats = np.zeros((R, T, len(_TIMELINE_FLOATS) + len(AID_PROVIDERS)))
        self._tl_facilities = np.zeros((R, T, len(facilities)), dtype=np.int8)
        self._tl_state = np.zeros((R, T, len(TIMELINE_STATE)))
        #: month of the window -> the re-anchorings of that month (_apply_statements):
        #: (party index, issue index, stated value, the R positions before as floats).
        self._reanchored: dict[int, list[tuple[int, int, float, list[float]]]] = {}
        #: month of the window -> (its re-anchorings, their cell parts): _reanchored_cell
        self._reanchored_parts: dict[int, tuple[list, list[tuple[str, float, list]]]] = {}

        if record_positions:
            self.pos_hist = np.zeros((R, self.n_months, 6, len(ISSUES)))
            self.sal_hist = np.zeros((R, self.n_months, 6, len(ISSUES)))
            self.trust_hist = np.zeros((R, self.n_months, 6, 6))
        #: Human seats (classroom): party key -> that delegation's standing
        #: orders; empty = the agents play all six (:meth:`take_seat`; R = 1).
        self.seats: dict[str, SeatOrders] = {}
        #: Set only on a look-ahead copy (:meth:`session_preview`): called with
        #: the session as the chair invites, before anyone decides to attend.
        self._preview_hook = None

    # ====================================================== one replicate's view
    def _single(self) -> ReplicateRecord:
        if self.R != 1:
            raise ValueError(
                f"this model steps {self.R} replicates; use records[r] for replicate r"
            )
        return self.records[0]

    @property
    def sessions(self) -> list[Session]:
        """The single run's sessions (R = 1; ``records[r].sessions`` otherwise)."""
        return self._single().sessions

    @property
    def decisions(self) -> list[tuple[int, str, str, str, str]]:
        """The single run's decisions (R = 1)."""
        return self._single().decisions

    @property
    def timeline(self) -> list[dict]:
        """The single run's monthly rows (R = 1)."""
        return self._single().timeline

    @property
    def ledger(self) -> Ledger:
        """The single run's ledger (R = 1)."""
        return self._single().ledger

    @property
    def facilities(self) -> dict[str, str]:
        """The single run's facility states (R = 1)."""
        return self._single().facilities

    @property
    def tests(self) -> list[tuple[int, str]]:
        """The single run's tests (R = 1)."""
        return self._single().tests

    def stance_of(self, rep: int = 0) -> str:
        """The DPRK's stance in replicate ``rep``, a name of :data:`STANCES`."""
        return STANCES[int(self.stance[rep])]

    # ================================================================= seats
    @property
    def seat(self) -> str | None:
        """The single seated party's key, or None with no seat or several
        (read-only; :attr:`seats` holds every seat)."""
        return next(iter(self.seats)) if len(self.seats) == 1 else None

    @property
    def seat_orders(self) -> SeatOrders | None:
        """The single seat's standing orders (see :attr:`seat`), or None."""
        key = self.seat
        return None if key is None else self.seats[key]

    def take_seat(self, party: str) -> SeatOrders:
        """A person takes ``party``'s delegation (a key of :data:`PARTIES`);
        returns its standing orders, all None (the agent decides) until given.
        Taking a seat already taken keeps its orders.

        Raises:
            ValueError: ``party`` is not a party key, or the model steps
                more than one replicate (a person plays one run).
        """
        if party not in PARTIES:
            raise ValueError(f"unknown party {party!r}; expected one of {', '.join(PARTIES)}")
        self._single()
        if party not in self.seats:
            # Seats in PARTIES order, so iteration is the fixed order of the parties.
            self.seats[party] = SeatOrders()
            self.seats = {k: self.seats[k] for k in PARTIES if k in self.seats}
        return self.seats[party]

    def leave_seat(self, party: str) -> None:
        """``party``'s seat is emptied: its agent plays it again from now on
        (no-op for a party nobody holds)."""
        self.seats.pop(party, None)

    def _orders(self, key: str) -> SeatOrders | None:
        return self.seats.get(key)

    def session_preview(self, party: str) -> SeatBriefing | None:
        """What ``party`` is shown before the session of the coming month
        (:class:`sixparty.seat.SeatBriefing`), or None when the next step
        convenes no session (or the window is over).  R = 1.

        The coming month is played on a copy of the model up to the moment
        the chair invites (events, drift, implementation, the chair's
        sounding), so the draft is the text the session will table, by the
        same code (:meth:`first_draft`); the model itself draws no random
        number and changes no state.

        Raises:
            ValueError: ``party`` is not a party key.
        """
        return self.previews((party,)).get(party)

    def previews(self, parties) -> dict[str, SeatBriefing]:
        """:meth:`session_preview` for several parties from one look-ahead:
        party key -> briefing; empty when the next step convenes no session."""
        for key in parties:
            if key not in PARTIES:
                raise ValueError(f"unknown party {key!r}; expected one of {', '.join(PARTIES)}")
        self._single()
        if self.month >= self.start + self.n_months or not parties:
            return {}
        found: dict[str, SeatBriefing] = {}

        def hook(twin: TalksModel, s: Session) -> None:
            found.update({k: twin._briefing(s, k) for k in parties})
            raise _PreviewDone

        # Attributes that are not model state (a page's log, locks) are shared, not copied.
        memo = {
            id(v): v for v in (getattr(self, a, None) for a in self.PREVIEW_SHARED) if v is not None
        }
        twin = copy.deepcopy(self, memo)
        twin._preview_hook = hook
        try:
            TalksModel.step(twin)
        except _PreviewDone:
            pass
        finally:
            release_model(twin)
        return found

    def _briefing(self, s: Session, key: str) -> SeatBriefing:
        """The briefing of ``key`` at session ``s`` as the chair invites (R = 1)."""
        p = self.params
        i = PARTIES.index(key)
        q = self.parties[i]
        target = self._target_level(0)
        draft = self.first_draft(0)
        contact = bool(self.parties[US_I].allows_direct_contact(0))
        if p.chair_drafts_in_zopa and p.expected_utility_sessions:
            # the text the session will table first (:meth:`_bargain`)
            draft = self.parties[CHINA_I].draft_in_zopa(
                draft[None], np.array([0]), np.array([target], dtype=object), np.array([contact])
            )[0][0]
        d = float(q.disagreement_value(0))
        u_accept = float(q.text_utility(draft, target, contact, 0))

        def utility(text) -> float:
            return float(q.text_utility(np.asarray(text, dtype=float), target, contact, 0))

        pos = self.pos[0]

        def asks(k: int) -> list[float]:
            # Where a text can land: the bounds, my position, the others' positions.
            return sorted({0.0, 1.0, *(float(x) for x in pos[:, k])})

        if p.expected_utility_sessions:
            amended = self._eu_redraft(i, draft)
        else:
            sal, cap = self.sal[0], self.cap[0]
            wsum = float((cap[:, None] * sal).sum(axis=0).max())

            def amended(k: int, v: float) -> np.ndarray:
                # The fixed-share rule: the amendment pulls the draft by my weight.
                pulled = draft.copy()
                share = min(p.amendment_weight_cap[0], cap[i] * sal[i, k] / wsum)
                pulled[k] += share * (v - pulled[k])
                return (1.0 - p.amendment_share[0]) * draft + p.amendment_share[0] * pulled

        u_amend, k_amend, ask, amended_text = best_amendment(
            draft, utility, amended, asks, len(ISSUES)
        )
        readiness = float(self.attend_readiness(i, 0))
        dprk_out = i == DPRK_I and self.stance[0] != PARTICIPATING
        verdict, issue = q.respond(draft, target, contact, 0)
        verdict, issue = VERDICTS[int(verdict)], int(issue)
        trust = float(q.commitment_trust(0))
        needed = float(p.commitment_trust[0]) if target == "joint_document" else None
        return SeatBriefing(
            party=key,
            month=month_label(self.month),
            session=s.session_id + 1,
            invited_by=s.invited_by,
            target=target,
            issues=tuple(ISSUES),
            parties=tuple(PARTIES),
            draft=tuple(float(x) for x in draft),
            positions=tuple(tuple(float(x) for x in row) for row in pos),
            salience=tuple(float(x) for x in self.sal[0, i]),
            u_accept=u_accept,
            u_amend=float(u_amend),
            amend_issue=None if k_amend is None else ISSUES[k_amend],
            amend_to=ask,
            amended_draft=amended_text,
            u_walk_away=d,
            readiness=readiness,
            attend_threshold=float(p.attend_threshold[0]),
            recommend_attend=bool(readiness > p.attend_threshold[0]),
            attend_reason=attend_reason(readiness, float(p.attend_threshold[0]), dprk_out),
            recommend=verdict,
            recommend_issue=None if issue < 0 else ISSUES[issue],
            reason=respond_reason(verdict, u_accept, d, trust, needed),
            commitment_trust=trust,
            trust_needed=needed,
        )

    def _eu_redraft(self, i: int, draft: np.ndarray):
        """The expected-utility session's answer to party ``i`` amending the
        first draft (R = 1): ``(k, v) -> text``, the draft with issue k as the
        chair redrafts it next, ``i`` holding position v on k.

        The session's order (:meth:`_bargain`): the round of the expected-
        utility model is played on the positions the first draft was tabled
        on; the agents move by it (keeping the issues their classes keep), a
        seat holds its position with the amendment it asked for, and the chair
        drafts the weighted median of those positions.  Zeuthen's principle and
        Russia's package, which act only after drafts stall, are left out.
        Draws no random number."""
        reps = np.array([0])
        bs = self.bargaining_salience(reps)
        res = bargaining_round(
            BargainingState(self.pos[reps].copy(), self.cap[reps], bs, 1.0),
            self.bargaining_parameters(),
        )
        after = res.positions
        pos = self.pos[reps]
        moved = np.stack(
            [
                pos[:, j]
                if q.key in self.seats or j == i
                else q.hold_in_round(pos[:, j], after[:, j], reps)
                for j, q in enumerate(self.parties)
            ],
            axis=1,
        )[0]
        np.clip(moved, 0.0, 1.0, out=moved)
        w = self.cap[0][:, None] * bs[0]  # the chair's weights (6, n_issues)

        def amended(k: int, v: float) -> np.ndarray:
            col = moved[:, k].copy()
            col[i] = v
            out = draft.copy()
            out[k] = float(weighted_median(col, w[:, k]))
            return out

        return amended

    def implementation_preview(self, party: str) -> ImplementationBriefing:
        """What is due from ``party`` and from its counterparts now
        (:class:`sixparty.seat.ImplementationBriefing`): the open steps of
        every phase in force that nobody has superseded, from the ledger (R = 1).

        Raises:
            ValueError: ``party`` is not a party key.
        """
        if party not in PARTIES:
            raise ValueError(f"unknown party {party!r}; expected one of {', '.join(PARTIES)}")
        led = self._single().ledger
        counts: dict = {}
        dues = [
            Due(
                party=PARTIES[st.party],
                kind=st.kind,
                phase=st.phase_name,
                tranche=st.tranche,
                amount=float(st.amount),
                delivered=float(st.delivered),
                due=month_label(st.due_month),
                owed=self._owed(0, st, counts),
                overdue=self._owed(0, st, counts) and st.due_month < self.month,
            )
            for st in led.steps
            if st.superseded_month is None and not st.done
        ]
        mine, theirs = split_dues(party, dues, PARTIES[DPRK_I])
        active = led.active_phase
        return ImplementationBriefing(
            party=party,
            month=month_label(self.month),
            phase=None if active is None else self.spec.phases[active].name,
            mine=mine,
            theirs=theirs,
        )

    # ================================================================ helpers
    def us_direct_talks(self) -> str:
        return self.parties[US_I].strategy.direct_talks

    def distances(self, text: np.ndarray, r=ALL) -> np.ndarray:
        """(n, 6) each party's salience-weighted distance from ``text`` (one
        (n_issues,) row per replicate of ``r``), in [0, 1]
        (:func:`sixparty.parties.text_distance`, ``parameters.distance_exponent``)."""
        e = np.asarray(self.params.distance_exponent[r])
        return text_distance(
            np.abs(self.pos[r] - np.asarray(text)[..., None, :]), self.sal[r], e[..., None]
        )

    def distances_between(self, a: np.ndarray, b: np.ndarray, r=ALL) -> np.ndarray:
        """(n, 6) each party's salience-weighted distance between its rows of
        two (n, 6, n_issues) position arrays ``a`` and ``b``, in [0, 1] (how far it moved)."""
        sal = self.sal[r]
        tot = row_sum(sal)
        return row_sum(np.abs(a - b) * sal) / np.where(tot > 0, tot, 1.0)

    def mean_trust(self) -> np.ndarray:
        """(R,) mean of the off-diagonal trust matrix, in [0, 1]."""
        t = self.trust
        return (t.reshape(self.R, 36).sum(axis=1) - np.trace(t, axis1=1, axis2=2)) / 30.0

    def _refresh_trust(self) -> None:
        a = self._prior_a + self._ev_a
        b = self._prior_b + self._ev_b
        self.trust = a / (a + b)
        self.trust[:, range(6), range(6)] = 1.0

    def observe(self, r, i: int, j: int, outcome, weight) -> None:
        """Party i observes party j cooperate (``outcome`` in [0, 1]) with
        ``weight``, in replicates ``r`` (an index array, a slice or one index).

        Trust is the mean of a Beta belief over j being a cooperative type
        (Kydd 2005; the Beta reputation system of Josang & Ismail 2002), with
        evidence discounted each month by ``trust_memory``.
        """
        self._ev_a[r, i, j] += weight * outcome
        self._ev_b[r, i, j] += weight * (1.0 - outcome)
        a = self._prior_a[r, i, j] + self._ev_a[r, i, j]
        self.trust[r, i, j] = a / (a + self._prior_b[r, i, j] + self._ev_b[r, i, j])

    def _observe_one(self, rep: int, i: int, j: int, outcome: float, weight: float) -> None:
        """:meth:`observe` in one replicate ``rep`` with Python floats ``outcome`` and
        ``weight``: the same operations in the same order on the same doubles (so the
        same bits), without numpy's scalar indexing."""
        idx = (rep, i, j)
        ev_a = self._ev_a
        ev_b = self._ev_b
        x = ev_a.item(idx) + weight * outcome
        y = ev_b.item(idx) + weight * (1.0 - outcome)
        ev_a[idx] = x
        ev_b[idx] = y
        a = self._prior_a.item(idx) + x
        self.trust[idx] = a / (a + self._prior_b.item(idx) + y)

    def shift_trust(self, i: int, j: int, delta: float) -> None:
        """Move i's trust in j by ``delta`` (an event) in every replicate,
        keeping the evidence mass."""
        a = self._prior_a[:, i, j] + self._ev_a[:, i, j]
        b = self._prior_b[:, i, j] + self._ev_b[:, i, j]
        n = a + b
        target = np.minimum(1.0, np.maximum(0.0, a / n + delta))
        self._ev_a[:, i, j] = target * n - self._prior_a[:, i, j]
        self._ev_b[:, i, j] = (1.0 - target) * n - self._prior_b[:, i, j]
        self._refresh_trust()

    def note(self, rep: int, text: str) -> None:
        self.records[rep].events.append(text)

    def decide(
        self, rep: int, party: str, what: str, why: Clause | Sequence[Clause], cause: str = ""
    ) -> None:
        """Record a decision a party took in replicate ``rep``, with the
        model's reason (a :class:`~sixparty.reasons.Clause` or a sequence of
        them: codes and values, rendered to English only in the run's tables)
        and, where it answers a specific step, a reason code (``cause``)
        naming it."""
        why = (why,) if isinstance(why, Clause) else tuple(why)
        self.records[rep].decisions.append((self.month, party, what, why, cause))
        self.note(rep, f"{party}: {what}")

    # ================================================================ inputs
    def month_events(self) -> list[Clause]:
        """The ``month_events`` clause for a DPRK decision's reason: the ids of
        this month's events with typed effects (already applied), or nothing.
        Explanation only: the decision was taken from the state those effects
        moved; no decision reads an event."""
        ids = [ev.id for ev in self._events.get(self.month, ()) if ev.effects]
        return [clause("month_events", events=ids)] if ids else []

    def _apply_events(self) -> None:
        for ev in self._events.get(self.month, ()):
            for rec in self.records:
                rec.events.append(f"event:{ev.id}")
            for eff in ev.effects:
                self._apply_effect(eff, ev.id)

    def _note_outside_change(self, before: np.ndarray, source: str, reps=None) -> None:
        """Keep what moved the DPRK's outside option, as applied (after the cap),
        in each replicate of ``reps`` (all if None) where it moved: the walk-out's
        ``outside_option_sources`` reason.  ``before``: the values before, one per
        replicate of ``reps``."""
        reps = np.arange(self.R) if reps is None else reps
        moved = self.outside[reps, DPRK_I] - before
        for rep, d in zip(reps.tolist(), moved.tolist(), strict=True):
            if d != 0.0:
                self.outside_sources[rep].append((source, month_label(self.month), d))

    def _apply_effect(self, eff, source: str = "") -> None:
        """One typed effect, the same in every replicate (on its own state)."""
        kind = eff.kind

        def clip(v):
            return np.minimum(1.0, np.maximum(0.0, v))

        if kind == "position":
            i, k = PARTIES.index(eff.party), ISSUES.index(eff.issue)
            self.pos[:, i, k] = clip(self.pos[:, i, k] + eff.delta)
            self.anchor[:, i, k] = clip(self.anchor[:, i, k] + eff.delta)
        elif kind == "salience":
            i, k = PARTIES.index(eff.party), ISSUES.index(eff.issue)
            self.sal[:, i, k] = clip(self.sal[:, i, k] + eff.delta)
        elif kind == "trust":
            i, j = PARTIES.index(eff.party), PARTIES.index(eff.toward)
            self.shift_trust(i, j, eff.delta)
            if i == DPRK_I and j == US_I and eff.delta < 0:
                self.grievance = clip(self.grievance - eff.delta)
        elif kind == "resolve":
            i = PARTIES.index(eff.party)
            self.resolve[:, i] = clip(self.resolve[:, i] + eff.delta)
        elif kind == "domestic_constraint":
            i = PARTIES.index(eff.party)
            self.domestic[:, i] = clip(self.domestic[:, i] + eff.delta)
        elif kind == "sanctions":
            self.sanctions = clip(self.sanctions + eff.delta)
            if eff.delta > 0:
                self.grievance = clip(self.grievance + eff.delta)
        elif kind == "outside_option":
            i = PARTIES.index(eff.party)
            before = self.outside[:, DPRK_I].copy() if i == DPRK_I else None
            self.outside[:, i] = clip(self.outside[:, i] + eff.delta)
            if before is not None:
                self._note_outside_change(before, source)
        elif kind == "policy":
            self.parties[PARTIES.index(eff.party)].strategy.policy = eff.value
        elif kind == "strategy":
            setattr(self.parties[PARTIES.index(eff.party)].strategy, eff.field, eff.value)

    def _apply_statements(self) -> None:
        """The stated positions dated this month re-anchor their party: position and
        anchor set to the stated value on each issue a statement speaks to (the same
        value in every replicate).  Each re-anchoring is kept for the month's
        ``timeline.csv`` ``reanchored`` column: party, issue, the stated value and the
        position before (per replicate; several statements of a party on an issue in
        one month: the position before the first, the value of the last)."""
        stated = self._statements.get(self.month, ())
        if not stated:
            return
        before: dict[tuple[int, int], np.ndarray] = {}
        for i, vals in stated:
            for issue, v in vals.items():
                k = ISSUES.index(issue)
                if (i, k) not in before:
                    before[(i, k)] = self.pos[:, i, k].copy()
                self.pos[:, i, k] = v
                self.anchor[:, i, k] = v
        self._reanchored[self.month - self.start] = [
            (i, k, float(self.anchor[0, i, k]), b.tolist()) for (i, k), b in before.items()
        ]

    # ============================================================ escalation
    def consider_escalation(self, dprk) -> None:
        """The DPRK's test decision (:meth:`DPRK.choose_test`) in every
        replicate and its consequences: 制裁-试验-再制裁-再试验 (article
        §第五轮 第一阶段).

        A test raises the DPRK's outside option (a nuclear test's scaled by its
        programme's state), vents its grievance, and draws sanctions from the
        US (``sanction_response``) and the Security Council, which feed the
        next round of grievance; every party's trust in the DPRK falls and
        China's coordination (shuttle credit) rises.
        """
        p = self.params
        kinds = dprk.choose_test()
        reps = np.flatnonzero(kinds)
        if reps.size == 0:
            return
        big = kinds[reps] == 2
        gain = np.where(
            big,
            p.test_outside_gain_nuclear[reps] * dprk.programme(reps),
            p.test_outside_gain_missile[reps],
        )
        for b, rep in enumerate(reps):
            kind = "nuclear" if big[b] else "missile"
            capped = min(float(gain[b]), 1.0 - float(self.outside[rep, DPRK_I]))
            why = [
                *dprk.test_reason(int(rep), float(self.outside[rep, DPRK_I]) + capped),
                *self.month_events(),
            ]
            self.records[rep].tests.append((self.month, kind))
            self.decide(int(rep), "DPRK", f"{kind}_test", why)
        before = self.outside[reps, DPRK_I].copy()
        self.outside[reps, DPRK_I] = np.minimum(1.0, self.outside[reps, DPRK_I] + gain)
        for b, rep in enumerate(reps.tolist()):
            d = float(self.outside[rep, DPRK_I] - before[b])
            if d != 0.0:
                kind = "nuclear_test" if big[b] else "missile_test"
                self.outside_sources[rep].append((kind, month_label(self.month), d))
        self.grievance[reps] *= p.test_grievance_kept[reps]
        us = self.parties[US_I]
        # The US (and, after a nuclear test, the Security Council) answer with
        # sanctions, which feed the next round of grievance: the cycle.
        rise = us.strategy.sanction_response * np.where(
            big, p.test_sanctions_nuclear[reps], p.test_sanctions_missile[reps]
        ) + np.where(big, p.test_unsc_sanctions_nuclear[reps], p.test_unsc_sanctions_missile[reps])
        self.sanctions[reps] = np.minimum(1.0, self.sanctions[reps] + rise)
        self.grievance[reps] = np.minimum(1.0, self.grievance[reps] + rise)
        hard = np.where(big, p.test_us_hardening_nuclear[reps], p.test_us_hardening_missile[reps])
        self.domestic[reps, US_I] = np.minimum(1.0, self.domestic[reps, US_I] + hard)
        weight = np.where(big, p.test_trust_weight_nuclear[reps], p.test_trust_weight_missile[reps])
        for j in range(1, 6):
            self.observe(reps, j, DPRK_I, 0.0, weight)
        # China coordinates after a crisis (§第五轮 第二阶段: "中方与六方会谈其他各成员展开协调").
        coord = np.where(
            big, p.test_china_coordination_nuclear[reps], p.test_china_coordination_missile[reps]
        )
        self.china_shuttle_credit[reps] = np.minimum(1.0, self.china_shuttle_credit[reps] + coord)

    # ======================================================== implementation
    def _implementation(self) -> list[str]:
        """Advance every replicate's ledger one month; return the
        implementation status of each."""
        self.arrears[:] = False
        # A replicate whose ledger never adopted a phase has nothing to advance
        # (_implement would return "none" at once): skip the call.
        return [
            self._implement(rep) if led.phases else "none" for rep, led in enumerate(self.ledgers)
        ]

    def _implement(self, rep: int) -> str:
        """Advance replicate ``rep``'s ledger one month; return its status."""
        led = self.ledgers[rep]
        phase = led.active_phase
        if phase is None:
            return "complete" if led.steps else "none"
        p = self.params.at(rep)
        rng = self.rngs[rep]
        ph = self.spec.phases[phase]
        pace = ph.tranches / ph.months  # tranches a month at full willingness
        dprk = self.parties[DPRK_I]
        us = self.parties[US_I]
        done_now: list = []

        # --- the DPRK's suspension decision: a counterpart's step long overdue
        overdue = self._overdue_counterpart_steps(rep, phase)
        suspended = bool(self.dprk_suspended_steps[rep])
        # The steps it suspended over that are still outstanding (performed, re-dated
        # or superseded ones are not; owed or not under reciprocity: its own
        # reversal does not settle a counterpart's debt) stay arrears too.
        cause_ids = self.suspension_cause[rep]
        outstanding = self._still_outstanding(rep, phase, cause_ids) if suspended else []
        self.arrears[rep] = bool(overdue) or bool(outstanding)
        t_us = float(dprk.trust_in(US_I, rep))
        seat = self._orders("DPRK")
        order = seat.implementation if seat is not None else None
        if order is not None:
            # A person plays the DPRK: the suspension is theirs to decide.
            want = order == "suspend"
            if want != suspended:
                self.dprk_suspended_steps[rep] = want
                self.decide(
                    rep,
                    "DPRK",
                    "suspends_steps" if want else "resumes_steps",
                    clause("own_order"),
                )
        else:
            choice = dprk.reconsider_steps(rep, suspended, overdue, outstanding, t_us)
            if choice == "suspends_steps":
                self.dprk_suspended_steps[rep] = True
                self.suspension_cause[rep] = [s.step_id for s in overdue]
                cause, what = self._overdue_cause(overdue)
                self.decide(
                    rep,
                    "DPRK",
                    "suspends_steps",
                    (*what, clause("trust_in_us", trust=t_us)),
                    cause=cause,
                )
                self.grievance[rep] = min(
                    1.0, float(self.grievance[rep]) + p.suspend_steps_grievance
                )
            elif choice == "resumes_steps":
                self.dprk_suspended_steps[rep] = False
                self.suspension_cause[rep] = []
                if outstanding:
                    why = clause("trust_in_us", trust=t_us)
                elif self._all_performed(rep, phase, cause_ids):
                    why = clause("overdue_steps_performed")
                else:
                    why = clause("overdue_steps_renegotiated")
                self.decide(rep, "DPRK", "resumes_steps", why)

        # --- DPRK step: reciprocity across tranches, simultaneity within one
        aid_done = led.aid_tranches_done(phase)
        step = led.open_step(DPRK_I, phase, "dprk_action")
        status = "active"
        if self.dprk_suspended_steps[rep]:
            status = "suspended"
            # Restoring facilities "按原状恢复" (§第六轮 第二阶段, 2008).
            undo = dprk.reverses_steps(rep, t_us)
            if undo > 0:
                self._reverse(rep, phase, undo, t_us)
        elif step is not None:
            allowed = aid_done >= step.tranche - 1 or (
                aid_done == step.tranche - 2 and float(rng.random()) < p.generosity
            )
            if allowed:
                # The aid side counts as performed once "substantially" delivered.
                aid_frac = min(
                    1.0,
                    self._aid_fraction(rep, phase, step.tranche) / p.aid_tranche_done
                    if p.aid_tranche_done > 0
                    else 1.0,
                )
                cap = min(1.0, aid_frac + (1.0 - dprk.strategy.simultaneity)) * step.amount
                will = self._seat_pace(
                    "DPRK",
                    max(
                        0.0,
                        p.dprk_will_base
                        + p.dprk_will_trust * t_us
                        - p.dprk_will_grievance * float(self.grievance[rep]),
                    ),
                )
                amt = step.amount * pace * will * (1.0 + float(rng.normal(0, p.noise)))
                amt = max(0.0, min(amt, cap - step.delivered, step.remaining))
                if amt < p.slowed_share * step.amount * pace and step.delivered >= cap - 1e-9:
                    status = "slowed"
                step.delivered += amt
                if step.done:
                    step.completed_month = self.month
                    done_now.append(step)
                    self._dprk_step_done(rep, step)
            else:
                status = "slowed"

        # --- counterparts: aid and delisting
        dprk_done = led.dprk_tranches_done(phase)
        for j in AID_PROVIDERS:
            party = self.parties[j]
            st = led.open_step(j, phase, "aid")
            if st is None:
                continue
            allowed = dprk_done >= st.tranche - 1 or (
                dprk_done == st.tranche - 2 and float(rng.random()) < p.generosity
            )
            if not allowed:
                continue
            # Its line may hold the step it owes (the ROK's hard line, Japan's
            # linkage): recorded as its decision when the hold begins and ends.
            hold = party.aid_hold(rep)
            if (hold is not None) != bool(self.aid_held[rep, j]):
                self.aid_held[rep, j] = hold is not None
                if hold is not None:
                    self.decide(rep, party.key, "withholds_aid", hold)
                else:
                    self.decide(rep, party.key, "resumes_aid", clause("line_allows_aid"))
            will = self._seat_pace(
                party.key, max(0.0, min(1.0, float(party.delivery_willingness(rep))))
            )
            amt = st.amount * pace * will * (1.0 + float(rng.normal(0, p.noise)))
            amt = max(0.0, min(amt, st.remaining))
            st.delivered += amt
            if st.done:
                st.completed_month = self.month
                done_now.append(st)
        st = led.open_step(US_I, phase, "delisting")
        if st is not None and st.owed_given(dprk_done):
            agreed_ver = float(self.agreed_text[rep, VER]) if self.has_agreed_text[rep] else 0.0
            hold = us.delisting_hold(rep, agreed_ver)
            verified = hold is None
            if verified and float(rng.random()) < float(us.delivery_willingness(rep)):
                st.delivered = 1.0
                st.completed_month = self.month
                done_now.append(st)
                self.delisted[rep] = True
                self.sanctions[rep] = max(
                    0.0, float(self.sanctions[rep]) - p.delisting_sanctions_relief
                )
                self.decide(rep, "US", "delists", clause("declaration_and_verification_done"))
            elif not verified:
                if not self.delisting_held[rep]:
                    # The hold begins: the US's decision, with its reason, once.
                    self.decide(rep, "US", "withholds_delisting", hold)
                else:
                    self.note(rep, "US: withholds_delisting (verification)")
            self.delisting_held[rep] = not verified
        # The text's other counterpart steps (commitments: the security
        # assurance, normalization, the LWR), each owed under reciprocity and
        # performed by its party as willingly as it delivers (its stated line
        # included: Japan's abductee linkage holds its normalization).
        for st in led.phase_steps(phase):
            if (
                st.kind != "commitment"
                or st.done
                or st.superseded_month is not None
                or not st.owed_given(dprk_done)
            ):
                continue
            party = self.parties[st.party]
            will = self._seat_pace(
                party.key, max(0.0, min(1.0, float(party.delivery_willingness(rep))))
            )
            if float(rng.random()) < will:
                st.delivered = 1.0
                st.completed_month = self.month
                done_now.append(st)
                self.note(rep, f"{party.key}: performs_{st.description}")

        # --- trust from performance: completed steps build it, overdue erode it
        if done_now:
            weight = p.trust_weight_performed
            for s in done_now:
                watchers = range(1, 6) if s.party == DPRK_I else (DPRK_I,)
                for i in watchers:
                    if i != s.party:
                        self._observe_one(rep, i, s.party, 1.0, weight)
        counts: dict = {}
        weight = None
        for s in led.overdue(self.month):
            if not self._owed(rep, s, counts):
                continue
            if weight is None:
                weight = p.trust_weight_overdue
            watchers = range(1, 6) if s.party == DPRK_I else (DPRK_I,)
            for i in watchers:
                if i != s.party:
                    self._observe_one(rep, i, s.party, 0.0, weight)
        self.progress[rep] = max(0.0, min(1.0, led.dprk_delivered()))
        return status

    # ------------------------------------------------------------ facilities
    def _dprk_step_done(self, rep: int, step) -> None:
        """A DPRK tranche is complete: the facilities it moves reach their state
        (never backward), and a declaration starts the delisting clock."""
        ph = self.spec.phases[step.phase]
        order = FACILITY_STATES.index
        facilities = self.records[rep].facilities
        for fs in ph.facility_steps:
            if fs.tranche == step.tranche and order(fs.to) > order(facilities[fs.facility]):
                facilities[fs.facility] = fs.to
        if ph.declaration_tranche == step.tranche:
            self.ledgers[rep].declaration_done(step.phase, self.month)

    def _reverse(self, rep: int, phase: int, amount: float, t_us: float) -> None:
        """The DPRK undoes ``amount`` of progress from the latest performed steps
        of the phase in force (last in, first out) that moved a facility (any
        step if the phase moves none: a declaration once made is not unmade),
        except steps that dismantled one (dismantlement is not undone).
        A tranche that is no longer complete re-opens (it must be performed
        again), and the facilities it had moved are restored to operating."""
        restored: list[str] = []
        reopened: list[int] = []
        left = amount
        ph = self.spec.phases[phase]
        facilities = self.records[rep].facilities
        moving = {fs.tranche for fs in ph.facility_steps}
        # Dismantlement (废弃) is the end state, not a reversible step: the article's
        # restoration "按原状恢复" (2008) is of disabled facilities.
        dismantling = {fs.tranche for fs in ph.facility_steps if fs.to == "dismantled"}
        steps = [
            s
            for s in self.ledgers[rep].phase_steps(phase)
            if s.kind == "dprk_action"
            and (not moving or s.tranche in moving)
            and s.tranche not in dismantling
        ]
        for st in reversed(steps):
            if left <= 0:
                break
            if st.delivered <= 0:
                continue
            was_done = st.done
            back = min(left, st.delivered)
            st.delivered -= back
            st.reversed_amount += back
            self.reversed_progress[rep] += back
            left -= back
            if was_done and not st.done:
                st.completed_month = None
                reopened.append(st.tranche)
                for fs in ph.facility_steps:
                    if fs.tranche == st.tranche and facilities[fs.facility] != "operating":
                        facilities[fs.facility] = "operating"
                        restored.append(fs.facility)
        if left < amount:
            # The DPRK's decision (DPRK.reverses_steps) as a row of decisions.csv; its
            # cause: the counterpart steps it suspended over that are still outstanding.
            q = self.params.at(rep)
            outstanding = self._still_outstanding(rep, phase, self.suspension_cause[rep])
            cause, _ = self._overdue_cause(outstanding)
            why = [
                clause("progress_undone", undone=amount - left, phase=phase + 1),
                *(clause("tranche_reopened", tranche=t, phase=phase + 1) for t in reopened),
                clause(
                    "trust_in_us_below",
                    trust=t_us,
                    threshold=float(q.reverse_steps_trust),
                    margin=float(q.reverse_steps_trust) - t_us,
                ),
            ]
            self.decide(rep, "DPRK", "reverses_steps", why, cause=cause)
        if restored:
            q = self.params.at(rep)
            self.decide(
                rep,
                "DPRK",
                "restores_facilities",
                clause(
                    "facilities_restored",
                    facilities=restored,
                    trust_in_us=t_us,
                    threshold=float(q.reverse_steps_trust),
                    margin=float(q.reverse_steps_trust) - t_us,
                ),
            )

    def _overdue_cause(self, overdue: list) -> tuple[str, list[Clause]]:
        """The reason code naming the overdue counterpart steps
        (``overdue_delisting``, ``overdue_aid``, ``overdue_commitment``, or
        several joined by ``+`` in that order) and the clauses saying which
        steps they are, each under its own code (its English text led by the
        code, e.g. ``overdue_delisting: the US delisting of phase 2 due
        2008-09``)."""
        parts, codes = [], []
        delist = [s for s in overdue if s.kind == "delisting"]
        aid = [s for s in overdue if s.kind == "aid"]
        commit = [s for s in overdue if s.kind == "commitment"]
        if delist:
            st = delist[0]
            codes.append("overdue_delisting")
            parts.append(
                clause("overdue_delisting", phase=st.phase + 1, due=month_label(st.due_month))
            )
        if aid:
            st = min(aid, key=lambda s: (s.phase, s.tranche))
            late = sorted({s.party for s in aid if s.phase == st.phase and s.tranche == st.tranche})
            codes.append("overdue_aid")
            parts.append(
                clause(
                    "overdue_aid",
                    tranche=st.tranche,
                    phase=st.phase + 1,
                    due=month_label(st.due_month),
                    short=[PARTIES[j] for j in late],
                )
            )
        if commit:
            codes.append("overdue_commitment")
            parts.extend(
                clause(
                    "overdue_commitment",
                    party=PARTIES[st.party],
                    step=st.description,
                    phase=st.phase + 1,
                    due=month_label(st.due_month),
                )
                for st in commit
            )
        return "+".join(codes), parts

    def _still_outstanding(self, rep: int, phase: int, step_ids: list[int]) -> list:
        """Of the counterpart steps ``step_ids`` (those the DPRK suspended over), the
        ones still a month past due: not performed (an aid tranche: not substantially
        delivered), not re-dated by a renegotiation, not superseded.  Whether they are
        owed under reciprocity is not asked: the DPRK's own reversal reopens its
        tranche, which would make them "not owed" without anyone performing them."""
        ids = set(step_ids)
        return [
            s
            for s in self._overdue_counterpart_steps(rep, phase, reciprocity=False)
            if s.step_id in ids
        ]

    def _all_performed(self, rep: int, phase: int, step_ids: list[int]) -> bool:
        """Were the counterpart steps ``step_ids`` performed (an aid tranche: substantially
        delivered), rather than re-dated or superseded?"""
        ids = set(step_ids)
        aid_done = self.ledgers[rep].aid_tranches_done(phase)
        return all(
            s.done or (s.kind == "aid" and s.phase == phase and s.tranche <= aid_done)
            for s in self.ledgers[rep].steps
            if s.step_id in ids
        )

    def _overdue_counterpart_steps(self, rep: int, phase: int, reciprocity: bool = True) -> list:
        """Counterpart steps a month past due that hold the DPRK back: an aid
        tranche not substantially delivered (one provider's shortfall alone
        does not count), or the delisting.  ``reciprocity``: only steps owed
        given the tranches the DPRK has completed (:meth:`_owed`)."""
        led = self.ledgers[rep]
        counts: dict = {}
        late = [
            s
            for s in led.overdue(self.month - 1)
            if s.party != DPRK_I and (not reciprocity or self._owed(rep, s, counts))
        ]
        if not late:
            return []
        aid_done = led.aid_tranches_done(phase)
        return [
            s
            for s in late
            if s.kind in ("delisting", "commitment")
            or (s.kind == "aid" and s.phase == phase and s.tranche > aid_done)
        ]

    def _owed(self, rep: int, s, counts: dict | None = None) -> bool:
        """Is step ``s`` of replicate ``rep``'s ledger owed yet?  Under
        reciprocity a step of tranche t is owed only once the counterpart has
        completed tranche t - 1; a step held back because the counterpart is
        behind is not a defection.  ``counts`` caches (DPRK tranches done,
        aid tranches done) per phase."""
        led = self.ledgers[rep]
        if counts is None:
            counts = {}
        if s.phase not in counts:
            counts[s.phase] = (led.dprk_tranches_done(s.phase), led.aid_tranches_done(s.phase))
        dprk_done, aid_done = counts[s.phase]
        if s.kind == "dprk_action":
            return aid_done >= s.tranche - 1
        return s.owed_given(dprk_done)

    def _aid_fraction(self, rep: int, phase: int, tranche: int) -> float:
        aid = [
            s
            for s in self.ledgers[rep].phase_steps(phase)
            if s.tranche == tranche and s.kind == "aid"
        ]
        if not aid:
            return 1.0
        return sum(s.delivered for s in aid) / sum(s.amount for s in aid)

    # =============================================================== stance
    def _update_stance(self) -> None:
        """Apply the DPRK's stance decision (:meth:`DPRK.next_stance`) in every replicate;
        a person at its seat who ordered it to attend keeps it in the talks (reason
        ``own_order``)."""
        dprk = self.parties[DPRK_I]
        stance, decision = dprk.next_stance()
        seat = self._orders("DPRK")
        ordered = seat is not None and seat.attend is True
        if ordered:
            # A person at the DPRK's seat ordered it to attend (R = 1): it neither
            # suspends its participation nor walks out this month, and one away from
            # the talks returns, so the record (decisions.csv, the stance) matches
            # the sessions it attends by that order.
            away = self.stance != PARTICIPATING
            stance = np.full_like(stance, PARTICIPATING)
            decision = np.where(away, STANCE_DECISIONS.index("returns"), 0).astype(decision.dtype)
        reps = np.flatnonzero(decision)
        for rep in reps:
            rep = int(rep)
            what = STANCE_DECISIONS[int(decision[rep])]
            if ordered:
                self.stance[rep] = stance[rep]
                self.decide(rep, "DPRK", what, clause("own_order"))
                continue
            score = float(dprk.attend_score(rep))
            q = self.params
            threshold = (
                q.suspend_threshold[rep]
                if what == "suspends_participation"
                else q.return_threshold[rep]
                if self.stance[rep] == WALKED_OUT
                else q.resume_threshold[rep]
            )
            # + 0.0: a term that is exactly zero (negated, -0.0) shows as +0.00
            terms = {k: float(v) + 0.0 for k, v in dprk.attend_terms(rep).items()}
            why = [
                clause(
                    "readiness",
                    readiness=score,
                    sanctions=float(self.sanctions[rep]),
                    trust_in_us=float(dprk.trust_in(US_I, rep)),
                    grievance=float(self.grievance[rep]),
                ),
                clause(
                    "readiness_terms",
                    threshold=float(threshold),
                    margin=abs(score - float(threshold)),
                    **terms,
                ),
                *dprk.readiness_change(rep, terms),
                *self.month_events(),
            ]
            if what == "walks_out" or (what == "returns" and self.stance[rep] == WALKED_OUT):
                x = dprk.talks_text(rep)
                value = clause(
                    "outside_option_above_talks"
                    if what == "walks_out"
                    else "outside_option_below_talks",
                    outside=float(self.outside[rep, DPRK_I]),
                    talks_value=float(dprk.talks_value(rep)),
                    margin=abs(float(self.outside[rep, DPRK_I]) - float(dprk.talks_value(rep))),
                    performance=float(dprk.performance_probability(rep)),
                    text_utility=float(dprk.utility(x, rep)),
                    relief=float(dprk.sanctions_relief(rep)),
                )
                # The walk-out compares the outside option with the talks' value alone;
                # a return also needs readiness above return_threshold.
                value = [value, *dprk.talks_value_change(rep)]
                if what == "walks_out":
                    value.append(
                        clause(
                            "outside_option_sources",
                            start=float(self.outside_start[rep]),
                            sources=self.outside_sources[rep],
                        )
                    )
                if what == "walks_out":
                    value += self.month_events()
                why = value if what == "walks_out" else [*value, *why]
            self.stance[rep] = stance[rep]
            if what == "walks_out":
                self.return_months[rep] = 0
                self.recess_pending[rep] = False
            self.decide(rep, "DPRK", what, why)

    # ============================================================== sessions
    def _target_level(self, rep: int) -> str:
        """What the chair aims at in replicate ``rep``: a joint statement; the
        next phase (a joint document) once a joint statement is in force;
        while a phase is being implemented, a joint document that reopens and
        renegotiates it (its text, and the due months of its open steps)."""
        if self.ledgers[rep].active_phase is not None:
            return "joint_document"
        if self.best_document[rep] >= DOC_RANK["joint_statement"] and self.next_phase[rep] < len(
            self.spec.phases
        ):
            return "joint_document"
        return "joint_statement"

    def _convene(self) -> np.ndarray:
        """The chair's month in every replicate: resume a recessed round, or
        sound out the parties and invite; each party decides to attend; the
        replicates where all six attend hold a session.  Returns the (R,)
        mask of replicates that held one."""
        p = self.params
        china = self.parties[CHINA_I]
        R = self.R
        live = self.stance != WALKED_OUT
        resume = live & self.recess_pending
        scheduled = live & ~resume & (self.month in self._invitations)
        due = live & ~resume & ~scheduled & (self.months_since_session >= self.chair_wait)
        invited = resume | scheduled
        sound = np.flatnonzero(due)
        if sound.size:
            china.shuttle(sound)
            readiness = china.sound_out(sound)
            for b, rep in enumerate(sound):
                readiness[b] += float(self.rngs[rep].normal(0, p.noise[rep]))
            invited[sound[readiness >= china.strategy.invite_threshold]] = True
        idle = np.flatnonzero(live & ~resume & ~scheduled & ~due)
        if idle.size:
            china.shuttle(idle)
        held = np.zeros(R, dtype=bool)
        reps = np.flatnonzero(invited)
        if reps.size == 0:
            return held
        self.round_phase[reps] = np.where(resume[reps], self.round_phase[reps] + 1, 1)
        self.round[reps] += np.where(resume[reps], 0, 1)
        self.recess_pending[reps] = False
        sessions = []
        for rep in reps:
            how = "recess" if resume[rep] else "scenario" if scheduled[rep] else "chair"
            rec = self.records[rep]
            s = Session(
                len(rec.sessions),
                int(self.round[rep]),
                int(self.round_phase[rep]),
                self.month,
                how,
            )
            rec.sessions.append(s)
            sessions.append(s)
        self.n_sessions[reps] += 1
        if self._preview_hook is not None:
            self._preview_hook(self, sessions[0])
        attends = np.zeros((reps.size, 6), dtype=bool)
        scores = np.zeros((reps.size, 6))
        draws = np.zeros((reps.size, 6))
        orders: list = [None] * 6  # a seat's attendance order, per party
        # each replicate's generator and noise scale as plain Python objects (the
        # same draws: the scale reaches numpy as the same double)
        gens = [self.rngs[rep] for rep in reps.tolist()]
        scales = p.noise[reps].tolist()
        for party in self.parties:
            score = np.asarray(self.attend_readiness(party.idx, reps), dtype=float)
            draw = np.array([g.normal(0, x) for g, x in zip(gens, scales, strict=True)])
            o = self._orders(party.key)
            if o is not None and o.attend is not None:
                score[:], draw[:] = (1.0 if o.attend else 0.0), 0.0
                orders[party.idx] = o.attend
            scores[:, party.idx], draws[:, party.idx] = score, draw
            attends[:, party.idx] = score + draw > p.attend_threshold[reps]
        for b, (rep, s) in enumerate(zip(reps, sessions, strict=True)):
            s.attended = [PARTIES[i] for i in range(6) if attends[b, i]]
            s.declined = [PARTIES[i] for i in range(6) if not attends[b, i]]
            for k in s.declined:
                i = PARTIES.index(k)
                if i == DPRK_I and self.stance[rep] != PARTICIPATING and orders[i] is None:
                    why = clause("declined_participation_suspended")
                elif orders[i] is not None:
                    why = clause("own_order")
                else:
                    why = clause(
                        "declined_invitation",
                        readiness=float(scores[b, i]),
                        draw=float(draws[b, i]),
                        threshold=float(p.attend_threshold[rep]),
                    )
                if i == DPRK_I and orders[i] is None:
                    why = [
                        why,
                        *self.parties[DPRK_I].readiness_change(int(rep)),
                        *self.month_events(),
                    ]
                self.decide(int(rep), k, "boycotts", why)
            if s.declined:
                self.status[rep] = _BOYCOTT
            else:
                s.held = True
        self.months_since_session[reps] = 0
        full = attends.all(axis=1)
        if full.any():
            held[reps[full]] = True
            self._bargain(reps[full], [s for s, f in zip(sessions, full, strict=True) if f])
        return held

    def attend_readiness(self, i: int, r=ALL):
        """Party ``i``'s readiness to attend an invited session before noise,
        in [0, 1] (:meth:`Party.attend_score`; 0 for the DPRK unless it is
        participating).  It attends when readiness plus a noise draw exceeds
        ``parameters.attend_threshold``."""
        score = self.parties[i].attend_score(r)
        if i == DPRK_I:
            return np.where(self.stance[r] != PARTICIPATING, 0.0, score)
        return score

    def first_draft(self, r=ALL) -> np.ndarray:
        """The text the chair tables first in a session, one (n_issues,) row per
        replicate of ``r`` (China's draft on the current positions,
        :meth:`China.draft`); draws no random number and changes no state."""
        return self.parties[CHINA_I].draft(r)

    def bargaining_salience(self, r=ALL) -> np.ndarray:
        """(n, 6, n_issues) each party's salience as it enters the expected-utility
        model (:meth:`Party.bargaining_salience`: resolve, domestic constraint
        and the class's own lines), in [0, 1]."""
        return np.stack([q.bargaining_salience(r) for q in self.parties], axis=-2)

    def bargaining_parameters(self) -> BargainingParameters:
        """The expected-utility model's parameters from the scenario's (the same in
        every replicate: :data:`sixparty.replicates.PER_MODEL`).  The core's B12
        tolerance is left at its default: a session plays one round a draft and
        judges convergence itself, with each replicate's ``concession_tolerance``."""
        p = self.params
        return BargainingParameters(
            status_quo_probability=p.bdm_status_quo_probability,
            improvement_probability=p.bdm_improvement_probability,
            risk_exponent_max=p.bdm_risk_exponent_max,
            perception="receiver" if p.bdm_receiver_perception else "own",
        )

    def _open_sessions(self, H: np.ndarray, sessions: list[Session]) -> tuple:
        """The session's frame in replicates ``H``: direct contact and the
        chair's target, recorded on each session."""
        contact = np.asarray(self.parties[US_I].allows_direct_contact(H), dtype=bool)
        targets = [self._target_level(int(h)) for h in H]
        for b, s in enumerate(sessions):
            s.direct_contact = bool(contact[b])
            s.target = targets[b]
        return contact, np.array(targets, dtype=object)

    def _bargain(self, H: np.ndarray, sessions: list[Session]) -> None:
        """Sessions in replicates ``H``: drafts and expected-utility rounds
        until convergence or deadlock, every replicate at once.

        With ``parameters.expected_utility_sessions`` false the fixed-share
        session is played instead (:meth:`_bargain_fixed_share`).  Each draft:

        1. one round of Bueno de Mesquita's expected-utility model
           (:func:`sixparty.bargaining.bargaining_round`; Scholz, Calbert &
           Smith 2011) on the six parties' positions (n, 6, n_issues), capability and
           bargaining salience (:meth:`bargaining_salience`), issue scale 1;
        2. the chair drafts the round's forecast, the weighted median
           (:meth:`China.draft`); after ``stall_iterations`` drafts without a
           new acceptance Russia's package amends it (:meth:`Russia.package`);
           with ``parameters.chair_drafts_in_zopa`` the chair then tables the
           text nearest it that all six would sign (:meth:`China.draft_in_zopa`);
        3. each party judges the draft at the target level (utility of the
           text against its disagreement value, :meth:`Party.accepts`): all six
           accept -> ``converged``; ``chair_patience`` drafts in a row without
           a new acceptance -> ``deadlock``;
        4. positions move by the round's accepted offers (conflict,
           compromise, capitulation; B9-B11), each party keeping the issues
           its class will not bargain over (:meth:`Party.hold_in_round`) and a
           human seat its own choice; no position moving by
           ``concession_tolerance`` or more -> ``converged``.

        The document is the highest level all six accept on the final text.
        """
        p = self.params
        if not p.expected_utility_sessions:
            self._bargain_fixed_share(H, sessions)
            return
        china = self.parties[CHINA_I]
        russia = self.parties[RUSSIA_I]
        contact, targets = self._open_sessions(H, sessions)
        bp = self.bargaining_parameters()
        seated = {PARTIES.index(k) for k in self.seats}
        # Bargaining salience moves with resolve, domestic constraint and the
        # parties' lines, none of which a session changes: once for the session.
        sal_H = self.bargaining_salience(H)
        text = china.draft(H, sal_H)  # first_draft(H)
        start_gap = self.distances(text, H).mean(axis=-1)
        n = H.size
        # The session's offers open at the positions and are withdrawn when it
        # ends; positions follow them by ideal_accommodation (KTAB's newIdeals).
        offers = self.pos[H].copy()
        a = p.ideal_accommodation[H][:, None, None]
        best_accepts = np.full(n, -1)
        idle = np.zeros(n, dtype=np.int64)  # drafts without a new acceptance: patience
        active = np.ones(n, dtype=bool)
        for s in sessions:
            s.ending = "deadlock"
        zeuthen: list[dict[str, int]] = [{} for _ in range(n)]  # Zeuthen concessions
        bounded: list[dict[str, int]] = [{} for _ in range(n)]  # moves cut at the win-set
        zopa_moved = np.zeros(n, dtype=np.int64)  # drafts moved into the ZOPA
        zopa_empty = np.zeros(n, dtype=np.int64)  # drafts with the ZOPA empty
        for it in range(p.max_iterations):
            A = np.flatnonzero(active)
            if A.size == 0:
                break
            reps = H[A]
            for b in A.tolist():
                sessions[b].iterations = it + 1
            every = A.size == n
            salience = sal_H if every else sal_H[A]
            off_A = offers.copy() if every else offers[A]  # the round's and the draft's
            state = BargainingState(off_A, self.cap[reps], salience, 1.0)
            res = bargaining_round(state, bp)
            t = china.draft(reps, salience, off_A, forecast=res.median)
            stall = idle[A] >= p.stall_iterations[reps]
            if stall.any():
                t[stall] = russia.package(t[stall], reps[stall], offers[A[stall]])
            if p.chair_drafts_in_zopa:
                # after the package: an amendment of the forecast, which the
                # chair then brings into the zone like the forecast itself
                t, into, empty = china.draft_in_zopa(t, reps, targets[A], contact[A])
                zopa_moved[A] += into
                zopa_empty[A] += empty
            text[A] = t
            verdicts, issues, ended = self._judge_draft(
                sessions, A, reps, t, contact[A], targets[A], best_accepts, idle
            )
            active[A[ended]] = False
            go = ~ended
            if not go.any():
                continue
            C, creps = A[go], reps[go]
            for i in seated:  # a human seat's offer is what it chose (R = 1: row 0)
                for b in np.flatnonzero(go):
                    offers[A[b], i] = self._seat_offer(
                        i, offers[A[b], i], t[b], int(verdicts[b, i]), int(issues[b, i])
                    )
            before = offers[C]
            after = res.positions[go]
            new = Party.hold_all(self.parties, before, after, creps)
            if p.offers_within_win_set:
                bound = np.stack(
                    [
                        q.within_win_set(before[:, q.idx], new[:, q.idx], creps)
                        for q in self.parties
                    ],
                    axis=1,
                )
                cut = (bound != new).any(axis=-1)
                new = bound
                for b, i in zip(*np.nonzero(cut), strict=True):
                    if i in seated:  # a human seat's offer is its own: nothing was cut
                        continue
                    key = PARTIES[i]
                    bounded[C[b]][key] = bounded[C[b]].get(key, 0) + 1
            for i in seated:
                new[:, i] = before[:, i]  # a human seat keeps the position it chose
            by_round = np.ones((C.size, 6, 1), dtype=bool)
            if p.zeuthen_dprk_us:
                for b, rep in enumerate(creps):
                    conceders = self._zeuthen(int(rep), verdicts[go][b], int(idle[C[b]]))
                    for i, x in conceders.items():
                        if not np.array_equal(x, before[b, i]):
                            key = PARTIES[i]
                            zeuthen[C[b]][key] = zeuthen[C[b]].get(key, 0) + 1
                        new[b, i] = x
                        by_round[b, i] = False
            np.clip(new, 0.0, 1.0, out=new)
            offers[C] = new
            ac = a[C]  # exact at a = 1 (position := offer) and a = 0
            kept = {i: self.pos[creps, i].copy() for i in seated}
            self.pos[creps] = (1.0 - ac) * self.pos[creps] + ac * new
            for i, row in kept.items():  # a seat's offer is not its position
                self.pos[creps, i] = row
            kinds = res.accepted_outcome[go] * ((new != before) & by_round)
            conflicts = (kinds == CONFLICT).sum(axis=(1, 2))
            compromises = (kinds == COMPROMISE).sum(axis=(1, 2))
            capitulations = (kinds == CAPITULATION).sum(axis=(1, 2))
            moved = self.distances_between(before, new, creps).max(axis=-1)
            still = moved < p.concession_tolerance[creps]  # no party will move further
            active[C[still]] = False
            for c, n1, n2, n3, st in zip(
                C.tolist(),
                conflicts.tolist(),
                compromises.tolist(),
                capitulations.tolist(),
                still.tolist(),
                strict=True,
            ):
                s = sessions[c]
                s.conflicts += n1
                s.compromises += n2
                s.capitulations += n3
                if st:
                    s.ending = "converged"
        for b in np.flatnonzero(active):
            sessions[b].reasons.append(clause("deadlock_chair_bound", drafts=p.max_iterations))
        if p.chair_drafts_in_zopa:
            for b in range(n):
                if zopa_moved[b] or zopa_empty[b]:
                    sessions[b].reasons.append(
                        clause("zopa_drafts", moved=int(zopa_moved[b]), empty=int(zopa_empty[b]))
                    )
        # Per session: the moves cut at the win-set's edge, then the Zeuthen concessions.
        for code, name, counts in (
            ("win_set_bounds", "moves", bounded),
            ("zeuthen_concessions", "concessions", zeuthen),
        ):
            for b, z in enumerate(counts):
                if z:
                    by_party = sorted(z.items(), key=lambda kv: PARTIES.index(kv[0]))
                    sessions[b].reasons.append(clause(code, **{name: by_party}))
        self._conclude(H, sessions, text, start_gap, contact, targets)

    def _zeuthen(self, rep: int, verdicts: np.ndarray, idle: int) -> dict[int, np.ndarray]:
        """Zeuthen's principle between the DPRK and the US in replicate ``rep``
        (Zeuthen 1930; Harsanyi 1956).

        Only with ``parameters.zeuthen_dprk_us`` (off by default).  When
        acceptance has stalled (``stall_iterations`` drafts without a new
        acceptance) and the only holdouts are the DPRK and the US, the one with
        the smaller risk limit against the other's position concedes (both on
        a tie): its position this draft is its minimal concession
        (:meth:`Party.zeuthen_concession`) instead of its expected-utility
        move, and the other holds its offer.  Risk limits value offers from
        each party's anchor (:meth:`Party.reference_utility`).  Returns party
        index -> new position (both parties); empty otherwise.  A human seat
        keeps its own position.
        """
        if not self.params.zeuthen_dprk_us or idle < self.params.stall_iterations[rep]:
            return {}
        holdouts = {i for i in range(6) if verdicts[i] != ACCEPT}
        if not holdouts or not holdouts <= {DPRK_I, US_I}:
            return {}
        dprk, us = self.parties[DPRK_I], self.parties[US_I]
        d_pos, u_pos = self.pos[rep, DPRK_I], self.pos[rep, US_I]
        r_d = dprk.risk_limit(d_pos, u_pos, rep)
        r_u = us.risk_limit(u_pos, d_pos, rep)
        d_concedes, u_concedes = zeuthen_concedes(r_d, r_u)
        # The one that does not concede holds its offer (Zeuthen's protocol).
        out = {
            DPRK_I: dprk.zeuthen_concession(us, rep) if d_concedes else d_pos.copy(),
            US_I: us.zeuthen_concession(dprk, rep) if u_concedes else u_pos.copy(),
        }
        return {i: x for i, x in out.items() if self.parties[i].key not in self.seats}

    def _responses(self, reps, text, contact, targets, dist) -> tuple[np.ndarray, np.ndarray]:
        """Every party's response to ``text`` (one row per replicate of
        ``reps``) at each replicate's target level: (n, 6) verdict codes and
        amended issues; a human seat's standing order replaces its agent's."""
        n = len(reps)
        verdicts = np.zeros((n, 6), dtype=np.int64)
        issues = np.full((n, 6), -1, dtype=np.int64)
        for level in dict.fromkeys(targets):
            rows = targets == level
            if rows.all():
                verdicts, issues = Party.respond_all(self.parties, text, level, contact, reps, dist)
            else:
                verdicts[rows], issues[rows] = Party.respond_all(
                    self.parties, text[rows], level, contact[rows], reps[rows], dist[rows]
                )
        for q in self.parties:
            o = self._orders(q.key)
            if o is not None and o.respond is not None:
                verdicts[0, q.idx], issues[0, q.idx] = self._seat_response(q, o, text[0])
        return verdicts, issues

    def _seat_response(self, q: Party, o: SeatOrders, text: np.ndarray) -> tuple[int, int]:
        """A human seat's response to ``text`` (R = 1): its standing order.

        The verdict only: the seat's positions are not touched (what its
        accept or amendment puts on the table for the rest of the session is
        :meth:`_seat_offer`'s)."""
        if o.respond == "amend":
            issue = (
                ISSUES.index(o.amend_issue)
                if o.amend_issue
                else int(np.argmax(np.abs(text - self.pos[0, q.idx]) * self.sal[0, q.idx]))
            )
            return AMEND, issue
        if o.respond == "accept":
            return ACCEPT, -1
        return REJECT, -1

    def _seat_offer(self, i: int, offer: np.ndarray, text: np.ndarray, verdict: int, issue: int):
        """The session offer (n_issues,) of seated party ``i`` after its
        ``verdict`` on ``text`` (R = 1): accepting offers the text, an
        amendment with ``amend_to`` offers that position on ``issue``,
        otherwise the offer stands.  Offers are the session's and are
        withdrawn when it ends, so a seat's choice never becomes its
        position (positions, utilities and the debrief stay the party's)."""
        o = self._orders(PARTIES[i])
        out = offer.copy()
        if verdict == ACCEPT:
            out[:] = text
        elif verdict == AMEND and o is not None and o.respond == "amend" and o.amend_to is not None:
            out[issue] = o.amend_to
        return out

    def _seat_signs(self, i: int) -> bool | None:
        """Whether seated party ``i`` signs the session's document by its
        standing order: True for accept (at the target level and below),
        False for amend or reject; None without a seat's respond order (the
        agent's acceptance rule decides)."""
        o = self._orders(PARTIES[i])
        if o is None or o.respond is None:
            return None
        return o.respond == "accept"

    def _judge_draft(
        self, sessions, A, reps, text, contact, targets, best_accepts, idle
    ) -> tuple[np.ndarray, np.ndarray]:
        """Table one draft in the sessions ``A`` (replicates ``reps``): record
        it, take the six responses, and say where the session ends here -
        ``converged`` when all six accept, a declared deadlock when
        ``chair_patience`` drafts in a row brought no new acceptance.

        Updates the chair's counts ``best_accepts`` and ``idle`` (drafts
        without progress) in place.  Returns ``(verdicts (n, 6), amended
        issues (n, 6), ended (n,))``.
        """
        for c, row in zip(A.tolist(), text.copy(), strict=True):  # rows of one copy
            sessions[c].drafts.append(row)
        dist = self.distances(text, reps)
        verdicts, issues = self._responses(reps, text, contact, targets, dist)
        accepts = (verdicts == ACCEPT).sum(axis=1)
        ended = accepts == 6
        for c in A[ended]:
            sessions[c].ending = "converged"
        better = accepts > best_accepts[A]
        best_accepts[A] = np.where(better, accepts, best_accepts[A])
        idle[A] = np.where(better, 0, idle[A] + 1)
        # the chair's patience has run out
        out_of_patience = ~ended & (idle[A] >= self.params.chair_patience[reps])
        for c in A[out_of_patience]:
            sessions[c].reasons.append(clause("deadlock_no_new_acceptance", drafts=idle[c]))
        return verdicts, issues, ended | out_of_patience

    def _bargain_fixed_share(self, H: np.ndarray, sessions: list[Session]) -> None:
        """The fixed-share session (``expected_utility_sessions: false``), kept
        for comparison: a weighted-mean draft, amendments, and non-accepting
        parties conceding a share of the gap to it."""
        p = self.params
        parties = self.parties
        china = parties[CHINA_I]
        russia = parties[RUSSIA_I]
        contact, targets = self._open_sessions(H, sessions)
        # Bargaining salience moves with resolve, domestic constraint and the
        # parties' lines, none of which a session changes: once for the session.
        sal_H = self.bargaining_salience(H)
        text = china.draft(H, sal_H)  # first_draft(H)
        start_gap = self.distances(text, H).mean(axis=-1)
        n = H.size
        best_accepts = np.full(n, -1)
        idle = np.zeros(n, dtype=np.int64)
        active = np.ones(n, dtype=bool)
        for s in sessions:
            s.ending = "deadlock"
        for it in range(p.max_iterations):
            A = np.flatnonzero(active)
            if A.size == 0:
                break
            reps = H[A]
            for b in A.tolist():
                sessions[b].iterations = it + 1
            t = text[A]
            verdicts, issues, ended = self._judge_draft(
                sessions, A, reps, t, contact[A], targets[A], best_accepts, idle
            )
            active[A[ended]] = False
            go = ~ended
            if not go.any():
                continue
            C, creps = A[go], reps[go]
            t, verdicts, issues = t[go], verdicts[go], issues[go]
            # Amendments: pull the text toward each asker on its issue, by its weight.
            amended = t.copy()
            cap, sal, pos = self.cap[creps], self.sal[creps], self.pos[creps]
            wsum = (cap[:, :, None] * sal).sum(axis=1).max(axis=1)
            for q in parties:
                rows = np.flatnonzero(verdicts[:, q.idx] == AMEND)
                o = self._orders(q.key)
                for b in rows:
                    k = issues[b, q.idx]
                    w = cap[b, q.idx] * sal[b, q.idx, k] / wsum[b]
                    # a seat's amendment asks for its amend_to, an agent's for its position
                    seat_ask = o is not None and o.respond == "amend" and o.amend_to is not None
                    ask = o.amend_to if seat_ask else pos[b, q.idx, k]
                    amended[b, k] += min(p.amendment_weight_cap[creps[b]], w) * (
                        ask - amended[b, k]
                    )
            # Concessions: parties not accepting move toward the text; the chair
            # urges the DPRK and the US to step toward each other (§第三轮).
            before = self.pos[creps]
            for q in parties:
                rows = np.flatnonzero(verdicts[:, q.idx] != ACCEPT)
                if rows.size:
                    boost = china.strategy.shuttle if q.idx in (DPRK_I, US_I) else 0.0
                    q.concede(t[rows], boost, creps[rows])
            moved = self.distances_between(before, self.pos[creps], creps).max(axis=-1)
            conv = moved < p.concession_tolerance[creps]
            for c in C[conv]:
                # Converged: no party will move further on this text.
                sessions[c].ending = "converged"
            active[C[conv]] = False
            keep = ~conv
            if keep.any():
                C2, r2 = C[keep], creps[keep]
                share = p.amendment_share[r2][:, None]
                nxt = (1.0 - share) * china.draft(r2) + share * amended[keep]
                stall = idle[C2] >= p.stall_iterations[r2]
                if stall.any():
                    nxt[stall] = russia.package(nxt[stall], r2[stall])
                text[C2] = nxt
        for b in np.flatnonzero(active):
            sessions[b].reasons.append(clause("deadlock_chair_bound", drafts=p.max_iterations))
        self._conclude(H, sessions, text, start_gap, contact, targets)

    def _conclude(self, H, sessions, text, start_gap, contact, targets) -> None:
        """The sessions' end: the final text, the document all six accept, recess."""
        p = self.params
        dist = self.distances(text, H)
        gaps = np.abs(self.pos[H] - text[:, None, :])
        common = np.all(gaps <= p.common_ground_distance[H][:, None, None], axis=1).sum(axis=-1)
        # The document: the highest level, up to the target, whose acceptance
        # rule all six meet on the final text.  A text that falls short of the
        # target is offered as the next lower level in every session (a vaguer
        # document leaves more slack: parameters.slack_<level>).
        acc = Party.accepts_all(self.parties, text, _SLACK_LEVELS, contact, H, dist)
        # A human seat signs by its standing order (R = 1: row 0); the levels
        # looked at are the target and below.
        for i in range(6):
            signs = self._seat_signs(i)
            if signs is not None:
                for level in _SLACK_LEVELS:
                    acc[level][0, i] = signs
        end_gap = dist.mean(axis=-1)
        narrowing = end_gap < p.recess_narrowing[H] * start_gap
        # Every draft valued with the positions the parties hold at the end, so
        # drafts and the final text are compared on the same preferences: the
        # drafts of all the sessions at once (each row's sums are its own).
        counts = [len(s.drafts) for s in sessions]
        draft_utilities = np.split(
            1.0
            - self.distances(
                np.concatenate([np.array(s.drafts) for s in sessions]), np.repeat(H, counts)
            ),
            np.cumsum(counts)[:-1],
        )
        # one replicate's values as Python objects (the same numbers and truths)
        signed = {level: a.tolist() for level, a in acc.items()}
        oral_min = p.oral_summary_min_issues[H].tolist()
        more_phases = (self.round_phase[H] < p.max_phases_per_round[H]).tolist()
        for b, rep in enumerate(H.tolist()):
            s = sessions[b]
            target = str(targets[b])
            s.text = text[b].copy()
            s.draft_utilities = draft_utilities[b]
            s.utilities = 1.0 - dist[b]
            s.common_ground = int(common[b])
            document = "none"
            for level in _SLACK_LEVELS:
                if DOC_RANK[level] > DOC_RANK[target]:
                    continue
                if all(signed[level][b]):
                    document = level
                    break
            if document == "none" and s.common_ground >= oral_min[b]:
                document = "oral_summary"
            s.document = document
            s.recess = bool(
                DOC_RANK[document] < DOC_RANK[target] and narrowing[b] and more_phases[b]
            )
            self.recess_pending[rep] = s.recess
            holdouts = [q.key for q in self.parties if not signed[target][b][q.idx]]
            if holdouts:
                s.reasons.append(clause("holdouts", level=target, parties=holdouts))
        self._document_trust(H, sessions)
        for b, rep in enumerate(H):
            self._after_document(int(rep), sessions[b])

    def _seat_pace(self, key: str, will: float) -> float:
        o = self._orders(key)
        if o is None or o.implementation is None:
            return will
        slow = float(self.params.seat_slow_pace[0])  # a seat is taken only with R = 1
        return {"perform": 1.0, "slow": slow, "suspend": 0.0}[o.implementation]

    def _document_trust(self, H: np.ndarray, sessions: list[Session]) -> None:
        """What the sessions in replicates ``H`` do to trust, every replicate
        at once: a document binds (every party observes every other
        cooperate, by the document's anchor pull plus
        ``document_trust_weight``); a session without one costs the DPRK's
        and the US's trust in each other; direct contact builds it."""
        p = self.params
        ranks = np.array([DOC_RANK[s.document] for s in sessions])
        doc = ranks >= DOC_RANK["chairmans_statement"]
        if doc.any():
            pull = np.array(
                [
                    float(getattr(p, f"anchor_pull_{s.document}")[h]) if d else 0.0
                    for h, s, d in zip(H, sessions, doc, strict=True)
                ]
            )[doc]
            reps = H[doc]
            w = (pull + p.document_trust_weight[reps])[:, None, None]
            off = ~np.eye(6, dtype=bool)
            ev_a, ev_b = self._ev_a[reps], self._ev_b[reps]
            ev_a = np.where(off, ev_a + w * 1.0, ev_a)
            ev_b = np.where(off, ev_b + w * 0.0, ev_b)
            self._ev_a[reps], self._ev_b[reps] = ev_a, ev_b
            a = self._prior_a[reps] + ev_a
            trust = self.trust[reps]
            self.trust[reps] = np.where(off, a / (a + self._prior_b[reps] + ev_b), trust)
        none = H[ranks == DOC_RANK["none"]]
        if none.size:
            self.observe(none, DPRK_I, US_I, 0.0, p.failed_session_trust_weight[none])
            self.observe(none, US_I, DPRK_I, 0.0, p.failed_session_trust_weight[none])
        contact = H[np.array([s.direct_contact for s in sessions], dtype=bool)]
        if contact.size:
            # US-DPRK contact inside the session builds their mutual trust.
            self.observe(contact, DPRK_I, US_I, 1.0, p.direct_contact_trust_weight[contact])
            self.observe(contact, US_I, DPRK_I, 1.0, p.direct_contact_trust_weight[contact])

    def _after_document(self, rep: int, s: Session) -> None:
        """A document binds: anchors move toward the agreed text, a joint
        document sets the ledger, the chair's patience and the agreed text
        follow (trust: :meth:`_document_trust`, before this)."""
        p = self.params.at(rep)
        doc = s.document
        rank = DOC_RANK[doc]
        if rank >= DOC_RANK["chairmans_statement"]:
            pull = float(getattr(p, f"anchor_pull_{doc}"))
            self.anchor[rep] += pull * (s.text[None, :] - self.anchor[rep])
        # A document improves on the talks when it reaches a higher level than
        # before, or when a joint document adopts a phase or reopens a stalled
        # one (set by _adopt_from_text); a joint document that only
        # reaffirms the phase in force does not bring the chair back sooner.
        if doc == "joint_document":
            self._adopt_from_text(rep, s)
        best = int(self.best_document[rep])
        improved = rank > best or bool(s.adopted_phase or s.renegotiated)
        if improved:
            self.best_document[rep] = max(rank, best)
            self.chair_wait[rep] = p.min_months_between_sessions
        elif not s.recess:
            self.chair_wait[rep] = min(
                p.chair_max_wait, p.chair_wait_factor * int(self.chair_wait[rep])
            )
        if rank >= DOC_RANK["joint_statement"]:
            self.agreed_text[rep] = s.text
            self.has_agreed_text[rep] = True

    def _adopted_phase(self, text, rep: int = 0) -> int | None:
        """The phase a joint document with ``text`` (n_issues values) adopts in
        replicate ``rep``: the earliest phase of the menu, from its
        ``next_phase`` on, whose terms the text covers
        (:meth:`sixparty.scenario.Phase.covered_by`); None if it covers none.

        Action for action is step by step (article §第三轮:
        "以循序渐进的方式，按照口头对口头、行动对行动"): a text that covers
        several phases' terms starts the sequence at the first of them, whose
        DPRK steps are paired with that phase's counterpart steps (the 9·19
        package was implemented by the 2·13 "起步行动" first, §第五轮 第三阶段);
        the deeper phases need documents of their own.  Open phases before the
        adopted one, whose terms the text does not cover, are closed."""
        for k in range(int(self.next_phase[rep]), len(self.spec.phases)):
            if self.spec.phases[k].covered_by(text):
                return k
        return None

    def _suspension_phase(self, rep: int, active: int | None) -> int:
        """The phase (0-based) the DPRK suspended its steps under in replicate
        ``rep``: that of the counterpart steps it suspended over, else the phase
        in force (``active``), else the latest adopted one."""
        led = self.ledgers[rep]
        ids = set(self.suspension_cause[rep])
        phases = [st.phase for st in led.steps if st.step_id in ids]
        if phases:
            return max(phases)
        if active is not None:
            return active
        return led.phases[-1]["phase"] if led.phases else 0

    def _adopt_from_text(self, rep: int, s: Session) -> None:
        """A joint document sets the ledger from its text: it adopts the phase
        whose terms the text covers (a phase in force, if any, is superseded:
        its open steps are no longer owed); a text that covers no new phase
        renegotiates the phase in force (its open steps re-dated), or, with
        none in force, adopts nothing."""
        led = self.ledgers[rep]
        active = led.active_phase
        k = self._adopted_phase(s.text, rep)
        if k is not None:
            if active is not None:
                n = led.supersede(active, self.month)
                s.reasons.append(clause("phase_superseded", phase=active + 1, open_steps=n))
            ph = self.spec.phases[k]
            base = ph.provider_shares()
            refusing = tuple(
                PARTIES[j]
                for j in AID_PROVIDERS
                if base[PARTIES[j]] > 0 and self.parties[j].refuses_aid_pledge()
            )
            shares = {PARTIES.index(key): v for key, v in ph.provider_shares(refusing).items()}
            commitments = []
            for cs in ph.commitments(s.text):
                j = PARTIES.index(cs.party)
                if self.parties[j].refuses_commitment(cs.step):
                    s.reasons.append(clause("commitment_refused", step=cs.step, party=cs.party))
                else:
                    commitments.append((cs.tranche, j, cs.step))
            led.adopt(
                k,
                ph,
                self.month,
                AID_PROVIDERS,
                DPRK_I,
                US_I,
                shares=shares,
                commitments=commitments,
            )
            s.adopted_phase = ph.name
            if refusing and ph.aid_tonnes > 0:
                s.reasons.append(clause("aid_pledge_refused", parties=refusing))
            self.next_phase[rep] = k + 1
            if self.dprk_suspended_steps[rep]:
                # Adopting a new phase lifts the DPRK's suspension: the steps it
                # suspended over are no longer owed.  Its decision is recorded
                # (decisions.csv), naming the phase it suspended under and the new one.
                under = self._suspension_phase(rep, active)
                self.decide(
                    rep,
                    "DPRK",
                    "resumes_steps",
                    clause("overdue_steps_superseded", phase=under + 1, adopted=k + 1),
                )
            self.dprk_suspended_steps[rep] = False
            self.suspension_cause[rep] = []
        elif active is not None:
            china = self.parties[CHINA_I]
            stalled = china.phase_stalled(rep)
            if stalled:
                # The chair reopens a stalled phase: its open steps fall due afresh.
                ph = self.spec.phases[active]
                led.reschedule(active, self.month, ph.months)
                s.reasons.append(clause("phase_renegotiated"))
                s.reasons.append(clause("phase_reopened", stall=stalled))
                s.renegotiated = True
            else:
                s.reasons.append(clause("phase_reaffirmed"))
        elif self.next_phase[rep] < len(self.spec.phases):
            s.reasons.append(clause("no_phase_covered"))

    # ================================================================= step
    def step(self) -> None:
        """Advance one month in every replicate (see the module docstring for the order)."""
        if self.month >= self.start + self.n_months:
            self.running = False
            return
        for rec in self.records:
            rec.events = []
        self.status[:] = _NO_TALKS
        # Evidence fades: old cooperation and defection weigh less each month.
        mem = self.params.trust_memory[:, None, None]
        self._ev_a *= mem
        self._ev_b *= mem
        self.grievance *= self.params.grievance_memory
        self._refresh_trust()
        self._apply_events()
        self._apply_statements()
        # The way out a hurting stalemate moves the parties' lines toward
        # (Party.reconsider_line): the chair's forecast text, drawn before anyone moves.
        self.way_out = self.parties[CHINA_I].draft() if self._ripeness else None
        for party in self.parties:
            party.step()
        np.clip(self.pos, 0.0, 1.0, out=self.pos)
        impl = self._implementation()
        self._update_stance()
        self.months_since_session += 1
        held = self._convene()
        quiet = ~held & (self.status != _BOYCOTT)
        self.status[held] = _IN_SESSION
        self.status[quiet & (self.stance == WALKED_OUT)] = _WALKED
        self.status[quiet & (self.stance == SUSPENDED)] = _SUSP
        self.status[quiet & (self.stance == PARTICIPATING) & self.recess_pending] = _RECESS
        self._record(impl)
        self.month += 1
        if self.month >= self.start + self.n_months:
            self.running = False

    def _record(self, impl: list[str]) -> None:
        t = self.month - self.start
        codes = self._tl_codes[:, t]
        codes[:, 0] = self.status
        codes[:, 1] = self.stance
        codes[:, 2] = [_IMPL_CODE[x] for x in impl]
        f = self._tl_floats[:, t]
        f[:, 0] = self.progress
        f[:, 3] = self.sanctions
        f[:, 4] = self.mean_trust()
        f[:, 5] = self.trust[:, DPRK_I, US_I]
        f[:, 6] = self.trust[:, US_I, DPRK_I]
        self._record_state(t)
        order = FACILITY_STATES.index
        for rep, rec in enumerate(self.records):
            if rec.ledger.steps:
                pledged, delivered, by = rec.ledger.aid_totals(AID_PROVIDERS)
                f[rep, 1] = pledged
                f[rep, 2] = delivered
                f[rep, 7:] = by
                self._tl_facilities[rep, t] = [order(v) for v in rec.facilities.values()]
            rec.event_log.append(";".join(rec.events))
        self._recorded = t + 1
        if self.record_positions:
            self.pos_hist[:, t] = self.pos
            self.sal_hist[:, t] = self.sal
            self.trust_hist[:, t] = self.trust

    def _record_state(self, t: int) -> None:
        """Month ``t``'s :data:`TIMELINE_STATE` columns, every replicate.  Pure reads
        of the DPRK's methods: no random draw, so recording never changes a run."""
        dprk = self.parties[DPRK_I]
        state = self._tl_state[:, t]
        terms = dprk.attend_terms()
        parts = dprk.talks_value_parts()
        state[:, 0] = dprk.readiness_of(terms.values())  # DPRK.attend_score
        state[:, 1] = self.outside[:, DPRK_I]
        state[:, 2] = parts["value"]  # DPRK.talks_value
        state[:, 3] = dprk.pressure()
        state[:, 4] = self.grievance
        state[:, 5] = self.china_shuttle_credit
        # kept for next month's "since last month" clauses
        for k, name in enumerate(dprk.ATTEND_TERMS):
            self.dprk_terms_last[:, k] = terms[name]
        self.dprk_value_last[:, 0] = self.outside[:, DPRK_I]
        self.dprk_value_last[:, 1] = parts["value"]
        self.dprk_value_last[:, 2] = parts["performance"]
        self.dprk_value_last[:, 3] = parts["text_utility"]
        self.dprk_value_last[:, 4] = parts["relief"]

    def _timeline_rows(self, rep: int, t0: int, t1: int) -> list[dict]:
        """Replicate ``rep``'s ``timeline.csv`` rows of months ``t0 .. t1 - 1`` of the
        window (dicts, the columns ``_tl_keys``), from the monthly arrays
        read once for the whole span, column by column."""
        cols = self._timeline_columns(rep, t0, t1)
        # lengths checked by _timeline_columns
        return [dict(zip(self._tl_keys, row, strict=False)) for row in zip(*cols, strict=False)]

    def _timeline_columns(self, rep: int, t0: int, t1: int) -> list[list]:
        """Replicate ``rep``'s ``timeline.csv`` columns (``_tl_keys``, in order) of
        months ``t0 .. t1 - 1``: one list of plain Python values per column."""
        keys = self._tl_keys
        n_fixed = len(_TIMELINE_FLOATS)
        # (columns, months) lists of plain Python values, the same as row by row
        codes = self._tl_codes[rep, t0:t1].T.tolist()
        floats = self._tl_floats[rep, t0:t1].T.tolist()
        facilities = self._tl_facilities[rep, t0:t1].T.tolist()
        state = self._tl_state[rep, t0:t1].T.tolist()
        cols = [
            self._tl_months[t0:t1],
            [TALKS_STATUSES[c] for c in codes[0]],
            [STANCES[c] for c in codes[1]],
            [IMPLEMENTATION_STATUSES[c] for c in codes[2]],
            *floats[:n_fixed],
            self.records[rep].event_log[t0:t1],
            *floats[n_fixed:],
            *([FACILITY_STATES[x] for x in col] for col in facilities),
            *state,
            self._reanchored_column(rep, t0, t1),
        ]
        if len(cols) != len(keys) or any(len(c) != t1 - t0 for c in cols):
            raise ValueError(f"timeline columns do not fit months {t0}..{t1}")
        return cols

    def _reanchored_column(self, rep: int, t0: int, t1: int) -> list[str]:
        """Replicate ``rep``'s ``reanchored`` cells of months ``t0 .. t1 - 1``: ``""``
        but in the months with re-anchorings (:meth:`_reanchored_cell`)."""
        column = [""] * (t1 - t0)
        for t in self._reanchored:
            if t0 <= t < t1:
                column[t - t0] = self._reanchored_cell(rep, t)
        return column

    def _reanchored_cell(self, rep: int, t: int) -> str:
        """Replicate ``rep``'s ``reanchored`` cell of month ``t`` of the window:
        :func:`reanchored_text` of the month's re-anchorings, with what is the same
        in every replicate (the names, the stated value rounded) made once a month."""
        items = self._reanchored.get(t)
        if not items:
            return ""
        made = self._reanchored_parts.get(t)
        if made is not None and made[0] is items:
            parts = made[1]
        else:
            parts = [
                (
                    f'{{"party":"{PARTIES[i]}","issue":"{ISSUES[k]}","from":',
                    float(f"{v:.2f}"),
                    b,
                )
                for i, k, v, b in items
            ]
            self._reanchored_parts[t] = (items, parts)
        # as reanchored_text: an entry whose move rounds to nothing is left out
        out = [
            f'{head}{a2!r},"to":{b2!r}}}'
            for head, b2, b in parts
            if (a2 := float(f"{b[rep]:.2f}")) != b2
        ]
        return "[" + ",".join(out) + "]" if out else ""

    def run(self) -> None:
        """Run the whole window."""
        while self.running:
            self.step()


__all__ = [
    "DOC_LEVELS",
    "TALKS_STATUSES",
    "TIMELINE_STATE",
    "ReplicateRecord",
    "SeatBriefing",
    "SeatOrders",
    "Session",
    "TalksModel",
]
