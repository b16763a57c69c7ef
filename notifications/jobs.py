"""The outbox jobs of notifications: thin adapters that call a service by id (outbox.registry)."""

from __future__ import annotations

from notifications import services
from outbox.registry import job
from slackclone.celery import EMAIL_QUEUE, NOTIFICATIONS_QUEUE


@job("notifications.notify_message", queue=NOTIFICATIONS_QUEUE)
def notify_message(message_id: int) -> None:
    """Notify the recipients of a new message (keyed by message and person: a second run writes nothing)."""
    services.notify_message_posted(message_id=message_id)


@job("notifications.notify_mentioned_by_edit", queue=NOTIFICATIONS_QUEUE)
def notify_mentioned_by_edit(message_id: int, user_ids: list[int]) -> None:
    """Notify the people an edit newly mentions (the others heard of the message when it was posted)."""
    services.notify_message_edited(message_id=message_id, user_ids=user_ids)


@job("notifications.send_web_push", queue=EMAIL_QUEUE, atomic=False)
def send_web_push(message_id: int, user_ids: list[int]) -> None:
    """Desktop notifications of a message to these people's devices, unless they have read it."""
    services.push_deliver(message_id=message_id, user_ids=user_ids)
