"""App platform benchmark: 50 apps hearing a busy channel, beside the same channel with no apps, in one run.

    python -m bench.apps                 # the full run (about three minutes on 2 cores)
    python -m bench.apps --quick         # small numbers, to check that everything runs

The stack is the real one, one of each: an ASGI process (Uvicorn, as the Procfile runs it) serving
the REST API and the Socket Mode sockets, and a Celery worker on the `apps` queue (as the Procfile
runs it), on PostgreSQL and a Redis of the run's own. Three workspaces, each with a channel that a
poster writes to at --rate messages per second through the REST API, for --duration seconds:

- baseline: no apps at all;
- socket_mode: --apps apps subscribed to message.channels, their bots in the channel, each with one
  Socket Mode connection that acks every envelope as Bolt does;
- http: --apps apps with request URLs on a local server that checks each request's Slack signature.

The phases take turns, a --slice of each per round until each has had --duration seconds, so
whatever else the machine does weighs on all of them alike; after each slice of an app phase the
run waits until every app has every event.

First, the posting request alone, in process with no worker or server beside it, alternately in
the baseline's channel and the HTTP apps' one: what the request itself pays for the apps.

Measured: posting latency (the poster's request, start to answer) per phase; for the app phases,
each event's delivery latency from the start of the post that caused it to its arrival at the app,
for every (message, app) pair, with lost and duplicated deliveries; CPU of the ASGI process, the
worker and the bench itself (which plays the poster and every app) per phase.
Prints a table and writes bench/results/apps.json.
"""

from __future__ import annotations

import argparse
import os
import signal
import time
from pathlib import Path

from bench.apps import phases
from bench.fanout import stack
from bench.output import machine, write_results

RESULTS = Path(__file__).resolve().parents[1] / "results" / "apps.json"
TARGETS = {"socket_mode_p99_ms": 200.0, "http_p99_ms": 300.0, "posting_ratio": 1.10}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small numbers, to check that everything runs")
    parser.add_argument("--apps", type=int, default=50, help="apps subscribed to the busy channel")
    parser.add_argument("--rate", type=float, default=20.0, help="messages per second posted")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of posting per phase")
    parser.add_argument("--slice", type=float, default=5.0, help="seconds of posting per turn")
    parser.add_argument("--request-posts", type=int, default=300, help="posts of each kind, the request alone")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/slackclone_bench_apps"),
    )
    args = parser.parse_args()
    if args.quick:
        args.apps, args.duration, args.slice, args.request_posts = 10, 4.0, 2.0, 30
    return args


def print_table(results: dict) -> None:
    print(f"\n{results['apps']} apps, {results['rate']:g} messages/s for {results['duration']:g} s per phase")
    header = (
        f"{'phase':<13}{'post p50':>9}{'post p95':>9}{'post p99':>9}{'events':>8}{'ev p50':>8}{'ev p95':>8}"
        f"{'ev p99':>8}{'ev max':>8}{'lost':>6}{'dup':>5}{'ASGI':>6}{'worker':>7}{'bench':>6}"
    )
    print(header + "\n" + "-" * len(header))
    for name, row in results["phases"].items():
        posting, events = row["posting"], row.get("events")
        line = f"{name:<13}{posting['p50_ms']:>9.1f}{posting['p95_ms']:>9.1f}{posting['p99_ms']:>9.1f}"
        if events:
            line += (
                f"{events['n']:>8}{events['p50_ms']:>8.1f}{events['p95_ms']:>8.1f}{events['p99_ms']:>8.1f}"
                f"{events['max_ms']:>8.1f}{events['lost']:>6}{events['duplicated']:>5}"
            )
        else:
            line += f"{'-':>8}{'-':>8}{'-':>8}{'-':>8}{'-':>8}{'-':>6}{'-':>5}"
        cpu = row["cpu"]
        line += f"{cpu['asgi_share']:>6.0%}{cpu['worker_share']:>7.0%}{cpu['bench_share']:>6.0%}"
        print(line)
    print("(post: the poster's REST request in ms; ev: post start to the event's arrival at the app, in ms;")
    print(" ASGI, worker, bench: CPU, as a share of one core, over the phase)")
    for name, ratio in results["posting_ratio"].items():
        print(f"posting p95 {name} / baseline, under load: {ratio:.3f} (target <= {TARGETS['posting_ratio']})")
    alone = results["request_path"]
    print(f"\nThe posting request alone (in process, no worker or server beside it, {alone['http']['n']} posts each)")
    print(f"{'channel':<24}{'mean ms':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for name, label in (("baseline", "no apps (baseline)"), ("http", f"{results['apps']} apps hear it")):
        row = alone[name]
        print(f"{label:<24}{row['mean_ms']:>9.2f}{row['p50_ms']:>9.2f}{row['p95_ms']:>9.2f}{row['p99_ms']:>9.2f}")
    print(f"p95 with apps / baseline: {alone['p95_ratio']:.3f} (target <= {TARGETS['posting_ratio']})")


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt  # so the finally blocks stop what this run started


def main() -> None:
    signal.signal(signal.SIGTERM, _interrupt)
    args = parse_args()
    redis, redis_url = stack.start_redis()
    try:
        stack.use_environment(
            args.database_url, redis_url, OUTGOING_ALLOWED_NETWORKS="127.0.0.0/8", NOTIFY_EMAIL_DELAY_SECONDS="3600"
        )
        stack.ensure_database(args.database_url)
        import django

        django.setup()
        started = time.time()
        measured = phases.run_all(
            apps=args.apps,
            rate=args.rate,
            duration=args.duration,
            slice_seconds=args.slice,
            request_posts=args.request_posts,
        )
    finally:
        stack.stop(redis)
    results = phases.summarise(measured, apps=args.apps, rate=args.rate, duration=args.duration, targets=TARGETS)
    results["machine"] = machine()
    results["seconds"] = round(time.time() - started, 1)
    where = write_results(RESULTS, results, quick=args.quick)
    print_table(results)
    print(where)


if __name__ == "__main__":
    main()
