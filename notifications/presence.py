"""Who is online, as the real-time gateway sees it: a person with a live socket in any server process.

The gateway keeps presence in Redis with heartbeat expiry (realtime.presence); this reads
the same keys synchronously, for tasks. None means presence cannot be known from this process
(the embedded default keeps it in the one server's memory): callers then treat @here like
@channel and every recipient as away, so nobody misses a message.
"""

from __future__ import annotations

from collections.abc import Iterable

from realtime.store import online_user_ids


def online_among(public_ids: Iterable[str]) -> set[str] | None:
    """The public ids among these that have a live socket now, or None when presence is unknown."""
    return online_user_ids(public_ids)
