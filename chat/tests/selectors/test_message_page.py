"""The one-statement loaders (a history window, a message by ts, messages by id across channels for search)
show every message exactly as the ORM path (messages_for_wire) does."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Q

from chat.api.output import channel_out
from chat.models import Message, Reaction
from chat.search.postgres import page_rows
from chat.search.query import parse_query
from chat.selectors import history_page, message_get_for_wire, messages_for_wire, thread_page
from chat.selectors.message_page import load_by_ids, load_window
from chat.services import (
    channel_create,
    channel_invite,
    dm_open,
    file_upload,
    message_delete,
    message_edit,
    message_post,
    reaction_add,
)
from chat.wire import message_to_wire
from slackclone.errors import DomainError, ErrorCode
from slackclone.testing.factories import BotFactory, ChannelMemberFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_channel(team):
    """Every kind of message the wire shows differently: threads, broadcasts, bots, edits, tombstones, files."""
    channel = channel_create(actor=team.member, workspace=team.workspace, name="busy")
    channel_invite(actor=team.member, channel=channel, users=[team.other_member, team.owner])
    bot = BotFactory()
    MembershipFactory(user=bot, workspace=team.workspace)
    ChannelMemberFactory(user=bot, channel=channel)
    root = message_post(sender=team.member, channel=channel, text="a thread starts here")
    message_post(sender=team.other_member, channel=channel, text="hidden reply", thread_ts=root.ts)
    message_post(sender=team.owner, channel=channel, text="shown reply", thread_ts=root.ts, reply_broadcast=True)
    reaction_add(actor=team.other_member, message=root, emoji="eyes")
    reaction_add(actor=team.owner, message=root, emoji="thumbsup")
    reaction_add(actor=team.member, message=root, emoji="eyes")
    message_post(sender=bot, channel=channel, text="deployed", username="Deploy bot", icon_emoji=":rocket:")
    edited = message_post(sender=team.member, channel=channel, text="tpyo")
    message_edit(actor=team.member, message=edited, text="typo")
    gone = message_post(sender=team.member, channel=channel, text="oops")
    message_delete(actor=team.member, message=gone)
    file_upload(
        actor=team.other_member, channel=channel, upload=SimpleUploadedFile("notes.txt", b"notes"), text="the notes"
    )
    message_post(
        sender=team.member, channel=channel, text="the end", client_msg_id="c0ffee00-0000-4000-8000-000000000000"
    )
    return channel


def orm_window(channel, *, above=None, below=None, newest_first=True, include_replies=False):
    messages = messages_for_wire().filter(channel=channel)
    if not include_replies:
        messages = messages.filter(Q(thread_root__isnull=True) | Q(reply_broadcast=True))
    if above is not None:
        messages = messages.filter(seq__gt=above)
    if below is not None:
        messages = messages.filter(seq__lt=below)
    return [message_to_wire(m) for m in messages.order_by("-seq" if newest_first else "seq")]


@pytest.mark.parametrize("include_replies", [False, True])
@pytest.mark.parametrize("newest_first", [True, False])
@pytest.mark.parametrize(("above", "below"), [(None, None), (2, None), (None, 8), (3, 9)])
def test_every_window_matches_the_orm_path(busy_channel, include_replies, newest_first, above, below):
    window = {"above": above, "below": below, "newest_first": newest_first, "include_replies": include_replies}
    loaded = load_window(busy_channel, using="default", limit=100, **window)
    assert [message_to_wire(m) for m in loaded] == orm_window(busy_channel, **window)


def test_the_page_shows_reactions_files_bots_edits_and_tombstones(team, busy_channel):
    page = history_page(channel=busy_channel).messages
    wires = {wire["text"] or wire.get("subtype"): wire for wire in map(message_to_wire, page)}
    assert wires["a thread starts here"]["reactions"] == [
        {"name": "eyes", "users": [team.other_member.public_id, team.member.public_id], "count": 2},
        {"name": "thumbsup", "users": [team.owner.public_id], "count": 1},
    ]
    assert wires["a thread starts here"]["reply_count"] == 2
    assert wires["shown reply"]["subtype"] == "thread_broadcast"
    assert wires["shown reply"]["parent_user_id"] == team.member.public_id
    assert "hidden reply" not in wires
    assert (wires["deployed"]["username"], wires["deployed"]["icons"]) == ("Deploy bot", {"emoji": ":rocket:"})
    assert wires["typo"]["edited"]["user"] == team.member.public_id
    assert wires["tombstone"]["deleted"] is True
    assert wires["the notes"]["files"][0]["name"] == "notes.txt"
    assert wires["the end"]["client_msg_id"] == "c0ffee00-0000-4000-8000-000000000000"


def test_reactions_keep_the_orm_paths_order_when_times_tie_or_run_against_ids(team):
    """Groups in the order each emoji was first used, reactors in the order they reacted: by time, then by id.
    Each tie is stored against the order expected (rows rewritten highest id first, reactors against their
    users' ids, emoji names against their ids' order), so an order that leaves out a tie-break shows."""
    message = message_post(sender=team.member, channel=team.general, text="order")
    owner, admin, other, member = team.owner, team.admin, team.other_member, team.member
    added = [
        reaction_add(actor=actor, message=message, emoji=emoji)
        for actor, emoji in [(admin, "zap"), (owner, "zap"), (other, "apple"), (member, "tada"), (owner, "tada")]
    ]
    moment = added[0].created_at
    for reaction in sorted(added[:3], key=lambda r: -r.pk):  # zap, zap and apple react at one moment
        Reaction.objects.filter(pk=reaction.pk).update(created_at=moment)
    Reaction.objects.filter(pk=added[4].pk).update(created_at=moment.replace(year=moment.year - 1))  # tada first
    expected = message_to_wire(messages_for_wire().get(pk=message.pk))
    assert expected["reactions"] == [
        {"name": "tada", "users": [owner.public_id, member.public_id], "count": 2},
        {"name": "zap", "users": [admin.public_id, owner.public_id], "count": 2},
        {"name": "apple", "users": [other.public_id], "count": 1},
    ]
    loaded = load_window(team.general, using="default", above=None, below=None, newest_first=True, limit=1,
                         include_replies=False)  # fmt: skip
    assert message_to_wire(loaded[0]) == expected


def test_a_page_of_plain_messages_with_reactions_is_one_statement(team, django_assert_num_queries):
    for number in range(5):
        message = message_post(sender=team.member, channel=team.general, text=f"plain {number}")
        reaction_add(actor=team.owner, message=message, emoji="tada")
    with django_assert_num_queries(1):
        page = history_page(channel=team.general, limit=50)
    with django_assert_num_queries(0):
        wires = [message_to_wire(message) for message in page.messages]
    assert [wire["reactions"][0]["name"] for wire in wires] == ["tada"] * 5


def test_thread_roots_and_files_cost_one_statement_each_when_a_page_has_them(busy_channel, django_assert_num_queries):
    with django_assert_num_queries(3):  # the page, the broadcast reply's root, the one message with a file
        page = history_page(channel=busy_channel, limit=50)
    with django_assert_num_queries(0):
        [message_to_wire(message) for message in page.messages]


@pytest.mark.parametrize("after", [None, 0, 3])
def test_a_thread_page_matches_the_orm_path_in_one_statement(team, after, django_assert_num_queries):
    root = message_post(sender=team.member, channel=team.general, text="the thread")
    message_post(sender=team.member, channel=team.general, text="not in the thread")
    for number in range(6):
        reply = message_post(
            sender=(team.owner, team.other_member)[number % 2],
            channel=team.general,
            text=f"reply {number}",
            thread_ts=root.ts,
            reply_broadcast=number == 2,
        )
        if number % 3 == 0:
            reaction_add(actor=team.member, message=reply, emoji="eyes")
    root = message_get_for_wire(channel=team.general, ts=root.ts)
    expected = messages_for_wire().filter(thread_root=root).order_by("seq")
    if after is not None:
        expected = expected.filter(seq__gt=root.seq + after)
    with django_assert_num_queries(1):
        replies, has_more = thread_page(root=root, after=None if after is None else root.seq + after, limit=4)
    with django_assert_num_queries(0):
        wires = [message_to_wire(reply) for reply in replies]
    assert wires == [message_to_wire(reply) for reply in expected[:4]]
    assert has_more is (expected.count() > 4)


def test_each_message_read_for_an_answer_matches_the_orm_path(busy_channel):
    for message in Message.objects.filter(channel=busy_channel):
        expected = message_to_wire(messages_for_wire().get(pk=message.pk))
        assert message_to_wire(message_get_for_wire(channel=busy_channel, ts=message.ts)) == expected, message.text


def test_a_message_read_for_an_answer_is_one_statement_with_its_reactions(team, django_assert_num_queries):
    message = message_post(sender=team.member, channel=team.general, text="ship it")
    reaction_add(actor=team.owner, message=message, emoji="tada")
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 3):
        loaded = message_get_for_wire(channel=team.general, ts=message.ts)
    with django_assert_num_queries(0):
        wire = message_to_wire(loaded)
    assert wire["reactions"] == [{"name": "tada", "users": [team.owner.public_id], "count": 1}]


def test_a_ts_of_another_channel_or_of_nothing_is_message_not_found(team, busy_channel):
    elsewhere = message_post(sender=team.member, channel=team.general, text="in general")
    for ts in (elsewhere.ts, "1700000000.000001", "not a ts"):
        with pytest.raises(DomainError) as refused:
            message_get_for_wire(channel=busy_channel, ts=ts)
        assert refused.value.code is ErrorCode.MESSAGE_NOT_FOUND


def test_messages_by_id_across_channels_match_the_orm_path(team, busy_channel):
    message_post(sender=team.owner, channel=team.general, text="in general")
    dm, _ = dm_open(actor=team.member, workspace=team.workspace, users=[team.other_member])
    message_post(sender=team.other_member, channel=dm, text="in a DM")
    ids = list(Message.objects.values_list("pk", flat=True))
    expected = {m.pk: m for m in messages_for_wire().select_related("channel__created_by").filter(pk__in=ids)}
    loaded = load_by_ids(ids, using="default")
    assert sorted(message.pk for message, _ in loaded) == sorted(ids)
    for message, extra in loaded:
        orm = expected[message.pk]
        assert (message_to_wire(message), channel_out(message.channel)) == (
            message_to_wire(orm),
            channel_out(orm.channel),
        ), message.text
        assert extra == ()


def test_messages_by_id_carry_extra_columns_and_leave_out_ids_that_do_not_exist(team):
    first = message_post(sender=team.member, channel=team.general, text="one")
    second = message_post(sender=team.owner, channel=team.random, text="two")
    loaded = load_by_ids([first.pk, second.pk, 10**9], using="default", extra_columns='upper("chat_message".text), %s',
                         extra_params=["given"])  # fmt: skip
    assert sorted((m.text, tuple(extra)) for m, extra in loaded) == [
        ("one", ("ONE", "given")),
        ("two", ("TWO", "given")),
    ]


def test_a_search_page_is_one_statement_with_snippets_scores_reactions_and_channels(team, django_assert_num_queries):
    ids = []
    for number in range(5):
        message = message_post(
            sender=team.owner, channel=[team.general, team.random][number % 2], text=f"deploy {number}"
        )
        reaction_add(actor=team.owner, message=message, emoji="tada")
        ids.append(message.pk)
    parsed = parse_query("deploy", today=message.created_at.date())
    with django_assert_num_queries(1):
        rows = page_rows(ids, parsed, "default")
    with django_assert_num_queries(0):
        wires = [(message_to_wire(m), channel_out(m.channel)["name"], m.snippet, m.score) for m in rows.values()]
    assert sorted((wire["text"], channel) for wire, channel, _, _ in wires) == [
        ("deploy 0", "general"), ("deploy 1", "random"), ("deploy 2", "general"), ("deploy 3", "random"),
        ("deploy 4", "general"),
    ]  # fmt: skip
    assert all("\ue000deploy\ue001" in snippet and score > 0 for _, _, snippet, score in wires)
    assert all(wire["reactions"][0]["name"] == "tada" for wire, _, _, _ in wires)
