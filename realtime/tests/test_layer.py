"""The channel layer (realtime.layer) on the real Redis: what it sends arrives once and in order, in batches,
beside channels-redis's own layer in both directions, and nothing is lost or repeated when a fetch is cut off."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from channels_redis.core import RedisChannelLayer
from django.conf import settings

from realtime import layer as layer_module
from realtime.layer import _FETCH, RECEIVE_BATCH, BatchedRedisChannelLayer
from realtime.redis_connection import TimeoutBoundConnection


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


async def _close(*layers: Any) -> None:
    """Delete the test's keys (its prefix's, on every shard) and close every layer's connections."""
    await layers[0].flush()
    for layer in layers:
        await layer.close_pools()


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
        await _close(sender, receiver)
        return first + rest, left

    received, left = _run(body)
    assert [message["n"] for message in received] == list(range(count))
    assert all(set(message) == {"type", "n"} for message in received)
    assert left == [count - RECEIVE_BATCH, 0]


def test_two_channels_of_one_process_each_get_their_own_messages(prefix):
    """The gateway's hub and a Socket Mode app's consumer share the process key: the hub's fetch takes the
    app's messages too, and they wait in the app's buffer, in order, for the app's next receive."""

    async def body() -> tuple[list[int], int, list[int]]:
        sender, receiver = _layer(prefix=prefix), _layer(prefix=prefix)
        hub, app = await receiver.new_channel(), await receiver.new_channel()
        await receiver.group_add("hub", hub)
        for number in range(30):
            await sender.group_send("hub", {"type": "chat.event", "n": number})
            if number < 20:
                await sender.send(app, {"type": "app.event", "n": number})
        to_hub = [m["n"] for m in await _receive(receiver, hub, 30)]
        left = await _waiting(receiver, hub)
        to_app = [m["n"] for m in await _receive(receiver, app, 20)]
        await _close(sender, receiver)
        return to_hub, left, to_app

    assert _run(body) == (list(range(30)), 0, list(range(20)))


def test_two_channels_reading_at_once_each_get_their_own_messages(prefix):
    async def body() -> tuple[list[int], list[int]]:
        sender, receiver = _layer(prefix=prefix), _layer(prefix=prefix)
        hub, app = await receiver.new_channel(), await receiver.new_channel()
        await receiver.group_add("hub", hub)
        reading = asyncio.gather(_receive(receiver, hub, 30), _receive(receiver, app, 20))
        for number in range(30):
            await sender.group_send("hub", {"type": "chat.event", "n": number})
            if number < 20:
                await sender.send(app, {"type": "app.event", "n": number})
        to_hub, to_app = await reading
        await _close(sender, receiver)
        return [m["n"] for m in to_hub], [m["n"] for m in to_app]

    assert _run(body) == (list(range(30)), list(range(20)))


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
        await _close(sender, receiver)
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
        await _close(sender, receiver)
        return received

    assert _run(body) == [0, 1, 2, 3, 4, 5]


def test_a_fetch_that_reaches_redis_after_a_later_one_does_nothing(prefix):
    """A cancelled fetch delivered late (a stalled connection) must not put back, or pop, anything."""

    async def body() -> tuple[list[Any], list[int]]:
        sender, receiver = _layer(prefix=prefix), _layer(prefix=prefix)
        channel = await receiver.new_channel()
        await receiver.group_add("g", channel)
        key = receiver.prefix + receiver.non_local_name(channel)
        backup = receiver._backup_channel_name(key)
        receiver._fetch_numbers[key] += 1  # fetch 1: sent, then its caller was cancelled
        late = receiver._fetch_numbers[key]
        for number in range(3):
            await sender.group_send("g", {"type": "chat.event", "n": number})
        received = [m["n"] for m in await _receive(receiver, channel, 3)]  # fetch 2 takes 0-2
        await sender.group_send("g", {"type": "chat.event", "n": 3})
        popped = await _FETCH(  # fetch 1 reaches Redis now
            receiver.connection(0), [key, backup, backup + ":fetch"], [0, late, RECEIVE_BATCH, 60]
        )
        received += [m["n"] for m in await _receive(receiver, channel, 1)]
        assert await _waiting(receiver, channel) == 0
        await _close(sender, receiver)
        return popped, received

    assert _run(body) == ([], [0, 1, 2, 3])


def test_a_fetch_run_twice_hands_out_its_messages_once(prefix):
    """A client that sends the same fetch again (its first answer lost on the way) gets the same messages."""

    async def body() -> tuple[list[Any], list[int]]:
        sender, receiver = _layer(prefix=prefix), _layer(prefix=prefix)
        channel = await receiver.new_channel()
        await receiver.group_add("g", channel)
        for number in range(3):
            await sender.group_send("g", {"type": "chat.event", "n": number})
        key = receiver.prefix + receiver.non_local_name(channel)
        backup = receiver._backup_channel_name(key)
        args = [[key, backup, backup + ":fetch"], [0, 1, RECEIVE_BATCH, 60]]
        first = await _FETCH(receiver.connection(0), *args)  # its answer is lost
        again = await _FETCH(receiver.connection(0), *args)
        receiver._fetch_numbers[key], receiver._arrived[key] = 1, 1  # the second answer arrived
        await sender.group_send("g", {"type": "chat.event", "n": 3})
        after = [m["n"] for m in await _receive(receiver, channel, 1)]
        assert await _waiting(receiver, channel) == 0
        await _close(sender, receiver)
        return [first == again, len(again) // 2], after

    assert _run(body) == ([True, 3], [3])


def test_a_message_that_cannot_be_decoded_is_skipped_and_the_rest_delivered(prefix, caplog):
    async def body() -> list[int]:
        sender, receiver = _layer(prefix=prefix), _layer(prefix=prefix)
        channel = await receiver.new_channel()
        await receiver.group_add("g", channel)
        await sender.group_send("g", {"type": "chat.event", "n": 0})
        key = receiver.prefix + receiver.non_local_name(channel)
        now = time.time()
        await receiver.connection(0).zadd(key, {b"not a message": now + 1})
        await sender.group_send("g", {"type": "chat.event", "n": 1})  # scored after the bad one
        received = [m["n"] for m in await _receive(receiver, channel, 2)]
        await _close(sender, receiver)
        return received

    assert _run(body) == [0, 1]
    assert "could not be decoded" in caplog.text


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
        await _close(sender, receiver)
        return received

    assert _run(body) == [1]


@pytest.mark.parametrize("moment", [*range(1, 7), "wait"], ids=[*(f"step {n}" for n in range(1, 7)), "wait written"])
def test_a_receive_cancelled_at_any_moment_ends_at_once_and_the_next_receive_gets_the_next_message(prefix, moment):
    """With the socket timeout settings.CHANNEL_LAYERS gives, redis-py's own connection writes each command
    under asyncio.wait_for, which on Python 3.11 loses a cancellation that lands as the write completes: the
    receive then went on waiting. Cancelled after its first steps (its fetch), or as its wait (BZPOPMIN) on an
    empty channel has just been written."""

    async def body() -> list[int]:
        config = {"hosts": [{"address": _url(), "socket_timeout": 30}], "prefix": prefix}
        sender, receiver = _layer(**config), _layer(**config)
        channel = await receiver.new_channel()
        await receiver.group_add("g", channel)
        key = receiver.prefix + receiver.non_local_name(channel)
        waiting = asyncio.ensure_future(receiver.receive(channel))
        if moment == "wait":
            while not receiver._arrived[key]:  # the fetch found nothing; in the same step the wait is written
                await asyncio.sleep(0)
        else:
            for _ in range(moment):
                await asyncio.sleep(0)
        waiting.cancel()
        done, _ = await asyncio.wait({waiting}, timeout=2)
        assert waiting in done, "the cancelled receive is still running"
        assert waiting.cancelled()
        await sender.group_send("g", {"type": "chat.event", "n": 1})
        received = [m["n"] for m in await _receive(receiver, channel, 1)]
        await _close(sender, receiver)
        return received

    assert _run(body) == [1]


def test_the_layer_connects_with_connections_that_bound_their_write_by_asyncio_timeout(prefix):
    layer = _layer(hosts=[{"address": _url(), "socket_timeout": 30}, _url()], prefix=prefix)
    assert {layer.create_pool(index).connection_class for index in (0, 1)} == {TimeoutBoundConnection}


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
        await _close(sender, receiver)
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
        await _close(sender, *receivers)
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
        await _close(sender, receiver)
        return full, later

    assert _run(body) == ([0, 1], [4])


def test_a_redis_that_does_not_know_a_script_is_sent_it(prefix, monkeypatch):
    """As after a restart or SCRIPT FLUSH: EVALSHA answers NOSCRIPT, and the script goes by EVAL instead.
    (A SHA no server knows stands in for the flush, which would empty the shared Redis of every script.)"""
    for script in (layer_module._FETCH, layer_module._GROUP_SEND):
        monkeypatch.setattr(script, "sha", "0" * 40)

    async def body() -> list[int]:
        sender, receiver = _layer(prefix=prefix), _layer(prefix=prefix)
        channel = await receiver.new_channel()
        await receiver.group_add("g", channel)
        await sender.group_send("g", {"type": "chat.event", "n": 0})
        await sender.group_send("g", {"type": "chat.event", "n": 1})
        received = [m["n"] for m in await _receive(receiver, channel, 2)]
        await _close(sender, receiver)
        return received

    assert _run(body) == [0, 1]
