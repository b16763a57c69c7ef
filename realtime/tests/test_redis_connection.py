"""The real-time code's Redis connection: a cancellation always reaches the command's caller, and a write
the server does not take fails as redis-py's does."""

from __future__ import annotations

import asyncio
import os
import signal
import uuid

import pytest
from django.conf import settings
from redis import asyncio as aioredis
from redis.exceptions import TimeoutError as RedisTimeoutError

from realtime.redis_connection import (
    TimeoutBoundConnection,
    TimeoutBoundSSLConnection,
    TimeoutBoundUnixConnection,
    pool_from_url,
)
from realtime.store import RedisStore
from slackclone.testing.processes import OwnRedis


def _client(url: str, socket_timeout: float) -> aioredis.Redis:
    return aioredis.Redis(connection_pool=pool_from_url(url, socket_timeout=socket_timeout))


@pytest.mark.parametrize("steps", range(1, 7))
def test_a_blocking_command_cancelled_at_any_step_of_its_write_ends_at_once(steps):
    """redis-py's own connection, with a socket timeout, loses a cancellation that lands as the write
    completes (Python 3.11's asyncio.wait_for), and its BZPOPMIN then waits out its whole timeout."""

    async def body() -> None:
        client = _client(settings.REDIS_URL, socket_timeout=30)
        await client.ping()  # connected: the steps below are the command's own
        waiting = asyncio.ensure_future(client.bzpopmin(f"empty:{uuid.uuid4().hex}", timeout=5))
        for _ in range(steps):
            await asyncio.sleep(0)
        waiting.cancel()
        done, _ = await asyncio.wait({waiting}, timeout=1)
        assert waiting in done, f"the command was still running 1 s after it was cancelled at step {steps}"
        assert waiting.cancelled()
        await client.aclose()

    asyncio.run(body())


def test_a_write_the_server_does_not_take_fails_after_the_socket_timeout_and_drops_the_connection():
    own = OwnRedis().start()
    assert own.process is not None
    try:

        async def body() -> None:
            client = _client(own.url, socket_timeout=0.5)
            connection = await client.connection_pool.get_connection()
            await connection.send_command("PING")
            assert await connection.read_response() == b"PONG"
            os.kill(own.process.pid, signal.SIGSTOP)  # the server reads nothing more
            try:
                with pytest.raises(RedisTimeoutError, match="Timeout writing to socket"):
                    await connection.send_command("SET", "big", b"x" * (64 << 20))  # beyond the socket buffers
                assert not connection.is_connected
            finally:
                os.kill(own.process.pid, signal.SIGCONT)
            await client.aclose()

        asyncio.run(asyncio.wait_for(body(), timeout=20))
    finally:
        own.stop()


@pytest.mark.parametrize(
    ("url", "connection_class", "db"),
    [
        ("redis://127.0.0.1:6379/3", TimeoutBoundConnection, 3),
        ("rediss://redis.example:6380/0", TimeoutBoundSSLConnection, 0),
        ("unix:///run/redis.sock?db=2", TimeoutBoundUnixConnection, 2),
    ],
)
def test_a_pool_connects_as_its_urls_scheme_says_and_the_urls_options_win(url, connection_class, db):
    pool = pool_from_url(url, aioredis.BlockingConnectionPool, max_connections=3, socket_timeout=7, db=9)
    assert isinstance(pool, aioredis.BlockingConnectionPool)
    assert pool.connection_class is connection_class
    assert pool.max_connections == 3
    assert pool.connection_kwargs["socket_timeout"] == 7
    assert pool.connection_kwargs["db"] == db  # the URL's, not the db=9 given beside it


def test_the_shared_store_connects_with_them():
    assert RedisStore(settings.REDIS_URL).redis.connection_pool.connection_class is TimeoutBoundConnection
