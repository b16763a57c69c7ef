"""One client socket: authenticate, subscribe, answer frames, and hand events through verbatim.

It is a plain ASGI application rather than a Channels consumer class: a Channels consumer
gets its own layer channel and a receive task per socket and closes database connections on
every message, costs that add up per member per message at fan-out (hub.py explains the
process-wide subscription that replaces them). Its per-socket state is a few slots, so ten
thousand idle sockets stay small.

Writes go through chat.services (calls.py) in worker threads; a DomainError becomes the
frame's error reply (a database outage too: service_unavailable with retry_after, the socket
kept open). A frame the gateway cannot act on (bad JSON, unknown type, missing field,
over 64 KiB) is answered with an error that names the problem and counts as a strike; a
client that keeps sending garbage is closed with 4008.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Coroutine
from typing import Any, Literal
from urllib.parse import parse_qs

from asgiref.sync import markcoroutinefunction

from realtime import calls, transport
from realtime.asgi_types import Receive, Scope, Send
from realtime.auth import authenticate, refuse_handshake
from realtime.event_types import GoodbyeEvent, GoodbyeReason, HelloEvent, PongEvent, UserTypingEvent
from realtime.frames import Frame, FrameError, parse_frame
from realtime.hub import Hub, current_hub
from realtime.protocol import GatewayWebSocketProtocol
from realtime.resume import build_replay
from slackclone import lifespan
from slackclone.errors import DomainError, ErrorCode
from slackclone.metrics.families import RESUME_REPLAYS

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_POLICY = 4008
CLOSE_TOO_MANY = 4029  # over a socket limit (realtime/limits.py); the reason says which
# 1012 (service restart) would say it, but WebSocket servers let applications close only with 1000 or 3000-4999.
CLOSE_RECONNECT = 4012
CLOSE_SESSION_CHANGED = 4013  # the session must be checked again: reconnect at once

MESSAGE_RATE, MESSAGE_BURST = 10.0, 20  # per user, across processes
FRAME_RATE, FRAME_BURST = 20.0, 50  # any frame, per socket
STRIKE_LIMIT, STRIKE_DECAY_SECONDS = 10, 6.0  # the 10th bad frame closes; each quiet 6 s forgives one
TYPING_THROTTLE_SECONDS = 3.0
RESUME_HOLD_SECONDS = 10.0
GATEWAY_PATH = "/ws/"

_CHANGE_SUBTYPES = frozenset({"message_changed", "message_deleted"})


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _is_message_up_to(payload: str, seq: int) -> bool:
    """A held live event is a new message the replay already carried."""
    event = json.loads(payload)
    return (
        event.get("type") == "message"
        and event.get("subtype") not in _CHANGE_SUBTYPES
        and isinstance(event.get("seq"), int)
        and event["seq"] <= seq
    )


def _step(coroutine: Coroutine[asyncio.Future[Any] | None, Any, None], value: object = None) -> None:
    """Run a send coroutine until it finishes or waits; if it waits, resume it when its future is done."""
    try:
        awaited = coroutine.send(value)
    except StopIteration:
        return
    except Exception:  # the socket went away mid-send: its disconnect arrives through receive()
        logger.debug("send to a closing socket dropped", exc_info=True)
        return
    if awaited is None:  # a bare yield (asyncio.sleep(0)): try again on the next loop iteration
        asyncio.get_running_loop().call_soon(_step, coroutine)
    else:
        awaited.add_done_callback(lambda _future: _step(coroutine))


class Connection:
    """The state of one open socket. `deliver` is the hot path: one check, one write."""

    __slots__ = (
        "_admission",
        "_expiry",
        "_frame_at",
        "_frame_tokens",
        "_hold_timer",
        "_hub",
        "_presence",
        "_resume_on_open",
        "_strike_at",
        "_strikes",
        "barred_workspaces",
        "closed",
        "groups",
        "held",
        "holding",
        "id",
        "loading",
        "presence_ids",
        "send",
        "session_tag",
        "token_id",
        "user_id",
        "user_pk",
        "viewing",
        "workspace_id",
        "workspaces",
        "writer",
    )

    def __init__(self, scope: Scope, send: Send) -> None:
        self.send = send
        # Under Uvicorn with the gateway protocol, send is its bound method: the hub writes framed events
        # to it directly (GatewayWebSocketProtocol.write_frame). Under another server, every event is sent.
        owner = getattr(send, "__self__", None)
        self.writer: GatewayWebSocketProtocol | None = owner if isinstance(owner, GatewayWebSocketProtocol) else None
        self.user_pk = 0  # the user's key, once the handshake has authenticated them
        self.user_id: str = ""
        self.workspace_id: int | None = None  # a token's socket acts in its token's workspace only
        self.token_id: int | None = None  # the API token that opened it: revoking the token closes it
        self.session_tag = ""  # the browser session that opened it (transport.session_tag): ending it closes it
        self.barred_workspaces: tuple[int, ...] = ()  # kept out of these by their sign-in policy
        # When its session outlives a workspace's session length: closed then (4013), and checked again.
        self._expiry: tuple[float, asyncio.TimerHandle | None] | None = None
        query = parse_qs(scope.get("query_string", b"").decode("latin1"))
        self._resume_on_open = query.get("resume") == ["1"]
        self.id = secrets.token_hex(6)
        self.groups: set[str] = set()
        # The workspaces (public ids) the socket acts in: its token's, or every one its person is active
        # in. An event of another workspace is not handed to it (hub.dispatch).
        self.workspaces: tuple[str, ...] = ()
        # The channel the client shows (the `view` frame; "" for none): events only its viewers get live
        # skip the socket when it shows another. None until it says: a bot or RTM client gets them all.
        self.viewing: str | None = None
        # The people whose presence_change the client follows (the `presence_sub` frame): None until it
        # says, and then it gets every change of its workspaces, as a bot or RTM client expects.
        self.presence_ids: frozenset[str] | None = None
        self._hub: Hub | None = None  # the process's hub, once the socket is authenticated
        self.closed = False
        # While the subscriptions are read: the changes and events heard meanwhile, to apply in order after.
        self.loading: list[tuple[str, Any]] | None = None
        # Live events held during a resume: None, a set of groups, or True for all of them.
        self.holding: set[str] | Literal[True] | None = None
        self.held: list[tuple[str, str]] = []
        self._hold_timer: asyncio.TimerHandle | None = None
        self._presence: asyncio.Task[None] | None = None  # the Redis call that marks the user online, while it runs
        self._admission: asyncio.Task[str] | None = None  # the place taken under the socket limits ("" if taken)
        self._strikes, self._strike_at = 0, 0.0
        self._frame_tokens, self._frame_at = float(FRAME_BURST), time.monotonic()

    @property
    def hub(self) -> Hub:
        """The process's hub: set when the socket is authenticated, before anything that uses it."""
        if self._hub is None:
            raise RuntimeError("The socket has no hub before it is authenticated.")
        return self._hub

    # --- Life of the socket --------------------------------------------------------------

    async def run(self, scope: Scope, receive: Receive) -> None:
        auth = await authenticate(scope)
        if auth is None:
            await refuse_handshake(receive, self.send)
            return
        self.user_id, self.workspace_id = auth.user_public_id, auth.workspace_id
        self.token_id = auth.token_id
        self.session_tag, self.barred_workspaces = auth.session_tag, auth.barred_workspaces
        if auth.expires_at is not None:
            self._expiry = (auth.expires_at, None)
        message = await receive()
        if message["type"] != "websocket.connect":
            return
        await self.send({"type": "websocket.accept"})
        if auth.user_pk is None:
            await self.send({"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED, "reason": "not_authed"})
            return
        self.user_pk = auth.user_pk
        self._hub = current_hub()
        try:
            await self._open()
            while True:
                message = await receive()
                if message["type"] == "websocket.receive":
                    await self.on_frame(message.get("text"), message.get("bytes"))
                elif message["type"] == "websocket.disconnect":
                    break
        finally:
            await self._cleanup()

    async def _open(self) -> None:
        """Take a place under the socket limits and subscribe (user group first, so no membership change
        is missed while loading), then hello. The limits' Redis round trip runs while the subscriptions
        are read, so it does not lengthen the connect path by a round trip of its own."""
        self.loading = []
        self._admission = asyncio.ensure_future(self.hub.limits.admit(self))
        await self.hub.attach(self, [f"u.{self.user_id}"])
        if lifespan.draining():
            # The drain began after this socket passed the gate (shutdown.refuse_while_draining) and before
            # it joined the hub, so its goodbye to every connection missed this one.
            await self.goodbye("server_shutdown")
            return
        subscriptions = await calls.load_subscriptions(
            self.user_pk, self.workspace_id, self.token_id, self.barred_workspaces
        )
        if not subscriptions.live:
            # Deactivated or revoked between the handshake and joining the user's group, whose close we missed.
            await self.close(CLOSE_UNAUTHENTICATED, subscriptions.problem)
            return
        refused = await self._admission
        if refused:
            await self.close(CLOSE_TOO_MANY, refused)
            return
        if self.closed:
            return  # closed from the server (a logout, a revocation) while the subscriptions were read
        self.workspaces = tuple(subscriptions.workspaces)
        await self.hub.join(self, subscriptions.groups)
        await self._apply_heard_while_loading()
        if self.closed:
            return
        if self._resume_on_open:
            # The client will resume: hold live events until its replay is sent, so nothing comes twice.
            self.holding = True
            self._hold_timer = asyncio.get_running_loop().call_later(RESUME_HOLD_SECONDS, self._hold_expired)
        hello: HelloEvent = {"type": "hello"}
        await self.send_event(hello)
        if self._expiry is not None:
            delay = max(0.0, self._expiry[0] - time.time())
            self._expiry = (self._expiry[0], asyncio.get_running_loop().call_later(delay, self._session_expired))
        # Marking the user online is a Redis round trip the client need not wait for: its resume is read
        # at once. _cleanup waits for it, so the disconnect is always recorded after the connect.
        self._presence = asyncio.ensure_future(self.hub.presence.connected(self))
        self._presence.add_done_callback(self._presence_recorded)

    async def _apply_heard_while_loading(self) -> None:
        """Membership changes heard while loading may be newer than what was read: apply them again, in order,
        with the events that came meanwhile for a workspace the socket did not know yet it acts in."""
        changes, self.loading = self.loading or [], None
        for kind, change in changes:
            if self.closed:
                return
            if kind == "subscribe":
                await self.subscribe(*change)
            elif kind == "unsubscribe":
                await self.unsubscribe(*change)
            else:
                group, frame, workspace = change
                if workspace in self.workspaces and group in self.groups:
                    self.deliver(group, frame)

    def _presence_recorded(self, _task: asyncio.Task[None]) -> None:
        self._presence = None

    async def _cleanup(self) -> None:
        self.closed = True
        if self._hold_timer is not None:
            self._hold_timer.cancel()
        if self._expiry is not None and self._expiry[1] is not None:
            self._expiry[1].cancel()
        if self._presence is not None:
            await self._presence
        await self.hub.presence.disconnected(self)
        if self._admission is not None and not await self._admission:
            await self.hub.limits.release(self)  # the place it took
        await self.hub.detach(self)

    # --- From the hub ----------------------------------------------------------------------

    def deliver(self, group: str, frame: dict[str, str], wire: bytes | None = None) -> None:
        """Write one event to this socket, or hold it: its frame's bytes (`wire`, framed once per event
        for every socket) straight to the socket when it can take them, else its ASGI send message.

        Synchronous on purpose: the hub calls it for every local member of a group in one loop.
        An ASGI send completes without suspending unless flow control has paused this socket
        (a slow reader), so the send coroutine is stepped here directly; a paused one finishes
        on its own when the socket drains, and holds up nobody else.
        """
        holding = self.holding
        if holding is not None and (holding is True or group in holding):
            self.held.append((group, frame["text"]))
            return
        if wire is not None and self.writer is not None and self.writer.write_frame(wire):
            return
        _step(self.send(frame))

    async def subscribe(self, groups: list[str], workspace: str | None = None) -> None:
        """Live subscription from a service (joined, invited, new DM, reactivated).

        `workspace`: the person joined that workspace (or was reactivated there); a browser acts in it
        from now on. A token's socket keeps to its token's workspace.
        """
        if self.closed:
            return
        if self.loading is not None:
            self.loading.append(("subscribe", (groups, workspace)))
        if workspace is not None and self.workspace_id is None and workspace not in self.workspaces:
            self.workspaces = (*self.workspaces, workspace)
        checked = [g for g in groups if g.startswith("w.")] if self.workspace_id is None else list(groups)
        unchecked = [g for g in groups if g not in checked]
        if unchecked:
            await self.hub.join(self, unchecked)
        if checked:
            self.hub.background(self._subscribe_checked(checked))

    async def _subscribe_checked(self, groups: list[str]) -> None:
        allowed = await calls.check_live_groups(self.user_pk, self.workspace_id, groups)
        if allowed and not self.closed:
            await self.hub.join(self, allowed)

    async def unsubscribe(self, groups: list[str], workspace: str | None = None) -> None:
        """Live unsubscription from a service (left, kicked, deactivated in a workspace).

        `workspace`: the person is no longer active there. A socket of a token of that workspace
        closes (4401); any other socket hears nothing more of it and keeps the person's other workspaces.
        """
        if self.loading is not None:
            self.loading.append(("unsubscribe", (groups, workspace)))
        self.hub.leave(self, groups)
        if workspace is None or workspace not in self.workspaces:
            return
        if self.workspace_id is not None:
            await self.close(CLOSE_UNAUTHENTICATED, "account_inactive")
            return
        self.workspaces = tuple(w for w in self.workspaces if w != workspace)

    async def close(self, code: int, reason: str = "") -> None:
        """Close from the server: the socket hears nothing more from this moment."""
        if self.closed:
            return
        self.closed = True
        self.holding = None
        self.hub.leave(self, list(self.groups))
        await self.send({"type": "websocket.close", "code": code, "reason": reason[:120]})

    async def goodbye(self, reason: GoodbyeReason) -> None:
        """Slack's goodbye: the client should reconnect (and resume)."""
        if not self.closed:
            goodbye: GoodbyeEvent = {"type": "goodbye", "reason": reason}
            await self.send_event(goodbye)
            await self.close(CLOSE_RECONNECT, reason)

    # --- Frames ----------------------------------------------------------------------------

    async def send_json(self, data: dict[str, Any]) -> None:
        """A reply to one of the client's frames."""
        if not self.closed:
            await self.send({"type": "websocket.send", "text": _dumps(data)})

    async def send_event(self, event: HelloEvent | GoodbyeEvent | PongEvent) -> None:
        """An event for this socket alone."""
        if not self.closed:
            await self.send({"type": "websocket.send", "text": transport.encode_event(event)})

    async def reply_error(self, reply_to: Any, code: ErrorCode, msg: str, **extra: Any) -> None:
        error = {"code": code.value, "msg": msg, **{k: v for k, v in extra.items() if v}}
        await self.send_json({"ok": False, "reply_to": reply_to, "error": error})

    async def on_frame(self, text: str | None, data: bytes | None) -> None:
        if self.closed:
            return
        try:
            frame = parse_frame(text)
        except FrameError as exc:
            await self.reply_error(exc.reply_to, exc.code, exc.message, fields=exc.fields)
            await self._strike()
            return
        wait = self._take_frame_token()
        if wait:
            await self._ratelimited(frame.id, wait)
            return
        try:
            await HANDLERS[frame.type](self, frame)
        except DomainError as exc:  # service_unavailable (a database outage) says when to retry the same frame
            retry_after = getattr(exc, "retry_after", None)
            await self.reply_error(frame.id, exc.code, exc.message, fields=exc.fields, retry_after=retry_after)

    async def _strike(self) -> None:
        """One more bad frame; each quiet STRIKE_DECAY_SECONDS forgives one."""
        now = time.monotonic()
        if self._strikes:
            forgiven = int((now - self._strike_at) // STRIKE_DECAY_SECONDS)
            self._strikes = max(0, self._strikes - forgiven)
            self._strike_at += forgiven * STRIKE_DECAY_SECONDS
        if not self._strikes:
            self._strike_at = now
        self._strikes += 1
        if self._strikes >= STRIKE_LIMIT:
            await self.close(CLOSE_POLICY, "too_many_bad_frames")

    def _take_frame_token(self) -> float:
        now = time.monotonic()
        self._frame_tokens = min(FRAME_BURST, self._frame_tokens + (now - self._frame_at) * FRAME_RATE)
        self._frame_at = now
        if self._frame_tokens < 1:
            return (1 - self._frame_tokens) / FRAME_RATE
        self._frame_tokens -= 1
        return 0.0

    async def _ratelimited(self, reply_to: Any, wait: float) -> None:
        retry_after = round(max(wait, 0.001), 3)
        await self.reply_error(
            reply_to,
            ErrorCode.RATELIMITED,
            f"Too many frames; retry after {retry_after} s.",
            retry_after=retry_after,
        )

    # --- Frame handlers ------------------------------------------------------------------------

    async def on_message(self, frame: Frame) -> None:
        try:
            wait = await self.hub.store.take_token(f"msg:{self.user_id}", rate=MESSAGE_RATE, burst=MESSAGE_BURST)
        except Exception as exc:  # the shared store is down: posting still works, unthrottled
            logger.warning("Rate limit store unavailable: %s", exc)
            wait = 0.0
        if wait:
            await self._ratelimited(frame.id, wait)
            return
        reply = await calls.post_message(self.user_pk, self.workspace_id, frame.data)
        await self.send_json({"ok": True, "reply_to": frame.id, **reply})

    async def on_typing(self, frame: Frame) -> None:
        channel_id = frame.data["channel"]
        if f"c.{channel_id}" not in self.groups:
            raise DomainError(ErrorCode.CHANNEL_NOT_FOUND, "Channel not found.")
        try:
            first = await self.hub.store.claim(f"ty:{self.user_id}:{channel_id}", TYPING_THROTTLE_SECONDS)
        except Exception:
            first = True
        target = await calls.typing_target(self.user_pk, self.workspace_id, channel_id) if first else None
        if target is not None:
            event: UserTypingEvent = {
                "type": "user_typing",
                "channel": channel_id,
                "user": self.user_id,
                "seq": target.seq,
            }
            await transport.publish_now([f"c.{channel_id}"], event, workspace=target.workspace)
        if frame.id is not None:
            await self.send_json({"ok": True, "reply_to": frame.id})

    async def on_view(self, frame: Frame) -> None:
        """The channel the client now shows (or none): it gets the reactions of large channels live only
        there, and reads the others' with a channel's history when it opens one (docs/protocol.md).

        A channel the socket is not in is refused, and the socket then gets every reaction again, as one
        that never said: it shows something it may join in a moment (a join's answer can outrun the news
        that subscribes the socket), and too many frames lose nothing where too few would."""
        channel_id = frame.data["channel"]
        if channel_id is not None and f"c.{channel_id}" not in self.groups:
            self.viewing = None
            raise DomainError(ErrorCode.CHANNEL_NOT_FOUND, "Channel not found.")
        self.viewing = channel_id or ""
        if frame.id is not None:
            await self.send_json({"ok": True, "reply_to": frame.id})

    async def on_presence_sub(self, frame: Frame) -> None:
        """Follow the presence of these people only, as Slack's presence_sub: a page shows a few dozen people,
        and each change of anyone else in a large workspace would be a frame it does not need.

        Ids the user may not see (another workspace's people, or for a guest anyone they share no channel
        with) are left out as if they did not exist. The answer carries the current presence of those
        followed, read after the subscription took effect, so no change falls between the two."""
        ids = list(dict.fromkeys(frame.data["ids"]))
        visible = await calls.presence_visible(self.user_pk, self.workspaces, ids) if ids else set()
        followed = [user_id for user_id in ids if user_id in visible]
        self.presence_ids = frozenset(followed)
        try:
            presence = await self.hub.store.presence_state(followed) if followed else {}
        except Exception as exc:  # presence is best effort: the subscription stands, its changes will come
            logger.warning("Presence unavailable: %s", exc)
            presence = {}
        if frame.id is not None:
            await self.send_json({"ok": True, "reply_to": frame.id, "presence": presence})

    async def on_ping(self, frame: Frame) -> None:
        pong: PongEvent = {"type": "pong", "reply_to": frame.id}
        if frame.id is not None:
            pong["id"] = frame.id
        if "time" in frame.data:
            pong["time"] = frame.data["time"]
        await self.send_event(pong)

    async def on_mark(self, frame: Frame) -> None:
        reply = await calls.mark_read(self.user_pk, self.workspace_id, frame.data)
        await self.send_json({"ok": True, "reply_to": frame.id, **reply})

    async def on_resume(self, frame: Frame) -> None:
        """Replay from the database what the client missed, then the held live events, minus duplicates."""
        channels: dict[str, int] = frame.data["channels"]
        if self._hold_timer is not None:
            self._hold_timer.cancel()
            self._hold_timer = None
        if self.holding is None:
            self.holding = {f"c.{channel_id}" for channel_id in channels}
        elif self.holding is not True:
            self.holding |= {f"c.{channel_id}" for channel_id in channels}
        try:
            replay = await build_replay(self.user_pk, self.workspace_id, channels)
        except BaseException:
            await self._release({})
            raise
        summary = {}
        RESUME_REPLAYS.observe(sum(len(channel.events) for channel in replay.channels))
        for channel in replay.channels:
            for payload in channel.events:
                await self.send({"type": "websocket.send", "text": payload})
            summary[channel.channel_id] = {
                "seq": channel.last_seq,
                "replayed": len(channel.events),
                "has_more": channel.has_more,
            }
        await self.send_json(
            {"ok": True, "reply_to": frame.id, "type": "resumed", "channels": summary, "errors": replay.errors}
        )
        await self._release({f"c.{c.channel_id}": c.last_seq for c in replay.channels})

    async def _release(self, replayed_up_to: dict[str, int]) -> None:
        """Send the held live events in arrival order, dropping new messages the replay carried."""
        while self.held:
            batch, self.held = self.held, []
            for group, payload in batch:
                up_to = replayed_up_to.get(group)
                if up_to is not None and _is_message_up_to(payload, up_to):
                    continue
                if not self.closed:
                    await self.send({"type": "websocket.send", "text": payload})
        self.holding = None  # no await since the last check: nothing can slip between

    def _session_expired(self) -> None:
        """A workspace's session length ran out: reconnecting, the socket is checked again and leaves it out."""
        self._expiry = None
        self.hub.background(self.close(CLOSE_SESSION_CHANGED, "session_expired"))

    def _hold_expired(self) -> None:
        self._hold_timer = None
        if self.holding is True:
            self.hub.background(self._release({}))


HANDLERS = {
    "message": Connection.on_message,
    "typing": Connection.on_typing,
    "ping": Connection.on_ping,
    "mark": Connection.on_mark,
    "resume": Connection.on_resume,
    "view": Connection.on_view,
    "presence_sub": Connection.on_presence_sub,
}


@markcoroutinefunction
def gateway(scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
    """The ASGI application for the socket at /ws/ (docs/protocol.md).

    A plain function that returns the connection's own coroutine, so an idle socket keeps one
    frame of ours alive (Connection.run), not one per wrapper: with 10,000 sockets in a process,
    every frame kept costs megabytes. Marked as a coroutine function so servers see ASGI 3.
    """
    if scope["type"] != "websocket":
        raise ValueError(f"The gateway serves WebSockets only, not {scope['type']}")
    if scope["path"] not in (GATEWAY_PATH, GATEWAY_PATH.rstrip("/")):
        return refuse_handshake(receive, send)
    return Connection(scope, send).run(scope, receive)
