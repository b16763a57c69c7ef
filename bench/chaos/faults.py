"""The faults: SIGKILL one process of the cluster by the pid in its pid file (or PostgreSQL's postmaster.pid),
never by name, then bring it back with cluster.up's own start functions (Patroni restarts PostgreSQL).

Each fault is a blocking function run in a thread; it returns when the killed part is back (not when the
application has recovered: the soak measures that from its clients).
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import psycopg

from cluster import patroni, postgres
from cluster.down import alive, read_pid
from cluster.layout import WORKER_QUEUES, Layout, asgi_name, layer_redis_name
from cluster.up import RELAY, start_asgi, start_beat, start_redis, start_relay, start_worker

KINDS = ("asgi", "celery", "layer-redis", "broker-redis", "postgres")
# How long a killed process stays dead before it is started again (seconds, drawn per fault).
OUTAGE_RANGE = (3.0, 8.0)
FAILOVER_TIMEOUT = 60.0
REJOIN_TIMEOUT = 120.0


@dataclass
class Fault:
    kind: str
    planned_at: float  # seconds after the workload started
    target: str = ""
    detail: str = ""
    killed_at: float | None = None  # time.monotonic()
    restarted_at: float | None = None
    synced_at: float | None = None  # every client has every message acknowledged by then
    refused: int = 0
    refused_seconds: float = 0.0
    error: str = ""
    catch_up_target: dict[str, int] = field(default_factory=dict)


def plan(seed: int, duration: float, repeats: int, warmup: float = 15.0, tail: float = 20.0) -> list[Fault]:
    """Every kind `repeats` times, in a seeded order, one per equal slot of the run, early in its slot."""
    rng = random.Random(seed)
    kinds = [kind for _ in range(repeats) for kind in rng.sample(KINDS, len(KINDS))]
    slot = max(1.0, (duration - warmup - tail) / len(kinds))
    return [Fault(kind, warmup + n * slot + rng.uniform(0, 0.2 * slot)) for n, kind in enumerate(kinds)]


def inject(layout: Layout, fault: Fault, rng: random.Random) -> None:
    """Kill, wait a drawn outage, restart; records target, kill and restart times."""
    outage = rng.uniform(*OUTAGE_RANGE)
    if fault.kind == "postgres":
        _postgres(layout, fault)
    elif fault.kind == "asgi":
        index = rng.randrange(len(layout.asgi_ports))
        _kill(layout, fault, asgi_name(index))
        time.sleep(outage)
        start_asgi(layout, index)
    elif fault.kind == "celery":
        _kill(layout, fault, "celery-notifications", group=True)
        time.sleep(outage)
        _start_worker(layout, "notifications")
    elif fault.kind == "layer-redis":
        index = rng.randrange(len(layout.layer_redis_ports))
        _kill(layout, fault, layer_redis_name(index))
        time.sleep(outage)
        start_redis(layout, layer_redis_name(index), layout.layer_redis_ports[index])
    elif fault.kind == "broker-redis":
        _kill(layout, fault, "redis")
        time.sleep(outage)
        start_redis(layout, "redis", layout.redis_port)
    fault.restarted_at = time.monotonic()


def _start_worker(layout: Layout, name: str, timeout: float = 60.0) -> None:
    """Start the worker again and wait for its " ready." line among those it appends to its log."""
    log = layout.log_file(f"celery-{name}")
    offset = log.stat().st_size if log.exists() else 0
    start_worker(layout, name)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(log, "rb") as file:
            file.seek(offset)
            if b" ready." in file.read():
                return
        time.sleep(0.2)
    raise RuntimeError(f"celery-{name} did not become ready again; see {log}")


def _kill(layout: Layout, fault: Fault, name: str, *, group: bool = False) -> None:
    """SIGKILL the process of pid file `name`; with `group`, its whole process group (a Celery worker's pool
    processes would outlive it), which `cluster.up.spawn` made its own session, so the group id is its pid."""
    pid = read_pid(layout.pid_file(name))
    if pid is None or not alive(pid):
        raise RuntimeError(f"{name} is not running (pid file {layout.pid_file(name)})")
    fault.target = name
    if group:
        os.killpg(pid, signal.SIGKILL)
    else:
        os.kill(pid, signal.SIGKILL)
    fault.killed_at = time.monotonic()
    deadline = time.monotonic() + 10
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def _postgres(layout: Layout, fault: Fault) -> None:
    """SIGKILL the primary's postmaster; Patroni promotes the synchronous standby and brings the old primary
    back as a standby. Restarted means: a primary accepts writes again."""
    old = patroni.wait_healthy(layout, timeout=REJOIN_TIMEOUT)
    pid = postgres.postmaster_pid(layout, old)
    if pid is None:
        raise RuntimeError(f"no postmaster.pid for {old}")
    fault.target = f"{old} (primary)"
    os.kill(pid, signal.SIGKILL)
    fault.killed_at = time.monotonic()
    deadline = fault.killed_at + FAILOVER_TIMEOUT
    while time.monotonic() < deadline:
        new = next((m for m in layout.members if patroni.is_primary(layout, m) and _writable(layout, m)), None)
        if new is not None:
            fault.detail = f"new primary {new} after {time.monotonic() - fault.killed_at:.1f} s"
            return
        time.sleep(0.1)
    raise RuntimeError(f"no primary {FAILOVER_TIMEOUT:.0f} s after the kill: {patroni.members(layout)}")


def wait_rejoined(layout: Layout, fault: Fault) -> None:
    """After a PostgreSQL fault: the old primary streams again as the synchronous standby."""
    patroni.wait_healthy(layout, timeout=REJOIN_TIMEOUT)
    fault.detail += f", the pair healthy again by {time.monotonic() - (fault.killed_at or 0):.1f} s after the kill"


def _writable(layout: Layout, member: str) -> bool:
    try:
        with psycopg.connect(layout.member_url(member), connect_timeout=1, autocommit=True) as connection:
            row = connection.execute("SELECT pg_is_in_recovery()").fetchone()
            return row is not None and not row[0]
    except psycopg.OperationalError:
        return False


def supervise(layout: Layout) -> list[str]:
    """Start again every application process that exited by itself, as the supervisor a deployment runs them
    under would (docs/operations.md); returns each as "<name>: <the last error its log shows>".

    Called once a fault's own target is back, so whatever is down then went down on its own: a Celery worker
    that exits when its broker goes away, say. The soak reports these, then goes on to check that nothing
    was lost meanwhile."""
    starts, gone = _application_processes(layout), not_running(layout)
    exited = [f"{name}: {last_complaint(layout, name)}" for name in gone]
    for name in gone:
        starts[name]()
    return exited


def _application_processes(layout: Layout) -> dict[str, Callable[[], object]]:
    """The cluster's application processes by pid-file name, each with how to start it again."""
    return {
        **{asgi_name(index): partial(start_asgi, layout, index) for index in range(len(layout.asgi_ports))},
        **{f"celery-{queue}": partial(_start_worker, layout, queue) for queue in WORKER_QUEUES},
        "celery-beat": partial(start_beat, layout),
        RELAY: partial(start_relay, layout),
    }


def not_running(layout: Layout) -> list[str]:
    """The application processes whose pid file is missing or names a process that is gone."""
    names = []
    for name in _application_processes(layout):
        pid = read_pid(layout.pid_file(name))
        if pid is None or not alive(pid):
            names.append(name)
    return names


def last_complaint(layout: Layout, name: str) -> str:
    lines = layout.log_file(name).read_text(errors="replace").splitlines() if layout.log_file(name).exists() else []
    complaints = [line for line in lines if "CRITICAL" in line or "ERROR" in line]
    return (complaints or lines or ["(no log)"])[-1][:300]
