"""What the outbox holds: its backlog for the metrics, and failed jobs for the admin."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Min
from django.utils import timezone

from outbox.models import OPEN_STATES, JobState, OutboxJob


def outbox_backlog(*, now: datetime | None = None) -> tuple[int, float]:
    """Open jobs due by now, and the age in seconds of the oldest (0 when none): what the workers owe.

    Jobs due later (a reminder's time, a push's delay) are not yet owed, so they are not backlog.
    """
    now = now or timezone.now()
    row = OutboxJob.objects.filter(state__in=OPEN_STATES, due_at__lte=now).aggregate(
        count=Count("pk"), oldest=Min("due_at")
    )
    oldest = row["oldest"]
    return row["count"], (now - oldest).total_seconds() if oldest is not None else 0.0


def outbox_failed_count() -> int:
    return OutboxJob.objects.filter(state=JobState.FAILED).count()
