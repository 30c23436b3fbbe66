"""Run one scenario with one seed and turn the model's records into tables.

:func:`simulate` is pure (no I/O): it returns a :class:`RunResult` whose
tables are lists of row dicts with the columns documented in
``docs/outputs.md``.  :func:`cli_run` is the ``sixparty run`` command: it loads,
simulates, writes the run folder (:mod:`sixparty.outputs`) and prints a summary.
"""

from __future__ import annotations

import contextlib
import gc
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from sixparty import reasons
from sixparty._mesa_compat import release_model
from sixparty.model import TalksModel, check_seed
from sixparty.replicates import check_variants
from sixparty.scenario import ISSUES, PARTIES, Scenario, month_label


@dataclass
class RunResult:
    """Everything a run produced, as tables (lists of row dicts) and arrays.

    timeline: one row a month; sessions: one row per invitation (held or
    boycotted), its notes as English (``notes``) and as reason codes with their
    values (``note_codes``, ``note_values``: :mod:`sixparty.reasons`); ledger:
    one row per promised step; decisions: the parties' endogenous decisions
    with the model's reason (English ``reason``; ``reason_codes`` and
    ``reason_values`` the records it is rendered from); drafts: one row per draft
    the chair considered, with each party's utility of it.
    positions, salience: (months, 6, n_issues) arrays; trust: (months, 6, 6).
    """

    scenario: Scenario
    seed: int
    anchoring_mode: str
    months: list[str]
    timeline: list[dict]
    sessions: list[dict]
    ledger: list[dict]
    decisions: list[dict]
    drafts: list[dict]
    positions: np.ndarray | None = None
    salience: np.ndarray | None = None
    trust: np.ndarray | None = None
    elapsed_s: float = 0.0
    extra: dict = field(default_factory=dict)

    def position_rows(self) -> list[dict]:
        """positions.csv rows: month x party x issue, position and salience."""
        rows = []
        if self.positions is None:
            return rows
        for t, month in enumerate(self.months):
            for i, party in enumerate(PARTIES):
                for k, issue in enumerate(ISSUES):
                    rows.append(
                        {
                            "month": month,
                            "party": party,
                            "issue": issue,
                            "position": float(self.positions[t, i, k]),
                            "salience": float(self.salience[t, i, k]),
                        }
                    )
        return rows

    def trust_rows(self) -> list[dict]:
        """trust.csv rows: month x party x other party, trust in [0, 1]."""
        rows = []
        if self.trust is None:
            return rows
        for t, month in enumerate(self.months):
            for i, a in enumerate(PARTIES):
                for j, b in enumerate(PARTIES):
                    if i != j:
                        rows.append(
                            {
                                "month": month,
                                "party": a,
                                "toward": b,
                                "trust": float(self.trust[t, i, j]),
                            }
                        )
        return rows


def simulate(
    scenario: Scenario, seed: int | None = None, record_positions: bool = True
) -> RunResult:
    """Run ``scenario`` over its whole window with ``seed`` (default: its own).

    Returns a :class:`RunResult`.  Frees Mesa's class-level agent registry
    entry for the model afterwards (Mesa 3.3.1 leaks every model otherwise;
    ../shared/MESA_NOTES.md).

    Raises:
        TypeError: ``scenario`` is not a :class:`Scenario` (load one with
            :func:`sixparty.load_scenario`), or ``seed`` is not a whole number.
        ValueError: ``seed`` is outside 0 .. 2**63 - 1.
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(
            f"scenario must be a Scenario (sixparty.load_scenario(...)), "
            f"not {type(scenario).__name__}"
        )
    return simulate_batch(scenario, [scenario.seed if seed is None else seed], record_positions)[0]


def simulate_batch(
    scenario: Scenario, seeds, record_positions: bool = True, variants=None
) -> list[RunResult]:
    """Run ``scenario`` once per seed of ``seeds``, every run in one model
    stepping them in lockstep (:class:`~sixparty.model.TalksModel` with a
    replicate axis).  Returns one :class:`RunResult` per seed, in order,
    each byte-identical to :func:`simulate` of that seed alone.  Holds every
    run's tables (about 0.5 MB a run): for many thousands of seeds iterate
    :func:`iter_batch`, which also runs them at most :data:`BATCH_SIZE` to a
    model.

    variants: None, or one :class:`Scenario` per seed: run ``i`` is then
    ``variants[i]`` with ``seeds[i]`` (byte-identical to ``simulate(variants[i],
    seeds[i])``).  The variants may differ from ``scenario`` only in batchable
    parameters and the parties' judgement inputs
    (:func:`sixparty.replicates.check_variants`); each run's
    ``RunResult.scenario`` is its variant.

    Raises:
        TypeError: ``scenario`` is not a Scenario, ``seeds`` is not a sequence
            (``simulate_batch(sc, 5)``: the message says ``range(5)`` or
            ``simulate``), a seed is not a whole number, or ``variants`` is not a
            sequence of Scenario.
        ValueError: ``seeds`` is empty, a seed is outside 0 .. 2**63 - 1, the
            variants are not one per seed, or a variant differs from ``scenario``
            in more than batchable values (the message names the field).
    """
    return list(iter_batch(scenario, seeds, record_positions, variants=variants))


#: Most replicates one model steps in :func:`iter_batch` (a longer list of seeds
#: runs as several models in turn): the per-run cost is near its floor at a few
#: hundred replicates (benchmarks/README.md) and a model's records take about
#: 0.5 MB a replicate.
BATCH_SIZE = 256


#: Young-generation threshold of Python's cyclic garbage collector while a batch
#: model steps and its tables are built (Python's default is 700).  A batch of 256
#: runs allocates millions of short-lived objects (sessions, clauses, row dicts):
#: at 700, some 280 young collections of a growing heap, 5 % of the CPU of a run in
#: an ensemble worker (measured with ``gc.callbacks``); at 5,000 about 30 and a
#: quarter of that time.  Cyclic garbage is still collected, and each finished
#: model with one full collection (:func:`iter_batch`): a dead model waited for the
#: next full collection otherwise, rarer at 5,000, and a worker's memory grew (282
#: -> 359 MB over 2,048 runs; 240 MB with the collection).  The ``sixparty``
#: command sets the same threshold (``sixparty.cli.GC_THRESHOLDS``); worker
#: processes and library callers did not.
GC_YOUNG = 5000


@contextlib.contextmanager
def _fewer_collections():
    """Raise the young generation's threshold to at least :data:`GC_YOUNG`, restored after."""
    old = gc.get_threshold()
    if old[0] >= GC_YOUNG or old[0] == 0:  # already (or collection disabled)
        yield
        return
    gc.set_threshold(GC_YOUNG, *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def iter_batch(
    scenario: Scenario,
    seeds,
    record_positions: bool = True,
    batch_size: int = BATCH_SIZE,
    variants=None,
    summary: bool = False,
) -> Iterator[RunResult]:
    """:func:`simulate_batch` that yields the runs' tables one at a time, in the
    seeds' order: the seeds run in models of at most ``batch_size`` replicates
    in turn, so memory stays bounded whatever the number of seeds (a run does
    not depend on its batch).  ``elapsed_s`` of each run is its model's time
    divided by its runs.  variants: as :func:`simulate_batch` (one Scenario per
    seed, checked before any run).  summary: True yields :func:`tables`' ``summary``
    results (for a caller that reads each run, e.g. scores it, before taking the next).

    Raises:
        TypeError, ValueError: as :class:`~sixparty.model.TalksModel` (the
            scenario, a seed or the variants), before any run; ValueError for an
            empty ``seeds`` or ``batch_size`` < 1.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__iter__"):
        hint = (
            f"; for one run: simulate(scenario, seed={seeds})"
            if isinstance(seeds, int) and not isinstance(seeds, bool)
            else ""
        )
        raise TypeError(
            "seeds must be a sequence of whole numbers, e.g. [1, 2, 3] or range(5), "
            f"not {type(seeds).__name__} {seeds!r}{hint}"
        )
    seeds = [check_seed(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must name at least one replicate")
    if variants is not None:
        variants = check_variants(scenario, variants, len(seeds))
    for start in range(0, len(seeds), batch_size):
        t0 = time.perf_counter()
        model = TalksModel(
            scenario,
            record_positions=record_positions,
            seeds=seeds[start : start + batch_size],
            variants=None if variants is None else variants[start : start + batch_size],
        )
        try:
            with _fewer_collections():
                model.run()
            elapsed = (time.perf_counter() - t0) / model.R
            for r in range(model.R):
                with _fewer_collections():
                    res = tables(model, r, summary=summary)
                res.elapsed_s = elapsed
                yield res
        finally:
            release_model(model)
            del model
            if gc.isenabled():
                # The finished model is cyclic garbage (parties and model refer to each
                # other) of the oldest generation: collected now, not whenever a full
                # collection comes (rarer with GC_YOUNG), so memory stays flat.
                gc.collect()


#: Column names of the rows :func:`tables` builds (made once).
_UTILITY_KEYS = tuple(f"utility_{party}" for party in PARTIES)
_TEXT_KEYS = tuple(f"text_{issue}" for issue in ISSUES)
_DRAFT_KEYS = ("session_id", "iteration", *_UTILITY_KEYS, *ISSUES)
_NANS_6 = (float("nan"),) * len(PARTIES)
_NANS_TEXT = (float("nan"),) * len(ISSUES)
_UNITS = {"dprk_action": "progress", "aid": "t_HFO", "delisting": "step", "commitment": "step"}


#: Reasons already written as text (:func:`sixparty.reasons.texts`): a batch's runs
#: share most of theirs.  Emptied when it grows past :data:`_TEXTS_MAX` entries.
_TEXTS: dict = {}
_TEXTS_MAX = 20_000


def tables(m: TalksModel, rep: int = 0, summary: bool = False) -> RunResult:
    """The records of replicate ``rep`` of a finished (or paused) model as a
    :class:`RunResult`.

    summary: True for what a scorecard reads (the validation harness's road): the
    ``timeline`` is the model's own :class:`~sixparty.model.TimelineRows` (rows
    built only when read; :meth:`~sixparty.model.TimelineRows.columns` reads
    columns without them; it refers to the model, so read it before the model
    steps again) and ``drafts`` is empty; every other table as without it."""
    if len(_TEXTS) > _TEXTS_MAX:
        _TEXTS.clear()
    rec = m.records[rep]
    # the timeline's month column (its first), without building the rows
    months = m._tl_months[: len(rec.timeline)]
    sessions = []
    drafts = []
    for s in rec.sessions:
        notes, note_codes, note_values = reasons.texts(s.reasons, _TEXTS)
        row = {
            "session_id": s.session_id,
            "round": s.round,
            "phase": s.phase,
            "month": month_label(s.month),
            "invited_by": s.invited_by,
            "held": s.held,
            "attended": ";".join(s.attended),
            "declined": ";".join(s.declined),
            "iterations": s.iterations,
            "ending": s.ending if s.held else "",
            "target": s.target,
            "document": s.document if s.held else "none",
            "recess": s.recess,
            "direct_contact": s.direct_contact,
            "common_ground_issues": s.common_ground,
            "adopted_phase": s.adopted_phase or "",
            "notes": notes,
            "conflicts": s.conflicts,
            "compromises": s.compromises,
            "capitulations": s.capitulations,
            "note_codes": note_codes,
            "note_values": note_values,
        }
        row.update(
            zip(
                _UTILITY_KEYS,
                s.utilities.tolist() if s.utilities is not None else _NANS_6,
                strict=True,
            )
        )
        row.update(
            zip(_TEXT_KEYS, s.text.tolist() if s.text is not None else _NANS_TEXT, strict=True)
        )
        sessions.append(row)
        if s.drafts and not summary:
            # rows of plain floats, read from the arrays once (the same values as
            # float() of each element)
            utilities = s.draft_utilities[: len(s.drafts)].tolist()
            for it, (d, u) in enumerate(zip(s.drafts, utilities, strict=True)):
                drafts.append(
                    dict(zip(_DRAFT_KEYS, (s.session_id, it + 1, *u[:6], *d.tolist()), strict=True))
                )
    ledger = []
    for st in rec.ledger.steps:
        ledger.append(
            {
                "step_id": st.step_id,
                "phase": st.phase + 1,
                "phase_name": st.phase_name,
                "tranche": st.tranche,
                "party": PARTIES[st.party],
                "kind": st.kind,
                "description": st.description,
                "amount": float(st.amount),
                "unit": _UNITS[st.kind],
                "promised": month_label(st.promised_month),
                "due": month_label(st.due_month),
                "delivered": float(st.delivered),
                "completed": month_label(st.completed_month)
                if st.completed_month is not None
                else "",
                "superseded": (
                    month_label(st.superseded_month) if st.superseded_month is not None else ""
                ),
            }
        )
    decisions = []
    for mo, party, what, why, cause in rec.decisions:
        text, codes, values = reasons.texts(why, _TEXTS)
        decisions.append(
            {
                "month": month_label(mo),
                "party": party,
                "decision": what,
                "reason": text,
                "cause": cause,
                "reason_codes": codes,
                "reason_values": values,
            }
        )
    return RunResult(
        scenario=m.specs[rep],
        seed=m.seeds[rep],
        anchoring_mode=m.anchoring_mode,
        months=months,
        timeline=rec.timeline if summary else list(rec.timeline),
        sessions=sessions,
        ledger=ledger,
        decisions=decisions,
        drafts=drafts,
        positions=m.pos_hist[rep] if m.record_positions else None,
        salience=m.sal_hist[rep] if m.record_positions else None,
        trust=m.trust_hist[rep] if m.record_positions else None,
    )


# ---------------------------------------------------------------- the command
#: Display names of the ``document`` values of sessions.csv.
DOCUMENT_NAMES = {
    "none": "no document",
    "oral_summary": "oral summary",
    "chairmans_statement": "chairman's statement",
    "joint_statement": "joint statement",
    "joint_document": "joint document",
}

#: Phrases for the ``talks_status`` values of timeline.csv.
STATUS_PHRASES = {
    "no_talks": "no session this month",
    "in_session": "talks in session",
    "recess": "talks in recess",
    "boycott": "a session boycotted",
    "suspended": "the DPRK's participation suspended",
    "walked_out": "the DPRK has walked out of the talks",
}


def document_name(key: str) -> str:
    """``chairmans_statement`` -> ``chairman's statement`` (unknown keys: underscores to spaces)."""
    return DOCUMENT_NAMES.get(key, str(key).replace("_", " "))


def status_phrase(key: str) -> str:
    """``no_talks`` -> ``no session this month`` (unknown keys: ``talks <key>``)."""
    return STATUS_PHRASES.get(key, "talks " + str(key).replace("_", " "))


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 file``, ``3 files`` (``many`` for irregular plurals)."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def aid_lapsed(ledger, month: str) -> tuple[float, int]:
    """The aid pledged under phases superseded by ``month`` and never delivered.

    ``aid_pledged_t`` (``Ledger.pledged_tonnes``) counts a superseded phase's aid only as
    far as it was delivered, so after a supersession it equals what was delivered; the
    ledger's rows keep each step's pledged ``amount`` and the month it was ``superseded``.
    ledger: rows as in ``ledger.csv`` / :attr:`RunResult.ledger` (``kind``, ``phase``,
    ``amount``, ``delivered``, ``superseded`` = ``YYYY-MM`` or ``""``; rows without
    ``superseded``, from folders written before it, count as never superseded).
    month: ``YYYY-MM``.  Returns (tonnes HFO-equivalent >= 0, the number of phases they
    lapsed under); ``aid_pledged_t + tonnes`` is what the documents pledged.
    """
    tonnes, phases = 0.0, set()
    for r in ledger or ():
        gone = r.get("superseded")
        if r.get("kind") == "aid" and isinstance(gone, str) and gone and gone <= month:
            short = float(r["amount"]) - float(r["delivered"])
            if short > 0:
                tonnes += short
                phases.add(r.get("phase"))
    return tonnes, len(phases)


def lapsed_text(tonnes: float, phases: int, lang: str = "en") -> str:
    """`` (3,087 t lapsed when the phase was superseded)`` (``summary.lapsed*`` in
    ``lang``), or ``""`` when ``tonnes`` rounds to 0 t."""
    from sixparty.analysis.i18n import phrase

    shown = f"{tonnes:,.0f}"
    if shown == "0":
        return ""
    if phases == 1:
        return phrase("summary.lapsed", lang, tonnes=shown)
    return phrase("summary.lapsed_phases", lang, tonnes=shown, n=phases)


def summary_lines(result: RunResult, history_labels=None, lang: str = "en") -> list[str]:
    """The session-by-session summary ``sixparty run`` prints.

    Sessions are named as the model's own (``session 7``, in the order of
    invitations), never by the model's internal round counter.
    history_labels: optional function ``sessions rows -> [text]`` giving,
    per session, the historical round it is matched to (``≈ Round 4, phase
    2``) or ``""``; supplied by the command's edge
    (:func:`sixparty.analysis.rounds.session_labeller`): this module never
    reads the historical record.
    lang: ``"en"`` or ``"zh"``; every text comes from the ``summary.*`` entries of
    :data:`sixparty.analysis.i18n.LABELS` (party, document, decision names there too;
    the decisions' reasons in Chinese from their codes,
    :func:`sixparty.analysis.narrate.row_reason`).  Numbers, months and the
    scenario's own title are the same in both languages; columns are aligned by
    terminal width (a Chinese character takes two columns).
    """
    from sixparty.analysis.i18n import check_lang, label, label_or, pad, phrase, scenario_title

    check_lang(lang)

    def t(key: str, **fields) -> str:
        return phrase(f"summary.{key}", lang, **fields)

    sc = result.scenario
    hist = list(history_labels(result.sessions)) if history_labels and result.sessions else []
    mode = result.anchoring_mode
    out = [
        t(
            "header",
            title=scenario_title(sc.name, sc.title or sc.name, lang),
            start=sc.window.start,
            end=sc.window.end,
            seed=result.seed,
            mode=label_or(f"summary.mode.{mode}", mode, lang),
            why=t("why.anchored" if mode == "anchored" else "why.free"),
        ),
        "",
        f"{pad(t('col.month'), 8)} {pad(t('col.session'), 11)} "
        f"{pad(t('col.attendance'), 24)} {pad(t('col.iter'), 4, right=True)}  "
        f"{t('col.document')}",
    ]
    sep = label("list_sep", lang)
    for n, s in enumerate(result.sessions):
        name = t("session", n=n + 1)
        if s["held"]:
            att = t("all_six")
            doc = label_or(s["document"], document_name(s["document"]), lang)
            if s["recess"]:
                doc += t("recess")
            if s["adopted_phase"]:
                phase = s["adopted_phase"]
                readable = phase.replace("_", " ")  # "initial actions", as the story says
                doc += t("adopts", phase=label_or(f"phase_name.{phase}", readable, lang))
        else:
            parties = [p for p in s["declined"].split(";") if p]
            att = t("boycott", parties=sep.join(label(p, lang) for p in parties))
            doc = t("not_held")
        if n < len(hist) and hist[n]:
            doc += f"  [{hist[n]}]"
        out.append(f"{s['month']:8} {pad(name, 11)} {pad(att, 24)} {s['iterations']:>4}  {doc}")
    if not result.sessions:
        out.append(t("no_session"))
    out.append("")
    if result.decisions:
        out.append(t("decisions"))
        if lang == "zh":
            from sixparty.analysis.narrate import row_reason
        for d in result.decisions:
            if lang == "zh":
                what = label(f"decision.{d['decision']}", lang)
                why = row_reason(d, lang) if d.get("reason_codes") else d["reason"]
            else:
                what, why = d["decision"].replace("_", " "), d["reason"]
            party = pad(label(d["party"], lang), 6)
            out.append(t("decision", month=d["month"], party=party, what=what, why=why))
        out.append("")
    last = result.timeline[-1]
    status = last["talks_status"]
    status_text = label_or(
        f"summary.status.{status}", t("status.other", status=status.replace("_", " ")), lang
    )
    held = [s["month"] for s in result.sessions if s["held"]]
    if status == "no_talks" and held:
        # a month without a session is not the end of the talks (a free run's
        # sessions go on to the window's end): say when the last one sat
        status_text = t("status.between_sessions", last=held[-1])
    lapsed, phases = aid_lapsed(getattr(result, "ledger", ()), last["month"])
    out.append(
        t(
            "end",
            month=last["month"],
            status=status_text,
            progress=f"{last['progress']:.2f}",
            delivered=f"{last['aid_delivered_t']:,.0f}",
            # the documents' pledge, a superseded phase's undelivered aid included and told
            pledged=f"{last['aid_pledged_t'] + lapsed:,.0f}",
            lapsed=lapsed_text(lapsed, phases, lang),
            trust=f"{last['mean_trust']:.2f}",
        )
    )
    facilities = [(k[len("facility_") :], v) for k, v in last.items() if k.startswith("facility_")]
    if facilities:
        out.append(
            t(
                "facilities",
                facilities=sep.join(
                    t(
                        "facility",
                        name=label_or(f"facility.{name}", name.replace("_", " "), lang),
                        state=label_or(f"facility_state.{state}", state.replace("_", " "), lang),
                    )
                    for name, state in facilities
                ),
            )
        )
    return out


def cli_run(args) -> int:
    """``sixparty run``: load, simulate, write the run folder, print a summary.

    With ``--from RUN_DIR`` the scenario is RUN_DIR's ``scenario.resolved.yaml``
    and the seed its manifest's (:func:`load_rerun`); the new folder's data files
    are then compared with RUN_DIR's checksums and the verdict printed; the exit status
    is 1 when they differ ("NOT reproduced"), 0 otherwise.

    SIGINT/SIGTERM: the run stops, the staging folder (figures half drawn included) is
    removed, one line on stderr says what was kept (nothing, the previous folder, or -
    once the folder is in place - the complete folder) and 130/143 is returned.
    """
    from sixparty import outputs
    from sixparty.loader import find_scenario, load_scenario

    table_format = getattr(args, "table_format", None) or "csv"
    rerun = None
    if getattr(args, "from_dir", None):
        rerun = load_rerun(args.from_dir)
        path, scenario = rerun.scenario_path, rerun.scenario
        seed = rerun.seed if args.seed is None else args.seed
        if getattr(args, "lang", None) is None:
            args.lang = rerun.lang  # the run's own language unless --lang is given
        if not getattr(args, "table_format_given", False):
            # the folder's own table format, so the data files can be compared byte for byte
            table_format = rerun.table_format
    else:
        from sixparty.cli import DEFAULT_SCENARIO, note_inert_parameters

        path = find_scenario(args.scenario or DEFAULT_SCENARIO)
        # the command line loaded and checked it already (``cli.cmd_run``): not twice
        given = getattr(args, "scenario_obj", None)
        same = given is not None and getattr(args, "scenario_path", None) == path
        scenario = given if same else load_scenario(path)
        seed = scenario.seed if args.seed is None else args.seed
        note_inert_parameters(scenario, getattr(args, "lang", None) or "en")
    mode = getattr(args, "mode", None)
    if mode is not None and scenario.parameters.anchoring != (mode == "anchored"):
        # --mode sets parameters.anchoring on a copy; scenario.resolved.yaml records it.
        scenario = scenario.model_copy(deep=True)
        scenario.parameters.anchoring = mode == "anchored"
    runs = getattr(args, "runs", None) or 1
    if runs > 1 and getattr(args, "narrate", False):
        from sixparty.cli import CLIError

        raise CLIError(
            f"--narrate tells a single run; it cannot be used with --runs {runs} "
            "(to narrate one replicate: sixparty run SCENARIO --seed S --narrate, or "
            "sixparty run --seed-of ENSEMBLE_DIR R --narrate)"
        )
    if runs > 1:
        from sixparty.analysis.ensemble import cli_ensemble

        return cli_ensemble(args, path, scenario)
    if table_format != "csv":
        try:
            outputs.require_pyarrow()  # before the run, not after it
        except outputs.MissingDependency as exc:
            from sixparty.cli import CLIError

            raise CLIError(str(exc)) from None
    if rerun is not None:
        out_dir = args.out or rerun.default_out
    else:
        out_dir = args.out or outputs.default_run_dir(scenario, seed)
    # SIGINT/SIGTERM stop the run at once (as an ensemble's): the folder is written
    # through a staging folder that becomes ``out_dir`` only when complete, figures
    # included, so an interrupt leaves the previous state; one line says what was kept.
    from sixparty.analysis.ensemble import report_stop, stop_on_signals

    how = outputs.check_out_dir(out_dir)  # a folder that cannot be written: before the run
    outputs.refuse_sources_inside(out_dir, [s["path"] for s in outputs.source_files(path)])
    files: list[str] | None = None
    with stop_on_signals():
        try:
            result = simulate(scenario, seed=seed)
            files = _write_single(args, result, rerun, out_dir, path, table_format)
            return _print_single(args, result, rerun, out_dir, files, seed, table_format)
        except KeyboardInterrupt as exc:
            return report_stop(exc, out_dir, how, files, getattr(args, "lang", None) or "en")


def _write_single(args, result, rerun, out_dir, path, table_format) -> list[str]:
    """Write a single run's folder (data files, scorecard, figures, manifest) for
    :func:`cli_run`; returns the file names (:func:`sixparty.outputs.write_run`)."""
    from sixparty import outputs

    writers = _extra_writers(args)
    if rerun is not None and not rerun.manifest.get("command"):
        # The original folder was written from Python (write_run, no command): its
        # sessions.csv has no scorecard columns, so the rerun is written the same way
        # for its data files to be comparable.
        writers = []
        from sixparty.analysis.i18n import phrase

        print(
            phrase("rerun.from_python", getattr(args, "lang", None) or "en", run_dir=rerun.run_dir),
            file=sys.stderr,
        )
    return outputs.write_run(
        result,
        out_dir,
        scenario_path=path,
        command=sys.argv,
        extra_writers=writers,
        table_format=table_format,
        rerun_of=rerun.record() if rerun is not None else None,
        lang=getattr(args, "lang", None) or "en",
    )


def _print_single(args, result, rerun, out_dir, files, seed, table_format) -> int:
    """Print a written single run's summary (and the rerun's verdict, the narrative) for
    :func:`cli_run`; returns its exit code."""
    lang = getattr(args, "lang", None) or "en"
    print("\n".join(summary_lines(result, history_labels=_history_labels(lang), lang=lang)))
    for line in result.extra.get("report", []):
        print(line)
    print(wrote_line(len(files), out_dir, lang))
    reproduced = None
    if rerun is not None:
        reproduced, line = rerun.check(out_dir, seed, table_format, lang)
        print(line)
    if getattr(args, "narrate", False):
        from sixparty.analysis.narrate import narrate

        print()
        print(narrate(result, lang=getattr(args, "lang", "en") or "en"))
    # A rerun that did not reproduce the original exits 1 (the files are written, the
    # input was fine: not a usage error), so a script can tell.
    return 1 if reproduced is False else 0


def _history_labels(lang: str = "en"):
    """The analysis-side labeller naming each session's historical round in ``lang``
    (reads the record there)."""
    from sixparty.analysis.rounds import session_labeller

    return session_labeller(lang)


def wrote_line(n: int, out_dir, lang: str = "en") -> str:
    """``\\nWrote 10 files to runs/x/`` (``lang="zh"``: ``\\n已将10个文件写入 runs/x/``)."""
    from sixparty.analysis.i18n import phrase

    files = phrase("run.file" if n == 1 else "run.files", lang, n=n)
    return phrase("run.wrote", lang, files=files, out=out_dir)


def _extra_writers(args) -> list:
    """Writers from ``analysis`` that add the scorecard and the figures to the run folder."""
    from sixparty.analysis.scorecard import scorecard_writer

    writers = [scorecard_writer(lang=getattr(args, "lang", None) or "en")]
    if not getattr(args, "no_plots", False):
        from sixparty.analysis.plots import figures_writer  # matplotlib: only for figures

        writers.append(
            figures_writer(
                fmt=getattr(args, "format", None) or "png", lang=getattr(args, "lang", None) or "en"
            )
        )
    return writers


# ------------------------------------------------------------- sixparty run --from
@dataclass
class Rerun:
    """What ``sixparty run --from RUN_DIR`` needs from a run folder (see :func:`load_rerun`).

    run_dir: the folder as given; manifest: its ``manifest.json``; scenario_path:
    its ``scenario.resolved.yaml``; scenario: that file loaded; seed: the
    manifest's seed; default_out: ``<RUN_DIR>-rerun`` (never RUN_DIR itself).
    """

    run_dir: str
    manifest: dict
    scenario_path: object
    scenario: Scenario
    seed: int

    @property
    def table_format(self) -> str:
        """The format the folder's data tables were written in (its manifest's
        ``table_format``; ``csv`` if not recorded)."""
        from sixparty.outputs import TABLE_FORMATS

        fmt = self.manifest.get("table_format")
        return fmt if fmt in TABLE_FORMATS else "csv"

    @property
    def lang(self) -> str:
        """The language the folder's scorecard and figures were written in (its manifest's
        ``lang``, ``run --lang``; ``en`` if not recorded: folders written before it was)."""
        from sixparty.analysis.i18n import LANGS

        lang = self.manifest.get("lang")
        return lang if lang in LANGS else "en"

    @property
    def default_out(self) -> str:
        return str(self.run_dir).rstrip("/\\") + "-rerun"

    def record(self) -> dict:
        """The manifest's ``rerun_of`` entry: the original folder, seed, commit and version."""
        m = self.manifest
        return {
            "run_dir": str(self.run_dir),
            "seed": m.get("seed"),
            "scenario_resolved_sha256": m.get("scenario_resolved_sha256"),
            "sixparty_version": m.get("sixparty_version"),
            "git_commit": (m.get("git") or {}).get("commit"),
            "started_utc": m.get("started_utc"),
        }

    def verdict(self, out_dir, seed: int, table_format: str, lang: str = "en") -> str:
        """A line saying whether the new data files are byte-identical to the original ones."""
        return self.check(out_dir, seed, table_format, lang)[1]

    def check(
        self, out_dir, seed: int, table_format: str, lang: str = "en"
    ) -> tuple[bool | None, str]:
        """``(reproduced, line)``: ``reproduced`` is True when the new data files are
        byte-identical to the original ones (as its manifest recorded them), False when
        they differ, None when nothing was compared (another seed or table format).
        The line is in ``lang`` (the ``rerun.*`` texts of :mod:`sixparty.analysis.i18n`)."""
        import hashlib
        from pathlib import Path

        from sixparty import outputs
        from sixparty.analysis.i18n import label, phrase

        if seed != self.seed:
            return None, phrase("rerun.other_seed", lang, seed=seed, original=self.seed)
        old = self.manifest.get("files") or {}
        names = [f"{stem}.{table_format}" for stem in outputs.TABLE_NAMES]
        if not all(n in old for n in names):
            return None, phrase(
                "rerun.no_tables",
                lang,
                run_dir=self.run_dir,
                fmt=table_format.upper(),
                theirs=self.manifest.get("table_format", "csv"),
            )

        def sha(path: Path) -> str | None:
            try:
                return hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                return None

        # Compare with the files as the run wrote them (the manifest's hashes), and say
        # so when the copies now in RUN_DIR were changed or removed since.
        differ = [n for n in names if sha(Path(out_dir) / n) != old[n]]
        changed = [n for n in names if sha(Path(self.run_dir) / n) != old[n]]
        sep = label("list_sep", lang)
        if not differ and not changed:
            return True, phrase("rerun.identical", lang, n=len(names), run_dir=self.run_dir)
        if not differ:
            return True, phrase(
                "rerun.originals_changed", lang, run_dir=self.run_dir, changed=sep.join(changed)
            )
        return False, phrase(
            "rerun.differ",
            lang,
            differ=sep.join(differ),
            run_dir=self.run_dir,
            version=self.manifest.get("sixparty_version"),
            commit=(self.manifest.get("git") or {}).get("commit"),
        )


def load_rerun(run_dir) -> Rerun:
    """Read RUN_DIR's manifest and resolved scenario for ``sixparty run --from``.

    Raises :class:`sixparty.cli.CLIError` (exit 2) if RUN_DIR is not a folder,
    has no readable ``manifest.json`` with a seed, or no ``scenario.resolved.yaml``
    (folders written before this release), or that file no longer matches the
    manifest's checksum; :class:`sixparty.loader.ScenarioError` if it does not load.
    """
    import hashlib
    import json
    import shlex
    from pathlib import Path

    from sixparty import outputs
    from sixparty.cli import CLIError
    from sixparty.loader import load_scenario

    d = Path(run_dir)
    if not d.is_dir():
        raise CLIError(
            f"--from {run_dir}: not a folder (expected a run folder written by 'sixparty run')"
        )
    mp = d / "manifest.json"
    try:
        manifest = json.loads(mp.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CLIError(
            f"--from {run_dir}: no manifest.json (not a run folder written by 'sixparty run')"
        ) from None
    except (OSError, ValueError) as exc:
        raise CLIError(f"--from {run_dir}: manifest.json is not readable JSON ({exc})") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("seed"), int):
        raise CLIError(
            f"--from {run_dir}: manifest.json has no seed (an ensemble or comparison "
            "folder? --from reruns a single run)"
        )
    sp = d / outputs.RESOLVED_SCENARIO
    if not sp.is_file():
        raise CLIError(
            f"--from {run_dir}: no {outputs.RESOLVED_SCENARIO} (written by an "
            "earlier sixparty, which did not keep it); rerun with: sixparty run "
            f"{manifest.get('scenario_file') or 'SCENARIO'} --seed {manifest['seed']}"
        )
    want = manifest.get("scenario_resolved_sha256")
    if want and hashlib.sha256(sp.read_bytes()).hexdigest() != want:
        raise CLIError(
            f"--from {run_dir}: {outputs.RESOLVED_SCENARIO} has changed since the run "
            "(checksum mismatch with manifest.json), and --from reruns a run as it was; "
            "to run the edited file as a scenario of its own: sixparty run "
            f"{shlex.quote(str(sp))}"
        )
    return Rerun(
        run_dir=str(run_dir),
        manifest=manifest,
        scenario_path=sp,
        scenario=load_scenario(sp),
        seed=manifest["seed"],
    )
