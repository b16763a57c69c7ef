"""A process's recently built replays, shared by the sockets that resume from the same point.

After a server restart or a network blip, hundreds of members of a channel reconnect within
seconds and resume from the same seq. A replay bounded by the channel's last_seq depends only
on (channel, seen, last_seq, change_count), so it is built once per process and reused for a
few seconds: a storm costs one history query per channel, not one per socket. Every post moves
last_seq and every edit, deletion, reaction or pin moves change_count (both under the channel's
row lock), so a copy that anything has touched since is never looked up again. Entries are
immutable and small (at most REPLAY_LIMIT serialised events) and the table is bounded.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

REPLAY_CACHE_SECONDS = 5.0
REPLAY_CACHE_ENTRIES = 128

ReplayKey = tuple[int, int, int, int]  # (channel pk, seen seq, channel last_seq, channel change_count)


@dataclass(frozen=True, slots=True)
class CachedReplay:
    events: tuple[str, ...]
    last_seq: int
    has_more: bool


class ReplayCache:
    """A small LRU with expiry; the gateway's worker threads share it, hence the lock."""

    def __init__(self, *, seconds: float = REPLAY_CACHE_SECONDS, entries: int = REPLAY_CACHE_ENTRIES) -> None:
        self.seconds = seconds
        self.entries = entries
        self._items: OrderedDict[ReplayKey, tuple[float, CachedReplay]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: ReplayKey) -> CachedReplay | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0] < time.monotonic():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: ReplayKey, replay: CachedReplay) -> None:
        now = time.monotonic()
        with self._lock:
            self._items[key] = (now + self.seconds, replay)
            self._items.move_to_end(key)
            # Least recently used first: drop what has expired there, then anything over the bound,
            # so a quiet process does not keep a storm's replays.
            while self._items and (len(self._items) > self.entries or next(iter(self._items.values()))[0] < now):
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


recent_replays = ReplayCache()
