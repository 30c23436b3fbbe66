"""Typed scenario objects (pydantic) for sixparty.

A scenario is data: the parties' capability, positions and salience on the
eight bargaining issues, the stated positions the article records, exogenous
events with typed effects, optional dated invitations by the chair, model
parameters and a seed.  Nothing in here says what *happened*: the historical
record lives in ``analysis/data/record.yaml`` and only validation reads it.

All models forbid unknown keys, so a misspelt key is an error, not a silent
default.  Reading YAML files and turning validation errors into messages with
file, line and column is done at the edge, in :mod:`sixparty.loader`.

Scales
------
Every position and salience is a float in [0, 1].  What 0 and 1 mean on each
issue is given by :data:`ISSUE_SCALES` (and repeated in each scenario file under
``issues:`` so a reader of the YAML sees it).  Months are written ``YYYY-MM``;
event dates ``YYYY-MM-DD`` or ``YYYY-MM``.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

#: Party keys as written in scenario files, in the article's heads-of-delegation
#: order (DPRK, US, China, ROK, Japan, Russia); source: ../shared/DOMAIN.md.
PARTIES: tuple[str, ...] = ("DPRK", "US", "China", "ROK", "Japan", "Russia")

#: The nine bargaining issues, in order: DOMAIN.md §Issues' eight, with its
#: denuclearization split into the *scope* (``denuclearization``: what the DPRK gives
#: up) and the *sequence* (``sequence``: when, against the rewards), appended last so
#: the other issues keep their indices (docs/model.md §3.14).
ISSUES: tuple[str, ...] = (
    "denuclearization",
    "security_assurance",
    "energy_aid",
    "normalization",
    "sanctions_relief",
    "lwr",
    "verification",
    "format",
    "sequence",
)

#: The scenario format of these issues: a file may say ``format_version: 2`` (the nine
#: issues) or ``1`` (the eight of before 2026-12-03, read by :mod:`sixparty.loader`
#: with each denuclearization value also on ``sequence``); docs/scenarios.md.
FORMAT_VERSION: int = 2

#: The number of issues (the last axis of every position, salience and text array).
N_ISSUES: int = len(ISSUES)

#: What 0 and 1 mean on each issue (the position a party advocates).
ISSUE_SCALES: dict[str, tuple[str, str]] = {
    "denuclearization": (
        "freeze only, deterrent kept",
        "complete, verifiable, irreversible abandonment of all weapons and programmes",
    ),
    "security_assurance": (
        "no security assurance offered",
        "binding guarantee: a written non-aggression treaty",
    ),
    "energy_aid": (
        "no energy or economic aid",
        "large aid (HFO) delivered up front, unconditionally",
    ),
    "normalization": (
        "no steps toward normalized relations",
        "full US-DPRK and Japan-DPRK normalization committed now",
    ),
    "sanctions_relief": (
        "sanctions kept and widened, no delisting",
        "all sanctions lifted, frozen funds released, removed from the terrorism list",
    ),
    "lwr": (
        "no light-water reactor, no right to peaceful nuclear use",
        "LWR provided before the DPRK returns to the NPT",
    ),
    "verification": (
        "self-declaration only, no verification",
        "intrusive IAEA verification of a complete declaration (sampling, inspections)",
    ),
    "format": (
        "strictly multilateral: no US-DPRK contact without others present",
        "direct bilateral US-DPRK talks",
    ),
    "sequence": (
        "simultaneous, phased: action for action",
        "dismantlement before any reward",
    ),
}

DOCUMENT_TYPES: tuple[str, ...] = (
    "none",
    "oral_summary",
    "chairmans_statement",
    "joint_statement",
    "joint_document",
)

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def month_index(year: int, month: int) -> int:
    """Months since year 0: ``year * 12 + month - 1`` (an int, sortable)."""
    return year * 12 + month - 1


def month_label(index: int) -> str:
    """``YYYY-MM`` for a month index made by :func:`month_index`."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _parse_month(value: object) -> str:
    if isinstance(value, _dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, str):
        m = _MONTH_RE.match(value.strip())
        if m and 1 <= int(m.group(2)) <= 12:
            return value.strip()
        d = _DATE_RE.match(value.strip())
        if d:
            _dt.date(int(d.group(1)), int(d.group(2)), int(d.group(3)))
            return value.strip()[:7]
    raise ValueError("expected a month written YYYY-MM, e.g. 2003-08")


def _parse_date(value: object) -> str:
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str):
        s = value.strip()
        d = _DATE_RE.match(s)
        if d:
            try:
                _dt.date(int(d.group(1)), int(d.group(2)), int(d.group(3)))
            except ValueError as exc:
                raise ValueError(f"not a real date: {exc}") from None
            return s
        m = _MONTH_RE.match(s)
        if m and 1 <= int(m.group(2)) <= 12:
            return s
    raise ValueError("expected a date written YYYY-MM-DD (or YYYY-MM), e.g. 2004-02-25")


class _Strict(BaseModel):
    # allow_inf_nan=False: YAML's .inf/.nan are floats, and no figure of a scenario may be infinite.
    model_config = ConfigDict(
        extra="forbid", frozen=False, validate_assignment=True, allow_inf_nan=False
    )


def _quoted_number(value: str, whole: bool) -> str | None:
    """``value`` as the finite number it spells (``'42'`` -> ``42``), or None if it spells none."""
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        return None
    if not math.isfinite(number):
        return None  # 'inf': refused as not finite, like .inf
    if whole:
        # '5.5' goes on to pydantic: "expected a whole number", not "write 5.5"
        return str(int(number)) if number.is_integer() else None
    return text if text.isascii() and "_" not in text else repr(number)


def _refuse_non_number(value: object, what: str) -> object:
    # YAML's true/false would otherwise pass as 1/0, and pydantic's lax mode would read
    # the quoted text '0.1' as 0.1: a number is written as a number (YAML 1.2).  Other
    # text goes on to pydantic, which refuses it with the loader's usual words.
    if isinstance(value, bool):
        raise ValueError(f"expected {what}, not a yes/no value")
    if isinstance(value, str):
        number = _quoted_number(value, whole=what != "a number")
        if number is not None:
            raise ValueError(
                f"expected {what}, not text, got {value!r}; write {number} as a plain number"
                " (no quotes)"
            )
    return value


def _no_bool(value: object) -> object:
    """A number field's check: refuse true/false and quoted numbers (:func:`_refuse_non_number`)."""
    return _refuse_non_number(value, "a number")


def _whole(value: object) -> object:
    """A whole-number field's check: refuse true/false and quoted numbers."""
    return _refuse_non_number(value, "a whole number")


Unit = Annotated[float, BeforeValidator(_no_bool), Field(ge=0.0, le=1.0)]
Delta = Annotated[float, BeforeValidator(_no_bool), Field(ge=-1.0, le=1.0)]


class Source(_Strict):
    """Where a figure comes from.

    ``quote`` is a sentence copied verbatim from the article
    (``../shared/seed/six_party_talks.zh.md``) so a test can find it there;
    ``section`` is the article heading it stands under; ``gloss`` an English
    rendering.  For figures not from the article, ``quote`` is omitted and
    ``note`` names the dataset or states the judgement and its reasoning.
    """

    section: str | None = None
    quote: str | None = None
    gloss: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _something(self) -> Source:
        if not (self.quote or self.note):
            raise ValueError(
                "a source needs a 'quote' from the article or a 'note' naming its basis"
            )
        if self.quote and not self.section:
            raise ValueError("a quote needs the 'section' of the article it stands under")
        return self


class IssueScale(_Strict):
    """One bargaining issue: its name and what positions 0 and 1 mean."""

    name: str
    zero: str
    one: str


class IssuePosition(_Strict):
    """A party's position and salience on one issue.

    position: in [0, 1] on the issue's scale (see ``issues:``).
    salience: in [0, 1], the share of attention the party gives the issue
    (Bueno de Mesquita's salience).
    """

    position: Unit
    salience: Unit


class StatedPosition(_Strict):
    """A position the article records a party stating, dated.

    ``positions`` maps issue -> position in [0, 1].  With
    ``parameters.anchoring: true`` the model resets the party's position on
    those issues to these values in that month (a replay of historical
    conditions); with anchoring off only the earliest statement is used.
    """

    date: str
    label: str | None = None
    positions: dict[str, Unit]
    source: Source

    _date = field_validator("date", mode="before")(lambda cls, v: _parse_month(v))

    @field_validator("positions")
    @classmethod
    def _known_issues(cls, v: dict[str, float]) -> dict[str, float]:
        for key in v:
            if key not in ISSUES:
                raise ValueError(f"unknown issue {key!r}; expected one of {', '.join(ISSUES)}")
        if not v:
            raise ValueError("a stated position must speak to at least one issue")
        return v


#: Default ± uncertainty of a judgement input (capability, resolve, domestic constraint,
#: salience) when the scenario states none; used only by sensitivity analysis
#: (``sixparty sensitivity``, docs/validation.md), never by a run.
DEFAULT_UNCERTAINTY = 0.1

Uncertainty = Annotated[float, BeforeValidator(_no_bool), Field(ge=0.0, le=0.5)]


class Sourced(_Strict):
    """A number in [0, 1] with the source or reasoning behind it.

    uncertainty: optional ± range in [0, 0.5] of the judgement (the value may
    plausibly lie in value ± uncertainty, clipped to [0, 1]); only sensitivity
    analysis reads it (default :data:`DEFAULT_UNCERTAINTY`).
    """

    value: Unit
    source: Source
    uncertainty: Uncertainty | None = None


# ---------------------------------------------------------------- strategies
class DPRKStrategy(_Strict):
    """Behaviour switches of the DPRK (article §三方会谈, §第一轮, §第五轮).

    simultaneity: in [0, 1], how strictly it demands simultaneous action
    (同时行动): within a tranche it performs at most the share of the paired
    aid delivered plus ``1 - simultaneity``.
    sanctions_linkage: links attendance to the lifting of financial sanctions.
    escalation: in [0, 1], propensity to answer pressure with a test.
    """

    simultaneity: Unit = 0.8
    sanctions_linkage: StrictBool = True
    escalation: Unit = 0.5


class USStrategy(_Strict):
    """Behaviour switches of the United States (article §三方会谈, §第二轮, §第六轮).

    direct_talks: ``refuse`` (no US-DPRK contact without a third party),
    ``within_multilateral`` (bilateral contact inside the six-party frame), or
    ``accept`` (direct bilateral talks).
    sanction_response: in [0, 1], how strongly it answers a DPRK test or
    violation with financial sanctions.
    verification_first: requires verification before delisting.
    """

    direct_talks: Literal["refuse", "within_multilateral", "accept"] = "refuse"
    sanction_response: Unit = 0.6
    verification_first: StrictBool = True


class ChinaStrategy(_Strict):
    """Behaviour switches of China, the chair (article §会谈背景, §第一轮).

    shuttle: in [0, 1], intensity of shuttle diplomacy between sessions.
    invite_threshold: in [0, 1], the readiness the chair must sound out
    before it invites (lower = invites sooner).
    """

    shuttle: Unit = 0.6
    invite_threshold: Unit = 0.45


class ROKStrategy(_Strict):
    """South Korea's government line (article §南韓與美國強硬化).

    policy: ``engagement`` (Roh Moo-hyun) or ``hardline`` (Lee Myung-bak's
    "无核开放3000": no talks or exchange before denuclearization steps).
    """

    policy: Literal["engagement", "hardline"] = "engagement"


class JapanStrategy(_Strict):
    """Japan's line (article §第一轮, §第四轮 第二阶段).

    abductee_linkage: aid and normalization tied to settling the "outstanding
    issues" (悬案) under the Pyongyang Declaration.
    """

    abductee_linkage: StrictBool = True
    policy: Literal["engagement", "hardline"] = "hardline"


class RussiaStrategy(_Strict):
    """Russia's line (article §第一轮, §第三轮): a phased "package" solution.

    package_mediation: in [0, 1], how strongly Russia proposes the midpoint
    package between the DPRK and the US when a draft stalls.
    """

    package_mediation: Unit = 0.5


class PartyConfig(_Strict):
    """One party: capability, resolve, domestic constraint, positions, trust.

    capability: in [0, 1], relative power in the talks (Bueno de Mesquita's
    capability); ``source`` must say where it comes from.
    resolve: in [0, 1], unwillingness to concede (1 = never moves).
    domestic_constraint: in [0, 1], how narrow the domestic win-set is
    (Putnam 1988): high values shrink what the delegation can accept.
    initial: issue -> position and salience at the window's start (all eight
    issues required).
    salience_uncertainty: optional ± range in [0, 0.5] of the party's
    saliences, shifted together in sensitivity analysis (default
    :data:`DEFAULT_UNCERTAINTY`); no run reads it.
    trust: other party -> initial trust in [0, 1] (belief that it will
    perform its steps); parties not named start at 0.5.
    """

    name: str | None = None
    capability: Sourced
    resolve: Sourced
    domestic_constraint: Sourced
    salience_source: Source | None = None
    salience_uncertainty: Uncertainty | None = None
    initial: dict[str, IssuePosition]
    stated_positions: list[StatedPosition] = Field(default_factory=list)
    trust: dict[str, Unit] = Field(default_factory=dict)

    @field_validator("initial")
    @classmethod
    def _all_issues(cls, v: dict[str, IssuePosition]) -> dict[str, IssuePosition]:
        unknown = [k for k in v if k not in ISSUES]
        if unknown:
            raise ValueError(f"unknown issue {unknown[0]!r}; expected one of {', '.join(ISSUES)}")
        missing = [k for k in ISSUES if k not in v]
        if missing:
            raise ValueError(
                f"missing issue(s) {', '.join(missing)}: every issue needs a position and salience"
            )
        return v

    @field_validator("trust")
    @classmethod
    def _known_parties(cls, v: dict[str, float]) -> dict[str, float]:
        for key in v:
            if key not in PARTIES:
                raise ValueError(f"unknown party {key!r}; expected one of {', '.join(PARTIES)}")
        return v


class DPRKConfig(PartyConfig):
    strategy: DPRKStrategy = Field(default_factory=DPRKStrategy)


class USConfig(PartyConfig):
    strategy: USStrategy = Field(default_factory=USStrategy)


class ChinaConfig(PartyConfig):
    strategy: ChinaStrategy = Field(default_factory=ChinaStrategy)


class ROKConfig(PartyConfig):
    strategy: ROKStrategy = Field(default_factory=ROKStrategy)


class JapanConfig(PartyConfig):
    strategy: JapanStrategy = Field(default_factory=JapanStrategy)


class RussiaConfig(PartyConfig):
    strategy: RussiaStrategy = Field(default_factory=RussiaStrategy)


class Parties(_Strict):
    """The six parties; each is required, no other key is allowed."""

    DPRK: DPRKConfig
    US: USConfig
    China: ChinaConfig
    ROK: ROKConfig
    Japan: JapanConfig
    Russia: RussiaConfig

    def items(self):
        """(key, config) pairs in :data:`PARTIES` order."""
        return [(p, getattr(self, p)) for p in PARTIES]


# -------------------------------------------------------------------- events
#: A party key as written in scenario files (same order as :data:`PARTIES`).
PartyKey = Literal["DPRK", "US", "China", "ROK", "Japan", "Russia"]
#: An issue key (same order as :data:`ISSUES`).
IssueKey = Literal[
    "denuclearization",
    "security_assurance",
    "energy_aid",
    "normalization",
    "sanctions_relief",
    "lwr",
    "verification",
    "format",
    "sequence",
]


class _Effect(_Strict):
    pass


class PositionEffect(_Effect):
    """Shift ``party``'s position on ``issue`` by ``delta`` (clipped to [0, 1])."""

    kind: Literal["position"]
    party: PartyKey
    issue: IssueKey
    delta: Delta


class SalienceEffect(_Effect):
    """Shift ``party``'s salience on ``issue`` by ``delta`` (clipped to [0, 1])."""

    kind: Literal["salience"]
    party: PartyKey
    issue: IssueKey
    delta: Delta


class TrustEffect(_Effect):
    """Shift the trust of ``party`` in ``toward`` by ``delta`` (clipped to [0, 1])."""

    kind: Literal["trust"]
    party: PartyKey
    toward: PartyKey
    delta: Delta


class ResolveEffect(_Effect):
    """Shift ``party``'s resolve by ``delta`` (clipped to [0, 1])."""

    kind: Literal["resolve"]
    party: PartyKey
    delta: Delta


class DomesticEffect(_Effect):
    """Shift ``party``'s domestic constraint by ``delta`` (clipped to [0, 1])."""

    kind: Literal["domestic_constraint"]
    party: PartyKey
    delta: Delta


class SanctionsEffect(_Effect):
    """Shift the level of sanctions on the DPRK, in [0, 1], by ``delta``."""

    kind: Literal["sanctions"]
    delta: Delta


class PolicyEffect(_Effect):
    """Set a government's line (ROK or Japan): engagement or hardline."""

    kind: Literal["policy"]
    party: Literal["ROK", "Japan"]
    value: Literal["engagement", "hardline"]


class OutsideOptionEffect(_Effect):
    """Shift the value of ``party``'s best alternative to agreement (BATNA), in [0, 1]."""

    kind: Literal["outside_option"]
    party: PartyKey
    delta: Delta


class StrategyEffect(_Effect):
    """Set one strategy field of a party from this date (e.g. US direct_talks)."""

    kind: Literal["strategy"]
    party: PartyKey
    field: str
    value: float | bool | str


Effect = Annotated[
    PositionEffect
    | SalienceEffect
    | TrustEffect
    | ResolveEffect
    | DomesticEffect
    | SanctionsEffect
    | PolicyEffect
    | OutsideOptionEffect
    | StrategyEffect,
    Field(discriminator="kind"),
]

EventType = Literal[
    "nuclear",
    "sanctions",
    "sanctions_relief",
    "military",
    "diplomatic",
    "domestic_politics",
    "un_action",
    "rhetoric",
    "international",
    "other",
]
#: The event types (the values :class:`EventType` admits), in that order.
EVENT_TYPES: tuple[str, ...] = get_args(EventType)


class Event(_Strict):
    """An exogenous event: a dated shock with typed effects.

    id: unique slug (variants add or remove events by id).
    date: ``YYYY-MM-DD`` or ``YYYY-MM``; must fall inside the window.
    type: one of :data:`EVENT_TYPES`.
    actors: parties involved (may be empty for third-party events).
    effects: what the event changes, applied at the start of its month.
    title_zh: optional Chinese title (shown by the dashboard and the Chinese
    narration; the English ``title`` otherwise).  Display only: no decision
    reads it.
    """

    id: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    date: str
    type: EventType
    title: str
    title_zh: str | None = Field(default=None, description="Chinese title (display only)")
    actors: list[PartyKey] = Field(default_factory=list)
    effects: list[Effect] = Field(default_factory=list)
    source: Source

    _date = field_validator("date", mode="before")(lambda cls, v: _parse_date(v))

    @property
    def month(self) -> str:
        return self.date[:7]


class Invitation(_Strict):
    """A dated invitation by the chair: the parties still decide to attend."""

    date: str
    note: str | None = None

    _date = field_validator("date", mode="before")(lambda cls, v: _parse_month(v))


class Window(_Strict):
    """The simulated period, inclusive, on a monthly step."""

    start: str
    end: str
    step: Literal["month"] = "month"

    _start = field_validator("start", mode="before")(lambda cls, v: _parse_month(v))
    _end = field_validator("end", mode="before")(lambda cls, v: _parse_month(v))

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end < self.start:
            raise ValueError(f"window ends ({self.end}) before it starts ({self.start})")
        return self

    @property
    def months(self) -> int:
        """Number of monthly steps, inclusive of both ends."""
        y0, m0 = map(int, self.start.split("-"))
        y1, m1 = map(int, self.end.split("-"))
        return month_index(y1, m1) - month_index(y0, m0) + 1


#: Facility states, in the order a DPRK step moves them (article §第六轮 第二阶段:
#: 关闭 shut down, 去功能化 disabled; 废弃 dismantled is 9·19's end state).
FACILITY_STATES: tuple[str, ...] = ("operating", "shut_down", "disabled", "dismantled")

#: The five aid providers (every party but the DPRK), in :data:`PARTIES` order.
AID_PROVIDER_KEYS: tuple[str, ...] = ("US", "China", "ROK", "Japan", "Russia")

ProviderKey = Literal["US", "China", "ROK", "Japan", "Russia"]


class Term(_Strict):
    """What a phase requires of an agreed text on one issue.

    at_least / at_most: bounds in [0, 1] on the text's value on the issue's
    scale (``issues:``); a text *covers* the term when it lies within them.
    At least one bound is required.
    """

    at_least: Unit | None = None
    at_most: Unit | None = None

    @model_validator(mode="after")
    def _a_bound(self) -> Term:
        if self.at_least is None and self.at_most is None:
            raise ValueError("a term needs 'at_least' or 'at_most' (a value in [0, 1])")
        if self.at_least is not None and self.at_most is not None and self.at_least > self.at_most:
            raise ValueError(f"at_least ({self.at_least:g}) is above at_most ({self.at_most:g})")
        return self

    def covers(self, value: float) -> bool:
        """Whether a text value in [0, 1] lies within the bounds."""
        return (self.at_least is None or value >= self.at_least - 1e-12) and (
            self.at_most is None or value <= self.at_most + 1e-12
        )


class FacilityStep(_Strict):
    """A DPRK step that moves one facility to a state.

    facility: a name (slug) shared across phases (e.g. ``yongbyon_5mwe_reactor``);
    to: ``shut_down`` | ``disabled`` | ``dismantled``; tranche: the DPRK tranche
    (1..tranches) whose completion moves it.
    """

    facility: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    to: Literal["shut_down", "disabled", "dismantled"]
    tranche: Annotated[int, BeforeValidator(_whole), Field(ge=1, le=24)]


class CounterpartStep(_Strict):
    """A step owed *to* the DPRK in a phase besides aid and delisting: a
    commitment of the joint document's text (the 9·19 security assurance,
    normalization, the light-water reactor).

    party: the provider that owes it (``US``, ``China``, ``ROK``, ``Japan``,
    ``Russia``); step: a name (slug, e.g. ``security_assurance``); issue: the
    issue of the text that commits it; at_least: the step is owed only if the
    adopting joint document's text is at least this on ``issue`` (in [0, 1];
    0: always); tranche: the tranche (1..tranches) it is paired with: owed
    once the DPRK has completed the tranche before it (reciprocity) and due
    with it; source: the article's sentence that states the commitment.
    """

    party: ProviderKey
    step: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    issue: IssueKey
    at_least: Unit = 0.0
    tranche: Annotated[int, BeforeValidator(_whole), Field(ge=1, le=24)]
    source: Source


class Phase(_Strict):
    """One phase of the action-for-action menu that a joint document can adopt.

    dprk_steps: what the DPRK does (e.g. shutdown and seal), together adding
    ``progress`` to denuclearization progress in [0, 1].
    aid_tonnes: HFO-equivalent tonnes the providers pledge for the phase.
    aid_shares: provider -> share of ``aid_tonnes`` the text assigns it
    (shares sum to 1; omitted: equal shares among the five).  A provider whose
    stated line refuses aid (Japan under ``abductee_linkage``) pledges nothing
    at adoption and the others' shares are scaled up to cover the phase.
    aid_source: where the shares come from (required with ``aid_shares``).
    delisting: whether the US commits to remove the DPRK from the
    state-sponsor-of-terrorism list in this phase.
    declaration_tranche: the DPRK tranche that carries its declaration
    (申报); with ``delisting_days`` the US's delisting falls due that many
    days after the declaration is complete (and is owed only from then).
    months: months allowed for the phase after adoption (the deadline).
    tranches: the number of paired steps the phase is cut into.
    terms: issue -> :class:`Term`: what an agreed text must say for a joint
    document to adopt this phase (no terms: any joint document covers it).
    terms_source: where the terms come from (required with ``terms``).
    facility_steps: which DPRK tranche moves which facility to which state.
    counterpart_steps: the steps owed to the DPRK besides aid and delisting
    (:class:`CounterpartStep`), each paired with a tranche and owed only if
    the adopting text commits it.
    """

    name: str
    dprk_steps: list[str]
    progress: Unit
    aid_tonnes: Annotated[float, BeforeValidator(_no_bool), Field(ge=0.0)]
    aid_shares: dict[ProviderKey, Unit] | None = None
    aid_source: Source | None = None
    delisting: StrictBool = False
    declaration_tranche: Annotated[int, BeforeValidator(_whole), Field(ge=1, le=24)] | None = None
    delisting_days: Annotated[int, BeforeValidator(_whole), Field(ge=1, le=365)] | None = None
    delisting_source: Source | None = None
    months: Annotated[int, BeforeValidator(_whole), Field(ge=1, le=60)]
    tranches: Annotated[int, BeforeValidator(_whole), Field(ge=1, le=24)] = 4
    terms: dict[IssueKey, Term] = Field(default_factory=dict)
    terms_source: Source | None = None
    facility_steps: list[FacilityStep] = Field(default_factory=list)
    counterpart_steps: list[CounterpartStep] = Field(default_factory=list)
    source: Source

    @field_validator("aid_shares")
    @classmethod
    def _shares_sum_to_one(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        if v is not None:
            total = sum(v.values())
            if abs(total - 1.0) > 1e-6:
                raise ValueError(f"shares sum to {total:g}; expected 1 (shares of aid_tonnes)")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Phase:
        if self.aid_shares is not None:
            if self.aid_source is None:
                raise ValueError("aid_shares need an 'aid_source' (section and quote, or a note)")
        if self.terms and self.terms_source is None:
            raise ValueError("terms need a 'terms_source' (section and quote, or a note)")
        for name in ("declaration_tranche",):
            v = getattr(self, name)
            if v is not None and v > self.tranches:
                raise ValueError(f"{name} {v} is beyond the phase's {self.tranches} tranches")
        for name in ("facility_steps", "counterpart_steps"):
            for i, step in enumerate(getattr(self, name)):
                if step.tranche > self.tranches:
                    raise ValueError(
                        f"{name}[{i}].tranche {step.tranche} is beyond the "
                        f"phase's {self.tranches} tranches"
                    )
        if self.delisting_days is not None:
            if not self.delisting:
                raise ValueError("delisting_days needs 'delisting: true'")
            if self.declaration_tranche is None:
                raise ValueError(
                    "delisting_days counts from the declaration: set 'declaration_tranche'"
                )
        return self

    def covered_by(self, text) -> bool:
        """Whether an agreed text (8 values in [0, 1], :data:`ISSUES` order)
        meets every one of this phase's terms."""
        return all(
            term.covers(float(text[ISSUES.index(issue)])) for issue, term in self.terms.items()
        )

    def commitments(self, text) -> list[CounterpartStep]:
        """The counterpart steps an adopting text (8 values in [0, 1],
        :data:`ISSUES` order) commits: those whose issue value reaches their
        ``at_least``."""
        return [
            cs
            for cs in self.counterpart_steps
            if float(text[ISSUES.index(cs.issue)]) >= cs.at_least - 1e-12
        ]

    def provider_shares(self, refusing: tuple[str, ...] = ()) -> dict[str, float]:
        """provider key -> share of ``aid_tonnes`` in [0, 1] (the text's shares,
        equal if none), with the ``refusing`` providers' shares set to 0 and
        the rest scaled to sum to 1 (all 0 if every sharer refuses)."""
        base = (
            dict(self.aid_shares)
            if self.aid_shares is not None
            else {k: 1.0 / len(AID_PROVIDER_KEYS) for k in AID_PROVIDER_KEYS}
        )
        shares = {k: (0.0 if k in refusing else float(base.get(k, 0.0))) for k in AID_PROVIDER_KEYS}
        total = sum(shares.values())
        return {k: (v / total if total > 0 else 0.0) for k, v in shares.items()}


class Parameters(_Strict):
    """Model parameters, with defaults.

    Every number the model's behaviour depends on is a field here, with its
    range; the declared table ``sixparty/data/parameters.yaml`` (read by
    :mod:`sixparty.parameters`, shown by ``sixparty show --parameters``) gives
    each one's unit, description, source or reasoning, and whether a
    calibration may fit it.  ``tests/test_parameters.py`` checks that the
    table and these fields agree exactly (names, defaults, ranges).

    The original sixteen: anchoring (replay stated positions when dated),
    concession_rate, max_iterations, acceptance_radius, noise, trust_memory,
    trust_prior_strength, generosity, drift, test_threshold,
    suspend/resume/walkout/return_threshold, commitment_trust,
    min_months_between_sessions; the rest replace literals that were in
    the model code (same values).
    """

    anchoring: StrictBool = True
    concession_rate: Unit = 0.2
    max_iterations: Annotated[int, BeforeValidator(_whole), Field(ge=1, le=100)] = 100
    chair_patience: Annotated[int, BeforeValidator(_whole), Field(ge=1, le=14)] = 4
    concession_tolerance: Annotated[float, BeforeValidator(_no_bool), Field(ge=0.0, le=0.1)] = 0.005
    ideal_accommodation: Unit = 1.0
    acceptance_radius: Unit = 0.12
    distance_exponent: Annotated[float, BeforeValidator(_no_bool), Field(ge=1.0, le=2.0)] = 1.0
    noise: Annotated[float, BeforeValidator(_no_bool), Field(ge=0.0, le=0.5)] = 0.05
    trust_memory: Unit = 0.92
    trust_prior_strength: Annotated[float, BeforeValidator(_no_bool), Field(gt=0.0, le=100.0)] = 6.0
    generosity: Unit = 0.3
    drift: Unit = 0.02
    ripeness_rate: Annotated[float, BeforeValidator(_no_bool), Field(ge=0.0, le=0.2)] = 0.0
    deterrent_threat_cost: Unit = 0.0
    test_threshold: Unit = 0.6
    suspend_threshold: Unit = 0.45
    resume_threshold: Unit = 0.5
    return_threshold: Unit = 0.65
    commitment_trust: Unit = 0.25
    min_months_between_sessions: Annotated[int, BeforeValidator(_whole), Field(ge=1, le=24)] = 3
    common_ground_distance: Unit = 0.2
    oral_summary_min_issues: Annotated[
        int, BeforeValidator(_whole), Field(ge=0, le=len(ISSUES))
    ] = 2
    max_phases_per_round: Annotated[int, BeforeValidator(_whole), Field(ge=1, le=10)] = 3
    amendment_weight_cap: Unit = 0.5
    amendment_share: Unit = 0.5
    stall_iterations: Annotated[int, BeforeValidator(_whole), Field(ge=1, le=100)] = 2
    recess_narrowing: Unit = 0.85
    slack_chairmans_statement: Unit = 0.25
    slack_joint_statement: Unit = 0.1
    slack_joint_document: Unit = 0.0
    domestic_radius_shrink: Unit = 0.5
    reject_radius_multiple: Annotated[float, BeforeValidator(_no_bool), Field(ge=1.0, le=10.0)] = (
        2.5
    )
    concession_trust_floor: Unit = 0.4
    concession_domestic_shrink: Unit = 0.5
    drift_domestic_base: Annotated[float, BeforeValidator(_no_bool), Field(ge=0.0, le=2.0)] = 0.5
    attend_threshold: Unit = 0.5
    anchor_pull_chairmans_statement: Unit = 0.1
    anchor_pull_joint_statement: Unit = 0.3
    anchor_pull_joint_document: Unit = 0.5
    document_trust_weight: Annotated[float, BeforeValidator(_no_bool), Field(ge=0.0, le=10.0)] = 0.2
    failed_session_trust_weight: Annotated[
        float, BeforeValidator(_no_bool), Field(ge=0.0, le=10.0)
    ] = 0.5
    direct_contact_trust_weight: Annotated[
        float, BeforeValidator(_no_bool), Field(ge=0.0, le=10.0)
    ] = 0.5
    chair_max_wait: Annotated[int, BeforeValidator(_whole), Field(ge=1, le=24)] = 6
    chair_wait_factor: Annotated[int, BeforeValidator(_whole), Field(ge=1, le=4)] = 2
    sound_out_distance_weight: Unit = 0.8
    attend_score_default: Unit = 0.9
    default_trust: Unit = 0.5
    dprk_no_contact_penalty: Unit = 0.12
    pressure_grievance: Annotated[float, BeforeValidator(_no_bool), Field(ge=0.0, le=2.0)] = 0.7
    pressure_distrust: Annotated[float, BeforeValidator(_no_bool), Field(ge=0.0, le=2.0)] = 0.3
    pressure_sanctions: Annotated[float, BeforeValidator(_no_bool), Field(ge=0.0, le=2.0)] = 0.2
    grievance_memory: Unit = 0.9
    dprk_attend_base: Unit = 0.35
    dprk_attend_trust_china: Unit = 0.35
    dprk_attend_trust_us: Unit = 0.25
    dprk_attend_shuttle: Unit = 0.25
    dprk_attend_sanctions: Unit = 0.45
    dprk_attend_grievance: Unit = 0.25
    dprk_attend_outside: Unit = 0.35
    dprk_attend_outside_offset: Unit = 0.1
    dprk_attend_direct_talks: Unit = 0.1
    dprk_attend_arrears: Unit = 0.15
    test_probability_slope: Annotated[float, BeforeValidator(_no_bool), Field(ge=0.0, le=10.0)] = (
        2.0
    )
    test_outside_gain_missile: Unit = 0.05
    test_outside_gain_nuclear: Unit = 0.12
    test_grievance_kept: Unit = 0.3
    test_sanctions_missile: Unit = 0.06
    test_sanctions_nuclear: Unit = 0.15
    test_unsc_sanctions_missile: Unit = 0.0
    test_unsc_sanctions_nuclear: Unit = 0.05
    test_us_hardening_missile: Unit = 0.04
    test_us_hardening_nuclear: Unit = 0.1
    test_trust_weight_missile: Annotated[
        float, BeforeValidator(_no_bool), Field(ge=0.0, le=10.0)
    ] = 1.5
    test_trust_weight_nuclear: Annotated[
        float, BeforeValidator(_no_bool), Field(ge=0.0, le=10.0)
    ] = 3.0
    test_china_coordination_missile: Unit = 0.2
    test_china_coordination_nuclear: Unit = 0.5
    suspend_steps_trust: Unit = 0.5
    resume_steps_trust: Unit = 0.6
    suspend_steps_grievance: Unit = 0.2
    reverse_steps_trust: Unit = 0.3
    reversal_rate: Unit = 0.02
    dprk_will_base: Unit = 0.45
    dprk_will_trust: Unit = 0.55
    dprk_will_grievance: Unit = 0.3
    return_months: Annotated[int, BeforeValidator(_whole), Field(ge=1, le=24)] = 3
    aid_tranche_done: Unit = 0.75
    slowed_share: Unit = 0.25
    trust_weight_performed: Annotated[float, BeforeValidator(_no_bool), Field(ge=0.0, le=10.0)] = (
        0.6
    )
    trust_weight_overdue: Annotated[float, BeforeValidator(_no_bool), Field(ge=0.0, le=10.0)] = 0.25
    delisting_sanctions_relief: Unit = 0.15
    delivery_base: Unit = 0.35
    delivery_trust: Unit = 0.5
    seat_slow_pace: Unit = 0.3
    us_sanctions_refusal_domestic: Unit = 0.5
    us_contact_domestic: Unit = 0.45
    us_contact_format: Unit = 0.35
    us_domestic_drift: Unit = 0.02
    us_domestic_neutral: Unit = 0.5
    us_delivery_base: Unit = 0.5
    us_delivery_trust: Unit = 0.45
    us_delivery_domestic: Unit = 0.3
    shuttle_credit_memory: Unit = 0.85
    shuttle_trust_outcome_base: Unit = 0.6
    shuttle_trust_weight: Annotated[float, BeforeValidator(_no_bool), Field(ge=0.0, le=10.0)] = 0.3
    rok_line_rate_hardline: Unit = 0.08
    rok_hardline_denuclearization: Unit = 0.9
    rok_hardline_aid: Unit = 0.2
    rok_line_rate_engagement: Unit = 0.03
    rok_engagement_aid: Unit = 0.7
    rok_hardline_delivery: Unit = 0.6
    rok_delivery_base: Unit = 0.75
    rok_delivery_trust: Unit = 0.25
    rok_attend_engagement: Unit = 0.95
    rok_attend_hardline: Unit = 0.8
    japan_delivery_base: Unit = 0.5
    japan_delivery_trust: Unit = 0.4
    expected_utility_sessions: StrictBool = True
    bdm_status_quo_probability: Unit = 1.0
    bdm_improvement_probability: Unit = 1.0
    bdm_risk_exponent_max: Annotated[float, BeforeValidator(_no_bool), Field(gt=1.0, le=10.0)] = 2.0
    bdm_receiver_perception: StrictBool = True
    dprk_outside_sanctions: Unit = 0.5
    zeuthen_dprk_us: StrictBool = False
    bdm_stated_salience: StrictBool = False
    offers_within_win_set: StrictBool = False
    chair_drafts_in_zopa: StrictBool = False
    zeuthen_grid: Annotated[int, BeforeValidator(_whole), Field(ge=10, le=1000)] = 100

    #: Ordered pairs of thresholds the DPRK's hysteresis needs, ``(low, high, what
    #: happens otherwise)``: with ``low`` above ``high`` a value between them makes
    #: it leave one month and come back the next, for ever
    #: (:meth:`sixparty.parties.DPRK.next_stance`,
    #: :meth:`sixparty.parties.DPRK.reconsider_steps`).
    ORDERED: ClassVar[tuple[tuple[str, str, str], ...]] = (
        (
            "suspend_threshold",
            "resume_threshold",
            "the DPRK would suspend its participation and return every other month",
        ),
        (
            "suspend_steps_trust",
            "resume_steps_trust",
            "the DPRK would suspend its steps and resume them every other month",
        ),
    )

    @model_validator(mode="after")
    def _hysteresis(self, info: ValidationInfo) -> Parameters:
        """Refuse an inverted pair of :attr:`ORDERED` in a scenario file (the loader
        validates with ``context={"scenario_file": True}``).  Parameters built in code
        are not checked: calibration and sensitivity analysis sample each parameter
        in its own range, one at a time (``validate_assignment``)."""
        if not (info.context or {}).get("scenario_file"):
            return self
        for low, high, why in self.ORDERED:
            a, b = getattr(self, low), getattr(self, high)
            if a > b:
                raise ValueError(
                    f"{low}: {a:g} is above {high} ({b:g}): {why}; "
                    f"expected {low} <= {high} (the defaults are "
                    f"{type(self).model_fields[low].default:g} and "
                    f"{type(self).model_fields[high].default:g})"
                )
        return self


#: A scenario's ``name``: word characters of any script (Unicode ``\\w``: letters, digits,
#: ``_``), ``.`` and ``-``; safe in a folder name, and a Chinese file name stays Chinese
#: (:func:`sixparty.loader.name_from_stem`).
NAME_PATTERN = r"^[\w.-]+$"


def _strategy_value_problem(strategy: BaseModel, name: str, value: object) -> str | None:
    """Why ``value`` cannot be assigned to the strategy field ``name``, or None if it can.

    Checked on a copy (``strategy`` is left as it is); the text is in the loader's
    style: what was expected, then what was given.
    """
    try:
        strategy.model_copy().__setattr__(name, value)
    except ValidationError as exc:
        err = exc.errors()[0]
        typ, ctx = err["type"], err.get("ctx") or {}
        shown = "true" if value is True else "false" if value is False else repr(value)
        if typ == "value_error":
            text = re.sub(r"^Value error, ", "", err["msg"])
            return text if ", got " in text else f"{text}, got {shown}"
        if typ == "literal_error":
            allowed = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
            return f"expected one of {', '.join(allowed)} for {name}, got {shown}"
        if typ == "bool_type":
            return f"expected true or false for {name}, got {shown}"
        if typ in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            meta = type(strategy).model_fields[name].metadata
            lo = next((m.ge for m in meta if getattr(m, "ge", None) is not None), None)
            hi = next((m.le for m in meta if getattr(m, "le", None) is not None), None)
            return f"expected a number in [{lo:g}, {hi:g}] for {name}, got {shown}"
        return f"not a valid {name}: {err['msg']}, got {shown}"
    return None


class Scenario(_Strict):
    """A complete scenario.

    name: slug used for output folders and recorded in the manifest: letters and
    digits of any script (``情景一``), ``_``, ``.`` and ``-`` (:data:`NAME_PATTERN`);
    description: one paragraph a teacher can read aloud; quote_language: language
    of ``source.quote`` (``zh``).
    """

    name: Annotated[str, Field(pattern=NAME_PATTERN)]
    title: str | None = None
    description: str
    quote_language: Literal["zh", "en"] = "zh"
    window: Window
    issues: dict[str, IssueScale]
    parties: Parties
    phases: list[Phase] = Field(default_factory=list)
    invitations: list[Invitation] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    parameters: Parameters = Field(default_factory=Parameters)
    seed: Annotated[int, BeforeValidator(_whole), Field(ge=0, lt=2**63)] = 0

    @model_validator(mode="before")
    @classmethod
    def _file_format(cls, data: Any) -> Any:
        # ``format_version:`` is about the file, not the scenario (the loader reads and
        # removes it): the current version is accepted here too, so a shipped file
        # validates from plain YAML; version 1 needs the loader's migration.
        if isinstance(data, dict) and "format_version" in data:
            version = data["format_version"]
            if type(version) is int and version == FORMAT_VERSION:
                data = {k: v for k, v in data.items() if k != "format_version"}
            elif type(version) is int and version == 1:
                raise ValueError(
                    "format_version 1 (the eight issues) is read by sixparty.load_scenario, "
                    "which gives each denuclearization value to sequence too"
                )
        return data

    @field_validator("issues")
    @classmethod
    def _eight_issues(cls, v: dict[str, IssueScale]) -> dict[str, IssueScale]:
        unknown = [k for k in v if k not in ISSUES]
        if unknown:
            raise ValueError(f"unknown issue {unknown[0]!r}; expected one of {', '.join(ISSUES)}")
        missing = [k for k in ISSUES if k not in v]
        if missing:
            raise ValueError(f"missing issue(s): {', '.join(missing)}")
        return v

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        # Every problem found here is reported at once (a ValidationError with one
        # line per problem), not only the first.
        problems: list[tuple[tuple[str | int, ...], str, object]] = []
        ids: set[str] = set()
        for i, ev in enumerate(self.events):
            if ev.id in ids:
                problems.append((("events", i, "id"), f"duplicate event id {ev.id!r}", ev.id))
            ids.add(ev.id)
            if not (self.window.start <= ev.month <= self.window.end):
                problems.append(
                    (
                        ("events", i, "date"),
                        f"{ev.date} is outside the scenario window "
                        f"{self.window.start}..{self.window.end}",
                        ev.date,
                    )
                )
            for j, eff in enumerate(ev.effects):
                if isinstance(eff, StrategyEffect):
                    strategy = getattr(self.parties, eff.party).strategy
                    fields = type(strategy).model_fields
                    if eff.field not in fields:
                        problems.append(
                            (
                                ("events", i, "effects", j, "field"),
                                f"{eff.party} has no strategy field {eff.field!r}; "
                                f"expected one of {', '.join(fields)}",
                                eff.field,
                            )
                        )
                    else:
                        # the model assigns the value in its month: check it now, as the
                        # field would (a number, not quoted text or true/false)
                        bad = _strategy_value_problem(strategy, eff.field, eff.value)
                        if bad:
                            problems.append((("events", i, "effects", j, "value"), bad, eff.value))
        for i, inv in enumerate(self.invitations):
            if not (self.window.start <= inv.date <= self.window.end):
                problems.append(
                    (
                        ("invitations", i, "date"),
                        f"{inv.date} is outside the scenario window "
                        f"{self.window.start}..{self.window.end}",
                        inv.date,
                    )
                )
        if problems:
            raise ValidationError.from_exception_data(
                type(self).__name__,
                [
                    InitErrorDetails(
                        type=PydanticCustomError("value_error", "{message}", {"message": text}),
                        loc=loc,
                        input=value,
                    )
                    for loc, text, value in problems
                ],
            )
        return self
