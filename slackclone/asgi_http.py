"""HTTP under ASGI for a synchronous Django stack: each request crosses into a worker thread once.

Django's ASGIHandler is built for async views. It runs the middleware chain in async mode, so a stack
of synchronous views (all of ours: Django's and DRF's) pays a thread hop for the request_started
signal, one into and back out of every sync-only middleware, one per process_request/process_response
of each MiddlewareMixin, one for the view and one for closing the response: about eight per request.
Each costs a wake-up of another thread and a round through the event loop; together they cost about as
much CPU as the API's own work (docs/performance.md, API: one thread hop per request).

SyncStackASGIHandler keeps Django's request, response and signal semantics and its ASGIRequest, but
handles the request the way WSGIHandler does, in one call in one worker thread: request_started,
the synchronous middleware chain, the view and, for a response that is not streamed, closing it
(request_finished returns the database connection to the pool before the body is written). Only
reading the body and writing the response stay on the event loop.

The worker threads are kept and reused, as a threaded WSGI server reuses its threads. Django's
handler gives every request a thread of its own (a ThreadSensitiveContext), started and joined per
request, a large share of a small request's time. There are as many threads as database connections in
the pool (DATABASE_POOL_MAX): a request beyond that would only wait for a connection. A streamed
response (a file) gives its connection back before it is sent, and is read and closed in a thread of
its own as Django does it, so a long download never holds one of the request threads.
"""

from __future__ import annotations

import json
import tempfile
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers import base
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.db import close_old_connections
from django.http import FileResponse, HttpResponseBase
from django.urls import set_script_prefix

from slackclone.errors import HTTP_STATUS, ErrorCode
from slackclone.request_limits import BodyLimit


class SyncStackASGIHandler(ASGIHandler):
    """Django's ASGIHandler with the middleware chain loaded in sync mode and one hop per request into a
    kept pool of request threads."""

    def __init__(self, request_threads: int) -> None:
        base.BaseHandler.__init__(self)
        self.load_middleware(is_async=False)
        self.executor = ThreadPoolExecutor(max_workers=request_threads, thread_name_prefix="django-request")

    async def __call__(self, scope: dict[str, Any], receive, send) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        await self.handle(scope, receive, send)

    async def handle(self, scope: dict[str, Any], receive, send) -> None:
        if len(scope["path"]) > settings.REQUEST_PATH_MAX_CHARS:
            # Some URL patterns (Django admin's r/<path>/<path>/) backtrack in proportion to the square of the
            # path's length: a path is refused before any of them sees it.
            message = f"Paths can be at most {settings.REQUEST_PATH_MAX_CHARS:,} characters."
            await send_error(send, ErrorCode.URI_TOO_LONG, message)
            return
        limit = BodyLimit(scope["path"].removeprefix(scope.get("root_path", "")))
        try:
            body_file = await self.read_limited_body(scope, receive, limit)
        except RequestAborted:
            return
        except BodyTooLarge:
            await send_error(
                send,
                ErrorCode.REQUEST_TOO_LARGE,
                f"The request body is too large: this address takes at most {limit.largest():,} bytes.",
                slack_shape=limit.is_slack_web_api,
                scim_shape=limit.is_scim,
            )
            return
        set_script_prefix(get_script_prefix(scope))
        try:
            respond = sync_to_async(self._respond, thread_sensitive=False, executor=self.executor)
            response = await respond(scope, body_file)
            if response.streaming:
                async with ThreadSensitiveContext():
                    try:
                        await self.send_response(response, send)
                    finally:
                        await sync_to_async(response.close, thread_sensitive=True)()
            else:
                await self.send_response(response, send)
        finally:
            body_file.close()

    async def read_limited_body(self, scope: dict[str, Any], receive, limit: BodyLimit):
        """The body in a temporary file (on disk past FILE_UPLOAD_MAX_MEMORY_SIZE), as Django's read_body, but
        refused with BodyTooLarge once it is larger than its route allows: at once when Content-Length says so,
        otherwise as soon as the bytes received pass the limit (a chunked body need not end)."""
        declared = _content_length(scope)
        if declared is not None and not limit.allows(declared):
            raise BodyTooLarge
        # Handed to the caller, which closes it after the response (closed here on any failure).
        body_file = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, mode="w+b")  # noqa: SIM115
        received = 0
        try:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise RequestAborted()
                chunk = message.get("body", b"")
                received += len(chunk)
                if not limit.allows(received):
                    raise BodyTooLarge
                body_file.write(chunk)
                if not message.get("more_body", False):
                    break
        except BaseException:
            body_file.close()
            raise
        body_file.seek(0)
        return body_file

    def _respond(self, scope: dict[str, Any], body_file) -> HttpResponseBase:
        """Everything synchronous about a request, in a request thread, as WSGIHandler.__call__ does it."""
        signals.request_started.send(sender=self.__class__, scope=scope)
        created = self.create_request(scope, body_file)  # a request, or the response refusing one
        response = self.get_response(created[0]) if created[1] is None else created[1]
        # Django's own handlers set this private attribute (WSGIHandler.__call__); the stubs leave it out.
        response._handler_class = self.__class__  # type: ignore[attr-defined]
        if isinstance(response, FileResponse):
            response.block_size = self.chunk_size
        if response.streaming:
            close_old_connections()  # closing the response later, in another thread, cannot return them
        else:
            response.close()
        return response


class BodyTooLarge(Exception):
    """The request's body is larger than its route takes (slackclone.request_limits)."""


def _content_length(scope: dict[str, Any]) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length itself
    return None


async def send_error(
    send, code: ErrorCode, message: str, *, slack_shape: bool = False, scim_shape: bool = False
) -> None:
    """An error answered before Django sees the request, in the REST API's shape (or, for the Slack Web API,
    Slack's {"ok": false, "error": code}; for SCIM, RFC 7644's error), and the connection closed: whatever the
    client still sends is not read."""
    from slackclone.api.exceptions import error_body

    shape = {"ok": False, "error": code.value} if slack_shape else error_body(code, message)
    if scim_shape:
        shape = {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": str(HTTP_STATUS[code]),
            "detail": message,
        }
    body = json.dumps(shape).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": HTTP_STATUS[code], "headers": headers})
    await send({"type": "http.response.body", "body": body})


def get_sync_stack_asgi_application() -> SyncStackASGIHandler:
    """The HTTP application for slackclone.asgi: django.setup(), then the handler (as get_asgi_application)."""
    import django

    django.setup(set_prefix=False)
    return SyncStackASGIHandler(request_threads=settings.ASGI_REQUEST_THREADS)
