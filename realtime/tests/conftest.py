"""Socket tests: the real ASGI application over WebsocketCommunicator, on PostgreSQL and the Redis layer.

The gateway reads and writes in worker threads, which cannot see a test's uncommitted
transaction, so these tests commit for real (transaction=True) and every event goes through
the real channel layer and the process hub, as in production.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.utils.module_loading import import_string

from integrations.tokens import api_token_create
from realtime import clock
from slackclone.asgi import application

ORIGIN = "http://127.0.0.1:8000"


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(autouse=True)
def _presence_without_throttle(monkeypatch, settings):
    """Announce each presence change at once, so no deferred announcement lands in the middle of a test."""
    from realtime import presence

    monkeypatch.setattr(presence, "THROTTLE_SECONDS", 0.0)
    settings.PRESENCE_BATCH_SECONDS = 0


class WallClock:
    """The gateway's wall clock (realtime.clock), stopped: it moves only when the test moves it."""

    def __init__(self, start: float):
        self.at = start

    def now(self) -> float:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += seconds


@pytest.fixture
def wall_clock(monkeypatch) -> WallClock:
    """Stop the gateway's wall clock at the current whole second; `wall_clock.advance(s)` moves it on.

    A whole second, because the store's Redis scripts keep times with 14 significant digits: a stopped
    time they round up would read as a moment in the past.
    """
    stopped = WallClock(float(int(time.time())))
    monkeypatch.setattr(clock, "now", stopped.now)
    return stopped


def session_cookie(user) -> str:
    """A signed-in browser session for the user, as the login view would leave it."""
    session = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def token_for(user, workspace) -> str:
    return api_token_create(actor=user, user=user, workspace=workspace, name="socket test")[1]


class Socket:
    """A test client: connect, send frames, and read events (JSON) with timeouts."""

    def __init__(self, headers: list[tuple[bytes, bytes]], path: str = "/ws/"):
        self.communicator = WebsocketCommunicator(application, path, headers=headers)
        self.connected = False

    async def connect(self, *, expect_hello: bool = True) -> Socket:
        connected, _ = await self.communicator.connect(timeout=5)
        assert connected, "the handshake was refused"
        self.connected = True
        if expect_hello:
            assert await self.recv() == {"type": "hello"}
        return self

    async def send(self, frame: dict[str, Any] | str) -> None:
        await self.communicator.send_to(text_data=frame if isinstance(frame, str) else json.dumps(frame))

    async def recv_raw(self, timeout: float = 3.0) -> dict[str, Any]:
        return await self.communicator.receive_output(timeout)

    async def recv(self, timeout: float = 3.0, *, presence: bool = False) -> dict[str, Any]:
        """The next frame; presence news is skipped unless asked for (it comes whenever people connect)."""
        while True:
            output = await self.recv_raw(timeout)
            assert output["type"] == "websocket.send", f"expected a frame, got {output}"
            frame = json.loads(output["text"])
            if presence or frame.get("type") != "presence_change":
                return frame

    async def recv_until(self, predicate, timeout: float = 3.0, *, presence: bool = False) -> list[dict[str, Any]]:
        """Frames up to and including the first that matches."""
        seen = []
        while True:
            frame = await self.recv(timeout, presence=presence)
            seen.append(frame)
            if predicate(frame):
                return seen

    async def request(self, frame: dict[str, Any], timeout: float = 5.0) -> dict[str, Any]:
        """Send a frame with an id and return its reply, skipping events that arrive first."""
        await self.send(frame)
        frames = await self.recv_until(lambda f: f.get("reply_to") == frame["id"], timeout)
        return frames[-1]

    async def expect_close(self, timeout: float = 3.0) -> int:
        while True:
            output = await self.recv_raw(timeout)
            if output["type"] == "websocket.close":
                self.connected = False
                return output.get("code")

    async def drain(self, wait: float = 0.3) -> list[dict[str, Any]]:
        """Every frame that arrives within `wait` seconds, presence news included.

        A timeout of `recv` would end the socket (the communicator cancels the application), so this
        waits with receive_nothing instead."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        frames = []
        while (left := deadline - loop.time()) > 0:
            if await self.communicator.receive_nothing(timeout=left, interval=0.02):
                break
            frames.append(await self.recv(0.1, presence=True))
        return frames

    async def nothing(self, wait: float = 0.3) -> None:
        """Nothing arrives for `wait` seconds but presence news about other people."""
        for frame in await self.drain(wait):
            assert frame.get("type") == "presence_change", f"an unexpected frame arrived: {frame}"

    async def close(self) -> None:
        await self.communicator.disconnect()


@pytest.fixture
async def sockets():
    """Open sockets with `await sockets.session(user)` / `sockets.token(user, workspace)`; all close after the test."""

    class Opener:
        def __init__(self):
            self.opened: list[Socket] = []

        def _new(self, headers, path="/ws/") -> Socket:
            socket = Socket(headers, path)
            self.opened.append(socket)
            return socket

        async def session(self, user, *, origin: str | None = ORIGIN, path: str = "/ws/", hello: bool = True):
            cookie = await sync_to_async(session_cookie)(user)
            headers = [(b"cookie", cookie.encode())]
            if origin is not None:
                headers.append((b"origin", origin.encode()))
            return await self._new(headers, path).connect(expect_hello=hello)

        async def token(self, user, workspace, *, hello: bool = True):
            raw = await sync_to_async(token_for)(user, workspace)
            return await self._new([(b"authorization", f"Bearer {raw}".encode())]).connect(expect_hello=hello)

        def raw(self, headers, path="/ws/") -> Socket:
            return self._new(headers, path)

    opener = Opener()
    yield opener
    for socket in opener.opened:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(socket.close(), 5)


def run(func, /, *args, **kwargs):
    """Call sync code (services, factories) from an async test."""
    return sync_to_async(func)(*args, **kwargs)
