"""A lean HTTP/1.1 client with keep-alive connections, for many people's requests from one process.

The load's HTTP is small JSON requests to one loopback server, so a handful of persistent connections
carry it all: each request borrows an idle connection (or opens one, up to `size`), and a connection
the server closed is opened again once. Bodies come back by Content-Length or chunked.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

IDLE_REUSE_S = 4.0  # Uvicorn closes a keep-alive connection idle for 5 s


@dataclass
class Response:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else {}


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer
        self.used_at = time.monotonic()

    async def exchange(self, request: bytes) -> tuple[Response, bool]:
        """Send one request; the response and whether the connection may carry another."""
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._chunked()
        else:
            body = await self.reader.read()
        framed = "content-length" in headers or "chunked" in headers.get("transfer-encoding", "").lower()
        keep = framed and headers.get("connection", "").lower() != "close"
        return Response(status, body), keep

    async def _chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    def close(self) -> None:
        self.writer.close()


class HttpPool:
    """At most `size` keep-alive connections to 127.0.0.1:`port`."""

    def __init__(self, port: int, size: int = 16):
        self.port, self.size = port, size
        self.idle: list[_Connection] = []
        self.slots = asyncio.Semaphore(size)
        self.opened = 0

    async def request(
        self, method: str, path: str, *, headers: dict[str, str], body: bytes = b"", content_type: str = ""
    ) -> Response:
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", "Accept: application/json"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body or method != "GET":
            lines += [f"Content-Length: {len(body)}"] + ([f"Content-Type: {content_type}"] if content_type else [])
        request = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        async with self.slots:
            for attempt in range(2):
                connection = self._reuse() if attempt == 0 else None
                connection = connection or await self._open()
                try:
                    response, keep = await connection.exchange(request)
                except (ConnectionError, asyncio.IncompleteReadError):
                    connection.close()
                    if attempt:
                        raise
                    continue  # a kept connection the server had closed meanwhile: once more, on a new one
                if keep:
                    connection.used_at = time.monotonic()
                    self.idle.append(connection)
                else:
                    connection.close()
                return response
        raise ConnectionError("unreachable")

    def _reuse(self) -> _Connection | None:
        """The most recently used idle connection; those idle longer than the server keeps them are closed."""
        while self.idle:
            connection = self.idle.pop()
            if time.monotonic() - connection.used_at < IDLE_REUSE_S:
                return connection
            connection.close()
        return None

    async def _open(self) -> _Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port, limit=1 << 22)
        self.opened += 1
        return _Connection(reader, writer)

    def close(self) -> None:
        for connection in self.idle:
            connection.close()
        self.idle.clear()


def multipart(fields: dict[str, str], file_name: str, content: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body with text fields and one file, and its Content-Type."""
    boundary = "----workload7d1f0c"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
        "Content-Type: text/plain\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
