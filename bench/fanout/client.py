"""A lean WebSocket client for the benchmark: thousands of connections in one process.

asyncio.Protocol with just enough of RFC 6455 (handshake, unmasked server frames, masked
client frames, ping/pong), so the client spends little CPU per delivery and measures the
server rather than itself. Every server is driven by this same client: ours and the baseline with
text frames, the peers (bench/fanout/peers.py) with text (nchan) or binary frames (MQTT over WebSocket).
"""

from __future__ import annotations

import asyncio
import base64
import os
import struct
import time
from collections.abc import Callable


def _mask(payload: bytes) -> bytes:
    key = os.urandom(4)
    length = len(payload)
    repeated = (key * (length // 4 + 1))[:length]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(length, "big")
    return key + masked


def encode_frame(opcode: int, payload: bytes) -> bytes:
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
    elif length < 65536:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
    return header + _mask(payload)


class Client(asyncio.Protocol):
    """One socket. `on_text(client, payload_bytes)` is called for each text frame, and `on_binary` (when given)
    for each binary frame."""

    def __init__(
        self,
        host: str,
        path: str,
        headers: dict[str, str],
        on_text: Callable,
        number: int,
        on_binary: Callable | None = None,
    ):
        self.host, self.path, self.headers, self.on_text, self.number = host, path, headers, on_text, number
        self.on_binary = on_binary
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.upgraded = False
        self.opened = asyncio.get_running_loop().create_future()
        self.closed = asyncio.get_running_loop().create_future()
        self.close_code: int | None = None
        self.connect_started = time.monotonic()

    def connection_made(self, transport) -> None:
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET {self.path} HTTP/1.1",
            f"Host: {self.host}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
            *(f"{name}: {value}" for name, value in self.headers.items()),
        ]
        transport.write(("\r\n".join(lines) + "\r\n\r\n").encode())

    def data_received(self, data: bytes) -> None:
        transport = self.transport
        if transport is None:  # asyncio calls connection_made first
            return
        buffer = self.buffer + data if self.buffer else data
        if not self.upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                self.buffer = buffer
                return
            status = buffer[: buffer.find(b"\r\n")]
            if b" 101 " not in status:
                if not self.opened.done():
                    self.opened.set_exception(ConnectionError(status.decode(errors="replace")))
                transport.close()
                return
            self.upgraded = True
            if not self.opened.done():
                self.opened.set_result(None)
            buffer = buffer[end + 4 :]
        position, size = 0, len(buffer)
        while size - position >= 2:
            first, second = buffer[position], buffer[position + 1]
            length, header = second & 0x7F, 2
            if length == 126:
                if size - position < 4:
                    break
                length, header = struct.unpack_from("!H", buffer, position + 2)[0], 4
            elif length == 127:
                if size - position < 10:
                    break
                length, header = struct.unpack_from("!Q", buffer, position + 2)[0], 10
            end = position + header + length
            if end > size:
                break
            opcode = first & 0x0F
            payload = buffer[position + header : end]
            position = end
            if opcode == 1:
                self.on_text(self, payload)
            elif opcode == 2 and self.on_binary is not None:
                self.on_binary(self, payload)
            elif opcode == 9:
                transport.write(encode_frame(10, payload))
            elif opcode == 8:
                self.close_code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                transport.close()
        self.buffer = buffer[position:] if position < size else b""

    def connection_lost(self, exc) -> None:
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionError("closed during the handshake"))
        if not self.closed.done():
            self.closed.set_result(self.close_code)

    def send_text(self, text: str) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(encode_frame(1, text.encode()))

    def send_binary(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(encode_frame(2, data))

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(encode_frame(8, struct.pack("!H", 1000)))
            self.transport.close()


async def open_client(
    port: int, path: str, headers: dict[str, str], on_text: Callable, number: int, on_binary: Callable | None = None
) -> Client:
    loop = asyncio.get_running_loop()
    _, client = await loop.create_connection(
        lambda: Client(f"127.0.0.1:{port}", path, headers, on_text, number, on_binary), "127.0.0.1", port
    )
    await client.opened
    return client
