"""Start the loopback cluster: `python -m cluster.up [--asgi N] [--port 8080]` (what `make cluster` runs).

Order: the Redis servers, etcd and the Patroni-managed PostgreSQL pair, migrations and static files,
the ASGI processes, the Celery workers, beat and the outbox relay, and nginx in front. Every process's id goes to
var/cluster/<name>.pid as soon as it runs, so a failure half way is stopped cleanly by `cluster.down`.
Running it again on a stopped cluster reuses its data (the databases survive a restart).
"""

from __future__ import annotations

import argparse
import grp
import os
import pwd
import socket
import subprocess
import sys
import time
from collections.abc import Collection, Mapping
from pathlib import Path
from string import Template
from typing import Any

from cluster import backup, patroni, postgres, prometheus
from cluster.down import running, stop_cluster
from cluster.layout import (
    BASE_DIR,
    DEFAULT_DIR,
    NGINX_ADDRESS,
    VENV_BIN,
    WORKER_QUEUES,
    Layout,
    asgi_name,
    default_server_dir,
    layer_redis_name,
)
from slackclone.testing.processes import free_port, wait_for_port

TEMPLATES = Path(__file__).resolve().parent / "templates"
LAYER_SHARDS = 2
RELAY = "outbox-relay"
PG_MEMBERS = 2


def new_layout(directory: Path, nginx_port: int, asgi: int) -> Layout:
    """Ports for a fresh cluster; a stopped one keeps its Redis, etcd and PostgreSQL ports (etcd knows them)."""
    ports = [free_port() for _ in range(asgi)]
    if (directory / "cluster.json").exists():
        try:
            saved = Layout.load(directory)
        except TypeError as exc:
            raise SystemExit(f"{directory}/cluster.json is from an older cluster: remove {directory}") from exc
        saved.nginx_port, saved.asgi_ports = nginx_port, ports
        return saved
    server_dir = default_server_dir(directory)
    postgres.forget_server_dir(server_dir)  # servers of an earlier cluster of this name, without its etcd
    return Layout(
        dir=str(directory),
        nginx_port=nginx_port,
        asgi_ports=ports,
        layer_redis_ports=[free_port() for _ in range(LAYER_SHARDS)],
        redis_port=free_port(),
        pg_ports=[free_port() for _ in range(PG_MEMBERS)],
        patroni_ports=[free_port() for _ in range(PG_MEMBERS)],
        etcd_client_port=free_port(),
        etcd_peer_port=free_port(),
        pg_dir=str(server_dir),
    )


def spawn(layout: Layout, name: str, argv: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start one application process in its own session (it outlives `make`), logging to log/<name>.log;
    `env` adds to the environment every application process gets."""
    with open(layout.log_file(name), "ab") as log:
        process = subprocess.Popen(
            argv,
            cwd=BASE_DIR,
            env={
                **layout.env(),
                "DATABASE_APPLICATION_NAME": name,
                **prometheus.process_env(layout, name),
                **(env or {}),
            },
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    layout.pid_file(name).write_text(f"{process.pid}\n")
    return process


def start_redis(layout: Layout, name: str, port: int) -> None:
    """A Redis without persistence; it daemonises and writes its own pid file."""
    argv = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    argv += ["--daemonize", "yes", "--pidfile", str(layout.pid_file(name)), "--logfile", str(layout.log_file(name))]
    argv += ["--dir", str(layout.path), "--maxclients", "20000"]
    layout.pid_file(name).unlink(missing_ok=True)  # a killed server leaves its pid file behind
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    wait_listening(port, name)


def member_parameters(layout: Layout) -> dict[str, Any]:
    """What every PostgreSQL member runs with: the cluster's settings and WAL archiving to the repository."""
    return {**postgres.parameters(layout), **backup.archive_parameters(layout)}


def start_database(layout: Layout) -> str:
    """etcd, then a Patroni per member; returns the leader once the standby streams synchronously."""
    postgres.prepare_server_dir(layout)
    patroni.start_etcd(layout)
    parameters = member_parameters(layout)
    for member in layout.members:
        patroni.start_member(layout, member, parameters)
    leader = patroni.wait_healthy(layout)
    postgres.create_database(layout)
    backup.prepare_archiving(layout)
    return leader


def prepare_application(layout: Layout) -> None:
    for command in (["migrate", "--noinput", "-v", "0"], ["collectstatic", "--noinput", "-v", "0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=BASE_DIR, env=layout.env(), check=True)


def asgi_argv(port: int) -> list[str]:
    """As in the Procfile: Uvicorn with lifespan on, so SIGTERM drains (slackclone.lifespan)."""
    return [
        str(VENV_BIN / "uvicorn"),
        *("--host", "127.0.0.1", "--port", str(port), "--http", "httptools"),
        *("--ws", "realtime.protocol:GatewayWebSocketProtocol", "--ws-per-message-deflate", "false"),
        *("--loop", "uvloop", "--lifespan", "on", "--timeout-graceful-shutdown", "10"),
        # nginx keeps idle upstream connections 60 s (its keepalive_timeout). Uvicorn, at its default 5 s,
        # closed them first, and a request nginx sent on one as it closed was reset (a 502 for a POST,
        # which nginx does not send again), so Uvicorn keeps them longer than nginx does.
        *("--timeout-keep-alive", "75"),
        # nginx, on this machine's loopback, is the only proxy whose X-Forwarded-For is believed.
        *("--forwarded-allow-ips", NGINX_ADDRESS),
        *("--log-level", "warning", "--no-access-log", "slackclone.asgi:application"),
    ]


def asgi_thread_env(processes: int, cores: int, environ: Mapping[str, str]) -> dict[str, str]:
    """Each ASGI process's share of the host's threads, for the pools the environment does not size itself.

    The settings size a process's request threads (two per core) and gateway threads (one per core) by the
    cores it may run on, as if it were alone on them; the cluster runs `processes` of them on one host,
    where every thread more only takes the GIL and the cores from the others. Each takes its share: at
    least two request threads and one gateway thread (docs/performance.md, Prepared statements)."""
    shares = {
        "ASGI_REQUEST_THREADS": max(2, 2 * cores // processes),
        "GATEWAY_DATABASE_THREADS": max(1, cores // processes),
    }
    return {name: str(threads) for name, threads in shares.items() if name not in environ}


def start_asgi(layout: Layout, index: int) -> subprocess.Popen:
    port = layout.asgi_ports[index]
    threads = asgi_thread_env(len(layout.asgi_ports), len(os.sched_getaffinity(0)), os.environ)
    process = spawn(layout, asgi_name(index), asgi_argv(port), threads)
    wait_for_port(port, process)
    return process


def start_relay(layout: Layout) -> subprocess.Popen:
    """The outbox relay (pid file outbox-relay): hands the jobs whose fast path was lost to Celery."""
    return spawn(layout, RELAY, [sys.executable, "manage.py", "outbox_relay"])


def start_celery(layout: Layout) -> None:
    for name in WORKER_QUEUES:
        start_worker(layout, name)
    start_beat(layout)
    start_relay(layout)
    for name in WORKER_QUEUES:
        wait_for_log(layout, f"celery-{name}", b" ready.")


def start_worker(layout: Layout, name: str) -> subprocess.Popen:
    """The worker of one queue (WORKER_QUEUES); it logs " ready." once it consumes."""
    concurrency = "2" if name == "notifications" else "1"
    return spawn(
        layout,
        f"celery-{name}",
        [str(VENV_BIN / "celery"), "-A", "slackclone", "worker", f"--queues={WORKER_QUEUES[name]}",
         f"--hostname={name}@%h", f"--concurrency={concurrency}", "--prefetch-multiplier=1", "--loglevel=INFO"],
    )  # fmt: skip


def start_beat(layout: Layout) -> subprocess.Popen:
    schedule = layout.path / "celerybeat-schedule"
    return spawn(
        layout,
        "celery-beat",
        [str(VENV_BIN / "celery"), "-A", "slackclone", "beat", "--loglevel=INFO", "--pidfile=", "-s", str(schedule)],
    )


def wait_for_log(layout: Layout, name: str, needle: bytes, timeout: float = 60.0, since: int = 0) -> None:
    """Block until `needle` is in the log after byte `since` (a restarted process appends to its log)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if needle in layout.log_file(name).read_bytes()[since:]:
            return
        time.sleep(0.2)
    raise SystemExit(f"{name} did not become ready; see {layout.log_file(name)}")


def nginx_config(layout: Layout, down: Collection[int] = ()) -> Path:
    """Render templates/nginx.conf into the cluster directory (workers drop root for www-data or nobody).

    ASGI ports in `down` stay listed but marked `down`: nginx sends them nothing (cluster.restart).
    """
    tmp_dir = layout.path / "nginx"
    tmp_dir.mkdir(exist_ok=True)
    user_line = ""
    if os.geteuid() == 0:
        user = "www-data" if _user_exists("www-data") else "nobody"
        group = grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name
        os.chown(tmp_dir, pwd.getpwnam(user).pw_uid, pwd.getpwnam(user).pw_gid)
        user_line = f"user {user} {group};"
    servers = "\n".join(
        f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=2s{' down' if p in down else ''};"
        for p in layout.asgi_ports
    )
    text = Template((TEMPLATES / "nginx.conf").read_text()).substitute(
        user_line=user_line,
        pid_file=layout.pid_file("nginx"),
        log_dir=layout.path / "log",
        tmp_dir=tmp_dir,
        upstream_servers=servers,
        port=layout.nginx_port,
    )
    path = layout.path / "nginx.conf"
    path.write_text(text)
    return path


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def start_nginx(layout: Layout) -> None:
    config = nginx_config(layout)
    subprocess.run(["nginx", "-t", "-q", "-c", str(config)], check=True)
    subprocess.run(["nginx", "-c", str(config)], check=True)
    wait_listening(layout.nginx_port, "nginx")


def wait_listening(port: int, name: str, timeout: float = 30.0) -> None:
    """Block until something accepts connections on the port (a daemon we cannot poll as a child)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"{name} does not listen on port {port}; see its log in var/cluster/log")


def start_cluster(directory: Path = DEFAULT_DIR, *, nginx_port: int = 8080, asgi: int = 2) -> Layout:
    """Start every process of the cluster; on any failure, stop what was started and re-raise."""
    directory.mkdir(parents=True, exist_ok=True)
    if running(directory):
        raise SystemExit(f"A cluster is already running in {directory}: `make cluster-stop` first.")
    layout = new_layout(directory, nginx_port, asgi)
    (layout.path / "log").mkdir(exist_ok=True)
    (layout.path / "app").mkdir(exist_ok=True)
    layout.save()
    try:
        for index, port in enumerate(layout.layer_redis_ports):
            start_redis(layout, layer_redis_name(index), port)
        start_redis(layout, "redis", layout.redis_port)
        start_database(layout)
        prepare_application(layout)
        for index in range(asgi):
            start_asgi(layout, index)
        start_celery(layout)
        start_nginx(layout)
        prometheus.start(layout)
    except BaseException:
        stop_cluster(directory)
        raise
    return layout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--asgi", type=int, default=2, help="ASGI (Uvicorn) processes behind nginx")
    parser.add_argument("--port", type=int, default=8080, help="nginx's port on 127.0.0.1")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args()
    layout = start_cluster(args.dir.resolve(), nginx_port=args.port, asgi=args.asgi)
    pids = sorted(p.stem for p in layout.path.glob("*.pid"))
    print(f"\n  Slackclone cluster at {layout.base_url}/ ({args.asgi} ASGI processes)")
    print(f"  Processes ({len(pids)}): {', '.join(pids)}; pid files and logs in {layout.path}")
    print(f"  PostgreSQL (Patroni, leader {patroni.leader(layout)}): {layout.database_url}")
    print(f"  Prometheus at {layout.prometheus_url}/ (every process's metrics; docs/operations.md)")
    print("  Stop it with `make cluster-stop`.\n")


if __name__ == "__main__":
    main()
