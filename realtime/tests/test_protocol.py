"""The gateway's Uvicorn protocol (realtime.protocol): Uvicorn's behaviour with smaller per-socket state."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os

import pytest
import uvicorn
from websockets.asyncio.client import connect

from realtime.protocol import GatewayWebSocketProtocol, ReceiveQueue, Writable, server_text_frame
from slackclone.testing.processes import free_port

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


async def test_receive_queue_hands_out_each_message_once_in_order():
    queue = ReceiveQueue()
    waiting = asyncio.ensure_future(queue.get())
    await asyncio.sleep(0)
    queue.put_nowait("connect")
    queue.put_nowait("receive")
    assert await waiting == "connect"
    assert not queue.empty()
    assert await queue.get() == "receive"
    assert queue.empty()


async def test_a_receive_cancelled_while_waiting_loses_no_message():
    queue = ReceiveQueue()
    waiting = asyncio.ensure_future(queue.get())
    await asyncio.sleep(0)
    queue.put_nowait("disconnect")
    waiting.cancel()  # cancelled after the message arrived but before the getter ran
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert await asyncio.wait_for(queue.get(), 1) == "disconnect"


async def test_writes_wait_while_the_peer_reads_slowly_and_go_on_when_it_drains():
    writable = Writable()
    assert await writable.wait() is True
    writable.clear()
    waiting = [asyncio.ensure_future(writable.wait()) for _ in range(2)]
    await asyncio.sleep(0.05)
    assert not any(w.done() for w in waiting)
    writable.set()
    assert await asyncio.gather(*waiting) == [True, True]


async def _echo(scope, receive, send):
    assert (await receive())["type"] == "websocket.connect"
    await send({"type": "websocket.accept"})
    while (message := await receive())["type"] == "websocket.receive":
        await send({"type": "websocket.send", "text": message["text"]})


@contextlib.asynccontextmanager
async def serving(app=_echo, **options):
    """A real Uvicorn server on this loop, as the Procfile runs it (`--ws realtime.protocol:...`)."""
    port = free_port()
    config = uvicorn.Config(app, port=port, ws="realtime.protocol:GatewayWebSocketProtocol", lifespan="off", **options)
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield server, port
    finally:
        server.should_exit = True
        await task


async def test_a_socket_on_the_gateway_protocol_talks_both_ways_and_keeps_no_handshake():
    async with serving(log_level="warning") as (server, port), connect(f"ws://127.0.0.1:{port}/ws/") as client:
        await client.send("hello")
        assert await asyncio.wait_for(client.recv(), 2) == "hello"
        [protocol] = list(server.server_state.connections)
        assert isinstance(protocol, GatewayWebSocketProtocol)
        assert protocol.request is None
        assert protocol.response is None
        kept = protocol.conn.parser.gi_frame.f_locals["request"]  # websockets' parser holds it to the end
        assert list(kept.headers.raw_items()) == []


async def test_a_peer_that_stops_answering_pings_is_closed():
    async with serving(log_level="warning", ws_ping_interval=0.1, ws_ping_timeout=0.2) as (_server, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                f"GET /ws/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        assert b" 101 " in await reader.readuntil(b"\r\n\r\n")
        # This peer reads nothing and answers no ping: the server gives up on it by itself.
        await asyncio.wait_for(reader.read(), 3)  # returns at EOF
        assert reader.at_eof()
        writer.close()


def _uvicorn_command_lines() -> list[list[str]]:
    from django.conf import settings

    from bench.fanout.stack import server_command
    from cluster.up import asgi_argv

    procfile = (settings.BASE_DIR / "Procfile").read_text().splitlines()
    web = [line.split(":", 1)[1].split() for line in procfile if line.split(":", 1)[1].strip().startswith("uvicorn")]
    return [*web, asgi_argv(8001), server_command("uvicorn", "slackclone.asgi:application", 8001)]


def _option(argv: list[str], name: str) -> str | None:
    return argv[argv.index(name) + 1] if name in argv else None


def test_every_uvicorn_command_line_runs_the_gateway_protocol_without_compression():
    lines = _uvicorn_command_lines()
    assert len(lines) >= 4  # two Procfile web processes, the cluster's, the benchmark's
    for argv in lines:
        assert _option(argv, "--ws") == "realtime.protocol:GatewayWebSocketProtocol", argv
        assert _option(argv, "--ws-per-message-deflate") == "false", argv


@pytest.mark.parametrize("text", ["", "a" * 125, "é" * 63, "b" * 126, "c" * 65535, "d" * 65536, '{"type":"message"}'])
def test_a_framed_event_is_the_frame_the_websockets_library_would_send(text):
    from websockets.frames import Frame, Opcode

    expected = Frame(Opcode.TEXT, text.encode()).serialize(mask=False, extensions=[])

    assert server_text_frame(text) == expected


AFTER_CLOSE: list[bool] = []


async def _write_frames(scope, receive, send):
    """Echo each text through the protocol's write_frame, and answer whether it was written that way."""
    assert (await receive())["type"] == "websocket.connect"
    await send({"type": "websocket.accept"})
    protocol = send.__self__
    while (message := await receive())["type"] == "websocket.receive":
        if message["text"] == "pause":
            protocol.writable.clear()
            waiting = asyncio.ensure_future(send({"type": "websocket.send", "text": "waited"}))
            await asyncio.sleep(0)
            paused = protocol.write_frame(server_text_frame("not now"))
            protocol.writable.set()
            behind_waiting = protocol.write_frame(server_text_frame("not before it"))
            await waiting
            after = protocol.write_frame(server_text_frame("after"))
            await send({"type": "websocket.send", "text": f"{paused} {behind_waiting} {after}"})
        elif message["text"] == "close":
            await send({"type": "websocket.close", "code": 1000})
            AFTER_CLOSE.append(protocol.write_frame(server_text_frame("too late")))
            return
        else:
            written = protocol.write_frame(server_text_frame(message["text"]))
            await send({"type": "websocket.send", "text": f"written: {written}"})


async def test_framed_events_reach_an_open_socket_in_order_with_its_sends():
    async with (
        serving(_write_frames, log_level="warning", ws_per_message_deflate=False) as (_server, port),
        connect(f"ws://127.0.0.1:{port}/ws/") as client,
    ):
        for text in ("one", "é" * 200, "x" * 70000):
            await client.send(text)
            assert await asyncio.wait_for(client.recv(), 2) == text
            assert await asyncio.wait_for(client.recv(), 2) == "written: True"


async def test_a_socket_with_compression_takes_no_framed_event():
    async with (
        serving(_write_frames, log_level="warning", ws_per_message_deflate=True) as (_server, port),
        connect(f"ws://127.0.0.1:{port}/ws/", compression="deflate") as client,
    ):
        await client.send("one")
        assert await asyncio.wait_for(client.recv(), 2) == "written: False"


async def test_a_paused_socket_or_one_with_a_send_waiting_takes_no_framed_event():
    async with (
        serving(_write_frames, log_level="warning", ws_per_message_deflate=False) as (_server, port),
        connect(f"ws://127.0.0.1:{port}/ws/") as client,
    ):
        await client.send("pause")
        assert await asyncio.wait_for(client.recv(), 2) == "waited"
        assert await asyncio.wait_for(client.recv(), 2) == "after"
        assert await asyncio.wait_for(client.recv(), 2) == "False False True"


async def test_a_closing_socket_takes_no_framed_event():
    async with (
        serving(_write_frames, log_level="warning", ws_per_message_deflate=False) as (_server, port),
        connect(f"ws://127.0.0.1:{port}/ws/") as client,
    ):
        AFTER_CLOSE.clear()
        await client.send("close")
        await asyncio.wait_for(client.wait_closed(), 2)
        assert client.close_code == 1000
        assert AFTER_CLOSE == [False]
