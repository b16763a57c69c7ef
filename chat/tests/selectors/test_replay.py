"""What a resuming client missed, for many channels at once: each channel's messages and changes bounded on
their own, the same from one statement as channel by channel, and read in as many statements for ten
channels as for one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat.selectors import ReplayRange, messages_for_wire, missed_in_channels
from chat.selectors.replay import _missed_ids_by_channel, _missed_ids_in_one_statement
from chat.services import channel_create, message_delete, message_edit, message_post, reaction_add
from chat.wire import message_to_wire

pytestmark = pytest.mark.django_db


def post_many(channel, author, count, prefix="m"):
    return [message_post(sender=author, channel=channel, text=f"{prefix}{i}") for i in range(count)]


def channels_of(team, count):
    return [channel_create(actor=team.member, workspace=team.workspace, name=f"room-{i}") for i in range(count)]


def range_of(channel, seen):
    channel.refresh_from_db()
    return ReplayRange(channel.pk, seen, channel.last_seq)


def test_each_channel_gets_its_own_missed_messages_and_changes_in_order_and_bounded(team):
    busy, quiet, new = channels_of(team, 3)
    old = post_many(busy, team.member, 3, "old")
    missed = post_many(busy, team.member, 5, "missed")
    message_edit(actor=team.member, message=old[2], text="old2 (edited)")
    missed.append(message_post(sender=team.member, channel=busy, text="between the changes"))
    message_delete(actor=team.member, message=old[0])
    seen_in_quiet = post_many(quiet, team.member, 2)
    reaction_add(actor=team.member, message=seen_in_quiet[0], emoji="tada")
    first_in_new = post_many(new, team.member, 2)

    found = missed_in_channels([range_of(busy, 3), range_of(quiet, 2), range_of(new, 0)], limit=4)

    assert [m.pk for m in found[busy.pk].missed] == [m.pk for m in missed[:4]], "in seq order, at most the limit"
    assert [m.pk for m in found[busy.pk].changed] == [old[2].pk, old[0].pk], "in the order they were changed"
    assert found[quiet.pk].missed == []
    assert [m.pk for m in found[quiet.pk].changed] == [seen_in_quiet[0].pk]
    assert [m.pk for m in found[new.pk].missed] == [m.pk for m in first_in_new]
    assert found[new.pk].changed == [], "a client that saw nothing gets every message, not changes"


def test_one_statement_finds_what_the_channel_by_channel_path_finds(team):
    rooms = channels_of(team, 4)
    for index, room in enumerate(rooms):
        messages = post_many(room, team.member, 3 + index)
        message_edit(actor=team.member, message=messages[0], text="edited")
        reaction_add(actor=team.member, message=messages[1], emoji="eyes")
    ranges = [range_of(room, seen) for room, seen in zip(rooms, (0, 1, 2, 9), strict=True)]
    for limit in (1, 2, 50):
        assert sorted(_missed_ids_in_one_statement(ranges, limit)) == sorted(_missed_ids_by_channel(ranges, limit))


def test_ten_channels_are_read_in_as_many_statements_as_one(team):
    rooms = channels_of(team, 10)
    for room in rooms:
        seen = post_many(room, team.member, 2, "seen")
        post_many(room, team.member, 2, "missed")
        reaction_add(actor=team.member, message=seen[0], emoji="tada")
    first = [range_of(rooms[0], 2)]
    with CaptureQueriesContext(connection) as one:
        missed_in_channels(first, limit=10)
    ranges = [range_of(room, 2) for room in rooms]
    with CaptureQueriesContext(connection) as ten:
        found = missed_in_channels(ranges, limit=10)
    assert len(ten.captured_queries) == len(one.captured_queries) <= 4
    assert all(len(found[room.pk].missed) == 2 and len(found[room.pk].changed) == 1 for room in rooms)


def test_channels_with_nothing_missed_cost_one_statement_and_load_nothing(team):
    rooms = channels_of(team, 5)
    for room in rooms:
        post_many(room, team.member, 2)
    ranges = [range_of(room, 2) for room in rooms]
    with CaptureQueriesContext(connection) as reading:
        found = missed_in_channels(ranges, limit=10)
    assert len(reading.captured_queries) == 1
    assert all(entry.missed == [] and entry.changed == [] for entry in found.values())


def test_the_messages_come_ready_for_the_wire(team):
    (room,) = channels_of(team, 1)
    post_many(room, team.member, 3)
    (loaded,) = missed_in_channels([range_of(room, 0)], limit=10).values()
    expected = list(messages_for_wire().filter(channel=room).order_by("seq"))
    assert [(m.pk, m.author.public_id, m.channel.public_id) for m in loaded.missed] == [
        (m.pk, m.author.public_id, m.channel.public_id) for m in expected
    ]
    with CaptureQueriesContext(connection) as encoding:
        shown = [message_to_wire(message) for message in loaded.missed]
    assert encoding.captured_queries == [], "authors, channels, reactions and files are already loaded"
    assert shown == [message_to_wire(message) for message in expected]
