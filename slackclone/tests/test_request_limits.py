"""Request bodies are capped per route before they are read: 413 request_too_large, chunked bodies included.

In process through the ASGI application, and on a real Uvicorn started with the Procfile's command line, which
must answer a chunked body that never ends without reading it all.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time

import pytest
from asgiref.testing import ApplicationCommunicator
from django.conf import settings
from django.db import connection

from slackclone.asgi import application
from slackclone.images import IMAGE_MAX_BYTES
from slackclone.request_limits import UPLOAD_OVERHEAD_BYTES, BodyLimit
from slackclone.testing.processes import free_port, start_procfile_process, stop

MIB = 1024 * 1024
UPLOAD_PATHS = {
    "/api/v1/channels/CAAAAAAAAAA/files": "file",
    "/api/files.upload": "file",
    "/api/upload/one-time-secret": "file",
    "/accounts/profile/photo/": "image",
    "/acme/admin/settings/icon/": "image",
    "/admin/accounts/user/5/change/": "image",
    "/admin/workspaces/workspace/3/change/": "image",
}
OTHER_PATHS = ["/api/chat.postMessage", "/api/v1/channels/CAAAAAAAAAA/messages", "/hooks/T1/B1/secret", "/nowhere/"]


@pytest.mark.parametrize("path", OTHER_PATHS)
def test_routes_without_files_take_the_default(path, settings):
    limit = BodyLimit(path)
    assert limit.largest() == settings.REQUEST_BODY_MAX_BYTES == 4 * MIB
    assert limit.allows(4 * MIB)
    assert not limit.allows(4 * MIB + 1)


@pytest.mark.parametrize(("path", "kind"), UPLOAD_PATHS.items())
def test_upload_routes_take_their_file_limit_and_the_multipart_framing(path, kind, settings):
    content = settings.FILE_UPLOAD_MAX_BYTES if kind == "file" else IMAGE_MAX_BYTES
    limit = BodyLimit(path)
    assert limit.largest() == content + UPLOAD_OVERHEAD_BYTES
    assert limit.allows(content + UPLOAD_OVERHEAD_BYTES)
    assert not limit.allows(content + UPLOAD_OVERHEAD_BYTES + 1)


def test_the_route_is_looked_up_only_for_a_body_over_the_default():
    limit = BodyLimit("/api/v1/me")
    assert limit.allows(1000)
    assert limit._route is None


# --- Through the ASGI application --------------------------------------------------------------------------------


async def _respond(communicator) -> tuple[int, dict, bytes]:
    start = await communicator.receive_output(timeout=10)
    body = await communicator.receive_output(timeout=10)
    return start["status"], dict(start["headers"]), body["body"]


def _scope(path: str, headers: list[tuple[bytes, bytes]]) -> dict:
    return {
        "type": "http",
        "http_version": "1.1",
        "method": "POST",
        "path": path,
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"), *headers],
    }


@pytest.mark.anyio
@pytest.mark.parametrize(("path", "slack"), [("/api/v1/auth/login", False), ("/api/chat.postMessage", True)])
async def test_a_declared_length_over_the_limit_is_refused_before_any_byte_is_read(path, slack):
    scope = _scope(path, [(b"content-length", str(4 * MIB + 1).encode())])
    communicator = ApplicationCommunicator(application, scope)  # nothing of the body is ever sent
    status, headers, body = await _respond(communicator)
    assert status == 413
    assert headers[b"connection"] == b"close"
    error = json.loads(body)
    if slack:
        assert error == {"ok": False, "error": "request_too_large"}
    else:
        assert error["error"]["code"] == "request_too_large"
    await communicator.wait(timeout=10)


@pytest.mark.anyio
async def test_a_body_without_a_length_is_refused_once_it_passes_the_limit(settings):
    settings.REQUEST_BODY_MAX_BYTES = 1000
    communicator = ApplicationCommunicator(application, _scope("/api/v1/auth/login", []))
    for _ in range(3):
        await communicator.send_input({"type": "http.request", "body": b"x" * 400, "more_body": True})
    status, _, body = await _respond(communicator)  # after 1,200 bytes; the body has not ended
    assert status == 413
    assert json.loads(body)["error"]["message"].endswith("at most 1,000 bytes.")
    await communicator.wait(timeout=10)


@pytest.mark.anyio
@pytest.mark.django_db(transaction=True)
async def test_an_upload_route_reads_a_body_over_the_default(settings):
    settings.REQUEST_BODY_MAX_BYTES = 1000
    communicator = ApplicationCommunicator(application, _scope("/api/v1/channels/CAAAAAAAAAA/files", []))
    await communicator.send_input({"type": "http.request", "body": b"x" * 5000, "more_body": False})
    status, _, body = await _respond(communicator)
    assert status == 401  # read whole, and answered by the view
    assert json.loads(body)["error"]["code"] == "not_authed"
    await communicator.wait(timeout=10)


# --- A real Uvicorn, as the Procfile runs it ---------------------------------------------------------------------


@pytest.fixture
def uvicorn(db):
    """The Procfile's web1 on a free port, on the test database, with file uploads of up to 6 MiB."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "slackclone.settings_test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "SECRET_KEY": settings.SECRET_KEY,
        "FILE_UPLOAD_MAX_BYTES": str(6 * MIB),
        "LOG_LEVEL": "WARNING",
    }
    process = start_procfile_process("web1", port=port, env=env)
    try:
        yield port
    finally:
        stop(process)


class EndlessUpload:
    """A chunked POST whose body never ends: a thread sends 64 KiB chunks until the server closes the
    connection (or `stop`), counting what it sent, while the test reads the answer."""

    CHUNK = b"x" * 65536

    def __init__(self, port: int, path: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
        self.sock.sendall(head.encode() + b"Content-Type: application/json\r\n\r\n")
        self.sent = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._send, daemon=True)
        self.thread.start()

    def _send(self) -> None:
        frame = b"%x\r\n%s\r\n" % (len(self.CHUNK), self.CHUNK)
        try:
            while not self.stopped.is_set():
                self.sock.sendall(frame)
                self.sent += len(self.CHUNK)
        except OSError:
            pass  # the server closed the connection

    def response(self, timeout: float = 30) -> tuple[int, dict, bytes]:
        """The status, headers and body of the answer (read while the body is still being sent)."""
        self.sock.settimeout(timeout)
        data = b""
        while b"\r\n\r\n" not in data:
            data += self.sock.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin1").split("\r\n")
        headers = dict(line.lower().split(": ", 1) for line in lines[1:])
        while len(body) < int(headers["content-length"]):
            body += self.sock.recv(65536)
        return int(lines[0].split()[1]), headers, body

    def close(self) -> None:
        self.stopped.set()
        self.sock.close()
        self.thread.join(10)


@pytest.mark.integration
@pytest.mark.parametrize(
    ("path", "limit"),
    [("/api/v1/auth/login", 4 * MIB), ("/api/v1/channels/CAAAAAAAAAA/files", 6 * MIB + UPLOAD_OVERHEAD_BYTES)],
    ids=["default", "upload"],
)
def test_uvicorn_answers_a_chunked_body_that_never_ends_with_413_without_reading_it_all(uvicorn, path, limit):
    upload = EndlessUpload(uvicorn, path)
    try:
        status, headers, body = upload.response()
        sent_when_answered = upload.sent
        deadline = time.monotonic() + 10
        while upload.thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not upload.thread.is_alive(), "the server kept reading after it answered"
    finally:
        upload.close()
    assert status == 413
    assert headers["content-type"] == "application/json"
    assert headers["connection"] == "close"
    assert json.loads(body)["error"]["code"] == "request_too_large"
    # The answer came once the limit was passed; what was sent beyond it sat in socket buffers.
    assert limit < sent_when_answered < limit + 16 * MIB
