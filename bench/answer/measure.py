"""One checkout's side of bench.answer: read each message back as an answer would, and say what it cost.

Run as a file from the checkout being measured (its directory first on sys.path), so the same script
measures this code and a baseline worktree's. Prints one JSON object.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "slackclone.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from chat.models import Channel  # noqa: E402
from chat.selectors import message_get_for_wire  # noqa: E402
from chat.wire import message_to_wire  # noqa: E402


def measure_one(channel: Channel, ts: str, reads: int) -> dict:
    cpu_us: list[float] = []
    wall_us: list[float] = []
    for _ in range(reads):
        wall, cpu = time.perf_counter(), time.thread_time()
        message_to_wire(message_get_for_wire(channel=channel, ts=ts))
        cpu_us.append((time.thread_time() - cpu) * 1e6)
        wall_us.append((time.perf_counter() - wall) * 1e6)
    with CaptureQueriesContext(connection) as statements:
        wire = message_to_wire(message_get_for_wire(channel=channel, ts=ts))
    return {
        "reads": reads,
        "cpu_us_p50": statistics.median(cpu_us),
        "cpu_us_mean": statistics.fmean(cpu_us),
        "wall_us_mean": statistics.fmean(wall_us),
        "statements": len(statements.captured_queries),
        "wire": json.loads(json.dumps(wire, default=str)),
    }


if __name__ == "__main__":
    plan = json.loads(sys.stdin.read())
    channels = {pk: Channel.objects.select_related("workspace").get(pk=pk) for pk, _ in plan["messages"].values()}
    result = {kind: measure_one(channels[pk], ts, plan["reads"]) for kind, (pk, ts) in plan["messages"].items()}
    print(json.dumps(result))
