"""One checkout's side of bench.resume: resume every person of the seeded company, and say what it cost.

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

from realtime import resume  # noqa: E402
from realtime.replay_cache import recent_replays  # noqa: E402


def measure(resumes: list[tuple[int, dict[str, int]]], rounds: int) -> dict[str, float]:
    replay_now = resume.build_replay.func  # type: ignore[attr-defined]  # what a gateway worker thread runs
    cpu_ms: list[float] = []
    wall_ms: list[float] = []
    events = 0
    for _ in range(rounds):
        for user_pk, seen in resumes:
            recent_replays.clear()  # each person alone: nothing cached by someone resuming before
            wall, cpu = time.perf_counter(), time.thread_time()
            replay = replay_now(user_pk, None, seen)
            cpu_ms.append((time.thread_time() - cpu) * 1000)
            wall_ms.append((time.perf_counter() - wall) * 1000)
            events += sum(len(channel.events) for channel in replay.channels)
    recent_replays.clear()
    with CaptureQueriesContext(connection) as statements:
        replay_now(resumes[0][0], None, resumes[0][1])
    cpu_ms.sort()
    return {
        "resumes": len(cpu_ms),
        "cpu_ms_mean": statistics.fmean(cpu_ms),
        "cpu_ms_p50": cpu_ms[len(cpu_ms) // 2],
        "cpu_ms_p99": cpu_ms[min(len(cpu_ms) - 1, int(len(cpu_ms) * 0.99))],
        "wall_ms_mean": statistics.fmean(wall_ms),
        "statements": len(statements.captured_queries),
        "events_per_resume": events / len(cpu_ms),
    }


if __name__ == "__main__":
    plan = json.loads(sys.stdin.read())
    resumes = [(person, seen) for person, seen in plan["resumes"]]
    print(json.dumps(measure(resumes, plan["rounds"])))
