"""ASGI entry point: HTTP through Django, the real-time gateway's WebSocket at /ws/ (realtime.routing), Slack
apps' Socket Mode connections (slack_apps.socket_mode), and the lifespan that drains a process on SIGTERM
(slackclone.lifespan)."""

import gc
import os
from collections.abc import Awaitable, Callable
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "slackclone.settings")
# Each request runs in a thread of its own under ASGI: take database connections from a pool
# (settings.DATABASE_POOL) instead of opening one per request.
os.environ.setdefault("DATABASE_POOL", "1")

from django.conf import settings

from slackclone.asgi_http import get_sync_stack_asgi_application

django_asgi_app = get_sync_stack_asgi_application()

from asgiref.sync import markcoroutinefunction  # noqa: E402

from realtime.routing import websocket_application  # noqa: E402
from realtime.shutdown import refuse_while_draining  # noqa: E402
from slack_api.app_connections import SOCKET_MODE_PATH  # noqa: E402
from slack_apps.socket_mode import socket_mode_application  # noqa: E402
from slackclone import lifespan  # noqa: E402


@markcoroutinefunction
def websocket_router(scope, receive, send):
    """Slack apps' Socket Mode connections at SOCKET_MODE_PATH; everything else is the real-time gateway."""
    if scope["path"] == SOCKET_MODE_PATH:
        return socket_mode_application(scope, receive, send)
    return websocket_application(scope, receive, send)


PROTOCOLS: dict[str, Callable[[dict[str, Any], Any, Any], Awaitable[None]]] = {
    "http": django_asgi_app,
    "websocket": refuse_while_draining(websocket_router),
    "lifespan": lifespan.application,
}


@markcoroutinefunction
def application(scope, receive, send):
    """Dispatch by protocol, returning the chosen application's coroutine rather than awaiting it:
    a router that awaits keeps a frame alive for as long as each socket is open."""
    try:
        protocol_application = PROTOCOLS[scope["type"]]
    except KeyError:
        raise ValueError(f"No application for the ASGI protocol {scope['type']!r}") from None
    return protocol_application(scope, receive, send)


# Everything loaded so far (Django, the apps, the URL patterns) lives as long as the process. Frozen,
# it is not walked by every full collection of the cyclic garbage collector, which otherwise stops
# the request that triggers it for many times its usual time (docs/performance.md, API).
gc.collect()
gc.freeze()
gc.set_threshold(*settings.ASGI_GC_THRESHOLDS)
