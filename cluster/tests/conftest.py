"""A loopback cluster of the tests' own (var/cluster-test, nginx on a free port, 3 ASGI processes), started
once per run and stopped by its pids at the end, and a fleet of 200 clients in one channel through nginx.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest

from cluster.down import stop_cluster
from cluster.layout import BASE_DIR, Layout
from cluster.tests.chat_client import ChatClient
from cluster.up import start_cluster
from slackclone.testing.processes import free_port

TEST_DIR = BASE_DIR / "var" / "cluster-test"
CLIENTS = 200
# Three, so the clients of a killed process spread over two others (and a 2-core machine is not oversubscribed).
ASGI_PROCESSES = 3
SEED = (
    "import django, json; django.setup(); from bench.fanout.seed import seed; "
    "d = seed({members}); print(json.dumps({{'channel': d.channel_id, 'tokens': d.tokens}}))"
)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Layout]:
    stop_cluster(TEST_DIR)  # whatever an interrupted run left
    shutil.rmtree(TEST_DIR, ignore_errors=True)
    layout = start_cluster(TEST_DIR, nginx_port=free_port(), asgi=ASGI_PROCESSES)
    try:
        yield layout
    finally:
        stop_cluster(TEST_DIR)


@dataclass
class Population:
    channel: str
    tokens: list[str]


def seed_population(layout: Layout, members: int = CLIENTS) -> Population:
    """A new workspace and channel with `members` people, each with an API token (bench.fanout.seed)."""
    result = subprocess.run(
        [sys.executable, "-c", SEED.format(members=members)],
        cwd=BASE_DIR,
        env=layout.env(),
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(result.stdout.strip().splitlines()[-1])
    return Population(data["channel"], data["tokens"])


def primary(layout: Layout) -> psycopg.Connection:
    return psycopg.connect(layout.database_url, autocommit=True)


def stored_messages(layout: Layout, channel: str) -> list[tuple[int, str | None]]:
    """(seq, client_msg_id) of every message of the channel, in the primary."""
    with primary(layout) as connection:
        return connection.execute(
            "SELECT m.seq, m.client_msg_id FROM chat_message m JOIN chat_channel c ON c.id = m.channel_id "
            "WHERE c.public_id = %s ORDER BY m.seq",
            [channel],
        ).fetchall()


class Fleet:
    """Clients of one channel, through nginx, each running its reconnect-and-resume loop."""

    def __init__(self, layout: Layout, population: Population, count: int = CLIENTS):
        url = f"ws://127.0.0.1:{layout.nginx_port}/ws/"
        self.clients = [ChatClient(n, population.tokens[n], population.channel, url) for n in range(count)]
        self.stop_event = asyncio.Event()
        self.tasks: list[asyncio.Task] = []

    async def __aenter__(self) -> Fleet:
        for start in range(0, len(self.clients), 50):
            self.tasks += [asyncio.ensure_future(c.run(self.stop_event)) for c in self.clients[start : start + 50]]
            await asyncio.sleep(0.2)
        await self.wait(lambda c: c.connected.is_set(), 60, "every client connected")
        return self

    async def __aexit__(self, *exc_info) -> None:
        self.stop_event.set()
        await asyncio.wait_for(asyncio.gather(*self.tasks, return_exceptions=True), 30)

    async def wait(self, predicate, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(predicate(c) for c in self.clients):
                return
            await asyncio.sleep(0.1)
        behind = sum(not predicate(c) for c in self.clients)
        raise AssertionError(f"{behind} of {len(self.clients)} clients never reached: {what}")

    async def post_for(self, seconds: float, *, posters: int = 10, interval: float = 1.0, label: str = "m") -> None:
        """`posters` clients each post every `interval` seconds for `seconds`: posters/interval messages/s."""
        deadline = time.monotonic() + seconds
        round_number = 0
        while time.monotonic() < deadline:
            for client in self.clients[:posters]:
                await client.post(f"{label} {client.number}.{round_number}")
            round_number += 1
            await asyncio.sleep(interval)

    async def settle(self, layout: Layout, channel: str, timeout: float = 30.0) -> int:
        """Wait until every post is acknowledged, then until every client has every stored message."""
        await self.wait(lambda c: all(p.seq is not None for p in c.posts.values()), timeout, "every post acked")
        last = stored_messages(layout, channel)[-1][0]
        # One more message: a client that missed the tail sees the gap it leaves and resumes.
        await self.clients[0].post("settle")
        await self.wait(lambda c: c.top >= last + 1, timeout, f"every message up to seq {last + 1}")
        return last + 1

    def acknowledged(self) -> dict[str, int]:
        return {cmid: seq for client in self.clients for cmid, seq in client.acknowledged.items()}

    def duplicates(self) -> int:
        return sum(client.duplicates for client in self.clients)


def assert_nothing_lost_or_doubled(layout: Layout, channel: str, fleet: Fleet) -> None:
    """Every acknowledged post is stored exactly once, at the seq it was acknowledged with, and every client
    has every stored message.

    A client applies messages by seq, so a message delivered to it again (a live event the layer was still
    carrying when a replay already brought it) is ignored, as docs/protocol.md asks; those are counted
    and printed, not failed. A message *stored* twice, or missing from any client, fails.
    """
    stored = stored_messages(layout, channel)
    by_cmid = {}
    for seq, cmid in stored:
        assert cmid not in by_cmid, f"client_msg_id {cmid} stored twice"
        by_cmid[cmid] = seq
    acknowledged = fleet.acknowledged()
    assert acknowledged, "nothing was acknowledged"
    lost = {cmid for cmid, seq in acknowledged.items() if by_cmid.get(cmid) != seq}
    assert not lost, f"{len(lost)} acknowledged messages lost"
    seqs = [seq for seq, _ in stored]
    assert seqs == list(range(1, len(seqs) + 1))
    for client in fleet.clients:
        assert client.seen >= set(seqs), f"client {client.number} misses {sorted(set(seqs) - client.seen)[:5]}"
    print(f"\n{len(acknowledged)} posts acknowledged; {fleet.duplicates()} redundant live deliveries ignored")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
