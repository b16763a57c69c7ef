"""Where a cluster lives and how its processes find each other: ports, paths, the application's environment.

Written to <dir>/cluster.json by `cluster.up` and read back by `cluster.down`, the failure tests and
bench/scale, so every tool agrees on one cluster without guessing.
"""

from __future__ import annotations

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
    pg_primary_port: int
    pg_replica_port: int
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(50))
    # Each Celery worker's and beat's METRICS_PORT (cluster/prometheus.py), and Prometheus's own port.
    metrics_ports: dict[str, int] = field(
        default_factory=lambda: {name: free_port() for name in [*(f"celery-{q}" for q in WORKER_QUEUES), "celery-beat"]}
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
    def database_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.pg_primary_port}/{DATABASE_NAME}"

    @property
    def replica_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.pg_replica_port}/{DATABASE_NAME}"

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


def asgi_name(index: int) -> str:
    return f"asgi-{index + 1}"


def layer_redis_name(index: int) -> str:
    return f"redis-layer-{index + 1}"
