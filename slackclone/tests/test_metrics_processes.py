"""Metrics and structured logs of real processes: a Celery worker as `make stack` runs it counts and times
its tasks and serves them on METRICS_PORT; Uvicorn with LOG_FORMAT=json logs each request in one JSON line,
and the task that request started logs the same request id."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from prometheus_client.parser import text_string_to_metric_families

from slackclone.celery import app as celery_app
from slackclone.logs import REQUEST_ID
from slackclone.testing.api import token_client
from slackclone.testing.processes import BASE_DIR, free_port, start_procfile_process, stop, wait_for_port

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _env(**variables: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "slackclone.settings_test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "SECRET_KEY": settings.SECRET_KEY,
        "LOG_LEVEL": "WARNING",
        "LOG_FORMAT": "json",
        "PYTHONUNBUFFERED": "1",
        **variables,
    }


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def _wait_for_line(log: Path, matches, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        found = [line for line in _json_lines(log.read_text()) if matches(line)]
        if found:
            return found[0]
        assert time.monotonic() < deadline, f"no such line in {log.read_text()[-3000:]}"
        time.sleep(0.1)


def _samples(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_a_prefork_worker_serves_its_pool_processes_task_metrics_and_logs_the_senders_request_id(tmp_path):
    metrics_port, log, queue = free_port(), tmp_path / "worker.log", f"metrics{os.getpid()}"
    (tmp_path / "prom").mkdir()
    command = [
        *(str(Path(sys.executable).parent / "celery"), "-A", "slackclone", "worker", f"--queues={queue}"),
        *(f"--hostname={queue}@%h", "--concurrency=2", "--pool=prefork", "--loglevel=WARNING"),
    ]
    env = _env(
        CELERY_TASK_ALWAYS_EAGER="0", METRICS_PORT=str(metrics_port), PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prom")
    )
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            wait_for_port(metrics_port, process)
            token = REQUEST_ID.set("req-from-the-test-0001")
            try:
                celery_app.send_task("audit.tasks.prune_audit_log", queue=queue)
                celery_app.send_task("audit.tasks.prune_audit_log", args=["not", "its", "arguments"], queue=queue)
            finally:
                REQUEST_ID.reset(token)
            line = _wait_for_line(log, lambda line: line.get("outcome") == "success")
            _wait_for_line(log, lambda line: line.get("outcome") == "failure")
            samples = _samples(metrics_port)
        finally:
            stop(process)
    assert line["request_id"] == "req-from-the-test-0001"
    assert line["outcome"] == "success"
    assert line["queue"] == queue
    assert line["duration_ms"] >= 0
    labels = (("queue", queue), ("task", "audit.tasks.prune_audit_log"))
    assert samples[("slackclone_celery_tasks_total", (("outcome", "success"), *labels))] == 1
    assert samples[("slackclone_celery_tasks_total", (("outcome", "failure"), *labels))] == 1
    assert samples[("slackclone_celery_task_queue_wait_seconds_count", labels)] == 2
    assert samples[("slackclone_celery_task_run_seconds_count", labels)] == 2


def test_json_logs_give_a_request_one_line_and_its_task_the_same_request_id(tmp_path, team):
    client = token_client(team.member, team.workspace)
    port, log = free_port(), tmp_path / "web1.log"
    env = _env(REQUEST_ID_FROM_PROXY="1")
    with log.open("wb") as output:
        process = start_procfile_process("web1", port=port, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/v1/channels/{team.general.public_id}/messages",
                data=json.dumps({"text": f"hello <@{team.other_member.public_id}>"}).encode(),
                headers={
                    "Authorization": f"Bearer {client.raw_token}",
                    "Content-Type": "application/json",
                    "X-Request-ID": "proxy-id-0123456789abcdef",
                },
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 201
                assert response.headers["X-Request-ID"] == "proxy-id-0123456789abcdef"
            task = _wait_for_line(log, lambda line: line.get("task") == "outbox.tasks.run_jobs")
            with contextlib.suppress(urllib.error.HTTPError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/invitations/SECRETINVITE789", timeout=10)
            not_found = _wait_for_line(log, lambda line: line.get("logger") == "django.request")
        finally:
            stop(process)
    assert "SECRETINVITE789" not in log.read_text()
    assert not_found["message"] == "Not Found: /api/v1/invitations/[redacted]"
    requests = [line for line in _json_lines(log.read_text()) if line["logger"] == "slackclone.requests"]
    assert len(requests) == 2, requests  # the post, and the invitation's 404
    assert requests[0] | {"duration_ms": 0} == requests[0] | {
        "method": "POST",
        "route": "api:messages",
        "status": 201,
        "user_id": team.member.public_id,
        "request_id": "proxy-id-0123456789abcdef",
        "duration_ms": 0,
    }
    assert task["request_id"] == "proxy-id-0123456789abcdef"
    assert task["outcome"] == "success"
