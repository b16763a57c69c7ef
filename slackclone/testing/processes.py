"""Real processes for integration tests and benchmarks: free ports, waiting for a listener, stopping by pid.

Tests and bench scripts start servers (Daphne, Uvicorn, redis-server, Celery workers) as child
processes; every one is stopped through the Popen handle it was started with, never by name,
so a run leaves nothing behind and never touches a process it did not start.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def _listening_ports() -> range:
    """Ports for servers: below the kernel's ephemeral range, from which every outgoing connection takes its
    local port. A port picked there can be taken by some connection before the server binds it, and a
    cluster opens many connections while it starts."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as ports:
            ephemeral_low = int(ports.read().split()[0])
    except (OSError, ValueError, IndexError):
        ephemeral_low = 32768
    return range(10000, ephemeral_low) if ephemeral_low > 12000 else range(0)


_handed_out: set[int] = set()  # a port handed out is not handed out again by this process


def free_port(candidates: Iterable[int] | None = None) -> int:
    """The first of `candidates` that nobody listens on; by default a random free port below the ephemeral
    range (or one the kernel picks, where that range leaves no room)."""
    if candidates is None:
        ports = _listening_ports()
        start = random.randrange(len(ports)) if ports else 0
        candidates = [*ports[start:], *ports[:start]] or [0]
    for port in candidates:
        if port and port in _handed_out:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            chosen = probe.getsockname()[1]
        _handed_out.add(chosen)
        return chosen
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


class OwnRedis:
    """A redis-server of the test's own (no persistence) on a free port, which it can stop and start again;
    started again, it keeps its port and comes back empty, as a replaced broker or shard does."""

    def __init__(self, candidates: Iterable[int] | None = None) -> None:
        self.port = free_port(candidates)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> OwnRedis:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        wait_for_port(self.port, self.process)
        return self

    def stop(self) -> None:
        stop(self.process)
        self.process = None


def procfile_command(name: str, *, port: int | None = None) -> str:
    """The Procfile's command line for process `name` (shell syntax, as honcho runs it), on `port` if given."""
    for line in (BASE_DIR / "Procfile").read_text().splitlines():
        label, _, command = line.partition(":")
        if label.strip() == name:
            words = command.strip().split(" ")
            if port is not None:
                words[words.index("--port") + 1] = str(port)
            return " ".join(words)
    raise LookupError(f"no process {name!r} in the Procfile")


def start_procfile_process(name: str, *, port: int, env: dict[str, str], **popen) -> subprocess.Popen:
    """Process `name` of the Procfile on `port`, started by a shell as honcho starts it (so its variables
    expand) and replaced by the command itself (exec), so the handle's pid is the server's own. The
    virtualenv's scripts come first on PATH, as `make stack` puts them."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', os.environ.get('PATH', ''))}"
    command = "exec " + procfile_command(name, port=port)
    process = subprocess.Popen(["sh", "-c", command], cwd=BASE_DIR, env={**env, "PATH": path}, **popen)
    wait_for_port(port, process)
    return process
