"""Presence: from live sockets in any process, kept in Redis with expiry, announced (throttled) to workspaces."""

import time

import pytest
from django.conf import settings

from realtime import hub as hub_module
from realtime import presence
from realtime.store import RedisStore

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


def presence_of(user):
    """A presence_change naming the user, alone ("user") or in a batch ("users")."""
    return lambda frame: (
        frame.get("type") == "presence_change"
        and user.public_id in ([frame["user"]] if "user" in frame else frame.get("users", []))
    )


async def test_a_user_is_active_while_any_tab_is_open(team, sockets):
    watcher = await sockets.session(team.owner)
    first_tab = await sockets.session(team.member)
    event = (await watcher.recv_until(presence_of(team.member), presence=True))[-1]
    assert event["presence"] == "active"
    second_tab = await sockets.session(team.member)
    await first_tab.close()
    await watcher.nothing(0.5)  # one tab closed, the other still open: no change
    await second_tab.close()
    event = (await watcher.recv_until(presence_of(team.member), presence=True))[-1]
    assert event["presence"] == "away"


async def test_presence_lives_in_redis_and_expires_without_heartbeats(team, sockets, wall_clock):
    store = RedisStore(settings.REDIS_URL)
    try:
        await store.presence_add("UEXPIRING1", "conn1", wall_clock.now() + 30, [team.workspace.public_id])
        assert await store.presence_state(["UEXPIRING1"]) == {"UEXPIRING1": "active"}
        wall_clock.advance(29)
        assert await store.presence_state(["UEXPIRING1"]) == {"UEXPIRING1": "active"}
        wall_clock.advance(2)
        assert await store.presence_state(["UEXPIRING1"]) == {"UEXPIRING1": "away"}
    finally:
        await store.close()


async def test_a_process_that_stops_heartbeating_takes_its_users_presence_with_it(
    team, sockets, monkeypatch, wall_clock
):
    """A crashed process never says goodbye: its entries expire and another process announces away."""
    monkeypatch.setattr(hub_module, "TICK_SECONDS", 0.1)
    watcher = await sockets.session(team.owner)
    store = RedisStore(settings.REDIS_URL)
    try:
        # The crashed process's last heartbeat promised 5 s more.
        crashed_until = wall_clock.now() + 5
        await store.presence_add(team.member.public_id, "crashed", crashed_until, [team.workspace.public_id])
        crashed = presence.Presence(type("Hub", (), {"store": store})())
        await crashed.announce(team.member.public_id)
        await crashed.flush()
        assert (await watcher.recv_until(presence_of(team.member), presence=True))[-1]["presence"] == "active"
        wall_clock.advance(6)
        event = (await watcher.recv_until(presence_of(team.member), presence=True, timeout=5))[-1]
        assert event["presence"] == "away"
    finally:
        await store.close()


async def test_presence_changes_are_throttled_to_the_state_they_settle_in(team, sockets, monkeypatch, wall_clock):
    monkeypatch.setattr(presence, "THROTTLE_SECONDS", 10.0)
    monkeypatch.setattr(hub_module, "TICK_SECONDS", 0.1)
    watcher = await sockets.session(team.owner)
    tab = await sockets.session(team.member)
    assert (await watcher.recv_until(presence_of(team.member), presence=True))[-1]["presence"] == "active"
    for _ in range(3):  # flapping: close and reopen within the throttle window
        await tab.close()
        tab = await sockets.session(team.member)
    await tab.close()
    # The hub ticks every 0.1 s meanwhile, but the clock stands still inside the throttle window.
    assert not [f for f in await watcher.drain(0.5) if presence_of(team.member)(f)], "held back"
    wall_clock.advance(10)
    event = (await watcher.recv_until(presence_of(team.member), presence=True, timeout=5))[-1]
    assert event["presence"] == "away"
    assert not [f for f in await watcher.drain(0.5) if presence_of(team.member)(f)], "announced once"


async def test_presence_changes_wait_for_the_next_batch(team, sockets, monkeypatch, settings):
    monkeypatch.setattr(hub_module, "TICK_SECONDS", 0.1)
    watcher = await sockets.session(team.owner)
    settings.PRESENCE_BATCH_SECONDS = 3600
    tab = await sockets.session(team.member)
    # The hub ticks every 0.1 s meanwhile, but the batch is not due.
    assert not [f for f in await watcher.drain(0.5) if presence_of(team.member)(f)], "held for the batch"
    settings.PRESENCE_BATCH_SECONDS = 0
    event = (await watcher.recv_until(presence_of(team.member), presence=True, timeout=5))[-1]
    assert event["presence"] == "active"
    await tab.close()


async def test_online_users_come_from_this_process_memory_in_the_embedded_default(settings):
    """Without Redis the server process's own store knows who is online (pages and eager tasks read it)."""
    from realtime import store as store_module

    settings.REDIS_URL = ""
    memory = store_module.MemoryStore()
    await memory.presence_add("UONLINE1", "conn1", time.time() + 60, [])
    await memory.presence_add("UGONE1", "conn2", time.time() - 1, [])
    assert store_module.online_user_ids(["UONLINE1", "UGONE1", "UNEVER1"]) == {"UONLINE1"}


async def test_many_users_coming_due_at_once_are_announced_in_batches(team):
    """A dead process's users all come due together: every one is announced, a batch per round trip."""
    store = RedisStore(settings.REDIS_URL)
    users = [f"UBATCH{n:05d}" for n in range(1_200)]  # more than two batches
    try:
        for user in users:
            await store.presence_add(user, "conn", time.time() + 60, [team.workspace.public_id])
        changed = await store.presence_transitions(users, throttle=0.0)
        assert set(changed) == set(users)
        assert all(change == ("active", [team.workspace.public_id]) for change in changed.values())
        assert await store.presence_transitions(users, throttle=0.0) == {}, "no change, nothing to announce"
    finally:
        await store.redis.delete(*[f"sc:rt:p:{kind}:{user}" for user in users for kind in "cws"])
        await store.close()
