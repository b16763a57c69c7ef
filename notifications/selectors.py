"""Reads of the notifications app, each limited to what the reader may see. Nothing here writes.

A notification is unread until it is marked read (read_at) or its channel is read past it (the
member's last_read_seq reaches the message's seq). Notifications in channels the reader has
left, or about messages since deleted, are not shown: there is nothing left to open.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from chat.models import ChannelMember
from notifications.models import DeliveryState, Notification, PushSubscription, Reminder, SavedItem, ScheduledMessage
from slackclone.errors import DomainError, ErrorCode

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from accounts.models import User
    from chat.models import Channel
    from workspaces.models import Workspace

INBOX_MAX_LIMIT = 200


class LastReadSeq(TypedDict):
    """_visible's annotation: how far the reader has read the notification's channel."""

    last_read_seq: int | None


def _membership() -> QuerySet[ChannelMember]:
    return ChannelMember.objects.filter(channel=OuterRef("channel"), user=OuterRef("user"))


def _visible(user: User, workspace: Workspace) -> QuerySet[WithAnnotations[Notification, LastReadSeq]]:
    return (
        Notification.objects.filter(user=user, workspace=workspace, message__deleted_at__isnull=True)
        .filter(Exists(_membership()))
        .annotate(last_read_seq=Subquery(_membership().values("last_read_seq")[:1]))
    )


def unread_filter() -> Q:
    """Unread: not marked read, and the channel not read as far as the message (needs _visible's annotation)."""
    return Q(read_at__isnull=True, last_read_seq__lt=F("seq"))


def notification_inbox(
    *,
    user: User,
    workspace: Workspace,
    unread_only: bool = False,
    before: tuple[datetime, int] | None = None,
    limit: int = 50,
) -> tuple[Sequence[Notification], bool]:
    """The reader's notifications in a workspace, newest first, each with `is_unread` set.

    Keyset by (created_at, id) below `before`. Returns (notifications, has_more). The messages
    come with what chat.wire needs (author, thread root, reactions, files).
    """
    notifications = _visible(user, workspace).select_related(
        "channel", "message__author", "message__channel", "message__thread_root__author"
    )
    notifications = notifications.prefetch_related("message__reactions__user", "message__attachments")
    if unread_only:
        notifications = notifications.filter(unread_filter())
    if before is not None:
        created_at, pk = before
        notifications = notifications.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk))
    rows = list(notifications.order_by("-created_at", "-pk")[: min(limit, INBOX_MAX_LIMIT) + 1])
    for n in rows:
        n.is_unread = n.read_at is None and (n.last_read_seq or 0) < n.seq
    return rows[:limit], len(rows) > limit


def notification_unread_count(*, user: User, workspace: Workspace) -> int:
    return _visible(user, workspace).filter(unread_filter()).count()


def notification_position(
    *, user: User, workspace: Workspace, channel_public_id: str, ts: str
) -> tuple[datetime, int] | None:
    """The (created_at, id) keyset position of a notification the reader's inbox shows, about a message;
    None for any other, so an inbox cursor tells nothing about what is not in the inbox."""
    return (
        _visible(user, workspace)
        .filter(channel__public_id=channel_public_id, message__ts=ts)
        .values_list("created_at", "pk")
        .first()
    )


# --- Scheduled messages and reminders -------------------------------------------------


def scheduled_messages(
    *, user: User, workspace: Workspace, channel: Channel | None = None
) -> QuerySet[ScheduledMessage]:
    """The reader's messages still waiting to be posted, soonest first (Slack's chat.scheduledMessages.list)."""
    rows = ScheduledMessage.objects.filter(author=user, workspace=workspace, state=DeliveryState.PENDING)
    if channel is not None:
        rows = rows.filter(channel=channel)
    return rows.select_related("channel").order_by("post_at", "pk")


def scheduled_message_get(*, user: User, public_id: str) -> ScheduledMessage:
    """One of the reader's own scheduled messages (any state); invalid_scheduled_message_id otherwise."""
    found = (
        ScheduledMessage.objects.select_related("channel__workspace", "workspace")
        .filter(author=user, public_id=public_id if isinstance(public_id, str) else "")
        .first()
    )
    if found is None:
        raise DomainError(ErrorCode.SCHEDULED_MESSAGE_NOT_FOUND, "No such scheduled message.")
    return found


def reminders(*, user: User, workspace: Workspace, include_done: bool = False) -> QuerySet[Reminder]:
    """The reader's reminders, soonest first; only pending ones unless include_done."""
    rows = Reminder.objects.filter(user=user, workspace=workspace)
    if not include_done:
        rows = rows.filter(state=DeliveryState.PENDING)
    return rows.select_related("message__channel").order_by("remind_at", "pk")


def reminder_get(*, user: User, public_id: str) -> Reminder:
    found = (
        Reminder.objects.select_related("workspace", "message__channel")
        .filter(user=user, public_id=public_id if isinstance(public_id, str) else "")
        .first()
    )
    if found is None:
        raise DomainError(ErrorCode.REMINDER_NOT_FOUND, "No such reminder.")
    return found


def saved_items(*, user: User, workspace: Workspace, done: bool, limit: int = 100) -> list[SavedItem]:
    """The user's saved messages in the workspace, newest saved first: in progress, or done. Messages in
    channels they can no longer read (left a private channel, deleted) are left out, not shown."""
    from chat.selectors.channels import visible_channel_ids
    from workspaces.models import Membership

    membership = Membership.objects.filter(user=user, workspace=workspace, is_active=True).first()
    if membership is None:
        return []
    readable = visible_channel_ids(user=user, workspace=workspace, is_guest=membership.is_guest)
    rows = (
        SavedItem.objects.filter(
            user=user,
            workspace=workspace,
            done_at__isnull=not done,
            message__channel_id__in=readable,
            message__deleted_at__isnull=True,
        )
        .select_related("message__channel__workspace", "message__author", "message__thread_root__author")
        .order_by("-saved_at", "-pk")
    )
    return list(rows[:limit])


def push_subscriptions(*, user: User) -> list[PushSubscription]:
    """The person's own devices' push subscriptions, newest first."""
    return list(PushSubscription.objects.filter(user=user).order_by("-created_at", "-pk"))
