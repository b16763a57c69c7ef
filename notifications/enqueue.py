"""Queueing tasks after commit: the only place the services (and chat) hand work to Celery.

A task is queued only once the transaction that made its work commits (a worker must find the
rows), with `robust=True`: a broker outage never fails a request whose data is stored. The
periodic sweeps in notifications.tasks find anything whose task was lost, except the
notification of a message posted while the broker was down (its unread and mention counts
still show it). Tasks are imported when called: a task module imports the services that import this.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import DatabaseError, transaction

if TYPE_CHECKING:
    from chat.models import Mention, Message


def notify_after_commit(message: Message, mentions: Sequence[Mention]) -> None:
    """Work out who to notify of a new message, in a task, after the posting transaction commits.

    No task is queued for a message no rule can notify anyone of (most messages of a large channel:
    no mention, nobody who asked for every message); that test runs after the commit too, outside
    the channel's lock. Called by chat.services.message_post, once per new message (never for a
    retried client_msg_id), with the mentions it stored.
    """
    message_id = message.pk

    def queue_notify_message() -> None:
        from notifications.rules import may_notify_anyone
        from notifications.tasks import notify_message

        try:
            worth_a_task = may_notify_anyone(message, mentions)
        except DatabaseError:  # cannot tell now: let the task find out, rather than notify nobody
            worth_a_task = True
        if worth_a_task:
            notify_message.delay(message_id)

    transaction.on_commit(queue_notify_message, robust=True)


def notify_of_posted_message(sender, *, message: Message, mentions: Sequence[Mention], **kwargs) -> None:
    """chat.signals.message_posted's receiver: chat sits below notifications and tells it through the signal."""
    notify_after_commit(message, mentions)


def send_web_push_after_commit(message_id: int, user_ids: list[int]) -> None:
    """Desktop notifications of a message, WEBPUSH_DELAY_SECONDS after the commit: time enough for a person
    reading the channel on an open tab to have read it, so that device pushes nothing."""

    def queue_send_web_push() -> None:
        from notifications.tasks import send_web_push

        send_web_push.apply_async((message_id, user_ids), countdown=settings.WEBPUSH_DELAY_SECONDS)

    transaction.on_commit(queue_send_web_push, robust=True)


def send_due_emails_at(eta: datetime) -> None:
    """Look for missed-message emails to send at `eta` (beat looks too, every 30 seconds)."""

    def queue_send_due_emails() -> None:
        from notifications.tasks import send_due_emails

        send_due_emails.apply_async(eta=eta)

    transaction.on_commit(queue_send_due_emails, robust=True)


def send_missed_message_emails(email_ids: list[int]) -> None:
    def queue_send_missed_message_emails() -> None:
        from notifications.tasks import send_missed_message_email

        for email_id in email_ids:
            send_missed_message_email.delay(email_id)

    if email_ids:
        transaction.on_commit(queue_send_missed_message_emails, robust=True)


def deliver_scheduled_message_at(scheduled_id: int, eta: datetime) -> None:
    def queue_deliver_scheduled_message() -> None:
        from notifications.tasks import deliver_scheduled_message

        deliver_scheduled_message.apply_async((scheduled_id,), eta=eta)

    transaction.on_commit(queue_deliver_scheduled_message, robust=True)


def deliver_reminder_at(reminder_id: int, eta: datetime) -> None:
    def queue_deliver_reminder() -> None:
        from notifications.tasks import deliver_reminder

        deliver_reminder.apply_async((reminder_id,), eta=eta)

    transaction.on_commit(queue_deliver_reminder, robust=True)
