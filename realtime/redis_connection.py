"""The asyncio Redis connections of the real-time code: redis-py's, with a command's write bounded by
asyncio.timeout.

redis-py bounds a command's write by the socket timeout with asyncio.wait_for. On Python 3.11 that costs a
task per command, and it can lose a cancellation: when its caller is cancelled just as the write completes,
3.11's wait_for returns the write's result instead of raising (CPython gh-86296, gone in 3.12, whose
wait_for is built on asyncio.timeout). The command then reads its answer as if nothing had happened, and a
loop around it goes on after it was cancelled, so whoever cancelled it waits for it: a channel layer's
receive waits in BZPOPMIN, again and again, until a message comes for a channel its consumer has left (Daphne
kills such a consumer after its close timeout of 10 s; Uvicorn keeps it until the process ends); a hub's
upkeep or a socket's heartbeat goes on. asyncio.timeout needs no task and leaves a cancellation from outside
as it was; redis-py already reads under it.

`pool_from_url` makes the pools of the channel layer (realtime.layer) and of the shared store
(realtime.store), whatever connection class the URL's scheme names (TCP, TLS or a Unix socket).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from redis.asyncio.connection import (
    AbstractConnection,
    Connection,
    ConnectionPool,
    SSLConnection,
    UnixDomainSocketConnection,
    parse_url,
)
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError


class _TimeoutBoundWrite(AbstractConnection):
    """A command's write fails as redis-py's does (the same errors, the connection dropped), but under
    asyncio.timeout instead of asyncio.wait_for."""

    async def send_packed_command(self, command: bytes | str | Iterable[bytes], check_health: bool = True) -> None:
        if not self.is_connected:
            await self.connect_check_health(check_health=False)
        if check_health:
            await self.check_health()  # type: ignore[no-untyped-call]  # unannotated in redis-py
        if isinstance(command, str):
            command = command.encode()
        if isinstance(command, bytes):
            command = [command]
        writer = self._writer
        if writer is None:
            raise RedisConnectionError("Connection closed before its command was written")
        try:
            async with asyncio.timeout(self.socket_timeout or None):
                writer.writelines(command)
                await writer.drain()
        except TimeoutError:  # asyncio.timeout's; before OSError, which it is one of
            await self.disconnect(nowait=True)
            raise RedisTimeoutError("Timeout writing to socket") from None
        except OSError as error:
            await self.disconnect(nowait=True)
            raise RedisConnectionError(f"Error while writing to socket: {error}") from error
        except BaseException:
            # A write cut off midway leaves the connection unusable, as redis-py says: drop it.
            await self.disconnect(nowait=True)
            raise


class TimeoutBoundConnection(_TimeoutBoundWrite, Connection):
    """TCP."""


class TimeoutBoundSSLConnection(_TimeoutBoundWrite, SSLConnection):
    """TLS (`rediss://`)."""


class TimeoutBoundUnixConnection(_TimeoutBoundWrite, UnixDomainSocketConnection):
    """A Unix socket (`unix://`)."""


TIMEOUT_BOUND: dict[type[AbstractConnection], type[AbstractConnection]] = {
    Connection: TimeoutBoundConnection,
    SSLConnection: TimeoutBoundSSLConnection,
    UnixDomainSocketConnection: TimeoutBoundUnixConnection,
}


def pool_from_url(url: str, pool_class: type[ConnectionPool] = ConnectionPool, **options: Any) -> ConnectionPool:
    """`pool_class.from_url(url, **options)`, its connections of the class the URL's scheme names, bound."""
    kwargs: dict[str, Any] = {**options, **parse_url(url)}  # the URL's options win, as in from_url
    kwargs["connection_class"] = TIMEOUT_BOUND[kwargs.get("connection_class", Connection)]
    return pool_class(**kwargs)
