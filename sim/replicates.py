"""Parameters and judgement inputs on the replicate axis.

One :class:`~sixparty.model.TalksModel` steps R replicates in lockstep.  Each
replicate may run its own *variant* of the scenario: its own values of the
batchable parameters (:data:`BATCHED`) and of the parties' judgement inputs
(capability, resolve, domestic constraint, and the initial positions,
saliences and trust).  Everything else - the window, the events, the stated
positions, the phases, the strategies, and the per-model parameters
(:data:`PER_MODEL`: the switches, the chair's bound of drafts, the Zeuthen grid,
the expected-utility core's Q, T and risk-exponent bound, which set code paths
or array shapes) - must be the same in every replicate of one model
(:func:`check_variants`).

The model holds the parameters as a :class:`ReplicateParameters`: a batchable
parameter is an ``(R,)`` array (float64, or int64 for whole numbers), indexed by
the replicates a decision is taken for; a per-model one a plain value.  Pure
(no I/O).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sixparty.scenario import Parameters, Scenario

#: Parameters held once per model: switches (bools), loop bounds and grid sizes
#: that set array shapes (``max_iterations``, ``zeuthen_grid``), and the
#: expected-utility core's Q, T and risk-exponent bound, which select its code
#: paths (:class:`sixparty.bargaining.BargainingParameters`; none is a free
#: parameter of calibration or sensitivity analysis).
PER_MODEL: frozenset[str] = frozenset(
    [name for name, f in Parameters.model_fields.items() if f.annotation is bool]
    + [
        "max_iterations",
        "zeuthen_grid",
        "bdm_status_quo_probability",
        "bdm_improvement_probability",
        "bdm_risk_exponent_max",
    ]
)

#: Parameters held per replicate, as ``(R,)`` arrays: every other field of
#: :class:`~sixparty.scenario.Parameters` (rates, weights, thresholds; whole
#: numbers only compared or counted, such as ``chair_patience``).
BATCHED: tuple[str, ...] = tuple(n for n in Parameters.model_fields if n not in PER_MODEL)

_BATCHED_SET = frozenset(BATCHED)

#: Whole-number batchable parameters (int64 arrays).
_INTS = frozenset(n for n in BATCHED if Parameters.model_fields[n].annotation is int)

#: Scenario fields that may differ between the variants of one model and do not
#: change a run (labels; the seed comes from the model's ``seeds``).
_LABELS = ("name", "title", "description", "seed")


class ReplicateParameters:
    """The model's parameters, one value per replicate where they may differ.

    Built from R :class:`~sixparty.scenario.Parameters` (one per replicate).
    A name of :data:`BATCHED` reads as an ``(R,)`` array (float64, or int64 for
    a whole number such as ``chair_patience``): index it by the replicates
    decided for, ``p.noise[r]``.  A name of :data:`PER_MODEL` reads as its
    plain value (the same in every replicate).  Assigning a number to a
    batchable name sets it in every replicate (``m.params.drift = 0.0``); an
    ``(R,)`` sequence sets one value per replicate.  No range check on
    assignment (the scenario's values were checked when it was loaded).

    Raises:
        ValueError: the R parameter sets differ in a per-model parameter.
        AttributeError: assigning a name that is not a parameter.
    """

    def __init__(self, params: Sequence[Parameters]) -> None:
        params = list(params)
        if not params:
            raise ValueError("at least one replicate's parameters are needed")
        first = params[0]
        for q in params[1:]:
            for name in PER_MODEL:
                if getattr(q, name) != getattr(first, name):
                    raise ValueError(
                        f"parameters.{name} must be the same in every replicate of one model "
                        f"({getattr(first, name)!r} vs {getattr(q, name)!r}): it is held once "
                        "per model (sixparty.replicates.PER_MODEL)"
                    )
        object.__setattr__(self, "R", len(params))
        for name in PER_MODEL:
            object.__setattr__(self, name, getattr(first, name))
        for name in BATCHED:
            dtype = np.int64 if name in _INTS else np.float64
            object.__setattr__(
                self, name, np.array([getattr(q, name) for q in params], dtype=dtype)
            )

    def __setattr__(self, name: str, value) -> None:
        if name in PER_MODEL:
            object.__setattr__(self, name, value)
        elif name in BATCHED:
            dtype = np.int64 if name in _INTS else np.float64
            arr = np.array(np.broadcast_to(np.asarray(value, dtype=dtype), (self.R,)))
            object.__setattr__(self, name, arr)
        else:
            raise AttributeError(f"{name!r} is not a model parameter")

    def __repr__(self) -> str:
        return f"ReplicateParameters(R={self.R})"

    def at(self, rep: int) -> ReplicateView:
        """Replicate ``rep``'s parameters as plain Python numbers
        (:class:`ReplicateView`), for code that decides for one replicate."""
        return ReplicateView(self, int(rep))


class ReplicateView:
    """One replicate's parameters: ``view.noise`` is ``params.noise[rep]`` as a
    Python float (int for a whole number); a per-model parameter its value.
    Read-only; reads through to the :class:`ReplicateParameters`, so it sees
    later assignments."""

    __slots__ = ("_params", "_rep")

    def __init__(self, params: ReplicateParameters, rep: int) -> None:
        object.__setattr__(self, "_params", params)
        object.__setattr__(self, "_rep", rep)

    def __getattr__(self, name: str):
        value = getattr(self._params, name)
        # ndarray.item(i): the same Python number as value[i].item(), one call
        return value.item(self._rep) if name in _BATCHED_SET else value

    def __setattr__(self, name: str, value) -> None:
        raise AttributeError("a replicate's view of the parameters is read-only")


#: The scenario's fields :func:`_structure` keeps (all but the labels), in order.
_STRUCTURE_FIELDS = tuple(n for n in Scenario.model_fields if n not in _LABELS)


def _structure_part(scenario: Scenario, name: str):
    """Field ``name``'s share of :func:`_structure` (the field dumped, less the
    batchable parameters or the judgement inputs)."""
    d = scenario.model_dump(include={name})[name]
    if name == "parameters":
        for p in BATCHED:
            d.pop(p)
    elif name == "parties":
        for cfg in d.values():
            for what in ("capability", "resolve", "domestic_constraint"):
                cfg[what].pop("value")
            for ip in cfg["initial"].values():
                ip.pop("position")
                ip.pop("salience")
            cfg.pop("trust")
    return d


def _structure(scenario: Scenario) -> dict:
    """The scenario's content that must agree between the variants of one model:
    everything but the labels, the batchable parameters and the judgement inputs."""
    return {name: _structure_part(scenario, name) for name in _STRUCTURE_FIELDS}


def _same_structure(a: Scenario, b: Scenario, a_parts: dict) -> bool:
    """``_structure(a) == _structure(b)``, a field held by both as one object taken
    as equal without dumping it (variants made by copying a scenario share most of
    its fields: events, phases, ...).  a_parts: a cache of ``a``'s parts."""
    for name in _STRUCTURE_FIELDS:
        x = getattr(a, name)
        if x is getattr(b, name):
            continue
        if name not in a_parts:
            a_parts[name] = _structure_part(a, name)
        if a_parts[name] != _structure_part(b, name):
            return False
    return True


def same_structure(a: Scenario, b: Scenario) -> bool:
    """True when ``a`` and ``b`` may run as variants in one model (the test of
    :func:`check_variants`): equal but for their labels, batchable parameters and
    judgement inputs.  For grouping work items; cheaper than comparing
    :func:`structure_key` texts when the scenarios share fields (copies)."""
    return _same_structure(a, b, {})


def _first_difference(a, b, path: str = "") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            if k not in a or k not in b:
                return f"{path}.{k}".lstrip(".")
            d = _first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return ""
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path} (length {len(a)} vs {len(b)})".lstrip(".")
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            d = _first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        return ""
    return "" if a == b else path.lstrip(".")


def structure_key(scenario: Scenario) -> str:
    """A text that two scenarios share exactly when they may run as variants in one
    model (:func:`check_variants`): the scenario with its labels, batchable parameters
    and judgement inputs left out.  For grouping work items."""
    return repr(_structure(scenario))


def check_variants(scenario: Scenario, variants: Sequence[Scenario], R: int) -> list[Scenario]:
    """``variants`` as a list of R scenarios, each checked against ``scenario``.

    A variant may differ from ``scenario`` only in the batchable parameters
    (:data:`BATCHED`), the parties' judgement inputs (``capability.value``,
    ``resolve.value``, ``domestic_constraint.value``, ``initial.<issue>.position``
    and ``.salience``, ``trust``) and the labels (name, title, description, seed).

    Raises:
        TypeError: ``variants`` is not a sequence of :class:`Scenario`.
        ValueError: not R variants, or a variant differs elsewhere (the message
            names the replicate and the first field that differs).
    """
    if isinstance(variants, (str, bytes, Scenario)) or not hasattr(variants, "__iter__"):
        raise TypeError(f"variants must be a sequence of Scenario, not {variants!r}")
    variants = list(variants)
    if len(variants) != R:
        raise ValueError(f"{len(variants)} variants for {R} replicates (one per seed expected)")
    base: dict = {}  # the scenario's parts, dumped as first needed
    checked = {id(scenario)}  # a variant repeated (one point's seeds) is checked once
    for r, v in enumerate(variants):
        if not isinstance(v, Scenario):
            raise TypeError(f"variants[{r}] must be a Scenario, not {type(v).__name__}")
        if id(v) in checked:
            continue
        checked.add(id(v))
        if not _same_structure(scenario, v, base):
            where = _first_difference(_structure(scenario), _structure(v))
            raise ValueError(
                f"variants[{r}] differs from the model's scenario in {where}: variants of one "
                "model may differ only in batchable parameters (sixparty.replicates.BATCHED) "
                "and the parties' judgement inputs (capability, resolve, domestic constraint, "
                "initial positions and saliences, trust)"
            )
    return variants


__all__ = [
    "BATCHED",
    "PER_MODEL",
    "ReplicateParameters",
    "ReplicateView",
    "check_variants",
    "same_structure",
    "structure_key",
]
