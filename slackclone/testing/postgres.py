"""A PostgreSQL server of a test's own, for tests that must stop the database and start it again.

initdb into a temporary directory with Debian's server binaries, on a free port, trust on loopback.
PostgreSQL refuses to run as root, so under root every server command runs as the `postgres` user
(runuser) in a directory handed to it (as cluster/postgres.py does). The postmaster is stopped by
its own pid, never by name; `remove` deletes everything the server wrote.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from slackclone.testing.processes import free_port

BIN = Path("/usr/lib/postgresql/15/bin")


def _as_server_user(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


class ThrowawayPostgres:
    """One initdb'd cluster: `start`, `stop` (fast shutdown of the postmaster by its pid), `start` again."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="pg-outage-", dir="/tmp"))
        self.data = self.base / "data"
        self.port = free_port()
        self.pid: int | None = None
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
        self._run([str(BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"])

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, argv: list[str]) -> None:
        result = subprocess.run(_as_server_user(argv), capture_output=True, text=True, timeout=60)
        if result.returncode:
            raise RuntimeError(f"{argv[0]} failed:\n{result.stdout}{result.stderr}")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.base} -c fsync=off"
        log = self.base / "server.log"
        self._run([str(BIN / "pg_ctl"), "-D", str(self.data), "-l", str(log), "-o", options, "-w", "start"])
        self.pid = int((self.data / "postmaster.pid").read_text().split()[0])

    def stop(self, timeout: float = 20.0) -> None:
        """Fast shutdown (SIGINT to the postmaster): clients are disconnected (57P01), the server exits."""
        if self.pid is None:
            return
        pid, self.pid = self.pid, None
        os.kill(pid, signal.SIGINT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)
