"""Celery's part of the metrics and the request id: connected by slackclone/celery.py.

Publishing a task stamps its headers with the time it was sent and the current request id. A worker's
pool process times the wait (from that stamp, or from the task's eta if it had one, to its start) and the
run, counts the outcome by queue and task, and runs the task under the request id of whoever sent it; with
LOG_FORMAT=json it logs one line per task. Eager tasks (the embedded default, the tests) pass through the
same signals, inside their caller's request, but one that fails raises to its caller (CELERY_TASK_EAGER_PROPAGATES)
before Celery sends task_postrun or task_failure: eager failures are not counted.

A worker serves its metrics on METRICS_PORT from its main process, started at worker_init, before the pool
forks; with PROMETHEUS_MULTIPROC_DIR set, its pool processes write their samples to files there, which the
main process adds up when scraped, and each pool process's files are marked dead as it exits. Beat serves
its own, with the database collectors (slackclone.metrics.collectors), which only one process needs.
"""

from __future__ import annotations

import contextvars
import logging
import os
import time
from pathlib import Path
from typing import Any

from celery import signals

from slackclone.logs import FIELDS_ATTRIBUTE, REQUEST_ID

task_logger = logging.getLogger("slackclone.tasks")
logger = logging.getLogger(__name__)
SENT_AT_HEADER = "sent_at"
REQUEST_ID_HEADER = "request_id"
OUTCOMES = {"SUCCESS": "success", "FAILURE": "failure", "RETRY": "retry"}
# Kept on the task's request (one per run, dropped with it): when it started, and the request-id token to reset.
STARTED_ATTRIBUTE = "_metrics_started"


def _header(request: Any, name: str) -> Any:
    """A custom header of the running task, wherever this Celery version put it on the request."""
    value = getattr(request, name, None)
    if value is None:
        value = (getattr(request, "headers", None) or {}).get(name)
    return value


def _queue(task: Any) -> str:
    delivery = getattr(task.request, "delivery_info", None) or {}
    queue = delivery.get("routing_key")
    if queue:
        return queue
    route = (task.app.conf.task_routes or {}).get(task.name) or {}
    return route.get("queue") or task.app.conf.task_default_queue or "default"


@signals.before_task_publish.connect
def stamp_task_headers(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """The time a task is sent (for its queue wait) and the request id it is sent under."""
    if headers is None:
        return
    headers.setdefault(SENT_AT_HEADER, time.time())
    request_id = REQUEST_ID.get()
    if request_id is not None:
        headers.setdefault(REQUEST_ID_HEADER, request_id)


@signals.task_prerun.connect
def task_started(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    if task_id is None or task is None:
        return
    from slackclone.metrics.families import TASK_QUEUE_WAIT

    now = time.time()
    sent_at = _header(task.request, SENT_AT_HEADER)
    if isinstance(sent_at, int | float):
        due = max(sent_at, _eta_timestamp(task.request) or 0.0)
        TASK_QUEUE_WAIT.labels(_queue(task), task.name).observe(max(0.0, now - due))
    request_id = _header(task.request, REQUEST_ID_HEADER)
    token = REQUEST_ID.set(request_id) if isinstance(request_id, str) else None
    setattr(task.request, STARTED_ATTRIBUTE, (time.perf_counter(), token))


def _eta_timestamp(request: Any) -> float | None:
    eta = getattr(request, "eta", None)
    if not eta:
        return None
    if isinstance(eta, str):
        from datetime import datetime

        try:
            return datetime.fromisoformat(eta).timestamp()
        except ValueError:
            return None
    return eta.timestamp() if hasattr(eta, "timestamp") else None


@signals.task_postrun.connect
def task_finished(task_id: str | None = None, task: Any = None, state: str | None = None, **kwargs: Any) -> None:
    started: tuple[float, contextvars.Token[str | None] | None] | None = None
    if task is not None:
        started = getattr(task.request, STARTED_ATTRIBUTE, None)
    if started is None or task is None:
        return
    from django.conf import settings

    from slackclone.metrics.families import TASK_RUN_TIME, TASKS

    elapsed = time.perf_counter() - started[0]
    queue, outcome = _queue(task), OUTCOMES.get(state or "", "other")
    TASK_RUN_TIME.labels(queue, task.name).observe(elapsed)
    TASKS.labels(queue, task.name, outcome).inc()
    try:
        if settings.LOG_FORMAT == "json":
            fields = {"task": task.name, "queue": queue, "duration_ms": round(elapsed * 1000, 2), "outcome": outcome}
            task_logger.info("%s %s", task.name, outcome, extra={FIELDS_ATTRIBUTE: fields})
    finally:
        if started[1] is not None:
            REQUEST_ID.reset(started[1])


@signals.worker_init.connect
def serve_worker_metrics(**kwargs: Any) -> None:
    """A worker's metrics on METRICS_PORT, from its main process: its pool processes' added up when
    PROMETHEUS_MULTIPROC_DIR is set (emptied first: the files of an earlier run are not this one's)."""
    from django.conf import settings
    from prometheus_client import REGISTRY, CollectorRegistry

    if not settings.METRICS_PORT:
        return
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    registry = REGISTRY
    if directory:
        from prometheus_client import multiprocess

        Path(directory).mkdir(parents=True, exist_ok=True)
        for stale in Path(directory).glob("*.db"):
            stale.unlink()
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        logger.warning("METRICS_PORT without PROMETHEUS_MULTIPROC_DIR: a prefork pool's task metrics are not seen")
    _serve(settings.METRICS_PORT, registry)


def _serve(port: int, registry: Any) -> None:
    """Metrics are never a reason for a worker not to work: a port in use is logged, and the worker runs on."""
    from prometheus_client import start_http_server

    try:
        start_http_server(port, registry=registry)
    except OSError as exc:
        logger.error("Could not serve metrics on port %d: %s", port, exc)


@signals.worker_process_shutdown.connect
def forget_pool_process(pid: int | None = None, **kwargs: Any) -> None:
    """A pool process that exits leaves its live gauges to no one (its counters stay summed)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid or os.getpid())


@signals.beat_init.connect
def serve_beat_metrics(**kwargs: Any) -> None:
    """Beat's metrics on METRICS_PORT, the database collectors among them."""
    from django.conf import settings
    from prometheus_client import REGISTRY

    from slackclone.metrics.collectors import database_collectors

    if not settings.METRICS_PORT:
        return
    for collector in database_collectors():
        REGISTRY.register(collector)
    _serve(settings.METRICS_PORT, REGISTRY)
