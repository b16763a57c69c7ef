"""The process's fan-out: one channel-layer subscription per process, shared by all its sockets.

The Channels tutorial gives every socket its own layer channel, so a channel event is
serialised, stored and delivered once per member. Here each process (each event loop) has
one hub holding {group: set of local connections} and one layer channel that joins every
group some local connection needs. An event therefore reaches a process once, already
serialised by chat.events, and is written verbatim to each local socket.

The layer is at most once, and Redis can go away. When the hub loses the layer it keeps its
local state, retries, re-joins every group once the layer is back, and says goodbye to its
sockets (Slack's `goodbye`, then close 4012) so clients reconnect and resume from the
database: nothing published during the outage is lost to them.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections import defaultdict
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager, suppress
from typing import TYPE_CHECKING, Any, Protocol, cast

from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import BaseChannelLayer, InMemoryChannelLayer, channel_layers, get_channel_layer
from django.core.exceptions import ImproperlyConfigured

from realtime.limits import SocketLimits
from realtime.presence import FollowedPresence, Presence
from realtime.protocol import server_text_frame
from realtime.store import new_store
from realtime.transport import ANY_SESSION
from slackclone.metrics.families import FRAMES_DELIVERED, LAYER_ERRORS, LAYER_RECOVERIES, SOCKETS_OPEN

if TYPE_CHECKING:
    from realtime.connection import Connection

logger = logging.getLogger(__name__)

TICK_SECONDS = 1.0
RETRY_SECONDS = 0.5
# A layer that failed for longer than this (or whose Redis restarted) may have dropped events meant
# for our sockets, so they are asked to resume; a shorter blip only re-joins the groups.
OUTAGE_SECONDS = 2.0
# How many layer calls (group_add/discard) run at once: a burst of thousands of connections
# must not open thousands of Redis connections (channels-redis's pool refuses past 100).
LAYER_CONCURRENCY = 16
# A group no local socket needs any more stays joined this long before the hub leaves it: clients
# that drop (a network blip, a storm) come back within seconds, and then their groups cost no
# layer round trips (joining is two, leaving one). Meanwhile its events reach the process and are
# dropped, as for any group without local members.
LAYER_LEAVE_DELAY_SECONDS = 30.0
# At most this many of those groups are left per upkeep tick (a second): a thousand clients that
# dropped together come due together, and leaving a thousand groups at once is a Redis burst that
# holds up live deliveries.
LAYER_LEAVES_PER_TICK = 100


class LayerListener(Protocol):
    """What joins the hub's groups besides the gateway's connections: Socket Mode's router, say. It
    hears the layer messages of its groups (of its own kinds, never chat.*) and has no presence or
    socket limits of the gateway's; at shutdown it is asked to say goodbye to its own sockets."""

    groups: set[str]

    async def layer_message(self, message: dict[str, Any]) -> None: ...

    async def goodbye(self, reason: str) -> None: ...


class Hub:
    """Per event loop: the local group map, the layer subscription, presence, socket limits, and the shared store."""

    def __init__(self, layer: BaseChannelLayer) -> None:
        self.layer = layer
        self.store = new_store()
        self.presence = Presence(self)
        self.limits = SocketLimits(self)
        self.members: dict[str, set[Connection | LayerListener]] = {}
        self.connections: set[Connection] = set()
        self.listeners: set[LayerListener] = set()
        self.channel_name = ""  # the layer channel, named by _start
        self.degraded = False
        self._degraded_since = 0.0
        self._run_ids: tuple[str, ...] | None = None
        self._layer_groups: set[str] = set()
        self._emptied: dict[str, float] = {}  # joined groups without local members -> since when
        self._group_locks: dict[str, asyncio.Lock] = {}
        self._lock_users: dict[str, int] = defaultdict(int)
        self._layer_slots = asyncio.Semaphore(LAYER_CONCURRENCY)
        self._tasks: list[asyncio.Task[None]] = []
        self._starting: asyncio.Future[None] | None = None
        # channels-redis forgets a group member after group_expiry; re-join well before that.
        self._refresh_seconds = max(60.0, getattr(layer, "group_expiry", 86400) / 3)
        self._refreshed_at = time.monotonic()

    # --- Lifecycle ----------------------------------------------------------------------

    async def _start(self) -> None:
        if self._tasks:
            return
        if self._starting is not None:
            await self._starting
            return
        self._starting = asyncio.get_running_loop().create_future()
        try:
            # A fresh layer channel each start: nothing queued for an earlier one is replayed, and
            # every group is joined anew for it.
            self.channel_name = await self.layer.new_channel()
            self._layer_groups.clear()
            self._run_ids = await self._layer_run_ids()
            self._tasks = [asyncio.ensure_future(self._read()), asyncio.ensure_future(self._housekeep())]
        finally:
            self._starting.set_result(None)
            self._starting = None

    async def _stop(self) -> None:
        # The layer channel is abandoned with the tasks: leave every group it is still in.
        emptied, self._emptied = list(self._emptied), {}
        await asyncio.gather(*(self._layer_discard(group) for group in emptied))
        if self.connections or self.listeners:
            return  # a socket arrived while the groups were being left: it needs the reader, keep running
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with suppress(asyncio.CancelledError, Exception):
                await task
        wait_received = getattr(self.layer, "wait_received", None)
        if wait_received is not None:
            # channels-redis finishes a receive's bookkeeping in a task; let it end on this loop.
            await wait_received()
        await self.store.close()
        self.store = new_store()

    # --- Membership ------------------------------------------------------------------------

    async def attach(self, conn: Connection, groups: list[str]) -> None:
        """Register a new connection and join its first groups; returns once the layer delivers them."""
        self.connections.add(conn)
        SOCKETS_OPEN.inc()
        await self._start()
        await self.join(conn, groups)

    async def detach(self, conn: Connection) -> None:
        """Forget a closed connection; the last one out stops the hub's tasks (and leaves its groups)."""
        if conn in self.connections:
            self.connections.discard(conn)
            SOCKETS_OPEN.dec()
        self.leave(conn, list(conn.groups))
        if not self.connections and not self.listeners and self._tasks:
            await self._stop()

    async def attach_listener(self, listener: LayerListener, groups: list[str]) -> None:
        """Register a listener and join its first groups; returns once the layer delivers them."""
        self.listeners.add(listener)
        await self._start()
        await self.join(listener, groups)

    async def detach_listener(self, listener: LayerListener) -> None:
        """Forget a listener, as detach() forgets a connection."""
        self.listeners.discard(listener)
        self.leave(listener, list(listener.groups))
        if not self.connections and not self.listeners and self._tasks:
            await self._stop()

    async def join(self, conn: Connection | LayerListener, groups: list[str]) -> None:
        """Add the connection to groups; returns once the process's layer channel is in each of them."""
        missing = []
        for group in groups:
            members = self.members.get(group)
            if members is None:
                members = self.members[group] = set()
                self._emptied.pop(group, None)
            members.add(conn)
            conn.groups.add(group)
            if group not in self._layer_groups:
                missing.append(group)
        if missing:
            await asyncio.gather(*(self._layer_add(group) for group in missing))

    def leave(self, conn: Connection | LayerListener, groups: list[str]) -> None:
        """Remove the connection from groups at once (it hears nothing more from them).

        The process stays in the layer groups no local connection needs any more for
        LAYER_LEAVE_DELAY_SECONDS, in case someone rejoins them; the upkeep tick then leaves them.
        """
        now = time.monotonic()
        for group in groups:
            conn.groups.discard(group)
            members = self.members.get(group)
            if members is None:
                continue
            members.discard(conn)
            if not members:
                del self.members[group]
                self._emptied[group] = now

    def background(self, coro: Coroutine[Any, Any, object]) -> None:
        task = asyncio.ensure_future(coro)
        task.add_done_callback(lambda t: t.cancelled() or t.exception())

    @asynccontextmanager
    async def _group_lock(self, group: str) -> AsyncIterator[None]:
        """Serialise layer add/discard of one group, so a quick leave-then-join cannot end outside it."""
        lock = self._group_locks.get(group)
        if lock is None:
            lock = self._group_locks[group] = asyncio.Lock()
        self._lock_users[group] += 1
        try:
            async with lock:
                yield
        finally:
            self._lock_users[group] -= 1
            if not self._lock_users[group]:
                del self._lock_users[group]
                del self._group_locks[group]

    async def _layer_add(self, group: str) -> None:
        async with self._group_lock(group):
            if group in self._layer_groups or group not in self.members:
                return
            try:
                async with self._layer_slots:
                    await self.layer.group_add(group, self.channel_name)
            except Exception as exc:
                self._lost_layer(exc)
                return
            self._layer_groups.add(group)

    async def _layer_discard(self, group: str) -> None:
        async with self._group_lock(group):
            if group in self.members:
                return
            self._emptied.pop(group, None)
            if group not in self._layer_groups:
                return
            self._layer_groups.discard(group)
            try:
                async with self._layer_slots:
                    await self.layer.group_discard(group, self.channel_name)
            except Exception:
                # Events for it are ignored here, and the layer forgets it after group_expiry.
                logger.debug("Could not leave layer group %s", group)

    # --- Fan-out ---------------------------------------------------------------------------

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Hand one layer message to the local connections of its group."""
        listening = self.members.get(message.get("group", ""))
        if not listening:
            return
        kind = message["type"]
        group = message["group"]
        if not kind.startswith("chat."):
            for listener in cast("set[LayerListener]", listening).copy():
                await listener.layer_message(message)
            return
        members = cast("set[Connection]", listening)  # chat.* messages go to the gateway's groups only
        if kind == "chat.event":
            self._fan_out(group, message, members)
        elif kind == "chat.subscribe":
            for conn in list(members):
                await conn.subscribe(message["groups"], message.get("workspace"))
        elif kind == "chat.unsubscribe":
            for conn in list(members):
                await conn.unsubscribe(message["groups"], message.get("workspace"))
        elif kind == "chat.close":
            token = message.get("token")  # only the sockets one API token opened, when it is revoked
            session = message.get("session")  # only those one browser session opened (or any session's: "*")
            for conn in list(members):
                if token is not None and conn.token_id != token:
                    continue
                if session is not None and not (conn.session_tag and session in (conn.session_tag, ANY_SESSION)):
                    continue
                await conn.close(message.get("code", 4401), message.get("reason", ""))

    def _fan_out(self, group: str, message: dict[str, Any], members: set[Connection]) -> None:
        """Write one event to the group's local sockets that should have it, framed once for all of them."""
        payload = message["payload"]
        frame = {"type": "websocket.send", "text": payload}  # one ASGI message, shared by every socket
        wire = server_text_frame(payload)  # and its frame's bytes, for the sockets that take them as they are
        prior = message.get("prior")
        workspace = message.get("workspace")  # the workspace the event belongs to
        viewers_of = message.get("viewers_of")  # only for the sockets viewing this channel
        presence_of = message.get("presence_of")  # a presence_change: only for the sockets following these
        followed_frames = FollowedPresence(payload, presence_of) if presence_of is not None else None
        delivered = 0
        for conn in list(members):
            if prior and not conn.groups.isdisjoint(prior):
                continue  # it is in an earlier group of the same event, which delivered it
            if viewers_of is not None and conn.viewing is not None and conn.viewing != viewers_of:
                continue  # it shows another channel, and reads this one's state when it opens it
            if workspace is not None and workspace not in conn.workspaces:
                # A token's socket acting in another workspace, a browser of someone who left it,
                # or a socket still reading its workspaces (it decides once it knows them).
                if conn.loading is not None:
                    conn.loading.append(("event", (group, frame, workspace)))
                continue
            if followed_frames is not None and conn.presence_ids is not None:
                followed = followed_frames.of(conn.presence_ids)
                if followed is not None:
                    if followed:
                        conn.deliver(group, *followed)
                        delivered += 1
                    continue  # None: it follows all of them, and takes the shared frame
            conn.deliver(group, frame, wire)
            delivered += 1
        FRAMES_DELIVERED.inc(delivered)

    async def _read(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel_name)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._lost_layer(exc)
                await asyncio.sleep(RETRY_SECONDS)
                continue
            try:
                await self.dispatch(message)
            except Exception:
                logger.exception("Could not fan out a %s message", message.get("type"))

    # --- Outages and upkeep ------------------------------------------------------------------

    def _lost_layer(self, exc: Exception) -> None:
        LAYER_ERRORS.labels("receive").inc()
        if not self.degraded:
            logger.warning("Lost the channel layer (%s); retrying", exc)
            self._degraded_since = time.monotonic()
        self.degraded = True

    async def _layer_run_ids(self) -> tuple[str, ...] | None:
        """The Redis servers' run ids (a restart changes them, and empties the layer), when the layer has them."""
        connection, ring_size = getattr(self.layer, "connection", None), getattr(self.layer, "ring_size", None)
        if connection is None or ring_size is None:
            return None
        try:
            return tuple([(await connection(index).info("server"))["run_id"] for index in range(ring_size)])
        except Exception:
            return None

    async def _recover(self) -> None:
        """Re-join every group; if events may have been dropped meanwhile, make every socket resume."""
        groups = list(self.members)
        # Groups kept only for a quick return may be gone from the layer (a later join must add them
        # again), or still there: leave them once the layer answers, or every event for them keeps coming.
        kept, self._emptied = list(self._emptied), {}
        self._layer_groups.difference_update(kept)
        try:
            for start in range(0, len(groups), 500):
                batch = groups[start : start + 500]
                await asyncio.gather(*(self._rejoin(group) for group in batch))
        except Exception:
            return
        self.degraded = False
        LAYER_RECOVERIES.inc()
        for group in kept:
            self.background(self._forget_group(group))
        outage = time.monotonic() - self._degraded_since
        run_ids = await self._layer_run_ids()
        restarted = None not in (run_ids, self._run_ids) and run_ids != self._run_ids
        self._run_ids = run_ids or self._run_ids
        if outage < OUTAGE_SECONDS and not restarted:
            logger.warning("Channel layer is back after %.1f s; groups re-joined", outage)
            return
        logger.warning("Channel layer is back; %d sockets asked to reconnect and resume", len(self.connections))
        for conn in list(self.connections):
            await conn.goodbye("layer_reconnected")

    async def _leave_emptied(self) -> None:
        """Leave the layer groups that have had no local member for LAYER_LEAVE_DELAY_SECONDS, the longest
        emptied first, at most LAYER_LEAVES_PER_TICK of them."""
        since = time.monotonic() - LAYER_LEAVE_DELAY_SECONDS
        due: list[str] = []
        for group, emptied_at in self._emptied.items():  # in the order they emptied
            if emptied_at > since or len(due) == LAYER_LEAVES_PER_TICK:
                break
            due.append(group)
        await asyncio.gather(*(self._layer_discard(group) for group in due))

    async def _forget_group(self, group: str) -> None:
        """Leave a layer group this process no longer tracks, unless a socket joined it again meanwhile."""
        async with self._group_lock(group):
            if group in self.members or group in self._layer_groups:
                return
            try:
                async with self._layer_slots:
                    await self.layer.group_discard(group, self.channel_name)
            except Exception:
                logger.debug("Could not leave layer group %s", group)  # it expires after group_expiry

    async def _rejoin(self, group: str) -> None:
        async with self._layer_slots:
            await self.layer.group_add(group, self.channel_name)
        self._layer_groups.add(group)

    async def _housekeep(self) -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            try:
                if self.degraded:
                    await self._recover()
                    continue
                if self._run_ids is not None and await self._layer_run_ids() != self._run_ids:
                    # A shard of a sharded layer is unreachable or restarted (its groups are gone) while
                    # this process's own receive shard is fine: nothing else would notice. Recover as usual.
                    self._lost_layer(RuntimeError("a channel-layer shard is unreachable or restarted"))
                    continue
                if time.monotonic() - self._refreshed_at > self._refresh_seconds:
                    self._refreshed_at = time.monotonic()
                    for group in list(self._layer_groups):
                        await self._rejoin(group)
                await self._leave_emptied()
                await self.limits.tick()
                await self.presence.tick()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("Real-time upkeep failed: %s", exc)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def _receiving_layer() -> BaseChannelLayer:
    """The layer instance the hub receives on: its own, unless the layer lives in this process's memory.

    A Redis layer instance keeps receive state (locks, buffers) for one event loop at a time, so
    the hub does not share the instance that other code in the process may receive on.
    """
    shared = get_channel_layer()
    if shared is None:
        raise ImproperlyConfigured("The real-time gateway needs a channel layer (CHANNEL_LAYERS).")
    if isinstance(shared, InMemoryChannelLayer):
        return shared
    return channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)


def current_hub() -> Hub:
    """The hub of the running event loop (one per server process; tests get one per test loop)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = Hub(_receiving_layer())
    return hub
