"""Uvicorn's websockets-sansio protocol, made small enough to hold ten thousand idle sockets.

Uvicorn runs the gateway with `--ws realtime.protocol:GatewayWebSocketProtocol` (Procfile,
cluster/up.py, bench/fanout/stack.py). Frames, keepalive pings, flow control and closing are
Uvicorn's own code, unchanged; only per-socket state that an idle socket never uses goes:

* asyncio.Queue and asyncio.Event each allocate empty deques of 64 slots up front (four in a
  Queue, one in an Event). A socket holds at most a message or two (Uvicorn stops reading until
  the application takes each one), so a list made on first use does, and a waiter is made only
  while someone waits.
* The handshake's request and response (their headers) stay referenced for the socket's whole
  life, though nothing reads them once the response is written.

What each costs a socket: docs/performance.md, Memory per socket.

Every command line that runs it also passes `--ws-per-message-deflate false`: browsers ask for
compression, and with it each socket would keep its own zlib state (tens of KB) and compress every
event once per recipient, undoing the gateway's "serialise once, write the same bytes to every
socket". Chat events are a few hundred bytes.

Written against uvicorn 0.54.0 (requirements.txt pins it); test_protocol.py runs a real server
with it, so an upgrade that changes what the protocol relies on fails there.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol


class ReceiveQueue:
    """What Uvicorn's protocol uses of asyncio.Queue (put_nowait, get, empty), without its deques.

    An item stays in the queue until a getter takes it, as in asyncio.Queue, so a receive that
    is cancelled while waiting loses nothing.
    """

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: list[Any] | None = None
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: Any) -> None:
        if self._items is None:
            self._items = [item]
        else:
            self._items.append(item)
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def empty(self) -> bool:
        return not self._items

    async def get(self) -> Any:
        while not self._items:
            # One getter at a time (the application's receive loop), as ASGI has it.
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.pop(0)


class Writable:
    """What Uvicorn's protocol uses of asyncio.Event (set, clear, is_set, wait) for flow control,
    with no deque: waiters exist only while the peer reads slower than the socket is written."""

    __slots__ = ("_set", "_waiters")

    def __init__(self) -> None:
        self._set = True
        self._waiters: list[asyncio.Future[bool]] | None = None

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        self._set = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(True)

    def clear(self) -> None:
        self._set = False

    async def wait(self) -> bool:
        if self._set:
            return True
        waiter: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = [waiter]
        else:
            self._waiters.append(waiter)
        try:
            return await waiter
        finally:
            if self._waiters is not None and waiter in self._waiters:
                self._waiters.remove(waiter)


class GatewayWebSocketProtocol(WebSocketsSansIOProtocol):
    """Uvicorn's websockets-sansio protocol with small receive and flow-control state, dropping
    the handshake once it is answered."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = ReceiveQueue()  # type: ignore[assignment]
        self.writable = Writable()  # type: ignore[assignment]

    def start_keepalive(self) -> None:
        """Uvicorn calls this right after writing the handshake's 101 response, the last use of both."""
        # Uvicorn types both as always set; nothing reads them once the response is written.
        self.request = self.response = None  # type: ignore[assignment]
        super().start_keepalive()
