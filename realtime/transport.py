"""The transport of real-time events: the only code that talks to the channel layer.

Services publish inside their transaction; each event is serialised once and handed to the channel
layer only after the transaction commits (`transaction.on_commit(..., robust=True)`), so a client
never hears of a write that rolled back, and a Redis outage never fails a request whose data is
already stored: clients catch up from the database (socket resume, or the API).

Every event belongs to one workspace and its layer message names it (`publish` requires it): the
hub hands an event only to sockets that act in that workspace, so a socket an API token opened
hears nothing of the person's other workspaces, and a browser nothing of a workspace the person
was deactivated in. Layer messages have three control types beside `chat.event`:
`chat.subscribe` / `chat.unsubscribe` (change which groups a user's sockets listen to, in every
process, without a reconnect; with `workspace`, the person joined or left that workspace) and
`chat.close` (deactivation, logout, a changed password).

This module knows groups and payloads, not models: each app builds its own events (chat.events,
workspaces.events, accounts.events, notifications.events) and publishes them here.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from channels.layers import get_channel_layer
from django.db import transaction
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from realtime import publisher
from realtime.event_types import EVENT_TYPES
from slackclone.metrics.families import EVENTS_PUBLISHED, LAYER_ERRORS

logger = logging.getLogger(__name__)


class HasPublicId(Protocol):
    """A user, a channel or a workspace: what a group is named after."""

    public_id: str


def check_event_type(event: Mapping[str, Any]) -> None:
    """Refuse an event outside the closed set (a programming error: a client would not know it)."""
    if event.get("type") not in EVENT_TYPES:
        raise ValueError(f"{event.get('type')!r} is not a real-time event type")


def encode_event(event: Mapping[str, Any]) -> str:
    """An event as it goes on the wire, serialised once however many sockets it reaches.

    Every event a socket is sent, live or replayed, is encoded here (the test suite checks each
    against its declaration in realtime.event_types as it passes).
    """
    check_event_type(event)
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False)


# --- Group names: short and ASCII, built from public ids ----------------------------


def user_group(user: HasPublicId) -> str:
    return f"u.{user.public_id}"


def channel_group(channel: HasPublicId) -> str:
    return f"c.{channel.public_id}"


def workspace_group(workspace: HasPublicId) -> str:
    return f"w.{workspace.public_id}"


def app_sockets_group(app: HasPublicId) -> str:
    """A Slack app's Socket Mode connections (slack_apps.socket_mode), in every process."""
    return f"sm.{app.public_id}"


def workspace_apps_group(workspace_id: str) -> str:
    """The processes holding a Socket Mode connection of any app of the workspace (by its public id): new
    deliveries go there in batches, one layer message per process however many apps hear of an event."""
    return f"smw.{workspace_id}"


# --- Transport ----------------------------------------------------------------------


def _layer_messages(groups: list[str], message: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """One layer message per group, each naming its group so a process's hub fans it out locally.

    An event sent to several groups lists the groups before it in `prior`: a socket in one of those
    has already been handed its copy, so the hub skips it (no duplicate for a member of both).
    """
    return [
        (group, {**message, "group": group, "prior": groups[:index]} if index else {**message, "group": group})
        for index, group in enumerate(groups)
    ]


# A connection the layer pooled before its Redis restarted fails on its next use; the send is tried once
# more, on a fresh connection, so the first event after a restart is not the one that is lost.
STALE_CONNECTION_ERRORS = (RedisConnectionError, RedisTimeoutError, ConnectionError)


async def send_to_group(layer: Any, group: str, message: dict[str, Any]) -> None:
    """One group_send, tried again once if the connection it used had gone stale."""
    try:
        await layer.group_send(group, message)
    except STALE_CONNECTION_ERRORS:
        LAYER_ERRORS.labels("send").inc()
        await layer.group_send(group, message)


async def _send_in_turn(layer: Any, messages: list[tuple[str, dict[str, Any]]]) -> None:
    for group, layer_message in messages:
        await send_to_group(layer, group, layer_message)
        _count_published(layer_message)


def _group_send(groups: list[str], message: dict[str, Any]) -> None:
    """The layer messages of one event, sent in turn from sync code (see realtime.publisher for the loop)."""
    layer = get_channel_layer()
    if layer is None:
        return
    messages = _layer_messages(groups, message)
    try:
        publisher.run_sync(layer, _send_in_turn, messages, timeout=publisher.timeout_for(len(messages)))
    except Exception:
        LAYER_ERRORS.labels("send").inc()
        raise


def _count_published(layer_message: dict[str, Any]) -> None:
    if layer_message["type"] == "chat.event":
        EVENTS_PUBLISHED.inc()


async def publish_now(
    groups: Iterable[str], event: Mapping[str, Any], *, workspace: str, presence_of: list[str] | None = None
) -> None:
    """Send an ephemeral event (typing, presence) at once, from async code; nothing about it is stored.

    `workspace` is the public id of the workspace the event belongs to, as for `publish`. `presence_of`
    (a presence_change's people): a socket that follows presence (presence_sub) gets only its people.
    The channel layer is a fast path at most once: a failure is logged, never raised to the sender.
    """
    payload = encode_event(event)
    layer = get_channel_layer()
    if layer is None:
        return
    message: dict[str, Any] = {"type": "chat.event", "payload": payload, "workspace": workspace}
    if presence_of is not None:
        message["presence_of"] = presence_of
    try:
        for group, layer_message in _layer_messages(list(groups), message):
            await send_to_group(layer, group, layer_message)
            EVENTS_PUBLISHED.inc()
    except Exception:
        LAYER_ERRORS.labels("send").inc()
        logger.warning("Could not publish %s to %s; clients catch up on their own", event["type"], groups)


def _on_commit(groups: Iterable[str], message: dict[str, Any]) -> None:
    groups = list(groups)

    # A named function, not a partial: Django's robust on_commit logs a failure by the callable's
    # __qualname__, and a partial has none (the logging itself would raise, failing the request).
    def send_after_commit() -> None:
        _group_send(groups, message)

    transaction.on_commit(send_after_commit, robust=True)


def publish(groups: Iterable[str], event: Mapping[str, Any], *, workspace: str, viewers_of: str | None = None) -> None:
    """Send `event` to every socket in `groups` once the current transaction commits.

    `workspace` is the public id of the workspace the event belongs to. The hub hands the event
    only to sockets acting in it: a socket an API token opened acts in its token's workspace only,
    and a person's own group (`u.…`) carries news of every workspace they are in.
    With `viewers_of` (a channel's public id), only the sockets that have that channel in view get it,
    besides those that never said what they view (the `view` frame, docs/protocol.md).
    """
    payload = encode_event(event)
    message = {"type": "chat.event", "payload": payload, "workspace": workspace}
    if viewers_of is not None:
        message["viewers_of"] = viewers_of
    _on_commit(groups, message)


def subscribe(user: HasPublicId, groups: Iterable[str], *, workspace: str | None = None) -> None:
    """The user's sockets join `groups`; with `workspace`, the user joined (or rejoined) that workspace."""
    message: dict[str, Any] = {"type": "chat.subscribe", "groups": list(groups)}
    if workspace is not None:
        message["workspace"] = workspace
    _on_commit([user_group(user)], message)


def unsubscribe(user: HasPublicId, groups: Iterable[str], *, workspace: str | None = None) -> None:
    """The user's sockets leave `groups`; with `workspace`, the user left it: their sockets hear nothing
    more of it, and those an API token of that workspace opened close (4401, account_inactive)."""
    message: dict[str, Any] = {"type": "chat.unsubscribe", "groups": list(groups)}
    if workspace is not None:
        message["workspace"] = workspace
    _on_commit([user_group(user)], message)


# `session` in a chat.close message that closes every socket a browser session opened (none a token opened).
ANY_SESSION = "*"


def session_tag(session_key: str) -> str:
    """What a socket opened with a session cookie remembers of it: a hash, so the session key itself never
    travels through the channel layer, yet "sign out that session" can close exactly its sockets."""
    return hashlib.sha256(f"socket-session|{session_key}".encode()).hexdigest()[:32]


def close_sockets(
    user: HasPublicId,
    *,
    code: int = 4401,
    reason: str = "account_inactive",
    token_id: int | None = None,
    session_key: str | None = None,
    sessions_only: bool = False,
) -> None:
    """Close every open socket of this user, in every process; with `token_id`, only those that API token
    opened; with `session_key`, only those that browser session opened; `sessions_only`, every one a
    session opened (a changed sign-in policy: they reconnect and are checked again), none a token's."""
    message: dict[str, Any] = {"type": "chat.close", "code": code, "reason": reason}
    if token_id is not None:
        message["token"] = token_id
    if session_key is not None:
        message["session"] = session_tag(session_key)
    elif sessions_only:
        message["session"] = ANY_SESSION
    _on_commit([user_group(user)], message)


def group_message(group: str, message: dict[str, Any]) -> None:
    """A message of another kind than an event (Socket Mode's `sm.deliver`, say) to the consumers in a group,
    now: for code outside a transaction, such as a Celery task."""
    _group_send([group], message)


async def _send_all(layer: Any, messages: list[tuple[str, dict[str, Any]]]) -> None:
    slots = asyncio.Semaphore(16)

    async def send(group: str, layer_message: dict[str, Any]) -> None:
        async with slots:
            await layer.group_send(group, layer_message)
        _count_published(layer_message)

    await asyncio.gather(*(send(group, layer_message) for group, layer_message in messages))


def group_messages(messages: list[tuple[str, dict[str, Any]]]) -> None:
    """Many layer messages, each to its group, now: one pass over the layer with a few sends in flight at
    once, not one blocking call each (each send is several Redis round trips, and there may be thousands)."""
    layer = get_channel_layer()
    if layer is None or not messages:
        return
    try:
        publisher.run_sync(layer, _send_all, messages, timeout=publisher.timeout_for(len(messages)))
    except Exception:
        LAYER_ERRORS.labels("send").inc()
        raise


def group_message_after_commit(group: str, message: dict[str, Any]) -> None:
    """group_message, once the current transaction commits."""
    _on_commit([group], message)


def publish_each(events: Iterable[tuple[str, Mapping[str, Any], str]]) -> None:
    """Many events, each to one group (user_group of its recipient, say), once the transaction commits:
    (group, event, workspace public id) each. Thousands go out in one pass over the layer, a few
    sends in flight at once, not one blocking call each.
    """
    messages = []
    for group, event, workspace in events:
        payload = encode_event(event)
        messages.append((group, {"type": "chat.event", "payload": payload, "group": group, "workspace": workspace}))
    if not messages:
        return

    def send_after_commit() -> None:
        group_messages(messages)

    transaction.on_commit(send_after_commit, robust=True)
