"""`cluster.restart` restarts every ASGI process, Celery worker and beat one at a time while clients post
through nginx: every client is told goodbye and reconnects, no acknowledged message is lost or stored twice,
and every client ends with every message."""

from __future__ import annotations

import asyncio

import pytest

from cluster.down import alive, read_pid
from cluster.layout import WORKER_QUEUES, asgi_name
from cluster.restart import restart_cluster
from cluster.tests.conftest import Fleet, assert_nothing_lost_or_doubled, seed_population

pytestmark = pytest.mark.cluster

CLIENTS = 100
POSTERS = 10


def test_a_rolling_restart_loses_and_doubles_nothing_and_every_client_reconnects(cluster):
    names = [asgi_name(i) for i in range(len(cluster.asgi_ports))]
    names += [f"celery-{queue}" for queue in WORKER_QUEUES] + ["celery-beat"]
    before = {name: read_pid(cluster.pid_file(name)) for name in names}
    population = seed_population(cluster, CLIENTS)

    fleet, rounds = asyncio.run(_post_during_restart(cluster, population))

    after = {name: read_pid(cluster.pid_file(name)) for name in names}
    assert all(after[name] != before[name] and alive(after[name]) for name in names), (before, after)
    assert rounds >= 5, f"only {rounds} rounds of posts during the restart"
    assert all(client.goodbyes >= 1 for client in fleet.clients), "a client's process closed without goodbye"
    assert all(client.resumed_at for client in fleet.clients), "a client never reconnected and resumed"
    assert not [e for client in fleet.clients for e in client.errors], "a post was refused"
    assert_nothing_lost_or_doubled(cluster, population.channel, fleet)


async def _post_during_restart(layout, population) -> tuple[Fleet, int]:
    """POSTERS clients post every 0.5 s until the restart returns; then everything settles."""
    async with Fleet(layout, population, CLIENTS) as fleet:
        restart = asyncio.ensure_future(asyncio.to_thread(restart_cluster, layout, lambda line: None))
        rounds = 0
        while not restart.done():
            for client in fleet.clients[:POSTERS]:
                await client.post(f"r {client.number}.{rounds}")
            rounds += 1
            await asyncio.sleep(0.5)
        restart.result()
        await fleet.wait(lambda c: c.connected.is_set(), 30, "every client connected again")
        await fleet.settle(layout, population.channel)
    return fleet, rounds
