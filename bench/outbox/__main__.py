"""Outbox benchmark: how fast the relay hands jobs to the broker, how fast workers finish them, what idling costs.

    python -m bench.outbox                 # 20,000 jobs (about a minute on 2 cores)
    python -m bench.outbox --quick         # 2,000 jobs, to check that everything runs

1. Relay. N ping jobs are committed with the fast path off (as when the broker was down at their
   commits). The relay (`jobs_relay_due`, batches of 500) hands them all to the broker: claimed, marked
   sent and published. Beside it, in the same run, the baseline: the same N tasks published straight
   to the broker with apply_async, as the fast path does, with no database work.
2. Through to done. N more jobs; `manage.py outbox_relay` and two worker processes (solo pool), already
   running, hand over and run them; the time from the moment they fall due until the last row is done.
3. Idle. The relay process's CPU over --idle seconds with nothing to do.

Uses its own Redis (a redis-server on a free port, stopped at the end) and its own database.
Prints a table and writes bench/results/outbox.json.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.fanout import stack
from bench.output import machine, write_results

RESULTS = Path(__file__).resolve().parents[1] / "results" / "outbox.json"
TARGET_JOBS_PER_SECOND = 2000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small numbers, to check that everything runs")
    parser.add_argument("--jobs", type=int, default=20000, help="jobs per phase")
    parser.add_argument("--idle", type=float, default=20.0, help="seconds the idle relay is watched")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/slackclone_bench_outbox"),
    )
    args = parser.parse_args()
    if args.quick:
        args.jobs, args.idle = 2000, 3.0
    return args


def commit_jobs(count: int) -> None:
    """`count` ping jobs, 100 per transaction, through job_enqueue (the fast path is off in this run)."""
    from django.db import transaction

    from outbox.services import job_enqueue

    for start in range(0, count, 100):
        with transaction.atomic():
            for number in range(start, min(start + 100, count)):
                job_enqueue("outbox.ping", f"bench {number}")


def due_now() -> None:
    from django.utils import timezone

    from outbox.models import OPEN_STATES, OutboxJob

    OutboxJob.objects.filter(state__in=OPEN_STATES).update(relay_at=timezone.now())


def relay_phase(count: int) -> dict:
    from outbox.models import OutboxJob
    from outbox.services import jobs_relay_due
    from outbox.tasks import run_jobs
    from slackclone.celery import app

    commit_jobs(count)
    due_now()
    started = time.perf_counter()
    relayed = 0
    while batch := jobs_relay_due(limit=500):
        relayed += batch
    relay_seconds = time.perf_counter() - started
    app.control.purge()  # and their rows: the next phase counts its own jobs only
    OutboxJob.objects.all().delete()
    started = time.perf_counter()
    for number in range(count):
        run_jobs.apply_async(([number],), queue="default", routing_key="default")
    publish_seconds = time.perf_counter() - started
    app.control.purge()
    return {
        "jobs": relayed,
        "relay_jobs_per_s": round(relayed / relay_seconds),
        "baseline_publish_only_per_s": round(count / publish_seconds),
    }


def spawn(argv: list[str], log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(argv, cwd=stack.BASE_DIR, env=os.environ.copy(), stdout=out, stderr=subprocess.STDOUT)


def wait_done(count_open, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while count_open():
        if time.monotonic() > deadline:
            raise RuntimeError(f"jobs still open after {timeout} s")
        time.sleep(0.05)


def through_phase(count: int, idle: float, log_dir: Path) -> dict:
    from outbox.models import OPEN_STATES, OutboxJob

    OutboxJob.objects.all().delete()  # a previous run's rows

    celery = [sys.executable, "-m", "celery", "-A", "slackclone", "worker", "--pool=solo", "--queues=default"]
    celery += ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"]
    workers = [spawn([*celery, f"--hostname=bench{n}@%h"], log_dir / f"bench-outbox-worker{n}.log") for n in (1, 2)]
    relay = spawn([sys.executable, "manage.py", "outbox_relay", "--interval", "0.2"], log_dir / "bench-relay.log")
    try:
        time.sleep(5)  # the workers connect, the relay starts
        commit_jobs(count)  # not yet due for the relay: the fast path has its grace
        due_now()
        started = time.perf_counter()
        wait_done(lambda: OutboxJob.objects.filter(state__in=OPEN_STATES).exists())
        done_seconds = time.perf_counter() - started
        before = stack.cpu_seconds(relay.pid)
        time.sleep(idle)
        idle_cpu = stack.cpu_seconds(relay.pid) - before
    finally:
        for process in [*workers, relay]:
            stack.stop(process)
    return {
        "jobs": count,
        "done_jobs_per_s": round(count / done_seconds),
        "idle_relay_cpu_percent": round(100 * idle_cpu / idle, 2),
        "idle_seconds": idle,
    }


def print_table(results: dict) -> None:
    relay, through = results["relay"], results["through"]
    print(f"\nOutbox, {relay['jobs']:,} jobs per phase ({results['machine']['cpus']} cores)")
    print(f"{'measure':<52}{'jobs/s':>10}")
    print(f"{'baseline: publish straight to the broker (fast path)':<52}{relay['baseline_publish_only_per_s']:>10,}")
    print(f"{'relay: claim, mark sent, publish':<52}{relay['relay_jobs_per_s']:>10,}")
    print(f"{'relay process + 2 workers: committed -> done':<52}{through['done_jobs_per_s']:>10,}")
    print(f"idle relay: {through['idle_relay_cpu_percent']:.2f}% of a core over {through['idle_seconds']:g} s")
    print(f"relay target: >= {TARGET_JOBS_PER_SECOND:,} jobs/s")


def main() -> None:
    args = parse_args()
    redis, redis_url = stack.start_redis()
    try:
        stack.use_environment(args.database_url, redis_url, OUTBOX_FAST_PATH_SECONDS="-1")
        stack.ensure_database(args.database_url)
        import django

        django.setup()
        started = time.time()
        relay = relay_phase(args.jobs)
        through = through_phase(args.jobs, args.idle, RESULTS.parent)
    finally:
        stack.stop(redis)
    results = {
        "relay": relay,
        "through": through,
        "target_jobs_per_s": TARGET_JOBS_PER_SECOND,
        "met": relay["relay_jobs_per_s"] >= TARGET_JOBS_PER_SECOND,
        "machine": machine(),
        "seconds": round(time.time() - started, 1),
    }
    where = write_results(RESULTS, results, quick=args.quick)
    print_table(results)
    print(where)


if __name__ == "__main__":
    main()
