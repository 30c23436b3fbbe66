"""The scenarios shipped in the package: their names, files and stated descriptions.

Kept apart from :mod:`sixparty.loader` so that ``sixparty list`` can name the shipped
scenarios without building the scenario models (pydantic), which costs more than the
rest of the command.  :func:`shipped_scenarios` is re-exported by the loader and the
package.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path


def _scenarios_root() -> Path:
    return Path(str(importlib.resources.files("sixparty.scenarios")))


def shipped_scenarios() -> list[tuple[str, Path]]:
    """(name, path) of every scenario shipped in the ``scenarios`` package.

    Names are the file path inside the package without ``.yaml``
    (``historical``, ``counterfactuals/no_bda_sanctions``), sorted with
    top-level scenarios first.
    """
    root = _scenarios_root()
    out: list[tuple[str, Path]] = []
    for sub in ("", "counterfactuals"):
        folder = root / sub if sub else root
        if not folder.is_dir():
            continue
        for p in sorted(folder.iterdir()):
            if p.is_file() and p.suffix in (".yaml", ".yml"):
                out.append(((sub + "/" if sub else "") + p.stem, p))
    return out


def stated_description(path: Path) -> str | None:
    """The top-level ``description:`` a scenario file states, or None.

    None when the file cannot be read or parsed, or states no description of its own
    (a variant inheriting its parent's): the caller then loads the scenario in full.
    Reads YAML only; checks nothing else (``sixparty validate`` and the test-suite check
    the shipped files).
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.load(f, Loader=loader)  # noqa: S506 - a safe loader
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    text = data.get("description") if isinstance(data, dict) else None
    return text if isinstance(text, str) and text.strip() else None
