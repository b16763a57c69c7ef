"""The synchronous standby stops (its Patroni, which stops its server) while 200 clients post and a reader
pages through history over the REST API: reads move to the primary within 5 s, and no request fails.

The primary's Patroni then drops the standby from synchronous replication, so posts go on alone.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time

import psycopg
import pytest

from cluster import patroni
from cluster.down import alive, read_pid
from cluster.layout import patroni_name
from cluster.tests.conftest import Fleet, seed_population
from cluster.tests.http import arequest
from cluster.up import member_parameters

pytestmark = pytest.mark.cluster

SWITCH_SECONDS = 5.0


def test_reads_move_to_the_primary_when_the_replica_stops_and_no_request_fails(cluster):
    population = seed_population(cluster)
    standby = _standby(cluster)
    # No restart after an earlier test's failover: replica connections left on the promoted server are found
    # (it is not in recovery) and reopened by the router's check, which then reaches today's standby.
    try:
        reads, stopped_at, replica_transactions = asyncio.run(_stop_replica(cluster, population, standby))
    finally:
        patroni.start_member(cluster, standby, member_parameters(cluster))
        patroni.wait_healthy(cluster)
    reads_before = sum(at < stopped_at for at, _, _ in reads)
    # Each history read is at least one transaction on the replica; the server's statistics count them late
    # (a backend left idle in the pool reports its counts up to 10 s after), so half of them must show.
    assert replica_transactions >= reads_before // 2, "the replica did not serve the reads before it stopped"
    failed = [(round(at - stopped_at, 2), status) for at, status, _ in reads if status != 200]
    assert not failed, f"requests failed (seconds after the stop, status): {failed[:5]}"
    after = [(at, newest) for at, _, newest in reads if at >= stopped_at + SWITCH_SECONDS]
    assert len(after) >= 3, f"only {len(after)} reads after the switch"
    assert all(newest is not None for _, newest in after)


def _standby(layout) -> str:
    patroni.wait_healthy(layout)
    return next(member["name"] for member in patroni.members(layout) if member["role"] == "sync_standby")


async def _stop_replica(layout, population, standby: str) -> tuple[list, float, int]:
    reader = population.tokens[-1]  # never posts, so never pinned to the primary
    path = f"/api/v1/channels/{population.channel}/messages?limit=20"
    reads: list[tuple[float, int, int | None]] = []
    done = asyncio.Event()

    async def read_loop() -> None:
        while not done.is_set():
            status, body = await arequest(layout, reader, "GET", path)
            messages = body.get("messages") or [None]
            reads.append((time.monotonic(), status, messages[0] and messages[0].get("seq")))
            await asyncio.sleep(0.05)

    async with Fleet(layout, population) as fleet:
        posting = asyncio.ensure_future(fleet.post_for(16))
        transactions = _replica_transactions(layout, standby)
        reading = asyncio.ensure_future(read_loop())
        await asyncio.sleep(3)
        transactions = _replica_transactions(layout, standby) - transactions
        pid = read_pid(layout.pid_file(patroni_name(standby)))
        os.kill(pid, signal.SIGTERM)  # Patroni stops its server (a fast shutdown) and exits, as an operator would
        stopped_at = time.monotonic()
        while alive(pid):
            await asyncio.sleep(0.05)
        await posting
        done.set()
        await reading
    return reads, stopped_at, transactions


def _replica_transactions(layout, standby: str) -> int:
    """Transactions committed so far on the standby's application database (reads count too)."""
    with psycopg.connect(layout.member_url(standby), autocommit=True) as connection:
        connection.execute("SELECT pg_stat_clear_snapshot()")
        return connection.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = 'slackclone'").fetchone()[0]
