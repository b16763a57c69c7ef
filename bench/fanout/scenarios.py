"""The measured scenarios, against one running server: a rate ladder, idle memory, a reconnect storm."""

from __future__ import annotations

import asyncio
import json
import math
import statistics
import subprocess
import time
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.fanout import stack
from bench.fanout.client import Client, open_client
from bench.fanout.seed import BenchData

CONNECT_BATCH = 100  # concurrent handshakes; the baseline's Redis pool (100) refuses more at once
HELD_P99_MS = 250.0
DRAIN_SECONDS = 3.0
MARK = b"bq:"


@dataclass
class Server:
    """A server under test and how to talk to it: ours (slackclone) or the Channels-tutorial baseline; the peers
    (bench/fanout/peers.py) override the hooks between `stores` and `open_posters`."""

    kind: str
    data: BenchData
    process: subprocess.Popen[bytes] | None = None
    port: int = 0

    @classmethod
    def start(cls, kind: str, data: BenchData, before_dir: Path | None = None) -> Server:
        """`slackclone` (Daphne), `slackclone-uvicorn`, `baseline` (Daphne, as the tutorial runs it), and
        `before-uvicorn`: slackclone-uvicorn as the checkout in `before_dir` has it (--baseline-dir)."""
        if kind.startswith("before") and before_dir is None:
            raise ValueError(f"{kind} needs --baseline-dir, the checkout whose code it runs")
        ours = kind.startswith(("slackclone", "before"))
        application = "slackclone.asgi:application" if ours else "bench.baseline.asgi:application"
        code_dir = before_dir if kind.startswith("before") and before_dir is not None else stack.BASE_DIR
        server = "uvicorn" if kind.endswith("uvicorn") else "daphne"
        process, port = stack.start_server(application, server, code_dir)
        return cls(kind, data, process, port)

    def stop(self) -> None:
        stack.stop(self.process)

    @property
    def ours(self) -> bool:
        return self.kind.startswith(("slackclone", "before"))

    def path(self, *, resume: bool = False) -> str:
        if self.ours:
            return "/ws/?resume=1" if resume else "/ws/"
        return f"/ws/chat/{self.data.room}/"

    def headers(self, number: int) -> dict[str, str]:
        if self.ours:
            return {"Authorization": f"Bearer {self.data.tokens[number % len(self.data.tokens)]}"}
        return {"Origin": "http://127.0.0.1"}

    def post_frame(self, frame_id: int, text: str) -> str:
        if self.ours:
            return json.dumps({"id": frame_id, "type": "message", "channel": self.data.channel_id, "text": text})
        return json.dumps({"message": text})

    @property
    def stores(self) -> bool:
        """Whether every message is stored before it is fanned out: ours, yes; the baseline and the peers, no."""
        return self.ours

    @property
    def waits_ready(self) -> bool:
        """Whether a socket is ready only after the server's first frame to it (ours says hello), not at once."""
        return self.ours

    def router(self) -> Router:
        return Router()

    def on_open(self, client: Client) -> None:
        """What a socket sends once open, before it counts as ready (ours: nothing)."""

    def publish(self, poster: Any, frame_id: int, text: str) -> None:
        """Post one message through `poster`, one of what open_posters returned."""
        poster.send_text(self.post_frame(frame_id, text))

    async def open_posters(self, router: Router, numbers: range) -> list[Any]:
        """The connections messages are posted through: sockets of members, as for ours."""
        posters, _ = await connect_many(self, router, numbers)
        return posters

    def port_of(self, number: int) -> int:
        """The port socket `number` connects to: the server's own (BusyServer spreads them over its processes)."""
        return self.port

    @property
    def pid(self) -> int:
        """The server's process (ClusterServer, which has several, overrides what reads it)."""
        if self.process is None:
            raise RuntimeError(f"The {self.kind} server has no process of its own.")
        return self.process.pid

    def rss(self) -> int:
        return stack.rss_kib(self.pid)

    def cpu_seconds(self) -> float:
        return stack.cpu_seconds(self.pid)

    def cpu_by_component(self) -> dict[str, float]:
        """CPU seconds so far per process of the stack, where a server can tell (a cluster can)."""
        return {}


@dataclass
class Measure:
    """What the receivers of one run saw."""

    clients: int
    messages: int
    seen: bytearray = field(init=False)
    latencies: array = field(default_factory=lambda: array("d"))
    duplicates: int = 0
    last_at: float = 0.0

    def __post_init__(self):
        self.seen = bytearray(self.clients * max(self.messages, 1))

    def on_text(self, client: Client, payload: bytes) -> None:
        start = payload.find(MARK)
        if start < 0 or client.number >= self.clients:
            return
        first = payload.index(b":", start + 3)
        second = payload.index(b":", first + 1)
        index, sent_ns = int(payload[start + 3 : first]), int(payload[first + 1 : second])
        now = time.time_ns()
        cell = client.number * self.messages + index
        if self.seen[cell]:
            self.duplicates += 1
            return
        self.seen[cell] = 1
        self.latencies.append((now - sent_ns) / 1e6)
        self.last_at = time.monotonic()


class Router:
    """One on_text for every socket; a run swaps the Measure it feeds. Ours says hello first."""

    def __init__(self) -> None:
        self.measure: Measure | None = None
        self.ready: dict[int, asyncio.Future] = {}

    def on_text(self, client: Client, payload: bytes) -> None:
        waiter = self.ready.pop(client.number, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        if self.measure is not None:
            self.measure.on_text(client, payload)

    def on_binary(self, client: Client, payload: bytes) -> None:
        """Binary frames carry nothing for ours or the baseline; the MQTT peer's router reads them."""


async def connect_many(server: Server, router: Router, numbers: range, **kwargs) -> tuple[list[Client], int]:
    """Open sockets in batches; returns them and how many handshakes failed (each is retried once)."""
    clients, failures = [], 0

    async def one(number: int) -> Client | None:
        nonlocal failures
        for _ in range(2):
            waiter = asyncio.get_running_loop().create_future()
            if server.waits_ready:
                router.ready[number] = waiter  # hello may arrive with the handshake's reply: wait on our own handle
            try:
                client = await open_client(
                    server.port_of(number),
                    server.path(**kwargs),
                    server.headers(number),
                    router.on_text,
                    number,
                    router.on_binary,
                )
                server.on_open(client)
                if server.waits_ready:
                    await asyncio.wait_for(waiter, 20)
                return client
            except (TimeoutError, OSError, ConnectionError):
                failures += 1
                router.ready.pop(number, None)
        return None

    for start in range(numbers.start, numbers.stop, CONNECT_BATCH):
        batch = range(start, min(start + CONNECT_BATCH, numbers.stop))
        clients += [c for c in await asyncio.gather(*(one(n) for n in batch)) if c is not None]
    return clients, failures


async def close_all(clients: list[Client]) -> None:
    for client in clients:
        client.close()
    await asyncio.sleep(1.0)


async def settle(server: Server, *, busy: float = 0.1, limit: float = 60.0) -> None:
    """Wait until the server is idle (under 10% of a core), so one scenario's aftermath is not measured in the next."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = server.cpu_seconds()
        await asyncio.sleep(0.5)
        if server.cpu_seconds() - before < busy * 0.5:
            return


def cpu_shares(before: dict[str, float], after: dict[str, float], seconds: float) -> dict[str, float]:
    """Cores used per component between two readings (1.0 is one core busy the whole time), busiest first."""
    used = {name: (after.get(name, 0.0) - before.get(name, 0.0)) / seconds for name in after}
    return {name: round(value, 3) for name, value in sorted(used.items(), key=lambda item: -item[1]) if value > 0}


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return math.nan
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))]


async def post_at_rate(server: Server, posters: list[Any], rate: int, messages: int) -> float:
    """Post `messages` at a fixed rate (several posters for ours: 10 msg/s each is the per-user limit)."""
    started = time.monotonic()
    for index in range(messages):
        delay = started + index / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        text = f"bq:{index}:{time.time_ns()}:"
        server.publish(posters[index % len(posters)], index + 1, text)
    return started


async def one_rate(server: Server, router: Router, clients: int, posters: list[Any], rate: int, duration: float):
    messages = max(1, int(rate * duration))
    measure = Measure(clients, messages)
    router.measure = measure
    cpu_before = server.cpu_by_component()
    server_before, client_before = server.cpu_seconds(), time.process_time()
    started = await post_at_rate(server, posters, rate, messages)
    expected = clients * messages
    deadline = time.monotonic() + DRAIN_SECONDS
    while len(measure.latencies) < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    router.measure = None
    cpu_window = time.monotonic() - started
    cpu_cores = cpu_shares(cpu_before, server.cpu_by_component(), cpu_window)
    server_cpu, client_cpu = server.cpu_seconds() - server_before, time.process_time() - client_before
    values = sorted(measure.latencies)
    elapsed = max((measure.last_at or time.monotonic()) - started, duration)
    row: dict[str, Any] = {
        "server": server.kind,
        "stores": server.stores,
        "clients": clients,
        "rate": rate,
        "messages": messages,
        "deliveries": len(values),
        "deliveries_per_s": len(values) / elapsed,
        "p50_ms": percentile(values, 0.50),
        "p95_ms": percentile(values, 0.95),
        "p99_ms": percentile(values, 0.99),
        "max_ms": values[-1] if values else math.nan,
        "lost": expected - len(values),
        "duplicated": measure.duplicates,
        # CPU per delivery over the whole window (posting and storing included), of the server's process
        # and of this load client's; and the cores the client took.
        "server_us_per_delivery": server_cpu * 1e6 / max(1, len(values)),
        "client_us_per_delivery": client_cpu * 1e6 / max(1, len(values)),
        "client_cores": client_cpu / cpu_window,
    }
    if cpu_cores:
        row.update(cpu_cores=cpu_cores, cpu_window_s=cpu_window)
    row["held"] = row["lost"] == 0 and row["p99_ms"] <= HELD_P99_MS
    await settle(server)  # before the next rate
    return row


async def rate_ladder(server: Server, clients: int, rates: list[int], duration: float) -> list[dict]:
    router = server.router()
    await settle(server)
    rss_before = server.rss()
    receivers, failed = await connect_many(server, router, range(clients))
    poster_count = max(1, math.ceil(max(rates) / 8)) if server.ours else 1
    posters = await server.open_posters(router, range(clients, clients + poster_count))
    await settle(server)
    kib_per_connection = (server.rss() - rss_before) / max(1, len(receivers) + len(posters))
    rows = []
    try:
        for rate in rates:
            used = posters[: max(1, math.ceil(rate / 8))] if server.ours else posters
            row = await one_rate(server, router, len(receivers), used, rate, duration)
            row.update(kib_per_connection=kib_per_connection, failed_handshakes=failed)
            rows.append(row)
            if not row["held"]:
                break
    finally:
        await close_all(receivers + posters)
    return rows


async def idle_memory(server: Server, count: int) -> dict:
    """RSS growth per idle socket, on a fresh server warmed up by a few connections first."""
    router = server.router()
    warm_up, _ = await connect_many(server, router, range(50))
    await close_all(warm_up)
    rss_before = server.rss()
    clients, failed = await connect_many(server, router, range(count))
    await asyncio.sleep(2.0)
    rss_after = server.rss()
    await close_all(clients)
    return {
        "connections": len(clients),
        "failed_handshakes": failed,
        "rss_before_kib": rss_before,
        "rss_after_kib": rss_after,
        "kib_per_connection": (rss_after - rss_before) / max(1, len(clients)),
    }


def _last_seq(channel_id: str) -> int:
    from django.db import close_old_connections

    from chat.models import Channel

    close_old_connections()
    return Channel.objects.get(public_id=channel_id).last_seq


async def reconnect_storm(server: Server, count: int, window: float, missed: int = 5) -> dict:
    """`count` clients drop; `missed` messages are posted; all reconnect (spread over `window` s) and resume."""
    router = Router()
    await settle(server)
    clients, _ = await connect_many(server, router, range(count))
    posters, _ = await connect_many(server, router, range(count, count + 1))
    await close_all(clients)
    await settle(server)
    seen = await asyncio.to_thread(_last_seq, server.data.channel_id)
    for index in range(missed):
        posters[0].send_text(server.post_frame(index + 1, f"missed {index}"))
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    caught_up: dict[int, float] = {}
    replayed: dict[int, int] = {}

    class ResumeRouter(Router):
        def on_text(self, client: Client, payload: bytes) -> None:
            if payload.startswith(b'{"type":"hello"}'):
                frame = {"id": 1, "type": "resume", "channels": {server.data.channel_id: seen}}
                client.send_text(json.dumps(frame))
            elif b'"type":"resumed"' in payload:
                caught_up[client.number] = time.monotonic() - client.connect_started
                replayed[client.number] = json.loads(payload)["channels"][server.data.channel_id]["replayed"]
                super().on_text(client, payload)

    resume_router = ResumeRouter()
    started = time.monotonic()
    cpu_before = server.cpu_seconds()

    async def reconnect(number: int) -> Client | None:
        await asyncio.sleep(window * number / count)
        waiter = resume_router.ready[number] = asyncio.get_running_loop().create_future()
        try:
            client = await open_client(
                server.port, server.path(resume=True), server.headers(number), resume_router.on_text, number
            )
            await asyncio.wait_for(waiter, 30)
            return client
        except (TimeoutError, OSError, ConnectionError):
            return None

    reconnected = [c for c in await asyncio.gather(*(reconnect(n) for n in range(count))) if c is not None]
    wall = time.monotonic() - started
    # Server CPU per reconnect: steadier than latency on a busy machine, and what sets the capacity.
    cpu_ms_per_reconnect = (server.cpu_seconds() - cpu_before) * 1000 / max(1, len(reconnected))
    await close_all(reconnected + posters)
    times = sorted(caught_up.values())
    return {
        "clients": count,
        "window_s": window,
        "caught_up": len(times),
        "all_replayed": sum(1 for n in replayed.values() if n >= missed),
        "p50_ms": percentile(times, 0.5) * 1000,
        "p99_ms": percentile(times, 0.99) * 1000,
        "max_ms": (times[-1] if times else math.nan) * 1000,
        "mean_ms": statistics.fmean(times) * 1000 if times else math.nan,
        "wall_s": wall,
        "server_cpu_ms_per_reconnect": cpu_ms_per_reconnect,
    }
