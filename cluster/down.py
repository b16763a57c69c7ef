"""Stop the loopback cluster: `python -m cluster.down` (what `make cluster-stop` runs).

Stops exactly the processes named by var/cluster/*.pid, by their ids, never by name: the load balancer
first, then the ASGI processes (SIGTERM: they say goodbye to their sockets and finish in-flight posts),
Celery and the outbox relay, Redis, then each Patroni (the standby's first, the leader's last; each stops its PostgreSQL
server), and etcd last. A pid whose process is gone, or is now some other program, is only forgotten; a
PostgreSQL server whose Patroni was killed is stopped by the pid in its postmaster.pid.
"""

from __future__ import annotations

import argparse
import os
import signal
import time
from pathlib import Path

from cluster import patroni, postgres
from cluster.layout import DEFAULT_DIR, Layout, patroni_name

# (name prefix, program its command line must mention, stop signal), in stopping order.
STOP_ORDER = (
    ("prometheus", "prometheus", signal.SIGTERM),
    ("nginx", "nginx", signal.SIGQUIT),
    ("asgi-", "uvicorn", signal.SIGTERM),
    ("celery-beat", "celery", signal.SIGTERM),
    ("outbox-relay", "outbox_relay", signal.SIGTERM),
    ("celery-", "celery", signal.SIGTERM),
    ("redis", "redis-server", signal.SIGTERM),
    # Patroni stops its PostgreSQL server (fast shutdown) before it exits; the leader goes last, so
    # the standby does not take over from a primary that is only being stopped.
    ("patroni-", "patroni", signal.SIGTERM),
    ("etcd", "etcd", signal.SIGTERM),
)
STOP_TIMEOUT = 20.0


def read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def alive(pid: int, program: str | None = None) -> bool:
    """The process exists, is not a zombie, and (if given) `program` appears in its command line."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                return False
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    return program is None or program in command


def _program(name: str) -> tuple[str, signal.Signals]:
    for prefix, program, sig in STOP_ORDER:
        if name.startswith(prefix):
            return program, sig
    return "", signal.SIGTERM


def running(directory: Path = DEFAULT_DIR) -> list[str]:
    """Names of the cluster's processes that still run."""
    names = []
    for pid_file in sorted(Path(directory).glob("*.pid")):
        pid = read_pid(pid_file)
        if pid is not None and alive(pid, _program(pid_file.stem)[0]):
            names.append(pid_file.stem)
    return names


def stop_process(pid: int, program: str, sig: signal.Signals, timeout: float = STOP_TIMEOUT) -> None:
    """Signal one process by its pid, wait for it to exit, then SIGKILL if it has not."""
    if not alive(pid, program):
        return
    os.kill(pid, sig)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)


def _ordered(pid_files: list[Path], leader: str | None = None) -> list[Path]:
    def rank(path: Path) -> tuple[int, bool, str]:
        prefixes = [prefix for prefix, _, _ in STOP_ORDER]
        order = next((i for i, prefix in enumerate(prefixes) if path.stem.startswith(prefix)), len(prefixes))
        return order, path.stem == leader, path.stem

    return sorted(pid_files, key=rank)


def _layout(directory: Path) -> Layout | None:
    try:
        return Layout.load(directory)
    except (OSError, TypeError, ValueError):
        return None


def stop_cluster(directory: Path = DEFAULT_DIR) -> list[str]:
    """Stop every process with a pid file in `directory`; returns the names of those that were running."""
    layout = _layout(Path(directory))
    leader = patroni.leader(layout) if layout is not None else None
    stopped = []
    for pid_file in _ordered(list(Path(directory).glob("*.pid")), leader and patroni_name(leader)):
        pid = read_pid(pid_file)
        program, sig = _program(pid_file.stem)
        if pid is not None and alive(pid, program):
            stop_process(pid, program, sig)
            stopped.append(pid_file.stem)
        pid_file.unlink(missing_ok=True)
    if layout is not None:
        stopped += stop_orphaned_servers(layout)
    return stopped


def stop_orphaned_servers(layout: Layout) -> list[str]:
    """PostgreSQL servers still running without their Patroni (it was killed): a fast shutdown each.

    The pid is believed only if that process runs on this member's data directory (a stale
    postmaster.pid may name a pid reused since).
    """
    stopped = []
    for member in layout.members:
        pid, data = postgres.postmaster_pid(layout, member), str(postgres.data_dir(layout, member))
        if pid is not None and alive(pid, data):
            stop_process(pid, data, signal.SIGINT)
            stopped.append(member)
    return stopped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args()
    stopped = stop_cluster(args.dir.resolve())
    print(f"Stopped {len(stopped)} processes: {', '.join(stopped) or 'none were running'}")


if __name__ == "__main__":
    main()
