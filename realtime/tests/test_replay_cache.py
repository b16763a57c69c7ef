"""The replay cache: sockets resuming from the same point share one read of the missed messages,
and nothing it keeps can hide an edit, a deletion or a reaction made since."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat.services import channel_create, message_delete, message_edit, message_post, reaction_add
from realtime import resume
from realtime.replay_cache import CachedReplay, ReplayCache

pytestmark = pytest.mark.django_db

replay_now = resume.build_replay.func  # the function the gateway runs in a worker thread


def post_many(channel, author, count, prefix="m"):
    return [message_post(sender=author, channel=channel, text=f"{prefix}{i}") for i in range(count)]


def events_of(replay) -> list[dict]:
    (channel,) = replay.channels
    return [json.loads(event) for event in channel.events]


def test_a_second_socket_resuming_from_the_same_point_does_not_read_the_messages_again(team):
    post_many(team.general, team.owner, 2, "seen")
    missed = post_many(team.general, team.owner, 5, "missed")
    with CaptureQueriesContext(connection) as first:
        first_replay = replay_now(team.member.pk, None, {team.general.public_id: 2})
    with CaptureQueriesContext(connection) as second:
        second_replay = replay_now(team.admin.pk, None, {team.general.public_id: 2})
    assert [e["ts"] for e in events_of(second_replay)] == [m.ts for m in missed]
    assert events_of(second_replay) == events_of(first_replay)
    assert len(second.captured_queries) < len(first.captured_queries)
    assert not any("chat_reaction" in q["sql"] for q in second.captured_queries)


def test_an_edit_made_after_the_replay_was_kept_is_still_replayed(team):
    post_many(team.general, team.owner, 2, "seen")
    missed = post_many(team.general, team.owner, 3, "missed")
    replay_now(team.member.pk, None, {team.general.public_id: 2})
    message_edit(actor=team.owner, message=missed[0], text="missed0 (edited)")
    message_delete(actor=team.owner, message=missed[1])
    reaction_add(actor=team.member, message=missed[2], emoji="tada")
    events = events_of(replay_now(team.admin.pk, None, {team.general.public_id: 2}))
    latest = {}
    for event in events:  # as a client applies them: later events win
        latest[event["ts"]] = event.get("message", event)
        if event.get("subtype") in ("message_deleted", "tombstone"):
            latest[event["ts"]] = {"deleted": True}
    assert latest[missed[0].ts]["text"] == "missed0 (edited)"
    assert latest[missed[1].ts] == {"deleted": True}
    assert latest[missed[2].ts]["reactions"][0]["name"] == "tada"


def test_a_newer_post_is_a_new_key_and_is_replayed(team):
    post_many(team.general, team.owner, 2, "seen")
    replay_now(team.member.pk, None, {team.general.public_id: 1})
    newer = message_post(sender=team.owner, channel=team.general, text="newer")
    events = events_of(replay_now(team.admin.pk, None, {team.general.public_id: 1}))
    assert events[-1]["ts"] == newer.ts


def test_the_cache_never_answers_for_a_channel_the_user_may_not_read(team, outsider):
    post_many(team.general, team.owner, 3)
    replay_now(team.member.pk, None, {team.general.public_id: 1})
    replay = replay_now(outsider.pk, None, {team.general.public_id: 1})
    assert replay.channels == []
    assert replay.errors[team.general.public_id]["code"] == "channel_not_found"


def test_entries_expire_and_the_table_stays_bounded():
    cache = ReplayCache(seconds=60, entries=2)
    for pk in range(3):
        cache.put((pk, 0, 1, 0), CachedReplay(("e",), 1, False))
    assert cache.get((0, 0, 1, 0)) is None, "the oldest entry made room"
    assert cache.get((2, 0, 1, 0)) is not None
    expired = ReplayCache(seconds=-1)
    expired.put((1, 0, 1, 0), CachedReplay((), 0, False))
    assert expired.get((1, 0, 1, 0)) is None


def test_expired_entries_are_dropped_when_new_ones_arrive():
    cache = ReplayCache(seconds=0.0)
    cache.put((1, 0, 1, 0), CachedReplay(("old",), 1, False))
    cache.put((2, 0, 1, 0), CachedReplay(("new",), 1, False))
    assert len(cache._items) <= 1, "the expired replay does not linger"


def test_a_channel_with_nothing_new_still_replays_its_changes(team):
    seen = post_many(team.general, team.owner, 2, "seen")
    reaction_add(actor=team.member, message=seen[0], emoji="tada")  # stamped with seq 2, the channel's last
    events = events_of(replay_now(team.admin.pk, None, {team.general.public_id: 2}))
    assert [(event.get("message", event)["ts"], event["subtype"]) for event in events] == [
        (seen[0].ts, "message_changed")
    ]
    assert events[0]["message"]["reactions"][0]["name"] == "tada"


def test_a_resume_of_many_channels_reads_them_together(team):
    rooms = [channel_create(actor=team.member, workspace=team.workspace, name=f"room-{i}") for i in range(8)]
    for room in rooms:
        seen = post_many(room, team.member, 2, "seen")
        post_many(room, team.member, 1, "missed")
        reaction_add(actor=team.member, message=seen[0], emoji="tada")
    with CaptureQueriesContext(connection) as one:
        replay_now(team.member.pk, None, {rooms[0].public_id: 2})
    with CaptureQueriesContext(connection) as many:
        replay = replay_now(team.member.pk, None, {room.public_id: 2 for room in rooms[1:]})
    assert len(many.captured_queries) == len(one.captured_queries)
    assert [channel.channel_id for channel in replay.channels] == [room.public_id for room in rooms[1:]]
    assert all(len(channel.events) == 2 and channel.last_seq == 3 for channel in replay.channels)
