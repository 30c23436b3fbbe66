"""JSON Schemas (draft 2020-12) of scenario files: complete scenarios and variants.

:func:`json_schema` builds three documents from the pydantic models of
:mod:`sixparty.scenario` (``sixparty schema --kind ...``):

``complete``
    a scenario file without ``extends:``: every required field, the issues of ISSUES
    and six parties by name, months ``YYYY-MM`` with a month 01-12, numbers in
    their ranges, a source with a quote (and its section) or a note.
``variant``
    a file with ``extends:``.  It states only what differs, so every mapping may
    be partial (it is deep-merged into the parent); lists replace the parent's
    whole list, so list items (phases, stated positions, effects, ``add_events``)
    and events (an event replaces the parent's event of the same id) must be
    complete.  ``overrides`` keys must be paths the format has
    (``parties.US.strategy.direct_talks``, ``phases[0].months``,
    ``events.<id>.date``), each value checked against the field at its path.
``any`` (the default)
    either, chosen by the presence of ``extends``.

What a JSON Schema cannot say, :func:`sixparty.loader.load_scenario` still
checks: it is the authority.  :data:`LOADER_ONLY` lists those checks; they are
repeated in the schemas' descriptions, and ``tests/test_schema_agreement.py``
runs both validators over a table of cases that says which checks are
loader-only.
"""

from __future__ import annotations

import re
from typing import Any

from sixparty.scenario import ISSUES, PARTIES, Scenario

__all__ = ["KINDS", "LOADER_ONLY", "MONTH_PATTERN", "json_schema", "override_paths"]

#: The schema documents :func:`json_schema` can build.
KINDS = ("any", "complete", "variant")

#: A month ``YYYY-MM`` (month 01-12), optionally with a day (the loader keeps the month).
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$"
#: An event date ``YYYY-MM-DD`` or ``YYYY-MM``.
DATE_PATTERN = MONTH_PATTERN

#: Checks only the loader makes (cross-field, or needing the parent file).
LOADER_ONLY = (
    "the window ends on or after its start",
    "every event date and invitation date falls inside the window",
    "event ids are unique",
    "a date is a real calendar date (2004-02-30 matches the pattern)",
    "numbers are finite (YAML's .inf and .nan, which JSON cannot write, are refused)",
    "a variant's parent exists (extends:), and the chain has no cycle",
    "remove_events ids, overrides list indexes and events.<id> paths exist in the parent",
    "the merged variant is a complete, valid scenario",
    "the sequence issue is given everywhere or nowhere (nowhere: an eight-issue file, "
    "its denuclearization values read on both scales)",
    "a format_version 1 file (the eight issues) does not name sequence",
)
#: ``format_version:`` (docs/scenarios.md, "Eight-issue files"), any file.
_FORMAT_VERSION = {
    "enum": [2, 1],
    "title": "Format Version",
    "description": "The scenario format this file is written in: 2, the nine issues "
    "(read as written); 1, the eight issues of files written before 2026-12-03 (each "
    "denuclearization value also read as sequence). Without it, a file that sets "
    "denuclearization but never sequence is read as 1, with a note.",
}
#: Where the loader is more lenient than the schemas (pydantic's lax mode).
LOADER_LENIENT = ("spaces around a month or date are ignored",)

_SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"
_KEY_DOMAINS = {"issues": ISSUES, "initial": ISSUES, "positions": ISSUES, "trust": PARTIES}
_PYDANTIC_BOUNDS = {
    "ge": "minimum",
    "le": "maximum",
    "gt": "exclusiveMinimum",
    "lt": "exclusiveMaximum",
}


def _fix_bounds(node: Any) -> None:
    """pydantic writes ``ge``/``le`` for constrained dict values: make them JSON Schema keywords."""
    if isinstance(node, dict):
        if node.get("type") in ("number", "integer"):
            for src, dst in _PYDANTIC_BOUNDS.items():
                if src in node:
                    node[dst] = node.pop(src)
        for v in node.values():
            _fix_bounds(v)
    elif isinstance(node, list):
        for v in node:
            _fix_bounds(v)


def _base() -> dict[str, Any]:
    """The pydantic schema of :class:`Scenario`, tightened where JSON Schema can say more."""
    s = Scenario.model_json_schema()
    _fix_bounds(s)
    defs = s["$defs"]
    month = {
        "type": "string",
        "pattern": MONTH_PATTERN,
        "description": "A month YYYY-MM (a date YYYY-MM-DD is read as its month).",
    }
    defs["Window"]["properties"]["start"].update(month)
    defs["Window"]["properties"]["end"].update(month)
    defs["Window"]["description"] = (
        "The simulated period, inclusive, on a monthly step. "
        "Loader-only check: end is not before start."
    )
    defs["Invitation"]["properties"]["date"].update(month)
    defs["StatedPosition"]["properties"]["date"].update(month)
    defs["Event"]["properties"]["date"].update(
        {
            "type": "string",
            "pattern": DATE_PATTERN,
            "description": "YYYY-MM-DD or YYYY-MM. Loader-only checks: a real calendar date, "
            "inside the window.",
        }
    )
    # Dicts keyed by issue or party: only those keys; all issues where required, but
    # for ``sequence``: an eight-issue file (none anywhere) is read by the loader with
    # its denuclearization values on both scales (sixparty.loader, docs/scenarios.md),
    # a file that gives it in one place only is a loader-only refusal.
    required = [k for k in ISSUES if k != "sequence"]
    s["properties"]["issues"].update(
        {"propertyNames": {"enum": list(ISSUES)}, "required": required}
    )
    for party in PARTIES:
        props = defs[f"{party}Config"]["properties"]
        props["initial"].update({"propertyNames": {"enum": list(ISSUES)}, "required": required})
        props["trust"]["propertyNames"] = {"enum": list(PARTIES)}
    defs["StatedPosition"]["properties"]["positions"].update(
        {"propertyNames": {"enum": list(ISSUES)}, "minProperties": 1}
    )
    # A source needs a quote (with its section) or a note (Source._something).
    defs["Source"]["allOf"] = [
        {
            "anyOf": [
                {
                    "required": ["quote"],
                    "properties": {"quote": {"type": "string", "minLength": 1}},
                },
                {"required": ["note"], "properties": {"note": {"type": "string", "minLength": 1}}},
            ]
        },
        {
            "if": {
                "required": ["quote"],
                "properties": {"quote": {"type": "string", "minLength": 1}},
            },
            "then": {
                "required": ["section"],
                "properties": {"section": {"type": "string", "minLength": 1}},
            },
        },
    ]
    # A strategy effect names a strategy field of its party (Scenario._cross_checks).
    parties = Scenario.model_fields["parties"].annotation
    strategy_fields = {
        p: list(parties.model_fields[p].annotation.model_fields["strategy"].annotation.model_fields)
        for p in PARTIES
    }
    defs["StrategyEffect"]["allOf"] = [
        {
            "if": {"properties": {"party": {"const": p}}, "required": ["party"]},
            "then": {"properties": {"field": {"enum": fields}}},
        }
        for p, fields in strategy_fields.items()
    ]
    s["description"] = (s.get("description") or "").strip()
    return s


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = defs[node["$ref"].split("/")[-1]]
    return node


def _partial(node: Any, defs: dict[str, Any], made: dict[str, Any]) -> Any:
    """``node`` with every mapping reached through mappings made optional (a variant's view).

    Referenced models get a ``<Name>Partial`` definition (in ``made``); arrays keep
    complete items; requirement-only constraints (``required``, ``allOf``) go.
    """
    if isinstance(node, list):
        return [_partial(v, defs, made) for v in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].split("/")[-1]
        partial_name = f"{name}Partial"
        if partial_name not in made:
            made[partial_name] = {}  # placeholder: recursion-safe
            made[partial_name] = _partial(defs[name], defs, made)
        return {"$ref": f"#/$defs/{partial_name}"}
    out = {}
    for key, value in node.items():
        if key in ("required", "allOf", "minProperties"):
            continue
        if key == "properties":
            out[key] = {k: _partial(v, defs, made) for k, v in value.items()}
        elif key in ("additionalProperties", "anyOf", "oneOf") and not isinstance(value, bool):
            out[key] = _partial(value, defs, made)
        elif key == "discriminator":
            continue  # members are partial now: "kind" may be absent
        else:
            out[key] = value  # items (complete), enums, patterns, bounds, descriptions
    return out


def override_paths(schema: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """Every path an ``overrides:`` key may name, as an anchored regex -> the schema of its value.

    Mappings: ``.field``; dicts keyed by issue or party: ``.key``; lists:
    ``[i]`` or ``.i``; the events list also ``.<id>``.  A value replaces the whole
    value at its path, so it must be complete.  Inside an effect (a union by
    ``kind``) a field's value may be that field of any kind.
    """
    base = schema or _base()
    defs = base["$defs"]
    found: dict[str, list[dict[str, Any]]] = {}

    def add(path: str, value: dict[str, Any]) -> None:
        lst = found.setdefault(path, [])
        if value not in lst:
            lst.append(value)

    def walk(node: dict[str, Any], path: str, depth: int) -> None:
        if depth > 12:
            return
        if path:
            add(path, node)
        target = _resolve(node, defs)
        members = [
            m for m in target.get("anyOf", target.get("oneOf", [])) if m.get("type") != "null"
        ]
        if members:
            for m in members:
                walk_children(_resolve(m, defs), path, depth)
            return
        walk_children(target, path, depth)

    def walk_children(target: dict[str, Any], path: str, depth: int) -> None:
        dot = r"\." if path else ""
        for key, sub in target.get("properties", {}).items():
            walk(sub, path + dot + re.escape(key), depth + 1)
        if isinstance(target.get("additionalProperties"), dict):
            keys = (target.get("propertyNames") or {}).get("enum") or []
            for key in keys:
                walk(target["additionalProperties"], path + dot + re.escape(key), depth + 1)
        if target.get("type") == "array" and isinstance(target.get("items"), dict):
            item = _resolve(target["items"], defs)
            has_id = "id" in item.get("properties", {})
            index = r"(\[\d+\]|\.[a-z0-9_]+)" if has_id else r"(\[\d+\]|\.\d+)"
            walk(target["items"], path + index, depth + 1)

    walk_children(base, "", 0)
    out = {}
    for path, values in found.items():
        out[f"^{path}$"] = values[0] if len(values) == 1 else {"anyOf": values}
    return out


def _loader_only_text() -> str:
    return (
        "JSON Schema cannot express every check; sixparty's loader (sixparty validate FILE) "
        "is the authority. Checked by the loader only: " + "; ".join(LOADER_ONLY) + ". "
        "The loader also accepts what these schemas refuse: " + "; ".join(LOADER_LENIENT) + "."
    )


def json_schema(kind: str = "any") -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of scenario files of ``kind`` (see :data:`KINDS`).

    Returns a JSON-serialisable dict with ``$schema``, ``title``, ``description``
    (which says what only the loader checks) and ``$defs``.  Raises ValueError on
    an unknown ``kind``.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    base = _base()
    defs: dict[str, Any] = base.pop("$defs")
    scenario_doc = base.pop("description", "")
    complete = dict(base)
    # a key about the file, not the scenario (sixparty.loader.FILE_KEYS): first, as
    # it is written at the top of a file
    complete["properties"] = {"format_version": _FORMAT_VERSION, **base["properties"]}
    complete["additionalProperties"] = False
    made: dict[str, Any] = {}
    partial = _partial(complete, defs, made)
    defs.update(made)
    variant_props = {
        "extends": {
            "type": "string",
            "minLength": 1,
            "title": "Extends",
            "description": "Shipped scenario name (e.g. 'historical') or a path relative to "
            "this file; the file then states only what differs. Loader-only: "
            "the parent exists.",
        },
        "overrides": {
            "type": "object",
            "title": "Overrides",
            "description": "Dotted path -> value, e.g. 'parties.US.strategy.direct_talks: "
            "accept', 'phases[0].months: 2', 'events.<id>.date: 2006-01'. The "
            "value replaces the whole value at the path. Loader-only: list "
            "indexes and event ids exist in the parent.",
            "patternProperties": override_paths({**base, "$defs": defs}),
            "additionalProperties": False,
        },
        "remove_events": {
            "type": "array",
            "title": "Remove Events",
            "description": "Ids of parent events to drop. Loader-only: each id exists "
            "in the parent.",
            "items": {"type": "string", "pattern": r"^[a-z0-9_]+$"},
        },
        "add_events": {
            "type": "array",
            "title": "Add Events",
            "description": "Complete events appended to the parent's.",
            "items": {"$ref": "#/$defs/Event"},
        },
    }
    variant = dict(partial)
    variant["properties"] = {**variant_props, **partial["properties"]}
    variant["required"] = ["extends"]
    variant["additionalProperties"] = False
    complete["description"] = "A complete scenario (no extends:). " + scenario_doc
    variant["description"] = (
        "A variant (extends:): mappings are deep-merged into the parent, so "
        "they may be partial; a list replaces the parent's whole list, so list "
        "items are complete; an event replaces the parent's event of the same id."
    )
    head = {"$schema": _SCHEMA_URI}
    if kind == "complete":
        doc = {
            **head,
            "title": "sixparty scenario (complete)",
            "description": complete["description"] + " " + _loader_only_text(),
            **{k: v for k, v in complete.items() if k not in ("description", "title")},
        }
    elif kind == "variant":
        doc = {
            **head,
            "title": "sixparty scenario variant (extends:)",
            "description": variant["description"] + " " + _loader_only_text(),
            **{k: v for k, v in variant.items() if k not in ("description", "title")},
        }
    else:
        defs["CompleteScenario"] = complete
        defs["VariantScenario"] = variant
        doc = {
            **head,
            "title": "sixparty scenario",
            "description": (
                "A sixparty scenario file: a complete scenario, or a variant when it "
                "says extends:. " + _loader_only_text()
            ),
            "type": "object",
            # Shown to editors for completion; the branch below does the checking.
            "properties": {
                k: {"$ref": f"#/$defs/VariantScenario/properties/{k}"}
                for k in variant["properties"]
            },
            "if": {"required": ["extends"]},
            "then": {"$ref": "#/$defs/VariantScenario"},
            "else": {"$ref": "#/$defs/CompleteScenario"},
        }
    doc["$defs"] = defs
    return doc
