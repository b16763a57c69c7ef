"""Reading the search box."""

from __future__ import annotations

import contextlib
import time
from datetime import date

import pytest

from chat.search.query import is_fragment, parse_query
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
    parsed = parse_query("ratio 3:2 http://x", today=TODAY)
    assert (parsed.words, parsed.fragments) == (["ratio", "http://x"], ["3:2"])


@pytest.mark.parametrize("q", ["has:nothing", "on:31-12-2026", "in:", "   ", "-only"])
def test_invalid_searches(q):
    with pytest.raises(DomainError) as error:
        parse_query(q, today=TODAY)
    assert error.value.code == "invalid_arguments"


def test_too_many_terms():
    with pytest.raises(DomainError):
        parse_query(" ".join(f"w{i}" for i in range(40)), today=TODAY)


@pytest.mark.parametrize(
    ("q", "words", "fragments"),
    [
        ("会议室 meeting", ["meeting"], ["会议室"]),
        ("デプロイ 배포", [], ["デプロイ", "배포"]),
        ("deploy_scr kubeConfig settings.py v2 3:30", [], ["deploy_scr", "kubeConfig", "settings.py", "v2", "3:30"]),
        ("deplo* Kubernetes", ["Kubernetes"], ["deplo"]),
        ('"发布 说明" "release notes"', [], ["发布 说明"]),
    ],
)
def test_terms_are_words_or_fragments(q, words, fragments):
    parsed = parse_query(q, today=TODAY)
    assert (parsed.words, parsed.fragments) == (words, fragments)


def test_typing_makes_the_last_word_a_prefix():
    parsed = parse_query("deploy scr", today=TODAY, typing=True)
    assert (parsed.words, parsed.fragments) == (["deploy"], ["scr"])
    assert parse_query("deploy in:#ops", today=TODAY, typing=True).words == ["deploy"]


def test_excluded_fragments():
    parsed = parse_query("会议 -old_plan -draft", today=TODAY)
    assert (parsed.excluded, parsed.excluded_fragments) == (["draft"], ["old_plan"])


@pytest.mark.parametrize("q", ["会", "-会 deploy", "한"])
def test_one_cjk_character_is_too_short(q):
    with pytest.raises(DomainError) as error:
        parse_query(q, today=TODAY)
    assert error.value.code == "invalid_arguments"


@pytest.mark.parametrize(
    "text",
    ["a" * 40_000, "aA" * 20_000, "会" * 40_000, "a." * 20_000, "-" * 40_000, '"' * 40_000, "*" * 40_000],
)
def test_reading_a_long_search_box_is_linear(text):
    """A search box far longer than the API allows (500), read in linear time all the same (a few ms; a
    quadratic reading takes seconds). The best of three runs, so a garbage collection that lands in one
    of them is not counted."""
    runs = []
    for _ in range(3):
        started = time.thread_time()
        with contextlib.suppress(DomainError):
            parse_query(text, today=TODAY, typing=True)
        assert is_fragment(text) in (True, False)
        runs.append((time.thread_time() - started) * 1000)
    assert min(runs) < 50, runs
