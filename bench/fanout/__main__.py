"""Fan-out benchmark: the real-time gateway beside the Channels-tutorial baseline, same client, same Redis.

    python -m bench.fanout                 # the full run (about 15 minutes on 2 cores)
    python -m bench.fanout --quick         # a functional run with small numbers
    python -m bench.fanout --scenarios busy --baseline-dir ../wt-base   # one busy channel, before and after
    python -m bench.fanout --scenarios busy --busy-asgi 2   # the same on two Uvicorn processes sharing Redis
    python -m bench.fanout --servers slackclone-uvicorn,mosquitto,nchan --scenarios ladder   # beside peers

For each server (one Daphne process each) and each N, N clients sit in one channel while
messages are posted at fixed rates (a ladder, stopping at the first rate that misses p99 <= 250 ms
or loses a message). Each message carries its send time; every client records post-to-receipt
latency, and the run counts lost and duplicated deliveries. Ours persists every message
(chat.services.message_post, posted over the socket); the baseline stores nothing, and neither do the
peers (bench/fanout/peers.py: mosquitto over MQTT-over-WebSocket, nginx with nchan), driven by the same client.
Then: memory of 10,000 idle sockets in one process, and 2,000 clients reconnecting and resuming.
`busy` (bench/fanout/busy.py, only when asked for): many posters into one channel, post latency and
the database's seq checked, for another checkout's code (the baseline) and this one.
Prints a table and writes bench/results/fanout.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import signal
import time
from pathlib import Path

from bench.fanout import busy, stack
from bench.fanout.busy import run_busy
from bench.fanout.peers import start_server
from bench.fanout.scenarios import Server, idle_memory, rate_ladder, reconnect_storm

RESULTS = Path(__file__).resolve().parents[1] / "results" / "fanout.json"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small numbers, to check that everything runs")
    parser.add_argument("--sizes", default="100,1000,5000", help="clients in the channel")
    parser.add_argument("--rates", default="1,2,5,10,20,50,100,200", help="messages per second, the ladder")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of posting per rate")
    parser.add_argument("--idle", type=int, default=10_000, help="idle sockets for the memory measure")
    parser.add_argument("--reconnect", type=int, default=2_000, help="clients in the reconnect storm")
    parser.add_argument("--reconnect-window", type=float, default=5.0, help="seconds over which they reconnect")
    parser.add_argument(
        "--servers",
        default="slackclone-uvicorn,slackclone,baseline",
        help="of slackclone-uvicorn, slackclone (Daphne), baseline (the Channels tutorial), "
        "before-uvicorn (slackclone-uvicorn from --baseline-dir), and the peers mosquitto and nchan",
    )
    parser.add_argument(
        "--scenarios",
        default="idle,ladder,reconnect",
        help="which of idle, ladder, reconnect, busy to run (comma-separated)",
    )
    parser.add_argument("--posters", type=int, default=50, help="busy: posters in the one channel")
    parser.add_argument("--busy-rates", default="50,100,200,300", help="busy: posts per second, the ladder")
    parser.add_argument(
        "--busy-asgi",
        type=int,
        default=1,
        help="busy: Uvicorn processes of the code under test, one database and Redis; poster i on process i %% N",
    )
    parser.add_argument("--lock-seconds", type=float, default=10.0, help="busy: seconds of direct posting (0: none)")
    parser.add_argument("--skip", default="", help="busy: busy-socket to measure the lock hold only")
    parser.add_argument(
        "--baseline-dir",
        type=Path,
        help="a checkout (worktree) whose code is the baseline: busy, and the before-uvicorn server",
    )
    parser.add_argument("--output", type=Path, help=f"where the JSON results go (default {RESULTS})")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/slackclone_bench"),
    )
    args = parser.parse_args()
    if args.busy_asgi < 1:
        parser.error("--busy-asgi needs at least one process")
    if args.quick:
        args.sizes, args.rates, args.duration, args.idle, args.reconnect = "50,200", "5,20", 2.0, 500, 200
    return args


def table(rows: list[dict]) -> str:
    header = (
        f"{'server':<19}{'stores':>7}{'clients':>8}{'msg/s':>7}{'deliv/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}{'lost':>7}{'dup':>6}{'KiB/conn':>10}{'srv µs/d':>10}{'cli µs/d':>10}"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(
            f"{r['server']:<19}{'yes' if r['stores'] else 'no':>7}{r['clients']:>8}{r['rate']:>7}"
            f"{r['deliveries_per_s']:>10.0f}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}{r['p99_ms']:>9.1f}{r['max_ms']:>9.1f}{r['lost']:>7}{r['duplicated']:>6}"
            f"{r['kib_per_connection']:>10.1f}{r.get('server_us_per_delivery', math.nan):>10.1f}"
            f"{r.get('client_us_per_delivery', math.nan):>10.1f}"
        )
    return "\n".join(lines)


def best_rates(rows: list[dict]) -> dict:
    """Per server and N: the highest rate held with p99 <= 250 ms and nothing lost, and its deliveries/s."""
    best: dict = {}
    for r in rows:
        key = f"{r['server']}@{r['clients']}"
        if r["held"] and r["deliveries_per_s"] > best.get(key, {}).get("deliveries_per_s", -1):
            best[key] = {"rate": r["rate"], "deliveries_per_s": r["deliveries_per_s"], "p99_ms": r["p99_ms"]}
    return best


async def run(args: argparse.Namespace, data, redis_url: str) -> dict:
    sizes = [int(n) for n in args.sizes.split(",")]
    rates = [int(r) for r in args.rates.split(",")]
    scenarios = set(args.scenarios.split(","))
    rows, idle, storm, busy = [], {}, {}, {}
    if "busy" in scenarios:
        busy_rates = [int(r) for r in args.busy_rates.split(",")]
        busy_rates = busy_rates if "busy-socket" not in args.skip else []
        busy = await run_busy(
            args.posters, busy_rates, args.duration, args.baseline_dir, args.lock_seconds, asgi=args.busy_asgi
        )
    for kind in args.servers.split(",") if scenarios - {"busy"} else []:
        server = start_server(kind, data, args.baseline_dir)
        try:
            if "idle" in scenarios:
                idle[kind] = await idle_memory(server, args.idle)
                print(f"{kind}: {args.idle} idle sockets, {idle[kind]['kib_per_connection']:.1f} KiB each", flush=True)
            for clients in sizes if "ladder" in scenarios else []:
                rows += await rate_ladder(server, clients, rates, args.duration)
                print(table([r for r in rows if r["server"] == kind and r["clients"] == clients]), flush=True)
            if server.ours and "reconnect" in scenarios:
                # On a fresh process, as after a restart: what the ladder left behind is not the storm's.
                server.stop()
                server = Server.start(kind, data, args.baseline_dir)
                storm[kind] = await reconnect_storm(server, args.reconnect, args.reconnect_window)
                print(f"{kind} reconnect storm: {json.dumps(storm[kind])}", flush=True)
        finally:
            server.stop()
    return {"rows": rows, "best": best_rates(rows), "idle": idle, "reconnect": storm, "busy": busy}


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt  # so the finally blocks stop the servers and Redis this run started


def main() -> None:
    signal.signal(signal.SIGTERM, _interrupt)
    args = parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
    redis, redis_url = stack.start_redis()
    try:
        os.environ.update(
            DATABASE_URL=args.database_url,
            REDIS_URL=redis_url,
            SECRET_KEY=os.environ.get("SECRET_KEY", "bench-" + "x" * 40),
            DEBUG="0",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            LOG_LEVEL="WARNING",
        )
        stack.ensure_database(args.database_url)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "slackclone.settings")
        import django

        django.setup()
        from bench.fanout.seed import seed

        members = max([int(n) for n in args.sizes.split(",")] + [args.idle, args.reconnect]) + 40
        data = seed(members) if set(args.scenarios.split(",")) - {"busy"} else None
        started = time.time()
        import uvloop  # the client's own loop: less of the machine spent measuring

        results = uvloop.run(run(args, data, redis_url))
    finally:
        stack.stop(redis)
    results["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version()}
    results["seconds"] = round(time.time() - started, 1)
    written = RESULTS if data is not None else RESULTS.with_name("fanout_busy.json")  # a busy-only run
    written = args.output or written
    written.parent.mkdir(parents=True, exist_ok=True)
    written.write_text(json.dumps(results, indent=2))
    if results["rows"]:
        print()
        print(table(results["rows"]))
        print("\nHighest rate held (p99 <= 250 ms, nothing lost):")
        for key, best in results["best"].items():
            print(f"  {key:<20} {best['rate']:>5} msg/s  {best['deliveries_per_s']:>9.0f} deliveries/s")
    if results["busy"].get("lock_hold"):
        print("\nOne busy channel, posting directly (message_post in 4 processes; lock held from lock to commit):")
        print(busy.lock_table(results["busy"]["lock_hold"]))
    if results["busy"].get("socket"):
        print("\nOne busy channel over the socket (held: post p99 <= 100 ms, all acknowledged, gapless, stored once):")
        print(busy.table(results["busy"]["socket"]))
    print(f"\nWritten to {written}")


if __name__ == "__main__":
    main()
