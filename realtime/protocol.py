"""Uvicorn's websockets-sansio protocol, made small enough to hold ten thousand idle sockets.

Uvicorn runs the gateway with `--ws realtime.protocol:GatewayWebSocketProtocol` (Procfile,
cluster/up.py, bench/fanout/stack.py). Frames, keepalive pings, flow control and closing are
Uvicorn's own code, unchanged; only per-socket state that an idle socket never uses goes:

* asyncio.Queue and asyncio.Event each allocate empty deques of 64 slots up front (four in a
  Queue, one in an Event). A socket holds at most a message or two (Uvicorn stops reading until
  the application takes each one), so a list made on first use does, and a waiter is made only
  while someone waits.
* The handshake's request and response (their headers) stay referenced for the socket's whole
  life, though nothing reads them once the response is written (the request by websockets' parser
  itself, so its headers are emptied in place).

What each costs a socket: docs/performance.md, Memory per socket.

Every command line that runs it also passes `--ws-per-message-deflate false`: browsers ask for
compression, and with it each socket would keep its own zlib state (tens of KB) and compress every
event once per recipient, undoing the gateway's "serialise once, write the same bytes to every
socket". Chat events are a few hundred bytes.

One more thing it adds: `write_frame`, the gateway's fan-out path. A server's text frame is the same
bytes for every socket (RFC 6455: unmasked; no extension, as compression is off), so the hub frames
each event once per process and writes those bytes to each open socket's transport, instead of an
ASGI send per socket that encodes and frames the same text again. A socket that cannot take it
as it stands (closing, paused by flow control, or with sends still waiting) gets the ASGI send.

Written against uvicorn 0.54.0 (requirements.txt pins it); test_protocol.py runs a real server
with it, so an upgrade that changes what the protocol relies on fails there.
"""

from __future__ import annotations

import asyncio
import struct
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State

TEXT_FIN = 0x81  # FIN and opcode 1 (text)


def server_text_frame(text: str) -> bytes:
    """`text` as one complete, unmasked WebSocket text frame (RFC 6455 section 5.2), as a server sends it."""
    data = text.encode()
    length = len(data)
    if length < 126:
        header = struct.pack("!BB", TEXT_FIN, length)
    elif length < 65536:
        header = struct.pack("!BBH", TEXT_FIN, 126, length)
    else:
        header = struct.pack("!BBQ", TEXT_FIN, 127, length)
    return header + data


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

    __slots__ = ("_set", "_waiters", "waiting")

    def __init__(self) -> None:
        self._set = True
        self._waiters: list[asyncio.Future[bool]] | None = None
        self.waiting = 0  # sends that waited and have not gone on yet (they resume a loop turn after set())

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
        self.waiting += 1
        try:
            return await waiter
        finally:
            self.waiting -= 1
            if self._waiters is not None and waiter in self._waiters:
                self._waiters.remove(waiter)


class GatewayWebSocketProtocol(WebSocketsSansIOProtocol):
    """Uvicorn's websockets-sansio protocol with small receive and flow-control state, dropping
    the handshake once it is answered."""

    writable: Writable  # type: ignore[assignment]  # what Uvicorn uses of asyncio.Event

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = ReceiveQueue()  # type: ignore[assignment]
        self.writable = Writable()
        self.plain_frames = False  # open, and with no extension that would rewrite frames

    def start_keepalive(self) -> None:
        """Uvicorn calls this right after writing the handshake's 101 response, the last use of both."""
        # websockets' ServerProtocol.parse keeps the handshake's Request in its generator's frame for the socket's
        # whole life, so dropping our reference is not enough: its headers are emptied in place.
        if self.request is not None:
            self.request.headers.clear()
        # Uvicorn types both as always set; nothing reads them once the response is written.
        self.request = self.response = None  # type: ignore[assignment]
        self.plain_frames = not self.conn.extensions
        super().start_keepalive()

    def write_frame(self, frame: bytes) -> bool:
        """Write a complete server frame (server_text_frame) now, in order with everything sent before.

        False, with nothing written, when the socket cannot take it as it stands: not open, closing,
        paused by flow control, or with an ASGI send still waiting to go (it must go first). The
        caller then sends the ASGI way, which waits or drops as Uvicorn does.
        """
        if (
            not self.plain_frames
            or self.close_sent
            or self.writable.waiting
            or not self.writable.is_set()
            or self.conn.state is not State.OPEN
            or self.transport.is_closing()
        ):
            return False
        self.transport.write(frame)
        return True
