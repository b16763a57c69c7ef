"""Presence from live connections, across every process.

A user is `active` while any of their sockets is open anywhere and `away` otherwise (two tabs:
active until both close). Each socket is an entry in the shared store that expires unless
its process refreshes it (HEARTBEAT_SECONDS), so a process that dies takes its users'
presence with it after ENTRY_TTL_SECONDS. A change is announced as Slack's `presence_change`
to the user's workspaces at most once per THROTTLE_SECONDS: a flapping connection yields one
announcement of the state it settles in, sent when the throttle window ends.

Announcements are batched per workspace and state, in Slack's batched form (`"users": [...]`; a
batch of one uses the single-user form `"user"`), and sent every settings.PRESENCE_BATCH_SECONDS.
Without batching, N people connecting to a workspace of N would cost N² deliveries: a morning login
storm of 5,000 would be 25 million frames. Each batch still goes to every socket of the workspace,
so in a large one a batch a second was most of the frames a process wrote (docs/performance.md).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from django.conf import settings

from realtime import clock, transport
from realtime.event_types import PresenceChangeEvent, PresenceState
from realtime.protocol import server_text_frame

if TYPE_CHECKING:
    from realtime.connection import Connection
    from realtime.hub import Hub

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30.0
ENTRY_TTL_SECONDS = 90.0
THROTTLE_SECONDS = 10.0


_warned_at = 0.0


def _unavailable(exc: Exception) -> None:
    """Presence is best effort: say so now and then, not once per socket during a storm."""
    global _warned_at
    if time.monotonic() - _warned_at > 10:
        _warned_at = time.monotonic()
        logger.warning("Presence unavailable: %s", exc)


class Presence:
    def __init__(self, hub: Hub):
        self.hub = hub
        self._beat_at = self._flushed_at = time.monotonic()
        self._pending: dict[tuple[str, str], list[str]] = {}  # (workspace, state) -> users

    async def connected(self, conn: Connection) -> None:
        try:
            expires = clock.now() + ENTRY_TTL_SECONDS
            state = await self.hub.store.presence_connect(
                conn.user_id, conn.id, expires, list(conn.workspaces), THROTTLE_SECONDS
            )
            self._queue(conn.user_id, state, conn.workspaces)
        except Exception as exc:
            _unavailable(exc)

    async def disconnected(self, conn: Connection) -> None:
        try:
            state = await self.hub.store.presence_disconnect(conn.user_id, conn.id, THROTTLE_SECONDS)
            self._queue(conn.user_id, state, conn.workspaces)
        except Exception as exc:
            _unavailable(exc)

    async def announce(self, *user_ids: str) -> None:
        """Queue presence_change for those of these users whose state changed and whose throttle allows it."""
        changed = await self.hub.store.presence_transitions(list(user_ids), THROTTLE_SECONDS)
        for user_id, (state, workspaces) in changed.items():
            self._queue(user_id, state, workspaces)

    def _queue(self, user_id: str, state: str | None, workspaces: Iterable[str]) -> None:
        """Gather an announcement for the next tick's flush (nothing when the state did not change)."""
        if state is None:
            return
        for workspace in workspaces:
            self._pending.setdefault((workspace, state), []).append(user_id)

    async def flush(self) -> None:
        """Publish the announcements gathered since the last tick, one event per workspace and state."""
        pending, self._pending = self._pending, {}
        for (workspace, state), users in pending.items():
            users = list(dict.fromkeys(users))
            # The store's scripts answer "active" or "away" (and None, no change, never gets here).
            event: PresenceChangeEvent = {"type": "presence_change", "presence": cast(PresenceState, state)}
            if len(users) == 1:
                event["user"] = users[0]
            else:
                event["users"] = users
            await transport.publish_now([f"w.{workspace}"], event, workspace=workspace, presence_of=users)

    async def tick(self) -> None:
        """Refresh this process's entries now and then, and announce what waited out its throttle."""
        if time.monotonic() - self._beat_at >= HEARTBEAT_SECONDS:
            self._beat_at = time.monotonic()
            entries = [(conn.user_id, conn.id) for conn in self.hub.connections]
            if entries:
                await self.hub.store.presence_refresh(entries, clock.now() + ENTRY_TTL_SECONDS)
        due = await self.hub.store.presence_due()
        if due:
            for user_id, (state, workspaces) in (
                await self.hub.store.presence_transitions(due, THROTTLE_SECONDS)
            ).items():
                self._queue(user_id, state, workspaces)
        if time.monotonic() - self._flushed_at >= settings.PRESENCE_BATCH_SECONDS:
            self._flushed_at = time.monotonic()
            await self.flush()


class FollowedPresence:
    """One presence_change as each socket that follows some of its people (presence_sub) should see it.

    Most sockets follow a few people and get nothing of a batch, or all of it; the few that follow part of
    it get a frame of their part, built once for every socket that follows the same part."""

    def __init__(self, payload: str, users: list[str]) -> None:
        self._payload = payload
        self._users = frozenset(users)
        self._frames: dict[frozenset[str], tuple[dict[str, str], bytes]] = {}

    def of(self, followed: frozenset[str]) -> tuple[dict[str, str], bytes] | tuple[()] | None:
        """None when the socket follows every one of the event's people (the shared frame is theirs), ()
        when it follows none, else the frame (ASGI message and wire bytes) of the ones it follows."""
        common = followed & self._users  # iterates the smaller of the two
        if len(common) == len(self._users):
            return None
        if not common:
            return ()
        frames = self._frames.get(common)
        if frames is None:
            event = json.loads(self._payload)
            event.pop("user", None)
            event.pop("users", None)
            people = sorted(common)
            if len(people) == 1:
                event["user"] = people[0]
            else:
                event["users"] = people
            text = transport.encode_event(event)
            frames = self._frames[common] = ({"type": "websocket.send", "text": text}, server_text_frame(text))
        return frames
