"""The cluster's PostgreSQL: a primary of its own (initdb, on its own port) and a streaming replica of it.

Debian's server binaries (/usr/lib/postgresql/<version>/bin), never the system cluster on 5432.
PostgreSQL refuses to run as root, so under root every server command runs as the `postgres` user
(runuser) in directories handed to it; as anyone else it runs as that user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from string import Template

import psycopg

from cluster.layout import DATABASE_NAME, Layout

TEMPLATES = Path(__file__).resolve().parent / "templates"


def bin_dir() -> Path:
    """The newest installed PostgreSQL server binaries."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    if not versions:
        raise SystemExit("PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)")
    return versions[-1].parent


def as_server_user(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def give_to_server_user(path: Path, mode: int = 0o700) -> None:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")
    path.chmod(mode)


def _run(argv: list[str]) -> None:
    result = subprocess.run(as_server_user(argv), capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"{' '.join(argv[:2])} failed:\n{result.stdout}{result.stderr}")


def _dirs(layout: Layout) -> tuple[Path, Path, Path, Path]:
    base = layout.path
    return base / "pg-primary", base / "pg-replica", base / "pg-run", base / "pg-log"


def init_primary(layout: Layout) -> None:
    """initdb once (trust on loopback, replication allowed), with the cluster's settings appended."""
    primary, _, socket_dir, log_dir = _dirs(layout)
    give_to_server_user(socket_dir, 0o755)
    give_to_server_user(log_dir, 0o755)
    if (primary / "PG_VERSION").exists():
        return
    give_to_server_user(primary)
    _run([str(bin_dir() / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"])
    settings = Template((TEMPLATES / "postgresql.conf").read_text())
    conf = settings.substitute(port=layout.pg_primary_port, socket_dir=socket_dir)
    _run(["sh", "-c", f"cat >> {primary / 'postgresql.conf'} <<'EOF'\n{conf}EOF"])


def start(layout: Layout, name: str, port: int) -> int:
    """pg_ctl start (waiting until it accepts connections); writes and returns the postmaster's pid."""
    data = layout.path / name
    log = _dirs(layout)[3] / f"{name}.log"
    _run([str(bin_dir() / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", f"-p {port}", "-w", "-t", "60", "start"])
    pid = int((data / "postmaster.pid").read_text().split()[0])
    layout.pid_file(name).write_text(f"{pid}\n")
    return pid


def create_database(layout: Layout) -> None:
    with psycopg.connect(
        host="127.0.0.1", port=layout.pg_primary_port, user="postgres", dbname="postgres", autocommit=True
    ) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone():
            connection.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def init_replica(layout: Layout) -> None:
    """pg_basebackup -R of the running primary: a hot standby that streams from it from then on."""
    _, replica, _, _ = _dirs(layout)
    if (replica / "PG_VERSION").exists():
        return
    give_to_server_user(replica)
    _run(
        [
            str(bin_dir() / "pg_basebackup"),
            *("-h", "127.0.0.1", "-p", str(layout.pg_primary_port), "-U", "postgres"),
            *("-D", str(replica), "-R", "-X", "stream", "-c", "fast"),
        ]
    )


def wait_streaming(layout: Layout, timeout: float = 60.0) -> None:
    """Block until the replica is in recovery and the primary sees it streaming."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(
                host="127.0.0.1", port=layout.pg_primary_port, user="postgres", dbname="postgres"
            ) as c:
                row = c.execute("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'").fetchone()
                if row is not None and row[0]:  # count(*) always has its row
                    return
        except psycopg.Error:
            pass
        time.sleep(0.2)
    raise SystemExit("the replica did not start streaming from the primary")
