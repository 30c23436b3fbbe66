"""Where the tests find the article (``shared/seed/six_party_talks.zh.md``) and what
they say when it is missing.

The article sits in ``shared/`` beside the repository (``../shared``); a clone or a
git worktree elsewhere names it with the environment variable ``SIXPARTY_ARTICLE``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

#: The environment variable that names the article's file.
ENV = "SIXPARTY_ARTICLE"


def article_path() -> Path:
    """``$SIXPARTY_ARTICLE``, else ``../shared/seed/six_party_talks.zh.md`` beside the repository."""
    return Path(
        os.environ.get(ENV)
        or Path(__file__).resolve().parents[1].parent / "shared" / "seed" / "six_party_talks.zh.md"
    )


def missing_message(path: Path) -> str:
    """The skip message for an article not found at ``path``: where it was looked for
    and how to point the tests at it."""
    return (
        f"article not found at {path} (shared/ must sit beside the repository, "
        f"or set {ENV}=/path/to/six_party_talks.zh.md)"
    )


def read_article(path: Path | None = None) -> str:
    """The article's text (UTF-8); skips the test with :func:`missing_message` when
    the file is not there."""
    path = article_path() if path is None else path
    if not path.is_file():
        pytest.skip(missing_message(path))
    return path.read_text(encoding="utf-8")
