"""Forwarding a message to another conversation, with a comment: the copy carries the source as Slack's
share attachment (`is_share`), so it shows who wrote it, where and when, and links back to it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chat.links import message_permalink
from chat.permissions import access_channel
from chat.services.messages import message_post
from slackclone.errors import DomainError, ErrorCode

if TYPE_CHECKING:
    from accounts.models import User
    from chat.models import Channel, Message


def share_attachment(message: Message) -> dict[str, Any]:
    """Slack's attachment for a shared message: its author, channel, time, text and permalink."""
    author = message.author
    channel = message.channel
    name = author.name
    return {
        "is_share": True,
        "is_msg_unfurl": True,
        "author_id": author.public_id,
        "author_name": name,
        "channel_id": channel.public_id,
        "channel_name": channel.name,
        "ts": message.ts,
        "text": message.text,
        "fallback": f"{name}: {message.text}"[:8000],
        "from_url": message_permalink(message),
        "footer": f"Posted in #{channel.name}" if channel.name else "Direct message",
    }


def message_forward(*, actor: User, message: Message, channel: Channel, comment: str = "") -> Message:
    """Post a copy of `message` in `channel` as the actor, with their comment above it.

    Callers: anyone who can see the message and post in `channel`.
    Raises: channel_not_found (either conversation hidden from the actor), message_not_found (deleted),
    not_in_channel, is_archived, msg_too_long.
    Events: message, in `channel` (message_post's).
    """
    access_channel(actor, message.channel)
    if message.is_deleted:
        raise DomainError(ErrorCode.MESSAGE_NOT_FOUND, "That message has been deleted.")
    if channel.workspace_id != message.channel.workspace_id:
        raise DomainError(ErrorCode.CHANNEL_NOT_FOUND, "Channel not found.")
    return message_post(sender=actor, channel=channel, text=comment, legacy_attachments=[share_attachment(message)])
