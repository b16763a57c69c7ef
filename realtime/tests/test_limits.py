"""How many sockets a person and an API token may hold, and how fast a person may open them.

The counts live in the shared store (Redis on the real stack), so they hold across processes;
each socket's entry expires unless its process's heartbeat refreshes it, so a process that dies
frees its sockets' places after SLOT_TTL_SECONDS. A socket over a limit is accepted and closed at
once with 4029 and a reason, and sent nothing.
"""

import uuid

import pytest
from django.conf import settings
from django.test import override_settings

from realtime import clock as realtime_clock
from realtime import limits
from realtime.store import MemoryStore, RedisStore
from realtime.tests.conftest import run, token_for

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


async def _closed_with(socket) -> tuple[int, str]:
    await socket.connect(expect_hello=False)
    output = await socket.recv_raw()
    assert output["type"] == "websocket.close", f"expected a close, got {output}"
    return output["code"], output.get("reason", "")


@override_settings(SOCKETS_PER_USER_MAX=3)
async def test_a_person_cannot_hold_more_sockets_than_the_limit(team, sockets):
    tabs = [await sockets.session(team.member) for _ in range(2)]
    await sockets.token(team.member, team.workspace)  # a token's sockets count toward its person's
    assert await _closed_with(sockets.raw(await _session_headers(team.member))) == (4029, "too_many_sockets")
    await sockets.session(team.owner)  # someone else is not affected
    await tabs[0].close()
    await sockets.session(team.member)  # a closed socket frees its place


@override_settings(SOCKETS_PER_TOKEN_MAX=2)
async def test_an_api_token_cannot_hold_more_sockets_than_the_limit(team, sockets):
    raw = await run(token_for, team.member, team.workspace)
    headers = [(b"authorization", f"Bearer {raw}".encode())]
    for _ in range(2):
        await sockets.raw(headers).connect()
    assert await _closed_with(sockets.raw(headers)) == (4029, "too_many_token_sockets")
    await sockets.token(team.member, team.workspace)  # another token of the same person
    await sockets.session(team.member)


@override_settings(SOCKET_CONNECTS_PER_MINUTE=3)
async def test_a_person_cannot_open_sockets_faster_than_the_connect_rate(team, sockets):
    for _ in range(3):
        socket = await sockets.session(team.member)
        await socket.close()
    assert await _closed_with(sockets.raw(await _session_headers(team.member))) == (4029, "ratelimited")
    await sockets.session(team.owner)


async def _session_headers(user):
    from realtime.tests.conftest import ORIGIN, session_cookie

    cookie = await run(session_cookie, user)
    return [(b"cookie", cookie.encode()), (b"origin", ORIGIN.encode())]


# --- The store, with time injected ------------------------------------------------------


@pytest.fixture(params=["redis", "memory"])
async def store(request):
    store = RedisStore(settings.REDIS_URL) if request.param == "redis" else MemoryStore()
    yield store
    await store.close()


def _limits(user_max=2, token_max=0, per_minute=0):
    return {"user_max": user_max, "token_max": token_max, "per_minute": per_minute}


async def test_a_slot_is_held_until_released(store):
    user, t0 = f"U{uuid.uuid4().hex[:10]}", 1_000_000.0
    admit = store.socket_admit
    assert await admit(user, "a", None, now=t0, expires=t0 + 90, **_limits()) == ""
    assert await admit(user, "b", None, now=t0, expires=t0 + 90, **_limits()) == ""
    assert await admit(user, "c", None, now=t0, expires=t0 + 90, **_limits()) == "too_many_sockets"
    await store.socket_release(user, "a", None)
    assert await admit(user, "c", None, now=t0, expires=t0 + 90, **_limits()) == ""


async def test_the_slots_of_a_process_that_died_expire_and_live_ones_are_refreshed(store):
    user, t0 = f"U{uuid.uuid4().hex[:10]}", 1_000_000.0
    await store.socket_admit(user, "dead", None, now=t0, expires=t0 + 90, **_limits())
    await store.socket_admit(user, "live", None, now=t0, expires=t0 + 90, **_limits())
    await store.socket_refresh([(user, "live", None)], now=t0 + 60, expires=t0 + 150)  # its process's heartbeat
    await store.socket_refresh([(user, "gone", None)], now=t0 + 60, expires=t0 + 150)  # released: not re-added
    assert await store.socket_admit(user, "new", None, now=t0 + 60, expires=t0 + 150, **_limits()) == (
        "too_many_sockets"
    )
    assert await store.socket_admit(user, "new", None, now=t0 + 91, expires=t0 + 181, **_limits()) == ""
    assert await store.socket_admit(user, "more", None, now=t0 + 91, expires=t0 + 181, **_limits()) == (
        "too_many_sockets"
    )


async def test_a_tokens_slots_are_counted_apart(store):
    user, token, t0 = f"U{uuid.uuid4().hex[:10]}", uuid.uuid4().int % 10**9, 1_000_000.0
    rules = _limits(user_max=5, token_max=1)
    assert await store.socket_admit(user, "a", token, now=t0, expires=t0 + 90, **rules) == ""
    assert await store.socket_admit(user, "b", token, now=t0, expires=t0 + 90, **rules) == "too_many_token_sockets"
    assert await store.socket_admit(user, "b", token + 1, now=t0, expires=t0 + 90, **rules) == ""
    await store.socket_release(user, "a", token)
    assert await store.socket_admit(user, "c", token, now=t0, expires=t0 + 90, **rules) == ""


async def test_the_connect_rate_refills_over_the_minute(store):
    user, t0 = f"U{uuid.uuid4().hex[:10]}", 1_000_000.0
    rules = _limits(user_max=100, per_minute=6)  # one more every 10 s, six at once
    results = [await store.socket_admit(user, f"c{n}", None, now=t0, expires=t0 + 90, **rules) for n in range(7)]
    assert results == [""] * 6 + ["ratelimited"]
    assert await store.socket_admit(user, "x", None, now=t0 + 9, expires=t0 + 99, **rules) == "ratelimited"
    assert await store.socket_admit(user, "x", None, now=t0 + 10, expires=t0 + 100, **rules) == ""


async def test_zero_means_no_limit(store):
    user, t0 = f"U{uuid.uuid4().hex[:10]}", 1_000_000.0
    rules = _limits(user_max=0, token_max=0, per_minute=0)
    for n in range(60):
        assert await store.socket_admit(user, f"c{n}", 7, now=t0, expires=t0 + 90, **rules) == ""


def test_the_default_connect_rate_covers_every_tab_reconnecting_twice():
    """A restart of two processes one after the other can move a tab twice within the minute."""
    assert settings.SOCKET_CONNECTS_PER_MINUTE >= 2 * settings.SOCKETS_PER_USER_MAX
    assert limits.HEARTBEAT_SECONDS * 2 < limits.SLOT_TTL_SECONDS


class Clock:
    """Stands in for the time module in realtime.limits (its heartbeat) and for realtime.clock (slot expiry)."""

    def __init__(self, now: float):
        self.now = now

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now


async def test_the_heartbeat_keeps_the_slots_of_the_processes_open_sockets(monkeypatch):
    from types import SimpleNamespace

    clock = Clock(1_000_000.0)
    monkeypatch.setattr(limits, "time", clock)
    monkeypatch.setattr(realtime_clock, "now", clock.time)
    hub = SimpleNamespace(store=MemoryStore(), connections=[])
    socket_limits = limits.SocketLimits(hub)
    open_socket = SimpleNamespace(user_id="UHEARTBEAT1", id="open", token_id=5)
    closed_socket = SimpleNamespace(user_id="UHEARTBEAT1", id="closed", token_id=None)
    assert await socket_limits.admit(open_socket) == ""
    assert await socket_limits.admit(closed_socket) == ""
    hub.connections.append(open_socket)
    await socket_limits.release(closed_socket)

    clock.now += limits.HEARTBEAT_SECONDS
    await socket_limits.tick()
    expires = clock.now + limits.SLOT_TTL_SECONDS
    assert hub.store.slots == {"u:UHEARTBEAT1": {"open": expires}, "t:5": {"open": expires}}
