"""The wall clock the gateway's shared state keeps time by.

Presence entries, socket slots, throttles, rate buckets and rtm.connect tickets expire by it. It is
the wall clock, not a monotonic one, because these times are stored in Redis and compared by every
process. Everything reads it through `now()` at the moment it needs it, so a test stops or moves
time (realtime/tests/conftest.py's `wall_clock`) instead of sleeping. Intervals that only one
process measures (heartbeats, strikes, the hub's upkeep) use time.monotonic() instead.
"""

from __future__ import annotations

import time


def now() -> float:
    """Seconds since the epoch."""
    return time.time()
