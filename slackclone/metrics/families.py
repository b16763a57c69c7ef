"""Every metric the project records, declared once. Labels take bounded values only: a URL pattern's name,
never a raw path; a task's registered name and its queue; an outcome from a closed set."""

from __future__ import annotations

import os

from prometheus_client import Counter, Gauge, Histogram

# In multiprocess mode (a prefork Celery worker) every value lives in a file there, from the metric's creation on.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 1800.0)
REPLAY_BUCKETS = (0, 1, 5, 10, 25, 50, 100, 250, 500, 1000)

HTTP_REQUESTS = Counter(
    "slackclone_http_requests",
    "HTTP requests answered, by URL pattern, method and status.",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "slackclone_http_request_duration_seconds",
    "Time from the request reaching Django to its response, by URL pattern.",
    ["route", "method"],
    buckets=LATENCY_BUCKETS,
)
SOCKETS_OPEN = Gauge(
    "slackclone_sockets_open",
    "Real-time sockets open in this process.",
    multiprocess_mode="livesum",
)
EVENTS_PUBLISHED = Counter(
    "slackclone_events_published",
    "Layer messages carrying a real-time event handed to the channel layer (one per group).",
)
FRAMES_DELIVERED = Counter(
    "slackclone_frames_delivered",
    "Event frames written to (or held for) local sockets by the fan-out.",
)
RESUME_REPLAYS = Histogram(
    "slackclone_resume_replay_events",
    "Events replayed from the database per socket resume.",
    buckets=REPLAY_BUCKETS,
)
LAYER_ERRORS = Counter(
    "slackclone_channel_layer_errors",
    "Channel-layer failures: a lost receive or a send that raised.",
    ["operation"],
)
LAYER_RECOVERIES = Counter(
    "slackclone_channel_layer_recoveries",
    "Times the fan-out re-joined its groups after losing the channel layer.",
)
TASK_QUEUE_WAIT = Histogram(
    "slackclone_celery_task_queue_wait_seconds",
    "Time from a task's publication to its start on a worker.",
    ["queue", "task"],
    buckets=TASK_BUCKETS,
)
TASK_RUN_TIME = Histogram(
    "slackclone_celery_task_run_seconds",
    "Time a task ran, whatever its outcome.",
    ["queue", "task"],
    buckets=TASK_BUCKETS,
)
TASKS = Counter(
    "slackclone_celery_tasks",
    "Tasks run, by queue, task and outcome (success, failure, retry).",
    ["queue", "task", "outcome"],
)
OUTBOX_RELAYED = Counter(
    "slackclone_outbox_relayed",
    "Outbox jobs the relay handed to the broker (those the committing process could not, or due later).",
)
