"""HTTP under ASGI for a synchronous Django stack: each request crosses into a worker thread once.

Django's ASGIHandler is built for async views. It runs the middleware chain in async mode, so a stack
of synchronous views (all of ours: Django's and DRF's) pays a thread hop for the request_started
signal, one into and back out of every sync-only middleware, one per process_request/process_response
of each MiddlewareMixin, one for the view and one for closing the response: about eight per request.
Each costs a wake-up of another thread and a round through the event loop; together they were 2-3 ms
of CPU per request on this project's benchmark machine, as much as the API's own work.

SyncStackASGIHandler keeps Django's request, response and signal semantics and its ASGIRequest, but
handles the request the way WSGIHandler does, in one call in one worker thread: request_started,
the synchronous middleware chain, the view and, for a response that is not streamed, closing it
(request_finished returns the database connection to the pool before the body is written). Only
reading the body and writing the response stay on the event loop. A streamed response (a file) is
closed after it is sent, in the same thread as the rest of its request.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers import base
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse, HttpResponseBase
from django.urls import set_script_prefix


class SyncStackASGIHandler(ASGIHandler):
    """Django's ASGIHandler with the middleware chain loaded in sync mode and one thread hop per request."""

    def __init__(self) -> None:
        base.BaseHandler.__init__(self)
        self.load_middleware(is_async=False)

    async def handle(self, scope: dict[str, Any], receive, send) -> None:
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        try:
            response = await sync_to_async(self._respond, thread_sensitive=True)(scope, body_file)
            try:
                await self.send_response(response, send)
            finally:
                if response.streaming:
                    await sync_to_async(response.close, thread_sensitive=True)()
        finally:
            body_file.close()

    def _respond(self, scope: dict[str, Any], body_file) -> HttpResponseBase:
        """Everything synchronous about a request, in the worker thread, as WSGIHandler.__call__ does it."""
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
        response._handler_class = self.__class__
        if isinstance(response, FileResponse):
            response.block_size = self.chunk_size
        if not response.streaming:
            response.close()
        return response


def get_sync_stack_asgi_application() -> SyncStackASGIHandler:
    """The HTTP application for slackclone.asgi: django.setup(), then the handler (as get_asgi_application)."""
    import django

    django.setup(set_prefix=False)
    return SyncStackASGIHandler()
