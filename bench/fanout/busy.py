"""One busy channel: many posters at once into one channel, over the socket, at a ladder of rates.

Each poster is a member with a socket of its own; posts go round-robin, so each person stays under the
per-user message limit. A post's latency is from its frame being written to its acknowledgement
(`{"ok": true, "reply_to": …}`, which carries its seq). Every poster also receives every message,
so deliveries are counted (lost, duplicated) as in the fan-out ladder. After each rate the database
is read: the channel's new messages must run seq before+1 … last_seq without a gap, ts must grow
with seq, and each post must be stored exactly once.

With `asgi` above one, the server is that many Uvicorn processes of the same code on one database and
one Redis, the posters spread over them, as production spreads sockets over the processes behind nginx.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import os
import statistics
import subprocess
import sys
import time
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.fanout import stack
from bench.fanout.client import Client
from bench.fanout.scenarios import (
    DRAIN_SECONDS,
    Measure,
    Router,
    Server,
    _last_seq,
    close_all,
    connect_many,
    settle,
)
from bench.fanout.seed import BenchData, seed
from bench.stats import percentile

HELD_P99_MS = 100.0


@dataclass(kw_only=True)
class BusyServer(Server):
    """Ours under Uvicorn, running the code of `code_dir` (this checkout, or another worktree's), in one
    process or several. Several share the database and the channel layer's Redis, as the ASGI processes
    behind nginx do; poster i talks to process i % N, so a post reaches the posters of every other process
    through the channel layer, and the CPU a post costs is summed over all of them."""

    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)

    @classmethod
    def start_code(cls, label: str, data: BenchData, code_dir: Path, *, asgi: int = 1) -> BusyServer:
        started = stack.start_servers("slackclone.asgi:application", "uvicorn", code_dir, count=asgi)
        ports = [port for _, port in started]
        return cls(label, data, port=ports[0], processes=[process for process, _ in started], ports=ports)

    @property
    def ours(self) -> bool:
        return True

    def port_of(self, number: int) -> int:
        return self.ports[number % len(self.ports)]

    def pids(self) -> list[int]:
        return [process.pid for process in self.processes]

    def rss(self) -> int:
        return sum(stack.rss_kib(pid) for pid in self.pids())

    def cpu_each(self) -> list[float]:
        """CPU seconds so far of each process, in the order of `ports`."""
        return [stack.cpu_seconds(pid) for pid in self.pids()]

    def cpu_seconds(self) -> float:
        return sum(self.cpu_each())

    def stop(self) -> None:
        stack.stop_all(self.processes)


class Acks(Router):
    """Feeds deliveries to the fan-out Measure and records each post's acknowledgement."""

    def __init__(self) -> None:
        super().__init__()
        self.sent_ns: array = array("q")
        self.latencies: list[float] = []
        self.acked: dict[int, int] = {}  # frame id -> seq
        self.errors: dict[str, int] = {}

    def start(self, messages: int) -> None:
        self.sent_ns = array("q", [0]) * (messages + 1)
        self.latencies, self.acked, self.errors = [], {}, {}

    def on_text(self, client: Client, payload: bytes) -> None:
        if payload.startswith(b'{"ok":'):
            reply = json.loads(payload)
            frame_id = reply.get("reply_to")
            if not isinstance(frame_id, int) or not 0 < frame_id < len(self.sent_ns):
                return
            if reply["ok"]:
                self.latencies.append((time.time_ns() - self.sent_ns[frame_id]) / 1e6)
                self.acked[frame_id] = reply["seq"]
            else:
                code = reply["error"]["code"]
                self.errors[code] = self.errors.get(code, 0) + 1
            return
        super().on_text(client, payload)


def check_stored(channel_id: str, before: int, posted: int) -> dict[str, int]:
    """Gaps, seqs out of ts order, lost and duplicated posts among the channel's messages after seq `before`."""
    from django.db import close_old_connections

    from chat.models import Channel, Message
    from chat.services.locking import ts_to_micros

    close_old_connections()
    channel = Channel.objects.get(public_id=channel_id)
    after = Message.objects.filter(channel=channel, seq__gt=before).order_by("seq")
    rows = list(after.values_list("seq", "ts", "text"))
    seqs = {seq for seq, _, _ in rows}
    times = [ts_to_micros(ts) for _, ts, _ in rows]
    indexes = [int(text.split(":")[1]) for _, _, text in rows if text.startswith("bq:")]
    return {
        "stored": len(rows),
        "gaps": len(set(range(before + 1, channel.last_seq + 1)) - seqs),
        "ts_out_of_order": sum(1 for a, b in itertools.pairwise(times) if b <= a),
        "posts_lost": posted - len(set(indexes)),
        "posts_duplicated": len(indexes) - len(set(indexes)),
    }


async def one_rate(server: BusyServer, acks: Acks, posters: list[Client], rate: int, duration: float) -> dict[str, Any]:
    """Post at `rate` for `duration` seconds, wait for the acknowledgements and deliveries, check the database."""
    messages = max(1, int(rate * duration))
    before = await asyncio.to_thread(_last_seq, server.data.channel_id)
    acks.start(messages)
    measure = acks.measure = Measure(len(posters), messages)
    cpu_before = server.cpu_each()
    started = time.monotonic()
    for index in range(messages):
        delay = started + index / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        acks.sent_ns[index + 1] = sent = time.time_ns()
        frame = {"id": index + 1, "type": "message", "channel": server.data.channel_id, "text": f"bq:{index}:{sent}:"}
        posters[index % len(posters)].send_text(json.dumps(frame))
    posting_s = time.monotonic() - started
    deadline = time.monotonic() + DRAIN_SECONDS
    expected = len(posters) * messages
    while (len(acks.acked) < messages or len(measure.latencies) < expected) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    acks.measure = None
    cpu_ms_each = [
        (after - before) * 1000 / messages for before, after in zip(cpu_before, server.cpu_each(), strict=True)
    ]
    stored = await asyncio.to_thread(check_stored, server.data.channel_id, before, messages)
    acked_seqs = sorted(acks.acked.values())
    latencies = acks.latencies or [math.nan]
    row: dict[str, Any] = {
        "code": server.kind,
        "asgi_processes": len(server.processes),
        "posters": len(posters),
        "rate": rate,
        "posted": messages,
        "achieved_per_s": round(len(acks.acked) / max(posting_s, duration), 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies), 1),
        "acked": len(acks.acked),
        "acked_dup_seq": len(acked_seqs) - len(set(acked_seqs)),
        "errors": acks.errors,
        "server_cpu_ms_per_post": round(sum(cpu_ms_each), 2),
        "server_cpu_ms_per_post_each": [round(value, 2) for value in cpu_ms_each],
        "deliveries": len(measure.latencies),
        "deliveries_lost": expected - len(measure.latencies),
        "deliveries_dup": measure.duplicates,
        **stored,
    }
    row["held"] = (
        row["p99_ms"] <= HELD_P99_MS
        and row["acked"] == messages
        and not (row["gaps"] or row["ts_out_of_order"] or row["posts_lost"] or row["posts_duplicated"])
    )
    await settle(server)
    return row


async def busy_ladder(server: BusyServer, posters: int, rates: list[int], duration: float) -> list[dict[str, Any]]:
    """The ladder for one server; it stops after a rate whose p99 passes ten times the target."""
    acks = Acks()
    await settle(server)
    clients, _ = await connect_many(server, acks, range(posters))
    rows = []
    try:
        for rate in rates:
            rows.append(await one_rate(server, acks, clients, rate, duration))
            print(table(rows[-1:], header=len(rows) == 1), flush=True)
            if rows[-1]["p99_ms"] > 10 * HELD_P99_MS:
                break
    finally:
        await close_all(clients)
    return rows


def table(rows: list[dict[str, Any]], *, header: bool = True) -> str:
    head = (
        f"{'code':<8}{'asgi':>5}{'posters':>8}{'rate':>6}{'posts/s':>9}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}"
        f"{'deliv':>8}{'d.lost':>7}{'gaps':>6}{'order':>6}{'lost':>5}{'dup':>5}{'cpu ms':>7}{'held':>6}"
    )
    lines = [head, "-" * len(head)] if header else []
    for r in rows:
        lines.append(
            f"{r['code']:<8}{r['asgi_processes']:>5}{r['posters']:>8}{r['rate']:>6}{r['achieved_per_s']:>9.1f}"
            f"{r['p50_ms']:>8.1f}{r['p99_ms']:>8.1f}{r['max_ms']:>8.1f}{r['deliveries']:>8}{r['deliveries_lost']:>7}{r['gaps']:>6}"
            f"{r['ts_out_of_order']:>6}{r['posts_lost']:>5}{r['posts_duplicated']:>5}{r['server_cpu_ms_per_post']:>7.1f}"
            f"{'yes' if r['held'] else 'no':>6}"
        )
    return "\n".join(lines)


LOCK_HOLD_SCRIPT = Path(__file__).with_name("lock_hold.py")
LOCK_HOLD_PROCESSES = 4


def lock_hold(label: str, code_dir: Path, posters: int, seconds: float) -> dict[str, Any]:
    """`posters` threads in LOCK_HOLD_PROCESSES processes post into a new channel as fast as they can, calling
    the code of `code_dir` directly: posts/s, post latency and how long each post held the channel's lock."""
    data = seed(posters)
    before = _last_seq(data.channel_id)
    per_process = math.ceil(posters / LOCK_HOLD_PROCESSES)
    start_at = time.time() + 8  # each process starts Django first
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                str(LOCK_HOLD_SCRIPT),
                data.channel_id,
                *map(str, (first, per_process, start_at, seconds)),
            ],
            cwd=code_dir,
            env={**os.environ, "PYTHONPATH": str(code_dir)},
            stdout=subprocess.PIPE,
        )
        for first in range(0, posters, per_process)
    ]
    outs = [json.loads(process.communicate()[0]) for process in processes]
    latencies = [value for out in outs for value in out["latencies"]] or [math.nan]
    holds = [value for out in outs for value in out["holds"]] or [math.nan]
    statements = [value for out in outs for value in out["statements"]] or [math.nan]
    stored = check_stored(data.channel_id, before, 0)
    return {
        "code": label,
        "posters": posters,
        "posts_per_s": round(len(latencies) / seconds, 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "lock_p50_ms": round(percentile(holds, 50), 2),
        "lock_p99_ms": round(percentile(holds, 99), 2),
        "statements_under_lock": round(statistics.fmean(statements), 2),
        "posts_lost": len(latencies) - stored["stored"],
        "gaps": stored["gaps"],
        "ts_out_of_order": stored["ts_out_of_order"],
    }


def lock_table(rows: list[dict[str, Any]]) -> str:
    head = (
        f"{'code':<8}{'posters':>8}{'posts/s':>9}{'p50 ms':>8}{'p99 ms':>8}{'lock p50':>10}{'lock p99':>10}{'stmts':>7}"
        f"{'lost':>6}{'gaps':>6}{'order':>6}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r['code']:<8}{r['posters']:>8}{r['posts_per_s']:>9.1f}{r['p50_ms']:>8.1f}{r['p99_ms']:>8.1f}"
            f"{r['lock_p50_ms']:>10.2f}{r['lock_p99_ms']:>10.2f}{r['statements_under_lock']:>7.2f}"
            f"{r['posts_lost']:>6}{r['gaps']:>6}{r['ts_out_of_order']:>6}"
        )
    return "\n".join(lines)


async def run_busy(
    posters: int, rates: list[int], duration: float, baseline_dir: Path | None, lock_seconds: float, *, asgi: int = 1
) -> dict[str, list[dict[str, Any]]]:
    """The lock hold and the ladder for the code of `baseline_dir` ("before", if given), then for this
    checkout ("after"), each in a channel of its own; the ladder on `asgi` Uvicorn processes of that code."""
    locks: list[dict[str, Any]] = []
    runs = [("before", baseline_dir)] if baseline_dir else []
    rows: list[dict[str, Any]] = []
    for label, code_dir in [*runs, ("after", stack.BASE_DIR)]:
        if lock_seconds:
            locks.append(await asyncio.to_thread(lock_hold, label, code_dir, posters, lock_seconds))
            print(lock_table(locks[-1:]), flush=True)
        if not rates:
            continue
        data = await asyncio.to_thread(seed, posters)
        server = BusyServer.start_code(label, data, code_dir, asgi=asgi)
        try:
            rows += await busy_ladder(server, posters, rates, duration)
        finally:
            server.stop()
    return {"socket": rows, "lock_hold": locks}
