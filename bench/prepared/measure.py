"""One side of bench.prepared: the app's REST requests through Django's test client, and what each cost the
app's thread and the PostgreSQL backend that serves its connection.

Run as a file (as bench/answer/measure.py is), in a process of its own, so that DATABASE_PREPARED_STATEMENTS
in its environment decides how its one connection talks to PostgreSQL. Reads the plan on stdin and prints
one JSON object: per kind of request its numbers and its answer, and the statements the connection holds
prepared at the end.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "slackclone.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.fanout.stack import cpu_seconds  # noqa: E402

# One connection for the whole run: one reopened mid-batch would start with nothing prepared, and the CPU
# read for the batch would be another backend's.
connection.settings_dict["CONN_MAX_AGE"] = None

Request = Callable[[int], Any]
JSON = "application/json"


def expect(response: Any, status: int, what: str) -> Any:
    """The JSON `response` answered; a status other than `status` ends the run, saying which request."""
    if response.status_code != status:
        raise SystemExit(f"{what} answered {response.status_code}, not {status}: {response.content[:2000]!r}")
    return response.json()


def shape(body: Any) -> Any:
    """The keys of an answer, nested, with each value's type: what two writes answer alike, without the ts
    and seq values that are new on every write."""
    if isinstance(body, dict):
        return {key: shape(value) for key, value in body.items()}
    return type(body).__name__


def requests(client: Client, plan: dict[str, Any]) -> dict[str, Request]:
    """Each kind of request, numbered: a call makes the kind's request(s) and returns what is compared
    between the sides (a read's whole answer; a write's status and shape)."""
    channel = f"/api/v1/channels/{plan['channel']}"
    reacted = f"{channel}/messages/{plan['reaction_ts']}/reactions"

    def history(number: int) -> Any:
        return expect(client.get(f"{channel}/messages", {"limit": 50}), 200, "history")

    def thread(number: int) -> Any:
        return expect(client.get(f"{channel}/messages/{plan['thread_ts']}/replies", {"limit": 200}), 200, "thread")

    def reaction(number: int) -> Any:  # one case: the reaction added, then taken back
        added = expect(client.post(reacted, {"name": "eyes"}, content_type=JSON), 201, "reaction (POST)")
        removed = expect(client.delete(f"{reacted}/eyes"), 200, "reaction (DELETE)")
        return [201, shape(added), 200, shape(removed)]

    def mark(number: int) -> Any:  # a seq that moves every time, back and forth through the channel
        seq = 1 + number % plan["last_seq"]
        return expect(client.post(f"{channel}/read", {"seq": seq}, content_type=JSON), 200, "mark")

    def post(number: int) -> Any:  # into another channel, so that the history read stays the same
        text = f"a message for the prepared statements benchmark, number {number}"
        body = {"text": text, "client_msg_id": str(uuid.uuid4())}  # as the browser client sends every post
        answer = client.post(f"/api/v1/channels/{plan['post_channel']}/messages", body, content_type=JSON)
        return [201, shape(expect(answer, 201, "post"))]

    def search(number: int) -> Any:  # a workspace-scoped read: the workspace and membership, then the search
        found = client.get(f"/api/v1/workspaces/{plan['workspace']}/search", {"q": "release", "limit": "20"})
        return expect(found, 200, "search")

    notify = notification_jobs(client, plan)
    kinds = {"history": history, "thread": thread, "reaction": reaction, "mark": mark, "post": post, "search": search}
    return {**kinds, "notify": notify}


def notification_jobs(client: Client, plan: dict[str, Any]) -> Request:
    """A DM's notification, as a Celery worker runs its outbox job (the other person is away: an email batch
    opens). The DMs are posted up front, through the API, one per request to come; only the jobs are timed."""
    from outbox.models import OutboxJob
    from outbox.services import job_run

    newest = OutboxJob.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for number in range(plan["warmup"] + 1 + plan["requests"]):
        body = {"text": f"a direct message to notify of, number {number}", "client_msg_id": str(uuid.uuid4())}
        expect(client.post(f"/api/v1/channels/{plan['dm']}/messages", body, content_type=JSON), 201, "DM post")
    jobs = list(
        OutboxJob.objects.filter(pk__gt=newest, name="notifications.notify_message")
        .order_by("pk")
        .values_list("pk", flat=True)
    )

    def notify(number: int) -> Any:
        return job_run(job_id=jobs[number])

    return notify


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def measure_kind(request: Request, warmup: int, count: int) -> dict[str, Any]:
    """Warm `request` up (so a statement run `prepare_threshold` times is prepared), keep one answer and its
    statements, then time `count` requests. The backend's CPU is read around the whole batch, as /proc
    counts it in clock ticks: longer than most requests take."""
    for number in range(warmup):
        request(number)
    with CaptureQueriesContext(connection) as captured:
        answer = request(warmup)
    statements = len(captured.captured_queries)  # now: the next request empties the log it slices
    pid = backend_pid()
    cpu_us: list[float] = []
    wall_us: list[float] = []
    backend_before = cpu_seconds(pid)
    for number in range(warmup + 1, warmup + 1 + count):
        wall, cpu = time.perf_counter(), time.thread_time()
        request(number)
        cpu_us.append((time.thread_time() - cpu) * 1e6)
        wall_us.append((time.perf_counter() - wall) * 1e6)
    backend_us = (cpu_seconds(pid) - backend_before) * 1e6
    if backend_pid() != pid:
        raise SystemExit("the connection was reopened during the batch: its backend CPU cannot be read")
    return {
        "requests": count,
        "cpu_us_p50": statistics.median(cpu_us),
        "cpu_us_mean": statistics.fmean(cpu_us),
        "pg_cpu_us": backend_us / count,
        "wall_us_mean": statistics.fmean(wall_us),
        "statements": statements,
        "answer": answer,
    }


def prepared_statements() -> dict[str, int]:
    """What the connection holds prepared, and how often PostgreSQL ran those statements on a generic plan
    (planned once) or on a custom one (planned for each run's parameters)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0) "
            "FROM pg_prepared_statements"
        )
        count, generic, custom = cursor.fetchone()
    return {"statements": int(count), "generic_plans": int(generic), "custom_plans": int(custom)}


def main(plan: dict[str, Any]) -> dict[str, Any]:
    client = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {plan['token']}")
    kinds = requests(client, plan)
    measured = {kind: measure_kind(request, plan["warmup"], plan["requests"]) for kind, request in kinds.items()}
    # The marker back where the seed left it, so that the next side reads the channel as this one did.
    marked = client.post(f"/api/v1/channels/{plan['channel']}/read", {"seq": plan["last_seq"]}, content_type=JSON)
    expect(marked, 200, "mark (back)")
    return {"kinds": measured, "prepared": prepared_statements()}


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.stdin.read()))))
