"""The Redis cache backend's one pool per process (slackclone.redis_cache).

Under ASGI every request runs in a context of its own, where Django builds a new cache backend: with
Django's own RedisCache each of those opened a new Redis connection.
"""

from __future__ import annotations

import asyncio
import contextvars

import pytest
from asgiref.sync import sync_to_async
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from slackclone.redis_cache import SharedPoolRedisCache

pytestmark = pytest.mark.skipif(
    not isinstance(caches["default"], RedisCache), reason="the embedded default has no Redis cache"
)


def _request_like_cache_use() -> tuple[object, object]:
    cache = caches["default"]
    cache.set("shared-pool-probe", 1, timeout=5)
    assert cache.get("shared-pool-probe") == 1
    pool = cache._cache._get_connection_pool(write=True)  # type: ignore[attr-defined]
    return cache, pool  # both kept alive, so no id is reused


def _clients_of_request_like_cache_use() -> list[object]:
    cache = caches["default"]._cache  # type: ignore[attr-defined]
    return [cache.get_client("probe"), cache.get_client("probe", write=True)]


def _in_own_contexts(count: int) -> list[tuple[object, object]]:
    async def one_request() -> tuple[object, object]:
        return await sync_to_async(_request_like_cache_use, thread_sensitive=False)()

    async def requests() -> list[tuple[object, object]]:
        # One task each, as the ASGI server gives every request, each in a context where no cache is set yet.
        loop = asyncio.get_running_loop()
        return [await loop.create_task(one_request(), context=contextvars.Context()) for _ in range(count)]

    return asyncio.run(requests())


def test_requests_in_contexts_of_their_own_share_one_pool_and_one_connection():
    uses = _in_own_contexts(20)

    assert len({id(backend) for backend, _ in uses}) == 20  # Django made a backend per request, as it does
    assert len({id(pool) for _, pool in uses}) == 1
    pool = uses[0][1]
    assert len(pool._available_connections) + len(pool._in_use_connections) == 1  # type: ignore[attr-defined]
    assert isinstance(caches["default"], SharedPoolRedisCache)


def test_every_cache_call_of_every_request_uses_one_redis_client():
    async def requests() -> list[object]:
        loop = asyncio.get_running_loop()
        clients: list[object] = []
        for _ in range(5):
            one = sync_to_async(_clients_of_request_like_cache_use, thread_sensitive=False)
            clients += await loop.create_task(one(), context=contextvars.Context())
        return clients

    clients = asyncio.run(requests())

    assert len(clients) == 10
    assert len({id(client) for client in clients}) == 1
