"""A channel-layer Redis that restarts: the first event sent after it is back is delivered, not lost to a
connection the layer pooled before the restart."""

from __future__ import annotations

import asyncio

import pytest
from channels_redis.core import RedisChannelLayer

from realtime.transport import STALE_CONNECTION_ERRORS, send_to_group
from slackclone.testing.processes import OwnRedis


async def _send_after_a_restart(redis: OwnRedis, *, retrying: bool) -> dict:
    sender = RedisChannelLayer(hosts=[redis.url])
    await sender.group_send("warm", {"type": "chat.event"})  # the sender's pool now holds a connection
    await asyncio.to_thread(redis.stop)
    await asyncio.to_thread(redis.start)  # same port, empty
    receiver = RedisChannelLayer(hosts=[redis.url])
    channel = await receiver.new_channel()
    await receiver.group_add("c.after", channel)
    message = {"type": "chat.event", "payload": "first after the restart"}
    if retrying:
        await send_to_group(sender, "c.after", message)
    else:
        await sender.group_send("c.after", message)
    received = await asyncio.wait_for(receiver.receive(channel), timeout=5)
    await sender.close_pools()
    await receiver.close_pools()
    return received


def test_the_first_event_after_a_layer_restart_reaches_its_group():
    redis = OwnRedis().start()
    try:
        received = asyncio.run(_send_after_a_restart(redis, retrying=True))
    finally:
        redis.stop()
    assert received["payload"] == "first after the restart"


def test_without_the_second_try_that_event_would_be_lost():
    """The case the retry is for: the pooled connection fails on the first use after the restart."""
    redis = OwnRedis().start()
    try:
        with pytest.raises(STALE_CONNECTION_ERRORS):
            asyncio.run(_send_after_a_restart(redis, retrying=False))
    finally:
        redis.stop()
