"""Publishing from synchronous code with no event loop to reach (a Celery task, a command, the outbox relay)
goes through one long-lived loop per process and its pooled Redis connection, on the real Redis layer."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels_redis.core import RedisChannelLayer
from django.db import transaction
from django.test import override_settings
from prometheus_client import REGISTRY

from realtime import publisher, transport
from realtime.transport import STALE_CONNECTION_ERRORS
from slackclone.logs import REQUEST_ID
from slackclone.testing.processes import OwnRedis, free_port


def layer_errors() -> float:
    return REGISTRY.get_sample_value("slackclone_channel_layer_errors_total", {"operation": "send"}) or 0.0


def note(text: str) -> dict[str, Any]:
    return {"type": "sm.deliver", "text": text}


async def _join(layer: Any, group: str) -> str:
    channel = await layer.new_channel("test")
    await layer.group_add(group, channel)
    return channel


async def _receive_all(layer: Any, channel: str, count: int) -> list[dict[str, Any]]:
    try:
        return [await asyncio.wait_for(layer.receive(channel), timeout=5) for _ in range(count)]
    finally:
        await layer.close_pools()


@pytest.fixture
def fresh_publisher() -> Iterator[None]:
    """Each test starts with no publisher loop in the process, and leaves none with connections behind."""
    publisher.close()
    yield
    publisher.close()


@pytest.fixture
def own(monkeypatch, fresh_publisher) -> Iterator[OwnRedis]:
    """A redis-server of the test's own, which the transport publishes through."""
    redis_server = OwnRedis().start()
    layer = RedisChannelLayer(hosts=[redis_server.url], prefix="pub")
    monkeypatch.setattr(transport, "get_channel_layer", lambda: layer)
    try:
        yield redis_server
    finally:
        publisher.close()
        redis_server.stop()


def subscriber(own: OwnRedis, group: str) -> tuple[RedisChannelLayer, str]:
    receiver = RedisChannelLayer(hosts=[own.url], prefix="pub")
    return receiver, asyncio.run(_join(receiver, group))


def test_an_event_published_from_a_thread_with_no_loop_reaches_its_subscriber(layer_listener, fresh_publisher):
    listener = layer_listener("sm.Anoloop")
    worker = threading.Thread(target=transport.group_message, args=("sm.Anoloop", note("from a worker thread")))
    worker.start()
    worker.join(timeout=10)
    assert listener.receive()["text"] == "from a worker thread"


def test_many_publishes_share_one_loop_and_one_redis_connection(own):
    receiver, channel = subscriber(own, "sm.Ashared")
    inspector = redis.Redis.from_url(own.url)
    connections_before = inspector.info("stats")["total_connections_received"]
    loops = set()
    for number in range(50):
        transport.group_message("sm.Ashared", note(f"event {number}"))
        loops.add(id(publisher._loop_thread().loop))
    assert inspector.info("stats")["total_connections_received"] == connections_before + 1
    assert len(loops) == 1
    received = asyncio.run(_receive_all(receiver, channel, 50))
    assert [message["text"] for message in received] == [f"event {number}" for number in range(50)]
    inspector.close()


def test_a_batch_reuses_the_loop_of_single_sends(own):
    receiver, channel = subscriber(own, "sm.Abatch")
    transport.group_message("sm.Abatch", note("single"))
    first_loop = publisher._loop_thread().loop
    transport.group_messages([("sm.Abatch", note(f"batched {number}")) for number in range(40)])
    assert publisher._loop_thread().loop is first_loop
    received = asyncio.run(_receive_all(receiver, channel, 41))
    assert sorted(message["text"] for message in received)[-1] == "single"


def _publish_in_child(connection: Any, group: str) -> None:
    try:
        transport.group_message(group, note("from the child"))
        current = publisher._current
        connection.send(("sent", current is not None and current.pid == os.getpid()))
    except Exception as exc:
        connection.send(("failed", repr(exc)))


def test_a_forked_child_publishes_on_a_loop_of_its_own_and_the_parent_still_does(own):
    receiver, channel = subscriber(own, "sm.Afork")
    transport.group_message("sm.Afork", note("parent before the fork"))  # the parent's loop and pool exist
    context = multiprocessing.get_context("fork")
    parent_end, child_end = context.Pipe()
    child = context.Process(target=_publish_in_child, args=(child_end, "sm.Afork"))
    child.start()
    assert parent_end.poll(20), "the child did not answer"
    outcome = parent_end.recv()
    child.join(timeout=10)
    transport.group_message("sm.Afork", note("parent after the fork"))
    assert outcome == ("sent", True), "the child made a loop of its own and sent on it"
    received = asyncio.run(_receive_all(receiver, channel, 3))
    assert [message["text"] for message in received] == [
        "parent before the fork",
        "from the child",
        "parent after the fork",
    ]


def test_a_layer_redis_that_refuses_connections_fails_the_send_as_before(monkeypatch, fresh_publisher):
    unreachable = RedisChannelLayer(hosts=[f"redis://127.0.0.1:{free_port()}/0"])  # nothing listens there
    monkeypatch.setattr(transport, "get_channel_layer", lambda: unreachable)
    before = layer_errors()
    with pytest.raises(STALE_CONNECTION_ERRORS):
        transport.group_message("sm.Adown", note("lost"))
    # The send, its one retry on a fresh connection, and the failed call.
    assert layer_errors() == before + 2


@pytest.mark.django_db(transaction=True)
def test_an_event_after_commit_with_the_layer_down_is_logged_not_raised(monkeypatch, caplog, fresh_publisher):
    unreachable = RedisChannelLayer(hosts=[f"redis://127.0.0.1:{free_port()}/0"])
    monkeypatch.setattr(transport, "get_channel_layer", lambda: unreachable)
    before = layer_errors()
    typing = {"type": "user_typing", "channel": "C0000000000", "user": "U0000000000", "seq": 1}
    with caplog.at_level(logging.ERROR, logger="django.db.backends.base"), transaction.atomic():
        transport.publish(["c.C0000000000"], typing, workspace="T0000000000")
    assert "send_after_commit in on_commit()" in caplog.text
    assert layer_errors() == before + 2


def test_a_redis_that_takes_the_connection_but_never_answers_fails_the_send_in_time(own, monkeypatch):
    receiver, channel = subscriber(own, "sm.Ahung")
    transport.group_message("sm.Ahung", note("before"))  # a pooled connection, then Redis stops answering
    monkeypatch.setattr(publisher, "SEND_TIMEOUT_SECONDS", 0.5)
    assert own.process is not None
    before = layer_errors()
    os.kill(own.process.pid, signal.SIGSTOP)
    started = time.monotonic()
    try:
        with pytest.raises(TimeoutError):
            transport.group_message("sm.Ahung", note("while hung"))
    finally:
        os.kill(own.process.pid, signal.SIGCONT)
    assert time.monotonic() - started < 5
    assert layer_errors() == before + 1
    transport.group_message("sm.Ahung", note("after"))  # the loop is still there and sends again
    texts = [message["text"] for message in asyncio.run(_receive_all(receiver, channel, 2))]
    assert texts[0] == "before"
    assert texts[-1] in ("while hung", "after")


def test_the_callers_context_reaches_the_coroutine(fresh_publisher):
    async def request_id(layer: Any) -> str | None:
        return REQUEST_ID.get()

    token = REQUEST_ID.set("req-publisher-1")
    try:
        assert publisher.run_sync(get_channel_layer(), request_id) == "req-publisher-1"
    finally:
        REQUEST_ID.reset(token)


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.anyio
async def test_sync_code_the_server_runs_publishes_without_waiting_for_the_servers_loop(fresh_publisher):
    """A gateway or view thread sends its event on the process's publisher loop: the server's own loop, busy
    writing to sockets under load, is not in the way. Here that loop is blocked outright until the thread's
    publish returns, which a publish through the server's loop would never do."""
    layer = get_channel_layer()
    channel = await _join(layer, "sm.Aserver")
    published = threading.Event()

    def publish_from_a_server_thread() -> None:
        transport.group_message("sm.Aserver", note("from a gateway thread"))
        published.set()

    call = asyncio.ensure_future(sync_to_async(publish_from_a_server_thread, thread_sensitive=False)())
    await asyncio.sleep(0)  # the task hands the function to a worker thread
    assert published.wait(timeout=5), "the thread's publish waited for the server's (blocked) loop"
    await call
    message = await asyncio.wait_for(layer.receive(channel), timeout=5)
    assert message["text"] == "from a gateway thread"
    assert publisher._current is not None
    await layer.group_discard("sm.Aserver", channel)


@pytest.mark.anyio
async def test_the_in_memory_layer_wakes_a_receiver_on_the_servers_loop(fresh_publisher):
    with override_settings(CHANNEL_LAYERS={"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}):
        layer = get_channel_layer()
        assert isinstance(layer, InMemoryChannelLayer)
        channel = await _join(layer, "sm.Amemory")
        waiting = asyncio.create_task(layer.receive(channel))
        await asyncio.sleep(0)  # the receiver waits on the queue before the event is sent
        await sync_to_async(transport.group_message)("sm.Amemory", note("in memory"))
        message = await asyncio.wait_for(waiting, timeout=5)
    assert message["text"] == "in memory"


def test_the_in_memory_layer_keeps_an_event_sent_from_a_thread_with_no_loop(fresh_publisher):
    with override_settings(CHANNEL_LAYERS={"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}):
        layer = get_channel_layer()
        channel = async_to_sync(_join)(layer, "sm.Amemory2")
        transport.group_message("sm.Amemory2", note("kept"))
        message = async_to_sync(layer.receive)(channel)
    assert message["text"] == "kept"
    assert publisher._current is None, "the in-memory layer has no connections to keep on a loop"
