"""Events fanned out by a real Uvicorn process with the gateway protocol, as the Procfile runs it.

The hub frames each event once and writes the bytes to every open socket (protocol.write_frame):
what a member's socket receives must be the same events, complete and in order, of every length a
frame header encodes differently (under 126 bytes, up to 64 KiB).
"""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from django.db import connection

from realtime.tests.conftest import ORIGIN, session_cookie
from slackclone.testing.processes import stop
from slackclone.tests.test_graceful_shutdown import start_uvicorn

pytestmark = [pytest.mark.integration, pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def anyio_backend():
    return "asyncio"


def test_a_members_socket_gets_every_posted_message_whole_and_in_order(team):
    texts = ["short", "é" * 100, " ".join(["long"] * 3000)]
    process, port = start_uvicorn(f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}")
    try:
        received = asyncio.run(_post_and_receive(port, team, texts))
    finally:
        stop(process)

    assert received == texts


async def _connect(port: int, user) -> websockets.ClientConnection:
    cookie = await asyncio.to_thread(session_cookie, user)
    ws = await websockets.connect(
        f"ws://127.0.0.1:{port}/ws/", origin=ORIGIN, additional_headers={"Cookie": cookie}, open_timeout=10
    )
    assert json.loads(await asyncio.wait_for(ws.recv(), 5)) == {"type": "hello"}
    return ws


async def _post_and_receive(port: int, team, texts: list[str]) -> list[str]:
    poster, listener = await _connect(port, team.owner), await _connect(port, team.member)
    channel = team.general.public_id
    for number, text in enumerate(texts, start=1):
        await poster.send(json.dumps({"id": number, "type": "message", "channel": channel, "text": text}))
    received: list[str] = []
    async with asyncio.timeout(10):
        while len(received) < len(texts):
            event = json.loads(await listener.recv())
            if event.get("type") == "message" and event.get("channel") == channel:
                received.append(event["text"])
    await poster.close()
    await listener.close()
    return received
