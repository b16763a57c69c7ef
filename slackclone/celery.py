"""The Celery app: queues, routes and the beat schedule. Other settings come from Django's CELERY_*.

Four queues, so slow work never holds up urgent work, each with its own worker in the Procfile:

    notifications  who to notify of a new message; scheduled messages and reminders, delivered on time
                   (with beat's sweep for them: it must never wait behind a long retention run)
    email          missed-message emails (SMTP can be slow or down; retries with backoff), and desktop
                   notifications by Web Push (push services are outside services too)
    maintenance    retention of messages and of the audit log, which delete in batches and may run for minutes,
                   and the hourly LDAP sync
    apps           Events API deliveries to apps' request URLs (an app that answers slowly holds up
                   only other apps), the server's link previews and apps' view_closed

Work a change causes is an outbox job (outbox/), written in the change's own transaction and sent
to the queue its registration names by `outbox.tasks.run_jobs`; the relay sends what the committing
process could not. Reliability comes from the settings (late acks, reject on worker loss, prefetch 1, a visibility
timeout after which a dead worker's task is delivered again) together with tasks that are
idempotent, so a task that runs twice does no harm. Beat only nudges: every periodic task
finds its work in the database, so a beat that restarts (or runs late) loses nothing.
In the embedded default (no REDIS_URL) tasks run eagerly, in-process, and beat is not needed.
"""

import os

from celery import Celery, signals
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "slackclone.settings")

app = Celery("slackclone")
app.config_from_object("django.conf:settings", namespace="CELERY")

NOTIFICATIONS_QUEUE = "notifications"
EMAIL_QUEUE = "email"
MAINTENANCE_QUEUE = "maintenance"
APPS_QUEUE = "apps"

# Each queue bound by its own routing key, so a task routed to one lands in that one alone.
app.conf.task_queues = [
    Queue(name, routing_key=name)
    for name in ("default", NOTIFICATIONS_QUEUE, EMAIL_QUEUE, MAINTENANCE_QUEUE, APPS_QUEUE)
]
app.conf.task_routes = {
    "notifications.tasks.deliver_scheduled_message": {"queue": NOTIFICATIONS_QUEUE},
    "notifications.tasks.deliver_reminder": {"queue": NOTIFICATIONS_QUEUE},
    "notifications.tasks.send_due_emails": {"queue": EMAIL_QUEUE},
    "notifications.tasks.send_missed_message_email": {"queue": EMAIL_QUEUE},
    "notifications.tasks.deliver_due": {"queue": NOTIFICATIONS_QUEUE},
    "notifications.tasks.apply_retention": {"queue": MAINTENANCE_QUEUE},
    "audit.tasks.prune_audit_log": {"queue": MAINTENANCE_QUEUE},
    "slack_apps.tasks.dispatch_events": {"queue": APPS_QUEUE},
    "slack_apps.tasks.deliver_events": {"queue": APPS_QUEUE},
    "slack_apps.tasks.deliver_due_events": {"queue": APPS_QUEUE},
    # The outbox's jobs go to the queue each job names (outbox.registry); its upkeep is maintenance.
    "outbox.tasks.relay_due_jobs": {"queue": MAINTENANCE_QUEUE},
    "outbox.tasks.prune_jobs": {"queue": MAINTENANCE_QUEUE},
    # Talks to workspaces' LDAP servers, each up to its timeout per operation: never ahead of urgent work.
    "directory.tasks.sync_directories": {"queue": MAINTENANCE_QUEUE},
}
app.conf.beat_schedule = {
    # Scheduled messages and reminders due now that no eta task delivered (and eta tasks for the next minute).
    "deliver-due": {"task": "notifications.tasks.deliver_due", "schedule": 15.0, "options": {"expires": 15}},
    # Missed-message emails whose time has come (the eta task after each message usually got there first).
    "send-due-emails": {"task": "notifications.tasks.send_due_emails", "schedule": 30.0, "options": {"expires": 30}},
    # Events API deliveries due a retry, and any whose task was lost (the broker was down at commit).
    "deliver-due-events": {
        "task": "slack_apps.tasks.deliver_due_events",
        "schedule": 10.0,
        "options": {"expires": 10},
    },
    # Outbox rows the fast path could not hand over (the broker was down) and rows due now, for a
    # deployment without the relay process (`manage.py outbox_relay`); the two share rows safely.
    "relay-outbox": {"task": "outbox.tasks.relay_due_jobs", "schedule": 5.0, "options": {"expires": 5}},
    # Done outbox rows are kept a day (OUTBOX_KEEP_DONE_HOURS), for the admin and the metrics.
    "prune-outbox": {"task": "outbox.tasks.prune_jobs", "schedule": 3600.0, "options": {"expires": 3600}},
    # Retention deletes in batches, so running it often keeps each run small.
    "apply-retention": {
        "task": "notifications.tasks.apply_retention",
        "schedule": 3600.0,
        "options": {"expires": 3600},
    },
    # Workspaces' LDAP / Active Directory: names and roles, and deactivating people who left (sync_ldap).
    "sync-ldap": {"task": "directory.tasks.sync_directories", "schedule": 3600.0, "options": {"expires": 3600}},
    # The audit log's retention (each workspace's audit_retention_days), in batches, once a day.
    "prune-audit-log": {
        "task": "audit.tasks.prune_audit_log",
        "schedule": 86400.0,
        "options": {"expires": 3600},
    },
}
app.autodiscover_tasks()


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def redact_secrets_in_logs(logger=None, **kwargs) -> None:
    """Celery replaces the root logger's handlers with its own (and gives task loggers theirs): each gets the
    filter settings.LOGGING's handler has, so no worker or beat line carries a token."""
    from slackclone.log_redaction import redact_handlers

    if logger is not None:
        redact_handlers(logger)


@signals.task_prerun.connect
@signals.task_postrun.connect
def close_old_database_connections(sender=None, **kwargs) -> None:
    """Give each task the connection lifecycle Django gives a request (CELERY_DB_REUSE_MAX in settings).

    A connection older than CONN_MAX_AGE, or one a query failed on, is closed; any other is kept and,
    with CONN_HEALTH_CHECKS, checked before the task's first query, so a database restart between
    tasks costs a reconnect, not a failed task. An eager task runs inside its caller's transaction,
    whose connection is the caller's to manage.
    """
    if sender is None or getattr(sender.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
