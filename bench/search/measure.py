"""One checkout's side of bench.search: run each search as the search API does, and say what it cost.

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

from accounts.models import User  # noqa: E402
from chat.api.output import channel_out  # noqa: E402
from chat.search import search_messages  # noqa: E402
from chat.wire import message_to_wire  # noqa: E402
from workspaces.models import Membership  # noqa: E402


def search_and_encode(membership: Membership, query: dict) -> list[dict]:
    """What the search API's view does with a query: the search, then each match encoded."""
    results = search_messages(
        user=membership.user, workspace=membership.workspace, membership=membership, q=query["q"],
        sort=query["sort"], limit=query["limit"],
    )  # fmt: skip
    return [
        {"message": message_to_wire(m.message), "channel": channel_out(m.message.channel), "snippet": m.snippet}
        for m in results.matches
    ]


def measure_one(membership: Membership, query: dict, searches: int) -> dict:
    search_and_encode(membership, query)  # the first search of a process also builds what later ones reuse
    cpu_us: list[float] = []
    wall_us: list[float] = []
    for _ in range(searches):
        wall, cpu = time.perf_counter(), time.thread_time()
        search_and_encode(membership, query)
        cpu_us.append((time.thread_time() - cpu) * 1e6)
        wall_us.append((time.perf_counter() - wall) * 1e6)
    with CaptureQueriesContext(connection) as statements:
        matches = search_and_encode(membership, query)
    return {
        "searches": searches,
        "matches": len(matches),
        "cpu_us_p50": statistics.median(cpu_us),
        "cpu_us_mean": statistics.fmean(cpu_us),
        "wall_us_mean": statistics.fmean(wall_us),
        "statements": len(statements.captured_queries),
        "wire": json.loads(json.dumps(matches, default=str)),
    }


if __name__ == "__main__":
    plan = json.loads(sys.stdin.read())
    user = User.objects.get(pk=plan["user"])
    membership = Membership.objects.select_related("user", "workspace").get(user=user, workspace_id=plan["workspace"])
    result = {name: measure_one(membership, query, plan["searches"]) for name, query in plan["queries"].items()}
    print(json.dumps(result))
