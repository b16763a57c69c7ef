"""Reads of chat data, each already limited to what the reader may see.

Writes live in chat.services; these functions never change anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, F, Q, QuerySet

from chat.models import Channel, ChannelKind, ChannelMember, Mention, Message
from chat.permissions import access_channel, channel_not_found
from slackclone.errors import DomainError, ErrorCode
from workspaces.models import Workspace

if TYPE_CHECKING:
    from accounts.models import User

HISTORY_MAX_LIMIT = 200


def channel_get(*, actor: User | None, public_id: str, workspace: Workspace | None = None) -> Channel:
    """The channel with this public id if the actor may see it; channel_not_found otherwise."""
    channels = Channel.objects.select_related("workspace", "created_by")
    if workspace is not None:
        channels = channels.filter(workspace=workspace)
    channel = channels.filter(public_id=public_id).first() if isinstance(public_id, str) else None
    if channel is None:
        raise channel_not_found()
    access_channel(actor, channel)
    return channel


def channel_get_by_name(*, actor: User | None, workspace: Workspace, name: str) -> Channel:
    channel = (
        Channel.objects.select_related("workspace", "created_by")
        .filter(workspace=workspace, name=(name or "").strip().removeprefix("#"))
        .first()
    )
    if channel is None:
        raise channel_not_found()
    access_channel(actor, channel)
    return channel


def message_get(*, channel: Channel, ts: str) -> Message:
    """A message of a channel the caller has already been allowed to see."""
    message = (
        Message.objects.select_related("channel__workspace", "author", "thread_root__author")
        .filter(channel=channel, ts=ts)
        .first()
    )
    if message is None:
        raise DomainError(ErrorCode.MESSAGE_NOT_FOUND, "Message not found.")
    return message


def user_channel_memberships(*, user: User, workspace: Workspace | None = None) -> QuerySet[ChannelMember]:
    """The user's channels (and DMs), in workspaces where the user is active."""
    members = ChannelMember.objects.filter(
        user=user,
        channel__workspace__memberships__user=user,
        channel__workspace__memberships__is_active=True,
    ).select_related("channel__workspace", "channel__created_by")
    if workspace is not None:
        members = members.filter(channel__workspace=workspace)
    return members


def public_channels(*, workspace: Workspace, include_archived: bool = False) -> QuerySet[Channel]:
    channels = Channel.objects.filter(workspace=workspace, kind=ChannelKind.PUBLIC).select_related("created_by")
    if not include_archived:
        channels = channels.filter(is_archived=False)
    return channels.order_by("name")


def _unread_filter(user: User) -> tuple[Q, Q, Q]:
    """Messages that count as unread: top-level (or broadcast replies), alive, not the reader's own."""
    return Q(thread_root__isnull=True) | Q(reply_broadcast=True), Q(deleted_at__isnull=True), ~Q(author=user)


def unread_count_for_member(member: ChannelMember) -> int:
    return (
        Message.objects.filter(channel_id=member.channel_id, seq__gt=member.last_read_seq)
        .filter(*_unread_filter(member.user))
        .count()
    )


def unread_counts(*, user: User, workspace: Workspace | None = None) -> dict[str, dict[str, int]]:
    """Unread and mention counts for every channel of the user, in two grouped queries.

    Returns {channel public id: {"unread": n, "mentions": m, "last_read_seq": s, "last_seq": l}}.
    """
    members = list(user_channel_memberships(user=user, workspace=workspace))
    result = {
        m.channel.public_id: {
            "unread": 0,
            "mentions": 0,
            "last_read_seq": m.last_read_seq,
            "last_seq": m.channel.last_seq,
        }
        for m in members
    }
    behind = [m for m in members if m.channel.last_seq > m.last_read_seq]
    if not behind:
        return result
    by_pk = {m.channel_id: m.channel.public_id for m in behind}
    read_upto = Q()
    for m in behind:
        read_upto |= Q(channel_id=m.channel_id, seq__gt=m.last_read_seq)
    unread = (
        Message.objects.filter(read_upto).filter(*_unread_filter(user)).values("channel_id").annotate(n=Count("id"))
    )
    for row in unread:
        result[by_pk[row["channel_id"]]]["unread"] = row["n"]
    mentions = (
        Mention.objects.filter(read_upto)
        .filter(Q(user=user) | Q(user__isnull=True))
        .exclude(message__author=user)
        .values("channel_id")
        .annotate(n=Count("message_id", distinct=True))
    )
    for row in mentions:
        result[by_pk[row["channel_id"]]]["mentions"] = row["n"]
    return result


def messages_for_wire() -> QuerySet[Message]:
    """Messages with everything message_to_wire reads, fetched up front."""
    return Message.objects.select_related("channel", "author", "thread_root__author").prefetch_related(
        "reactions__user"
    )


def history(
    *,
    channel: Channel,
    before: int | None = None,
    after: int | None = None,
    limit: int = 50,
    include_replies: bool = False,
) -> list[Message]:
    """A page of a channel's history by seq (keyset), newest first unless `after` is given.

    The caller has already checked that the reader may see the channel.
    """
    if not 1 <= limit <= HISTORY_MAX_LIMIT:
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS,
            f"limit must be between 1 and {HISTORY_MAX_LIMIT}.",
            fields={"limit": "invalid"},
        )
    messages = messages_for_wire().filter(channel=channel)
    if not include_replies:
        messages = messages.filter(Q(thread_root__isnull=True) | Q(reply_broadcast=True))
    if before is not None:
        messages = messages.filter(seq__lt=before)
    if after is not None:
        return list(messages.filter(seq__gt=after).order_by("seq")[:limit])
    return list(messages.order_by("-seq")[:limit])


def thread_replies(*, root: Message, after: int | None = None, limit: int = 50) -> list[Message]:
    """Replies to a thread in order, oldest first, by seq (keyset)."""
    replies = messages_for_wire().filter(thread_root=root)
    if after is not None:
        replies = replies.filter(seq__gt=after)
    return list(replies.order_by("seq")[:limit])


def changes_since(*, channel: Channel, seq: int, limit: int) -> list[Message]:
    """Messages up to `seq` that changed (edit, delete, reaction, pin) when the channel was at `seq` or later.

    With the messages after `seq`, this is everything a client that saw up to `seq` missed.
    """
    return list(
        messages_for_wire()
        .filter(channel=channel, seq__lte=seq, changed_at_seq__gte=seq)
        .order_by(F("changed_at_seq").asc(), "seq")[:limit]
    )
