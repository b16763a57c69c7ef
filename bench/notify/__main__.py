"""Notification benchmark: @channel to 5,000 members, and what it costs the person posting.

    python -m bench.notify                 # the full run (about two minutes on 2 cores)
    python -m bench.notify --quick         # small numbers, to check that everything runs

1. Request path. Through the REST API (in-process, the whole Django and DRF stack, committing to
   PostgreSQL and queueing on Redis), post alternately a plain message (the baseline) and an
   @channel message to a channel of N members, and compare their latency. No worker runs here,
   so what is measured is only what the request itself does: the notification task is queued
   after commit and the 5,000 notifications are written elsewhere.
2. Notification work. With a real Celery worker on the notifications queue, post @channel and
   time from the post's commit until all N notifications exist; everyone away, then everyone
   online (N real-time events published). Beside it, in the same run, the baseline: the same rows
   written one INSERT each (rolled back), as a naive loop would.

Uses its own Redis (a redis-server on a free port, stopped at the end) and its own database.
Prints a table and writes bench/results/notify.json.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench.fanout import stack
from bench.output import machine, write_results
from bench.stats import summary

RESULTS = Path(__file__).resolve().parents[1] / "results" / "notify.json"
TARGET_SECONDS = 5.0
TARGET_P95_RATIO = 1.10


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small numbers, to check that everything runs")
    parser.add_argument("--members", type=int, default=5000, help="people in the channel")
    parser.add_argument("--posts", type=int, default=300, help="posts of each kind for the latency comparison")
    parser.add_argument("--rounds", type=int, default=3, help="@channel posts timed through the worker, per case")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/slackclone_bench_notify"),
    )
    args = parser.parse_args()
    if args.quick:
        args.members, args.posts, args.rounds = 300, 40, 1
    return args


# --- Data ------------------------------------------------------------------------------------


def seed(members: int):
    """One workspace, one channel of `members` people plus the poster, who has an API token."""
    import secrets

    from django.db import transaction

    from accounts.models import User
    from chat.models import Channel, ChannelKind, ChannelMember
    from integrations.tokens import api_token_create
    from slackclone.ids import PUBLIC_CHANNEL_PREFIX, new_public_id
    from workspaces.models import Membership, Role, Workspace

    suffix = secrets.token_hex(4)
    with transaction.atomic():
        workspace = Workspace.objects.create(name="Notify bench", slug=f"notify-{suffix}")
        channel = Channel.objects.create(
            public_id=new_public_id(PUBLIC_CHANNEL_PREFIX), workspace=workspace, kind=ChannelKind.PUBLIC, name="all"
        )
        people = User.objects.bulk_create(
            [
                User(email=f"n-{suffix}-{i}@bench.test", full_name=f"Person {i}", password="!")
                for i in range(members + 1)
            ],
            batch_size=2000,
        )
        Membership.objects.bulk_create(
            [
                Membership(user=u, workspace=workspace, role=Role.OWNER if i == 0 else Role.MEMBER)
                for i, u in enumerate(people)
            ],
            batch_size=2000,
        )
        ChannelMember.objects.bulk_create([ChannelMember(user=u, channel=channel) for u in people], batch_size=2000)
    poster = people[0]
    _, token = api_token_create(actor=None, user=poster, workspace=workspace, name="bench")
    return channel, poster, people[1:], token


# --- 1. The request path -----------------------------------------------------------------------


def request_path(channel, token: str, posts: int) -> dict:
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/v1/channels/{channel.public_id}/messages"
    kinds = {"plain": "a message without mentions", "at_channel": "<!channel> a message for everyone"}
    timings: dict[str, list[float]] = {kind: [] for kind in kinds}
    for round_number in range(posts + 20):
        order = list(kinds) if round_number % 2 == 0 else list(reversed(kinds))
        for kind in order:
            started = time.perf_counter()
            response = client.post(url, {"text": f"{kinds[kind]} {round_number}"}, content_type="application/json")
            elapsed = time.perf_counter() - started
            if response.status_code != 201:
                raise RuntimeError(f"posting a message answered {response.status_code}: {response.content!r}")
            if round_number >= 20:  # the first rounds warm caches and connections
                timings[kind].append(elapsed)
    result = {kind: summary(values) for kind, values in timings.items()}
    result["p95_ratio"] = round(result["at_channel"]["p95_ms"] / result["plain"]["p95_ms"], 3)
    return result


# --- 2. The notification work --------------------------------------------------------------------


class Worker:
    def __init__(self, log_path: Path):
        self.log_path = log_path
        self._log = log_path.open("w")
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "slackclone",
            "worker",
            "--pool=solo",
            "--queues=notifications",
        ]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"]
        self.process = subprocess.Popen(
            command, cwd=stack.BASE_DIR, env=os.environ.copy(), stdout=self._log, stderr=subprocess.STDOUT
        )

    def wait_ready(self) -> None:
        from celery import current_app

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited:\n{self.log_path.read_text()}")
            if current_app.control.ping(timeout=0.5):
                return
        raise RuntimeError("the worker did not start")

    def stop(self) -> None:
        stack.stop(self.process)
        self._log.close()


def set_everyone_online(people, online: bool) -> None:
    """Presence as the gateway writes it: a live connection entry per person, in the shared Redis store."""
    import redis
    from django.conf import settings

    from realtime.store import KEY_PREFIX

    client = redis.Redis.from_url(settings.REDIS_URL)
    with client.pipeline(transaction=False) as pipe:
        for person in people:
            key = KEY_PREFIX + "p:c:" + person.public_id
            if online:
                pipe.zadd(key, {"bench": time.time() + 600})
            else:
                pipe.delete(key)
        pipe.execute()
    client.close()


def wait_until_idle() -> None:
    """Until the worker has finished every task (the events of the previous round go out after its commit)."""
    from celery import current_app

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        active = current_app.control.inspect(timeout=1.0).active() or {}
        if active and not any(active.values()):
            return
        time.sleep(0.2)
    raise RuntimeError("the worker stayed busy for 120 s")


def time_until_notified(channel, poster, members: int) -> float:
    """Seconds from the @channel post's commit until every member's notification row exists (worker idle before)."""
    from chat.services import message_post
    from notifications.models import Notification

    wait_until_idle()
    message = message_post(sender=poster, channel=channel, text="<!channel> are you all there?")
    committed = time.perf_counter()
    while Notification.objects.filter(message=message).count() < members:
        if time.perf_counter() - committed > 120:
            raise RuntimeError("the notifications did not appear within 120 s")
        time.sleep(0.02)
    return time.perf_counter() - committed


def naive_baseline(channel, poster, people) -> float:
    """The same rows, one INSERT per recipient (rolled back): what bulk writes save."""
    from django.db import transaction

    from chat.services import message_post
    from notifications.models import Notification

    class Rollback(Exception):
        pass

    started = 0.0
    try:
        with transaction.atomic():
            message = message_post(sender=poster, channel=channel, text="<!channel> baseline")
            started = time.perf_counter()
            for person in people:
                Notification.objects.create(
                    user=person,
                    workspace_id=channel.workspace_id,
                    channel=channel,
                    message=message,
                    seq=message.seq,
                    reason="broadcast",
                    email_wanted=True,
                )
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        return elapsed


def notification_work(channel, poster, people, rounds: int, log_dir: Path) -> dict:
    worker = Worker(log_dir / "bench-notify-worker.log")
    try:
        worker.wait_ready()
        set_everyone_online(people, False)
        away = [time_until_notified(channel, poster, len(people)) for _ in range(rounds)]
        set_everyone_online(people, True)
        online = [time_until_notified(channel, poster, len(people)) for _ in range(rounds)]
        set_everyone_online(people, False)
    finally:
        worker.stop()
    return {
        "everyone_away_s": [round(s, 3) for s in away],
        "everyone_online_s": [round(s, 3) for s in online],
        "worst_s": round(max(away + online), 3),
        "naive_one_insert_each_s": round(naive_baseline(channel, poster, people), 3),
    }


def print_table(results: dict) -> None:
    latency, work = results["request_path"], results["notification_work"]
    print(f"\nPosting to a channel of {results['members']:,} members (REST API, {latency['plain']['n']} posts each)")
    print(f"{'message':<26}{'mean ms':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for kind, label in (("plain", "no mentions (baseline)"), ("at_channel", "@channel")):
        row = latency[kind]
        print(f"{label:<26}{row['mean_ms']:>9.2f}{row['p50_ms']:>9.2f}{row['p95_ms']:>9.2f}{row['p99_ms']:>9.2f}")
    print(f"p95 @channel / baseline: {latency['p95_ratio']:.3f} (target <= {TARGET_P95_RATIO})")
    print(f"\n@channel to {results['members']:,}: post committed -> every notification written (Celery worker)")
    print(f"{'case':<34}{'seconds':>30}")
    print(f"{'everyone away (email batches too)':<34}{', '.join(f'{s:.2f}' for s in work['everyone_away_s']):>30}")
    print(f"{'everyone online (N events)':<34}{', '.join(f'{s:.2f}' for s in work['everyone_online_s']):>30}")
    print(f"{'baseline: one INSERT each':<34}{work['naive_one_insert_each_s']:>30.2f}")
    print(f"worst: {work['worst_s']:.2f} s (target <= {TARGET_SECONDS} s)")


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt  # so the finally blocks stop the worker and Redis this run started


def main() -> None:
    signal.signal(signal.SIGTERM, _interrupt)
    args = parse_args()
    redis, redis_url = stack.start_redis()
    try:
        # no email goes out during the run
        stack.use_environment(args.database_url, redis_url, NOTIFY_EMAIL_DELAY_SECONDS="3600")
        stack.ensure_database(args.database_url)
        import django

        django.setup()
        channel, poster, people, token = seed(args.members)
        started = time.time()
        latency = request_path(channel, token, args.posts)
        from slackclone.celery import app

        app.control.purge()  # the notification tasks those posts queued: not part of what follows
        work = notification_work(channel, poster, people, args.rounds, RESULTS.parent)
    finally:
        stack.stop(redis)
    results = {
        "members": args.members,
        "request_path": latency,
        "notification_work": work,
        "targets": {"notify_seconds": TARGET_SECONDS, "p95_ratio": TARGET_P95_RATIO},
        "met": {
            "notify_within_target": work["worst_s"] <= TARGET_SECONDS,
            "p95_within_target": latency["p95_ratio"] <= TARGET_P95_RATIO,
        },
        "machine": machine(),
        "seconds": round(time.time() - started, 1),
    }
    where = write_results(RESULTS, results, quick=args.quick)
    print_table(results)
    print(where)


if __name__ == "__main__":
    main()
