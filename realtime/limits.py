"""How many sockets a person and an API token may hold at once, and how fast a person may open them.

Without limits one credential could open sockets until the processes run out of memory or file
descriptors. The counts live in the shared store (Redis on the real stack, so they hold across
every ASGI process; in memory in the embedded default, which is one process). Each socket holds a
slot that expires SLOT_TTL_SECONDS after its process last refreshed it (every HEARTBEAT_SECONDS),
so a process that dies without closing its sockets frees their slots within that time.

A socket over a limit is refused, not another closed to make room: a client that reconnects
every socket it loses would otherwise close its own oldest tab, which reconnects and closes the
next, without end. The refused socket is accepted and closed at once with 4029 and the reason
(`too_many_sockets`, `too_many_token_sockets`, `ratelimited`), and sent nothing else.

The limits fail open: with the store unreachable a socket is admitted (the gateway keeps serving
while Redis is away, as for the message rate limit), and the warning is logged now and then.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from django.conf import settings

from realtime import clock

if TYPE_CHECKING:
    from realtime.connection import Connection
    from realtime.hub import Hub

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30.0
SLOT_TTL_SECONDS = 90.0

_warned_at = 0.0


def _unavailable(exc: Exception) -> None:
    global _warned_at
    if time.monotonic() - _warned_at > 10:
        _warned_at = time.monotonic()
        logger.warning("Socket limits unavailable, admitting sockets unchecked: %s", exc)


class SocketLimits:
    """Per hub: take a slot when a socket opens, give it back when it closes, refresh the live ones."""

    def __init__(self, hub: Hub):
        self.hub = hub
        self._beat_at = time.monotonic()

    async def admit(self, conn: Connection) -> str:
        """Take a slot for the socket; "" when admitted, otherwise the reason it is refused."""
        now = clock.now()
        try:
            return await self.hub.store.socket_admit(
                conn.user_id,
                conn.id,
                conn.token_id,
                now=now,
                expires=now + SLOT_TTL_SECONDS,
                user_max=settings.SOCKETS_PER_USER_MAX,
                token_max=settings.SOCKETS_PER_TOKEN_MAX,
                per_minute=settings.SOCKET_CONNECTS_PER_MINUTE,
            )
        except Exception as exc:
            _unavailable(exc)
            return ""

    async def release(self, conn: Connection) -> None:
        """Give the slot back (a slot the store lost meanwhile simply expires)."""
        try:
            await self.hub.store.socket_release(conn.user_id, conn.id, conn.token_id)
        except Exception as exc:
            _unavailable(exc)

    async def tick(self) -> None:
        """Now and then, push back the expiry of this process's sockets' slots."""
        if time.monotonic() - self._beat_at < HEARTBEAT_SECONDS:
            return
        self._beat_at = time.monotonic()
        entries = [(conn.user_id, conn.id, conn.token_id) for conn in self.hub.connections]
        if entries:
            now = clock.now()
            await self.hub.store.socket_refresh(entries, now=now, expires=now + SLOT_TTL_SECONDS)
