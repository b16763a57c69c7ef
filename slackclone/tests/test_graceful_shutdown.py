"""A real Uvicorn process (as the Procfile runs it, lifespan on) asked to stop with SIGTERM.

Its sockets hear Slack's `goodbye` and are closed with 4012 (reconnect and resume), and Socket Mode
apps' `disconnect` (refresh_requested), before the server stops listening; the process then exits on
its own, well within its graceful-shutdown timeout.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import websockets
from django.conf import settings
from django.db import connection

from realtime.tests.conftest import ORIGIN, session_cookie
from slack_apps.manifest import spec_from_options
from slack_apps.services import app_create
from slackclone.testing.processes import free_port, stop, wait_for_port

pytestmark = [pytest.mark.integration, pytest.mark.anyio, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)
GRACEFUL_SECONDS = 10


@pytest.fixture
def anyio_backend():
    return "asyncio"


def start_uvicorn(database_url: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "slackclone.settings_test",
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
        "SECRET_KEY": settings.SECRET_KEY,
        "LOG_LEVEL": "WARNING",
    }
    uvicorn = Path(sys.executable).with_name("uvicorn")
    argv = [str(uvicorn), "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--ws", "realtime.protocol:GatewayWebSocketProtocol", "--ws-per-message-deflate", "false"]
    argv += ["--lifespan", "on", "--timeout-graceful-shutdown", str(GRACEFUL_SECONDS), "slackclone.asgi:application"]
    process = subprocess.Popen(argv, cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL)
    wait_for_port(port, process)
    return process, port


def http_get(port: int, path: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_sigterm_says_goodbye_to_every_socket_then_the_process_exits(team):
    process, port = start_uvicorn(f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}")
    try:
        goodbyes = asyncio.run(_goodbyes_on_sigterm(process, port, [team.owner, team.member]))
        # Uvicorn re-raises the signal once it has shut down cleanly, as a process killed by it would exit.
        assert process.wait(GRACEFUL_SECONDS) == -signal.SIGTERM
    finally:
        stop(process)
    for frames, close_code in goodbyes:
        assert frames[-1] == {"type": "goodbye", "reason": "server_shutdown"}
        assert close_code == 4012


async def _goodbyes_on_sigterm(process, port, users) -> list[tuple[list[dict], int]]:
    sockets = []
    for user in users:
        cookie = await asyncio.to_thread(session_cookie, user)
        ws = await websockets.connect(
            f"ws://127.0.0.1:{port}/ws/", origin=ORIGIN, additional_headers={"Cookie": cookie}, open_timeout=10
        )
        assert json.loads(await asyncio.wait_for(ws.recv(), 5)) == {"type": "hello"}
        sockets.append(ws)
    os.kill(process.pid, signal.SIGTERM)
    results = []
    for ws in sockets:
        frames = []
        try:
            async with asyncio.timeout(5):
                async for text in ws:
                    frame = json.loads(text)
                    if frame.get("type") != "presence_change":
                        frames.append(frame)
        except websockets.ConnectionClosed:
            pass
        results.append((frames, ws.close_code))
    return results


def test_healthz_stays_up_and_readyz_names_the_database_when_it_is_unreachable():
    process, port = start_uvicorn(f"postgres://postgres@127.0.0.1:{free_port()}/nowhere")
    try:
        assert http_get(port, "/healthz") == (200, {"ok": True})
        status, body = http_get(port, "/readyz")
    finally:
        stop(process)
    assert status == 503
    assert set(body["failed"]) == {"database"}
    assert body["failed"]["database"]  # the error, e.g. "PoolTimeout: …" or "OperationalError: …"


def test_sigterm_tells_socket_mode_apps_to_reconnect_as_slack_does(team):
    _, credentials = app_create(
        actor=team.admin, workspace=team.workspace, spec=spec_from_options(name="Restarts", socket_mode=True)
    )
    process, port = start_uvicorn(f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}")
    try:
        frames = asyncio.run(_socket_mode_frames_on_sigterm(process, port, credentials.app_token))
        assert process.wait(GRACEFUL_SECONDS) == -signal.SIGTERM
    finally:
        stop(process)
    assert frames[0]["type"] == "hello"
    assert frames[-1]["type"] == "disconnect"
    assert frames[-1]["reason"] == "refresh_requested"


async def _socket_mode_frames_on_sigterm(process, port, app_token: str) -> list[dict]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/apps.connections.open",
        data=b"",
        headers={"Authorization": f"Bearer {app_token}"},
        method="POST",
    )
    opened = json.loads(await asyncio.to_thread(lambda: urllib.request.urlopen(request, timeout=10).read()))
    ws = await websockets.connect(opened["url"], open_timeout=10)
    frames = [json.loads(await asyncio.wait_for(ws.recv(), 5))]
    os.kill(process.pid, signal.SIGTERM)
    try:
        async with asyncio.timeout(5):
            async for text in ws:
                frames.append(json.loads(text))
    except websockets.ConnectionClosed:
        pass
    return frames
