"""Threads a person follows: the Threads view, its unread badge, and who hears of a thread's new reply.

A thread's unread count is the live replies by others after the follower's read marker
(chat.models.ThreadFollow); each is an index range on (thread_root, seq). Threads in channels the
person may no longer read (a private channel they left, a public one once they are a guest) are
left out everywhere, as chat.permissions would refuse them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, Window
from django.db.models.functions import Coalesce, RowNumber

from chat.models import Channel, ChannelKind, ChannelMember, Message, ThreadFollow, ThreadPreference
from chat.selectors.channels import readable_channels
from chat.selectors.messages import messages_for_wire
from slackclone.errors import DomainError, ErrorCode
from slackclone.orm import unique_or_none
from workspaces.models import Membership, Role, Workspace

if TYPE_CHECKING:
    from accounts.models import User

LATEST_REPLIES_SHOWN = 2


def unread_replies() -> Coalesce:
    """For a ThreadFollow queryset: its thread's live replies by others after the follower's marker."""
    replies = (
        Message.objects.filter(
            thread_root_id=OuterRef("root_id"), seq__gt=OuterRef("last_read_seq"), deleted_at__isnull=True
        )
        .exclude(author_id=OuterRef("user_id"))
        .order_by()
        .values("thread_root_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(replies, output_field=IntegerField()), Value(0))


def _has_unread() -> Exists:
    return Exists(
        Message.objects.filter(
            thread_root_id=OuterRef("root_id"), seq__gt=OuterRef("last_read_seq"), deleted_at__isnull=True
        ).exclude(author_id=OuterRef("user_id"))
    )


def _followed(*, user: User, workspace: Workspace, is_guest: bool) -> QuerySet[ThreadFollow]:
    channels = readable_channels(user=user, workspace=workspace, is_guest=is_guest).values("pk")
    return ThreadFollow.objects.filter(user=user, following=True, channel_id__in=channels, root__reply_count__gt=0)


@dataclass(frozen=True)
class FollowedThread:
    """One row of the Threads view: the root, its newest replies (oldest first) and my unread count."""

    root: Message
    latest_replies: list[Message]
    unread_count: int


def followed_threads(
    *, user: User, workspace: Workspace, is_guest: bool, before: tuple[str, int] | None = None, limit: int = 20
) -> tuple[list[FollowedThread], bool]:
    """The threads the user follows in the workspace, newest reply first; (threads, has_more).

    Keyset by (the root's latest reply ts, the root's id) below `before`. Three statements: the
    follows with their roots and unread counts, the roots for the wire, their newest replies.
    """
    follows = _followed(user=user, workspace=workspace, is_guest=is_guest)
    if before is not None:
        latest, root_id = before
        follows = follows.filter(
            Q(root__latest_reply_ts__lt=latest) | Q(root__latest_reply_ts=latest, root_id__lt=root_id)
        )
    page = list(
        follows.annotate(unread=unread_replies())
        .order_by("-root__latest_reply_ts", "-root_id")
        .values_list("root_id", "unread")[: limit + 1]
    )
    has_more = len(page) > limit
    page = page[:limit]
    root_ids = [root_id for root_id, _ in page]
    roots = messages_for_wire().in_bulk(root_ids)
    replies = _latest_replies(root_ids)
    threads = [
        FollowedThread(root=roots[root_id], latest_replies=replies.get(root_id, []), unread_count=unread)
        for root_id, unread in page
        if root_id in roots
    ]
    return threads, has_more


def _latest_replies(root_ids: list[int]) -> dict[int, list[Message]]:
    """The newest LATEST_REPLIES_SHOWN live replies of each thread, oldest first: one windowed query."""
    if not root_ids:
        return {}
    rank = Window(RowNumber(), partition_by=[F("thread_root_id")], order_by=F("seq").desc())
    rows = (
        messages_for_wire()
        .filter(thread_root_id__in=root_ids, deleted_at__isnull=True)
        .annotate(rank=rank)
        .filter(rank__lte=LATEST_REPLIES_SHOWN)
        .order_by("thread_root_id", "seq")
    )
    replies: dict[int, list[Message]] = {}
    for reply in rows:
        replies.setdefault(reply.thread_root_id or 0, []).append(reply)
    return replies


def unread_threads_count(*, user: User, workspace: Workspace, is_guest: bool) -> int:
    """How many followed threads have unread replies: the sidebar's Threads badge.

    Only threads whose latest reply is newer than the marker are looked into.
    """
    follows = _followed(user=user, workspace=workspace, is_guest=is_guest).filter(
        root__latest_reply_ts__gt=F("last_read_ts")
    )
    return follows.filter(_has_unread()).count()


def thread_position(*, user: User, channel: Channel, ts: str, latest_reply_ts: str) -> tuple[str, int] | None:
    """The keyset position a Threads cursor (channel, root ts, latest reply ts) names, or None."""
    root_id = unique_or_none(
        Message.objects.filter(channel=channel, ts=ts, thread_root__isnull=True).values_list("pk", flat=True)
    )
    return None if root_id is None else (latest_reply_ts, root_id)


def thread_followers(root: Message) -> QuerySet[ThreadFollow]:
    """The people following a thread who may still read its channel: its members, and for a public
    channel anyone active in the workspace but a guest."""
    channel = root.channel
    in_channel = Exists(ChannelMember.objects.filter(channel_id=channel.pk, user_id=OuterRef("user_id")))
    readable = Q(in_channel)
    if channel.kind == ChannelKind.PUBLIC:
        standing = Membership.objects.filter(
            workspace_id=channel.workspace_id, user_id=OuterRef("user_id"), is_active=True
        ).exclude(role=Role.GUEST)
        readable |= Q(Exists(standing))
    return ThreadFollow.objects.filter(root=root, following=True, user__is_active=True).filter(readable)


def thread_reply_notified(root: Message) -> frozenset[int]:
    """Followers of a thread to notify of its new replies: those who have not turned the preference off."""
    turned_off = ThreadPreference.objects.filter(workspace_id=root.channel.workspace_id, new_replies=False).values(
        "user_id"
    )
    return frozenset(thread_followers(root).exclude(user_id__in=turned_off).values_list("user_id", flat=True))


def thread_preferences(*, user: User, workspace: Workspace) -> dict[str, bool]:
    """The user's thread notification preferences in the workspace (the defaults when never set)."""
    row = unique_or_none(
        ThreadPreference.objects.filter(user=user, workspace=workspace).values_list("new_replies", flat=True)
    )
    return {"new_replies": True if row is None else row}


def thread_follow_get(*, user: User, channel: Channel, ts: str) -> tuple[Message, ThreadFollow | None]:
    """A thread of a channel the caller may read (a reply's ts names its thread), and the user's follow
    row, if any. Raises thread_not_found."""
    message = unique_or_none(Message.objects.filter(channel=channel, ts=ts).select_related("thread_root"))
    if message is None or (message.is_deleted and not message.reply_count):
        raise DomainError(ErrorCode.THREAD_NOT_FOUND, "The thread's first message was not found.")
    root = message.thread_root or message
    return root, unique_or_none(ThreadFollow.objects.filter(user=user, root=root))
