"""Fixtures for the notifications tests: presence in the gateway's real Redis store, and a clock to pass as `now`."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings

from accounts.models import User
from notifications.tests.push_service import PushService
from realtime.store import RedisStore

# A fixed moment, a Wednesday at noon UTC: tests pass it (and moments after it) as `now`.
NOON = datetime(2031, 5, 14, 12, 0, tzinfo=UTC)


@pytest.fixture
def online() -> Iterator[Callable[..., None]]:
    """`online(user, ...)`: give users a live socket entry in the real presence store, as the gateway does."""
    entries: list[tuple[str, str]] = []

    async def add(user_id: str, conn: str) -> None:
        store = RedisStore(settings.REDIS_URL)
        try:
            await store.presence_add(user_id, conn, datetime.now(UTC).timestamp() + 300, [])
        finally:
            await store.close()

    async def remove_all() -> None:
        store = RedisStore(settings.REDIS_URL)
        try:
            for user_id, conn in entries:
                await store.presence_remove(user_id, conn)
        finally:
            await store.close()

    def mark(*users: User) -> None:
        for user in users:
            conn = f"test-{uuid.uuid4().hex}"
            async_to_sync(add)(user.public_id, conn)
            entries.append((user.public_id, conn))

    yield mark
    async_to_sync(remove_all)()


@pytest.fixture
def push_service() -> Iterator[PushService]:
    """A push service on loopback (OUTGOING_ALLOWED_NETWORKS lets the tests reach it)."""
    with PushService() as service:
        yield service
