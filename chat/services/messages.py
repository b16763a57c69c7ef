"""Posting, editing and deleting messages."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from chat import events, signals
from chat.block_kit import message_content
from chat.models import Attachment, Channel, ChannelKind, Mention, MentionKind, Message
from chat.permissions import (
    access_channel,
    access_channel_member,
    check_can_delete_message,
    check_can_edit_message,
    check_not_archived,
)
from chat.selectors.read_receipts import receipts_enabled_for
from chat.services.locking import lock_channel, number_message, provisional_number, stamp_change
from chat.services.read_receipts import announce_read_receipts
from chat.services.threads import find_thread_root, follow_on_reply, send_follower_states
from chat.text import check_emoji_name, parse_mentions
from chat.wire import PREFETCHED_ATTACHMENTS
from slackclone.errors import DomainError, ErrorCode
from slackclone.orm import unique_or_none
from workspaces.models import Membership
from workspaces.permissions import access_membership
from workspaces.selectors import usergroup_mentioned_people

if TYPE_CHECKING:
    from accounts.models import User

CLIENT_MSG_ID_MAX_LENGTH = 64


def _check_client_msg_id(client_msg_id: str | None) -> str | None:
    if client_msg_id is None or client_msg_id == "":
        return None
    if not isinstance(client_msg_id, str) or len(client_msg_id) > CLIENT_MSG_ID_MAX_LENGTH:
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS,
            "client_msg_id must be a string of at most %(client_msg_id_max_length)s characters.",
            fields={"client_msg_id": "invalid"},
            params={"client_msg_id_max_length": CLIENT_MSG_ID_MAX_LENGTH},
        )
    return client_msg_id


def mentionable_people(channel: Channel, public_ids: Collection[str]) -> dict[str, int]:
    """Of the people named (by public id), those a mention in the channel reaches: public id -> user pk.

    They must be active in the workspace and able to see the channel: its members for a private
    channel or DM; anyone but a guest who is not in it for a public one.
    """
    if not public_ids:
        return {}
    visible = Membership.objects.filter(
        workspace_id=channel.workspace_id, is_active=True, user__public_id__in=public_ids
    )
    if channel.is_private:
        visible = visible.filter(user__channel_memberships__channel=channel)
    else:
        visible = visible.filter(~Q(role="guest") | Q(user__channel_memberships__channel=channel))
    return dict(visible.values_list("user__public_id", "user_id").distinct())


def mentions_broadcasts(channel: Channel) -> bool:
    """Whether @channel, @here and @everyone count in the channel (not in a DM, where they are noise)."""
    return channel.kind != ChannelKind.DM


def mention_rows(message: Message, text: str) -> list[Mention]:
    """Mentions of people who can see the channel, and broadcasts (except in DMs, where they are noise).

    A user group's mention (<!subteam^S…>) is a mention of each of its members at the time of posting:
    personal mentions, so every rule for a mention by name (mute, do-not-disturb) applies to them.
    """
    parsed = parse_mentions(text)
    channel = message.channel
    named = parsed.user_ids
    if parsed.subteam_ids:
        in_groups = usergroup_mentioned_people(workspace_id=channel.workspace_id, public_ids=parsed.subteam_ids)
        named = list(dict.fromkeys([*named, *in_groups]))
    rows = [
        Mention(message=message, channel=channel, seq=message.seq, kind=MentionKind.USER, user_id=user_id)
        for user_id in mentionable_people(channel, named).values()
    ]
    if mentions_broadcasts(channel):
        rows += [Mention(message=message, channel=channel, seq=message.seq, kind=kind) for kind in parsed.broadcasts]
    return rows


BOT_USERNAME_MAX_LENGTH = 80
BOT_ICON_URL_MAX_LENGTH = 500


def is_bot_icon_url(url: str) -> bool:
    """Whether a bot's icon may be shown from this address: http(s), and short enough to store."""
    return len(url) <= BOT_ICON_URL_MAX_LENGTH and url.lower().startswith(("https://", "http://"))


def check_bot_display(sender: User, *, username: str = "", icon_emoji: str = "", icon_url: str = "") -> dict[str, str]:
    """The Message fields for a bot's per-message name and icon (Slack's username, icon_emoji, icon_url).

    Only bots may present themselves under another name: for people they are ignored, as Slack
    ignores them for user tokens, so nobody can post as someone else. An emoji wins over a URL.
    Raises: invalid_arguments (too long, or a URL that is not http(s)), invalid_emoji.
    """
    if not sender.is_bot:
        return {}
    username = " ".join(str(username or "").split())
    if len(username) > BOT_USERNAME_MAX_LENGTH:
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS,
            "username can be at most %(bot_username_max_length)s characters.",
            fields={"username": "too_long"},
            params={"bot_username_max_length": BOT_USERNAME_MAX_LENGTH},
        )
    emoji = check_emoji_name(icon_emoji) if str(icon_emoji or "").strip(": ") else ""
    url = "" if emoji else str(icon_url or "").strip()
    if url and not is_bot_icon_url(url):
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS, "icon_url must be an http(s) URL.", fields={"icon_url": "invalid"}
        )
    return {"bot_username": username, "bot_icon_emoji": f":{emoji}:" if emoji else "", "bot_icon_url": url}


# The browser client sends a client_msg_id with every post, and almost none is a retry: the usual answer,
# none, costs one small statement written once, not a query with two joins built by the ORM.
_POSTED_WITH_CLIENT_MSG_ID_SQL = f"SELECT id FROM {Message._meta.db_table} WHERE author_id = %s AND client_msg_id = %s"


def _existing_by_client_msg_id(sender: User, client_msg_id: str | None) -> Message | None:
    """The sender's message already posted with this client_msg_id (a retry), with its channel and author."""
    if client_msg_id is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_POSTED_WITH_CLIENT_MSG_ID_SQL, [sender.pk, client_msg_id])
        row = cursor.fetchone()
    if row is None:
        return None
    return unique_or_none(Message.objects.select_related("channel", "author").filter(pk=row[0]))  # unless just purged


def _insert_message(
    *, channel: Channel, author: User, client_msg_id: str | None, **fields: object
) -> tuple[Message, bool]:
    """Insert a message under a provisional number, before its channel is locked; (message, True).

    With a client_msg_id, a concurrent retry may have inserted it first: the unique index makes this
    insert wait for that one's transaction, then fail, and the first message is returned, (it, False).
    Neither the wait nor the savepoint holds the channel's lock.
    """
    seq, ts = provisional_number()
    if client_msg_id is None:
        return Message.objects.create(channel=channel, author=author, seq=seq, ts=ts, **fields), True
    try:
        with transaction.atomic():
            message = Message.objects.create(
                channel=channel, author=author, seq=seq, ts=ts, client_msg_id=client_msg_id, **fields
            )
    except IntegrityError:
        duplicate = _existing_by_client_msg_id(author, client_msg_id)
        if duplicate is None:
            raise
        return duplicate, False
    return message, True


@transaction.atomic
def message_post(
    *,
    sender: User,
    channel: Channel,
    text: str,
    thread_ts: str | None = None,
    client_msg_id: str | None = None,
    reply_broadcast: bool = False,
    attachments: Sequence[Attachment] = (),
    blocks: Any = None,
    legacy_attachments: Any = None,
    username: str = "",
    icon_emoji: str = "",
    icon_url: str = "",
    answering: User | None = None,
    unfurl_links: bool = True,
    unfurl_media: bool = True,
) -> Message:
    """Post a message, or a thread reply when thread_ts names a message of the channel.

    `blocks` and `legacy_attachments` are Slack's Block Kit blocks and attachments (chat.block_kit checks
    them); with them `text` may be empty, and their words are stored as the text.

    `attachments` are files the sender has just stored for this channel (chat.services.files,
    which is their only caller); a message with files may have no text. A bot may give this
    message its own `username` and icon (`icon_emoji` or `icon_url`); people's are ignored.

    `unfurl_links` False: no preview of its links and no link_shared for them; `unfurl_media` False: previews
    without images (Slack's chat.postMessage arguments; chat.unfurls and slack_apps.unfurl receive them).

    The same sender and client_msg_id post once: a retry returns the first message.
    Callers: members of the channel (bots included); every surface. A bot `answering` a slash command
    that a member typed here posts its in-channel answer without being a member, as Slack allows
    (slack_apps.commands); the person who typed it must still be in the channel.
    Raises: no_text, msg_too_long, invalid_blocks, invalid_attachments, invalid_arguments, invalid_emoji,
    channel_not_found, not_in_channel, is_archived, thread_not_found.
    Events: message (and for a reply, message_changed for the thread root's reply count and
    thread_state_changed to its followers: chat.services.threads.follow_on_reply).
    Jobs: notifications.notify_message, an outbox job written in this transaction.
    """
    content = message_content(text, blocks, legacy_attachments, has_files=bool(attachments))
    client_msg_id = _check_client_msg_id(client_msg_id)
    bot_display = check_bot_display(sender, username=username, icon_emoji=icon_emoji, icon_url=icon_url)
    if answering is not None and sender.is_bot:
        access_channel_member(answering, channel)
        access_membership(sender, channel.workspace)  # the bot is active in the channel's workspace
    else:
        access_channel_member(sender, channel)  # before the retry check: a deactivated sender is refused
    duplicate = _existing_by_client_msg_id(sender, client_msg_id)
    if duplicate is not None:
        return duplicate
    root = find_thread_root(channel, thread_ts) if thread_ts else None
    check_not_archived(channel)  # as last read; number_message has the final word
    message, created = _insert_message(
        channel=channel,
        author=sender,
        text=content.text,
        blocks=content.blocks,
        legacy_attachments=content.attachments,
        thread_root=root,
        reply_broadcast=bool(root and reply_broadcast),
        client_msg_id=client_msg_id,
        **bot_display,
    )
    if not created:
        return message
    if attachments:
        Attachment.objects.filter(pk__in=[a.pk for a in attachments]).update(message=message, channel=channel)
        for attachment in attachments:
            attachment.message, attachment.channel = message, channel
    # The new message's files are known: its event needs no query for them.
    setattr(message, PREFETCHED_ATTACHMENTS, list(attachments))
    mentions = mention_rows(message, content.mention_text)
    # The channel's lock is held from here to the commit. Posting in the channel means you have read it;
    # a thread reply says nothing about the channel.
    reader_id = sender.pk if root is None or message.reply_broadcast else None
    if not number_message(channel, message, reader_id=reader_id):
        check_not_archived(channel)
    for mention in mentions:
        mention.seq = message.seq
    mentions = Mention.objects.bulk_create(mentions) if mentions else []
    events.send_message_posted(message)
    if root is not None:
        _count_reply(root, message)
        follow_on_reply(root=root, reply=message, mentions=mentions)
    # Who to tell, and how, is worked out in a Celery task after commit (notifications receives this).
    # Sent last: work queued on commit runs in order, and the thread's events should not wait for it.
    signals.message_posted.send(
        sender=Message, message=message, mentions=mentions, unfurl_links=unfurl_links, unfurl_media=unfurl_media
    )
    return message


def _count_reply(root: Message, reply: Message) -> None:
    """The thread root's reply count and latest reply move with each reply, under the channel lock, and
    the root is stamped with the reply's seq so a client catching up from an older seq sees the change."""
    Message.objects.filter(pk=root.pk).update(
        reply_count=F("reply_count") + 1, latest_reply_ts=reply.ts, changed_at_seq=reply.seq
    )
    root.refresh_from_db(fields=["reply_count", "latest_reply_ts", "changed_at_seq"])
    events.send_message_changed(root)


@transaction.atomic
def message_edit(
    *, actor: User, message: Message, text: str, blocks: Any = None, legacy_attachments: Any = None
) -> Message:
    """Replace a message's text and its mentions; with `blocks` or `legacy_attachments` (lists, empty to
    remove them), those too. Left out (None), they stay as they were, as with Slack's chat.update.

    Callers: the author only, while they can see the channel.
    Raises: no_text, msg_too_long, invalid_blocks, invalid_attachments, channel_not_found,
    cant_update_message, message_not_found (deleted), is_archived.
    Events: message with subtype message_changed; the people it newly mentions are notified (an outbox job).
    """
    access_channel(actor, message.channel)
    check_can_edit_message(actor, message)
    content = message_content(
        text,
        message.blocks if blocks is None else blocks,
        message.legacy_attachments if legacy_attachments is None else legacy_attachments,
    )
    channel = lock_channel(message.channel)
    check_not_archived(channel)
    previous_text = message.text
    message.text, message.blocks, message.legacy_attachments = content.text, content.blocks, content.attachments
    message.edited_at = timezone.now()
    message.changed_at_seq = stamp_change(channel)
    message.save(update_fields=["text", "blocks", "legacy_attachments", "edited_at", "changed_at_seq"])
    mentioned_before = set(message.mentions.filter(kind=MentionKind.USER).values_list("user_id", flat=True))
    message.mentions.all().delete()
    mentions = Mention.objects.bulk_create(mention_rows(message, content.mention_text))
    mentioned_now = {m.user_id for m in mentions if m.kind == MentionKind.USER and m.user_id is not None}
    events.send_message_changed(message)
    signals.message_edited.send(
        sender=Message,
        message=message,
        previous_text=previous_text,
        newly_mentioned=sorted(mentioned_now - mentioned_before - {message.author_id}),
    )
    return message


@transaction.atomic
def message_delete(*, actor: User | None, message: Message) -> Message:
    """Delete a message, leaving a tombstone that keeps its seq (and its thread, if it has replies).

    Its text, mentions, reactions, pin and files go.
    Callers: the author; workspace admins; the operator.
    Raises: channel_not_found, cant_delete_message, message_not_found (already deleted), is_archived.
    Events: message with subtype message_deleted (and for a reply, message_changed for its thread root
    and thread_state_changed to the thread's followers); in a small DM that shows read receipts,
    read_receipts_changed, since its last message may now be an earlier one.
    """
    access = access_channel(actor, message.channel)
    check_can_delete_message(access, actor, message)
    if message.is_deleted:
        raise DomainError(ErrorCode.MESSAGE_NOT_FOUND, "That message has already been deleted.")
    channel = lock_channel(message.channel)
    check_not_archived(channel)
    previous_text = message.text
    message.text, message.blocks, message.legacy_attachments = "", [], []
    message.deleted_at = timezone.now()
    message.changed_at_seq = stamp_change(channel)
    message.save(update_fields=["text", "blocks", "legacy_attachments", "deleted_at", "changed_at_seq"])
    message.mentions.all().delete()
    message.reactions.all().delete()
    message.attachments.all().delete()
    if hasattr(message, "pin"):
        message.pin.delete()
    events.send_message_deleted(message)
    signals.message_deleted.send(sender=Message, message=message, previous_text=previous_text)
    if message.thread_root is not None:
        _recount_replies(message.thread_root, channel)
    if receipts_enabled_for(channel):
        announce_read_receipts(channel)
    return message


def _recount_replies(root: Message, channel: Channel) -> None:
    live = root.replies.filter(deleted_at__isnull=True).order_by("-seq")
    root.reply_count = live.count()
    latest = live.first()
    root.latest_reply_ts = latest.ts if latest else ""
    root.changed_at_seq = stamp_change(channel)
    root.save(update_fields=["reply_count", "latest_reply_ts", "changed_at_seq"])
    events.send_message_changed(root)
    send_follower_states(root)
