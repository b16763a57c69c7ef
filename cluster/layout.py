"""Where a cluster lives and how its processes find each other: ports, paths, the application's environment.

Written to <dir>/cluster.json by `cluster.up` and read back by `cluster.down`, the failure tests and
bench/scale, so every tool agrees on one cluster without guessing.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from slackclone.testing.processes import free_port

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DIR = BASE_DIR / "var" / "cluster"
VENV_BIN = Path(sys.executable).parent
DATABASE_NAME = "slackclone"
# Patroni runs as the `postgres` user, so it needs a Python that user can execute: a virtualenv of
# Debian's python3 with requirements-cluster.txt, built by `make cluster-packages` (not .venv, whose
# interpreter may sit in a private home directory).
PATRONI_VENV = Path(os.environ.get("SLACKCLONE_PATRONI_VENV", "/var/tmp/slackclone-patroni"))
PATRONI_SCOPE = "slackclone"
# nginx reaches the ASGI processes from the loopback: the one address whose X-Forwarded-For they believe.
NGINX_ADDRESS = "127.0.0.1"
# One worker per queue (docs/scaling.md): a slow email never holds up a notification.
WORKER_QUEUES = {
    "notifications": "notifications,default",
    "email": "email",
    "maintenance": "maintenance",
    "apps": "apps",
}


@dataclass
class Layout:
    """The cluster's ports and processes. Ports other than nginx's are picked free at start."""

    dir: str
    nginx_port: int
    asgi_ports: list[int]
    layer_redis_ports: list[int]
    redis_port: int
    # One PostgreSQL server per Patroni member (pg-1, pg-2), each with its Patroni REST API.
    pg_ports: list[int]
    patroni_ports: list[int]
    etcd_client_port: int
    etcd_peer_port: int
    # PostgreSQL's data, sockets and Patroni's configuration: a directory the `postgres` user can reach
    # wherever the checkout is (postgres.server_dir); <dir>/postgres links to it.
    pg_dir: str
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(50))
    # Each Celery worker's and beat's METRICS_PORT (cluster/prometheus.py), and Prometheus's own port.
    metrics_ports: dict[str, int] = field(
        default_factory=lambda: {
            name: free_port() for name in [*(f"celery-{q}" for q in WORKER_QUEUES), "celery-beat", "outbox-relay"]
        }
    )
    prometheus_port: int = field(default_factory=free_port)

    @property
    def path(self) -> Path:
        return Path(self.dir)

    def pid_file(self, name: str) -> Path:
        return self.path / f"{name}.pid"

    def log_file(self, name: str) -> Path:
        return self.path / "log" / f"{name}.log"

    @property
    def pg_path(self) -> Path:
        return Path(self.pg_dir)

    @property
    def members(self) -> list[str]:
        return [pg_member(index) for index in range(len(self.pg_ports))]

    def server_url(self, database: str = DATABASE_NAME, attrs: str = "read-write") -> str:
        """Every member, in libpq's multi-host form: libpq keeps the first that matches `attrs`."""
        hosts = ",".join(f"127.0.0.1:{port}" for port in self.pg_ports)
        return f"postgres://postgres@{hosts}/{database}?target_session_attrs={attrs}"

    @property
    def database_url(self) -> str:
        """Whichever member is the primary now: a failover needs no change in the application."""
        return self.server_url(attrs="read-write")

    @property
    def replica_url(self) -> str:
        """A standby while one runs, else the primary (the reads keep answering with one server left)."""
        return self.server_url(attrs="prefer-standby")

    def member_url(self, member: str, database: str = DATABASE_NAME) -> str:
        """One member's server, whatever its role."""
        return f"postgres://postgres@127.0.0.1:{self.pg_ports[self.members.index(member)]}/{database}"

    def patroni_api(self, member: str) -> str:
        return f"http://127.0.0.1:{self.patroni_ports[self.members.index(member)]}"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.nginx_port}"

    @property
    def prometheus_url(self) -> str:
        return f"http://127.0.0.1:{self.prometheus_port}"

    def env(self) -> dict[str, str]:
        """The environment of every application process (and of tests that call the services directly)."""
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "slackclone.settings",
            "DATABASE_URL": self.database_url,
            "DATABASE_REPLICA_URL": self.replica_url,
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "CHANNEL_LAYER_URLS": ",".join(f"redis://127.0.0.1:{port}/0" for port in self.layer_redis_ports),
            "SECRET_KEY": self.secret_key,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "FORWARDED_ALLOW_IPS": NGINX_ADDRESS,
            "SITE_URL": self.base_url,
            "SLACKCLONE_VAR_DIR": str(self.path / "app"),
            "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
            "PYTHONUNBUFFERED": "1",
        }

    def save(self) -> None:
        (self.path / "cluster.json").write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def load(cls, directory: Path = DEFAULT_DIR) -> Layout:
        return cls(**json.loads((Path(directory) / "cluster.json").read_text()))


def default_server_dir(directory: Path) -> Path:
    """Where the `postgres` user keeps a cluster's servers: named after the cluster directory, outside it,
    because that directory may be in a home the `postgres` user cannot enter (/root/…, a `mktemp -d`)."""
    digest = hashlib.sha256(str(Path(directory).resolve()).encode()).hexdigest()[:12]
    return Path(os.environ.get("SLACKCLONE_PG_ROOT", "/var/tmp")) / f"slackclone-pg-{digest}"


def pg_member(index: int) -> str:
    return f"pg-{index + 1}"


def patroni_name(member: str) -> str:
    """The pid file and log of the Patroni that manages `member`."""
    return f"patroni-{member}"


def asgi_name(index: int) -> str:
    return f"asgi-{index + 1}"


def layer_redis_name(index: int) -> str:
    return f"redis-layer-{index + 1}"
