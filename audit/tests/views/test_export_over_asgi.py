"""The export through the ASGI application, as Uvicorn serves it: streamed in several body messages, each row
read as it is sent, and its database connection given back at the end."""

from __future__ import annotations

import json
import time

import pytest
from asgiref.sync import sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.conf import settings
from django.db import connection

from audit.models import AuditAction, AuditEvent
from audit.selectors import AuditEvents
from slackclone.asgi import application
from slackclone.testing.web import web_client

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


def _setup(team) -> str:
    AuditEvent.objects.bulk_create(
        AuditEvent(action=AuditAction.ROLE_CHANGED, workspace=team.workspace, target_label=f"row {n}")
        for n in range(AuditEvents.ITERATION_PAGE * 2 + 10)
    )
    client = web_client(team.owner)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


def _backends_settled_at_most(limit: int, *, within: float = 10.0) -> int:
    """The backends counted once a closed connection's server process has had time to exit: PostgreSQL lists a
    backend until its process ends, a moment after the client has closed it (longer on a busy machine)."""
    deadline = time.monotonic() + within
    while (count := _backends()) > limit and time.monotonic() < deadline:
        time.sleep(0.05)
    return count


async def _get(path: str, query: bytes, session: str) -> tuple[int, list[bytes]]:
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "GET",
        "path": path,
        "query_string": query,
        "client": ("127.0.0.1", 50000),
        "headers": [(b"host", b"127.0.0.1"), (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}".encode())],
    }
    communicator = ApplicationCommunicator(application, scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(timeout=20)
    bodies = []
    while True:
        message = await communicator.receive_output(timeout=20)
        bodies.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    await communicator.wait(timeout=10)
    return start["status"], bodies


@pytest.mark.skipif(connection.vendor != "postgresql", reason="counts PostgreSQL's connections")
async def test_a_json_lines_export_streams_every_row_and_returns_its_connection(team):
    session = await sync_to_async(_setup)(team)
    page = f"/{team.workspace.slug}/admin/audit/"
    assert (await _get(page, b"", session))[0] == 200  # the request thread keeps its connection, by design
    before = await sync_to_async(_backends)()

    status, bodies = await _get(page + "export.jsonl", b"action=role_changed", session)

    assert status == 200
    lines = b"".join(bodies).decode().splitlines()
    assert len(lines) == AuditEvents.ITERATION_PAGE * 2 + 10
    assert {json.loads(line)["action"] for line in lines} == {"role_changed"}
    assert len([body for body in bodies if body]) > 2  # sent as it was read, not all at once
    assert await sync_to_async(_backends_settled_at_most)(before) <= before
