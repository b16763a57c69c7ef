"""Ephemeral messages: shown to one member of a channel, now, and never stored (Slack's chat.postEphemeral).

A bot's "only you can see this" answer: a command's result, a hint, an error. Nothing is written,
so there is nothing to catch up on: a recipient with no socket open never sees it, as in Slack,
and it is gone when their page reloads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chat import events
from chat.block_kit import message_content
from chat.models import Channel, ChannelMember, Message
from chat.permissions import access_channel_member, check_not_archived
from chat.services.locking import next_ts
from chat.services.messages import check_bot_display
from chat.services.threads import find_thread_root
from chat.wire import PREFETCHED_ATTACHMENTS
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Membership
from workspaces.permissions import access_membership

if TYPE_CHECKING:
    from accounts.models import User


def ephemeral_post(
    *,
    sender: User,
    channel: Channel,
    recipient: User,
    text: str,
    thread_ts: str | None = None,
    blocks: Any = None,
    legacy_attachments: Any = None,
    username: str = "",
    icon_emoji: str = "",
    icon_url: str = "",
    answering: User | None = None,
    replacing_ts: str = "",
) -> Message:
    """Show `text` from `sender` to `recipient` alone, in the channel (in a thread with `thread_ts`).

    Returns the unsaved message, with the `ts` Slack answers as message_ts. A bot may give it its own
    `username` and icon, as with message_post. With `replacing_ts`, it takes the place of the ephemeral
    message of that ts the recipient was shown (a command's answer replaced through its response_url).
    Callers: members of the channel (bots above all); the Slack-compatible API's chat.postEphemeral; a bot
    `answering` a slash command the recipient typed here, member of the channel or not (slack_apps.commands).
    `blocks` and `legacy_attachments` are checked as message_post checks them.
    Raises: no_text, msg_too_long, invalid_blocks, invalid_attachments, invalid_arguments, invalid_emoji,
    channel_not_found, not_in_channel, is_archived, user_not_in_channel (the recipient is not an active member
    of it), thread_not_found.
    Events: ephemeral_message, to the recipient's own sockets only.
    """
    content = message_content(text, blocks, legacy_attachments)
    bot_display = check_bot_display(sender, username=username, icon_emoji=icon_emoji, icon_url=icon_url)
    if answering is not None and sender.is_bot:
        access_membership(sender, channel.workspace)
    else:
        access_channel_member(sender, channel)
    check_not_archived(channel)
    _check_recipient(channel, recipient)
    root = find_thread_root(channel, thread_ts) if thread_ts else None
    message = Message(
        channel=channel,
        author=sender,
        text=content.text,
        blocks=content.blocks,
        legacy_attachments=content.attachments,
        ts=replacing_ts or next_ts(channel.last_ts),
        seq=0,
        thread_root=root,
        **bot_display,
    )
    setattr(message, PREFETCHED_ATTACHMENTS, [])  # it has no files, and no row to look them up by
    events.send_ephemeral_message(recipient, message)
    return message


def ephemeral_withdraw(*, sender: User, channel: Channel, recipient: User, ts: str) -> None:
    """Take back the ephemeral message of `ts` that `sender` showed `recipient` (a command's answer deleted
    through its response_url): their clients drop it.

    Callers: slack_apps.commands, for the app that showed it. Raises nothing: an ephemeral message the
    recipient no longer has is simply gone already.
    Events: ephemeral_message with `deleted`, to the recipient's own sockets only.
    """
    message = Message(channel=channel, author=sender, text="", ts=ts, seq=0)
    setattr(message, PREFETCHED_ATTACHMENTS, [])
    events.send_ephemeral_message(recipient, message, deleted=True)


def _check_recipient(channel: Channel, recipient: User) -> None:
    member = (
        recipient.is_active
        and ChannelMember.objects.filter(channel=channel, user=recipient).exists()
        and Membership.objects.filter(workspace_id=channel.workspace_id, user=recipient, is_active=True).exists()
    )
    if not member:
        raise DomainError(ErrorCode.USER_NOT_IN_CHANNEL, "That person is not a member of this channel.")
