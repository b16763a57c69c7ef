"""The gateway's database calls run in a pool of their own, as many threads as GATEWAY_DATABASE_THREADS."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from django.conf import settings

from realtime.calls import in_thread

# DatabaseSyncToAsync checks each worker thread's database connection before and after the call.
pytestmark = pytest.mark.django_db(transaction=True)


def test_gateway_calls_run_in_its_own_pool_of_the_configured_size():
    seen: set[str] = set()
    lock = threading.Lock()

    def record() -> str:
        with lock:
            seen.add(threading.current_thread().name)
        time.sleep(0.02)  # hold the thread, so the calls need more than one
        return threading.current_thread().name

    call = in_thread(record)

    async def many() -> list[str]:
        return await asyncio.gather(*(call() for _ in range(4 * settings.GATEWAY_DATABASE_THREADS + 4)))

    names = asyncio.run(many())

    assert all(name.startswith("gateway-db") for name in names)
    assert min(2, settings.GATEWAY_DATABASE_THREADS) <= len(seen) <= settings.GATEWAY_DATABASE_THREADS
