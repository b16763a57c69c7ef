"""Prometheus metrics of every process: the ASGI servers, the Celery workers and beat.

`families.py` declares every metric (all named slackclone_*, every label from a closed or bounded set);
`http.py` times requests by their URL pattern and serves GET /metrics to allowed scrapers only;
`celery.py` times tasks through Celery's signals and serves a worker's or beat's metrics on METRICS_PORT
(a prefork worker aggregates its pool processes through PROMETHEUS_MULTIPROC_DIR); `collectors.py` reads
what lives in the database (outbox backlogs, replica lag) and the connection pool when scraped.
Recording a sample is an in-memory increment: nothing here queries the database on a request's path.
"""
