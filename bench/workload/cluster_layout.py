"""`--layout cluster`: the workload on a loopback cluster of its own, as `make cluster` runs one.

nginx in front of `--asgi` Uvicorn processes, a Patroni-managed PostgreSQL primary and synchronous
standby (with etcd), the sharded channel-layer Redis and the broker Redis, a Celery worker per queue,
beat, the outbox relay and Prometheus (cluster.up). It lives in var/cluster-workload, never the
var/cluster of `make cluster` nor any other; a run refuses to start while that directory's cluster
still runs (another run, or one that was killed: `python -m cluster.down --dir var/cluster-workload`).

The people reach it through nginx; this process's Django (seeding, the loss checks) uses the
application's own DATABASE_URL, whose `target_session_attrs=read-write` always lands on the primary,
so the checks read what was committed there. CPU is split per component from the pid files: each
ASGI process (and their sum), PostgreSQL (every member's Patroni and server with its backends), the
three Redis servers, the Celery workers with beat, the relay, nginx, etcd and Prometheus. The stop is
cluster.down's, by the pids in the cluster's own directory.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bench.workload.layout import StackRefused, cpu_by_root, is_loopback, load_and_machine
from cluster import postgres
from cluster.down import read_pid, running, stop_cluster
from cluster.layout import BASE_DIR, DEFAULT_DIR, Layout
from cluster.up import start_cluster
from slackclone.testing.processes import free_port

WORKLOAD_DIR = BASE_DIR / "var" / "cluster-workload"
# The cluster's processes take os.environ through Layout.env(): the bench's, not production's, write limit.
BENCH_ENVIRONMENT = {"API_WRITE_RATE": "1000000/m", "LOG_LEVEL": "WARNING"}
# pid file name (prefix) -> the component its CPU counts for.
COMPONENTS = (
    ("asgi-", "asgi"),
    ("patroni-", "postgres"),
    ("postmaster-", "postgres"),
    ("redis", "redis"),
    ("celery-", "celery"),
    ("outbox-relay", "relay"),
    ("nginx", "nginx"),
    ("etcd", "etcd"),
    ("prometheus", "prometheus"),
)


def component_of(name: str) -> str | None:
    return next((component for prefix, component in COMPONENTS if name.startswith(prefix)), None)


def cluster_loopback_error(layout: Layout) -> str | None:
    """Why this cluster is refused, or None: every URL the application, the people and the checks use
    must name loopback hosts only (the database's names several)."""
    env = layout.env()
    urls = [layout.base_url, layout.database_url, layout.replica_url, env["REDIS_URL"], layout.prometheus_url]
    urls += env["CHANNEL_LAYER_URLS"].split(",")
    urls += [layout.patroni_api(member) for member in layout.members]
    for url in urls:
        netloc = urlsplit(url).netloc.rsplit("@", 1)[-1]
        for host in (part.rsplit(":", 1)[0] for part in netloc.split(",")):
            if not is_loopback(host):
                return f"the cluster's {url} names {host!r}: only loopback (127.0.0.1, ::1, localhost) may be loaded"
    return None


@dataclass
class ClusterLayout:
    asgi: int = 2
    directory: Path = WORKLOAD_DIR
    port: int = 0
    cluster: Layout | None = None
    started: bool = False  # stop() stops the directory's cluster only once this run has begun starting it
    expected: list[str] = field(default_factory=list)

    def start(self) -> None:
        """The cluster (migrated by cluster.up), then this process's environment: the cluster's own."""
        directory = self.directory.resolve()
        if directory == DEFAULT_DIR.resolve():
            raise StackRefused(f"{directory} is `make cluster`'s: the workload runs a cluster of its own")
        if running(directory):
            raise StackRefused(
                f"a cluster still runs in {directory} ({', '.join(running(directory))}): another workload run,"
                f" or a killed one (stop it with `python -m cluster.down --dir {directory}`)"
            )
        shutil.rmtree(directory, ignore_errors=True)  # a finished run's logs and data: the directory is ours
        os.environ.update(BENCH_ENVIRONMENT)
        self.started = True
        self.cluster = start_cluster(directory, nginx_port=free_port(), asgi=self.asgi)
        problem = cluster_loopback_error(self.cluster)
        if problem:
            raise StackRefused(problem)
        self.port = self.cluster.nginx_port
        os.environ.update(self.cluster.env())
        self.expected = running(directory)

    def describe(self) -> str:
        return f"nginx on 127.0.0.1:{self.port} in front of {self.asgi} ASGI processes, logs in {self.directory}/log"

    def _roots(self, only: str | None = None) -> dict[int, str]:
        """pid -> pid file name of the cluster's processes (of one component, if `only`), with each
        PostgreSQL server as `postmaster-<member>`: Patroni starts it detached, so it is a root of its own."""
        if self.cluster is None:
            return {}
        roots = {}
        for pid_file in self.cluster.path.glob("*.pid"):
            pid = read_pid(pid_file)
            if pid is not None:
                roots[pid] = pid_file.stem
        for member in self.cluster.members:
            pid = postgres.postmaster_pid(self.cluster, member)
            if pid is not None:
                roots.setdefault(pid, f"postmaster-{member}")
        return {pid: name for pid, name in roots.items() if only is None or component_of(name) == only}

    def cpu(self) -> dict[str, float]:
        """Per component, and each ASGI process as `asgi-N` besides (its share of `asgi`)."""
        seconds: dict[str, float] = dict.fromkeys(dict(COMPONENTS).values(), 0.0)
        for name, used in cpu_by_root(self._roots()).items():
            component = component_of(name)
            if component is not None:
                seconds[component] += used
            if component == "asgi":
                seconds[name] = used
        return seconds | load_and_machine()

    def cpu_of(self, name: str) -> float:
        return sum(cpu_by_root(self._roots(only=name)).values())

    def check_alive(self) -> None:
        gone = sorted(set(self.expected) - set(running(self.directory)))
        if gone:
            raise RuntimeError(f"the cluster's {', '.join(gone)} stopped (see {self.directory}/log)")

    def stop(self) -> None:
        """Close this process's connections, then stop the cluster by the pids in its own directory."""
        if not self.started:
            return
        if self.cluster is not None:
            from django.conf import settings

            if settings.configured:
                from django.db import connections

                connections.close_all()
        stop_cluster(self.directory.resolve())
        self.started = False
