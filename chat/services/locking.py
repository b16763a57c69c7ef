"""Row locks on a channel: the single point that orders everything written to it.

seq and ts are allocated here and nowhere else: one message at a time by message_post
(allocate_seq), or a block of them by the bulk loader (allocate_seqs).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from django.db.models import F

from chat.models import Channel


def lock_channel(channel: Channel) -> Channel:
    """Lock the channel row until commit and refresh the caller's copy of its counters.

    Posting, editing, reacting and pinning all take this lock, so `seq` is allocated
    without gaps or duplicates and `changed_at_seq` stamps are ordered with posts.
    """
    locked = Channel.objects.select_for_update().only("id", "last_seq", "last_ts", "is_archived").get(pk=channel.pk)
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
