"""The channel layer on the real stack: channels-redis's RedisChannelLayer, with fewer Redis round trips.

Every event reaches an ASGI process as one message on the process's channel (realtime.hub), and
channels-redis spends four round trips receiving each one (put back what a cancelled read left in the
backup queue, wait for a message, copy it into the backup, take it out of the backup again) and four
sending each group message (expire old members, read the group, expire each member's old messages, add).
Each is a pure-Python exchange on the event loop that also writes to the sockets. Here:

- A process channel's reader (channel names with "!") fetches up to RECEIVE_BATCH waiting messages with
  one script, which also clears the previous fetch's backup; only an empty channel is waited on, with
  BZPOPMIN as channels-redis does.
- group_send expires and reads the group in one pipelined round trip, then adds the message to every
  member on a shard with one script (run by its SHA) that also drops that member's expired messages.

A fetch cut off by a cancelled receive loses and repeats nothing. It moves what it pops into the backup
queue and records its number beside it (a key of its own, "<backup>:fetch"); the next fetch clears the
backup when that number is the last fetch whose answer arrived in this process (its messages are held here,
in order), and otherwise first puts the backup back into the channel, as channels-redis's own clean-up does;
a fetch that reaches Redis after a later one does nothing. The wait on an empty channel keeps
channels-redis's own window: a receive cancelled just as Redis hands it a message loses that message.
Its connections (realtime.redis_connection) let a cancelled receive end at once.
Fetched messages wait in channels-redis's receive buffers, as a message one receiver reads for another
does there; like the sockets they are for, they end with the process. A message that cannot be decoded is
logged and skipped, and the rest of its batch delivered.
"""

from __future__ import annotations

import collections
import hashlib
import logging
import time
from typing import Any

from channels_redis.core import RedisChannelLayer
from channels_redis.core import logger as channels_redis_logger
from redis.exceptions import NoScriptError

from realtime.redis_connection import pool_from_url

logger = logging.getLogger(__name__)

RECEIVE_BATCH = 100

# KEYS: the channel, its backup queue, the number of the fetch the backup holds.
# ARGV: the last fetch whose answer arrived, this fetch's number, how many to pop, expiry in seconds.
# A fetch that reaches Redis after a later one (a cancelled call delivered late) does nothing; the same fetch
# run again (a client that retries) puts back what its first run popped and pops it anew.
FETCH_LUA = """
local stored = redis.call('GET', KEYS[3])
if stored and tonumber(stored) > tonumber(ARGV[2]) then
    return {}
end
if stored and stored ~= ARGV[1] then
    local backed_up = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
    for i = #backed_up, 1, -2 do
        redis.call('ZADD', KEYS[1], backed_up[i], backed_up[i - 1])
    end
end
redis.call('DEL', KEYS[2])
local popped = redis.call('ZPOPMIN', KEYS[1], ARGV[3])
for i = 1, #popped, 2 do
    redis.call('ZADD', KEYS[2], popped[i + 1], popped[i])
end
redis.call('EXPIRE', KEYS[2], ARGV[4])
redis.call('SET', KEYS[3], ARGV[2], 'EX', ARGV[4])
return popped
"""

# KEYS: the members' channels on one shard. ARGV: a message per channel, a capacity per channel, then
# the time (the score), the channels' expiry in seconds, and the score before which messages are expired.
GROUP_SEND_LUA = """
local count = #KEYS
local now, expiry, expired_before = ARGV[2 * count + 1], ARGV[2 * count + 2], ARGV[2 * count + 3]
local over_capacity = 0
for i = 1, count do
    redis.call('ZREMRANGEBYSCORE', KEYS[i], 0, expired_before)
    if redis.call('ZCOUNT', KEYS[i], '-inf', '+inf') < tonumber(ARGV[i + count]) then
        redis.call('ZADD', KEYS[i], now, ARGV[i])
        redis.call('EXPIRE', KEYS[i], expiry)
    else
        over_capacity = over_capacity + 1
    end
end
return over_capacity
"""


class _Script:
    """A Lua script run by its SHA, loaded by EVAL the first time a server does not know it."""

    def __init__(self, text: str):
        self.text = text
        self.sha = hashlib.sha1(text.encode()).hexdigest()  # Redis names scripts by SHA-1

    async def __call__(self, connection: Any, keys: list[str], args: list[Any]) -> Any:
        try:
            return await connection.evalsha(self.sha, len(keys), *keys, *args)
        except NoScriptError:
            return await connection.eval(self.text, len(keys), *keys, *args)


_FETCH = _Script(FETCH_LUA)
_GROUP_SEND = _Script(GROUP_SEND_LUA)


# channels-redis ships no type information.
class BatchedRedisChannelLayer(RedisChannelLayer):  # type: ignore[misc]
    """CHANNEL_LAYERS' backend when REDIS_URL is set. Its messages, groups and channels are channels-redis's,
    so processes on either layer exchange messages; each process channel has one key more, its fetch number."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._fetch_numbers: dict[str, int] = collections.defaultdict(int)
        self._arrived: dict[str, int] = collections.defaultdict(int)

    def create_pool(self, index: int) -> Any:
        """channels-redis's pool for a shard given by URL, with realtime.redis_connection's connections."""
        host = dict(self.hosts[index])
        if "address" not in host:
            return super().create_pool(index)
        return pool_from_url(host.pop("address"), **host)

    async def receive_single(self, channel: str) -> tuple[Any, dict[str, Any]]:
        """The next message of a process channel ("name!"), with every other message waiting on it.

        channels-redis's receive() calls this with its receive lock held (one call at a time per process
        channel) and puts the message returned in its channel's receive buffer. The messages fetched before
        it go to their channels' buffers here, in order, so that the next receive() of each finds its own
        waiting without another turn through the lock. Other channels are read as channels-redis reads them.
        """
        if "!" not in channel:
            plain: tuple[Any, dict[str, Any]] = await super().receive_single(channel)
            return plain
        assert self.require_valid_channel_name(channel, receive=True), "Channel name invalid"
        index, key = self.consistent_hash(channel), self.prefix + channel
        unpacked: list[tuple[Any, dict[str, Any]]] = []
        while not unpacked:
            unpacked = self._unpack(await self._fetch(index, key), channel)
        for to, message in unpacked[:-1]:
            for each in to if isinstance(to, list) else [to]:
                self.receive_buffer[each].put_nowait(message)
        return unpacked[-1]

    def _unpack(self, fetched: list[bytes], channel: str) -> list[tuple[Any, dict[str, Any]]]:
        """Each message with the channel(s) it is for; one that cannot be decoded is logged and left out."""
        unpacked = []
        for content in fetched:
            try:
                message = self.deserialize(content)
                to = message.pop("__asgi_channel__", channel)
            except Exception:
                logger.exception("Dropped a channel layer message that could not be decoded")
                continue
            unpacked.append((to, message))
        return unpacked

    async def _fetch(self, index: int, key: str) -> list[bytes]:
        """What waits on `key` (up to RECEIVE_BATCH messages); if nothing, one message once it comes."""
        connection = self.connection(index)
        self._fetch_numbers[key] += 1
        number = self._fetch_numbers[key]
        backup = self._backup_channel_name(key)
        popped = await _FETCH(
            connection,
            [key, backup, backup + ":fetch"],
            [self._arrived[key], number, min(RECEIVE_BATCH, self.capacity), int(self.expiry)],
        )
        self._arrived[key] = number  # nothing is awaited from here on: the answer and this line go together
        if popped:
            members: list[bytes] = popped[0::2]
            return members
        result = await connection.bzpopmin(key, timeout=self.brpop_timeout)
        return [result[1]] if result is not None else []

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        """Send `message` to every member of `group`: one round trip for the group, one per shard of members."""
        assert self.require_valid_group_name(group), "Group name not valid"
        key = self._group_key(group)
        pipe = self.connection(self.consistent_hash(group)).pipeline(transaction=False)
        pipe.zremrangebyscore(key, min=0, max=int(time.time()) - self.group_expiry)
        pipe.zrange(key, 0, -1)
        _, members = await pipe.execute()
        channel_names = [member.decode("utf8") for member in members]
        by_connection, messages, capacities = self._map_channel_keys_to_connection(channel_names, message)
        now = time.time()
        for index, channel_keys in by_connection.items():
            args = [messages[channel_key] for channel_key in channel_keys]
            args += [capacities[channel_key] for channel_key in channel_keys]
            args += [now, int(self.expiry), int(now) - int(self.expiry)]
            over_capacity = await _GROUP_SEND(self.connection(index), channel_keys, args)
            if over_capacity > 0:
                channels_redis_logger.info(
                    "%s of %s channels over capacity in group %s", over_capacity, len(channel_names), group
                )
