"""Row locks on a channel: the single point that orders everything written to it.

seq and ts are allocated here and nowhere else: one message at a time by message_post
(number_message), or a block of them by the bulk loader (allocate_seqs).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence

from django.db import connection
from django.db.models import F

from chat.models import Channel, ChannelMember, Message


def lock_channel(channel: Channel) -> Channel:
    """Lock the channel row until commit and refresh the caller's copy of its counters.

    Editing, reacting, pinning and the bulk loader take this lock, and posting takes the same row lock
    with the UPDATE of number_message, so `seq` is allocated without gaps or duplicates and
    `changed_at_seq` stamps are ordered with posts.
    """
    # FOR NO KEY UPDATE, the lock number_message's UPDATE takes: a post's message row, inserted before it numbers
    # it, holds the channel row for key share, which this does not wait for, so edits and reactions queue with
    # posts rather than behind every post in flight.
    locked = (
        Channel.objects.select_for_update(no_key=True)
        .only("id", "last_seq", "last_ts", "is_archived")
        .get(pk=channel.pk)
    )
    channel.last_seq = locked.last_seq
    channel.last_ts = locked.last_ts
    channel.is_archived = locked.is_archived
    return channel


def stamp_change(channel: Channel) -> int:
    """Count a change to a message of a channel the caller has locked; returns the seq to stamp it with.

    A change takes the channel's current seq (seqs stay gapless for messages) and bumps
    change_count, which tells the replay cache that a copy of the channel's messages is stale.
    """
    Channel.objects.filter(pk=channel.pk).update(change_count=F("change_count") + 1)
    return channel.last_seq


def ts_to_micros(ts: str) -> int:
    """A Slack ts ("seconds.micros") as microseconds since the epoch; "" (no message yet) is 0."""
    seconds, _, micros = ts.partition(".")
    return int(seconds or 0) * 1_000_000 + int(micros or 0)


def micros_to_ts(micros: int) -> str:
    """Microseconds since the epoch as a Slack ts, always with six decimals so ts strings sort by time."""
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def next_ts(last_ts: str) -> str:
    """A Slack ts ("seconds.micros") from the clock, but always above the channel's last one."""
    return micros_to_ts(max(time.time_ns() // 1000, ts_to_micros(last_ts) + 1 if last_ts else 0))


def allocate_seq(channel: Channel) -> tuple[int, str]:
    """Allocate the next (seq, ts) of a channel that the caller has locked with lock_channel."""
    return allocate_seqs(channel, (None,))[0]


def allocate_seqs(channel: Channel, wanted_micros: Sequence[int | None]) -> list[tuple[int, str]]:
    """Allocate the next len(wanted_micros) (seq, ts) of a channel the caller has locked, in that order.

    seq continues from the channel's last one without gaps. Each ts is the time wanted for it
    (microseconds since the epoch; None for the clock) unless that is not above the ts before it,
    in which case it is the next microsecond: ts always grows with seq, and history keeps its own
    times when they fit. The channel's counters are saved once, and the caller's copy moved on.
    """
    seq, last_us = channel.last_seq, ts_to_micros(channel.last_ts) if channel.last_ts else 0
    allocated: list[tuple[int, str]] = []
    for wanted in wanted_micros:
        at = time.time_ns() // 1000 if wanted is None else wanted
        last_us = at if at > last_us else last_us + 1
        seq += 1
        allocated.append((seq, micros_to_ts(last_us)))
    if allocated:
        channel.last_seq, channel.last_ts = allocated[-1]
        Channel.objects.filter(pk=channel.pk).update(last_seq=channel.last_seq, last_ts=channel.last_ts)
    return allocated


def provisional_number() -> tuple[int, str]:
    """A placeholder (seq, ts) for a message inserted before its channel is locked (number_message replaces it).

    Negative, so no numbered message has it; random, so posts to one channel inserted at the same time do
    not wait on each other's entries in the unique (channel, seq) and (channel, ts) indexes.
    """
    placeholder = secrets.randbits(62) + 1
    return -placeholder, f"-{placeholder}"


# Lock, allocate and number in one statement, so the channel's row lock is taken by the last round trip
# before the commit. ts is compared as a number: the clock's time, or one microsecond above the last ts.
_NUMBER_MESSAGE_SQL = """
WITH claimed AS (
    UPDATE {channel} SET last_seq = last_seq + 1, last_ts = (
        GREATEST(NULLIF(last_ts, '')::numeric(20, 6) + 0.000001, %(now)s::numeric(20, 6))::numeric(20, 6)::text
    )
    WHERE id = %(channel_id)s AND NOT is_archived
    RETURNING last_seq, last_ts
), numbered AS (
    UPDATE {message} SET seq = claimed.last_seq, ts = claimed.last_ts FROM claimed WHERE {message}.id = %(message_id)s
), marked AS (
    UPDATE {member} SET last_read_seq = claimed.last_seq FROM claimed
    WHERE channel_id = %(channel_id)s AND user_id = %(reader_id)s AND last_read_seq < claimed.last_seq
)
SELECT last_seq, last_ts FROM claimed
"""


def number_message(channel: Channel, message: Message, *, reader_id: int | None) -> bool:
    """Lock the channel row until commit and give `message`, inserted under a provisional_number, the
    channel's next seq and ts; the read marker of `reader_id` (if given) in the channel moves to that seq.

    False, and nothing written, when the channel is archived. On PostgreSQL this is one statement, the
    lock taken by it, so a busy channel's lock is held for that statement and the commit: everything
    else a post writes is written before it. The caller's channel and message are moved on.
    """
    if connection.vendor != "postgresql":
        return _number_message_in_steps(channel, message, reader_id=reader_id)
    sql = _NUMBER_MESSAGE_SQL.format(
        channel=Channel._meta.db_table, message=Message._meta.db_table, member=ChannelMember._meta.db_table
    )
    now = micros_to_ts(time.time_ns() // 1000)
    params: dict[str, str | int | None] = {
        "now": now,
        "channel_id": channel.pk,
        "message_id": message.pk,
        "reader_id": reader_id,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        channel.is_archived = True
        return False
    channel.last_seq, channel.last_ts = message.seq, message.ts = row
    return True


def _number_message_in_steps(channel: Channel, message: Message, *, reader_id: int | None) -> bool:
    """number_message for SQLite, whose writers take turns on the whole database."""
    if lock_channel(channel).is_archived:
        return False
    message.seq, message.ts = allocate_seq(channel)
    Message.objects.filter(pk=message.pk).update(seq=message.seq, ts=message.ts)
    if reader_id is not None:
        ChannelMember.objects.filter(channel=channel, user_id=reader_id, last_read_seq__lt=message.seq).update(
            last_read_seq=message.seq
        )
    return True


# Lock the channel, count the change and stamp the message in one statement, as _NUMBER_MESSAGE_SQL does for
# a post: the lock is taken by the last round trip before the commit.
_STAMP_MESSAGE_SQL = """
WITH claimed AS (
    UPDATE {channel} SET change_count = change_count + 1
    WHERE id = %(channel_id)s AND NOT is_archived
    RETURNING last_seq
), stamped AS (
    UPDATE {message} SET changed_at_seq = claimed.last_seq FROM claimed WHERE {message}.id = %(message_id)s
)
SELECT last_seq FROM claimed
"""


def stamp_message_change(channel: Channel, message: Message) -> bool:
    """Lock the channel row until commit and stamp `message` with the channel's current seq, counting the
    change (as stamp_change): for a reaction or a pin, written before this, the last statement before the commit.

    False, and nothing written, when the channel is archived. The caller's channel and message are moved on.
    """
    if connection.vendor != "postgresql":
        if lock_channel(channel).is_archived:
            return False
        message.changed_at_seq = stamp_change(channel)
        Message.objects.filter(pk=message.pk).update(changed_at_seq=message.changed_at_seq)
        return True
    sql = _STAMP_MESSAGE_SQL.format(channel=Channel._meta.db_table, message=Message._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"channel_id": channel.pk, "message_id": message.pk})
        row = cursor.fetchone()
    if row is None:
        channel.is_archived = True
        return False
    channel.last_seq = message.changed_at_seq = row[0]
    return True
