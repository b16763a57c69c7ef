"""The beat sweep for timed deliveries: anything due that no eta task delivered, and eta tasks for what comes next.

Eta tasks deliver on the second; this sweep is what makes that reliable. It delivers whatever
is overdue (an eta task lost with a broker restart, a time beyond the eta horizon, a worker that
was down) and queues eta tasks for the deliveries of the next LOOKAHEAD. Deliveries are
idempotent, so the duplicates this makes (an item can get an eta task at creation and another
from each sweep) do nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from notifications import enqueue
from notifications.models import DeliveryState, Reminder, ScheduledMessage
from notifications.services.reminders import reminder_deliver
from notifications.services.scheduled import scheduled_message_deliver

logger = logging.getLogger(__name__)

LOOKAHEAD = timedelta(seconds=20)  # a little more than the sweep's period in slackclone/celery.py
SWEEP_LIMIT = 500


@dataclass(frozen=True)
class SweepOutcome:
    scheduled_delivered: int
    reminders_delivered: int
    queued_ahead: int


def _deliver_each(ids: list[int], deliver: Callable[[int, datetime], object], now: datetime) -> int:
    """Deliver each in its own transaction; one failing item does not hold up the rest (it stays pending)."""
    delivered = 0
    for item_id in ids:
        try:
            if deliver(item_id, now) is not None:
                delivered += 1
        except Exception:
            logger.exception("Delivery of %s failed; the next sweep tries again", item_id)
    return delivered


def deliveries_run_due(*, now: datetime | None = None, limit: int = SWEEP_LIMIT) -> SweepOutcome:
    """Deliver every scheduled message and reminder that is due, and queue eta tasks for the next few seconds.

    Callers: notifications.tasks.deliver_due (beat); the run_periodic command.
    """
    now = now or timezone.now()
    pending_messages = ScheduledMessage.objects.filter(state=DeliveryState.PENDING)
    pending_reminders = Reminder.objects.filter(state=DeliveryState.PENDING)
    due_messages = list(
        pending_messages.filter(post_at__lte=now).order_by("post_at").values_list("id", flat=True)[:limit]
    )
    due_reminders = list(
        pending_reminders.filter(remind_at__lte=now).order_by("remind_at").values_list("id", flat=True)[:limit]
    )
    sent = _deliver_each(due_messages, lambda pk, at: scheduled_message_deliver(scheduled_id=pk, now=at), now)
    reminded = _deliver_each(due_reminders, lambda pk, at: reminder_deliver(reminder_id=pk, now=at), now)
    soon = now + LOOKAHEAD
    upcoming_messages = pending_messages.filter(post_at__gt=now, post_at__lte=soon).values_list("id", "post_at")
    upcoming_reminders = pending_reminders.filter(remind_at__gt=now, remind_at__lte=soon).values_list("id", "remind_at")
    queued = 0
    for pk, at in upcoming_messages[:limit]:
        enqueue.deliver_scheduled_message_at(pk, at)
        queued += 1
    for pk, at in upcoming_reminders[:limit]:
        enqueue.deliver_reminder_at(pk, at)
        queued += 1
    return SweepOutcome(sent, reminded, queued)
