"""Chat's real-time events: messages, reactions, pins, channels and their members, read markers and
receipts, custom emoji.

Services call these inside their transaction; realtime.transport publishes each once the
transaction commits. Each event has its declared shape in realtime.event_types (Slack's RTM events;
events about a channel carry our `seq`), and one builder: resume replays changes with the same
message_changed_event and message_deleted_event.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Literal, cast

from chat.models import Channel, ChannelKind, CustomEmoji, Message
from chat.selectors.sidebar import sidebar_layout
from chat.wire import channel_to_wire, emoji_value, ephemeral_to_wire, message_to_wire, ts_for_datetime
from realtime.event_types import (
    ChannelArchiveEvent,
    ChannelEvent,
    ChannelLeftEvent,
    ChannelMarkedEvent,
    ChannelPrefsChangedEvent,
    ChannelPurposeEvent,
    ChannelRenameEvent,
    ChannelTopicEvent,
    EmojiChangedEvent,
    EphemeralMessageEvent,
    MemberChannelEvent,
    MessageChangedEvent,
    MessageDeletedEvent,
    NotifyLevelName,
    PinEvent,
    ReactionEvent,
    ReadReceiptsChangedEvent,
    SidebarChangedEvent,
    ThreadStateChangedEvent,
)
from realtime.transport import channel_group, publish, publish_each, subscribe, unsubscribe, user_group, workspace_group
from slackclone.db_router import pin_on_commit
from workspaces.models import Role, Workspace

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


def send_ephemeral_message(recipient: User, message: Message, *, deleted: bool = False) -> None:
    """An ephemeral message to the one person who may see it, on their own sockets (nothing is stored);
    `deleted`: the one of that ts is withdrawn."""
    workspace = message.channel.workspace.public_id
    wire = ephemeral_to_wire(message)
    if deleted:
        wire["deleted"] = True
    event: EphemeralMessageEvent = {
        "type": "ephemeral_message",
        "workspace": workspace,
        "channel": message.channel.public_id,
        "message": wire,
    }
    publish([user_group(recipient)], event, workspace=workspace)


def message_changed_event(message: Message, *, seq: int) -> MessageChangedEvent:
    """An edit (or a reaction or pin, which change the message too): the whole message as it is now.

    `seq` is the channel's last seq when it changed; live that is now, in a replay the change's stamp.
    """
    return {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": message.channel.public_id,
        "ts": message.ts,
        "seq": seq,
        "message": message_to_wire(message),
    }


def message_deleted_event(message: Message, *, seq: int) -> MessageDeletedEvent:
    """A deletion; the message keeps its seq as a tombstone (`message_seq`)."""
    event: MessageDeletedEvent = {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "channel": message.channel.public_id,
        "ts": message.ts,
        "deleted_ts": message.ts,
        "seq": seq,
        "message_seq": message.seq,
    }
    if message.thread_root is not None:
        event["thread_ts"] = message.thread_root.ts
    return event


def send_message_changed(message: Message) -> None:
    channel = message.channel
    event = message_changed_event(message, seq=channel.last_seq)
    publish([channel_group(channel)], event, workspace=_workspace_of(channel))


def send_message_deleted(message: Message) -> None:
    channel = message.channel
    event = message_deleted_event(message, seq=channel.last_seq)
    publish([channel_group(channel)], event, workspace=_workspace_of(channel))


def send_reaction(message: Message, *, user: User, emoji: str, added: bool, viewers_only: bool) -> None:
    """`viewers_only` (selectors.reactions_live_to_viewers_only): only the sockets showing the channel
    get it live, besides those that never said what they show."""
    channel = message.channel
    event: ReactionEvent = {
        "type": "reaction_added" if added else "reaction_removed",
        "user": user.public_id,
        "reaction": emoji,
        "item_user": message.author.public_id,
        "item": {"type": "message", "channel": channel.public_id, "ts": message.ts},
        "channel": channel.public_id,
        "seq": channel.last_seq,
    }
    viewers_of = channel.public_id if viewers_only else None
    publish([channel_group(channel)], event, workspace=_workspace_of(channel), viewers_of=viewers_of)


def send_pin(message: Message, *, user: User | None, added: bool) -> None:
    channel = message.channel
    event: PinEvent = {
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


def _channel_event(kind: Literal["channel_created", "channel_joined", "im_created"], channel: Channel) -> ChannelEvent:
    return {"type": kind, "channel": channel_to_wire(channel)}


def send_channel_created(channel: Channel, members: Iterable[User]) -> None:
    members = list(members)
    workspace = _workspace_of(channel)
    for member in members:
        subscribe(member, [channel_group(channel)])
    if channel.is_direct:
        publish([user_group(member) for member in members], _channel_event("im_created", channel), workspace=workspace)
        return
    publish(_audience(channel), _channel_event("channel_created", channel), workspace=workspace)
    # The creator's own sockets hear it on their user group too: channel_created to a new private
    # channel's group can outrun their subscription to it (Slack sends channel_joined as well).
    if members:
        event = _channel_event("channel_joined", channel)
        publish([user_group(member) for member in members], event, workspace=workspace)


def send_channel_renamed(channel: Channel) -> None:
    event: ChannelRenameEvent = {
        "type": "channel_rename",
        "channel": {
            "id": channel.public_id,
            "name": channel.name or "",
            "created": int(channel.created_at.timestamp()),
        },
        "seq": channel.last_seq,
    }
    publish(_audience(channel), event, workspace=_workspace_of(channel))


def send_channel_archived(channel: Channel, *, user: User | None, archived: bool) -> None:
    event: ChannelArchiveEvent = {
        "type": "channel_archive" if archived else "channel_unarchive",
        "channel": channel.public_id,
        "user": user.public_id if user else None,
        "seq": channel.last_seq,
    }
    publish(_audience(channel), event, workspace=_workspace_of(channel))


def send_channel_text_changed(channel: Channel, *, user: User | None, field: Literal["topic", "purpose"]) -> None:
    """Topic or purpose changed."""
    user_id = user.public_id if user else None
    event: ChannelTopicEvent | ChannelPurposeEvent
    channel_id, seq = channel.public_id, channel.last_seq
    if field == "topic":
        event = {"type": "channel_topic", "channel": channel_id, "user": user_id, "topic": channel.topic, "seq": seq}
    else:
        purpose = channel.purpose
        event = {"type": "channel_purpose", "channel": channel_id, "user": user_id, "purpose": purpose, "seq": seq}
    publish([channel_group(channel)], event, workspace=_workspace_of(channel))


CHANNEL_TYPE_LETTERS: dict[str, Literal["C", "G", "D"]] = {
    ChannelKind.PUBLIC: "C",
    ChannelKind.PRIVATE: "G",
    ChannelKind.DM: "D",
    ChannelKind.GROUP_DM: "G",
}


def _channel_type_letter(channel: Channel) -> Literal["C", "G", "D"]:
    return CHANNEL_TYPE_LETTERS[channel.kind]


def send_member_joined(channel: Channel, user: User, *, inviter: User | None) -> None:
    subscribe(user, [channel_group(channel)])
    event: MemberChannelEvent = {
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
    publish([user_group(user)], _channel_event("channel_joined", channel), workspace=workspace)


def send_member_left(channel: Channel, user: User) -> None:
    event: MemberChannelEvent = {
        "type": "member_left_channel",
        "user": user.public_id,
        "channel": channel.public_id,
        "channel_type": _channel_type_letter(channel),
        "team": channel.workspace.public_id,
        "seq": channel.last_seq,
    }
    workspace = _workspace_of(channel)
    publish([channel_group(channel), user_group(user)], event, workspace=workspace)
    left: ChannelLeftEvent = {"type": "channel_left", "channel": channel.public_id}
    publish([user_group(user)], left, workspace=workspace)
    unsubscribe(user, [channel_group(channel)])


def send_channel_marked(channel: Channel, user: User, *, seq: int, ts: str, unread_count: int) -> None:
    """Another of the user's clients moved the read marker."""
    event: ChannelMarkedEvent = {
        "type": "channel_marked",
        "channel": channel.public_id,
        "seq": seq,
        "ts": ts,
        "unread_count_display": unread_count,
    }
    publish([user_group(user)], event, workspace=_workspace_of(channel))


def send_read_receipts_changed(channel: Channel, *, seq: int, seen_by: list[str]) -> None:
    """Who has seen the last message of a small DM, to its members (chat.selectors.read_receipts made the list)."""
    event: ReadReceiptsChangedEvent = {
        "type": "read_receipts_changed",
        "channel": channel.public_id,
        "seq": seq,
        "seen_by": seen_by,
    }
    publish([channel_group(channel)], event, workspace=_workspace_of(channel))


def send_channel_prefs_changed(channel: Channel, user: User, *, muted: bool, notify_level: str) -> None:
    """The user muted or unmuted the channel, or changed what in it notifies them: their other clients follow."""
    event: ChannelPrefsChangedEvent = {
        "type": "channel_prefs_changed",
        "channel": channel.public_id,
        "muted": muted,
        "notify_level": cast(NotifyLevelName, notify_level),  # one of ChannelMember's choices
    }
    publish([user_group(user)], event, workspace=_workspace_of(channel))


def send_sidebar_changed(user: User, workspace: Workspace) -> None:
    """The person changed their sidebar: its whole new layout, to their own sockets, so their other tabs follow.

    The layout is read inside the change's transaction, so the event says what was committed.
    """
    event: SidebarChangedEvent = {
        "type": "sidebar_changed",
        "workspace": workspace.public_id,
        "sidebar": sidebar_layout(user=user, workspace=workspace),
    }
    publish([user_group(user)], event, workspace=workspace.public_id)


# --- Custom emoji ----------------------------------------------------------------------


def everyone_in(workspace: Workspace) -> list[str]:
    """The workspace's news group, and the own groups of its guests, who do not hear that group."""
    from accounts.models import User

    guests = User.objects.filter(
        memberships__workspace=workspace, memberships__role=Role.GUEST, memberships__is_active=True
    ).only("public_id")
    return [workspace_group(workspace), *(user_group(guest) for guest in guests)]


def send_emoji_added(emoji: CustomEmoji) -> EmojiChangedEvent:
    """Slack's emoji_changed (subtype add), to everyone in the workspace, guests included; returns it."""
    workspace = emoji.workspace
    event: EmojiChangedEvent = {
        "type": "emoji_changed",
        "subtype": "add",
        "name": emoji.name,
        "value": emoji_value(emoji, workspace_id=workspace.public_id),
        "event_ts": ts_for_datetime(emoji.created_at),
    }
    publish(everyone_in(workspace), event, workspace=workspace.public_id)
    return event


def send_emoji_removed(workspace: Workspace, names: list[str], *, at: datetime) -> EmojiChangedEvent:
    """Slack's emoji_changed (subtype remove): the emoji and the aliases that went with it; returns it."""
    event: EmojiChangedEvent = {
        "type": "emoji_changed",
        "subtype": "remove",
        "names": names,
        "event_ts": ts_for_datetime(at),
    }
    publish(everyone_in(workspace), event, workspace=workspace.public_id)
    return event


# --- Threads -------------------------------------------------------------------------


def thread_state_event(root: Message, *, following: bool, unread_count: int, last_read: str) -> ThreadStateChangedEvent:
    """One person's state of a thread: whether they follow it, how many replies they have not read."""
    return {
        "type": "thread_state_changed",
        "workspace": _workspace_of(root.channel),
        "channel": root.channel.public_id,
        "thread_ts": root.ts,
        "following": following,
        "unread_count": unread_count,
        "reply_count": root.reply_count,
        "latest_reply": root.latest_reply_ts,
        "last_read": last_read,
    }


def send_thread_states(root: Message, states: Iterable[tuple[User, ThreadStateChangedEvent]]) -> None:
    """Thread states, each to its person's own sockets: (person, event)."""
    workspace = _workspace_of(root.channel)
    publish_each((user_group(user), event, workspace) for user, event in states)
