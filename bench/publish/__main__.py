"""Publishing benchmark: events sent from synchronous code (a Celery task, a command, the relay) to the channel layer.

    python -m bench.publish                # 5,000 events each way, in 4 alternating rounds
    python -m bench.publish --quick        # 500, to check that everything runs

Each event is one `group_message` to a group with one member, through the real stack's channel layer, from a
thread with no event loop of its own to reach, as in a worker. Beside it, in the same run, the baseline:
the way the transport sent before realtime.publisher, a fresh `async_to_sync` per event (a new thread,
event loop and Redis connection each). The two take turns round by round; every event is then received,
to check that none was lost. Redis counts the connections each way opened.

Uses its own Redis (a redis-server on a free port, stopped at the end); no database.
Prints a table and writes bench/results/publish.json.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.fanout import stack
from bench.output import machine, write_results
from bench.stats import summary

RESULTS = Path(__file__).resolve().parents[1] / "results" / "publish.json"
# Events are spread over this many groups, one member each, so that no member's queue reaches the
# layer's capacity (1,000) before it is read.
GROUPS = 20


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small numbers, to check that everything runs")
    parser.add_argument("--events", type=int, default=5000, help="events each way, over all rounds")
    parser.add_argument("--rounds", type=int, default=4, help="rounds, each way taking its turn in each")
    args = parser.parse_args()
    if args.quick:
        args.events, args.rounds = 500, 1
    return args


def baseline_send() -> Callable[[str, dict[str, Any]], None]:
    """The transport's send before the publisher: async_to_sync per event, counted as it counted."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from realtime.transport import send_to_group

    def send(group: str, message: dict[str, Any]) -> None:
        async_to_sync(send_to_group)(get_channel_layer(), group, {**message, "group": group})

    return send


def publisher_send() -> Callable[[str, dict[str, Any]], None]:
    from realtime.transport import group_message

    return group_message


async def _join_all(layer: Any, groups: list[str]) -> list[str]:
    """One member per group, by a plain channel name: any layer instance may read it, on any loop."""
    channels = [f"benchmember{index}" for index in range(len(groups))]
    for group, channel in zip(groups, channels, strict=True):
        await layer.group_add(group, channel)
    await layer.close_pools()
    return channels


async def _drain(layer: Any, channels: list[str]) -> int:
    """How many messages wait for `channels` (each read until the layer has nothing more for a moment)."""
    received = 0
    for channel in channels:
        while True:
            try:
                await asyncio.wait_for(layer.receive(channel), timeout=0.2)
            except TimeoutError:
                break
            received += 1
    await layer.close_pools()
    return received


def receiver() -> Any:
    """A layer instance of the receiving side's own, as a server process has."""
    from channels import DEFAULT_CHANNEL_LAYER
    from channels.layers import channel_layers

    return channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)


def connections_received(redis_url: str) -> int:
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        return int(client.info("stats")["total_connections_received"])
    finally:
        client.close()


def timed_round(send: Callable[[str, dict[str, Any]], None], groups: list[str], count: int, label: str) -> list[float]:
    """Send `count` events in turn over `groups`; the seconds each send took."""
    from realtime.transport import encode_event

    latencies = []
    for number in range(count):
        event = {"type": "user_typing", "channel": "C0BENCH0000", "user": "U0BENCH0000", "seq": number}
        message = {"type": "chat.event", "payload": encode_event(event), "workspace": "T0BENCH0000", "n": label}
        started = time.perf_counter()
        send(groups[number % len(groups)], message)
        latencies.append(time.perf_counter() - started)
    return latencies


def measure(args: argparse.Namespace, redis_url: str) -> dict[str, Any]:
    from realtime import publisher

    groups = [f"sm.BENCH{index:03d}" for index in range(GROUPS)]
    channels = asyncio.run(_join_all(receiver(), groups))
    ways = {"baseline": baseline_send(), "publisher": publisher_send()}
    results: dict[str, dict[str, Any]] = {way: {"latencies": [], "seconds": 0.0, "connections": 0} for way in ways}
    per_round = args.events // args.rounds
    for round_number in range(args.rounds):
        for way, send in ways.items():
            before = connections_received(redis_url)
            started = time.perf_counter()
            results[way]["latencies"] += timed_round(send, groups, per_round, way)
            results[way]["seconds"] += time.perf_counter() - started
            results[way]["connections"] += connections_received(redis_url) - before - 1  # not the counter's own
            results[way]["received"] = results[way].get("received", 0) + asyncio.run(_drain(receiver(), channels))
            print(f"round {round_number + 1}: {way} done", flush=True)
    publisher.close()
    return {
        way: {
            "events": len(result["latencies"]),
            "received": result["received"],
            "events_per_s": round(len(result["latencies"]) / result["seconds"]),
            "latency": summary(result["latencies"]),
            "redis_connections_opened": result["connections"],
        }
        for way, result in results.items()
    }


def print_table(results: dict[str, Any]) -> None:
    ways = results["ways"]
    events, cpus = ways["publisher"]["events"], results["machine"]["cpus"]
    print(f"\nPublishing from sync code, {events:,} events each way ({cpus} cores)")
    header = f"{'way':<44}{'events/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'conns':>8}{'lost':>6}"
    print(header)
    labels = {
        "baseline": "baseline: async_to_sync per event",
        "publisher": "publisher: one loop per process",
    }
    for way, label in labels.items():
        row = ways[way]
        latency = row["latency"]
        lost = row["events"] - row["received"]
        print(
            f"{label:<44}{row['events_per_s']:>10,}{latency['p50_ms']:>9.2f}{latency['p95_ms']:>9.2f}"
            f"{latency['p99_ms']:>9.2f}{row['redis_connections_opened']:>8,}{lost:>6}"
        )
    print(f"speed-up in events/s: {results['speedup']}x; load average (1 min) at the end: {cpus_load(results)}")


def cpus_load(results: dict[str, Any]) -> str:
    return f"{results['machine']['load'][0]:.1f}"


def main() -> None:
    args = parse_args()
    redis, redis_url = stack.start_redis()
    try:
        database_url = os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/slackclone_bench_publish"
        )
        stack.use_environment(database_url, redis_url)  # the database is never connected to
        import django

        django.setup()
        started = time.time()
        ways = measure(args, redis_url)
    finally:
        stack.stop(redis)
    results = {
        "ways": ways,
        "speedup": round(ways["publisher"]["events_per_s"] / ways["baseline"]["events_per_s"], 1),
        "machine": machine(),
        "seconds": round(time.time() - started, 1),
    }
    where = write_results(RESULTS, results, quick=args.quick)
    print_table(results)
    print(where)


if __name__ == "__main__":
    main()
