"""The notifications worker's pool processes are killed (-9) in the middle of a batch of @channel
messages in a channel of 200: every message still notifies every member exactly once.

Tasks are acknowledged late and rejected back to the queue when their process dies; Notification rows
are unique per (message, person), so the task that runs again writes only what was missing.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from cluster.down import read_pid
from cluster.tests.conftest import CLIENTS, Fleet, primary, seed_population
from cluster.tests.http import arequest

pytestmark = pytest.mark.cluster

BATCH = 20


def test_every_notification_is_written_exactly_once_when_a_worker_dies_mid_batch(cluster):
    population = seed_population(cluster)
    counts, killed = asyncio.run(_kill_worker_mid_batch(cluster, population))
    assert killed, "the worker's pool processes were not found"
    expected = CLIENTS - 1  # everyone in the channel but the author
    assert counts == [expected] * BATCH


async def _kill_worker_mid_batch(layout, population) -> tuple[list[int], list[int]]:
    author = population.tokens[0]
    path = f"/api/v1/channels/{population.channel}/messages"
    async with Fleet(layout, population):
        for number in range(BATCH):
            status, body = await arequest(layout, author, "POST", path, {"text": f"<!channel> batch {number}"})
            assert status == 201, body
        killed = await _kill_pool_when_busy(layout, population.channel)
        counts = await _wait_for_notifications(layout, population.channel, CLIENTS - 1)
    return counts, killed


async def _kill_pool_when_busy(layout, channel: str) -> list[int]:
    """SIGKILL every pool process of the notifications worker once some, not all, notifications exist."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        written = sum(_notification_counts(layout, channel))
        if 0 < written < BATCH * (CLIENTS - 1):
            break
        await asyncio.sleep(0.02)
    main = read_pid(layout.pid_file("celery-notifications"))
    with open(f"/proc/{main}/task/{main}/children") as children:
        pool = [int(pid) for pid in children.read().split()]
    for pid in pool:
        os.kill(pid, signal.SIGKILL)
    return pool


async def _wait_for_notifications(layout, channel: str, expected: int, timeout: float = 90) -> list[int]:
    deadline = time.monotonic() + timeout
    counts = _notification_counts(layout, channel)
    while time.monotonic() < deadline and counts != [expected] * BATCH:
        await asyncio.sleep(0.5)
        counts = _notification_counts(layout, channel)
    return counts


def _notification_counts(layout, channel: str) -> list[int]:
    """Notification rows per message of the batch, in seq order (messages not yet notified count 0)."""
    with primary(layout) as connection:
        rows = connection.execute(
            "SELECT m.seq, count(n.id) FROM chat_message m JOIN chat_channel c ON c.id = m.channel_id "
            "LEFT JOIN notifications_notification n ON n.message_id = m.id "
            "WHERE c.public_id = %s AND m.text LIKE '<!channel> batch %%' GROUP BY m.seq ORDER BY m.seq",
            [channel],
        ).fetchall()
    return [count for _, count in rows] + [0] * (BATCH - len(rows))
