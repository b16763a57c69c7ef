"""python -m bench.metrics: what the request metrics and JSON request logs cost each request (prints a table,
writes bench/results/metrics.json).

With DATABASE_URL and REDIS_URL pointing at a migrated database:
    python -m bench.metrics [--requests 400] [--rounds 6]

Django's handler is driven in-process (no HTTP server, whose own time would hide the difference) on two
routes: /healthz, which does almost nothing, so the middleware's share is as large as it can be, and a page of
channel history by bearer token, a typical API read. Three stacks take turns, round by round, so drift on a
shared machine falls on all of them alike: without ObserveRequestsMiddleware, with it (the default), and with
it and LOG_FORMAT=json (each line written to /dev/null).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "slackclone.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-metrics-secret-key-not-for-deployment-0123456789")
os.environ.setdefault("API_WRITE_RATE", "1000000/m")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from bench.stats import summary  # noqa: E402
from slackclone.logs import JsonFormatter  # noqa: E402
from slackclone.testing.api import token_client  # noqa: E402
from slackclone.testing.factories import UserFactory, WorkspaceFactory, make_team  # noqa: E402

MIDDLEWARE = "slackclone.metrics.http.ObserveRequestsMiddleware"
STACKS = ("without", "metrics", "metrics+json_log")


def _client(stack: str, authorization: str) -> Client:
    """A client whose handler loads the middleware of `stack` (the test client reads settings at its first request)."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE]
    if stack != "without":
        settings.MIDDLEWARE = [MIDDLEWARE, *settings.MIDDLEWARE]
    settings.LOG_FORMAT = "json" if stack == "metrics+json_log" else "text"
    client = Client(HTTP_AUTHORIZATION=authorization, REMOTE_ADDR="127.0.0.1", HTTP_HOST="127.0.0.1")
    client.get("/healthz")  # loads the handler with this stack
    return client


def _time(client: Client, path: str, count: int) -> list[float]:
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(path)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return timings


def _middleware_alone(calls: int, batches: int = 7) -> dict[str, float]:
    """The middleware's own work per call, around a view that does nothing: the median of several batches, in µs,
    without and with the JSON request line (written to /dev/null)."""
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.urls import resolve

    from slackclone.metrics.http import ObserveRequestsMiddleware

    request = RequestFactory().get("/healthz")
    request.resolver_match = resolve("/healthz")
    result = {}
    for stack in ("bare view", "metrics", "metrics+json_log"):
        settings.LOG_FORMAT = "json" if stack == "metrics+json_log" else "text"
        view = lambda request: HttpResponse()  # noqa: E731
        call = view if stack == "bare view" else ObserveRequestsMiddleware(view)
        per_call = []
        for _ in range(batches):
            started = time.perf_counter()
            for _ in range(calls):
                call(request)
            per_call.append((time.perf_counter() - started) / calls * 1e6)
        result[stack] = round(statistics.median(per_call), 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400, help="requests per route, stack and round")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--out", type=Path, default=BASE_DIR / "bench" / "results" / "metrics.json")
    args = parser.parse_args()
    call_command("migrate", "--noinput", verbosity=0)
    for factory in (UserFactory, WorkspaceFactory):
        factory.reset_sequence(time.time_ns() // 1000)  # a team of this run's own beside earlier runs'
    team = make_team()
    authorization = f"Bearer {token_client(team.member, team.workspace).raw_token}"
    routes = {"healthz": "/healthz", "history": f"/api/v1/channels/{team.general.public_id}/messages"}
    request_log = logging.getLogger("slackclone.requests")
    sink = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115  (lives as long as the run)
    sink.setFormatter(JsonFormatter())
    request_log.addHandler(sink)
    request_log.propagate = False
    clients = {stack: _client(stack, authorization) for stack in STACKS}
    timings: dict[str, dict[str, list[float]]] = {route: {stack: [] for stack in STACKS} for route in routes}
    for _ in range(args.rounds):
        for stack in STACKS:
            for route, path in routes.items():
                timings[route][stack] += _time(clients[stack], path, args.requests)
    results = {
        route: {
            stack: summary(values) | {"mean_us": round(statistics.fmean(values) * 1e6, 1)}
            for stack, values in by_stack.items()
        }
        for route, by_stack in timings.items()
    }
    _print(results)
    alone = _middleware_alone(5000)
    print("\nThe middleware alone, around a view that returns at once (median per call):")
    for stack, micros in alone.items():
        print(f"  {stack:<17} {micros:>7.2f} µs   {micros - alone['bare view']:+.2f} µs")
    args.out.write_text(
        json.dumps(
            {
                "python": platform.python_version(),
                "requests": args.requests,
                "rounds": args.rounds,
                "routes": results,
                "middleware_alone_us": alone,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"\nwritten to {args.out}")


def _print(results: dict) -> None:
    print(f"{'route':<8} {'stack':<17} {'n':>6} {'mean µs':>8} {'p50 ms':>7} {'p99 ms':>7} {'+p50 µs':>8}")
    for route, by_stack in results.items():
        base = by_stack["without"]["p50_ms"]
        for stack, row in by_stack.items():
            extra = f"{(row['p50_ms'] - base) * 1000:+.0f}"
            print(
                f"{route:<8} {stack:<17} {row['n']:>6} {row['mean_us']:>8.1f} {row['p50_ms']:>7.2f} "
                f"{row['p99_ms']:>7.2f} {extra:>9}"
            )


if __name__ == "__main__":
    main()
