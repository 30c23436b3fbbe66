"""Where the tests look for the article, and the skip message that says how to
point them at it (a fresh clone without ``shared/`` beside it skipped the quote
tests without naming SIXPARTY_ARTICLE)."""

from __future__ import annotations

import pytest
from seed_article import article_path, read_article


def test_a_missing_article_says_how_to_point_the_tests_at_it(tmp_path):
    missing = tmp_path / "nowhere" / "six_party_talks.zh.md"
    with pytest.raises(pytest.skip.Exception) as skipped:
        read_article(missing)
    text = str(skipped.value)
    assert str(missing) in text and "shared/ must sit beside the repository" in text
    assert "SIXPARTY_ARTICLE=/path/to/six_party_talks.zh.md" in text


def test_sixparty_article_names_the_file(tmp_path, monkeypatch):
    article = tmp_path / "a.md"
    article.write_text("六方会谈", encoding="utf-8")
    monkeypatch.setenv("SIXPARTY_ARTICLE", str(article))
    assert article_path() == article and read_article() == "六方会谈"
    monkeypatch.delenv("SIXPARTY_ARTICLE")
    assert article_path().parts[-3:] == ("shared", "seed", "six_party_talks.zh.md")
