"""Celery tasks: thin adapters that call a service by id. Queues and the beat schedule are in slackclone/celery.py.

Every task is idempotent (the services key their writes by message and user, or lock a row in
a state machine), so the reliable settings may run one twice without harm. Transient failures
(the database or Redis unreachable, an SMTP error) retry with exponential backoff and jitter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypedDict, TypeVar

from celery import Task, shared_task

from notifications import services
from outbox.registry import TRANSIENT_ERRORS
from slackclone.db_unavailable import outage_as_unavailable

P = ParamSpec("P")
R = TypeVar("R")

TRANSIENT = TRANSIENT_ERRORS


class TaskOptions(TypedDict):
    acks_late: bool
    reject_on_worker_lost: bool
    autoretry_for: tuple[type[BaseException], ...]
    retry_backoff: int
    retry_backoff_max: int
    retry_jitter: bool
    max_retries: int


RELIABLE: TaskOptions = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 8,
}


def reliable_task(func: Callable[P, R]) -> Task:
    """A Celery task with the RELIABLE options. A database outage (a failover, or a statement prepared before a
    migration changed a column's type) is raised as DatabaseUnavailable, its connection dropped, which
    autoretry_for retries: the error the database raised would fail the task, and a stale statement would
    fail the next task on the same connection too."""
    return shared_task(**RELIABLE)(outage_as_unavailable(func))


@reliable_task
def send_due_emails() -> int:
    """Queue a send task for every missed-message email whose time has come."""
    return len(services.missed_emails_claim_due())


@reliable_task
def send_missed_message_email(email_id: int) -> str | None:
    batch = services.missed_email_send(email_id=email_id)
    return batch.state if batch is not None else None


@reliable_task
def deliver_scheduled_message(scheduled_id: int) -> str | None:
    scheduled = services.scheduled_message_deliver(scheduled_id=scheduled_id)
    return scheduled.state if scheduled is not None else None


@reliable_task
def deliver_reminder(reminder_id: int) -> str | None:
    reminder = services.reminder_deliver(reminder_id=reminder_id)
    return reminder.state if reminder is not None else None


@reliable_task
def deliver_due() -> dict[str, int]:
    """The beat sweep: due scheduled messages and reminders, and eta tasks for the next few seconds."""
    outcome = services.deliveries_run_due()
    return {
        "scheduled_delivered": outcome.scheduled_delivered,
        "reminders_delivered": outcome.reminders_delivered,
        "queued_ahead": outcome.queued_ahead,
    }


@reliable_task
def apply_retention() -> int:
    """Retention for every workspace that has a retention period; returns how many messages went."""
    return sum(run.messages_deleted for run in services.retention_apply_all())
