"""The six parties: one base class on ``mesa.Agent`` and one subclass each.

State lives in arrays owned by :class:`sixparty.model.TalksModel` with a
leading replicate axis (``pos``, ``sal``, ``anchor``: ``(R, 6, n_issues)``; ``cap``,
``resolve``, ``domestic``, ``outside``: ``(R, 6)``; trust ``(R, 6, 6)``): one
model instance advances R replicates in lockstep, and every decision method of
a party works on arrays.  A method takes ``r``, the replicates it decides for
(a slice, an index array, or one replicate's index), and returns one value per
replicate in ``r`` (an array; a scalar for one replicate's index).  A single
run is R = 1 through the same code.  This keeps a month cheap
(../shared/MESA_NOTES.md: Python overhead, not arithmetic, sets the speed of
a six-party model).

Every class follows the article (Chinese Wikipedia 六方会谈,
``../shared/seed/six_party_talks.zh.md``); its docstring names the sections its
behaviour comes from, and ``classifier`` (after the Axelrod library) lists its
distinctive traits so tests and docs can ask for them.

Utility (spatial, salience-weighted; Bueno de Mesquita 1994, Scholz et al. 2011):
``u_i(x) = 1 - sum_k s_ik |x_k - p_ik| / sum_k s_ik`` in [0, 1] for a text ``x``
in [0, 1]^8.  A party signs a text only if its utility (less the slack of the
document's level) is at least its disagreement value (Nash 1950;
:meth:`Party.disagreement_value`).  In session, positions move by Bueno de
Mesquita's expected-utility model (:mod:`sixparty.bargaining`); each class's
resolve, domestic constraint and lines enter it through
:meth:`Party.bargaining_salience` and :meth:`Party.hold_in_round`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np
from sixparty._mesa_compat import mesa
from sixparty.bargaining import (
    ZOPA_MARGIN,
    project_onto_intersection,
    weighted_median,
    zeuthen_risk_limit,
)
from sixparty.bargaining import accepts as nash_accepts
from sixparty.reasons import READINESS_TERMS, Clause, clause
from sixparty.scenario import ISSUES, PARTIES

if TYPE_CHECKING:  # pragma: no cover
    from sixparty.model import TalksModel

# Party and issue indices into the model's arrays.
DPRK_I, US_I, CHINA_I, ROK_I, JAPAN_I, RUSSIA_I = range(6)
# DEN is the scope of denuclearization (what the DPRK gives up), SEQ its sequence
# against the rewards (when); sixparty.scenario.ISSUES appends ``sequence`` last.
(DEN, SEC, AID, NORM, SANC, LWR, VER, FMT, SEQ) = range(len(ISSUES))
AID_PROVIDERS = (US_I, CHINA_I, ROK_I, JAPAN_I, RUSSIA_I)

#: All replicates (the default selector of every decision method).
ALL = slice(None)

#: A party's answer to a draft, as codes in the arrays :meth:`Party.respond` returns.
ACCEPT, AMEND, REJECT = 0, 1, 2
VERDICTS = ("accept", "amend", "reject")

#: The DPRK's stance toward the talks, as codes in ``TalksModel.stance``.
PARTICIPATING, SUSPENDED, WALKED_OUT = 0, 1, 2
STANCES = ("participating", "suspended", "walked_out")


#: Bisection steps of :meth:`Party.within_win_set`: the edge of the win-set is
#: found to 2**-40 of the round's move, far below any position's resolution.
WIN_SET_BISECTIONS = 40


def level_slack(params, level: str, r=ALL):
    """Slack a text of ``level`` leaves (vagueness), a distance in [0, 1]: a
    chairman's statement of principles papers over more distance than a joint
    document of paired steps (``parameters.slack_<level>``), one value per
    replicate of ``r`` (``params``: the model's
    :class:`~sixparty.replicates.ReplicateParameters`)."""
    return getattr(params, f"slack_{level}")[r]


def row_sum(x: np.ndarray) -> np.ndarray:
    """Sum over the last axis, the same bits for a row whatever the batch.

    numpy's pairwise summation depends on the memory layout of the reduced
    axis; a contiguous copy makes every replicate's sum independent of how
    many replicates share the array (byte-identical runs at any batch size).
    """
    return np.ascontiguousarray(x).sum(axis=-1)


def win_set_radius(acceptance_radius, radius_shrink, domestic):
    """The win-set radius ``rho (1 - k c)``: ``parameters.acceptance_radius`` rho shrunk
    by the domestic constraint c in [0, 1] at ``parameters.domestic_radius_shrink`` k
    (Putnam 1988).  Element-wise on arrays of one shape (broadcasting): one function for
    :meth:`Party.radius` and the six parties at once (:meth:`Party.respond_all`)."""
    return acceptance_radius * (1.0 - radius_shrink * domestic)


def disagreement_value_of(radius, outside_option):
    """The disagreement value ``1 - rho (1 - o)`` of a win-set radius rho and an outside
    option o, clipped to [-1, 1] (:meth:`Party.disagreement_value`); element-wise."""
    o = np.minimum(1.0, np.maximum(-1.0, outside_option))
    return 1.0 - radius * (1.0 - o)


def signing_utility(distance, penalty, slack):
    """``1 - max(0, distance + penalty - slack)``: what signing a text at a level is
    worth (:meth:`Party.text_utility`); element-wise."""
    return 1.0 - np.maximum(0.0, distance + penalty - slack)


def text_distance(gaps: np.ndarray, sal: np.ndarray, exponent) -> np.ndarray:
    """Salience-weighted distance over the issues, in [0, 1] for gaps in [0, 1].

    ``gaps``: ``(..., n_issues)`` absolute differences |x_k - p_k| between a
    text and a position; ``sal``: saliences broadcastable to ``gaps``;
    ``exponent``: ``parameters.distance_exponent`` e in [1, 2], one value per
    row of ``gaps`` (shape ``gaps.shape[:-1]`` or broadcastable to it).
    Returns ``gaps.shape[:-1]``: the power mean
    ``(sum_k (s_k g_k)^e / sum_k s_k^e)^(1/e)`` (0 where every salience is 0).
    e = 1 is the salience-weighted mean distance, computed exactly as before
    the parameter existed (the default model's bits are unchanged); e = 2 is
    KTAB's spatial-model distance (Wise, Lester et al. 2015; ``bvDiff`` of the
    open KTAB code), under which the issue a text is farthest on dominates.
    """
    e = np.asarray(exponent, dtype=float)
    if (e == 1.0).all():
        tot = row_sum(sal)
        return row_sum(gaps * sal) / np.where(tot > 0, tot, 1.0)
    e = e[..., None]
    weights = np.broadcast_to(sal, gaps.shape) ** e
    tot = row_sum(weights)
    mean = row_sum((gaps * sal) ** e) / np.where(tot > 0, tot, 1.0)
    return mean ** (1.0 / e[..., 0])


def _keeps_base(q, name: str) -> bool:
    """Whether party ``q``'s method ``name`` is :class:`Party`'s own (neither its class
    nor the instance replaces it)."""
    return getattr(getattr(q, name), "__func__", None) is getattr(Party, name)


class Party(mesa.Agent):
    """A delegation at the talks.

    Attributes (views on the model's arrays, column ``idx``, all replicates):
        position: float array (R, n_issues), in [0, 1] per issue, scales in
            :data:`sixparty.scenario.ISSUE_SCALES`.
        salience: float array (R, n_issues), in [0, 1].
        capability: float array (R,) in [0, 1].
        resolve: (R,) in [0, 1]; 1 = never concedes.
        domestic_constraint: (R,) in [0, 1]; narrows the win-set (Putnam 1988).

    Methods take ``r``, the replicates decided for (default all), and return
    one value per replicate of ``r``.
    """

    key: ClassVar[str] = ""
    classifier: ClassVar[dict[str, object]] = {}

    def __init__(self, model: TalksModel, strategy) -> None:
        super().__init__(model)
        self.idx = PARTIES.index(self.key)
        self.strategy = strategy.model_copy()

    # ----------------------------------------------------------- state views
    @property
    def position(self) -> np.ndarray:
        return self.model.pos[:, self.idx]

    @property
    def salience(self) -> np.ndarray:
        return self.model.sal[:, self.idx]

    @property
    def capability(self) -> np.ndarray:
        return self.model.cap[:, self.idx]

    @property
    def resolve(self) -> np.ndarray:
        return self.model.resolve[:, self.idx]

    @property
    def domestic_constraint(self) -> np.ndarray:
        return self.model.domestic[:, self.idx]

    def trust_in(self, other: int, r=ALL):
        """Trust in party ``other`` in [0, 1]: mean of a Beta belief (Kydd 2005)."""
        return self.model.trust[r, self.idx, other]

    # --------------------------------------------------------------- utility
    def distance(self, text: np.ndarray, r=ALL):
        """Salience-weighted distance of ``text`` (one (n_issues,) row per
        replicate of ``r``) from my position, in [0, 1]: the mean distance, or
        at ``parameters.distance_exponent`` > 1 a power mean
        (:func:`text_distance`)."""
        m = self.model
        return text_distance(
            np.abs(text - m.pos[r, self.idx]), m.sal[r, self.idx], m.params.distance_exponent[r]
        )

    def utility(self, text: np.ndarray, r=ALL):
        """Utility of a text in [0, 1]; 1 = the text is my position."""
        return 1.0 - self.distance(text, r)

    def radius(self, r=ALL):
        """Win-set radius: the distance I can accept, shrunk by domestic constraint."""
        p = self.model.params
        return win_set_radius(
            p.acceptance_radius[r], p.domestic_radius_shrink[r], self.model.domestic[r, self.idx]
        )

    # --------------------------------------------------------- in a session
    def penalty(self, direct_contact, r=ALL):
        """Extra distance I perceive in a session (class-specific grievances);
        ``direct_contact``: whether the session has US-DPRK contact, per
        replicate of ``r``."""
        return np.zeros(np.shape(direct_contact))

    def outside_option(self, r=ALL):
        """Value of no agreement (BATNA) on the utility scale, in [-1, 1].

        The base class (the five counterparts) reads the model's ``outside``
        column (moved only by typed ``outside_option`` effects), less the
        threat the DPRK's deterrent makes of no agreement:
        ``o_i = max(-1, outside_i - deterrent_threat_cost x sal_i,den x D)``,
        D the DPRK's outside option clipped to [0, 1] (raised by its tests and
        typed effects), i.e. ``deterrent_threat_cost x`` :meth:`stalemate_cost`.
        Source: Nash (1953), variable threats: a party improves its bargaining
        outcome by worsening the other's disagreement payoff (docs/model.md
        §3.18).  At ``parameters.deterrent_threat_cost`` 0 (default) the column
        is returned as it is.  The DPRK's class nets sanctions out of its own
        column instead (:meth:`DPRK.outside_option`).
        """
        m = self.model
        o = m.outside[r, self.idx]
        threat = m.params.deterrent_threat_cost[r]
        if not np.any(threat > 0):
            return o
        # Party.stalemate_cost by name: the threat is the base class's product
        # (the DPRK's deterrent x my salience of the scope) whatever my class.
        return np.maximum(-1.0, o - threat * Party.stalemate_cost(self, r))

    def disagreement_value(self, r=ALL):
        """My disagreement value d_i (Nash 1950): the utility of no agreement.

        ``d_i = 1 - rho_i (1 - o_i)`` with ``rho_i`` = :meth:`radius` (the
        win-set radius, narrowed by the domestic constraint, Putnam 1988)
        and ``o_i`` = :meth:`outside_option`.  With no outside option
        (o = 0) a text is worth signing when it lies within my radius; an
        outside option o > 0 shrinks the win-set to ``rho (1 - o)`` (o = 1:
        only my own position); o < 0 (sanctions make no deal worse than the
        neutral status quo) widens it.  Range [1 - 2 rho, 1].
        """
        return disagreement_value_of(self.radius(r), self.outside_option(r))

    def text_utility(self, text, level: str, direct_contact, r=ALL, d=None):
        """What signing ``text`` as a document of ``level`` is worth to me, <= 1.

        ``u_i(x, L) = 1 - max(0, d_i(x) + penalty_i - slack_L)``: my
        salience-weighted distance from the text, plus the grievance I
        perceive in this session (:meth:`penalty`), less the slack a vaguer
        document leaves (``parameters.slack_<level>``; a chairman's statement
        of principles binds less than a joint document of paired steps).
        ``d``: my distance from ``text`` if already computed.
        """
        if d is None:
            d = self.distance(text, r)
        slack = level_slack(self.model.params, level, r)
        return signing_utility(d, self.penalty(direct_contact, r), slack)

    def accepts(self, text, level: str, direct_contact, r=ALL, d=None):
        """Would I sign ``text`` as a document of ``level``?  (bool per replicate)

        Only if it is worth at least my disagreement value (Nash 1950;
        :func:`sixparty.bargaining.accepts`): ``text_utility >=
        disagreement_value``.  A joint document binds me to paired steps, so
        it also needs trust in my counterparts (Kydd 2005: reassurance
        succeeds when trust exceeds a threshold set by payoffs):
        ``parameters.commitment_trust``.
        """
        u = self.text_utility(text, level, direct_contact, r, d)
        ok = nash_accepts(u, self.disagreement_value(r))
        if level == "joint_document":
            ok = ok & (self.commitment_trust(r) >= self.model.params.commitment_trust[r])
        return ok

    def commitment_trust(self, r=ALL):
        """Trust in whoever must perform the other half of my steps."""
        return self.trust_in(DPRK_I, r)

    def respond(self, text, level: str, direct_contact, r=ALL, d=None):
        """``(verdict, issue)`` per replicate: verdict codes :data:`ACCEPT`,
        :data:`AMEND` or :data:`REJECT`; issue the amended issue's index
        (-1 unless amending).

        An amendment names the issue where the text costs me most
        (salience x distance); a text ``reject_radius_multiple`` times beyond
        my radius is rejected; then my class revises the answer
        (:meth:`revise_response`).
        """
        if d is None:
            d = self.distance(text, r)
        ok = self.accepts(text, level, direct_contact, r, d)
        far = d + self.penalty(direct_contact, r) > (
            self.model.params.reject_radius_multiple[r] * self.radius(r)
        )
        gaps = np.abs(text - self.model.pos[r, self.idx]) * self.model.sal[r, self.idx]
        verdict = np.where(ok, ACCEPT, np.where(far, REJECT, AMEND))
        issue = np.where(verdict == AMEND, np.argmax(gaps, axis=-1), -1)
        return self.revise_response(text, verdict, issue, r)

    def revise_response(self, text, verdict, issue, r=ALL):
        """A class's own change to its ``(verdict, issue)`` on ``text`` (one value per
        replicate of ``r``), after the base class's rule (:meth:`respond`); the base
        class changes nothing."""
        return verdict, issue

    # The base-class methods whose arithmetic respond_all / accepts_all run for
    # several parties at once; a class overriding one of them is asked alone.
    _SHARED_RULES: ClassVar[tuple[str, ...]] = (
        "distance",
        "radius",
        "disagreement_value",
        "text_utility",
        "accepts",
        "respond",
    )

    @staticmethod
    def _shared_terms(parties, direct_contact, r, d):
        """For :meth:`respond_all` and :meth:`accepts_all`: the parties whose class keeps
        the base-class rules (the others, asked one by one), their columns, distances
        ``d`` (n, c), penalties, win-set radii and disagreement values, each (n, c):
        the same element-wise operations as :meth:`penalty`, :meth:`radius` and
        :meth:`disagreement_value` (so the same bits)."""
        shared = [q for q in parties if all(_keeps_base(q, name) for name in Party._SHARED_RULES)]
        others = [q for q in parties if q not in shared]
        if not shared:
            return shared, others, None
        m = shared[0].model
        p = m.params
        cols = [q.idx for q in shared]
        every = cols == list(range(d.shape[-1]))
        dd = d if every else d[:, cols]
        pen = np.stack([q.penalty(direct_contact, r) for q in shared], axis=-1)
        out = np.stack([q.outside_option(r) for q in shared], axis=-1)
        domestic = m.domestic[r] if every else m.domestic[r][:, cols]
        rad = win_set_radius(
            p.acceptance_radius[r][:, None], p.domestic_radius_shrink[r][:, None], domestic
        )
        dv = disagreement_value_of(rad, out)
        return shared, others, (cols, every, dd, pen, rad, dv)

    @staticmethod
    def _shared_accepts(shared, terms, level, r):
        """(n, c) :meth:`accepts` of the ``shared`` parties at ``level`` from their terms."""
        _, _, dd, pen, _, dv = terms
        p = shared[0].model.params
        slack = level_slack(p, level, r)[:, None]
        ok = nash_accepts(signing_utility(dd, pen, slack), dv)
        if level == "joint_document":
            trust = np.stack([q.commitment_trust(r) for q in shared], axis=-1)
            ok = ok & (trust >= p.commitment_trust[r][:, None])
        return ok

    @staticmethod
    def accepts_all(parties, text, levels, direct_contact, r, d) -> dict[str, np.ndarray]:
        """Every one of ``parties``' :meth:`accepts` of ``text`` at each of ``levels``:
        level -> (n, 6) bool, column ``q.idx`` party ``q``'s (the same values).

        ``text``: (n, n_issues), one row per replicate of the index array ``r``;
        ``direct_contact``: (n,) bool; ``d``: (n, 6) every party's distance from the
        text (:meth:`sixparty.model.TalksModel.distances`).  The parties whose class
        keeps the base-class rule are computed together on (n, 6) arrays (their
        penalties, outside options and commitment trust still asked of each class);
        a class with its own rule is asked alone."""
        shared, others, terms = Party._shared_terms(parties, direct_contact, r, d)
        out = {}
        for level in levels:
            acc = np.zeros(d.shape, dtype=bool)
            if shared:
                acc[:, terms[0]] = Party._shared_accepts(shared, terms, level, r)
            for q in others:
                acc[:, q.idx] = q.accepts(text, level, direct_contact, r, d[:, q.idx])
            out[level] = acc
        return out

    @staticmethod
    def respond_all(parties, text, level: str, direct_contact, r, d):
        """Every one of ``parties``' :meth:`respond` to ``text`` at ``level``: (n, 6)
        verdict codes and (n, 6) amended issues, column ``q.idx`` party ``q``'s (the
        same values as its :meth:`respond`; arguments as :meth:`accepts_all`).  The
        base-class rule runs for the parties that keep it on (n, 6) arrays, then each
        class revises its own column (:meth:`revise_response`); a class with its own
        rule is asked alone."""
        verdicts = np.zeros(d.shape, dtype=np.int64)
        issues = np.full(d.shape, -1, dtype=np.int64)
        shared, others, terms = Party._shared_terms(parties, direct_contact, r, d)
        if shared:
            cols, every, dd, pen, rad, _ = terms
            m = shared[0].model
            ok = Party._shared_accepts(shared, terms, level, r)
            far = dd + pen > m.params.reject_radius_multiple[r][:, None] * rad
            pos, sal = m.pos[r], m.sal[r]
            if not every:
                pos, sal = pos[:, cols], sal[:, cols]
            gaps = np.abs(text[:, None, :] - pos) * sal
            verdict = np.where(ok, ACCEPT, np.where(far, REJECT, AMEND))
            issue = np.where(verdict == AMEND, np.argmax(gaps, axis=-1), -1)
            for b, q in enumerate(shared):
                verdicts[:, q.idx], issues[:, q.idx] = q.revise_response(
                    text, verdict[:, b], issue[:, b], r
                )
        for q in others:
            verdicts[:, q.idx], issues[:, q.idx] = q.respond(
                text, level, direct_contact, r, d[:, q.idx]
            )
        return verdicts, issues

    def concession_rate(self, r=ALL):
        """Share of the gap to the draft I concede per iteration, in [0, 1]
        (the fixed-share session only, ``expected_utility_sessions: false``).

        Grows with trust in the others (they will reciprocate) and shrinks with
        resolve and domestic constraint.
        """
        m = self.model
        p = m.params
        others = [j for j in range(6) if j != self.idx]
        t = np.mean(m.trust[r, self.idx][..., others], axis=-1)
        floor = p.concession_trust_floor[r]
        return (
            p.concession_rate[r]
            * (1.0 - m.resolve[r, self.idx])
            * (floor + (1.0 - floor) * t)
            * (1.0 - p.concession_domestic_shrink[r] * m.domestic[r, self.idx])
        )

    def concede(self, text, rate_boost: float, reps) -> None:
        """Move my position toward ``text`` (the chair's draft, one row per
        replicate of the index array ``reps``); the fixed-share session only.
        One noise draw per replicate, from that replicate's generator."""
        m = self.model
        rate = np.minimum(1.0, self.concession_rate(reps) * (1.0 + rate_boost))
        for b, rep in enumerate(reps):
            rb = float(rate[b])
            if rb <= 0:
                continue
            noise = float(m.params.noise[rep])
            eps = float(m.rngs[rep].normal(0.0, noise)) if noise > 0 else 0.0
            rb = min(1.0, max(0.0, rb * (1.0 + eps)))
            row = m.pos[rep, self.idx]
            row += rb * (text[b] - row)
            np.clip(row, 0.0, 1.0, out=row)

    # ------------------------------------------- inputs to the expected-utility model
    def willingness_to_yield(self, r=ALL):
        """``y_i = (1 - resolve)(1 - concession_domestic_shrink x domestic)``, in [0, 1].

        Resolve (1 = never concedes) and a narrow domestic win-set (Putnam
        1988) both make a delegation less willing to give way.
        """
        m = self.model
        p = m.params
        return (1.0 - m.resolve[r, self.idx]) * (
            1.0 - p.concession_domestic_shrink[r] * m.domestic[r, self.idx]
        )

    def bargaining_salience(self, r=ALL) -> np.ndarray:
        """(n, n_issues) salience as it enters the expected-utility model, in [0, 1].

        In Bueno de Mesquita's model (Scholz et al. 2011, eq. B6 in
        :mod:`sixparty.bargaining`) salience ``s_j`` is the probability that j
        resists a challenge.  A party resists unless it is both unconcerned
        and willing to yield: ``s'_ik = 1 - (1 - s_ik) y_i``
        (:meth:`willingness_to_yield`).  Resolve 1 gives s' = 1 (always
        resists); resolve 0 and no domestic constraint give the stated
        salience.  The same s' weights the party's votes (B1) and the chair's
        weighted median.
        """
        if self.model.params.bdm_stated_salience:
            return np.array(self.model.sal[r, self.idx], dtype=float, copy=True)
        y = np.asarray(self.willingness_to_yield(r))[..., None]
        return 1.0 - (1.0 - self.model.sal[r, self.idx]) * y

    def hold_in_round(self, before: np.ndarray, after: np.ndarray, r=ALL) -> np.ndarray:
        """(n, n_issues) my positions after an expected-utility round.

        ``before``: my positions before the round; ``after``: where my best
        offer takes me (B10-B11).  The base class takes the move; a class
        keeps the issues it will not bargain over.
        """
        return after

    @staticmethod
    def hold_all(parties, before: np.ndarray, after: np.ndarray, r=ALL) -> np.ndarray:
        """(n, 6, n_issues) every one of ``parties``' :meth:`hold_in_round`, column
        ``q.idx`` party ``q``'s: ``after`` copied once, then each class that keeps
        issues of its own (overrides :meth:`hold_in_round`) asked for its column
        (the base class takes the move: the same values)."""
        new = np.array(after, dtype=float, copy=True)
        for q in parties:
            if not _keeps_base(q, "hold_in_round"):
                new[:, q.idx] = q.hold_in_round(before[:, q.idx], after[:, q.idx], r)
        return new

    def within_win_set(self, before: np.ndarray, after: np.ndarray, r=ALL) -> np.ndarray:
        """(n, n_issues) my offers after an expected-utility round, kept within my win-set.

        ``before``: my offers before the round; ``after``: where the round
        takes them (:meth:`hold_in_round` applied), one (n_issues,) row per replicate
        of ``r``.  A delegation at a unanimity table does not offer what it
        could not sign and carry home: an offer's utility measured from my
        domestic reference point (the anchor, :meth:`reference_utility`) stays
        at least my disagreement value ``d`` (:meth:`disagreement_value`), the
        edge of the Level II win-set (Putnam 1988) and of the individually
        rational set (Nash 1950; the reservation value of Raiffa 1982).  If the
        round's move would cross that edge I move along it only as far as the
        edge; an offer already outside (the anchor or the outside option moved
        since) may not move further out.  Utility on the segment from
        ``before`` to ``after`` is concave, so the admissible part is a segment
        from ``before``, found by bisection to 2**-40 of its length.
        """
        before = np.asarray(before, dtype=float)
        after = np.asarray(after, dtype=float)
        step = after - before

        def u(lam):
            return self.reference_utility(before + lam[:, None] * step, r)

        n = before.shape[0]
        floor = np.minimum(self.disagreement_value(r), u(np.zeros(n)))
        ok = u(np.ones(n)) >= floor
        if ok.all():
            return after
        lo = np.zeros(n)
        hi = np.ones(n)
        for _ in range(WIN_SET_BISECTIONS):
            mid = 0.5 * (lo + hi)
            good = u(mid) >= floor
            lo = np.where(good, mid, lo)
            hi = np.where(good, hi, mid)
        return np.where(ok[:, None], after, before + lo[:, None] * step)

    def reference_utility(self, texts: np.ndarray, rep) -> np.ndarray:
        """Utility of text(s) measured from my anchor, in [0, 1].

        ``rep``: one replicate (``texts`` (..., n_issues), any number of texts), or an
        index array of n replicates (``texts`` (n, n_issues), one text each).  The
        anchor is my domestic reference point (the position I return to
        between sessions), so these are fixed preferences within a session,
        while my position is the offer I currently stand on.  Used by
        Zeuthen's principle (:meth:`risk_limit`) and the win-set bound
        (:meth:`within_win_set`).
        """
        m = self.model
        gaps = np.abs(np.asarray(texts) - m.anchor[rep, self.idx])
        e = m.params.distance_exponent[rep]
        if np.ndim(e) == 0:  # one replicate, any number of texts
            e = np.broadcast_to(e, gaps.shape[:-1])
        return 1.0 - text_distance(gaps, m.sal[rep, self.idx], e)

    def risk_limit(self, own_offer: np.ndarray, other_offer: np.ndarray, rep: int) -> np.ndarray:
        """My Zeuthen (1930) risk limit, ``(u(own) - u(other)) / (u(own) - d)`` in [0, 1].

        ``own_offer`` / ``other_offer``: ``(..., n_issues)`` texts, valued by
        :meth:`reference_utility`; d is my :meth:`disagreement_value`.  The
        largest probability of breakdown I would bear rather than accept the
        other's offer (:func:`sixparty.bargaining.zeuthen_risk_limit`).
        """
        return zeuthen_risk_limit(
            self.reference_utility(own_offer, rep),
            self.reference_utility(other_offer, rep),
            self.disagreement_value(rep),
        )

    def zeuthen_concession(self, other: Party, rep: int) -> np.ndarray:
        """(n_issues,) my position in replicate ``rep`` after a minimal Zeuthen
        concession toward ``other``.

        Offers are positions.  Of my offers on the segment from my position a
        toward the other's b, ``a + λ (b - a)`` (λ on a grid of
        ``zeuthen_grid`` steps), I make the smallest concession after which my
        risk limit is at least the other's, so that the other concedes next
        (Zeuthen 1930; Harsanyi 1956), moving at least
        ``concession_tolerance`` (a smaller move is no move, §3.3).  I never
        offer what is worth less to me than my disagreement value: if no such
        offer reverses the order I concede as far as that allows, and if it
        allows no move I stand firm.  The issues my class will not bargain
        over stay (:meth:`hold_in_round`).
        """
        m = self.model
        p = m.params
        a = m.pos[rep, self.idx].copy()
        b = m.pos[rep, other.idx].copy()
        lam = np.linspace(0.0, 1.0, p.zeuthen_grid + 1)
        offers = a[None, :] + lam[:, None] * (b - a)[None, :]
        offers = np.asarray(self.hold_in_round(np.broadcast_to(a, offers.shape), offers, rep))
        mine = self.risk_limit(offers, b, rep)
        theirs = other.risk_limit(b, offers, rep)
        feasible = self.reference_utility(offers, rep) >= self.disagreement_value(rep)
        s = m.sal[rep, self.idx]
        moved = row_sum(np.abs(offers - a) * s) / (float(s.sum()) or 1.0)
        big_enough = moved >= p.concession_tolerance[rep]
        ok = feasible & big_enough & (mine >= theirs)
        if ok.any():
            return offers[int(np.argmax(ok))]
        room = feasible & big_enough
        if room.any():
            return offers[int(np.flatnonzero(room)[-1])]
        return a

    def attend_score(self, r=ALL):
        """Willingness to attend an invited session, in [0, 1] (0.5 = indifferent)."""
        return np.array(self.model.params.attend_score_default[r], dtype=float)

    # ----------------------------------------------------------- each month
    def step(self) -> None:
        """Monthly, in every replicate: positions drift back toward the anchor
        (domestic pull).

        The pull grows with the domestic constraint: a delegation with a
        narrow win-set is called back harder (Putnam 1988).
        """
        m = self.model
        i = self.idx
        p = m.params
        pull = np.minimum(1.0, p.drift * (p.drift_domestic_base + m.domestic[:, i]))
        m.pos[:, i] += pull[:, None] * (m.anchor[:, i] - m.pos[:, i])
        if m.way_out is not None:
            self.reconsider_line()

    # ------------------------------------------------------------- ripeness
    def stalemate_cost(self, r=ALL):
        """What the absence of a deal costs me this month, in [0, 1], one value
        per replicate of ``r``.

        The base class (the five counterparts): the DPRK's deterrent, its
        outside option (the model's column, raised by its tests and by typed
        ``outside_option`` effects, clipped to [0, 1]), weighted by the
        salience I give denuclearization: a stalemate hurts me as far as the
        programme it leaves running matters to me.  The DPRK's class prices
        the sanctions it bears instead (:meth:`DPRK.stalemate_cost`).
        """
        m = self.model
        deterrent = np.clip(m.outside[r, DPRK_I], 0.0, 1.0)
        # The scope, not the sequence: what hurts is the arsenal the stalemate
        # leaves running, i.e. how much a counterpart cares what is given up.
        return m.sal[r, self.idx, DEN] * deterrent

    def reconsider_line(self) -> None:
        """Monthly, in every replicate: a hurting stalemate moves my line (my
        anchor) toward the way out, the chair's forecast text
        (``TalksModel.way_out``, :meth:`China.draft`).

        ``anchor += ripeness_rate x c x (way_out - anchor)``, ``c`` =
        :meth:`stalemate_cost`; the issues my class will not bargain over
        stay (:meth:`hold_in_round`).  Source: Zartman (2000), a conflict is
        ripe for settlement when the parties feel a hurting stalemate and
        perceive a way out; Cross (1969), concessions grow with the cost of
        delay.  Called only when ``parameters.ripeness_rate`` is positive in
        some replicate (default 0: the anchors move only by events, stated
        positions and documents, as in the published model).
        """
        m = self.model
        i = self.idx
        rate = m.params.ripeness_rate * self.stalemate_cost()
        before = m.anchor[:, i]
        target = np.asarray(self.hold_in_round(before, m.way_out))
        m.anchor[:, i] = before + rate[:, None] * (target - before)

    # --------------------------------------------------------- implementation
    def delivery_willingness(self, r=ALL):
        """Share of a due aid step I deliver this month, in [0, 1], before noise."""
        p = self.model.params
        return p.delivery_base[r] + p.delivery_trust[r] * self.trust_in(DPRK_I, r)

    def aid_hold(self, rep: int) -> Clause | None:
        """Whether my stated line holds an aid step I owe in replicate ``rep``
        this month, and why (a reason :class:`~sixparty.reasons.Clause`), or
        None.  The line is the one :meth:`delivery_willingness` applies (it
        sets the willingness to 0); this names it, so the model can record the
        hold as my decision (``withholds_aid`` / ``resumes_aid``).  The base
        class has no such line."""
        return None

    def refuses_aid_pledge(self) -> bool:
        """Whether my stated line refuses any aid pledge now: a joint document
        adopted now assigns me no share of its aid, and the others' shares
        cover the phase (:meth:`sixparty.scenario.Phase.provider_shares`).
        Read from the strategy, which only typed events change (the same in
        every replicate)."""
        return False

    def refuses_commitment(self, step: str) -> bool:
        """Whether my stated line withholds the counterpart step ``step`` (a
        slug, e.g. ``normalization``) now: a joint document adopted now owes
        no such step from me (:meth:`sixparty.scenario.Phase.commitments`)."""
        return False


class DPRK(Party):
    """North Korea (朝鲜).

    - Needs nuclear weapons against US "hostile policy" and wants direct talks
      with the US (§三方会谈 各方的基本立场): perceives a penalty in any session
      without direct US contact.
    - Demands simultaneous action (同时行动) in a staged package (§第一轮): in the
      ledger it never runs more than ``1 - simultaneity`` of a tranche ahead.
    - Links attendance to the lifting of financial sanctions (§第五轮 第一阶段:
      "如果美国不愿举行解除对朝鲜企业金融制裁的会谈，就绝无可能继续召开六方会谈").
    - Answers pressure with escalation: the "制裁-试验-再制裁-再试验" cycle
      (§第五轮 第一阶段): tests when pressure passes a threshold, choosing the
      test (missile or nuclear) whose change of its outside option net of the
      sanctions it draws is larger given its programme; while it participates,
      only when its outside option after the test beats the talks' value
      (:meth:`choose_test`, :meth:`talks_value`).
    - Signs a text only when it is worth its disagreement value, whose outside
      option rises with its tests and falls with sanctions
      (:meth:`outside_option`): brinkmanship moves its bargaining bar.
    - Suspends, and may reverse, disablement when a counterpart's step is
      overdue (§第六轮 第二阶段, 2008: :meth:`reconsider_steps`,
      :meth:`reverses_steps`); suspends its participation when its
      readiness (:meth:`attend_score`) falls below a threshold, and walks out
      of the talks (§朝鲜退出) when its outside option beats the talks' value,
      ``o > V_T`` (:meth:`next_stance`, :meth:`prefers_outside`).  The
      values compared are in each run's ``timeline.csv`` (``dprk_readiness``,
      ``dprk_outside_option``, ``dprk_talks_value``, ``dprk_pressure``), and
      each decision's reason in ``decisions.csv`` gives the terms it compared
      (:meth:`attend_terms`; the walk-out's ``V_T = P (u + relief)``).

    Where the state it decides on comes from, outside this class: the text the
    talks offer is :meth:`China.draft` until a text is agreed; the counterpart
    steps overdue and still outstanding are found by the model's ledger
    (``TalksModel._overdue_counterpart_steps``, ``_still_outstanding``) and its
    reversal applied by ``TalksModel._reverse``; stated positions re-anchor its
    position in anchored mode (``TalksModel`` inputs, docs/model.md §3.3).
    """

    key = "DPRK"
    classifier = {
        "demands_simultaneity": True,
        "demands_direct_contact": True,
        "links_attendance_to_sanctions": True,
        "escalates_under_pressure": True,
        "can_walk_out": True,
    }

    def __init__(self, model: TalksModel, strategy) -> None:
        super().__init__(model, strategy)
        #: This month's tests: replicate -> (probability, pressure above the
        #: threshold, the draw), kept by :meth:`choose_test` for :meth:`test_reason`.
        self.test_odds: dict[int, tuple[float, float, float]] = {}

    def penalty(self, direct_contact, r=ALL):
        return np.where(direct_contact, 0.0, self.model.params.dprk_no_contact_penalty[r])

    def commitment_trust(self, r=ALL):
        return self.trust_in(US_I, r)

    def outside_option(self, r=ALL):
        """The DPRK's value of no agreement, in [-1, 1]: its outside option
        (raised by its tests, :meth:`test_outcomes`, and by typed
        ``outside_option`` effects) net of the sanctions it bears,
        ``outside - dprk_outside_sanctions x sanctions`` (article §第五轮
        第一阶段: financial sanctions as the cost of no deal).  Brinkmanship is
        a decision on this state: a test raises the disagreement value at
        which the DPRK signs (:meth:`Party.disagreement_value`), the sanctions
        it draws lower it again.
        """
        m = self.model
        return m.outside[r, self.idx] - m.params.dprk_outside_sanctions[r] * m.sanctions[r]

    def stalemate_cost(self, r=ALL):
        """What the absence of a deal costs the DPRK, in [0, 1]: the standing
        sanctions (article §第五轮 第一阶段: the BDA financial sanctions as
        the cost of no deal); a deal's sanctions relief is what the talks
        offer against them (:meth:`sanctions_relief`)."""
        return np.asarray(self.model.sanctions[r], dtype=float)

    def pressure(self, r=ALL):
        """Pressure felt, in [0, 1]: fresh grievances (new sanctions, hostile acts),
        distrust of the US, and the standing level of sanctions."""
        m = self.model
        q = m.params
        p = (
            q.pressure_grievance[r] * m.grievance[r]
            + q.pressure_distrust[r] * (1.0 - self.trust_in(US_I, r))
            + q.pressure_sanctions[r] * m.sanctions[r]
        )
        return np.minimum(1.0, np.maximum(0.0, p))

    # ------------------------------------------------------------- escalation
    def programme(self, r=ALL):
        """State of the nuclear programme, in [0, 1]: the share not disabled or
        dismantled (``1 - progress``, progress net of reversals).  A nuclear
        test needs a programme (> 0) and demonstrates a deterrent worth as much
        as the programme behind it."""
        return np.maximum(0.0, 1.0 - self.model.progress[r])

    def talks_text(self, r=ALL) -> np.ndarray:
        """(n, n_issues) the text the talks offer the DPRK, in [0, 1]: the agreed text
        (the last joint statement or document) where there is one, else the
        chair's forecast of a text now (:meth:`China.draft`, the weighted
        median of the current positions)."""
        m = self.model
        agreed = m.has_agreed_text[r]
        if np.all(agreed):
            return m.agreed_text[r]
        return np.where(agreed[..., None], m.agreed_text[r], m.parties[CHINA_I].draft(r))

    def performance_probability(self, r=ALL):
        """The probability the DPRK gives that its counterparts perform a deal,
        in [0, 1]: its mean trust in the five others (a joint document's
        steps owed to the DPRK come from all five: aid from the providers,
        delisting from the US; Kydd 2005's reassurance)."""
        return np.mean(self.model.trust[r, self.idx][..., 1:], axis=-1)

    def talks_value(self, r=ALL):
        """What staying in the talks is worth to the DPRK over leaving them,
        in [0, 2]: ``V_T = P (u(x) + dprk_outside_sanctions x x_relief x
        sanctions)``.

        ``x`` is :meth:`talks_text`, ``u`` the DPRK's utility of it,
        ``P`` :meth:`performance_probability`, ``x_relief`` the text's
        sanctions-relief value (the share of sanctions a performed deal
        lifts).  Staying is worth the deal if performed (with probability P)
        and the sanctions it lifts; if not performed the DPRK is left under
        the same sanctions as if it had left, so the standing sanctions cancel
        out of the comparison with its outside option (:meth:`prefers_outside`)
        except for the part a deal would lift: sanctions make the talks worth
        more only as far as the talks can lift them.
        """
        return self.talks_value_parts(r)["value"]

    def talks_value_parts(self, r=ALL) -> dict[str, np.ndarray]:
        """:meth:`talks_value` and its parts, one value per replicate of ``r``:
        ``performance`` (``P``, :meth:`performance_probability`), ``text_utility``
        (``u(x)``), ``relief`` (:meth:`sanctions_relief`) and ``value`` ``= P (u +
        relief)``."""
        x = self.talks_text(r)
        p = self.performance_probability(r)
        u = self.utility(x, r)
        relief = self.sanctions_relief(r, x)
        return {"performance": p, "text_utility": u, "relief": relief, "value": p * (u + relief)}

    def sanctions_relief(self, r=ALL, x=None):
        """What the sanctions a performed deal lifts are worth to the DPRK, in
        [0, 1]: ``dprk_outside_sanctions x x_relief x sanctions``, ``x`` the text
        (default :meth:`talks_text`), ``x_relief`` its sanctions-relief value."""
        m = self.model
        x = self.talks_text(r) if x is None else x
        return m.params.dprk_outside_sanctions[r] * x[..., SANC] * m.sanctions[r]

    def prefers_outside(self, r=ALL, outside=None):
        """Brinkmanship as a decision (article §朝鲜退出: "退出六方会谈并将重启核设施建设"):
        does the DPRK's outside option beat the talks (:meth:`talks_value`)?

        Leaving is worth its outside option ``outside`` (the model's column,
        raised by its tests and by typed ``outside_option`` effects) net of
        the standing sanctions; staying is worth :meth:`talks_value` net of
        the same sanctions.  ``outside``: a hypothetical outside option per
        replicate of ``r`` (what a test would leave), else the current one.
        """
        o = self.model.outside[r, self.idx] if outside is None else outside
        return o > self.talks_value(r)

    def test_outcomes(self, r=ALL) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """For each test kind, ``(feasible, outside option gained, change of
        the outside option net of sanctions)``, one value per replicate.

        The DPRK anticipates the answers the model gives every test: its
        outside option rises (``test_outside_gain_<kind>``; a nuclear test's
        scaled by :meth:`programme`, and capped at 1), and the US
        (``sanction_response`` x ``test_sanctions_<kind>``) and the Security
        Council (``test_unsc_sanctions_<kind>``) add sanctions, which lower
        its outside option by ``dprk_outside_sanctions`` each
        (:meth:`outside_option`).  The test's value is the change of its
        outside option: ``gain - dprk_outside_sanctions x sanctions drawn``.
        Units: [0, 1] scales; the value may be negative.  A nuclear test
        without a programme is not feasible.
        """
        m = self.model
        q = m.params
        us = m.parties[US_I]
        out = {}
        prog = self.programme(r)
        room_out = 1.0 - m.outside[r, self.idx]
        room_sanc = 1.0 - m.sanctions[r]
        for kind in ("missile", "nuclear"):
            gain = getattr(q, f"test_outside_gain_{kind}")[r]
            feasible = np.ones(np.shape(prog), dtype=bool)
            if kind == "nuclear":
                feasible = prog > 0.0
                gain = gain * prog
            gain = np.minimum(gain, room_out)
            rise = (
                us.strategy.sanction_response * getattr(q, f"test_sanctions_{kind}")[r]
                + getattr(q, f"test_unsc_sanctions_{kind}")[r]
            )
            rise = np.minimum(rise, room_sanc)
            out[kind] = (feasible, gain, gain - q.dprk_outside_sanctions[r] * rise)
        return out

    def choose_test(self) -> np.ndarray:
        """This month's test decision from state, every replicate: ``(R,)``
        codes 0 none, 1 missile, 2 nuclear.

        1. Pressure must exceed ``test_threshold`` (the sanction-test cycle,
           article §第五轮 第一阶段).
        2. The kind: the feasible test that raises its outside option net of
           the sanctions it draws the most (:meth:`test_outcomes`); ties go
           to the missile.  No test if no kind raises it.
        3. The talks: while it participates, a test puts the talks at risk,
           so it tests only if its outside option after the test beats the
           talks (:meth:`prefers_outside`); suspended or walked out, there are
           no talks to forfeit.
        4. Propensity: with probability ``escalation x test_probability_slope
           x (pressure - test_threshold)`` (one draw of the replicate's
           generator, made only when 1-3 hold).
        """
        m = self.model
        q = m.params
        kind = np.zeros(m.R, dtype=np.int8)
        excess = self.pressure() - q.test_threshold
        cand = np.flatnonzero(excess > 0)
        if cand.size == 0:
            return kind
        outcomes = self.test_outcomes(cand)
        mf, mg, mv = outcomes["missile"]
        nf, ng, nv = outcomes["nuclear"]
        nuclear = nf & (nv > mv)
        gain = np.where(nuclear, ng, mg)
        value = np.where(nuclear, nv, mv)
        ok = value > 0
        in_talks = m.stance[cand] == PARTICIPATING
        outside_after = m.outside[cand, self.idx] + gain
        ok &= ~in_talks | self.prefers_outside(cand, outside_after)
        prob = self.strategy.escalation * q.test_probability_slope[cand] * excess[cand]
        self.test_odds = {}
        for b in np.flatnonzero(ok):
            rep = cand[b]
            draw = float(m.rngs[rep].random())
            if draw < prob[b]:
                kind[rep] = 2 if nuclear[b] else 1
                self.test_odds[int(rep)] = (float(prob[b]), float(excess[rep]), draw)
        return kind

    def test_reason(self, rep: int, outside_after: float) -> list[Clause]:
        """The reason of a test in replicate ``rep`` (state before the test),
        for ``decisions.csv``: :class:`~sixparty.reasons.Clause` records."""
        m = self.model
        q = m.params
        outcomes = self.test_outcomes(rep)
        why = [
            clause(
                "pressure_above_threshold",
                pressure=float(self.pressure(rep)),
                threshold=float(q.test_threshold[rep]),
            )
        ]
        prog = float(self.programme(rep))
        missile = float(outcomes["missile"][2])
        if bool(outcomes["nuclear"][0]):
            why.append(
                clause(
                    "test_outside_option_gains",
                    missile=missile,
                    nuclear=float(outcomes["nuclear"][2]),
                    programme=prog,
                )
            )
        else:
            why.append(clause("test_outside_option_gain_missile", missile=missile))
            why.append(clause("nuclear_test_infeasible", programme=prog))
        if m.stance[rep] == PARTICIPATING:
            why.append(
                clause(
                    "test_outside_option_above_talks",
                    outside=outside_after,
                    talks_value=float(self.talks_value(rep)),
                )
            )
        if rep in self.test_odds:
            prob, excess, draw = self.test_odds[rep]
            why.append(
                clause(
                    "test_propensity",
                    probability=prob,
                    escalation=float(self.strategy.escalation),
                    slope=float(q.test_probability_slope[rep]),
                    excess=excess,
                    draw=draw,
                )
            )
        return why

    # ------------------------------------------------------ its own steps
    def reconsider_steps(
        self, rep: int, suspended: bool, overdue: list, outstanding: list, t_us: float
    ) -> str:
        """Suspend or resume its own steps of the phase in force, replicate ``rep``:
        ``"suspends_steps"``, ``"resumes_steps"`` or ``""`` (no change).

        Article §第六轮 第二阶段 (2008): "鉴于美国未履行在45日内将朝鲜从…名单中除名的承诺，
        朝鲜宣布暂停去功能化作业" — it suspends when a counterpart step owed to it
        is overdue (``overdue``, owed under reciprocity) and its trust in the US
        ``t_us`` is below ``suspend_steps_trust``; "美国宣布将朝鲜除名，朝鲜随后重启去功能化
        作业" — it resumes once the steps it suspended over are performed (or
        re-dated or superseded by a renegotiation: ``outstanding`` is empty), or
        when its trust in the US recovers above ``resume_steps_trust``.  Its own
        reversal of steps settles nothing (``outstanding`` ignores reciprocity).
        Kydd (2005): reassurance is by the counterpart's costly signal.
        """
        q = self.model.params.at(rep)
        if not suspended:
            return "suspends_steps" if overdue and t_us < q.suspend_steps_trust else ""
        return "resumes_steps" if not outstanding or t_us > q.resume_steps_trust else ""

    def reverses_steps(self, rep: int, t_us: float) -> float:
        """How much denuclearization progress it undoes this month in replicate
        ``rep``, in progress units ([0, 1]): ``reversal_rate`` while its steps
        are suspended (the model's ``dprk_suspended_steps``) and its trust in the
        US ``t_us`` is below ``reverse_steps_trust``, else 0.

        Article §第六轮 第二阶段 (2008): suspending disablement over the missed
        delisting, the DPRK announced it was "同时考虑按原状恢复宁边核设施"
        (considering restoring the Yongbyon facilities to their former state).
        The model undoes the amount from the latest performed steps
        (``TalksModel._reverse``: last in, first out, dismantlement never),
        re-opening a tranche that is no longer complete and restoring the
        facilities it had moved; ``decisions.csv`` records it as ``reverses_steps``
        (the amount undone, the tranches re-opened, trust against the threshold).
        """
        m = self.model
        q = m.params.at(rep)
        if not m.dprk_suspended_steps[rep] or not t_us < q.reverse_steps_trust:
            return 0.0
        return float(q.reversal_rate)

    # ----------------------------------------------------------------- stance
    def next_stance(self) -> tuple[np.ndarray, np.ndarray]:
        """The DPRK's stance toward the talks this month, from state alone,
        every replicate: ``(stance codes (R,), decision codes (R,))`` with
        decisions 0 none, 1 ``walks_out``, 2 ``returns``, 3
        ``suspends_participation`` (:data:`STANCE_DECISIONS`).

        Two decisions (article §第五轮 第一阶段: the boycott over the financial
        sanctions; §朝鲜退出: the walk-out): suspending participation is a
        bargaining tactic read from its readiness (:meth:`attend_score`:
        trust, sanctions, grievance, outside option, what the talks deliver);
        walking out is brinkmanship, leaving the talks for the outside option
        when that is worth more than the talks (:meth:`prefers_outside`).
        Events act only through their effects on that state; no rule reads an
        event's type, id or date.  Rules, in order:

        - walked out: returns after ``return_months`` months running in which
          the talks beat its outside option and its readiness is above
          ``return_threshold`` (the count is kept in the model's
          ``return_months``);
        - once talks have been convened, walks out when its outside option
          beats the talks;
        - participating: suspends when readiness is below ``suspend_threshold``;
        - suspended: returns when readiness is above ``resume_threshold``.
        """
        m = self.model
        q = m.params
        score = self.attend_score()
        prefers = self.prefers_outside()
        stance = m.stance.copy()
        decision = np.zeros(m.R, dtype=np.int8)
        out = stance == WALKED_OUT
        back = out & (score > q.return_threshold) & ~prefers
        m.return_months[:] = np.where(back, m.return_months + 1, np.where(out, 0, m.return_months))
        ret = out & (m.return_months >= q.return_months)
        stance[ret] = PARTICIPATING
        decision[ret] = 2
        live = ~out
        walk = live & (m.n_sessions > 0) & prefers
        stance[walk] = WALKED_OUT
        decision[walk] = 1
        live &= ~walk
        susp = live & (m.stance == PARTICIPATING) & (score < q.suspend_threshold)
        stance[susp] = SUSPENDED
        decision[susp] = 3
        back_in = live & (m.stance == SUSPENDED) & (score > q.resume_threshold)
        stance[back_in] = PARTICIPATING
        decision[back_in] = 2
        return stance, decision

    #: The terms of :meth:`attend_score`, in the order they are summed
    #: (:data:`sixparty.reasons.READINESS_TERMS`).
    ATTEND_TERMS: ClassVar[tuple[str, ...]] = tuple(READINESS_TERMS)
    #: At most this many terms a ``readiness_change`` clause names (reporting only).
    CHANGES_SHOWN: ClassVar[int] = 3
    #: The values ``talks_value_change`` compares with last month, in the order of
    #: the model's ``dprk_value_last`` columns.
    VALUE_PARTS: ClassVar[tuple[str, ...]] = (
        "outside",
        "talks_value",
        "performance",
        "text_utility",
        "relief",
    )

    def attend_terms(self, r=ALL) -> dict[str, np.ndarray]:
        """The signed contributions to the DPRK's readiness (:data:`ATTEND_TERMS`),
        one value per replicate of ``r``: China's persuasion (trust in China, the
        shuttle's credit), trust in the US, the sanctions it links attendance to
        (§第五轮 第一阶段; 0 without the linkage), grievance, its outside option
        (less an offset), direct contact with the US allowed, and steps owed to it
        overdue (what the talks deliver).  Their sum, clipped to [0, 1], is
        :meth:`attend_score`."""
        m = self.model
        q = m.params
        zero = np.zeros(np.shape(m.sanctions[r]))
        return {
            "base": q.dprk_attend_base[r] + zero,
            "trust_china": q.dprk_attend_trust_china[r] * self.trust_in(CHINA_I, r),
            "trust_us": q.dprk_attend_trust_us[r] * self.trust_in(US_I, r),
            "shuttle": q.dprk_attend_shuttle[r] * m.china_shuttle_credit[r],
            "sanctions": -(q.dprk_attend_sanctions[r] * m.sanctions[r])
            if self.strategy.sanctions_linkage
            else zero,
            "grievance": -(q.dprk_attend_grievance[r] * m.grievance[r]),
            "outside": -(
                q.dprk_attend_outside[r] * m.outside[r, self.idx] - q.dprk_attend_outside_offset[r]
            ),
            "contact": q.dprk_attend_direct_talks[r] + zero
            if m.us_direct_talks() != "refuse"
            else zero,
            "arrears": -np.where(m.arrears[r], q.dprk_attend_arrears[r], 0.0),
        }

    def attend_score(self, r=ALL):
        """Readiness to attend, in [0, 1]: China's persuasion and the value of talks
        against sanctions and hostility, the sum of :meth:`attend_terms` in their
        order (subtracting a term is adding its negation: the same bits)."""
        return self.readiness_of(self.attend_terms(r).values())

    @staticmethod
    def readiness_of(terms):
        """The readiness made of ``terms`` (the values of :meth:`attend_terms`, in
        their order; arrays or floats): their sum, clipped to [0, 1]."""
        s = None
        for term in terms:
            s = term if s is None else s + term
        return np.minimum(1.0, np.maximum(0.0, s))

    # -------------------------------------------- what changed since last month
    def readiness_change(self, rep: int, terms: dict | None = None) -> list[Clause]:
        """What moved the DPRK's readiness since the end of the previous month, in
        replicate ``rep``: one ``readiness_change`` clause (the change of
        :meth:`attend_score` and the :data:`CHANGES_SHOWN` terms of
        :meth:`attend_terms` that changed most, each by 0.01 or more as shown,
        largest first, ties in the terms' order), or none in the run's first month.

        ``terms``: this month's terms (default: :meth:`attend_terms` now).  Last
        month's are the model's ``dprk_terms_last`` (end-of-month state, the
        readiness of ``timeline.csv``'s previous row).  Reporting only: nothing is
        decided on it.
        """
        last = self.model.dprk_terms_last[rep]
        if np.isnan(last).any():
            return []
        now = self.attend_terms(rep) if terms is None else terms
        now = [float(now[k]) for k in self.ATTEND_TERMS]
        delta = [a - float(b) for a, b in zip(now, last, strict=True)]
        order = sorted(range(len(delta)), key=lambda k: -abs(delta[k]))
        moved = [k for k in order if float(f"{abs(delta[k]):.2f}") > 0][: self.CHANGES_SHOWN]
        change = float(self.readiness_of(now)) - float(self.readiness_of(list(last)))
        return [
            clause(
                "readiness_change",
                readiness=float(f"{change:.2f}") + 0.0,  # + 0.0: a change of -0.004 shows +0.00
                changes=[(self.ATTEND_TERMS[k], delta[k]) for k in moved],
            )
        ]

    def talks_value_change(self, rep: int) -> list[Clause]:
        """What moved the walk-out's comparison since the end of the previous month,
        in replicate ``rep``: one ``talks_value_change`` clause (the changes of its
        outside option, the talks' value and the value's parts: performance, utility of
        the text, sanctions relief; :meth:`talks_value_parts`), or none in the run's
        first month.  Last month's are the model's ``dprk_value_last`` (timeline.csv's
        previous ``dprk_outside_option`` and ``dprk_talks_value``).  Reporting only."""
        m = self.model
        last = m.dprk_value_last[rep]
        if np.isnan(last).any():
            return []
        parts = self.talks_value_parts(rep)
        now = {"outside": m.outside[rep, self.idx], "talks_value": parts["value"], **parts}
        return [
            clause(
                "talks_value_change",
                **{
                    k: float(f"{float(now[k]) - float(b):.3f}") + 0.0  # -0.0004 shows +0.000
                    for k, b in zip(self.VALUE_PARTS, last, strict=True)
                },
            )
        ]

    def step(self) -> None:
        super().step()
        self.model.consider_escalation(self)


#: Codes of :meth:`DPRK.next_stance`'s decisions (index 0: no change).
STANCE_DECISIONS = ("", "walks_out", "returns", "suspends_participation")


class UnitedStates(Party):
    """The United States (美国).

    - Keeps the military option and refuses direct talks (§三方会谈); no
      bilateral talks without a third party present (§第二轮 各方基本立场):
      ``strategy.direct_talks``.
    - The DPRK must give up its programme first, CVID (§第一轮): high resolve on
      denuclearization; Libya model (§第二轮 narrative).
    - Treats sanctions as outside the six-party table (§第五轮 第一阶段,
      2005-12-06): never amends a text toward sanctions relief while its
      domestic constraint is high, and answers DPRK tests with sanctions.
    - Demands verification before delisting (§第六轮 第二阶段, Rice 2008): its
      delisting step waits until the text's verification meets its position.
      A verification compromise can only come from bargaining: a stalled
      phase is reopened in session, and the renegotiated text (its
      verification included) is the one the delisting is measured against.
    - Its stance moves with domestic politics (§第五轮 第二阶段: neoconservatives
      recede after the 2006 midterms): domestic constraint hardens positions.
    """

    key = "US"
    classifier = {
        "requires_third_party_present": True,
        "denuclearization_first": True,
        "sanctions_off_the_table": True,
        "verification_before_delisting": True,
        "domestic_politics": True,
    }

    def revise_response(self, text, verdict, issue, r=ALL):
        """Sanctions off the table (:meth:`sanctions_off_the_table`): an amendment on
        sanctions relief asks instead on the issue where the text costs me most
        after it (salience x distance)."""
        # "制裁问题不在六方会谈中": refuse to bargain over sanctions; ask on the next issue.
        redo = (verdict == AMEND) & (issue == SANC) & self.sanctions_off_the_table(r)
        if np.any(redo):
            gaps = np.abs(text - self.model.pos[r, self.idx]) * self.model.sal[r, self.idx]
            gaps[..., SANC] = -1.0
            issue = np.where(redo, np.argmax(gaps, axis=-1), issue)
        return verdict, issue

    def sanctions_off_the_table(self, r=ALL):
        """ "制裁问题不在六方会谈中" (article §第五轮 第一阶段, 2005-12-06): while its
        domestic constraint exceeds ``us_sanctions_refusal_domestic`` the US
        does not bargain over sanctions (bool per replicate)."""
        p = self.model.params
        return self.model.domestic[r, self.idx] > p.us_sanctions_refusal_domestic[r]

    def bargaining_salience(self, r=ALL) -> np.ndarray:
        """Sanctions off the table: full resistance on sanctions relief (article
        §第五轮 第一阶段); otherwise the base class's resolve and domestic
        constraint (:meth:`Party.bargaining_salience`)."""
        s = super().bargaining_salience(r)
        s[..., SANC] = np.where(self.sanctions_off_the_table(r), 1.0, s[..., SANC])
        return s

    def hold_in_round(self, before, after, r=ALL):
        """Sanctions off the table: the US keeps its sanctions position."""
        out = np.array(after, dtype=float, copy=True)
        out[..., SANC] = np.where(
            self.sanctions_off_the_table(r), before[..., SANC], out[..., SANC]
        )
        return out

    def allows_direct_contact(self, r=ALL):
        """US-DPRK contact inside the session (§第一轮: "在同一个屋顶下").

        Refused under ``direct_talks: refuse`` while the domestic constraint is
        high (``us_contact_domestic``); allowed once the strategy or domestic
        politics permit it, or once the US position on the format issue has
        moved to ``us_contact_format``.
        """
        m = self.model
        if self.strategy.direct_talks != "refuse":
            return np.ones(m.sanctions[r].shape, dtype=bool)
        p = m.params
        return (m.domestic[r, self.idx] < p.us_contact_domestic[r]) | (
            m.pos[r, self.idx, FMT] >= p.us_contact_format[r]
        )

    def step(self) -> None:
        # Domestic politics: a hard-line Congress or administration pulls the
        # anchor of the sequence and verification upward (Putnam 1988).  The
        # sequence, not the scope: the hard-liners' line was "no reward before
        # CVID" (§第一轮), while the goal itself, CVID, was every administration's
        # (the US's scope statements stay at 0.9-1.0 from 2003 to 2010); their
        # influence falling in 2006 (§第五轮 第二阶段) changed the order (2·13).
        m = self.model
        super().step()
        q = m.params
        push = q.us_domestic_drift * (m.domestic[:, self.idx] - q.us_domestic_neutral)
        row = m.pos[:, self.idx]
        row[:, SEQ] += push
        row[:, VER] += push
        np.clip(row, 0.0, 1.0, out=row)

    def delivery_willingness(self, r=ALL):
        p = self.model.params
        return (
            p.us_delivery_base[r]
            + p.us_delivery_trust[r] * self.trust_in(DPRK_I, r)
            - p.us_delivery_domestic[r] * self.model.domestic[r, self.idx]
        )

    def delisting_hold(self, rep: int, agreed_verification: float) -> Clause | None:
        """Whether I hold back a delisting that is due in replicate ``rep``, and
        why, or None (§第六轮 第二阶段, Rice 2008: verification before
        delisting).  I hold it while ``strategy.verification_first`` and my
        verification position lies beyond the agreed text's
        (``agreed_verification``, 0 without an agreed text) by more than my
        win-set radius (:meth:`radius`); the reason gives the three numbers."""
        demand = float(self.model.pos[rep, self.idx, VER])
        radius = float(self.radius(rep))
        if self.strategy.verification_first and demand > agreed_verification + radius:
            return clause(
                "verification_beyond_text",
                demand=demand,
                agreed=agreed_verification,
                radius=radius,
            )
        return None


class China(Party):
    """China (中国), host and chair.

    - Opposes both a nuclear DPRK and a military solution, understands DPRK
      security concerns, will host more talks (§三方会谈 各方的基本立场).
    - Convenes, chairs and drafts; shuttles between the DPRK and the US
      (§会谈背景; §第一轮: Dai Bingguo's 2003 visits): between sessions its
      shuttle raises the DPRK's trust in China and readiness to attend, and it
      invites when its sounding says a session can succeed.
    - Drafts Bueno de Mesquita's forecast, the capability x salience weighted
      median (:meth:`draft`); with ``parameters.chair_drafts_in_zopa``, the text
      nearest it that all six would sign, as a mediator (:meth:`draft_in_zopa`).
    - Urges simultaneous steps (§第三轮: "美朝双方应相互同时迈步"): in the
      fixed-share session (``expected_utility_sessions: false``) it boosts the
      concessions of the DPRK and the US when a draft stalls; the
      expected-utility session has no such boost (positions move only by the
      round's offers).
    """

    key = "China"
    classifier = {"chair": True, "shuttle_diplomacy": True, "drafts_texts": True}

    def draft(self, r=ALL, salience=None, positions=None, forecast=None) -> np.ndarray:
        """The chair's text, one (n_issues,) row per replicate of ``r``: the
        expected-utility model's forecast.

        With ``parameters.expected_utility_sessions`` (default) the text is,
        issue by issue, the weighted median of the positions with weights
        capability x bargaining salience (:meth:`Party.bargaining_salience`):
        Bueno de Mesquita's forecast of the collective decision, the median
        voter position of eq. B2-B3 (Bueno de Mesquita 1994; Scholz, Calbert
        & Smith 2011; :func:`sixparty.bargaining.weighted_median`).  With the
        switch off (the fixed-share model kept for comparison), the
        capability x salience weighted mean of positions.  ``salience``: the
        bargaining salience of replicates ``r`` if already computed;
        ``positions``: (n, 6, n_issues) the session's offers (default: the
        positions, as when a session opens); ``forecast``: (n, n_issues) the
        expected-utility round's forecast on these positions and saliences
        (:class:`~sixparty.bargaining.RoundResult` ``median``) if already
        computed: the same weighted median, returned as a copy.
        """
        m = self.model
        pos = m.pos[r] if positions is None else positions
        if m.params.expected_utility_sessions:
            if forecast is not None:
                return np.array(forecast, dtype=float, copy=True)
            if salience is None:
                salience = m.bargaining_salience(r)
            w = m.cap[r][..., None] * salience  # (n, 6, n_issues)
            return weighted_median(np.swapaxes(pos, -1, -2), np.swapaxes(w, -1, -2))
        w = m.cap[r][..., None] * m.sal[r]
        num = np.ascontiguousarray(np.swapaxes(w * pos, -1, -2)).sum(axis=-1)
        den = np.ascontiguousarray(np.swapaxes(w, -1, -2)).sum(axis=-1)
        return num / np.maximum(den, 1e-9)

    def draft_in_zopa(self, forecast, r, levels, direct_contact):
        """The acceptable text nearest the forecast: the chair drafts within the
        zone of possible agreement (``parameters.chair_drafts_in_zopa``).

        ``forecast``: ``(n, n_issues)`` the chair's text (:meth:`draft`, after
        Russia's package if any), one row per replicate of the index array
        ``r``; ``levels``: ``(n,)`` the document level each session aims at;
        ``direct_contact``: ``(n,)`` bool.  The zone of possible agreement
        (Raiffa 1982) is the set of texts every party would sign at that level,
        under unanimity the intersection of the veto players' acceptable sets
        (Tsebelis 2002, ch. 1-2): ``{x in [0, 1]^n_issues : d_i(x) <= c_i, all
        six i}``, ``d_i`` the party's distance from its position
        (:meth:`Party.distance`, ``parameters.distance_exponent``) and ``c_i =
        1 - dv_i + slack_level - penalty_i``, exactly :meth:`Party.accepts`'s
        utility test (trust, which a joint document also needs, is not a
        property of the text and is left out).  A mediator who knows the
        forecast tables the point of that set nearest it (the agenda setter
        proposes within the acceptable set, Romer & Rosenthal 1978): its
        Euclidean projection, by Dykstra's algorithm
        (:func:`sixparty.bargaining.project_onto_intersection`).  A human seat
        counts by its current position, as an agent's.

        Returns ``(text (n, n_issues), moved (n,) bool, empty (n,) bool)``:
        the forecast unchanged where every party already accepts it (neither
        flag); the projection where it is found and passes every party's
        test (``moved``); the forecast where no text passes all six
        (``empty``: the zone is empty, or Dykstra's cycles ended outside it).
        """
        m = self.model
        r = np.asarray(r)
        forecast = np.asarray(forecast, dtype=float)
        n = forecast.shape[0]
        levels = np.asarray(levels, dtype=object)
        contact = np.asarray(direct_contact, dtype=bool)
        slack = np.empty(n)
        for lv in dict.fromkeys(levels):
            rows = levels == lv
            slack[rows] = level_slack(m.params, lv, r[rows])
        radii = np.stack(
            [1.0 - q.disagreement_value(r) + slack - q.penalty(contact, r) for q in m.parties],
            axis=-1,
        )  # (n, 6): the distance each party accepts

        def acceptable(texts):
            dist = m.distances(texts, r)
            ok = np.ones(n, dtype=bool)
            for q in m.parties:
                for lv in dict.fromkeys(levels):
                    rows = levels == lv
                    u = q.text_utility(texts[rows], lv, contact[rows], r[rows], dist[rows, q.idx])
                    ok[rows] &= nash_accepts(u, q.disagreement_value(r[rows]))
            return ok

        inside = acceptable(forecast)
        # a party whose own position fails its test: nothing passes
        seek = ~inside & (radii >= 0.0).all(axis=-1)
        text = forecast.copy()
        moved = np.zeros(n, dtype=bool)
        if seek.any():
            S = np.flatnonzero(seek)
            x, _ = project_onto_intersection(
                forecast[S],
                m.pos[r[S]],
                m.sal[r[S]],
                np.maximum(radii[S] - ZOPA_MARGIN, 0.0),
                np.asarray(m.params.distance_exponent[r[S]], dtype=float),
            )
            found = np.zeros(n, dtype=bool)
            found[S] = True
            trial = text.copy()
            trial[S] = x
            ok = acceptable(trial) & found
            text[ok] = trial[ok]
            moved = ok
        return text, moved, ~inside & ~moved

    def sound_out(self, r=ALL):
        """Shuttle diplomacy: estimated readiness for a session, in [0, 1].

        Mean of the parties' attendance scores times the expected acceptance
        of a draft (1 - the largest distance of any party from it, scaled).
        """
        m = self.model
        scores = np.stack([p.attend_score(r) for p in m.parties], axis=-1)
        far = m.distances(self.draft(r), r).max(axis=-1)
        w = m.params.sound_out_distance_weight[r]
        return scores.min(axis=-1) ** 0.5 * scores.mean(axis=-1) ** 0.5 * (1.0 - w * far)

    def phase_stalled(self, rep: int) -> str:
        """Has the phase in force stalled in replicate ``rep``?  A reason
        code (:data:`sixparty.reasons.STALL_REASONS`), or "" if not.

        ``dprk_suspended`` (the DPRK has suspended its steps),
        ``overdue_counterpart`` (a step owed to the DPRK more than a month
        overdue: the model's ``arrears``) or ``overdue_dprk`` (a DPRK step owed
        and past due); "" when no phase is in force or every owed step is on
        time.  Read from the ledger's state only.
        """
        m = self.model
        led = m.ledgers[rep]
        if led.active_phase is None:
            return ""
        if m.dprk_suspended_steps[rep]:
            return "dprk_suspended"
        if m.arrears[rep]:
            return "overdue_counterpart"
        counts: dict = {}
        if any(m._owed(rep, st, counts) for st in led.overdue(m.month, party=DPRK_I)):
            return "overdue_dprk"
        return ""

    def reopens_phase(self, rep: int) -> bool:
        """The chair's decision to reopen the phase in force (article §第六轮
        第二阶段: the 2008 verification dispute was settled by renegotiating
        the disablement phase's terms).

        Reopening re-dates the open steps of a deal the parties are bound to:
        a cost to every party's commitment, worth bearing only to rescue a
        phase that has stalled (:meth:`phase_stalled`).  A phase being
        performed on time is not reopened; a joint document that covers no new
        phase then reaffirms it.
        """
        return bool(self.phase_stalled(rep))

    def shuttle(self, r) -> None:
        """Between sessions, in replicates ``r`` (an index array): visits build
        the DPRK's trust in China and readiness."""
        m = self.model
        s = self.strategy.shuttle
        p = m.params
        keep = p.shuttle_credit_memory[r]
        m.china_shuttle_credit[r] = np.minimum(
            1.0, keep * m.china_shuttle_credit[r] + (1.0 - keep) * s
        )
        base = p.shuttle_trust_outcome_base[r]
        m.observe(r, DPRK_I, CHINA_I, base + (1.0 - base) * s, weight=p.shuttle_trust_weight[r] * s)


class SouthKorea(Party):
    """South Korea (韩国, ROK).

    - Keeps the dialogue's momentum (§第一轮 各方的基本立场); DPRK must give up
      its programme and the US guarantee DPRK security (§第二轮).
    - Follows its government's line (``strategy.policy``): engagement under Roh
      Moo-hyun (first 6,200 t of HFO, §第六轮 第一阶段) delivers aid generously;
      the hard line of Lee Myung-bak from February 2008 ("无核开放3000",
      §南韓與美國強硬化) demands denuclearization first and holds aid until
      the DPRK's steps are done.
    """

    key = "ROK"
    classifier = {"follows_government_line": True, "generous_when_engaging": True}

    def step(self) -> None:
        super().step()
        row = self.model.pos[:, self.idx]
        p = self.model.params
        if self.strategy.policy == "hardline":
            # The sequence: "朝鲜采取无核化措施前不与之进行任何谈判或交流" sets the
            # order (steps first, then talks and aid), not a wider scope than
            # the engagement governments' (the peninsula's denuclearization).
            row[:, SEQ] += p.rok_line_rate_hardline * (
                p.rok_hardline_denuclearization - row[:, SEQ]
            )
            row[:, AID] += p.rok_line_rate_hardline * (p.rok_hardline_aid - row[:, AID])
        else:
            row[:, AID] += p.rok_line_rate_engagement * (p.rok_engagement_aid - row[:, AID])

    #: Progress that counts as complete denuclearization for the hard line's aid:
    #: 1 to the rounding of a ledger's sums (not a behavioural threshold).
    COMPLETE_PROGRESS: ClassVar[float] = 1.0 - 1e-3

    def delivery_willingness(self, r=ALL):
        p = self.model.params
        if self.strategy.policy == "hardline":
            # Aid only once denuclearization is complete (progress 1, to rounding).
            return np.where(
                self.model.progress[r] < self.COMPLETE_PROGRESS, 0.0, p.rok_hardline_delivery[r]
            )
        return p.rok_delivery_base[r] + p.rok_delivery_trust[r] * self.trust_in(DPRK_I, r)

    def aid_hold(self, rep: int) -> Clause | None:
        """The hard line (§南韓與美國強硬化: Lee Myung-bak's government asks the DPRK
        "先行采取无核化措施") holds an owed aid step until denuclearization is
        complete: the reason, with the progress, or None under engagement or
        once progress is complete (:meth:`delivery_willingness` gives 0 then)."""
        progress = float(self.model.progress[rep])
        if self.strategy.policy == "hardline" and progress < self.COMPLETE_PROGRESS:
            return clause("line_denuclearization_first", progress=progress)
        return None

    def attend_score(self, r=ALL):
        p = self.model.params
        v = (
            p.rok_attend_engagement
            if self.strategy.policy == "engagement"
            else p.rok_attend_hardline
        )
        return np.array(v[r], dtype=float)


class Japan(Party):
    """Japan (日本).

    - Aid only with preconditions (§第一轮 各方的基本立场); urges the US to strike
      if the DPRK prepares to attack Japan (§第二轮); offers energy aid for a
      freeze on conditions (§第三轮).
    - Normalization tied to "清算不幸历史和妥善处理有关悬案" (the abductees) under the
      Pyongyang Declaration (§第四轮 第二阶段): with ``abductee_linkage`` it
      pledges no share of a phase's aid (``refuses_aid_pledge``), delivers
      nothing and concedes nothing on normalization until that issue is settled.
    """

    key = "Japan"
    classifier = {"abductee_linkage": True, "conditional_aid": True}

    def commitment_trust(self, r=ALL):
        # Under the abductee linkage Japan signs while reserving its own share,
        # so its signature does not hinge on trusting the DPRK to reciprocate.
        t = self.trust_in(DPRK_I, r)
        return np.ones(np.shape(t)) if self.strategy.abductee_linkage else t

    def bargaining_salience(self, r=ALL) -> np.ndarray:
        """Abductee linkage (article §第四轮 第二阶段, the Pyongyang Declaration's
        "妥善处理有关悬案"): full resistance on normalization until settled."""
        s = super().bargaining_salience(r)
        if self.strategy.abductee_linkage:
            s[..., NORM] = 1.0
        return s

    def hold_in_round(self, before, after, r=ALL):
        """Abductee linkage: Japan concedes nothing on normalization."""
        out = np.array(after, dtype=float, copy=True)
        if self.strategy.abductee_linkage:
            out[..., NORM] = before[..., NORM]
        return out

    def concede(self, text, rate_boost: float, reps) -> None:
        keep = self.model.pos[reps, self.idx, NORM].copy()
        super().concede(text, rate_boost, reps)
        if self.strategy.abductee_linkage:
            self.model.pos[reps, self.idx, NORM] = keep

    def refuses_aid_pledge(self) -> bool:
        # Aid only once the abductee issue ("有关悬案") is settled: under the
        # linkage Japan takes no share of a phase's aid (2.13, outside fact:
        # Japan would not provide energy aid until the abduction issue moved).
        return bool(self.strategy.abductee_linkage)

    def refuses_commitment(self, step: str) -> bool:
        # 9.19 ties Japan's normalization steps to settling the outstanding
        # issues (§第四轮 第二阶段: "在清算不幸历史和妥善处理有关悬案基础上，
        # 采取步骤实现关系正常化"): under the abductee linkage the condition is
        # unmet, so a text adopted now owes no normalization step from Japan.
        return step == "normalization" and bool(self.strategy.abductee_linkage)

    def aid_hold(self, rep: int) -> Clause | None:
        """The abductee linkage holds any aid step I owe (a linkage that began
        after a text gave me a share): the reason, or None without it
        (:meth:`delivery_willingness` gives 0 under it)."""
        return clause("line_abductee_linkage") if self.strategy.abductee_linkage else None

    def delivery_willingness(self, r=ALL):
        t = self.trust_in(DPRK_I, r)
        if self.strategy.abductee_linkage:
            return np.zeros(np.shape(t))
        p = self.model.params
        return p.japan_delivery_base[r] + p.japan_delivery_trust[r] * t


class Russia(Party):
    """Russia (俄罗斯).

    - Joined at China's suggestion (§第一轮); proposes a "package" solution
      (§第一轮 各方的基本立场), denuclearization in phases (§第三轮), and with
      China and the ROK the "Ukraine model" of security guarantees for
      renunciation (§第二轮 narrative).
    - In session, when a draft stalls, proposes the package: the text moves
      toward the midpoint of the DPRK and US positions on their widest gap.
    """

    key = "Russia"
    classifier = {"package_proposals": True, "phased_denuclearization": True}

    def package(self, text: np.ndarray, r, offers=None) -> np.ndarray:
        """A package amendment per replicate of the index array ``r``
        (``text``: (n, n_issues), one row each): pull the text toward the DPRK-US
        midpoint on their widest gap.  ``offers``: (n, 6, n_issues) the session's
        offers (default: the positions)."""
        m = self.model
        pos = m.pos[r] if offers is None else offers
        d, u = pos[:, DPRK_I], pos[:, US_I]
        mid = 0.5 * (d + u)
        k = np.argmax(np.abs(d - u), axis=-1)
        out = np.array(text, dtype=float, copy=True)
        rows = np.arange(out.shape[0])
        w = self.strategy.package_mediation
        out[rows, k] += w * (mid[rows, k] - out[rows, k])
        return out


PARTY_CLASSES: tuple[type[Party], ...] = (DPRK, UnitedStates, China, SouthKorea, Japan, Russia)
assert tuple(c.key for c in PARTY_CLASSES) == PARTIES
assert ISSUES[DEN] == "denuclearization" and ISSUES[SEQ] == "sequence"
assert len(ISSUES) == 9
