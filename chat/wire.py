"""Slack-shaped dictionaries for channels, users and messages.

One place builds these shapes so the socket, the Slack-compatible API and the REST API
agree on them. Callers prefetch what the builders read (author, thread root, reactions
with their users) to keep list reads free of N+1 queries.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any, cast

from chat.models import Attachment, Channel, ChannelKind, CustomEmoji, Message
from realtime.event_types import (
    BotProfileWire,
    ChannelWire,
    EphemeralMessageWire,
    FileWire,
    MessageWire,
    ReactionWire,
)

if TYPE_CHECKING:
    from accounts.models import User


def ts_for_datetime(value) -> str:
    return f"{value.timestamp():.6f}" if value else ""


def channel_to_wire(channel: Channel) -> ChannelWire:
    kind = channel.kind
    return {
        "id": channel.public_id,
        "name": channel.name or "",
        "is_channel": kind == ChannelKind.PUBLIC,
        "is_group": kind == ChannelKind.PRIVATE,
        "is_im": kind == ChannelKind.DM,
        "is_mpim": kind == ChannelKind.GROUP_DM,
        "is_private": channel.is_private,
        "is_archived": channel.is_archived,
        "is_general": channel.is_general,
        "created": int(channel.created_at.timestamp()),
        "creator": channel.created_by.public_id if channel.created_by else "",
        "topic": {"value": channel.topic},
        "purpose": {"value": channel.purpose},
        "last_seq": channel.last_seq,
    }


# chat.selectors.messages_for_wire prefetches a message's reactions and files into these attributes as
# plain lists (Prefetch to_attr): Django's default keeps a queryset per message, which cost more than the
# query itself. A message loaded any other way reads them through its managers.
PREFETCHED_REACTIONS = "prefetched_reactions"
PREFETCHED_ATTACHMENTS = "prefetched_attachments"
# chat.selectors.message_page reads a message's reactions already grouped as reactions_to_wire shows them.
GROUPED_REACTIONS = "grouped_reactions"


def _reactions_of(message: Message) -> list:
    prefetched = getattr(message, PREFETCHED_REACTIONS, None)
    return prefetched if prefetched is not None else list(message.reactions.select_related("user"))


def attachments_of(message: Message) -> list:
    """A message's files: the list its query prefetched (PREFETCHED_ATTACHMENTS), else one query."""
    prefetched = getattr(message, PREFETCHED_ATTACHMENTS, None)
    return prefetched if prefetched is not None else list(message.attachments.all())


def reactions_to_wire(message: Message) -> list[ReactionWire]:
    """Reactions grouped by emoji, in the order each emoji was first used (Slack's order)."""
    loaded_grouped = getattr(message, GROUPED_REACTIONS, None)
    if loaded_grouped is not None:
        return cast(list[ReactionWire], loaded_grouped)
    grouped: OrderedDict[str, list[str]] = OrderedDict()
    for reaction in sorted(_reactions_of(message), key=lambda r: (r.created_at, r.pk)):
        grouped.setdefault(reaction.emoji, []).append(reaction.user.public_id)
    return [{"name": name, "users": users, "count": len(users)} for name, users in grouped.items()]


def file_to_wire(attachment: Attachment) -> FileWire:
    """A file's metadata; its content is served at url_private, only to members of its channel."""
    from django.urls import reverse

    thumb = reverse("api:file-thumbnail", args=[attachment.public_id]) if attachment.thumbnail else None
    return {
        "id": attachment.public_id,
        "name": attachment.original_name,
        "mimetype": attachment.content_type,
        "size": attachment.size,
        "is_image": attachment.is_image,
        "created": int(attachment.created_at.timestamp()),
        "url_private": reverse("api:file-content", args=[attachment.public_id]),
        "thumb_url": thumb,
    }


def bot_profile_to_wire(bot: User) -> BotProfileWire:
    """Slack's bot_profile: who a bot message is from, whatever name it shows on this message."""
    image = bot.avatar.url if bot.avatar else ""
    return {
        "id": bot.public_id,
        "name": bot.name,
        "deleted": not bot.is_active,
        "icons": {"image_36": image, "image_48": image, "image_72": image},
    }


def _add_bot_fields(wire: MessageWire, message: Message) -> None:
    """bot_id and bot_profile; with a per-message name or icon, Slack's bot_message shape (username, icons)."""
    wire["bot_id"] = message.author.public_id
    wire["bot_profile"] = bot_profile_to_wire(message.author)
    if not message.has_bot_display:
        return
    wire.setdefault("subtype", "bot_message")
    wire["username"] = message.bot_username or message.author.name
    if message.bot_icon_emoji:
        wire["icons"] = {"emoji": message.bot_icon_emoji}
    elif message.bot_icon_url:
        wire["icons"] = {"image_48": message.bot_icon_url, "image_72": message.bot_icon_url}


def ephemeral_to_wire(message: Message) -> EphemeralMessageWire:
    """An ephemeral message (chat.services.ephemeral): a message's shape without `seq`, never stored."""
    wire: dict[str, Any] = dict(message_to_wire(message, with_reactions=False))
    del wire["seq"]
    wire["is_ephemeral"] = True
    return cast(EphemeralMessageWire, wire)


def message_to_wire(message: Message, *, with_reactions: bool = True) -> MessageWire:
    """A message as Slack shows it, plus our `seq`. A deleted message keeps its place as a tombstone."""
    wire: MessageWire = {
        "type": "message",
        "channel": message.channel.public_id,
        "user": message.author.public_id,
        "text": "" if message.is_deleted else message.text,
        "ts": message.ts,
        "seq": message.seq,
    }
    if message.thread_root is not None:
        wire["thread_ts"] = message.thread_root.ts
        wire["parent_user_id"] = message.thread_root.author.public_id
        if message.reply_broadcast:
            wire["subtype"] = "thread_broadcast"
    elif message.reply_count:
        wire["thread_ts"] = message.ts
        wire["reply_count"] = message.reply_count
        wire["latest_reply"] = message.latest_reply_ts
    if message.client_msg_id:
        wire["client_msg_id"] = message.client_msg_id
    if message.author.is_bot:
        _add_bot_fields(wire, message)
    if message.edited_at and not message.is_deleted:
        wire["edited"] = {"user": message.author.public_id, "ts": ts_for_datetime(message.edited_at)}
    if message.is_deleted:
        wire["subtype"] = "tombstone"
        wire["deleted"] = True
    else:
        files = [file_to_wire(attachment) for attachment in attachments_of(message)]
        if files:
            wire["files"] = files
        if message.blocks:
            wire["blocks"] = message.blocks
        if message.legacy_attachments:
            wire["attachments"] = message.legacy_attachments
        if with_reactions:
            reactions = reactions_to_wire(message)
            if reactions:
                wire["reactions"] = reactions
    return wire


# --- Custom emoji ----------------------------------------------------------------------


def emoji_value(emoji: CustomEmoji, *, workspace_id: str) -> str:
    """Slack's value for a custom emoji in emoji.list and emoji_changed: its image's URL (on this site,
    for members of `workspace_id` only), or `alias:<name>` for an alias."""
    if emoji.is_alias:
        return f"alias:{emoji.alias_for}"
    from django.urls import reverse

    return reverse("api:emoji-image", args=[workspace_id, emoji.image_key])


def emoji_to_wire(emoji: CustomEmoji, *, workspace_id: str, can_remove: bool) -> dict[str, Any]:
    """A custom emoji as the REST API lists it, with whether the reader may remove it."""
    value = emoji_value(emoji, workspace_id=workspace_id)
    return {
        "name": emoji.name,
        "value": value,
        "url": None if emoji.is_alias else value,
        "alias_for": emoji.alias_for or None,
        "is_animated": emoji.content_type == "image/gif",
        "created_by": emoji.created_by.public_id if emoji.created_by else None,
        "created": int(emoji.created_at.timestamp()),
        "can_remove": can_remove,
    }
