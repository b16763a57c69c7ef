"""Bulk-loading message history into the demo workspace, through chat.services.bulk (docs/performance.md).

Its job is volume: benchmark data (millions of messages) and the demo's older history. Through
message_post (a row lock, about ten queries and a real-time event each) a million messages would
take hours, so the rows are written by chat.services.bulk.messages_bulk_insert, the write path for
history, which keeps message_post's invariants (seq, ts, counters, threads, mentions). Real messages
always go through message_post, and so do the demo's newest conversations (chat/seeding/story.py).

This module only makes the history up: which channel, who, what, when, and which replies and
reactions. Times are spread over the last 90 days (or since the channel's newest message) up to
the present, never beyond, and authors have read their own top-level messages, as posting does.

No real-time events are sent: nobody is watching a benchmark load, and clients catch up from the
database anyway.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from chat.models import Channel
from chat.seeding import chatter
from chat.seeding.demo import DEMO_SLUG, DemoWorkspace, demo_message_count
from chat.services.bulk import BulkMessage, analyze_message_tables, messages_bulk_insert
from chat.services.locking import lock_channel, ts_to_micros
from slackclone.errors import DomainError, ErrorCode
from slackclone.transactions import commit_without_waiting_for_flush

BATCH_SIZE = 50_000
SPAN_SECONDS = 90 * 24 * 3600  # New history is spread over the last 90 days, or since the newest message.
POOL_SIZE = 4_096
MENTION_MARK = "\x00"
REPLY_SHARE, MENTION_SHARE, BROADCAST_SHARE, REACTION_SHARE = 0.15, 0.08, 0.005, 0.10


@dataclass
class _Lane:
    """One channel's state while generating: its people, its clock and the roots replies can join."""

    channel: Channel
    members: list[tuple[int, str]]  # (user pk, public id)
    weight: int
    remaining: int = 1  # messages this run is still expected to add to the channel
    until_us: int = 0  # the present, as of the batch: new history is spread up to it, never beyond
    last_us: int = 0
    roots: deque[BulkMessage] = field(default_factory=lambda: deque(maxlen=8))
    rows: list[BulkMessage] = field(default_factory=list)


@dataclass(frozen=True)
class _Pools:
    """Pre-written texts, so generating a row costs a list index rather than string assembly."""

    top_level: list[str]
    replies: list[str]
    mentions: list[str]
    broadcasts: list[str]

    @classmethod
    def build(cls, rng: random.Random) -> _Pools:
        broadcasts = [chatter.broadcast_text(rng) for _ in range(64)]
        return cls(
            top_level=[chatter.top_level_text(rng) for _ in range(POOL_SIZE)],
            replies=[chatter.reply_text(rng) for _ in range(POOL_SIZE // 4)],
            mentions=[chatter.mention_text(rng, MENTION_MARK) for _ in range(POOL_SIZE // 4)],
            broadcasts=broadcasts,
        )


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
    done = 0
    while done < to_add:
        size = min(batch_size, to_add - done)
        with transaction.atomic():
            commit_without_waiting_for_flush()
            in_lock_order = _lock_and_refresh(lanes)
            _generate(lanes, size, rng, pools)
            for lane in in_lock_order:
                messages_bulk_insert(channel=lane.channel, rows=lane.rows, mark_read_by_authors=True)
        done += size
        if progress is not None:
            progress(size)
    analyze_message_tables()
    return to_add


def _plan_lanes(demo: DemoWorkspace, to_add: int) -> list[_Lane]:
    lanes = [
        _Lane(channel=dc.channel, members=[(user.pk, user.public_id) for user in dc.members], weight=dc.weight)
        for dc in demo.channels
        if not dc.channel.is_archived
    ]
    if not lanes:
        raise DomainError(ErrorCode.IS_ARCHIVED, "Every demo channel is archived; unarchive one first.")
    total_weight = sum(lane.weight for lane in lanes)
    for lane in lanes:
        lane.remaining = max(1, to_add * lane.weight // total_weight)
    return lanes


def _lock_and_refresh(lanes: list[_Lane]) -> list[_Lane]:
    """Lock the channels in primary-key order and continue from their counters; returns that order."""
    in_lock_order = sorted(lanes, key=lambda lane: lane.channel.pk)
    now_us = int(timezone.now().timestamp() * 1_000_000)
    for lane in in_lock_order:
        last_ts = lock_channel(lane.channel).last_ts
        lane.last_us = max(ts_to_micros(last_ts), lane.last_us, now_us - SPAN_SECONDS * 1_000_000)
        lane.until_us = now_us
        lane.roots.clear()
        lane.rows = []
    return in_lock_order


def _generate(lanes: list[_Lane], count: int, rng: random.Random, pools: _Pools) -> None:
    """Rows for one batch, into each lane's rows: channel by weight, then a top-level message, reply,
    mention or broadcast."""
    rand = rng.random
    cum_weights = [0] * len(lanes)
    running = 0
    for i, lane in enumerate(lanes):
        running += lane.weight
        cum_weights[i] = running
    for lane in rng.choices(lanes, cum_weights=cum_weights, k=count):
        lane.last_us += _step_us(lane, rand())
        members = lane.members
        author_index = int(rand() * len(members))
        row = BulkMessage(author_id=members[author_index][0], text="", at_us=lane.last_us)
        roll = rand()
        if lane.roots and roll < REPLY_SHARE:
            row.thread_root = lane.roots[int(rand() * len(lane.roots))]
            row.text = pools.replies[int(rand() * len(pools.replies))]
        else:
            row.text = _top_level_text(lane, author_index, roll, rand, pools)
            lane.roots.append(row)
        lane.rows.append(row)
        if rand() < REACTION_SHARE:
            _add_reactions(row, members, rand)


def _step_us(lane: _Lane, roll: float) -> int:
    """The time to the channel's next message: the gap left up to the present, shared among the messages
    still to come, with jitter. The steps never pass `until_us` by more than a microsecond per message
    beyond the expected count, so no history is dated in the future."""
    gap = lane.until_us - lane.last_us
    lane.remaining = max(0, lane.remaining - 1)
    if gap <= 0:
        return 1
    return 1 + int(roll * 2 * gap / (lane.remaining + 2))


def _top_level_text(lane: _Lane, author_index: int, roll: float, rand: Callable[[], float], pools: _Pools) -> str:
    """Mostly plain text; some mention someone else in the channel, a few broadcast (never in a DM)."""
    members = lane.members
    if roll < REPLY_SHARE + MENTION_SHARE and len(members) > 1:
        # Someone other than the author: shift by 1..len-1 places around the member list.
        target_public_id = members[(author_index + 1 + int(rand() * (len(members) - 1))) % len(members)][1]
        return pools.mentions[int(rand() * len(pools.mentions))].replace(MENTION_MARK, f"<@{target_public_id}>")
    if roll < REPLY_SHARE + MENTION_SHARE + BROADCAST_SHARE and not lane.channel.is_direct:
        return pools.broadcasts[int(rand() * len(pools.broadcasts))]
    return pools.top_level[int(rand() * len(pools.top_level))]


def _add_reactions(row: BulkMessage, members: list[tuple[int, str]], rand: Callable[[], float]) -> None:
    first = int(rand() * len(members))
    people = [members[first][0]]
    if len(members) > 1 and rand() < 0.3:
        people.append(members[(first + 1) % len(members)][0])
    for user_pk in people:
        emoji = chatter.EMOJI[int(rand() * len(chatter.EMOJI))]
        row.reactions.append((user_pk, emoji, row.at_us + 1_000_000))
