"""Bulk-loading message history into the demo workspace, tens of thousands of messages per second.

This is the one place that writes messages without chat.services.message_post, and only
because its job is volume: it seeds benchmark data (millions of messages) and the demo's
older history. Through the service (a row lock, about ten queries and a real-time event
each) a million messages would take hours. Real messages always go through the service,
and so do the demo's newest conversations (chat/seeding/story.py). To keep the data
indistinguishable from what the service writes, the loader follows the same rules:

- seq and ts come from the channel row, locked with SELECT ... FOR UPDATE exactly as
  chat/services/locking.py does, so seq runs 1..n per channel without gaps, ts grows with
  seq, and Channel.last_seq / last_ts are brought up to date before each batch commits;
- thread roots carry their reply_count, latest_reply_ts and changed_at_seq;
- every <@U…> and <!here>/<!channel> in the text has its Mention row, so unread and
  mention counts stay true; mentions only name members of the channel;
- authors' read markers move past their own top-level messages, as posting does.

No real-time events are sent: nobody is watching a benchmark load, and clients catch up
from the database anyway. On PostgreSQL rows go in with COPY; elsewhere (the embedded
SQLite default) with large bulk_create batches.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import connection, transaction
from django.utils import timezone

from chat.models import Channel, ChannelMember, Mention, MentionKind, Message, Reaction
from chat.seeding import chatter
from chat.seeding.demo import DEMO_SLUG, DemoWorkspace, demo_message_count
from slackclone.errors import DomainError, ErrorCode

BATCH_SIZE = 50_000
SPAN_SECONDS = 90 * 24 * 3600  # New history is spread over the last 90 days, or since the newest message.
POOL_SIZE = 4_096
MENTION_MARK = "\x00"
REPLY_SHARE, MENTION_SHARE, BROADCAST_SHARE, REACTION_SHARE = 0.15, 0.08, 0.005, 0.10

# Positions in a generated message row.
ID, CHANNEL, SEQ, TS, AUTHOR, TEXT, ROOT, REPLY_COUNT, LATEST_REPLY, CHANGED, MICROS = range(11)


@dataclass
class _Lane:
    """One channel's state while generating: its counters, people and the roots replies can join."""

    channel_id: int
    is_direct: bool
    members: list[tuple[int, str]]  # (user pk, public id)
    weight: int
    remaining: int = 1  # messages this run is still expected to add to the channel
    until_us: int = 0  # the present, as of the batch: new history is spread up to it, never beyond
    last_seq: int = 0
    last_us: int = 0
    roots: deque[list] = field(default_factory=lambda: deque(maxlen=8))
    read_upto: dict[int, int] = field(default_factory=dict)


@dataclass
class _Batch:
    messages: list[list] = field(default_factory=list)
    mentions: list[tuple] = field(default_factory=list)  # (message id, channel id, seq, kind, user id or None)
    reactions: list[tuple] = field(default_factory=list)  # (message id, user id, emoji, micros)


@dataclass(frozen=True)
class _Pools:
    """Pre-written texts, so generating a row costs a list index rather than string assembly."""

    top_level: list[str]
    replies: list[str]
    mentions: list[str]
    broadcasts: list[tuple[str, str]]

    @classmethod
    def build(cls, rng: random.Random) -> _Pools:
        broadcasts = [chatter.broadcast_text(rng) for _ in range(64)]
        pools = cls(
            top_level=[chatter.top_level_text(rng) for _ in range(POOL_SIZE)],
            replies=[chatter.reply_text(rng) for _ in range(POOL_SIZE // 4)],
            mentions=[chatter.mention_text(rng, MENTION_MARK) for _ in range(POOL_SIZE // 4)],
            broadcasts=[(text, "channel" if "<!channel>" in text else "here") for text in broadcasts],
        )
        texts = [*pools.top_level, *pools.replies, *pools.mentions, *(t for t, _ in pools.broadcasts)]
        if any(ch in text for text in texts for ch in "\t\n\r\\"):
            raise ValueError("Seed texts must not contain tabs, newlines or backslashes (COPY rows are unescaped).")
        return pools


def bulk_load_messages(
    demo: DemoWorkspace, *, target: int, progress: Callable[[int], None] | None = None, batch_size: int = BATCH_SIZE
) -> int:
    """Add messages until the demo workspace holds `target`; returns how many were added.

    Each batch commits on its own with the channel counters updated, so an interrupted load
    leaves consistent data and running again continues up to the target.
    Raises DomainError (invalid_arguments) for a negative target, is_archived if every channel is archived.
    """
    if target < 0:
        raise DomainError(ErrorCode.INVALID_ARGUMENTS, "The number of messages must be 0 or more.")
    start = demo_message_count(demo.workspace)
    to_add = target - start
    if to_add <= 0:
        return 0
    rng = random.Random(f"{DEMO_SLUG}:bulk:{start}")
    pools = _Pools.build(rng)
    lanes = _plan_lanes(demo, to_add)
    writer = _CopyWriter() if connection.vendor == "postgresql" else _OrmWriter()
    done = 0
    while done < to_add:
        size = min(batch_size, to_add - done)
        with transaction.atomic():
            writer.begin_batch()
            _lock_and_refresh(lanes)
            batch = _generate(lanes, writer.reserve_ids(size), rng, pools)
            writer.write(batch)
            _save_counters(lanes)
        done += size
        if progress is not None:
            progress(size)
    writer.analyze()
    return to_add


def _plan_lanes(demo: DemoWorkspace, to_add: int) -> list[_Lane]:
    lanes = [
        _Lane(
            channel_id=dc.channel.pk,
            is_direct=dc.channel.is_direct,
            members=[(user.pk, user.public_id) for user in dc.members],
            weight=dc.weight,
        )
        for dc in demo.channels
        if not dc.channel.is_archived
    ]
    if not lanes:
        raise DomainError(ErrorCode.IS_ARCHIVED, "Every demo channel is archived; unarchive one first.")
    total_weight = sum(lane.weight for lane in lanes)
    for lane in lanes:
        lane.remaining = max(1, to_add * lane.weight // total_weight)
    return lanes


def _lock_and_refresh(lanes: list[_Lane]) -> None:
    """Lock the channels (in primary-key order, as one statement) and continue from their counters."""
    by_pk = {lane.channel_id: lane for lane in lanes}
    rows = (
        Channel.objects.select_for_update().filter(pk__in=by_pk).order_by("pk").values_list("pk", "last_seq", "last_ts")
    )
    now_us = int(timezone.now().timestamp() * 1_000_000)
    for pk, last_seq, last_ts in rows:
        lane = by_pk[pk]
        lane.last_seq = last_seq
        lane.last_us = max(_ts_to_us(last_ts) if last_ts else 0, lane.last_us, now_us - SPAN_SECONDS * 1_000_000)
        lane.until_us = now_us
        lane.roots.clear()
        lane.read_upto.clear()


def _ts_to_us(ts: str) -> int:
    seconds, _, micros = ts.partition(".")
    return int(seconds) * 1_000_000 + int(micros or 0)


def _generate(lanes: list[_Lane], ids: list[int], rng: random.Random, pools: _Pools) -> _Batch:
    """Rows for one batch: channel by weight, then a top-level message, reply, mention or broadcast."""
    batch = _Batch()
    rand = rng.random
    cum_weights = [0] * len(lanes)
    running = 0
    for i, lane in enumerate(lanes):
        running += lane.weight
        cum_weights[i] = running
    for message_id, lane in zip(ids, rng.choices(lanes, cum_weights=cum_weights, k=len(ids)), strict=True):
        lane.last_seq += 1
        lane.last_us += _step_us(lane, rand())
        seq, micros = lane.last_seq, lane.last_us
        ts = f"{micros // 1_000_000}.{micros % 1_000_000:06d}"
        members = lane.members
        author_index = int(rand() * len(members))
        author = members[author_index][0]
        row = [message_id, lane.channel_id, seq, ts, author, "", None, 0, "", None, micros]
        roll = rand()
        if lane.roots and roll < REPLY_SHARE:
            root = lane.roots[int(rand() * len(lane.roots))]
            root[REPLY_COUNT] += 1
            root[LATEST_REPLY] = ts
            root[CHANGED] = seq
            row[ROOT] = root[ID]
            row[TEXT] = pools.replies[int(rand() * len(pools.replies))]
        else:
            row[TEXT] = _top_level_text(lane, row, author_index, roll, rand, pools, batch)
            lane.roots.append(row)
            lane.read_upto[author] = seq
        batch.messages.append(row)
        if rand() < REACTION_SHARE:
            _add_reactions(batch, row, members, rand)
    return batch


def _step_us(lane: _Lane, roll: float) -> int:
    """The time to the channel's next message: the gap left up to the present, shared among the messages
    still to come, with jitter. The steps never pass `until_us` by more than a microsecond per message
    beyond the expected count, so no history is dated in the future."""
    gap = lane.until_us - lane.last_us
    lane.remaining = max(0, lane.remaining - 1)
    if gap <= 0:
        return 1
    return 1 + int(roll * 2 * gap / (lane.remaining + 2))


def _top_level_text(
    lane: _Lane, row: list, author_index: int, roll: float, rand: Callable[[], float], pools: _Pools, batch: _Batch
) -> str:
    members = lane.members
    if roll < REPLY_SHARE + MENTION_SHARE and len(members) > 1:
        # Someone other than the author: shift by 1..len-1 places around the member list.
        target_pk, target_public_id = members[(author_index + 1 + int(rand() * (len(members) - 1))) % len(members)]
        batch.mentions.append((row[ID], row[CHANNEL], row[SEQ], MentionKind.USER.value, target_pk))
        return pools.mentions[int(rand() * len(pools.mentions))].replace(MENTION_MARK, f"<@{target_public_id}>")
    if roll < REPLY_SHARE + MENTION_SHARE + BROADCAST_SHARE and not lane.is_direct:
        text, kind = pools.broadcasts[int(rand() * len(pools.broadcasts))]
        batch.mentions.append((row[ID], row[CHANNEL], row[SEQ], kind, None))
        return text
    return pools.top_level[int(rand() * len(pools.top_level))]


def _add_reactions(batch: _Batch, row: list, members: list[tuple[int, str]], rand: Callable[[], float]) -> None:
    first = int(rand() * len(members))
    people = [members[first][0]]
    if len(members) > 1 and rand() < 0.3:
        people.append(members[(first + 1) % len(members)][0])
    for user_pk in people:
        emoji = chatter.EMOJI[int(rand() * len(chatter.EMOJI))]
        batch.reactions.append((row[ID], user_pk, emoji, row[MICROS] + 1_000_000))


def _save_counters(lanes: list[_Lane]) -> None:
    """The channels' counters, and each author's read marker past their own posts."""
    for lane in lanes:
        ts = f"{lane.last_us // 1_000_000}.{lane.last_us % 1_000_000:06d}"
        Channel.objects.filter(pk=lane.channel_id, last_seq__lt=lane.last_seq).update(
            last_seq=lane.last_seq, last_ts=ts
        )
        for user_pk, seq in lane.read_upto.items():
            ChannelMember.objects.filter(channel_id=lane.channel_id, user_id=user_pk, last_read_seq__lt=seq).update(
                last_read_seq=seq
            )


class _CopyWriter:
    """PostgreSQL: ids from the table's own sequence, rows through COPY FROM STDIN."""

    MESSAGE_COLUMNS = (
        "id, channel_id, seq, ts, author_id, text, thread_root_id, reply_broadcast, "
        "reply_count, latest_reply_ts, changed_at_seq, created_at"
    )

    def __init__(self) -> None:
        self._second_prefixes: dict[int, str] = {}

    def begin_batch(self) -> None:
        """Commit without waiting for the WAL flush: a crash can lose only whole batches, which a rerun reloads."""
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO off")

    def reserve_ids(self, count: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Message._meta.db_table, count],
            )
            return [row[0] for row in cursor.fetchall()]

    def _timestamp(self, micros: int) -> str:
        second = micros // 1_000_000
        prefix = self._second_prefixes.get(second)
        if prefix is None:
            if len(self._second_prefixes) > 100_000:
                self._second_prefixes.clear()
            prefix = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%d %H:%M:%S")
            self._second_prefixes[second] = prefix
        return f"{prefix}.{micros % 1_000_000:06d}+00"

    def write(self, batch: _Batch) -> None:
        null, stamp = "\\N", self._timestamp
        messages = (
            f"{r[ID]}\t{r[CHANNEL]}\t{r[SEQ]}\t{r[TS]}\t{r[AUTHOR]}\t{r[TEXT]}\t{r[ROOT] or null}\tf\t"
            f"{r[REPLY_COUNT]}\t{r[LATEST_REPLY]}\t{r[CHANGED] or null}\t{stamp(r[MICROS])}\n"
            for r in batch.messages
        )
        mentions = (f"{m}\t{c}\t{s}\t{k}\t{u or null}\n" for m, c, s, k, u in batch.mentions)
        reactions = (f"{m}\t{u}\t{e}\t{stamp(t)}\n" for m, u, e, t in batch.reactions)
        self._copy(Message._meta.db_table, self.MESSAGE_COLUMNS, messages)
        self._copy(Mention._meta.db_table, "message_id, channel_id, seq, kind, user_id", mentions)
        self._copy(Reaction._meta.db_table, "message_id, user_id, emoji, created_at", reactions)

    def _copy(self, table: str, columns: str, lines) -> None:
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            chunk: list[str] = []
            for line in lines:
                chunk.append(line)
                if len(chunk) >= 10_000:
                    copy.write("".join(chunk))
                    chunk.clear()
            if chunk:
                copy.write("".join(chunk))

    def analyze(self) -> None:
        """Fresh planner statistics, so benchmarks right after a load use the indexes they would in production."""
        with connection.cursor() as cursor:
            for model in (Message, Mention, Reaction):
                cursor.execute(f"ANALYZE {model._meta.db_table}")


class _OrmWriter:
    """Other databases (the embedded SQLite default): explicit ids after the highest, then bulk_create."""

    def begin_batch(self) -> None:
        """Nothing to tune: SQLite takes the write lock when the transaction begins."""

    def reserve_ids(self, count: int) -> list[int]:
        highest = Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        return list(range(highest + 1, highest + 1 + count))

    def write(self, batch: _Batch) -> None:
        def when(micros: int) -> datetime:
            return datetime.fromtimestamp(micros / 1_000_000, UTC)

        Message.objects.bulk_create(
            [
                Message(
                    id=r[ID],
                    channel_id=r[CHANNEL],
                    seq=r[SEQ],
                    ts=r[TS],
                    author_id=r[AUTHOR],
                    text=r[TEXT],
                    thread_root_id=r[ROOT],
                    reply_count=r[REPLY_COUNT],
                    latest_reply_ts=r[LATEST_REPLY],
                    changed_at_seq=r[CHANGED],
                    created_at=when(r[MICROS]),
                )
                for r in batch.messages
            ],
            batch_size=2_000,
        )
        Mention.objects.bulk_create(
            [Mention(message_id=m, channel_id=c, seq=s, kind=k, user_id=u) for m, c, s, k, u in batch.mentions],
            batch_size=2_000,
        )
        Reaction.objects.bulk_create(
            [Reaction(message_id=m, user_id=u, emoji=e, created_at=when(t)) for m, u, e, t in batch.reactions],
            batch_size=2_000,
        )

    def analyze(self) -> None:
        """SQLite plans well enough without fresh statistics."""
