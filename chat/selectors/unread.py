"""Unread and mention counts: how far behind each member is in each of their channels."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import connection, connections, transaction
from django.db.models import Count, Q

from chat.models import ChannelMember, Mention, Message
from chat.selectors.channels import user_channel_memberships
from slackclone.db_router import read_for
from workspaces.models import Workspace

if TYPE_CHECKING:
    from accounts.models import User


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
    """Unread and mention counts for every channel of the user: the memberships, then one counting query.

    Both count what is shown in the channel: top-level messages and replies also sent to it. Other
    replies, mentions in them included, count in their thread (chat.selectors.threads).

    Returns {channel public id: {"unread": n, "mentions": m, "last_read_seq": s, "last_seq": l}}.
    The counting query runs on the replica when one is usable for the user (slackclone.db_router).
    The memberships are read as plain values: a few hundred model rows with their channels cost more
    to build than the counting itself.
    """
    members = user_channel_memberships(user=user, workspace=workspace).values_list(
        "channel_id", "channel__public_id", "channel__last_seq", "last_read_seq"
    )
    result = {}
    behind: list[tuple[int, int]] = []
    by_pk = {}
    for channel_id, public_id, last_seq, last_read_seq in members:
        result[public_id] = {"unread": 0, "mentions": 0, "last_read_seq": last_read_seq, "last_seq": last_seq}
        if last_seq > last_read_seq:
            behind.append((channel_id, last_read_seq))
            by_pk[channel_id] = public_id
    if not behind:
        return result
    counts = _counts_postgres(user, behind) if connection.vendor == "postgresql" else _counts_orm(user, behind)
    for channel_id, unread, mentions in counts:
        result[by_pk[channel_id]]["unread"] = unread
        result[by_pk[channel_id]]["mentions"] = mentions
    return result


# One statement for every channel at once: each (channel, last read seq) pair of the arrays is an index
# range scan on (channel_id, seq) of messages and mentions. Building the same as an ORM filter of
# hundreds of OR-ed conditions costs far more in query compilation than the database spends on it.
UNREAD_SQL = """
SELECT r.channel_id,
    (SELECT count(*) FROM chat_message m
      WHERE m.channel_id = r.channel_id AND m.seq > r.last_read
        AND (m.thread_root_id IS NULL OR m.reply_broadcast) AND m.deleted_at IS NULL AND m.author_id <> %(user)s),
    (SELECT count(DISTINCT n.message_id) FROM chat_mention n JOIN chat_message nm ON nm.id = n.message_id
      WHERE n.channel_id = r.channel_id AND n.seq > r.last_read
        AND (n.user_id = %(user)s OR n.user_id IS NULL) AND nm.author_id <> %(user)s
        AND (nm.thread_root_id IS NULL OR nm.reply_broadcast))
FROM unnest(%(channels)s::bigint[], %(reads)s::bigint[]) AS r(channel_id, last_read)
"""


def _counts_postgres(user: User, behind: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """(channel id, unread, mentions) for each (channel id, last read seq) of `behind`."""
    params: dict[str, int | list[int]] = {
        "user": user.pk,
        "channels": [channel_id for channel_id, _ in behind],
        "reads": [last_read for _, last_read in behind],
    }

    # The planner cannot know the read markers, so it prices each subquery as a scan of a third of its
    # channel. Over a few hundred channels it would spend far longer JIT-compiling the query than
    # running it, and for a big channel it takes a sequential scan of the whole table as the cheaper
    # way to count a third of a channel, where the range after the marker on (channel_id, seq) reads a
    # few rows (docs/performance.md, Unread and mention counts). Both are switched off for this
    # statement only, and it is planned on each run: a prepared statement's generic plan would price
    # every channel alike whatever its marker.
    def count(using: str) -> list[tuple[int, int, int]]:
        with transaction.atomic(using=using), connections[using].cursor() as cursor:
            cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(UNREAD_SQL, params)
            counts: list[tuple[int, int, int]] = cursor.fetchall()
            return counts

    return read_for(user, count)


def _counts_orm(user: User, behind: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """The same counts with the ORM, for databases without arrays (the embedded SQLite default)."""
    read_upto = Q()
    for channel_id, last_read in behind:
        read_upto |= Q(channel_id=channel_id, seq__gt=last_read)
    unread = dict(
        Message.objects.filter(read_upto)
        .filter(*_unread_filter(user))
        .values("channel_id")
        .annotate(n=Count("id"))
        .values_list("channel_id", "n")
    )
    mentions = dict(
        Mention.objects.filter(read_upto)
        .filter(Q(user=user) | Q(user__isnull=True))
        .exclude(message__author=user)
        .filter(Q(message__thread_root__isnull=True) | Q(message__reply_broadcast=True))
        .values("channel_id")
        .annotate(n=Count("message_id", distinct=True))
        .values_list("channel_id", "n")
    )
    return [(channel_id, unread.get(channel_id, 0), mentions.get(channel_id, 0)) for channel_id, _ in behind]


def mentions_inbox(
    *, user: User, workspace: Workspace, before: tuple[datetime, int] | None = None, limit: int = 50
) -> tuple[list[Message], bool]:
    """Messages that mention the user (by name, or @channel/@here/@everyone) in their channels, newest first.

    Keyset by (created_at, id) below `before`; their own and deleted messages are left out,
    and so are channels they have left. Returns (messages, has_more).
    """
    from chat.selectors.messages import messages_for_wire

    my_channels = ChannelMember.objects.filter(user=user, channel__workspace=workspace).values("channel_id")
    mentioned = Mention.objects.filter(channel_id__in=my_channels).filter(Q(user=user) | Q(user__isnull=True))
    messages = (
        messages_for_wire().filter(pk__in=mentioned.values("message_id"), deleted_at__isnull=True).exclude(author=user)
    )
    if before is not None:
        created_at, pk = before
        messages = messages.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk))
    rows = list(messages.order_by("-created_at", "-pk")[: limit + 1])
    return rows[:limit], len(rows) > limit
