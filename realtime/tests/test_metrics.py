"""The gateway's metrics move with what it does: sockets open, events published and frames delivered, resume
replays and their size, and channel-layer failures."""

from __future__ import annotations

import pytest
from channels_redis.core import RedisChannelLayer
from prometheus_client import REGISTRY

from chat.services import message_post
from realtime import transport
from realtime.tests.conftest import run
from slackclone.testing.processes import free_port

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_open_sockets_count_up_and_down(team, sockets):
    before = value("slackclone_sockets_open")
    socket = await sockets.session(team.member)
    assert value("slackclone_sockets_open") == before + 1
    await socket.close()
    assert value("slackclone_sockets_open") == before


async def test_a_message_counts_as_published_once_per_group_and_delivered_once_per_socket(team, sockets):
    first, second = await sockets.session(team.member), await sockets.session(team.other_member)
    published, delivered = value("slackclone_events_published_total"), value("slackclone_frames_delivered_total")
    await run(message_post, sender=team.owner, channel=team.general, text="counted")
    for socket in (first, second):
        await socket.recv_until(lambda frame: frame.get("text") == "counted")
    assert value("slackclone_events_published_total") == published + 1  # one group: the channel's
    assert value("slackclone_frames_delivered_total") >= delivered + 2


async def test_a_resume_records_how_many_events_it_replayed(team, sockets):
    for index in range(3):
        await run(message_post, sender=team.owner, channel=team.general, text=f"missed {index}")
    count, total = value("slackclone_resume_replay_events_count"), value("slackclone_resume_replay_events_sum")
    socket = await sockets.session(team.member, path="/ws/?resume=1")
    await socket.send({"id": 1, "type": "resume", "channels": {team.general.public_id: 0}})
    await socket.recv_until(lambda frame: frame.get("reply_to") == 1)
    assert value("slackclone_resume_replay_events_count") == count + 1
    assert value("slackclone_resume_replay_events_sum") == total + 3


async def test_a_send_the_channel_layer_refuses_is_counted_and_not_raised(monkeypatch):
    unreachable = RedisChannelLayer(hosts=[f"redis://127.0.0.1:{free_port()}/0"])  # nothing listens there
    monkeypatch.setattr(transport, "get_channel_layer", lambda: unreachable)
    before = value("slackclone_channel_layer_errors_total", operation="send")
    typing = {"type": "user_typing", "channel": "C0000000000", "user": "U0000000000", "seq": 1}
    await transport.publish_now(["c.C0000000000"], typing, workspace="T0000000000")
    # The send, and its one retry on a fresh connection (transport.send_to_group), both refused.
    assert value("slackclone_channel_layer_errors_total", operation="send") == before + 2
