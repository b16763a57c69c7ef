"""Reading the search box."""

from __future__ import annotations

from datetime import date

import pytest

from chat.search.query import parse_query
from slackclone.errors import DomainError

TODAY = date(2026, 3, 10)


def test_words_phrases_exclusions_and_modifiers():
    parsed = parse_query(
        'deploy "release notes" -draft in:#ops from:@ana before:2026-03-01 after:yesterday has:link is:thread',
        today=TODAY,
    )
    assert parsed.words == ["deploy"]
    assert parsed.phrases == ["release notes"]
    assert parsed.excluded == ["draft"]
    assert (parsed.channels, parsed.people) == (["#ops"], ["@ana"])
    assert (parsed.before, parsed.after) == (date(2026, 3, 1), date(2026, 3, 9))
    assert (parsed.has, parsed.is_thread) == ({"link"}, True)
    assert parsed.text == 'deploy "release notes" -draft'


def test_unclosed_quote_is_a_phrase_to_the_end():
    assert parse_query('"half open', today=TODAY).phrases == ["half open"]


def test_unknown_keys_are_words():
    assert parse_query("ratio 3:2 http://x", today=TODAY).words == ["ratio", "3:2", "http://x"]


@pytest.mark.parametrize("q", ["has:nothing", "on:31-12-2026", "in:", "   ", "-only"])
def test_invalid_searches(q):
    with pytest.raises(DomainError) as error:
        parse_query(q, today=TODAY)
    assert error.value.code == "invalid_arguments"


def test_too_many_terms():
    with pytest.raises(DomainError):
        parse_query(" ".join(f"w{i}" for i in range(40)), today=TODAY)
