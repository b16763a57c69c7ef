"""The two search backends agree, and PostgreSQL picks its plan by how common the words are."""

from __future__ import annotations

import time
from datetime import date

import pytest
from django.conf import settings
from django.db import connection, transaction

from chat.models import Channel, Message
from chat.search import fallback, postgres
from chat.search.query import ParsedQuery, parse_query
from chat.search.scope import build_scope
from chat.services import message_post
from slackclone.testing.plans import prepared_statements
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


FRAGMENT_QUERIES = [
    "会议",
    "会议室 booked",
    "deploy_scr",
    "Kubernetes",
    "migr*",
    "100%",
    "max_rows -会议",
    "会议 in:#general",
]


def test_substring_fallback_finds_what_postgres_finds_for_fragments(team):
    for text in [
        "明天在会议室开会 booked",
        "会议取消了",
        "run deploy_script.sh",
        "the kubernetesOperator restarted",
        "Kubernetes upgrade",
        "migrating now",
        "cpu at 100% again",
        "cpu at 1000 again",
        "set max_rows",
        "set maxXrows",
    ]:
        message_post(sender=team.owner, channel=team.general, text=text)
    for q in FRAGMENT_QUERIES:
        parsed = parse_query(q, today=TODAY)
        scope = _scope(team, team.member, parsed)
        on_postgres, _ = postgres.page_ids(scope, parsed, sort="timestamp", position=None, limit=10)
        substring = fallback.page_ids(scope, parsed, sort="timestamp", position=None, limit=10)
        assert on_postgres == substring, q
        assert on_postgres, q


def test_fallback_snippet_marks_cjk_fragments_in_linear_time():
    parsed = parse_query("会议 议室", today=TODAY)
    assert fallback.snippet("在会议室开会", parsed) == "在\ue000会议\ue001室开会"
    text = "会" * settings.MESSAGE_MAX_CHARS
    started = time.thread_time()
    assert fallback.snippet(text, parsed) == text[:240] + "…"
    assert (time.thread_time() - started) * 1000 < 50


def _fill_fragments(team, common: int):
    """`common` messages holding the fragment "common_id", one holding "rarity_id", with statistics gathered."""
    channel = team.general
    rows = [
        Message(channel=channel, author=team.owner, seq=i, ts=f"{1_700_000_000 + i}.000000", text=f"common_id {i}")
        for i in range(1, common + 1)
    ]
    rows.append(
        Message(channel=channel, author=team.owner, seq=common + 1, ts=f"{1_800_000_000}.000000", text="rarity_id")
    )
    Message.objects.bulk_create(rows)
    Channel.objects.filter(pk=channel.pk).update(last_seq=common + 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE chat_message")


def test_common_fragments_walk_newest_first_and_rare_ones_read_the_trigram_index(team):
    _fill_fragments(team, common=3000)
    for q, expected in [("common_id", "recent"), ("rarity_id", "gin"), ("rarit*", "gin"), ("ra*", "recent")]:
        parsed = parse_query(q, today=TODAY)
        assert postgres.choose_plan(_scope(team, team.member, parsed), parsed, limit=21).name == expected, q


def test_both_plans_return_the_same_page_for_fragments(team):
    _fill_fragments(team, common=500)
    for q in ["common_id", "rarity_id", "rarit*", "co*", "common_id -rarity_id"]:
        parsed = parse_query(q, today=TODAY)
        scope = _scope(team, team.member, parsed)
        messages = postgres.newest_first(postgres.matching(scope, parsed), single_channel=False)
        ids = list(messages.values_list("pk", flat=True)[:21])
        assert ids, q
        for name in ("gin", "recent"):
            plan = postgres.Plan(name, 0, 0)
            forced = postgres._forced(plan, lambda messages=messages: list(messages.values_list("pk", flat=True)[:21]))
            assert forced == ids, (q, name)


@pytest.mark.parametrize("q", ["会议室", "deploy_scr", "100%"])
def test_the_trigram_index_serves_fragments(db, q):
    match = postgres.text_match(parse_query(q, today=TODAY))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN SELECT 1 FROM chat_message WHERE {match.sql}", match.params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "message_text_trgm_spanned" in plan, plan


def test_a_forced_plan_is_planned_on_each_run_once_its_statement_is_prepared(team):
    """A prepared statement's generic plan is made once, and PostgreSQL reuses it whatever the switches say
    on a later run when it prices it cheaper (here it is told to): the statement the switches steer is
    planned for each run."""
    _fill(team, common=500)
    parsed = parse_query("common", today=TODAY)
    messages = postgres.newest_first(postgres.matching(_scope(team, team.member, parsed), parsed), single_channel=False)
    pages = set()
    for number in range(12):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        plan = postgres.Plan(("gin", "recent")[number % 2], 0, 0)
        pages.add(tuple(postgres._forced(plan, lambda: list(messages.values_list("pk", flat=True)[:21]))))

    [prepared] = prepared_statements("websearch_to_tsquery")
    assert (prepared.generic_plans, prepared.custom_plans) == (0, 7)
    assert len(pages) == 1
