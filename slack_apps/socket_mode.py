"""Socket Mode: an app opens WebSockets (apps.connections.open) and is sent its envelopes there, as Slack does.

The socket says `hello` (with `num_connections` and `connection_info.app_id`), then sends each of the
app's pending deliveries as `{"envelope_id", "type": "events_api", "payload", "accepts_response_payload",
"retry_attempt", "retry_reason"}`; the app acks with `{"envelope_id"}`. An app may hold up to
MAX_CONNECTIONS sockets, in any of the ASGI processes; each delivery goes to one of them:

- Dispatch (slack_apps.dispatch) sends new deliveries, with their envelopes, in batches to the
  processes holding sockets of the workspace's apps; each process's router
  (slack_apps.socket_router) claims them in Redis and hands each to one local socket of its app,
  without a database query. Acks are marked delivered in the database together, a batch per
  ACK_FLUSH_SECONDS in each process.
- Not acked within ACK_SECONDS (or its socket closed first), it is announced again with
  retry_attempt + 1 and retry_reason `timeout`, so another socket may take it: the first socket
  to claim it in the database (its next attempt pushed ACK_SECONDS ahead) sends it. After
  MAX_ATTEMPTS it has failed.
- A socket that opens first sends what is pending for its app, oldest first: events that came
  while no socket was open wait in the outbox, and the periodic sweep announces any whose socket
  died before the ack.

Rotating the app-level token or disabling the app sends `{"type": "disconnect", "reason":
"refresh_requested"}` and closes the sockets; a socket over the limit is told `too_many_websockets`.
Each socket has its own layer channel: an app holds a handful, unlike the thousands of people's
sockets the gateway's hub serves.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import weakref
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from realtime import clock
from realtime.hub import current_hub
from realtime.tickets import redeem_ticket
from realtime.transport import app_sockets_group
from slack_apps import socket_commands
from slack_apps.models import App, DeliveryState, EventDelivery
from slack_apps.socket_router import current_router
from slackclone import jsonlimits
from slackclone.db_unavailable import outage_as_unavailable
from slackclone.transactions import commit_without_waiting_for_flush

logger = logging.getLogger(__name__)

TICKET_PREFIX = "socket-mode-ticket:"
MAX_CONNECTIONS = 10
ACK_SECONDS = 3.0
MAX_ATTEMPTS = 4  # the first sending and Slack's three retries
SLOT_SECONDS = 90.0
HEARTBEAT_SECONDS = 30.0
CATCH_UP_BATCH = 100
ACK_FLUSH_SECONDS = 0.1
# Envelopes waiting for a socket's writer: an app that stops reading holds no more than these, and
# what it is not sent is retried on its other sockets when its ack is overdue.
MAX_BACKLOG = 500


# This process's open sockets per app (hello's num_connections counts these).
_local_sockets: dict[str, int] = {}


@database_sync_to_async
@outage_as_unavailable  # a stale statement's connection dropped, not handed back to the pool
def _live_app(app_pk: int) -> App | None:
    return App.objects.filter(pk=app_pk, disabled_at__isnull=True, socket_mode=True).select_related("workspace").first()


@database_sync_to_async
@outage_as_unavailable
def _claim(delivery_id: int, app_pk: int) -> EventDelivery | None:
    """Take a pending delivery of this app for one socket: its next attempt moves past the ack window."""
    now = timezone.now()
    claimed = EventDelivery.objects.filter(
        pk=delivery_id, app_id=app_pk, state=DeliveryState.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + timedelta(seconds=ACK_SECONDS))
    if not claimed:
        return None
    return EventDelivery.objects.select_related("app__workspace", "app__bot_user", "app_event").get(pk=delivery_id)


@database_sync_to_async
@outage_as_unavailable
def _pending_ids(app_pk: int) -> list[int]:
    return list(
        EventDelivery.objects.filter(app_id=app_pk, state=DeliveryState.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("pk")
        .values_list("pk", flat=True)[:CATCH_UP_BATCH]
    )


@database_sync_to_async
@outage_as_unavailable
def _mark_delivered(delivery_ids: list[int]) -> None:
    with transaction.atomic():
        commit_without_waiting_for_flush()  # lost with the database, they are sent again, with their event_ids
        EventDelivery.objects.filter(pk__in=delivery_ids, state=DeliveryState.PENDING).update(
            state=DeliveryState.DELIVERED, finished_at=timezone.now()
        )


class _Acks:
    """The acks of one event loop's sockets, marked delivered together: one UPDATE per ACK_FLUSH_SECONDS,
    not one per ack."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.flushing: asyncio.Task[None] | None = None

    def add(self, delivery_id: int) -> None:
        self.ids.append(delivery_id)
        if self.flushing is None or self.flushing.done():
            self.flushing = asyncio.ensure_future(self._flush_soon())

    async def _flush_soon(self) -> None:
        # Acks that come while an UPDATE runs are flushed after it by the same task: add() starts none
        # while this one is running, so they would otherwise wait for the next ack.
        while self.ids:
            await asyncio.sleep(ACK_FLUSH_SECONDS)
            ids, self.ids = self.ids, []
            await _mark_delivered(ids)


_acks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Acks] = weakref.WeakKeyDictionary()


def _acked(delivery_id: int) -> None:
    _acks.setdefault(asyncio.get_running_loop(), _Acks()).add(delivery_id)


def _envelope_frame(body: str, envelope_id: str, attempt: int, reason: str) -> str:
    """An events_api envelope around a delivery's exact JSON body, without parsing it again."""
    return (
        f'{{"envelope_id":"{envelope_id}","payload":{body},"type":"events_api",'
        f'"accepts_response_payload":false,"retry_attempt":{attempt},"retry_reason":{json.dumps(reason)}}}'
    )


@database_sync_to_async
@outage_as_unavailable
def _not_acked(delivery_id: int) -> bool:
    """Count an attempt the app did not ack; True if it may be tried again (now), False if it failed."""
    delivery = EventDelivery.objects.filter(pk=delivery_id, state=DeliveryState.PENDING).first()
    if delivery is None:
        return False
    attempts = delivery.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        EventDelivery.objects.filter(pk=delivery_id).update(
            state=DeliveryState.FAILED, attempts=attempts, last_error="timeout", finished_at=timezone.now()
        )
        return False
    EventDelivery.objects.filter(pk=delivery_id).update(
        attempts=attempts, last_error="timeout", next_attempt_at=timezone.now()
    )
    return True


class SocketModeConsumer(AsyncWebsocketConsumer):
    """One Socket Mode connection of one app."""

    app: App | None = None
    app_id = ""  # public ids, for the router, once accepted
    workspace_id = ""

    @property
    def live_app(self) -> App:
        """The app this socket serves, once connect() accepted it."""
        if self.app is None:
            raise RuntimeError("the socket has no app before it is accepted")
        return self.app

    async def connect(self) -> None:
        query = parse_qs(self.scope.get("query_string", b"").decode())
        app_pk = redeem_ticket(TICKET_PREFIX, (query.get("ticket") or [""])[0])
        self.app = await _live_app(app_pk) if app_pk is not None else None
        if self.app is None:
            await self.close(code=4401)
            return
        self.slot = secrets.token_hex(8)
        self.sent: dict[str, tuple[int, asyncio.TimerHandle]] = {}
        self.retries: set[asyncio.Future[None]] = set()
        self.commands: set[str] = set()  # slash_commands envelopes sent here, awaiting their ack
        refused = await self._take_slot()
        await self.accept()
        if refused:
            await self.say_disconnect("too_many_websockets")
            return
        await self.channel_layer.group_add(app_sockets_group(self.app), self.channel_name)
        self.app_id, self.workspace_id = self.app.public_id, self.app.workspace.public_id
        _local_sockets[self.app_id] = _local_sockets.get(self.app_id, 0) + 1
        hello = {
            "type": "hello",
            "num_connections": _local_sockets[self.app_id],
            "debug_info": {"host": "slackclone", "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.app_id},
        }
        # Every frame but a few control ones goes through the writer, hello first.
        self.outgoing: asyncio.Queue[str] = asyncio.Queue()
        self.outgoing.put_nowait(json.dumps(hello))
        self.writer = asyncio.create_task(self._write_envelopes())
        self.heartbeat = asyncio.create_task(self._keep_slot())
        await current_router().add(self)
        for delivery_id in await _pending_ids(self.app.pk):
            await self._send_delivery(delivery_id)

    async def _take_slot(self) -> str:
        store = current_hub().store
        now = clock.now()
        user = f"app:{self.live_app.public_id}"
        refused = await store.socket_admit(
            user, self.slot, None, now=now, expires=now + SLOT_SECONDS,
            user_max=MAX_CONNECTIONS, token_max=MAX_CONNECTIONS, per_minute=120,
        )  # fmt: skip
        return refused

    async def _keep_slot(self) -> None:
        store = current_hub().store
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            now = clock.now()
            await store.socket_refresh(
                [(f"app:{self.live_app.public_id}", self.slot, None)], now=now, expires=now + SLOT_SECONDS
            )

    async def disconnect(self, code: int) -> None:
        if self.app is None or not hasattr(self, "heartbeat"):
            return
        self.heartbeat.cancel()
        self.writer.cancel()
        _local_sockets[self.live_app.public_id] -= 1
        await self.channel_layer.group_discard(app_sockets_group(self.live_app), self.channel_name)
        await current_router().remove(self)
        for delivery_id, timer in self.sent.values():
            timer.cancel()
            await self._retry(delivery_id)  # not acked here: another socket of the app may take it
        self.sent.clear()
        await current_hub().store.socket_release(f"app:{self.live_app.public_id}", self.slot, None)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Acks: `{"envelope_id": …}`. Anything else, or an envelope this socket did not send, is ignored."""
        try:
            frame = jsonlimits.loads(text_data or "")
        except jsonlimits.JSONError:
            logger.info("Socket Mode: app %s sent a frame that is not JSON", self.live_app.public_id)
            return
        envelope_id = frame.get("envelope_id") if isinstance(frame, dict) else None
        if isinstance(envelope_id, str) and envelope_id in self.commands:
            self.commands.discard(envelope_id)
            payload = frame.get("payload")
            answer = {"payload": payload if isinstance(payload, dict) else None}
            await cache.aset(socket_commands.ack_key(envelope_id), answer, socket_commands.ANSWER_SECONDS)
            return
        sent = self.sent.pop(envelope_id, None) if isinstance(envelope_id, str) else None
        if sent is None:
            logger.info("Socket Mode: app %s acked an envelope it was not sent", self.live_app.public_id)
            return
        delivery_id, timer = sent
        timer.cancel()
        _acked(delivery_id)

    async def _send_delivery(self, delivery_id: int) -> None:
        delivery = await _claim(delivery_id, self.live_app.pk)
        if delivery is None:
            return  # another socket took it, or it is done
        self.queue_envelope(delivery_id, delivery.body, delivery.attempts, delivery.last_error)

    def queue_envelope(self, delivery_id: int, body: str, attempt: int, reason: str) -> bool:
        """Hand an envelope to this socket's writer, at once: a socket whose app reads slowly holds up only
        itself. False if its backlog is full (the envelope is not this socket's to send)."""
        if self.outgoing.qsize() >= MAX_BACKLOG:
            return False
        envelope_id = secrets.token_hex(16)
        timer = asyncio.get_running_loop().call_later(ACK_SECONDS, self._ack_overdue, envelope_id)
        self.sent[envelope_id] = (delivery_id, timer)
        self.outgoing.put_nowait(_envelope_frame(body, envelope_id, attempt, reason))
        return True

    async def _write_envelopes(self) -> None:
        while True:
            frame = await self.outgoing.get()
            await self.send(text_data=frame)

    def _ack_overdue(self, envelope_id: str) -> None:
        sent = self.sent.pop(envelope_id, None)
        if sent is not None:
            task = asyncio.ensure_future(self._retry(sent[0]))
            self.retries.add(task)  # held until done: the loop keeps only a weak reference
            task.add_done_callback(self.retries.discard)

    async def _retry(self, delivery_id: int) -> None:
        if await _not_acked(delivery_id):
            await self.channel_layer.group_send(
                app_sockets_group(self.live_app), {"type": "sm.deliver", "delivery": delivery_id}
            )

    async def say_disconnect(self, reason: str) -> None:
        await self.send(
            text_data=json.dumps({"type": "disconnect", "reason": reason, "debug_info": {"host": "slackclone"}})
        )
        await self.close()

    # --- Layer messages ------------------------------------------------------------------------

    async def sm_deliver(self, message: dict[str, Any]) -> None:
        """A delivery to send again (or found by the sweep): the first socket to claim it in the database sends it."""
        await self._send_delivery(message["delivery"])

    async def sm_command(self, message: dict[str, Any]) -> None:
        """A slash command or an interaction: the first of the app's sockets to claim it sends it
        (slack_apps.socket_commands)."""
        envelope_id = message["envelope_id"]
        if not await cache.aadd(socket_commands.claim_key(envelope_id), 1, socket_commands.ANSWER_SECONDS):
            return
        self.commands.add(envelope_id)
        envelope = {
            "envelope_id": envelope_id,
            "payload": message["payload"],
            "type": message.get("envelope_type", "slash_commands"),
            "accepts_response_payload": True,
            "retry_attempt": 0,
            "retry_reason": "",
        }
        await self.send(text_data=json.dumps(envelope, separators=(",", ":"), ensure_ascii=False))

    async def sm_close(self, message: dict[str, Any]) -> None:
        await self.say_disconnect(message.get("reason", "refresh_requested"))


socket_mode_application = SocketModeConsumer.as_asgi()
