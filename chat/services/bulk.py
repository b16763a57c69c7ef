"""Writing many messages of one channel at once: the only write path for messages besides message_post.

message_post takes a row lock, runs about ten queries and sends a real-time event per message,
which is right for people and far too slow for history: a Slack export or a benchmark's millions
of messages would take hours. messages_bulk_insert writes a whole batch under one lock with the
invariants message_post keeps, so the rows are indistinguishable from posted ones:

- seq and ts come from chat.services.locking (lock_channel, allocate_seqs): seq runs 1..n per
  channel without gaps, ts grows with seq, and Channel.last_seq / last_ts move once per batch;
- thread roots carry reply_count, latest_reply_ts and changed_at_seq;
- every <@U…> of someone who can see the channel, and every broadcast outside a DM, has its
  Mention row (chat.services.messages.mentionable_people, the rule message_post follows);
- a bot's per-message name and icon are kept within message_post's limits, and only for bots.

On PostgreSQL the rows go in with COPY; elsewhere (the embedded SQLite default) with bulk_create.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, Max, Model, OuterRef, Subquery
from django.db.models.functions import Coalesce

from accounts.models import User
from chat.models import Channel, ChannelMember, Mention, MentionKind, Message, Reaction
from chat.services.locking import allocate_seqs, lock_channel, stamp_change
from chat.services.messages import (
    BOT_USERNAME_MAX_LENGTH,
    is_bot_icon_url,
    mentionable_people,
    mentions_broadcasts,
)
from chat.text import check_emoji_name, parse_mentions
from slackclone.errors import DomainError, ErrorCode

ORM_BATCH_SIZE = 2_000
COPY_CHUNK_LINES = 10_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(slots=True, eq=False)
class BulkMessage:
    """One message for messages_bulk_insert: what its caller knows, then what the insert gave it.

    `at_us` is when it was said (microseconds since the epoch): its created_at always, and its ts
    whenever that is above the ts before it. `thread_root` is an earlier top-level row of the same
    call, or the primary key of a top-level message already in the channel. `text` has been checked
    as message_post checks it (chat.text.check_message_text), so a caller can skip a bad message
    with its reason instead of failing the batch. `reactions` are (user pk, emoji name, at_us).
    """

    author_id: int
    text: str
    at_us: int
    thread_root: BulkMessage | int | None = None
    reply_broadcast: bool = False
    edited_at: datetime | None = None
    deleted_at: datetime | None = None
    bot_username: str = ""
    bot_icon_emoji: str = ""
    bot_icon_url: str = ""
    reactions: list[tuple[int, str, int]] = field(default_factory=list)
    # Set by messages_bulk_insert.
    pk: int = 0
    seq: int = 0
    ts: str = ""
    reply_count: int = 0
    latest_reply_ts: str = ""
    changed_at_seq: int | None = None

    @property
    def created_at(self) -> datetime:
        return micros_to_datetime(self.at_us)

    @property
    def thread_root_id(self) -> int | None:
        root = self.thread_root
        return root.pk if isinstance(root, BulkMessage) else root


def micros_to_datetime(micros: int) -> datetime:
    """Exact to the microsecond, which a float timestamp is not for every date."""
    return EPOCH + timedelta(microseconds=micros)


@transaction.atomic
def messages_bulk_insert(*, channel: Channel, rows: Sequence[BulkMessage], mark_read_by_authors: bool = False) -> None:
    """Insert `rows` as the channel's next messages, in their order, with their mentions and reactions.

    Each row is given its pk, seq and ts (and, for a thread root in the same call, its reply
    counters). `mark_read_by_authors` moves each author's read marker past their own messages in
    the channel (not past thread replies), as posting does.
    Callers: operators' commands only, that is the demo seeder (chat.seeding.bulk) and the Slack
    import (integrations.slack_export.history); never a request path, which posts through
    message_post. No permission is checked: the operator is trusted, and an archived channel
    takes history too. Several channels in one transaction are locked in primary-key order.
    Raises: invalid_arguments when a row's thread root is not a top-level message of this channel
    (or of this call, before it), having written nothing.
    Events: none. History is written before anyone reads it (seeding) or is announced by its
    caller; clients catch up from the database by seq in any case.
    """
    if not rows:
        return
    existing_roots = _check_thread_roots(channel, rows)
    lock_channel(channel)
    _fit_bot_display(rows)
    allocated = allocate_seqs(channel, [row.at_us for row in rows])
    for row, pk, (seq, ts) in zip(rows, _reserve_ids(len(rows)), allocated, strict=True):
        row.pk, row.seq, row.ts = pk, seq, ts
    _count_replies_in_call(rows)
    _rows_writer()(channel, rows, _mentions(channel, rows), _reactions(rows))
    if existing_roots:
        _recount_threads(channel, existing_roots)
    if mark_read_by_authors:
        _move_read_markers(channel, rows)


def analyze_message_tables() -> None:
    """Fresh planner statistics after a large load, so the next queries use the indexes production would."""
    if connection.vendor != "postgresql":
        return  # SQLite plans well enough without them.
    with connection.cursor() as cursor:
        for model in (Message, Mention, Reaction):
            cursor.execute(f"ANALYZE {model._meta.db_table}")


def _check_thread_roots(channel: Channel, rows: Sequence[BulkMessage]) -> set[int]:
    """The primary keys of the channel's existing roots that rows reply to, after checking every root."""
    top_level_so_far: set[int] = set()
    existing: set[int] = set()
    for row in rows:
        root = row.thread_root
        if root is None:
            top_level_so_far.add(id(row))
        elif isinstance(root, BulkMessage):
            if id(root) not in top_level_so_far:
                raise DomainError(ErrorCode.INVALID_ARGUMENTS, "A reply's root must be an earlier top-level row.")
        else:
            existing.add(root)
    if existing:
        found = Message.objects.filter(pk__in=existing, channel=channel, thread_root__isnull=True).count()
        if found != len(existing):
            raise DomainError(ErrorCode.INVALID_ARGUMENTS, "A reply's root is not a top-level message of the channel.")
    return existing


def _fit_bot_display(rows: Sequence[BulkMessage]) -> None:
    """A bot's name and icon within message_post's limits; history is kept, so what does not fit is cut
    or left out rather than refused. People's rows show none, as message_post ignores theirs."""
    shown = [row for row in rows if row.bot_username or row.bot_icon_emoji or row.bot_icon_url]
    if not shown:
        return
    bots = set(User.objects.filter(pk__in={row.author_id for row in shown}, is_bot=True).values_list("pk", flat=True))
    for row in shown:
        emoji = ""
        if row.author_id in bots and row.bot_icon_emoji:
            with contextlib.suppress(DomainError):
                emoji = f":{check_emoji_name(row.bot_icon_emoji)}:"
        url = row.bot_icon_url if row.author_id in bots and not emoji and is_bot_icon_url(row.bot_icon_url) else ""
        row.bot_username = row.bot_username[:BOT_USERNAME_MAX_LENGTH] if row.author_id in bots else ""
        row.bot_icon_emoji, row.bot_icon_url = emoji, url


def _reserve_ids(count: int) -> list[int]:
    """Primary keys for rows about to be inserted, so replies can name a root of their own batch.

    PostgreSQL hands them out from the table's sequence; SQLite (one writer at a time) continues
    after the highest.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Message._meta.db_table, count],
            )
            return [row[0] for row in cursor.fetchall()]
    highest = Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return list(range(highest + 1, highest + 1 + count))


def _count_replies_in_call(rows: Sequence[BulkMessage]) -> None:
    """Roots of this call count their replies before they are written (tombstones are not counted)."""
    for row in rows:
        root = row.thread_root
        if isinstance(root, BulkMessage):
            if row.deleted_at is None:
                root.reply_count += 1
            root.latest_reply_ts = row.ts
            root.changed_at_seq = row.seq


def _recount_threads(channel: Channel, root_ids: set[int]) -> None:
    """Bring older roots' reply_count, latest_reply_ts and changed_at_seq up to date, in one statement;
    they are changed messages, so the channel's change count moves too."""
    replies = Message.objects.filter(thread_root=OuterRef("pk")).order_by().values("thread_root")
    Message.objects.filter(pk__in=root_ids).update(
        reply_count=Coalesce(Subquery(replies.filter(deleted_at__isnull=True).annotate(n=Count("pk")).values("n")), 0),
        latest_reply_ts=Subquery(replies.annotate(latest=Max("ts")).values("latest")),
        changed_at_seq=Subquery(replies.annotate(top=Max("seq")).values("top")),
    )
    stamp_change(channel)


# A Mention row before it is written: (message id, seq, kind, user pk or None).
_MentionRow = tuple[int, int, str, int | None]


def _mentions(channel: Channel, rows: Sequence[BulkMessage]) -> list[_MentionRow]:
    """The rows' mentions, with the people who can see the channel found in one query for the batch."""
    parsed = [(row, parse_mentions(row.text)) for row in rows if "<" in row.text]
    people = mentionable_people(channel, {public_id for _, found in parsed for public_id in found.user_ids})
    broadcasts = mentions_broadcasts(channel)
    mentions: list[_MentionRow] = []
    for row, found in parsed:
        mentions += [
            (row.pk, row.seq, MentionKind.USER.value, people[public_id])
            for public_id in found.user_ids
            if public_id in people
        ]
        if broadcasts:
            mentions += [(row.pk, row.seq, kind.value, None) for kind in found.broadcasts]
    return mentions


def _reactions(rows: Sequence[BulkMessage]) -> list[tuple[int, int, str, int]]:
    """(message id, user pk, emoji, at_us), each person's emoji once per message."""
    unique: dict[tuple[int, int, str], int] = {}
    for row in rows:
        for user_pk, emoji, at_us in row.reactions:
            unique.setdefault((row.pk, user_pk, emoji), at_us)
    return [(message_id, user_pk, emoji, at_us) for (message_id, user_pk, emoji), at_us in unique.items()]


def _move_read_markers(channel: Channel, rows: Sequence[BulkMessage]) -> None:
    read_upto: dict[int, int] = {}
    for row in rows:
        if row.thread_root is None or row.reply_broadcast:
            read_upto[row.author_id] = row.seq
    for user_pk, seq in read_upto.items():
        ChannelMember.objects.filter(channel=channel, user_id=user_pk, last_read_seq__lt=seq).update(last_read_seq=seq)


def _rows_writer() -> Callable[..., None]:
    return _copy_rows if connection.vendor == "postgresql" else _orm_rows


def _orm_rows(
    channel: Channel,
    rows: Sequence[BulkMessage],
    mentions: list[_MentionRow],
    reactions: list[tuple[int, int, str, int]],
) -> None:
    """Other databases (the embedded SQLite default): bulk_create in batches."""
    Message.objects.bulk_create(
        [
            Message(
                id=row.pk,
                channel_id=channel.pk,
                seq=row.seq,
                ts=row.ts,
                author_id=row.author_id,
                text=row.text,
                thread_root_id=row.thread_root_id,
                reply_broadcast=row.reply_broadcast,
                reply_count=row.reply_count,
                latest_reply_ts=row.latest_reply_ts,
                changed_at_seq=row.changed_at_seq,
                bot_username=row.bot_username,
                bot_icon_emoji=row.bot_icon_emoji,
                bot_icon_url=row.bot_icon_url,
                created_at=row.created_at,
                edited_at=row.edited_at,
                deleted_at=row.deleted_at,
            )
            for row in rows
        ],
        batch_size=ORM_BATCH_SIZE,
    )
    Mention.objects.bulk_create(
        [Mention(message_id=m, channel_id=channel.pk, seq=s, kind=k, user_id=u) for m, s, k, u in mentions],
        batch_size=ORM_BATCH_SIZE,
    )
    Reaction.objects.bulk_create(
        [Reaction(message_id=m, user_id=u, emoji=e, created_at=micros_to_datetime(t)) for m, u, e, t in reactions],
        batch_size=ORM_BATCH_SIZE,
    )


_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NULL = "\\N"


def _copy_text(value: str) -> str:
    """A value in COPY's text format: backslash, tab and line breaks escaped (the rare text that has them)."""
    return value.translate(_COPY_ESCAPES) if _COPY_SPECIAL.search(value) else value


class _Timestamps:
    """timestamptz literals from microseconds, formatting each second once (a batch shares few seconds)."""

    def __init__(self) -> None:
        self._seconds: dict[int, str] = {}

    def __call__(self, micros: int) -> str:
        second = micros // 1_000_000
        prefix = self._seconds.get(second)
        if prefix is None:
            prefix = self._seconds[second] = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%d %H:%M:%S")
        return f"{prefix}.{micros % 1_000_000:06d}+00"


def _optional_time(value: datetime | None) -> str:
    return _NULL if value is None else value.isoformat()


def _copy_rows(
    channel: Channel,
    rows: Sequence[BulkMessage],
    mentions: list[_MentionRow],
    reactions: list[tuple[int, int, str, int]],
) -> None:
    """PostgreSQL: COPY FROM STDIN, several times faster than INSERT for the same rows."""
    stamp, text, channel_id = _Timestamps(), _copy_text, channel.pk
    _copy(
        Message,
        "id, channel_id, seq, ts, author_id, text, thread_root_id, reply_broadcast, reply_count, latest_reply_ts, "
        "changed_at_seq, created_at, edited_at, deleted_at, bot_username, bot_icon_emoji, bot_icon_url",
        (
            f"{r.pk}\t{channel_id}\t{r.seq}\t{r.ts}\t{r.author_id}\t{text(r.text)}\t{r.thread_root_id or _NULL}\t"
            f"{'t' if r.reply_broadcast else 'f'}\t{r.reply_count}\t{r.latest_reply_ts}\t{r.changed_at_seq or _NULL}\t"
            f"{stamp(r.at_us)}\t{_optional_time(r.edited_at)}\t{_optional_time(r.deleted_at)}\t"
            f"{text(r.bot_username)}\t{text(r.bot_icon_emoji)}\t{text(r.bot_icon_url)}\n"
            for r in rows
        ),
    )
    _copy(
        Mention,
        "message_id, channel_id, seq, kind, user_id",
        (f"{m}\t{channel_id}\t{s}\t{k}\t{_NULL if u is None else u}\n" for m, s, k, u in mentions),
    )
    _copy(
        Reaction,
        "message_id, user_id, emoji, created_at",
        (f"{m}\t{u}\t{text(e)}\t{stamp(t)}\n" for m, u, e, t in reactions),
    )


def _copy(model: type[Model], columns: str, lines: Iterable[str]) -> None:
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for chunk in _chunks(lines):
            copy.write(chunk)


def _chunks(lines: Iterable[str]) -> Iterator[str]:
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) >= COPY_CHUNK_LINES:
            yield "".join(chunk)
            chunk.clear()
    if chunk:
        yield "".join(chunk)
