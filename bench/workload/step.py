"""One run: its stack (`single` or `cluster`), then each step's company, people and measures."""

from __future__ import annotations

import argparse
import asyncio
import signal
import tempfile
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import dj_database_url

from bench.workload.checks import check_losses, stored_posts
from bench.workload.cluster_layout import ClusterLayout
from bench.workload.company import Company, Shape, seed_company
from bench.workload.http import HttpPool
from bench.workload.layout import SingleLayout, StackLayout, is_loopback
from bench.workload.people import People
from bench.workload.report import step_row, supported_users
from bench.workload.schedule import Rates

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
        if not is_loopback(name):
            return f"{what} names {name!r}: only loopback (127.0.0.1, ::1, localhost) may be loaded"
    return None  # a cluster's own addresses are checked once it runs (cluster_layout.cluster_loopback_error)


def new_layout(args: argparse.Namespace) -> StackLayout:
    if args.layout == "cluster":
        return ClusterLayout(asgi=args.asgi)
    log_dir = Path(tempfile.mkdtemp(prefix="workload-"))
    return SingleLayout(args.database_url, log_dir, keep_database=args.keep_database)


class Run:
    def __init__(self, args: argparse.Namespace, rates: Rates, shape: Shape):
        self.args, self.rates, self.shape = args, rates, shape
        self.steps: list[dict] = []
        self.layout: StackLayout | None = None
        self.deadline = Deadline()

    def execute(self, sizes: list[int]) -> None:
        self.layout = new_layout(self.args)
        self.layout.start()
        import django

        django.setup()
        print(f"layout {self.args.layout}: {self.layout.describe()}", flush=True)
        for number, people in enumerate(sizes):
            company = seed_company(people, self.shape, seed=self.args.seed + number)
            print(f"{people} people seeded in {company.seconds:.1f} s", flush=True)
            row = self.deadline.run_step(self._measure(company, seed=self.args.seed * 1000 + number))
            self.layout.check_alive()
            self.steps.append(row)
            print(_progress(row), flush=True)

    async def _measure(self, company: Company, *, seed: int) -> dict:
        layout = self.layout
        if layout is None:
            raise RuntimeError("the stack is not running")
        http = HttpPool(layout.port, self.args.http_connections)
        people = People(
            company,
            layout.port,
            self.rates,
            seed=seed,
            http=http,
            weight_exponent=self.args.weight_exponent,
            marks_over_http=self.args.marks_over_http,
            send_views=not self.args.no_view,
            follow_presence=not self.args.no_presence_sub,
        )
        failed = await people.connect()
        connected = bytearray(client is not None for client in people.clients)
        await people.warm_up(self.args.http_connections)
        await _settle(layout)
        cpu_before = layout.cpu()
        started = time.monotonic()
        await people.run(self.args.seconds, self.args.http_connections)
        await people.drain(DRAIN_S, DRAIN_LIMIT_S)
        cpu_after = layout.cpu()
        window = time.monotonic() - started
        people.close_all()
        http.close()
        stored = await asyncio.to_thread(stored_posts, company.workspace_pk)
        members = {c.pk: c.members for c in company.conversations}
        losses = check_losses(stored, members, people.delivered, people.reconnected, len(people.sent_conv), connected)
        await asyncio.sleep(1.0)  # the sockets close before the next step opens its own
        cpu = {name: round(cpu_after[name] - cpu_before.get(name, 0.0), 2) for name in cpu_after}
        machine = cpu.pop("machine")
        per_asgi = {name: cpu.pop(name) for name in sorted(cpu) if name.startswith("asgi-")}  # shares of asgi
        cpu["others"] = round(max(0.0, machine - sum(cpu.values())), 2)  # other work sharing the cores
        return step_row(company, people, losses, cpu, window, failed, self.args.seconds, per_asgi=per_asgi)

    def results(self) -> dict:
        return {
            "layout": self.args.layout,
            "asgi_processes": self.args.asgi if self.args.layout == "cluster" else 1,
            "rates_per_person_per_minute": self.rates.as_dict(),
            "shape": vars(self.shape),
            "seconds_per_step": self.args.seconds,
            "steps": self.steps,
            "supported_users": supported_users(self.steps),
        }

    def cleanup(self) -> None:
        """Stop what this run started, by pid (the single layout also drops the database it created)."""
        if self.layout is not None:
            self.layout.stop()


async def _settle(layout: StackLayout, busy: float = 0.1) -> None:
    """Until the ASGI processes are idle (under a tenth of a core), so the opening is not measured as load."""
    deadline = time.monotonic() + SETTLE_LIMIT_S
    while time.monotonic() < deadline:
        before = layout.cpu_of("asgi")
        await asyncio.sleep(0.5)
        if layout.cpu_of("asgi") - before < busy * 0.5:
            return


def _progress(row: dict) -> str:
    delivery = row["delivery"]
    return (
        f"  {row['users']} people: {row['posts']} posts, {row['deliveries']} deliveries, delivery p99 "
        f"{delivery['p99_ms']} ms, HTTP p99 {row['http_all']['p99_ms']} ms, errors {sum(row['errors'].values())}, "
        f"lost {row['lost']}, {'held' if row['held'] else 'not held'}"
    )
