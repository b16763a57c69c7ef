"""HTTP through the ASGI application (slackclone.asgi), as Uvicorn serves it: one thread hop per request."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest
from asgiref.sync import sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.urls import reverse

from chat.models import Message
from chat.services import file_upload
from slackclone.asgi import application, django_asgi_app
from slackclone.testing.factories import ApiTokenFactory

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]
RAW_TOKEN = "xoxp-asgi-http-test-0123456789abcdef"


async def call(method: str, path: str, *, body: bytes = b"", headers: list | None = None) -> dict:
    """One request through the application, its response collected as an ASGI server would."""
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": method,
        "path": path,
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1"), (b"content-length", str(len(body)).encode()), *(headers or [])],
    }
    communicator = ApplicationCommunicator(application, scope)
    await communicator.send_input({"type": "http.request", "body": body})
    start = await communicator.receive_output(timeout=10)
    chunks = []
    while True:
        message = await communicator.receive_output(timeout=10)
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    await communicator.wait(timeout=10)
    return {"status": start["status"], "headers": start["headers"], "body": b"".join(chunks)}


def bearer(content_type: bytes = b"application/json") -> list[tuple[bytes, bytes]]:
    return [(b"authorization", f"Bearer {RAW_TOKEN}".encode()), (b"content-type", content_type)]


@pytest.fixture
def token(team):
    return ApiTokenFactory(user=team.member, workspace=team.workspace, raw=RAW_TOKEN)


async def test_a_get_is_answered_with_its_json_body():
    response = await call("GET", "/healthz")
    assert response["status"] == 200
    assert json.loads(response["body"]) == {"ok": True}


async def test_the_request_started_and_finished_signals_each_fire_once():
    fired = []

    def started(**kwargs):
        fired.append("started")

    def finished(**kwargs):
        fired.append("finished")

    request_started.connect(started)
    request_finished.connect(finished)
    try:
        await call("GET", "/healthz")
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)
    assert fired == ["started", "finished"]


async def _until_a_request_thread_is_idle(timeout: float = 5.0) -> None:
    """ThreadPoolExecutor reuses a thread once the thread has released the pool's idle semaphore."""
    idle = django_asgi_app.executor._idle_semaphore
    deadline = time.monotonic() + timeout
    while not idle.acquire(blocking=False):
        assert time.monotonic() < deadline, "no request thread came back idle"
        await asyncio.sleep(0.005)
    idle.release()


async def test_requests_run_in_kept_request_threads_not_a_new_thread_each():
    threads = []

    def started(**kwargs):
        threads.append(threading.current_thread())

    request_started.connect(started)
    try:
        for _ in range(5):
            await call("GET", "/healthz")
            # A finished thread counts itself idle just after the response is sent: a request that comes
            # sooner may get a second thread (ThreadPoolExecutor's rule), so the next one waits for that.
            await _until_a_request_thread_is_idle()
    finally:
        request_started.disconnect(started)
    assert all(thread.name.startswith("django-request") for thread in threads)
    assert len(set(threads)) <= 2  # kept and reused: one after another, not a new thread each
    assert threads[0].is_alive()


async def test_a_posted_body_reaches_the_view_and_is_stored(team, token):
    body = json.dumps({"text": "through ASGI"}).encode()
    response = await call("POST", f"/api/v1/channels/{team.general.public_id}/messages", body=body, headers=bearer())
    assert response["status"] == 201, response["body"]
    assert json.loads(response["body"])["message"]["text"] == "through ASGI"
    assert await Message.objects.filter(channel=team.general, text="through ASGI").aexists()


async def test_errors_keep_the_api_error_shape(team, token):
    response = await call(
        "POST", f"/api/v1/channels/{team.general.public_id}/messages", body=b"{not json", headers=bearer()
    )
    assert response["status"] == 400
    assert "error" in json.loads(response["body"])


async def test_a_streamed_file_arrives_whole(team, token):
    content = b"0123456789" * 20_000  # larger than one response chunk
    message = await sync_to_async(file_upload)(
        actor=team.member, channel=team.general, upload=SimpleUploadedFile("big.bin", content)
    )
    attachment = await message.attachments.afirst()
    response = await call("GET", reverse("api:file-content", args=[attachment.public_id]), headers=bearer())
    assert response["status"] == 200
    assert response["body"] == content
    assert dict(response["headers"])[b"Content-Disposition"].startswith(b"attachment")


async def test_a_path_over_the_limit_is_refused_with_414_before_url_resolution():
    # Django admin's r/<path>/<path>/ pattern takes seconds on a 40,000-character path of "r/x" pieces.
    path = "/admin/r/" + "r/x" * 700
    started = time.thread_time()
    response = await call("GET", path)
    assert (time.thread_time() - started) < 0.05
    assert response["status"] == 414
    assert json.loads(response["body"])["error"]["code"] == "uri_too_long"
    assert (b"connection", b"close") in response["headers"]


async def test_a_path_at_the_limit_is_resolved_as_usual(settings):
    response = await call("GET", "/api/v1/" + "x" * (settings.REQUEST_PATH_MAX_CHARS - len("/api/v1/")))
    assert response["status"] == 404
    assert json.loads(response["body"])["error"]["code"] == "not_found"
