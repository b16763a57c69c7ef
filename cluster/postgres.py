"""The cluster's PostgreSQL servers: where they live, their parameters, the application's database.

Debian's server binaries (/usr/lib/postgresql/<version>/bin), never the system cluster on 5432. Patroni
(cluster/patroni.py) runs them; this module prepares what it needs. PostgreSQL refuses to run as root,
so under root the servers and Patroni run as the `postgres` user, in a directory of their own outside
the cluster directory (layout.default_server_dir): a checkout in /root or in a `mktemp -d` directory is
closed to that user, and initdb would stop at "Permission denied".
"""

from __future__ import annotations

import os
import pwd
import shutil
import time
from pathlib import Path
from typing import Any

import psycopg

from cluster.layout import DATABASE_NAME, Layout

SERVER_USER = "postgres"


def bin_dir() -> Path:
    """The newest installed PostgreSQL server binaries."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    if not versions:
        raise SystemExit("PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)")
    return versions[-1].parent


def server_user() -> pwd.struct_passwd | None:
    """The account the servers run as when we are root (None: they run as we do)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise SystemExit(f"as root, PostgreSQL runs as `{SERVER_USER}`: no such user") from None


def give_to_server_user(path: Path, mode: int = 0o700) -> None:
    path.mkdir(parents=True, exist_ok=True)
    account = server_user()
    if account is not None:
        os.chown(path, account.pw_uid, account.pw_gid)
    path.chmod(mode)


def prepare_server_dir(layout: Layout) -> None:
    """Create the servers' directory (owned by the server user) and link it from the cluster directory."""
    give_to_server_user(layout.pg_path, 0o755)
    give_to_server_user(socket_dir(layout), 0o755)
    link = layout.path / "postgres"
    if link.is_symlink() or link.exists():
        if link.resolve() == layout.pg_path.resolve():
            return
        link.unlink()
    link.symlink_to(layout.pg_path)


def forget_server_dir(path: Path) -> None:
    """Remove a server directory left by an earlier cluster of the same name (its etcd state is gone)."""
    shutil.rmtree(path, ignore_errors=True)


def socket_dir(layout: Layout) -> Path:
    return layout.pg_path / "run"


def data_dir(layout: Layout, member: str) -> Path:
    return layout.pg_path / member


def parameters(layout: Layout) -> dict[str, Any]:
    """postgresql.conf settings every member runs with (Patroni's `postgresql.parameters`).

    Other modules add theirs by merging a dict into this one (WAL archiving, say).
    """
    return {
        "unix_socket_directories": str(socket_dir(layout)),
        "max_connections": 300,
        "shared_buffers": "128MB",
        "wal_level": "replica",
        "max_wal_senders": 5,
        "max_replication_slots": 5,
        "hot_standby": "on",
        "hot_standby_feedback": "on",
        # pg_rewind brings a failed primary back as a standby; it needs both.
        "wal_log_hints": "on",
        "full_page_writes": "on",
        # A commit returns once the synchronous standby has it (Patroni names the standby).
        "synchronous_commit": "on",
        # A throwaway cluster on one machine: a killed server is what it tests, not a power cut.
        "fsync": "off",
    }


def postmaster_pid(layout: Layout, member: str) -> int | None:
    """The pid of `member`'s postmaster, from its postmaster.pid (None when it is not running)."""
    try:
        return int((data_dir(layout, member) / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def create_database(layout: Layout, timeout: float = 30.0) -> None:
    """CREATE DATABASE on whichever member is the primary (once: a restarted cluster keeps its data)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(layout.server_url("postgres"), autocommit=True, connect_timeout=3) as connection:
                if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone():
                    connection.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
