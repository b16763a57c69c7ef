"""The app benchmark's data, processes and phases (bench.apps runs them and prints the table)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import secrets
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from bench.apps.receivers import TEXT_PREFIX, Arrivals, HttpApps, SocketModeApps
from bench.fanout import stack
from bench.stats import summary

WARMUP_MESSAGES = 20
DRAIN_SECONDS = 20.0
POSTER_CONNECTIONS = 4
LOG_DIR = Path(__file__).resolve().parents[1] / "results"


@dataclass
class Phase:
    name: str
    channel_id: str
    token: str
    app_tokens: list[str] = field(default_factory=list)  # Socket Mode apps' xapp- tokens
    signing_secrets: dict[int, str] = field(default_factory=dict)  # HTTP apps' secrets, by number


# --- Data ------------------------------------------------------------------------------------


def _workspace(label: str):
    """A workspace (with its #general) whose owner posts in a fresh #busy channel through an API token."""
    from django.utils import timezone

    from accounts.models import User
    from chat.services import channel_create
    from integrations.tokens import api_token_create
    from workspaces.services import workspace_create

    suffix = secrets.token_hex(4)
    owner = User.objects.create_user(
        email=f"poster-{suffix}@bench.test", password=None, full_name="Poster", email_verified_at=timezone.now()
    )
    workspace = workspace_create(creator=owner, name=f"Apps bench {label}", slug=f"apps-{label}-{suffix}")
    channel = channel_create(actor=owner, workspace=workspace, name="busy")
    _, token = api_token_create(actor=owner, user=owner, workspace=workspace, name="bench")
    return owner, workspace, channel, token


def _add_apps(owner, workspace, channel, count: int, *, request_url: str | None) -> list:
    """`count` apps subscribed to message.channels, their bots invited to `channel`: Socket Mode ones, or
    HTTP ones whose request URL is `request_url` + the app's number."""
    from chat.services import channel_invite
    from slack_apps.manifest import spec_from_options
    from slack_apps.services import app_create

    made = []
    for number in range(count):
        socket_mode = request_url is None
        spec = spec_from_options(name=f"Bench app {number}", socket_mode=socket_mode, events=["message.channels"])
        if request_url is not None:
            spec = dataclasses.replace(spec, request_url=f"{request_url}/app/{number}")
        made.append(app_create(actor=owner, workspace=workspace, spec=spec))
    channel_invite(actor=owner, channel=channel, users=[app.bot_user for app, _ in made])
    return made


def seed(apps: int, http_port: int) -> dict[str, Phase]:
    phases: dict[str, Phase] = {}
    for name in ("baseline", "socket_mode", "http"):
        owner, workspace, channel, token = _workspace(name.replace("_", "-"))
        phase = Phase(name=name, channel_id=channel.public_id, token=token)
        if name == "socket_mode":
            made = _add_apps(owner, workspace, channel, apps, request_url=None)
            phase.app_tokens = [credentials.app_token for _, credentials in made]
        elif name == "http":
            made = _add_apps(owner, workspace, channel, apps, request_url=f"http://127.0.0.1:{http_port}")
            phase.signing_secrets = {n: credentials.signing_secret for n, (_, credentials) in enumerate(made)}
        phases[name] = phase
    return phases


# --- Processes -------------------------------------------------------------------------------


def _descendants(pid: int) -> list[int]:
    found = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            for child in children.read().split():
                found += _descendants(int(child))
    except FileNotFoundError:
        pass
    return found


def cpu_seconds_tree(pid: int) -> float:
    total = 0.0
    for one in _descendants(pid):
        with contextlib.suppress(FileNotFoundError):
            total += stack.cpu_seconds(one)
    return total


def cpu_now(pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each server process with its children, and of this process (the poster and
    every app)."""
    return {**{name: cpu_seconds_tree(pid) for name, pid in pids.items()}, "bench": stack.cpu_seconds(os.getpid())}


def start_worker(log_path: Path) -> tuple[subprocess.Popen, IO[str]]:
    """The `apps` queue's worker as the Procfile runs it."""
    log = log_path.open("w")
    command = [sys.executable, "-m", "celery", "-A", "slackclone", "worker", "--queues=apps"]
    command += ["--concurrency=4", "--prefetch-multiplier=1", "--without-gossip", "--without-mingle"]
    command += ["--without-heartbeat", "--loglevel=WARNING"]
    process = subprocess.Popen(command, cwd=stack.BASE_DIR, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT)
    return process, log


def wait_for_worker(process: subprocess.Popen) -> None:
    from celery import current_app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the apps worker exited")
        if current_app.control.ping(timeout=0.5):
            return
    raise RuntimeError("the apps worker did not start")


# --- HTTP to the server ----------------------------------------------------------------------


class Http:
    """Keep-alive HTTP/1.1 connections to the ASGI process; requests take whichever is free."""

    def __init__(self, port: int, connections: int) -> None:
        self.port = port
        self.size = connections
        self.free: asyncio.Queue = asyncio.Queue()

    async def open(self) -> None:
        for _ in range(self.size):
            self.free.put_nowait(await asyncio.open_connection("127.0.0.1", self.port))

    async def request(self, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
        connection = await self.free.get()
        try:
            answer = await self._exchange(connection, method, path, token, body)
            if answer is None:  # the server closed a connection left idle (Uvicorn: after 5 s): open another
                connection[1].close()
                connection = await asyncio.open_connection("127.0.0.1", self.port)
                answer = await self._exchange(connection, method, path, token, body)
        finally:
            self.free.put_nowait(connection)
        if answer is None:
            raise RuntimeError(f"{method} {path}: the server closed the connection")
        return answer

    @staticmethod
    async def _exchange(connection, method: str, path: str, token: str, body: dict | None) -> tuple[int, dict] | None:
        reader, writer = connection
        payload = json.dumps(body).encode() if body is not None else b""
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        )
        writer.write(head.encode() + payload)
        status_line = await reader.readline()
        if not status_line:
            return None
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        answer = await reader.readexactly(length) if length else b""
        return int(status_line.split()[1]), json.loads(answer) if answer else {}

    def close(self) -> None:
        while not self.free.empty():
            _, writer = self.free.get_nowait()
            writer.close()


# --- One phase -------------------------------------------------------------------------------


async def post_at_rate(http: Http, phase: Phase, label: str, rate: float, count: int) -> dict[int, tuple[float, float]]:
    """Post `count` messages at `rate` per second on a fixed schedule; (start, seconds taken) by sequence."""
    timings: dict[int, tuple[float, float]] = {}
    path = f"/api/v1/channels/{phase.channel_id}/messages"

    async def one(seq: int) -> None:
        started = time.perf_counter()
        status, answer = await http.request("POST", path, phase.token, {"text": f"{TEXT_PREFIX} {label} {seq}"})
        if status != 201:
            raise RuntimeError(f"posting answered {status}: {answer}")
        timings[seq] = (started, time.perf_counter() - started)

    loop = asyncio.get_running_loop()
    begin = loop.time()
    tasks = []
    for seq in range(count):
        delay = begin + seq / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(seq)))
    await asyncio.gather(*tasks)
    return timings


async def wait_for_arrivals(arrivals: Arrivals, label: str, count: int, apps: int) -> None:
    deadline = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < deadline:
        if sum(len(arrivals.times.get((label, seq), {})) for seq in range(count)) >= count * apps:
            return
        await asyncio.sleep(0.05)


@dataclass
class Tally:
    """What one phase's slices measured, added up."""

    apps: int
    posting: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    lost: int = 0
    wall: float = 0.0
    cpu: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def result(self, duplicated: int) -> dict:
        shares = {f"{name}_share": round(seconds / self.wall, 3) for name, seconds in self.cpu.items()}
        result: dict = {"posting": summary(self.posting), "cpu": shares}
        if self.apps:
            result["events"] = {**summary(self.latencies), "lost": self.lost, "duplicated": duplicated}
        return result


async def run_slice(http: Http, phase: Phase, arrivals: Arrivals, tally: Tally, *, label: str, rate: float,
                    seconds: float, pids: dict[str, int]) -> None:  # fmt: skip
    """Post for `seconds` at `rate`, wait until every app has every event (or DRAIN_SECONDS), add it up."""
    count = round(rate * seconds)
    cpu_before = cpu_now(pids)
    wall_before = time.monotonic()
    posted = await post_at_rate(http, phase, label, rate, count)
    if tally.apps:
        await wait_for_arrivals(arrivals, label, count, tally.apps)
    tally.wall += time.monotonic() - wall_before
    for name, seconds in cpu_now(pids).items():
        tally.cpu[name] += seconds - cpu_before[name]
    tally.posting += [taken for _, taken in posted.values()]
    for seq, (started, _) in posted.items():
        seen = arrivals.times.get((label, seq), {})
        tally.lost += tally.apps - len(seen) if tally.apps else 0
        tally.latencies += [arrived - started for arrived in seen.values()]


async def open_sockets(http: Http, phase: Phase, port: int, arrivals: Arrivals) -> SocketModeApps:
    paths = []
    for token in phase.app_tokens:
        status, answer = await http.request("POST", "/api/apps.connections.open", token, {})
        if status != 200 or not answer.get("ok"):
            raise RuntimeError(f"apps.connections.open answered {status}: {answer}")
        url = urlsplit(answer["url"])
        paths.append(f"{url.path}?{url.query}")
    sockets = SocketModeApps(arrivals)
    await sockets.connect(port, paths)
    return sockets


async def measure(
    phases: dict[str, Phase], *, apps: int, rate: float, duration: float, slice_seconds: float, http_port: int
) -> dict:
    """The phases in turn, a slice of each per round, so whatever else the machine does weighs on all alike."""
    server, port = stack.start_server("slackclone.asgi:application", "uvicorn")
    worker, worker_log = start_worker(LOG_DIR / "bench-apps-worker.log")
    arrivals = Arrivals()
    receiver = HttpApps(arrivals)
    http = Http(port, POSTER_CONNECTIONS)
    sockets: SocketModeApps | None = None
    try:
        await asyncio.to_thread(wait_for_worker, worker)
        await receiver.listen(http_port)
        receiver.secrets = {n: s.encode() for n, s in phases["http"].signing_secrets.items()}
        await http.open()
        sockets = await open_sockets(http, phases["socket_mode"], port, arrivals)
        pids = {"asgi": server.pid, "worker": worker.pid}
        tallies = {name: Tally(apps=0 if name == "baseline" else apps) for name in phases}
        for name, phase in phases.items():  # warm up: connections, caches, the worker's processes
            await run_slice(http, phase, arrivals, Tally(apps=tallies[name].apps), label=f"warm{name}",
                            rate=rate, seconds=WARMUP_MESSAGES / rate, pids=pids)  # fmt: skip
        for round_number in range(max(1, round(duration / slice_seconds))):
            for name, phase in phases.items():
                await run_slice(http, phase, arrivals, tallies[name], label=f"{name}{round_number}",
                                rate=rate, seconds=slice_seconds, pids=pids)  # fmt: skip
        results = {name: tally.result(arrivals.duplicated) for name, tally in tallies.items()}
        results["checks"] = {"bad_signatures": arrivals.bad_signatures, "bad_envelopes": arrivals.bad_envelopes}
        return results
    finally:
        if sockets is not None:
            sockets.close()
        http.close()
        receiver.close()
        stack.stop(worker)
        worker_log.close()
        stack.stop(server)


def request_path(phases: dict[str, Phase], posts: int) -> dict:
    """The posting request alone: in process (the whole Django and DRF stack, committing to PostgreSQL and
    queueing the dispatch on Redis), no worker and no server beside it, alternately in the channel no app
    hears and in the one the apps hear. What the request itself pays for the apps, without the machine's
    other work."""
    from django.test import Client
    from django.utils import timezone

    from slack_apps.models import AppEvent
    from slackclone.celery import app as celery_app

    timings: dict[str, list[float]] = {"baseline": [], "http": []}
    for round_number in range(posts + WARMUP_MESSAGES):
        order = ["baseline", "http"] if round_number % 2 == 0 else ["http", "baseline"]
        for name in order:
            client = Client(HTTP_AUTHORIZATION=f"Bearer {phases[name].token}")
            url = f"/api/v1/channels/{phases[name].channel_id}/messages"
            started = time.perf_counter()
            response = client.post(url, {"text": f"request path {round_number}"}, content_type="application/json")
            taken = time.perf_counter() - started
            if response.status_code != 201:
                raise RuntimeError(f"posting answered {response.status_code}: {response.content!r}")
            if round_number >= WARMUP_MESSAGES:
                timings[name].append(taken)
    celery_app.control.purge()  # the dispatches those posts queued are not part of what follows
    AppEvent.objects.filter(dispatched_at__isnull=True).update(dispatched_at=timezone.now())
    return {name: summary(values) for name, values in timings.items()}


def run_all(*, apps: int, rate: float, duration: float, slice_seconds: float, request_posts: int) -> dict:
    http_port = stack.free_port()
    phases = seed(apps, http_port)
    alone = request_path(phases, request_posts)
    measured = asyncio.run(
        measure(phases, apps=apps, rate=rate, duration=duration, slice_seconds=slice_seconds, http_port=http_port)
    )
    return {**measured, "request_path": alone}


# --- Figures ---------------------------------------------------------------------------------


def summarise(measured: dict, *, apps: int, rate: float, duration: float, targets: dict) -> dict:
    checks = measured.pop("checks")
    alone = measured.pop("request_path")
    alone["p95_ratio"] = round(alone["http"]["p95_ms"] / alone["baseline"]["p95_ms"], 3)
    alone["p50_ratio"] = round(alone["http"]["p50_ms"] / alone["baseline"]["p50_ms"], 3)
    baseline_p95 = measured["baseline"]["posting"]["p95_ms"]
    ratios = {name: round(measured[name]["posting"]["p95_ms"] / baseline_p95, 3) for name in ("socket_mode", "http")}
    events = {name: measured[name]["events"] for name in ("socket_mode", "http")}
    met = {
        "socket_mode_p99": events["socket_mode"]["p99_ms"] <= targets["socket_mode_p99_ms"],
        "http_p99": events["http"]["p99_ms"] <= targets["http_p99_ms"],
        "posting_under_load": all(ratio <= targets["posting_ratio"] for ratio in ratios.values()),
        "posting_request_alone": alone["p95_ratio"] <= targets["posting_ratio"],
        "nothing_lost": all(e["lost"] == 0 and e["duplicated"] == 0 for e in events.values()),
        "signatures_and_envelopes_valid": checks["bad_signatures"] == 0 and checks["bad_envelopes"] == 0,
    }
    return {
        "apps": apps,
        "rate": rate,
        "duration": duration,
        "phases": measured,
        "posting_ratio": ratios,
        "request_path": alone,
        "checks": checks,
        "targets": targets,
        "met": met,
    }
