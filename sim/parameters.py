"""The declared parameter table: every number the model's behaviour depends on.

The table ships with the package as ``sixparty/data/parameters.yaml`` and is the
documentation of :class:`sixparty.scenario.Parameters`: for each field its
default, range, unit, description, source or reasoning, whether a calibration
may fit it (``calibrate``) and its ``kind``:

- ``model``: a mechanism's rate, weight or threshold (a free behavioural
  parameter; most are the modeller's judgement, not fitted to data);
- ``judgement``: a number that encodes a judgement about the parties or the
  case (e.g. how much slack a chairman's statement leaves);
- ``structural``: a switch, a reporting threshold or a prior, not something a
  calibration should move.

``tests/test_parameters.py`` checks that the table and ``Parameters`` agree
exactly (same names in the same order, defaults and ranges), so neither can
drift from the other.

Reading the table is the only I/O here (a package resource, via
:mod:`importlib.resources`); the model never reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import yaml

KINDS = ("model", "judgement", "structural")
TYPES = ("float", "int", "bool")

#: libyaml's safe loader when PyYAML has it (the same data as yaml.safe_load, faster)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class ParameterSpec:
    """One declared parameter.

    name: field of :class:`sixparty.scenario.Parameters`.
    type: ``float`` | ``int`` | ``bool``.
    default: the default value (of ``type``).
    lo, hi: the allowed range, inclusive (``lo`` exclusive when
    ``lo_exclusive``); for a bool ``False, True``.
    unit: what the number measures (e.g. ``months``, ``trust (0-1)``).
    description: what it does in the model.
    source: where the value comes from, or the reasoning behind it.
    calibrate: True for a free behavioural parameter a calibration may fit.
    kind: one of :data:`KINDS`.
    used_when: the other parameters' values under which this one acts at all
    (e.g. ``{"expected_utility_sessions": False}`` for a rule of the fixed-share
    session); empty when it always acts.
    """

    name: str
    type: Literal["float", "int", "bool"]
    default: float | int | bool
    lo: float | int | bool
    hi: float | int | bool
    unit: str
    description: str
    source: str
    calibrate: bool
    kind: Literal["model", "judgement", "structural"]
    lo_exclusive: bool = False
    used_when: tuple[tuple[str, object], ...] = ()

    def active(self, params) -> bool:
        """Whether this parameter acts under ``params`` (a :class:`Parameters`)."""
        return all(getattr(params, k) == v for k, v in self.used_when)

    @property
    def range(self) -> tuple[float | int | bool, float | int | bool]:
        """``(lo, hi)``."""
        return (self.lo, self.hi)


_KEYS = {
    "name",
    "type",
    "default",
    "range",
    "unit",
    "description",
    "source",
    "calibrate",
    "kind",
    "lo_exclusive",
    "used_when",
}


def _spec(entry: dict, index: int) -> ParameterSpec:
    where = f"parameters.yaml: parameters[{index}]"
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: expected a mapping")
    unknown = set(entry) - _KEYS
    missing = _KEYS - {"lo_exclusive", "used_when"} - set(entry)
    if unknown or missing:
        raise ValueError(
            f"{where} ({entry.get('name')}): unknown keys {sorted(unknown)}, "
            f"missing keys {sorted(missing)}"
        )
    if entry["type"] not in TYPES or entry["kind"] not in KINDS:
        raise ValueError(
            f"{where} ({entry['name']}): type must be one of {TYPES}, kind one of {KINDS}"
        )
    lo, hi = entry["range"]
    return ParameterSpec(
        name=entry["name"],
        type=entry["type"],
        default=entry["default"],
        lo=lo,
        hi=hi,
        unit=entry["unit"],
        description=" ".join(str(entry["description"]).split()),
        source=" ".join(str(entry["source"]).split()),
        calibrate=bool(entry["calibrate"]),
        kind=entry["kind"],
        lo_exclusive=bool(entry.get("lo_exclusive", False)),
        used_when=tuple(sorted((entry.get("used_when") or {}).items())),
    )


@cache
def _load() -> tuple[ParameterSpec, ...]:
    text = resources.files("sixparty").joinpath("data", "parameters.yaml").read_text("utf-8")
    doc = yaml.load(text, Loader=_SAFE_LOADER)
    return tuple(_spec(e, i) for i, e in enumerate(doc["parameters"]))


def declared_parameters() -> list[ParameterSpec]:
    """Every declared parameter, in the order of ``Parameters``' fields.

    Returns a new list of frozen :class:`ParameterSpec`.  Raises
    ``ValueError`` if the shipped table is malformed (a packaging bug).
    """
    return list(_load())


def free_parameters(params=None) -> list[ParameterSpec]:
    """The parameters a calibration may fit (``calibrate: true``); with ``params`` (a
    :class:`Parameters`), only those that act under them (see ``used_when``): a
    calibration or sensitivity analysis that varied an inert parameter would spend
    its budget on a dimension the model ignores."""
    return [p for p in _load() if p.calibrate and (params is None or p.active(params))]


def inert_settings(params, explicit, lang: str = "en") -> list[tuple[ParameterSpec, str]]:
    """The parameters among ``explicit`` (names a scenario sets) that do nothing under
    ``params``, each with a sentence saying why in ``lang`` (``"en"`` or ``"zh"``;
    the texts are :mod:`sixparty.analysis.i18n`'s ``run.inert*``): ``[(spec, why)]``."""
    from sixparty.analysis.i18n import label, phrase

    sep = label("list_sep", lang)

    def conds(pairs) -> str:
        return sep.join(
            phrase("run.inert.cond", lang, setting=k, value=str(v).lower()) for k, v in pairs
        )

    out = []
    for p in _load():
        if p.name in explicit and not p.active(params):
            now = [(k, getattr(params, k)) for k, _ in p.used_when]
            why = phrase(
                "run.inert",
                lang,
                path=f"parameters.{p.name}",
                cond=conds(p.used_when),
                now=conds(now),
            )
            out.append((p, why))
    return out


def parameter(name: str) -> ParameterSpec:
    """The declared parameter ``name``; ``KeyError`` if there is none."""
    for p in _load():
        if p.name == name:
            return p
    raise KeyError(name)


__all__ = ["KINDS", "ParameterSpec", "declared_parameters", "free_parameters", "parameter"]
