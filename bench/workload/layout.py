"""The stack under load, and where its CPU goes.

`single`: one Uvicorn process (bench/fanout's slackclone-uvicorn), its own redis-server, one Celery
worker for the notification jobs every post writes (solo pool) and the outbox relay, on the run's own
database (created, and dropped at the end, when it did not exist). Each process is started here and
stopped by its pid. `cluster` (bench/workload/cluster_layout.py) implements the same interface over a
cluster of cluster.up's processes of its own.
"""

from __future__ import annotations

import ipaddress
import os
import resource
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import dj_database_url
import psycopg
from psycopg import sql

from bench.fanout import stack
from bench.scale.cpu import _stat

LAYOUTS = ("single", "cluster")
LOOPBACK_NAMES = ("localhost",)


class StackRefused(Exception):
    """The stack may not run here: an address off the loopback, or a directory another run holds."""


class StackLayout(Protocol):
    """What a run needs of its stack: the port the people use, CPU per component, and a clean stop."""

    port: int

    def start(self) -> None:
        """Start every process, and point this process's Django (not set up yet) at the stack's database."""

    def describe(self) -> str: ...

    def cpu(self) -> dict[str, float]:
        """CPU seconds so far per component, `load` (this process) and `machine` (every core's busy time)."""
        ...

    def cpu_of(self, name: str) -> float: ...

    def check_alive(self) -> None: ...

    def stop(self) -> None:
        """Stop what start started, by pid, whatever state start reached."""


def is_loopback(name: str) -> bool:
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds of a process, its live descendants and its reaped children."""
    return cpu_by_root({root: "root"}).get("root", 0.0)


def cpu_by_root(roots: dict[int, str]) -> dict[str, float]:
    """CPU seconds per name of `roots` (pid -> name): each root, its live descendants and its reaped
    children. A process counts once, for its nearest root (a PostgreSQL server under its Patroni would
    not be counted twice)."""
    stats = {int(entry): _stat(int(entry)) for entry in os.listdir("/proc") if entry.isdigit()}
    totals = dict.fromkeys(roots.values(), 0.0)
    for pid, stat in stats.items():
        if stat is None:
            continue
        ancestor, hops = pid, 0
        while ancestor not in roots and hops < 32:
            parent = stats.get(ancestor)
            if parent is None or parent[0] <= 1:
                break
            ancestor, hops = parent[0], hops + 1
        if ancestor in roots:
            totals[roots[ancestor]] += stat[1] + (stat[2] if pid in roots else 0.0)
    return totals


def machine_cpu_seconds() -> float:
    """CPU seconds the whole machine has been busy (every core, every process: ours and others')."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def load_and_machine() -> dict[str, float]:
    """`load`: this process, the load generator; `machine`: see machine_cpu_seconds."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"load": usage.ru_utime + usage.ru_stime, "machine": machine_cpu_seconds()}


def postgres_backends_cpu(database_url: str, database: str) -> float:
    """CPU seconds of the PostgreSQL backends serving `database` now (the server is shared, so not all of it)."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        pids = [row[0] for row in connection.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [database])]
    total = 0.0
    for pid in pids:
        stat = _stat(pid)
        if stat is not None:
            total += stat[1]
    return total


@dataclass
class SingleLayout:
    database_url: str
    log_dir: Path
    keep_database: bool = False
    port: int = 0
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    redis: subprocess.Popen | None = None
    created_database: bool = False

    @property
    def database(self) -> str:
        return str(dj_database_url.parse(self.database_url)["NAME"])

    def start(self) -> None:
        """Redis and the database, then the ASGI server, the worker and the relay, with the environment
        bench.fanout's stack sets."""
        self.redis, redis_url = stack.start_redis()
        stack.use_environment(self.database_url, redis_url)
        self.created_database = not _database_exists(self.database_url, self.database)
        stack.ensure_database(self.database_url)
        server, self.port = stack.start_server("slackclone.asgi:application", "uvicorn")
        self.processes["asgi"] = server
        celery = [sys.executable, "-m", "celery", "-A", "slackclone", "worker", "--pool=solo"]
        celery += ["--queues=notifications,default", "--without-gossip", "--without-mingle", "--without-heartbeat"]
        self.processes["celery"] = self._spawn([*celery, "--loglevel=WARNING", "--hostname=workload@%h"], "celery")
        relay = [sys.executable, "manage.py", "outbox_relay", "--interval", "0.5"]
        self.processes["relay"] = self._spawn(relay, "relay")

    def describe(self) -> str:
        return f"ASGI on 127.0.0.1:{self.port}, logs in {self.log_dir}"

    def _spawn(self, argv: list[str], name: str) -> subprocess.Popen:
        with (self.log_dir / f"workload-{name}.log").open("w") as log:
            return subprocess.Popen(
                argv, cwd=stack.BASE_DIR, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT
            )

    def cpu(self) -> dict[str, float]:
        seconds = {name: tree_cpu_seconds(process.pid) for name, process in self.processes.items()}
        seconds["postgres"] = postgres_backends_cpu(self.database_url, self.database)
        seconds["redis"] = stack.cpu_seconds(self.redis.pid) if self.redis is not None else 0.0
        return seconds | load_and_machine()

    def cpu_of(self, name: str) -> float:
        return stack.cpu_seconds(self.processes[name].pid)

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"the {name} process exited with {process.returncode} (see {self.log_dir})")

    def stop(self) -> None:
        """Stop the processes and Redis by pid, and drop the database if this run created it."""
        for process in self.processes.values():
            stack.stop(process)
        self.processes.clear()
        stack.stop(self.redis)
        self.redis = None
        if self.created_database and not self.keep_database:
            from django.db import connections

            connections.close_all()
            _drop_database(self.database_url, self.database)
            self.created_database = False


def _admin_url(database_url: str) -> str:
    config = dj_database_url.parse(database_url)
    return f"postgresql://{config['USER']}@{config['HOST']}:{config['PORT'] or 5432}/postgres"


def _database_exists(database_url: str, name: str) -> bool:
    with psycopg.connect(_admin_url(database_url), autocommit=True) as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def _drop_database(database_url: str, name: str) -> None:
    with psycopg.connect(_admin_url(database_url), autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
