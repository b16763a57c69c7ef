"""The cluster's Prometheus (Debian's `prometheus`): its scrape configuration, rendered from the layout, and the
server itself, started after nginx and stopped by its pid like every other process (cluster.down).

Each Celery worker and beat serve their metrics on a port of their own (Layout.metrics_ports, passed as
METRICS_PORT by process_env); a prefork worker's pool processes write theirs to PROMETHEUS_MULTIPROC_DIR,
a directory per worker, which its main process adds up (slackclone/metrics/celery.py).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from string import Template

from cluster.layout import Layout, asgi_name
from slackclone.testing.processes import wait_for_port

TEMPLATES = Path(__file__).resolve().parent / "templates"
NAME = "prometheus"


def process_env(layout: Layout, name: str) -> dict[str, str]:
    """The metrics variables of one application process: METRICS_PORT for a worker or beat (beat serves the
    database collectors too), and a multiprocess directory of its own for a worker."""
    port = layout.metrics_ports.get(name)
    if port is None:
        return {}
    env = {"METRICS_PORT": str(port)}
    if name in ("celery-beat", "outbox-relay"):
        return env  # one process each (beat serves the database collectors, the relay the outbox's)
    directory = layout.path / "metrics" / name
    directory.mkdir(parents=True, exist_ok=True)
    return env | {"PROMETHEUS_MULTIPROC_DIR": str(directory)}


def _targets(targets: dict[str, int]) -> str:
    """One static_config per target, labelled with its process name (a YAML flow mapping is JSON)."""
    return "\n".join(
        f"      - {json.dumps({'targets': [f'127.0.0.1:{port}'], 'labels': {'process': name}})}"
        for name, port in targets.items()
    )


def config(layout: Layout) -> Path:
    asgi = {asgi_name(index): port for index, port in enumerate(layout.asgi_ports)}
    text = Template((TEMPLATES / "prometheus.yml").read_text()).substitute(
        asgi_targets=_targets(asgi), celery_targets=_targets(layout.metrics_ports)
    )
    path = layout.path / "prometheus.yml"
    path.write_text(text)
    return path


def start(layout: Layout) -> None:
    """Start Prometheus on layout.prometheus_port, keeping its data under <dir>/prometheus; skipped, with a
    note, where the binary is not installed (`make cluster-packages` installs it)."""
    binary = shutil.which("prometheus")
    if binary is None:
        print("  prometheus is not installed: the cluster runs without it (make cluster-packages)")
        return
    argv = [
        binary,
        f"--config.file={config(layout)}",
        f"--storage.tsdb.path={layout.path / 'prometheus'}",
        f"--web.listen-address=127.0.0.1:{layout.prometheus_port}",
        "--storage.tsdb.retention.time=2d",
    ]
    with open(layout.log_file(NAME), "ab") as log:
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    layout.pid_file(NAME).write_text(f"{process.pid}\n")
    wait_for_port(layout.prometheus_port, process)
