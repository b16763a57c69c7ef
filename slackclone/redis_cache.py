"""Django's Redis cache backend, with one connection pool and one client per process instead of one per request.

Django keeps cache backends in an asgiref Local that is not thread-critical, so under ASGI each request
(each asyncio task's context) builds its own RedisCache, and with it a new connection pool: every
request that rate-limits, pins a reader to the primary or reads a cached value opened, and later
dropped, a TCP connection to Redis (and redis-py introduces each new connection with a CLIENT SETINFO
round trip). Here the pool is shared by every backend instance of the process with the same server
and options; redis-py's pool is thread-safe and starts afresh in a forked child.

Django's client also builds a new redis.Redis for every cache call (get_client), and building one copies
redis-py's table of reply parsers, a few hundred entries, each time: a rate-limited write pays it twice. A
redis.Redis only holds its pool and that table, and redis-py documents it as safe to share between
threads, so one is kept per pool.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

_pools: dict[tuple[str, str], Any] = {}
_clients: dict[int, Any] = {}  # by id() of a pool in _pools, which lives as long as the process
_pools_lock = threading.Lock()


class SharedPoolRedisCacheClient(RedisCacheClient):
    # Set by RedisCacheClient itself; django-stubs does not declare them.
    _servers: list[str]
    _pool_class: Any
    _pool_options: dict[str, Any]
    _client: Any
    _get_connection_pool_index: Callable[[bool], int]

    def _get_connection_pool(self, write: bool) -> Any:
        index = self._get_connection_pool_index(write)
        key = (self._servers[index], repr(sorted(self._pool_options.items())))
        pool = _pools.get(key)
        if pool is None:
            with _pools_lock:
                pool = _pools.get(key)
                if pool is None:
                    pool = _pools[key] = self._pool_class.from_url(self._servers[index], **self._pool_options)
        return pool

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = _clients.get(id(pool))
        if client is None:
            with _pools_lock:
                client = _clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class SharedPoolRedisCache(RedisCache):
    """CACHES["default"]["BACKEND"] when REDIS_URL is set: Django's RedisCache on the process's pool."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedPoolRedisCacheClient
