"""Handing work to the workers: the only place the services (and chat) do.

Notifying and desktop notifications are outbox jobs (notifications.jobs), written in the transaction
of the change that causes them, so a broker that is down, flushed or replaced loses none. The other
timed work has rows of its own that the beat sweeps find (missed-message emails, scheduled messages,
reminders), so its eta tasks here are only the prompt path, queued after the commit with `robust=True`.
Tasks are imported when called: a task module imports the services that import this.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from outbox.services import job_enqueue

if TYPE_CHECKING:
    from chat.models import Mention, Message


def notify_after_commit(message: Message, mentions: Sequence[Mention]) -> None:
    """Work out who to notify of a new message, in an outbox job written in the posting transaction.

    No job is written for a message no rule can notify anyone of (most messages of a large channel: no
    mention, nobody who asked for every message). That test is one look-up in a partial index, where a
    job would be a row written under the channel's lock and a task per message. Called by
    chat.services.message_post, once per new message (never for a retried client_msg_id), with the
    mentions it stored.
    """
    from notifications.rules import may_notify_anyone

    if may_notify_anyone(message, mentions):
        job_enqueue("notifications.notify_message", message.pk)


def notify_of_posted_message(sender, *, message: Message, mentions: Sequence[Mention], **kwargs) -> None:
    """chat.signals.message_posted's receiver: chat sits below notifications and tells it through the signal."""
    notify_after_commit(message, mentions)


def notify_of_edited_message(sender, *, message: Message, newly_mentioned: Sequence[int] = (), **kwargs) -> None:
    """chat.signals.message_edited's receiver: the people an edit newly mentions are notified, in an outbox job."""
    if newly_mentioned:
        job_enqueue("notifications.notify_mentioned_by_edit", message.pk, list(newly_mentioned))


def send_web_push_after_commit(message_id: int, user_ids: list[int]) -> None:
    """Desktop notifications of a message, WEBPUSH_DELAY_SECONDS after the commit: time enough for a person
    reading the channel on an open tab to have read it, so that device pushes nothing."""

    due_at = timezone.now() + timedelta(seconds=settings.WEBPUSH_DELAY_SECONDS)
    job_enqueue("notifications.send_web_push", message_id, user_ids, due_at=due_at)


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
