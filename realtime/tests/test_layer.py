"""The channel layer (realtime.layer) on the real Redis: what it sends arrives once and in order, in batches,
beside channels-redis's own layer in both directions, and nothing is lost or repeated when a fetch is cut off."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import redis.asyncio
from channels_redis.core import RedisChannelLayer
from django.conf import settings

from realtime.layer import _FETCH, RECEIVE_BATCH, BatchedRedisChannelLayer


def _url(db: int | None = None) -> str:
    base = settings.REDIS_URL.rsplit("/", 1)[0] if settings.REDIS_URL.count("/") > 2 else settings.REDIS_URL
    return f"{base}/{db}" if db is not None else settings.REDIS_URL


def _layer(kind: type[RedisChannelLayer] = BatchedRedisChannelLayer, **config: Any) -> Any:
    config.setdefault("hosts", [_url()])
    config.setdefault("capacity", 1000)  # as settings.CHANNEL_LAYERS has it
    return kind(**config)


def _run(body: Callable[[], Awaitable[Any]]) -> Any:
    return asyncio.run(asyncio.wait_for(body(), timeout=20))


@pytest.fixture
def prefix() -> str:
    """Each test's keys apart from every other's, on the shared Redis."""
    return f"t{uuid.uuid4().hex[:12]}"


async def _receive(layer: Any, channel: str, count: int) -> list[dict[str, Any]]:
    return [await asyncio.wait_for(layer.receive(channel), timeout=5) for _ in range(count)]


async def _waiting(layer: Any, channel: str) -> int:
    """How many messages wait in Redis for the process channel `channel` belongs to."""
    key = layer.prefix + layer.non_local_name(channel)
    return int(await layer.connection(layer.consistent_hash(layer.non_local_name(channel))).zcard(key))


def test_group_messages_reach_a_process_channel_once_and_in_order_in_batches(prefix):
    count = 2 * RECEIVE_BATCH + 17

    async def body() -> tuple[list[dict[str, Any]], list[int]]:
        sender, receiver = _layer(prefix=prefix), _layer(prefix=prefix)
        channel = await receiver.new_channel()
        await receiver.group_add("g", channel)
        for number in range(count):
            await sender.group_send("g", {"type": "chat.event", "n": number})
        first = await _receive(receiver, channel, 1)
        left = [await _waiting(receiver, channel)]  # the first fetch took a whole batch
        rest = await _receive(receiver, channel, count - 1)
        left.append(await _waiting(receiver, channel))
        await sender.close_pools()
        await receiver.close_pools()
        return first + rest, left

    received, left = _run(body)
    assert [message["n"] for message in received] == list(range(count))
    assert all(set(message) == {"type", "n"} for message in received)
    assert left == [count - RECEIVE_BATCH, 0]


def test_two_channels_of_one_process_each_get_their_own_messages(prefix):
    """The gateway's hub and a Socket Mode app's consumer read the same process key at once."""

    async def body() -> tuple[list[int], list[int]]:
        sender, receiver = _layer(prefix=prefix), _layer(prefix=prefix)
        hub, app = await receiver.new_channel(), await receiver.new_channel()
        await receiver.group_add("hub", hub)
        await receiver.group_add("app", app)
        reading = asyncio.gather(_receive(receiver, hub, 30), _receive(receiver, app, 20))
        for number in range(30):
            await sender.group_send("hub", {"type": "chat.event", "n": number})
            if number < 20:
                await sender.send(app, {"type": "app.event", "n": number})
        to_hub, to_app = await reading
        await sender.close_pools()
        await receiver.close_pools()
        return [m["n"] for m in to_hub], [m["n"] for m in to_app]

    to_hub, to_app = _run(body)
    assert (to_hub, to_app) == (list(range(30)), list(range(20)))


def test_a_fetch_whose_answer_never_arrived_is_received_again_once(prefix):
    """Redis ran the fetch, the process never read its answer (a receive cancelled mid-round-trip)."""

    async def body() -> list[int]:
        sender, receiver = _layer(prefix=prefix), _layer(prefix=prefix)
        channel = await receiver.new_channel()
        await receiver.group_add("g", channel)
        for number in range(5):
            await sender.group_send("g", {"type": "chat.event", "n": number})
        assert [m["n"] for m in await _receive(receiver, channel, 2)] == [0, 1]  # 2-4 are held in the process
        for number in range(5, 8):
            await sender.group_send("g", {"type": "chat.event", "n": number})
        assert [m["n"] for m in await _receive(receiver, channel, 3)] == [2, 3, 4]
        key = receiver.prefix + receiver.non_local_name(channel)
        backup = receiver._backup_channel_name(key)
        receiver._fetch_numbers[key] += 1  # the lost fetch: it popped 5-7 and its answer went nowhere
        lost = await _FETCH(
            receiver.connection(0),
            [key, backup, backup + ":fetch"],
            [receiver._arrived[key], receiver._fetch_numbers[key], RECEIVE_BATCH, 60],
        )
        assert len(lost) == 6
        await sender.group_send("g", {"type": "chat.event", "n": 8})
        received = [m["n"] for m in await _receive(receiver, channel, 4)]
        assert await _waiting(receiver, channel) == 0
        await sender.close_pools()
        await receiver.close_pools()
        return received

    assert _run(body) == [5, 6, 7, 8]


def test_a_fetch_cut_off_before_it_ran_repeats_nothing(prefix):
    """The fetch never reached Redis: the backup holds what the process already has, and stays out."""

    async def body() -> list[int]:
        sender, receiver = _layer(prefix=prefix), _layer(prefix=prefix)
        channel = await receiver.new_channel()
        await receiver.group_add("g", channel)
        for number in range(4):
            await sender.group_send("g", {"type": "chat.event", "n": number})
        received = [m["n"] for m in await _receive(receiver, channel, 4)]  # the backup still holds 0-3
        key = receiver.prefix + receiver.non_local_name(channel)
        receiver._fetch_numbers[key] += 1  # numbered, then cancelled before its script was sent
        await sender.group_send("g", {"type": "chat.event", "n": 4})
        received += [m["n"] for m in await _receive(receiver, channel, 1)]
        await sender.group_send("g", {"type": "chat.event", "n": 5})
        received += [m["n"] for m in await _receive(receiver, channel, 1)]
        assert await _waiting(receiver, channel) == 0
        await sender.close_pools()
        await receiver.close_pools()
        return received

    assert _run(body) == [0, 1, 2, 3, 4, 5]


def test_a_receive_cancelled_while_waiting_leaves_the_next_message_to_the_next_receive(prefix):
    async def body() -> list[int]:
        sender, receiver = _layer(prefix=prefix), _layer(prefix=prefix)
        channel = await receiver.new_channel()
        await receiver.group_add("g", channel)
        key = receiver.prefix + receiver.non_local_name(channel)
        waiting = asyncio.ensure_future(receiver.receive(channel))
        while not receiver._arrived[key]:  # its fetch found nothing: it goes on to wait in BZPOPMIN
            await asyncio.sleep(0.01)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        await sender.group_send("g", {"type": "chat.event", "n": 1})
        received = [m["n"] for m in await _receive(receiver, channel, 1)]
        await sender.close_pools()
        await receiver.close_pools()
        return received

    assert _run(body) == [1]


@pytest.mark.parametrize(
    ("sending", "receiving"),
    [(RedisChannelLayer, BatchedRedisChannelLayer), (BatchedRedisChannelLayer, RedisChannelLayer)],
    ids=["channels-redis to this layer", "this layer to channels-redis"],
)
def test_processes_on_either_layer_understand_each_other(prefix, sending, receiving):
    """A rolling upgrade runs both side by side: same keys, same messages."""

    async def body() -> list[int]:
        sender, receiver = _layer(sending, prefix=prefix), _layer(receiving, prefix=prefix)
        channel, plain = await receiver.new_channel(), "plainchannel"
        await receiver.group_add("g", channel)
        await receiver.group_add("g", plain)
        for number in range(3):
            await sender.group_send("g", {"type": "chat.event", "n": number})
        received = [m["n"] for m in await _receive(receiver, channel, 3) + await _receive(receiver, plain, 3)]
        await sender.close_pools()
        await receiver.close_pools()
        return received

    assert _run(body) == [0, 1, 2, 0, 1, 2]


def test_a_group_spread_over_two_shards_reaches_every_member(prefix):
    hosts = [_url(10), _url(11)]

    async def body() -> tuple[dict[str, list[int]], set[int]]:
        sender = _layer(prefix=prefix, hosts=hosts)
        receivers, channels, shards = [], [], set()
        while len(shards) < 2 or len(receivers) < 4:  # a process's channel lands on a shard by its random name
            receiver = _layer(prefix=prefix, hosts=hosts)
            channel = await receiver.new_channel()
            receivers.append(receiver)
            channels.append(channel)
            shards.add(sender.consistent_hash(receiver.non_local_name(channel)))
        for channel in channels:
            await sender.group_add("everyone", channel)
        for number in range(3):
            await sender.group_send("everyone", {"type": "chat.event", "n": number})
        received = {
            channel: [m["n"] for m in await _receive(receiver, channel, 3)]
            for receiver, channel in zip(receivers, channels, strict=True)
        }
        for each in (sender, *receivers):
            await each.close_pools()
        return received, shards

    received, shards = _run(body)
    assert shards == {0, 1}
    assert all(numbers == [0, 1, 2] for numbers in received.values())


def test_a_group_send_drops_expired_messages_and_respects_capacity(prefix, monkeypatch):
    async def body() -> tuple[list[int], list[int]]:
        sender, receiver = _layer(prefix=prefix, expiry=60, capacity=2), _layer(prefix=prefix)
        channel = await receiver.new_channel()
        await receiver.group_add("g", channel)
        for number in range(3):  # the third is over capacity, dropped as channels-redis drops it
            await sender.group_send("g", {"type": "chat.event", "n": number})
        full = [m["n"] for m in await _receive(receiver, channel, 2)]
        await sender.group_send("g", {"type": "chat.event", "n": 3})
        now = time.time()
        monkeypatch.setattr(time, "time", lambda: now + 120)  # message 3 is now past its expiry
        await sender.group_add("g", channel)  # the membership stays current at the later time
        await sender.group_send("g", {"type": "chat.event", "n": 4})
        later = [m["n"] for m in await _receive(receiver, channel, 1)]
        await sender.close_pools()
        await receiver.close_pools()
        return full, later

    assert _run(body) == ([0, 1], [4])


def test_a_redis_that_forgot_the_scripts_is_sent_them_again(prefix):
    async def body() -> list[int]:
        sender, receiver = _layer(prefix=prefix), _layer(prefix=prefix)
        channel = await receiver.new_channel()
        await receiver.group_add("g", channel)
        await sender.group_send("g", {"type": "chat.event", "n": 0})
        received = [m["n"] for m in await _receive(receiver, channel, 1)]
        client = redis.asyncio.Redis.from_url(_url())
        await client.script_flush()
        await client.aclose()
        await sender.group_send("g", {"type": "chat.event", "n": 1})
        received += [m["n"] for m in await _receive(receiver, channel, 1)]
        await sender.close_pools()
        await receiver.close_pools()
        return received

    assert _run(body) == [0, 1]
