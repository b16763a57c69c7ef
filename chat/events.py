"""Real-time events: the only module that talks to the channel layer.

Services call the `send_*` functions inside their transaction; each event is serialised
once and handed to the channel layer only after the transaction commits
(`transaction.on_commit(..., robust=True)`), so a client never hears of a write that
rolled back, and a Redis outage never fails a request whose data is already stored:
clients catch up from the database (socket resume, or the API).

Event shapes follow Slack's RTM events; events about a channel carry our `seq`.
Every event belongs to one workspace and its layer message names it (`publish` requires
it): the hub hands an event only to sockets that act in that workspace, so a socket an API
token opened hears nothing of the person's other workspaces, and a browser nothing of a
workspace the person was deactivated in.
Layer messages have three control types beside `chat.event`:
`chat.subscribe` / `chat.unsubscribe` (change which groups a user's sockets listen to,
in every process, without a reconnect; with `workspace`, the person joined or left that
workspace) and `chat.close` (deactivation, logout).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from chat.models import Channel, ChannelKind, Message
from chat.wire import channel_to_wire, ephemeral_to_wire, message_to_wire, user_to_wire
from slackclone.db_router import pin_on_commit

if TYPE_CHECKING:
    from accounts.models import User
    from workspaces.models import Workspace

logger = logging.getLogger(__name__)

# The closed set of event types a client can receive.
EVENT_TYPES = frozenset(
    {
        "hello",
        "message",
        "reaction_added",
        "reaction_removed",
        "pin_added",
        "pin_removed",
        "user_typing",
        "presence_change",
        "channel_created",
        "channel_rename",
        "channel_archive",
        "channel_unarchive",
        "channel_topic",
        "channel_purpose",
        "channel_joined",
        "channel_left",
        "member_joined_channel",
        "member_left_channel",
        "channel_marked",
        "channel_prefs_changed",
        "im_created",
        "team_join",
        "user_change",
        "notification",
        "ephemeral_message",
        "pong",
        "goodbye",
    }
)


# --- Group names: short and ASCII, built from public ids ----------------------------


def user_group(user: User) -> str:
    return f"u.{user.public_id}"


def channel_group(channel: Channel) -> str:
    return f"c.{channel.public_id}"


def workspace_group(workspace: Workspace) -> str:
    return f"w.{workspace.public_id}"


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


def _group_send(groups: list[str], message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    send = async_to_sync(layer.group_send)
    for group, layer_message in _layer_messages(groups, message):
        send(group, layer_message)


async def publish_now(groups: Iterable[str], event: dict[str, Any], *, workspace: str) -> None:
    """Send an ephemeral event (typing, presence) at once, from async code; nothing about it is stored.

    `workspace` is the public id of the workspace the event belongs to, as for `publish`.
    The channel layer is a fast path at most once: a failure is logged, never raised to the sender.
    """
    assert event["type"] in EVENT_TYPES, event["type"]
    layer = get_channel_layer()
    if layer is None:
        return
    payload = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
    message = {"type": "chat.event", "payload": payload, "workspace": workspace}
    try:
        for group, layer_message in _layer_messages(list(groups), message):
            await layer.group_send(group, layer_message)
    except Exception:
        logger.warning("Could not publish %s to %s; clients catch up on their own", event["type"], groups)


def _on_commit(groups: Iterable[str], message: dict[str, Any]) -> None:
    groups = list(groups)

    # A named function, not a partial: Django's robust on_commit logs a failure by the callable's
    # __qualname__, and a partial has none (the logging itself would raise, failing the request).
    def send_after_commit() -> None:
        _group_send(groups, message)

    transaction.on_commit(send_after_commit, robust=True)


def publish(groups: Iterable[str], event: dict[str, Any], *, workspace: str) -> None:
    """Send `event` to every socket in `groups` once the current transaction commits.

    `workspace` is the public id of the workspace the event belongs to. The hub hands the event
    only to sockets acting in it: a socket an API token opened acts in its token's workspace only,
    and a person's own group (`u.…`) carries news of every workspace they are in.
    """
    assert event["type"] in EVENT_TYPES, event["type"]
    payload = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
    _on_commit(groups, {"type": "chat.event", "payload": payload, "workspace": workspace})


def _workspace_of(channel: Channel) -> str:
    return channel.workspace.public_id


def subscribe(user: User, groups: Iterable[str], *, workspace: str | None = None) -> None:
    """The user's sockets join `groups`; with `workspace`, the user joined (or rejoined) that workspace."""
    message: dict[str, Any] = {"type": "chat.subscribe", "groups": list(groups)}
    if workspace is not None:
        message["workspace"] = workspace
    _on_commit([user_group(user)], message)


def unsubscribe(user: User, groups: Iterable[str], *, workspace: str | None = None) -> None:
    """The user's sockets leave `groups`; with `workspace`, the user left it: their sockets hear nothing
    more of it, and those an API token of that workspace opened close (4401, account_inactive)."""
    message: dict[str, Any] = {"type": "chat.unsubscribe", "groups": list(groups)}
    if workspace is not None:
        message["workspace"] = workspace
    _on_commit([user_group(user)], message)


def close_sockets(
    user: User, *, code: int = 4401, reason: str = "account_inactive", token_id: int | None = None
) -> None:
    """Close every open socket of this user, in every process; with `token_id`, only those that API token opened."""
    message = {"type": "chat.close", "code": code, "reason": reason}
    if token_id is not None:
        message["token"] = token_id
    _on_commit([user_group(user)], message)


# --- Messages ------------------------------------------------------------------------


def send_message_posted(message: Message) -> None:
    channel = message.channel
    publish([channel_group(channel)], message_to_wire(message, with_reactions=False), workspace=_workspace_of(channel))
    # Read-your-writes when a replica serves history: a post from any surface (the socket included)
    # keeps its author on the primary for a moment.
    pin_on_commit(message.author_id)


def send_ephemeral_message(recipient: User, message: Message) -> None:
    """An ephemeral message to the one person who may see it, on their own sockets (nothing is stored)."""
    workspace = message.channel.workspace.public_id
    event = {
        "type": "ephemeral_message",
        "workspace": workspace,
        "channel": message.channel.public_id,
        "message": ephemeral_to_wire(message),
    }
    publish([user_group(recipient)], event, workspace=workspace)


def send_message_changed(message: Message) -> None:
    channel = message.channel
    event = {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": channel.public_id,
        "ts": message.ts,
        "seq": channel.last_seq,
        "message": message_to_wire(message),
    }
    publish([channel_group(channel)], event, workspace=_workspace_of(channel))


def send_message_deleted(message: Message) -> None:
    channel = message.channel
    event = {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "channel": channel.public_id,
        "ts": message.ts,
        "deleted_ts": message.ts,
        "seq": channel.last_seq,
        "message_seq": message.seq,
    }
    if message.thread_root_id:
        event["thread_ts"] = message.thread_root.ts
    publish([channel_group(channel)], event, workspace=_workspace_of(channel))


def send_reaction(message: Message, *, user: User, emoji: str, added: bool) -> None:
    channel = message.channel
    event = {
        "type": "reaction_added" if added else "reaction_removed",
        "user": user.public_id,
        "reaction": emoji,
        "item_user": message.author.public_id,
        "item": {"type": "message", "channel": channel.public_id, "ts": message.ts},
        "channel": channel.public_id,
        "seq": channel.last_seq,
    }
    publish([channel_group(channel)], event, workspace=_workspace_of(channel))


def send_pin(message: Message, *, user: User | None, added: bool) -> None:
    channel = message.channel
    event = {
        "type": "pin_added" if added else "pin_removed",
        "user": user.public_id if user else None,
        "channel_id": channel.public_id,
        "channel": channel.public_id,
        "item": {"type": "message", "channel": channel.public_id, "message": message_to_wire(message)},
        "seq": channel.last_seq,
    }
    publish([channel_group(channel)], event, workspace=_workspace_of(channel))


# --- Channels ------------------------------------------------------------------------


def _audience(channel: Channel) -> list[str]:
    """Public channel news goes to the whole workspace; private news only to the channel."""
    if channel.kind == ChannelKind.PUBLIC:
        return [workspace_group(channel.workspace)]
    return [channel_group(channel)]


def send_channel_created(channel: Channel, members: Iterable[User]) -> None:
    members = list(members)
    workspace = _workspace_of(channel)
    for member in members:
        subscribe(member, [channel_group(channel)])
    if channel.is_direct:
        event = {"type": "im_created", "channel": channel_to_wire(channel)}
        publish([user_group(member) for member in members], event, workspace=workspace)
        return
    publish(_audience(channel), {"type": "channel_created", "channel": channel_to_wire(channel)}, workspace=workspace)
    # The creator's own sockets hear it on their user group too: channel_created to a new private
    # channel's group can outrun their subscription to it (Slack sends channel_joined as well).
    if members:
        event = {"type": "channel_joined", "channel": channel_to_wire(channel)}
        publish([user_group(member) for member in members], event, workspace=workspace)


def send_channel_renamed(channel: Channel) -> None:
    event = {
        "type": "channel_rename",
        "channel": {"id": channel.public_id, "name": channel.name, "created": int(channel.created_at.timestamp())},
        "seq": channel.last_seq,
    }
    publish(_audience(channel), event, workspace=_workspace_of(channel))


def send_channel_archived(channel: Channel, *, user: User | None, archived: bool) -> None:
    event = {
        "type": "channel_archive" if archived else "channel_unarchive",
        "channel": channel.public_id,
        "user": user.public_id if user else None,
        "seq": channel.last_seq,
    }
    publish(_audience(channel), event, workspace=_workspace_of(channel))


def send_channel_text_changed(channel: Channel, *, user: User | None, field: str) -> None:
    """Topic or purpose changed."""
    event = {
        "type": f"channel_{field}",
        "channel": channel.public_id,
        "user": user.public_id if user else None,
        field: getattr(channel, field),
        "seq": channel.last_seq,
    }
    publish([channel_group(channel)], event, workspace=_workspace_of(channel))


def _channel_type_letter(channel: Channel) -> str:
    return {ChannelKind.PUBLIC: "C", ChannelKind.PRIVATE: "G", ChannelKind.DM: "D", ChannelKind.GROUP_DM: "G"}[
        channel.kind
    ]


def send_member_joined(channel: Channel, user: User, *, inviter: User | None) -> None:
    subscribe(user, [channel_group(channel)])
    event = {
        "type": "member_joined_channel",
        "user": user.public_id,
        "channel": channel.public_id,
        "channel_type": _channel_type_letter(channel),
        "team": channel.workspace.public_id,
        "seq": channel.last_seq,
    }
    if inviter is not None and inviter.pk != user.pk:
        event["inviter"] = inviter.public_id
    workspace = _workspace_of(channel)
    publish([channel_group(channel)], event, workspace=workspace)
    publish([user_group(user)], {"type": "channel_joined", "channel": channel_to_wire(channel)}, workspace=workspace)


def send_member_left(channel: Channel, user: User) -> None:
    event = {
        "type": "member_left_channel",
        "user": user.public_id,
        "channel": channel.public_id,
        "channel_type": _channel_type_letter(channel),
        "team": channel.workspace.public_id,
        "seq": channel.last_seq,
    }
    workspace = _workspace_of(channel)
    publish([channel_group(channel), user_group(user)], event, workspace=workspace)
    publish([user_group(user)], {"type": "channel_left", "channel": channel.public_id}, workspace=workspace)
    unsubscribe(user, [channel_group(channel)])


def send_channel_marked(channel: Channel, user: User, *, seq: int, ts: str, unread_count: int) -> None:
    """Another of the user's clients moved the read marker."""
    event = {
        "type": "channel_marked",
        "channel": channel.public_id,
        "seq": seq,
        "ts": ts,
        "unread_count_display": unread_count,
    }
    publish([user_group(user)], event, workspace=_workspace_of(channel))


def send_channel_prefs_changed(channel: Channel, user: User, *, muted: bool, notify_level: str) -> None:
    """The user muted or unmuted the channel, or changed what in it notifies them: their other clients follow."""
    event = {
        "type": "channel_prefs_changed",
        "channel": channel.public_id,
        "muted": muted,
        "notify_level": notify_level,
    }
    publish([user_group(user)], event, workspace=_workspace_of(channel))


# --- Notifications -------------------------------------------------------------------


def send_notifications(notifications: list[tuple[str, dict[str, Any]]]) -> None:
    """A `notification` event to each recipient's own sockets, once the transaction commits.

    `notifications` pairs a recipient's public user id with their event (built by
    notifications.services). Thousands go out in one pass over the layer, not one call each.
    """
    messages = []
    for user_public_id, event in notifications:
        assert event["type"] == "notification", event["type"]
        group = f"u.{user_public_id}"  # user_group() without loading the user
        payload = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
        layer_message = {"type": "chat.event", "payload": payload, "group": group, "workspace": event["workspace"]}
        messages.append((group, layer_message))
    if not messages:
        return

    def send_after_commit() -> None:
        layer = get_channel_layer()
        if layer is None:
            return

        async def send_all() -> None:
            # A few sends in flight at once: each is several Redis round trips, and there may be thousands.
            slots = asyncio.Semaphore(16)

            async def send(group: str, layer_message: dict[str, Any]) -> None:
                async with slots:
                    await layer.group_send(group, layer_message)

            await asyncio.gather(*(send(group, layer_message) for group, layer_message in messages))

        async_to_sync(send_all)()

    transaction.on_commit(send_after_commit, robust=True)


# --- Workspace members -------------------------------------------------------------


def send_team_join(workspace: Workspace, user: User, *, is_guest: bool) -> None:
    """The user joined the workspace (or was reactivated there): their open browsers act in it from now on,
    and hear its workspace-wide news unless they are a guest (who hears only their own channels)."""
    subscribe(user, [] if is_guest else [workspace_group(workspace)], workspace=workspace.public_id)
    event = {"type": "team_join", "user": user_to_wire(user)}
    publish([workspace_group(workspace)], event, workspace=workspace.public_id)


def send_role_changed(workspace: Workspace, user: User, *, was_guest: bool, is_guest: bool) -> None:
    """A role change to or from guest moves the user's open sockets out of or into the workspace's news;
    then everyone hears the change (user_change)."""
    if is_guest and not was_guest:
        unsubscribe(user, [workspace_group(workspace)])
    elif was_guest and not is_guest:
        subscribe(user, [workspace_group(workspace)])
    send_user_change(workspace, user)


def send_user_change(workspace: Workspace, user: User) -> None:
    event = {"type": "user_change", "user": user_to_wire(user)}
    publish([workspace_group(workspace)], event, workspace=workspace.public_id)


def send_member_deactivated(workspace: Workspace, user: User, channel_groups: list[str]) -> None:
    """The member's sockets stop hearing this workspace at once, in every process: the sockets an API
    token of this workspace opened are closed (4401, account_inactive), the others keep the member's
    other workspaces. (The caller closes every socket of a user with no active workspace left.)"""
    unsubscribe(user, [workspace_group(workspace), *channel_groups], workspace=workspace.public_id)
    send_user_change(workspace, user)
