"""Scenario files: YAML → :class:`sixparty.scenario.Scenario`, with precise errors.

Public functions
----------------
``load_scenario(path) -> Scenario``
    Read, merge (``extends:``) and validate one scenario file.  ``path`` may
    also be a shipped scenario name (see :func:`find_scenario`).
``load_scenario_text(text, filename) -> Scenario``
    The same for text already in memory; ``filename`` is used in messages and
    to resolve a relative ``extends:``.
``find_scenario(name_or_path) -> Path``
    An existing file, else a shipped scenario by name (``historical``,
    ``counterfactuals/no_bda_sanctions`` or ``no_bda_sanctions``).
``shipped_scenarios() -> list[tuple[str, Path]]``
    (name, path) of every scenario shipped in the ``scenarios`` package.
``scenario_parent_chain(path) -> list[Path]``
    The file and the files it extends, child first, root last.
``diff_from_parent(path) -> list[tuple[str, object, object]]``
    (dotted path, parent value, child value) of every difference between a
    variant and the scenario it extends (after validation, defaults included).
``scenario_json_schema() -> dict``
    JSON Schema of the scenario format (for editors).

Every user error raises :class:`ScenarioError`, which carries a list of
:class:`Problem` (file, line, column, field path, message, suggestion) and
formats them one per line::

    scenarios/x.yaml:12:5: parties.DPRK.initial.verification.position: expected a number in [0, 1], got 1.4

Safety: only plain YAML data is read (a ``yaml.SafeLoader`` composes the node
tree; tags other than the core ones - map, seq, str, int, float, bool, null,
timestamp - are refused), files over :data:`MAX_BYTES` are refused, duplicate
mapping keys are errors, alias expansion is capped (:data:`MAX_NODES`) and
nesting is capped (:data:`MAX_DEPTH`) while composing, before Python's stack can overflow.
Plain scalars follow YAML 1.2's core schema (:class:`_Yaml12Loader`: only
true/false are booleans, no octal or base-60 numbers; ``0042`` is refused with
the fix).  A file none of whose top-level keys is a scenario field is refused
as "not a scenario file", and no message quotes such a file's text (nor a
YAML syntax error the words of any file); ``extends:`` reads only shipped names
and ``.yaml``/``.yml`` files.

Variants (``extends:``)
-----------------------
A file may say ``extends: historical`` (a shipped scenario name) or a path
relative to the file (``../historical.yaml``) and then state only what
differs.  The parent is loaded (recursively: chains of any depth) and the
child applied in this order:

1. mappings are deep-merged; any other value, and any list other than
   ``events``, replaces the parent's whole;
2. ``events:`` in the child merges by ``id``: an event whose id exists
   replaces the parent's event, a new id is appended;
3. ``remove_events: [id, ...]`` drops events (each id must exist);
4. ``add_events: [...]`` appends events;
5. ``overrides:`` maps dotted paths to values
   (``parties.US.strategy.direct_talks: accept``, ``events.bda_freeze.date``,
   ``phases[0].months``); each path must exist in the parent or be a field
   the format allows there.

A child that gives no ``name`` is named after its file (stem; :func:`name_from_stem`).  Every merged
value remembers the file and line it came from, so an error in the merged
result names the file that holds the bad line.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import functools
import os
import re
import types
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from sixparty import shipped as _shipped
from sixparty.scenario import FORMAT_VERSION, ISSUES, NAME_PATTERN, PARTIES, Scenario
from sixparty.shipped import shipped_scenarios

__all__ = [
    "EightIssueScenario",
    "MAX_BYTES",
    "MAX_NODES",
    "Problem",
    "ScenarioError",
    "diff_from_parent",
    "eight_issue_note",
    "find_scenario",
    "load_scenario",
    "load_scenario_text",
    "scenario_json_schema",
    "scenario_parent_chain",
    "shipped_scenarios",
]

#: Largest scenario file accepted, in bytes (2 MiB).
MAX_BYTES = 2 * 1024 * 1024
#: Largest number of YAML values in one file after alias expansion.
MAX_NODES = 200_000
#: Deepest nesting of lists and mappings accepted (a scenario needs fewer than 10 levels).
MAX_DEPTH = 64

#: Top-level keys that only a file with ``extends:`` may use.
VARIANT_KEYS = ("extends", "overrides", "remove_events", "add_events")
#: Top-level keys about the file itself, not the scenario: read, then removed before
#: ``extends:`` merges the file (any file may have them; docs/scenarios.md).
FILE_KEYS = ("format_version",)
#: The scenario format a file says it is written in (``format_version:``): 1, the
#: eight issues of before 2026-12-03 (read with :func:`_migrate_eight_issues`); 2, the
#: nine issues (read as written, never migrated).  A file without the key is read as
#: version 1 if it names ``denuclearization`` and never ``sequence``, else as 2
#: (:data:`sixparty.scenario.FORMAT_VERSION`, what the shipped scenarios say).
FORMAT_VERSIONS = (1, FORMAT_VERSION)

_T = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_T + t for t in ("str", "int", "float", "bool", "null", "timestamp")}


class _Yaml12Loader(yaml.SafeLoader):
    """``yaml.SafeLoader`` reading plain scalars by the YAML 1.2 core schema.

    PyYAML follows YAML 1.1, which turns ``0042`` into 34 (octal), ``1:30``
    into 90 (base 60) and ``no``/``off``/``yes``/``on`` into booleans.  Here
    only ``true``/``false`` are booleans, ``1:30`` and ``no`` stay text,
    integers are decimal (``0x1F`` and ``0o17`` as written), floats may use
    an exponent (``1e3``) and ``.inf``/``.nan`` are floats (the schema refuses
    them).  A plain integer with a leading zero (``0042``) is refused by
    :class:`_Builder`: YAML 1.1 tools would read it as octal.  Dates
    (``2005-09-19``) are still read as dates, and ``<<`` merge keys work.

    Nesting deeper than :data:`MAX_DEPTH` raises :class:`_TooDeep` while
    composing: PyYAML's composer recurses once per level, and 500 nested
    ``[`` would otherwise exhaust Python's stack (RecursionError).
    """

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeep(self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _TooDeep(Exception):
    """Nesting deeper than :data:`MAX_DEPTH` (``mark``: where)."""

    def __init__(self, mark: Any):
        super().__init__("too deep")
        self.mark = mark


_Yaml12Loader.yaml_implicit_resolvers = {}
for _tag, _regexp, _first in (
    (_T + "null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (_T + "bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    (_T + "int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        _T + "float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+0123456789."),
    ),
):
    _Yaml12Loader.add_implicit_resolver(_tag, re.compile(_regexp), _first)
for _first_char, _resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items():
    for _tag, _regexp in _resolvers:  # YAML 1.1 dates and '<<' merge keys are kept
        if _tag in (_T + "timestamp", _T + "merge"):
            _Yaml12Loader.add_implicit_resolver(_tag, _regexp, [_first_char])


def _construct_int12(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    if text[:2] in ("0x", "0o"):
        return int(text[2:], 16 if text[1] == "x" else 8)
    return int(text)


def _construct_float12(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> float:
    text = str(loader.construct_scalar(node))
    low = text.lower()
    if low.endswith(".inf"):
        return float("-inf") if low.startswith("-") else float("inf")
    if low == ".nan":
        return float("nan")
    return float(text)


_Yaml12Loader.add_constructor(_T + "int", _construct_int12)
_Yaml12Loader.add_constructor(_T + "float", _construct_float12)

#: A plain integer with a leading zero: octal in YAML 1.1, decimal in YAML 1.2.
_LEADING_ZERO = re.compile(r"^[-+]?0[0-9]+$")

#: Keys of these mappings are drawn from a fixed set (for did-you-mean).
_KEY_DOMAINS: dict[str, tuple[str, ...]] = {
    "initial": ISSUES,
    "positions": ISSUES,
    "issues": ISSUES,
    "trust": PARTIES,
}


# ------------------------------------------------------------------ problems
@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario file.

    file: the file as shown to the user; line, column: 1-based (None when
    unknown); path: the field path (``parties.DPRK.initial.lwr.position``,
    ``events[3].date``; empty for file-level problems); message: plain
    English; suggestion: the name the user probably meant, or None.
    """

    file: str
    line: int | None
    column: int | None
    path: str
    message: str
    suggestion: str | None = None

    def location(self) -> str:
        """``file:line:column`` (as much as is known)."""
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def format(self) -> str:
        """One line (plus an indented did-you-mean line when there is a suggestion)."""
        text = f"{self.location()}: "
        if self.path:
            text += f"{self.path}: "
        text += self.message
        if self.suggestion:
            text += f"\n  did you mean {self.suggestion!r}?"
        return text


class ScenarioError(Exception):
    """A scenario could not be found, read, merged or validated.

    ``problems`` is a non-empty list of :class:`Problem`; :meth:`format`
    gives one line per problem.
    """

    def __init__(self, problems: Sequence[Problem]):
        self.problems: list[Problem] = list(problems)
        super().__init__(self.format())

    def format(self) -> str:
        return "\n".join(p.format() for p in self.problems)

    def __str__(self) -> str:
        return self.format()


def _closest(word: object, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    cands = [c for c in candidates if isinstance(c, str)]
    if not isinstance(word, str) or not cands:
        return None
    same = [c for c in cands if c.lower() == word.lower() and c != word]
    if same:  # only the case differs ('Extends' for 'extends')
        return same[0]
    hits = difflib.get_close_matches(word, cands, n=1, cutoff=cutoff)
    if not hits:
        low = {c.lower(): c for c in cands}
        hits = difflib.get_close_matches(word.lower(), list(low), n=1, cutoff=cutoff)
        hits = [low[h] for h in hits]
    return hits[0] if hits and hits[0] != word else None


def _display(path: Path | str) -> str:
    """A path as shown in messages: relative to the working directory when inside it."""
    p = Path(path)
    try:
        rel = os.path.relpath(p)
    except ValueError:
        return str(p)
    return rel if not rel.startswith("..") else str(p)


def _fmt_path(parts: Sequence[str | int]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


# ------------------------------------------------------------ the node tree
@dataclass(eq=False)
class _Node:
    """A YAML value with where it came from (1-based line/column)."""

    kind: Literal["map", "seq", "scalar"]
    value: Any  # dict[str, _Node] | list[_Node] | plain scalar
    file: str
    line: int
    col: int
    key_line: int | None = None
    key_col: int | None = None
    #: The path the user wrote for this value when it differs from its place in the
    #: merged tree (an ``add_events[0]`` item sits at ``events[29]``): messages name it.
    origin: tuple[str | int, ...] | None = None

    def at_key(self) -> tuple[int, int]:
        """Line/column of the key naming this value (else of the value)."""
        if self.key_line is not None:
            return self.key_line, self.key_col or 1
        return self.line, self.col

    def get(self, key: str) -> _Node | None:
        return self.value.get(key) if self.kind == "map" else None

    def scalar(self, key: str) -> Any:
        n = self.get(key)
        return n.value if n is not None and n.kind == "scalar" else None


def _plain(node: _Node) -> Any:
    if node.kind == "map":
        return {k: _plain(v) for k, v in node.value.items()}
    if node.kind == "seq":
        return [_plain(v) for v in node.value]
    return node.value


def _tag_text(tag: str) -> str:
    return "!!" + tag[len(_T) :] if tag.startswith(_T) else tag


class _Builder:
    """Turns a composed YAML node tree into :class:`_Node` s, collecting problems."""

    def __init__(self, loader: yaml.SafeLoader, file: str):
        self.loader = loader
        self.file = file
        self.problems: list[Problem] = []
        self.count = 0
        self.active: set[int] = set()

    def _problem(
        self, mark: Any, path: Sequence[str | int], message: str, suggestion: str | None = None
    ) -> None:
        line = mark.line + 1 if mark is not None else None
        col = mark.column + 1 if mark is not None else None
        self.problems.append(Problem(self.file, line, col, _fmt_path(path), message, suggestion))

    def _refuse(self, node: yaml.Node, path: Sequence[str | int], message: str) -> NoReturn:
        """Stop reading at once: a file this large or deep is refused whole."""
        mark = node.start_mark
        raise ScenarioError(
            [Problem(self.file, mark.line + 1, mark.column + 1, _fmt_path(path), message)]
        )

    def build(
        self, node: yaml.Node, path: tuple[str | int, ...] = (), key_mark: Any = None
    ) -> _Node:
        self.count += 1
        if self.count > MAX_NODES:
            self._refuse(
                node, path, f"too many values (over {MAX_NODES}, counting alias expansions)"
            )
        if len(path) > MAX_DEPTH or id(node) in self.active:
            self._refuse(node, path, "values nested too deeply (or a recursive alias)")
        mark = node.start_mark
        kl = key_mark.line + 1 if key_mark is not None else None
        kc = key_mark.column + 1 if key_mark is not None else None
        where = dict(
            file=self.file, line=mark.line + 1, col=mark.column + 1, key_line=kl, key_col=kc
        )
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                if node.tag != _T + "map":
                    self._problem(
                        mark,
                        path,
                        f"YAML tag {_tag_text(node.tag)!r} is not allowed: scenario files hold plain data only",
                    )
                return _Node("map", self._mapping(node, path), **where)
            if isinstance(node, yaml.SequenceNode):
                if node.tag != _T + "seq":
                    self._problem(
                        mark,
                        path,
                        f"YAML tag {_tag_text(node.tag)!r} is not allowed: scenario files hold plain data only",
                    )
                return _Node(
                    "seq", [self.build(n, path + (i,)) for i, n in enumerate(node.value)], **where
                )
            if node.tag not in _SCALAR_TAGS:
                self._problem(
                    mark,
                    path,
                    f"YAML tag {_tag_text(node.tag)!r} is not allowed: scenario files hold plain data only",
                )
                return _Node("scalar", node.value, **where)
            if node.tag == _T + "int" and node.style is None and _LEADING_ZERO.match(node.value):
                self._problem(mark, path, _leading_zero_message(node.value))
                return _Node("scalar", node.value, **where)
            try:
                value = self.loader.yaml_constructors[node.tag](self.loader, node)
            except (ValueError, yaml.YAMLError, OverflowError):
                value = node.value  # e.g. 2005-02-30: let validation say why
            if isinstance(value, _dt.datetime):
                value = (
                    value.date() if (value.hour, value.minute, value.second) == (0, 0, 0) else value
                )
            return _Node("scalar", value, **where)
        finally:
            self.active.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: tuple[str | int, ...]) -> dict[str, _Node]:
        merged: dict[str, _Node] = {}
        own: dict[str, _Node] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _T + "merge":  # YAML merge key "<<: *anchor"
                sources = (
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                )
                for src in sources:
                    built = self.build(src, path)
                    if built.kind != "map":
                        self._problem(
                            src.start_mark,
                            path,
                            "a '<<' merge needs a mapping (an anchored block of key: value lines)",
                        )
                        continue
                    for k, v in built.value.items():
                        merged.setdefault(k, v)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self._problem(
                    key_node.start_mark, path, "a key must be a plain name, not a list or mapping"
                )
                continue
            key = str(key_node.value)
            if key in own:
                self._problem(
                    key_node.start_mark,
                    path + (key,),
                    f"duplicate key {key!r} (first at line {first_line[key]})",
                )
                continue
            first_line[key] = key_node.start_mark.line + 1
            own[key] = self.build(value_node, path + (key,), key_node.start_mark)
        for k, v in merged.items():
            own.setdefault(k, v)
        return own


def _leading_zero_message(text: str) -> str:
    """Why ``0042`` is refused, and the two ways to write it."""
    sign = "-" if text.startswith("-") else ""
    digits = text.lstrip("+-")
    as_decimal = f"{sign}{int(digits)}"
    octal = ""
    if set(digits) <= set("01234567"):
        octal = f" (YAML 1.1 tools read it as the octal number {sign}{int(digits, 8)})"
    return (
        f"a number with a leading zero is ambiguous{octal}: write {as_decimal}, "
        f"or quote it ('{text}') if it is text"
    )


def _file_error(shown: str, message: str) -> ScenarioError:
    """A problem with the file as a whole (no line, column or field)."""
    return ScenarioError([Problem(shown, None, None, "", message)])


def _too_large(size: int | None = None) -> str:
    """Why a file over :data:`MAX_BYTES` is refused (with its size when known)."""
    given = f"{size} bytes; " if size is not None else ""
    return f"file is too large ({given}the limit is {MAX_BYTES} bytes, 2 MiB)"


def _read_file(path: Path, shown: str) -> str:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise _file_error(shown, "file not found") from None
    except OSError as exc:
        raise _file_error(shown, f"cannot read the file: {exc.strerror}") from None
    if path.is_dir():
        raise _file_error(shown, "is a folder, not a scenario file")
    if size > MAX_BYTES:
        raise _file_error(shown, _too_large(size))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _file_error(shown, f"cannot read the file: {exc.strerror}") from None
    return _decode(data, shown)


def _decode(data: bytes, shown: str) -> str:
    if len(data) > MAX_BYTES:
        raise _file_error(shown, _too_large(len(data)))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ScenarioError(
            [Problem(shown, line, None, "", "the file is not UTF-8 text")]
        ) from None


def _line_col(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of the character at ``position`` in ``text``."""
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


#: libyaml's composer (PyYAML's C extension), when PyYAML was built with it, reading
#: scalars by the same YAML 1.2 rules as :class:`_Yaml12Loader`.  Used only for the
#: shipped scenario files: libyaml's composer recurses in C with no depth check, so a
#: user's file always goes through :class:`_Yaml12Loader` (depth-checked, and its
#: messages for a file that is not a scenario).
_CSafeLoader = None
if getattr(yaml, "CSafeLoader", None) is not None:

    class _CYaml12Loader(yaml.CSafeLoader):  # type: ignore[misc, valid-type]
        pass

    _CYaml12Loader.yaml_implicit_resolvers = {
        k: list(v) for k, v in _Yaml12Loader.yaml_implicit_resolvers.items()
    }
    _CYaml12Loader.yaml_constructors = dict(_Yaml12Loader.yaml_constructors)
    _CSafeLoader = _CYaml12Loader


def _is_shipped(path: Path) -> bool:
    """Whether ``path`` lies in the package's own scenario folder (trusted input)."""
    try:
        return path.resolve().is_relative_to(_shipped._scenarios_root().resolve())
    except (OSError, ValueError):
        return False


def _parse_fast(text: str, shown: str) -> _Node | None:
    """:func:`_parse` with libyaml's composer (about 10x faster), or None.

    Gives the same node tree as the pure-Python composer (same tags, lines and
    columns); returns None when libyaml is not available or the file has any
    problem, so that :func:`_parse` reports it with PyYAML's messages.
    """
    if _CSafeLoader is None:
        return None
    tree = _parse_fast_cached(text, shown)
    # a copy: callers may change their tree (variants are merged into copies too)
    return _copy_tree(tree) if tree is not None else None


@functools.lru_cache(maxsize=8)
def _parse_fast_cached(text: str, shown: str) -> _Node | None:
    """:func:`_parse_fast` without the copy, remembered for the last few texts (a
    parent scenario is read once for all its variants, as by ``sixparty list``)."""
    loader = None
    try:
        loader = _CSafeLoader(text)
        root = loader.get_single_node()
        if root is None:
            return None
        builder = _Builder(loader, shown)
        tree = builder.build(root)
    except (yaml.YAMLError, ScenarioError):
        return None
    finally:
        if loader is not None:
            loader.dispose()
    return tree if not builder.problems and tree.kind == "map" else None


def _parse(text: str, shown: str, shipped: bool = False) -> _Node:
    """Compose ``text`` safely and return its root mapping as a :class:`_Node` tree.

    ``shipped``: the text is one of the package's own scenario files, which may be read
    with libyaml (:func:`_parse_fast`); anything else is read by the depth-checked
    pure-Python composer.
    """
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise _file_error(shown, _too_large())
    fast = _parse_fast(text, shown) if shipped else None
    if fast is not None:
        return fast
    loader = None
    try:
        # The reader checks every character here: a NUL or other control
        # character (a binary file) raises yaml.reader.ReaderError.
        loader = _Yaml12Loader(text)
        root = loader.get_single_node()
        if root is None:
            raise ScenarioError(
                [
                    Problem(
                        shown,
                        1,
                        1,
                        "",
                        "the file is empty: expected a scenario mapping (name:, description:, ...)",
                    )
                ]
            )
        if not isinstance(root, yaml.MappingNode):
            raise ScenarioError(
                [
                    Problem(
                        shown,
                        root.start_mark.line + 1,
                        root.start_mark.column + 1,
                        "",
                        "expected a mapping of scenario fields (name:, description:, "
                        "window:, ...) at the top level",
                    )
                ]
            )
        _check_is_scenario(root, shown)
        builder = _Builder(loader, shown)
        tree = builder.build(root)
    except _TooDeep as exc:
        raise ScenarioError(
            [
                Problem(
                    shown,
                    exc.mark.line + 1,
                    exc.mark.column + 1,
                    "",
                    f"values nested too deeply (more than {MAX_DEPTH} levels of lists and mappings; "
                    "a scenario needs fewer than 10)",
                )
            ]
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = _no_quotes(exc.problem or "invalid YAML")
        if exc.context:
            what = f"{what} ({_no_quotes(exc.context)}"
            if (
                exc.context_mark is not None
                and exc.problem_mark is not None
                and exc.context_mark.line != exc.problem_mark.line
            ):
                what += f" at line {exc.context_mark.line + 1}"
            what += ")"
        if "\\t" in what or "'\\t'" in what or "\t" in what:
            what += "; indent with spaces, not tabs"
        else:
            what += next((h for p, h in _YAML_HINTS if (exc.problem or "").startswith(p)), "")
        raise ScenarioError(
            [
                Problem(
                    shown,
                    mark.line + 1 if mark else None,
                    mark.column + 1 if mark else None,
                    "",
                    f"YAML syntax error: {what}",
                )
            ]
        ) from None
    except yaml.reader.ReaderError as exc:
        line, col = _line_col(text, exc.position)
        raise ScenarioError(
            [
                Problem(
                    shown,
                    line,
                    col,
                    "",
                    f"not a text YAML file: unacceptable character #x{exc.character:04X} "
                    f"at line {line}, column {col} (control characters are not allowed)",
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise _file_error(shown, f"YAML syntax error: {_no_quotes(str(exc))}") from None
    finally:
        if loader is not None:
            loader.dispose()
    if builder.problems:
        raise ScenarioError(builder.problems)
    return tree


#: What to do about PyYAML's commonest messages (problem text starts with -> hint):
#: they say what the parser met, not that an indent or a colon is off.
_YAML_HINTS = (
    (
        "mapping values are not allowed here",
        "; check the indentation of this line and the line above (a line indented deeper "
        "than the key above it is read as that key's value), and that a key has a space "
        "after its colon ('value: 0.3', not 'value:0.3'); a text holding ': ' needs quotes",
    ),
    (
        "expected <block end>",
        "; check the indentation of this line: the keys of one mapping (and the '-' of one "
        "list) start at the same column",
    ),
    (
        "could not find expected ':'",
        "; a line in a mapping needs 'key: value' (a space after the colon): check the "
        "lines from the one named at the end for a missing colon or an unclosed quote",
    ),
)

#: Every key a scenario file may have at its top level.
_TOP_KEYS = frozenset(Scenario.model_fields) | frozenset(VARIANT_KEYS) | frozenset(FILE_KEYS)
_QUOTED = re.compile(r"'((?:\\.|[^'\\])*)'")
_ONE_CHAR = re.compile(r"^(?:.|\\.|\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}|\\U[0-9a-fA-F]{8})$")


def _no_quotes(message: str) -> str:
    """A YAML parser message without the file's words.

    PyYAML quotes pieces of the file in some messages (an alias, anchor or
    tag handle name).  Those are dropped: the message may be about a file that
    is not a scenario file at all, whose text must not be echoed.  A single
    character (``'\\t'``) and token names (``'<block end>'``) stay.
    """

    def keep(m: re.Match[str]) -> str:
        inner = m.group(1)
        return m.group(0) if inner.startswith("<") or _ONE_CHAR.match(inner) else "(a name)"

    return _QUOTED.sub(keep, message)


def _check_is_scenario(root: yaml.MappingNode, shown: str) -> None:
    """Refuse a mapping none of whose top-level keys is a scenario field.

    Such a file (a configuration file, ``/etc/shadow`` read as YAML) is not a
    scenario: its keys are not listed back, so no message shows its content.
    """
    keys = [k.value for k, _ in root.value if isinstance(k, yaml.ScalarNode)]
    if any(k in _TOP_KEYS or k == "<<" for k in keys):
        return
    raise ScenarioError(
        [
            Problem(
                shown,
                root.start_mark.line + 1,
                root.start_mark.column + 1,
                "",
                "not a scenario file: none of its top-level keys is a scenario field (expected name:, "
                "description:, window:, issues:, parties:, ... or extends: for a variant)",
            )
        ]
    )


# ----------------------------------------------------------- finding files
def _shipped_lookup(name: str) -> Path | None:
    stem = name[:-5] if name.endswith(".yaml") else name[:-4] if name.endswith(".yml") else name
    stem = stem.replace("\\", "/").strip("/")
    table = dict(shipped_scenarios())
    if stem in table:
        return table[stem]
    if "/" not in stem and f"counterfactuals/{stem}" in table:
        return table[f"counterfactuals/{stem}"]
    return None


def find_scenario(name_or_path: str | os.PathLike[str]) -> Path:
    """Locate a scenario file.

    Returns ``name_or_path`` as a :class:`Path` if that file exists; else the
    shipped scenario of that name (``historical``,
    ``counterfactuals/no_bda_sanctions`` or ``no_bda_sanctions``), found
    through ``importlib.resources`` so an installed copy finds its data.
    Raises :class:`ScenarioError` (with the closest names as suggestion) if
    neither exists, or if the path is a folder; TypeError if ``name_or_path`` is not
    a str or path (a mapping: :func:`load_scenario_text` of its YAML dump).
    """
    if not isinstance(name_or_path, (str, os.PathLike)):
        kind = type(name_or_path).__name__
        if isinstance(name_or_path, dict):
            hint = (
                "; for a mapping use sixparty.load_scenario_text(yaml.safe_dump(mapping)), "
                "which checks it as a file is checked"
            )
        elif kind == "Scenario":
            hint = "; this is already a loaded Scenario: use it as it is"
        else:
            hint = ""
        raise TypeError(
            "a scenario must be given as a shipped scenario name (e.g. 'historical') or "
            f"the path of a YAML file, not {kind}{hint}"
        )
    text = os.fspath(name_or_path)
    p = Path(text)
    if p.is_file():
        return p
    if p.is_dir():
        raise ScenarioError([Problem(text, None, None, "", "is a folder, not a scenario file")])
    if p.exists():  # a device, socket or pipe: it exists, so "not found" would mislead
        raise ScenarioError(
            [Problem(text, None, None, "", "is not a regular file: give a .yaml scenario file")]
        )
    hit = _shipped_lookup(text)
    if hit is not None:
        return hit
    names = [n for n, _ in shipped_scenarios()]
    names += [n.split("/")[-1] for n in names if "/" in n]
    guess = _closest(p.stem if p.suffix in (".yaml", ".yml") else text, names)
    looks_like_path = p.suffix in (".yaml", ".yml") or "/" in text or os.sep in text
    if looks_like_path:
        msg = "file not found (and no shipped scenario has that name)"
    else:
        shown = ", ".join(n for n, _ in shipped_scenarios()) or "none installed"
        msg = f"no such file and no shipped scenario of that name (shipped: {shown})"
    raise ScenarioError([Problem(text, None, None, "", msg, guess)])


# -------------------------------------------------------- schema navigation
def _unwrap(ann: Any) -> tuple[Any, list[Any]]:
    meta: list[Any] = []
    while get_origin(ann) is Annotated:
        args = get_args(ann)
        ann = args[0]
        for m in args[1:]:
            meta.extend(getattr(m, "metadata", None) or [m])
    return ann, meta


def _is_union(ann: Any) -> bool:
    return get_origin(ann) in (Union, types.UnionType)


def _is_model(ann: Any) -> bool:
    return isinstance(ann, type) and issubclass(ann, BaseModel)


def _kind_of(model: type[BaseModel]) -> tuple[str, ...]:
    f = model.model_fields.get("kind")
    return tuple(get_args(f.annotation)) if f is not None else ()


def _resolve_loc(loc: Sequence[str | int]) -> tuple[Any, list[Any], str | None] | None:
    """Follow a pydantic ``loc`` through the Scenario types.

    Returns (annotation, constraint metadata, name of the last field) or None
    when the loc leaves the schema.  Discriminator tags in ``loc`` select the
    union member.
    """
    ann: Any = Scenario
    meta: list[Any] = []
    last: str | None = None
    i = 0
    while i < len(loc):
        elem = loc[i]
        ann, m = _unwrap(ann)
        meta = meta + m
        if _is_union(ann):
            members = [a for a in get_args(ann) if a is not type(None)]
            if len(members) == 1:
                ann = members[0]
                continue
            chosen = next(
                (
                    b
                    for b in (_unwrap(a)[0] for a in members)
                    if _is_model(b) and elem in _kind_of(b)
                ),
                None,
            )
            if chosen is None:
                return None
            ann, meta, i = chosen, [], i + 1
            continue
        if _is_model(ann):
            f = ann.model_fields.get(elem) if isinstance(elem, str) else None
            if f is None:
                return None
            ann, meta, last, i = f.annotation, list(f.metadata), elem, i + 1
            continue
        origin = get_origin(ann)
        if origin is dict:
            ann, meta, i = get_args(ann)[1], [], i + 1
            continue
        if origin is list:
            ann, meta, i = get_args(ann)[0], [], i + 1
            continue
        return None
    base, m = _unwrap(ann)
    if _is_union(base):
        members = [a for a in get_args(base) if a is not type(None)]
        if len(members) == 1:
            base, m2 = _unwrap(members[0])
            m = m + m2
    return base, meta + m, last


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _range_text(meta: list[Any], ctx: dict[str, Any], is_int: bool) -> str:
    lo = hi = None
    lo_open = hi_open = False
    for m in list(meta) + [type("C", (), ctx)()]:
        if getattr(m, "ge", None) is not None and lo is None:
            lo, lo_open = m.ge, False
        if getattr(m, "gt", None) is not None and lo is None:
            lo, lo_open = m.gt, True
        if getattr(m, "le", None) is not None and hi is None:
            hi, hi_open = m.le, False
        if getattr(m, "lt", None) is not None and hi is None:
            hi, hi_open = m.lt, True
    what = "a whole number" if is_int else "a number"
    if lo is not None and hi is not None:
        hi_txt = f"2**{int(hi).bit_length() - 1}" if hi >= 2**32 else _num(hi)
        return f"{what} in {'(' if lo_open else '['}{_num(lo)}, {hi_txt}{')' if hi_open else ']'}"
    if lo is not None:
        return f"{what} {'>' if lo_open else '>='} {_num(lo)}"
    if hi is not None:
        return f"{what} {'<' if hi_open else '<='} {_num(hi)}"
    return what


# --------------------------------------------------- pydantic → plain English
def _got(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return repr(value) if value else "an empty text"
    return repr(value)


_EXPECT = {
    "float_type": "a number",
    "float_parsing": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "text",
    "dict_type": "a mapping (key: value lines)",
    "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
    "list_type": "a list (lines starting with '- ')",
    "none_required": "nothing (null)",
    "finite_number": "a finite number",
}

#: ``1:30`` - a YAML 1.1 base-60 number, text in YAML 1.2.
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")

_PATH_PREFIX = re.compile(r"^((?:[A-Za-z_]\w*|\[\d+\])(?:\.[A-Za-z_]\w*|\[\d+\])*): (.*)$", re.S)
_UNKNOWN_NAME = re.compile(r"^unknown (issue|party) '([^']*)'; expected one of (.*)$", re.S)
_ONE_OF = re.compile(r"'([^']*)'; expected one of ([\w, ]+)$", re.S)


def _parse_path(text: str) -> list[str | int]:
    out: list[str | int] = []
    for name, idx in re.findall(r"([A-Za-z_]\w*)|\[(\d+)\]", text):
        out.append(name if name else int(idx))
    return out


@dataclass
class _Where:
    node: _Node | None
    names: list[str | int]  # display path (discriminator tags dropped)
    rest: list[str | int]  # loc elements not found in the tree
    parents: list[_Node] = field(default_factory=list)


def _walk(root: _Node, loc: Sequence[str | int]) -> _Where:
    node = root
    names: list[str | int] = []
    parents: list[_Node] = [root]
    for i, elem in enumerate(loc):
        nxt = None
        if node.kind == "map" and isinstance(elem, str):
            nxt = node.value.get(elem)
            if nxt is None and node.scalar("kind") == elem:
                continue  # discriminator tag added by pydantic
        elif node.kind == "seq" and isinstance(elem, int) and 0 <= elem < len(node.value):
            nxt = node.value[elem]
        if nxt is None:
            return _Where(None, names, list(loc[i:]), parents)
        names.append(elem)
        if nxt.origin is not None:  # an added event: the user's path, not the merged one
            names = list(nxt.origin)
        node = nxt
        parents.append(node)
    return _Where(node, names, [], parents)


def _problem_at(
    where: _Where,
    message: str,
    *,
    suggestion: str | None = None,
    at_key: bool = False,
    extra: Sequence[str | int] = (),
) -> Problem:
    node = where.node if where.node is not None else where.parents[-1]
    if where.node is None or at_key or node.kind != "scalar":
        line, col = node.at_key()
    else:
        line, col = node.line, node.col
    path = list(where.names) + [r for r in where.rest if r != "[key]"] + list(extra)
    return Problem(node.file, line, col, _fmt_path(path), message, suggestion)


def _translate_one(err: dict[str, Any], root: _Node) -> Problem:
    typ: str = err["type"]
    loc = tuple(err["loc"])
    ctx = err.get("ctx") or {}
    inp = err.get("input")
    msg: str = err["msg"]

    if typ == "value_error" or typ == "assertion_error":
        msg = re.sub(r"^(Value error|Assertion failed), ", "", msg)
        m = _PATH_PREFIX.match(msg)
        if m:  # model-level cross-checks: "events[3].date: ..."
            loc = loc + tuple(_parse_path(m.group(1)))
            msg = m.group(2)
        where = _walk(root, loc)
        u = _UNKNOWN_NAME.match(msg)
        if u:
            what, bad, allowed = u.group(1), u.group(2), u.group(3)
            cands = ISSUES if what == "issue" else PARTIES
            guess = _closest(bad, cands)
            sub = _walk(root, loc + (bad,))
            text = f"unknown {what} {bad!r}" + ("" if guess else f"; expected one of {allowed}")
            if sub.node is not None:
                return _problem_at(sub, text, suggestion=guess, at_key=True)
            return _problem_at(where, text, suggestion=guess, extra=(bad,))
        if msg.startswith("duplicate event id") and where.node is not None:
            first = _first_event_line(root, where.node.value, where.node)
            if first is not None:
                # the first may be in the file extended (an add_events id already there):
                # name that file, as the window check does
                of = "" if first.file == where.node.file else f" of {_display(first.file)}"
                msg += f" (first at line {first.line}{of})"
        if (msg.startswith("expected a") or msg.startswith("not a real date")) and (
            ", got " not in msg
        ):
            msg += f", got {_got(inp)}"
        guess = None
        one = _ONE_OF.search(msg)
        if one:
            guess = _closest(one.group(1), [s.strip() for s in one.group(2).split(",")])
            if guess:
                msg = msg[: one.start(2) - len("; expected one of ")].rstrip()
        return _problem_at(where, msg, suggestion=guess)

    where = _walk(root, loc)

    if typ == "missing":
        return _problem_at(where, "required field is missing", at_key=True)

    if typ == "extra_forbidden":
        parent_loc = loc[:-1]
        bad = loc[-1]
        res = _resolve_loc(parent_loc)
        allowed: tuple[str, ...] = ()
        if res is not None and _is_model(res[0]):
            allowed = tuple(res[0].model_fields)
        elif res is not None and res[2] in _KEY_DOMAINS:
            allowed = _KEY_DOMAINS[res[2]]
        if not parent_loc:
            # every key a file may have: a variant's too (extends:, overrides:, ...)
            allowed = tuple(Scenario.model_fields) + VARIANT_KEYS + FILE_KEYS
        guess = _closest(bad, allowed)
        text = f"unknown key {bad!r}"
        if bad in VARIANT_KEYS and not parent_loc:
            text = f"{bad!r} is only allowed in a file that says 'extends:'"
        elif not guess and allowed:
            text += f"; allowed keys: {', '.join(allowed)}"
        return _problem_at(where, text, suggestion=guess, at_key=True)

    if typ in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        res = _resolve_loc(loc)
        meta = res[1] if res else []
        is_int = bool(res and res[0] is int)
        return _problem_at(where, f"expected {_range_text(meta, ctx, is_int)}, got {_got(inp)}")

    if typ == "literal_error":
        allowed = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        guess = _closest(inp, allowed)
        what = (
            "party"
            if set(allowed) == set(PARTIES)
            else "issue"
            if set(allowed) == set(ISSUES)
            else None
        )
        if what and isinstance(inp, str):
            text = f"unknown {what} {inp!r}" + (
                "" if guess else f"; expected one of {', '.join(allowed)}"
            )
        else:
            text = f"expected one of {', '.join(allowed)}; got {_got(inp)}"
        return _problem_at(where, text, suggestion=guess)

    if typ == "union_tag_invalid":
        allowed = re.findall(r"'([^']*)'", str(ctx.get("expected_tags", "")))
        disc = str(ctx.get("discriminator", "'kind'")).strip("'")
        tag = ctx.get("tag")
        guess = _closest(tag, allowed)
        sub = _walk(root, loc + (disc,))
        text = f"unknown {disc} {tag!r}" + (
            "" if guess else f"; expected one of {', '.join(allowed)}"
        )
        return _problem_at(sub if sub.node is not None else where, text, suggestion=guess)

    if typ == "union_tag_not_found":
        disc = str(ctx.get("discriminator", "'kind'")).strip("'")
        res = _resolve_loc(loc[:-1] + (0,)) if loc else None
        kinds: list[str] = []
        if res is not None and _is_union(res[0]):
            for a in get_args(res[0]):
                kinds.extend(_kind_of(_unwrap(a)[0]))
        text = f"missing {disc!r}" + (
            f": say which kind of effect, one of {', '.join(kinds)}" if kinds else ""
        )
        # 'type: sanctions' for 'kind: sanctions' (an unknown key whose value is a
        # kind, or a near-miss of the key): name the key the user wrote
        known: set[str] = {disc}
        if res is not None and _is_union(res[0]):
            for a in get_args(res[0]):
                m = _unwrap(a)[0]
                if _is_model(m):
                    known.update(m.model_fields)
        node = where.node
        if node is not None and node.kind == "map":
            for key in node.value:
                said = node.value[key]
                names_a_kind = said.kind == "scalar" and said.value in kinds
                if key not in known and (names_a_kind or _closest(key, [disc])):
                    sub = _walk(root, loc + (key,))
                    return _problem_at(
                        sub,
                        f"unknown key {key!r}; an effect names its kind under {disc!r}"
                        + (f", one of {', '.join(kinds)}" if kinds else ""),
                        suggestion=disc,
                        at_key=True,
                    )
        return _problem_at(where, text, at_key=True)

    if typ == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        if pattern == r"^[a-z0-9_]+$":
            text = "expected lowercase letters, digits and '_' only (e.g. bda_freeze)"
        elif pattern == NAME_PATTERN:
            text = "expected letters, digits, '_', '.' or '-' only (no spaces)"
        else:
            text = f"does not match the pattern {pattern}"
        return _problem_at(where, f"{text}, got {_got(inp)}")

    if typ in _EXPECT:
        text = f"expected {_EXPECT[typ]}, got {_got(inp)}"
        if typ == "string_type" and isinstance(inp, (int, float, _dt.date, bool)):
            text += " (put it in quotes)"
        if (
            typ in ("int_parsing", "float_parsing")
            and isinstance(inp, str)
            and _SEXAGESIMAL.match(inp)
        ):
            text += (
                " (write the number itself: YAML 1.1 tools read a:b as a base-60 number, "
                "this reader takes it as text)"
            )
        if typ == "finite_number":
            text += " (.inf and .nan are not allowed: write a finite number)"
        if typ == "bool_parsing" or typ == "bool_type":
            text = f"expected true or false, got {_got(inp)}"
        if typ in ("model_type", "model_attributes_type", "dict_type") and isinstance(
            inp, (int, float)
        ):
            # a number where a sourced value belongs (capability, resolve, ...): the
            # number goes under its 'value:' with the source beside it
            res = _resolve_loc(loc)
            if res is not None and _is_model(res[0]) and "value" in res[0].model_fields:
                text += (
                    f" (a number goes under its value: key, beside its source: "
                    f"{_fmt_path(list(where.names) + ['value'])}: {inp})"
                )
        return _problem_at(where, text, at_key=typ in ("missing",))

    # anything else: pydantic's words without its jargon
    text = msg.replace("Input should be", "expected").replace("Input", "value")
    text = text[0].lower() + text[1:] if text else "invalid value"
    if "got" not in text:
        text += f", got {_got(inp)}"
    return _problem_at(where, text)


def _first_event_line(root: _Node, event_id: Any, dup: _Node) -> _Node | None:
    """The ``id`` node of the first event with ``event_id`` other than ``dup`` (its
    ``file`` and ``line`` say where), or None."""
    events = root.get("events")
    if events is None or events.kind != "seq":
        return None
    for ev in events.value:
        idn = ev.get("id")
        if idn is not None and idn.value == event_id and idn is not dup:
            return idn
    return None


def _translate(exc: ValidationError, root: _Node) -> list[Problem]:
    errors = exc.errors(include_url=False)
    # Group union-member errors (loc ends with a member name like 'float').
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    order: list[tuple[Any, ...]] = []
    for err in errors:
        loc = tuple(err["loc"])
        key = loc
        if err["type"] in _EXPECT and loc and loc[-1] in ("float", "bool", "str", "int", "none"):
            w = _walk(root, loc)
            if w.node is None and w.rest == [loc[-1]]:
                key = loc[:-1] + ("<union>",)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(err)
    problems: list[Problem] = []
    for key in order:
        errs = groups[key]
        if key and key[-1] == "<union>":
            expected = []
            for e in errs:
                phrase = _EXPECT[e["type"]]
                if phrase not in expected:
                    expected.append(phrase)
            loc = key[:-1]
            where = _walk(root, loc)
            if len(expected) > 2:
                text = "expected " + ", ".join(expected[:-1]) + ", or " + expected[-1]
            else:
                text = "expected " + " or ".join(expected)
            problems.append(_problem_at(where, f"{text}, got {_got(errs[0].get('input'))}"))
        else:
            problems.extend(_translate_one(e, root) for e in errs)
    # A misspelt key also shows up as a missing field: keep the unknown-key line only.
    suggested = {
        (p.file, p.path.rsplit(".", 1)[0] if "." in p.path else "", p.suggestion)
        for p in problems
        if p.message.startswith("unknown key") and p.suggestion
    }
    out: list[Problem] = []
    seen: set[tuple[Any, ...]] = set()
    for p in problems:
        if p.message == "required field is missing":
            parent, _, name = p.path.rpartition(".")
            if any(s[1] == parent and s[2] == name for s in suggested):
                continue
        ident = (p.file, p.line, p.column, p.path, p.message)
        if ident not in seen:
            seen.add(ident)
            out.append(p)
    out.sort(key=lambda p: (p.file, p.line or 0, p.column or 0))
    return out


def _validate(tree: _Node) -> Scenario:
    try:
        # A scenario file: the cross-checks meant for users' input apply
        # (sixparty.scenario.Parameters.ORDERED).
        return Scenario.model_validate(_plain(tree), context={"scenario_file": True})
    except ValidationError as exc:
        problems = _collapse_inherited_window(_translate(exc, tree), tree)
        raise ScenarioError(_drop_migrated_twins(problems)) from None


def _drop_migrated_twins(problems: list[Problem]) -> list[Problem]:
    """An eight-issue file's bad ``denuclearization`` value is copied to ``sequence``
    (:func:`_migrate_eight_issues`) with the same file, line and column: report it
    once, at the path the user wrote."""
    seen = {(p.file, p.line, p.column, p.path, p.message) for p in problems}
    out = []
    for p in problems:
        twin = re.sub(rf"\b{_NEW_ISSUE}\b", _OLD_ISSUE, p.path)
        if twin != p.path and (p.file, p.line, p.column, twin, p.message) in seen:
            continue
        out.append(p)
    return out


_OUTSIDE_WINDOW = "is outside the scenario window"


def _collapse_inherited_window(problems: list[Problem], tree: _Node) -> list[Problem]:
    """A variant that moves the window (``overrides: window.start: …``) leaves its
    parent's dated events and invitations outside it: one problem at the variant's
    window line, naming them and the way out, instead of one per parent line."""
    win = tree.get("window")
    set_here = [
        (k, n)
        for k in ("start", "end")
        if win is not None and win.kind == "map" and (n := win.get(k)) is not None
    ]
    outside = [p for p in problems if _OUTSIDE_WINDOW in p.message]
    if not outside or not set_here:
        return problems
    # a window bound the user's file set (overrides), and items of a parent file
    mine = [(k, n) for k, n in set_here if n.file == tree.file]
    inherited = [p for p in outside if p.file != tree.file]
    if not mine or not inherited:
        return problems
    key, node = mine[0]
    events = tree.get("events")
    ids = []
    for p in inherited:
        m = re.match(r"events\[(\d+)\]\.date$", p.path)
        if m and events is not None and events.kind == "seq":
            ev = events.value[int(m.group(1))]
            if ev.kind == "map" and isinstance(ev.scalar("id"), str):
                ids.append(ev.scalar("id"))
    n_inv = sum(p.path.startswith("invitations[") for p in inherited)
    window = inherited[0].message.split(_OUTSIDE_WINDOW, 1)[1].strip()
    what = []
    if ids:
        what.append(
            f"{len(ids)} event{'s' * (len(ids) != 1)} "
            f"({', '.join(ids[:3])}{', ...' if len(ids) > 3 else ''})"
        )
    if n_inv:
        what.append(f"{n_inv} invitation{'s' * (n_inv != 1)}")
    ways = []
    if ids:
        ways.append(f"drop the events with remove_events: [{', '.join(ids)}]")
    if n_inv:
        ways.append("give the invitations again in overrides: invitations: [...]")
    text = (
        f"the window {window} leaves {' and '.join(what) or f'{len(inherited)} dated items'} "
        f"of {_display(inherited[0].file)} outside it (first at line {inherited[0].line}); "
        + (
            "; ".join(ways) + ", or choose a window that holds them"
            if ways
            else "choose a window that holds them"
        )
    )
    line, col = node.line, node.col
    collapsed = Problem(node.file, line, col, f"window.{key}", text)
    return [p for p in problems if p not in inherited] + [collapsed]


# ----------------------------------------------------------------- extends
#: How alike (difflib ratio) a missing parent's name and a file or shipped name must be
#: to be suggested: names share their ``.yaml`` and often a prefix, so the keys'
#: default (0.6) offered unrelated files ('missing.yaml' -> 'list.yaml').
_PARENT_CUTOFF = 0.75


def _closest_parent(ref: str, names: Iterable[str]) -> str | None:
    """The name in ``names`` (shipped scenario names, ``.yaml``/``.yml`` file names)
    that the missing parent ``ref`` probably meant, or None: compared without a
    leading ``./``, without the suffix and case, at :data:`_PARENT_CUTOFF`."""

    def bare(n: str) -> str:
        n = n[2:] if n.startswith("./") else n
        return (n.rsplit(".", 1)[0] if n.endswith((".yaml", ".yml")) else n).casefold()

    by_bare: dict[str, str] = {}
    for n in names:
        by_bare.setdefault(bare(n), n)
    key = bare(ref)
    if key in by_bare:  # 'parent' for parent.yml, or 'parent.yaml' for parent.yml
        return by_bare[key] if by_bare[key] != ref else None
    hit = _closest(key, list(by_bare), cutoff=_PARENT_CUTOFF)
    return by_bare[hit] if hit is not None else None


def _resolve_parent(ref_node: _Node, child: Path) -> Path:
    ref = ref_node.value
    if ref_node.kind != "scalar" or not isinstance(ref, str) or not ref.strip():
        raise ScenarioError(
            [
                Problem(
                    ref_node.file,
                    ref_node.line,
                    ref_node.col,
                    "extends",
                    f"expected a scenario name or a path relative to this file, got {_got(_plain(ref_node))}",
                )
            ]
        )
    ref = ref.strip()
    base = child.parent / ref
    if base.suffix in (".yaml", ".yml"):
        candidates = [base]
    else:
        candidates = [base.with_name(base.name + ".yaml")]
        if base.is_file() and _shipped_lookup(ref) is None:
            # Only .yaml/.yml files are read as parents, so that pointing extends:
            # at any other file (a key, a password file) never shows its lines.
            raise ScenarioError(
                [
                    Problem(
                        ref_node.file,
                        ref_node.line,
                        ref_node.col,
                        "extends",
                        f"{ref!r} is not a scenario file: a parent must be a shipped "
                        "scenario name or a .yaml/.yml file",
                    )
                ]
            )
    for c in candidates:
        if c.is_file():
            return c.resolve()
    hit = _shipped_lookup(ref)
    if hit is not None:
        return hit.resolve()
    names = [n for n, _ in shipped_scenarios()]
    names += [n.split("/")[-1] for n in names if "/" in n]
    # the files of the folder the reference points into ('../p_none.yaml' for
    # '../p_nne.yaml'), named as the reference would name them
    folder, prefix = base.parent, ref[: ref.rfind("/") + 1]
    if folder.is_dir():
        names += [prefix + p.name for p in folder.iterdir() if p.suffix in (".yaml", ".yml")]
    guess = _closest_parent(ref, names)
    raise ScenarioError(
        [
            Problem(
                ref_node.file,
                ref_node.line,
                ref_node.col,
                "extends",
                f"parent scenario {ref!r} not found (no file {_display(candidates[-1])} "
                f"and no shipped scenario of that name)",
                guess,
            )
        ]
    )


def _merge(parent: _Node, child: _Node, top: bool = False) -> _Node:
    if parent.kind != "map" or child.kind != "map":
        return child
    out = dict(parent.value)
    for key, cv in child.value.items():
        pv = out.get(key)
        if top and key == "events" and pv is not None and pv.kind == "seq" and cv.kind == "seq":
            out[key] = _merge_events(pv, cv.value, cv)
        elif pv is not None and pv.kind == "map" and cv.kind == "map":
            out[key] = _merge(pv, cv)
        else:
            out[key] = cv
    return _Node("map", out, child.file, child.line, child.col, child.key_line, child.key_col)


def _event_id(node: _Node) -> Any:
    return node.scalar("id") if node.kind == "map" else None


def _merge_events(parent: _Node, items: list[_Node], holder: _Node) -> _Node:
    merged = list(parent.value)
    index = {_event_id(ev): i for i, ev in enumerate(merged) if _event_id(ev) is not None}
    for j, ev in enumerate(items):
        ev.origin = ("events", j)  # the variant's own list, not the merged one
        eid = _event_id(ev)
        if eid is not None and eid in index:
            merged[index[eid]] = ev
        else:
            if eid is not None:
                index[eid] = len(merged)
            merged.append(ev)
    return _Node(
        "seq", merged, holder.file, holder.line, holder.col, holder.key_line, holder.key_col
    )


def _split_override(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for piece in path.split("."):
        m = re.fullmatch(r"([^\[\]]*)((?:\[\d+\])*)", piece)
        if not m or (not m.group(1) and not m.group(2)):
            return []
        if m.group(1):
            parts.append(int(m.group(1)) if m.group(1).isdigit() else m.group(1))
        parts.extend(int(i) for i in re.findall(r"\[(\d+)\]", m.group(2)))
    return parts


def _schema_child(
    ann: Any, seg: str | int, data: _Node | None, last_field: str | None
) -> tuple[bool, Any, list[str]]:
    """Can ``seg`` follow ``data`` (whose type is ``ann``)? Returns (ok, child annotation, allowed names)."""
    ann, _ = _unwrap(ann)
    if _is_union(ann):
        members = [_unwrap(a)[0] for a in get_args(ann) if a is not type(None)]
        models = [m for m in members if _is_model(m)]
        kind = data.scalar("kind") if data is not None else None
        chosen = next((m for m in models if kind in _kind_of(m)), None)
        if chosen is None and len(members) == 1:
            chosen = members[0]
        if chosen is None:
            return (False, None, [])
        ann = chosen
    if _is_model(ann):
        fields = list(ann.model_fields)
        if isinstance(seg, str) and seg in ann.model_fields:
            return True, ann.model_fields[seg].annotation, fields
        return False, None, fields
    origin = get_origin(ann)
    if origin is dict:
        domain = list(_KEY_DOMAINS.get(last_field or "", ()))
        if isinstance(seg, str) and (not domain or seg in domain):
            return True, get_args(ann)[1], domain
        return False, None, domain
    if origin is list:
        return data is not None, get_args(ann)[0], []
    return False, None, []


def _apply_override(
    root: _Node, key: str, key_node_line: tuple[int, int], value: _Node, file: str
) -> Problem | None:
    parts = _split_override(key)
    line, col = key_node_line
    if not parts:
        return Problem(
            file,
            line,
            col,
            "overrides",
            f"{key!r} is not a dotted path like parties.US.strategy.direct_talks",
        )
    node: _Node = root
    ann: Any = Scenario
    last_field: str | None = None
    for i, seg in enumerate(parts):
        here = _fmt_path(parts[:i]) or "the top level"
        is_last = i == len(parts) - 1
        child: _Node | None = None
        ok, child_ann, allowed = False, None, []
        if node.kind == "seq":
            items = node.value
            if isinstance(seg, int):
                if 0 <= seg < len(items):
                    child = items[seg]
                    ok, child_ann = True, _schema_child(ann, 0, node, last_field)[1]
                else:
                    return Problem(
                        file,
                        line,
                        col,
                        f"overrides.{key}",
                        f"{here} has {len(items)} item(s); there is no [{seg}]",
                    )
            else:
                ids = [_event_id(it) for it in items]
                if seg in ids:
                    child = items[ids.index(seg)]
                    ok, child_ann = True, _schema_child(ann, 0, node, last_field)[1]
                else:
                    guess = _closest(seg, [x for x in ids if isinstance(x, str)])
                    return Problem(
                        file,
                        line,
                        col,
                        f"overrides.{key}",
                        f"no item with id {seg!r} in {here}",
                        _fmt_path(parts[:i] + [guess] + parts[i + 1 :]) if guess else None,
                    )
        elif node.kind == "map":
            child = node.value.get(seg) if isinstance(seg, str) else None
            ok, child_ann, allowed = _schema_child(ann, seg, node, last_field)
            if not ok and child is None:
                names = list(dict.fromkeys(list(node.value) + list(allowed)))
                guess = _closest(seg, names)
                return Problem(
                    file,
                    line,
                    col,
                    f"overrides.{key}",
                    f"no field {seg!r} in {here}",
                    _fmt_path(parts[:i] + [guess] + parts[i + 1 :]) if guess else None,
                )
        else:
            return Problem(
                file, line, col, f"overrides.{key}", f"{here} is a single value, it has no {seg!r}"
            )
        if is_last:
            placed = _Node(value.kind, value.value, value.file, value.line, value.col, line, col)
            if node.kind == "seq":
                node.value[node.value.index(child)] = placed
            else:
                node.value[seg] = placed
            return None
        if child is None:
            child = _Node("map", {}, file, line, col, line, col)
            node.value[seg] = child
        if isinstance(seg, str) and node.kind == "map":
            last_field = seg
        node, ann = child, child_ann
    return None


def _copy_tree(node: _Node) -> _Node:
    if node.kind == "map":
        val: Any = {k: _copy_tree(v) for k, v in node.value.items()}
    elif node.kind == "seq":
        val = [_copy_tree(v) for v in node.value]
    else:
        val = node.value
    return _Node(
        node.kind, val, node.file, node.line, node.col, node.key_line, node.key_col, node.origin
    )


def _load_tree(path: Path, text: str | None, shown: str, chain: list[Path]) -> _Node:
    """Parse ``path`` (or ``text``), apply ``extends:`` recursively; return the merged tree."""
    shipped = text is None and _is_shipped(path)
    if text is None:
        text = _read_file(path, shown)
    tree = _parse(text, shown, shipped)
    _read_format(tree, shown)
    ext = tree.get("extends")
    if ext is None:
        # 'extend: historical' is a variant with a typo, not a scenario missing its
        # parties: say that first, instead of the missing fields it would cause
        near = [
            k
            for k in tree.value
            if isinstance(k, str) and k not in _TOP_KEYS and _closest(k, ["extends"])
        ]
        problems: list[Problem] = []
        if near:
            line, col = tree.value[near[0]].at_key()
            msg = f"unknown key {near[0]!r} (a variant names its parent with 'extends:')"
            problems.append(Problem(shown, line, col, near[0], msg, "extends"))
        present = [k for k in VARIANT_KEYS if k in tree.value]
        if present or problems:
            # 'Extends:' (or 'EXTENDS:') is the line the user meant: say so
            miscased = [k for k in tree.value if isinstance(k, str) and k.lower() == "extends"]
            for k in present:
                n = tree.value[k]
                line, col = n.at_key()
                msg = f"{k!r} is only allowed in a file that says 'extends:'"
                if miscased:
                    msg += f" (this file says {miscased[0] + ':'!r}; keys are lower case)"
                problems.append(Problem(shown, line, col, k, msg))
            raise ScenarioError(problems)
        return tree
    me = path.resolve()
    parent_path = _resolve_parent(ext, path)
    seen = chain + [me]
    if parent_path in seen:
        loop = seen + [parent_path]
        raise ScenarioError(
            [
                Problem(
                    shown,
                    ext.line,
                    ext.col,
                    "extends",
                    "cycle of extends: " + " -> ".join(_display(p) for p in loop),
                )
            ]
        )
    parent = _load_tree(parent_path, None, _display(parent_path), seen)
    return _apply_variant(parent, tree, path, shown)


# ------------------------------------------------- eight-issue files (migration)
#: The issue that split in two (docs/model.md §3.14): before 2026-12-03 one scale,
#: ``denuclearization`` (0 "freeze for compensation, phased and simultaneous", 1 "CVID
#: first"), said both *what* the DPRK gives up and *when*, against the rewards.
_OLD_ISSUE = "denuclearization"
#: The issue added by the split (appended last in :data:`ISSUES`).
_NEW_ISSUE = "sequence"
#: Mappings keyed by issue: the field name that holds them -> the field above it
#: (``"*"``: any; the top-level ``issues:`` is matched on its own).
_ISSUE_KEYED = {"initial": "*", "positions": "stated_positions", "terms": "phases"}
#: Effects that name an issue and are copied whole (a counterpart step is not: it
#: would be owed twice; it stays on the scope).
_ISSUE_EFFECTS = ("position", "salience")


class EightIssueScenario(UserWarning):
    """A scenario file written before the ninth issue (``sequence``) was read
    with its ``denuclearization`` values on both scales (:func:`eight_issue_note`)."""


def eight_issue_note(shown: str, copied: Sequence[str] = ()) -> str:
    """The one-line note for an eight-issue file ``shown`` (the CLI prints it as
    ``sixparty: note: ...``; the API raises it as an :class:`EightIssueScenario`
    warning): what was copied (``copied``, the field paths given a ``sequence``
    entry, as :func:`_migrate_eight_issues` returns them; the first three named) and
    how to say the file is a nine-issue one (``format_version: 2``)."""
    what = ""
    if copied:
        named = ", ".join(copied[:3])
        more = f" and {len(copied) - 3} more" if len(copied) > 3 else ""
        what = f" ({named}{more})"
    return (
        f"{shown} is read as an eight-issue scenario (it sets {_OLD_ISSUE} but never "
        f"{_NEW_ISSUE}, as files did before the two denuclearization scales): each "
        f"{_OLD_ISSUE} value it sets is also given to {_NEW_ISSUE}{what}; if it was "
        f"written for the nine issues, add `format_version: {FORMAT_VERSION}` at its top "
        f"to read it as written (or give `{_NEW_ISSUE}:` values yourself)"
    )


def _read_format(tree: _Node, shown: str) -> None:
    """Read and remove one file's ``format_version:`` (:data:`FILE_KEYS`), then migrate
    the file in place if it is an eight-issue one: version 1, or no version and
    nothing said on ``sequence`` (:func:`_migrate_eight_issues`; a note if the version
    was not given).  Raises :class:`ScenarioError` for a version other than
    :data:`FORMAT_VERSIONS`, or a version-1 file that names ``sequence``."""
    node = tree.value.pop("format_version", None) if tree.kind == "map" else None

    def refuse(line: int, col: int, message: str) -> None:
        raise ScenarioError([Problem(shown, line, col, "format_version", message)])

    version = None
    if node is not None:
        version = node.value if node.kind == "scalar" else None
        # a whole number: 2.0 equals 2 in Python but is not what the schema says
        if type(version) is not int or version not in FORMAT_VERSIONS:
            refuse(
                node.line,
                node.col,
                f"expected {FORMAT_VERSION} (the nine issues) or 1 (the eight issues "
                f"of files written before 2026-12-03), got {_got(_plain(node))}",
            )
        if version == FORMAT_VERSION:
            return
        if _names_sequence(tree):
            refuse(
                *node.at_key(),
                f"a format_version 1 file has no {_NEW_ISSUE} issue (its "
                f"{_OLD_ISSUE} values are read on both scales), but this one names "
                f"{_NEW_ISSUE}: write format_version: {FORMAT_VERSION}",
            )
    copied = _migrate_eight_issues(tree)
    if copied and version is None and not _misspells_format_version(tree):
        warnings.warn(EightIssueScenario(eight_issue_note(shown, copied)), stacklevel=_warn_level())


def _misspells_format_version(tree: _Node) -> bool:
    """Whether a top-level key is a misspelling of ``format_version`` (the unknown-key
    error that follows says so; a note asking to add the key would contradict it)."""
    keys = [k for k in tree.value if isinstance(k, str)] if tree.kind == "map" else []
    return bool(difflib.get_close_matches("format_version", keys, n=1, cutoff=0.75))


def _warn_level() -> int:
    """``stacklevel`` pointing a warning at the first frame outside this module."""
    import sys

    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame, level = frame.f_back, level + 1
    return level


def _names_sequence(node: _Node, where: tuple[str, ...] = ()) -> bool:
    """Whether a file's tree says anything on the ``sequence`` issue: a key
    ``sequence`` anywhere, an ``issue: sequence``, or an override path through it."""
    if node.kind == "map":
        for key, child in node.value.items():
            if key == _NEW_ISSUE:
                return True
            if key == "issue" and child.kind == "scalar" and child.value == _NEW_ISSUE:
                return True
            if where == ("overrides",) and _NEW_ISSUE in _split_override(key):
                return True
            if _names_sequence(child, where + (key,)):
                return True
    elif node.kind == "seq":
        return any(_names_sequence(item, where) for item in node.value)
    return False


def _copy_old_issue(node: _Node, where: tuple[str, ...]) -> list[str]:
    """Give every issue-keyed mapping and position/salience effect under ``node``
    (at field path ``where``, list indices left out) a ``sequence`` copy of its
    ``denuclearization`` entry; the field paths given one (``parties.DPRK.initial.sequence``,
    ``events.ID.effects (position, US)``), in file order."""
    copied: list[str] = []
    if node.kind == "map":
        last = where[-1] if where else None
        above = where[-2] if len(where) >= 2 else None
        keyed = where == ("issues",) or (
            last in _ISSUE_KEYED and _ISSUE_KEYED[last] in ("*", above)
        )
        if keyed and _OLD_ISSUE in node.value and _NEW_ISSUE not in node.value:
            node.value[_NEW_ISSUE] = _copy_tree(node.value[_OLD_ISSUE])
            copied.append(".".join(where + (_NEW_ISSUE,)))
        for key, child in list(node.value.items()):
            if not (keyed and key == _NEW_ISSUE):
                copied += _copy_old_issue(child, where + (key,))
    elif node.kind == "seq":
        items = node.value
        if where and where[-1] == "effects":
            i = 0
            while i < len(items):
                eff = items[i]
                if (
                    eff.kind == "map"
                    and eff.scalar("kind") in _ISSUE_EFFECTS
                    and eff.scalar("issue") == _OLD_ISSUE
                ):
                    twin = _copy_tree(eff)
                    old = twin.value["issue"]
                    twin.value["issue"] = _Node(
                        "scalar", _NEW_ISSUE, old.file, old.line, old.col, old.key_line, old.key_col
                    )
                    items.insert(i + 1, twin)
                    who = eff.scalar("party")
                    copied.append(
                        f"{'.'.join(where)} ({eff.scalar('kind')}"
                        + (f", {who}" if isinstance(who, str) else "")
                        + f", {_NEW_ISSUE})"
                    )
                    i += 1
                i += 1
        for item in items:
            copied += _copy_old_issue(item, where)
    return copied


def _migrate_eight_issues(tree: _Node) -> list[str]:
    """Read one file's own tree (before ``extends:`` merges it) as an eight-issue
    scenario if it says nothing on ``sequence``: each ``denuclearization`` entry gets
    an equal ``sequence`` one, in place.  Returns the field paths given a ``sequence``
    entry (:func:`_copy_old_issue`; overrides as ``overrides.PATH``): empty if nothing
    was copied (a variant that never names denuclearization is left as it is and gets
    no note).

    Why equal: the old scale read "freeze for compensation, phased and simultaneous"
    (0) to "CVID first: complete, verifiable, irreversible dismantlement before any
    reward" (1), i.e. the scope and the order moved together on it; a value on it is
    the file's reading on both new scales (docs/scenarios.md, "Eight-issue files").
    The salience is copied too, as historical.yaml's migration kept denuclearization's
    salience and gave the sequence its own."""
    if _names_sequence(tree):
        return []
    copied: list[str] = []
    for key, child in list(tree.value.items()):
        if key == "overrides" and child.kind == "map":
            copied += _copy_old_overrides(child)
        elif key in ("events", "add_events"):
            for i, ev in enumerate(child.value if child.kind == "seq" else []):
                ev_id = ev.scalar("id")
                # the event's id names it in the note (a list index would not survive a merge)
                label = ev_id if isinstance(ev_id, str) and ev_id not in _ISSUE_KEYED else f"[{i}]"
                copied += _copy_old_issue(ev, (key, label))
        else:
            copied += _copy_old_issue(child, (key,))
    return copied


def _copy_old_overrides(ovr: _Node) -> list[str]:
    """The ``overrides:`` part of :func:`_migrate_eight_issues`: a path through
    ``denuclearization`` in an issue-keyed mapping gets a twin path through
    ``sequence`` (placed right after it); a value that is itself a mapping or list
    holding issue-keyed entries is migrated where the path puts it."""
    copied: list[str] = []
    out: dict[str, _Node] = {}
    for key, value in ovr.value.items():
        out[key] = value
        parts = _split_override(key) or []
        names = tuple(p for p in parts if isinstance(p, str))
        if _OLD_ISSUE in names:
            i = names.index(_OLD_ISSUE)
            where = names[:i]
            last = where[-1] if where else None
            above = where[-2] if len(where) >= 2 else None
            if where == ("issues",) or (
                last in _ISSUE_KEYED and _ISSUE_KEYED[last] in ("*", above)
            ):
                twin = ".".join(_NEW_ISSUE if p == _OLD_ISSUE else p for p in key.split("."))
                if twin not in ovr.value:
                    out[twin] = _copy_tree(value)
                    copied.append(f"overrides.{twin}")
                continue
        if names and names[-1] == "issue" and value.kind == "scalar" and value.value == _OLD_ISSUE:
            continue  # an effect's issue changed alone: it stays on the scope
        copied += [f"overrides.{key}: {c}" for c in _copy_old_issue(value, names)]
    ovr.value = out
    return copied


#: Length of the hexadecimal hash naming a variant whose file name has no letter or digit.
_STEM_HASH_CHARS = 8


def name_from_stem(stem: str) -> str:
    """The ``name`` of a variant file that states none, from its file name (stem).

    Letters and digits of any script are kept (``情景一`` -> ``情景一``), as are ``_``,
    ``.`` and ``-``; anything else (a space, ``/``, ``²``) becomes ``_``
    (``我的 情景`` -> ``我的_情景``).  A stem with no letter or digit left (``!!!``) is
    named ``variant-`` and a short SHA-256 of the stem, so two such files still get
    distinct names (and output folders).  The result matches :data:`NAME_PATTERN`.
    """
    import hashlib
    import unicodedata

    def keep(c: str) -> bool:
        # letters and decimal digits: what Unicode \w (the pattern's regex) accepts
        # too; a numeric sign like ``²`` is alnum to Python but not \w there
        return c in "_.-" or (c.isalnum() and unicodedata.category(c) in _NAME_CATEGORIES)

    slug = "".join(c if keep(c) else "_" for c in stem)
    if not any(c.isalnum() for c in slug):
        digest = hashlib.sha256(stem.encode("utf-8")).hexdigest()[:_STEM_HASH_CHARS]
        slug = f"variant-{digest}"
    return slug


#: Unicode categories :func:`name_from_stem` keeps: letters and decimal digits.
_NAME_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nd"})


def _apply_variant(parent: _Node, child: _Node, path: Path, shown: str) -> _Node:
    """The variant ``child`` merged into ``parent``.  ``parent`` is the caller's own tree
    (fresh from :func:`_parse` or :func:`_load_tree`, which copy the remembered parse):
    it is merged and edited in place, not copied once more."""
    body = {k: v for k, v in child.value.items() if k not in VARIANT_KEYS}
    body_node = _Node("map", body, child.file, child.line, child.col)
    merged = _merge(parent, body_node, top=True)
    if "name" not in body:
        merged.value["name"] = _Node("scalar", name_from_stem(path.stem), shown, 1, 1)
    problems: list[Problem] = []

    rem = child.get("remove_events")
    if rem is not None:
        events = merged.get("events")
        if rem.kind != "seq":
            problems.append(
                Problem(
                    shown,
                    rem.line,
                    rem.col,
                    "remove_events",
                    f"expected a list of event ids, got {_got(_plain(rem))}",
                )
            )
        else:
            evs = events.value if events is not None and events.kind == "seq" else []
            for i, item in enumerate(rem.value):
                ids = [_event_id(e) for e in evs]
                if item.value in ids and item.kind == "scalar":
                    del evs[ids.index(item.value)]
                else:
                    guess = _closest(item.value, [x for x in ids if isinstance(x, str)])
                    problems.append(
                        Problem(
                            shown,
                            item.line,
                            item.col,
                            f"remove_events[{i}]",
                            f"no event with id {item.value!r} in the parent scenario",
                            guess,
                        )
                    )

    add = child.get("add_events")
    if add is not None:
        if add.kind != "seq":
            problems.append(
                Problem(
                    shown,
                    add.line,
                    add.col,
                    "add_events",
                    f"expected a list of events, got {_got(_plain(add))}",
                )
            )
        else:
            events = merged.get("events")
            if events is None or events.kind != "seq":
                events = _Node("seq", [], add.file, add.line, add.col, add.key_line, add.key_col)
                merged.value["events"] = events
            for j, ev in enumerate(add.value):
                ev.origin = ("add_events", j)
            events.value.extend(add.value)

    ovr = child.get("overrides")
    if ovr is not None:
        if ovr.kind != "map":
            problems.append(
                Problem(
                    shown,
                    ovr.line,
                    ovr.col,
                    "overrides",
                    "expected a mapping of dotted paths to values, e.g. parties.US.strategy.direct_talks: accept",
                )
            )
        else:
            for key, value in ovr.value.items():
                p = _apply_override(merged, key, value.at_key(), value, shown)
                if p is not None:
                    problems.append(p)
    if problems:
        # The rest of the file is checked too (add_events, the body), so that one
        # pass reports every mistake of this file, not the variant keys' first.
        try:
            _validate(merged)
        except ScenarioError as exc:
            seen = {(p.line, p.column, p.path) for p in problems}
            problems += [
                p
                for p in exc.problems
                if p.file == shown and (p.line, p.column, p.path) not in seen
            ]
        raise ScenarioError(sorted(problems, key=lambda p: (p.line or 0, p.column or 0)))
    return merged


# ---------------------------------------------------------------- public API
def load_scenario_text(text: str, filename: str | os.PathLike[str] = "<scenario>") -> Scenario:
    """Validate scenario YAML given as text.

    filename: shown in messages and used to resolve a relative ``extends:``
    (relative to its folder).  Raises :class:`ScenarioError`.
    """
    path = Path(os.fspath(filename))
    return _validate(_load_tree(path, text, _display(path), []))


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read, merge (``extends:``) and validate a scenario file.

    path: a YAML file, or a shipped scenario name (see :func:`find_scenario`).
    Returns the validated :class:`~sixparty.scenario.Scenario`.  Raises
    :class:`ScenarioError` listing every problem found with file, line,
    column and field path; TypeError if ``path`` is not a str or path (for a
    mapping: ``load_scenario_text(yaml.safe_dump(mapping))``).
    """
    p = find_scenario(path)
    return _validate(_load_tree(p, None, _display(p), []))


def _merged_tree(path: str | os.PathLike[str]) -> _Node:
    p = find_scenario(path)
    return _load_tree(p, None, _display(p), [])


def scenario_parent_chain(path: str | os.PathLike[str]) -> list[Path]:
    """The file and the files it extends, child first, root last.

    ``[child]`` alone when the file extends nothing.  Raises
    :class:`ScenarioError` on a missing parent or a cycle.
    """
    p = find_scenario(path)
    chain = [p]
    seen = [p.resolve()]
    current = p
    while True:
        tree = _parse(
            _read_file(current, _display(current)), _display(current), _is_shipped(current)
        )
        ext = tree.get("extends")
        if ext is None:
            return chain
        parent = _resolve_parent(ext, current)
        if parent in seen:
            loop = seen + [parent]
            raise ScenarioError(
                [
                    Problem(
                        _display(current),
                        ext.line,
                        ext.col,
                        "extends",
                        "cycle of extends: " + " -> ".join(_display(x) for x in loop),
                    )
                ]
            )
        seen.append(parent)
        chain.append(parent)
        current = parent


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict) and value:
        for k, v in value.items():
            _flatten(v, f"{prefix}.{k}" if prefix else str(k), out)
    else:
        out[prefix] = value


def _flat_scenario(s: Scenario) -> dict[str, Any]:
    data = s.model_dump(mode="json")
    events = data.pop("events", [])
    out: dict[str, Any] = {}
    _flatten(data, "", out)
    for ev in events:
        out[f"events.{ev['id']}"] = ev
    return out


def diff_from_parent(path: str | os.PathLike[str]) -> list[tuple[str, Any, Any]]:
    """Differences between a variant and the scenario it extends.

    Both are validated (defaults filled in) and flattened to dotted paths;
    events are compared whole, by id (``events.<id>``); lists other than
    events are compared whole.  Returns ``[(path, parent_value,
    child_value), ...]`` in the child's order; a value absent on one side is
    None.  Empty when the file extends nothing.  Raises :class:`ScenarioError`.
    """
    chain = scenario_parent_chain(path)
    if len(chain) < 2:
        return []
    child = _flat_scenario(load_scenario(chain[0]))
    parent = _flat_scenario(load_scenario(chain[1]))
    out = []
    for key in list(dict.fromkeys(list(parent) + list(child))):
        a, b = parent.get(key), child.get(key)
        if a != b:
            out.append((key, a, b))
    return out


def scenario_json_schema(kind: str = "any") -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of scenario files, for editors and CI.

    kind: ``"complete"`` (a file without ``extends:``), ``"variant"`` (a file
    with ``extends:``: partial mappings allowed, ``overrides`` paths and values
    checked) or ``"any"`` (either, chosen by ``extends``; the default).  Built by
    :func:`sixparty.schema.json_schema` from the pydantic models; checks JSON
    Schema cannot express (events inside the window, ids that must exist in the
    parent...) are listed in its description and made by :func:`load_scenario`,
    the authority.  Raises ValueError on an unknown ``kind``.
    """
    from sixparty.schema import json_schema

    return json_schema(kind)
