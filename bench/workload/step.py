"""One run: its own Redis, database and stack, then each step's company, people and measures."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import signal
import subprocess
import tempfile
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import dj_database_url

from bench.fanout import stack
from bench.workload.checks import check_losses, stored_posts
from bench.workload.company import Company, Shape, seed_company
from bench.workload.http import HttpPool
from bench.workload.layout import SingleLayout
from bench.workload.people import People
from bench.workload.report import step_row, supported_users
from bench.workload.schedule import Rates

LOOPBACK_NAMES = ("localhost",)
SETTLE_LIMIT_S = 60.0  # after the sockets open, presence batches and hello work settle within this
DRAIN_S = 3.0  # after the last action, until this long passes without a delivery
DRAIN_LIMIT_S = 60.0


class TimeLimit(KeyboardInterrupt):
    """The run's --max-seconds passed."""


class Deadline:
    """--max-seconds as SIGALRM, and SIGTERM: both stop the run, which then cleans up.

    Outside an event loop the handler raises where the main thread is (TimeLimit, or
    KeyboardInterrupt for SIGTERM). Inside one it must not: an exception raised in a transport
    callback is logged by the loop as a fatal transport error and the run goes on. There it cancels
    the step's task instead, and the step raises once the loop has unwound.
    """

    def __init__(self) -> None:
        self.stop: type[BaseException] | None = None
        self.task: asyncio.Task | None = None
        self.previous: dict[int, Any] = {}

    def arm(self, seconds: float) -> None:
        for signum in (signal.SIGALRM, signal.SIGTERM):
            self.previous[signum] = signal.signal(signum, self._fire)
        signal.setitimer(signal.ITIMER_REAL, seconds)

    def disarm(self) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
        self.previous.clear()

    def _fire(self, signum: int, frame: object) -> None:
        self.stop = self.stop or (TimeLimit if signum == signal.SIGALRM else KeyboardInterrupt)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise self.stop from None
        if self.task is None:
            raise self.stop
        loop.call_soon_threadsafe(self.task.cancel)
        signal.setitimer(signal.ITIMER_REAL, 5.0)  # once more, should a cancellation be swallowed

    def run_step(self, step: Coroutine[Any, Any, dict]) -> dict:
        """Run one step's coroutine on a fresh loop, raising the stop if a signal came meanwhile."""
        import uvloop

        async def watched() -> dict:
            self.task = asyncio.current_task()
            try:
                return await step
            finally:
                self.task = None

        try:
            row = uvloop.run(watched())
        except asyncio.CancelledError:
            if self.stop is not None:
                raise self.stop from None
            raise
        if self.stop is not None:
            raise self.stop
        return row


def loopback_error(host: str, database_url: str) -> str | None:
    """Why these addresses are refused, or None: the load may only ever be aimed at this machine."""
    database_host = dj_database_url.parse(database_url).get("HOST") or "localhost"
    for what, name in (("--host", host), ("--database-url", database_host)):
        if name in LOOPBACK_NAMES:
            continue
        try:
            if ipaddress.ip_address(name.strip("[]")).is_loopback:
                continue
        except ValueError:
            pass
        return f"{what} names {name!r}: only loopback (127.0.0.1, ::1, localhost) may be loaded"
    return None


class Run:
    def __init__(self, args: argparse.Namespace, rates: Rates, shape: Shape):
        self.args, self.rates, self.shape = args, rates, shape
        self.steps: list[dict] = []
        self.redis: subprocess.Popen | None = None
        self.layout: SingleLayout | None = None
        self.created_database = False
        self.database = str(dj_database_url.parse(args.database_url)["NAME"])
        self.deadline = Deadline()

    def execute(self, sizes: list[int]) -> None:
        self.redis, redis_url = stack.start_redis()
        stack.use_environment(self.args.database_url, redis_url)
        self.created_database = not _database_exists(self.args.database_url, self.database)
        stack.ensure_database(self.args.database_url)
        import django

        django.setup()
        log_dir = Path(tempfile.mkdtemp(prefix="workload-"))
        self.layout = SingleLayout(self.args.database_url, self.database, log_dir)
        self.layout.start()
        print(f"layout {self.args.layout}: ASGI on 127.0.0.1:{self.layout.port}, logs in {log_dir}", flush=True)
        for number, people in enumerate(sizes):
            company = seed_company(people, self.shape, seed=self.args.seed + number)
            print(f"{people} people seeded in {company.seconds:.1f} s", flush=True)
            row = self.deadline.run_step(self._measure(company, seed=self.args.seed * 1000 + number))
            self.layout.check_alive()
            self.steps.append(row)
            print(_progress(row), flush=True)

    async def _measure(self, company: Company, *, seed: int) -> dict:
        layout, redis = self.layout, self.redis
        if layout is None or redis is None:
            raise RuntimeError("the stack is not running")
        http = HttpPool(layout.port, self.args.http_connections)
        people = People(
            company, layout.port, self.rates, seed=seed, http=http, weight_exponent=self.args.weight_exponent
        )
        failed = await people.connect()
        connected = bytearray(client is not None for client in people.clients)
        await people.warm_up(self.args.http_connections)
        await _settle(layout)
        cpu_before = layout.cpu(redis.pid)
        started = time.monotonic()
        await people.run(self.args.seconds, self.args.http_connections)
        await people.drain(DRAIN_S, DRAIN_LIMIT_S)
        cpu_after = layout.cpu(redis.pid)
        window = time.monotonic() - started
        people.close_all()
        http.close()
        stored = await asyncio.to_thread(stored_posts, company.workspace_pk)
        members = {c.pk: c.members for c in company.conversations}
        losses = check_losses(stored, members, people.delivered, people.reconnected, len(people.sent_conv), connected)
        await asyncio.sleep(1.0)  # the sockets close before the next step opens its own
        cpu = {name: round(cpu_after[name] - cpu_before.get(name, 0.0), 2) for name in cpu_after}
        machine = cpu.pop("machine")
        cpu["others"] = round(max(0.0, machine - sum(cpu.values())), 2)  # other work sharing the cores
        return step_row(company, people, losses, cpu, window, failed, self.args.seconds)

    def results(self) -> dict:
        return {
            "layout": self.args.layout,
            "rates_per_person_per_minute": self.rates.as_dict(),
            "shape": vars(self.shape),
            "seconds_per_step": self.args.seconds,
            "steps": self.steps,
            "supported_users": supported_users(self.steps),
        }

    def cleanup(self) -> None:
        """Stop what this run started, by pid, and drop the database it created."""
        if self.layout is not None:
            self.layout.stop()
        stack.stop(self.redis)
        if self.created_database and not self.args.keep_database:
            from django.db import connections

            connections.close_all()
            _drop_database(self.args.database_url, self.database)


async def _settle(layout: SingleLayout, busy: float = 0.1) -> None:
    """Until the ASGI process is idle (under a tenth of a core), so the opening is not measured as load."""
    deadline = time.monotonic() + SETTLE_LIMIT_S
    while time.monotonic() < deadline:
        before = layout.cpu_of("asgi")
        await asyncio.sleep(0.5)
        if layout.cpu_of("asgi") - before < busy * 0.5:
            return


def _admin_url(database_url: str) -> str:
    config = dj_database_url.parse(database_url)
    return f"postgresql://{config['USER']}@{config['HOST']}:{config['PORT'] or 5432}/postgres"


def _database_exists(database_url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(_admin_url(database_url), autocommit=True) as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def _drop_database(database_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(_admin_url(database_url), autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _progress(row: dict) -> str:
    delivery = row["delivery"]
    return (
        f"  {row['users']} people: {row['posts']} posts, {row['deliveries']} deliveries, delivery p99 "
        f"{delivery['p99_ms']} ms, HTTP p99 {row['http_all']['p99_ms']} ms, errors {sum(row['errors'].values())}, "
        f"lost {row['lost']}, {'held' if row['held'] else 'not held'}"
    )
