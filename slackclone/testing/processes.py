"""Real processes for integration tests and benchmarks: free ports, waiting for a listener, stopping by pid.

Tests and bench scripts start servers (Daphne, Uvicorn, redis-server, Celery workers) as child
processes; every one is stopped through the Popen handle it was started with, never by name,
so a run leaves nothing behind and never touches a process it did not start.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterable


def free_port(candidates: Iterable[int] = (0,)) -> int:
    """The first of `candidates` that nobody listens on (0 lets the kernel pick one)."""
    for port in candidates:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError(f"no free port among {candidates}")


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60.0) -> None:
    """Block until `process` accepts connections on `port`; fail at once if it exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {timeout}s")


def stop(process: subprocess.Popen | None, timeout: float = 15.0) -> None:
    """SIGTERM the process by its pid, then SIGKILL if it has not exited within `timeout`."""
    if process is None or process.poll() is not None:
        return
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout)
