"""One of the two channel-layer Redis shards dies for 10 s while 200 clients post: posts keep being
acknowledged and stored, and once it is back every client has every message (exactly once)."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from cluster.down import read_pid
from cluster.tests.conftest import Fleet, assert_nothing_lost_or_doubled, seed_population
from cluster.up import start_redis

pytestmark = pytest.mark.cluster

OUTAGE_SECONDS = 10


def test_posts_survive_a_channel_layer_shard_outage_and_everyone_catches_up(cluster):
    population = seed_population(cluster)
    fleet, acknowledged_during = asyncio.run(_shard_outage(cluster, population))
    # 10 posters, one post a second each, for 10 s: nearly all acknowledged while the shard was away.
    assert acknowledged_during >= 50, f"only {acknowledged_during} posts acknowledged during the outage"
    refused = [e for c in fleet.clients for e in c.errors if e["error"]["code"] != "ratelimited"]
    assert not refused, refused[:3]
    assert_nothing_lost_or_doubled(cluster, population.channel, fleet)


async def _shard_outage(layout, population) -> tuple[Fleet, int]:
    name, port = "redis-layer-1", layout.layer_redis_ports[0]
    async with Fleet(layout, population) as fleet:
        posting = asyncio.ensure_future(fleet.post_for(OUTAGE_SECONDS + 6))
        await asyncio.sleep(2)
        os.kill(read_pid(layout.pid_file(name)), signal.SIGKILL)
        before = len(fleet.acknowledged())
        await asyncio.sleep(OUTAGE_SECONDS)
        during = len(fleet.acknowledged()) - before
        await asyncio.to_thread(start_redis, layout, name, port)
        await posting
        await fleet.settle(layout, population.channel, timeout=60)
    return fleet, during
