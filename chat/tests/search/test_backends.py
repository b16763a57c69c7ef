"""The two search backends agree, and PostgreSQL picks its plan by how common the words are."""

from __future__ import annotations

import time
from datetime import date

import pytest
from django.conf import settings
from django.db import connection

from chat.models import Channel, Message
from chat.search import fallback, postgres
from chat.search.query import ParsedQuery, parse_query
from chat.search.scope import build_scope
from chat.services import message_post
from workspaces.models import Membership

TODAY = date(2026, 3, 10)


def _scope(team, user, parsed):
    membership = Membership.objects.get(user=user, workspace=team.workspace)
    return build_scope(user=user, workspace=team.workspace, membership=membership, parsed=parsed)


def test_substring_fallback_finds_what_full_text_finds_for_plain_words(team):
    for text in ["alpha beta", "beta gamma", "gamma delta", "alpha"]:
        message_post(sender=team.owner, channel=team.general, text=text)
    for q in ["alpha", "beta gamma", '"gamma delta"', "alpha -beta", "gamma in:#general"]:
        parsed = parse_query(q, today=TODAY)
        scope = _scope(team, team.member, parsed)
        fts, _ = postgres.page_ids(scope, parsed, sort="timestamp", position=None, limit=10)
        substring = fallback.page_ids(scope, parsed, sort="timestamp", position=None, limit=10)
        assert fts == substring, q


def test_fallback_snippet_marks_every_hit_case_insensitively():
    parsed = parse_query("Budget", today=TODAY)
    assert fallback.snippet("the budget and the BUDGET", parsed) == "the \ue000budget\ue001 and the \ue000BUDGET\ue001"


def test_fallback_snippet_trims_long_text_around_the_first_hit():
    parsed = parse_query("needle", today=TODAY)
    snippet = fallback.snippet("hay " * 100 + "needle" + " hay" * 100, parsed)
    assert snippet.startswith("…")
    assert snippet.endswith("…")
    assert "\ue000needle\ue001" in snippet


def test_fallback_snippet_marks_a_phrase_before_its_first_word():
    parsed = parse_query('deploy "deploy done"', today=TODAY)
    assert fallback.snippet("deploy done, deploy", parsed) == "\ue000deploy done\ue001, \ue000deploy\ue001"


@pytest.mark.parametrize(
    "words",
    [["a" * 468 + "b"], ["a" * (8 + index) + "b" for index in range(22)]],
    ids=["one-long-word", "many-words"],
)
def test_fallback_snippet_is_linear_in_the_length_of_the_message(words):
    """The longest search box (500 characters) against the longest message, each word almost matching at
    every position: a pattern of alternatives would retry each word at each of the 40,000 positions."""
    parsed = ParsedQuery(words=words)
    assert len(" ".join(words)) <= 500
    text = "a" * settings.MESSAGE_MAX_CHARS
    started = time.thread_time()
    assert fallback.snippet(text, parsed) == text[:240] + "…"
    assert (time.thread_time() - started) * 1000 < 50


def _fill(team, common: int):
    """`common` messages saying "common", one saying "rarity", with statistics gathered."""
    channel = team.general
    rows = [
        Message(channel=channel, author=team.owner, seq=i, ts=f"{1_700_000_000 + i}.000000", text=f"common words {i}")
        for i in range(1, common + 1)
    ]
    rows.append(
        Message(channel=channel, author=team.owner, seq=common + 1, ts=f"{1_800_000_000}.000000", text="rarity")
    )
    Message.objects.bulk_create(rows)
    Channel.objects.filter(pk=channel.pk).update(last_seq=common + 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE chat_message")


def test_common_words_walk_newest_first_and_rare_words_read_the_index(team):
    _fill(team, common=3000)
    common = parse_query("common", today=TODAY)
    rare = parse_query("rarity", today=TODAY)
    assert postgres.choose_plan(_scope(team, team.member, common), common, limit=21).name == "recent"
    assert postgres.choose_plan(_scope(team, team.member, rare), rare, limit=21).name == "gin"


def test_both_plans_return_the_same_page(team):
    _fill(team, common=500)
    for q in ["common", "rarity", "common words"]:
        parsed = parse_query(q, today=TODAY)
        scope = _scope(team, team.member, parsed)
        messages = postgres.newest_first(postgres.matching(scope, parsed), single_channel=False)
        ids = list(messages.values_list("pk", flat=True)[:21])
        for name in ("gin", "recent"):
            plan = postgres.Plan(name, 0, 0)
            forced = postgres._forced(plan, lambda messages=messages: list(messages.values_list("pk", flat=True)[:21]))
            assert forced == ids, (q, name)
