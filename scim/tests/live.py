"""A live server for SCIM tests that need a real client over HTTP (scim2-tester, the provisioning script):
one Daphne process of the real ASGI application on pytest-django's test database and the test Redis, started
on a free port and stopped by its pid."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from slackclone.testing.processes import free_port, stop, wait_for_port

BASE_DIR = Path(settings.BASE_DIR)


class LiveServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "slackclone.settings_test",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
            "REDIS_URL": settings.REDIS_URL,
            "SECRET_KEY": settings.SECRET_KEY,
            "LOG_LEVEL": "WARNING",
            "API_AUTH_RATE": "100000/m",
        }
        daphne = Path(sys.executable).with_name("daphne")
        self.process: subprocess.Popen | None = subprocess.Popen(
            [str(daphne), "-b", "127.0.0.1", "-p", str(self.port), "slackclone.asgi:application"],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        wait_for_port(self.port, self.process)

    def stop(self) -> None:
        stop(self.process)
        self.process = None


@pytest.fixture
def live_server_process(transactional_db) -> Iterator[LiveServer]:
    server = LiveServer()
    try:
        yield server
    finally:
        server.stop()
