"""The stack under load, and where its CPU goes.

`single`: one Uvicorn process (bench/fanout's slackclone-uvicorn), its own redis-server, one Celery
worker for the notification jobs every post writes (solo pool) and the outbox relay, on the run's own
database. Each process is started here and stopped by its pid. A cluster layout would implement the
same three methods (start, cpu, stop) over cluster.up's processes.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from bench.fanout import stack
from bench.scale.cpu import _stat

LAYOUTS = ("single",)


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds of a process, its live descendants and its reaped children."""
    stats = {int(entry): _stat(int(entry)) for entry in os.listdir("/proc") if entry.isdigit()}
    total = 0.0
    for pid, stat in stats.items():
        if stat is None:
            continue
        ancestor, hops = pid, 0
        while ancestor != root and hops < 32:
            parent = stats.get(ancestor)
            if parent is None or parent[0] <= 1:
                break
            ancestor, hops = parent[0], hops + 1
        if ancestor == root:
            total += stat[1] + (stat[2] if pid == root else 0.0)
    return total


def machine_cpu_seconds() -> float:
    """CPU seconds the whole machine has been busy (every core, every process: ours and others')."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


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
    database: str
    log_dir: Path
    port: int = 0
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self) -> None:
        """The ASGI server, the worker and the relay, with the environment bench.fanout's stack set."""
        server, self.port = stack.start_server("slackclone.asgi:application", "uvicorn")
        self.processes["asgi"] = server
        celery = [sys.executable, "-m", "celery", "-A", "slackclone", "worker", "--pool=solo"]
        celery += ["--queues=notifications,default", "--without-gossip", "--without-mingle", "--without-heartbeat"]
        self.processes["celery"] = self._spawn([*celery, "--loglevel=WARNING", "--hostname=workload@%h"], "celery")
        relay = [sys.executable, "manage.py", "outbox_relay", "--interval", "0.5"]
        self.processes["relay"] = self._spawn(relay, "relay")

    def _spawn(self, argv: list[str], name: str) -> subprocess.Popen:
        with (self.log_dir / f"workload-{name}.log").open("w") as log:
            return subprocess.Popen(
                argv, cwd=stack.BASE_DIR, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT
            )

    def cpu(self, redis_pid: int) -> dict[str, float]:
        """CPU seconds so far per component; `load` is this process (the load generator)."""
        seconds = {name: tree_cpu_seconds(process.pid) for name, process in self.processes.items()}
        seconds["postgres"] = postgres_backends_cpu(self.database_url, self.database)
        seconds["redis"] = stack.cpu_seconds(redis_pid)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        seconds["load"] = usage.ru_utime + usage.ru_stime
        seconds["machine"] = machine_cpu_seconds()
        return seconds

    def cpu_of(self, name: str) -> float:
        return stack.cpu_seconds(self.processes[name].pid)

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"the {name} process exited with {process.returncode} (see {self.log_dir})")

    def stop(self) -> None:
        for process in self.processes.values():
            stack.stop(process)
        self.processes.clear()
