"""kill -9 one ASGI process while 200 clients post and read through nginx: its clients reconnect to the
other process and resume; no acknowledged message is lost or delivered twice; p95 catch-up within 3 s."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from cluster.down import read_pid
from cluster.tests.conftest import CLIENTS, Fleet, assert_nothing_lost_or_doubled, p95, seed_population
from cluster.up import start_asgi

pytestmark = pytest.mark.cluster

CATCH_UP_P95_SECONDS = 3.0


def test_killing_an_asgi_process_loses_nothing_and_its_clients_catch_up_elsewhere(cluster):
    population = seed_population(cluster)
    try:
        fleet, killed_at = asyncio.run(_kill_one_asgi_process(cluster, population))
    finally:
        start_asgi(cluster, 0)  # whole again for the next test
    cut = [c for c in fleet.clients if any(t >= killed_at for t in c.disconnects)]
    assert len(cut) >= CLIENTS // 4, f"only {len(cut)} clients were on the killed process"
    caught_up = [min(t for t in c.resumed_at if t >= killed_at) - killed_at for c in cut]
    assert p95(caught_up) <= CATCH_UP_P95_SECONDS, f"p95 caught-up {p95(caught_up):.2f} s"
    assert_nothing_lost_or_doubled(cluster, population.channel, fleet)
    middle = sorted(caught_up)[len(cut) // 2]
    print(f"\n{len(cut)} clients cut off; caught up p50 {middle:.2f} s, p95 {p95(caught_up):.2f} s")


async def _kill_one_asgi_process(layout, population) -> tuple[Fleet, float]:
    async with Fleet(layout, population) as fleet:
        posting = asyncio.ensure_future(fleet.post_for(10))
        await asyncio.sleep(3)
        os.kill(read_pid(layout.pid_file("asgi-1")), signal.SIGKILL)
        killed_at = time.monotonic()
        await posting
        await fleet.settle(layout, population.channel)
    return fleet, killed_at
