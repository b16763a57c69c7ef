"""PostgreSQL high availability for the loopback cluster: one etcd member and a Patroni per PostgreSQL server.

etcd (Debian's etcd-server) holds the leader lock and the cluster's state; each Patroni runs one
PostgreSQL server and, through its REST API, tells which member is the primary. Patroni runs from its
own virtualenv (layout.PATRONI_VENV, `make cluster-packages`), as the `postgres` user under root.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from string import Template
from typing import Any

from cluster import postgres
from cluster.layout import BASE_DIR, PATRONI_SCOPE, PATRONI_VENV, Layout, patroni_name

TEMPLATES = Path(__file__).resolve().parent / "templates"
ETCD = "etcd"


def etcd_argv(layout: Layout) -> list[str]:
    """One etcd member on the loopback, its data in the cluster directory."""
    executable = shutil.which("etcd")
    if executable is None:
        raise SystemExit("etcd not found (apt-get install etcd-server, or `make cluster-packages`)")
    client = f"http://127.0.0.1:{layout.etcd_client_port}"
    peer = f"http://127.0.0.1:{layout.etcd_peer_port}"
    return [
        executable,
        *("--name", ETCD, "--data-dir", str(layout.path / "etcd")),
        *("--listen-client-urls", client, "--advertise-client-urls", client),
        *("--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer),
        *("--initial-cluster", f"{ETCD}={peer}", "--initial-cluster-state", "new"),
        *("--log-level", "warn"),
    ]


def start_etcd(layout: Layout) -> subprocess.Popen:
    process = _spawn(layout, ETCD, etcd_argv(layout))
    _wait_http(f"http://127.0.0.1:{layout.etcd_client_port}/health", process, "etcd")
    return process


def patroni_executable() -> Path:
    executable = PATRONI_VENV / "bin" / "patroni"
    if not executable.exists():
        raise SystemExit(f"Patroni is not installed in {PATRONI_VENV}: run `make cluster-packages`")
    return executable


def config_file(layout: Layout, member: str) -> Path:
    """Rendered into the servers' directory, which the `postgres` user can read (<dir>/postgres links it)."""
    return layout.pg_path / f"{member}.yml"


def render_config(layout: Layout, member: str, parameters: dict[str, Any]) -> Path:
    """templates/patroni.yml for one member; `parameters` become postgresql.conf (JSON is YAML)."""
    index = layout.members.index(member)
    text = Template((TEMPLATES / "patroni.yml").read_text()).substitute(
        scope=PATRONI_SCOPE,
        name=member,
        rest_port=layout.patroni_ports[index],
        etcd_port=layout.etcd_client_port,
        pg_port=layout.pg_ports[index],
        data_dir=postgres.data_dir(layout, member),
        bin_dir=postgres.bin_dir(),
        pgpass=layout.pg_path / f"{member}.pgpass",
        parameters=json.dumps(parameters),
    )
    path = config_file(layout, member)
    path.write_text(text)
    path.chmod(0o644)
    return path


def start_member(layout: Layout, member: str, parameters: dict[str, Any]) -> subprocess.Popen:
    """Start the Patroni of `member`: it initialises, or copies, or simply starts its server."""
    config = render_config(layout, member, parameters)
    process = _spawn(layout, patroni_name(member), [str(patroni_executable()), str(config)], server=True)
    _wait_http(f"{layout.patroni_api(member)}/liveness", process, patroni_name(member))
    return process


def _spawn(layout: Layout, name: str, argv: list[str], *, server: bool = False) -> subprocess.Popen:
    """A process in its own session, logging to log/<name>.log, its pid in <name>.pid; as the server
    user under root when `server` (the pid is then still that of the program itself, not of a wrapper)."""
    account = postgres.server_user() if server else None
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(layout.pg_path if server else BASE_DIR)}
    with open(layout.log_file(name), "ab") as log:
        process = subprocess.Popen(
            argv,
            cwd=layout.pg_path if server else layout.path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=account.pw_uid if account else None,
            group=account.pw_gid if account else None,
            extra_groups=[] if account else None,
        )
    layout.pid_file(name).write_text(f"{process.pid}\n")
    return process


def _wait_http(url: str, process: subprocess.Popen, name: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with {process.returncode}; see its log in the cluster's log/")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except (OSError, urllib.error.HTTPError):
            time.sleep(0.1)
    raise SystemExit(f"{name} did not answer {url} within {timeout:.0f} s")


def members(layout: Layout) -> list[dict[str, Any]]:
    """Patroni's view of the members (name, role, state, lag…), from any member that answers; [] if none."""
    for member in layout.members:
        try:
            with urllib.request.urlopen(f"{layout.patroni_api(member)}/cluster", timeout=1) as response:
                return json.loads(response.read())["members"]
        except (OSError, ValueError, KeyError):
            continue
    return []


def leader(layout: Layout) -> str | None:
    """The member that holds the leader lock and runs a primary now (None during a failover)."""
    for member in members(layout):
        if member.get("role") == "leader" and member.get("state") == "running":
            return member["name"]
    return None


def is_primary(layout: Layout, member: str) -> bool:
    """Patroni's /primary health check (what HAProxy asks): 200 only on the writable primary."""
    try:
        with urllib.request.urlopen(f"{layout.patroni_api(member)}/primary", timeout=1):
            return True
    except (OSError, urllib.error.HTTPError):
        return False


def wait_healthy(layout: Layout, timeout: float = 120.0) -> str:
    """Block until a leader runs and every other member streams from it as a synchronous standby."""
    deadline = time.monotonic() + timeout
    view: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        view = members(layout)
        roles = sorted(member.get("role", "") for member in view)
        streaming = all(m.get("state") in ("running", "streaming") for m in view)
        wanted = ["leader", *["sync_standby"] * (len(layout.members) - 1)]
        if roles == wanted and streaming and len(view) == len(layout.members):
            return next(m["name"] for m in view if m["role"] == "leader")
        time.sleep(0.2)
    raise SystemExit(f"the PostgreSQL members did not settle (leader + synchronous standby): {view}")
