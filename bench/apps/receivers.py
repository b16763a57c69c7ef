"""What stands in for 50 Slack apps: Socket Mode sockets and an HTTP request URL, in the bench's event loop.

Both record, for each (app, message), the moment its event arrived, and check what a Bolt app checks:
the Socket Mode envelope's shape (acked at once, as Bolt acks), and the HTTP request's Slack signature.
They are lean on purpose (the fan-out bench's WebSocket client, httptools for HTTP), so the bench
measures the server rather than itself.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field

import httptools

from bench.fanout.client import Client, open_client

TEXT_PREFIX = "apps-bench"


def message_key(text: str) -> tuple[str, int] | None:
    """(phase, sequence) from a bench message's text: `apps-bench <phase> <seq>`."""
    parts = text.split(" ")
    if len(parts) != 3 or parts[0] != TEXT_PREFIX or not parts[2].isdigit():
        return None
    return parts[1], int(parts[2])


@dataclass
class Arrivals:
    """When each app received each message's event (time.perf_counter()), and what went wrong."""

    times: dict[tuple[str, int], dict[int, float]] = field(default_factory=lambda: defaultdict(dict))
    duplicated: int = 0
    bad_signatures: int = 0
    bad_envelopes: int = 0

    def record(self, app_number: int, event: dict) -> None:
        key = message_key(event.get("text", "")) if event.get("type") == "message" else None
        if key is None:
            return
        seen = self.times[key]
        if app_number in seen:
            self.duplicated += 1
        else:
            seen[app_number] = time.perf_counter()


class SocketModeApps:
    """One Socket Mode connection per app; each events_api envelope is acked as soon as it is read."""

    def __init__(self, arrivals: Arrivals) -> None:
        self.arrivals = arrivals
        self.clients: list[Client] = []
        self.hellos = 0

    def on_text(self, client: Client, payload: bytes) -> None:
        frame = json.loads(payload)
        kind = frame.get("type")
        if kind == "hello":
            self.hellos += 1
            return
        if kind != "events_api":
            return
        envelope_id = frame.get("envelope_id")
        inner = frame.get("payload") or {}
        if not envelope_id or inner.get("type") != "event_callback" or "event_id" not in inner:
            self.arrivals.bad_envelopes += 1
            return
        client.send_text(json.dumps({"envelope_id": envelope_id}))
        self.arrivals.record(client.number, inner.get("event") or {})

    async def connect(self, port: int, paths: list[str]) -> None:
        for number, path in enumerate(paths):
            self.clients.append(await open_client(port, path, {}, self.on_text, number))
        deadline = time.monotonic() + 10
        while self.hellos < len(paths) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if self.hellos < len(paths):
            raise RuntimeError(f"{self.hellos} of {len(paths)} Socket Mode sockets said hello")

    def close(self) -> None:
        for client in self.clients:
            client.close()


class _Request:
    """httptools' callbacks for the requests on one connection, one at a time."""

    def __init__(self) -> None:
        self.on_message_begin()

    def on_message_begin(self) -> None:
        self.url = b""
        self.headers: dict[bytes, bytes] = {}
        self.body = bytearray()
        self.complete = False

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.lower()] = value

    def on_body(self, body: bytes) -> None:
        self.body += body

    def on_message_complete(self) -> None:
        self.complete = True


class _RequestUrlProtocol(asyncio.Protocol):
    """One connection from the server: keep-alive, as an app's web server (or the proxy before it) keeps it."""

    def __init__(self, server: HttpApps) -> None:
        self.server = server
        self.request = _Request()
        self.parser = httptools.HttpRequestParser(self.request)
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self._answer(400, b"", close=True)
            return
        if self.request.complete:
            close = not self.parser.should_keep_alive()
            self._answer(200, self.server.handle(self.request), close=close)
            self.request.complete = False

    def _answer(self, status: int, body: bytes, *, close: bool) -> None:
        assert self.transport is not None
        head = f"HTTP/1.1 {status} OK\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n"
        self.transport.write(head.encode() + (b"Connection: close\r\n" if close else b"") + b"\r\n" + body)
        if close:
            self.transport.close()


class HttpApps:
    """One request URL per app (`/app/<number>`) on one listening socket: verifies Slack's signature,
    answers url_verification's challenge, records each event."""

    def __init__(self, arrivals: Arrivals) -> None:
        self.arrivals = arrivals
        self.secrets: dict[int, bytes] = {}
        self.server: asyncio.base_events.Server | None = None

    def handle(self, request: _Request) -> bytes:
        number = int(request.url.rsplit(b"/", 1)[-1])
        body = bytes(request.body)
        timestamp = request.headers.get(b"x-slack-request-timestamp", b"")
        expected = "v0=" + hmac.new(self.secrets[number], b"v0:" + timestamp + b":" + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected.encode(), request.headers.get(b"x-slack-signature", b"")):
            self.arrivals.bad_signatures += 1
            return b""
        envelope = json.loads(body)
        if envelope.get("type") == "url_verification":
            return envelope["challenge"].encode()
        self.arrivals.record(number, envelope.get("event") or {})
        return b""

    async def listen(self, port: int) -> None:
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(lambda: _RequestUrlProtocol(self), "127.0.0.1", port, backlog=1024)

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
