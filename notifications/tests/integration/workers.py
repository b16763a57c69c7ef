"""Real Celery workers for the integration tests: child processes on the real Redis broker and test database.

Each worker is `celery -A slackclone worker` with the production settings (not eager), the test
run's PostgreSQL database and Redis, and whatever the test adds (a short visibility timeout, a
short email delay, a file email backend the test can read). Workers are stopped, or killed, by
their own process id; nothing is left running.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection

from slackclone.celery import app
from slackclone.tests.subprocess_env import BASE_DIR, REAL_SECRET_KEY, clean_env

READY_TIMEOUT = 60.0


def database_url() -> str:
    """The database this test run uses (pytest-django's test_… database), as a URL for a child process."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """One worker process (solo pool: the process that takes a task runs it, so killing it kills the task)."""

    def __init__(self, name: str, queues: str, var_dir: Path, **variables: str):
        self.name = name
        self.log_path = var_dir / f"worker-{name}.log"
        defaults = {
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "SECRET_KEY": REAL_SECRET_KEY,
            "DEBUG": "0",
            "LOG_LEVEL": "INFO",
        }
        env = clean_env(var_dir, **{**defaults, **variables})
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "slackclone",
            "worker",
            "--pool=solo",
            f"--queues={queues}",
            f"--hostname={name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ]
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text()

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> Worker:
        wait_for(lambda: " ready." in self.log() or self.process.poll() is not None, timeout, "the worker to start")
        assert self.process.poll() is None, f"worker {self.name} exited:\n{self.log()}"
        return self

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no acknowledgement, the task it was running dies with it."""
        if self.process.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()


def wait_for(condition: Callable[[], bool], timeout: float, what: str, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def purge_broker() -> None:
    """Empty every queue and forget unacknowledged deliveries, so no test sees another's tasks."""
    app.control.purge()
    client = redis.Redis.from_url(app.conf.broker_url)
    client.delete("unacked", "unacked_index", "unacked_mutex")
    client.close()
