"""The chaos soak: `python -m bench.chaos [--duration 600] [--clients 500] [--channels 50] [--seed 1]`
(`make chaos`).

Starts a loopback cluster of its own in var/cluster-chaos, runs socket clients that post (retrying each
client_msg_id until acknowledged), edit, react, @mention and reconnect at random, while a seeded schedule
SIGKILLs and restarts an ASGI process, the notifications worker, a channel-layer Redis shard, the broker
Redis and the PostgreSQL primary; after each, any application process that exited by itself is started
again, as a supervisor would, and reported (faults.supervise). Then it checks the database and every client's
record (bench/chaos/checks.py), prints a table of the faults, writes bench/results/chaos.json, stops the
cluster by its pids (also on SIGTERM), and exits 1 if any check failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.chaos import faults
from bench.chaos.checks import Verdict, drain_outbox, outbox_stuck, verify
from bench.chaos.report import latency_numbers, print_table, summarise_faults
from bench.chaos.workload import Workload
from cluster.down import stop_cluster
from cluster.layout import BASE_DIR, Layout
from cluster.up import start_cluster
from slackclone.testing.processes import free_port

CHAOS_DIR = BASE_DIR / "var" / "cluster-chaos"
RESULTS = BASE_DIR / "bench" / "results" / "chaos.json"
CATCH_UP_TIMEOUT = 120.0
SETTLE_TIMEOUT = 120.0
DRAIN_TIMEOUT = 180.0
ASGI_PROCESSES = 3


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=600.0, help="seconds of workload (faults included)")
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--channels", type=int, default=50)
    parser.add_argument("--rate", type=float, default=20.0, help="client actions a second, all clients together")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, help="each fault this many times (default: 2, 1 under 300 s)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.clients < 2 * args.channels:
        parser.error("--clients must be at least twice --channels (a mention needs another member)")
    args.repeats = args.repeats or (2 if args.duration >= 300 else 1)
    return args


def assert_loopback(layout: Layout) -> None:
    """Refuse anything but a cluster on 127.0.0.1: every URL the application and the soak use."""
    env = layout.env()
    urls = [layout.base_url, layout.database_url, layout.replica_url, env["REDIS_URL"]]
    urls += env["CHANNEL_LAYER_URLS"].split(",")
    urls += [layout.patroni_api(m) for m in layout.members]
    for url in urls:
        netloc = urlsplit(url).netloc.rsplit("@", 1)[-1]
        hosts = {part.rsplit(":", 1)[0] for part in netloc.split(",")}
        if hosts != {"127.0.0.1"}:
            raise SystemExit(f"refusing to run: {url} is not on 127.0.0.1")
    if Path(layout.dir).resolve() != CHAOS_DIR.resolve():
        raise SystemExit(f"refusing to run: the cluster is not the soak's own ({CHAOS_DIR})")


def seed_people(layout: Layout, channels: int, members: int) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "bench.chaos.seed", str(channels), str(members)],
        cwd=BASE_DIR,
        env=layout.env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


async def run_faults(
    layout: Layout, workload: Workload, plan: list[faults.Fault], started: float, seed: int, exited: list[str]
):
    """Each fault in turn at its planned time (or once the previous one has caught up), then its catch-up;
    then any process that exited by itself meanwhile is started again and noted in `exited`."""
    rng = random.Random(seed + 1)
    for fault in plan:
        await asyncio.sleep(max(0.0, started + fault.planned_at - time.monotonic()))
        print(f"  [{time.monotonic() - started:6.1f} s] {fault.kind}", flush=True)
        try:
            await asyncio.to_thread(faults.inject, layout, fault, rng)
        except Exception as error:  # a fault that could not be injected is reported, and fails the run
            fault.error = f"{type(error).__name__}: {error}"
            print(f"    could not inject: {fault.error}", flush=True)
            continue
        # In sync: posting works again in every channel, and every client has every message acknowledged
        # by then (so a live event lost to the fault must have been found by its gap, or by a resume).
        restarted = fault.restarted_at or time.monotonic()
        if await workload.wait_until(lambda r=restarted: workload.acked_since(r), CATCH_UP_TIMEOUT, "posting again"):
            fault.catch_up_target = target = workload.acked_top()
            if await workload.wait(lambda c, t=target: c.top >= t[c.channel], CATCH_UP_TIMEOUT, "in sync"):
                fault.synced_at = time.monotonic()
        if fault.kind == "postgres":
            await asyncio.to_thread(faults.wait_rejoined, layout, fault)
        print(f"    {fault.target}: {fault.detail or 'restarted'}", flush=True)
        await supervise(layout, exited, after=fault.kind)


async def supervise(layout: Layout, exited: list[str], *, after: str) -> None:
    for process in await asyncio.to_thread(faults.supervise, layout):
        exited.append(f"after {after}: {process}")
        print(f"    exited by itself, started again: {process}", flush=True)


async def soak(layout: Layout, population: dict, args: argparse.Namespace) -> tuple[Workload, list, dict]:
    workload = Workload(layout, population, rate=args.rate, seed=args.seed)
    plan = faults.plan(args.seed, args.duration, args.repeats)
    timing: dict = {"exited": []}
    try:
        await workload.connect()
        started = time.monotonic()
        workload.start_actions()
        fault_task = asyncio.ensure_future(run_faults(layout, workload, plan, started, args.seed, timing["exited"]))
        await asyncio.sleep(args.duration)
        await fault_task  # a fault still catching up is finished before the workload stops
        await supervise(layout, timing["exited"], after="the workload")
        timing["workload_seconds"] = time.monotonic() - started
        print(
            f"  [{timing['workload_seconds']:6.1f} s] settling: every post acknowledged, every client in sync",
            flush=True,
        )
        timing["settle"] = await workload.settle(SETTLE_TIMEOUT)
        timing["started"] = started
    finally:
        await workload.close()
    return workload, plan, timing


def dropped_live_events(layout: Layout) -> dict[str, int]:
    """Events whose channel-layer send failed after their commit (each ASGI process logs every one), by the
    error's last line: a shard that was down ("Connection refused"), or a pooled connection to a server
    that has restarted since ("Connection closed by server"). Clients get those messages from a resume,
    after a gap or a reconnect, not live."""
    needle = "Error calling _on_commit.<locals>.send_after_commit"
    counts: dict[str, int] = {}
    for path in (layout.path / "log").glob("asgi-*.log"):
        for line in path.read_text(errors="replace").splitlines():
            if needle in line:
                message = line.split(" during transaction (", 1)[-1].rstrip(").")
                refused = any(text in message for text in ("Connection refused", "Connect call failed"))
                reason = "connection refused" if refused else message
                counts[reason] = counts.get(reason, 0) + 1
    return counts


def exit_on_sigterm() -> None:
    """SIGTERM (a test's time limit, `kill`) unwinds like Ctrl-C, so the cluster is still stopped by its pids."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    exit_on_sigterm()
    stop_cluster(CHAOS_DIR)  # whatever an interrupted soak left; the directory is the soak's alone
    shutil.rmtree(CHAOS_DIR, ignore_errors=True)
    print(f"Starting a cluster in {CHAOS_DIR} …", flush=True)
    layout = start_cluster(CHAOS_DIR, nginx_port=free_port(), asgi=ASGI_PROCESSES)
    try:
        assert_loopback(layout)
        population = seed_people(layout, args.channels, args.clients // args.channels)
        print(
            f"{args.clients} clients in {args.channels} channels, {args.duration:.0f} s, seed {args.seed}", flush=True
        )
        workload, plan, timing = asyncio.run(soak(layout, population, args))
        print("Draining the outbox, then checking the database and every client …", flush=True)
        drained_in, outbox = drain_outbox(layout, DRAIN_TIMEOUT)
        if outbox["due_open"]:
            print("\n".join(["The outbox did not drain:", *outbox_stuck(layout)]), flush=True)
        verdict = Verdict()
        verify(layout, workload, outbox, verdict)
    finally:
        print("Stopping the cluster …", flush=True)
        stop_cluster(CHAOS_DIR)
    verdict.check("every_fault_injected", all(not f.error for f in plan), "; ".join(f.error for f in plan if f.error))
    settle = timing.get("settle", {})
    verdict.check(
        "clients_settled",
        bool(settle.get("acknowledged") and settle.get("in_sync")),
        f"every post acknowledged and every client in sync after {settle.get('rounds')} settle round(s)",
    )
    verdict.numbers["settle"] = settle
    verdict.numbers["live_events_dropped"] = dropped_live_events(layout)
    verdict.check("every_fault_caught_up", all(f.synced_at for f in plan if not f.error), "within 120 s of restart")
    verdict.numbers["outbox"]["drain_seconds"] = round(drained_in, 1)
    return report(args, workload, plan, timing, verdict)


def report(args, workload: Workload, plan: list, timing: dict, verdict: Verdict) -> int:
    rows = summarise_faults(workload, plan, timing["started"])
    latency = latency_numbers(workload, plan)
    print_table(rows, latency, verdict)
    result = {
        "command": f"python -m bench.chaos --duration {args.duration:g} --clients {args.clients} "
        f"--channels {args.channels} --rate {args.rate:g} --seed {args.seed}",
        "workload_seconds": round(timing["workload_seconds"], 1),
        "faults": rows,
        "latency_ms": latency,
        "http_actions": {"done": workload.http_done, "failed": len(workload.http_failures)},
        # Processes no fault killed that exited anyway, started again as a supervisor would (faults.supervise).
        "exited_by_themselves": timing["exited"],
        **verdict.numbers,
        "passed": not verdict.failures,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    settle = verdict.numbers.get("settle", {})
    print(f"live events whose layer send failed after commit (ASGI logs): {verdict.numbers['live_events_dropped']}")
    print(f"clients that missed a settle post live (tail not revealed by a gap): {len(settle.get('tail_missed', []))}")
    print(f"processes that exited by themselves and were started again: {timing['exited'] or 'none'}")
    print(f"\nWrote {args.output}")
    for failure in verdict.failures:
        print(f"FAILED {failure}")
    return 1 if verdict.failures else 0


if __name__ == "__main__":
    sys.exit(main())
