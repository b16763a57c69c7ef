"""Messages: single ones, and keyset pages of history and threads (what a resume replays: chat.selectors.replay)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.db import connection, router
from django.db.models import Prefetch, Q, QuerySet

from accounts.models import User
from chat.models import Attachment, Channel, Message, Reaction
from chat.selectors.message_page import load_window, uses_single_statement
from chat.wire import PREFETCHED_ATTACHMENTS, PREFETCHED_REACTIONS
from slackclone.db_router import read_for
from slackclone.errors import DomainError, ErrorCode
from slackclone.orm import unique_or_none
from slackclone.rawsql import Columns, split_row
from workspaces.models import Workspace

HISTORY_MAX_LIMIT = 200


def message_get(*, channel: Channel, ts: str) -> Message:
    """A message of a channel the caller has already been allowed to see, with its author and its
    thread's root and the root's author (what reactions, pins, edits and threads read of it).

    One statement written once (slackclone.rawsql): through the ORM, building the query's three joins
    took longer than running it, on every reaction and pin.
    """
    with connection.cursor() as cursor:
        cursor.execute(_MESSAGE_GET_SQL, [channel.pk, ts])
        row = cursor.fetchone()
    if row is None:
        raise DomainError(ErrorCode.MESSAGE_NOT_FOUND, "Message not found.")
    message: Message
    message, author, root, root_author = split_row(row, _GOT_MESSAGE, _GOT_AUTHOR, _GOT_ROOT, _GOT_ROOT_AUTHOR)
    message.author = author
    message.thread_root = root
    if root is not None:
        root.author = root_author
        root.channel = channel
    message.channel = channel  # the row it points to, with its workspace: no join to read it again
    return message


_GOT_MESSAGE = Columns(Message, "m")
_GOT_AUTHOR = Columns(User, "a")
_GOT_ROOT = Columns(Message, "r")
_GOT_ROOT_AUTHOR = Columns(User, "ra")
_GOT_CHANNEL = Columns(Channel, "c")
_GOT_WORKSPACE = Columns(Workspace, "w")
_MESSAGE_GET_SQL = f"""
    SELECT {_GOT_MESSAGE.sql}, {_GOT_AUTHOR.sql}, {_GOT_ROOT.sql}, {_GOT_ROOT_AUTHOR.sql}
    FROM {Message._meta.db_table} m
    JOIN {User._meta.db_table} a ON a.id = m.author_id
    LEFT JOIN {Message._meta.db_table} r ON r.id = m.thread_root_id
    LEFT JOIN {User._meta.db_table} ra ON ra.id = r.author_id
    WHERE m.channel_id = %s AND m.ts = %s
"""
_MESSAGE_FOR_WORKER_SQL = f"""
    SELECT {_GOT_MESSAGE.sql}, {_GOT_CHANNEL.sql}, {_GOT_WORKSPACE.sql}, {_GOT_AUTHOR.sql}, {_GOT_ROOT.sql}
    FROM {Message._meta.db_table} m
    JOIN {Channel._meta.db_table} c ON c.id = m.channel_id
    JOIN {Workspace._meta.db_table} w ON w.id = c.workspace_id
    JOIN {User._meta.db_table} a ON a.id = m.author_id
    LEFT JOIN {Message._meta.db_table} r ON r.id = m.thread_root_id
    WHERE m.id = %s
"""


def message_for_worker(*, pk: int) -> Message | None:
    """A message a job names, with its channel and workspace, its author, and its thread's root: None when it
    is gone. For workers acting on a message the service that stored it decided on (notifying, pushing):
    no reader, so no access check. One statement written once, as message_get: through the ORM, building
    the four joins cost more than the rest of a notification's reading."""
    with connection.cursor() as cursor:
        cursor.execute(_MESSAGE_FOR_WORKER_SQL, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    message: Message
    message, channel, workspace, author, root = split_row(
        row, _GOT_MESSAGE, _GOT_CHANNEL, _GOT_WORKSPACE, _GOT_AUTHOR, _GOT_ROOT
    )
    channel.workspace = workspace
    message.channel, message.author, message.thread_root = channel, author, root
    return message


def messages_for_wire(*, join_channel: bool = True) -> QuerySet[Message]:
    """Messages with everything message_to_wire reads, fetched up front.

    A caller that already holds the channel passes join_channel=False and sets it on what it reads.
    """
    # Reactions come with their users in one query (a Prefetch with select_related), not two.
    # Into plain lists (to_attr), which chat.wire reads: the default, a queryset per message, cost more than the query.
    reactions = Prefetch(
        "reactions",
        queryset=Reaction.objects.select_related("user").only("message_id", "emoji", "created_at", "user__public_id"),
        to_attr=PREFETCHED_REACTIONS,
    )
    attachments = Prefetch("attachments", queryset=Attachment.objects.all(), to_attr=PREFETCHED_ATTACHMENTS)
    joined = ("channel", "author", "thread_root__author") if join_channel else ("author", "thread_root__author")
    return Message.objects.select_related(*joined).prefetch_related(reactions, attachments)


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
            "limit must be between 1 and %(history_max_limit)s.",
            fields={"limit": "invalid"},
            params={"history_max_limit": HISTORY_MAX_LIMIT},
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


def message_get_for_wire(*, channel: Channel, ts: str) -> Message:
    """As message_get, with everything message_to_wire reads (reactions, files) fetched.

    Every answer that returns a message (a post over HTTP or the Slack API, a reaction, an edit) reads it
    here, right after its write: on PostgreSQL in one statement, as a page of history is
    (chat.selectors.message_page), not three ORM queries; from the primary, which holds that write.
    """
    using = router.db_for_read(Message)
    if uses_single_statement(using):
        found = load_window(
            channel,
            using=using,
            above=None,
            below=None,
            newest_first=True,
            limit=1,
            include_replies=True,
            ts=str(ts),
        )
        message = found[0] if found else None
    else:
        message = unique_or_none(messages_for_wire(join_channel=False).using(using).filter(channel=channel, ts=ts))
    if message is None:
        raise DomainError(ErrorCode.MESSAGE_NOT_FOUND, "Message not found.")
    message.channel = channel
    return message


@dataclass(frozen=True)
class HistoryPage:
    """A page of messages, and whether there is more in each direction."""

    messages: list[Message]
    has_older: bool
    has_newer: bool


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= HISTORY_MAX_LIMIT:
        raise DomainError(
            ErrorCode.INVALID_ARGUMENTS,
            "limit must be between 1 and %(history_max_limit)s.",
            fields={"limit": "invalid"},
            params={"history_max_limit": HISTORY_MAX_LIMIT},
        )


def history_page(
    *,
    channel: Channel,
    before: int | None = None,
    after: int | None = None,
    around: int | None = None,
    limit: int = 50,
    include_replies: bool = False,
    reader: User | None = None,
) -> HistoryPage:
    """A keyset page of a channel's history by seq; never OFFSET, so every depth costs the same.

    Newest first, below `before` if given. `after` pages forwards (oldest first), for catching up.
    `around` centres on a seq: it and up to limit//2 newer messages, the rest older, newest first.
    The caller has already checked that the reader may see the channel. Read from the replica when
    one is usable and `reader` has not just written (slackclone.db_router.read_for).
    """
    _check_limit(limit)
    return read_for(
        reader,
        lambda using: _history_page(
            channel,
            using=using,
            include_replies=include_replies,
            before=before,
            after=after,
            around=around,
            limit=limit,
        ),
    )


def _history_page(
    channel: Channel,
    *,
    using: str,
    before: int | None,
    after: int | None,
    around: int | None,
    limit: int,
    include_replies: bool,
) -> HistoryPage:
    window = partial(_window, channel, using=using, include_replies=include_replies)
    if around is not None:
        newer_limit = limit // 2
        newer = window(above=around, below=None, newest_first=False, limit=newer_limit + 1)
        older = window(above=None, below=around + 1, newest_first=True, limit=limit - newer_limit + 1)
        return HistoryPage(
            messages=newer[:newer_limit][::-1] + older[: limit - newer_limit],
            has_older=len(older) > limit - newer_limit,
            has_newer=len(newer) > newer_limit,
        )
    if after is not None:
        rows = window(above=after, below=before, newest_first=False, limit=limit + 1)
        shown = _shown_in_channel(Message.objects.using(using).filter(channel=channel), include_replies)
        return HistoryPage(
            messages=rows[:limit],
            has_older=shown.filter(seq__lte=after).exists(),
            has_newer=len(rows) > limit or (before is not None and shown.filter(seq__gte=before).exists()),
        )
    rows = window(above=None, below=before, newest_first=True, limit=limit + 1)
    # Newer messages exist if the page stops short of the channel's last seq (one query fewer than asking;
    # if everything newer is a hidden thread reply, the newer page is simply empty).
    return HistoryPage(
        messages=rows[:limit], has_older=len(rows) > limit, has_newer=before is not None and before <= channel.last_seq
    )


def _shown_in_channel(messages: QuerySet[Message], include_replies: bool) -> QuerySet[Message]:
    """Thread replies show in the channel only when broadcast, unless asked for."""
    return messages if include_replies else messages.filter(Q(thread_root__isnull=True) | Q(reply_broadcast=True))


def _window(
    channel: Channel,
    *,
    using: str,
    include_replies: bool,
    above: int | None,
    below: int | None,
    newest_first: bool,
    limit: int,
) -> list[Message]:
    """Up to `limit` messages with above < seq < below, loaded for the wire (one statement on PostgreSQL)."""
    if uses_single_statement(using):
        return load_window(
            channel,
            using=using,
            above=above,
            below=below,
            newest_first=newest_first,
            limit=limit,
            include_replies=include_replies,
        )
    messages = _shown_in_channel(messages_for_wire().using(using).filter(channel=channel), include_replies)
    if above is not None:
        messages = messages.filter(seq__gt=above)
    if below is not None:
        messages = messages.filter(seq__lt=below)
    return list(messages.order_by("-seq" if newest_first else "seq")[:limit])


def thread_page(
    *, root: Message, after: int | None = None, limit: int = 50, reader: User | None = None
) -> tuple[list[Message], bool]:
    """Replies to a thread, oldest first, after a seq (keyset); returns (replies, has_more).

    From the replica when one is usable for `reader`, as history_page; on PostgreSQL in one statement, as a page
    of history is (chat.selectors.message_page). `root` is a message of its channel, with its channel and
    author loaded (message_get).
    """
    _check_limit(limit)
    rows = read_for(reader, partial(_thread_window, root, after=after, limit=limit + 1))
    return rows[:limit], len(rows) > limit


def _thread_window(root: Message, using: str, *, after: int | None, limit: int) -> list[Message]:
    if uses_single_statement(using):
        return load_window(
            root.channel,
            using=using,
            above=after,
            below=None,
            newest_first=False,
            limit=limit,
            include_replies=True,
            thread_root=root,
        )
    replies = messages_for_wire().using(using).filter(thread_root=root)
    if after is not None:
        replies = replies.filter(seq__gt=after)
    return list(replies.order_by("seq")[:limit])


def channel_pins(*, channel: Channel) -> list[Message]:
    """The channel's pinned messages, most recently pinned first."""
    return list(messages_for_wire().filter(pin__channel=channel).order_by("-pin__created_at", "-seq"))


def readable_messages(*, user: User, workspace: Workspace, is_guest: bool) -> QuerySet[Message]:
    """The workspace's messages the user may read and that still stand (not deleted): what a cursor
    may name. Anything else, whatever its reason, is the same nothing to the reader."""
    from chat.selectors.channels import readable_channels

    channels = readable_channels(user=user, workspace=workspace, is_guest=is_guest)
    return Message.objects.filter(channel__in=channels, deleted_at__isnull=True)


def message_sort_key(
    *, user: User, workspace: Workspace, is_guest: bool, channel_public_id: str, ts: str
) -> tuple[datetime, int] | None:
    """(created_at, id) of a message the user may read (readable_messages), the keyset position a cursor
    names; None for any other, so a cursor tells nothing about messages the reader cannot see."""
    readable = readable_messages(user=user, workspace=workspace, is_guest=is_guest)
    row = readable.filter(channel__public_id=channel_public_id, ts=ts).values_list("created_at", "pk").first()
    return row
