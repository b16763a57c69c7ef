"""The processes a benchmark run needs: its own Redis, a migrated database, and the servers under test.

Everything started here is stopped by its pid.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from slackclone.testing.processes import free_port, stop, wait_for_port

__all__ = ["free_port", "stop", "wait_for_port"]  # bench.api and bench.notify use them from here

BASE_DIR = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_redis() -> tuple[subprocess.Popen, str]:
    port = free_port(range(6390, 6400))
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    wait_for_port(port, process)
    return process, f"redis://127.0.0.1:{port}/0"


def use_environment(database_url: str, redis_url: str, **settings: str) -> None:
    """The settings a benchmark's processes (and its own Django) run with: its database and Redis, no debug,
    no write throttling, quiet logs, and `settings` besides."""
    os.environ.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-" + "x" * 40),
        DEBUG="0",
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        API_WRITE_RATE="1000000/m",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="slackclone.settings",
        **settings,
    )


def _admin_connection(url: str) -> tuple[Any, str]:
    """A connection to the server's maintenance database, and the name of the database `url` names."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    connection = psycopg.connect(
        host=config["HOST"], port=config["PORT"] or 5432, user=config["USER"], dbname="postgres", autocommit=True
    )
    return connection, config["NAME"]


def ensure_database(url: str) -> bool:
    """Create the benchmark database if needed and migrate it; returns whether it was created."""
    connection, name = _admin_connection(url)
    with connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "slackclone.settings"},
        check=True,
    )
    return not exists


def drop_database(url: str) -> None:
    """Drop the benchmark database a run created, with the connections still open to it."""
    connection, name = _admin_connection(url)
    with connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_command(server: str, application: str, port: int) -> list[str]:
    if server == "uvicorn":
        return [
            str(VENV_BIN / "uvicorn"),
            *("--host", "127.0.0.1", "--port", str(port), "--http", "httptools"),
            *("--ws", "realtime.protocol:GatewayWebSocketProtocol", "--ws-per-message-deflate", "false"),
            *("--loop", "uvloop", "--lifespan", "off", "--log-level", "warning", "--no-access-log", application),
        ]
    return [str(VENV_BIN / "daphne"), "-v", "0", "-b", "127.0.0.1", "-p", str(port), application]


def start_server(application: str, server: str = "daphne", code_dir: Path = BASE_DIR) -> tuple[subprocess.Popen, int]:
    """One server process (one ASGI process, as the targets say) on a free port: Daphne or Uvicorn.

    `code_dir` is the checkout it runs: another worktree measures other code against the same stack."""
    [(process, port)] = start_servers(application, server, code_dir, count=1)
    return process, port


def start_servers(
    application: str, server: str = "daphne", code_dir: Path = BASE_DIR, *, count: int
) -> list[tuple[subprocess.Popen, int]]:
    """`count` processes of the same code, each on a free port of its own and all with this process's
    environment (one database, one Redis), as the ASGI processes behind nginx share them. They start
    together, so their start-ups overlap; if one does not come up, those started are stopped first."""
    started: list[tuple[subprocess.Popen, int]] = []
    try:
        for _ in range(count):
            port = free_port()
            process = subprocess.Popen(
                server_command(server, application, port),
                cwd=code_dir,
                env={**os.environ, "DJANGO_SETTINGS_MODULE": "slackclone.settings"},
                stdout=subprocess.DEVNULL,
            )
            started.append((process, port))
        for process, port in started:
            wait_for_port(port, process)
    except BaseException:
        stop_all([process for process, _ in started])
        raise
    return started


def stop_all(processes: list[subprocess.Popen]) -> None:
    """Stop each by its pid; a failure (or an interrupt) while stopping one still stops the rest."""
    if not processes:
        return
    try:
        stop(processes[0])
    finally:
        stop_all(processes[1:])
