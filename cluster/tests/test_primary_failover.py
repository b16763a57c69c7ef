"""The primary's PostgreSQL server is killed (SIGKILL to its postmaster) while bots post over the REST API
through nginx: Patroni promotes the synchronous standby within 15 s, the ASGI processes reconnect without
a restart, and every post the application acknowledged is stored exactly once.

Each poster retries a post with the same client_msg_id until it is acknowledged (any 5xx or a broken
connection means "not acknowledged"), as a client should; the service stores a client_msg_id once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
import urllib.request
import uuid
from dataclasses import dataclass, field

import psycopg
import pytest

from cluster import patroni, postgres
from cluster.tests.conftest import seed_population, stored_messages
from cluster.tests.http import arequest

pytestmark = pytest.mark.cluster

POSTERS = 4
SWITCH_BOUND_SECONDS = 15.0
# Posting goes on this long after the new primary is found, so writes are seen to resume on every process.
AFTER_SWITCH_SECONDS = 6.0
RETRY_SECONDS = 0.2
# History reads over HTTP authenticate on the primary, so they may fail while there is none; this long
# after the switch every one must answer.
READS_RECOVER_SECONDS = 2.0
# Each poster stays under API_WRITE_RATE (300 a minute per user), retries included.
PAUSE_SECONDS = 0.25


@dataclass
class Poster:
    token: str
    acknowledged: dict[str, float] = field(default_factory=dict)  # client_msg_id → when
    failures: int = 0


def test_a_killed_primary_is_replaced_within_15_s_and_no_acknowledged_post_is_lost_or_doubled(cluster):
    population = seed_population(cluster, members=POSTERS + 1)
    old_primary = patroni.wait_healthy(cluster)
    posters = [Poster(token) for token in population.tokens[:POSTERS]]
    http_reads: list[tuple[float, int]] = []
    reader = population.tokens[POSTERS]
    try:
        killed_at, switched_at, new_primary, standby_reads = asyncio.run(
            _kill_primary_under_load(cluster, population.channel, posters, old_primary, (reader, http_reads))
        )
    finally:
        patroni.wait_healthy(cluster, timeout=90)  # the old primary rejoins as the standby
    switch = switched_at - killed_at
    print(f"\nnew primary {new_primary} {switch:.2f} s after SIGKILL of {old_primary}'s postmaster")
    assert new_primary != old_primary
    assert switch <= SWITCH_BOUND_SECONDS

    after = [at for poster in posters for at in poster.acknowledged.values() if at > switched_at]
    assert len(after) >= POSTERS, f"writes did not resume after the switch ({len(after)} acknowledged)"
    _assert_every_acknowledged_post_stored_once(cluster, population.channel, posters)
    failed, answered = standby_reads
    assert answered > 0, "the standby answered no read"
    assert failed == 0, f"the standby's reads failed {failed} times ({answered} answered)"
    recovered = [status for at, status in http_reads if at >= switched_at + READS_RECOVER_SECONDS]
    failed_reads = sum(status != 200 for _, status in http_reads)
    print(f"{failed_reads} of {len(http_reads)} history reads failed during the switch")
    assert len(recovered) >= 3, "too few history reads after the switch"
    assert set(recovered) == {200}, f"history reads still fail after the switch: {recovered}"
    _assert_every_asgi_process_ready(cluster)


async def _kill_primary_under_load(layout, channel: str, posters: list[Poster], old_primary: str, reader):
    stop = asyncio.Event()
    tasks = [asyncio.ensure_future(_post_loop(layout, channel, poster, stop)) for poster in posters]
    tasks.append(asyncio.ensure_future(_read_history(layout, channel, *reader, stop)))
    reads = asyncio.ensure_future(asyncio.to_thread(_read_standby, layout, stop))
    await asyncio.sleep(3)
    pid = postgres.postmaster_pid(layout, old_primary)
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    new_primary = await asyncio.to_thread(_wait_new_primary, layout, old_primary, killed_at + 60)
    switched_at = time.monotonic()
    await asyncio.sleep(AFTER_SWITCH_SECONDS)
    stop.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 60)
    await _repeat_acknowledged_posts(layout, channel, posters, killed_at)
    return killed_at, switched_at, new_primary, await reads


async def _post_loop(layout, channel: str, poster: Poster, stop: asyncio.Event) -> None:
    """Post, retrying each client_msg_id until acknowledged; a post under way when asked to stop is finished."""
    number = 0
    deadline = time.monotonic() + 120
    while not stop.is_set():
        cmid, number = str(uuid.uuid4()), number + 1
        body = {"text": f"failover {number}", "client_msg_id": cmid}
        while time.monotonic() < deadline:
            status, _ = await arequest(layout, poster.token, "POST", f"/api/v1/channels/{channel}/messages", body)
            if status in (200, 201):
                poster.acknowledged[cmid] = time.monotonic()
                await asyncio.sleep(PAUSE_SECONDS)
                break
            assert status == 0 or status >= 500, f"a post was refused with {status}"
            poster.failures += 1
            await asyncio.sleep(RETRY_SECONDS)
        else:
            raise AssertionError(f"post {cmid} was never acknowledged")


async def _repeat_acknowledged_posts(layout, channel: str, posters: list[Poster], before: float) -> None:
    """Each poster sends its last post acknowledged before the kill again, as a client that never saw the
    answer would: the new primary has it, so the answer is that same message, not a new one."""
    for poster in posters:
        cmid = max((at, cmid) for cmid, at in poster.acknowledged.items() if at < before)[1]
        body = {"text": "again", "client_msg_id": cmid}
        status, message = await arequest(layout, poster.token, "POST", f"/api/v1/channels/{channel}/messages", body)
        assert status == 200, f"a repeated post answered {status}: {message}"


async def _read_history(layout, channel: str, token: str, reads: list, stop: asyncio.Event) -> None:
    """A reader paging through history over the REST API (served by the standby), every 0.1 s."""
    while not stop.is_set():
        started = time.monotonic()
        status, _ = await arequest(layout, token, "GET", f"/api/v1/channels/{channel}/messages?limit=20")
        reads.append((started, status))
        await asyncio.sleep(0.1)


def _wait_new_primary(layout, old_primary: str, deadline: float) -> str:
    """The member other than `old_primary` that Patroni's /primary check and PostgreSQL both call primary."""
    others = [member for member in layout.members if member != old_primary]
    while time.monotonic() < deadline:
        for member in others:
            if patroni.is_primary(layout, member) and not _in_recovery(layout, member):
                return member
        time.sleep(0.05)
    raise AssertionError(f"no new primary: {patroni.members(layout)}")


def _in_recovery(layout, member: str) -> bool:
    try:
        with psycopg.connect(layout.member_url(member), connect_timeout=1, autocommit=True) as connection:
            return connection.execute("SELECT pg_is_in_recovery()").fetchone()[0]
    except psycopg.OperationalError:
        return True


def _read_standby(layout, stop: asyncio.Event) -> tuple[int, int]:
    """Reads on the application's replica URL, one connection throughout: (failed, answered)."""
    failed = answered = 0
    with psycopg.connect(layout.replica_url, autocommit=True) as connection:
        while not stop.is_set():
            try:
                connection.execute("SELECT count(*) FROM chat_message").fetchone()
                answered += 1
            except psycopg.Error:
                failed += 1
            time.sleep(0.05)
    return failed, answered


def _assert_every_acknowledged_post_stored_once(layout, channel: str, posters: list[Poster]) -> None:
    stored = [cmid for _, cmid in stored_messages(layout, channel)]
    doubled = {cmid for cmid in stored if stored.count(cmid) > 1}
    assert not doubled, f"{len(doubled)} client_msg_ids stored more than once"
    acknowledged = {cmid for poster in posters for cmid in poster.acknowledged}
    lost = acknowledged - set(stored)
    retries = sum(poster.failures for poster in posters)
    print(f"{len(acknowledged)} posts acknowledged, {retries} attempts retried, {len(stored)} stored")
    assert not lost, f"{len(lost)} acknowledged posts lost"


def _assert_every_asgi_process_ready(layout) -> None:
    """Each ASGI process, asked directly, answers /readyz: it replaced its dead connections itself."""
    for port in layout.asgi_ports:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=10) as response:
            assert response.status == 200
