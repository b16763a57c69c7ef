"""The gateway's part in a graceful shutdown (slackclone.lifespan): goodbye to every socket.

Slack's RTM sends `{"type": "goodbye"}` before it closes a socket on purpose; clients reconnect and, here,
resume from the database by seq, so a restart loses nothing. A socket that opens while the process
drains is told goodbye at once rather than served, so its client goes straight to another process.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from asgiref.sync import markcoroutinefunction

from realtime.asgi_types import Receive, Scope, Send
from realtime.connection import CLOSE_RECONNECT
from realtime.event_types import GoodbyeEvent, GoodbyeReason
from realtime.hub import current_hub
from realtime.transport import encode_event
from slackclone import lifespan


async def goodbye_all(reason: GoodbyeReason) -> int:
    """Send `goodbye` to every open socket of this process's hub and close it with 4012, and have its
    listeners (Socket Mode's) say their own goodbye; returns how many gateway sockets were told."""
    hub = current_hub()
    connections = list(hub.connections)
    for conn in connections:
        await conn.goodbye(reason)
    for listener in list(hub.listeners):
        await listener.goodbye(reason)
    return len(connections)


ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def refuse_while_draining(app: ASGIApp) -> ASGIApp:
    """Wrap the WebSocket application: while the process drains, a new socket hears only goodbye.

    A plain function returning the application's own coroutine, so no frame of the wrapper stays
    alive for the life of each socket.
    """

    @markcoroutinefunction
    def guarded(scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        if not lifespan.draining():
            return app(scope, receive, send)
        return _goodbye_at_once(receive, send)

    return guarded


async def _goodbye_at_once(receive: Receive, send: Send) -> None:
    if (await receive())["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    goodbye: GoodbyeEvent = {"type": "goodbye", "reason": "server_shutdown"}
    await send({"type": "websocket.send", "text": encode_event(goodbye)})
    await send({"type": "websocket.close", "code": CLOSE_RECONNECT, "reason": "server_shutdown"})
