"""Chat's real-time events: messages, reactions, pins, channels and their members, read markers.

Services call these inside their transaction; realtime.transport publishes each once the
transaction commits. Event shapes follow Slack's RTM events; events about a channel carry our `seq`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from chat.models import Channel, ChannelKind, Message
from chat.wire import channel_to_wire, ephemeral_to_wire, message_to_wire
from realtime.transport import channel_group, publish, subscribe, unsubscribe, user_group, workspace_group
from slackclone.db_router import pin_on_commit

if TYPE_CHECKING:
    from accounts.models import User


def _workspace_of(channel: Channel) -> str:
    return channel.workspace.public_id


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
    if message.thread_root is not None:
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
    letters: dict[str, str] = {
        ChannelKind.PUBLIC: "C",
        ChannelKind.PRIVATE: "G",
        ChannelKind.DM: "D",
        ChannelKind.GROUP_DM: "G",
    }
    return letters[channel.kind]


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
