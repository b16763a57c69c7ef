"""Channel layer benchmark: what a group message costs to send and to receive, channels-redis beside
realtime.layer, in CPU and in round trips to Redis.

    python -m bench.layer                  # 20,000 messages per layer and pattern, in 4 alternating rounds
    python -m bench.layer --quick          # 1,000, to check that everything runs

Every event reaches a gateway process as one group message on its process channel ("name!"), read by
its hub. Two patterns, each layer taking its turn in every round, on the same Redis:
- burst: the sender sends BURST messages to groups whose one member is the receiver's process channel,
  then the receiver reads them (what a busy process's hub finds waiting);
- one by one: send one, read it, and again (an idle hub, which waits for every message).
The layers take turns going first, round by round. Per message: the sender's and the receiver's CPU (this
process's, by phase), Redis's CPU (from /proc, in clock ticks of 10 ms: a phase's total below a few ticks
says little), and the round trips to Redis (a command or a pipeline sent by redis-py, counted in this process
when it starts). Every message must arrive once and in order, or the run stops.

Uses its own Redis (a redis-server on a free port, stopped at the end); no database, no Django.
Prints a table and writes bench/results/layer.json.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path
from typing import Any

from bench.fanout import stack
from bench.output import machine, write_results

RESULTS = Path(__file__).resolve().parents[1] / "results" / "layer.json"
BURST = 500  # under the layer's capacity of 1,000 per channel (settings.CHANNEL_LAYERS)
GROUPS = 20
PATTERNS = ("burst", "one_by_one")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small numbers, to check that everything runs")
    parser.add_argument("--messages", type=int, default=20000, help="messages per layer and pattern, in all")
    parser.add_argument("--rounds", type=int, default=4, help="rounds, each layer taking its turn in each")
    args = parser.parse_args(argv)
    if args.quick:
        args.messages, args.rounds = 1000, 1
    if args.messages < args.rounds * BURST or args.rounds < 1:
        parser.error(f"--messages must be at least {BURST} per round")
    return args


def layers() -> dict[str, type]:
    from channels_redis.core import RedisChannelLayer

    from realtime.layer import BatchedRedisChannelLayer

    return {"channels-redis": RedisChannelLayer, "realtime.layer": BatchedRedisChannelLayer}


class Meter:
    """This process's CPU, Redis's CPU and this process's round trips to Redis, read around a phase."""

    def __init__(self, redis_pid: int):
        self.redis_pid = redis_pid
        self.round_trips = 0
        self._count_round_trips()

    def _count_round_trips(self) -> None:
        from redis.asyncio.client import Pipeline, Redis

        meter, command, pipeline = self, Redis.execute_command, Pipeline.execute

        async def counted_command(client: Any, *args: Any, **options: Any) -> Any:
            meter.round_trips += 1
            return await command(client, *args, **options)

        async def counted_pipeline(pipe: Any, *args: Any, **options: Any) -> Any:
            meter.round_trips += 1
            return await pipeline(pipe, *args, **options)

        Redis.execute_command = counted_command  # type: ignore[method-assign,assignment]
        Pipeline.execute = counted_pipeline  # type: ignore[method-assign,assignment]

    def read(self) -> tuple[float, float, int]:
        return time.process_time(), stack.cpu_seconds(self.redis_pid), self.round_trips

    @staticmethod
    def spent(before: tuple[float, float, int], after: tuple[float, float, int]) -> dict[str, float]:
        return {"cpu_s": after[0] - before[0], "redis_cpu_s": after[1] - before[1], "round_trips": after[2] - before[2]}


def _check(received: list[dict[str, Any]], first: int, count: int) -> None:
    numbers = [message["n"] for message in received]
    if numbers != list(range(first, first + count)):
        raise SystemExit(f"messages lost, repeated or out of order: expected {first}..{first + count - 1}")


async def _pair(kind: type, url: str, prefix: str) -> tuple[Any, Any, str, list[str]]:
    hosts = [{"address": url, "socket_timeout": 30}]  # as settings.CHANNEL_LAYERS has them
    sender, receiver = kind(hosts=hosts, prefix=prefix, capacity=1000), kind(hosts=hosts, prefix=prefix, capacity=1000)
    channel = await receiver.new_channel()
    groups = [f"bench{index}" for index in range(GROUPS)]
    for group in groups:
        await receiver.group_add(group, channel)
    return sender, receiver, channel, groups


async def burst(kind: type, url: str, meter: Meter, count: int, prefix: str) -> dict[str, dict[str, float]]:
    sender, receiver, channel, groups = await _pair(kind, url, prefix)
    totals = {"send": {"cpu_s": 0.0, "redis_cpu_s": 0.0, "round_trips": 0}, "receive": {}}
    totals["receive"] = dict(totals["send"])
    for start in range(0, count, BURST):
        before = meter.read()
        for number in range(start, start + BURST):
            await sender.group_send(groups[number % GROUPS], {"type": "chat.event", "n": number})
        middle = meter.read()
        received = [await receiver.receive(channel) for _ in range(BURST)]
        after = meter.read()
        _check(received, start, BURST)
        for phase, spent in (("send", meter.spent(before, middle)), ("receive", meter.spent(middle, after))):
            for name, value in spent.items():
                totals[phase][name] += value
    await sender.close_pools()
    await receiver.close_pools()
    return totals


async def one_by_one(kind: type, url: str, meter: Meter, count: int, prefix: str) -> dict[str, dict[str, float]]:
    sender, receiver, channel, groups = await _pair(kind, url, prefix)
    before = meter.read()
    received = []
    for number in range(count):
        reading = asyncio.ensure_future(receiver.receive(channel))  # waiting first, as an idle hub is
        await sender.group_send(groups[number % GROUPS], {"type": "chat.event", "n": number})
        received.append(await reading)
    after = meter.read()
    _check(received, 0, count)
    await sender.close_pools()
    await receiver.close_pools()
    return {"send_and_receive": meter.spent(before, after)}


async def measure(args: argparse.Namespace, server_pid: int, url: str) -> dict[str, Any]:
    meter = Meter(server_pid)
    per_round = args.messages // args.rounds // BURST * BURST
    results: dict[str, dict[str, Any]] = {name: {pattern: {} for pattern in PATTERNS} for name in layers()}
    for round_number in range(args.rounds):
        order = list(layers().items())
        for name, kind in order if round_number % 2 == 0 else order[::-1]:  # each goes first in turn
            for pattern, run in (("burst", burst), ("one_by_one", one_by_one)):
                spent = await run(kind, url, meter, per_round, f"b{round_number}{pattern}{name[:4]}")
                for phase, figures in spent.items():
                    total = results[name][pattern].setdefault(phase, {"messages": 0} | dict.fromkeys(figures, 0.0))
                    total["messages"] += per_round
                    for figure, value in figures.items():
                        total[figure] += value
        print(f"round {round_number + 1} of {args.rounds} done", flush=True)
    return {name: {pattern: _per_message(phases) for pattern, phases in by.items()} for name, by in results.items()}


def _per_message(phases: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    return {
        phase: {
            "messages": int(totals["messages"]),
            "cpu_us": round(totals["cpu_s"] / totals["messages"] * 1e6, 1),
            "redis_cpu_us": round(totals["redis_cpu_s"] / totals["messages"] * 1e6, 1),
            "round_trips": round(totals["round_trips"] / totals["messages"], 2),
        }
        for phase, totals in phases.items()
    }


def print_table(results: dict[str, Any]) -> None:
    print(f"\nA group message through the channel layer ({results['machine']['cpus']} cores), per message")
    print(f"{'layer':<16}{'pattern':<12}{'phase':<18}{'messages':>10}{'CPU µs':>9}{'Redis µs':>10}{'round trips':>13}")
    for name, patterns in results["layers"].items():
        for pattern, phases in patterns.items():
            for phase, row in phases.items():
                print(
                    f"{name:<16}{pattern:<12}{phase:<18}{row['messages']:>10,}{row['cpu_us']:>9.1f}"
                    f"{row['redis_cpu_us']:>10.1f}{row['round_trips']:>13.2f}"
                )


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    redis, url = stack.start_redis()
    started = time.time()
    try:
        measured = asyncio.run(measure(args, redis.pid, url))
    finally:
        stack.stop(redis)
    results = {
        "layers": measured,
        "arguments": {"messages": args.messages, "rounds": args.rounds, "burst": BURST, "groups": GROUPS},
        "machine": machine(),
        "seconds": round(time.time() - started, 1),
    }
    where = write_results(RESULTS, results, quick=args.quick)
    print_table(results)
    print(where)


if __name__ == "__main__":
    main()
