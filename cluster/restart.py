"""Restart the running cluster's application processes one at a time, losing nothing: `python -m cluster.restart`
(what `make cluster-restart` runs), to put new code or settings into service.

Each ASGI process in turn: nginx stops sending it anything (its upstream server marked `down`, nginx reloaded
through its master's pid), it gets SIGTERM and drains (slackclone.lifespan: `goodbye` to every socket, in-flight
posts finish and commit), exits, starts again on the same port, answers /healthz, and nginx takes it back. Its
clients reconnect through nginx to the other processes and resume from the database; a post whose socket closed
before its acknowledgement is sent again with its client_msg_id and stored once. Then each Celery worker (SIGTERM
is a warm shutdown: running tasks finish; tasks are acknowledged late, so queued ones wait for the new worker),
and beat. Everything is found through var/cluster/*.pid and stopped by its pid.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Collection
from pathlib import Path

from cluster.down import alive, read_pid, running, stop_process
from cluster.layout import DEFAULT_DIR, WORKER_QUEUES, Layout, asgi_name
from cluster.up import RELAY, nginx_config, start_asgi, start_beat, start_relay, start_worker, wait_for_log

# Lifespan's drain (5 s) and Uvicorn's graceful shutdown (10 s), with room to spare.
ASGI_STOP_TIMEOUT = 30.0
# A warm shutdown waits for the running tasks; past this, the worker is killed and its tasks redelivered.
CELERY_STOP_TIMEOUT = 120.0
START_TIMEOUT = 60.0


class RestartError(RuntimeError):
    """A process did not come back; `code` is stable. The cluster is left as it is, for a look at the logs."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code


def nginx_master(layout: Layout) -> int:
    pid = read_pid(layout.pid_file("nginx"))
    if pid is None or not alive(pid, "nginx"):
        raise RestartError("nginx_not_running", f"no nginx master in {layout.pid_file('nginx')}")
    return pid


def nginx_workers(master: int) -> dict[int, str]:
    """The master's worker processes and their titles (an old one is "… worker process is shutting down")."""
    try:
        with open(f"/proc/{master}/task/{master}/children") as children:
            pids = [int(pid) for pid in children.read().split()]
    except OSError:
        return {}
    titles = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                titles[pid] = cmdline.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
    return titles


def reload_nginx(layout: Layout, down: Collection[int] = ()) -> None:
    """Rewrite nginx.conf (ports in `down` marked down), check it, SIGHUP the master, and return once new
    workers run it and the old ones take no new connections (they keep their open sockets until those close)."""
    config = nginx_config(layout, down)
    subprocess.run(["nginx", "-t", "-q", "-c", str(config)], check=True)
    master = nginx_master(layout)
    before = set(nginx_workers(master))
    os.kill(master, signal.SIGHUP)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        workers = nginx_workers(master)
        fresh = [pid for pid, title in workers.items() if pid not in before and "shutting down" not in title]
        stale = [pid for pid, title in workers.items() if pid in before and "shutting down" not in title]
        if fresh and not stale:
            return
        time.sleep(0.05)
    raise RestartError("nginx_reload_timeout", "nginx did not take the new configuration; see its error log")


def wait_healthy(port: int, timeout: float = START_TIMEOUT) -> None:
    """Block until the process on `port` answers /healthz with 200 (it serves, not merely listens)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.HTTPError):
            pass
        time.sleep(0.1)
    raise RestartError("asgi_unhealthy", f"the process on port {port} does not answer /healthz")


def stop(layout: Layout, name: str, program: str, timeout: float) -> None:
    """SIGTERM the process of `name`.pid and wait for it to exit (SIGKILL after `timeout`)."""
    pid = read_pid(layout.pid_file(name))
    if pid is not None:
        stop_process(pid, program, signal.SIGTERM, timeout)


def restart_asgi(layout: Layout, index: int) -> None:
    port, name = layout.asgi_ports[index], asgi_name(index)
    reload_nginx(layout, down={port})
    stop(layout, name, "uvicorn", ASGI_STOP_TIMEOUT)
    start_asgi(layout, index)
    wait_healthy(port)
    reload_nginx(layout)


def restart_worker(layout: Layout, queue: str) -> None:
    name = f"celery-{queue}"
    stop(layout, name, "celery", CELERY_STOP_TIMEOUT)
    since = _log_size(layout, name)
    start_worker(layout, queue)
    wait_for_log(layout, name, b" ready.", START_TIMEOUT, since=since)


def restart_beat(layout: Layout) -> None:
    stop(layout, "celery-beat", "celery", CELERY_STOP_TIMEOUT)
    since = _log_size(layout, "celery-beat")
    start_beat(layout)
    wait_for_log(layout, "celery-beat", b"beat: Starting", START_TIMEOUT, since=since)


def restart_relay(layout: Layout) -> None:
    """The outbox relay: anything due while it is away waits a moment in the database, none is lost."""
    stop(layout, RELAY, "outbox_relay", CELERY_STOP_TIMEOUT)
    since = _log_size(layout, RELAY)
    start_relay(layout)
    wait_for_log(layout, RELAY, b"Outbox relay running.", START_TIMEOUT, since=since)


def _log_size(layout: Layout, name: str) -> int:
    path = layout.log_file(name)
    return path.stat().st_size if path.exists() else 0


def restart_cluster(layout: Layout, report: Callable[[str], None] = print) -> None:
    """Every ASGI process, then every Celery worker, then beat and the outbox relay, one at a time."""
    for index in range(len(layout.asgi_ports)):
        restart_asgi(layout, index)
        report(f"{asgi_name(index)} restarted (pid {read_pid(layout.pid_file(asgi_name(index)))})")
    for queue in WORKER_QUEUES:
        restart_worker(layout, queue)
        report(f"celery-{queue} restarted (pid {read_pid(layout.pid_file(f'celery-{queue}'))})")
    restart_beat(layout)
    report(f"celery-beat restarted (pid {read_pid(layout.pid_file('celery-beat'))})")
    restart_relay(layout)
    report(f"{RELAY} restarted (pid {read_pid(layout.pid_file(RELAY))})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args()
    directory = args.dir.resolve()
    if "nginx" not in running(directory):
        raise SystemExit(f"No cluster runs in {directory}: `make cluster` first.")
    try:
        restart_cluster(Layout.load(directory))
    except RestartError as error:
        raise SystemExit(str(error)) from None


if __name__ == "__main__":
    main()
