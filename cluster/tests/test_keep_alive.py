"""nginx reuses idle connections to the ASGI processes; the process must not be the one to close them.

When Uvicorn closed an idle upstream connection first, a request nginx had just sent on it was reset: nginx
answers that with a 502, and does not send a POST again to another process.
"""

from __future__ import annotations

import re
from pathlib import Path

from cluster.up import TEMPLATES, asgi_argv


def _seconds(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)(s|m)?", value).groups()  # type: ignore[union-attr]
    return int(number) * (60 if unit == "m" else 1)


def test_asgi_processes_keep_idle_connections_longer_than_nginx_does():
    config = (TEMPLATES / "nginx.conf").read_text()
    upstream = re.search(r"upstream asgi \{(.*?)\}", config, re.S)
    assert upstream is not None
    nginx_timeout = re.search(r"keepalive_timeout\s+(\w+);", upstream.group(1))
    assert nginx_timeout is not None, "the upstream's keepalive_timeout is nginx's default otherwise: say it"
    argv = asgi_argv(8001)
    asgi_timeout = int(argv[argv.index("--timeout-keep-alive") + 1])
    assert asgi_timeout > _seconds(nginx_timeout.group(1))


def test_the_procfile_keeps_idle_connections_as_long_as_the_cluster():
    procfile = (Path(__file__).resolve().parents[2] / "Procfile").read_text()
    web = [line for line in procfile.splitlines() if line.startswith("web")]
    argv = asgi_argv(8001)
    expected = argv[argv.index("--timeout-keep-alive") + 1]
    assert web
    assert all(f"--timeout-keep-alive {expected} " in line for line in web)
