"""Resume: what a client missed comes from the database, in seq order, then live events, with no gap
and no duplicate at the seam; and a client that loses events on the at-most-once layer recovers them."""

import json

import pytest
from channels.layers import channel_layers
from channels_redis.core import RedisChannelLayer
from django.conf import settings

from chat.models import ChannelMember
from chat.services import (
    channel_create,
    message_delete,
    message_edit,
    message_post,
    reaction_add,
)
from realtime import resume
from realtime.tests.conftest import run

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


def post_many(channel, author, count, prefix="m"):
    return [message_post(sender=author, channel=channel, text=f"{prefix}{i}") for i in range(count)]


async def resume_and_collect(socket, channels, frame_id=1):
    """Send resume; return (replayed events, the resumed reply)."""
    await socket.send({"id": frame_id, "type": "resume", "channels": channels})
    frames = await socket.recv_until(lambda f: f.get("reply_to") == frame_id)
    return frames[:-1], frames[-1]


async def test_resume_replays_missed_messages_in_seq_order(team, sockets):
    await run(post_many, team.general, team.owner, 3, "seen")
    missed = await run(post_many, team.general, team.owner, 5, "missed")
    socket = await sockets.session(team.member, path="/ws/?resume=1")
    replayed, reply = await resume_and_collect(socket, {team.general.public_id: 3})
    assert [(e["seq"], e["text"]) for e in replayed] == [(m.seq, m.text) for m in missed]
    assert reply == {
        "ok": True,
        "reply_to": 1,
        "type": "resumed",
        "channels": {team.general.public_id: {"seq": 8, "replayed": 5, "has_more": False}},
        "errors": {},
    }


async def test_resume_includes_edits_deletions_and_reactions_to_older_messages(team, sockets):
    old = await run(post_many, team.general, team.owner, 3, "old")
    await run(message_edit, actor=team.owner, message=old[0], text="old0 (edited)")
    await run(message_delete, actor=team.owner, message=old[1])
    await run(reaction_add, actor=team.member, message=old[2], emoji="tada")
    socket = await sockets.session(team.member, path="/ws/?resume=1")
    replayed, _ = await resume_and_collect(socket, {team.general.public_id: 3})
    changed = {e["ts"]: e for e in replayed}
    assert changed[old[0].ts]["subtype"] == "message_changed"
    assert changed[old[0].ts]["message"]["text"] == "old0 (edited)"
    assert changed[old[1].ts]["subtype"] == "message_deleted"
    assert changed[old[1].ts]["message_seq"] == old[1].seq
    assert changed[old[2].ts]["message"]["reactions"] == [
        {"name": "tada", "users": [team.member.public_id], "count": 1}
    ]
    assert all(e["seq"] == 3 for e in replayed), "a change carries the channel's seq when it happened"


async def test_resume_is_bounded_and_says_has_more(team, sockets, monkeypatch):
    monkeypatch.setattr(resume, "REPLAY_LIMIT", 4)
    await run(post_many, team.general, team.owner, 10)
    socket = await sockets.session(team.member)
    replayed, reply = await resume_and_collect(socket, {team.general.public_id: 2})
    assert [e["seq"] for e in replayed] == [3, 4, 5, 6]
    assert reply["channels"][team.general.public_id] == {"seq": 6, "replayed": 4, "has_more": True}


async def test_live_events_held_during_the_replay_come_once_after_it(team, sockets):
    await run(post_many, team.general, team.owner, 2, "before")
    socket = await sockets.session(team.member, path="/ws/?resume=1")
    # Posted after the socket subscribed but before it resumed: held, then carried by the replay only.
    await run(post_many, team.general, team.owner, 3, "during")
    replayed, _reply = await resume_and_collect(socket, {team.general.public_id: 2})
    assert [e["text"] for e in replayed] == ["during0", "during1", "during2"]
    await run(message_post, sender=team.owner, channel=team.general, text="after")
    live = await socket.recv_until(lambda f: f.get("text") == "after")
    assert [f["text"] for f in live if f.get("type") == "message"] == ["after"], "no duplicate at the seam"


async def test_resume_of_a_channel_you_cannot_see_is_an_error_entry_never_data(team, sockets):
    secret = await run(channel_create, actor=team.owner, workspace=team.workspace, name="secret", is_private=True)
    public = await run(channel_create, actor=team.owner, workspace=team.workspace, name="public-not-joined")
    await run(message_post, sender=team.owner, channel=secret, text="classified")
    await run(message_post, sender=team.owner, channel=public, text="open but not yours")
    socket = await sockets.session(team.member)
    replayed, reply = await resume_and_collect(
        socket, {secret.public_id: 0, public.public_id: 0, "CNOSUCHCHAN": 0, team.general.public_id: 0}
    )
    assert replayed == []
    assert reply["errors"] == {
        secret.public_id: {"code": "channel_not_found", "msg": "Channel not found."},
        public.public_id: {"code": "not_in_channel", "msg": "You are not a member of this channel."},
        "CNOSUCHCHAN": {"code": "channel_not_found", "msg": "Channel not found."},
    }
    assert reply["channels"] == {team.general.public_id: {"seq": 0, "replayed": 0, "has_more": False}}


class DroppingLayer(RedisChannelLayer):
    """The real Redis layer, losing chosen channel events on the way, as an overloaded layer may."""

    drop_seqs: set[int] = set()

    async def group_send(self, group, message):
        if message.get("type") == "chat.event" and json.loads(message["payload"]).get("seq") in self.drop_seqs:
            return
        await super().group_send(group, message)


@pytest.fixture
def dropping_layer():
    config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    layer = DroppingLayer(**config)
    previous = channel_layers.set("default", layer)
    yield layer
    channel_layers.set("default", previous)


async def test_a_client_that_misses_events_sees_the_seq_jump_and_resume_fills_the_gap(team, sockets, dropping_layer):
    socket = await sockets.session(team.member)
    dropping_layer.drop_seqs = {2, 3}
    posted = await run(post_many, team.general, team.owner, 4, "lossy")
    frames = await socket.recv_until(lambda f: f.get("text") == "lossy3")
    received = [f["seq"] for f in frames if f.get("type") == "message"]
    assert received == [1, 4], "the layer lost seqs 2 and 3"
    # The client's rule: a message whose seq is more than one past the last seen means a gap.
    last_contiguous = received[0]
    assert received[1] > last_contiguous + 1
    replayed, reply = await resume_and_collect(socket, {team.general.public_id: last_contiguous}, frame_id=7)
    assert [(e["seq"], e["text"]) for e in replayed] == [(m.seq, m.text) for m in posted[1:]]
    assert reply["channels"][team.general.public_id]["has_more"] is False


async def test_the_read_marker_is_not_moved_by_a_resume(team, sockets):
    await run(post_many, team.general, team.owner, 3)
    socket = await sockets.session(team.member)
    await resume_and_collect(socket, {team.general.public_id: 0})
    member = await run(ChannelMember.objects.get, channel=team.general, user=team.member)
    assert member.last_read_seq == 0
