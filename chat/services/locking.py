"""Row locks on a channel: the single point that orders everything written to it."""

from __future__ import annotations

import time

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


def next_ts(last_ts: str) -> str:
    """A Slack ts ("seconds.micros") from the clock, but always above the channel's last one."""
    now_micros = time.time_ns() // 1000
    if last_ts:
        seconds, _, micros = last_ts.partition(".")
        now_micros = max(now_micros, int(seconds) * 1_000_000 + int(micros or 0) + 1)
    return f"{now_micros // 1_000_000}.{now_micros % 1_000_000:06d}"


def allocate_seq(channel: Channel) -> tuple[int, str]:
    """Allocate the next (seq, ts) of a channel that the caller has locked with lock_channel."""
    seq = channel.last_seq + 1
    ts = next_ts(channel.last_ts)
    Channel.objects.filter(pk=channel.pk).update(last_seq=seq, last_ts=ts)
    channel.last_seq, channel.last_ts = seq, ts
    return seq, ts
