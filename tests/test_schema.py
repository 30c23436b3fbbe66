"""The schema's key vocabularies agree with each other."""

import typing

from sixparty import scenario as sc


def test_literal_keys_match_the_tuples():
    assert typing.get_args(sc.PartyKey) == sc.PARTIES
    assert typing.get_args(sc.IssueKey) == sc.ISSUES
    assert tuple(sc.ISSUE_SCALES) == sc.ISSUES
    assert tuple(sc.Parties.model_fields) == sc.PARTIES


def test_a_yes_no_value_is_not_a_number():
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        sc.IssuePosition(position=True, salience=0.5)
    assert sc.IssuePosition(position=1, salience=0.5).position == 1.0
