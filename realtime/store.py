"""Small shared state of the gateway: rate-limit buckets, typing throttles, presence and socket slots.

It lives in Redis (REDIS_URL) so every process sees the same numbers; the embedded default
(one process, no Redis) keeps it in memory with the same behaviour. Each operation is one
round trip (a Lua script where it must read and write atomically).
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Protocol

from django.conf import settings

from realtime import clock

if TYPE_CHECKING:
    import redis

KEY_PREFIX = "sc:rt:"
TRANSITION_BATCH = 500  # users per pipelined round trip when many come due at once

# Token bucket: returns 0 when a token was taken, else the milliseconds until one is free.
TAKE_TOKEN_LUA = """
local rate, burst, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 't', 'v')
local last = tonumber(state[1]) or now
local tokens = tonumber(state[2]) or burst
tokens = math.min(burst, tokens + (now - last) * rate)
local wait = 0
if tokens < 1 then
  wait = math.ceil((1 - tokens) / rate * 1000)
else
  tokens = tokens - 1
end
redis.call('HSET', KEYS[1], 't', now, 'v', tokens)
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
return wait
"""

# Presence of one user: KEYS = live connections (zset id -> expiry), last published (hash), due (zset);
# ARGV = now, throttle, user. Returns the state to announce, or nil when nothing changed or the
# change must wait (throttle). The connect and disconnect scripts run the same transition after
# their own change, so a socket's presence costs one round trip each way.
PRESENCE_TRANSITION_LUA = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local state = 'away'
if redis.call('ZCARD', KEYS[1]) > 0 then state = 'active' end
local last = redis.call('HMGET', KEYS[2], 's', 't')
local last_state = last[1] or 'away'
local last_at = tonumber(last[2]) or 0
if state == last_state then
  redis.call('ZREM', KEYS[3], user)
  return false
end
if now - last_at < throttle then
  redis.call('ZADD', KEYS[3], last_at + throttle, user)
  return false
end
redis.call('HSET', KEYS[2], 's', state, 't', now)
redis.call('EXPIRE', KEYS[2], 86400)
redis.call('ZREM', KEYS[3], user)
return state
"""
PRESENCE_LUA = "local now, throttle, user = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]\n" + PRESENCE_TRANSITION_LUA

# A socket opened (one round trip per connect): add its entry, then the transition.
# Extra KEYS: workspaces key, live zset. Extra ARGV: connection id, its expiry, workspaces, key ttl.
PRESENCE_CONNECT_LUA = (
    """
local now, throttle, user = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local conn, expires, workspaces, ttl = ARGV[4], tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[7])
redis.call('ZADD', KEYS[1], expires, conn)
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('SET', KEYS[4], workspaces, 'EX', 86400)
redis.call('ZADD', KEYS[5], 'GT', expires, user)
"""
    + PRESENCE_TRANSITION_LUA
)

# A socket closed: remove its entry, then the transition. Extra ARGV: connection id.
PRESENCE_DISCONNECT_LUA = (
    """
local now, throttle, user = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
redis.call('ZREM', KEYS[1], ARGV[4])
"""
    + PRESENCE_TRANSITION_LUA
)


# Admit one socket (one round trip per connect). KEYS = the user's slots (zset conn -> expiry), the
# token's slots (or an unused key), the user's connect bucket (hash). ARGV = now, conn, its expiry,
# user max, token max (0: no token or no limit), bucket rate per second and size (0: no limit).
# Returns 0 when admitted, 1 over the connect rate, 2 over the user's slots, 3 over the token's.
SOCKET_ADMIT_LUA = """
local now, conn, expires = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
local user_max, token_max = tonumber(ARGV[4]), tonumber(ARGV[5])
local rate, burst = tonumber(ARGV[6]), tonumber(ARGV[7])
local ttl = math.ceil(expires - now) + 60
if burst > 0 then
  local state = redis.call('HMGET', KEYS[3], 't', 'v')
  local last = tonumber(state[1]) or now
  local tokens = math.min(burst, (tonumber(state[2]) or burst) + math.max(0, now - last) * rate)
  if tokens < 1 then
    redis.call('HSET', KEYS[3], 't', now, 'v', tokens)
    redis.call('EXPIRE', KEYS[3], math.ceil(burst / rate) + 1)
    return 1
  end
  redis.call('HSET', KEYS[3], 't', now, 'v', tokens - 1)
  redis.call('EXPIRE', KEYS[3], math.ceil(burst / rate) + 1)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if user_max > 0 and redis.call('ZCARD', KEYS[1]) >= user_max then return 2 end
if token_max > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  if redis.call('ZCARD', KEYS[2]) >= token_max then return 3 end
end
redis.call('ZADD', KEYS[1], expires, conn)
redis.call('EXPIRE', KEYS[1], ttl)
if token_max > 0 then
  redis.call('ZADD', KEYS[2], expires, conn)
  redis.call('EXPIRE', KEYS[2], ttl)
end
return 0
"""
SOCKET_VERDICTS = ("", "ratelimited", "too_many_sockets", "too_many_token_sockets")


class Store(Protocol):
    """What the gateway needs from its store: RedisStore across processes, MemoryStore in one process."""

    async def take_token(self, key: str, *, rate: float, burst: int) -> float: ...
    async def claim(self, key: str, ttl: float) -> bool: ...
    async def claim_many(self, keys: list[str], ttl: float) -> list[bool]: ...
    async def presence_add(self, user: str, conn: str, expires: float, workspaces: list[str]) -> None: ...
    async def presence_remove(self, user: str, conn: str) -> None: ...
    async def presence_connect(
        self, user: str, conn: str, expires: float, workspaces: list[str], throttle: float
    ) -> str | None: ...
    async def presence_disconnect(self, user: str, conn: str, throttle: float) -> str | None: ...
    async def presence_refresh(self, entries: list[tuple[str, str]], expires: float) -> None: ...
    async def presence_due(self) -> list[str]: ...
    async def presence_transitions(self, users: list[str], throttle: float) -> dict[str, tuple[str, list[str]]]: ...
    async def presence_state(self, users: list[str]) -> dict[str, str]: ...
    async def socket_admit(
        self,
        user: str,
        conn: str,
        token: int | None,
        *,
        now: float,
        expires: float,
        user_max: int,
        token_max: int,
        per_minute: int,
    ) -> str: ...
    async def socket_release(self, user: str, conn: str, token: int | None) -> None: ...
    async def socket_refresh(
        self, entries: list[tuple[str, str, int | None]], *, now: float, expires: float
    ) -> None: ...
    async def close(self) -> None: ...


class RedisStore:
    """The shared store on Redis; one client (and pool) per event loop."""

    def __init__(self, url: str):
        from redis import asyncio as aioredis

        from realtime.redis_connection import pool_from_url

        # A blocking pool: a burst of connecting sockets waits for a free Redis connection instead of failing.
        pool = pool_from_url(
            url,
            aioredis.BlockingConnectionPool,
            max_connections=64,
            timeout=30,
            socket_connect_timeout=2,
            socket_timeout=5,
        )
        self.redis = aioredis.Redis(connection_pool=pool)
        self._take_token = self.redis.register_script(TAKE_TOKEN_LUA)
        self._presence = self.redis.register_script(PRESENCE_LUA)
        self._presence_connect = self.redis.register_script(PRESENCE_CONNECT_LUA)
        self._presence_disconnect = self.redis.register_script(PRESENCE_DISCONNECT_LUA)
        self._socket_admit = self.redis.register_script(SOCKET_ADMIT_LUA)

    async def take_token(self, key: str, *, rate: float, burst: int) -> float:
        wait_ms = await self._take_token(keys=[KEY_PREFIX + "rl:" + key], args=[rate, burst, clock.now()])
        return int(wait_ms) / 1000

    async def claim(self, key: str, ttl: float) -> bool:
        return bool(await self.redis.set(KEY_PREFIX + key, 1, nx=True, px=int(ttl * 1000)))

    async def claim_many(self, keys: list[str], ttl: float) -> list[bool]:
        """claim() for each key, in one round trip."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.set(KEY_PREFIX + key, 1, nx=True, px=int(ttl * 1000))
            return [bool(taken) for taken in await pipe.execute()]

    @staticmethod
    def _keys(user: str) -> list[str]:
        return [KEY_PREFIX + "p:c:" + user, KEY_PREFIX + "p:s:" + user, KEY_PREFIX + "p:due"]

    async def presence_add(self, user: str, conn: str, expires: float, workspaces: list[str]) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zadd(KEY_PREFIX + "p:c:" + user, {conn: expires})
            pipe.expire(KEY_PREFIX + "p:c:" + user, int(expires - clock.now()) + 60)
            pipe.set(KEY_PREFIX + "p:w:" + user, ",".join(workspaces), ex=86400)
            pipe.zadd(KEY_PREFIX + "p:live", {user: expires}, gt=True)
            await pipe.execute()

    async def presence_remove(self, user: str, conn: str) -> None:
        await self.redis.zrem(KEY_PREFIX + "p:c:" + user, conn)

    async def presence_connect(
        self, user: str, conn: str, expires: float, workspaces: list[str], throttle: float
    ) -> str | None:
        """presence_add, then the state transition, in one script: every socket does this on connect."""
        now = clock.now()
        keys = [*self._keys(user), KEY_PREFIX + "p:w:" + user, KEY_PREFIX + "p:live"]
        args: list[str | float] = [now, throttle, user, conn, expires, ",".join(workspaces), int(expires - now) + 60]
        state = await self._presence_connect(keys=keys, args=args)
        return state.decode() if state else None

    async def presence_disconnect(self, user: str, conn: str, throttle: float) -> str | None:
        """presence_remove, then the state transition, in one script."""
        state = await self._presence_disconnect(keys=self._keys(user), args=[clock.now(), throttle, user, conn])
        return state.decode() if state else None

    async def presence_refresh(self, entries: list[tuple[str, str]], expires: float) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            for user, conn in entries:
                pipe.zadd(KEY_PREFIX + "p:c:" + user, {conn: expires})
                pipe.expire(KEY_PREFIX + "p:c:" + user, int(expires - clock.now()) + 60)
                pipe.zadd(KEY_PREFIX + "p:live", {user: expires}, gt=True)
            await pipe.execute()

    async def presence_due(self) -> list[str]:
        """Users whose announcement waited out its throttle, or whose connections all expired."""
        now = clock.now()
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zrangebyscore(KEY_PREFIX + "p:due", "-inf", now)
            pipe.zremrangebyscore(KEY_PREFIX + "p:due", "-inf", now)
            pipe.zrangebyscore(KEY_PREFIX + "p:live", "-inf", now)
            pipe.zremrangebyscore(KEY_PREFIX + "p:live", "-inf", now)
            due, _, expired, _ = await pipe.execute()
        return sorted({u.decode() for u in due} | {u.decode() for u in expired})

    async def presence_transitions(self, users: list[str], throttle: float) -> dict[str, tuple[str, list[str]]]:
        """The state transition for many users, a pipeline per batch: after a process dies, every one
        of its users comes due at once, and a round trip each would stall this process's loop."""
        changed: dict[str, tuple[str, list[str]]] = {}
        for start in range(0, len(users), TRANSITION_BATCH):
            batch = users[start : start + TRANSITION_BATCH]
            async with self.redis.pipeline(transaction=False) as pipe:
                for user in batch:
                    await self._presence(keys=self._keys(user), args=[clock.now(), throttle, user], client=pipe)
                states = await pipe.execute()
            moved = [(user, state.decode()) for user, state in zip(batch, states, strict=True) if state]
            if moved:
                values = await self.redis.mget([KEY_PREFIX + "p:w:" + user for user, _ in moved])
                for (user, state), value in zip(moved, values, strict=True):
                    changed[user] = (state, [w for w in _text(value).split(",") if w])
        return changed

    async def presence_state(self, users: list[str]) -> dict[str, str]:
        now = clock.now()
        async with self.redis.pipeline(transaction=False) as pipe:
            for user in users:
                pipe.zcount(KEY_PREFIX + "p:c:" + user, now, "+inf")
            counts = await pipe.execute()
        return {user: "active" if count else "away" for user, count in zip(users, counts, strict=True)}

    @staticmethod
    def _slot_keys(user: str, token: int | None) -> list[str]:
        return [KEY_PREFIX + "s:u:" + user, KEY_PREFIX + "s:t:" + (str(token) if token is not None else "-")]

    async def socket_admit(
        self,
        user: str,
        conn: str,
        token: int | None,
        *,
        now: float,
        expires: float,
        user_max: int,
        token_max: int,
        per_minute: int,
    ) -> str:
        """Take a slot for the socket unless that breaks a limit; returns "" or why not (SOCKET_VERDICTS)."""
        keys = [*self._slot_keys(user, token), KEY_PREFIX + "rl:conn:" + user]
        token_max = token_max if token is not None else 0
        args: list[str | float] = [now, conn, expires, user_max, token_max, per_minute / 60, per_minute]
        return SOCKET_VERDICTS[int(await self._socket_admit(keys=keys, args=args))]

    async def socket_release(self, user: str, conn: str, token: int | None) -> None:
        user_key, token_key = self._slot_keys(user, token)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zrem(user_key, conn)
            if token is not None:
                pipe.zrem(token_key, conn)
            await pipe.execute()

    async def socket_refresh(self, entries: list[tuple[str, str, int | None]], *, now: float, expires: float) -> None:
        """Push back the expiry of live sockets' slots; a slot released meanwhile is not taken again (XX)."""
        ttl = math.ceil(expires - now) + 60
        async with self.redis.pipeline(transaction=False) as pipe:
            for user, conn, token in entries:
                for key in self._slot_keys(user, token)[: 1 if token is None else 2]:
                    pipe.zadd(key, {conn: expires}, xx=True)
                    pipe.expire(key, ttl)
            await pipe.execute()

    async def close(self) -> None:
        await self.redis.aclose(close_connection_pool=True)


_memory_stores: weakref.WeakSet[MemoryStore] = weakref.WeakSet()


class MemoryStore:
    """The same operations for one process without Redis (the embedded default)."""

    def __init__(self) -> None:
        _memory_stores.add(self)
        self.buckets: dict[str, tuple[float, float]] = {}
        self.claims: dict[str, float] = {}
        self.conns: dict[str, dict[str, float]] = {}
        self.published: dict[str, tuple[str, float]] = {}
        self.due: dict[str, float] = {}
        self.live: dict[str, float] = {}
        self.workspaces: dict[str, list[str]] = {}
        self.slots: dict[str, dict[str, float]] = {}  # "u:<user>" or "t:<token>" -> {conn: expiry}

    async def take_token(self, key: str, *, rate: float, burst: int) -> float:
        now = clock.now()
        last, tokens = self.buckets.get(key, (now, float(burst)))
        tokens = min(burst, tokens + (now - last) * rate)
        if tokens < 1:
            self.buckets[key] = (now, tokens)
            return math.ceil((1 - tokens) / rate * 1000) / 1000
        self.buckets[key] = (now, tokens - 1)
        return 0.0

    async def claim(self, key: str, ttl: float) -> bool:
        now = clock.now()
        if self.claims.get(key, 0) > now:
            return False
        self.claims[key] = now + ttl
        if len(self.claims) > 10_000:
            self.claims = {k: v for k, v in self.claims.items() if v > now}
        return True

    async def claim_many(self, keys: list[str], ttl: float) -> list[bool]:
        return [await self.claim(key, ttl) for key in keys]

    async def presence_add(self, user: str, conn: str, expires: float, workspaces: list[str]) -> None:
        self.conns.setdefault(user, {})[conn] = expires
        self.workspaces[user] = workspaces
        self.live[user] = max(self.live.get(user, 0), expires)

    async def presence_remove(self, user: str, conn: str) -> None:
        self.conns.get(user, {}).pop(conn, None)

    async def presence_connect(
        self, user: str, conn: str, expires: float, workspaces: list[str], throttle: float
    ) -> str | None:
        await self.presence_add(user, conn, expires, workspaces)
        return await self.presence_transition(user, throttle)

    async def presence_disconnect(self, user: str, conn: str, throttle: float) -> str | None:
        await self.presence_remove(user, conn)
        return await self.presence_transition(user, throttle)

    async def presence_refresh(self, entries: list[tuple[str, str]], expires: float) -> None:
        for user, conn in entries:
            self.conns.setdefault(user, {})[conn] = expires
            self.live[user] = max(self.live.get(user, 0), expires)

    async def presence_transition(self, user: str, throttle: float) -> str | None:
        now = clock.now()
        live = {c: e for c, e in self.conns.get(user, {}).items() if e > now}
        self.conns[user] = live
        state = "active" if live else "away"
        last_state, last_at = self.published.get(user, ("away", 0.0))
        if state == last_state:
            self.due.pop(user, None)
            return None
        if now - last_at < throttle:
            self.due[user] = last_at + throttle
            return None
        self.published[user] = (state, now)
        self.due.pop(user, None)
        return state

    async def presence_due(self) -> list[str]:
        now = clock.now()
        users = {u for u, at in self.due.items() if at <= now} | {u for u, at in self.live.items() if at <= now}
        for user in users:
            self.due.pop(user, None)
            if self.live.get(user, now + 1) <= now:
                del self.live[user]
        return sorted(users)

    async def presence_transitions(self, users: list[str], throttle: float) -> dict[str, tuple[str, list[str]]]:
        changed = {}
        for user in users:
            state = await self.presence_transition(user, throttle)
            if state is not None:
                changed[user] = (state, self.workspaces.get(user, []))
        return changed

    async def presence_state(self, users: list[str]) -> dict[str, str]:
        now = clock.now()
        return {u: "active" if any(e > now for e in self.conns.get(u, {}).values()) else "away" for u in users}

    def _live_slots(self, key: str, now: float) -> dict[str, float]:
        """The unexpired slots under `key` (kept only while there are some)."""
        slots = {conn: at for conn, at in self.slots.pop(key, {}).items() if at > now}
        if slots:
            self.slots[key] = slots
        return slots

    async def socket_admit(
        self,
        user: str,
        conn: str,
        token: int | None,
        *,
        now: float,
        expires: float,
        user_max: int,
        token_max: int,
        per_minute: int,
    ) -> str:
        if per_minute > 0:
            rate = per_minute / 60
            last, tokens = self.buckets.get("conn:" + user, (now, float(per_minute)))
            tokens = min(per_minute, tokens + max(0.0, now - last) * rate)
            if tokens < 1:
                self.buckets["conn:" + user] = (now, tokens)
                return "ratelimited"
            self.buckets["conn:" + user] = (now, tokens - 1)
        user_slots = self._live_slots(f"u:{user}", now)
        if user_max > 0 and len(user_slots) >= user_max:
            return "too_many_sockets"
        token_slots = self._live_slots(f"t:{token}", now) if token is not None and token_max > 0 else None
        if token_slots is not None and len(token_slots) >= token_max:
            return "too_many_token_sockets"
        self.slots[f"u:{user}"] = {**user_slots, conn: expires}
        if token_slots is not None:
            self.slots[f"t:{token}"] = {**token_slots, conn: expires}
        return ""

    async def socket_release(self, user: str, conn: str, token: int | None) -> None:
        for key in (f"u:{user}", f"t:{token}"):
            slots = self.slots.get(key)
            if slots is not None:
                slots.pop(conn, None)
                if not slots:
                    del self.slots[key]

    async def socket_refresh(self, entries: list[tuple[str, str, int | None]], *, now: float, expires: float) -> None:
        for user, conn, token in entries:
            for key in (f"u:{user}", f"t:{token}"):
                slots = self.slots.get(key)
                if slots is not None and conn in slots:
                    slots[conn] = expires

    async def close(self) -> None:
        return None


def new_store() -> Store:
    return RedisStore(settings.REDIS_URL) if settings.REDIS_URL else MemoryStore()


def _text(value: bytes | str | None) -> str:
    """A Redis reply as text (None as ""): this client leaves responses undecoded, so they come as bytes."""
    if isinstance(value, str):
        return value
    return (value or b"").decode()


@cache
def _sync_redis() -> redis.Redis:
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=5)


def online_user_ids(public_ids: Iterable[str]) -> set[str] | None:
    """Which of these users (public ids) have a live socket now, for synchronous code such as Celery tasks.

    Reads the same keys as RedisStore.presence_state, in one pipelined round trip per thousand
    users. In the embedded default presence lives in the server process's memory: read there
    (by the pages and eager tasks of that process), and None from any other process, which
    cannot know.
    """
    if not settings.REDIS_URL:
        return _memory_online(public_ids)
    users = list(dict.fromkeys(public_ids))
    now = clock.now()
    online: set[str] = set()
    for start in range(0, len(users), 1000):
        chunk = users[start : start + 1000]
        with _sync_redis().pipeline(transaction=False) as pipe:
            for user in chunk:
                pipe.zcount(KEY_PREFIX + "p:c:" + user, now, "+inf")
            counts = pipe.execute()
        online.update(user for user, count in zip(chunk, counts, strict=True) if count)
    return online


def _memory_online(public_ids: Iterable[str]) -> set[str] | None:
    stores = list(_memory_stores)
    if not stores:
        return None
    now = clock.now()
    return {
        user
        for user in public_ids
        if any(expires > now for store in stores for expires in list(store.conns.get(user, {}).values()))
    }
