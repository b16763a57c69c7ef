"""A real Uvicorn process on a PostgreSQL server of the test's own, which the test stops and starts again.

While the database is down every surface answers `service_unavailable` with a retry delay (the REST API,
the socket, the Slack Web API, the pages), the socket stays open, and once the database is back the very
next request works, in the same process, and a retry with the same client_msg_id is stored once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from websockets.sync.client import ClientConnection, connect

from slackclone.testing.postgres import ThrowawayPostgres
from slackclone.testing.processes import free_port, stop, wait_for_port

pytestmark = [pytest.mark.integration]

BASE_DIR = Path(settings.BASE_DIR)

_BOOTSTRAP = """
from io import StringIO
from django.core.management import call_command
from chat.models import Channel
call_command("migrate", verbosity=0)
call_command("create_user", "owner@example.com", "--password", "outage-Pass-4821", stdout=StringIO())
call_command("create_workspace", "outage", "--owner", "owner@example.com", stdout=StringIO())
out = StringIO()
call_command("create_api_token", "owner@example.com", stdout=out)
print(out.getvalue().split()[-1], Channel.objects.get(workspace__slug="outage", name="general").public_id)
"""


@dataclass
class Server:
    port: int
    token: str
    channel: str

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict, dict]:
        """(status, headers, JSON body) of one request with the owner's token."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                return response.status, _lower(response.headers), json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, _lower(error.headers), json.loads(error.read() or b"{}")

    def post(self, text: str, client_msg_id: str) -> tuple[int, dict, dict]:
        body = {"text": text, "client_msg_id": client_msg_id}
        return self.request("POST", f"/api/v1/channels/{self.channel}/messages", body)

    def page(self, path: str) -> tuple[int, dict, str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=20) as response:
                return response.status, _lower(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, _lower(error.headers), error.read().decode()


def _lower(headers) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def _server_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "slackclone.settings_test",
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
        "SECRET_KEY": settings.SECRET_KEY,
        "DATABASE_POOL_TIMEOUT": "2",  # a request waits this long for a connection before its 503
        "LOG_LEVEL": "ERROR",
    }


@pytest.fixture
def database() -> Iterator[ThrowawayPostgres]:
    postgres = ThrowawayPostgres()
    try:
        postgres.start()
        yield postgres
    finally:
        postgres.remove()


@pytest.fixture
def server(database: ThrowawayPostgres) -> Iterator[Server]:
    env = _server_env(database.url)
    manage = [sys.executable, "manage.py", "shell", "-c", _BOOTSTRAP]
    token, channel = subprocess.run(
        manage, cwd=BASE_DIR, env=env, check=True, capture_output=True, text=True, timeout=120
    ).stdout.split()[-2:]
    port = free_port()
    argv = [str(Path(sys.executable).with_name("uvicorn")), "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--ws", "realtime.protocol:GatewayWebSocketProtocol", "--lifespan", "on", "slackclone.asgi:application"]
    process = subprocess.Popen(argv, cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL)
    try:
        wait_for_port(port, process)
        yield Server(port=port, token=token, channel=channel)
    finally:
        stop(process)


def _socket(server: Server) -> ClientConnection:
    """A token socket, opened while the database is up (its handshake reads it)."""
    headers = {"Authorization": f"Bearer {server.token}"}
    return connect(f"ws://127.0.0.1:{server.port}/ws/", additional_headers=headers)


def _message(server: Server, frame_id: int) -> dict:
    return {"type": "message", "id": frame_id, "channel": server.channel, "text": "during", "client_msg_id": "cm-retry"}


def _reply(ws: ClientConnection, frame: dict) -> dict:
    """The answer to `frame` (events in between, such as the message's own, are skipped)."""
    ws.send(json.dumps(frame))
    while True:
        answer = json.loads(ws.recv(timeout=20))
        if answer.get("reply_to") == frame["id"]:
            return answer


def _stored(database: ThrowawayPostgres, client_msg_id: str) -> int:
    with psycopg.connect(database.url, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM chat_message WHERE client_msg_id = %s", [client_msg_id]).fetchone()
    assert row is not None
    return row[0]


def test_writes_during_an_outage_answer_service_unavailable_and_a_retry_after_it_posts_once(database, server):
    assert server.post("before", "cm-before")[0] == 201
    with _socket(server) as ws:
        assert json.loads(ws.recv(timeout=10)) == {"type": "hello"}
        database.stop()
        _every_surface_says_retry(server, ws)
        database.start()
        status, _, body = server.post("during", "cm-retry")  # the very next request, in the same process
        again = _reply(ws, _message(server, 2))
    assert status == 201, body
    assert again["ok"] is True
    assert again["ts"] == body["message"]["ts"]
    assert _stored(database, "cm-retry") == 1


def _every_surface_says_retry(server: Server, ws: ClientConnection) -> None:
    status, headers, body = server.post("during", "cm-retry")
    assert status == 503, body
    assert body["error"]["code"] == "service_unavailable"
    assert 0 < int(headers["retry-after"]) <= 10

    ack = _reply(ws, _message(server, 1))
    assert ack["ok"] is False
    assert ack["error"]["code"] == "service_unavailable"
    assert ack["error"]["retry_after"] > 0
    assert _reply(ws, {"type": "ping", "id": 9})["type"] == "pong"  # the socket is still open

    status, headers, body = server.request("POST", "/api/chat.postMessage", {"channel": server.channel, "text": "x"})
    assert (status, body) == (503, {"ok": False, "error": "service_unavailable"})
    assert int(headers["retry-after"]) > 0

    status, headers, page = server.page("/invite/not-a-real-token/")
    assert status == 503
    assert int(headers["retry-after"]) > 0
    assert "Traceback" not in page
    assert "briefly unavailable" in page


def _set_read_only(database: ThrowawayPostgres, read_only: bool) -> None:
    """The server turned read-only (or back), as a demoted primary is: every new transaction is read-only.
    Returns once new sessions see it; the postmaster signals the open ones in the same step."""
    with psycopg.connect(database.url, autocommit=True) as conn:
        conn.execute(f"ALTER SYSTEM SET default_transaction_read_only = {'on' if read_only else 'off'}")
        conn.execute("SELECT pg_reload_conf()")
    expected = "on" if read_only else "off"
    for _ in range(200):
        with psycopg.connect(database.url, autocommit=True) as conn:
            row = conn.execute("SHOW default_transaction_read_only").fetchone()
        if row is not None and row[0] == expected:
            return
    raise AssertionError("the server did not reload its configuration")


def test_a_write_that_lands_on_a_read_only_server_is_service_unavailable_then_works_once_it_is_writable(
    database, server
):
    _set_read_only(database, True)
    status, headers, body = server.post("read-only", "cm-ro")
    _set_read_only(database, False)
    again, _, stored = server.post("read-only", "cm-ro")
    assert status == 503, body
    assert body["error"]["code"] == "service_unavailable"
    assert int(headers["retry-after"]) > 0
    assert again == 201, stored
    assert _stored(database, "cm-ro") == 1
