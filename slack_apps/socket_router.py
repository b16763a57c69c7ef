"""The process's Socket Mode fan-out: one listener in the real-time hub for all of its apps' sockets.

Fifty apps hearing one message are fifty deliveries; sent one layer message each, they would cost
the channel layer fifty round trips and each process's reader fifty messages. Instead dispatch
(slack_apps.dispatch) sends each batch of new deliveries once to workspace_apps_group, which every
process holding a socket of one of the workspace's apps has joined through its hub, as the
gateway's connections join their groups. The router here claims the deliveries it can send (one
Redis round trip for the batch, so an app with sockets in several processes gets each once) and
hands each to one of the app's local sockets, in turn.

At shutdown it tells its sockets `disconnect` (refresh_requested), as Slack does before a restart.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import defaultdict
from typing import Any, Protocol

from realtime.hub import current_hub
from realtime.transport import workspace_apps_group

CLAIM_SECONDS = 60.0


class AppSocket(Protocol):
    """A Socket Mode connection as the router sees it (slack_apps.socket_mode.SocketModeConsumer)."""

    app_id: str
    workspace_id: str

    async def send_envelope(self, delivery_id: int, body: str, attempt: int, reason: str) -> None: ...

    async def say_disconnect(self, reason: str) -> None: ...


class SocketModeRouter:
    """Per event loop: this process's Socket Mode sockets by app, and the hub groups of their workspaces."""

    def __init__(self) -> None:
        self.groups: set[str] = set()
        self.sockets: dict[str, list[AppSocket]] = defaultdict(list)
        self.turn: dict[str, int] = defaultdict(int)

    async def add(self, socket: AppSocket) -> None:
        """Serve a new socket; returns once the layer delivers its workspace's batches here."""
        self.sockets[socket.app_id].append(socket)
        hub = current_hub()
        group = workspace_apps_group_of(socket)
        if self not in hub.listeners:
            await hub.attach_listener(self, [group])
        elif group not in self.groups:
            await hub.join(self, [group])

    async def remove(self, socket: AppSocket) -> None:
        sockets = self.sockets.get(socket.app_id, [])
        if socket in sockets:
            sockets.remove(socket)
        if not sockets:
            self.sockets.pop(socket.app_id, None)
        hub = current_hub()
        if not self.sockets:
            await hub.detach_listener(self)
            return
        group = workspace_apps_group_of(socket)
        if all(workspace_apps_group_of(s) != group for local in self.sockets.values() for s in local):
            hub.leave(self, [group])

    async def layer_message(self, message: dict[str, Any]) -> None:
        """`sm.batch`: [delivery id, app id, attempt, retry reason, envelope JSON] each."""
        if message.get("type") != "sm.batch":
            return
        mine = [entry for entry in message["deliveries"] if entry[1] in self.sockets]
        if not mine:
            return
        claimed = await current_hub().store.claim_many(
            [f"sm:{delivery_id}:{attempt}" for delivery_id, _, attempt, _, _ in mine], CLAIM_SECONDS
        )
        for (delivery_id, app_id, attempt, reason, body), taken in zip(mine, claimed, strict=True):
            sockets = self.sockets.get(app_id)
            if not taken or not sockets:
                continue
            turn = self.turn[app_id] = (self.turn[app_id] + 1) % len(sockets)
            await sockets[turn].send_envelope(delivery_id, body, attempt, reason)

    async def goodbye(self, reason: str) -> None:
        for sockets in list(self.sockets.values()):
            for socket in list(sockets):
                await socket.say_disconnect("refresh_requested")


def workspace_apps_group_of(socket: AppSocket) -> str:
    return workspace_apps_group(socket.workspace_id)


_routers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, SocketModeRouter] = weakref.WeakKeyDictionary()


def current_router() -> SocketModeRouter:
    """The router of the running event loop (one per server process; tests get one per test loop)."""
    loop = asyncio.get_running_loop()
    router = _routers.get(loop)
    if router is None:
        router = _routers[loop] = SocketModeRouter()
    return router
