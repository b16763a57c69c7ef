"""Capacity plan: turn the per-process figures measured here into a deployment for a target load.

    python -m bench.capacity                                  # 100,000 users online, 10,000 messages/s
    python -m bench.capacity --users 20000 --messages 1000    # another target
    python -m bench.capacity --markdown                       # the table docs/scaling.md shows

Measured inputs come from bench/results/*.json (scale.json from bench/scale: deliveries/s held per
ASGI process behind nginx and memory per idle socket; fanout.json: the same for one process without
nginx; notify.json: notification rows a worker writes per second). Workload shape and the per-server
budgets of Redis and PostgreSQL are assumptions, each a flag with its default printed beside the
result, so the plan can be argued with and regenerated.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import dataclass
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[1] / "results"


@dataclass(frozen=True)
class Measured:
    deliveries_per_process: float  # held at p99 <= 250 ms, one ASGI process
    scaling_efficiency: float  # deliveries of 2 processes / (2 x those of 1)
    kib_per_socket: float
    notification_rows_per_worker_s: float
    source: str


def load_measured() -> Measured:
    def read(name: str) -> dict:
        path = RESULTS / name
        return json.loads(path.read_text()) if path.exists() else {}

    scale, fanout, notify = read("scale.json"), read("fanout.json"), read("notify.json")
    one_process = max((b["deliveries_per_s"] for b in fanout.get("best", {}).values()), default=0.0)
    idle = fanout.get("idle", {}).get("slackclone-uvicorn", {})
    kib, efficiency, source = idle.get("kib_per_connection", 24.0), 1.0, "fanout.json"
    lines = {line["processes"]: line for line in scale.get("summary", [])}
    if 1 in lines and 2 in lines and lines[1]["held_deliveries_per_s"] and lines[2]["held_deliveries_per_s"]:
        # The servers' own scaling, derived from their CPU per delivery with 1 process against 2
        # (bench/scale's bounds): an upper bound for processes on cores of their own. Deliveries held
        # by 2 against 1 say nothing of it on a 2-core machine, where the second process shares its
        # core with the client, nginx and the databases.
        with_a_core_each = scale.get("bounds", {}).get("2", {}).get("with_a_core_each")
        if with_a_core_each:
            efficiency = min(1.0, with_a_core_each / 2)
        else:
            efficiency = min(1.0, lines[2]["held_deliveries_per_s"] / (2 * lines[1]["held_deliveries_per_s"]))
        one_process = max(one_process, lines[1]["held_deliveries_per_s"])
        kib = max(kib, lines[1]["kib_per_idle_socket"])
        source = "scale.json + fanout.json"
    rows_per_s = 5000 / max(notify.get("notification_work", {}).get("worst_s", 1.0), 0.001)
    return Measured(one_process or 10_000.0, efficiency, kib, rows_per_s, source)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add = parser.add_argument
    add("--users", type=int, default=100_000, help="people online at once (one socket each)")
    add("--messages", type=int, default=10_000, help="messages posted per second, all workspaces")
    add("--audience", type=float, default=25.0, help="ASSUMED sockets online per message's channel, on average")
    add("--typing-share", type=float, default=0.5, help="ASSUMED typing events per message (throttled to 1/3 s)")
    add("--presence-per-user-hour", type=float, default=4.0, help="ASSUMED presence changes per user per hour")
    add("--workspace-size", type=int, default=500, help="ASSUMED people online per workspace (presence audience)")
    add("--headroom", type=float, default=0.5, help="fraction of a measured ceiling planned for (the rest: spikes)")
    add("--process-memory-mib", type=int, default=2048, help="memory per ASGI process for sockets")
    add("--layer-ops-per-shard", type=int, default=60_000, help="ASSUMED channel-layer messages/s per Redis shard")
    add("--commits-per-primary", type=int, default=12_000, help="ASSUMED message_post transactions/s per primary")
    add("--reads-per-user-minute", type=float, default=2.0, help="ASSUMED history/unread/search reads per user")
    add("--reads-per-replica", type=int, default=8_000, help="ASSUMED heavy reads/s per replica")
    add("--notified-per-message", type=float, default=3.0, help="ASSUMED notification rows per message")
    add("--markdown", action="store_true", help="print the plan as the Markdown table of docs/scaling.md")
    return parser.parse_args()


def plan(args: argparse.Namespace, m: Measured) -> list[tuple[str, int, str]]:
    """(component, count, why) for the target load."""
    typing = args.messages * args.typing_share * args.audience
    presence = args.users * args.presence_per_user_hour / 3600 * args.workspace_size
    deliveries = args.messages * args.audience + typing + presence
    per_process = m.deliveries_per_process * m.scaling_efficiency * args.headroom
    by_cpu = math.ceil(deliveries / per_process)
    by_memory = math.ceil(args.users * m.kib_per_socket / 1024 / (args.process_memory_mib * args.headroom))
    asgi = max(by_cpu, by_memory, 2)
    # Each event reaches each process holding a member of its group once: at most min(processes, audience).
    layer_messages = (args.messages + args.messages * args.typing_share) * min(asgi, args.audience) + presence / 10
    shards = max(2, math.ceil(layer_messages / (args.layer_ops_per_shard * args.headroom)))
    primaries = math.ceil(args.messages / (args.commits_per_primary * args.headroom))
    reads = args.users * args.reads_per_user_minute / 60
    replicas = max(1, math.ceil(reads / (args.reads_per_replica * args.headroom)))
    workers = max(1, math.ceil(args.messages * args.notified_per_message / (m.notification_rows_per_worker_s * 0.25)))
    return [
        ("deliveries/s to plan for", round(deliveries), f"messages {args.messages * args.audience:,.0f} + typing "
         f"{typing:,.0f} + presence {presence:,.0f}"),
        ("ASGI processes", asgi, f"CPU {by_cpu} ({per_process:,.0f} deliveries/s each at {args.headroom:.0%} of "
         f"{m.deliveries_per_process:,.0f} x {m.scaling_efficiency:.2f} efficiency), memory {by_memory} "
         f"({m.kib_per_socket:.1f} KiB/socket)"),
        ("channel-layer Redis shards", shards, f"{layer_messages:,.0f} layer messages/s"),
        ("PostgreSQL primaries (partitions of the write load)", primaries,
         f"{args.messages:,} commits/s at {args.commits_per_primary:,} each"),
        ("PostgreSQL read replicas (per primary)", math.ceil(replicas / primaries), f"{reads:,.0f} heavy reads/s"),
        ("Celery notification worker processes", workers,
         f"{args.messages * args.notified_per_message:,.0f} rows/s; a worker writes "
         f"{m.notification_rows_per_worker_s:,.0f}/s in bulk, 25% of that for per-message tasks"),
        ("Redis for cache, presence, Celery", 1 + (args.users > 50_000), "one, plus a replica for failover past 50k"),
    ]  # fmt: skip


def main() -> None:
    args = parse_args()
    measured = load_measured()
    rows = plan(args, measured)
    if args.markdown:
        print("| Component | Count | Why |\n| --- | --- | --- |")
        for name, count, why in rows:
            print(f"| {name} | {count:,} | {why} |")
        return
    print(f"Target: {args.users:,} users online, {args.messages:,} messages/s   (measured: {measured.source})\n")
    for name, count, why in rows:
        print(f"  {name:<52}{count:>9,}   {why}")


if __name__ == "__main__":
    main()
